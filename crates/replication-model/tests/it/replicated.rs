//! aws-facts b and c: which objects a configuration replicates (filters, priorities, several
//! destinations, delete markers, chaining, storage classes) and which it never does.

use replication_model::spec::*;
use replication_model::{ObjectRow, ReplicationStatus};

use crate::fixture::*;

/// A second destination bucket `target2` in eu-west-1 with its own rule `to_second`
/// (priority 2), on the SSE-S3 fixture.
fn two_destinations() -> ScenarioSpec {
    let mut spec = sse_s3();
    spec.buckets.push(bucket("target2", "prod", "eu-west-1"));
    role_statements(&mut spec).push(sid(
        allow(&["s3:ReplicateObject"], vec![objects("target2")]),
        "ReplicateObject2",
    ));
    let mut second = rule("target2", None);
    second.id = Some("to_second".into());
    second.priority = Some(2);
    rules(&mut spec).push(second);
    spec
}

/// aws-facts c [U-WHAT]: new object versions created after the configuration replicate, every
/// version on its own.
#[test]
fn c_new_versions_replicate() {
    let mut spec = sse_s3();
    spec.steps.push(put_text("source", "a.txt", "first", None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(put_text("source", "a.txt", "second", None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_obj(ObjectExpectation {
        version: Some(1),
        status: Some(ExpectedStatus::Completed),
        ..obj("source", "a.txt")
    }));
    spec.steps.push(expect_obj(ObjectExpectation {
        version: Some(2),
        status: Some(ExpectedStatus::Completed),
        ..obj("source", "a.txt")
    }));
    spec.steps.push(expect_obj(ObjectExpectation {
        version: Some(2),
        status: Some(ExpectedStatus::Replica),
        ..obj("target", "a.txt")
    }));
    let out = run(spec);
    assert_eq!(out.get_object("target", "a.txt").unwrap(), b"second");
}

/// aws-facts b [A-RULE] [U-CFG]: a prefix filter replicates matching keys only; the others get
/// no status.
#[test]
fn b_prefix_filter() {
    let mut spec = sse_s3();
    first_rule(&mut spec).filter = FilterSpec::Prefix("reports/".into());
    spec.steps.push(put("source", "reports/q1.csv", 10, None));
    spec.steps.push(put("source", "logs/x.log", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect(
        "source",
        "reports/q1.csv",
        ExpectedStatus::Completed,
    ));
    spec.steps.push(expect(
        "source",
        "logs/x.log",
        ExpectedStatus::NotReplicated,
    ));
    spec.steps
        .push(expect("target", "logs/x.log", ExpectedStatus::Absent));
    run(spec);
}

/// aws-facts b [U-CFG]: the deprecated V1 form (`Prefix` under `Rule`) filters by prefix too.
#[test]
fn b_v1_prefix_filter() {
    let mut spec = sse_s3();
    let r = first_rule(&mut spec);
    r.filter = FilterSpec::V1Prefix("reports/".into());
    r.priority = None;
    r.delete_marker_replication = None;
    r.destination.metrics = None;
    spec.steps.push(put("source", "reports/q1.csv", 10, None));
    spec.steps.push(put("source", "logs/x.log", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect(
        "source",
        "reports/q1.csv",
        ExpectedStatus::Completed,
    ));
    spec.steps.push(expect(
        "source",
        "logs/x.log",
        ExpectedStatus::NotReplicated,
    ));
    let out = run(spec);
    assert!(out.report().contains("V1 schema"), "{}", out.report());
}

/// aws-facts b [U-CFG]: a disabled rule does nothing.
#[test]
fn b_disabled_rule_does_nothing() {
    let mut spec = sse_s3();
    first_rule(&mut spec).status = Status::Disabled;
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::NotReplicated));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Absent));
    run(spec);
}

/// aws-facts c [U-TRBL] [U-CFG]: a tag filter matches tags present at PutObject; tags added
/// later do not make the object replicate live, but Batch Replication catches it.
#[test]
fn c_tag_filter_uses_tags_at_put_time_and_batch_catches_later_tags() {
    let mut spec = sse_s3();
    first_rule(&mut spec).filter = FilterSpec::Tag("replicate".into(), "yes".into());
    spec.steps
        .push(put_tagged("source", "tagged.txt", &[("replicate", "yes")]));
    spec.steps.push(put("source", "later.txt", 10, None));
    spec.steps.push(Step::PutObjectTagging {
        bucket: "source".into(),
        key: "later.txt".into(),
        tags: tags(&[("replicate", "yes")]),
    });
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "tagged.txt", ExpectedStatus::Completed));
    spec.steps
        .push(expect("source", "later.txt", ExpectedStatus::NotReplicated));
    spec.steps
        .push(expect("target", "later.txt", ExpectedStatus::Absent));
    spec.steps.push(Step::BatchReplicate {
        bucket: "source".into(),
        statuses: vec![BatchStatus::None],
    });
    spec.steps
        .push(expect("source", "later.txt", ExpectedStatus::Completed));
    spec.steps
        .push(expect("target", "later.txt", ExpectedStatus::Replica));
    let out = run(spec);
    assert_eq!(
        row(&out, "target", "later.txt").tags,
        tags(&[("replicate", "yes")])
    );
}

