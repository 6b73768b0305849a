//! The replication engine: one attempt replicates one source version to one destination, step by
//! step, each step a recorded permission decision or a real cryptographic operation.
//!
//! An attempt only reads the world, so the attempts of a `replicate` step run in parallel on all
//! cores; their results are applied in queue order, which keeps the report deterministic.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;
use replication_crypto::{CryptoError, Key256, KeySource};

use crate::FailureReason;
use crate::authz::{Caller, Decision};
use crate::body::{Ciphertext, LayerKeys};
use crate::catalog::KeyOrigin;
use crate::ids;
use crate::inferred::{InferredChoice, InferredSet};
use crate::kms::{self, KmsError, KmsKey};
use crate::spec::{BatchStatus, EventName, RoleRef, Versioning};
use crate::world::{
    Body, Bucket, DestStatus, Envelope, ReplicationConfig, ReplicationEvent, ReplicationStatus,
    ResolvedRule, Role, RuleMetrics, RunError, Sse, StoredObject, Task, TaskKind, Version, World,
    sse_c_aad,
};

/// Why reading a stored object failed.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{0}")]
    Crypto(CryptoError),
    #[error("{0}")]
    Kms(KmsError),
    #[error("the object is SSE-C and no customer key was presented")]
    MissingCustomerKey,
    #[error("the presented customer key does not match the salted HMAC S3 stored (AccessDenied)")]
    WrongCustomerKey,
}

/// One line of an attempt's trace: what S3 did and what decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceLine {
    /// The S3, KMS or STS action (or a parenthesized internal step such as `(verify)`).
    pub action: String,
    /// The ARN (or Region) it concerns.
    pub resource: String,
    /// The decision or what happened.
    pub result: String,
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptResult {
    /// The replica was written.
    Completed {
        /// The replica's version id in the destination: the source version's id, unless the
        /// destination already uses it for another version of the key.
        replica_version: Arc<str>,
        /// The replica's encryption (`None` for a delete marker).
        replica_sse: Option<Sse>,
    },
    /// S3 marked the source version FAILED.
    Failed {
        /// S3's failure reason code.
        reason: FailureReason,
        /// What failed, with the deciding policy statements.
        detail: String,
        /// How to fix it.
        fix: String,
    },
    /// A temporary condition: the task stays PENDING and is retried ([U-STATUS]).
    Pending {
        /// The temporary condition.
        why: String,
    },
}

/// The record of one attempt, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// Logical time of the attempt, in seconds.
    pub at: u64,
    /// The source bucket.
    pub source: Arc<str>,
    /// The object key.
    pub key: String,
    /// The source version id.
    pub version_id: Arc<str>,
    /// The rule that replicates it.
    pub rule: Arc<str>,
    /// The destination bucket.
    pub dest: Arc<str>,
    /// `object` or `delete marker`.
    pub kind: &'static str,
    /// The attempt number for this task (1-based).
    pub attempt: u32,
    /// Whether a Batch Replication job made the attempt.
    pub batch: bool,
    /// Each step and its decision (empty without `RunConfig::trace`).
    pub trace: Vec<TraceLine>,
    /// Remarks that are not failures.
    pub notes: Vec<String>,
    /// How the attempt ended.
    pub result: AttemptResult,
}

enum Verdict {
    /// The replica to write (its id is given when it is written) and its encryption.
    Done {
        replica: Version,
        sse: Option<Sse>,
    },
    Failed {
        reason: FailureReason,
        detail: String,
        fix: String,
    },
    Transient {
        why: String,
    },
}

struct Attempt<'w> {
    w: &'w World,
    memo: &'w StepMemo<'w>,
    trace: Vec<TraceLine>,
    notes: Vec<String>,
    /// The inferred choices this attempt relied on, recorded where each is made.
    inferred: InferredSet,
    keep_trace: bool,
}

impl Attempt<'_> {
    /// Records a step; `result` is only called when the trace is kept, so a run without trace
    /// writes no sentence.
    fn line<S: Into<String>>(&mut self, action: &str, resource: &str, result: impl FnOnce() -> S) {
        if self.keep_trace {
            self.trace.push(TraceLine {
                action: action.to_owned(),
                resource: resource.to_owned(),
                result: result().into(),
            });
        }
    }

    /// Records a decision; its sentence is written only when the trace is kept.
    fn decision(&mut self, action: &str, resource: &str, d: &Decision<'_>) {
        if self.keep_trace {
            self.trace.push(TraceLine {
                action: action.to_owned(),
                resource: resource.to_owned(),
                result: d.text(),
            });
        }
    }
}

fn failed(reason: FailureReason, detail: impl Into<String>, fix: impl Into<String>) -> Halt {
    Halt::Failed {
        reason,
        detail: detail.into(),
        fix: fix.into(),
    }
}

/// A KMS state error as the failure S3 reports for the source or destination key
/// ([U-FAIL]; mapping of states to `*KmsKeyInvalidState` per aws-facts d.8, inferred).
fn key_state_failure(side: Side, key: &KmsKey, err: &KmsError) -> Halt {
    let (reason, fix) = match (side, err) {
        (Side::Source, _) => (
            FailureReason::SrcKmsKeyInvalidState,
            format!(
                "enable key `{}` ({}); objects that failed meanwhile need Batch Replication",
                key.name, key.arn
            ),
        ),
        (Side::Destination, _) => (
            FailureReason::DstKmsKeyInvalidState,
            format!(
                "enable key `{}` ({}); objects that failed meanwhile need Batch Replication",
                key.name, key.arn
            ),
        ),
    };
    let fix = match key.state {
        kms::KeyState::PendingDeletion | kms::KeyState::PendingReplicaDeletion => {
            format!(
                "cancel the deletion of key `{}` (CancelKeyDeletion leaves it Disabled) and enable it; then run Batch Replication for the failed objects",
                key.name
            )
        }
        kms::KeyState::Creating => format!(
            "wait until the multi-Region replica `{}` is Enabled; failed objects need Batch Replication",
            key.name
        ),
        _ => fix,
    };
    failed(reason, err.to_string(), fix)
}

/// Whether KMS answers for `key` at all: throttling keeps the task PENDING ([U-STATUS], inferred
/// for throttling), a key state KMS refuses fails it.
fn kms_unavailable(a: &mut Attempt<'_>, action: &str, key: &KmsKey, side: Side) -> Option<Halt> {
    if a.w.throttled_regions.contains(&key.region) {
        a.line(action, &key.arn, || {
            format!("ThrottlingException in {}: S3 retries later", key.region)
        });
        a.inferred.insert(InferredChoice::ThrottlingPending);
        return Some(Halt::Transient {
            why: format!("KMS in {} is throttling", key.region),
        });
    }
    if let Err(e) = key.check_usable() {
        a.line(action, &key.arn, || e.to_string());
        a.inferred.insert(InferredChoice::KeyStateCodes);
        return Some(key_state_failure(side, key, &e));
    }
    None
}

#[derive(Debug, Clone, Copy)]
enum Side {
    Source,
    Destination,
}

