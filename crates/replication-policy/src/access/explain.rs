//! Phase 2 of access evaluation: turns a phase-1 [`Verdict`] into the public [`Decision`], with
//! the deciding statements and one sentence saying why (and, for a denial, what would fix it).
//! Only callers that want text pay for it; [`crate::access_effect`] never gets here.

use std::fmt;

use super::verdict::{Cited, Part, PolicyLeaf, ResourceLeaf, Verdict};
use crate::{
    AccessContext, Decider, DeciderKind, Decision, DecisionEffect, Request, ResourceKind,
    ResourcePolicy, StatementRef,
};

/// ``identity policy `replicator` `` / ``key policy of `arn:...` ``.
struct Described<'a>(Part<'a>, &'a str);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Part::Identity => write!(f, "identity policy `{}`", self.1),
            Part::Resource(kind, arn) => write!(f, "{} of `{arn}`", noun(kind)),
            Part::Limit => write!(f, "limiting policy `{}`", self.1),
        }
    }
}

fn noun(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::S3Bucket => "bucket policy",
        ResourceKind::KmsKey => "key policy",
        ResourceKind::RoleTrust => "trust policy",
    }
}

/// ``statement 2 (`Sid`) of identity policy `replicator` ``.
impl fmt::Display for Cited<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "statement {}", self.index)?;
        if let Some(sid) = self.policy.statements()[self.index]
            .sid
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            write!(f, " (`{sid}`)")?;
        }
        write!(f, " of {}", self.described())
    }
}

impl<'a> Cited<'a> {
    fn decider(&self) -> Decider {
        Decider {
            policy_label: self.label.to_string(),
            statement: self.policy.statement_ref(self.index),
            kind: DeciderKind::Statement,
        }
    }

    fn described(&self) -> Described<'a> {
        Described(self.part, self.label)
    }
}

/// Cites joined with " and ", with the verb agreeing: `allows` for one, `allow` for several.
struct Cites<'a>(Vec<Cited<'a>>);

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

fn implicit(explanation: String) -> Decision {
    Decision {
        effect: DecisionEffect::ImplicitDeny,
        deciding: Vec::new(),
        explanation,
    }
}

/// Builds the [`Decision`] for `verdict`, rescanning policies where the verdict kept only that
/// something applies (every deny; the allow of each limiting policy).
pub(super) fn explain(
    verdict: Verdict<'_>,
    request: &Request<'_>,
    access: &AccessContext<'_>,
) -> Decision {
    let who = request.principal.identity_arn();
    let (action, resource) = (request.action, request.resource);
    let no_identity_allow = || {
        format!("no statement in identity policies of `{who}` allows `{action}` on `{resource}`")
    };
    // An allow also needs every limiting policy; their allows are listed after the leaf's.
    let allow = |leaf: &[Cited<'_>], explanation: String| {
        let limits = access.limits.iter().filter_map(|lp| {
            lp.policy
                .scan(request)
                .first_allow()
                .map(|i| Cited::limit(lp, i).decider())
        });
        Decision {
            effect: DecisionEffect::Allow,
            deciding: leaf.iter().map(Cited::decider).chain(limits).collect(),
            explanation,
        }
    };

    match verdict {
        Verdict::ExplicitDeny => explicit_deny(request, access),
        Verdict::LimitLacksAllow { label } => implicit(format!(
            "{} does not allow `{action}` on `{resource}`; it caps every other allow, so add the action to it",
            Described(Part::Limit, label),
        )),
        Verdict::IdentityOnly {
            identity: Some(identity),
        } => allow(
            &[identity],
            format!("{identity} allows `{action}` on `{resource}`"),
        ),
        Verdict::IdentityOnly { identity: None } => implicit(format!(
            "{}; add an `Allow` statement for it",
            no_identity_allow()
        )),
        Verdict::Resource {
            side,
            cross_account,
            leaf,
        } => {
            let described = Described(Part::Resource(side.kind, side.arn), side.label);
            match leaf {
                ResourceLeaf::BucketAllows { identity, direct } => {
                    let cites = Cites(identity.into_iter().chain(direct).collect());
                    allow(
                        &cites.0,
                        format!(
                            "{cites} {} `{action}` on `{resource}`",
                            cites.verb("allows", "allow")
                        ),
                    )
                }
                ResourceLeaf::BucketLacksAllow { delegated } => {
                    let delegation_note = match delegated {
                        Some(cite) => format!(
                            " ({cite} names only the account, which delegates to identity policies)"
                        ),
                        None => String::new(),
                    };
                    implicit(format!(
                        "{} and no statement in {described} allows it{delegation_note}; add an `Allow` to either",
                        no_identity_allow()
                    ))
                }
                ResourceLeaf::CrossBucketAllows {
                    identity,
                    resource: bucket,
                } => allow(
                    &[identity, bucket],
                    format!(
                        "{identity} and {bucket} allow `{action}` on `{resource}` (cross-account access needs both)"
                    ),
                ),
                ResourceLeaf::CrossBucketLacksAllow {
                    identity,
                    resource: bucket,
                } => {
                    let owner = side.owner_account;
                    let account = request.principal.account().unwrap_or_default();
                    let mut missing = Vec::new();
                    if bucket.is_none() {
                        missing.push(match side.policy {
                            None => format!(
                                "bucket `{}` in account `{owner}` has no bucket policy; cross-account access needs one allowing `{who}` (or account `{account}`) `{action}`",
                                side.arn,
                            ),
                            Some(_) => format!(
                                "{described} does not allow `{who}` (or account `{account}`) `{action}` on `{resource}`; cross-account access needs an allow in the owner's account `{owner}`",
                            ),
                        });
                    }
                    if identity.is_none() {
                        missing.push(format!(
                            "{}; cross-account access also needs an allow in the caller's account",
                            no_identity_allow()
                        ));
                    }
                    implicit(missing.join("; and "))
                }
                ResourceLeaf::GrantAllows { index, grant } => {
                    let mut decision = allow(
                        &[],
                        format!(
                            "grant `{}` on `{}` lets `{}` call `{action}`",
                            grant.label, side.arn, grant.grantee
                        ),
                    );
                    decision.deciding.insert(
                        0,
                        Decider {
                            policy_label: grant.label.clone(),
                            statement: StatementRef {
                                index,
                                sid: Some(grant.label.clone()),
                            },
                            kind: DeciderKind::Grant,
                        },
                    );
                    decision
                }
                ResourceLeaf::Policy(leaf) => {
                    delegated(request, &side, described, leaf, cross_account, allow)
                }
            }
        }
    }
}

