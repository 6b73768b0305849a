//! The chunked sealed-object format, and re-encryption from one key to another chunk by chunk.
//!
//! Objects are cut into fixed-size chunks, each sealed with AES-256-GCM, so that re-encryption
//! and streaming need memory for one chunk, not one object. The construction is the STREAM
//! scheme of Hoang, Reyhanitabar, Rogaway and Vizár (2015), as Tink's streaming AEAD uses it:
//!
//! ```text
//! header (43 bytes, all of it bound into every chunk's AAD)
//!   0..4   magic "RLSO"          4      version (1)          5     algorithm (1)
//!   6..8   reserved, zero        8..12  chunk size, u32 BE   12..20 plaintext length, u64 BE
//!   20..36 salt (random)         36..43 nonce prefix (random)
//! chunk frame i (repeated; every frame holds `chunk size` plaintext bytes except the last)
//!   index i, u32 BE || ciphertext || tag (16)
//!
//! object key  = HMAC-SHA256(key, "replication-lab sealed object v1" || salt)
//! chunk nonce = nonce prefix (7) || i, u32 BE (4) || 1 if last chunk else 0 (1)
//! chunk AAD   = header || caller AAD (the encryption context)
//! ```
//!
//! Each object gets its own derived key, so one key (an SSE-C customer key, say) can seal any
//! number of objects without random nonces ever colliding. The index in the nonce rejects
//! reordering; the last-chunk flag and the authenticated length reject truncation and extension;
//! the per-object key and prefix reject a chunk taken from another object; the header in the AAD
//! rejects any header edit. The plain index in each frame does not add security (the nonce already
//! carries it); it lets a reordered object be reported as such instead of as a generic failure.
//! An empty plaintext still has one (empty) chunk, so even it authenticates key and context.

use std::fmt;
use std::num::NonZeroUsize;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroize;

use crate::CryptoError;
use crate::backend::{Aead256, DefaultBackend, TAG_LEN};
use crate::key::{Key256, KeySource, NONCE_LEN};

/// First four bytes of every sealed object.
pub const MAGIC: [u8; 4] = *b"RLSO";

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u8 = 1;

/// Length of the object header in bytes.
pub const HEADER_LEN: usize = 43;

/// Bytes each chunk frame adds to its plaintext: the index and the tag.
pub const CHUNK_OVERHEAD: usize = INDEX_LEN + TAG_LEN;

/// The default chunk size: 256 KiB, so that the source and destination of one chunk fit in a
/// 1 MiB L2 cache together while per-chunk costs (nonce, tag, AAD hashing) stay below 0.1%.
pub const DEFAULT_CHUNK_SIZE: u32 = 256 * 1024;

/// Smallest chunk size accepted (small sizes exist to test many-chunk objects cheaply).
pub const MIN_CHUNK_SIZE: u32 = 16;

/// Largest chunk size accepted, which bounds the memory a streaming reader allocates for a chunk.
pub const MAX_CHUNK_SIZE: u32 = 64 * 1024 * 1024;

const ALGORITHM_AES_256_GCM_STREAM: u8 = 1;
pub(crate) const INDEX_LEN: usize = 4;
const SALT_LEN: usize = 16;
const NONCE_PREFIX_LEN: usize = 7;
const OBJECT_KEY_LABEL: &[u8] = b"replication-lab sealed object v1";
/// Chunk indexes are 32-bit in the nonce, so an object has at most 2^32 chunks.
const MAX_CHUNKS: u64 = 1 << 32;

/// How an object is cut into chunks. Only sealing chooses; opening reads it from the header.
///
/// ```
/// use replication_crypto::{ChunkConfig, DEFAULT_CHUNK_SIZE};
/// assert_eq!(ChunkConfig::default().chunk_size(), DEFAULT_CHUNK_SIZE);
/// assert!(ChunkConfig::new(1 << 20).is_ok());
/// assert!(ChunkConfig::new(1).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkConfig {
    chunk_size: u32,
}

