//! The configuration a scenario tested, in a form one deploys: AWS CLI inputs and a script,
//! CloudFormation templates, or Terraform for the aws provider.
//!
//! Export takes a validated scenario, runs it, and refuses it when an expectation fails: what is
//! exported is a configuration whose outcome the scenario holds. Real names, ids, aliases, role
//! paths and account ids come from the scenario; every value a deployment needs that the
//! scenario does not hold (KMS picks key ids at `CreateKey`, a bucket name derived from a
//! scenario name) is said in the output's `README.md`.
//!
//! ```
//! use replication_export::{Format, export};
//! let specs = replication_dsl::validate_suite("demo.scenario", r#"
//!     /// One versioned bucket.
//!     lonely {
//!         account prod = 111122223333;
//!         bucket logs = s3(prod, "us-east-1") { name: "acme-logs", versioning };
//!     }
//! "#).unwrap();
//! let out = export(&specs[0], Format::Terraform).unwrap();
//! assert!(out.files()["main.tf"].contains(r#"bucket = "acme-logs""#));
//! ```

#![warn(missing_docs)]

mod aws_cli;
mod cloudformation;
mod hcl;
mod plan;
mod terraform;
mod write;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use replication_model::{RunConfig, ValidSpec};

pub use write::MARKER;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// `--cli-input-json` files for each AWS CLI call, and `deploy.sh` that runs them in order.
    AwsCli,
    /// One CloudFormation template per stack (account, Region and layer), with the deploy order.
    CloudFormation,
    /// Terraform for the aws provider, one provider alias per account and Region.
    Terraform,
}

impl Format {
    /// Every format.
    pub const ALL: &'static [Format] = &[Format::AwsCli, Format::CloudFormation, Format::Terraform];

    /// The spelling on the command line (`--format aws-cli`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::AwsCli => "aws-cli",
            Format::CloudFormation => "cloudformation",
            Format::Terraform => "terraform",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = ExportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| ExportError::UnknownFormat {
                given: s.to_owned(),
            })
    }
}

/// Why a scenario was not exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// `--format` names no format.
    #[error("unknown format `{given}`; use aws-cli, cloudformation or terraform")]
    UnknownFormat {
        /// What was given.
        given: String,
    },
    /// The scenario file could not be read.
    #[error("cannot read `{path}`: {message}")]
    Read {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The file (or the chosen scenario) does not parse or validate.
    #[error("`{file}` does not validate; fix these first:\n{}", diagnostics.join("\n"))]
    Invalid {
        /// The file.
        file: String,
        /// Every problem, as `file:line:col: message`.
        diagnostics: Vec<String>,
    },
    /// The file holds no scenario.
    #[error("`{file}` holds no scenario")]
    NoScenario {
        /// The file.
        file: String,
    },
    /// The file holds several scenarios and none was chosen.
    #[error("`{file}` holds {} scenarios; choose one with `--scenario NAME`: {}", names.len(), names.join(", "))]
    ChooseScenario {
        /// The file.
        file: String,
        /// The scenarios it holds.
        names: Vec<String>,
    },
    /// `--scenario` names no scenario of the file.
    #[error("`{file}` has no scenario `{given}`; it has {}", names.join(", "))]
    UnknownScenario {
        /// The file.
        file: String,
        /// What was given.
        given: String,
        /// The scenarios it holds.
        names: Vec<String>,
    },
    /// The run failed.
    #[error("scenario `{scenario}` did not run: {message}")]
    Run {
        /// The scenario.
        scenario: String,
        /// What went wrong.
        message: String,
    },
    /// An expectation of the scenario does not hold, so its configuration is not the one tested.
    #[error("scenario `{scenario}` is not exported: {} of its expectations fail, so its configuration does not do what it says; fix the scenario or its expectations first:\n{}", failures.len(), failures.join("\n"))]
    ExpectationsFail {
        /// The scenario.
        scenario: String,
        /// Each failing expectation: `step N: expected ..., found ...`.
        failures: Vec<String>,
    },
    /// The scenario holds something no deployment can create.
    #[error("scenario `{scenario}` cannot be exported as {format}:\n{}", problems.join("\n"))]
    Unsupported {
        /// The scenario.
        scenario: String,
        /// The format (or `any format`).
        format: String,
        /// Each problem, with what to change.
        problems: Vec<String>,
    },
    /// The output directory could not be written.
    #[error("cannot write `{path}`: {message}")]
    Write {
        /// The path.
        path: String,
        /// What went wrong, and what to do.
        message: String,
    },
}

/// The files of one export, by path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    scenario: String,
    format: Format,
    files: BTreeMap<String, String>,
}

impl Export {
    /// The exported scenario's name.
    pub fn scenario(&self) -> &str {
        &self.scenario
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Every file, by path relative to the output directory (`/`-separated).
    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }

    /// Writes the files into `out` as a whole: into a new directory beside it, renamed into
    /// place once complete, so `out` never holds a partial export. An `out` that exists is
    /// replaced only if an earlier export wrote it (it holds [`MARKER`]).
    ///
    /// # Errors
    /// [`ExportError::Write`] when `out` exists and is not an export, or on an I/O error.
    pub fn write_to(&self, out: &Path) -> Result<(), ExportError> {
        write::atomically(out, &self.files)
    }
}

