//! The compile-fail suite, and its parity with the runtime entry point.
//!
//! Each `tests/ui/<mistake>.rs` holds one mistake; its `.stderr` is what rustc prints, generated
//! with `TRYBUILD=overwrite` and reviewed, never written by hand. The parity test feeds the same
//! macro input to `replication_dsl::validate_suite` and requires the same messages at the same
//! `line:col`, which is the promise that `cargo xtask scenarios` and `cargo test` report a
//! scenario alike. The one difference by design: `json_file` paths are relative to the crate
//! root for the macro and to the scenario file's directory for the runner, and each message says
//! which.

use std::path::{Path, PathBuf};

/// Compiles every case and compares rustc's output with the committed `.stderr`.
#[test]
fn compile_fail() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}

/// Both front ends give the same messages at the same `line:col`. A problem inside a JSON
/// policy is the one place they may differ: rustc on stable cannot point inside a string
/// literal, so it points at the literal, while the runtime points at the character inside it.
#[test]
fn runtime_messages_match_compile_time_messages() {
    let mut checked = 0;
    for (path, source) in ui_cases() {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let stderr = std::fs::read_to_string(path.with_extension("stderr"))
            .unwrap_or_else(|e| panic!("{}: no .stderr ({e}); run `TRYBUILD=overwrite cargo test -p replication-lab --test it compile_fail`", path.display()));
        let mut compile_time: Vec<Located> = compile_time_messages(&stderr)
            .into_iter()
            .map(|m| Located {
                message: same_base(&m.message),
                ..m
            })
            .collect();
        let (body, start) = macro_body(&source)
            .unwrap_or_else(|| panic!("{}: no `replication_scenario! {{ ... }}`", path.display()));
        let mut runtime: Vec<Located> = match replication_dsl::validate_suite(&name, &body) {
            Ok(_) => Vec::new(),
            Err(diagnostics) => diagnostics
                .iter()
                .map(|d| Located {
                    message: same_base(&d.message),
                    at: in_file(start, (d.line, d.column)),
                })
                .collect(),
        };
        compile_time.sort();
        runtime.sort();
        let messages = |v: &[Located]| v.iter().map(|l| l.message.clone()).collect::<Vec<_>>();
        assert_eq!(
            messages(&runtime),
            messages(&compile_time),
            "{}: the runtime entry point and the macro disagree",
            path.display()
        );
        for (r, c) in runtime.iter().zip(&compile_time) {
            assert!(
                r.at == c.at
                    || literal_at(&source, c.at).is_some_and(|(s, e)| s <= r.at && r.at <= e),
                "{}: `{}` is at {}:{} for the runtime and at {}:{} for the macro",
                path.display(),
                r.message,
                r.at.0,
                r.at.1,
                c.at.0,
                c.at.1
            );
        }
        assert!(
            !runtime.is_empty(),
            "{}: a compile-fail case without errors",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} ui cases");
}

/// A message and its 1-based `(line, column)` in the ui case's file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Located {
    message: String,
    at: (usize, usize),
}

/// A position in the macro body, moved to the file: the body's first line starts at `start`.
fn in_file(start: (usize, usize), (line, column): (usize, usize)) -> (usize, usize) {
    if line == 1 {
        (start.0, start.1 + column - 1)
    } else {
        (start.0 + line - 1, column)
    }
}

/// The first and last position of the string literal that starts at `at`, if one does.
fn literal_at(source: &str, at: (usize, usize)) -> Option<((usize, usize), (usize, usize))> {
    fn find(tokens: proc_macro2::TokenStream, at: (usize, usize)) -> Option<proc_macro2::Span> {
        tokens.into_iter().find_map(|t| match t {
            proc_macro2::TokenTree::Group(g) => find(g.stream(), at),
            proc_macro2::TokenTree::Literal(l) => {
                let s = l.span().start();
                ((s.line, s.column + 1) == at).then(|| l.span())
            }
            _ => None,
        })
    }
    let span = find(source.parse().ok()?, at)?;
    let end = span.end();
    Some((at, (end.line, end.column)))
}

/// A message with the base of `json_file` paths named alike for both front ends.
fn same_base(message: &str) -> String {
    const MACRO: &str = "relative to the crate root (`CARGO_MANIFEST_DIR`)";
    const RUNNER: &str = "relative to the scenario file's directory";
    message
        .replace(MACRO, "relative to <base>")
        .replace(RUNNER, "relative to <base>")
}

fn ui_cases() -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let mut cases: Vec<(PathBuf, String)> = std::fs::read_dir(&dir)
        .expect("tests/ui exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable ui case");
            (p, text)
        })
        .collect();
    cases.sort();
    cases
}

/// The `error: ...` lines of rustc's output with the `--> file:line:col` under each, without
/// rustc's own summary lines.
fn compile_time_messages(stderr: &str) -> Vec<Located> {
    let mut out = Vec::new();
    let mut lines = stderr.lines();
    while let Some(line) = lines.next() {
        let Some(message) = line.strip_prefix("error: ") else {
            continue;
        };
        if message.starts_with("aborting due to") || message.starts_with("could not compile") {
            continue;
        }
        let at = lines
            .next()
            .and_then(|l| l.trim_start().strip_prefix("--> "))
            .and_then(|l| {
                let mut parts = l.rsplitn(3, ':');
                let column = parts.next()?.parse().ok()?;
                let line = parts.next()?.parse().ok()?;
                Some((line, column))
            })
            .unwrap_or_else(|| panic!("no `--> file:line:col` under `error: {message}`"));
        out.push(Located {
            message: message.to_owned(),
            at,
        });
    }
    out
}

/// The text between the braces of `replication_scenario! { ... }`, exactly as written, and the
/// 1-based `(line, column)` in the file where it starts.
fn macro_body(source: &str) -> Option<(String, (usize, usize))> {
    use proc_macro2::TokenTree;
    let tokens: Vec<TokenTree> = source
        .parse::<proc_macro2::TokenStream>()
        .ok()?
        .into_iter()
        .collect();
    tokens.windows(3).find_map(|w| match w {
        [
            TokenTree::Ident(i),
            TokenTree::Punct(bang),
            TokenTree::Group(g),
        ] if i == "replication_scenario" && bang.as_char() == '!' => {
            let open = g.span_open();
            let after = open.end();
            let body = source.get(open.byte_range().end..g.span_close().byte_range().start)?;
            Some((body.to_owned(), (after.line, after.column + 1)))
        }
        _ => None,
    })
}
