//! `Condition` blocks: operator names, value checking, and evaluation against a request context.
//!
//! Semantics follow the IAM condition reference; the traps the simulator must reproduce are cited
//! where they are implemented (aws-facts f: `ForAllValues` on a missing key is true).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use crate::glob::{Case, Glob};
use crate::variables::{Resolved, Template};
use crate::{Context, PolicyError};

/// A condition operator without set qualifier or `IfExists`, e.g. `StringEquals`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operator {
    /// Exact, case-sensitive string match.
    StringEquals,
    /// Negated `StringEquals`.
    StringNotEquals,
    /// String match ignoring case.
    StringEqualsIgnoreCase,
    /// Negated `StringEqualsIgnoreCase`.
    StringNotEqualsIgnoreCase,
    /// Case-sensitive match with `*` and `?` wildcards.
    StringLike,
    /// Negated `StringLike`.
    StringNotLike,
    /// Numbers equal.
    NumericEquals,
    /// Negated `NumericEquals`.
    NumericNotEquals,
    /// Request value < policy value.
    NumericLessThan,
    /// Request value <= policy value.
    NumericLessThanEquals,
    /// Request value > policy value.
    NumericGreaterThan,
    /// Request value >= policy value.
    NumericGreaterThanEquals,
    /// Dates equal (ISO 8601 or epoch seconds).
    DateEquals,
    /// Negated `DateEquals`.
    DateNotEquals,
    /// Request date earlier than policy date.
    DateLessThan,
    /// Request date earlier than or equal to policy date.
    DateLessThanEquals,
    /// Request date later than policy date.
    DateGreaterThan,
    /// Request date later than or equal to policy date.
    DateGreaterThanEquals,
    /// `true`/`false` match (AWS also accepts JSON booleans as values).
    Bool,
    /// Base64 value equals, compared as text.
    BinaryEquals,
    /// Request IP inside one of the CIDR ranges.
    IpAddress,
    /// Negated `IpAddress`.
    NotIpAddress,
    /// ARN match; the six colon-separated parts are matched separately, wildcards allowed.
    ArnEquals,
    /// Same as `ArnEquals` (AWS treats both alike).
    ArnLike,
    /// Negated `ArnEquals`.
    ArnNotEquals,
    /// Negated `ArnLike`.
    ArnNotLike,
    /// `true`: the key is absent; `false`: the key is present.
    Null,
}

/// Every operator with its AWS spelling: the one table names are read from and written with.
const OPERATOR_NAMES: [(Operator, &str); 27] = [
    (Operator::StringEquals, "StringEquals"),
    (Operator::StringNotEquals, "StringNotEquals"),
    (Operator::StringEqualsIgnoreCase, "StringEqualsIgnoreCase"),
    (
        Operator::StringNotEqualsIgnoreCase,
        "StringNotEqualsIgnoreCase",
    ),
    (Operator::StringLike, "StringLike"),
    (Operator::StringNotLike, "StringNotLike"),
    (Operator::NumericEquals, "NumericEquals"),
    (Operator::NumericNotEquals, "NumericNotEquals"),
    (Operator::NumericLessThan, "NumericLessThan"),
    (Operator::NumericLessThanEquals, "NumericLessThanEquals"),
    (Operator::NumericGreaterThan, "NumericGreaterThan"),
    (
        Operator::NumericGreaterThanEquals,
        "NumericGreaterThanEquals",
    ),
    (Operator::DateEquals, "DateEquals"),
    (Operator::DateNotEquals, "DateNotEquals"),
    (Operator::DateLessThan, "DateLessThan"),
    (Operator::DateLessThanEquals, "DateLessThanEquals"),
    (Operator::DateGreaterThan, "DateGreaterThan"),
    (Operator::DateGreaterThanEquals, "DateGreaterThanEquals"),
    (Operator::Bool, "Bool"),
    (Operator::BinaryEquals, "BinaryEquals"),
    (Operator::IpAddress, "IpAddress"),
    (Operator::NotIpAddress, "NotIpAddress"),
    (Operator::ArnEquals, "ArnEquals"),
    (Operator::ArnLike, "ArnLike"),
    (Operator::ArnNotEquals, "ArnNotEquals"),
    (Operator::ArnNotLike, "ArnNotLike"),
    (Operator::Null, "Null"),
];

impl Operator {
    /// The AWS spelling, e.g. `"StringNotEqualsIgnoreCase"`.
    pub fn name(self) -> &'static str {
        OPERATOR_NAMES
            .iter()
            .find(|(op, _)| *op == self)
            .map_or("Null", |(_, name)| name)
    }

    /// Every operator, in the order of the IAM condition reference.
    pub fn all() -> impl Iterator<Item = Operator> {
        OPERATOR_NAMES.iter().map(|(op, _)| *op)
    }

    /// Negated operators (`StringNotEquals`, `ArnNotLike`, `NotIpAddress`, ...) match when the
    /// key is absent, as AWS evaluates them.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            Operator::StringNotEquals
                | Operator::StringNotEqualsIgnoreCase
                | Operator::StringNotLike
                | Operator::NumericNotEquals
                | Operator::DateNotEquals
                | Operator::NotIpAddress
                | Operator::ArnNotEquals
                | Operator::ArnNotLike
        )
    }

    fn from_name(name: &str) -> Option<Operator> {
        OPERATOR_NAMES
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(op, _)| *op)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The set prefix of an operator for multivalued keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SetQualifier {
    /// At least one request value matches at least one policy value; a missing key never matches.
    ForAnyValue,
    /// Every request value matches some policy value; a missing key **matches** (aws-facts f).
    ForAllValues,
}

impl SetQualifier {
    /// The AWS spelling without the colon.
    pub fn name(self) -> &'static str {
        match self {
            SetQualifier::ForAnyValue => "ForAnyValue",
            SetQualifier::ForAllValues => "ForAllValues",
        }
    }
}

/// A full operator as written in a policy: `[ForAnyValue:|ForAllValues:]Operator[IfExists]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConditionOperator {
    /// The set prefix, if any.
    pub set: Option<SetQualifier>,
    /// The base operator.
    pub operator: Operator,
    /// `IfExists` suffix: a missing key makes the condition true.
    pub if_exists: bool,
}

