//! The parser: a token stream to the [`crate::ast`] tree, reporting every error it can.
//!
//! It recovers at three levels so one mistake does not hide the next: after a bad scenario it
//! skips to the next scenario, after a bad statement to the next `;`, after a bad setting in a
//! `{ a, b: c }` block to the next `,`. A helper never returns an error once it has consumed its
//! terminator; errors found after that point go to the [`Ctxt`] instead, so recovery never
//! swallows a good statement.
//!
//! syn's delimited-group macros share an "unexpected token" cell with the outer stream; a group
//! left half-parsed would poison every later parse. [`in_group`] therefore always drains a group
//! before returning an error from it.

use proc_macro2::{Delimiter, Span, TokenTree};
use replication_spec::spec::{
    Body, BucketRef, ConditionSpec, Effect, FailureReason, FilterSpec, KeyRef, ObjectOwner,
    RoleRef, StatementSelector,
};
use syn::ext::IdentExt;
use syn::parse::{ParseBuffer, ParseStream, Parser};
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitInt, LitStr, Meta, Token, token};

use crate::ast::*;
use crate::error::{Ctxt, SpanRange, shorten};
use crate::symbol::{self as sym, Symbol, one_of, suggest};

type PResult<T> = syn::Result<T>;

/// Parses a whole suite. Never fails: every error goes to `cx`, and the scenarios that could be
/// read are returned (each marked when it had errors).
pub fn parse_suite(cx: &Ctxt, tokens: proc_macro2::TokenStream) -> Suite {
    // syn builds its token buffer recursively, so nesting must be bounded before syn sees it.
    if let Some(span) = too_deep(&tokens) {
        cx.error(
            span,
            format!(
                "brackets nest more than {MAX_NESTING} deep here; no statement needs more than a few, so look for a repeated or unclosed `(`, `[` or `{{`"
            ),
        );
        return Suite::default();
    }
    let parser = |input: ParseStream| -> PResult<Suite> { Ok(suite(cx, input)) };
    match parser.parse2(tokens) {
        Ok(suite) => suite,
        Err(e) => {
            // Only reachable if a helper left tokens unparsed; report rather than lose them.
            cx.syn_error(e);
            Suite::default()
        }
    }
}

/// How deep `()`, `[]` and `{}` may nest in a suite (*inferred*: a bound of ours, far above what
/// any statement needs, far below what overflows the stack).
pub const MAX_NESTING: usize = 64;

/// The longest scenario name, in bytes: its snapshot `<name>@<rule set>.snap`, and the
/// `.snap.new` insta may write next to it, must fit the 255-byte file-name limit of common file
/// systems (*inferred*: a bound of ours that leaves room for every suffix).
pub const MAX_SCENARIO_NAME: usize = 200;

/// The opening delimiter of the first group nested deeper than [`MAX_NESTING`], found without
/// recursion.
fn too_deep(tokens: &proc_macro2::TokenStream) -> Option<Span> {
    let mut stack = vec![tokens.clone().into_iter()];
    while let Some(top) = stack.last_mut() {
        match top.next() {
            Some(TokenTree::Group(g)) => {
                if stack.len() > MAX_NESTING {
                    return Some(g.span_open());
                }
                stack.push(g.stream().into_iter());
            }
            Some(_) => {}
            None => {
                stack.pop();
            }
        }
    }
    None
}

fn suite(cx: &Ctxt, input: ParseStream) -> Suite {
    let mut scenarios: Vec<Scenario> = Vec::new();
    while !input.is_empty() {
        let scx = Ctxt::new();
        let res = scenario(&scx, input);
        let errors = scx.check();
        match res {
            Ok(mut s) => {
                s.syntax_errors = errors;
                if scenarios.iter().any(|other| other.name == s.name) {
                    cx.error(
                        s.name.span(),
                        format!(
                            "scenario `{}` is defined twice; rename one of them",
                            shorten(&s.name.to_string())
                        ),
                    );
                } else {
                    scenarios.push(s);
                }
            }
            Err(e) => {
                for err in errors {
                    cx.push(err);
                }
                cx.syn_error(e);
                skip_past_group(input, Delimiter::Brace);
            }
        }
    }
    Suite { scenarios }
}

fn scenario(cx: &Ctxt, input: ParseStream) -> PResult<Scenario> {
    if input.peek(Token![#]) && input.peek2(Token![!]) {
        return Err(input.error(
            "inner doc comments (`//!`) cannot describe a scenario; write `///` before the scenario name",
        ));
    }
    let attrs = input.call(Attribute::parse_outer)?;
    let mut doc_lines = Vec::new();
    for attr in &attrs {
        match doc_line(attr) {
            Some(line) => doc_lines.push(line),
            None => cx.error(
                SpanRange::of(attr, attr.pound_token.span),
                "only `///` doc comments can precede a scenario; remove this attribute",
            ),
        }
    }
    if !input.peek(Ident) {
        return Err(
            input.error("expected a scenario: `/// what it shows` then `name { statements }`")
        );
    }
    let name: Ident = input.parse()?;
    let name_len = name.to_string().len();
    if name_len > MAX_SCENARIO_NAME {
        cx.error(
            name.span(),
            format!(
                "scenario name `{}` is {name_len} bytes long; names are at most {MAX_SCENARIO_NAME} bytes so that the snapshot file name fits, shorten it",
                shorten(&name.to_string())
            ),
        );
    }
    if !input.peek(token::Brace) {
        let at = if input.is_empty() {
            name.span()
        } else {
            input.span()
        };
        let name = shorten(&name.to_string()).into_owned();
        return Err(syn::Error::new(
            at,
            format!(
                "expected `{{` after scenario name `{name}`; a scenario is `{name} {{ statements }}`"
            ),
        ));
    }
    let content;
    syn::braced!(content in input);
    let stmts = body(cx, &content);
    Ok(Scenario {
        doc: doc_lines.join("\n").trim().to_owned(),
        name,
        stmts,
        syntax_errors: Vec::new(),
    })
}

/// The text of a `///` line, without its first space.
fn doc_line(attr: &Attribute) -> Option<String> {
    if !attr.path().is_ident("doc") {
        return None;
    }
    let Meta::NameValue(nv) = &attr.meta else {
        return None;
    };
    let Expr::Lit(ExprLit {
        lit: Lit::Str(s), ..
    }) = &nv.value
    else {
        return None;
    };
    let text = s.value();
    Some(
        text.strip_prefix(' ')
            .unwrap_or(&text)
            .trim_end()
            .to_owned(),
    )
}

fn body(cx: &Ctxt, input: ParseStream) -> Vec<Stmt> {
    let mut stmts = Vec::new();
    while !input.is_empty() {
        match stmt(cx, input) {
            Ok(s) => stmts.push(s),
            Err(e) => {
                cx.syn_error(e);
                skip_past_punct(input, ';');
            }
        }
    }
    stmts
}

fn stmt(cx: &Ctxt, input: ParseStream) -> PResult<Stmt> {
    let Some(kw) = peek_word(input) else {
        return Err(input.error(format!(
            "expected a statement, one of {}",
            one_of(sym::names(sym::STATEMENTS))
        )));
    };
    let at = SpanRange::new(kw.span());
    if kw == sym::RULES {
        word(input)?;
        let rule_set = table(input, sym::RULE_SETS, "rule set")?;
        semi(input, "rules")?;
        return Ok(Stmt::Rules {
            keyword: kw,
            rule_set,
        });
    }
    if kw == sym::ACCOUNT {
        return account(cx, input).map(Stmt::Account);
    }
    if kw == sym::KEY {
        return key(cx, input).map(Stmt::Key);
    }
    if kw == sym::BUCKET {
        return bucket(cx, input).map(Stmt::Bucket);
    }
    if kw == sym::ROLE {
        return role(cx, input).map(Stmt::Role);
    }
    let kind = if kw == sym::REPLICATION {
        StepKind::Replication(replication(cx, input)?)
    } else if kw == sym::PUT {
        StepKind::Put(put(cx, input)?)
    } else if kw == sym::DELETE {
        word(input)?;
        let bucket = named(input, "a bucket")?;
        let key = object_key(input)?;
        let version = if peek_is(input, sym::VERSION) {
            word(input)?;
            Some(version_number(input)?)
        } else {
            None
        };
        semi(input, "delete")?;
        StepKind::Delete {
            bucket,
            key,
            version,
        }
    } else if kw == sym::TAG {
        word(input)?;
        let bucket = named(input, "a bucket")?;
        let key = object_key(input)?;
        let tags = map(input, "the tags")?;
        semi(input, "tag")?;
        StepKind::Tagging { bucket, key, tags }
    } else if kw == sym::REPLICATE {
        word(input)?;
        semi(input, "replicate")?;
        StepKind::Replicate
    } else if kw == sym::BATCH_REPLICATE {
        word(input)?;
        let bucket = named(input, "the source bucket")?;
        let statuses = if input.peek(token::Bracket) {
            let open = input.span();
            let list = brackets(input, "the statuses", |c| {
                comma_list(c, "statuses", |c| {
                    table(c, sym::BATCH_STATUSES, "replication status")
                })
            })?;
            let range = list
                .last()
                .map_or(SpanRange::new(open), |l| SpanRange::new(open).to(l.range));
            Spanned::new(list.into_iter().map(|s| s.value).collect(), range)
        } else {
            let one = table(input, sym::BATCH_STATUSES, "replication status")?;
            Spanned::new(vec![one.value], one.range)
        };
        semi(input, "batch_replicate")?;
        StepKind::BatchReplicate { bucket, statuses }
    } else if kw == sym::WAIT {
        word(input)?;
        let duration = wait_duration(input)?;
        semi(input, "wait")?;
        StepKind::Wait(duration)
    } else if kw == sym::EXPECT {
        StepKind::Expect(expect(input)?)
    } else if let Some(fault) = fault(input, &kw)? {
        StepKind::Fault(fault)
    } else {
        let word = kw.to_string();
        let hint = match suggest(&word, sym::names(sym::STATEMENTS)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("expected one of {}", one_of(sym::names(sym::STATEMENTS))),
        };
        return Err(syn::Error::new(
            kw.span(),
            format!("unknown statement `{word}`; {hint}"),
        ));
    };
    Ok(Stmt::Step(StepDef { keyword: at, kind }))
}

// ---------------------------------------------------------------------------------------------
// Definitions

fn account(cx: &Ctxt, input: ParseStream) -> PResult<AccountDef> {
    word(input)?;
    let name = named(input, "the account")?;
    equals(input, &format!("after `account {name}`"))?;
    let id = account_id(input, "the account id")?;
    let mut org = None;
    if input.peek(token::Brace) {
        settings(
            cx,
            input,
            &format!("account `{name}`"),
            sym::ACCOUNT_SETTINGS,
            |c, kw| {
                colon(c, &kw)?;
                let value = string(c, "an organization id", "\"o-a1b2c3d4e5\"")?;
                once(cx, &mut org, &kw, value);
                Ok(())
            },
        )?;
    }
    semi(input, "account")?;
    Ok(AccountDef { name, id, org })
}

/// Twelve digits, written as an integer (underscores allowed) or a string.
fn account_id(input: ParseStream, what: &str) -> PResult<Spanned<String>> {
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return Ok(Spanned::new(lit.value(), lit.span()));
    }
    if input.peek(LitInt) {
        let lit: LitInt = input.parse()?;
        let text = lit.token().to_string();
        if !lit.suffix().is_empty()
            || text.starts_with("0x")
            || text.starts_with("0o")
            || text.starts_with("0b")
        {
            return Err(syn::Error::new(
                lit.span(),
                format!("{what} `{text}` must be twelve decimal digits, like `111122223333`"),
            ));
        }
        return Ok(Spanned::new(text.replace('_', ""), lit.span()));
    }
    Err(input.error(format!(
        "expected {what}: twelve digits, like `111122223333`"
    )))
}

