//! What a deployment of a scenario creates, in AWS's own terms, before any output format.
//!
//! The plan is read off the validated spec: the catalog gives real names, ARNs and ids, the
//! compiled policies give every document as canonical AWS JSON (names resolved to ARNs, KMS's
//! default policy for a key without one), and the steps give the replication configurations.
//! The three renderers only choose spellings; every decision about *what* is deployed, and every
//! value the scenario does not hold and the export had to choose, is made here, once.

use std::collections::{BTreeMap, BTreeSet};

use replication_model::ValidSpec;
use replication_model::catalog::KeyOrigin;
use replication_model::ids;
use replication_model::rules::RuleSet;
use replication_model::spec::{
    BucketRef, DefaultEncryption, FilterSpec, InitialKeyState, KeyKind, KeyRef, RoleRef, RuleSpec,
    Status, Step, Versioning,
};
use replication_spec::iam::PolicyOwner;
use serde_json::{Map, Value, json};

use crate::ExportError;

/// Everything a deployment of one scenario creates.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The scenario's name.
    pub scenario: String,
    /// Accounts that own something the plan creates, by scenario name.
    pub accounts: Vec<Account>,
    /// IAM roles, each with its trust policy and identity policies.
    pub roles: Vec<Role>,
    /// KMS keys the deployment creates: single-Region keys and multi-Region primaries first,
    /// then multi-Region replicas.
    pub keys: Vec<Key>,
    /// Buckets, with their bucket-level settings.
    pub buckets: Vec<Bucket>,
    /// One replication configuration per source bucket.
    pub replications: Vec<Replication>,
    /// The AWS managed `aws/s3` keys the documents name by key id.
    pub managed_keys: Vec<ManagedKey>,
    /// Values the scenario does not hold that the export chose, and what it left out.
    pub choices: Vec<Choice>,
}

/// An AWS account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Account {
    /// The scenario's name.
    pub name: String,
    /// The twelve-digit id.
    pub id: String,
}

/// An IAM role.
#[derive(Debug, Clone)]
pub(crate) struct Role {
    pub name: String,
    pub role_name: String,
    pub path: String,
    pub account: String,
    /// The trust policy (`AssumeRolePolicyDocument`).
    pub trust: Value,
    /// Identity policies, deployed as inline policies (`PutRolePolicy`), by name.
    pub policies: Vec<(String, Value)>,
}

/// How a KMS key comes to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyCreation {
    /// `CreateKey` of a single-Region symmetric key.
    SingleRegion,
    /// `CreateKey` with `MultiRegion: true`.
    MultiRegionPrimary,
    /// `ReplicateKey` of the primary at this index of [`Plan::keys`].
    MultiRegionReplica { primary: usize },
}

/// A KMS key the deployment creates.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub name: String,
    pub account: String,
    pub region: String,
    pub creation: KeyCreation,
    /// The key id the scenario's documents use (given with `id:`, or derived by the model);
    /// KMS picks the real one at `CreateKey`, so every renderer replaces this one.
    pub key_id: String,
    pub arn: String,
    /// The key policy.
    pub policy: Value,
    /// Aliases, each with the `alias/` prefix.
    pub aliases: Vec<String>,
    /// `false` for a key the scenario starts Disabled.
    pub enabled: bool,
    /// Grants on the key.
    pub grants: Vec<Grant>,
}

/// A grant on a KMS key.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    /// The grantee principal's ARN.
    pub grantee: String,
    /// KMS operation names, e.g. `Decrypt`.
    pub operations: Vec<String>,
    /// `EncryptionContextSubset`.
    pub encryption_context_subset: BTreeMap<String, String>,
}

/// The AWS managed key `aws/s3` of an account in a Region, named by key id in a document. It
/// exists in every account (S3 creates it on first use); its key id is only known there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ManagedKey {
    pub account: String,
    pub account_id: String,
    pub region: String,
    /// The id the model derived for it, which the documents use.
    pub key_id: String,
}

