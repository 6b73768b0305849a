use replication_lab::replication_scenario;

replication_scenario! {
    /// One rule in the V1 form, one in the V2 form.
    mixed_v1_and_v2_rules {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete] on target/"*";
        };
        replication source via replicator {
            rule old { prefix: "logs/", destination: target };
            rule new { priority: 1, filter: prefix("data/"), delete_marker_replication: Disabled, destination: target };
        };
    }
}

fn main() {}
