//! aws-facts g and d.7: multi-Region keys. Related keys share a key id and material, so their
//! ciphertexts interoperate; everything else (ARN, Region, policy, state) is per key, and S3
//! treats them as single-Region keys: it still decrypts and re-encrypts.

use replication_model::spec::*;
use replication_model::{ProblemKind, Sse};

use crate::fixture::*;

/// The SSE-KMS fixture with `src_key` a multi-Region primary in us-east-1 and `dst_key` its
/// replica in eu-west-1.
fn mrk() -> ScenarioSpec {
    let mut spec = kms_cross_region();
    spec.name = "mrk".into();
    spec.keys[0].kind = KeyKind::MultiRegionPrimary {
        account: "prod".into(),
        region: "us-east-1".into(),
    };
    spec.keys[1].kind = KeyKind::MultiRegionReplica {
        primary: "src_key".into(),
        region: "eu-west-1".into(),
    };
    spec
}

fn kms_arn(row: &replication_model::ObjectRow) -> String {
    match &row.encryption {
        Some(Sse::SseKms { key_arn, .. } | Sse::DsseKms { key_arn }) => key_arn.clone(),
        other => panic!("not a KMS object: {other:?}"),
    }
}

/// aws-facts g and i.8 [K-MRK]: related multi-Region keys have the same key id (`mrk-...`); their
/// ARNs differ only in the Region field.
#[test]
fn g_related_keys_share_the_key_id_and_differ_by_region() {
    let valid = replication_model::validate(mrk()).expect("valid");
    let cat = valid.catalog();
    let (p, r) = (&cat.keys["src_key"], &cat.keys["dst_key"]);
    assert!(p.key_id.starts_with("mrk-"), "{}", p.key_id);
    assert_eq!(p.key_id, r.key_id);
    assert_ne!(p.arn, r.arn);
    assert_eq!(p.arn.replace(":us-east-1:", ":eu-west-1:"), r.arn);
}