impl ConditionOperator {
    /// A plain operator: no set prefix, no `IfExists`.
    pub fn new(operator: Operator) -> ConditionOperator {
        ConditionOperator {
            set: None,
            operator,
            if_exists: false,
        }
    }

    /// Parses `ForAllValues:StringLikeIfExists` and the like (operator names ignore ASCII case).
    /// The error message names the operator and, when one is close, the intended spelling.
    pub fn parse(text: &str) -> Result<ConditionOperator, String> {
        let (set, rest) = match text.split_once(':') {
            Some((prefix, rest)) if prefix.eq_ignore_ascii_case("ForAnyValue") => {
                (Some(SetQualifier::ForAnyValue), rest)
            }
            Some((prefix, rest)) if prefix.eq_ignore_ascii_case("ForAllValues") => {
                (Some(SetQualifier::ForAllValues), rest)
            }
            Some((prefix, _)) => {
                return Err(format!(
                    "unknown set operator `{}:` in `{}`; use `ForAnyValue:` or `ForAllValues:`",
                    crate::json::truncate(prefix),
                    crate::json::truncate(text)
                ));
            }
            None => (None, text),
        };
        let (base, if_exists) = match Operator::from_name(rest) {
            Some(op) => (op, false),
            None => {
                let stem = rest.len().checked_sub("IfExists".len()).and_then(|cut| {
                    let (stem, suffix) = (rest.get(..cut)?, rest.get(cut..)?);
                    suffix.eq_ignore_ascii_case("IfExists").then_some(stem)
                });
                match stem.and_then(Operator::from_name) {
                    Some(op) => (op, true),
                    None => return Err(unknown_operator(text, rest)),
                }
            }
        };
        let operator = ConditionOperator {
            set,
            operator: base,
            if_exists,
        };
        operator.check()?;
        Ok(operator)
    }

    /// Rejects combinations IAM does not have: `Null` takes neither `IfExists` nor a set prefix.
    pub fn check(self) -> Result<(), String> {
        if self.operator == Operator::Null && self.if_exists {
            return Err(format!(
                "`{self}` is not an operator: `Null` already tests whether the key exists; use `Null`"
            ));
        }
        if self.operator == Operator::Null && self.set.is_some() {
            return Err(format!(
                "`{self}` is not allowed: `Null` cannot take a set prefix; use `Null`"
            ));
        }
        Ok(())
    }

    /// Whether the base operator is negated (see [`Operator::is_negated`]).
    pub fn is_negated(self) -> bool {
        self.operator.is_negated()
    }
}

fn unknown_operator(text: &str, base: &str) -> String {
    let lowered = base.to_ascii_lowercase();
    let closest = Operator::all()
        .map(|op| (edit_distance(&lowered, &op.name().to_ascii_lowercase()), op))
        .min();
    match closest {
        Some((distance, op)) if distance <= 3 => format!(
            "unknown condition operator `{}`; did you mean `{}`?",
            crate::json::truncate(text),
            op.name()
        ),
        _ => format!(
            "unknown condition operator `{}`; use one of `StringEquals`, `StringLike`, `ArnLike`, `Bool`, `Null`, `NumericEquals`, `DateLessThan`, `IpAddress` (optionally `...IfExists`, `ForAnyValue:`/`ForAllValues:`)",
            crate::json::truncate(text)
        ),
    }
}

/// Levenshtein distance over bytes; only used to suggest operator names (short strings).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

impl fmt::Display for ConditionOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(set) = self.set {
            write!(f, "{}:", set.name())?;
        }
        f.write_str(self.operator.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

impl FromStr for ConditionOperator {
    type Err = PolicyError;

    fn from_str(text: &str) -> Result<ConditionOperator, PolicyError> {
        ConditionOperator::parse(text).map_err(|message| PolicyError::Policy { message })
    }
}

/// One condition test: `operator: { key: [values] }`. Values are text even when the JSON had a
/// boolean or number (`true` becomes `"true"`), as IAM compares them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The operator, e.g. `StringEquals` or `ForAnyValue:StringLike`.
    pub operator: ConditionOperator,
    /// The context key, e.g. `kms:EncryptionContext:aws:s3:arn` (matched without regard to case).
    pub key: String,
    /// Policy values; the condition holds if the request matches any of them (none, for negated
    /// operators).
    pub values: Vec<String>,
}

impl Condition {
    /// Convenience constructor.
    pub fn new(
        operator: ConditionOperator,
        key: impl Into<String>,
        values: impl IntoIterator<Item = impl Into<String>>,
    ) -> Condition {
        Condition {
            operator,
            key: key.into(),
            values: values.into_iter().map(Into::into).collect(),
        }
    }
}

/// Which part of a condition a compile error concerns, so callers can point at its span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConditionPart {
    Operator,
    Key,
    Value(usize),
    Values,
}

/// A condition compiled for evaluation: key folded, values parsed once.
#[derive(Debug, Clone)]
pub(crate) struct CompiledCondition {
    operator: ConditionOperator,
    key: Box<str>,
    values: Values,
}

/// Policy values: compiled once, or (with policy variables) resolved per request; values of a
/// templated condition without a variable are templates of plain text.
#[derive(Debug, Clone)]
enum Values {
    Static(Test),
    Templated(Box<[Template]>),
}

#[derive(Debug, Clone)]
enum Test {
    Exact(Vec<Box<str>>),
    /// Policy values already lowercased (Unicode, char by char).
    Folded(Vec<Box<str>>),
    Like(Vec<Glob>),
    Arn(Vec<ArnPattern>),
    Number(Cmp, Vec<f64>),
    Date(Cmp, Vec<i64>),
    Bool(Vec<bool>),
    Cidr(Vec<Cidr>),
    Null(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn holds<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Cmp::Eq => request == policy,
            Cmp::Lt => request < policy,
            Cmp::Le => request <= policy,
            Cmp::Gt => request > policy,
            Cmp::Ge => request >= policy,
        }
    }
}

