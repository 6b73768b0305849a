//! The typed result of each `expect` step: which step, where it was written, what it expected
//! and what the run found, as AWS values; the report and every front end render from it.

use replication_model::spec::*;
use replication_model::{
    CallVerdict, Check, ExpectedSse, FoundVersion, MetricCheck, Part, ReplicationStatus, Sse,
};

use crate::fixture::*;

/// A role without `kms:Encrypt` on the replica key: the object FAILS, so an expectation of
/// COMPLETED does not hold while the others do.
fn failing() -> ScenarioSpec {
    let mut spec = kms_cross_region();
    without(&mut spec, "EncryptReplica");
    spec.steps.push(put("source", "a.txt", 10, None));
    spec.steps.push(Step::Replicate);
    spec.steps
        .push(expect_config("source", ExpectedVerdict::Accepted));
    spec.steps.push(Step::Expect {
        expectation: Expectation::Object(ObjectExpectation {
            status: Some(ExpectedStatus::Completed),
            encryption: Some(ExpectedEncryption::SseKms {
                key: named("src_key"),
                bucket_key: None,
            }),
            ..obj("source", "a.txt")
        }),
        at: Some(SourceLocation {
            line: 12,
            column: 9,
        }),
    });
    spec.steps.push(expect_metric(
        "to_dest",
        MetricName::OperationsFailedReplication,
        1,
    ));
    spec
}

#[test]
fn each_expectation_is_a_typed_result() {
    let out = run_raw(failing());
    let results = out.expectations();
    assert_eq!(
        results
            .iter()
            .map(|e| (e.step, e.held()))
            .collect::<Vec<_>>(),
        [(3, true), (4, false), (5, true)]
    );
    assert_eq!(
        results[0].check,
        Check::Config(replication_model::ConfigCheck {
            bucket: "source".into(),
            expected: ExpectedVerdict::Accepted,
            actual: Some(CallVerdict::Accepted),
        })
    );
    let Check::Object(o) = &results[1].check else {
        panic!("an object check: {:?}", results[1].check)
    };
    assert_eq!(
        o.status,
        Some(Part {
            expected: ExpectedStatus::Completed,
            held: false
        })
    );
    let Some(FoundVersion {
        delete_marker: false,
        status: Some(ReplicationStatus::Failed),
        failure_reason: Some(FailureReason::DstPutObjectNotPermitted),
        sse: Some(Sse::SseKms { key_arn, .. }),
    }) = &o.found
    else {
        panic!("the FAILED source version: {:?}", o.found)
    };
    // The encryption part holds on its own: the source is under `src_key`.
    assert_eq!(
        o.encryption,
        Some(Part {
            expected: ExpectedSse::SseKms {
                key_arn: Some(key_arn.clone()),
                bucket_key: None,
            },
            held: true,
        })
    );
    assert!(matches!(
        results[2].check,
        Check::Metric(MetricCheck {
            metric: MetricName::OperationsFailedReplication,
            expected: 1,
            actual: Some(1),
            ..
        })
    ));
    assert_eq!(
        out.failed_expectations()
            .map(|e| e.step)
            .collect::<Vec<_>>(),
        [4]
    );
}

/// The report's line and the located line are renderings of the same result; the location is
/// in the located line only, so the report does not depend on where a scenario was written.
#[test]
fn a_failure_is_rendered_from_its_result_and_located_at_its_expect() {
    let out = run_raw(failing());
    let failed = out.failed_expectations().next().expect("one failure");
    let shown = failed.to_string();
    let arn = "SSE-KMS arn:aws:kms:us-east-1:111122223333:key/";
    assert!(
        shown.starts_with(&format!(
            "step 5: expected `source/a.txt` COMPLETED with {arn}"
        )),
        "{shown}"
    );
    assert!(shown.contains(&format!(", found FAILED, {arn}")), "{shown}");
    assert!(
        out.report().contains(&format!("FAIL {shown}\n")),
        "{}",
        out.report()
    );
    assert!(!out.report().contains("12:9"), "{}", out.report());
    assert_eq!(
        failed.located(Some("demo.scenario")).to_string(),
        format!("demo.scenario:12:9: expectation failed: {shown}")
    );
    assert_eq!(
        failed.located(None).to_string(),
        format!("12:9: expectation failed: {shown}")
    );
    let held = &out.expectations()[0];
    assert_eq!(
        held.located(Some("demo.scenario")).to_string(),
        format!("demo.scenario: expectation failed: {held}")
    );
}
