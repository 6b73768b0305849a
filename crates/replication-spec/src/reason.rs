//! S3's replication failure reasons and the model's typed not-eligible reasons.
//!
//! [`FailureReason`] is the `failureReason` S3 reports for a FAILED object version, in AWS's
//! spelling, one variant per code of the current list (aws-facts e [U-FAIL]). Every failure the
//! engine produces is one of these variants, and scenarios name them through [`FromStr`], so a
//! misspelt code is an error with a suggestion, never a string that silently matches nothing.

use std::fmt;
use std::str::FromStr;

use crate::spelling;

macro_rules! failure_reasons {
    ($($(#[doc = $doc:literal])* $name:ident,)*) => {
        /// A replication failure reason as S3 reports it (aws-facts e [U-FAIL]).
        ///
        /// ```
        /// use replication_spec::FailureReason;
        /// let r: FailureReason = "DstKmsKeyNotFound".parse().unwrap();
        /// assert_eq!(r, FailureReason::DstKmsKeyNotFound);
        /// assert_eq!(r.to_string(), "DstKmsKeyNotFound");
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FailureReason {
            $($(#[doc = $doc])* $name,)*
        }

        impl FailureReason {
            /// Every code, in AWS's (alphabetical) order.
            pub const ALL: &'static [FailureReason] = &[$(FailureReason::$name,)*];

            /// The code as S3 spells it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(FailureReason::$name => stringify!($name),)*
                }
            }
        }
    };
}

failure_reasons! {
    /// The object carries more annotations than replication allows (aws-facts e, 2025+
    /// annotation codes).
    AnnotationLimitExceeded,
    /// S3 could not assume the replication role (aws-facts e, a.2).
    AssumeRoleNotPermitted,
    /// The destination bucket's Region does not match (aws-facts e; Batch-only, new in 2024+).
    DstBucketInvalidRegion,
    /// The destination bucket does not exist (aws-facts e).
    DstBucketNotFound,
    /// The source has Object Lock and the destination does not (aws-facts e, a.1).
    DstBucketObjectLockConfigMissing,
    /// The destination bucket is not versioned (aws-facts e, a.1).
    DstBucketUnversioned,
    /// The role may not `s3:ReplicateDelete` on the destination (aws-facts e, a.2).
    DstDelObjNotPermitted,
    /// The replica KMS key is disabled, pending deletion or otherwise unusable (aws-facts e, d.8).
    DstKmsKeyInvalidState,
    /// The replica KMS key does not exist in the destination Region (aws-facts e, d.3).
    DstKmsKeyNotFound,
    /// The role may not complete a multipart upload on the destination (aws-facts e).
    DstMultipartCompleteNotPermitted,
    /// The role may not initiate a multipart upload on the destination (aws-facts e).
    DstMultipartInitNotPermitted,
    /// The role may not upload a part on the destination (aws-facts e; named
    /// `DstMultipartPartUploadNotPermitted` in the 2023 list).
    DstMultipartUploadNotPermitted,
    /// Batch Replication only: the destination object was permanently deleted (aws-facts e).
    DstObjectHardDeleted,
    /// The role may not write the replica's ACL (aws-facts e).
    DstPutAclNotPermitted,
    /// The role may not write the replica's legal hold (aws-facts e).
    DstPutLegalHoldNotPermitted,
    /// The role may not annotate the replica (aws-facts e, 2025+ annotation codes).
    DstPutObjectAnnotationNotPermitted,
    /// The role may not write the replica, including a destination KMS key policy that does not
    /// allow it `kms:Encrypt`/`kms:GenerateDataKey*` (aws-facts e).
    DstPutObjectNotPermitted,
    /// The role may not write the replica's retention (aws-facts e, new in 2024+).
    DstPutRetentionNotPermitted,
    /// The role may not write the replica's tags (aws-facts e).
    DstPutTaggingNotPermitted,
    /// The destination version is gone (aws-facts e).
    DstVersionNotFound,
    /// Batch Replication only: the job may not initiate replication (aws-facts e).
    InitiateReplicationNotPermitted,
    /// The source object's annotation is encrypted in a way replication does not support
    /// (aws-facts e, 2025+ annotation codes).
    SrcAnnotationEncryptionUnsupported,
    /// The source object's annotation is gone (aws-facts e, 2025+ annotation codes).
    SrcAnnotationNotFound,
    /// Batch Replication only: the source bucket's Region does not match (aws-facts e).
    SrcBucketInvalidRegion,
    /// The source bucket does not exist (aws-facts e).
    SrcBucketNotFound,
    /// The source bucket has no (readable) replication configuration (aws-facts e, a.2).
    SrcBucketReplicationConfigMissing,
    /// The role may not read the source object's ACL (aws-facts e, a.2).
    SrcGetAclNotPermitted,
    /// The role may not read the source object's legal hold (aws-facts e, new in 2024+).
    SrcGetLegalHoldNotPermitted,
    /// The role may not read the source object's annotation (aws-facts e, 2025+ annotation codes).
    SrcGetObjectAnnotationNotPermitted,
    /// The role may not read the source object version (aws-facts e, a.2).
    SrcGetObjectNotPermitted,
    /// The role may not read the source object's retention (aws-facts e, new in 2024+).
    SrcGetRetentionNotPermitted,
    /// The role may not read the source object's tags (aws-facts e).
    SrcGetTaggingNotPermitted,
    /// The role may not HEAD the source object (aws-facts e).
    SrcHeadObjectNotPermitted,
    /// The source object key is gone (aws-facts e, new in 2024+).
    SrcKeyNotFound,
    /// The source KMS key is disabled, pending deletion or otherwise unusable (aws-facts e, d.8).
    SrcKmsKeyInvalidState,
    /// The source object is not eligible for replication (aws-facts e, c).
    SrcObjectNotEligible,
    /// The source object is gone (aws-facts e, new in 2024+).
    SrcObjectNotFound,
    /// The source object is not pending replication (aws-facts e, new in 2024+).
    SrcReplicationNotPending,
    /// The source object version is gone (aws-facts e).
    SrcVersionNotFound,
}

/// The 2023 list's name of [`FailureReason::DstMultipartUploadNotPermitted`] (aws-facts e).
const DST_MULTIPART_2023_NAME: &str = "DstMultipartPartUploadNotPermitted";

impl FailureReason {
    /// Whether only S3 Batch Replication reports this code (aws-facts e marks them (B)).
    pub const fn is_batch_only(self) -> bool {
        matches!(
            self,
            FailureReason::DstBucketInvalidRegion
                | FailureReason::DstObjectHardDeleted
                | FailureReason::InitiateReplicationNotPermitted
                | FailureReason::SrcBucketInvalidRegion
        )
    }
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not one of S3's replication failure reasons.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct UnknownFailureReason {
    /// What was given.
    pub given: String,
    /// The code closest to it, when one is close enough to be a likely typo.
    pub suggestion: Option<FailureReason>,
}

impl UnknownFailureReason {
    fn message(&self) -> String {
        let given = &self.given;
        if given == DST_MULTIPART_2023_NAME {
            return format!(
                "`{given}` is the 2023 name of `DstMultipartUploadNotPermitted`; use `DstMultipartUploadNotPermitted`"
            );
        }
        let codes = spelling::one_of(FailureReason::ALL.iter().map(|r| r.as_str()));
        match self.suggestion {
            Some(s) => format!(
                "`{given}` is not an S3 replication failure reason; did you mean `{s}`? S3's codes are {codes}"
            ),
            None => {
                format!("`{given}` is not an S3 replication failure reason; S3's codes are {codes}")
            }
        }
    }
}

impl FromStr for FailureReason {
    type Err = UnknownFailureReason;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(r) = FailureReason::ALL.iter().find(|r| r.as_str() == s) {
            return Ok(*r);
        }
        let suggestion = if s == DST_MULTIPART_2023_NAME {
            Some(FailureReason::DstMultipartUploadNotPermitted)
        } else {
            spelling::suggest(s, FailureReason::ALL.iter().map(|r| r.as_str())).and_then(|code| {
                FailureReason::ALL
                    .iter()
                    .copied()
                    .find(|r| r.as_str() == code)
            })
        };
        Err(UnknownFailureReason {
            given: s.to_owned(),
            suggestion,
        })
    }
}

/// Why a rule matches a new version and S3 still does not replicate it: the version gets no
/// status for that destination (aws-facts c, d.3, d.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotEligible {
    /// A V2 rule without `DeleteMarkerReplication` does not replicate delete markers (aws-facts b).
    DeleteMarkersNotReplicated,
    /// SSE-KMS and DSSE-KMS objects need `SseKmsEncryptedObjects` on the rule (aws-facts d.3);
    /// that they get no status at all is *inferred* (`InferredChoice::NoStatusWithoutOptIn`).
    SseKmsWithoutSseKmsEncryptedObjects,
    /// Under `exam_guide`, S3 never replicates SSE-C objects (aws-facts i.4).
    SseCUnderExamGuide,
    /// Objects in an archive storage class are not replicated (aws-facts c).
    ArchivedStorageClass(String),
}

