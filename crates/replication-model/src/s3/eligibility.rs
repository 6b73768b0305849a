//! Which object versions a matching replication rule replicates, and why S3 leaves the others
//! alone without a status (aws-facts c [U-WHAT], d.3 [U-KMSREPL], d.6): delete markers need
//! `DeleteMarkerReplication` in the V2 schema, SSE-KMS and DSSE-KMS objects need the rule's
//! `SseKmsEncryptedObjects` opt-in, SSE-C objects replicate only where the rule set says so, and
//! archived objects never replicate.
//!
//! The SSE-C rule is written here once: routing asks [`eligibility`], validation asks
//! [`sse_c_replicates`] before it accepts an expectation that an SSE-C object replicates.

use crate::rules::{RuleSet, SseCReplication};
use crate::world::{ResolvedRule, Sse, TaskKind};

/// Why a matching rule does not replicate a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NotEligible {
    /// A delete marker, and the rule does not replicate delete markers (V2 schema without
    /// `DeleteMarkerReplication` enabled).
    DeleteMarkerReplicationDisabled,
    /// An SSE-KMS or DSSE-KMS object, and the rule has no `SseKmsEncryptedObjects` opt-in.
    SseKmsEncryptedObjectsNotSelected,
    /// An SSE-C object under a rule set where SSE-C objects are never replicated.
    SseCNotReplicated,
    /// An object in an archive storage class.
    Archived {
        /// `GLACIER` or `DEEP_ARCHIVE`.
        storage_class: String,
    },
}

/// Whether the rule set replicates SSE-C objects at all: `exam_guide` never does ("S3 never
/// holds the customer key"), `aws_2026` copies their ciphertext (aws-facts d.6).
pub(crate) fn sse_c_replicates(rules: &RuleSet) -> bool {
    rules.sse_c_replication != SseCReplication::NotReplicated
}

/// Whether `rule`, which matches the version, replicates it.
pub(crate) fn eligibility(
    rule: &ResolvedRule,
    kind: TaskKind,
    sse: Option<&Sse>,
    storage_class: &str,
    rules: &RuleSet,
) -> Result<(), NotEligible> {
    match (kind, sse) {
        (TaskKind::DeleteMarker, _) if !rule.delete_markers => {
            Err(NotEligible::DeleteMarkerReplicationDisabled)
        }
        (TaskKind::Object, Some(Sse::SseKms { .. } | Sse::DsseKms { .. }))
            if !rule.sse_kms_opt_in =>
        {
            Err(NotEligible::SseKmsEncryptedObjectsNotSelected)
        }
        (TaskKind::Object, Some(Sse::SseC { .. })) if !sse_c_replicates(rules) => {
            Err(NotEligible::SseCNotReplicated)
        }
        (TaskKind::Object, _) if matches!(storage_class, "GLACIER" | "DEEP_ARCHIVE") => {
            Err(NotEligible::Archived {
                storage_class: storage_class.to_owned(),
            })
        }
        _ => Ok(()),
    }
}

impl NotEligible {
    /// The reason as the report's timeline says it, for the rule labelled `rule`.
    pub(crate) fn describe(&self, rule: &str) -> String {
        match self {
            NotEligible::DeleteMarkerReplicationDisabled => format!(
                "rule `{rule}` does not replicate delete markers (V2 schema without `delete_marker_replication: enabled`)"
            ),
            NotEligible::SseKmsEncryptedObjectsNotSelected => format!(
                "rule `{rule}` matches, but SSE-KMS and DSSE-KMS objects replicate only when the rule opts in with `sse_kms_encrypted_objects` (not replicated, no status, silently)"
            ),
            NotEligible::SseCNotReplicated => format!(
                "rule `{rule}` matches, but under rule set `exam_guide` SSE-C objects are never replicated (S3 holds no key to decrypt with)"
            ),
            NotEligible::Archived { storage_class } => format!(
                "rule `{rule}` matches, but objects in {storage_class} are not replicated; restore and copy them first"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::put_bucket_replication::SchemaVersion;
    use crate::spec::{FilterSpec, RuleSetName};

    fn rule(sse_kms_encrypted_objects: bool, delete_markers: bool) -> ResolvedRule {
        ResolvedRule {
            label: "to_eu".into(),
            priority: 1,
            enabled: true,
            filter: FilterSpec::Empty,
            schema: SchemaVersion::V2,
            delete_markers,
            dest: "target".into(),
            owner_override: false,
            storage_class: None,
            replica_key: None,
            sse_kms_opt_in: sse_kms_encrypted_objects,
            metrics: false,
            rtc: false,
        }
    }

    fn sse_kms() -> Sse {
        Sse::SseKms {
            key_arn: "arn:aws:kms:us-east-1:111122223333:key/k".into(),
            bucket_key: false,
        }
    }

    /// aws-facts d.3 [U-KMSREPL]: SSE-KMS and DSSE-KMS objects replicate only with the
    /// `SseKmsEncryptedObjects` opt-in; SSE-S3 objects need none.
    #[test]
    fn sse_kms_objects_need_the_opt_in() {
        let rules = RuleSet::of(RuleSetName::Aws2026);
        let object = TaskKind::Object;
        assert_eq!(
            eligibility(
                &rule(false, true),
                object,
                Some(&sse_kms()),
                "STANDARD",
                &rules
            ),
            Err(NotEligible::SseKmsEncryptedObjectsNotSelected)
        );
        assert_eq!(
            eligibility(
                &rule(true, true),
                object,
                Some(&sse_kms()),
                "STANDARD",
                &rules
            ),
            Ok(())
        );
        assert_eq!(
            eligibility(
                &rule(false, true),
                object,
                Some(&Sse::SseS3),
                "STANDARD",
                &rules
            ),
            Ok(())
        );
    }

    /// aws-facts d.6: SSE-C objects replicate under aws_2026 and never under exam_guide.
    #[test]
    fn sse_c_follows_the_rule_set() {
        let sse_c = Sse::SseC {
            customer_key: "ck".into(),
        };
        let exam = RuleSet::of(RuleSetName::ExamGuide);
        let aws = RuleSet::of(RuleSetName::Aws2026);
        assert!(!sse_c_replicates(&exam));
        assert!(sse_c_replicates(&aws));
        let r = rule(false, true);
        assert_eq!(
            eligibility(&r, TaskKind::Object, Some(&sse_c), "STANDARD", &exam),
            Err(NotEligible::SseCNotReplicated)
        );
        assert_eq!(
            eligibility(&r, TaskKind::Object, Some(&sse_c), "STANDARD", &aws),
            Ok(())
        );
    }

    /// aws-facts c [U-WHAT]: delete markers need `DeleteMarkerReplication`; archived objects
    /// never replicate.
    #[test]
    fn delete_markers_and_archived_objects() {
        let rules = RuleSet::of(RuleSetName::Aws2026);
        assert_eq!(
            eligibility(
                &rule(false, false),
                TaskKind::DeleteMarker,
                None,
                "",
                &rules
            ),
            Err(NotEligible::DeleteMarkerReplicationDisabled)
        );
        assert_eq!(
            eligibility(&rule(false, true), TaskKind::DeleteMarker, None, "", &rules),
            Ok(())
        );
        assert_eq!(
            eligibility(
                &rule(false, true),
                TaskKind::Object,
                Some(&Sse::SseS3),
                "GLACIER",
                &rules
            ),
            Err(NotEligible::Archived {
                storage_class: "GLACIER".into()
            })
        );
    }
}
