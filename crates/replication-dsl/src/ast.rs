//! The syntax tree of a scenario suite, with a span on every part a problem can point at.
//!
//! The tree keeps what the user wrote: names stay unresolved identifiers (a principal `prod` is
//! not yet known to be an account) and policies from files are not read yet. [`crate::lower`]
//! turns it into the model's plain-data spec and records where each spec field came from.

use proc_macro2::Ident;
use replication_spec::spec::{
    BatchStatus, Body, BucketRef, ConditionSpec, Effect, EventName, ExpectedStatus, FailureReason,
    FilterSpec, InitialKeyState, KeyRef, MetricName, ObjectOwner, RoleRef, RuleSetName,
    StatementSelector, Versioning,
};
use syn::LitStr;

use crate::error::{DslError, SpanRange};

/// A value and the tokens it was written with.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// The tokens that wrote it.
    pub range: SpanRange,
}

impl<T> Spanned<T> {
    /// A value written by `range`.
    pub fn new(value: T, range: impl Into<SpanRange>) -> Self {
        Spanned {
            value,
            range: range.into(),
        }
    }
}

/// Every scenario of one macro invocation or one scenario file.
#[derive(Debug, Clone, Default)]
pub struct Suite {
    /// The scenarios in order.
    pub scenarios: Vec<Scenario>,
}

/// One scenario: `/// doc` then `name { statements }`.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The doc comment, lines joined with `\n`, one leading space per line removed.
    pub doc: String,
    /// The scenario name, which becomes the test function's name.
    pub name: Ident,
    /// The statements in order.
    pub stmts: Vec<Stmt>,
    /// The errors parsing found inside this scenario. A scenario with any is not lowered or
    /// validated, so a statement that failed to parse causes no second wave of errors.
    pub syntax_errors: Vec<DslError>,
}

/// One statement of a scenario body.
#[derive(Debug, Clone)]
pub enum Stmt {
    /// `rules aws_2026;`
    Rules {
        keyword: Ident,
        rule_set: Spanned<RuleSetName>,
    },
    Account(AccountDef),
    Key(KeyDef),
    Bucket(BucketDef),
    Role(RoleDef),
    /// Anything that becomes a [`replication_spec::spec::Step`].
    Step(StepDef),
}

/// `account prod = 111122223333 { org: "o-a1b2c3d4e5" };`
#[derive(Debug, Clone)]
pub struct AccountDef {
    pub name: Ident,
    pub id: Spanned<String>,
    pub org: Option<Spanned<String>>,
}

/// How a key is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCtor {
    /// `kms(account, "region")`
    Kms,
    /// `kms_mrk(account, "region")`
    KmsMrk,
    /// `replica_of(primary, "region")`
    ReplicaOf,
    /// `aws_managed(account, "region")`
    AwsManaged,
}

/// `key name = kms(prod, "us-east-1") { ... };`
#[derive(Debug, Clone)]
pub struct KeyDef {
    pub name: Ident,
    pub ctor: Spanned<KeyCtor>,
    /// The account, or the primary key of `replica_of`.
    pub owner: Ident,
    pub region: Spanned<String>,
    /// `id: "1234abcd-..."`, the KMS key id.
    pub key_id: Option<Spanned<String>>,
    pub state: Option<Spanned<InitialKeyState>>,
    pub aliases: Vec<Spanned<String>>,
    pub grants: Vec<GrantDef>,
    pub policy: Option<PolicyDef>,
}

/// `grant: replicator [Decrypt, Encrypt] context { "aws:s3:arn": "..." }`
#[derive(Debug, Clone)]
pub struct GrantDef {
    /// From `grant` to the end of the grant.
    pub range: SpanRange,
    pub grantee: Spanned<Principal>,
    /// Operation names without `kms:`.
    pub operations: Vec<Spanned<String>>,
    pub context: Vec<(String, String)>,
}

/// A policy: statements written in the language, or AWS JSON.
#[derive(Debug, Clone)]
pub struct PolicyDef {
    /// The `policy` or `trust` keyword.
    pub keyword: SpanRange,
    pub body: PolicyBody,
}

/// What a [`PolicyDef`] holds.
#[derive(Debug, Clone)]
pub enum PolicyBody {
    Statements(Vec<StatementDef>),
    /// `json r#"{...}"#`
    Json(LitStr),
    /// `json_file "policies/x.json"`, read when lowering.
    JsonFile(LitStr),
}

/// `sid Name allow [actions] on resources by principals when conditions;`
#[derive(Debug, Clone)]
pub struct StatementDef {
    /// The whole statement without its `;`.
    pub range: SpanRange,
    pub sid: Option<Spanned<String>>,
    pub effect: Spanned<Effect>,
    pub not_action: bool,
    pub actions: Vec<Spanned<String>>,
    pub resources: Vec<Spanned<Resource>>,
    pub principals: Vec<Spanned<Principal>>,
    pub conditions: Vec<Spanned<ConditionSpec>>,
}

