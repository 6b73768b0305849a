//! The import directory's layout: which file holds which AWS CLI output, found by walking the
//! folders in name order, and the `aws` command that fetches each.
//!
//! ```text
//! DIR/<account-id>/iam/list-account-aliases.json                       (optional)
//! DIR/<account-id>/iam/roles/<role-name>/get-role.json
//!                                        list-role-policies.json
//!                                        list-attached-role-policies.json
//!                                        get-role-policy.<policy-name>.json
//!                                        get-policy-version.<policy-name>.json
//! DIR/<account-id>/<region>/kms/list-aliases.json                      (when a document names an alias)
//! DIR/<account-id>/<region>/kms/<key-id>/describe-key.json
//!                                        get-key-policy.json
//! DIR/<account-id>/<region>/s3/<bucket>/get-bucket-versioning.json
//!                                       get-bucket-encryption.json
//!                                       get-bucket-policy.json         (empty: no bucket policy)
//!                                       get-bucket-replication.json    (empty: no configuration)
//!                                       get-bucket-ownership-controls.json   (optional)
//! ```
//!
//! Files and folders the layout does not have are problems, not skipped, so a misnamed file
//! is never silently left out. Names starting with `.` are ignored (`.DS_Store`, editors'
//! files).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use replication_model::ids;

use crate::problem::{ImportProblem, ProblemKind};

/// Every folder of the directory, by account id.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    pub(crate) accounts: BTreeMap<String, AccountDir>,
}

#[derive(Debug, Default)]
pub(crate) struct AccountDir {
    pub(crate) account_aliases: Option<PathBuf>,
    pub(crate) roles: BTreeMap<String, PathBuf>,
    pub(crate) regions: BTreeMap<String, RegionDir>,
}

#[derive(Debug, Default)]
pub(crate) struct RegionDir {
    pub(crate) path: PathBuf,
    pub(crate) kms_aliases: Option<PathBuf>,
    pub(crate) keys: BTreeMap<String, PathBuf>,
    pub(crate) buckets: BTreeMap<String, PathBuf>,
}

/// A document of the layout: its file name and the command that prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Doc {
    AccountAliases,
    GetRole,
    ListRolePolicies,
    ListAttachedRolePolicies,
    KmsAliases,
    DescribeKey,
    GetKeyPolicy,
    BucketVersioning,
    BucketEncryption,
    BucketPolicy,
    BucketReplication,
    BucketOwnershipControls,
}

impl Doc {
    pub(crate) const fn file_name(self) -> &'static str {
        match self {
            Doc::AccountAliases => "list-account-aliases.json",
            Doc::GetRole => "get-role.json",
            Doc::ListRolePolicies => "list-role-policies.json",
            Doc::ListAttachedRolePolicies => "list-attached-role-policies.json",
            Doc::KmsAliases => "list-aliases.json",
            Doc::DescribeKey => "describe-key.json",
            Doc::GetKeyPolicy => "get-key-policy.json",
            Doc::BucketVersioning => "get-bucket-versioning.json",
            Doc::BucketEncryption => "get-bucket-encryption.json",
            Doc::BucketPolicy => "get-bucket-policy.json",
            Doc::BucketReplication => "get-bucket-replication.json",
            Doc::BucketOwnershipControls => "get-bucket-ownership-controls.json",
        }
    }
}

const BUCKET_FILES: [Doc; 5] = [
    Doc::BucketVersioning,
    Doc::BucketEncryption,
    Doc::BucketPolicy,
    Doc::BucketReplication,
    Doc::BucketOwnershipControls,
];
const KEY_FILES: [Doc; 2] = [Doc::DescribeKey, Doc::GetKeyPolicy];

