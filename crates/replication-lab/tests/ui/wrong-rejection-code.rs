use replication_lab::replication_scenario;

replication_scenario! {
    /// Expecting the wrong error code for a rejection.
    wrong_rejection_code {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1");
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl] on source/"*";
            allow [s3:ReplicateObject, s3:ReplicateDelete] on target/"*";
        };
        replication source via replicator {
            rule to_eu { priority: 1, delete_marker_replication: Disabled, destination: target };
        };
        expect replication source rejected AccessDenied;
    }
}

fn main() {}
