use replication_lab::replication_scenario;

replication_scenario! {
    /// Failure reasons are S3's codes; a misspelt one is an error on its token.
    misspelt_failure_reason {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning };
        bucket target = s3(prod, "eu-west-1") { versioning };
        role replicator = iam(prod) {
            trust s3;
            allow [s3:GetReplicationConfiguration, s3:ListBucket] on source;
            allow [s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl] on source/"*";
        };
        replication source via replicator {
            rule to_eu { priority: 1, delete_marker_replication: Disabled, destination: target, metrics: Enabled };
        };
        put source "a.txt" = 4 KiB;
        replicate;
        expect source "a.txt" FAILED(DstPutObjectNotPermited);
        expect source "a.txt" reason DstMultipartPartUploadNotPermitted;
        expect event source to_eu OperationFailedReplication(dstputobjectnotpermitted) = 1;
    }
}

fn main() {}
