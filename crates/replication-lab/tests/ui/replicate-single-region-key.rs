use replication_lab::replication_scenario;

replication_scenario! {
    /// ReplicateKey of a key that is not a multi-Region primary.
    replicate_single_region_key {
        account prod = 111122223333;
        key single = kms(prod, "us-east-1");
        key replica = replica_of(single, "eu-west-1");
    }
}

fn main() {}
