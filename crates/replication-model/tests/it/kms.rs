//! aws-facts f and d.8: KMS key states and their failure reasons, key policies that do or do not
//! delegate to IAM, and grants.

use replication_model::ProblemKind;
use replication_model::spec::*;

use crate::fixture::*;

/// The SSE-KMS fixture with `faults` applied before one upload and a replicate.
fn after(faults: Vec<Fault>) -> ScenarioSpec {
    let mut spec = kms_cross_region();
    spec.steps.extend(faults.into_iter().map(fault));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec
}

fn disable(k: &str) -> Fault {
    Fault::DisableKey(k.into())
}

fn schedule(k: &str) -> Fault {
    Fault::ScheduleKeyDeletion {
        key: k.into(),
        pending_days: 7,
    }
}

/// aws-facts d.8 and f [U-FAIL] [K-STATE]: a disabled replica key fails each object with
/// `DstKmsKeyInvalidState` (KMS: `DisabledException`).
#[test]
fn f_disabled_replica_key_fails_with_dst_kms_key_invalid_state() {
    let mut spec = after(vec![disable("dst_key")]);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstKmsKeyInvalidState,
    ));
    let out = run(spec);
    assert!(
        out.report().contains("DisabledException"),
        "{}",
        out.report()
    );
}

/// aws-facts d.8 [U-FAIL]: a disabled source key fails with `SrcKmsKeyInvalidState`. The upload
/// happened while the key was enabled.
#[test]
fn f_disabled_source_key_fails_with_src_kms_key_invalid_state() {
    let mut spec = kms_cross_region();
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(fault(disable("src_key")));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::SrcKmsKeyInvalidState,
    ));
    let out = run(spec);
    assert!(
        out.get_object("source", "a.txt").is_err(),
        "a disabled key cannot decrypt for readers either"
    );
}

/// aws-facts d.8 and f [K-STATE] (state mapping inferred): a replica key pending deletion fails
/// with `DstKmsKeyInvalidState` (KMS: `KMSInvalidStateException` "...is pending deletion").
#[test]
fn f_replica_key_pending_deletion() {
    let mut spec = after(vec![schedule("dst_key")]);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstKmsKeyInvalidState,
    ));
    let out = run(spec);
    assert!(
        out.report().contains("is pending deletion."),
        "{}",
        out.report()
    );
    assert!(
        out.report().contains("cancel the deletion"),
        "{}",
        out.report()
    );
}

/// aws-facts f (deleting-keys-scheduling-key-deletion): cancelling a scheduled deletion returns
/// the key to Disabled, not Enabled; objects still fail until `EnableKey`.
#[test]
fn f_cancel_key_deletion_leaves_the_key_disabled() {
    let mut spec = after(vec![
        schedule("dst_key"),
        Fault::CancelKeyDeletion("dst_key".into()),
    ]);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstKmsKeyInvalidState,
    ));
    spec.steps.push(fault(Fault::EnableKey("dst_key".into())));
    spec.steps.push(put("source", "b.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "b.txt", ExpectedStatus::Completed));
    let out = run(spec);
    assert!(
        out.report()
            .contains("CancelKeyDeletion on key `dst_key`: now Disabled"),
        "{}",
        out.report()
    );
    assert!(
        out.report().contains("DisabledException"),
        "{}",
        out.report()
    );
}

/// aws-facts d.8 [U-FAIL]: a replica key that was deleted fails with `DstKmsKeyNotFound`.
#[test]
fn f_deleted_replica_key_fails_with_dst_kms_key_not_found() {
    let mut spec = after(vec![
        schedule("dst_key"),
        Fault::DeleteKeyMaterial("dst_key".into()),
    ]);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstKmsKeyNotFound,
    ));
    run(spec);
}

