//! The AWS CLI form: one `--cli-input-json` file per call, and `deploy.sh` that makes the calls
//! in dependency order.
//!
//! Order: roles (trust policies only), keys (KMS's default policy, so no principal needs to
//! exist yet), their replicas, then key policies, aliases and grants (every role exists now),
//! role policies (every key id is known now), buckets with versioning, encryption and policies,
//! and replication last: `PutBucketReplication` needs versioning on the source and an existing,
//! versioned destination (aws-facts a.1, a.4). Keys the scenario starts Disabled are disabled
//! at the very end. KMS picks key ids at `CreateKey`, so the script replaces the scenario's id
//! by the one KMS returns in every input it has not sent yet.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::plan::{KeyCreation, Plan};

/// One AWS CLI call.
struct Call {
    account: String,
    /// `None` for IAM, which is global.
    region: Option<String>,
    service: &'static str,
    operation: &'static str,
    /// What the call is about, for the file name.
    subject: String,
    input: Value,
    /// After the call: which id the answer's key id replaces.
    captures: Option<String>,
}

pub(crate) fn render(plan: &Plan) -> BTreeMap<String, String> {
    let calls = calls(plan);
    let width = calls.len().to_string().len().max(2);
    let mut files = BTreeMap::new();
    let mut script = header(plan);
    for (i, call) in calls.iter().enumerate() {
        let file = format!(
            "{:0width$}-{}-{}.{}.json",
            i + 1,
            call.service,
            call.operation,
            file_part(&call.subject)
        );
        let mut text = serde_json::to_string_pretty(&call.input).unwrap_or_default();
        text.push('\n');
        files.insert(format!("inputs/{file}"), text);
        let profile = profile_var(&call.account);
        let region = call
            .region
            .as_ref()
            .map(|r| format!(" --region {r}"))
            .unwrap_or_default();
        let command = format!(
            "aws {} {} --profile \"${profile}\"{region} --cli-input-json \"file://$work/{file}\"",
            call.service, call.operation
        );
        match &call.captures {
            Some(old_id) => {
                let _ = writeln!(
                    script,
                    "new_id=$({command} --query KeyMetadata.KeyId --output text)\nreplace_id {old_id} \"$new_id\""
                );
            }
            None => {
                let _ = writeln!(script, "{command} >/dev/null");
            }
        }
    }
    script.push_str("echo \"deployed scenario ");
    script.push_str(&plan.scenario);
    script.push_str("\"\n");
    files.insert("deploy.sh".to_owned(), script);
    files.insert("README.md".to_owned(), readme(plan, &files));
    files
}

