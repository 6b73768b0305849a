//! Which object versions a matching replication rule replicates, and why S3 leaves the others
//! alone ([`NotEligible`]) (aws-facts c [U-WHAT], d.3 [U-KMSREPL], d.6): delete markers need
//! `DeleteMarkerReplication` in the V2 schema, SSE-KMS and DSSE-KMS objects need the rule's
//! `SseKmsEncryptedObjects` opt-in, SSE-C objects replicate only where the rule set says so, and
//! archived objects never replicate.
//!
//! The SSE-C rule is written here once: routing asks [`eligibility`] and the engine's guard asks
//! [`sse_c_replicates`]; which SSE-C expectations can never hold is `crate::sse_c`'s.

use crate::NotEligible;
use crate::rules::{RuleSet, SseCReplication};
use crate::world::{ResolvedRule, Sse, TaskKind};

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
            Err(NotEligible::DeleteMarkersNotReplicated)
        }
        (TaskKind::Object, Some(Sse::SseKms { .. } | Sse::DsseKms { .. }))
            if !rule.sse_kms_encrypted_objects.is_enabled() =>
        {
            Err(NotEligible::SseKmsWithoutSseKmsEncryptedObjects)
        }
        (TaskKind::Object, Some(Sse::SseC { .. })) if !sse_c_replicates(rules) => {
            Err(NotEligible::SseCUnderExamGuide)
        }
        (TaskKind::Object, _) if matches!(storage_class, "GLACIER" | "DEEP_ARCHIVE") => {
            Err(NotEligible::ArchivedStorageClass(storage_class.to_owned()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::s3::put_bucket_replication::SchemaVersion;
    use crate::spec::{FilterSpec, RuleSetName, Status};

    fn rule(sse_kms_encrypted_objects: Status, delete_markers: bool) -> ResolvedRule {
        ResolvedRule {
            label: "to_eu".into(),
            priority: 1,
            status: Status::Enabled,
            filter: FilterSpec::Empty,
            schema: SchemaVersion::V2,
            delete_markers,
            dest: "target".into(),
            owner_override: false,
            storage_class: None,
            replica_key: None,
            sse_kms_encrypted_objects,
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
                &rule(Status::Disabled, true),
                object,
                Some(&sse_kms()),
                "STANDARD",
                &rules
            ),
            Err(NotEligible::SseKmsWithoutSseKmsEncryptedObjects)
        );
        assert_eq!(
            eligibility(
                &rule(Status::Enabled, true),
                object,
                Some(&sse_kms()),
                "STANDARD",
                &rules
            ),
            Ok(())
        );
        assert_eq!(
            eligibility(
                &rule(Status::Disabled, true),
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
        let r = rule(Status::Disabled, true);
        assert_eq!(
            eligibility(&r, TaskKind::Object, Some(&sse_c), "STANDARD", &exam),
            Err(NotEligible::SseCUnderExamGuide)
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
                &rule(Status::Disabled, false),
                TaskKind::DeleteMarker,
                None,
                "",
                &rules
            ),
            Err(NotEligible::DeleteMarkersNotReplicated)
        );
        assert_eq!(
            eligibility(
                &rule(Status::Disabled, true),
                TaskKind::DeleteMarker,
                None,
                "",
                &rules
            ),
            Ok(())
        );
        assert_eq!(
            eligibility(
                &rule(Status::Disabled, true),
                TaskKind::Object,
                Some(&Sse::SseS3),
                "GLACIER",
                &rules
            ),
            Err(NotEligible::ArchivedStorageClass("GLACIER".into()))
        );
    }
}
