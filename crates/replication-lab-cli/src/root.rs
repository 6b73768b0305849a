//! Where the suites are: the nearest `scenarios/` folder at or above the current directory, so
//! the runner works in any repository that keeps its suites there, and from any folder inside it.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The name of the folder that holds one folder per suite.
pub const SUITES_FOLDER: &str = "scenarios";

/// The default folder of suites: the nearest `scenarios/` at or above the current directory.
///
/// Found at run time, never from `CARGO_MANIFEST_DIR`: an installed binary runs in other
/// repositories, and cargo does not rebuild a workspace member that moved together with its
/// `target/` (a copied checkout, a CI cache restored elsewhere), so a baked-in path would run, and
/// `--accept` would write into, the tree the binary was first built in.
pub fn default_root() -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    find_root(&cwd).with_context(|| {
        format!(
            "no `{SUITES_FOLDER}/` folder at or above `{}`; run from inside a repository that keeps \
             its suites in `{SUITES_FOLDER}/<suite>/*.scenario`, or pass `--root DIR`",
            cwd.display()
        )
    })
}

/// The nearest `scenarios/` folder in `start` or one of its ancestors; `start` itself when it is
/// named `scenarios` (a run from inside the folder of suites).
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|dir| {
        if dir.file_name().is_some_and(|n| n == SUITES_FOLDER) && dir.is_dir() {
            return Some(dir.to_path_buf());
        }
        let candidate = dir.join(SUITES_FOLDER);
        candidate.is_dir().then_some(candidate)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_nearest_scenarios_folder() {
        let dir = std::env::temp_dir().join(format!("replication-lab-root-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let nested = dir.join("infra/modules/s3/src");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::create_dir_all(dir.join("infra/scenarios/prod")).unwrap();
        assert_eq!(find_root(&nested), Some(dir.join("infra/scenarios")));
        // From inside the folder of suites, or one suite, the same folder.
        assert_eq!(
            find_root(&dir.join("infra/scenarios/prod")),
            Some(dir.join("infra/scenarios"))
        );
        assert_eq!(find_root(&dir), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
