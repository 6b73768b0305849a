//! Policy documents: the plain statement model, its one rule book (compile = validate), the
//! compiled form evaluated per request, and canonical JSON rendering.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use crate::PolicyError;
use crate::access::ResourceKind;
use crate::condition::{CompiledCondition, Condition, ConditionPart};
use crate::error::{Location, describe_statement};
use crate::glob::{Case, Glob};
use crate::principal::{PrincipalMatcher, PrincipalSet, PrincipalType, Strength};
use crate::request::{Match, Request, StatementRef};
use crate::variables::Template;

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// The statement grants.
    Allow,
    /// The statement denies; an applicable `Deny` beats every `Allow`.
    Deny,
}

impl Effect {
    /// `"Allow"` or `"Deny"`.
    pub fn name(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// `Action` or `NotAction` with its patterns (`service:Action`, `*` and `?` allowed, any case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionSet {
    /// The statement covers these actions.
    Action(Vec<String>),
    /// The statement covers every action except these.
    NotAction(Vec<String>),
}

impl ActionSet {
    /// The element name, `Action` or `NotAction`.
    pub fn element(&self) -> &'static str {
        match self {
            ActionSet::Action(_) => "Action",
            ActionSet::NotAction(_) => "NotAction",
        }
    }

    /// The patterns.
    pub fn patterns(&self) -> &[String] {
        match self {
            ActionSet::Action(p) | ActionSet::NotAction(p) => p,
        }
    }
}

/// `Resource` or `NotResource` with ARN patterns (`*` and `?` allowed, case-sensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceSet {
    /// The statement covers these resources.
    Resource(Vec<String>),
    /// The statement covers every resource except these.
    NotResource(Vec<String>),
}

impl ResourceSet {
    /// The element name, `Resource` or `NotResource`.
    pub fn element(&self) -> &'static str {
        match self {
            ResourceSet::Resource(_) => "Resource",
            ResourceSet::NotResource(_) => "NotResource",
        }
    }

    /// The patterns.
    pub fn patterns(&self) -> &[String] {
        match self {
            ResourceSet::Resource(p) | ResourceSet::NotResource(p) => p,
        }
    }
}

/// One statement, as plain data. Build these directly (the DSL does) or get them from
/// [`Policy::parse_json`]; [`Policy::from_statements`] checks them with the same rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `Sid`.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` (resource policies); `None` in identity policies.
    pub principal: Option<PrincipalSet>,
    /// `NotPrincipal`; at most one of `principal` and `not_principal` may be set.
    pub not_principal: Option<PrincipalSet>,
    /// `Action` or `NotAction`.
    pub action: ActionSet,
    /// `Resource` or `NotResource`; `None` when absent (role trust policies).
    pub resource: Option<ResourceSet>,
    /// `Condition` entries; all must hold.
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// An `Allow` of `actions` on `resources`, no principal, no condition (identity policy form).
    pub fn allow(
        actions: impl IntoIterator<Item = impl Into<String>>,
        resources: impl IntoIterator<Item = impl Into<String>>,
    ) -> Statement {
        Statement {
            sid: None,
            effect: Effect::Allow,
            principal: None,
            not_principal: None,
            action: ActionSet::Action(actions.into_iter().map(Into::into).collect()),
            resource: Some(ResourceSet::Resource(
                resources.into_iter().map(Into::into).collect(),
            )),
            conditions: Vec::new(),
        }
    }

    /// Like [`Statement::allow`] with `Effect: Deny`.
    pub fn deny(
        actions: impl IntoIterator<Item = impl Into<String>>,
        resources: impl IntoIterator<Item = impl Into<String>>,
    ) -> Statement {
        Statement {
            effect: Effect::Deny,
            ..Statement::allow(actions, resources)
        }
    }

    /// Sets `Sid`.
    pub fn with_sid(mut self, sid: impl Into<String>) -> Statement {
        self.sid = Some(sid.into());
        self
    }

    /// Sets `Principal`.
    pub fn with_principal(mut self, principal: PrincipalSet) -> Statement {
        self.principal = Some(principal);
        self
    }

    /// Adds a condition.
    pub fn with_condition(mut self, condition: Condition) -> Statement {
        self.conditions.push(condition);
        self
    }
}

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyVersion {
    /// `2012-10-17`, the current version.
    V2012_10_17,
    /// `2008-10-17`, the original version.
    V2008_10_17,
}

impl PolicyVersion {
    /// The version string.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyVersion::V2012_10_17 => "2012-10-17",
            PolicyVersion::V2008_10_17 => "2008-10-17",
        }
    }
}

/// What a policy is attached to; decides which elements it must and must not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyKind {
    /// Attached to a user or role: no `Principal`, `Resource` required.
    Identity,
    /// Attached to a resource: `Principal` required.
    Resource(ResourceKind),
}

