//! A role as the AWS CLI lists it: `aws iam get-role` (name, path, ARN; the trust policy itself
//! is read by `replication_policy::Document`), `list-role-policies` (inline policy names) and
//! `list-attached-role-policies` (managed policy ARNs).

use super::read::Cx;
use super::{CliDocument, JsonProblem, Located, finish, parse, unwrap};

/// The identity of a role from `aws iam get-role`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSummary {
    /// `Role.RoleName`, located.
    pub role_name: Located<String>,
    /// `Role.Path`.
    pub path: String,
    /// `Role.Arn`, located.
    pub arn: Located<String>,
}

/// One managed policy attached to a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedPolicy {
    /// `PolicyName`, located.
    pub name: Located<String>,
    /// `PolicyArn`.
    pub arn: String,
}

/// Reads the role's identity from `aws iam get-role` output. Other members of `Role`
/// (`CreateDate`, `RoleLastUsed`, `Tags`, ...) are not refused.
pub fn read_role_summary(text: &str) -> Result<RoleSummary, Vec<JsonProblem>> {
    let root = parse(text)?;
    let mut cx = Cx::new(text);
    let role = unwrap(&mut cx, &root, CliDocument::GetRole, &[]).and_then(|(obj, path)| {
        let field = |cx: &mut Cx<'_>, key: &str| {
            let v = cx.required(obj, &path, key)?;
            let s = cx.string(v, &format!("Role.{key}"))?.to_owned();
            Some(cx.located(v.span.start, s))
        };
        let name = field(&mut cx, "RoleName");
        let role_path = field(&mut cx, "Path");
        let arn = field(&mut cx, "Arn");
        Some(RoleSummary {
            role_name: name?,
            path: role_path?.value,
            arn: arn?,
        })
    });
    finish(cx, role)
}

/// Reads `aws iam list-role-policies` output (`{"PolicyNames": [...]}`).
pub fn read_list_role_policies(text: &str) -> Result<Vec<Located<String>>, Vec<JsonProblem>> {
    let root = parse(text)?;
    let mut cx = Cx::new(text);
    let names = unwrap(
        &mut cx,
        &root,
        CliDocument::ListRolePolicies,
        &["PolicyNames"],
    )
    .and_then(|(obj, _)| {
        cx.known_members(obj, "", &["PolicyNames", "IsTruncated", "Marker"]);
        truncated(&mut cx, obj, CliDocument::ListRolePolicies);
        let list = cx.required(obj, "", "PolicyNames")?;
        let items = cx.array(list, "PolicyNames")?;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let s = cx.string(v, &format!("PolicyNames[{i}]"))?.to_owned();
                Some(cx.located(v.span.start, s))
            })
            .collect::<Option<Vec<_>>>()
    });
    finish(cx, names)
}

/// Reads `aws iam list-attached-role-policies` output (`{"AttachedPolicies": [...]}`).
pub fn read_list_attached_role_policies(
    text: &str,
) -> Result<Vec<AttachedPolicy>, Vec<JsonProblem>> {
    let root = parse(text)?;
    let mut cx = Cx::new(text);
    let list = unwrap(
        &mut cx,
        &root,
        CliDocument::ListAttachedRolePolicies,
        &["AttachedPolicies"],
    )
    .and_then(|(obj, _)| {
        cx.known_members(obj, "", &["AttachedPolicies", "IsTruncated", "Marker"]);
        truncated(&mut cx, obj, CliDocument::ListAttachedRolePolicies);
        let list = cx.required(obj, "", "AttachedPolicies")?;
        let items = cx.array(list, "AttachedPolicies")?;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let path = format!("AttachedPolicies[{i}]");
                let o = cx.object(v, &path)?;
                cx.known_members(o, &path, &["PolicyName", "PolicyArn"]);
                let name = cx.required(o, &path, "PolicyName")?;
                let n = cx.string(name, &format!("{path}.PolicyName"))?.to_owned();
                let arn = cx.required(o, &path, "PolicyArn")?;
                let a = cx.string(arn, &format!("{path}.PolicyArn"))?.to_owned();
                Some(AttachedPolicy {
                    name: cx.located(name.span.start, n),
                    arn: a,
                })
            })
            .collect::<Option<Vec<_>>>()
    });
    finish(cx, list)
}

/// A listing cut short by paging would hide policies: the CLI pages on its own unless told
/// `--no-paginate`, so a truncated one is refused.
fn truncated(cx: &mut Cx<'_>, obj: super::read::Obj<'_, '_>, doc: CliDocument) {
    if let Some(v) = obj.get("IsTruncated")
        && cx.boolean(v, "IsTruncated") == Some(true)
    {
        cx.error(
            v.span.start,
            format!(
                "the listing is truncated (`IsTruncated` is `true`), so some policies are missing; run `{}` without `--max-items` or `--no-paginate`",
                doc.command()
            ),
        );
    }
}

/// Reads `aws iam list-account-aliases` output (`{"AccountAliases": ["acme-prod"]}`); an account
/// has at most one alias.
pub fn read_list_account_aliases(text: &str) -> Result<Vec<String>, Vec<JsonProblem>> {
    let root = parse(text)?;
    let mut cx = Cx::new(text);
    let aliases = unwrap(
        &mut cx,
        &root,
        CliDocument::ListAccountAliases,
        &["AccountAliases"],
    )
    .and_then(|(obj, _)| {
        cx.known_members(obj, "", &["AccountAliases", "IsTruncated", "Marker"]);
        let list = cx.required(obj, "", "AccountAliases")?;
        let items = cx.array(list, "AccountAliases")?;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                cx.string(v, &format!("AccountAliases[{i}]"))
                    .map(str::to_owned)
            })
            .collect::<Option<Vec<_>>>()
    });
    finish(cx, aliases)
}
