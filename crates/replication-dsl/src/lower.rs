//! Lowering: a parsed scenario to the model's [`ScenarioSpec`], plus a map from every spec field
//! back to the tokens that wrote it.
//!
//! This is the only pass that looks at the scenario as a whole before validation: it resolves
//! bare names in policies (is `prod` a role or an account?) against the scenario's definitions
//! and reads `json_file` policies. Everything semantic (is that name defined, is that Region
//! real, would AWS accept this rule) is left to `replication_spec::validate`, which reports
//! problems by [`Locus`]; the [`SpanMap`] built here turns each locus back into tokens.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use replication_spec::spec::{
    AccountSpec, BucketSpec, DefaultEncryption, DestinationSpec, Expectation, ExpectedEncryption,
    ExpectedVerdict, Fault, FilterSpec, GrantSpec, Item, KeyKind, KeyRef, KeySpec, NamedPolicy,
    ObjectExpectation, PolicySpec, PolicyTarget, PrincipalRef, PutObjectSpec, ReplicationSpec,
    ResourceRef, RoleRef, RoleSpec, RuleSpec, ScenarioSpec, StatementSpec, Status, Step,
    UploadEncryption, Versioning,
};

use crate::ast::*;
use crate::aws_json;
use crate::error::{Ctxt, SpanRange, source_location};
use crate::policy_file::{
    PolicyFileError, PolicyKind, check_policy_size, read_json_file, read_policy_file,
};
use crate::span_map::{JsonSource, SpanMap};

/// Where relative `json_file` paths are read from.
#[derive(Debug, Clone)]
pub struct LowerConfig {
    /// The directory `json_file` paths are relative to; `None` when there is none (then
    /// `json_file` is an error).
    pub base_dir: Option<PathBuf>,
    /// How messages name that directory: "the crate root", "the scenario file's directory".
    pub base_dir_label: &'static str,
}

/// A lowered scenario.
#[derive(Debug, Clone)]
pub struct Lowered {
    /// The plain-data scenario.
    pub spec: ScenarioSpec,
    /// Where each field of `spec` was written.
    pub spans: SpanMap,
    /// Every `json_file` read, as an absolute or base-relative path (the macro makes the build
    /// depend on them).
    pub policy_files: Vec<PathBuf>,
}

/// What a name of the scenario defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Account,
    Key,
    Bucket,
    Role,
}

/// Lowers one scenario. Errors (unreadable policy files, a policy target that cannot be
/// expressed) go to `cx`.
pub fn lower(cx: &Ctxt, scenario: &Scenario, config: &LowerConfig) -> Lowered {
    let mut names = BTreeMap::new();
    for stmt in &scenario.stmts {
        let (name, kind) = match stmt {
            Stmt::Account(a) => (&a.name, Kind::Account),
            Stmt::Key(k) => (&k.name, Kind::Key),
            Stmt::Bucket(b) => (&b.name, Kind::Bucket),
            Stmt::Role(r) => (&r.name, Kind::Role),
            Stmt::Rules { .. } | Stmt::Step(_) => continue,
        };
        names.entry(name.to_string()).or_insert(kind);
    }
    let account_ids = scenario
        .stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Account(a) => Some((a.name.to_string(), a.id.value.clone())),
            _ => None,
        })
        .collect();
    let mut l = Lowerer {
        cx,
        config,
        names,
        account_ids,
        spans: SpanMap::new(SpanRange::new(scenario.name.span())),
        spec: ScenarioSpec {
            name: scenario.name.to_string(),
            doc: scenario.doc.clone(),
            ..ScenarioSpec::default()
        },
        policy_files: Vec::new(),
        rules_chosen: false,
    };
    l.spans.record(
        Item::Scenario,
        String::new(),
        SpanRange::new(scenario.name.span()),
    );
    for stmt in &scenario.stmts {
        l.stmt(stmt);
    }
    Lowered {
        spec: l.spec,
        spans: l.spans,
        policy_files: l.policy_files,
    }
}

struct Lowerer<'a> {
    cx: &'a Ctxt,
    config: &'a LowerConfig,
    names: BTreeMap<String, Kind>,
    /// Account names and ids, for key ids in AWS JSON that need an ARN.
    account_ids: BTreeMap<String, String>,
    spans: SpanMap,
    spec: ScenarioSpec,
    policy_files: Vec<PathBuf>,
    rules_chosen: bool,
}

