//! The plain-data description of a scenario: what a user writes down, before any checking.
//!
//! Both front ends build this: the `replication_scenario!` DSL lowers into it, and Rust code may
//! build it directly. Nothing here is trusted; [`crate::validate()`] turns a [`ScenarioSpec`] into a
//! [`crate::ValidSpec`] (the only thing the engine runs) or returns every problem at once.
//!
//! Entities refer to each other by name (`String`), as the DSL does with identifiers, so that a
//! problem can name the item it concerns. Problems locate themselves with a [`Locus`]: the item and
//! a field path inside it, with the same spelling the DSL uses when it records token spans.

pub use crate::reason::FailureReason;

/// A whole scenario: definitions, then an ordered list of steps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScenarioSpec {
    /// Identifier of the scenario (the test name).
    pub name: String,
    /// What the scenario teaches (its doc comment); printed at the top of the report.
    pub doc: String,
    /// The rule set the scenario runs under.
    pub rule_set: RuleSetName,
    /// Accounts, by name.
    pub accounts: Vec<AccountSpec>,
    /// KMS keys, including multi-Region replicas and `aws/s3` keys named explicitly.
    pub keys: Vec<KeySpec>,
    /// S3 buckets.
    pub buckets: Vec<BucketSpec>,
    /// IAM roles (the replication roles).
    pub roles: Vec<RoleSpec>,
    /// Everything that happens, in order. A replication configuration takes effect at its step.
    pub steps: Vec<Step>,
}

/// Which documented behaviour of S3 a scenario runs under. See [`crate::rules::RuleSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum RuleSetName {
    /// The world of most study material: SSE-C objects are never replicated. Opt-in
    /// (`rules exam_guide;`).
    ExamGuide,
    /// S3 as documented in 2026, the default: SSE-C replicates as ciphertext; new buckets block
    /// SSE-C.
    #[default]
    Aws2026,
}

impl RuleSetName {
    /// Every rule set.
    pub const ALL: &'static [RuleSetName] = &[RuleSetName::ExamGuide, RuleSetName::Aws2026];

    /// The spelling in scenarios (`rules aws_2026;`), on the command line and in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleSetName::ExamGuide => "exam_guide",
            RuleSetName::Aws2026 => "aws_2026",
        }
    }
}

impl std::fmt::Display for RuleSetName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that names no rule set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown rule set `{given}`; {}", match suggestion {
    Some(s) => format!("did you mean `{s}`?"),
    None => format!("use {}", crate::spelling::one_of(RuleSetName::ALL.iter().map(|r| r.as_str()))),
})]
pub struct UnknownRuleSet {
    /// What was given.
    pub given: String,
    /// The rule set closest to it, when one is close enough to be a likely typo.
    pub suggestion: Option<RuleSetName>,
}

impl std::str::FromStr for RuleSetName {
    type Err = UnknownRuleSet;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(r) = RuleSetName::ALL.iter().find(|r| r.as_str() == s) {
            return Ok(*r);
        }
        let suggestion = crate::spelling::suggest(s, RuleSetName::ALL.iter().map(|r| r.as_str()))
            .and_then(|name| {
                RuleSetName::ALL
                    .iter()
                    .copied()
                    .find(|r| r.as_str() == name)
            });
        Err(UnknownRuleSet {
            given: s.to_owned(),
            suggestion,
        })
    }
}

/// An AWS account.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountSpec {
    /// The scenario's name for the account.
    pub name: String,
    /// Twelve digits.
    pub id: String,
    /// `aws:PrincipalOrgID` of principals in this account, if the account is in an organization.
    pub org_id: Option<String>,
}

/// A KMS key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySpec {
    /// The scenario's name for the key.
    pub name: String,
    /// What kind of key it is, and where it lives.
    pub kind: KeyKind,
    /// The key id as KMS shows it: a UUID (`1234abcd-12ab-34cd-56ef-1234567890ab`), or `mrk-` and
    /// 32 hex digits for a multi-Region key (a replica shares its primary's). `None`: an id
    /// derived from the scenario's names.
    pub key_id: Option<String>,
    /// `None`: the default key policy (delegates to the account root, so IAM policies apply).
    pub policy: Option<PolicySpec>,
    /// Grants on the key ([K-GRANTS]).
    pub grants: Vec<GrantSpec>,
    /// Alias names, with or without the `alias/` prefix (`alias/prod-data` or `prod-data`).
    pub aliases: Vec<String>,
    /// State at the start of the scenario (faults change it later).
    pub initial_state: InitialKeyState,
}

