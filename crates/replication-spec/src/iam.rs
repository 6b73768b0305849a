//! The bridge between the scenario's policies and the IAM policy engine.
//!
//! Every policy, whether written as DSL statements or as AWS JSON, becomes one canonical JSON
//! document (names resolved to ARNs) compiled once by `replication-policy`. Faults that add or
//! revoke statements edit that document and compile it again at validation time, so a run never
//! parses a policy.

use std::fmt;

use replication_policy::{Document, Policy};
use serde_json::{Map, Value, json};

use crate::catalog::Catalog;
use crate::ids;
use crate::spec::{
    ConditionSpec, Effect, KeyKind, KeySpec, PolicySpec, PrincipalRef, ResourceRef, StatementSpec,
};

/// Which policy of the world a compiled policy is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyOwner {
    /// The key policy of a key.
    Key(String),
    /// The bucket policy of a bucket.
    Bucket(String),
    /// The trust policy of a role.
    RoleTrust(String),
    /// A named identity policy attached to a role.
    Role { role: String, policy: String },
}

impl fmt::Display for PolicyOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyOwner::Key(k) => write!(f, "key policy of `{k}`"),
            PolicyOwner::Bucket(b) => write!(f, "bucket policy of `{b}`"),
            PolicyOwner::RoleTrust(r) => write!(f, "trust policy of role `{r}`"),
            PolicyOwner::Role { role, policy } => {
                write!(f, "identity policy `{policy}` of role `{role}`")
            }
        }
    }
}

/// What a policy is used as, which decides the defaults of its statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyUse {
    /// A key policy: statements without a resource mean `*` (the key itself).
    Key(String),
    /// A bucket policy.
    Bucket(String),
    /// A role trust policy: no resources.
    Trust,
    /// An identity policy: no principals.
    Identity,
}

/// KMS operations a grant may allow (without the `kms:` prefix).
pub const GRANT_OPERATIONS: &[&str] = &[
    "Decrypt",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "ReEncryptFrom",
    "ReEncryptTo",
    "DescribeKey",
    "CreateGrant",
    "RetireGrant",
];

/// A problem compiling a policy, with a path relative to the policy (`""`, `.json`,
/// `.statements[2]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub path: String,
    pub message: String,
    pub json_offset: Option<usize>,
}

/// The default key policy KMS gives a key created without one ([K-DEFPOL]): the account root may
/// do everything, which delegates to IAM. The AWS managed `aws/s3` key instead allows any
/// principal of its account to use it through S3 in its Region (kms:CallerAccount +
/// kms:ViaService), which is why it cannot be shared with another account (aws-facts d.3).
pub fn default_key_policy(key: &KeySpec, cat: &Catalog) -> PolicySpec {
    let root = |account: &str| StatementSpec {
        sid: Some("Enable IAM User Permissions".into()),
        effect: Effect::Allow,
        principals: vec![PrincipalRef::Account(account.to_owned())],
        actions: vec!["kms:*".into()],
        not_action: false,
        resources: vec![ResourceRef::Any],
        conditions: vec![],
    };
    match &key.kind {
        KeyKind::SingleRegion { account, .. } | KeyKind::MultiRegionPrimary { account, .. } => {
            PolicySpec::Statements(vec![root(account)])
        }
        KeyKind::MultiRegionReplica { primary, .. } => {
            let account = cat
                .keys
                .get(primary)
                .and_then(|p| cat.account_name(&p.account_id))
                .unwrap_or_default()
                .to_owned();
            PolicySpec::Statements(vec![root(&account)])
        }
        KeyKind::AwsManagedS3 { account, region } => {
            managed_key_policy(&cat.account_id(account).unwrap_or_default(), region)
        }
    }
}

