//! aws-facts a.1 and a.4: the prerequisites of replication, what PutBucketReplication refuses at
//! the API, and what it accepts only to fail per object later.

use replication_model::spec::*;
use replication_model::{ProblemKind, ReplicationStatus};

use crate::fixture::*;

/// aws-facts a.4 [O-TFSRC]: a source bucket without versioning `Enabled` (never enabled, or
/// suspended) is refused with `InvalidRequest` "Versioning must be 'Enabled' on the bucket...".
#[test]
fn a4_source_without_versioning_is_rejected() {
    for versioning in [Versioning::Unversioned, Versioning::Suspended] {
        let mut spec = kms_cross_region();
        spec.buckets[0].versioning = versioning;
        let p = rejection(spec, 0, "bucket", "InvalidRequest");
        assert!(
            p.message.contains(
                "Versioning must be 'Enabled' on the bucket to apply a replication configuration"
            ),
            "{}",
            p.message
        );
        assert!(p.message.contains("`source`"), "{}", p.message);
    }
}

/// aws-facts a.4: when the scenario expects the rejection, validation passes and the run shows
/// the refused call; no configuration is installed, so a later upload gets no status.
#[test]
fn a4_expected_rejection_is_shown_by_the_run() {
    let mut spec = kms_cross_region();
    spec.buckets[0].versioning = Versioning::Suspended;
    spec.steps.push(expect_rejected("source", "InvalidRequest"));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::NotReplicated));
    let out = run(spec);
    assert!(
        out.report()
            .contains("PutBucketReplication on `source`: rejected, InvalidRequest"),
        "{}",
        out.report()
    );
    assert!(
        out.report()
            .contains("ok   step 2: rejected with InvalidRequest"),
        "{}",
        out.report()
    );
    assert_eq!(status(&out, "source", "a.txt"), None);
}

/// aws-facts a.4: expecting the wrong code for a rejected call is itself a problem that names
/// the real code.
#[test]
fn a4_expecting_another_code_names_the_real_one() {
    let mut spec = kms_cross_region();
    spec.buckets[0].versioning = Versioning::Suspended;
    spec.steps.push(expect_rejected("source", "AccessDenied"));
    let p = problem(spec);
    assert_eq!(p.kind, ProblemKind::Impossible);
    assert_eq!(p.locus, Locus::new(Item::Step(1), "code"));
    assert!(p.message.contains("`InvalidRequest`"), "{}", p.message);
}

/// aws-facts a.4: expecting a rejection of a call AWS accepts is impossible.
#[test]
fn a4_expecting_a_rejection_of_an_accepted_call_is_impossible() {
    let mut spec = kms_cross_region();
    spec.steps.push(expect_rejected("source", "InvalidRequest"));
    let p = problem(spec);
    assert_eq!(p.kind, ProblemKind::Impossible);
    assert_eq!(p.locus, Locus::new(Item::Step(1), "verdict"));
}

/// aws-facts a.4 [O-TFDST]: a same-account destination without versioning is refused with
/// "Destination bucket must have versioning enabled."
#[test]
fn a4_same_account_destination_without_versioning_is_rejected() {
    let mut spec = kms_cross_region();
    spec.buckets[1].versioning = Versioning::Unversioned;
    let p = rejection(spec, 0, "rules[0].destination.bucket", "InvalidRequest");
    assert!(
        p.message
            .contains("Destination bucket must have versioning enabled."),
        "{}",
        p.message
    );
}

/// aws-facts a.4 and a.1: the versioning check covers same-account destinations only; a
/// cross-account destination without versioning is accepted and each object then fails with
/// `DstBucketUnversioned` [U-FAIL].
#[test]
fn a4_cross_account_unversioned_destination_fails_per_object() {
    let mut spec = cross_account();
    spec.buckets[1].versioning = Versioning::Unversioned;
    spec.steps
        .push(expect_config("source", ExpectedVerdict::Accepted));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstBucketUnversioned,
    ));
    run(spec);
}

/// aws-facts a.4 [O-DSTEXIST]: a destination bucket that does not exist is refused with
/// "Destination bucket must exist."
#[test]
fn a4_missing_destination_is_rejected() {
    let mut spec = kms_cross_region();
    first_rule(&mut spec).destination.bucket = BucketRef::Arn("arn:aws:s3:::no-such-bucket".into());
    let p = rejection(spec, 0, "rules[0].destination.bucket", "InvalidRequest");
    assert!(
        p.message.contains("Destination bucket must exist."),
        "{}",
        p.message
    );
}

