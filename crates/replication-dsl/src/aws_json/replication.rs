//! `aws s3api get-bucket-replication` output and the `put-bucket-replication
//! --replication-configuration` input, read into the model's rule types with the ARNs the
//! configuration names kept located, so a reference that resolves to nothing points at its value.
//!
//! The schema is aws-facts b [A-PUT] [A-RULE]: `Role` plus `Rules`, each rule's `ID`, `Priority`,
//! `Status`, `Filter` (`Prefix`, `Tag` or `And`) or the deprecated V1 `Prefix`,
//! `DeleteMarkerReplication`, `SourceSelectionCriteria`, `ExistingObjectReplication` and
//! `Destination`. What S3 then accepts or rejects is the model's business
//! (`replication_spec::validate`, aws-facts a.4); this reader only refuses what is not the schema.

use replication_policy::json::Value;
use replication_spec::spec::{BucketRef, DestinationSpec, FilterSpec, KeyRef, RuleSpec};

use super::read::{Cx, Obj};
use super::{CliDocument, JsonProblem, Located, finish, parse, unwrap};

/// A replication configuration as the AWS CLI prints or takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicationConfiguration {
    /// `Role`: the role ARN S3 assumes.
    pub role: Located<String>,
    /// `Rules`, in order.
    pub rules: Vec<ReplicationRule>,
}

/// One rule: the model's [`RuleSpec`] plus where its references were written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicationRule {
    /// Where the rule's object starts.
    pub at: replication_policy::Location,
    /// The rule in the model's terms; `destination.bucket` is [`BucketRef::Arn`] and
    /// `replica_kms_key` is [`KeyRef::Arn`] (as written), resolved by the model by ARN.
    pub spec: RuleSpec,
    /// `Destination.Bucket`, located.
    pub destination_bucket: Located<String>,
    /// `Destination.Account`, located.
    pub destination_account: Option<Located<String>>,
    /// `Destination.EncryptionConfiguration.ReplicaKmsKeyID`, located.
    pub replica_kms_key_id: Option<Located<String>>,
}

/// The most rules a configuration holds (aws-facts b [A-PUT]); more are a model problem, but
/// reading is capped so a hostile file cannot make the reader work without bound.
const MAX_RULES_READ: usize = 10_000;

/// Reads the output of `aws s3api get-bucket-replication` (`{"ReplicationConfiguration":
/// {...}}`) or the JSON given to `put-bucket-replication --replication-configuration`
/// (`{"Role": ..., "Rules": [...]}`).
///
/// ```
/// use replication_dsl::aws_json::read_replication_configuration;
/// let text = r#"{"ReplicationConfiguration": {
///   "Role": "arn:aws:iam::111122223333:role/crr",
///   "Rules": [{"ID": "all", "Priority": 1, "Status": "Enabled", "Filter": {},
///              "DeleteMarkerReplication": {"Status": "Disabled"},
///              "Destination": {"Bucket": "arn:aws:s3:::dr"}}]}}"#;
/// let config = read_replication_configuration(text).unwrap();
/// assert_eq!(config.role.value, "arn:aws:iam::111122223333:role/crr");
/// assert_eq!(config.rules[0].spec.priority, Some(1));
///
/// let err = read_replication_configuration(r#"{"KeyMetadata": {"KeyId": "k"}}"#).unwrap_err();
/// assert!(err[0].message.starts_with("this looks like `aws kms describe-key` output"));
/// ```
pub fn read_replication_configuration(
    text: &str,
) -> Result<ReplicationConfiguration, Vec<JsonProblem>> {
    let root = parse(text)?;
    let mut cx = Cx::new(text);
    let config = unwrap(
        &mut cx,
        &root,
        CliDocument::BucketReplication,
        &["Role", "Rules"],
    )
    .and_then(|(obj, path)| configuration(&mut cx, obj, &path));
    finish(cx, config)
}