/// Which element of a statement a rule-book fault concerns, so the JSON reader can point at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Site {
    Principal,
    PrincipalEntry(PrincipalType, usize),
    NotPrincipal,
    Action,
    ActionEntry(usize),
    Resource,
    ResourceEntry(usize),
    Condition(usize, ConditionPart),
}

/// A compiled statement: patterns pre-built, principals classified, conditions parsed.
#[derive(Debug, Clone)]
pub(crate) struct CompiledStatement {
    effect: Effect,
    principal: PrincipalRule,
    actions: Vec<Glob>,
    not_action: bool,
    resources: Option<(Vec<ResourcePattern>, bool)>,
    conditions: Vec<CompiledCondition>,
}

#[derive(Debug, Clone)]
enum ResourcePattern {
    Glob(Glob),
    /// Contains policy variables; expanded per request.
    Template(Template),
}

#[derive(Debug, Clone)]
enum PrincipalRule {
    /// No `Principal` element: identity policy, the principal is whoever it is attached to.
    Absent,
    Is(PrincipalMatcher),
    IsNot(PrincipalMatcher),
}

impl CompiledStatement {
    /// The rule book for one statement: returns the first fault with its site. `variables`:
    /// whether `${...}` policy variables are substituted (`Version` `2012-10-17`).
    pub(crate) fn compile(
        st: &Statement,
        variables: bool,
    ) -> Result<CompiledStatement, (Site, String)> {
        let principal = match (&st.principal, &st.not_principal) {
            (Some(_), Some(_)) => {
                return Err((
                    Site::NotPrincipal,
                    "`NotPrincipal` cannot be combined with `Principal` in one statement; keep one"
                        .into(),
                ));
            }
            (Some(set), None) => PrincipalRule::Is(
                PrincipalMatcher::compile(set, "Principal")
                    .map_err(|(at, msg)| (principal_site(at, Site::Principal), msg))?,
            ),
            (None, Some(set)) => PrincipalRule::IsNot(
                PrincipalMatcher::compile(set, "NotPrincipal")
                    .map_err(|(at, msg)| (principal_site(at, Site::NotPrincipal), msg))?,
            ),
            (None, None) => PrincipalRule::Absent,
        };

        let element = st.action.element();
        let patterns = st.action.patterns();
        if patterns.is_empty() {
            return Err((
                Site::Action,
                format!("`{element}` lists no action; add at least one, such as `s3:GetObject`"),
            ));
        }
        let mut actions = Vec::with_capacity(patterns.len());
        for (i, pattern) in patterns.iter().enumerate() {
            check_action(pattern, element).map_err(|msg| (Site::ActionEntry(i), msg))?;
            actions.push(Glob::new(pattern, Case::AsciiInsensitive));
        }

        let resources = match &st.resource {
            None => None,
            Some(set) => {
                let element = set.element();
                if set.patterns().is_empty() {
                    return Err((
                        Site::Resource,
                        format!(
                            "`{element}` lists no resource; add at least one ARN such as `arn:aws:s3:::bucket/*`, or `*`"
                        ),
                    ));
                }
                let mut globs = Vec::with_capacity(set.patterns().len());
                for (i, pattern) in set.patterns().iter().enumerate() {
                    check_resource(pattern, element)
                        .map_err(|msg| (Site::ResourceEntry(i), msg))?;
                    let template = if variables {
                        Template::parse(pattern).map_err(|msg| (Site::ResourceEntry(i), msg))?
                    } else {
                        None
                    };
                    globs.push(match template {
                        Some(t) => ResourcePattern::Template(t),
                        None => ResourcePattern::Glob(Glob::new(pattern, Case::Sensitive)),
                    });
                }
                Some((globs, matches!(set, ResourceSet::NotResource(_))))
            }
        };

        let mut conditions = Vec::with_capacity(st.conditions.len());
        // A set, not a scan of the earlier conditions: a block may hold thousands of keys.
        let mut seen = BTreeSet::new();
        for (i, condition) in st.conditions.iter().enumerate() {
            // JSON cannot say "the same operator and key twice" (that would be one key with a
            // list of alternatives), so statements built in code may not either.
            if !seen.insert((
                condition.operator,
                crate::condition::fold_key(&condition.key),
            )) {
                return Err((
                    Site::Condition(i, ConditionPart::Key),
                    format!(
                        "condition `{}` on `{}` appears twice; merge the values into one list (they are alternatives)",
                        condition.operator, condition.key
                    ),
                ));
            }
            conditions.push(
                CompiledCondition::compile(condition, variables)
                    .map_err(|(part, msg)| (Site::Condition(i, part), msg))?,
            );
        }

        Ok(CompiledStatement {
            effect: st.effect,
            principal,
            actions,
            not_action: matches!(st.action, ActionSet::NotAction(_)),
            resources,
            conditions,
        })
    }