/// aws-facts d.7, g and i.3/i.12 [K-MRK]: even with an MRK, S3 decrypts with the source key and
/// re-encrypts under the destination key: the replica names the replica key's ARN, has its own
/// ciphertext, and the report notes it.
#[test]
fn g_s3_still_re_encrypts_with_an_mrk() {
    let mut spec = mrk();
    spec.steps.push(put("source", "a.txt", 5000, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps
        .push(expect_kms("target", "a.txt", "dst_key", false));
    let out = run(spec);
    let (src, dst) = (row(&out, "source", "a.txt"), row(&out, "target", "a.txt"));
    assert_ne!(kms_arn(&src), kms_arn(&dst));
    assert!(kms_arn(&dst).contains(":eu-west-1:"));
    assert_ne!(
        out.stored_ciphertext("source", "a.txt"),
        out.stored_ciphertext("target", "a.txt")
    );
    assert_eq!(
        out.get_object("target", "a.txt").unwrap(),
        out.get_object("source", "a.txt").unwrap()
    );
    assert!(
        out.report()
            .contains("related multi-Region keys (same key id"),
        "{}",
        out.report()
    );
    assert!(
        out.report().contains(
            "S3 decrypted and re-encrypted under the destination key with a new data key"
        ),
        "{}",
        out.report()
    );
}

/// aws-facts g [K-MRK]: a ciphertext under one related key decrypts with the other, in either
/// direction (a client after a failover); an unrelated key cannot.
#[test]
fn g_related_keys_decrypt_each_others_ciphertext() {
    let mut spec = mrk();
    spec.keys.push(key(
        "unrelated",
        KeyKind::MultiRegionPrimary {
            account: "prod".into(),
            region: "eu-west-1".into(),
        },
    ));
    spec.steps
        .push(put_text("source", "a.txt", "hello across Regions", None));
    spec.steps.push(Step::Replicate);
    let out = run(spec);
    assert_eq!(
        out.get_object_with_key("target", "a.txt", "src_key")
            .unwrap(),
        b"hello across Regions"
    );
    assert_eq!(
        out.get_object_with_key("source", "a.txt", "dst_key")
            .unwrap(),
        b"hello across Regions"
    );
    let err = out
        .get_object_with_key("target", "a.txt", "unrelated")
        .unwrap_err();
    assert!(err.contains("InvalidCiphertextException"), "{err}");
}

/// aws-facts g and i.7 [K-MRK]: key policies are independent. The primary's policy allowing the
/// role does nothing for the replica key, whose own policy decides.
#[test]
fn g_key_policies_are_independent() {
    let mut spec = mrk();
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
        out.report().contains(
            "ALLOW by statement 0 (`Enable IAM User Permissions`) of key policy of `src_key`"
        ),
        "{}",
        out.report()
    );
}

/// aws-facts g and i.7 [K-MRK]: states are independent. Disabling the replica key fails
/// replication with `DstKmsKeyInvalidState` while the primary still decrypts source objects.
#[test]
fn g_disabling_the_replica_key_leaves_the_primary_working() {
    let mut spec = mrk();
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(fault(Fault::DisableKey("dst_key".into())));
    spec.steps.push(put("source", "b.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps.push(expect_failed(
        "source",
        "b.txt",
        FailureReason::DstKmsKeyInvalidState,
    ));
    let out = run(spec);
    assert!(
        out.get_object("source", "b.txt").is_ok(),
        "the primary is still enabled"
    );
    assert!(
        out.get_object("target", "a.txt").is_err(),
        "the replica key is disabled"
    );
    assert!(
        out.get_object_with_key("target", "a.txt", "src_key")
            .is_ok(),
        "the related primary still opens it"
    );
}

/// aws-facts g [K-MRK]: a replica key works while the primary is disabled; replication then
/// fails on the source side only.
#[test]
fn g_replica_key_works_while_the_primary_is_disabled() {
    let mut spec = mrk();
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(put("source", "b.txt", 10, None));
    spec.steps.push(fault(Fault::DisableKey("src_key".into())));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "b.txt",
        FailureReason::SrcKmsKeyInvalidState,
    ));
    let out = run(spec);
    assert!(out.get_object("target", "a.txt").is_ok());
    assert!(out.get_object("source", "a.txt").is_err());
}

/// aws-facts a.4, d.3 and i.13 [U-KMSREPL]: a replica key in the wrong Region (here the MRK
/// primary in the source Region) is accepted by PutBucketReplication and fails per object with
/// `DstKmsKeyNotFound` (inferred), though the key id is the same.
#[test]
fn g_wrong_region_replica_key_is_accepted_and_fails_per_object() {
    let mut spec = mrk();
    first_rule(&mut spec).destination.replica_kms_key = named("src_key");
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
    assert!(
        out.report().contains("KMS keys never leave their Region"),
        "{}",
        out.report()
    );
    assert!(out.report().contains("a ReplicaKmsKeyID in another Region than the destination bucket fails with DstKmsKeyNotFound"), "{}", out.report());
}

/// aws-facts g [K-MRKREP] [K-STATE]: a replica key still `Creating` cannot encrypt:
/// `DstKmsKeyInvalidState`.
#[test]
fn g_creating_replica_key_fails() {
    let mut spec = mrk();
    spec.keys[1].initial_state = InitialKeyState::Creating;
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstKmsKeyInvalidState,
    ));
    let out = run(spec);
    assert!(out.report().contains("is creating."), "{}", out.report());
    assert!(
        out.report()
            .contains("wait until the multi-Region replica `dst_key` is Enabled"),
        "{}",
        out.report()
    );
}

/// aws-facts g [K-MRKREP]: only a multi-Region key can be `Creating`.
#[test]
fn g_only_replicas_can_be_creating() {
    let mut spec = kms_cross_region();
    spec.keys[1].initial_state = InitialKeyState::Creating;
    let p = problem(spec);
    assert_eq!(
        p.locus,
        Locus::new(Item::Key("dst_key".into()), "initial_state")
    );
}

