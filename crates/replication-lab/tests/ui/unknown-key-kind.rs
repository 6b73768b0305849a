use replication_lab::replication_scenario;

replication_scenario! {
    /// A key constructor that does not exist.
    unknown_key_kind {
        account prod = 111122223333;
        key k = kms_multi(prod, "us-east-1");
    }
}

fn main() {}
