//! Policy documents in the shapes the AWS CLI prints them, recognised in one place.
//!
//! Users have their policies as AWS CLI output, not as bare documents: `aws s3api
//! get-bucket-policy` and `aws kms get-key-policy` print `{"Policy": "<the document as a JSON
//! string>"}`, `aws iam get-role-policy` wraps it in `PolicyDocument`, `aws iam get-role` in
//! `Role.AssumeRolePolicyDocument`, `aws iam get-policy-version` in `PolicyVersion.Document`.
//! [`Document::unwrap_aws_json`] finds the document in any of these (or takes a bare one), and
//! every error, even one inside a document held as a JSON string, is located in the text the
//! user gave, so `line:col` points at the character in their file.

use std::borrow::Cow;

use crate::error::Location;
use crate::json::{self, Kind, Member, Value};
use crate::{Policy, PolicyError};

/// Where a policy document was found: a bare document or the output of one AWS CLI command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// A policy document on its own (`{"Version": ..., "Statement": [...]}`).
    Bare,
    /// `{"Policy": "<document as a string>"}`, printed by `aws s3api get-bucket-policy` and
    /// `aws kms get-key-policy` (which may add `"PolicyName": "default"`).
    PolicyString,
    /// `aws iam get-role-policy`: `PolicyDocument`, a string or an object.
    GetRolePolicy,
    /// `aws iam get-role`: `Role.AssumeRolePolicyDocument`, the role's trust policy.
    GetRole,
    /// `aws iam get-policy-version`: `PolicyVersion.Document`, a managed policy.
    GetPolicyVersion,
}

impl Source {
    /// Where the document sits, as a user would look for it: `` `.Policy` (a JSON string) ``.
    pub const fn member(self) -> &'static str {
        match self {
            Source::Bare => "the whole text",
            Source::PolicyString => "`Policy`",
            Source::GetRolePolicy => "`PolicyDocument`",
            Source::GetRole => "`Role.AssumeRolePolicyDocument`",
            Source::GetPolicyVersion => "`PolicyVersion.Document`",
        }
    }

    /// The AWS CLI commands whose output has this shape.
    pub const fn commands(self) -> &'static str {
        match self {
            Source::Bare => "a bare policy document",
            Source::PolicyString => "`aws s3api get-bucket-policy` or `aws kms get-key-policy`",
            Source::GetRolePolicy => "`aws iam get-role-policy`",
            Source::GetRole => "`aws iam get-role`",
            Source::GetPolicyVersion => "`aws iam get-policy-version`",
        }
    }
}

/// A policy document found in AWS CLI output or given bare, with the way back from positions
/// in the document to positions in the text it came from.
#[derive(Debug, Clone)]
pub struct Document<'t> {
    outer: &'t str,
    text: Cow<'t, str>,
    source: Source,
    offsets: OffsetMap,
}

impl<'t> Document<'t> {
    /// Parses `text` as a bare policy document or as the output of one of the AWS CLI commands
    /// [`Source`] lists, and compiles the policy. Errors are located in `text`.
    ///
    /// ```
    /// use replication_policy::{Document, Source};
    /// let cli = r#"{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"}"#;
    /// let (policy, source) = Document::from_aws_json(cli)?;
    /// assert_eq!(source, Source::PolicyString);
    /// assert_eq!(policy.statements().len(), 1);
    /// # Ok::<(), replication_policy::PolicyError>(())
    /// ```
    pub fn from_aws_json(text: &str) -> Result<(Policy, Source), PolicyError> {
        let document = Document::unwrap_aws_json(text)?;
        let policy = document.parse()?;
        Ok((policy, document.source))
    }

