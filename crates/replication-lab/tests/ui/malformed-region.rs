use replication_lab::replication_scenario;

replication_scenario! {
    /// A Region name that does not exist.
    malformed_region {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-one") { versioning };
    }
}

fn main() {}
