//! Single-shot AES-256-GCM: wrapping data keys under a key-encryption key, and sealing small
//! blobs (what KMS `Encrypt` returns). Layout: `nonce (12) || ciphertext || tag (16)`, with a
//! fresh random nonce per call.
//!
//! Random 96-bit nonces keep one key safe for about 2^32 seals (NIST SP 800-38D section 8.3),
//! far beyond what a scenario performs with one KMS key or root key.

use std::fmt;

use zeroize::Zeroize;

use crate::CryptoError;
use crate::backend::{Aead256, DefaultBackend, TAG_LEN};
use crate::key::{KEY_LEN, Key256, KeySource, NONCE_LEN};

/// Bytes that single-shot sealing adds to a plaintext: nonce and tag.
pub const SMALL_OVERHEAD: usize = NONCE_LEN + TAG_LEN;

/// Length of a [`WrappedKey`] in bytes.
pub const WRAPPED_KEY_LEN: usize = KEY_LEN + SMALL_OVERHEAD;

/// A data key sealed under a key-encryption key: `nonce || ciphertext || tag`, opaque to callers.
///
/// ```
/// use replication_crypto::{unwrap_key, wrap_key, KeySource};
/// let mut rng = KeySource::new();
/// let (kek, dek) = (rng.key()?, rng.key()?);
/// let wrapped = wrap_key(&kek, b"arn:aws:s3:::bucket/key", &dek, &mut rng)?;
/// let back = unwrap_key(&kek, b"arn:aws:s3:::bucket/key", &wrapped)?;
/// assert_eq!(back.as_bytes(), dek.as_bytes());
/// assert!(unwrap_key(&kek, b"arn:aws:s3:::other", &wrapped).is_err());
/// # Ok::<(), replication_crypto::CryptoError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct WrappedKey(Vec<u8>);

impl WrappedKey {
    /// The sealed bytes, for storage.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Takes stored bytes back; the length is checked now, authenticity by [`unwrap_key`].
    ///
    /// # Errors
    /// [`CryptoError::Truncated`] or [`CryptoError::TrailingData`] if `bytes` is not
    /// [`WRAPPED_KEY_LEN`] long.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, CryptoError> {
        let found = bytes.len() as u64;
        match bytes.len().cmp(&WRAPPED_KEY_LEN) {
            std::cmp::Ordering::Less => Err(CryptoError::Truncated {
                what: "wrapped key",
                expected: WRAPPED_KEY_LEN as u64,
                found,
            }),
            std::cmp::Ordering::Greater => Err(CryptoError::TrailingData {
                extra: found - WRAPPED_KEY_LEN as u64,
            }),
            std::cmp::Ordering::Equal => Ok(WrappedKey(bytes)),
        }
    }
}

impl fmt::Debug for WrappedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WrappedKey({} bytes)", self.0.len())
    }
}

/// A key with its cipher already built, for callers that seal or open many times under one key
/// (a Region's root key wrapping every object's data key, a KMS key serving `Encrypt`).
///
/// The free functions [`wrap_key`], [`seal_small`], ... build one per call; holding a
/// `PreparedKey` saves the AES key expansion and GHASH setup on each later call.
pub struct PreparedKey {
    cipher: DefaultBackend,
}

impl fmt::Debug for PreparedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PreparedKey<{}>(..)", DefaultBackend::NAME)
    }
}

impl PreparedKey {
    /// Builds the cipher for `key`.
    ///
    /// # Errors
    /// [`CryptoError::Backend`] if the backend cannot build the key (not expected).
    pub fn new(key: &Key256) -> Result<Self, CryptoError> {
        Ok(PreparedKey {
            cipher: DefaultBackend::new(key)?,
        })
    }

    /// Seals `plaintext` bound to `aad`: `nonce || ciphertext || tag`.
    ///
    /// # Errors
    /// [`CryptoError::Random`] if no nonce could be drawn; [`CryptoError::Backend`] if the
    /// plaintext exceeds what GCM allows.
    pub fn seal(
        &self,
        aad: &[u8],
        plaintext: &[u8],
        rng: &mut KeySource,
    ) -> Result<Vec<u8>, CryptoError> {
        let nonce = rng.nonce()?;
        let mut out = Vec::with_capacity(plaintext.len() + SMALL_OVERHEAD);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        let tag = self
            .cipher
            .seal_in_place_detached(&nonce, aad, &mut out[NONCE_LEN..])?;
        out.extend_from_slice(&tag);
        Ok(out)
    }

