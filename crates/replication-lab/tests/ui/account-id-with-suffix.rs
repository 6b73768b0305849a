use replication_lab::replication_scenario;

replication_scenario! {
    /// An account id written with a Rust integer suffix.
    account_id_with_suffix {
        account prod = 111122223333u64;
    }
}

fn main() {}
