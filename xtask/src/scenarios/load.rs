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
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            return LoadedFile {
                scenarios: Vec::new(),
                errors: vec![format!("{label}: cannot read the file: {e}")],
            };
        }
    };
    // Under `--rules` every scenario is validated under that rule set by the DSL itself, so a
    // problem the override raises still points at the narrowest token.
    let config = replication_dsl::CheckConfig { rule_set: rules };
    let checked = replication_dsl::check_suite_with(label, &text, &config);
    let scenarios = checked
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
    LoadedFile {
        scenarios,
        errors: checked.errors.iter().map(Diagnostic::to_string).collect(),
    }
}
