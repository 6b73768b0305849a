//! `cargo xtask import DIR`: a directory of AWS CLI outputs for one or more accounts becomes a
//! scenario that reproduces the setup with its real names, plus one probe upload per encryption
//! type each source bucket can receive; the scenario is checked and run, and each probe's
//! outcome (replicated, failed with S3's reason and the fix, or not replicated and why) comes
//! back typed.
//!
//! The passes, one file each: `layout` (which file is which document; the `aws` command for
//! each), `read` (every document through `replication_dsl::aws_json` or
//! `replication_policy::Document`), `plan` (identifiers, and every reference resolved inside the
//! directory), `render` (the scenario text), `probe` (the probes and their outcomes). Every
//! problem of every pass is returned at once, each at `file:line:col` with the fix; nothing is
//! written unless the whole import succeeds ([`write_scenario`] replaces the file by rename).
//!
//! ```no_run
//! use replication_import::{ImportConfig, import, write_scenario};
//! let config = ImportConfig::new("examples/import/acme", "examples/import/acme.scenario");
//! match import(&config) {
//!     Ok(imported) => {
//!         write_scenario(&config.out, &imported.text)?;
//!         print!("{}", imported.summary());
//!     }
//!     Err(problems) => problems.iter().for_each(|p| eprintln!("{p}")),
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

#![warn(missing_docs)]

mod layout;
mod names;
mod plan;
mod probe;
mod problem;
mod read;
mod render;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use replication_dsl::CheckConfig;
use replication_model::spec::{Item, Step};
use replication_model::{Outcome, ProblemKind as ModelProblem, ReplicationStatus, RunConfig};

pub use probe::{
    DestinationOutcome, DestinationResult, Probe, ProbeEncryption, ProbeOutcome, ProbeResult,
};
pub use problem::{ImportProblem, ProblemKind};

use plan::Plan;
use render::{Expected, RenderContext, SourceStatus};

/// What to import and where the scenario goes.
#[derive(Debug, Clone)]
pub struct ImportConfig {
    /// The directory of AWS CLI outputs.
    pub dir: PathBuf,
    /// How messages name the directory (the path as the user typed it).
    pub shown_as: PathBuf,
    /// The scenario file to write: `json_file` paths are relative to its folder, which must
    /// exist, and diagnostics in the generated text name it.
    pub out: PathBuf,
    /// The scenario's name; default: the directory's name as an identifier.
    pub name: Option<String>,
}

impl ImportConfig {
    /// Imports `dir` (named as given) into `out`, the scenario named after the directory.
    pub fn new(dir: impl Into<PathBuf>, out: impl Into<PathBuf>) -> ImportConfig {
        let dir = dir.into();
        ImportConfig {
            shown_as: dir.clone(),
            dir,
            out: out.into(),
            name: None,
        }
    }
}

/// A successful import.
#[derive(Debug)]
pub struct Imported {
    /// The scenario's name.
    pub name: String,
    /// The scenario file's text.
    pub text: String,
    /// Per replicating bucket (S3 name), the code S3 refused its configuration with, if it did.
    pub configurations: Vec<(String, Option<String>)>,
    /// Every probe and what became of it.
    pub probes: Vec<ProbeResult>,
    /// The run's report.
    pub report: String,
}

/// Reads `config.dir`, writes nothing, and returns the scenario and its probe results, or every
/// problem found.
pub fn import(config: &ImportConfig) -> Result<Imported, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let layout = layout::walk(&config.dir, &config.shown_as, &mut problems);
    let mut reader = read::Reader {
        root: &config.dir,
        shown: &config.shown_as,
        problems,
    };
    let inventory = read::read(&layout, &mut reader);
    let mut problems = reader.problems;
    let plan = plan::plan(&inventory, &config.shown_as, &mut problems);
    if !problems.is_empty() {
        problems.sort();
        problems.dedup();
        return Err(problems);
    }
    let abs_root = canonical(&config.dir, &config.shown_as)?;
    let out_parent = match config.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let out_dir = canonical(&out_parent, &out_parent)?;
    let name = match &config.name {
        Some(n) => n.clone(),
        None => {
            let base = abs_root.file_name().map_or_else(
                || "imported".to_owned(),
                |n| n.to_string_lossy().into_owned(),
            );
            names::Idents::default().make(&base, "imported")
        }
    };
    let cx = RenderContext {
        name: &name,
        shown_root: &config.shown_as,
        abs_root: &abs_root,
        out_dir: &out_dir,
    };
    Pipeline {
        plan: &plan,
        probes: probe::probes(&plan),
        cx: &cx,
        label: config.out.display().to_string(),
    }
    .run()
}

