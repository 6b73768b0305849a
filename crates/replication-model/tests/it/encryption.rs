//! aws-facts d.1 to d.6: the replica's encryption, the SSE-KMS opt-in and KMS permissions, S3
//! Bucket Keys and the encryption context, DSSE-KMS, and SSE-C under both rule sets.

use replication_model::spec::*;
use replication_model::{ProblemKind, ReplicationStatus, Sse};

use crate::fixture::*;

/// The fixture role's KMS statements replaced by `decrypt` and `encrypt`.
fn with_kms_statements(spec: &mut ScenarioSpec, decrypt: StatementSpec, encrypt: StatementSpec) {
    without(spec, "DecryptSource");
    without(spec, "EncryptReplica");
    role_statements(spec).push(sid(decrypt, "DecryptSource"));
    role_statements(spec).push(sid(encrypt, "EncryptReplica"));
}

/// aws-facts d.1 and d.2 [U-KMSREPL]: an SSE-S3 object replicates with no KMS permission at all,
/// and its replica stays SSE-S3 even when the destination's default encryption is SSE-KMS.
#[test]
fn d1_sse_s3_replica_stays_sse_s3_despite_kms_destination_default() {
    let mut spec = kms_cross_region();
    spec.buckets[1].default_encryption = Some(DefaultEncryption::SseKms {
        key: KeyRef::Named("dst_key".into()),
    });
    spec.buckets[1].bucket_key = true;
    without(&mut spec, "DecryptSource");
    without(&mut spec, "EncryptReplica");
    spec.steps
        .push(put("source", "a.txt", 10, Some(UploadEncryption::SseS3)));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps.push(expect_encryption(
        "target",
        "a.txt",
        ExpectedEncryption::SseS3,
    ));
    let out = run(spec);
    assert!(
        out.attempts()[0]
            .trace
            .iter()
            .all(|t| !t.action.starts_with("kms:")),
        "no KMS call for SSE-S3"
    );
}

/// aws-facts d.3 [U-KMSREPL] (status inferred from [U-STATUS]): SSE-KMS objects are off by
/// default; without the opt-in they are not replicated and get no status at all (not FAILED),
/// and the report lists that inferred choice.
#[test]
fn d3_sse_kms_without_opt_in_is_not_replicated_and_gets_no_status() {
    let mut spec = kms_cross_region();
    let r = first_rule(&mut spec);
    r.sse_kms_encrypted_objects = None;
    r.destination.replica_kms_key = None;
    spec.steps.push(put("source", "kms.txt", 10, None));
    spec.steps
        .push(put("source", "s3.txt", 10, Some(UploadEncryption::SseS3)));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "kms.txt", ExpectedStatus::NotReplicated));
    spec.steps
        .push(expect("target", "kms.txt", ExpectedStatus::Absent));
    spec.steps
        .push(expect("source", "s3.txt", ExpectedStatus::Completed));
    let out = run(spec);
    assert!(
        out.report()
            .contains("SSE-KMS and DSSE-KMS objects replicate only when the rule opts in"),
        "{}",
        out.report()
    );
    assert!(out.report().contains("== inferred"), "{}", out.report());
    assert!(
        out.report()
            .contains("get no replication status at all (not FAILED)"),
        "{}",
        out.report()
    );
    assert_eq!(
        out.attempts().len(),
        1,
        "the SSE-KMS object was never attempted"
    );
}

/// aws-facts d.3 [U-KMSREPL]: a `ReplicaKmsKeyID` alone is not the opt-in; with
/// `SseKmsEncryptedObjects` Disabled the SSE-KMS object is still skipped.
#[test]
fn d3_replica_key_without_opt_in_still_skips() {
    let mut spec = kms_cross_region();
    first_rule(&mut spec).sse_kms_encrypted_objects = Some(Status::Disabled);
    spec.steps.push(put("source", "kms.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "kms.txt", ExpectedStatus::NotReplicated));
    run(spec);
}

/// aws-facts d.3 [U-KMSREPL]: with the opt-in the replica is SSE-KMS under `ReplicaKmsKeyID` in
/// the destination Region, never under the source key.
#[test]
fn d3_opted_in_replica_is_under_the_replica_key() {
    let mut spec = kms_cross_region();
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect_kms("source", "a.txt", "src_key", false));
    spec.steps
        .push(expect_kms("target", "a.txt", "dst_key", false));
    let out = run(spec);
    let Some(Sse::SseKms { key_arn, .. }) = row(&out, "target", "a.txt").encryption else {
        panic!("SSE-KMS replica")
    };
    assert!(key_arn.starts_with("arn:aws:kms:eu-west-1:"), "{key_arn}");
}

/// aws-facts d.3 and e (inferred): a role that may not `kms:Decrypt` the source key fails with
/// `SrcGetObjectNotPermitted` (no dedicated code exists), and the report says it inferred that.
#[test]
fn d3_missing_decrypt_on_source_key() {
    let mut spec = kms_cross_region();
    without(&mut spec, "DecryptSource");
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::SrcGetObjectNotPermitted,
    ));
    let out = run(spec);
    assert!(
        out.report().contains(
            "a role that may not kms:Decrypt the source key fails with SrcGetObjectNotPermitted"
        ),
        "{}",
        out.report()
    );
}

