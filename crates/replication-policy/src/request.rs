//! The request side of a permission decision: who asks ([`Principal`]), for what ([`Request`]),
//! with which condition keys ([`Context`]), and what one policy says about it ([`Match`]).

use std::collections::BTreeMap;

use crate::condition::fold_key;

/// Condition keys of a request: key -> values, keys stored lowercased because IAM matches
/// condition keys without regard to case. Ordered, so iteration is deterministic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    entries: BTreeMap<String, Vec<String>>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Context {
        Context::default()
    }

    /// Adds `value` to `key` (keys may carry several values, e.g. `kms:EncryptionContextKeys`).
    pub fn insert(&mut self, key: &str, value: impl Into<String>) -> &mut Context {
        self.entries
            .entry(fold_key(key))
            .or_default()
            .push(value.into());
        self
    }

    /// Builder form of [`Context::insert`].
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Context {
        self.insert(key, value);
        self
    }

    /// Replaces all values of `key`; an empty list is treated like a missing key by operators.
    pub fn set(&mut self, key: &str, values: Vec<String>) -> &mut Context {
        self.entries.insert(fold_key(key), values);
        self
    }

    /// Removes `key`, returning its values.
    pub fn remove(&mut self, key: &str) -> Option<Vec<String>> {
        self.entries.remove(&fold_key(key))
    }

    /// Values of `key` (any case).
    pub fn get(&self, key: &str) -> Option<&[String]> {
        if key.chars().any(|c| c.is_uppercase()) {
            self.get_folded(&fold_key(key))
        } else {
            self.get_folded(key)
        }
    }

    /// Values of an already-lowercased key; the hot path used by compiled conditions.
    pub(crate) fn get_folded(&self, folded: &str) -> Option<&[String]> {
        self.entries.get(folded).map(Vec::as_slice)
    }

    /// Entries whose lowercased key starts with `prefix` (already lowercased), in key order.
    pub(crate) fn with_prefix<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a [String])> + 'a {
        self.entries
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// All entries in key order (keys lowercased).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// Sets the principal keys AWS adds to every request: `aws:PrincipalArn` (the role ARN for a
    /// role session), `aws:PrincipalAccount`, and `aws:PrincipalServiceName` for services.
    pub fn insert_principal(&mut self, principal: &Principal) -> &mut Context {
        match principal.kind {
            PrincipalKind::Service => {
                self.set("aws:PrincipalServiceName", vec![principal.arn.clone()]);
            }
            _ => {
                self.set(
                    "aws:PrincipalArn",
                    vec![principal.identity_arn().to_string()],
                );
            }
        }
        if let Some(account) = &principal.account {
            self.set("aws:PrincipalAccount", vec![account.clone()]);
        }
        self
    }
}

/// What kind of caller a [`Principal`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalKind {
    /// An IAM identity: account root, user, role, or role session.
    Aws,
    /// An AWS service principal such as `s3.amazonaws.com`.
    Service,
    /// A web-identity or SAML provider.
    Federated,
    /// An S3 canonical user id.
    CanonicalUser,
}

/// The caller of a request.
///
/// A role session (`arn:aws:sts::111122223333:assumed-role/replicator/s3-replication`) remembers
/// its role, so a policy naming `arn:aws:iam::111122223333:role/replicator` matches it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Principal {
    kind: PrincipalKind,
    arn: String,
    account: Option<String>,
    role_name: Option<String>,
    role_arn: Option<String>,
}

/// Why a principal could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrincipalError {
    /// The text is not an IAM or STS ARN this crate understands.
    #[error(
        "principal `{0}` is not an IAM or STS ARN; write `arn:aws:iam::<account>:role/<name>`, `arn:aws:sts::<account>:assumed-role/<role>/<session>` or `arn:aws:iam::<account>:root`"
    )]
    NotAnArn(String),
    /// The account part is not 12 digits.
    #[error("account id `{0}` must be 12 digits, e.g. `111122223333`")]
    BadAccount(String),
    /// A role ARN was expected.
    #[error("`{0}` is not a role ARN; write `arn:aws:iam::<account>:role/<name>`")]
    NotARole(String),
    /// A name is empty.
    #[error("{0} must not be empty")]
    Empty(&'static str),
}

/// Whether `text` is a 12-digit AWS account id.
pub(crate) fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The parts of an ARN: `arn:partition:service:region:account:resource`.
pub(crate) struct ArnParts<'a> {
    pub(crate) partition: &'a str,
    pub(crate) service: &'a str,
    pub(crate) account: &'a str,
    pub(crate) resource: &'a str,
}

pub(crate) fn split_arn(arn: &str) -> Option<ArnParts<'_>> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let partition = parts.next()?;
    let service = parts.next()?;
    let _region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    Some(ArnParts {
        partition,
        service,
        account,
        resource,
    })
}

