//! Scenarios for the engine benches, written in the scenario DSL users write, so the benches run
//! exactly what `cargo xtask scenarios` runs: a source and a destination bucket in two Regions,
//! a role with the documented permissions, one rule, and `n` puts of one size.

use std::fmt::Write as _;

/// How source objects and replicas are encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// SSE-S3 on both sides: data keys wrapped by each Region's S3 root key.
    SseS3,
    /// SSE-KMS with a single-Region key on each side; the rule opts in and names the replica key.
    SseKms,
    /// SSE-KMS with a multi-Region key and its replica in the destination Region.
    SseKmsMrk,
}

impl Variant {
    /// Every variant, in report order.
    pub const ALL: [Variant; 3] = [Variant::SseS3, Variant::SseKms, Variant::SseKmsMrk];

    /// Label used in benchmark ids.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Variant::SseS3 => "sse-s3",
            Variant::SseKms => "sse-kms",
            Variant::SseKmsMrk => "sse-kms-mrk",
        }
    }
}

/// What a generated scenario does after its puts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Steps {
    /// Put every object, then `replicate`, then check the first and last object.
    PutAndReplicate,
    /// Put every object only (replication tasks stay pending), the baseline to subtract.
    PutOnly,
}

/// DSL text of a scenario with `objects` puts of `size` (a DSL size such as `1 KiB`).
#[must_use]
pub fn scenario_text(variant: Variant, objects: usize, size: &str, steps: Steps) -> String {
    let mut s = String::new();
    let name = variant.label().replace('-', "_");
    let _ = writeln!(
        s,
        "/// Benchmark: {objects} objects of {size}, {}.",
        variant.label()
    );
    let _ = writeln!(s, "bench_{name} {{");
    s.push_str("    account prod = 111122223333;\n");
    let (src_enc, dst_enc, kms_rule, enc_name) = match variant {
        Variant::SseS3 => ("sse_s3", "sse_s3", "", "sse_s3"),
        Variant::SseKms => {
            s.push_str("    key src_key = kms(prod, \"us-east-1\");\n");
            s.push_str("    key dst_key = kms(prod, \"eu-west-1\");\n");
            (
                "sse_kms(src_key)",
                "sse_kms(dst_key)",
                ", sse_kms_encrypted_objects: Enabled, replica_kms_key: dst_key",
                "sse_kms",
            )
        }
        Variant::SseKmsMrk => {
            s.push_str("    key src_key = kms_mrk(prod, \"us-east-1\");\n");
            s.push_str("    key dst_key = replica_of(src_key, \"eu-west-1\");\n");
            (
                "sse_kms(src_key)",
                "sse_kms(dst_key)",
                ", sse_kms_encrypted_objects: Enabled, replica_kms_key: dst_key",
                "sse_kms",
            )
        }
    };
    let _ = writeln!(
        s,
        "    bucket source = s3(prod, \"us-east-1\") {{ versioning, encryption: {src_enc} }};"
    );
    let _ = writeln!(
        s,
        "    bucket target = s3(prod, \"eu-west-1\") {{ versioning, encryption: {dst_enc} }};"
    );
    s.push_str(
        "    role replicator = iam(prod) {
        trust s3;
        allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
        allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/\"*\";
        allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/\"*\";
",
    );
    if variant != Variant::SseS3 {
        s.push_str("        allow [kms:Decrypt] on src_key;\n");
        s.push_str("        allow [kms:Encrypt] on dst_key;\n");
    }
    s.push_str("    };\n");
    let _ = writeln!(
        s,
        "    replication source via replicator {{
        rule all {{ priority: 1, filter: {{}}, delete_marker_replication: Disabled, destination: target{kms_rule} }};
    }};"
    );
    for idx in 0..objects {
        let _ = writeln!(s, "    put source \"obj-{idx:05}\" = {size};");
    }
    if steps == Steps::PutAndReplicate {
        s.push_str("    replicate;\n");
        for idx in [0, objects.saturating_sub(1)] {
            let _ = writeln!(
                s,
                "    expect source \"obj-{idx:05}\" COMPLETED with {enc_name};"
            );
            let _ = writeln!(
                s,
                "    expect target \"obj-{idx:05}\" REPLICA with {enc_name};"
            );
        }
    }
    s.push_str("}\n");
    s
}

/// Parses and validates generated DSL text into the one scenario it holds.
///
/// # Errors
/// The DSL diagnostics, one per line, if the text does not validate.
pub fn valid_scenario(text: &str) -> Result<replication_model::ValidSpec, String> {
    let mut specs = replication_dsl::validate_suite("bench.scenario", text).map_err(|diags| {
        diags
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    match specs.len() {
        1 => Ok(specs.remove(0)),
        n => Err(format!("expected one scenario, found {n}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use replication_model::RunConfig;

    #[test]
    fn every_variant_replicates_and_meets_its_expectations() {
        for variant in Variant::ALL {
            let text = scenario_text(variant, 3, "2 KiB", Steps::PutAndReplicate);
            let valid = valid_scenario(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            for threads in [1, 0] {
                let config = RunConfig {
                    trace: false,
                    threads,
                };
                let outcome = replication_model::run_with(&valid, config).unwrap();
                let failed: Vec<String> = outcome
                    .failed_expectations()
                    .map(ToString::to_string)
                    .collect();
                assert!(failed.is_empty(), "{}: {failed:?}", variant.label());
                assert_eq!(
                    outcome.get_object("target", "obj-00002").unwrap().len(),
                    2048
                );
            }
        }
    }

    #[test]
    fn put_only_leaves_replication_pending() {
        let text = scenario_text(Variant::SseKms, 2, "1 KiB", Steps::PutOnly);
        let valid = valid_scenario(&text).unwrap();
        let outcome = replication_model::run_with(
            &valid,
            RunConfig {
                trace: false,
                threads: 1,
            },
        )
        .unwrap();
        assert!(outcome.get_object("target", "obj-00000").is_err());
    }
}