/// Writes `text` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees half a scenario and a failed write leaves the old file.
pub fn write_scenario(path: &Path, text: &str) -> std::io::Result<()> {
    let file_name = path.file_name().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the output path names no file",
        )
    })?;
    let tmp = path.with_file_name(format!(
        ".{}.{}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn canonical(path: &Path, shown: &Path) -> Result<PathBuf, Vec<ImportProblem>> {
    std::fs::canonicalize(path).map_err(|e| {
        vec![ImportProblem::file(
            ProblemKind::Layout,
            shown,
            format!("cannot be found ({}); check the path", e.kind()),
        )]
    })
}

struct Pipeline<'a> {
    plan: &'a Plan<'a>,
    probes: Vec<Probe>,
    cx: &'a RenderContext<'a>,
    label: String,
}

impl Pipeline<'_> {
    /// Three renderings: the setup alone, to learn which calls S3 refuses; with those refusals
    /// expected, to run the probes; with every outcome expected, run once more to check that
    /// the file says what the run does.
    fn run(self) -> Result<Imported, Vec<ImportProblem>> {
        let first = render::render(self.plan, &self.probes, &[], self.cx);
        let refusals = self.refusals(&first)?;
        let mut expected: Vec<Expected> = refusals.clone();
        let second = render::render(self.plan, &self.probes, &expected, self.cx);
        let outcome = self.check_and_run(&second)?;
        let rejected: Vec<(usize, String)> = refusals
            .iter()
            .filter_map(|e| match e {
                Expected::UploadRejected { probe, code } => Some((*probe, code.clone())),
                _ => None,
            })
            .collect();
        let results = probe::outcomes(self.plan, &self.probes, &rejected, &outcome);
        for (i, r) in results.iter().enumerate() {
            if matches!(r.outcome, ProbeOutcome::UploadRejected { .. }) {
                continue;
            }
            let status = match probe::source_status(&outcome, &r.probe) {
                Some(ReplicationStatus::Completed) => SourceStatus::Completed,
                Some(ReplicationStatus::Pending) => SourceStatus::Pending,
                Some(ReplicationStatus::Failed) => {
                    let reason = outcome
                        .objects()
                        .into_iter()
                        .find(|o| o.bucket == r.probe.bucket_ident && o.key == r.probe.key)
                        .and_then(|o| o.failure_reason);
                    match reason {
                        Some(reason) => SourceStatus::Failed(reason),
                        None => SourceStatus::NotReplicated,
                    }
                }
                Some(ReplicationStatus::Replica) | None => SourceStatus::NotReplicated,
            };
            expected.push(Expected::Source { probe: i, status });
            if let ProbeOutcome::Replicated(dests) = &r.outcome {
                for d in dests
                    .iter()
                    .filter(|d| d.result == DestinationResult::Completed)
                {
                    expected.push(Expected::Replica {
                        probe: i,
                        bucket: d.destination.clone(),
                    });
                }
            }
        }
        let text = render::render(self.plan, &self.probes, &expected, self.cx);
        let last = self.check_and_run(&text)?;
        if let Some(failed) = last.failed_expectations().next() {
            return Err(vec![self.scenario_problem(None, format!(
                "the generated scenario does not repeat its own run; report this as a bug: {failed}"
            ))]);
        }
        let configurations = self
            .plan
            .buckets
            .iter()
            .filter(|b| b.bucket.replication.is_some())
            .map(|b| {
                let code = refusals.iter().find_map(|e| match e {
                    Expected::ConfigurationRejected { bucket, code } if *bucket == b.ident => {
                        Some(code.clone())
                    }
                    _ => None,
                });
                (b.bucket.name.clone(), code)
            })
            .collect();
        Ok(Imported {
            name: self.cx.name.to_owned(),
            text,
            configurations,
            probes: results,
            report: last.report().to_owned(),
        })
    }

    /// The calls S3 refuses (a configuration, a probe upload), found by validating the setup
    /// alone; any other problem means the directory describes something the simulator cannot
    /// take, reported at the generated line.
    fn refusals(&self, text: &str) -> Result<Vec<Expected>, Vec<ImportProblem>> {
        let specs = replication_dsl::parse_suite(&self.label, text)
            .map_err(|d| self.diagnostics(text, d))?;
        let Some(spec) = specs.into_iter().next() else {
            return Err(vec![self.scenario_problem(
                None,
                "the generated text holds no scenario; report this as a bug".to_owned(),
            )]);
        };
        let steps = spec.steps.clone();
        let problems = match replication_model::validate(spec) {
            Ok(_) => return Ok(Vec::new()),
            Err(p) => p,
        };
        let mut refusals = Vec::new();
        let mut other = false;
        for p in problems {
            let (ModelProblem::Rejected { code }, Item::Step(idx)) = (&p.kind, &p.locus.item)
            else {
                other = true;
                continue;
            };
            match steps.get(*idx) {
                Some(Step::PutBucketReplication(r)) => {
                    refusals.push(Expected::ConfigurationRejected {
                        bucket: r.bucket.clone(),
                        code: code.clone(),
                    })
                }
                Some(Step::PutObject(put)) => {
                    match self
                        .probes
                        .iter()
                        .position(|pr| pr.bucket_ident == put.bucket && pr.key == put.key)
                    {
                        Some(i) => refusals.push(Expected::UploadRejected {
                            probe: i,
                            code: code.clone(),
                        }),
                        None => other = true,
                    }
                }
                _ => other = true,
            }
        }
        if other {
            // With the refusals expected, what the check still reports is the rest.
            let text = render::render(self.plan, &self.probes, &refusals, self.cx);
            let check =
                replication_dsl::check_suite_with(&self.label, &text, &CheckConfig::default());
            return Err(self.diagnostics(&text, check.diagnostics()));
        }
        Ok(refusals)
    }

    fn check_and_run(&self, text: &str) -> Result<Outcome, Vec<ImportProblem>> {
        let check = replication_dsl::check_suite_with(&self.label, text, &CheckConfig::default());
        let diags = check.diagnostics();
        if !diags.is_empty() {
            return Err(self.diagnostics(text, diags));
        }
        let valid = check
            .scenarios
            .into_iter()
            .next()
            .and_then(|s| s.result.ok())
            .ok_or_else(|| {
                vec![self.scenario_problem(
                    None,
                    "the generated text holds no scenario; report this as a bug".to_owned(),
                )]
            })?;
        replication_model::run_with(&valid, RunConfig::default())
            .map_err(|e| vec![self.scenario_problem(None, format!("the run stopped: {e}"))])
    }

    fn diagnostics(
        &self,
        text: &str,
        diags: Vec<replication_dsl::Diagnostic>,
    ) -> Vec<ImportProblem> {
        diags
            .into_iter()
            .map(|d| {
                let line = text
                    .lines()
                    .nth(d.line.saturating_sub(1))
                    .unwrap_or("")
                    .trim();
                self.scenario_problem(
                    Some((d.line, d.column)),
                    format!("{} (in the generated line `{line}`)", d.message),
                )
            })
            .collect()
    }

    fn scenario_problem(&self, at: Option<(usize, usize)>, message: String) -> ImportProblem {
        ImportProblem {
            file: PathBuf::from(&self.label),
            at,
            kind: ProblemKind::Scenario,
            message,
        }
    }
}

