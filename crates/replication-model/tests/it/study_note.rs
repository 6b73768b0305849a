//! Every row, gotcha, exam pointer and best practice of the study note
//! (`seed/s3-replication-encryption-note.md`), checked against the verdict of aws-facts table i.
//! Each test runs under both rule sets; only SSE-C (i.4) differs between them.

use replication_model::spec::*;
use replication_model::{AttemptResult, ReplicationStatus, Sse};

use crate::fixture::*;

const BOTH: [RuleSetName; 2] = [RuleSetName::ExamGuide, RuleSetName::Aws2026];

fn under(rule_set: RuleSetName, mut spec: ScenarioSpec) -> ScenarioSpec {
    spec.rule_set = rule_set;
    spec
}

fn mrk() -> ScenarioSpec {
    let mut spec = kms_cross_region();
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

/// The actions of the first attempt's trace, in order.
fn trace_actions(out: &replication_model::Outcome) -> Vec<String> {
    out.attempts()[0]
        .trace
        .iter()
        .map(|t| t.action.clone())
        .collect()
}

/// Note, core table row "SSE-S3 ✅ transparent replication, no extra config"; aws-facts i.1
/// **Accurate** [U-KMSREPL]: no opt-in, no KMS permission, and the replica stays SSE-S3 even when
/// the destination's default is SSE-KMS.
#[test]
fn i01_sse_s3_replicates_transparently() {
    for rs in BOTH {
        let mut spec = under(rs, sse_s3());
        spec.buckets[1].default_encryption = Some(DefaultEncryption::SseKms {
            key: KeyRef::Named("dst_key".into()),
        });
        without(&mut spec, "DecryptSource");
        without(&mut spec, "EncryptReplica");
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "a.txt", ExpectedStatus::Completed));
        spec.steps.push(expect_encryption(
            "target",
            "a.txt",
            ExpectedEncryption::SseS3,
        ));
        run(spec);
    }
}

/// Note, core table row "SSE-KMS (same-region key) ✅ requires IAM + KMS permissions in both";
/// aws-facts i.2 **Incomplete** [U-KMSREPL] [A-PUT]: with every permission but no opt-in, a
/// same-Region SSE-KMS object is silently skipped (no status); the opt-in plus a
/// `ReplicaKmsKeyID` makes it replicate.
#[test]
fn i02_same_region_sse_kms_needs_the_opt_in_not_just_permissions() {
    for rs in BOTH {
        let same_region = || {
            let mut spec = under(rs, kms_cross_region());
            spec.keys[1].kind = single("prod", "us-east-1");
            spec.buckets[1].region = "us-east-1".into();
            spec
        };
        let mut spec = same_region();
        let r = first_rule(&mut spec);
        r.sse_kms_encrypted_objects = None;
        r.destination.replica_kms_key = None;
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "a.txt", ExpectedStatus::NotReplicated));
        spec.steps
            .push(expect("target", "a.txt", ExpectedStatus::Absent));
        run(spec);

        let mut spec = same_region();
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "a.txt", ExpectedStatus::Completed));
        spec.steps
            .push(expect_kms("target", "a.txt", "dst_key", false));
        run(spec);
    }
}

/// aws-facts i.2 [U-KMSREPL]: the role (not "the Region") needs
/// `s3:GetObjectVersionForReplication`; `s3:GetObjectVersion` does not cover SSE-KMS.
#[test]
fn i02_role_needs_get_object_version_for_replication() {
    for rs in BOTH {
        let mut spec = under(rs, kms_cross_region());
        without(&mut spec, "GetObjectVersionForReplication");
        role_statements(&mut spec).push(sid(
            allow(&["s3:GetObjectVersion"], vec![objects("source")]),
            "GetObjectVersion",
        ));
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps.push(expect_failed(
            "source",
            "a.txt",
            FailureReason::SrcGetObjectNotPermitted,
        ));
        run(spec);
    }
}

