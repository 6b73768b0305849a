//! aws-facts h and a.3: IAM evaluation as replication meets it: explicit deny wins, same-account
//! allows from either side, cross-account needs both sides, and the Deny statements that break
//! replication [U-TRBL].

use replication_model::InferredChoice;
use replication_model::spec::*;

use crate::fixture::*;

fn bucket_policy(spec: &mut ScenarioSpec, bucket: &str, statements: Vec<StatementSpec>) {
    let b = spec
        .buckets
        .iter_mut()
        .find(|b| b.name == bucket)
        .expect("bucket");
    b.policy = Some(PolicySpec::Statements(statements));
}

fn role() -> Vec<PrincipalRef> {
    vec![PrincipalRef::Role("replicator".into())]
}

/// aws-facts h [I-EVAL]: an explicit Deny in the role's own policy overrides its Allow.
#[test]
fn h_explicit_deny_in_the_role_wins() {
    let mut spec = sse_s3();
    role_statements(&mut spec).push(sid(
        deny(&["s3:ReplicateObject"], vec![objects("target")]),
        "NoWrites",
    ));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    let out = run(spec);
    assert!(out.report().contains("DENY (explicit) by statement 10 (`NoWrites`) of identity policy `replication` of role `replicator`"), "{}", out.report());
    assert!(
        out.report().contains("remove or narrow the Deny"),
        "{}",
        out.report()
    );
}

/// aws-facts h [U-TRBL]: a source bucket policy denying `s3:GetObjectVersionForReplication`
/// breaks replication (`SrcGetObjectNotPermitted`) though the role allows it.
#[test]
fn h_source_bucket_policy_deny_breaks_replication() {
    let mut spec = sse_s3();
    bucket_policy(
        &mut spec,
        "source",
        vec![to(
            deny(
                &["s3:GetObjectVersionForReplication"],
                vec![objects("source")],
            ),
            vec![PrincipalRef::Anyone],
        )],
    );
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::SrcGetObjectNotPermitted,
    ));
    run(spec);
}

/// aws-facts h [U-TRBL]: a source bucket policy denying `s3:GetReplicationConfiguration` or
/// `s3:GetObjectVersionAcl` breaks replication with the matching reasons.
#[test]
fn h_source_bucket_policy_denies_config_and_acl_reads() {
    for (action, resource, reason) in [
        (
            "s3:GetReplicationConfiguration",
            ResourceRef::Bucket("source".into()),
            FailureReason::SrcBucketReplicationConfigMissing,
        ),
        (
            "s3:GetObjectVersionAcl",
            objects("source"),
            FailureReason::SrcGetAclNotPermitted,
        ),
    ] {
        let mut spec = sse_s3();
        bucket_policy(
            &mut spec,
            "source",
            vec![to(
                deny(&[action], vec![resource]),
                vec![PrincipalRef::Anyone],
            )],
        );
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps.push(expect_failed("source", "a.txt", reason));
        run(spec);
    }
}

/// aws-facts h and a.3 [U-TRBL] [U-PERM]: a destination bucket policy denying
/// `s3:ReplicateObject` fails replication; one denying only `s3:ReplicateTags` refuses tagged
/// objects (reason inferred: `DstPutTaggingNotPermitted`) and lets untagged ones through.
#[test]
fn h_destination_bucket_policy_denies() {
    let mut spec = sse_s3();
    bucket_policy(
        &mut spec,
        "target",
        vec![to(
            deny(&["s3:ReplicateObject"], vec![objects("target")]),
            vec![PrincipalRef::Anyone],
        )],
    );
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    run(spec);

    let mut spec = sse_s3();
    bucket_policy(
        &mut spec,
        "target",
        vec![to(
            deny(&["s3:ReplicateTags"], vec![objects("target")]),
            role(),
        )],
    );
    spec.steps
        .push(put_tagged("source", "tagged.txt", &[("team", "a")]));
    spec.steps.push(put("source", "plain.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "tagged.txt",
        FailureReason::DstPutTaggingNotPermitted,
    ));
    spec.steps
        .push(expect("source", "plain.txt", ExpectedStatus::Completed));
    let out = run(spec);
    // The docs conflict on this Deny (aws-facts a.3, h), so the choice is labelled inferred.
    assert_eq!(
        out.inferred().collect::<Vec<_>>(),
        [InferredChoice::ReplicateTagsDeny],
        "{}",
        out.report()
    );
    assert!(
        out.report().contains("the docs conflict"),
        "{}",
        out.report()
    );
}

