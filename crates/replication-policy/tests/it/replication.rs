//! The policies a cross-account, cross-Region SSE-KMS replication setup needs (aws-facts a.2,
//! a.3, d.3, d.4, f), evaluated step by step as S3 would ask.

use replication_policy::{
    AccessContext, Context, Decision, DecisionEffect, LabelledPolicy, Policy, Principal, Request,
    ResourceKind, ResourcePolicy, evaluate_access,
};

const SRC_ACCT: &str = "111122223333";
const DST_ACCT: &str = "444455556666";
const ROLE: &str = "arn:aws:iam::111122223333:role/service-role/replicator";
const SRC_KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1111aaaa-11aa-11aa-11aa-111111aaaaaa";
const DST_KEY: &str = "arn:aws:kms:eu-west-1:444455556666:key/2222bbbb-22bb-22bb-22bb-222222bbbbbb";

/// The role policy of [U-PERM] / [U-KMSREPL], with the recommended KMS conditions.
const ROLE_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "SourceBucket", "Effect": "Allow",
     "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
     "Resource": "arn:aws:s3:::source"},
    {"Sid": "SourceObjects", "Effect": "Allow",
     "Action": ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
     "Resource": "arn:aws:s3:::source/*"},
    {"Sid": "DestinationObjects", "Effect": "Allow",
     "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
     "Resource": "arn:aws:s3:::dest/*"},
    {"Sid": "SourceKey", "Effect": "Allow", "Action": "kms:Decrypt",
     "Resource": "arn:aws:kms:us-east-1:111122223333:key/1111aaaa-11aa-11aa-11aa-111111aaaaaa",
     "Condition": {"StringLike": {"kms:ViaService": "s3.us-east-1.amazonaws.com",
                                  "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::source/*"}}},
    {"Sid": "ReplicaKey", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
     "Resource": "arn:aws:kms:eu-west-1:444455556666:key/2222bbbb-22bb-22bb-22bb-222222bbbbbb",
     "Condition": {"StringLike": {"kms:ViaService": "s3.eu-west-1.amazonaws.com",
                                  "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::dest/*"}}}
  ]
}"#;

/// Destination bucket policy of [U-PERM] a.3, refusing tags as the destination owner may.
const DEST_BUCKET_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ReplicaWrites", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:role/service-role/replicator"},
     "Action": ["s3:ReplicateObject", "s3:ReplicateDelete"], "Resource": "arn:aws:s3:::dest/*"},
    {"Sid": "Versioning", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::111122223333:role/service-role/replicator"},
     "Action": ["s3:List*", "s3:GetBucketVersioning", "s3:PutBucketVersioning"],
     "Resource": "arn:aws:s3:::dest"},
    {"Sid": "NoTags", "Effect": "Deny", "Principal": "*",
     "Action": "s3:ReplicateTags", "Resource": "arn:aws:s3:::dest/*"}
  ]
}"#;

/// The default key policy: the account root with `kms:*` enables IAM policies [K-DEFPOL].
const SOURCE_KEY_POLICY: &str = r#"{
  "Version": "2012-10-17", "Id": "key-default-1",
  "Statement": [{"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]
}"#;

/// Destination key: its own account root, plus the source account for replica encryption.
const DEST_KEY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "SourceAccountReplication", "Effect": "Allow",
     "Principal": {"AWS": "111122223333"},
     "Action": ["kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*"}
  ]
}"#;

const TRUST_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}]
}"#;

struct Setup {
    role: Policy,
    dest_bucket: Policy,
    source_key: Policy,
    dest_key: Policy,
    session: Principal,
}

impl Setup {
    fn new() -> Setup {
        let parse = |t: &str| Policy::parse_json(t).expect("documented policy parses");
        Setup {
            role: parse(ROLE_POLICY),
            dest_bucket: parse(DEST_BUCKET_POLICY),
            source_key: parse(SOURCE_KEY_POLICY),
            dest_key: parse(DEST_KEY_POLICY),
            session: Principal::assumed_role(ROLE, "s3-replication").expect("valid role"),
        }
    }

    fn ask(
        &self,
        action: &str,
        resource: &str,
        context: &Context,
        side: Option<ResourcePolicy<'_>>,
    ) -> Decision {
        let identity = [LabelledPolicy {
            label: "replicator",
            policy: &self.role,
        }];
        evaluate_access(
            &Request {
                principal: &self.session,
                action,
                resource,
                context,
            },
            &AccessContext {
                identity: &identity,
                resource: side,
                ..AccessContext::default()
            },
        )
    }

