//! What an `expect` step means: each expectation checked against the world at its step, kept as
//! a typed result (expected and found as AWS values, whether it held, where it was written).
//!
//! The report, the runner and the test harness all render from [`ExpectationResult`]; none of
//! them decides again whether an expectation held, and none reads text the model wrote.

use std::fmt;

use crate::spec::{
    EventName, Expectation, ExpectedEncryption, ExpectedStatus, ExpectedVerdict, KeyRef,
    MetricName, ObjectExpectation, SourceLocation,
};
use crate::world::{Body, ReplicationStatus, Sse, Version, World};
use replication_spec::FailureReason;

/// The checked result of one `expect` step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectationResult {
    /// The step's index (0-based; reports count steps from 1).
    pub step: usize,
    /// Where the `expect` was written, for a spec lowered from scenario text.
    pub at: Option<SourceLocation>,
    /// What was expected and what the run found.
    pub check: Check,
}

/// What one expectation compared, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The verdict of the latest bucket-level call on a bucket.
    Config(ConfigCheck),
    /// A `PutObject` that S3 refuses; validation proved the refusal and the run replays it, so
    /// this always holds.
    PutRejected {
        /// The bucket.
        bucket: String,
        /// The object key.
        key: String,
        /// AWS's error code.
        code: String,
    },
    /// An object version's status, failure reason and encryption.
    Object(ObjectCheck),
    /// A replication metric of a rule.
    Metric(MetricCheck),
    /// How many replication events of a kind a rule published.
    Event(EventCheck),
}

/// The verdict S3 gave a bucket-level call (`PutBucketReplication`, `PutBucketVersioning`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallVerdict {
    /// 200 OK.
    Accepted,
    /// Refused with AWS's error code.
    Rejected {
        /// The error code, e.g. `InvalidRequest`.
        code: String,
    },
}

/// An `expect <bucket> accepted | rejected <code>` checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigCheck {
    /// The bucket.
    pub bucket: String,
    /// The verdict the scenario expects.
    pub expected: ExpectedVerdict,
    /// The verdict of the bucket's latest bucket-level call; `None` when there was none.
    pub actual: Option<CallVerdict>,
}

/// An object expectation checked: each part the scenario states, and the version found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectCheck {
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// The version checked (`vN`), `None` for the current version.
    pub version: Option<u32>,
    /// The version the run found, `None` when there is none.
    pub found: Option<FoundVersion>,
    /// The expected replication status, and whether it held.
    pub status: Option<Part<ExpectedStatus>>,
    /// The expected failure reason, and whether it held.
    pub reason: Option<Part<FailureReason>>,
    /// The expected encryption (its key as an ARN), and whether it held.
    pub encryption: Option<Part<ExpectedSse>>,
}

/// One stated part of an object expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<T> {
    /// What the scenario expects.
    pub expected: T,
    /// Whether the version found matches it.
    pub held: bool,
}

/// The object version an expectation looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundVersion {
    /// Whether it is a delete marker.
    pub delete_marker: bool,
    /// Its `x-amz-replication-status`.
    pub status: Option<ReplicationStatus>,
    /// Its failure reason, when a destination failed.
    pub failure_reason: Option<FailureReason>,
    /// Its encryption (`None` for a delete marker).
    pub sse: Option<Sse>,
}

/// An expected encryption with its KMS key resolved to the ARN the scenario's key reference names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedSse {
    /// SSE-S3.
    SseS3,
    /// SSE-KMS, under a key when one is named.
    SseKms {
        /// The key's ARN (`None`: not checked).
        key_arn: Option<String>,
        /// Whether an S3 Bucket Key is used (`None`: not checked).
        bucket_key: Option<bool>,
    },
    /// DSSE-KMS, under a key when one is named.
    DsseKms {
        /// The key's ARN (`None`: not checked).
        key_arn: Option<String>,
    },
    /// SSE-C with the named customer key.
    SseC {
        /// The customer key's name.
        customer_key: String,
    },
}

/// An `expect metric` checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricCheck {
    /// The source bucket.
    pub bucket: String,
    /// The rule's ID.
    pub rule: String,
    /// The metric.
    pub metric: MetricName,
    /// The value the scenario expects.
    pub expected: u64,
    /// The metric's value, `None` when metrics are not enabled on the rule ([U-METRICS]).
    pub actual: Option<u64>,
}

/// An `expect event` checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCheck {
    /// The source bucket.
    pub bucket: String,
    /// The rule's ID.
    pub rule: String,
    /// The event type.
    pub event: EventName,
    /// Only events with this `failureReason` count.
    pub reason: Option<FailureReason>,
    /// How many the scenario expects.
    pub expected: u64,
    /// How many the rule published.
    pub actual: u64,
}

