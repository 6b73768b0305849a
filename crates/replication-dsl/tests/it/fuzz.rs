//! Bad input of any shape gets a diagnostic, never a panic.
//!
//! Thousands of inputs are derived deterministically (a fixed-seed xorshift generator) from
//! valid scenarios: tokens deleted, duplicated, swapped or replaced by keywords, punctuation and
//! literals of the wrong kind; text truncated at random points; raw garbage. Each goes through
//! `validate_suite` under `catch_unwind`, and every scenario that validates is also run: a
//! scenario validation accepts must run to an outcome, never panic or break an invariant of the
//! model (`RunError::Internal`).

use std::panic::{AssertUnwindSafe, catch_unwind};

use replication_model::spec::{Body, Step};
use replication_model::{RunError, ValidSpec};

use super::grammar::KITCHEN_SINK;

const VALID: &str = r#"
/// A valid scenario to mutate.
sse_kms_cross_region {
    account prod = 111122223333;
    key src_key = kms(prod, "us-east-1");
    key dst_key = kms(prod, "eu-west-1");
    bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(src_key) };
    bucket target = s3(prod, "eu-west-1") { versioning };
    role replicator = iam(prod) {
        trust s3;
        allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
        allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl] on source/"*";
        allow [s3:ReplicateObject, s3:ReplicateDelete] on target/"*";
        allow kms:Decrypt on src_key;
        allow kms:Encrypt on dst_key;
    };
    replication source via replicator {
        rule to_eu { priority: 1, filter: prefix("reports/"), delete_marker_replication: Disabled, destination: target, sse_kms_encrypted_objects, replica_kms_key: dst_key };
    };
    put source "reports/q1.csv" = 4 KiB;
    replicate;
    expect source "reports/q1.csv" COMPLETED;
    expect target "reports/q1.csv" REPLICA with sse_kms(dst_key);
}
"#;

