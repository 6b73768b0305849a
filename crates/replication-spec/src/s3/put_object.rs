//! `PutObject` on the control plane: which encryption an upload gets (its headers, else the
//! bucket's default encryption), which KMS key an SSE-KMS or DSSE-KMS upload uses, and what S3
//! answers when it cannot take the upload: `AccessDenied` for SSE-C into a bucket that blocks it
//! (aws-facts d.6 [U-SSEC-BLOCK]), KMS's own error when the key does not exist, lives in another
//! Region ([U-SSEKMS]: the key must be in the bucket's Region) or is in a state where KMS refuses
//! `GenerateDataKey` ([K-STATE]).
//!
//! S3 relays KMS's exception with a `KMS.` prefix (spelling inferred; aws-facts documents the KMS
//! exceptions only). The code always comes from the typed [`KmsError`].

use super::ApiRejection;
use super::bucket::BucketControl;
use crate::catalog::{BucketInfo, Catalog};
use crate::control::ControlPlane;
use crate::ids;
use crate::kms::KmsError;
use crate::kms::lifecycle::KeyLife;
use crate::spec::{DefaultEncryption, KeyRef, PutObjectSpec, UploadEncryption};

/// Why S3 refuses an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutObjectError {
    /// `AccessDenied`: an SSE-C upload into a bucket whose `BlockedEncryptionTypes` holds SSE-C.
    SseCBlocked,
    /// KMS refuses the upload's key.
    Key(Box<UploadKeyError>),
}

/// KMS's refusal of the key an SSE-KMS or DSSE-KMS upload names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadKeyError {
    /// What KMS answers; S3 relays it as `KMS.<code>`.
    pub kms: KmsError,
    /// Why KMS answers it.
    pub cause: UploadKeyCause,
    /// How diagnostics name the key: ``` `dst_key` ```, ``` `dst_key` (arn) ``` or
    /// ``` `aws/s3` (arn) ```.
    pub label: String,
    /// The bucket's Region.
    pub bucket_region: String,
    /// The step field that names the key (`encryption.key`, or `encryption` for a default).
    pub path: &'static str,
}

/// Why KMS refuses an upload's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadKeyCause {
    /// No key has this ARN.
    NoSuchKey {
        /// The ARN the upload names.
        arn: String,
    },
    /// The key lives in another Region than the bucket ([U-SSEKMS]).
    OtherRegion {
        /// The key's Region.
        key_region: String,
    },
    /// The key's state does not allow `GenerateDataKey` ([K-STATE]), or it was deleted.
    Life(KeyLife),
}

impl UploadKeyError {
    /// The error code S3 answers with, e.g. `KMS.DisabledException`.
    pub fn code(&self) -> String {
        format!("KMS.{}", self.kms.code())
    }
}

impl PutObjectError {
    /// The error code S3 answers with.
    pub fn code(&self) -> String {
        match self {
            PutObjectError::SseCBlocked => "AccessDenied".to_owned(),
            PutObjectError::Key(e) => e.code(),
        }
    }

    /// S3's answer in the scenario's words, with the fix.
    pub fn rejection(&self, p: &PutObjectSpec) -> ApiRejection {
        let (detail, fix, path) = match self {
            PutObjectError::SseCBlocked => (
                format!(
                    "bucket `{}` blocks SSE-C (`BlockedEncryptionTypes`) and the upload of `{}` is SSE-C",
                    p.bucket, p.key
                ),
                format!(
                    "unblock SSE-C on `{}` (`block_sse_c: false`), or upload with SSE-S3 or SSE-KMS",
                    p.bucket
                ),
                "encryption",
            ),
            PutObjectError::Key(e) => (key_detail(e, p), key_fix(e), e.path),
        };
        ApiRejection {
            code: self.code(),
            aws_message: None,
            detail,
            fix,
            path: path.to_owned(),
        }
    }
}