impl ExpectationResult {
    /// Whether the expectation held.
    #[must_use]
    pub fn held(&self) -> bool {
        match &self.check {
            Check::Config(c) => c.held(),
            Check::PutRejected { .. } => true,
            Check::Object(o) => o.held(),
            Check::Metric(m) => m.actual == Some(m.expected),
            Check::Event(e) => e.actual == e.expected,
        }
    }

    /// What the step expected, as the report words it.
    pub fn expected(&self) -> impl fmt::Display + '_ {
        Expected(&self.check)
    }

    /// What the run found, as the report words it.
    pub fn found(&self) -> impl fmt::Display + '_ {
        Found(&self.check)
    }

    /// The failure as one line for a user to jump from: `file:line:col: expectation failed:
    /// step N: expected .., found ..`, with as much of the location as is known (`file` is the
    /// scenario's file as the front end names it).
    pub fn located<'a>(&'a self, file: Option<&'a str>) -> impl fmt::Display + 'a {
        Located { result: self, file }
    }
}

impl fmt::Display for ExpectationResult {
    /// `step N: expected .., found ..`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "step {}: expected {}, found {}",
            self.step + 1,
            self.expected(),
            self.found()
        )
    }
}

impl ConfigCheck {
    fn held(&self) -> bool {
        match (&self.expected, &self.actual) {
            (ExpectedVerdict::Accepted, Some(CallVerdict::Accepted)) => true,
            (ExpectedVerdict::Rejected { code }, Some(CallVerdict::Rejected { code: found })) => {
                code == found
            }
            _ => false,
        }
    }
}

impl ObjectCheck {
    fn held(&self) -> bool {
        self.status.as_ref().is_none_or(|p| p.held)
            && self.reason.as_ref().is_none_or(|p| p.held)
            && self.encryption.as_ref().is_none_or(|p| p.held)
    }
}

/// Checks one expectation against the world as it is at step `step`.
pub(crate) fn check(
    w: &World,
    step: usize,
    at: Option<SourceLocation>,
    e: &Expectation,
) -> ExpectationResult {
    let check = match e {
        Expectation::Config { bucket, verdict } => Check::Config(ConfigCheck {
            bucket: bucket.clone(),
            expected: verdict.clone(),
            actual: w.last_bucket_call.get(bucket).map(|code| match code {
                None => CallVerdict::Accepted,
                Some(code) => CallVerdict::Rejected { code: code.clone() },
            }),
        }),
        // Validation proved the rejection; the run replays it instead of calling S3.
        Expectation::PutRejected { bucket, key, code } => Check::PutRejected {
            bucket: bucket.clone(),
            key: key.clone(),
            code: code.clone(),
        },
        Expectation::Object(o) => Check::Object(check_object(w, o)),
        Expectation::Metric {
            bucket,
            rule,
            metric,
            value,
        } => Check::Metric(MetricCheck {
            bucket: bucket.clone(),
            rule: rule.clone(),
            metric: *metric,
            expected: *value,
            actual: crate::report::metric_value(w, bucket, rule, *metric),
        }),
        Expectation::Event {
            bucket,
            rule,
            event,
            reason,
            count,
        } => Check::Event(EventCheck {
            bucket: bucket.clone(),
            rule: rule.clone(),
            event: *event,
            reason: *reason,
            expected: *count,
            actual: w
                .events
                .iter()
                .filter(|ev| {
                    *ev.source == **bucket
                        && *ev.rule == **rule
                        && ev.event == *event
                        && reason.is_none_or(|r| ev.reason == Some(r))
                })
                .count() as u64,
        }),
    };
    ExpectationResult { step, at, check }
}

fn check_object(w: &World, o: &ObjectExpectation) -> ObjectCheck {
    let version = match o.version {
        Some(n) => w
            .buckets
            .get(&o.bucket)
            .and_then(|b| b.objects.get(&o.key))
            .and_then(|vs| vs.iter().find(|v| *v.id == *format!("v{n}"))),
        None => w.current_version(&o.bucket, &o.key),
    };
    let found = version.map(found_version);
    let status = o.status.clone().map(|expected| Part {
        held: status_holds(&expected, found.as_ref()),
        expected,
    });
    let reason = o.reason.map(|expected| Part {
        held: found
            .as_ref()
            .is_some_and(|v| v.failure_reason == Some(expected)),
        expected,
    });
    let encryption = o.encryption.as_ref().map(|enc| {
        let (account, region) = w
            .buckets
            .get(&o.bucket)
            .map(|b| (b.account_id.as_str(), b.region.as_str()))
            .unwrap_or_default();
        let found_sse = found.as_ref().and_then(|v| v.sse.as_ref());
        Part {
            held: encryption_holds(w, enc, found_sse, account, region),
            expected: expected_sse(w, enc, account, region),
        }
    });
    ObjectCheck {
        bucket: o.bucket.clone(),
        key: o.key.clone(),
        version: o.version,
        found,
        status,
        reason,
        encryption,
    }
}