/// The kind of a KMS key and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyKind {
    /// A symmetric customer managed single-Region key.
    SingleRegion {
        /// The owning account (a scenario name).
        account: String,
        /// The key's Region.
        region: String,
    },
    /// The primary key of a multi-Region key set.
    MultiRegionPrimary {
        /// The owning account (a scenario name).
        account: String,
        /// The primary's Region.
        region: String,
    },
    /// A replica made by `ReplicateKey` of the named primary into `region`.
    MultiRegionReplica {
        /// The primary key (a scenario name); the replica lives in the primary's account.
        primary: String,
        /// The replica's Region.
        region: String,
    },
    /// The AWS managed key `aws/s3` of an account in a Region.
    AwsManagedS3 {
        /// The account whose `aws/s3` key this is (a scenario name).
        account: String,
        /// The Region of this `aws/s3` key.
        region: String,
    },
}

/// Key states a scenario may start a key in. Later states come from faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InitialKeyState {
    /// Usable for cryptographic operations.
    #[default]
    Enabled,
    /// Disabled (`DisableKey`).
    Disabled,
    /// Waiting for imported key material.
    PendingImport,
    /// In a disconnected custom key store.
    Unavailable,
    /// Only for a multi-Region replica that is still being created.
    Creating,
}

/// A grant on a KMS key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantSpec {
    /// Who may use the key through the grant.
    pub grantee: PrincipalRef,
    /// KMS operation names without the `kms:` prefix, e.g. `Decrypt`.
    pub operations: Vec<String>,
    /// `EncryptionContextSubset` constraint: every pair must be in the request's context.
    pub encryption_context_subset: Vec<(String, String)>,
}

/// An S3 general purpose bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSpec {
    /// The scenario's name; `_` becomes `-` in the S3 name unless `s3_name` is given.
    pub name: String,
    /// The bucket's real S3 name (`acme.prod-data`); `None`: derived from `name`.
    pub s3_name: Option<String>,
    /// The owning account (a scenario name).
    pub account: String,
    /// The bucket's Region.
    pub region: String,
    /// The versioning state at the start.
    pub versioning: Versioning,
    /// Default encryption (`None`: SSE-S3, S3's default since 2023).
    pub default_encryption: Option<DefaultEncryption>,
    /// S3 Bucket Key on the default SSE-KMS encryption.
    pub bucket_key: bool,
    /// The bucket policy.
    pub policy: Option<PolicySpec>,
    /// `Some(true)`: SSE-C is blocked (`BlockedEncryptionTypes`); `None`: the rule set's default
    /// for a new bucket.
    pub block_sse_c: Option<bool>,
    /// Object Lock enabled.
    pub object_lock: bool,
    /// Requester Pays enabled.
    pub requester_pays: bool,
}

/// A bucket's versioning state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Versioning {
    /// Never versioned.
    #[default]
    Unversioned,
    /// Versioning enabled.
    Enabled,
    /// Versioning suspended (after having been enabled).
    Suspended,
}

/// A bucket's default encryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultEncryption {
    /// SSE-S3.
    SseS3,
    /// SSE-KMS.
    SseKms {
        /// The KMS key (in the bucket's Region).
        key: KeyRef,
    },
    /// DSSE-KMS.
    DsseKms {
        /// The KMS key (in the bucket's Region).
        key: KeyRef,
    },
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

/// An IAM role S3 assumes to replicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    /// The scenario's name, also the role name in its ARN unless `role_name` is given.
    pub name: String,
    /// The IAM role name (`s3-crr-prod-data`); `None`: the scenario name.
    pub role_name: Option<String>,
    /// The IAM path (`/service-role/`); `None`: `/`.
    pub path: Option<String>,
    /// The owning account (a scenario name).
    pub account: String,
    /// The trust policy (who may `sts:AssumeRole`).
    pub trust: PolicySpec,
    /// Identity policies attached to the role, each with a name used in reports.
    pub policies: Vec<NamedPolicy>,
}

