//! The CloudFormation form: JSON templates, one per stack, and `deploy.sh` that deploys them in
//! order and passes key ids between them.
//!
//! A stack is regional and IAM and KMS name each other, so each account's resources are split
//! in layers, deployed in this order: roles (trust policies only), keys (single-Region and
//! multi-Region primaries) per Region, multi-Region replicas per Region (`AWS::KMS::ReplicaKey`),
//! the roles' inline policies, and buckets per Region, destinations before the buckets that
//! replicate into them (S3 refuses a replication configuration whose destination does not exist
//! yet, aws-facts a.4). A key id another stack needs is that stack's parameter, filled from the
//! key stack's output. IAM stacks are deployed in the account's first Region in sorted order
//! (*inferred*: IAM is global, any Region would do).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::ExportError;
use crate::aws_cli::{profile_var, script_preamble};
use crate::plan::{KeyCreation, KeyIdOf, Piece, Plan};

/// The layers of an account's resources, in deploy order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    Roles,
    Keys,
    KeyReplicas,
    RolePolicies,
    Buckets,
}

impl Layer {
    const fn word(self) -> &'static str {
        match self {
            Layer::Roles => "roles",
            Layer::Keys => "keys",
            Layer::KeyReplicas => "key-replicas",
            Layer::RolePolicies => "role-policies",
            Layer::Buckets => "buckets",
        }
    }
}

/// A stack: its layer, account and Region.
type StackKey = (Layer, String, String);

/// One stack being written.
#[derive(Debug)]
struct Stack {
    account: String,
    region: String,
    layer: Layer,
    name: String,
    resources: Map<String, Value>,
    /// Parameter name -> the key whose id it is.
    parameters: BTreeMap<String, KeyIdOf>,
    outputs: Map<String, Value>,
}

