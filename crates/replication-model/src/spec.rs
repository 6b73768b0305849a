//! The plain-data description of a scenario: what a user writes down, before any checking.
//!
//! Both front ends build this: the `replication_scenario!` DSL lowers into it, and Rust code may
//! build it directly. Nothing here is trusted; [`crate::validate()`] turns a [`ScenarioSpec`] into a
//! [`crate::ValidSpec`] (the only thing the engine runs) or returns every problem at once.
//!
//! Entities refer to each other by name (`String`), as the DSL does with identifiers, so that a
//! problem can name the item it concerns. Problems locate themselves with a [`Locus`]: the item and
//! a field path inside it, with the same spelling the DSL uses when it records token spans.

/// A whole scenario: definitions, then an ordered list of steps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScenarioSpec {
    /// Identifier of the scenario (the test name).
    pub name: String,
    /// What the scenario teaches (its doc comment); printed at the top of the report.
    pub doc: String,
    /// The rule set the scenario runs under.
    pub rule_set: RuleSetName,
    pub accounts: Vec<AccountSpec>,
    pub keys: Vec<KeySpec>,
    pub buckets: Vec<BucketSpec>,
    pub roles: Vec<RoleSpec>,
    /// Everything that happens, in order. A replication configuration takes effect at its step.
    pub steps: Vec<Step>,
}

