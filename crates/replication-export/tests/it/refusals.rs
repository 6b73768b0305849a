//! What export refuses, and that it says why: failing expectations, invalid scenarios, states
//! no deployment creates, and an output directory that is not an earlier export.

use std::path::Path;

use replication_export::{ExportError, Format, export, load};

fn write_scenario(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("replication-export-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write scenario");
    path
}

const REPLICATES: &str = r#"
/// SSE-S3 objects replicate within one account.
replicates {
    account prod = 111122223333;
    bucket source = s3(prod, "us-east-1") { name: "acme-src", versioning };
    bucket target = s3(prod, "us-west-2") { name: "acme-dst", versioning };
    role replicator = iam(prod) {
        trust s3;
        allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
        allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
        allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
    };
    replication source via replicator {
        rule to_west { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
    };
    put source "a.txt" = 1 KiB;
    replicate;
    expect source "a.txt" EXPECTED;
}
"#;

fn load_text(name: &str, text: &str) -> Result<replication_model::ValidSpec, ExportError> {
    let path = write_scenario(name, text);
    let label = path.display().to_string();
    load(&path, &label, None)
}

#[test]
fn a_scenario_whose_expectations_hold_exports() {
    let valid = load_text(
        "holds.scenario",
        &REPLICATES.replace("EXPECTED", "COMPLETED"),
    )
    .expect("valid");
    let e = export(&valid, Format::AwsCli).expect("exports");
    assert!(
        e.files()
            .contains_key("inputs/09-s3api-put-bucket-replication.source.json"),
        "{:?}",
        e.files().keys()
    );
}

#[test]
fn a_failing_expectation_is_refused_and_named() {
    let valid =
        load_text("fails.scenario", &REPLICATES.replace("EXPECTED", "FAILED")).expect("valid");
    let err = export(&valid, Format::Terraform).unwrap_err();
    let ExportError::ExpectationsFail { scenario, failures } = &err else {
        panic!("expected ExpectationsFail, got {err:?}");
    };
    assert_eq!(scenario, "replicates");
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].starts_with("step 4: expected"),
        "{}",
        failures[0]
    );
    assert!(
        err.to_string()
            .contains("fix the scenario or its expectations first")
    );
}

#[test]
fn an_invalid_scenario_is_refused_with_located_errors() {
    let text = REPLICATES
        .replace("account prod", "account prd")
        .replace("EXPECTED", "COMPLETED");
    let err = load_text("invalid.scenario", &text).unwrap_err();
    let ExportError::Invalid { diagnostics, .. } = &err else {
        panic!("expected Invalid, got {err:?}");
    };
    assert!(
        diagnostics
            .iter()
            .any(|d| d.contains("invalid.scenario:5:")
                && d.contains("account `prod` is not defined")),
        "{diagnostics:#?}"
    );
}

#[test]
fn several_scenarios_need_a_choice() {
    let two = format!(
        "{REPLICATES}\n{}",
        REPLICATES.replace("replicates {", "again {")
    );
    let err = load_text("two.scenario", &two.replace("EXPECTED", "COMPLETED")).unwrap_err();
    assert!(
        matches!(&err, ExportError::ChooseScenario { names, .. } if names == &["replicates", "again"]),
        "{err:?}"
    );
    assert!(err.to_string().contains("--scenario NAME"));
}

#[test]
fn a_key_state_no_deployment_creates_is_refused() {
    let text = r#"
/// A replica key still being created.
creating {
    account prod = 111122223333;
    key mrk = kms_mrk(prod, "us-east-1");
    key mrk_eu = replica_of(mrk, "eu-west-1") { state: Creating };
}
"#;
    let valid = load_text("creating.scenario", text).expect("valid");
    let err = export(&valid, Format::AwsCli).unwrap_err();
    assert!(
        matches!(&err, ExportError::Unsupported { problems, .. } if problems[0].contains("key `mrk_eu` starts in state Creating")),
        "{err:?}"
    );
}

#[test]
fn an_unknown_format_says_which_exist() {
    let err = "yaml".parse::<Format>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown format `yaml`; use aws-cli, cloudformation or terraform"
    );
    assert_eq!(
        "cloudformation".parse::<Format>().unwrap(),
        Format::CloudFormation
    );
}

#[test]
fn a_directory_that_is_not_an_export_is_never_overwritten() {
    let valid =
        load_text("dir.scenario", &REPLICATES.replace("EXPECTED", "COMPLETED")).expect("valid");
    let e = export(&valid, Format::Terraform).expect("exports");
    let dir =
        std::env::temp_dir().join(format!("replication-export-it-out-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("mine.txt"), "keep").expect("write");
    assert!(matches!(e.write_to(&dir), Err(ExportError::Write { .. })));
    assert_eq!(
        std::fs::read_to_string(dir.join("mine.txt")).expect("kept"),
        "keep"
    );
    let out = dir.join("export");
    e.write_to(&out).expect("a new directory is written");
    e.write_to(&out).expect("an earlier export is replaced");
    assert!(out.join("main.tf").is_file());
    assert!(!Path::new(&format!("{}.export-{}", out.display(), std::process::id())).exists());
    std::fs::remove_dir_all(&dir).expect("clean up");
}
