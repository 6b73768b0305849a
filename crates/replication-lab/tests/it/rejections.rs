//! Every rejection validation demands is writable in the macro: each error code AWS answers a
//! step with, bare, dotted as S3 relays KMS's exceptions, or quoted.

use replication_lab::replication_scenario;

replication_scenario! {
    /// Every error code a refused step can be expected with; each refused step changes nothing
    /// (aws-facts a.4, d.6, f).
    every_rejection_code {
        account prod = 111122223333;
        key src_key = kms(prod, "us-east-1");
        key eu_key = kms(prod, "eu-west-1");
        bucket source = s3(prod, "us-east-1") { versioning };
        bucket target = s3(prod, "eu-west-1") { versioning };
        bucket plain = s3(prod, "us-east-1");
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
        };
        replication plain via replicator {
            rule to_eu { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
        };
        expect replication plain rejected InvalidRequest;
        replication source via replicator {
            rule to_eu { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
            rule to_eu { priority: 2, filter: prefix("logs/"), delete_marker_replication: Disabled, destination: target };
        };
        expect replication source rejected "InvalidArgument";
        replication source via replicator {
            rule to_eu { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
        };
        set_versioning source Suspended;
        expect replication source rejected InvalidBucketState;
        put source "secret.bin" = 1 KiB with sse_c(customer_key);
        expect put source "secret.bin" rejected AccessDenied;
        put source "elsewhere.bin" = 1 KiB with sse_kms(eu_key);
        expect put source "elsewhere.bin" rejected KMS.NotFoundException;
        disable_key src_key;
        put source "disabled.bin" = 1 KiB with sse_kms(src_key);
        expect put source "disabled.bin" rejected KMS.DisabledException;
        enable_key src_key;
        schedule_key_deletion src_key 7 days;
        put source "pending.bin" = 1 KiB with sse_kms(src_key);
        expect put source "pending.bin" rejected "KMS.KMSInvalidStateException";
        put source "public.txt" = 1 KiB;
        replicate;
        expect source "public.txt" COMPLETED;
        expect target "public.txt" REPLICA with sse_s3;
    }
}