/// aws-facts b [A-RULE]: an `And` filter needs the prefix and every tag.
#[test]
fn b_and_filter_needs_every_part() {
    let mut spec = sse_s3();
    first_rule(&mut spec).filter = FilterSpec::And {
        prefix: Some("r/".into()),
        tags: tags(&[("a", "1"), ("b", "2")]),
    };
    spec.steps
        .push(put_tagged("source", "r/both", &[("a", "1"), ("b", "2")]));
    spec.steps
        .push(put_tagged("source", "r/one", &[("a", "1")]));
    spec.steps
        .push(put_tagged("source", "s/both", &[("a", "1"), ("b", "2")]));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "r/both", ExpectedStatus::Completed));
    spec.steps
        .push(expect("source", "r/one", ExpectedStatus::NotReplicated));
    spec.steps
        .push(expect("source", "s/both", ExpectedStatus::NotReplicated));
    run(spec);
}

/// aws-facts b [A-RULE] [U-CFG]: when rules with the same destination overlap, the highest
/// priority number wins (the docs' `star` / `starship` example), whatever the rule order.
#[test]
fn b_same_destination_overlap_highest_priority_wins() {
    for reversed in [false, true] {
        let mut spec = sse_s3();
        let mut star = rule("target", None);
        star.id = Some("star".into());
        star.priority = Some(1);
        star.filter = FilterSpec::Prefix("star".into());
        star.destination.storage_class = Some("STANDARD_IA".into());
        let mut starship = rule("target", None);
        starship.id = Some("starship".into());
        starship.priority = Some(2);
        starship.filter = FilterSpec::Prefix("starship".into());
        starship.destination.storage_class = Some("ONEZONE_IA".into());
        *rules(&mut spec) = if reversed {
            vec![starship, star]
        } else {
            vec![star, starship]
        };
        spec.steps.push(put("source", "starship-x", 10, None));
        spec.steps.push(put("source", "start", 10, None));
        spec.steps.push(Step::Replicate);
        let out = run(spec);
        assert_eq!(
            row(&out, "source", "starship-x").destinations,
            vec![("target".to_owned(), "starship".to_owned())]
        );
        assert_eq!(
            row(&out, "target", "starship-x").storage_class,
            "ONEZONE_IA"
        );
        assert_eq!(
            row(&out, "source", "start").destinations,
            vec![("target".to_owned(), "star".to_owned())]
        );
        assert_eq!(
            out.objects()
                .iter()
                .filter(|r| r.bucket == "target" && r.key == "starship-x")
                .count(),
            1
        );
    }
}

/// aws-facts b [U-CFG]: rules with different destinations each replicate.
#[test]
fn b_multiple_destinations_each_replicate() {
    let mut spec = two_destinations();
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Replica));
    spec.steps
        .push(expect("target2", "a.txt", ExpectedStatus::Replica));
    let out = run(spec);
    assert_eq!(
        row(&out, "source", "a.txt").destinations,
        vec![
            ("target".to_owned(), "to_dest".to_owned()),
            ("target2".to_owned(), "to_second".to_owned())
        ]
    );
}

/// aws-facts b [A-PUT]: the replica's storage class is the rule's, or the source object's.
#[test]
fn b_replica_storage_class() {
    let mut spec = sse_s3();
    first_rule(&mut spec).filter = FilterSpec::Prefix("ia/".into());
    first_rule(&mut spec).destination.storage_class = Some("STANDARD_IA".into());
    let mut keep = rule("target", None);
    keep.id = Some("keep".into());
    keep.priority = Some(2);
    keep.filter = FilterSpec::Prefix("keep/".into());
    rules(&mut spec).push(keep);
    spec.steps.push(put("source", "ia/a", 10, None));
    spec.steps.push(Step::PutObject(PutObjectSpec {
        bucket: "source".into(),
        key: "keep/b".into(),
        body: Body::Size(10),
        encryption: None,
        tags: vec![],
        storage_class: Some("INTELLIGENT_TIERING".into()),
        owner: None,
    }));
    spec.steps.push(Step::Replicate);
    let out = run(spec);
    assert_eq!(row(&out, "target", "ia/a").storage_class, "STANDARD_IA");
    assert_eq!(
        row(&out, "target", "keep/b").storage_class,
        "INTELLIGENT_TIERING"
    );
}