pub(crate) fn render(plan: &Plan) -> Result<BTreeMap<String, String>, ExportError> {
    let home = |account: &str| -> String {
        let mut regions: Vec<&str> = plan
            .keys
            .iter()
            .filter(|k| k.account == account)
            .map(|k| k.region.as_str())
            .chain(
                plan.buckets
                    .iter()
                    .filter(|b| b.account == account)
                    .map(|b| b.region.as_str()),
            )
            .collect();
        regions.sort_unstable();
        regions
            .first()
            .map_or_else(|| "us-east-1".to_owned(), |r| (*r).to_owned())
    };
    let mut stacks: BTreeMap<StackKey, Stack> = BTreeMap::new();
    let mut stack = |layer: Layer, account: &str, region: &str| -> StackKey {
        let key = (layer, account.to_owned(), region.to_owned());
        stacks.entry(key.clone()).or_insert_with(|| Stack {
            account: account.to_owned(),
            region: region.to_owned(),
            layer,
            name: stack_name(&plan.scenario, account, layer, region),
            resources: Map::new(),
            parameters: BTreeMap::new(),
            outputs: Map::new(),
        });
        key
    };

    // Where each created key lives, to write `Ref`s inside its stack and parameters elsewhere.
    let mut key_home: BTreeMap<usize, StackKey> = BTreeMap::new();
    for (idx, k) in plan.keys.iter().enumerate() {
        let layer = match k.creation {
            KeyCreation::MultiRegionReplica { .. } => Layer::KeyReplicas,
            _ => Layer::Keys,
        };
        key_home.insert(idx, stack(layer, &k.account, &k.region));
    }
    let mut role_keys = BTreeMap::new();
    for r in &plan.roles {
        role_keys.insert(
            r.name.clone(),
            stack(Layer::Roles, &r.account, &home(&r.account)),
        );
        if !r.policies.is_empty() {
            stack(Layer::RolePolicies, &r.account, &home(&r.account));
        }
    }
    for b in &plan.buckets {
        stack(Layer::Buckets, &b.account, &b.region);
    }

    let mut problems = Vec::new();
    for r in &plan.roles {
        let at = role_keys[&r.name].clone();
        let mut cx = Cx {
            plan,
            at: &at,
            key_home: &key_home,
            own_key: None,
            parameters: BTreeMap::new(),
        };
        let resource = json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "RoleName": r.role_name,
                "Path": r.path,
                "Description": format!("replication-lab scenario {}: role {}", plan.scenario, r.name),
                "AssumeRolePolicyDocument": cx.doc(&r.trust),
            },
        });
        let s = stacks.get_mut(&at).expect("made above");
        s.resources.insert(logical(&r.name, "Role"), resource);
        if !r.policies.is_empty() {
            let at = (Layer::RolePolicies, r.account.clone(), home(&r.account));
            let mut cx = Cx {
                plan,
                at: &at,
                key_home: &key_home,
                own_key: None,
                parameters: BTreeMap::new(),
            };
            let mut resources = Vec::new();
            for (name, doc) in &r.policies {
                resources.push((
                    logical(&format!("{}_{name}", r.name), "Policy"),
                    json!({
                        "Type": "AWS::IAM::RolePolicy",
                        "Properties": {
                            "RoleName": r.role_name,
                            "PolicyName": name,
                            "PolicyDocument": cx.doc(doc),
                        },
                    }),
                ));
            }
            let params = cx.parameters;
            let s = stacks.get_mut(&at).expect("made above");
            s.resources.extend(resources);
            s.parameters.extend(params);
        }
    }

    for (idx, k) in plan.keys.iter().enumerate() {
        let at = key_home[&idx].clone();
        let mut cx = Cx {
            plan,
            at: &at,
            key_home: &key_home,
            own_key: Some(idx),
            parameters: BTreeMap::new(),
        };
        let id = logical(&k.name, "Key");
        let description = format!("replication-lab scenario {}: key {}", plan.scenario, k.name);
        let resource = match k.creation {
            KeyCreation::SingleRegion | KeyCreation::MultiRegionPrimary => json!({
                "Type": "AWS::KMS::Key",
                "Properties": {
                    "Description": description,
                    "Enabled": k.enabled,
                    "KeySpec": "SYMMETRIC_DEFAULT",
                    "KeyUsage": "ENCRYPT_DECRYPT",
                    "MultiRegion": k.creation == KeyCreation::MultiRegionPrimary,
                    "KeyPolicy": cx.doc(&k.policy),
                },
            }),
            KeyCreation::MultiRegionReplica { primary } => json!({
                "Type": "AWS::KMS::ReplicaKey",
                "Properties": {
                    "Description": description,
                    "Enabled": k.enabled,
                    "PrimaryKeyArn": cx.string(&plan.keys[primary].arn),
                    "KeyPolicy": cx.doc(&k.policy),
                },
            }),
        };
        let mut resources = vec![(id.clone(), resource)];
        for (i, alias) in k.aliases.iter().enumerate() {
            resources.push((
                format!("{}Alias{}", logical(&k.name, ""), i + 1),
                json!({
                    "Type": "AWS::KMS::Alias",
                    "Properties": { "AliasName": alias, "TargetKeyId": { "Ref": id } },
                }),
            ));
        }
        if !k.grants.is_empty() {
            problems.push(format!(
                "key `{}` has grants, and CloudFormation has no resource for KMS grants: create them with `aws kms create-grant` after deploying (the aws-cli export has the inputs)",
                k.name
            ));
        }
        let params = cx.parameters;
        let s = stacks.get_mut(&at).expect("made above");
        s.resources.extend(resources);
        s.parameters.extend(params);
        s.outputs.insert(
            format!("{id}Id"),
            json!({ "Description": format!("key id of key {}", k.name), "Value": { "Ref": id } }),
        );
    }

    for b in &plan.buckets {
        let at = (Layer::Buckets, b.account.clone(), b.region.clone());
        let mut cx = Cx {
            plan,
            at: &at,
            key_home: &key_home,
            own_key: None,
            parameters: BTreeMap::new(),
        };
        let id = logical(&b.name, "Bucket");
        let mut props = Map::new();
        props.insert("BucketName".into(), json!(b.s3_name));
        if let Some(status) = b.versioning {
            props.insert(
                "VersioningConfiguration".into(),
                json!({ "Status": status }),
            );
        }
        let mut default = Map::new();
        default.insert("SSEAlgorithm".into(), json!(b.encryption.algorithm));
        if let Some(key) = &b.encryption.kms_key {
            default.insert("KMSMasterKeyID".into(), cx.string(key));
        }
        let blocked = if b.encryption.blocks_sse_c {
            "SSE-C"
        } else {
            "NONE"
        };
        props.insert(
            "BucketEncryption".into(),
            json!({ "ServerSideEncryptionConfiguration": [{
                "ServerSideEncryptionByDefault": default,
                "BucketKeyEnabled": b.encryption.bucket_key,
                "BlockedEncryptionTypes": { "EncryptionType": [blocked] },
            }] }),
        );
        if b.object_lock {
            props.insert("ObjectLockEnabled".into(), json!(true));
        }
        if b.requester_pays {
            problems.push(format!(
                "bucket `{}` is Requester Pays, which AWS::S3::Bucket cannot set: run `aws s3api put-bucket-request-payment` after deploying (the aws-cli export has the input)",
                b.name
            ));
        }
        let mut depends = Vec::new();
        if let Some(r) = plan.replications.iter().find(|r| r.bucket == b.name) {
            props.insert(
                "ReplicationConfiguration".into(),
                replication(&mut cx, &r.configuration),
            );
            for d in &r.destinations {
                if let Some(dest) = plan.bucket(d)
                    && dest.account == b.account
                    && dest.region == b.region
                    && d != &b.name
                {
                    depends.push(json!(logical(d, "Bucket")));
                }
            }
        }
        let mut resource = json!({ "Type": "AWS::S3::Bucket", "Properties": props });
        if !depends.is_empty() {
            resource["DependsOn"] = Value::Array(depends);
        }
        let mut resources = vec![(id.clone(), resource)];
        if let Some(policy) = &b.policy {
            resources.push((
                logical(&b.name, "BucketPolicy"),
                json!({
                    "Type": "AWS::S3::BucketPolicy",
                    "Properties": { "Bucket": { "Ref": id }, "PolicyDocument": cx.doc(policy) },
                }),
            ));
        }
        let params = cx.parameters;
        let s = stacks.get_mut(&at).expect("made above");
        s.resources.extend(resources);
        s.parameters.extend(params);
    }

    let order = deploy_order(plan, &stacks).map_err(|cycle| ExportError::Unsupported {
        scenario: plan.scenario.clone(),
        format: "cloudformation".to_owned(),
        problems: vec![format!(
            "the buckets of stacks {} replicate into each other, so no deploy order creates every destination before its source; export as aws-cli or terraform",
            cycle.join(" and ")
        )],
    })?;

    let width = order.len().to_string().len().max(2);
    let mut files = BTreeMap::new();
    let mut file_of = BTreeMap::new();
    for (i, key) in order.iter().enumerate() {
        let s = &stacks[key];
        let file = format!("{:0width$}-{}.json", i + 1, s.name);
        file_of.insert(key.clone(), file.clone());
        let mut template = Map::new();
        template.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
        template.insert(
            "Description".into(),
            json!(format!(
                "replication-lab scenario {}: {} of account {} ({}) in {}",
                plan.scenario,
                s.layer.word(),
                s.account,
                plan.account(&s.account)
                    .map(|a| a.id.as_str())
                    .unwrap_or_default(),
                s.region
            )),
        );
        if !s.parameters.is_empty() {
            let mut params = Map::new();
            for (name, of) in &s.parameters {
                params.insert(
                    name.clone(),
                    json!({ "Type": "String", "Description": param_description(plan, *of) }),
                );
            }
            template.insert("Parameters".into(), Value::Object(params));
        }
        template.insert("Resources".into(), Value::Object(s.resources.clone()));
        if !s.outputs.is_empty() {
            template.insert("Outputs".into(), Value::Object(s.outputs.clone()));
        }
        let mut text = serde_json::to_string_pretty(&Value::Object(template)).unwrap_or_default();
        text.push('\n');
        files.insert(file, text);
    }
    files.insert(
        "deploy.sh".to_owned(),
        script(plan, &stacks, &order, &file_of, &key_home),
    );
    files.insert(
        "README.md".to_owned(),
        readme(plan, &stacks, &order, &file_of, &problems),
    );
    Ok(files)
}

