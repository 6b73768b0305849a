//! The Terraform form: one `main.tf` for the aws provider, a provider alias per account and
//! Region.
//!
//! Key ids are references (`aws_kms_key.x.key_id`), so Terraform orders keys before what names
//! them. Key policies are their own `aws_kms_key_policy` resources that wait for every role, as
//! KMS refuses a policy naming a principal that does not exist yet; bucket policies wait the
//! same way. Replication waits for the versioning of its source and destinations (aws-facts
//! a.1). Every argument used is one the provider documents: `.ci/terraform-aws-arguments.txt`
//! lists them, and `.ci/check-export` holds every export to that list.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::hcl::{self, Writer};
use crate::plan::{KeyCreation, Plan};

pub(crate) fn render(plan: &Plan) -> BTreeMap<String, String> {
    let mut w = Writer::default();
    w.comment(&format!(
        "The configuration scenario `{}` tested. Written by `cargo xtask export`; see README.md.",
        plan.scenario
    ));
    w.blank();
    w.open("terraform", &[]);
    w.open("required_providers", &[]);
    w.attr(
        "aws",
        "{\n  source  = \"hashicorp/aws\"\n  version = \">= 6.0\"\n}",
    );
    w.close();
    w.close();
    for a in &plan.accounts {
        w.blank();
        w.open("variable", &[&format!("profile_{}", a.name)]);
        w.attr(
            "description",
            &format!("\"AWS CLI profile of account {} ({})\"", a.name, a.id),
        );
        w.attr("type", "string");
        w.attr("default", &format!("\"{}\"", a.name));
        w.close();
    }
    for (account, region) in providers(plan) {
        let Some(a) = plan.account(&account) else {
            continue;
        };
        w.blank();
        w.open("provider", &["aws"]);
        w.attr("alias", &format!("\"{}\"", alias(&account, &region)));
        w.attr("region", &format!("\"{region}\""));
        w.attr("profile", &format!("var.profile_{account}"));
        w.attr("allowed_account_ids", &format!("[\"{}\"]", a.id));
        w.close();
    }
    let all_roles: Vec<String> = plan
        .roles
        .iter()
        .map(|r| format!("aws_iam_role.{}", r.name))
        .collect();
    let depends_on_roles = |w: &mut Writer| {
        if !all_roles.is_empty() {
            w.attr("depends_on", &format!("[{}]", all_roles.join(", ")));
        }
    };

    for r in &plan.roles {
        let provider = iam_provider(plan, &r.account);
        w.blank();
        w.open("resource", &["aws_iam_role", &r.name]);
        w.attr("provider", &provider);
        w.attr("name", &hcl::string(plan, &r.role_name));
        w.attr("path", &hcl::string(plan, &r.path));
        w.attr(
            "description",
            &hcl::string(
                plan,
                &format!(
                    "replication-lab scenario {}: role {}",
                    plan.scenario, r.name
                ),
            ),
        );
        w.attr("assume_role_policy", &hcl::jsonencode(plan, &r.trust));
        w.close();
        for (name, doc) in &r.policies {
            w.blank();
            w.open(
                "resource",
                &["aws_iam_role_policy", &label(&format!("{}_{name}", r.name))],
            );
            w.attr("provider", &provider);
            w.attr("name", &hcl::string(plan, name));
            w.attr("role", &format!("aws_iam_role.{}.id", r.name));
            w.attr("policy", &hcl::jsonencode(plan, doc));
            w.close();
        }
    }

    for (idx, _) in plan.managed_keys.iter().enumerate() {
        let m = &plan.managed_keys[idx];
        w.blank();
        w.comment("The AWS managed key aws/s3, which S3 creates in every account and Region.");
        w.open("data", &["aws_kms_key", &hcl::managed_key_label(plan, idx)]);
        w.attr("provider", &format!("aws.{}", alias(&m.account, &m.region)));
        w.attr("key_id", "\"alias/aws/s3\"");
        w.close();
    }

    for k in &plan.keys {
        let provider = format!("aws.{}", alias(&k.account, &k.region));
        let description = hcl::string(
            plan,
            &format!("replication-lab scenario {}: key {}", plan.scenario, k.name),
        );
        w.blank();
        match k.creation {
            KeyCreation::SingleRegion | KeyCreation::MultiRegionPrimary => {
                w.open("resource", &["aws_kms_key", &k.name]);
                w.attr("provider", &provider);
                w.attr("description", &description);
                w.attr("key_usage", "\"ENCRYPT_DECRYPT\"");
                w.attr("customer_master_key_spec", "\"SYMMETRIC_DEFAULT\"");
                w.attr(
                    "multi_region",
                    &(k.creation == KeyCreation::MultiRegionPrimary).to_string(),
                );
                w.attr("is_enabled", &k.enabled.to_string());
                w.close();
            }
            KeyCreation::MultiRegionReplica { primary } => {
                w.open("resource", &["aws_kms_replica_key", &k.name]);
                w.attr("provider", &provider);
                w.attr("description", &description);
                w.attr(
                    "primary_key_arn",
                    &format!("aws_kms_key.{}.arn", plan.keys[primary].name),
                );
                w.attr("enabled", &k.enabled.to_string());
                w.close();
            }
        }
        let key_id = match k.creation {
            KeyCreation::MultiRegionReplica { .. } => {
                format!("aws_kms_replica_key.{}.key_id", k.name)
            }
            _ => format!("aws_kms_key.{}.key_id", k.name),
        };
        w.blank();
        w.open("resource", &["aws_kms_key_policy", &k.name]);
        w.attr("provider", &provider);
        w.attr("key_id", &key_id);
        w.attr("policy", &hcl::jsonencode(plan, &k.policy));
        depends_on_roles(&mut w);
        w.close();
        for alias_name in &k.aliases {
            w.blank();
            w.open(
                "resource",
                &[
                    "aws_kms_alias",
                    &label(&format!(
                        "{}_{}",
                        k.name,
                        alias_name.trim_start_matches("alias/")
                    )),
                ],
            );
            w.attr("provider", &provider);
            w.attr("name", &hcl::string(plan, alias_name));
            w.attr("target_key_id", &key_id);
            w.close();
        }
        for (i, g) in k.grants.iter().enumerate() {
            w.blank();
            w.open(
                "resource",
                &["aws_kms_grant", &format!("{}_grant{}", k.name, i + 1)],
            );
            w.attr("provider", &provider);
            w.attr("name", &format!("\"{}-grant{}\"", k.name, i + 1));
            w.attr("key_id", &key_id);
            w.attr("grantee_principal", &hcl::string(plan, &g.grantee));
            let ops: Vec<String> = g.operations.iter().map(|o| hcl::string(plan, o)).collect();
            w.attr("operations", &format!("[{}]", ops.join(", ")));
            if !g.encryption_context_subset.is_empty() {
                w.open("constraints", &[]);
                let pairs: Vec<String> = g
                    .encryption_context_subset
                    .iter()
                    .map(|(k, v)| format!("  {} = {}", hcl::string(plan, k), hcl::string(plan, v)))
                    .collect();
                w.attr(
                    "encryption_context_subset",
                    &format!("{{\n{}\n}}", pairs.join("\n")),
                );
                w.close();
            }
            depends_on_roles(&mut w);
            w.close();
        }
    }

    for b in &plan.buckets {
        let provider = format!("aws.{}", alias(&b.account, &b.region));
        let bucket = format!("aws_s3_bucket.{}.id", b.name);
        w.blank();
        w.open("resource", &["aws_s3_bucket", &b.name]);
        w.attr("provider", &provider);
        w.attr("bucket", &hcl::string(plan, &b.s3_name));
        if b.object_lock {
            w.attr("object_lock_enabled", "true");
        }
        w.close();
        if let Some(status) = b.versioning {
            w.blank();
            w.open("resource", &["aws_s3_bucket_versioning", &b.name]);
            w.attr("provider", &provider);
            w.attr("bucket", &bucket);
            w.open("versioning_configuration", &[]);
            w.attr("status", &format!("\"{status}\""));
            w.close();
            w.close();
        }
        w.blank();
        w.open(
            "resource",
            &[
                "aws_s3_bucket_server_side_encryption_configuration",
                &b.name,
            ],
        );
        w.attr("provider", &provider);
        w.attr("bucket", &bucket);
        w.open("rule", &[]);
        w.open("apply_server_side_encryption_by_default", &[]);
        w.attr("sse_algorithm", &format!("\"{}\"", b.encryption.algorithm));
        if let Some(key) = &b.encryption.kms_key {
            w.attr("kms_master_key_id", &hcl::string(plan, key));
        }
        w.close();
        w.attr("bucket_key_enabled", &b.encryption.bucket_key.to_string());
        let blocked = if b.encryption.blocks_sse_c {
            "SSE-C"
        } else {
            "NONE"
        };
        w.attr("blocked_encryption_types", &format!("[\"{blocked}\"]"));
        w.close();
        w.close();
        if let Some(policy) = &b.policy {
            w.blank();
            w.open("resource", &["aws_s3_bucket_policy", &b.name]);
            w.attr("provider", &provider);
            w.attr("bucket", &bucket);
            w.attr("policy", &hcl::jsonencode(plan, policy));
            depends_on_roles(&mut w);
            w.close();
        }
        if b.requester_pays {
            w.blank();
            w.open(
                "resource",
                &["aws_s3_bucket_request_payment_configuration", &b.name],
            );
            w.attr("provider", &provider);
            w.attr("bucket", &bucket);
            w.attr("payer", "\"Requester\"");
            w.close();
        }
    }

    for r in &plan.replications {
        let Some(b) = plan.bucket(&r.bucket) else {
            continue;
        };
        w.blank();
        w.open(
            "resource",
            &["aws_s3_bucket_replication_configuration", &b.name],
        );
        w.attr("provider", &format!("aws.{}", alias(&b.account, &b.region)));
        w.attr("bucket", &format!("aws_s3_bucket.{}.id", b.name));
        let role = r
            .configuration
            .get("Role")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match &r.role {
            Some(name) => w.attr("role", &format!("aws_iam_role.{name}.arn")),
            None => w.attr("role", &hcl::string(plan, role)),
        }
        for rule in r
            .configuration
            .get("Rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            rule_block(&mut w, plan, rule);
        }
        // S3 refuses the configuration unless the source and every destination are versioned.
        let mut waits: Vec<String> = Vec::new();
        for name in std::iter::once(&r.bucket).chain(&r.destinations) {
            match plan.bucket(name) {
                Some(d) if d.versioning.is_some() => {
                    waits.push(format!("aws_s3_bucket_versioning.{name}"));
                }
                Some(_) => waits.push(format!("aws_s3_bucket.{name}")),
                None => {}
            }
        }
        if !waits.is_empty() {
            w.attr("depends_on", &format!("[{}]", waits.join(", ")));
        }
        w.close();
    }

    let mut files = BTreeMap::new();
    files.insert("main.tf".to_owned(), w.finish());
    files.insert("README.md".to_owned(), readme(plan));
    files
}

