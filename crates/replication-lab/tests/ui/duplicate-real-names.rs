use replication_lab::replication_scenario;

replication_scenario! {
    /// Two buckets with one S3 name, two keys with one id in one Region, one alias on two keys.
    duplicate_real_names {
        account prod = 111122223333;
        key a = kms(prod, "us-east-1") { id: "1234abcd-12ab-34cd-56ef-1234567890ab", alias: "alias/prod-data" };
        key b = kms(prod, "us-east-1") { id: "1234abcd-12ab-34cd-56ef-1234567890ab", alias: "alias/prod-data" };
        bucket source = s3(prod, "us-east-1") { name: "acme.prod-data", versioning };
        bucket copy = s3(prod, "eu-west-1") { name: "acme.prod-data", versioning };
    }
}

fn main() {}
