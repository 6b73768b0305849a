//! The pipeline both front ends share: parse, lower, validate, every error collected.
//!
//! The macro and the runtime entry points call [`check`] with the same tokens and differ only
//! in where `json_file` paths are relative to and in how they render the result, which is what
//! keeps compile-time and run-time messages identical.

use proc_macro2::TokenStream;
use replication_spec::ValidSpec;
use replication_spec::spec::RuleSetName;

use crate::ast::Scenario;
use crate::error::{Ctxt, DslError};
use crate::lower::{LowerConfig, Lowered, lower};
use crate::parse::parse_suite;

/// A checked suite.
#[derive(Debug)]
pub struct Checked {
    /// The scenarios that could be parsed, in order.
    pub scenarios: Vec<CheckedScenario>,
    /// Errors outside every scenario (a missing body, a stray token, a duplicate name).
    pub errors: Vec<DslError>,
}

/// One checked scenario.
#[derive(Debug)]
pub struct CheckedScenario {
    /// The parsed scenario.
    pub ast: Scenario,
    /// The lowered spec, when the scenario parsed without errors.
    pub lowered: Option<Lowered>,
    /// The validated spec, when there was no error at all.
    pub valid: Option<ValidSpec>,
    /// Every error of this scenario, sorted by position.
    pub errors: Vec<DslError>,
    /// The rule set the scenario declares (the default when it could not be lowered).
    pub declared: RuleSetName,
}

/// Parses, lowers and validates every scenario of `tokens`; with `rule_set`, every scenario is
/// validated under that rule set instead of the one it declares.
pub fn check(tokens: TokenStream, config: &LowerConfig, rule_set: Option<RuleSetName>) -> Checked {
    let cx = Ctxt::new();
    let suite = parse_suite(&cx, tokens);
    let mut errors = cx.check();
    sort(&mut errors);
    let scenarios = suite
        .scenarios
        .into_iter()
        .map(|ast| {
            let mut errors = ast.syntax_errors.clone();
            let mut lowered = None;
            let mut valid = None;
            let mut declared = RuleSetName::default();
            if errors.is_empty() {
                let cx = Ctxt::new();
                let mut l = lower(&cx, &ast, config);
                errors = cx.check();
                declared = l.spec.rule_set;
                if let Some(r) = rule_set {
                    l.spec.rule_set = r;
                }
                if errors.is_empty() {
                    match replication_spec::validate(l.spec.clone()) {
                        Ok(v) => valid = Some(v),
                        Err(problems) => errors = l.spans.locate_all(&problems),
                    }
                }
                lowered = Some(l);
            }
            sort(&mut errors);
            CheckedScenario {
                ast,
                lowered,
                valid,
                errors,
                declared,
            }
        })
        .collect();
    Checked { scenarios, errors }
}

/// Orders errors by where they start, then by message, so both front ends list them alike.
pub fn sort(errors: &mut [DslError]) {
    errors.sort_by(|a, b| {
        let (pa, pb) = (a.range.start.start(), b.range.start.start());
        (pa.line, pa.column, &a.message).cmp(&(pb.line, pb.column, &b.message))
    });
}