/// A bucket's default encryption as `PutBucketEncryption` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Encryption {
    /// `SSEAlgorithm`: `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub algorithm: &'static str,
    /// `KMSMasterKeyID` (a key ARN), `None` for SSE-S3 and for the `aws/s3` key.
    pub kms_key: Option<String>,
    /// `BucketKeyEnabled`.
    pub bucket_key: bool,
    /// `BlockedEncryptionTypes`: whether SSE-C is blocked.
    pub blocks_sse_c: bool,
}

/// An S3 general purpose bucket.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    pub name: String,
    pub s3_name: String,
    pub account: String,
    pub region: String,
    /// `Enabled` or `Suspended`; `None` for a bucket that was never versioned.
    pub versioning: Option<&'static str>,
    pub encryption: Encryption,
    pub policy: Option<Value>,
    pub object_lock: bool,
    pub requester_pays: bool,
}

/// A replication configuration (`PutBucketReplication`).
#[derive(Debug, Clone)]
pub(crate) struct Replication {
    /// The source bucket (a scenario name).
    pub bucket: String,
    /// `ReplicationConfiguration` exactly as the S3 API and the AWS CLI take it.
    pub configuration: Value,
    /// Destination buckets the scenario defines (scenario names), which must exist first.
    pub destinations: BTreeSet<String>,
    /// The role, when the scenario defines it (a scenario name).
    pub role: Option<String>,
}

/// A value the scenario does not hold that the export chose, or a part of the scenario the
/// export leaves out. Each is written into the output's README.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Choice {
    /// KMS picks key ids at `CreateKey`: the id in the documents is replaced at deploy time.
    KeyIdReplaced {
        key: String,
        key_id: String,
        given: bool,
    },
    /// The documents name the `aws/s3` key of an account and Region by key id.
    ManagedKeyIdLookedUp {
        account: String,
        region: String,
        key_id: String,
    },
    /// A bucket name derived from the scenario's name (bucket names are global).
    DerivedBucketName { bucket: String, s3_name: String },
    /// Of several accepted `PutBucketReplication` calls on a bucket, the last one is deployed.
    LastReplicationDeployed {
        bucket: String,
        step: usize,
        of: usize,
    },
    /// A `PutBucketReplication` AWS refuses, so nothing deploys it.
    RejectedReplicationLeftOut { bucket: String, step: usize },
    /// SSE-C blocking is set explicitly, since a bucket's default depends on when and where it
    /// is created (aws-facts d.6).
    SseCBlockingExplicit { bucket: String, blocked: bool },
    /// The steps after the definitions (uploads, faults, expectations) are the test, not the
    /// configuration.
    StepsNotDeployed { count: usize },
    /// A policy names an IAM principal the scenario does not define, which KMS, S3 and IAM
    /// require to exist when the policy is put.
    PrincipalNotDeployed { policy: String, principal: String },
}

