//! Reads AWS's policy JSON grammar from the spanned JSON tree, so every error points at the key
//! or value that is wrong. Structure (which keys, which JSON types) is checked here; meaning
//! (action syntax, ARNs, operators' values) is checked by the shared rule book in `policy.rs`.

use std::collections::BTreeSet;

use crate::condition::{Condition, ConditionOperator, ConditionPart};
use crate::error::Location;
use crate::json::{self, Kind, Member, Value, truncate};
use crate::policy::{
    ActionSet, CompiledStatement, Effect, PolicyVersion, ResourceSet, Site, Statement,
    StatementSources,
};
use crate::principal::{PrincipalIds, PrincipalSet, PrincipalType};
use crate::{Policy, PolicyError};

const TOP_LEVEL: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_KEYS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Maps byte offsets to line/column in time independent of the line's length, so locating
/// every statement of a one-line policy stays linear: a character is a byte that is not a UTF-8
/// continuation byte, and the characters before every [`CHUNK`]th byte are counted once.
struct Source<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
    /// `chars_before_chunk[k]`: characters in `text[..k * CHUNK]` (counted on bytes, so `k *
    /// CHUNK` need not be a character boundary).
    chars_before_chunk: Vec<usize>,
}

/// Bytes between two counted points of [`Source`].
const CHUNK: usize = 256;

fn is_char_start(b: u8) -> bool {
    b & 0xC0 != 0x80
}

impl<'t> Source<'t> {
    fn new(text: &'t str) -> Source<'t> {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut chars_before_chunk = vec![0];
        let mut n = 0;
        for chunk in text.as_bytes().chunks(CHUNK) {
            n += chunk.iter().filter(|&&b| is_char_start(b)).count();
            chars_before_chunk.push(n);
        }
        Source {
            text,
            line_starts,
            chars_before_chunk,
        }
    }

    /// Characters in `text[..offset]`.
    fn chars_before(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        let chunk = offset / CHUNK;
        self.chars_before_chunk[chunk]
            + self.text.as_bytes()[chunk * CHUNK..offset]
                .iter()
                .filter(|&&b| is_char_start(b))
                .count()
    }

    fn locate(&self, offset: usize) -> Location {
        let line_idx = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line_idx];
        let column = if self.text.is_char_boundary(offset) {
            self.chars_before(offset) - self.chars_before(start) + 1
        } else {
            1
        };
        Location {
            offset,
            line: line_idx + 1,
            column,
        }
    }

    fn error(&self, offset: usize, message: impl Into<String>) -> PolicyError {
        PolicyError::Grammar {
            location: self.locate(offset),
            statement: None,
            message: message.into(),
        }
    }
}

/// Spans of one statement's parts, to place rule-book faults.
#[derive(Default)]
struct Spans {
    statement: usize,
    sid: Option<usize>,
    principal_key: Option<usize>,
    principal: Option<usize>,
    principal_entries: Vec<(PrincipalType, Vec<usize>)>,
    not_principal_key: Option<usize>,
    not_principal: Option<usize>,
    action: usize,
    actions: Vec<usize>,
    resource_key: Option<usize>,
    resource: Option<usize>,
    resources: Vec<usize>,
    conditions: Vec<ConditionSpans>,
}

struct ConditionSpans {
    operator: usize,
    key: usize,
    values: usize,
    entries: Vec<usize>,
}

impl Spans {
    fn site(&self, site: Site) -> usize {
        match site {
            Site::Principal => self.principal,
            Site::PrincipalEntry(kind, i) => self
                .principal_entries
                .iter()
                .find(|(k, _)| *k == kind)
                .and_then(|(_, spans)| spans.get(i).copied())
                .or(self.principal),
            Site::NotPrincipal => self.not_principal_key.or(self.not_principal),
            Site::Action => Some(self.action),
            Site::ActionEntry(i) => self.actions.get(i).copied(),
            Site::Resource => self.resource,
            Site::ResourceEntry(i) => self.resources.get(i).copied(),
            Site::Condition(i, part) => self.conditions.get(i).map(|c| match part {
                ConditionPart::Operator => c.operator,
                ConditionPart::Key => c.key,
                ConditionPart::Values => c.values,
                ConditionPart::Value(v) => c.entries.get(v).copied().unwrap_or(c.values),
            }),
        }
        .unwrap_or(self.statement)
    }
}