impl ChunkConfig {
    /// A configuration with chunks of `chunk_size` plaintext bytes.
    ///
    /// # Errors
    /// [`CryptoError::InvalidChunkSize`] outside [`MIN_CHUNK_SIZE`]..=[`MAX_CHUNK_SIZE`].
    pub fn new(chunk_size: u32) -> Result<Self, CryptoError> {
        if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&chunk_size) {
            return Err(CryptoError::InvalidChunkSize {
                requested: u64::from(chunk_size),
                min: MIN_CHUNK_SIZE,
                max: MAX_CHUNK_SIZE,
            });
        }
        Ok(ChunkConfig { chunk_size })
    }

    /// Plaintext bytes per chunk.
    #[must_use]
    pub fn chunk_size(&self) -> u32 {
        self.chunk_size
    }
}

impl Default for ChunkConfig {
    fn default() -> Self {
        ChunkConfig {
            chunk_size: DEFAULT_CHUNK_SIZE,
        }
    }
}

/// The parsed, validated header of a sealed object.
#[derive(Clone, PartialEq, Eq)]
pub struct ObjectHeader {
    chunk_size: u32,
    plaintext_len: u64,
    salt: [u8; SALT_LEN],
    nonce_prefix: [u8; NONCE_PREFIX_LEN],
}

impl fmt::Debug for ObjectHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectHeader")
            .field("chunk_size", &self.chunk_size)
            .field("plaintext_len", &self.plaintext_len)
            .finish_non_exhaustive()
    }
}

impl ObjectHeader {
    pub(crate) fn fresh(
        chunk_size: u32,
        plaintext_len: u64,
        rng: &mut KeySource,
    ) -> Result<Self, CryptoError> {
        let max = u64::from(chunk_size) * MAX_CHUNKS;
        if plaintext_len > max {
            return Err(CryptoError::TooLong {
                len: plaintext_len,
                what: "a sealed object with this chunk size",
                max,
            });
        }
        let mut header = ObjectHeader {
            chunk_size,
            plaintext_len,
            salt: [0; SALT_LEN],
            nonce_prefix: [0; NONCE_PREFIX_LEN],
        };
        rng.fill(&mut header.salt)?;
        rng.fill(&mut header.nonce_prefix)?;
        // Refuse lengths whose sealed size overflows u64 (only reachable with a huge length).
        header.sealed_len()?;
        Ok(header)
    }

