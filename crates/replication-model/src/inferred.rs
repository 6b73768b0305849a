//! The choices the model makes where AWS documents nothing, as values a run records.
//!
//! The code that makes a choice records its [`InferredChoice`] at that very point (an attempt in
//! its [`InferredSet`], routing and uploads in the world's), and the report lists exactly the
//! recorded ones. Nothing is recovered by searching the text the run wrote, so rewording a
//! message cannot drop a line, and a new choice is a variant the report cannot forget.

macro_rules! inferred_choices {
    ($($(#[doc = $doc:literal])* $name:ident = $id:literal: $text:literal,)*) => {
        /// One choice the model makes where AWS documents nothing (marked *inferred* in the code).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum InferredChoice {
            $($(#[doc = $doc])* $name,)*
        }

        impl InferredChoice {
            /// Every choice, in the order reports list them.
            pub const ALL: &'static [InferredChoice] = &[$(InferredChoice::$name,)*];

            /// A short stable id (`src-kms-denied`).
            pub const fn id(self) -> &'static str {
                match self {
                    $(InferredChoice::$name => $id,)*
                }
            }

            /// What the model chose, and what AWS does document (the report's line).
            pub const fn text(self) -> &'static str {
                match self {
                    $(InferredChoice::$name => $text,)*
                }
            }
        }
    };
}

inferred_choices! {
    /// A rule without `SseKmsEncryptedObjects` leaves SSE-KMS objects without any status.
    NoStatusWithoutOptIn = "no-status-without-opt-in":
        "SSE-KMS/DSSE-KMS objects matched by a rule without `sse_kms_encrypted_objects` get no replication status at all (not FAILED): the status header is only returned for eligible objects (aws-facts d.3)",
    /// A denied `kms:Decrypt` of the source key fails with `SrcGetObjectNotPermitted`.
    SrcKmsDenied = "src-kms-denied":
        "a role that may not kms:Decrypt the source key fails with SrcGetObjectNotPermitted: S3 has no dedicated code for it (aws-facts e)",
    /// A replica key in another Region fails with `DstKmsKeyNotFound`.
    WrongRegionReplicaKey = "wrong-region-replica-key":
        "a ReplicaKmsKeyID in another Region than the destination bucket fails with DstKmsKeyNotFound: KMS in the destination Region cannot find it",
    /// Unusable key states fail with `*KmsKeyInvalidState`.
    KeyStateCodes = "key-state-codes":
        "Disabled, PendingDeletion, PendingReplicaDeletion, PendingImport, Unavailable and Creating keys fail with *KmsKeyInvalidState; KMS answers KMSInvalidStateException for pending deletion (aws-facts d.8)",
    /// An SSE-C replica into a blocking bucket fails with `DstPutObjectNotPermitted`.
    SseCBlockedReplica = "sse-c-blocked-replica":
        "an SSE-C replica into a bucket that blocks SSE-C fails with DstPutObjectNotPermitted; AWS documents the 403 but not the code (aws-facts d.6)",
    /// An SSE-C replica stays SSE-C under the same customer key.
    SseCReplicaEncryption = "sse-c-replica-encryption":
        "an SSE-C replica stays SSE-C under the same customer key: S3 copies the ciphertext (aws-facts d.6)",
    /// A denied `s3:GetReplicationConfiguration` fails with `SrcBucketReplicationConfigMissing`.
    ConfigReadDenied = "config-read-denied":
        "a role that may not s3:GetReplicationConfiguration fails with SrcBucketReplicationConfigMissing (aws-facts a.2)",
    /// KMS throttling keeps objects PENDING.
    ThrottlingPending = "throttling-pending":
        "KMS throttling is temporary: objects stay PENDING and are retried (aws-facts d.9)",
    /// An explicit Deny on `s3:ReplicateTags` fails tagged objects with `DstPutTaggingNotPermitted`:
    /// the docs conflict (aws-facts a.3, h), and the model follows the troubleshooting page.
    ReplicateTagsDeny = "replicate-tags-deny":
        "an explicit Deny on s3:ReplicateTags fails tagged objects with DstPutTaggingNotPermitted: the docs conflict (the permissions page offers the Deny as the way to refuse tags, the troubleshooting page says it makes replication fail) and the model follows the troubleshooting page (aws-facts a.3, h)",
    /// A deleted source key fails with `SrcKmsKeyInvalidState`.
    DeletedSourceKey = "deleted-source-key":
        "an object whose source KMS key was deleted fails with SrcKmsKeyInvalidState: KMS answers NotFoundException and S3 documents no code for it (aws-facts d.8)",
    /// A cross-account Requester Pays destination fails with `DstPutObjectNotPermitted`.
    RequesterPaysDestination = "requester-pays-destination":
        "a Requester Pays destination in another account fails with DstPutObjectNotPermitted: AWS documents the prerequisite, not the code (aws-facts a.1)",
    /// A replica whose version id is taken in the destination takes the next free number.
    ReplicaVersionIdTaken = "replica-version-id-taken":
        "a replica keeps its source version's id (aws-facts c), but when the destination already uses that id for the key (its own earlier upload, or a replica from another source) it takes the next free number: real S3 version ids are opaque and never collide",
    /// An SSE-KMS upload KMS refuses is rejected with KMS's exception prefixed `KMS.`.
    UploadKmsErrors = "upload-kms-errors":
        "an SSE-KMS upload with a missing, wrong-Region, disabled or pending-deletion key is refused with KMS's exception prefixed `KMS.` (e.g. KMS.DisabledException); AWS documents the KMS exceptions, not S3's spelling of them (aws-facts f)",
}

/// A set of [`InferredChoice`]s, as bits: recording one on the replication path allocates
/// nothing and costs one `or`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InferredSet(u32);

// Every choice has its bit.
const _: () = assert!(InferredChoice::ALL.len() <= u32::BITS as usize);

impl InferredSet {
    /// Records that the run relied on `choice`.
    pub fn insert(&mut self, choice: InferredChoice) {
        self.0 |= 1 << choice as u32;
    }

    /// Records every choice of `other`.
    pub fn extend(&mut self, other: InferredSet) {
        self.0 |= other.0;
    }

    /// Whether the run relied on `choice`.
    pub fn contains(self, choice: InferredChoice) -> bool {
        self.0 & (1 << choice as u32) != 0
    }

    /// Whether no choice was relied on.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The recorded choices, in the order of [`InferredChoice::ALL`].
    pub fn iter(self) -> impl Iterator<Item = InferredChoice> {
        InferredChoice::ALL
            .iter()
            .copied()
            .filter(move |c| self.contains(*c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_the_set_keeps_order() {
        let mut ids: Vec<&str> = InferredChoice::ALL.iter().map(|c| c.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), InferredChoice::ALL.len());
        let mut set = InferredSet::default();
        assert!(set.is_empty());
        set.insert(InferredChoice::UploadKmsErrors);
        set.insert(InferredChoice::NoStatusWithoutOptIn);
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            [
                InferredChoice::NoStatusWithoutOptIn,
                InferredChoice::UploadKmsErrors
            ]
        );
    }
}