/// A principal as written; names are resolved when lowering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// `*`
    Anyone,
    /// `account(prod)`
    Account(String),
    /// `role(replicator)`
    Role(String),
    /// `s3.amazonaws.com`, or `s3` in `trust`.
    Service(String),
    /// A bare name: a role or an account of the scenario.
    Name(String),
    /// `"arn:aws:iam::111122223333:root"` or `"111122223333"`.
    Literal(String),
}

/// A resource as written; names are resolved when lowering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// `*`
    Any,
    /// A bare name: a bucket or a key of the scenario.
    Name(String),
    /// `source/*`, `source/reports/*`
    Objects { bucket: String, pattern: String },
    /// `"arn:aws:s3:::other/*"`
    Arn(String),
}

/// `bucket source = s3(prod, "us-east-1") { versioning, encryption: sse_kms(k) };`
#[derive(Debug, Clone)]
pub struct BucketDef {
    pub name: Ident,
    pub account: Ident,
    pub region: Spanned<String>,
    /// `name: "acme.prod-data"`, the S3 bucket name.
    pub s3_name: Option<Spanned<String>>,
    pub versioning: Option<Spanned<Versioning>>,
    pub encryption: Option<EncryptionDef>,
    pub bucket_key: Option<Spanned<bool>>,
    pub block_sse_c: Option<Spanned<bool>>,
    pub object_lock: Option<Spanned<bool>>,
    pub requester_pays: Option<Spanned<bool>>,
    pub policy: Option<PolicyDef>,
    /// `versioning: json_file "get-bucket-versioning.json"`.
    pub versioning_json: Option<JsonText>,
    /// `encryption: json_file "get-bucket-encryption.json"`: default encryption, Bucket Key and
    /// `BlockedEncryptionTypes` at once.
    pub encryption_json: Option<JsonText>,
}

/// The kind of an encryption setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncryptionKind {
    SseS3,
    SseKms,
    DsseKms,
    SseC,
}

/// `sse_s3`, `sse_kms(key, bucket_key)`, `dsse_kms(key)`, `sse_c(customer_key)`.
#[derive(Debug, Clone)]
pub struct EncryptionDef {
    /// The whole encryption value.
    pub range: SpanRange,
    pub kind: Spanned<EncryptionKind>,
    pub key: Option<Spanned<KeyRef>>,
    pub bucket_key: Option<Spanned<bool>>,
    /// The name of an SSE-C customer key.
    pub customer_key: Option<Spanned<String>>,
}

/// `role replicator = iam(prod) { trust s3; allow ...; policy name { ... }; };`
#[derive(Debug, Clone)]
pub struct RoleDef {
    pub name: Ident,
    pub account: Ident,
    /// `name: "s3-crr-prod-data"`, the IAM role name.
    pub role_name: Option<Spanned<String>>,
    /// `path: "/service-role/"`, the IAM path.
    pub path: Option<Spanned<String>>,
    pub trust: Option<PolicyDef>,
    /// Named policies, with the statements written directly in the role body gathered into one
    /// policy named [`INLINE_POLICY`] at the place of the first such statement.
    pub policies: Vec<NamedPolicyDef>,
}

/// The name of the identity policy that gathers statements written directly in a role body.
pub const INLINE_POLICY: &str = "inline";

/// `policy name { ... };` in a role.
#[derive(Debug, Clone)]
pub struct NamedPolicyDef {
    pub name: Spanned<String>,
    pub policy: PolicyDef,
}

/// A step and its leading keyword.
#[derive(Debug, Clone)]
pub struct StepDef {
    /// The keyword that starts the step (`put`, `expect`, ...).
    pub keyword: SpanRange,
    pub kind: StepKind,
}

/// The steps of a scenario.
#[derive(Debug, Clone)]
pub enum StepKind {
    Replication(ReplicationDef),
    Put(PutDef),
    /// `delete source "k";` or `delete source "k" version 1;`
    Delete {
        bucket: Ident,
        key: Spanned<String>,
        version: Option<Spanned<u32>>,
    },
    /// `tag source "k" { env: "prod" };`
    Tagging {
        bucket: Ident,
        key: Spanned<String>,
        tags: Spanned<Vec<(String, String)>>,
    },
    /// `replicate;`
    Replicate,
    /// `batch_replicate source [failed, none];`
    BatchReplicate {
        bucket: Ident,
        statuses: Spanned<Vec<BatchStatus>>,
    },
    /// `wait 16 min;`
    Wait(Spanned<u64>),
    Fault(FaultDef),
    Expect(ExpectDef),
}

/// `replication source via replicator { rule ... };` or `replication source json_file "r.json";`
#[derive(Debug, Clone)]
pub struct ReplicationDef {
    pub bucket: Ident,
    pub body: ReplicationBody,
}

/// Where a replication configuration's role and rules come from.
#[derive(Debug, Clone)]
pub enum ReplicationBody {
    /// `via role { rule ...; }`
    Rules {
        role: Spanned<RoleRef>,
        rules: Vec<RuleDef>,
    },
    /// `json "..."` or `json_file "..."`: AWS's JSON, the role taken from its `Role` ARN.
    Json(JsonText),
}

