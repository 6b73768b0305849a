//! The rule book as the DSL sees it: every problem at once, each at the `Locus` path the DSL
//! records (the path list of `spec::Locus`), with a message that is lowercase, names the item in
//! backticks and says the fix.

use replication_model::spec::*;
use replication_model::{Problem, ProblemKind};

use crate::fixture::*;

/// A scenario with one mistake in each kind of item.
fn broken() -> ScenarioSpec {
    let mut spec = kms_cross_region();
    spec.accounts.push(AccountSpec {
        name: "bad_account".into(),
        id: "1234".into(),
        org_id: Some("org-x".into()),
    });
    let mut k = key("bad_key", single("prod", "mars-north-1"));
    k.aliases = vec!["aws/reserved".into()];
    k.grants = vec![GrantSpec {
        grantee: PrincipalRef::Role("nobody".into()),
        operations: vec!["Fly".into()],
        encryption_context_subset: vec![],
    }];
    spec.keys.push(k);
    let mut b = bucket("bad_bucket", "prod", "us-east-1");
    b.default_encryption = Some(DefaultEncryption::SseKms {
        key: KeyRef::Named("no_key".into()),
    });
    b.policy = Some(PolicySpec::Statements(vec![to(
        allow(&["s3:GetObject"], vec![objects("no_bucket")]),
        vec![PrincipalRef::Service("s3.example.com".into())],
    )]));
    spec.buckets.push(b);
    spec.buckets.push(bucket("bb", "prod", "us-east-1"));
    role_statements(&mut spec).push(allow(&["kms:Decrypt"], vec![key_res("target")]));
    spec.roles[0].trust = PolicySpec::Json("{\"Version\": \"2012-10-17\", \"Statement\": [".into());
    let r = first_rule(&mut spec);
    r.destination.replica_kms_key = Some(KeyRef::Arn("arn:aws:kms:eu-west-1:1111:key/x".into()));
    r.destination.account = Some("12ab".into());
    spec.steps.push(Step::PutObject(PutObjectSpec {
        bucket: "source".into(),
        key: String::new(),
        body: Body::Size(6 * 1024 * 1024 * 1024),
        encryption: Some(UploadEncryption::SseKms {
            key: Some(KeyRef::Named("source".into())),
            bucket_key: None,
        }),
        tags: (0..11).map(|i| (format!("k{i}"), "v".to_owned())).collect(),
        storage_class: None,
        owner: Some(ObjectOwner {
            account: "ghost".into(),
            grants_bucket_owner_read: true,
        }),
    }));
    spec.steps
        .push(Step::from(Expectation::Object(ObjectExpectation {
            bucket: "source".into(),
            key: "x".into(),
            version: None,
            status: Some(ExpectedStatus::Pending),
            reason: Some(FailureReason::DstKmsKeyNotFound),
            encryption: Some(ExpectedEncryption::SseKms {
                key: Some(KeyRef::Named("nope".into())),
                bucket_key: None,
            }),
        })));
    spec.steps.push(Step::from(Expectation::Metric {
        bucket: "source".into(),
        rule: "no_rule".into(),
        metric: MetricName::OperationsFailedReplication,
        value: 0,
    }));
    spec.steps.push(fault(Fault::ScheduleKeyDeletion {
        key: "dst_key".into(),
        pending_days: 99,
    }));
    spec.steps.push(fault(Fault::ThrottleKms {
        region: "moon-1".into(),
        on: true,
    }));
    spec.steps
        .push(revoke(PolicyTarget::Key("src_key".into()), "NoSuchSid"));
    spec.steps.push(Step::BatchReplicate {
        bucket: "target".into(),
        statuses: vec![],
    });
    spec
}

fn at(problems: &[Problem], item: Item, path: &str) -> Problem {
    problems
        .iter()
        .find(|p| p.locus == Locus::new(item.clone(), path))
        .cloned()
        .unwrap_or_else(|| panic!("no problem at {item:?} `{path}`; problems:\n{problems:#?}"))
}

