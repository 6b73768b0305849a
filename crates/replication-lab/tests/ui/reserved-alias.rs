use replication_lab::replication_scenario;

replication_scenario! {
    /// An alias under `alias/aws/`, which KMS reserves for AWS managed keys.
    reserved_alias {
        account prod = 111122223333;
        key k = kms(prod, "us-east-1") { alias: "alias/aws/prod-data" };
    }
}

fn main() {}
