//! aws-facts e and d.8/d.9: replication status and its aggregation over destinations, retries
//! (none for FAILED, always for temporary faults), metrics, failure events and S3 RTC events.

use replication_model::spec::*;
use replication_model::{AttemptResult, ProblemKind, ReplicationStatus};

use crate::fixture::*;

/// A second destination `target2` (rule `to_second`, priority 2) on the SSE-S3 fixture.
fn two_destinations() -> ScenarioSpec {
    let mut spec = sse_s3();
    spec.buckets.push(bucket("target2", "prod", "us-west-2"));
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

/// aws-facts e [U-STATUS]: a source object is PENDING until replication ran, then COMPLETED;
/// its replica reports REPLICA.
#[test]
fn e_pending_then_completed_and_replica() {
    let mut spec = sse_s3();
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Pending));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Absent));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Replica));
    run(spec);
}

/// aws-facts e [U-STATUS]: with several destinations the status is FAILED if any destination
/// failed, even when another completed.
#[test]
fn e_multiple_destinations_failed_if_any_failed() {
    let mut spec = two_destinations();
    without(&mut spec, "ReplicateObject2");
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Replica));
    spec.steps
        .push(expect("target2", "a.txt", ExpectedStatus::Absent));
    run(spec);
}

/// aws-facts e [U-STATUS]: with several destinations the status stays PENDING until every
/// destination is done, and is COMPLETED only when all succeeded.
#[test]
fn e_multiple_destinations_pending_until_all_done() {
    let mut spec = two_destinations();
    spec.steps
        .push(fault(Fault::RegionUnavailable("us-west-2".into())));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Replica));
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Pending));
    spec.steps
        .push(fault(Fault::RegionAvailable("us-west-2".into())));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps
        .push(expect("target2", "a.txt", ExpectedStatus::Replica));
    let out = run(spec);
    assert_eq!(
        out.objects()
            .iter()
            .filter(|r| r.bucket == "target" && r.key == "a.txt")
            .count(),
        1,
        "the done destination is not copied again"
    );
}

/// aws-facts d.8 and e [U-STATUS] [U-TRBL]: a FAILED object is not retried automatically, even
/// once the cause is fixed; Batch Replication for FAILED objects completes it.
#[test]
fn e_failed_is_not_retried_but_batch_replication_fixes_it() {
    let mut spec = kms_cross_region();
    without(&mut spec, "EncryptReplica");
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    spec.steps.push(add_statement(
        role_policy(),
        sid(
            allow(&["kms:Encrypt"], vec![key_res("dst_key")]),
            "EncryptReplica",
        ),
    ));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::DstPutObjectNotPermitted,
    ));
    spec.steps.push(put("source", "b.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "b.txt", ExpectedStatus::Completed));
    spec.steps.push(Step::BatchReplicate {
        bucket: "source".into(),
        statuses: vec![BatchStatus::Failed],
    });
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps
        .push(expect("target", "a.txt", ExpectedStatus::Replica));
    let out = run(spec);
    let a_attempts: Vec<_> = out.attempts().iter().filter(|a| a.key == "a.txt").collect();
    assert_eq!(a_attempts.len(), 2, "one live attempt, one batch attempt");
    assert!(a_attempts[1].batch);
    assert_eq!(
        out.objects()
            .iter()
            .filter(|r| r.bucket == "target" && r.key == "b.txt")
            .count(),
        1,
        "the batch job selected FAILED only"
    );
}

/// aws-facts e [U-STATUS]: Batch Replication for FAILED objects re-attempts only the failed
/// destination; the completed one is not copied twice.
#[test]
fn e_batch_for_failed_retries_only_failed_destinations() {
    let mut spec = two_destinations();
    without(&mut spec, "ReplicateObject2");
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Failed));
    spec.steps.push(add_statement(
        role_policy(),
        sid(
            allow(&["s3:ReplicateObject"], vec![objects("target2")]),
            "ReplicateObject2",
        ),
    ));
    spec.steps.push(Step::BatchReplicate {
        bucket: "source".into(),
        statuses: vec![BatchStatus::Failed],
    });
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    let out = run(spec);
    assert_eq!(
        out.objects()
            .iter()
            .filter(|r| r.bucket == "target" && r.key == "a.txt")
            .count(),
        1,
        "{}",
        out.report()
    );
    assert_eq!(
        out.objects()
            .iter()
            .filter(|r| r.bucket == "target2" && r.key == "a.txt")
            .count(),
        1
    );
}