fn found_version(v: &Version) -> FoundVersion {
    FoundVersion {
        delete_marker: matches!(v.body, Body::DeleteMarker),
        status: v.status(),
        failure_reason: v.failure_reason(),
        sse: match &v.body {
            Body::Object(obj) => Some(obj.sse.clone()),
            Body::DeleteMarker => None,
        },
    }
}

/// A status other than "absent", "delete marker" and "not replicated" is the version's
/// `x-amz-replication-status`, whatever the version is (a delete marker replicates too).
fn status_holds(expected: &ExpectedStatus, found: Option<&FoundVersion>) -> bool {
    let Some(v) = found else {
        return *expected == ExpectedStatus::Absent;
    };
    match expected {
        ExpectedStatus::Absent => false,
        ExpectedStatus::DeleteMarker => v.delete_marker,
        ExpectedStatus::NotReplicated => !v.delete_marker && v.status.is_none(),
        ExpectedStatus::Pending => v.status == Some(ReplicationStatus::Pending),
        ExpectedStatus::Completed => v.status == Some(ReplicationStatus::Completed),
        ExpectedStatus::Failed => v.status == Some(ReplicationStatus::Failed),
        ExpectedStatus::Replica => v.status == Some(ReplicationStatus::Replica),
    }
}

/// A named key matches the version's key ARN by the ARN the reference names (an alias ARN for an
/// alias) or by the key it resolves to.
fn encryption_holds(
    w: &World,
    expected: &ExpectedEncryption,
    found: Option<&Sse>,
    account: &str,
    region: &str,
) -> bool {
    let names = |k: &KeyRef, key_arn: &str| {
        w.key_ref_arn(k, account, region) == key_arn
            || w.resolve_key(k, account, region)
                .is_some_and(|kk| kk.arn == key_arn)
    };
    match (expected, found) {
        (ExpectedEncryption::SseS3, Some(Sse::SseS3)) => true,
        (
            ExpectedEncryption::SseKms { key, bucket_key },
            Some(Sse::SseKms {
                key_arn,
                bucket_key: bk,
            }),
        ) => key.as_ref().is_none_or(|k| names(k, key_arn)) && bucket_key.is_none_or(|b| b == *bk),
        (ExpectedEncryption::DsseKms { key }, Some(Sse::DsseKms { key_arn })) => {
            key.as_ref().is_none_or(|k| names(k, key_arn))
        }
        (ExpectedEncryption::SseC { customer_key }, Some(Sse::SseC { customer_key: ck })) => {
            customer_key == ck
        }
        _ => false,
    }
}

fn expected_sse(w: &World, e: &ExpectedEncryption, account: &str, region: &str) -> ExpectedSse {
    let arn = |k: &Option<KeyRef>| k.as_ref().map(|k| w.key_ref_arn(k, account, region));
    match e {
        ExpectedEncryption::SseS3 => ExpectedSse::SseS3,
        ExpectedEncryption::SseKms { key, bucket_key } => ExpectedSse::SseKms {
            key_arn: arn(key),
            bucket_key: *bucket_key,
        },
        ExpectedEncryption::DsseKms { key } => ExpectedSse::DsseKms { key_arn: arn(key) },
        ExpectedEncryption::SseC { customer_key } => ExpectedSse::SseC {
            customer_key: customer_key.clone(),
        },
    }
}

impl fmt::Display for ExpectedSse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedSse::SseS3 => f.write_str("SSE-S3"),
            ExpectedSse::SseKms {
                key_arn,
                bucket_key,
            } => {
                f.write_str("SSE-KMS")?;
                if let Some(arn) = key_arn {
                    write!(f, " {arn}")?;
                }
                match bucket_key {
                    Some(true) => f.write_str(" (Bucket Key)"),
                    Some(false) => f.write_str(" (no Bucket Key)"),
                    None => Ok(()),
                }
            }
            ExpectedSse::DsseKms { key_arn } => match key_arn {
                Some(arn) => write!(f, "DSSE-KMS {arn}"),
                None => f.write_str("DSSE-KMS"),
            },
            ExpectedSse::SseC { customer_key } => {
                write!(f, "SSE-C (customer key `{customer_key}`)")
            }
        }
    }
}

