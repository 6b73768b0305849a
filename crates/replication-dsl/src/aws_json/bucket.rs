//! A bucket's settings as the AWS CLI prints them: `get-bucket-encryption` (default encryption,
//! Bucket Key, `BlockedEncryptionTypes`), `get-bucket-versioning` and
//! `get-bucket-ownership-controls`; each also in the shape its `put-...` command takes.

use replication_policy::json::Value;
use replication_spec::spec::Versioning;

use super::read::{Cx, Obj};
use super::{CliDocument, JsonProblem, Located, finish, parse, unwrap};

/// `ApplyServerSideEncryptionByDefault.SSEAlgorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SseAlgorithm {
    /// `AES256`: SSE-S3.
    Aes256,
    /// `aws:kms`: SSE-KMS.
    AwsKms,
    /// `aws:kms:dsse`: DSSE-KMS.
    AwsKmsDsse,
}

/// A bucket's default encryption (one `ServerSideEncryptionConfiguration` rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketEncryption {
    /// The default algorithm.
    pub algorithm: SseAlgorithm,
    /// `KMSMasterKeyID` as written: a key id, key ARN, alias name or alias ARN; `None`: the
    /// `aws/s3` key.
    pub kms_master_key_id: Option<Located<String>>,
    /// `BucketKeyEnabled` (absent: `false`).
    pub bucket_key_enabled: bool,
    /// `BlockedEncryptionTypes.EncryptionType`: `Some(true)` when it holds `SSE-C`,
    /// `Some(false)` for `NONE`, `None` when the member is absent.
    pub block_sse_c: Option<bool>,
}

/// `OwnershipControls.Rules[0].ObjectOwnership`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectOwnership {
    /// `BucketOwnerEnforced`: ACLs are disabled; the bucket owner owns every object.
    BucketOwnerEnforced,
    /// `BucketOwnerPreferred`.
    BucketOwnerPreferred,
    /// `ObjectWriter`.
    ObjectWriter,
}

impl ObjectOwnership {
    /// AWS's spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            ObjectOwnership::BucketOwnerEnforced => "BucketOwnerEnforced",
            ObjectOwnership::BucketOwnerPreferred => "BucketOwnerPreferred",
            ObjectOwnership::ObjectWriter => "ObjectWriter",
        }
    }
}

/// Reads `aws s3api get-bucket-encryption` output (`{"ServerSideEncryptionConfiguration":
/// {"Rules": [...]}}`) or the `put-bucket-encryption --server-side-encryption-configuration`
/// input (`{"Rules": [...]}`).
///
/// ```
/// use replication_dsl::aws_json::{SseAlgorithm, read_bucket_encryption};
/// let enc = read_bucket_encryption(r#"{"ServerSideEncryptionConfiguration": {"Rules": [
///   {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
///      "KMSMasterKeyID": "arn:aws:kms:us-east-1:111122223333:alias/prod-data"},
///    "BucketKeyEnabled": true,
///    "BlockedEncryptionTypes": {"EncryptionType": ["SSE-C"]}}]}}"#).unwrap();
/// assert_eq!(enc.algorithm, SseAlgorithm::AwsKms);
/// assert_eq!(enc.block_sse_c, Some(true));
/// ```
pub fn read_bucket_encryption(text: &str) -> Result<BucketEncryption, Vec<JsonProblem>> {
    let root = parse(text)?;
    let mut cx = Cx::new(text);
    let enc = unwrap(&mut cx, &root, CliDocument::BucketEncryption, &["Rules"])
        .and_then(|(obj, path)| encryption(&mut cx, obj, &path));
    finish(cx, enc)
}

fn encryption(cx: &mut Cx<'_>, obj: Obj<'_, '_>, path: &str) -> Option<BucketEncryption> {
    let p = super::read::join(path, "Rules");
    cx.known_members(obj, path, &["Rules"]);
    let rules = cx.required(obj, path, "Rules")?;
    let items = cx.array(rules, &p)?;
    let [rule] = items else {
        cx.error(
            rules.span.start,
            format!(
                "`{p}` holds {} rules; S3's default encryption is one rule; keep one",
                items.len()
            ),
        );
        return None;
    };
    let path = format!("{p}[0]");
    let rule = cx.object(rule, &path)?;
    cx.known_members(
        rule,
        &path,
        &[
            "ApplyServerSideEncryptionByDefault",
            "BucketKeyEnabled",
            "BlockedEncryptionTypes",
        ],
    );
    let q = format!("{path}.ApplyServerSideEncryptionByDefault");
    let default = cx
        .required(rule, &path, "ApplyServerSideEncryptionByDefault")
        .and_then(|v| cx.object(v, &q));
    let (algorithm, kms_master_key_id) = match default {
        Some(d) => {
            cx.known_members(d, &q, &["SSEAlgorithm", "KMSMasterKeyID"]);
            let algorithm = cx.required(d, &q, "SSEAlgorithm").and_then(|v| {
                cx.one_of(
                    v,
                    &format!("{q}.SSEAlgorithm"),
                    &["AES256", "aws:kms", "aws:kms:dsse"],
                )
                .map(|w| match w {
                    "AES256" => SseAlgorithm::Aes256,
                    "aws:kms" => SseAlgorithm::AwsKms,
                    _ => SseAlgorithm::AwsKmsDsse,
                })
            });
            let key = d.get("KMSMasterKeyID").and_then(|v| {
                let s = cx.string(v, &format!("{q}.KMSMasterKeyID"))?.to_owned();
                Some((v.span.start, s))
            });
            if algorithm == Some(SseAlgorithm::Aes256)
                && let Some((at, _)) = &key
            {
                cx.error(
                    *at,
                    format!("`{q}.KMSMasterKeyID` is only for `aws:kms` and `aws:kms:dsse`; remove it or change `SSEAlgorithm`"),
                );
            }
            (algorithm, key.map(|(at, s)| cx.located(at, s)))
        }
        None => (None, None),
    };
    let bucket_key_enabled = match rule.get("BucketKeyEnabled") {
        Some(v) => cx.boolean(v, &format!("{path}.BucketKeyEnabled"))?,
        None => false,
    };
    let block_sse_c = match rule.get("BlockedEncryptionTypes") {
        Some(v) => Some(blocked(cx, v, &format!("{path}.BlockedEncryptionTypes"))?),
        None => None,
    };
    Some(BucketEncryption {
        algorithm: algorithm?,
        kms_master_key_id,
        bucket_key_enabled,
        block_sse_c,
    })
}

