//! From the documents read to a plan of the scenario: an identifier per account, key, bucket
//! and role; every reference a document makes (the replication role, destination buckets,
//! replica keys, default-encryption keys, a multi-Region replica's primary) resolved to one of
//! them, or a problem at the reference with the command that fetches what is missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use replication_dsl::aws_json::{KeyManager, Located, MultiRegionKeyType, SseAlgorithm};
use replication_model::ids;
use replication_model::spec::FilterSpec;

use crate::layout::{Doc, Target, fetch_command};
use crate::names::Idents;
use crate::problem::{ImportProblem, ProblemKind};
use crate::read::{Bucket, Inventory, Key, Role};

/// The scenario to write, with every reference resolved.
#[derive(Debug)]
pub(crate) struct Plan<'i> {
    pub(crate) accounts: Vec<AccountPlan>,
    pub(crate) keys: Vec<KeyPlan<'i>>,
    pub(crate) buckets: Vec<BucketPlan<'i>>,
    pub(crate) roles: Vec<RolePlan<'i>>,
}

#[derive(Debug)]
pub(crate) struct AccountPlan {
    pub(crate) ident: String,
    pub(crate) id: String,
    pub(crate) alias: Option<String>,
}

#[derive(Debug)]
pub(crate) struct KeyPlan<'i> {
    pub(crate) ident: String,
    pub(crate) account: String,
    pub(crate) key: &'i Key,
    pub(crate) aliases: Vec<String>,
    /// For a multi-Region replica: the primary's identifier.
    pub(crate) primary: Option<String>,
}

#[derive(Debug)]
pub(crate) struct BucketPlan<'i> {
    pub(crate) ident: String,
    pub(crate) account: String,
    pub(crate) bucket: &'i Bucket,
    /// The default-encryption key's identifier, for `aws:kms` and `aws:kms:dsse` with a key.
    pub(crate) default_key: Option<String>,
    /// Each rule's destination bucket identifier, when the bucket replicates.
    pub(crate) destinations: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct RolePlan<'i> {
    pub(crate) ident: String,
    pub(crate) account: String,
    pub(crate) role: &'i Role,
}

/// Resolves every reference; problems go to `problems`.
pub(crate) fn plan<'i>(
    inv: &'i Inventory,
    shown_root: &Path,
    problems: &mut Vec<ImportProblem>,
) -> Plan<'i> {
    let mut idents = Idents::default();
    let mut plan = Plan {
        accounts: Vec::new(),
        keys: Vec::new(),
        buckets: Vec::new(),
        roles: Vec::new(),
    };
    let mut account_ident = BTreeMap::new();
    for a in &inv.accounts {
        let ident = idents.make(a.alias.as_deref().unwrap_or(&a.id), "account");
        account_ident.insert(a.id.clone(), ident.clone());
        plan.accounts.push(AccountPlan {
            ident,
            id: a.id.clone(),
            alias: a.alias.clone(),
        });
    }
    // Keys first: buckets name them.
    for a in &inv.accounts {
        for key in &a.keys {
            let aliases: Vec<String> = a
                .kms_aliases
                .get(&key.region)
                .map(|(_, list)| {
                    list.iter()
                        .filter(|al| al.target_key_id.as_deref() == Some(&key.meta.key_id.value))
                        .map(|al| al.name.value.clone())
                        .filter(|n| !n.starts_with("alias/aws/"))
                        .collect()
                })
                .unwrap_or_default();
            let mut base = match (aliases.first(), key.meta.key_manager) {
                (_, KeyManager::Aws) => format!("aws_s3_{}", key.region),
                (Some(alias), _) => ids::alias_name(alias).to_owned(),
                (None, _) => format!("key_{}", short_id(&key.meta.key_id.value)),
            };
            // A replica shares its primary's id and often its alias: its Region tells them apart.
            if matches!(
                key.meta.multi_region,
                Some((MultiRegionKeyType::Replica, _))
            ) {
                base = format!("{base}_{}", key.region);
            }
            let ident = idents.make(&base, "key");
            plan.keys.push(KeyPlan {
                ident,
                account: account_ident[&a.id].clone(),
                key,
                aliases,
                primary: None,
            });
        }
    }
    let primaries: Vec<Option<String>> = plan
        .keys
        .iter()
        .map(|k| primary_of(k, &plan.keys, shown_root, problems))
        .collect();
    for (k, p) in plan.keys.iter_mut().zip(primaries) {
        k.primary = p;
    }
    for a in &inv.accounts {
        for role in &a.roles {
            let ident = idents.make(&role.summary.role_name.value, "role");
            plan.roles.push(RolePlan {
                ident,
                account: account_ident[&a.id].clone(),
                role,
            });
        }
    }
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for a in &inv.accounts {
        for bucket in &a.buckets {
            // Bucket names are global: one bucket in two folders is two documents for it.
            if let Some(first) = seen.insert(&bucket.name, &bucket.dir) {
                problems.push(ImportProblem::file(
                    ProblemKind::Duplicate,
                    &bucket.dir,
                    format!(
                        "bucket `{}` is also at `{}`; bucket names are global, so this is two documents for one bucket; keep the folder of the account and Region that own it",
                        bucket.name,
                        first.display()
                    ),
                ));
                continue;
            }
            let ident = idents.make(&bucket.name, "bucket");
            let (file, enc) = &bucket.encryption;
            let default_key = match (&enc.kms_master_key_id, enc.algorithm) {
                (Some(id), SseAlgorithm::AwsKms | SseAlgorithm::AwsKmsDsse) => {
                    resolve_key(inv, &plan.keys, id, &a.id, &bucket.region, file, shown_root)
                        .map_err(|p| problems.push(p))
                        .ok()
                }
                _ => None,
            };
            plan.buckets.push(BucketPlan {
                ident,
                account: account_ident[&a.id].clone(),
                bucket,
                default_key,
                destinations: Vec::new(),
            });
        }
    }
    let destinations: Vec<Vec<String>> = plan
        .buckets
        .iter()
        .map(|b| replication_refs(inv, &plan, b.bucket, shown_root, problems))
        .collect();
    for (b, d) in plan.buckets.iter_mut().zip(destinations) {
        b.destinations = d;
    }
    plan
}

