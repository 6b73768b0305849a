//! Permission decisions for the replication role: which policies apply to each request S3 makes
//! on the role's behalf, and the sentence the report shows for the decision.
//!
//! The evaluation logic itself (explicit deny > allow > implicit deny, cross-account, key-policy
//! delegation, grants) lives in `replication-policy`; this module only gathers the policies of
//! the world that apply and the request context S3 would send.

use std::collections::BTreeMap;

use replication_policy::{
    AccessContext, Context, GrantRef, LabelledPolicy, Principal, Request, ResourceKind,
    ResourcePolicy, evaluate_access,
};

use crate::kms::KmsKey;
use crate::world::{Bucket, Role, World};

/// A permission decision as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decision {
    pub allowed: bool,
    pub explicit_deny: bool,
    /// `ALLOW by ...` / `DENY (explicit) by ...` / `DENY (implicit): ...`.
    pub text: String,
}

impl Decision {
    /// `identity` maps the short labels given to the policy engine (which writes them as
    /// ``identity policy `<label>` `` in its explanations) to the phrase the report uses.
    fn from(d: &replication_policy::Decision, identity: &[(String, String)]) -> Decision {
        use replication_policy::DecisionEffect;
        let deciders: Vec<String> = d
            .deciding
            .iter()
            .map(|x| {
                let phrase = identity
                    .iter()
                    .find(|(short, _)| *short == x.policy_label)
                    .map_or(x.policy_label.as_str(), |(_, phrase)| phrase.as_str());
                format!("{} of {phrase}", x.statement)
            })
            .collect();
        let (allowed, explicit_deny, text) = match d.effect {
            DecisionEffect::Allow => (true, false, format!("ALLOW by {}", deciders.join(" and "))),
            DecisionEffect::ExplicitDeny => (
                false,
                true,
                format!("DENY (explicit) by {}", deciders.join(" and ")),
            ),
            DecisionEffect::ImplicitDeny => {
                (false, false, format!("DENY (implicit): {}", d.explanation))
            }
        };
        Decision {
            allowed,
            explicit_deny,
            text,
        }
    }

    /// The fix hint for a denied decision: remove the deny, or add the allow to `policy`.
    pub(crate) fn fix_for(&self, policy: &str, allow: &str) -> String {
        if self.explicit_deny {
            format!(
                "remove or narrow the Deny that decided ({}); then {allow} in {policy} if nothing allows it yet",
                self.text.trim_start_matches("DENY (explicit) by ")
            )
        } else {
            format!("{allow} in {policy}")
        }
    }
}

impl World {
    fn session(role: &Role) -> Principal {
        Principal::assumed_role(&role.arn, "s3-replication")
            .unwrap_or_else(|_| Principal::service("s3.amazonaws.com"))
    }

    /// Labels of the role's identity policies, in the order of `role.policies`: the short
    /// `role/policy` label the policy engine quotes, and the report's phrase.
    fn identity_labels(&self, role: &Role) -> Vec<(String, String)> {
        let role_name = self.role_name(role);
        role.policies
            .keys()
            .map(|name| {
                (
                    format!("{role_name}/{name}"),
                    format!("identity policy `{name}` of role `{role_name}`"),
                )
            })
            .collect()
    }

