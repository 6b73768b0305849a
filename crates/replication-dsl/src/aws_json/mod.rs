//! AWS JSON documents other than policies, in the shapes the AWS CLI prints and accepts:
//! replication configurations, bucket encryption, versioning and ownership controls,
//! `kms describe-key` and `kms list-aliases`, and the IAM listings of a role's policies.
//!
//! Both front ends (the macro and the runner, through `json_file`) and the importer
//! (`replication-import`) read documents here, so each shape is recognised once. Every reader
//! returns every problem it finds, each at the `line:col` of the offending member or value in the
//! text the user gave, with the fix; output of another AWS CLI command is named as such, with
//! the member that holds the expected document when there is one. Policies themselves are read by
//! `replication_policy::Document`.

mod bucket;
mod iam;
mod kms;
mod read;
mod replication;

use std::fmt;

use replication_policy::Location;
use replication_policy::json::{self, Kind, Member, Value};

pub use bucket::{
    BucketEncryption, ObjectOwnership, SseAlgorithm, read_bucket_encryption,
    read_bucket_ownership_controls, read_bucket_versioning,
};
pub use iam::{
    AttachedPolicy, RoleSummary, read_list_account_aliases, read_list_attached_role_policies,
    read_list_role_policies, read_role_summary,
};
pub use kms::{
    Alias, KeyManager, KeyMetadata, MultiRegionKeyType, read_describe_key, read_list_aliases,
};
pub use replication::{ReplicationConfiguration, ReplicationRule, read_replication_configuration};

use read::{Cx, Obj};

/// A problem in an AWS JSON document, located in the text given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonProblem {
    /// Where: byte offset, line and column (1-based, columns in characters).
    pub location: Location,
    /// What kind of problem.
    pub kind: JsonProblemKind,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// The kinds of [`JsonProblem`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JsonProblemKind {
    /// The text is not JSON.
    Syntax,
    /// The text is another AWS CLI command's output, or no known shape at all.
    OtherDocument,
    /// A member or value that is not the document's schema.
    Schema,
}

impl fmt::Display for JsonProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}",
            self.location.line, self.location.column, self.message
        )
    }
}

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it starts in the document's text.
    pub at: Location,
}

/// The AWS CLI commands whose output (or input) the readers take, and the ones they recognise to
/// say what a wrong file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CliDocument {
    /// `aws s3api get-bucket-replication`; `put-bucket-replication --replication-configuration`.
    BucketReplication,
    /// `aws s3api get-bucket-encryption`; `put-bucket-encryption --server-side-encryption-configuration`.
    BucketEncryption,
    /// `aws s3api get-bucket-versioning`; `put-bucket-versioning --versioning-configuration`.
    BucketVersioning,
    /// `aws s3api get-bucket-ownership-controls`; `put-bucket-ownership-controls --ownership-controls`.
    BucketOwnershipControls,
    /// `aws kms describe-key`.
    DescribeKey,
    /// `aws kms list-aliases`.
    ListAliases,
    /// `aws iam get-role`.
    GetRole,
    /// `aws iam list-role-policies`.
    ListRolePolicies,
    /// `aws iam list-attached-role-policies`.
    ListAttachedRolePolicies,
    /// `aws iam list-account-aliases`.
    ListAccountAliases,
    /// `aws s3api get-bucket-policy` or `aws kms get-key-policy`.
    PolicyString,
    /// `aws iam get-role-policy`.
    GetRolePolicy,
    /// `aws iam get-policy-version`.
    GetPolicyVersion,
    /// `aws iam get-policy`.
    GetPolicy,
    /// `aws s3api get-bucket-location`.
    GetBucketLocation,
}

