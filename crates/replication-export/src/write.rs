//! Writing an export as a whole: a new directory beside the target, renamed into place.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::ExportError;

/// The file every export writes, so a later export knows the directory is one it may replace.
pub const MARKER: &str = ".replication-lab-export";

fn err(path: &Path, message: impl Into<String>) -> ExportError {
    ExportError::Write {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// Writes `files` under a fresh sibling of `out`, then renames it to `out`. An existing `out`
/// is replaced only when it holds [`MARKER`]; it is moved aside first and removed once the new
/// one is in place, so a failure at any point leaves either the old export or the new one.
pub(crate) fn atomically(out: &Path, files: &BTreeMap<String, String>) -> Result<(), ExportError> {
    let name = out
        .file_name()
        .ok_or_else(|| {
            err(
                out,
                "the output path names no directory; give one like `--out export/`",
            )
        })?
        .to_string_lossy()
        .into_owned();
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if out.exists() && (!out.is_dir() || !out.join(MARKER).is_file()) {
        return Err(err(
            out,
            "it exists and is not an earlier export (it has no `.replication-lab-export`); choose a new `--out` or remove it",
        ));
    }
    fs::create_dir_all(&parent).map_err(|e| err(&parent, e.to_string()))?;
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.export-{pid}"));
    let old = parent.join(format!(".{name}.replaced-{pid}"));
    let res = write_tree(&staging, files).and_then(|()| {
        let had_old = out.exists();
        if had_old {
            fs::rename(out, &old).map_err(|e| err(out, e.to_string()))?;
        }
        if let Err(e) = fs::rename(&staging, out) {
            if had_old {
                // Put the earlier export back; it is still whole.
                let _ = fs::rename(&old, out);
            }
            return Err(err(out, e.to_string()));
        }
        if had_old {
            fs::remove_dir_all(&old).map_err(|e| err(&old, e.to_string()))?;
        }
        Ok(())
    });
    if res.is_err() && staging.exists() {
        let _ = fs::remove_dir_all(&staging);
    }
    res
}

fn write_tree(root: &Path, files: &BTreeMap<String, String>) -> Result<(), ExportError> {
    if root.exists() {
        fs::remove_dir_all(root).map_err(|e| err(root, e.to_string()))?;
    }
    fs::create_dir_all(root).map_err(|e| err(root, e.to_string()))?;
    for (rel, text) in files {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| err(dir, e.to_string()))?;
        }
        fs::write(&path, text).map_err(|e| err(&path, e.to_string()))?;
        #[cfg(unix)]
        if rel.ends_with(".sh") {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755))
                .map_err(|e| err(&path, e.to_string()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(text: &str) -> BTreeMap<String, String> {
        BTreeMap::from([
            (MARKER.to_owned(), String::new()),
            ("a/b.json".to_owned(), text.to_owned()),
        ])
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("replication-export-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn an_earlier_export_is_replaced_whole() {
        let dir = scratch("replace");
        let out = dir.join("out");
        atomically(&out, &files("one")).unwrap();
        fs::write(out.join("stale.txt"), "left from before").unwrap();
        atomically(&out, &files("two")).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/b.json")).unwrap(), "two");
        assert!(!out.join("stale.txt").exists());
        let leftovers: Vec<_> = fs::read_dir(&dir).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only `out` remains");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_directory_that_is_not_an_export_is_refused() {
        let dir = scratch("refuse");
        let out = dir.join("mine");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("notes.txt"), "keep").unwrap();
        let e = atomically(&out, &files("x")).unwrap_err();
        assert!(matches!(e, ExportError::Write { .. }));
        assert!(e.to_string().contains("not an earlier export"), "{e}");
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "keep");
        fs::remove_dir_all(&dir).unwrap();
    }
}
