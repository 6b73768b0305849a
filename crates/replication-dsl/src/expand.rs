//! The macro's expansion: one `#[test]` per scenario that rebuilds the checked spec, runs it,
//! checks every expectation and snapshots the report.
//!
//! The generated code names everything through `::replication_lab::__private`, so a user needs
//! only the facade crate. The spec is rebuilt from Rust expressions ([`crate::to_rust`]), not
//! from text, and goes through `replication_spec::validate` again at run time: the same path
//! that code building a spec by hand takes.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;

use crate::check::{CheckedScenario, check};
use crate::error::{DslError, combine};
use crate::fallback;
use crate::lower::LowerConfig;
use crate::to_rust::ToRust;

/// Expands a `replication_scenario! { ... }` invocation.
pub fn expand(input: TokenStream) -> TokenStream {
    let config = LowerConfig {
        base_dir: std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from),
        base_dir_label: "the crate root (`CARGO_MANIFEST_DIR`)",
    };
    let checked = check(input, &config, None);
    let mut errors: Vec<DslError> = checked.errors;
    let mut items = TokenStream::new();
    for scenario in &checked.scenarios {
        errors.extend(scenario.errors.iter().cloned());
        items.extend(scenario_test(scenario));
    }
    crate::check::sort(&mut errors);
    let errors = combine(&errors).map(|e| e.to_compile_error());
    quote! {
        #errors
        #items
    }
}

fn scenario_test(scenario: &CheckedScenario) -> TokenStream {
    let (Some(lowered), Some(_)) = (&scenario.lowered, &scenario.valid) else {
        return fallback::stub(&scenario.ast);
    };
    let name = &scenario.ast.name;
    let doc = &scenario.ast.doc;
    let name_str = name.to_string();
    let spec = lowered.spec.to_rust();
    // The build depends on every policy file read, so editing one recompiles the test.
    let tracked = lowered.policy_files.iter().map(|p| {
        let p = p.to_string_lossy().into_owned();
        quote!(
            const _: &str = ::core::include_str!(#p);
        )
    });
    quote! {
        #(#tracked)*
        #[doc = #doc]
        #[test]
        fn #name() {
            #[allow(unused_imports)]
            use ::replication_lab::__private::model::spec as __spec;
            let spec: __spec::ScenarioSpec = #spec;
            let report = ::replication_lab::__private::run_scenario(spec, ::core::file!());
            ::replication_lab::__private::insta::assert_snapshot!(#name_str, report);
        }
    }
}