    /// Parses and checks the first [`HEADER_LEN`] bytes of `bytes`.
    ///
    /// # Errors
    /// [`CryptoError::NotSealedObject`], [`CryptoError::Truncated`],
    /// [`CryptoError::UnsupportedVersion`] or [`CryptoError::InvalidHeader`].
    pub fn parse(bytes: &[u8]) -> Result<Self, CryptoError> {
        let magic_seen = &bytes[..bytes.len().min(MAGIC.len())];
        if magic_seen != &MAGIC[..magic_seen.len()] {
            return Err(CryptoError::NotSealedObject);
        }
        let Some(raw) = bytes.first_chunk::<HEADER_LEN>() else {
            return Err(CryptoError::Truncated {
                what: "object header",
                expected: HEADER_LEN as u64,
                found: bytes.len() as u64,
            });
        };
        if raw[4] != FORMAT_VERSION {
            return Err(CryptoError::UnsupportedVersion {
                found: raw[4],
                supported: FORMAT_VERSION,
            });
        }
        if raw[5] != ALGORITHM_AES_256_GCM_STREAM {
            return Err(CryptoError::InvalidHeader {
                field: "algorithm",
                reason: "must be `1` (AES-256-GCM STREAM); the object was not written by this format",
            });
        }
        if raw[6..8] != [0, 0] {
            return Err(CryptoError::InvalidHeader {
                field: "reserved",
                reason: "must be zero in version 1",
            });
        }
        let chunk_size = u32::from_be_bytes([raw[8], raw[9], raw[10], raw[11]]);
        if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&chunk_size) {
            return Err(CryptoError::InvalidHeader {
                field: "chunk_size",
                reason: "must be from 16 bytes to 64 MiB",
            });
        }
        let mut len = [0u8; 8];
        len.copy_from_slice(&raw[12..20]);
        let mut header = ObjectHeader {
            chunk_size,
            plaintext_len: u64::from_be_bytes(len),
            salt: [0; SALT_LEN],
            nonce_prefix: [0; NONCE_PREFIX_LEN],
        };
        header.salt.copy_from_slice(&raw[20..36]);
        header.nonce_prefix.copy_from_slice(&raw[36..43]);
        if header.plaintext_len > u64::from(chunk_size) * MAX_CHUNKS {
            return Err(CryptoError::InvalidHeader {
                field: "plaintext_len",
                reason: "needs more than 2^32 chunks at this chunk size",
            });
        }
        header.sealed_len()?;
        Ok(header)
    }

    /// The header's byte encoding.
    #[must_use]
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut raw = [0u8; HEADER_LEN];
        raw[..4].copy_from_slice(&MAGIC);
        raw[4] = FORMAT_VERSION;
        raw[5] = ALGORITHM_AES_256_GCM_STREAM;
        raw[8..12].copy_from_slice(&self.chunk_size.to_be_bytes());
        raw[12..20].copy_from_slice(&self.plaintext_len.to_be_bytes());
        raw[20..36].copy_from_slice(&self.salt);
        raw[36..43].copy_from_slice(&self.nonce_prefix);
        raw
    }

    /// Plaintext bytes per chunk.
    #[must_use]
    pub fn chunk_size(&self) -> u32 {
        self.chunk_size
    }

    /// Length of the whole plaintext.
    #[must_use]
    pub fn plaintext_len(&self) -> u64 {
        self.plaintext_len
    }

    /// Number of chunks (at least one: an empty object has one empty chunk).
    #[must_use]
    pub fn chunk_count(&self) -> u64 {
        self.plaintext_len
            .div_ceil(u64::from(self.chunk_size))
            .max(1)
    }

    /// Plaintext length of chunk `index` (the last one may be short).
    pub(crate) fn chunk_plaintext_len(&self, index: u64) -> usize {
        let start = index * u64::from(self.chunk_size);
        // Bounded by `chunk_size`, a u32, so the cast cannot truncate.
        (self.plaintext_len - start).min(u64::from(self.chunk_size)) as usize
    }

    /// Length of the sealed object this header describes.
    ///
    /// # Errors
    /// [`CryptoError::InvalidHeader`] if that length overflows 64 bits.
    pub fn sealed_len(&self) -> Result<u64, CryptoError> {
        self.chunk_count()
            .checked_mul(CHUNK_OVERHEAD as u64)
            .and_then(|framing| framing.checked_add(HEADER_LEN as u64))
            .and_then(|fixed| fixed.checked_add(self.plaintext_len))
            .ok_or(CryptoError::InvalidHeader {
                field: "plaintext_len",
                reason: "makes the sealed object longer than 2^64 bytes",
            })
    }
}

/// A sealed object: its bytes plus the header parsed from them. Built only by sealing or by
/// [`SealedObject::from_bytes`], so its structure (header, length, chunk order) is always valid;
/// authenticity is checked when it is opened.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedObject {
    bytes: Vec<u8>,
    header: ObjectHeader,
}

impl fmt::Debug for SealedObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedObject")
            .field("len", &self.bytes.len())
            .field("plaintext_len", &self.header.plaintext_len)
            .field("chunk_size", &self.header.chunk_size)
            .finish()
    }
}

impl SealedObject {
    /// Takes stored bytes back, checking the header, the total length and the chunk order.
    ///
    /// # Errors
    /// Any header error of [`ObjectHeader::parse`]; [`CryptoError::Truncated`] if bytes are
    /// missing, [`CryptoError::TrailingData`] if bytes were appended,
    /// [`CryptoError::ChunkOutOfOrder`] if chunk frames were moved.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, CryptoError> {
        let header = ObjectHeader::parse(&bytes)?;
        let expected = header.sealed_len()?;
        let found = bytes.len() as u64;
        if found < expected {
            return Err(CryptoError::Truncated {
                what: "sealed object",
                expected,
                found,
            });
        }
        if found > expected {
            return Err(CryptoError::TrailingData {
                extra: found - expected,
            });
        }
        let object = SealedObject { bytes, header };
        for index in 0..object.header.chunk_count() {
            let (found, _, _) = object.frame(index);
            check_index(index, found)?;
        }
        Ok(object)
    }

    /// Length of the sealed bytes.
    #[must_use]
    #[allow(
        clippy::len_without_is_empty,
        reason = "a sealed object always has a header"
    )]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Length of the plaintext inside.
    #[must_use]
    pub fn plaintext_len(&self) -> u64 {
        self.header.plaintext_len
    }

    /// The parsed header.
    #[must_use]
    pub fn header(&self) -> &ObjectHeader {
        &self.header
    }

    /// The sealed bytes, for storage.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The sealed bytes, by value.
    #[must_use]
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Frame `index`: (index field, ciphertext, tag). `index` must be below `chunk_count()`.
    fn frame(&self, index: u64) -> (u32, &[u8], &[u8; TAG_LEN]) {
        let start = frame_offset(&self.header, index);
        let ct_len = self.header.chunk_plaintext_len(index);
        let frame = &self.bytes[start..start + CHUNK_OVERHEAD + ct_len];
        split_frame(frame)
    }
}

