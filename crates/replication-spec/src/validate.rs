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

use crate::catalog::{Catalog, NameKind};
use crate::control::ControlPlane;
use crate::echo::shorten;
use crate::iam::{self, PolicyOwner, PolicyUse};
use crate::ids;
use crate::kms::lifecycle::{KeyOp, LifecycleError};
use crate::kms::replicate_key::{self, ReplicateKeyError};
use crate::problem::{Problem, ProblemKind};
use crate::rules::RuleSet;
use crate::s3::{ApiRejection, put_object};
use crate::spec::*;

/// A scenario that passed [`validate`]: the only thing the simulator runs. Its fields are
/// private, so nothing but [`validate`] makes one.
#[derive(Debug, Clone)]
pub struct ValidSpec {
    spec: ScenarioSpec,
    catalog: Catalog,
    rules: RuleSet,
    /// Every policy, compiled once: the initial version of each, and the version each
    /// policy-changing fault step installs.
    policies: BTreeMap<PolicyOwner, Arc<Policy>>,
    policy_changes: BTreeMap<usize, (PolicyOwner, Arc<Policy>)>,
    /// Steps AWS answers with an error, and the error.
    rejections: BTreeMap<usize, ApiRejection>,
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

    /// The rule set the scenario runs under.
    pub fn rules(&self) -> RuleSet {
        self.rules
    }

    /// Every policy before the first step, compiled once, by owner.
    #[doc(hidden)]
    pub fn policies(&self) -> &BTreeMap<PolicyOwner, Arc<Policy>> {
        &self.policies
    }

    /// The policy each policy-changing fault step installs, by step index.
    #[doc(hidden)]
    pub fn policy_changes(&self) -> &BTreeMap<usize, (PolicyOwner, Arc<Policy>)> {
        &self.policy_changes
    }

