use replication_lab::replication_scenario;

replication_scenario! {
    /// S3 RTC enabled while its metrics are disabled.
    replication_time_and_metrics_disagree {
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
            rule to_eu { priority: 1, delete_marker_replication: Disabled, destination: target, replication_time, metrics: Disabled };
        };
    }
}

fn main() {}
