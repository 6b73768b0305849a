//! The simulated world: buckets and their object versions, KMS keys, roles, and the one place
//! where state changes, [`World::step`].
//!
//! Every stored object is ciphertext. A step is applied whole or not at all; replication attempts
//! read the world without changing it (so they run in parallel) and their results are applied in
//! task order, which keeps version ids and reports deterministic.
//!
//! Buckets' and keys' control-plane state lives in the embedded [`ControlPlane`] and changes
//! only through the transitions validation dry-ran. Invariant policy: a `World` is built only
//! from a [`ValidSpec`], so every name it looks up resolved and every step AWS refuses is known;
//! where that could still break, a function returns [`RunError::Internal`] naming the broken
//! invariant, never a panic and never an empty ARN.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::Arc;

use replication_crypto::{Key256, KeySource, PreparedKey, WrappedKey};
use replication_policy::{Context, Policy, Principal};

use crate::ValidSpec;
use crate::body::{Ciphertext, GeneratedBody, LayerKeys, Upload};
use crate::catalog::{Catalog, KeyOrigin};
use crate::control::ControlPlane;
use crate::iam::PolicyOwner;
use crate::ids;
use crate::inferred::{InferredChoice, InferredSet};
use crate::kms::lifecycle::{KeyLife, KeyOp};
use crate::kms::{self, Grant, KeyState, KmsKey};
use crate::rules::RuleSet;
use crate::s3::eligibility::eligibility;
use crate::s3::put_bucket_replication::{self as s3config, SchemaVersion};
use crate::s3::put_object;
use crate::spec::*;
use crate::{FailureReason, NotEligible, Skipped};

/// A server-side encryption of a stored version, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sse {
    /// SSE-S3.
    SseS3,
    /// SSE-KMS.
    SseKms {
        /// The KMS key ARN.
        key_arn: String,
        /// Whether an S3 Bucket Key is used.
        bucket_key: bool,
    },
    /// DSSE-KMS.
    DsseKms {
        /// The KMS key ARN.
        key_arn: String,
    },
    /// SSE-C.
    SseC {
        /// The customer key's name.
        customer_key: String,
    },
}

impl std::fmt::Display for Sse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sse::SseS3 => f.write_str("SSE-S3"),
            Sse::SseKms {
                key_arn,
                bucket_key: false,
            } => write!(f, "SSE-KMS {key_arn}"),
            Sse::SseKms {
                key_arn,
                bucket_key: true,
            } => write!(f, "SSE-KMS {key_arn} (Bucket Key)"),
            Sse::DsseKms { key_arn } => write!(f, "DSSE-KMS {key_arn}"),
            Sse::SseC { customer_key } => write!(f, "SSE-C (customer key `{customer_key}`)"),
        }
    }
}

/// How the data key of a stored object is protected.
#[derive(Debug, Clone)]
pub(crate) enum Envelope {
    /// Wrapped under the Region's S3 root key.
    SseS3 { wrapped: WrappedKey },
    /// Wrapped by KMS under `key_arn`, bound to the encryption context.
    Kms {
        key_arn: String,
        context: BTreeMap<String, String>,
        wrapped: WrappedKey,
    },
    /// Two independent layers, each with its own data key ([U-KMSREPL] DSSE-KMS).
    Dsse {
        key_arn: String,
        context: BTreeMap<String, String>,
        outer: WrappedKey,
        inner: WrappedKey,
    },
    /// The customer's key: S3 keeps only a salted HMAC of it.
    SseC { salt: [u8; 16], hmac: [u8; 32] },
}

/// An object version's bytes and metadata.
#[derive(Debug, Clone)]
pub(crate) struct StoredObject {
    pub ciphertext: Ciphertext,
    pub envelope: Envelope,
    pub sse: Sse,
    pub size: u64,
    pub tags: Vec<(String, String)>,
    pub storage_class: String,
    pub owner_account: String,
    pub owner_grants_read: bool,
}

#[derive(Debug, Clone)]
pub(crate) enum Body {
    Object(Arc<StoredObject>),
    DeleteMarker,
}

/// The replication state of one destination of a source version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DestStatus {
    Pending,
    Completed { replica_version: Arc<str> },
    Failed { reason: FailureReason },
}

#[derive(Debug, Clone)]
pub(crate) struct Version {
    pub id: Arc<str>,
    pub created_at: u64,
    pub body: Body,
    /// Per destination bucket (scenario name): the rule and the status.
    pub destinations: BTreeMap<Arc<str>, (Arc<str>, DestStatus)>,
    /// Set on replicas: where it came from.
    pub replica_of: Option<(Arc<str>, Arc<str>)>,
    /// Why a rule matched but the version is not eligible (shown in the report).
    pub not_eligible: Vec<Skipped>,
}

/// The `x-amz-replication-status` of a version, aggregated over destinations ([U-STATUS]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReplicationStatus {
    /// PENDING.
    Pending,
    /// COMPLETED.
    Completed,
    /// FAILED.
    Failed,
    /// REPLICA.
    Replica,
}

impl std::fmt::Display for ReplicationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ReplicationStatus::Pending => "PENDING",
            ReplicationStatus::Completed => "COMPLETED",
            ReplicationStatus::Failed => "FAILED",
            ReplicationStatus::Replica => "REPLICA",
        })
    }
}

impl Version {
    pub(crate) fn status(&self) -> Option<ReplicationStatus> {
        if self.replica_of.is_some() {
            return Some(ReplicationStatus::Replica);
        }
        if self.destinations.is_empty() {
            return None;
        }
        let statuses = self.destinations.values().map(|(_, s)| s);
        // [U-STATUS]: FAILED if any destination failed, PENDING until all are done.
        if statuses
            .clone()
            .any(|s| matches!(s, DestStatus::Failed { .. }))
        {
            Some(ReplicationStatus::Failed)
        } else if statuses.clone().any(|s| matches!(s, DestStatus::Pending)) {
            Some(ReplicationStatus::Pending)
        } else {
            Some(ReplicationStatus::Completed)
        }
    }

