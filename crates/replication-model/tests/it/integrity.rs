//! Determinism and cryptographic integrity: the same scenario gives a byte-identical report, and
//! stored objects are real ciphertext that replication re-encrypts and tampering breaks.

use replication_model::spec::*;
use replication_model::{RunConfig, Sse};

use crate::fixture::*;

/// A scenario that touches most of the model: KMS and SSE-S3 objects, a Bucket Key, a failure,
/// a transient fault, RTC events, delete markers and Batch Replication.
fn busy() -> ScenarioSpec {
    let mut spec = kms_cross_region();
    spec.name = "busy".into();
    let r = first_rule(&mut spec);
    r.delete_marker_replication = Some(Status::Enabled);
    r.destination.replication_time = Some(ReplicationTime {
        status: Status::Enabled,
        minutes: 15,
    });
    r.destination.metrics = Some(Metrics {
        status: Status::Enabled,
        event_threshold_minutes: Some(15),
    });
    spec.buckets[1].bucket_key = true;
    role_statements(&mut spec).push(sid(
        allow(&["kms:Decrypt"], vec![key_res("dst_key")]),
        "BucketKeyCheck",
    ));
    for i in 0..12 {
        spec.steps.push(put(
            "source",
            &format!("obj-{i:02}"),
            1000 + i * 997,
            if i % 3 == 0 {
                Some(UploadEncryption::SseS3)
            } else {
                None
            },
        ));
    }
    spec.steps
        .push(fault(Fault::RegionUnavailable("eu-west-1".into())));
    spec.steps.push(put("source", "late", 70_000, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(Step::Wait { seconds: 1000 });
    spec.steps
        .push(fault(Fault::RegionAvailable("eu-west-1".into())));
    spec.steps
        .push(revoke(role_policy(), "GetObjectVersionAcl"));
    spec.steps.push(put("source", "denied", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(Step::DeleteObject {
        bucket: "source".into(),
        key: "obj-01".into(),
        version: None,
    });
    spec.steps.push(add_statement(
        role_policy(),
        sid(
            allow(&["s3:GetObjectVersionAcl"], vec![objects("source")]),
            "GetObjectVersionAcl",
        ),
    ));
    spec.steps.push(Step::Replicate);
    spec.steps.push(Step::BatchReplicate {
        bucket: "source".into(),
        statuses: vec![BatchStatus::Failed],
    });
    spec.steps
        .push(expect("source", "denied", ExpectedStatus::Completed));
    spec
}

/// The same scenario run twice, and with one thread or all of them, gives byte-identical
/// reports (STYLE: logical time, ordered maps, no key material in reports).
#[test]
fn same_scenario_same_report() {
    let valid = replication_model::validate(busy()).expect("valid");
    let first = replication_model::run(&valid).expect("run");
    let second = replication_model::run(&valid).expect("run");
    let serial = replication_model::run_with(
        &valid,
        RunConfig {
            trace: true,
            threads: 1,
        },
    )
    .expect("run");
    assert_expectations_hold(&first);
    assert_eq!(first.report(), second.report());
    assert_eq!(first.report(), serial.report());
    let again =
        replication_model::run(&replication_model::validate(busy()).expect("valid")).expect("run");
    assert_eq!(first.report(), again.report());
    assert!(
        first.report().contains("OperationMissedThreshold"),
        "{}",
        first.report()
    );
    assert!(
        first.report().contains("(Batch Replication)"),
        "{}",
        first.report()
    );
}

/// Driving a scenario step by step with `Run` gives the report `run_with` gives, and
/// `next_step` walks the scenario's steps in order, then reports none left.
#[test]
fn stepping_with_run_gives_the_same_outcome() {
    let valid = replication_model::validate(busy()).expect("valid");
    for threads in [1, 0] {
        let config = RunConfig {
            trace: true,
            threads,
        };
        let whole = replication_model::run_with(&valid, config).expect("run");
        let mut run = replication_model::Run::new(&valid, config).expect("world builds");
        let mut seen = 0;
        while let Some(step) = run.next_step() {
            assert_eq!(step, &valid.spec().steps[seen]);
            assert!(run.step().expect("step runs"));
            seen += 1;
        }
        assert_eq!(seen, valid.spec().steps.len());
        assert!(!run.step().expect("nothing left"), "a step after the last");
        let stepped = run.finish().expect("report");
        assert_eq!(stepped.report(), whole.report());
    }
}

/// Without the trace the run reaches the same objects and statuses.
#[test]
fn trace_off_changes_nothing_but_the_trace() {
    let valid = replication_model::validate(busy()).expect("valid");
    let with = replication_model::run(&valid).expect("run");
    let without_trace = replication_model::run_with(
        &valid,
        RunConfig {
            trace: false,
            threads: 0,
        },
    )
    .expect("run");
    assert_eq!(with.objects(), without_trace.objects());
    assert!(without_trace.attempts().iter().all(|a| a.trace.is_empty()));
}

/// Without the trace the report is the traced report minus its numbered trace lines, and every
/// replica, whatever its encryption, still reads back as its source (the trace-off run checks
/// only each replica's envelope, so this proves the bodies by reading them).
#[test]
fn trace_off_report_is_the_traced_report_without_trace_lines() {
    let mut every_type = kms_cross_region();
    every_type.rule_set = RuleSetName::Aws2026;
    every_type.buckets[0].block_sse_c = Some(false);
    every_type.buckets[1].block_sse_c = Some(false);
    let keys = [
        ("s3.bin", Some(UploadEncryption::SseS3)),
        ("kms.bin", None),
        (
            "bucket-key.bin",
            Some(UploadEncryption::SseKms {
                key: named("src_key"),
                bucket_key: Some(true),
            }),
        ),
        (
            "dsse.bin",
            Some(UploadEncryption::DsseKms {
                key: named("src_key"),
            }),
        ),
        ("c.bin", sse_c("customer-1")),
    ];
    role_statements(&mut every_type).push(sid(
        allow(&["kms:Decrypt"], vec![key_res("dst_key")]),
        "BucketKeyCheck",
    ));
    for (key, encryption) in &keys {
        every_type
            .steps
            .push(put("source", key, 3000, encryption.clone()));
    }
    every_type.steps.push(Step::Replicate);
    for (key, _) in &keys {
        every_type
            .steps
            .push(expect("target", key, ExpectedStatus::Replica));
    }
    for spec in [busy(), every_type] {
        let valid = replication_model::validate(spec).expect("valid");
        let traced = replication_model::run(&valid).expect("run");
        let quiet = replication_model::run_with(
            &valid,
            RunConfig {
                trace: false,
                threads: 1,
            },
        )
        .expect("run");
        assert_expectations_hold(&quiet);
        let is_trace_line = |l: &&str| {
            l.strip_prefix("  ")
                .and_then(|rest| rest.split_once(". "))
                .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        let without: Vec<&str> = traced
            .report()
            .lines()
            .filter(|l| !is_trace_line(l))
            .collect();
        assert_eq!(quiet.report().lines().collect::<Vec<_>>(), without);
        for row in quiet.objects().iter().filter(|r| r.bucket == "target") {
            let source = traced.get_object("source", &row.key).ok();
            if row.delete_marker || source.is_none() {
                continue;
            }
            assert_eq!(
                quiet.get_object("target", &row.key).ok(),
                source,
                "{}",
                row.key
            );
        }
    }
}

/// Replication really re-encrypts: the replica's ciphertext differs from the source's (new data
/// key, other encryption context), and both decrypt to the same plaintext.
#[test]
fn replication_re_encrypts() {
    for encryption in [
        Some(UploadEncryption::SseS3),
        None,
        Some(UploadEncryption::DsseKms {
            key: named("src_key"),
        }),
    ] {
        let mut spec = kms_cross_region();
        spec.steps.push(put_text(
            "source",
            "doc.txt",
            &"the quick brown fox ".repeat(500),
            encryption.clone(),
        ));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "doc.txt", ExpectedStatus::Completed));
        let out = run(spec);
        let (src, dst) = (
            out.stored_ciphertext("source", "doc.txt").unwrap(),
            out.stored_ciphertext("target", "doc.txt").unwrap(),
        );
        assert_ne!(src, dst, "{encryption:?}");
        let plain = out.get_object("source", "doc.txt").unwrap();
        assert_eq!(plain, "the quick brown fox ".repeat(500).as_bytes());
        assert_eq!(out.get_object("target", "doc.txt").unwrap(), plain);
        assert!(
            !src.windows(20).any(|w| w == b"the quick brown fox "),
            "stored bytes are not plaintext"
        );
    }
}

/// A flipped byte of stored ciphertext makes GetObject fail with a clear error, never return
/// data; the untouched replica still reads.
#[test]
fn tampered_ciphertext_fails_to_decrypt() {
    for encryption in [
        Some(UploadEncryption::SseS3),
        None,
        Some(UploadEncryption::DsseKms {
            key: named("src_key"),
        }),
    ] {
        let mut spec = kms_cross_region();
        spec.rule_set = RuleSetName::ExamGuide;
        spec.steps
            .push(put("source", "a.bin", 50_000, encryption.clone()));
        spec.steps.push(Step::Replicate);
        let mut out = run(spec);
        let mut bytes = out.stored_ciphertext("source", "a.bin").unwrap();
        let at = bytes.len() - 40;
        bytes[at] ^= 0x01;
        out.tamper_ciphertext("source", "a.bin", bytes)
            .expect("same framing");
        let err = out.get_object("source", "a.bin").unwrap_err();
        assert!(
            err.contains("authentication failed"),
            "{encryption:?}: {err}"
        );
        assert!(err.contains("`source/a.bin`"), "{err}");
        assert!(out.get_object("target", "a.bin").is_ok());
    }
}

/// Swapping in another object's ciphertext (valid, but sealed for another key and object) fails
/// too: the data key and the object ARN are bound.
#[test]
fn swapped_ciphertext_fails_to_decrypt() {
    let mut spec = kms_cross_region();
    spec.steps.push(put("source", "a.bin", 1000, None));
    spec.steps.push(put("source", "b.bin", 1000, None));
    let mut out = run(spec);
    let b = out.stored_ciphertext("source", "b.bin").unwrap();
    out.tamper_ciphertext("source", "a.bin", b)
        .expect("same framing");
    assert!(out.get_object("source", "a.bin").is_err());
}

/// An SSE-C object tampered with fails too, and the replica copy (same ciphertext) is unharmed.
#[test]
fn tampered_sse_c_fails_to_decrypt() {
    let mut spec = sse_s3();
    spec.rule_set = RuleSetName::Aws2026;
    spec.buckets[0].block_sse_c = Some(false);
    spec.buckets[1].block_sse_c = Some(false);
    spec.steps
        .push(put("source", "c.bin", 3000, sse_c("customer-1")));
    spec.steps.push(Step::Replicate);
    let mut out = run(spec);
    assert!(matches!(
        row(&out, "target", "c.bin").encryption,
        Some(Sse::SseC { .. })
    ));
    let mut bytes = out.stored_ciphertext("source", "c.bin").unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x80;
    out.tamper_ciphertext("source", "c.bin", bytes)
        .expect("same framing");
    assert!(out.get_object("source", "c.bin").is_err());
    assert!(out.get_object("target", "c.bin").is_ok());
}

/// Truncated ciphertext is refused when it is stored back, with the crypto layer's reason.
#[test]
fn truncated_ciphertext_is_refused() {
    let mut spec = kms_cross_region();
    spec.steps.push(put("source", "a.bin", 5000, None));
    let mut out = run(spec);
    let mut bytes = out.stored_ciphertext("source", "a.bin").unwrap();
    bytes.truncate(bytes.len() - 10);
    let err = out.tamper_ciphertext("source", "a.bin", bytes).unwrap_err();
    assert!(err.contains("truncated"), "{err}");
    assert!(
        out.get_object("source", "a.bin").is_ok(),
        "a refused tamper leaves the object as it was"
    );
}