/// The first 8 characters of a key id after any `mrk-`.
fn short_id(id: &str) -> &str {
    let id = id.strip_prefix("mrk-").unwrap_or(id);
    id.get(..8).unwrap_or(id)
}

/// A multi-Region replica's primary, which must be in the directory.
fn primary_of(
    k: &KeyPlan<'_>,
    keys: &[KeyPlan<'_>],
    shown_root: &Path,
    problems: &mut Vec<ImportProblem>,
) -> Option<String> {
    let (MultiRegionKeyType::Replica, primary) = k.key.meta.multi_region.as_ref()? else {
        return None;
    };
    let found = keys.iter().find(|o| o.key.meta.arn.value == primary.value);
    if found.is_none() {
        let region = ids::parse_kms_arn(&primary.value)
            .map(|a| a.region)
            .unwrap_or_default();
        let dir = shown_root
            .join(&k.key.meta.account_id)
            .join(&region)
            .join("kms")
            .join(&k.key.meta.key_id.value);
        problems.push(unknown_key(
            &k.key.describe_key,
            primary,
            &region,
            &dir,
            "the primary of this multi-Region replica",
        ));
    }
    found.map(|o| o.ident.clone())
}

fn unknown_key(
    file: &Path,
    reference: &Located<String>,
    region: &str,
    dir: &Path,
    what: &str,
) -> ImportProblem {
    let target = Target::Key {
        key: &reference.value,
        region,
    };
    ImportProblem::at(
        ProblemKind::UnknownReference,
        file,
        reference.at,
        format!(
            "{what}, key `{}`, is not in the directory; fetch it with `{}` and `{}`",
            reference.value,
            fetch_command(
                Doc::DescribeKey,
                &target,
                &dir.join(Doc::DescribeKey.file_name())
            ),
            fetch_command(
                Doc::GetKeyPolicy,
                &target,
                &dir.join(Doc::GetKeyPolicy.file_name())
            ),
        ),
    )
}

/// A key reference as S3 takes one (key id, key ARN, alias name or alias ARN), resolved in the
/// given account and Region unless an ARN says otherwise (aws-facts b [U-KMSREPL]).
fn resolve_key(
    inv: &Inventory,
    keys: &[KeyPlan<'_>],
    reference: &Located<String>,
    account: &str,
    region: &str,
    file: &Path,
    shown_root: &Path,
) -> Result<String, ImportProblem> {
    let r = reference.value.as_str();
    let (account, region, resource) = match ids::parse_kms_arn(r) {
        Ok(arn) => (arn.account_id, arn.region, arn.resource),
        Err(_) if r.starts_with("alias/") => (account.to_owned(), region.to_owned(), r.to_owned()),
        Err(_) => (account.to_owned(), region.to_owned(), format!("key/{r}")),
    };
    let key_id = match resource.strip_prefix("key/") {
        Some(id) => id.to_owned(),
        None => {
            let aliases = inv
                .accounts
                .iter()
                .find(|a| a.id == account)
                .and_then(|a| a.kms_aliases.get(&region));
            let Some((_, aliases)) = aliases else {
                let list = shown_root
                    .join(&account)
                    .join(&region)
                    .join("kms")
                    .join(Doc::KmsAliases.file_name());
                return Err(ImportProblem::at(
                    ProblemKind::Missing,
                    file,
                    reference.at,
                    format!(
                        "names alias `{r}`, and which key it names is in `{}`, which is missing; fetch it with `{}`",
                        list.display(),
                        fetch_command(Doc::KmsAliases, &Target::Region(&region), &list)
                    ),
                ));
            };
            match aliases
                .iter()
                .find(|a| a.name.value == resource)
                .and_then(|a| a.target_key_id.clone())
            {
                Some(id) => id,
                None => {
                    return Err(ImportProblem::at(
                        ProblemKind::UnknownReference,
                        file,
                        reference.at,
                        format!(
                            "alias `{resource}` is not in `{}/{region}/kms/list-aliases.json`; refetch the list, or name the key by its ARN",
                            account
                        ),
                    ));
                }
            }
        }
    };
    keys.iter()
        .find(|k| {
            k.key.meta.key_id.value == key_id
                && k.key.region == region
                && k.key.meta.account_id == account
        })
        .map(|k| k.ident.clone())
        .ok_or_else(|| {
            let dir = shown_root
                .join(&account)
                .join(&region)
                .join("kms")
                .join(&key_id);
            unknown_key(file, reference, &region, &dir, "the key it names")
        })
}

/// The replication configuration's role, destinations and replica keys, each in the directory.
fn replication_refs(
    inv: &Inventory,
    plan: &Plan<'_>,
    bucket: &Bucket,
    shown_root: &Path,
    problems: &mut Vec<ImportProblem>,
) -> Vec<String> {
    let Some((file, config)) = &bucket.replication else {
        return Vec::new();
    };
    if !plan
        .roles
        .iter()
        .any(|r| r.role.summary.arn.value == config.role.value)
    {
        let (message, kind) = match ids::parse_role_arn(&config.role.value) {
            Ok((account, name)) => {
                let dir: PathBuf = shown_root
                    .join(&account)
                    .join("iam")
                    .join("roles")
                    .join(&name);
                let t = Target::Role(&name);
                (
                    format!(
                        "role `{}` is not in the directory; fetch it with `{}`, `{}` and `{}`, and each policy they list",
                        config.role.value,
                        fetch_command(Doc::GetRole, &t, &dir.join(Doc::GetRole.file_name())),
                        fetch_command(
                            Doc::ListRolePolicies,
                            &t,
                            &dir.join(Doc::ListRolePolicies.file_name())
                        ),
                        fetch_command(
                            Doc::ListAttachedRolePolicies,
                            &t,
                            &dir.join(Doc::ListAttachedRolePolicies.file_name())
                        ),
                    ),
                    ProblemKind::UnknownReference,
                )
            }
            Err(e) => (format!("`Role`: {e}"), ProblemKind::Malformed),
        };
        problems.push(ImportProblem::at(kind, file, config.role.at, message));
    }
    let mut destinations = Vec::new();
    for rule in &config.rules {
        let b = &rule.destination_bucket;
        let name = match ids::parse_bucket_arn(&b.value) {
            Ok(n) => n,
            Err(e) => {
                problems.push(ImportProblem::at(
                    ProblemKind::Malformed,
                    file,
                    b.at,
                    format!("`Destination.Bucket`: {e}"),
                ));
                continue;
            }
        };
        let Some(dest) = plan.buckets.iter().find(|p| p.bucket.name == name) else {
            problems.push(ImportProblem::at(
                ProblemKind::UnknownReference,
                file,
                b.at,
                format!(
                    "destination bucket `{name}` is not in the directory; save its documents under `{}/<account-id>/<region>/s3/{name}/`, starting with `aws s3api get-bucket-versioning --bucket {name}` and `aws s3api get-bucket-encryption --bucket {name}`",
                    shown_root.display()
                ),
            ));
            continue;
        };
        destinations.push(dest.ident.clone());
        if let Some(k) = &rule.replica_kms_key_id {
            let owner = inv
                .accounts
                .iter()
                .find(|a| a.buckets.iter().any(|x| x.name == name))
                .map_or("", |a| a.id.as_str());
            if let Err(p) = resolve_key(
                inv,
                &plan.keys,
                k,
                owner,
                &dest.bucket.region,
                file,
                shown_root,
            ) {
                problems.push(p);
            }
        }
    }
    destinations
}

/// What a probe object's key must start with, and the tags it needs, to match a rule's filter.
pub(crate) fn probe_match(filter: &FilterSpec) -> (String, Vec<(String, String)>) {
    match filter {
        FilterSpec::V1Prefix(p) | FilterSpec::Prefix(p) => (p.clone(), Vec::new()),
        FilterSpec::Empty => (String::new(), Vec::new()),
        FilterSpec::Tag(k, v) => (String::new(), vec![(k.clone(), v.clone())]),
        FilterSpec::And { prefix, tags } => (prefix.clone().unwrap_or_default(), tags.clone()),
    }
}
