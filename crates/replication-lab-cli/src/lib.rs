//! The scenario runner: runs the suites under a `scenarios/` folder in-process and in parallel,
//! compares each outcome report with its insta snapshot, and ends with `N passed, N failed`.
//!
//! This crate is both the installable `replication-lab` binary (`cargo install --path
//! crates/replication-lab-cli`), which runs suites in any repository, and the library that
//! `cargo xtask scenarios` and the snapshot tests call, so every front end runs the same code.
//!
//! A scenario passes when it validates, every `expect` holds and its report equals its snapshot.
//! The work is split so the `cargo test` target can reuse it: [`collect`] checks and runs every
//! scenario and compares snapshots without printing, [`accept`] writes accepted snapshots, and
//! the `output` module prints. Nothing is written without `--accept`.
//!
//! `--rules R` runs every scenario under rule set `R`. A scenario that declares `R` already is
//! compared with its own snapshot; any other is compared with `<name>@R.snap`, and while that
//! file does not exist the diff is shown against `<name>.snap` (what changes under `R`) and the
//! scenario counts as failed until `--accept` writes `<name>@R.snap`. Expectations written for
//! the declared rule set are checked as written, so the run also shows which of them depend on
//! the rule set.

mod cli;
mod discover;
mod load;
mod output;
mod root;
mod snapshot;

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};
use rayon::prelude::*;
use replication_model::spec::RuleSetName;
use replication_model::{AttemptRecord, ObjectRow, RunConfig, ValidSpec};

use output::plural;

pub use cli::{Command, Format, Options, parse_args, parse_rule_set, usage};
pub use discover::{SCENARIO_EXTENSION, Suite, label, suites};
pub use output::{
    JSON_SCHEMA_VERSION, render_diff, render_json, render_junit, render_text, terminal_safe,
};
pub use root::{SUITES_FOLDER, default_root, find_root};
pub use snapshot::{SNAPSHOT_SOURCE, normalize, snapshot_dir, snapshot_file_name};

/// What became of a scenario's snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotState {
    /// The report equals the snapshot.
    Matched,
    /// No snapshot yet. `base` is what the diff is shown against: for a `--rules` run, the
    /// scenario's own snapshot.
    New { base: Option<String> },
    /// The report differs from the snapshot, whose body is `old`.
    Changed { old: String },
    /// The snapshot file exists but cannot be read or is not a snapshot (empty, cut short);
    /// `reason` says why. `--accept` rewrites it.
    Unreadable { reason: String },
    /// `--accept` wrote the snapshot (new or changed; `old` is the previous body, if any).
    Written { old: Option<String> },
    /// Not compared: the scenario did not validate or did not run.
    NotCompared,
}

impl SnapshotState {
    /// Whether the snapshot side of the scenario is fine.
    pub fn ok(&self) -> bool {
        matches!(self, SnapshotState::Matched | SnapshotState::Written { .. })
    }
}

/// The result of one scenario.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// The suite's name.
    pub suite: String,
    /// The scenario file, as diagnostics name it.
    pub file: String,
    /// The 1-based line of the scenario's name.
    pub line: usize,
    /// The scenario's name.
    pub name: String,
    /// Its doc comment.
    pub doc: String,
    /// The rule set it ran under.
    pub rule_set: RuleSetName,
    /// The snapshot file this scenario is compared with.
    pub snapshot_path: PathBuf,
    /// The snapshot file as shown to users (`scenarios/<suite>/snapshots/<name>.snap`).
    pub snapshot_label: String,
    /// The file as the snapshot header names it (`scenarios/<suite>/<file>.scenario`).
    pub input_file: String,
    /// The outcome report, when the scenario ran.
    pub report: Option<String>,
    /// Why the scenario fails apart from its snapshot: diagnostics (`file:line:col: message`),
    /// a run error, failed expectations. Empty when none.
    pub problems: Vec<String>,
    /// What became of its snapshot.
    pub snapshot: SnapshotState,
    /// Every object version the run left, for `--format json` (empty when it did not run).
    pub objects: Vec<ObjectRow>,
    /// Every replication attempt with its decisions, for `--format json`.
    pub attempts: Vec<AttemptRecord>,
    /// How long checking its expectations and running it took, wall clock. Only JUnit's `time`
    /// shows it; text and JSON output stay byte-identical across runs.
    pub elapsed: Duration,
}

