use replication_lab::replication_scenario;

replication_scenario! {
    /// A bucket setting written twice.
    setting_given_twice {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning, versioning: Suspended };
    }
}

fn main() {}
