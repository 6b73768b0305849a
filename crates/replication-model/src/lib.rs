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
//! assert!(outcome.report().starts_with("scenario empty (rule set aws_2026)"));
//! ```

#![warn(missing_docs)]

mod authz;
mod body;
mod engine;
mod expect;
mod inferred;
pub mod kms;
mod objects;
mod report;
mod s3;
mod world;

// The spec, validation and the crypto-free control-plane rules live in `replication-spec` (which
// the macro depends on without building the simulator); the simulator applies the same rules.
pub use replication_spec::{catalog, ids, rules, spec, spelling};
use replication_spec::{control, iam};

pub use engine::{AttemptRecord, AttemptResult, TraceLine};
pub use expect::{
    CallVerdict, Check, ConfigCheck, EventCheck, ExpectationResult, ExpectedSse, FoundVersion,
    MetricCheck, ObjectCheck, Part,
};
pub use inferred::{InferredChoice, InferredSet};
pub use replication_spec::{
    FailureReason, NotEligible, Problem, ProblemKind, Skipped, UnknownFailureReason, ValidSpec,
    shorten, validate,
};
pub use report::{ObjectRow, Outcome};
pub use world::{ReplicationStatus, RunError, Sse};

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
    Run::new(valid, config)?.finish()
}

/// A scenario run one step at a time, for callers that look at or time single steps (the
/// benches time the `replicate` step alone this way). [`run_with`] is `Run::new` then
/// [`Run::finish`]; the outcome is the same however the steps are driven.
///
/// ```
/// use replication_model::spec::*;
/// use replication_model::{Run, RunConfig};
/// let spec = ScenarioSpec { name: "empty".into(), ..ScenarioSpec::default() };
/// let valid = replication_model::validate(spec).expect("an empty scenario is valid");
/// let mut run = Run::new(&valid, RunConfig::default()).expect("the OS random generator works");
/// assert!(run.next_step().is_none());
/// assert!(!run.step().expect("nothing to run"));
/// assert!(run.finish().expect("renders").report().starts_with("scenario empty"));
/// ```
#[derive(Debug)]
pub struct Run<'v> {
    valid: &'v ValidSpec,
    world: world::World,
    next: usize,
}

impl<'v> Run<'v> {
    /// Builds the scenario's world (accounts, keys, buckets, roles) before its first step.
    ///
    /// # Errors
    /// [`RunError::Crypto`] if the OS random generator fails while keys are made.
    pub fn new(valid: &'v ValidSpec, config: RunConfig) -> Result<Run<'v>, RunError> {
        Ok(Run {
            valid,
            world: world::World::build(valid, config.trace, config.threads)?,
            next: 0,
        })
    }

    /// The step [`Run::step`] runs next, `None` once every step ran.
    #[must_use]
    pub fn next_step(&self) -> Option<&'v spec::Step> {
        self.valid.spec().steps.get(self.next)
    }

    /// Runs the next step; `Ok(false)` when no step is left.
    ///
    /// # Errors
    /// [`RunError`] if the OS random generator fails or the model breaks an invariant; the run
    /// is then unusable and should be dropped.
    pub fn step(&mut self) -> Result<bool, RunError> {
        if self.next >= self.valid.spec().steps.len() {
            return Ok(false);
        }
        let idx = self.next;
        self.next += 1;
        self.world.step(self.valid, idx)?;
        Ok(true)
    }

    /// Runs the steps that are left, then writes the report.
    ///
    /// # Errors
    /// As [`Run::step`].
    pub fn finish(mut self) -> Result<Outcome, RunError> {
        while self.step()? {}
        let report = report::render(&self.world, self.valid.spec(), self.valid.rules());
        Ok(Outcome {
            world: self.world,
            report,
            name: self.valid.spec().name.clone(),
        })
    }
}
