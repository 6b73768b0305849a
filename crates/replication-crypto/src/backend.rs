//! The AEAD seam: AES-256-GCM behind a small trait so the primitive can be swapped without
//! touching the formats built on it.
//!
//! [`AesGcm`] (RustCrypto `aes-gcm`) is the default. The `aws-lc-rs` cargo feature adds
//! `AwsLc` and makes it the [`DefaultBackend`]; both produce byte-identical ciphertext, so
//! objects sealed by one open with the other. A backend instance is built once per key and reused
//! for every chunk, because key expansion and GHASH precomputation are per key, not per message.

use std::fmt;

use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::aead::{AeadInOut, KeyInit};

use crate::CryptoError;
use crate::key::{Key256, NONCE_LEN};

/// Length of an AES-GCM authentication tag in bytes.
pub const TAG_LEN: usize = 16;

/// AES-256-GCM with 96-bit nonces and 128-bit detached tags, as used by every format here.
///
/// Implementations must never write unauthenticated plaintext where a caller could keep it: on
/// an authentication failure, `open_*` returns [`CryptoError::AuthenticationFailed`] and the
/// callers in this crate wipe the output region.
pub trait Aead256: Send + Sync + Sized {
    /// Short name for messages and benchmark labels.
    const NAME: &'static str;

    /// Prepares the cipher for `key` (key expansion, GHASH tables).
    ///
    /// # Errors
    /// [`CryptoError::Backend`] if the backend cannot build the key (not expected for AES-256).
    fn new(key: &Key256) -> Result<Self, CryptoError>;

    /// Encrypts `in_out` in place and returns the tag.
    ///
    /// # Errors
    /// [`CryptoError::Backend`] if the message is longer than GCM allows (about 64 GiB).
    fn seal_in_place_detached(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; TAG_LEN], CryptoError>;

    /// Authenticates and decrypts `in_out` in place.
    ///
    /// # Errors
    /// [`CryptoError::AuthenticationFailed`] if the tag does not match; `in_out` then holds
    /// unspecified bytes that the caller must wipe.
    fn open_in_place_detached(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), CryptoError>;

    /// Authenticates `ciphertext` and decrypts it into `out` (same length), saving the copy that
    /// an in-place open would need when source and destination differ.
    ///
    /// # Errors
    /// [`CryptoError::AuthenticationFailed`] if the tag does not match; `out` then holds
    /// unspecified bytes that the caller must wipe. [`CryptoError::Backend`] if the lengths differ.
    fn open_detached_into(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; TAG_LEN],
        out: &mut [u8],
    ) -> Result<(), CryptoError>;
}

/// The backend the crate's free functions use: `AwsLc` with the `aws-lc-rs` feature, else [`AesGcm`].
#[cfg(not(feature = "aws-lc-rs"))]
pub type DefaultBackend = AesGcm;

/// The backend the crate's free functions use: [`AwsLc`] with the `aws-lc-rs` feature, else [`AesGcm`].
#[cfg(feature = "aws-lc-rs")]
pub type DefaultBackend = AwsLc;

/// AES-256-GCM from RustCrypto's `aes-gcm` 0.11 (AES-NI and CLMUL detected at run time; build
/// with `-C target-cpu=native` to inline them, roughly doubling throughput).
pub struct AesGcm(aes_gcm::Aes256Gcm);

impl fmt::Debug for AesGcm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AesGcm(..)")
    }
}

impl AesGcm {
    fn backend_error(operation: &'static str) -> CryptoError {
        CryptoError::Backend {
            backend: Self::NAME,
            operation,
        }
    }
}

impl Aead256 for AesGcm {
    const NAME: &'static str = "aes-gcm";

    fn new(key: &Key256) -> Result<Self, CryptoError> {
        aes_gcm::Aes256Gcm::new_from_slice(key.as_bytes())
            .map(AesGcm)
            .map_err(|_| Self::backend_error("build an AES-256 key"))
    }

    fn seal_in_place_detached(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; TAG_LEN], CryptoError> {
        let tag = self
            .0
            .encrypt_inout_detached(nonce.into(), aad, in_out.into())
            .map_err(|_| Self::backend_error("seal a message this long"))?;
        Ok(tag.into())
    }

    fn open_in_place_detached(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), CryptoError> {
        self.0
            .decrypt_inout_detached(nonce.into(), aad, in_out.into(), tag.into())
            .map_err(|_| CryptoError::AuthenticationFailed)
    }

    fn open_detached_into(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; TAG_LEN],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        let buf = InOutBuf::new(ciphertext, out)
            .map_err(|_| Self::backend_error("open into a buffer of another length"))?;
        self.0
            .decrypt_inout_detached(nonce.into(), aad, buf, tag.into())
            .map_err(|_| CryptoError::AuthenticationFailed)
    }
}

/// AES-256-GCM from AWS-LC through `aws-lc-rs` (stitched AES/GHASH assembly, VAES/AVX-512 where
/// available). Compiled only with the `aws-lc-rs` feature.
#[cfg(feature = "aws-lc-rs")]
pub struct AwsLc(aws_lc_rs::aead::LessSafeKey);

#[cfg(feature = "aws-lc-rs")]
impl fmt::Debug for AwsLc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AwsLc(..)")
    }
}

#[cfg(feature = "aws-lc-rs")]
impl AwsLc {
    fn backend_error(operation: &'static str) -> CryptoError {
        CryptoError::Backend {
            backend: Self::NAME,
            operation,
        }
    }
}

