//! IAM policy documents in AWS's JSON grammar, compiled once and evaluated per request with the
//! deciding statement recorded.
//!
//! The simulator asks this crate every permission question of a replication run (may the role
//! read the source object, use the source key, write the replica ...), so policies are parsed
//! and compiled once per scenario ([`Policy`]) and evaluated many times without re-parsing.
//!
//! * [`Policy::parse_json`] reads AWS JSON and reports mistakes at their byte offset;
//!   [`Policy::from_statements`] checks statements built in code by the same rule book.
//! * [`Document::from_aws_json`] takes the same documents as AWS CLI output (`get-bucket-policy`,
//!   `get-key-policy`, `get-role-policy`, `get-role`, `get-policy-version`), errors located in it.
//! * [`Policy::evaluate`] answers for one policy ([`Match`]).
//! * [`evaluate_access`] combines identity, resource (bucket, key, trust) and limiting policies
//!   plus KMS grants the way AWS does, and explains the [`Decision`]; [`access_effect`] gives
//!   the same effect without the explanation, allocation-free, for hot paths.
//!
//! ```
//! use replication_policy::*;
//! let identity = Policy::parse_json(r#"{"Version": "2012-10-17", "Statement": [
//!   {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]}"#)?;
//! let key_policy = Policy::parse_json(r#"{"Version": "2012-10-17", "Statement": [
//!   {"Sid": "Admins", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/admin"},
//!    "Action": "kms:*", "Resource": "*"}]}"#)?;
//! let role = Principal::from_arn("arn:aws:iam::111122223333:role/replicator").unwrap();
//! let key = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
//! let context = Context::new();
//! let request = Request { principal: &role, action: "kms:Decrypt", resource: key, context: &context };
//! let decision = evaluate_access(&request, &AccessContext {
//!     identity: &[LabelledPolicy { label: "replicator", policy: &identity }],
//!     resource: Some(ResourcePolicy { kind: ResourceKind::KmsKey, arn: key,
//!         owner_account: "111122223333", label: "source key policy", policy: Some(&key_policy) }),
//!     ..AccessContext::default()
//! });
//! // The key policy does not delegate to IAM, so the identity policy's allow has no effect.
//! assert_eq!(decision.effect, DecisionEffect::ImplicitDeny);
//! assert!(decision.explanation.contains("does not delegate to IAM"));
//! # Ok::<(), PolicyError>(())
//! ```

#![warn(missing_docs)]

mod access;
mod cli;
mod condition;
mod error;
mod glob;
pub mod json;
mod parse;
mod policy;
mod principal;
mod request;
mod variables;

pub use access::{
    AccessContext, Decider, DeciderKind, Decision, DecisionEffect, GrantRef, LabelledPolicy,
    ResourceKind, ResourcePolicy, access_effect, evaluate_access,
};
pub use cli::{Document, Source};
pub use condition::{Condition, ConditionOperator, Operator, SetQualifier};
pub use error::{Location, PolicyError};
pub use policy::{ActionSet, Effect, Policy, PolicyKind, PolicyVersion, ResourceSet, Statement};
pub use principal::{PrincipalIds, PrincipalSet, PrincipalType};
pub use request::{
    Context, Match, Principal, PrincipalError, PrincipalKind, Request, StatementRef,
};

impl Policy {
    /// Parses a policy in AWS's JSON grammar and compiles it.
    ///
    /// Errors carry the byte offset, line and column of the offending token and say the fix:
    /// ``line 5, column 17: `Effect` must be `Allow` or `Deny`, found `Alow` ``.
    pub fn parse_json(text: &str) -> Result<Policy, PolicyError> {
        parse::parse_policy(text)
    }
}
