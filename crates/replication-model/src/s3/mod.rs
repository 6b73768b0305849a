//! Amazon S3 as the simulator runs it. The control plane (one file per API, crypto-free) lives in
//! `replication_spec::s3` and is re-exported here; what stays is what needs stored objects.
//!
//! - [`eligibility`]: which versions a matching rule replicates (`SseKmsEncryptedObjects`,
//!   delete markers, SSE-C under the rule set, archived objects).

pub(crate) mod eligibility;
pub(crate) use replication_spec::s3::{put_bucket_replication, put_object};