/// Note, core table row "SSE-KMS (multi-region key) ✅ simplifies permissions and allows
/// seamless replication" and the "why MRK helps" table; aws-facts i.3 **Misleading** [K-MRK]:
/// permissions must still cover two ARNs. A role allowed only on the primary's ARN fails at the
/// replica key; the trace still shows a Decrypt and a separate Encrypt.
#[test]
fn i03_mrk_does_not_simplify_permissions() {
    for rs in BOTH {
        let mut spec = under(rs, mrk());
        without(&mut spec, "EncryptReplica");
        role_statements(&mut spec).push(sid(
            allow(&["kms:Encrypt"], vec![key_res("src_key")]),
            "PrimaryOnly",
        ));
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps.push(expect_failed(
            "source",
            "a.txt",
            FailureReason::DstPutObjectNotPermitted,
        ));
        let out = run(spec);
        let actions = trace_actions(&out);
        assert!(
            actions.contains(&"kms:Decrypt".to_owned())
                && actions.contains(&"kms:Encrypt".to_owned()),
            "{actions:?}"
        );
    }
}

/// Note, core table row "SSE-C ❌ AWS cannot decrypt, so cannot replicate" and exam pointer "Can
/// AWS replicate SSE-C encrypted data? → No"; aws-facts i.4 **Outdated**: true under
/// `exam_guide` (no status, never attempted); under `aws_2026` SSE-C replicates as ciphertext
/// (since 2022-10) and fails only into a destination that blocks SSE-C (from 2026-04).
#[test]
fn i04_sse_c_differs_between_rule_sets() {
    for rs in BOTH {
        let mut spec = under(rs, sse_s3());
        spec.buckets[0].block_sse_c = Some(false);
        spec.buckets[1].block_sse_c = Some(false);
        spec.steps
            .push(put_text("source", "c.bin", "secret", sse_c("customer-1")));
        spec.steps.push(Step::Replicate);
        let out = run(spec);
        match rs {
            RuleSetName::ExamGuide => {
                assert_eq!(status(&out, "source", "c.bin"), None);
                assert!(!exists(&out, "target", "c.bin"));
            }
            RuleSetName::Aws2026 => {
                assert_eq!(
                    status(&out, "source", "c.bin"),
                    Some(ReplicationStatus::Completed)
                );
                assert_eq!(out.get_object("target", "c.bin").unwrap(), b"secret");
            }
        }
    }
    // aws_2026 with the new default (destination blocks SSE-C).
    let mut spec = under(RuleSetName::Aws2026, sse_s3());
    spec.buckets[0].block_sse_c = Some(false);
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

/// Note, KMS permission table "Source: kms:Decrypt on the source key; Destination: kms:Encrypt on
/// the dest key" and sample flow steps 3-4; aws-facts i.5 **Mostly accurate, imprecise**: both
/// belong to the replication role, in that order, and suffice (minimal documented set); a
/// destination Bucket Key adds `kms:Decrypt` on the destination key.
#[test]
fn i05_decrypt_and_encrypt_belong_to_the_role() {
    for rs in BOTH {
        let mut spec = under(rs, kms_cross_region());
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "a.txt", ExpectedStatus::Completed));
        let out = run(spec);
        let actions = trace_actions(&out);
        let decrypt = actions
            .iter()
            .position(|a| a == "kms:Decrypt")
            .expect("Decrypt");
        let encrypt = actions
            .iter()
            .position(|a| a == "kms:Encrypt")
            .expect("Encrypt");
        assert!(decrypt < encrypt, "{actions:?}");
        assert!(
            !actions.iter().any(|a| a.starts_with("kms:GenerateDataKey")),
            "{actions:?}"
        );
        assert!(
            out.attempts()[0].trace[decrypt]
                .result
                .contains("identity policy `replication` of role `replicator`")
        );

        let mut spec = under(rs, kms_cross_region());
        spec.buckets[1].default_encryption = Some(DefaultEncryption::SseKms {
            key: KeyRef::Named("dst_key".into()),
        });
        spec.buckets[1].bucket_key = true;
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps.push(expect_failed(
            "source",
            "a.txt",
            FailureReason::DstPutObjectNotPermitted,
        ));
        run(spec);
    }
}

