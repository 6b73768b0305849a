use replication_lab::replication_scenario;

replication_scenario! {
    /// A statement the language does not know.
    first_scenario {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning };
        replicat;
    }

    /// An error in one scenario does not hide the next scenario's error.
    second_scenario {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning };
        put source "a.txt" = 4 KiX;
    }
}

fn main() {}