/// aws-facts c [U-WHAT]: objects in S3 Glacier Flexible Retrieval or Deep Archive are not
/// replicated.
#[test]
fn c_glacier_objects_are_not_replicated() {
    for class in ["GLACIER", "DEEP_ARCHIVE"] {
        let mut spec = sse_s3();
        spec.steps.push(Step::PutObject(PutObjectSpec {
            bucket: "source".into(),
            key: "cold".into(),
            body: Body::Size(10),
            encryption: None,
            tags: vec![],
            storage_class: Some(class.into()),
            owner: None,
        }));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "cold", ExpectedStatus::NotReplicated));
        spec.steps
            .push(expect("target", "cold", ExpectedStatus::Absent));
        run(spec);
    }
}

/// aws-facts c [U-WHAT]: a replica is not replicated again by live replication (no chaining
/// A -> B -> C); Batch Replication can replicate replicas.
#[test]
fn c_no_chaining_but_batch_replicates_replicas() {
    let mut spec = sse_s3();
    spec.buckets.push(bucket("third", "prod", "eu-west-1"));
    role_statements(&mut spec).push(sid(
        allow(
            &["s3:GetReplicationConfiguration"],
            vec![ResourceRef::Bucket("target".into())],
        ),
        "ConfigB",
    ));
    role_statements(&mut spec).push(sid(
        allow(
            &[
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
            ],
            vec![objects("target")],
        ),
        "ReadB",
    ));
    role_statements(&mut spec).push(sid(
        allow(&["s3:ReplicateObject"], vec![objects("third")]),
        "WriteC",
    ));
    spec.steps
        .push(Step::PutBucketReplication(config("target", "third", None)));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Replica));
    spec.steps
        .push(expect("third", "a.txt", ExpectedStatus::Absent));
    spec.steps.push(Step::BatchReplicate {
        bucket: "target".into(),
        statuses: vec![BatchStatus::Replica],
    });
    spec.steps
        .push(expect("third", "a.txt", ExpectedStatus::Replica));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Replica));
    let out = run(spec);
    assert_eq!(
        out.attempts()
            .iter()
            .filter(|a| &*a.source == "target" && !a.batch)
            .count(),
        0,
        "{}",
        out.report()
    );
    assert!(
        out.report()
            .contains("live replication does not replicate replicas"),
        "{}",
        out.report()
    );
    assert_eq!(
        out.get_object("third", "a.txt").unwrap(),
        out.get_object("source", "a.txt").unwrap()
    );
}

/// aws-facts b and c [U-WHAT] [U-CFG]: V1 configurations replicate delete markers from user
/// DELETEs.
#[test]
fn c_v1_replicates_delete_markers() {
    let mut spec = sse_s3();
    let r = first_rule(&mut spec);
    r.filter = FilterSpec::V1Prefix(String::new());
    r.priority = None;
    r.delete_marker_replication = None;
    r.destination.metrics = None;
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(Step::DeleteObject {
        bucket: "source".into(),
        key: "a.txt".into(),
        version: None,
    });
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::DeleteMarker));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::DeleteMarker));
    run(spec);
}

/// aws-facts b and c [U-DM] [U-CFG]: V2 replicates no delete marker unless
/// `DeleteMarkerReplication` is Enabled.
#[test]
fn c_v2_delete_markers_only_with_delete_marker_replication() {
    for status in [Status::Disabled, Status::Enabled] {
        let mut spec = sse_s3();
        first_rule(&mut spec).delete_marker_replication = Some(status);
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps.push(Step::DeleteObject {
            bucket: "source".into(),
            key: "a.txt".into(),
            version: None,
        });
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "a.txt", ExpectedStatus::DeleteMarker));
        spec.steps.push(expect(
            "target",
            "a.txt",
            if status.is_enabled() {
                ExpectedStatus::DeleteMarker
            } else {
                ExpectedStatus::Replica
            },
        ));
        run(spec);
    }
}

