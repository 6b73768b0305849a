//! Permission decisions for the replication role: which policies apply to each request S3 makes
//! on the role's behalf, and the sentence the report shows for the decision.
//!
//! The evaluation logic itself (explicit deny > allow > implicit deny, cross-account, key-policy
//! delegation, grants) lives in `replication-policy`; this module only gathers the policies of
//! the world that apply and the request context S3 would send. Everything that does not change
//! between requests (the session principal, its condition keys, policy labels) is built once per
//! scenario or per attempt, and a decision's sentence is written only when someone reads it: the
//! trace, or a denial's failure detail.

use std::collections::BTreeMap;

use replication_policy::{
    AccessContext, Context, DeciderKind, DecisionEffect, LabelledPolicy, Match, Principal, Request,
    ResourceKind, ResourcePolicy, access_effect, evaluate_access,
};

use crate::kms::KmsKey;
use crate::world::{Bucket, Role};

/// Which policies lack an allow for an implicitly denied request: the ones a fix must change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Missing {
    /// No identity policy of the role allows the request.
    pub identity: bool,
    /// The resource policy (bucket or key policy) allows neither the role nor its account.
    pub resource: bool,
}

/// A permission decision, its sentence written on demand.
#[derive(Debug, Clone)]
pub(crate) struct Decision<'w> {
    pub allowed: bool,
    pub explicit_deny: bool,
    /// For an implicit deny, the policies without an allow (none otherwise).
    pub missing: Missing,
    /// The policy engine's decision with its deciding statements and sentence; `None` for an
    /// allow reached without them (see [`Caller::detail`]).
    raw: Option<replication_policy::Decision>,
    role: &'w Role,
    /// The key of a KMS request, whose grants a decision may cite.
    key: Option<&'w KmsKey>,
}

