//! The scenario suites as `cargo test` sees them: every snapshot checked with insta (so
//! `INSTA_UPDATE=no` and CI never write, and `cargo insta review` works), plus the runner's
//! promises: a changed snapshot or expectation fails with a readable diff, a malformed file
//! gives `file:line:col` for every problem while other suites still run, and what `--accept`
//! writes is what insta reads.

use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::scenarios::{self, Options, SnapshotState};

fn project_root() -> PathBuf {
    xtask::project_root().expect("the tests run inside the checkout")
}

fn root() -> PathBuf {
    project_root().join("scenarios")
}

/// Every shipped scenario, validated, with the file it comes from.
fn shipped_scenarios() -> Vec<(String, replication_model::ValidSpec)> {
    let mut all = Vec::new();
    for suite in scenarios::suites(&root(), &[]).expect("suites") {
        for file in &suite.files {
            let text = std::fs::read_to_string(file).expect("readable");
            let label = file.display().to_string();
            let specs = replication_dsl::validate_suite(&label, &text)
                .unwrap_or_else(|d| panic!("{label}: {d:?}"));
            all.extend(specs.into_iter().map(|valid| (label.clone(), valid)));
        }
    }
    all
}

/// A scratch copy of some suites, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str, suites: &[&str]) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("xtask-scenarios-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for s in suites {
            copy_dir(&root().join(s), &dir.join("scenarios").join(s));
        }
        Scratch(dir)
    }

    fn root(&self) -> PathBuf {
        self.0.join("scenarios")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else if !path.to_string_lossy().ends_with(".snap.new") {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

/// Every scenario of every default suite validates, meets its expectations, and its report
/// equals its snapshot, as insta judges it.
#[test]
fn every_suite_matches_its_snapshots() {
    let results = scenarios::collect(&Options::new(root())).expect("the suites load");
    assert!(
        results.scenarios.len() >= 40,
        "only {} scenarios",
        results.scenarios.len()
    );
    let mut problems: Vec<String> = results
        .file_failures
        .iter()
        .flat_map(|f| f.diagnostics.clone())
        .collect();
    let mut drift = Vec::new();
    for s in &results.scenarios {
        problems.extend(s.problems.iter().map(|p| format!("{}: {p}", s.id())));
        let Some(report) = &s.report else { continue };
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(s.snapshot_path.parent().unwrap());
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_description(s.description());
        settings.set_input_file(project_root().join(&s.input_file));
        let name = s.name.clone();
        let report = scenarios::normalize(report);
        let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(name, report))
        }));
        if res.is_err() {
            drift.push(s.id());
        }
    }
    assert!(
        problems.is_empty(),
        "scenarios fail:\n{}",
        problems.join("\n")
    );
    assert!(
        drift.is_empty(),
        "snapshots drifted (review with `cargo insta review` or `cargo xtask scenarios`): {drift:?}"
    );
}