/// Note, "Without these, replication will silently fail for encrypted objects"; aws-facts i.6
/// **Wrong** for eligible objects: a permission problem makes the object FAILED (visible), with
/// an `OperationFailedReplication` event and the `OperationsFailedReplication` metric. What is
/// silent: the missing opt-in (no status) and an invalid key at PutBucketReplication (accepted).
#[test]
fn i06_permission_failures_are_not_silent() {
    for rs in BOTH {
        let mut spec = under(rs, kms_cross_region());
        without(&mut spec, "DecryptSource");
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps.push(expect_failed(
            "source",
            "a.txt",
            FailureReason::SrcGetObjectNotPermitted,
        ));
        spec.steps.push(expect_events(
            "to_dest",
            EventName::OperationFailedReplication,
            Some(FailureReason::SrcGetObjectNotPermitted),
            1,
        ));
        spec.steps.push(expect_metric(
            "to_dest",
            MetricName::OperationsFailedReplication,
            1,
        ));
        run(spec);

        let mut spec = under(rs, kms_cross_region());
        first_rule(&mut spec).sse_kms_encrypted_objects = None;
        first_rule(&mut spec).destination.replica_kms_key = Some(KeyRef::Arn(
            "arn:aws:kms:eu-west-1:111122223333:key/not-there".into(),
        ));
        spec.steps
            .push(expect_config("source", ExpectedVerdict::Accepted));
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "a.txt", ExpectedStatus::NotReplicated));
        spec.steps.push(expect_events(
            "to_dest",
            EventName::OperationFailedReplication,
            None,
            0,
        ));
        run(spec);
    }
}

/// Note, "MRK ... manage as a single logical key pair"; aws-facts i.7 **Half wrong** [K-MRK]:
/// each related key has its own state and policy. Disabling the primary leaves the replica key
/// enabled (replicas still open), and the replica key's policy is its own.
#[test]
fn i07_related_keys_are_managed_independently() {
    for rs in BOTH {
        let mut spec = under(rs, mrk());
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps.push(fault(Fault::DisableKey("src_key".into())));
        spec.steps
            .push(expect("source", "a.txt", ExpectedStatus::Completed));
        let out = run(spec);
        assert!(
            out.get_object("target", "a.txt").is_ok(),
            "the replica key is still enabled"
        );
        assert!(
            out.get_object("source", "a.txt").is_err(),
            "the primary is disabled"
        );
    }
}

/// Note, "MRK Key IDs are different per region"; aws-facts i.8 **Wrong** [K-MRK]: the key id is
/// identical, only the ARN's Region differs.
#[test]
fn i08_mrk_key_ids_are_identical() {
    for rs in BOTH {
        let valid = replication_model::validate(under(rs, mrk())).expect("valid");
        let keys = &valid.catalog().keys;
        assert_eq!(keys["src_key"].key_id, keys["dst_key"].key_id);
        assert_eq!(
            keys["src_key"].arn.replace("us-east-1", "eu-west-1"),
            keys["dst_key"].arn
        );
    }
}

/// Note, gotcha "S3 does not replicate KMS keys themselves"; aws-facts i.9 **Accurate**: with no
/// key in the destination Region, S3 creates none; SSE-KMS objects fail with
/// `DstKmsKeyNotFound`.
#[test]
fn i09_s3_does_not_replicate_keys() {
    for rs in BOTH {
        let mut spec = under(rs, kms_cross_region());
        spec.keys.remove(1);
        without(&mut spec, "EncryptReplica");
        first_rule(&mut spec).destination.replica_kms_key = Some(KeyRef::Arn(
            "arn:aws:kms:eu-west-1:111122223333:alias/orders".into(),
        ));
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps.push(expect_failed(
            "source",
            "a.txt",
            FailureReason::DstKmsKeyNotFound,
        ));
        let out = run(spec);
        assert!(
            out.report()
                .contains("create the key in the destination Region"),
            "{}",
            out.report()
        );
    }
}

