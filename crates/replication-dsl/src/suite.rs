//! The runtime entry points: scenario files read with the macro's own parser.
//!
//! A scenario file holds what the macro's braces hold: one or more `/// doc` + `name { ... }`
//! scenarios. It is tokenized with proc-macro2 (whose `span-locations` feature gives every token
//! a line and column), then goes through the same [`crate::check`] pipeline as the macro, so the
//! runner and `cargo test` accept the same language and report the same messages, here as
//! `file:line:col: message`. `json_file` paths are relative to the scenario file's directory.

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use replication_spec::ValidSpec;
use replication_spec::spec::{RuleSetName, ScenarioSpec};

use crate::check::{check, sort};
use crate::error::{Ctxt, Diagnostic, DslError};
use crate::lower::{LowerConfig, lower};
use crate::parse;

/// Every scenario of a file, each checked on its own, so the runner can run the good ones and
/// report the others.
#[derive(Debug)]
pub struct SuiteCheck {
    /// The scenarios that could be parsed, in file order.
    pub scenarios: Vec<ScenarioCheck>,
    /// Errors outside every scenario (stray tokens, a scenario without a body, a name used
    /// twice), sorted by position.
    pub errors: Vec<Diagnostic>,
}

/// How [`check_suite_with`] checks a file.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckConfig {
    /// Validate every scenario under this rule set instead of the one it declares (the runner's
    /// `--rules`); problems it raises still point at the narrowest token.
    pub rule_set: Option<RuleSetName>,
}

/// One scenario of a file.
#[derive(Debug)]
pub struct ScenarioCheck {
    /// The scenario's name.
    pub name: String,
    /// Its doc comment.
    pub doc: String,
    /// The 1-based line of its name.
    pub line: usize,
    /// The rule set the scenario declares (`aws_2026`, the default, when it declares none or
    /// has syntax errors).
    pub declared_rule_set: RuleSetName,
    /// The validated spec, or every error of this scenario sorted by position.
    pub result: Result<ValidSpec, Vec<Diagnostic>>,
}

impl SuiteCheck {
    /// Every diagnostic of the file, sorted by position.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all = self.errors.clone();
        for s in &self.scenarios {
            if let Err(e) = &s.result {
                all.extend(e.iter().cloned());
            }
        }
        all.sort();
        all
    }
}

/// Parses and lowers every scenario of a file, without semantic validation.
///
/// `file_label` names the file in diagnostics and is the path `json_file` policies are found
/// next to.
///
/// ```
/// let specs = replication_dsl::parse_suite("demo.scenario", r#"
///     /// Nothing but an account.
///     lonely { account prod = 111122223333; }
/// "#).unwrap();
/// assert_eq!(specs[0].name, "lonely");
/// assert_eq!(specs[0].accounts[0].id, "111122223333");
/// ```
///
/// # Errors
///
/// Every syntax error of every scenario, as `file:line:col: message` diagnostics.
pub fn parse_suite(file_label: &str, text: &str) -> Result<Vec<ScenarioSpec>, Vec<Diagnostic>> {
    let tokens = tokenize(file_label, text)?;
    let config = config_for(file_label);
    let cx = Ctxt::new();
    let suite = parse::parse_suite(&cx, tokens);
    let mut errors = cx.check();
    let mut specs = Vec::new();
    for ast in &suite.scenarios {
        if !ast.syntax_errors.is_empty() {
            errors.extend(ast.syntax_errors.iter().cloned());
            continue;
        }
        let cx = Ctxt::new();
        let lowered = lower(&cx, ast, &config);
        errors.extend(cx.check());
        specs.push(lowered.spec);
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(render(file_label, errors))
    }
}

/// Parses, lowers and validates every scenario of a file: the macro's checks, at run time.
///
/// ```
/// let errors = replication_dsl::validate_suite("demo.scenario", r#"
///     /// A bucket owned by an account nobody defined.
///     orphan { bucket logs = s3(nobody, "us-east-1"); }
/// "#).unwrap_err();
/// assert_eq!(errors[0].to_string(), "demo.scenario:3:31: account `nobody` is not defined; define it with `account nobody = ...` or fix the name");
/// ```
///
/// # Errors
///
/// Every error of every scenario at once: one bad scenario does not hide another's errors.
pub fn validate_suite(file_label: &str, text: &str) -> Result<Vec<ValidSpec>, Vec<Diagnostic>> {
    let suite = check_suite(file_label, text);
    let diagnostics = suite.diagnostics();
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    Ok(suite
        .scenarios
        .into_iter()
        .filter_map(|s| s.result.ok())
        .collect())
}

/// Checks every scenario of a file on its own.
pub fn check_suite(file_label: &str, text: &str) -> SuiteCheck {
    check_suite_with(file_label, text, &CheckConfig::default())
}

/// Checks every scenario of a file on its own, as `config` says.
///
/// ```
/// use replication_dsl::{CheckConfig, check_suite_with};
/// use replication_spec::spec::RuleSetName;
/// let config = CheckConfig { rule_set: Some(RuleSetName::ExamGuide) };
/// let suite = check_suite_with("demo.scenario", "empty { }", &config);
/// let valid = suite.scenarios[0].result.as_ref().unwrap();
/// assert_eq!(valid.spec().rule_set, RuleSetName::ExamGuide);
/// assert_eq!(suite.scenarios[0].declared_rule_set, RuleSetName::Aws2026);
/// ```
pub fn check_suite_with(file_label: &str, text: &str, config: &CheckConfig) -> SuiteCheck {
    let tokens = match tokenize(file_label, text) {
        Ok(t) => t,
        Err(errors) => {
            return SuiteCheck {
                scenarios: Vec::new(),
                errors,
            };
        }
    };
    let checked = check(tokens, &config_for(file_label), config.rule_set);
    let scenarios = checked
        .scenarios
        .into_iter()
        .map(|s| {
            let result = match s.valid {
                Some(v) if s.errors.is_empty() => Ok(v),
                _ => Err(render(file_label, s.errors)),
            };
            ScenarioCheck {
                name: s.ast.name.to_string(),
                doc: s.ast.doc.clone(),
                line: s.ast.name.span().start().line,
                declared_rule_set: s.declared,
                result,
            }
        })
        .collect();
    SuiteCheck {
        scenarios,
        errors: render(file_label, checked.errors),
    }
}

