//! A scenario builder for the model's tests: working setups (SSE-KMS cross-Region, SSE-S3,
//! cross-account) that each test changes in one place, so every test shows the one fact it checks.

use replication_model::spec::*;
use replication_model::{ObjectRow, Outcome, Problem, ProblemKind, ReplicationStatus};

pub const PROD: &str = "111122223333";
pub const OTHER: &str = "444455556666";

pub fn stmt(effect: Effect, actions: &[&str], resources: Vec<ResourceRef>) -> StatementSpec {
    StatementSpec {
        sid: None,
        effect,
        principals: vec![],
        actions: actions.iter().map(|a| (*a).to_owned()).collect(),
        not_action: false,
        resources,
        conditions: vec![],
    }
}

pub fn allow(actions: &[&str], resources: Vec<ResourceRef>) -> StatementSpec {
    stmt(Effect::Allow, actions, resources)
}

pub fn deny(actions: &[&str], resources: Vec<ResourceRef>) -> StatementSpec {
    stmt(Effect::Deny, actions, resources)
}

/// A statement with a Sid.
pub fn sid(mut s: StatementSpec, sid: &str) -> StatementSpec {
    s.sid = Some(sid.into());
    s
}

/// A statement with principals (resource, key and trust policies).
pub fn to(mut s: StatementSpec, principals: Vec<PrincipalRef>) -> StatementSpec {
    s.principals = principals;
    s
}