fn key_detail(e: &UploadKeyError, p: &PutObjectSpec) -> String {
    let label = &e.label;
    match &e.cause {
        UploadKeyCause::NoSuchKey { arn } => format!(
            "the upload of `{}` into `{}` names KMS key `{arn}`, which does not exist",
            p.key, p.bucket
        ),
        UploadKeyCause::OtherRegion { key_region } => format!(
            "the upload of `{}` into `{}` ({}) uses key {label} of {key_region}, and an SSE-KMS key must be in the bucket's Region",
            p.key, p.bucket, e.bucket_region
        ),
        UploadKeyCause::Life(life) => format!(
            "the upload of `{}` into `{}` uses key {label}, which is {}",
            p.key,
            p.bucket,
            life.describe()
        ),
    }
}

fn key_fix(e: &UploadKeyError) -> String {
    use crate::kms::KeyState;
    let label = &e.label;
    match &e.cause {
        UploadKeyCause::NoSuchKey { .. } => format!(
            "define the key in {} or name one that exists",
            e.bucket_region
        ),
        UploadKeyCause::OtherRegion { .. } => format!("use a key in {}", e.bucket_region),
        UploadKeyCause::Life(KeyLife::Live(KeyState::Disabled)) => {
            format!("enable key {label} (`EnableKey`) before the upload")
        }
        UploadKeyCause::Life(KeyLife::Live(
            KeyState::PendingDeletion | KeyState::PendingReplicaDeletion,
        )) => format!("cancel the deletion of key {label} and enable it before the upload"),
        UploadKeyCause::Life(KeyLife::Deleted) => {
            "use another key: a deleted key never comes back".to_owned()
        }
        UploadKeyCause::Life(life) => {
            format!("use a key that is Enabled; {label} is {}", life.describe())
        }
    }
}

/// The encryption an upload gets: its own headers, else the bucket's default encryption.
pub fn upload_encryption(
    bucket: &BucketControl,
    requested: Option<&UploadEncryption>,
) -> UploadEncryption {
    if let Some(enc) = requested {
        return enc.clone();
    }
    match &bucket.default_encryption {
        None | Some(DefaultEncryption::SseS3) => UploadEncryption::SseS3,
        Some(DefaultEncryption::SseKms { key }) => UploadEncryption::SseKms {
            key: Some(key.clone()),
            bucket_key: Some(bucket.bucket_key),
        },
        Some(DefaultEncryption::DsseKms { key }) => UploadEncryption::DsseKms {
            key: Some(key.clone()),
        },
    }
}

/// The KMS key an upload uses and the step field that names it: the key in its headers, else
/// the bucket default's key, else `aws/s3`. `None` for SSE-S3 and SSE-C uploads.
pub fn upload_key_ref(
    bucket: &BucketControl,
    requested: Option<&UploadEncryption>,
) -> Option<(KeyRef, &'static str)> {
    let default_key = match &bucket.default_encryption {
        Some(DefaultEncryption::SseKms { key } | DefaultEncryption::DsseKms { key }) => {
            Some(key.clone())
        }
        Some(DefaultEncryption::SseS3) | None => None,
    };
    match requested {
        Some(
            UploadEncryption::SseKms { key: Some(k), .. }
            | UploadEncryption::DsseKms { key: Some(k) },
        ) => Some((k.clone(), "encryption.key")),
        Some(
            UploadEncryption::SseKms { key: None, .. } | UploadEncryption::DsseKms { key: None },
        ) => Some((default_key.unwrap_or(KeyRef::AwsManagedS3), "encryption")),
        None => Some((default_key?, "encryption")),
        Some(UploadEncryption::SseS3 | UploadEncryption::SseC { .. }) => None,
    }
}

/// A key reference resolved from a bucket's point of view.
struct Resolved {
    label: String,
    /// The scenario's name for the key; `None` for the implicit `aws/s3`.
    name: Option<String>,
    /// The key ARN (an alias resolved to its key).
    arn: String,
    region: String,
}

