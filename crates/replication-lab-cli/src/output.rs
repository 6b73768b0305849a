//! Printing results: the text table with diffs, JSON and JUnit XML.
//!
//! Every renderer returns a `String` so tests read exactly what users see; color is an argument
//! (the caller decides from `IsTerminal` and `NO_COLOR`).

use std::borrow::Cow;
use std::fmt::Write as _;

use replication_model::{AttemptRecord, AttemptResult, ObjectRow, ReplicationStatus, Sse};
use serde_json::json;
use similar::{ChangeTag, TextDiff};

use super::{RunResults, ScenarioResult, SnapshotState};

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// `s` safe to print on a terminal: control characters (escape sequences included) and Unicode
/// bidirectional controls, which object keys and names may carry, are written as `\u{..}`.
/// Newlines and tabs stay.
pub fn terminal_safe(s: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\t'))
            || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !s.contains(unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A unified diff from `old` to `new` with three lines of context, colored for a terminal when
/// `color` is set. Empty when the texts are equal.
pub fn render_diff(old: &str, new: &str, old_label: &str, new_label: &str, color: bool) -> String {
    let mut out = String::new();
    if old == new {
        return out;
    }
    let diff = TextDiff::from_lines(old, new);
    let paint = |out: &mut String, code: &str, line: &str| {
        if color {
            let _ = writeln!(out, "{code}{line}{RESET}");
        } else {
            let _ = writeln!(out, "{line}");
        }
    };
    paint(&mut out, BOLD, &format!("--- {old_label}"));
    paint(&mut out, BOLD, &format!("+++ {new_label}"));
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        paint(&mut out, CYAN, &hunk.header().to_string());
        for change in hunk.iter_changes() {
            let text = change.value().trim_end_matches('\n');
            match change.tag() {
                ChangeTag::Delete => paint(&mut out, RED, &format!("-{text}")),
                ChangeTag::Insert => paint(&mut out, GREEN, &format!("+{text}")),
                ChangeTag::Equal => {
                    let _ = writeln!(out, " {text}");
                }
            }
        }
    }
    out
}

/// The text report: a table of results, then for each scenario that did not simply pass its
/// problems and snapshot diff, files with problems, unreferenced snapshots, and last the line
/// `N passed, N failed`.
pub fn render_text(results: &RunResults, color: bool, written: usize) -> String {
    let mut out = String::new();
    let n_files = results.file_failures.len();
    let _ = write!(
        out,
        "running {} from {}",
        plural(results.scenarios.len(), "scenario"),
        plural(results.suites.len(), "suite")
    );
    if let Some(r) = results.rules {
        let _ = write!(out, " under --rules {r}");
    }
    out.push('\n');
    let width = results
        .scenarios
        .iter()
        .map(|s| s.id().len())
        .max()
        .unwrap_or(8)
        .max(8);
    if !results.scenarios.is_empty() {
        let _ = writeln!(out, "{:width$}  RESULT", "SCENARIO");
    }
    for s in &results.scenarios {
        let verdict = s.verdict();
        let shown = if !color {
            verdict.to_owned()
        } else if !results.fails(s) {
            format!("{GREEN}{verdict}{RESET}")
        } else {
            format!("{RED}{verdict}{RESET}")
        };
        let _ = writeln!(out, "{:width$}  {shown}", terminal_safe(&s.id()));
    }
    for f in &results.file_failures {
        let shown = if color {
            format!("{RED}INVALID{RESET}")
        } else {
            "INVALID".to_owned()
        };
        let _ = writeln!(
            out,
            "{:width$}  {shown} ({} outside any scenario)",
            terminal_safe(&f.file),
            plural(f.diagnostics.len(), "problem")
        );
    }

    for s in results
        .scenarios
        .iter()
        .filter(|s| !matches!(s.snapshot, SnapshotState::Matched) || !s.problems.is_empty())
    {
        details(&mut out, s, color);
    }
    if n_files > 0 {
        for f in &results.file_failures {
            let _ = writeln!(out, "\n---- {} ----", terminal_safe(&f.file));
            for d in &f.diagnostics {
                let _ = writeln!(out, "{}", terminal_safe(d));
            }
        }
    }
    if !results.unreferenced.is_empty() {
        out.push('\n');
        for u in &results.unreferenced {
            let _ = writeln!(
                out,
                "unreferenced snapshot: {} (no scenario of that name in its suite; `--prune` deletes it)",
                u.label
            );
        }
    }
    if !results.pruned.is_empty() {
        out.push('\n');
        for p in &results.pruned {
            let _ = writeln!(out, "deleted unreferenced snapshot: {p}");
        }
    }
    if written > 0 {
        let _ = writeln!(out, "\nwrote {}", plural(written, "snapshot"));
    }
    for why in results.errors() {
        let _ = writeln!(out, "\nerror: {why}");
    }
    let _ = writeln!(out, "\n{}", results.summary());
    out
}

fn details(out: &mut String, s: &ScenarioResult, color: bool) {
    let _ = writeln!(
        out,
        "\n---- {} ({}:{}) ----",
        terminal_safe(&s.id()),
        terminal_safe(&s.file),
        s.line
    );
    for p in &s.problems {
        let _ = writeln!(out, "{}", terminal_safe(p));
    }
    let Some(report) = &s.report else { return };
    let report = &*terminal_safe(report);
    let new_label = format!("{} (this run)", s.name);
    match &s.snapshot {
        SnapshotState::Changed { old } => {
            let old = &*terminal_safe(old);
            let _ = writeln!(
                out,
                "snapshot changed: {} (accept with `--accept`)",
                s.snapshot_label
            );
            out.push_str(&render_diff(
                &with_newline(old),
                &with_newline(report),
                &s.snapshot_label,
                &new_label,
                color,
            ));
        }
        SnapshotState::New { base: Some(base) } => {
            let base = &*terminal_safe(base);
            let own = s.snapshot_label.replace(&format!("@{}", s.rule_set), "");
            let _ = writeln!(
                out,
                "new snapshot: {} does not exist; the diff shows what changes against {own}",
                s.snapshot_label
            );
            out.push_str(&render_diff(
                &with_newline(base),
                &with_newline(report),
                &own,
                &new_label,
                color,
            ));
        }
        SnapshotState::New { base: None } => {
            let _ = writeln!(
                out,
                "new snapshot: {} does not exist (write it with `--accept`)",
                s.snapshot_label
            );
            out.push_str(&render_diff(
                "",
                &with_newline(report),
                "/dev/null",
                &new_label,
                color,
            ));
        }
        SnapshotState::Written { old: Some(old) } => {
            let old = &*terminal_safe(old);
            let _ = writeln!(out, "updated {}", s.snapshot_label);
            out.push_str(&render_diff(
                &with_newline(old),
                &with_newline(report),
                &s.snapshot_label,
                &new_label,
                color,
            ));
        }
        SnapshotState::Written { old: None } => {
            let _ = writeln!(out, "wrote {}", s.snapshot_label);
        }
        SnapshotState::Unreadable { reason } => {
            let _ = writeln!(
                out,
                "snapshot {} is unusable ({reason}); run with `--accept` to rewrite it",
                s.snapshot_label
            );
        }
        SnapshotState::Matched | SnapshotState::NotCompared => {}
    }
}

/// `1 scenario`, `2 scenarios`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn with_newline(s: &str) -> String {
    let mut t = super::snapshot::normalize(s);
    t.push('\n');
    t
}

