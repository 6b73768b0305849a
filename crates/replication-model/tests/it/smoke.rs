//! The fixture itself works end to end.

use replication_model::spec::*;

use crate::fixture::*;

#[test]
fn sse_kms_object_replicates_cross_region_with_opt_in() {
    let mut spec = kms_cross_region();
    spec.steps.push(put("source", "reports/q1.csv", 4096, None));
    spec.steps.push(Step::Replicate);
    spec.steps.push(expect(
        "source",
        "reports/q1.csv",
        ExpectedStatus::Completed,
    ));
    spec.steps
        .push(expect("target", "reports/q1.csv", ExpectedStatus::Replica));
    spec.steps.push(expect_encryption(
        "target",
        "reports/q1.csv",
        ExpectedEncryption::SseKms {
            key: Some(KeyRef::Named("dst_key".into())),
            bucket_key: Some(false),
        },
    ));
    let out = run(spec);
    println!("{}", out.report());
    assert_eq!(
        out.get_object("target", "reports/q1.csv").unwrap(),
        out.get_object("source", "reports/q1.csv").unwrap()
    );
}