impl Principal {
    /// Reads an IAM or STS ARN: account root, user, role, or assumed-role session.
    ///
    /// ```
    /// # use replication_policy::Principal;
    /// let session = Principal::from_arn("arn:aws:sts::111122223333:assumed-role/replicator/s3-replication")?;
    /// assert_eq!(session.account(), Some("111122223333"));
    /// assert_eq!(session.identity_arn(), "arn:aws:iam::111122223333:role/replicator");
    /// # Ok::<(), replication_policy::PrincipalError>(())
    /// ```
    pub fn from_arn(arn: &str) -> Result<Principal, PrincipalError> {
        let parts = split_arn(arn).ok_or_else(|| PrincipalError::NotAnArn(arn.to_string()))?;
        if parts.service != "iam" && parts.service != "sts" {
            return Err(PrincipalError::NotAnArn(arn.to_string()));
        }
        if !is_account_id(parts.account) {
            return Err(PrincipalError::BadAccount(parts.account.to_string()));
        }
        let account = parts.account.to_string();
        let (role_name, role_arn) = if parts.service == "sts" {
            match parts.resource.strip_prefix("assumed-role/") {
                Some(rest) => {
                    let name = rest.split('/').next().unwrap_or_default();
                    if name.is_empty() {
                        return Err(PrincipalError::Empty("role name"));
                    }
                    (
                        Some(name.to_string()),
                        Some(format!(
                            "arn:{}:iam::{account}:role/{name}",
                            parts.partition
                        )),
                    )
                }
                None => (None, None),
            }
        } else if let Some(path_and_name) = parts.resource.strip_prefix("role/") {
            let name = path_and_name.rsplit('/').next().unwrap_or_default();
            if name.is_empty() {
                return Err(PrincipalError::Empty("role name"));
            }
            (Some(name.to_string()), Some(arn.to_string()))
        } else {
            (None, None)
        };
        Ok(Principal {
            kind: PrincipalKind::Aws,
            arn: arn.to_string(),
            account: Some(account),
            role_name,
            role_arn,
        })
    }

    /// A session of `role_arn` (the path is kept for [`Principal::identity_arn`]), as created by
    /// `sts:AssumeRole` with `session_name`.
    pub fn assumed_role(role_arn: &str, session_name: &str) -> Result<Principal, PrincipalError> {
        let role = Principal::from_arn(role_arn)?;
        let (Some(name), Some(account)) = (role.role_name.clone(), role.account.clone()) else {
            return Err(PrincipalError::NotARole(role_arn.to_string()));
        };
        if role.arn.contains(":sts:") {
            return Err(PrincipalError::NotARole(role_arn.to_string()));
        }
        if session_name.is_empty() {
            return Err(PrincipalError::Empty("session name"));
        }
        let partition = split_arn(role_arn).map_or("aws", |p| p.partition);
        Ok(Principal {
            kind: PrincipalKind::Aws,
            arn: format!("arn:{partition}:sts::{account}:assumed-role/{name}/{session_name}"),
            account: Some(account),
            role_name: Some(name),
            role_arn: Some(role_arn.to_string()),
        })
    }

    /// The root user of an account (`arn:aws:iam::<account>:root`).
    pub fn account_root(account: &str) -> Result<Principal, PrincipalError> {
        if !is_account_id(account) {
            return Err(PrincipalError::BadAccount(account.to_string()));
        }
        Ok(Principal {
            kind: PrincipalKind::Aws,
            arn: format!("arn:aws:iam::{account}:root"),
            account: Some(account.to_string()),
            role_name: None,
            role_arn: None,
        })
    }

    /// A service principal such as `s3.amazonaws.com` (stored lowercased; it has no account).
    pub fn service(name: &str) -> Principal {
        Principal {
            kind: PrincipalKind::Service,
            arn: name.to_ascii_lowercase(),
            account: None,
            role_name: None,
            role_arn: None,
        }
    }

    /// A federated principal (identity provider name or ARN).
    pub fn federated(provider: &str) -> Principal {
        Principal {
            kind: PrincipalKind::Federated,
            arn: provider.to_string(),
            account: None,
            role_name: None,
            role_arn: None,
        }
    }

    /// An S3 canonical user id.
    pub fn canonical_user(id: &str) -> Principal {
        Principal {
            kind: PrincipalKind::CanonicalUser,
            arn: id.to_string(),
            account: None,
            role_name: None,
            role_arn: None,
        }
    }

    /// What kind of caller this is.
    pub fn kind(&self) -> PrincipalKind {
        self.kind
    }