/// A rule that matched a version without replicating it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The rule's ID.
    pub rule: std::sync::Arc<str>,
    /// Why it does not replicate the version.
    pub why: NotEligible,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = &self.rule;
        match &self.why {
            NotEligible::DeleteMarkersNotReplicated => write!(
                f,
                "rule `{rule}` does not replicate delete markers (V2 schema without `delete_marker_replication: enabled`)"
            ),
            NotEligible::SseKmsWithoutSseKmsEncryptedObjects => write!(
                f,
                "rule `{rule}` matches, but SSE-KMS and DSSE-KMS objects replicate only when the rule opts in with `sse_kms_encrypted_objects` (not replicated, no status, silently)"
            ),
            NotEligible::SseCUnderExamGuide => write!(
                f,
                "rule `{rule}` matches, but under rule set `exam_guide` SSE-C objects are never replicated (S3 holds no key to decrypt with)"
            ),
            NotEligible::ArchivedStorageClass(class) => write!(
                f,
                "rule `{rule}` matches, but objects in {class} are not replicated; restore and copy them first"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_all_is_sorted() {
        for r in FailureReason::ALL {
            assert_eq!(r.as_str().parse::<FailureReason>(), Ok(*r));
        }
        assert!(FailureReason::ALL.windows(2).all(|w| w[0] < w[1]));
        assert!(
            FailureReason::ALL
                .windows(2)
                .all(|w| w[0].as_str() < w[1].as_str())
        );
        // aws-facts e: 34 codes in the 2024+ list and 5 annotation codes from 2025.
        assert_eq!(FailureReason::ALL.len(), 39);
    }

    #[test]
    fn batch_only_codes_are_the_four_aws_marks() {
        let batch: Vec<&str> = FailureReason::ALL
            .iter()
            .filter(|r| r.is_batch_only())
            .map(|r| r.as_str())
            .collect();
        assert_eq!(
            batch,
            [
                "DstBucketInvalidRegion",
                "DstObjectHardDeleted",
                "InitiateReplicationNotPermitted",
                "SrcBucketInvalidRegion"
            ]
        );
    }

    #[test]
    fn a_typo_suggests_the_closest_code() {
        let err = "DstKmsKeyNotFund".parse::<FailureReason>().unwrap_err();
        assert_eq!(err.suggestion, Some(FailureReason::DstKmsKeyNotFound));
        let text = err.to_string();
        assert!(text.starts_with(
            "`DstKmsKeyNotFund` is not an S3 replication failure reason; did you mean `DstKmsKeyNotFound`?"
        ), "{text}");
        assert!(text.contains("`SrcVersionNotFound`"), "{text}");
        let err = "Nonsense".parse::<FailureReason>().unwrap_err();
        assert_eq!(err.suggestion, None);
    }

    #[test]
    fn the_2023_name_points_at_the_current_one() {
        let err = "DstMultipartPartUploadNotPermitted"
            .parse::<FailureReason>()
            .unwrap_err();
        assert_eq!(
            err.suggestion,
            Some(FailureReason::DstMultipartUploadNotPermitted)
        );
        assert!(err.to_string().contains("2023 name"));
    }
}
