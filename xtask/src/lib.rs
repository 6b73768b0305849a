//! Project tasks as a library, so the `cargo xtask` binary and the integration tests run the same
//! code: `scenarios` (the suite runner).

use std::path::PathBuf;

pub mod scenarios;

/// The workspace root, found from this crate's manifest folder (`xtask/`).
pub fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or(manifest.clone(), std::path::Path::to_path_buf)
}
