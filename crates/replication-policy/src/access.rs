//! AWS's evaluation logic across every policy that applies to one request, with the statements
//! that decided and a sentence saying why (and, for a denial, what would fix it).
//!
//! Sources: aws-facts h ([I-EVAL], [I-XACCT]) for identity and resource policies, aws-facts f
//! ([K-DEFPOL], [K-EVAL], [K-GRANTS]) for key policies and grants. Role trust policies follow the
//! key-policy shape: the trust policy must name the caller, or its account, in which case the
//! caller's identity policy must also allow (IAM role trust documentation; inferred for the
//! simulator, since aws-facts only covers the service-principal case).

use std::collections::BTreeMap;
use std::fmt;

use crate::policy::Scan;
use crate::request::split_arn;
use crate::{Policy, Request, StatementRef};

/// The kind of resource policy in play.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceKind {
    /// An S3 bucket policy (also used for the bucket's objects).
    S3Bucket,
    /// A KMS key policy: grants nothing implicitly (aws-facts f).
    KmsKey,
    /// An IAM role trust policy, evaluated for `sts:AssumeRole`.
    RoleTrust,
}

impl ResourceKind {
    fn noun(self) -> &'static str {
        match self {
            ResourceKind::S3Bucket => "bucket policy",
            ResourceKind::KmsKey => "key policy",
            ResourceKind::RoleTrust => "trust policy",
        }
    }
}

/// A policy with the label reports use for it (e.g. `replicator/inline-kms`).
#[derive(Debug, Clone, Copy)]
pub struct LabelledPolicy<'a> {
    /// Name shown in [`Decider::policy_label`] and explanations.
    pub label: &'a str,
    /// The compiled policy.
    pub policy: &'a Policy,
}

/// The resource side of a request.
#[derive(Debug, Clone, Copy)]
pub struct ResourcePolicy<'a> {
    /// Bucket, key or role trust.
    pub kind: ResourceKind,
    /// ARN of the bucket, key or role whose policy this is (named in explanations).
    pub arn: &'a str,
    /// The 12-digit account that owns the resource.
    pub owner_account: &'a str,
    /// Name shown in [`Decider::policy_label`].
    pub label: &'a str,
    /// The policy; `None` when the resource has none (a bucket without a bucket policy).
    pub policy: Option<&'a Policy>,
}

/// A KMS grant on the key being used: it allows (never denies) its grantee the listed operations.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GrantRef {
    /// Name shown in reports.
    pub label: String,
    /// Grantee principal ARN; a role ARN covers the role's sessions.
    pub grantee: String,
    /// Operations such as `Decrypt` or `GenerateDataKey` (`kms:` prefix optional).
    pub operations: Vec<String>,
    /// `EncryptionContextSubset`: every pair must be in the request's encryption context.
    pub encryption_context_subset: BTreeMap<String, String>,
    /// `EncryptionContextEquals`: the request's encryption context must be exactly this.
    pub encryption_context_equals: Option<BTreeMap<String, String>>,
}

/// Everything that applies to one request besides the request itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccessContext<'a> {
    /// Identity policies of the principal (its account is the principal's account).
    pub identity: &'a [LabelledPolicy<'a>],
    /// The resource policy side, if the resource has one kind of policy (bucket, key, trust).
    pub resource: Option<ResourcePolicy<'a>>,
    /// Grants on the KMS key (only consulted for [`ResourceKind::KmsKey`]).
    pub grants: &'a [GrantRef],
    /// Policies that only limit (SCPs, RCPs, permission boundaries, session policies,
    /// aws-facts h): each must allow, and any of their denies deny. Simplification (inferred): a
    /// permission boundary is applied to every request, also when a resource policy names the
    /// session directly.
    pub limits: &'a [LabelledPolicy<'a>],
}

/// The final answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DecisionEffect {
    /// Allowed.
    Allow,
    /// An applicable `Deny` statement.
    ExplicitDeny,
    /// Nothing (or not enough) allows.
    ImplicitDeny,
}

/// What decided: a policy statement, or a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeciderKind {
    /// A policy statement ([`Decider::statement`] is its position and `Sid`).
    Statement,
    /// A KMS grant ([`Decider::statement`] holds the grant's position in `grants` and its label).
    Grant,
}

/// One statement (or grant) that decided.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decider {
    /// Label of the policy or grant.
    pub policy_label: String,
    /// The statement within it.
    pub statement: StatementRef,
    /// Statement or grant.
    pub kind: DeciderKind,
}

/// The outcome of [`evaluate_access`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Allow, explicit deny or implicit deny.
    pub effect: DecisionEffect,
    /// The deny statements, or the allows that were needed; empty for an implicit deny.
    pub deciding: Vec<Decider>,
    /// One deterministic sentence; for denials it names the policy lacking an allow and the fix.
    pub explanation: String,
}

impl Decision {
    /// Whether the request is allowed.
    pub fn is_allowed(&self) -> bool {
        self.effect == DecisionEffect::Allow
    }
}

/// Which role a policy plays; explanations name it from this only when they are written.
#[derive(Clone, Copy)]
enum Part<'a> {
    Identity,
    Resource(ResourceKind, &'a str),
    Limit,
}

struct Found<'a> {
    label: &'a str,
    part: Part<'a>,
    policy: &'a Policy,
    scan: Scan,
}

/// ``identity policy `replicator` `` / ``key policy of `arn:...` ``, formatted lazily so an
/// allowed request pays for one string, not one per policy.
struct Described<'a>(Part<'a>, &'a str);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Part::Identity => write!(f, "identity policy `{}`", self.1),
            Part::Resource(kind, arn) => write!(f, "{} of `{arn}`", kind.noun()),
            Part::Limit => write!(f, "limiting policy `{}`", self.1),
        }
    }
}

/// ``statement 2 (`Sid`) of identity policy `replicator` ``.
#[derive(Clone, Copy)]
struct Cite<'a> {
    found: &'a Found<'a>,
    index: usize,
}