impl World {
    /// Runs every queued task once (`replicate`), or only batch tasks (`batch_only`).
    pub(crate) fn replicate(&mut self, idx: usize, batch_only: bool) -> Result<(), RunError> {
        let queue = std::mem::take(&mut self.queue);
        let run: Vec<Task> = if batch_only {
            let (run, keep) = queue.into_iter().partition(|t| t.batch);
            self.queue = keep;
            run
        } else {
            queue
        };
        if run.is_empty() {
            self.log(
                idx,
                if batch_only {
                    "batch job: nothing to replicate".into()
                } else {
                    "replicate: no pending work".into()
                },
            );
            return Ok(());
        }
        let results: Vec<(Task, Result<AttemptOutput, RunError>)> = {
            let w: &World = self;
            let memo = step_memo(w, &run);
            let memo = &memo;
            let one = |worker: &mut Worker, t: Task| {
                let r = attempt(w, memo, &t, worker);
                (t, r)
            };
            if self.threads == 1 || run.len() == 1 {
                let mut worker = Worker::default();
                run.into_iter().map(|t| one(&mut worker, t)).collect()
            } else {
                run.into_par_iter().map_init(Worker::default, one).collect()
            }
        };
        let (mut completed, mut failed_n, mut pending) = (0, 0, 0);
        self.attempts.reserve(results.len());
        for (mut task, res) in results {
            let AttemptOutput {
                verdict,
                trace,
                mut notes,
                inferred,
                rule,
                dest_replicates,
            } = res?;
            self.inferred.extend(inferred);
            task.attempts += 1;
            let result = self.apply(&task, verdict, rule, &mut notes);
            match &result {
                AttemptResult::Completed { .. } => completed += 1,
                AttemptResult::Failed { .. } => failed_n += 1,
                AttemptResult::Pending { .. } => pending += 1,
            }
            let retry = matches!(result, AttemptResult::Pending { .. });
            if matches!(result, AttemptResult::Completed { .. })
                && task.kind == TaskKind::Object
                && dest_replicates
            {
                // [U-WHAT]: no chaining; the replica stays where it landed.
                notes.push(format!(
                    "`{}` has its own replication configuration, but live replication does not replicate replicas (no chaining); a Batch Replication job for REPLICA objects can",
                    task.dest
                ));
            }
            let kind = match task.kind {
                TaskKind::Object => "object",
                TaskKind::DeleteMarker => "delete marker",
            };
            let (attempt, batch) = (task.attempts, task.batch);
            // The record takes the task's names; only a retried task is still needed after it.
            let names = if retry {
                let names = (
                    task.source.clone(),
                    task.key.clone(),
                    task.version_id.clone(),
                    task.rule.clone(),
                    task.dest.clone(),
                );
                self.queue.push(task);
                names
            } else {
                (task.source, task.key, task.version_id, task.rule, task.dest)
            };
            let (source, key, version_id, rule, dest) = names;
            self.attempts.push(AttemptRecord {
                at: self.clock,
                source,
                key,
                version_id,
                rule,
                dest,
                kind,
                attempt,
                batch,
                trace,
                notes,
                result,
            });
        }
        let what = if batch_only { "batch job" } else { "replicate" };
        self.log(
            idx,
            format!("{what}: {completed} completed, {failed_n} failed, {pending} still pending"),
        );
        Ok(())
    }

    /// The counters of a rule, created on first use (the names are the task's shared strings,
    /// so this allocates only for a rule's first counter).
    fn rule_metrics(&mut self, source: &Arc<str>, rule: &Arc<str>) -> &mut RuleMetrics {
        self.metrics
            .entry(Arc::clone(source))
            .or_default()
            .entry(Arc::clone(rule))
            .or_default()
    }

    /// Writes what one attempt decided into the world, in task order: the replica, the source
    /// version's status, metrics and events. Everything that only reads the world was done by
    /// the attempt, in parallel.
    fn apply(
        &mut self,
        task: &Task,
        verdict: Verdict,
        rule: RuleFlags,
        notes: &mut Vec<String>,
    ) -> AttemptResult {
        let now = self.clock;
        match verdict {
            Verdict::Done { replica, sse } => {
                let created = replica.created_at;
                if task.kind == TaskKind::Object
                    && let Some(v) = self.task_version_mut(task)
                {
                    set_destination(
                        v,
                        task,
                        DestStatus::Completed {
                            replica_version: task.version_id.clone(),
                        },
                    );
                }
                let (rid, renamed) = self.add_replica(&task.dest, &task.key, replica);
                if let Some(note) = renamed {
                    self.inferred.insert(InferredChoice::ReplicaVersionIdTaken);
                    // Rare: the destination had the id already, so the replica took another;
                    // the source's status names the replica's actual id.
                    notes.push(note);
                    if let Some(v) = self.task_version_mut(task)
                        && task.kind == TaskKind::Object
                    {
                        set_destination(
                            v,
                            task,
                            DestStatus::Completed {
                                replica_version: rid.clone(),
                            },
                        );
                    }
                }
                let latency = now.saturating_sub(created);
                let m = self.rule_metrics(&task.source, &task.rule);
                m.completed += 1;
                m.max_latency = m.max_latency.max(latency);
                if rule.rtc && latency > crate::world::RTC_THRESHOLD_SECONDS {
                    self.events.push(ReplicationEvent {
                        at: now,
                        source: task.source.clone(),
                        rule: task.rule.clone(),
                        event: EventName::OperationReplicatedAfterThreshold,
                        key: task.key.clone(),
                        version_id: task.version_id.clone(),
                        dest: task.dest.clone(),
                        reason: None,
                    });
                }
                AttemptResult::Completed {
                    replica_version: rid,
                    replica_sse: sse,
                }
            }
            Verdict::Failed {
                reason,
                detail,
                fix,
            } => {
                if let Some(v) = self.task_version_mut(task)
                    && task.kind == TaskKind::Object
                {
                    set_destination(v, task, DestStatus::Failed { reason });
                }
                self.rule_metrics(&task.source, &task.rule).failed += 1;
                // [U-EVENTS]: failure events need replication metrics on the rule.
                if rule.metrics {
                    self.events.push(ReplicationEvent {
                        at: now,
                        source: task.source.clone(),
                        rule: task.rule.clone(),
                        event: EventName::OperationFailedReplication,
                        key: task.key.clone(),
                        version_id: task.version_id.clone(),
                        dest: task.dest.clone(),
                        reason: Some(reason),
                    });
                }
                AttemptResult::Failed {
                    reason,
                    detail,
                    fix,
                }
            }
            Verdict::Transient { why } => AttemptResult::Pending { why },
        }
    }

    /// A Batch Replication job: selects versions by replication status and replicates them with
    /// the bucket's configuration, replicas included ([U-SETUP], aws-facts c and e).
    pub(crate) fn batch_replicate(
        &mut self,
        idx: usize,
        bucket: &str,
        statuses: &[BatchStatus],
    ) -> Result<(), RunError> {
        let Some(source) = self.buckets.get(bucket) else {
            return Err(RunError::Internal(format!(
                "Batch Replication on `{bucket}`, which validation knows and the world does not"
            )));
        };
        let mut selected = Vec::new();
        for (key, versions) in &source.objects {
            for v in versions {
                if matches!(v.body, Body::DeleteMarker) {
                    continue;
                }
                let status = match v.status() {
                    None => BatchStatus::None,
                    Some(ReplicationStatus::Failed) => BatchStatus::Failed,
                    Some(ReplicationStatus::Completed) => BatchStatus::Completed,
                    Some(ReplicationStatus::Replica) => BatchStatus::Replica,
                    Some(ReplicationStatus::Pending) => continue,
                };
                if statuses.contains(&status) {
                    selected.push((key.clone(), v.id.clone(), status));
                }
            }
        }
        let n = selected.len();
        let mut routed = Vec::new();
        for (key, vid, status) in &selected {
            let mut done = BTreeSet::new();
            if let Some(v) = self.version_mut(bucket, key, vid) {
                // A FAILED version is re-attempted only for the destinations that failed; a
                // COMPLETED one (selected on purpose) starts over everywhere.
                if *status == BatchStatus::Completed {
                    v.destinations.clear();
                } else {
                    v.destinations
                        .retain(|_, (_, s)| matches!(s, DestStatus::Completed { .. }));
                    done = v.destinations.keys().cloned().collect();
                }
            }
            let r = self.route_new_version(bucket, key, vid, TaskKind::Object, true, &done)?;
            routed.push(format!("`{key}` {vid}{r}"));
        }
        let list: Vec<String> = statuses
            .iter()
            .map(|s| {
                match s {
                    BatchStatus::None => "NONE",
                    BatchStatus::Failed => "FAILED",
                    BatchStatus::Completed => "COMPLETED",
                    BatchStatus::Replica => "REPLICA",
                }
                .to_owned()
            })
            .collect();
        self.log(
            idx,
            format!(
                "Batch Replication job on `{bucket}` for {}: {n} version(s) selected",
                list.join(", ")
            ),
        );
        for r in routed {
            self.log(idx, format!("  batch: {r}"));
        }
        self.replicate(idx, true)
    }
}

