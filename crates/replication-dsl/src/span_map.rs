//! From the model's [`Locus`] back to tokens: where each field of a lowered spec was written.
//!
//! Lowering records a range for every `(Item, path)` it produces, with the path spelling the
//! model's validation uses (`rules[0].destination.replica_kms_key`, `policy.statements[2].sid`).
//! A problem lands on the range of the longest recorded prefix of its path, so a path the DSL
//! never recorded still lands on the nearest enclosing thing, and at worst on the scenario name.
//! Problems inside an inline JSON policy carry a byte offset into the JSON text; where the
//! platform allows (proc-macro2's own spans at run time, nightly rustc) the range then points
//! at that character inside the string literal.

use std::collections::BTreeMap;

use replication_spec::spec::{Item, Locus};
use replication_spec::{Problem, ProblemKind};
use syn::LitStr;

use crate::error::{DslError, SpanRange};

/// The source of a JSON policy text, to point into it.
#[derive(Debug, Clone)]
pub enum JsonSource {
    /// A `json "..."` string literal.
    Inline(LitStr),
}

/// Ranges of the fields of one lowered scenario.
#[derive(Debug, Clone)]
pub struct SpanMap {
    /// The scenario name, where anything unplaceable lands.
    fallback: SpanRange,
    /// Every range recorded for a locus, in source order (a name defined twice has two).
    spans: BTreeMap<Locus, Vec<SpanRange>>,
    /// JSON policies by the locus of the policy (`policy`, `trust`, `policies[1]`).
    json: BTreeMap<Locus, JsonSource>,
}

impl SpanMap {
    /// An empty map whose fallback is the scenario name.
    pub fn new(fallback: SpanRange) -> Self {
        SpanMap {
            fallback,
            spans: BTreeMap::new(),
            json: BTreeMap::new(),
        }
    }

    /// Records where `(item, path)` was written.
    pub fn record(&mut self, item: Item, path: String, range: SpanRange) {
        self.spans
            .entry(Locus { item, path })
            .or_default()
            .push(range);
    }

    /// Replaces the range recorded last for `(item, path)`.
    pub fn replace(&mut self, item: Item, path: String, range: SpanRange) {
        let ranges = self.spans.entry(Locus { item, path }).or_default();
        ranges.pop();
        ranges.push(range);
    }

    /// Records the JSON text of the policy at `(item, prefix)`.
    pub fn record_json(&mut self, item: Item, prefix: String, source: JsonSource) {
        self.json.insert(Locus { item, path: prefix }, source);
    }

    /// Every recorded locus.
    #[cfg(test)]
    pub fn loci(&self) -> impl Iterator<Item = &Locus> {
        self.spans.keys()
    }

    /// Turns every problem into an error at its narrowest range.
    ///
    /// A name defined twice has one locus for both definitions; the n-th `Duplicate` problem
    /// on that locus is placed on the (n+1)-th definition, the one that repeats the name.
    pub fn locate_all(&self, problems: &[Problem]) -> Vec<DslError> {
        let mut duplicates_seen: BTreeMap<&Locus, usize> = BTreeMap::new();
        problems
            .iter()
            .map(|p| {
                let occurrence = if p.kind == ProblemKind::Duplicate {
                    let n = duplicates_seen.entry(&p.locus).or_insert(0);
                    *n += 1;
                    *n
                } else {
                    0
                };
                DslError::new(self.locate(p, occurrence), &p.message)
            })
            .collect()
    }

    /// The range a problem points at: inside a JSON literal when it has an offset there, else
    /// the `occurrence`-th range of the longest recorded prefix of its path.
    pub fn locate(&self, problem: &Problem, occurrence: usize) -> SpanRange {
        let item = &problem.locus.item;
        if let Some(offset) = problem.json_offset {
            for prefix in prefixes(&problem.locus.path) {
                let policy = prefix.strip_suffix(".json").unwrap_or(prefix);
                let locus = Locus {
                    item: item.clone(),
                    path: policy.to_owned(),
                };
                if let Some(JsonSource::Inline(lit)) = self.json.get(&locus) {
                    let span = json_span(lit, offset).unwrap_or_else(|| lit.span());
                    return SpanRange::new(span);
                }
            }
        }
        for prefix in prefixes(&problem.locus.path) {
            let locus = Locus {
                item: item.clone(),
                path: prefix.to_owned(),
            };
            if let Some(ranges) = self.spans.get(&locus) {
                return ranges
                    .get(occurrence)
                    .or_else(|| ranges.last())
                    .copied()
                    .unwrap_or(self.fallback);
            }
        }
        self.fallback
    }
}

/// `a.b[1].c`, then `a.b[1]`, `a.b`, `a`, and finally `""`.
fn prefixes(path: &str) -> impl Iterator<Item = &str> {
    let mut next = Some(path);
    std::iter::from_fn(move || {
        let current = next?;
        next = if current.is_empty() {
            None
        } else if current.ends_with(']') {
            current.rfind('[').map(|i| &current[..i])
        } else {
            Some(current.rfind('.').map_or("", |i| &current[..i]))
        };
        Some(current)
    })
}

