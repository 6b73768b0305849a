//! Thousands of generated bad inputs (truncations, character flips, token soup, random
//! statements): the policy reader must answer every one with a located, lowercase error or a
//! policy that round-trips, and must never panic.

use std::panic::{AssertUnwindSafe, catch_unwind};

use replication_policy::{
    AccessContext, ActionSet, Condition, ConditionOperator, Context, Effect, GrantRef,
    LabelledPolicy, Location, Operator, Policy, PolicyKind, Principal, PrincipalIds, PrincipalSet,
    Request, ResourceKind, ResourcePolicy, ResourceSet, SetQualifier, Statement, access_effect,
    evaluate_access,
};

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SEEDS: [&str; 4] = [
    r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Source", "Effect": "Allow",
     "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
     "Resource": "arn:aws:s3:::source/*"},
    {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetReplicationConfiguration"], "Resource": "arn:aws:s3:::source"},
    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:111122223333:key/k",
     "Condition": {"StringLike": {"kms:ViaService": "s3.us-east-1.amazonaws.com",
                                  "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::source/*"]}}}
  ]
}"#,
    r#"{"Version":"2012-10-17","Id":"dest","Statement":[{"Sid":"Replicate","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/replicator","111122223333"]},"Action":["s3:ReplicateObject","s3:ReplicateDelete"],"Resource":"arn:aws:s3:::dest/*"},{"Sid":"NoTags","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:ReplicateTags","NotResource":"arn:aws:s3:::other/*","Condition":{"Bool":{"aws:SecureTransport":false},"NumericGreaterThan":{"s3:max-keys":10}}}]}"#,
    r#"{"Version":"2008-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["aws:s3:arn"]},"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"Null":{"aws:SourceVpce":"true"},"ArnLike":{"aws:SourceArn":"arn:aws:s3:::source"}}}}"#,
    r#"{"Statement":[{"Effect":"Allow","Principal":"*","NotAction":"kms:Schedule*","Resource":"*","Condition":{"StringEqualsIgnoreCase":{"aws:PrincipalOrgID":"O-ABC"},"ForAnyValue:StringNotLikeIfExists":{"aws:TagKeys":"x?*"}}}]}"#,
];

const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ",",
    "\"",
    "\\",
    " ",
    "\n",
    "0",
    "-",
    "1e400",
    "true",
    "null",
    "\"\\ud800\"",
    "é",
    "\u{1}",
    "'",
    "\"*\"",
    "\"Effect\"",
    "\"Alow\"",
    "\"Deny\"",
    "\"Allow\"",
    "\"Action\"",
    "\"NotAction\"",
    "\"Resource\"",
    "\"NotResource\"",
    "\"Principal\"",
    "\"NotPrincipal\"",
    "\"Condition\"",
    "\"Statement\"",
    "\"Version\"",
    "\"Sid\"",
    "\"ForAllValues:StringLike\"",
    "\"StringEqual\"",
    "\"NullIfExists\"",
    "\"s3:Get Object\"",
    "\"GetObject\"",
    "\"arn:aws:iam::111122223333:role/*\"",
    "\"arn:aws:s3\"",
    "\"bucket/*\"",
    "{\"AWS\": 1}",
    "[]",
    "{}",
    "\"kms:*\"",
    "\"2012-10-17\"",
    "\"aws:SourceArn\"",
    "${",
    "${*}",
    "\"arn:aws:s3:::h/${aws:username}/*\"",
    "${aws:username, 'x''y'}",
];

fn boundaries(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect()
}

fn mutate(seed: &str, rng: &mut Rng) -> String {
    let mut text = seed.to_string();
    for _ in 0..1 + rng.below(3) {
        let b = boundaries(&text);
        let at = b[rng.below(b.len())];
        let next = b.iter().copied().find(|&x| x > at).unwrap_or(at);
        let far = b
            .iter()
            .copied()
            .find(|&x| x >= at + rng.below(24))
            .unwrap_or(at);
        let token = rng.pick(TOKENS);
        match rng.below(4) {
            0 => text.replace_range(at..next, token),
            1 => text.insert_str(at, token),
            2 => text.replace_range(at..far, ""),
            _ => {
                let slice = text[at..far].to_string();
                text.insert_str(at, &slice);
            }
        }
    }
    text
}

fn token_soup(rng: &mut Rng) -> String {
    (0..rng.below(40)).map(|_| rng.pick(TOKENS)).collect()
}

