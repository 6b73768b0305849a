//! aws-facts e and d.8/d.9: replication status and its aggregation over destinations, retries
//! (none for FAILED, always for temporary faults), metrics, failure events and S3 RTC events.

use replication_lab::model::spec::{Item, Locus};
use replication_lab::model::{
    AttemptResult, Check, InferredChoice, ProblemKind, ReplicationStatus,
};

use crate::text::*;

/// A second destination `target2` (rule `to_second`, priority 2) on the SSE-S3 setup.
fn two_destinations() -> Setup {
    sse_s3()
        .insert_before(
            "role replicator",
            r#"bucket target2 = s3(prod, "us-west-2") { versioning };"#,
        )
        .insert_before(
            "sid DecryptSource",
            r#"sid ReplicateObject2 allow s3:ReplicateObject on target2/"*";"#,
        )
        .edit(
            "metrics: Enabled(none),\n            };",
            "metrics: Enabled(none),\n            };
            rule to_second {
                priority: 2, filter: {}, delete_marker_replication: Disabled, destination: target2,
                metrics: Enabled(none),
            };",
        )
}

/// aws-facts e [U-STATUS]: a source object is PENDING until replication ran, then COMPLETED;
/// its replica reports REPLICA.
#[test]
fn e_pending_then_completed_and_replica() {
    run(&sse_s3().then(
        r#"
        put source "a.txt" = 10 B;
        expect source "a.txt" PENDING;
        expect target "a.txt" absent;
        replicate;
        expect source "a.txt" COMPLETED;
        expect target "a.txt" REPLICA;
        "#,
    ));
}

/// aws-facts e [U-STATUS]: with several destinations the status is FAILED if any destination
/// failed, even when another completed.
#[test]
fn e_multiple_destinations_failed_if_any_failed() {
    run(&two_destinations().without("ReplicateObject2").then(
        r#"
        put source "a.txt" = 10 B;
        replicate;
        expect source "a.txt" FAILED(DstPutObjectNotPermitted);
        expect target "a.txt" REPLICA;
        expect target2 "a.txt" absent;
        "#,
    ));
}

/// aws-facts e [U-STATUS]: with several destinations the status stays PENDING until every
/// destination is done, and is COMPLETED only when all succeeded.
#[test]
fn e_multiple_destinations_pending_until_all_done() {
    let out = run(&two_destinations().then(
        r#"
        region_unavailable "us-west-2";
        put source "a.txt" = 10 B;
        replicate;
        expect target "a.txt" REPLICA;
        expect source "a.txt" PENDING;
        region_available "us-west-2";
        replicate;
        expect source "a.txt" COMPLETED;
        expect target2 "a.txt" REPLICA;
        "#,
    ));
    assert_eq!(
        versions(&out, "target", "a.txt").len(),
        1,
        "the done destination is not copied again"
    );
}

/// aws-facts d.8 and e [U-STATUS] [U-TRBL]: a FAILED object is not retried automatically, even
/// once the cause is fixed; Batch Replication for FAILED objects completes it.
#[test]
fn e_failed_is_not_retried_but_batch_replication_fixes_it() {
    let out = run(&kms_cross_region().without("EncryptReplica").then(
        r#"
        put source "a.txt" = 10 B;
        replicate;
        expect source "a.txt" FAILED(DstPutObjectNotPermitted);
        add_statement replicator.replication sid EncryptReplica allow kms:Encrypt on dst_key;
        replicate;
        expect source "a.txt" FAILED(DstPutObjectNotPermitted);
        put source "b.txt" = 10 B;
        replicate;
        expect source "b.txt" COMPLETED;
        batch_replicate source [failed];
        expect source "a.txt" COMPLETED;
        expect target "a.txt" REPLICA;
        "#,
    ));
    let a_attempts: Vec<_> = out.attempts().iter().filter(|a| a.key == "a.txt").collect();
    assert_eq!(a_attempts.len(), 2, "one live attempt, one batch attempt");
    assert!(a_attempts[1].batch);
    assert_eq!(
        versions(&out, "target", "b.txt").len(),
        1,
        "the batch job selected FAILED only"
    );
}

