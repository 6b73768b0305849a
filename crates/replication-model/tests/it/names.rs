//! Real AWS names and ids: bucket names, role names and paths, key ids and aliases resolve to the
//! ARNs AWS would show, real policies naming those ARNs match, and names AWS would refuse are
//! problems at the field that holds them, with AWS's naming rule.

use replication_model::spec::*;
use replication_model::{ProblemKind, ReplicationStatus};

use crate::fixture::*;

const SRC_KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const DST_KEY_ID: &str = "0987dcba-09fe-87dc-65ba-ab0987654321";

/// The fixture with the names of a real account.
fn real() -> ScenarioSpec {
    let mut spec = kms_cross_region();
    spec.buckets[0].s3_name = Some("acme.prod-data".into());
    spec.buckets[1].s3_name = Some("acme.prod-data.dr".into());
    spec.roles[0].role_name = Some("s3-crr-prod-data".into());
    spec.roles[0].path = Some("/service-role/".into());
    spec.keys[0].key_id = Some(SRC_KEY_ID.into());
    spec.keys[1].key_id = Some(DST_KEY_ID.into());
    spec.keys[1].aliases = vec!["alias/prod-data-dr".into()];
    spec
}

/// `aws iam get-role-policy` output naming the real ARNs, as the CLI prints it.
fn real_role_policy() -> PolicySpec {
    PolicySpec::Json(format!(
        r#"{{
    "RoleName": "s3-crr-prod-data",
    "PolicyName": "replication",
    "PolicyDocument": {{
        "Version": "2012-10-17",
        "Statement": [
            {{"Effect": "Allow", "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"], "Resource": "arn:aws:s3:::acme.prod-data"}},
            {{"Effect": "Allow", "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], "Resource": "arn:aws:s3:::acme.prod-data/*"}},
            {{"Effect": "Allow", "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], "Resource": "arn:aws:s3:::acme.prod-data.dr/*"}},
            {{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:{PROD}:key/{SRC_KEY_ID}"}},
            {{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "arn:aws:kms:eu-west-1:{PROD}:key/{DST_KEY_ID}"}}
        ]
    }}
}}"#
    ))
}

#[test]
fn real_names_make_the_arns_aws_shows() {
    let valid = replication_model::validate(real()).expect("valid");
    let cat = valid.catalog();
    assert_eq!(cat.buckets["source"].arn, "arn:aws:s3:::acme.prod-data");
    assert_eq!(cat.buckets["target"].s3_name, "acme.prod-data.dr");
    assert_eq!(
        cat.roles["replicator"].arn,
        format!("arn:aws:iam::{PROD}:role/service-role/s3-crr-prod-data")
    );
    assert_eq!(
        cat.keys["src_key"].arn,
        format!("arn:aws:kms:us-east-1:{PROD}:key/{SRC_KEY_ID}")
    );
    assert_eq!(cat.keys["dst_key"].key_id, DST_KEY_ID);
}

/// Generated ids stay as they were, so every existing report keeps its bytes.
#[test]
fn without_real_names_the_generated_ones_stay() {
    let valid = replication_model::validate(kms_cross_region()).expect("valid");
    let cat = valid.catalog();
    assert_eq!(cat.buckets["source"].s3_name, "source");
    assert_eq!(
        cat.roles["replicator"].arn,
        format!("arn:aws:iam::{PROD}:role/replicator")
    );
    assert_eq!(
        cat.keys["src_key"].key_id,
        replication_model::ids::single_region_key_id(PROD, "us-east-1", "src_key")
    );
}

/// aws-facts a.2, b: a real policy naming the real bucket and key ARNs matches, and the replica
/// key may be named by its alias ARN.
#[test]
fn a_real_policy_naming_real_arns_replicates() {
    let mut spec = real();
    spec.roles[0].policies[0].policy = real_role_policy();
    first_rule(&mut spec).destination.replica_kms_key = Some(KeyRef::Arn(format!(
        "arn:aws:kms:eu-west-1:{PROD}:alias/prod-data-dr"
    )));
    spec.steps
        .push(put("source", "exports/a.parquet", 4096, None));
    spec.steps.push(Step::Replicate);
    let out = run_raw(spec);
    assert_eq!(
        status(&out, "source", "exports/a.parquet"),
        Some(ReplicationStatus::Completed),
        "{}",
        out.report()
    );
    assert_eq!(
        status(&out, "target", "exports/a.parquet"),
        Some(ReplicationStatus::Replica)
    );
}

/// The same policy against made-up key ids: it names keys the scenario does not have, so the
/// role may not decrypt, a failure that does not exist in the account.
#[test]
fn made_up_key_ids_miss_real_policies() {
    let mut spec = real();
    spec.roles[0].policies[0].policy = real_role_policy();
    spec.keys[0].key_id = None;
    spec.steps
        .push(put("source", "exports/a.parquet", 4096, None));
    spec.steps.push(Step::Replicate);
    let out = run_raw(spec);
    assert_eq!(
        status(&out, "source", "exports/a.parquet"),
        Some(ReplicationStatus::Failed)
    );
}

#[test]
fn names_aws_refuses_are_problems_at_their_field() {
    let mut spec = real();
    spec.buckets[0].s3_name = Some("acme..prod".into());
    spec.roles[0].role_name = Some("service-role/s3-crr".into());
    spec.roles[0].path = Some("/service-role".into());
    spec.keys[0].key_id = Some("mrk-1234abcd12ab34cd56ef1234567890ab".into());
    spec.keys[1].aliases = vec!["alias/aws/prod".into()];
    let found: Vec<(Locus, ProblemKind, String)> = problems(spec)
        .into_iter()
        .map(|p| (p.locus, p.kind, p.message))
        .collect();
    let at = |item: Item, path: &str, needle: &str| {
        assert!(
            found
                .iter()
                .any(|(l, k, m)| *l == Locus::new(item.clone(), path)
                    && *k == ProblemKind::Malformed
                    && m.contains(needle)),
            "no problem at {item:?} `{path}` containing {needle:?} in {found:#?}"
        );
    };
    at(Item::Bucket("source".into()), "s3_name", "it contains `..`");
    at(
        Item::Bucket("source".into()),
        "s3_name",
        "3 to 63 lowercase letters",
    );
    at(
        Item::Role("replicator".into()),
        "role_name",
        "1 to 64 letters",
    );
    at(
        Item::Role("replicator".into()),
        "path",
        "begins and ends with `/`",
    );
    at(Item::Key("src_key".into()), "key_id", "kms_mrk");
    at(
        Item::Key("dst_key".into()),
        "aliases[0]",
        "`alias/aws/` is reserved",
    );
    assert_eq!(found.len(), 5, "{found:#?}");
}

/// aws-facts g: related multi-Region keys share one key id.
#[test]
fn a_replica_key_shares_its_primarys_id() {
    let mut spec = kms_cross_region();
    let mut primary = key(
        "mrk",
        KeyKind::MultiRegionPrimary {
            account: "prod".into(),
            region: "us-east-1".into(),
        },
    );
    primary.key_id = Some("mrk-1234abcd12ab34cd56ef1234567890ab".into());
    let mut replica = key(
        "mrk_eu",
        KeyKind::MultiRegionReplica {
            primary: "mrk".into(),
            region: "eu-west-1".into(),
        },
    );
    spec.keys.extend([primary, replica.clone()]);
    let valid = replication_model::validate(spec.clone()).expect("valid");
    assert_eq!(
        valid.catalog().keys["mrk_eu"].arn,
        format!("arn:aws:kms:eu-west-1:{PROD}:key/mrk-1234abcd12ab34cd56ef1234567890ab")
    );
    replica.key_id = Some("mrk-0987dcba09fe87dc65baab0987654321".into());
    *spec.keys.last_mut().unwrap() = replica;
    let p = problem(spec);
    assert_eq!(p.locus, Locus::new(Item::Key("mrk_eu".into()), "key_id"));
    assert!(p.message.contains("share one key id"), "{}", p.message);
}

/// Bucket names are global; key ids are unique in a Region; IAM role names are unique in an
/// account whatever their case.
#[test]
fn real_names_given_twice_are_duplicates() {
    let mut spec = real();
    spec.buckets[1].s3_name = Some("acme.prod-data".into());
    spec.keys[1].kind = single("prod", "us-east-1");
    spec.keys[1].key_id = Some(SRC_KEY_ID.into());
    let mut twin = spec.roles[0].clone();
    twin.name = "twin".into();
    twin.role_name = Some("S3-CRR-Prod-Data".into());
    twin.path = None;
    spec.roles.push(twin);
    let found: Vec<(Locus, String)> = problems(spec)
        .into_iter()
        .filter(|p| p.kind == ProblemKind::Duplicate)
        .map(|p| (p.locus, p.message))
        .collect();
    let at = |item: Item, path: &str, needle: &str| {
        assert!(
            found
                .iter()
                .any(|(l, m)| *l == Locus::new(item.clone(), path) && m.contains(needle)),
            "no duplicate at {item:?} `{path}` containing {needle:?} in {found:#?}"
        );
    };
    at(
        Item::Bucket("target".into()),
        "s3_name",
        "both have the S3 name `acme.prod-data`",
    );
    at(
        Item::Key("dst_key".into()),
        "key_id",
        &format!("both have key id `{SRC_KEY_ID}` in us-east-1"),
    );
    at(
        Item::Role("twin".into()),
        "role_name",
        "both have the IAM name `S3-CRR-Prod-Data`",
    );
    assert_eq!(found.len(), 3, "{found:#?}");
}
