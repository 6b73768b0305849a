//! How a KMS key's state changes: `DisableKey`, `EnableKey`, `ScheduleKeyDeletion`,
//! `CancelKeyDeletion` and the end of the waiting period, with the multi-Region relation that
//! keeps a primary in `PendingReplicaDeletion` until its replicas are gone (aws-facts f [K-STATE],
//! g [K-MRK]).
//!
//! Crypto-free: validation dry-runs these transitions to refuse impossible fault orders, and the
//! run applies the same ones to its keys, so the two can never disagree on a key's state.

use std::collections::BTreeMap;

use super::{KeyState, KmsError};
use crate::catalog::KeyOrigin;
use crate::spec::{Fault, KeyKind, ScenarioSpec};

/// A key's life as the control plane tracks it: a KMS key state while the key exists, then
/// `Deleted` once its waiting period ended (from then on KMS answers `NotFoundException`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLife {
    /// The key exists in this state.
    Live(KeyState),
    /// The key was deleted after its waiting period.
    Deleted,
}

impl KeyLife {
    /// The life in words, as diagnostics say it (``key `k`, which is deleted``).
    pub fn describe(self) -> &'static str {
        match self {
            KeyLife::Live(state) => state.describe(),
            KeyLife::Deleted => "deleted",
        }
    }

    /// Whether cryptographic operations work, and KMS's error for the key `arn` if not: the
    /// [K-STATE] table while the key exists, `NotFoundException` once it is deleted.
    pub fn check_usable(self, arn: &str) -> Result<(), KmsError> {
        match self {
            KeyLife::Live(state) => state.check_usable(arn),
            KeyLife::Deleted => Err(KmsError::NotFound {
                arn: arn.to_owned(),
            }),
        }
    }

    fn is_pending_deletion(self) -> bool {
        matches!(
            self,
            KeyLife::Live(KeyState::PendingDeletion | KeyState::PendingReplicaDeletion)
        )
    }
}

/// A KMS management operation that changes a key's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOp {
    /// `DisableKey`.
    DisableKey,
    /// `EnableKey`.
    EnableKey,
    /// `ScheduleKeyDeletion` with its waiting period.
    ScheduleKeyDeletion {
        /// The waiting period in days (KMS takes 7 to 30).
        pending_days: u32,
    },
    /// `CancelKeyDeletion`.
    CancelKeyDeletion,
    /// The waiting period ends and KMS deletes the key material (no API call: time passes).
    DeleteKeyMaterial,
}

impl KeyOp {
    /// The key a fault step names and the operation it performs, `None` for other faults.
    pub fn of_fault(fault: &Fault) -> Option<(&str, KeyOp)> {
        Some(match fault {
            Fault::DisableKey(k) => (k, KeyOp::DisableKey),
            Fault::EnableKey(k) => (k, KeyOp::EnableKey),
            Fault::ScheduleKeyDeletion { key, pending_days } => (
                key,
                KeyOp::ScheduleKeyDeletion {
                    pending_days: *pending_days,
                },
            ),
            Fault::CancelKeyDeletion(k) => (k, KeyOp::CancelKeyDeletion),
            Fault::DeleteKeyMaterial(k) => (k, KeyOp::DeleteKeyMaterial),
            _ => return None,
        })
    }
}

/// Why KMS refuses a state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleError {
    /// No key of that name (validation reports the undefined name itself).
    NotFound,
    /// `UnsupportedOperationException`: AWS manages the state of `aws/s3`.
    AwsManaged,
    /// The waiting period is outside the 7 to 30 days KMS takes.
    WaitingPeriod {
        /// The days asked for.
        pending_days: u32,
    },
    /// `KMSInvalidStateException`: the operation is not allowed in the key's current life
    /// (`EnableKey`/`DisableKey` while pending deletion, `CancelKeyDeletion` while not ...).
    InvalidState {
        /// The refused operation.
        op: KeyOp,
        /// The key's life when it was asked.
        life: KeyLife,
    },
    /// A multi-Region primary stays `PendingReplicaDeletion` while a replica exists, so its
    /// waiting period never ends.
    ReplicaRemains {
        /// The scenario name of a replica that still exists.
        replica: String,
    },
}

