//! `access_effect` against `evaluate_access`: over every combination of identity, resource,
//! limiting policies and grants below, the allocation-free effect must be the explained one.

use replication_policy::{
    AccessContext, Context, DecisionEffect, GrantRef, LabelledPolicy, Policy, Principal, Request,
    ResourceKind, ResourcePolicy, access_effect, evaluate_access,
};

const SRC_ACCT: &str = "111122223333";
const DST_ACCT: &str = "444455556666";
const ROLE: &str = "arn:aws:iam::111122223333:role/replicator";
const BUCKET: &str = "arn:aws:s3:::bucket";
const OBJECT: &str = "arn:aws:s3:::bucket/k";
const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/k";
const TRUSTED_ROLE: &str = "arn:aws:iam::111122223333:role/target";
/// Every policy below covers these, so each applies to all three resource kinds.
const ACTIONS: &str = r#"["s3:GetObject", "kms:Decrypt", "sts:AssumeRole"]"#;

fn parse(text: &str) -> Policy {
    Policy::parse_json(text).expect("test policy parses")
}

/// An identity-style policy of `statements` (each `(Sid, Effect, Action)`).
fn identity(statements: &[(&str, &str, &str)]) -> Policy {
    let body: Vec<String> = statements
        .iter()
        .map(|(sid, effect, action)| {
            format!(r#"{{"Sid":"{sid}","Effect":"{effect}","Action":{action},"Resource":"*"}}"#)
        })
        .collect();
    parse(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        body.join(",")
    ))
}

fn resource(effect: &str, principal: &str) -> Policy {
    parse(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Res","Effect":"{effect}","Principal":{principal},"Action":{ACTIONS},"Resource":"*"}}]}}"#
    ))
}

/// The policies, principals and grants the combinations are drawn from.
struct Corpus {
    identity_allow: Policy,
    identity_deny: Policy,
    identity_other: Policy,
    resource: Vec<Policy>,
    limit_allow: Policy,
    limit_deny: Policy,
    principals: Vec<Principal>,
    grants: Vec<Vec<GrantRef>>,
}

