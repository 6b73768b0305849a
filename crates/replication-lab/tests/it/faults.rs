//! Faults between steps: key states, Batch Replication, temporary outages, policy and versioning changes, RTC.

use replication_lab::replication_scenario;

replication_scenario! {
    /// A disabled replica key fails replication with DstKmsKeyInvalidState; failed objects are not
    /// retried by themselves, and after the key is enabled again a Batch Replication job of FAILED
    /// objects completes them (aws-facts d.8, e).
    disabled_key_then_batch_replication {
        account prod = 111122223333;
        key src_key = kms(prod, "us-east-1");
        key dst_key = kms(prod, "eu-west-1");
        bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(src_key) };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust [s3, batchoperations];
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
            allow [s3:InitiateReplication, s3:PutInventoryConfiguration] on [source, source/"*"];
            allow kms:Decrypt on src_key;
            allow kms:Encrypt on dst_key;
        };
        replication source via replicator {
            rule to_eu {
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target,
                sse_kms_encrypted_objects, replica_kms_key: dst_key, metrics,
            };
        };
        disable_key dst_key;
        put source "ledger.csv" = 4 KiB;
        replicate;
        expect source "ledger.csv" FAILED(DstKmsKeyInvalidState);
        expect event source to_eu OperationFailedReplication(DstKmsKeyInvalidState) = 1;
        enable_key dst_key;
        replicate;
        expect source "ledger.csv" FAILED;
        batch_replicate source [failed];
        expect source "ledger.csv" COMPLETED;
        expect target "ledger.csv" REPLICA with sse_kms(dst_key);
    }

    /// Temporary trouble keeps objects PENDING instead of FAILED: an unavailable destination Region
    /// and KMS throttling both resolve on a later pass (aws-facts d.8, d.9).
    temporary_faults_stay_pending {
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
            allow kms:Decrypt on src_key;
            allow kms:Encrypt on dst_key;
        };
        replication source via replicator {
            rule to_eu {
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target,
                sse_kms_encrypted_objects, replica_kms_key: dst_key,
            };
        };
        region_unavailable "eu-west-1";
        put source "a.csv" = 1 KiB;
        replicate;
        expect source "a.csv" PENDING;
        region_available "eu-west-1";
        throttle_kms "us-east-1" on;
        replicate;
        expect source "a.csv" PENDING;
        throttle_kms "us-east-1" off;
        replicate;
        expect source "a.csv" COMPLETED;
    }

    /// Policy and bucket changes between uploads: revoking the role's Decrypt statement fails the
    /// next object, adding it back heals the one after, and suspending versioning on the
    /// destination fails with DstBucketUnversioned. Suspending it on the source is refused while a
    /// replication configuration exists (aws-facts a.4).
    policy_and_versioning_faults {
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
            sid SourceKey allow kms:Decrypt on src_key;
            allow kms:Encrypt on dst_key;
        };
        replication source via replicator {
            rule to_eu {
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target,
                sse_kms_encrypted_objects, replica_kms_key: dst_key,
            };
        };
        revoke replicator.inline statement SourceKey;
        put source "first.csv" = 1 KiB;
        replicate;
        expect source "first.csv" FAILED(SrcGetObjectNotPermitted);
        add_statement replicator.inline sid SourceKeyAgain allow kms:Decrypt on src_key;
        put source "second.csv" = 1 KiB;
        replicate;
        expect source "second.csv" COMPLETED;
        set_versioning target Suspended;
        put source "third.csv" = 1 KiB;
        replicate;
        expect source "third.csv" FAILED(DstBucketUnversioned);
        set_versioning source Suspended;
        expect replication source rejected InvalidBucketState;
    }

    /// S3 RTC with metrics: objects that replicate within the 15-minute threshold raise no threshold
    /// events; a destination Region down for 20 minutes makes the object miss it (aws-facts e).
    replication_time_control_threshold {
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
            rule rtc {
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target,
                replication_time: Enabled(15), metrics: Enabled(15),
            };
        };
        put source "fast.csv" = 1 KiB;
        replicate;
        expect source "fast.csv" COMPLETED;
        region_unavailable "eu-west-1";
        put source "slow.csv" = 1 KiB;
        replicate;
        expect metric source rtc OperationsPendingReplication = 1;
        wait 20 min;
        region_available "eu-west-1";
        replicate;
        expect source "slow.csv" COMPLETED;
        expect event source rtc OperationMissedThreshold = 1;
        expect event source rtc OperationReplicatedAfterThreshold = 1;
    }
}