/// aws-facts d.3 and e [U-FAIL]: a role that may not `kms:Encrypt` with the replica key fails with
/// `DstPutObjectNotPermitted`.
#[test]
fn d3_missing_encrypt_on_replica_key() {
    let mut spec = kms_cross_region();
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
        out.report()
            .contains("allow `kms:Encrypt` on `arn:aws:kms:eu-west-1:"),
        "{}",
        out.report()
    );
}

/// aws-facts d.3 [U-KMSREPL]: the recommended conditions work: `kms:ViaService` of each bucket's
/// Region and `kms:EncryptionContext:aws:s3:arn` on each bucket's object ARNs.
#[test]
fn d3_recommended_conditions_allow_replication() {
    let mut spec = kms_cross_region();
    let decrypt = when(
        when(
            allow(&["kms:Decrypt"], vec![key_res("src_key")]),
            "StringEquals",
            "kms:ViaService",
            &["s3.us-east-1.amazonaws.com"],
        ),
        "StringLike",
        "kms:EncryptionContext:aws:s3:arn",
        &["arn:aws:s3:::source/*"],
    );
    let encrypt = when(
        when(
            allow(&["kms:Encrypt"], vec![key_res("dst_key")]),
            "StringEquals",
            "kms:ViaService",
            &["s3.eu-west-1.amazonaws.com"],
        ),
        "StringLike",
        "kms:EncryptionContext:aws:s3:arn",
        &["arn:aws:s3:::target/*"],
    );
    with_kms_statements(&mut spec, decrypt, encrypt);
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    run(spec);
}

