//! S3 Bucket Keys: kept on the replica, and the encryption context they change.

use replication_lab::replication_scenario;

replication_scenario! {
    /// An object written with an S3 Bucket Key keeps the Bucket Key on its replica; with a Bucket Key
    /// involved the role also needs `kms:Decrypt` on the replica key (aws-facts d.3, d.4).
    bucket_key_kept_on_the_replica {
        account prod = 111122223333;
        key src_key = kms(prod, "us-east-1");
        key dst_key = kms(prod, "eu-west-1");
        bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(src_key), bucket_key };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
            allow kms:Decrypt on src_key;
            allow [kms:Encrypt, kms:Decrypt] on dst_key;
        };
        replication source via replicator {
            rule to_eu {
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target,
                sse_kms_encrypted_objects, replica_kms_key: dst_key,
            };
        };
        put source "ledger.csv" = 4 KiB;
        put source "no-bucket-key.csv" = 4 KiB with sse_kms(src_key, bucket_key: false);
        replicate;
        expect source "ledger.csv" COMPLETED with sse_kms(src_key, bucket_key);
        expect target "ledger.csv" REPLICA with sse_kms(dst_key, bucket_key);
        expect target "no-bucket-key.csv" REPLICA with sse_kms(dst_key, bucket_key: false);
    }

    /// With a Bucket Key the encryption context is the bucket ARN, so a key condition written
    /// against object ARNs stops matching: the replica write is denied (aws-facts d.4).
    bucket_key_changes_the_encryption_context {
        account prod = 111122223333;
        key src_key = kms(prod, "us-east-1");
        key dst_key = kms(prod, "eu-west-1");
        bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(src_key) };
        bucket target = s3(prod, "eu-west-1") { versioning, encryption: sse_kms(dst_key, bucket_key) };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
            allow kms:Decrypt on src_key;
            allow [kms:Encrypt, kms:Decrypt] on dst_key when StringLike(kms:EncryptionContext:aws:s3:arn = "arn:aws:s3:::target/*");
        };
        replication source via replicator {
            rule to_eu {
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target,
                sse_kms_encrypted_objects, replica_kms_key: dst_key,
            };
        };
        put source "ledger.csv" = 4 KiB;
        replicate;
        expect source "ledger.csv" FAILED(DstPutObjectNotPermitted);
    }
}
