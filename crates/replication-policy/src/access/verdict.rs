//! Phase 1 of access evaluation: AWS's decision tree run without formatting or heap allocation,
//! ending in a [`Verdict`] that names the leaf that decided and the statements (or grant) behind
//! it, so that [`crate::access_effect`] can stop here and [`crate::evaluate_access`] can explain
//! it in phase 2 (`explain`).

use crate::policy::Scan;
use crate::request::split_arn;
use crate::{
    AccessContext, DecisionEffect, GrantRef, LabelledPolicy, Policy, PrincipalKind, Request,
    ResourceKind, ResourcePolicy,
};

/// Which role a policy plays; explanations name it from this only when they are written.
#[derive(Clone, Copy)]
pub(super) enum Part<'a> {
    Identity,
    Resource(ResourceKind, &'a str),
    Limit,
}

/// One applicable statement: the policy it sits in (by reference) and its position.
#[derive(Clone, Copy)]
pub(super) struct Cited<'a> {
    pub(super) label: &'a str,
    pub(super) part: Part<'a>,
    pub(super) policy: &'a Policy,
    pub(super) index: usize,
}

/// Which leaf of the decision tree decided, with the statements it rests on.
///
/// Holds references and indices only: building one allocates nothing.
#[derive(Clone, Copy)]
pub(super) enum Verdict<'a> {
    /// Some applicable policy has an applicable `Deny`; which ones is left to phase 2, since
    /// the effect no longer depends on the rest.
    ExplicitDeny,
    /// The first limiting policy without an applicable `Allow` (by label).
    LimitLacksAllow { label: &'a str },
    /// No resource side: the identity policies alone decide (allowed when `identity` is set).
    IdentityOnly { identity: Option<Cited<'a>> },
    /// A resource side is in play.
    Resource {
        side: ResourcePolicy<'a>,
        cross_account: bool,
        leaf: ResourceLeaf<'a>,
    },
}

/// The leaves under a resource side; `identity` is the first identity-policy allow.
#[derive(Clone, Copy)]
pub(super) enum ResourceLeaf<'a> {
    /// Same-account bucket: an identity or a bucket-policy allow naming the principal
    /// (at least one is set).
    BucketAllows {
        identity: Option<Cited<'a>>,
        direct: Option<Cited<'a>>,
    },
    /// Same-account bucket with neither; `delegated` is an allow naming only the account.
    BucketLacksAllow { delegated: Option<Cited<'a>> },
    /// Cross-account bucket: identity and bucket policy both allow.
    CrossBucketAllows {
        identity: Cited<'a>,
        resource: Cited<'a>,
    },
    /// Cross-account bucket missing one or both allows.
    CrossBucketLacksAllow {
        identity: Option<Cited<'a>>,
        resource: Option<Cited<'a>>,
    },
    /// Key or trust policy, which grants nothing implicitly.
    Policy(PolicyLeaf<'a>),
    /// A KMS grant allowed what the key policy alone did not.
    GrantAllows { index: usize, grant: &'a GrantRef },
}

/// The leaves under a key or trust policy; `resource` is its allow naming the principal
/// (`direct`) or only the principal's account.
#[derive(Clone, Copy)]
pub(super) enum PolicyLeaf<'a> {
    /// The key or trust side has no policy.
    Missing,
    /// Same account, and the policy names the principal (or `*`).
    Allows { resource: Cited<'a> },
    /// The policy names the principal or its account, and an identity policy allows.
    AndIdentityAllow {
        resource: Cited<'a>,
        direct: bool,
        identity: Cited<'a>,
    },
    /// The policy names the principal or its account, but no identity policy allows.
    NeedsIdentity { resource: Cited<'a>, direct: bool },
    /// The policy names neither the principal nor its account.
    LacksAllow { identity: Option<Cited<'a>> },
}

impl Verdict<'_> {
    /// The effect this leaf stands for.
    pub(super) fn effect(&self) -> DecisionEffect {
        match self {
            Verdict::ExplicitDeny => DecisionEffect::ExplicitDeny,
            Verdict::LimitLacksAllow { .. } => DecisionEffect::ImplicitDeny,
            Verdict::IdentityOnly { identity } => allowed_if(identity.is_some()),
            Verdict::Resource { leaf, .. } => allowed_if(leaf.allows()),
        }
    }
}

impl ResourceLeaf<'_> {
    /// Whether this leaf allows (every other resource leaf is an implicit deny).
    fn allows(&self) -> bool {
        matches!(
            self,
            ResourceLeaf::BucketAllows { .. }
                | ResourceLeaf::CrossBucketAllows { .. }
                | ResourceLeaf::Policy(PolicyLeaf::Allows { .. })
                | ResourceLeaf::Policy(PolicyLeaf::AndIdentityAllow { .. })
                | ResourceLeaf::GrantAllows { .. }
        )
    }
}

fn allowed_if(allowed: bool) -> DecisionEffect {
    if allowed {
        DecisionEffect::Allow
    } else {
        DecisionEffect::ImplicitDeny
    }
}

impl<'a> Cited<'a> {
    pub(super) fn identity(lp: &LabelledPolicy<'a>, index: usize) -> Cited<'a> {
        Cited {
            label: lp.label,
            part: Part::Identity,
            policy: lp.policy,
            index,
        }
    }

    pub(super) fn limit(lp: &LabelledPolicy<'a>, index: usize) -> Cited<'a> {
        Cited {
            label: lp.label,
            part: Part::Limit,
            policy: lp.policy,
            index,
        }
    }

    pub(super) fn resource(
        side: &ResourcePolicy<'a>,
        policy: &'a Policy,
        index: usize,
    ) -> Cited<'a> {
        Cited {
            label: side.label,
            part: Part::Resource(side.kind, side.arn),
            policy,
            index,
        }
    }
}

/// Whether the principal's account differs from the resource owner's (a service principal,
/// having no account, is never cross-account).
pub(super) fn is_cross_account(request: &Request<'_>, side: &ResourcePolicy<'_>) -> bool {
    request
        .principal
        .account()
        .is_some_and(|account| account != side.owner_account)
}

/// Runs the decision tree documented on [`crate::evaluate_access`]; no formatting, no heap.
///
/// Every policy is scanned once. The first applicable `Deny` ends the walk at once: a deny
/// decides whatever else applies, and phase 2 rescans to list every deny.
pub(super) fn decide<'a>(request: &Request<'_>, access: &AccessContext<'a>) -> Verdict<'a> {
    // 1. Explicit deny anywhere (identity, resource, limits), collecting what later steps need.
    let mut identity = None;
    for lp in access.identity {
        let scan = lp.policy.scan(request);
        if scan.deny.is_some() {
            return Verdict::ExplicitDeny;
        }
        if identity.is_none() {
            identity = scan.first_allow().map(|i| Cited::identity(lp, i));
        }
    }
    let resource_policy = access.resource.and_then(|side| side.policy);
    let scan = resource_policy.map_or_else(Scan::default, |p| p.scan(request));
    if scan.deny.is_some() {
        return Verdict::ExplicitDeny;
    }
    let mut lacking = None;
    for lp in access.limits {
        let scan = lp.policy.scan(request);
        if scan.deny.is_some() {
            return Verdict::ExplicitDeny;
        }
        if lacking.is_none() && scan.first_allow().is_none() {
            lacking = Some(lp.label);
        }
    }

    // 2. Limiting policies must each allow.
    if let Some(label) = lacking {
        return Verdict::LimitLacksAllow { label };
    }

    // 3. By resource.
    let Some(side) = access.resource else {
        return Verdict::IdentityOnly { identity };
    };
    let cross_account = is_cross_account(request, &side);
    let cite = |index: Option<usize>| {
        resource_policy
            .zip(index)
            .map(|(policy, i)| Cited::resource(&side, policy, i))
    };
    let (direct, delegated) = (cite(scan.direct_allow), cite(scan.account_allow));
    let leaf = match side.kind {
        // [I-EVAL]: within one account an allow in either policy suffices.
        ResourceKind::S3Bucket if !cross_account => {
            if identity.is_none() && direct.is_none() {
                ResourceLeaf::BucketLacksAllow { delegated }
            } else {
                ResourceLeaf::BucketAllows { identity, direct }
            }
        }
        // [I-XACCT]: identity policy in the caller's account AND bucket policy in the owner's
        // account must both allow (aws-facts a.3 for the replication case).
        ResourceKind::S3Bucket => match (identity, direct.or(delegated)) {
            (Some(identity), Some(resource)) => {
                ResourceLeaf::CrossBucketAllows { identity, resource }
            }
            (identity, resource) => ResourceLeaf::CrossBucketLacksAllow { identity, resource },
        },
        ResourceKind::KmsKey | ResourceKind::RoleTrust => {
            let leaf = ResourceLeaf::Policy(policy_leaf(
                &side,
                direct,
                delegated,
                identity,
                cross_account,
            ));
            if leaf.allows() || side.kind != ResourceKind::KmsKey {
                leaf
            } else {
                // [K-GRANTS]: a grant allows on its own; denies were handled above.
                match access
                    .grants
                    .iter()
                    .enumerate()
                    .find(|(_, g)| grant_allows(g, request))
                {
                    Some((index, grant)) => ResourceLeaf::GrantAllows { index, grant },
                    None => leaf,
                }
            }
        }
    };
    Verdict::Resource {
        side,
        cross_account,
        leaf,
    }
}

/// Key policies and trust policies: nothing is implicit (aws-facts f [K-DEFPOL] [K-EVAL]).
fn policy_leaf<'a>(
    side: &ResourcePolicy<'a>,
    direct: Option<Cited<'a>>,
    delegated: Option<Cited<'a>>,
    identity: Option<Cited<'a>>,
    cross_account: bool,
) -> PolicyLeaf<'a> {
    if side.policy.is_none() {
        return PolicyLeaf::Missing;
    }
    // Same account: naming the principal (or `*`) suffices.
    if let (Some(resource), false) = (direct, cross_account) {
        return PolicyLeaf::Allows { resource };
    }
    // Otherwise the resource policy must name the principal or its account, and IAM must allow.
    match (direct.or(delegated), identity) {
        (Some(resource), Some(identity)) => PolicyLeaf::AndIdentityAllow {
            resource,
            direct: direct.is_some(),
            identity,
        },
        (Some(resource), None) => PolicyLeaf::NeedsIdentity {
            resource,
            direct: direct.is_some(),
        },
        (None, identity) => PolicyLeaf::LacksAllow { identity },
    }
}

/// Whether `grant` covers the request: grantee, operation, and encryption-context constraint
/// (read from the `kms:EncryptionContext:<key>` entries of the request context).
fn grant_allows(grant: &GrantRef, request: &Request<'_>) -> bool {
    let principal = request.principal;
    let grantee_matches = grant.grantee == principal.arn()
        || principal.role_arn() == Some(grant.grantee.as_str())
        || grant.grantee.eq_ignore_ascii_case(principal.arn())
            && principal.kind() == PrincipalKind::Service
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