/// Records the outcome for one destination of a source version (its entry normally exists since
/// routing marked it PENDING).
fn set_destination(v: &mut Version, task: &Task, status: DestStatus) {
    match v.destinations.get_mut(&task.dest) {
        Some((rule, s)) => {
            if *rule != task.rule {
                rule.clone_from(&task.rule);
            }
            *s = status;
        }
        None => {
            v.destinations
                .insert(task.dest.clone(), (task.rule.clone(), status));
        }
    }
}

/// What one attempt yields: the verdict, its trace and its notes, and what applying it needs
/// to know of the configuration (read here, in parallel, rather than in the sequential apply).
struct AttemptOutput {
    verdict: Verdict,
    trace: Vec<TraceLine>,
    notes: Vec<String>,
    inferred: InferredSet,
    rule: RuleFlags,
    /// The destination bucket has a replication configuration of its own.
    dest_replicates: bool,
}

/// Whether the task's rule has replication metrics and S3 RTC (both off if the rule is gone).
#[derive(Debug, Clone, Copy, Default)]
struct RuleFlags {
    metrics: bool,
    rtc: bool,
}

/// Replicates one task against a read-only world.
fn attempt<'w>(
    w: &'w World,
    memo: &StepMemo<'w>,
    task: &Task,
    worker: &mut Worker,
) -> Result<AttemptOutput, RunError> {
    let mut a = Attempt {
        w,
        memo,
        trace: Vec::new(),
        notes: Vec::new(),
        inferred: InferredSet::default(),
        keep_trace: w.trace,
    };
    // What the task names, looked up once: the attempt and the flags `apply` needs both use it.
    let Some(src) = w.buckets.get(&*task.source) else {
        return Err(RunError::Internal(format!(
            "a task of `{}`, a bucket the world does not have",
            task.source
        )));
    };
    let config = src.replication.as_deref();
    let named = Named {
        src,
        dst: w.buckets.get(&*task.dest),
        config,
        rule: config.and_then(|c| c.rules.iter().find(|r| r.label == task.rule)),
    };
    let verdict = run_attempt(&mut a, task, worker, &named)?;
    let rule = named.rule.map_or_else(RuleFlags::default, |r| RuleFlags {
        metrics: r.metrics,
        rtc: r.rtc,
    });
    let dest_replicates = named.dst.is_some_and(|b| b.replication.is_some());
    Ok(AttemptOutput {
        verdict,
        trace: a.trace,
        notes: a.notes,
        inferred: a.inferred,
        rule,
        dest_replicates,
    })
}

/// Decisions that every attempt of one `replicate` step would make alike, made once per source
/// bucket before the attempts start: S3 assuming the role, and reading the configuration. The
/// world does not change during a step, so each attempt would get the very same answer.
type StepMemo<'w> = BTreeMap<&'w str, SourceMemo<'w>>;

/// The step-wide decisions for one source bucket's configuration.
struct SourceMemo<'w> {
    /// The configuration's role, as its requests present it.
    caller: Caller<'w>,
    /// `sts:AssumeRole` by `s3.amazonaws.com` and by `batchoperations.s3.amazonaws.com`.
    assume: [Option<Decision<'w>>; 2],
    /// `s3:GetReplicationConfiguration` on the source bucket.
    get_config: Option<Decision<'w>>,
}

impl<'w> SourceMemo<'w> {
    fn assume(&self, batch: bool) -> Option<&Decision<'w>> {
        self.assume[usize::from(batch)].as_ref()
    }
}

/// Makes the step-wide decisions for the sources of `tasks`.
fn step_memo<'w>(w: &'w World, tasks: &[Task]) -> StepMemo<'w> {
    let mut memo: StepMemo<'w> = BTreeMap::new();
    for t in tasks {
        let Some((name, src)) = w.buckets.get_key_value(&*t.source) else {
            continue;
        };
        let Some(role) = src
            .replication
            .as_ref()
            .and_then(|c| w.config_role(&c.role))
        else {
            continue;
        };
        let entry = memo.entry(name.as_str()).or_insert_with(|| {
            let caller = Caller::new(role, w.trace);
            SourceMemo {
                assume: [None, None],
                get_config: Some(caller.s3("s3:GetReplicationConfiguration", &src.arn, src)),
                caller,
            }
        });
        let slot = &mut entry.assume[usize::from(t.batch)];
        if slot.is_none() {
            *slot = Some(entry.caller.assume(assume_service(t.batch)));
        }
    }
    memo
}

/// Who assumes the role ([U-PERM]): S3 for live replication, S3 Batch Operations for a job.
fn assume_service(batch: bool) -> &'static str {
    if batch {
        "batchoperations.s3.amazonaws.com"
    } else {
        "s3.amazonaws.com"
    }
}

/// What one thread keeps from attempt to attempt: its randomness, and buffers that would
/// otherwise be allocated and freed for every object.
#[derive(Debug, Default)]
struct Worker {
    rng: KeySource,
    /// The source and destination object ARNs of the current attempt.
    src_arn: String,
    dst_arn: String,
    /// One chunk of the replica's plaintext, as verifying opens it.
    scratch: Vec<u8>,
}

/// The buckets, configuration and rule a task names, as the world has them now (`None` for what
/// is gone).
struct Named<'w> {
    src: &'w Bucket,
    dst: Option<&'w Bucket>,
    config: Option<&'w crate::world::ReplicationConfig>,
    rule: Option<&'w crate::world::ResolvedRule>,
}

/// Why an attempt ends before a replica is verified: S3's verdict on the object (a failure, or
/// a temporary condition), or a broken invariant of the model.
enum Halt {
    /// S3 marks the source version FAILED with `reason`.
    Failed {
        reason: FailureReason,
        detail: String,
        fix: String,
    },
    /// A temporary condition: the task stays PENDING ([U-STATUS]).
    Transient {
        why: String,
    },
    Error(RunError),
}

impl From<RunError> for Halt {
    fn from(e: RunError) -> Halt {
        Halt::Error(e)
    }
}

impl From<CryptoError> for Halt {
    fn from(e: CryptoError) -> Halt {
        Halt::Error(RunError::Crypto(e))
    }
}

/// One step of an attempt: its result, or why the attempt ends there.
type Step<T> = Result<T, Halt>;

/// What every step after reading the configuration works with: the task, both buckets, the
/// rule, the role as its requests present it, and the object ARNs (borrowed from the worker's
/// buffers, so an attempt builds none).
struct Sides<'a, 'w> {
    task: &'a Task,
    src: &'w Bucket,
    dst: &'w Bucket,
    rule: &'w ResolvedRule,
    role: &'w Role,
    /// The role as the configuration names it, for fix hints.
    role_label: &'a str,
    caller: &'a Caller<'w>,
    src_obj_arn: &'a str,
    dst_obj_arn: &'a str,
}

