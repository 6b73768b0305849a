//! `ReplicateKey`: which multi-Region replica keys KMS creates, and how it refuses the others
//! (aws-facts g [K-MRK] [K-MRKREP] [K-REPAPI]). Only a primary can be replicated, never into its
//! own Region, and never into a Region that already holds a related key.

use std::collections::BTreeSet;

use crate::spec::KeyKind;

/// Why KMS refuses a `ReplicateKey` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicateKeyError {
    /// `ValidationException`: the replica Region is the primary's own.
    PrimaryRegion,
    /// `AlreadyExistsException`: a related multi-Region key already lives in the Region.
    AlreadyExists,
    /// `UnsupportedOperationException`: the key named as primary is itself a replica.
    NotPrimary,
    /// `UnsupportedOperationException`: the key named as primary is a single-Region key.
    SingleRegion,
}

impl ReplicateKeyError {
    /// KMS's exception name.
    pub fn code(self) -> &'static str {
        match self {
            ReplicateKeyError::PrimaryRegion => "ValidationException",
            ReplicateKeyError::AlreadyExists => "AlreadyExistsException",
            ReplicateKeyError::NotPrimary | ReplicateKeyError::SingleRegion => {
                "UnsupportedOperationException"
            }
        }
    }
}

/// `ReplicateKey` of the key `primary` into `region`. `related_regions` holds the Regions that
/// already have a key of the primary's set (the primary's own included); an accepted replica's
/// Region is added to it.
pub fn replicate_key(
    primary: &KeyKind,
    region: &str,
    related_regions: &mut BTreeSet<String>,
) -> Result<(), ReplicateKeyError> {
    match primary {
        KeyKind::MultiRegionPrimary { region: own, .. } if own == region => {
            Err(ReplicateKeyError::PrimaryRegion)
        }
        KeyKind::MultiRegionPrimary { .. } => {
            if related_regions.insert(region.to_owned()) {
                Ok(())
            } else {
                Err(ReplicateKeyError::AlreadyExists)
            }
        }
        KeyKind::MultiRegionReplica { .. } => Err(ReplicateKeyError::NotPrimary),
        KeyKind::SingleRegion { .. } | KeyKind::AwsManagedS3 { .. } => {
            Err(ReplicateKeyError::SingleRegion)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn primary() -> KeyKind {
        KeyKind::MultiRegionPrimary {
            account: "prod".into(),
            region: "us-east-1".into(),
        }
    }

    /// aws-facts g [K-MRKREP]: not into the primary's Region, not twice into one Region, and
    /// only from a primary.
    #[test]
    fn replicate_key_rules() {
        let mut regions = BTreeSet::from(["us-east-1".to_owned()]);
        assert_eq!(
            replicate_key(&primary(), "us-east-1", &mut regions),
            Err(ReplicateKeyError::PrimaryRegion)
        );
        assert_eq!(replicate_key(&primary(), "eu-west-1", &mut regions), Ok(()));
        assert_eq!(
            replicate_key(&primary(), "eu-west-1", &mut regions),
            Err(ReplicateKeyError::AlreadyExists)
        );
        let replica = KeyKind::MultiRegionReplica {
            primary: "p".into(),
            region: "eu-west-1".into(),
        };
        assert_eq!(
            replicate_key(&replica, "ap-south-1", &mut regions),
            Err(ReplicateKeyError::NotPrimary)
        );
        let single = KeyKind::SingleRegion {
            account: "prod".into(),
            region: "us-east-1".into(),
        };
        let err = replicate_key(&single, "ap-south-1", &mut regions).expect_err("single-Region");
        assert_eq!(err.code(), "UnsupportedOperationException");
    }
}