/// Offset of chunk frame `index` in the sealed bytes (fits in usize once the bytes exist).
fn frame_offset(header: &ObjectHeader, index: u64) -> usize {
    HEADER_LEN + (index as usize) * (header.chunk_size as usize + CHUNK_OVERHEAD)
}

/// Splits a whole frame into (index field, ciphertext, tag); `frame` is at least `CHUNK_OVERHEAD`.
fn split_frame(frame: &[u8]) -> (u32, &[u8], &[u8; TAG_LEN]) {
    let (index, rest) = frame
        .split_first_chunk::<INDEX_LEN>()
        .expect("frames are at least CHUNK_OVERHEAD bytes long");
    let (ct, tag) = rest
        .split_last_chunk::<TAG_LEN>()
        .expect("frames are at least CHUNK_OVERHEAD bytes long");
    (u32::from_be_bytes(*index), ct, tag)
}

pub(crate) fn check_index(position: u64, found: u32) -> Result<(), CryptoError> {
    if u64::from(found) != position {
        return Err(CryptoError::ChunkOutOfOrder {
            position,
            found: u64::from(found),
        });
    }
    Ok(())
}

/// The cipher for one object: its derived key, its nonce prefix and its chunk AAD.
pub(crate) struct ObjectCipher<B: Aead256> {
    cipher: B,
    nonce_prefix: [u8; NONCE_PREFIX_LEN],
    last_index: u64,
    /// header || caller AAD, built once per object.
    aad: Vec<u8>,
}

impl<B: Aead256> ObjectCipher<B> {
    pub(crate) fn new(
        key: &Key256,
        header: &ObjectHeader,
        caller_aad: &[u8],
    ) -> Result<Self, CryptoError> {
        let object_key = derive_object_key(key, &header.salt)?;
        let mut aad = Vec::with_capacity(HEADER_LEN + caller_aad.len());
        aad.extend_from_slice(&header.encode());
        aad.extend_from_slice(caller_aad);
        Ok(ObjectCipher {
            cipher: B::new(&object_key)?,
            nonce_prefix: header.nonce_prefix,
            last_index: header.chunk_count() - 1,
            aad,
        })
    }

    fn nonce(&self, index: u64) -> [u8; NONCE_LEN] {
        let mut nonce = [0u8; NONCE_LEN];
        nonce[..NONCE_PREFIX_LEN].copy_from_slice(&self.nonce_prefix);
        // Headers allow at most 2^32 chunks, so every index fits in 32 bits.
        nonce[NONCE_PREFIX_LEN..NONCE_LEN - 1].copy_from_slice(&(index as u32).to_be_bytes());
        nonce[NONCE_LEN - 1] = u8::from(index == self.last_index);
        nonce
    }

    pub(crate) fn seal_chunk(
        &self,
        index: u64,
        in_out: &mut [u8],
    ) -> Result<[u8; TAG_LEN], CryptoError> {
        self.cipher
            .seal_in_place_detached(&self.nonce(index), &self.aad, in_out)
    }

    pub(crate) fn open_chunk(
        &self,
        index: u64,
        in_out: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), CryptoError> {
        let res = self
            .cipher
            .open_in_place_detached(&self.nonce(index), &self.aad, in_out, tag);
        if res.is_err() {
            in_out.zeroize();
        }
        res.map_err(|err| chunk_error(err, index))
    }