/// Lists every applicable `Deny` (identity, resource, then limiting policies).
fn explicit_deny(request: &Request<'_>, access: &AccessContext<'_>) -> Decision {
    let who = request.principal.identity_arn();
    let resource = access.resource.and_then(|side| {
        side.policy
            .and_then(|p| p.scan(request).deny.map(|i| Cited::resource(&side, p, i)))
    });
    let denies: Vec<Cited<'_>> = access
        .identity
        .iter()
        .filter_map(|lp| lp.policy.scan(request).deny.map(|i| Cited::identity(lp, i)))
        .chain(resource)
        .chain(
            access
                .limits
                .iter()
                .filter_map(|lp| lp.policy.scan(request).deny.map(|i| Cited::limit(lp, i))),
        )
        .collect();
    let cited = Cites(denies);
    Decision {
        effect: DecisionEffect::ExplicitDeny,
        deciding: cited.0.iter().map(Cited::decider).collect(),
        explanation: format!(
            "{cited} explicitly {} `{}` on `{}` for `{who}`; an explicit deny overrides every allow, so narrow or remove {}",
            cited.verb("denies", "deny"),
            request.action,
            request.resource,
            cited.verb("that statement", "those statements"),
        ),
    }
}

/// Key policies and trust policies: nothing is implicit (aws-facts f [K-DEFPOL] [K-EVAL]).
fn delegated(
    request: &Request<'_>,
    side: &ResourcePolicy<'_>,
    described: Described<'_>,
    leaf: PolicyLeaf<'_>,
    cross_account: bool,
    allow: impl Fn(&[Cited<'_>], String) -> Decision,
) -> Decision {
    let principal = request.principal;
    let who = principal.identity_arn();
    let account = principal.account().unwrap_or_default();
    let (action, resource) = (request.action, request.resource);
    let no_identity =
        format!("no statement in identity policies of `{who}` allows `{action}` on `{resource}`");
    let fix_policy = match side.kind {
        ResourceKind::KmsKey => "key policy",
        _ => "trust policy",
    };
    match leaf {
        PolicyLeaf::Allows { resource: policy } => allow(
            &[policy],
            format!("{policy} allows `{who}` `{action}` on `{resource}`"),
        ),
        PolicyLeaf::AndIdentityAllow {
            resource: policy,
            direct,
            identity,
        } => {
            let how = if direct {
                "allows"
            } else {
                "delegates to the account of"
            };
            allow(
                &[policy, identity],
                format!(
                    "{policy} {how} `{who}` and {identity} allows `{action}` on `{resource}`{}",
                    if cross_account {
                        " (cross-account use needs both)"
                    } else {
                        ""
                    }
                ),
            )
        }
        PolicyLeaf::NeedsIdentity {
            resource: policy,
            direct,
        } => {
            let how = if direct {
                "allows the external principal"
            } else {
                "delegates to account"
            };
            implicit(format!(
                "{policy} {how} `{}`, but {no_identity}; add an `Allow` for `{action}` on `{resource}` to the identity policy",
                if direct { who } else { account }
            ))
        }
        PolicyLeaf::LacksAllow { identity } => {
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
                Some(identity) if principal.account().is_some() => text.push_str(&format!(
                    ", so the allow in {identity} has no effect; add `arn:aws:iam::{account}:root` or `{who}` to the {fix_policy} for `{action}`"
                )),
                _ => text.push_str(&format!("; add `{who}` to the {fix_policy} for `{action}`")),
            }
            implicit(text)
        }
        PolicyLeaf::Missing => implicit(format!(
            "{described} is missing, so nothing allows `{who}` `{action}`; a {fix_policy} must allow it"
        )),
    }
}