/// What a transition needs to know about the key besides its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyRelations<'a> {
    /// `aws/s3`: AWS manages its state.
    pub aws_managed: bool,
    /// For a multi-Region primary: a replica that still exists.
    pub live_replica: Option<&'a str>,
}

/// The life a key has after `op`, or KMS's refusal (aws-facts f [K-STATE], g [K-MRK]).
pub fn transition(
    life: KeyLife,
    op: KeyOp,
    relations: KeyRelations<'_>,
) -> Result<KeyLife, LifecycleError> {
    if relations.aws_managed {
        return Err(LifecycleError::AwsManaged);
    }
    let refused = Err(LifecycleError::InvalidState { op, life });
    match op {
        // aws-facts f: EnableKey/DisableKey fail while pending deletion, and management
        // operations fail while a key is updating or cannot be used at all.
        KeyOp::DisableKey | KeyOp::EnableKey => match life {
            KeyLife::Live(KeyState::Enabled | KeyState::Disabled) => {
                Ok(KeyLife::Live(if op == KeyOp::DisableKey {
                    KeyState::Disabled
                } else {
                    KeyState::Enabled
                }))
            }
            _ => refused,
        },
        KeyOp::ScheduleKeyDeletion { pending_days } => {
            if !(7..=30).contains(&pending_days) {
                return Err(LifecycleError::WaitingPeriod { pending_days });
            }
            match life {
                KeyLife::Deleted => refused,
                _ if life.is_pending_deletion() => refused,
                // [K-STATE] [K-MRK]: a primary with replicas waits for them.
                _ if relations.live_replica.is_some() => {
                    Ok(KeyLife::Live(KeyState::PendingReplicaDeletion))
                }
                _ => Ok(KeyLife::Live(KeyState::PendingDeletion)),
            }
        }
        // aws-facts f: cancelling a scheduled deletion leaves the key Disabled.
        KeyOp::CancelKeyDeletion if life.is_pending_deletion() => {
            Ok(KeyLife::Live(KeyState::Disabled))
        }
        KeyOp::CancelKeyDeletion => refused,
        KeyOp::DeleteKeyMaterial => match (life, relations.live_replica) {
            (KeyLife::Live(KeyState::PendingReplicaDeletion), Some(replica)) => {
                Err(LifecycleError::ReplicaRemains {
                    replica: replica.to_owned(),
                })
            }
            _ if life.is_pending_deletion() => Ok(KeyLife::Deleted),
            _ => refused,
        },
    }
}

/// The life of every key a scenario defines, and the multi-Region relations between them: the
/// KMS half of the control plane.
#[derive(Debug, Clone, Default)]
pub struct KeyLifecycles {
    keys: BTreeMap<String, TrackedKey>,
    /// Key names in definition order, so "a replica that still exists" names the first one.
    order: Vec<String>,
}

#[derive(Debug, Clone)]
struct TrackedKey {
    life: KeyLife,
    origin: KeyOrigin,
    /// For a multi-Region replica: the scenario name of its primary.
    primary: Option<String>,
}

impl KeyLifecycles {
    /// Every key of the scenario in its initial state. A name defined twice keeps its last
    /// definition (the duplicate is a problem of its own).
    pub fn new(spec: &ScenarioSpec) -> KeyLifecycles {
        let mut out = KeyLifecycles::default();
        for k in &spec.keys {
            let (origin, primary) = match &k.kind {
                KeyKind::SingleRegion { .. } => (KeyOrigin::CustomerManaged, None),
                KeyKind::MultiRegionPrimary { .. } => (KeyOrigin::MultiRegionPrimary, None),
                KeyKind::MultiRegionReplica { primary, .. } => {
                    (KeyOrigin::MultiRegionReplica, Some(primary.clone()))
                }
                KeyKind::AwsManagedS3 { .. } => (KeyOrigin::AwsManaged, None),
            };
            let tracked = TrackedKey {
                life: KeyLife::Live(k.initial_state.into()),
                origin,
                primary,
            };
            out.keys.insert(k.name.clone(), tracked);
            out.order.push(k.name.clone());
        }
        out
    }

