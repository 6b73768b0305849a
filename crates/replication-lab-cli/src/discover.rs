//! Finding suites: a folder per suite under the root, its `*.scenario` files in name order.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

/// The extension of scenario files.
pub const SCENARIO_EXTENSION: &str = "scenario";

/// A suite: a folder of scenario files and their snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suite {
    /// The folder name.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
    /// Its scenario files, sorted by name.
    pub files: Vec<PathBuf>,
}

/// The suites to run: the named ones (a name under `root`, or a path to a folder), or every folder
/// under `root` whose name does not start with `_` or `.` (those hold fixtures such as the
/// deliberately malformed suite, run only when named).
pub fn suites(root: &Path, named: &[String]) -> anyhow::Result<Vec<Suite>> {
    let dirs: Vec<PathBuf> = if named.is_empty() {
        let entries = std::fs::read_dir(root).with_context(|| {
            format!(
                "cannot read the scenarios folder `{}`; pass `--root DIR`",
                root.display()
            )
        })?;
        let mut dirs = Vec::new();
        for entry in entries {
            let entry = entry.with_context(|| {
                format!("cannot read the scenarios folder `{}`", root.display())
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().is_dir() && !name.starts_with(['_', '.']) {
                dirs.push(entry.path());
            }
        }
        dirs.sort();
        dirs
    } else {
        let mut dirs = Vec::new();
        for n in named {
            let under_root = root.join(n);
            let dir = if under_root.is_dir() {
                under_root
            } else {
                PathBuf::from(n)
            };
            if !dir.is_dir() {
                bail!(
                    "no suite `{n}`: neither `{}` nor `{n}` is a folder",
                    root.join(n).display()
                );
            }
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        dirs
    };
    let mut out = Vec::new();
    for dir in dirs {
        let files = scenario_files(&dir)?;
        let name = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        if files.is_empty() && !named.is_empty() {
            bail!(
                "suite `{name}` has no `*.{SCENARIO_EXTENSION}` files in `{}`",
                dir.display()
            );
        }
        out.push(Suite { name, dir, files });
    }
    let mut seen = std::collections::BTreeSet::new();
    for s in &out {
        if !seen.insert(s.name.clone()) {
            bail!(
                "two suites are named `{}`; name each suite folder once",
                s.name
            );
        }
    }
    Ok(out)
}

fn scenario_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)
        .with_context(|| format!("cannot read suite folder `{}`", dir.display()))?
    {
        let path = entry
            .with_context(|| format!("cannot read suite folder `{}`", dir.display()))?
            .path();
        if path.is_file() && path.extension().is_some_and(|e| e == SCENARIO_EXTENSION) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// How a path is shown in diagnostics and snapshot headers: relative to the folder that holds
/// the root (`scenarios/encryption/sse_kms.scenario`), with `/` separators; as given when it
/// lies elsewhere.
pub fn label(root: &Path, path: &Path) -> String {
    let base = root.parent().unwrap_or(root);
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_relative_to_the_roots_parent() {
        let root = Path::new("/w/main/scenarios");
        assert_eq!(
            label(root, Path::new("/w/main/scenarios/enc/a.scenario")),
            "scenarios/enc/a.scenario"
        );
        assert_eq!(
            label(root, Path::new("/elsewhere/a.scenario")),
            "/elsewhere/a.scenario"
        );
    }
}
