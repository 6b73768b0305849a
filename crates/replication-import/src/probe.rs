//! Probe uploads and what became of them: one upload per encryption type a source bucket can
//! receive, for each enabled rule, and per destination whether it replicated, failed (with S3's
//! reason and the fix) or is still pending, read from the run's typed records.

use replication_model::{AttemptResult, FailureReason, Outcome, ReplicationStatus, Skipped};

use crate::plan::{Plan, probe_match};

/// The encryption types a probe uploads with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProbeEncryption {
    /// SSE-S3.
    SseS3,
    /// SSE-KMS under the bucket's default key (the `aws/s3` key when the default is not KMS).
    SseKms,
    /// DSSE-KMS under the same key.
    DsseKms,
    /// SSE-C, where the bucket does not block it.
    SseC,
}

impl ProbeEncryption {
    /// The name AWS's documentation uses.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProbeEncryption::SseS3 => "SSE-S3",
            ProbeEncryption::SseKms => "SSE-KMS",
            ProbeEncryption::DsseKms => "DSSE-KMS",
            ProbeEncryption::SseC => "SSE-C",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            ProbeEncryption::SseS3 => "sse-s3",
            ProbeEncryption::SseKms => "sse-kms",
            ProbeEncryption::DsseKms => "dsse-kms",
            ProbeEncryption::SseC => "sse-c",
        }
    }
}

/// One probe upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The source bucket's S3 name.
    pub bucket: String,
    /// Its identifier in the scenario.
    pub bucket_ident: String,
    /// The rule whose filter the key matches (its ID, or `rule-<n>`).
    pub rule: String,
    /// The object key.
    pub key: String,
    /// Tags the filter needs.
    pub tags: Vec<(String, String)>,
    /// The encryption type.
    pub encryption: ProbeEncryption,
    /// The KMS key identifier for SSE-KMS and DSSE-KMS (`None`: `aws/s3`).
    pub key_ident: Option<String>,
}

/// What became of a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// S3 refused the upload itself (an SSE-KMS key that is disabled, ...).
    UploadRejected {
        /// The error code S3 answers with.
        code: String,
    },
    /// No rule replicates it, each matching rule saying why (the configuration may also have
    /// been refused, then no rule matched).
    NotReplicated {
        /// The rules that matched and why they skip it.
        skipped: Vec<Skipped>,
    },
    /// Per destination, what the replication did.
    Replicated(Vec<DestinationOutcome>),
}

/// A probe's replication to one destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationOutcome {
    /// The destination bucket's scenario identifier.
    pub destination: String,
    /// The destination bucket's S3 name.
    pub bucket: String,
    /// How it ended.
    pub result: DestinationResult,
}

/// How a probe's replication to one destination ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DestinationResult {
    /// The replica was written.
    Completed,
    /// S3 marked the source FAILED for this destination.
    Failed {
        /// S3's failure reason.
        reason: FailureReason,
        /// What to change.
        fix: String,
    },
    /// A temporary condition; S3 retries.
    Pending {
        /// Why.
        why: String,
    },
}

/// A probe and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResult {
    /// The probe.
    pub probe: Probe,
    /// What became of it.
    pub outcome: ProbeOutcome,
}

/// The probes for every enabled rule of every replicating bucket, in the plan's order.
pub(crate) fn probes(plan: &Plan<'_>) -> Vec<Probe> {
    let mut out = Vec::new();
    for b in &plan.buckets {
        let Some((_, config)) = &b.bucket.replication else {
            continue;
        };
        let (_, enc) = &b.bucket.encryption;
        let blocks_sse_c = enc.block_sse_c == Some(true);
        for (n, rule) in config.rules.iter().enumerate() {
            if !rule.spec.enabled {
                continue;
            }
            let label = rule
                .spec
                .id
                .clone()
                .unwrap_or_else(|| format!("rule-{}", n + 1));
            let (prefix, tags) = probe_match(&rule.spec.filter);
            let slug: String = label
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            let types = [
                ProbeEncryption::SseS3,
                ProbeEncryption::SseKms,
                ProbeEncryption::DsseKms,
                ProbeEncryption::SseC,
            ];
            for encryption in types {
                if encryption == ProbeEncryption::SseC && blocks_sse_c {
                    continue;
                }
                let key_ident = match encryption {
                    ProbeEncryption::SseKms | ProbeEncryption::DsseKms => b.default_key.clone(),
                    _ => None,
                };
                out.push(Probe {
                    bucket: b.bucket.name.clone(),
                    bucket_ident: b.ident.clone(),
                    rule: label.clone(),
                    key: format!("{prefix}replication-lab-probe/{slug}/{}", encryption.slug()),
                    tags: tags.clone(),
                    encryption,
                    key_ident,
                });
            }
        }
    }
    out
}

/// What the run did with each probe; `rejected` holds the codes of uploads S3 refused.
pub(crate) fn outcomes(
    plan: &Plan<'_>,
    probes: &[Probe],
    rejected: &[(usize, String)],
    outcome: &Outcome,
) -> Vec<ProbeResult> {
    let rows = outcome.objects();
    probes
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let result = if let Some((_, code)) = rejected.iter().find(|(j, _)| *j == i) {
                ProbeOutcome::UploadRejected { code: code.clone() }
            } else {
                let mut dests: Vec<DestinationOutcome> = Vec::new();
                for a in outcome.attempts() {
                    if *a.source != *p.bucket_ident || a.key != p.key {
                        continue;
                    }
                    let result = match &a.result {
                        AttemptResult::Completed { .. } => DestinationResult::Completed,
                        AttemptResult::Failed { reason, fix, .. } => DestinationResult::Failed {
                            reason: *reason,
                            fix: fix.clone(),
                        },
                        AttemptResult::Pending { why } => {
                            DestinationResult::Pending { why: why.clone() }
                        }
                    };
                    // The last attempt per destination is what stands.
                    match dests.iter_mut().find(|d| *d.destination == *a.dest) {
                        Some(d) => d.result = result,
                        None => dests.push(DestinationOutcome {
                            destination: a.dest.to_string(),
                            bucket: plan
                                .buckets
                                .iter()
                                .find(|b| *b.ident == *a.dest)
                                .map_or_else(|| a.dest.to_string(), |b| b.bucket.name.clone()),
                            result,
                        }),
                    }
                }
                if dests.is_empty() {
                    let skipped = rows
                        .iter()
                        .find(|r| r.bucket == p.bucket_ident && r.key == p.key)
                        .map(|r| r.not_eligible.clone())
                        .unwrap_or_default();
                    ProbeOutcome::NotReplicated { skipped }
                } else {
                    ProbeOutcome::Replicated(dests)
                }
            };
            ProbeResult {
                probe: p.clone(),
                outcome: result,
            }
        })
        .collect()
}

/// The source status of each probe that was uploaded, as the run left it.
pub(crate) fn source_status(outcome: &Outcome, p: &Probe) -> Option<ReplicationStatus> {
    outcome
        .objects()
        .into_iter()
        .find(|r| r.bucket == p.bucket_ident && r.key == p.key)
        .and_then(|r| r.status)
}
