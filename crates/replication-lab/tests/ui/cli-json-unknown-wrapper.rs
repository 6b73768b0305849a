use replication_lab::replication_scenario;

replication_scenario! {
    /// A wrapper around a policy document that is none of the AWS CLI shapes read here: the error
    /// names the member that seems to hold the document.
    cli_json_unknown_wrapper {
        account prod = 111122223333;
        bucket source = s3(prod, "us-east-1") {
            versioning,
            policy: json r#"{
                "RoleDetailList": {
                    "RolePolicyList": {
                        "PolicyDocument_": { "Version": "2012-10-17", "Statement": [] }
                    }
                }
            }"#,
        };
    }
}

fn main() {}