    fn source_bucket(&self) -> Option<ResourcePolicy<'_>> {
        Some(ResourcePolicy {
            kind: ResourceKind::S3Bucket,
            arn: "arn:aws:s3:::source",
            owner_account: SRC_ACCT,
            label: "source bucket",
            policy: None,
        })
    }

    fn dest_bucket(&self) -> Option<ResourcePolicy<'_>> {
        Some(ResourcePolicy {
            kind: ResourceKind::S3Bucket,
            arn: "arn:aws:s3:::dest",
            owner_account: DST_ACCT,
            label: "dest bucket",
            policy: Some(&self.dest_bucket),
        })
    }

    fn source_key(&self) -> Option<ResourcePolicy<'_>> {
        Some(ResourcePolicy {
            kind: ResourceKind::KmsKey,
            arn: SRC_KEY,
            owner_account: SRC_ACCT,
            label: "source key",
            policy: Some(&self.source_key),
        })
    }

    fn dest_key(&self) -> Option<ResourcePolicy<'_>> {
        Some(ResourcePolicy {
            kind: ResourceKind::KmsKey,
            arn: DST_KEY,
            owner_account: DST_ACCT,
            label: "dest key",
            policy: Some(&self.dest_key),
        })
    }
}

fn kms_context(region: &str, s3_arn: &str) -> Context {
    Context::new()
        .with("kms:ViaService", format!("s3.{region}.amazonaws.com"))
        .with("kms:EncryptionContext:aws:s3:arn", s3_arn)
        .with("kms:EncryptionContextKeys", "aws:s3:arn")
}

/// [U-PERM]: s3.amazonaws.com assumes the role through its trust policy alone.
#[test]
fn s3_assumes_the_replication_role() {
    let trust = Policy::parse_json(TRUST_POLICY).expect("valid");
    let s3 = Principal::service("s3.amazonaws.com");
    let decision = evaluate_access(
        &Request {
            principal: &s3,
            action: "sts:AssumeRole",
            resource: ROLE,
            context: &Context::new(),
        },
        &AccessContext {
            resource: Some(ResourcePolicy {
                kind: ResourceKind::RoleTrust,
                arn: ROLE,
                owner_account: SRC_ACCT,
                label: "trust",
                policy: Some(&trust),
            }),
            ..AccessContext::default()
        },
    );
    assert!(decision.is_allowed(), "{}", decision.explanation);
}

/// aws-facts a.2 + h: each replication step on the source is allowed by the role policy, and the
/// object wildcard does not cover the bucket-level actions.
#[test]
fn source_side_steps() {
    let s = Setup::new();
    let ctx = Context::new();
    for action in ["s3:GetReplicationConfiguration", "s3:ListBucket"] {
        assert!(
            s.ask(action, "arn:aws:s3:::source", &ctx, s.source_bucket())
                .is_allowed(),
            "{action}"
        );
        assert!(
            !s.ask(action, "arn:aws:s3:::source/x", &ctx, s.source_bucket())
                .is_allowed(),
            "{action} on object"
        );
    }
    for action in [
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionTagging",
    ] {
        let d = s.ask(
            action,
            "arn:aws:s3:::source/reports/q1.csv",
            &ctx,
            s.source_bucket(),
        );
        assert!(d.is_allowed(), "{action}: {}", d.explanation);
        assert_eq!(
            d.deciding[0].statement.sid.as_deref(),
            Some("SourceObjects")
        );
    }
}

/// aws-facts a.3 + h [I-XACCT]: the destination in another account needs the bucket policy too,
/// and its Deny on s3:ReplicateTags wins over the role's allow.
#[test]
fn destination_side_steps_across_accounts() {
    let s = Setup::new();
    let ctx = Context::new();
    let d = s.ask(
        "s3:ReplicateObject",
        "arn:aws:s3:::dest/reports/q1.csv",
        &ctx,
        s.dest_bucket(),
    );
    assert!(d.is_allowed(), "{}", d.explanation);
    assert_eq!(
        d.deciding.len(),
        2,
        "identity and bucket policy both decide"
    );
    let d = s.ask(
        "s3:ReplicateTags",
        "arn:aws:s3:::dest/reports/q1.csv",
        &ctx,
        s.dest_bucket(),
    );
    assert_eq!(d.effect, DecisionEffect::ExplicitDeny);
    assert_eq!(d.deciding[0].statement.sid.as_deref(), Some("NoTags"));
    // No bucket policy at all: the cross-account write is implicitly denied.
    let bare = ResourcePolicy {
        policy: None,
        ..s.dest_bucket().expect("set")
    };
    let d = s.ask(
        "s3:ReplicateObject",
        "arn:aws:s3:::dest/k",
        &ctx,
        Some(bare),
    );
    assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
    assert!(
        d.explanation.contains("has no bucket policy"),
        "{}",
        d.explanation
    );
}

