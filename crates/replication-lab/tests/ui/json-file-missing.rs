use replication_lab::replication_scenario;

replication_scenario! {
    /// A role policy read from a file that is not there: the error names the path and what it
    /// is relative to.
    json_file_missing {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            policy from_console json_file "policies/no-such-policy.json";
        };
    }
}

fn main() {}