fn run_attempt(
    a: &mut Attempt<'_>,
    task: &Task,
    worker: &mut Worker,
    named: &Named<'_>,
) -> Result<Verdict, RunError> {
    match replicate(a, task, worker, named) {
        Ok(v) => Ok(v),
        Err(Halt::Failed {
            reason,
            detail,
            fix,
        }) => Ok(Verdict::Failed {
            reason,
            detail,
            fix,
        }),
        Err(Halt::Transient { why }) => Ok(Verdict::Transient { why }),
        Err(Halt::Error(e)) => Err(e),
    }
}

/// The attempt's steps in S3's order: assume the role, read the configuration, read the source,
/// decrypt it, choose the replica's encryption and write it, verify it.
fn replicate(
    a: &mut Attempt<'_>,
    task: &Task,
    worker: &mut Worker,
    named: &Named<'_>,
) -> Step<Verdict> {
    let Worker {
        rng,
        src_arn,
        dst_arn,
        scratch,
    } = worker;
    let src = named.src;
    let (dst, config, rule) = still_configured(task, named)?;
    available(a, src, dst)?;
    let role = configured_role(a, config)?;
    // Fix hints name the role as the configuration does.
    let role_label: Cow<'_, str> = match &config.role {
        RoleRef::Named(_) => Cow::Borrowed(&role.label),
        RoleRef::Arn(a) => Cow::Owned(format!("role {a}")),
    };
    // The step's decisions for this source were made for this very role.
    let memo = a
        .memo
        .get(&*task.source)
        .filter(|m| std::ptr::eq(m.caller.role, role));
    let own_caller;
    let caller = match memo {
        Some(m) => &m.caller,
        None => {
            own_caller = Caller::new(role, a.w.trace);
            &own_caller
        }
    };
    assume_role(a, task, memo, caller, &role_label)?;
    read_configuration(a, memo, caller, src, &role_label)?;
    let s = Sides {
        task,
        src,
        dst,
        rule,
        role,
        role_label: &role_label,
        caller,
        src_obj_arn: ids::write_object_arn(src_arn, &src.s3_name, &task.key),
        dst_obj_arn: ids::write_object_arn(dst_arn, &dst.s3_name, &task.key),
    };
    let version = source_version(&s)?;
    destination_versioned(a, &s)?;
    let obj = match &version.body {
        Body::DeleteMarker => {
            replicate_delete(a, &s)?;
            return Ok(done(task, version.created_at, Body::DeleteMarker, None));
        }
        Body::Object(o) => o,
    };
    let tags = read_source(a, &s, obj)?;
    let keys = decrypt_source(a, &s, obj)?;
    let replica = match (&obj.sse, keys) {
        (Sse::SseS3, SourceKeys::One(src_key)) => {
            write_sse_s3_replica(a, &s, obj, &src_key, tags, rng)?
        }
        (
            Sse::SseKms { .. } | Sse::DsseKms { .. },
            keys @ (SourceKeys::One(_) | SourceKeys::Two { .. }),
        ) => {
            let key = choose_replica_key(a, &s)?;
            write_kms_replica(a, &s, obj, key, keys, tags, rng)?
        }
        (Sse::SseC { customer_key }, SourceKeys::CustomerKey) => {
            write_sse_c_replica(a, &s, obj, customer_key, tags)?
        }
        _ => return Err(unreachable_keys().into()),
    };
    verify_replica(a, &s, obj, &replica, scratch)?;
    let sse = Some(replica.sse.clone());
    Ok(done(
        task,
        version.created_at,
        Body::Object(Arc::new(replica)),
        sse,
    ))
}

/// The destination, configuration and rule the task names, if they still exist.
fn still_configured<'w>(
    task: &Task,
    named: &Named<'w>,
) -> Step<(&'w Bucket, &'w ReplicationConfig, &'w ResolvedRule)> {
    let Some(dst) = named.dst else {
        return Err(failed(
            FailureReason::DstBucketNotFound,
            format!("destination bucket `{}` does not exist", task.dest),
            "create the destination bucket or fix the rule's destination",
        ));
    };
    let Some(config) = named.config else {
        return Err(failed(
            FailureReason::SrcBucketReplicationConfigMissing,
            "the source bucket has no replication configuration",
            "put the replication configuration back",
        ));
    };
    let Some(rule) = named.rule else {
        return Err(failed(
            FailureReason::SrcBucketReplicationConfigMissing,
            format!("rule `{}` is no longer in the configuration", task.rule),
            "restore the rule",
        ));
    };
    Ok((dst, config, rule))
}

/// Temporary conditions keep the object PENDING ([U-STATUS]).
fn available(a: &mut Attempt<'_>, src: &Bucket, dst: &Bucket) -> Step<()> {
    for region in [&src.region, &dst.region] {
        if a.w.unavailable_regions.contains(region) {
            a.line("(availability)", region, || {
                format!("Region {region} is unavailable: S3 retries later")
            });
            return Err(Halt::Transient {
                why: format!("Region {region} is unavailable"),
            });
        }
    }
    Ok(())
}

/// The role the configuration names, if it exists.
fn configured_role<'w>(a: &mut Attempt<'w>, config: &ReplicationConfig) -> Step<&'w Role> {
    if let Some(role) = a.w.config_role(&config.role) {
        return Ok(role);
    }
    let role_label = match &config.role {
        RoleRef::Named(n) => format!("role `{n}`"),
        RoleRef::Arn(a) => format!("role {a}"),
    };
    a.line(
        "sts:AssumeRole",
        &role_label,
        || "DENY: the role does not exist",
    );
    Err(failed(
        FailureReason::AssumeRoleNotPermitted,
        format!("{role_label} does not exist"),
        "create the role or name an existing one in the replication configuration",
    ))
}

/// Step 1: S3 assumes the role (Batch Replication: batchoperations.s3.amazonaws.com, [U-PERM]).
fn assume_role(
    a: &mut Attempt<'_>,
    task: &Task,
    memo: Option<&SourceMemo<'_>>,
    caller: &Caller<'_>,
    role_label: &str,
) -> Step<()> {
    let service = assume_service(task.batch);
    let assumed;
    let d = match memo.and_then(|m| m.assume(task.batch)) {
        Some(d) => d,
        None => {
            assumed = caller.assume(service);
            &assumed
        }
    };
    a.decision("sts:AssumeRole", &caller.role.arn, d);
    if d.allowed {
        return Ok(());
    }
    Err(failed(
        FailureReason::AssumeRoleNotPermitted,
        format!("{service} may not assume {role_label}: {}", d.text()),
        d.fix_for(
            &format!("the trust policy of {role_label}"),
            &format!("allow `sts:AssumeRole` for service principal `{service}`"),
        ),
    ))
}

/// Step 2: Read the replication configuration of the source bucket.
fn read_configuration(
    a: &mut Attempt<'_>,
    memo: Option<&SourceMemo<'_>>,
    caller: &Caller<'_>,
    src: &Bucket,
    role_label: &str,
) -> Step<()> {
    let read;
    let d = match memo.and_then(|m| m.get_config.as_ref()) {
        Some(d) => d,
        None => {
            read = caller.s3("s3:GetReplicationConfiguration", &src.arn, src);
            &read
        }
    };
    a.decision("s3:GetReplicationConfiguration", &src.arn, d);
    if d.allowed {
        return Ok(());
    }
    // No dedicated code; SrcBucketReplicationConfigMissing is the closest (aws-facts a.2, inferred).
    a.inferred.insert(InferredChoice::ConfigReadDenied);
    Err(failed(
        FailureReason::SrcBucketReplicationConfigMissing,
        d.text(),
        d.fix_for(
            role_label,
            &format!("allow `s3:GetReplicationConfiguration` on `{}`", src.arn),
        ),
    ))
}