/// An identity policy attached to a role, with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPolicy {
    /// The policy's name, shown in reports.
    pub name: String,
    /// The policy document.
    pub policy: PolicySpec,
}

/// A policy document, either built from the DSL's statements or given as AWS JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySpec {
    /// Statements written in the DSL (or built in Rust), with scenario names.
    Statements(Vec<StatementSpec>),
    /// A JSON policy document in AWS's grammar. Problems in it are reported with a byte offset
    /// into this text.
    Json(String),
}

/// One policy statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementSpec {
    /// `Sid`.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// Empty for identity policies; required in resource and trust policies.
    pub principals: Vec<PrincipalRef>,
    /// Action patterns such as `s3:ReplicateObject` or `kms:*`.
    pub actions: Vec<String>,
    /// `true`: `actions` is a `NotAction` list.
    pub not_action: bool,
    /// Empty means `*` (identity policies on a key policy's own key, trust policies).
    pub resources: Vec<ResourceRef>,
    /// `Condition` entries, all of which must hold.
    pub conditions: Vec<ConditionSpec>,
}

/// A statement's effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// `Allow`.
    Allow,
    /// `Deny`.
    Deny,
}

/// A principal in a resource, key or trust policy.
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

/// A resource in a policy statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceRef {
    /// `*`.
    Any,
    /// The ARN of a bucket defined in the scenario.
    Bucket(String),
    /// Object ARNs in a bucket: `arn:aws:s3:::<bucket>/<pattern>`, e.g. pattern `*`.
    Objects {
        /// The bucket (a scenario name).
        bucket: String,
        /// The key pattern, e.g. `*` or `reports/*`.
        pattern: String,
    },
    /// The ARN of a key defined in the scenario.
    Key(String),
    /// A literal ARN pattern.
    Arn(String),
}

/// One condition of a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionSpec {
    /// Operator as AWS spells it, e.g. `StringEquals`, `ArnLike`, `Bool`.
    pub operator: String,
    /// Condition key, e.g. `kms:ViaService`.
    pub key: String,
    /// The values; any of them may match (AWS's OR within a condition).
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
        /// The bucket.
        bucket: String,
        /// The object key.
        key: String,
        /// The version to delete, `N` for id `vN`, or `None` for a delete marker. `vN` is the
        /// object's N-th version in the bucket that created it; a replica keeps its source
        /// version's id.
        version: Option<u32>,
    },
    /// `PutObjectTagging` on the current version (tags added after creation).
    PutObjectTagging {
        /// The bucket.
        bucket: String,
        /// The object key.
        key: String,
        /// The new tag set.
        tags: Vec<(String, String)>,
    },
    /// Run every pending replication task once; transient failures stay pending.
    Replicate,
    /// A Batch Replication job on a source bucket for objects whose status is one of `statuses`.
    BatchReplicate {
        /// The source bucket.
        bucket: String,
        /// The replication statuses to select.
        statuses: Vec<BatchStatus>,
    },
    /// Something that changes the world between steps.
    Fault(Fault),
    /// Let logical time pass (seconds); every other step takes one second.
    Wait {
        /// How long.
        seconds: u64,
    },
    /// A check of the outcome at this point.
    Expect {
        /// What is checked.
        expectation: Expectation,
        /// Where the `expect` was written, when the spec came from scenario text; a failed
        /// expectation names it. `None` for a spec built in Rust.
        at: Option<SourceLocation>,
    },
}

impl From<Expectation> for Step {
    /// An `expect` step written in Rust, so without a source location.
    fn from(expectation: Expectation) -> Self {
        Step::Expect {
            expectation,
            at: None,
        }
    }
}

/// Where something was written in scenario text: 1-based line, and 1-based column counted in
/// characters, as `file:line:col` diagnostics give them. It is never part of a report's body, so
/// the same scenario gives the same report from a macro and from a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceLocation {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl std::fmt::Display for SourceLocation {
    /// `line:col`, the tail of a `file:line:col` location.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A `PutBucketReplication` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicationSpec {
    /// The source bucket.
    pub bucket: String,
    /// The IAM role S3 assumes.
    pub role: RoleRef,
    /// The rules (1 to 1,000).
    pub rules: Vec<RuleSpec>,
}

/// The replication role of a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleRef {
    /// A role defined in the scenario.
    Named(String),
    /// A literal role ARN, which may name a role that does not exist.
    Arn(String),
}