/// Editing a committed snapshot, or an expectation, makes the run fail and shows what differs.
#[test]
fn changed_snapshot_or_expectation_fails_with_a_readable_diff() {
    let scratch = Scratch::new("drift", &["study_note"]);
    let snap = scratch
        .root()
        .join("study_note/snapshots/note_sse_s3_replicates_transparently.snap");
    let text = std::fs::read_to_string(&snap).unwrap();
    std::fs::write(
        &snap,
        text.replace("COMPLETED; -> target", "FAILED; -> target"),
    )
    .unwrap();
    let file = scratch.root().join("study_note/core_table.scenario");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replacen(
        "expect source \"ledger.csv\" COMPLETED with sse_kms(src_key);",
        "expect source \"ledger.csv\" FAILED with sse_kms(src_key);",
        1,
    );
    assert_ne!(text, edited, "the expectation to edit is in the suite");
    std::fs::write(&file, &edited).unwrap();

    let results = scenarios::collect(&Options::new(scratch.root())).unwrap();
    let out = scenarios::render_text(&results, false, 0);
    let by = |n: &str| results.scenarios.iter().find(|s| s.name == n).unwrap();
    assert!(matches!(
        by("note_sse_s3_replicates_transparently").snapshot,
        SnapshotState::Changed { .. }
    ));
    assert!(out.contains("snapshot changed: scenarios/study_note/snapshots/note_sse_s3_replicates_transparently.snap"), "{out}");
    assert!(
        out.contains(
            "-source/reports/q1.csv v1: 4096 bytes, SSE-S3; FAILED; -> target (rule `to_eu`) v1"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "+source/reports/q1.csv v1: 4096 bytes, SSE-S3; COMPLETED; -> target (rule `to_eu`) v1"
        ),
        "{out}"
    );
    // The failed expectation points at its `expect`: `file:line:col: expectation failed: ...`.
    let kms = by("note_sse_kms_with_opt_in_replicates");
    let (line, column) = edited
        .lines()
        .enumerate()
        .find_map(|(i, l)| {
            l.find("expect source \"ledger.csv\" FAILED")
                .map(|c| (i + 1, c + 1))
        })
        .unwrap();
    let located = format!("{}:{line}:{column}: expectation failed: step ", kms.file);
    assert!(kms.file.ends_with("core_table.scenario"), "{}", kms.file);
    assert!(
        kms.problems
            .iter()
            .any(|p| p.starts_with(&located) && p.contains("expected `source/ledger.csv` FAILED")),
        "{located}\n{:?}",
        kms.problems
    );
    assert!(out.contains(&located), "{out}");
    // JUnit as the strict junit-10 schema wants it: `errors` and `time` on every suite, no
    // attribute the schema lacks, and the failed expectation, located at its `expect`, not the
    // snapshot, in the message.
    let junit = scenarios::render_junit(&results);
    assert!(
        junit.contains(&format!("<failure message=\"{located}")),
        "{junit}"
    );
    assert!(
        junit.contains("<failure message=\"snapshot scenarios/study_note/snapshots/note_sse_s3_replicates_transparently.snap changed\">"),
        "{junit}"
    );
    for line in junit
        .lines()
        .filter(|l| l.trim_start().starts_with("<testsuite"))
    {
        assert!(
            line.contains(" failures=\"2\" errors=\"0\"") && line.contains(" time=\""),
            "{line}"
        );
    }
    assert!(
        !junit.contains(" file=\"") && !junit.contains(" line=\""),
        "{junit}"
    );
    assert!(
        junit.contains("scenarios/study_note/core_table.scenario:"),
        "{junit}"
    );
    let n = results.scenarios.len();
    assert_eq!(
        out.lines().last(),
        Some(format!("{} passed, 2 failed, 0 new", n - 2).as_str()),
        "{out}"
    );
}

