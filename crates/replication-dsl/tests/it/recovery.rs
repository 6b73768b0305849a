//! Error messages, positions and recovery: one mistake never hides the next.

use replication_dsl::{Diagnostic, check_suite, parse_suite, validate_suite};

fn errors(text: &str) -> Vec<String> {
    match parse_suite("t.scenario", text) {
        Ok(_) => Vec::new(),
        Err(d) => d.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn every_bad_statement_is_reported_and_the_rest_still_parses() {
    let text = "bad {\n    account prod = 111122223333;\n    bucket b = s3(prod, \"us-east-1\") { versionin };\n    frobnicate;\n    put b \"k\" = 4 KiX;\n    put b \"k\" = 4 KiB;\n}\n";
    assert_eq!(
        errors(text),
        [
            "t.scenario:3:40: unknown setting `versionin` in bucket `b`; did you mean `versioning`?",
            "t.scenario:4:5: unknown statement `frobnicate`; expected one of `rules`, `account`, `key`, `bucket`, `role`, `replication`, `put`, `delete`, `tag`, `replicate`, `batch_replicate`, `wait`, `disable_key`, `enable_key`, `schedule_key_deletion`, `cancel_key_deletion`, `delete_key_material`, `revoke`, `add_statement`, `set_versioning`, `region_unavailable`, `region_available`, `throttle_kms`, `block_sse_c` or `expect`",
            "t.scenario:5:19: unknown size unit `KiX`; did you mean `KiB`?",
        ]
    );
}

#[test]
fn settings_recover_at_the_next_comma() {
    let text = "s {\n    account prod = 111122223333;\n    bucket b = s3(prod, \"us-east-1\") { versioning: Sometimes, encryption: sse_kms(), object_lock: maybe };\n}\n";
    assert_eq!(
        errors(text),
        [
            "t.scenario:3:52: unknown versioning state `Sometimes`; expected `Enabled`, `Suspended`, `Unversioned`, `enabled`, `suspended` or `unversioned`",
            "t.scenario:3:83: unexpected end of input, expected a key, `aws_managed`, or a key ARN in quotes",
            "t.scenario:3:99: unknown status `maybe`; expected `Enabled`, `Disabled`, `enabled`, `disabled`, `true` or `false`",
        ]
    );
}

#[test]
fn policy_statements_recover_at_the_next_semicolon() {
    let text = "s {\n    account prod = 111122223333;\n    role r = iam(prod) {\n        trust s3;\n        alow s3:GetObject on *;\n        allow s3 on *;\n        allow s3:GetObject on b/x;\n    };\n}\n";
    let got = errors(text);
    assert_eq!(
        got[0],
        "t.scenario:5:9: expected `name: \"...\", path: \"...\";`, `trust ...;`, `policy name { ... };` or a statement such as `allow s3:ReplicateObject on target/\"*\";` in role `r`"
    );
    assert_eq!(
        got[1],
        "t.scenario:6:15: expected an action like `s3:ReplicateObject`: a service, `:` and an action name, not `s3`"
    );
    assert_eq!(
        got[2],
        "t.scenario:7:33: expected the object pattern in quotes after `b/`, like `b/\"*\"` or `b/\"reports/*\"`"
    );
    assert_eq!(got.len(), 3, "{got:#?}");
}

#[test]
fn an_error_in_one_scenario_does_not_hide_another() {
    let text = "/// One.\none { replicat; }\n/// Two.\ntwo { wait 5 fortnights; }\nthree { expect b \"k\"; }\n";
    assert_eq!(
        errors(text),
        [
            "t.scenario:2:7: unknown statement `replicat`; did you mean `replicate`?",
            "t.scenario:4:14: unknown time unit `fortnights`; expected `s`, `min` or `h`",
            "t.scenario:5:21: `expect b \"k\"` checks nothing; add a status such as `COMPLETED`, a `reason`, or `with <encryption>`",
        ]
    );
}

#[test]
fn structure_errors_outside_scenarios() {
    assert_eq!(
        errors("one"),
        [
            "t.scenario:1:1: expected `{` after scenario name `one`; a scenario is `one { statements }`"
        ]
    );
    assert_eq!(
        errors("#[test] one {}"),
        ["t.scenario:1:1: only `///` doc comments can precede a scenario; remove this attribute"]
    );
    assert_eq!(
        errors("//! inner\none {}"),
        [
            "t.scenario:1:1: inner doc comments (`//!`) cannot describe a scenario; write `///` before the scenario name"
        ]
    );
    assert_eq!(
        errors("one {} one {}"),
        ["t.scenario:1:8: scenario `one` is defined twice; rename one of them"]
    );
    assert_eq!(
        errors("{ x }"),
        ["t.scenario:1:1: expected a scenario: `/// what it shows` then `name { statements }`"]
    );
}

#[test]
fn lexer_errors_name_the_likely_cause() {
    assert_eq!(
        errors("s {\n    role r = iam(p) { allow s3:GetObject on b/*; };\n}\n"),
        [
            "t.scenario:2:46: `/*` here starts a block comment; write object patterns in quotes, like `source/\"*\"`"
        ]
    );
    assert_eq!(
        errors("s {\n    put b \"k = 1;\n}\n"),
        [
            "t.scenario:2:11: the file does not read as tokens: check for an unclosed `(`, `[`, `{` or `\"`, a stray closing one, or an unterminated comment"
        ]
    );
}

#[test]
fn rust_keywords_cannot_be_names() {
    assert_eq!(
        errors("s { account type = 111122223333; }"),
        [
            "t.scenario:1:13: `type` is a Rust keyword and cannot name the account; choose another name"
        ]
    );
}

#[test]
fn duplicate_rule_sets_and_settings() {
    assert_eq!(
        errors("s { rules aws_2026; rules exam_guide; }"),
        ["t.scenario:1:21: the rule set is chosen twice; keep one `rules ...;`"]
    );
}

#[test]
fn policy_targets_say_which_policy() {
    let text = "s {\n    account prod = 111122223333;\n    role r = iam(prod) { trust s3; };\n    key k = kms(prod, \"us-east-1\");\n    revoke r statement 0;\n    revoke k.inline statement 0;\n}\n";
    assert_eq!(
        errors(text),
        [
            "t.scenario:5:12: role `r` has a trust policy and identity policies; say which: `r.trust` or `r.<policy name>` (statements written in the role body are `r.inline`)",
            "t.scenario:6:12: `k` is a key, which has one policy, not `inline`; write `k` alone",
        ]
    );
}

#[test]
fn model_problems_land_on_the_narrowest_token() {
    let text = r#"
s {
    account prod = 111122223333;
    bucket source = s3(prod, "us-east-1") { versioning };
    bucket target = s3(prod, "eu-west-1") { versioning };
    role r = iam(prod) { trust s3; };
    replication source via r {
        rule a { priority: 1, delete_marker_replication: Disabled, destination: target, replica_kms_key: nokey };
    };
}
"#;
    let d: Vec<Diagnostic> = validate_suite("m.scenario", text).unwrap_err();
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].line, d[0].column), (8, 106));
    assert_eq!(
        d[0].message,
        "key `nokey` is not defined; define it with `key nokey = ...` or fix the name"
    );
}

