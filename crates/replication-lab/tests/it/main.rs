//! The one integration-test binary of the facade: example scenarios with committed snapshots,
//! the compile-fail suite and the parity check between the macro and the runtime entry point.

mod sse_kms;
mod ui;
