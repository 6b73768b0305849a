//! The resolved names of a scenario: every account, key, bucket and role with its ARN.
//!
//! Validation builds the catalog once; policies, the engine and the report look names up here
//! instead of formatting ARNs on their own.

use std::collections::BTreeMap;

use crate::ids;
use crate::spec::{KeyKind, ScenarioSpec};

/// What a name in the scenario stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// An account.
    Account,
    /// A KMS key.
    Key,
    /// A bucket.
    Bucket,
    /// A role.
    Role,
}

impl NameKind {
    /// How the kind is named in messages.
    pub const fn label(self) -> &'static str {
        match self {
            NameKind::Account => "account",
            NameKind::Key => "key",
            NameKind::Bucket => "bucket",
            NameKind::Role => "role",
        }
    }
}

/// A resolved account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    /// The twelve-digit id.
    pub id: String,
    /// `aws:PrincipalOrgID`, if the account is in an organization.
    pub org_id: Option<String>,
}

/// How a key came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    /// A customer managed single-Region key.
    CustomerManaged,
    /// The primary of a multi-Region key set.
    MultiRegionPrimary,
    /// A replica of a multi-Region key.
    MultiRegionReplica,
    /// The AWS managed key `aws/s3`.
    AwsManaged,
}

/// A resolved KMS key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key ARN.
    pub arn: String,
    /// The key id (`mrk-...` for multi-Region keys, shared by related keys).
    pub key_id: String,
    /// The key's Region.
    pub region: String,
    /// The owning account id.
    pub account_id: String,
    /// How the key came to be.
    pub origin: KeyOrigin,
    /// For multi-Region keys: the name of the primary of the set (itself for the primary).
    pub mrk_set: Option<String>,
}

/// A resolved bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketInfo {
    /// The bucket's S3 name: as the scenario gives it, or the scenario name with `_` written as
    /// `-`.
    pub s3_name: String,
    /// `arn:aws:s3:::<name>`.
    pub arn: String,
    /// The owning account id.
    pub account_id: String,
    /// The bucket's Region.
    pub region: String,
}

/// A resolved role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleInfo {
    /// The IAM role name: as the scenario gives it, or the scenario name.
    pub role_name: String,
    /// The IAM path, `/` unless the scenario gives one.
    pub path: String,
    /// The role ARN.
    pub arn: String,
    /// The owning account id.
    pub account_id: String,
}

/// Every name of a scenario, resolved. Entries whose definition was malformed are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// What each defined name stands for.
    pub kinds: BTreeMap<String, NameKind>,
    /// Accounts by name.
    pub accounts: BTreeMap<String, AccountInfo>,
    /// Keys by name.
    pub keys: BTreeMap<String, KeyInfo>,
    /// Buckets by name.
    pub buckets: BTreeMap<String, BucketInfo>,
    /// Roles by name.
    pub roles: BTreeMap<String, RoleInfo>,
}

/// A scenario's bucket name as S3 knows it: identifiers cannot hold `-`, bucket names cannot
/// hold `_`, so `_` becomes `-`.
pub fn s3_bucket_name(name: &str) -> String {
    name.replace('_', "-")
}