/// Checks one input; returns whether it parsed.
fn check(text: &str) -> bool {
    let outcome = catch_unwind(AssertUnwindSafe(|| match Policy::parse_json(text) {
        Ok(policy) => {
            let again = Policy::parse_json(&policy.to_json_pretty())
                .unwrap_or_else(|e| panic!("canonical form of {text:?} does not parse: {e}"));
            assert_eq!(again, policy, "round trip changed {text:?}");
            for kind in [
                PolicyKind::Identity,
                PolicyKind::Resource(ResourceKind::S3Bucket),
                PolicyKind::Resource(ResourceKind::KmsKey),
                PolicyKind::Resource(ResourceKind::RoleTrust),
            ] {
                for problem in policy.check_for(kind) {
                    assert!(!problem.message().is_empty());
                }
            }
            exercise(&policy);
            true
        }
        Err(err) => {
            let location = err.location().expect("errors from text have a location");
            assert!(
                location.offset <= text.len(),
                "offset past end: {err} for {text:?}"
            );
            assert_eq!(location, Location::in_text(text, location.offset));
            let message = err.message();
            assert!(!message.is_empty());
            assert!(
                !message.starts_with(char::is_uppercase) && !message.ends_with('.'),
                "message style: {message:?}"
            );
            assert!(err.to_string().starts_with("line "), "{err}");
            false
        }
    }));
    match outcome {
        Ok(parsed) => parsed,
        Err(_) => panic!("panicked on input {text:?}"),
    }
}

fn exercise(policy: &Policy) {
    let session = Principal::assumed_role("arn:aws:iam::111122223333:role/replicator", "s")
        .expect("valid role");
    let service = Principal::service("s3.amazonaws.com");
    let context = Context::new()
        .with("kms:ViaService", "s3.us-east-1.amazonaws.com")
        .with("kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::source/a")
        .with("aws:SourceIp", "203.0.113.9")
        .with("aws:CurrentTime", "2026-01-01T00:00:00Z")
        .with("s3:max-keys", "12");
    let grants = [GrantRef {
        label: "g".into(),
        grantee: "arn:aws:iam::111122223333:role/replicator".into(),
        operations: vec!["Decrypt".into()],
        encryption_context_subset: Default::default(),
        encryption_context_equals: None,
    }];
    for principal in [&session, &service] {
        for (action, resource) in [
            ("s3:GetObjectVersionForReplication", "arn:aws:s3:::source/a"),
            ("kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k"),
            (
                "sts:AssumeRole",
                "arn:aws:iam::111122223333:role/replicator",
            ),
        ] {
            let request = Request {
                principal,
                action,
                resource,
                context: &context,
            };
            let _ = policy.evaluate(&request);
            for kind in [
                ResourceKind::S3Bucket,
                ResourceKind::KmsKey,
                ResourceKind::RoleTrust,
            ] {
                for owner in ["111122223333", "444455556666"] {
                    let identity = [LabelledPolicy {
                        label: "id",
                        policy,
                    }];
                    let access = AccessContext {
                        identity: &identity,
                        resource: Some(ResourcePolicy {
                            kind,
                            arn: resource,
                            owner_account: owner,
                            label: "res",
                            policy: Some(policy),
                        }),
                        grants: &grants,
                        limits: &identity,
                    };
                    let decision = evaluate_access(&request, &access);
                    assert!(!decision.explanation.is_empty());
                    assert_eq!(access_effect(&request, &access), decision.effect);
                }
            }
        }
    }
}

#[test]
fn every_truncation_of_the_seeds_is_answered() {
    let mut n_inputs = 0;
    for seed in SEEDS {
        for cut in boundaries(seed) {
            check(&seed[..cut]);
            n_inputs += 1;
        }
        assert!(check(seed), "seed must parse");
    }
    assert!(n_inputs > 1_000);
}

#[test]
fn mutated_policies_never_panic() {
    let mut rng = Rng(0x0BAD_5EED);
    let mut n_parsed = 0;
    let n_inputs = 12_000;
    for round in 0..n_inputs {
        let text = if round % 10 == 9 {
            token_soup(&mut rng)
        } else {
            mutate(SEEDS[round % SEEDS.len()], &mut rng)
        };
        if check(&text) {
            n_parsed += 1;
        }
    }
    // Both outcomes must be well exercised for the test to mean something.
    assert!(n_parsed > 500, "only {n_parsed} mutants parsed");
    assert!(
        n_parsed < n_inputs - 500,
        "only {} mutants failed",
        n_inputs - n_parsed
    );
}

