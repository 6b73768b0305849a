//! The outcome of a run and its plain-text report: what S3 did with every object version, and why.
//!
//! The report is what snapshots hold, so it is deterministic to the byte: logical time, names
//! and ARNs derived from the scenario, sequential version ids, ordered maps; never key material,
//! nonces or addresses.

use std::fmt::Write as _;

use crate::body::{Ciphertext, HELD_LIMIT};
use crate::engine::{AttemptRecord, AttemptResult};
use crate::expect::ExpectationResult;
use crate::inferred::InferredChoice;
use crate::rules::RuleSet;
use crate::spec::*;
use crate::world::{Body, DestStatus, LogKind, ReplicationStatus, Sse, World};
use crate::{FailureReason, Skipped};

/// The result of running a scenario.
#[derive(Debug)]
pub struct Outcome {
    pub(crate) world: World,
    pub(crate) report: String,
    pub(crate) name: String,
}

/// One row of the objects table: a version of an object in a bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRow {
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// The version id (`v1`, `v2`, ... or `null`); a replica keeps its source version's id.
    pub version_id: String,
    /// When the version was created, in logical seconds; a replica keeps its source version's
    /// creation time ([U-REQ], aws-facts c).
    pub created_at: u64,
    /// Whether the version is a delete marker.
    pub delete_marker: bool,
    /// The `x-amz-replication-status` (`None`: no header).
    pub status: Option<ReplicationStatus>,
    /// The failure reason of a FAILED version.
    pub failure_reason: Option<FailureReason>,
    /// The server-side encryption (`None` for a delete marker).
    pub encryption: Option<Sse>,
    /// The object's tags (empty for delete markers).
    pub tags: Vec<(String, String)>,
    /// The storage class (empty for delete markers).
    pub storage_class: String,
    /// The account id that owns the version (empty for delete markers).
    pub owner_account: String,
    /// For a source version: each destination bucket with the rule that replicates to it.
    pub destinations: Vec<(String, String)>,
    /// Rules that matched the version and do not replicate it, with why (aws-facts c, d.3).
    pub not_eligible: Vec<Skipped>,
}

impl Outcome {
    /// The plain-text report (what snapshots hold).
    pub fn report(&self) -> &str {
        &self.report
    }

    /// The scenario's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Every `expect` step with what it found.
    pub fn expectations(&self) -> &[ExpectationResult] {
        &self.world.expectations
    }

    /// The expectations that did not hold, in step order.
    pub fn failed_expectations(&self) -> impl Iterator<Item = &ExpectationResult> {
        self.world.expectations.iter().filter(|e| !e.held())
    }

    /// Every object version in every bucket, in bucket, key and version order.
    pub fn objects(&self) -> Vec<ObjectRow> {
        let mut rows = Vec::new();
        for (bucket, b) in &self.world.buckets {
            for (key, versions) in &b.objects {
                for v in versions {
                    rows.push(ObjectRow {
                        bucket: bucket.clone(),
                        key: key.clone(),
                        version_id: v.id.to_string(),
                        created_at: v.created_at,
                        delete_marker: matches!(v.body, Body::DeleteMarker),
                        status: v.status(),
                        failure_reason: v.failure_reason(),
                        encryption: match &v.body {
                            Body::Object(o) => Some(o.sse.clone()),
                            Body::DeleteMarker => None,
                        },
                        tags: match &v.body {
                            Body::Object(o) => o.tags.clone(),
                            Body::DeleteMarker => Vec::new(),
                        },
                        storage_class: match &v.body {
                            Body::Object(o) => o.storage_class.clone(),
                            Body::DeleteMarker => String::new(),
                        },
                        owner_account: match &v.body {
                            Body::Object(o) => o.owner_account.clone(),
                            Body::DeleteMarker => String::new(),
                        },
                        destinations: v
                            .destinations
                            .iter()
                            .map(|(dest, (rule, _))| (dest.to_string(), rule.to_string()))
                            .collect(),
                        not_eligible: v.not_eligible.clone(),
                    });
                }
            }
        }
        rows
    }

