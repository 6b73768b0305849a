//! Reading every document of the layout: each file through its `replication_dsl::aws_json`
//! reader (policies through `replication_policy::Document`), every problem kept, so one run
//! names every bad or missing file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use replication_dsl::aws_json::{
    self, Alias, BucketEncryption, JsonProblem, KeyMetadata, Located, ObjectOwnership,
    ReplicationConfiguration, RoleSummary,
};
use replication_dsl::policy_file::{self, PolicyFileError, PolicyKind};
use replication_model::spec::Versioning;
use replication_policy::Document;

use crate::layout::{AccountDir, Doc, Layout, RegionDir, Target, fetch_command};
use crate::problem::{ImportProblem, ProblemKind};

/// Everything read from the directory.
#[derive(Debug, Default)]
pub(crate) struct Inventory {
    pub(crate) accounts: Vec<Account>,
}

#[derive(Debug)]
pub(crate) struct Account {
    pub(crate) id: String,
    /// From `list-account-aliases.json`, when given.
    pub(crate) alias: Option<String>,
    pub(crate) roles: Vec<Role>,
    pub(crate) keys: Vec<Key>,
    pub(crate) buckets: Vec<Bucket>,
    /// `list-aliases.json` per Region, with its file.
    pub(crate) kms_aliases: BTreeMap<String, (PathBuf, Vec<Alias>)>,
    pub(crate) regions: BTreeMap<String, PathBuf>,
}

#[derive(Debug)]
pub(crate) struct Role {
    pub(crate) dir: PathBuf,
    pub(crate) summary: RoleSummary,
    pub(crate) get_role: PathBuf,
    /// Inline policies: name and file.
    pub(crate) inline: Vec<(String, PathBuf)>,
    /// Attached managed policies: name and file.
    pub(crate) managed: Vec<(String, PathBuf)>,
}

#[derive(Debug)]
pub(crate) struct Key {
    pub(crate) region: String,
    pub(crate) meta: KeyMetadata,
    pub(crate) describe_key: PathBuf,
    pub(crate) policy: PathBuf,
}

#[derive(Debug)]
pub(crate) struct Bucket {
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) dir: PathBuf,
    pub(crate) versioning: Versioning,
    pub(crate) encryption: (PathBuf, BucketEncryption),
    pub(crate) policy: Option<PathBuf>,
    pub(crate) replication: Option<(PathBuf, ReplicationConfiguration)>,
    pub(crate) ownership: Option<ObjectOwnership>,
}

/// Reads documents, keeping the way from a shown path to the file.
pub(crate) struct Reader<'a> {
    pub(crate) root: &'a Path,
    pub(crate) shown: &'a Path,
    pub(crate) problems: Vec<ImportProblem>,
}

