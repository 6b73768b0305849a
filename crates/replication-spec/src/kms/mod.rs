//! AWS KMS's control plane as S3 replication meets it, crypto-free: what a key's state allows
//! ([`KeyState`], the [K-STATE] table, and [`KmsError`] as KMS names its errors), how the state
//! changes (`lifecycle`: `DisableKey`, `ScheduleKeyDeletion`, `PendingReplicaDeletion` ...) and
//! which multi-Region replicas `ReplicateKey` creates (`replicate_key`). Validation dry-runs
//! these rules; the simulator applies the same ones to keys that hold real material.

mod key;
#[doc(hidden)]
pub mod lifecycle;
#[doc(hidden)]
pub mod replicate_key;

pub use key::{KeyState, KmsError};