/// aws-facts c [U-WHAT]: a version-specific DELETE (with a version id) is never replicated, even
/// with delete marker replication on.
#[test]
fn c_version_specific_deletes_are_never_replicated() {
    let mut spec = sse_s3();
    first_rule(&mut spec).delete_marker_replication = Some(Status::Enabled);
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(Step::DeleteObject {
        bucket: "source".into(),
        key: "a.txt".into(),
        version: Some(1),
    });
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Absent));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Replica));
    let out = run(spec);
    assert!(
        out.report()
            .contains("version-specific deletes are never replicated"),
        "{}",
        out.report()
    );
    assert!(out.get_object("target", "a.txt").is_ok());
}

/// aws-facts c [U-WHAT]: SSE-S3, SSE-KMS (opted in) and DSSE-KMS (opted in) objects replicate
/// under one rule; each replica keeps its type.
#[test]
fn c_encrypted_objects_replicate_with_opt_in() {
    let mut spec = kms_cross_region();
    spec.steps
        .push(put("source", "s3", 10, Some(UploadEncryption::SseS3)));
    spec.steps.push(put("source", "kms", 10, None));
    spec.steps.push(put(
        "source",
        "dsse",
        10,
        Some(UploadEncryption::DsseKms {
            key: named("src_key"),
        }),
    ));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect_encryption("target", "s3", ExpectedEncryption::SseS3));
    spec.steps
        .push(expect_kms("target", "kms", "dst_key", false));
    spec.steps.push(expect_encryption(
        "target",
        "dsse",
        ExpectedEncryption::DsseKms {
            key: named("dst_key"),
        },
    ));
    let out = run(spec);
    for k in ["s3", "kms", "dsse"] {
        assert_eq!(
            status(&out, "source", k),
            Some(ReplicationStatus::Completed),
            "{k}"
        );
        assert_eq!(
            out.get_object("target", k).unwrap(),
            out.get_object("source", k).unwrap(),
            "{k}"
        );
    }
}

/// Scenarios name versions per object ("version 1 is the first"): the first version of an
/// object uploaded after others is `v1`, and a version-specific delete removes that one.
#[test]
fn c_versions_count_per_object() {
    let mut spec = sse_s3();
    spec.steps.push(put_text("source", "a.txt", "a1", None));
    spec.steps.push(put_text("source", "b.txt", "b1", None));
    spec.steps.push(put_text("source", "b.txt", "b2", None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_obj(ObjectExpectation {
        version: Some(1),
        status: Some(ExpectedStatus::Completed),
        ..obj("source", "b.txt")
    }));
    spec.steps.push(expect_obj(ObjectExpectation {
        version: Some(2),
        status: Some(ExpectedStatus::Replica),
        ..obj("target", "b.txt")
    }));
    spec.steps.push(Step::DeleteObject {
        bucket: "source".into(),
        key: "b.txt".into(),
        version: Some(2),
    });
    let out = run(spec);
    assert_eq!(out.get_object("source", "b.txt").unwrap(), b"b1");
    assert_eq!(
        out.get_object("target", "b.txt").unwrap(),
        b"b2",
        "the delete of a version is not replicated"
    );
    assert_eq!(row(&out, "source", "b.txt").version_id, "v1");
}

/// Every row of one object in one bucket, in the bucket's version order (oldest first).
fn versions(out: &replication_model::Outcome, bucket: &str, key: &str) -> Vec<ObjectRow> {
    out.objects()
        .into_iter()
        .filter(|r| r.bucket == bucket && r.key == key)
        .collect()
}

/// aws-facts c [U-REQ]: "Replicas have the same key names and metadata (for example, creation
/// time, user-defined metadata and version ID) as the original objects". A source version
/// uploaded before the configuration stays unreplicated, so the replicated one is `v2` on both
/// sides, and the replica's creation time is the source's, not the time it arrived.
#[test]
fn c_replica_keeps_version_id_and_creation_time() {
    let mut spec = sse_s3();
    spec.steps
        .insert(0, put_text("source", "a.txt", "old", None));
    spec.steps.push(put_text("source", "a.txt", "new", None));
    spec.steps.push(Step::Wait { seconds: 60 });
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_obj(ObjectExpectation {
        version: Some(2),
        status: Some(ExpectedStatus::Replica),
        ..obj("target", "a.txt")
    }));
    let out = run(spec);
    let source = row(&out, "source", "a.txt");
    let replica = row(&out, "target", "a.txt");
    assert_eq!(
        (source.version_id.as_str(), replica.version_id.as_str()),
        ("v2", "v2")
    );
    assert_eq!(replica.created_at, source.created_at, "{}", out.report());
    assert!(out.attempts()[0].at > replica.created_at);
    assert!(
        out.report()
            .contains("target/a.txt v2: 3 bytes, SSE-S3; REPLICA of source v2"),
        "{}",
        out.report()
    );
}

