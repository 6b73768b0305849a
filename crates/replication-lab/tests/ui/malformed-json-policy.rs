use replication_lab::replication_scenario;

replication_scenario! {
    /// A bucket policy whose JSON has a misspelled Effect.
    malformed_json_policy {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") {
            versioning,
            policy: json r#"{
                "Version": "2012-10-17",
                "Statement": [{ "Effect": "Alow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::source/*" }]
            }"#,
        };
    }
}

fn main() {}
