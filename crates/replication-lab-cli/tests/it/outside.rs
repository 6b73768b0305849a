//! Runs the built binary in a temporary repository with no Cargo workspace, as `cargo install`
//! leaves it on a user's `PATH`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A scenario that passes: SSE-S3 objects replicate with a role that has the S3 permissions.
pub const PASSING: &str = r#"/// SSE-S3 objects replicate with the role's S3 permissions alone.
dr_copy {
    account prod = 111122223333;
    bucket source = s3(prod, "us-east-1") { versioning };
    bucket target = s3(prod, "eu-west-1") { versioning };
    role replicator = iam(prod) {
        trust s3;
        allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
        allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
        allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
    };
    replication source via replicator {
        rule to_eu { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
    };
    put source "a.csv" = 4 KiB;
    replicate;
    expect source "a.csv" COMPLETED;
    expect target "a.csv" REPLICA;
}
"#;

/// A temporary repository holding `scenarios/<suite>/<file>`, removed when dropped.
pub struct Repo(PathBuf);

impl Repo {
    pub fn new(tag: &str, files: &[(&str, &str)]) -> Repo {
        let dir =
            std::env::temp_dir().join(format!("replication-lab-cli-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, text) in files {
            let path = dir.join("scenarios").join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Repo(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the binary in `cwd` with `args`, without color.
pub fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_replication-lab"))
        .current_dir(cwd)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// From a folder nested deep in a repository without any Cargo workspace, the binary finds
/// `scenarios/`, reports the new snapshot, writes it with `--accept` into that repository, and
/// then passes.
#[test]
fn runs_suites_of_a_repository_that_is_not_this_workspace() {
    let repo = Repo::new("nested", &[("dr/dr.scenario", PASSING)]);
    let nested = repo.path().join("terraform/modules/s3");
    std::fs::create_dir_all(&nested).unwrap();

    let first = run(&nested, &[]);
    let out = stdout(&first);
    assert!(
        out.starts_with("running 1 scenario from 1 suite\n"),
        "{out}"
    );
    assert!(
        out.contains("new snapshot: scenarios/dr/snapshots/dr_copy.snap"),
        "{out}"
    );
    // A passing scenario without a snapshot is new, not failed; under CI=true it fails.
    assert_eq!(first.status.code(), Some(0), "{out}");
    assert!(out.ends_with("\n0 passed, 0 failed, 1 new\n"), "{out}");
    let ci = Command::new(env!("CARGO_BIN_EXE_replication-lab"))
        .current_dir(&nested)
        .env("NO_COLOR", "1")
        .env("CI", "true")
        .output()
        .unwrap();
    assert_eq!(ci.status.code(), Some(1), "{}", stdout(&ci));
    assert!(
        stdout(&ci).contains("error: 1 new snapshot fails under CI=true, as insta does"),
        "{}",
        stdout(&ci)
    );
    assert!(!repo.path().join("scenarios/dr/snapshots").exists());

    let accepted = run(&nested, &["--accept"]);
    assert_eq!(accepted.status.code(), Some(0), "{}", stdout(&accepted));
    let snap = repo.path().join("scenarios/dr/snapshots/dr_copy.snap");
    let text = std::fs::read_to_string(&snap).unwrap();
    assert!(
        text.contains("input_file: scenarios/dr/dr.scenario\n"),
        "{text}"
    );
    assert!(
        text.contains("source/a.csv v1: 4096 bytes, SSE-S3; COMPLETED"),
        "{text}"
    );

    let again = run(&nested, &[]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    assert!(
        stdout(&again).ends_with("\n1 passed, 0 failed, 0 new\n"),
        "{}",
        stdout(&again)
    );
}

/// `--root` names the folder of suites from anywhere; without it, a folder with no `scenarios/`
/// above it is a usage error (exit 2) that says what to do.
#[test]
fn root_is_given_or_the_error_says_how() {
    let repo = Repo::new("root", &[("dr/dr.scenario", PASSING)]);
    let elsewhere = std::env::temp_dir();
    let root = repo.path().join("scenarios");
    let out = run(
        &elsewhere,
        &["--root", root.to_str().unwrap(), "--explain", "dr/dr_copy"],
    );
    assert!(
        stdout(&out).starts_with("# dr/dr_copy (scenarios/dr/dr.scenario:2), rule set aws_2026\n"),
        "{}",
        stdout(&out)
    );

    let bare = Repo::new("bare", &[]);
    std::fs::create_dir_all(bare.path()).unwrap();
    let out = run(bare.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no `scenarios/` folder at or above"), "{err}");
    assert!(err.contains("pass `--root DIR`"), "{err}");
}

/// `--help` prints the usage under the binary's own name and exits 0.
#[test]
fn help_names_the_binary() {
    let out = run(&std::env::temp_dir(), &["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("usage: replication-lab [SUITE...]"),
        "{text}"
    );
    assert!(text.contains("--explain NAME"), "{text}");
}

/// `--scenario suite/name` selects exactly that scenario, where `--filter` with the same text
/// also takes every name it is a part of; a name that selects nothing fails with the closest one.
#[test]
fn scenario_selects_exactly_where_filter_matches_parts() {
    let two = format!(
        "{PASSING}\n{}",
        PASSING.replace("dr_copy {", "dr_copy_2026 {")
    );
    let repo = Repo::new("select", &[("dr/dr.scenario", &two)]);
    let table = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.starts_with("dr/"))
            .map(|l| l.split_whitespace().next().unwrap().to_owned())
            .collect()
    };
    let filtered = run(repo.path(), &["--filter", "dr/dr_copy"]);
    assert_eq!(table(&stdout(&filtered)), ["dr/dr_copy", "dr/dr_copy_2026"]);
    let exact = run(repo.path(), &["--scenario", "dr/dr_copy"]);
    assert_eq!(table(&stdout(&exact)), ["dr/dr_copy"]);
    let both = run(
        repo.path(),
        &["--scenario", "dr/dr_copy", "--scenario=dr/dr_copy_2026"],
    );
    assert_eq!(table(&stdout(&both)), ["dr/dr_copy", "dr/dr_copy_2026"]);

    let typo = run(repo.path(), &["--scenario", "dr/dr_cpy"]);
    assert_eq!(typo.status.code(), Some(1));
    assert!(
        stdout(&typo)
            .contains("error: no scenario is named `dr/dr_cpy` (did you mean `dr/dr_copy`?)"),
        "{}",
        stdout(&typo)
    );
}