/// aws-facts a.4 [A-PUT] [O-DMR]: a rule with `Filter` needs `DeleteMarkerReplication`.
#[test]
fn a4_filter_without_delete_marker_replication_is_rejected() {
    let mut spec = kms_cross_region();
    first_rule(&mut spec).delete_marker_replication = None;
    let p = rejection(spec, 0, "rules[0].filter", "InvalidRequest");
    assert!(
        p.message
            .contains("DeleteMarkerReplication must be specified"),
        "{}",
        p.message
    );
}

/// aws-facts a.4 [A-PUT]: a rule with `Filter` needs `Priority`.
#[test]
fn a4_filter_without_priority_is_rejected() {
    let mut spec = kms_cross_region();
    first_rule(&mut spec).priority = None;
    let p = rejection(spec, 0, "rules[0].filter", "InvalidRequest");
    assert!(
        p.message.contains("Priority must be specified"),
        "{}",
        p.message
    );
}

/// aws-facts a.4 [A-RULE] [U-DM]: delete marker replication is not supported with a tag filter,
/// neither a single tag nor an `And` with tags.
#[test]
fn a4_tag_filter_with_delete_marker_replication_is_rejected() {
    for filter in [
        FilterSpec::Tag("team".into(), "a".into()),
        FilterSpec::And {
            prefix: Some("logs/".into()),
            tags: tags(&[("team", "a")]),
        },
    ] {
        let mut spec = kms_cross_region();
        let r = first_rule(&mut spec);
        r.filter = filter;
        r.delete_marker_replication = Some(Status::Enabled);
        let p = rejection(
            spec,
            0,
            "rules[0].delete_marker_replication",
            "InvalidRequest",
        );
        assert!(
            p.message.contains(
                "Delete marker replication is not supported if any Tag filter is specified."
            ),
            "{}",
            p.message
        );
    }
}

/// aws-facts a.4 [O-KMSID]: `SseKmsEncryptedObjects` without `ReplicaKmsKeyID` is refused.
#[test]
fn a4_sse_kms_opt_in_without_replica_key_is_rejected() {
    let mut spec = kms_cross_region();
    first_rule(&mut spec).destination.replica_kms_key = None;
    let p = rejection(
        spec,
        0,
        "rules[0].sse_kms_encrypted_objects",
        "InvalidRequest",
    );
    assert!(
        p.message.contains(
            "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present."
        ),
        "{}",
        p.message
    );
}

/// aws-facts a.4 [A-ERR]: `AccessControlTranslation` without the destination `Account` is an
/// `InvalidRequest`.
#[test]
fn a4_owner_override_without_account_is_rejected() {
    let mut spec = cross_account();
    let r = first_rule(&mut spec);
    r.destination.owner_override = true;
    r.destination.account = None;
    rejection(
        spec,
        0,
        "rules[0].destination.owner_override",
        "InvalidRequest",
    );
}

/// aws-facts a.4 [A-ERR]: an `Account` that is not the destination bucket's owner is an
/// `InvalidArgument`.
#[test]
fn a4_account_not_owning_the_destination_is_rejected() {
    let mut spec = cross_account();
    first_rule(&mut spec).destination.account = Some("prod".into());
    rejection(spec, 0, "rules[0].destination.account", "InvalidArgument");
}

/// aws-facts a.4 [A-ERR]: S3 RTC needs `Metrics`, and both with the same status.
#[test]
fn a4_replication_time_without_metrics_is_rejected() {
    let mut spec = kms_cross_region();
    let d = &mut first_rule(&mut spec).destination;
    d.replication_time = Some(ReplicationTime {
        status: Status::Enabled,
        minutes: 15,
    });
    d.metrics = None;
    rejection(
        spec,
        0,
        "rules[0].destination.replication_time",
        "InvalidRequest",
    );

    let mut spec = kms_cross_region();
    let d = &mut first_rule(&mut spec).destination;
    d.replication_time = Some(ReplicationTime {
        status: Status::Enabled,
        minutes: 15,
    });
    d.metrics = Some(Metrics {
        status: Status::Disabled,
        event_threshold_minutes: None,
    });
    rejection(spec, 0, "rules[0].destination.metrics", "InvalidRequest");
}