impl Lowerer<'_> {
    fn rec(&mut self, item: &Item, path: impl Into<String>, range: impl Into<SpanRange>) {
        self.spans.record(item.clone(), path.into(), range.into());
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Rules { keyword, rule_set } => {
                if self.rules_chosen {
                    self.cx.error(
                        keyword.span(),
                        "the rule set is chosen twice; keep one `rules ...;`",
                    );
                } else {
                    self.rules_chosen = true;
                    self.spec.rule_set = rule_set.value;
                    self.rec(&Item::Scenario, "rule_set", rule_set.range);
                }
            }
            Stmt::Account(a) => self.account(a),
            Stmt::Key(k) => self.key(k),
            Stmt::Bucket(b) => self.bucket(b),
            Stmt::Role(r) => self.role(r),
            Stmt::Step(s) => self.step(s),
        }
    }

    fn account(&mut self, a: &AccountDef) {
        let item = Item::Account(a.name.to_string());
        self.rec(&item, "", a.name.span());
        self.rec(&item, "id", a.id.range);
        if let Some(org) = &a.org {
            self.rec(&item, "org_id", org.range);
        }
        self.spec.accounts.push(AccountSpec {
            name: a.name.to_string(),
            id: a.id.value.clone(),
            org_id: a.org.as_ref().map(|o| o.value.clone()),
        });
    }

    fn key(&mut self, k: &KeyDef) {
        let item = Item::Key(k.name.to_string());
        self.rec(&item, "", k.name.span());
        self.rec(&item, "kind", k.ctor.range);
        let owner_path = if k.ctor.value == KeyCtor::ReplicaOf {
            "primary"
        } else {
            "account"
        };
        self.rec(&item, owner_path, k.owner.span());
        self.rec(&item, "region", k.region.range);
        let owner = k.owner.to_string();
        let region = k.region.value.clone();
        let kind = match k.ctor.value {
            KeyCtor::Kms => KeyKind::SingleRegion {
                account: owner,
                region,
            },
            KeyCtor::KmsMrk => KeyKind::MultiRegionPrimary {
                account: owner,
                region,
            },
            KeyCtor::ReplicaOf => KeyKind::MultiRegionReplica {
                primary: owner,
                region,
            },
            KeyCtor::AwsManaged => KeyKind::AwsManagedS3 {
                account: owner,
                region,
            },
        };
        if let Some(state) = &k.state {
            self.rec(&item, "initial_state", state.range);
        }
        if let Some(id) = &k.key_id {
            self.rec(&item, "key_id", id.range);
        }
        for (i, alias) in k.aliases.iter().enumerate() {
            self.rec(&item, format!("aliases[{i}]"), alias.range);
        }
        let mut grants = Vec::new();
        for (i, g) in k.grants.iter().enumerate() {
            self.rec(&item, format!("grants[{i}]"), g.range);
            self.rec(&item, format!("grants[{i}].grantee"), g.grantee.range);
            grants.push(GrantSpec {
                grantee: self.principal(&g.grantee.value),
                operations: g.operations.iter().map(|o| o.value.clone()).collect(),
                encryption_context_subset: g.context.clone(),
            });
        }
        let policy = k
            .policy
            .as_ref()
            .map(|p| self.policy(&item, "policy", PolicyKind::Key, p));
        self.spec.keys.push(KeySpec {
            name: k.name.to_string(),
            kind,
            key_id: k.key_id.as_ref().map(|id| id.value.clone()),
            policy,
            grants,
            aliases: k.aliases.iter().map(|a| a.value.clone()).collect(),
            initial_state: k.state.as_ref().map(|s| s.value).unwrap_or_default(),
        });
    }

    fn bucket(&mut self, b: &BucketDef) {
        let item = Item::Bucket(b.name.to_string());
        self.rec(&item, "", b.name.span());
        self.rec(&item, "account", b.account.span());
        self.rec(&item, "region", b.region.range);
        if let Some(name) = &b.s3_name {
            self.rec(&item, "s3_name", name.range);
        }
        let flag = |l: &mut Self, path: &str, v: &Option<Spanned<bool>>| -> bool {
            if let Some(v) = v {
                l.rec(&item, path, v.range);
            }
            v.as_ref().is_some_and(|v| v.value)
        };
        let bucket_key = flag(self, "bucket_key", &b.bucket_key);
        let object_lock = flag(self, "object_lock", &b.object_lock);
        let requester_pays = flag(self, "requester_pays", &b.requester_pays);
        if let Some(v) = &b.block_sse_c {
            self.rec(&item, "block_sse_c", v.range);
        }
        if let Some(v) = &b.versioning {
            self.rec(&item, "versioning", v.range);
        }
        let default_encryption = b.encryption.as_ref().map(|e| {
            self.rec(&item, "default_encryption", e.range);
            if let Some(k) = &e.key {
                self.rec(&item, "default_encryption.key", k.range);
            }
            // `sse_kms` without a key is the bucket owner's `aws/s3` key, as in AWS.
            let key = e
                .key
                .as_ref()
                .map_or(KeyRef::AwsManagedS3, |k| k.value.clone());
            match e.kind.value {
                EncryptionKind::SseKms => DefaultEncryption::SseKms { key },
                EncryptionKind::DsseKms => DefaultEncryption::DsseKms { key },
                // SSE-C was reported by the parser; the scenario is not validated further.
                EncryptionKind::SseS3 | EncryptionKind::SseC => DefaultEncryption::SseS3,
            }
        });
        let policy = b
            .policy
            .as_ref()
            .map(|p| self.policy(&item, "policy", PolicyKind::Bucket, p));
        let mut versioning = b
            .versioning
            .as_ref()
            .map_or(Versioning::Unversioned, |v| v.value);
        if let Some(json) = &b.versioning_json {
            self.rec(&item, "versioning", json.lit.span());
            if let Some(text) = self.json_text(json) {
                match aws_json::read_bucket_versioning(&text) {
                    Ok(v) => versioning = v,
                    Err(problems) => self.json_problems(
                        json,
                        &problems,
                        &format!("in the versioning of `{}`", b.name),
                    ),
                }
            }
        }
        let mut default_encryption = default_encryption;
        let mut bucket_key = bucket_key;
        let mut block_sse_c = b.block_sse_c.as_ref().map(|v| v.value);
        if let Some(json) = &b.encryption_json
            && let Some(enc) = self.bucket_encryption(&item, b, json)
        {
            let key = enc
                .kms_master_key_id
                .as_ref()
                .map_or(KeyRef::AwsManagedS3, |k| {
                    KeyRef::Arn(self.kms_arn(&b.account.to_string(), &b.region.value, &k.value))
                });
            default_encryption = Some(match enc.algorithm {
                aws_json::SseAlgorithm::Aes256 => DefaultEncryption::SseS3,
                aws_json::SseAlgorithm::AwsKms => DefaultEncryption::SseKms { key },
                aws_json::SseAlgorithm::AwsKmsDsse => DefaultEncryption::DsseKms { key },
            });
            bucket_key = enc.bucket_key_enabled;
            if enc.block_sse_c.is_some() {
                block_sse_c = enc.block_sse_c;
            }
        }
        self.spec.buckets.push(BucketSpec {
            name: b.name.to_string(),
            s3_name: b.s3_name.as_ref().map(|n| n.value.clone()),
            account: b.account.to_string(),
            region: b.region.value.clone(),
            versioning,
            default_encryption,
            bucket_key,
            policy,
            block_sse_c,
            object_lock,
            requester_pays,
        });
    }

    /// `encryption: json_file ...`: the document, its paths recorded; `bucket_key` or
    /// `block_sse_c` written beside it as well is an error (the document holds both).
    fn bucket_encryption(
        &mut self,
        item: &Item,
        b: &BucketDef,
        json: &JsonText,
    ) -> Option<aws_json::BucketEncryption> {
        for path in ["default_encryption", "default_encryption.key"] {
            self.rec(item, path, json.lit.span());
        }
        for (flag, name, member) in [
            (&b.bucket_key, "bucket_key", "BucketKeyEnabled"),
            (&b.block_sse_c, "block_sse_c", "BlockedEncryptionTypes"),
        ] {
            if let Some(v) = flag {
                self.cx.error(
                    v.range,
                    format!("`{name}` is the encryption document's `{member}`; remove `{name}` here and set it in the document"),
                );
            }
        }
        let text = self.json_text(json)?;
        match aws_json::read_bucket_encryption(&text) {
            Ok(enc) => Some(enc),
            Err(problems) => {
                let context = format!("in the default encryption of `{}`", b.name);
                self.json_problems(json, &problems, &context);
                None
            }
        }
    }

    /// A `KMSMasterKeyID` as an ARN: a key id or alias name names a key of the bucket owner's
    /// account in the bucket's Region (*inferred*: as KMS resolves a key id or alias name in
    /// the caller's account and Region).
    fn kms_arn(&self, account: &str, region: &str, id: &str) -> String {
        if id.starts_with("arn:") {
            return id.to_owned();
        }
        let account_id = self.account_ids.get(account).map_or("", String::as_str);
        if id.starts_with("alias/") {
            replication_spec::ids::alias_arn(region, account_id, id)
        } else {
            replication_spec::ids::key_arn(region, account_id, id)
        }
    }

    fn json_problems(
        &mut self,
        json: &JsonText,
        problems: &[aws_json::JsonProblem],
        context: &str,
    ) {
        for p in problems {
            let (span, message) = self.json_problem(json, p, || context.to_owned());
            self.cx.error(span, message);
        }
    }

    fn role(&mut self, r: &RoleDef) {
        let item = Item::Role(r.name.to_string());
        self.rec(&item, "", r.name.span());
        self.rec(&item, "account", r.account.span());
        if let Some(name) = &r.role_name {
            self.rec(&item, "role_name", name.range);
        }
        if let Some(path) = &r.path {
            self.rec(&item, "path", path.range);
        }
        // A role without `trust` trusts nobody: replication then fails with
        // `AssumeRoleNotPermitted`, an outcome worth a scenario, not a syntax error.
        let trust = match &r.trust {
            Some(t) => self.policy(&item, "trust", PolicyKind::Trust, t),
            None => PolicySpec::Statements(Vec::new()),
        };
        let mut policies = Vec::new();
        for (i, p) in r.policies.iter().enumerate() {
            let prefix = format!("policies[{i}]");
            let policy = self.policy(&item, &prefix, PolicyKind::RoleInline, &p.policy);
            // The name is the narrowest token for the policy as a whole.
            self.spans.replace(item.clone(), prefix, p.name.range);
            policies.push(NamedPolicy {
                name: p.name.value.clone(),
                policy,
            });
        }
        self.spec.roles.push(RoleSpec {
            name: r.name.to_string(),
            role_name: r.role_name.as_ref().map(|n| n.value.clone()),
            path: r.path.as_ref().map(|p| p.value.clone()),
            account: r.account.to_string(),
            trust,
            policies,
        });
    }

    /// Lowers a policy and records its paths under `prefix`.
    fn policy(&mut self, item: &Item, prefix: &str, kind: PolicyKind, p: &PolicyDef) -> PolicySpec {
        self.rec(item, prefix, p.keyword);
        match &p.body {
            PolicyBody::Statements(list) => PolicySpec::Statements(
                list.iter()
                    .enumerate()
                    .map(|(i, st)| self.statement(item, &format!("{prefix}.statements[{i}]"), st))
                    .collect(),
            ),
            PolicyBody::Json(lit) => {
                self.rec(item, format!("{prefix}.json"), lit.span());
                self.spans.record_json(
                    item.clone(),
                    prefix.to_owned(),
                    JsonSource::Inline(lit.clone()),
                );
                let text = lit.value();
                if let Err(e) = check_policy_size(&text, kind) {
                    self.cx.error(lit.span(), format!("inline policy is {e}"));
                }
                PolicySpec::Json(text)
            }
            PolicyBody::JsonFile(lit) => {
                self.rec(item, format!("{prefix}.json"), lit.span());
                let text = self.read_policy_file(lit, kind);
                PolicySpec::Json(text)
            }
        }
    }

    fn read_policy_file(&mut self, lit: &syn::LitStr, kind: PolicyKind) -> String {
        let rel = lit.value();
        let Some(base) = &self.config.base_dir else {
            self.cx.error(lit.span(), format!("`json_file \"{rel}\"` has no directory to be relative to here; inline the policy with `json r#\"...\"#`"));
            return String::new();
        };
        let path = base.join(Path::new(&rel));
        match read_policy_file(&path, kind) {
            Ok(text) => {
                self.policy_files.push(path);
                text
            }
            Err(e @ PolicyFileError::Io(_)) => {
                self.cx.error(
                    lit.span(),
                    format!(
                        "cannot read policy file `{rel}` ({e}); the path is relative to {}",
                        self.config.base_dir_label
                    ),
                );
                String::new()
            }
            Err(e) => {
                self.cx
                    .error(lit.span(), format!("policy file `{rel}` is {e}"));
                String::new()
            }
        }
    }

    fn statement(&mut self, item: &Item, path: &str, st: &StatementDef) -> StatementSpec {
        self.rec(item, path, st.range);
        if let Some(sid) = &st.sid {
            self.rec(item, format!("{path}.sid"), sid.range);
        }
        self.rec(item, format!("{path}.effect"), st.effect.range);
        for (j, p) in st.principals.iter().enumerate() {
            self.rec(item, format!("{path}.principals[{j}]"), p.range);
        }
        for (j, a) in st.actions.iter().enumerate() {
            self.rec(item, format!("{path}.actions[{j}]"), a.range);
        }
        for (j, r) in st.resources.iter().enumerate() {
            self.rec(item, format!("{path}.resources[{j}]"), r.range);
        }
        for (j, c) in st.conditions.iter().enumerate() {
            self.rec(item, format!("{path}.conditions[{j}]"), c.range);
        }
        StatementSpec {
            sid: st.sid.as_ref().map(|s| s.value.clone()),
            effect: st.effect.value,
            principals: st
                .principals
                .iter()
                .map(|p| self.principal(&p.value))
                .collect(),
            actions: st.actions.iter().map(|a| a.value.clone()).collect(),
            not_action: st.not_action,
            resources: st
                .resources
                .iter()
                .map(|r| self.resource(&r.value))
                .collect(),
            conditions: st.conditions.iter().map(|c| c.value.clone()).collect(),
        }
    }

    /// A bare name is a role when the scenario defines a role of that name, an account when it
    /// defines an account, and otherwise a role, which validation then reports as undefined.
    fn principal(&self, p: &Principal) -> PrincipalRef {
        match p {
            Principal::Anyone => PrincipalRef::Anyone,
            Principal::Account(a) => PrincipalRef::Account(a.clone()),
            Principal::Role(r) => PrincipalRef::Role(r.clone()),
            Principal::Service(s) => PrincipalRef::Service(s.clone()),
            Principal::Literal(l) => PrincipalRef::Arn(l.clone()),
            Principal::Name(n) => match self.names.get(n) {
                Some(Kind::Account) => PrincipalRef::Account(n.clone()),
                _ => PrincipalRef::Role(n.clone()),
            },
        }
    }

    /// A bare name is a key when the scenario defines a key of that name, otherwise a bucket.
    fn resource(&self, r: &Resource) -> ResourceRef {
        match r {
            Resource::Any => ResourceRef::Any,
            Resource::Arn(a) => ResourceRef::Arn(a.clone()),
            Resource::Objects { bucket, pattern } => ResourceRef::Objects {
                bucket: bucket.clone(),
                pattern: pattern.clone(),
            },
            Resource::Name(n) => match self.names.get(n) {
                Some(Kind::Key) => ResourceRef::Key(n.clone()),
                _ => ResourceRef::Bucket(n.clone()),
            },
        }
    }

    fn step(&mut self, s: &StepDef) {
        let item = Item::Step(self.spec.steps.len());
        self.rec(&item, "", s.keyword);
        let step = match &s.kind {
            StepKind::Replication(r) => Step::PutBucketReplication(self.replication(&item, r)),
            StepKind::Put(p) => Step::PutObject(self.put(&item, p)),
            StepKind::Delete {
                bucket,
                key,
                version,
            } => {
                self.rec(&item, "bucket", bucket.span());
                self.rec(&item, "key", key.range);
                if let Some(v) = version {
                    self.rec(&item, "version", v.range);
                }
                Step::DeleteObject {
                    bucket: bucket.to_string(),
                    key: key.value.clone(),
                    version: version.as_ref().map(|v| v.value),
                }
            }
            StepKind::Tagging { bucket, key, tags } => {
                self.rec(&item, "bucket", bucket.span());
                self.rec(&item, "key", key.range);
                self.rec(&item, "tags", tags.range);
                Step::PutObjectTagging {
                    bucket: bucket.to_string(),
                    key: key.value.clone(),
                    tags: tags.value.clone(),
                }
            }
            StepKind::Replicate => Step::Replicate,
            StepKind::BatchReplicate { bucket, statuses } => {
                self.rec(&item, "bucket", bucket.span());
                self.rec(&item, "statuses", statuses.range);
                Step::BatchReplicate {
                    bucket: bucket.to_string(),
                    statuses: statuses.value.clone(),
                }
            }
            StepKind::Wait(seconds) => {
                self.rec(&item, "seconds", seconds.range);
                Step::Wait {
                    seconds: seconds.value,
                }
            }
            StepKind::Fault(f) => Step::Fault(self.fault(&item, f)),
            StepKind::Expect(e) => Step::Expect {
                expectation: self.expect(&item, e),
                at: source_location(s.keyword.start),
            },
        };
        self.spec.steps.push(step);
    }

    fn replication(&mut self, item: &Item, r: &ReplicationDef) -> ReplicationSpec {
        self.rec(item, "bucket", r.bucket.span());
        let (role, rules) = match &r.body {
            ReplicationBody::Rules { role, rules } => {
                self.rec(item, "role", role.range);
                (role.value.clone(), self.rules(item, rules))
            }
            ReplicationBody::Json(json) => self.replication_json(item, &r.bucket, json),
        };
        ReplicationSpec {
            bucket: r.bucket.to_string(),
            role,
            rules,
        }
    }

    /// A configuration in AWS JSON: the role is its `Role` ARN and each destination its bucket
    /// ARN, which the model resolves to the scenario's role and buckets by ARN. Every path of a
    /// rule points at the rule inside an inline literal, or at the file's name.
    fn replication_json(
        &mut self,
        item: &Item,
        bucket: &syn::Ident,
        json: &JsonText,
    ) -> (RoleRef, Vec<RuleSpec>) {
        self.rec(item, "", json.keyword);
        self.rec(item, "role", json.lit.span());
        let fallback = (RoleRef::Arn(String::new()), Vec::new());
        let Some(text) = self.json_text(json) else {
            return fallback;
        };
        let config = match aws_json::read_replication_configuration(&text) {
            Ok(config) => config,
            Err(problems) => {
                for p in problems {
                    let (span, message) = self.json_problem(json, &p, || {
                        format!("in the replication configuration of `{bucket}`")
                    });
                    self.cx.error(span, message);
                }
                return fallback;
            }
        };
        for (j, rule) in config.rules.iter().enumerate() {
            let at = self.json_span(json, rule.at.offset);
            self.rec(item, format!("rules[{j}]"), at);
        }
        (
            RoleRef::Arn(config.role.value),
            config.rules.into_iter().map(|r| r.spec).collect(),
        )
    }

    /// The text of a `json` literal or `json_file`; a file that cannot be read is an error.
    fn json_text(&mut self, json: &JsonText) -> Option<String> {
        if !json.file {
            return Some(json.lit.value());
        }
        let rel = json.lit.value();
        let Some(base) = &self.config.base_dir else {
            self.cx.error(json.lit.span(), format!("`json_file \"{rel}\"` has no directory to be relative to here; inline the document with `json r#\"...\"#`"));
            return None;
        };
        let path = base.join(Path::new(&rel));
        match read_json_file(&path) {
            Ok(text) => {
                self.policy_files.push(path);
                Some(text)
            }
            Err(e @ PolicyFileError::Io(_)) => {
                self.cx.error(
                    json.lit.span(),
                    format!(
                        "cannot read `{rel}` ({e}); the path is relative to {}",
                        self.config.base_dir_label
                    ),
                );
                None
            }
            Err(e) => {
                self.cx.error(json.lit.span(), format!("`{rel}` is {e}"));
                None
            }
        }
    }

    /// Where a problem in AWS JSON is shown and how it reads: inside an inline literal, at its
    /// character with `line, column` in the message; for a file, at the file's name with
    /// `file:line:col` in the message.
    fn json_problem(
        &self,
        json: &JsonText,
        p: &aws_json::JsonProblem,
        context: impl FnOnce() -> String,
    ) -> (SpanRange, String) {
        let at = self.json_span(json, p.location.offset);
        let message = if json.file {
            format!("{}:{p}", json.lit.value())
        } else {
            format!("{}: {}: {}", context(), p.location, p.message)
        };
        (at, message)
    }

    fn json_span(&self, json: &JsonText, offset: usize) -> SpanRange {
        if json.file {
            return SpanRange::new(json.lit.span());
        }
        SpanRange::new(
            crate::span_map::json_span(&json.lit, offset).unwrap_or_else(|| json.lit.span()),
        )
    }

    fn rules(&mut self, item: &Item, defs: &[RuleDef]) -> Vec<RuleSpec> {
        let mut rules = Vec::new();
        for (j, rule) in defs.iter().enumerate() {
            let p = format!("rules[{j}]");
            self.rec(item, &p, rule.head);
            let opt = |l: &mut Self, field: &str, range: Option<SpanRange>| {
                if let Some(range) = range {
                    l.rec(item, format!("{p}.{field}"), range);
                }
            };
            opt(self, "id", rule.id.as_ref().map(|v| v.range));
            opt(self, "priority", rule.priority.as_ref().map(|v| v.range));
            opt(self, "status", rule.status.as_ref().map(|v| v.range));
            opt(self, "filter", rule.filter.as_ref().map(|v| v.range));
            opt(
                self,
                "delete_marker_replication",
                rule.delete_marker_replication.as_ref().map(|v| v.range),
            );
            opt(self, "destination", Some(rule.destination.range));
            opt(self, "destination.bucket", Some(rule.destination.range));
            opt(
                self,
                "destination.account",
                rule.account.as_ref().map(|v| v.range),
            );
            opt(
                self,
                "destination.storage_class",
                rule.storage_class.as_ref().map(|v| v.range),
            );
            opt(
                self,
                "destination.owner_override",
                rule.owner_override.as_ref().map(|v| v.range),
            );
            opt(
                self,
                "destination.replica_kms_key",
                rule.replica_kms_key.as_ref().map(|v| v.range),
            );
            opt(
                self,
                "destination.replication_time",
                rule.replication_time.as_ref().map(|v| v.range),
            );
            opt(
                self,
                "destination.metrics",
                rule.metrics.as_ref().map(|v| v.range),
            );
            opt(
                self,
                "sse_kms_encrypted_objects",
                rule.sse_kms_encrypted_objects.as_ref().map(|v| v.range),
            );
            opt(
                self,
                "replica_modifications",
                rule.replica_modifications.as_ref().map(|v| v.range),
            );
            rules.push(RuleSpec {
                id: rule.id.as_ref().map(|v| v.value.clone()),
                priority: rule.priority.as_ref().map(|v| v.value),
                status: rule.status.as_ref().map_or(Status::Enabled, |v| v.value),
                // No `filter` is `<Filter/>` (every object), the V2 schema S3's console writes.
                filter: rule
                    .filter
                    .as_ref()
                    .map_or(FilterSpec::Empty, |f| f.value.clone()),
                delete_marker_replication: rule.delete_marker_replication.as_ref().map(|v| v.value),
                destination: DestinationSpec {
                    bucket: rule.destination.value.clone(),
                    account: rule.account.as_ref().map(|v| v.value.clone()),
                    storage_class: rule.storage_class.as_ref().map(|v| v.value.clone()),
                    owner_override: rule.owner_override.as_ref().is_some_and(|v| v.value),
                    replica_kms_key: rule.replica_kms_key.as_ref().map(|v| v.value.clone()),
                    replication_time: rule.replication_time.as_ref().map(|v| v.value),
                    metrics: rule.metrics.as_ref().map(|v| v.value),
                },
                sse_kms_encrypted_objects: rule.sse_kms_encrypted_objects.as_ref().map(|v| v.value),
                replica_modifications: rule.replica_modifications.as_ref().map(|v| v.value),
            });
        }
        rules
    }

    fn put(&mut self, item: &Item, p: &PutDef) -> PutObjectSpec {
        self.rec(item, "bucket", p.bucket.span());
        self.rec(item, "key", p.key.range);
        self.rec(item, "body", p.body.range);
        let encryption = p.encryption.as_ref().map(|e| {
            self.encryption_paths(item, e);
            match e.kind.value {
                EncryptionKind::SseS3 => UploadEncryption::SseS3,
                EncryptionKind::SseKms => UploadEncryption::SseKms {
                    key: e.key.as_ref().map(|k| k.value.clone()),
                    bucket_key: e.bucket_key.as_ref().map(|b| b.value),
                },
                EncryptionKind::DsseKms => UploadEncryption::DsseKms {
                    key: e.key.as_ref().map(|k| k.value.clone()),
                },
                EncryptionKind::SseC => UploadEncryption::SseC {
                    customer_key: customer_key(e),
                },
            }
        });
        if let Some(t) = &p.tags {
            self.rec(item, "tags", t.range);
        }
        if let Some(s) = &p.storage_class {
            self.rec(item, "storage_class", s.range);
        }
        if let Some(o) = &p.owner {
            self.rec(item, "owner", o.range);
        }
        PutObjectSpec {
            bucket: p.bucket.to_string(),
            key: p.key.value.clone(),
            body: p.body.value.clone(),
            encryption,
            tags: p.tags.as_ref().map(|t| t.value.clone()).unwrap_or_default(),
            storage_class: p.storage_class.as_ref().map(|s| s.value.clone()),
            owner: p.owner.as_ref().map(|o| o.value.clone()),
        }
    }

    fn encryption_paths(&mut self, item: &Item, e: &EncryptionDef) {
        self.rec(item, "encryption", e.range);
        if let Some(k) = &e.key {
            self.rec(item, "encryption.key", k.range);
        }
    }

    fn fault(&mut self, item: &Item, f: &FaultDef) -> Fault {
        let key = |l: &mut Self, k: &proc_macro2::Ident| {
            l.rec(item, "key", k.span());
            k.to_string()
        };
        match f {
            FaultDef::DisableKey(k) => Fault::DisableKey(key(self, k)),
            FaultDef::EnableKey(k) => Fault::EnableKey(key(self, k)),
            FaultDef::CancelKeyDeletion(k) => Fault::CancelKeyDeletion(key(self, k)),
            FaultDef::DeleteKeyMaterial(k) => Fault::DeleteKeyMaterial(key(self, k)),
            FaultDef::ScheduleKeyDeletion { key: k, days } => {
                self.rec(item, "pending_days", days.range);
                Fault::ScheduleKeyDeletion {
                    key: key(self, k),
                    pending_days: days.value,
                }
            }
            FaultDef::Revoke { target, statement } => {
                let policy = self.policy_target(item, target);
                self.rec(item, "statement", statement.range);
                Fault::RevokeStatement {
                    policy,
                    statement: statement.value.clone(),
                }
            }
            FaultDef::AddStatement { target, statement } => {
                let policy = self.policy_target(item, target);
                let statement = self.statement(item, "statement", statement);
                Fault::AddStatement { policy, statement }
            }
            FaultDef::SetVersioning { bucket, versioning } => {
                self.rec(item, "bucket", bucket.span());
                self.rec(item, "versioning", versioning.range);
                Fault::SetBucketVersioning {
                    bucket: bucket.to_string(),
                    versioning: versioning.value,
                }
            }
            FaultDef::Region { available, region } => {
                self.rec(item, "region", region.range);
                if *available {
                    Fault::RegionAvailable(region.value.clone())
                } else {
                    Fault::RegionUnavailable(region.value.clone())
                }
            }
            FaultDef::ThrottleKms { region, on } => {
                self.rec(item, "region", region.range);
                Fault::ThrottleKms {
                    region: region.value.clone(),
                    on: on.value,
                }
            }
            FaultDef::BlockSseC { bucket, blocked } => {
                self.rec(item, "bucket", bucket.span());
                Fault::BlockSseC {
                    bucket: bucket.to_string(),
                    blocked: blocked.value,
                }
            }
        }
    }

    fn policy_target(&mut self, item: &Item, t: &PolicyTargetDef) -> PolicyTarget {
        let mut range = SpanRange::new(t.owner.span());
        if let Some(part) = &t.part {
            range = range.to(SpanRange::new(part.span()));
        }
        self.rec(item, "policy", range);
        let owner = t.owner.to_string();
        let kind = self.names.get(&owner).copied();
        match (&t.part, kind) {
            (Some(part), Some(Kind::Role) | None) => {
                if part == "trust" {
                    PolicyTarget::RoleTrust(owner)
                } else {
                    PolicyTarget::Role {
                        role: owner,
                        policy: part.to_string(),
                    }
                }
            }
            (Some(part), Some(kind)) => {
                let message = match kind {
                    Kind::Key | Kind::Bucket => {
                        let what = if kind == Kind::Key { "key" } else { "bucket" };
                        format!(
                            "`{owner}` is a {what}, which has one policy, not `{part}`; write `{owner}` alone"
                        )
                    }
                    Kind::Account | Kind::Role => {
                        format!(
                            "`{owner}` is an account, which has no policy; name a key, a bucket or a role's policy"
                        )
                    }
                };
                self.cx.error(range, message);
                PolicyTarget::Key(owner)
            }
            (None, Some(Kind::Role)) => {
                self.cx.error(
                    t.owner.span(),
                    format!("role `{owner}` has a trust policy and identity policies; say which: `{owner}.trust` or `{owner}.<policy name>` (statements written in the role body are `{owner}.{INLINE_POLICY}`)"),
                );
                PolicyTarget::RoleTrust(owner)
            }
            (None, Some(Kind::Bucket)) => PolicyTarget::Bucket(owner),
            // Keys, accounts and undefined names: validation names what is wrong.
            (None, _) => PolicyTarget::Key(owner),
        }
    }

    fn expect(&mut self, item: &Item, e: &ExpectDef) -> Expectation {
        match e {
            ExpectDef::Config {
                bucket,
                verdict,
                code,
            } => {
                self.rec(item, "bucket", bucket.span());
                self.rec(item, "verdict", verdict.span());
                let verdict = match code {
                    Some(code) => {
                        self.rec(item, "code", code.range);
                        ExpectedVerdict::Rejected {
                            code: code.value.clone(),
                        }
                    }
                    None => ExpectedVerdict::Accepted,
                };
                Expectation::Config {
                    bucket: bucket.to_string(),
                    verdict,
                }
            }
            ExpectDef::PutRejected { bucket, key, code } => {
                self.rec(item, "bucket", bucket.span());
                self.rec(item, "key", key.range);
                self.rec(item, "code", code.range);
                Expectation::PutRejected {
                    bucket: bucket.to_string(),
                    key: key.value.clone(),
                    code: code.value.clone(),
                }
            }
            ExpectDef::Object {
                bucket,
                key,
                version,
                status,
                reason,
                encryption,
            } => {
                self.rec(item, "bucket", bucket.span());
                self.rec(item, "key", key.range);
                if let Some(v) = version {
                    self.rec(item, "version", v.range);
                }
                if let Some(s) = status {
                    self.rec(item, "status", s.range);
                }
                if let Some(r) = reason {
                    self.rec(item, "reason", r.range);
                }
                let encryption = encryption.as_ref().map(|e| {
                    self.encryption_paths(item, e);
                    match e.kind.value {
                        EncryptionKind::SseS3 => ExpectedEncryption::SseS3,
                        EncryptionKind::SseKms => ExpectedEncryption::SseKms {
                            key: e.key.as_ref().map(|k| k.value.clone()),
                            bucket_key: e.bucket_key.as_ref().map(|b| b.value),
                        },
                        EncryptionKind::DsseKms => ExpectedEncryption::DsseKms {
                            key: e.key.as_ref().map(|k| k.value.clone()),
                        },
                        EncryptionKind::SseC => ExpectedEncryption::SseC {
                            customer_key: customer_key(e),
                        },
                    }
                });
                Expectation::Object(ObjectExpectation {
                    bucket: bucket.to_string(),
                    key: key.value.clone(),
                    version: version.as_ref().map(|v| v.value),
                    status: status.as_ref().map(|s| s.value.clone()),
                    reason: reason.as_ref().map(|r| r.value),
                    encryption,
                })
            }
            ExpectDef::Metric {
                bucket,
                rule,
                metric,
                value,
            } => {
                self.rec(item, "bucket", bucket.span());
                self.rec(item, "rule", rule.range);
                self.rec(item, "metric", metric.range);
                self.rec(item, "value", value.range);
                Expectation::Metric {
                    bucket: bucket.to_string(),
                    rule: rule.value.clone(),
                    metric: metric.value,
                    value: value.value,
                }
            }
            ExpectDef::Event {
                bucket,
                rule,
                event,
                reason,
                count,
            } => {
                self.rec(item, "bucket", bucket.span());
                self.rec(item, "rule", rule.range);
                self.rec(item, "event", event.range);
                if let Some(r) = reason {
                    self.rec(item, "reason", r.range);
                }
                self.rec(item, "value", count.range);
                Expectation::Event {
                    bucket: bucket.to_string(),
                    rule: rule.value.clone(),
                    event: event.value,
                    reason: reason.as_ref().map(|r| r.value),
                    count: count.value,
                }
            }
        }
    }
}

