//! `PutBucketReplication` as S3 validates it: which mistakes are refused at the API (aws-facts
//! a.4), with AWS's error code and message, and how rules match objects (aws-facts b).
//!
//! Everything else, above all KMS keys and permissions, is accepted here and fails per object
//! later: "PutBucketReplication does not validate KMS keys" (aws-facts a.4, [U-KMSREPL]).

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::Catalog;
use crate::ids;
use crate::spec::{BucketRef, FilterSpec, ReplicationSpec, RuleSpec, Versioning};

/// An error S3 answers a call with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiRejection {
    /// AWS's error code, e.g. `InvalidRequest`.
    pub code: String,
    /// AWS's message where known, with the scenario's names.
    pub message: String,
    /// The field path in the step that caused it.
    pub path: String,
}

fn reject(code: &str, path: String, message: String) -> Result<(), ApiRejection> {
    Err(ApiRejection { code: code.to_owned(), message, path })
}

/// The schema version of a configuration: V1 uses `Prefix` under `Rule`, V2 uses `Filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaVersion {
    V1,
    V2,
}

/// The schema version of a rule.
pub fn rule_schema(rule: &RuleSpec) -> SchemaVersion {
    match rule.filter {
        FilterSpec::V1Prefix(_) if rule.destination.replication_time.is_none() => SchemaVersion::V1,
        _ => SchemaVersion::V2,
    }
}

/// Whether a rule's filter involves tags.
pub fn has_tag_filter(filter: &FilterSpec) -> bool {
    match filter {
        FilterSpec::Tag(..) => true,
        FilterSpec::And { tags, .. } => !tags.is_empty(),
        FilterSpec::V1Prefix(_) | FilterSpec::Empty | FilterSpec::Prefix(_) => false,
    }
}

/// Whether a rule's filter matches an object with this key and these tags (at PutObject time).
pub fn filter_matches(filter: &FilterSpec, key: &str, tags: &[(String, String)]) -> bool {
    let has = |k: &String, v: &String| tags.iter().any(|(tk, tv)| tk == k && tv == v);
    match filter {
        FilterSpec::Empty => true,
        FilterSpec::V1Prefix(p) | FilterSpec::Prefix(p) => key.starts_with(p.as_str()),
        FilterSpec::Tag(k, v) => has(k, v),
        FilterSpec::And { prefix, tags: want } => {
            prefix.as_deref().is_none_or(|p| key.starts_with(p)) && want.iter().all(|(k, v)| has(k, v))
        }
    }
}