/// Which documented behaviour of S3 a scenario runs under. See [`crate::rules::RuleSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum RuleSetName {
    /// The world of most study material: SSE-C objects are never replicated.
    #[default]
    ExamGuide,
    /// S3 as documented in 2026: SSE-C replicates as ciphertext; new buckets block SSE-C.
    Aws2026,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountSpec {
    pub name: String,
    /// Twelve digits.
    pub id: String,
    /// `aws:PrincipalOrgID` of principals in this account, if the account is in an organization.
    pub org_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpec {
    pub name: String,
    pub kind: KeyKind,
    /// `None`: the default key policy (delegates to the account root, so IAM policies apply).
    pub policy: Option<PolicySpec>,
    pub grants: Vec<GrantSpec>,
    /// Alias names without the `alias/` prefix.
    pub aliases: Vec<String>,
    /// State at the start of the scenario (faults change it later).
    pub initial_state: InitialKeyState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    /// A symmetric customer managed single-Region key.
    SingleRegion { account: String, region: String },
    /// The primary key of a multi-Region key set.
    MultiRegionPrimary { account: String, region: String },
    /// A replica made by `ReplicateKey` of the named primary into `region`.
    MultiRegionReplica { primary: String, region: String },
    /// The AWS managed key `aws/s3` of an account in a Region.
    AwsManagedS3 { account: String, region: String },
}

/// Key states a scenario may start a key in. Later states come from faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InitialKeyState {
    #[default]
    Enabled,
    Disabled,
    PendingImport,
    Unavailable,
    /// Only for a multi-Region replica that is still being created.
    Creating,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantSpec {
    pub grantee: PrincipalRef,
    /// KMS operation names without the `kms:` prefix, e.g. `Decrypt`.
    pub operations: Vec<String>,
    /// `EncryptionContextSubset` constraint: every pair must be in the request's context.
    pub encryption_context_subset: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSpec {
    pub name: String,
    pub account: String,
    pub region: String,
    pub versioning: Versioning,
    pub default_encryption: Option<DefaultEncryption>,
    /// S3 Bucket Key on the default SSE-KMS encryption.
    pub bucket_key: bool,
    pub policy: Option<PolicySpec>,
    /// `Some(true)`: SSE-C is blocked (`BlockedEncryptionTypes`); `None`: the rule set's default
    /// for a new bucket.
    pub block_sse_c: Option<bool>,
    pub object_lock: bool,
    pub requester_pays: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Versioning {
    #[default]
    Unversioned,
    Enabled,
    Suspended,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultEncryption {
    SseS3,
    SseKms { key: KeyRef },
    DsseKms { key: KeyRef },
}

/// A reference to a KMS key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRef {
    /// A key defined in the scenario.
    Named(String),
    /// The AWS managed key `aws/s3` of the bucket owner's account in the bucket's Region.
    AwsManagedS3,
    /// A literal key ARN or alias ARN, which may name a key that does not exist.
    Arn(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    pub name: String,
    pub account: String,
    /// The trust policy (who may `sts:AssumeRole`).
    pub trust: PolicySpec,
    /// Identity policies attached to the role, each with a name used in reports.
    pub policies: Vec<NamedPolicy>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPolicy {
    pub name: String,
    pub policy: PolicySpec,
}

/// A policy document, either built from the DSL's statements or given as AWS JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySpec {
    Statements(Vec<StatementSpec>),
    /// A JSON policy document in AWS's grammar. Problems in it are reported with a byte offset
    /// into this text.
    Json(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementSpec {
    pub sid: Option<String>,
    pub effect: Effect,
    /// Empty for identity policies; required in resource and trust policies.
    pub principals: Vec<PrincipalRef>,
    /// Action patterns such as `s3:ReplicateObject` or `kms:*`.
    pub actions: Vec<String>,
    /// `true`: `actions` is a `NotAction` list.
    pub not_action: bool,
    /// Empty means `*` (identity policies on a key policy's own key, trust policies).
    pub resources: Vec<ResourceRef>,
    pub conditions: Vec<ConditionSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalRef {
    /// A role defined in the scenario.
    Role(String),
    /// The root of an account defined in the scenario (`arn:aws:iam::<id>:root`).
    Account(String),
    /// A service principal such as `s3.amazonaws.com`.
    Service(String),
    /// `"*"`.
    Anyone,
    /// A literal principal ARN or account id.
    Arn(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceRef {
    /// `*`.
    Any,
    /// The ARN of a bucket defined in the scenario.
    Bucket(String),
    /// Object ARNs in a bucket: `arn:aws:s3:::<bucket>/<pattern>`, e.g. pattern `*`.
    Objects { bucket: String, pattern: String },
    /// The ARN of a key defined in the scenario.
    Key(String),
    /// A literal ARN pattern.
    Arn(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionSpec {
    /// Operator as AWS spells it, e.g. `StringEquals`, `ArnLike`, `Bool`.
    pub operator: String,
    /// Condition key, e.g. `kms:ViaService`.
    pub key: String,
    pub values: Vec<String>,
}

/// A step of the scenario, applied in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `PutBucketReplication` on a bucket.
    PutBucketReplication(ReplicationSpec),
    /// `PutObject`.
    PutObject(PutObjectSpec),
    /// `DeleteObject` without a version id (adds a delete marker on a versioned bucket), or with
    /// one (removes that version; never replicated).
    DeleteObject {
        bucket: String,
        key: String,
        version: Option<u32>,
    },
    /// `PutObjectTagging` on the current version (tags added after creation).
    PutObjectTagging {
        bucket: String,
        key: String,
        tags: Vec<(String, String)>,
    },
    /// Run every pending replication task once; transient failures stay pending.
    Replicate,
    /// A Batch Replication job on a source bucket for objects whose status is one of `statuses`.
    BatchReplicate {
        bucket: String,
        statuses: Vec<BatchStatus>,
    },
    /// Something that changes the world between steps.
    Fault(Fault),
    /// Let logical time pass (seconds); every other step takes one second.
    Wait { seconds: u64 },
    /// A check of the outcome at this point.
    Expect(Expectation),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicationSpec {
    pub bucket: String,
    pub role: RoleRef,
    pub rules: Vec<RuleSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleRef {
    Named(String),
    Arn(String),
}

/// One `Rule` of a replication configuration, in S3's own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    /// `ID`.
    pub id: Option<String>,
    /// `Priority`.
    pub priority: Option<u32>,
    /// `Status`: `true` is `Enabled`.
    pub enabled: bool,
    pub filter: FilterSpec,
    /// `DeleteMarkerReplication.Status`: `None` when the element is absent.
    pub delete_marker_replication: Option<bool>,
    pub destination: DestinationSpec,
    /// `SourceSelectionCriteria.SseKmsEncryptedObjects.Status`.
    pub sse_kms_encrypted_objects: Option<bool>,
    /// `SourceSelectionCriteria.ReplicaModifications.Status`.
    pub replica_modifications: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterSpec {
    /// The deprecated V1 form: `Prefix` directly under `Rule`.
    V1Prefix(String),
    /// `<Filter/>`: matches every object.
    Empty,
    Prefix(String),
    Tag(String, String),
    And {
        prefix: Option<String>,
        tags: Vec<(String, String)>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationSpec {
    pub bucket: BucketRef,
    /// `Account`: an account name defined in the scenario or a literal account id.
    pub account: Option<String>,
    pub storage_class: Option<String>,
    /// `AccessControlTranslation.Owner = Destination`.
    pub owner_override: bool,
    /// `EncryptionConfiguration.ReplicaKmsKeyID`.
    pub replica_kms_key: Option<KeyRef>,
    /// `ReplicationTime`: status and `Time.Minutes`.
    pub replication_time: Option<(bool, u32)>,
    /// `Metrics`: status and `EventThreshold.Minutes` (`None` when absent).
    pub metrics: Option<(bool, Option<u32>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BucketRef {
    Named(String),
    /// A bucket ARN that may name a bucket that does not exist.
    Arn(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutObjectSpec {
    pub bucket: String,
    pub key: String,
    pub body: Body,
    /// `None`: the bucket's default encryption applies (SSE-S3 when it has none).
    pub encryption: Option<UploadEncryption>,
    pub tags: Vec<(String, String)>,
    pub storage_class: Option<String>,
    /// The account that owns the new object (defaults to the bucket owner) and whether it granted
    /// the bucket owner `READ` and `READ_ACP`.
    pub owner: Option<ObjectOwner>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectOwner {
    pub account: String,
    pub grants_bucket_owner_read: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// That many bytes of deterministic content.
    Size(u64),
    /// Literal content.
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadEncryption {
    SseS3,
    /// `key: None` uses the bucket default key, or `aws/s3`. `bucket_key: None` follows the bucket.
    SseKms {
        key: Option<KeyRef>,
        bucket_key: Option<bool>,
    },
    DsseKms {
        key: Option<KeyRef>,
    },
    /// A customer-provided key, named so several objects can share it.
    SseC {
        customer_key: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BatchStatus {
    /// Never attempted (no status).
    None,
    Failed,
    Completed,
    Replica,
}

/// Changes to the world at a point in the sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    DisableKey(String),
    EnableKey(String),
    ScheduleKeyDeletion {
        key: String,
        pending_days: u32,
    },
    CancelKeyDeletion(String),
    /// The waiting period ends and the key is deleted.
    DeleteKeyMaterial(String),
    /// Remove the statement with this `Sid` (or index) from a policy.
    RevokeStatement {
        policy: PolicyTarget,
        statement: StatementSelector,
    },
    AddStatement {
        policy: PolicyTarget,
        statement: StatementSpec,
    },
    SetBucketVersioning {
        bucket: String,
        versioning: Versioning,
    },
    RegionUnavailable(String),
    RegionAvailable(String),
    /// KMS in a Region answers `ThrottlingException` until turned off.
    ThrottleKms {
        region: String,
        on: bool,
    },
    BlockSseC {
        bucket: String,
        blocked: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyTarget {
    Key(String),
    Bucket(String),
    RoleTrust(String),
    /// A named identity policy of a role.
    Role {
        role: String,
        policy: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementSelector {
    Sid(String),
    Index(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// The verdict of the most recent bucket-level call on `bucket` (`PutBucketReplication`, or a
    /// versioning change made by a fault, which S3 refuses with `InvalidBucketState` on a source
    /// bucket that has a replication configuration).
    Config {
        bucket: String,
        verdict: ExpectedVerdict,
    },
    /// The verdict of the most recent `PutObject` (or fault) that S3 answers with an error, e.g.
    /// an SSE-C upload into a bucket that blocks SSE-C.
    PutRejected {
        bucket: String,
        key: String,
        code: String,
    },
    /// The current version of an object (or version `version`, 1-based).
    Object(ObjectExpectation),
    Metric {
        bucket: String,
        rule: String,
        metric: MetricName,
        value: u64,
    },
    Event {
        bucket: String,
        rule: String,
        event: EventName,
        reason: Option<String>,
        count: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedVerdict {
    Accepted,
    Rejected { code: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectExpectation {
    pub bucket: String,
    pub key: String,
    pub version: Option<u32>,
    pub status: Option<ExpectedStatus>,
    /// Expected failure reason (S3's code, e.g. `DstKmsKeyInvalidState`).
    pub reason: Option<String>,
    pub encryption: Option<ExpectedEncryption>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedStatus {
    Pending,
    Completed,
    Failed,
    Replica,
    /// No `x-amz-replication-status` at all: no rule matched or the object is not eligible.
    NotReplicated,
    /// No such object in the bucket.
    Absent,
    /// The current version is a delete marker.
    DeleteMarker,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedEncryption {
    SseS3,
    /// `key: None` checks only the type.
    SseKms {
        key: Option<KeyRef>,
        bucket_key: Option<bool>,
    },
    DsseKms {
        key: Option<KeyRef>,
    },
    SseC {
        customer_key: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MetricName {
    OperationsPendingReplication,
    OperationsFailedReplication,
    BytesPendingReplication,
    ReplicationLatency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventName {
    OperationFailedReplication,
    OperationMissedThreshold,
    OperationReplicatedAfterThreshold,
    OperationNotTracked,
}

/// Where in a spec a problem lies: an item and a dotted field path inside it.
///
/// The path spelling is shared with the DSL, which records a token span for each path it lowers,
/// e.g. `Locus { item: Item::Step(3), path: "rules[0].destination.replica_kms_key" }`. An empty
/// path means the item as a whole (its name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Locus {
    pub item: Item,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    Scenario,
    Account(String),
    Key(String),
    Bucket(String),
    Role(String),
    /// A step by its index in [`ScenarioSpec::steps`].
    Step(usize),
}

impl Locus {
    pub fn new(item: Item, path: impl Into<String>) -> Self {
        Self {
            item,
            path: path.into(),
        }
    }
}
