use replication_lab::replication_scenario;

replication_scenario! {
    /// Expecting an SSE-C object to replicate under the opt-in rule set `exam_guide`.
    sse_c_replication_under_exam_guide {
        rules exam_guide;
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning };
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
    }
}

fn main() {}