/// Version ids are unique per object at the destination too: the destination's own upload
/// after a replica takes the next number above every id present, and a replica whose source id
/// is already taken there (only possible when a bucket both takes its own uploads of a key and
/// receives replicas of it) gets the next free number, with a note (inferred).
#[test]
fn c_replica_and_destination_uploads_keep_ids_unique() {
    let mut spec = sse_s3();
    spec.steps
        .insert(0, put_text("source", "a.txt", "s-old", None));
    // Source v2 replicates as target v2; the destination's own upload then takes v3.
    spec.steps.push(put_text("source", "a.txt", "s-new", None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(put_text("target", "a.txt", "t-own", None));
    // A key the destination wrote first: its own v1 holds the id the replica would keep.
    spec.steps.push(put_text("target", "b.txt", "t-own", None));
    spec.steps.push(put_text("source", "b.txt", "s-b", None));
    spec.steps.push(Step::Replicate);
    let out = run(spec);
    let ids = |key| {
        versions(&out, "target", key)
            .into_iter()
            .map(|r| (r.version_id, r.status))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids("a.txt"),
        vec![
            ("v2".to_owned(), Some(ReplicationStatus::Replica)),
            ("v3".to_owned(), None)
        ]
    );
    assert_eq!(
        ids("b.txt"),
        vec![
            ("v1".to_owned(), None),
            ("v2".to_owned(), Some(ReplicationStatus::Replica))
        ]
    );
    let b = out
        .attempts()
        .iter()
        .find(|a| a.key == "b.txt")
        .expect("b.txt replicated");
    assert!(
        b.notes
            .iter()
            .any(|n| n.contains("version id v1 is taken at `target`")),
        "{:?}",
        b.notes
    );
    assert_eq!(out.get_object("target", "b.txt").unwrap(), b"s-b");
    assert!(
        out.report()
            .contains("real S3 version ids are opaque and never collide"),
        "the report lists the inference\n\n{}",
        out.report()
    );
}

/// Batch Replication of a COMPLETED version writes the same version again: the replica keeps
/// its id and its place, no second copy appears (inferred: S3 version ids are unique in a
/// bucket).
#[test]
fn c_replicating_a_version_again_replaces_its_replica() {
    let mut spec = sse_s3();
    spec.steps.push(put_text("source", "a.txt", "one", None));
    spec.steps.push(put_text("source", "a.txt", "two", None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(Step::BatchReplicate {
        bucket: "source".into(),
        statuses: vec![BatchStatus::Completed],
    });
    let out = run(spec);
    let ids: Vec<String> = versions(&out, "target", "a.txt")
        .into_iter()
        .map(|r| r.version_id)
        .collect();
    assert_eq!(ids, ["v1", "v2"], "{}", out.report());
    assert_eq!(out.get_object("target", "a.txt").unwrap(), b"two");
    assert_eq!(out.attempts().len(), 4);
}

/// A destination's versions stay in creation-time order, so a replica that arrives late does
/// not hide a newer upload of the destination: the current version is the newest by creation
/// time (inferred; the replica keeps the source's creation time, aws-facts c).
#[test]
fn c_late_replica_sorts_by_its_creation_time() {
    let mut spec = sse_s3();
    spec.steps
        .push(put_text("source", "a.txt", "from-source", None));
    spec.steps.push(put_text("target", "a.txt", "own", None));
    spec.steps.push(Step::Replicate);
    let out = run(spec);
    let rows = versions(&out, "target", "a.txt");
    assert_eq!(rows.len(), 2, "{}", out.report());
    assert!(rows[0].created_at < rows[1].created_at);
    assert_eq!(rows[0].status, Some(ReplicationStatus::Replica));
    assert_eq!(out.get_object("target", "a.txt").unwrap(), b"own");
}

/// An id is never given twice: after a version-specific delete of the newest version, the next
/// upload takes a new number rather than the deleted one's.
#[test]
fn c_deleted_version_ids_are_not_reused() {
    let mut spec = sse_s3();
    spec.steps.push(put_text("source", "a.txt", "one", None));
    spec.steps.push(put_text("source", "a.txt", "two", None));
    spec.steps.push(Step::DeleteObject {
        bucket: "source".into(),
        key: "a.txt".into(),
        version: Some(2),
    });
    spec.steps.push(put_text("source", "a.txt", "three", None));
    let out = run(spec);
    let ids: Vec<String> = versions(&out, "source", "a.txt")
        .into_iter()
        .map(|r| r.version_id)
        .collect();
    assert_eq!(ids, ["v1", "v3"], "{}", out.report());
}