    /// Opens what [`PreparedKey::seal`] produced under the same key and `aad`.
    ///
    /// # Errors
    /// [`CryptoError::Truncated`] if `sealed` is shorter than nonce and tag;
    /// [`CryptoError::AuthenticationFailed`] on a wrong key, wrong `aad` or modified bytes.
    pub fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = Vec::with_capacity(sealed.len().saturating_sub(SMALL_OVERHEAD));
        self.open_into(aad, sealed, &mut out)?;
        Ok(out)
    }

    /// Wraps a data key (see [`wrap_key`]).
    ///
    /// # Errors
    /// As [`PreparedKey::seal`].
    pub fn wrap(
        &self,
        aad: &[u8],
        dek: &Key256,
        rng: &mut KeySource,
    ) -> Result<WrappedKey, CryptoError> {
        self.seal(aad, dek.as_bytes(), rng).map(WrappedKey)
    }

    /// Unwraps a data key (see [`unwrap_key`]).
    ///
    /// # Errors
    /// [`CryptoError::AuthenticationFailed`] on a wrong key, wrong `aad` or modified bytes.
    pub fn unwrap(&self, aad: &[u8], wrapped: &WrappedKey) -> Result<Key256, CryptoError> {
        let (nonce, ciphertext, tag) = split_small(&wrapped.0)?;
        // Decrypt straight into the key so the material never sits in an unwiped local; on
        // failure the partial output is wiped when `key` drops.
        let mut key = Key256::zeroed();
        self.cipher
            .open_detached_into(nonce, aad, ciphertext, tag, key.as_mut_bytes())?;
        Ok(key)
    }

    fn open_into(&self, aad: &[u8], sealed: &[u8], out: &mut Vec<u8>) -> Result<(), CryptoError> {
        let (nonce, ciphertext, tag) = split_small(sealed)?;
        out.clear();
        out.resize(ciphertext.len(), 0);
        if let Err(err) = self
            .cipher
            .open_detached_into(nonce, aad, ciphertext, tag, out)
        {
            out.zeroize();
            out.clear();
            return Err(err);
        }
        Ok(())
    }
}

/// A single-shot ciphertext's parts: (nonce, ciphertext, tag).
type SmallParts<'a> = (&'a [u8; NONCE_LEN], &'a [u8], &'a [u8; TAG_LEN]);

fn split_small(sealed: &[u8]) -> Result<SmallParts<'_>, CryptoError> {
    let truncated = || CryptoError::Truncated {
        what: "sealed blob",
        expected: SMALL_OVERHEAD as u64,
        found: sealed.len() as u64,
    };
    let (nonce, rest) = sealed
        .split_first_chunk::<NONCE_LEN>()
        .ok_or_else(truncated)?;
    let (ciphertext, tag) = rest.split_last_chunk::<TAG_LEN>().ok_or_else(truncated)?;
    Ok((nonce, ciphertext, tag))
}

/// Wraps data key `dek` under key-encryption key `kek`, bound to `aad` (the encryption context).
///
/// # Errors
/// [`CryptoError::Random`] if no nonce could be drawn.
pub fn wrap_key(
    kek: &Key256,
    aad: &[u8],
    dek: &Key256,
    rng: &mut KeySource,
) -> Result<WrappedKey, CryptoError> {
    PreparedKey::new(kek)?.wrap(aad, dek, rng)
}

/// Recovers the data key from `wrapped`; fails unless `kek` and `aad` are the ones it was wrapped with.
///
/// # Errors
/// [`CryptoError::AuthenticationFailed`] on a wrong key, wrong `aad` or modified bytes.
pub fn unwrap_key(kek: &Key256, aad: &[u8], wrapped: &WrappedKey) -> Result<Key256, CryptoError> {
    PreparedKey::new(kek)?.unwrap(aad, wrapped)
}

/// Seals a small `plaintext` in one piece, bound to `aad`: `nonce || ciphertext || tag`.
///
/// For objects use [`crate::seal_object`], which bounds memory and detects truncation per chunk.
///
/// ```
/// use replication_crypto::{open_small, seal_small, KeySource};
/// let mut rng = KeySource::new();
/// let key = rng.key()?;
/// let blob = seal_small(&key, b"context", b"secret", &mut rng)?;
/// assert_eq!(open_small(&key, b"context", &blob)?, b"secret");
/// # Ok::<(), replication_crypto::CryptoError>(())
/// ```
///
/// # Errors
/// [`CryptoError::Random`] if no nonce could be drawn; [`CryptoError::Backend`] if the
/// plaintext exceeds what GCM allows (about 64 GiB).
pub fn seal_small(
    key: &Key256,
    aad: &[u8],
    plaintext: &[u8],
    rng: &mut KeySource,
) -> Result<Vec<u8>, CryptoError> {
    PreparedKey::new(key)?.seal(aad, plaintext, rng)
}

