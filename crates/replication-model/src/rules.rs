//! Rule sets: the documented behaviours that differ between the study-guide world and S3 today.
//!
//! Every difference is one field of [`RuleSet`], read by the engine and by validation; nothing
//! else in the crate asks which rule set is active. A future difference is one more field here
//! and one more row in [`RuleSet::differences`].

use crate::spec::RuleSetName;

/// What S3 does with an SSE-C object that a replication rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SseCReplication {
    /// Never replicated: S3 holds no key to decrypt with. The object gets no replication status.
    NotReplicated,
    /// Replicated as ciphertext under the same customer key, with no extra permissions.
    ReplicatedAsCiphertext,
}

/// The behaviours a scenario runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSet {
    /// Which rule set this is.
    pub name: RuleSetName,
    /// How SSE-C objects replicate.
    pub sse_c_replication: SseCReplication,
    /// Whether a new bucket blocks SSE-C unless the scenario says otherwise.
    pub new_buckets_block_sse_c: bool,
}

/// One documented difference between the rule sets, for the README and the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Difference {
    /// What differs.
    pub topic: &'static str,
    /// Under `exam_guide`.
    pub exam_guide: &'static str,
    /// Under `aws_2026`.
    pub aws_2026: &'static str,
    /// Where `docs/aws-facts.md` documents it.
    pub source: &'static str,
}

impl RuleSet {
    /// The rule set a name stands for.
    pub const fn of(name: RuleSetName) -> RuleSet {
        match name {
            RuleSetName::ExamGuide => RuleSet {
                name,
                sse_c_replication: SseCReplication::NotReplicated,
                new_buckets_block_sse_c: false,
            },
            RuleSetName::Aws2026 => RuleSet {
                name,
                sse_c_replication: SseCReplication::ReplicatedAsCiphertext,
                new_buckets_block_sse_c: true,
            },
        }
    }

    /// Every behaviour that differs, with its source in `docs/aws-facts.md`.
    pub const fn differences() -> &'static [Difference] {
        &[
            Difference {
                topic: "SSE-C objects",
                exam_guide: "never replicated (no replication status)",
                aws_2026: "replicated as ciphertext under the same customer key, no extra permissions",
                source: "aws-facts d.6 and i.4: S3 document history 2022-10-24, \"S3 Replication support for SSE-C objects\"",
            },
            Difference {
                topic: "SSE-C on new buckets",
                exam_guide: "allowed",
                aws_2026: "blocked by default (BlockedEncryptionTypes); SSE-C uploads and SSE-C replicas are refused with 403 AccessDenied",
                source: "aws-facts d.6: blocking-unblocking-s3-c-encryption-gpb.html, from 2026-04-06",
            },
        ]
    }
}

/// The spelling of a rule set in scenarios and reports.
pub const fn rule_set_label(name: RuleSetName) -> &'static str {
    match name {
        RuleSetName::ExamGuide => "exam_guide",
        RuleSetName::Aws2026 => "aws_2026",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// aws-facts i.4: SSE-C replication is the one claim of the study note that time overtook.
    #[test]
    fn sse_c_differs_between_rule_sets() {
        assert_eq!(
            RuleSet::of(RuleSetName::ExamGuide).sse_c_replication,
            SseCReplication::NotReplicated
        );
        assert_eq!(
            RuleSet::of(RuleSetName::Aws2026).sse_c_replication,
            SseCReplication::ReplicatedAsCiphertext
        );
        assert!(RuleSet::of(RuleSetName::Aws2026).new_buckets_block_sse_c);
        assert!(!RuleSet::of(RuleSetName::ExamGuide).new_buckets_block_sse_c);
        assert_eq!(RuleSet::differences().len(), 2);
    }
}