fn configuration(
    cx: &mut Cx<'_>,
    obj: Obj<'_, '_>,
    path: &str,
) -> Option<ReplicationConfiguration> {
    let p = |k: &str| super::read::join(path, k);
    cx.known_members(obj, path, &["Role", "Rules"]);
    let role = cx.required(obj, path, "Role").and_then(|v| {
        let s = cx.string(v, &p("Role"))?.to_owned();
        Some(cx.located(v.span.start, s))
    });
    let rules = cx.required(obj, path, "Rules").and_then(|v| {
        let items = cx.array(v, &p("Rules"))?;
        if items.is_empty() {
            cx.error(
                v.span.start,
                format!(
                    "`{}` is empty; a configuration holds 1 to 1,000 rules (aws-facts b)",
                    p("Rules")
                ),
            );
        }
        let rules: Vec<Option<ReplicationRule>> = items
            .iter()
            .take(MAX_RULES_READ)
            .enumerate()
            .map(|(i, item)| rule(cx, item, &format!("{}[{i}]", p("Rules"))))
            .collect();
        rules.into_iter().collect::<Option<Vec<_>>>()
    });
    Some(ReplicationConfiguration {
        role: role?,
        rules: rules?,
    })
}

fn rule(cx: &mut Cx<'_>, value: &Value<'_>, path: &str) -> Option<ReplicationRule> {
    let obj = cx.object(value, path)?;
    let p = |k: &str| format!("{path}.{k}");
    cx.known_members(
        obj,
        path,
        &[
            "ID",
            "Priority",
            "Prefix",
            "Filter",
            "Status",
            "SourceSelectionCriteria",
            "ExistingObjectReplication",
            "Destination",
            "DeleteMarkerReplication",
        ],
    );
    let id = obj
        .get("ID")
        .and_then(|v| cx.string(v, &p("ID")).map(str::to_owned));
    let priority = obj
        .get("Priority")
        .and_then(|v| cx.integer(v, &p("Priority"), 0..=i32::MAX as u32));
    let enabled = cx
        .required(obj, path, "Status")
        .and_then(|v| cx.status(v, &p("Status")));
    let filter = filter_of(cx, obj, path);
    let delete_marker_replication = obj
        .get("DeleteMarkerReplication")
        .and_then(|v| status_member(cx, v, &p("DeleteMarkerReplication")));
    let (sse_kms_encrypted_objects, replica_modifications) =
        match obj.get("SourceSelectionCriteria") {
            Some(v) => source_selection(cx, v, &p("SourceSelectionCriteria")),
            None => (None, None),
        };
    if let Some(v) = obj.get("ExistingObjectReplication")
        && status_member(cx, v, &p("ExistingObjectReplication")) == Some(true)
    {
        cx.error(
            v.span.start,
            format!(
                "`{}` is `Enabled`, which S3 no longer supports (aws-facts b [A-RULE]); remove it, and replicate existing objects with a `batch_replicate` step",
                p("ExistingObjectReplication")
            ),
        );
    }
    let destination = cx
        .required(obj, path, "Destination")
        .and_then(|v| destination(cx, v, &p("Destination")));
    let (destination, destination_bucket, destination_account, replica_kms_key_id) = destination?;
    Some(ReplicationRule {
        at: cx.location(value.span.start),
        spec: RuleSpec {
            id,
            priority,
            enabled: enabled?,
            filter: filter?,
            delete_marker_replication,
            destination,
            sse_kms_encrypted_objects,
            replica_modifications,
        },
        destination_bucket,
        destination_account,
        replica_kms_key_id,
    })
}

/// `{"Status": "Enabled"}` as `Some(true)`.
fn status_member(cx: &mut Cx<'_>, value: &Value<'_>, path: &str) -> Option<bool> {
    let obj = cx.object(value, path)?;
    cx.known_members(obj, path, &["Status"]);
    let v = cx.required(obj, path, "Status")?;
    cx.status(v, &format!("{path}.Status"))
}

/// The rule's `Filter`, or its deprecated V1 `Prefix`; a rule has exactly one of them.
fn filter_of(cx: &mut Cx<'_>, rule: Obj<'_, '_>, path: &str) -> Option<FilterSpec> {
    match (rule.get("Filter"), rule.get("Prefix")) {
        (Some(_), Some(prefix)) => {
            cx.error(
                prefix.span.start,
                format!("`{path}` has both `Filter` and the deprecated V1 `Prefix`; keep `Filter` and move the prefix into `Filter.Prefix`"),
            );
            None
        }
        (None, Some(prefix)) => cx
            .string(prefix, &format!("{path}.Prefix"))
            .map(|s| FilterSpec::V1Prefix(s.to_owned())),
        (Some(f), None) => filter(cx, f, &format!("{path}.Filter")),
        (None, None) => {
            cx.error(
                rule.at,
                format!("`{path}` has neither `Filter` nor the deprecated `Prefix`; add `\"Filter\": {{}}` to match every object"),
            );
            None
        }
    }
}