impl<'w> Decision<'w> {
    fn new(
        raw: replication_policy::Decision,
        role: &'w Role,
        key: Option<&'w KmsKey>,
    ) -> Decision<'w> {
        Decision {
            allowed: raw.effect == DecisionEffect::Allow,
            explicit_deny: raw.effect == DecisionEffect::ExplicitDeny,
            missing: Missing::default(),
            raw: Some(raw),
            role,
            key,
        }
    }

    /// An allow whose deciding statements nobody will read.
    fn allowed_without_detail(role: &'w Role, key: Option<&'w KmsKey>) -> Decision<'w> {
        Decision {
            allowed: true,
            explicit_deny: false,
            missing: Missing::default(),
            raw: None,
            role,
            key,
        }
    }

    fn with_missing(mut self, missing: impl FnOnce() -> Missing) -> Decision<'w> {
        if !self.allowed && !self.explicit_deny {
            self.missing = missing();
        }
        self
    }

    /// The policies to add an allow to, from which of them lack one: `role` (the role's
    /// phrase), `resource` (e.g. ``the key policy of `dst_key` ``), or both. `either_suffices`:
    /// within one account an allow in either the role's policy or a bucket policy is enough, so
    /// a request neither allows is fixed in the role's policy.
    pub(crate) fn allow_in(&self, role: &str, resource: &str, either_suffices: bool) -> String {
        match (self.missing.identity, self.missing.resource) {
            (true, true) if either_suffices => role.to_owned(),
            (true, true) => format!("{role} and {resource}"),
            (false, true) => resource.to_owned(),
            _ => role.to_owned(),
        }
    }

    /// `ALLOW by ...` / `DENY (explicit) by ...` / `DENY (implicit): ...`.
    pub(crate) fn text(&self) -> String {
        let Some(raw) = &self.raw else {
            // Only allows go without detail, and only when no trace is written.
            return "ALLOW (deciding statements not recorded: trace off)".to_owned();
        };
        match raw.effect {
            DecisionEffect::Allow => format!("ALLOW by {}", self.deciders()),
            DecisionEffect::ExplicitDeny => format!("DENY (explicit) by {}", self.deciders()),
            DecisionEffect::ImplicitDeny => format!("DENY (implicit): {}", raw.explanation),
        }
    }

    /// The deciding statements and grants, joined with `and`. Identity policies, which the
    /// policy engine knows by the short label `role/policy`, are named as the report names them.
    fn deciders(&self) -> String {
        let parts: Vec<String> = self
            .raw
            .iter()
            .flat_map(|raw| &raw.deciding)
            .map(|x| {
                if x.kind == DeciderKind::Grant {
                    return self.grant_text(x.statement.index, &x.policy_label);
                }
                let phrase = self
                    .role
                    .policies
                    .iter()
                    .find(|(_, p)| p.label == x.policy_label)
                    .map_or_else(
                        || x.policy_label.clone(),
                        |(name, _)| {
                            format!("identity policy `{name}` of role `{}`", self.role.name)
                        },
                    );
                format!("{} of {phrase}", x.statement)
            })
            .collect();
        parts.join(" and ")
    }

    /// ``grant 1 on key `dst_key` (grantee arn:..., operations Encrypt)``: the policy engine
    /// knows a grant by its position in the key's grants.
    fn grant_text(&self, index: usize, label: &str) -> String {
        let Some((key, grant)) = self.key.and_then(|k| k.grants.get(index).map(|g| (k, g))) else {
            return label.to_owned();
        };
        let mut text = format!(
            "grant {} on key `{}` (grantee {}, operations {}",
            index + 1,
            key.name,
            grant.grantee_arn,
            grant.operations.join(", ")
        );
        if !grant.encryption_context_subset.is_empty() {
            let pairs: Vec<String> = grant
                .encryption_context_subset
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            text.push_str(", encryption context subset ");
            text.push_str(&pairs.join(", "));
        }
        text.push(')');
        text
    }

    /// The fix hint for a denied decision: remove the deny, or add the allow to `policy`.
    pub(crate) fn fix_for(&self, policy: &str, allow: &str) -> String {
        if self.explicit_deny {
            format!(
                "remove or narrow the Deny that decided ({}); then {allow} in {policy} if nothing allows it yet",
                self.deciders()
            )
        } else {
            format!("{allow} in {policy}")
        }
    }
}

/// Which of `identity` and `resource` lack an allow for `req` (asked only after a denial).
fn missing(
    identity: &[LabelledPolicy<'_>],
    resource: Option<&replication_policy::Policy>,
    req: &Request<'_>,
) -> Missing {
    let allows = |p: &replication_policy::Policy| matches!(p.evaluate(req), Match::Allow(_));
    Missing {
        identity: !identity.iter().any(|lp| allows(lp.policy)),
        resource: !resource.is_some_and(allows),
    }
}

/// The role's session as every request of one attempt presents it: its identity policies with
/// the labels the policy engine quotes, built once per attempt rather than per request.
#[derive(Debug)]
pub(crate) struct Caller<'w> {
    pub role: &'w Role,
    identity: Vec<LabelledPolicy<'w>>,
    /// Whether every decision keeps its deciding statements and sentence (the trace is on).
    /// Without it an allow is only an allow: `access_effect` answers it without writing a word,
    /// and a denial is evaluated again in full, since its sentence is the failure's detail.
    detail: bool,
}

impl<'w> Caller<'w> {
    pub(crate) fn new(role: &'w Role, detail: bool) -> Caller<'w> {
        Caller {
            role,
            detail,
            identity: role
                .policies
                .values()
                .map(|p| LabelledPolicy {
                    label: &p.label,
                    policy: &p.policy,
                })
                .collect(),
        }
    }

    /// `sts:AssumeRole` by a service principal: the trust policy decides alone.
    pub(crate) fn assume(&self, service: &str) -> Decision<'w> {
        let role = self.role;
        let principal = Principal::service(service);
        let ctx = Context::new();
        let req = Request {
            principal: &principal,
            action: "sts:AssumeRole",
            resource: &role.arn,
            context: &ctx,
        };
        let access = AccessContext {
            resource: Some(ResourcePolicy {
                kind: ResourceKind::RoleTrust,
                arn: &role.arn,
                owner_account: &role.account_id,
                label: &role.trust_label,
                policy: Some(&role.trust),
            }),
            ..AccessContext::default()
        };
        Decision::new(evaluate_access(&req, &access), role, None)
    }

