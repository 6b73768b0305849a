//! AWS KMS as S3 replication meets it: keys per Region with state, policy and grants, multi-Region
//! key sets that share material, and the cryptographic operations with KMS's own error names.
//!
//! Key material never leaves this module except as a data key handed to S3 for one object, the
//! way GenerateDataKey hands out a plaintext data key. What a key's state allows ([`KeyState`], the
//! [K-STATE] table) and how it changes (`DisableKey`, `ScheduleKeyDeletion`,
//! `PendingReplicaDeletion` ...) are crypto-free and live in `replication_spec::kms`, so
//! validation dry-runs the same rules the run applies.

use std::collections::BTreeMap;
use std::sync::Arc;

use replication_crypto::{Key256, KeySource, PreparedKey, WrappedKey};
use replication_policy::{GrantRef, Policy};

use crate::catalog::KeyOrigin;

pub(crate) use replication_spec::kms::lifecycle;
pub use replication_spec::kms::{KeyState, KmsError};

/// One KMS key.
#[derive(Debug)]
pub struct KmsKey {
    /// The scenario's name for the key (or `aws/s3` for an implicit AWS managed key).
    pub name: String,
    /// The key ARN.
    pub arn: String,
    /// The key id (shared by related multi-Region keys).
    pub key_id: String,
    /// The key's Region.
    pub region: String,
    /// The owning account id.
    pub account_id: String,
    /// How the key came to be.
    pub origin: KeyOrigin,
    /// The current state.
    pub state: KeyState,
    /// The key policy (per key, even for related multi-Region keys).
    pub policy: Arc<Policy>,
    /// Grants on the key.
    pub grants: Vec<Grant>,
    /// Alias names without `alias/`.
    pub aliases: Vec<String>,
    /// The key material with its cipher built once: shared by every key of a multi-Region set
    /// ([K-MRK]), and reused by every data key the key wraps or unwraps.
    pub(crate) cipher: Arc<PreparedKey>,
    /// What reports call the key policy (``key policy of `dst_key` ``).
    pub(crate) policy_label: String,
    /// The grants as the policy engine takes them, built once.
    pub(crate) grant_refs: Vec<GrantRef>,
}

/// A grant on a key ([K-GRANTS]): allows, never denies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The grantee principal's ARN.
    pub grantee_arn: String,
    /// Operation names without `kms:`.
    pub operations: Vec<String>,
    /// `EncryptionContextSubset`: pairs the request's context must contain.
    pub encryption_context_subset: Vec<(String, String)>,
}

impl KmsKey {
    /// The report's name for the key policy and the grants as the policy engine takes them,
    /// derived from `name`, `arn` and `grants` (call after changing them).
    pub(crate) fn derive_labels(&mut self) {
        self.policy_label = if self.name == "aws/s3" {
            format!("key policy of aws/s3 ({})", self.arn)
        } else {
            format!("key policy of `{}`", self.name)
        };
        self.grant_refs = self
            .grants
            .iter()
            .enumerate()
            .map(|(i, g)| GrantRef {
                label: format!("grant {} on `{}`", i + 1, self.name),
                grantee: g.grantee_arn.clone(),
                operations: g.operations.clone(),
                encryption_context_subset: g.encryption_context_subset.iter().cloned().collect(),
                encryption_context_equals: None,
            })
            .collect();
    }

    /// Whether cryptographic operations work in the key's state, and the error KMS gives if not
    /// ([K-STATE] table in aws-facts f, decided by [`KeyState::check_usable`]).
    pub fn check_usable(&self) -> Result<(), KmsError> {
        self.state.check_usable(&self.arn)
    }
}

/// The canonical bytes of an encryption context, bound into every wrapped data key.
pub fn context_bytes(context: &BTreeMap<String, String>) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in context {
        out.extend_from_slice(&(k.len() as u32).to_be_bytes());
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(&(v.len() as u32).to_be_bytes());
        out.extend_from_slice(v.as_bytes());
    }
    out
}

/// `GenerateDataKey`: a fresh data key and its copy wrapped under the KMS key, bound to the
/// encryption context. Authorization and state are checked by the caller.
pub fn generate_data_key(
    key: &KmsKey,
    context: &BTreeMap<String, String>,
    rng: &mut KeySource,
) -> Result<(Key256, WrappedKey), replication_crypto::CryptoError> {
    let dek = rng.key()?;
    let wrapped = key.cipher.wrap(&context_bytes(context), &dek, rng)?;
    Ok((dek, wrapped))
}

/// `Encrypt` of a data key the caller already holds (what S3 replication asks the destination key
/// for, per [U-KMSREPL]).
pub fn encrypt_data_key(
    key: &KmsKey,
    context: &BTreeMap<String, String>,
    dek: &Key256,
    rng: &mut KeySource,
) -> Result<WrappedKey, replication_crypto::CryptoError> {
    key.cipher.wrap(&context_bytes(context), dek, rng)
}

