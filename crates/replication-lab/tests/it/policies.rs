//! Policies as AWS JSON (inline and from a file), and explicit denies.

use replication_lab::replication_scenario;

replication_scenario! {
    /// Policies users already have, as AWS JSON: the role's identity policy from a file next to the
    /// test crate, the trust policy and a key policy inline. The key policy allows the role
    /// `kms:Decrypt` only through S3 in the source Region (`kms:ViaService`).
    json_policies {
        account prod = 111122223333;
        key src_key = kms(prod, "us-east-1") {
            policy: json r#"{
                "Version": "2012-10-17",
                "Statement": [
                    { "Sid": "Root", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:root" }, "Action": "kms:*", "Resource": "*" },
                    { "Sid": "ReplicationDecrypt", "Effect": "Allow",
                      "Principal": { "AWS": "arn:aws:iam::111122223333:role/replicator" },
                      "Action": "kms:Decrypt", "Resource": "*",
                      "Condition": { "StringEquals": { "kms:ViaService": "s3.us-east-1.amazonaws.com" } } }
                ]
            }"#,
        };
        key dst_key = kms(prod, "eu-west-1");
        bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(src_key) };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust json r#"{
                "Version": "2012-10-17",
                "Statement": [{ "Effect": "Allow", "Principal": { "Service": "s3.amazonaws.com" }, "Action": "sts:AssumeRole" }]
            }"#;
            policy s3_access json_file "tests/it/policies/replication-role.json";
            policy kms_access { allow kms:Encrypt on dst_key; };
        };
        replication source via replicator {
            rule to_eu {
                priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target,
                sse_kms_encrypted_objects, replica_kms_key: dst_key,
            };
        };
        put source "ledger.csv" = 4 KiB;
        replicate;
        expect source "ledger.csv" COMPLETED;
        expect target "ledger.csv" REPLICA with sse_kms(dst_key);
    }

    /// An explicit Deny wins over every Allow: the destination bucket policy refuses tags, so a tagged
    /// object fails while an untagged one replicates (aws-facts a.3, h).
    explicit_deny_on_replicate_tags {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning };
        bucket target = s3(prod, "eu-west-1") {
            versioning,
            policy: { sid NoTags deny s3:ReplicateTags on target/"*" by *; },
        };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags] on target/"*";
        };
        replication source via replicator {
            rule everything { priority: 1, filter: {}, delete_marker_replication: Disabled, destination: target };
        };
        put source "plain.txt" = 10 B;
        put source "tagged.txt" = 10 B { tags: { team: "finance" } };
        replicate;
        expect source "plain.txt" COMPLETED;
        expect source "tagged.txt" FAILED(DstPutTaggingNotPermitted);
    }
}