impl ScenarioResult {
    /// `suite/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.suite, self.name)
    }

    /// Whether the scenario passed.
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.snapshot.ok()
    }

    /// Whether the scenario holds but has no snapshot yet: `new`, which fails only under
    /// `CI=true`.
    pub fn is_new(&self) -> bool {
        self.problems.is_empty() && matches!(self.snapshot, SnapshotState::New { .. })
    }

    /// The one-word result the table shows.
    pub fn verdict(&self) -> &'static str {
        if !self.problems.is_empty() && self.report.is_none() {
            return "INVALID";
        }
        if !self.problems.is_empty() {
            return "FAILED";
        }
        match self.snapshot {
            SnapshotState::Matched => "ok",
            SnapshotState::Written { old: None } => "written",
            SnapshotState::Written { old: Some(_) } => "updated",
            SnapshotState::New { .. } => "NEW",
            SnapshotState::Changed { .. } => "CHANGED",
            SnapshotState::Unreadable { .. } => "UNREADABLE",
            SnapshotState::NotCompared => "FAILED",
        }
    }

    /// The snapshot description: the scenario's doc on one line.
    pub fn description(&self) -> String {
        self.doc.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// A file whose problems lie outside every scenario (stray tokens, a name used twice): it counts
/// as one failure.
#[derive(Debug, Clone)]
pub struct FileFailure {
    /// The suite's name.
    pub suite: String,
    /// The file, as diagnostics name it.
    pub file: String,
    /// Every problem as `file:line:col: message`.
    pub diagnostics: Vec<String>,
}

/// A snapshot file no scenario of its suite claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreferenced {
    /// As shown to users (`scenarios/<suite>/snapshots/<name>.snap`).
    pub label: String,
    /// The file.
    pub path: PathBuf,
}

/// Everything a run found.
#[derive(Debug, Clone)]
pub struct RunResults {
    /// The suites that ran, in order.
    pub suites: Vec<String>,
    /// Every selected scenario, in suite, file and scenario order.
    pub scenarios: Vec<ScenarioResult>,
    /// Files with problems outside their scenarios.
    pub file_failures: Vec<FileFailure>,
    /// Snapshot files that belong to no scenario of their suite.
    pub unreferenced: Vec<Unreferenced>,
    /// Unreferenced snapshot files `--prune` deleted, as shown to users.
    pub pruned: Vec<String>,
    /// The rule set override, if any.
    pub rules: Option<RuleSetName>,
    /// The `--filter` pattern, if any (to say why nothing ran).
    pub filter: Option<String>,
    /// `--scenario` names that matched no scenario, each with the closest known `suite/name`.
    pub unmatched: Vec<(String, Option<String>)>,
    /// Whether new snapshots fail the run (`CI=true`).
    pub ci: bool,
}

impl RunResults {
    /// Scenarios that passed.
    pub fn passed(&self) -> usize {
        self.scenarios.iter().filter(|s| s.passed()).count()
    }

    /// Scenarios that hold but have no snapshot yet.
    pub fn new_snapshots(&self) -> usize {
        self.scenarios.iter().filter(|s| s.is_new()).count()
    }

    /// Scenarios that failed, plus files that failed outside any scenario. A new snapshot is
    /// counted as `new`, not here, also under `CI=true` (where it fails the run all the same).
    pub fn failed(&self) -> usize {
        self.scenarios.len() - self.passed() - self.new_snapshots() + self.file_failures.len()
    }