/// Lowercases char by char so policy and request text fold identically (no final-sigma rule).
fn fold(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().flat_map(char::to_lowercase)
}

/// Folds a context key the way [`Context`] stores keys.
pub(crate) fn fold_key(key: &str) -> String {
    fold(key).collect()
}

impl CompiledCondition {
    /// Checks and compiles one condition; the error names the part that is wrong.
    /// `variables`: whether `${...}` policy variables are substituted (policy `Version`
    /// `2012-10-17`); they apply to string and ARN operators only.
    pub(crate) fn compile(
        condition: &Condition,
        variables: bool,
    ) -> Result<CompiledCondition, (ConditionPart, String)> {
        let op = condition.operator;
        op.check().map_err(|msg| (ConditionPart::Operator, msg))?;
        let key = condition.key.as_str();
        if key.is_empty() {
            return Err((
                ConditionPart::Key,
                format!("condition key under `{op}` is empty; write a key such as `aws:SourceArn`"),
            ));
        }
        if !key.contains(':') || key.starts_with(':') || key.chars().any(char::is_whitespace) {
            return Err((
                ConditionPart::Key,
                format!(
                    "condition key `{}` must be `service:name`, e.g. `aws:SourceArn` or `kms:ViaService`",
                    crate::json::truncate(key)
                ),
            ));
        }
        if condition.values.is_empty() {
            return Err((
                ConditionPart::Values,
                format!("condition `{op}` on `{key}` has no values; give at least one value"),
            ));
        }
        let values = &condition.values;
        let bad = |index: usize, what: &str| {
            (
                ConditionPart::Value(index),
                format!(
                    "`{op}` value `{}` for `{key}` is not {what}",
                    crate::json::truncate(&values[index])
                ),
            )
        };
        use Operator as O;
        if variables && supports_variables(op.operator) {
            let mut templates = Vec::with_capacity(values.len());
            let mut any_template = false;
            for (i, v) in values.iter().enumerate() {
                match Template::parse(v).map_err(|msg| (ConditionPart::Value(i), msg))? {
                    Some(t) => {
                        any_template = true;
                        templates.push(t);
                    }
                    None => templates.push(Template::text(v)),
                }
            }
            if any_template {
                return Ok(CompiledCondition {
                    operator: op,
                    key: fold_key(key).into(),
                    values: Values::Templated(templates.into()),
                });
            }
        }
        let test = match op.operator {
            O::StringEquals | O::StringNotEquals | O::BinaryEquals => {
                Test::Exact(values.iter().map(|v| v.as_str().into()).collect())
            }
            O::StringEqualsIgnoreCase | O::StringNotEqualsIgnoreCase => Test::Folded(
                values
                    .iter()
                    .map(|v| fold(v).collect::<String>().into())
                    .collect(),
            ),
            O::StringLike | O::StringNotLike => Test::Like(
                values
                    .iter()
                    .map(|v| Glob::new(v, Case::Sensitive))
                    .collect(),
            ),
            O::ArnEquals | O::ArnLike | O::ArnNotEquals | O::ArnNotLike => {
                let mut patterns = Vec::with_capacity(values.len());
                for (i, v) in values.iter().enumerate() {
                    match ArnPattern::new(v) {
                        Some(p) => patterns.push(p),
                        None => {
                            return Err(bad(
                                i,
                                "an ARN; write `arn:partition:service:region:account:resource` (wildcards allowed in each part)",
                            ));
                        }
                    }
                }
                Test::Arn(patterns)
            }
            O::NumericEquals
            | O::NumericNotEquals
            | O::NumericLessThan
            | O::NumericLessThanEquals
            | O::NumericGreaterThan
            | O::NumericGreaterThanEquals => {
                let mut numbers = Vec::with_capacity(values.len());
                for (i, v) in values.iter().enumerate() {
                    match parse_number(v) {
                        Some(n) => numbers.push(n),
                        None => return Err(bad(i, "a number; write digits such as `10`")),
                    }
                }
                Test::Number(comparison(op.operator), numbers)
            }
            O::DateEquals
            | O::DateNotEquals
            | O::DateLessThan
            | O::DateLessThanEquals
            | O::DateGreaterThan
            | O::DateGreaterThanEquals => {
                let mut dates = Vec::with_capacity(values.len());
                for (i, v) in values.iter().enumerate() {
                    match parse_date(v) {
                        Some(d) => dates.push(d),
                        None => {
                            return Err(bad(
                                i,
                                "a date; write ISO 8601 such as `2026-01-31T00:00:00Z` or epoch seconds",
                            ));
                        }
                    }
                }
                Test::Date(comparison(op.operator), dates)
            }
            O::Bool => {
                let mut bools = Vec::with_capacity(values.len());
                for (i, v) in values.iter().enumerate() {
                    match parse_bool(v) {
                        Some(b) => bools.push(b),
                        None => return Err(bad(i, "a boolean; write `true` or `false`")),
                    }
                }
                Test::Bool(bools)
            }
            O::IpAddress | O::NotIpAddress => {
                let mut ranges = Vec::with_capacity(values.len());
                for (i, v) in values.iter().enumerate() {
                    match Cidr::parse(v) {
                        Some(c) => ranges.push(c),
                        None => {
                            return Err(bad(
                                i,
                                "an IP range; write CIDR notation such as `203.0.113.0/24`",
                            ));
                        }
                    }
                }
                Test::Cidr(ranges)
            }
            O::Null => {
                if values.len() != 1 {
                    return Err((
                        ConditionPart::Values,
                        format!("`Null` on `{key}` takes exactly one value, `true` or `false`"),
                    ));
                }
                match parse_bool(&values[0]) {
                    Some(b) => Test::Null(b),
                    None => {
                        return Err(bad(0, "`true` (key absent) or `false` (key present)"));
                    }
                }
            }
        };
        Ok(CompiledCondition {
            operator: op,
            key: fold_key(key).into(),
            values: Values::Static(test),
        })
    }