/// Parses and compiles a policy document.
pub(crate) fn parse_policy(text: &str) -> Result<Policy, PolicyError> {
    let src = Source::new(text);
    let root = json::parse(text).map_err(|e| PolicyError::Json {
        location: src.locate(e.offset),
        message: e.message,
    })?;
    let Kind::Object(members) = &root.kind else {
        return Err(src.error(
            root.span.start,
            format!(
                "a policy must be a JSON object with a `Statement` element, found {}",
                root.type_name()
            ),
        ));
    };
    check_keys(
        &src,
        members,
        &TOP_LEVEL,
        "a policy has `Version`, `Id` and `Statement`",
    )?;

    let mut version = None;
    let mut id = None;
    let mut statement_value = None;
    for m in members {
        match &*m.key {
            "Version" => {
                let text = expect_string(&src, &m.value, "Version")?;
                version = Some(match text {
                    "2012-10-17" => PolicyVersion::V2012_10_17,
                    "2008-10-17" => PolicyVersion::V2008_10_17,
                    other => {
                        return Err(src.error(
                            m.value.span.start,
                            format!(
                                "`Version` must be `2012-10-17` or `2008-10-17`, found `{}`",
                                truncate(other)
                            ),
                        ));
                    }
                });
            }
            "Id" => id = Some(expect_string(&src, &m.value, "Id")?.to_string()),
            _ => statement_value = Some(&m.value),
        }
    }
    let Some(statement_value) = statement_value else {
        return Err(src.error(
            root.span.start,
            "policy has no `Statement`; add `\"Statement\": [{\"Effect\": \"Allow\", ...}]`",
        ));
    };
    let items: Vec<&Value<'_>> = match &statement_value.kind {
        Kind::Object(_) => vec![statement_value],
        Kind::Array(items) if items.is_empty() => {
            return Err(src.error(
                statement_value.span.start,
                "`Statement` is empty; add at least one statement",
            ));
        }
        Kind::Array(items) => items.iter().collect(),
        _ => {
            return Err(src.error(
                statement_value.span.start,
                format!(
                    "`Statement` must be an object or an array of objects, found {}",
                    statement_value.type_name()
                ),
            ));
        }
    };

    let mut statements = Vec::with_capacity(items.len());
    let mut compiled = Vec::with_capacity(items.len());
    let mut sources = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let (statement, spans) =
            read_statement(&src, item, index).map_err(|e| e.in_statement(index))?;
        // Policy variables are substituted only under Version 2012-10-17 (IAM reference).
        let variables = version == Some(PolicyVersion::V2012_10_17);
        let c = CompiledStatement::compile(&statement, variables)
            .map_err(|(site, message)| src.error(spans.site(site), message).in_statement(index))?;
        sources.push(StatementSources {
            statement: Some(src.locate(spans.statement)),
            principal_key: spans
                .principal_key
                .or(spans.not_principal_key)
                .map(|o| src.locate(o)),
            resource_key: spans.resource_key.map(|o| src.locate(o)),
            sid: spans.sid.map(|o| src.locate(o)),
            actions: spans.actions.iter().map(|&o| src.locate(o)).collect(),
        });
        statements.push(statement);
        compiled.push(c);
    }
    Ok(Policy::from_parts(
        version, id, statements, compiled, sources,
    ))
}

/// Rejects unknown and duplicate keys; element names are case-sensitive in IAM.
fn check_keys(
    src: &Source<'_>,
    members: &[Member<'_>],
    known: &[&str],
    expected: &str,
) -> Result<(), PolicyError> {
    for (i, m) in members.iter().enumerate() {
        if !known.contains(&&*m.key) {
            let hint = match known.iter().find(|k| k.eq_ignore_ascii_case(&m.key)) {
                Some(right) => format!("element names are case-sensitive; write `{right}`"),
                None => expected.to_string(),
            };
            return Err(src.error(
                m.key_span.start,
                format!("unknown element `{}`; {hint}", truncate(&m.key)),
            ));
        }
        if members[..i].iter().any(|earlier| earlier.key == m.key) {
            // serde_json would keep the last one silently; IAM rejects such documents, and a
            // silent override is exactly the mistake to surface (inferred).
            return Err(src.error(
                m.key_span.start,
                format!("duplicate element `{}`; keep only one", m.key),
            ));
        }
    }
    Ok(())
}

fn expect_string<'v>(
    src: &Source<'_>,
    value: &'v Value<'_>,
    element: &str,
) -> Result<&'v str, PolicyError> {
    match &value.kind {
        Kind::String(s) => Ok(s),
        _ => Err(src.error(
            value.span.start,
            format!("`{element}` must be a string, found {}", value.type_name()),
        )),
    }
}

