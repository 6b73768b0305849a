//! AWS's evaluation logic across every policy that applies to one request, with the statements
//! that decided and a sentence saying why (and, for a denial, what would fix it).
//!
//! Sources: aws-facts h ([I-EVAL], [I-XACCT]) for identity and resource policies, aws-facts f
//! ([K-DEFPOL], [K-EVAL], [K-GRANTS]) for key policies and grants. Role trust policies follow the
//! key-policy shape: the trust policy must name the caller, or its account, in which case the
//! caller's identity policy must also allow (IAM role trust documentation; inferred for the
//! simulator, since aws-facts only covers the service-principal case).

mod explain;
mod verdict;

use std::collections::BTreeMap;

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
///
/// The [`Decision`] carries the deciding statements and an explanation, which cost a few
/// allocations; when only the effect matters, [`access_effect`] walks the same decision tree
/// without them.
pub fn evaluate_access(request: &Request<'_>, access: &AccessContext<'_>) -> Decision {
    explain::explain(verdict::decide(request, access), request, access)
}

/// The effect [`evaluate_access`] would return, without its explanation: no heap allocation
/// and no formatting.
///
/// Use it on hot paths that read only whether a request is allowed, and call
/// [`evaluate_access`] for a denial or a trace. Both run the same decision tree (phase 1 of
/// [`evaluate_access`]), so `access_effect(r, a) == evaluate_access(r, a).effect` always holds.
/// Policy variables (`${aws:username}`) are resolved in place, also without allocating.
///
/// ```
/// use replication_policy::*;
/// let identity = Policy::parse_json(r#"{"Version": "2012-10-17", "Statement": [
///   {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::source/*"}]}"#)?;
/// let role = Principal::assumed_role("arn:aws:iam::111122223333:role/replicator", "s3")
///     .unwrap();
/// let context = Context::new();
/// let request = Request {
///     principal: &role, action: "s3:GetObject", resource: "arn:aws:s3:::source/k",
///     context: &context,
/// };
/// let access = AccessContext {
///     identity: &[LabelledPolicy { label: "replicator", policy: &identity }],
///     ..AccessContext::default()
/// };
/// assert_eq!(access_effect(&request, &access), DecisionEffect::Allow);
/// assert_eq!(access_effect(&request, &access), evaluate_access(&request, &access).effect);
/// # Ok::<(), PolicyError>(())
/// ```
pub fn access_effect(request: &Request<'_>, access: &AccessContext<'_>) -> DecisionEffect {
    verdict::decide(request, access).effect()
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
        let request = Request {
            principal: &p,
            action,
            resource,
            context,
        };
        let access = AccessContext {
            identity,
            resource: side,
            grants,
            limits: &[],
        };
        let decision = evaluate_access(&request, &access);
        assert_eq!(access_effect(&request, &access), decision.effect);
        decision
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