    /// Evaluates the condition against the request context.
    ///
    /// * plain operator: true if any request value matches any policy value (negated operators:
    ///   if none does); a missing key is false, or true for negated operators;
    /// * `IfExists`: a missing key is true;
    /// * `ForAnyValue`: some request value matches; a missing key is false;
    /// * `ForAllValues`: every request value matches; a missing key (or an empty set) is **true**,
    ///   which is why `ForAllValues` on `kms:EncryptionContext:*` lets context-less requests
    ///   through an Allow (aws-facts f, [K-COND]).
    ///
    /// With policy variables, a value whose variable cannot be resolved makes the condition
    /// false, so the statement does not apply (see `variables`).
    pub(crate) fn matches(&self, context: &Context) -> bool {
        match &self.values {
            Values::Static(Test::Null(expect_absent)) => {
                self.request_values(context).is_none() == *expect_absent
            }
            Values::Static(test) => self.matches_with(context, |value| positive(test, value)),
            Values::Templated(templates) => {
                if templates.iter().any(|t| t.resolve(context).is_none()) {
                    return false;
                }
                let operator = self.operator.operator;
                self.matches_with(context, |value| {
                    templates
                        .iter()
                        .filter_map(|t| t.resolve(context))
                        .any(|resolved| positive_resolved(operator, resolved, value))
                })
            }
        }
    }

    /// The request's values for this key; an empty list counts as missing.
    fn request_values<'c>(&self, context: &'c Context) -> Option<&'c [String]> {
        context.get_folded(&self.key).filter(|v| !v.is_empty())
    }

    /// Applies the set qualifier, negation and `IfExists` to `positive`, which says whether one
    /// request value matches a policy value under the non-negated operator.
    fn matches_with(&self, context: &Context, positive: impl Fn(&str) -> bool) -> bool {
        let negated = self.operator.is_negated();
        let Some(values) = self.request_values(context) else {
            return match self.operator.set {
                _ if self.operator.if_exists => true,
                None => negated,
                Some(SetQualifier::ForAnyValue) => false,
                Some(SetQualifier::ForAllValues) => true,
            };
        };
        match self.operator.set {
            None => values.iter().any(|v| positive(v)) != negated,
            Some(SetQualifier::ForAnyValue) => values.iter().any(|v| positive(v) != negated),
            Some(SetQualifier::ForAllValues) => values.iter().all(|v| positive(v) != negated),
        }
    }
}

/// [`positive`] for a value with policy variables (only string and ARN operators take them).
fn positive_resolved(operator: Operator, resolved: Resolved<'_>, value: &str) -> bool {
    use Operator as O;
    match operator {
        O::StringEqualsIgnoreCase | O::StringNotEqualsIgnoreCase => resolved.folded_eq(value),
        O::StringLike | O::StringNotLike => resolved.is_match(value),
        O::ArnEquals | O::ArnLike | O::ArnNotEquals | O::ArnNotLike => resolved.arn_match(value),
        _ => resolved.text_eq(value),
    }
}

/// Whether one request value matches any policy value under the non-negated operator.
fn positive(test: &Test, value: &str) -> bool {
    match test {
        Test::Exact(expected) => expected.iter().any(|e| **e == *value),
        Test::Folded(expected) => expected.iter().any(|e| fold(value).eq(e.chars())),
        Test::Like(globs) => globs.iter().any(|g| g.is_match(value)),
        Test::Arn(patterns) => patterns.iter().any(|p| p.is_match(value)),
        Test::Number(cmp, numbers) => {
            parse_number(value).is_some_and(|n| numbers.iter().any(|&p| cmp.holds(n, p)))
        }
        Test::Date(cmp, dates) => {
            parse_date(value).is_some_and(|d| dates.iter().any(|&p| cmp.holds(d, p)))
        }
        Test::Bool(bools) => parse_bool(value).is_some_and(|b| bools.contains(&b)),
        Test::Cidr(ranges) => value
            .trim()
            .parse::<IpAddr>()
            .is_ok_and(|ip| ranges.iter().any(|r| r.contains(ip))),
        Test::Null(_) => false,
    }
}

/// Operators whose values may hold policy variables: string and ARN comparisons.
fn supports_variables(op: Operator) -> bool {
    use Operator as O;
    matches!(
        op,
        O::StringEquals
            | O::StringNotEquals
            | O::StringEqualsIgnoreCase
            | O::StringNotEqualsIgnoreCase
            | O::StringLike
            | O::StringNotLike
            | O::ArnEquals
            | O::ArnLike
            | O::ArnNotEquals
            | O::ArnNotLike
    )
}

