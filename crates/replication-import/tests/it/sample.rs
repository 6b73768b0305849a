//! The shipped sample imports, and its probes say per encryption type what replicates.

use replication_import::{DestinationResult, ImportConfig, ProbeEncryption, ProbeOutcome, import};
use replication_model::FailureReason;

use crate::sample_dir;

fn sample_config() -> ImportConfig {
    // The scenario next to the sample, as the walkthrough writes it: `json_file` paths start
    // with `acme/`, the same on every machine.
    let mut config = ImportConfig::new(sample_dir(), sample_dir().with_file_name("acme.scenario"));
    config.shown_as = "examples/import/acme".into();
    config
}

#[test]
fn the_sample_becomes_a_readable_scenario() {
    let imported = import(&sample_config()).unwrap_or_else(|p| {
        panic!(
            "{}",
            p.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    insta::assert_snapshot!("acme_scenario", imported.text);
    insta::assert_snapshot!("acme_summary", imported.summary());
}

#[test]
fn probes_show_what_each_encryption_type_does() {
    let imported = import(&sample_config()).unwrap();
    assert_eq!(
        imported.configurations,
        vec![("acme.prod-data".to_owned(), None)]
    );
    let outcome = |rule: &str, enc: ProbeEncryption| {
        imported
            .probes
            .iter()
            .find(|r| r.probe.rule == rule && r.probe.encryption == enc)
            .map(|r| r.outcome.clone())
            .unwrap_or_else(|| panic!("no {enc:?} probe for rule {rule}"))
    };
    // The source bucket blocks SSE-C, so it gets no SSE-C probe.
    assert!(
        imported
            .probes
            .iter()
            .all(|r| r.probe.encryption != ProbeEncryption::SseC)
    );
    let completed = |o: ProbeOutcome| match o {
        ProbeOutcome::Replicated(d) => {
            d.len() == 1
                && d[0].result == DestinationResult::Completed
                && d[0].bucket == "acme-dr.data"
        }
        _ => false,
    };
    assert!(completed(outcome("data-to-dr", ProbeEncryption::SseS3)));
    assert!(completed(outcome(
        "retained-logs-to-dr",
        ProbeEncryption::SseS3
    )));
    // The DR key's policy lets the production role decrypt, not encrypt.
    for enc in [ProbeEncryption::SseKms, ProbeEncryption::DsseKms] {
        match outcome("data-to-dr", enc) {
            ProbeOutcome::Replicated(d) => match &d[0].result {
                DestinationResult::Failed { reason, fix } => {
                    assert_eq!(*reason, FailureReason::DstPutObjectNotPermitted);
                    assert!(fix.contains("kms:Encrypt"), "{fix}");
                }
                other => panic!("{enc:?}: {other:?}"),
            },
            other => panic!("{enc:?}: {other:?}"),
        }
        // The logs rule does not opt in to SSE-KMS objects.
        match outcome("retained-logs-to-dr", enc) {
            ProbeOutcome::NotReplicated { skipped } => {
                assert_eq!(skipped.len(), 1);
                assert_eq!(&*skipped[0].rule, "retained-logs-to-dr");
                assert_eq!(
                    skipped[0].why,
                    replication_model::NotEligible::SseKmsWithoutSseKmsEncryptedObjects
                );
            }
            other => panic!("{enc:?}: {other:?}"),
        }
    }
}

#[test]
fn the_import_is_deterministic() {
    let a = import(&sample_config()).unwrap();
    let b = import(&sample_config()).unwrap();
    assert_eq!(a.text, b.text);
    assert_eq!(a.report, b.report);
}

/// The generated scenario, written where the walkthrough puts it, runs through the public
/// entry point with every expectation holding.
#[test]
fn the_written_scenario_checks_and_its_expectations_hold() {
    let scratch = crate::Scratch::copy_of_sample("written");
    let config = scratch.config();
    let imported = import(&config).unwrap();
    replication_import::write_scenario(&config.out, &imported.text).unwrap();
    let text = std::fs::read_to_string(&config.out).unwrap();
    let label = config.out.display().to_string();
    let valid = replication_dsl::validate_suite(&label, &text).unwrap();
    let outcome = replication_model::run(&valid[0]).unwrap();
    assert_eq!(
        outcome
            .failed_expectations()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        Vec::<String>::new()
    );
    assert!(text.contains("replication acme_prod_data json_file \"acme/111122223333/us-east-1/s3/acme.prod-data/get-bucket-replication.json\";"), "{text}");
}