    /// The closing line: `N passed, N failed, N new`.
    pub fn summary(&self) -> String {
        format!(
            "{} passed, {} failed, {} new",
            self.passed(),
            self.failed(),
            self.new_snapshots()
        )
    }

    /// Why new snapshots fail this run, when they do (`CI=true`).
    pub fn new_fails(&self) -> Option<String> {
        let n = self.new_snapshots();
        (self.ci && n > 0).then(|| {
            let (verb, them) = if n == 1 { ("fails", "it") } else { ("fail", "them") };
            format!(
                "{} {verb} under CI=true, as insta does; write {them} with `--accept` and commit {them}",
                plural(n, "new snapshot")
            )
        })
    }

    /// Whether `s` fails this run: it failed, or it is new under `CI=true`.
    pub fn fails(&self, s: &ScenarioResult) -> bool {
        !s.passed() && (self.ci || !s.is_new())
    }

    /// Why some `--scenario` names selected nothing, when they did.
    pub fn unmatched_message(&self) -> Option<String> {
        if self.unmatched.is_empty() {
            return None;
        }
        let each: Vec<String> = self
            .unmatched
            .iter()
            .map(|(id, close)| match close {
                Some(c) => format!("`{id}` (did you mean `{c}`?)"),
                None => format!("`{id}`"),
            })
            .collect();
        Some(format!(
            "no scenario is named {}; `--scenario` takes `suite/name` exactly, `--filter` a part",
            each.join(", ")
        ))
    }

    /// Why the run checked nothing, when it did: zero scenarios is a failed run, since a
    /// `--filter` typo or an empty suite must not look like success in CI.
    pub fn nothing_ran(&self) -> Option<String> {
        if !self.scenarios.is_empty() || !self.file_failures.is_empty() {
            return None;
        }
        if !self.unmatched.is_empty() {
            // `unmatched_message` names them.
            return None;
        }
        Some(match &self.filter {
            Some(f) => format!(
                "no scenario matches `--filter {f}`; the filter is matched against `suite/name` (`*` is a wildcard)"
            ),
            None => format!(
                "no scenario found in {}; add a `*.scenario` file with `name {{ statements }}` or name another suite",
                plural(self.suites.len(), "suite")
            ),
        })
    }

    /// Whether the run passed: something ran, nothing failed, every `--scenario` named one, and
    /// under `CI=true` no snapshot is new.
    pub fn ok(&self) -> bool {
        self.failed() == 0
            && self.nothing_ran().is_none()
            && self.unmatched.is_empty()
            && self.new_fails().is_none()
    }

