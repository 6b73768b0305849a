use replication_lab::replication_scenario;

replication_scenario! {
    /// A replication configuration in AWS JSON with a misspelt rule member and a status AWS does
    /// not spell that way: each is an error at its own character, with the fix.
    replication_json_unknown_member {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") { versioning };
        bucket target = s3(prod, "us-west-2") { versioning };
        replication source json r#"{
            "Role": "arn:aws:iam::111122223333:role/replication",
            "Rules": [{
                "Priority": 1,
                "Status": "enabled",
                "Filter": {},
                "DeleteMarkerReplication": { "Status": "Disabled" },
                "Destinaton": { "Bucket": "arn:aws:s3:::target" }
            }]
        }"#;
    }
}

fn main() {}