/// Note, gotcha "You must explicitly grant S3 the required kms:* permissions"; aws-facts i.10
/// **Accurate, but be precise** [U-PERM] [K-DEFPOL]: the permissions go to the replication role;
/// a key policy that allows the service principal `s3.amazonaws.com` instead does not help.
#[test]
fn i10_grant_the_role_not_the_service() {
    for rs in BOTH {
        let mut spec = under(rs, kms_cross_region());
        spec.keys[1].policy = Some(PolicySpec::Statements(vec![to(
            allow(&["kms:*"], vec![ResourceRef::Any]),
            vec![PrincipalRef::Service("s3.amazonaws.com".into())],
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
}

/// Note, gotcha "Enabling SSE-KMS after enabling replication won't retroactively apply
/// permissions"; aws-facts i.11 **Vague; reframe**: objects uploaded before keep their
/// encryption and status; new SSE-KMS uploads are skipped without the opt-in; once the rule opts
/// in, new uploads replicate, and the skipped ones need Batch Replication.
#[test]
fn i11_switching_to_sse_kms_after_replication() {
    for rs in BOTH {
        let mut spec = under(rs, kms_cross_region());
        let plain_rule = |spec: &mut ScenarioSpec| {
            let r = first_rule(spec);
            r.sse_kms_encrypted_objects = None;
            r.destination.replica_kms_key = None;
        };
        plain_rule(&mut spec);
        spec.buckets[0].default_encryption = None;
        spec.steps.push(put("source", "before.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(put("source", "after.txt", 10, sse_kms("src_key")));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "before.txt", ExpectedStatus::Completed));
        spec.steps.push(expect_encryption(
            "source",
            "before.txt",
            ExpectedEncryption::SseS3,
        ));
        spec.steps
            .push(expect("source", "after.txt", ExpectedStatus::NotReplicated));
        let mut fixed = config("source", "target", named("dst_key"));
        fixed.rules[0].id = Some("to_dest".into());
        spec.steps.push(Step::PutBucketReplication(fixed));
        spec.steps
            .push(put("source", "later.txt", 10, sse_kms("src_key")));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "later.txt", ExpectedStatus::Completed));
        spec.steps
            .push(expect("source", "after.txt", ExpectedStatus::NotReplicated));
        spec.steps.push(Step::BatchReplicate {
            bucket: "source".into(),
            statuses: vec![BatchStatus::None],
        });
        spec.steps
            .push(expect("source", "after.txt", ExpectedStatus::Completed));
        spec.steps
            .push(expect_kms("target", "after.txt", "dst_key", false));
        run(spec);
    }
}

/// Note, exam pointer "Does replication carry over the same KMS key ID? → No, key ID is different
/// per region, even for MRKs"; aws-facts i.12 **Accurate** (the reason given is wrong): the
/// replica is under `ReplicaKmsKeyID`; with an MRK the key id string coincides, but the ARN differs
/// and the data key is fresh.
#[test]
fn i12_replication_does_not_carry_over_the_key() {
    for rs in BOTH {
        for spec in [kms_cross_region(), mrk()] {
            let mut spec = under(rs, spec);
            spec.steps.push(put("source", "a.txt", 10, None));
            spec.steps.push(Step::Replicate);
            spec.steps
                .push(expect_kms("target", "a.txt", "dst_key", false));
            let out = run(spec);
            let arn = |b: &str| match row(&out, b, "a.txt").encryption {
                Some(Sse::SseKms { key_arn, .. }) => key_arn,
                other => panic!("{other:?}"),
            };
            assert_ne!(arn("source"), arn("target"));
            assert_ne!(
                out.stored_ciphertext("source", "a.txt"),
                out.stored_ciphertext("target", "a.txt")
            );
        }
    }
}

/// Note, best practice "pre-create the KMS key in both regions before enabling CRR"; aws-facts
/// i.13 **Accurate and important**: PutBucketReplication accepts a missing key, objects fail
/// until the key exists, and a key of the wrong Region fails the same way.
#[test]
fn i13_pre_create_keys_in_the_destination_region() {
    for rs in BOTH {
        let mut spec = under(rs, kms_cross_region());
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
        run(spec);
    }
}

/// Note, best practice "Use MRK if regulatory compliance allows" and exam pointer "How to
/// simplify cross-region encryption handling? → Use Multi-Region KMS keys"; aws-facts i.14
/// **Optional / debatable**: with two single-Region keys the outcome is the same as with an MRK.
#[test]
fn i14_mrk_is_optional() {
    for rs in BOTH {
        let outcomes: Vec<_> = [kms_cross_region(), mrk()]
            .into_iter()
            .map(|spec| {
                let mut spec = under(rs, spec);
                spec.steps
                    .push(put_text("source", "a.txt", "same either way", None));
                spec.steps.push(Step::Replicate);
                let out = run(spec);
                (
                    status(&out, "source", "a.txt"),
                    out.get_object("target", "a.txt").unwrap(),
                )
            })
            .collect();
        assert_eq!(outcomes[0], outcomes[1]);
        assert_eq!(outcomes[0].0, Some(ReplicationStatus::Completed));
    }
}

/// Note, best practice "Add aws:sourceVpce, aws:PrincipalOrgId to bucket policy if needed";
/// aws-facts i.15 **Risky for replication** (inferred): replication never comes through a VPC
/// endpoint, so a `aws:SourceVpce` guard blocks it; an `aws:PrincipalOrgID` allow works when the
/// role's account is in the organization.
#[test]
fn i15_source_vpce_breaks_replication_principal_org_id_works() {
    for rs in BOTH {
        let mut spec = under(rs, sse_s3());
        spec.buckets[1].policy = Some(PolicySpec::Statements(vec![when(
            to(
                deny(&["s3:*"], vec![objects("target")]),
                vec![PrincipalRef::Anyone],
            ),
            "StringNotEquals",
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

        let mut spec = under(rs, sse_s3());
        spec.accounts[0].org_id = Some("o-a1b2c3d4e5".into());
        spec.buckets[1].policy = Some(PolicySpec::Statements(vec![when(
            to(
                deny(&["s3:*"], vec![objects("target")]),
                vec![PrincipalRef::Anyone],
            ),
            "StringNotEquals",
            "aws:PrincipalOrgID",
            &["o-a1b2c3d4e5"],
        )]));
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "a.txt", ExpectedStatus::Completed));
        run(spec);
    }
}

/// Note, best practice "Monitor replication failures in S3 Replication metrics / CloudWatch";
/// aws-facts i.16 **Accurate**: metrics must be enabled (S3 RTC enables them too); without them
/// there is nothing to monitor.
#[test]
fn i16_metrics_must_be_enabled() {
    for rs in BOTH {
        for (metrics, rtc, visible) in [
            (None, None, false),
            (
                Some(Metrics {
                    status: Status::Enabled,
                    event_threshold_minutes: None,
                }),
                None,
                true,
            ),
            (
                Some(Metrics {
                    status: Status::Enabled,
                    event_threshold_minutes: Some(15),
                }),
                Some(ReplicationTime {
                    status: Status::Enabled,
                    minutes: 15,
                }),
                true,
            ),
        ] {
            let mut spec = under(rs, kms_cross_region());
            let d = &mut first_rule(&mut spec).destination;
            d.metrics = metrics;
            d.replication_time = rtc;
            without(&mut spec, "EncryptReplica");
            spec.steps.push(put("source", "a.txt", 10, None));
            spec.steps.push(Step::Replicate);
            spec.steps.push(expect_events(
                "to_dest",
                EventName::OperationFailedReplication,
                None,
                u64::from(visible),
            ));
            let out = run(spec);
            assert_eq!(
                out.report().contains("OperationsFailedReplication 1"),
                visible,
                "{}",
                out.report()
            );
        }
    }
}

/// Note, memory hook "KMS key in one region ≠ valid in another unless it's an MRK" and row
/// "(implicit) KMS keys are regional"; aws-facts i.17 **Accurate** [U-SSEKMS]: an upload key must
/// be in the bucket's Region, and a replica key must be in the destination Region, even an MRK:
/// the primary's ARN in the source Region is not usable at the destination.
#[test]
fn i17_kms_keys_are_regional_even_mrks() {
    for rs in BOTH {
        let mut spec = under(rs, mrk());
        first_rule(&mut spec).destination.replica_kms_key = named("src_key");
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps.push(expect_failed(
            "source",
            "a.txt",
            FailureReason::DstKmsKeyNotFound,
        ));
        run(spec);

        let mut spec = under(rs, kms_cross_region());
        spec.steps
            .push(put("source", "a.txt", 10, sse_kms("dst_key")));
        rejection(spec, 1, "encryption.key", "KMS.NotFoundException");
    }
}

/// Note, row "(implicit) versioning is needed"; aws-facts i.18 **Accurate**: PutBucketReplication
/// refuses an unversioned source; a destination suspended later fails objects with
/// `DstBucketUnversioned`.
#[test]
fn i18_versioning_is_needed_on_both() {
    for rs in BOTH {
        let mut spec = under(rs, sse_s3());
        spec.buckets[0].versioning = Versioning::Unversioned;
        rejection(spec, 0, "bucket", "InvalidRequest");

        let mut spec = under(rs, sse_s3());
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
        run(spec);
    }
}

/// Note, memory hook "Encrypted data still needs permissions to replicate": true for SSE-KMS and
/// DSSE-KMS, not for SSE-S3 (aws-facts d.2, i.1).
#[test]
fn note_memory_hook_encrypted_data_needs_permissions() {
    for rs in BOTH {
        let mut spec = under(rs, kms_cross_region());
        without(&mut spec, "DecryptSource");
        spec.steps
            .push(put("source", "s3.txt", 10, Some(UploadEncryption::SseS3)));
        spec.steps.push(put("source", "kms.txt", 10, None));
        spec.steps.push(put(
            "source",
            "dsse.txt",
            10,
            Some(UploadEncryption::DsseKms {
                key: named("src_key"),
            }),
        ));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "s3.txt", ExpectedStatus::Completed));
        spec.steps.push(expect_failed(
            "source",
            "kms.txt",
            FailureReason::SrcGetObjectNotPermitted,
        ));
        spec.steps.push(expect_failed(
            "source",
            "dsse.txt",
            FailureReason::SrcGetObjectNotPermitted,
        ));
        run(spec);
    }
}

/// Note, "why MRK helps" row "Minimize latency on decrypt in dest: MRK is region-local": every
/// replica is already under a destination-Region key, MRK or not (aws-facts d.3, g); a
/// single-Region replica opens in the destination even with the source key disabled.
#[test]
fn note_replicas_are_always_under_a_destination_region_key() {
    for rs in BOTH {
        let mut spec = under(rs, kms_cross_region());
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps.push(fault(Fault::DisableKey("src_key".into())));
        let out = run(spec);
        assert!(out.get_object("target", "a.txt").is_ok());
        let Some(Sse::SseKms { key_arn, .. }) = row(&out, "target", "a.txt").encryption else {
            panic!("SSE-KMS")
        };
        assert!(key_arn.contains(":eu-west-1:"), "{key_arn}");
    }
}

/// Note, exam pointer "Replication fails with SSE-KMS encrypted objects? → Check kms:Decrypt /
/// Encrypt perms": right for FAILED objects, but an object with no status at all points to the
/// missing opt-in instead (aws-facts d.3, i.2, i.6); the report tells the two apart.
#[test]
fn note_exam_pointer_check_permissions_or_opt_in() {
    for rs in BOTH {
        let mut spec = under(rs, kms_cross_region());
        without(&mut spec, "EncryptReplica");
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        let out = run(spec);
        assert!(matches!(
            out.attempts()[0].result,
            AttemptResult::Failed {
                reason: FailureReason::DstPutObjectNotPermitted,
                ..
            }
        ));
        assert!(
            out.report().contains("allow `kms:Encrypt`"),
            "{}",
            out.report()
        );

        let mut spec = under(rs, kms_cross_region());
        first_rule(&mut spec).sse_kms_encrypted_objects = Some(Status::Disabled);
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        let out = run(spec);
        assert_eq!(status(&out, "source", "a.txt"), None);
        assert!(
            out.report()
                .contains("opts in with `sse_kms_encrypted_objects`"),
            "{}",
            out.report()
        );
    }
}