impl CliDocument {
    /// The command, as a user types it.
    pub const fn command(self) -> &'static str {
        match self {
            CliDocument::BucketReplication => "aws s3api get-bucket-replication",
            CliDocument::BucketEncryption => "aws s3api get-bucket-encryption",
            CliDocument::BucketVersioning => "aws s3api get-bucket-versioning",
            CliDocument::BucketOwnershipControls => "aws s3api get-bucket-ownership-controls",
            CliDocument::DescribeKey => "aws kms describe-key",
            CliDocument::ListAliases => "aws kms list-aliases",
            CliDocument::GetRole => "aws iam get-role",
            CliDocument::ListRolePolicies => "aws iam list-role-policies",
            CliDocument::ListAttachedRolePolicies => "aws iam list-attached-role-policies",
            CliDocument::ListAccountAliases => "aws iam list-account-aliases",
            CliDocument::PolicyString => "aws s3api get-bucket-policy",
            CliDocument::GetRolePolicy => "aws iam get-role-policy",
            CliDocument::GetPolicyVersion => "aws iam get-policy-version",
            CliDocument::GetPolicy => "aws iam get-policy",
            CliDocument::GetBucketLocation => "aws s3api get-bucket-location",
        }
    }

    /// The member the command's output wraps its document in.
    const fn wrapper(self) -> Option<&'static str> {
        match self {
            CliDocument::BucketReplication => Some("ReplicationConfiguration"),
            CliDocument::BucketEncryption => Some("ServerSideEncryptionConfiguration"),
            CliDocument::BucketOwnershipControls => Some("OwnershipControls"),
            CliDocument::DescribeKey => Some("KeyMetadata"),
            CliDocument::GetRole => Some("Role"),
            _ => None,
        }
    }

    /// Members that only this command's output has at the top, to name a wrong file.
    const fn marks(self) -> &'static [&'static str] {
        match self {
            CliDocument::BucketReplication => &["ReplicationConfiguration"],
            CliDocument::BucketEncryption => &["ServerSideEncryptionConfiguration"],
            CliDocument::BucketVersioning => &["MFADelete"],
            CliDocument::BucketOwnershipControls => &["OwnershipControls"],
            CliDocument::DescribeKey => &["KeyMetadata"],
            CliDocument::ListAliases => &["Aliases"],
            CliDocument::GetRole => &["Role"],
            CliDocument::ListRolePolicies => &["PolicyNames"],
            CliDocument::ListAttachedRolePolicies => &["AttachedPolicies"],
            CliDocument::ListAccountAliases => &["AccountAliases"],
            CliDocument::PolicyString => &["Policy"],
            CliDocument::GetRolePolicy => &["PolicyDocument"],
            CliDocument::GetPolicyVersion => &["PolicyVersion"],
            CliDocument::GetPolicy => &[],
            CliDocument::GetBucketLocation => &["LocationConstraint"],
        }
    }

    const ALL: [CliDocument; 14] = [
        CliDocument::BucketReplication,
        CliDocument::BucketEncryption,
        CliDocument::BucketVersioning,
        CliDocument::BucketOwnershipControls,
        CliDocument::DescribeKey,
        CliDocument::ListAliases,
        CliDocument::GetRole,
        CliDocument::ListRolePolicies,
        CliDocument::ListAttachedRolePolicies,
        CliDocument::ListAccountAliases,
        CliDocument::PolicyString,
        CliDocument::GetRolePolicy,
        CliDocument::GetPolicyVersion,
        CliDocument::GetBucketLocation,
    ];
}

/// Parses `text` as JSON; a syntax error is the one problem.
fn parse(text: &str) -> Result<Value<'_>, Vec<JsonProblem>> {
    json::parse(text).map_err(|e| {
        vec![JsonProblem {
            location: Location::in_text(text, e.offset),
            kind: JsonProblemKind::Syntax,
            message: e.message,
        }]
    })
}

