use replication_lab::replication_scenario;

replication_scenario! {
    /// Several mistakes in one scenario: each gets its own error in one build.
    several_mistakes {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning };
        bucket target = s3(nobody, "eu-west-1") { versioning };
        key k = kms(prod, "mars-north-1");
        put source "a.txt" = 1 KiB with sse_kms(missing_key);
    }
}

fn main() {}
