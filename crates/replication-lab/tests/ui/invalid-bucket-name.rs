use replication_lab::replication_scenario;

replication_scenario! {
    /// A real bucket name with two adjacent dots, which S3 refuses.
    invalid_bucket_name {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { name: "acme..prod-data", versioning };
    }
}

fn main() {}
