//! The `Principal` / `NotPrincipal` element: its plain form and its compiled matcher.
//!
//! Matching reports *how* a principal matched, because resource policies treat an account entry
//! (`arn:aws:iam::<acct>:root` or `<acct>`) as delegation to that account's IAM policies, while
//! naming the role (or `*`) grants directly (aws-facts f [K-DEFPOL], h [I-XACCT]).

use crate::Principal;
use crate::request::{PrincipalKind, is_account_id, split_arn};

/// The principals a statement names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalSet {
    /// `"Principal": "*"`: everyone.
    Any,
    /// `"Principal": {"AWS": ..., "Service": ..., ...}`.
    Ids(PrincipalIds),
}

/// The typed lists of a `Principal` object; JSON keys `AWS`, `Service`, `Federated`, `CanonicalUser`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrincipalIds {
    /// `*`, 12-digit account ids, or IAM/STS ARNs (`arn:aws:iam::<acct>:root`, roles, users, sessions).
    pub aws: Vec<String>,
    /// Service principals such as `s3.amazonaws.com`.
    pub service: Vec<String>,
    /// Identity providers.
    pub federated: Vec<String>,
    /// S3 canonical user ids.
    pub canonical_user: Vec<String>,
}

/// The key of a `Principal` object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalType {
    /// `AWS`
    Aws,
    /// `Service`
    Service,
    /// `Federated`
    Federated,
    /// `CanonicalUser`
    CanonicalUser,
}

impl PrincipalType {
    /// Every type, in the order AWS documents (and this crate renders) them.
    pub const ALL: [PrincipalType; 4] = [
        PrincipalType::Aws,
        PrincipalType::Service,
        PrincipalType::Federated,
        PrincipalType::CanonicalUser,
    ];