fn key(cx: &Ctxt, input: ParseStream) -> PResult<KeyDef> {
    word(input)?;
    let name = named(input, "the key")?;
    equals(input, &format!("after `key {name}`"))?;
    let ctor_word = constructor(
        input,
        sym::KEY_KINDS,
        "key kind",
        "kms(prod, \"us-east-1\")",
    )?;
    let ctor = if ctor_word == sym::KMS {
        KeyCtor::Kms
    } else if ctor_word == sym::KMS_MRK {
        KeyCtor::KmsMrk
    } else if ctor_word == sym::REPLICA_OF {
        KeyCtor::ReplicaOf
    } else {
        KeyCtor::AwsManaged
    };
    let owner_what = if ctor == KeyCtor::ReplicaOf {
        "the primary key"
    } else {
        "the owning account"
    };
    let (owner, region) = parens(input, &format!("`{ctor_word}(...)`"), |c| {
        let owner = named(c, owner_what)?;
        comma(c, &format!("in `{ctor_word}(...)`"))?;
        let region = region(c)?;
        Ok((owner, region))
    })?;
    let mut def = KeyDef {
        name,
        ctor: Spanned::new(ctor, ctor_word.span()),
        owner,
        region,
        key_id: None,
        state: None,
        aliases: Vec::new(),
        grants: Vec::new(),
        policy: None,
    };
    if input.peek(token::Brace) {
        let what = format!("key `{}`", def.name);
        settings(cx, input, &what, sym::KEY_SETTINGS, |c, kw| {
            colon(c, &kw)?;
            if kw == sym::ID {
                let id = string(
                    c,
                    "a KMS key id",
                    "\"1234abcd-12ab-34cd-56ef-1234567890ab\"",
                )?;
                once(cx, &mut def.key_id, &kw, id);
            } else if kw == sym::STATE {
                let state = table(c, sym::KEY_STATES, "key state")?;
                once(cx, &mut def.state, &kw, state);
            } else if kw == sym::ALIAS {
                def.aliases
                    .push(string(c, "an alias name", "\"alias/replication-source\"")?);
            } else if kw == sym::GRANT {
                def.grants.push(grant(c, &kw)?);
            } else {
                let policy = policy_value(cx, c, SpanRange::new(kw.span()))?;
                once(cx, &mut def.policy, &kw, policy);
            }
            Ok(())
        })?;
    }
    semi(input, "key")?;
    Ok(def)
}

fn grant(input: ParseStream, kw: &Ident) -> PResult<GrantDef> {
    let grantee = principal(input, false)?;
    let mut last = grantee.range;
    let mut operations = Vec::new();
    let mut op = |c: ParseStream| -> PResult<Spanned<String>> {
        let first = word(c)?;
        let mut range = SpanRange::new(first.span());
        let mut text = first.to_string();
        if c.peek(Token![:]) {
            c.parse::<Token![:]>()?;
            let op = word(c)?;
            if first != "kms" {
                return Err(syn::Error::new(
                    first.span(),
                    format!("grant operations are KMS operations; write `{op}` or `kms:{op}`"),
                ));
            }
            range = range.to(SpanRange::new(op.span()));
            text = op.to_string();
        }
        Ok(Spanned::new(text, range))
    };
    if input.peek(token::Bracket) {
        let close = input.span();
        let ops = brackets(input, "the grant operations", |c| {
            comma_list(c, "grant operations", &mut op)
        })?;
        last = ops.last().map_or(SpanRange::new(close), |o| o.range);
        operations.extend(ops);
    } else if input.peek(Ident) {
        let one = op(input)?;
        last = one.range;
        operations.push(one);
    }
    if operations.is_empty() {
        return Err(
            input.error("a grant needs operations, like `grant: replicator [Decrypt, Encrypt]`")
        );
    }
    let mut context = Vec::new();
    if peek_is(input, sym::CONTEXT) {
        word(input)?;
        let pairs = map(input, "the encryption context")?;
        last = pairs.range;
        context = pairs.value;
    }
    Ok(GrantDef {
        range: SpanRange::new(kw.span()).to(last),
        grantee,
        operations,
        context,
    })
}

fn bucket(cx: &Ctxt, input: ParseStream) -> PResult<BucketDef> {
    word(input)?;
    let name = named(input, "the bucket")?;
    equals(input, &format!("after `bucket {name}`"))?;
    let ctor = constructor(input, &[sym::S3], "bucket kind", "s3(prod, \"us-east-1\")")?;
    let (account, region) = parens(input, &format!("`{ctor}(...)`"), |c| {
        let account = named(c, "the owning account")?;
        comma(c, "in `s3(...)`")?;
        Ok((account, region(c)?))
    })?;
    let mut def = BucketDef {
        name,
        account,
        region,
        s3_name: None,
        versioning: None,
        encryption: None,
        bucket_key: None,
        block_sse_c: None,
        object_lock: None,
        requester_pays: None,
        policy: None,
        versioning_json: None,
        encryption_json: None,
    };
    if input.peek(token::Brace) {
        let what = format!("bucket `{}`", def.name);
        settings(cx, input, &what, sym::BUCKET_SETTINGS, |c, kw| {
            let kw_range = SpanRange::new(kw.span());
            if kw == sym::NAME {
                colon(c, &kw)?;
                let name = string(c, "an S3 bucket name", "\"acme.prod-data\"")?;
                once(cx, &mut def.s3_name, &kw, name);
            } else if kw == sym::VERSIONING && json_follows(c) {
                colon(c, &kw)?;
                let json = json_text(c, "get-bucket-versioning.json")?;
                if def.versioning.is_some() {
                    cx.error(kw.span(), format!("`{kw}` is set twice; keep one"));
                }
                once(cx, &mut def.versioning_json, &kw, json);
            } else if kw == sym::ENCRYPTION && json_follows(c) {
                colon(c, &kw)?;
                let json = json_text(c, "get-bucket-encryption.json")?;
                if def.encryption.is_some() {
                    cx.error(kw.span(), format!("`{kw}` is set twice; keep one"));
                }
                once(cx, &mut def.encryption_json, &kw, json);
            } else if kw == sym::VERSIONING {
                if def.versioning_json.is_some() {
                    cx.error(kw.span(), format!("`{kw}` is set twice; keep one"));
                }
                let value = if c.peek(Token![:]) {
                    colon(c, &kw)?;
                    table(c, sym::VERSIONING_STATES, "versioning state")?
                } else {
                    Spanned::new(replication_spec::spec::Versioning::Enabled, kw_range)
                };
                once(cx, &mut def.versioning, &kw, value);
            } else if kw == sym::ENCRYPTION {
                if def.encryption_json.is_some() {
                    cx.error(kw.span(), format!("`{kw}` is set twice; keep one"));
                }
                colon(c, &kw)?;
                let enc = encryption(c)?;
                if enc.kind.value == EncryptionKind::SseC {
                    cx.error(
                        enc.kind.range,
                        format!(
                            "a bucket's default encryption cannot be SSE-C; use {}",
                            one_of(sym::names(sym::DEFAULT_ENCRYPTIONS))
                        ),
                    );
                }
                if let Some(bk) = enc.bucket_key.clone() {
                    once(cx, &mut def.bucket_key, &kw, bk);
                }
                once(cx, &mut def.encryption, &kw, enc);
            } else if kw == sym::POLICY {
                colon(c, &kw)?;
                let policy = policy_value(cx, c, kw_range)?;
                once(cx, &mut def.policy, &kw, policy);
            } else {
                let value = switch_setting(c, &kw)?;
                let slot = if kw == sym::BUCKET_KEY {
                    &mut def.bucket_key
                } else if kw == sym::BLOCK_SSE_C {
                    &mut def.block_sse_c
                } else if kw == sym::OBJECT_LOCK {
                    &mut def.object_lock
                } else {
                    &mut def.requester_pays
                };
                once(cx, slot, &kw, value);
            }
            Ok(())
        })?;
    }
    semi(input, "bucket")?;
    Ok(def)
}

/// After a setting's keyword: `: json ...` or `: json_file ...` follows.
fn json_follows(input: ParseStream) -> bool {
    let fork = input.fork();
    fork.parse::<Token![:]>().is_ok()
        && (peek_is(&fork, sym::JSON) || peek_is(&fork, sym::JSON_FILE))
}

/// `json "..."` or `json_file "path"` for an AWS JSON document other than a policy.
fn json_text(input: ParseStream, example: &str) -> PResult<JsonText> {
    let kw = word(input)?;
    let file = kw == sym::JSON_FILE;
    if !input.peek(LitStr) {
        return Err(input.error(format!(
            "expected the document as a string: `json_file \"{example}\"` or `json r#\"{{...}}\"#`"
        )));
    }
    Ok(JsonText {
        keyword: SpanRange::new(kw.span()),
        lit: input.parse()?,
        file,
    })
}

