//! aws-facts a.2 and a.3: the replication role's permissions, taken away one at a time, each
//! with the failure reason S3 documents for it [U-PERM] [U-FAIL].

use replication_model::spec::*;

use crate::fixture::*;

/// Runs the SSE-KMS fixture with one statement of the role's policy removed and one tagged
/// SSE-KMS upload, and expects `FAILED` with `reason`.
fn fails_without(statement: &str, reason: FailureReason) {
    let mut spec = kms_cross_region();
    without(&mut spec, statement);
    spec.steps
        .push(put_tagged("source", "a.txt", &[("team", "a")]));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed("source", "a.txt", reason));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Absent));
    run(spec);
}

/// aws-facts a.2 (inferred mapping, low): without `s3:GetReplicationConfiguration` on the
/// source bucket ARN the object fails with `SrcBucketReplicationConfigMissing`.
#[test]
fn a2_missing_get_replication_configuration() {
    fails_without(
        "GetReplicationConfiguration",
        FailureReason::SrcBucketReplicationConfigMissing,
    );
}

/// aws-facts a.2 [U-FAIL]: without `s3:GetObjectVersionForReplication` the object fails with
/// `SrcGetObjectNotPermitted`.
#[test]
fn a2_missing_get_object_version_for_replication() {
    fails_without(
        "GetObjectVersionForReplication",
        FailureReason::SrcGetObjectNotPermitted,
    );
}

/// aws-facts a.2 [U-FAIL]: without `s3:GetObjectVersionAcl` the object fails with
/// `SrcGetAclNotPermitted`.
#[test]
fn a2_missing_get_object_version_acl() {
    fails_without("GetObjectVersionAcl", FailureReason::SrcGetAclNotPermitted);
}

/// aws-facts a.2 [U-FAIL]: without `s3:ReplicateObject` on the destination the object fails with
/// `DstPutObjectNotPermitted`.
#[test]
fn a2_missing_replicate_object() {
    fails_without("ReplicateObject", FailureReason::DstPutObjectNotPermitted);
}

/// aws-facts a.2 [U-PERM]: `s3:ReplicateObject` also covers tags, so a role without
/// `s3:ReplicateTags` still replicates a tagged object with its tags.
#[test]
fn a2_replicate_object_covers_tags() {
    let mut spec = kms_cross_region();
    without(&mut spec, "ReplicateTags");
    spec.steps
        .push(put_tagged("source", "a.txt", &[("team", "a")]));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    let out = run(spec);
    assert_eq!(row(&out, "target", "a.txt").tags, tags(&[("team", "a")]));
}

/// aws-facts a.2 [U-PERM]: without `s3:GetObjectVersionTagging` S3 still replicates the object,
/// just without its tags.
#[test]
fn a2_tag_read_denied_gives_a_replica_without_tags() {
    let mut spec = kms_cross_region();
    without(&mut spec, "GetObjectVersionTagging");
    spec.steps
        .push(put_tagged("source", "a.txt", &[("team", "a")]));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Replica));
    let out = run(spec);
    assert_eq!(row(&out, "source", "a.txt").tags, tags(&[("team", "a")]));
    assert!(row(&out, "target", "a.txt").tags.is_empty());
    assert!(
        out.report()
            .contains("the role cannot read tags, so the replica has no tags"),
        "{}",
        out.report()
    );
}

/// aws-facts a.2 [U-FAIL]: without `s3:ReplicateDelete` a delete marker does not replicate
/// (`DstDelObjNotPermitted`); the object itself replicated before.
#[test]
fn a2_missing_replicate_delete() {
    let mut spec = sse_s3();
    first_rule(&mut spec).delete_marker_replication = Some(Status::Enabled);
    without(&mut spec, "ReplicateDelete");
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
        .push(expect("target", "a.txt", ExpectedStatus::Replica));
    let out = run(spec);
    let failed = out
        .attempts()
        .iter()
        .find(|a| a.kind == "delete marker")
        .expect("a delete-marker attempt");
    assert!(
        matches!(
            failed.result,
            replication_model::AttemptResult::Failed {
                reason: FailureReason::DstDelObjNotPermitted,
                ..
            }
        ),
        "{:?}",
        failed.result
    );
}

/// aws-facts a.2 [U-FAIL] [U-TRBL]: with the owner override the role needs
/// `s3:ObjectOwnerOverrideToBucketOwner`, or the object fails with `DstPutObjectNotPermitted`;
/// with it, the replica belongs to the destination owner.
#[test]
fn a2_owner_override_needs_its_permission() {
    let mut spec = cross_account();
    first_rule(&mut spec).destination.owner_override = true;
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    let out = run(spec);
    assert!(
        out.report().contains("s3:ObjectOwnerOverrideToBucketOwner"),
        "{}",
        out.report()
    );

    let mut spec = cross_account();
    first_rule(&mut spec).destination.owner_override = true;
    role_statements(&mut spec).push(sid(
        allow(
            &["s3:ObjectOwnerOverrideToBucketOwner"],
            vec![objects("target")],
        ),
        "OwnerOverride",
    ));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    let out = run(spec);
    assert_eq!(row(&out, "target", "a.txt").owner_account, OTHER);
    assert_eq!(row(&out, "source", "a.txt").owner_account, PROD);
}

/// aws-facts a.2 and d.2 [U-KMSREPL]: `s3:GetObjectVersion` instead of
/// `s3:GetObjectVersionForReplication` is enough for SSE-S3 objects but not for SSE-KMS ones.
#[test]
fn a2_get_object_version_is_enough_for_sse_s3_but_not_sse_kms() {
    let mut spec = kms_cross_region();
    without(&mut spec, "GetObjectVersionForReplication");
    role_statements(&mut spec).push(sid(
        allow(&["s3:GetObjectVersion"], vec![objects("source")]),
        "GetObjectVersion",
    ));
    spec.steps
        .push(put("source", "s3.txt", 10, Some(UploadEncryption::SseS3)));
    spec.steps.push(put("source", "kms.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "s3.txt", ExpectedStatus::Completed));
    spec.steps.push(expect_failed(
        "source",
        "kms.txt",
        FailureReason::SrcGetObjectNotPermitted,
    ));
    let out = run(spec);
    assert!(
        out.report()
            .contains("s3:GetObjectVersion is allowed, but it does not cover SSE-KMS"),
        "{}",
        out.report()
    );
}

/// aws-facts a.2 and h [U-PERM]: `arn:aws:s3:::bucket/*` covers objects, not the bucket, so a
/// role whose `s3:GetReplicationConfiguration` names only object ARNs cannot read the
/// configuration.
#[test]
fn a2_object_arns_do_not_cover_the_bucket_arn() {
    let mut spec = sse_s3();
    without(&mut spec, "GetReplicationConfiguration");
    role_statements(&mut spec).push(sid(
        allow(&["s3:GetReplicationConfiguration"], vec![objects("source")]),
        "WrongResource",
    ));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::SrcBucketReplicationConfigMissing,
    ));
    run(spec);
}

/// aws-facts a.2: revoking a permission only affects attempts after the change; objects that
/// replicated before stay COMPLETED.
#[test]
fn a2_revoking_later_fails_only_later_objects() {
    let mut spec = kms_cross_region();
    spec.steps.push(put("source", "early.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(revoke(role_policy(), "EncryptReplica"));
    spec.steps.push(put("source", "late.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "early.txt", ExpectedStatus::Completed));
    spec.steps.push(expect_failed(
        "source",
        "late.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    run(spec);
}