fn filter(cx: &mut Cx<'_>, value: &Value<'_>, path: &str) -> Option<FilterSpec> {
    let obj = cx.object(value, path)?;
    cx.known_members(obj, path, &["Prefix", "Tag", "And"]);
    let given: Vec<&str> = ["Prefix", "Tag", "And"]
        .into_iter()
        .filter(|k| obj.get(k).is_some())
        .collect();
    if given.len() > 1 {
        cx.error(
            obj.at,
            format!(
                "`{path}` has {}; a filter holds exactly one of `Prefix`, `Tag` or `And` (aws-facts b); combine them under `And`",
                replication_spec::spelling::one_of(given.iter().copied()).replace(" or ", " and ")
            ),
        );
        return None;
    }
    if let Some(v) = obj.get("Prefix") {
        return cx
            .string(v, &format!("{path}.Prefix"))
            .map(|s| FilterSpec::Prefix(s.to_owned()));
    }
    if let Some(v) = obj.get("Tag") {
        return tag(cx, v, &format!("{path}.Tag")).map(|(k, v)| FilterSpec::Tag(k, v));
    }
    let Some(and) = obj.get("And") else {
        return Some(FilterSpec::Empty);
    };
    let p = format!("{path}.And");
    let and = cx.object(and, &p)?;
    cx.known_members(and, &p, &["Prefix", "Tags"]);
    let prefix = and
        .get("Prefix")
        .and_then(|v| cx.string(v, &format!("{p}.Prefix")).map(str::to_owned));
    let tags = match and.get("Tags") {
        Some(v) => {
            let items = cx.array(v, &format!("{p}.Tags"))?;
            items
                .iter()
                .enumerate()
                .map(|(i, t)| tag(cx, t, &format!("{p}.Tags[{i}]")))
                .collect::<Option<Vec<_>>>()?
        }
        None => Vec::new(),
    };
    if prefix.is_none() && tags.is_empty() {
        cx.error(
            and.at,
            format!("`{p}` needs `Prefix` or `Tags`; use `\"Filter\": {{}}` to match every object"),
        );
        return None;
    }
    Some(FilterSpec::And { prefix, tags })
}

fn tag(cx: &mut Cx<'_>, value: &Value<'_>, path: &str) -> Option<(String, String)> {
    let obj = cx.object(value, path)?;
    cx.known_members(obj, path, &["Key", "Value"]);
    let key = cx
        .required(obj, path, "Key")
        .and_then(|v| cx.string(v, &format!("{path}.Key")).map(str::to_owned));
    let val = cx
        .required(obj, path, "Value")
        .and_then(|v| cx.string(v, &format!("{path}.Value")).map(str::to_owned));
    Some((key?, val?))
}

fn source_selection(
    cx: &mut Cx<'_>,
    value: &Value<'_>,
    path: &str,
) -> (Option<bool>, Option<bool>) {
    let Some(obj) = cx.object(value, path) else {
        return (None, None);
    };
    cx.known_members(
        obj,
        path,
        &["SseKmsEncryptedObjects", "ReplicaModifications"],
    );
    let sse_kms = obj
        .get("SseKmsEncryptedObjects")
        .and_then(|v| status_member(cx, v, &format!("{path}.SseKmsEncryptedObjects")));
    let replica_modifications = obj
        .get("ReplicaModifications")
        .and_then(|v| status_member(cx, v, &format!("{path}.ReplicaModifications")));
    (sse_kms, replica_modifications)
}

type DestinationParts = (
    DestinationSpec,
    Located<String>,
    Option<Located<String>>,
    Option<Located<String>>,
);