/// Every (account, Region) a resource lives in, sorted.
fn providers(plan: &Plan) -> Vec<(String, String)> {
    let mut set = std::collections::BTreeSet::new();
    for k in &plan.keys {
        set.insert((k.account.clone(), k.region.clone()));
    }
    for b in &plan.buckets {
        set.insert((b.account.clone(), b.region.clone()));
    }
    for m in &plan.managed_keys {
        set.insert((m.account.clone(), m.region.clone()));
    }
    for r in &plan.roles {
        if !set.iter().any(|(a, _)| a == &r.account) {
            set.insert((r.account.clone(), IAM_REGION.to_owned()));
        }
    }
    set.into_iter().collect()
}

/// IAM is global; an account with only roles gets a provider in this Region (*inferred*).
const IAM_REGION: &str = "us-east-1";

/// The provider of an account's IAM resources: its first Region in sorted order (*inferred*;
/// any of the account's providers would do, as IAM is global).
fn iam_provider(plan: &Plan, account: &str) -> String {
    let region = providers(plan)
        .into_iter()
        .find(|(a, _)| a == account)
        .map_or_else(|| IAM_REGION.to_owned(), |(_, r)| r);
    format!("aws.{}", alias(account, &region))
}

fn alias(account: &str, region: &str) -> String {
    format!("{account}_{}", region.replace('-', "_"))
}