fn role(cx: &Ctxt, input: ParseStream) -> PResult<RoleDef> {
    word(input)?;
    let name = named(input, "the role")?;
    equals(input, &format!("after `role {name}`"))?;
    constructor(input, &[sym::IAM], "role kind", "iam(prod)")?;
    let account = parens(input, "`iam(...)`", |c| named(c, "the owning account"))?;
    let mut def = RoleDef {
        name,
        account,
        role_name: None,
        path: None,
        trust: None,
        policies: Vec::new(),
    };
    if input.peek(token::Brace) {
        let content;
        syn::braced!(content in input);
        role_body(cx, &content, &mut def);
    }
    semi(input, "role")?;
    Ok(def)
}

fn role_body(cx: &Ctxt, input: ParseStream, def: &mut RoleDef) {
    let mut inline: Option<usize> = None;
    while !input.is_empty() {
        let res = (|| -> PResult<()> {
            if sym::ROLE_SETTINGS.iter().any(|s| peek_is(input, *s)) {
                role_settings(cx, input, def)?;
            } else if peek_is(input, sym::TRUST) {
                let kw = word(input)?;
                let trust = trust_value(cx, input, &kw)?;
                semi(input, "trust")?;
                once(cx, &mut def.trust, &kw, trust);
            } else if peek_is(input, sym::POLICY) {
                let kw = word(input)?;
                let policy_name = if input.peek(LitStr) {
                    string(input, "a policy name", "\"replication\"")?
                } else {
                    let n = named(input, "the policy")?;
                    Spanned::new(n.to_string(), n.span())
                };
                let policy = policy_value(cx, input, SpanRange::new(kw.span()))?;
                semi(input, "policy")?;
                def.policies.push(NamedPolicyDef {
                    name: policy_name,
                    policy,
                });
            } else if peek_is(input, sym::ALLOW)
                || peek_is(input, sym::DENY)
                || peek_is(input, sym::SID)
            {
                let st = statement(input)?;
                semi(input, "statement")?;
                let idx = *inline.get_or_insert_with(|| {
                    def.policies.push(NamedPolicyDef {
                        name: Spanned::new(INLINE_POLICY.to_owned(), st.range),
                        policy: PolicyDef {
                            keyword: st.range,
                            body: PolicyBody::Statements(Vec::new()),
                        },
                    });
                    def.policies.len() - 1
                });
                if let PolicyBody::Statements(list) = &mut def.policies[idx].policy.body {
                    list.push(st);
                }
            } else {
                return Err(input.error(format!(
                    "expected `name: \"...\", path: \"...\";`, `trust ...;`, `policy name {{ ... }};` or a statement such as `allow s3:ReplicateObject on target/\"*\";` in role `{}`",
                    def.name
                )));
            }
            Ok(())
        })();
        if let Err(e) = res {
            cx.syn_error(e);
            skip_past_punct(input, ';');
        }
    }
}

/// `name: "s3-crr-prod-data", path: "/service-role/";` in a role body: its IAM name and path,
/// separated by `,` and ended by `;` (or by the end of the body).
fn role_settings(cx: &Ctxt, input: ParseStream, def: &mut RoleDef) -> PResult<()> {
    loop {
        let kw = word(input)?;
        colon(input, &kw)?;
        if kw == sym::NAME {
            let name = string(input, "an IAM role name", "\"s3-crr-prod-data\"")?;
            once(cx, &mut def.role_name, &kw, name);
        } else {
            let path = string(input, "an IAM path", "\"/service-role/\"")?;
            once(cx, &mut def.path, &kw, path);
        }
        if !input.peek(Token![,]) {
            break;
        }
        input.parse::<Token![,]>()?;
        if !sym::ROLE_SETTINGS.iter().any(|s| peek_is(input, *s)) {
            break;
        }
    }
    if input.is_empty() {
        return Ok(());
    }
    semi(input, "role settings")
}

/// `trust s3`, `trust [s3, batchoperations]`, or a full policy.
fn trust_value(cx: &Ctxt, input: ParseStream, kw: &Ident) -> PResult<PolicyDef> {
    let keyword = SpanRange::new(kw.span());
    if input.peek(token::Brace) || peek_is(input, sym::JSON) || peek_is(input, sym::JSON_FILE) {
        return policy_value(cx, input, keyword);
    }
    let principals = one_or_list(input, "the trusted principals", |c| principal(c, true))?;
    let last = principals.last().map_or(keyword, |p| p.range);
    let statement = StatementDef {
        range: keyword.to(last),
        sid: None,
        effect: Spanned::new(Effect::Allow, keyword),
        not_action: false,
        actions: vec![Spanned::new("sts:AssumeRole".to_owned(), keyword)],
        resources: Vec::new(),
        principals,
        conditions: Vec::new(),
    };
    Ok(PolicyDef {
        keyword,
        body: PolicyBody::Statements(vec![statement]),
    })
}

/// `{ statements }`, `json "..."` or `json_file "path"`.
fn policy_value(cx: &Ctxt, input: ParseStream, keyword: SpanRange) -> PResult<PolicyDef> {
    if peek_is(input, sym::JSON) || peek_is(input, sym::JSON_FILE) {
        let kw = word(input)?;
        if !input.peek(LitStr) {
            return Err(input.error(if kw == sym::JSON {
                "expected the policy document as a string, like `json r#\"{\"Version\": \"2012-10-17\", \"Statement\": []}\"#`"
            } else {
                "expected the policy file's path as a string, like `json_file \"policies/replication.json\"`"
            }));
        }
        let lit: LitStr = input.parse()?;
        let body = if kw == sym::JSON {
            PolicyBody::Json(lit)
        } else {
            PolicyBody::JsonFile(lit)
        };
        return Ok(PolicyDef { keyword, body });
    }
    if !input.peek(token::Brace) {
        return Err(input
            .error("expected a policy: `{ allow ...; }`, `json \"...\"` or `json_file \"path\"`"));
    }
    let content;
    syn::braced!(content in input);
    let mut statements = Vec::new();
    while !content.is_empty() {
        let res = statement(&content).and_then(|st| {
            semi(&content, "statement")?;
            Ok(st)
        });
        match res {
            Ok(st) => statements.push(st),
            Err(e) => {
                cx.syn_error(e);
                skip_past_punct(&content, ';');
            }
        }
    }
    Ok(PolicyDef {
        keyword,
        body: PolicyBody::Statements(statements),
    })
}

/// `[sid Name] allow|deny [not] actions [on resources] [by principals] [when conditions]`,
/// without the `;`.
fn statement(input: ParseStream) -> PResult<StatementDef> {
    let start = SpanRange::new(input.span());
    let sid = if peek_is(input, sym::SID) {
        word(input)?;
        if input.peek(LitStr) {
            Some(string(input, "a Sid", "\"AllowDecrypt\"")?)
        } else {
            let id = word(input)?;
            Some(Spanned::new(id.to_string(), id.span()))
        }
    } else {
        None
    };
    let effect_word = word_or(input, "`allow` or `deny` to start a statement")?;
    let effect = if effect_word == sym::ALLOW {
        Effect::Allow
    } else if effect_word == sym::DENY {
        Effect::Deny
    } else {
        let hint = suggest(&effect_word.to_string(), [sym::ALLOW.0, sym::DENY.0])
            .map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
        return Err(syn::Error::new(
            effect_word.span(),
            format!("a statement starts with `allow` or `deny`, not `{effect_word}`{hint}"),
        ));
    };
    let effect = Spanned::new(effect, effect_word.span());
    let not_action = if peek_is(input, sym::NOT) {
        word(input)?;
        true
    } else {
        false
    };
    let actions = one_or_list(input, "the actions", action)?;
    let mut last = actions.last().map_or(effect.range, |a| a.range);
    let mut resources = None;
    let mut principals = None;
    let mut conditions = None;
    while let Some(clause) =
        peek_word(input).filter(|w| sym::STATEMENT_CLAUSES.iter().any(|c| w == c))
    {
        word(input)?;
        let dup = |what: &str| {
            syn::Error::new(
                clause.span(),
                format!(
                    "`{clause}` appears twice in one statement; list every {what} in one `[...]`"
                ),
            )
        };
        if clause == sym::ON {
            if resources.is_some() {
                return Err(dup("resource"));
            }
            let list = one_or_list(input, "the resources", resource)?;
            last = list.last().map_or(last, |r| r.range);
            resources = Some(list);
        } else if clause == sym::BY {
            if principals.is_some() {
                return Err(dup("principal"));
            }
            let list = one_or_list(input, "the principals", |c| principal(c, false))?;
            last = list.last().map_or(last, |p| p.range);
            principals = Some(list);
        } else {
            if conditions.is_some() {
                return Err(dup("condition"));
            }
            let mut list = vec![condition(input)?];
            while input.peek(Token![,]) {
                input.parse::<Token![,]>()?;
                list.push(condition(input)?);
            }
            last = list.last().map_or(last, |c| c.range);
            conditions = Some(list);
        }
    }
    Ok(StatementDef {
        range: start.to(last),
        sid,
        effect,
        not_action,
        actions,
        resources: resources.unwrap_or_default(),
        principals: principals.unwrap_or_default(),
        conditions: conditions.unwrap_or_default(),
    })
}

/// `s3:GetObject`, `kms:*`, `s3:Get*`, `*` or `"s3:GetObject"`.
fn action(input: ParseStream) -> PResult<Spanned<String>> {
    if input.peek(LitStr) {
        return string(input, "an action", "\"s3:GetObject\"");
    }
    if input.peek(Token![*]) {
        let star: Token![*] = input.parse()?;
        return Ok(Spanned::new("*".to_owned(), star.span));
    }
    let service = word_or(
        input,
        "an action like `s3:ReplicateObject` or `kms:Decrypt`",
    )?;
    if !input.peek(Token![:]) || input.peek(Token![::]) {
        return Err(syn::Error::new(
            service.span(),
            format!(
                "expected an action like `s3:ReplicateObject`: a service, `:` and an action name, not `{service}`"
            ),
        ));
    }
    input.parse::<Token![:]>()?;
    let mut text = format!("{service}:");
    let mut range = SpanRange::new(service.span());
    let mut last_was_star = true; // an action name may start with a word or a `*`
    loop {
        if input.peek(Token![*]) {
            let star: Token![*] = input.parse()?;
            text.push('*');
            range = range.to(SpanRange::new(star.span));
            last_was_star = true;
        } else if last_was_star && input.peek(Ident::peek_any) && !peek_clause(input) {
            let w = word(input)?;
            text.push_str(&w.to_string());
            range = range.to(SpanRange::new(w.span()));
            last_was_star = false;
        } else {
            break;
        }
    }
    if text.ends_with(':') {
        return Err(input.error(format!(
            "expected an action name after `{text}`, like `{service}:*`"
        )));
    }
    Ok(Spanned::new(text, range))
}

