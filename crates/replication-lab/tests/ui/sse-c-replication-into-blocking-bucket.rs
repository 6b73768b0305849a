use replication_lab::replication_scenario;

replication_scenario! {
    /// Under the default rule set `aws_2026` a new bucket blocks SSE-C, so the SSE-C object can
    /// never replicate into it.
    sse_c_replication_into_blocking_bucket {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning, block_sse_c: false };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete] on target/"*";
        };
        replication source via replicator {
            rule to_eu { priority: 1, delete_marker_replication: Disabled, destination: target };
        };
        put source "secret.bin" = 1 KiB with sse_c(customer_key);
        replicate;
        expect source "secret.bin" COMPLETED;
        expect target "secret.bin" REPLICA with sse_c(customer_key);
    }
}

fn main() {}
