//! SSE-C under both rule sets: never replicated in `exam_guide`, replicated as ciphertext and blocked by default in `aws_2026`.

use replication_lab::replication_scenario;

replication_scenario! {
    /// Under the opt-in rule set `exam_guide` (the study note's world) SSE-C objects are never
    /// replicated: S3 holds no key to decrypt them with. The object gets no replication status.
    sse_c_not_replicated_under_exam_guide {
        rules exam_guide;
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
        };
        replication source via replicator {
            rule everything { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
        };
        put source "card.bin" = 512 B with sse_c(customer_key);
        replicate;
        expect source "card.bin" not_replicated with sse_c(customer_key);
        expect target "card.bin" absent;
    }

    /// Under `aws_2026` S3 replicates SSE-C objects as ciphertext under the same customer key (since
    /// 2022-10), into a destination that does not block SSE-C (aws-facts d.6).
    sse_c_replicates_under_aws_2026 {
        rules aws_2026;
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning, block_sse_c: false };
        bucket target = s3(prod, "eu-west-1") { versioning, block_sse_c: false };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
        };
        replication source via replicator {
            rule everything { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
        };
        put source "card.bin" = 512 B with sse_c(customer_key);
        replicate;
        expect source "card.bin" COMPLETED;
        expect target "card.bin" REPLICA with sse_c(customer_key);
    }

    /// Under `aws_2026` new buckets block SSE-C (since 2026-04): an SSE-C upload into one is refused
    /// with 403 AccessDenied, and an SSE-C replica into one fails (aws-facts d.6; the failure code
    /// is inferred).
    sse_c_blocked_by_default_under_aws_2026 {
        rules aws_2026;
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning, block_sse_c: false };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
        };
        replication source via replicator {
            rule everything { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
        };
        put target "direct.bin" = 512 B with sse_c(customer_key);
        expect put target "direct.bin" rejected AccessDenied;
        put source "card.bin" = 512 B with sse_c(customer_key);
        replicate;
        expect source "card.bin" FAILED(DstPutObjectNotPermitted);
        expect target "card.bin" absent;
    }
}