impl Catalog {
    /// Resolves what can be resolved; validation reports what cannot.
    pub fn build(spec: &ScenarioSpec) -> Catalog {
        let mut cat = Catalog::default();
        for a in &spec.accounts {
            cat.kinds.entry(a.name.clone()).or_insert(NameKind::Account);
            if ids::check_account_id(&a.id).is_ok() && !cat.accounts.contains_key(&a.name) {
                cat.accounts.insert(
                    a.name.clone(),
                    AccountInfo {
                        id: a.id.clone(),
                        org_id: a.org_id.clone(),
                    },
                );
            }
        }
        for k in &spec.keys {
            cat.kinds.entry(k.name.clone()).or_insert(NameKind::Key);
        }
        for b in &spec.buckets {
            cat.kinds.entry(b.name.clone()).or_insert(NameKind::Bucket);
        }
        for r in &spec.roles {
            cat.kinds.entry(r.name.clone()).or_insert(NameKind::Role);
        }
        // Primaries first, so replicas can take their key id.
        for pass in 0..2 {
            for k in &spec.keys {
                if cat.keys.contains_key(&k.name) || cat.kinds.get(&k.name) != Some(&NameKind::Key)
                {
                    continue;
                }
                let info = match &k.kind {
                    KeyKind::SingleRegion { account, region } if pass == 0 => cat
                        .account_id(account)
                        .filter(|_| ids::check_region(region).is_ok())
                        .map(|acct| {
                            let key_id = k.key_id.clone().unwrap_or_else(|| {
                                ids::single_region_key_id(&acct, region, &k.name)
                            });
                            KeyInfo {
                                arn: ids::key_arn(region, &acct, &key_id),
                                key_id,
                                region: region.clone(),
                                account_id: acct,
                                origin: KeyOrigin::CustomerManaged,
                                mrk_set: None,
                            }
                        }),
                    KeyKind::MultiRegionPrimary { account, region } if pass == 0 => cat
                        .account_id(account)
                        .filter(|_| ids::check_region(region).is_ok())
                        .map(|acct| {
                            let key_id = k
                                .key_id
                                .clone()
                                .unwrap_or_else(|| ids::multi_region_key_id(&acct, &k.name));
                            KeyInfo {
                                arn: ids::key_arn(region, &acct, &key_id),
                                key_id,
                                region: region.clone(),
                                account_id: acct,
                                origin: KeyOrigin::MultiRegionPrimary,
                                mrk_set: Some(k.name.clone()),
                            }
                        }),
                    KeyKind::AwsManagedS3 { account, region } if pass == 0 => cat
                        .account_id(account)
                        .filter(|_| ids::check_region(region).is_ok())
                        .map(|acct| {
                            let key_id = k
                                .key_id
                                .clone()
                                .unwrap_or_else(|| ids::aws_managed_key_id(&acct, region));
                            KeyInfo {
                                arn: ids::key_arn(region, &acct, &key_id),
                                key_id,
                                region: region.clone(),
                                account_id: acct,
                                origin: KeyOrigin::AwsManaged,
                                mrk_set: None,
                            }
                        }),
                    KeyKind::MultiRegionReplica { primary, region } if pass == 1 => cat
                        .keys
                        .get(primary)
                        .filter(|p| p.origin == KeyOrigin::MultiRegionPrimary)
                        .filter(|_| ids::check_region(region).is_ok())
                        .map(|p| KeyInfo {
                            arn: ids::key_arn(region, &p.account_id, &p.key_id),
                            key_id: p.key_id.clone(),
                            region: region.clone(),
                            account_id: p.account_id.clone(),
                            origin: KeyOrigin::MultiRegionReplica,
                            mrk_set: Some(primary.clone()),
                        }),
                    _ => None,
                };
                if let Some(info) = info {
                    cat.keys.insert(k.name.clone(), info);
                }
            }
        }
        for b in &spec.buckets {
            if cat.kinds.get(&b.name) != Some(&NameKind::Bucket)
                || cat.buckets.contains_key(&b.name)
            {
                continue;
            }
            if let Some(acct) = cat.account_id(&b.account) {
                let s3_name = b.s3_name.clone().unwrap_or_else(|| s3_bucket_name(&b.name));
                cat.buckets.insert(
                    b.name.clone(),
                    BucketInfo {
                        arn: ids::bucket_arn(&s3_name),
                        s3_name,
                        account_id: acct,
                        region: b.region.clone(),
                    },
                );
            }
        }
        for r in &spec.roles {
            if cat.kinds.get(&r.name) != Some(&NameKind::Role) || cat.roles.contains_key(&r.name) {
                continue;
            }
            if let Some(acct) = cat.account_id(&r.account) {
                let role_name = r.role_name.clone().unwrap_or_else(|| r.name.clone());
                let path = r.path.clone().unwrap_or_else(|| "/".to_owned());
                cat.roles.insert(
                    r.name.clone(),
                    RoleInfo {
                        arn: ids::role_arn(&acct, &path, &role_name),
                        role_name,
                        path,
                        account_id: acct,
                    },
                );
            }
        }
        cat
    }

    /// The account id of an account name.
    pub fn account_id(&self, name: &str) -> Option<String> {
        self.accounts.get(name).map(|a| a.id.clone())
    }

    /// The scenario name of the account with this id, if the scenario defines one.
    pub fn account_name(&self, id: &str) -> Option<&str> {
        self.accounts
            .iter()
            .find(|(_, a)| a.id == id)
            .map(|(n, _)| n.as_str())
    }

    /// The scenario name of the bucket with this S3 name.
    pub fn bucket_by_s3_name(&self, s3_name: &str) -> Option<&str> {
        self.buckets
            .iter()
            .find(|(_, b)| b.s3_name == s3_name)
            .map(|(n, _)| n.as_str())
    }
}