/// What a key reference names, seen from `bucket`: `Ok(None)` when it names a scenario key that
/// did not resolve (its definition has a problem of its own), `Err(arn)` when no key has it.
fn resolve(
    plane: &ControlPlane,
    cat: &Catalog,
    bucket: &BucketInfo,
    key: &KeyRef,
) -> Result<Option<Resolved>, String> {
    let managed = |account_id: &str, region: &str, label: String| Resolved {
        label,
        name: None,
        arn: ids::key_arn(
            region,
            account_id,
            &ids::aws_managed_key_id(account_id, region),
        ),
        region: region.to_owned(),
    };
    let arn = match key {
        KeyRef::AwsManagedS3 => {
            let alias = ids::alias_arn(&bucket.region, &bucket.account_id, "aws/s3");
            let label = format!("`aws/s3` ({alias})");
            return Ok(Some(managed(&bucket.account_id, &bucket.region, label)));
        }
        KeyRef::Named(n) => {
            return Ok(cat.keys.get(n).map(|info| Resolved {
                label: format!("`{n}`"),
                name: Some(n.clone()),
                arn: info.arn.clone(),
                region: info.region.clone(),
            }));
        }
        KeyRef::Arn(arn) => arn,
    };
    let named = cat.keys.iter().find(|(name, info)| {
        info.arn == *arn
            || plane
                .key_aliases(name)
                .iter()
                .any(|a| ids::alias_arn(&info.region, &info.account_id, a) == *arn)
    });
    if let Some((name, info)) = named {
        return Ok(Some(Resolved {
            label: format!("`{name}` ({arn})"),
            name: Some(name.clone()),
            arn: info.arn.clone(),
            region: info.region.clone(),
        }));
    }
    // `aws/s3` exists in every account and Region of the scenario's buckets, as AWS creates it
    // on first use.
    let parsed = ids::parse_kms_arn(arn).map_err(|_| arn.clone())?;
    let is_managed = parsed.resource == "alias/aws/s3"
        || parsed.resource
            == format!(
                "key/{}",
                ids::aws_managed_key_id(&parsed.account_id, &parsed.region)
            );
    let place_exists = cat.accounts.values().any(|a| a.id == parsed.account_id)
        && cat.buckets.values().any(|b| b.region == parsed.region);
    if is_managed && place_exists {
        let label = format!("`aws/s3` ({arn})");
        return Ok(Some(managed(&parsed.account_id, &parsed.region, label)));
    }
    Err(arn.clone())
}