impl Choice {
    /// The choice as one line of the output's README.
    pub fn sentence(&self) -> String {
        match self {
            Choice::KeyIdReplaced {
                key,
                key_id,
                given: true,
            } => format!(
                "key `{key}`: the documents use the key id the scenario gives, `{key_id}`; KMS picks a new id at CreateKey, which replaces it everywhere at deploy time"
            ),
            Choice::KeyIdReplaced {
                key,
                key_id,
                given: false,
            } => format!(
                "key `{key}`: the scenario gives no `id:`, so the documents use the model's derived id `{key_id}` (inferred); KMS picks the real id at CreateKey, which replaces it everywhere at deploy time"
            ),
            Choice::ManagedKeyIdLookedUp {
                account,
                region,
                key_id,
            } => format!(
                "the AWS managed key `aws/s3` of account `{account}` in {region} appears in the documents as the model's derived id `{key_id}` (inferred); its real id is looked up (`aws kms describe-key --key-id alias/aws/s3`) and replaces it"
            ),
            Choice::DerivedBucketName { bucket, s3_name } => format!(
                "bucket `{bucket}`: the scenario gives no `name:`, so the bucket is named `{s3_name}` after the scenario's name (inferred); bucket names are global, so give a `name:` you own before deploying"
            ),
            Choice::LastReplicationDeployed { bucket, step, of } => format!(
                "bucket `{bucket}`: the scenario puts {of} replication configurations; the last one AWS accepts (step {}) is deployed",
                step + 1
            ),
            Choice::RejectedReplicationLeftOut { bucket, step } => format!(
                "bucket `{bucket}`: the replication configuration of step {} is one AWS refuses (the scenario expects the rejection), so it is left out",
                step + 1
            ),
            Choice::SseCBlockingExplicit {
                bucket,
                blocked: true,
            } => format!(
                "bucket `{bucket}`: SSE-C is blocked explicitly (`BlockedEncryptionTypes` `SSE-C`), as the scenario has it, whatever the account's default for new buckets (aws-facts d.6)"
            ),
            Choice::SseCBlockingExplicit {
                bucket,
                blocked: false,
            } => format!(
                "bucket `{bucket}`: SSE-C is unblocked explicitly (`BlockedEncryptionTypes` `NONE`), as the scenario has it; new buckets block SSE-C by default since April 2026 (aws-facts d.6)"
            ),
            Choice::PrincipalNotDeployed { policy, principal } => format!(
                "the {policy} names `{principal}`, which the scenario does not define, so the export does not create it; KMS, S3 and IAM refuse a policy whose principal does not exist, so create it before deploying"
            ),
            Choice::StepsNotDeployed { count } => format!(
                "the scenario's {count} steps after its definitions (uploads, faults, waits, expectations) are the test, not the configuration, and are not exported"
            ),
        }
    }
}