    pub(crate) fn failure_reason(&self) -> Option<FailureReason> {
        self.destinations.values().find_map(|(_, s)| match s {
            DestStatus::Failed { reason } => Some(*reason),
            _ => None,
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct ResolvedRule {
    pub label: Arc<str>,
    pub priority: u32,
    pub status: Status,
    pub filter: FilterSpec,
    pub schema: SchemaVersion,
    pub delete_markers: bool,
    /// Scenario name of the destination bucket.
    pub dest: Arc<str>,
    pub owner_override: bool,
    pub storage_class: Option<String>,
    pub replica_key: Option<KeyRef>,
    /// `SourceSelectionCriteria.SseKmsEncryptedObjects.Status` (`Disabled` when absent).
    pub sse_kms_encrypted_objects: Status,
    /// Replication metrics are on (S3 RTC turns them on too, [U-METRICS] [U-RTC]).
    pub metrics: bool,
    /// S3 RTC is on.
    pub rtc: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct ReplicationConfig {
    /// Scenario name of the role, or the ARN when the role is not defined in the scenario.
    pub role: RoleRef,
    pub rules: Vec<ResolvedRule>,
}

#[derive(Debug)]
pub(crate) struct Bucket {
    /// The scenario's name for the bucket (its key in `World::buckets`).
    pub name: Arc<str>,
    pub s3_name: String,
    pub arn: String,
    pub account_id: String,
    pub region: String,
    pub versioning: Versioning,
    pub bucket_key: bool,
    pub policy: Option<Arc<Policy>>,
    /// ``bucket policy of `target` ``.
    pub policy_label: String,
    pub blocks_sse_c: bool,
    pub object_lock: bool,
    pub requester_pays: bool,
    pub replication: Option<Arc<ReplicationConfig>>,
    pub objects: crate::objects::Objects,
    /// Per object key: at least the number of the next own version id (ids present count too,
    /// see `next_number`), so an id is never given twice, even after a version is deleted.
    /// Version ids count per object (`v1` is an object's first version in the bucket that
    /// created it; a replica keeps its source's id), which is how scenarios name versions; real
    /// S3 version ids are opaque strings.
    pub next_version: BTreeMap<String, u64>,
}

#[derive(Debug)]
pub(crate) struct Role {
    /// The scenario's name for the role.
    pub name: String,
    pub arn: String,
    pub account_id: String,
    pub trust: Arc<Policy>,
    /// ``trust policy of role `replicator` ``.
    pub trust_label: String,
    /// Identity policies by name.
    pub policies: BTreeMap<String, RolePolicy>,
    /// The session S3 acts as (`assumed-role/<role>/s3-replication`).
    pub session: Principal,
    /// Condition keys of every request the session makes.
    pub base_context: Context,
    /// `base_context` plus `s3:ResourceAccount`, per account of the scenario.
    pub s3_contexts: BTreeMap<String, Context>,
    /// ``role `replicator` ``, as fix hints name the role.
    pub label: String,
}

/// An identity policy of a role, with the short label (`role/policy`) the policy engine quotes.
#[derive(Debug)]
pub(crate) struct RolePolicy {
    pub label: String,
    pub policy: Arc<Policy>,
}

impl Role {
    /// The condition keys of an S3 request on a resource of `account`.
    pub(crate) fn s3_context(&self, account: &str) -> Context {
        let mut ctx = self.base_context.clone();
        ctx.insert("s3:ResourceAccount", account);
        ctx
    }
}

/// What a replication task replicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TaskKind {
    Object,
    DeleteMarker,
}

/// One replication of one source version to one destination.
#[derive(Debug, Clone)]
pub(crate) struct Task {
    /// Scenario names of the source bucket, the rule and the destination bucket: shared with the
    /// configuration rather than copied per task, so the replication path reads them from cache.
    pub source: Arc<str>,
    pub key: String,
    /// Where `key` lives in the source bucket's objects.
    pub slot: crate::objects::ObjectSlot,
    pub version_id: Arc<str>,
    pub rule: Arc<str>,
    pub dest: Arc<str>,
    pub kind: TaskKind,
    pub enqueued_at: u64,
    pub attempts: u32,
    pub batch: bool,
    pub missed_threshold: bool,
}

/// An event as S3 Event Notifications would publish it ([U-EVENTS]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReplicationEvent {
    pub at: u64,
    pub source: Arc<str>,
    pub rule: Arc<str>,
    pub event: EventName,
    pub key: String,
    pub version_id: Arc<str>,
    pub dest: Arc<str>,
    pub reason: Option<FailureReason>,
}

/// Counters per (source bucket, rule) ([U-METRICS]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RuleMetrics {
    pub failed: u64,
    pub completed: u64,
    pub max_latency: u64,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogLine {
    pub at: u64,
    pub step: usize,
    pub kind: LogKind,
    pub text: String,
}

/// What a timeline line records: the report's configuration section lists the bucket-level
/// calls (`PutBucketReplication`, `PutBucketVersioning`) by this kind, not by their wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogKind {
    /// A bucket-level configuration call, accepted or rejected.
    BucketCall,
    /// Anything else a step did.
    Step,
}

/// The world at one point of the scenario.
#[derive(Debug)]
pub(crate) struct World {
    pub rules: RuleSet,
    pub cat: Catalog,
    /// Buckets' and keys' control-plane state, changed only by the transitions validation
    /// dry-runs ([`ControlPlane`]). `Bucket::versioning`, `Bucket::blocks_sse_c` and
    /// `KmsKey::state` mirror it for the replication path; [`World::sync_control`] writes them.
    pub control: ControlPlane,
    pub clock: u64,
    pub keys: BTreeMap<String, KmsKey>,
    pub key_names: BTreeMap<String, String>,
    pub aliases: BTreeMap<String, String>,
    /// Per Region, S3's own key for SSE-S3 data keys, its cipher built once.
    pub s3_root: BTreeMap<String, PreparedKey>,
    pub buckets: BTreeMap<String, Bucket>,
    pub roles: BTreeMap<String, Role>,
    pub customer_keys: BTreeMap<String, Key256>,
    pub unavailable_regions: BTreeSet<String>,
    pub throttled_regions: BTreeSet<String>,
    pub queue: Vec<Task>,
    pub log: Vec<LogLine>,
    pub attempts: Vec<crate::engine::AttemptRecord>,
    /// Per source bucket, per rule.
    pub metrics: BTreeMap<Arc<str>, BTreeMap<Arc<str>, RuleMetrics>>,
    pub events: Vec<ReplicationEvent>,
    pub expectations: Vec<crate::expect::ExpectationResult>,
    /// Per bucket: the error code of its latest bucket-level call (`PutBucketReplication`,
    /// `PutBucketVersioning`), `None` when AWS accepted it.
    pub last_bucket_call: BTreeMap<String, Option<String>>,
    /// The inferred choices the run relied on so far, recorded where each is made.
    pub inferred: InferredSet,
    pub rng: KeySource,
    pub trace: bool,
    pub threads: usize,
}

/// A failure while running: the OS random generator, or a broken invariant of the model.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The OS random generator failed.
    #[error("cryptography failed: {0}")]
    Crypto(#[from] replication_crypto::CryptoError),
    /// A broken invariant of the model, reported instead of a panic.
    #[error("internal error in the model: {0}; please report it with the scenario")]
    Internal(String),
}

impl World {
    pub(crate) fn build(valid: &ValidSpec, trace: bool, threads: usize) -> Result<World, RunError> {
        let spec = &valid.spec();
        let mut world = World {
            rules: valid.rules(),
            cat: valid.catalog().clone(),
            control: ControlPlane::new(spec, &valid.rules()),
            clock: 0,
            keys: BTreeMap::new(),
            key_names: BTreeMap::new(),
            aliases: BTreeMap::new(),
            s3_root: BTreeMap::new(),
            buckets: BTreeMap::new(),
            roles: BTreeMap::new(),
            customer_keys: BTreeMap::new(),
            unavailable_regions: BTreeSet::new(),
            throttled_regions: BTreeSet::new(),
            queue: Vec::new(),
            log: Vec::new(),
            attempts: Vec::new(),
            metrics: BTreeMap::new(),
            events: Vec::new(),
            expectations: Vec::new(),
            last_bucket_call: BTreeMap::new(),
            inferred: InferredSet::default(),
            rng: KeySource::new(),
            trace,
            threads,
        };
        let mut rng = KeySource::new();
        world.build_keys(valid, &mut rng)?;
        world.build_aws_managed_keys(&mut rng)?;
        let regions: BTreeSet<String> = world
            .cat
            .buckets
            .values()
            .map(|b| b.region.clone())
            .collect();
        for r in regions {
            world.s3_root.insert(r, PreparedKey::new(&rng.key()?)?);
        }
        world.build_buckets(valid)?;
        world.build_roles(valid)?;
        world.rng = rng;
        Ok(world)
    }

    /// The scenario's KMS keys with their material: one per single-Region key, one shared by
    /// every key of a multi-Region set ([K-MRK]).
    fn build_keys(&mut self, valid: &ValidSpec, rng: &mut KeySource) -> Result<(), RunError> {
        let mut set_material: BTreeMap<String, Arc<PreparedKey>> = BTreeMap::new();
        for k in &valid.spec().keys {
            let info = self
                .cat
                .keys
                .get(&k.name)
                .ok_or_else(|| missing("key", &k.name))?;
            let material = match &info.mrk_set {
                Some(set) => match set_material.get(set) {
                    Some(m) => m.clone(),
                    None => {
                        let m = Arc::new(PreparedKey::new(&rng.key()?)?);
                        set_material.insert(set.clone(), m.clone());
                        m
                    }
                },
                None => Arc::new(PreparedKey::new(&rng.key()?)?),
            };
            let grants = k
                .grants
                .iter()
                .map(|g| {
                    Ok(Grant {
                        grantee_arn: principal_arn(&g.grantee, &self.cat)?,
                        operations: g.operations.clone(),
                        encryption_context_subset: g.encryption_context_subset.clone(),
                    })
                })
                .collect::<Result<Vec<_>, RunError>>()?;
            for alias in &k.aliases {
                self.aliases.insert(
                    ids::alias_arn(&info.region, &info.account_id, alias),
                    info.arn.clone(),
                );
            }
            self.key_names.insert(k.name.clone(), info.arn.clone());
            let mut kms_key = KmsKey {
                name: k.name.clone(),
                arn: info.arn.clone(),
                key_id: info.key_id.clone(),
                region: info.region.clone(),
                account_id: info.account_id.clone(),
                origin: info.origin,
                state: k.initial_state.into(),
                policy: compiled(valid, &PolicyOwner::Key(k.name.clone()))?,
                grants,
                aliases: k.aliases.clone(),
                cipher: material,
                policy_label: String::new(),
                grant_refs: Vec::new(),
            };
            kms_key.derive_labels();
            self.keys.insert(info.arn.clone(), kms_key);
        }
        Ok(())
    }

    /// The AWS managed key `aws/s3` in every account and Region a bucket uses, as AWS creates it
    /// on first use.
    fn build_aws_managed_keys(&mut self, rng: &mut KeySource) -> Result<(), RunError> {
        let mut places: BTreeSet<(String, String)> = BTreeSet::new();
        for b in self.cat.buckets.values() {
            for a in self.cat.accounts.values() {
                places.insert((a.id.clone(), b.region.clone()));
            }
        }
        for (account_id, region) in places {
            let key_id = ids::aws_managed_key_id(&account_id, &region);
            let arn = ids::key_arn(&region, &account_id, &key_id);
            self.aliases
                .insert(ids::alias_arn(&region, &account_id, "aws/s3"), arn.clone());
            if self.keys.contains_key(&arn) {
                continue;
            }
            let managed = crate::iam::managed_key_policy(&account_id, &region);
            let policy = crate::iam::compile(
                &managed,
                &self.cat,
                &crate::iam::PolicyUse::Key(String::new()),
            )
            .map_err(|_| {
                RunError::Internal(format!(
                    "the key policy of aws/s3 in {account_id} {region} does not compile"
                ))
            })?;
            let mut kms_key = KmsKey {
                name: "aws/s3".into(),
                arn,
                key_id,
                region,
                account_id,
                origin: KeyOrigin::AwsManaged,
                state: KeyState::Enabled,
                policy: Arc::new(policy),
                grants: Vec::new(),
                aliases: vec!["aws/s3".into()],
                cipher: Arc::new(PreparedKey::new(&rng.key()?)?),
                policy_label: String::new(),
                grant_refs: Vec::new(),
            };
            kms_key.derive_labels();
            self.keys.insert(kms_key.arn.clone(), kms_key);
        }
        Ok(())
    }

    /// The scenario's buckets, empty, in the state the control plane starts them in.
    fn build_buckets(&mut self, valid: &ValidSpec) -> Result<(), RunError> {
        for b in &valid.spec().buckets {
            let info = self
                .cat
                .buckets
                .get(&b.name)
                .ok_or_else(|| missing("bucket", &b.name))?;
            let control = self
                .control
                .bucket(&b.name)
                .ok_or_else(|| missing("bucket", &b.name))?;
            let bucket = Bucket {
                name: b.name.as_str().into(),
                s3_name: info.s3_name.clone(),
                arn: info.arn.clone(),
                account_id: info.account_id.clone(),
                region: info.region.clone(),
                versioning: control.versioning,
                bucket_key: control.bucket_key,
                policy: valid
                    .policies()
                    .get(&PolicyOwner::Bucket(b.name.clone()))
                    .cloned(),
                policy_label: format!("bucket policy of `{}`", b.name),
                blocks_sse_c: control.blocks_sse_c,
                object_lock: b.object_lock,
                requester_pays: b.requester_pays,
                replication: None,
                objects: crate::objects::Objects::default(),
                next_version: BTreeMap::new(),
            };
            self.buckets.insert(b.name.clone(), bucket);
        }
        Ok(())
    }

    /// The scenario's roles with their compiled policies and the session S3 acts as.
    fn build_roles(&mut self, valid: &ValidSpec) -> Result<(), RunError> {
        for r in &valid.spec().roles {
            let info = self
                .cat
                .roles
                .get(&r.name)
                .ok_or_else(|| missing("role", &r.name))?;
            let policies = r
                .policies
                .iter()
                .map(|p| {
                    let owner = PolicyOwner::Role {
                        role: r.name.clone(),
                        policy: p.name.clone(),
                    };
                    let policy = RolePolicy {
                        label: format!("{}/{}", r.name, p.name),
                        policy: compiled(valid, &owner)?,
                    };
                    Ok((p.name.clone(), policy))
                })
                .collect::<Result<BTreeMap<_, _>, RunError>>()?;
            let session = crate::authz::session(&info.arn);
            let org_id = self
                .cat
                .account_name(&info.account_id)
                .and_then(|n| self.cat.accounts.get(n))
                .and_then(|a| a.org_id.clone());
            let mut role = Role {
                name: r.name.clone(),
                arn: info.arn.clone(),
                account_id: info.account_id.clone(),
                trust: compiled(valid, &PolicyOwner::RoleTrust(r.name.clone()))?,
                trust_label: format!("trust policy of role `{}`", r.name),
                policies,
                base_context: crate::authz::base_context(&session, org_id.as_deref()),
                session,
                s3_contexts: BTreeMap::new(),
                label: format!("role `{}`", r.name),
            };
            role.s3_contexts = self
                .cat
                .accounts
                .values()
                .map(|a| (a.id.clone(), role.s3_context(&a.id)))
                .collect();
            self.roles.insert(r.name.clone(), role);
        }
        Ok(())
    }

    pub(crate) fn log(&mut self, step: usize, text: String) {
        self.log_as(LogKind::Step, step, text);
    }

    pub(crate) fn log_as(&mut self, kind: LogKind, step: usize, text: String) {
        self.log.push(LogLine {
            at: self.clock,
            step,
            kind,
            text,
        });
    }

    /// The KMS key a reference names, from the point of view of a bucket (for `aws/s3` and alias
    /// resolution): `None` when no such key exists.
    pub(crate) fn resolve_key(
        &self,
        key: &KeyRef,
        account_id: &str,
        region: &str,
    ) -> Option<&KmsKey> {
        let arn = match key {
            KeyRef::Named(n) => self.key_names.get(n)?.clone(),
            KeyRef::AwsManagedS3 => self
                .aliases
                .get(&ids::alias_arn(region, account_id, "aws/s3"))?
                .clone(),
            KeyRef::Arn(a) => self.aliases.get(a).cloned().unwrap_or_else(|| a.clone()),
        };
        self.keys.get(&arn)
    }

    /// A rule's `ReplicaKmsKeyID` as S3 resolves it when it writes a replica: in the destination
    /// bucket's Region, on behalf of the replication role, so `aws/s3` is the AWS managed key of
    /// the role's (the requester's) account, not the destination owner's (aws-facts d.3). The
    /// engine and the report both call this, so the report names the key the engine uses.
    /// Returns the ARN the reference names (an alias ARN for `aws/s3`) and the key, if it exists.
    pub(crate) fn replica_key(
        &self,
        role_account: &str,
        key: &KeyRef,
        dest: &Bucket,
    ) -> (String, Option<&KmsKey>) {
        (
            self.key_ref_arn(key, role_account, &dest.region),
            self.resolve_key(key, role_account, &dest.region),
        )
    }

    /// The role a replication configuration names, if the scenario defines it.
    pub(crate) fn config_role(&self, role: &RoleRef) -> Option<&Role> {
        match role {
            RoleRef::Named(n) => self.roles.get(n),
            RoleRef::Arn(arn) => self.roles.values().find(|r| &r.arn == arn),
        }
    }

    /// The account a replication configuration's role belongs to: the scenario's role, or the
    /// account in a role ARN the scenario does not define.
    pub(crate) fn role_account(&self, role: &RoleRef) -> Option<String> {
        match role {
            RoleRef::Named(n) => self.roles.get(n).map(|r| r.account_id.clone()),
            RoleRef::Arn(arn) => self
                .roles
                .values()
                .find(|r| &r.arn == arn)
                .map(|r| r.account_id.clone())
                .or_else(|| ids::parse_role_arn(arn).ok().map(|(account, _)| account)),
        }
    }

    /// The ARN a key reference would have, even if no such key exists (for messages).
    pub(crate) fn key_ref_arn(&self, key: &KeyRef, account_id: &str, region: &str) -> String {
        match key {
            KeyRef::Named(n) => self.key_names.get(n).cloned().unwrap_or_else(|| n.clone()),
            KeyRef::AwsManagedS3 => ids::alias_arn(region, account_id, "aws/s3"),
            KeyRef::Arn(a) => a.clone(),
        }
    }

    pub(crate) fn current_version(&self, bucket: &str, key: &str) -> Option<&Version> {
        self.buckets.get(bucket)?.objects.get(key)?.last()
    }

    pub(crate) fn version_mut(
        &mut self,
        bucket: &str,
        key: &str,
        version_id: &str,
    ) -> Option<&mut Version> {
        self.buckets
            .get_mut(bucket)?
            .objects
            .get_mut(key)?
            .iter_mut()
            .find(|v| &*v.id == version_id)
    }

    /// The source version a task replicates, reached through the task's slot (no search by key).
    pub(crate) fn task_version_mut(&mut self, task: &Task) -> Option<&mut Version> {
        self.buckets
            .get_mut(&*task.source)?
            .objects
            .at_mut(task.slot)?
            .iter_mut()
            .find(|v| v.id == task.version_id)
    }

    /// Adds a version to a bucket the way its versioning state says: when Enabled, a new id one
    /// above every id the key has had in this bucket (replicas included, see
    /// [`World::add_replica`]); otherwise `null`, replacing the `null` version. Returns the id.
    pub(crate) fn add_version(
        &mut self,
        bucket: &str,
        key: &str,
        mut version: Version,
    ) -> Result<Arc<str>, RunError> {
        let b = self
            .buckets
            .get_mut(bucket)
            .ok_or_else(|| missing("bucket", bucket))?;
        let id = match b.versioning {
            Versioning::Enabled => {
                let present = b.objects.get(key).map_or(&[][..], Vec::as_slice);
                let n = next_number(b.next_version.get(key).copied(), present);
                b.next_version.insert(key.to_owned(), n + 1);
                Arc::from(format!("v{n}"))
            }
            Versioning::Unversioned | Versioning::Suspended => Arc::from("null"),
        };
        version.id = Arc::clone(&id);
        let (_, versions) = b.objects.versions_or_default(key);
        if &*id == "null" {
            versions.retain(|v| &*v.id != "null");
        }
        versions.push(version);
        Ok(id)
    }

    /// Writes a replica into `bucket`, keeping the source version's id and creation time ([U-REQ]:
    /// replicas have the same metadata, "creation time ... and version ID", as the originals;
    /// aws-facts c). Returns the replica's id and, when it could not keep the source's id, why.
    ///
    /// * The same source version written again (Batch Replication of a COMPLETED version)
    ///   replaces its earlier replica in place: a version id is unique in a bucket (inferred).
    /// * Inferred: real version ids are opaque and never collide; the model numbers them per
    ///   object, so a destination that took its own upload of the key first may already use the
    ///   source's id. The replica then takes the next number above every id the key has had,
    ///   as the destination's own uploads do, and the report says so.
    /// * Versions stay in creation-time order, so the current version is the newest by creation
    ///   time and a late replica does not hide a newer upload (inferred).
    pub(crate) fn add_replica(
        &mut self,
        bucket: &str,
        key: &str,
        mut version: Version,
    ) -> (Arc<str>, Option<String>) {
        // The replica arrives carrying its source's id.
        let source_id = Arc::clone(&version.id);
        let Some(b) = self.buckets.get_mut(bucket) else {
            return (source_id, None);
        };
        // One tree search, at the price of a key copy when the key exists already.
        let (_, versions) = b.objects.versions_or_default(key);
        let same_source = |v: &Version| v.replica_of == version.replica_of;
        if let Some(existing) = versions
            .iter_mut()
            .find(|v| v.id == source_id && same_source(v))
        {
            *existing = version;
            return (source_id, None);
        }
        let (id, note) = match versions.iter().find(|v| v.id == source_id) {
            None => (source_id, None),
            Some(taken) => {
                let n = next_number(b.next_version.get(key).copied(), versions);
                let id: Arc<str> = Arc::from(format!("v{n}"));
                let by = match &taken.replica_of {
                    Some((src, sv)) => format!("the replica of `{src}` {sv}"),
                    None => "a version uploaded there".to_owned(),
                };
                let note = format!(
                    "version id {source_id} is taken at `{bucket}` by {by}, so the replica is {id} (inferred: real S3 version ids never collide)"
                );
                (id, Some(note))
            }
        };
        version.id = Arc::clone(&id);
        let at = versions.partition_point(|v| v.created_at <= version.created_at);
        versions.insert(at, version);
        (id, note)
    }

    /// Applies one step. Steps AWS refuses (known from validation) change nothing.
    pub(crate) fn step(&mut self, valid: &ValidSpec, idx: usize) -> Result<(), RunError> {
        self.clock += 1;
        self.check_thresholds();
        let step = &valid.spec().steps[idx];
        if let Some(rej) = valid.rejections().get(&idx) {
            let (kind, what) = match step {
                Step::PutBucketReplication(r) => (
                    LogKind::BucketCall,
                    format!("PutBucketReplication on `{}`", r.bucket),
                ),
                Step::PutObject(p) => {
                    (LogKind::Step, format!("PutObject `{}/{}`", p.bucket, p.key))
                }
                Step::Fault(Fault::SetBucketVersioning { bucket, .. }) => (
                    LogKind::BucketCall,
                    format!("PutBucketVersioning on `{bucket}`"),
                ),
                _ => (LogKind::Step, "the call".to_owned()),
            };
            self.log_as(
                kind,
                idx,
                format!("{what}: rejected, {} ({})", rej.code, rej.message()),
            );
            if matches!(step, Step::PutObject(_)) && rej.code.starts_with("KMS.") {
                // The expected rejection is KMS's, in S3's inferred spelling (aws-facts f).
                self.inferred.insert(InferredChoice::UploadKmsErrors);
            }
            match step {
                Step::PutBucketReplication(ReplicationSpec { bucket, .. })
                | Step::Fault(Fault::SetBucketVersioning { bucket, .. }) => {
                    self.last_bucket_call
                        .insert(bucket.clone(), Some(rej.code.clone()));
                }
                _ => {}
            }
            return Ok(());
        }
        match step {
            Step::PutBucketReplication(r) => self.put_bucket_replication(idx, r)?,
            Step::PutObject(p) => self.put_object(idx, p)?,
            Step::DeleteObject {
                bucket,
                key,
                version,
            } => self.delete_object(idx, bucket, key, *version)?,
            Step::PutObjectTagging { bucket, key, tags } => {
                self.put_tagging(idx, bucket, key, tags)
            }
            Step::Replicate => self.replicate(idx, false)?,
            Step::BatchReplicate { bucket, statuses } => {
                self.batch_replicate(idx, bucket, statuses)?
            }
            Step::Fault(f) => self.fault(valid, idx, f)?,
            Step::Wait { seconds } => {
                self.clock += seconds.saturating_sub(1);
                self.check_thresholds();
                self.log(idx, format!("wait {seconds} s"));
            }
            Step::Expect { expectation, at } => self.expect(idx, expectation, *at),
        }
        Ok(())
    }

    fn put_bucket_replication(&mut self, idx: usize, r: &ReplicationSpec) -> Result<(), RunError> {
        self.control
            .put_bucket_replication(r, &self.cat)
            .map_err(|rej| {
                RunError::Internal(format!(
                    "validation accepted PutBucketReplication on `{}`, which the control plane refuses with {}",
                    r.bucket, rej.code
                ))
            })?;
        let rules: Vec<ResolvedRule> = r
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| ResolvedRule {
                label: rule.label(i).into(),
                priority: rule.priority.unwrap_or(0),
                status: rule.status,
                filter: rule.filter.clone(),
                schema: s3config::rule_schema(rule),
                delete_markers: match s3config::rule_schema(rule) {
                    // [U-WHAT] [U-CFG]: V1 replicates delete markers from user DELETEs.
                    SchemaVersion::V1 => true,
                    SchemaVersion::V2 => rule.delete_marker_replication == Some(Status::Enabled),
                },
                dest: {
                    let name = match &rule.destination.bucket {
                        BucketRef::Named(n) => n.clone(),
                        BucketRef::Arn(a) => ids::parse_bucket_arn(a)
                            .ok()
                            .and_then(|s3| self.cat.bucket_by_s3_name(&s3).map(str::to_owned))
                            .unwrap_or_default(),
                    };
                    // The bucket's own name when it exists, so tasks share one allocation.
                    self.buckets
                        .get(&name)
                        .map_or_else(|| Arc::from(name.as_str()), |b| Arc::clone(&b.name))
                },
                owner_override: rule.destination.owner_override,
                storage_class: rule.destination.storage_class.clone(),
                replica_key: rule.destination.replica_kms_key.clone(),
                sse_kms_encrypted_objects: rule
                    .sse_kms_encrypted_objects
                    .unwrap_or(Status::Disabled),
                metrics: rule
                    .destination
                    .metrics
                    .is_some_and(|m| m.status.is_enabled())
                    || rtc(rule),
                rtc: rtc(rule),
            })
            .collect();
        let labels: Vec<String> = rules.iter().map(|r| r.label.to_string()).collect();
        let config = ReplicationConfig {
            role: r.role.clone(),
            rules,
        };
        if let Some(b) = self.buckets.get_mut(&r.bucket) {
            b.replication = Some(Arc::new(config));
        }
        self.last_bucket_call.insert(r.bucket.clone(), None);
        self.log_as(
            LogKind::BucketCall,
            idx,
            format!(
                "PutBucketReplication on `{}`: accepted (rules {})",
                r.bucket,
                labels.join(", ")
            ),
        );
        Ok(())
    }

    fn put_object(&mut self, idx: usize, p: &PutObjectSpec) -> Result<(), RunError> {
        let generated;
        let upload = match &p.body {
            crate::spec::Body::Size(n) => {
                generated = GeneratedBody::new(&p.key, *n);
                Upload::Generated(&generated)
            }
            crate::spec::Body::Text(t) => Upload::Text(t.as_bytes()),
        };
        let internal = |what: String| upload_invariant(p, what);
        // The same control-plane check validation ran: refused uploads never get here.
        let key_arn = self
            .control
            .put_object(&self.cat, p)
            .map_err(|e| internal(format!("S3 refuses it with {}", e.code())))?;
        let (ciphertext, envelope, sse) = self.seal_upload(p, upload, key_arn.as_deref())?;
        let account_id = self
            .buckets
            .get(&p.bucket)
            .map(|b| b.account_id.clone())
            .ok_or_else(|| internal("its bucket does not exist".to_owned()))?;
        let owner_account = p
            .owner
            .as_ref()
            .and_then(|o| self.cat.account_id(&o.account))
            .unwrap_or_else(|| account_id.clone());
        let stored = StoredObject {
            ciphertext,
            envelope,
            sse: sse.clone(),
            size: upload.len(),
            tags: p.tags.clone(),
            storage_class: p.storage_class.clone().unwrap_or_else(|| "STANDARD".into()),
            owner_account,
            owner_grants_read: p.owner.as_ref().is_none_or(|o| o.grants_bucket_owner_read),
        };
        let version = Version {
            id: Arc::default(),
            created_at: self.clock,
            body: Body::Object(Arc::new(stored)),
            destinations: BTreeMap::new(),
            replica_of: None,
            not_eligible: Vec::new(),
        };
        let vid = self.add_version(&p.bucket, &p.key, version)?;
        let routing = self.route_new_version(
            &p.bucket,
            &p.key,
            &vid,
            TaskKind::Object,
            false,
            &BTreeSet::new(),
        )?;
        self.log(
            idx,
            format!(
                "PutObject `{}/{}` -> {vid} ({} bytes, {sse}){routing}",
                p.bucket,
                p.key,
                upload.len()
            ),
        );
        Ok(())
    }

    /// Encrypts an upload as its encryption says (the request's, else the bucket default's):
    /// the sealed bytes, how their data key is kept, and the encryption the report shows.
    fn seal_upload(
        &mut self,
        p: &PutObjectSpec,
        upload: Upload<'_>,
        key_arn: Option<&str>,
    ) -> Result<(Ciphertext, Envelope, Sse), RunError> {
        let internal = |what: String| upload_invariant(p, what);
        let (Some(bucket), Some(control)) =
            (self.buckets.get(&p.bucket), self.control.bucket(&p.bucket))
        else {
            return Err(internal("its bucket does not exist".to_owned()));
        };
        let region = bucket.region.clone();
        let encryption = put_object::upload_encryption(control, p.encryption.as_ref());
        let bucket_key_default = control.bucket_key;
        let object_arn = ids::object_arn(&bucket.s3_name, &p.key);
        let bucket_arn = bucket.arn.clone();
        let aad = object_arn.as_bytes().to_vec();
        Ok(match &encryption {
            UploadEncryption::SseS3 => {
                let dek = self.rng.key()?;
                let sealed = Ciphertext::seal(upload, LayerKeys::One(&dek), &aad, &mut self.rng)?;
                let root = self
                    .s3_root
                    .get(&region)
                    .ok_or_else(|| internal(format!("S3 has no root key in {region}")))?;
                let wrapped = root.wrap(&aad, &dek, &mut self.rng)?;
                (sealed, Envelope::SseS3 { wrapped }, Sse::SseS3)
            }
            UploadEncryption::SseKms { bucket_key, .. } => {
                let (arn, key) = upload_key(&self.keys, key_arn).map_err(internal)?;
                let use_bucket_key = bucket_key.unwrap_or(bucket_key_default);
                // [U-BKEY] d.4: with a Bucket Key the context is the bucket ARN.
                let ctx_value = if use_bucket_key {
                    bucket_arn.clone()
                } else {
                    object_arn.clone()
                };
                let context = BTreeMap::from([("aws:s3:arn".to_owned(), ctx_value)]);
                let (dek, wrapped) = kms::generate_data_key(key, &context, &mut self.rng)?;
                let sealed = Ciphertext::seal(upload, LayerKeys::One(&dek), &aad, &mut self.rng)?;
                (
                    sealed,
                    Envelope::Kms {
                        key_arn: arn.clone(),
                        context,
                        wrapped,
                    },
                    Sse::SseKms {
                        key_arn: arn,
                        bucket_key: use_bucket_key,
                    },
                )
            }
            UploadEncryption::DsseKms { .. } => {
                let (arn, key) = upload_key(&self.keys, key_arn).map_err(internal)?;
                let context = BTreeMap::from([("aws:s3:arn".to_owned(), object_arn.clone())]);
                let (inner_key, inner) = kms::generate_data_key(key, &context, &mut self.rng)?;
                let (outer_key, outer) = kms::generate_data_key(key, &context, &mut self.rng)?;
                let keys = LayerKeys::Two {
                    outer: &outer_key,
                    inner: &inner_key,
                };
                let sealed = Ciphertext::seal(upload, keys, &aad, &mut self.rng)?;
                (
                    sealed,
                    Envelope::Dsse {
                        key_arn: arn.clone(),
                        context,
                        outer,
                        inner,
                    },
                    Sse::DsseKms { key_arn: arn },
                )
            }
            UploadEncryption::SseC { customer_key } => {
                if !self.customer_keys.contains_key(customer_key) {
                    let k = self.rng.key()?;
                    self.customer_keys.insert(customer_key.clone(), k);
                }
                let ck = &self.customer_keys[customer_key];
                let mut salt = [0u8; 16];
                self.rng.fill(&mut salt)?;
                let hmac = replication_crypto::customer_key_hmac(&salt, ck);
                let sealed = Ciphertext::seal(
                    upload,
                    LayerKeys::One(ck),
                    &sse_c_aad(&p.key),
                    &mut self.rng,
                )?;
                (
                    sealed,
                    Envelope::SseC { salt, hmac },
                    Sse::SseC {
                        customer_key: customer_key.clone(),
                    },
                )
            }
        })
    }

    fn delete_object(
        &mut self,
        idx: usize,
        bucket: &str,
        key: &str,
        version: Option<u32>,
    ) -> Result<(), RunError> {
        let b = self
            .buckets
            .get_mut(bucket)
            .ok_or_else(|| missing("bucket", bucket))?;
        match version {
            Some(n) => {
                let id = format!("v{n}");
                let before = b.objects.get(key).map_or(0, Vec::len);
                if let Some(vs) = b.objects.get_mut(key) {
                    // The id stays used: a later upload must not take it again.
                    let next = next_number(b.next_version.get(key).copied(), vs);
                    b.next_version.insert(key.to_owned(), next);
                    vs.retain(|v| *v.id != *id);
                }
                let removed = before != b.objects.get(key).map_or(0, Vec::len);
                // [U-WHAT]: version-specific deletes are never replicated.
                self.log(
                    idx,
                    if removed {
                        format!("DeleteObject `{bucket}/{key}` version {id}: version removed; version-specific deletes are never replicated")
                    } else {
                        format!("DeleteObject `{bucket}/{key}` version {id}: no such version, nothing changed")
                    },
                );
            }
            None if b.versioning == Versioning::Unversioned => {
                b.objects.remove(key);
                self.log(
                    idx,
                    format!("DeleteObject `{bucket}/{key}`: object removed (unversioned bucket)"),
                );
            }
            None => {
                let version = Version {
                    id: Arc::default(),
                    created_at: self.clock,
                    body: Body::DeleteMarker,
                    destinations: BTreeMap::new(),
                    replica_of: None,
                    not_eligible: Vec::new(),
                };
                let vid = self.add_version(bucket, key, version)?;
                let routing = self.route_new_version(
                    bucket,
                    key,
                    &vid,
                    TaskKind::DeleteMarker,
                    false,
                    &BTreeSet::new(),
                )?;
                self.log(
                    idx,
                    format!("DeleteObject `{bucket}/{key}` -> delete marker {vid}{routing}"),
                );
            }
        }
        Ok(())
    }

    fn put_tagging(&mut self, idx: usize, bucket: &str, key: &str, tags: &[(String, String)]) {
        let Some(v) = self
            .buckets
            .get_mut(bucket)
            .and_then(|b| b.objects.get_mut(key))
            .and_then(|vs| vs.last_mut())
        else {
            self.log(
                idx,
                format!("PutObjectTagging `{bucket}/{key}`: NoSuchKey, nothing changed"),
            );
            return;
        };
        let text = if let Body::Object(o) = &mut v.body {
            let mut new = (**o).clone();
            new.tags = tags.to_vec();
            *o = Arc::new(new);
            // [U-TRBL] [U-CFG]: tags added after creation do not make an object eligible for
            // tag-filtered live replication; Batch Replication can catch it.
            // Not modelled: S3 also replicates a tag change of an already replicated version to
            // its replicas ([U-WHAT]); here existing replicas keep the tags they were made with.
            format!(
                "PutObjectTagging `{bucket}/{key}` {}: tags set; live replication does not re-evaluate tag filters",
                v.id
            )
        } else {
            format!(
                "PutObjectTagging `{bucket}/{key}`: the current version is a delete marker (MethodNotAllowed)"
            )
        };
        self.log(idx, text);
    }

    /// Decides which destinations a new version replicates to and queues the work. Returns a
    /// suffix for the timeline line.
    pub(crate) fn route_new_version(
        &mut self,
        bucket: &str,
        key: &str,
        vid: &Arc<str>,
        kind: TaskKind,
        batch: bool,
        done: &BTreeSet<Arc<str>>,
    ) -> Result<String, RunError> {
        let missing = || {
            RunError::Internal(format!(
                "version {vid} of `{bucket}/{key}` was routed for replication but is not stored"
            ))
        };
        let b = self.buckets.get(bucket).ok_or_else(missing)?;
        let Some(config) = b.replication.clone() else {
            return Ok(String::new());
        };
        let source = Arc::clone(&b.name);
        let objects = &b.objects;
        let slot = objects.slot(key).ok_or_else(missing)?;
        let version = objects
            .at(slot)
            .iter()
            .find(|v| v.id == *vid)
            .ok_or_else(missing)?;
        // [U-WHAT]: replicas are not replicated again by live replication (no chaining).
        if version.replica_of.is_some() && !batch {
            return Ok("; a replica, so live replication does not replicate it again".into());
        }
        // The stored object is shared, not copied: routing only reads it.
        let object = match &version.body {
            Body::Object(o) => Some(Arc::clone(o)),
            Body::DeleteMarker => None,
        };
        let tags = object.as_ref().map_or(&[][..], |o| o.tags.as_slice());
        let sse = object.as_ref().map(|o| &o.sse);
        let storage_class = object.as_ref().map_or("", |o| o.storage_class.as_str());
        // aws-facts b: among matching rules with the same destination the highest priority wins;
        // rules with different destinations each replicate.
        let mut by_dest: BTreeMap<&str, &ResolvedRule> = BTreeMap::new();
        for rule in config.rules.iter().filter(|r| r.status.is_enabled()) {
            if !s3config::filter_matches(&rule.filter, key, tags) {
                continue;
            }
            match by_dest.get(&*rule.dest) {
                Some(existing) if existing.priority >= rule.priority => {}
                _ => {
                    by_dest.insert(&*rule.dest, rule);
                }
            }
        }
        if by_dest.is_empty() {
            return Ok("; no replication rule matches".into());
        }
        let mut queued = Vec::new();
        let mut skipped = Vec::new();
        for (dest, rule) in by_dest {
            if done.contains(dest) {
                continue;
            }
            let why = eligibility(rule, kind, sse, storage_class, &self.rules).err();
            if why == Some(NotEligible::SseKmsWithoutSseKmsEncryptedObjects) {
                // aws-facts d.3; no status at all is inferred.
                self.inferred.insert(InferredChoice::NoStatusWithoutOptIn);
            }
            match why {
                Some(why) => skipped.push(Skipped {
                    rule: Arc::clone(&rule.label),
                    why,
                }),
                None => {
                    queued.push((Arc::clone(&rule.dest), Arc::clone(&rule.label)));
                }
            }
        }
        let now = self.clock;
        let v = self
            .buckets
            .get_mut(bucket)
            .and_then(|b| b.objects.at_mut(slot))
            .and_then(|vs| vs.iter_mut().find(|v| v.id == *vid))
            .ok_or_else(missing)?;
        v.not_eligible.clone_from(&skipped);
        if kind == TaskKind::Object {
            for (dest, rule) in &queued {
                v.destinations
                    .insert(dest.clone(), (rule.clone(), DestStatus::Pending));
            }
        }
        for (dest, rule) in &queued {
            self.queue.push(Task {
                source: Arc::clone(&source),
                key: key.to_owned(),
                slot,
                version_id: Arc::clone(vid),
                rule: rule.clone(),
                dest: dest.clone(),
                kind,
                enqueued_at: now,
                attempts: 0,
                batch,
                missed_threshold: false,
            });
        }
        let mut out = String::new();
        for (i, (d, r)) in queued.iter().enumerate() {
            out.push_str(if i == 0 { "; PENDING to `" } else { ", `" });
            out.push_str(d);
            out.push_str("` via rule `");
            out.push_str(r);
            out.push('`');
        }
        for s in &skipped {
            let _ = write!(out, "; {s}");
        }
        Ok(out)
    }

    fn fault(&mut self, valid: &ValidSpec, idx: usize, f: &Fault) -> Result<(), RunError> {
        let internal = |what: String| {
            RunError::Internal(format!("validation accepted fault step {idx}, but {what}"))
        };
        let text = if let Some((key, op)) = KeyOp::of_fault(f) {
            self.key_fault(key, op).map_err(internal)?
        } else {
            match f {
                Fault::RevokeStatement { .. } | Fault::AddStatement { .. } => {
                    let (owner, compiled) = valid
                        .policy_changes()
                        .get(&idx)
                        .cloned()
                        .ok_or_else(|| internal("it has no compiled policy".to_owned()))?;
                    self.install_policy(&owner, compiled);
                    let verb = if matches!(f, Fault::RevokeStatement { .. }) {
                        "statement revoked from"
                    } else {
                        "statement added to"
                    };
                    format!("{verb} the {owner}")
                }
                Fault::SetBucketVersioning { bucket, versioning } => {
                    self.control
                        .buckets
                        .get_mut(bucket)
                        .ok_or_else(|| internal(format!("bucket `{bucket}` does not exist")))?
                        .put_bucket_versioning(*versioning)
                        .map_err(|e| internal(format!("S3 refuses it ({e:?})")))?;
                    self.sync_control();
                    self.last_bucket_call.insert(bucket.clone(), None);
                    format!("versioning of `{bucket}` set to {versioning:?}")
                }
                Fault::RegionUnavailable(r) => {
                    self.unavailable_regions.insert(r.clone());
                    format!("Region {r} is unavailable")
                }
                Fault::RegionAvailable(r) => {
                    self.unavailable_regions.remove(r);
                    format!("Region {r} is available again")
                }
                Fault::ThrottleKms { region, on } => {
                    if *on {
                        self.throttled_regions.insert(region.clone());
                        format!("KMS in {region} throttles requests (ThrottlingException)")
                    } else {
                        self.throttled_regions.remove(region);
                        format!("KMS in {region} stops throttling")
                    }
                }
                Fault::BlockSseC { bucket, blocked } => {
                    self.control
                        .buckets
                        .get_mut(bucket)
                        .ok_or_else(|| internal(format!("bucket `{bucket}` does not exist")))?
                        .put_blocked_encryption_types(*blocked);
                    self.sync_control();
                    format!(
                        "SSE-C {} on `{bucket}`",
                        if *blocked { "blocked" } else { "unblocked" }
                    )
                }
                Fault::DisableKey(_)
                | Fault::EnableKey(_)
                | Fault::ScheduleKeyDeletion { .. }
                | Fault::CancelKeyDeletion(_)
                | Fault::DeleteKeyMaterial(_) => {
                    return Err(internal("a key fault was not read as one".to_owned()));
                }
            }
        };
        self.log(idx, format!("fault: {text}"));
        Ok(())
    }

    /// A key fault through the same lifecycle validation dry-ran ([`crate::kms::lifecycle`]),
    /// then its effect on key material: a deleted key's material and aliases are gone.
    fn key_fault(&mut self, name: &str, op: KeyOp) -> Result<String, String> {
        let arn = self
            .key_names
            .get(name)
            .cloned()
            .ok_or_else(|| format!("key `{name}` has no ARN"))?;
        let life = self
            .control
            .keys
            .apply(name, op)
            .map_err(|e| format!("KMS refuses it ({e:?})"))?;
        self.sync_control();
        Ok(match (op, life) {
            (_, KeyLife::Deleted) => {
                format!(
                    "key `{name}` ({arn}) deleted after its waiting period; it no longer exists"
                )
            }
            (KeyOp::ScheduleKeyDeletion { pending_days }, KeyLife::Live(state)) => {
                format!("ScheduleKeyDeletion on key `{name}`: now {state} ({pending_days} days)")
            }
            (KeyOp::DisableKey, KeyLife::Live(state)) => {
                format!("DisableKey on key `{name}`: now {state}")
            }
            (KeyOp::EnableKey, KeyLife::Live(state)) => {
                format!("EnableKey on key `{name}`: now {state}")
            }
            (KeyOp::CancelKeyDeletion, KeyLife::Live(state)) => {
                format!("CancelKeyDeletion on key `{name}`: now {state}")
            }
            (KeyOp::DeleteKeyMaterial, KeyLife::Live(state)) => {
                return Err(format!("its deletion left key `{name}` {state}"));
            }
        })
    }

    /// Writes the control plane's bucket and key states into the fields the replication path
    /// reads (`Bucket::versioning`, `Bucket::blocks_sse_c`, `KmsKey::state`); a key whose
    /// deletion completed loses its material and aliases, so KMS answers `NotFoundException`.
    fn sync_control(&mut self) {
        for (name, control) in &self.control.buckets {
            if let Some(b) = self.buckets.get_mut(name) {
                b.versioning = control.versioning;
                b.blocks_sse_c = control.blocks_sse_c;
            }
        }
        for (name, life) in self.control.keys.lives() {
            let Some(arn) = self.key_names.get(name) else {
                continue;
            };
            match life {
                KeyLife::Live(state) => {
                    if let Some(k) = self.keys.get_mut(arn) {
                        k.state = state;
                    }
                }
                KeyLife::Deleted => {
                    if self.keys.remove(arn).is_some() {
                        self.aliases.retain(|_, target| target != arn);
                    }
                }
            }
        }
    }

    fn install_policy(&mut self, owner: &PolicyOwner, policy: Arc<Policy>) {
        match owner {
            PolicyOwner::Key(k) => {
                if let Some(key) = self.key_names.get(k).and_then(|arn| self.keys.get_mut(arn)) {
                    key.policy = policy;
                }
            }
            PolicyOwner::Bucket(b) => {
                if let Some(bucket) = self.buckets.get_mut(b) {
                    bucket.policy = Some(policy);
                }
            }
            PolicyOwner::RoleTrust(r) => {
                if let Some(role) = self.roles.get_mut(r) {
                    role.trust = policy;
                }
            }
            PolicyOwner::Role { role, policy: name } => {
                if let Some(r) = self.roles.get_mut(role) {
                    let label = format!("{role}/{name}");
                    r.policies
                        .insert(name.clone(), RolePolicy { label, policy });
                }
            }
        }
    }

    /// S3 RTC: operations still pending after 15 minutes raise `OperationMissedThreshold`.
    fn check_thresholds(&mut self) {
        // Without an RTC rule nothing can miss the threshold; skipping the scan keeps a long
        // queue from costing a pass per step.
        let any_rtc = self.buckets.values().any(|b| {
            b.replication
                .as_ref()
                .is_some_and(|c| c.rules.iter().any(|r| r.rtc))
        });
        if !any_rtc {
            return;
        }
        let now = self.clock;
        let mut events = Vec::new();
        for t in self.queue.iter_mut().filter(|t| {
            !t.missed_threshold && now.saturating_sub(t.enqueued_at) > RTC_THRESHOLD_SECONDS
        }) {
            let rtc = self.buckets[&*t.source]
                .replication
                .as_ref()
                .and_then(|c| c.rules.iter().find(|r| r.label == t.rule))
                .is_some_and(|r| r.rtc);
            if rtc {
                t.missed_threshold = true;
                events.push(ReplicationEvent {
                    at: now,
                    source: t.source.clone(),
                    rule: t.rule.clone(),
                    event: EventName::OperationMissedThreshold,
                    key: t.key.clone(),
                    version_id: t.version_id.clone(),
                    dest: t.dest.clone(),
                    reason: None,
                });
            }
        }
        self.events.extend(events);
    }

    fn expect(&mut self, idx: usize, e: &Expectation, at: Option<SourceLocation>) {
        let result = crate::expect::check(self, idx, at, e);
        self.expectations.push(result);
    }

    /// The bucket, current version and stored object GetObject would read, or its error.
    fn current_object(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<(&Bucket, &Version, &StoredObject), String> {
        let b = self
            .buckets
            .get(bucket)
            .ok_or_else(|| format!("no bucket `{bucket}`"))?;
        let v = self
            .current_version(bucket, key)
            .ok_or_else(|| format!("NoSuchKey: `{bucket}/{key}`"))?;
        let Body::Object(o) = &v.body else {
            return Err(format!(
                "NoSuchKey: the current version of `{bucket}/{key}` is a delete marker"
            ));
        };
        Ok((b, v, o))
    }

    /// Reads an object as GetObject would: decrypts the current version with the keys S3 holds
    /// (or the customer key for SSE-C). Used to show that replicas really hold the data.
    pub(crate) fn get_object(&self, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
        let (b, v, o) = self.current_object(bucket, key)?;
        let aad = ids::object_arn(&b.s3_name, key);
        self.open_stored(o, aad.as_bytes(), &b.region, key, None)
            .map_err(|e| format!("GetObject `{bucket}/{key}` {}: {e}", v.id))
    }

    /// Reads an SSE-KMS or DSSE-KMS object with another KMS key than the one S3 recorded, as a
    /// client holding a related multi-Region key in another Region would (aws-facts g).
    pub(crate) fn get_object_with_key(
        &self,
        bucket: &str,
        key: &str,
        kms_key: &str,
    ) -> Result<Vec<u8>, String> {
        let (b, v, o) = self.current_object(bucket, key)?;
        if !matches!(o.envelope, Envelope::Kms { .. } | Envelope::Dsse { .. }) {
            return Err(format!(
                "`{bucket}/{key}` is {}, not under a KMS key; read it with `get_object`",
                o.sse
            ));
        }
        let k = self
            .key_names
            .get(kms_key)
            .and_then(|arn| self.keys.get(arn))
            .ok_or_else(|| {
                format!("no KMS key `{kms_key}` exists at this point of the scenario")
            })?;
        let aad = ids::object_arn(&b.s3_name, key);
        self.open_stored(o, aad.as_bytes(), &b.region, key, Some(k))
            .map_err(|e| {
                format!(
                    "GetObject `{bucket}/{key}` {} with key `{kms_key}`: {e}",
                    v.id
                )
            })
    }

    pub(crate) fn open_stored(
        &self,
        o: &StoredObject,
        aad: &[u8],
        region: &str,
        key: &str,
        kms_override: Option<&KmsKey>,
    ) -> Result<Vec<u8>, crate::engine::OpenError> {
        use crate::engine::OpenError;
        let keys = self.data_keys(o, aad, region, kms_override)?;
        let aad = body_aad(&keys, aad, key);
        o.ciphertext
            .open(keys.layers(), &aad)
            .map_err(OpenError::Crypto)
    }

    /// Checks that a stored object opens as S3 in `region` would open it (every chunk
    /// authenticated and decrypted) without keeping the plaintext; returns its length.
    /// `scratch` holds one chunk and is reused by the caller (the engine verifies every replica
    /// this way, so a replica of any size costs one chunk of memory).
    pub(crate) fn verify_stored(
        &self,
        o: &StoredObject,
        aad: &[u8],
        region: &str,
        key: &str,
        scratch: &mut Vec<u8>,
    ) -> Result<u64, crate::engine::OpenError> {
        use crate::engine::OpenError;
        let keys = self.data_keys(o, aad, region, None)?;
        let aad = body_aad(&keys, aad, key);
        o.ciphertext
            .verify(keys.layers(), &aad, scratch)
            .map_err(OpenError::Crypto)
    }

    /// The data key(s) of a stored object as S3 in `region` recovers them: unwrapped with the
    /// Region's root key or the KMS key (which must exist and be usable) under the stored
    /// encryption context, or the customer key checked against S3's salted HMAC.
    pub(crate) fn data_keys(
        &self,
        o: &StoredObject,
        aad: &[u8],
        region: &str,
        kms_override: Option<&KmsKey>,
    ) -> Result<DataKeys<'_>, crate::engine::OpenError> {
        use crate::engine::OpenError;
        let kms_key = |key_arn: &String| match kms_override {
            Some(k) => Ok(k),
            None => self.keys.get(key_arn).ok_or_else(|| {
                OpenError::Kms(kms::KmsError::NotFound {
                    arn: key_arn.clone(),
                })
            }),
        };
        match &o.envelope {
            Envelope::SseS3 { wrapped } => {
                let root = self.s3_root.get(region).ok_or_else(|| {
                    OpenError::Kms(kms::KmsError::NotFound {
                        arn: format!("S3 root key of {region}"),
                    })
                })?;
                let dek = root.unwrap(aad, wrapped).map_err(OpenError::Crypto)?;
                Ok(DataKeys::One(dek))
            }
            Envelope::Kms {
                key_arn,
                context,
                wrapped,
            } => {
                let k = kms_key(key_arn)?;
                k.check_usable().map_err(OpenError::Kms)?;
                let dek = kms::decrypt_data_key(k, context, wrapped).map_err(OpenError::Kms)?;
                Ok(DataKeys::One(dek))
            }
            Envelope::Dsse {
                key_arn,
                context,
                outer,
                inner,
            } => {
                let k = kms_key(key_arn)?;
                k.check_usable().map_err(OpenError::Kms)?;
                Ok(DataKeys::Two {
                    outer: kms::decrypt_data_key(k, context, outer).map_err(OpenError::Kms)?,
                    inner: kms::decrypt_data_key(k, context, inner).map_err(OpenError::Kms)?,
                })
            }
            Envelope::SseC { salt, hmac } => {
                let Sse::SseC { customer_key } = &o.sse else {
                    return Err(OpenError::MissingCustomerKey);
                };
                let ck = self
                    .customer_keys
                    .get(customer_key)
                    .ok_or(OpenError::MissingCustomerKey)?;
                if !replication_crypto::verify_customer_key(salt, ck, hmac) {
                    return Err(OpenError::WrongCustomerKey);
                }
                Ok(DataKeys::Customer(ck))
            }
        }
    }
}

/// The data key(s) that open a stored object.
pub(crate) enum DataKeys<'w> {
    /// SSE-S3 and SSE-KMS: one data key.
    One(Key256),
    /// DSSE-KMS: a key per layer.
    Two { outer: Key256, inner: Key256 },
    /// SSE-C: the customer's key.
    Customer(&'w Key256),
}

impl DataKeys<'_> {
    /// The keys per layer of encryption.
    pub(crate) fn layers(&self) -> LayerKeys<'_> {
        match self {
            DataKeys::One(key) => LayerKeys::One(key),
            DataKeys::Two { outer, inner } => LayerKeys::Two { outer, inner },
            DataKeys::Customer(key) => LayerKeys::One(key),
        }
    }
}