    /// Finds the policy document in `text` without compiling it.
    pub fn unwrap_aws_json(text: &'t str) -> Result<Document<'t>, PolicyError> {
        let bare = || Document {
            outer: text,
            text: Cow::Borrowed(text),
            source: Source::Bare,
            offsets: OffsetMap::Shift(0),
        };
        // Invalid JSON and non-objects get the policy reader's own messages.
        let Ok(root) = json::parse(text) else {
            return Ok(bare());
        };
        let Kind::Object(members) = &root.kind else {
            return Ok(bare());
        };
        if members
            .iter()
            .any(|m| matches!(&*m.key, "Statement" | "Version" | "Id"))
        {
            return Ok(bare());
        }
        let found = if let Some(m) = member(members, "PolicyDocument") {
            Some((Source::GetRolePolicy, &m.value))
        } else if let Some(role) = member(members, "Role") {
            let inner = object_member(&role.value, "AssumeRolePolicyDocument");
            Some((
                Source::GetRole,
                inner.ok_or_else(|| missing(text, role, Source::GetRole))?,
            ))
        } else if let Some(version) = member(members, "PolicyVersion") {
            let inner = object_member(&version.value, "Document");
            Some((
                Source::GetPolicyVersion,
                inner.ok_or_else(|| missing(text, version, Source::GetPolicyVersion))?,
            ))
        } else if let Some(policy) = member(members, "Policy") {
            match &policy.value.kind {
                Kind::String(_) => Some((Source::PolicyString, &policy.value)),
                // `aws iam get-policy` prints the managed policy's metadata under `Policy`.
                Kind::Object(meta) if member(meta, "DefaultVersionId").is_some() => {
                    return Err(error(
                        text,
                        policy.key_span.start,
                        "this looks like `aws iam get-policy` output, which holds the policy's metadata, not its document; give the output of `aws iam get-policy-version --policy-arn <Arn> --version-id <DefaultVersionId>` instead",
                    ));
                }
                _ => Some((Source::PolicyString, &policy.value)),
            }
        } else {
            None
        };
        let Some((source, value)) = found else {
            return match find_document(members, &mut Vec::new()) {
                Some((path, at)) => Err(error(
                    text,
                    at,
                    format!(
                        "this looks like the output of an AWS CLI command that is not read here; its policy document seems to be in `{path}`; give that document alone, or the output of `aws s3api get-bucket-policy`, `aws kms get-key-policy`, `aws iam get-role-policy`, `aws iam get-role` or `aws iam get-policy-version`"
                    ),
                )),
                // Nothing that looks like a document: the policy reader names the first
                // element it does not know.
                None => Ok(bare()),
            };
        };
        match &value.kind {
            Kind::String(inner) => Ok(Document {
                outer: text,
                text: Cow::Owned(inner.to_string()),
                source,
                offsets: OffsetMap::escaped(text, value.span.start),
            }),
            Kind::Object(_) => Ok(Document {
                outer: text,
                text: Cow::Borrowed(&text[value.span.start..value.span.end]),
                source,
                offsets: OffsetMap::Shift(value.span.start),
            }),
            _ => Err(error(
                text,
                value.span.start,
                format!(
                    "{} in {} output must be a policy document (an object or a JSON string), found {}",
                    source.member(),
                    source.commands(),
                    value.type_name()
                ),
            )),
        }
    }

    /// The policy document itself (decoded, for one held as a JSON string).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where the document was found.
    pub fn source(&self) -> Source {
        self.source
    }

    /// Compiles the document; errors are located in the text given to
    /// [`Document::unwrap_aws_json`].
    pub fn parse(&self) -> Result<Policy, PolicyError> {
        let relocate = |l: Location| self.relocate(l);
        match Policy::parse_json(&self.text) {
            Ok(mut policy) => {
                policy.map_locations(relocate);
                Ok(policy)
            }
            Err(e) => Err(e.map_location(relocate)),
        }
    }

    /// A position in the document as a position in the text it came from.
    pub fn relocate(&self, location: Location) -> Location {
        match self.offsets {
            OffsetMap::Shift(0) => location,
            _ => Location::in_text(self.outer, self.offsets.outer(location.offset)),
        }
    }
}

fn member<'m, 'a>(members: &'m [Member<'a>], key: &str) -> Option<&'m Member<'a>> {
    members.iter().find(|m| m.key == key)
}

fn object_member<'v, 'a>(value: &'v Value<'a>, key: &str) -> Option<&'v Value<'a>> {
    match &value.kind {
        Kind::Object(members) => member(members, key).map(|m| &m.value),
        _ => None,
    }
}

fn error(text: &str, offset: usize, message: impl Into<String>) -> PolicyError {
    PolicyError::Grammar {
        location: Location::in_text(text, offset),
        statement: None,
        message: message.into(),
    }
}

fn missing(text: &str, wrapper: &Member<'_>, source: Source) -> PolicyError {
    error(
        text,
        wrapper.key_span.start,
        format!(
            "this looks like {} output, but {} is not there; give the command's whole output, unchanged",
            source.commands(),
            source.member()
        ),
    )
}

/// Depth of wrapper objects searched for a document in output this module does not know.
const SEARCH_DEPTH: usize = 4;