/// A string or an array of strings, with the span of each entry.
fn string_list(
    src: &Source<'_>,
    value: &Value<'_>,
    element: &str,
) -> Result<(Vec<String>, Vec<usize>), PolicyError> {
    match &value.kind {
        Kind::String(s) => Ok((vec![s.to_string()], vec![value.span.start])),
        Kind::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut spans = Vec::with_capacity(items.len());
            for item in items {
                out.push(expect_string(src, item, element)?.to_string());
                spans.push(item.span.start);
            }
            Ok((out, spans))
        }
        _ => Err(src.error(
            value.span.start,
            format!(
                "`{element}` must be a string or an array of strings, found {}",
                value.type_name()
            ),
        )),
    }
}

fn read_statement(
    src: &Source<'_>,
    value: &Value<'_>,
    index: usize,
) -> Result<(Statement, Spans), PolicyError> {
    let Kind::Object(members) = &value.kind else {
        return Err(src.error(
            value.span.start,
            format!(
                "statement {index} must be a JSON object, found {}",
                value.type_name()
            ),
        ));
    };
    check_keys(
        src,
        members,
        &STATEMENT_KEYS,
        "a statement has `Sid`, `Effect`, `Principal`/`NotPrincipal`, `Action`/`NotAction`, `Resource`/`NotResource` and `Condition`",
    )?;
    let mut spans = Spans {
        statement: value.span.start,
        ..Spans::default()
    };
    let mut sid = None;
    let mut effect = None;
    let mut principal = None;
    let mut not_principal = None;
    let mut action: Option<ActionSet> = None;
    let mut resource: Option<ResourceSet> = None;
    let mut conditions = Vec::new();

    for m in members {
        let key = &*m.key;
        let v = &m.value;
        match key {
            "Sid" => {
                sid = Some(expect_string(src, v, "Sid")?.to_string());
                spans.sid = Some(v.span.start);
            }
            "Effect" => {
                let text = match &v.kind {
                    Kind::String(s) => s.as_ref(),
                    _ => {
                        return Err(src.error(
                            v.span.start,
                            format!(
                                "`Effect` must be `Allow` or `Deny`, found {}",
                                v.type_name()
                            ),
                        ));
                    }
                };
                effect = Some(match text {
                    "Allow" => Effect::Allow,
                    "Deny" => Effect::Deny,
                    other => {
                        return Err(src.error(
                            v.span.start,
                            format!(
                                "`Effect` must be `Allow` or `Deny`, found `{}`",
                                truncate(other)
                            ),
                        ));
                    }
                });
            }
            "Principal" | "NotPrincipal" => {
                let other = if key == "Principal" {
                    spans.not_principal_key
                } else {
                    spans.principal_key
                };
                if other.is_some() {
                    return Err(src.error(
                        m.key_span.start,
                        "`Principal` and `NotPrincipal` cannot both appear in one statement; keep one",
                    ));
                }
                let (set, entries) = read_principal(src, v, key)?;
                if key == "Principal" {
                    spans.principal_key = Some(m.key_span.start);
                    spans.principal = Some(v.span.start);
                    principal = Some(set);
                } else {
                    spans.not_principal_key = Some(m.key_span.start);
                    spans.not_principal = Some(v.span.start);
                    not_principal = Some(set);
                }
                spans.principal_entries = entries;
            }
            "Action" | "NotAction" => {
                if action.is_some() {
                    return Err(src.error(
                        m.key_span.start,
                        "`Action` and `NotAction` cannot both appear in one statement; keep one",
                    ));
                }
                let (list, entry_spans) = string_list(src, v, key)?;
                spans.action = v.span.start;
                spans.actions = entry_spans;
                action = Some(if key == "Action" {
                    ActionSet::Action(list)
                } else {
                    ActionSet::NotAction(list)
                });
            }
            "Resource" | "NotResource" => {
                if resource.is_some() {
                    return Err(src.error(
                        m.key_span.start,
                        "`Resource` and `NotResource` cannot both appear in one statement; keep one",
                    ));
                }
                let (list, entry_spans) = string_list(src, v, key)?;
                spans.resource_key = Some(m.key_span.start);
                spans.resource = Some(v.span.start);
                spans.resources = entry_spans;
                resource = Some(if key == "Resource" {
                    ResourceSet::Resource(list)
                } else {
                    ResourceSet::NotResource(list)
                });
            }
            _ => read_conditions(src, v, &mut conditions, &mut spans.conditions)?,
        }
    }

    let Some(effect) = effect else {
        return Err(src.error(
            value.span.start,
            format!("statement {index} has no `Effect`; add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`"),
        ));
    };
    let Some(action) = action else {
        return Err(src.error(
            value.span.start,
            format!("statement {index} has no `Action` or `NotAction`; add one, e.g. `\"Action\": \"s3:GetObject\"`"),
        ));
    };
    Ok((
        Statement {
            sid,
            effect,
            principal,
            not_principal,
            action,
            resource,
            conditions,
        },
        spans,
    ))
}

