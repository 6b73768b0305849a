//! `--format json` against its shipped JSON Schema, `schemas/report-v1.json`.
//!
//! The schema uses a small part of JSON Schema (`type`, `const`, `enum`, `required`,
//! `properties`, `additionalProperties: false`, `items`, `oneOf`, `minimum`, local `$ref`), and
//! [`check`] implements exactly that part, so the test needs no validator crate; `.ci/run` also
//! validates a real run with Python's `jsonschema`, which implements all of it.

use std::path::PathBuf;

use serde_json::Value;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn schema() -> Value {
    let text = std::fs::read_to_string(workspace().join("schemas/report-v1.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Every place `value` breaks `schema`, as `path: why`.
fn check(root: &Value, schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let target = r
            .strip_prefix("#/")
            .unwrap_or_else(|| panic!("only local refs: {r}"))
            .split('/')
            .fold(root, |v, part| &v[part]);
        assert!(!target.is_null(), "dangling ref {r}");
        return check(root, target, value, path, out);
    }
    if let Some(c) = schema.get("const")
        && c != value
    {
        out.push(format!("{path}: {value} is not {c}"));
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        out.push(format!("{path}: {value} is none of {options:?}"));
    }
    if let Some(t) = schema.get("type") {
        let names: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => panic!("bad type at {path}"),
        };
        let fits = names.iter().any(|n| match *n {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_u64() || value.is_i64(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            other => panic!("unsupported type {other}"),
        });
        if !fits {
            out.push(format!("{path}: {value} is not {names:?}"));
            return;
        }
    }
    if let (Some(min), Some(n)) = (
        schema.get("minimum").and_then(Value::as_i64),
        value.as_i64(),
    ) && n < min
    {
        out.push(format!("{path}: {n} < {min}"));
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let n_fit = options
            .iter()
            .filter(|o| {
                let mut errs = Vec::new();
                check(root, o, value, path, &mut errs);
                errs.is_empty()
            })
            .count();
        if n_fit != 1 {
            out.push(format!(
                "{path}: {value} fits {n_fit} of oneOf, not exactly one"
            ));
        }
    }
    if let Some(obj) = value.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let req = req.as_str().unwrap();
            if !obj.contains_key(req) {
                out.push(format!("{path}: missing `{req}`"));
            }
        }
        for (k, v) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => check(root, s, v, &format!("{path}.{k}"), out),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    out.push(format!("{path}: `{k}` is not in the schema"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            check(root, items, v, &format!("{path}[{i}]"), out);
        }
    }
}

fn run_json(args: &[&str]) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_replication-lab"))
        .current_dir(workspace())
        .args(["--format", "json"])
        .args(args)
        .env_remove("CI")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Every shipped suite's JSON fits the schema, and carries what CI consumers read: per object
/// the status, failure reason and replica encryption with its key, per attempt each decision.
#[test]
fn json_output_fits_the_shipped_schema() {
    let schema = schema();
    let doc = run_json(&[]);
    let mut errors = Vec::new();
    check(&schema, &schema, &doc, "$", &mut errors);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert_eq!(doc["schema_version"], 1);

    let scenarios = doc["scenarios"].as_array().unwrap();
    assert!(scenarios.len() >= 40);
    let objects = || {
        scenarios
            .iter()
            .flat_map(|s| s["objects"].as_array().unwrap())
    };
    assert!(
        objects().any(|o| o["status"] == "FAILED" && o["failure_reason"].is_string()),
        "no FAILED object with a reason"
    );
    assert!(
        objects().any(|o| o["destinations"].as_array().unwrap().iter().any(
            |d| d["replica"]["encryption"]["type"] == "SSE-KMS"
                && d["replica"]["encryption"]["key_arn"]
                    .as_str()
                    .is_some_and(|a| a.starts_with("arn:aws:kms:"))
        )),
        "no replica with its SSE-KMS key"
    );
    let attempts = || {
        scenarios
            .iter()
            .flat_map(|s| s["attempts"].as_array().unwrap())
    };
    assert!(attempts().any(
        |a| a["result"] == "failed" && a["decisions"].as_array().is_some_and(|d| !d.is_empty())
    ));
}

/// The checker is not vacuous: a document with a field missing, one retyped, and one the schema
/// does not know gives one error each.
#[test]
fn the_schema_check_catches_what_it_should() {
    let schema = schema();
    let mut doc = run_json(&["--scenario", "monitoring/mon_pending_metrics_and_latency"]);
    doc.as_object_mut().unwrap().remove("new");
    doc["scenarios"][0]["line"] = Value::String("5".into());
    doc["scenarios"][0]["objects"][0]["colour"] = Value::Bool(true);
    let mut errors = Vec::new();
    check(&schema, &schema, &doc, "$", &mut errors);
    assert_eq!(errors.len(), 3, "{errors:#?}");
}
