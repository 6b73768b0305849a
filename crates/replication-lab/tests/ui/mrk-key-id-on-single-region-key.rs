use replication_lab::replication_scenario;

replication_scenario! {
    /// A multi-Region key id given to a single-Region key, and a replica that does not share its
    /// primary's id.
    mrk_key_id_on_single_region_key {
        account prod = 111122223333;
        key single = kms(prod, "us-east-1") { id: "mrk-1234abcd12ab34cd56ef1234567890ab" };
        key mrk = kms_mrk(prod, "us-east-1") { id: "mrk-0987dcba09fe87dc65baab0987654321" };
        key mrk_eu = replica_of(mrk, "eu-west-1") { id: "mrk-1234abcd12ab34cd56ef1234567890ab" };
    }
}

fn main() {}