    /// The steps AWS answers with an error, by step index, and the error: the run records
    /// these instead of applying the step.
    #[doc(hidden)]
    pub fn rejections(&self) -> &BTreeMap<usize, ApiRejection> {
        &self.rejections
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
        // Per multi-Region primary: the Regions that hold a key of its set.
        let mut mrk_regions: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
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
                            .insert(region.clone());
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
                        self.aws_managed_key(&item, k);
                    }
                }
                KeyKind::MultiRegionReplica { primary, region } => {
                    self.region(&item, "region", region);
                    if self.name_of(&item, "primary", primary, NameKind::Key) {
                        let related = mrk_regions.entry(primary.as_str()).or_default();
                        self.replicate_key(&item, primary, region, related);
                    }
                }
            }
            self.key_fields(&item, k);
        }
    }

    /// What the AWS managed key `aws/s3` cannot have: a key policy or grants of the scenario.
    fn aws_managed_key(&mut self, item: &Item, k: &KeySpec) {
        if k.policy.is_some() {
            self.push(item.clone(), "policy", ProblemKind::Malformed, format!("`{}` is the AWS managed key `aws/s3`, whose key policy AWS fixes; remove the policy or use a customer managed key", k.name));
        }
        if !k.grants.is_empty() {
            self.push(item.clone(), "grants[0]", ProblemKind::Malformed, format!("`{}` is the AWS managed key `aws/s3`; you cannot create grants on it, use a customer managed key", k.name));
        }
    }

    /// A multi-Region replica key: `ReplicateKey` of `primary` into `region`
    /// ([`crate::kms::replicate_key`]).
    fn replicate_key(
        &mut self,
        item: &Item,
        primary: &str,
        region: &str,
        related: &mut BTreeSet<String>,
    ) {
        let Some(primary_spec) = self.spec.keys.iter().find(|p| p.name == primary) else {
            return;
        };
        let Err(e) = replicate_key::replicate_key(&primary_spec.kind, region, related) else {
            return;
        };
        let (path, msg) = match e {
            ReplicateKeyError::PrimaryRegion => (
                "region",
                format!(
                    "`ReplicateKey` cannot replicate `{primary}` into its own Region `{region}` (ValidationException); choose another Region"
                ),
            ),
            ReplicateKeyError::AlreadyExists => (
                "region",
                format!(
                    "`{primary}` already has a related multi-Region key in `{region}` (AlreadyExistsException); use that key"
                ),
            ),
            ReplicateKeyError::NotPrimary => (
                "primary",
                format!(
                    "`{primary}` is a multi-Region replica key; only the primary can be replicated, name the primary key"
                ),
            ),
            ReplicateKeyError::SingleRegion => (
                "primary",
                format!(
                    "`{primary}` is a single-Region key and cannot be replicated; define it with `kms_mrk(...)` to make a multi-Region primary"
                ),
            ),
        };
        let code = e.code().to_owned();
        self.push(item.clone(), path, ProblemKind::Rejected { code }, msg);
    }

    /// A key's state, aliases, grants and key policy.
    fn key_fields(&mut self, item: &Item, k: &KeySpec) {
        let item = item.clone();
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

    /// Dry-runs the steps in order on the control plane: what AWS refuses at each one, and
    /// whether each expectation can hold.
    fn steps(&mut self) {
        let mut dry = DryRun::new(self.spec, &self.rules, self.cat);
        // The run's logical clock: a second per step plus every wait. `None` once it overflowed
        // (reported once, at the step that did it), so the run never wraps time backwards.
        let mut clock = Some(0u64);
        for (idx, step) in self.spec.steps.iter().enumerate() {
            let item = Item::Step(idx);
            if let Some(now) = clock {
                let waited = match step {
                    Step::Wait { seconds } => seconds.saturating_sub(1),
                    _ => 0,
                };
                clock = now.checked_add(1).and_then(|c| c.checked_add(waited));
                if clock.is_none() {
                    let path = if waited > 0 { "seconds" } else { "" };
                    self.push(item.clone(), path, ProblemKind::Malformed, "the waits up to here add up to more seconds than the simulation's clock holds (2^64); shorten this `wait`".into());
                }
            }
            match step {
                Step::PutBucketReplication(r) => self.put_bucket_replication(idx, r, &mut dry),
                Step::PutObject(p) => self.put_object(idx, p, &mut dry),
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
                                "an object can have at most 10 tags and `{}` would have {}; remove some",
                                shorten(key),
                                tags.len()
                            ),
                        );
                    }
                }
                Step::BatchReplicate { bucket, statuses } => {
                    if self.name_of(&item, "bucket", bucket, NameKind::Bucket)
                        && !dry
                            .plane
                            .bucket(bucket)
                            .is_some_and(|b| b.replication_configured)
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
                Step::Fault(f) => self.fault(idx, f, &mut dry),
                Step::Expect { expectation, .. } => self.expectation(idx, expectation, &mut dry),
            }
        }
        self.unexpected_rejections(&dry.expected_rejections);
    }

    /// The names a `PutBucketReplication` step uses, then S3's verdict on it.
    fn put_bucket_replication(&mut self, idx: usize, r: &ReplicationSpec, dry: &mut DryRun) {
        let item = Item::Step(idx);
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
            self.rule_refs(&item, &format!("rules[{j}]"), rule);
        }
        if !ok_bucket || self.problems.iter().any(|pr| pr.locus.item == item) {
            return;
        }
        match dry.plane.put_bucket_replication(r, self.cat) {
            Ok(()) => {
                dry.last_call.insert(r.bucket.clone(), (idx, None));
            }
            Err(rej) => {
                dry.last_call
                    .insert(r.bucket.clone(), (idx, Some(rej.clone())));
                self.rejections.insert(idx, rej);
            }
        }
    }

    /// The names a replication rule's destination uses.
    fn rule_refs(&mut self, item: &Item, p: &str, rule: &RuleSpec) {
        match &rule.destination.bucket {
            BucketRef::Named(d) => {
                self.name_of(
                    item,
                    &format!("{p}.destination.bucket"),
                    d,
                    NameKind::Bucket,
                );
            }
            BucketRef::Arn(a) => {
                if let Err(e) = ids::parse_bucket_arn(a) {
                    let path = format!("{p}.destination.bucket");
                    self.push(item.clone(), path, ProblemKind::Malformed, e);
                }
            }
        }
        if let Some(k) = &rule.destination.replica_kms_key {
            self.key_ref(item, &format!("{p}.destination.replica_kms_key"), k);
        }
        if let Some(acct) = &rule.destination.account {
            let path = format!("{p}.destination.account");
            if self.cat.kinds.contains_key(acct) {
                self.name_of(item, &path, acct, NameKind::Account);
            } else if let Err(e) = ids::check_account_id(acct) {
                let msg = format!(
                    "destination account `{acct}` is neither an account defined in the scenario nor an account id: {e}"
                );
                self.push(item.clone(), path, ProblemKind::Malformed, msg);
            }
        }
    }

    /// A `PutObject` step: its fields, then S3's verdict on the upload.
    fn put_object(&mut self, idx: usize, p: &PutObjectSpec, dry: &mut DryRun) {
        let item = Item::Step(idx);
        if !self.name_of(&item, "bucket", &p.bucket, NameKind::Bucket) {
            return;
        }
        self.put_object_fields(&item, p);
        let slot = (p.bucket.clone(), p.key.clone());
        match dry.plane.put_object(self.cat, p) {
            Err(e) => {
                let rej = e.rejection(p);
                dry.put_rejections.insert(slot, (idx, rej.code.clone()));
                self.rejections.insert(idx, rej);
            }
            Ok(_) => {
                if let Some(b) = dry.plane.bucket(&p.bucket) {
                    let enc = put_object::upload_encryption(b, p.encryption.as_ref());
                    dry.last_put.insert(slot, enc);
                }
            }
        }
    }

    /// What S3 checks of an upload's own fields: key length, size, encryption, owner and tags.
    fn put_object_fields(&mut self, item: &Item, p: &PutObjectSpec) {
        if p.key.is_empty() || p.key.len() > 1024 {
            self.push(
                item.clone(),
                "key",
                ProblemKind::Malformed,
                if p.key.is_empty() {
                    format!(
                        "the object key of the upload into `{}` is empty; S3 keys are 1 to 1024 \
                         bytes, name the object",
                        p.bucket
                    )
                } else {
                    format!(
                        "object key `{}` is {} bytes long; S3 keys are 1 to 1024 bytes, shorten it",
                        shorten(&p.key),
                        p.key.len()
                    )
                },
            );
        }
        if let Body::Size(n) = p.body
            && n > MAX_PUT_BYTES
        {
            self.push(
                item.clone(),
                "body",
                ProblemKind::Malformed,
                format!(
                    "a single PutObject holds at most 5 GiB; `{}` is {n} bytes, use a smaller size",
                    shorten(&p.key)
                ),
            );
        }
        match &p.encryption {
            Some(UploadEncryption::SseKms { key: Some(k), .. })
            | Some(UploadEncryption::DsseKms { key: Some(k) }) => {
                self.key_ref(item, "encryption.key", k);
            }
            Some(UploadEncryption::SseC { customer_key }) if customer_key.is_empty() => {
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
            self.name_of(item, "owner", &owner.account, NameKind::Account);
        }
        if p.tags.len() > 10 {
            self.push(
                item.clone(),
                "tags",
                ProblemKind::Malformed,
                format!(
                    "an object can have at most 10 tags and `{}` has {}; remove some",
                    shorten(&p.key),
                    p.tags.len()
                ),
            );
        }
    }

    /// Rejections nobody expected are compile errors: AWS would refuse the scenario's setup.
    fn unexpected_rejections(&mut self, expected: &BTreeSet<usize>) {
        let unexpected: Vec<(usize, ApiRejection)> = self
            .rejections
            .iter()
            .filter(|(i, _)| !expected.contains(i))
            .map(|(i, r)| (*i, r.clone()))
            .collect();
        for (idx, rej) in unexpected {
            let (call, hint) = match &self.spec.steps[idx] {
                Step::PutBucketReplication(r) => (
                    format!("`PutBucketReplication` on `{}`", r.bucket),
                    format!("expect replication {} rejected {}", r.bucket, rej.code),
                ),
                Step::PutObject(p) => (
                    format!("the upload of `{}` into `{}`", shorten(&p.key), p.bucket),
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

    fn fault(&mut self, idx: usize, f: &Fault, dry: &mut DryRun) {
        let item = Item::Step(idx);
        if let Some((key, op)) = KeyOp::of_fault(f) {
            if self.name_of(&item, "key", key, NameKind::Key)
                && let Err(e) = dry.plane.keys.apply(key, op)
            {
                self.key_refused(idx, key, op, e);
            }
            return;
        }
        match f {
            Fault::RevokeStatement { policy, statement } => {
                if let Some(owner) = self.policy_target(&item, policy) {
                    self.change_policy(idx, owner, |stmts| revoke(stmts, statement));
                }
            }
            Fault::AddStatement { policy, statement } => {
                let before = self.problems.len();
                self.statement_refs(&item, "statement", statement);
                if self.problems.len() > before || !self.resolves(statement) {
                    return;
                }
                if let Some(owner) = self.policy_target(&item, policy) {
                    let usage = match self.policy_sources.get(&owner) {
                        Some((usage, _)) => usage.clone(),
                        None => return,
                    };
                    let value = iam::statement(statement, self.cat, &usage);
                    self.change_policy(idx, owner, |stmts| {
                        stmts.push(value);
                        Ok(())
                    });
                }
            }
            Fault::SetBucketVersioning { bucket, versioning } => {
                if self.name_of(&item, "bucket", bucket, NameKind::Bucket) {
                    self.put_bucket_versioning(idx, bucket, *versioning, dry);
                }
            }
            Fault::RegionUnavailable(r)
            | Fault::RegionAvailable(r)
            | Fault::ThrottleKms { region: r, .. } => {
                self.region(&item, "region", r);
            }
            Fault::BlockSseC { bucket, blocked } => {
                if self.name_of(&item, "bucket", bucket, NameKind::Bucket)
                    && let Some(b) = dry.plane.buckets.get_mut(bucket)
                {
                    b.put_blocked_encryption_types(*blocked);
                }
            }
            Fault::DisableKey(_)
            | Fault::EnableKey(_)
            | Fault::ScheduleKeyDeletion { .. }
            | Fault::CancelKeyDeletion(_)
            | Fault::DeleteKeyMaterial(_) => {}
        }
    }

    /// KMS's refusal of a key fault, as a problem at the step ([`crate::kms::lifecycle`]).
    fn key_refused(&mut self, idx: usize, key: &str, op: KeyOp, e: LifecycleError) {
        let item = Item::Step(idx);
        match e {
            // The undefined name is reported by `name_of`.
            LifecycleError::NotFound => {}
            LifecycleError::AwsManaged => {
                let msg = format!(
                    "`{key}` is an AWS managed key; AWS manages its state, so you cannot disable, enable or delete it"
                );
                let code = "UnsupportedOperationException".into();
                self.push(item, "key", ProblemKind::Rejected { code }, msg);
            }
            LifecycleError::WaitingPeriod { pending_days } => {
                let msg = format!(
                    "the waiting period for deleting `{key}` is {pending_days} days, and KMS takes 7 to 30; use a number in that range"
                );
                self.push(item, "pending_days", ProblemKind::Malformed, msg);
            }
            LifecycleError::InvalidState { op, life } => {
                let what = match op {
                    KeyOp::DisableKey => "`DisableKey`",
                    KeyOp::EnableKey => "`EnableKey`",
                    KeyOp::ScheduleKeyDeletion { .. } => "`ScheduleKeyDeletion`",
                    KeyOp::CancelKeyDeletion => "`CancelKeyDeletion`",
                    KeyOp::DeleteKeyMaterial => {
                        "deleting the key material (schedule the deletion first)"
                    }
                };
                let msg = format!(
                    "{what} on `{key}` is refused while the key is {} (KMSInvalidStateException); change the order of the faults",
                    life.describe()
                );
                let code = "KMSInvalidStateException".into();
                self.push(item, "key", ProblemKind::Rejected { code }, msg);
            }
            // aws-facts f and g [K-STATE] [K-MRK]: a primary waits in PendingReplicaDeletion
            // until every replica is deleted.
            LifecycleError::ReplicaRemains { replica } => {
                debug_assert_eq!(op, KeyOp::DeleteKeyMaterial);
                let msg = format!(
                    "`{key}` is a multi-Region primary and its replica `{replica}` still exists, so KMS keeps `{key}` in PendingReplicaDeletion and never deletes it; schedule and complete the deletion of `{replica}` first"
                );
                self.push(item, "key", ProblemKind::Impossible, msg);
            }
        }
    }

    /// `PutBucketVersioning` on the dry-run bucket ([`crate::s3::bucket`]).
    fn put_bucket_versioning(
        &mut self,
        idx: usize,
        bucket: &str,
        versioning: Versioning,
        dry: &mut DryRun,
    ) {
        let Some(b) = dry.plane.buckets.get_mut(bucket) else {
            return;
        };
        let Err(e) = b.put_bucket_versioning(versioning) else {
            dry.last_call.insert(bucket.to_owned(), (idx, None));
            return;
        };
        match e.rejection(bucket) {
            Some(rej) => {
                dry.last_call
                    .insert(bucket.to_owned(), (idx, Some(rej.clone())));
                self.rejections.insert(idx, rej);
            }
            None => {
                let msg = format!(
                    "a bucket that has had versioning can never be unversioned again; suspend versioning on `{bucket}` instead"
                );
                self.push(Item::Step(idx), "versioning", ProblemKind::Malformed, msg);
            }
        }
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
        let Some((usage, source)) = self.policy_sources.get(&owner).cloned() else {
            return;
        };
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
    fn expectation(&mut self, idx: usize, e: &Expectation, dry: &mut DryRun) {
        let item = Item::Step(idx);
        match e {
            Expectation::Config { bucket, verdict } => {
                if self.name_of(&item, "bucket", bucket, NameKind::Bucket) {
                    self.expect_config(idx, bucket, verdict, dry);
                }
            }
            Expectation::PutRejected { bucket, key, code } => {
                if self.name_of(&item, "bucket", bucket, NameKind::Bucket) {
                    self.expect_put_rejected(idx, bucket, key, code, dry);
                }
            }
            Expectation::Object(o) => {
                if self.name_of(&item, "bucket", &o.bucket, NameKind::Bucket) {
                    self.expect_object(idx, o, dry);
                }
            }
            Expectation::Metric { bucket, rule, .. } | Expectation::Event { bucket, rule, .. } => {
                if self.name_of(&item, "bucket", bucket, NameKind::Bucket) {
                    self.expect_monitoring(idx, e, bucket, rule);
                }
            }
        }
    }

    /// `expect replication <bucket> accepted|rejected <code>`: the verdict on the bucket's last
    /// bucket-level call.
    fn expect_config(
        &mut self,
        idx: usize,
        bucket: &str,
        verdict: &ExpectedVerdict,
        dry: &mut DryRun,
    ) {
        let item = Item::Step(idx);
        match (dry.last_call.get(bucket).cloned(), verdict) {
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
                dry.expected_rejections.insert(step);
                if *code != rej.code {
                    let msg = format!(
                        "the last call on `{bucket}` is rejected with `{}`, not `{code}` ({}); expect `rejected {}`",
                        rej.code, rej.detail, rej.code
                    );
                    self.push(item, "code", ProblemKind::Impossible, msg);
                }
            }
            (Some((step, Some(rej))), ExpectedVerdict::Accepted) => {
                let msg = format!(
                    "the last call on `{bucket}` is rejected with `{}` ({}), so it is never accepted; {}, or expect `rejected {}`",
                    rej.code, rej.detail, rej.fix, rej.code
                );
                self.push(item, "verdict", ProblemKind::Impossible, msg);
                dry.expected_rejections.insert(step);
            }
        }
    }

    /// `expect put <bucket> "<key>" rejected <code>`: the upload before it is refused so.
    fn expect_put_rejected(
        &mut self,
        idx: usize,
        bucket: &str,
        key: &str,
        code: &str,
        dry: &mut DryRun,
    ) {
        let item = Item::Step(idx);
        match dry
            .put_rejections
            .remove(&(bucket.to_owned(), key.to_owned()))
        {
            Some((step, actual)) => {
                dry.expected_rejections.insert(step);
                if actual != code {
                    let msg = format!(
                        "the upload of `{}` into `{bucket}` is rejected with `{actual}`, not `{code}`; expect `rejected {actual}`",
                        shorten(key)
                    );
                    self.push(item, "code", ProblemKind::Impossible, msg);
                }
            }
            None => {
                let msg = format!(
                    "no upload of `{}` into `{bucket}` before this step is refused at the API; remove this expectation or expect the object's status instead",
                    shorten(key)
                );
                self.push(item, "code", ProblemKind::Impossible, msg);
            }
        }
    }

    /// `expect <bucket> "<key>" <status> ...`: names, a known failure reason, and outcomes that
    /// can never hold (a REPLICA where nothing replicates to, SSE-C replication under a rule set
    /// that never replicates SSE-C).
    fn expect_object(&mut self, idx: usize, o: &ObjectExpectation, dry: &DryRun) {
        let item = Item::Step(idx);
        if let Some(
            ExpectedEncryption::SseKms { key: Some(k), .. }
            | ExpectedEncryption::DsseKms { key: Some(k) },
        ) = &o.encryption
        {
            self.key_ref(&item, "encryption.key", k);
        }
        // A failure reason is a `FailureReason`, so it is one of S3's codes by type.
        if o.reason.is_some() && !matches!(o.status, None | Some(ExpectedStatus::Failed)) {
            let msg =
                "only a FAILED object has a failure reason; expect `FAILED` with it".to_owned();
            self.push(item.clone(), "reason", ProblemKind::Impossible, msg);
        }
        let put_here = dry.last_put.get(&(o.bucket.clone(), o.key.clone()));
        let is_target = dry.replication_targets.contains(&o.bucket);
        if let (Some(ExpectedStatus::Replica), Some(_), false) = (&o.status, put_here, is_target) {
            let msg = format!(
                "`{}` in `{}` was uploaded there directly and no replication rule writes into `{}`, so it is never a REPLICA; expect `PENDING`, `COMPLETED` or `FAILED` on a source object, and `REPLICA` on the destination",
                o.key, o.bucket, o.bucket
            );
            self.push(item.clone(), "status", ProblemKind::Impossible, msg);
        }
        let cx = crate::sse_c::Context {
            spec: self.spec,
            rules: self.rules,
            idx,
            last_put: &dry.last_put,
            replication_targets: &dry.replication_targets,
        };
        if let Some((path, msg)) = crate::sse_c::impossible_expectation(&cx, o) {
            self.push(item, path, ProblemKind::Impossible, msg);
        }
    }

    /// `expect metric|event ...`: the rule is configured at this step and publishes it.
    fn expect_monitoring(&mut self, idx: usize, e: &Expectation, bucket: &str, rule: &str) {
        let item = Item::Step(idx);
        // The configuration installed at this step: the latest one AWS accepted.
        let installed =
            self.spec.steps[..idx]
                .iter()
                .enumerate()
                .rev()
                .find_map(|(i, s)| match s {
                    Step::PutBucketReplication(r)
                        if r.bucket == bucket && !self.rejections.contains_key(&i) =>
                    {
                        Some(r)
                    }
                    _ => None,
                });
        let Some(found) = installed.and_then(|r| {
            r.rules
                .iter()
                .enumerate()
                .find(|(i, ru)| ru.label(*i) == *rule)
                .map(|(_, ru)| ru)
        }) else {
            let msg = format!(
                "no replication rule `{rule}` is configured on `{bucket}` at this step; name a rule of its configuration by its ID"
            );
            self.push(item, "rule", ProblemKind::Undefined, msg);
            return;
        };
        // [U-METRICS] [U-RTC]: S3 RTC turns metrics on too.
        let rtc = found
            .destination
            .replication_time
            .is_some_and(|t| t.status.is_enabled());
        let metrics = rtc
            || found
                .destination
                .metrics
                .is_some_and(|m| m.status.is_enabled());
        match e {
            Expectation::Metric { metric, .. } if !metrics => {
                let msg = format!(
                    "rule `{rule}` has no replication metrics, so S3 publishes no `{metric:?}` for it; add `metrics: enabled` to its destination, or drop this expectation"
                );
                self.push(item, "metric", ProblemKind::Impossible, msg);
            }
            Expectation::Event { event, count, .. } if *count > 0 => {
                if let Some(why) = never_raised(*event, metrics, rtc) {
                    let msg = format!("rule `{rule}` never raises `{event:?}`: {why}");
                    self.push(item, "event", ProblemKind::Impossible, msg);
                }
            }
            _ => {}
        }
    }
}

/// Why a rule never raises `event` ([U-EVENTS]: failure events need metrics; threshold events
/// need RTC), `None` if it can.
fn never_raised(event: EventName, metrics: bool, rtc: bool) -> Option<&'static str> {
    match event {
        EventName::OperationFailedReplication if !metrics => Some(
            "failure events need replication metrics on the rule; add `metrics: enabled` to its destination",
        ),
        EventName::OperationMissedThreshold | EventName::OperationReplicatedAfterThreshold
            if !rtc =>
        {
            Some(
                "threshold events need S3 RTC on the rule; add `replication_time: enabled` (with metrics) to its destination",
            )
        }
        EventName::OperationNotTracked => {
            Some("the model never stops tracking an operation; expect 0 of them")
        }
        _ => None,
    }
}

/// Removes the statement `selector` names from a policy's statements.
fn revoke(stmts: &mut Vec<serde_json::Value>, selector: &StatementSelector) -> Result<(), String> {
    match selector {
        StatementSelector::Sid(sid) => {
            let before = stmts.len();
            stmts.retain(|s| s.get("Sid").and_then(|v| v.as_str()) != Some(sid.as_str()));
            if stmts.len() == before {
                Err(format!(
                    "the policy has no statement with Sid `{sid}`; name a Sid the policy has"
                ))
            } else {
                Ok(())
            }
        }
        StatementSelector::Index(i) if *i < stmts.len() => {
            stmts.remove(*i);
            Ok(())
        }
        StatementSelector::Index(i) => Err(format!(
            "the policy has no statement {i}; it has {}",
            stmts.len()
        )),
    }
}

/// What validation carries from step to step: the control plane it dry-runs, and what later
/// expectations look back at.
struct DryRun {
    plane: ControlPlane,
    /// Per bucket: the step of its last bucket-level call and whether AWS refused it.
    last_call: BTreeMap<String, (usize, Option<ApiRejection>)>,
    /// The encryption of the latest accepted upload of each (bucket, key).
    last_put: BTreeMap<(String, String), UploadEncryption>,
    /// Refused uploads not expected yet, by (bucket, key): (step, code).
    put_rejections: BTreeMap<(String, String), (usize, String)>,
    /// Buckets some replication rule of the scenario writes into.
    replication_targets: BTreeSet<String>,
    /// Steps whose rejection an expectation names.
    expected_rejections: BTreeSet<usize>,
}

impl DryRun {
    fn new(spec: &ScenarioSpec, rules: &RuleSet, cat: &Catalog) -> DryRun {
        let replication_targets = spec
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
                        // A configuration read from AWS JSON names its destinations by ARN.
                        BucketRef::Arn(a) => ids::parse_bucket_arn(a)
                            .ok()
                            .and_then(|s3| cat.bucket_by_s3_name(&s3).map(str::to_owned)),
                    })
            })
            .collect();
        DryRun {
            plane: ControlPlane::new(spec, rules),
            last_call: BTreeMap::new(),
            last_put: BTreeMap::new(),
            put_rejections: BTreeMap::new(),
            replication_targets,
            expected_rejections: BTreeSet::new(),
        }
    }
}

/// S3's limit for a single PutObject.
const MAX_PUT_BYTES: u64 = 5 * 1024 * 1024 * 1024;