    fn open_chunk_into(
        &self,
        index: u64,
        ciphertext: &[u8],
        tag: &[u8; TAG_LEN],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        let res =
            self.cipher
                .open_detached_into(&self.nonce(index), &self.aad, ciphertext, tag, out);
        if res.is_err() {
            out.zeroize();
        }
        res.map_err(|err| chunk_error(err, index))
    }
}

/// The default backend's chunk operations as functions that are not generic, for the streaming
/// types (see `stream::next_frame` for why).
impl ObjectCipher<DefaultBackend> {
    pub(crate) fn seal_default(
        &self,
        index: u64,
        in_out: &mut [u8],
    ) -> Result<[u8; TAG_LEN], CryptoError> {
        self.seal_chunk(index, in_out)
    }

    pub(crate) fn open_default(
        &self,
        index: u64,
        in_out: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), CryptoError> {
        self.open_chunk(index, in_out, tag)
    }
}

fn chunk_error(err: CryptoError, index: u64) -> CryptoError {
    match err {
        CryptoError::AuthenticationFailed => CryptoError::ChunkAuthenticationFailed { index },
        other => other,
    }
}

fn derive_object_key(key: &Key256, salt: &[u8; SALT_LEN]) -> Result<Key256, CryptoError> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes()).map_err(|_| {
        CryptoError::Backend {
            backend: "hmac",
            operation: "take a 32-byte key",
        }
    })?;
    mac.update(OBJECT_KEY_LABEL);
    mac.update(salt);
    let mut out = Key256::zeroed();
    let mut digest: [u8; 32] = mac.finalize().into_bytes().into();
    out.as_mut_bytes().copy_from_slice(&digest);
    digest.zeroize();
    Ok(out)
}

/// Seals `plaintext` under `key`, bound to `aad`, in chunks of the default size.
///
/// ```
/// use replication_crypto::{open_object, seal_object, KeySource};
/// let mut rng = KeySource::new();
/// let key = rng.key()?;
/// let sealed = seal_object(&key, b"arn:aws:s3:::src/photo.jpg", b"hello", &mut rng)?;
/// assert_eq!(open_object(&key, b"arn:aws:s3:::src/photo.jpg", &sealed)?, b"hello");
/// assert!(open_object(&key, b"arn:aws:s3:::dst/photo.jpg", &sealed).is_err());
/// # Ok::<(), replication_crypto::CryptoError>(())
/// ```
///
/// # Errors
/// [`CryptoError::Random`] if no salt could be drawn; [`CryptoError::TooLong`] beyond 2^32 chunks.
pub fn seal_object(
    key: &Key256,
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut KeySource,
) -> Result<SealedObject, CryptoError> {
    seal_object_with(key, aad, plaintext, rng, &ChunkConfig::default())
}

/// [`seal_object`] with a chosen chunk size.
///
/// # Errors
/// As [`seal_object`].
pub fn seal_object_with(
    key: &Key256,
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut KeySource,
    config: &ChunkConfig,
) -> Result<SealedObject, CryptoError> {
    seal_with_backend::<DefaultBackend>(key, aad, plaintext, rng, config)
}

pub(crate) fn seal_with_backend<B: Aead256>(
    key: &Key256,
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut KeySource,
    config: &ChunkConfig,
) -> Result<SealedObject, CryptoError> {
    let header = ObjectHeader::fresh(config.chunk_size, plaintext.len() as u64, rng)?;
    let cipher = ObjectCipher::<B>::new(key, &header, aad)?;
    let sealed_len = usize_len(header.sealed_len()?)?;
    let mut bytes = Vec::with_capacity(sealed_len);
    bytes.extend_from_slice(&header.encode());
    // `max(1)` gives an empty plaintext its one empty chunk.
    let chunks = plaintext.chunks(config.chunk_size as usize);
    let chunks = chunks.chain((plaintext.is_empty()).then_some(&[][..]));
    for (index, chunk) in (0u64..).zip(chunks) {
        bytes.extend_from_slice(&(index as u32).to_be_bytes());
        let start = bytes.len();
        bytes.extend_from_slice(chunk);
        let tag = cipher.seal_chunk(index, &mut bytes[start..])?;
        bytes.extend_from_slice(&tag);
    }
    debug_assert_eq!(bytes.len(), sealed_len);
    Ok(SealedObject { bytes, header })
}