    /// The life of the key named `name`, `None` if the scenario defines no such key.
    pub fn life(&self, name: &str) -> Option<KeyLife> {
        self.keys.get(name).map(|k| k.life)
    }

    /// Every key with its life, by name.
    pub fn lives(&self) -> impl Iterator<Item = (&str, KeyLife)> {
        self.keys.iter().map(|(n, k)| (n.as_str(), k.life))
    }

    /// Applies `op` to the key named `name` and returns its new life. Deleting the last replica
    /// of a primary waiting in `PendingReplicaDeletion` moves the primary to `PendingDeletion`
    /// ([K-STATE]).
    pub fn apply(&mut self, name: &str, op: KeyOp) -> Result<KeyLife, LifecycleError> {
        let key = self.keys.get(name).ok_or(LifecycleError::NotFound)?;
        let relations = KeyRelations {
            aws_managed: key.origin == KeyOrigin::AwsManaged,
            live_replica: self.live_replica_of(name),
        };
        let life = transition(key.life, op, relations)?;
        let primary = key.primary.clone();
        if let Some(k) = self.keys.get_mut(name) {
            k.life = life;
        }
        if let (KeyLife::Deleted, Some(primary)) = (life, primary)
            && self.live_replica_of(&primary).is_none()
            && let Some(p) = self.keys.get_mut(&primary)
            && p.life == KeyLife::Live(KeyState::PendingReplicaDeletion)
        {
            p.life = KeyLife::Live(KeyState::PendingDeletion);
        }
        Ok(life)
    }

    /// A multi-Region replica of `primary` that is not deleted yet, first in definition order.
    fn live_replica_of(&self, primary: &str) -> Option<&str> {
        self.order
            .iter()
            .filter(|n| {
                self.keys
                    .get(*n)
                    .is_some_and(|k| k.primary.as_deref() == Some(primary))
            })
            .find(|n| {
                self.keys
                    .get(*n)
                    .is_some_and(|k| k.life != KeyLife::Deleted)
            })
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{InitialKeyState, KeySpec};

    const PLAIN: KeyRelations<'static> = KeyRelations {
        aws_managed: false,
        live_replica: None,
    };
    const SCHEDULE: KeyOp = KeyOp::ScheduleKeyDeletion { pending_days: 7 };

    fn live(state: KeyState) -> KeyLife {
        KeyLife::Live(state)
    }

    /// aws-facts f [K-STATE]: every management operation from every life, with the life it
    /// leads to or KMS's refusal.
    #[test]
    fn key_lifecycle_table() {
        use KeyState::*;
        let ok = |s: KeyState| Ok(KeyLife::Live(s));
        let all = [
            live(Enabled),
            live(Disabled),
            live(PendingDeletion),
            live(PendingReplicaDeletion),
            live(PendingImport),
            live(Unavailable),
            live(Creating),
            live(Updating),
            KeyLife::Deleted,
        ];
        for life in all {
            let refused = |op| Err(LifecycleError::InvalidState { op, life });
            let (disable, enable, schedule, cancel, delete) = match life {
                KeyLife::Live(Enabled | Disabled) => (
                    ok(Disabled),
                    ok(Enabled),
                    ok(PendingDeletion),
                    refused(KeyOp::CancelKeyDeletion),
                    refused(KeyOp::DeleteKeyMaterial),
                ),
                KeyLife::Live(PendingDeletion | PendingReplicaDeletion) => (
                    refused(KeyOp::DisableKey),
                    refused(KeyOp::EnableKey),
                    refused(SCHEDULE),
                    ok(Disabled),
                    Ok(KeyLife::Deleted),
                ),
                KeyLife::Deleted => (
                    refused(KeyOp::DisableKey),
                    refused(KeyOp::EnableKey),
                    refused(SCHEDULE),
                    refused(KeyOp::CancelKeyDeletion),
                    refused(KeyOp::DeleteKeyMaterial),
                ),
                _ => (
                    refused(KeyOp::DisableKey),
                    refused(KeyOp::EnableKey),
                    ok(PendingDeletion),
                    refused(KeyOp::CancelKeyDeletion),
                    refused(KeyOp::DeleteKeyMaterial),
                ),
            };
            assert_eq!(
                transition(life, KeyOp::DisableKey, PLAIN),
                disable,
                "{life:?}"
            );
            assert_eq!(
                transition(life, KeyOp::EnableKey, PLAIN),
                enable,
                "{life:?}"
            );
            assert_eq!(transition(life, SCHEDULE, PLAIN), schedule, "{life:?}");
            assert_eq!(
                transition(life, KeyOp::CancelKeyDeletion, PLAIN),
                cancel,
                "{life:?}"
            );
            assert_eq!(
                transition(life, KeyOp::DeleteKeyMaterial, PLAIN),
                delete,
                "{life:?}"
            );
        }
    }