/// aws-facts d.8 and e [U-STATUS]: an unavailable Region is temporary: the object stays PENDING,
/// and a later replicate completes it.
#[test]
fn e_region_unavailable_keeps_pending() {
    let mut spec = kms_cross_region();
    spec.steps
        .push(fault(Fault::RegionUnavailable("eu-west-1".into())));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Pending));
    spec.steps
        .push(fault(Fault::RegionAvailable("eu-west-1".into())));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    let out = run(spec);
    let attempts: Vec<_> = out.attempts().iter().map(|a| a.attempt).collect();
    assert_eq!(attempts, vec![1, 2, 3]);
    assert!(matches!(
        out.attempts()[0].result,
        AttemptResult::Pending { .. }
    ));
}

/// aws-facts d.9 (inferred): KMS throttling in either Region is temporary: PENDING, then
/// COMPLETED once KMS stops throttling; the report lists the inferred choice.
#[test]
fn e_kms_throttling_keeps_pending() {
    for region in ["us-east-1", "eu-west-1"] {
        let mut spec = kms_cross_region();
        spec.steps.push(fault(Fault::ThrottleKms {
            region: region.into(),
            on: true,
        }));
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "a.txt", ExpectedStatus::Pending));
        spec.steps.push(fault(Fault::ThrottleKms {
            region: region.into(),
            on: false,
        }));
        spec.steps.push(Step::Replicate);
        spec.steps
            .push(expect("source", "a.txt", ExpectedStatus::Completed));
        let out = run(spec);
        assert!(
            out.report().contains("KMS throttling is temporary"),
            "{}",
            out.report()
        );
    }
}

/// aws-facts e [U-METRICS]: with metrics on, `OperationsPendingReplication` and
/// `BytesPendingReplication` count what waits, `OperationsFailedReplication` counts failures.
#[test]
fn e_metrics_count_pending_and_failed_operations() {
    let mut spec = kms_cross_region();
    spec.steps
        .push(fault(Fault::RegionUnavailable("eu-west-1".into())));
    spec.steps.push(put("source", "a.txt", 100, None));
    spec.steps.push(put("source", "b.txt", 20, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_metric(
        "to_dest",
        MetricName::OperationsPendingReplication,
        2,
    ));
    spec.steps.push(expect_metric(
        "to_dest",
        MetricName::BytesPendingReplication,
        120,
    ));
    spec.steps.push(expect_metric(
        "to_dest",
        MetricName::OperationsFailedReplication,
        0,
    ));
    spec.steps
        .push(fault(Fault::RegionAvailable("eu-west-1".into())));
    spec.steps.push(revoke(role_policy(), "EncryptReplica"));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_metric(
        "to_dest",
        MetricName::OperationsPendingReplication,
        0,
    ));
    spec.steps.push(expect_metric(
        "to_dest",
        MetricName::OperationsFailedReplication,
        2,
    ));
    let out = run(spec);
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
    let mut spec = kms_cross_region();
    without(&mut spec, "DecryptSource");
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(put("source", "b.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_events(
        "to_dest",
        EventName::OperationFailedReplication,
        Some(FailureReason::SrcGetObjectNotPermitted),
        2,
    ));
    spec.steps.push(expect_events(
        "to_dest",
        EventName::OperationFailedReplication,
        Some(FailureReason::DstPutObjectNotPermitted),
        0,
    ));
    let out = run(spec);
    assert!(out.report().contains("s3:Replication:OperationFailedReplication source/a.txt v1 -> target (rule `to_dest`) failureReason SrcGetObjectNotPermitted"), "{}", out.report());
}

