//! `aws kms describe-key` and `aws kms list-aliases` output: what a key is (id, ARN, Region,
//! manager, multi-Region relations, state) and which aliases name it.
//!
//! `KeyMetadata` has many members that grow over time (`CreationDate`, `EncryptionAlgorithms`,
//! ...); only those the simulation uses are read, and other members are not refused.

use replication_policy::json::Value;
use replication_spec::ids;

use super::read::{Cx, Obj};
use super::{CliDocument, JsonProblem, Located, finish, parse, unwrap};

/// `KeyMetadata.KeyManager`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyManager {
    /// `CUSTOMER`: a customer managed key.
    Customer,
    /// `AWS`: an AWS managed key such as `aws/s3`.
    Aws,
}

/// `KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MultiRegionKeyType {
    /// `PRIMARY`.
    Primary,
    /// `REPLICA`.
    Replica,
}

/// A key as `describe-key` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMetadata {
    /// `AWSAccountId`.
    pub account_id: String,
    /// `KeyId`, located.
    pub key_id: Located<String>,
    /// `Arn`, located.
    pub arn: Located<String>,
    /// The Region, from the ARN.
    pub region: String,
    /// `KeyManager`.
    pub key_manager: KeyManager,
    /// `KeyState`, as KMS spells it (aws-facts f [K-STATE]).
    pub key_state: Located<String>,
    /// `PendingDeletionWindowInDays`, for a key pending deletion.
    pub pending_deletion_window_in_days: Option<u32>,
    /// `MultiRegionConfiguration`: the key type and the primary's ARN.
    pub multi_region: Option<(MultiRegionKeyType, Located<String>)>,
    /// `Description`.
    pub description: String,
}

/// One alias of `list-aliases`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    /// `AliasName` (`alias/...`), located.
    pub name: Located<String>,
    /// `TargetKeyId` (absent for AWS managed aliases whose key does not exist yet).
    pub target_key_id: Option<String>,
}

/// Reads `aws kms describe-key` output (`{"KeyMetadata": {...}}`).
///
/// ```
/// use replication_dsl::aws_json::read_describe_key;
/// let key = read_describe_key(r#"{"KeyMetadata": {"AWSAccountId": "111122223333",
///   "KeyId": "mrk-1234abcd12ab34cd56ef1234567890ab",
///   "Arn": "arn:aws:kms:us-west-2:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
///   "KeyState": "Enabled", "KeyManager": "CUSTOMER", "MultiRegion": true,
///   "MultiRegionConfiguration": {"MultiRegionKeyType": "REPLICA",
///     "PrimaryKey": {"Arn": "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab", "Region": "us-east-1"},
///     "ReplicaKeys": []}}}"#).unwrap();
/// assert_eq!(key.region, "us-west-2");
/// assert!(key.multi_region.is_some());
/// ```
pub fn read_describe_key(text: &str) -> Result<KeyMetadata, Vec<JsonProblem>> {
    let root = parse(text)?;
    let mut cx = Cx::new(text);
    let key = unwrap(&mut cx, &root, CliDocument::DescribeKey, &[])
        .and_then(|(obj, _)| metadata(&mut cx, obj));
    finish(cx, key)
}

fn located_string(cx: &mut Cx<'_>, obj: Obj<'_, '_>, key: &str) -> Option<Located<String>> {
    let path = format!("KeyMetadata.{key}");
    let v = cx.required(obj, "KeyMetadata", key)?;
    let s = cx.string(v, &path)?.to_owned();
    Some(cx.located(v.span.start, s))
}

