use replication_lab::replication_scenario;

replication_scenario! {
    /// A replication configuration given the output of another AWS CLI command: the error names
    /// the command the text looks like and the one to run instead.
    replication_json_wrong_command {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning };
        replication source json r#"{
            "ServerSideEncryptionConfiguration": {
                "Rules": [{ "ApplyServerSideEncryptionByDefault": { "SSEAlgorithm": "AES256" } }]
            }
        }"#;
    }
}

fn main() {}