/// Writing one stack's documents: strings with key ids become `Fn::Sub`.
struct Cx<'a> {
    plan: &'a Plan,
    at: &'a StackKey,
    key_home: &'a BTreeMap<usize, StackKey>,
    /// The key whose own properties are being written: a `Ref` to it from there would be a
    /// circular dependency, so its id comes from a related key's stack instead.
    own_key: Option<usize>,
    parameters: BTreeMap<String, KeyIdOf>,
}

impl Cx<'_> {
    fn doc(&mut self, v: &Value) -> Value {
        match v {
            Value::String(s) => self.string(s),
            Value::Array(items) => Value::Array(items.iter().map(|i| self.doc(i)).collect()),
            Value::Object(m) => {
                Value::Object(m.iter().map(|(k, v)| (k.clone(), self.doc(v))).collect())
            }
            other => other.clone(),
        }
    }

    fn string(&mut self, s: &str) -> Value {
        let pieces = self.plan.pieces(s);
        if !pieces.iter().any(|p| matches!(p, Piece::KeyId(_))) {
            return json!(s);
        }
        let mut sub = String::new();
        for p in pieces {
            match p {
                // `${` is Fn::Sub's own syntax; `${!` writes it literally (IAM policy variables).
                Piece::Lit(text) => sub.push_str(&text.replace("${", "${!")),
                Piece::KeyId(of) => {
                    let name = self.key_id_name(of);
                    let _ = write!(sub, "${{{name}}}");
                }
            }
        }
        json!({ "Fn::Sub": sub })
    }

    /// A `Ref` inside the key's own stack (a key's `Ref` is its key id), else a parameter.
    fn key_id_name(&mut self, of: KeyIdOf) -> String {
        if let KeyIdOf::Created(primary) = of {
            // Related multi-Region keys share the id: any of them in this stack will do.
            for (idx, k) in self.plan.keys.iter().enumerate() {
                let related =
                    idx == primary || k.creation == (KeyCreation::MultiRegionReplica { primary });
                if related && self.own_key != Some(idx) && self.key_home.get(&idx) == Some(self.at)
                {
                    return logical(&k.name, "Key");
                }
            }
        }
        let name = param_name(self.plan, of);
        self.parameters.insert(name.clone(), of);
        name
    }
}