impl Plan {
    /// Reads the deployment off a validated scenario.
    pub fn of(valid: &ValidSpec) -> Result<Plan, ExportError> {
        let spec = valid.spec();
        let cat = valid.catalog();
        let rules = RuleSet::of(spec.rule_set);
        let mut choices = Vec::new();
        let policy = |owner: PolicyOwner| -> Value {
            valid
                .policies()
                .get(&owner)
                .and_then(|p| serde_json::from_str(&p.to_json_pretty()).ok())
                .unwrap_or(Value::Null)
        };

        let accounts: Vec<Account> = spec
            .accounts
            .iter()
            .filter_map(|a| {
                cat.accounts.get(&a.name).map(|info| Account {
                    name: a.name.clone(),
                    id: info.id.clone(),
                })
            })
            .collect();
        let account_of_id =
            |id: &str| -> String { cat.account_name(id).unwrap_or_default().to_owned() };

        // Keys: created ones (primaries before replicas, so a replica can name its primary).
        let mut keys: Vec<Key> = Vec::new();
        let mut unsupported = Vec::new();
        for pass in 0..2 {
            for k in &spec.keys {
                let Some(info) = cat.keys.get(&k.name) else {
                    continue;
                };
                let is_replica = matches!(k.kind, KeyKind::MultiRegionReplica { .. });
                if info.origin == KeyOrigin::AwsManaged || is_replica != (pass == 1) {
                    continue;
                }
                let enabled = match k.initial_state {
                    InitialKeyState::Enabled => true,
                    InitialKeyState::Disabled => false,
                    state @ (InitialKeyState::PendingImport
                    | InitialKeyState::Unavailable
                    | InitialKeyState::Creating) => {
                        unsupported.push(format!(
                            "key `{}` starts in state {state:?}, which no deployment creates (KMS only reaches it on its own); start the key Enabled or Disabled to export this scenario",
                            k.name
                        ));
                        true
                    }
                };
                let creation = match &k.kind {
                    KeyKind::SingleRegion { .. } => KeyCreation::SingleRegion,
                    KeyKind::MultiRegionPrimary { .. } => KeyCreation::MultiRegionPrimary,
                    KeyKind::MultiRegionReplica { primary, .. } => {
                        match keys.iter().position(|p| &p.name == primary) {
                            Some(primary) => KeyCreation::MultiRegionReplica { primary },
                            None => continue,
                        }
                    }
                    KeyKind::AwsManagedS3 { .. } => continue,
                };
                choices.push(Choice::KeyIdReplaced {
                    key: k.name.clone(),
                    key_id: info.key_id.clone(),
                    given: k.key_id.is_some()
                        || matches!(creation, KeyCreation::MultiRegionReplica { primary } if spec.keys.iter().any(|p| p.name == keys[primary].name && p.key_id.is_some())),
                });
                let grants = k
                    .grants
                    .iter()
                    .map(|g| Grant {
                        grantee: principal_arn(&g.grantee, cat),
                        operations: g.operations.clone(),
                        encryption_context_subset: g
                            .encryption_context_subset
                            .iter()
                            .cloned()
                            .collect(),
                    })
                    .collect();
                keys.push(Key {
                    name: k.name.clone(),
                    account: account_of_id(&info.account_id),
                    region: info.region.clone(),
                    creation,
                    key_id: info.key_id.clone(),
                    arn: info.arn.clone(),
                    policy: policy(PolicyOwner::Key(k.name.clone())),
                    aliases: k
                        .aliases
                        .iter()
                        .map(|a| format!("alias/{}", ids::alias_name(a)))
                        .collect(),
                    enabled,
                    grants,
                });
            }
        }
        if !unsupported.is_empty() {
            return Err(ExportError::Unsupported {
                scenario: spec.name.clone(),
                format: "any format".to_owned(),
                problems: unsupported,
            });
        }

        let roles: Vec<Role> = spec
            .roles
            .iter()
            .filter_map(|r| {
                let info = cat.roles.get(&r.name)?;
                Some(Role {
                    name: r.name.clone(),
                    role_name: info.role_name.clone(),
                    path: info.path.clone(),
                    account: account_of_id(&info.account_id),
                    trust: policy(PolicyOwner::RoleTrust(r.name.clone())),
                    policies: r
                        .policies
                        .iter()
                        .map(|p| {
                            let owner = PolicyOwner::Role {
                                role: r.name.clone(),
                                policy: p.name.clone(),
                            };
                            (p.name.clone(), policy(owner))
                        })
                        .collect(),
                })
            })
            .collect();

        let key_arn = |key: &KeyRef| -> Option<String> {
            match key {
                KeyRef::Named(n) => cat.keys.get(n).map(|k| k.arn.clone()),
                KeyRef::AwsManagedS3 => None,
                KeyRef::Arn(a) => Some(a.clone()),
            }
        };
        let mut buckets = Vec::new();
        for b in &spec.buckets {
            let Some(info) = cat.buckets.get(&b.name) else {
                continue;
            };
            if b.s3_name.is_none() {
                choices.push(Choice::DerivedBucketName {
                    bucket: b.name.clone(),
                    s3_name: info.s3_name.clone(),
                });
            }
            let blocks_sse_c = b.block_sse_c.unwrap_or(rules.new_buckets_block_sse_c);
            choices.push(Choice::SseCBlockingExplicit {
                bucket: b.name.clone(),
                blocked: blocks_sse_c,
            });
            let (algorithm, kms_key) = match &b.default_encryption {
                None | Some(DefaultEncryption::SseS3) => ("AES256", None),
                Some(DefaultEncryption::SseKms { key }) => ("aws:kms", key_arn(key)),
                Some(DefaultEncryption::DsseKms { key }) => ("aws:kms:dsse", key_arn(key)),
            };
            buckets.push(Bucket {
                name: b.name.clone(),
                s3_name: info.s3_name.clone(),
                account: account_of_id(&info.account_id),
                region: info.region.clone(),
                versioning: match b.versioning {
                    Versioning::Unversioned => None,
                    Versioning::Enabled => Some("Enabled"),
                    Versioning::Suspended => Some("Suspended"),
                },
                encryption: Encryption {
                    algorithm,
                    kms_key,
                    bucket_key: b.bucket_key,
                    blocks_sse_c,
                },
                policy: b
                    .policy
                    .as_ref()
                    .map(|_| policy(PolicyOwner::Bucket(b.name.clone()))),
                object_lock: b.object_lock,
                requester_pays: b.requester_pays,
            });
        }

        // Replication: per source bucket, the last configuration AWS accepts.
        let mut accepted: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (idx, step) in spec.steps.iter().enumerate() {
            if let Step::PutBucketReplication(r) = step {
                if valid.rejections().contains_key(&idx) {
                    choices.push(Choice::RejectedReplicationLeftOut {
                        bucket: r.bucket.clone(),
                        step: idx,
                    });
                } else {
                    accepted.entry(r.bucket.as_str()).or_default().push(idx);
                }
            }
        }
        let mut replications = Vec::new();
        for b in &spec.buckets {
            let Some(steps) = accepted.get(b.name.as_str()) else {
                continue;
            };
            let Some(&last) = steps.last() else { continue };
            if steps.len() > 1 {
                choices.push(Choice::LastReplicationDeployed {
                    bucket: b.name.clone(),
                    step: last,
                    of: steps.len(),
                });
            }
            let Step::PutBucketReplication(r) = &spec.steps[last] else {
                continue;
            };
            let (role_arn, role) = match &r.role {
                RoleRef::Named(n) => (
                    cat.roles.get(n).map(|i| i.arn.clone()).unwrap_or_default(),
                    Some(n.clone()),
                ),
                RoleRef::Arn(a) => (a.clone(), None),
            };
            let mut destinations = BTreeSet::new();
            let rules_json: Vec<Value> = r
                .rules
                .iter()
                .map(|rule| {
                    if let BucketRef::Named(d) = &rule.destination.bucket {
                        destinations.insert(d.clone());
                    }
                    rule_json(rule, cat, &role_arn, &key_arn)
                })
                .collect();
            replications.push(Replication {
                bucket: b.name.clone(),
                configuration: json!({ "Role": role_arn, "Rules": rules_json }),
                destinations,
                role,
            });
        }

        // The `aws/s3` keys a document names by key id.
        let mut managed_keys = Vec::new();
        for k in &spec.keys {
            if let (KeyKind::AwsManagedS3 { account, region }, Some(info)) =
                (&k.kind, cat.keys.get(&k.name))
            {
                let key = ManagedKey {
                    account: account.clone(),
                    account_id: info.account_id.clone(),
                    region: region.clone(),
                    key_id: info.key_id.clone(),
                };
                if !managed_keys.contains(&key) {
                    choices.push(Choice::ManagedKeyIdLookedUp {
                        account: key.account.clone(),
                        region: key.region.clone(),
                        key_id: key.key_id.clone(),
                    });
                    managed_keys.push(key);
                }
            }
        }

        // Principals a policy names that nothing here creates (accounts exist already).
        let created: BTreeSet<&str> = cat.roles.values().map(|r| r.arn.as_str()).collect();
        let mut documents: Vec<(String, &Value)> = Vec::new();
        for k in &keys {
            documents.push((format!("key policy of `{}`", k.name), &k.policy));
        }
        for b in &buckets {
            if let Some(p) = &b.policy {
                documents.push((format!("bucket policy of `{}`", b.name), p));
            }
        }
        for r in &roles {
            documents.push((format!("trust policy of role `{}`", r.name), &r.trust));
        }
        for (policy, doc) in documents {
            for principal in aws_principals(doc) {
                let is_account =
                    principal.ends_with(":root") || ids::check_account_id(principal).is_ok();
                if !is_account && principal != "*" && !created.contains(principal) {
                    choices.push(Choice::PrincipalNotDeployed {
                        policy: policy.clone(),
                        principal: principal.to_owned(),
                    });
                }
            }
        }

        let n_steps = spec
            .steps
            .iter()
            .filter(|s| !matches!(s, Step::PutBucketReplication(_)))
            .count();
        if n_steps > 0 {
            choices.push(Choice::StepsNotDeployed { count: n_steps });
        }
        choices.sort();
        choices.dedup();
        Ok(Plan {
            scenario: spec.name.clone(),
            accounts,
            roles,
            keys,
            buckets,
            replications,
            managed_keys,
            choices,
        })
    }

