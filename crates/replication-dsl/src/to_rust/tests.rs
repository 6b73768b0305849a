//! The round trip that holds `to_rust` to the spec: for every scenario text in the workspace
//! (the suites under `scenarios/`, the macro invocations and scenario strings in Rust sources,
//! the examples in the docs), the value the generated tokens build equals the lowered spec.
//!
//! Both sides are read into one [`Value`] tree: the generated expression with syn, the lowered
//! spec through its derived `Debug` (which prints every field of every spec type, and which syn
//! reads as a Rust expression too). Paths keep their last segment (`__spec::Versioning::Enabled`
//! and `Enabled` are the same variant), `String::from("x")` is the string, `vec![..]` the list,
//! and struct fields compare by name. A field `to_rust` drops, reorders into the wrong place or
//! writes with a wrong value makes the trees differ.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::{Expr, Lit, Token};

use super::ToRust;
use crate::check::check;
use crate::lower::LowerConfig;
use replication_spec::spec::ScenarioSpec;

/// A value as both sides describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Str(String),
    Int(String),
    Bool(bool),
    /// A unit variant or constant, by its last path segment (`Enabled`, `None`).
    Path(String),
    /// A tuple variant or `Some(..)`.
    Call(String, Vec<Value>),
    Struct(String, BTreeMap<String, Value>),
    List(Vec<Value>),
    Tuple(Vec<Value>),
}