/// The `aws` command that writes `file` for a resource; `--output json` is the CLI's default.
pub(crate) fn fetch_command(doc: Doc, target: &Target<'_>, file: &Path) -> String {
    let out = file.display();
    match (doc, target) {
        (Doc::AccountAliases, _) => format!("aws iam list-account-aliases > {out}"),
        (Doc::GetRole, Target::Role(r)) => format!("aws iam get-role --role-name {r} > {out}"),
        (Doc::ListRolePolicies, Target::Role(r)) => {
            format!("aws iam list-role-policies --role-name {r} > {out}")
        }
        (Doc::ListAttachedRolePolicies, Target::Role(r)) => {
            format!("aws iam list-attached-role-policies --role-name {r} > {out}")
        }
        (Doc::KmsAliases, Target::Region(region)) => {
            format!("aws kms list-aliases --region {region} > {out}")
        }
        (Doc::DescribeKey, Target::Key { key, region }) => {
            format!("aws kms describe-key --key-id {key} --region {region} > {out}")
        }
        (Doc::GetKeyPolicy, Target::Key { key, region }) => format!(
            "aws kms get-key-policy --key-id {key} --policy-name default --region {region} > {out}"
        ),
        (Doc::BucketVersioning, Target::Bucket(b)) => {
            format!("aws s3api get-bucket-versioning --bucket {b} > {out}")
        }
        (Doc::BucketEncryption, Target::Bucket(b)) => {
            format!("aws s3api get-bucket-encryption --bucket {b} > {out}")
        }
        (Doc::BucketPolicy, Target::Bucket(b)) => format!(
            "aws s3api get-bucket-policy --bucket {b} > {out} (an empty file when S3 answers NoSuchBucketPolicy)"
        ),
        (Doc::BucketReplication, Target::Bucket(b)) => format!(
            "aws s3api get-bucket-replication --bucket {b} > {out} (an empty file when S3 answers ReplicationConfigurationNotFoundError)"
        ),
        (Doc::BucketOwnershipControls, Target::Bucket(b)) => {
            format!("aws s3api get-bucket-ownership-controls --bucket {b} > {out}")
        }
        // Every document belongs to one kind of resource; the pairs above are all there are.
        (_, _) => format!("the AWS CLI's output for {out}"),
    }
}