    /// The account with this scenario name.
    pub fn account(&self, name: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.name == name)
    }

    /// The bucket with this scenario name.
    pub fn bucket(&self, name: &str) -> Option<&Bucket> {
        self.buckets.iter().find(|b| b.name == name)
    }

    /// Splits a string of a document into literal text and the key ids only a deployment knows
    /// (created keys, and `aws/s3` keys), so each format can write its own reference for them.
    pub fn pieces<'s>(&self, s: &'s str) -> Vec<Piece<'s>> {
        let mut ids: Vec<(&str, KeyIdOf)> = Vec::new();
        for (idx, k) in self.keys.iter().enumerate() {
            // Related multi-Region keys share their primary's id.
            let of = match k.creation {
                KeyCreation::MultiRegionReplica { primary } => KeyIdOf::Created(primary),
                _ => KeyIdOf::Created(idx),
            };
            if !ids.iter().any(|(id, _)| *id == k.key_id) {
                ids.push((&k.key_id, of));
            }
        }
        for (idx, m) in self.managed_keys.iter().enumerate() {
            ids.push((&m.key_id, KeyIdOf::Managed(idx)));
        }
        let mut out = Vec::new();
        let mut rest = s;
        let mut lit_start = 0;
        let mut pos = 0;
        while pos < rest.len() {
            let hit = ids
                .iter()
                .find(|(id, _)| rest[pos..].starts_with(id) && !id.is_empty());
            match hit {
                Some((id, of)) => {
                    if lit_start < pos {
                        out.push(Piece::Lit(&rest[lit_start..pos]));
                    }
                    out.push(Piece::KeyId(*of));
                    rest = &rest[pos + id.len()..];
                    pos = 0;
                    lit_start = 0;
                }
                None => {
                    pos += rest[pos..].chars().next().map_or(1, char::len_utf8);
                }
            }
        }
        if lit_start < rest.len() {
            out.push(Piece::Lit(&rest[lit_start..]));
        }
        out
    }
}