fn peek_clause(input: ParseStream) -> bool {
    peek_word(input).is_some_and(|w| sym::STATEMENT_CLAUSES.iter().any(|c| w == *c))
}

/// `*`, `source`, `source/"*"`, `source/"reports/*"` or `"arn:..."`.
fn resource(input: ParseStream) -> PResult<Spanned<Resource>> {
    if input.peek(Token![*]) {
        let star: Token![*] = input.parse()?;
        return Ok(Spanned::new(Resource::Any, star.span));
    }
    if input.peek(LitStr) {
        let arn = string(input, "an ARN", "\"arn:aws:s3:::bucket/*\"")?;
        return Ok(Spanned::new(Resource::Arn(arn.value), arn.range));
    }
    let bucket = named(input, "a bucket or key, `*`, or an ARN in quotes")?;
    let mut range = SpanRange::new(bucket.span());
    if !input.peek(Token![/]) {
        return Ok(Spanned::new(Resource::Name(bucket.to_string()), range));
    }
    input.parse::<Token![/]>()?;
    // The pattern is quoted: `source/*` would open a block comment before any macro sees it.
    if !input.peek(LitStr) {
        return Err(input.error(format!(
            "expected the object pattern in quotes after `{bucket}/`, like `{bucket}/\"*\"` or `{bucket}/\"reports/*\"`"
        )));
    }
    let lit: LitStr = input.parse()?;
    let pattern = lit.value();
    range = range.to(SpanRange::new(lit.span()));
    Ok(Spanned::new(
        Resource::Objects {
            bucket: bucket.to_string(),
            pattern,
        },
        range,
    ))
}

/// `*`, a name, `account(name)`, `role(name)`, `s3.amazonaws.com`, or a literal ARN or account id.
/// In `trust`, `s3` and `batchoperations` name the service principals.
fn principal(input: ParseStream, in_trust: bool) -> PResult<Spanned<Principal>> {
    if input.peek(Token![*]) {
        let star: Token![*] = input.parse()?;
        return Ok(Spanned::new(Principal::Anyone, star.span));
    }
    if input.peek(LitStr) {
        let s = string(input, "a principal", "\"arn:aws:iam::111122223333:root\"")?;
        return Ok(Spanned::new(Principal::Literal(s.value), s.range));
    }
    if input.peek(LitInt) {
        let id = account_id(input, "a principal account id")?;
        return Ok(Spanned::new(Principal::Literal(id.value), id.range));
    }
    if (peek_is(input, sym::ACCOUNT) || peek_is(input, sym::ROLE)) && input.peek2(token::Paren) {
        let kw = word(input)?;
        let close = input.span();
        let n = parens(input, &format!("`{kw}(...)`"), |c| {
            named(
                c,
                if kw == sym::ACCOUNT {
                    "an account"
                } else {
                    "a role"
                },
            )
        })?;
        let range = SpanRange::new(kw.span()).to(SpanRange::new(close));
        let value = if kw == sym::ACCOUNT {
            Principal::Account(n.to_string())
        } else {
            Principal::Role(n.to_string())
        };
        return Ok(Spanned::new(value, range));
    }
    let first = named(
        input,
        "a principal: a role or account name, `*`, `account(name)`, a service such as `s3.amazonaws.com`, or an ARN in quotes",
    )?;
    let mut range = SpanRange::new(first.span());
    let mut segments = vec![first.to_string()];
    while input.peek(Token![.]) && input.peek2(Ident::peek_any) {
        input.parse::<Token![.]>()?;
        let seg = word(input)?;
        range = range.to(SpanRange::new(seg.span()));
        segments.push(seg.to_string());
    }
    if segments.len() > 1 {
        return Ok(Spanned::new(Principal::Service(segments.join(".")), range));
    }
    let n = &segments[0];
    let shorthand = sym::SERVICE_SHORTHANDS.iter().find(|(short, _)| short == n);
    if let (true, Some((_, service))) = (in_trust, shorthand) {
        return Ok(Spanned::new(
            Principal::Service((*service).to_owned()),
            range,
        ));
    }
    Ok(Spanned::new(Principal::Name(n.clone()), range))
}

/// `StringEquals(kms:ViaService = "s3.us-east-1.amazonaws.com")`.
fn condition(input: ParseStream) -> PResult<Spanned<ConditionSpec>> {
    let op = word_or(
        input,
        "a condition like `StringEquals(kms:ViaService = \"s3.us-east-1.amazonaws.com\")`",
    )?;
    let mut operator = op.to_string();
    if input.peek(Token![:]) && input.peek2(Ident::peek_any) {
        input.parse::<Token![:]>()?;
        operator = format!("{operator}:{}", word(input)?);
    }
    let close = input.span();
    let (key, values) = parens(input, &format!("condition `{operator}(...)`"), |c| {
        let key = if c.peek(LitStr) {
            string(c, "a condition key", "\"kms:ViaService\"")?.value
        } else {
            let mut key = word_or(c, "a condition key like `kms:ViaService`")?.to_string();
            while c.peek(Token![:]) || c.peek(Token![/]) {
                let sep = if c.peek(Token![:]) {
                    c.parse::<Token![:]>()?;
                    ':'
                } else {
                    c.parse::<Token![/]>()?;
                    '/'
                };
                key.push(sep);
                key.push_str(&word(c)?.to_string());
            }
            key
        };
        equals(c, &format!("after condition key `{key}`"))?;
        let values = one_or_list(c, "the condition values", condition_value)?;
        Ok((key, values.into_iter().map(|v| v.value).collect()))
    })?;
    Ok(Spanned::new(
        ConditionSpec {
            operator,
            key,
            values,
        },
        SpanRange::new(op.span()).to(SpanRange::new(close)),
    ))
}

fn condition_value(input: ParseStream) -> PResult<Spanned<String>> {
    if input.peek(LitStr) {
        return string(input, "a condition value", "\"s3.us-east-1.amazonaws.com\"");
    }
    if input.peek(LitInt) {
        let lit: LitInt = input.parse()?;
        return Ok(Spanned::new(lit.token().to_string(), lit.span()));
    }
    if peek_is(input, sym::TRUE) || peek_is(input, sym::FALSE) {
        let w = word(input)?;
        return Ok(Spanned::new(w.to_string(), w.span()));
    }
    Err(input.error("expected a condition value in quotes, a number, `true` or `false`"))
}

// ---------------------------------------------------------------------------------------------
// Encryption

/// `sse_s3`, `sse_kms`, `sse_kms(key)`, `sse_kms(key, bucket_key)`, `dsse_kms(key)`,
/// `sse_c(customer_key)`.
fn encryption(input: ParseStream) -> PResult<EncryptionDef> {
    let kw = constructor(input, sym::ENCRYPTIONS, "encryption", "sse_kms(src_key)")?;
    let kind = if kw == sym::SSE_S3 {
        EncryptionKind::SseS3
    } else if kw == sym::SSE_KMS {
        EncryptionKind::SseKms
    } else if kw == sym::DSSE_KMS {
        EncryptionKind::DsseKms
    } else {
        EncryptionKind::SseC
    };
    let mut def = EncryptionDef {
        range: SpanRange::new(kw.span()),
        kind: Spanned::new(kind, kw.span()),
        key: None,
        bucket_key: None,
        customer_key: None,
    };
    if !input.peek(token::Paren) {
        if kind == EncryptionKind::SseC {
            return Err(
                input.error("`sse_c` needs the customer key's name, like `sse_c(customer_key)`")
            );
        }
        return Ok(def);
    }
    let close = input.span();
    parens(input, &format!("`{kw}(...)`"), |c| match kind {
        EncryptionKind::SseS3 => {
            Err(c.error("`sse_s3` takes no arguments; remove the parentheses"))
        }
        EncryptionKind::SseC => {
            let key = if c.peek(LitStr) {
                string(c, "a customer key name", "\"customer_key\"")?
            } else {
                let n = named(c, "the customer key")?;
                Spanned::new(n.to_string(), n.span())
            };
            def.customer_key = Some(key);
            Ok(())
        }
        EncryptionKind::SseKms | EncryptionKind::DsseKms => {
            if !peek_is(c, sym::BUCKET_KEY) {
                def.key = Some(key_ref(c)?);
                if c.is_empty() {
                    return Ok(());
                }
                comma(c, &format!("in `{kw}(...)`"))?;
            }
            if kind == EncryptionKind::DsseKms {
                return Err(c.error(
                    "`dsse_kms` takes only a key; S3 Bucket Keys are not supported for DSSE-KMS",
                ));
            }
            let bk = word_or(c, "`bucket_key` or `bucket_key: false`")?;
            if bk != sym::BUCKET_KEY {
                return Err(syn::Error::new(
                    bk.span(),
                    format!("expected `bucket_key` after the key, not `{bk}`"),
                ));
            }
            def.bucket_key = Some(switch_setting(c, &bk)?);
            Ok(())
        }
    })?;
    def.range = def.range.to(SpanRange::new(close));
    Ok(def)
}

/// A key defined in the scenario, `aws_managed` (`aws/s3`), or a key or alias ARN in quotes.
fn key_ref(input: ParseStream) -> PResult<Spanned<KeyRef>> {
    if input.peek(LitStr) {
        let arn = string(
            input,
            "a key ARN",
            "\"arn:aws:kms:us-east-1:111122223333:key/...\"",
        )?;
        return Ok(Spanned::new(KeyRef::Arn(arn.value), arn.range));
    }
    if peek_is(input, sym::AWS_MANAGED) && !input.peek2(token::Paren) {
        let w = word(input)?;
        return Ok(Spanned::new(KeyRef::AwsManagedS3, w.span()));
    }
    let n = named(input, "a key, `aws_managed`, or a key ARN in quotes")?;
    Ok(Spanned::new(KeyRef::Named(n.to_string()), n.span()))
}