impl Reader<'_> {
    /// The file a shown path names.
    pub(crate) fn real(&self, shown: &Path) -> PathBuf {
        self.root
            .join(shown.strip_prefix(self.shown).unwrap_or(shown))
    }

    /// The text of a document that must be there; `None` (with the fetching command) if not.
    fn text(&mut self, dir: &Path, doc: Doc, target: Target<'_>) -> Option<(PathBuf, String)> {
        let shown = dir.join(doc.file_name());
        self.text_at(&shown, doc, target).map(|t| (shown, t))
    }

    fn text_at(&mut self, shown: &Path, doc: Doc, target: Target<'_>) -> Option<String> {
        let real = self.real(shown);
        if !real.exists() {
            self.problems.push(ImportProblem::file(
                ProblemKind::Missing,
                shown,
                format!(
                    "missing; fetch it with `{}`",
                    fetch_command(doc, &target, shown)
                ),
            ));
            return None;
        }
        match policy_file::read_json_file(&real) {
            Ok(t) => Some(t),
            Err(e) => {
                self.problems.push(ImportProblem::file(
                    ProblemKind::Layout,
                    shown,
                    format!("cannot be read: {e}"),
                ));
                None
            }
        }
    }

    fn json<T>(&mut self, file: &Path, res: Result<T, Vec<JsonProblem>>) -> Option<T> {
        match res {
            Ok(v) => Some(v),
            Err(problems) => {
                self.problems
                    .extend(problems.into_iter().map(|p| ImportProblem::json(file, p)));
                None
            }
        }
    }

    /// Checks a policy file as the scenario will read it: AWS's size limit, the CLI shapes, the
    /// grammar; problems located in the file.
    fn policy(&mut self, file: &Path, kind: PolicyKind) -> bool {
        let real = self.real(file);
        let text = match policy_file::read_policy_file(&real, kind) {
            Ok(t) => t,
            Err(e @ PolicyFileError::Io(_)) | Err(e @ PolicyFileError::NotRegularFile) => {
                self.problems.push(ImportProblem::file(
                    ProblemKind::Layout,
                    file,
                    format!("cannot be read: {e}"),
                ));
                return false;
            }
            Err(e) => {
                self.problems.push(ImportProblem::file(
                    ProblemKind::Malformed,
                    file,
                    format!("the policy is {e}"),
                ));
                return false;
            }
        };
        let kind = match Document::unwrap_aws_json(&text) {
            Err(_) => ProblemKind::UnknownWrapper,
            Ok(_) => ProblemKind::Malformed,
        };
        match Document::from_aws_json(&text) {
            Ok(_) => true,
            Err(e) => {
                let problem = match e.location() {
                    Some(l) => ImportProblem::at(kind, file, l, e.message()),
                    None => ImportProblem::file(kind, file, e.to_string()),
                };
                self.problems.push(problem);
                false
            }
        }
    }
}

/// Reads every document the layout holds.
pub(crate) fn read(layout: &Layout, reader: &mut Reader<'_>) -> Inventory {
    let mut inventory = Inventory::default();
    for (id, dir) in &layout.accounts {
        inventory.accounts.push(account(id, dir, reader));
    }
    inventory
}

fn account(id: &str, dir: &AccountDir, r: &mut Reader<'_>) -> Account {
    let alias = dir.account_aliases.as_ref().and_then(|file| {
        let text = r.text_at(file, Doc::AccountAliases, Target::Region(""))?;
        let aliases = r.json(file, aws_json::read_list_account_aliases(&text))?;
        aliases.into_iter().next()
    });
    let mut acct = Account {
        id: id.to_owned(),
        alias,
        roles: Vec::new(),
        keys: Vec::new(),
        buckets: Vec::new(),
        kms_aliases: BTreeMap::new(),
        regions: BTreeMap::new(),
    };
    for (name, role_dir) in &dir.roles {
        if let Some(role) = role(id, name, role_dir, r) {
            acct.roles.push(role);
        }
    }
    for (region, region_dir) in &dir.regions {
        acct.regions.insert(region.clone(), region_dir.path.clone());
        read_region(id, region, region_dir, &mut acct, r);
    }
    acct
}

fn read_region(
    account: &str,
    region: &str,
    dir: &RegionDir,
    acct: &mut Account,
    r: &mut Reader<'_>,
) {
    if let Some(file) = &dir.kms_aliases
        && let Some(text) = r.text_at(file, Doc::KmsAliases, Target::Region(region))
        && let Some(aliases) = r.json(file, aws_json::read_list_aliases(&text))
    {
        acct.kms_aliases
            .insert(region.to_owned(), (file.clone(), aliases));
    }
    for (key_id, key_dir) in &dir.keys {
        if let Some(key) = key(account, region, key_id, key_dir, r) {
            acct.keys.push(key);
        }
    }
    for (name, bucket_dir) in &dir.buckets {
        if let Some(bucket) = bucket(region, name, bucket_dir, r) {
            acct.buckets.push(bucket);
        }
    }
}