/// The source version the task replicates, if it still exists.
fn source_version<'w>(s: &Sides<'_, 'w>) -> Step<&'w Version> {
    let task = s.task;
    s.src
        .objects
        .at(task.slot)
        .iter()
        .find(|v| v.id == task.version_id)
        .ok_or_else(|| {
            failed(
                FailureReason::SrcVersionNotFound,
                format!(
                    "version {} of `{}` no longer exists",
                    task.version_id, task.key
                ),
                "nothing to fix: the version was deleted before it replicated",
            )
        })
}

/// The destination must be versioned (aws-facts a.1).
fn destination_versioned(a: &mut Attempt<'_>, s: &Sides<'_, '_>) -> Step<()> {
    let dst = s.dst;
    if dst.versioning == Versioning::Enabled {
        return Ok(());
    }
    a.line("(destination)", &dst.arn, || {
        format!("versioning is {:?}", dst.versioning)
    });
    Err(failed(
        FailureReason::DstBucketUnversioned,
        format!(
            "destination bucket `{}` has versioning {:?}",
            s.task.dest, dst.versioning
        ),
        format!(
            "enable versioning on `{}`; then run Batch Replication for the failed objects",
            s.task.dest
        ),
    ))
}

/// A delete marker needs only `s3:ReplicateDelete` on the destination ([U-PERM]).
fn replicate_delete(a: &mut Attempt<'_>, s: &Sides<'_, '_>) -> Step<()> {
    let (dst, dst_obj_arn) = (s.dst, s.dst_obj_arn);
    let d = s.caller.s3("s3:ReplicateDelete", dst_obj_arn, dst);
    a.decision("s3:ReplicateDelete", dst_obj_arn, &d);
    if d.allowed {
        return Ok(());
    }
    Err(failed(
        FailureReason::DstDelObjNotPermitted,
        d.text(),
        d.fix_for(
            &bucket_fix_policies(&d, s.role, s.role_label, dst, &s.task.dest),
            &format!("allow `s3:ReplicateDelete` on `{}/*`", dst.arn),
        ),
    ))
}

/// Steps 3-4: Read the source version: the owner must let the bucket owner read it, then the role
/// reads the object, its ACL, its tags and its Object Lock settings. Returns the tags the
/// replica gets.
fn read_source(
    a: &mut Attempt<'_>,
    s: &Sides<'_, '_>,
    obj: &StoredObject,
) -> Step<Vec<(String, String)>> {
    let (src, caller, src_obj_arn) = (s.src, s.caller, s.src_obj_arn);
    // The object's owner must let the bucket owner read it and its ACL: aws-facts a.1 [U-REQ]
    // [U-FAIL], whose failure-code table names `SrcGetAclNotPermitted` for it.
    if obj.owner_account != src.account_id && !obj.owner_grants_read {
        a.line("(object ACL)", src_obj_arn, || {
            format!(
                "owned by account {} without READ/READ_ACP for the bucket owner",
                obj.owner_account
            )
        });
        return Err(failed(
            FailureReason::SrcGetAclNotPermitted,
            format!(
                "the object is owned by account {} and its ACL does not grant the bucket owner READ and READ_ACP",
                obj.owner_account
            ),
            "have the object owner grant the bucket owner READ and READ_ACP (or use bucket owner enforced Object Ownership)",
        ));
    }
    read_object_version(a, s, obj)?;
    let d = caller.s3("s3:GetObjectVersionAcl", src_obj_arn, src);
    a.decision("s3:GetObjectVersionAcl", src_obj_arn, &d);
    if !d.allowed {
        return Err(failed(
            FailureReason::SrcGetAclNotPermitted,
            d.text(),
            d.fix_for(
                s.role_label,
                &format!("allow `s3:GetObjectVersionAcl` on `{}/*`", src.arn),
            ),
        ));
    }
    let mut tags = obj.tags.clone();
    if !tags.is_empty() {
        let d = caller.s3("s3:GetObjectVersionTagging", src_obj_arn, src);
        a.decision("s3:GetObjectVersionTagging", src_obj_arn, &d);
        if !d.allowed {
            // [U-PERM]: without it S3 still replicates the object, just without tags (the
            // failure-code list has SrcGetTaggingNotPermitted too; the docs conflict).
            a.notes
                .push("the role cannot read tags, so the replica has no tags ([U-PERM])".into());
            tags.clear();
        }
    }
    if src.object_lock {
        read_object_lock(a, s)?;
    }
    Ok(tags)
}

/// `s3:GetObjectVersionForReplication`, or for an object that is not KMS-encrypted the older
/// `s3:GetObjectVersion` ([U-PERM] [U-KMSREPL]).
fn read_object_version(a: &mut Attempt<'_>, s: &Sides<'_, '_>, obj: &StoredObject) -> Step<()> {
    let (src, caller, src_obj_arn) = (s.src, s.caller, s.src_obj_arn);
    let d = caller.s3("s3:GetObjectVersionForReplication", src_obj_arn, src);
    a.decision("s3:GetObjectVersionForReplication", src_obj_arn, &d);
    if d.allowed {
        return Ok(());
    }
    let is_kms = matches!(obj.sse, Sse::SseKms { .. } | Sse::DsseKms { .. });
    let alt = caller.s3("s3:GetObjectVersion", src_obj_arn, src);
    a.decision("s3:GetObjectVersion", src_obj_arn, &alt);
    if alt.allowed && !is_kms {
        a.notes.push("s3:GetObjectVersion let S3 read this unencrypted or SSE-S3 object; AWS recommends s3:GetObjectVersionForReplication, which SSE-KMS objects need".into());
        return Ok(());
    }
    let extra = if alt.allowed {
        " (s3:GetObjectVersion is allowed, but it does not cover SSE-KMS or DSSE-KMS objects)"
    } else {
        ""
    };
    Err(failed(
        FailureReason::SrcGetObjectNotPermitted,
        format!("{}{extra}", d.text()),
        d.fix_for(
            s.role_label,
            &format!(
                "allow `s3:GetObjectVersionForReplication` on `{}/*`",
                src.arn
            ),
        ),
    ))
}

/// Object Lock: the role reads retention and legal hold, and the destination needs Object Lock
/// too (aws-facts a.1, e).
fn read_object_lock(a: &mut Attempt<'_>, s: &Sides<'_, '_>) -> Step<()> {
    let (src, src_obj_arn) = (s.src, s.src_obj_arn);
    for (action, reason) in [
        (
            "s3:GetObjectRetention",
            FailureReason::SrcGetRetentionNotPermitted,
        ),
        (
            "s3:GetObjectLegalHold",
            FailureReason::SrcGetLegalHoldNotPermitted,
        ),
    ] {
        let d = s.caller.s3(action, src_obj_arn, src);
        a.decision(action, src_obj_arn, &d);
        if !d.allowed {
            return Err(failed(
                reason,
                d.text(),
                d.fix_for(
                    s.role_label,
                    &format!("allow `{action}` on `{}/*`", src.arn),
                ),
            ));
        }
    }
    if s.dst.object_lock {
        return Ok(());
    }
    Err(failed(
        FailureReason::DstBucketObjectLockConfigMissing,
        format!("the source has Object Lock and `{}` does not", s.task.dest),
        format!("enable Object Lock on `{}`", s.task.dest),
    ))
}