/// A resource label from arbitrary text.
fn label(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// One `ReplicationRule` (S3 API shape) as the provider's `rule` block.
fn rule_block(w: &mut Writer, plan: &Plan, rule: &Value) {
    let s = |v: &Value| hcl::string(plan, v.as_str().unwrap_or_default());
    w.open("rule", &[]);
    if let Some(id) = rule.get("ID") {
        w.attr("id", &s(id));
    }
    if let Some(p) = rule.get("Priority") {
        w.attr("priority", &p.to_string());
    }
    if let Some(prefix) = rule.get("Prefix") {
        w.attr("prefix", &s(prefix));
    }
    if let Some(status) = rule.get("Status") {
        w.attr("status", &s(status));
    }
    if let Some(filter) = rule.get("Filter") {
        w.open("filter", &[]);
        if let Some(prefix) = filter.get("Prefix") {
            w.attr("prefix", &s(prefix));
        }
        if let Some(tag) = filter.get("Tag") {
            w.open("tag", &[]);
            w.attr("key", &s(&tag["Key"]));
            w.attr("value", &s(&tag["Value"]));
            w.close();
        }
        if let Some(and) = filter.get("And") {
            w.open("and", &[]);
            if let Some(prefix) = and.get("Prefix") {
                w.attr("prefix", &s(prefix));
            }
            let tags: Vec<String> = and
                .get("Tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|t| format!("  {} = {}", s(&t["Key"]), s(&t["Value"])))
                .collect();
            w.attr("tags", &format!("{{\n{}\n}}", tags.join("\n")));
            w.close();
        }
        w.close();
    }
    if let Some(ssc) = rule.get("SourceSelectionCriteria") {
        w.open("source_selection_criteria", &[]);
        for (api, tf) in [
            ("SseKmsEncryptedObjects", "sse_kms_encrypted_objects"),
            ("ReplicaModifications", "replica_modifications"),
        ] {
            if let Some(status) = ssc.get(api).and_then(|v| v.get("Status")) {
                w.open(tf, &[]);
                w.attr("status", &s(status));
                w.close();
            }
        }
        w.close();
    }
    if let Some(dmr) = rule
        .get("DeleteMarkerReplication")
        .and_then(|v| v.get("Status"))
    {
        w.open("delete_marker_replication", &[]);
        w.attr("status", &s(dmr));
        w.close();
    }
    if let Some(d) = rule.get("Destination") {
        w.open("destination", &[]);
        w.attr("bucket", &s(&d["Bucket"]));
        if let Some(a) = d.get("Account") {
            w.attr("account", &s(a));
        }
        if let Some(sc) = d.get("StorageClass") {
            w.attr("storage_class", &s(sc));
        }
        if let Some(owner) = d
            .get("AccessControlTranslation")
            .and_then(|v| v.get("Owner"))
        {
            w.open("access_control_translation", &[]);
            w.attr("owner", &s(owner));
            w.close();
        }
        if let Some(key) = d
            .get("EncryptionConfiguration")
            .and_then(|v| v.get("ReplicaKmsKeyID"))
        {
            w.open("encryption_configuration", &[]);
            w.attr("replica_kms_key_id", &s(key));
            w.close();
        }
        if let Some(rt) = d.get("ReplicationTime") {
            w.open("replication_time", &[]);
            w.attr("status", &s(&rt["Status"]));
            w.open("time", &[]);
            w.attr("minutes", &rt["Time"]["Minutes"].to_string());
            w.close();
            w.close();
        }
        if let Some(m) = d.get("Metrics") {
            w.open("metrics", &[]);
            w.attr("status", &s(&m["Status"]));
            if let Some(minutes) = m.get("EventThreshold").and_then(|e| e.get("Minutes")) {
                w.open("event_threshold", &[]);
                w.attr("minutes", &minutes.to_string());
                w.close();
            }
            w.close();
        }
        w.close();
    }
    w.close();
}

fn readme(plan: &Plan) -> String {
    let mut s = format!(
        "# Scenario `{}` as Terraform\n\n\
         Written by `cargo xtask export --format terraform`: `main.tf` for the aws provider, one\n\
         provider alias per account and Region, each with the account's AWS CLI profile and\n\
         `allowed_account_ids`, so Terraform refuses to apply in another account.\n\n\
         ```sh\nterraform init\nterraform apply",
        plan.scenario
    );
    for a in &plan.accounts {
        s.push_str(&format!(
            " -var profile_{}=<profile of {} ({})>",
            a.name, a.name, a.id
        ));
    }
    s.push_str(
        "\n```\n\n\
         Key ids are references to the keys Terraform creates; key and bucket policies wait for\n\
         every role (KMS and S3 refuse a policy naming a principal that does not exist yet), and\n\
         the replication configuration waits for versioning on its source and destinations.\n\n",
    );
    s.push_str(&crate::aws_cli::choices(plan));
    s
}
