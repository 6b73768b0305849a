use replication_lab::replication_scenario;

replication_scenario! {
    /// A bucket's default encryption as `get-bucket-encryption` output, with an algorithm AWS
    /// does not spell that way, and a `bucket_key` beside it that the document already holds.
    bucket_json_encryption_conflicts {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") {
            versioning: json r#"{"Status": "Enabled"}"#,
            encryption: json r#"{"ServerSideEncryptionConfiguration": {"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms:DSSE"},
                 "BucketKeyEnabled": true}]}}"#,
            bucket_key,
        };
    }
}

fn main() {}
