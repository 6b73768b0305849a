//! Identifiers and ARNs as AWS spells them, and the checks on their shape.
//!
//! Key ids are derived deterministically from the scenario's names (a stable 128-bit hash printed
//! as a UUID, or `mrk-` plus 32 hex digits for multi-Region keys), so the same scenario always
//! shows the same ARNs. Real KMS key ids are random; nothing in a report depends on that.

/// The partition every scenario lives in.
pub const PARTITION: &str = "aws";

/// Checks an account id: exactly twelve ASCII digits.
pub fn check_account_id(id: &str) -> Result<(), String> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!(
            "account id `{id}` must be exactly 12 digits, like `111122223333`"
        ))
    }
}

/// Checks a Region name's shape, e.g. `us-east-1`, `eu-west-3`, `ap-southeast-2`, `us-gov-west-1`.
///
/// The shape, not a list: new Regions keep appearing, and a scenario may name one this code has
/// never heard of.
pub fn check_region(region: &str) -> Result<(), String> {
    let parts: Vec<&str> = region.split('-').collect();
    let ok = match parts.as_slice() {
        [area, direction, number] => {
            is_area(area) && is_direction(direction) && is_region_number(number)
        }
        [area, "gov" | "iso" | "isob", direction, number] => {
            is_area(area) && is_direction(direction) && is_region_number(number)
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{region}` is not a Region name; write it like `us-east-1` or `eu-west-2`"
        ))
    }
}

fn is_area(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_lowercase())
}

fn is_direction(s: &str) -> bool {
    matches!(
        s,
        "east"
            | "west"
            | "north"
            | "south"
            | "central"
            | "northeast"
            | "northwest"
            | "southeast"
            | "southwest"
    )
}

fn is_region_number(s: &str) -> bool {
    !s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()) && s != "0"
}

/// S3's naming rule for general purpose buckets, as messages state it.
pub const BUCKET_NAME_RULE: &str = "a bucket name has 3 to 63 lowercase letters, digits, `.` or `-`, begins and ends with a letter or digit, has no `..`, is not an IP address, does not start with `xn--`, `sthree-` or `amzn-s3-demo-` and does not end with `-s3alias`, `--ol-s3`, `.mrap`, `--x-s3` or `--table-s3`";

/// Checks a bucket name against S3's general purpose bucket naming rules (S3 User Guide,
/// "General purpose bucket naming rules"; the reserved prefixes and suffixes belong to access
/// point aliases, Multi-Region Access Points, directory and table buckets).
pub fn check_bucket_name(name: &str) -> Result<(), String> {
    let is_alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let reason = if !(3..=63).contains(&name.len()) {
        Some(format!("it has {} characters", name.chars().count()))
    } else if let Some(c) = name
        .chars()
        .find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'))
    {
        Some(format!("it contains `{c}`"))
    } else if !name.bytes().next().is_some_and(is_alnum)
        || !name.bytes().last().is_some_and(is_alnum)
    {
        Some("it does not begin and end with a letter or digit".to_owned())
    } else if name.contains("..") {
        Some("it contains `..`".to_owned())
    } else if is_ipv4_like(name) {
        Some("it is formatted as an IP address".to_owned())
    } else if let Some(p) = ["xn--", "sthree-", "amzn-s3-demo-"]
        .into_iter()
        .find(|p| name.starts_with(p))
    {
        Some(format!("the prefix `{p}` is reserved"))
    } else {
        ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]
            .into_iter()
            .find(|sfx| name.ends_with(sfx))
            .map(|sfx| format!("the suffix `{sfx}` is reserved"))
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(format!(
            "bucket name `{name}` is not valid: {reason}; {BUCKET_NAME_RULE}"
        )),
    }
}

/// `192.168.5.4`: four dot-separated groups of one to three digits.
fn is_ipv4_like(name: &str) -> bool {
    let groups: Vec<&str> = name.split('.').collect();
    groups.len() == 4
        && groups
            .iter()
            .all(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks an IAM role name: 1 to 64 characters of letters, digits and `_+=,.@-` (IAM
/// `CreateRole`, `RoleName`).
pub fn check_role_name(name: &str) -> Result<(), String> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "role name `{name}` is not valid: an IAM role name has 1 to 64 letters, digits or `_+=,.@-`, like `s3-crr-prod-data`"
        ))
    }
}

/// Checks an IAM path: `/`, or up to 512 characters that begin and end with `/`, printable ASCII
/// from `!` to DEL in between (IAM `CreateRole`, `Path`).
pub fn check_role_path(path: &str) -> Result<(), String> {
    let ok = path.len() <= 512
        && path.starts_with('/')
        && path.ends_with('/')
        && path.bytes().all(|b| (0x21..=0x7f).contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "role path `{path}` is not valid: an IAM path is `/`, or begins and ends with `/` and has up to 512 printable ASCII characters without spaces, like `/service-role/`"
        ))
    }
}

/// Checks a KMS key id as the user gives it: a UUID for a single-Region key, `mrk-` and 32 hex
/// digits for a multi-Region key (aws-facts g [K-MRK]). Lowercase, as KMS prints them, so ARNs
/// in policies compare equal.
pub fn check_key_id(id: &str, multi_region: bool) -> Result<(), String> {
    let hex = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    let is_uuid = {
        let groups: Vec<&str> = id.split('-').collect();
        groups.len() == 5
            && groups
                .iter()
                .zip([8, 4, 4, 4, 12])
                .all(|(g, n)| g.len() == n && hex(g))
    };
    let is_mrk = id
        .strip_prefix("mrk-")
        .is_some_and(|rest| rest.len() == 32 && hex(rest));
    match (multi_region, is_uuid, is_mrk) {
        (false, true, _) | (true, _, true) => Ok(()),
        (false, _, true) => Err(format!(
            "key id `{id}` is a multi-Region key id, but this key is single-Region; define it with `kms_mrk(...)` or give a UUID like `1234abcd-12ab-34cd-56ef-1234567890ab`"
        )),
        (true, true, _) => Err(format!(
            "key id `{id}` is a single-Region key id, but this key is multi-Region; multi-Region key ids are `mrk-` and 32 hex digits, like `mrk-1234abcd12ab34cd56ef1234567890ab`"
        )),
        (false, ..) => Err(format!(
            "key id `{id}` is not valid: a KMS key id is a UUID in lowercase hex, like `1234abcd-12ab-34cd-56ef-1234567890ab`"
        )),
        (true, ..) => Err(format!(
            "key id `{id}` is not valid: a multi-Region key id is `mrk-` and 32 lowercase hex digits, like `mrk-1234abcd12ab34cd56ef1234567890ab`"
        )),
    }
}

/// An alias name without its `alias/` prefix (aliases may be written either way).
pub fn alias_name(alias: &str) -> &str {
    alias.strip_prefix("alias/").unwrap_or(alias)
}

/// Checks a customer managed key's alias: `alias/` and 1 to 250 letters, digits, `/`, `_` or `-`
/// (256 characters in all), not under the reserved `alias/aws/` (KMS `CreateAlias`).
pub fn check_alias(alias: &str) -> Result<(), String> {
    let name = alias_name(alias);
    let ok = (1..=250).contains(&name.len())
        && !name.starts_with("aws/")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "alias `{alias}` is not valid: an alias is `alias/` and 1 to 250 letters, digits, `/`, `_` or `-`, like `alias/prod-data`, and `alias/aws/` is reserved for AWS managed keys"
        ))
    }
}

/// `arn:aws:s3:::<bucket>`.
pub fn bucket_arn(bucket: &str) -> String {
    format!("arn:{PARTITION}:s3:::{bucket}")
}

/// `arn:aws:s3:::<bucket>/<key>`.
pub fn object_arn(bucket: &str, key: &str) -> String {
    let mut arn = String::new();
    write_object_arn(&mut arn, bucket, key);
    arn
}

/// Writes [`object_arn`] into `out`, replacing what it held and reusing its allocation (the
/// replication engine writes two per object).
pub fn write_object_arn<'a>(out: &'a mut String, bucket: &str, key: &str) -> &'a str {
    const PREFIX: [&str; 3] = ["arn:", PARTITION, ":s3:::"];
    out.clear();
    out.reserve(PREFIX.iter().map(|p| p.len()).sum::<usize>() + bucket.len() + 1 + key.len());
    PREFIX.iter().for_each(|p| out.push_str(p));
    out.push_str(bucket);
    out.push('/');
    out.push_str(key);
    out
}

/// `arn:aws:iam::<account>:role<path><name>`, e.g. `...:role/service-role/s3-crr` for path
/// `/service-role/`.
pub fn role_arn(account_id: &str, path: &str, role: &str) -> String {
    format!("arn:{PARTITION}:iam::{account_id}:role{path}{role}")
}

/// The session ARN S3 acts as after assuming a replication role.
pub fn assumed_role_arn(account_id: &str, role: &str) -> String {
    format!("arn:{PARTITION}:sts::{account_id}:assumed-role/{role}/s3-replication")
}

/// `arn:aws:iam::<account>:root`.
pub fn account_root_arn(account_id: &str) -> String {
    format!("arn:{PARTITION}:iam::{account_id}:root")
}

/// `arn:aws:kms:<region>:<account>:key/<key id>`.
pub fn key_arn(region: &str, account_id: &str, key_id: &str) -> String {
    format!("arn:{PARTITION}:kms:{region}:{account_id}:key/{key_id}")
}

/// `arn:aws:kms:<region>:<account>:alias/<name>`.
pub fn alias_arn(region: &str, account_id: &str, alias: &str) -> String {
    let alias = alias_name(alias);
    format!("arn:{PARTITION}:kms:{region}:{account_id}:alias/{alias}")
}

/// The key id of a single-Region key: a stable UUID-shaped id derived from where it lives.
pub fn single_region_key_id(account_id: &str, region: &str, name: &str) -> String {
    let h = stable_hash128(&["key", account_id, region, name]);
    uuid_from(h)
}

/// The key id shared by every key of a multi-Region set: `mrk-` and 32 hex digits.
pub fn multi_region_key_id(account_id: &str, primary_name: &str) -> String {
    let h = stable_hash128(&["mrk", account_id, primary_name]);
    format!("mrk-{h:032x}")
}

/// The key id of the AWS managed key `aws/s3` in an account and Region.
pub fn aws_managed_key_id(account_id: &str, region: &str) -> String {
    let h = stable_hash128(&["aws/s3", account_id, region]);
    uuid_from(h)
}

fn uuid_from(h: u128) -> String {
    let hex = format!("{h:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// FNV-1a over the parts with separators, widened to 128 bits by two seeds. Stable across
/// platforms and Rust versions (unlike `DefaultHasher`), which keeps reports byte-identical.
fn stable_hash128(parts: &[&str]) -> u128 {
    fn fnv(seed: u64, parts: &[&str]) -> u64 {
        let mut h = 0xcbf2_9ce4_8422_2325_u64 ^ seed;
        for part in parts {
            for b in part.bytes().chain(std::iter::once(0xff)) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        h
    }
    (u128::from(fnv(0x5151, parts)) << 64) | u128::from(fnv(0xa3a3, parts))
}

/// The parts of a KMS key or alias ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsArn {
    /// The Region field.
    pub region: String,
    /// The account field.
    pub account_id: String,
    /// `key/<id>` or `alias/<name>`, as written.
    pub resource: String,
}

/// Parses `arn:aws:kms:<region>:<account>:key/<id>` or `...:alias/<name>`.
pub fn parse_kms_arn(arn: &str) -> Result<KmsArn, String> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let bad = || {
        format!(
            "`{arn}` is not a KMS key ARN; write it like `arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`"
        )
    };
    let [prefix, partition, service, region, account, resource] = parts.as_slice() else {
        return Err(bad());
    };
    if *prefix != "arn" || partition.is_empty() || *service != "kms" {
        return Err(bad());
    }
    check_region(region).map_err(|e| format!("in `{arn}`: {e}"))?;
    check_account_id(account).map_err(|e| format!("in `{arn}`: {e}"))?;
    let ok_resource = resource
        .strip_prefix("key/")
        .or_else(|| resource.strip_prefix("alias/"))
        .is_some_and(|rest| !rest.is_empty());
    if !ok_resource {
        return Err(bad());
    }
    Ok(KmsArn {
        region: (*region).to_owned(),
        account_id: (*account).to_owned(),
        resource: (*resource).to_owned(),
    })
}

/// Parses `arn:aws:s3:::<bucket>` and returns the bucket name.
pub fn parse_bucket_arn(arn: &str) -> Result<String, String> {
    let Some(bucket) = arn.strip_prefix("arn:aws:s3:::") else {
        return Err(format!(
            "`{arn}` is not a bucket ARN; write it like `arn:aws:s3:::my-bucket`"
        ));
    };
    if bucket.contains('/') {
        return Err(format!(
            "`{arn}` names objects, not a bucket; drop the `/` and what follows"
        ));
    }
    check_bucket_name(bucket).map(|()| bucket.to_owned())
}

/// Parses `arn:aws:iam::<account>:role/<name>` and returns (account id, role name).
pub fn parse_role_arn(arn: &str) -> Result<(String, String), String> {
    let bad = || {
        format!(
            "`{arn}` is not an IAM role ARN; write it like `arn:aws:iam::111122223333:role/replication`"
        )
    };
    let rest = arn.strip_prefix("arn:aws:iam::").ok_or_else(bad)?;
    let (account, role) = rest.split_once(":role/").ok_or_else(bad)?;
    check_account_id(account).map_err(|e| format!("in `{arn}`: {e}"))?;
    let name = role.rsplit('/').next().unwrap_or_default();
    if name.is_empty() {
        return Err(bad());
    }
    Ok((account.to_owned(), name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_arns_join_bucket_and_key_exactly() {
        assert_eq!(object_arn("src", "a/b.txt"), "arn:aws:s3:::src/a/b.txt");
        assert_eq!(object_arn("src", ""), "arn:aws:s3:::src/");
        let arn = object_arn("bucket-1", "photos/2026/ü.jpg");
        assert_eq!(
            arn,
            format!("arn:{PARTITION}:s3:::bucket-1/photos/2026/ü.jpg")
        );
    }

    #[test]
    fn account_ids_are_twelve_digits() {
        assert!(check_account_id("111122223333").is_ok());
        assert!(check_account_id("11112222333").is_err());
        assert!(check_account_id("11112222333a").is_err());
    }

    #[test]
    fn region_shapes() {
        for ok in [
            "us-east-1",
            "eu-west-3",
            "ap-southeast-2",
            "us-gov-west-1",
            "eu-central-2",
        ] {
            assert!(check_region(ok).is_ok(), "{ok}");
        }
        for bad in [
            "us-east",
            "useast-1",
            "US-east-1",
            "us-east-0",
            "mars-north-1",
            "eu-up-1",
        ] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }

    /// aws-facts g: related multi-Region keys share the key id; the ARN differs only by Region.
    #[test]
    fn mrk_ids_are_shared_and_arns_differ_by_region() {
        let id = multi_region_key_id("111122223333", "orders");
        assert!(id.starts_with("mrk-") && id.len() == 36);
        let a = key_arn("us-east-1", "111122223333", &id);
        let b = key_arn("eu-west-1", "111122223333", &id);
        assert_ne!(a, b);
        assert_eq!(a.replace("us-east-1", "eu-west-1"), b);
    }

    #[test]
    fn key_ids_are_stable_and_distinct() {
        let a = single_region_key_id("111122223333", "us-east-1", "a");
        assert_eq!(a, single_region_key_id("111122223333", "us-east-1", "a"));
        assert_ne!(a, single_region_key_id("111122223333", "us-east-1", "b"));
        assert_eq!(a.len(), 36);
    }

    #[test]
    fn arns_parse() {
        let k = parse_kms_arn("arn:aws:kms:eu-west-1:111122223333:key/abc").unwrap();
        assert_eq!(k.region, "eu-west-1");
        assert!(parse_kms_arn("arn:aws:kms:eu-west-1:1111:key/abc").is_err());
        assert!(parse_kms_arn("arn:aws:s3:::bucket").is_err());
        assert_eq!(
            parse_bucket_arn("arn:aws:s3:::dst-bucket").unwrap(),
            "dst-bucket"
        );
        assert!(parse_bucket_arn("arn:aws:s3:::dst/x").is_err());
        assert_eq!(
            parse_role_arn("arn:aws:iam::111122223333:role/path/repl").unwrap(),
            ("111122223333".to_owned(), "repl".to_owned())
        );
    }

    #[test]
    fn bucket_names() {
        for ok in [
            "source",
            "acme.prod-data",
            "a1b",
            "192.168.5.4x",
            "my-s3alias-bucket",
        ] {
            assert!(check_bucket_name(ok).is_ok(), "{ok}");
        }
        for (bad, reason) in [
            ("My_Bucket", "contains `M`"),
            ("ab", "has 2 characters"),
            ("-ab", "begin and end"),
            ("a..b", "`..`"),
            ("192.168.5.4", "IP address"),
            ("xn--abc", "`xn--`"),
            ("sthree-data", "`sthree-`"),
            ("amzn-s3-demo-bucket", "`amzn-s3-demo-`"),
            ("data-s3alias", "`-s3alias`"),
            ("data--ol-s3", "`--ol-s3`"),
            ("data.mrap", "`.mrap`"),
            ("data--x-s3", "`--x-s3`"),
        ] {
            let err = check_bucket_name(bad).unwrap_err();
            assert!(err.contains(reason), "{bad}: {err}");
            assert!(err.ends_with(BUCKET_NAME_RULE), "{err}");
        }
    }

    #[test]
    fn role_names_and_paths() {
        assert!(check_role_name("s3-crr-prod-data").is_ok());
        assert!(check_role_name("a_b+c=d,e.f@g-h").is_ok());
        assert!(check_role_name(&"r".repeat(64)).is_ok());
        assert!(check_role_name(&"r".repeat(65)).is_err());
        assert!(check_role_name("").is_err());
        assert!(check_role_name("a/b").is_err());
        for ok in ["/", "/service-role/", "/a/b/"] {
            assert!(check_role_path(ok).is_ok(), "{ok}");
        }
        for bad in ["", "service-role/", "/service-role", "/a b/"] {
            assert!(check_role_path(bad).is_err(), "{bad}");
        }
        assert!(check_role_path(&format!("/{}/", "p".repeat(510))).is_ok());
        assert!(check_role_path(&format!("/{}/", "p".repeat(511))).is_err());
        assert_eq!(
            role_arn("111122223333", "/service-role/", "s3-crr"),
            "arn:aws:iam::111122223333:role/service-role/s3-crr"
        );
        assert_eq!(
            parse_role_arn(&role_arn("111122223333", "/service-role/", "s3-crr")).unwrap(),
            ("111122223333".to_owned(), "s3-crr".to_owned())
        );
    }

    #[test]
    fn key_ids_by_kind() {
        let uuid = "1234abcd-12ab-34cd-56ef-1234567890ab";
        let mrk = "mrk-1234abcd12ab34cd56ef1234567890ab";
        assert!(check_key_id(uuid, false).is_ok());
        assert!(check_key_id(mrk, true).is_ok());
        assert!(check_key_id(mrk, false).unwrap_err().contains("kms_mrk"));
        assert!(check_key_id(uuid, true).unwrap_err().contains("`mrk-`"));
        assert!(check_key_id("1234ABCD-12ab-34cd-56ef-1234567890ab", false).is_err());
        assert!(check_key_id("mrk-1234", true).is_err());
        // Derived ids pass the same check.
        assert!(
            check_key_id(
                &single_region_key_id("111122223333", "us-east-1", "k"),
                false
            )
            .is_ok()
        );
        assert!(check_key_id(&multi_region_key_id("111122223333", "k"), true).is_ok());
    }

    #[test]
    fn aliases_with_or_without_prefix() {
        assert!(check_alias("alias/prod-data").is_ok());
        assert!(check_alias("prod-data").is_ok());
        assert!(
            check_alias("alias/aws/s3")
                .unwrap_err()
                .contains("reserved")
        );
        assert!(check_alias("alias/").is_err());
        assert!(check_alias("alias/a.b").is_err());
        assert!(check_alias(&format!("alias/{}", "a".repeat(250))).is_ok());
        assert!(check_alias(&format!("alias/{}", "a".repeat(251))).is_err());
        assert_eq!(
            alias_arn("us-east-1", "111122223333", "alias/prod-data"),
            alias_arn("us-east-1", "111122223333", "prod-data")
        );
    }
}
