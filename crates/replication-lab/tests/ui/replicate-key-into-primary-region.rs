use replication_lab::replication_scenario;

replication_scenario! {
    /// ReplicateKey into the primary key's own Region.
    replicate_key_into_primary_region {
        account prod = 111122223333;
        key primary = kms_mrk(prod, "us-east-1");
        key replica = replica_of(primary, "us-east-1");
    }
}

fn main() {}