    /// How the statement applies to `request`: [`Strength::No`] when it does not.
    /// Cheapest tests first: action, resource, principal, then conditions.
    fn applies(&self, request: &Request<'_>) -> Strength {
        let action_hit = self.actions.iter().any(|g| g.is_match(request.action));
        if action_hit == self.not_action {
            return Strength::No;
        }
        if let Some((globs, negated)) = &self.resources {
            // Resource matching: IAM documents wildcards per colon-separated ARN part, with a
            // part-final `*` allowed to run past colons. This whole-string glob agrees except
            // when a `*` in the middle of a part would have to cover a colon (inferred).
            let mut hit = false;
            for pattern in globs {
                hit = match pattern {
                    ResourcePattern::Glob(g) => g.is_match(request.resource),
                    ResourcePattern::Template(t) => match t.resolve(request.context) {
                        Some(resolved) => resolved.is_match(request.resource),
                        // An unresolvable variable invalidates the statement (IAM reference,
                        // policy variables; see `variables`).
                        None => return Strength::No,
                    },
                };
                if hit {
                    break;
                }
            }
            if hit == *negated {
                return Strength::No;
            }
        }
        let strength = match &self.principal {
            PrincipalRule::Absent => Strength::Direct,
            PrincipalRule::Is(m) => m.strength(request.principal),
            // NotPrincipal: everyone except the named principals (an account entry excludes the
            // whole account; AWS's finer rules for sessions under NotPrincipal are not modelled,
            // inferred simplification).
            PrincipalRule::IsNot(m) => {
                if m.strength(request.principal) == Strength::No {
                    Strength::Direct
                } else {
                    Strength::No
                }
            }
        };
        if strength == Strength::No {
            return Strength::No;
        }
        if self.conditions.iter().all(|c| c.matches(request.context)) {
            strength
        } else {
            Strength::No
        }
    }
}

fn principal_site(at: Option<(PrincipalType, usize)>, whole: Site) -> Site {
    match (at, whole) {
        (Some((kind, i)), Site::Principal) => Site::PrincipalEntry(kind, i),
        _ => whole,
    }
}

/// `*` or `service:Action` with letters, digits and wildcards.
fn check_action(pattern: &str, element: &str) -> Result<(), String> {
    if pattern == "*" {
        return Ok(());
    }
    let shown = crate::json::truncate(pattern);
    let Some((service, name)) = pattern.split_once(':') else {
        return Err(format!(
            "`{element}` entry `{shown}` must be `service:action`, e.g. `s3:{shown}` or `kms:Decrypt`"
        ));
    };
    if service.is_empty() || name.is_empty() {
        return Err(format!(
            "`{element}` entry `{shown}` must be `service:action`, e.g. `s3:GetObject`"
        ));
    }
    if let Some(c) = service
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        return Err(format!(
            "`{element}` entry `{shown}` has `{}` in its service prefix; prefixes are letters, digits and `-`, like `s3` or `kms`",
            c.escape_default()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '*' || *c == '?'))
    {
        return Err(format!(
            "`{element}` entry `{shown}` has `{}` in its action name; action names are letters, digits, `*` and `?`",
            c.escape_default()
        ));
    }
    Ok(())
}

/// `*` or an ARN pattern with six colon-separated parts (fewer if it ends in `*`).
fn check_resource(pattern: &str, element: &str) -> Result<(), String> {
    if pattern == "*" {
        return Ok(());
    }
    let shown = crate::json::truncate(pattern);
    if !pattern.starts_with("arn:") {
        let example = if pattern.contains(':') {
            "arn:aws:s3:::bucket/*".to_string()
        } else {
            format!("arn:aws:s3:::{shown}")
        };
        return Err(format!(
            "`{element}` entry `{shown}` must be `*` or an ARN such as `{example}`"
        ));
    }
    if pattern.matches(':').count() < 5 && !pattern.ends_with('*') {
        return Err(format!(
            "`{element}` entry `{shown}` is not a complete ARN; write six colon-separated parts `arn:partition:service:region:account:resource`, e.g. `arn:aws:s3:::bucket/*`"
        ));
    }
    if pattern.contains(char::is_whitespace) {
        return Err(format!(
            "`{element}` entry `{shown}` contains whitespace; remove it"
        ));
    }
    Ok(())
}

/// Where statement elements sit in the source text, for errors found after parsing.
#[derive(Debug, Clone, Default)]
pub(crate) struct StatementSources {
    pub(crate) statement: Option<Location>,
    pub(crate) sid: Option<Location>,
    pub(crate) principal_key: Option<Location>,
    pub(crate) resource_key: Option<Location>,
    pub(crate) actions: Vec<Location>,
}

