use replication_lab::replication_scenario;

replication_scenario! {
    /// Under aws_2026 new buckets block SSE-C, so the upload is refused.
    sse_c_upload_into_blocking_bucket {
        rules aws_2026;
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning };
        put source "secret.bin" = 1 KiB with sse_c(customer_key);
    }
}

fn main() {}