/// Checks a `PutBucketReplication` call against the bucket state at that step.
///
/// `versioning` holds every bucket's versioning state by scenario name. Names are known to be
/// defined (validation checked them first).
pub fn check_put_bucket_replication(
    config: &ReplicationSpec,
    cat: &Catalog,
    versioning: &BTreeMap<String, Versioning>,
) -> Result<(), ApiRejection> {
    // aws-facts a.4 [O-TFSRC]
    if versioning.get(&config.bucket) != Some(&Versioning::Enabled) {
        return reject(
            "InvalidRequest",
            "bucket".into(),
            format!(
                "Versioning must be 'Enabled' on the bucket to apply a replication configuration (source bucket `{}`; enable `versioning` on it)",
                config.bucket
            ),
        );
    }
    // aws-facts b: 1 to 1,000 rules (error code undocumented: inferred `InvalidRequest`).
    if config.rules.is_empty() || config.rules.len() > 1000 {
        return reject(
            "InvalidRequest",
            "bucket".into(),
            format!("a replication configuration holds 1 to 1,000 rules; this one has {}", config.rules.len()),
        );
    }
    let schemas: BTreeSet<_> = config.rules.iter().map(|r| rule_schema(r) == SchemaVersion::V1).collect();
    if schemas.len() > 1 {
        // Inferred: the V1 and V2 schemas are exclusive forms of one document.
        return reject(
            "InvalidRequest",
            "rules[0].filter".into(),
            "rules mix the V1 form (`Prefix` under `Rule`) with the V2 form (`Filter`); use `Filter` in every rule".into(),
        );
    }
    let mut priorities: BTreeMap<u32, usize> = BTreeMap::new();
    let mut ids_seen: BTreeSet<&str> = BTreeSet::new();
    for (j, rule) in config.rules.iter().enumerate() {
        let p = |field: &str| format!("rules[{j}].{field}");
        let label = crate::validate::rule_label(rule, j);
        if let Some(id) = &rule.id {
            // aws-facts a.4 [A-ERR]
            if id.len() > 255 || !id.is_ascii() {
                return reject(
                    "InvalidArgument",
                    p("id"),
                    format!("rule ID `{id}` must be at most 255 ASCII characters"),
                );
            }
            if !ids_seen.insert(id) {
                // Inferred: IDs identify rules in metrics and events, so S3 keeps them unique.
                return reject("InvalidArgument", p("id"), format!("rule ID `{id}` is used twice; give every rule its own ID"));
            }
        }
        let v2 = rule_schema(rule) == SchemaVersion::V2;
        if v2 {
            // aws-facts a.4 [A-PUT] [U-CFG] [O-DMR]
            if rule.delete_marker_replication.is_none() {
                return reject(
                    "InvalidRequest",
                    p("filter"),
                    format!("DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema (rule `{label}` uses `Filter`; add `delete_marker_replication: disabled` or `enabled`)"),
                );
            }
            // aws-facts a.4: documented requirement; message seen only in S3-compatible clones.
            let Some(priority) = rule.priority else {
                return reject(
                    "InvalidRequest",
                    p("filter"),
                    format!("Priority must be specified for this version of Cross Region Replication configuration schema (rule `{label}` uses `Filter`; add `priority: N`)"),
                );
            };
            // aws-facts a.4: inferred / low confidence.
            if let Some(first) = priorities.insert(priority, j) {
                let _ = first;
                return reject("InvalidRequest", p("priority"), format!("Found duplicate priority {priority}. (rule `{label}`; give each rule its own priority)"));
            }
            // aws-facts a.4 [A-RULE] [U-DM]
            if has_tag_filter(&rule.filter) && rule.delete_marker_replication == Some(true) {
                return reject(
                    "InvalidRequest",
                    p("delete_marker_replication"),
                    format!("Delete marker replication is not supported if any Tag filter is specified. (rule `{label}`; set `delete_marker_replication: disabled` or filter by prefix)"),
                );
            }
        } else if rule.replica_modifications.is_some() {
            // aws-facts b [U-SYNC]: ReplicaModifications is not allowed in V1 (code inferred).
            return reject(
                "InvalidRequest",
                p("replica_modifications"),
                format!("`ReplicaModifications` needs the V2 schema; rule `{label}` uses the V1 `Prefix` form, use `filter: prefix(...)` instead"),
            );
        }
        // aws-facts a.4 [O-KMSID]
        if rule.sse_kms_encrypted_objects == Some(true) && rule.destination.replica_kms_key.is_none() {
            return reject(
                "InvalidRequest",
                p("sse_kms_encrypted_objects"),
                format!("ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present. (rule `{label}`; add `replica_kms_key: <key in the destination Region>`)"),
            );
        }
        // Destination existence and versioning (aws-facts a.4 [O-DSTEXIST] [O-TFDST]).
        let dest_name = match &rule.destination.bucket {
            BucketRef::Named(n) => Some(n.clone()),
            BucketRef::Arn(arn) => ids::parse_bucket_arn(arn).ok().and_then(|s3| cat.bucket_by_s3_name(&s3).map(str::to_owned)),
        };
        let Some(dest) = dest_name else {
            return reject("InvalidRequest", p("destination.bucket"), format!("Destination bucket must exist. (rule `{label}`)"));
        };
        let source_owner = cat.buckets.get(&config.bucket).map(|b| b.account_id.clone());
        let dest_owner = cat.buckets.get(&dest).map(|b| b.account_id.clone());
        if source_owner == dest_owner && versioning.get(&dest) != Some(&Versioning::Enabled) {
            return reject(
                "InvalidRequest",
                p("destination.bucket"),
                format!("Destination bucket must have versioning enabled. (rule `{label}`, bucket `{dest}`; enable `versioning` on it)"),
            );
        }
        // aws-facts a.4 [A-ERR]: AccessControlTranslation needs Account, which must be the owner.
        let account_id = rule.destination.account.as_ref().map(|a| cat.account_id(a).unwrap_or_else(|| a.clone()));
        if rule.destination.owner_override && account_id.is_none() {
            return reject(
                "InvalidRequest",
                p("destination.owner_override"),
                format!("`AccessControlTranslation` needs the destination `Account` (rule `{label}`; add `account: <destination owner>`)"),
            );
        }
        if let (Some(acct), Some(owner)) = (&account_id, &dest_owner) {
            if acct != owner {
                return reject(
                    "InvalidArgument",
                    p("destination.account"),
                    format!("destination `Account` {acct} is not the owner of `{dest}` ({owner}) (rule `{label}`)"),
                );
            }
        }
        // aws-facts a.4 [A-ERR] [U-RTC]: RTC and Metrics go together, with 15 minutes.
        let rtc = rule.destination.replication_time;
        let metrics = rule.destination.metrics;
        // Metrics alone are allowed (aws-facts e); S3 RTC without Metrics, or with another
        // status, is not.
        if let Some((rtc_on, _)) = rtc {
            match metrics {
                None => {
                    return reject(
                        "InvalidRequest",
                        p("destination.replication_time"),
                        format!("`ReplicationTime` needs `Metrics` with the same status (rule `{label}`; add `metrics: enabled`)"),
                    );
                }
                Some((metrics_on, _)) if metrics_on != rtc_on => {
                    return reject(
                        "InvalidRequest",
                        p("destination.metrics"),
                        format!("`ReplicationTime` and `Metrics` must have the same status (rule `{label}`)"),
                    );
                }
                Some(_) => {}
            }
        }
        if let Some((true, minutes)) = rtc {
            if minutes != 15 {
                return reject(
                    "InvalidArgument",
                    p("destination.replication_time"),
                    format!("`ReplicationTime.Time.Minutes` must be 15, not {minutes} (rule `{label}`)"),
                );
            }
        }
        if let Some((true, threshold)) = metrics {
            match threshold {
                Some(15) => {}
                None if rtc.is_none() => {}
                None => {
                    return reject(
                        "InvalidArgument",
                        p("destination.metrics"),
                        format!("`Metrics` with S3 RTC needs `EventThreshold.Minutes` 15 (rule `{label}`)"),
                    );
                }
                Some(m) => {
                    return reject(
                        "InvalidArgument",
                        p("destination.metrics"),
                        format!("`Metrics.EventThreshold.Minutes` must be 15, not {m} (rule `{label}`)"),
                    );
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// aws-facts b: an empty `Filter` matches all objects; `And` needs every part.
    #[test]
    fn filters_match_as_s3_does() {
        let tags = vec![("team".to_owned(), "a".to_owned())];
        assert!(filter_matches(&FilterSpec::Empty, "x", &[]));
        assert!(filter_matches(&FilterSpec::Prefix("reports/".into()), "reports/q1", &[]));
        assert!(!filter_matches(&FilterSpec::Prefix("reports/".into()), "logs/q1", &[]));
        assert!(filter_matches(&FilterSpec::Tag("team".into(), "a".into()), "x", &tags));
        assert!(!filter_matches(&FilterSpec::Tag("team".into(), "b".into()), "x", &tags));
        let and = FilterSpec::And { prefix: Some("r/".into()), tags: tags.clone() };
        assert!(filter_matches(&and, "r/1", &tags));
        assert!(!filter_matches(&and, "r/1", &[]));
        assert!(!filter_matches(&and, "s/1", &tags));
    }
}
