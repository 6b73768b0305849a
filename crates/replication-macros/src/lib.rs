//! The `replication_scenario!` procedural macro: a thin shim over [`replication_dsl::expand`].
//!
//! All the logic lives in `replication-dsl`, an ordinary library the scenario runner calls too
//! (sqlx's macros-core split), so this crate holds nothing but the entry point. Users depend on
//! the `replication-lab` facade, which re-exports the macro.

#![warn(missing_docs)]

/// Compiles scenarios into checked `#[test]` functions.
///
/// Each `/// doc` + `name { ... }` becomes a test that builds the scenario, validates it, runs
/// it, checks every `expect` and snapshots the report with insta under the scenario's name.
/// Impossible configurations (an undefined name, a rule AWS rejects, an expectation that can
/// never hold) are compile errors on the token that is wrong. See `docs/dsl.md` for the
/// language.
#[proc_macro]
pub fn replication_scenario(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    replication_dsl::expand(input.into()).into()
}