/// A statement with one condition.
pub fn when(mut s: StatementSpec, operator: &str, key: &str, values: &[&str]) -> StatementSpec {
    s.conditions.push(ConditionSpec {
        operator: operator.into(),
        key: key.into(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    });
    s
}

pub fn objects(bucket: &str) -> ResourceRef {
    ResourceRef::Objects {
        bucket: bucket.into(),
        pattern: "*".into(),
    }
}

pub fn key_res(name: &str) -> ResourceRef {
    ResourceRef::Key(name.into())
}

pub fn named(key: &str) -> Option<KeyRef> {
    Some(KeyRef::Named(key.into()))
}

pub fn tags(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub fn bucket(name: &str, account: &str, region: &str) -> BucketSpec {
    BucketSpec {
        name: name.into(),
        s3_name: None,
        account: account.into(),
        region: region.into(),
        versioning: Versioning::Enabled,
        default_encryption: None,
        bucket_key: false,
        policy: None,
        block_sse_c: None,
        object_lock: false,
        requester_pays: false,
    }
}

pub fn key(name: &str, kind: KeyKind) -> KeySpec {
    KeySpec {
        name: name.into(),
        kind,
        key_id: None,
        policy: None,
        grants: vec![],
        aliases: vec![],
        initial_state: InitialKeyState::Enabled,
    }
}

pub fn single(account: &str, region: &str) -> KeyKind {
    KeyKind::SingleRegion {
        account: account.into(),
        region: region.into(),
    }
}

pub fn trust_s3() -> PolicySpec {
    PolicySpec::Statements(vec![StatementSpec {
        sid: Some("TrustS3".into()),
        effect: Effect::Allow,
        principals: vec![
            PrincipalRef::Service("s3.amazonaws.com".into()),
            PrincipalRef::Service("batchoperations.s3.amazonaws.com".into()),
        ],
        actions: vec!["sts:AssumeRole".into()],
        not_action: false,
        resources: vec![],
        conditions: vec![],
    }])
}

/// The role's permissions from [U-PERM] and [U-KMSREPL], one action per statement and the
/// action's name (without the service prefix) as its Sid, so a test can remove exactly one.
/// The KMS statements are `DecryptSource` and `EncryptReplica`.
pub fn replication_policy(src: &str, dst: &str, src_key: &str, dst_key: &str) -> PolicySpec {
    let bucket_arn = || vec![ResourceRef::Bucket(src.into())];
    let mut s = vec![
        sid(
            allow(&["s3:GetReplicationConfiguration"], bucket_arn()),
            "GetReplicationConfiguration",
        ),
        sid(allow(&["s3:ListBucket"], bucket_arn()), "ListBucket"),
    ];
    for a in [
        "GetObjectVersionForReplication",
        "GetObjectVersionAcl",
        "GetObjectVersionTagging",
    ] {
        s.push(sid(allow(&[&format!("s3:{a}")], vec![objects(src)]), a));
    }
    for a in ["ReplicateObject", "ReplicateDelete", "ReplicateTags"] {
        s.push(sid(allow(&[&format!("s3:{a}")], vec![objects(dst)]), a));
    }
    s.push(sid(
        allow(&["kms:Decrypt"], vec![key_res(src_key)]),
        "DecryptSource",
    ));
    s.push(sid(
        allow(&["kms:Encrypt"], vec![key_res(dst_key)]),
        "EncryptReplica",
    ));
    PolicySpec::Statements(s)
}

/// The statements of the role's identity policy `replication`.
pub fn role_statements(spec: &mut ScenarioSpec) -> &mut Vec<StatementSpec> {
    let role = spec
        .roles
        .iter_mut()
        .find(|r| r.name == "replicator")
        .expect("fixture role");
    match &mut role.policies[0].policy {
        PolicySpec::Statements(s) => s,
        PolicySpec::Json(_) => panic!("fixture policies are statements"),
    }
}

/// Removes the statement with this Sid from the role's identity policy (before the run).
pub fn without(spec: &mut ScenarioSpec, statement: &str) {
    let stmts = role_statements(spec);
    let before = stmts.len();
    stmts.retain(|s| s.sid.as_deref() != Some(statement));
    assert_eq!(
        before,
        stmts.len() + 1,
        "no statement `{statement}` in the fixture policy"
    );
}

/// The fixture role's identity policy, as a fault target.
pub fn role_policy() -> PolicyTarget {
    PolicyTarget::Role {
        role: "replicator".into(),
        policy: "replication".into(),
    }
}

pub fn fault(f: Fault) -> Step {
    Step::Fault(f)
}

pub fn revoke(policy: PolicyTarget, statement: &str) -> Step {
    fault(Fault::RevokeStatement {
        policy,
        statement: StatementSelector::Sid(statement.into()),
    })
}

pub fn add_statement(policy: PolicyTarget, statement: StatementSpec) -> Step {
    fault(Fault::AddStatement { policy, statement })
}

/// One account, SSE-KMS source in us-east-1, destination in eu-west-1, a rule that opts in.
pub fn kms_cross_region() -> ScenarioSpec {
    let mut source = bucket("source", "prod", "us-east-1");
    source.default_encryption = Some(DefaultEncryption::SseKms {
        key: KeyRef::Named("src_key".into()),
    });
    ScenarioSpec {
        name: "kms_cross_region".into(),
        doc: "test fixture".into(),
        rule_set: RuleSetName::ExamGuide,
        accounts: vec![AccountSpec {
            name: "prod".into(),
            id: PROD.into(),
            org_id: None,
        }],
        keys: vec![
            key("src_key", single("prod", "us-east-1")),
            key("dst_key", single("prod", "eu-west-1")),
        ],
        buckets: vec![source, bucket("target", "prod", "eu-west-1")],
        roles: vec![RoleSpec {
            name: "replicator".into(),
            role_name: None,
            path: None,
            account: "prod".into(),
            trust: trust_s3(),
            policies: vec![NamedPolicy {
                name: "replication".into(),
                policy: replication_policy("source", "target", "src_key", "dst_key"),
            }],
        }],
        steps: vec![Step::PutBucketReplication(config(
            "source",
            "target",
            named("dst_key"),
        ))],
    }
}

/// The same buckets without any KMS: an SSE-S3 source and a rule without `ReplicaKmsKeyID`.
pub fn sse_s3() -> ScenarioSpec {
    let mut spec = kms_cross_region();
    spec.name = "sse_s3".into();
    spec.buckets[0].default_encryption = None;
    spec.steps = vec![Step::PutBucketReplication(config("source", "target", None))];
    spec
}

/// Source account `prod` (bucket, role, source key) replicating into account `dest` (bucket
/// `target` and key `dst_key` in eu-west-1). The destination owner allows the role in its
/// bucket policy (Sid `ReceiveReplicas`) and its key policy (Sid `ReplicaKeyForProd`).
pub fn cross_account() -> ScenarioSpec {
    let mut spec = kms_cross_region();
    spec.name = "cross_account".into();
    spec.accounts.push(AccountSpec {
        name: "dest".into(),
        id: OTHER.into(),
        org_id: None,
    });
    let role = || vec![PrincipalRef::Role("replicator".into())];
    let mut dst_key = key("dst_key", single("dest", "eu-west-1"));
    dst_key.policy = Some(PolicySpec::Statements(vec![
        sid(
            to(
                allow(&["kms:*"], vec![ResourceRef::Any]),
                vec![PrincipalRef::Account("dest".into())],
            ),
            "Enable IAM User Permissions",
        ),
        sid(
            to(
                allow(
                    &["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"],
                    vec![ResourceRef::Any],
                ),
                role(),
            ),
            "ReplicaKeyForProd",
        ),
    ]));
    spec.keys[1] = dst_key;
    let mut target = bucket("target", "dest", "eu-west-1");
    target.policy = Some(PolicySpec::Statements(vec![
        sid(
            to(
                allow(
                    &[
                        "s3:ReplicateObject",
                        "s3:ReplicateDelete",
                        "s3:ReplicateTags",
                        "s3:ObjectOwnerOverrideToBucketOwner",
                    ],
                    vec![objects("target")],
                ),
                role(),
            ),
            "ReceiveReplicas",
        ),
        sid(
            to(
                allow(
                    &[
                        "s3:List*",
                        "s3:GetBucketVersioning",
                        "s3:PutBucketVersioning",
                    ],
                    vec![ResourceRef::Bucket("target".into())],
                ),
                role(),
            ),
            "BucketLevel",
        ),
    ]));
    spec.buckets[1] = target;
    let mut cfg = config("source", "target", named("dst_key"));
    cfg.rules[0].destination.account = Some("dest".into());
    spec.steps = vec![Step::PutBucketReplication(cfg)];
    spec
}

pub fn rule(dest: &str, replica_key: Option<KeyRef>) -> RuleSpec {
    RuleSpec {
        id: Some("to_dest".into()),
        priority: Some(1),
        status: Status::Enabled,
        filter: FilterSpec::Empty,
        delete_marker_replication: Some(Status::Disabled),
        destination: DestinationSpec {
            bucket: BucketRef::Named(dest.into()),
            account: None,
            storage_class: None,
            owner_override: false,
            replica_kms_key: replica_key.clone(),
            replication_time: None,
            metrics: Some(Metrics {
                status: Status::Enabled,
                event_threshold_minutes: None,
            }),
        },
        sse_kms_encrypted_objects: replica_key.map(|_| Status::Enabled),
        replica_modifications: None,
    }
}

pub fn config(src: &str, dest: &str, replica_key: Option<KeyRef>) -> ReplicationSpec {
    ReplicationSpec {
        bucket: src.into(),
        role: RoleRef::Named("replicator".into()),
        rules: vec![rule(dest, replica_key)],
    }
}

/// The first rule of the first `PutBucketReplication` step.
pub fn first_rule(spec: &mut ScenarioSpec) -> &mut RuleSpec {
    rules(spec).first_mut().expect("a rule")
}

/// The rules of the first `PutBucketReplication` step.
pub fn rules(spec: &mut ScenarioSpec) -> &mut Vec<RuleSpec> {
    spec.steps
        .iter_mut()
        .find_map(|s| match s {
            Step::PutBucketReplication(r) => Some(&mut r.rules),
            _ => None,
        })
        .expect("a PutBucketReplication step")
}

pub fn put(bucket: &str, key: &str, size: u64, encryption: Option<UploadEncryption>) -> Step {
    Step::PutObject(PutObjectSpec {
        bucket: bucket.into(),
        key: key.into(),
        body: Body::Size(size),
        encryption,
        tags: vec![],
        storage_class: None,
        owner: None,
    })
}

pub fn put_tagged(bucket: &str, key: &str, tag_pairs: &[(&str, &str)]) -> Step {
    Step::PutObject(PutObjectSpec {
        bucket: bucket.into(),
        key: key.into(),
        body: Body::Size(64),
        encryption: None,
        tags: tags(tag_pairs),
        storage_class: None,
        owner: None,
    })
}

pub fn put_text(bucket: &str, key: &str, text: &str, encryption: Option<UploadEncryption>) -> Step {
    Step::PutObject(PutObjectSpec {
        bucket: bucket.into(),
        key: key.into(),
        body: Body::Text(text.into()),
        encryption,
        tags: vec![],
        storage_class: None,
        owner: None,
    })
}

pub fn sse_kms(key: &str) -> Option<UploadEncryption> {
    Some(UploadEncryption::SseKms {
        key: named(key),
        bucket_key: None,
    })
}

pub fn sse_c(customer_key: &str) -> Option<UploadEncryption> {
    Some(UploadEncryption::SseC {
        customer_key: customer_key.into(),
    })
}

/// An object expectation that checks nothing yet.
pub fn obj(bucket: &str, key: &str) -> ObjectExpectation {
    ObjectExpectation {
        bucket: bucket.into(),
        key: key.into(),
        version: None,
        status: None,
        reason: None,
        encryption: None,
    }
}

pub fn expect_obj(o: ObjectExpectation) -> Step {
    Step::from(Expectation::Object(o))
}

pub fn expect(bucket: &str, key: &str, status: ExpectedStatus) -> Step {
    expect_obj(ObjectExpectation {
        status: Some(status),
        ..obj(bucket, key)
    })
}

pub fn expect_failed(bucket: &str, key: &str, reason: FailureReason) -> Step {
    expect_obj(ObjectExpectation {
        status: Some(ExpectedStatus::Failed),
        reason: Some(reason),
        ..obj(bucket, key)
    })
}

pub fn expect_encryption(bucket: &str, key: &str, encryption: ExpectedEncryption) -> Step {
    expect_obj(ObjectExpectation {
        encryption: Some(encryption),
        ..obj(bucket, key)
    })
}

pub fn expect_kms(bucket: &str, key: &str, kms_key: &str, bucket_key: bool) -> Step {
    expect_encryption(
        bucket,
        key,
        ExpectedEncryption::SseKms {
            key: named(kms_key),
            bucket_key: Some(bucket_key),
        },
    )
}

pub fn expect_config(bucket: &str, verdict: ExpectedVerdict) -> Step {
    Step::from(Expectation::Config {
        bucket: bucket.into(),
        verdict,
    })
}

pub fn expect_rejected(bucket: &str, code: &str) -> Step {
    expect_config(bucket, ExpectedVerdict::Rejected { code: code.into() })
}

pub fn expect_metric(rule: &str, metric: MetricName, value: u64) -> Step {
    Step::from(Expectation::Metric {
        bucket: "source".into(),
        rule: rule.into(),
        metric,
        value,
    })
}

pub fn expect_events(
    rule: &str,
    event: EventName,
    reason: Option<FailureReason>,
    count: u64,
) -> Step {
    Step::from(Expectation::Event {
        bucket: "source".into(),
        rule: rule.into(),
        event,
        reason,
        count,
    })
}

/// Validates and runs; panics with the problems or the failed expectations.
pub fn run(spec: ScenarioSpec) -> Outcome {
    let out = run_raw(spec);
    assert_expectations_hold(&out);
    out
}

/// Panics with every failed expectation and the report, unless every expectation held.
pub fn assert_expectations_hold(out: &Outcome) {
    let failed: Vec<String> = out
        .failed_expectations()
        .map(|e| e.located(None).to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{}\n\n{}",
        failed.join("\n"),
        out.report()
    );
}

/// Validates and runs without judging the expectations.
pub fn run_raw(spec: ScenarioSpec) -> Outcome {
    let valid = match replication_model::validate(spec) {
        Ok(v) => v,
        Err(problems) => panic!(
            "scenario is invalid:\n{}",
            problems
                .iter()
                .map(|p| format!("{:?}: {}", p.locus, p.message))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    replication_model::run(&valid).expect("run")
}

/// The problems validation reports.
pub fn problems(spec: ScenarioSpec) -> Vec<Problem> {
    match replication_model::validate(spec) {
        Ok(_) => panic!("expected validation problems"),
        Err(p) => p,
    }
}

/// The one problem validation reports.
pub fn problem(spec: ScenarioSpec) -> Problem {
    let mut p = problems(spec);
    assert_eq!(p.len(), 1, "expected exactly one problem, got {p:#?}");
    p.remove(0)
}

/// The one problem, which must be an API rejection with this code at `(step, path)`.
pub fn rejection(spec: ScenarioSpec, step: usize, path: &str, code: &str) -> Problem {
    let p = problem(spec);
    assert_eq!(
        p.kind,
        ProblemKind::Rejected { code: code.into() },
        "{p:#?}"
    );
    assert_eq!(p.locus, Locus::new(Item::Step(step), path), "{p:#?}");
    p
}

/// The current version of an object.
pub fn row(out: &Outcome, bucket: &str, key: &str) -> ObjectRow {
    out.objects()
        .into_iter()
        .rfind(|r| r.bucket == bucket && r.key == key)
        .unwrap_or_else(|| panic!("no object `{bucket}/{key}`\n\n{}", out.report()))
}

/// The replication status of the current version of an object.
pub fn status(out: &Outcome, bucket: &str, key: &str) -> Option<ReplicationStatus> {
    row(out, bucket, key).status
}

/// Whether a bucket holds any version of an object.
pub fn exists(out: &Outcome, bucket: &str, key: &str) -> bool {
    out.objects()
        .iter()
        .any(|r| r.bucket == bucket && r.key == key)
}