/// The expected side of a check, as the report words it.
struct Expected<'a>(&'a Check);

impl fmt::Display for Expected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Check::Config(c) => match &c.expected {
                ExpectedVerdict::Accepted => f.write_str("configuration accepted"),
                ExpectedVerdict::Rejected { code } => write!(f, "rejected with {code}"),
            },
            Check::PutRejected { bucket, key, code } => {
                write!(f, "PutObject `{bucket}/{key}` rejected with {code}")
            }
            Check::Object(o) => {
                write!(f, "`{}/{}`", o.bucket, o.key)?;
                if let Some(v) = o.version {
                    write!(f, " v{v}")?;
                }
                if let Some(st) = &o.status {
                    write!(f, " {}", expected_status_text(&st.expected))?;
                }
                if let Some(reason) = &o.reason {
                    write!(f, " reason {}", reason.expected)?;
                }
                if let Some(enc) = &o.encryption {
                    write!(f, " with {}", enc.expected)?;
                }
                Ok(())
            }
            Check::Metric(m) => write!(f, "{:?} of rule `{}` = {}", m.metric, m.rule, m.expected),
            Check::Event(e) => match e.reason {
                Some(r) => write!(
                    f,
                    "{} {:?} event(s) with {r} for rule `{}`",
                    e.expected, e.event, e.rule
                ),
                None => write!(
                    f,
                    "{} {:?} event(s) for rule `{}`",
                    e.expected, e.event, e.rule
                ),
            },
        }
    }
}

fn expected_status_text(s: &ExpectedStatus) -> &'static str {
    match s {
        ExpectedStatus::Pending => "PENDING",
        ExpectedStatus::Completed => "COMPLETED",
        ExpectedStatus::Failed => "FAILED",
        ExpectedStatus::Replica => "REPLICA",
        ExpectedStatus::NotReplicated => "no status (not replicated)",
        ExpectedStatus::Absent => "absent",
        ExpectedStatus::DeleteMarker => "delete marker",
    }
}

/// What the run found, as the report words it.
struct Found<'a>(&'a Check);

impl fmt::Display for Found<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Check::Config(c) => match &c.actual {
                None => f.write_str("no bucket-level call"),
                Some(CallVerdict::Accepted) => f.write_str("accepted"),
                Some(CallVerdict::Rejected { code }) => write!(f, "rejected with {code}"),
            },
            Check::PutRejected { code, .. } => write!(f, "rejected with {code}"),
            Check::Object(o) => found_object(f, o),
            Check::Metric(m) => match m.actual {
                Some(v) => write!(f, "{v}"),
                None => f.write_str("metrics not enabled on the rule"),
            },
            Check::Event(e) => write!(f, "{}", e.actual),
        }
    }
}

/// The found side of an object check: one comma-separated piece per stated part, or `present`.
fn found_object(f: &mut fmt::Formatter<'_>, o: &ObjectCheck) -> fmt::Result {
    let mut first = true;
    let mut sep = |f: &mut fmt::Formatter<'_>| {
        if first {
            first = false;
            Ok(())
        } else {
            f.write_str(", ")
        }
    };
    if o.status.is_some() {
        sep(f)?;
        match &o.found {
            None => f.write_str("absent")?,
            Some(v) if v.delete_marker => f.write_str("delete marker")?,
            Some(FoundVersion {
                status: Some(s), ..
            }) => write!(f, "{s}")?,
            Some(_) => f.write_str("no status")?,
        }
    }
    if o.reason.is_some() {
        sep(f)?;
        let reason = o.found.as_ref().and_then(|v| v.failure_reason);
        write!(f, "reason {}", reason.map_or("none", FailureReason::as_str))?;
    }
    if o.encryption.is_some() {
        sep(f)?;
        match o.found.as_ref().and_then(|v| v.sse.as_ref()) {
            Some(sse) => write!(f, "{sse}")?,
            None => f.write_str("no object")?,
        }
    }
    if o.status.is_none() && o.reason.is_none() && o.encryption.is_none() {
        f.write_str("present")?;
    }
    Ok(())
}

struct Located<'a> {
    result: &'a ExpectationResult,
    file: Option<&'a str>,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.file, self.result.at) {
            (Some(file), Some(at)) => write!(f, "{file}:{at}: ")?,
            (Some(file), None) => write!(f, "{file}: ")?,
            (None, Some(at)) => write!(f, "{at}: ")?,
            (None, None) => {}
        }
        write!(f, "expectation failed: {}", self.result)
    }
}
