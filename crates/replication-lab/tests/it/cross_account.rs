//! Cross-account destinations: bucket policy, key policy, owner override, and the AWS managed key.

use replication_lab::replication_scenario;

replication_scenario! {
    /// Cross-account replication needs both sides to agree: the role's identity policy in the
    /// source account, and in the destination account a bucket policy that lets the role write
    /// replicas and a key policy that lets it use the replica key. With the owner override the
    /// replicas belong to the destination account (aws-facts a.3, d.3, h).
    cross_account_with_owner_override {
        account prod = 111122223333;
        account dr = 444455556666;
        key src_key = kms(prod, "us-east-1");
        key dst_key = kms(dr, "eu-west-1") {
            policy: {
                sid Owner allow kms:* by account(dr);
                sid SourceReplicationRole allow [kms:Encrypt, kms:GenerateDataKey] by replicator;
            },
        };
        bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(src_key) };
        bucket target = s3(dr, "eu-west-1") {
            versioning,
            policy: {
                sid ReceiveReplicas allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ObjectOwnerOverrideToBucketOwner] on target/"*" by replicator;
                sid ReadVersioning allow [s3:List*, s3:GetBucketVersioning] on target by replicator;
            },
        };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags, s3:ObjectOwnerOverrideToBucketOwner] on target/"*";
            allow kms:Decrypt on src_key;
            allow kms:Encrypt on dst_key;
        };
        replication source via replicator {
            rule to_dr {
                priority: 1, filter: {}, delete_marker_replication: Disabled,
                destination: target, account: dr, owner_override,
                sse_kms_encrypted_objects, replica_kms_key: dst_key,
            };
        };
        put source "payroll.csv" = 16 KiB;
        replicate;
        expect source "payroll.csv" COMPLETED;
        expect target "payroll.csv" REPLICA with sse_kms(dst_key);
    }

    /// Without the destination bucket policy the identity policy alone is not enough across
    /// accounts: the replica write is denied and the object FAILS (aws-facts a.3, h).
    cross_account_without_bucket_policy {
        account prod = 111122223333;
        account dr = 444455556666;
        bucket source = s3(prod, "us-east-1") { versioning };
        bucket target = s3(dr, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
        };
        replication source via replicator {
            rule to_dr { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target, account: dr };
        };
        put source "payroll.csv" = 16 KiB;
        replicate;
        expect source "payroll.csv" FAILED(DstPutObjectNotPermitted);
    }

    /// The AWS managed key `aws/s3` cannot be shared with another account: its key policy admits
    /// only principals of its own account through S3, so a cross-account replica under the
    /// destination account's `aws/s3` cannot be written by the source account's role (aws-facts d.3).
    cross_account_aws_managed_replica_key {
        account prod = 111122223333;
        account dr = 444455556666;
        key dr_managed = aws_managed(dr, "eu-west-1");
        bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms };
        bucket target = s3(dr, "eu-west-1") {
            versioning,
            policy: { allow [s3:ReplicateObject, s3:ReplicateDelete] on target/"*" by replicator; },
        };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
            allow [kms:Decrypt, kms:Encrypt] on *;
        };
        replication source via replicator {
            rule to_dr {
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target, account: dr,
                sse_kms_encrypted_objects, replica_kms_key: dr_managed,
            };
        };
        put source "payroll.csv" = 16 KiB;
        replicate;
        expect source "payroll.csv" FAILED(DstPutObjectNotPermitted);
    }
}
