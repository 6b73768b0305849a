//! Snapshot files in insta's format, so `cargo insta review` and the `cargo test` target read the
//! same files the runner writes.
//!
//! A snapshot is `scenarios/<suite>/snapshots/<name>.snap` (or `<name>@<rule set>.snap` for a run
//! under `--rules`): a YAML header between `---` lines, then the outcome report. The header holds
//! exactly the fields insta writes for the assertion in `xtask/tests/scenarios.rs` (`source`,
//! `description`, `input_file`), quoted the way insta quotes them, so whichever of the two writes
//! a snapshot, the other finds nothing to change.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context as _, bail};

/// The `source:` of every scenario snapshot: the test that asserts them with insta.
pub const SNAPSHOT_SOURCE: &str = "xtask/tests/scenarios.rs";

/// The folder of a suite's snapshots.
pub fn snapshot_dir(suite_dir: &Path) -> PathBuf {
    suite_dir.join("snapshots")
}

/// The snapshot file name of a scenario: `<name>.snap`, or `<name>@<suffix>.snap` for a run under
/// another rule set than the scenario declares.
pub fn snapshot_file_name(name: &str, suffix: Option<&str>) -> String {
    match suffix {
        Some(s) => format!("{name}@{s}.snap"),
        None => format!("{name}.snap"),
    }
}

/// The scenario a snapshot file belongs to: `a@aws_2026.snap` and `a.snap` both belong to `a`.
/// `None` for files that are not snapshots (`.snap.new` files insta leaves for review, notes).
pub fn scenario_of_snapshot(file_name: &str) -> Option<&str> {
    let stem = file_name.strip_suffix(".snap")?;
    Some(stem.split_once('@').map_or(stem, |(name, _)| name))
}

/// A report as snapshots compare it: insta trims trailing whitespace and reads CRLF as LF.
pub fn normalize(body: &str) -> String {
    body.trim_end().replace("\r\n", "\n")
}

/// The whole text of a snapshot file.
pub fn render(description: &str, input_file: &str, body: &str) -> String {
    let mut out = String::from("---\n");
    let _ = writeln!(out, "source: {}", yaml_scalar(SNAPSHOT_SOURCE));
    let _ = writeln!(out, "description: {}", yaml_scalar(description));
    let _ = writeln!(out, "input_file: {}", yaml_scalar(input_file));
    out.push_str("---\n");
    out.push_str(&normalize(body));
    out.push('\n');
    out
}

/// The body of a snapshot file, normalized; `Ok(None)` when the file does not exist.
///
/// # Errors
///
/// The file exists but cannot be read or is not in insta's format (an empty file, a header cut
/// short). The runner fails only this scenario for it, and `--accept` rewrites it.
pub fn read_body(path: &Path) -> anyhow::Result<Option<String>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(e).context("it cannot be read");
        }
    };
    parse_body(&text)
        .map(Some)
        .context("it is not in insta's format")
}

/// The body of a snapshot text: everything after the second `---` line.
fn parse_body(text: &str) -> anyhow::Result<String> {
    let mut lines = text.split_inclusive('\n');
    match lines.next() {
        Some(first) if first.trim_end() == "---" => {}
        _ => bail!("the first line must be `---`"),
    }
    let mut offset = text.find('\n').map_or(text.len(), |i| i + 1);
    for line in lines {
        offset += line.len();
        if line.trim_end() == "---" {
            return Ok(normalize(&text[offset..]));
        }
    }
    bail!("the header has no closing `---` line")
}