/// Authenticates and decrypts a whole object; nothing is returned unless every chunk verifies.
///
/// # Errors
/// [`CryptoError::ChunkAuthenticationFailed`] on a wrong key, wrong `aad` or modified bytes.
pub fn open_object(
    key: &Key256,
    aad: &[u8],
    object: &SealedObject,
) -> Result<Vec<u8>, CryptoError> {
    open_with_backend::<DefaultBackend>(key, aad, object)
}

/// [`open_object`] into a buffer the caller keeps, for callers that open many objects in a row
/// (the simulator verifies every replica it writes): `out` is cleared, then holds the
/// plaintext, and keeps its allocation from one call to the next.
///
/// On an error `out` is wiped and left empty: no chunk of an object that does not verify as a
/// whole is released.
///
/// ```
/// use replication_crypto::{open_object_into, seal_object, KeySource};
/// let mut rng = KeySource::new();
/// let key = rng.key()?;
/// let mut out = Vec::new();
/// for body in [&b"first"[..], b"second"] {
///     let sealed = seal_object(&key, b"aad", body, &mut rng)?;
///     open_object_into(&key, b"aad", &sealed, &mut out)?;
///     assert_eq!(out, body);
/// }
/// # Ok::<(), replication_crypto::CryptoError>(())
/// ```
///
/// # Errors
/// As [`open_object`].
pub fn open_object_into(
    key: &Key256,
    aad: &[u8],
    object: &SealedObject,
    out: &mut Vec<u8>,
) -> Result<(), CryptoError> {
    open_into_with_backend::<DefaultBackend>(key, aad, object, out)
}

/// Authenticates and decrypts every chunk of `object` without keeping its plaintext, and
/// returns the plaintext length: [`open_object`]'s check in the memory of one chunk. Each chunk
/// is opened into `scratch`, which the caller can reuse across objects (the simulator verifies
/// every replica it writes this way, so a replica of any size costs one chunk of memory).
///
/// After a success `scratch` holds the last chunk's plaintext; after an error it is wiped and
/// empty.
///
/// ```
/// use replication_crypto::{seal_object, verify_object, KeySource};
/// let mut rng = KeySource::new();
/// let key = rng.key()?;
/// let sealed = seal_object(&key, b"aad", &[7u8; 1000], &mut rng)?;
/// let mut scratch = Vec::new();
/// assert_eq!(verify_object(&key, b"aad", &sealed, &mut scratch)?, 1000);
/// assert!(verify_object(&key, b"other aad", &sealed, &mut scratch).is_err());
/// # Ok::<(), replication_crypto::CryptoError>(())
/// ```
///
/// # Errors
/// As [`open_object`].
pub fn verify_object(
    key: &Key256,
    aad: &[u8],
    object: &SealedObject,
    scratch: &mut Vec<u8>,
) -> Result<u64, CryptoError> {
    let cipher = ObjectCipher::<DefaultBackend>::new(key, &object.header, aad)?;
    let chunk = usize_len(
        object
            .header
            .plaintext_len
            .min(u64::from(object.header.chunk_size)),
    )?;
    scratch.clear();
    scratch.resize(chunk, 0);
    for index in 0..object.header.chunk_count() {
        let (_, ct, tag) = object.frame(index);
        if let Err(err) = cipher.open_chunk_into(index, ct, tag, &mut scratch[..ct.len()]) {
            scratch.zeroize();
            scratch.clear();
            return Err(err);
        }
    }
    Ok(object.header.plaintext_len)
}

pub(crate) fn open_with_backend<B: Aead256>(
    key: &Key256,
    aad: &[u8],
    object: &SealedObject,
) -> Result<Vec<u8>, CryptoError> {
    let mut plaintext = Vec::new();
    open_into_with_backend::<B>(key, aad, object, &mut plaintext)?;
    Ok(plaintext)
}