/// aws-facts e [U-STATUS]: Batch Replication for FAILED objects re-attempts only the failed
/// destination; the completed one is not copied twice.
#[test]
fn e_batch_for_failed_retries_only_failed_destinations() {
    let out = run(&two_destinations().without("ReplicateObject2").then(
        r#"
        put source "a.txt" = 10 B;
        replicate;
        expect source "a.txt" FAILED;
        add_statement replicator.replication sid ReplicateObject2 allow s3:ReplicateObject on target2/"*";
        batch_replicate source [failed];
        expect source "a.txt" COMPLETED;
        "#,
    ));
    assert_eq!(
        versions(&out, "target", "a.txt").len(),
        1,
        "{}",
        out.report()
    );
    assert_eq!(versions(&out, "target2", "a.txt").len(), 1);
}

/// aws-facts d.8 and e [U-STATUS]: an unavailable Region is temporary: the object stays PENDING,
/// and a later replicate completes it.
#[test]
fn e_region_unavailable_keeps_pending() {
    let out = run(&kms_cross_region().then(
        r#"
        region_unavailable "eu-west-1";
        put source "a.txt" = 10 B;
        replicate;
        replicate;
        expect source "a.txt" PENDING;
        region_available "eu-west-1";
        replicate;
        expect source "a.txt" COMPLETED;
        "#,
    ));
    let attempts: Vec<_> = out.attempts().iter().map(|a| a.attempt).collect();
    assert_eq!(attempts, vec![1, 2, 3]);
    assert!(matches!(
        out.attempts()[0].result,
        AttemptResult::Pending { .. }
    ));
}

/// aws-facts d.9 (inferred): KMS throttling in either Region is temporary: PENDING, then
/// COMPLETED once KMS stops throttling; the run records the inferred choice.
#[test]
fn e_kms_throttling_keeps_pending() {
    for region in ["us-east-1", "eu-west-1"] {
        let out = run(&kms_cross_region().then(&format!(
            r#"
            throttle_kms "{region}" on;
            put source "a.txt" = 10 B;
            replicate;
            expect source "a.txt" PENDING;
            throttle_kms "{region}" off;
            replicate;
            expect source "a.txt" COMPLETED;
            "#
        )));
        assert!(
            out.inferred()
                .any(|c| c == InferredChoice::ThrottlingPending),
            "{}",
            out.report()
        );
    }
}

/// aws-facts e [U-METRICS]: with metrics on, `OperationsPendingReplication` and
/// `BytesPendingReplication` count what waits, `OperationsFailedReplication` counts failures.
#[test]
fn e_metrics_count_pending_and_failed_operations() {
    let out = run(&kms_cross_region().then(
        r#"
        region_unavailable "eu-west-1";
        put source "a.txt" = 100 B;
        put source "b.txt" = 20 B;
        replicate;
        expect metric source to_dest OperationsPendingReplication = 2;
        expect metric source to_dest BytesPendingReplication = 120;
        expect metric source to_dest OperationsFailedReplication = 0;
        region_available "eu-west-1";
        revoke replicator.replication statement EncryptReplica;
        replicate;
        expect metric source to_dest OperationsPendingReplication = 0;
        expect metric source to_dest OperationsFailedReplication = 2;
        "#,
    ));
    assert!(
        out.report().contains("OperationsFailedReplication 2"),
        "{}",
        out.report()
    );
}

/// aws-facts e [U-EVENTS]: every failure raises `OperationFailedReplication` with its
/// `failureReason` when the rule has replication metrics.
#[test]
fn e_failure_events_with_metrics() {
    let out = run(&kms_cross_region().without("DecryptSource").then(
        r#"
        put source "a.txt" = 10 B;
        put source "b.txt" = 10 B;
        replicate;
        expect event source to_dest OperationFailedReplication(SrcGetObjectNotPermitted) = 2;
        expect event source to_dest OperationFailedReplication(DstPutObjectNotPermitted) = 0;
        "#,
    ));
    assert!(out.report().contains("s3:Replication:OperationFailedReplication source/a.txt v1 -> target (rule `to_dest`) failureReason SrcGetObjectNotPermitted"), "{}", out.report());
}

