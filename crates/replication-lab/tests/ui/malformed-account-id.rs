use replication_lab::replication_scenario;

replication_scenario! {
    /// An account id with eleven digits.
    malformed_account_id {
        account prod = 11112222333;
    }
}

fn main() {}
