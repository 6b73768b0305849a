use replication_lab::replication_scenario;

replication_scenario! {
    /// A role name with a `/` (that belongs in the path) and a path without its closing `/`.
    invalid_role_name_and_path {
        account prod = 111122223333;
        role replicator = iam(prod) {
            name: "service-role/s3-crr", path: "/service-role";
            trust s3;
        };
    }
}

fn main() {}
