//! Key material ([`Key256`]) and the batched OS randomness it comes from ([`KeySource`]).
//!
//! Every data key, wrapping nonce and object salt is drawn from the operating system's generator.
//! One `getrandom` call costs 0.3-0.4 us here, more than sealing a small object's header, so
//! [`KeySource`] draws 4 KiB at a time and hands out slices, wiping each byte it hands out.

use std::fmt;

use zeroize::Zeroize;

use crate::CryptoError;

/// Length of an AES-256 key in bytes.
pub const KEY_LEN: usize = 32;

/// Length of an AES-GCM nonce in bytes.
pub const NONCE_LEN: usize = 12;

/// How many random bytes [`KeySource`] draws from the OS at once.
pub const RANDOM_BATCH: usize = 4096;

/// A 256-bit symmetric key, wiped from memory when dropped.
///
/// `Debug` never shows the bytes. There is deliberately no `PartialEq`: compare keys through the
/// key identifiers that name them, not by their material.
///
/// ```
/// use replication_crypto::Key256;
/// let key = Key256::from_bytes([7; 32]);
/// assert_eq!(format!("{key:?}"), "Key256(..)");
/// assert_eq!(key.as_bytes()[0], 7);
/// ```
#[derive(Clone)]
pub struct Key256([u8; KEY_LEN]);

impl Key256 {
    /// Wraps existing key material (for example a customer-provided SSE-C key).
    #[must_use]
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Key256(bytes)
    }

    /// The key material. Keep the borrow short; copies are not wiped.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    /// An all-zero key to decrypt or derive into, so material never sits in an unwiped local.
    pub(crate) fn zeroed() -> Self {
        Key256([0; KEY_LEN])
    }

    pub(crate) fn as_mut_bytes(&mut self) -> &mut [u8; KEY_LEN] {
        &mut self.0
    }
}

impl Drop for Key256 {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for Key256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key256(..)")
    }
}

/// Randomness from the operating system, drawn in batches of [`RANDOM_BATCH`] bytes.
///
/// Bytes are handed out once and wiped from the batch as they go; the rest of the batch is wiped
/// when the source is dropped. A `KeySource` is `Send`, so each worker thread can own one.
///
/// ```
/// use replication_crypto::KeySource;
/// let mut rng = KeySource::new();
/// let a = rng.key()?;
/// let b = rng.key()?;
/// assert_ne!(a.as_bytes(), b.as_bytes());
/// # Ok::<(), replication_crypto::CryptoError>(())
/// ```
pub struct KeySource {
    batch: Box<[u8; RANDOM_BATCH]>,
    /// Index of the first unused byte of `batch`; `RANDOM_BATCH` means the batch is used up.
    next: usize,
}

impl KeySource {
    /// A source with an empty batch; the OS is first asked on the first draw.
    #[must_use]
    pub fn new() -> Self {
        KeySource {
            batch: Box::new([0; RANDOM_BATCH]),
            next: RANDOM_BATCH,
        }
    }

    /// Fills `dest` with random bytes.
    ///
    /// # Errors
    /// [`CryptoError::Random`] if the OS generator fails; `dest` is then left zeroed.
    pub fn fill(&mut self, dest: &mut [u8]) -> Result<(), CryptoError> {
        // A request larger than a batch would only be copied twice; take it straight from the OS.
        if dest.len() >= RANDOM_BATCH {
            return getrandom::fill(dest).map_err(|err| {
                dest.zeroize();
                CryptoError::Random(err)
            });
        }
        let mut filled = 0;
        while filled < dest.len() {
            if self.next == RANDOM_BATCH {
                if let Err(err) = getrandom::fill(&mut self.batch[..]) {
                    dest.zeroize();
                    return Err(CryptoError::Random(err));
                }
                self.next = 0;
            }
            let take = (dest.len() - filled).min(RANDOM_BATCH - self.next);
            let src = &mut self.batch[self.next..self.next + take];
            dest[filled..filled + take].copy_from_slice(src);
            src.zeroize();
            self.next += take;
            filled += take;
        }
        Ok(())
    }

    /// A fresh random 256-bit key.
    ///
    /// # Errors
    /// [`CryptoError::Random`] if the OS generator fails.
    pub fn key(&mut self) -> Result<Key256, CryptoError> {
        let mut key = Key256::zeroed();
        self.fill(key.as_mut_bytes())?;
        Ok(key)
    }

    /// A fresh random 96-bit nonce.
    ///
    /// # Errors
    /// [`CryptoError::Random`] if the OS generator fails.
    pub fn nonce(&mut self) -> Result<[u8; NONCE_LEN], CryptoError> {
        let mut nonce = [0; NONCE_LEN];
        self.fill(&mut nonce)?;
        Ok(nonce)
    }
}

impl Default for KeySource {
    fn default() -> Self {
        KeySource::new()
    }
}

impl Drop for KeySource {
    fn drop(&mut self) {
        self.batch.zeroize();
    }
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySource")
            .field("unused", &(RANDOM_BATCH - self.next))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>() {}

    #[test]
    fn key_source_is_send() {
        assert_send::<KeySource>();
        assert_send::<Key256>();
    }

    #[test]
    fn keys_and_nonces_are_distinct() {
        let mut rng = KeySource::new();
        let mut keys = std::collections::BTreeSet::new();
        let mut nonces = std::collections::BTreeSet::new();
        // 300 keys span three batch refills, so distinctness also covers the refill path.
        for _ in 0..300 {
            assert!(keys.insert(*rng.key().unwrap().as_bytes()));
            assert!(nonces.insert(rng.nonce().unwrap()));
        }
        assert!(!keys.contains(&[0; KEY_LEN]));
    }

    #[test]
    fn fill_spans_batches_and_large_requests() {
        let mut rng = KeySource::new();
        // Leave an odd remainder in the batch so the next request straddles a refill.
        let mut small = [0u8; 4000];
        rng.fill(&mut small).unwrap();
        let mut straddle = [0u8; 200];
        rng.fill(&mut straddle).unwrap();
        let mut large = vec![0u8; 3 * RANDOM_BATCH + 5];
        rng.fill(&mut large).unwrap();
        // 200 or 12_293 zero bytes from a working generator: probability 2^-1600 or less.
        assert!(straddle.iter().any(|&b| b != 0));
        assert!(large.iter().any(|&b| b != 0));
        assert_ne!(&small[..200], &straddle[..]);
    }

    #[test]
    fn handed_out_bytes_are_wiped_from_the_batch() {
        let mut rng = KeySource::new();
        let key = rng.key().unwrap();
        assert!(rng.batch[..KEY_LEN].iter().all(|&b| b == 0));
        assert_eq!(rng.next, KEY_LEN);
        assert!(key.as_bytes().iter().any(|&b| b != 0));
    }

    #[test]
    fn debug_never_shows_material() {
        let key = Key256::from_bytes([0xAB; KEY_LEN]);
        assert_eq!(format!("{key:?}"), "Key256(..)");
        let mut rng = KeySource::new();
        rng.key().unwrap();
        assert_eq!(format!("{rng:?}"), "KeySource { unused: 4064 }");
    }
}