/// The key policy of the AWS managed key `aws/s3`: any principal of the account, through S3 in
/// the key's Region only.
pub fn managed_key_policy(account_id: &str, region: &str) -> PolicySpec {
    PolicySpec::Statements(vec![StatementSpec {
        sid: Some("Allow access through S3 for all principals in the account that are authorized to use S3".into()),
        effect: Effect::Allow,
        principals: vec![PrincipalRef::Anyone],
        actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
            .map(str::to_owned)
            .to_vec(),
        not_action: false,
        resources: vec![ResourceRef::Any],
        conditions: vec![
            ConditionSpec { operator: "StringEquals".into(), key: "kms:CallerAccount".into(), values: vec![account_id.to_owned()] },
            ConditionSpec {
                operator: "StringEquals".into(),
                key: "kms:ViaService".into(),
                values: vec![format!("s3.{region}.amazonaws.com")],
            },
        ],
    }])
}

/// Compiles a policy once.
pub fn compile(
    policy: &PolicySpec,
    cat: &Catalog,
    usage: &PolicyUse,
) -> Result<Policy, Vec<CompileError>> {
    let compiled = parse(policy, cat, usage)?;
    // IAM's own policies follow IAM's `Sid` rules; S3 and KMS accept other `Sid`s.
    if matches!(usage, PolicyUse::Trust | PolicyUse::Identity) {
        let problems = compiled.iam_sid_problems();
        if !problems.is_empty() {
            return Err(problems
                .iter()
                .map(|e| CompileError {
                    path: match (policy, e.statement_index()) {
                        (PolicySpec::Statements(_), Some(i)) => format!(".statements[{i}].sid"),
                        _ => ".json".into(),
                    },
                    message: e.to_string(),
                    json_offset: e.offset(),
                })
                .collect());
        }
    }
    Ok(compiled)
}

/// Parses a policy, from its JSON or from statements resolved to ARNs.
fn parse(
    policy: &PolicySpec,
    cat: &Catalog,
    usage: &PolicyUse,
) -> Result<Policy, Vec<CompileError>> {
    match policy {
        // Bare documents and AWS CLI output alike; errors are located in `text`.
        PolicySpec::Json(text) => Document::from_aws_json(text).map(|(p, _)| p).map_err(|e| {
            vec![CompileError {
                path: ".json".into(),
                message: e.to_string(),
                json_offset: e.offset(),
            }]
        }),
        PolicySpec::Statements(stmts) => {
            let doc = document(stmts, cat, usage);
            let text = serde_json::to_string(&doc).unwrap_or_default();
            Policy::parse_json(&text).map_err(|e| {
                vec![CompileError {
                    path: statement_path_of(&e.to_string(), stmts.len()),
                    message: e.to_string(),
                    json_offset: None,
                }]
            })
        }
    }
}

/// A statement path for an error found in a generated document: the statement the message
/// names, or the policy as a whole.
fn statement_path_of(message: &str, n_statements: usize) -> String {
    (0..n_statements)
        .find(|i| {
            message.contains(&format!("statement {i}"))
                || message.contains(&format!("Statement[{i}]"))
        })
        .map(|i| format!(".statements[{i}]"))
        .unwrap_or_default()
}

/// The statements of a policy as JSON values, for faults that add or revoke statements.
pub fn statements_of(
    policy: &PolicySpec,
    cat: &Catalog,
    usage: &PolicyUse,
) -> Result<Vec<Value>, String> {
    match policy {
        PolicySpec::Statements(stmts) => {
            Ok(stmts.iter().map(|s| statement(s, cat, usage)).collect())
        }
        PolicySpec::Json(text) => {
            let document = Document::unwrap_aws_json(text).map_err(|e| e.to_string())?;
            let v: Value = serde_json::from_str(document.text())
                .map_err(|e| format!("the policy is not valid JSON: {e}"))?;
            match v.get("Statement") {
                Some(Value::Array(a)) => Ok(a.clone()),
                Some(s @ Value::Object(_)) => Ok(vec![s.clone()]),
                _ => Err("the policy has no `Statement` to change".into()),
            }
        }
    }
}