/// Step 5: Decrypt the source: the data key(s) of its envelope.
fn decrypt_source(a: &mut Attempt<'_>, s: &Sides<'_, '_>, obj: &StoredObject) -> Step<SourceKeys> {
    let (w, src) = (a.w, s.src);
    let src_aad = s.src_obj_arn.as_bytes();
    match &obj.envelope {
        Envelope::SseS3 { wrapped } => {
            a.line(
                "(SSE-S3 decrypt)",
                &src.region,
                || "S3 unwraps the data key with its own key: no KMS call, no permission",
            );
            let root = w.s3_root.get(&src.region).ok_or_else(|| {
                RunError::Internal(format!("no SSE-S3 root key in {}", src.region))
            })?;
            Ok(SourceKeys::One(root.unwrap(src_aad, wrapped)?))
        }
        Envelope::Kms {
            key_arn,
            context,
            wrapped,
        }
        | Envelope::Dsse {
            key_arn,
            context,
            outer: wrapped,
            ..
        } => {
            let key = source_kms_key(a, s, key_arn, context)?;
            let open = |wrapped| {
                kms::decrypt_data_key(key, context, wrapped)
                    .map_err(|e| RunError::Internal(format!("stored data key does not open: {e}")))
            };
            let first = open(wrapped)?;
            match &obj.envelope {
                Envelope::Dsse { inner, .. } => Ok(SourceKeys::Two {
                    outer: first,
                    inner: open(inner)?,
                }),
                _ => Ok(SourceKeys::One(first)),
            }
        }
        Envelope::SseC { .. } => {
            // Routing never queues an SSE-C object the rule set does not replicate (the rule
            // lives in `crate::s3::eligibility`); this guard asks the same rule.
            if !crate::s3::eligibility::sse_c_replicates(&w.rules) {
                return Err(failed(
                    FailureReason::SrcObjectNotEligible,
                    "SSE-C objects are not replicated under rule set exam_guide",
                    "run under aws_2026 or use SSE-S3/SSE-KMS",
                ));
            }
            a.line("(SSE-C)", s.src_obj_arn, || "S3 copies the ciphertext as is: it never holds the customer key (no extra permissions)");
            Ok(SourceKeys::CustomerKey)
        }
    }
}

/// The source object's KMS key, if it exists, answers, and lets the role `kms:Decrypt`.
fn source_kms_key<'w>(
    a: &mut Attempt<'w>,
    s: &Sides<'_, '_>,
    key_arn: &str,
    context: &BTreeMap<String, String>,
) -> Step<&'w KmsKey> {
    let Some(key) = a.w.keys.get(key_arn) else {
        a.line(
            "kms:Decrypt",
            key_arn,
            || "NotFoundException: the key no longer exists",
        );
        // Inferred: a deleted source key shows as an invalid key state, which is the
        // key-state mapping's code too.
        a.inferred.insert(InferredChoice::DeletedSourceKey);
        a.inferred.insert(InferredChoice::KeyStateCodes);
        return Err(failed(
            FailureReason::SrcKmsKeyInvalidState,
            format!("NotFoundException: key {key_arn} was deleted"),
            "nothing can decrypt this object any more: a deleted KMS key cannot be recovered",
        ));
    };
    if let Some(v) = kms_unavailable(a, "kms:Decrypt", key, Side::Source) {
        return Err(v);
    }
    let d = s.caller.kms("kms:Decrypt", key, context, &s.src.region);
    a.decision("kms:Decrypt", &key.arn, &d);
    if d.allowed {
        return Ok(key);
    }
    // No dedicated code for a source KMS denial; SrcGetObjectNotPermitted is the most
    // plausible (aws-facts e, inferred).
    a.inferred.insert(InferredChoice::SrcKmsDenied);
    Err(failed(
        FailureReason::SrcGetObjectNotPermitted,
        format!("kms:Decrypt of the source key `{}`: {}", key.name, d.text()),
        kms_fix(&d, s.role, s.role_label, key, "kms:Decrypt", ""),
    ))
}

/// Steps 6-7: An SSE-S3 replica: the source's type ([U-KMSREPL] d.1), under a new data key that S3
/// wraps in the destination Region.
fn write_sse_s3_replica(
    a: &mut Attempt<'_>,
    s: &Sides<'_, '_>,
    obj: &StoredObject,
    src_key: &Key256,
    tags: Vec<(String, String)>,
    rng: &mut KeySource,
) -> Step<StoredObject> {
    let dst = s.dst;
    write_checks(a, s, &tags)?;
    let dst_aad = s.dst_obj_arn.as_bytes();
    let new_key = rng.key()?;
    let sealed = obj.ciphertext.reseal(
        LayerKeys::One(src_key),
        s.src_obj_arn.as_bytes(),
        LayerKeys::One(&new_key),
        dst_aad,
        rng,
    )?;
    let root =
        a.w.s3_root
            .get(&dst.region)
            .ok_or_else(|| RunError::Internal(format!("no SSE-S3 root key in {}", dst.region)))?;
    let wrapped = root.wrap(dst_aad, &new_key, rng)?;
    a.line(
        "(SSE-S3 encrypt)",
        &dst.region,
        || "re-encrypted under a new data key, wrapped by S3 in the destination Region",
    );
    Ok(replica_object(
        obj,
        sealed,
        Envelope::SseS3 { wrapped },
        Sse::SseS3,
        tags,
        s.rule,
        dst,
    ))
}

/// Step 6: The replica KMS key: the rule's `ReplicaKmsKeyID`, which must exist in the destination
/// Region and answer ([U-KMSREPL] d.3).
fn choose_replica_key<'w>(a: &mut Attempt<'w>, s: &Sides<'_, '_>) -> Step<&'w KmsKey> {
    let (w, dst) = (a.w, s.dst);
    let Some(replica_ref) = &s.rule.replica_key else {
        return Err(failed(
            FailureReason::DstKmsKeyNotFound,
            "the rule has no ReplicaKmsKeyID",
            "add `replica_kms_key` to the rule",
        ));
    };
    let (arn, key) = w.replica_key(&s.role.account_id, replica_ref, dst);
    let Some(key) = key else {
        a.line("kms:Encrypt", &arn, || "NotFoundException: no such key");
        return Err(failed(
            FailureReason::DstKmsKeyNotFound,
            format!(
                "ReplicaKmsKeyID {arn} does not exist (PutBucketReplication does not validate KMS keys)"
            ),
            "create the key in the destination Region, or point `replica_kms_key` at an existing key there",
        ));
    };
    if key.region != dst.region {
        a.line("kms:Encrypt", &key.arn, || {
            format!(
                "NotFoundException: KMS in {} has no key {}",
                dst.region, key.arn
            )
        });
        // Inferred: KMS keys are Regional, so the destination Region's KMS cannot find it.
        a.inferred.insert(InferredChoice::WrongRegionReplicaKey);
        return Err(failed(
            FailureReason::DstKmsKeyNotFound,
            format!(
                "ReplicaKmsKeyID {} is in {}, but the destination bucket `{}` is in {}; KMS keys never leave their Region",
                key.arn, key.region, s.task.dest, dst.region
            ),
            format!(
                "use a key in {} for `replica_kms_key` (a multi-Region replica of the source key works, but S3 still re-encrypts)",
                dst.region
            ),
        ));
    }
    if let Some(v) = kms_unavailable(a, "kms:Encrypt", key, Side::Destination) {
        return Err(v);
    }
    Ok(key)
}