fn role(account: &str, name: &str, dir: &Path, r: &mut Reader<'_>) -> Option<Role> {
    let target = Target::Role(name);
    let get_role = r.text(dir, Doc::GetRole, target);
    let summary = get_role.as_ref().and_then(|(file, text)| {
        let summary = r.json(file, aws_json::read_role_summary(text))?;
        let trusted = r.policy(file, PolicyKind::Trust);
        let expected = replication_model::ids::role_arn(account, &summary.path, name);
        if summary.role_name.value != name || summary.arn.value != expected {
            r.problems.push(ImportProblem::at(
                ProblemKind::Duplicate,
                file,
                summary.arn.at,
                format!(
                    "this is role `{}`, but the file is in the folder of `{expected}`; move it to the role's own folder",
                    summary.arn.value
                ),
            ));
            return None;
        }
        trusted.then_some(summary)
    });
    let inline_list = r
        .text(dir, Doc::ListRolePolicies, target)
        .and_then(|(file, text)| r.json(&file, aws_json::read_list_role_policies(&text)));
    let attached = r
        .text(dir, Doc::ListAttachedRolePolicies, target)
        .and_then(|(file, text)| r.json(&file, aws_json::read_list_attached_role_policies(&text)));
    let mut inline = Vec::new();
    for policy in inline_list.iter().flatten() {
        let file = dir.join(format!("get-role-policy.{}.json", policy.value));
        if !r.real(&file).exists() {
            r.problems.push(ImportProblem::file(
                ProblemKind::Missing,
                &file,
                format!(
                    "missing: `list-role-policies.json` names inline policy `{}`; fetch it with `aws iam get-role-policy --role-name {name} --policy-name {} > {}`",
                    policy.value,
                    policy.value,
                    file.display()
                ),
            ));
        } else if r.policy(&file, PolicyKind::RoleInline) {
            inline.push((policy.value.clone(), file));
        }
    }
    let mut managed = Vec::new();
    for policy in attached.iter().flatten() {
        let file = dir.join(format!("get-policy-version.{}.json", policy.name.value));
        if !r.real(&file).exists() {
            r.problems.push(ImportProblem::file(
                ProblemKind::Missing,
                &file,
                format!(
                    "missing: `list-attached-role-policies.json` names managed policy `{arn}`; fetch it with `aws iam get-policy-version --policy-arn {arn} --version-id $(aws iam get-policy --policy-arn {arn} --query Policy.DefaultVersionId --output text) > {}`",
                    file.display(),
                    arn = policy.arn,
                ),
            ));
        } else if r.policy(&file, PolicyKind::RoleInline) {
            managed.push((policy.name.value.clone(), file));
        }
    }
    stray_role_files(dir, &inline_list, &attached, r);
    Some(Role {
        dir: dir.to_owned(),
        summary: summary?,
        get_role: get_role?.0,
        inline,
        managed,
    })
}

/// Files in a role's folder that no listing names: refused, so a policy is never imported that
/// the role no longer has, nor one dropped without a word.
fn stray_role_files(
    dir: &Path,
    inline: &Option<Vec<Located<String>>>,
    attached: &Option<Vec<aws_json::AttachedPolicy>>,
    r: &mut Reader<'_>,
) {
    let real = r.real(dir);
    let mut listing = Vec::new();
    let Some(entries) = crate::layout::list(&real, dir, &mut listing) else {
        r.problems.extend(listing);
        return;
    };
    for (file, _) in entries {
        let fixed = [
            Doc::GetRole.file_name(),
            Doc::ListRolePolicies.file_name(),
            Doc::ListAttachedRolePolicies.file_name(),
        ];
        if fixed.contains(&file.as_str()) {
            continue;
        }
        let named = |prefix: &str| {
            file.strip_prefix(prefix)
                .and_then(|rest| rest.strip_suffix(".json"))
        };
        let ok = named("get-role-policy.")
            .is_some_and(|n| inline.iter().flatten().any(|p| p.value == n))
            || named("get-policy-version.")
                .is_some_and(|n| attached.iter().flatten().any(|p| p.name.value == n));
        let is_policy =
            file.starts_with("get-role-policy.") || file.starts_with("get-policy-version.");
        // A policy file whose listing could not be read is reported with the listing.
        let listing_missing = (file.starts_with("get-role-policy.") && inline.is_none())
            || (file.starts_with("get-policy-version.") && attached.is_none());
        if ok || listing_missing {
            continue;
        }
        let message = if is_policy {
            "no listing names this policy (`list-role-policies.json`, `list-attached-role-policies.json`); refetch the listings or remove the file"
        } else {
            "not a file of a role's folder; expected `get-role.json`, `list-role-policies.json`, `list-attached-role-policies.json`, `get-role-policy.<name>.json` or `get-policy-version.<name>.json`"
        };
        r.problems.push(ImportProblem::file(
            ProblemKind::Layout,
            &dir.join(&file),
            message,
        ));
    }
}