/// `Decrypt` of a wrapped data key. Any key of the same multi-Region set opens it ([K-MRK]).
pub fn decrypt_data_key(
    key: &KmsKey,
    context: &BTreeMap<String, String>,
    wrapped: &WrappedKey,
) -> Result<Key256, KmsError> {
    key.cipher
        .unwrap(&context_bytes(context), wrapped)
        .map_err(|_| KmsError::InvalidCiphertext {
            arn: key.arn.clone(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, region: &str, material: Arc<Key256>) -> KmsKey {
        let cipher = Arc::new(PreparedKey::new(&material).expect("an AES-256 key"));
        let policy = Policy::parse_json(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#,
        )
        .expect("a valid key policy");
        KmsKey {
            name: name.into(),
            arn: format!("arn:aws:kms:{region}:111122223333:key/mrk-0123"),
            key_id: "mrk-0123".into(),
            region: region.into(),
            account_id: "111122223333".into(),
            origin: KeyOrigin::MultiRegionPrimary,
            state: KeyState::Enabled,
            policy: Arc::new(policy),
            grants: Vec::new(),
            aliases: Vec::new(),
            cipher,
            policy_label: String::new(),
            grant_refs: Vec::new(),
        }
    }

    fn context(arn: &str) -> BTreeMap<String, String> {
        BTreeMap::from([("aws:s3:arn".to_owned(), arn.to_owned())])
    }

    /// aws-facts f [K-CONCEPTS] [U-SSEKMS]: a data key opens only under the encryption context it
    /// was wrapped with; any other context is `InvalidCiphertextException`.
    #[test]
    fn wrong_encryption_context_is_invalid_ciphertext() {
        let mut rng = KeySource::new();
        let k = key("k", "us-east-1", Arc::new(rng.key().expect("rng")));
        let ctx = context("arn:aws:s3:::source/a.txt");
        let (dek, wrapped) = generate_data_key(&k, &ctx, &mut rng).expect("generate");
        assert_eq!(
            decrypt_data_key(&k, &ctx, &wrapped)
                .expect("same context")
                .as_bytes(),
            dek.as_bytes()
        );
        for other in [
            context("arn:aws:s3:::source/b.txt"),
            context("arn:aws:s3:::source"),
            BTreeMap::new(),
        ] {
            let err = decrypt_data_key(&k, &other, &wrapped).expect_err("other context");
            assert_eq!(err.code(), "InvalidCiphertextException");
        }
    }

    /// aws-facts g [K-MRK]: related multi-Region keys share material, so either opens the
    /// other's ciphertext; an unrelated key (other material) is `InvalidCiphertextException`.
    #[test]
    fn related_keys_interoperate_unrelated_keys_do_not() {
        let mut rng = KeySource::new();
        let material = Arc::new(rng.key().expect("rng"));
        let primary = key("primary", "us-east-1", material.clone());
        let replica = key("replica", "eu-west-1", material);
        let unrelated = key("unrelated", "eu-west-1", Arc::new(rng.key().expect("rng")));
        let ctx = context("arn:aws:s3:::target/a.txt");
        let (dek, wrapped) = generate_data_key(&primary, &ctx, &mut rng).expect("generate");
        assert_eq!(
            decrypt_data_key(&replica, &ctx, &wrapped)
                .expect("related")
                .as_bytes(),
            dek.as_bytes()
        );
        let back = encrypt_data_key(&replica, &ctx, &dek, &mut rng).expect("encrypt");
        assert_eq!(
            decrypt_data_key(&primary, &ctx, &back)
                .expect("related")
                .as_bytes(),
            dek.as_bytes()
        );
        let err = decrypt_data_key(&unrelated, &ctx, &wrapped).expect_err("unrelated");
        assert_eq!(err.code(), "InvalidCiphertextException");
        assert!(err.to_string().contains(&unrelated.arn));
    }

    /// aws-facts f [K-STATE]: which states allow cryptographic operations, and the error of each
    /// state that does not (pending deletion as `KMSInvalidStateException`, inferred).
    #[test]
    fn key_states_and_their_errors() {
        let mut k = key(
            "k",
            "us-east-1",
            Arc::new(KeySource::new().key().expect("rng")),
        );
        for (state, code) in [
            (KeyState::Enabled, None),
            (KeyState::Updating, None),
            (KeyState::Disabled, Some("DisabledException")),
            (KeyState::PendingDeletion, Some("KMSInvalidStateException")),
            (
                KeyState::PendingReplicaDeletion,
                Some("KMSInvalidStateException"),
            ),
            (KeyState::PendingImport, Some("KMSInvalidStateException")),
            (KeyState::Unavailable, Some("KMSInvalidStateException")),
            (KeyState::Creating, Some("KMSInvalidStateException")),
        ] {
            k.state = state;
            assert_eq!(k.check_usable().err().map(|e| e.code()), code, "{state}");
        }
    }

    /// A wrapped data key that was tampered with does not open.
    #[test]
    fn tampered_wrapped_key_is_invalid_ciphertext() {
        let mut rng = KeySource::new();
        let k = key("k", "us-east-1", Arc::new(rng.key().expect("rng")));
        let ctx = context("arn:aws:s3:::source/a.txt");
        let (_, wrapped) = generate_data_key(&k, &ctx, &mut rng).expect("generate");
        let mut bytes = wrapped.as_bytes().to_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = WrappedKey::from_bytes(bytes).expect("same length");
        assert_eq!(
            decrypt_data_key(&k, &ctx, &tampered)
                .expect_err("tampered")
                .code(),
            "InvalidCiphertextException"
        );
    }
}
