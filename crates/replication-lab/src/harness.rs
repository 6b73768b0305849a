//! The harness behind each generated test: validate, run, check expectations.
//!
//! A scenario built by hand in Rust goes through the same three steps as one written with
//! `replication_scenario!`, so both meet the same rule book (`replication_model::validate`).

use std::fmt::Write as _;

use replication_model::spec::ScenarioSpec;
use replication_model::{Outcome, Problem, RunError};

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
    #[error("scenario `{name}` ran, but expectations failed:\n{failures}\n\nthe report:\n{report}")]
    Expectations {
        /// The scenario's name.
        name: String,
        /// Every failed expectation, as the model lists them.
        failures: String,
        /// The whole report, to see what happened instead.
        report: String,
    },
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
    let name = spec.name.clone();
    let valid = replication_model::validate(spec).map_err(|problems| ScenarioFailure::Invalid {
        name: name.clone(),
        problems,
    })?;
    let outcome = replication_model::run(&valid).map_err(|source| ScenarioFailure::Run {
        name: name.clone(),
        source,
    })?;
    if let Err(failures) = outcome.check_expectations() {
        return Err(ScenarioFailure::Expectations {
            name,
            failures,
            report: outcome.report().to_owned(),
        });
    }
    Ok(outcome)
}