// ---------------------------------------------------------------------------------------------
// Steps

fn replication(cx: &Ctxt, input: ParseStream) -> PResult<ReplicationDef> {
    word(input)?;
    let bucket = named(input, "the source bucket")?;
    if peek_is(input, sym::JSON) || peek_is(input, sym::JSON_FILE) {
        let kw = word(input)?;
        let file = kw == sym::JSON_FILE;
        if !input.peek(LitStr) {
            return Err(input.error(if file {
                "expected the configuration file's path as a string, like `json_file \"aws-cli/get-bucket-replication.json\"`"
            } else {
                "expected the replication configuration as a string, like `json r#\"{\"Role\": \"...\", \"Rules\": [...]}\"#`"
            }));
        }
        let lit: LitStr = input.parse()?;
        semi(input, "replication")?;
        return Ok(ReplicationDef {
            bucket,
            body: ReplicationBody::Json(JsonText {
                keyword: SpanRange::new(kw.span()),
                lit,
                file,
            }),
        });
    }
    keyword(
        input,
        sym::VIA,
        &format!(
            "after `replication {bucket}`: `replication {bucket} via role {{ rules }}` or `replication {bucket} json_file \"replication.json\"`"
        ),
    )?;
    let role = if input.peek(LitStr) {
        let arn = string(
            input,
            "a role ARN",
            "\"arn:aws:iam::111122223333:role/replication\"",
        )?;
        Spanned::new(RoleRef::Arn(arn.value), arn.range)
    } else {
        let n = named(input, "the replication role")?;
        Spanned::new(RoleRef::Named(n.to_string()), n.span())
    };
    if !input.peek(token::Brace) {
        return Err(input.error(format!(
            "expected `{{ rule ...; }}` after `replication {bucket} via ...`"
        )));
    }
    let content;
    syn::braced!(content in input);
    let mut rules = Vec::new();
    while !content.is_empty() {
        match rule(cx, &content) {
            Ok(r) => rules.push(r),
            Err(e) => {
                cx.syn_error(e);
                skip_past_punct(&content, ';');
            }
        }
    }
    semi(input, "replication")?;
    Ok(ReplicationDef {
        bucket,
        body: ReplicationBody::Rules { role, rules },
    })
}

fn rule(cx: &Ctxt, input: ParseStream) -> PResult<RuleDef> {
    let kw = keyword(
        input,
        sym::RULE,
        "in a replication configuration: `rule id { destination: bucket, ... };`",
    )?;
    let mut head = SpanRange::new(kw.span());
    let id = if input.peek(LitStr) {
        Some(string(input, "a rule ID", "\"to-eu\"")?)
    } else if input.peek(Ident::peek_any) {
        let n = word(input)?;
        Some(Spanned::new(n.to_string(), n.span()))
    } else {
        None
    };
    if let Some(id) = &id {
        head = head.to(id.range);
    }
    let label = id
        .as_ref()
        .map_or_else(|| "rule".to_owned(), |i| format!("rule `{}`", i.value));
    if !input.peek(token::Brace) {
        return Err(input.error(format!(
            "expected `{{ destination: bucket, ... }}` after `{label}`"
        )));
    }
    let mut priority = None;
    let mut status = None;
    let mut filter: Option<Spanned<FilterSpec>> = None;
    let mut v1_prefix: Option<Spanned<FilterSpec>> = None;
    let mut delete_marker_replication = None;
    let mut destination = None;
    let mut account = None;
    let mut storage_class = None;
    let mut owner_override = None;
    let mut replica_kms_key = None;
    let mut replication_time = None;
    let mut metrics = None;
    let mut sse_kms_encrypted_objects = None;
    let mut replica_modifications = None;
    settings(cx, input, &label, sym::RULE_SETTINGS, |c, kw| {
        let kw_range = SpanRange::new(kw.span());
        if kw == sym::PRIORITY {
            colon(c, &kw)?;
            once(cx, &mut priority, &kw, rule_priority(c)?);
        } else if kw == sym::STATUS {
            colon(c, &kw)?;
            once(cx, &mut status, &kw, switch(c)?);
        } else if kw == sym::FILTER {
            colon(c, &kw)?;
            once(cx, &mut filter, &kw, filter_value(c)?);
        } else if kw == sym::PREFIX {
            colon(c, &kw)?;
            let p = string(c, "a key prefix", "\"logs/\"")?;
            once(
                cx,
                &mut v1_prefix,
                &kw,
                Spanned::new(FilterSpec::V1Prefix(p.value), p.range),
            );
        } else if kw == sym::DESTINATION {
            colon(c, &kw)?;
            let dest = if c.peek(LitStr) {
                let arn = string(c, "a bucket ARN", "\"arn:aws:s3:::bucket\"")?;
                Spanned::new(BucketRef::Arn(arn.value), arn.range)
            } else {
                let n = named(c, "the destination bucket, or a bucket ARN in quotes")?;
                Spanned::new(BucketRef::Named(n.to_string()), n.span())
            };
            once(cx, &mut destination, &kw, dest);
        } else if kw == sym::ACCOUNT {
            colon(c, &kw)?;
            let acct = if c.peek(Ident) {
                let n = named(c, "the destination account")?;
                Spanned::new(n.to_string(), n.span())
            } else {
                account_id(c, "the destination account id")?
            };
            once(cx, &mut account, &kw, acct);
        } else if kw == sym::STORAGE_CLASS {
            colon(c, &kw)?;
            once(cx, &mut storage_class, &kw, storage_class_value(c)?);
        } else if kw == sym::REPLICA_KMS_KEY {
            colon(c, &kw)?;
            once(cx, &mut replica_kms_key, &kw, key_ref(c)?);
        } else if kw == sym::REPLICATION_TIME {
            let value = if c.peek(Token![:]) {
                colon(c, &kw)?;
                let (on, minutes, range) = timed(c)?;
                let minutes = match minutes {
                    None => 15,
                    Some(Some(m)) => m,
                    Some(None) => {
                        return Err(syn::Error::new(
                            range.start,
                            "S3 RTC always has a time threshold; write `replication_time: Enabled(15)`",
                        ));
                    }
                };
                Spanned::new((on, minutes), range)
            } else {
                Spanned::new((true, 15), kw_range)
            };
            once(cx, &mut replication_time, &kw, value);
        } else if kw == sym::METRICS {
            let value = if c.peek(Token![:]) {
                colon(c, &kw)?;
                let (on, minutes, range) = timed(c)?;
                // `Enabled` alone means the console's default threshold; `Disabled` has none.
                let threshold = match minutes {
                    Some(m) => m,
                    None if on => Some(15),
                    None => None,
                };
                Spanned::new((on, threshold), range)
            } else {
                Spanned::new((true, Some(15)), kw_range)
            };
            once(cx, &mut metrics, &kw, value);
        } else {
            let value = switch_setting(c, &kw)?;
            let slot = if kw == sym::DELETE_MARKER_REPLICATION {
                &mut delete_marker_replication
            } else if kw == sym::OWNER_OVERRIDE {
                &mut owner_override
            } else if kw == sym::SSE_KMS_ENCRYPTED_OBJECTS {
                &mut sse_kms_encrypted_objects
            } else {
                &mut replica_modifications
            };
            once(cx, slot, &kw, value);
        }
        Ok(())
    })?;
    if let (Some(_), Some(p)) = (&filter, &v1_prefix) {
        cx.error(p.range, format!("{label} has both `filter` and the V1 `prefix`; S3 takes one of them, remove the other"));
    }
    let Some(destination) = destination else {
        return Err(syn::Error::new(
            head.start,
            format!("{label} needs a destination; add `destination: <bucket>`"),
        ));
    };
    semi(input, "rule")?;
    Ok(RuleDef {
        head,
        id,
        priority,
        status,
        filter: filter.or(v1_prefix),
        delete_marker_replication,
        destination,
        account,
        storage_class,
        owner_override,
        replica_kms_key,
        replication_time,
        metrics,
        sse_kms_encrypted_objects,
        replica_modifications,
    })
}

/// `{}`, `prefix("logs/")`, `tag("k", "v")`, `and(prefix("logs/"), tag("k", "v"), ...)`.
fn filter_value(input: ParseStream) -> PResult<Spanned<FilterSpec>> {
    if input.peek(token::Brace) {
        let open = input.span();
        braces_empty(input, "`{}` (a filter that matches every object)")?;
        return Ok(Spanned::new(FilterSpec::Empty, open));
    }
    let kw = constructor(input, sym::FILTERS, "filter", "prefix(\"reports/\")")?;
    let close = input.span();
    let range = SpanRange::new(kw.span()).to(SpanRange::new(close));
    if kw == sym::PREFIX {
        let p = parens(input, "`prefix(...)`", |c| {
            string(c, "a key prefix", "\"reports/\"")
        })?;
        return Ok(Spanned::new(FilterSpec::Prefix(p.value), range));
    }
    if kw == sym::TAG {
        let (k, v) = parens(input, "`tag(...)`", tag_pair)?;
        return Ok(Spanned::new(FilterSpec::Tag(k, v), range));
    }
    let (prefix, tags) = parens(input, "`and(...)`", |c| {
        let mut prefix: Option<String> = None;
        let mut tags = Vec::new();
        let parts = comma_list(c, "filter parts", |c| {
            let part = constructor(
                c,
                &[sym::PREFIX, sym::TAG],
                "filter part",
                "tag(\"k\", \"v\")",
            )?;
            if part == sym::PREFIX {
                let p = parens(c, "`prefix(...)`", |c| {
                    string(c, "a key prefix", "\"reports/\"")
                })?;
                if prefix.replace(p.value).is_some() {
                    return Err(syn::Error::new(
                        part.span(),
                        "an `and` filter holds at most one `prefix`; remove one",
                    ));
                }
            } else {
                tags.push(parens(c, "`tag(...)`", tag_pair)?);
            }
            Ok(())
        })?;
        if parts.is_empty() {
            return Err(c.error("`and(...)` needs a prefix or tags, like `and(prefix(\"logs/\"), tag(\"k\", \"v\"))`"));
        }
        Ok((prefix, tags))
    })?;
    Ok(Spanned::new(FilterSpec::And { prefix, tags }, range))
}