    /// aws-facts f: the waiting period is 7 to 30 days; AWS managed keys refuse every change.
    #[test]
    fn waiting_period_and_aws_managed_keys() {
        for days in [6, 31] {
            assert_eq!(
                transition(
                    live(KeyState::Enabled),
                    KeyOp::ScheduleKeyDeletion { pending_days: days },
                    PLAIN
                ),
                Err(LifecycleError::WaitingPeriod { pending_days: days })
            );
        }
        let managed = KeyRelations {
            aws_managed: true,
            live_replica: None,
        };
        assert_eq!(
            transition(live(KeyState::Enabled), KeyOp::DisableKey, managed),
            Err(LifecycleError::AwsManaged)
        );
    }

    fn key(name: &str, kind: KeyKind) -> KeySpec {
        KeySpec {
            name: name.into(),
            kind,
            key_id: None,
            policy: None,
            grants: Vec::new(),
            aliases: Vec::new(),
            initial_state: InitialKeyState::Enabled,
        }
    }

    fn mrk_scenario() -> ScenarioSpec {
        let primary = KeyKind::MultiRegionPrimary {
            account: "prod".into(),
            region: "us-east-1".into(),
        };
        let replica = KeyKind::MultiRegionReplica {
            primary: "primary".into(),
            region: "eu-west-1".into(),
        };
        ScenarioSpec {
            keys: vec![key("primary", primary), key("replica", replica)],
            ..ScenarioSpec::default()
        }
    }

    /// aws-facts g [K-MRK] [K-STATE]: a primary scheduled for deletion while its replica exists
    /// waits in PendingReplicaDeletion, is never deleted while the replica exists, and becomes
    /// PendingDeletion once the replica is deleted.
    #[test]
    fn primary_waits_in_pending_replica_deletion() {
        let mut keys = KeyLifecycles::new(&mrk_scenario());
        assert_eq!(
            keys.apply("primary", SCHEDULE),
            Ok(live(KeyState::PendingReplicaDeletion))
        );
        assert_eq!(
            keys.apply("primary", KeyOp::DeleteKeyMaterial),
            Err(LifecycleError::ReplicaRemains {
                replica: "replica".into()
            })
        );
        assert_eq!(
            keys.apply("replica", SCHEDULE),
            Ok(live(KeyState::PendingDeletion))
        );
        assert_eq!(
            keys.apply("replica", KeyOp::DeleteKeyMaterial),
            Ok(KeyLife::Deleted)
        );
        assert_eq!(keys.life("primary"), Some(live(KeyState::PendingDeletion)));
        assert_eq!(
            keys.apply("primary", KeyOp::DeleteKeyMaterial),
            Ok(KeyLife::Deleted)
        );
        assert_eq!(
            keys.apply("nobody", KeyOp::EnableKey),
            Err(LifecycleError::NotFound)
        );
    }

    /// A deleted key answers NotFoundException; a disabled one DisabledException.
    #[test]
    fn usability_follows_the_life() {
        let arn = "arn:aws:kms:us-east-1:111122223333:key/k";
        assert_eq!(
            KeyLife::Deleted.check_usable(arn).map_err(|e| e.code()),
            Err("NotFoundException")
        );
        assert_eq!(
            live(KeyState::Disabled)
                .check_usable(arn)
                .map_err(|e| e.code()),
            Err("DisabledException")
        );
        assert_eq!(live(KeyState::Enabled).check_usable(arn), Ok(()));
    }
}