    /// The current version of an object, decrypted as GetObject would (SSE-C with the customer
    /// key the scenario named).
    pub fn get_object(&self, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
        self.world.get_object(bucket, key)
    }

    /// The current version of an SSE-KMS or DSSE-KMS object, its data key opened with the named
    /// KMS key instead of the one S3 recorded: what a client holding a related multi-Region key
    /// in another Region can do after a failover (aws-facts g). Any unrelated key fails with
    /// `InvalidCiphertextException`.
    pub fn get_object_with_key(
        &self,
        bucket: &str,
        key: &str,
        kms_key: &str,
    ) -> Result<Vec<u8>, String> {
        self.world.get_object_with_key(bucket, key, kms_key)
    }

    /// The raw stored ciphertext of the current version (for tamper tests); `None` for a delete
    /// marker, and for an object above 16 MiB, whose ciphertext the model does not keep (it
    /// keeps each chunk's tag and recomputes the ciphertext when reading; see `body.rs`).
    pub fn stored_ciphertext(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        match &self.world.current_version(bucket, key)?.body {
            Body::Object(o) => o.ciphertext.held().map(|s| s.as_bytes().to_vec()),
            Body::DeleteMarker => None,
        }
    }

    /// Replaces the stored ciphertext of the current version, as an attacker with disk access
    /// would; a later [`Outcome::get_object`] must fail.
    pub fn tamper_ciphertext(
        &mut self,
        bucket: &str,
        key: &str,
        bytes: Vec<u8>,
    ) -> Result<(), String> {
        let sealed =
            replication_crypto::SealedObject::from_bytes(bytes).map_err(|e| e.to_string())?;
        let v = self
            .world
            .buckets
            .get_mut(bucket)
            .and_then(|b| b.objects.get_mut(key))
            .and_then(|vs| vs.last_mut())
            .ok_or_else(|| format!("no object `{bucket}/{key}`"))?;
        match &mut v.body {
            Body::Object(o) if o.ciphertext.held().is_none() => Err(format!(
                "`{bucket}/{key}` is above {} MiB: the model keeps no ciphertext for it to replace",
                HELD_LIMIT >> 20
            )),
            Body::Object(o) => {
                let mut new = (**o).clone();
                new.ciphertext = Ciphertext::Held(sealed);
                *o = std::sync::Arc::new(new);
                Ok(())
            }
            Body::DeleteMarker => Err("the current version is a delete marker".into()),
        }
    }

    /// The inferred choices the run relied on, in the order the report lists them.
    pub fn inferred(&self) -> impl Iterator<Item = InferredChoice> + '_ {
        self.world.inferred.iter()
    }

    /// Every replication attempt, in order.
    pub fn attempts(&self) -> &[AttemptRecord] {
        &self.world.attempts
    }
}

/// A metric's value, or `None` when metrics are not enabled on the rule ([U-METRICS]).
pub(crate) fn metric_value(w: &World, bucket: &str, rule: &str, metric: MetricName) -> Option<u64> {
    let r = w
        .buckets
        .get(bucket)?
        .replication
        .as_ref()?
        .rules
        .iter()
        .find(|r| &*r.label == rule)?;
    if !r.metrics {
        return None;
    }
    let m = w
        .metrics
        .get(bucket)
        .and_then(|per_rule| per_rule.get(rule))
        .cloned()
        .unwrap_or_default();
    let pending: Vec<_> = w
        .queue
        .iter()
        .filter(|t| &*t.source == bucket && &*t.rule == rule)
        .collect();
    Some(match metric {
        MetricName::OperationsPendingReplication => pending.len() as u64,
        MetricName::BytesPendingReplication => pending
            .iter()
            .filter_map(|t| {
                w.buckets
                    .get(&*t.source)?
                    .objects
                    .at(t.slot)
                    .iter()
                    .find(|v| v.id == t.version_id)
            })
            .map(|v| match &v.body {
                Body::Object(o) => o.size,
                Body::DeleteMarker => 0,
            })
            .sum(),
        MetricName::OperationsFailedReplication => m.failed,
        MetricName::ReplicationLatency => m.max_latency,
    })
}