    /// The caller's own ARN (the session ARN for a role session; the name for a service).
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The 12-digit account, for IAM identities.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The role's ARN for a role or role session.
    pub fn role_arn(&self) -> Option<&str> {
        self.role_arn.as_deref()
    }

    /// The role's name for a role or role session.
    pub(crate) fn role_name(&self) -> Option<&str> {
        self.role_name.as_deref()
    }

    /// The identity whose policies apply: the role ARN for a session, otherwise [`Principal::arn`].
    /// This is also the value of `aws:PrincipalArn`.
    pub fn identity_arn(&self) -> &str {
        self.role_arn.as_deref().unwrap_or(&self.arn)
    }
}

/// One request to authorize.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Who asks.
    pub principal: &'a Principal,
    /// `service:Action`, e.g. `kms:Decrypt` (matched without regard to case).
    pub action: &'a str,
    /// The resource ARN (matched with case).
    pub resource: &'a str,
    /// Condition keys.
    pub context: &'a Context,
}

/// Which statement of a policy decided: its position and `Sid`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatementRef {
    /// 0-based position in the policy's `Statement` list.
    pub index: usize,
    /// The statement's `Sid`, if any.
    pub sid: Option<String>,
}

impl std::fmt::Display for StatementRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "statement {}",
            crate::error::describe_statement(self.index, self.sid.as_deref())
        )
    }
}

/// What one policy says about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// A `Deny` statement applies (the first one by index).
    Deny(StatementRef),
    /// No `Deny` applies and an `Allow` does (the first one by index).
    Allow(StatementRef),
    /// No statement applies.
    NotApplicable,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_principal_knows_its_role() {
        let p =
            Principal::from_arn("arn:aws:sts::111122223333:assumed-role/replicator/s3-replication")
                .expect("valid");
        assert_eq!(p.kind(), PrincipalKind::Aws);
        assert_eq!(p.role_name(), Some("replicator"));
        assert_eq!(
            p.role_arn(),
            Some("arn:aws:iam::111122223333:role/replicator")
        );
        let with_path =
            Principal::assumed_role("arn:aws:iam::111122223333:role/service/replicator", "s1")
                .expect("valid");
        assert_eq!(
            with_path.arn(),
            "arn:aws:sts::111122223333:assumed-role/replicator/s1"
        );
        assert_eq!(
            with_path.identity_arn(),
            "arn:aws:iam::111122223333:role/service/replicator"
        );
    }

    #[test]
    fn bad_principals_are_rejected_with_the_fix() {
        assert_eq!(
            Principal::from_arn("arn:aws:iam::1234:role/x"),
            Err(PrincipalError::BadAccount("1234".into()))
        );
        assert!(matches!(
            Principal::from_arn("replicator"),
            Err(PrincipalError::NotAnArn(_))
        ));
        assert!(matches!(
            Principal::assumed_role("arn:aws:iam::111122223333:user/bob", "s"),
            Err(PrincipalError::NotARole(_))
        ));
        assert!(Principal::account_root("11112222333x").is_err());
        let msg = PrincipalError::BadAccount("1".into()).to_string();
        assert_eq!(msg, "account id `1` must be 12 digits, e.g. `111122223333`");
    }

    #[test]
    fn context_keys_are_case_insensitive_and_ordered() {
        let mut c = Context::new();
        c.insert("kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::b");
        c.insert("AWS:SourceAccount", "111122223333");
        assert_eq!(
            c.get("KMS:encryptioncontext:AWS:S3:ARN"),
            Some(&["arn:aws:s3:::b".to_string()][..])
        );
        let keys: Vec<&str> = c.iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            ["aws:sourceaccount", "kms:encryptioncontext:aws:s3:arn"]
        );
        let prefixed: Vec<&str> = c
            .with_prefix("kms:encryptioncontext:")
            .map(|(k, _)| k)
            .collect();
        assert_eq!(prefixed, ["kms:encryptioncontext:aws:s3:arn"]);
        assert_eq!(c.remove("aws:sourceaccount").map(|v| v.len()), Some(1));
    }

    #[test]
    fn principal_keys_follow_aws() {
        let p =
            Principal::from_arn("arn:aws:sts::111122223333:assumed-role/replicator/s3-replication")
                .expect("valid");
        let mut c = Context::new();
        c.insert_principal(&p);
        assert_eq!(
            c.get("aws:PrincipalArn"),
            Some(&["arn:aws:iam::111122223333:role/replicator".to_string()][..])
        );
        assert_eq!(
            c.get("aws:PrincipalAccount"),
            Some(&["111122223333".to_string()][..])
        );
        let mut s = Context::new();
        s.insert_principal(&Principal::service("S3.amazonaws.com"));
        assert_eq!(
            s.get("aws:PrincipalServiceName"),
            Some(&["s3.amazonaws.com".to_string()][..])
        );
    }
}