fn comparison(op: Operator) -> Cmp {
    use Operator as O;
    match op {
        O::NumericLessThan | O::DateLessThan => Cmp::Lt,
        O::NumericLessThanEquals | O::DateLessThanEquals => Cmp::Le,
        O::NumericGreaterThan | O::DateGreaterThan => Cmp::Gt,
        O::NumericGreaterThanEquals | O::DateGreaterThanEquals => Cmp::Ge,
        _ => Cmp::Eq,
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    // Rust accepts `inf`/`nan`; IAM numbers are digits, so require one.
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// An ARN pattern matched part by part: "each of the six colon-delimited components of the ARN
/// is checked separately" (IAM condition reference). A pattern with fewer parts whose last part
/// ends in `*` lets that part cover the rest (`arn:aws:iam::*`).
#[derive(Debug, Clone)]
struct ArnPattern {
    /// `None` for the bare `*` pattern, which matches any value.
    parts: Option<Vec<Glob>>,
}

impl ArnPattern {
    fn new(pattern: &str) -> Option<ArnPattern> {
        if pattern.bytes().all(|b| b == b'*') && !pattern.is_empty() {
            return Some(ArnPattern { parts: None });
        }
        if !pattern.starts_with("arn:") && !pattern.starts_with("*:") {
            return None;
        }
        let parts: Vec<&str> = pattern.splitn(6, ':').collect();
        if parts.len() < 6 && !parts.last().is_some_and(|p| p.ends_with('*')) {
            return None;
        }
        Some(ArnPattern {
            parts: Some(
                parts
                    .iter()
                    .map(|p| Glob::new(p, Case::Sensitive))
                    .collect(),
            ),
        })
    }

    fn is_match(&self, value: &str) -> bool {
        let Some(parts) = &self.parts else {
            return true;
        };
        let mut value_parts = value.splitn(parts.len(), ':');
        let mut count = 0;
        for glob in parts {
            match value_parts.next() {
                Some(v) if glob.is_match(v) => count += 1,
                _ => return false,
            }
        }
        count == parts.len()
    }
}

/// An IPv4 or IPv6 range.
#[derive(Debug, Clone, Copy)]
struct Cidr {
    network: IpAddr,
    prefix: u32,
}

impl Cidr {
    fn parse(text: &str) -> Option<Cidr> {
        let text = text.trim();
        let (ip, prefix) = match text.split_once('/') {
            Some((ip, prefix)) => (
                ip.parse::<IpAddr>().ok()?,
                Some(prefix.parse::<u32>().ok()?),
            ),
            None => (text.parse::<IpAddr>().ok()?, None),
        };
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr {
            network: ip,
            prefix,
        })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - self.prefix).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - self.prefix).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Parses an IAM date value to milliseconds since the Unix epoch: epoch seconds (`1700000000`),
/// `YYYY-MM-DD`, or `YYYY-MM-DDThh:mm[:ss[.fff]](Z|±hh:mm)`.
fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse::<i64>().ok()?.checked_mul(1000);
    }
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        if s.bytes().all(|c| c.is_ascii_digit()) && !s.is_empty() {
            s.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * 86_400_000;
    if b.len() == 10 {
        return Some(millis);
    }
    let has_time = matches!(b[10], b'T' | b't') && b.len() >= 16 && b[13] == b':';
    if !has_time {
        return None;
    }
    let (hour, minute) = (num(11..13)?, num(14..16)?);
    let mut pos = 16;
    let mut second = 0;
    let mut fraction_ms = 0;
    if b.get(pos) == Some(&b':') {
        second = num(pos + 1..pos + 3)?;
        pos += 3;
        if b.get(pos) == Some(&b'.') {
            let digits_end = (pos + 1..b.len())
                .find(|&i| !b[i].is_ascii_digit())
                .unwrap_or(b.len());
            if digits_end == pos + 1 {
                return None;
            }
            let digits = &text[pos + 1..digits_end];
            let mut ms = 0;
            for (i, d) in digits.bytes().take(3).enumerate() {
                ms += i64::from(d - b'0') * [100, 10, 1][i];
            }
            fraction_ms = ms;
            pos = digits_end;
        }
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let offset_minutes = match &text[pos..] {
        "Z" | "z" => 0,
        zone if zone.len() == 6 && (zone.starts_with('+') || zone.starts_with('-')) => {
            if zone.as_bytes()[3] != b':' {
                return None;
            }
            let (h, m) = (num(pos + 1..pos + 3)?, num(pos + 4..pos + 6)?);
            let total = h * 60 + m;
            if zone.starts_with('-') { -total } else { total }
        }
        _ => return None,
    };
    millis += ((hour * 60 + minute - offset_minutes) * 60 + second) * 1000 + fraction_ms;
    Some(millis)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(text: &str) -> ConditionOperator {
        ConditionOperator::parse(text).expect("valid operator")
    }

    fn cond(operator: &str, key: &str, values: &[&str]) -> CompiledCondition {
        CompiledCondition::compile(
            &Condition::new(op(operator), key, values.iter().copied()),
            true,
        )
        .expect("valid condition")
    }

    fn ctx(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::new();
        for (k, v) in pairs {
            c.insert(k, *v);
        }
        c
    }

    #[test]
    fn operator_names_round_trip() {
        for base in Operator::all() {
            assert_eq!(op(base.name()).operator, base);
            assert_eq!(op(base.name()).to_string(), base.name());
        }
        let full = op("forallvalues:stringlikeifexists");
        assert_eq!(full.to_string(), "ForAllValues:StringLikeIfExists");
        assert_eq!(full.set, Some(SetQualifier::ForAllValues));
        assert!(full.if_exists);
        assert_eq!(
            "ArnLike".parse::<ConditionOperator>().map(|o| o.operator),
            Ok(Operator::ArnLike)
        );
    }

    #[test]
    fn unknown_operators_suggest_the_closest_name() {
        let msg = ConditionOperator::parse("StringEqual").unwrap_err();
        assert_eq!(
            msg,
            "unknown condition operator `StringEqual`; did you mean `StringEquals`?"
        );
        let msg = ConditionOperator::parse("Frobnicate").unwrap_err();
        assert!(msg.starts_with("unknown condition operator `Frobnicate`; use one of"));
        let msg = ConditionOperator::parse("ForSomeValues:StringLike").unwrap_err();
        assert!(msg.contains("`ForAnyValue:` or `ForAllValues:`"), "{msg}");
        assert!(ConditionOperator::parse("NullIfExists").is_err());
        assert!(ConditionOperator::parse("ForAnyValue:Null").is_err());
    }

    /// IAM condition reference: StringEquals is case-sensitive; keys are not.
    #[test]
    fn string_equals_is_case_sensitive_but_keys_are_not() {
        let c = cond("StringEquals", "aws:PrincipalOrgID", &["o-abc123"]);
        assert!(c.matches(&ctx(&[("AWS:principalorgid", "o-abc123")])));
        assert!(!c.matches(&ctx(&[("aws:PrincipalOrgID", "O-ABC123")])));
        assert!(!c.matches(&ctx(&[("aws:PrincipalOrgID", "o-other")])));
    }

    #[test]
    fn ignore_case_operators_fold_unicode() {
        let c = cond("StringEqualsIgnoreCase", "aws:username", &["ÉLODIE"]);
        assert!(c.matches(&ctx(&[("aws:username", "élodie")])));
        let n = cond("StringNotEqualsIgnoreCase", "aws:username", &["Bob"]);
        assert!(!n.matches(&ctx(&[("aws:username", "BOB")])));
        assert!(n.matches(&ctx(&[("aws:username", "alice")])));
    }

    /// Brief + IAM reference: a missing key fails positive operators and satisfies negated ones.
    #[test]
    fn missing_key_fails_positive_and_satisfies_negated_operators() {
        let empty = Context::new();
        for base in Operator::all().filter(|o| *o != Operator::Null) {
            let value = match base {
                Operator::Bool => "true",
                Operator::IpAddress | Operator::NotIpAddress => "10.0.0.0/8",
                o if o.name().starts_with("Numeric") => "1",
                o if o.name().starts_with("Date") => "2026-01-01",
                o if o.name().starts_with("Arn") => "arn:aws:s3:::b",
                _ => "x",
            };
            let c = cond(base.name(), "aws:SourceArn", &[value]);
            assert_eq!(c.matches(&empty), base.is_negated(), "{base}");
            let c = cond(
                &format!("{}IfExists", base.name()),
                "aws:SourceArn",
                &[value],
            );
            assert!(c.matches(&empty), "{base}IfExists");
        }
    }

    #[test]
    fn if_exists_still_tests_a_present_key() {
        let c = cond("StringEqualsIfExists", "aws:SourceVpce", &["vpce-1"]);
        assert!(c.matches(&ctx(&[("aws:SourceVpce", "vpce-1")])));
        assert!(!c.matches(&ctx(&[("aws:SourceVpce", "vpce-2")])));
    }

    #[test]
    fn string_like_uses_wildcards() {
        let c = cond("StringLike", "s3:prefix", &["home/*", "shared/?"]);
        assert!(c.matches(&ctx(&[("s3:prefix", "home/a/b")])));
        assert!(c.matches(&ctx(&[("s3:prefix", "shared/x")])));
        assert!(!c.matches(&ctx(&[("s3:prefix", "shared/xy")])));
        let n = cond("StringNotLike", "s3:prefix", &["home/*"]);
        assert!(n.matches(&ctx(&[("s3:prefix", "other")])));
        assert!(!n.matches(&ctx(&[("s3:prefix", "home/x")])));
    }

    /// aws-facts d.3/d.4: kms:EncryptionContext:aws:s3:arn holds the object ARN without a Bucket
    /// Key and the bucket ARN with one, so a condition written for objects stops matching.
    #[test]
    fn encryption_context_condition_object_vs_bucket_arn() {
        let c = cond(
            "StringLike",
            "kms:EncryptionContext:aws:s3:arn",
            &["arn:aws:s3:::source/*"],
        );
        let object = ctx(&[(
            "kms:EncryptionContext:aws:s3:arn",
            "arn:aws:s3:::source/report.csv",
        )]);
        let bucket_key = ctx(&[("kms:EncryptionContext:aws:s3:arn", "arn:aws:s3:::source")]);
        assert!(c.matches(&object));
        assert!(!c.matches(&bucket_key));
        let fixed = cond(
            "StringEquals",
            "kms:EncryptionContext:aws:s3:arn",
            &["arn:aws:s3:::source"],
        );
        assert!(fixed.matches(&bucket_key));
    }

    /// aws-facts f [K-COND]: kms:ViaService restricts use to requests made through S3 in a Region.
    #[test]
    fn via_service_matches_the_region_endpoint() {
        let c = cond(
            "StringEquals",
            "kms:ViaService",
            &["s3.us-east-1.amazonaws.com"],
        );
        assert!(c.matches(&ctx(&[("kms:ViaService", "s3.us-east-1.amazonaws.com")])));
        assert!(!c.matches(&ctx(&[("kms:ViaService", "s3.eu-west-1.amazonaws.com")])));
        assert!(!c.matches(&Context::new()));
    }

    /// aws-facts f [K-COND]: ForAllValues on a missing key is true, so an Allow with
    /// `ForAllValues:StringEquals kms:EncryptionContextKeys` admits requests without context.
    #[test]
    fn for_all_values_on_missing_key_is_true_the_kms_trap() {
        let c = cond(
            "ForAllValues:StringEquals",
            "kms:EncryptionContextKeys",
            &["aws:s3:arn"],
        );
        assert!(c.matches(&Context::new()));
        assert!(c.matches(&ctx(&[("kms:EncryptionContextKeys", "aws:s3:arn")])));
        let mut two = ctx(&[("kms:EncryptionContextKeys", "aws:s3:arn")]);
        two.insert("kms:EncryptionContextKeys", "team");
        assert!(!c.matches(&two));
        let mut empty_set = Context::new();
        empty_set.set("kms:EncryptionContextKeys", Vec::new());
        assert!(c.matches(&empty_set));
    }

    #[test]
    fn for_any_value_needs_one_matching_value_and_a_present_key() {
        let c = cond("ForAnyValue:StringEquals", "aws:TagKeys", &["team", "env"]);
        assert!(!c.matches(&Context::new()));
        let mut tags = ctx(&[("aws:TagKeys", "owner")]);
        assert!(!c.matches(&tags));
        tags.insert("aws:TagKeys", "env");
        assert!(c.matches(&tags));
        let any_not = cond("ForAnyValue:StringNotEquals", "aws:TagKeys", &["owner"]);
        assert!(any_not.matches(&tags));
        assert!(!any_not.matches(&ctx(&[("aws:TagKeys", "owner")])));
        assert!(!any_not.matches(&Context::new()));
        let all_not = cond("ForAllValues:StringNotEquals", "aws:TagKeys", &["secret"]);
        assert!(all_not.matches(&tags));
        assert!(all_not.matches(&Context::new()));
        let if_exists = cond("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", &["x"]);
        assert!(if_exists.matches(&Context::new()));
    }

    #[test]
    fn plain_operator_on_multivalued_key_matches_any_and_negation_matches_none() {
        let mut c2 = ctx(&[("aws:TagKeys", "a")]);
        c2.insert("aws:TagKeys", "b");
        assert!(cond("StringEquals", "aws:TagKeys", &["b"]).matches(&c2));
        assert!(!cond("StringNotEquals", "aws:TagKeys", &["b"]).matches(&c2));
        assert!(cond("StringNotEquals", "aws:TagKeys", &["c"]).matches(&c2));
    }

    #[test]
    fn bool_accepts_text_and_is_false_for_garbage() {
        let c = cond("Bool", "aws:SecureTransport", &["false"]);
        assert!(c.matches(&ctx(&[("aws:SecureTransport", "false")])));
        assert!(c.matches(&ctx(&[("aws:SecureTransport", "FALSE")])));
        assert!(!c.matches(&ctx(&[("aws:SecureTransport", "true")])));
        assert!(!c.matches(&ctx(&[("aws:SecureTransport", "yes")])));
        assert!(!c.matches(&Context::new()));
        let grant = cond("Bool", "kms:GrantIsForAWSResource", &["true"]);
        assert!(grant.matches(&ctx(&[("kms:GrantIsForAWSResource", "true")])));
    }

    #[test]
    fn null_tests_presence() {
        let absent = cond("Null", "aws:SourceVpce", &["true"]);
        let present = cond("Null", "aws:SourceVpce", &["false"]);
        let with = ctx(&[("aws:SourceVpce", "vpce-1")]);
        assert!(absent.matches(&Context::new()));
        assert!(!absent.matches(&with));
        assert!(present.matches(&with));
        assert!(!present.matches(&Context::new()));
    }

    #[test]
    fn numeric_operators_compare_request_to_policy() {
        let c = |o: &str| cond(o, "s3:max-keys", &["10"]);
        let v = |n: &str| ctx(&[("s3:max-keys", n)]);
        assert!(c("NumericEquals").matches(&v("10.0")));
        assert!(!c("NumericEquals").matches(&v("11")));
        assert!(c("NumericNotEquals").matches(&v("11")));
        assert!(!c("NumericNotEquals").matches(&v("10")));
        assert!(c("NumericLessThan").matches(&v("9")));
        assert!(!c("NumericLessThan").matches(&v("10")));
        assert!(c("NumericLessThanEquals").matches(&v("10")));
        assert!(c("NumericGreaterThan").matches(&v("11")));
        assert!(!c("NumericGreaterThan").matches(&v("10")));
        assert!(c("NumericGreaterThanEquals").matches(&v("10")));
        assert!(!c("NumericEquals").matches(&v("ten")));
        assert!(!c("NumericEquals").matches(&v("inf")));
    }

    #[test]
    fn date_operators_parse_iso_and_epoch() {
        assert_eq!(parse_date("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_date("1970-01-02"), Some(86_400_000));
        assert_eq!(
            parse_date("2000-03-01T01:00:00+01:00"),
            parse_date("2000-03-01")
        );
        assert_eq!(parse_date("1700000000"), Some(1_700_000_000_000));
        assert_eq!(
            parse_date("2024-02-29T12:30:15.250Z"),
            Some(1_709_209_815_250)
        );
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("yesterday"), None);
        let before = cond("DateLessThan", "aws:CurrentTime", &["2026-01-01T00:00:00Z"]);
        assert!(before.matches(&ctx(&[("aws:CurrentTime", "2025-12-31T23:59:59Z")])));
        assert!(!before.matches(&ctx(&[("aws:CurrentTime", "2026-01-01T00:00:00Z")])));
        let eq = cond("DateEquals", "aws:CurrentTime", &["2026-01-01"]);
        assert!(eq.matches(&ctx(&[("aws:CurrentTime", "2026-01-01T00:00:00Z")])));
        assert!(
            cond("DateNotEquals", "aws:CurrentTime", &["2026-01-01"])
                .matches(&ctx(&[("aws:CurrentTime", "2026-01-02")]))
        );
        assert!(
            cond("DateGreaterThanEquals", "aws:CurrentTime", &["2026-01-01"])
                .matches(&ctx(&[("aws:CurrentTime", "2026-01-01")]))
        );
        assert!(
            cond("DateGreaterThan", "aws:CurrentTime", &["2026-01-01"])
                .matches(&ctx(&[("aws:CurrentTime", "2026-01-02")]))
        );
        assert!(
            cond("DateLessThanEquals", "aws:CurrentTime", &["2026-01-01"])
                .matches(&ctx(&[("aws:CurrentTime", "2026-01-01")]))
        );
    }

    /// aws-facts d.3 [U-TRBL]: key policies restricting by CIDR can break replication.
    #[test]
    fn ip_address_operators_use_cidr_ranges() {
        let c = cond(
            "IpAddress",
            "aws:SourceIp",
            &["203.0.113.0/24", "2001:db8::/32"],
        );
        assert!(c.matches(&ctx(&[("aws:SourceIp", "203.0.113.7")])));
        assert!(c.matches(&ctx(&[("aws:SourceIp", "2001:db8::1")])));
        assert!(!c.matches(&ctx(&[("aws:SourceIp", "198.51.100.1")])));
        assert!(!c.matches(&ctx(&[("aws:SourceIp", "not-an-ip")])));
        let n = cond("NotIpAddress", "aws:SourceIp", &["10.0.0.0/8"]);
        assert!(n.matches(&ctx(&[("aws:SourceIp", "11.0.0.1")])));
        assert!(!n.matches(&ctx(&[("aws:SourceIp", "10.1.2.3")])));
        let all = cond("IpAddress", "aws:SourceIp", &["0.0.0.0/0"]);
        assert!(all.matches(&ctx(&[("aws:SourceIp", "1.2.3.4")])));
        let single = cond("IpAddress", "aws:SourceIp", &["1.2.3.4"]);
        assert!(single.matches(&ctx(&[("aws:SourceIp", "1.2.3.4")])));
        assert!(!single.matches(&ctx(&[("aws:SourceIp", "1.2.3.5")])));
    }

    #[test]
    fn binary_equals_compares_base64_text() {
        let c = cond("BinaryEquals", "aws:Key", &["QmluYXJ5"]);
        assert!(c.matches(&ctx(&[("aws:Key", "QmluYXJ5")])));
        assert!(!c.matches(&ctx(&[("aws:Key", "qmluyxj5")])));
    }

    /// IAM condition reference: ARN operators match each colon-separated part separately.
    #[test]
    fn arn_operators_match_part_by_part() {
        let c = cond("ArnLike", "aws:SourceArn", &["arn:aws:s3:::source-*"]);
        assert!(c.matches(&ctx(&[("aws:SourceArn", "arn:aws:s3:::source-bucket")])));
        assert!(!c.matches(&ctx(&[("aws:SourceArn", "arn:aws:s3:::other")])));
        let role = cond(
            "ArnEquals",
            "aws:PrincipalArn",
            &["arn:aws:iam::*:role/replicator"],
        );
        assert!(role.matches(&ctx(&[(
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/replicator"
        )])));
        assert!(!role.matches(&ctx(&[(
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/other"
        )])));
        // A `*` inside one part does not swallow the colons of the next parts.
        let region = cond(
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:kms:us-*:111122223333:key/*"],
        );
        assert!(region.matches(&ctx(&[(
            "aws:SourceArn",
            "arn:aws:kms:us-east-1:111122223333:key/k"
        )])));
        assert!(!region.matches(&ctx(&[(
            "aws:SourceArn",
            "arn:aws:kms:us-east-1:444455556666:key/k"
        )])));
        let short = cond("ArnLike", "aws:PrincipalArn", &["arn:aws:iam::*"]);
        assert!(short.matches(&ctx(&[(
            "aws:PrincipalArn",
            "arn:aws:iam::111122223333:role/x"
        )])));
        assert!(!short.matches(&ctx(&[("aws:PrincipalArn", "not an arn")])));
        let not = cond("ArnNotLike", "aws:SourceArn", &["arn:aws:s3:::source"]);
        assert!(not.matches(&ctx(&[("aws:SourceArn", "arn:aws:s3:::dest")])));
        assert!(
            !cond("ArnNotEquals", "aws:SourceArn", &["arn:aws:s3:::source"])
                .matches(&ctx(&[("aws:SourceArn", "arn:aws:s3:::source")]))
        );
        assert!(cond("ArnLike", "aws:SourceArn", &["*"]).matches(&ctx(&[("aws:SourceArn", "x")])));
    }

    #[test]
    fn invalid_values_are_rejected_with_the_part() {
        let compile = |o: &str, values: &[&str]| {
            CompiledCondition::compile(
                &Condition::new(op(o), "aws:SourceArn", values.iter().copied()),
                true,
            )
            .map(|_| ())
        };
        let (part, msg) = compile("Bool", &["yes"]).unwrap_err();
        assert_eq!(part, ConditionPart::Value(0));
        assert_eq!(
            msg,
            "`Bool` value `yes` for `aws:SourceArn` is not a boolean; write `true` or `false`"
        );
        assert_eq!(
            compile("NumericEquals", &["1", "x"]).unwrap_err().0,
            ConditionPart::Value(1)
        );
        assert!(compile("ArnLike", &["my-bucket"]).is_err());
        assert!(compile("ArnLike", &["arn:aws:s3"]).is_err());
        assert!(compile("IpAddress", &["10.0.0.0/33"]).is_err());
        assert!(compile("DateLessThan", &["soon"]).is_err());
        assert!(compile("Null", &["maybe"]).is_err());
        assert_eq!(
            compile("StringEquals", &[]).unwrap_err().0,
            ConditionPart::Values
        );
        let bad_key = CompiledCondition::compile(
            &Condition::new(op("Bool"), "SecureTransport", ["true"]),
            true,
        );
        assert_eq!(bad_key.unwrap_err().0, ConditionPart::Key);
        assert_eq!(
            compile("StringLike", &["home/${aws:username"])
                .unwrap_err()
                .0,
            ConditionPart::Value(0)
        );
    }

    /// IAM reference (policy variables): string and ARN values may use `${...}`, resolved per
    /// request; an unresolvable variable makes the condition (and so the statement) not apply.
    #[test]
    fn policy_variables_in_condition_values() {
        let like = cond("StringLike", "s3:prefix", &["home/${aws:username}/*"]);
        let alice = ctx(&[("aws:username", "alice"), ("s3:prefix", "home/alice/docs")]);
        assert!(like.matches(&alice));
        assert!(!like.matches(&ctx(&[
            ("aws:username", "bob"),
            ("s3:prefix", "home/alice/x")
        ])));
        assert!(
            !like.matches(&ctx(&[("s3:prefix", "home/alice/x")])),
            "unresolved"
        );
        let not_eq = cond(
            "StringNotEquals",
            "aws:SourceAccount",
            &["${aws:PrincipalAccount}"],
        );
        assert!(!not_eq.matches(&ctx(&[
            ("aws:SourceAccount", "1"),
            ("aws:PrincipalAccount", "1")
        ])));
        assert!(not_eq.matches(&ctx(&[
            ("aws:SourceAccount", "2"),
            ("aws:PrincipalAccount", "1")
        ])));
        assert!(
            !not_eq.matches(&ctx(&[("aws:SourceAccount", "2")])),
            "unresolved never applies"
        );
        let fold = cond(
            "StringEqualsIgnoreCase",
            "aws:username",
            &["${aws:PrincipalTag/name}"],
        );
        assert!(fold.matches(&ctx(&[
            ("aws:username", "ALICE"),
            ("aws:PrincipalTag/name", "alice")
        ])));
        let arn = cond(
            "ArnLike",
            "aws:SourceArn",
            &["arn:aws:s3:::${aws:PrincipalTag/bucket}"],
        );
        assert!(arn.matches(&ctx(&[
            ("aws:SourceArn", "arn:aws:s3:::logs"),
            ("aws:PrincipalTag/bucket", "logs")
        ])));
        assert!(!arn.matches(&ctx(&[
            ("aws:SourceArn", "arn:aws:s3:::other"),
            ("aws:PrincipalTag/bucket", "logs")
        ])));
        let literal = CompiledCondition::compile(
            &Condition::new(op("StringEquals"), "aws:username", ["${aws:username}"]),
            false,
        )
        .expect("valid");
        assert!(
            literal.matches(&ctx(&[("aws:username", "${aws:username}")])),
            "2008 policies: literal"
        );
        let numeric = cond("NumericEquals", "s3:max-keys", &["10"]);
        assert!(numeric.matches(&ctx(&[("s3:max-keys", "10")])));
    }
}
