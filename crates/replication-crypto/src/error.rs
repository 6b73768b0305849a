//! The one error type of this crate: every way sealing, opening or drawing randomness can fail.
//!
//! Decryption failures are deliberately coarse where finer detail would help an attacker (a wrong
//! key, a wrong encryption context and modified ciphertext look the same), and precise where the
//! structure of a sealed object is at fault (truncation, extension, reordering, a bad header).

/// Why a cryptographic operation failed. No variant ever carries plaintext or key bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The operating system's random generator could not be read.
    #[error(
        "the operating system random generator failed: {0}; check that the `getrandom` syscall or `/dev/urandom` is available"
    )]
    Random(getrandom::Error),

    /// A single-shot ciphertext (wrapped key, small blob) did not authenticate.
    #[error(
        "authentication failed: ciphertext was modified, or the key or encryption context is wrong; open it with the key and encryption context it was sealed under"
    )]
    AuthenticationFailed,

    /// One chunk of a sealed object did not authenticate.
    #[error(
        "authentication failed for chunk `{index}`: ciphertext was modified, or the key or encryption context is wrong; open it with the key and encryption context it was sealed under"
    )]
    ChunkAuthenticationFailed {
        /// Position of the chunk in the object (0-based).
        index: u64,
    },

    /// The input is shorter than its own header says it must be.
    #[error(
        "truncated {what}: expected `{expected}` bytes but found `{found}`; the data was cut short, read it again in full"
    )]
    Truncated {
        /// What was cut short (`sealed object`, `object header`, `wrapped key`, ...).
        what: &'static str,
        /// Bytes the header (or the format) requires.
        expected: u64,
        /// Bytes actually present.
        found: u64,
    },

    /// Bytes follow the last chunk of a sealed object.
    #[error(
        "extended sealed object: `{extra}` bytes follow the last chunk; the object was appended to, read only the bytes that were sealed"
    )]
    TrailingData {
        /// How many bytes follow the last chunk.
        extra: u64,
    },

    /// A chunk frame names a different position than the one it occupies.
    #[error(
        "chunk out of order: chunk `{found}` sits at position `{position}`; the chunks were reordered, restore the sealed bytes as written"
    )]
    ChunkOutOfOrder {
        /// The position the frame occupies.
        position: u64,
        /// The index written in the frame.
        found: u64,
    },

    /// The bytes do not start with the sealed-object magic.
    #[error(
        "not a sealed object: the first bytes are not the `RLSO` magic; pass bytes produced by `seal_object`"
    )]
    NotSealedObject,

    /// The header names a format version this build does not read.
    #[error("unsupported format version `{found}`; this build reads version `{supported}`")]
    UnsupportedVersion {
        /// Version found in the header.
        found: u8,
        /// Version this build reads and writes.
        supported: u8,
    },

    /// A header field holds a value the format does not allow.
    #[error("invalid object header: field `{field}` {reason}")]
    InvalidHeader {
        /// Name of the header field.
        field: &'static str,
        /// What is wrong with it and what would be right.
        reason: &'static str,
    },

    /// A chunk size outside the supported range was requested.
    #[error(
        "invalid chunk size `{requested}`: choose a value from `{min}` to `{max}` bytes (the default is 256 KiB)"
    )]
    InvalidChunkSize {
        /// The size asked for.
        requested: u64,
        /// Smallest allowed size.
        min: u32,
        /// Largest allowed size.
        max: u32,
    },

    /// The plaintext is too long for the format or the primitive.
    #[error(
        "plaintext of `{len}` bytes is too long for {what} (at most `{max}` bytes); split it or use a larger chunk size"
    )]
    TooLong {
        /// Length of the input.
        len: u64,
        /// The container that cannot hold it.
        what: &'static str,
        /// The largest length allowed.
        max: u64,
    },

    /// A streaming sealer received a different number of bytes than it announced in its header.
    #[error(
        "length mismatch: the header announces `{declared}` plaintext bytes but `{written}` were written; pass the exact length to `ObjectSealer::new`"
    )]
    LengthMismatch {
        /// Length written in the header.
        declared: u64,
        /// Bytes actually written (so far, if more than declared).
        written: u64,
    },

    /// The AEAD backend refused an operation for a reason other than authentication.
    #[error("the `{backend}` backend refused to {operation}; this is a bug, please report it")]
    Backend {
        /// Backend name (`aes-gcm`, `aws-lc-rs`).
        backend: &'static str,
        /// What it was asked to do.
        operation: &'static str,
    },

    /// Reading or writing a stream failed.
    #[error("i/o error while streaming a sealed object: {0}")]
    Io(#[from] std::io::Error),
}

impl From<getrandom::Error> for CryptoError {
    fn from(err: getrandom::Error) -> Self {
        CryptoError::Random(err)
    }
}

impl CryptoError {
    /// The error inside an `io::Error` that this crate's readers and writers returned
    /// ([`ObjectOpener`](crate::ObjectOpener), [`DetachedReader`](crate::DetachedReader), ...),
    /// or [`CryptoError::Io`] for any other `io::Error`.
    ///
    /// ```
    /// use std::io::Read;
    /// use replication_crypto::{seal_object, CryptoError, KeySource, ObjectOpener};
    /// let mut rng = KeySource::new();
    /// let (key, other) = (rng.key()?, rng.key()?);
    /// let sealed = seal_object(&key, b"ctx", b"body", &mut rng)?;
    /// let err = ObjectOpener::new(sealed.as_bytes(), &other, b"ctx")?
    ///     .read_to_end(&mut Vec::new())
    ///     .unwrap_err();
    /// assert!(matches!(CryptoError::from_io(err), CryptoError::ChunkAuthenticationFailed { index: 0 }));
    /// # Ok::<(), CryptoError>(())
    /// ```
    #[must_use]
    pub fn from_io(err: std::io::Error) -> CryptoError {
        if !err.get_ref().is_some_and(|inner| inner.is::<CryptoError>()) {
            return CryptoError::Io(err);
        }
        match err
            .into_inner()
            .map(|inner| inner.downcast::<CryptoError>())
        {
            Some(Ok(crypto)) => *crypto,
            // Checked just above: the inner error is a CryptoError.
            _ => CryptoError::Io(std::io::Error::other("a crypto error was lost in transit")),
        }
    }
}
