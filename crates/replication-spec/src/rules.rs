//! Rule sets: the documented behaviours that differ between the study-guide world and S3 today.
//!
//! Every difference is one field of [`RuleSet`], read by the engine and by validation; nothing
//! else in the crate asks which rule set is active. A future difference is one more field here
//! (and one more row in the README's table of differences, with its aws-facts source).

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
    }
}
