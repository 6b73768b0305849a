//! Reading one scenario file through the DSL: parse, lower and validate every scenario, and apply
//! a `--rules` override.
//!
//! proc-macro2 locates spans in a per-thread source map, so a file is checked start to finish on
//! one thread; what leaves this module ([`ValidSpec`] and rendered diagnostics) holds no span.

use std::path::Path;

use replication_dsl::Diagnostic;
use replication_model::ValidSpec;
use replication_model::spec::RuleSetName;

/// One scenario of a file, checked.
#[derive(Debug)]
pub struct Loaded {
    /// The scenario's name.
    pub name: String,
    /// Its doc comment.
    pub doc: String,
    /// The 1-based line of its name.
    pub line: usize,
    /// The rule set the scenario declares (`aws_2026`, the default, when it declares none or is
    /// invalid).
    pub declared: RuleSetName,
    /// The validated spec under the effective rule set, or every problem as `file:line:col`.
    pub result: Result<ValidSpec, Vec<String>>,
}

/// A file, checked.
#[derive(Debug)]
pub struct LoadedFile {
    /// The scenarios that could be parsed, in file order.
    pub scenarios: Vec<Loaded>,
    /// Problems outside every scenario, as `file:line:col: message`; the file fails when any.
    pub errors: Vec<String>,
}

/// Reads and checks a scenario file. `label` names the file in diagnostics and must lead to it
/// from the current directory (the DSL reads `json_file` policies next to it).
pub fn load_file(path: &Path, label: &str, rules: Option<RuleSetName>) -> LoadedFile {
    let text = match read_text(path, label) {
        Ok(t) => t,
        Err(e) => {
            return LoadedFile {
                scenarios: Vec::new(),
                errors: vec![e],
            };
        }
    };
    // Under `--rules` every scenario is validated under that rule set by the DSL itself, so a
    // problem the override raises still points at the narrowest token.
    let config = replication_dsl::CheckConfig { rule_set: rules };
    let checked = replication_dsl::check_suite_with(label, &text, &config);
    let scenarios: Vec<Loaded> = checked
        .scenarios
        .into_iter()
        .map(|s| {
            let declared = s.declared_rule_set;
            let result = s.result.map_err(|diags| {
                diags
                    .iter()
                    .map(|d| match rules {
                        Some(r) if r != declared => format!(
                            "{}:{}:{}: under `--rules {}`: {}",
                            d.file, d.line, d.column, r, d.message
                        ),
                        _ => d.to_string(),
                    })
                    .collect()
            });
            Loaded {
                name: s.name,
                doc: s.doc,
                line: s.line,
                declared,
                result,
            }
        })
        .collect();
    let mut errors: Vec<String> = checked.errors.iter().map(Diagnostic::to_string).collect();
    if scenarios.is_empty() && errors.is_empty() {
        // Else an emptied file, or one whose scenarios were all commented out, passes unseen.
        errors.push(format!(
            "{label}:1:1: the file holds no scenario; write one as `/// what it shows` then `name {{ statements }}`, or delete the file"
        ));
    }
    LoadedFile { scenarios, errors }
}

/// The file as UTF-8 text, or a diagnostic: `file:line:col` of the first byte that is not UTF-8.
fn read_text(path: &Path, label: &str) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{label}: cannot read the file: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let (line, column) = line_column(&bytes[..at]);
        format!(
            "{label}:{line}:{column}: the file is not UTF-8 (byte 0x{:02x}); save it as UTF-8",
            bytes[at]
        )
    })
}

/// The 1-based line and column (in characters) just after `valid`, which is valid UTF-8.
fn line_column(valid: &[u8]) -> (usize, usize) {
    let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = std::str::from_utf8(&valid[line_start..]).map_or(1, |l| l.chars().count() + 1);
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located() {
        let dir = std::env::temp_dir().join(format!("xtask-utf8-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.scenario");
        std::fs::write(&path, b"a { }\n  \xc3\xa9\xff b { }\n").unwrap();
        let loaded = load_file(&path, "bad.scenario", None);
        assert_eq!(
            loaded.errors,
            ["bad.scenario:2:4: the file is not UTF-8 (byte 0xff); save it as UTF-8"]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_file_without_scenarios_fails() {
        let dir = std::env::temp_dir().join(format!("xtask-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("empty.scenario");
        std::fs::write(&path, "// every scenario was commented out\n").unwrap();
        let loaded = load_file(&path, "empty.scenario", None);
        assert!(loaded.scenarios.is_empty());
        assert_eq!(loaded.errors.len(), 1);
        assert!(
            loaded.errors[0].starts_with("empty.scenario:1:1: the file holds no scenario"),
            "{:?}",
            loaded.errors
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
