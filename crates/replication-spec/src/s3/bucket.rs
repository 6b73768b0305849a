//! A bucket's control-plane state as S3 holds it between calls, and the calls that change it:
//! `PutBucketVersioning` (refused while a replication configuration is present, aws-facts a.4
//! [U-REQ] [O-VERS]) and `BlockedEncryptionTypes` (the SSE-C block, aws-facts d.6
//! [U-SSEC-BLOCK]). Crypto-free: validation dry-runs it, the run embeds it.

use super::ApiRejection;
use crate::rules::RuleSet;
use crate::spec::{BucketSpec, DefaultEncryption, Versioning};

/// What S3 knows about a bucket besides its objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketControl {
    /// `Versioning`: unversioned, enabled or suspended.
    pub versioning: Versioning,
    /// The default encryption (`None`: SSE-S3, S3's default since 2023).
    pub default_encryption: Option<DefaultEncryption>,
    /// S3 Bucket Key on the default SSE-KMS encryption (aws-facts d.4).
    pub bucket_key: bool,
    /// SSE-C is in the bucket's `BlockedEncryptionTypes`.
    pub blocks_sse_c: bool,
    /// A replication configuration that AWS accepted is present.
    pub replication_configured: bool,
}

/// Why S3 does not change a bucket's versioning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersioningError {
    /// A bucket that has had versioning can only be suspended, never unversioned (no API
    /// call expresses it).
    NeverUnversioned,
    /// `InvalidBucketState`: a replication configuration is present (aws-facts a.4).
    ReplicationConfigurationPresent,
}

impl VersioningError {
    /// AWS's answer to the call, for the error that is an API rejection.
    pub fn rejection(self, bucket: &str) -> Option<ApiRejection> {
        match self {
            VersioningError::NeverUnversioned => None,
            VersioningError::ReplicationConfigurationPresent => Some(ApiRejection {
                code: "InvalidBucketState".into(),
                aws_message: Some("A replication configuration is present on this bucket, so you cannot change the versioning state. To change the versioning state, first delete the replication configuration.".into()),
                detail: format!("`{bucket}` has a replication configuration and this step suspends its versioning"),
                fix: format!("keep versioning enabled on `{bucket}`"),
                path: "versioning".into(),
            }),
        }
    }
}

impl BucketControl {
    /// The bucket as created: SSE-C blocked as the rule set's new buckets are unless the
    /// scenario says otherwise (aws-facts d.6).
    pub fn new(spec: &BucketSpec, rules: &RuleSet) -> BucketControl {
        BucketControl {
            versioning: spec.versioning,
            default_encryption: spec.default_encryption.clone(),
            bucket_key: spec.bucket_key,
            blocks_sse_c: spec.block_sse_c.unwrap_or(rules.new_buckets_block_sse_c),
            replication_configured: false,
        }
    }

    /// `PutBucketVersioning`.
    pub fn put_bucket_versioning(&mut self, versioning: Versioning) -> Result<(), VersioningError> {
        if versioning == Versioning::Unversioned && self.versioning != Versioning::Unversioned {
            return Err(VersioningError::NeverUnversioned);
        }
        // aws-facts a.4 [U-REQ] [O-VERS]
        if versioning != Versioning::Enabled && self.replication_configured {
            return Err(VersioningError::ReplicationConfigurationPresent);
        }
        self.versioning = versioning;
        Ok(())
    }

    /// `PutBucketEncryption` with SSE-C added to or removed from `BlockedEncryptionTypes`.
    pub fn put_blocked_encryption_types(&mut self, blocks_sse_c: bool) {
        self.blocks_sse_c = blocks_sse_c;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::RuleSetName;

    fn bucket(versioning: Versioning) -> BucketControl {
        let spec = BucketSpec {
            name: "source".into(),
            s3_name: None,
            account: "prod".into(),
            region: "us-east-1".into(),
            versioning,
            default_encryption: None,
            bucket_key: false,
            policy: None,
            block_sse_c: None,
            object_lock: false,
            requester_pays: false,
        };
        BucketControl::new(&spec, &RuleSet::of(RuleSetName::Aws2026))
    }

    /// aws-facts a.4 [O-VERS]: with a replication configuration present, versioning can be
    /// neither suspended nor dropped, and enabling it again is a no-op S3 accepts.
    #[test]
    fn versioning_with_a_replication_configuration_present() {
        let mut b = bucket(Versioning::Enabled);
        b.replication_configured = true;
        assert_eq!(
            b.put_bucket_versioning(Versioning::Suspended),
            Err(VersioningError::ReplicationConfigurationPresent)
        );
        assert_eq!(b.versioning, Versioning::Enabled);
        let rejection = VersioningError::ReplicationConfigurationPresent
            .rejection("source")
            .expect("an API rejection");
        assert_eq!(rejection.code, "InvalidBucketState");
        assert_eq!(b.put_bucket_versioning(Versioning::Enabled), Ok(()));
    }

    /// Without a replication configuration versioning can be suspended and enabled again, but a
    /// bucket that has had versioning is never unversioned.
    #[test]
    fn versioning_without_replication() {
        let mut b = bucket(Versioning::Unversioned);
        assert_eq!(b.put_bucket_versioning(Versioning::Enabled), Ok(()));
        assert_eq!(b.put_bucket_versioning(Versioning::Suspended), Ok(()));
        assert_eq!(b.versioning, Versioning::Suspended);
        assert_eq!(
            b.put_bucket_versioning(Versioning::Unversioned),
            Err(VersioningError::NeverUnversioned)
        );
        assert_eq!(VersioningError::NeverUnversioned.rejection("source"), None);
    }

    /// aws-facts d.6: new buckets block SSE-C under aws_2026 unless the scenario says otherwise.
    #[test]
    fn new_buckets_block_sse_c_under_aws_2026() {
        let mut b = bucket(Versioning::Enabled);
        assert!(b.blocks_sse_c);
        b.put_blocked_encryption_types(false);
        assert!(!b.blocks_sse_c);
    }
}
