//! Project tasks as a library, so the `cargo xtask` binary and the integration tests run the same
//! code. The suite runner lives in `replication-lab-cli` (the installable `replication-lab`
//! binary); `scenarios` names it here so `cargo xtask scenarios` and its tests keep one path.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

pub use replication_lab_cli as scenarios;

/// The workspace root, found at run time by walking up from the current directory.
///
/// Not from `CARGO_MANIFEST_DIR`: cargo does not rebuild a workspace member that moved together
/// with its `target/` (a copied checkout, a CI cache restored elsewhere), so a baked-in path would
/// run, and `--accept` would write into, the tree the binary was first built in.
pub fn project_root() -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    find_project_root(&cwd).with_context(|| {
        format!(
            "no replication-lab workspace (a folder with a `[workspace]` Cargo.toml and `scenarios/`) \
             at or above `{}`; run from inside the checkout or pass `--root DIR`",
            cwd.display()
        )
    })
}

/// The nearest folder at or above `start` that holds a workspace `Cargo.toml` and `scenarios/`.
pub fn find_project_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| is_project_root(dir))
        .map(Path::to_path_buf)
}

fn is_project_root(dir: &Path) -> bool {
    dir.join("scenarios").is_dir()
        && std::fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|manifest| manifest.lines().any(|l| l.trim() == "[workspace]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_nearest_workspace_with_scenarios() {
        let dir = std::env::temp_dir().join(format!("xtask-root-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let nested = dir.join("copy/crates/member/src");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::create_dir_all(dir.join("copy/scenarios")).unwrap();
        std::fs::write(dir.join("copy/Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
        // A member's own manifest is not the workspace root.
        std::fs::write(dir.join("copy/crates/member/Cargo.toml"), "[package]\n").unwrap();
        assert_eq!(find_project_root(&nested), Some(dir.join("copy")));
        assert_eq!(find_project_root(&dir), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