/// One `Rule` of a replication configuration, in S3's own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    /// `ID`.
    pub id: Option<String>,
    /// `Priority`.
    pub priority: Option<u32>,
    /// `Status`.
    pub status: Status,
    /// `Filter`, or the V1 `Prefix`.
    pub filter: FilterSpec,
    /// `DeleteMarkerReplication.Status`: `None` when the element is absent.
    pub delete_marker_replication: Option<Status>,
    /// `Destination`.
    pub destination: DestinationSpec,
    /// `SourceSelectionCriteria.SseKmsEncryptedObjects.Status`.
    pub sse_kms_encrypted_objects: Option<Status>,
    /// `SourceSelectionCriteria.ReplicaModifications.Status`.
    pub replica_modifications: Option<Status>,
}

/// The `Status` of a replication rule and of its `DeleteMarkerReplication`,
/// `SseKmsEncryptedObjects`, `ReplicaModifications`, `ReplicationTime` and `Metrics` elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// `Enabled`.
    Enabled,
    /// `Disabled`.
    Disabled,
}

impl Status {
    /// AWS's spelling: `Enabled` or `Disabled`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Enabled => "Enabled",
            Status::Disabled => "Disabled",
        }
    }

    /// Whether this is `Enabled`.
    pub const fn is_enabled(self) -> bool {
        matches!(self, Status::Enabled)
    }
}

impl RuleSpec {
    /// The rule's label in reports and expectations: its ID, or `rule-<n>` (1-based position)
    /// without one.
    pub fn label(&self, index: usize) -> String {
        self.id
            .clone()
            .unwrap_or_else(|| format!("rule-{}", index + 1))
    }
}

/// A rule's filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterSpec {
    /// The deprecated V1 form: `Prefix` directly under `Rule`.
    V1Prefix(String),
    /// `<Filter/>`: matches every object.
    Empty,
    /// `Filter.Prefix`.
    Prefix(String),
    /// `Filter.Tag`: key and value.
    Tag(String, String),
    /// `Filter.And`: a prefix and tags, all of which must match.
    And {
        /// The prefix, if any.
        prefix: Option<String>,
        /// The tags (key, value).
        tags: Vec<(String, String)>,
    },
}

/// A rule's `Destination`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationSpec {
    /// `Bucket`.
    pub bucket: BucketRef,
    /// `Account`: an account name defined in the scenario or a literal account id.
    pub account: Option<String>,
    /// `StorageClass` (`None`: the source object's class).
    pub storage_class: Option<String>,
    /// `AccessControlTranslation.Owner = Destination`.
    pub owner_override: bool,
    /// `EncryptionConfiguration.ReplicaKmsKeyID`.
    pub replica_kms_key: Option<KeyRef>,
    /// `ReplicationTime` (S3 RTC).
    pub replication_time: Option<ReplicationTime>,
    /// `Metrics`.
    pub metrics: Option<Metrics>,
}

/// A destination's `ReplicationTime` (S3 Replication Time Control).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplicationTime {
    /// `Status`.
    pub status: Status,
    /// `Time.Minutes` (S3 accepts only 15).
    pub minutes: u32,
}

/// A destination's `Metrics` (replication metrics and events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metrics {
    /// `Status`.
    pub status: Status,
    /// `EventThreshold.Minutes` (`None` when the element is absent).
    pub event_threshold_minutes: Option<u32>,
}

/// A destination bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BucketRef {
    /// A bucket defined in the scenario.
    Named(String),
    /// A bucket ARN that may name a bucket that does not exist.
    Arn(String),
}

/// A `PutObject` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutObjectSpec {
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// The content.
    pub body: Body,
    /// `None`: the bucket's default encryption applies (SSE-S3 when it has none).
    pub encryption: Option<UploadEncryption>,
    /// Tags set at upload (tag filters see only these).
    pub tags: Vec<(String, String)>,
    /// The storage class (`None`: `STANDARD`).
    pub storage_class: Option<String>,
    /// The account that owns the new object (defaults to the bucket owner) and whether it granted
    /// the bucket owner `READ` and `READ_ACP`.
    pub owner: Option<ObjectOwner>,
}