/// The first member (depth first, in source order) that holds a policy document: an object with
/// `Statement`, or a string whose JSON is one. Returns its path and where its key starts.
fn find_document(members: &[Member<'_>], path: &mut Vec<String>) -> Option<(String, usize)> {
    if path.len() >= SEARCH_DEPTH {
        return None;
    }
    for m in members {
        let holds = match &m.value.kind {
            Kind::Object(inner) => member(inner, "Statement").is_some(),
            Kind::String(s) => json::parse(s).is_ok_and(|v| match &v.kind {
                Kind::Object(inner) => member(inner, "Statement").is_some(),
                _ => false,
            }),
            _ => false,
        };
        if holds {
            path.push(m.key.to_string());
            return Some((path.join("."), m.key_span.start));
        }
        if let Kind::Object(inner) = &m.value.kind {
            path.push(m.key.to_string());
            if let Some(found) = find_document(inner, path) {
                return Some(found);
            }
            path.pop();
        }
    }
    None
}

/// How byte offsets in a document map back to the text it came from.
#[derive(Debug, Clone)]
enum OffsetMap {
    /// The document is a slice of the text starting here.
    Shift(usize),
    /// The document is a decoded JSON string: runs of `(document offset, text offset)` where the
    /// two advance together until the next run (an escape starts a run of its own).
    Escaped(Vec<(usize, usize)>),
}

impl OffsetMap {
    /// Maps a JSON string literal starting at `quote` (its opening `"`) in `text`. The literal
    /// has been read by the JSON parser already, so it is well formed.
    fn escaped(text: &str, quote: usize) -> OffsetMap {
        let bytes = text.as_bytes();
        let mut runs = vec![(0, quote + 1)];
        let mut src = quote + 1;
        let mut doc = 0;
        while let Some(&b) = bytes.get(src) {
            match b {
                b'"' => break,
                b'\\' => {
                    let (decoded_len, escape_len) = escape_lengths(&bytes[src..]);
                    if runs.last().is_some_and(|&(d, _)| d != doc) {
                        runs.push((doc, src));
                    } else if let Some(last) = runs.last_mut() {
                        *last = (doc, src);
                    }
                    doc += decoded_len;
                    src += escape_len;
                    runs.push((doc, src));
                }
                _ => {
                    doc += 1;
                    src += 1;
                }
            }
        }
        OffsetMap::Escaped(runs)
    }

    fn outer(&self, offset: usize) -> usize {
        match self {
            OffsetMap::Shift(start) => start + offset,
            OffsetMap::Escaped(runs) => {
                let i = runs
                    .partition_point(|&(d, _)| d <= offset)
                    .saturating_sub(1);
                runs.get(i).map_or(offset, |&(d, s)| s + (offset - d))
            }
        }
    }
}

/// For an escape sequence at the start of `raw`: the UTF-8 length of what it decodes to and the
/// length of the escape itself (a surrogate pair's two `\u` escapes count as one).
fn escape_lengths(raw: &[u8]) -> (usize, usize) {
    if raw.get(1) != Some(&b'u') {
        return (1, 2);
    }
    let hex = |at: usize| {
        raw.get(at..at + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    match hex(2) {
        Some(high @ 0xD800..=0xDBFF) => {
            let low = (raw.get(6..8) == Some(b"\\u")).then(|| hex(8)).flatten();
            match low {
                Some(0xDC00..=0xDFFF) => (4, 12),
                _ => (char_len(high), 6),
            }
        }
        Some(code) => (char_len(code), 6),
        None => (1, 2),
    }
}

/// UTF-8 length of a code point as the JSON reader decodes it (a lone surrogate becomes U+FFFD).
fn char_len(code: u32) -> usize {
    char::from_u32(code).map_or('\u{FFFD}'.len_utf8(), char::len_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;

    fn as_json_string(doc: &str) -> String {
        serde_json::to_string(doc).unwrap()
    }

    #[test]
    fn bare_documents_pass_through() {
        let (policy, source) = Document::from_aws_json(DOC).unwrap();
        assert_eq!(source, Source::Bare);
        assert_eq!(policy.statements()[0].sid.as_deref(), Some("Root"));
    }

    #[test]
    fn recognises_each_cli_shape() {
        let string = as_json_string(DOC);
        let cases = [
            (format!(r#"{{"Policy": {string}}}"#), Source::PolicyString),
            (
                format!(r#"{{"Policy": {string}, "PolicyName": "default"}}"#),
                Source::PolicyString,
            ),
            (
                format!(r#"{{"RoleName": "r", "PolicyName": "p", "PolicyDocument": {DOC}}}"#),
                Source::GetRolePolicy,
            ),
            (
                format!(r#"{{"RoleName": "r", "PolicyName": "p", "PolicyDocument": {string}}}"#),
                Source::GetRolePolicy,
            ),
            (
                format!(
                    r#"{{"Role": {{"Path": "/", "RoleName": "r", "AssumeRolePolicyDocument": {DOC}}}}}"#
                ),
                Source::GetRole,
            ),
            (
                format!(
                    r#"{{"PolicyVersion": {{"Document": {DOC}, "VersionId": "v1", "IsDefaultVersion": true}}}}"#
                ),
                Source::GetPolicyVersion,
            ),
        ];
        for (text, expected) in cases {
            let (policy, source) = Document::from_aws_json(&text).unwrap();
            assert_eq!(source, expected, "{text}");
            assert_eq!(policy, Policy::parse_json(DOC).unwrap(), "{text}");
        }
    }

    /// An error inside a document held as a JSON string points at the character in the outer
    /// text, escapes and line breaks included.
    #[test]
    fn errors_in_string_documents_point_into_the_outer_text() {
        let doc = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Alow\", \"Action\": \"kms:*\", \"Resource\": \"*\"}]\n}";
        let outer = format!("{{\n  \"Policy\": {}\n}}", as_json_string(doc));
        let err = Document::from_aws_json(&outer).unwrap_err();
        let at = err.offset().unwrap();
        assert!(
            outer[at..].starts_with(r#"\"Alow\""#),
            "{err} -> {:?}",
            &outer[at..]
        );
        assert!(err.to_string().starts_with("line 2, column "), "{err}");
        assert!(err.message().contains("`Alow`"), "{err}");
    }

    #[test]
    fn surrogate_pairs_and_multibyte_escapes_keep_the_mapping() {
        let doc =
            r#"{"Statement":[{"Sid":"😀é","Effect":"Alow","Action":"kms:*","Resource":"*"}]}"#;
        let escaped = r#""{\"Statement\":[{\"Sid\":\"\ud83d\ude00\u00e9\",\"Effect\":\"Alow\",\"Action\":\"kms:*\",\"Resource\":\"*\"}]}""#;
        assert_eq!(serde_json::from_str::<String>(escaped).unwrap(), doc);
        let outer = format!(r#"{{"Policy": {escaped}}}"#);
        let err = Document::from_aws_json(&outer).unwrap_err();
        assert!(
            outer[err.offset().unwrap()..].starts_with(r#"\"Alow\""#),
            "{err}"
        );
    }

    #[test]
    fn errors_in_object_documents_point_into_the_outer_text() {
        let outer = r#"{"PolicyVersion": {"Document": {"Statement": [{"Effect": "Allow", "Action": "kms", "Resource": "*"}]}}}"#;
        let err = Document::from_aws_json(outer).unwrap_err();
        assert!(
            outer[err.offset().unwrap()..].starts_with(r#""kms""#),
            "{err}"
        );
    }

    #[test]
    fn later_checks_point_into_the_outer_text() {
        let doc = r#"{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}"#;
        let outer = format!(r#"{{"Policy": {}}}"#, as_json_string(doc));
        let (policy, _) = Document::from_aws_json(&outer).unwrap();
        let problems = policy.check_for(crate::PolicyKind::Resource(crate::ResourceKind::KmsKey));
        let at = problems[0].offset().unwrap();
        assert!(
            outer[at..].starts_with(r#"{\"Effect"#),
            "{:?}",
            &outer[at..]
        );
    }

    #[test]
    fn unknown_wrappers_name_the_member_holding_the_document() {
        let outer = format!(r#"{{"KeyMetadata": {{"KeyId": "k"}}, "Result": {{"Doc": {DOC}}}}}"#);
        let err = Document::from_aws_json(&outer).unwrap_err();
        assert!(err.message().contains("`Result.Doc`"), "{err}");
        assert!(
            outer[err.offset().unwrap()..].starts_with(r#""Doc""#),
            "{err}"
        );

        let get_policy = r#"{"Policy": {"PolicyName": "p", "Arn": "arn:aws:iam::111122223333:policy/p", "DefaultVersionId": "v3"}}"#;
        let err = Document::from_aws_json(get_policy).unwrap_err();
        assert!(
            err.message().contains("aws iam get-policy-version"),
            "{err}"
        );
    }

    #[test]
    fn a_known_wrapper_without_its_document_says_what_is_missing() {
        let err = Document::from_aws_json(r#"{"Role": {"RoleName": "r"}}"#).unwrap_err();
        assert!(
            err.message()
                .contains("`aws iam get-role` output, but `Role.AssumeRolePolicyDocument`"),
            "{err}"
        );
        let err = Document::from_aws_json(r#"{"Policy": 3}"#).unwrap_err();
        assert!(err.message().starts_with("`Policy` in `aws s3api"), "{err}");
        let err = Document::from_aws_json(r#"{"PolicyDocument": 3}"#).unwrap_err();
        assert!(err.message().contains("found a number"), "{err}");
    }

    #[test]
    fn a_document_string_that_is_not_json_is_located_in_the_string() {
        let outer = r#"{"Policy": "{\"Statement\": [}"}"#;
        let err = Document::from_aws_json(outer).unwrap_err();
        assert!(matches!(err, PolicyError::Json { .. }), "{err}");
        assert!(outer[err.offset().unwrap()..].starts_with("}\"}"), "{err}");
    }
}
