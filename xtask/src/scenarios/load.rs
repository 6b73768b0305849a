//! Reading one scenario file through the DSL: parse, lower and validate every scenario, and apply
//! a `--rules` override.
//!
//! proc-macro2 locates spans in a per-thread source map, so a file is checked start to finish on
//! one thread; what leaves this module ([`ValidSpec`] and rendered diagnostics) holds no span.

use std::path::Path;

use replication_dsl::Diagnostic;
use replication_model::ValidSpec;
use replication_model::rules::rule_set_label;
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
    /// The rule set the scenario declares (`exam_guide` when it declares none or is invalid).
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
    let checked = replication_dsl::check_suite(label, &text);
    let scenarios = checked
        .scenarios
        .into_iter()
        .map(|s| {
            let declared = s
                .result
                .as_ref()
                .map_or(RuleSetName::ExamGuide, |v| v.spec().rule_set);
            let result = match s.result {
                Err(diags) => Err(diags.iter().map(Diagnostic::to_string).collect()),
                Ok(valid) => match rules {
                    Some(r) if r != declared => {
                        revalidate(&valid, r, label, &text, &s.name, s.line)
                    }
                    _ => Ok(valid),
                },
            };
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

/// Validates a scenario again under another rule set. The DSL has no entry point that takes a
/// rule set, so problems the other rule set raises (an expectation it makes impossible) point
/// at the scenario's name rather than at the narrowest token.
fn revalidate(
    valid: &ValidSpec,
    rules: RuleSetName,
    label: &str,
    text: &str,
    name: &str,
    line: usize,
) -> Result<ValidSpec, Vec<String>> {
    let mut spec = valid.spec().clone();
    spec.rule_set = rules;
    replication_model::validate(spec).map_err(|problems| {
        let column = text
            .lines()
            .nth(line.saturating_sub(1))
            .and_then(|l| l.find(name).map(|byte| l[..byte].chars().count() + 1))
            .unwrap_or(1);
        problems
            .iter()
            .map(|p| {
                format!(
                    "{label}:{line}:{column}: under `--rules {}`: {}",
                    rule_set_label(rules),
                    p.message
                )
            })
            .collect()
    })
}
