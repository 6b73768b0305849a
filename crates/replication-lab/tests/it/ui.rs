//! The compile-fail suite, and its parity with the runtime entry point.
//!
//! Each `tests/ui/<mistake>.rs` holds one mistake; its `.stderr` is what rustc prints, generated
//! with `TRYBUILD=overwrite` and reviewed, never written by hand. The parity test feeds the same
//! macro input to `replication_dsl::validate_suite` and requires the same messages, which is the
//! promise that `cargo xtask scenarios` and `cargo test` report a scenario alike. The one
//! difference by design: `json_file` paths are relative to the crate root for the macro and to
//! the scenario file's directory for the runner, and each message says which.

use std::path::{Path, PathBuf};

/// Compiles every case and compares rustc's output with the committed `.stderr`.
#[test]
fn compile_fail() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}

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
        let mut compile_time: Vec<String> = compile_time_messages(&stderr)
            .iter()
            .map(|m| same_base(m))
            .collect();
        let body = macro_body(&source)
            .unwrap_or_else(|| panic!("{}: no `replication_scenario! {{ ... }}`", path.display()));
        let mut runtime: Vec<String> = match replication_dsl::validate_suite(&name, &body) {
            Ok(_) => Vec::new(),
            Err(diagnostics) => diagnostics.iter().map(|d| same_base(&d.message)).collect(),
        };
        compile_time.sort();
        runtime.sort();
        assert_eq!(
            runtime,
            compile_time,
            "{}: the runtime entry point and the macro disagree",
            path.display()
        );
        assert!(
            !runtime.is_empty(),
            "{}: a compile-fail case without errors",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 25, "only {checked} ui cases");
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

/// The `error: ...` lines of rustc's output, without rustc's own summary lines.
fn compile_time_messages(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error: "))
        .filter(|m| !m.starts_with("aborting due to") && !m.starts_with("could not compile"))
        .map(str::to_owned)
        .collect()
}

/// The text between the braces of `replication_scenario! { ... }`, exactly as written.
fn macro_body(source: &str) -> Option<String> {
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
            let open = g.span_open().byte_range().end;
            let close = g.span_close().byte_range().start;
            source.get(open..close).map(str::to_owned)
        }
        _ => None,
    })
}