/// Validation reports every problem at once, each at the path the DSL records for the field.
#[test]
fn problems_land_on_the_dsl_paths() {
    let p = problems(broken());
    let acct = || Item::Account("bad_account".into());
    let key = || Item::Key("bad_key".into());
    let bkt = || Item::Bucket("bad_bucket".into());
    let role = || Item::Role("replicator".into());
    let s = Item::Step;
    assert_eq!(at(&p, acct(), "id").kind, ProblemKind::Malformed);
    assert_eq!(at(&p, acct(), "org_id").kind, ProblemKind::Malformed);
    assert_eq!(at(&p, key(), "region").kind, ProblemKind::Malformed);
    assert_eq!(at(&p, key(), "aliases[0]").kind, ProblemKind::Malformed);
    assert_eq!(
        at(&p, key(), "grants[0].grantee").kind,
        ProblemKind::Undefined
    );
    assert_eq!(at(&p, key(), "grants[0]").kind, ProblemKind::Malformed);
    assert_eq!(
        at(&p, Item::Bucket("bb".into()), "").kind,
        ProblemKind::Malformed,
        "`bb` is too short for an S3 name"
    );
    assert_eq!(
        at(&p, bkt(), "default_encryption.key").kind,
        ProblemKind::Undefined
    );
    assert_eq!(
        at(&p, bkt(), "policy.statements[0].principals[0]").kind,
        ProblemKind::Malformed
    );
    assert_eq!(
        at(&p, bkt(), "policy.statements[0].resources[0]").kind,
        ProblemKind::Undefined
    );
    assert_eq!(
        at(&p, role(), "policies[0].statements[10].resources[0]").kind,
        ProblemKind::WrongKind
    );
    let json = at(&p, role(), "trust.json");
    assert_eq!(json.kind, ProblemKind::Malformed);
    assert!(json.json_offset.is_some(), "{json:#?}");
    assert_eq!(
        at(&p, s(0), "rules[0].destination.replica_kms_key").kind,
        ProblemKind::Malformed
    );
    assert_eq!(
        at(&p, s(0), "rules[0].destination.account").kind,
        ProblemKind::Malformed
    );
    assert_eq!(at(&p, s(1), "key").kind, ProblemKind::Malformed);
    assert_eq!(at(&p, s(1), "body").kind, ProblemKind::Malformed);
    assert_eq!(at(&p, s(1), "encryption.key").kind, ProblemKind::WrongKind);
    assert_eq!(at(&p, s(1), "tags").kind, ProblemKind::Malformed);
    assert_eq!(at(&p, s(1), "owner").kind, ProblemKind::Undefined);
    // An unknown code cannot be written: `FailureReason` only has S3's codes. A PENDING
    // expectation with a reason is still impossible.
    assert_eq!(at(&p, s(2), "reason").kind, ProblemKind::Impossible);
    assert_eq!(at(&p, s(2), "encryption.key").kind, ProblemKind::Undefined);
    assert_eq!(at(&p, s(3), "rule").kind, ProblemKind::Undefined);
    assert_eq!(at(&p, s(4), "pending_days").kind, ProblemKind::Malformed);
    assert_eq!(at(&p, s(5), "region").kind, ProblemKind::Malformed);
    assert_eq!(at(&p, s(6), "statement").kind, ProblemKind::Undefined);
    assert_eq!(at(&p, s(7), "statuses").kind, ProblemKind::Malformed);
    assert!(
        p.windows(2).all(|w| w[0] <= w[1]),
        "problems come sorted by locus"
    );
}

/// Paths of API rejections and impossible expectations (the contract's step paths).
#[test]
fn rejection_and_expectation_paths() {
    let mut spec = kms_cross_region();
    first_rule(&mut spec).destination.owner_override = true;
    rejection(
        spec,
        0,
        "rules[0].destination.owner_override",
        "InvalidRequest",
    );

    let mut spec = sse_s3();
    spec.steps.push(put("source", "a", 1, None));
    spec.steps
        .push(expect("source", "a", ExpectedStatus::Replica));
    let p = problem(spec);
    assert_eq!(
        (p.locus, p.kind),
        (Locus::new(Item::Step(2), "status"), ProblemKind::Impossible)
    );

    let mut spec = sse_s3();
    spec.steps.push(put("source", "a", 1, None));
    spec.steps.push(expect_obj(ObjectExpectation {
        status: Some(ExpectedStatus::Completed),
        reason: Some(FailureReason::DstKmsKeyNotFound),
        ..obj("source", "a")
    }));
    let p = problem(spec);
    assert_eq!(
        (p.locus, p.kind),
        (Locus::new(Item::Step(2), "reason"), ProblemKind::Impossible)
    );

    let mut spec = sse_s3();
    spec.steps.push(Step::from(Expectation::PutRejected {
        bucket: "source".into(),
        key: "a".into(),
        code: "AccessDenied".into(),
    }));
    let p = problem(spec);
    assert_eq!(
        (p.locus, p.kind),
        (Locus::new(Item::Step(1), "code"), ProblemKind::Impossible)
    );

    let mut spec = sse_s3();
    spec.steps
        .insert(0, expect_config("source", ExpectedVerdict::Accepted));
    let p = problem(spec);
    assert_eq!(
        (p.locus, p.kind),
        (Locus::new(Item::Step(0), "bucket"), ProblemKind::Impossible)
    );

    let mut spec = sse_s3();
    spec.steps.push(Step::PutBucketReplication(ReplicationSpec {
        bucket: "source".into(),
        role: RoleRef::Named("target".into()),
        rules: vec![rule("nowhere", None)],
    }));
    let p = problems(spec);
    assert_eq!(
        (p[0].locus.clone(), p[0].kind.clone()),
        (Locus::new(Item::Step(1), "role"), ProblemKind::WrongKind)
    );
    assert_eq!(
        (p[1].locus.clone(), p[1].kind.clone()),
        (
            Locus::new(Item::Step(1), "rules[0].destination.bucket"),
            ProblemKind::Undefined
        )
    );
}