    /// The JSON key.
    pub fn name(self) -> &'static str {
        match self {
            PrincipalType::Aws => "AWS",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "Federated",
            PrincipalType::CanonicalUser => "CanonicalUser",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<PrincipalType> {
        PrincipalType::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl PrincipalIds {
    /// The list for one type.
    pub fn list(&self, kind: PrincipalType) -> &[String] {
        match kind {
            PrincipalType::Aws => &self.aws,
            PrincipalType::Service => &self.service,
            PrincipalType::Federated => &self.federated,
            PrincipalType::CanonicalUser => &self.canonical_user,
        }
    }

    /// The mutable list for one type.
    pub fn list_mut(&mut self, kind: PrincipalType) -> &mut Vec<String> {
        match kind {
            PrincipalType::Aws => &mut self.aws,
            PrincipalType::Service => &mut self.service,
            PrincipalType::Federated => &mut self.federated,
            PrincipalType::CanonicalUser => &mut self.canonical_user,
        }
    }

    fn is_empty(&self) -> bool {
        PrincipalType::ALL.iter().all(|t| self.list(*t).is_empty())
    }
}

impl PrincipalSet {
    /// `{"AWS": [...]}` from account ids or ARNs.
    pub fn aws(ids: impl IntoIterator<Item = impl Into<String>>) -> PrincipalSet {
        PrincipalSet::Ids(PrincipalIds {
            aws: ids.into_iter().map(Into::into).collect(),
            ..PrincipalIds::default()
        })
    }

    /// `{"Service": name}`.
    pub fn service(name: impl Into<String>) -> PrincipalSet {
        PrincipalSet::Ids(PrincipalIds {
            service: vec![name.into()],
            ..PrincipalIds::default()
        })
    }
}

/// How a principal matched a `Principal` element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Strength {
    /// Not named.
    No,
    /// Named only through its account (root or account id): delegation to that account.
    Account,
    /// Named itself, through its role, or by `*`.
    Direct,
}

/// A compiled `Principal` list.
#[derive(Debug, Clone, Default)]
pub(crate) struct PrincipalMatcher {
    any: bool,
    accounts: Vec<Box<str>>,
    /// (account, role name): a role ARN matches the role and every session of it. Role names are
    /// unique per account whatever their path, and session ARNs drop the path.
    roles: Vec<(Box<str>, Box<str>)>,
    arns: Vec<Box<str>>,
    services: Vec<Box<str>>,
    federated: Vec<Box<str>>,
    canonical: Vec<Box<str>>,
}

/// Where a principal entry is wrong: the type's list and the index in it (`None`: the whole set).
pub(crate) type PrincipalFault = (Option<(PrincipalType, usize)>, String);

impl PrincipalMatcher {
    /// Checks and compiles a principal set; `element` is `Principal` or `NotPrincipal`.
    pub(crate) fn compile(
        set: &PrincipalSet,
        element: &str,
    ) -> Result<PrincipalMatcher, PrincipalFault> {
        let ids = match set {
            PrincipalSet::Any => {
                return Ok(PrincipalMatcher {
                    any: true,
                    ..PrincipalMatcher::default()
                });
            }
            PrincipalSet::Ids(ids) => ids,
        };
        if ids.is_empty() {
            return Err((
                None,
                format!(
                    "`{element}` names no principal; add `\"AWS\": \"arn:aws:iam::111122223333:root\"` or `\"Service\": \"s3.amazonaws.com\"`, or use `\"*\"`"
                ),
            ));
        }
        let mut m = PrincipalMatcher::default();
        for (i, entry) in ids.aws.iter().enumerate() {
            let at = Some((PrincipalType::Aws, i));
            if entry == "*" {
                // IAM documents `{"AWS": "*"}` as equivalent to `"*"`.
                m.any = true;
                continue;
            }
            if is_account_id(entry) {
                m.accounts.push(entry.as_str().into());
                continue;
            }
            let Some(parts) = split_arn(entry) else {
                return Err((
                    at,
                    format!(
                        "`{element}` `AWS` entry `{}` must be `*`, a 12-digit account id or an IAM ARN such as `arn:aws:iam::111122223333:role/replicator`",
                        crate::json::truncate(entry)
                    ),
                ));
            };
            if entry.contains(['*', '?']) {
                return Err((
                    at,
                    format!(
                        "`{element}` `AWS` entry `{}` cannot use wildcards; use `\"*\"` with a `Condition` such as `ArnLike` on `aws:PrincipalArn`",
                        crate::json::truncate(entry)
                    ),
                ));
            }
            if (parts.service != "iam" && parts.service != "sts") || !is_account_id(parts.account) {
                return Err((
                    at,
                    format!(
                        "`{element}` `AWS` entry `{}` must be an IAM or STS ARN with a 12-digit account, e.g. `arn:aws:iam::111122223333:root`",
                        crate::json::truncate(entry)
                    ),
                ));
            }
            if parts.service == "iam" && parts.resource == "root" {
                m.accounts.push(parts.account.into());
            } else if let Some(path_and_name) = parts
                .resource
                .strip_prefix("role/")
                .filter(|_| parts.service == "iam")
            {
                let name = path_and_name.rsplit('/').next().unwrap_or_default();
                if name.is_empty() {
                    return Err((
                        at,
                        format!(
                            "`{element}` role ARN `{entry}` has no role name; write `arn:aws:iam::<account>:role/<name>`"
                        ),
                    ));
                }
                m.roles.push((parts.account.into(), name.into()));
            } else {
                m.arns.push(entry.as_str().into());
            }
        }
        for (kind, out) in [
            (PrincipalType::Service, &mut m.services),
            (PrincipalType::Federated, &mut m.federated),
            (PrincipalType::CanonicalUser, &mut m.canonical),
        ] {
            for (i, entry) in ids.list(kind).iter().enumerate() {
                if entry.is_empty()
                    || entry.contains(['*', '?'])
                    || entry.contains(char::is_whitespace)
                {
                    return Err((
                        Some((kind, i)),
                        format!(
                            "`{element}` `{}` entry `{}` must be a name without wildcards or spaces, e.g. `s3.amazonaws.com`",
                            kind.name(),
                            crate::json::truncate(entry)
                        ),
                    ));
                }
                out.push(if kind == PrincipalType::Service {
                    entry.to_ascii_lowercase().into()
                } else {
                    entry.as_str().into()
                });
            }
        }
        Ok(m)
    }

    /// How `principal` matches this list.
    pub(crate) fn strength(&self, principal: &Principal) -> Strength {
        if self.any {
            return Strength::Direct;
        }
        let name = principal.arn();
        match principal.kind() {
            PrincipalKind::Aws => {
                if self.arns.iter().any(|a| **a == *name) {
                    return Strength::Direct;
                }
                if let (Some(account), Some(role)) = (principal.account(), principal.role_name())
                    && self
                        .roles
                        .iter()
                        .any(|(a, r)| **a == *account && **r == *role)
                {
                    return Strength::Direct;
                }
                match principal.account() {
                    Some(account) if self.accounts.iter().any(|a| **a == *account) => {
                        Strength::Account
                    }
                    _ => Strength::No,
                }
            }
            PrincipalKind::Service => hit(&self.services, name),
            PrincipalKind::Federated => hit(&self.federated, name),
            PrincipalKind::CanonicalUser => hit(&self.canonical, name),
        }
    }
}

fn hit(list: &[Box<str>], name: &str) -> Strength {
    if list.iter().any(|e| **e == *name) {
        Strength::Direct
    } else {
        Strength::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(aws: &[&str]) -> PrincipalMatcher {
        PrincipalMatcher::compile(&PrincipalSet::aws(aws.iter().copied()), "Principal")
            .expect("valid")
    }

    fn session() -> Principal {
        Principal::from_arn("arn:aws:sts::111122223333:assumed-role/replicator/s3-replication")
            .expect("valid")
    }

    /// Brief: a policy naming the role ARN matches a session of that role, even with a path.
    #[test]
    fn role_arn_matches_its_sessions() {
        assert_eq!(
            compile(&["arn:aws:iam::111122223333:role/replicator"]).strength(&session()),
            Strength::Direct
        );
        assert_eq!(
            compile(&["arn:aws:iam::111122223333:role/service-role/replicator"])
                .strength(&session()),
            Strength::Direct
        );
        assert_eq!(
            compile(&["arn:aws:iam::444455556666:role/replicator"]).strength(&session()),
            Strength::No
        );
        assert_eq!(
            compile(&["arn:aws:sts::111122223333:assumed-role/replicator/s3-replication"])
                .strength(&session()),
            Strength::Direct
        );
    }

    /// Brief + aws-facts f: an account entry matches every principal of the account, as delegation.
    #[test]
    fn account_entries_delegate() {
        assert_eq!(
            compile(&["arn:aws:iam::111122223333:root"]).strength(&session()),
            Strength::Account
        );
        assert_eq!(
            compile(&["111122223333"]).strength(&session()),
            Strength::Account
        );
        assert_eq!(
            compile(&["444455556666"]).strength(&session()),
            Strength::No
        );
        assert_eq!(compile(&["*"]).strength(&session()), Strength::Direct);
    }

    #[test]
    fn service_principals_match_by_name() {
        let m = PrincipalMatcher::compile(&PrincipalSet::service("S3.amazonaws.com"), "Principal")
            .expect("valid");
        assert_eq!(
            m.strength(&Principal::service("s3.amazonaws.com")),
            Strength::Direct
        );
        assert_eq!(
            m.strength(&Principal::service("batchoperations.s3.amazonaws.com")),
            Strength::No
        );
        assert_eq!(m.strength(&session()), Strength::No);
        assert_eq!(
            compile(&["111122223333"]).strength(&Principal::service("s3.amazonaws.com")),
            Strength::No
        );
    }

    #[test]
    fn invalid_entries_name_the_fix() {
        let err = PrincipalMatcher::compile(
            &PrincipalSet::aws(["arn:aws:iam::111122223333:role/*"]),
            "Principal",
        )
        .unwrap_err();
        assert_eq!(err.0, Some((PrincipalType::Aws, 0)));
        assert!(err.1.contains("cannot use wildcards"), "{}", err.1);
        let err = PrincipalMatcher::compile(&PrincipalSet::aws(["*", "replicator"]), "Principal")
            .unwrap_err();
        assert_eq!(err.0, Some((PrincipalType::Aws, 1)));
        let err =
            PrincipalMatcher::compile(&PrincipalSet::Ids(PrincipalIds::default()), "NotPrincipal")
                .unwrap_err();
        assert_eq!(err.0, None);
        assert!(err.1.starts_with("`NotPrincipal` names no principal"));
        assert!(PrincipalMatcher::compile(&PrincipalSet::service("s3.*"), "Principal").is_err());
    }
}