/// aws-facts d.3 [U-KMSREPL]: `kms:ViaService` must name the destination Region for the replica
/// key; naming the source Region denies the Encrypt.
#[test]
fn d3_via_service_of_the_wrong_region_denies() {
    let mut spec = kms_cross_region();
    let encrypt = when(
        allow(&["kms:Encrypt"], vec![key_res("dst_key")]),
        "StringEquals",
        "kms:ViaService",
        &["s3.us-east-1.amazonaws.com"],
    );
    with_kms_statements(
        &mut spec,
        allow(&["kms:Decrypt"], vec![key_res("src_key")]),
        encrypt,
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

/// aws-facts d.4 [U-KMSREPL] [U-BKEY] [U-TRBL]: with a Bucket Key on the source the encryption
/// context is the bucket ARN, so a `kms:EncryptionContext:aws:s3:arn` condition on object ARNs
/// stops matching (the Decrypt fails); written for the bucket ARN it works.
#[test]
fn d4_source_bucket_key_changes_the_encryption_context() {
    for (pattern, works) in [
        ("arn:aws:s3:::source/*", false),
        ("arn:aws:s3:::source", true),
    ] {
        let mut spec = kms_cross_region();
        spec.buckets[0].bucket_key = true;
        role_statements(&mut spec).push(sid(
            allow(&["kms:Decrypt"], vec![key_res("dst_key")]),
            "BucketKeyCheck",
        ));
        let decrypt = when(
            allow(&["kms:Decrypt"], vec![key_res("src_key")]),
            "StringLike",
            "kms:EncryptionContext:aws:s3:arn",
            &[pattern],
        );
        with_kms_statements(
            &mut spec,
            decrypt,
            allow(&["kms:Encrypt"], vec![key_res("dst_key")]),
        );
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect_kms("source", "a.txt", "src_key", true));
        spec.steps.push(if works {
            expect("source", "a.txt", ExpectedStatus::Completed)
        } else {
            expect_failed("source", "a.txt", FailureReason::SrcGetObjectNotPermitted)
        });
        run(spec);
    }
}

/// aws-facts d.4 [U-KMSREPL] [U-BKEY]: with a Bucket Key on the destination the replica's context
/// is the destination bucket ARN (an object-ARN condition on Encrypt stops matching), and the
/// replica key must also allow `kms:Decrypt`, which S3 uses to check the Bucket Key.
#[test]
fn d4_destination_bucket_key_needs_bucket_arn_context_and_decrypt() {
    let setup = |encrypt_pattern: &str, decrypt_on_replica_key: bool| {
        let mut spec = kms_cross_region();
        spec.buckets[1].default_encryption = Some(DefaultEncryption::SseKms {
            key: KeyRef::Named("dst_key".into()),
        });
        spec.buckets[1].bucket_key = true;
        let encrypt = when(
            allow(&["kms:Encrypt"], vec![key_res("dst_key")]),
            "StringLike",
            "kms:EncryptionContext:aws:s3:arn",
            &[encrypt_pattern],
        );
        with_kms_statements(
            &mut spec,
            allow(&["kms:Decrypt"], vec![key_res("src_key")]),
            encrypt,
        );
        if decrypt_on_replica_key {
            role_statements(&mut spec).push(sid(
                allow(&["kms:Decrypt"], vec![key_res("dst_key")]),
                "BucketKeyCheck",
            ));
        }
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec
    };
    let mut spec = setup("arn:aws:s3:::target/*", true);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    run(spec);

    let mut spec = setup("arn:aws:s3:::target", false);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    let out = run(spec);
    assert!(
        out.report().contains("needed with S3 Bucket Keys"),
        "{}",
        out.report()
    );

    let mut spec = setup("arn:aws:s3:::target", true);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps
        .push(expect_kms("target", "a.txt", "dst_key", true));
    spec.steps
        .push(expect_kms("source", "a.txt", "src_key", false));
    run(spec);
}

/// aws-facts d.4 [U-BKEY] [U-KMSREPL]: a source object under a Bucket Key keeps the Bucket Key on
/// its replica, so the replica key must allow `kms:Decrypt` although the destination bucket
/// enables no Bucket Key: the requirement follows the key that encrypts the replica.
#[test]
fn d4_source_bucket_key_is_kept_on_the_replica() {
    let setup = |decrypt_on_replica_key: bool| {
        let mut spec = kms_cross_region();
        spec.buckets[0].bucket_key = true;
        assert!(!spec.buckets[1].bucket_key);
        if decrypt_on_replica_key {
            role_statements(&mut spec).push(sid(
                allow(&["kms:Decrypt"], vec![key_res("dst_key")]),
                "BucketKeyCheck",
            ));
        }
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec
    };
    let mut spec = setup(true);
    spec.steps
        .push(expect_kms("target", "a.txt", "dst_key", true));
    run(spec);

    let mut spec = setup(false);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    let out = run(spec);
    let trace = &out.attempts()[0].trace;
    assert_eq!(
        trace.last().map(|t| t.action.as_str()),
        Some("kms:Decrypt (Bucket Key check)"),
        "{}",
        out.report()
    );
}

/// aws-facts d.5 [U-KMSREPL] [U-BKEY]: DSSE-KMS needs the same opt-in as SSE-KMS, its replica
/// stays DSSE-KMS under the replica key, and never uses a Bucket Key.
#[test]
fn d5_dsse_kms_needs_the_opt_in_and_stays_dsse() {
    let dsse = || {
        Some(UploadEncryption::DsseKms {
            key: named("src_key"),
        })
    };
    let mut spec = kms_cross_region();
    let r = first_rule(&mut spec);
    r.sse_kms_encrypted_objects = None;
    r.destination.replica_kms_key = None;
    spec.steps.push(put("source", "a.txt", 10, dsse()));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::NotReplicated));
    run(spec);

    let mut spec = kms_cross_region();
    spec.buckets[1].default_encryption = Some(DefaultEncryption::SseKms {
        key: KeyRef::Named("dst_key".into()),
    });
    spec.buckets[1].bucket_key = true;
    spec.steps.push(put("source", "a.txt", 3000, dsse()));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps.push(expect_encryption(
        "target",
        "a.txt",
        ExpectedEncryption::DsseKms {
            key: named("dst_key"),
        },
    ));
    let out = run(spec);
    assert_eq!(
        out.get_object("target", "a.txt").unwrap(),
        out.get_object("source", "a.txt").unwrap()
    );
}