/// A broken invariant in an upload validation accepted.
fn upload_invariant(p: &PutObjectSpec, what: String) -> RunError {
    RunError::Internal(format!(
        "validation accepted PutObject `{}/{}`, but {what}",
        p.bucket, p.key
    ))
}

/// The key S3 calls `GenerateDataKey` on for an upload, by the ARN the control plane resolved
/// ([`put_object::check`]); an error names the broken invariant.
fn upload_key<'k>(
    keys: &'k BTreeMap<String, KmsKey>,
    arn: Option<&str>,
) -> Result<(String, &'k KmsKey), String> {
    let arn = arn.ok_or("its KMS key did not resolve")?;
    let key = keys
        .get(arn)
        .ok_or_else(|| format!("its KMS key {arn} has no key material"))?;
    Ok((arn.to_owned(), key))
}

/// The number of a key's next own version: above every id present (replicas included) and above
/// every id the bucket gave the key before (`counter`), so no id is ever given twice.
fn next_number(counter: Option<u64>, present: &[Version]) -> u64 {
    let above_present = present
        .iter()
        .filter_map(|v| version_number(&v.id))
        .max()
        .map_or(1, |n| n + 1);
    above_present.max(counter.unwrap_or(1))
}

/// The number in a version id `v<N>` (`None` for `null`).
fn version_number(id: &str) -> Option<u64> {
    id.strip_prefix('v')?.parse().ok()
}

