//! Amazon S3's control plane, one file per API or concept it models: what each call accepts,
//! refuses (with AWS's error code and message) and changes in the bucket's state.
//!
//! - [`bucket`]: a bucket's control-plane state (versioning, default encryption and Bucket Key,
//!   `BlockedEncryptionTypes`, whether a replication configuration is present) and
//!   `PutBucketVersioning`.
//! - [`put_bucket_replication`]: `PutBucketReplication` as S3 validates it, and how rules match.
//! - [`put_object`]: what encryption an upload gets and which KMS key it uses, or the error.
//!
//! Which versions a matching rule replicates (`SseKmsEncryptedObjects`, delete markers, SSE-C
//! under the rule set) is the simulator's `s3::eligibility`.

pub mod bucket;
pub mod put_bucket_replication;
pub mod put_object;
pub use put_bucket_replication::ApiRejection;