impl Corpus {
    fn new() -> Corpus {
        let grant = |grantee: &str, operation: &str| GrantRef {
            label: "g".into(),
            grantee: grantee.into(),
            operations: vec![operation.into()],
            encryption_context_subset: Default::default(),
            encryption_context_equals: None,
        };
        Corpus {
            identity_allow: identity(&[
                ("Other", "Allow", r#""s3:PutObject""#),
                ("Reads", "Allow", ACTIONS),
                ("More", "Allow", r#""kms:*""#),
            ]),
            identity_deny: identity(&[("Guard", "Deny", ACTIONS), ("All", "Allow", r#""*""#)]),
            identity_other: identity(&[("Other", "Allow", r#""s3:PutObject""#)]),
            resource: vec![
                // Names the role directly.
                resource("Allow", &format!(r#"{{"AWS":"{ROLE}"}}"#)),
                // Names only the role's account: delegates to its identity policies.
                resource(
                    "Allow",
                    &format!(r#"{{"AWS":"arn:aws:iam::{SRC_ACCT}:root"}}"#),
                ),
                // Names another account only.
                resource("Allow", &format!(r#"{{"AWS":"{DST_ACCT}"}}"#)),
                resource("Allow", r#""*""#),
                resource("Allow", r#"{"Service":"s3.amazonaws.com"}"#),
                resource("Deny", r#""*""#),
            ],
            limit_allow: identity(&[("Cap", "Allow", r#""*""#)]),
            limit_deny: identity(&[("Scp", "Deny", r#""kms:*""#), ("Rest", "Allow", r#""*""#)]),
            principals: vec![
                Principal::assumed_role(ROLE, "s3-replication").expect("valid role"),
                Principal::from_arn(ROLE).expect("valid role"),
                Principal::from_arn("arn:aws:iam::444455556666:role/outsider").expect("valid"),
                Principal::service("s3.amazonaws.com"),
            ],
            grants: vec![
                Vec::new(),
                vec![grant(ROLE, "Decrypt")],
                vec![grant(ROLE, "Encrypt")],
                vec![grant("arn:aws:iam::111122223333:role/other", "kms:Decrypt")],
            ],
        }
    }
}

/// Calls `check` with every combination; returns how many there were.
fn for_each_combination(
    corpus: &Corpus,
    mut check: impl FnMut(&Request<'_>, &AccessContext<'_>),
) -> usize {
    let label = |policy| LabelledPolicy { label: "p", policy };
    let identities: Vec<Vec<LabelledPolicy<'_>>> = vec![
        vec![],
        vec![label(&corpus.identity_allow)],
        vec![label(&corpus.identity_other)],
        vec![label(&corpus.identity_deny)],
        vec![label(&corpus.identity_other), label(&corpus.identity_allow)],
        vec![label(&corpus.identity_allow), label(&corpus.identity_deny)],
    ];
    let limits: Vec<Vec<LabelledPolicy<'_>>> = vec![
        vec![],
        vec![label(&corpus.limit_allow)],
        vec![label(&corpus.identity_other)],
        vec![label(&corpus.limit_deny)],
        vec![label(&corpus.identity_other), label(&corpus.limit_deny)],
    ];
    let targets = [
        (ResourceKind::S3Bucket, "s3:GetObject", BUCKET, OBJECT),
        (ResourceKind::KmsKey, "kms:Decrypt", KEY, KEY),
        (
            ResourceKind::RoleTrust,
            "sts:AssumeRole",
            TRUSTED_ROLE,
            TRUSTED_ROLE,
        ),
    ];
    let context = Context::new();
    let mut n_combinations = 0;
    for principal in &corpus.principals {
        for (kind, action, arn, resource) in targets {
            let mut sides = vec![None];
            for owner in [SRC_ACCT, DST_ACCT] {
                sides.push(Some(ResourcePolicy {
                    kind,
                    arn,
                    owner_account: owner,
                    label: "res",
                    policy: None,
                }));
                for policy in &corpus.resource {
                    sides.push(Some(ResourcePolicy {
                        kind,
                        arn,
                        owner_account: owner,
                        label: "res",
                        policy: Some(policy),
                    }));
                }
            }
            let request = Request {
                principal,
                action,
                resource,
                context: &context,
            };
            for side in &sides {
                for identity in &identities {
                    for limits in &limits {
                        for grants in &corpus.grants {
                            check(
                                &request,
                                &AccessContext {
                                    identity,
                                    resource: *side,
                                    grants,
                                    limits,
                                },
                            );
                            n_combinations += 1;
                        }
                    }
                }
            }
        }
    }
    n_combinations
}

#[test]
fn access_effect_agrees_with_evaluate_access_on_every_combination() {
    let corpus = Corpus::new();
    let mut seen = std::collections::BTreeSet::new();
    let n = for_each_combination(&corpus, |request, access| {
        let decision = evaluate_access(request, access);
        assert_eq!(
            access_effect(request, access),
            decision.effect,
            "{} `{}` on `{}`: {}",
            request.principal.arn(),
            request.action,
            request.resource,
            decision.explanation
        );
        // Which sentence shape decided: the explanation without its backticked names.
        let shape: Vec<&str> = decision.explanation.split('`').step_by(2).collect();
        seen.insert((decision.effect, shape.join("_")));
    });
    assert!(n > 10_000, "only {n} combinations");
    for effect in [
        DecisionEffect::Allow,
        DecisionEffect::ExplicitDeny,
        DecisionEffect::ImplicitDeny,
    ] {
        assert!(
            seen.iter().any(|(e, _)| *e == effect),
            "no {effect:?} reached"
        );
    }
    // The corpus reaches every leaf of the decision tree (45 sentence shapes when written).
    assert!(
        seen.len() >= 40,
        "only {} explanation shapes: {seen:?}",
        seen.len()
    );
}

/// Same account, a bucket without a bucket policy: the identity allow suffices for both.
#[test]
fn allowed_same_account_request_without_bucket_policy_is_allowed_by_both() {
    let corpus = Corpus::new();
    let ids = [LabelledPolicy {
        label: "replicator",
        policy: &corpus.identity_allow,
    }];
    let context = Context::new();
    let request = Request {
        principal: &corpus.principals[0],
        action: "s3:GetObject",
        resource: OBJECT,
        context: &context,
    };
    let access = AccessContext {
        identity: &ids,
        resource: Some(ResourcePolicy {
            kind: ResourceKind::S3Bucket,
            arn: BUCKET,
            owner_account: SRC_ACCT,
            label: "bucket",
            policy: None,
        }),
        ..AccessContext::default()
    };
    assert_eq!(access_effect(&request, &access), DecisionEffect::Allow);
    assert_eq!(
        evaluate_access(&request, &access).effect,
        DecisionEffect::Allow
    );
}

/// aws-facts h [I-XACCT]: cross-account needs the identity and the bucket policy; with both, both
/// functions allow, and without the bucket-policy allow both deny implicitly.
#[test]
fn allowed_cross_account_request_gets_allow_from_both() {
    let corpus = Corpus::new();
    let ids = [LabelledPolicy {
        label: "replicator",
        policy: &corpus.identity_allow,
    }];
    let context = Context::new();
    let request = Request {
        principal: &corpus.principals[0],
        action: "s3:GetObject",
        resource: OBJECT,
        context: &context,
    };
    let side = |policy| ResourcePolicy {
        kind: ResourceKind::S3Bucket,
        arn: BUCKET,
        owner_account: DST_ACCT,
        label: "dest bucket",
        policy: Some(policy),
    };
    let allowed = AccessContext {
        identity: &ids,
        resource: Some(side(&corpus.resource[0])),
        ..AccessContext::default()
    };
    let decision = evaluate_access(&request, &allowed);
    assert_eq!(
        decision.effect,
        DecisionEffect::Allow,
        "{}",
        decision.explanation
    );
    assert_eq!(
        decision.deciding.len(),
        2,
        "identity and bucket policy both decide"
    );
    assert_eq!(access_effect(&request, &allowed), DecisionEffect::Allow);

    let other_account_only = AccessContext {
        resource: Some(side(&corpus.resource[2])),
        ..allowed
    };
    assert_eq!(
        access_effect(&request, &other_account_only),
        DecisionEffect::ImplicitDeny
    );
    assert_eq!(
        evaluate_access(&request, &other_account_only).effect,
        DecisionEffect::ImplicitDeny
    );
}

/// A deny in a later policy still wins although an earlier one allows; `evaluate_access` lists
/// every deny, `access_effect` stops at the first.
#[test]
fn every_deny_is_listed_and_the_effect_is_explicit_deny() {
    let corpus = Corpus::new();
    let ids = [
        LabelledPolicy {
            label: "replicator",
            policy: &corpus.identity_allow,
        },
        LabelledPolicy {
            label: "guard",
            policy: &corpus.identity_deny,
        },
    ];
    let limits = [LabelledPolicy {
        label: "scp",
        policy: &corpus.limit_deny,
    }];
    let context = Context::new();
    let request = Request {
        principal: &corpus.principals[0],
        action: "kms:Decrypt",
        resource: KEY,
        context: &context,
    };
    let access = AccessContext {
        identity: &ids,
        resource: Some(ResourcePolicy {
            kind: ResourceKind::KmsKey,
            arn: KEY,
            owner_account: SRC_ACCT,
            label: "key",
            policy: Some(&corpus.resource[5]),
        }),
        grants: &corpus.grants[1],
        limits: &limits,
    };
    assert_eq!(
        access_effect(&request, &access),
        DecisionEffect::ExplicitDeny
    );
    let decision = evaluate_access(&request, &access);
    let labels: Vec<&str> = decision
        .deciding
        .iter()
        .map(|d| d.policy_label.as_str())
        .collect();
    assert_eq!(labels, ["guard", "key", "scp"]);
    assert!(
        decision.explanation.starts_with(
            "statement 0 (`Guard`) of identity policy `guard` and statement 0 (`Res`) of key policy"
        ),
        "{}",
        decision.explanation
    );
}