/// aws-facts d.5 [U-BKEY]: a DSSE-KMS default with a Bucket Key is refused by validation.
#[test]
fn d5_bucket_key_is_not_supported_for_dsse_kms() {
    let mut spec = kms_cross_region();
    spec.buckets[1].default_encryption = Some(DefaultEncryption::DsseKms {
        key: KeyRef::Named("dst_key".into()),
    });
    spec.buckets[1].bucket_key = true;
    let p = problem(spec);
    assert_eq!(
        p.locus,
        Locus::new(Item::Bucket("target".into()), "bucket_key")
    );
    assert_eq!(p.kind, ProblemKind::Malformed);
}

/// aws-facts d.3 [U-TRBL]: in the same account the default key policy delegates to IAM, but a
/// Deny statement in the key policy still blocks the role.
#[test]
fn d3_key_policy_deny_blocks_despite_iam_allow() {
    let mut spec = kms_cross_region();
    spec.keys[1].policy = Some(PolicySpec::Statements(vec![
        to(
            allow(&["kms:*"], vec![ResourceRef::Any]),
            vec![PrincipalRef::Account("prod".into())],
        ),
        to(
            deny(&["kms:Encrypt"], vec![ResourceRef::Any]),
            vec![PrincipalRef::Role("replicator".into())],
        ),
    ]));
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
            .contains("DENY (explicit) by statement 1 of key policy of `dst_key`"),
        "{}",
        out.report()
    );
}

/// aws-facts d.3 and i.15 [U-TRBL]: a key policy restricted to a VPC endpoint breaks replication,
/// because S3's replication requests never come through the customer's endpoint.
#[test]
fn d3_key_policy_restricted_to_a_vpc_endpoint_breaks_replication() {
    let mut spec = kms_cross_region();
    spec.keys[1].policy = Some(PolicySpec::Statements(vec![when(
        to(
            allow(&["kms:*"], vec![ResourceRef::Any]),
            vec![PrincipalRef::Account("prod".into())],
        ),
        "StringEquals",
        "aws:SourceVpce",
        &["vpce-1a2b3c4d"],
    )]));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    run(spec);
}

/// aws-facts d.3 [U-KMSREPL]: cross-account, the destination owner's key policy must allow the
/// role; the role's IAM policy alone is not enough.
#[test]
fn d3_cross_account_replica_key_needs_the_key_policy() {
    let mut spec = cross_account();
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps
        .push(expect_kms("target", "a.txt", "dst_key", false));
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
    let out = run(spec);
    assert!(
        out.report().contains("key policy of `dst_key`"),
        "{}",
        out.report()
    );
}