    fn role_name(&self, role: &Role) -> String {
        self.roles
            .iter()
            .find(|(_, r)| r.arn == role.arn)
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| role.arn.clone())
    }

    fn base_context(&self, principal: &Principal, role: &Role) -> Context {
        let mut ctx = Context::new();
        ctx.insert_principal(principal);
        if let Some(org) = self
            .cat
            .account_name(&role.account_id)
            .and_then(|n| self.cat.accounts.get(n))
            .and_then(|a| a.org_id.clone())
        {
            ctx.insert("aws:PrincipalOrgID", org);
        }
        // Replication traffic is S3's own, over TLS, never through the customer's VPC endpoint
        // (aws-facts i.15): aws:SourceVpce is absent.
        ctx.insert("aws:SecureTransport", "true");
        ctx
    }

    /// `sts:AssumeRole` by a service principal: the trust policy decides alone.
    pub(crate) fn authorize_assume(&self, role: &Role, service: &str) -> Decision {
        let principal = Principal::service(service);
        let ctx = Context::new();
        let req = Request {
            principal: &principal,
            action: "sts:AssumeRole",
            resource: &role.arn,
            context: &ctx,
        };
        let label = format!("trust policy of role `{}`", self.role_name(role));
        let access = AccessContext {
            resource: Some(ResourcePolicy {
                kind: ResourceKind::RoleTrust,
                arn: &role.arn,
                owner_account: &role.account_id,
                label: &label,
                policy: Some(&role.trust),
            }),
            ..AccessContext::default()
        };
        Decision::from(&evaluate_access(&req, &access), &[])
    }

    /// An S3 request by the role's session on a bucket or object of `bucket`.
    pub(crate) fn authorize_s3(
        &self,
        role: &Role,
        action: &str,
        resource: &str,
        bucket: &Bucket,
    ) -> Decision {
        let principal = World::session(role);
        let mut ctx = self.base_context(&principal, role);
        ctx.insert("s3:ResourceAccount", bucket.account_id.clone());
        let req = Request {
            principal: &principal,
            action,
            resource,
            context: &ctx,
        };
        let labels = self.identity_labels(role);
        let identity: Vec<LabelledPolicy<'_>> = labels
            .iter()
            .zip(role.policies.values())
            .map(|((l, _), p)| LabelledPolicy {
                label: l,
                policy: p,
            })
            .collect();
        let bucket_name = self
            .cat
            .bucket_by_s3_name(&bucket.s3_name)
            .unwrap_or(&bucket.s3_name)
            .to_owned();
        let label = format!("bucket policy of `{bucket_name}`");
        let access = AccessContext {
            identity: &identity,
            resource: Some(ResourcePolicy {
                kind: ResourceKind::S3Bucket,
                arn: &bucket.arn,
                owner_account: &bucket.account_id,
                label: &label,
                policy: bucket.policy.as_deref(),
            }),
            ..AccessContext::default()
        };
        Decision::from(&evaluate_access(&req, &access), &labels)
    }

    /// A KMS request by the role's session through S3 in `via_region`, with the encryption
    /// context S3 sends.
    pub(crate) fn authorize_kms(
        &self,
        role: &Role,
        action: &str,
        key: &KmsKey,
        context: &BTreeMap<String, String>,
        via_region: &str,
    ) -> Decision {
        let principal = World::session(role);
        let mut ctx = self.base_context(&principal, role);
        ctx.insert("kms:ViaService", format!("s3.{via_region}.amazonaws.com"));
        ctx.insert("kms:CallerAccount", role.account_id.clone());
        let mut keys = Vec::new();
        for (k, v) in context {
            ctx.insert(&format!("kms:EncryptionContext:{k}"), v.clone());
            keys.push(k.clone());
        }
        ctx.set("kms:EncryptionContextKeys", keys);
        let req = Request {
            principal: &principal,
            action,
            resource: &key.arn,
            context: &ctx,
        };
        let labels = self.identity_labels(role);
        let identity: Vec<LabelledPolicy<'_>> = labels
            .iter()
            .zip(role.policies.values())
            .map(|((l, _), p)| LabelledPolicy {
                label: l,
                policy: p,
            })
            .collect();
        let label = if key.name == "aws/s3" {
            format!("key policy of aws/s3 ({})", key.arn)
        } else {
            format!("key policy of `{}`", key.name)
        };
        let grants: Vec<GrantRef> = key
            .grants
            .iter()
            .enumerate()
            .map(|(i, g)| GrantRef {
                label: format!("grant {} on `{}`", i + 1, key.name),
                grantee: g.grantee_arn.clone(),
                operations: g.operations.clone(),
                encryption_context_subset: g.encryption_context_subset.iter().cloned().collect(),
                encryption_context_equals: None,
            })
            .collect();
        let access = AccessContext {
            identity: &identity,
            resource: Some(ResourcePolicy {
                kind: ResourceKind::KmsKey,
                arn: &key.arn,
                owner_account: &key.account_id,
                label: &label,
                policy: Some(&key.policy),
            }),
            grants: &grants,
            ..AccessContext::default()
        };
        Decision::from(&evaluate_access(&req, &access), &labels)
    }
}