/// A compiled policy document.
///
/// ```
/// use replication_policy::{Context, Match, Policy, Principal, Request};
/// let policy = Policy::parse_json(r#"{
///   "Version": "2012-10-17",
///   "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObjectVersionForReplication",
///                  "Resource": "arn:aws:s3:::source/*"}]
/// }"#)?;
/// let role = Principal::from_arn("arn:aws:iam::111122223333:role/replicator").unwrap();
/// let context = Context::new();
/// let request = Request { principal: &role, action: "s3:GetObjectVersionForReplication",
///                         resource: "arn:aws:s3:::source/a.txt", context: &context };
/// assert!(matches!(policy.evaluate(&request), Match::Allow(s) if s.sid.as_deref() == Some("Read")));
/// # Ok::<(), replication_policy::PolicyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Policy {
    version: Option<PolicyVersion>,
    id: Option<String>,
    statements: Vec<Statement>,
    compiled: Vec<CompiledStatement>,
    /// Present for policies read from JSON, so later checks can point into the text.
    pub(crate) sources: Option<Vec<StatementSources>>,
}

impl PartialEq for Policy {
    fn eq(&self, other: &Policy) -> bool {
        self.version == other.version && self.id == other.id && self.statements == other.statements
    }
}

/// First matching statements found by one pass over a policy.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Scan {
    pub(crate) deny: Option<usize>,
    pub(crate) direct_allow: Option<usize>,
    pub(crate) account_allow: Option<usize>,
}