    /// An S3 request by the role's session on a bucket or object of `bucket`.
    pub(crate) fn s3(&self, action: &str, resource: &str, bucket: &Bucket) -> Decision<'w> {
        let role = self.role;
        let built;
        let ctx = match role.s3_contexts.get(&bucket.account_id) {
            Some(ctx) => ctx,
            None => {
                built = role.s3_context(&bucket.account_id);
                &built
            }
        };
        let req = Request {
            principal: &role.session,
            action,
            resource,
            context: ctx,
        };
        let access = AccessContext {
            identity: &self.identity,
            resource: Some(ResourcePolicy {
                kind: ResourceKind::S3Bucket,
                arn: &bucket.arn,
                owner_account: &bucket.account_id,
                label: &bucket.policy_label,
                policy: bucket.policy.as_deref(),
            }),
            ..AccessContext::default()
        };
        if !self.detail && access_effect(&req, &access) == DecisionEffect::Allow {
            return Decision::allowed_without_detail(role, None);
        }
        Decision::new(evaluate_access(&req, &access), role, None)
            .with_missing(|| missing(&self.identity, bucket.policy.as_deref(), &req))
    }

    /// A KMS request by the role's session through S3 in `via_region`, with the encryption
    /// context S3 sends.
    pub(crate) fn kms(
        &self,
        action: &str,
        key: &'w KmsKey,
        context: &BTreeMap<String, String>,
        via_region: &str,
    ) -> Decision<'w> {
        let role = self.role;
        let mut ctx = role.base_context.clone();
        ctx.insert("kms:ViaService", format!("s3.{via_region}.amazonaws.com"));
        ctx.insert("kms:CallerAccount", role.account_id.clone());
        let mut keys = Vec::with_capacity(context.len());
        for (k, v) in context {
            ctx.insert(&format!("kms:EncryptionContext:{k}"), v.clone());
            keys.push(k.clone());
        }
        ctx.set("kms:EncryptionContextKeys", keys);
        let req = Request {
            principal: &role.session,
            action,
            resource: &key.arn,
            context: &ctx,
        };
        let access = AccessContext {
            identity: &self.identity,
            resource: Some(ResourcePolicy {
                kind: ResourceKind::KmsKey,
                arn: &key.arn,
                owner_account: &key.account_id,
                label: &key.policy_label,
                policy: Some(&key.policy),
            }),
            grants: &key.grant_refs,
            ..AccessContext::default()
        };
        if !self.detail && access_effect(&req, &access) == DecisionEffect::Allow {
            return Decision::allowed_without_detail(role, Some(key));
        }
        Decision::new(evaluate_access(&req, &access), role, Some(key))
            .with_missing(|| missing(&self.identity, Some(&key.policy), &req))
    }
}

/// The session S3 uses for the role (`assumed-role/<role>/s3-replication`).
pub(crate) fn session(role_arn: &str) -> Principal {
    Principal::assumed_role(role_arn, "s3-replication")
        .unwrap_or_else(|_| Principal::service("s3.amazonaws.com"))
}

/// The condition keys every request of the role's session carries.
pub(crate) fn base_context(session: &Principal, org_id: Option<&str>) -> Context {
    let mut ctx = Context::new();
    ctx.insert_principal(session);
    if let Some(org) = org_id {
        ctx.insert("aws:PrincipalOrgID", org);
    }
    // Replication traffic is S3's own, over TLS, never through the customer's VPC endpoint
    // (aws-facts i.15): aws:SourceVpce is absent.
    ctx.insert("aws:SecureTransport", "true");
    ctx
}