impl Imported {
    /// Per source bucket and encryption type: what replicates, what fails with the fix, and
    /// what S3 refuses, as plain text.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for (bucket, refused) in &self.configurations {
            let _ = writeln!(out, "{bucket}:");
            if let Some(code) = refused {
                let _ = writeln!(
                    out,
                    "  PutBucketReplication is refused with {code}: nothing replicates (see the report)"
                );
            }
            for r in self.probes.iter().filter(|r| r.probe.bucket == *bucket) {
                let p = &r.probe;
                let head = format!("  {:<8} rule `{}`", p.encryption.as_str(), p.rule);
                match &r.outcome {
                    ProbeOutcome::UploadRejected { code } => {
                        let _ = writeln!(out, "{head}: upload refused with {code}");
                    }
                    ProbeOutcome::NotReplicated { skipped } if skipped.is_empty() => {
                        let _ = writeln!(out, "{head}: not replicated");
                    }
                    ProbeOutcome::NotReplicated { skipped } => {
                        for s in skipped {
                            let _ = writeln!(out, "{head}: not replicated: {s}");
                        }
                    }
                    ProbeOutcome::Replicated(dests) => {
                        for d in dests {
                            match &d.result {
                                DestinationResult::Completed => {
                                    let _ = writeln!(out, "{head} -> {}: replicates", d.bucket);
                                }
                                DestinationResult::Failed { reason, fix } => {
                                    let _ = writeln!(
                                        out,
                                        "{head} -> {}: FAILED {reason}; fix: {fix}",
                                        d.bucket
                                    );
                                }
                                DestinationResult::Pending { why } => {
                                    let _ = writeln!(
                                        out,
                                        "{head} -> {}: stays PENDING: {why}",
                                        d.bucket
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }
}
