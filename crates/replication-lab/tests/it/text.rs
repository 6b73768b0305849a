//! Behaviour tests written as scenario text: the working setups the model's tests start from,
//! lowered through the DSL's runtime entry point, validated and run, with typed outcomes to
//! assert on. Each test changes a setup in one place, so it shows the one fact it checks.

use replication_lab::model::spec::ScenarioSpec;
use replication_lab::model::{ObjectRow, Outcome, Problem};

/// One account, SSE-KMS source in us-east-1, destination in eu-west-1, a rule `to_dest` that
/// opts in to SSE-KMS objects with metrics on, under `exam_guide`. The role's identity policy
/// `replication` has one statement per action, its Sid the action's name ([U-PERM]); the KMS
/// statements are `DecryptSource` and `EncryptReplica` ([U-KMSREPL]).
pub fn kms_cross_region() -> Setup {
    Setup {
        text: r#"
        rules exam_guide;
        account prod = 111122223333;
        key src_key = kms(prod, "us-east-1");
        key dst_key = kms(prod, "eu-west-1");
        bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(src_key) };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust [s3, batchoperations];
            policy replication {
                sid GetReplicationConfiguration allow s3:GetReplicationConfiguration on source;
                sid ListBucket allow s3:ListBucket on source;
                sid GetObjectVersionForReplication allow s3:GetObjectVersionForReplication on source/"*";
                sid GetObjectVersionAcl allow s3:GetObjectVersionAcl on source/"*";
                sid GetObjectVersionTagging allow s3:GetObjectVersionTagging on source/"*";
                sid ReplicateObject allow s3:ReplicateObject on target/"*";
                sid ReplicateDelete allow s3:ReplicateDelete on target/"*";
                sid ReplicateTags allow s3:ReplicateTags on target/"*";
                sid DecryptSource allow kms:Decrypt on src_key;
                sid EncryptReplica allow kms:Encrypt on dst_key;
            };
        };
        replication source via replicator {
            rule to_dest {
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target,
                replica_kms_key: dst_key, sse_kms_encrypted_objects, metrics: Enabled(none),
            };
        };
"#
        .to_owned(),
    }
}

/// The same buckets, keys and role without KMS on the path: an SSE-S3 source and a rule
/// without `ReplicaKmsKeyID`.
pub fn sse_s3() -> Setup {
    kms_cross_region()
        .edit(
            "{ versioning, encryption: sse_kms(src_key) }",
            "{ versioning }",
        )
        .edit(
            "replica_kms_key: dst_key, sse_kms_encrypted_objects, metrics",
            "metrics",
        )
}

/// A scenario's text before its steps, changed one place at a time.
#[derive(Debug, Clone)]
pub struct Setup {
    text: String,
}

impl Setup {
    /// Replaces the one occurrence of `from`.
    #[must_use]
    pub fn edit(self, from: &str, to: &str) -> Self {
        assert_eq!(
            self.text.matches(from).count(),
            1,
            "`{from}` is not in the setup exactly once:\n{}",
            self.text
        );
        Setup {
            text: self.text.replacen(from, to, 1),
        }
    }

    /// Adds text before `anchor`, which must be in the setup once.
    #[must_use]
    pub fn insert_before(self, anchor: &str, text: &str) -> Self {
        self.edit(anchor, &format!("{text}\n{anchor}"))
    }

    /// Removes the statement with this Sid from the role's identity policy.
    #[must_use]
    pub fn without(self, sid: &str) -> Self {
        let line = self
            .text
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("sid {sid} ")))
            .unwrap_or_else(|| panic!("no statement `{sid}` in the setup"))
            .to_owned();
        self.edit(&format!("{line}\n"), "")
    }

    /// The scenario: the setup, then `steps`.
    pub fn then(&self, steps: &str) -> String {
        format!(
            "/// A behaviour test.\nunder_test {{\n{}\n{steps}\n}}\n",
            self.text
        )
    }
}

/// The spec the DSL lowers `text` to (its one scenario); panics with every diagnostic.
pub fn lower(text: &str) -> ScenarioSpec {
    let mut specs = replication_dsl::parse_suite("under_test.scenario", text).unwrap_or_else(|d| {
        panic!(
            "{}\n{text}",
            d.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert_eq!(specs.len(), 1, "one scenario per text");
    specs.remove(0)
}

/// Validates and runs `text`; panics unless every expectation held.
pub fn run(text: &str) -> Outcome {
    let out = run_raw(text);
    let failed: Vec<String> = out
        .failed_expectations()
        .map(|e| e.located(Some("under_test.scenario")).to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "{}\n\n{}\n\n{text}",
        failed.join("\n"),
        out.report()
    );
    out
}

/// Validates and runs `text` without judging its expectations.
pub fn run_raw(text: &str) -> Outcome {
    let valid = replication_lab::validate(lower(text)).unwrap_or_else(|problems| {
        panic!(
            "scenario is invalid:\n{}\n{text}",
            problems
                .iter()
                .map(|p| format!("{:?}: {}", p.locus, p.message))
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    replication_lab::run(&valid).expect("the OS random generator works")
}

/// The one problem validation finds in `text`.
pub fn problem(text: &str) -> Problem {
    let mut problems = replication_lab::validate(lower(text)).expect_err("the scenario is invalid");
    assert_eq!(
        problems.len(),
        1,
        "expected exactly one problem, got {problems:#?}"
    );
    problems.remove(0)
}

/// Every version of `bucket/key`, oldest first.
pub fn versions(out: &Outcome, bucket: &str, key: &str) -> Vec<ObjectRow> {
    out.objects()
        .into_iter()
        .filter(|r| r.bucket == bucket && r.key == key)
        .collect()
}

/// The current version of `bucket/key`.
pub fn row(out: &Outcome, bucket: &str, key: &str) -> ObjectRow {
    versions(out, bucket, key)
        .pop()
        .unwrap_or_else(|| panic!("no object `{bucket}/{key}`\n\n{}", out.report()))
}
