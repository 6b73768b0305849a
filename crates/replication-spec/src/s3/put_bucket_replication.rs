//! `PutBucketReplication` as S3 validates it: which mistakes are refused at the API (aws-facts
//! a.4), with AWS's error code and message, and how rules match objects (aws-facts b).
//!
//! Everything else, above all KMS keys and permissions, is accepted here and fails per object
//! later: "PutBucketReplication does not validate KMS keys" (aws-facts a.4, [U-KMSREPL]).

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::Catalog;
use crate::ids;
use crate::spec::{
    BucketRef, FilterSpec, Metrics, ReplicationSpec, ReplicationTime, RuleSpec, Status, Versioning,
};

/// An error S3 answers a call with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ApiRejection {
    /// AWS's error code, e.g. `InvalidRequest`.
    pub code: String,
    /// AWS's own message where it is documented or observed (aws-facts a.4), verbatim.
    pub aws_message: Option<String>,
    /// What is wrong, in the scenario's names (lowercase, items in backticks).
    pub detail: String,
    /// How to fix the scenario so AWS accepts the call.
    pub fix: String,
    /// The field path in the step that caused it.
    pub path: String,
}

impl ApiRejection {
    /// The rejection as one line for the report's timeline: `detail ("AWS message")`.
    pub fn message(&self) -> String {
        match &self.aws_message {
            Some(aws) => format!("{}: \"{aws}\"", self.detail),
            None => self.detail.clone(),
        }
    }
}

fn reject(
    code: &str,
    path: String,
    aws_message: Option<&str>,
    detail: String,
    fix: String,
) -> Result<(), ApiRejection> {
    Err(ApiRejection {
        code: code.to_owned(),
        aws_message: aws_message.map(str::to_owned),
        detail,
        fix,
        path,
    })
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
            prefix.as_deref().is_none_or(|p| key.starts_with(p))
                && want.iter().all(|(k, v)| has(k, v))
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
    let src = &config.bucket;
    // aws-facts a.4 [O-TFSRC]
    let src_versioning = versioning.get(src).copied().unwrap_or_default();
    if src_versioning != Versioning::Enabled {
        return reject(
            "InvalidRequest",
            "bucket".into(),
            Some("Versioning must be 'Enabled' on the bucket to apply a replication configuration"),
            format!("source bucket `{src}` has versioning {src_versioning:?}"),
            format!("enable `versioning` on `{src}` before this step"),
        );
    }
    // aws-facts b: 1 to 1,000 rules (error code undocumented: inferred `InvalidRequest`).
    if config.rules.is_empty() || config.rules.len() > 1000 {
        return reject(
            "InvalidRequest",
            "bucket".into(),
            None,
            format!(
                "the replication configuration of `{src}` has {} rules, and S3 takes 1 to 1,000",
                config.rules.len()
            ),
            "give the configuration at least one rule and at most 1,000".into(),
        );
    }
    let schemas: BTreeSet<_> = config
        .rules
        .iter()
        .map(|r| rule_schema(r) == SchemaVersion::V1)
        .collect();
    if schemas.len() > 1 {
        // Inferred: the V1 and V2 schemas are exclusive forms of one document.
        return reject(
            "InvalidRequest",
            "rules[0].filter".into(),
            None,
            "the rules mix the V1 form (`Prefix` under `Rule`) with the V2 form (`Filter`)".into(),
            "use `Filter` in every rule".into(),
        );
    }
    let mut seen = RulesSeen::default();
    for (j, rule) in config.rules.iter().enumerate() {
        let at = RuleAt {
            index: j,
            label: rule.label(j),
        };
        check_rule_schema(rule, &at, &mut seen)?;
        check_destination(config, rule, &at, cat, versioning)?;
        check_monitoring(rule, &at)?;
    }
    Ok(())
}

/// What earlier rules of one configuration used: IDs and priorities are unique.
#[derive(Default)]
struct RulesSeen<'c> {
    priorities: BTreeMap<u32, String>,
    ids: BTreeSet<&'c str>,
}

/// Where a rule sits in its configuration, and how messages name it.
struct RuleAt {
    index: usize,
    label: String,
}

impl RuleAt {
    /// The path of one of the rule's fields (`rules[0].filter`).
    fn path(&self, field: &str) -> String {
        format!("rules[{}].{field}", self.index)
    }
}