/// `aws kms get-key-policy` output keeps the document as a JSON string; a mistake inside it is
/// reported at its character in the scenario file, escapes included.
#[test]
fn problems_in_cli_json_strings_point_at_the_character_in_the_file() {
    let text = r##"s {
    account prod = 111122223333;
    key k = kms(prod, "us-east-1") { policy: json r#"{
        "Policy": "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Alow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}]\n}",
        "PolicyName": "default"
    }"# };
}
"##;
    let d = validate_suite("k.scenario", text).unwrap_err();
    assert_eq!(d.len(), 1, "{d:#?}");
    let line = text.lines().nth(d[0].line - 1).unwrap();
    let at: String = line.chars().skip(d[0].column - 1).take(8).collect();
    assert_eq!(at, r#"\"Alow\""#, "{}", d[0]);
    assert!(d[0].message.contains("line 2, column 86: "), "{}", d[0]);
}

#[test]
fn json_problems_point_inside_the_literal() {
    // The misspelled Effect is on the third line of the JSON text.
    let text = "s {\n    account prod = 111122223333;\n    bucket source = s3(prod, \"us-east-1\") { policy: json r#\"{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Alow\", \"Principal\": \"*\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]\n}\"# };\n}\n";
    let d = validate_suite("j.scenario", text).unwrap_err();
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!((d[0].line, d[0].column), (5, 28), "{}", d[0]);
    assert!(
        d[0].message.contains("`Effect` must be `Allow` or `Deny`"),
        "{}",
        d[0]
    );
}

