//! The command line of `replication-lab` (and `cargo xtask scenarios`, which passes its arguments
//! through), parsed into [`Options`] by hand: the runner keeps its dependency list short.

use std::path::PathBuf;

use anyhow::{Context as _, bail};
use replication_model::spec::RuleSetName;

/// How results are printed on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// A table, diffs and the `N passed, N failed` line.
    #[default]
    Text,
    /// One JSON document.
    Json,
    /// A JUnit XML report, for CI systems that show test results.
    Junit,
}

/// Everything a run was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The folder holding one folder per suite.
    pub root: PathBuf,
    /// Suites to run, by name under `root` or as a path to a suite folder; empty runs every suite
    /// whose folder name does not start with `_` or `.`.
    pub suites: Vec<String>,
    /// Only scenarios whose `suite/name` contains this text (`*` matches any run of characters).
    pub filter: Option<String>,
    /// Only these scenarios, each named exactly as `suite/name` (`--scenario`, repeatable).
    pub scenarios: Vec<String>,
    /// A new snapshot fails the run, as insta does under `CI=true`; locally it is reported as
    /// `new` and the run passes.
    pub ci: bool,
    /// Write new and changed snapshots instead of failing on them.
    pub accept: bool,
    /// Delete snapshot files that no scenario of their suite claims.
    pub prune: bool,
    /// How results are printed.
    pub format: Format,
    /// Run every scenario under this rule set instead of the one it declares.
    pub rules: Option<RuleSetName>,
    /// Print one scenario's full report instead of running suites.
    pub explain: Option<String>,
}

impl Options {
    /// Every suite under `root`, text output, nothing written.
    pub fn new(root: PathBuf) -> Self {
        Options {
            root,
            suites: Vec::new(),
            filter: None,
            scenarios: Vec::new(),
            ci: false,
            accept: false,
            prune: false,
            format: Format::Text,
            rules: None,
            explain: None,
        }
    }
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run (or explain) scenarios.
    Run(Options),
    /// Print the usage text.
    Help,
}

/// The usage text, naming the command as `program` (`replication-lab`, `cargo xtask scenarios`).
pub fn usage(program: &str) -> String {
    let pad = " ".repeat(program.len());
    format!(
        "\
usage: {program} [SUITE...] [--filter PATTERN] [--scenario SUITE/NAME]... [--accept] [--prune]
       {pad} [--format text|json|junit] [--rules exam_guide|aws_2026] [--root DIR]
       {program} --explain [SUITE/]NAME [--rules exam_guide|aws_2026] [--root DIR]

Runs the scenario suites under scenarios/ (a folder per suite, scenario files `*.scenario`),
in parallel, compares each outcome report with scenarios/<suite>/snapshots/<name>.snap and
ends with `N passed, N failed, N new`. Folders starting with `_` or `.` run only when named.
A passing scenario without a snapshot yet counts as new: that passes, except under `CI=true`
(as insta does), where it fails until `--accept` writes the snapshot and it is committed.
Exits 0 when everything passed, 1 when a scenario failed or nothing ran, 2 on a usage error.

  SUITE               a suite name under the root, or a path to a suite folder
  --filter PATTERN    only scenarios whose `suite/name` contains PATTERN (`*` is a wildcard)
  --scenario ID       only the scenario named exactly `suite/name`; repeat for more (with
                      --filter, a scenario must match both)
  --accept            write new and changed snapshots (never for a scenario that fails otherwise)
  --prune             delete snapshots no scenario of their suite claims (not with --filter, and
                      not in a suite with a file that did not parse)
  --format FORMAT     text (default), json or junit on stdout
  --rules RULE_SET    run every scenario under RULE_SET; a scenario that declares another rule
                      set is compared with <name>@RULE_SET.snap (shown against <name>.snap
                      until accepted)
  --root DIR          the folder of suites (default: the nearest scenarios/ folder at or above
                      the current directory)
  --explain NAME      print one scenario's full report with its trace
  -h, --help          print this text
"
    )
}