/// The document of `expected` in `root`: inside the command's wrapper, or bare when the root
/// has one of `bare_marks` (the shape the `put-...` command takes). Anything else is a problem
/// naming what the text looks like and where the document seems to be.
fn unwrap<'v, 'a>(
    cx: &mut Cx<'_>,
    root: &'v Value<'a>,
    expected: CliDocument,
    bare_marks: &[&str],
) -> Option<(Obj<'v, 'a>, String)> {
    let command = expected.command();
    let Kind::Object(members) = &root.kind else {
        cx.error_of(
            JsonProblemKind::OtherDocument,
            root.span.start,
            format!(
                "expected the output of `{command}` (a JSON object), found {}",
                root.type_name()
            ),
        );
        return None;
    };
    let obj = Obj {
        members,
        at: root.span.start,
    };
    if let Some(wrapper) = expected.wrapper()
        && let Some(m) = obj.member(wrapper)
    {
        cx.known_members(obj, "", &[wrapper]);
        return cx
            .object(&m.value, wrapper)
            .map(|o| (o, wrapper.to_owned()));
    }
    if members.iter().any(|m| bare_marks.contains(&&*m.key)) {
        return Some((obj, String::new()));
    }
    let looks_like = CliDocument::ALL
        .into_iter()
        .find(|d| *d != expected && d.marks().iter().any(|k| obj.get(k).is_some()));
    let held = find_member(members, expected, bare_marks, &mut Vec::new());
    let what = match looks_like {
        Some(d) => format!(
            "this looks like `{}` output, not `{command}` output",
            d.command()
        ),
        None => format!("this is not `{command}` output"),
    };
    let (at, message) = match held {
        Some((path, at)) => (
            at,
            format!(
                "{what}; the document seems to be in `{path}`; give the output of `{command}` unchanged, or that member's value alone"
            ),
        ),
        None => (
            root.span.start,
            format!(
                "{what}; expected {}; save the output of `{command}` unchanged",
                expected_top(expected, bare_marks)
            ),
        ),
    };
    cx.error_of(JsonProblemKind::OtherDocument, at, message);
    None
}

fn expected_top(expected: CliDocument, bare_marks: &[&str]) -> String {
    let mut words: Vec<&str> = expected.wrapper().into_iter().collect();
    words.extend(bare_marks);
    format!(
        "a member {}",
        replication_spec::spelling::one_of(words.iter().copied())
    )
}

/// Depth of wrapper objects searched for the expected document in unknown output.
const SEARCH_DEPTH: usize = 4;

