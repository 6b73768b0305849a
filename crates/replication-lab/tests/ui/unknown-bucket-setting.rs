use replication_lab::replication_scenario;

replication_scenario! {
    /// A misspelled bucket setting.
    unknown_bucket_setting {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioned };
    }
}

fn main() {}