/// aws-facts d.3 [U-KMSREPL] [U-TRBL]: the AWS managed key `aws/s3` cannot be used across
/// accounts. The destination account's `aws/s3` refuses the source account's role; the source
/// account's `aws/s3` encrypts, but the destination owner cannot decrypt the replicas.
#[test]
fn d3_aws_managed_key_cannot_be_used_cross_account() {
    let mut spec = cross_account();
    spec.keys.push(key(
        "dest_aws_s3",
        KeyKind::AwsManagedS3 {
            account: "dest".into(),
            region: "eu-west-1".into(),
        },
    ));
    first_rule(&mut spec).destination.replica_kms_key = named("dest_aws_s3");
    role_statements(&mut spec).push(sid(
        allow(&["kms:Encrypt"], vec![ResourceRef::Any]),
        "AnyKey",
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
            .contains("the AWS managed key `aws/s3` of account 444455556666"),
        "{}",
        out.report()
    );

    let mut spec = cross_account();
    first_rule(&mut spec).destination.replica_kms_key = Some(KeyRef::AwsManagedS3);
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    let out = run(spec);
    assert!(
        out.report()
            .contains("cannot be shared: the destination owner (444455556666) cannot decrypt it"),
        "{}",
        out.report()
    );
}

/// aws-facts d.3: `replica_kms_key: aws_managed` names `aws/s3` as the replication role (the
/// requester) sees it, in the destination Region. The configuration section of the report names
/// the key the engine encrypted the replica with, not the destination account's `aws/s3`.
#[test]
fn d3_report_names_the_aws_managed_replica_key_the_engine_uses() {
    let mut spec = cross_account();
    first_rule(&mut spec).destination.replica_kms_key = Some(KeyRef::AwsManagedS3);
    role_statements(&mut spec).push(sid(
        allow(&["kms:Encrypt"], vec![ResourceRef::Any]),
        "AnyKey",
    ));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    let out = run(spec);
    let Some(Sse::SseKms { key_arn, .. }) = row(&out, "target", "a.txt").encryption else {
        panic!("the replica is SSE-KMS\n\n{}", out.report());
    };
    assert!(
        key_arn.starts_with(&format!("arn:aws:kms:eu-west-1:{PROD}:key/")),
        "{key_arn}"
    );
    let config_line = out
        .report()
        .lines()
        .find(|l| l.contains("ReplicaKmsKeyID"))
        .expect("the rule's configuration line");
    assert!(
        config_line.contains(&format!(
            "ReplicaKmsKeyID arn:aws:kms:eu-west-1:{PROD}:alias/aws/s3 (key {key_arn})"
        )),
        "{config_line}"
    );
    assert!(!config_line.contains(OTHER), "{config_line}");
}

/// aws-facts d.6 and i.4 (rule set `exam_guide`): SSE-C objects are never replicated and get no
/// replication status; expecting them to replicate is impossible.
#[test]
fn d6_exam_guide_never_replicates_sse_c() {
    let mut spec = sse_s3();
    spec.steps
        .push(put("source", "c.bin", 10, sse_c("customer-1")));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "c.bin", ExpectedStatus::NotReplicated));
    spec.steps
        .push(expect("target", "c.bin", ExpectedStatus::Absent));
    let out = run(spec.clone());
    assert!(
        out.report()
            .contains("under rule set `exam_guide` SSE-C objects are never replicated"),
        "{}",
        out.report()
    );
    assert!(out.attempts().is_empty());

    spec.steps
        .push(expect("source", "c.bin", ExpectedStatus::Completed));
    let p = problems(spec)
        .into_iter()
        .find(|p| p.kind == ProblemKind::Impossible)
        .expect("impossible expectation");
    assert!(
        p.message.contains("`aws_2026`, the default"),
        "{}",
        p.message
    );
}

/// aws-facts d.6 and i.4 (rule set `aws_2026`): SSE-C objects replicate as ciphertext with no
/// extra permission; the replica stays SSE-C under the same customer key (inferred).
#[test]
fn d6_aws_2026_replicates_sse_c_as_ciphertext() {
    let mut spec = sse_s3();
    spec.rule_set = RuleSetName::Aws2026;
    spec.buckets[0].block_sse_c = Some(false);
    spec.buckets[1].block_sse_c = Some(false);
    spec.steps.push(put_text(
        "source",
        "c.bin",
        "customer data",
        sse_c("customer-1"),
    ));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "c.bin", ExpectedStatus::Completed));
    spec.steps.push(expect_encryption(
        "target",
        "c.bin",
        ExpectedEncryption::SseC {
            customer_key: "customer-1".into(),
        },
    ));
    let out = run(spec);
    assert_eq!(out.get_object("target", "c.bin").unwrap(), b"customer data");
    assert_eq!(
        out.stored_ciphertext("target", "c.bin"),
        out.stored_ciphertext("source", "c.bin"),
        "S3 copies SSE-C ciphertext as is"
    );
    assert!(
        out.attempts()[0]
            .trace
            .iter()
            .all(|t| !t.action.starts_with("kms:"))
    );
    assert!(
        out.report()
            .contains("an SSE-C replica stays SSE-C under the same customer key"),
        "{}",
        out.report()
    );
}

/// aws-facts d.6 [U-SSEC-BLOCK] (code inferred): under `aws_2026` a destination that blocks SSE-C
/// (the default for new buckets) refuses the SSE-C replica with 403: FAILED
/// `DstPutObjectNotPermitted`.
#[test]
fn d6_destination_blocking_sse_c_fails_the_replica() {
    let mut spec = sse_s3();
    spec.rule_set = RuleSetName::Aws2026;
    spec.buckets[0].block_sse_c = Some(false);
    spec.steps
        .push(put("source", "c.bin", 10, sse_c("customer-1")));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "c.bin",
        FailureReason::DstPutObjectNotPermitted,
    ));
    let out = run(spec);
    assert!(out.report().contains("blocks SSE-C"), "{}", out.report());

    // Blocking later, by PutBucketEncryption, has the same effect.
    let mut spec = sse_s3();
    spec.rule_set = RuleSetName::Aws2026;
    spec.buckets[0].block_sse_c = Some(false);
    spec.buckets[1].block_sse_c = Some(false);
    spec.steps.push(fault(Fault::BlockSseC {
        bucket: "target".into(),
        blocked: true,
    }));
    spec.steps
        .push(put("source", "c.bin", 10, sse_c("customer-1")));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "c.bin",
        FailureReason::DstPutObjectNotPermitted,
    ));
    run(spec);
}