/// aws-facts h [I-EVAL]: in one account, an Allow in the resource policy alone suffices: a
/// destination bucket policy allowing the role `s3:ReplicateObject` replaces the role's own.
#[test]
fn h_same_account_bucket_policy_allow_suffices() {
    let mut spec = sse_s3();
    without(&mut spec, "ReplicateObject");
    bucket_policy(
        &mut spec,
        "target",
        vec![to(
            allow(&["s3:ReplicateObject"], vec![objects("target")]),
            role(),
        )],
    );
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    let out = run(spec);
    assert!(
        out.report()
            .contains("ALLOW by statement 0 of bucket policy of `target`"),
        "{}",
        out.report()
    );
}

/// aws-facts h and a.3 [I-XACCT] [U-REQ]: across accounts both the role's identity policy and
/// the destination bucket policy must allow; either alone fails with `DstPutObjectNotPermitted`.
#[test]
fn h_cross_account_needs_identity_and_bucket_policy() {
    let mut spec = cross_account();
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Replica));
    run(spec);

    let mut spec = cross_account();
    spec.steps.push(revoke(
        PolicyTarget::Bucket("target".into()),
        "ReceiveReplicas",
    ));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    // The role's policy allows; the fix belongs in the destination owner's bucket policy.
    let out = run(spec);
    assert_eq!(
        fix_hint(&out),
        "allow `s3:ReplicateObject` on `arn:aws:s3:::target/*` in the bucket policy of `target`"
    );

    let mut spec = cross_account();
    without(&mut spec, "ReplicateObject");
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    let out = run(spec);
    assert_eq!(
        fix_hint(&out),
        "allow `s3:ReplicateObject` on `arn:aws:s3:::target/*` in role `replicator`"
    );

    let mut spec = cross_account();
    without(&mut spec, "ReplicateObject");
    spec.steps.push(revoke(
        PolicyTarget::Bucket("target".into()),
        "ReceiveReplicas",
    ));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    let out = run(spec);
    assert_eq!(
        fix_hint(&out),
        "allow `s3:ReplicateObject` on `arn:aws:s3:::target/*` in role `replicator` and the bucket policy of `target`"
    );
}

