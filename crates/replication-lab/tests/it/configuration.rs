//! Replication configuration: expected rejections, delete markers, priorities and tag filters.

use replication_lab::replication_scenario;

replication_scenario! {
    /// A rejection AWS gives at PutBucketReplication is a compile error unless the scenario expects
    /// it; then it is the tested outcome, and nothing replicates (aws-facts a.4).
    expected_rejection {
        account prod = 111122223333;
        key dst_key = kms(prod, "eu-west-1");
        bucket source = s3(prod, "us-east-1") { versioning };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) { trust s3; };
        replication source via replicator {
            rule to_eu { priority: 1, filter: {}, destination: target, sse_kms_encrypted_objects, replica_kms_key: dst_key };
        };
        expect replication source rejected InvalidRequest;
        put source "a.txt" = 10 B;
        replicate;
        expect source "a.txt" not_replicated;
    }

    /// V2 replicates delete markers only with `delete_marker_replication` enabled, and never a
    /// version-specific delete (aws-facts b, c).
    delete_markers {
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
            rule everything { priority: 1, filter: prefix("docs/"), delete_marker_replication: Enabled, destination: target };
        };
        put source "docs/a.txt" = "first";
        put source "docs/b.txt" = "second";
        replicate;
        delete source "docs/a.txt";
        delete source "docs/b.txt" version 1;
        replicate;
        expect source "docs/a.txt" delete_marker;
        expect target "docs/a.txt" delete_marker;
        expect source "docs/b.txt" absent;
        expect target "docs/b.txt" REPLICA;
    }

    /// Overlapping rules to one destination: the object replicates once, by the rule with the higher
    /// priority; tags added after the upload do not make an object match a tag filter
    /// (aws-facts b, c).
    priorities_and_tag_filters {
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
            rule star { priority: 1, filter: prefix("star"), delete_marker_replication: Disabled, destination: target, storage_class: STANDARD_IA };
            rule starship { priority: 2, filter: prefix("starship"), delete_marker_replication: Disabled, destination: target };
            rule tagged { priority: 3, filter: and(prefix("data/"), tag("replicate", "yes")), delete_marker_replication: Disabled, destination: target };
        };
        put source "starship-x" = 1 KiB;
        put source "data/now.csv" = 1 KiB { tags: { replicate: "yes" } };
        put source "data/later.csv" = 1 KiB;
        tag source "data/later.csv" { replicate: "yes" };
        replicate;
        expect source "starship-x" COMPLETED;
        expect source "data/now.csv" COMPLETED;
        expect source "data/later.csv" not_replicated;
    }
}