#[test]
fn random_statements_built_in_code_never_panic() {
    let mut rng = Rng(0x5747_E4E7);
    let garbage = [
        "",
        "*",
        "Decrypt",
        "s3 :x",
        "arn:aws:s3",
        "b/*",
        "arn:aws:iam::1:role/r",
        "é?",
        "nokey",
        "arn:aws:iam::111122223333:role/*",
        "s3.*",
        "maybe",
        "${aws:username",
        "arn:aws:s3:::h/${aws:username}/*",
        "${aws:PrincipalTag/x, 'd'}",
    ];
    let actions = [
        "*",
        "s3:*",
        "s3:Get?bject",
        "kms:Decrypt",
        "sts:AssumeRole",
        "S3:replicate*",
    ];
    let resources = [
        "*",
        "arn:aws:s3:::source/*",
        "arn:aws:s3:::source",
        "arn:aws:kms:*",
    ];
    let aws = [
        "*",
        "111122223333",
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::111122223333:role/replicator",
    ];
    let keys = [
        "aws:SourceArn",
        "kms:EncryptionContext:aws:s3:arn",
        "s3:max-keys",
        "aws:SourceIp",
    ];
    let mut n_ok = 0;
    for _ in 0..4_000 {
        // Mostly valid parts, sometimes garbage, so both outcomes are exercised.
        let list = |rng: &mut Rng, valid: &[&str]| -> Vec<String> {
            (0..rng.below(3) + usize::from(rng.below(8) != 0))
                .map(|_| {
                    if rng.below(10) == 0 {
                        rng.pick(&garbage).to_string()
                    } else {
                        rng.pick(valid).to_string()
                    }
                })
                .collect()
        };
        let operator = ConditionOperator {
            set: [
                None,
                Some(SetQualifier::ForAnyValue),
                Some(SetQualifier::ForAllValues),
            ][rng.below(3)],
            operator: Operator::all()
                .nth(rng.below(Operator::all().count()))
                .unwrap_or(Operator::StringEquals),
            if_exists: rng.below(2) == 0,
        };
        let values: &[&str] = match operator.operator.name() {
            "Bool" | "Null" => &["true", "false"],
            n if n.starts_with("Numeric") => &["10", "-1.5"],
            n if n.starts_with("Date") => &["2026-01-01", "1700000000"],
            n if n.contains("Ip") => &["10.0.0.0/8", "2001:db8::/32"],
            n if n.starts_with("Arn") => &["arn:aws:s3:::source", "arn:aws:iam::*"],
            _ => &["x", "arn:aws:s3:::source/*", "é", "home/${aws:username}/*"],
        };
        let principal = match rng.below(3) {
            0 => None,
            1 => Some(PrincipalSet::Any),
            _ => Some(PrincipalSet::Ids(PrincipalIds {
                aws: list(&mut rng, &aws),
                service: list(&mut rng, &["s3.amazonaws.com"]),
                ..PrincipalIds::default()
            })),
        };
        let statement = Statement {
            sid: Some("S".into()),
            effect: if rng.below(2) == 0 {
                Effect::Allow
            } else {
                Effect::Deny
            },
            principal,
            not_principal: None,
            action: if rng.below(2) == 0 {
                ActionSet::Action(list(&mut rng, &actions))
            } else {
                ActionSet::NotAction(list(&mut rng, &actions))
            },
            resource: match rng.below(3) {
                0 => None,
                1 => Some(ResourceSet::Resource(list(&mut rng, &resources))),
                _ => Some(ResourceSet::NotResource(list(&mut rng, &resources))),
            },
            conditions: (0..rng.below(3))
                .map(|_| {
                    Condition::new(
                        operator,
                        if rng.below(10) == 0 {
                            rng.pick(&garbage)
                        } else {
                            rng.pick(&keys)
                        },
                        list(&mut rng, values),
                    )
                })
                .collect(),
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            match Policy::from_statements(vec![statement.clone()]) {
                Ok(policy) => {
                    exercise(&policy);
                    let again = Policy::parse_json(&policy.to_json_pretty())
                        .unwrap_or_else(|e| panic!("rendering does not parse back: {e}"));
                    assert_eq!(again.statements(), policy.statements());
                    true
                }
                Err(err) => {
                    assert!(err.to_string().starts_with("statement 0 (`S`): "), "{err}");
                    false
                }
            }
        }));
        match outcome {
            Ok(true) => n_ok += 1,
            Ok(false) => {}
            Err(_) => panic!("panicked on {statement:?}"),
        }
    }
    assert!(n_ok > 500, "only {n_ok} random statements were valid");
    assert!(
        n_ok < 3_500,
        "only {} random statements were invalid",
        4_000 - n_ok
    );
}