fn tag_pair(input: ParseStream) -> PResult<(String, String)> {
    let k = string(input, "a tag key", "\"env\"")?;
    comma(input, "between a tag's key and value")?;
    let v = string(input, "a tag value", "\"prod\"")?;
    Ok((k.value, v.value))
}

/// `15`, `Enabled`, `Enabled(15)`, `Disabled`, `Disabled(15)`, `Enabled(none)`: the status and,
/// when written, the minutes (`Some(None)` for `none`).
fn timed(input: ParseStream) -> PResult<(bool, Option<Option<u32>>, SpanRange)> {
    if input.peek(LitInt) {
        let m = int::<u32>(input, "minutes", "15")?;
        return Ok((true, Some(Some(m.value)), m.range));
    }
    let status = switch(input)?;
    if !input.peek(token::Paren) {
        return Ok((status.value, None, status.range));
    }
    let close = input.span();
    let minutes = parens(input, "the minutes", |c| {
        if peek_is(c, sym::NONE) {
            word(c)?;
            Ok(None)
        } else {
            Ok(Some(int::<u32>(c, "minutes", "15")?.value))
        }
    })?;
    Ok((
        status.value,
        Some(minutes),
        status.range.to(SpanRange::new(close)),
    ))
}

fn storage_class_value(input: ParseStream) -> PResult<Spanned<String>> {
    if input.peek(LitStr) {
        return string(input, "a storage class", "\"STANDARD_IA\"");
    }
    let w = word_or(input, "a storage class like `STANDARD_IA`")?;
    Ok(Spanned::new(w.to_string(), w.span()))
}

fn put(cx: &Ctxt, input: ParseStream) -> PResult<PutDef> {
    word(input)?;
    let bucket = named(input, "a bucket")?;
    let key = object_key(input)?;
    equals(
        input,
        &format!(
            "after `put {bucket} \"{}\"`: `= 4 KiB` or `= \"content\"`",
            shorten(&key.value)
        ),
    )?;
    let body = body_value(input)?;
    let encryption = if peek_is(input, sym::WITH) {
        word(input)?;
        Some(encryption(input)?)
    } else {
        None
    };
    let mut def = PutDef {
        bucket,
        key,
        body,
        encryption,
        tags: None,
        storage_class: None,
        owner: None,
    };
    if input.peek(token::Brace) {
        let what = format!("the upload of `{}`", shorten(&def.key.value));
        settings(cx, input, &what, sym::PUT_SETTINGS, |c, kw| {
            colon(c, &kw)?;
            if kw == sym::TAGS {
                let tags = map(c, "the tags")?;
                once(cx, &mut def.tags, &kw, tags);
            } else if kw == sym::STORAGE_CLASS {
                let class = storage_class_value(c)?;
                once(cx, &mut def.storage_class, &kw, class);
            } else {
                let account = named(c, "the account that owns the object")?;
                let mut range = SpanRange::new(account.span());
                let mut grants = false;
                if c.peek(token::Paren) {
                    let close = c.span();
                    parens(c, "the object ACL", |c| {
                        keyword(
                            c,
                            sym::BUCKET_OWNER_FULL_CONTROL,
                            "(the canned ACL that grants the bucket owner `READ` and `READ_ACP`)",
                        )
                    })?;
                    grants = true;
                    range = range.to(SpanRange::new(close));
                }
                let owner = ObjectOwner {
                    account: account.to_string(),
                    grants_bucket_owner_read: grants,
                };
                once(cx, &mut def.owner, &kw, Spanned::new(owner, range));
            }
            Ok(())
        })?;
    }
    semi(input, "put")?;
    Ok(def)
}

/// `4 KiB`, `4KiB`, `10 B`, `1024`, or `"literal content"`.
fn body_value(input: ParseStream) -> PResult<Spanned<Body>> {
    if input.peek(LitStr) {
        let s = string(input, "the content", "\"hello\"")?;
        return Ok(Spanned::new(Body::Text(s.value), s.range));
    }
    if input.peek(syn::LitFloat) {
        let f: syn::LitFloat = input.parse()?;
        return Err(syn::Error::new(
            f.span(),
            format!(
                "size `{f}` must be a whole number; use a smaller unit, like `1536 KiB` for `1.5 MiB`"
            ),
        ));
    }
    if !input.peek(LitInt) {
        return Err(input.error("expected the object's body: a size like `4 KiB`, `10 B` or `1024`, or its content in quotes"));
    }
    let lit: LitInt = input.parse()?;
    let mut range = SpanRange::new(lit.span());
    if lit.base10_digits().starts_with('-') {
        return Err(syn::Error::new(
            lit.span(),
            format!("size `{lit}` cannot be negative; write a size like `4 KiB` or `0 B`"),
        ));
    }
    let n: u64 = lit.base10_parse().map_err(|_| {
        syn::Error::new(
            lit.span(),
            format!("size `{lit}` is too large; S3 objects are at most 5 TiB"),
        )
    })?;
    let unit = if !lit.suffix().is_empty() {
        Some((lit.suffix().to_owned(), lit.span()))
    } else if input.peek(Ident) && !peek_is(input, sym::WITH) {
        let u: Ident = input.parse()?;
        range = range.to(SpanRange::new(u.span()));
        Some((u.to_string(), u.span()))
    } else {
        None
    };
    let factor = match unit {
        None => 1,
        Some((u, span)) => lookup(sym::SIZE_UNITS, &u, "size unit", span)?,
    };
    let bytes = n.checked_mul(factor).ok_or_else(|| {
        syn::Error::new(
            range.start,
            format!("size `{lit}` is too large; S3 objects are at most 5 TiB"),
        )
    })?;
    Ok(Spanned::new(Body::Size(bytes), range))
}

/// `16 min`, `30 s`, `1 h`, `16min`.
fn wait_duration(input: ParseStream) -> PResult<Spanned<u64>> {
    if !input.peek(LitInt) {
        return Err(input.error("expected a duration like `16 min`, `30 s` or `1 h`"));
    }
    let lit: LitInt = input.parse()?;
    if lit.base10_digits().starts_with('-') {
        return Err(syn::Error::new(
            lit.span(),
            format!("duration `{lit}` cannot be negative; time only moves forward"),
        ));
    }
    let n: u64 = lit
        .base10_parse()
        .map_err(|_| syn::Error::new(lit.span(), format!("duration `{lit}` is too large")))?;
    let mut range = SpanRange::new(lit.span());
    let (unit, span) = if !lit.suffix().is_empty() {
        (lit.suffix().to_owned(), lit.span())
    } else if input.peek(Ident) {
        let u: Ident = input.parse()?;
        range = range.to(SpanRange::new(u.span()));
        (u.to_string(), u.span())
    } else {
        return Err(input.error(format!(
            "`wait {n}` needs a unit: {}",
            one_of(sym::table_names(sym::TIME_UNITS))
        )));
    };
    let factor = lookup(sym::TIME_UNITS, &unit, "time unit", span)?;
    let seconds = n
        .checked_mul(factor)
        .ok_or_else(|| syn::Error::new(range.start, format!("duration `{lit}` is too large")))?;
    Ok(Spanned::new(seconds, range))
}

fn fault(input: ParseStream, kw: &Ident) -> PResult<Option<FaultDef>> {
    let simple_key = [
        sym::DISABLE_KEY,
        sym::ENABLE_KEY,
        sym::CANCEL_KEY_DELETION,
        sym::DELETE_KEY_MATERIAL,
    ];
    if simple_key.iter().any(|s| kw == s) {
        word(input)?;
        let key = named(input, "a key")?;
        semi(input, &kw.to_string())?;
        return Ok(Some(if *kw == sym::DISABLE_KEY {
            FaultDef::DisableKey(key)
        } else if *kw == sym::ENABLE_KEY {
            FaultDef::EnableKey(key)
        } else if *kw == sym::CANCEL_KEY_DELETION {
            FaultDef::CancelKeyDeletion(key)
        } else {
            FaultDef::DeleteKeyMaterial(key)
        }));
    }
    if *kw == sym::SCHEDULE_KEY_DELETION {
        word(input)?;
        let key = named(input, "a key")?;
        let days = int::<u32>(input, "the waiting period in days", "7")?;
        keyword(
            input,
            sym::DAYS,
            &format!(
                "after the waiting period: `schedule_key_deletion {key} {} days;`",
                days.value
            ),
        )?;
        semi(input, "schedule_key_deletion")?;
        return Ok(Some(FaultDef::ScheduleKeyDeletion { key, days }));
    }
    if *kw == sym::REVOKE {
        word(input)?;
        let target = policy_target(input)?;
        keyword(
            input,
            sym::STATEMENT,
            "after the policy: `revoke replicator.inline statement AllowDecrypt;`",
        )?;
        let statement = if input.peek(LitInt) {
            let i = int::<usize>(input, "a statement index", "0")?;
            Spanned::new(StatementSelector::Index(i.value), i.range)
        } else if input.peek(LitStr) {
            let s = string(input, "a Sid", "\"AllowDecrypt\"")?;
            Spanned::new(StatementSelector::Sid(s.value), s.range)
        } else {
            let w = word_or(input, "the statement's Sid or its index")?;
            Spanned::new(StatementSelector::Sid(w.to_string()), w.span())
        };
        semi(input, "revoke")?;
        return Ok(Some(FaultDef::Revoke { target, statement }));
    }
    if *kw == sym::ADD_STATEMENT {
        word(input)?;
        let target = policy_target(input)?;
        let statement = statement(input)?;
        semi(input, "add_statement")?;
        return Ok(Some(FaultDef::AddStatement { target, statement }));
    }
    if *kw == sym::SET_VERSIONING {
        word(input)?;
        let bucket = named(input, "a bucket")?;
        let versioning = table(input, sym::VERSIONING_STATES, "versioning state")?;
        semi(input, "set_versioning")?;
        return Ok(Some(FaultDef::SetVersioning { bucket, versioning }));
    }
    if *kw == sym::REGION_UNAVAILABLE || *kw == sym::REGION_AVAILABLE {
        word(input)?;
        let region = region(input)?;
        semi(input, &kw.to_string())?;
        return Ok(Some(FaultDef::Region {
            available: *kw == sym::REGION_AVAILABLE,
            region,
        }));
    }
    if *kw == sym::THROTTLE_KMS {
        word(input)?;
        let region = region(input)?;
        let on = table(input, sym::ON_OFF, "switch")?;
        semi(input, "throttle_kms")?;
        return Ok(Some(FaultDef::ThrottleKms { region, on }));
    }
    if *kw == sym::BLOCK_SSE_C {
        word(input)?;
        let bucket = named(input, "a bucket")?;
        let blocked = table(input, sym::ON_OFF, "switch")?;
        semi(input, "block_sse_c")?;
        return Ok(Some(FaultDef::BlockSseC { bucket, blocked }));
    }
    Ok(None)
}

