//! Expectations about SSE-C objects that can never hold: the card's compile-time error.
//!
//! Under `exam_guide` S3 never replicates an SSE-C object; under `aws_2026` (the default) it
//! replicates one as ciphertext, but never into a bucket that blocks SSE-C, which new buckets do
//! (aws-facts d.6, i.4). Validation asks [`impossible_expectation`] for each object expectation,
//! so both front ends refuse such a scenario on the expectation's token.

use std::collections::{BTreeMap, BTreeSet};

use crate::rules::{RuleSet, SseCReplication};
use crate::s3::put_bucket_replication::{filter_matches, has_tag_filter};
use crate::spec::{
    BucketRef, ExpectedEncryption, ExpectedStatus, Fault, ObjectExpectation, ScenarioSpec, Step,
    UploadEncryption,
};

/// What validation knows about an object expectation at step `idx`.
pub struct Context<'a> {
    /// The scenario.
    pub spec: &'a ScenarioSpec,
    /// The rule set it runs under.
    pub rules: RuleSet,
    /// The expectation's step.
    pub idx: usize,
    /// The encryption of the latest accepted upload of each (bucket, key) before `idx`.
    pub last_put: &'a BTreeMap<(String, String), UploadEncryption>,
    /// Every bucket some replication rule writes into.
    pub replication_targets: &'a BTreeSet<String>,
}

/// The field of `o` that can never hold and why, or `None` when the expectation may hold.
pub fn impossible_expectation(
    cx: &Context<'_>,
    o: &ObjectExpectation,
) -> Option<(&'static str, String)> {
    let put_here = cx.last_put.get(&(o.bucket.clone(), o.key.clone()));
    let sse_c_source = matches!(put_here, Some(UploadEncryption::SseC { .. }));
    let sse_c_replica = put_here.is_none()
        && (matches!(o.encryption, Some(ExpectedEncryption::SseC { .. }))
            || (o.status == Some(ExpectedStatus::Replica) && only_sse_c_uploads(cx, &o.key)));
    let path = if o.status.is_some() {
        "status"
    } else {
        "encryption"
    };
    match cx.rules.sse_c_replication {
        SseCReplication::NotReplicated => {
            let replicates = matches!(
                o.status,
                Some(ExpectedStatus::Pending | ExpectedStatus::Completed | ExpectedStatus::Failed)
            );
            ((sse_c_source && replicates) || sse_c_replica).then(|| {
                let msg = format!(
                    "`{}` is an SSE-C object, and under rule set `{}` SSE-C objects are never replicated: S3 never holds the customer key, so it cannot decrypt and re-encrypt; expect `not_replicated`, or remove `rules {};` to run under today's S3 (`aws_2026`, the default), where S3 replicates SSE-C objects as ciphertext (since 2022-10)",
                    o.key, cx.rules.name, cx.rules.name,
                );
                (path, msg)
            })
        }
        SseCReplication::ReplicatedAsCiphertext => {
            let (blocking, instead) = if sse_c_source && o.status == Some(ExpectedStatus::Completed)
            {
                let dst = blocking_destination(cx, &o.bucket, &o.key)?;
                (dst, "`FAILED(DstPutObjectNotPermitted)`")
            } else if sse_c_replica
                && cx.replication_targets.contains(&o.bucket)
                && blocks_throughout(cx, &o.bucket)
            {
                (o.bucket.clone(), "`absent`")
            } else {
                return None;
            };
            // aws-facts d.6 [U-SSEC-BLOCK]: a replication request that specifies SSE-C into a
            // bucket that blocks SSE-C is refused with 403 AccessDenied.
            let msg = format!(
                "`{}` is an SSE-C object and bucket `{blocking}` blocks SSE-C (new buckets do, since 2026-04), so S3 refuses its replica with 403 AccessDenied and the source ends FAILED; unblock SSE-C on `{blocking}` with `block_sse_c: false` (in AWS, `BlockedEncryptionTypes` = `NONE` in PutBucketEncryption), or expect {instead}; under `rules exam_guide;` SSE-C objects are never replicated",
                o.key
            );
            Some((path, msg))
        }
    }
}

/// Whether every upload of `key` in the scenario so far is SSE-C (and there is at least one).
fn only_sse_c_uploads(cx: &Context<'_>, key: &str) -> bool {
    let mut uploads = cx.last_put.iter().filter(|((_, k), _)| k == key).peekable();
    uploads.peek().is_some() && uploads.all(|(_, enc)| matches!(enc, UploadEncryption::SseC { .. }))
}

/// A destination that blocks SSE-C wherever the object `key` of `source` replicates to, or
/// `None` when some rule that may match the key writes into a bucket that may accept SSE-C.
///
/// Conservative: every rule of every configuration put on `source` so far counts, a tag filter
/// counts as matching (the expectation does not know the object's tags), and a destination
/// given by ARN outside the scenario counts as accepting.
fn blocking_destination(cx: &Context<'_>, source: &str, key: &str) -> Option<String> {
    let mut blocking = None;
    let rules = cx.spec.steps[..cx.idx]
        .iter()
        .filter_map(|s| match s {
            Step::PutBucketReplication(r) if r.bucket == source => Some(&r.rules),
            _ => None,
        })
        .flatten()
        .filter(|rule| has_tag_filter(&rule.filter) || filter_matches(&rule.filter, key, &[]));
    for rule in rules {
        match &rule.destination.bucket {
            BucketRef::Named(dst) if blocks_throughout(cx, dst) => {
                blocking.get_or_insert_with(|| dst.clone());
            }
            _ => return None,
        }
    }
    blocking
}

/// Whether `bucket` blocks SSE-C from the start and no step before the expectation changes it.
fn blocks_throughout(cx: &Context<'_>, bucket: &str) -> bool {
    let Some(b) = cx.spec.buckets.iter().find(|b| b.name == bucket) else {
        return false;
    };
    let changed = cx.spec.steps[..cx.idx].iter().any(
        |s| matches!(s, Step::Fault(Fault::BlockSseC { bucket: changed, .. }) if changed == bucket),
    );
    b.block_sse_c.unwrap_or(cx.rules.new_buckets_block_sse_c) && !changed
}