/// Part of a string in a deployed document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'s> {
    /// Text as it is.
    Lit(&'s str),
    /// The id of a key, known only once it exists.
    KeyId(KeyIdOf),
}

/// Which key's id a [`Piece::KeyId`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyIdOf {
    /// The key at this index of [`Plan::keys`] (a single-Region key or a multi-Region primary).
    Created(usize),
    /// The `aws/s3` key at this index of [`Plan::managed_keys`].
    Managed(usize),
}

/// Every `Principal.AWS` value of a policy document.
fn aws_principals(doc: &Value) -> Vec<&str> {
    let statements = match doc.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for s in statements {
        match s.get("Principal").and_then(|p| p.get("AWS")) {
            Some(Value::String(one)) => out.push(one.as_str()),
            Some(Value::Array(many)) => out.extend(many.iter().filter_map(Value::as_str)),
            _ => {}
        }
    }
    out
}

fn principal_arn(
    p: &replication_model::spec::PrincipalRef,
    cat: &replication_model::catalog::Catalog,
) -> String {
    use replication_model::spec::PrincipalRef;
    match p {
        PrincipalRef::Role(r) => cat.roles.get(r).map(|i| i.arn.clone()).unwrap_or_default(),
        PrincipalRef::Account(a) => ids::account_root_arn(&cat.account_id(a).unwrap_or_default()),
        PrincipalRef::Service(s) => s.clone(),
        PrincipalRef::Anyone => "*".to_owned(),
        PrincipalRef::Arn(a) => a.clone(),
    }
}

fn status(status: Status) -> &'static str {
    status.as_str()
}