/// aws-facts d.3 + f: Decrypt on the source key goes through the default key policy's
/// delegation to IAM; the role policy's conditions hold for S3 in the source Region.
#[test]
fn source_key_decrypt_via_iam_delegation() {
    let s = Setup::new();
    let ctx = kms_context("us-east-1", "arn:aws:s3:::source/reports/q1.csv");
    let d = s.ask("kms:Decrypt", SRC_KEY, &ctx, s.source_key());
    assert!(d.is_allowed(), "{}", d.explanation);
    let labels: Vec<&str> = d.deciding.iter().map(|x| x.policy_label.as_str()).collect();
    assert_eq!(labels, ["source key", "replicator"]);
    // Through another Region's endpoint, kms:ViaService no longer matches.
    let elsewhere = kms_context("eu-west-1", "arn:aws:s3:::source/reports/q1.csv");
    assert!(
        !s.ask("kms:Decrypt", SRC_KEY, &elsewhere, s.source_key())
            .is_allowed()
    );
}

/// aws-facts d.4: with a Bucket Key the encryption context is the bucket ARN, so the role's
/// `arn:aws:s3:::source/*` condition stops matching and Decrypt is implicitly denied.
#[test]
fn bucket_key_context_breaks_object_arn_conditions() {
    let s = Setup::new();
    let ctx = kms_context("us-east-1", "arn:aws:s3:::source");
    let d = s.ask("kms:Decrypt", SRC_KEY, &ctx, s.source_key());
    assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
    assert!(
        d.explanation
            .contains("delegates to account `111122223333`"),
        "{}",
        d.explanation
    );
    assert!(d.explanation.contains("no statement in identity policies of `arn:aws:iam::111122223333:role/service-role/replicator`"), "{}", d.explanation);
}

/// aws-facts d.3 + f [K-EVAL]: the replica key in the destination account must name the source
/// account in its key policy, and the role policy must allow as well.
#[test]
fn replica_key_encrypt_across_accounts() {
    let s = Setup::new();
    let ctx = kms_context("eu-west-1", "arn:aws:s3:::dest/reports/q1.csv");
    let d = s.ask("kms:Encrypt", DST_KEY, &ctx, s.dest_key());
    assert!(d.is_allowed(), "{}", d.explanation);
    assert_eq!(
        d.deciding[0].statement.sid.as_deref(),
        Some("SourceAccountReplication")
    );
    // A destination key policy with only its own root (the default) refuses the source account.
    let default_only = Policy::parse_json(r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kms:*","Resource":"*"}]}"#).expect("valid");
    let side = ResourcePolicy {
        policy: Some(&default_only),
        ..s.dest_key().expect("set")
    };
    let d = s.ask("kms:Encrypt", DST_KEY, &ctx, Some(side));
    assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
    assert!(d.explanation.contains("does not allow `arn:aws:iam::111122223333:role/service-role/replicator` or account `111122223333` (it does not delegate to IAM)"), "{}", d.explanation);
}

/// aws-facts a.2 [U-KMSREPL]: `s3:GetObjectVersion` is not a substitute for
/// `s3:GetObjectVersionForReplication`.
#[test]
fn get_object_version_is_not_get_object_version_for_replication() {
    let role = Policy::parse_json(r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObjectVersion","Resource":"arn:aws:s3:::source/*"}]}"#).expect("valid");
    let s = Setup::new();
    let identity = [LabelledPolicy {
        label: "replicator",
        policy: &role,
    }];
    let d = evaluate_access(
        &Request {
            principal: &s.session,
            action: "s3:GetObjectVersionForReplication",
            resource: "arn:aws:s3:::source/k",
            context: &Context::new(),
        },
        &AccessContext {
            identity: &identity,
            resource: s.source_bucket(),
            ..AccessContext::default()
        },
    );
    assert_eq!(d.effect, DecisionEffect::ImplicitDeny);
}