fn customer_key(e: &EncryptionDef) -> String {
    e.customer_key
        .as_ref()
        .map(|k| k.value.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every path spelling the model's validation may use is recorded for the scenario that
    /// writes every statement, so each problem finds its token.
    #[test]
    fn every_documented_path_is_recorded() {
        let text = include_str!("../tests/kitchen_sink.scenario");
        let cx = Ctxt::new();
        let suite = crate::parse::parse_suite(&cx, text.parse().expect("tokens"));
        assert!(cx.check().is_empty());
        let scenario = &suite.scenarios[0];
        assert!(scenario.syntax_errors.is_empty());
        let config = LowerConfig {
            base_dir: None,
            base_dir_label: "nowhere",
        };
        let cx = Ctxt::new();
        let lowered = lower(&cx, scenario, &config);
        assert!(cx.check().is_empty());
        let recorded: BTreeSet<String> = lowered
            .spans
            .loci()
            .map(|l| {
                let item = match &l.item {
                    Item::Scenario => "scenario".to_owned(),
                    Item::Account(_) => "account".to_owned(),
                    Item::Key(_) => "key".to_owned(),
                    Item::Bucket(_) => "bucket".to_owned(),
                    Item::Role(_) => "role".to_owned(),
                    Item::Step(_) => "step".to_owned(),
                };
                format!("{item}:{}", l.path)
            })
            .collect();
        let policy = |p: &str| {
            [
                "",
                ".statements[0]",
                ".statements[0].sid",
                ".statements[1].effect",
                ".statements[1].principals[1]",
                ".statements[1].actions[0]",
                ".statements[1].conditions[1]",
            ]
            .map(|s| format!("{p}{s}"))
        };
        let mut expected: Vec<String> = vec![];
        expected.extend(["account:", "account:id", "account:org_id"].map(String::from));
        expected.extend(
            [
                "",
                "kind",
                "account",
                "primary",
                "region",
                "initial_state",
                "key_id",
                "aliases[1]",
                "grants[0]",
                "grants[0].grantee",
            ]
            .map(|p| format!("key:{p}")),
        );
        expected.extend(policy("policy").map(|p| format!("key:{p}")));
        expected.extend(
            [
                "",
                "account",
                "region",
                "s3_name",
                "versioning",
                "default_encryption",
                "default_encryption.key",
                "bucket_key",
                "block_sse_c",
                "object_lock",
                "requester_pays",
                "policy",
                "policy.json",
                "policy.statements[0].resources[0]",
            ]
            .map(|p| format!("bucket:{p}")),
        );
        expected.extend(
            [
                "",
                "account",
                "role_name",
                "path",
                "trust",
                "trust.statements[0].principals[2]",
                "policies[0]",
                "policies[0].statements[0].resources[1]",
                "policies[2].json",
            ]
            .map(|p| format!("role:{p}")),
        );
        expected.extend(
            [
                "",
                "bucket",
                "role",
                "rules[0]",
                "rules[0].id",
                "rules[0].priority",
                "rules[0].status",
                "rules[0].filter",
                "rules[0].delete_marker_replication",
                "rules[0].destination",
                "rules[0].destination.bucket",
                "rules[0].destination.account",
                "rules[0].destination.storage_class",
                "rules[0].destination.owner_override",
                "rules[0].destination.replica_kms_key",
                "rules[0].destination.replication_time",
                "rules[0].destination.metrics",
                "rules[0].sse_kms_encrypted_objects",
                "rules[0].replica_modifications",
                "rules[1].filter",
                "key",
                "body",
                "encryption",
                "encryption.key",
                "tags",
                "storage_class",
                "owner",
                "version",
                "statuses",
                "seconds",
                "region",
                "policy",
                "statement",
                "statement.principals[0]",
                "versioning",
                "verdict",
                "code",
                "status",
                "reason",
                "rule",
                "metric",
                "event",
                "value",
                "pending_days",
            ]
            .map(|p| format!("step:{p}")),
        );
        expected.push("scenario:".into());
        expected.push("scenario:rule_set".into());
        let missing: Vec<&String> = expected.iter().filter(|e| !recorded.contains(*e)).collect();
        assert!(missing.is_empty(), "paths not recorded: {missing:?}");
    }
}