type PrincipalEntrySpans = Vec<(PrincipalType, Vec<usize>)>;

fn read_principal(
    src: &Source<'_>,
    value: &Value<'_>,
    element: &str,
) -> Result<(PrincipalSet, PrincipalEntrySpans), PolicyError> {
    match &value.kind {
        Kind::String(s) if s == "*" => Ok((PrincipalSet::Any, Vec::new())),
        Kind::Object(members) => {
            check_keys(
                src,
                members,
                &["AWS", "Service", "Federated", "CanonicalUser"],
                "principal types are `AWS`, `Service`, `Federated` and `CanonicalUser`",
            )?;
            let mut ids = PrincipalIds::default();
            let mut entry_spans = Vec::new();
            for m in members {
                let kind = PrincipalType::from_name(&m.key).unwrap_or(PrincipalType::Aws);
                let (list, spans) =
                    string_list(src, &m.value, &format!("{element}` `{}", kind.name()))?;
                *ids.list_mut(kind) = list;
                entry_spans.push((kind, spans));
            }
            Ok((PrincipalSet::Ids(ids), entry_spans))
        }
        Kind::String(other) => Err(src.error(
            value.span.start,
            format!(
                "`{element}` must be `\"*\"` or an object such as `{{\"AWS\": \"arn:aws:iam::111122223333:root\"}}`, found `{}`",
                truncate(other)
            ),
        )),
        _ => Err(src.error(
            value.span.start,
            format!(
                "`{element}` must be `\"*\"` or an object such as `{{\"AWS\": \"arn:aws:iam::111122223333:root\"}}`, found {}",
                value.type_name()
            ),
        )),
    }
}