#[test]
fn check_suite_keeps_good_scenarios_runnable() {
    let text =
        "good { account prod = 111122223333; }\nbad { account prod = 1; }\nbroken { replicat; }\n";
    let suite = check_suite("c.scenario", text);
    assert!(suite.errors.is_empty());
    let results: Vec<(&str, usize, bool)> = suite
        .scenarios
        .iter()
        .map(|s| (s.name.as_str(), s.line, s.result.is_ok()))
        .collect();
    assert_eq!(
        results,
        [("good", 1, true), ("bad", 2, false), ("broken", 3, false)]
    );
    assert_eq!(suite.diagnostics().len(), 2);
}

/// A `word/*` inside a string or a comment is not what broke the file: an unclosed `(` elsewhere
/// is reported as such, not as "`/*` starts a block comment".
#[test]
fn a_quoted_or_commented_glob_is_not_blamed_for_another_lexer_error() {
    let text = "// objects under source/* replicate\ns {\n    allow s3:GetObject on source/\"logs/*\";\n    put b \"k\" = (4 KiB;\n}\n";
    let errs = errors(text);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].contains("the file does not read as tokens"),
        "{errs:?}"
    );
    assert!(!errs[0].contains("block comment"), "{errs:?}");
    // A real glued `/*` is still found, where it is.
    let errs = errors("s {\n    allow s3:GetObject on source/*;\n}\n");
    assert_eq!(
        errs,
        [
            "t.scenario:2:33: `/*` here starts a block comment; write object patterns in quotes, like `source/\"*\"`"
        ]
    );
}

/// 13,000 nested parentheses give a located error instead of overflowing the stack.
#[test]
fn deep_nesting_is_a_located_error() {
    let n = 13_000;
    let text = format!(
        "s {{\n    put b \"k\" = {}{};\n}}\n",
        "(".repeat(n),
        ")".repeat(n)
    );
    let errs = errors(&text);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("t.scenario:2:80: brackets nest more than 64 deep here"),
        "{errs:?}"
    );
}

/// A scenario name too long for its snapshot file name is refused at the name, and echoed
/// shortened.
#[test]
fn a_scenario_name_too_long_for_a_file_name_is_refused() {
    let name = "n".repeat(251);
    let errs = errors(&format!("{name} {{ }}\n"));
    assert_eq!(
        errs,
        [format!(
            "t.scenario:1:1: scenario name `{}…(251 bytes)` is too long; names are at most 200 bytes so that the snapshot file name fits, shorten it",
            "n".repeat(60)
        )]
    );
    assert!(errors(&format!("{} {{ }}\n", "n".repeat(200))).is_empty());
}