/// Runs a validated scenario and, if every expectation holds, exports its configuration.
///
/// # Errors
/// [`ExportError::ExpectationsFail`] naming each failing expectation,
/// [`ExportError::Unsupported`] for what no deployment creates, [`ExportError::Run`].
pub fn export(valid: &ValidSpec, format: Format) -> Result<Export, ExportError> {
    let name = valid.spec().name.clone();
    let config = RunConfig {
        trace: false,
        threads: 1,
    };
    let outcome = replication_model::run_with(valid, config).map_err(|e| ExportError::Run {
        scenario: name.clone(),
        message: e.to_string(),
    })?;
    let failures: Vec<String> = outcome
        .failed_expectations()
        .map(ToString::to_string)
        .collect();
    if !failures.is_empty() {
        return Err(ExportError::ExpectationsFail {
            scenario: name,
            failures,
        });
    }
    let plan = plan::Plan::of(valid)?;
    let mut files = match format {
        Format::AwsCli => aws_cli::render(&plan),
        Format::CloudFormation => cloudformation::render(&plan)?,
        Format::Terraform => terraform::render(&plan),
    };
    files.insert(
        MARKER.to_owned(),
        format!(
            "written by `cargo xtask export`: scenario {name}, format {format}; the next export into this directory replaces it\n"
        ),
    );
    Ok(Export {
        scenario: name,
        format,
        files,
    })
}

/// Reads a scenario file and picks one scenario: the one named, or the only one.
///
/// `label` names the file in diagnostics and must lead to it from the current directory (the
/// DSL reads `json_file` policies next to it).
///
/// # Errors
/// [`ExportError::Read`], [`ExportError::Invalid`] with every located problem, or a scenario
/// choice that does not work.
pub fn load(path: &Path, label: &str, scenario: Option<&str>) -> Result<ValidSpec, ExportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ExportError::Read {
        path: label.to_owned(),
        message: e.to_string(),
    })?;
    let suite = replication_dsl::check_suite(label, &text);
    let outside: Vec<String> = suite.errors.iter().map(ToString::to_string).collect();
    if !outside.is_empty() {
        return Err(ExportError::Invalid {
            file: label.to_owned(),
            diagnostics: outside,
        });
    }
    let names: Vec<String> = suite.scenarios.iter().map(|s| s.name.clone()).collect();
    let chosen = match scenario {
        Some(given) => suite
            .scenarios
            .into_iter()
            .find(|s| s.name == given)
            .ok_or_else(|| ExportError::UnknownScenario {
                file: label.to_owned(),
                given: given.to_owned(),
                names: names.clone(),
            })?,
        None => {
            if names.len() > 1 {
                return Err(ExportError::ChooseScenario {
                    file: label.to_owned(),
                    names,
                });
            }
            suite
                .scenarios
                .into_iter()
                .next()
                .ok_or_else(|| ExportError::NoScenario {
                    file: label.to_owned(),
                })?
        }
    };
    chosen.result.map_err(|diags| ExportError::Invalid {
        file: label.to_owned(),
        diagnostics: diags.iter().map(ToString::to_string).collect(),
    })
}

/// One scenario of the shipped suites, and whether it exports.
#[derive(Debug)]
pub struct Shipped {
    /// The scenario file, relative to the workspace root (`scenarios/real_account/x.scenario`).
    pub file: String,
    /// The scenario's name.
    pub scenario: String,
    /// The validated scenario, or why it does not validate.
    pub valid: Result<ValidSpec, ExportError>,
}

/// Every scenario of every suite under `root/scenarios` (folders not starting with `_`, as the
/// runner finds them), in path and file order.
///
/// # Errors
/// [`ExportError::Read`] when the folder cannot be listed.
pub fn shipped(root: &Path) -> Result<Vec<Shipped>, ExportError> {
    let dir = root.join("scenarios");
    let read_dir = |d: &Path| {
        std::fs::read_dir(d)
            .map_err(|e| ExportError::Read {
                path: d.display().to_string(),
                message: e.to_string(),
            })
            .map(|entries| {
                let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
                paths.sort();
                paths
            })
    };
    let mut out = Vec::new();
    for suite in read_dir(&dir)? {
        let skip = suite
            .file_name()
            .is_none_or(|n| n.to_string_lossy().starts_with(['_', '.']));
        if skip || !suite.is_dir() {
            continue;
        }
        for file in read_dir(&suite)? {
            if file.extension().is_none_or(|e| e != "scenario") {
                continue;
            }
            let rel = file
                .strip_prefix(root)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&file).map_err(|e| ExportError::Read {
                path: rel.clone(),
                message: e.to_string(),
            })?;
            // `json_file` paths are relative to the file, so the label must lead to it.
            let label = file.to_string_lossy().into_owned();
            let suite_check = replication_dsl::check_suite(&label, &text);
            for s in suite_check.scenarios {
                out.push(Shipped {
                    file: rel.clone(),
                    scenario: s.name.clone(),
                    valid: s.result.map_err(|diags| ExportError::Invalid {
                        file: rel.clone(),
                        diagnostics: diags.iter().map(ToString::to_string).collect(),
                    }),
                });
            }
        }
    }
    Ok(out)
}
