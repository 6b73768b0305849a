//! AWS KMS as S3 replication meets it: keys per Region with state, policy and grants, multi-Region
//! key sets that share material, and the cryptographic operations with KMS's own error names.
//!
//! Key material never leaves this module except as a data key handed to S3 for one object, the
//! way GenerateDataKey hands out a plaintext data key.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use replication_crypto::{Key256, KeySource, WrappedKey};
use replication_policy::Policy;

use crate::catalog::KeyOrigin;
use crate::spec::InitialKeyState;

/// A KMS key state ([K-STATE]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyState {
    Enabled,
    Disabled,
    PendingDeletion,
    PendingReplicaDeletion,
    PendingImport,
    Unavailable,
    Creating,
    Updating,
}

impl fmt::Display for KeyState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyState::Enabled => "Enabled",
            KeyState::Disabled => "Disabled",
            KeyState::PendingDeletion => "PendingDeletion",
            KeyState::PendingReplicaDeletion => "PendingReplicaDeletion",
            KeyState::PendingImport => "PendingImport",
            KeyState::Unavailable => "Unavailable",
            KeyState::Creating => "Creating",
            KeyState::Updating => "Updating",
        })
    }
}

impl From<InitialKeyState> for KeyState {
    fn from(s: InitialKeyState) -> Self {
        match s {
            InitialKeyState::Enabled => KeyState::Enabled,
            InitialKeyState::Disabled => KeyState::Disabled,
            InitialKeyState::PendingImport => KeyState::PendingImport,
            InitialKeyState::Unavailable => KeyState::Unavailable,
            InitialKeyState::Creating => KeyState::Creating,
        }
    }
}

/// An error as KMS names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KmsError {
    /// `DisabledException`.
    Disabled { arn: String },
    /// `KMSInvalidStateException`.
    InvalidState { arn: String, state: KeyState },
    /// `NotFoundException`.
    NotFound { arn: String },
    /// `AccessDeniedException`: the decision is recorded by the caller.
    AccessDenied { arn: String, action: String },
    /// `ThrottlingException`.
    Throttling { region: String },
    /// `InvalidCiphertextException`: the blob does not open under this key and context.
    InvalidCiphertext { arn: String },
}

impl KmsError {
    /// KMS's exception name.
    pub fn code(&self) -> &'static str {
        match self {
            KmsError::Disabled { .. } => "DisabledException",
            KmsError::InvalidState { .. } => "KMSInvalidStateException",
            KmsError::NotFound { .. } => "NotFoundException",
            KmsError::AccessDenied { .. } => "AccessDeniedException",
            KmsError::Throttling { .. } => "ThrottlingException",
            KmsError::InvalidCiphertext { .. } => "InvalidCiphertextException",
        }
    }
}

impl fmt::Display for KmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KmsError::Disabled { arn } => write!(f, "DisabledException: {arn} is disabled."),
            KmsError::InvalidState { arn, state } => {
                let what = match state {
                    KeyState::PendingDeletion => "pending deletion",
                    KeyState::PendingReplicaDeletion => "pending replica deletion",
                    KeyState::PendingImport => "pending import",
                    KeyState::Unavailable => "unavailable",
                    KeyState::Creating => "creating",
                    _ => "in an invalid state",
                };
                write!(f, "KMSInvalidStateException: {arn} is {what}.")
            }
            KmsError::NotFound { arn } => write!(f, "NotFoundException: key {arn} does not exist."),
            KmsError::AccessDenied { arn, action } => {
                write!(f, "AccessDeniedException: not authorized to perform {action} on {arn}")
            }
            KmsError::Throttling { region } => {
                write!(f, "ThrottlingException: rate exceeded for KMS in {region}")
            }
            KmsError::InvalidCiphertext { arn } => write!(
                f,
                "InvalidCiphertextException: the ciphertext does not decrypt under {arn} with this encryption context"
            ),
        }
    }
}

/// One KMS key.
#[derive(Debug)]
pub struct KmsKey {
    /// The scenario's name for the key (or `aws/s3` for an implicit AWS managed key).
    pub name: String,
    pub arn: String,
    pub key_id: String,
    pub region: String,
    pub account_id: String,
    pub origin: KeyOrigin,
    pub state: KeyState,
    pub policy: Arc<Policy>,
    pub grants: Vec<Grant>,
    pub aliases: Vec<String>,
    /// Key material: shared by every key of a multi-Region set ([K-MRK]).
    pub(crate) material: Arc<Key256>,
}

/// A grant on a key ([K-GRANTS]): allows, never denies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub grantee_arn: String,
    /// Operation names without `kms:`.
    pub operations: Vec<String>,
    pub encryption_context_subset: Vec<(String, String)>,
}

impl KmsKey {
    /// Whether cryptographic operations work in the key's state, and the error KMS gives if not
    /// ([K-STATE] table in aws-facts f).
    pub fn check_usable(&self) -> Result<(), KmsError> {
        match self.state {
            KeyState::Enabled | KeyState::Updating => Ok(()),
            KeyState::Disabled => Err(KmsError::Disabled { arn: self.arn.clone() }),
            // aws-facts f: KMS answers DisabledException or KMSInvalidStateException for keys
            // pending deletion; we choose KMSInvalidStateException (inferred).
            state => Err(KmsError::InvalidState { arn: self.arn.clone(), state }),
        }
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
    let wrapped = replication_crypto::wrap_key(&key.material, &context_bytes(context), &dek, rng)?;
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
    replication_crypto::wrap_key(&key.material, &context_bytes(context), dek, rng)
}

/// `Decrypt` of a wrapped data key. Any key of the same multi-Region set opens it ([K-MRK]).
pub fn decrypt_data_key(
    key: &KmsKey,
    context: &BTreeMap<String, String>,
    wrapped: &WrappedKey,
) -> Result<Key256, KmsError> {
    replication_crypto::unwrap_key(&key.material, &context_bytes(context), wrapped)
        .map_err(|_| KmsError::InvalidCiphertext { arn: key.arn.clone() })
}