/// The version of the `--format json` document; `schemas/report-v1.json` describes it. A change
/// that removes or retypes a field makes a new version and a new schema file.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// An object version as JSON: status, failure reason, encryption and key, and for a source
/// version each destination with its replica's encryption and key.
fn object_json(o: &ObjectRow, all: &[ObjectRow]) -> serde_json::Value {
    let replicas: Vec<serde_json::Value> = o
        .destinations
        .iter()
        .map(|(bucket, rule)| {
            let replica = all.iter().find(|r| {
                &r.bucket == bucket
                    && r.key == o.key
                    && r.version_id == o.version_id
                    && r.status == Some(ReplicationStatus::Replica)
            });
            json!({
                "bucket": bucket,
                "rule": rule,
                "replica": replica.map(|r| json!({
                    "version_id": r.version_id,
                    "encryption": r.encryption.as_ref().map(sse_json),
                })),
            })
        })
        .collect();
    json!({
        "bucket": o.bucket,
        "key": o.key,
        "version_id": o.version_id,
        "delete_marker": o.delete_marker,
        "status": o.status.map(|s| s.to_string()),
        "failure_reason": o.failure_reason.map(|r| r.to_string()),
        "encryption": o.encryption.as_ref().map(sse_json),
        "destinations": replicas,
    })
}