/// Numbers out of their domain say so: a negative size is not "too large", version 0 does not
/// exist, and `Priority` is an int32.
#[test]
fn numbers_outside_their_domain_are_refused() {
    let scenario = |stmt: &str| {
        format!(
            "s {{\n    account prod = 111122223333;\n    bucket b = s3(prod, \"us-east-1\") {{ versioning }};\n    {stmt}\n}}\n"
        )
    };
    let errs = errors(&scenario("put b \"k\" = -1 B;"));
    assert_eq!(
        errs,
        ["t.scenario:4:17: size `-1` cannot be negative; write a size like `4 KiB` or `0 B`"]
    );
    let errs = errors(&scenario("expect b \"k\" version 0 COMPLETED;"));
    assert_eq!(
        errs,
        [
            "t.scenario:4:26: version `0` does not exist; versions count from 1 (the first PUT of a key)"
        ]
    );
    let errs = errors(&scenario("delete b \"k\" version 0;"));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("version `0` does not exist"), "{errs:?}");
    let errs = errors(&scenario(
        "replication b via r { rule a { priority: 2147483648, destination: b } };",
    ));
    assert!(
        errs.iter().any(|e| e.contains(
            "priority `2147483648` is out of range; `Priority` is a 32-bit integer, at most 2147483647"
        )),
        "{errs:?}"
    );
    let errs = errors(&scenario("wait -1 s;"));
    assert!(
        errs.iter()
            .any(|e| e.contains("duration `-1` cannot be negative")),
        "{errs:?}"
    );
}

/// `json_file` opens only regular files: a folder (or a FIFO) is refused with a clear error
/// instead of hanging or reading without end.
#[test]
fn json_file_opens_only_regular_files() {
    let dir = std::env::temp_dir().join(format!("dsl-json-file-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("policies.json")).unwrap();
    let label = dir.join("t.scenario").to_string_lossy().into_owned();
    let text = "s {\n    account prod = 111122223333;\n    bucket b = s3(prod, \"us-east-1\") { versioning, policy: json_file \"policies.json\" };\n}\n";
    let errs: Vec<String> = parse_suite(&label, text)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        errs.iter().any(|e| e.contains(
            "policy file `policies.json` is not a regular file (a FIFO, device or folder)"
        )),
        "{errs:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits that add up past the logical clock are a located error, not an overflow panic (debug)
/// or time running backwards (release).
#[test]
fn waits_beyond_the_clock_are_a_located_error() {
    let text = "s {\n    wait 18446744073709551615 s;\n    wait 18446744073709551615 s;\n    wait 18446744073709551615 s;\n}\n";
    let errs: Vec<String> = validate_suite("t.scenario", text)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        errs,
        [
            "t.scenario:3:10: the waits up to here add up to more seconds than the simulation's clock holds (2^64); shorten this `wait`"
        ]
    );
    assert!(validate_suite("t.scenario", "s {\n    wait 18446744073709551615 s;\n}\n").is_ok());
}

/// A trust policy over IAM's default 2,048-character quota is refused, inline and from a file,
/// at the policy and with the limit it broke; whitespace does not count.
#[test]
fn trust_policies_meet_iams_default_quota_inline_and_in_files() {
    let statement = r#"{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}"#;
    let policy = |n: usize| {
        let statements = vec![statement; n].join(",\n    ");
        format!("{{\"Version\": \"2012-10-17\", \"Statement\": [\n    {statements}\n]}}")
    };
    let scenario = |trust: &str| {
        format!(
            "s {{\n    account prod = 111122223333;\n    role r = iam(prod) {{ trust {trust}; }};\n}}\n"
        )
    };
    // 22 statements stay under 2,048 characters without whitespace; 23 do not.
    let fits = policy(22);
    let over = policy(23);
    assert!(errors(&scenario(&format!("json r#\"{fits}\"#"))).is_empty());
    let errs = errors(&scenario(&format!("json r#\"{over}\"#")));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("t.scenario:3:37: inline policy is 2")
            && errs[0].ends_with(
                "characters other than whitespace, over IAM's default quota for a role trust policy (2048 characters other than whitespace); trust fewer principals or merge statements (AWS raises the quota to 4,096 characters on request)"
            ),
        "{errs:?}"
    );

    let dir = std::env::temp_dir().join(format!("dsl-trust-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("trust.json"), &over).unwrap();
    let label = dir.join("t.scenario").to_string_lossy().into_owned();
    let errs: Vec<String> = parse_suite(&label, &scenario("json_file \"trust.json\""))
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        errs.iter()
            .any(|e| e.contains("policy file `trust.json` is 2")
                && e.contains("over IAM's default quota for a role trust policy")),
        "{errs:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
