//! Test Amazon S3 replication with encryption before you deploy it.
//!
//! Write a setup down as a scenario, run it as an ordinary test, and see per object what S3
//! would do and why. This crate is the one dependency a user needs: it re-exports the
//! [`replication_scenario!`] macro, the model ([`model`]) and the harness the generated tests
//! call ([`harness`]).
//!
//! ```
//! use replication_lab::replication_scenario;
//!
//! replication_scenario! {
//!     /// SSE-S3 objects replicate without any KMS permission.
//!     sse_s3_same_account {
//!         account prod = 111122223333;
//!         bucket source = s3(prod, "us-east-1") { versioning };
//!         bucket target = s3(prod, "eu-west-1") { versioning };
//!         role replicator = iam(prod) {
//!             trust s3;
//!             allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
//!             allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
//!             allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
//!         };
//!         replication source via replicator {
//!             rule everything { priority: 1, delete_marker_replication: Disabled, destination: target };
//!         };
//!         put source "a.txt" = 4 KiB;
//!         replicate;
//!         expect source "a.txt" COMPLETED;
//!         expect target "a.txt" REPLICA with sse_s3;
//!     }
//! }
//! # fn main() {}
//! ```

#![warn(missing_docs)]

pub use replication_macros::replication_scenario;
/// The simulator: spec, validation, world, replication engine and report.
pub use replication_model as model;
pub use replication_model::spec::ScenarioSpec;
pub use replication_model::{Outcome, Problem, RunError, ValidSpec, run, validate};

pub mod harness;

/// What the code `replication_scenario!` generates refers to. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use insta;
    pub use replication_model as model;

    /// Validates, runs and checks a scenario written in `file` and returns its report; panics
    /// with every problem or failed expectation (each at its `expect`'s `file:line:col`), which
    /// is how a generated test fails.
    #[track_caller]
    pub fn run_scenario(spec: crate::ScenarioSpec, file: &str) -> String {
        match crate::harness::run_checked_in(spec, Some(file)) {
            Ok(outcome) => outcome.report().to_owned(),
            Err(failure) => panic!("{failure}"),
        }
    }
}