/// AWS JSON written inline or named by a file, and the `json`/`json_file` keyword's span.
#[derive(Debug, Clone)]
pub struct JsonText {
    pub keyword: SpanRange,
    pub lit: LitStr,
    pub file: bool,
}

/// `rule to_eu { priority: 1, ... };`
#[derive(Debug, Clone)]
pub struct RuleDef {
    /// `rule` and its ID.
    pub head: SpanRange,
    pub id: Option<Spanned<String>>,
    pub priority: Option<Spanned<u32>>,
    pub status: Option<Spanned<bool>>,
    pub filter: Option<Spanned<FilterSpec>>,
    pub delete_marker_replication: Option<Spanned<bool>>,
    pub destination: Spanned<BucketRef>,
    pub account: Option<Spanned<String>>,
    pub storage_class: Option<Spanned<String>>,
    pub owner_override: Option<Spanned<bool>>,
    pub replica_kms_key: Option<Spanned<KeyRef>>,
    pub replication_time: Option<Spanned<(bool, u32)>>,
    pub metrics: Option<Spanned<(bool, Option<u32>)>>,
    pub sse_kms_encrypted_objects: Option<Spanned<bool>>,
    pub replica_modifications: Option<Spanned<bool>>,
}

/// `put source "k" = 4 KiB with sse_kms(k) { tags: {...} };`
#[derive(Debug, Clone)]
pub struct PutDef {
    pub bucket: Ident,
    pub key: Spanned<String>,
    pub body: Spanned<Body>,
    pub encryption: Option<EncryptionDef>,
    pub tags: Option<Spanned<Vec<(String, String)>>>,
    pub storage_class: Option<Spanned<String>>,
    pub owner: Option<Spanned<ObjectOwner>>,
}

/// Faults: changes to the world between steps.
#[derive(Debug, Clone)]
pub enum FaultDef {
    DisableKey(Ident),
    EnableKey(Ident),
    ScheduleKeyDeletion {
        key: Ident,
        days: Spanned<u32>,
    },
    CancelKeyDeletion(Ident),
    DeleteKeyMaterial(Ident),
    /// `revoke replicator.inline statement AllowDecrypt;`
    Revoke {
        target: PolicyTargetDef,
        statement: Spanned<StatementSelector>,
    },
    /// `add_statement src_key allow kms:Decrypt by replicator;`
    AddStatement {
        target: PolicyTargetDef,
        statement: StatementDef,
    },
    /// `set_versioning target Suspended;`
    SetVersioning {
        bucket: Ident,
        versioning: Spanned<Versioning>,
    },
    /// `region_unavailable "eu-west-1";` / `region_available "eu-west-1";`
    Region {
        available: bool,
        region: Spanned<String>,
    },
    /// `throttle_kms "us-east-1" on;`
    ThrottleKms {
        region: Spanned<String>,
        on: Spanned<bool>,
    },
    /// `block_sse_c target on;`
    BlockSseC {
        bucket: Ident,
        blocked: Spanned<bool>,
    },
}

/// The policy a fault changes: `src_key`, `source`, `replicator.trust` or `replicator.inline`.
#[derive(Debug, Clone)]
pub struct PolicyTargetDef {
    /// A key, bucket or role.
    pub owner: Ident,
    /// After the dot: `trust` or the name of one of the role's policies.
    pub part: Option<Ident>,
}

/// What an `expect` statement checks.
#[derive(Debug, Clone)]
pub enum ExpectDef {
    /// `expect replication source accepted;` / `... rejected InvalidRequest;`
    Config {
        bucket: Ident,
        verdict: Ident,
        /// The error code: `InvalidRequest`, `KMS.DisabledException` or either in quotes.
        code: Option<Spanned<String>>,
    },
    /// `expect put source "k" rejected AccessDenied;` / `... rejected KMS.DisabledException;`
    PutRejected {
        bucket: Ident,
        key: Spanned<String>,
        code: Spanned<String>,
    },
    /// `expect source "k" version 1 FAILED(DstKmsKeyInvalidState) with sse_kms(k);`
    Object {
        bucket: Ident,
        key: Spanned<String>,
        version: Option<Spanned<u32>>,
        status: Option<Spanned<ExpectedStatus>>,
        reason: Option<Spanned<FailureReason>>,
        encryption: Option<EncryptionDef>,
    },
    /// `expect metric source to_eu OperationsFailedReplication = 1;`
    Metric {
        bucket: Ident,
        rule: Spanned<String>,
        metric: Spanned<MetricName>,
        value: Spanned<u64>,
    },
    /// `expect event source to_eu OperationFailedReplication(DstKmsKeyInvalidState) = 1;`
    Event {
        bucket: Ident,
        rule: Spanned<String>,
        event: Spanned<EventName>,
        reason: Option<Spanned<FailureReason>>,
        count: Spanned<u64>,
    },
}