/// Renders the whole report.
pub(crate) fn render(w: &World, spec: &ScenarioSpec, rules: RuleSet) -> String {
    // Room for a typical line per timeline entry, version and attempt, so a large report is not
    // copied over and over as it grows.
    let n_versions: usize = w
        .buckets
        .values()
        .flat_map(|b| b.objects.values())
        .map(Vec::len)
        .sum();
    let n_lines = w.log.len() + n_versions + 2 * w.attempts.len();
    let mut out = String::with_capacity(4096 + 96 * n_lines);
    let _ = writeln!(out, "scenario {} (rule set {})", spec.name, rules.name);
    for line in spec.doc.lines() {
        let line = line.trim();
        if !line.is_empty() {
            let _ = writeln!(out, "  {line}");
        }
    }

    configuration(&mut out, w);
    timeline(&mut out, w);
    objects(&mut out, w);
    attempts(&mut out, w);
    metrics(&mut out, w);
    events(&mut out, w);
    expectations(&mut out, w);
    inferred(&mut out, w);
    out
}

/// `== configuration`: the bucket-level calls, then each configuration and its rules.
fn configuration(out: &mut String, w: &World) {
    out.push_str("\n== configuration\n");
    let mut any_config = false;
    for l in w.log.iter().filter(|l| l.kind == LogKind::BucketCall) {
        any_config = true;
        let _ = writeln!(out, "t={}s step {}: {}", l.at, l.step + 1, l.text);
    }
    for (name, b) in &w.buckets {
        if let Some(c) = &b.replication {
            let role = match &c.role {
                RoleRef::Named(n) => w.roles.get(n).map_or(n.clone(), |r| r.arn.clone()),
                RoleRef::Arn(a) => a.clone(),
            };
            let _ = writeln!(out, "`{name}` replicates as {role}");
            for r in &c.rules {
                let mut extras = Vec::new();
                if !r.status.is_enabled() {
                    extras.push("Disabled".to_owned());
                }
                extras.push(format!("{:?} schema", r.schema));
                extras.push(format!("priority {}", r.priority));
                extras.push(format!("filter {}", filter_text(&r.filter)));
                if r.delete_markers {
                    extras.push("delete markers".into());
                }
                if r.sse_kms_encrypted_objects.is_enabled() {
                    extras.push("SseKmsEncryptedObjects".into());
                }
                if let (Some(k), Some(dest)) = (&r.replica_key, w.buckets.get(&*r.dest)) {
                    let role_account = w
                        .role_account(&c.role)
                        .unwrap_or_else(|| b.account_id.clone());
                    let (arn, key) = w.replica_key(&role_account, k, dest);
                    let mut text = format!("ReplicaKmsKeyID {arn}");
                    if let Some(key) = key.filter(|key| key.arn != arn) {
                        let _ = write!(text, " (key {})", key.arn);
                    }
                    extras.push(text);
                }
                if r.rtc {
                    extras.push("RTC".into());
                } else if r.metrics {
                    extras.push("metrics".into());
                }
                if r.owner_override {
                    extras.push("owner override".into());
                }
                if let Some(sc) = &r.storage_class {
                    extras.push(format!("storage class {sc}"));
                }
                let _ = writeln!(
                    out,
                    "  rule `{}` -> `{}`: {}",
                    r.label,
                    r.dest,
                    extras.join(", ")
                );
            }
        }
    }
    if !any_config {
        out.push_str("(no replication configuration)\n");
    }
}

