//! A scenario builder for the model's tests: a working SSE-KMS cross-Region setup that each test
//! changes in one place, so every test shows the one fact it checks.

use replication_model::spec::*;

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

pub fn objects(bucket: &str) -> ResourceRef {
    ResourceRef::Objects { bucket: bucket.into(), pattern: "*".into() }
}

pub fn bucket(name: &str, account: &str, region: &str) -> BucketSpec {
    BucketSpec {
        name: name.into(),
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
    KeySpec { name: name.into(), kind, policy: None, grants: vec![], aliases: vec![], initial_state: InitialKeyState::Enabled }
}

pub fn trust_s3() -> PolicySpec {
    PolicySpec::Statements(vec![StatementSpec {
        sid: Some("TrustS3".into()),
        effect: Effect::Allow,
        principals: vec![PrincipalRef::Service("s3.amazonaws.com".into()), PrincipalRef::Service("batchoperations.s3.amazonaws.com".into())],
        actions: vec!["sts:AssumeRole".into()],
        not_action: false,
        resources: vec![],
        conditions: vec![],
    }])
}

/// The role's permissions from [U-PERM] and [U-KMSREPL], each statement with a Sid so tests can
/// revoke one.
pub fn replication_policy(src: &str, dst: &str, src_key: &str, dst_key: &str) -> PolicySpec {
    let mut s = vec![
        allow(&["s3:GetReplicationConfiguration", "s3:ListBucket"], vec![ResourceRef::Bucket(src.into())]),
        allow(&["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], vec![objects(src)]),
        allow(&["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], vec![objects(dst)]),
        allow(&["kms:Decrypt"], vec![ResourceRef::Key(src_key.into())]),
        allow(&["kms:Encrypt"], vec![ResourceRef::Key(dst_key.into())]),
    ];
    for (i, sid) in ["ReadConfig", "ReadObjects", "WriteReplicas", "DecryptSource", "EncryptReplica"].iter().enumerate() {
        s[i].sid = Some((*sid).into());
    }
    PolicySpec::Statements(s)
}

/// One account, SSE-KMS source in us-east-1, destination in eu-west-1, a rule that opts in.
pub fn kms_cross_region() -> ScenarioSpec {
    let mut source = bucket("source", "prod", "us-east-1");
    source.default_encryption = Some(DefaultEncryption::SseKms { key: KeyRef::Named("src_key".into()) });
    ScenarioSpec {
        name: "kms_cross_region".into(),
        doc: "test fixture".into(),
        rule_set: RuleSetName::ExamGuide,
        accounts: vec![AccountSpec { name: "prod".into(), id: PROD.into(), org_id: None }],
        keys: vec![
            key("src_key", KeyKind::SingleRegion { account: "prod".into(), region: "us-east-1".into() }),
            key("dst_key", KeyKind::SingleRegion { account: "prod".into(), region: "eu-west-1".into() }),
        ],
        buckets: vec![source, bucket("target", "prod", "eu-west-1")],
        roles: vec![RoleSpec {
            name: "replicator".into(),
            account: "prod".into(),
            trust: trust_s3(),
            policies: vec![NamedPolicy { name: "replication".into(), policy: replication_policy("source", "target", "src_key", "dst_key") }],
        }],
        steps: vec![Step::PutBucketReplication(config("source", "target", Some(KeyRef::Named("dst_key".into()))))],
    }
}

pub fn rule(dest: &str, replica_key: Option<KeyRef>) -> RuleSpec {
    RuleSpec {
        id: Some("to_dest".into()),
        priority: Some(1),
        enabled: true,
        filter: FilterSpec::Empty,
        delete_marker_replication: Some(false),
        destination: DestinationSpec {
            bucket: BucketRef::Named(dest.into()),
            account: None,
            storage_class: None,
            owner_override: false,
            replica_kms_key: replica_key.clone(),
            replication_time: None,
            metrics: Some((true, None)),
        },
        sse_kms_encrypted_objects: replica_key.map(|_| true),
        replica_modifications: None,
    }
}

pub fn config(src: &str, dest: &str, replica_key: Option<KeyRef>) -> ReplicationSpec {
    ReplicationSpec { bucket: src.into(), role: RoleRef::Named("replicator".into()), rules: vec![rule(dest, replica_key)] }
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

pub fn expect(bucket: &str, key: &str, status: ExpectedStatus) -> Step {
    Step::Expect(Expectation::Object(ObjectExpectation {
        bucket: bucket.into(),
        key: key.into(),
        version: None,
        status: Some(status),
        reason: None,
        encryption: None,
    }))
}

pub fn expect_failed(bucket: &str, key: &str, reason: &str) -> Step {
    Step::Expect(Expectation::Object(ObjectExpectation {
        bucket: bucket.into(),
        key: key.into(),
        version: None,
        status: Some(ExpectedStatus::Failed),
        reason: Some(reason.into()),
        encryption: None,
    }))
}

pub fn expect_encryption(bucket: &str, key: &str, encryption: ExpectedEncryption) -> Step {
    Step::Expect(Expectation::Object(ObjectExpectation {
        bucket: bucket.into(),
        key: key.into(),
        version: None,
        status: None,
        reason: None,
        encryption: Some(encryption),
    }))
}

/// Validates and runs; panics with the problems or the failed expectations.
pub fn run(spec: ScenarioSpec) -> replication_model::Outcome {
    let valid = match replication_model::validate(spec) {
        Ok(v) => v,
        Err(problems) => panic!("scenario is invalid:\n{}", problems.iter().map(|p| format!("{:?}: {}", p.locus, p.message)).collect::<Vec<_>>().join("\n")),
    };
    let outcome = replication_model::run(&valid).expect("run");
    if let Err(e) = outcome.check_expectations() {
        panic!("{e}\n\n{}", outcome.report());
    }
    outcome
}

/// The problems validation reports.
pub fn problems(spec: ScenarioSpec) -> Vec<replication_model::Problem> {
    match replication_model::validate(spec) {
        Ok(_) => panic!("expected validation problems"),
        Err(p) => p,
    }
}
