//! What an export holds: snapshots of one shipped scenario per format, byte-identical reruns,
//! and the deploy order each format promises.

use std::path::Path;

use replication_export::{Export, Format, export, load};

const REAL_ACCOUNT: &str = "../../scenarios/real_account/real_account.scenario";

fn real_account(format: Format) -> Export {
    let valid = load(
        Path::new(REAL_ACCOUNT),
        REAL_ACCOUNT,
        Some("real_names_and_cli_json_replicate"),
    )
    .expect("the shipped scenario validates");
    export(&valid, format).expect("the shipped scenario exports")
}

/// Every file of an export, each under a header with its path, as one text.
fn listing(e: &Export) -> String {
    e.files()
        .iter()
        .map(|(path, text)| format!("===== {path}\n{text}"))
        .collect()
}

#[test]
fn aws_cli_snapshot() {
    insta::assert_snapshot!(listing(&real_account(Format::AwsCli)));
}

#[test]
fn cloudformation_snapshot() {
    insta::assert_snapshot!(listing(&real_account(Format::CloudFormation)));
}

#[test]
fn terraform_snapshot() {
    insta::assert_snapshot!(listing(&real_account(Format::Terraform)));
}

#[test]
fn every_shipped_export_is_byte_identical_across_runs() {
    let root = Path::new("../..");
    let mut n_exported = 0;
    for s in replication_export::shipped(root).expect("the suites list") {
        let Ok(valid) = s.valid else { continue };
        for format in Format::ALL {
            let (Ok(first), Ok(second)) = (export(&valid, *format), export(&valid, *format)) else {
                continue;
            };
            assert_eq!(first, second, "{} as {format}", s.scenario);
            n_exported += 1;
        }
    }
    assert!(
        n_exported >= 3 * 70,
        "only {n_exported} exports; the shipped scenarios export"
    );
}

/// The position of the first input file whose name contains `what`.
fn position(e: &Export, what: &str) -> usize {
    e.files()
        .keys()
        .filter(|f| f.starts_with("inputs/"))
        .position(|f| f.contains(what))
        .unwrap_or_else(|| panic!("no input for `{what}`"))
}

#[test]
fn aws_cli_calls_come_in_dependency_order() {
    let e = real_account(Format::AwsCli);
    // Roles before the key policies naming them, keys before the role policies naming them,
    // versioning on both buckets before the replication configuration (aws-facts a.1).
    assert!(position(&e, "iam-create-role.crr") < position(&e, "kms-put-key-policy.prod_data"));
    assert!(position(&e, "kms-create-key.prod_data_dr") < position(&e, "iam-put-role-policy"));
    let replication = position(&e, "put-bucket-replication.source");
    assert!(position(&e, "put-bucket-versioning.source") < replication);
    assert!(position(&e, "put-bucket-versioning.replica") < replication);
    let script = &e.files()["deploy.sh"];
    assert!(script.starts_with("#!/usr/bin/env bash\n"));
    assert!(script.contains("set -euo pipefail"));
    assert!(script.contains("PROFILE_PROD=\"${PROFILE_PROD:-prod}\""));
    // The id the scenario gives is replaced by the one KMS returns.
    assert!(script.contains("replace_id 1234abcd-12ab-34cd-56ef-1234567890ab \"$new_id\""));
}

#[test]
fn cloudformation_passes_key_ids_between_stacks() {
    let e = real_account(Format::CloudFormation);
    let names: Vec<&String> = e.files().keys().collect();
    let stack = |part: &str| {
        names
            .iter()
            .position(|n| n.contains(part))
            .unwrap_or_else(|| panic!("no stack `{part}` in {names:?}"))
    };
    assert!(stack("prod-roles") < stack("us-east-1-keys"));
    assert!(
        stack("us-west-2-buckets") < stack("us-east-1-buckets"),
        "destination first"
    );
    let policies = e
        .files()
        .iter()
        .find(|(n, _)| n.contains("role-policies"))
        .map(|(_, t)| t)
        .expect("a role-policies stack");
    let template: serde_json::Value = serde_json::from_str(policies).expect("JSON");
    assert!(template["Parameters"]["ProdDataDrKeyId"].is_object());
    assert!(policies.contains("key/${ProdDataDrKeyId}"));
}

#[test]
fn terraform_refers_to_keys_it_creates() {
    let e = real_account(Format::Terraform);
    let tf = &e.files()["main.tf"];
    assert!(tf.contains("provider \"aws\" {\n  alias = \"prod_us_west_2\""));
    assert!(tf.contains("key/${aws_kms_key.prod_data_dr.key_id}"));
    assert!(
        !tf.contains("0987dcba-09fe-87dc-65ba-ab0987654321"),
        "no made-up id is deployed"
    );
    assert!(tf.contains(
        "depends_on = [aws_s3_bucket_versioning.source, aws_s3_bucket_versioning.replica]"
    ));
}

#[test]
fn the_readme_says_what_the_export_chose() {
    let e = real_account(Format::Terraform);
    let readme = &e.files()["README.md"];
    assert!(readme.contains("key `prod_data`: the documents use the key id the scenario gives"));
    assert!(readme.contains("are the test, not the configuration"));
    // The real key policies name a key administrators' role the scenario does not define.
    assert!(readme.contains(
        "the key policy of `prod_data` names `arn:aws:iam::111122223333:role/KeyAdmins`, which the scenario does not define"
    ));
}