/// `== timeline`: every step's line.
fn timeline(out: &mut String, w: &World) {
    out.push_str("\n== timeline\n");
    for l in &w.log {
        push_all(out, &["t="]);
        push_number(out, l.at);
        out.push_str("s step ");
        push_number(out, l.step as u64 + 1);
        push_all(out, &[": ", &l.text, "\n"]);
    }
}

/// `== objects`: every version of every object, with its status per destination.
fn objects(out: &mut String, w: &World) {
    out.push_str("\n== objects\n");
    for (name, b) in &w.buckets {
        for (key, versions) in &b.objects {
            for v in versions {
                // Written piece by piece: the report has a line per version.
                push_all(out, &[name, "/", key, " ", &v.id, ": "]);
                match &v.body {
                    Body::Object(o) => {
                        push_number(out, o.size);
                        out.push_str(" bytes, ");
                        if o.sse == Sse::SseS3 {
                            out.push_str("SSE-S3");
                        } else {
                            let _ = write!(out, "{}", o.sse);
                        }
                    }
                    Body::DeleteMarker => out.push_str("delete marker"),
                }
                if let Some((src, sv)) = &v.replica_of {
                    push_all(out, &["; REPLICA of ", src, " ", sv]);
                } else if let Some(st) = v.status() {
                    let _ = write!(out, "; {st}");
                    for (dest, (rule, ds)) in &v.destinations {
                        match ds {
                            DestStatus::Pending => {
                                let _ = write!(out, "; -> {dest} (rule `{rule}`) PENDING");
                            }
                            DestStatus::Completed { replica_version } => {
                                push_all(
                                    out,
                                    &["; -> ", dest, " (rule `", rule, "`) ", replica_version],
                                );
                            }
                            DestStatus::Failed { reason } => {
                                let _ = write!(out, "; -> {dest} (rule `{rule}`) FAILED {reason}");
                            }
                        }
                    }
                } else if !matches!(v.body, Body::DeleteMarker) && b.replication.is_some() {
                    out.push_str("; no replication status");
                }
                out.push('\n');
                for why in &v.not_eligible {
                    let _ = writeln!(out, "  not replicated: {why}");
                }
            }
        }
    }
}

/// `== replication attempts`, then `== fix hints` for the failed ones.
fn attempts(out: &mut String, w: &World) {
    out.push_str("\n== replication attempts\n");
    if w.attempts.is_empty() {
        out.push_str("(none)\n");
    }
    for a in &w.attempts {
        render_attempt(out, a);
    }

    let failures: Vec<&AttemptRecord> = w
        .attempts
        .iter()
        .filter(|a| matches!(a.result, AttemptResult::Failed { .. }))
        .collect();
    if !failures.is_empty() {
        out.push_str("\n== fix hints\n");
        for a in failures {
            if let AttemptResult::Failed { reason, fix, .. } = &a.result {
                let _ = writeln!(
                    out,
                    "{}/{} {} -> {}: {reason}: {fix}",
                    a.source, a.key, a.version_id, a.dest
                );
            }
        }
    }
}

/// `== metrics`: per rule with metrics enabled ([U-METRICS]).
fn metrics(out: &mut String, w: &World) {
    out.push_str("\n== metrics\n");
    let mut any_metrics = false;
    for (name, b) in &w.buckets {
        let Some(c) = &b.replication else { continue };
        for r in c.rules.iter().filter(|r| r.metrics) {
            any_metrics = true;
            let get = |m| metric_value(w, name, &r.label, m).unwrap_or(0);
            let _ = writeln!(
                out,
                "{name} rule `{}`: OperationsPendingReplication {}, BytesPendingReplication {}, OperationsFailedReplication {}, ReplicationLatency {} s",
                r.label,
                get(MetricName::OperationsPendingReplication),
                get(MetricName::BytesPendingReplication),
                get(MetricName::OperationsFailedReplication),
                get(MetricName::ReplicationLatency)
            );
        }
    }
    if !any_metrics {
        out.push_str("(no rule has replication metrics enabled)\n");
    }
}