/// The owner of an uploaded object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectOwner {
    /// The owning account (a scenario name).
    pub account: String,
    /// Whether the object ACL grants the bucket owner `READ` and `READ_ACP`.
    pub grants_bucket_owner_read: bool,
}

/// An object's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// That many bytes of deterministic content.
    Size(u64),
    /// Literal content.
    Text(String),
}

/// The server-side encryption an upload asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadEncryption {
    /// SSE-S3.
    SseS3,
    /// `key: None` uses the bucket default key, or `aws/s3`. `bucket_key: None` follows the bucket.
    SseKms {
        /// The KMS key (`None`: the bucket's default key, else `aws/s3`).
        key: Option<KeyRef>,
        /// Whether to use an S3 Bucket Key (`None`: the bucket's setting).
        bucket_key: Option<bool>,
    },
    /// DSSE-KMS (two layers of encryption under one KMS key).
    DsseKms {
        /// The KMS key (`None`: the bucket's default key, else `aws/s3`).
        key: Option<KeyRef>,
    },
    /// A customer-provided key, named so several objects can share it.
    SseC {
        /// The customer key's name.
        customer_key: String,
    },
}

/// A replication status a Batch Replication job selects (`ObjectReplicationStatuses`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BatchStatus {
    /// Never attempted (no status).
    None,
    /// FAILED.
    Failed,
    /// COMPLETED.
    Completed,
    /// REPLICA.
    Replica,
}

/// Changes to the world at a point in the sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// `DisableKey`.
    DisableKey(String),
    /// `EnableKey`.
    EnableKey(String),
    /// `ScheduleKeyDeletion`.
    ScheduleKeyDeletion {
        /// The key.
        key: String,
        /// The waiting period (7 to 30 days).
        pending_days: u32,
    },
    /// `CancelKeyDeletion` (the key becomes Disabled).
    CancelKeyDeletion(String),
    /// The waiting period ends and the key is deleted.
    DeleteKeyMaterial(String),
    /// Remove the statement with this `Sid` (or index) from a policy.
    RevokeStatement {
        /// The policy.
        policy: PolicyTarget,
        /// Which statement.
        statement: StatementSelector,
    },
    /// Add a statement to a policy.
    AddStatement {
        /// The policy.
        policy: PolicyTarget,
        /// The new statement.
        statement: StatementSpec,
    },
    /// `PutBucketVersioning`.
    SetBucketVersioning {
        /// The bucket.
        bucket: String,
        /// The new state.
        versioning: Versioning,
    },
    /// A Region becomes unavailable: replication into or out of it stays PENDING.
    RegionUnavailable(String),
    /// A Region is available again.
    RegionAvailable(String),
    /// KMS in a Region answers `ThrottlingException` until turned off.
    ThrottleKms {
        /// The Region.
        region: String,
        /// Whether KMS throttles.
        on: bool,
    },
    /// `PutBucketEncryption` with or without SSE-C in `BlockedEncryptionTypes`.
    BlockSseC {
        /// The bucket.
        bucket: String,
        /// Whether SSE-C is blocked.
        blocked: bool,
    },
}

/// A policy a fault changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyTarget {
    /// The key policy of a key.
    Key(String),
    /// The bucket policy of a bucket.
    Bucket(String),
    /// The trust policy of a role.
    RoleTrust(String),
    /// A named identity policy of a role.
    Role {
        /// The role.
        role: String,
        /// The policy's name.
        policy: String,
    },
}

/// Which statement of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementSelector {
    /// The statement with this `Sid`.
    Sid(String),
    /// The statement at this position (0-based).
    Index(usize),
}

/// What an `expect` step checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expectation {
    /// The verdict of the most recent bucket-level call on `bucket` (`PutBucketReplication`, or a
    /// versioning change made by a fault, which S3 refuses with `InvalidBucketState` on a source
    /// bucket that has a replication configuration).
    Config {
        /// The bucket.
        bucket: String,
        /// Accepted, or rejected with a code.
        verdict: ExpectedVerdict,
    },
    /// The verdict of the most recent `PutObject` (or fault) that S3 answers with an error, e.g.
    /// an SSE-C upload into a bucket that blocks SSE-C.
    PutRejected {
        /// The bucket.
        bucket: String,
        /// The object key.
        key: String,
        /// The error code, e.g. `AccessDenied`.
        code: String,
    },
    /// The current version of an object (or the version with id `v<version>`).
    Object(ObjectExpectation),
    /// A replication metric of a rule ([U-METRICS]).
    Metric {
        /// The source bucket.
        bucket: String,
        /// The rule's ID.
        rule: String,
        /// The metric.
        metric: MetricName,
        /// The expected value.
        value: u64,
    },
    /// Replication events of a rule ([U-EVENTS]).
    Event {
        /// The source bucket.
        bucket: String,
        /// The rule's ID.
        rule: String,
        /// The event type.
        event: EventName,
        /// Only events with this `failureReason`.
        reason: Option<FailureReason>,
        /// How many.
        count: u64,
    },
}

