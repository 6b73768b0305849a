//! Rust expressions that rebuild a spec value: how the macro hands a checked scenario to its
//! test function without re-parsing text at run time.
//!
//! Every impl destructures its type completely and matches every variant, so a field or variant
//! added to the model's spec fails to compile here until the DSL handles it. What the tokens
//! build is held to the spec by a round trip over every scenario text in the workspace
//! (`to_rust/tests.rs`), so a field written with the wrong value fails a test.

use proc_macro2::TokenStream;
use quote::quote;
use replication_spec::spec::*;

/// A value that can be written as a Rust expression naming the model's spec module `__spec`
/// (the generated test imports it under that name).
pub trait ToRust {
    /// The expression.
    fn to_rust(&self) -> TokenStream;
}

fn string(s: &str) -> TokenStream {
    quote!(::std::string::String::from(#s))
}

fn strings(v: &[String]) -> TokenStream {
    let items = v.iter().map(|s| string(s));
    quote!(::std::vec![#(#items),*])
}

fn opt_string(o: &Option<String>) -> TokenStream {
    match o {
        Some(s) => {
            let s = string(s);
            quote!(::std::option::Option::Some(#s))
        }
        None => quote!(::std::option::Option::None),
    }
}

impl ToRust for FailureReason {
    fn to_rust(&self) -> TokenStream {
        // `as_str` is the variant's own name (the model derives it with `stringify!`).
        let variant = proc_macro2::Ident::new(self.as_str(), proc_macro2::Span::call_site());
        quote!(__spec::FailureReason::#variant)
    }
}

fn opt<T: ToRust>(o: &Option<T>) -> TokenStream {
    match o {
        Some(v) => {
            let v = v.to_rust();
            quote!(::std::option::Option::Some(#v))
        }
        None => quote!(::std::option::Option::None),
    }
}

fn opt_copy<T: quote::ToTokens>(o: &Option<T>) -> TokenStream {
    match o {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

fn list<T: ToRust>(v: &[T]) -> TokenStream {
    let items = v.iter().map(ToRust::to_rust);
    quote!(::std::vec![#(#items),*])
}

fn pairs(v: &[(String, String)]) -> TokenStream {
    let items = v.iter().map(|(k, v)| {
        let (k, v) = (string(k), string(v));
        quote!((#k, #v))
    });
    quote!(::std::vec![#(#items),*])
}

impl ToRust for ScenarioSpec {
    fn to_rust(&self) -> TokenStream {
        let ScenarioSpec {
            name,
            doc,
            rule_set,
            accounts,
            keys,
            buckets,
            roles,
            steps,
        } = self;
        let (name, doc, rule_set) = (string(name), string(doc), rule_set.to_rust());
        let (accounts, keys, buckets, roles, steps) = (
            list(accounts),
            list(keys),
            list(buckets),
            list(roles),
            list(steps),
        );
        quote!(__spec::ScenarioSpec {
            name: #name,
            doc: #doc,
            rule_set: #rule_set,
            accounts: #accounts,
            keys: #keys,
            buckets: #buckets,
            roles: #roles,
            steps: #steps,
        })
    }
}

impl ToRust for RuleSetName {
    fn to_rust(&self) -> TokenStream {
        match self {
            RuleSetName::ExamGuide => quote!(__spec::RuleSetName::ExamGuide),
            RuleSetName::Aws2026 => quote!(__spec::RuleSetName::Aws2026),
        }
    }
}

impl ToRust for AccountSpec {
    fn to_rust(&self) -> TokenStream {
        let AccountSpec { name, id, org_id } = self;
        let (name, id, org_id) = (string(name), string(id), opt_string(org_id));
        quote!(__spec::AccountSpec { name: #name, id: #id, org_id: #org_id })
    }
}

impl ToRust for KeySpec {
    fn to_rust(&self) -> TokenStream {
        let KeySpec {
            name,
            kind,
            key_id,
            policy,
            grants,
            aliases,
            initial_state,
        } = self;
        let (name, kind, policy, grants, aliases, initial_state) = (
            string(name),
            kind.to_rust(),
            opt(policy),
            list(grants),
            strings(aliases),
            initial_state.to_rust(),
        );
        let key_id = opt_string(key_id);
        quote!(__spec::KeySpec {
            name: #name,
            kind: #kind,
            key_id: #key_id,
            policy: #policy,
            grants: #grants,
            aliases: #aliases,
            initial_state: #initial_state,
        })
    }
}

impl ToRust for KeyKind {
    fn to_rust(&self) -> TokenStream {
        match self {
            KeyKind::SingleRegion { account, region } => {
                let (account, region) = (string(account), string(region));
                quote!(__spec::KeyKind::SingleRegion { account: #account, region: #region })
            }
            KeyKind::MultiRegionPrimary { account, region } => {
                let (account, region) = (string(account), string(region));
                quote!(__spec::KeyKind::MultiRegionPrimary { account: #account, region: #region })
            }
            KeyKind::MultiRegionReplica { primary, region } => {
                let (primary, region) = (string(primary), string(region));
                quote!(__spec::KeyKind::MultiRegionReplica { primary: #primary, region: #region })
            }
            KeyKind::AwsManagedS3 { account, region } => {
                let (account, region) = (string(account), string(region));
                quote!(__spec::KeyKind::AwsManagedS3 { account: #account, region: #region })
            }
        }
    }
}

impl ToRust for InitialKeyState {
    fn to_rust(&self) -> TokenStream {
        match self {
            InitialKeyState::Enabled => quote!(__spec::InitialKeyState::Enabled),
            InitialKeyState::Disabled => quote!(__spec::InitialKeyState::Disabled),
            InitialKeyState::PendingImport => quote!(__spec::InitialKeyState::PendingImport),
            InitialKeyState::Unavailable => quote!(__spec::InitialKeyState::Unavailable),
            InitialKeyState::Creating => quote!(__spec::InitialKeyState::Creating),
        }
    }
}

impl ToRust for GrantSpec {
    fn to_rust(&self) -> TokenStream {
        let GrantSpec {
            grantee,
            operations,
            encryption_context_subset,
        } = self;
        let (grantee, operations, context) = (
            grantee.to_rust(),
            strings(operations),
            pairs(encryption_context_subset),
        );
        quote!(__spec::GrantSpec { grantee: #grantee, operations: #operations, encryption_context_subset: #context })
    }
}

impl ToRust for BucketSpec {
    fn to_rust(&self) -> TokenStream {
        let BucketSpec {
            name,
            s3_name,
            account,
            region,
            versioning,
            default_encryption,
            bucket_key,
            policy,
            block_sse_c,
            object_lock,
            requester_pays,
        } = self;
        let (name, account, region) = (string(name), string(account), string(region));
        let (versioning, default_encryption, policy, block_sse_c) = (
            versioning.to_rust(),
            opt(default_encryption),
            opt(policy),
            opt_copy(block_sse_c),
        );
        let s3_name = opt_string(s3_name);
        quote!(__spec::BucketSpec {
            name: #name,
            s3_name: #s3_name,
            account: #account,
            region: #region,
            versioning: #versioning,
            default_encryption: #default_encryption,
            bucket_key: #bucket_key,
            policy: #policy,
            block_sse_c: #block_sse_c,
            object_lock: #object_lock,
            requester_pays: #requester_pays,
        })
    }
}

impl ToRust for Versioning {
    fn to_rust(&self) -> TokenStream {
        match self {
            Versioning::Unversioned => quote!(__spec::Versioning::Unversioned),
            Versioning::Enabled => quote!(__spec::Versioning::Enabled),
            Versioning::Suspended => quote!(__spec::Versioning::Suspended),
        }
    }
}

impl ToRust for DefaultEncryption {
    fn to_rust(&self) -> TokenStream {
        match self {
            DefaultEncryption::SseS3 => quote!(__spec::DefaultEncryption::SseS3),
            DefaultEncryption::SseKms { key } => {
                let key = key.to_rust();
                quote!(__spec::DefaultEncryption::SseKms { key: #key })
            }
            DefaultEncryption::DsseKms { key } => {
                let key = key.to_rust();
                quote!(__spec::DefaultEncryption::DsseKms { key: #key })
            }
        }
    }
}

impl ToRust for KeyRef {
    fn to_rust(&self) -> TokenStream {
        match self {
            KeyRef::Named(n) => {
                let n = string(n);
                quote!(__spec::KeyRef::Named(#n))
            }
            KeyRef::AwsManagedS3 => quote!(__spec::KeyRef::AwsManagedS3),
            KeyRef::Arn(a) => {
                let a = string(a);
                quote!(__spec::KeyRef::Arn(#a))
            }
        }
    }
}

impl ToRust for RoleSpec {
    fn to_rust(&self) -> TokenStream {
        let RoleSpec {
            name,
            role_name,
            path,
            account,
            trust,
            policies,
        } = self;
        let (role_name, path) = (opt_string(role_name), opt_string(path));
        let (name, account, trust, policies) = (
            string(name),
            string(account),
            trust.to_rust(),
            list(policies),
        );
        quote!(__spec::RoleSpec {
            name: #name,
            role_name: #role_name,
            path: #path,
            account: #account,
            trust: #trust,
            policies: #policies,
        })
    }
}

impl ToRust for NamedPolicy {
    fn to_rust(&self) -> TokenStream {
        let NamedPolicy { name, policy } = self;
        let (name, policy) = (string(name), policy.to_rust());
        quote!(__spec::NamedPolicy { name: #name, policy: #policy })
    }
}

impl ToRust for PolicySpec {
    fn to_rust(&self) -> TokenStream {
        match self {
            PolicySpec::Statements(list_) => {
                let list_ = list(list_);
                quote!(__spec::PolicySpec::Statements(#list_))
            }
            PolicySpec::Json(text) => {
                let text = string(text);
                quote!(__spec::PolicySpec::Json(#text))
            }
        }
    }
}

impl ToRust for StatementSpec {
    fn to_rust(&self) -> TokenStream {
        let StatementSpec {
            sid,
            effect,
            principals,
            actions,
            not_action,
            resources,
            conditions,
        } = self;
        let (sid, effect, principals, actions, resources, conditions) = (
            opt_string(sid),
            effect.to_rust(),
            list(principals),
            strings(actions),
            list(resources),
            list(conditions),
        );
        quote!(__spec::StatementSpec {
            sid: #sid,
            effect: #effect,
            principals: #principals,
            actions: #actions,
            not_action: #not_action,
            resources: #resources,
            conditions: #conditions,
        })
    }
}

impl ToRust for Effect {
    fn to_rust(&self) -> TokenStream {
        match self {
            Effect::Allow => quote!(__spec::Effect::Allow),
            Effect::Deny => quote!(__spec::Effect::Deny),
        }
    }
}

impl ToRust for PrincipalRef {
    fn to_rust(&self) -> TokenStream {
        match self {
            PrincipalRef::Role(s) => {
                let s = string(s);
                quote!(__spec::PrincipalRef::Role(#s))
            }
            PrincipalRef::Account(s) => {
                let s = string(s);
                quote!(__spec::PrincipalRef::Account(#s))
            }
            PrincipalRef::Service(s) => {
                let s = string(s);
                quote!(__spec::PrincipalRef::Service(#s))
            }
            PrincipalRef::Anyone => quote!(__spec::PrincipalRef::Anyone),
            PrincipalRef::Arn(s) => {
                let s = string(s);
                quote!(__spec::PrincipalRef::Arn(#s))
            }
        }
    }
}

impl ToRust for ResourceRef {
    fn to_rust(&self) -> TokenStream {
        match self {
            ResourceRef::Any => quote!(__spec::ResourceRef::Any),
            ResourceRef::Bucket(b) => {
                let b = string(b);
                quote!(__spec::ResourceRef::Bucket(#b))
            }
            ResourceRef::Objects { bucket, pattern } => {
                let (bucket, pattern) = (string(bucket), string(pattern));
                quote!(__spec::ResourceRef::Objects { bucket: #bucket, pattern: #pattern })
            }
            ResourceRef::Key(k) => {
                let k = string(k);
                quote!(__spec::ResourceRef::Key(#k))
            }
            ResourceRef::Arn(a) => {
                let a = string(a);
                quote!(__spec::ResourceRef::Arn(#a))
            }
        }
    }
}

impl ToRust for ConditionSpec {
    fn to_rust(&self) -> TokenStream {
        let ConditionSpec {
            operator,
            key,
            values,
        } = self;
        let (operator, key, values) = (string(operator), string(key), strings(values));
        quote!(__spec::ConditionSpec { operator: #operator, key: #key, values: #values })
    }
}

impl ToRust for Step {
    fn to_rust(&self) -> TokenStream {
        match self {
            Step::PutBucketReplication(r) => {
                let r = r.to_rust();
                quote!(__spec::Step::PutBucketReplication(#r))
            }
            Step::PutObject(p) => {
                let p = p.to_rust();
                quote!(__spec::Step::PutObject(#p))
            }
            Step::DeleteObject {
                bucket,
                key,
                version,
            } => {
                let (bucket, key, version) = (string(bucket), string(key), opt_copy(version));
                quote!(__spec::Step::DeleteObject { bucket: #bucket, key: #key, version: #version })
            }
            Step::PutObjectTagging { bucket, key, tags } => {
                let (bucket, key, tags) = (string(bucket), string(key), pairs(tags));
                quote!(__spec::Step::PutObjectTagging { bucket: #bucket, key: #key, tags: #tags })
            }
            Step::Replicate => quote!(__spec::Step::Replicate),
            Step::BatchReplicate { bucket, statuses } => {
                let (bucket, statuses) = (string(bucket), list(statuses));
                quote!(__spec::Step::BatchReplicate { bucket: #bucket, statuses: #statuses })
            }
            Step::Fault(f) => {
                let f = f.to_rust();
                quote!(__spec::Step::Fault(#f))
            }
            Step::Wait { seconds } => quote!(__spec::Step::Wait { seconds: #seconds }),
            Step::Expect { expectation, at } => {
                let (expectation, at) = (expectation.to_rust(), opt(at));
                quote!(__spec::Step::Expect { expectation: #expectation, at: #at })
            }
        }
    }
}

impl ToRust for ReplicationSpec {
    fn to_rust(&self) -> TokenStream {
        let ReplicationSpec {
            bucket,
            role,
            rules,
        } = self;
        let (bucket, role, rules) = (string(bucket), role.to_rust(), list(rules));
        quote!(__spec::ReplicationSpec { bucket: #bucket, role: #role, rules: #rules })
    }
}

impl ToRust for RoleRef {
    fn to_rust(&self) -> TokenStream {
        match self {
            RoleRef::Named(n) => {
                let n = string(n);
                quote!(__spec::RoleRef::Named(#n))
            }
            RoleRef::Arn(a) => {
                let a = string(a);
                quote!(__spec::RoleRef::Arn(#a))
            }
        }
    }
}

impl ToRust for RuleSpec {
    fn to_rust(&self) -> TokenStream {
        let RuleSpec {
            id,
            priority,
            status,
            filter,
            delete_marker_replication,
            destination,
            sse_kms_encrypted_objects,
            replica_modifications,
        } = self;
        let (id, priority, status, filter, dmr, destination, sse_kms, replica_mods) = (
            opt_string(id),
            opt_copy(priority),
            status.to_rust(),
            filter.to_rust(),
            opt(delete_marker_replication),
            destination.to_rust(),
            opt(sse_kms_encrypted_objects),
            opt(replica_modifications),
        );
        quote!(__spec::RuleSpec {
            id: #id,
            priority: #priority,
            status: #status,
            filter: #filter,
            delete_marker_replication: #dmr,
            destination: #destination,
            sse_kms_encrypted_objects: #sse_kms,
            replica_modifications: #replica_mods,
        })
    }
}

impl ToRust for Status {
    fn to_rust(&self) -> TokenStream {
        match self {
            Status::Enabled => quote!(__spec::Status::Enabled),
            Status::Disabled => quote!(__spec::Status::Disabled),
        }
    }
}

impl ToRust for ReplicationTime {
    fn to_rust(&self) -> TokenStream {
        let ReplicationTime { status, minutes } = self;
        let status = status.to_rust();
        quote!(__spec::ReplicationTime { status: #status, minutes: #minutes })
    }
}

impl ToRust for Metrics {
    fn to_rust(&self) -> TokenStream {
        let Metrics {
            status,
            event_threshold_minutes,
        } = self;
        let (status, minutes) = (status.to_rust(), opt_copy(event_threshold_minutes));
        quote!(__spec::Metrics { status: #status, event_threshold_minutes: #minutes })
    }
}

impl ToRust for FilterSpec {
    fn to_rust(&self) -> TokenStream {
        match self {
            FilterSpec::V1Prefix(p) => {
                let p = string(p);
                quote!(__spec::FilterSpec::V1Prefix(#p))
            }
            FilterSpec::Empty => quote!(__spec::FilterSpec::Empty),
            FilterSpec::Prefix(p) => {
                let p = string(p);
                quote!(__spec::FilterSpec::Prefix(#p))
            }
            FilterSpec::Tag(k, v) => {
                let (k, v) = (string(k), string(v));
                quote!(__spec::FilterSpec::Tag(#k, #v))
            }
            FilterSpec::And { prefix, tags } => {
                let (prefix, tags) = (opt_string(prefix), pairs(tags));
                quote!(__spec::FilterSpec::And { prefix: #prefix, tags: #tags })
            }
        }
    }
}

impl ToRust for DestinationSpec {
    fn to_rust(&self) -> TokenStream {
        let DestinationSpec {
            bucket,
            account,
            storage_class,
            owner_override,
            replica_kms_key,
            replication_time,
            metrics,
        } = self;
        let (bucket, account, storage_class, replica_kms_key) = (
            bucket.to_rust(),
            opt_string(account),
            opt_string(storage_class),
            opt(replica_kms_key),
        );
        let (replication_time, metrics) = (opt(replication_time), opt(metrics));
        quote!(__spec::DestinationSpec {
            bucket: #bucket,
            account: #account,
            storage_class: #storage_class,
            owner_override: #owner_override,
            replica_kms_key: #replica_kms_key,
            replication_time: #replication_time,
            metrics: #metrics,
        })
    }
}

impl ToRust for BucketRef {
    fn to_rust(&self) -> TokenStream {
        match self {
            BucketRef::Named(n) => {
                let n = string(n);
                quote!(__spec::BucketRef::Named(#n))
            }
            BucketRef::Arn(a) => {
                let a = string(a);
                quote!(__spec::BucketRef::Arn(#a))
            }
        }
    }
}

impl ToRust for PutObjectSpec {
    fn to_rust(&self) -> TokenStream {
        let PutObjectSpec {
            bucket,
            key,
            body,
            encryption,
            tags,
            storage_class,
            owner,
        } = self;
        let (bucket, key, body, encryption, tags, storage_class, owner) = (
            string(bucket),
            string(key),
            body.to_rust(),
            opt(encryption),
            pairs(tags),
            opt_string(storage_class),
            opt(owner),
        );
        quote!(__spec::PutObjectSpec {
            bucket: #bucket,
            key: #key,
            body: #body,
            encryption: #encryption,
            tags: #tags,
            storage_class: #storage_class,
            owner: #owner,
        })
    }
}

impl ToRust for Body {
    fn to_rust(&self) -> TokenStream {
        match self {
            Body::Size(n) => quote!(__spec::Body::Size(#n)),
            Body::Text(t) => {
                let t = string(t);
                quote!(__spec::Body::Text(#t))
            }
        }
    }
}

impl ToRust for ObjectOwner {
    fn to_rust(&self) -> TokenStream {
        let ObjectOwner {
            account,
            grants_bucket_owner_read,
        } = self;
        let account = string(account);
        quote!(__spec::ObjectOwner { account: #account, grants_bucket_owner_read: #grants_bucket_owner_read })
    }
}

impl ToRust for UploadEncryption {
    fn to_rust(&self) -> TokenStream {
        match self {
            UploadEncryption::SseS3 => quote!(__spec::UploadEncryption::SseS3),
            UploadEncryption::SseKms { key, bucket_key } => {
                let (key, bucket_key) = (opt(key), opt_copy(bucket_key));
                quote!(__spec::UploadEncryption::SseKms { key: #key, bucket_key: #bucket_key })
            }
            UploadEncryption::DsseKms { key } => {
                let key = opt(key);
                quote!(__spec::UploadEncryption::DsseKms { key: #key })
            }
            UploadEncryption::SseC { customer_key } => {
                let customer_key = string(customer_key);
                quote!(__spec::UploadEncryption::SseC { customer_key: #customer_key })
            }
        }
    }
}

impl ToRust for BatchStatus {
    fn to_rust(&self) -> TokenStream {
        match self {
            BatchStatus::None => quote!(__spec::BatchStatus::None),
            BatchStatus::Failed => quote!(__spec::BatchStatus::Failed),
            BatchStatus::Completed => quote!(__spec::BatchStatus::Completed),
            BatchStatus::Replica => quote!(__spec::BatchStatus::Replica),
        }
    }
}

impl ToRust for Fault {
    fn to_rust(&self) -> TokenStream {
        match self {
            Fault::DisableKey(k) => {
                let k = string(k);
                quote!(__spec::Fault::DisableKey(#k))
            }
            Fault::EnableKey(k) => {
                let k = string(k);
                quote!(__spec::Fault::EnableKey(#k))
            }
            Fault::ScheduleKeyDeletion { key, pending_days } => {
                let key = string(key);
                quote!(__spec::Fault::ScheduleKeyDeletion { key: #key, pending_days: #pending_days })
            }
            Fault::CancelKeyDeletion(k) => {
                let k = string(k);
                quote!(__spec::Fault::CancelKeyDeletion(#k))
            }
            Fault::DeleteKeyMaterial(k) => {
                let k = string(k);
                quote!(__spec::Fault::DeleteKeyMaterial(#k))
            }
            Fault::RevokeStatement { policy, statement } => {
                let (policy, statement) = (policy.to_rust(), statement.to_rust());
                quote!(__spec::Fault::RevokeStatement { policy: #policy, statement: #statement })
            }
            Fault::AddStatement { policy, statement } => {
                let (policy, statement) = (policy.to_rust(), statement.to_rust());
                quote!(__spec::Fault::AddStatement { policy: #policy, statement: #statement })
            }
            Fault::SetBucketVersioning { bucket, versioning } => {
                let (bucket, versioning) = (string(bucket), versioning.to_rust());
                quote!(__spec::Fault::SetBucketVersioning { bucket: #bucket, versioning: #versioning })
            }
            Fault::RegionUnavailable(r) => {
                let r = string(r);
                quote!(__spec::Fault::RegionUnavailable(#r))
            }
            Fault::RegionAvailable(r) => {
                let r = string(r);
                quote!(__spec::Fault::RegionAvailable(#r))
            }
            Fault::ThrottleKms { region, on } => {
                let region = string(region);
                quote!(__spec::Fault::ThrottleKms { region: #region, on: #on })
            }
            Fault::BlockSseC { bucket, blocked } => {
                let bucket = string(bucket);
                quote!(__spec::Fault::BlockSseC { bucket: #bucket, blocked: #blocked })
            }
        }
    }
}

impl ToRust for PolicyTarget {
    fn to_rust(&self) -> TokenStream {
        match self {
            PolicyTarget::Key(k) => {
                let k = string(k);
                quote!(__spec::PolicyTarget::Key(#k))
            }
            PolicyTarget::Bucket(b) => {
                let b = string(b);
                quote!(__spec::PolicyTarget::Bucket(#b))
            }
            PolicyTarget::RoleTrust(r) => {
                let r = string(r);
                quote!(__spec::PolicyTarget::RoleTrust(#r))
            }
            PolicyTarget::Role { role, policy } => {
                let (role, policy) = (string(role), string(policy));
                quote!(__spec::PolicyTarget::Role { role: #role, policy: #policy })
            }
        }
    }
}

impl ToRust for StatementSelector {
    fn to_rust(&self) -> TokenStream {
        match self {
            StatementSelector::Sid(s) => {
                let s = string(s);
                quote!(__spec::StatementSelector::Sid(#s))
            }
            StatementSelector::Index(i) => quote!(__spec::StatementSelector::Index(#i)),
        }
    }
}

impl ToRust for Expectation {
    fn to_rust(&self) -> TokenStream {
        match self {
            Expectation::Config { bucket, verdict } => {
                let (bucket, verdict) = (string(bucket), verdict.to_rust());
                quote!(__spec::Expectation::Config { bucket: #bucket, verdict: #verdict })
            }
            Expectation::PutRejected { bucket, key, code } => {
                let (bucket, key, code) = (string(bucket), string(key), string(code));
                quote!(__spec::Expectation::PutRejected { bucket: #bucket, key: #key, code: #code })
            }
            Expectation::Object(o) => {
                let o = o.to_rust();
                quote!(__spec::Expectation::Object(#o))
            }
            Expectation::Metric {
                bucket,
                rule,
                metric,
                value,
            } => {
                let (bucket, rule, metric) = (string(bucket), string(rule), metric.to_rust());
                quote!(__spec::Expectation::Metric { bucket: #bucket, rule: #rule, metric: #metric, value: #value })
            }
            Expectation::Event {
                bucket,
                rule,
                event,
                reason,
                count,
            } => {
                let (bucket, rule, event, reason) =
                    (string(bucket), string(rule), event.to_rust(), opt(reason));
                quote!(__spec::Expectation::Event { bucket: #bucket, rule: #rule, event: #event, reason: #reason, count: #count })
            }
        }
    }
}

impl ToRust for SourceLocation {
    fn to_rust(&self) -> TokenStream {
        let SourceLocation { line, column } = self;
        quote!(__spec::SourceLocation { line: #line, column: #column })
    }
}

impl ToRust for ExpectedVerdict {
    fn to_rust(&self) -> TokenStream {
        match self {
            ExpectedVerdict::Accepted => quote!(__spec::ExpectedVerdict::Accepted),
            ExpectedVerdict::Rejected { code } => {
                let code = string(code);
                quote!(__spec::ExpectedVerdict::Rejected { code: #code })
            }
        }
    }
}

impl ToRust for ObjectExpectation {
    fn to_rust(&self) -> TokenStream {
        let ObjectExpectation {
            bucket,
            key,
            version,
            status,
            reason,
            encryption,
        } = self;
        let (bucket, key, version, status, reason, encryption) = (
            string(bucket),
            string(key),
            opt_copy(version),
            opt(status),
            opt(reason),
            opt(encryption),
        );
        quote!(__spec::ObjectExpectation {
            bucket: #bucket,
            key: #key,
            version: #version,
            status: #status,
            reason: #reason,
            encryption: #encryption,
        })
    }
}

impl ToRust for ExpectedStatus {
    fn to_rust(&self) -> TokenStream {
        match self {
            ExpectedStatus::Pending => quote!(__spec::ExpectedStatus::Pending),
            ExpectedStatus::Completed => quote!(__spec::ExpectedStatus::Completed),
            ExpectedStatus::Failed => quote!(__spec::ExpectedStatus::Failed),
            ExpectedStatus::Replica => quote!(__spec::ExpectedStatus::Replica),
            ExpectedStatus::NotReplicated => quote!(__spec::ExpectedStatus::NotReplicated),
            ExpectedStatus::Absent => quote!(__spec::ExpectedStatus::Absent),
            ExpectedStatus::DeleteMarker => quote!(__spec::ExpectedStatus::DeleteMarker),
        }
    }
}

impl ToRust for ExpectedEncryption {
    fn to_rust(&self) -> TokenStream {
        match self {
            ExpectedEncryption::SseS3 => quote!(__spec::ExpectedEncryption::SseS3),
            ExpectedEncryption::SseKms { key, bucket_key } => {
                let (key, bucket_key) = (opt(key), opt_copy(bucket_key));
                quote!(__spec::ExpectedEncryption::SseKms { key: #key, bucket_key: #bucket_key })
            }
            ExpectedEncryption::DsseKms { key } => {
                let key = opt(key);
                quote!(__spec::ExpectedEncryption::DsseKms { key: #key })
            }
            ExpectedEncryption::SseC { customer_key } => {
                let customer_key = string(customer_key);
                quote!(__spec::ExpectedEncryption::SseC { customer_key: #customer_key })
            }
        }
    }
}

impl ToRust for MetricName {
    fn to_rust(&self) -> TokenStream {
        match self {
            MetricName::OperationsPendingReplication => {
                quote!(__spec::MetricName::OperationsPendingReplication)
            }
            MetricName::OperationsFailedReplication => {
                quote!(__spec::MetricName::OperationsFailedReplication)
            }
            MetricName::BytesPendingReplication => {
                quote!(__spec::MetricName::BytesPendingReplication)
            }
            MetricName::ReplicationLatency => quote!(__spec::MetricName::ReplicationLatency),
        }
    }
}

impl ToRust for EventName {
    fn to_rust(&self) -> TokenStream {
        match self {
            EventName::OperationFailedReplication => {
                quote!(__spec::EventName::OperationFailedReplication)
            }
            EventName::OperationMissedThreshold => {
                quote!(__spec::EventName::OperationMissedThreshold)
            }
            EventName::OperationReplicatedAfterThreshold => {
                quote!(__spec::EventName::OperationReplicatedAfterThreshold)
            }
            EventName::OperationNotTracked => quote!(__spec::EventName::OperationNotTracked),
        }
    }
}

#[cfg(test)]
mod tests;