/// A rule's ID and schema: `DeleteMarkerReplication` and `Priority` with `Filter` (V2), tag
/// filters without delete markers, no `ReplicaModifications` in V1.
fn check_rule_schema<'c>(
    rule: &'c RuleSpec,
    at: &RuleAt,
    seen: &mut RulesSeen<'c>,
) -> Result<(), ApiRejection> {
    let p = |field: &str| at.path(field);
    let label = &at.label;
    if let Some(id) = &rule.id {
        // aws-facts a.4 [A-ERR]
        if id.len() > 255 || !id.is_ascii() {
            return reject(
                "InvalidArgument",
                p("id"),
                None,
                format!("rule ID `{id}` is not at most 255 ASCII characters"),
                "shorten the ID and use ASCII characters only".into(),
            );
        }
        if !seen.ids.insert(id) {
            // Inferred: IDs identify rules in metrics and events, so S3 keeps them unique.
            return reject(
                "InvalidArgument",
                p("id"),
                None,
                format!("rule ID `{id}` is used by two rules"),
                "give every rule its own ID".into(),
            );
        }
    }
    let v2 = rule_schema(rule) == SchemaVersion::V2;
    if v2 {
        // aws-facts a.4 [A-PUT] [U-CFG] [O-DMR]
        if rule.delete_marker_replication.is_none() {
            return reject(
                "InvalidRequest",
                p("filter"),
                Some(
                    "DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema",
                ),
                format!(
                    "rule `{label}` uses `Filter` (the V2 schema) without `DeleteMarkerReplication`"
                ),
                "add `delete_marker_replication: disabled` (or `enabled`) to the rule".into(),
            );
        }
        // aws-facts a.4: documented requirement; message seen only in S3-compatible clones.
        let Some(priority) = rule.priority else {
            return reject(
                "InvalidRequest",
                p("filter"),
                Some(
                    "Priority must be specified for this version of Cross Region Replication configuration schema",
                ),
                format!("rule `{label}` uses `Filter` (the V2 schema) without `Priority`"),
                "add `priority: N` to the rule".into(),
            );
        };
        // aws-facts a.4: inferred / low confidence.
        if let Some(first) = seen.priorities.insert(priority, label.clone()) {
            return reject(
                "InvalidRequest",
                p("priority"),
                Some(&format!("Found duplicate priority {priority}.")),
                format!("rules `{first}` and `{label}` both have priority {priority}"),
                "give each rule its own priority".into(),
            );
        }
        // aws-facts a.4 [A-RULE] [U-DM]
        if has_tag_filter(&rule.filter) && rule.delete_marker_replication == Some(Status::Enabled) {
            return reject(
                "InvalidRequest",
                p("delete_marker_replication"),
                Some("Delete marker replication is not supported if any Tag filter is specified."),
                format!("rule `{label}` filters on tags and replicates delete markers"),
                "set `delete_marker_replication: disabled`, or filter by prefix only".into(),
            );
        }
    } else if rule.replica_modifications.is_some() {
        // aws-facts b [U-SYNC]: ReplicaModifications is not allowed in V1 (code inferred).
        return reject(
            "InvalidRequest",
            p("replica_modifications"),
            None,
            format!(
                "rule `{label}` uses the V1 `Prefix` form, and `ReplicaModifications` needs the V2 schema"
            ),
            "use `filter: prefix(...)` instead of the V1 prefix".into(),
        );
    }
    Ok(())
}

/// A rule's destination: the `ReplicaKmsKeyID` the SSE-KMS opt-in needs, the bucket exists and
/// is versioned, and the `Account` that `AccessControlTranslation` needs owns it.
fn check_destination(
    config: &ReplicationSpec,
    rule: &RuleSpec,
    at: &RuleAt,
    cat: &Catalog,
    versioning: &BTreeMap<String, Versioning>,
) -> Result<(), ApiRejection> {
    let p = |field: &str| at.path(field);
    let label = &at.label;
    let src = &config.bucket;
    // aws-facts a.4 [O-KMSID]
    if rule.sse_kms_encrypted_objects == Some(Status::Enabled)
        && rule.destination.replica_kms_key.is_none()
    {
        return reject(
            "InvalidRequest",
            p("sse_kms_encrypted_objects"),
            Some("ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present."),
            format!("rule `{label}` opts in to SSE-KMS objects without a `ReplicaKmsKeyID`"),
            "add `replica_kms_key: <key in the destination Region>` to the rule".into(),
        );
    }
    // Destination existence and versioning (aws-facts a.4 [O-DSTEXIST] [O-TFDST]).
    let dest_name = match &rule.destination.bucket {
        BucketRef::Named(n) => Some(n.clone()),
        BucketRef::Arn(arn) => ids::parse_bucket_arn(arn)
            .ok()
            .and_then(|s3| cat.bucket_by_s3_name(&s3).map(str::to_owned)),
    };
    let Some(dest) = dest_name else {
        let arn = match &rule.destination.bucket {
            BucketRef::Named(n) => n.clone(),
            BucketRef::Arn(a) => a.clone(),
        };
        return reject(
            "InvalidRequest",
            p("destination.bucket"),
            Some("Destination bucket must exist."),
            format!("the destination `{arn}` of rule `{label}` is no bucket of the scenario"),
            "define the destination bucket, or name one that exists".into(),
        );
    };
    let source_owner = cat.buckets.get(src).map(|b| b.account_id.clone());
    let dest_owner = cat.buckets.get(&dest).map(|b| b.account_id.clone());
    let dest_versioning = versioning.get(&dest).copied().unwrap_or_default();
    if source_owner == dest_owner && dest_versioning != Versioning::Enabled {
        return reject(
            "InvalidRequest",
            p("destination.bucket"),
            Some("Destination bucket must have versioning enabled."),
            format!(
                "the destination `{dest}` of rule `{label}` has versioning {dest_versioning:?}"
            ),
            format!("enable `versioning` on `{dest}` before this step"),
        );
    }
    // aws-facts a.4 [A-ERR]: AccessControlTranslation needs Account, which must be the owner.
    let account_id = rule
        .destination
        .account
        .as_ref()
        .map(|a| cat.account_id(a).unwrap_or_else(|| a.clone()));
    if rule.destination.owner_override && account_id.is_none() {
        return reject(
            "InvalidRequest",
            p("destination.owner_override"),
            None,
            format!(
                "rule `{label}` has `AccessControlTranslation` without the destination `Account`"
            ),
            "add `account: <destination owner>` to the destination".into(),
        );
    }
    if let (Some(acct), Some(owner)) = (&account_id, &dest_owner)
        && acct != owner
    {
        return reject(
            "InvalidArgument",
            p("destination.account"),
            None,
            format!(
                "the destination `Account` {acct} of rule `{label}` does not own `{dest}` ({owner} does)"
            ),
            format!("set `account` to the owner of `{dest}`"),
        );
    }
    Ok(())
}

