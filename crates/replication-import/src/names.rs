//! Scenario identifiers made from AWS names: `acme.prod-data` becomes `acme_prod_data`, unique
//! across every definition of the scenario, never a Rust keyword or a word the language uses.

use std::collections::BTreeSet;

/// Hands out identifiers, each once.
#[derive(Debug, Default)]
pub(crate) struct Idents {
    used: BTreeSet<String>,
}

/// Words an identifier cannot be: Rust's keywords and the scenario language's statements.
const RESERVED: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "crate",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "try",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "gen",
    "account",
    "key",
    "bucket",
    "role",
    "replication",
    "put",
    "delete",
    "tag",
    "replicate",
    "batch_replicate",
    "wait",
    "expect",
    "rules",
    "revoke",
    "aws_managed",
    "via",
    "with",
];

impl Idents {
    /// An identifier for `name` (`fallback` when nothing of it is usable, `prefix` before a
    /// leading digit), made unique with `_2`, `_3`, ...
    pub(crate) fn make(&mut self, name: &str, prefix: &str) -> String {
        let mut base = String::new();
        for c in name.chars() {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() {
                base.push(c);
            } else if !base.ends_with('_') && !base.is_empty() {
                base.push('_');
            }
        }
        while base.ends_with('_') {
            base.pop();
        }
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            base = format!("{prefix}_{base}").trim_end_matches('_').to_owned();
        }
        if RESERVED.contains(&base.as_str()) {
            base.push('_');
        }
        let mut ident = base.clone();
        let mut n = 2;
        while self.used.contains(&ident) {
            ident = format!("{base}_{n}");
            n += 1;
        }
        self.used.insert(ident.clone());
        ident
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_unique_identifiers() {
        let mut ids = Idents::default();
        assert_eq!(ids.make("acme.prod-data", "bucket"), "acme_prod_data");
        assert_eq!(ids.make("acme-prod-data", "bucket"), "acme_prod_data_2");
        assert_eq!(ids.make("2026-logs", "bucket"), "bucket_2026_logs");
        assert_eq!(ids.make("type", "role"), "type_");
        assert_eq!(ids.make("key", "key"), "key_");
        assert_eq!(ids.make("---", "role"), "role_");
    }
}