/// aws-facts a.4 [A-ERR] [U-RTC]: both minute values must be 15.
#[test]
fn a4_rtc_and_metrics_minutes_must_be_15() {
    let mut spec = kms_cross_region();
    let d = &mut first_rule(&mut spec).destination;
    d.replication_time = Some(ReplicationTime {
        status: Status::Enabled,
        minutes: 10,
    });
    d.metrics = Some(Metrics {
        status: Status::Enabled,
        event_threshold_minutes: Some(15),
    });
    rejection(
        spec,
        0,
        "rules[0].destination.replication_time",
        "InvalidArgument",
    );

    let mut spec = kms_cross_region();
    let d = &mut first_rule(&mut spec).destination;
    d.replication_time = Some(ReplicationTime {
        status: Status::Enabled,
        minutes: 15,
    });
    d.metrics = Some(Metrics {
        status: Status::Enabled,
        event_threshold_minutes: Some(30),
    });
    rejection(spec, 0, "rules[0].destination.metrics", "InvalidArgument");

    let mut spec = kms_cross_region();
    let d = &mut first_rule(&mut spec).destination;
    d.replication_time = Some(ReplicationTime {
        status: Status::Enabled,
        minutes: 15,
    });
    d.metrics = Some(Metrics {
        status: Status::Enabled,
        event_threshold_minutes: None,
    });
    rejection(spec, 0, "rules[0].destination.metrics", "InvalidArgument");
}

/// aws-facts a.4 [A-ERR] [A-RULE]: a rule ID longer than 255 characters or with non-ASCII
/// characters is an `InvalidArgument`.
#[test]
fn a4_bad_rule_ids_are_rejected() {
    for id in ["x".repeat(256), "règle".to_owned()] {
        let mut spec = kms_cross_region();
        first_rule(&mut spec).id = Some(id);
        rejection(spec, 0, "rules[0].id", "InvalidArgument");
    }
    let mut spec = kms_cross_region();
    first_rule(&mut spec).id = Some("x".repeat(255));
    replication_model::validate(spec).expect("255 ASCII characters are allowed");
}

/// aws-facts a.4 and b [A-PUT]: a configuration holds 1 to 1,000 rules.
#[test]
fn a4_zero_rules_are_rejected() {
    let mut spec = kms_cross_region();
    rules(&mut spec).clear();
    rejection(spec, 0, "bucket", "InvalidRequest");
}

/// aws-facts a.4 (inferred, low): two rules with the same priority are refused.
#[test]
fn a4_duplicate_priorities_are_rejected() {
    let mut spec = kms_cross_region();
    let mut second = rule("target", named("dst_key"));
    second.id = Some("second".into());
    rules(&mut spec).push(second);
    let p = rejection(spec, 0, "rules[1].priority", "InvalidRequest");
    assert!(
        p.message.contains("Found duplicate priority 1."),
        "{}",
        p.message
    );
}

/// aws-facts a.4 [U-REQ] [O-VERS]: once a configuration exists, S3 refuses to suspend
/// versioning on the source (`InvalidBucketState`); the bucket keeps replicating.
#[test]
fn a4_suspending_source_versioning_is_refused() {
    let mut spec = sse_s3();
    spec.steps.push(fault(Fault::SetBucketVersioning {
        bucket: "source".into(),
        versioning: Versioning::Suspended,
    }));
    let p = rejection(spec.clone(), 1, "versioning", "InvalidBucketState");
    assert!(
        p.message
            .contains("A replication configuration is present on this bucket"),
        "{}",
        p.message
    );

    spec.steps
        .push(expect_rejected("source", "InvalidBucketState"));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    let out = run(spec);
    assert_eq!(
        row(&out, "source", "a.txt").version_id,
        "v1",
        "versioning stayed Enabled"
    );
}

/// aws-facts a.4 [U-REQ] [U-FAIL]: destination versioning suspended after the configuration
/// makes objects FAILED with `DstBucketUnversioned`.
#[test]
fn a4_destination_suspended_later_fails_with_dst_bucket_unversioned() {
    let mut spec = sse_s3();
    spec.steps.push(fault(Fault::SetBucketVersioning {
        bucket: "target".into(),
        versioning: Versioning::Suspended,
    }));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstBucketUnversioned,
    ));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Absent));
    run(spec);
}