fn key(account: &str, region: &str, key_id: &str, dir: &Path, r: &mut Reader<'_>) -> Option<Key> {
    let target = Target::Key {
        key: key_id,
        region,
    };
    let describe = r.text(dir, Doc::DescribeKey, target);
    let meta = describe
        .as_ref()
        .and_then(|(file, text)| r.json(file, aws_json::read_describe_key(text)));
    let policy = dir.join(Doc::GetKeyPolicy.file_name());
    let policy_ok = if r.real(&policy).exists() {
        r.policy(&policy, PolicyKind::Key)
    } else {
        r.text(dir, Doc::GetKeyPolicy, target);
        false
    };
    let (describe_key, _) = describe?;
    let meta = meta?;
    if meta.key_id.value != key_id || meta.region != region || meta.account_id != account {
        r.problems.push(ImportProblem::at(
            ProblemKind::Duplicate,
            &describe_key,
            meta.arn.at,
            format!(
                "this describes key `{}`, but the file is in the folder of key `{key_id}` of account `{account}` in `{region}`; move it to `{account}/{}/kms/{}/`",
                meta.arn.value, meta.region, meta.key_id.value
            ),
        ));
        return None;
    }
    policy_ok.then(|| Key {
        region: region.to_owned(),
        meta,
        describe_key,
        policy,
    })
}

fn bucket(region: &str, name: &str, dir: &Path, r: &mut Reader<'_>) -> Option<Bucket> {
    let target = Target::Bucket(name);
    let versioning = r
        .text(dir, Doc::BucketVersioning, target)
        .and_then(|(file, text)| r.json(&file, aws_json::read_bucket_versioning(&text)));
    let encryption = r
        .text(dir, Doc::BucketEncryption, target)
        .and_then(|(file, text)| {
            let enc = r.json(&file, aws_json::read_bucket_encryption(&text))?;
            Some((file, enc))
        });
    let policy = r
        .text(dir, Doc::BucketPolicy, target)
        .and_then(|(file, text)| {
            // An empty file records S3's NoSuchBucketPolicy.
            if text.trim().is_empty() {
                return Some(None);
            }
            r.policy(&file, PolicyKind::Bucket).then_some(Some(file))
        });
    let replication = r
        .text(dir, Doc::BucketReplication, target)
        .and_then(|(file, text)| {
            // An empty file records S3's ReplicationConfigurationNotFoundError.
            if text.trim().is_empty() {
                return Some(None);
            }
            let config = r.json(&file, aws_json::read_replication_configuration(&text))?;
            Some(Some((file, config)))
        });
    let ownership_file = dir.join(Doc::BucketOwnershipControls.file_name());
    let ownership = if r.real(&ownership_file).exists() {
        let text = r.text_at(&ownership_file, Doc::BucketOwnershipControls, target)?;
        Some(r.json(
            &ownership_file,
            aws_json::read_bucket_ownership_controls(&text),
        )?)
    } else {
        None
    };
    Some(Bucket {
        name: name.to_owned(),
        region: region.to_owned(),
        dir: dir.to_owned(),
        versioning: versioning?,
        encryption: encryption?,
        policy: policy?,
        replication: replication?,
        ownership,
    })
}