fn policy_target(input: ParseStream) -> PResult<PolicyTargetDef> {
    let owner = named(input, "a key, bucket or role whose policy changes")?;
    let part = if input.peek(Token![.]) {
        input.parse::<Token![.]>()?;
        Some(word_or(
            input,
            &format!("`trust` or a policy name after `{owner}.`"),
        )?)
    } else {
        None
    };
    Ok(PolicyTargetDef { owner, part })
}

fn expect(input: ParseStream) -> PResult<ExpectDef> {
    word(input)?;
    let second_is_key = |input: ParseStream| input.peek2(LitStr);
    if peek_is(input, sym::REPLICATION) && !second_is_key(input) {
        word(input)?;
        let bucket = named(input, "the source bucket")?;
        let verdict = word_or(input, "`accepted` or `rejected <code>`")?;
        let code = if verdict == sym::ACCEPTED {
            None
        } else if verdict == sym::REJECTED {
            Some(error_code(input, "InvalidRequest")?)
        } else {
            return Err(syn::Error::new(
                verdict.span(),
                format!(
                    "expected `accepted` or `rejected <code>` after `expect replication {bucket}`, not `{verdict}`"
                ),
            ));
        };
        semi(input, "expect")?;
        return Ok(ExpectDef::Config {
            bucket,
            verdict,
            code,
        });
    }
    if peek_is(input, sym::PUT) && !second_is_key(input) {
        word(input)?;
        let bucket = named(input, "a bucket")?;
        let key = object_key(input)?;
        keyword(
            input,
            sym::REJECTED,
            &format!(
                "after `expect put {bucket} \"{}\"`: `rejected AccessDenied`",
                key.value
            ),
        )?;
        let code = error_code(input, "AccessDenied")?;
        semi(input, "expect")?;
        return Ok(ExpectDef::PutRejected { bucket, key, code });
    }
    if (peek_is(input, sym::METRIC) || peek_is(input, sym::EVENT)) && !second_is_key(input) {
        let kind = word(input)?;
        let bucket = named(input, "the source bucket")?;
        let rule = if input.peek(LitStr) {
            string(input, "a rule ID", "\"to-eu\"")?
        } else {
            let w = word_or(input, "the rule's ID")?;
            Spanned::new(w.to_string(), w.span())
        };
        if kind == sym::METRIC {
            let metric = table(input, sym::METRIC_NAMES, "replication metric")?;
            equals(input, "after the metric name: `= 1`")?;
            let value = int::<u64>(input, "the metric's value", "1")?;
            semi(input, "expect")?;
            return Ok(ExpectDef::Metric {
                bucket,
                rule,
                metric,
                value,
            });
        }
        let event = table(input, sym::EVENT_NAMES, "replication event")?;
        let reason = if input.peek(token::Paren) {
            Some(parens(input, "the failure reason", failure_reason)?)
        } else {
            None
        };
        equals(input, "after the event: `= 1` (how many)")?;
        let count = int::<u64>(input, "the number of events", "1")?;
        semi(input, "expect")?;
        return Ok(ExpectDef::Event {
            bucket,
            rule,
            event,
            reason,
            count,
        });
    }
    let bucket = named(
        input,
        "a bucket, or `replication`, `put`, `metric` or `event`",
    )?;
    let key = object_key(input)?;
    let version = if peek_is(input, sym::VERSION) {
        word(input)?;
        Some(version_number(input)?)
    } else {
        None
    };
    let mut status = None;
    let mut reason = None;
    if let Some(w) = peek_word(input).filter(|w| *w != sym::REASON && *w != sym::WITH) {
        let st = table(input, sym::OBJECT_STATUSES, "replication status")?;
        if input.peek(token::Paren) {
            if w != sym::FAILED {
                return Err(input.error(format!(
                    "only `FAILED` takes a failure reason in parentheses, not `{w}`"
                )));
            }
            reason = Some(parens(input, "the failure reason", failure_reason)?);
        }
        status = Some(st);
    }
    if peek_is(input, sym::REASON) {
        let kw = word(input)?;
        let r = failure_reason(input)?;
        if reason.is_some() {
            return Err(syn::Error::new(
                kw.span(),
                "the failure reason is given twice; keep `FAILED(...)` or `reason ...`",
            ));
        }
        reason = Some(r);
    }
    let encryption = if peek_is(input, sym::WITH) {
        word(input)?;
        Some(encryption(input)?)
    } else {
        None
    };
    if status.is_none() && reason.is_none() && encryption.is_none() {
        return Err(input.error(format!(
            "`expect {bucket} \"{}\"` checks nothing; add a status such as `COMPLETED`, a `reason`, or `with <encryption>`",
            key.value
        )));
    }
    semi(input, "expect")?;
    Ok(ExpectDef::Object {
        bucket,
        key,
        version,
        status,
        reason,
        encryption,
    })
}

// ---------------------------------------------------------------------------------------------
// Small pieces

/// `{ key: "value", "other key": "value" }`
fn map(input: ParseStream, what: &str) -> PResult<Spanned<Vec<(String, String)>>> {
    if !input.peek(token::Brace) {
        return Err(input.error(format!("expected {what} as `{{ key: \"value\", ... }}`")));
    }
    let open = input.span();
    let pairs = braces(input, what, |c| {
        comma_list(c, "pairs", |c| {
            let k = if c.peek(LitStr) {
                string(c, "a key", "\"env\"")?.value
            } else {
                word_or(c, "a key (a word, or text in quotes)")?.to_string()
            };
            colon_after(c, &format!("`{k}`"))?;
            let v = if c.peek(LitInt) {
                let lit: LitInt = c.parse()?;
                lit.token().to_string()
            } else {
                string(c, "a value", "\"prod\"")?.value
            };
            Ok((k, v))
        })
    })?;
    Ok(Spanned::new(pairs, open))
}

fn object_key(input: ParseStream) -> PResult<Spanned<String>> {
    string(input, "the object key", "\"reports/q1.csv\"")
}

fn region(input: ParseStream) -> PResult<Spanned<String>> {
    string(input, "a Region", "\"us-east-1\"")
}

/// A name defined in the scenario (an identifier that is not a Rust keyword).
fn named(input: ParseStream, what: &str) -> PResult<Ident> {
    if input.peek(Ident) {
        return input.parse();
    }
    if let Some(w) = peek_word(input) {
        return Err(syn::Error::new(
            w.span(),
            format!("`{w}` is a Rust keyword and cannot name {what}; choose another name"),
        ));
    }
    Err(input.error(format!("expected {what}")))
}

/// A string literal.
fn string(input: ParseStream, what: &str, example: &str) -> PResult<Spanned<String>> {
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return Ok(Spanned::new(lit.value(), lit.span()));
    }
    Err(input.error(format!(
        "expected {what} in double quotes, like `{example}`"
    )))
}

/// A version number: versions count from 1.
fn version_number(input: ParseStream) -> PResult<Spanned<u32>> {
    let v = int::<u32>(input, "a version number (1 is the first)", "1")?;
    if v.value == 0 {
        return Err(syn::Error::new(
            v.range.start,
            "version `0` does not exist; versions count from 1 (the first PUT of a key)",
        ));
    }
    Ok(v)
}

/// A rule's `Priority`: AWS's schema makes it an `Integer` (int32), so at most `i32::MAX`.
fn rule_priority(input: ParseStream) -> PResult<Spanned<u32>> {
    let p = int::<u32>(input, "a priority", "1")?;
    if i32::try_from(p.value).is_err() {
        return Err(syn::Error::new(
            p.range.start,
            format!(
                "priority `{}` is out of range; `Priority` is a 32-bit integer, at most {}",
                p.value,
                i32::MAX
            ),
        ));
    }
    Ok(p)
}

/// An AWS error code after `rejected`: `AccessDenied`, a dotted code as S3 relays KMS's
/// (`KMS.DisabledException`), or either in double quotes.
fn error_code(input: ParseStream, example: &str) -> PResult<Spanned<String>> {
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        let code = lit.value();
        let well_formed = code
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
        if !well_formed {
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "`{code}` is not an AWS error code; write letters and digits, with dots between parts, like `{example}` or `KMS.DisabledException`"
                ),
            ));
        }
        return Ok(Spanned::new(code, lit.span()));
    }
    let first = word_or(
        input,
        &format!("the error code, like `{example}` or `KMS.DisabledException`"),
    )?;
    let mut code = first.to_string();
    let mut range = SpanRange::new(first.span());
    while input.peek(Token![.]) {
        input.parse::<Token![.]>()?;
        let part = word_or(
            input,
            &format!("the rest of the error code after `{code}.`, like `KMS.DisabledException`"),
        )?;
        code.push('.');
        code.push_str(&part.to_string());
        range = range.to(SpanRange::new(part.span()));
    }
    Ok(Spanned::new(code, range))
}

/// An unsuffixed integer literal.
fn int<T>(input: ParseStream, what: &str, example: &str) -> PResult<Spanned<T>>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    if !input.peek(LitInt) {
        return Err(input.error(format!("expected {what}, a whole number like `{example}`")));
    }
    let lit: LitInt = input.parse()?;
    if !lit.suffix().is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{what} `{lit}` takes no suffix; write `{}`",
                lit.base10_digits()
            ),
        ));
    }
    if lit.base10_digits().starts_with('-') {
        return Err(syn::Error::new(
            lit.span(),
            format!("{what} `{lit}` cannot be negative"),
        ));
    }
    let value = lit
        .base10_parse::<T>()
        .map_err(|_| syn::Error::new(lit.span(), format!("{what} `{lit}` is out of range")))?;
    Ok(Spanned::new(value, lit.span()))
}

