//! AES-256-GCM envelope encryption and the chunked object format of replication-lab.
//!
//! Everything S3 stores in the simulator is real ciphertext made here:
//!
//! - [`KeySource`] draws data keys, nonces and salts from the OS generator in batches;
//!   [`Key256`] holds key material and wipes it on drop.
//! - [`wrap_key`] / [`unwrap_key`] seal a data key under a key-encryption key (a Region's
//!   SSE-S3 root key, a KMS key), bound to the encryption context; [`seal_small`] /
//!   [`open_small`] do the same for small blobs (KMS `Encrypt`). [`PreparedKey`] reuses one
//!   key's cipher across calls.
//! - [`seal_object`] / [`open_object`] use the chunked [`SealedObject`] format (see
//!   [`object`] for the layout), and [`reseal_object`] re-encrypts an object to
//!   another key and context chunk by chunk, which is what replication does.
//! - [`ObjectSealer`], [`ObjectOpener`] and [`reseal_stream`] do the same over `std::io` with one
//!   chunk of memory, for objects that do not fit in memory.
//! - [`DetachedObject`] keeps a sealed object as its header and chunk tags, and recomputes its
//!   ciphertext from a plaintext that can be produced again, for objects too big to keep at all.
//! - [`customer_key_hmac`] / [`verify_customer_key`] keep SSE-C keys as salted HMACs only.
//! - [`backend`] is the seam to the AES-GCM implementation: RustCrypto `aes-gcm` by default,
//!   AWS-LC with the `aws-lc-rs` feature, byte-compatible with each other.
//!
//! Errors are [`CryptoError`]; no function panics on bad input, and no function returns
//! plaintext that has not been authenticated.
//!
//! ```
//! use replication_crypto::{open_object, reseal_object, seal_object, unwrap_key, wrap_key, KeySource};
//! let mut rng = KeySource::new();
//! let (src_root, dst_root) = (rng.key()?, rng.key()?);
//!
//! // Put: a fresh data key seals the object; the root key wraps the data key.
//! let data_key = rng.key()?;
//! let sealed = seal_object(&data_key, b"arn:aws:s3:::src/k", b"object body", &mut rng)?;
//! let wrapped = wrap_key(&src_root, b"arn:aws:s3:::src/k", &data_key, &mut rng)?;
//!
//! // Replicate: unwrap, re-encrypt under a new data key, wrap that for the destination.
//! let src_key = unwrap_key(&src_root, b"arn:aws:s3:::src/k", &wrapped)?;
//! let replica_key = rng.key()?;
//! let replica = reseal_object(&src_key, b"arn:aws:s3:::src/k", &sealed,
//!                             &replica_key, b"arn:aws:s3:::dst/k", &mut rng)?;
//! let replica_wrapped = wrap_key(&dst_root, b"arn:aws:s3:::dst/k", &replica_key, &mut rng)?;
//!
//! let key = unwrap_key(&dst_root, b"arn:aws:s3:::dst/k", &replica_wrapped)?;
//! assert_eq!(open_object(&key, b"arn:aws:s3:::dst/k", &replica)?, b"object body");
//! # Ok::<(), replication_crypto::CryptoError>(())
//! ```

pub mod backend;
mod customer;
mod detached;
mod envelope;
mod error;
mod key;
pub mod object;
mod stream;

pub use customer::{
    CUSTOMER_KEY_HMAC_LEN, CUSTOMER_KEY_SALT_LEN, customer_key_hmac, verify_customer_key,
};
pub use detached::{DetachedObject, DetachedReader, DetachedWriter};
pub use envelope::{
    PreparedKey, SMALL_OVERHEAD, WRAPPED_KEY_LEN, WrappedKey, open_small, seal_small, unwrap_key,
    wrap_key,
};
pub use error::CryptoError;
pub use key::{KEY_LEN, Key256, KeySource, NONCE_LEN, RANDOM_BATCH};
pub use object::{
    CHUNK_OVERHEAD, ChunkConfig, DEFAULT_CHUNK_SIZE, FORMAT_VERSION, HEADER_LEN, MAX_CHUNK_SIZE,
    MIN_CHUNK_SIZE, ObjectHeader, ResealConfig, SealedObject, open_object, open_object_into,
    reseal_object, reseal_object_with, seal_object, seal_object_with, verify_object,
};
pub use stream::{ObjectOpener, ObjectSealer, reseal_stream};