    /// Every reason the run fails apart from failed scenarios, one sentence each.
    pub fn errors(&self) -> Vec<String> {
        [
            self.nothing_ran(),
            self.unmatched_message(),
            self.new_fails(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Shows progress on stderr while scenarios run: a counter rewritten in place, only on a terminal.
#[derive(Debug)]
struct Progress {
    total: usize,
    done: AtomicUsize,
    on: bool,
}

impl Progress {
    fn new(total: usize) -> Self {
        Progress {
            total,
            done: AtomicUsize::new(0),
            on: std::io::stderr().is_terminal() && total > 0,
        }
    }

    fn tick(&self, id: &str) {
        let n = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.on {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K[{n}/{}] {id}", self.total);
            let _ = err.flush();
        }
    }

    fn clear(&self) {
        if self.on {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}

/// A scenario that validated, waiting to run.
#[derive(Debug)]
struct Job {
    result: ScenarioResult,
    valid: Option<ValidSpec>,
}

/// Checks, runs and compares every selected scenario; writes nothing.
pub fn collect(opts: &Options) -> anyhow::Result<RunResults> {
    // `--scenario suite/name` alone runs only the suites it names, hidden ones (`_x`) included.
    let named_suites: Vec<String> = if opts.suites.is_empty() {
        let mut names: Vec<String> = Vec::new();
        for id in &opts.scenarios {
            if let Some((suite, _)) = id.split_once('/')
                && !names.iter().any(|n| n == suite)
            {
                names.push(suite.to_owned());
            }
        }
        names
    } else {
        opts.suites.clone()
    };
    let suites = discover::suites(&opts.root, &named_suites)?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let files: Vec<(usize, &Path)> = suites
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.files.iter().map(move |f| (i, f.as_path())))
        .collect();

    // Parse and validate each file on one thread (spans live in a per-thread source map).
    let loaded: Vec<(usize, String, load::LoadedFile)> =
        files
            .par_iter()
            .map(|&(suite_idx, path)| {
                let label = dsl_label(&cwd, path);
                let loaded = contained(|| load::load_file(path, &label, opts.rules))
                    .unwrap_or_else(|cause| load::LoadedFile {
                        scenarios: Vec::new(),
                        errors: vec![format!("{label}: checking the file panicked: {cause}")],
                    });
                (suite_idx, discover::label(&opts.root, path), loaded)
            })
            .collect();

    let mut jobs = Vec::new();
    let mut file_failures = Vec::new();
    let mut names: BTreeMap<(usize, String), String> = BTreeMap::new();
    let mut complete_suites = vec![true; suites.len()];
    let mut known_ids: Vec<String> = Vec::new();
    for (suite_idx, file, lf) in loaded {
        let suite = &suites[suite_idx];
        let mut diagnostics = lf.errors;
        if !diagnostics.is_empty() {
            complete_suites[suite_idx] = false;
        }
        for sc in lf.scenarios {
            if let Some(first) = names.insert((suite_idx, sc.name.clone()), file.clone()) {
                diagnostics.push(format!(
                    "{file}:{}:1: scenario `{}` is also defined in `{first}`; both would write `snapshots/{}.snap`, rename one",
                    sc.line, sc.name, sc.name
                ));
                continue;
            }
            let id = format!("{}/{}", suite.name, sc.name);
            known_ids.push(id.clone());
            if !selected(opts.filter.as_deref(), &suite.name, &sc.name)
                || !(opts.scenarios.is_empty() || opts.scenarios.contains(&id))
            {
                continue;
            }
            let rule_set = opts.rules.unwrap_or(sc.declared);
            let suffix = (rule_set != sc.declared).then_some(rule_set.as_str());
            let snapshot_path = snapshot::snapshot_dir(&suite.dir)
                .join(snapshot::snapshot_file_name(&sc.name, suffix));
            let (problems, valid) = match sc.result {
                Ok(v) => (Vec::new(), Some(v)),
                Err(d) => (d, None),
            };
            jobs.push(Job {
                result: ScenarioResult {
                    suite: suite.name.clone(),
                    file: file.clone(),
                    line: sc.line,
                    name: sc.name,
                    doc: sc.doc,
                    rule_set,
                    snapshot_label: discover::label(&opts.root, &snapshot_path),
                    snapshot_path,
                    input_file: file.clone(),
                    report: None,
                    problems,
                    snapshot: SnapshotState::NotCompared,
                    objects: Vec::new(),
                    attempts: Vec::new(),
                    elapsed: Duration::ZERO,
                },
                valid,
            });
        }
        if !diagnostics.is_empty() {
            file_failures.push(FileFailure {
                suite: suite.name.clone(),
                file,
                diagnostics,
            });
        }
    }

    let progress = Progress::new(jobs.len());
    let mut scenarios: Vec<ScenarioResult> = jobs
        .into_par_iter()
        .map(|job| {
            #[allow(
                clippy::disallowed_methods,
                reason = "JUnit's `time` is the one measured figure; no report or snapshot shows it"
            )]
            let started = std::time::Instant::now();
            let mut result = run_one(job);
            result.elapsed = started.elapsed();
            progress.tick(&result.id());
            result
        })
        .collect();
    progress.clear();
    for s in &mut scenarios {
        compare(s);
    }

    let unmatched: Vec<(String, Option<String>)> = opts
        .scenarios
        .iter()
        .filter(|id| !scenarios.iter().any(|s| s.id() == **id))
        .map(|id| {
            let close =
                replication_model::spelling::suggest(id, known_ids.iter().map(String::as_str))
                    .map(str::to_owned);
            (id.clone(), close)
        })
        .collect();
    let unreferenced = if opts.filter.is_none() {
        unreferenced(&opts.root, &suites, &complete_suites, &names)?
    } else {
        Vec::new()
    };
    Ok(RunResults {
        suites: suites.iter().map(|s| s.name.clone()).collect(),
        scenarios,
        file_failures,
        unreferenced,
        pruned: Vec::new(),
        rules: opts.rules,
        filter: opts.filter.clone(),
        unmatched,
        ci: opts.ci,
    })
}

/// How a file is named to the DSL: relative to the current directory when it lies below it
/// (so `json_file` paths resolve and diagnostics are short), else absolute.
fn dsl_label(cwd: &Path, path: &Path) -> String {
    path.strip_prefix(cwd)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Whether `--filter` selects a scenario: `suite/name` contains the pattern, where `*` matches
/// any run of characters.
fn selected(filter: Option<&str>, suite: &str, name: &str) -> bool {
    let Some(pattern) = filter else { return true };
    let id = format!("{suite}/{name}");
    let mut parts = pattern.split('*');
    let mut rest = id.as_str();
    if let Some(first) = parts.next() {
        match rest.find(first) {
            Some(i) => rest = &rest[i + first.len()..],
            None => return false,
        }
    }
    for part in parts {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// Runs `f`, turning a panic into its message, so one scenario that hits a bug fails alone and
/// the run still counts the others. (A stack overflow or an abort cannot be caught; the parser's
/// depth limit and the model's checked arithmetic keep those from happening.)
fn contained<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}

fn run_one(job: Job) -> ScenarioResult {
    let Job { result, valid } = job;
    let Some(valid) = valid else { return result };
    let mut fallback = result.clone();
    contained(move || run_valid(result, &valid)).unwrap_or_else(|cause| {
        fallback.problems.push(format!(
            "the run panicked: {cause}; this is a bug in replication-lab, please report it with this scenario"
        ));
        fallback
    })
}

fn run_valid(mut result: ScenarioResult, valid: &ValidSpec) -> ScenarioResult {
    match replication_model::run_with(
        valid,
        RunConfig {
            trace: true,
            threads: 1,
        },
    ) {
        Ok(outcome) => {
            let file = result.file.as_str();
            result.problems.extend(
                outcome
                    .failed_expectations()
                    .map(|e| e.located(Some(file)).to_string()),
            );
            result.report = Some(outcome.report().to_owned());
            result.objects = outcome.objects();
            result.attempts = outcome.attempts().to_vec();
        }
        Err(e) => result.problems.push(format!("the run stopped: {e}")),
    }
    result
}

/// Compares a report with its snapshot (and, for a `--rules` run without its own snapshot yet,
/// finds the scenario's own snapshot to diff against). A snapshot that cannot be read fails only
/// this scenario.
fn compare(s: &mut ScenarioResult) {
    let Some(report) = &s.report else {
        return;
    };
    let new = snapshot::normalize(report);
    s.snapshot = match snapshot::read_body(&s.snapshot_path) {
        Ok(Some(old)) if old == new => SnapshotState::Matched,
        Ok(Some(old)) => SnapshotState::Changed { old },
        Ok(None) => {
            let own = s
                .snapshot_path
                .with_file_name(snapshot::snapshot_file_name(&s.name, None));
            // The own snapshot only gives the diff a base; when it is unreadable its own run
            // reports that, and this diff is shown against nothing.
            let base = if own == s.snapshot_path {
                None
            } else {
                snapshot::read_body(&own).ok().flatten()
            };
            SnapshotState::New { base }
        }
        Err(e) => SnapshotState::Unreadable {
            reason: format!("{e:#}"),
        },
    };
}

/// Snapshot files of fully parsed suites that no scenario of the suite claims.
fn unreferenced(
    root: &Path,
    suites: &[Suite],
    complete: &[bool],
    names: &BTreeMap<(usize, String), String>,
) -> anyhow::Result<Vec<Unreferenced>> {
    let mut out = Vec::new();
    for (idx, suite) in suites.iter().enumerate() {
        let dir = snapshot::snapshot_dir(&suite.dir);
        if !complete[idx] || !dir.is_dir() {
            continue;
        }
        let mut files = Vec::new();
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("cannot read `{}`", dir.display()))?
        {
            files.push(
                entry
                    .with_context(|| format!("cannot read `{}`", dir.display()))?
                    .path(),
            );
        }
        files.sort();
        for f in files {
            let file_name = f
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if let Some(name) = snapshot::scenario_of_snapshot(&file_name)
                && !names.contains_key(&(idx, name.to_owned()))
            {
                out.push(Unreferenced {
                    label: discover::label(root, &f),
                    path: f,
                });
            }
        }
    }
    Ok(out)
}

/// With `--accept`, writes the snapshot of every scenario that is new or changed and otherwise
/// passes; a scenario whose expectations fail keeps its old snapshot, so a wrong outcome is never
/// recorded as the expected one.
pub fn accept(results: &mut RunResults) -> anyhow::Result<usize> {
    let mut written = 0;
    for s in &mut results.scenarios {
        if !s.problems.is_empty() {
            continue;
        }
        let old = match &s.snapshot {
            SnapshotState::New { .. } | SnapshotState::Unreadable { .. } => None,
            SnapshotState::Changed { old } => Some(old.clone()),
            _ => continue,
        };
        let Some(report) = &s.report else { continue };
        snapshot::write(&s.snapshot_path, &s.description(), &s.input_file, report)?;
        s.snapshot = SnapshotState::Written { old };
        written += 1;
    }
    Ok(written)
}

/// With `--prune`, deletes every unreferenced snapshot file; returns how many.
pub fn prune(results: &mut RunResults) -> anyhow::Result<usize> {
    for u in std::mem::take(&mut results.unreferenced) {
        std::fs::remove_file(&u.path)
            .with_context(|| format!("cannot delete the unreferenced snapshot `{}`", u.label))?;
        results.pruned.push(u.label);
    }
    Ok(results.pruned.len())
}

/// Runs a command line (the arguments after the program, or after `cargo xtask scenarios`);
/// returns the exit code: 0 when everything passed, 1 when a scenario failed or nothing ran, 2
/// when the command line or the folder of suites is wrong. `program` is how the usage text and
/// hints name the command (`replication-lab`, `cargo xtask scenarios`).
pub fn main(program: &str, args: &[String]) -> ExitCode {
    let command = match parse_args(args, default_root) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let opts = match command {
        Command::Help => {
            print!("{}", usage(program));
            return ExitCode::SUCCESS;
        }
        Command::Run(mut o) => {
            o.ci = ci_env();
            o
        }
    };
    let res = match &opts.explain {
        Some(name) => explain(&opts, name),
        None => run(&opts),
    };
    match res {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether `CI` says this is a CI run, read as insta reads it: set, and not `false`, `0` or empty.
pub fn ci_env() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

/// Runs suites and prints the results; `Ok(true)` when everything passed.
pub fn run(opts: &Options) -> anyhow::Result<bool> {
    // Held from reading snapshots to writing them, so two writing runs do not interleave.
    let _lock = if opts.accept || opts.prune {
        Some(snapshot::WriteLock::acquire(&opts.root)?)
    } else {
        None
    };
    let mut results = collect(opts)?;
    let written = if opts.accept {
        accept(&mut results)?
    } else {
        0
    };
    if opts.prune {
        prune(&mut results)?;
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = std::io::stdout().lock();
    match opts.format {
        Format::Text => {
            out.write_all(render_text(&results, color, written).as_bytes())?;
        }
        Format::Json => {
            writeln!(out, "{}", render_json(&results))?;
            for why in results.errors() {
                eprintln!("error: {why}");
            }
            eprintln!("{}", results.summary());
        }
        Format::Junit => {
            out.write_all(render_junit(&results).as_bytes())?;
            for why in results.errors() {
                eprintln!("error: {why}");
            }
            eprintln!("{}", results.summary());
        }
    }
    out.flush()?;
    Ok(results.ok())
}

/// Prints one scenario's full report with its trace, its problems and its snapshot state.
pub fn explain(opts: &Options, name: &str) -> anyhow::Result<bool> {
    let (suite_part, name_part) = match name.split_once('/') {
        Some((s, n)) => (Some(s), n),
        None => (None, name),
    };
    let mut o = opts.clone();
    o.filter = None;
    o.scenarios.clear();
    if let Some(s) = suite_part {
        o.suites = vec![s.to_owned()];
    }
    let results = collect(&o)?;
    let matches: Vec<&ScenarioResult> = results
        .scenarios
        .iter()
        .filter(|s| s.name == name_part)
        .collect();
    let s = match matches.as_slice() {
        [one] => *one,
        [] => {
            let known: Vec<String> = results.scenarios.iter().map(ScenarioResult::id).collect();
            let hint = known
                .iter()
                .find(|k| k.contains(name_part))
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            bail!(
                "no scenario `{name}` in {} suites{hint}",
                results.suites.len()
            );
        }
        many => {
            let ids: Vec<String> = many.iter().map(|s| format!("`{}`", s.id())).collect();
            bail!(
                "scenario `{name}` is in several suites ({}); name it as `SUITE/NAME`",
                ids.join(", ")
            );
        }
    };
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "# {} ({}:{}), rule set {}",
        s.id(),
        s.file,
        s.line,
        s.rule_set
    )?;
    if let Some(report) = &s.report {
        writeln!(out)?;
        out.write_all(terminal_safe(report).as_bytes())?;
    }
    if !s.problems.is_empty() {
        writeln!(out, "\n== problems")?;
        for p in &s.problems {
            writeln!(out, "{}", terminal_safe(p))?;
        }
    }
    let snap = match &s.snapshot {
        SnapshotState::Matched => "matches".to_owned(),
        SnapshotState::New { .. } => "missing (run with `--accept` to write it)".to_owned(),
        SnapshotState::Changed { .. } => {
            "differs from this report (run without `--explain` for the diff)".to_owned()
        }
        SnapshotState::Unreadable { reason } => {
            format!("unusable ({reason}); run with `--accept` to rewrite it")
        }
        SnapshotState::Written { .. } | SnapshotState::NotCompared => "not compared".to_owned(),
    };
    writeln!(out, "\nsnapshot {}: {snap}", s.snapshot_label)?;
    Ok(s.passed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_substrings_and_wildcards() {
        assert!(selected(None, "enc", "sse_kms"));
        assert!(selected(Some("kms"), "enc", "sse_kms"));
        assert!(selected(Some("enc/"), "enc", "sse_kms"));
        assert!(selected(Some("enc/*kms"), "enc", "sse_kms"));
        assert!(!selected(Some("enc/*s3"), "enc", "sse_kms"));
        assert!(!selected(Some("faults"), "enc", "sse_kms"));
    }

    #[test]
    fn a_panic_is_contained_with_its_message() {
        assert_eq!(contained(|| 1), Ok(1));
        let cause = contained(|| -> u8 { panic!("clock overflow at {}", 7) }).unwrap_err();
        assert_eq!(cause, "clock overflow at 7");
    }
}