/// The span of the character at `offset` (a byte offset into the literal's value), when the
/// platform can make spans inside a literal.
pub(crate) fn json_span(lit: &LitStr, offset: usize) -> Option<proc_macro2::Span> {
    let token = lit.token();
    let index = source_char_index(&token.to_string(), offset)?;
    // proc-macro2's own spans count characters; rustc's (nightly only) count bytes, which
    // differs only after non-ASCII text in the literal.
    token.subspan(index..index + 1)
}

/// The character index, in a string literal's source, of the byte at `offset` of its value.
fn source_char_index(source: &str, offset: usize) -> Option<usize> {
    let chars: Vec<char> = source.chars().collect();
    if chars.first() == Some(&'r') {
        let hashes = chars[1..].iter().take_while(|c| **c == '#').count();
        let start = 1 + hashes + 1;
        let content: String = chars.get(start..)?.iter().collect();
        let prefix = content.get(..offset)?;
        return Some(start + prefix.chars().count());
    }
    if chars.first() != Some(&'"') {
        return None;
    }
    let mut i = 1;
    let mut decoded = 0;
    while i < chars.len() {
        // A line continuation decodes to nothing: skip it before deciding where `offset` is.
        if chars[i] == '\\' && matches!(chars.get(i + 1), Some('\n' | '\r')) {
            i += 1;
            while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                i += 1;
            }
            continue;
        }
        if decoded >= offset {
            return Some(i);
        }
        match chars[i] {
            '"' => return None,
            '\\' => match chars.get(i + 1)? {
                'x' => {
                    decoded += 1;
                    i += 4;
                }
                'u' => {
                    let close = chars[i..].iter().position(|c| *c == '}')? + i;
                    let hex: String = chars[i + 3..close].iter().filter(|c| **c != '_').collect();
                    let c = u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)?;
                    decoded += c.len_utf8();
                    i = close + 1;
                }
                _ => {
                    decoded += 1;
                    i += 2;
                }
            },
            c => {
                decoded += c.len_utf8();
                i += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_walk_to_the_item() {
        let all: Vec<&str> = prefixes("rules[0].destination.replica_kms_key").collect();
        assert_eq!(
            all,
            [
                "rules[0].destination.replica_kms_key",
                "rules[0].destination",
                "rules[0]",
                "rules",
                ""
            ]
        );
        assert_eq!(prefixes("").collect::<Vec<_>>(), [""]);
        assert_eq!(
            prefixes("aliases[2]").collect::<Vec<_>>(),
            ["aliases[2]", "aliases", ""]
        );
    }

    #[test]
    fn raw_string_offsets_skip_the_prefix() {
        assert_eq!(source_char_index("r#\"{\"a\"}\"#", 0), Some(3));
        assert_eq!(source_char_index("r#\"{\"a\"}\"#", 2), Some(5));
        assert_eq!(source_char_index("r\"ab\"", 1), Some(3));
    }

    #[test]
    fn cooked_string_offsets_decode_escapes() {
        // Value `{"a": 1}` written with escaped quotes.
        let src = r#""{\"a\": 1}""#;
        assert_eq!(source_char_index(src, 0), Some(1));
        assert_eq!(source_char_index(src, 1), Some(2)); // the `\"`
        assert_eq!(source_char_index(src, 2), Some(4)); // `a`
        assert_eq!(source_char_index(src, 6), Some(9)); // `1`
        assert_eq!(source_char_index(src, 99), None);
        // `\u{e9}` is two bytes of value.
        assert_eq!(source_char_index(r#""\u{e9}x""#, 2), Some(7));
        // A line continuation decodes to nothing.
        assert_eq!(source_char_index("\"a\\\n   b\"", 1), Some(7));
    }

    #[test]
    fn problems_land_on_the_longest_recorded_prefix() {
        let tokens: proc_macro2::TokenStream = "name rule dest".parse().unwrap();
        let spans: Vec<proc_macro2::Span> = tokens.into_iter().map(|t| t.span()).collect();
        let mut map = SpanMap::new(SpanRange::new(spans[0]));
        map.record(Item::Step(0), "rules[0]".into(), SpanRange::new(spans[1]));
        map.record(
            Item::Step(0),
            "rules[0].destination".into(),
            SpanRange::new(spans[2]),
        );
        let problem = |path: &str| Problem {
            locus: Locus::new(Item::Step(0), path),
            kind: ProblemKind::Malformed,
            message: String::new(),
            json_offset: None,
        };
        let col = |r: SpanRange| r.start.start().column;
        assert_eq!(
            col(map.locate(&problem("rules[0].destination.bucket"), 0)),
            10
        );
        assert_eq!(col(map.locate(&problem("rules[0].priority"), 0)), 5);
        assert_eq!(col(map.locate(&problem("bucket"), 0)), 0);
    }
}