fn calls(plan: &Plan) -> Vec<Call> {
    let mut calls = Vec::new();
    let policy_text = |v: &Value| serde_json::to_string(v).unwrap_or_default();
    for r in &plan.roles {
        calls.push(Call {
            account: r.account.clone(),
            region: None,
            service: "iam",
            operation: "create-role",
            subject: r.name.clone(),
            input: json!({
                "Path": r.path,
                "RoleName": r.role_name,
                "AssumeRolePolicyDocument": policy_text(&r.trust),
                "Description": format!("replication-lab scenario {}: role {}", plan.scenario, r.name),
            }),
            captures: None,
        });
    }
    for k in &plan.keys {
        let description = format!("replication-lab scenario {}: key {}", plan.scenario, k.name);
        match k.creation {
            KeyCreation::SingleRegion | KeyCreation::MultiRegionPrimary => calls.push(Call {
                account: k.account.clone(),
                region: Some(k.region.clone()),
                service: "kms",
                operation: "create-key",
                subject: k.name.clone(),
                input: json!({
                    "Description": description,
                    "KeyUsage": "ENCRYPT_DECRYPT",
                    "KeySpec": "SYMMETRIC_DEFAULT",
                    "MultiRegion": k.creation == KeyCreation::MultiRegionPrimary,
                }),
                captures: Some(k.key_id.clone()),
            }),
            KeyCreation::MultiRegionReplica { primary } => {
                let p = &plan.keys[primary];
                calls.push(Call {
                    account: p.account.clone(),
                    region: Some(p.region.clone()),
                    service: "kms",
                    operation: "replicate-key",
                    subject: k.name.clone(),
                    input: json!({
                        "KeyId": p.key_id,
                        "ReplicaRegion": k.region,
                        "Description": description,
                    }),
                    captures: None,
                });
            }
        }
    }
    for k in &plan.keys {
        calls.push(Call {
            account: k.account.clone(),
            region: Some(k.region.clone()),
            service: "kms",
            operation: "put-key-policy",
            subject: k.name.clone(),
            input: json!({ "KeyId": k.key_id, "PolicyName": "default", "Policy": policy_text(&k.policy) }),
            captures: None,
        });
        for alias in &k.aliases {
            calls.push(Call {
                account: k.account.clone(),
                region: Some(k.region.clone()),
                service: "kms",
                operation: "create-alias",
                subject: format!("{}.{}", k.name, alias.trim_start_matches("alias/")),
                input: json!({ "AliasName": alias, "TargetKeyId": k.key_id }),
                captures: None,
            });
        }
        for (i, g) in k.grants.iter().enumerate() {
            let mut input = Map::new();
            input.insert("KeyId".into(), json!(k.key_id));
            input.insert("GranteePrincipal".into(), json!(g.grantee));
            input.insert("Operations".into(), json!(g.operations));
            if !g.encryption_context_subset.is_empty() {
                input.insert(
                    "Constraints".into(),
                    json!({ "EncryptionContextSubset": g.encryption_context_subset }),
                );
            }
            calls.push(Call {
                account: k.account.clone(),
                region: Some(k.region.clone()),
                service: "kms",
                operation: "create-grant",
                subject: format!("{}.grant{}", k.name, i + 1),
                input: Value::Object(input),
                captures: None,
            });
        }
    }
    for r in &plan.roles {
        for (name, doc) in &r.policies {
            calls.push(Call {
                account: r.account.clone(),
                region: None,
                service: "iam",
                operation: "put-role-policy",
                subject: format!("{}.{name}", r.name),
                input: json!({ "RoleName": r.role_name, "PolicyName": name, "PolicyDocument": policy_text(doc) }),
                captures: None,
            });
        }
    }
    for b in &plan.buckets {
        let bucket_call = |operation: &'static str, input: Value| Call {
            account: b.account.clone(),
            region: Some(b.region.clone()),
            service: "s3api",
            operation,
            subject: b.name.clone(),
            input,
            captures: None,
        };
        let mut create = Map::new();
        create.insert("Bucket".into(), json!(b.s3_name));
        // us-east-1 takes no LocationConstraint; every other Region needs its own.
        if b.region != "us-east-1" {
            create.insert(
                "CreateBucketConfiguration".into(),
                json!({ "LocationConstraint": b.region }),
            );
        }
        if b.object_lock {
            create.insert("ObjectLockEnabledForBucket".into(), json!(true));
        }
        calls.push(bucket_call("create-bucket", Value::Object(create)));
        if let Some(status) = b.versioning {
            calls.push(bucket_call(
                "put-bucket-versioning",
                json!({ "Bucket": b.s3_name, "VersioningConfiguration": { "Status": status } }),
            ));
        }
        let mut default = Map::new();
        default.insert("SSEAlgorithm".into(), json!(b.encryption.algorithm));
        if let Some(key) = &b.encryption.kms_key {
            default.insert("KMSMasterKeyID".into(), json!(key));
        }
        let blocked = if b.encryption.blocks_sse_c {
            "SSE-C"
        } else {
            "NONE"
        };
        calls.push(bucket_call(
            "put-bucket-encryption",
            json!({
                "Bucket": b.s3_name,
                "ServerSideEncryptionConfiguration": { "Rules": [{
                    "ApplyServerSideEncryptionByDefault": default,
                    "BucketKeyEnabled": b.encryption.bucket_key,
                    "BlockedEncryptionTypes": { "EncryptionType": [blocked] },
                }] },
            }),
        ));
        if let Some(policy) = &b.policy {
            calls.push(bucket_call(
                "put-bucket-policy",
                json!({ "Bucket": b.s3_name, "Policy": policy_text(policy) }),
            ));
        }
        if b.requester_pays {
            calls.push(bucket_call(
                "put-bucket-request-payment",
                json!({ "Bucket": b.s3_name, "RequestPaymentConfiguration": { "Payer": "Requester" } }),
            ));
        }
    }
    for r in &plan.replications {
        let Some(b) = plan.bucket(&r.bucket) else {
            continue;
        };
        calls.push(Call {
            account: b.account.clone(),
            region: Some(b.region.clone()),
            service: "s3api",
            operation: "put-bucket-replication",
            subject: b.name.clone(),
            input: json!({ "Bucket": b.s3_name, "ReplicationConfiguration": r.configuration }),
            captures: None,
        });
    }
    for k in plan.keys.iter().filter(|k| !k.enabled) {
        calls.push(Call {
            account: k.account.clone(),
            region: Some(k.region.clone()),
            service: "kms",
            operation: "disable-key",
            subject: k.name.clone(),
            input: json!({ "KeyId": k.key_id }),
            captures: None,
        });
    }
    calls
}

