//! Every keyword of the scenario language, spelled once (serde_derive's `symbol.rs` pattern).
//!
//! The parser compares identifiers against these constants and builds its "expected one of"
//! messages and its spelling suggestions from the value tables, so a keyword is renamed here and
//! nowhere else. Values that AWS names (key states, replication statuses, metric names) keep
//! AWS's spelling; words the language invents are `snake_case`.

use std::fmt;

use proc_macro2::Ident;
use replication_spec::spec::{
    BatchStatus, EventName, ExpectedStatus, InitialKeyState, MetricName, RuleSetName, Versioning,
};

/// A keyword of the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Symbol(pub &'static str);

impl Symbol {
    /// The keyword as written in scenarios.
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl PartialEq<Symbol> for Ident {
    fn eq(&self, word: &Symbol) -> bool {
        self == word.0
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

// Statements of a scenario body.
pub const RULES: Symbol = Symbol("rules");
pub const ACCOUNT: Symbol = Symbol("account");
pub const KEY: Symbol = Symbol("key");
pub const BUCKET: Symbol = Symbol("bucket");
pub const ROLE: Symbol = Symbol("role");
pub const REPLICATION: Symbol = Symbol("replication");
pub const PUT: Symbol = Symbol("put");
pub const DELETE: Symbol = Symbol("delete");
pub const TAG: Symbol = Symbol("tag");
pub const REPLICATE: Symbol = Symbol("replicate");
pub const BATCH_REPLICATE: Symbol = Symbol("batch_replicate");
pub const WAIT: Symbol = Symbol("wait");
pub const EXPECT: Symbol = Symbol("expect");

// Faults.
pub const DISABLE_KEY: Symbol = Symbol("disable_key");
pub const ENABLE_KEY: Symbol = Symbol("enable_key");
pub const SCHEDULE_KEY_DELETION: Symbol = Symbol("schedule_key_deletion");
pub const CANCEL_KEY_DELETION: Symbol = Symbol("cancel_key_deletion");
pub const DELETE_KEY_MATERIAL: Symbol = Symbol("delete_key_material");
pub const REVOKE: Symbol = Symbol("revoke");
pub const ADD_STATEMENT: Symbol = Symbol("add_statement");
pub const SET_VERSIONING: Symbol = Symbol("set_versioning");
pub const REGION_UNAVAILABLE: Symbol = Symbol("region_unavailable");
pub const REGION_AVAILABLE: Symbol = Symbol("region_available");
pub const THROTTLE_KMS: Symbol = Symbol("throttle_kms");
pub const BLOCK_SSE_C: Symbol = Symbol("block_sse_c");

/// Every word that can start a statement, in the order the reference lists them.
pub const STATEMENTS: &[Symbol] = &[
    RULES,
    ACCOUNT,
    KEY,
    BUCKET,
    ROLE,
    REPLICATION,
    PUT,
    DELETE,
    TAG,
    REPLICATE,
    BATCH_REPLICATE,
    WAIT,
    DISABLE_KEY,
    ENABLE_KEY,
    SCHEDULE_KEY_DELETION,
    CANCEL_KEY_DELETION,
    DELETE_KEY_MATERIAL,
    REVOKE,
    ADD_STATEMENT,
    SET_VERSIONING,
    REGION_UNAVAILABLE,
    REGION_AVAILABLE,
    THROTTLE_KMS,
    BLOCK_SSE_C,
    EXPECT,
];

// Constructors after `=`.
pub const KMS: Symbol = Symbol("kms");
pub const KMS_MRK: Symbol = Symbol("kms_mrk");
pub const REPLICA_OF: Symbol = Symbol("replica_of");
pub const AWS_MANAGED: Symbol = Symbol("aws_managed");
pub const S3: Symbol = Symbol("s3");
pub const IAM: Symbol = Symbol("iam");

/// The constructors of a key.
pub const KEY_KINDS: &[Symbol] = &[KMS, KMS_MRK, REPLICA_OF, AWS_MANAGED];

// Settings in `{ ... }` blocks.
pub const ORG: Symbol = Symbol("org");
pub const STATE: Symbol = Symbol("state");
pub const ALIAS: Symbol = Symbol("alias");
pub const GRANT: Symbol = Symbol("grant");
pub const POLICY: Symbol = Symbol("policy");
pub const CONTEXT: Symbol = Symbol("context");
pub const VERSIONING: Symbol = Symbol("versioning");
pub const ENCRYPTION: Symbol = Symbol("encryption");
pub const BUCKET_KEY: Symbol = Symbol("bucket_key");
pub const OBJECT_LOCK: Symbol = Symbol("object_lock");
pub const REQUESTER_PAYS: Symbol = Symbol("requester_pays");
pub const TRUST: Symbol = Symbol("trust");
pub const TAGS: Symbol = Symbol("tags");
pub const STORAGE_CLASS: Symbol = Symbol("storage_class");
pub const OWNER: Symbol = Symbol("owner");
pub const BUCKET_OWNER_FULL_CONTROL: Symbol = Symbol("bucket_owner_full_control");
/// A bucket's S3 name or a role's IAM name, as AWS knows it.
pub const NAME: Symbol = Symbol("name");
/// A role's IAM path.
pub const PATH: Symbol = Symbol("path");
/// A key's KMS key id.
pub const ID: Symbol = Symbol("id");

/// The settings of an account.
pub const ACCOUNT_SETTINGS: &[Symbol] = &[ORG];
/// The settings of a key.
pub const KEY_SETTINGS: &[Symbol] = &[ID, STATE, ALIAS, GRANT, POLICY];
/// The settings of a bucket.
pub const BUCKET_SETTINGS: &[Symbol] = &[
    NAME,
    VERSIONING,
    ENCRYPTION,
    BUCKET_KEY,
    BLOCK_SSE_C,
    OBJECT_LOCK,
    REQUESTER_PAYS,
    POLICY,
];
/// The settings of a role (before its trust, policies and statements).
pub const ROLE_SETTINGS: &[Symbol] = &[NAME, PATH];
/// The settings of an upload.
pub const PUT_SETTINGS: &[Symbol] = &[TAGS, STORAGE_CLASS, OWNER];

// Replication rules.
pub const VIA: Symbol = Symbol("via");
pub const RULE: Symbol = Symbol("rule");
pub const PRIORITY: Symbol = Symbol("priority");
pub const STATUS: Symbol = Symbol("status");
pub const FILTER: Symbol = Symbol("filter");
pub const PREFIX: Symbol = Symbol("prefix");
pub const AND: Symbol = Symbol("and");
pub const DELETE_MARKER_REPLICATION: Symbol = Symbol("delete_marker_replication");
pub const DESTINATION: Symbol = Symbol("destination");
pub const OWNER_OVERRIDE: Symbol = Symbol("owner_override");
pub const REPLICA_KMS_KEY: Symbol = Symbol("replica_kms_key");
pub const REPLICATION_TIME: Symbol = Symbol("replication_time");
pub const METRICS: Symbol = Symbol("metrics");
pub const SSE_KMS_ENCRYPTED_OBJECTS: Symbol = Symbol("sse_kms_encrypted_objects");
pub const REPLICA_MODIFICATIONS: Symbol = Symbol("replica_modifications");
pub const NONE: Symbol = Symbol("none");

/// The settings of a replication rule.
pub const RULE_SETTINGS: &[Symbol] = &[
    PRIORITY,
    STATUS,
    FILTER,
    PREFIX,
    DELETE_MARKER_REPLICATION,
    DESTINATION,
    ACCOUNT,
    STORAGE_CLASS,
    OWNER_OVERRIDE,
    REPLICA_KMS_KEY,
    REPLICATION_TIME,
    METRICS,
    SSE_KMS_ENCRYPTED_OBJECTS,
    REPLICA_MODIFICATIONS,
];
/// The filter forms of a rule (besides `{}`).
pub const FILTERS: &[Symbol] = &[PREFIX, TAG, AND];

// Policies.
pub const ALLOW: Symbol = Symbol("allow");
pub const DENY: Symbol = Symbol("deny");
pub const SID: Symbol = Symbol("sid");
pub const NOT: Symbol = Symbol("not");
pub const ON: Symbol = Symbol("on");
pub const BY: Symbol = Symbol("by");
pub const WHEN: Symbol = Symbol("when");
pub const JSON: Symbol = Symbol("json");
pub const JSON_FILE: Symbol = Symbol("json_file");
pub const STATEMENT: Symbol = Symbol("statement");

/// Words that end an action or an object pattern inside a statement.
pub const STATEMENT_CLAUSES: &[Symbol] = &[ON, BY, WHEN];

/// Service principals `trust` accepts by their short name.
pub const SERVICE_SHORTHANDS: &[(&str, &str)] = &[
    ("s3", "s3.amazonaws.com"),
    ("batchoperations", "batchoperations.s3.amazonaws.com"),
];

// Encryption.
pub const WITH: Symbol = Symbol("with");
pub const SSE_S3: Symbol = Symbol("sse_s3");
pub const SSE_KMS: Symbol = Symbol("sse_kms");
pub const DSSE_KMS: Symbol = Symbol("dsse_kms");
pub const SSE_C: Symbol = Symbol("sse_c");

/// The encryption types of an upload or a replica.
pub const ENCRYPTIONS: &[Symbol] = &[SSE_S3, SSE_KMS, DSSE_KMS, SSE_C];
/// The default encryption types of a bucket.
pub const DEFAULT_ENCRYPTIONS: &[Symbol] = &[SSE_S3, SSE_KMS, DSSE_KMS];

// Steps.
pub const VERSION: Symbol = Symbol("version");
pub const DAYS: Symbol = Symbol("days");
pub const ACCEPTED: Symbol = Symbol("accepted");
pub const REJECTED: Symbol = Symbol("rejected");
pub const REASON: Symbol = Symbol("reason");
pub const METRIC: Symbol = Symbol("metric");
pub const EVENT: Symbol = Symbol("event");
pub const TRUE: Symbol = Symbol("true");
pub const FALSE: Symbol = Symbol("false");
pub const OFF: Symbol = Symbol("off");

/// `Status` values of S3's configuration elements as AWS spells them, in lowercase, and as
/// `true`/`false`.
pub const ENABLED: Symbol = Symbol("Enabled");
pub const DISABLED: Symbol = Symbol("Disabled");
pub const SWITCHES: &[(Symbol, bool)] = &[
    (ENABLED, true),
    (DISABLED, false),
    (Symbol("enabled"), true),
    (Symbol("disabled"), false),
    (TRUE, true),
    (FALSE, false),
];
/// `on`/`off` for faults that toggle a condition.
pub const ON_OFF: &[(Symbol, bool)] = &[(ON, true), (OFF, false)];

/// Rule sets, by their name in `rules ...;`.
pub const RULE_SETS: &[(Symbol, RuleSetName)] = &[
    (
        Symbol(RuleSetName::ExamGuide.as_str()),
        RuleSetName::ExamGuide,
    ),
    (Symbol(RuleSetName::Aws2026.as_str()), RuleSetName::Aws2026),
];

/// Bucket versioning states, as S3 spells them and in lowercase.
pub const VERSIONING_STATES: &[(Symbol, Versioning)] = &[
    (ENABLED, Versioning::Enabled),
    (Symbol("Suspended"), Versioning::Suspended),
    (Symbol("Unversioned"), Versioning::Unversioned),
    (Symbol("enabled"), Versioning::Enabled),
    (Symbol("suspended"), Versioning::Suspended),
    (Symbol("unversioned"), Versioning::Unversioned),
];

/// Key states a key may start in, as KMS spells them.
pub const KEY_STATES: &[(Symbol, InitialKeyState)] = &[
    (ENABLED, InitialKeyState::Enabled),
    (DISABLED, InitialKeyState::Disabled),
    (Symbol("PendingImport"), InitialKeyState::PendingImport),
    (Symbol("Unavailable"), InitialKeyState::Unavailable),
    (Symbol("Creating"), InitialKeyState::Creating),
];

/// Statuses a Batch Replication job selects. The lowercase spelling is the language's; the
/// uppercase one is AWS's `ObjectReplicationStatuses` value, accepted so JSON habits work.
pub const BATCH_STATUSES: &[(Symbol, BatchStatus)] = &[
    (Symbol("none"), BatchStatus::None),
    (Symbol("failed"), BatchStatus::Failed),
    (Symbol("completed"), BatchStatus::Completed),
    (Symbol("replica"), BatchStatus::Replica),
    (Symbol("NONE"), BatchStatus::None),
    (Symbol("FAILED"), BatchStatus::Failed),
    (Symbol("COMPLETED"), BatchStatus::Completed),
    (Symbol("REPLICA"), BatchStatus::Replica),
];

/// The `FAILED` status, which may carry a failure reason in parentheses.
pub const FAILED: Symbol = Symbol("FAILED");

/// Object statuses an expectation checks: S3's `x-amz-replication-status` values, then the
/// language's words for the absence of one.
pub const OBJECT_STATUSES: &[(Symbol, ExpectedStatus)] = &[
    (Symbol("PENDING"), ExpectedStatus::Pending),
    (Symbol("COMPLETED"), ExpectedStatus::Completed),
    (FAILED, ExpectedStatus::Failed),
    (Symbol("REPLICA"), ExpectedStatus::Replica),
    (Symbol("not_replicated"), ExpectedStatus::NotReplicated),
    (Symbol("absent"), ExpectedStatus::Absent),
    (Symbol("delete_marker"), ExpectedStatus::DeleteMarker),
];

/// Replication metrics, as CloudWatch names them.
pub const METRIC_NAMES: &[(Symbol, MetricName)] = &[
    (
        Symbol("OperationsPendingReplication"),
        MetricName::OperationsPendingReplication,
    ),
    (
        Symbol("OperationsFailedReplication"),
        MetricName::OperationsFailedReplication,
    ),
    (
        Symbol("BytesPendingReplication"),
        MetricName::BytesPendingReplication,
    ),
    (Symbol("ReplicationLatency"), MetricName::ReplicationLatency),
];

/// Replication events, as S3 Event Notifications name them (without `s3:Replication:`).
pub const EVENT_NAMES: &[(Symbol, EventName)] = &[
    (
        Symbol("OperationFailedReplication"),
        EventName::OperationFailedReplication,
    ),
    (
        Symbol("OperationMissedThreshold"),
        EventName::OperationMissedThreshold,
    ),
    (
        Symbol("OperationReplicatedAfterThreshold"),
        EventName::OperationReplicatedAfterThreshold,
    ),
    (
        Symbol("OperationNotTracked"),
        EventName::OperationNotTracked,
    ),
];

/// Size units of an upload body, with their factor in bytes.
pub const SIZE_UNITS: &[(Symbol, u64)] = &[
    (Symbol("B"), 1),
    (Symbol("KiB"), 1 << 10),
    (Symbol("MiB"), 1 << 20),
    (Symbol("GiB"), 1 << 30),
    (Symbol("KB"), 1_000),
    (Symbol("MB"), 1_000_000),
    (Symbol("GB"), 1_000_000_000),
];

/// Time units of `wait`, with their factor in seconds.
pub const TIME_UNITS: &[(Symbol, u64)] =
    &[(Symbol("s"), 1), (Symbol("min"), 60), (Symbol("h"), 3_600)];

pub use replication_spec::spelling::{one_of, suggest};

/// The spellings of a symbol list.
pub fn names(symbols: &[Symbol]) -> impl Iterator<Item = &'static str> + '_ {
    symbols.iter().map(|s| s.0)
}

/// The spellings of a value table.
pub fn table_names<T>(table: &[(Symbol, T)]) -> impl Iterator<Item = &'static str> + '_ {
    table.iter().map(|(s, _)| s.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_of_joins_with_or() {
        assert_eq!(one_of(["a"]), "`a`");
        assert_eq!(one_of(["a", "b", "c"]), "`a`, `b` or `c`");
    }

    #[test]
    fn suggest_finds_typos_and_case() {
        assert_eq!(suggest("replicat", names(STATEMENTS)), Some("replicate"));
        assert_eq!(
            suggest("pending", table_names(OBJECT_STATUSES)),
            Some("PENDING")
        );
        assert_eq!(suggest("KiX", table_names(SIZE_UNITS)), Some("KiB"));
        assert_eq!(suggest("zzzzzz", names(STATEMENTS)), None);
    }

    #[test]
    fn statement_words_are_unique() {
        for (i, a) in STATEMENTS.iter().enumerate() {
            assert!(!STATEMENTS[i + 1..].contains(a), "`{a}` listed twice");
        }
    }
}