fn read_conditions(
    src: &Source<'_>,
    value: &Value<'_>,
    out: &mut Vec<Condition>,
    spans: &mut Vec<ConditionSpans>,
) -> Result<(), PolicyError> {
    let Kind::Object(blocks) = &value.kind else {
        return Err(src.error(
            value.span.start,
            format!(
                "`Condition` must be an object such as `{{\"StringEquals\": {{\"aws:SourceAccount\": \"111122223333\"}}}}`, found {}",
                value.type_name()
            ),
        ));
    };
    for (i, block) in blocks.iter().enumerate() {
        let operator = ConditionOperator::parse(&block.key)
            .map_err(|message| src.error(block.key_span.start, message))?;
        if let Some(earlier) = blocks[..i]
            .iter()
            .find(|b| ConditionOperator::parse(&b.key) == Ok(operator))
        {
            return Err(src.error(
                block.key_span.start,
                format!(
                    "duplicate condition operator `{}` (also written `{}`); merge the keys into one block",
                    block.key, earlier.key
                ),
            ));
        }
        let Kind::Object(entries) = &block.value.kind else {
            return Err(src.error(
                block.value.span.start,
                format!(
                    "`{operator}` must map condition keys to values, e.g. `{{\"aws:SourceAccount\": \"111122223333\"}}`, found {}",
                    block.value.type_name()
                ),
            ));
        };
        if entries.is_empty() {
            return Err(src.error(
                block.value.span.start,
                format!("`{operator}` has no condition keys; add one or remove the block"),
            ));
        }
        // Keys ignore ASCII case; a set keeps the check n log n for blocks with many keys.
        let mut seen = BTreeSet::new();
        for entry in entries {
            if !seen.insert(entry.key.to_ascii_lowercase()) {
                return Err(src.error(
                    entry.key_span.start,
                    format!(
                        "duplicate condition key `{}` under `{operator}` (keys ignore case); merge the values into one array",
                        truncate(&entry.key)
                    ),
                ));
            }
            let (values, entry_spans) = condition_values(src, &entry.value, &entry.key)?;
            out.push(Condition {
                operator,
                key: entry.key.to_string(),
                values,
            });
            spans.push(ConditionSpans {
                operator: block.key_span.start,
                key: entry.key_span.start,
                values: entry.value.span.start,
                entries: entry_spans,
            });
        }
    }
    Ok(())
}