fn open_into_with_backend<B: Aead256>(
    key: &Key256,
    aad: &[u8],
    object: &SealedObject,
    plaintext: &mut Vec<u8>,
) -> Result<(), CryptoError> {
    plaintext.clear();
    let cipher = ObjectCipher::<B>::new(key, &object.header, aad)?;
    plaintext.resize(usize_len(object.header.plaintext_len)?, 0);
    let chunk_size = object.header.chunk_size as usize;
    for index in 0..object.header.chunk_count() {
        let (_, ct, tag) = object.frame(index);
        let start = index as usize * chunk_size;
        let out = &mut plaintext[start..start + ct.len()];
        if let Err(err) = cipher.open_chunk_into(index, ct, tag, out) {
            // Earlier chunks verified, but the object as a whole did not: release none of it.
            plaintext.zeroize();
            plaintext.clear();
            return Err(err);
        }
    }
    Ok(())
}

/// Re-encrypts `src` from (`src_key`, `src_aad`) to (`dst_key`, `dst_aad`) chunk by chunk.
///
/// Each chunk is decrypted straight into its place in the output and encrypted there, so the
/// only plaintext ever held is one chunk, and the only allocation is the output, sized exactly.
/// The replica keeps the source's chunk size and gets a fresh salt and nonce prefix.
///
/// ```
/// use replication_crypto::{open_object, reseal_object, seal_object, KeySource};
/// let mut rng = KeySource::new();
/// let (src_key, dst_key) = (rng.key()?, rng.key()?);
/// let src = seal_object(&src_key, b"src", b"payload", &mut rng)?;
/// let dst = reseal_object(&src_key, b"src", &src, &dst_key, b"dst", &mut rng)?;
/// assert_eq!(open_object(&dst_key, b"dst", &dst)?, b"payload");
/// assert!(open_object(&src_key, b"src", &dst).is_err());
/// # Ok::<(), replication_crypto::CryptoError>(())
/// ```
///
/// # Errors
/// [`CryptoError::ChunkAuthenticationFailed`] if `src` does not open with `src_key` and
/// `src_aad`; no output is returned then.
pub fn reseal_object(
    src_key: &Key256,
    src_aad: &[u8],
    src: &SealedObject,
    dst_key: &Key256,
    dst_aad: &[u8],
    rng: &mut KeySource,
) -> Result<SealedObject, CryptoError> {
    reseal_with_backend::<DefaultBackend, DefaultBackend>(
        src_key,
        src_aad,
        src,
        dst_key,
        dst_aad,
        rng,
        ResealConfig::default(),
    )
}

/// How [`reseal_object_with`] runs.
///
/// ```
/// use std::num::NonZeroUsize;
/// use replication_crypto::ResealConfig;
/// let config = ResealConfig { threads: NonZeroUsize::new(2).unwrap(), ..ResealConfig::default() };
/// assert!(config.buffer.is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct ResealConfig {
    /// Threads to spread the chunks over, each taking a contiguous run. Worth it for objects of
    /// several chunks; an object of one chunk runs on the calling thread. Default: 1.
    pub threads: NonZeroUsize,
    /// An allocation to reuse for the replica, such as the bytes of an earlier replica that is no
    /// longer needed ([`SealedObject::into_bytes`]). Its contents are overwritten in full, never
    /// read. Fresh memory costs page faults that can take as long as the re-encryption itself,
    /// so a caller that re-encrypts many objects in a loop should recycle. Default: empty.
    pub buffer: Vec<u8>,
}

impl Default for ResealConfig {
    fn default() -> Self {
        ResealConfig {
            threads: NonZeroUsize::MIN,
            buffer: Vec::new(),
        }
    }
}

/// [`reseal_object`] with a chosen thread count and, optionally, a recycled output buffer.
///
/// # Errors
/// As [`reseal_object`].
pub fn reseal_object_with(
    src_key: &Key256,
    src_aad: &[u8],
    src: &SealedObject,
    dst_key: &Key256,
    dst_aad: &[u8],
    rng: &mut KeySource,
    config: ResealConfig,
) -> Result<SealedObject, CryptoError> {
    reseal_with_backend::<DefaultBackend, DefaultBackend>(
        src_key, src_aad, src, dst_key, dst_aad, rng, config,
    )
}