/// aws-facts a.4 [U-KMSREPL]: PutBucketReplication does not validate KMS keys; a replica key that
/// does not exist is accepted and each SSE-KMS object fails with `DstKmsKeyNotFound`.
#[test]
fn a4_nonexistent_replica_key_is_accepted_then_fails_per_object() {
    let mut spec = kms_cross_region();
    let missing = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000";
    first_rule(&mut spec).destination.replica_kms_key = Some(KeyRef::Arn(missing.into()));
    spec.steps
        .push(expect_config("source", ExpectedVerdict::Accepted));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstKmsKeyNotFound,
    ));
    let out = run(spec);
    assert!(out.report().contains(missing));
}

/// aws-facts a.4: a bad trust policy is not checked at PutBucketReplication (inferred); each
/// object fails with `AssumeRoleNotPermitted` [U-FAIL].
#[test]
fn a1_trust_policy_without_s3_fails_with_assume_role_not_permitted() {
    let mut spec = sse_s3();
    spec.roles[0].trust = PolicySpec::Statements(vec![to(
        allow(&["sts:AssumeRole"], vec![]),
        vec![PrincipalRef::Service("ec2.amazonaws.com".into())],
    )]);
    spec.steps
        .push(expect_config("source", ExpectedVerdict::Accepted));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::AssumeRoleNotPermitted,
    ));
    run(spec);
}

/// aws-facts a.1 [U-PERM]: Batch Replication jobs assume the role as
/// `batchoperations.s3.amazonaws.com`; a trust policy naming only `s3.amazonaws.com` serves live
/// replication but fails the batch job with `AssumeRoleNotPermitted`.
#[test]
fn a1_batch_replication_needs_batchoperations_in_the_trust_policy() {
    let mut spec = sse_s3();
    spec.roles[0].trust = PolicySpec::Statements(vec![to(
        allow(&["sts:AssumeRole"], vec![]),
        vec![PrincipalRef::Service("s3.amazonaws.com".into())],
    )]);
    spec.steps.insert(0, put("source", "old.txt", 10, None));
    spec.steps.push(put("source", "new.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "new.txt", ExpectedStatus::Completed));
    spec.steps.push(Step::BatchReplicate {
        bucket: "source".into(),
        statuses: vec![BatchStatus::None],
    });
    spec.steps.push(expect_failed(
        "source",
        "old.txt",
        FailureReason::AssumeRoleNotPermitted,
    ));
    run(spec);
}

/// aws-facts a.1 [U-REQ] [U-WHAT] [U-FAIL]: an object owned by another account whose ACL does not grant
/// the bucket owner READ and READ_ACP is not replicated: FAILED `SrcGetAclNotPermitted`, as the
/// failure-code table says, and not an inferred choice; with the grant it replicates.
#[test]
fn a1_object_owned_by_another_account_needs_read_grants() {
    for grants in [false, true] {
        let mut spec = sse_s3();
        spec.accounts.push(AccountSpec {
            name: "writer".into(),
            id: OTHER.into(),
            org_id: None,
        });
        spec.steps.push(Step::PutObject(PutObjectSpec {
            bucket: "source".into(),
            key: "foreign.txt".into(),
            body: Body::Size(10),
            encryption: None,
            tags: vec![],
            storage_class: None,
            owner: Some(ObjectOwner {
                account: "writer".into(),
                grants_bucket_owner_read: grants,
            }),
        }));
        spec.steps.push(Step::Replicate);
        spec.steps.push(if grants {
            expect("source", "foreign.txt", ExpectedStatus::Completed)
        } else {
            expect_failed(
                "source",
                "foreign.txt",
                FailureReason::SrcGetAclNotPermitted,
            )
        });
        let out = run(spec);
        assert_eq!(row(&out, "source", "foreign.txt").owner_account, OTHER);
        assert_eq!(out.inferred().count(), 0, "{}", out.report());
    }
}

/// aws-facts a.1 [U-REQ] [U-PERM] [U-FAIL]: an Object Lock source needs an Object Lock
/// destination (`DstBucketObjectLockConfigMissing`) and a role that may read retention and legal
/// holds (`SrcGetRetentionNotPermitted`, `SrcGetLegalHoldNotPermitted`).
#[test]
fn a1_object_lock_source_needs_lock_on_destination_and_read_permissions() {
    let lock_reads = || {
        sid(
            allow(
                &["s3:GetObjectRetention", "s3:GetObjectLegalHold"],
                vec![objects("source")],
            ),
            "LockReads",
        )
    };

    let mut spec = sse_s3();
    spec.buckets[0].object_lock = true;
    role_statements(&mut spec).push(lock_reads());
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstBucketObjectLockConfigMissing,
    ));
    run(spec);

    let mut spec = sse_s3();
    spec.buckets[0].object_lock = true;
    spec.buckets[1].object_lock = true;
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::SrcGetRetentionNotPermitted,
    ));
    run(spec);

    let mut spec = sse_s3();
    spec.buckets[0].object_lock = true;
    spec.buckets[1].object_lock = true;
    role_statements(&mut spec).push(sid(
        allow(&["s3:GetObjectRetention"], vec![objects("source")]),
        "Retention",
    ));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::SrcGetLegalHoldNotPermitted,
    ));
    run(spec);

    // `s3:Get*` covers both (aws-facts a.1).
    let mut spec = sse_s3();
    spec.buckets[0].object_lock = true;
    spec.buckets[1].object_lock = true;
    role_statements(&mut spec).push(sid(allow(&["s3:Get*"], vec![objects("source")]), "GetStar"));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    run(spec);
}