/// S3 RTC's threshold: 15 minutes ([U-RTC]).
pub(crate) const RTC_THRESHOLD_SECONDS: u64 = 15 * 60;

/// SSE-C data is bound to the object key only, so a replica (same key, other bucket) opens with
/// the same customer key: S3 copies SSE-C ciphertext as is (aws-facts d.6, replica encryption
/// inferred).
/// The AAD a stored body was sealed under: the object's own AAD, except that SSE-C bodies are
/// bound to their key name (see `sse_c_aad`). Borrowed unless the body is SSE-C.
fn body_aad<'a>(keys: &DataKeys, aad: &'a [u8], key: &str) -> std::borrow::Cow<'a, [u8]> {
    match keys {
        DataKeys::Customer(_) => std::borrow::Cow::Owned(sse_c_aad(key)),
        _ => std::borrow::Cow::Borrowed(aad),
    }
}

pub(crate) fn sse_c_aad(key: &str) -> Vec<u8> {
    let mut aad = b"sse-c:".to_vec();
    aad.extend_from_slice(key.as_bytes());
    aad
}

/// The ARN of a grantee. Validation resolved every name, so a name without an ARN is a broken
/// invariant, never an empty ARN.
fn principal_arn(p: &PrincipalRef, cat: &Catalog) -> Result<String, RunError> {
    Ok(match p {
        PrincipalRef::Role(r) => cat
            .roles
            .get(r)
            .map(|i| i.arn.clone())
            .ok_or_else(|| missing("role", r))?,
        PrincipalRef::Account(a) => {
            ids::account_root_arn(&cat.account_id(a).ok_or_else(|| missing("account", a))?)
        }
        PrincipalRef::Service(s) => s.clone(),
        PrincipalRef::Anyone => "*".into(),
        PrincipalRef::Arn(a) => a.clone(),
    })
}