fn param_name(plan: &Plan, of: KeyIdOf) -> String {
    match of {
        KeyIdOf::Created(idx) => format!("{}Id", logical(&plan.keys[idx].name, "Key")),
        KeyIdOf::Managed(idx) => {
            let m = &plan.managed_keys[idx];
            format!(
                "AwsS3Key{}{}Id",
                logical(&m.account, ""),
                logical(&m.region, "")
            )
        }
    }
}

fn param_description(plan: &Plan, of: KeyIdOf) -> String {
    match of {
        KeyIdOf::Created(idx) => format!(
            "key id of key {} (output of its stack)",
            plan.keys[idx].name
        ),
        KeyIdOf::Managed(idx) => {
            let m = &plan.managed_keys[idx];
            format!(
                "key id of the AWS managed key aws/s3 of account {} in {} (aws kms describe-key --key-id alias/aws/s3)",
                m.account, m.region
            )
        }
    }
}

/// A `ReplicationConfiguration` in CloudFormation's spelling of the S3 API's elements.
fn replication(cx: &mut Cx<'_>, config: &Value) -> Value {
    fn rename(api: &str) -> &str {
        match api {
            "ID" => "Id",
            "Tag" => "TagFilter",
            "Tags" => "TagFilters",
            other => other,
        }
    }
    fn walk(cx: &mut Cx<'_>, v: &Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (rename(k).to_owned(), walk(cx, v)))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|i| walk(cx, i)).collect()),
            Value::String(s) => cx.string(s),
            other => other.clone(),
        }
    }
    walk(cx, config)
}

/// Stacks in deploy order: by layer; bucket stacks after the stacks of their destinations.
fn deploy_order(
    plan: &Plan,
    stacks: &BTreeMap<StackKey, Stack>,
) -> Result<Vec<StackKey>, Vec<String>> {
    let mut order: Vec<StackKey> = stacks
        .keys()
        .filter(|k| k.0 != Layer::Buckets)
        .cloned()
        .collect();
    order.sort();
    // Bucket stacks: the stacks a stack's buckets replicate into come first.
    let mut needs: BTreeMap<StackKey, BTreeSet<StackKey>> = BTreeMap::new();
    for key in stacks.keys().filter(|k| k.0 == Layer::Buckets) {
        needs.entry(key.clone()).or_default();
    }
    for r in &plan.replications {
        let Some(src) = plan.bucket(&r.bucket) else {
            continue;
        };
        let from = (Layer::Buckets, src.account.clone(), src.region.clone());
        for d in &r.destinations {
            if let Some(dest) = plan.bucket(d) {
                let to = (Layer::Buckets, dest.account.clone(), dest.region.clone());
                if to != from {
                    needs.entry(from.clone()).or_default().insert(to);
                }
            }
        }
    }
    while !needs.is_empty() {
        let ready = needs
            .iter()
            .find(|(_, deps)| deps.iter().all(|d| !needs.contains_key(d)))
            .map(|(k, _)| k.clone());
        match ready {
            Some(k) => {
                needs.remove(&k);
                order.push(k);
            }
            None => {
                return Err(needs
                    .keys()
                    .map(|k| format!("`{}`", stacks[k].name))
                    .collect());
            }
        }
    }
    Ok(order)
}

