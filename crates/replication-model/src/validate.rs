//! The one rule book: every check a scenario must pass before it runs, all problems at once.
//!
//! Both front ends call [`validate`]: the macro turns each [`Problem`] into a `compile_error!`
//! at the token its [`Locus`] names, the runner prints it as `file:line:col: message`. The checks
//! walk the steps in order with the bucket-level state S3 would have at each one (versioning,
//! replication configuration, SSE-C blocking, key states), because what AWS refuses at the API
//! depends on that state and on nothing a run computes (permissions and crypto come later).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use replication_policy::Policy;

use crate::catalog::{Catalog, KeyOrigin, NameKind};
use crate::iam::{self, PolicyOwner, PolicyUse};
use crate::ids;
use crate::problem::{Problem, ProblemKind};
use crate::rules::{RuleSet, SseCReplication, rule_set_label};
use crate::s3config::{self, ApiRejection};
use crate::spec::*;

/// A scenario that passed [`validate`]: the only thing [`crate::run`] accepts.
#[derive(Debug, Clone)]
pub struct ValidSpec {
    pub(crate) spec: ScenarioSpec,
    pub(crate) catalog: Catalog,
    pub(crate) rules: RuleSet,
    /// Every policy, compiled once: the initial version of each, and the version each
    /// policy-changing fault step installs.
    pub(crate) policies: BTreeMap<PolicyOwner, Arc<Policy>>,
    pub(crate) policy_changes: BTreeMap<usize, (PolicyOwner, Arc<Policy>)>,
    /// Steps AWS answers with an error, and the error.
    pub(crate) rejections: BTreeMap<usize, ApiRejection>,
}

impl ValidSpec {
    /// The scenario as written.
    pub fn spec(&self) -> &ScenarioSpec {
        &self.spec
    }

    /// The resolved names and ARNs.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }
}

/// Checks a scenario and returns every problem, sorted by where it lies.
pub fn validate(spec: ScenarioSpec) -> Result<ValidSpec, Vec<Problem>> {
    let catalog = Catalog::build(&spec);
    let mut v = Validator {
        spec: &spec,
        cat: &catalog,
        rules: RuleSet::of(spec.rule_set),
        problems: Vec::new(),
        policies: BTreeMap::new(),
        policy_changes: BTreeMap::new(),
        policy_sources: BTreeMap::new(),
        rejections: BTreeMap::new(),
    };
    v.names();
    v.accounts();
    v.keys();
    v.buckets();
    v.roles();
    v.steps();
    let Validator {
        mut problems,
        policies,
        policy_changes,
        rejections,
        rules,
        ..
    } = v;
    if problems.is_empty() {
        Ok(ValidSpec {
            spec,
            catalog,
            rules,
            policies,
            policy_changes,
            rejections,
        })
    } else {
        problems.sort();
        problems.dedup();
        Err(problems)
    }
}

struct Validator<'a> {
    spec: &'a ScenarioSpec,
    cat: &'a Catalog,
    rules: RuleSet,
    problems: Vec<Problem>,
    policies: BTreeMap<PolicyOwner, Arc<Policy>>,
    policy_changes: BTreeMap<usize, (PolicyOwner, Arc<Policy>)>,
    /// The statements of each policy as last written, so faults can add and revoke.
    policy_sources: BTreeMap<PolicyOwner, (PolicyUse, PolicySpec)>,
    rejections: BTreeMap<usize, ApiRejection>,
}

/// Bucket-level state as S3 holds it between steps.
#[derive(Debug, Clone)]
struct BucketState {
    versioning: Versioning,
    has_replication: bool,
    blocks_sse_c: bool,
    /// Step of the last bucket-level call and whether AWS refused it.
    last_call: Option<(usize, Option<ApiRejection>)>,
}

/// A key's state as validation tracks it between steps (aws-facts f [K-STATE]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyPhase {
    Usable,
    Disabled,
    PendingDeletion,
    Deleted,
    /// `PendingImport`, `Unavailable` or `Creating`: set at the start, never left.
    Unusable(InitialKeyState),
}

impl KeyPhase {
    fn label(self) -> &'static str {
        match self {
            KeyPhase::Usable => "enabled",
            KeyPhase::Disabled => "disabled",
            KeyPhase::PendingDeletion => "pending deletion",
            KeyPhase::Deleted => "deleted",
            KeyPhase::Unusable(InitialKeyState::PendingImport) => "pending import",
            KeyPhase::Unusable(InitialKeyState::Unavailable) => "unavailable",
            KeyPhase::Unusable(InitialKeyState::Creating) => "being created",
            KeyPhase::Unusable(_) => "unusable",
        }
    }

    /// The error S3 relays when an upload uses a key in this phase (`None`: the key works).
    fn upload_error(self) -> Option<&'static str> {
        match self {
            KeyPhase::Usable => None,
            KeyPhase::Disabled => Some("KMS.DisabledException"),
            KeyPhase::Deleted => Some("KMS.NotFoundException"),
            KeyPhase::PendingDeletion | KeyPhase::Unusable(_) => {
                Some("KMS.KMSInvalidStateException")
            }
        }
    }
}