fn tokenize(file_label: &str, text: &str) -> Result<TokenStream, Vec<Diagnostic>> {
    text.parse::<TokenStream>().map_err(|e| {
        // `source/*` is the likeliest cause: Rust's lexer (and so rustc, before the macro runs)
        // reads `/*` as the start of a block comment.
        if let Some((line, column)) = glued_comment_start(text) {
            return vec![Diagnostic {
                file: file_label.to_owned(),
                line,
                column,
                message: "`/*` here starts a block comment; write object patterns in quotes, like `source/\"*\"`".to_owned(),
            }];
        }
        let error = DslError::new(
            e.span(),
            "the file does not read as tokens: check for an unclosed `(`, `[`, `{` or `\"`, a stray closing one, or an unterminated comment",
        );
        vec![error.to_diagnostic(file_label)]
    })
}

/// The 1-based line and column of the first `/*` written right after a word (`source/*`) that
/// Rust's lexer reads as a comment: one in code, not inside a string literal (the documented
/// `source/"logs/*"`) or a comment (`// see source/*`), which the lexer never sees as one.
fn glued_comment_start(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let mut i = 0;
    let mut depth = 0usize;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if depth > 0 {
            if rest.starts_with(b"/*") {
                depth += 1;
                i += 2;
            } else if rest.starts_with(b"*/") {
                depth -= 1;
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        match bytes[i] {
            b'/' if rest.starts_with(b"//") => {
                i = memchr_newline(bytes, i);
            }
            b'/' if rest.starts_with(b"/*") => {
                if i > 0 && is_word(bytes[i - 1]) {
                    return Some(line_column(text, i));
                }
                depth = 1;
                i += 2;
            }
            b'"' => i = skip_string(bytes, i + 1),
            b'r' if (i == 0 || !is_word(bytes[i - 1]) || bytes[i - 1] == b'b')
                && raw_string_hashes(rest).is_some() =>
            {
                let hashes = raw_string_hashes(rest).unwrap_or(0);
                i = skip_raw_string(bytes, i + 2 + hashes, hashes);
            }
            b'\'' => i = skip_char(bytes, i),
            _ => i += 1,
        }
    }
    None
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p + 1)
}

/// Past the closing quote of a string whose body starts at `i`.
fn skip_string(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// `Some(n)` when `rest` starts a raw string `r#…#"` with `n` hashes.
fn raw_string_hashes(rest: &[u8]) -> Option<usize> {
    let hashes = rest[1..].iter().take_while(|&&b| b == b'#').count();
    (rest.get(1 + hashes) == Some(&b'"')).then_some(hashes)
}

/// Past the end of a raw string whose body starts at `i`.
fn skip_raw_string(bytes: &[u8], mut i: usize, hashes: usize) -> usize {
    while i < bytes.len() {
        if bytes[i] == b'"'
            && bytes[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&b| b == b'#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    bytes.len()
}

/// Past a character literal (`'a'`, `'\''`) at `i`, or just past the quote of a lifetime.
fn skip_char(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i + 1) {
        Some(b'\\') => bytes[i + 2..]
            .iter()
            .skip(1)
            .position(|&b| b == b'\'')
            .map_or(i + 1, |p| i + 4 + p),
        Some(_) => {
            let len = text_char_len(bytes, i + 1);
            if bytes.get(i + 1 + len) == Some(&b'\'') {
                i + 2 + len
            } else {
                i + 1
            }
        }
        None => i + 1,
    }
}

/// The UTF-8 length of the character starting at `i`.
fn text_char_len(bytes: &[u8], i: usize) -> usize {
    match bytes[i] {
        b if b < 0x80 => 1,
        b if b >= 0xf0 => 4,
        b if b >= 0xe0 => 3,
        _ => 2,
    }
}

/// The 1-based line and column (in characters) of byte `at`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

fn config_for(file_label: &str) -> LowerConfig {
    let dir = Path::new(file_label)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    LowerConfig {
        base_dir: Some(dir),
        base_dir_label: "the scenario file's directory",
    }
}

fn render(file_label: &str, mut errors: Vec<DslError>) -> Vec<Diagnostic> {
    sort(&mut errors);
    errors.iter().map(|e| e.to_diagnostic(file_label)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_glued_comment_in_code_is_blamed() {
        assert_eq!(glued_comment_start("allow x on source/*;"), Some((1, 18)));
        assert_eq!(glued_comment_start("a\n  é source/* x"), Some((2, 11)));
        assert_eq!(glued_comment_start("on source/\"logs/*\";"), None);
        assert_eq!(glued_comment_start("// see source/*\nput ("), None);
        assert_eq!(glued_comment_start("/* source/* */ x"), None);
        assert_eq!(glued_comment_start("r#\"a/*\"# b"), None);
        assert_eq!(glued_comment_start("'\"' source/*"), Some((1, 11)));
        assert_eq!(glued_comment_start("\"a\\\"b/*\" c"), None);
    }
}