impl fmt::Display for Cite<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "statement {}", self.index)?;
        if let Some(sid) = self.found.policy.statements()[self.index]
            .sid
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            write!(f, " (`{sid}`)")?;
        }
        write!(f, " of {}", self.found.described())
    }
}

/// Cites joined with " and ", with the verb agreeing: `allows` for one, `allow` for several.
struct Cites<'a>(Vec<Cite<'a>>);

impl Cites<'_> {
    fn verb(&self, singular: &'static str, plural: &'static str) -> &'static str {
        if self.0.len() == 1 { singular } else { plural }
    }
}

impl fmt::Display for Cites<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, cite) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" and ")?;
            }
            write!(f, "{cite}")?;
        }
        Ok(())
    }
}

impl<'a> Found<'a> {
    fn decider(&self, index: usize) -> Decider {
        Decider {
            policy_label: self.label.to_string(),
            statement: self.policy.statement_ref(index),
            kind: DeciderKind::Statement,
        }
    }

    fn described(&self) -> Described<'a> {
        Described(self.part, self.label)
    }

    fn cite(&'a self, index: usize) -> Cite<'a> {
        Cite { found: self, index }
    }
}

/// Applies AWS's evaluation logic to `request` across the policies in `access`.
///
/// 1. An explicit `Deny` in any applicable policy wins (aws-facts h [I-EVAL]; f [K-EVAL]).
/// 2. Every limiting policy must allow.
/// 3. By resource: none or same-account bucket: identity **or** bucket policy allows
///    [I-EVAL]; cross-account bucket: identity **and** bucket policy [I-XACCT]; key policy and
///    trust policy: the policy must name the principal (or `*`), or name its account and an
///    identity policy must allow; cross-account always also needs the identity allow
///    [K-DEFPOL] [K-EVAL]; then a matching grant allows [K-GRANTS].
///
/// A resource policy that names only the principal's account delegates to IAM, so on its own it
/// does not allow, also within one account (aws-facts f for KMS; inferred for buckets).
pub fn evaluate_access(request: &Request<'_>, access: &AccessContext<'_>) -> Decision {
    let principal = request.principal;
    let who = principal.identity_arn();
    let identity: Vec<Found<'_>> = access
        .identity
        .iter()
        .map(|lp| Found {
            label: lp.label,
            part: Part::Identity,
            policy: lp.policy,
            scan: lp.policy.scan(request),
        })
        .collect();
    let resource = access.resource.and_then(|r| {
        r.policy.map(|policy| Found {
            label: r.label,
            part: Part::Resource(r.kind, r.arn),
            policy,
            scan: policy.scan(request),
        })
    });
    let limits: Vec<Found<'_>> = access
        .limits
        .iter()
        .map(|lp| Found {
            label: lp.label,
            part: Part::Limit,
            policy: lp.policy,
            scan: lp.policy.scan(request),
        })
        .collect();

    // 1. Explicit deny anywhere.
    let denies: Vec<(&Found<'_>, usize)> = identity
        .iter()
        .chain(resource.iter())
        .chain(limits.iter())
        .filter_map(|f| f.scan.deny.map(|i| (f, i)))
        .collect();
    if !denies.is_empty() {
        let cited = Cites(denies.iter().map(|(f, i)| f.cite(*i)).collect());
        return Decision {
            effect: DecisionEffect::ExplicitDeny,
            deciding: denies.iter().map(|(f, i)| f.decider(*i)).collect(),
            explanation: format!(
                "{cited} explicitly {} `{}` on `{}` for `{who}`; an explicit deny overrides every allow, so narrow or remove {}",
                cited.verb("denies", "deny"),
                request.action,
                request.resource,
                cited.verb("that statement", "those statements"),
            ),
        };
    }

    // 2. Limiting policies must each allow.
    for f in &limits {
        if f.scan.first_allow().is_none() {
            return implicit(format!(
                "{} does not allow `{}` on `{}`; it caps every other allow, so add the action to it",
                f.described(),
                request.action,
                request.resource
            ));
        }
    }
    let limit_deciders: Vec<Decider> = limits
        .iter()
        .filter_map(|f| f.scan.first_allow().map(|i| f.decider(i)))
        .collect();

    let identity_allow = identity
        .iter()
        .find_map(|f| f.scan.first_allow().map(|i| (f, i)));
    let no_identity_allow = || {
        format!(
            "no statement in identity policies of `{who}` allows `{}` on `{}`",
            request.action, request.resource
        )
    };

    let allow = |mut deciding: Vec<Decider>, explanation: String| {
        deciding.extend(limit_deciders.iter().cloned());
        Decision {
            effect: DecisionEffect::Allow,
            deciding,
            explanation,
        }
    };

    let Some(side) = access.resource else {
        // Identity policies alone.
        return match identity_allow {
            Some((f, i)) => allow(
                vec![f.decider(i)],
                format!(
                    "{} allows `{}` on `{}`",
                    f.cite(i),
                    request.action,
                    request.resource
                ),
            ),
            None => implicit(format!(
                "{}; add an `Allow` statement for it",
                no_identity_allow()
            )),
        };
    };

    let cross_account = principal
        .account()
        .is_some_and(|account| account != side.owner_account);
    let owner = side.owner_account;
    let described = Described(Part::Resource(side.kind, side.arn), side.label);
    let scan = resource.as_ref().map(|f| f.scan).unwrap_or_default();
    let direct = resource.as_ref().zip(scan.direct_allow);
    let delegated = resource.as_ref().zip(scan.account_allow);

    match side.kind {
        ResourceKind::S3Bucket if !cross_account => {
            // [I-EVAL]: within one account an allow in either policy suffices.
            let mut deciding = Vec::new();
            let mut cites = Cites(Vec::new());
            if let Some((f, i)) = identity_allow {
                deciding.push(f.decider(i));
                cites.0.push(f.cite(i));
            }
            if let Some((f, i)) = direct {
                deciding.push(f.decider(i));
                cites.0.push(f.cite(i));
            }
            if deciding.is_empty() {
                let delegation_note = match delegated {
                    Some((f, i)) => format!(
                        " ({} names only the account, which delegates to identity policies)",
                        f.cite(i)
                    ),
                    None => String::new(),
                };
                return implicit(format!(
                    "{} and no statement in {described} allows it{delegation_note}; add an `Allow` to either",
                    no_identity_allow()
                ));
            }
            allow(
                deciding,
                format!(
                    "{cites} {} `{}` on `{}`",
                    cites.verb("allows", "allow"),
                    request.action,
                    request.resource
                ),
            )
        }
        ResourceKind::S3Bucket => {
            // [I-XACCT]: identity policy in the caller's account AND bucket policy in the
            // owner's account must both allow (aws-facts a.3 for the replication case).
            let resource_allow = direct.or(delegated);
            match (identity_allow, resource_allow) {
                (Some((fi, i)), Some((fr, r))) => allow(
                    vec![fi.decider(i), fr.decider(r)],
                    format!(
                        "{} and {} allow `{}` on `{}` (cross-account access needs both)",
                        fi.cite(i),
                        fr.cite(r),
                        request.action,
                        request.resource
                    ),
                ),
                (identity_allow, resource_allow) => {
                    let mut missing = Vec::new();
                    if resource_allow.is_none() {
                        missing.push(match resource {
                            None => format!(
                                "bucket `{}` in account `{owner}` has no bucket policy; cross-account access needs one allowing `{who}` (or account `{}`) `{}`",
                                side.arn,
                                principal.account().unwrap_or_default(),
                                request.action
                            ),
                            Some(_) => format!(
                                "{described} does not allow `{who}` (or account `{}`) `{}` on `{}`; cross-account access needs an allow in the owner's account `{owner}`",
                                principal.account().unwrap_or_default(),
                                request.action,
                                request.resource
                            ),
                        });
                    }
                    if identity_allow.is_none() {
                        missing.push(format!(
                            "{}; cross-account access also needs an allow in the caller's account",
                            no_identity_allow()
                        ));
                    }
                    implicit(missing.join("; and "))
                }
            }
        }
        ResourceKind::KmsKey | ResourceKind::RoleTrust => {
            let mut decision = delegated_decision(
                request,
                side,
                described,
                direct,
                delegated,
                identity_allow,
                cross_account,
            );
            if decision.effect == DecisionEffect::ImplicitDeny
                && side.kind == ResourceKind::KmsKey
                && let Some((index, grant)) = access
                    .grants
                    .iter()
                    .enumerate()
                    .find(|(_, g)| grant_allows(g, request))
            {
                // [K-GRANTS]: a grant allows on its own; denies were handled above.
                decision = Decision {
                    effect: DecisionEffect::Allow,
                    deciding: vec![Decider {
                        policy_label: grant.label.clone(),
                        statement: StatementRef {
                            index,
                            sid: Some(grant.label.clone()),
                        },
                        kind: DeciderKind::Grant,
                    }],
                    explanation: format!(
                        "grant `{}` on `{}` lets `{}` call `{}`",
                        grant.label, side.arn, grant.grantee, request.action
                    ),
                };
            }
            if decision.effect == DecisionEffect::Allow {
                decision.deciding.extend(limit_deciders.iter().cloned());
            }
            decision
        }
    }
}

fn implicit(explanation: String) -> Decision {
    Decision {
        effect: DecisionEffect::ImplicitDeny,
        deciding: Vec::new(),
        explanation,
    }
}

/// Key policies and trust policies: nothing is implicit (aws-facts f [K-DEFPOL] [K-EVAL]).
fn delegated_decision(
    request: &Request<'_>,
    side: ResourcePolicy<'_>,
    described: Described<'_>,
    direct: Option<(&Found<'_>, usize)>,
    delegated: Option<(&Found<'_>, usize)>,
    identity_allow: Option<(&Found<'_>, usize)>,
    cross_account: bool,
) -> Decision {
    let principal = request.principal;
    let who = principal.identity_arn();
    let account = principal.account().unwrap_or_default();
    let (action, resource) = (request.action, request.resource);
    let allow = |deciding: Vec<Decider>, explanation: String| Decision {
        effect: DecisionEffect::Allow,
        deciding,
        explanation,
    };
    let no_identity =
        format!("no statement in identity policies of `{who}` allows `{action}` on `{resource}`");
    let fix_policy = match side.kind {
        ResourceKind::KmsKey => "key policy",
        _ => "trust policy",
    };

    if side.policy.is_none() {
        return implicit(format!(
            "{described} is missing, so nothing allows `{who}` `{action}`; a {fix_policy} must allow it"
        ));
    }

    // Same account: naming the principal (or `*`) suffices.
    if let (Some((f, i)), false) = (direct, cross_account) {
        return allow(
            vec![f.decider(i)],
            format!("{} allows `{who}` `{action}` on `{resource}`", f.cite(i)),
        );
    }
    // Otherwise the resource policy must name the principal or its account, and IAM must allow.
    match (direct.or(delegated), identity_allow) {
        (Some((fr, r)), Some((fi, i))) => {
            let how = if direct.is_some() {
                "allows"
            } else {
                "delegates to the account of"
            };
            allow(
                vec![fr.decider(r), fi.decider(i)],
                format!(
                    "{} {how} `{who}` and {} allows `{action}` on `{resource}`{}",
                    fr.cite(r),
                    fi.cite(i),
                    if cross_account {
                        " (cross-account use needs both)"
                    } else {
                        ""
                    }
                ),
            )
        }
        (Some((fr, r)), None) => {
            let how = if direct.is_some() {
                "allows the external principal"
            } else {
                "delegates to account"
            };
            implicit(format!(
                "{} {how} `{}`, but {no_identity}; add an `Allow` for `{action}` on `{resource}` to the identity policy",
                fr.cite(r),
                if direct.is_some() { who } else { account }
            ))
        }
        (None, identity) => {
            let subject = if principal.account().is_some() {
                format!("`{who}` or account `{account}`")
            } else {
                format!("`{who}`")
            };
            let mut text = match side.kind {
                ResourceKind::KmsKey if principal.account().is_some() => {
                    format!("{described} does not allow {subject} (it does not delegate to IAM)")
                }
                _ => format!("{described} does not allow {subject}"),
            };
            match identity {
                Some((fi, i)) if principal.account().is_some() => text.push_str(&format!(
                    ", so the allow in {} has no effect; add `arn:aws:iam::{account}:root` or `{who}` to the {fix_policy} for `{action}`",
                    fi.cite(i)
                )),
                _ => text.push_str(&format!("; add `{who}` to the {fix_policy} for `{action}`")),
            }
            implicit(text)
        }
    }
}

/// Whether `grant` covers the request: grantee, operation, and encryption-context constraint
/// (read from the `kms:EncryptionContext:<key>` entries of the request context).
fn grant_allows(grant: &GrantRef, request: &Request<'_>) -> bool {
    let principal = request.principal;
    let grantee_matches = grant.grantee == principal.arn()
        || principal.role_arn() == Some(grant.grantee.as_str())
        || grant.grantee.eq_ignore_ascii_case(principal.arn())
            && principal.kind() == crate::PrincipalKind::Service
        || split_arn(&grant.grantee).is_some_and(|parts| {
            parts.service == "iam"
                && Some(parts.account) == principal.account()
                && parts
                    .resource
                    .strip_prefix("role/")
                    .and_then(|p| p.rsplit('/').next())
                    .is_some_and(|name| Some(name) == principal.role_name())
        });
    if !grantee_matches {
        return false;
    }
    let operation = request.action;
    let bare = operation
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("kms:"))
        .map_or(operation, |_| &operation[4..]);
    let operation_matches = grant.operations.iter().any(|op| {
        let op = op
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("kms:"))
            .map_or(op.as_str(), |_| &op[4..]);
        op.eq_ignore_ascii_case(bare)
    });
    if !operation_matches {
        return false;
    }
    const PREFIX: &str = "kms:encryptioncontext:";
    let context_value = |key: &str| -> Option<&str> {
        request
            .context
            .with_prefix(PREFIX)
            .find(|(k, _)| k[PREFIX.len()..].eq_ignore_ascii_case(key))
            .and_then(|(_, v)| v.first().map(String::as_str))
    };
    let subset_ok = grant
        .encryption_context_subset
        .iter()
        .all(|(k, v)| context_value(k) == Some(v.as_str()));
    let equals_ok = grant
        .encryption_context_equals
        .as_ref()
        .is_none_or(|pairs| {
            // `kms:EncryptionContextKeys` does not start with the prefix (no colon after it).
            let n_request = request.context.with_prefix(PREFIX).count();
            n_request == pairs.len()
                && pairs
                    .iter()
                    .all(|(k, v)| context_value(k) == Some(v.as_str()))
        });
    subset_ok && equals_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Context, Principal};

    const SRC_ACCT: &str = "111122223333";
    const DST_ACCT: &str = "444455556666";
    const ROLE: &str = "arn:aws:iam::111122223333:role/replicator";
    const SRC_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/src";
    const DST_KEY: &str = "arn:aws:kms:eu-west-1:444455556666:key/dst";

    fn session() -> Principal {
        Principal::assumed_role(ROLE, "s3-replication").expect("valid")
    }

    fn json(text: &str) -> Policy {
        Policy::parse_json(text).expect("valid policy")
    }

    fn allow(action: &str, resource: &str) -> Policy {
        json(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Allow","Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
        ))
    }

    fn resource_policy(principal: &str, effect: &str, action: &str, resource: &str) -> Policy {
        json(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Res","Effect":"{effect}","Principal":{{"AWS":"{principal}"}},"Action":"{action}","Resource":"{resource}"}}]}}"#
        ))
    }

    fn decide(
        action: &str,
        resource: &str,
        context: &Context,
        identity: &[LabelledPolicy<'_>],
        side: Option<ResourcePolicy<'_>>,
        grants: &[GrantRef],
    ) -> Decision {
        let p = session();
        evaluate_access(
            &Request {
                principal: &p,
                action,
                resource,
                context,
            },
            &AccessContext {
                identity,
                resource: side,
                grants,
                limits: &[],
            },
        )
    }

    fn bucket<'a>(arn: &'a str, owner: &'a str, policy: Option<&'a Policy>) -> ResourcePolicy<'a> {
        ResourcePolicy {
            kind: ResourceKind::S3Bucket,
            arn,
            owner_account: owner,
            label: "bucket",
            policy,
        }
    }

    fn key<'a>(arn: &'a str, owner: &'a str, policy: &'a Policy) -> ResourcePolicy<'a> {
        ResourcePolicy {
            kind: ResourceKind::KmsKey,
            arn,
            owner_account: owner,
            label: "key",
            policy: Some(policy),
        }
    }

    /// aws-facts h [I-EVAL]: within one account, an identity OR a bucket-policy allow suffices.
    #[test]
    fn same_account_identity_or_bucket_policy_suffices() {
        let ctx = Context::new();
        let id = allow("s3:GetObjectVersionForReplication", "arn:aws:s3:::source/*");
        let ids = [LabelledPolicy {
            label: "replicator",
            policy: &id,
        }];
        let d = decide(
            "s3:GetObjectVersionForReplication",
            "arn:aws:s3:::source/k",
            &ctx,
            &ids,
            Some(bucket("arn:aws:s3:::source", SRC_ACCT, None)),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::Allow);
        assert_eq!(d.deciding[0].policy_label, "replicator");

        let bp = resource_policy(
            ROLE,
            "Allow",
            "s3:GetObjectVersionForReplication",
            "arn:aws:s3:::source/*",
        );
        let d = decide(
            "s3:GetObjectVersionForReplication",
            "arn:aws:s3:::source/k",
            &ctx,
            &[],
            Some(bucket("arn:aws:s3:::source", SRC_ACCT, Some(&bp))),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::Allow, "{}", d.explanation);
        assert_eq!(d.deciding[0].policy_label, "bucket");

        let d = decide(
            "s3:GetObjectVersionAcl",
            "arn:aws:s3:::source/k",
            &ctx,
            &ids,
            Some(bucket("arn:aws:s3:::source", SRC_ACCT, Some(&bp))),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
        assert_eq!(
            d.explanation,
            "no statement in identity policies of `arn:aws:iam::111122223333:role/replicator` allows `s3:GetObjectVersionAcl` on `arn:aws:s3:::source/k` and no statement in bucket policy of `arn:aws:s3:::source` allows it; add an `Allow` to either"
        );
    }

    /// aws-facts h [I-XACCT] and a.3: cross-account needs identity AND bucket policy.
    #[test]
    fn cross_account_needs_both_identity_and_bucket_policy() {
        let ctx = Context::new();
        let id = allow("s3:ReplicateObject", "arn:aws:s3:::dest/*");
        let ids = [LabelledPolicy {
            label: "replicator",
            policy: &id,
        }];
        let dest = "arn:aws:s3:::dest";

        let d = decide(
            "s3:ReplicateObject",
            "arn:aws:s3:::dest/k",
            &ctx,
            &ids,
            Some(bucket(dest, DST_ACCT, None)),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
        assert!(
            d.explanation.starts_with(
                "bucket `arn:aws:s3:::dest` in account `444455556666` has no bucket policy"
            ),
            "{}",
            d.explanation
        );

        for principal in [ROLE, SRC_ACCT, "arn:aws:iam::111122223333:root"] {
            let bp = resource_policy(
                principal,
                "Allow",
                "s3:ReplicateObject",
                "arn:aws:s3:::dest/*",
            );
            let d = decide(
                "s3:ReplicateObject",
                "arn:aws:s3:::dest/k",
                &ctx,
                &ids,
                Some(bucket(dest, DST_ACCT, Some(&bp))),
                &[],
            );
            assert_eq!(
                d.effect,
                DecisionEffect::Allow,
                "{principal}: {}",
                d.explanation
            );
            assert_eq!(d.deciding.len(), 2);
            assert!(d.explanation.ends_with("(cross-account access needs both)"));
            // Bucket policy alone is not enough across accounts.
            let d = decide(
                "s3:ReplicateObject",
                "arn:aws:s3:::dest/k",
                &ctx,
                &[],
                Some(bucket(dest, DST_ACCT, Some(&bp))),
                &[],
            );
            assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
            assert!(
                d.explanation
                    .contains("cross-account access also needs an allow in the caller's account")
            );
        }
        let other = resource_policy(
            SRC_ACCT,
            "Allow",
            "s3:ReplicateDelete",
            "arn:aws:s3:::dest/*",
        );
        let d = decide(
            "s3:ReplicateObject",
            "arn:aws:s3:::dest/k",
            &ctx,
            &ids,
            Some(bucket(dest, DST_ACCT, Some(&other))),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
        assert!(
            d.explanation
                .contains("bucket policy of `arn:aws:s3:::dest` does not allow"),
            "{}",
            d.explanation
        );
    }

    /// aws-facts a.3 / h [U-TRBL]: a destination Deny on s3:ReplicateTags beats the allows.
    #[test]
    fn explicit_deny_in_bucket_policy_wins() {
        let ctx = Context::new();
        let id = allow("s3:Replicate*", "arn:aws:s3:::dest/*");
        let ids = [LabelledPolicy {
            label: "replicator",
            policy: &id,
        }];
        let bp = json(
            r#"{"Statement":[
            {"Sid":"Allow","Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:Replicate*","Resource":"arn:aws:s3:::dest/*"},
            {"Sid":"NoTags","Effect":"Deny","Principal":"*","Action":"s3:ReplicateTags","Resource":"arn:aws:s3:::dest/*"}]}"#,
        );
        let d = decide(
            "s3:ReplicateTags",
            "arn:aws:s3:::dest/k",
            &ctx,
            &ids,
            Some(bucket("arn:aws:s3:::dest", DST_ACCT, Some(&bp))),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::ExplicitDeny);
        assert_eq!(
            d.deciding,
            vec![Decider {
                policy_label: "bucket".into(),
                statement: StatementRef {
                    index: 1,
                    sid: Some("NoTags".into())
                },
                kind: DeciderKind::Statement,
            }]
        );
        assert_eq!(
            d.explanation,
            "statement 1 (`NoTags`) of bucket policy of `arn:aws:s3:::dest` explicitly denies `s3:ReplicateTags` on `arn:aws:s3:::dest/k` for `arn:aws:iam::111122223333:role/replicator`; an explicit deny overrides every allow, so narrow or remove that statement"
        );
    }

    /// aws-facts f [K-DEFPOL]: the default key policy delegates to IAM through the account root.
    #[test]
    fn key_policy_root_delegation_needs_an_identity_allow() {
        let ctx = Context::new();
        let kp = resource_policy("arn:aws:iam::111122223333:root", "Allow", "kms:*", "*");
        let id = allow("kms:Decrypt", SRC_KEY);
        let ids = [LabelledPolicy {
            label: "replicator",
            policy: &id,
        }];
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &ctx,
            &ids,
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::Allow, "{}", d.explanation);
        assert_eq!(
            d.deciding
                .iter()
                .map(|x| x.policy_label.as_str())
                .collect::<Vec<_>>(),
            ["key", "replicator"]
        );
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &ctx,
            &[],
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
        assert_eq!(
            d.explanation,
            "statement 0 (`Res`) of key policy of `arn:aws:kms:us-east-1:111122223333:key/src` delegates to account `111122223333`, but no statement in identity policies of `arn:aws:iam::111122223333:role/replicator` allows `kms:Decrypt` on `arn:aws:kms:us-east-1:111122223333:key/src`; add an `Allow` for `kms:Decrypt` on `arn:aws:kms:us-east-1:111122223333:key/src` to the identity policy"
        );
    }

    /// aws-facts f [K-EVAL]: without root delegation IAM allows are ineffective, IAM denies apply.
    #[test]
    fn key_policy_without_root_delegation_ignores_iam_allow_but_not_iam_deny() {
        let ctx = Context::new();
        let kp = resource_policy(
            "arn:aws:iam::111122223333:role/admin",
            "Allow",
            "kms:*",
            "*",
        );
        let id = allow("kms:*", "*");
        let ids = [LabelledPolicy {
            label: "replicator",
            policy: &id,
        }];
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &ctx,
            &ids,
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
        assert_eq!(
            d.explanation,
            "key policy of `arn:aws:kms:us-east-1:111122223333:key/src` does not allow `arn:aws:iam::111122223333:role/replicator` or account `111122223333` (it does not delegate to IAM), so the allow in statement 0 (`Allow`) of identity policy `replicator` has no effect; add `arn:aws:iam::111122223333:root` or `arn:aws:iam::111122223333:role/replicator` to the key policy for `kms:Decrypt`"
        );
        // The key policy naming the role directly is enough on its own (same account) ...
        let direct = resource_policy(ROLE, "Allow", "kms:Decrypt", "*");
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &ctx,
            &[],
            Some(key(SRC_KEY, SRC_ACCT, &direct)),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::Allow, "{}", d.explanation);
        // ... but an identity-policy Deny still applies.
        let deny = json(
            r#"{"Statement":[{"Sid":"NoKms","Effect":"Deny","Action":"kms:*","Resource":"*"}]}"#,
        );
        let ids = [LabelledPolicy {
            label: "guard",
            policy: &deny,
        }];
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &ctx,
            &ids,
            Some(key(SRC_KEY, SRC_ACCT, &direct)),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::ExplicitDeny);
        assert_eq!(d.deciding[0].policy_label, "guard");
    }

    /// aws-facts f [K-EVAL] and d.3: cross-account key use needs the key policy to name the
    /// external account or principal AND an identity allow in the caller's account.
    #[test]
    fn cross_account_key_needs_key_policy_and_identity() {
        let ctx = Context::new();
        let id = allow("kms:Encrypt", DST_KEY);
        let ids = [LabelledPolicy {
            label: "replicator",
            policy: &id,
        }];
        let own_root = resource_policy("arn:aws:iam::444455556666:root", "Allow", "kms:*", "*");
        let d = decide(
            "kms:Encrypt",
            DST_KEY,
            &ctx,
            &ids,
            Some(key(DST_KEY, DST_ACCT, &own_root)),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
        assert!(d.explanation.contains("does not allow `arn:aws:iam::111122223333:role/replicator` or account `111122223333`"), "{}", d.explanation);
        for named in [ROLE, SRC_ACCT] {
            let kp = resource_policy(named, "Allow", "kms:Encrypt", "*");
            let d = decide(
                "kms:Encrypt",
                DST_KEY,
                &ctx,
                &ids,
                Some(key(DST_KEY, DST_ACCT, &kp)),
                &[],
            );
            assert_eq!(
                d.effect,
                DecisionEffect::Allow,
                "{named}: {}",
                d.explanation
            );
            assert_eq!(d.deciding.len(), 2);
            let d = decide(
                "kms:Encrypt",
                DST_KEY,
                &ctx,
                &[],
                Some(key(DST_KEY, DST_ACCT, &kp)),
                &[],
            );
            assert_eq!(d.effect, DecisionEffect::ImplicitDeny, "{named}");
        }
    }

    /// aws-facts f [K-GRANTS]: a grant allows its operations, constrained by encryption context,
    /// and never overrides a deny.
    #[test]
    fn grants_allow_with_encryption_context_constraints() {
        let kp = resource_policy(
            "arn:aws:iam::111122223333:role/admin",
            "Allow",
            "kms:*",
            "*",
        );
        let grant = GrantRef {
            label: "replication-grant".into(),
            grantee: ROLE.into(),
            operations: vec!["Decrypt".into(), "kms:GenerateDataKey".into()],
            encryption_context_subset: BTreeMap::from([(
                "aws:s3:arn".to_string(),
                "arn:aws:s3:::source".to_string(),
            )]),
            encryption_context_equals: None,
        };
        let with_ctx =
            Context::new().with("kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::source");
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &with_ctx,
            &[],
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            std::slice::from_ref(&grant),
        );
        assert_eq!(d.effect, DecisionEffect::Allow, "{}", d.explanation);
        assert_eq!(d.deciding[0].kind, DeciderKind::Grant);
        assert_eq!(
            d.explanation,
            "grant `replication-grant` on `arn:aws:kms:us-east-1:111122223333:key/src` lets `arn:aws:iam::111122223333:role/replicator` call `kms:Decrypt`"
        );
        let wrong_ctx = Context::new().with(
            "kms:EncryptionContext:aws:s3:arn",
            "arn:aws:s3:::source/obj",
        );
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &wrong_ctx,
            &[],
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            std::slice::from_ref(&grant),
        );
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
        let d = decide(
            "kms:Encrypt",
            SRC_KEY,
            &with_ctx,
            &[],
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            std::slice::from_ref(&grant),
        );
        assert_eq!(
            d.effect,
            DecisionEffect::ImplicitDeny,
            "operation not granted"
        );
        let equals = GrantRef {
            encryption_context_subset: BTreeMap::new(),
            encryption_context_equals: Some(BTreeMap::from([(
                "aws:s3:arn".to_string(),
                "arn:aws:s3:::source".to_string(),
            )])),
            ..grant.clone()
        };
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &with_ctx,
            &[],
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            std::slice::from_ref(&equals),
        );
        assert_eq!(d.effect, DecisionEffect::Allow);
        let extra = with_ctx.clone().with("kms:EncryptionContext:team", "data");
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &extra,
            &[],
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            std::slice::from_ref(&equals),
        );
        assert_eq!(
            d.effect,
            DecisionEffect::ImplicitDeny,
            "equals rejects extra pairs"
        );
        let deny_kp = json(
            r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}"#,
        );
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &with_ctx,
            &[],
            Some(key(SRC_KEY, SRC_ACCT, &deny_kp)),
            std::slice::from_ref(&grant),
        );
        assert_eq!(
            d.effect,
            DecisionEffect::ExplicitDeny,
            "a grant never overrides a deny"
        );
        let stranger = GrantRef {
            grantee: "arn:aws:iam::111122223333:role/other".into(),
            ..grant
        };
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &with_ctx,
            &[],
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            &[stranger],
        );
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
    }

    /// aws-facts d.3/d.4 [U-KMSREPL]: the recommended key-policy conditions, and the Bucket Key
    /// gotcha: with a Bucket Key the context is the bucket ARN, so an object-ARN condition fails.
    #[test]
    fn via_service_and_encryption_context_conditions_with_bucket_key() {
        let kp = json(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"ReplicaDecrypt","Effect":"Allow",
            "Principal":{"AWS":"arn:aws:iam::111122223333:role/replicator"},"Action":"kms:Decrypt","Resource":"*",
            "Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"},
                         "StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::source/*"}}}]}"#,
        );
        let object = Context::new()
            .with("kms:ViaService", "s3.us-east-1.amazonaws.com")
            .with(
                "kms:EncryptionContext:aws:s3:arn",
                "arn:aws:s3:::source/reports/q1.csv",
            );
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &object,
            &[],
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::Allow, "{}", d.explanation);
        let bucket_key = Context::new()
            .with("kms:ViaService", "s3.us-east-1.amazonaws.com")
            .with("kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::source");
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &bucket_key,
            &[],
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
        let wrong_region = Context::new()
            .with("kms:ViaService", "s3.eu-west-1.amazonaws.com")
            .with(
                "kms:EncryptionContext:aws:s3:arn",
                "arn:aws:s3:::source/reports/q1.csv",
            );
        let d = decide(
            "kms:Decrypt",
            SRC_KEY,
            &wrong_region,
            &[],
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
    }

    /// aws-facts i #15: an `aws:PrincipalOrgID` allow works when the role's account is in the org.
    #[test]
    fn principal_org_id_condition_on_bucket_policy() {
        let bp = json(
            r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:Replicate*",
            "Resource":"arn:aws:s3:::dest/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}]}"#,
        );
        let id = allow("s3:ReplicateObject", "arn:aws:s3:::dest/*");
        let ids = [LabelledPolicy {
            label: "replicator",
            policy: &id,
        }];
        let in_org = Context::new().with("aws:PrincipalOrgID", "o-abc123");
        let d = decide(
            "s3:ReplicateObject",
            "arn:aws:s3:::dest/k",
            &in_org,
            &ids,
            Some(bucket("arn:aws:s3:::dest", DST_ACCT, Some(&bp))),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::Allow, "{}", d.explanation);
        let outside = Context::new().with("aws:PrincipalOrgID", "o-zzz999");
        let d = decide(
            "s3:ReplicateObject",
            "arn:aws:s3:::dest/k",
            &outside,
            &ids,
            Some(bucket("arn:aws:s3:::dest", DST_ACCT, Some(&bp))),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
    }

    /// aws-facts i #15 (inferred): a bucket-policy Deny unless `aws:SourceVpce` matches blocks
    /// replication, whose requests carry no VPC endpoint.
    #[test]
    fn source_vpce_deny_blocks_replication_requests() {
        let bp = json(
            r#"{"Statement":[{"Sid":"VpceOnly","Effect":"Deny","Principal":"*","Action":"s3:*",
            "Resource":["arn:aws:s3:::source","arn:aws:s3:::source/*"],
            "Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}]}"#,
        );
        let id = allow("s3:*", "*");
        let ids = [LabelledPolicy {
            label: "replicator",
            policy: &id,
        }];
        let d = decide(
            "s3:GetObjectVersionForReplication",
            "arn:aws:s3:::source/k",
            &Context::new(),
            &ids,
            Some(bucket("arn:aws:s3:::source", SRC_ACCT, Some(&bp))),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::ExplicitDeny);
        let via = Context::new().with("aws:SourceVpce", "vpce-1a2b3c4d");
        let d = decide(
            "s3:GetObjectVersionForReplication",
            "arn:aws:s3:::source/k",
            &via,
            &ids,
            Some(bucket("arn:aws:s3:::source", SRC_ACCT, Some(&bp))),
            &[],
        );
        assert_eq!(d.effect, DecisionEffect::Allow);
    }

    /// Brief: role trust is decided by the trust policy; the caller is `s3.amazonaws.com`.
    #[test]
    fn role_trust_is_decided_by_the_trust_policy() {
        let trust = json(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"S3","Effect":"Allow",
            "Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole",
            "Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}"#,
        );
        let s3 = Principal::service("s3.amazonaws.com");
        let side = ResourcePolicy {
            kind: ResourceKind::RoleTrust,
            arn: ROLE,
            owner_account: SRC_ACCT,
            label: "trust",
            policy: Some(&trust),
        };
        let ctx = Context::new().with("aws:SourceAccount", SRC_ACCT);
        let run = |p: &Principal, ctx: &Context| {
            evaluate_access(
                &Request {
                    principal: p,
                    action: "sts:AssumeRole",
                    resource: ROLE,
                    context: ctx,
                },
                &AccessContext {
                    resource: Some(side),
                    ..AccessContext::default()
                },
            )
        };
        let d = run(&s3, &ctx);
        assert_eq!(d.effect, DecisionEffect::Allow, "{}", d.explanation);
        assert_eq!(d.deciding[0].statement.sid.as_deref(), Some("S3"));
        let d = run(&s3, &Context::new().with("aws:SourceAccount", DST_ACCT));
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
        let d = run(
            &Principal::service("batchoperations.s3.amazonaws.com"),
            &ctx,
        );
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
        assert_eq!(
            d.explanation,
            "trust policy of `arn:aws:iam::111122223333:role/replicator` does not allow `batchoperations.s3.amazonaws.com`; add `batchoperations.s3.amazonaws.com` to the trust policy for `sts:AssumeRole`"
        );
    }

    /// aws-facts h: SCPs, RCPs and permission boundaries only limit.
    #[test]
    fn limiting_policies_must_allow_and_can_deny() {
        let id = allow("s3:*", "*");
        let ids = [LabelledPolicy {
            label: "replicator",
            policy: &id,
        }];
        let boundary = allow("s3:Get*", "*");
        let p = session();
        let ctx = Context::new();
        let run = |action: &str, limits: &[LabelledPolicy<'_>]| {
            evaluate_access(
                &Request {
                    principal: &p,
                    action,
                    resource: "arn:aws:s3:::source/k",
                    context: &ctx,
                },
                &AccessContext {
                    identity: &ids,
                    limits,
                    ..AccessContext::default()
                },
            )
        };
        let limits = [LabelledPolicy {
            label: "boundary",
            policy: &boundary,
        }];
        assert_eq!(run("s3:GetObject", &limits).effect, DecisionEffect::Allow);
        assert_eq!(run("s3:GetObject", &limits).deciding.len(), 2);
        let d = run("s3:PutObject", &limits);
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
        assert!(
            d.explanation
                .starts_with("limiting policy `boundary` does not allow `s3:PutObject`")
        );
        let scp =
            json(r#"{"Statement":[{"Effect":"Deny","Action":"s3:Replicate*","Resource":"*"}]}"#);
        let limits = [LabelledPolicy {
            label: "scp",
            policy: &scp,
        }];
        assert_eq!(
            run("s3:ReplicateObject", &limits).effect,
            DecisionEffect::ExplicitDeny
        );
    }

    #[test]
    fn identity_only_requests() {
        let id = allow("s3:ListBucket", "arn:aws:s3:::source");
        let ids = [LabelledPolicy {
            label: "replicator",
            policy: &id,
        }];
        let ctx = Context::new();
        let d = decide(
            "s3:ListBucket",
            "arn:aws:s3:::source",
            &ctx,
            &ids,
            None,
            &[],
        );
        assert!(d.is_allowed());
        let d = decide("s3:ListBucket", "arn:aws:s3:::other", &ctx, &ids, None, &[]);
        assert_eq!(
            d.explanation,
            "no statement in identity policies of `arn:aws:iam::111122223333:role/replicator` allows `s3:ListBucket` on `arn:aws:s3:::other`; add an `Allow` statement for it"
        );
    }

    #[test]
    fn decisions_are_deterministic() {
        let kp = resource_policy("arn:aws:iam::111122223333:root", "Allow", "kms:*", "*");
        let id = allow("kms:Decrypt", SRC_KEY);
        let ids = [LabelledPolicy {
            label: "replicator",
            policy: &id,
        }];
        let ctx = Context::new();
        let a = decide(
            "kms:Decrypt",
            SRC_KEY,
            &ctx,
            &ids,
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            &[],
        );
        let b = decide(
            "kms:Decrypt",
            SRC_KEY,
            &ctx,
            &ids,
            Some(key(SRC_KEY, SRC_ACCT, &kp)),
            &[],
        );
        assert_eq!(a, b);
    }

    #[test]
    fn explanations_agree_in_number() {
        let ctx = Context::new();
        let id = allow("s3:*", "arn:aws:s3:::source/*");
        let ids = [LabelledPolicy {
            label: "replicator",
            policy: &id,
        }];
        let bp = resource_policy(ROLE, "Allow", "s3:*", "arn:aws:s3:::source/*");
        let d = decide(
            "s3:GetObjectVersionAcl",
            "arn:aws:s3:::source/k",
            &ctx,
            &ids,
            Some(bucket("arn:aws:s3:::source", SRC_ACCT, Some(&bp))),
            &[],
        );
        assert_eq!(
            d.explanation,
            "statement 0 (`Allow`) of identity policy `replicator` and statement 0 (`Res`) of bucket policy of `arn:aws:s3:::source` allow `s3:GetObjectVersionAcl` on `arn:aws:s3:::source/k`"
        );
        let deny_id = json(r#"{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#);
        let deny_bp = resource_policy("*", "Deny", "s3:*", "*");
        let ids = [LabelledPolicy {
            label: "guard",
            policy: &deny_id,
        }];
        let d = decide(
            "s3:GetObject",
            "arn:aws:s3:::source/k",
            &ctx,
            &ids,
            Some(bucket("arn:aws:s3:::source", SRC_ACCT, Some(&deny_bp))),
            &[],
        );
        assert_eq!(d.deciding.len(), 2);
        assert!(
            d.explanation.contains("explicitly deny `s3:GetObject`")
                && d.explanation.ends_with("narrow or remove those statements"),
            "{}",
            d.explanation
        );
    }

    /// IAM role trust (inferred, see module docs): a trust policy naming another account's root
    /// delegates to that account, whose identity policy must also allow `sts:AssumeRole`.
    #[test]
    fn cross_account_assume_role_needs_trust_and_identity() {
        let trust = resource_policy(
            "arn:aws:iam::111122223333:root",
            "Allow",
            "sts:AssumeRole",
            "*",
        );
        let target = "arn:aws:iam::444455556666:role/reader";
        let side = ResourcePolicy {
            kind: ResourceKind::RoleTrust,
            arn: target,
            owner_account: DST_ACCT,
            label: "trust",
            policy: Some(&trust),
        };
        let ctx = Context::new();
        let id = allow("sts:AssumeRole", target);
        let ids = [LabelledPolicy {
            label: "replicator",
            policy: &id,
        }];
        let d = decide("sts:AssumeRole", target, &ctx, &ids, Some(side), &[]);
        assert_eq!(d.effect, DecisionEffect::Allow, "{}", d.explanation);
        let d = decide("sts:AssumeRole", target, &ctx, &[], Some(side), &[]);
        assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
        assert!(
            d.explanation
                .contains("delegates to account `111122223333`"),
            "{}",
            d.explanation
        );
    }
}