/// Parses the arguments after `scenarios`. `default_root` is asked only when `--root` is absent,
/// so a run with `--root` works outside any checkout.
pub fn parse_args(
    args: &[String],
    default_root: impl FnOnce() -> anyhow::Result<PathBuf>,
) -> anyhow::Result<Command> {
    let mut opts = Options::new(PathBuf::new());
    let mut root = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |what: &str| -> anyhow::Result<String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => iter
                    .next()
                    .cloned()
                    .with_context(|| format!("`{flag}` needs {what}; see `--help`")),
            }
        };
        match flag {
            "-h" | "--help" => return Ok(Command::Help),
            "--accept" => opts.accept = true,
            "--prune" => opts.prune = true,
            "--filter" => opts.filter = Some(value("a pattern")?),
            "--scenario" => {
                let id = value("a scenario as `suite/name`")?;
                if id
                    .split_once('/')
                    .is_none_or(|(s, n)| s.is_empty() || n.is_empty() || n.contains('/'))
                {
                    bail!(
                        "`--scenario {id}` names no scenario; write it as `suite/name` (`--filter` matches parts of names)"
                    );
                }
                if !opts.scenarios.contains(&id) {
                    opts.scenarios.push(id);
                }
            }
            "--root" => root = Some(PathBuf::from(value("a folder")?)),
            "--explain" => opts.explain = Some(value("a scenario name")?),
            "--format" => {
                opts.format = match value("a format")?.as_str() {
                    "text" => Format::Text,
                    "json" => Format::Json,
                    "junit" => Format::Junit,
                    other => bail!("unknown format `{other}`; use `text`, `json` or `junit`"),
                }
            }
            "--rules" => opts.rules = Some(parse_rule_set(&value("a rule set")?)?),
            f if f.starts_with('-') => {
                bail!("unknown option `{f}`; see `--help`")
            }
            suite => opts.suites.push(suite.to_owned()),
        }
    }
    if opts.explain.is_some() && (opts.accept || opts.prune) {
        bail!("`--explain` prints a report and writes nothing; drop `--accept` and `--prune`");
    }
    if opts.prune && (opts.filter.is_some() || !opts.scenarios.is_empty()) {
        bail!(
            "`--prune` needs every scenario of a suite to know which snapshots are unused; drop `--filter` and `--scenario`"
        );
    }
    opts.root = match root {
        Some(r) => r,
        None => default_root()?,
    };
    Ok(Command::Run(opts))
}

/// A rule set by its name in scenarios.
pub fn parse_rule_set(name: &str) -> anyhow::Result<RuleSetName> {
    Ok(name.parse::<RuleSetName>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> anyhow::Result<Command> {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        parse_args(&args, || Ok(PathBuf::from("scenarios")))
    }

    #[test]
    fn every_option_is_read() {
        let Command::Run(o) = parse(&[
            "encryption",
            "--filter",
            "kms",
            "--accept",
            "--format=json",
            "--rules",
            "aws_2026",
            "faults",
        ])
        .unwrap() else {
            panic!("expected a run");
        };
        assert_eq!(o.suites, ["encryption", "faults"]);
        assert_eq!(o.filter.as_deref(), Some("kms"));
        assert!(o.accept);
        assert_eq!(o.format, Format::Json);
        assert_eq!(o.rules, Some(RuleSetName::Aws2026));
    }

    #[test]
    fn mistakes_say_the_fix() {
        assert!(
            parse(&["--format", "xml"])
                .unwrap_err()
                .to_string()
                .contains("`text`, `json` or `junit`")
        );
        assert!(
            parse(&["--rules", "aws"])
                .unwrap_err()
                .to_string()
                .contains("`exam_guide` or `aws_2026`")
        );
        assert!(
            parse(&["--filter"])
                .unwrap_err()
                .to_string()
                .contains("needs a pattern")
        );
        assert!(
            parse(&["--bogus"])
                .unwrap_err()
                .to_string()
                .contains("unknown option `--bogus`")
        );
        assert!(parse(&["--explain", "x", "--accept"]).is_err());
        assert!(parse(&["--explain", "x", "--prune"]).is_err());
        assert!(
            parse(&["--prune", "--filter", "kms"])
                .unwrap_err()
                .to_string()
                .contains("drop `--filter`")
        );
        let Command::Run(o) = parse(&["--prune"]).unwrap() else {
            panic!("expected a run");
        };
        assert!(o.prune && !o.accept);
        assert_eq!(parse(&["--help"]).unwrap(), Command::Help);
    }

    #[test]
    fn scenarios_are_named_exactly_and_repeatable() {
        let Command::Run(o) = parse(&[
            "--scenario",
            "dr/prod_to_dr",
            "--scenario=dr/prod_to_dr_2026",
            "--scenario",
            "dr/prod_to_dr",
        ])
        .unwrap() else {
            panic!("expected a run");
        };
        assert_eq!(o.scenarios, ["dr/prod_to_dr", "dr/prod_to_dr_2026"]);
        for bad in ["prod_to_dr", "dr/", "/x", "a/b/c"] {
            let err = parse(&["--scenario", bad]).unwrap_err().to_string();
            assert!(err.contains("write it as `suite/name`"), "{bad}: {err}");
        }
        assert!(parse(&["--prune", "--scenario", "a/b"]).is_err());
    }

    /// The usage text names every option the parser reads, so `--help` cannot fall behind.
    #[test]
    fn usage_names_every_option() {
        let text = usage("replication-lab");
        let source = include_str!("cli.rs");
        let parsed = source
            .split("match flag {")
            .nth(1)
            .and_then(|rest| rest.split("f if f.starts_with").next())
            .expect("the option match");
        let mut n_options = 0;
        for option in parsed.split('"').filter(|s| s.starts_with('-')) {
            assert!(
                text.contains(option),
                "`--help` does not mention `{option}`"
            );
            n_options += 1;
        }
        assert!(n_options >= 9, "only {n_options} options found");
        assert!(text.starts_with("usage: replication-lab [SUITE...]"));
        assert!(
            usage("cargo xtask scenarios").contains("\n       cargo xtask scenarios --explain")
        );
    }
}
