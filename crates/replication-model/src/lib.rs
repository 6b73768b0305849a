//! A deterministic simulator of Amazon S3 replication with encryption.
//!
//! Describe a setup as a [`spec::ScenarioSpec`], check it with [`validate()`] (every problem at
//! once), then [`run()`] the [`ValidSpec`] to learn, per object, what S3 would do and why:
//! replication status, failure reason, replica encryption and key, and the permission decision
//! behind each step. Objects are really encrypted (AES-256-GCM envelopes); replication really
//! decrypts and re-encrypts.
//!
//! ```
//! use replication_model::spec::*;
//! let spec = ScenarioSpec { name: "empty".into(), ..ScenarioSpec::default() };
//! let valid = replication_model::validate(spec).expect("an empty scenario is valid");
//! let outcome = replication_model::run(&valid).expect("the OS random generator works");
//! assert!(outcome.report().starts_with("scenario empty (rule set exam_guide)"));
//! ```

#![warn(missing_docs)]

mod authz;
pub mod catalog;
mod engine;
mod iam;
pub mod ids;
pub mod kms;
mod problem;
mod report;
pub mod rules;
mod s3config;
pub mod spec;
mod validate;
mod world;

pub use engine::{AttemptRecord, AttemptResult, TraceLine};
pub use problem::{Problem, ProblemKind};
pub use report::{FAILURE_REASONS, INFERRED, ObjectRow, Outcome};
pub use validate::{ValidSpec, validate};
pub use world::{ExpectationResult, ReplicationStatus, RunError, Sse};

/// How to run a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunConfig {
    /// Record every step of every attempt (the report's trace). Off for throughput runs.
    pub trace: bool,
    /// Threads for replication attempts: 1 runs them in order on the caller's thread, any other
    /// value uses every core. Results are the same either way.
    pub threads: usize,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            trace: true,
            threads: 0,
        }
    }
}

/// Runs a validated scenario with the default [`RunConfig`].
pub fn run(valid: &ValidSpec) -> Result<Outcome, RunError> {
    run_with(valid, RunConfig::default())
}

/// Runs a validated scenario: every step in order, then the report.
pub fn run_with(valid: &ValidSpec, config: RunConfig) -> Result<Outcome, RunError> {
    let mut world = world::World::build(valid, config.trace, config.threads)?;
    for idx in 0..valid.spec.steps.len() {
        world.step(valid, idx)?;
    }
    let report = report::render(&world, &valid.spec, valid.rules);
    Ok(Outcome {
        world,
        report,
        name: valid.spec.name.clone(),
    })
}