/// aws-facts g [K-MRKREP] [K-REPAPI]: ReplicateKey refuses the primary's own Region, a Region
/// that already holds a related key, a replica as the source, and single-Region keys.
#[test]
fn g_replicate_key_constraints() {
    let mut spec = mrk();
    spec.keys[1].kind = KeyKind::MultiRegionReplica {
        primary: "src_key".into(),
        region: "us-east-1".into(),
    };
    let p = problem(spec);
    assert_eq!(
        p.kind,
        ProblemKind::Rejected {
            code: "ValidationException".into()
        }
    );
    assert_eq!(p.locus, Locus::new(Item::Key("dst_key".into()), "region"));

    let mut spec = mrk();
    spec.keys.push(key(
        "again",
        KeyKind::MultiRegionReplica {
            primary: "src_key".into(),
            region: "eu-west-1".into(),
        },
    ));
    let p = problem(spec);
    assert_eq!(
        p.kind,
        ProblemKind::Rejected {
            code: "AlreadyExistsException".into()
        }
    );

    let mut spec = mrk();
    spec.keys.push(key(
        "chain",
        KeyKind::MultiRegionReplica {
            primary: "dst_key".into(),
            region: "ap-south-1".into(),
        },
    ));
    let p = problem(spec);
    assert_eq!(
        p.kind,
        ProblemKind::Rejected {
            code: "UnsupportedOperationException".into()
        }
    );
    assert_eq!(p.locus, Locus::new(Item::Key("chain".into()), "primary"));

    let mut spec = kms_cross_region();
    spec.keys[1].kind = KeyKind::MultiRegionReplica {
        primary: "src_key".into(),
        region: "eu-west-1".into(),
    };
    let p = problem(spec);
    assert_eq!(
        p.kind,
        ProblemKind::Rejected {
            code: "UnsupportedOperationException".into()
        }
    );
    assert!(
        p.message
            .contains("single-Region key and cannot be replicated"),
        "{}",
        p.message
    );
}

/// aws-facts f and g [K-STATE] [K-MRK]: a primary with replicas scheduled for deletion waits in
/// PendingReplicaDeletion; its material cannot be deleted while a replica exists.
#[test]
fn g_primary_with_replicas_waits_for_its_replicas() {
    let mut spec = mrk();
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(fault(Fault::ScheduleKeyDeletion {
        key: "src_key".into(),
        pending_days: 7,
    }));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::SrcKmsKeyInvalidState,
    ));
    let out = run(spec.clone());
    assert!(
        out.report().contains("now PendingReplicaDeletion"),
        "{}",
        out.report()
    );
    assert!(
        out.report().contains("is pending replica deletion."),
        "{}",
        out.report()
    );

    spec.steps
        .push(fault(Fault::DeleteKeyMaterial("src_key".into())));
    let p = problem(spec.clone());
    assert_eq!(p.kind, ProblemKind::Impossible, "{p:#?}");
    assert!(p.message.contains("`dst_key`"), "{}", p.message);

    // Once the replica is deleted, the primary can be deleted.
    let n = spec.steps.len();
    spec.steps.insert(
        n - 1,
        fault(Fault::ScheduleKeyDeletion {
            key: "dst_key".into(),
            pending_days: 7,
        }),
    );
    spec.steps
        .insert(n, fault(Fault::DeleteKeyMaterial("dst_key".into())));
    replication_model::validate(spec).expect("replica deleted first");
}

/// aws-facts g: an IAM policy can cover both related keys with a Region wildcard in the ARN;
/// that is the one permission simplification an MRK gives.
#[test]
fn g_region_wildcard_covers_both_related_keys() {
    let valid = replication_model::validate(mrk()).expect("valid");
    let key_id = valid.catalog().keys["src_key"].key_id.clone();
    let mut spec = mrk();
    without(&mut spec, "DecryptSource");
    without(&mut spec, "EncryptReplica");
    role_statements(&mut spec).push(sid(
        allow(
            &["kms:Decrypt", "kms:Encrypt"],
            vec![ResourceRef::Arn(format!(
                "arn:aws:kms:*:{PROD}:key/{key_id}"
            ))],
        ),
        "BothRegions",
    ));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    run(spec);
}
