//! Every encryption type on the source: SSE-S3, SSE-KMS with and without the opt-in, DSSE-KMS.

use replication_lab::replication_scenario;

replication_scenario! {
    /// SSE-S3 objects replicate with no KMS permission at all, and the replica stays SSE-S3 even
    /// though the destination bucket's default encryption is SSE-KMS (aws-facts d.1, d.2).
    sse_s3_replica_keeps_its_encryption {
        account prod = 111122223333;
        key dst_key = kms(prod, "eu-west-1");
        bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_s3 };
        bucket target = s3(prod, "eu-west-1") { versioning, encryption: sse_kms(dst_key) };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
        };
        replication source via replicator {
            rule everything { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
        };
        put source "notes.txt" = "replicated as it is";
        replicate;
        expect source "notes.txt" COMPLETED with sse_s3;
        expect target "notes.txt" REPLICA with sse_s3;
    }

    /// Without the `SseKmsEncryptedObjects` opt-in, SSE-KMS objects are silently skipped: no
    /// replication status at all, not FAILED, while the SSE-S3 object next to them replicates
    /// (aws-facts d.3, i.2).
    sse_kms_without_opt_in_is_skipped {
        account prod = 111122223333;
        key src_key = kms(prod, "us-east-1");
        bucket source = s3(prod, "us-east-1") { versioning };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
            allow kms:Decrypt on src_key;
        };
        replication source via replicator {
            rule everything { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
        };
        put source "plain.csv" = 1 KiB;
        put source "secret.csv" = 1 KiB with sse_kms(src_key);
        replicate;
        expect source "plain.csv" COMPLETED;
        expect source "secret.csv" not_replicated with sse_kms(src_key);
        expect target "secret.csv" absent;
    }

    /// A role that may `kms:Encrypt` with the replica key but not `kms:Decrypt` the source key
    /// fails every SSE-KMS object; S3 has no dedicated code for it, so it shows as
    /// SrcGetObjectNotPermitted (aws-facts e, inferred), counted by the rule's metrics.
    sse_kms_missing_decrypt_fails {
        account prod = 111122223333;
        key src_key = kms(prod, "us-east-1");
        key dst_key = kms(prod, "eu-west-1");
        bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(src_key) };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
            allow kms:Encrypt on dst_key;
        };
        replication source via replicator {
            rule to_eu {
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target,
                sse_kms_encrypted_objects, replica_kms_key: dst_key, metrics,
            };
        };
        put source "ledger.csv" = 64 KiB;
        replicate;
        expect source "ledger.csv" FAILED(SrcGetObjectNotPermitted);
        expect target "ledger.csv" absent;
        expect metric source to_eu OperationsFailedReplication = 1;
        expect event source to_eu OperationFailedReplication(SrcGetObjectNotPermitted) = 1;
    }

    /// DSSE-KMS objects need the same opt-in and replica key as SSE-KMS, and the replica stays
    /// DSSE-KMS under the replica key (aws-facts d.5).
    dsse_kms_replicates_as_dsse_kms {
        account prod = 111122223333;
        key src_key = kms(prod, "us-east-1");
        key dst_key = kms(prod, "eu-west-1");
        bucket source = s3(prod, "us-east-1") { versioning, encryption: dsse_kms(src_key) };
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
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target,
                sse_kms_encrypted_objects, replica_kms_key: dst_key,
            };
        };
        put source "archive.tar" = 2 MiB;
        replicate;
        expect source "archive.tar" COMPLETED with dsse_kms(src_key);
        expect target "archive.tar" REPLICA with dsse_kms(dst_key);
    }
}