/// A word from a value table, with a suggestion when it is misspelled.
fn table<T: Clone>(input: ParseStream, table: &[(Symbol, T)], what: &str) -> PResult<Spanned<T>> {
    let w = word_or(
        input,
        &format!("a {what}: {}", one_of(sym::table_names(table))),
    )?;
    let value = lookup(table, &w.to_string(), what, w.span())?;
    Ok(Spanned::new(value, w.span()))
}

/// One of S3's replication failure codes (`DstKmsKeyInvalidState`); a misspelt one is an error
/// on its token with the closest code.
fn failure_reason(input: ParseStream) -> PResult<Spanned<FailureReason>> {
    let w = word_or(input, "a failure reason like `DstKmsKeyInvalidState`")?;
    match w.to_string().parse::<FailureReason>() {
        Ok(reason) => Ok(Spanned::new(reason, w.span())),
        Err(e) => Err(syn::Error::new(w.span(), e)),
    }
}

fn lookup<T: Clone>(table: &[(Symbol, T)], word: &str, what: &str, span: Span) -> PResult<T> {
    if let Some((_, v)) = table.iter().find(|(s, _)| s.0 == word) {
        return Ok(v.clone());
    }
    let hint = match suggest(word, sym::table_names(table)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("expected {}", one_of(sym::table_names(table))),
    };
    Err(syn::Error::new(
        span,
        format!("unknown {what} `{word}`; {hint}"),
    ))
}

/// The word of a constructor like `kms(...)` or `sse_s3`, which must be one of `known`.
fn constructor(input: ParseStream, known: &[Symbol], what: &str, example: &str) -> PResult<Ident> {
    let w = word_or(input, &format!("a {what} like `{example}`"))?;
    if known.iter().any(|k| w == *k) {
        return Ok(w);
    }
    let hint = match suggest(&w.to_string(), sym::names(known)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("expected {}", one_of(sym::names(known))),
    };
    Err(syn::Error::new(
        w.span(),
        format!("unknown {what} `{w}`; {hint}"),
    ))
}

/// `Enabled`, `Disabled`, `true` or `false`.
fn switch(input: ParseStream) -> PResult<Spanned<bool>> {
    table(input, sym::SWITCHES, "status")
}

/// A flag setting: `name` alone means enabled, `name: Disabled` says otherwise.
fn switch_setting(input: ParseStream, kw: &Ident) -> PResult<Spanned<bool>> {
    if input.peek(Token![:]) {
        colon(input, kw)?;
        return switch(input);
    }
    Ok(Spanned::new(true, kw.span()))
}

/// A `{ name, name: value, ... }` block: each setting's word must be in `known`; `f` parses
/// what follows the word. Errors inside are recorded and parsing resumes at the next `,`.
fn settings(
    cx: &Ctxt,
    input: ParseStream,
    what: &str,
    known: &[Symbol],
    mut f: impl FnMut(ParseStream, Ident) -> PResult<()>,
) -> PResult<()> {
    let content;
    syn::braced!(content in input);
    while !content.is_empty() {
        let res = (|| -> PResult<()> {
            let kw = word_or(
                &content,
                &format!("a setting of {what}: {}", one_of(sym::names(known))),
            )?;
            if !known.iter().any(|k| kw == *k) {
                let hint = match suggest(&kw.to_string(), sym::names(known)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("expected {}", one_of(sym::names(known))),
                };
                return Err(syn::Error::new(
                    kw.span(),
                    format!("unknown setting `{kw}` in {what}; {hint}"),
                ));
            }
            f(&content, kw)?;
            if !content.is_empty() {
                if !content.peek(Token![,]) {
                    return Err(
                        content.error(format!("expected `,` between the settings of {what}"))
                    );
                }
                content.parse::<Token![,]>()?;
            }
            Ok(())
        })();
        if let Err(e) = res {
            cx.syn_error(e);
            skip_past_punct(&content, ',');
        }
    }
    Ok(())
}

/// Stores a setting, or reports that it is set twice.
fn once<T>(cx: &Ctxt, slot: &mut Option<T>, kw: &Ident, value: T) {
    if slot.is_some() {
        cx.error(kw.span(), format!("`{kw}` is set twice; keep one"));
    } else {
        *slot = Some(value);
    }
}

/// One item, or `[item, item, ...]`.
fn one_or_list<T>(
    input: ParseStream,
    what: &str,
    mut item: impl FnMut(ParseStream) -> PResult<T>,
) -> PResult<Vec<T>> {
    if input.peek(token::Bracket) {
        let list = brackets(input, what, |c| comma_list(c, what, &mut item))?;
        if list.is_empty() {
            return Err(input.error(format!("{what} list is empty; name at least one")));
        }
        return Ok(list);
    }
    Ok(vec![item(input)?])
}

fn comma_list<T>(
    input: ParseStream,
    what: &str,
    mut item: impl FnMut(ParseStream) -> PResult<T>,
) -> PResult<Vec<T>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        out.push(item(input)?);
        if input.is_empty() {
            break;
        }
        if !input.peek(Token![,]) {
            return Err(input.error(format!("expected `,` between {what}")));
        }
        input.parse::<Token![,]>()?;
    }
    Ok(out)
}

fn parens<T>(
    input: ParseStream,
    what: &str,
    f: impl FnOnce(ParseStream) -> PResult<T>,
) -> PResult<T> {
    if !input.peek(token::Paren) {
        return Err(input.error(format!("expected `(` to open {what}")));
    }
    let content;
    syn::parenthesized!(content in input);
    in_group(&content, what, f)
}

fn brackets<T>(
    input: ParseStream,
    what: &str,
    f: impl FnOnce(ParseStream) -> PResult<T>,
) -> PResult<T> {
    if !input.peek(token::Bracket) {
        return Err(input.error(format!("expected `[` to open {what}")));
    }
    let content;
    syn::bracketed!(content in input);
    in_group(&content, what, f)
}

fn braces<T>(
    input: ParseStream,
    what: &str,
    f: impl FnOnce(ParseStream) -> PResult<T>,
) -> PResult<T> {
    if !input.peek(token::Brace) {
        return Err(input.error(format!("expected `{{` to open {what}")));
    }
    let content;
    syn::braced!(content in input);
    in_group(&content, what, f)
}

fn braces_empty(input: ParseStream, what: &str) -> PResult<()> {
    braces(input, what, |_| Ok(()))
}

/// Runs `f` on a group's content; on error (or leftovers) drains the group so that syn's shared
/// "unexpected token" cell stays clean for the rest of the stream.
fn in_group<T>(
    content: &ParseBuffer,
    what: &str,
    f: impl FnOnce(ParseStream) -> PResult<T>,
) -> PResult<T> {
    let res = f(content).and_then(|v| {
        if content.is_empty() {
            Ok(v)
        } else {
            Err(content.error(format!(
                "unexpected {} in {what}; remove it",
                describe_next(content)
            )))
        }
    });
    if res.is_err() {
        skip_rest(content);
    }
    res
}

fn describe_next(input: ParseStream) -> String {
    match input.cursor().token_tree() {
        Some((TokenTree::Group(g), _)) => match g.delimiter() {
            Delimiter::Parenthesis => "`(...)`".to_owned(),
            Delimiter::Bracket => "`[...]`".to_owned(),
            Delimiter::Brace => "`{...}`".to_owned(),
            Delimiter::None => "tokens".to_owned(),
        },
        Some((tt, _)) => format!("`{tt}`"),
        None => "end of input".to_owned(),
    }
}

fn semi(input: ParseStream, statement: &str) -> PResult<()> {
    if input.peek(Token![;]) {
        input.parse::<Token![;]>()?;
        return Ok(());
    }
    Err(input.error(format!(
        "expected `;` to end the `{statement}` statement, found {}",
        describe_next(input)
    )))
}

fn equals(input: ParseStream, context: &str) -> PResult<()> {
    if input.peek(Token![=]) && !input.peek(Token![==]) {
        input.parse::<Token![=]>()?;
        return Ok(());
    }
    Err(input.error(format!("expected `=` {context}")))
}

fn comma(input: ParseStream, context: &str) -> PResult<()> {
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
        return Ok(());
    }
    Err(input.error(format!("expected `,` {context}")))
}

fn colon(input: ParseStream, kw: &Ident) -> PResult<()> {
    colon_after(input, &format!("`{kw}`"))
}

fn colon_after(input: ParseStream, what: &str) -> PResult<()> {
    if input.peek(Token![:]) && !input.peek(Token![::]) {
        input.parse::<Token![:]>()?;
        return Ok(());
    }
    Err(input.error(format!("expected `:` after {what}")))
}

fn keyword(input: ParseStream, word: Symbol, context: &str) -> PResult<Ident> {
    if peek_is(input, word) {
        return self::word(input);
    }
    Err(input.error(format!("expected `{word}` {context}")))
}

/// The next token as a word, if it is one (Rust keywords included).
fn peek_word(input: ParseStream) -> Option<Ident> {
    input.cursor().ident().map(|(i, _)| i)
}

fn peek_is(input: ParseStream, word: Symbol) -> bool {
    input.cursor().ident().is_some_and(|(i, _)| i == word)
}

/// Any word, Rust keywords included.
fn word(input: ParseStream) -> PResult<Ident> {
    Ident::parse_any(input)
}

fn word_or(input: ParseStream, expected: &str) -> PResult<Ident> {
    if input.peek(Ident::peek_any) {
        return word(input);
    }
    Err(input.error(format!(
        "expected {expected}, found {}",
        describe_next(input)
    )))
}

/// Skips to just after the next `ch` at this nesting level (or to the end).
fn skip_past_punct(input: ParseStream, ch: char) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            rest = next;
            if matches!(&tt, TokenTree::Punct(p) if p.as_char() == ch) {
                break;
            }
        }
        Ok(((), rest))
    });
}

/// Skips to just after the next group with `delimiter` at this level (or to the end).
fn skip_past_group(input: ParseStream, delimiter: Delimiter) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            rest = next;
            if matches!(&tt, TokenTree::Group(g) if g.delimiter() == delimiter) {
                break;
            }
        }
        Ok(((), rest))
    });
}

fn skip_rest(input: ParseStream) {
    let _ = input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((_, next)) = rest.token_tree() {
            rest = next;
        }
        Ok(((), rest))
    });
}
