//! A failed `expect` in a `replication_scenario!` test panics at the `expect`'s own
//! `file:line:col`, not at the macro's first token.

use replication_lab::replication_scenario;

/// The scenario's generated test is nested in this function, so the harness does not run it
/// (it fails on purpose); the function calls it and reads its panic.
#[test]
#[allow(unnameable_test_items)]
fn a_failed_expect_names_its_file_line_and_column() {
    replication_scenario! {
        /// The object replicates, and the scenario wrongly expects it to fail.
        expects_a_failure_that_does_not_happen {
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
                rule everything { priority: 1, delete_marker_replication: Disabled, destination: target };
            };
            put source "a.txt" = 4 KiB;
            replicate;
            expect source "a.txt" COMPLETED;
            expect source "a.txt" FAILED;
        }
    }

    let payload = std::panic::catch_unwind(expects_a_failure_that_does_not_happen)
        .expect_err("the second expectation fails");
    let message = payload
        .downcast_ref::<String>()
        .expect("the harness panics with a formatted message");
    let (line, column) = include_str!("located.rs")
        .lines()
        .enumerate()
        .find_map(|(i, l)| {
            l.find("expect source \"a.txt\" FAILED;")
                .map(|c| (i + 1, c + 1))
        })
        .expect("the failing expect is in this file");
    let located = format!(
        "{}:{line}:{column}: expectation failed: step 5: expected `source/a.txt` FAILED, found COMPLETED",
        file!()
    );
    assert!(
        message.contains(&format!(
            "scenario `expects_a_failure_that_does_not_happen` ran, but 1 of 2 expectations failed:\n{located}\n"
        )),
        "{message}"
    );
}