pub(crate) fn reseal_with_backend<S: Aead256, D: Aead256>(
    src_key: &Key256,
    src_aad: &[u8],
    src: &SealedObject,
    dst_key: &Key256,
    dst_aad: &[u8],
    rng: &mut KeySource,
    config: ResealConfig,
) -> Result<SealedObject, CryptoError> {
    let src_cipher = ObjectCipher::<S>::new(src_key, &src.header, src_aad)?;
    let header = ObjectHeader::fresh(src.header.chunk_size, src.header.plaintext_len, rng)?;
    let dst_cipher = ObjectCipher::<D>::new(dst_key, &header, dst_aad)?;

    // Same chunk size and length, so the replica has exactly the source's layout: frames line up
    // byte for byte and each chunk can be decrypted straight into its slot.
    let mut bytes = config.buffer;
    if bytes.len() >= src.bytes.len() {
        // Every byte is overwritten below, so the old contents need no clearing.
        bytes.truncate(src.bytes.len());
    } else {
        bytes.resize(src.bytes.len(), 0);
    }
    bytes[..HEADER_LEN].copy_from_slice(&header.encode());
    let n_chunks = src.header.chunk_count();
    let n_threads = (config.threads.get() as u64).min(n_chunks);
    let res =
        if n_threads <= 1 {
            reseal_chunks(
                &src_cipher,
                src,
                &dst_cipher,
                0..n_chunks,
                &mut bytes[HEADER_LEN..],
            )
        } else {
            let per_thread = n_chunks.div_ceil(n_threads);
            let frame_len = src.header.chunk_size as usize + CHUNK_OVERHEAD;
            std::thread::scope(|scope| {
                let mut rest = &mut bytes[HEADER_LEN..];
                let mut workers = Vec::with_capacity(n_threads as usize);
                let mut first = 0;
                while first < n_chunks {
                    let end = (first + per_thread).min(n_chunks);
                    let len = if end == n_chunks {
                        rest.len()
                    } else {
                        (end - first) as usize * frame_len
                    };
                    let (mine, tail) = std::mem::take(&mut rest).split_at_mut(len);
                    rest = tail;
                    let (src_cipher, dst_cipher) = (&src_cipher, &dst_cipher);
                    workers.push(scope.spawn(move || {
                        reseal_chunks(src_cipher, src, dst_cipher, first..end, mine)
                    }));
                    first = end;
                }
                // Join every worker before reporting, so no thread outlives a failure unseen.
                let results: Vec<_> = workers.into_iter().map(|w| w.join()).collect();
                results.into_iter().try_for_each(|joined| match joined {
                    Ok(res) => res,
                    Err(panic) => std::panic::resume_unwind(panic),
                })
            })
        };
    if let Err(err) = res {
        // One chunk slot may hold plaintext of a chunk that failed; wipe everything.
        bytes.zeroize();
        return Err(err);
    }
    Ok(SealedObject { bytes, header })
}

/// Re-encrypts chunks `range` of `src` into `out`, the frames of those chunks in the replica.
fn reseal_chunks<S: Aead256, D: Aead256>(
    src_cipher: &ObjectCipher<S>,
    src: &SealedObject,
    dst_cipher: &ObjectCipher<D>,
    range: std::ops::Range<u64>,
    out: &mut [u8],
) -> Result<(), CryptoError> {
    let mut offset = 0;
    for index in range {
        let (_, ct, tag) = src.frame(index);
        let frame = &mut out[offset..offset + CHUNK_OVERHEAD + ct.len()];
        offset += frame.len();
        let (index_field, rest) = frame.split_at_mut(INDEX_LEN);
        let (slot, tag_slot) = rest.split_at_mut(ct.len());
        index_field.copy_from_slice(&(index as u32).to_be_bytes());
        src_cipher.open_chunk_into(index, ct, tag, slot)?;
        let new_tag = dst_cipher.seal_chunk(index, slot)?;
        tag_slot.copy_from_slice(&new_tag);
    }
    Ok(())
}

/// Converts a length from the header to `usize` for an in-memory buffer.
fn usize_len(len: u64) -> Result<usize, CryptoError> {
    usize::try_from(len).map_err(|_| CryptoError::TooLong {
        len,
        what: "an in-memory object on this platform",
        max: usize::MAX as u64,
    })
}

#[cfg(test)]
mod tests;
