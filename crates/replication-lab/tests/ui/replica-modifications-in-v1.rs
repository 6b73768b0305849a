use replication_lab::replication_scenario;

replication_scenario! {
    /// Replica modification sync on a V1 rule.
    replica_modifications_in_v1 {
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
            rule old { prefix: "logs/", destination: target, replica_modifications };
        };
    }
}

fn main() {}
