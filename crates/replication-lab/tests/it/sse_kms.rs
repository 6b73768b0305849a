//! SSE-KMS replication: the opt-in, the replica key, and the role's KMS permissions.

use replication_lab::replication_scenario;

replication_scenario! {
    /// SSE-KMS objects replicate cross-Region once the rule opts in and the role may use both keys.
    /// The SSE-C object outside the rule's prefix gets no replication status; its bucket unblocks
    /// SSE-C, which new buckets block since 2026-04.
    sse_kms_cross_region {
        account prod = 111122223333;
        key src_key = kms(prod, "us-east-1");
        key dst_key = kms(prod, "eu-west-1");
        bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(src_key), block_sse_c: false };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
            allow kms:Decrypt on src_key;
            allow kms:Encrypt on dst_key;
        };
        replication source via replicator {
            rule to_eu {
                priority: 1,
                filter: prefix("reports/"),
                delete_marker_replication: Disabled,
                destination: target,
                sse_kms_encrypted_objects,
                replica_kms_key: dst_key,
            };
        };
        put source "reports/q1.csv" = 4 KiB;
        put source "secret.bin" = 1 MiB with sse_c(customer_key);
        replicate;
        expect source "reports/q1.csv" COMPLETED;
        expect target "reports/q1.csv" REPLICA with sse_kms(dst_key);
        expect source "secret.bin" not_replicated;
    }
}