#[cfg(feature = "aws-lc-rs")]
impl Aead256 for AwsLc {
    const NAME: &'static str = "aws-lc-rs";

    fn new(key: &Key256) -> Result<Self, CryptoError> {
        use aws_lc_rs::aead::{AES_256_GCM, LessSafeKey, UnboundKey};
        UnboundKey::new(&AES_256_GCM, key.as_bytes())
            .map(|key| AwsLc(LessSafeKey::new(key)))
            .map_err(|_| Self::backend_error("build an AES-256 key"))
    }

    fn seal_in_place_detached(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
    ) -> Result<[u8; TAG_LEN], CryptoError> {
        use aws_lc_rs::aead::{Aad, Nonce};
        let tag = self
            .0
            .seal_in_place_separate_tag(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                in_out,
            )
            .map_err(|_| Self::backend_error("seal a message this long"))?;
        tag.as_ref()
            .try_into()
            .map_err(|_| Self::backend_error("return a 16-byte tag"))
    }

    fn open_in_place_detached(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        in_out: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), CryptoError> {
        use aws_lc_rs::aead::{Aad, Nonce};
        self.0
            .open_in_place_separate_tag(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                tag,
                in_out,
            )
            .map(|_| ())
            .map_err(|_| CryptoError::AuthenticationFailed)
    }

    fn open_detached_into(
        &self,
        nonce: &[u8; NONCE_LEN],
        aad: &[u8],
        ciphertext: &[u8],
        tag: &[u8; TAG_LEN],
        out: &mut [u8],
    ) -> Result<(), CryptoError> {
        use aws_lc_rs::aead::{Aad, Nonce};
        if ciphertext.len() != out.len() {
            return Err(Self::backend_error("open into a buffer of another length"));
        }
        self.0
            .open_separate_gather(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                ciphertext,
                tag,
                out,
            )
            .map_err(|_| CryptoError::AuthenticationFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// NIST GCM test vector (gcmEncryptExtIV256.rsp, Count = 0 of the 96-bit-IV, 128-bit-PT,
    /// 128-bit-AAD group) so each backend is checked against the standard, not only against itself.
    const KEY: [u8; 32] = [
        0x92, 0xe1, 0x1d, 0xcd, 0xaa, 0x86, 0x6f, 0x5c, 0xe7, 0x90, 0xfd, 0x24, 0x50, 0x1f, 0x92,
        0x50, 0x9a, 0xac, 0xf4, 0xcb, 0x8b, 0x13, 0x39, 0xd5, 0x0c, 0x9c, 0x12, 0x40, 0x93, 0x5d,
        0xd0, 0x8b,
    ];
    const NONCE: [u8; 12] = [
        0xac, 0x93, 0xa1, 0xa6, 0x14, 0x52, 0x99, 0xbd, 0xe9, 0x02, 0xf2, 0x1a,
    ];
    const PT: [u8; 16] = [
        0x2d, 0x71, 0xbc, 0xfa, 0x91, 0x4e, 0x4a, 0xc0, 0x45, 0xb2, 0xaa, 0x60, 0x95, 0x5f, 0xad,
        0x24,
    ];
    const AAD: [u8; 16] = [
        0x1e, 0x08, 0x89, 0x01, 0x6f, 0x67, 0x60, 0x1c, 0x8e, 0xbe, 0xa4, 0x94, 0x3b, 0xc2, 0x3a,
        0xd6,
    ];
    const CT: [u8; 16] = [
        0x89, 0x95, 0xae, 0x2e, 0x6d, 0xf3, 0xdb, 0xf9, 0x6f, 0xac, 0x7b, 0x71, 0x37, 0xba, 0xe6,
        0x7f,
    ];
    const TAG: [u8; 16] = [
        0xec, 0xa5, 0xaa, 0x77, 0xd5, 0x1d, 0x4a, 0x0a, 0x14, 0xd9, 0xc5, 0x1e, 0x1d, 0xa4, 0x74,
        0xab,
    ];

    fn known_answer<B: Aead256>() {
        let cipher = B::new(&Key256::from_bytes(KEY)).unwrap();
        let mut buf = PT;
        let tag = cipher
            .seal_in_place_detached(&NONCE, &AAD, &mut buf)
            .unwrap();
        assert_eq!((buf, tag), (CT, TAG), "{} disagrees with NIST", B::NAME);

        cipher
            .open_in_place_detached(&NONCE, &AAD, &mut buf, &tag)
            .unwrap();
        assert_eq!(buf, PT);

        let mut out = [0u8; 16];
        cipher
            .open_detached_into(&NONCE, &AAD, &CT, &TAG, &mut out)
            .unwrap();
        assert_eq!(out, PT);

        let mut bad_tag = TAG;
        bad_tag[15] ^= 1;
        let mut buf = CT;
        assert!(matches!(
            cipher.open_in_place_detached(&NONCE, &AAD, &mut buf, &bad_tag),
            Err(CryptoError::AuthenticationFailed)
        ));
        assert!(matches!(
            cipher.open_detached_into(&NONCE, &AAD, &CT, &TAG, &mut [0u8; 15]),
            Err(CryptoError::Backend { .. })
        ));
    }

    #[test]
    fn aes_gcm_matches_nist_vector() {
        known_answer::<AesGcm>();
    }

    #[cfg(feature = "aws-lc-rs")]
    #[test]
    fn aws_lc_matches_nist_vector() {
        known_answer::<AwsLc>();
    }
}