/// aws-facts d.8 (inferred): a deleted source key makes its objects unreadable for good;
/// replication fails with `SrcKmsKeyInvalidState`.
#[test]
fn f_deleted_source_key_makes_objects_unreadable() {
    let mut spec = kms_cross_region();
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(fault(schedule("src_key")));
    spec.steps
        .push(fault(Fault::DeleteKeyMaterial("src_key".into())));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::SrcKmsKeyInvalidState,
    ));
    let out = run(spec);
    let err = out.get_object("source", "a.txt").unwrap_err();
    assert!(err.contains("NotFoundException"), "{err}");
    assert!(
        out.report().contains(
            "an object whose source KMS key was deleted fails with SrcKmsKeyInvalidState"
        ),
        "{}",
        out.report()
    );
}

/// aws-facts f [K-STATE]: keys that start PendingImport or Unavailable cannot encrypt:
/// `DstKmsKeyInvalidState` (KMS: `KMSInvalidStateException`).
#[test]
fn f_pending_import_and_unavailable_replica_keys() {
    for (state, text) in [
        (InitialKeyState::PendingImport, "is pending import."),
        (InitialKeyState::Unavailable, "is unavailable."),
    ] {
        let mut spec = kms_cross_region();
        spec.keys[1].initial_state = state;
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps.push(expect_failed(
            "source",
            "a.txt",
            FailureReason::DstKmsKeyInvalidState,
        ));
        let out = run(spec);
        assert!(out.report().contains(text), "{}", out.report());
    }
}

/// aws-facts f [K-STATE]: `EnableKey`, `DisableKey` and `ScheduleKeyDeletion` fail while a key is
/// pending deletion; `CancelKeyDeletion` works only then.
#[test]
fn f_key_management_in_the_wrong_state_is_rejected() {
    for faults in [
        vec![schedule("dst_key"), Fault::EnableKey("dst_key".into())],
        vec![schedule("dst_key"), disable("dst_key")],
        vec![schedule("dst_key"), schedule("dst_key")],
        vec![Fault::CancelKeyDeletion("dst_key".into())],
        vec![Fault::DeleteKeyMaterial("dst_key".into())],
    ] {
        let n = faults.len();
        let spec = after(faults);
        let p = problem(spec);
        assert_eq!(
            p.kind,
            ProblemKind::Rejected {
                code: "KMSInvalidStateException".into()
            },
            "{p:#?}"
        );
        assert_eq!(p.locus, Locus::new(Item::Step(n), "key"), "{p:#?}");
    }
}

/// aws-facts f: the waiting period of a key deletion is 7 to 30 days.
#[test]
fn f_deletion_waiting_period_is_7_to_30_days() {
    let spec = after(vec![Fault::ScheduleKeyDeletion {
        key: "dst_key".into(),
        pending_days: 3,
    }]);
    let p = problem(spec);
    assert_eq!(p.kind, ProblemKind::Malformed);
    assert_eq!(p.locus, Locus::new(Item::Step(1), "pending_days"));
}

/// aws-facts f [K-STATE]: AWS manages the state of `aws/s3`; disabling it is refused.
#[test]
fn f_aws_managed_key_state_cannot_be_changed() {
    let mut spec = kms_cross_region();
    spec.keys.push(key(
        "managed",
        KeyKind::AwsManagedS3 {
            account: "prod".into(),
            region: "us-east-1".into(),
        },
    ));
    spec.steps.push(fault(disable("managed")));
    let p = problem(spec);
    assert_eq!(
        p.kind,
        ProblemKind::Rejected {
            code: "UnsupportedOperationException".into()
        }
    );
}

/// aws-facts f [K-DEFPOL] [K-EVAL]: a key policy grants nothing implicitly; without the root
/// delegation statement the role's IAM allow has no effect.
#[test]
fn f_key_policy_without_root_delegation_makes_iam_allows_ineffective() {
    let mut spec = kms_cross_region();
    spec.keys[1].policy = Some(PolicySpec::Statements(vec![to(
        allow(&["kms:*"], vec![ResourceRef::Any]),
        vec![PrincipalRef::Arn(format!("arn:aws:iam::{PROD}:user/admin"))],
    )]));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    let out = run(spec);
    assert!(
        out.report().contains("does not delegate to IAM"),
        "{}",
        out.report()
    );
}

