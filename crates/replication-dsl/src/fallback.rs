//! What the macro emits for a scenario with errors (thiserror's `fallback.rs` pattern).
//!
//! The `compile_error!`s say what is wrong; next to them the scenario still gets its test
//! function, so code that names the test keeps compiling and rustc shows no second wave of
//! "cannot find function" errors on top of the real ones.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::Scenario;

/// A test function with the scenario's name and doc that cannot run (the build fails first).
pub fn stub(scenario: &Scenario) -> TokenStream {
    let name = &scenario.name;
    let doc = &scenario.doc;
    let message = format!("scenario `{name}` has compile errors");
    quote! {
        #[doc = #doc]
        #[test]
        fn #name() {
            ::core::unreachable!(#message)
        }
    }
}
