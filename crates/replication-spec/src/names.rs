//! The names AWS gives things, checked against AWS's naming rules: bucket names, IAM role names
//! and paths, KMS key ids and aliases, and the real names a scenario gives twice.
//!
//! A scenario may name things as they are named in the account (`name: "acme.prod-data"`,
//! `id: "1234abcd-..."`), so that real policies naming real ARNs match. The shapes are checked by
//! `ids`; this module applies them to a scenario and finds collisions among the resolved names
//! in the [`Catalog`], so every naming rule is stated once.

use std::collections::BTreeMap;

use crate::catalog::Catalog;
use crate::ids;
use crate::problem::{Problem, ProblemKind};
use crate::spec::{Item, KeyKind, Locus, ScenarioSpec};

/// Every naming problem of a scenario, each at the field that holds the name.
pub fn problems(spec: &ScenarioSpec, cat: &Catalog) -> Vec<Problem> {
    let mut out = Vec::new();
    buckets(spec, &mut out);
    roles(spec, cat, &mut out);
    keys(spec, cat, &mut out);
    out
}

fn push(out: &mut Vec<Problem>, item: Item, path: &str, kind: ProblemKind, message: String) {
    out.push(Problem {
        locus: Locus::new(item, path),
        kind,
        message,
        json_offset: None,
    });
}

/// Bucket names are global in a partition (S3 User Guide, "General purpose bucket naming
/// rules"), so two buckets of a scenario cannot share one, whatever their accounts.
fn buckets(spec: &ScenarioSpec, out: &mut Vec<Problem>) {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for b in &spec.buckets {
        let item = Item::Bucket(b.name.clone());
        // The field that holds the name: `name: "..."`, or the identifier it is derived from.
        let path = if b.s3_name.is_some() { "s3_name" } else { "" };
        let s3_name = b
            .s3_name
            .clone()
            .unwrap_or_else(|| crate::catalog::s3_bucket_name(&b.name));
        if let Err(e) = ids::check_bucket_name(&s3_name) {
            push(out, item.clone(), path, ProblemKind::Malformed, e);
        }
        if let Some(other) = seen.insert(s3_name.clone(), &b.name)
            && other != b.name
        {
            let msg = format!(
                "buckets `{other}` and `{}` both have the S3 name `{s3_name}`; bucket names are global, rename one",
                b.name
            );
            push(out, item, path, ProblemKind::Duplicate, msg);
        }
    }
}

/// Role names are unique in an account, and IAM does not distinguish them by case (IAM
/// `CreateRole`, `RoleName`).
fn roles(spec: &ScenarioSpec, cat: &Catalog, out: &mut Vec<Problem>) {
    let mut seen: BTreeMap<(String, String), &str> = BTreeMap::new();
    for r in &spec.roles {
        let item = Item::Role(r.name.clone());
        let path = if r.role_name.is_some() {
            "role_name"
        } else {
            ""
        };
        let role_name = r.role_name.as_deref().unwrap_or(&r.name);
        if let Err(e) = ids::check_role_name(role_name) {
            push(out, item.clone(), path, ProblemKind::Malformed, e);
        }
        if let Some(p) = &r.path
            && let Err(e) = ids::check_role_path(p)
        {
            push(out, item.clone(), "path", ProblemKind::Malformed, e);
        }
        let Some(info) = cat.roles.get(&r.name) else {
            continue;
        };
        let key = (info.account_id.clone(), role_name.to_ascii_lowercase());
        if let Some(other) = seen.insert(key, &r.name)
            && other != r.name
        {
            let msg = format!(
                "roles `{other}` and `{}` both have the IAM name `{role_name}` in account {}; role names are unique in an account, whatever their case or path: rename one",
                r.name, info.account_id
            );
            push(out, item, path, ProblemKind::Duplicate, msg);
        }
    }
}

/// Key ids: a UUID, or `mrk-...` for a multi-Region key, shared by its replicas (aws-facts g
/// [K-MRK]); unique in a Region. Aliases: AWS's alias rule, one key per alias in an account
/// and Region.
fn keys(spec: &ScenarioSpec, cat: &Catalog, out: &mut Vec<Problem>) {
    for k in &spec.keys {
        let item = Item::Key(k.name.clone());
        for (i, alias) in k.aliases.iter().enumerate() {
            if let Err(e) = ids::check_alias(alias) {
                push(
                    out,
                    item.clone(),
                    &format!("aliases[{i}]"),
                    ProblemKind::Malformed,
                    e,
                );
            }
        }
        let Some(id) = &k.key_id else {
            continue;
        };
        match &k.kind {
            KeyKind::MultiRegionReplica { primary, .. } => {
                // A replica is made by `ReplicateKey` and takes its primary's id.
                let shared = cat.keys.get(primary).map(|p| p.key_id.as_str());
                if shared.is_some_and(|shared| shared != id) {
                    let msg = format!(
                        "replica `{}` has key id `{id}`, but related multi-Region keys share one key id: its primary `{primary}` has `{}`; remove `id` from the replica",
                        k.name,
                        shared.unwrap_or_default()
                    );
                    push(out, item, "key_id", ProblemKind::Malformed, msg);
                }
            }
            KeyKind::MultiRegionPrimary { .. } => {
                if let Err(e) = ids::check_key_id(id, true) {
                    push(out, item, "key_id", ProblemKind::Malformed, e);
                }
            }
            KeyKind::SingleRegion { .. } | KeyKind::AwsManagedS3 { .. } => {
                if let Err(e) = ids::check_key_id(id, false) {
                    push(out, item, "key_id", ProblemKind::Malformed, e);
                }
            }
        }
    }
    let mut ids_seen: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    let mut aliases_seen: BTreeMap<String, &str> = BTreeMap::new();
    for k in &spec.keys {
        let Some(info) = cat.keys.get(&k.name) else {
            continue;
        };
        let item = Item::Key(k.name.clone());
        if let Some(other) = ids_seen.insert((&info.region, &info.key_id), &k.name)
            && other != k.name
            // Two related keys in one Region is `ReplicateKey`'s own rejection.
            && !(info.mrk_set.is_some() && cat.keys[other].mrk_set == info.mrk_set)
        {
            let path = if k.key_id.is_some() { "key_id" } else { "" };
            let msg = format!(
                "keys `{other}` and `{}` both have key id `{}` in {}; key ids are unique, give one another id",
                k.name, info.key_id, info.region
            );
            push(out, item.clone(), path, ProblemKind::Duplicate, msg);
        }
        for (i, alias) in k.aliases.iter().enumerate() {
            let arn = ids::alias_arn(&info.region, &info.account_id, alias);
            if let Some(other) = aliases_seen.insert(arn, &k.name)
                && other != k.name
            {
                let msg = format!(
                    "alias `{alias}` is given to keys `{other}` and `{}` in account {} and {}; an alias names one key in an account and Region, rename one",
                    k.name, info.account_id, info.region
                );
                push(
                    out,
                    item.clone(),
                    &format!("aliases[{i}]"),
                    ProblemKind::Duplicate,
                    msg,
                );
            }
        }
    }
}