/// Server-side encryption as JSON: the type in AWS's spelling and the key it names.
fn sse_json(sse: &Sse) -> serde_json::Value {
    match sse {
        Sse::SseS3 => json!({ "type": "SSE-S3" }),
        Sse::SseKms {
            key_arn,
            bucket_key,
        } => json!({ "type": "SSE-KMS", "key_arn": key_arn, "bucket_key": bucket_key }),
        Sse::DsseKms { key_arn } => json!({ "type": "DSSE-KMS", "key_arn": key_arn }),
        Sse::SseC { customer_key } => json!({ "type": "SSE-C", "customer_key": customer_key }),
    }
}

/// A replication attempt as JSON: how it ended and every decision, in order.
fn attempt_json(a: &AttemptRecord) -> serde_json::Value {
    let mut out = json!({
        "at": a.at,
        "source": &*a.source,
        "key": a.key,
        "version_id": &*a.version_id,
        "rule": &*a.rule,
        "destination": &*a.dest,
        "kind": a.kind,
        "attempt": a.attempt,
        "batch": a.batch,
        "decisions": a.trace.iter().map(|t| json!({
            "action": t.action,
            "resource": t.resource,
            "result": t.result,
        })).collect::<Vec<_>>(),
        "notes": a.notes,
    });
    let ending = match &a.result {
        AttemptResult::Completed {
            replica_version,
            replica_sse,
        } => json!({
            "result": "completed",
            "replica_version_id": &**replica_version,
            "replica_encryption": replica_sse.as_ref().map(sse_json),
        }),
        AttemptResult::Failed {
            reason,
            detail,
            fix,
        } => json!({
            "result": "failed",
            "failure_reason": reason.to_string(),
            "detail": detail,
            "fix": fix,
        }),
        AttemptResult::Pending { why } => json!({ "result": "pending", "why": why }),
    };
    if let (Some(map), serde_json::Value::Object(end)) = (out.as_object_mut(), ending) {
        map.extend(end);
    }
    out
}