/// The fix hint of the first failed attempt.
fn fix_hint(out: &replication_model::Outcome) -> String {
    out.attempts()
        .iter()
        .find_map(|a| match &a.result {
            replication_model::AttemptResult::Failed { fix, .. } => Some(fix.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no failed attempt\n\n{}", out.report()))
}

/// aws-facts h and f [I-XACCT] [K-EVAL]: a cross-account replica key needs both its key policy
/// (in the destination account) and the role's IAM policy.
#[test]
fn h_cross_account_key_needs_both_key_policy_and_identity_policy() {
    let mut spec = cross_account();
    without(&mut spec, "EncryptReplica");
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    // The key policy already names the role; the role's own policy lacks the allow.
    let out = run(spec);
    assert!(
        fix_hint(&out).ends_with("in role `replicator`"),
        "{}",
        out.report()
    );

    let mut spec = cross_account();
    spec.keys[1].policy = None;
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    let out = run(spec);
    assert!(
        fix_hint(&out).ends_with("in the key policy of `dst_key` (account 444455556666)"),
        "{}",
        out.report()
    );

    let mut spec = cross_account();
    spec.keys[1].policy = None;
    without(&mut spec, "EncryptReplica");
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    let out = run(spec);
    assert!(
        fix_hint(&out).ends_with(
            "in role `replicator` and the key policy of `dst_key` (account 444455556666)"
        ),
        "{}",
        out.report()
    );
}

/// aws-facts h [I-XACCT]: across accounts a Deny in the destination account wins over both
/// allows.
#[test]
fn h_cross_account_deny_in_the_destination_wins() {
    let mut spec = cross_account();
    spec.steps.push(add_statement(
        PolicyTarget::Bucket("target".into()),
        sid(
            to(
                deny(&["s3:ReplicateObject"], vec![objects("target")]),
                role(),
            ),
            "Freeze",
        ),
    ));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    let out = run(spec);
    assert!(
        out.report()
            .contains("DENY (explicit) by statement 2 (`Freeze`) of bucket policy of `target`"),
        "{}",
        out.report()
    );
}

/// aws-facts h and a.3 [U-DM] [U-PERM]: a cross-account delete marker needs
/// `s3:ReplicateDelete` in the destination bucket policy too.
#[test]
fn h_cross_account_delete_markers_need_the_bucket_policy() {
    let mut spec = cross_account();
    first_rule(&mut spec).delete_marker_replication = Some(Status::Enabled);
    spec.steps.push(add_statement(
        PolicyTarget::Bucket("target".into()),
        sid(
            to(
                deny(&["s3:ReplicateDelete"], vec![objects("target")]),
                role(),
            ),
            "KeepEverything",
        ),
    ));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(Step::DeleteObject {
        bucket: "source".into(),
        key: "a.txt".into(),
        version: None,
    });
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Replica));
    let out = run(spec);
    assert!(
        out.report().contains("FAILED DstDelObjNotPermitted"),
        "{}",
        out.report()
    );

    // Without the destination owner's allow, the fix belongs in its bucket policy.
    let mut spec = cross_account();
    first_rule(&mut spec).delete_marker_replication = Some(Status::Enabled);
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(revoke(
        PolicyTarget::Bucket("target".into()),
        "ReceiveReplicas",
    ));
    spec.steps.push(Step::DeleteObject {
        bucket: "source".into(),
        key: "a.txt".into(),
        version: None,
    });
    spec.steps.push(Step::Replicate);
    let out = run(spec);
    assert_eq!(
        fix_hint(&out),
        "allow `s3:ReplicateDelete` on `arn:aws:s3:::target/*` in the bucket policy of `target`"
    );
}

/// aws-facts h and i.15 [U-TRBL] (inferred): a bucket-policy Deny unless `aws:SourceVpce` matches
/// breaks replication, because S3's requests never come through the customer's VPC endpoint.
#[test]
fn h_source_vpce_deny_breaks_replication() {
    let mut spec = sse_s3();
    bucket_policy(
        &mut spec,
        "target",
        vec![when(
            to(
                deny(&["s3:*"], vec![objects("target")]),
                vec![PrincipalRef::Anyone],
            ),
            "StringNotEquals",
            "aws:SourceVpce",
            &["vpce-1a2b3c4d"],
        )],
    );
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    run(spec);
}

/// aws-facts h and i.15 (inferred): a bucket policy allowing by `aws:PrincipalOrgID` works when
/// the role's account is in the organization, and not otherwise.
#[test]
fn h_principal_org_id_allow_works_for_org_members() {
    for (org, works) in [(Some("o-a1b2c3d4e5"), true), (None, false)] {
        let mut spec = cross_account();
        spec.accounts[0].org_id = org.map(str::to_owned);
        bucket_policy(
            &mut spec,
            "target",
            vec![when(
                to(
                    allow(&["s3:ReplicateObject"], vec![objects("target")]),
                    vec![PrincipalRef::Anyone],
                ),
                "StringEquals",
                "aws:PrincipalOrgID",
                &["o-a1b2c3d4e5"],
            )],
        );
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps.push(if works {
            expect("source", "a.txt", ExpectedStatus::Completed)
        } else {
            expect_failed("source", "a.txt", FailureReason::DstPutObjectNotPermitted)
        });
        run(spec);
    }
}

/// aws-facts a.1 and h [U-PERM] [U-FAIL]: a trust policy changed later so that it no longer
/// names `s3.amazonaws.com` fails every later object with `AssumeRoleNotPermitted`.
#[test]
fn h_trust_policy_changed_later() {
    let mut spec = sse_s3();
    spec.steps.push(add_statement(
        PolicyTarget::RoleTrust("replicator".into()),
        sid(
            to(
                allow(&["sts:AssumeRole"], vec![]),
                vec![PrincipalRef::Service("ec2.amazonaws.com".into())],
            ),
            "TrustEc2",
        ),
    ));
    spec.steps.push(revoke(
        PolicyTarget::RoleTrust("replicator".into()),
        "TrustS3",
    ));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::AssumeRoleNotPermitted,
    ));
    run(spec);
}

/// aws-facts d.3, f and h [K-EVAL]: cross-account replication needs both key policies: the source
/// key's (source account) for `kms:Decrypt` and the replica key's (destination account) for
/// `kms:Encrypt`; either one missing fails the object on its side.
#[test]
fn h_cross_account_needs_both_key_policies() {
    let no_delegation = || {
        Some(PolicySpec::Statements(vec![to(
            allow(&["kms:*"], vec![ResourceRef::Any]),
            vec![PrincipalRef::Arn(format!("arn:aws:iam::{PROD}:user/admin"))],
        )]))
    };
    let mut spec = cross_account();
    spec.keys[0].policy = no_delegation();
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::SrcGetObjectNotPermitted,
    ));
    run(spec);

    let mut spec = cross_account();
    spec.steps.push(revoke(
        PolicyTarget::Key("dst_key".into()),
        "ReplicaKeyForProd",
    ));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    run(spec);
}
