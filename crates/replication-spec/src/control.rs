//! The control plane: what S3 and KMS know between calls, without any key material (buckets'
//! versioning, default encryption, SSE-C block and replication configuration; keys' states and
//! multi-Region relations), and the calls that change it.
//!
//! [`crate::validate`] dry-runs a scenario's steps on a `ControlPlane` to find what AWS refuses;
//! the simulator's `World` (in `replication-model`) embeds one and drives the same transitions
//! while it runs, so the two cannot disagree. The rules themselves live under their AWS names: [`crate::s3::bucket`],
//! [`crate::s3::put_bucket_replication`], [`crate::s3::put_object`],
//! [`crate::kms::lifecycle`].

use std::collections::BTreeMap;

use crate::catalog::Catalog;
use crate::kms::lifecycle::KeyLifecycles;
use crate::rules::RuleSet;
use crate::s3::bucket::BucketControl;
use crate::s3::{ApiRejection, put_bucket_replication, put_object};
use crate::spec::{PutObjectSpec, ReplicationSpec, ScenarioSpec, Versioning};

/// S3 and KMS state between calls.
#[derive(Debug, Clone)]
pub struct ControlPlane {
    /// Buckets by scenario name.
    pub buckets: BTreeMap<String, BucketControl>,
    /// The life of every scenario key.
    pub keys: KeyLifecycles,
    /// Alias names (without `alias/`) of every scenario key, by key name.
    aliases: BTreeMap<String, Vec<String>>,
}

impl ControlPlane {
    /// The scenario before its first step. A name defined twice keeps its last definition (the
    /// duplicate is a problem of its own).
    pub fn new(spec: &ScenarioSpec, rules: &RuleSet) -> ControlPlane {
        ControlPlane {
            buckets: spec
                .buckets
                .iter()
                .map(|b| (b.name.clone(), BucketControl::new(b, rules)))
                .collect(),
            keys: KeyLifecycles::new(spec),
            aliases: spec
                .keys
                .iter()
                .map(|k| (k.name.clone(), k.aliases.clone()))
                .collect(),
        }
    }

    /// The bucket named `name`, if the scenario defines it.
    pub fn bucket(&self, name: &str) -> Option<&BucketControl> {
        self.buckets.get(name)
    }

    /// The aliases of the key named `name`.
    pub fn key_aliases(&self, name: &str) -> &[String] {
        self.aliases.get(name).map_or(&[], Vec::as_slice)
    }

    /// `PutBucketReplication` ([`put_bucket_replication::check_put_bucket_replication`]): on
    /// acceptance the bucket has a replication configuration from now on.
    pub fn put_bucket_replication(
        &mut self,
        r: &ReplicationSpec,
        cat: &Catalog,
    ) -> Result<(), ApiRejection> {
        let states: BTreeMap<String, Versioning> = self
            .buckets
            .iter()
            .map(|(n, b)| (n.clone(), b.versioning))
            .collect();
        put_bucket_replication::check_put_bucket_replication(r, cat, &states)?;
        if let Some(b) = self.buckets.get_mut(&r.bucket) {
            b.replication_configured = true;
        }
        Ok(())
    }

    /// `PutObject`'s control-plane checks ([`put_object::check`]): the ARN of the KMS key the
    /// upload uses, or S3's refusal.
    pub fn put_object(
        &self,
        cat: &Catalog,
        p: &PutObjectSpec,
    ) -> Result<Option<String>, put_object::PutObjectError> {
        put_object::check(self, cat, p)
    }
}