/// Opens what [`seal_small`] produced under the same `key` and `aad`.
///
/// # Errors
/// [`CryptoError::Truncated`] if `sealed` is shorter than nonce and tag;
/// [`CryptoError::AuthenticationFailed`] on a wrong key, wrong `aad` or modified bytes.
pub fn open_small(key: &Key256, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    PreparedKey::new(key)?.open(aad, sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (KeySource, Key256, Key256) {
        let mut rng = KeySource::new();
        let kek = rng.key().unwrap();
        let dek = rng.key().unwrap();
        (rng, kek, dek)
    }

    #[test]
    fn wrap_round_trips_and_binds_key_and_context() {
        let (mut rng, kek, dek) = setup();
        let wrapped = wrap_key(&kek, b"ctx", &dek, &mut rng).unwrap();
        assert_eq!(wrapped.as_bytes().len(), WRAPPED_KEY_LEN);
        assert_eq!(format!("{wrapped:?}"), "WrappedKey(60 bytes)");
        let back = unwrap_key(&kek, b"ctx", &wrapped).unwrap();
        assert_eq!(back.as_bytes(), dek.as_bytes());

        assert!(matches!(
            unwrap_key(&kek, b"ctx2", &wrapped),
            Err(CryptoError::AuthenticationFailed)
        ));
        assert!(matches!(
            unwrap_key(&kek, b"", &wrapped),
            Err(CryptoError::AuthenticationFailed)
        ));
        let other = rng.key().unwrap();
        assert!(matches!(
            unwrap_key(&other, b"ctx", &wrapped),
            Err(CryptoError::AuthenticationFailed)
        ));
    }

    #[test]
    fn wrapping_twice_gives_different_bytes() {
        let (mut rng, kek, dek) = setup();
        let a = wrap_key(&kek, b"ctx", &dek, &mut rng).unwrap();
        let b = wrap_key(&kek, b"ctx", &dek, &mut rng).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn every_flipped_byte_of_a_wrapped_key_is_rejected() {
        let (mut rng, kek, dek) = setup();
        let wrapped = wrap_key(&kek, b"ctx", &dek, &mut rng).unwrap();
        for idx in 0..WRAPPED_KEY_LEN {
            let mut bytes = wrapped.as_bytes().to_vec();
            bytes[idx] ^= 0x01;
            let tampered = WrappedKey::from_bytes(bytes).unwrap();
            assert!(
                matches!(
                    unwrap_key(&kek, b"ctx", &tampered),
                    Err(CryptoError::AuthenticationFailed)
                ),
                "flipped byte {idx} was accepted"
            );
        }
    }

    #[test]
    fn wrapped_key_length_is_checked() {
        assert!(matches!(
            WrappedKey::from_bytes(vec![0; WRAPPED_KEY_LEN - 1]),
            Err(CryptoError::Truncated {
                expected: 60,
                found: 59,
                ..
            })
        ));
        assert!(matches!(
            WrappedKey::from_bytes(vec![0; WRAPPED_KEY_LEN + 3]),
            Err(CryptoError::TrailingData { extra: 3 })
        ));
    }

    #[test]
    fn small_blobs_round_trip_at_all_short_lengths() {
        let (mut rng, key, _) = setup();
        let prepared = PreparedKey::new(&key).unwrap();
        for len in 0..=70 {
            let plaintext: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let sealed = seal_small(&key, b"aad", &plaintext, &mut rng).unwrap();
            assert_eq!(sealed.len(), len + SMALL_OVERHEAD);
            assert_eq!(open_small(&key, b"aad", &sealed).unwrap(), plaintext);
            assert_eq!(prepared.open(b"aad", &sealed).unwrap(), plaintext);
            assert!(matches!(
                open_small(&key, b"aae", &sealed),
                Err(CryptoError::AuthenticationFailed)
            ));
        }
    }

    #[test]
    fn short_blobs_are_truncated_not_panics() {
        let (_, key, _) = setup();
        for len in 0..SMALL_OVERHEAD {
            assert!(matches!(
                open_small(&key, b"", &vec![0; len]),
                Err(CryptoError::Truncated { .. })
            ));
        }
        // Exactly nonce and tag: an empty plaintext that must still authenticate.
        assert!(matches!(
            open_small(&key, b"", &[0; SMALL_OVERHEAD]),
            Err(CryptoError::AuthenticationFailed)
        ));
    }
}
