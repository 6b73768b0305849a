//! Multi-Region keys: S3 treats them as single-Region keys; each related key has its own state.

use replication_lab::replication_scenario;

replication_scenario! {
    /// A multi-Region key does not spare the replica key: S3 treats MRKs as single-Region keys, so
    /// the rule still names the eu-west-1 replica key and the role needs permissions on both ARNs,
    /// which a Region wildcard over the shared `mrk-` key id covers (aws-facts d.7, g).
    mrk_replica_as_replica_key {
        account prod = 111122223333;
        key mrk = kms_mrk(prod, "us-east-1");
        key mrk_eu = replica_of(mrk, "eu-west-1");
        bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(mrk) };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
            allow [kms:Decrypt, kms:Encrypt] on "arn:aws:kms:*:111122223333:key/mrk-*";
        };
        replication source via replicator {
            rule to_eu {
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target,
                sse_kms_encrypted_objects, replica_kms_key: mrk_eu,
            };
        };
        put source "ledger.csv" = 8 KiB;
        replicate;
        expect source "ledger.csv" COMPLETED with sse_kms(mrk);
        expect target "ledger.csv" REPLICA with sse_kms(mrk_eu);
    }

    /// Related multi-Region keys keep their own state: the replica key is disabled while the primary
    /// works, so uploads succeed and replication fails with DstKmsKeyInvalidState (aws-facts g, d.8).
    mrk_replica_disabled {
        account prod = 111122223333;
        key mrk = kms_mrk(prod, "us-east-1");
        key mrk_eu = replica_of(mrk, "eu-west-1") { state: Disabled };
        bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(mrk) };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
            allow [kms:Decrypt, kms:Encrypt] on [mrk, mrk_eu];
        };
        replication source via replicator {
            rule to_eu {
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target,
                sse_kms_encrypted_objects, replica_kms_key: mrk_eu,
            };
        };
        put source "ledger.csv" = 8 KiB;
        replicate;
        expect source "ledger.csv" FAILED(DstKmsKeyInvalidState);
    }

    /// A replica key in the wrong Region is accepted by PutBucketReplication (S3 does not validate
    /// KMS keys) and fails per object later (aws-facts a.4, d.3; the code is inferred).
    replica_key_in_the_wrong_region {
        account prod = 111122223333;
        key src_key = kms(prod, "us-east-1");
        bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(src_key) };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
            allow [kms:Decrypt, kms:Encrypt] on src_key;
        };
        replication source via replicator {
            rule to_eu {
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target,
                sse_kms_encrypted_objects, replica_kms_key: src_key,
            };
        };
        expect replication source accepted;
        put source "ledger.csv" = 8 KiB;
        replicate;
        expect source "ledger.csv" FAILED(DstKmsKeyNotFound);
    }
}