fn stack_name(scenario: &str, account: &str, layer: Layer, region: &str) -> String {
    let raw = match layer {
        Layer::Roles | Layer::RolePolicies => format!("{scenario}-{account}-{}", layer.word()),
        _ => format!("{scenario}-{account}-{region}-{}", layer.word()),
    };
    raw.replace('_', "-")
}

/// A CloudFormation logical id (alphanumeric) from a scenario name and a suffix.
fn logical(name: &str, suffix: &str) -> String {
    let mut out = String::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out.push_str(suffix);
    out
}

fn script(
    plan: &Plan,
    stacks: &BTreeMap<StackKey, Stack>,
    order: &[StackKey],
    file_of: &BTreeMap<StackKey, String>,
    key_home: &BTreeMap<usize, StackKey>,
) -> String {
    let mut s = script_preamble(
        plan,
        &format!("the stacks of scenario `{}` in order", plan.scenario),
    );
    s.push_str(
        "\n# output PROFILE REGION STACK KEY: one output of a deployed stack.\n\
         output() {\n  \
           aws cloudformation describe-stacks --profile \"$1\" --region \"$2\" --stack-name \"$3\" \\\n    \
             --query \"Stacks[0].Outputs[?OutputKey=='$4'].OutputValue\" --output text\n\
         }\n",
    );
    for key in order {
        let st = &stacks[key];
        let profile = profile_var(&st.account);
        let _ = writeln!(s);
        let mut overrides = Vec::new();
        for (name, of) in &st.parameters {
            let value = match *of {
                KeyIdOf::Created(idx) => {
                    let home = &stacks[&key_home[&idx]];
                    format!(
                        "$(output \"${}\" {} {} {name})",
                        profile_var(&home.account),
                        home.region,
                        home.name
                    )
                }
                KeyIdOf::Managed(idx) => {
                    let m = &plan.managed_keys[idx];
                    format!(
                        "$(aws kms describe-key --profile \"${}\" --region {} --key-id alias/aws/s3 --query KeyMetadata.KeyId --output text)",
                        profile_var(&m.account),
                        m.region
                    )
                }
            };
            overrides.push(format!("{name}=\"{value}\""));
        }
        let _ = write!(
            s,
            "aws cloudformation deploy --profile \"${profile}\" --region {} --stack-name {} \\\n  --template-file {} --capabilities CAPABILITY_NAMED_IAM",
            st.region, st.name, file_of[key]
        );
        if !overrides.is_empty() {
            let _ = write!(s, " \\\n  --parameter-overrides {}", overrides.join(" "));
        }
        s.push('\n');
    }
    let _ = writeln!(s, "echo \"deployed scenario {}\"", plan.scenario);
    s
}

fn readme(
    plan: &Plan,
    stacks: &BTreeMap<StackKey, Stack>,
    order: &[StackKey],
    file_of: &BTreeMap<StackKey, String>,
    problems: &[String],
) -> String {
    let mut s = format!(
        "# Scenario `{}` as CloudFormation\n\n\
         Written by `cargo xtask export --format cloudformation`. A stack is regional and IAM and\n\
         KMS name each other, so each account's resources are split into layers. Deploy the\n\
         templates in this order (`deploy.sh` does, passing each key id from the stack that\n\
         creates the key to the stacks that name it):\n\n",
        plan.scenario
    );
    for key in order {
        let st = &stacks[key];
        let _ = write!(
            s,
            "1. `{}`: stack `{}`, account `{}`, {}",
            file_of[key], st.name, st.account, st.region
        );
        if !st.parameters.is_empty() {
            let names: Vec<&str> = st.parameters.keys().map(String::as_str).collect();
            let _ = write!(s, "; parameters {}", names.join(", "));
        }
        s.push('\n');
    }
    s.push_str(
        "\nRoles come first because KMS and S3 refuse a policy that names a principal that does not\n\
         exist yet; a destination bucket's stack comes before the stack whose bucket replicates\n\
         into it, because S3 refuses a replication configuration whose destination does not exist\n\
         or is not versioned.\n\n",
    );
    if !problems.is_empty() {
        s.push_str("## Not expressible in CloudFormation\n\n");
        for p in problems {
            let _ = writeln!(s, "- {p}");
        }
        s.push('\n');
    }
    s.push_str(&crate::aws_cli::choices(plan));
    s.push_str("- IAM stacks are deployed in the account's first Region in sorted order (inferred: IAM is global)\n");
    s
}