impl Scan {
    pub(crate) fn first_allow(&self) -> Option<usize> {
        match (self.direct_allow, self.account_allow) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

impl Policy {
    /// Builds a policy from statements (already-resolved ARNs), checking every statement with the
    /// same rules as [`Policy::parse_json`]. `Version` is `2012-10-17`.
    pub fn from_statements(statements: Vec<Statement>) -> Result<Policy, PolicyError> {
        if statements.is_empty() {
            return Err(PolicyError::Policy {
                message: "policy has no statements; add at least one `Allow` or `Deny` statement"
                    .into(),
            });
        }
        let compiled = statements
            .iter()
            .enumerate()
            .map(|(index, st)| {
                CompiledStatement::compile(st, true).map_err(|(_, message)| {
                    PolicyError::Statement {
                        index,
                        sid: st.sid.clone(),
                        message,
                    }
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Policy {
            version: Some(PolicyVersion::V2012_10_17),
            id: None,
            statements,
            compiled,
            sources: None,
        })
    }

    /// Assembles a policy whose statements were compiled by the JSON reader.
    pub(crate) fn from_parts(
        version: Option<PolicyVersion>,
        id: Option<String>,
        statements: Vec<Statement>,
        compiled: Vec<CompiledStatement>,
        sources: Vec<StatementSources>,
    ) -> Policy {
        Policy {
            version,
            id,
            statements,
            compiled,
            sources: Some(sources),
        }
    }

    /// Moves every recorded source position by `f` (for a document read out of a larger text).
    pub(crate) fn map_locations(&mut self, f: impl Fn(Location) -> Location) {
        for src in self.sources.iter_mut().flatten() {
            for at in [
                &mut src.statement,
                &mut src.principal_key,
                &mut src.resource_key,
            ]
            .into_iter()
            .flatten()
            {
                *at = f(*at);
            }
            for at in &mut src.actions {
                *at = f(*at);
            }
        }
    }

    /// `Version`, if the document had one.
    pub fn version(&self) -> Option<PolicyVersion> {
        self.version
    }

    /// `Id`, if any.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The statements in order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// A reference to statement `index` (its position and `Sid`).
    pub fn statement_ref(&self, index: usize) -> StatementRef {
        StatementRef {
            index,
            sid: self.statements.get(index).and_then(|s| s.sid.clone()),
        }
    }

    /// Evaluates this one policy: the first applicable `Deny`, else the first applicable `Allow`,
    /// else not applicable. Combining policies is [`crate::evaluate_access`]'s job.
    pub fn evaluate(&self, request: &Request<'_>) -> Match {
        let scan = self.scan(request);
        if let Some(i) = scan.deny {
            Match::Deny(self.statement_ref(i))
        } else if let Some(i) = scan.first_allow() {
            Match::Allow(self.statement_ref(i))
        } else {
            Match::NotApplicable
        }
    }

    /// One allocation-free pass: stops at the first applicable `Deny`, and otherwise records the
    /// first `Allow` naming the principal directly and the first naming only its account.
    pub(crate) fn scan(&self, request: &Request<'_>) -> Scan {
        let mut scan = Scan::default();
        for (i, st) in self.compiled.iter().enumerate() {
            if st.effect == Effect::Allow
                && scan.direct_allow.is_some()
                && scan.account_allow.is_some()
            {
                // Both allow kinds are known; only a later Deny could still change the result.
                continue;
            }
            match (st.effect, st.applies(request)) {
                (_, Strength::No) => {}
                (Effect::Deny, _) => {
                    scan.deny = Some(i);
                    return scan;
                }
                (Effect::Allow, Strength::Direct) => {
                    scan.direct_allow.get_or_insert(i);
                }
                (Effect::Allow, Strength::Account) => {
                    scan.account_allow.get_or_insert(i);
                }
            }
        }
        scan
    }

    /// Problems that make this policy unfit for `kind` (all of them, in statement order):
    /// identity policies cannot name a `Principal` and need `Resource`; resource policies need a
    /// `Principal`; bucket, key and trust policies only take `s3:`, `kms:` and `sts:` actions;
    /// trust policies have no `Resource`. Errors point into the JSON text when there is one.
    pub fn check_for(&self, kind: PolicyKind) -> Vec<PolicyError> {
        let mut problems = match kind {
            PolicyKind::Identity | PolicyKind::Resource(ResourceKind::RoleTrust) => {
                self.iam_sid_problems()
            }
            PolicyKind::Resource(ResourceKind::S3Bucket | ResourceKind::KmsKey) => Vec::new(),
        };
        for (index, st) in self.statements.iter().enumerate() {
            let src = self.sources.as_ref().and_then(|s| s.get(index));
            let mut report = |at: Option<Location>, message: String| {
                problems.push(match at.or(src.and_then(|s| s.statement)) {
                    Some(location) => PolicyError::Grammar {
                        location,
                        statement: Some(index),
                        message,
                    },
                    None => PolicyError::Statement {
                        index,
                        sid: st.sid.clone(),
                        message,
                    },
                });
            };
            let which = describe_statement(index, st.sid.as_deref());
            let has_principal = st.principal.is_some() || st.not_principal.is_some();
            match kind {
                PolicyKind::Identity => {
                    if has_principal {
                        report(
                            src.and_then(|s| s.principal_key),
                            format!(
                                "statement {which} of an identity policy has `Principal`; remove it, the principal is the identity the policy is attached to"
                            ),
                        );
                    }
                    if st.resource.is_none() {
                        report(
                            None,
                            format!(
                                "statement {which} of an identity policy has no `Resource`; add `\"Resource\"` with the ARNs it covers"
                            ),
                        );
                    }
                }
                PolicyKind::Resource(resource) => {
                    let (noun, service) = match resource {
                        ResourceKind::S3Bucket => ("bucket policy", "s3"),
                        ResourceKind::KmsKey => ("key policy", "kms"),
                        ResourceKind::RoleTrust => ("trust policy", "sts"),
                    };
                    if !has_principal {
                        report(
                            None,
                            format!(
                                "statement {which} of a {noun} has no `Principal`; add one such as `{{\"AWS\": \"arn:aws:iam::111122223333:root\"}}`"
                            ),
                        );
                    }
                    match (&st.resource, resource) {
                        (Some(_), ResourceKind::RoleTrust) => report(
                            src.and_then(|s| s.resource_key),
                            format!(
                                "statement {which} of a trust policy has `Resource`; remove it, the resource is the role itself"
                            ),
                        ),
                        (None, ResourceKind::S3Bucket | ResourceKind::KmsKey) => report(
                            None,
                            format!(
                                "statement {which} of a {noun} has no `Resource`; add `\"Resource\"`{}",
                                if resource == ResourceKind::KmsKey {
                                    " (`\"*\"` means this key)"
                                } else {
                                    " with the bucket and object ARNs"
                                }
                            ),
                        ),
                        _ => {}
                    }
                    if let ActionSet::Action(actions) = &st.action {
                        for (i, action) in actions.iter().enumerate() {
                            let prefix = action.split_once(':').map_or(action.as_str(), |(p, _)| p);
                            if action != "*" && !prefix.eq_ignore_ascii_case(service) {
                                report(
                                    src.and_then(|s| s.actions.get(i).copied()),
                                    format!(
                                        "a {noun} only takes `{service}:` actions, found `{}`; grant it in the policy of the resource it acts on",
                                        crate::json::truncate(action)
                                    ),
                                );
                            }
                        }
                    }
                }
            }
        }
        problems.sort_by_key(PolicyError::statement_index);
        problems
    }

    /// `Sid`s IAM refuses, in statement order: IAM's policy reference says a `Sid` uses only
    /// ASCII letters and digits (`[0-9A-Za-z]`) and is unique within a policy. This holds for
    /// IAM's own policies (identity and trust policies); S3 and KMS accept other `Sid`s (the
    /// default key policy's is `Enable IAM User Permissions`), so they are not checked there. An
    /// empty `Sid` is refused too (*inferred*: IAM's rule names no empty value).
    pub fn iam_sid_problems(&self) -> Vec<PolicyError> {
        let mut problems = Vec::new();
        let mut first_of: BTreeMap<&str, usize> = BTreeMap::new();
        for (index, st) in self.statements.iter().enumerate() {
            let Some(sid) = st.sid.as_deref() else {
                continue;
            };
            let message = if sid.is_empty() || !sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
                format!(
                    "`Sid` `{}` is not accepted by IAM; a `Sid` uses only ASCII letters and digits (A-Z, a-z, 0-9), like `AllowReplication`",
                    crate::json::truncate(sid)
                )
            } else if let Some(&first) = first_of.get(sid) {
                format!(
                    "`Sid` `{}` is also the `Sid` of statement {first}; IAM needs every `Sid` of a policy to be unique, rename one",
                    crate::json::truncate(sid)
                )
            } else {
                first_of.insert(sid, index);
                continue;
            };
            let at = self
                .sources
                .as_ref()
                .and_then(|s| s.get(index))
                .and_then(|s| s.sid.or(s.statement));
            problems.push(match at {
                Some(location) => PolicyError::Grammar {
                    location,
                    statement: Some(index),
                    message,
                },
                None => PolicyError::Statement {
                    index,
                    sid: Some(sid.to_owned()),
                    message,
                },
            });
        }
        problems
    }

    /// Renders the policy as canonical pretty JSON: `Version`, `Id`, then `Statement` as an array,
    /// each statement's elements in AWS's documented order, one-element lists as plain strings,
    /// condition values as strings. Deterministic: the same policy renders to the same bytes.
    pub fn to_json_pretty(&self) -> String {
        let mut doc = Map::new();
        if let Some(v) = self.version {
            doc.insert("Version".into(), Json::from(v.as_str()));
        }
        if let Some(id) = &self.id {
            doc.insert("Id".into(), Json::from(id.as_str()));
        }
        let statements = self.statements.iter().map(statement_json).collect();
        doc.insert("Statement".into(), Json::Array(statements));
        serde_json::to_string_pretty(&Json::Object(doc)).unwrap_or_default()
    }
}

fn string_or_list(items: &[String]) -> Json {
    match items {
        [one] => Json::from(one.as_str()),
        many => Json::Array(many.iter().map(|s| Json::from(s.as_str())).collect()),
    }
}

fn principal_json(set: &PrincipalSet) -> Json {
    match set {
        PrincipalSet::Any => Json::from("*"),
        PrincipalSet::Ids(ids) => {
            let mut map = Map::new();
            for kind in PrincipalType::ALL {
                let list = ids.list(kind);
                if !list.is_empty() {
                    map.insert(kind.name().into(), string_or_list(list));
                }
            }
            Json::Object(map)
        }
    }
}

fn statement_json(st: &Statement) -> Json {
    let mut map = Map::new();
    if let Some(sid) = &st.sid {
        map.insert("Sid".into(), Json::from(sid.as_str()));
    }
    map.insert("Effect".into(), Json::from(st.effect.name()));
    if let Some(p) = &st.principal {
        map.insert("Principal".into(), principal_json(p));
    }
    if let Some(p) = &st.not_principal {
        map.insert("NotPrincipal".into(), principal_json(p));
    }
    map.insert(
        st.action.element().into(),
        string_or_list(st.action.patterns()),
    );
    if let Some(r) = &st.resource {
        map.insert(r.element().into(), string_or_list(r.patterns()));
    }
    if !st.conditions.is_empty() {
        // Grouped by operator in order of first appearance, keys in order within an operator.
        let mut blocks: Vec<(String, Map<String, Json>)> = Vec::new();
        for c in &st.conditions {
            let op = c.operator.to_string();
            let pos = match blocks.iter().position(|(name, _)| *name == op) {
                Some(pos) => pos,
                None => {
                    blocks.push((op, Map::new()));
                    blocks.len() - 1
                }
            };
            blocks[pos]
                .1
                .insert(c.key.clone(), string_or_list(&c.values));
        }
        let mut cond = Map::new();
        for (op, keys) in blocks {
            cond.insert(op, Json::Object(keys));
        }
        map.insert("Condition".into(), Json::Object(cond));
    }
    Json::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::{ConditionOperator, Operator};
    use crate::{Context, Principal};

    fn role() -> Principal {
        Principal::from_arn("arn:aws:sts::111122223333:assumed-role/replicator/s3-replication")
            .expect("valid")
    }

    fn eval(policy: &Policy, action: &str, resource: &str) -> Match {
        let p = role();
        let context = Context::new();
        policy.evaluate(&Request {
            principal: &p,
            action,
            resource,
            context: &context,
        })
    }

    fn policy(statements: Vec<Statement>) -> Policy {
        Policy::from_statements(statements).expect("valid policy")
    }

    /// aws-facts h: `arn:aws:s3:::bucket/*` covers objects, not the bucket ARN.
    #[test]
    fn object_wildcard_does_not_cover_bucket() {
        let p = policy(vec![Statement::allow(["s3:*"], ["arn:aws:s3:::source/*"])]);
        assert!(matches!(
            eval(
                &p,
                "s3:GetObjectVersionForReplication",
                "arn:aws:s3:::source/a"
            ),
            Match::Allow(_)
        ));
        assert_eq!(
            eval(&p, "s3:GetReplicationConfiguration", "arn:aws:s3:::source"),
            Match::NotApplicable
        );
    }

    #[test]
    fn actions_match_case_insensitively_with_wildcards() {
        let p = policy(vec![Statement::allow(["S3:getobjectversion*"], ["*"])]);
        assert!(matches!(
            eval(&p, "s3:GetObjectVersionForReplication", "arn:aws:s3:::b/k"),
            Match::Allow(_)
        ));
        assert_eq!(
            eval(&p, "s3:GetObject", "arn:aws:s3:::b/k"),
            Match::NotApplicable
        );
    }

    #[test]
    fn not_action_and_not_resource_invert_the_match() {
        let deny_all_but_kms = Statement {
            action: ActionSet::NotAction(vec!["kms:*".into()]),
            ..Statement::deny(["unused:x"], ["*"])
        };
        let p = policy(vec![deny_all_but_kms]);
        assert!(matches!(
            eval(&p, "s3:PutObject", "arn:aws:s3:::b/k"),
            Match::Deny(_)
        ));
        assert_eq!(
            eval(
                &p,
                "kms:Decrypt",
                "arn:aws:kms:us-east-1:111122223333:key/k"
            ),
            Match::NotApplicable
        );
        let outside = Statement {
            resource: Some(ResourceSet::NotResource(vec![
                "arn:aws:s3:::source/*".into(),
            ])),
            ..Statement::deny(["s3:*"], ["*"])
        };
        let p = policy(vec![outside]);
        assert!(matches!(
            eval(&p, "s3:GetObject", "arn:aws:s3:::other/k"),
            Match::Deny(_)
        ));
        assert_eq!(
            eval(&p, "s3:GetObject", "arn:aws:s3:::source/k"),
            Match::NotApplicable
        );
    }

    /// aws-facts h [I-EVAL]: an explicit Deny overrides every Allow, whatever the order.
    #[test]
    fn explicit_deny_wins_within_one_policy() {
        let p = policy(vec![
            Statement::allow(["s3:*"], ["*"]).with_sid("All"),
            Statement::deny(["s3:ReplicateTags"], ["arn:aws:s3:::dest/*"]).with_sid("NoTags"),
        ]);
        assert_eq!(
            eval(&p, "s3:ReplicateTags", "arn:aws:s3:::dest/k"),
            Match::Deny(StatementRef {
                index: 1,
                sid: Some("NoTags".into())
            })
        );
        assert_eq!(
            eval(&p, "s3:ReplicateObject", "arn:aws:s3:::dest/k"),
            Match::Allow(StatementRef {
                index: 0,
                sid: Some("All".into())
            })
        );
    }

    #[test]
    fn first_allow_by_index_is_reported() {
        let p = policy(vec![
            Statement::allow(["kms:Encrypt"], ["*"]),
            Statement::allow(["kms:*"], ["*"]).with_sid("second"),
            Statement::allow(["kms:Decrypt"], ["*"]).with_sid("third"),
        ]);
        assert_eq!(
            eval(
                &p,
                "kms:Decrypt",
                "arn:aws:kms:us-east-1:111122223333:key/k"
            ),
            Match::Allow(p.statement_ref(1))
        );
    }

    #[test]
    fn from_statements_names_the_statement() {
        let bad = Statement::allow(["GetObject"], ["arn:aws:s3:::b/*"]).with_sid("Read");
        let err =
            Policy::from_statements(vec![Statement::allow(["s3:*"], ["*"]), bad]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "statement 1 (`Read`): `Action` entry `GetObject` must be `service:action`, e.g. `s3:GetObject` or `kms:Decrypt`"
        );
        assert!(matches!(
            Policy::from_statements(vec![]),
            Err(PolicyError::Policy { .. })
        ));
        let both = Statement {
            principal: Some(PrincipalSet::Any),
            not_principal: Some(PrincipalSet::Any),
            ..Statement::allow(["s3:*"], ["*"])
        };
        assert!(Policy::from_statements(vec![both]).is_err());
        let twice = Statement::allow(["s3:*"], ["*"])
            .with_condition(Condition::new(
                ConditionOperator::new(Operator::StringEquals),
                "aws:SourceAccount",
                ["111122223333"],
            ))
            .with_condition(Condition::new(
                ConditionOperator::new(Operator::StringEquals),
                "AWS:sourceaccount",
                ["444455556666"],
            ));
        let err = Policy::from_statements(vec![twice]).unwrap_err();
        assert!(err.message().contains("appears twice"), "{err}");
        let null_if_exists = Statement::allow(["s3:*"], ["*"]).with_condition(Condition::new(
            ConditionOperator {
                if_exists: true,
                ..ConditionOperator::new(Operator::Null)
            },
            "aws:SourceVpce",
            ["true"],
        ));
        let err = Policy::from_statements(vec![null_if_exists]).unwrap_err();
        assert_eq!(
            err.message(),
            "`NullIfExists` is not an operator: `Null` already tests whether the key exists; use `Null`"
        );
        let no_resources = Statement::allow(["s3:*"], Vec::<String>::new());
        assert!(Policy::from_statements(vec![no_resources]).is_err());
        let bad_resource = Statement::allow(["s3:*"], ["my-bucket/*"]);
        let err = Policy::from_statements(vec![bad_resource]).unwrap_err();
        assert!(
            err.message().contains("`arn:aws:s3:::my-bucket/*`"),
            "{err}"
        );
    }

    #[test]
    fn check_actions_and_resources() {
        assert!(check_action("s3:Get*", "Action").is_ok());
        assert!(check_action("*", "Action").is_ok());
        assert!(check_action("s3:*", "Action").is_ok());
        assert!(check_action("s3:Get Object", "Action").is_err());
        assert!(check_action(":Get", "Action").is_err());
        assert!(check_action("s3:", "Action").is_err());
        assert!(check_action("s_3:Get", "Action").is_err());
        assert!(check_resource("arn:aws:s3:::b", "Resource").is_ok());
        assert!(check_resource("arn:aws:s3:*", "Resource").is_ok());
        assert!(check_resource("arn:aws:s3", "Resource").is_err());
        assert!(check_resource("arn:aws:s3:::b /x", "Resource").is_err());
    }

    #[test]
    fn check_for_matches_policy_kinds() {
        let identity = policy(vec![Statement::allow(["s3:*"], ["*"])]);
        assert!(identity.check_for(PolicyKind::Identity).is_empty());
        let problems = identity.check_for(PolicyKind::Resource(ResourceKind::S3Bucket));
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message().contains("has no `Principal`"));
        let trust = policy(vec![Statement {
            resource: None,
            ..Statement::allow(["sts:AssumeRole"], ["*"])
                .with_principal(PrincipalSet::service("s3.amazonaws.com"))
        }]);
        assert!(
            trust
                .check_for(PolicyKind::Resource(ResourceKind::RoleTrust))
                .is_empty()
        );
        assert_eq!(trust.check_for(PolicyKind::Identity).len(), 2);
        let key = policy(vec![
            Statement::allow(["s3:GetObject"], ["*"])
                .with_principal(PrincipalSet::aws(["111122223333"])),
        ]);
        let problems = key.check_for(PolicyKind::Resource(ResourceKind::KmsKey));
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].message().contains("only takes `kms:` actions"),
            "{}",
            problems[0]
        );
    }

    #[test]
    fn renders_canonical_json() {
        let p = policy(vec![
            Statement::allow(["kms:Decrypt"], ["*"])
                .with_sid("Src")
                .with_principal(PrincipalSet::aws([
                    "arn:aws:iam::111122223333:role/replicator",
                ]))
                .with_condition(Condition::new(
                    ConditionOperator::new(Operator::StringEquals),
                    "kms:ViaService",
                    ["s3.us-east-1.amazonaws.com"],
                ))
                .with_condition(Condition::new(
                    ConditionOperator::new(Operator::StringLike),
                    "kms:EncryptionContext:aws:s3:arn",
                    ["arn:aws:s3:::source/*", "arn:aws:s3:::source"],
                )),
        ]);
        let expected = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Src",
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::111122223333:role/replicator"
      },
      "Action": "kms:Decrypt",
      "Resource": "*",
      "Condition": {
        "StringEquals": {
          "kms:ViaService": "s3.us-east-1.amazonaws.com"
        },
        "StringLike": {
          "kms:EncryptionContext:aws:s3:arn": [
            "arn:aws:s3:::source/*",
            "arn:aws:s3:::source"
          ]
        }
      }
    }
  ]
}"#;
        assert_eq!(p.to_json_pretty(), expected);
        assert_eq!(Policy::parse_json(expected).expect("round trip"), p);
    }
}