/// `PutObject`'s control-plane checks: the SSE-C block, then the KMS key. Returns the ARN of the
/// key S3 calls `GenerateDataKey` on, `None` for an upload without a KMS key (or whose key names
/// a scenario key that did not resolve, which validation reports on its own).
pub fn check(
    plane: &ControlPlane,
    cat: &Catalog,
    p: &PutObjectSpec,
) -> Result<Option<String>, PutObjectError> {
    let Some(bucket) = plane.bucket(&p.bucket) else {
        return Ok(None);
    };
    if matches!(p.encryption, Some(UploadEncryption::SseC { .. })) && bucket.blocks_sse_c {
        return Err(PutObjectError::SseCBlocked);
    }
    let Some((key, path)) = upload_key_ref(bucket, p.encryption.as_ref()) else {
        return Ok(None);
    };
    let Some(info) = cat.buckets.get(&p.bucket) else {
        return Ok(None);
    };
    let refuse = |kms: KmsError, cause: UploadKeyCause, label: String| {
        Err(PutObjectError::Key(Box::new(UploadKeyError {
            kms,
            cause,
            label,
            bucket_region: info.region.clone(),
            path,
        })))
    };
    let found = match resolve(plane, cat, info, &key) {
        Ok(Some(found)) => found,
        Ok(None) => return Ok(None),
        Err(arn) => {
            let kms = KmsError::NotFound { arn: arn.clone() };
            return refuse(kms, UploadKeyCause::NoSuchKey { arn }, String::new());
        }
    };
    if found.region != info.region {
        let kms = KmsError::NotFound {
            arn: found.arn.clone(),
        };
        let cause = UploadKeyCause::OtherRegion {
            key_region: found.region,
        };
        return refuse(kms, cause, found.label);
    }
    let life = found
        .name
        .as_deref()
        .and_then(|n| plane.keys.life(n))
        .unwrap_or(KeyLife::Live(crate::kms::KeyState::Enabled));
    match life.check_usable(&found.arn) {
        Ok(()) => Ok(Some(found.arn)),
        Err(kms) => refuse(kms, UploadKeyCause::Life(life), found.label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kms::KeyState;
    use crate::kms::lifecycle::KeyOp;
    use crate::rules::RuleSet;
    use crate::spec::{
        AccountSpec, Body, BucketSpec, InitialKeyState, KeyKind, KeySpec, RuleSetName,
        ScenarioSpec, Versioning,
    };

    fn key(name: &str, region: &str) -> KeySpec {
        KeySpec {
            name: name.into(),
            kind: KeyKind::SingleRegion {
                account: "prod".into(),
                region: region.into(),
            },
            key_id: None,
            policy: None,
            grants: Vec::new(),
            aliases: vec![format!("{name}-alias")],
            initial_state: InitialKeyState::Enabled,
        }
    }

    /// Bucket `source` in us-east-1 with SSE-KMS under `src_key` by default; `eu_key` lives in
    /// eu-west-1.
    fn scenario() -> ScenarioSpec {
        ScenarioSpec {
            name: "upload".into(),
            rule_set: RuleSetName::Aws2026,
            accounts: vec![AccountSpec {
                name: "prod".into(),
                id: "111122223333".into(),
                org_id: None,
            }],
            keys: vec![key("src_key", "us-east-1"), key("eu_key", "eu-west-1")],
            buckets: vec![BucketSpec {
                name: "source".into(),
                s3_name: None,
                account: "prod".into(),
                region: "us-east-1".into(),
                versioning: Versioning::Enabled,
                default_encryption: Some(DefaultEncryption::SseKms {
                    key: KeyRef::Named("src_key".into()),
                }),
                bucket_key: true,
                policy: None,
                block_sse_c: None,
                object_lock: false,
                requester_pays: false,
            }],
            ..ScenarioSpec::default()
        }
    }

    fn put(encryption: Option<UploadEncryption>) -> PutObjectSpec {
        PutObjectSpec {
            bucket: "source".into(),
            key: "a.txt".into(),
            body: Body::Size(1),
            encryption,
            tags: Vec::new(),
            storage_class: None,
            owner: None,
        }
    }

    fn sse_kms(key: KeyRef) -> Option<UploadEncryption> {
        Some(UploadEncryption::SseKms {
            key: Some(key),
            bucket_key: None,
        })
    }

    struct Fixture {
        cat: Catalog,
        plane: ControlPlane,
    }

    fn fixture() -> Fixture {
        let spec = scenario();
        let cat = Catalog::build(&spec);
        let plane = ControlPlane::new(&spec, &RuleSet::of(spec.rule_set));
        Fixture { cat, plane }
    }

    impl Fixture {
        fn check(
            &self,
            encryption: Option<UploadEncryption>,
        ) -> Result<Option<String>, PutObjectError> {
            check(&self.plane, &self.cat, &put(encryption))
        }

        fn arn(&self, name: &str) -> String {
            self.cat.keys[name].arn.clone()
        }

        fn key_error(&self, encryption: Option<UploadEncryption>) -> UploadKeyError {
            match self.check(encryption) {
                Err(PutObjectError::Key(e)) => *e,
                other => panic!("expected a KMS refusal, got {other:?}"),
            }
        }
    }

    /// aws-facts d.1 [U-SSEKMS]: without headers the bucket's default applies, with its Bucket
    /// Key; a key in the request wins over the default; SSE-KMS without a key uses the default
    /// key, and `aws/s3` only when the bucket has none.
    #[test]
    fn default_encryption_and_the_key_an_upload_uses() {
        let f = fixture();
        let bucket = f.plane.bucket("source").expect("defined");
        assert_eq!(
            upload_encryption(bucket, None),
            UploadEncryption::SseKms {
                key: Some(KeyRef::Named("src_key".into())),
                bucket_key: Some(true),
            }
        );
        assert_eq!(
            upload_key_ref(bucket, None),
            Some((KeyRef::Named("src_key".into()), "encryption"))
        );
        let named = sse_kms(KeyRef::Named("eu_key".into()));
        assert_eq!(
            upload_key_ref(bucket, named.as_ref()),
            Some((KeyRef::Named("eu_key".into()), "encryption.key"))
        );
        let keyless = Some(UploadEncryption::DsseKms { key: None });
        assert_eq!(
            upload_key_ref(bucket, keyless.as_ref()),
            Some((KeyRef::Named("src_key".into()), "encryption"))
        );
        assert_eq!(upload_key_ref(bucket, Some(&UploadEncryption::SseS3)), None);
        assert_eq!(f.check(None), Ok(Some(f.arn("src_key"))));
    }

    /// A key named by its alias ARN resolves to the key; `aws/s3` to the AWS managed key of the
    /// bucket's account and Region.
    #[test]
    fn aliases_and_aws_managed_key_resolve() {
        let f = fixture();
        let alias = ids::alias_arn("us-east-1", "111122223333", "src_key-alias");
        assert_eq!(
            f.check(sse_kms(KeyRef::Arn(alias))),
            Ok(Some(f.arn("src_key")))
        );
        let managed = ids::key_arn(
            "us-east-1",
            "111122223333",
            &ids::aws_managed_key_id("111122223333", "us-east-1"),
        );
        assert_eq!(f.check(sse_kms(KeyRef::AwsManagedS3)), Ok(Some(managed)));
    }

    /// [U-SSEKMS]: the key must be in the bucket's Region; KMS answers NotFoundException.
    #[test]
    fn key_in_another_region_is_not_found() {
        let f = fixture();
        let e = f.key_error(sse_kms(KeyRef::Named("eu_key".into())));
        assert_eq!(
            e.kms,
            KmsError::NotFound {
                arn: f.arn("eu_key")
            }
        );
        assert_eq!(
            e.cause,
            UploadKeyCause::OtherRegion {
                key_region: "eu-west-1".into()
            }
        );
        assert_eq!(e.code(), "KMS.NotFoundException");
        let missing = "arn:aws:kms:us-east-1:111122223333:key/nope".to_owned();
        let e = f.key_error(sse_kms(KeyRef::Arn(missing.clone())));
        assert_eq!(e.cause, UploadKeyCause::NoSuchKey { arn: missing });
    }

    /// [K-STATE]: the upload follows the key's life as the lifecycle left it.
    #[test]
    fn key_states_refuse_uploads_with_kms_errors() {
        let mut f = fixture();
        let arn = f.arn("src_key");
        f.plane
            .keys
            .apply("src_key", KeyOp::DisableKey)
            .expect("an enabled key can be disabled");
        let e = f.key_error(None);
        assert_eq!(e.kms, KmsError::Disabled { arn: arn.clone() });
        assert_eq!(
            e.cause,
            UploadKeyCause::Life(KeyLife::Live(KeyState::Disabled))
        );
        assert_eq!(e.code(), "KMS.DisabledException");
        assert_eq!(e.path, "encryption");
        f.plane
            .keys
            .apply("src_key", KeyOp::ScheduleKeyDeletion { pending_days: 7 })
            .expect("a disabled key can be scheduled for deletion");
        assert_eq!(f.key_error(None).code(), "KMS.KMSInvalidStateException");
        f.plane
            .keys
            .apply("src_key", KeyOp::DeleteKeyMaterial)
            .expect("the waiting period ends");
        let e = f.key_error(None);
        assert_eq!(e.kms, KmsError::NotFound { arn });
        assert_eq!(e.cause, UploadKeyCause::Life(KeyLife::Deleted));
        let rejection = PutObjectError::Key(Box::new(e)).rejection(&put(None));
        assert_eq!(
            rejection.fix,
            "use another key: a deleted key never comes back"
        );
    }

    /// aws-facts d.6 [U-SSEC-BLOCK]: an SSE-C upload into a bucket that blocks SSE-C is
    /// AccessDenied, whatever its key.
    #[test]
    fn sse_c_into_a_blocking_bucket_is_access_denied() {
        let mut f = fixture();
        let sse_c = Some(UploadEncryption::SseC {
            customer_key: "ck".into(),
        });
        assert_eq!(f.check(sse_c.clone()), Err(PutObjectError::SseCBlocked));
        assert_eq!(PutObjectError::SseCBlocked.code(), "AccessDenied");
        f.plane
            .buckets
            .get_mut("source")
            .expect("defined")
            .put_blocked_encryption_types(false);
        assert_eq!(f.check(sse_c), Ok(None));
    }
}