/// One JSON document under `schemas/report-v1.json`: every scenario with its result, problems
/// and diff, each object version with its status, failure reason, encryption and replicas, each
/// attempt with its decisions; file failures, unreferenced snapshots and the counts.
pub fn render_json(results: &RunResults) -> String {
    let scenarios: Vec<serde_json::Value> = results
        .scenarios
        .iter()
        .map(|s| {
            let (state, diff) = match &s.snapshot {
                SnapshotState::Matched => ("matched", None),
                SnapshotState::New { base } => (
                    "new",
                    s.report.as_ref().map(|r| {
                        render_diff(
                            &with_newline(base.as_deref().unwrap_or("")),
                            &with_newline(r),
                            &s.snapshot_label,
                            &s.name,
                            false,
                        )
                    }),
                ),
                SnapshotState::Changed { old } => (
                    "changed",
                    s.report.as_ref().map(|r| {
                        render_diff(
                            &with_newline(old),
                            &with_newline(r),
                            &s.snapshot_label,
                            &s.name,
                            false,
                        )
                    }),
                ),
                SnapshotState::Written { .. } => ("written", None),
                SnapshotState::Unreadable { .. } => ("unreadable", None),
                SnapshotState::NotCompared => ("not_compared", None),
            };
            json!({
                "suite": s.suite,
                "name": s.name,
                "file": s.file,
                "line": s.line,
                "rule_set": s.rule_set.as_str(),
                "result": if s.passed() { "passed" } else if s.is_new() { "new" } else { "failed" },
                "verdict": s.verdict(),
                "snapshot": s.snapshot_label,
                "snapshot_state": state,
                "problems": s.problems,
                "diff": diff,
                "objects": s.objects.iter().map(|o| object_json(o, &s.objects)).collect::<Vec<_>>(),
                "attempts": s.attempts.iter().map(attempt_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    let files: Vec<serde_json::Value> = results
        .file_failures
        .iter()
        .map(|f| json!({ "suite": f.suite, "file": f.file, "diagnostics": f.diagnostics }))
        .collect();
    let doc = json!({
        "schema_version": JSON_SCHEMA_VERSION,
        "suites": results.suites,
        "rules": results.rules.map(|r| r.as_str()),
        "scenarios": scenarios,
        "invalid_files": files,
        "unreferenced_snapshots": results.unreferenced.iter().map(|u| &u.label).collect::<Vec<_>>(),
        "pruned_snapshots": results.pruned,
        "passed": results.passed(),
        "failed": results.failed(),
        "new": results.new_snapshots(),
    });
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// A JUnit XML report that validates against the strict junit-10 schema (Jenkins xUnit's
/// `junit-10.xsd`): a `<testsuite>` per suite with `tests`, `failures`, `errors`, `skipped` and
/// `time`, a `<testcase>` per scenario, and an `<error>` per file with problems outside its
/// scenarios.
///
/// A scenario whose expectations fail or whose snapshot differs is a `<failure>`; one that did
/// not validate or whose run stopped is an `<error>`. The message names the first problem (a
/// failed expectation before a snapshot change), and the body holds every problem, the
/// scenario's `file:line` and the snapshot diff. The schema has no `file` or `line` attribute on
/// a test case, so the location travels in the text.
///
/// `time` is measured (seconds, wall clock, per scenario run): JUnit is a CI artifact and never
/// a snapshot, so it is the one output that may differ between two runs.
pub fn render_junit(results: &RunResults) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let outcome = |s: &ScenarioResult| -> Option<(&'static str, String, String)> {
        if !results.fails(s) {
            return None;
        }
        let kind = if s.report.is_none() {
            "error"
        } else {
            "failure"
        };
        let mut body = format!("{}:{}: scenario `{}`\n", s.file, s.line, s.name);
        for p in &s.problems {
            body.push_str(p);
            body.push('\n');
        }
        let snapshot = match &s.snapshot {
            SnapshotState::Changed { old } => {
                if let Some(r) = &s.report {
                    body.push_str(&render_diff(
                        &with_newline(old),
                        &with_newline(r),
                        &s.snapshot_label,
                        &s.name,
                        false,
                    ));
                }
                Some(format!("snapshot {} changed", s.snapshot_label))
            }
            SnapshotState::New { .. } => Some(format!(
                "snapshot {} is new; under CI=true write it with `--accept` and commit it",
                s.snapshot_label
            )),
            SnapshotState::Unreadable { reason } => Some(format!(
                "snapshot {} is unusable ({reason})",
                s.snapshot_label
            )),
            _ => None,
        };
        let message = match (s.problems.first(), snapshot) {
            (Some(first), _) if s.problems.len() > 1 => {
                format!("{first} (and {} more)", s.problems.len() - 1)
            }
            (Some(first), _) => first.clone(),
            (None, Some(snap)) => snap,
            (None, None) => "failed".to_owned(),
        };
        Some((kind, message, body))
    };
    let seconds = |d: std::time::Duration| format!("{:.3}", d.as_secs_f64());
    let total_time: std::time::Duration = results.scenarios.iter().map(|s| s.elapsed).sum();
    let count = |kind: &str, cases: &[&ScenarioResult]| {
        cases
            .iter()
            .filter(|s| outcome(s).is_some_and(|(k, _, _)| k == kind))
            .count()
    };
    let all: Vec<&ScenarioResult> = results.scenarios.iter().collect();
    let _ = writeln!(
        out,
        "<testsuites name=\"replication-lab scenarios\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">",
        all.len() + results.file_failures.len(),
        count("failure", &all),
        count("error", &all) + results.file_failures.len(),
        seconds(total_time)
    );
    for suite in &results.suites {
        let cases: Vec<&ScenarioResult> =
            all.iter().copied().filter(|s| &s.suite == suite).collect();
        let files: Vec<_> = results
            .file_failures
            .iter()
            .filter(|f| &f.suite == suite)
            .collect();
        let time: std::time::Duration = cases.iter().map(|s| s.elapsed).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" time=\"{}\">",
            xml(suite),
            cases.len() + files.len(),
            count("failure", &cases),
            count("error", &cases) + files.len(),
            seconds(time)
        );
        for s in cases {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"",
                xml(suite),
                xml(&s.name),
                seconds(s.elapsed)
            );
            match outcome(s) {
                None => out.push_str("/>\n"),
                Some((kind, message, body)) => {
                    let _ = writeln!(
                        out,
                        ">\n      <{kind} message=\"{}\">{}</{kind}>\n    </testcase>",
                        xml(&message),
                        xml(&body)
                    );
                }
            }
        }
        for f in files {
            let _ = writeln!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"0.000\">\n      <error message=\"{}\">{}</error>\n    </testcase>",
                xml(suite),
                xml(&f.file),
                xml(&format!(
                    "invalid scenario file: {}",
                    plural(f.diagnostics.len(), "problem")
                )),
                xml(&f.diagnostics.join("\n"))
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Text as XML 1.0 character data or attribute value. Characters XML 1.0 forbids (C0 controls
/// but tab, newline and carriage return; U+FFFE and U+FFFF) and other controls are written as
/// `\u{..}`, so a key holding one still gives a document every JUnit reader accepts.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}') => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_removed_and_added_lines() {
        let d = render_diff("a\nb\nc\n", "a\nB\nc\n", "old.snap", "new", false);
        assert_eq!(
            d,
            "--- old.snap\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
        assert!(render_diff("same\n", "same\n", "x", "y", false).is_empty());
        assert!(render_diff("a\n", "b\n", "x", "y", true).contains("\x1b[31m-a\x1b[0m"));
    }

    #[test]
    fn xml_escapes_markup() {
        assert_eq!(
            xml("a<b & \"c\"\x1b[0m"),
            "a&lt;b &amp; &quot;c&quot;\\u{1b}[0m"
        );
    }

    #[test]
    fn xml_escapes_what_xml_forbids() {
        assert_eq!(
            xml("k\u{fffe}\u{ffff}\u{0}\u{85}\te"),
            "k\\u{fffe}\\u{ffff}\\u{0}\\u{85}\te"
        );
    }

    #[test]
    fn terminal_output_escapes_controls_and_bidi() {
        assert_eq!(terminal_safe("plain\tline\n"), "plain\tline\n");
        assert_eq!(
            terminal_safe("a\x1b[2Jb\u{202e}c\u{9b}"),
            "a\\u{1b}[2Jb\\u{202e}c\\u{9b}"
        );
    }
}
