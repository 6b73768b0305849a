//! The rule book of replication-lab: a scenario in S3's own words ([`spec`]), the one
//! [`validate()`] both front ends call, and the crypto-free S3 and KMS control-plane rules that
//! validation dry-runs and the simulator (`replication-model`) applies.
//!
//! This crate holds no key material and links no cipher, thread pool or random generator, so the
//! `replication_scenario!` macro checks a scenario at compile time without building the
//! simulator for the host.
//!
//! ```
//! use replication_spec::spec::*;
//! let spec = ScenarioSpec { name: "empty".into(), ..ScenarioSpec::default() };
//! let valid = replication_spec::validate(spec).expect("an empty scenario is valid");
//! assert_eq!(valid.spec().name, "empty");
//! ```

#![warn(missing_docs)]

pub mod catalog;
pub mod ids;
pub mod kms;
pub mod rules;
pub mod spec;
pub mod spelling;

mod echo;
mod names;
mod problem;
mod reason;
mod sse_c;
mod validate;

// The control-plane rules the simulator applies as validation does. Public for
// `replication-model` only: not a stable API.
#[doc(hidden)]
pub mod control;
#[doc(hidden)]
pub mod iam;
#[doc(hidden)]
pub mod s3;

pub use echo::shorten;
pub use problem::{Problem, ProblemKind};
pub use reason::{FailureReason, NotEligible, Skipped, UnknownFailureReason};
pub use validate::{ValidSpec, validate};