/// Pieces that are valid somewhere, so mutations land in every corner of the grammar.
const VOCABULARY: &[&str] = &[
    "account",
    "key",
    "bucket",
    "role",
    "replication",
    "put",
    "delete",
    "tag",
    "replicate",
    "expect",
    "rule",
    "allow",
    "deny",
    "on",
    "by",
    "when",
    "via",
    "with",
    "policy",
    "json",
    "json_file",
    "name",
    "path",
    "id",
    "trust",
    "sid",
    "not",
    "kms",
    "kms_mrk",
    "replica_of",
    "aws_managed",
    "s3",
    "iam",
    "sse_kms",
    "sse_c",
    "dsse_kms",
    "sse_s3",
    "versioning",
    "filter",
    "prefix",
    "and",
    "destination",
    "metrics",
    "replication_time",
    "Enabled",
    "Disabled",
    "COMPLETED",
    "FAILED",
    "REPLICA",
    "version",
    "reason",
    "metric",
    "event",
    "revoke",
    "statement",
    "wait",
    "batch_replicate",
    "schedule_key_deletion",
    "days",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "{}",
    "()",
    "[]",
    ";",
    ",",
    ":",
    "::",
    "=",
    "==",
    "/",
    "*",
    ".",
    "#",
    "!",
    "-",
    "&",
    "'a",
    "\"\"",
    "\"us-east-1\"",
    "\"arn:aws:kms:us-east-1:111122223333:key/x\"",
    "r#\"{}\"#",
    "r#\"{\"Statement\": 5}\"#",
    "0",
    "1",
    "4",
    "15",
    "99999999999999999999999",
    "1.5",
    "4KiB",
    "7u8",
    "0x1f",
    "b'x'",
    "'c'",
    "true",
    "type",
    "fn",
    "_",
    "\u{e9}",
    "///",
    "/// doc\n",
    "\n",
    "//",
    "/*x*/",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Splits text into rough tokens (words, punctuation, strings), keeping the separators.
fn pieces(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        let boundary = !(c.is_alphanumeric() || c == '_');
        if boundary {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            out.push(c.to_string());
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn mutate(rng: &mut Rng, base: &[String]) -> String {
    let mut p = base.to_vec();
    for _ in 0..=rng.below(4) {
        if p.is_empty() {
            break;
        }
        let i = rng.below(p.len());
        match rng.below(6) {
            0 => {
                let end = (i + 1 + rng.below(8)).min(p.len());
                p.drain(i..end);
            }
            1 => {
                let piece = p[i].clone();
                p.insert(i, piece);
            }
            2 => {
                let j = rng.below(p.len());
                p.swap(i, j);
            }
            3 => p[i] = VOCABULARY[rng.below(VOCABULARY.len())].to_owned(),
            4 => p.insert(i, format!(" {} ", VOCABULARY[rng.below(VOCABULARY.len())])),
            _ => {
                let end = rng.below(p.len());
                p.truncate(end);
            }
        }
    }
    p.concat()
}

fn garbage(rng: &mut Rng) -> String {
    (0..rng.below(200))
        .map(|_| match rng.below(3) {
            0 => VOCABULARY[rng.below(VOCABULARY.len())].to_owned(),
            1 => char::from_u32(rng.below(0x250) as u32)
                .unwrap_or('x')
                .to_string(),
            _ => " ".to_owned(),
        })
        .collect()
}

#[test]
fn bad_input_never_panics() {
    let bases = [pieces(VALID), pieces(KITCHEN_SINK)];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut diagnostics = 0usize;
    let mut ran = 0usize;
    let n = 4000;
    for round in 0..n {
        let text = if round % 10 == 9 {
            garbage(&mut rng)
        } else {
            mutate(&mut rng, &bases[round % 2])
        };
        let result = catch_unwind(AssertUnwindSafe(|| {
            replication_dsl::validate_suite("fuzz.scenario", &text)
        }));
        match result {
            Ok(Ok(specs)) => {
                for spec in specs.iter().filter(|s| small(s)) {
                    run_valid(spec, round, &text);
                    ran += 1;
                }
            }
            Ok(Err(d)) => {
                assert!(
                    !d.is_empty(),
                    "an empty error list for input {round}:\n{text}"
                );
                for diag in &d {
                    assert!(
                        diag.line >= 1 && diag.column >= 1,
                        "a diagnostic without a position: {diag}\ninput {round}:\n{text}"
                    );
                    assert!(
                        !diag.message.is_empty(),
                        "an empty message, input {round}:\n{text}"
                    );
                }
                diagnostics += 1;
            }
            Err(_) => panic!("input {round} panicked:\n{text}"),
        }
    }
    // Most mutations break something; the test would prove nothing if they all parsed, nor if
    // none ran.
    assert!(
        diagnostics > n / 2,
        "only {diagnostics} of {n} inputs had errors"
    );
    assert!(ran > 0, "no mutated scenario validated, so none ran");
}

/// At most 1 MiB uploaded in all, so that running every valid mutation stays quick.
fn small(spec: &ValidSpec) -> bool {
    let bytes: u64 = spec
        .spec()
        .steps
        .iter()
        .map(|step| match step {
            Step::PutObject(p) => match &p.body {
                Body::Size(n) => *n,
                Body::Text(t) => t.len() as u64,
            },
            _ => 0,
        })
        .fold(0, u64::saturating_add);
    bytes <= 1 << 20
}

/// Runs a scenario that validated: it must come to an outcome, and its report must render.
fn run_valid(spec: &ValidSpec, round: usize, text: &str) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        replication_model::run(spec).map(|outcome| outcome.report().len())
    }));
    match result {
        Ok(Ok(_)) | Ok(Err(RunError::Crypto(_))) => {}
        Ok(Err(err)) => panic!("input {round} validated but did not run: {err}\n{text}"),
        Err(_) => panic!("input {round} validated, then panicked when run:\n{text}"),
    }
}