/// One rule as the S3 API's `ReplicationRule` (aws-facts b), elements in the API's order.
fn rule_json(
    rule: &RuleSpec,
    cat: &replication_model::catalog::Catalog,
    role_arn: &str,
    key_arn: &dyn Fn(&KeyRef) -> Option<String>,
) -> Value {
    let mut m = Map::new();
    if let Some(id) = &rule.id {
        m.insert("ID".into(), json!(id));
    }
    if let Some(p) = rule.priority {
        m.insert("Priority".into(), json!(p));
    }
    let tag = |(k, v): &(String, String)| json!({ "Key": k, "Value": v });
    match &rule.filter {
        FilterSpec::V1Prefix(p) => {
            m.insert("Prefix".into(), json!(p));
        }
        FilterSpec::Empty => {
            m.insert("Filter".into(), json!({}));
        }
        FilterSpec::Prefix(p) => {
            m.insert("Filter".into(), json!({ "Prefix": p }));
        }
        FilterSpec::Tag(k, v) => {
            m.insert("Filter".into(), json!({ "Tag": { "Key": k, "Value": v } }));
        }
        FilterSpec::And { prefix, tags } => {
            let mut and = Map::new();
            if let Some(p) = prefix {
                and.insert("Prefix".into(), json!(p));
            }
            and.insert("Tags".into(), Value::Array(tags.iter().map(tag).collect()));
            m.insert("Filter".into(), json!({ "And": and }));
        }
    }
    m.insert("Status".into(), json!(status(rule.status)));
    let mut ssc = Map::new();
    if let Some(on) = rule.sse_kms_encrypted_objects {
        ssc.insert(
            "SseKmsEncryptedObjects".into(),
            json!({ "Status": status(on) }),
        );
    }
    if let Some(on) = rule.replica_modifications {
        ssc.insert(
            "ReplicaModifications".into(),
            json!({ "Status": status(on) }),
        );
    }
    if !ssc.is_empty() {
        m.insert("SourceSelectionCriteria".into(), Value::Object(ssc));
    }
    let d = &rule.destination;
    let mut dest = Map::new();
    let bucket_arn = match &d.bucket {
        BucketRef::Named(n) => cat
            .buckets
            .get(n)
            .map(|b| b.arn.clone())
            .unwrap_or_default(),
        BucketRef::Arn(a) => a.clone(),
    };
    dest.insert("Bucket".into(), json!(bucket_arn));
    if let Some(a) = &d.account {
        dest.insert(
            "Account".into(),
            json!(cat.account_id(a).unwrap_or_else(|| a.clone())),
        );
    }
    if let Some(sc) = &d.storage_class {
        dest.insert("StorageClass".into(), json!(sc));
    }
    if d.owner_override {
        dest.insert(
            "AccessControlTranslation".into(),
            json!({ "Owner": "Destination" }),
        );
    }
    if let Some(k) = &d.replica_kms_key {
        let arn = key_arn(k).unwrap_or_else(|| {
            // `aws/s3` as a replica key: the role's (the requester's) account's key in the
            // destination Region (aws-facts d.3), named by its alias ARN, as the model names it.
            let region = match &d.bucket {
                BucketRef::Named(n) => cat.buckets.get(n).map(|b| b.region.clone()),
                BucketRef::Arn(_) => None,
            };
            let account = ids::parse_role_arn(role_arn)
                .map(|(a, _)| a)
                .unwrap_or_default();
            ids::alias_arn(&region.unwrap_or_default(), &account, "aws/s3")
        });
        dest.insert(
            "EncryptionConfiguration".into(),
            json!({ "ReplicaKmsKeyID": arn }),
        );
    }
    if let Some(rtc) = d.replication_time {
        dest.insert(
            "ReplicationTime".into(),
            json!({ "Status": status(rtc.status), "Time": { "Minutes": rtc.minutes } }),
        );
    }
    if let Some(m) = d.metrics {
        let mut metrics = Map::new();
        metrics.insert("Status".into(), json!(status(m.status)));
        if let Some(minutes) = m.event_threshold_minutes {
            metrics.insert("EventThreshold".into(), json!({ "Minutes": minutes }));
        }
        dest.insert("Metrics".into(), Value::Object(metrics));
    }
    m.insert("Destination".into(), Value::Object(dest));
    if let Some(on) = rule.delete_marker_replication {
        m.insert(
            "DeleteMarkerReplication".into(),
            json!({ "Status": status(on) }),
        );
    }
    Value::Object(m)
}