/// A scalar or array of scalars; booleans and numbers become their JSON text.
fn condition_values(
    src: &Source<'_>,
    value: &Value<'_>,
    key: &str,
) -> Result<(Vec<String>, Vec<usize>), PolicyError> {
    let scalar = |v: &Value<'_>| -> Result<String, PolicyError> {
        match &v.kind {
            Kind::String(s) => Ok(s.to_string()),
            Kind::Bool(b) => Ok(b.to_string()),
            Kind::Number(n) => Ok((*n).to_string()),
            _ => Err(src.error(
                v.span.start,
                format!(
                    "condition value for `{}` must be a string, number or boolean, found {}",
                    truncate(key),
                    v.type_name()
                ),
            )),
        }
    };
    match &value.kind {
        Kind::Array(items) => {
            let mut values = Vec::with_capacity(items.len());
            let mut spans = Vec::with_capacity(items.len());
            for item in items {
                values.push(scalar(item)?);
                spans.push(item.span.start);
            }
            Ok((values, spans))
        }
        _ => Ok((vec![scalar(value)?], vec![value.span.start])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text` expecting an error at the position of the marker `^^` (removed before
    /// parsing), and returns the message.
    fn error_at_marker(marked: &str) -> String {
        let offset = marked.find("^^").expect("test text has a ^^ marker");
        let text = marked.replacen("^^", "", 1);
        let err = Policy::parse_json(&text).expect_err("policy must be rejected");
        assert_eq!(
            err.offset(),
            Some(offset),
            "wrong offset for {text:?}: {err}"
        );
        let location = err.location().expect("located");
        assert_eq!(location, Location::in_text(&text, offset));
        err.message().to_string()
    }

    #[test]
    fn locations_count_characters_on_long_lines() {
        let text = format!("{{\"é\": [{}], \"x\":\n 1}}", "\"ü\",".repeat(300));
        let src = Source::new(&text);
        for offset in [0, 1, 3, 255, 256, 257, 600, text.len() - 3, text.len() - 1] {
            if text.is_char_boundary(offset) {
                assert_eq!(
                    src.locate(offset),
                    Location::in_text(&text, offset),
                    "{offset}"
                );
            }
        }
    }

    /// A one-line policy of 100,000 statements parses whole, and every statement is located on
    /// line 1 at its own column. (Locating used to count from the line start for each statement:
    /// quadratic, 56 s at this size; the bench shows the difference, this test only correctness.)
    #[test]
    fn a_one_line_policy_of_100k_statements_parses() {
        let one = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#;
        let n = 100_000;
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            vec![one; n].join(",")
        );
        let policy = Policy::parse_json(&text).expect("valid");
        assert_eq!(policy.statements().len(), n);
        let sources = policy.sources.as_ref().expect("from text");
        let last = sources[n - 1].statement.expect("located");
        assert_eq!(
            (last.line, last.column),
            (1, 38 + (n - 1) * (one.len() + 1))
        );
    }

    /// A condition block of 10,000 keys parses, and a duplicate among them (keys ignore case) is
    /// still found. (The duplicate check used to compare each key with every earlier one.)
    #[test]
    fn a_condition_block_of_10k_keys_parses_and_duplicates_are_found() {
        let keys: Vec<String> = (0..10_000)
            .map(|i| format!(r#""aws:PrincipalTag/k{i}":"v""#))
            .collect();
        let doc = |keys: &str| {
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{{"StringEquals":{{{keys}}}}}}}]}}"#
            )
        };
        let policy = Policy::parse_json(&doc(&keys.join(","))).expect("valid");
        assert_eq!(policy.statements()[0].conditions.len(), 10_000);
        let dup = format!(r#"{},"AWS:principaltag/K5":"w""#, keys.join(","));
        let err = Policy::parse_json(&doc(&dup)).expect_err("duplicate key");
        assert!(
            err.message()
                .starts_with("duplicate condition key `AWS:principaltag/K5` under `StringEquals`"),
            "{err}"
        );
    }

    #[test]
    fn iam_refuses_malformed_and_duplicate_sids() {
        let marked = r#"{"Statement": [
            {"Sid": "Read1", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Sid": ^^"Read 2", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
            {"Sid": %%"Read1", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}"#;
        let first = marked.find("^^").unwrap();
        let second = marked.find("%%").unwrap() - 2;
        let text = marked.replacen("^^", "", 1).replacen("%%", "", 1);
        let policy = Policy::parse_json(&text).expect("the grammar allows any Sid");
        let problems = policy.iam_sid_problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].offset(), Some(first));
        assert_eq!(
            problems[0].message(),
            "`Sid` `Read 2` is not accepted by IAM; a `Sid` uses only ASCII letters and digits (A-Z, a-z, 0-9), like `AllowReplication`"
        );
        assert_eq!(problems[1].offset(), Some(second));
        assert_eq!(problems[1].statement_index(), Some(2));
        assert_eq!(
            problems[1].message(),
            "`Sid` `Read1` is also the `Sid` of statement 0; IAM needs every `Sid` of a policy to be unique, rename one"
        );
        assert_eq!(policy.check_for(crate::PolicyKind::Identity).len(), 2);
        // S3 and KMS take other Sids: the default key policy's has spaces.
        let key_policy = Policy::parse_json(
            r#"{"Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}"#,
        )
        .expect("valid");
        assert!(
            key_policy
                .check_for(crate::PolicyKind::Resource(crate::ResourceKind::KmsKey))
                .is_empty()
        );
        assert_eq!(key_policy.iam_sid_problems().len(), 1);
    }

    #[test]
    fn unknown_effect_points_at_the_value() {
        let msg = error_at_marker(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": ^^"Alow", "Action": "s3:*", "Resource": "*"}]}"#,
        );
        assert_eq!(msg, "`Effect` must be `Allow` or `Deny`, found `Alow`");
    }

    #[test]
    fn grammar_errors_name_their_statement() {
        let text = r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                                     {"Effect": "Allow", "Action": "GetObject", "Resource": "*"}]}"#;
        let err = Policy::parse_json(text).expect_err("invalid action");
        assert_eq!(err.statement_index(), Some(1));
        let err = Policy::parse_json(r#"{"Statement": []}"#).expect_err("empty");
        assert_eq!(err.statement_index(), None);
        let err = Policy::parse_json("{").expect_err("bad json");
        assert_eq!(err.statement_index(), None);
    }

    #[test]
    fn missing_effect_points_at_the_statement() {
        let msg = error_at_marker(r#"{"Statement": [^^{"Action": "s3:*", "Resource": "*"}]}"#);
        assert_eq!(
            msg,
            "statement 0 has no `Effect`; add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`"
        );
    }

    #[test]
    fn action_without_colon_points_at_the_entry() {
        let msg = error_at_marker(
            "{\"Statement\": {\n  \"Effect\": \"Allow\",\n  \"Action\": [\"s3:GetObject\", ^^\"PutObject\"],\n  \"Resource\": \"*\"}}",
        );
        assert_eq!(
            msg,
            "`Action` entry `PutObject` must be `service:action`, e.g. `s3:PutObject` or `kms:Decrypt`"
        );
    }

    #[test]
    fn unknown_condition_operator_points_at_the_operator() {
        let msg = error_at_marker(
            r#"{"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
               "Condition": {^^"StringEqual": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}]}"#,
        );
        assert_eq!(
            msg,
            "unknown condition operator `StringEqual`; did you mean `StringEquals`?"
        );
    }

    #[test]
    fn action_and_not_action_together_points_at_the_second() {
        let msg = error_at_marker(
            r#"{"Statement": [{"Effect": "Deny", "Action": "s3:*", ^^"NotAction": "kms:*", "Resource": "*"}]}"#,
        );
        assert_eq!(
            msg,
            "`Action` and `NotAction` cannot both appear in one statement; keep one"
        );
    }

    #[test]
    fn empty_statement_list_points_at_the_array() {
        let msg = error_at_marker(r#"{"Version": "2012-10-17", "Statement": ^^[]}"#);
        assert_eq!(msg, "`Statement` is empty; add at least one statement");
    }

    #[test]
    fn invalid_json_reports_the_syntax_position() {
        let msg = error_at_marker(
            "{\"Statement\": [\n  {\"Effect\": \"Allow\" ^^\"Action\": \"s3:*\"}\n]}",
        );
        assert_eq!(
            msg,
            "expected `,` or `}` after an object member, found `\"`"
        );
        let msg = error_at_marker(
            "{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"}^^,]}",
        );
        assert_eq!(msg, "trailing comma before `]`; remove the `,`");
        let msg = error_at_marker("{\"Statement\": [{\"Effect\": \"Allow\"^^");
        assert!(
            msg.starts_with("unexpected end of input inside an object"),
            "{msg}"
        );
    }

    #[test]
    fn bad_values_point_at_the_value() {
        let msg = error_at_marker(
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ^^"source-bucket/*"}]}"#,
        );
        assert_eq!(
            msg,
            "`Resource` entry `source-bucket/*` must be `*` or an ARN such as `arn:aws:s3:::source-bucket/*`"
        );
        let msg = error_at_marker(
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*",
               "Condition": {"Bool": {"aws:SecureTransport": ["true", ^^"yes"]}}}]}"#,
        );
        assert_eq!(
            msg,
            "`Bool` value `yes` for `aws:SecureTransport` is not a boolean; write `true` or `false`"
        );
        let msg = error_at_marker(
            r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["111122223333", ^^"arn:aws:iam::111122223333:role/*"]}, "Action": "s3:*", "Resource": "*"}]}"#,
        );
        assert!(msg.contains("cannot use wildcards"), "{msg}");
        let msg = error_at_marker(r#"{"Version": ^^"2012-10-18", "Statement": []}"#);
        assert_eq!(
            msg,
            "`Version` must be `2012-10-17` or `2008-10-17`, found `2012-10-18`"
        );
    }

    #[test]
    fn unknown_and_duplicate_elements_point_at_the_key() {
        let msg = error_at_marker(
            r#"{"Statement": [{^^"effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#,
        );
        assert_eq!(
            msg,
            "unknown element `effect`; element names are case-sensitive; write `Effect`"
        );
        let msg = error_at_marker(
            r#"{"Statement": [{"Effect": "Allow", ^^"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}"#,
        );
        assert_eq!(msg, "duplicate element `Effect`; keep only one");
        let msg = error_at_marker(
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resources": "*"}], ^^"Foo": 1}"#,
        );
        assert!(msg.starts_with("unknown element `Foo`"), "{msg}");
    }

    #[test]
    fn wrong_json_types_point_at_the_value() {
        let msg = error_at_marker(r#"^^["not", "a", "policy"]"#);
        assert!(msg.starts_with("a policy must be a JSON object"), "{msg}");
        let msg = error_at_marker(
            r#"{"Statement": [{"Effect": "Allow", "Action": [^^7], "Resource": "*"}]}"#,
        );
        assert_eq!(msg, "`Action` must be a string, found a number");
        let msg = error_at_marker(
            r#"{"Statement": [{"Effect": "Allow", "Principal": ^^"arn:aws:iam::111122223333:root", "Action": "s3:*", "Resource": "*"}]}"#,
        );
        assert!(
            msg.starts_with("`Principal` must be `\"*\"` or an object"),
            "{msg}"
        );
        let msg = error_at_marker(
            r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceAccount": ^^null}}}]}"#,
        );
        assert!(
            msg.starts_with("condition value for `aws:SourceAccount` must be"),
            "{msg}"
        );
        let msg = error_at_marker(r#"^^{"Version": "2012-10-17"}"#);
        assert!(msg.starts_with("policy has no `Statement`"), "{msg}");
    }

    #[test]
    fn accepts_aws_shapes() {
        let p = Policy::parse_json(
            r#"{
              "Version": "2008-10-17",
              "Id": "key-default-1",
              "Statement": {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": ["arn:aws:iam::111122223333:root"], "Service": "s3.amazonaws.com"},
                "Action": "kms:*",
                "Resource": "*",
                "Condition": {
                  "Bool": {"aws:SecureTransport": true},
                  "NumericLessThan": {"s3:max-keys": 10},
                  "ForAnyValue:StringLike": {"kms:EncryptionContextKeys": ["aws:*", "team"]}
                }
              }
            }"#,
        )
        .expect("valid");
        assert_eq!(p.version(), Some(PolicyVersion::V2008_10_17));
        assert_eq!(p.id(), Some("key-default-1"));
        let st = &p.statements()[0];
        assert_eq!(st.sid.as_deref(), Some("Enable IAM User Permissions"));
        assert_eq!(st.conditions.len(), 3);
        assert_eq!(st.conditions[0].values, ["true"]);
        assert_eq!(st.conditions[1].values, ["10"]);
        let Some(PrincipalSet::Ids(ids)) = &st.principal else {
            panic!("principal ids expected")
        };
        assert_eq!(ids.service, ["s3.amazonaws.com"]);
        let again = Policy::parse_json(&p.to_json_pretty()).expect("canonical form parses");
        assert_eq!(again, p);
        assert!(Policy::parse_json(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#).is_ok());
    }

    #[test]
    fn check_for_points_into_the_text() {
        let text = r#"{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["kms:Decrypt", "s3:GetObject"], "Resource": "*"}]}"#;
        let p = Policy::parse_json(text).expect("valid");
        let problems = p.check_for(crate::PolicyKind::Resource(crate::ResourceKind::KmsKey));
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].offset(), text.find("\"s3:GetObject\""));
        let problems = p.check_for(crate::PolicyKind::Identity);
        assert_eq!(problems[0].offset(), text.find("\"Principal\""));
    }

    /// IAM reference (policy variables): `${...}` is substituted only under `2012-10-17`;
    /// without `Version` it is literal text, so the statement silently never matches.
    #[test]
    fn policy_variables_need_version_2012_10_17() {
        let statement = r#""Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                           "Resource": "arn:aws:s3:::home/${aws:username}/*"}]"#;
        let current = Policy::parse_json(&format!(r#"{{"Version": "2012-10-17", {statement}}}"#))
            .expect("valid");
        let legacy = Policy::parse_json(&format!("{{{statement}}}")).expect("valid");
        let user =
            crate::Principal::from_arn("arn:aws:iam::111122223333:user/alice").expect("valid");
        let context = crate::Context::new().with("aws:username", "alice");
        let request = crate::Request {
            principal: &user,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::home/alice/notes.txt",
            context: &context,
        };
        assert!(matches!(current.evaluate(&request), crate::Match::Allow(_)));
        assert_eq!(legacy.evaluate(&request), crate::Match::NotApplicable);
        let anonymous = crate::Context::new();
        let no_name = crate::Request {
            context: &anonymous,
            ..request
        };
        assert_eq!(current.evaluate(&no_name), crate::Match::NotApplicable);
        let msg = error_at_marker(
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ^^"arn:aws:s3:::home/${aws:username/*"}]}"#,
        );
        assert!(
            msg.starts_with(
                "policy variable in `arn:aws:s3:::home/${aws:username/*` is not closed"
            ),
            "{msg}"
        );
        assert!(Policy::parse_json(r#"{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username/*"}]}"#).is_ok(), "literal under 2008");
    }
}