impl Validator<'_> {
    fn push(&mut self, item: Item, path: impl Into<String>, kind: ProblemKind, message: String) {
        self.problems.push(Problem {
            locus: Locus::new(item, path),
            kind,
            message,
            json_offset: None,
        });
    }

    /// Checks that `name` is defined and is of `kind`.
    fn name_of(&mut self, item: &Item, path: &str, name: &str, kind: NameKind) -> bool {
        match self.cat.kinds.get(name) {
            Some(k) if *k == kind => true,
            Some(k) => {
                let msg = format!(
                    "`{name}` is a {}, but a {} belongs here; name a {} defined with `{}`",
                    k.label(),
                    kind.label(),
                    kind.label(),
                    kind.label()
                );
                self.push(item.clone(), path, ProblemKind::WrongKind, msg);
                false
            }
            None => {
                let msg = format!(
                    "{} `{name}` is not defined; define it with `{} {name} = ...` or fix the name",
                    kind.label(),
                    kind.label()
                );
                self.push(item.clone(), path, ProblemKind::Undefined, msg);
                false
            }
        }
    }

    fn names(&mut self) {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let defs = self
            .spec
            .accounts
            .iter()
            .map(|a| (Item::Account(a.name.clone()), a.name.as_str()))
            .chain(
                self.spec
                    .keys
                    .iter()
                    .map(|k| (Item::Key(k.name.clone()), k.name.as_str())),
            )
            .chain(
                self.spec
                    .buckets
                    .iter()
                    .map(|b| (Item::Bucket(b.name.clone()), b.name.as_str())),
            )
            .chain(
                self.spec
                    .roles
                    .iter()
                    .map(|r| (Item::Role(r.name.clone()), r.name.as_str())),
            )
            .collect::<Vec<_>>();
        let mut dups = Vec::new();
        for (item, name) in defs {
            if !seen.insert(name) {
                dups.push((item, name.to_owned()));
            }
        }
        for (item, name) in dups {
            let msg = format!(
                "`{name}` is defined more than once; give each account, key, bucket and role its own name"
            );
            self.push(item, "", ProblemKind::Duplicate, msg);
        }
        // AWS's own names and ids (bucket, role, key id, alias): one module, `names.rs`.
        self.problems
            .extend(crate::names::problems(self.spec, self.cat));
        if self.spec.name.is_empty() {
            self.push(
                Item::Scenario,
                "",
                ProblemKind::Malformed,
                "the scenario needs a name".into(),
            );
        }
    }

    fn accounts(&mut self) {
        let mut ids_seen: BTreeMap<&str, &str> = BTreeMap::new();
        for a in &self.spec.accounts {
            let item = Item::Account(a.name.clone());
            if let Err(e) = ids::check_account_id(&a.id) {
                self.push(item.clone(), "id", ProblemKind::Malformed, e);
            } else if let Some(other) = ids_seen.insert(&a.id, &a.name) {
                let msg = format!(
                    "accounts `{other}` and `{}` have the same id `{}`; use one account name for it",
                    a.name, a.id
                );
                self.push(item.clone(), "id", ProblemKind::Duplicate, msg);
            }
            if let Some(org) = &a.org_id {
                let ok = org.len() >= 12
                    && org.starts_with("o-")
                    && org[2..]
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
                if !ok {
                    let msg = format!(
                        "organization id `{org}` must look like `o-a1b2c3d4e5`: `o-` and 10 to 32 lowercase letters or digits"
                    );
                    self.push(item, "org_id", ProblemKind::Malformed, msg);
                }
            }
        }
    }

    fn region(&mut self, item: &Item, path: &str, region: &str) {
        if let Err(e) = ids::check_region(region) {
            self.push(item.clone(), path, ProblemKind::Malformed, e);
        }
    }

    fn keys(&mut self) {
        let mut mrk_regions: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut managed: BTreeMap<(&str, &str), &str> = BTreeMap::new();
        for k in &self.spec.keys {
            let item = Item::Key(k.name.clone());
            match &k.kind {
                KeyKind::SingleRegion { account, region }
                | KeyKind::MultiRegionPrimary { account, region }
                | KeyKind::AwsManagedS3 { account, region } => {
                    self.name_of(&item, "account", account, NameKind::Account);
                    self.region(&item, "region", region);
                    if matches!(k.kind, KeyKind::MultiRegionPrimary { .. }) {
                        mrk_regions
                            .entry(k.name.as_str())
                            .or_default()
                            .insert(region.as_str());
                    }
                    if matches!(k.kind, KeyKind::AwsManagedS3 { .. }) {
                        if let Some(other) =
                            managed.insert((account.as_str(), region.as_str()), k.name.as_str())
                        {
                            let msg = format!(
                                "`{other}` is already the `aws/s3` key of account `{account}` in `{region}`; an account has one per Region, use that name"
                            );
                            self.push(item.clone(), "", ProblemKind::Duplicate, msg);
                        }
                        if k.policy.is_some() {
                            self.push(item.clone(), "policy", ProblemKind::Malformed, format!("`{}` is the AWS managed key `aws/s3`, whose key policy AWS fixes; remove the policy or use a customer managed key", k.name));
                        }
                        if !k.grants.is_empty() {
                            self.push(item.clone(), "grants[0]", ProblemKind::Malformed, format!("`{}` is the AWS managed key `aws/s3`; you cannot create grants on it, use a customer managed key", k.name));
                        }
                    }
                }
                KeyKind::MultiRegionReplica { primary, region } => {
                    self.region(&item, "region", region);
                    if self.name_of(&item, "primary", primary, NameKind::Key) {
                        let primary_spec = self.spec.keys.iter().find(|p| &p.name == primary);
                        match primary_spec.map(|p| &p.kind) {
                            Some(KeyKind::MultiRegionPrimary { region: pr, .. }) => {
                                if pr == region {
                                    let msg = format!(
                                        "`ReplicateKey` cannot replicate `{primary}` into its own Region `{region}` (ValidationException); choose another Region"
                                    );
                                    self.push(
                                        item.clone(),
                                        "region",
                                        ProblemKind::Rejected {
                                            code: "ValidationException".into(),
                                        },
                                        msg,
                                    );
                                } else if !mrk_regions
                                    .entry(primary.as_str())
                                    .or_default()
                                    .insert(region.as_str())
                                {
                                    let msg = format!(
                                        "`{primary}` already has a related multi-Region key in `{region}` (AlreadyExistsException); use that key"
                                    );
                                    self.push(
                                        item.clone(),
                                        "region",
                                        ProblemKind::Rejected {
                                            code: "AlreadyExistsException".into(),
                                        },
                                        msg,
                                    );
                                }
                            }
                            Some(KeyKind::MultiRegionReplica { .. }) => {
                                let msg = format!(
                                    "`{primary}` is a multi-Region replica key; only the primary can be replicated, name the primary key"
                                );
                                self.push(
                                    item.clone(),
                                    "primary",
                                    ProblemKind::Rejected {
                                        code: "UnsupportedOperationException".into(),
                                    },
                                    msg,
                                );
                            }
                            Some(_) => {
                                let msg = format!(
                                    "`{primary}` is a single-Region key and cannot be replicated; define it with `kms_mrk(...)` to make a multi-Region primary"
                                );
                                self.push(
                                    item.clone(),
                                    "primary",
                                    ProblemKind::Rejected {
                                        code: "UnsupportedOperationException".into(),
                                    },
                                    msg,
                                );
                            }
                            None => {}
                        }
                        if let Some(replica_account) =
                            self.cat.keys.get(primary).map(|p| p.account_id.clone())
                        {
                            let _ = replica_account; // Replicas live in the primary's account (no cross-account ReplicateKey), by construction.
                        }
                    }
                }
            }
            if k.initial_state == InitialKeyState::Creating
                && !matches!(k.kind, KeyKind::MultiRegionReplica { .. })
            {
                self.push(
                    item.clone(),
                    "initial_state",
                    ProblemKind::Malformed,
                    format!(
                        "only a multi-Region replica can be `Creating`; `{}` is not one",
                        k.name
                    ),
                );
            }
            for (i, g) in k.grants.iter().enumerate() {
                self.principal(&item, &format!("grants[{i}].grantee"), &g.grantee);
                for op in &g.operations {
                    if !iam::GRANT_OPERATIONS.contains(&op.as_str()) {
                        let msg = format!(
                            "`{op}` is not a grant operation; use one of {}",
                            iam::GRANT_OPERATIONS.join(", ")
                        );
                        self.push(
                            item.clone(),
                            format!("grants[{i}]"),
                            ProblemKind::Malformed,
                            msg,
                        );
                    }
                }
            }
            let owner = PolicyOwner::Key(k.name.clone());
            let policy = k
                .policy
                .clone()
                .unwrap_or_else(|| iam::default_key_policy(k, self.cat));
            self.policy(
                &item,
                "policy",
                owner,
                PolicyUse::Key(k.name.clone()),
                &policy,
            );
        }
    }

    fn principal(&mut self, item: &Item, path: &str, p: &PrincipalRef) {
        match p {
            PrincipalRef::Role(r) => {
                self.name_of(item, path, r, NameKind::Role);
            }
            PrincipalRef::Account(a) => {
                self.name_of(item, path, a, NameKind::Account);
            }
            PrincipalRef::Service(s) => {
                if !s.ends_with(".amazonaws.com") {
                    let msg = format!(
                        "service principal `{s}` must end in `.amazonaws.com`, like `s3.amazonaws.com`"
                    );
                    self.push(item.clone(), path, ProblemKind::Malformed, msg);
                }
            }
            PrincipalRef::Anyone => {}
            PrincipalRef::Arn(arn) => {
                let ok = ids::check_account_id(arn).is_ok()
                    || arn.starts_with("arn:aws:iam::")
                    || arn.starts_with("arn:aws:sts::");
                if !ok {
                    let msg = format!(
                        "principal `{arn}` must be an account id or an IAM ARN like `arn:aws:iam::111122223333:role/name`"
                    );
                    self.push(item.clone(), path, ProblemKind::Malformed, msg);
                }
            }
        }
    }

    /// Checks the names a policy refers to, compiles it, and remembers it under `owner`.
    fn policy(
        &mut self,
        item: &Item,
        prefix: &str,
        owner: PolicyOwner,
        usage: PolicyUse,
        policy: &PolicySpec,
    ) {
        let before = self.problems.len();
        if let PolicySpec::Statements(stmts) = policy {
            for (i, s) in stmts.iter().enumerate() {
                self.statement_refs(item, &format!("{prefix}.statements[{i}]"), s);
            }
        }
        if self.problems.len() > before {
            return;
        }
        // A name that is defined but did not resolve (its definition has a problem of its own,
        // reported there) would compile to an empty ARN; skip the policy rather than report a
        // second, confusing problem.
        if let PolicySpec::Statements(stmts) = policy
            && stmts.iter().any(|s| !self.resolves(s))
        {
            return;
        }
        match iam::compile(policy, self.cat, &usage) {
            Ok(p) => {
                self.policies.insert(owner.clone(), Arc::new(p));
                self.policy_sources.insert(owner, (usage, policy.clone()));
            }
            Err(errs) => {
                for e in errs {
                    self.problems.push(Problem {
                        locus: Locus::new(item.clone(), format!("{prefix}{}", e.path)),
                        kind: ProblemKind::Malformed,
                        message: format!("in the {owner}: {}", e.message),
                        json_offset: e.json_offset,
                    });
                }
            }
        }
    }

    /// Whether every scenario name a statement uses resolved to an ARN.
    fn resolves(&self, s: &StatementSpec) -> bool {
        let principals = s.principals.iter().all(|p| match p {
            PrincipalRef::Role(r) => self.cat.roles.contains_key(r),
            PrincipalRef::Account(a) => self.cat.accounts.contains_key(a),
            PrincipalRef::Service(_) | PrincipalRef::Anyone | PrincipalRef::Arn(_) => true,
        });
        let resources = s.resources.iter().all(|r| match r {
            ResourceRef::Bucket(b) | ResourceRef::Objects { bucket: b, .. } => {
                self.cat.buckets.contains_key(b)
            }
            ResourceRef::Key(k) => self.cat.keys.contains_key(k),
            ResourceRef::Any | ResourceRef::Arn(_) => true,
        });
        principals && resources
    }

    fn statement_refs(&mut self, item: &Item, path: &str, s: &StatementSpec) {
        for (j, p) in s.principals.iter().enumerate() {
            self.principal(item, &format!("{path}.principals[{j}]"), p);
        }
        for (j, r) in s.resources.iter().enumerate() {
            let rp = format!("{path}.resources[{j}]");
            match r {
                ResourceRef::Bucket(b) | ResourceRef::Objects { bucket: b, .. } => {
                    self.name_of(item, &rp, b, NameKind::Bucket);
                }
                ResourceRef::Key(k) => {
                    self.name_of(item, &rp, k, NameKind::Key);
                }
                ResourceRef::Any | ResourceRef::Arn(_) => {}
            }
        }
    }

    fn buckets(&mut self) {
        for b in &self.spec.buckets {
            let item = Item::Bucket(b.name.clone());
            self.name_of(&item, "account", &b.account, NameKind::Account);
            self.region(&item, "region", &b.region);
            match &b.default_encryption {
                Some(DefaultEncryption::SseKms { key })
                | Some(DefaultEncryption::DsseKms { key }) => {
                    self.key_ref(&item, "default_encryption.key", key);
                }
                Some(DefaultEncryption::SseS3) | None => {}
            }
            if b.bucket_key
                && matches!(
                    b.default_encryption,
                    Some(DefaultEncryption::DsseKms { .. })
                )
            {
                let msg = format!(
                    "bucket `{}` has a DSSE-KMS default with `bucket_key`, but S3 Bucket Keys are not supported for DSSE-KMS; remove `bucket_key` or use SSE-KMS",
                    b.name
                );
                self.push(item.clone(), "bucket_key", ProblemKind::Malformed, msg);
            }
            if let Some(policy) = &b.policy {
                self.policy(
                    &item,
                    "policy",
                    PolicyOwner::Bucket(b.name.clone()),
                    PolicyUse::Bucket(b.name.clone()),
                    policy,
                );
            }
        }
    }

    fn key_ref(&mut self, item: &Item, path: &str, key: &KeyRef) {
        match key {
            KeyRef::Named(k) => {
                self.name_of(item, path, k, NameKind::Key);
            }
            KeyRef::AwsManagedS3 => {}
            KeyRef::Arn(arn) => {
                if let Err(e) = ids::parse_kms_arn(arn) {
                    self.push(item.clone(), path, ProblemKind::Malformed, e);
                }
            }
        }
    }

    fn roles(&mut self) {
        for r in &self.spec.roles {
            let item = Item::Role(r.name.clone());
            self.name_of(&item, "account", &r.account, NameKind::Account);
            self.policy(
                &item,
                "trust",
                PolicyOwner::RoleTrust(r.name.clone()),
                PolicyUse::Trust,
                &r.trust,
            );
            let mut names = BTreeSet::new();
            for (i, p) in r.policies.iter().enumerate() {
                if !names.insert(p.name.as_str()) {
                    let msg = format!(
                        "role `{}` has two policies named `{}`; name each policy once",
                        r.name, p.name
                    );
                    self.push(
                        item.clone(),
                        format!("policies[{i}]"),
                        ProblemKind::Duplicate,
                        msg,
                    );
                }
                self.policy(
                    &item,
                    &format!("policies[{i}]"),
                    PolicyOwner::Role {
                        role: r.name.clone(),
                        policy: p.name.clone(),
                    },
                    PolicyUse::Identity,
                    &p.policy,
                );
            }
        }
    }

    fn steps(&mut self) {
        let mut buckets: BTreeMap<String, BucketState> = self
            .spec
            .buckets
            .iter()
            .map(|b| {
                let blocks = b.block_sse_c.unwrap_or(self.rules.new_buckets_block_sse_c);
                (
                    b.name.clone(),
                    BucketState {
                        versioning: b.versioning,
                        has_replication: false,
                        blocks_sse_c: blocks,
                        last_call: None,
                    },
                )
            })
            .collect();
        let mut keys: BTreeMap<String, KeyPhase> = self
            .spec
            .keys
            .iter()
            .map(|k| {
                let phase = match k.initial_state {
                    InitialKeyState::Enabled => KeyPhase::Usable,
                    InitialKeyState::Disabled => KeyPhase::Disabled,
                    other => KeyPhase::Unusable(other),
                };
                (k.name.clone(), phase)
            })
            .collect();
        // The SSE-C customer key of the latest put of each (bucket, key), for expectations.
        let mut last_put: BTreeMap<(String, String), Option<UploadEncryption>> = BTreeMap::new();
        // Pending put rejections by (bucket, key): (step, code).
        let mut put_rejections: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
        let replication_targets: BTreeSet<String> = self
            .spec
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::PutBucketReplication(r) => Some(r),
                _ => None,
            })
            .flat_map(|r| {
                r.rules
                    .iter()
                    .filter_map(|rule| match &rule.destination.bucket {
                        BucketRef::Named(n) => Some(n.clone()),
                        BucketRef::Arn(_) => None,
                    })
            })
            .collect();
        let mut expected_rejections: BTreeSet<usize> = BTreeSet::new();

        for (idx, step) in self.spec.steps.iter().enumerate() {
            let item = Item::Step(idx);
            match step {
                Step::PutBucketReplication(r) => {
                    let ok_bucket = self.name_of(&item, "bucket", &r.bucket, NameKind::Bucket);
                    match &r.role {
                        RoleRef::Named(n) => {
                            self.name_of(&item, "role", n, NameKind::Role);
                        }
                        RoleRef::Arn(a) => {
                            if let Err(e) = ids::parse_role_arn(a) {
                                self.push(item.clone(), "role", ProblemKind::Malformed, e);
                            }
                        }
                    }
                    for (j, rule) in r.rules.iter().enumerate() {
                        let p = format!("rules[{j}]");
                        if let BucketRef::Named(d) = &rule.destination.bucket {
                            self.name_of(
                                &item,
                                &format!("{p}.destination.bucket"),
                                d,
                                NameKind::Bucket,
                            );
                        } else if let BucketRef::Arn(a) = &rule.destination.bucket
                            && let Err(e) = ids::parse_bucket_arn(a)
                        {
                            self.push(
                                item.clone(),
                                format!("{p}.destination.bucket"),
                                ProblemKind::Malformed,
                                e,
                            );
                        }
                        if let Some(k) = &rule.destination.replica_kms_key {
                            self.key_ref(&item, &format!("{p}.destination.replica_kms_key"), k);
                        }
                        if let Some(acct) = &rule.destination.account {
                            if self.cat.kinds.contains_key(acct) {
                                self.name_of(
                                    &item,
                                    &format!("{p}.destination.account"),
                                    acct,
                                    NameKind::Account,
                                );
                            } else if let Err(e) = ids::check_account_id(acct) {
                                let msg = format!(
                                    "destination account `{acct}` is neither an account defined in the scenario nor an account id: {e}"
                                );
                                self.push(
                                    item.clone(),
                                    format!("{p}.destination.account"),
                                    ProblemKind::Malformed,
                                    msg,
                                );
                            }
                        }
                    }
                    if !ok_bucket || self.problems.iter().any(|pr| pr.locus.item == item) {
                        continue;
                    }
                    let states: BTreeMap<String, Versioning> = buckets
                        .iter()
                        .map(|(n, s)| (n.clone(), s.versioning))
                        .collect();
                    let verdict = s3config::check_put_bucket_replication(r, self.cat, &states);
                    let st = buckets
                        .get_mut(&r.bucket)
                        .expect("checked above that the bucket is defined");
                    match verdict {
                        Ok(()) => {
                            st.has_replication = true;
                            st.last_call = Some((idx, None));
                        }
                        Err(rej) => {
                            st.last_call = Some((idx, Some(rej.clone())));
                            self.rejections.insert(idx, rej);
                        }
                    }
                }
                Step::PutObject(p) => {
                    if !self.name_of(&item, "bucket", &p.bucket, NameKind::Bucket) {
                        continue;
                    }
                    if p.key.is_empty() || p.key.len() > 1024 {
                        self.push(
                            item.clone(),
                            "key",
                            ProblemKind::Malformed,
                            format!("object key `{}` must be 1 to 1024 bytes long", p.key),
                        );
                    }
                    if let Body::Size(n) = p.body
                        && n > MAX_PUT_BYTES
                    {
                        self.push(item.clone(), "body", ProblemKind::Malformed, format!("a single PutObject holds at most 5 GiB; `{}` is {n} bytes, use a smaller size", p.key));
                    }
                    match &p.encryption {
                        Some(UploadEncryption::SseKms { key: Some(k), .. })
                        | Some(UploadEncryption::DsseKms { key: Some(k) }) => {
                            self.key_ref(&item, "encryption.key", k);
                        }
                        Some(UploadEncryption::SseC { customer_key })
                            if customer_key.is_empty() =>
                        {
                            self.push(
                                item.clone(),
                                "encryption",
                                ProblemKind::Malformed,
                                "an SSE-C upload needs a customer key name".into(),
                            );
                        }
                        _ => {}
                    }
                    if let Some(owner) = &p.owner {
                        self.name_of(&item, "owner", &owner.account, NameKind::Account);
                    }
                    if p.tags.len() > 10 {
                        self.push(
                            item.clone(),
                            "tags",
                            ProblemKind::Malformed,
                            format!(
                                "an object can have at most 10 tags and `{}` has {}; remove some",
                                p.key,
                                p.tags.len()
                            ),
                        );
                    }
                    let slot = (p.bucket.clone(), p.key.clone());
                    let st = &buckets[&p.bucket];
                    let rejection = if matches!(p.encryption, Some(UploadEncryption::SseC { .. }))
                        && st.blocks_sse_c
                    {
                        // aws-facts d.6 [U-SSEC-BLOCK]
                        Some(ApiRejection {
                            code: "AccessDenied".into(),
                            aws_message: None,
                            detail: format!(
                                "bucket `{}` blocks SSE-C (`BlockedEncryptionTypes`) and the upload of `{}` is SSE-C",
                                p.bucket, p.key
                            ),
                            fix: format!(
                                "unblock SSE-C on `{}` (`block_sse_c: false`), or upload with SSE-S3 or SSE-KMS",
                                p.bucket
                            ),
                            path: "encryption".into(),
                        })
                    } else {
                        self.upload_key_rejection(p, &keys)
                    };
                    if let Some(rej) = rejection {
                        put_rejections.insert(slot.clone(), (idx, rej.code.clone()));
                        self.rejections.insert(idx, rej);
                    } else {
                        last_put.insert(
                            slot,
                            p.encryption
                                .clone()
                                .or_else(|| default_upload(self.spec, &p.bucket)),
                        );
                    }
                }
                Step::DeleteObject { bucket, .. } | Step::PutObjectTagging { bucket, .. } => {
                    self.name_of(&item, "bucket", bucket, NameKind::Bucket);
                    if let Step::PutObjectTagging { tags, key, .. } = step
                        && tags.len() > 10
                    {
                        self.push(
                            item.clone(),
                            "tags",
                            ProblemKind::Malformed,
                            format!(
                                "an object can have at most 10 tags and `{key}` would have {}; remove some",
                                tags.len()
                            ),
                        );
                    }
                }
                Step::BatchReplicate { bucket, statuses } => {
                    if self.name_of(&item, "bucket", bucket, NameKind::Bucket)
                        && !buckets[bucket].has_replication
                    {
                        let msg = format!(
                            "`{bucket}` has no replication configuration at this step, and Batch Replication replicates with it; put a replication configuration on `{bucket}` first"
                        );
                        self.push(item.clone(), "bucket", ProblemKind::Impossible, msg);
                    }
                    if statuses.is_empty() {
                        self.push(item.clone(), "statuses", ProblemKind::Malformed, "a Batch Replication job needs at least one status to select; add one, e.g. `failed` or `none`".into());
                    }
                }
                Step::Replicate | Step::Wait { .. } => {}
                Step::Fault(f) => self.fault(idx, f, &mut buckets, &mut keys),
                Step::Expect(e) => self.expectation(
                    idx,
                    e,
                    &buckets,
                    &last_put,
                    &mut put_rejections,
                    &replication_targets,
                    &mut expected_rejections,
                ),
            }
        }
        // Rejections nobody expected are compile errors: AWS would refuse the scenario's setup.
        let unexpected: Vec<(usize, ApiRejection)> = self
            .rejections
            .iter()
            .filter(|(i, _)| !expected_rejections.contains(i))
            .map(|(i, r)| (*i, r.clone()))
            .collect();
        for (idx, rej) in unexpected {
            let (call, hint) = match &self.spec.steps[idx] {
                Step::PutBucketReplication(r) => (
                    format!("`PutBucketReplication` on `{}`", r.bucket),
                    format!("expect replication {} rejected {}", r.bucket, rej.code),
                ),
                Step::PutObject(p) => (
                    format!("the upload of `{}` into `{}`", p.key, p.bucket),
                    format!(
                        "expect put {} \"{}\" rejected {}",
                        p.bucket, p.key, rej.code
                    ),
                ),
                Step::Fault(Fault::SetBucketVersioning { bucket, .. }) => (
                    format!("the versioning change on `{bucket}`"),
                    format!("expect replication {bucket} rejected {}", rej.code),
                ),
                _ => (
                    "this step".to_owned(),
                    format!("expect ... rejected {}", rej.code),
                ),
            };
            let aws = rej
                .aws_message
                .as_ref()
                .map(|m| format!(" (\"{m}\")"))
                .unwrap_or_default();
            let msg = format!(
                "{}, so S3 rejects {call} with `{}`{aws}; {}, or, to test that rejection, add `{hint}` after this step",
                rej.detail, rej.code, rej.fix
            );
            self.push(
                Item::Step(idx),
                rej.path.clone(),
                ProblemKind::Rejected {
                    code: rej.code.clone(),
                },
                msg,
            );
        }
    }

    fn fault(
        &mut self,
        idx: usize,
        f: &Fault,
        buckets: &mut BTreeMap<String, BucketState>,
        keys: &mut BTreeMap<String, KeyPhase>,
    ) {
        let item = Item::Step(idx);
        let key_fault = |v: &mut Self, key: &str| -> Option<KeyPhase> {
            if !v.name_of(&item, "key", key, NameKind::Key) {
                return None;
            }
            if v.cat
                .keys
                .get(key)
                .is_some_and(|k| k.origin == KeyOrigin::AwsManaged)
            {
                let msg = format!(
                    "`{key}` is an AWS managed key; AWS manages its state, so you cannot disable, enable or delete it"
                );
                v.push(
                    item.clone(),
                    "key",
                    ProblemKind::Rejected {
                        code: "UnsupportedOperationException".into(),
                    },
                    msg,
                );
                return None;
            }
            keys.get(key).copied()
        };
        let invalid_state = |v: &mut Self, key: &str, what: &str, phase: KeyPhase| {
            let msg = format!(
                "{what} on `{key}` is refused while the key is {} (KMSInvalidStateException); change the order of the faults",
                phase.label()
            );
            v.push(
                item.clone(),
                "key",
                ProblemKind::Rejected {
                    code: "KMSInvalidStateException".into(),
                },
                msg,
            );
        };
        match f {
            Fault::DisableKey(k) | Fault::EnableKey(k) => {
                if let Some(phase) = key_fault(self, k) {
                    if matches!(
                        phase,
                        KeyPhase::PendingDeletion | KeyPhase::Deleted | KeyPhase::Unusable(_)
                    ) {
                        let what = if matches!(f, Fault::DisableKey(_)) {
                            "`DisableKey`"
                        } else {
                            "`EnableKey`"
                        };
                        invalid_state(self, k, what, phase);
                    } else {
                        let next = if matches!(f, Fault::DisableKey(_)) {
                            KeyPhase::Disabled
                        } else {
                            KeyPhase::Usable
                        };
                        keys.insert(k.clone(), next);
                    }
                }
            }
            Fault::ScheduleKeyDeletion { key, pending_days } => {
                if let Some(phase) = key_fault(self, key) {
                    if !(7..=30).contains(pending_days) {
                        let msg = format!(
                            "the waiting period for deleting `{key}` is {pending_days} days, and KMS takes 7 to 30; use a number in that range"
                        );
                        self.push(item.clone(), "pending_days", ProblemKind::Malformed, msg);
                    } else if matches!(phase, KeyPhase::PendingDeletion | KeyPhase::Deleted) {
                        invalid_state(self, key, "`ScheduleKeyDeletion`", phase);
                    } else {
                        keys.insert(key.clone(), KeyPhase::PendingDeletion);
                    }
                }
            }
            Fault::CancelKeyDeletion(k) | Fault::DeleteKeyMaterial(k) => {
                if let Some(phase) = key_fault(self, k) {
                    if phase != KeyPhase::PendingDeletion {
                        let what = if matches!(f, Fault::CancelKeyDeletion(_)) {
                            "`CancelKeyDeletion`"
                        } else {
                            "deleting the key material (schedule the deletion first)"
                        };
                        invalid_state(self, k, what, phase);
                    } else if let Some(replica) = matches!(f, Fault::DeleteKeyMaterial(_))
                        .then(|| self.live_replica_of(k, keys))
                        .flatten()
                    {
                        // aws-facts f and g [K-STATE] [K-MRK]: a primary waits in
                        // PendingReplicaDeletion until every replica is deleted.
                        let msg = format!(
                            "`{k}` is a multi-Region primary and its replica `{replica}` still exists, so KMS keeps `{k}` in PendingReplicaDeletion and never deletes it; schedule and complete the deletion of `{replica}` first"
                        );
                        self.push(item.clone(), "key", ProblemKind::Impossible, msg);
                    } else {
                        // aws-facts f: cancelling a scheduled deletion leaves the key Disabled.
                        let next = if matches!(f, Fault::CancelKeyDeletion(_)) {
                            KeyPhase::Disabled
                        } else {
                            KeyPhase::Deleted
                        };
                        keys.insert(k.clone(), next);
                    }
                }
            }
            Fault::RevokeStatement { policy, statement } => {
                if let Some(owner) = self.policy_target(&item, policy) {
                    self.change_policy(idx, owner, |stmts| match statement {
                        StatementSelector::Sid(sid) => {
                            let before = stmts.len();
                            stmts.retain(|s| s.get("Sid").and_then(|v| v.as_str()) != Some(sid.as_str()));
                            if stmts.len() == before {
                                Err(format!("the policy has no statement with Sid `{sid}`; name a Sid the policy has"))
                            } else {
                                Ok(())
                            }
                        }
                        StatementSelector::Index(i) if *i < stmts.len() => {
                            stmts.remove(*i);
                            Ok(())
                        }
                        StatementSelector::Index(i) => Err(format!("the policy has no statement {i}; it has {}", stmts.len())),
                    });
                }
            }
            Fault::AddStatement { policy, statement } => {
                let before = self.problems.len();
                self.statement_refs(&item, "statement", statement);
                if self.problems.len() > before || !self.resolves(statement) {
                    return;
                }
                if let Some(owner) = self.policy_target(&item, policy) {
                    let usage = self.policy_sources[&owner].0.clone();
                    let value = iam::statement(statement, self.cat, &usage);
                    self.change_policy(idx, owner, |stmts| {
                        stmts.push(value);
                        Ok(())
                    });
                }
            }
            Fault::SetBucketVersioning { bucket, versioning } => {
                if self.name_of(&item, "bucket", bucket, NameKind::Bucket) {
                    let st = buckets
                        .get_mut(bucket)
                        .expect("checked above that the bucket is defined");
                    if *versioning == Versioning::Unversioned
                        && st.versioning != Versioning::Unversioned
                    {
                        let msg = format!(
                            "a bucket that has had versioning can never be unversioned again; suspend versioning on `{bucket}` instead"
                        );
                        self.push(item.clone(), "versioning", ProblemKind::Malformed, msg);
                    } else if *versioning != Versioning::Enabled && st.has_replication {
                        // aws-facts a.4 [U-REQ] [O-VERS]
                        let rej = ApiRejection {
                            code: "InvalidBucketState".into(),
                            aws_message: Some("A replication configuration is present on this bucket, so you cannot change the versioning state. To change the versioning state, first delete the replication configuration.".into()),
                            detail: format!("`{bucket}` has a replication configuration and this step suspends its versioning"),
                            fix: format!("keep versioning enabled on `{bucket}`"),
                            path: "versioning".into(),
                        };
                        st.last_call = Some((idx, Some(rej.clone())));
                        self.rejections.insert(idx, rej);
                    } else {
                        st.versioning = *versioning;
                        st.last_call = Some((idx, None));
                    }
                }
            }
            Fault::RegionUnavailable(r)
            | Fault::RegionAvailable(r)
            | Fault::ThrottleKms { region: r, .. } => {
                self.region(&item, "region", r);
            }
            Fault::BlockSseC { bucket, blocked } => {
                if self.name_of(&item, "bucket", bucket, NameKind::Bucket) {
                    buckets
                        .get_mut(bucket)
                        .expect("checked above that the bucket is defined")
                        .blocks_sse_c = *blocked;
                }
            }
        }
    }

    /// A multi-Region replica of `primary` that is not deleted yet.
    fn live_replica_of(&self, primary: &str, keys: &BTreeMap<String, KeyPhase>) -> Option<String> {
        self.spec
            .keys
            .iter()
            .filter(|k| matches!(&k.kind, KeyKind::MultiRegionReplica { primary: p, .. } if p == primary))
            .find(|k| keys.get(&k.name) != Some(&KeyPhase::Deleted))
            .map(|k| k.name.clone())
    }

    /// The error S3 answers an SSE-KMS or DSSE-KMS upload with when its key cannot be used:
    /// missing, in another Region ([U-SSEKMS]: the key must be in the bucket's Region), or in a
    /// state where KMS refuses `GenerateDataKey` ([K-STATE]). S3 relays KMS's exception with a
    /// `KMS.` prefix (spelling inferred; aws-facts documents the KMS exceptions only).
    fn upload_key_rejection(
        &self,
        p: &PutObjectSpec,
        keys: &BTreeMap<String, KeyPhase>,
    ) -> Option<ApiRejection> {
        let b = self.spec.buckets.iter().find(|b| b.name == p.bucket)?;
        let bucket = self.cat.buckets.get(&p.bucket)?;
        let default_key = match &b.default_encryption {
            Some(DefaultEncryption::SseKms { key } | DefaultEncryption::DsseKms { key }) => {
                Some(key.clone())
            }
            Some(DefaultEncryption::SseS3) | None => None,
        };
        let (key, path) = match &p.encryption {
            Some(
                UploadEncryption::SseKms { key: Some(k), .. }
                | UploadEncryption::DsseKms { key: Some(k) },
            ) => (k.clone(), "encryption.key"),
            Some(
                UploadEncryption::SseKms { key: None, .. }
                | UploadEncryption::DsseKms { key: None },
            ) => (default_key.unwrap_or(KeyRef::AwsManagedS3), "encryption"),
            None => (default_key?, "encryption"),
            Some(UploadEncryption::SseS3 | UploadEncryption::SseC { .. }) => return None,
        };
        // (name in messages, scenario key name if any, Region of the key)
        let found: Option<(String, Option<String>, String)> = match &key {
            KeyRef::AwsManagedS3 => return None,
            KeyRef::Named(n) => {
                let info = self.cat.keys.get(n)?;
                Some((format!("`{n}`"), Some(n.clone()), info.region.clone()))
            }
            KeyRef::Arn(arn) => {
                let named = self.cat.keys.iter().find(|(name, info)| {
                    info.arn == *arn
                        || self.spec.keys.iter().any(|k| {
                            &k.name == *name
                                && k.aliases.iter().any(|a| {
                                    ids::alias_arn(&info.region, &info.account_id, a) == *arn
                                })
                        })
                });
                match named {
                    Some((name, info)) => Some((
                        format!("`{name}` ({arn})"),
                        Some(name.clone()),
                        info.region.clone(),
                    )),
                    None => ids::parse_kms_arn(arn).ok().and_then(|parsed| {
                        let managed = parsed.resource == "alias/aws/s3"
                            || parsed.resource
                                == format!(
                                    "key/{}",
                                    ids::aws_managed_key_id(&parsed.account_id, &parsed.region)
                                );
                        let place_exists = self
                            .cat
                            .accounts
                            .values()
                            .any(|a| a.id == parsed.account_id)
                            && self.cat.buckets.values().any(|b| b.region == parsed.region);
                        (managed && place_exists)
                            .then(|| (format!("`aws/s3` ({arn})"), None, parsed.region))
                    }),
                }
            }
        };
        let reject = |code: &str, detail: String, fix: String| ApiRejection {
            code: code.to_owned(),
            aws_message: None,
            detail,
            fix,
            path: path.to_owned(),
        };
        let Some((label, name, region)) = found else {
            let arn = match &key {
                KeyRef::Arn(a) => a.clone(),
                _ => String::new(),
            };
            return Some(reject(
                "KMS.NotFoundException",
                format!(
                    "the upload of `{}` into `{}` names KMS key `{arn}`, which does not exist",
                    p.key, p.bucket
                ),
                format!(
                    "define the key in {} or name one that exists",
                    bucket.region
                ),
            ));
        };
        if region != bucket.region {
            return Some(reject(
                "KMS.NotFoundException",
                format!(
                    "the upload of `{}` into `{}` ({}) uses key {label} of {region}, and an SSE-KMS key must be in the bucket's Region",
                    p.key, p.bucket, bucket.region
                ),
                format!("use a key in {}", bucket.region),
            ));
        }
        let phase = name
            .and_then(|n| keys.get(&n).copied())
            .unwrap_or(KeyPhase::Usable);
        let code = phase.upload_error()?;
        let fix = match phase {
            KeyPhase::Disabled => format!("enable key {label} (`EnableKey`) before the upload"),
            KeyPhase::PendingDeletion => {
                format!("cancel the deletion of key {label} and enable it before the upload")
            }
            KeyPhase::Deleted => "use another key: a deleted key never comes back".to_owned(),
            _ => format!("use a key that is Enabled; {label} is {}", phase.label()),
        };
        Some(reject(
            code,
            format!(
                "the upload of `{}` into `{}` uses key {label}, which is {}",
                p.key,
                p.bucket,
                phase.label()
            ),
            fix,
        ))
    }

    fn policy_target(&mut self, item: &Item, target: &PolicyTarget) -> Option<PolicyOwner> {
        let (ok, owner) = match target {
            PolicyTarget::Key(k) => (
                self.name_of(item, "policy", k, NameKind::Key),
                PolicyOwner::Key(k.clone()),
            ),
            PolicyTarget::Bucket(b) => (
                self.name_of(item, "policy", b, NameKind::Bucket),
                PolicyOwner::Bucket(b.clone()),
            ),
            PolicyTarget::RoleTrust(r) => (
                self.name_of(item, "policy", r, NameKind::Role),
                PolicyOwner::RoleTrust(r.clone()),
            ),
            PolicyTarget::Role { role, policy } => (
                self.name_of(item, "policy", role, NameKind::Role),
                PolicyOwner::Role {
                    role: role.clone(),
                    policy: policy.clone(),
                },
            ),
        };
        if !ok {
            return None;
        }
        if !self.policy_sources.contains_key(&owner) {
            let msg = match &owner {
                PolicyOwner::Bucket(b)
                    if self
                        .spec
                        .buckets
                        .iter()
                        .any(|x| &x.name == b && x.policy.is_none()) =>
                {
                    format!(
                        "bucket `{b}` has no bucket policy to change; give it one with `policy ...`"
                    )
                }
                PolicyOwner::Role { role, policy }
                    if self.spec.roles.iter().any(|r| {
                        &r.name == role && !r.policies.iter().any(|p| &p.name == policy)
                    }) =>
                {
                    format!(
                        "role `{role}` has no policy named `{policy}`; name one of its policies"
                    )
                }
                // The policy exists but did not compile: its own problem is reported already.
                _ => return None,
            };
            self.push(item.clone(), "policy", ProblemKind::Undefined, msg);
            return None;
        }
        Some(owner)
    }

    fn change_policy(
        &mut self,
        idx: usize,
        owner: PolicyOwner,
        edit: impl FnOnce(&mut Vec<serde_json::Value>) -> Result<(), String>,
    ) {
        let item = Item::Step(idx);
        let (usage, source) = self.policy_sources[&owner].clone();
        let mut stmts = match iam::statements_of(&source, self.cat, &usage) {
            Ok(s) => s,
            Err(msg) => {
                self.push(item, "policy", ProblemKind::Malformed, msg);
                return;
            }
        };
        if let Err(msg) = edit(&mut stmts) {
            self.push(item, "statement", ProblemKind::Undefined, msg);
            return;
        }
        let new_source = PolicySpec::Json(iam::document_of(stmts));
        match iam::compile(&new_source, self.cat, &usage) {
            Ok(p) => {
                self.policy_changes
                    .insert(idx, (owner.clone(), Arc::new(p)));
                self.policy_sources.insert(owner, (usage, new_source));
            }
            Err(errs) => {
                for e in errs {
                    self.push(item.clone(), "statement", ProblemKind::Malformed, e.message);
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn expectation(
        &mut self,
        idx: usize,
        e: &Expectation,
        buckets: &BTreeMap<String, BucketState>,
        last_put: &BTreeMap<(String, String), Option<UploadEncryption>>,
        put_rejections: &mut BTreeMap<(String, String), (usize, String)>,
        replication_targets: &BTreeSet<String>,
        expected_rejections: &mut BTreeSet<usize>,
    ) {
        let item = Item::Step(idx);
        match e {
            Expectation::Config { bucket, verdict } => {
                if !self.name_of(&item, "bucket", bucket, NameKind::Bucket) {
                    return;
                }
                let last = buckets[bucket].last_call.clone();
                match (last, verdict) {
                    (None, _) => {
                        let msg = format!(
                            "no replication configuration or versioning change was made on `{bucket}` before this expectation; move it after that step"
                        );
                        self.push(item, "bucket", ProblemKind::Impossible, msg);
                    }
                    (Some((_, None)), ExpectedVerdict::Accepted) => {}
                    (Some((_, None)), ExpectedVerdict::Rejected { code }) => {
                        let msg = format!(
                            "the last call on `{bucket}` is accepted, so it is never rejected with `{code}`; expect `accepted`, or change the call so AWS refuses it"
                        );
                        self.push(item, "verdict", ProblemKind::Impossible, msg);
                    }
                    (Some((step, Some(rej))), ExpectedVerdict::Rejected { code }) => {
                        if *code == rej.code {
                            expected_rejections.insert(step);
                        } else {
                            let msg = format!(
                                "the last call on `{bucket}` is rejected with `{}`, not `{code}` ({}); expect `rejected {}`",
                                rej.code, rej.detail, rej.code
                            );
                            self.push(item, "code", ProblemKind::Impossible, msg);
                            expected_rejections.insert(step);
                        }
                    }
                    (Some((step, Some(rej))), ExpectedVerdict::Accepted) => {
                        let msg = format!(
                            "the last call on `{bucket}` is rejected with `{}` ({}), so it is never accepted; {}, or expect `rejected {}`",
                            rej.code, rej.detail, rej.fix, rej.code
                        );
                        self.push(item, "verdict", ProblemKind::Impossible, msg);
                        expected_rejections.insert(step);
                    }
                }
            }
            Expectation::PutRejected { bucket, key, code } => {
                if !self.name_of(&item, "bucket", bucket, NameKind::Bucket) {
                    return;
                }
                match put_rejections.remove(&(bucket.clone(), key.clone())) {
                    Some((step, actual)) if actual == *code => {
                        expected_rejections.insert(step);
                    }
                    Some((step, actual)) => {
                        let msg = format!(
                            "the upload of `{key}` into `{bucket}` is rejected with `{actual}`, not `{code}`; expect `rejected {actual}`"
                        );
                        self.push(item, "code", ProblemKind::Impossible, msg);
                        expected_rejections.insert(step);
                    }
                    None => {
                        let msg = format!(
                            "no upload of `{key}` into `{bucket}` before this step is refused at the API; remove this expectation or expect the object's status instead"
                        );
                        self.push(item, "code", ProblemKind::Impossible, msg);
                    }
                }
            }
            Expectation::Object(o) => {
                if !self.name_of(&item, "bucket", &o.bucket, NameKind::Bucket) {
                    return;
                }
                if let Some(
                    ExpectedEncryption::SseKms { key: Some(k), .. }
                    | ExpectedEncryption::DsseKms { key: Some(k) },
                ) = &o.encryption
                {
                    self.key_ref(&item, "encryption.key", k);
                }
                if let Some(reason) = &o.reason {
                    if !crate::report::FAILURE_REASONS.contains(&reason.as_str()) {
                        let msg = format!(
                            "`{reason}` is not an S3 replication failure reason; use one of S3's codes such as `DstKmsKeyInvalidState` or `SrcGetObjectNotPermitted`"
                        );
                        self.push(item.clone(), "reason", ProblemKind::Malformed, msg);
                    }
                    if !matches!(o.status, None | Some(ExpectedStatus::Failed)) {
                        let msg =
                            "only a FAILED object has a failure reason; expect `FAILED` with it"
                                .to_owned();
                        self.push(item.clone(), "reason", ProblemKind::Impossible, msg);
                    }
                }
                let slot = (o.bucket.clone(), o.key.clone());
                let put_here = last_put.get(&slot);
                let is_target = replication_targets.contains(&o.bucket);
                if let (Some(ExpectedStatus::Replica), Some(_), false) =
                    (&o.status, put_here, is_target)
                {
                    let msg = format!(
                        "`{}` in `{}` was uploaded there directly and no replication rule writes into `{}`, so it is never a REPLICA; expect `PENDING`, `COMPLETED` or `FAILED` on a source object, and `REPLICA` on the destination",
                        o.key, o.bucket, o.bucket
                    );
                    self.push(item.clone(), "status", ProblemKind::Impossible, msg);
                }
                if self.rules.sse_c_replication == SseCReplication::NotReplicated {
                    let sse_c_source =
                        matches!(put_here, Some(Some(UploadEncryption::SseC { .. })));
                    let replicates = matches!(
                        o.status,
                        Some(
                            ExpectedStatus::Pending
                                | ExpectedStatus::Completed
                                | ExpectedStatus::Failed
                        )
                    );
                    let replica_sse_c = put_here.is_none()
                        && (matches!(o.encryption, Some(ExpectedEncryption::SseC { .. }))
                            || (matches!(o.status, Some(ExpectedStatus::Replica))
                                && last_put.iter().any(|((_, k), _)| k == &o.key)
                                && last_put.iter().filter(|((_, k), _)| k == &o.key).all(
                                    |(_, enc)| matches!(enc, Some(UploadEncryption::SseC { .. })),
                                )));
                    if (sse_c_source && replicates) || replica_sse_c {
                        let msg = format!(
                            "`{}` is an SSE-C object, and under rule set `{}` SSE-C objects are never replicated: S3 never holds the customer key, so it cannot decrypt and re-encrypt; expect `not_replicated`, or run the scenario under `rules aws_2026;` where S3 replicates SSE-C objects as ciphertext (since 2022-10)",
                            o.key,
                            rule_set_label(self.rules.name)
                        );
                        self.push(item.clone(), "status", ProblemKind::Impossible, msg);
                    }
                }
            }
            Expectation::Metric { bucket, rule, .. } | Expectation::Event { bucket, rule, .. } => {
                if !self.name_of(&item, "bucket", bucket, NameKind::Bucket) {
                    return;
                }
                // The configuration installed at this step: the latest one AWS accepted.
                let installed =
                    self.spec.steps[..idx]
                        .iter()
                        .enumerate()
                        .rev()
                        .find_map(|(i, s)| match s {
                            Step::PutBucketReplication(r)
                                if &r.bucket == bucket && !self.rejections.contains_key(&i) =>
                            {
                                Some(r)
                            }
                            _ => None,
                        });
                let Some(found) = installed.and_then(|r| {
                    r.rules
                        .iter()
                        .enumerate()
                        .find(|(i, ru)| rule_label(ru, *i) == *rule)
                        .map(|(_, ru)| ru)
                }) else {
                    let msg = format!(
                        "no replication rule `{rule}` is configured on `{bucket}` at this step; name a rule of its configuration by its ID"
                    );
                    self.push(item, "rule", ProblemKind::Undefined, msg);
                    return;
                };
                // [U-METRICS] [U-RTC]: S3 RTC turns metrics on too.
                let rtc = found.destination.replication_time.is_some_and(|t| t.0);
                let metrics = rtc || found.destination.metrics.is_some_and(|m| m.0);
                match e {
                    Expectation::Metric { metric, .. } if !metrics => {
                        let msg = format!(
                            "rule `{rule}` has no replication metrics, so S3 publishes no `{metric:?}` for it; add `metrics: enabled` to its destination, or drop this expectation"
                        );
                        self.push(item, "metric", ProblemKind::Impossible, msg);
                    }
                    Expectation::Event { event, count, .. } if *count > 0 => {
                        // [U-EVENTS]: failure events need metrics; threshold events need RTC.
                        let why = match event {
                            EventName::OperationFailedReplication if !metrics => Some(
                                "failure events need replication metrics on the rule; add `metrics: enabled` to its destination",
                            ),
                            EventName::OperationMissedThreshold
                            | EventName::OperationReplicatedAfterThreshold
                                if !rtc =>
                            {
                                Some(
                                    "threshold events need S3 RTC on the rule; add `replication_time: enabled` (with metrics) to its destination",
                                )
                            }
                            EventName::OperationNotTracked => Some(
                                "the model never stops tracking an operation; expect 0 of them",
                            ),
                            _ => None,
                        };
                        if let Some(why) = why {
                            let msg = format!("rule `{rule}` never raises `{event:?}`: {why}");
                            self.push(item, "event", ProblemKind::Impossible, msg);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// S3's limit for a single PutObject.
const MAX_PUT_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// The label of a rule in reports and expectations: its ID, or `rule-<n>` (1-based) without one.
pub fn rule_label(rule: &RuleSpec, index: usize) -> String {
    rule.id
        .clone()
        .unwrap_or_else(|| format!("rule-{}", index + 1))
}

/// What an upload without encryption headers gets: the bucket's default encryption.
fn default_upload(spec: &ScenarioSpec, bucket: &str) -> Option<UploadEncryption> {
    let b = spec.buckets.iter().find(|b| b.name == bucket)?;
    Some(match &b.default_encryption {
        None | Some(DefaultEncryption::SseS3) => UploadEncryption::SseS3,
        Some(DefaultEncryption::SseKms { key }) => UploadEncryption::SseKms {
            key: Some(key.clone()),
            bucket_key: Some(b.bucket_key),
        },
        Some(DefaultEncryption::DsseKms { key }) => UploadEncryption::DsseKms {
            key: Some(key.clone()),
        },
    })
}