/// Step 7: An SSE-KMS or DSSE-KMS replica under the replica key: the role must `kms:Encrypt` (and,
/// with a Bucket Key, `kms:Decrypt`) and write the replica; S3 re-encrypts under new data keys.
fn write_kms_replica(
    a: &mut Attempt<'_>,
    s: &Sides<'_, '_>,
    obj: &StoredObject,
    key: &KmsKey,
    keys: SourceKeys,
    tags: Vec<(String, String)>,
    rng: &mut KeySource,
) -> Step<StoredObject> {
    let dst = s.dst;
    let src_bucket_key = matches!(
        obj.sse,
        Sse::SseKms {
            bucket_key: true,
            ..
        }
    );
    let dsse = matches!(obj.sse, Sse::DsseKms { .. });
    let replica_bucket_key = !dsse && (src_bucket_key || dst.bucket_key);
    // [U-KMSREPL] [U-BKEY] d.4: with a Bucket Key on either side the context is the
    // destination bucket ARN.
    let ctx_value = if replica_bucket_key {
        dst.arn.clone()
    } else {
        s.dst_obj_arn.to_owned()
    };
    let context = BTreeMap::from([("aws:s3:arn".to_owned(), ctx_value)]);
    replica_key_permissions(a, s, key, &context, replica_bucket_key)?;
    write_checks(a, s, &tags)?;
    kms_replica_notes(a, s, obj, key);
    let (sealed, envelope) = reseal_under_kms(s, obj, key, keys, context, rng)?;
    let sse = if dsse {
        Sse::DsseKms {
            key_arn: key.arn.clone(),
        }
    } else {
        Sse::SseKms {
            key_arn: key.arn.clone(),
            bucket_key: replica_bucket_key,
        }
    };
    a.line("(encrypt)", &key.arn, || {
        format!("re-encrypted under a new data key wrapped by {}", key.arn)
    });
    Ok(replica_object(
        obj, sealed, envelope, sse, tags, s.rule, dst,
    ))
}

/// The role's KMS permissions on the replica key ([U-KMSREPL]).
fn replica_key_permissions(
    a: &mut Attempt<'_>,
    s: &Sides<'_, '_>,
    key: &KmsKey,
    context: &BTreeMap<String, String>,
    bucket_key: bool,
) -> Step<()> {
    let region = &s.dst.region;
    let d = s.caller.kms("kms:Encrypt", key, context, region);
    a.decision("kms:Encrypt", &key.arn, &d);
    if !d.allowed {
        return Err(failed(
            FailureReason::DstPutObjectNotPermitted,
            d.text(),
            kms_fix(&d, s.role, s.role_label, key, "kms:Encrypt", ""),
        ));
    }
    if !bucket_key {
        return Ok(());
    }
    // [U-KMSREPL]: S3 checks the Bucket Key's integrity with Decrypt on the replica key.
    let d = s.caller.kms("kms:Decrypt", key, context, region);
    a.decision("kms:Decrypt (Bucket Key check)", &key.arn, &d);
    if d.allowed {
        return Ok(());
    }
    Err(failed(
        FailureReason::DstPutObjectNotPermitted,
        d.text(),
        kms_fix(
            &d,
            s.role,
            s.role_label,
            key,
            "kms:Decrypt",
            " (needed with S3 Bucket Keys)",
        ),
    ))
}

/// Remarks on a KMS replica that are not failures: an `aws/s3` key the destination owner
/// cannot use, and related multi-Region keys that still re-encrypt.
fn kms_replica_notes(a: &mut Attempt<'_>, s: &Sides<'_, '_>, obj: &StoredObject, key: &KmsKey) {
    let dst = s.dst;
    if key.origin == KeyOrigin::AwsManaged && key.account_id != dst.account_id {
        a.notes.push(format!("the replica is under the AWS managed key aws/s3 of account {}, which cannot be shared: the destination owner ({}) cannot decrypt it; use a customer managed key", key.account_id, dst.account_id));
    }
    if let Some(src_key_arn) = match &obj.sse {
        Sse::SseKms { key_arn, .. } | Sse::DsseKms { key_arn } => Some(key_arn),
        _ => None,
    } {
        let src_key = a.w.keys.get(src_key_arn);
        if src_key.is_some_and(|k| k.key_id == key.key_id && k.arn != key.arn) {
            a.notes.push(format!("source and replica keys are related multi-Region keys (same key id {}), yet S3 decrypted and re-encrypted under the destination key with a new data key", key.key_id));
        }
    }
}

/// Re-encrypts the object under new data keys wrapped by the replica key: one for SSE-KMS,
/// both layers for DSSE-KMS.
fn reseal_under_kms(
    s: &Sides<'_, '_>,
    obj: &StoredObject,
    key: &KmsKey,
    keys: SourceKeys,
    context: BTreeMap<String, String>,
    rng: &mut KeySource,
) -> Step<(Ciphertext, Envelope)> {
    let (src_aad, dst_aad) = (s.src_obj_arn.as_bytes(), s.dst_obj_arn.as_bytes());
    match keys {
        SourceKeys::One(src_key) => {
            let new_key = rng.key()?;
            let sealed = obj.ciphertext.reseal(
                LayerKeys::One(&src_key),
                src_aad,
                LayerKeys::One(&new_key),
                dst_aad,
                rng,
            )?;
            let wrapped = kms::encrypt_data_key(key, &context, &new_key, rng)?;
            Ok((
                sealed,
                Envelope::Kms {
                    key_arn: key.arn.clone(),
                    context,
                    wrapped,
                },
            ))
        }
        SourceKeys::Two { outer, inner } => {
            let (new_outer, new_inner) = (rng.key()?, rng.key()?);
            let sealed = obj.ciphertext.reseal(
                LayerKeys::Two {
                    outer: &outer,
                    inner: &inner,
                },
                src_aad,
                LayerKeys::Two {
                    outer: &new_outer,
                    inner: &new_inner,
                },
                dst_aad,
                rng,
            )?;
            let outer_w = kms::encrypt_data_key(key, &context, &new_outer, rng)?;
            let inner_w = kms::encrypt_data_key(key, &context, &new_inner, rng)?;
            Ok((
                sealed,
                Envelope::Dsse {
                    key_arn: key.arn.clone(),
                    context,
                    outer: outer_w,
                    inner: inner_w,
                },
            ))
        }
        SourceKeys::CustomerKey => Err(unreachable_keys().into()),
    }
}

/// Steps 6-7: An SSE-C replica: the ciphertext as is, under the same customer key (aws-facts d.6),
/// unless the destination blocks SSE-C.
fn write_sse_c_replica(
    a: &mut Attempt<'_>,
    s: &Sides<'_, '_>,
    obj: &StoredObject,
    customer_key: &str,
    tags: Vec<(String, String)>,
) -> Step<StoredObject> {
    let dst = s.dst;
    if dst.blocks_sse_c {
        a.line("s3:ReplicateObject", s.dst_obj_arn, || {
            format!("AccessDenied (403): `{}` blocks SSE-C", s.task.dest)
        });
        // aws-facts d.6: replication requests with SSE-C into a blocking bucket get 403;
        // the failure code is undocumented, DstPutObjectNotPermitted is inferred.
        a.inferred.insert(InferredChoice::SseCBlockedReplica);
        return Err(failed(
            FailureReason::DstPutObjectNotPermitted,
            format!(
                "destination `{}` blocks SSE-C (BlockedEncryptionTypes), so S3 refuses the SSE-C replica with 403 AccessDenied",
                s.task.dest
            ),
            format!(
                "unblock SSE-C on `{}` (PutBucketEncryption without SSE-C in BlockedEncryptionTypes), or stop using SSE-C",
                s.task.dest
            ),
        ));
    }
    write_checks(a, s, &tags)?;
    // aws-facts d.6: the replica stays SSE-C under the same key (inferred).
    a.inferred.insert(InferredChoice::SseCReplicaEncryption);
    let sse = Sse::SseC {
        customer_key: customer_key.to_owned(),
    };
    Ok(replica_object(
        obj,
        obj.ciphertext.clone(),
        obj.envelope.clone(),
        sse,
        tags,
        s.rule,
        dst,
    ))
}