fn metadata(cx: &mut Cx<'_>, obj: Obj<'_, '_>) -> Option<KeyMetadata> {
    let account = located_string(cx, obj, "AWSAccountId");
    let key_id = located_string(cx, obj, "KeyId");
    let arn = located_string(cx, obj, "Arn");
    let key_state = obj.get("KeyState").and_then(|v| {
        let s = cx.one_of(v, "KeyMetadata.KeyState", KEY_STATES)?.to_owned();
        Some(cx.located(v.span.start, s))
    });
    let key_manager = obj.get("KeyManager").and_then(|v| {
        cx.one_of(v, "KeyMetadata.KeyManager", &["CUSTOMER", "AWS"])
            .map(|w| {
                if w == "AWS" {
                    KeyManager::Aws
                } else {
                    KeyManager::Customer
                }
            })
    });
    for (member, expected, why) in [
        (
            "KeySpec",
            "SYMMETRIC_DEFAULT",
            "S3 encrypts only under symmetric encryption keys",
        ),
        (
            "KeyUsage",
            "ENCRYPT_DECRYPT",
            "S3 encrypts only under keys for `ENCRYPT_DECRYPT`",
        ),
    ] {
        if let Some(v) = obj.get(member)
            && let Some(s) = cx.string(v, &format!("KeyMetadata.{member}"))
            && s != expected
        {
            cx.error(
                v.span.start,
                format!("`KeyMetadata.{member}` is `{s}`; {why} (`{expected}`); leave this key out of the import"),
            );
        }
    }
    let pending = obj
        .get("PendingDeletionWindowInDays")
        .and_then(|v| cx.integer(v, "KeyMetadata.PendingDeletionWindowInDays", 7..=30));
    let multi = match obj.get("MultiRegion") {
        Some(v) => cx.boolean(v, "KeyMetadata.MultiRegion")?,
        None => false,
    };
    let multi_region = match (multi, obj.get("MultiRegionConfiguration")) {
        (true, Some(v)) => multi_region(cx, v),
        (true, None) => {
            cx.error(
                obj.at,
                "`KeyMetadata.MultiRegion` is `true` but `MultiRegionConfiguration` is missing; save `aws kms describe-key` output unchanged",
            );
            None
        }
        (false, Some(v)) => {
            cx.error(
                v.span.start,
                "`KeyMetadata.MultiRegionConfiguration` on a key whose `MultiRegion` is not `true`; save `aws kms describe-key` output unchanged",
            );
            None
        }
        (false, None) => None,
    };
    let description = obj
        .get("Description")
        .and_then(|v| cx.string(v, "KeyMetadata.Description").map(str::to_owned))
        .unwrap_or_default();
    let (account, key_id, arn) = (account?, key_id?, arn?);
    let region = match ids::parse_kms_arn(&arn.value) {
        Ok(parsed) => {
            if parsed.account_id != account.value {
                cx.error(
                    arn.at.offset,
                    format!(
                        "`KeyMetadata.Arn` names account `{}` but `AWSAccountId` is `{}`; save `aws kms describe-key` output unchanged",
                        parsed.account_id, account.value
                    ),
                );
            }
            parsed.region
        }
        Err(e) => {
            cx.error(arn.at.offset, format!("`KeyMetadata.Arn`: {e}"));
            return None;
        }
    };
    Some(KeyMetadata {
        account_id: account.value,
        key_id,
        arn,
        region,
        key_manager: key_manager.unwrap_or(KeyManager::Customer),
        key_state: key_state?,
        pending_deletion_window_in_days: pending,
        multi_region,
        description,
    })
}

fn multi_region(
    cx: &mut Cx<'_>,
    value: &Value<'_>,
) -> Option<(MultiRegionKeyType, Located<String>)> {
    let path = "KeyMetadata.MultiRegionConfiguration";
    let obj = cx.object(value, path)?;
    let kind = cx.required(obj, path, "MultiRegionKeyType").and_then(|v| {
        cx.one_of(
            v,
            &format!("{path}.MultiRegionKeyType"),
            &["PRIMARY", "REPLICA"],
        )
        .map(|w| {
            if w == "PRIMARY" {
                MultiRegionKeyType::Primary
            } else {
                MultiRegionKeyType::Replica
            }
        })
    });
    let q = format!("{path}.PrimaryKey");
    let primary = cx.required(obj, path, "PrimaryKey").and_then(|v| {
        let o = cx.object(v, &q)?;
        let arn = cx.required(o, &q, "Arn")?;
        let s = cx.string(arn, &format!("{q}.Arn"))?.to_owned();
        Some(cx.located(arn.span.start, s))
    });
    Some((kind?, primary?))
}

/// `KeyState` values (KMS API reference, `KeyMetadata`; aws-facts f [K-STATE]).
const KEY_STATES: &[&str] = &[
    "Creating",
    "Enabled",
    "Disabled",
    "PendingDeletion",
    "PendingImport",
    "PendingReplicaDeletion",
    "Unavailable",
    "Updating",
];

/// Reads `aws kms list-aliases` output (`{"Aliases": [...]}`).
pub fn read_list_aliases(text: &str) -> Result<Vec<Alias>, Vec<JsonProblem>> {
    let root = parse(text)?;
    let mut cx = Cx::new(text);
    let aliases =
        unwrap(&mut cx, &root, CliDocument::ListAliases, &["Aliases"]).and_then(|(obj, _)| {
            let list = cx.required(obj, "", "Aliases")?;
            let items = cx.array(list, "Aliases")?;
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let path = format!("Aliases[{i}]");
                    let o = cx.object(item, &path)?;
                    let name = cx.required(o, &path, "AliasName")?;
                    let n = cx.string(name, &format!("{path}.AliasName"))?.to_owned();
                    let target = o.get("TargetKeyId").and_then(|t| {
                        cx.string(t, &format!("{path}.TargetKeyId"))
                            .map(str::to_owned)
                    });
                    Some(Alias {
                        name: cx.located(name.span.start, n),
                        target_key_id: target,
                    })
                })
                .collect::<Option<Vec<_>>>()
        });
    finish(cx, aliases)
}