/// aws-facts a.1 [U-REQ]: a cross-account destination may not be a Requester Pays bucket.
#[test]
fn a1_cross_account_requester_pays_destination_fails() {
    let mut spec = cross_account();
    spec.buckets[1].requester_pays = true;
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Failed));
    let out = run(spec);
    assert!(
        out.report().contains(
            "a Requester Pays destination in another account fails with DstPutObjectNotPermitted"
        ),
        "{}",
        out.report()
    );
}

/// aws-facts a.1 [U-SETUP]: objects that existed before the configuration are never replicated
/// by live replication; a Batch Replication job for status NONE replicates them.
#[test]
fn a1_existing_objects_need_batch_replication() {
    let mut spec = sse_s3();
    spec.steps.insert(0, put("source", "before.txt", 10, None));
    spec.steps.push(put("source", "after.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect(
        "source",
        "before.txt",
        ExpectedStatus::NotReplicated,
    ));
    spec.steps
        .push(expect("target", "before.txt", ExpectedStatus::Absent));
    spec.steps
        .push(expect("source", "after.txt", ExpectedStatus::Completed));
    spec.steps.push(Step::BatchReplicate {
        bucket: "source".into(),
        statuses: vec![BatchStatus::None],
    });
    spec.steps
        .push(expect("source", "before.txt", ExpectedStatus::Completed));
    spec.steps
        .push(expect("target", "before.txt", ExpectedStatus::Replica));
    let out = run(spec);
    assert_eq!(
        out.get_object("target", "before.txt").unwrap(),
        out.get_object("source", "before.txt").unwrap()
    );
    assert_eq!(
        out.objects()
            .iter()
            .filter(|r| r.bucket == "target" && r.key == "after.txt")
            .count(),
        1,
        "the batch job selected NONE only, so `after.txt` was not copied twice"
    );
}

/// aws-facts a.4: the report of a rejected call says the configuration is not installed.
#[test]
fn a4_rejected_configuration_installs_nothing() {
    let mut spec = kms_cross_region();
    first_rule(&mut spec).priority = None;
    spec.steps.push(expect_rejected("source", "InvalidRequest"));
    spec.steps.push(put("source", "a.txt", 10, None));
    let out = run(spec);
    assert_ne!(
        status(&out, "source", "a.txt"),
        Some(ReplicationStatus::Pending)
    );
    assert!(!out.report().contains("replicates as"), "{}", out.report());
    assert!(
        out.report().contains("a.txt v1: 10 bytes, SSE-KMS"),
        "{}",
        out.report()
    );
}

/// aws-facts a.4: an `expect replication` after an accepted versioning change checks that call;
/// suspending versioning on a destination is allowed (only the source is protected), and the
/// objects that follow fail with `DstBucketUnversioned`.
#[test]
fn a4_versioning_change_on_the_destination_is_accepted() {
    let mut spec = sse_s3();
    spec.steps.push(fault(Fault::SetBucketVersioning {
        bucket: "target".into(),
        versioning: Versioning::Suspended,
    }));
    spec.steps
        .push(expect_config("target", ExpectedVerdict::Accepted));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstBucketUnversioned,
    ));
    let out = run(spec);
    assert!(
        out.report().contains("ok   step 3: configuration accepted"),
        "{}",
        out.report()
    );
}