/// The expected answer to a bucket-level call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedVerdict {
    /// Accepted (200 OK).
    Accepted,
    /// Rejected with an error.
    Rejected {
        /// AWS's error code, e.g. `InvalidRequest`.
        code: String,
    },
}

/// What to check about an object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectExpectation {
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// `N` checks the version with id `vN`: the object's N-th version in the bucket that
    /// created it, or in a destination the replica of the source's `vN` (replicas keep their
    /// source's version id). `None`: the current version.
    pub version: Option<u32>,
    /// The replication status.
    pub status: Option<ExpectedStatus>,
    /// Expected failure reason (S3's code, e.g. `DstKmsKeyInvalidState`).
    pub reason: Option<FailureReason>,
    /// The encryption of the version.
    pub encryption: Option<ExpectedEncryption>,
}

/// An expected replication status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedStatus {
    /// PENDING.
    Pending,
    /// COMPLETED.
    Completed,
    /// FAILED.
    Failed,
    /// REPLICA.
    Replica,
    /// No `x-amz-replication-status` at all: no rule matched or the object is not eligible.
    NotReplicated,
    /// No such object in the bucket.
    Absent,
    /// The current version is a delete marker.
    DeleteMarker,
}

/// An expected encryption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedEncryption {
    /// SSE-S3.
    SseS3,
    /// `key: None` checks only the type.
    SseKms {
        /// The KMS key.
        key: Option<KeyRef>,
        /// Whether an S3 Bucket Key is used (`None`: not checked).
        bucket_key: Option<bool>,
    },
    /// DSSE-KMS.
    DsseKms {
        /// The KMS key (`None`: not checked).
        key: Option<KeyRef>,
    },
    /// SSE-C.
    SseC {
        /// The customer key's name.
        customer_key: String,
    },
}

/// A replication metric ([U-METRICS]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MetricName {
    /// Operations waiting to replicate.
    OperationsPendingReplication,
    /// Operations that failed.
    OperationsFailedReplication,
    /// Bytes waiting to replicate.
    BytesPendingReplication,
    /// The largest replication delay, in seconds.
    ReplicationLatency,
}

/// A replication event type ([U-EVENTS]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EventName {
    /// `s3:Replication:OperationFailedReplication`.
    OperationFailedReplication,
    /// `s3:Replication:OperationMissedThreshold` (S3 RTC).
    OperationMissedThreshold,
    /// `s3:Replication:OperationReplicatedAfterThreshold` (S3 RTC).
    OperationReplicatedAfterThreshold,
    /// `s3:Replication:OperationNotTracked`.
    OperationNotTracked,
}

/// Where in a spec a problem lies: an item and a dotted field path inside it.
///
/// The path spelling is shared with the DSL, which records a token span for each path it lowers,
/// e.g. `Locus { item: Item::Step(3), path: "rules[0].destination.replica_kms_key" }`. An empty
/// path means the item as a whole (its name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Locus {
    /// The item.
    pub item: Item,
    /// The dotted field path inside it (`""`: the item as a whole).
    pub path: String,
}

/// An item of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    /// The scenario as a whole (its name).
    Scenario,
    /// An account, by name.
    Account(String),
    /// A key, by name.
    Key(String),
    /// A bucket, by name.
    Bucket(String),
    /// A role, by name.
    Role(String),
    /// A step by its index in [`ScenarioSpec::steps`].
    Step(usize),
}

impl Locus {
    /// A locus at `path` inside `item`.
    pub fn new(item: Item, path: impl Into<String>) -> Self {
        Self {
            item,
            path: path.into(),
        }
    }
}