/// Writes a snapshot, creating its folder.
///
/// The text goes to a temporary file in the same folder first and is then renamed over the
/// snapshot, so a reader (another run, `cargo test`) sees the old file or the new one, never a
/// half-written one.
pub fn write(path: &Path, description: &str, input_file: &str, body: &str) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .with_context(|| format!("snapshot `{}` has no folder", path.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Unique per process and per write, and not ending in `.snap`, so neither another run nor
    // the unreferenced-snapshot check ever takes it for a snapshot.
    static WRITES: AtomicUsize = AtomicUsize::new(0);
    let tmp = dir.join(format!(
        ".{file_name}.{}-{}.tmp",
        std::process::id(),
        WRITES.fetch_add(1, Ordering::Relaxed)
    ));
    let res = std::fs::write(&tmp, render(description, input_file, body))
        .and_then(|()| std::fs::rename(&tmp, path));
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res.with_context(|| format!("cannot write snapshot `{}`", path.display()))
}

/// A lock held while a run writes or deletes snapshots, so two `--accept` or `--prune` runs in
/// one tree take turns instead of interleaving. Readers need no lock: writes are atomic renames.
#[derive(Debug)]
pub struct WriteLock {
    _file: std::fs::File,
}

impl WriteLock {
    /// The name of the lock file at the root of the suites.
    pub const FILE_NAME: &str = ".xtask-scenarios.lock";

    /// Waits for, then takes, the lock of the suites under `root`.
    pub fn acquire(root: &Path) -> anyhow::Result<WriteLock> {
        let path = root.join(Self::FILE_NAME);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the lock file `{}`", path.display()))?;
        file.lock()
            .with_context(|| format!("cannot lock `{}`", path.display()))?;
        Ok(WriteLock { _file: file })
    }
}

/// A YAML scalar as insta's emitter writes it: plain when YAML reads it back as the same string,
/// else double-quoted with JSON-style escapes (insta's `need_quotes` and `escape_str`).
fn yaml_scalar(s: &str) -> String {
    if !need_quotes(s) {
        return s.to_owned();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn need_quotes(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "yes", "Yes", "YES", "no", "No", "NO", "True", "TRUE", "true", "False", "FALSE", "false",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
    ];
    s.is_empty()
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.starts_with(['&', '*', '?', '|', '-', '<', '>', '=', '!', '%', '@'])
        || s.contains(|c: char| {
            matches!(
                c,
                ':' | '{'
                    | '}'
                    | '['
                    | ']'
                    | ','
                    | '#'
                    | '`'
                    | '"'
                    | '\''
                    | '\\'
                    | '\t'
                    | '\n'
                    | '\r'
            ) || matches!(c, '\0'..='\x06' | '\x0e'..='\x1a' | '\x1c'..='\x1f')
        })
        || WORDS.contains(&s)
        || s.starts_with('.')
        || s.starts_with("0x")
        || s.parse::<i64>().is_ok()
        || s.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_then_parse_gives_the_body_back() {
        let text = render(
            "teaches: `x`",
            "scenarios/a/b.scenario",
            "line 1\nline 2\n\n",
        );
        assert_eq!(
            text,
            "---\nsource: xtask/tests/scenarios.rs\ndescription: \"teaches: `x`\"\ninput_file: scenarios/a/b.scenario\n---\nline 1\nline 2\n"
        );
        assert_eq!(parse_body(&text).unwrap(), "line 1\nline 2");
    }

    #[test]
    fn a_body_line_of_dashes_is_body() {
        let text = render("d", "f", "a\n---\nb");
        assert_eq!(parse_body(&text).unwrap(), "a\n---\nb");
    }

    #[test]
    fn text_without_header_is_refused() {
        assert!(parse_body("just text\n").is_err());
        assert!(parse_body("---\nsource: x\n").is_err());
    }

    #[test]
    fn scalars_are_quoted_like_insta() {
        assert_eq!(yaml_scalar("plain words"), "plain words");
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
        assert_eq!(yaml_scalar("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
        assert_eq!(yaml_scalar("123"), "\"123\"");
        assert_eq!(yaml_scalar(""), "\"\"");
        assert_eq!(yaml_scalar("-x"), "\"-x\"");
    }

    #[test]
    fn a_write_replaces_the_file_whole_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("xtask-snap-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("snapshots/a.snap");
        write(&path, "d", "f", "first").unwrap();
        write(&path, "d", "f", "second").unwrap();
        assert_eq!(read_body(&path).unwrap().as_deref(), Some("second"));
        let names: Vec<_> = std::fs::read_dir(dir.join("snapshots"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.snap"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_empty_snapshot_is_an_error_that_says_why() {
        let dir = std::env::temp_dir().join(format!("xtask-snap-empty-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("a.snap");
        std::fs::write(&path, "").unwrap();
        let err = format!("{:#}", read_body(&path).unwrap_err());
        assert_eq!(
            err,
            "it is not in insta's format: the first line must be `---`"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn snapshot_names_map_back_to_scenarios() {
        assert_eq!(snapshot_file_name("a", None), "a.snap");
        assert_eq!(snapshot_file_name("a", Some("aws_2026")), "a@aws_2026.snap");
        assert_eq!(scenario_of_snapshot("a@aws_2026.snap"), Some("a"));
        assert_eq!(scenario_of_snapshot("a.snap"), Some("a"));
        assert_eq!(scenario_of_snapshot("a.snap.new"), None);
    }
}