/// `BlockedEncryptionTypes.EncryptionType`: `NONE` or `SSE-C` (S3 API reference,
/// `BlockedEncryptionTypes`; aws-facts d.6 [U-SSEC-BLOCK]).
fn blocked(cx: &mut Cx<'_>, value: &Value<'_>, path: &str) -> Option<bool> {
    let obj = cx.object(value, path)?;
    cx.known_members(obj, path, &["EncryptionType"]);
    let q = format!("{path}.EncryptionType");
    let list = cx.required(obj, path, "EncryptionType")?;
    let items = cx.array(list, &q)?;
    let mut sse_c = false;
    for (i, item) in items.iter().enumerate() {
        sse_c |= cx.one_of(item, &format!("{q}[{i}]"), &["NONE", "SSE-C"])? == "SSE-C";
    }
    Some(sse_c)
}

/// Reads `aws s3api get-bucket-versioning` output (`{"Status": "Enabled", "MFADelete":
/// "Disabled"}`), also the `put-bucket-versioning --versioning-configuration` input. A bucket
/// that was never versioned prints nothing: empty text (or `{}`) is [`Versioning::Unversioned`].
///
/// ```
/// use replication_dsl::aws_json::read_bucket_versioning;
/// use replication_spec::spec::Versioning;
/// assert_eq!(read_bucket_versioning(r#"{"Status": "Enabled"}"#).unwrap(), Versioning::Enabled);
/// assert_eq!(read_bucket_versioning("").unwrap(), Versioning::Unversioned);
/// ```
pub fn read_bucket_versioning(text: &str) -> Result<Versioning, Vec<JsonProblem>> {
    if text.trim().is_empty() {
        return Ok(Versioning::Unversioned);
    }
    let root = parse(text)?;
    let mut cx = Cx::new(text);
    let marks = ["Status", "MFADelete"];
    let versioning = match &root.kind {
        replication_policy::json::Kind::Object(m) if m.is_empty() => Some(Versioning::Unversioned),
        _ => unwrap(&mut cx, &root, CliDocument::BucketVersioning, &marks).and_then(|(obj, _)| {
            cx.known_members(obj, "", &marks);
            if let Some(v) = obj.get("MFADelete") {
                // MFA delete changes who may delete versions, not what replicates.
                cx.one_of(v, "MFADelete", &["Enabled", "Disabled"]);
            }
            match obj.get("Status") {
                Some(v) => cx.one_of(v, "Status", &["Enabled", "Suspended"]).map(|w| {
                    if w == "Enabled" {
                        Versioning::Enabled
                    } else {
                        Versioning::Suspended
                    }
                }),
                None => Some(Versioning::Unversioned),
            }
        }),
    };
    finish(cx, versioning)
}

/// Reads `aws s3api get-bucket-ownership-controls` output (`{"OwnershipControls": {"Rules":
/// [{"ObjectOwnership": ...}]}}`), also the `put-bucket-ownership-controls --ownership-controls`
/// input.
pub fn read_bucket_ownership_controls(text: &str) -> Result<ObjectOwnership, Vec<JsonProblem>> {
    let root = parse(text)?;
    let mut cx = Cx::new(text);
    let ownership = unwrap(
        &mut cx,
        &root,
        CliDocument::BucketOwnershipControls,
        &["Rules"],
    )
    .and_then(|(obj, path)| {
        cx.known_members(obj, &path, &["Rules"]);
        let p = super::read::join(&path, "Rules");
        let rules = cx.required(obj, &path, "Rules")?;
        let items = cx.array(rules, &p)?;
        let [rule] = items else {
            cx.error(
                rules.span.start,
                format!(
                    "`{p}` holds {} rules; ownership controls are one rule; keep one",
                    items.len()
                ),
            );
            return None;
        };
        let q = format!("{p}[0]");
        let rule = cx.object(rule, &q)?;
        cx.known_members(rule, &q, &["ObjectOwnership"]);
        let v = cx.required(rule, &q, "ObjectOwnership")?;
        let w = cx.one_of(
            v,
            &format!("{q}.ObjectOwnership"),
            &[
                "BucketOwnerEnforced",
                "BucketOwnerPreferred",
                "ObjectWriter",
            ],
        )?;
        Some(match w {
            "BucketOwnerEnforced" => ObjectOwnership::BucketOwnerEnforced,
            "BucketOwnerPreferred" => ObjectOwnership::BucketOwnerPreferred,
            _ => ObjectOwnership::ObjectWriter,
        })
    });
    finish(cx, ownership)
}
