//! A KMS key's state and KMS's errors as KMS names them: the [K-STATE] table of aws-facts f
//! (which states allow cryptographic operations) written once, for validation and the run.

use std::fmt;

use crate::spec::InitialKeyState;

/// A KMS key state ([K-STATE]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyState {
    /// Usable.
    Enabled,
    /// Disabled: cryptographic operations fail with `DisabledException`.
    Disabled,
    /// Scheduled for deletion.
    PendingDeletion,
    /// A multi-Region primary waiting for its replicas to be deleted.
    PendingReplicaDeletion,
    /// Waiting for imported key material.
    PendingImport,
    /// In a disconnected custom key store.
    Unavailable,
    /// A multi-Region replica being created.
    Creating,
    /// Being updated (cryptographic operations still work).
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
    Disabled {
        /// The key ARN.
        arn: String,
    },
    /// `KMSInvalidStateException`.
    InvalidState {
        /// The key ARN.
        arn: String,
        /// The key's state.
        state: KeyState,
    },
    /// `NotFoundException`.
    NotFound {
        /// The ARN asked for.
        arn: String,
    },
    /// `AccessDeniedException`: the decision is recorded by the caller.
    AccessDenied {
        /// The key ARN.
        arn: String,
        /// The KMS action.
        action: String,
    },
    /// `ThrottlingException`.
    Throttling {
        /// The Region whose KMS throttles.
        region: String,
    },
    /// `InvalidCiphertextException`: the blob does not open under this key and context.
    InvalidCiphertext {
        /// The key that was tried.
        arn: String,
    },
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
                write!(
                    f,
                    "AccessDeniedException: not authorized to perform {action} on {arn}"
                )
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

impl KeyState {
    /// Whether cryptographic operations (Encrypt, Decrypt, GenerateDataKey) work in this state,
    /// and the error KMS answers for the key `arn` if not ([K-STATE] table in aws-facts f).
    pub fn check_usable(self, arn: &str) -> Result<(), KmsError> {
        match self {
            KeyState::Enabled | KeyState::Updating => Ok(()),
            KeyState::Disabled => Err(KmsError::Disabled {
                arn: arn.to_owned(),
            }),
            // aws-facts f: KMS answers DisabledException or KMSInvalidStateException for keys
            // pending deletion; we choose KMSInvalidStateException (inferred).
            state => Err(KmsError::InvalidState {
                arn: arn.to_owned(),
                state,
            }),
        }
    }

    /// The state in words, as diagnostics say it (``key `k`, which is pending deletion``).
    pub fn describe(self) -> &'static str {
        match self {
            KeyState::Enabled => "enabled",
            KeyState::Disabled => "disabled",
            KeyState::PendingDeletion => "pending deletion",
            KeyState::PendingReplicaDeletion => "pending replica deletion",
            KeyState::PendingImport => "pending import",
            KeyState::Unavailable => "unavailable",
            KeyState::Creating => "being created",
            KeyState::Updating => "updating",
        }
    }
}
