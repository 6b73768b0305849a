//! The harness behind each generated test: validate, run, check expectations.
//!
//! A scenario built by hand in Rust goes through the same three steps as one written with
//! `replication_scenario!`, so both meet the same rule book (`replication_model::validate`).

use std::fmt::Write as _;

use replication_model::spec::ScenarioSpec;
use replication_model::{ExpectationResult, Outcome, Problem, RunError};

/// Why a scenario did not pass.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioFailure {
    /// Validation found problems (for a macro scenario this cannot happen: the build failed).
    #[error("scenario `{name}` is invalid:\n{}", list(problems.iter().map(|p| p.message.as_str())))]
    Invalid {
        /// The scenario's name.
        name: String,
        /// Every problem.
        problems: Vec<Problem>,
    },
    /// The model could not run the scenario.
    #[error("scenario `{name}` could not run: {source}")]
    Run {
        /// The scenario's name.
        name: String,
        /// What went wrong.
        source: RunError,
    },
    /// The scenario ran, and some `expect` did not hold.
    #[error(
        "scenario `{name}` ran, but {} of {total} expectations failed:\n{}\nthe report:\n{report}",
        failed.len(),
        located(failed, file.as_deref())
    )]
    Expectations {
        /// The scenario's name.
        name: String,
        /// The file the scenario was written in, when known; each failure is located in it.
        file: Option<String>,
        /// Every failed expectation, in step order.
        failed: Vec<ExpectationResult>,
        /// How many expectations the scenario has.
        total: usize,
        /// The whole report, to see what happened instead.
        report: String,
    },
}

/// One line per failed expectation: `file:line:col: expectation failed: step N: ...`.
fn located(failed: &[ExpectationResult], file: Option<&str>) -> String {
    let mut out = String::new();
    for e in failed {
        let _ = writeln!(out, "{}", e.located(file));
    }
    out
}

fn list<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for line in lines {
        let _ = writeln!(out, "  - {line}");
    }
    out
}

/// Validates, runs and checks every expectation of a scenario.
///
/// ```
/// use replication_lab::model::spec::*;
/// let spec = ScenarioSpec { name: "empty".into(), ..ScenarioSpec::default() };
/// let outcome = replication_lab::harness::run_checked(spec).unwrap();
/// assert!(outcome.report().starts_with("scenario empty"));
/// ```
///
/// # Errors
///
/// [`ScenarioFailure`] when the scenario is invalid, cannot run, or an expectation fails.
pub fn run_checked(spec: ScenarioSpec) -> Result<Outcome, ScenarioFailure> {
    run_checked_in(spec, None)
}

/// As [`run_checked`], for a scenario written in `file` (the macro passes `file!()`), so that a
/// failed expectation reads `file:line:col: expectation failed: ...` at its `expect`.
///
/// # Errors
///
/// As [`run_checked`].
pub fn run_checked_in(spec: ScenarioSpec, file: Option<&str>) -> Result<Outcome, ScenarioFailure> {
    let name = spec.name.clone();
    let valid = replication_model::validate(spec).map_err(|problems| ScenarioFailure::Invalid {
        name: name.clone(),
        problems,
    })?;
    let outcome = replication_model::run(&valid).map_err(|source| ScenarioFailure::Run {
        name: name.clone(),
        source,
    })?;
    let failed: Vec<ExpectationResult> = outcome.failed_expectations().cloned().collect();
    if !failed.is_empty() {
        return Err(ScenarioFailure::Expectations {
            name,
            file: file.map(str::to_owned),
            failed,
            total: outcome.expectations().len(),
            report: outcome.report().to_owned(),
        });
    }
    Ok(outcome)
}