/// A policy document from JSON statement values.
pub fn document_of(statements: Vec<Value>) -> String {
    let doc = json!({ "Version": "2012-10-17", "Statement": statements });
    serde_json::to_string(&doc).unwrap_or_default()
}

fn document(stmts: &[StatementSpec], cat: &Catalog, usage: &PolicyUse) -> Value {
    let statements: Vec<Value> = stmts.iter().map(|s| statement(s, cat, usage)).collect();
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// One statement as AWS JSON, with names resolved to ARNs.
pub fn statement(s: &StatementSpec, cat: &Catalog, usage: &PolicyUse) -> Value {
    let mut m = Map::new();
    if let Some(sid) = &s.sid {
        m.insert("Sid".into(), Value::String(sid.clone()));
    }
    m.insert(
        "Effect".into(),
        Value::String(match s.effect {
            Effect::Allow => "Allow".into(),
            Effect::Deny => "Deny".into(),
        }),
    );
    if !s.principals.is_empty() {
        m.insert("Principal".into(), principals(&s.principals, cat));
    }
    let actions = Value::Array(s.actions.iter().map(|a| Value::String(a.clone())).collect());
    m.insert(
        if s.not_action { "NotAction" } else { "Action" }.into(),
        actions,
    );
    let resources: Vec<Value> = if s.resources.is_empty() {
        match usage {
            PolicyUse::Trust => Vec::new(),
            PolicyUse::Key(_) | PolicyUse::Identity | PolicyUse::Bucket(_) => {
                vec![Value::String("*".into())]
            }
        }
    } else {
        s.resources
            .iter()
            .map(|r| Value::String(resource(r, cat)))
            .collect()
    };
    if !resources.is_empty() {
        m.insert("Resource".into(), Value::Array(resources));
    }
    if !s.conditions.is_empty() {
        let mut cond: Map<String, Value> = Map::new();
        for c in &s.conditions {
            let entry = cond
                .entry(c.operator.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(keys) = entry {
                let values = c.values.iter().map(|v| Value::String(v.clone())).collect();
                keys.insert(c.key.clone(), Value::Array(values));
            }
        }
        m.insert("Condition".into(), Value::Object(cond));
    }
    Value::Object(m)
}

fn principals(ps: &[PrincipalRef], cat: &Catalog) -> Value {
    if ps.iter().any(|p| matches!(p, PrincipalRef::Anyone)) {
        return Value::String("*".into());
    }
    let mut aws = Vec::new();
    let mut service = Vec::new();
    for p in ps {
        match p {
            PrincipalRef::Role(r) => {
                aws.push(cat.roles.get(r).map(|i| i.arn.clone()).unwrap_or_default())
            }
            PrincipalRef::Account(a) => aws.push(ids::account_root_arn(
                &cat.account_id(a).unwrap_or_default(),
            )),
            PrincipalRef::Arn(arn) => aws.push(arn.clone()),
            PrincipalRef::Service(s) => service.push(s.clone()),
            PrincipalRef::Anyone => {}
        }
    }
    let mut m = Map::new();
    if !aws.is_empty() {
        m.insert(
            "AWS".into(),
            Value::Array(aws.into_iter().map(Value::String).collect()),
        );
    }
    if !service.is_empty() {
        m.insert(
            "Service".into(),
            Value::Array(service.into_iter().map(Value::String).collect()),
        );
    }
    Value::Object(m)
}

fn resource(r: &ResourceRef, cat: &Catalog) -> String {
    match r {
        ResourceRef::Any => "*".into(),
        ResourceRef::Bucket(b) => cat
            .buckets
            .get(b)
            .map(|i| i.arn.clone())
            .unwrap_or_default(),
        ResourceRef::Objects { bucket, pattern } => cat
            .buckets
            .get(bucket)
            .map(|i| ids::object_arn(&i.s3_name, pattern))
            .unwrap_or_default(),
        ResourceRef::Key(k) => cat.keys.get(k).map(|i| i.arn.clone()).unwrap_or_default(),
        ResourceRef::Arn(a) => a.clone(),
    }
}