/// The start of a deploy script: shebang, strict mode, the script's own folder, and one profile
/// variable per account (overridable from the environment). `what` completes "Deploys ...".
pub(crate) fn script_preamble(plan: &Plan, what: &str) -> String {
    let mut s = format!(
        "#!/usr/bin/env bash\n\
         # Deploys {what}. Written by `cargo xtask export`; see README.md.\n\
         set -euo pipefail\n\
         cd \"$(dirname \"$0\")\"\n\n\
         # One AWS CLI profile per account (override from the environment).\n"
    );
    for a in &plan.accounts {
        let var = profile_var(&a.name);
        let _ = writeln!(s, "{var}=\"${{{var}:-{}}}\"", a.name);
    }
    s
}

/// The shell variable that holds an account's AWS CLI profile.
pub(crate) fn profile_var(account: &str) -> String {
    format!("PROFILE_{}", account.to_ascii_uppercase())
}

fn file_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

fn header(plan: &Plan) -> String {
    let mut s = script_preamble(
        plan,
        &format!("the configuration scenario `{}` tested", plan.scenario),
    );
    s.push_str(
        "\n# The inputs are copied, so the ids KMS returns can replace the scenario's ones.\n\
         work=\"$(mktemp -d)\"\n\
         trap 'rm -rf \"$work\"' EXIT\n\
         cp inputs/*.json \"$work/\"\n\n\
         # replace_id OLD NEW: in every input not sent yet, the scenario's key id OLD becomes NEW.\n\
         replace_id() {\n  \
           local f\n  \
           for f in \"$work\"/*.json; do\n    \
             sed \"s/$1/$2/g\" \"$f\" >\"$f.new\" && mv \"$f.new\" \"$f\"\n  \
           done\n\
         }\n\n\
         # check_account PROFILE ID: the profile must be the scenario's account, whose id the documents name.\n\
         check_account() {\n  \
           local actual\n  \
           actual=\"$(aws sts get-caller-identity --profile \"$1\" --query Account --output text)\"\n  \
           if [ \"$actual\" != \"$2\" ]; then\n    \
             echo \"profile $1 is account $actual, but the scenario's documents name account $2; put your account id in the scenario and export again\" >&2\n    \
             exit 1\n  \
           fi\n\
         }\n\n",
    );
    for a in &plan.accounts {
        let _ = writeln!(s, "check_account \"${}\" {}", profile_var(&a.name), a.id);
    }
    for m in &plan.managed_keys {
        let _ = writeln!(
            s,
            "# The AWS managed key aws/s3 of `{}` in {}: the documents name it by the model's id.\n\
             new_id=$(aws kms describe-key --profile \"${}\" --region {} --key-id alias/aws/s3 --query KeyMetadata.KeyId --output text)\n\
             replace_id {} \"$new_id\"",
            m.account,
            m.region,
            profile_var(&m.account),
            m.region,
            m.key_id
        );
    }
    s.push('\n');
    s
}

fn readme(plan: &Plan, files: &BTreeMap<String, String>) -> String {
    let mut s = format!(
        "# Scenario `{}` as AWS CLI calls\n\n\
         Written by `cargo xtask export --format aws-cli`. Each file under `inputs/` is the\n\
         `--cli-input-json` of one call; `deploy.sh` makes the calls in this order:\n\n",
        plan.scenario
    );
    for name in files.keys().filter_map(|f| f.strip_prefix("inputs/")) {
        let _ = writeln!(s, "- `{name}`");
    }
    s.push_str(
        "\nRoles first (trust policies only), then keys with KMS's default policy (so no principal\n\
         has to exist yet), key policies, aliases and grants once every role exists, role policies\n\
         once every key id is known, buckets with versioning, default encryption and policies,\n\
         and `put-bucket-replication` last, since S3 refuses it unless both buckets exist and are\n\
         versioned. Keys the scenario starts Disabled are disabled at the end.\n\n\
         Run it with one AWS CLI profile per account:\n\n```sh\n",
    );
    let vars: Vec<String> = plan
        .accounts
        .iter()
        .map(|a| {
            format!(
                "{}=<profile of {} ({})>",
                profile_var(&a.name),
                a.name,
                a.id
            )
        })
        .collect();
    let _ = writeln!(s, "{} ./deploy.sh\n```\n", vars.join(" "));
    s.push_str(&choices(plan));
    s
}

/// The README section that lists what the export chose.
pub(crate) fn choices(plan: &Plan) -> String {
    let mut s = String::from("## What the export chose\n\n");
    if plan.choices.is_empty() {
        s.push_str("Nothing: every value comes from the scenario.\n");
    }
    for c in &plan.choices {
        let _ = writeln!(s, "- {}", c.sentence());
    }
    s.push_str(
        "- identity policies are deployed as inline role policies (`PutRolePolicy`), under the names the scenario gives them\n",
    );
    s
}