/// aws-facts d.6 and i.4: under `aws_2026`, the default, expecting an SSE-C object to replicate
/// into a bucket that blocks SSE-C (as new buckets do) can never hold: a problem on each
/// expectation's status that says how to unblock and names the other rule set.
#[test]
fn d6_expecting_sse_c_to_replicate_into_a_blocking_bucket_is_impossible() {
    let mut spec = sse_s3();
    spec.rule_set = RuleSetName::default();
    spec.buckets[0].block_sse_c = Some(false);
    spec.steps
        .push(put("source", "c.bin", 10, sse_c("customer-1")));
    spec.steps.push(Step::Replicate);
    let first = spec.steps.len();
    spec.steps
        .push(expect("source", "c.bin", ExpectedStatus::Completed));
    spec.steps
        .push(expect("target", "c.bin", ExpectedStatus::Replica));
    let found = problems(spec.clone());
    let loci: Vec<_> = found.iter().map(|p| (p.locus.clone(), &p.kind)).collect();
    assert_eq!(
        loci,
        [first, first + 1].map(|step| (
            Locus::new(Item::Step(step), "status"),
            &ProblemKind::Impossible
        )),
        "{found:#?}"
    );
    for p in &found {
        for part in [
            "bucket `target` blocks SSE-C",
            "`block_sse_c: false`",
            "`BlockedEncryptionTypes` = `NONE`",
            "under `rules exam_guide;` SSE-C objects are never replicated",
        ] {
            assert!(p.message.contains(part), "{part}: {}", p.message);
        }
    }

    // Unblocked before the replication, the expectations may hold: no problem.
    spec.steps.insert(
        2,
        fault(Fault::BlockSseC {
            bucket: "target".into(),
            blocked: false,
        }),
    );
    run(spec);
}

/// aws-facts d.6 [U-SSEC-BLOCK]: under `aws_2026` an SSE-C upload into a bucket that blocks SSE-C
/// is refused with 403 AccessDenied: a validation problem unless the scenario expects it.
#[test]
fn d6_sse_c_upload_into_a_blocking_bucket_is_rejected() {
    let mut spec = sse_s3();
    spec.rule_set = RuleSetName::Aws2026;
    spec.steps
        .push(put("source", "c.bin", 10, sse_c("customer-1")));
    let p = rejection(spec.clone(), 1, "encryption", "AccessDenied");
    assert!(p.message.contains("blocks SSE-C"), "{}", p.message);

    spec.steps.push(Step::from(Expectation::PutRejected {
        bucket: "source".into(),
        key: "c.bin".into(),
        code: "AccessDenied".into(),
    }));
    spec.steps
        .push(expect("source", "c.bin", ExpectedStatus::Absent));
    let out = run(spec);
    assert!(
        out.report()
            .contains("PutObject `source/c.bin`: rejected, AccessDenied"),
        "{}",
        out.report()
    );

    // Under exam_guide no bucket blocks SSE-C by default.
    let mut spec = sse_s3();
    spec.steps
        .push(put("source", "c.bin", 10, sse_c("customer-1")));
    replication_model::validate(spec).expect("exam_guide buckets accept SSE-C");
}

/// aws-facts d.6: the customer key really protects SSE-C data: another object's customer key
/// does not open it.
#[test]
fn d6_sse_c_replica_needs_its_customer_key() {
    let mut spec = sse_s3();
    spec.rule_set = RuleSetName::Aws2026;
    spec.buckets[0].block_sse_c = Some(false);
    spec.buckets[1].block_sse_c = Some(false);
    spec.steps
        .push(put("source", "c.bin", 10, sse_c("customer-1")));
    spec.steps.push(Step::Replicate);
    let out = run(spec);
    assert_eq!(
        status(&out, "source", "c.bin"),
        Some(ReplicationStatus::Completed)
    );
    assert!(
        out.get_object_with_key("target", "c.bin", "dst_key")
            .is_err(),
        "an SSE-C object is under no KMS key"
    );
}
