//! The `replication_scenario!` language as an ordinary library: parser, spans, lowering to the
//! model's spec, diagnostics and macro expansion.
//!
//! Two front ends share one pipeline (sqlx's macros-core pattern): the proc-macro shim in
//! `replication-macros` calls [`expand`] (tokens in, tokens out, errors as `compile_error!` on
//! the narrowest token), and runtime tools call [`parse_suite`], [`validate_suite`] or
//! [`check_suite`] / [`check_suite_with`] on scenario files (errors as `file:line:col: message`). Both parse with the
//! same code and validate with `replication_spec::validate`, so they accept exactly the same
//! language and report exactly the same messages.
//!
//! The passes, one file each: `symbol` (every keyword), `parse` (tokens to `ast`, recovering
//! after each error), `lower` (ast to `ScenarioSpec`, recording a span per spec field),
//! `span_map` (model problems back to spans), `expand` and `fallback` (generated code).
//!
//! ```
//! let diagnostics = replication_dsl::validate_suite("typo.scenario", r#"
//!     /// A size with a unit that does not exist.
//!     typo {
//!         account prod = 111122223333;
//!         bucket b = s3(prod, "us-east-1") { versioning };
//!         put b "x" = 4 KiX;
//!     }
//! "#).unwrap_err();
//! assert_eq!(diagnostics[0].to_string(), "typo.scenario:6:23: unknown size unit `KiX`; did you mean `KiB`?");
//! ```

#![warn(missing_docs)]

mod ast;
pub mod aws_json;
mod check;
mod error;
mod expand;
mod fallback;
mod lower;
mod parse;
pub mod policy_file;
mod span_map;
mod suite;
mod symbol;
mod to_rust;

pub use error::Diagnostic;
pub use expand::expand;
pub use suite::{
    CheckConfig, ScenarioCheck, SuiteCheck, check_suite, check_suite_with, parse_suite,
    validate_suite,
};