/// aws-facts e and i.16 [U-EVENTS] [U-METRICS]: without replication metrics on the rule there
/// is no failure event and no metric, though the object is still FAILED; expecting a metric or
/// a failure event of such a rule is impossible.
#[test]
fn e_no_events_or_metrics_without_metrics() {
    let setup = kms_cross_region()
        .edit(", metrics: Enabled(none)", "")
        .without("DecryptSource");
    let before = r#"
        put source "a.txt" = 10 B;
        replicate;
    "#;
    let out = run(&setup.then(&format!(
        r#"{before}
        expect source "a.txt" FAILED(SrcGetObjectNotPermitted);
        expect event source to_dest OperationFailedReplication = 0;
        "#
    )));
    let failed_status = out.expectations().iter().find_map(|e| match &e.check {
        Check::Object(o) => o.found.as_ref().map(|v| v.status),
        _ => None,
    });
    assert_eq!(failed_status, Some(Some(ReplicationStatus::Failed)));
    assert!(
        out.report()
            .contains("(no rule has replication metrics enabled)"),
        "{}",
        out.report()
    );
    assert!(
        out.report().contains("== events\n(none)"),
        "{}",
        out.report()
    );

    let p = problem(&setup.then(&format!(
        "{before}\nexpect metric source to_dest OperationsFailedReplication = 1;"
    )));
    assert_eq!(
        (p.locus, p.kind),
        (Locus::new(Item::Step(3), "metric"), ProblemKind::Impossible)
    );
    assert!(
        p.message.contains("add `metrics: enabled`"),
        "{}",
        p.message
    );

    let p = problem(&setup.then(&format!(
        "{before}\nexpect event source to_dest OperationFailedReplication = 1;"
    )));
    assert_eq!(
        (p.locus, p.kind),
        (Locus::new(Item::Step(3), "event"), ProblemKind::Impossible)
    );
}

/// aws-facts e [U-RTC]: threshold events need S3 RTC; expecting one from a rule with metrics only
/// is impossible.
#[test]
fn e_threshold_events_need_rtc() {
    let p = problem(&sse_s3().then(
        r#"
        put source "a.txt" = 10 B;
        expect event source to_dest OperationMissedThreshold = 1;
        "#,
    ));
    assert_eq!(
        (p.locus, p.kind),
        (Locus::new(Item::Step(2), "event"), ProblemKind::Impossible)
    );
    assert!(p.message.contains("S3 RTC"), "{}", p.message);
}

/// aws-facts e [U-RTC]: with S3 RTC an operation pending for more than 15 minutes raises
/// `OperationMissedThreshold`, and completing it later raises
/// `OperationReplicatedAfterThreshold`; `ReplicationLatency` shows the delay.
#[test]
fn e_rtc_threshold_events() {
    let out = run(&sse_s3()
        .edit(
            "metrics: Enabled(none),\n            };",
            "replication_time: Enabled(15), metrics: 15,\n            };",
        )
        .then(
            r#"
        region_unavailable "eu-west-1";
        put source "a.txt" = 10 B;
        replicate;
        wait 600 s;
        expect event source to_dest OperationMissedThreshold = 0;
        wait 600 s;
        expect event source to_dest OperationMissedThreshold = 1;
        wait 600 s;
        expect event source to_dest OperationMissedThreshold = 1;
        region_available "eu-west-1";
        replicate;
        expect source "a.txt" COMPLETED;
        expect event source to_dest OperationReplicatedAfterThreshold = 1;
        expect metric source to_dest ReplicationLatency = 1806;
        "#,
        ));
    assert!(out.report().contains("RTC"), "{}", out.report());
    let latency = out
        .report()
        .lines()
        .find(|l| l.starts_with("source rule `to_dest`"))
        .unwrap_or_default()
        .to_owned();
    assert!(latency.ends_with("ReplicationLatency 1806 s"), "{latency}");
}

/// aws-facts e [U-RTC] [U-EVENTS]: threshold events need S3 RTC; metrics alone give none.
#[test]
fn e_no_threshold_events_without_rtc() {
    run(&sse_s3().then(
        r#"
        region_unavailable "eu-west-1";
        put source "a.txt" = 10 B;
        wait 3600 s;
        region_available "eu-west-1";
        replicate;
        expect source "a.txt" COMPLETED;
        expect event source to_dest OperationMissedThreshold = 0;
        expect event source to_dest OperationReplicatedAfterThreshold = 0;
        "#,
    ));
}

/// aws-facts e [U-STATUS]: a delete marker gets no replication status of its own, and the
/// version it hides keeps COMPLETED.
#[test]
fn e_delete_markers_have_no_status() {
    let out = run(&sse_s3()
        .edit(
            "delete_marker_replication: Disabled",
            "delete_marker_replication: Enabled",
        )
        .then(
            r#"
        put source "a.txt" = 10 B;
        replicate;
        delete source "a.txt";
        replicate;
        expect source "a.txt" version 1 COMPLETED;
        "#,
        ));
    let marker = row(&out, "source", "a.txt");
    assert!(marker.delete_marker);
    assert_eq!(marker.status, None);
    assert_eq!(
        row(&out, "target", "a.txt").status,
        Some(ReplicationStatus::Replica)
    );
}
