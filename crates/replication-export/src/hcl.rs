//! A small writer of Terraform's HCL: blocks, attributes, strings with interpolation, and JSON
//! documents as `jsonencode` objects.

use serde_json::Value;

use crate::plan::{KeyIdOf, Piece, Plan};

/// An HCL body being written, two spaces per level.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    /// `kind "label" "label" {`, and one level deeper.
    pub fn open(&mut self, kind: &str, labels: &[&str]) {
        self.indent();
        self.out.push_str(kind);
        for l in labels {
            self.out.push_str(" \"");
            self.out.push_str(l);
            self.out.push('"');
        }
        self.out.push_str(" {\n");
        self.depth += 1;
    }

    /// `}`, one level up.
    pub fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("}\n");
    }

    /// `name = expr`; a multi-line `expr` is indented to the attribute's level.
    pub fn attr(&mut self, name: &str, expr: &str) {
        self.indent();
        self.out.push_str(name);
        self.out.push_str(" = ");
        let pad = "  ".repeat(self.depth);
        let mut lines = expr.lines();
        if let Some(first) = lines.next() {
            self.out.push_str(first);
        }
        for line in lines {
            self.out.push('\n');
            self.out.push_str(&pad);
            self.out.push_str(line);
        }
        self.out.push('\n');
    }

    /// A comment line.
    pub fn comment(&mut self, text: &str) {
        for line in text.lines() {
            self.indent();
            self.out.push_str("# ");
            self.out.push_str(line);
            self.out.push('\n');
        }
    }

    /// An empty line.
    pub fn blank(&mut self) {
        self.out.push('\n');
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.out
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
}

/// A quoted HCL string: literal parts escaped (`${` and `%{` too, so IAM policy variables stay
/// text), key ids a deployment makes written as references.
pub(crate) fn string(plan: &Plan, s: &str) -> String {
    let mut out = String::from("\"");
    for piece in plan.pieces(s) {
        match piece {
            Piece::Lit(text) => escape_into(&mut out, text),
            Piece::KeyId(of) => {
                out.push_str("${");
                out.push_str(&key_id_ref(plan, of));
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}

/// The Terraform expression of a key id only a deployment knows.
pub(crate) fn key_id_ref(plan: &Plan, of: KeyIdOf) -> String {
    match of {
        KeyIdOf::Created(idx) => format!("aws_kms_key.{}.key_id", plan.keys[idx].name),
        KeyIdOf::Managed(idx) => format!("data.aws_kms_key.{}.id", managed_key_label(plan, idx)),
    }
}

/// The data source label of an `aws/s3` key.
pub(crate) fn managed_key_label(plan: &Plan, idx: usize) -> String {
    let m = &plan.managed_keys[idx];
    format!("aws_s3_{}_{}", m.account, m.region.replace('-', "_"))
}

fn escape_into(out: &mut String, text: &str) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// A JSON document as `jsonencode({ ... })`, keys quoted, arrays on one line when short.
pub(crate) fn jsonencode(plan: &Plan, v: &Value) -> String {
    format!("jsonencode({})", value(plan, v, 0))
}

fn value(plan: &Plan, v: &Value, depth: usize) -> String {
    let pad = "  ".repeat(depth + 1);
    let end = "  ".repeat(depth);
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(plan, s),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|i| value(plan, i, depth + 1)).collect();
            let one_line = format!("[{}]", parts.join(", "));
            if one_line.len() <= 80 && !one_line.contains('\n') {
                one_line
            } else {
                let mut s = String::from("[\n");
                for p in parts {
                    s.push_str(&pad);
                    s.push_str(&p);
                    s.push_str(",\n");
                }
                s.push_str(&end);
                s.push(']');
                s
            }
        }
        Value::Object(map) => {
            if map.is_empty() {
                return "{}".to_owned();
            }
            let mut s = String::from("{\n");
            for (k, v) in map {
                s.push_str(&pad);
                s.push_str(&string(plan, k));
                s.push_str(" = ");
                s.push_str(&value(plan, v, depth + 1));
                s.push('\n');
            }
            s.push_str(&end);
            s.push('}');
            s
        }
    }
}