/// Step 8: Verify: the replica opens with the destination's keys and holds as many bytes. A replica
/// that does not is a bug of the model, never an S3 failure reason.
fn verify_replica(
    a: &mut Attempt<'_>,
    s: &Sides<'_, '_>,
    obj: &StoredObject,
    replica: &StoredObject,
    scratch: &mut Vec<u8>,
) -> Step<()> {
    let key = &s.task.key;
    let sse_c = matches!(replica.sse, Sse::SseC { .. });
    let replica_aad: Cow<'_, [u8]> = if sse_c {
        Cow::Owned(sse_c_aad(key))
    } else {
        Cow::Borrowed(s.dst_obj_arn.as_bytes())
    };
    // Always the whole body, also with the trace off: the report's claim that replicas decrypt
    // with the destination's keys rests on this check, not on a test elsewhere.
    let opened_len = a
        .w
        .verify_stored(replica, &replica_aad, &s.dst.region, key, scratch)
        .map_err(|e| RunError::Internal(format!("the replica of `{key}` does not decrypt: {e}")))?;
    if opened_len != obj.size {
        return Err(RunError::Internal(format!(
            "the replica of `{key}` decrypts to {opened_len} bytes, the source holds {}",
            obj.size
        ))
        .into());
    }
    let with = if sse_c {
        "the same customer key"
    } else {
        "the destination key"
    };
    a.line("(verify)", s.dst_obj_arn, || {
        format!("replica decrypts with {with}: {opened_len} bytes")
    });
    Ok(())
}

/// A replica of the task's source version: [U-REQ] aws-facts c, it keeps the source's version
/// id and creation time, from which destination lifecycle counts.
fn done(task: &Task, created_at: u64, body: Body, sse: Option<Sse>) -> Verdict {
    Verdict::Done {
        replica: Version {
            id: Arc::clone(&task.version_id),
            created_at,
            body,
            destinations: BTreeMap::new(),
            replica_of: Some((Arc::clone(&task.source), Arc::clone(&task.version_id))),
            not_eligible: Vec::new(),
        },
        sse,
    }
}

enum SourceKeys {
    One(Key256),
    Two { outer: Key256, inner: Key256 },
    CustomerKey,
}

/// The source key shapes are fixed by the envelope; a mismatch is a broken invariant, reported
/// as an error rather than a panic.
fn unreachable_keys() -> RunError {
    RunError::Internal("a stored object's envelope and encryption type disagree".into())
}

/// The fix hint for a denied KMS request by the role.
fn kms_fix(
    d: &Decision<'_>,
    role: &Role,
    role_label: &str,
    key: &KmsKey,
    action: &str,
    why: &str,
) -> String {
    if key.origin == KeyOrigin::AwsManaged && key.account_id != role.account_id {
        // aws-facts d.3 [U-KMSREPL]: `aws/s3` cannot be shared with another account.
        return format!(
            "the AWS managed key `aws/s3` of account {} ({}) cannot be used by another account; use a customer managed key whose key policy allows {role_label} `{action}`",
            key.account_id, key.arn
        );
    }
    let same_account = key.account_id == role.account_id;
    let key_policy = if same_account {
        format!("the key policy of `{}`", key.name)
    } else {
        format!(
            "the key policy of `{}` (account {})",
            key.name, key.account_id
        )
    };
    let policies = if d.explicit_deny {
        // Which policy would still lack an allow once the Deny is gone is unknown; within one
        // account a key policy naming the role suffices, across accounts both must allow.
        if same_account {
            format!("{role_label} or {key_policy}")
        } else {
            format!("{role_label} and {key_policy}")
        }
    } else {
        // aws-facts f [K-DEFPOL] [K-EVAL]: the key policy must allow the role or delegate to
        // IAM, and then (or across accounts, always) the role's policy must allow too: name
        // whichever lacks the allow.
        d.allow_in(role_label, &key_policy, false)
    };
    d.fix_for(
        &policies,
        &format!("allow `{action}` on `{}`{why}", key.arn),
    )
}

/// Where to allow a denied request of the role on the destination bucket `dest`.
/// [I-EVAL] [I-XACCT]: within one account either policy's allow suffices; across accounts both
/// must allow, so the hint names the one that lacks it (both, after an explicit Deny, since
/// which would still lack an allow is unknown).
fn bucket_fix_policies(
    d: &Decision<'_>,
    role: &Role,
    role_label: &str,
    dst: &Bucket,
    dest: &str,
) -> String {
    let bucket_policy = format!("the bucket policy of `{dest}`");
    let same_account = role.account_id == dst.account_id;
    if d.explicit_deny && !same_account {
        format!("{role_label} and {bucket_policy}")
    } else {
        d.allow_in(role_label, &bucket_policy, same_account)
    }
}

/// The destination-side permission checks for writing a replica ([U-PERM], [U-OWNER]).
fn write_checks(a: &mut Attempt<'_>, s: &Sides<'_, '_>, tags: &[(String, String)]) -> Step<()> {
    let (caller, role, role_label) = (s.caller, s.role, s.role_label);
    let (dst, dst_obj_arn, rule) = (s.dst, s.dst_obj_arn, s.rule);
    let d = caller.s3("s3:ReplicateObject", dst_obj_arn, dst);
    a.decision("s3:ReplicateObject", dst_obj_arn, &d);
    if !d.allowed {
        let policy = bucket_fix_policies(&d, role, role_label, dst, &rule.dest);
        return Err(failed(
            FailureReason::DstPutObjectNotPermitted,
            d.text(),
            d.fix_for(
                &policy,
                &format!("allow `s3:ReplicateObject` on `{}/*`", dst.arn),
            ),
        ));
    }
    if !tags.is_empty() {
        let d = caller.s3("s3:ReplicateTags", dst_obj_arn, dst);
        a.decision("s3:ReplicateTags", dst_obj_arn, &d);
        // s3:ReplicateObject covers tags; only an explicit Deny refuses them ([U-PERM] [U-OWNER]);
        // the failure code for that is inferred.
        if d.explicit_deny {
            a.inferred.insert(InferredChoice::ReplicateTagsDeny);
            return Err(failed(
                FailureReason::DstPutTaggingNotPermitted,
                d.text(),
                d.fix_for(
                    &format!("the bucket policy of `{}`", rule.dest),
                    "remove the Deny on `s3:ReplicateTags`, or remove the tags",
                ),
            ));
        }
    }
    if rule.owner_override {
        let d = caller.s3("s3:ObjectOwnerOverrideToBucketOwner", dst_obj_arn, dst);
        a.decision("s3:ObjectOwnerOverrideToBucketOwner", dst_obj_arn, &d);
        if !d.allowed {
            let policy = bucket_fix_policies(&d, role, role_label, dst, &rule.dest);
            return Err(failed(
                FailureReason::DstPutObjectNotPermitted,
                d.text(),
                d.fix_for(
                    &policy,
                    &format!(
                        "allow `s3:ObjectOwnerOverrideToBucketOwner` on `{}/*`",
                        dst.arn
                    ),
                ),
            ));
        }
    }
    if dst.requester_pays && dst.account_id != role.account_id {
        // [U-REQ]: a cross-account destination may not be Requester Pays (failure code inferred).
        a.inferred.insert(InferredChoice::RequesterPaysDestination);
        return Err(failed(
            FailureReason::DstPutObjectNotPermitted,
            format!(
                "destination `{}` is a Requester Pays bucket in another account",
                rule.dest
            ),
            format!("turn off Requester Pays on `{}`", rule.dest),
        ));
    }
    Ok(())
}

fn replica_object(
    src: &StoredObject,
    ciphertext: Ciphertext,
    envelope: Envelope,
    sse: Sse,
    tags: Vec<(String, String)>,
    rule: &ResolvedRule,
    dst: &Bucket,
) -> StoredObject {
    StoredObject {
        ciphertext,
        envelope,
        sse,
        size: src.size,
        tags,
        storage_class: rule
            .storage_class
            .clone()
            .unwrap_or_else(|| src.storage_class.clone()),
        owner_account: if rule.owner_override {
            dst.account_id.clone()
        } else {
            src.owner_account.clone()
        },
        owner_grants_read: true,
    }
}
