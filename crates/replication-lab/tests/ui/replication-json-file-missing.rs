use replication_lab::replication_scenario;

replication_scenario! {
    /// A replication configuration file that is not there: the error names the path and what it
    /// is relative to.
    replication_json_file_missing {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning };
        replication source json_file "aws-cli/no-such-get-bucket-replication.json";
    }
}

fn main() {}