/// Reads an expression of the shapes `to_rust` writes and `Debug` prints, or says what it
/// cannot read.
fn value(expr: &Expr) -> Result<Value, String> {
    Ok(match expr {
        Expr::Lit(lit) => literal(&lit.lit)?,
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => match value(expr)? {
            Value::Int(digits) => Value::Int(format!("-{digits}")),
            other => return Err(format!("negated non-integer {other:?}")),
        },
        Expr::Path(p) => Value::Path(last_segment(&p.path)?),
        Expr::Call(call) => {
            let Expr::Path(func) = &*call.func else {
                return Err(format!("call of a non-path: {}", quote::quote!(#call)));
            };
            let args = call.args.iter().map(value).collect::<Result<Vec<_>, _>>()?;
            let segments: Vec<String> = func
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            match segments.as_slice() {
                [.., ty, f] if ty == "String" && f == "from" => one(args)?,
                _ => Value::Call(last_segment(&func.path)?, args),
            }
        }
        Expr::Struct(s) => {
            if s.rest.is_some() || s.dot2_token.is_some() {
                return Err(format!("struct with `..`: {}", quote::quote!(#s)));
            }
            let mut fields = BTreeMap::new();
            for f in &s.fields {
                let syn::Member::Named(name) = &f.member else {
                    return Err("positional struct field".to_owned());
                };
                if fields.insert(name.to_string(), value(&f.expr)?).is_some() {
                    return Err(format!("field `{name}` given twice"));
                }
            }
            Value::Struct(last_segment(&s.path)?, fields)
        }
        Expr::Macro(m) if last_segment(&m.mac.path)? == "vec" => {
            let items = m
                .mac
                .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
                .map_err(|e| format!("vec! body: {e}"))?;
            Value::List(items.iter().map(value).collect::<Result<_, _>>()?)
        }
        Expr::Array(a) => Value::List(a.elems.iter().map(value).collect::<Result<_, _>>()?),
        Expr::Tuple(t) => Value::Tuple(t.elems.iter().map(value).collect::<Result<_, _>>()?),
        Expr::Paren(p) => value(&p.expr)?,
        other => return Err(format!("unexpected expression {}", quote::quote!(#other))),
    })
}

fn literal(lit: &Lit) -> Result<Value, String> {
    Ok(match lit {
        Lit::Str(s) => Value::Str(s.value()),
        // Suffixes (`4096u64`) are the generated code's, digits are the value.
        Lit::Int(i) => Value::Int(i.base10_digits().to_owned()),
        Lit::Bool(b) => Value::Bool(b.value),
        other => return Err(format!("unexpected literal {}", quote::quote!(#other))),
    })
}

fn last_segment(path: &syn::Path) -> Result<String, String> {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .ok_or_else(|| "empty path".to_owned())
}

fn one(mut args: Vec<Value>) -> Result<Value, String> {
    match (args.pop(), args.is_empty()) {
        (Some(v), true) => Ok(v),
        _ => Err("`String::from` takes one argument".to_owned()),
    }
}

/// The value `tokens` build, read as an expression.
fn generated(tokens: TokenStream) -> Result<Value, String> {
    let expr: Expr = syn::parse2(tokens).map_err(|e| format!("generated tokens: {e}"))?;
    value(&expr)
}

/// The value of `spec`, read from its `Debug` form.
fn lowered(spec: &ScenarioSpec) -> Value {
    let text = format!("{spec:?}");
    let expr: Expr = syn::parse_str(&text).expect("a spec's Debug form reads as an expression");
    value(&expr).expect("a spec's Debug form has only literals, paths, structs and lists")
}

/// `None` when the tokens build `spec`, else where the two first differ.
fn round_trip_mismatch(spec: &ScenarioSpec, tokens: TokenStream) -> Option<String> {
    let expected = lowered(spec);
    match generated(tokens) {
        Err(e) => Some(e),
        Ok(actual) if actual == expected => None,
        Ok(actual) => Some(first_difference(&expected, &actual, "spec")),
    }
}

fn first_difference(expected: &Value, actual: &Value, at: &str) -> String {
    match (expected, actual) {
        (Value::Struct(n1, f1), Value::Struct(n2, f2)) if n1 == n2 => {
            for (name, v1) in f1 {
                let here = format!("{at}.{name}");
                match f2.get(name) {
                    None => return format!("{here}: missing from the generated code"),
                    Some(v2) if v1 != v2 => return first_difference(v1, v2, &here),
                    Some(_) => {}
                }
            }
            let extra: Vec<&String> = f2.keys().filter(|k| !f1.contains_key(*k)).collect();
            format!("{at}: the generated code has fields the spec lacks: {extra:?}")
        }
        (Value::List(a), Value::List(b))
        | (Value::Tuple(a), Value::Tuple(b))
        | (Value::Call(_, a), Value::Call(_, b))
            if a.len() == b.len() =>
        {
            let differing = a.iter().zip(b).enumerate().find(|(_, (x, y))| x != y);
            match differing {
                Some((i, (x, y))) => first_difference(x, y, &format!("{at}[{i}]")),
                None => format!("{at}: {expected:?} != {actual:?}"),
            }
        }
        _ => format!("{at}: the spec has {expected:?}, the generated code builds {actual:?}"),
    }
}

/// The workspace root (this crate lives in `crates/replication-dsl`).
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                files_under(&path, ext, out);
            }
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// Every `replication_scenario! { .. }` body in `tokens`, and every string literal that might
/// hold scenario text (the DSL's tests pass suites as strings).
fn scenario_texts(tokens: TokenStream, out: &mut Vec<TokenStream>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(g) => {
                let invoked = i >= 2
                    && matches!(&trees[i - 2], TokenTree::Ident(id) if id == "replication_scenario")
                    && matches!(&trees[i - 1], TokenTree::Punct(p) if p.as_char() == '!');
                if invoked && g.delimiter() == Delimiter::Brace {
                    out.push(g.stream());
                } else {
                    scenario_texts(g.stream(), out);
                }
            }
            TokenTree::Literal(lit) => {
                let Ok(Lit::Str(s)) = syn::parse_str::<Lit>(&lit.to_string()) else {
                    continue;
                };
                let text = s.value();
                if text.contains('{')
                    && let Ok(inner) = TokenStream::from_str(&text)
                {
                    out.push(inner);
                }
            }
            _ => {}
        }
    }
}

/// The fenced code blocks of a Markdown text (or of doc comments read as Markdown), with
/// rustdoc's hidden-line `# ` prefix removed.
fn code_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            match current.take() {
                Some(block) => blocks.push(block),
                None => current = Some(String::new()),
            }
        } else if let Some(block) = &mut current {
            let line = trimmed.strip_prefix("# ").unwrap_or(line);
            block.push_str(line);
            block.push('\n');
        }
    }
    blocks
}

/// The doc comments of a Rust file as Markdown.
fn doc_comments(rust: &str) -> String {
    let mut docs = String::new();
    for line in rust.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("//!").or_else(|| t.strip_prefix("///")) {
            docs.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            docs.push('\n');
        }
    }
    docs
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A text to check, with where `json_file` paths in it are relative to.
struct Source {
    label: String,
    tokens: TokenStream,
    base_dir: PathBuf,
}

fn sources() -> (Vec<Source>, usize) {
    let root = workspace();
    let mut sources = Vec::new();

    let mut suite_files = Vec::new();
    files_under(&root.join("scenarios"), "scenario", &mut suite_files);
    let suites = suite_files.len();
    for path in suite_files {
        let text = std::fs::read_to_string(&path).expect("a scenario file is readable");
        // A file of the deliberately broken suite may not even tokenize; it has no spec.
        if let Ok(tokens) = TokenStream::from_str(&text) {
            let base_dir = path.parent().expect("a file has a folder").to_path_buf();
            sources.push(Source {
                label: relative(&root, &path),
                tokens,
                base_dir,
            });
        }
    }

    let mut rust_files = Vec::new();
    for dir in ["crates", "xtask", "benches"] {
        files_under(&root.join(dir), "rs", &mut rust_files);
    }
    let mut markdown = vec![root.join("README.md")];
    files_under(&root.join("docs"), "md", &mut markdown);
    for path in rust_files.iter().chain(&markdown) {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let is_rust = path.extension().is_some_and(|e| e == "rs");
        let docs = if is_rust {
            doc_comments(&text)
        } else {
            text.clone()
        };
        let mut found = Vec::new();
        if is_rust && let Ok(tokens) = TokenStream::from_str(&text) {
            scenario_texts(tokens, &mut found);
        }
        for block in code_blocks(&docs) {
            if let Ok(tokens) = TokenStream::from_str(&block) {
                found.push(tokens.clone());
                scenario_texts(tokens, &mut found);
            }
        }
        // The macro reads `json_file` relative to the crate root.
        let base_dir = path
            .ancestors()
            .find(|d| d.join("Cargo.toml").is_file())
            .unwrap_or(&root)
            .to_path_buf();
        sources.extend(found.into_iter().map(|tokens| Source {
            label: relative(&root, path),
            tokens,
            base_dir: base_dir.clone(),
        }));
    }
    (sources, suites)
}

#[test]
fn every_reachable_scenario_round_trips_through_to_rust() {
    let (sources, suite_files) = sources();
    let mut checked = BTreeMap::<String, usize>::new();
    let mut failures = Vec::new();
    for source in sources {
        let config = LowerConfig {
            base_dir: Some(source.base_dir),
            base_dir_label: "the test's base directory",
        };
        for scenario in check(source.tokens, &config, None).scenarios {
            let Some(lowered) = scenario.lowered else {
                continue;
            };
            let spec = &lowered.spec;
            if let Some(why) = round_trip_mismatch(spec, spec.to_rust()) {
                failures.push(format!("{}: scenario `{}`: {why}", source.label, spec.name));
            }
            *checked.entry(source.label.clone()).or_default() += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let from_suites: usize = checked
        .iter()
        .filter(|(label, _)| label.ends_with(".scenario"))
        .map(|(_, n)| n)
        .sum();
    let total: usize = checked.values().sum();
    // Every shipped suite file contributes, and so do the Rust tests and the docs.
    assert!(suite_files >= 20, "found only {suite_files} scenario files");
    assert!(
        from_suites >= suite_files,
        "{from_suites} scenarios in {suite_files} files"
    );
    assert!(
        checked.keys().any(|l| l.ends_with("README.md"))
            && checked
                .keys()
                .any(|l| l.contains("replication-lab/tests/it"))
            && checked
                .keys()
                .any(|l| l.contains("replication-dsl/tests/it")),
        "sources checked: {:?}",
        checked.keys().collect::<Vec<_>>()
    );
    assert!(total > from_suites, "{total} scenarios in all");
}

/// A spec with a bit of everything the checks below tamper with.
fn sample() -> ScenarioSpec {
    let text = r#"
        /// Sample.
        sample {
            account prod = 111122223333;
            key k = kms(prod, "us-east-1");
            bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(k) };
            bucket target = s3(prod, "eu-west-1") { versioning };
            put source "a.txt" = 4 KiB;
        }
    "#;
    let config = LowerConfig {
        base_dir: None,
        base_dir_label: "nowhere",
    };
    let tokens = TokenStream::from_str(text).expect("tokenizes");
    let scenario = check(tokens, &config, None).scenarios.remove(0);
    scenario.lowered.expect("lowers").spec
}

#[test]
fn the_round_trip_sees_a_dropped_field() {
    let spec = sample();
    let tokens = spec.to_rust().to_string();
    assert!(round_trip_mismatch(&spec, spec.to_rust()).is_none());
    // As if `to_rust` forgot the bucket's default encryption.
    let dropped = tokens.replacen("default_encryption :", "dropped_field :", 1);
    assert_ne!(dropped, tokens, "the sample writes a default encryption");
    let why = round_trip_mismatch(&spec, TokenStream::from_str(&dropped).expect("tokenizes"))
        .expect("a dropped field is caught");
    assert!(why.contains("default_encryption: missing"), "{why}");
}

#[test]
fn the_round_trip_sees_a_wrong_value() {
    let spec = sample();
    let tokens = spec.to_rust().to_string();
    // As if `to_rust` wrote every `Enabled` versioning as `Suspended`.
    let wrong = tokens.replace("Versioning :: Enabled", "Versioning :: Suspended");
    assert_ne!(wrong, tokens, "the sample has versioned buckets");
    let why = round_trip_mismatch(&spec, TokenStream::from_str(&wrong).expect("tokenizes"))
        .expect("a wrong value is caught");
    assert!(why.contains("Suspended"), "{why}");
    // And a wrong size.
    let size = tokens.replace("4096u64", "4097u64");
    assert_ne!(size, tokens, "the sample puts 4 KiB");
    assert!(round_trip_mismatch(&spec, TokenStream::from_str(&size).expect("tokenizes")).is_some());
}