/// A rule's S3 RTC and replication metrics: together, with the same status and 15 minutes.
fn check_monitoring(rule: &RuleSpec, at: &RuleAt) -> Result<(), ApiRejection> {
    let p = |field: &str| at.path(field);
    let label = &at.label;
    // aws-facts a.4 [A-ERR] [U-RTC]: RTC and Metrics go together, with 15 minutes.
    let rtc = rule.destination.replication_time;
    let metrics = rule.destination.metrics;
    // Metrics alone are allowed (aws-facts e); S3 RTC without Metrics, or with another
    // status, is not.
    if let Some(rtc) = rtc {
        match metrics {
            None => {
                return reject(
                    "InvalidRequest",
                    p("destination.replication_time"),
                    None,
                    format!("rule `{label}` has `ReplicationTime` without `Metrics`"),
                    "add `metrics` with the same status and a 15-minute threshold".into(),
                );
            }
            Some(metrics) if metrics.status != rtc.status => {
                return reject(
                    "InvalidRequest",
                    p("destination.metrics"),
                    None,
                    format!(
                        "rule `{label}` has `ReplicationTime` and `Metrics` with different statuses"
                    ),
                    "give both the same status".into(),
                );
            }
            Some(_) => {}
        }
    }
    if let Some(ReplicationTime {
        status: Status::Enabled,
        minutes,
    }) = rtc
        && minutes != 15
    {
        return reject(
            "InvalidArgument",
            p("destination.replication_time"),
            None,
            format!("rule `{label}` has `ReplicationTime.Time.Minutes` {minutes}"),
            "set it to 15, the only value S3 takes".into(),
        );
    }
    if let Some(Metrics {
        status: Status::Enabled,
        event_threshold_minutes,
    }) = metrics
    {
        match event_threshold_minutes {
            Some(15) => {}
            None if rtc.is_none() => {}
            None => {
                return reject(
                    "InvalidArgument",
                    p("destination.metrics"),
                    None,
                    format!(
                        "rule `{label}` has S3 RTC and `Metrics` without `EventThreshold.Minutes`"
                    ),
                    "set the metrics threshold to 15 minutes".into(),
                );
            }
            Some(m) => {
                return reject(
                    "InvalidArgument",
                    p("destination.metrics"),
                    None,
                    format!("rule `{label}` has `Metrics.EventThreshold.Minutes` {m}"),
                    "set it to 15, the only value S3 takes".into(),
                );
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
        assert!(filter_matches(
            &FilterSpec::Prefix("reports/".into()),
            "reports/q1",
            &[]
        ));
        assert!(!filter_matches(
            &FilterSpec::Prefix("reports/".into()),
            "logs/q1",
            &[]
        ));
        assert!(filter_matches(
            &FilterSpec::Tag("team".into(), "a".into()),
            "x",
            &tags
        ));
        assert!(!filter_matches(
            &FilterSpec::Tag("team".into(), "b".into()),
            "x",
            &tags
        ));
        let and = FilterSpec::And {
            prefix: Some("r/".into()),
            tags: tags.clone(),
        };
        assert!(filter_matches(&and, "r/1", &tags));
        assert!(!filter_matches(&and, "r/1", &[]));
        assert!(!filter_matches(&and, "s/1", &tags));
    }
}