/// The first member (depth first) whose value is the expected document: the command's wrapper
/// or an object with one of its bare members. Returns its path and where its key starts.
fn find_member(
    members: &[Member<'_>],
    expected: CliDocument,
    bare_marks: &[&str],
    path: &mut Vec<String>,
) -> Option<(String, usize)> {
    if path.len() >= SEARCH_DEPTH {
        return None;
    }
    for m in members {
        let Kind::Object(inner) = &m.value.kind else {
            continue;
        };
        path.push(m.key.to_string());
        if expected.wrapper() == Some(&*m.key)
            || inner.iter().any(|i| bare_marks.contains(&&*i.key))
        {
            return Some((path.join("."), m.key_span.start));
        }
        if let Some(found) = find_member(inner, expected, bare_marks, path) {
            return Some(found);
        }
        path.pop();
    }
    None
}

/// Finishes a reader: its value when no problem was found.
fn finish<T>(cx: Cx<'_>, value: Option<T>) -> Result<T, Vec<JsonProblem>> {
    match value {
        Some(v) if cx.problems.is_empty() => Ok(v),
        _ if cx.problems.is_empty() => Err(vec![JsonProblem {
            location: Location::in_text(cx.text, 0),
            kind: JsonProblemKind::Schema,
            message: "the document could not be read; save the AWS CLI's output unchanged".into(),
        }]),
        _ => {
            let mut problems = cx.problems;
            problems.sort_by_key(|p| p.location.offset);
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use replication_spec::spec::{BucketRef, FilterSpec, KeyRef, Versioning};

    use super::*;

    fn messages(problems: &[JsonProblem]) -> String {
        problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every rule member S3 has, in the `put-bucket-replication` input shape.
    #[test]
    fn replication_reads_every_rule_member() {
        let text = r#"{
          "Role": "arn:aws:iam::111122223333:role/crr",
          "Rules": [
            {"ID": "all", "Priority": 7, "Status": "Disabled",
             "Filter": {"And": {"Prefix": "p/", "Tags": [{"Key": "k", "Value": "v"}]}},
             "DeleteMarkerReplication": {"Status": "Disabled"},
             "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"},
                                         "ReplicaModifications": {"Status": "Enabled"}},
             "ExistingObjectReplication": {"Status": "Disabled"},
             "Destination": {"Bucket": "arn:aws:s3:::dr", "Account": "444455556666",
               "StorageClass": "GLACIER_IR", "AccessControlTranslation": {"Owner": "Destination"},
               "EncryptionConfiguration": {"ReplicaKmsKeyID": "arn:aws:kms:us-west-2:444455556666:alias/dr"},
               "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
               "Metrics": {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}}},
            {"Prefix": "v1/", "Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::dr"}},
            {"Filter": {"Tag": {"Key": "a", "Value": "b"}}, "Status": "Enabled", "Priority": 1,
             "DeleteMarkerReplication": {"Status": "Disabled"}, "Destination": {"Bucket": "arn:aws:s3:::dr"}}
          ]}"#;
        let c = read_replication_configuration(text).unwrap();
        let r = &c.rules[0].spec;
        assert_eq!(r.id.as_deref(), Some("all"));
        assert_eq!(r.priority, Some(7));
        assert!(!r.enabled);
        assert_eq!(
            r.filter,
            FilterSpec::And {
                prefix: Some("p/".into()),
                tags: vec![("k".into(), "v".into())]
            }
        );
        assert_eq!(r.delete_marker_replication, Some(false));
        assert_eq!(r.sse_kms_encrypted_objects, Some(true));
        assert_eq!(r.replica_modifications, Some(true));
        let d = &r.destination;
        assert_eq!(d.bucket, BucketRef::Arn("arn:aws:s3:::dr".into()));
        assert_eq!(d.account.as_deref(), Some("444455556666"));
        assert_eq!(d.storage_class.as_deref(), Some("GLACIER_IR"));
        assert!(d.owner_override);
        assert_eq!(
            d.replica_kms_key,
            Some(KeyRef::Arn(
                "arn:aws:kms:us-west-2:444455556666:alias/dr".into()
            ))
        );
        assert_eq!(d.replication_time, Some((true, 15)));
        assert_eq!(d.metrics, Some((true, Some(15))));
        assert_eq!(c.rules[1].spec.filter, FilterSpec::V1Prefix("v1/".into()));
        assert_eq!(
            c.rules[2].spec.filter,
            FilterSpec::Tag("a".into(), "b".into())
        );
        // References keep where they were written.
        assert!(text[c.rules[0].destination_bucket.at.offset..].starts_with("\"arn:aws:s3:::dr\""));
    }

    #[test]
    fn replication_refuses_what_is_not_the_schema() {
        let text = r#"{"ReplicationConfiguration": {"Role": 3, "Rules": [
            {"Status": "On", "Filter": {"Prefix": "a", "Tag": {"Key": "k", "Value": "v"}},
             "ExistingObjectReplication": {"Status": "Enabled"},
             "Destination": {"Bucket": "arn:aws:s3:::dr", "StorageClass": "STANDARD-IA"}},
            {"Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::dr"}}]}}"#;
        let p = read_replication_configuration(text).unwrap_err();
        let m = messages(&p);
        assert!(
            m.contains("`ReplicationConfiguration.Role` must be a string, found a number"),
            "{m}"
        );
        assert!(m.contains("`ReplicationConfiguration.Rules[0].Status` must be `Enabled` or `Disabled`, found `On`"), "{m}");
        assert!(
            m.contains("has `Prefix` and `Tag`; a filter holds exactly one"),
            "{m}"
        );
        assert!(m.contains("which S3 no longer supports"), "{m}");
        assert!(
            m.contains("found `STANDARD-IA`; did you mean `STANDARD_IA`?"),
            "{m}"
        );
        assert!(m.contains("`ReplicationConfiguration.Rules[1]` has neither `Filter` nor the deprecated `Prefix`"), "{m}");
        assert!(
            p.windows(2)
                .all(|w| w[0].location.offset <= w[1].location.offset),
            "sorted by position"
        );
        assert!(p.iter().all(|p| p.kind == JsonProblemKind::Schema));
    }

    #[test]
    fn encryption_versioning_and_ownership() {
        let enc = read_bucket_encryption(r#"{"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms:dsse", "KMSMasterKeyID": "1234abcd-12ab-34cd-56ef-1234567890ab"}, "BlockedEncryptionTypes": {"EncryptionType": ["NONE"]}}]}"#).unwrap();
        assert_eq!(enc.algorithm, SseAlgorithm::AwsKmsDsse);
        assert_eq!(enc.block_sse_c, Some(false));
        assert!(!enc.bucket_key_enabled);
        let p = read_bucket_encryption(r#"{"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": "k"}}]}}"#).unwrap_err();
        assert!(
            messages(&p).contains("is only for `aws:kms` and `aws:kms:dsse`"),
            "{}",
            messages(&p)
        );

        assert_eq!(
            read_bucket_versioning("{}").unwrap(),
            Versioning::Unversioned
        );
        assert_eq!(
            read_bucket_versioning(r#"{"Status": "Suspended", "MFADelete": "Disabled"}"#).unwrap(),
            Versioning::Suspended
        );
        let p = read_bucket_versioning(r#"{"Status": "enabled"}"#).unwrap_err();
        assert!(
            messages(&p).contains("did you mean `Enabled`?"),
            "{}",
            messages(&p)
        );

        assert_eq!(
            read_bucket_ownership_controls(
                r#"{"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}"#
            )
            .unwrap(),
            ObjectOwnership::BucketOwnerEnforced
        );
    }

    #[test]
    fn describe_key_reads_state_and_multi_region_relations() {
        let key = read_describe_key(r#"{"KeyMetadata": {"AWSAccountId": "111122223333", "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
            "Arn": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "KeyState": "PendingDeletion",
            "PendingDeletionWindowInDays": 7, "KeyManager": "AWS", "KeySpec": "SYMMETRIC_DEFAULT", "MultiRegion": false}}"#).unwrap();
        assert_eq!(key.region, "eu-west-1");
        assert_eq!(key.key_state.value, "PendingDeletion");
        assert_eq!(key.pending_deletion_window_in_days, Some(7));
        assert_eq!(key.key_manager, KeyManager::Aws);
        assert_eq!(key.multi_region, None);

        let p = read_describe_key(r#"{"KeyMetadata": {"AWSAccountId": "111122223333", "KeyId": "k",
            "Arn": "arn:aws:kms:eu-west-1:444455556666:key/k", "KeyState": "Enabled", "KeySpec": "RSA_2048", "MultiRegion": true}}"#).unwrap_err();
        let m = messages(&p);
        assert!(
            m.contains("S3 encrypts only under symmetric encryption keys"),
            "{m}"
        );
        assert!(m.contains("`MultiRegionConfiguration` is missing"), "{m}");
        assert!(
            m.contains("names account `444455556666` but `AWSAccountId` is `111122223333`"),
            "{m}"
        );
    }

    #[test]
    fn other_commands_are_named_and_syntax_errors_located() {
        let p = read_describe_key(r#"{"Policy": "{}"}"#).unwrap_err();
        assert_eq!(p[0].kind, JsonProblemKind::OtherDocument);
        assert!(p[0].message.starts_with("this looks like `aws s3api get-bucket-policy` output, not `aws kms describe-key` output"), "{}", p[0]);
        let p =
            read_bucket_versioning("{\n  \"Status\": \"Enabled\"\n  \"MFADelete\": \"Disabled\"}")
                .unwrap_err();
        assert_eq!(p[0].kind, JsonProblemKind::Syntax);
        assert_eq!(
            (p[0].location.line, p[0].location.column),
            (3, 3),
            "{}",
            p[0]
        );
        let p = read_list_role_policies(
            r#"{"PolicyNames": ["a"], "IsTruncated": true, "Marker": "m"}"#,
        )
        .unwrap_err();
        assert!(
            p[0].message.contains("the listing is truncated"),
            "{}",
            p[0]
        );
    }
}