/// What a command is about.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    Role(&'a str),
    Region(&'a str),
    Key { key: &'a str, region: &'a str },
    Bucket(&'a str),
}

/// Walks `dir` (shown as `shown` in messages).
pub(crate) fn walk(dir: &Path, shown: &Path, problems: &mut Vec<ImportProblem>) -> Layout {
    let mut layout = Layout::default();
    let Some(entries) = list(dir, shown, problems) else {
        return layout;
    };
    for (name, is_dir) in entries {
        let shown_path = shown.join(&name);
        if !is_dir || ids::check_account_id(&name).is_err() {
            problems.push(ImportProblem::file(
                ProblemKind::Layout,
                &shown_path,
                "expected only folders named by 12-digit account ids here, like `111122223333/`; move or remove this",
            ));
            continue;
        }
        let account = account(&dir.join(&name), &shown_path, problems);
        layout.accounts.insert(name, account);
    }
    if layout.accounts.is_empty() && problems.is_empty() {
        problems.push(ImportProblem::file(
            ProblemKind::Layout,
            shown,
            "holds no account folder; save the AWS CLI outputs under `<account-id>/` as docs/import.md shows",
        ));
    }
    layout
}

fn account(dir: &Path, shown: &Path, problems: &mut Vec<ImportProblem>) -> AccountDir {
    let mut acct = AccountDir::default();
    for (name, is_dir) in list(dir, shown, problems).unwrap_or_default() {
        let shown_path = shown.join(&name);
        if name == "iam" && is_dir {
            iam(&dir.join(&name), &shown_path, &mut acct, problems);
        } else if is_dir && ids::check_region(&name).is_ok() {
            let region = region(&dir.join(&name), &shown_path, problems);
            acct.regions.insert(name, region);
        } else {
            problems.push(ImportProblem::file(
                ProblemKind::Layout,
                &shown_path,
                "expected `iam/` or a Region folder like `us-east-1/` in an account folder; move or remove this",
            ));
        }
    }
    acct
}

fn iam(dir: &Path, shown: &Path, acct: &mut AccountDir, problems: &mut Vec<ImportProblem>) {
    for (name, is_dir) in list(dir, shown, problems).unwrap_or_default() {
        let shown_path = shown.join(&name);
        if name == Doc::AccountAliases.file_name() && !is_dir {
            acct.account_aliases = Some(shown_path);
        } else if name == "roles" && is_dir {
            for (role, is_dir) in list(&dir.join(&name), &shown_path, problems).unwrap_or_default()
            {
                let role_path = shown_path.join(&role);
                if !is_dir || ids::check_role_name(&role).is_err() {
                    problems.push(ImportProblem::file(
                        ProblemKind::Layout,
                        &role_path,
                        "expected a folder named by an IAM role name here; move or remove this",
                    ));
                    continue;
                }
                if let Some((other, _)) = acct
                    .roles
                    .iter()
                    .find(|(other, _)| other.eq_ignore_ascii_case(&role))
                {
                    problems.push(ImportProblem::file(
                        ProblemKind::Duplicate,
                        &role_path,
                        format!("IAM role names are unique whatever their case, and `{other}` is here too: two documents for one role; keep one folder"),
                    ));
                    continue;
                }
                acct.roles.insert(role, role_path);
            }
        } else {
            problems.push(ImportProblem::file(
                ProblemKind::Layout,
                &shown_path,
                "expected `roles/` or `list-account-aliases.json` in `iam/`; move or remove this",
            ));
        }
    }
}

fn region(dir: &Path, shown: &Path, problems: &mut Vec<ImportProblem>) -> RegionDir {
    let mut region = RegionDir {
        path: shown.to_owned(),
        ..RegionDir::default()
    };
    for (name, is_dir) in list(dir, shown, problems).unwrap_or_default() {
        let shown_path = shown.join(&name);
        match (name.as_str(), is_dir) {
            ("kms", true) => {
                for (entry, is_dir) in
                    list(&dir.join(&name), &shown_path, problems).unwrap_or_default()
                {
                    let path = shown_path.join(&entry);
                    if entry == Doc::KmsAliases.file_name() && !is_dir {
                        region.kms_aliases = Some(path);
                    } else if is_dir
                        && (ids::check_key_id(&entry, entry.starts_with("mrk-")).is_ok())
                    {
                        expect_files(&dir.join(&name).join(&entry), &path, &KEY_FILES, problems);
                        region.keys.insert(entry, path);
                    } else {
                        problems.push(ImportProblem::file(
                            ProblemKind::Layout,
                            &path,
                            "expected `list-aliases.json` or a folder named by a key id (`1234abcd-...` or `mrk-...`) in `kms/`; move or remove this",
                        ));
                    }
                }
            }
            ("s3", true) => {
                for (bucket, is_dir) in
                    list(&dir.join(&name), &shown_path, problems).unwrap_or_default()
                {
                    let path = shown_path.join(&bucket);
                    if is_dir && ids::check_bucket_name(&bucket).is_ok() {
                        expect_files(
                            &dir.join(&name).join(&bucket),
                            &path,
                            &BUCKET_FILES,
                            problems,
                        );
                        region.buckets.insert(bucket, path);
                    } else {
                        problems.push(ImportProblem::file(
                            ProblemKind::Layout,
                            &path,
                            "expected a folder named by an S3 bucket name in `s3/`; move or remove this",
                        ));
                    }
                }
            }
            _ => problems.push(ImportProblem::file(
                ProblemKind::Layout,
                &shown_path,
                "expected `kms/` or `s3/` in a Region folder; move or remove this",
            )),
        }
    }
    region
}

/// Reports files in a key's or bucket's folder that are none of `docs`.
fn expect_files(dir: &Path, shown: &Path, docs: &[Doc], problems: &mut Vec<ImportProblem>) {
    for (name, _) in list(dir, shown, problems).unwrap_or_default() {
        if !docs.iter().any(|d| d.file_name() == name) {
            let names: Vec<&str> = docs.iter().map(|d| d.file_name()).collect();
            problems.push(ImportProblem::file(
                ProblemKind::Layout,
                &shown.join(&name),
                format!(
                    "not a file of this folder; expected {}; rename or remove it",
                    replication_model::spelling::one_of(names)
                ),
            ));
        }
    }
}

/// The entries of a folder (name, is a folder), in name order, without names starting with `.`.
pub(crate) fn list(
    dir: &Path,
    shown: &Path,
    problems: &mut Vec<ImportProblem>,
) -> Option<Vec<(String, bool)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(ImportProblem::file(
                ProblemKind::Layout,
                shown,
                format!("cannot list this folder ({}); check the path", e.kind()),
            ));
            return None;
        }
    };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            problems.push(ImportProblem::file(
                ProblemKind::Layout,
                &shown.join(entry.file_name()),
                "the name is not UTF-8; rename it",
            ));
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        // Follows symbolic links, so a linked folder of outputs works.
        let is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
        out.push((name, is_dir));
    }
    out.sort();
    Some(out)
}
