//! The one integration-test binary of the facade: example scenarios with committed snapshots,
//! the compile-fail suite and the parity check between the macro and the runtime entry point.

mod big_objects;
mod bucket_keys;
mod configuration;
mod cross_account;
mod encryption;
mod faults;
mod located;
mod mrk;
mod policies;
mod rejections;
mod rule_sets;
mod sse_kms;
mod status;
mod text;
mod ui;