/// aws-facts e and i.16 [U-EVENTS] [U-METRICS]: without replication metrics on the rule there
/// is no failure event and no metric, though the object is still FAILED; expecting a metric or
/// a failure event of such a rule is impossible.
#[test]
fn e_no_events_or_metrics_without_metrics() {
    let setup = || {
        let mut spec = kms_cross_region();
        first_rule(&mut spec).destination.metrics = None;
        without(&mut spec, "DecryptSource");
        spec.steps.push(put("source", "a.txt", 10, None));
        spec.steps.push(Step::Replicate);
        spec
    };
    let mut spec = setup();
    spec.steps.push(expect_failed(
        "source",
        "a.txt",
        FailureReason::SrcGetObjectNotPermitted,
    ));
    spec.steps.push(expect_events(
        "to_dest",
        EventName::OperationFailedReplication,
        None,
        0,
    ));
    let out = run(spec);
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

    let mut spec = setup();
    spec.steps.push(expect_metric(
        "to_dest",
        MetricName::OperationsFailedReplication,
        1,
    ));
    let p = problem(spec);
    assert_eq!(
        (p.locus, p.kind),
        (Locus::new(Item::Step(3), "metric"), ProblemKind::Impossible)
    );
    assert!(
        p.message.contains("add `metrics: enabled`"),
        "{}",
        p.message
    );

    let mut spec = setup();
    spec.steps.push(expect_events(
        "to_dest",
        EventName::OperationFailedReplication,
        None,
        1,
    ));
    let p = problem(spec);
    assert_eq!(
        (p.locus, p.kind),
        (Locus::new(Item::Step(3), "event"), ProblemKind::Impossible)
    );
}

/// aws-facts e [U-RTC]: threshold events need S3 RTC; expecting one from a rule with metrics only
/// is impossible.
#[test]
fn e_threshold_events_need_rtc() {
    let mut spec = sse_s3();
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(expect_events(
        "to_dest",
        EventName::OperationMissedThreshold,
        None,
        1,
    ));
    let p = problem(spec);
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
    let mut spec = sse_s3();
    let d = &mut first_rule(&mut spec).destination;
    d.replication_time = Some(ReplicationTime {
        status: Status::Enabled,
        minutes: 15,
    });
    d.metrics = Some(Metrics {
        status: Status::Enabled,
        event_threshold_minutes: Some(15),
    });
    spec.steps
        .push(fault(Fault::RegionUnavailable("eu-west-1".into())));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(Step::Wait { seconds: 600 });
    spec.steps.push(expect_events(
        "to_dest",
        EventName::OperationMissedThreshold,
        None,
        0,
    ));
    spec.steps.push(Step::Wait { seconds: 600 });
    spec.steps.push(expect_events(
        "to_dest",
        EventName::OperationMissedThreshold,
        None,
        1,
    ));
    spec.steps.push(Step::Wait { seconds: 600 });
    spec.steps.push(expect_events(
        "to_dest",
        EventName::OperationMissedThreshold,
        None,
        1,
    ));
    spec.steps
        .push(fault(Fault::RegionAvailable("eu-west-1".into())));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps.push(expect_events(
        "to_dest",
        EventName::OperationReplicatedAfterThreshold,
        None,
        1,
    ));
    let out = run(spec);
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
    let mut spec = sse_s3();
    spec.steps
        .push(fault(Fault::RegionUnavailable("eu-west-1".into())));
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Wait { seconds: 3600 });
    spec.steps
        .push(fault(Fault::RegionAvailable("eu-west-1".into())));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect("source", "a.txt", ExpectedStatus::Completed));
    spec.steps.push(expect_events(
        "to_dest",
        EventName::OperationMissedThreshold,
        None,
        0,
    ));
    spec.steps.push(expect_events(
        "to_dest",
        EventName::OperationReplicatedAfterThreshold,
        None,
        0,
    ));
    run(spec);
}

/// aws-facts e [U-STATUS]: a delete marker gets no replication status of its own, and the
/// version it hides keeps COMPLETED.
#[test]
fn e_delete_markers_have_no_status() {
    let mut spec = sse_s3();
    first_rule(&mut spec).delete_marker_replication = Some(Status::Enabled);
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(Step::DeleteObject {
        bucket: "source".into(),
        key: "a.txt".into(),
        version: None,
    });
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect_obj(ObjectExpectation {
        version: Some(1),
        status: Some(ExpectedStatus::Completed),
        ..obj("source", "a.txt")
    }));
    let out = run(spec);
    let marker = row(&out, "source", "a.txt");
    assert!(marker.delete_marker);
    assert_eq!(marker.status, None);
    assert_eq!(
        row(&out, "target", "a.txt").status,
        Some(ReplicationStatus::Replica)
    );
}