/// The fix hint of a failed attempt.
fn fix_hint(out: &replication_model::Outcome) -> String {
    out.attempts()
        .iter()
        .find_map(|a| match &a.result {
            replication_model::AttemptResult::Failed { fix, .. } => Some(fix.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no failed attempt\n\n{}", out.report()))
}

/// aws-facts f [K-DEFPOL] [K-EVAL]: the fix hint names the policy that lacks the allow. A key
/// policy that does not delegate to IAM is the one to change when the role's own policy already
/// allows; a delegating key policy leaves the role's policy to change; with neither, both.
#[test]
fn f_fix_hint_names_the_policy_that_lacks_the_allow() {
    let dst_arn = |out: &replication_model::Outcome| {
        out.report()
            .lines()
            .find_map(|l| l.split("ReplicaKmsKeyID ").nth(1))
            .expect("a replica key")
            .split([' ', ','])
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let admin_only = || {
        PolicySpec::Statements(vec![to(
            allow(&["kms:*"], vec![ResourceRef::Any]),
            vec![PrincipalRef::Arn(format!("arn:aws:iam::{PROD}:user/admin"))],
        )])
    };
    let case = |key_policy: Option<PolicySpec>, role_allows: bool| {
        let mut spec = kms_cross_region();
        if !role_allows {
            without(&mut spec, "EncryptReplica");
        }
        spec.keys[1].policy = key_policy;
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps.push(expect_failed(
            "source",
            "a.txt",
            FailureReason::DstPutObjectNotPermitted,
        ));
        let out = run(spec);
        (fix_hint(&out), dst_arn(&out))
    };
    let (fix, arn) = case(Some(admin_only()), true);
    assert_eq!(
        fix,
        format!("allow `kms:Encrypt` on `{arn}` in the key policy of `dst_key`")
    );
    let (fix, arn) = case(None, false);
    assert_eq!(
        fix,
        format!("allow `kms:Encrypt` on `{arn}` in role `replicator`")
    );
    let (fix, arn) = case(Some(admin_only()), false);
    assert_eq!(
        fix,
        format!(
            "allow `kms:Encrypt` on `{arn}` in role `replicator` and the key policy of `dst_key`"
        )
    );
}

/// aws-facts f [K-DEFPOL]: a key policy may name the role itself instead of delegating to IAM;
/// then the role needs no IAM statement for the key.
#[test]
fn f_key_policy_naming_the_role_suffices() {
    let mut spec = kms_cross_region();
    without(&mut spec, "EncryptReplica");
    spec.keys[1].policy = Some(PolicySpec::Statements(vec![to(
        allow(&["kms:Encrypt"], vec![ResourceRef::Any]),
        vec![PrincipalRef::Role("replicator".into())],
    )]));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    run(spec);
}

/// aws-facts f [K-EVAL]: an IAM Deny still applies when the key policy delegates nothing.
#[test]
fn f_iam_deny_applies_without_delegation() {
    let mut spec = kms_cross_region();
    spec.keys[1].policy = Some(PolicySpec::Statements(vec![to(
        allow(&["kms:Encrypt"], vec![ResourceRef::Any]),
        vec![PrincipalRef::Role("replicator".into())],
    )]));
    role_statements(&mut spec).push(sid(
        deny(&["kms:Encrypt"], vec![ResourceRef::Any]),
        "NoEncrypt",
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
            .contains("DENY (explicit) by statement 10 (`NoEncrypt`)"),
        "{}",
        out.report()
    );
}

/// aws-facts f [K-GRANTS]: a grant lets the role use the key for its operations, even without a
/// key policy statement or IAM allow; it never denies.
#[test]
fn f_grant_allows_the_role() {
    let mut spec = kms_cross_region();
    without(&mut spec, "EncryptReplica");
    spec.keys[1].policy = Some(PolicySpec::Statements(vec![to(
        allow(&["kms:*"], vec![ResourceRef::Any]),
        vec![PrincipalRef::Arn(format!("arn:aws:iam::{PROD}:user/admin"))],
    )]));
    spec.keys[1].grants.push(GrantSpec {
        grantee: PrincipalRef::Role("replicator".into()),
        operations: vec!["Encrypt".into()],
        encryption_context_subset: vec![],
    });
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    let out = run(spec);
    let encrypt = out.attempts()[0]
        .trace
        .iter()
        .find(|t| t.action == "kms:Encrypt")
        .expect("an Encrypt step");
    assert_eq!(
        encrypt.result,
        format!(
            "ALLOW by grant 1 on key `dst_key` (grantee arn:aws:iam::{PROD}:role/replicator, operations Encrypt)"
        )
    );
}

/// A grant's encryption-context constraint is part of how the decision names it.
#[test]
fn f_grant_decision_names_its_encryption_context() {
    let mut spec = kms_cross_region();
    without(&mut spec, "EncryptReplica");
    spec.keys[1].grants.push(GrantSpec {
        grantee: PrincipalRef::Role("replicator".into()),
        operations: vec!["Encrypt".into(), "Decrypt".into()],
        encryption_context_subset: vec![("aws:s3:arn".into(), "arn:aws:s3:::target/a.txt".into())],
    });
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    let out = run(spec);
    assert!(
        out.report().contains(&format!(
            "ALLOW by grant 1 on key `dst_key` (grantee arn:aws:iam::{PROD}:role/replicator, operations Encrypt, Decrypt, encryption context subset aws:s3:arn=arn:aws:s3:::target/a.txt)"
        )),
        "{}",
        out.report()
    );
}

/// aws-facts f [K-GRANTS]: a grant constrained to an encryption context applies only to requests
/// with that context.
#[test]
fn f_grant_with_encryption_context_constraint() {
    for (value, works) in [
        ("arn:aws:s3:::target/a.txt", true),
        ("arn:aws:s3:::target/other", false),
    ] {
        let mut spec = kms_cross_region();
        without(&mut spec, "EncryptReplica");
        spec.keys[1].policy = Some(PolicySpec::Statements(vec![to(
            allow(&["kms:*"], vec![ResourceRef::Any]),
            vec![PrincipalRef::Arn(format!("arn:aws:iam::{PROD}:user/admin"))],
        )]));
        spec.keys[1].grants.push(GrantSpec {
            grantee: PrincipalRef::Role("replicator".into()),
            operations: vec!["Encrypt".into()],
            encryption_context_subset: vec![("aws:s3:arn".into(), value.into())],
        });
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

/// aws-facts f [U-SSEKMS] [K-STATE]: uploading with a disabled key is refused by S3 with KMS's
/// error; a scenario must expect that rejection (inferred code spelling `KMS.DisabledException`).
#[test]
fn f_upload_with_a_disabled_key_is_rejected() {
    let mut spec = kms_cross_region();
    spec.steps.push(fault(disable("src_key")));
    spec.steps.push(put("source", "a.txt", 10, None));
    let p = rejection(spec.clone(), 2, "encryption", "KMS.DisabledException");
    assert!(p.message.contains("`src_key`"), "{}", p.message);
    spec.steps.push(Step::from(Expectation::PutRejected {
        bucket: "source".into(),
        key: "a.txt".into(),
        code: "KMS.DisabledException".into(),
    }));
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Absent));
    let out = run(spec);
    assert!(
        out.report()
            .contains("PutObject `source/a.txt`: rejected, KMS.DisabledException"),
        "{}",
        out.report()
    );
    assert!(out.report().contains("prefixed `KMS.`"), "{}", out.report());
    // The DSL cannot spell a `KMS.` code yet, so this test is where `upload-kms-errors` shows.
    assert!(
        out.inferred()
            .any(|c| c == replication_model::InferredChoice::UploadKmsErrors)
    );
}

/// aws-facts d.3 and i.17 [U-SSEKMS]: an SSE-KMS key must be in the bucket's Region; an upload
/// naming a key of another Region is refused.
#[test]
fn f_upload_with_a_key_of_another_region_is_rejected() {
    let mut spec = kms_cross_region();
    spec.steps
        .push(put("source", "a.txt", 10, sse_kms("dst_key")));
    rejection(spec, 1, "encryption.key", "KMS.NotFoundException");
}