/// A name of a valid scenario that did not resolve: validation guarantees it does.
fn missing(kind: &str, name: &str) -> RunError {
    RunError::Internal(format!(
        "{kind} `{name}` of a valid scenario has no entry in the catalog"
    ))
}

/// The policy validation compiled for `owner`.
fn compiled(valid: &ValidSpec, owner: &PolicyOwner) -> Result<Arc<Policy>, RunError> {
    valid.policies().get(owner).cloned().ok_or_else(|| {
        RunError::Internal(format!("the {owner} of a valid scenario was not compiled"))
    })
}

/// Whether a rule has S3 RTC on.
fn rtc(rule: &RuleSpec) -> bool {
    rule.destination
        .replication_time
        .is_some_and(|t| t.status.is_enabled())
}

#[cfg(test)]
mod tests {
    use crate::body::GeneratedBody;

    fn deterministic_bytes(key: &str, n: u64) -> Vec<u8> {
        GeneratedBody::new(key, n).to_vec()
    }

    /// The generator byte by byte, as first written: the word-at-a-time version must give the
    /// same bytes, or every scenario's objects (and their sizes in reports) would change.
    fn reference(key: &str, n: u64) -> Vec<u8> {
        let mut state = key.bytes().fold(0x9e37_79b9_7f4a_7c15_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let mut out = Vec::new();
        while (out.len() as u64) < n {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let take = usize::try_from((n - out.len() as u64).min(8)).unwrap_or(8);
            out.extend_from_slice(&state.to_le_bytes()[..take]);
        }
        out
    }

    #[test]
    fn object_bodies_are_the_same_bytes_for_every_length() {
        for n in (0..=33).chain([1023, 1024, 1025, 65_536]) {
            assert_eq!(
                deterministic_bytes("photos/a.jpg", n),
                reference("photos/a.jpg", n),
                "{n} bytes"
            );
        }
        assert_ne!(deterministic_bytes("a", 64), deterministic_bytes("b", 64));
    }
}