/// A name defined twice is reported at the second definition; a primary that does not exist
/// at `primary`.
#[test]
fn definition_paths() {
    let mut spec = kms_cross_region();
    spec.buckets.push(bucket("src_key", "prod", "us-east-1"));
    spec.keys.push(key(
        "orphan",
        KeyKind::MultiRegionReplica {
            primary: "ghost".into(),
            region: "eu-west-1".into(),
        },
    ));
    spec.keys.push(key("typo", single("prdo", "us-east-1")));
    spec.roles.push(RoleSpec {
        name: "r2".into(),
        role_name: None,
        path: None,
        account: "prod".into(),
        trust: trust_s3(),
        policies: vec![
            NamedPolicy {
                name: "p".into(),
                policy: PolicySpec::Statements(vec![]),
            },
            NamedPolicy {
                name: "p".into(),
                policy: PolicySpec::Statements(vec![allow(&["s3:*"], vec![])]),
            },
        ],
    });
    let p = problems(spec);
    assert_eq!(
        at(&p, Item::Bucket("src_key".into()), "").kind,
        ProblemKind::Duplicate
    );
    assert_eq!(
        at(&p, Item::Key("orphan".into()), "primary").kind,
        ProblemKind::Undefined
    );
    assert_eq!(
        at(&p, Item::Key("typo".into()), "account").kind,
        ProblemKind::Undefined
    );
    assert_eq!(
        at(&p, Item::Role("r2".into()), "policies[1]").kind,
        ProblemKind::Duplicate
    );
}

/// STYLE: every message starts lowercase (or with a backticked item), has no trailing period,
/// names something in backticks, and says what to do.
#[test]
fn messages_read_well() {
    let mut all = problems(broken());
    let mut more = vec![];
    let mut spec = kms_cross_region();
    spec.buckets[0].versioning = Versioning::Suspended;
    more.push(spec);
    let mut spec = kms_cross_region();
    first_rule(&mut spec).delete_marker_replication = None;
    more.push(spec);
    let mut spec = kms_cross_region();
    first_rule(&mut spec).destination.bucket = BucketRef::Arn("arn:aws:s3:::no-such-bucket".into());
    more.push(spec);
    let mut spec = kms_cross_region();
    spec.steps.push(fault(Fault::DisableKey("src_key".into())));
    spec.steps.push(put("source", "a", 1, None));
    more.push(spec);
    let mut spec = sse_s3();
    spec.rule_set = RuleSetName::Aws2026;
    spec.steps.push(put("source", "c", 1, sse_c("k")));
    more.push(spec);
    let mut spec = sse_s3();
    spec.steps.push(fault(Fault::SetBucketVersioning {
        bucket: "source".into(),
        versioning: Versioning::Suspended,
    }));
    more.push(spec);
    let mut spec = kms_cross_region();
    spec.steps
        .push(fault(Fault::CancelKeyDeletion("dst_key".into())));
    more.push(spec);
    let mut spec = kms_cross_region();
    spec.keys[1].kind = KeyKind::MultiRegionReplica {
        primary: "src_key".into(),
        region: "eu-west-1".into(),
    };
    more.push(spec);
    let mut spec = sse_s3();
    spec.steps.push(put("source", "c", 1, sse_c("k")));
    spec.steps
        .push(expect("source", "c", ExpectedStatus::Completed));
    more.push(spec);
    for spec in more {
        all.extend(problems(spec));
    }
    let fix_words = [
        "add", "use", "define", "enable", "remove", "name", "set", "give", "expect", "write",
        "fix", "change", "unblock", "keep", "schedule", "must", "like", "put", "shorten", "choose",
        "move", "cancel", "wait", "run",
    ];
    for p in &all {
        let m = &p.message;
        let first = m.chars().next().expect("non-empty");
        assert!(
            first.is_lowercase() || first == '`',
            "starts lowercase: {m}"
        );
        assert!(!m.ends_with('.'), "no trailing period: {m}");
        assert!(m.contains('`'), "names the item in backticks: {m}");
        // The policy engine words its own grammar errors (prefixed here with the policy).
        let lower = m.to_lowercase();
        assert!(
            m.starts_with("in the ") || fix_words.iter().any(|w| lower.contains(w)),
            "says the fix: {m}"
        );
    }
}

/// A rejection the scenario does not expect says how to expect it in the DSL.
#[test]
fn unexpected_rejection_says_how_to_expect_it() {
    let mut spec = kms_cross_region();
    spec.buckets[0].versioning = Versioning::Suspended;
    let p = problem(spec);
    assert!(p.message.starts_with("source bucket `source` has versioning Suspended, so S3 rejects `PutBucketReplication` on `source` with `InvalidRequest`"), "{}", p.message);
    assert!(
        p.message
            .contains("enable `versioning` on `source` before this step"),
        "{}",
        p.message
    );
    assert!(
        p.message
            .contains("add `expect replication source rejected InvalidRequest` after this step"),
        "{}",
        p.message
    );

    let mut spec = sse_s3();
    spec.rule_set = RuleSetName::Aws2026;
    spec.steps.push(put("source", "c", 1, sse_c("k")));
    let p = problem(spec);
    assert!(
        p.message
            .contains("add `expect put source \"c\" rejected AccessDenied` after this step"),
        "{}",
        p.message
    );
}