/// A malformed file reports every problem as `file:line:col` and fails the run, while the other
/// suite named on the same command line still runs and passes.
#[test]
fn malformed_file_reports_every_problem_and_other_suites_still_run() {
    let root = root();
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(project_root())
        .args(["scenarios", "--root"])
        .arg(&root)
        .args(["monitoring", "_invalid"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{out}");
    let file = "scenarios/_invalid/malformed.scenario";
    for at in [
        "6:28: unknown size unit `KiX`",
        "7:5: unknown statement `replicat`",
        "14:22: account `nobody` is not defined",
        "23:32: `secret.bin` is an SSE-C object",
        "26:7: expected `{` after scenario name `stray`",
    ] {
        assert!(
            out.contains(&format!("{file}:{at}")),
            "missing `{file}:{at}` in:\n{out}"
        );
    }
    let monitoring = std::fs::read_dir(root.join("monitoring/snapshots"))
        .unwrap()
        .count();
    for line in out.lines().filter(|l| l.starts_with("monitoring/")) {
        assert!(line.ends_with("  ok"), "{line}");
    }
    assert_eq!(
        out.lines().last(),
        Some(format!("{monitoring} passed, 3 failed, 0 new").as_str()),
        "{out}"
    );
}

/// In JUnit, a file that does not parse and a scenario that does not validate are `<error>`s,
/// counted in `errors`, with every `file:line:col` in the text.
#[test]
fn junit_reports_invalid_files_and_scenarios_as_errors() {
    let mut opts = Options::new(root());
    opts.suites = vec!["_invalid".into()];
    let results = scenarios::collect(&opts).unwrap();
    let junit = scenarios::render_junit(&results);
    let errors = results.file_failures.len()
        + results
            .scenarios
            .iter()
            .filter(|s| s.report.is_none())
            .count();
    assert!(errors >= 2, "{junit}");
    assert!(
        junit.contains(&format!(
            "<testsuite name=\"_invalid\" tests=\"{}\" failures=\"0\" errors=\"{errors}\" skipped=\"0\" time=\"",
            results.scenarios.len() + results.file_failures.len()
        )),
        "{junit}"
    );
    assert!(
        junit.contains("<error message=\"invalid scenario file: "),
        "{junit}"
    );
    assert!(
        junit.contains("scenarios/_invalid/malformed.scenario:7:5: unknown statement `replicat`"),
        "{junit}"
    );
}

/// `--accept` writes snapshots that insta reads back with the same body and header, and a second
/// run then passes; nothing is written without `--accept`.
#[test]
fn accepted_snapshots_are_what_insta_reads() {
    let scratch = Scratch::new("accept", &["monitoring"]);
    let dir = scratch.root().join("monitoring/snapshots");
    std::fs::remove_dir_all(&dir).unwrap();
    let mut opts = Options::new(scratch.root());
    let first = scenarios::collect(&opts).unwrap();
    assert!(
        first
            .scenarios
            .iter()
            .all(|s| matches!(s.snapshot, SnapshotState::New { base: None }))
    );
    assert!(!dir.exists(), "a run without --accept wrote snapshots");
    opts.accept = true;
    let mut results = scenarios::collect(&opts).unwrap();
    assert_eq!(
        scenarios::accept(&mut results).unwrap(),
        results.scenarios.len()
    );
    for s in &results.scenarios {
        let snap = insta::Snapshot::from_file(&s.snapshot_path).unwrap();
        assert_eq!(
            snap.contents().as_text().unwrap().to_string(),
            scenarios::normalize(s.report.as_ref().unwrap())
        );
        assert_eq!(snap.metadata().source(), Some(scenarios::SNAPSHOT_SOURCE));
        assert_eq!(
            snap.metadata().description(),
            Some(s.description().as_str())
        );
        assert_eq!(
            snap.metadata().input_file(),
            Some("scenarios/monitoring/monitoring.scenario")
        );
    }
    opts.accept = false;
    let again = scenarios::collect(&opts).unwrap();
    assert_eq!(
        again.failed(),
        0,
        "{}",
        scenarios::render_text(&again, false, 0)
    );
}

/// A snapshot no scenario claims is reported and kept; `--prune` deletes it and nothing else.
#[test]
fn prune_deletes_only_unreferenced_snapshots() {
    let scratch = Scratch::new("prune", &["monitoring"]);
    let dir = scratch.root().join("monitoring/snapshots");
    let stray = dir.join("a_scenario_that_was_renamed.snap");
    std::fs::copy(
        std::fs::read_dir(&dir)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
        &stray,
    )
    .unwrap();
    let kept: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| *p != stray)
        .collect();
    let mut opts = Options::new(scratch.root());
    let reported = scenarios::collect(&opts).unwrap();
    assert_eq!(reported.unreferenced.len(), 1);
    assert!(
        scenarios::render_text(&reported, false, 0).contains(
            "unreferenced snapshot: scenarios/monitoring/snapshots/a_scenario_that_was_renamed.snap"
        ),
        "{}",
        scenarios::render_text(&reported, false, 0)
    );
    assert!(stray.exists(), "a run without --prune deleted a snapshot");

    opts.prune = true;
    let mut pruned = scenarios::collect(&opts).unwrap();
    assert_eq!(scenarios::prune(&mut pruned).unwrap(), 1);
    assert!(!stray.exists());
    assert!(
        kept.iter().all(|p| p.exists()),
        "a used snapshot was deleted"
    );
    assert!(scenarios::render_text(&pruned, false, 0).contains(
        "deleted unreferenced snapshot: scenarios/monitoring/snapshots/a_scenario_that_was_renamed.snap"
    ));
    let again = scenarios::collect(&opts).unwrap();
    assert!(again.unreferenced.is_empty());
    assert_eq!(again.failed(), 0);
}

/// `--rules exam_guide` on a scenario of the default rule set compares with
/// `<name>@exam_guide.snap`; until that exists the diff is against the scenario's own snapshot,
/// and the scenario counts as new (a failure only under `CI=true`).
/// A scenario the other rule set makes invalid (`--rules aws_2026` on an exam-guide scenario: an
/// SSE-C upload into a bucket that now blocks SSE-C) says so. The JSON and JUnit renderings carry
/// the same verdicts.
#[test]
fn rules_override_shows_what_changes() {
    let mut opts = Options::new(root());
    opts.suites = vec!["study_note".into()];
    opts.filter = Some("note_sse_*_not_replicated_exam_guide".into());
    opts.rules = Some(replication_model::spec::RuleSetName::Aws2026);
    let invalid = scenarios::collect(&opts).unwrap();
    let [s] = invalid.scenarios.as_slice() else {
        panic!("one scenario expected")
    };
    assert!(s.report.is_none());
    assert!(
        s.problems
            .iter()
            .any(|p| p.contains("under `--rules aws_2026`")),
        "{:?}",
        s.problems
    );

    opts.filter = Some("note_sse_s3_replicates_transparently".into());
    opts.rules = Some(replication_model::spec::RuleSetName::ExamGuide);
    let results = scenarios::collect(&opts).unwrap();
    let [s] = results.scenarios.as_slice() else {
        panic!("one scenario expected")
    };
    assert!(
        s.snapshot_label
            .ends_with("note_sse_s3_replicates_transparently@exam_guide.snap")
    );
    assert!(
        matches!(&s.snapshot, SnapshotState::New { base: Some(_) }),
        "{:?}",
        s.snapshot
    );
    assert!(s.problems.is_empty(), "{:?}", s.problems);
    let text = scenarios::render_text(&results, false, 0);
    assert!(
        text.contains("-scenario note_sse_s3_replicates_transparently (rule set aws_2026)"),
        "{text}"
    );
    assert!(
        text.contains("+scenario note_sse_s3_replicates_transparently (rule set exam_guide)"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&scenarios::render_json(&results)).unwrap();
    assert_eq!(json["failed"], 0);
    assert_eq!(json["new"], 1);
    assert_eq!(json["scenarios"][0]["result"], "new");
    assert_eq!(json["scenarios"][0]["rule_set"], "exam_guide");
    assert_eq!(json["scenarios"][0]["snapshot_state"], "new");
    assert!(results.ok());
    let junit = scenarios::render_junit(&results);
    assert!(
        junit.contains(
            "<testcase classname=\"study_note\" name=\"note_sse_s3_replicates_transparently\""
        ),
        "{junit}"
    );
    assert!(!junit.contains("<failure"), "{junit}");
    opts.ci = true;
    let under_ci = scenarios::collect(&opts).unwrap();
    assert!(!under_ci.ok());
    assert_eq!(under_ci.summary(), "0 passed, 0 failed, 1 new");
    assert!(
        scenarios::render_junit(&under_ci).contains("<failure message=\"snapshot "),
        "{}",
        scenarios::render_junit(&under_ci)
    );
}

/// Every shipped scenario tells the same story without the trace: a run with `trace: false`
/// (where allowed requests skip writing their deciding statements) gives the traced report minus
/// its numbered trace lines, denial sentences and fix hints included, on one thread and on all.
#[test]
fn every_shipped_scenario_reports_the_same_without_trace() {
    use replication_model::RunConfig;
    let is_trace_line = |l: &&str| {
        l.strip_prefix("  ")
            .and_then(|rest| rest.split_once(". "))
            .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut checked = 0;
    for (label, valid) in &shipped_scenarios() {
        let traced = replication_model::run(valid).expect("runs");
        let expected: Vec<&str> = traced
            .report()
            .lines()
            .filter(|l| !is_trace_line(l))
            .collect();
        for threads in [1, 0] {
            let quiet = replication_model::run_with(
                valid,
                RunConfig {
                    trace: false,
                    threads,
                },
            )
            .expect("runs");
            assert_eq!(
                quiet.report().lines().collect::<Vec<_>>(),
                expected,
                "{label}: `{}` on {threads} thread(s)",
                valid.spec().name
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 2 * 70,
        "only {checked} runs: were the suites found?"
    );
}

/// A copied checkout runs its own scenarios, found from the current directory: the binary bakes
/// in no path, so `--accept` writes into the copy and never into the tree it was built in.
#[test]
fn a_relocated_checkout_runs_and_writes_its_own_scenarios() {
    let scratch = Scratch::new("relocated", &["monitoring"]);
    std::fs::write(scratch.0.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
    let snapshots = scratch.root().join("monitoring/snapshots");
    let n_snapshots = std::fs::read_dir(&snapshots).unwrap().count();
    let removed = std::fs::read_dir(&snapshots)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(&removed).unwrap();
    let nested = scratch.root().join("monitoring");
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(&nested)
        .args(["scenarios", "--accept"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.starts_with(&format!("running {n_snapshots} scenarios from 1 suite\n")),
        "{out}"
    );
    assert!(removed.exists(), "--accept did not write into the copy");
    assert!(
        out.ends_with(&format!("\n{n_snapshots} passed, 0 failed, 0 new\n")),
        "{out}"
    );
}

/// A `--filter` that matches nothing is a failed run with a message, not `0 passed`, and the
/// closing line is still printed.
#[test]
fn a_filter_matching_nothing_fails() {
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .current_dir(project_root())
        .args(["scenarios", "--filter", "no_such_scenario_anywhere"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(
        out.contains("error: no scenario matches `--filter no_such_scenario_anywhere`"),
        "{out}"
    );
    assert_eq!(
        out.lines().last(),
        Some("0 passed, 0 failed, 0 new"),
        "{out}"
    );
}

/// An empty snapshot file fails only its own scenario, says that `--accept` repairs it, and
/// `--accept` does.
#[test]
fn an_empty_snapshot_fails_only_its_scenario_and_accept_repairs_it() {
    let scratch = Scratch::new("empty-snap", &["monitoring"]);
    let dir = scratch.root().join("monitoring/snapshots");
    let broken = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&broken, "").unwrap();
    let mut opts = Options::new(scratch.root());
    let results = scenarios::collect(&opts).unwrap();
    let failed: Vec<_> = results.scenarios.iter().filter(|s| !s.passed()).collect();
    let [s] = failed.as_slice() else {
        panic!("one failure expected: {failed:?}")
    };
    assert_eq!(s.snapshot_path, broken);
    assert!(
        matches!(&s.snapshot, SnapshotState::Unreadable { reason } if reason.contains("not in insta's format")),
        "{:?}",
        s.snapshot
    );
    let text = scenarios::render_text(&results, false, 0);
    assert!(text.contains("run with `--accept` to rewrite it"), "{text}");
    assert_eq!(
        text.lines().last(),
        Some(format!("{} passed, 1 failed, 0 new", results.scenarios.len() - 1).as_str())
    );

    opts.accept = true;
    let mut results = scenarios::collect(&opts).unwrap();
    assert_eq!(scenarios::accept(&mut results).unwrap(), 1);
    opts.accept = false;
    assert!(scenarios::collect(&opts).unwrap().ok());
}

/// Every inferred choice is one a shipped scenario relies on, so none sits in the list without a
/// scenario that shows it; and each report's inferred section is exactly the choices its run
/// recorded, so rewording a message can neither drop a line nor add one.
#[test]
fn every_inferred_choice_is_shown_by_a_shipped_scenario() {
    use replication_model::InferredChoice;
    const HEADING: &str = "== inferred (AWS does not document these; the model chose)";
    let mut seen = std::collections::BTreeSet::new();
    for (label, valid) in &shipped_scenarios() {
        let outcome = replication_model::run(valid).expect("runs");
        let used: Vec<InferredChoice> = outcome.inferred().collect();
        let listed: Vec<&str> = outcome
            .report()
            .lines()
            .skip_while(|l| *l != HEADING)
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        let expected: Vec<String> = used.iter().map(|c| format!("- {}", c.text())).collect();
        assert_eq!(listed, expected, "{label}: `{}`", valid.spec().name);
        seen.extend(used);
    }
    let missing: Vec<&str> = InferredChoice::ALL
        .iter()
        .filter(|c| !seen.contains(*c))
        .map(|c| c.id())
        .collect();
    assert!(
        missing.is_empty(),
        "no shipped scenario relies on {missing:?}; add one under scenarios/"
    );
}
