//! SSE-C key fingerprints: S3 never stores a customer-provided key, only a salted HMAC of it,
//! and checks a key presented on a later request against that HMAC in constant time.
//!
//! The S3 User Guide ("Specifying server-side encryption with customer-provided keys (SSE-C)")
//! says S3 "stores a randomly salted HMAC value of the encryption key to validate future
//! requests". It does not document the construction; HMAC-SHA256 keyed by the salt is our choice
//! (inferred).

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::key::Key256;

/// Length of the random salt stored next to an SSE-C fingerprint.
pub const CUSTOMER_KEY_SALT_LEN: usize = 16;

/// Length of an SSE-C fingerprint (HMAC-SHA256 output).
pub const CUSTOMER_KEY_HMAC_LEN: usize = 32;

const CUSTOMER_KEY_LABEL: &[u8] = b"replication-lab sse-c key v1";

/// The salted HMAC S3 keeps in place of an SSE-C customer key.
///
/// ```
/// use replication_crypto::{customer_key_hmac, verify_customer_key, Key256};
/// let salt = [9u8; 16];
/// let key = Key256::from_bytes([1; 32]);
/// let stored = customer_key_hmac(&salt, &key);
/// assert!(verify_customer_key(&salt, &key, &stored));
/// assert!(!verify_customer_key(&salt, &Key256::from_bytes([2; 32]), &stored));
/// ```
#[must_use]
pub fn customer_key_hmac(
    salt: &[u8; CUSTOMER_KEY_SALT_LEN],
    key: &Key256,
) -> [u8; CUSTOMER_KEY_HMAC_LEN] {
    fingerprint_mac(salt, key).finalize().into_bytes().into()
}

/// Whether `presented` is the key whose fingerprint is `stored`, compared in constant time.
#[must_use]
pub fn verify_customer_key(
    salt: &[u8; CUSTOMER_KEY_SALT_LEN],
    presented: &Key256,
    stored: &[u8; CUSTOMER_KEY_HMAC_LEN],
) -> bool {
    // `verify_slice` compares the whole tag in constant time.
    fingerprint_mac(salt, presented)
        .verify_slice(stored)
        .is_ok()
}

fn fingerprint_mac(salt: &[u8; CUSTOMER_KEY_SALT_LEN], key: &Key256) -> Hmac<Sha256> {
    // The salt keys the MAC and the customer key is the message, so the stored value reveals
    // nothing about the key without the salt, and equal keys under different salts look unrelated.
    let mut mac = <Hmac<Sha256> as KeyInit>::new(&pad_salt(salt));
    mac.update(CUSTOMER_KEY_LABEL);
    mac.update(key.as_bytes());
    mac
}

/// HMAC keys shorter than the SHA-256 block are zero-padded by definition (RFC 2104), so padding
/// here gives the same MAC as `new_from_slice(salt)` without a fallible call.
fn pad_salt(salt: &[u8; CUSTOMER_KEY_SALT_LEN]) -> hmac::digest::Key<Hmac<Sha256>> {
    let mut key = hmac::digest::Key::<Hmac<Sha256>>::default();
    key[..CUSTOMER_KEY_SALT_LEN].copy_from_slice(salt);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_an_independent_hmac_sha256() {
        // Independent check of the construction: HMAC-SHA256(key = salt, msg = label || key),
        // computed with Python's hmac module for salt = 16 x 0x0b and key = 32 x 0x01.
        let salt = [0x0b; 16];
        let key = Key256::from_bytes([0x01; 32]);
        assert_eq!(customer_key_hmac(&salt, &key), EXPECTED_FINGERPRINT);
    }

    #[test]
    fn fingerprint_depends_on_salt_and_key() {
        let key = Key256::from_bytes([0x01; 32]);
        let a = customer_key_hmac(&[0; 16], &key);
        let b = customer_key_hmac(&[1; 16], &key);
        let c = customer_key_hmac(&[0; 16], &Key256::from_bytes([0x02; 32]));
        assert_ne!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn verify_rejects_every_single_bit_change_of_the_stored_value() {
        let salt = [7; 16];
        let key = Key256::from_bytes([3; 32]);
        let stored = customer_key_hmac(&salt, &key);
        assert!(verify_customer_key(&salt, &key, &stored));
        for byte in 0..CUSTOMER_KEY_HMAC_LEN {
            let mut bad = stored;
            bad[byte] ^= 0x80;
            assert!(!verify_customer_key(&salt, &key, &bad), "byte {byte}");
        }
        let mut other_salt = salt;
        other_salt[0] ^= 1;
        assert!(!verify_customer_key(&other_salt, &key, &stored));
    }

    const EXPECTED_FINGERPRINT: [u8; 32] = [
        0x62, 0xa4, 0x83, 0xd3, 0x44, 0x0e, 0x38, 0xbf, 0x0b, 0x1b, 0x2c, 0xe9, 0x92, 0x87, 0xd7,
        0xf0, 0x3a, 0xe4, 0x4c, 0x36, 0xa8, 0x8a, 0x87, 0xae, 0x3e, 0x99, 0xb8, 0xff, 0xd5, 0x07,
        0x1d, 0x8d,
    ];
}