/// `== events`: replication events as S3 publishes them ([U-EVENTS]).
fn events(out: &mut String, w: &World) {
    out.push_str("\n== events\n");
    if w.events.is_empty() {
        out.push_str("(none)\n");
    }
    for e in &w.events {
        let reason = e
            .reason
            .map(|r| format!(" failureReason {r}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "t={}s s3:Replication:{:?} {}/{} {} -> {} (rule `{}`){reason}",
            e.at, e.event, e.source, e.key, e.version_id, e.dest, e.rule
        );
    }
}

/// `== expectations`: each `expect` step and what it found.
fn expectations(out: &mut String, w: &World) {
    out.push_str("\n== expectations\n");
    if w.expectations.is_empty() {
        out.push_str("(none)\n");
    }
    for e in &w.expectations {
        if e.held() {
            let _ = writeln!(out, "ok   step {}: {}", e.step + 1, e.expected());
        } else {
            let _ = writeln!(out, "FAIL {e}");
        }
    }
}

/// `== inferred`: the inferred choices the run relied on, if any.
fn inferred(out: &mut String, w: &World) {
    if !w.inferred.is_empty() {
        out.push_str("\n== inferred (AWS does not document these; the model chose)\n");
        for choice in w.inferred.iter() {
            push_all(out, &["- ", choice.text(), "\n"]);
        }
    }
}

/// Appends every piece in order.
fn push_all(out: &mut String, pieces: &[&str]) {
    for p in pieces {
        out.push_str(p);
    }
}

/// Appends `n` in decimal, without the formatting machinery (the report writes one or two
/// numbers on each of its many lines).
fn push_number(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

fn render_attempt(out: &mut String, a: &AttemptRecord) {
    let batch = if a.batch { " (Batch Replication)" } else { "" };
    push_all(
        out,
        &[
            &a.source,
            "/",
            &a.key,
            " ",
            &a.version_id,
            " -> ",
            &a.dest,
            " via rule `",
            &a.rule,
            "`, ",
            a.kind,
            " attempt ",
        ],
    );
    push_number(out, u64::from(a.attempt));
    out.push_str(" at t=");
    push_number(out, a.at);
    push_all(out, &["s", batch, "\n"]);
    for (i, t) in a.trace.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {}. {} {}: {}",
            i + 1,
            t.action,
            t.resource,
            t.result
        );
    }
    for n in &a.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    match &a.result {
        AttemptResult::Completed {
            replica_version,
            replica_sse,
        } => {
            push_all(
                out,
                &[
                    "  => COMPLETED: replica ",
                    &a.dest,
                    "/",
                    &a.key,
                    " ",
                    replica_version,
                ],
            );
            match replica_sse {
                Some(Sse::SseS3) => out.push_str(", SSE-S3"),
                Some(sse) => {
                    let _ = write!(out, ", {sse}");
                }
                None => {}
            }
            out.push('\n');
        }
        AttemptResult::Failed { reason, detail, .. } => {
            let _ = writeln!(out, "  => FAILED {reason}: {detail}");
        }
        AttemptResult::Pending { why } => {
            let _ = writeln!(out, "  => still PENDING: {why}; S3 retries");
        }
    }
}

fn filter_text(f: &FilterSpec) -> String {
    match f {
        FilterSpec::V1Prefix(p) => format!("V1 prefix {p:?}"),
        FilterSpec::Empty => "all objects".into(),
        FilterSpec::Prefix(p) => format!("prefix {p:?}"),
        FilterSpec::Tag(k, v) => format!("tag {k}={v}"),
        FilterSpec::And { prefix, tags } => {
            let mut parts = Vec::new();
            if let Some(p) = prefix {
                parts.push(format!("prefix {p:?}"));
            }
            for (k, v) in tags {
                parts.push(format!("tag {k}={v}"));
            }
            parts.join(" and ")
        }
    }
}