fn destination(cx: &mut Cx<'_>, value: &Value<'_>, path: &str) -> Option<DestinationParts> {
    let obj = cx.object(value, path)?;
    let p = |k: &str| format!("{path}.{k}");
    cx.known_members(
        obj,
        path,
        &[
            "Bucket",
            "Account",
            "StorageClass",
            "AccessControlTranslation",
            "EncryptionConfiguration",
            "ReplicationTime",
            "Metrics",
        ],
    );
    let bucket = cx.required(obj, path, "Bucket").and_then(|v| {
        let s = cx.string(v, &p("Bucket"))?.to_owned();
        Some(cx.located(v.span.start, s))
    });
    let account = obj.get("Account").and_then(|v| {
        let s = cx.string(v, &p("Account"))?.to_owned();
        Some(cx.located(v.span.start, s))
    });
    let storage_class = obj.get("StorageClass").and_then(|v| {
        cx.one_of(v, &p("StorageClass"), STORAGE_CLASSES)
            .map(str::to_owned)
    });
    let owner_override = match obj.get("AccessControlTranslation") {
        Some(v) => {
            let q = p("AccessControlTranslation");
            let acl = cx.object(v, &q);
            acl.and_then(|acl| {
                cx.known_members(acl, &q, &["Owner"]);
                let owner = cx.required(acl, &q, "Owner")?;
                cx.one_of(owner, &format!("{q}.Owner"), &["Destination"])
            })
            .is_some()
        }
        None => false,
    };
    let replica_kms_key_id = match obj.get("EncryptionConfiguration") {
        Some(v) => {
            let q = p("EncryptionConfiguration");
            cx.object(v, &q).and_then(|enc| {
                cx.known_members(enc, &q, &["ReplicaKmsKeyID"]);
                let id = enc.get("ReplicaKmsKeyID")?;
                let s = cx.string(id, &format!("{q}.ReplicaKmsKeyID"))?.to_owned();
                Some(cx.located(id.span.start, s))
            })
        }
        None => None,
    };
    let replication_time = obj.get("ReplicationTime").and_then(|v| {
        let (status, minutes) = timed(cx, v, &p("ReplicationTime"), "Time")?;
        match minutes {
            Some(m) => Some((status, m)),
            None => {
                cx.error(
                    v.span.start,
                    format!(
                        "`{}` needs `Time.Minutes` (15); add `\"Time\": {{\"Minutes\": 15}}`",
                        p("ReplicationTime")
                    ),
                );
                None
            }
        }
    });
    let metrics = obj
        .get("Metrics")
        .and_then(|v| timed(cx, v, &p("Metrics"), "EventThreshold"));
    let bucket = bucket?;
    Some((
        DestinationSpec {
            bucket: BucketRef::Arn(bucket.value.clone()),
            account: account.as_ref().map(|a| a.value.clone()),
            storage_class,
            owner_override,
            replica_kms_key: replica_kms_key_id
                .as_ref()
                .map(|k| KeyRef::Arn(k.value.clone())),
            replication_time,
            metrics,
        },
        bucket,
        account,
        replica_kms_key_id,
    ))
}

/// `ReplicationTime` (`Status`, `Time.Minutes`) or `Metrics` (`Status`, `EventThreshold.Minutes`).
fn timed(
    cx: &mut Cx<'_>,
    value: &Value<'_>,
    path: &str,
    inner: &str,
) -> Option<(bool, Option<u32>)> {
    let obj = cx.object(value, path)?;
    cx.known_members(obj, path, &["Status", inner]);
    let status = cx
        .required(obj, path, "Status")
        .and_then(|v| cx.status(v, &format!("{path}.Status")));
    let minutes = match obj.get(inner) {
        Some(v) => {
            let q = format!("{path}.{inner}");
            let o = cx.object(v, &q)?;
            cx.known_members(o, &q, &["Minutes"]);
            let m = cx.required(o, &q, "Minutes")?;
            Some(cx.integer(m, &format!("{q}.Minutes"), 0..=i32::MAX as u32)?)
        }
        None => None,
    };
    Some((status?, minutes))
}

/// `Destination.StorageClass` values in the S3 API reference (`StorageClass`).
const STORAGE_CLASSES: &[&str] = &[
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "OUTPOSTS",
    "GLACIER_IR",
    "SNOW",
    "EXPRESS_ONEZONE",
    "FSX_OPENZFS",
    "FSX_ONTAP",
];
