//! A typed walk over the located JSON tree: every member AWS does not define, every value of
//! the wrong type and every duplicate becomes a [`JsonProblem`] at its own `line:col`, and the
//! walk goes on, so one run reports every mistake in a document.

use replication_policy::Location;
use replication_policy::json::{Kind, Member, Value};
use replication_spec::spelling;

use super::{JsonProblem, JsonProblemKind, Located};

/// Collects the problems of one document.
#[derive(Debug)]
pub(crate) struct Cx<'t> {
    pub(crate) text: &'t str,
    pub(crate) problems: Vec<JsonProblem>,
}

/// An object and the member path it was found at (`Rules[0].Destination`), for messages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Obj<'v, 'a> {
    pub(crate) members: &'v [Member<'a>],
    pub(crate) at: usize,
}

impl<'t> Cx<'t> {
    pub(crate) fn new(text: &'t str) -> Cx<'t> {
        Cx {
            text,
            problems: Vec::new(),
        }
    }

    pub(crate) fn location(&self, offset: usize) -> Location {
        Location::in_text(self.text, offset)
    }

    pub(crate) fn error(&mut self, offset: usize, message: impl Into<String>) {
        self.error_of(JsonProblemKind::Schema, offset, message);
    }

    pub(crate) fn error_of(
        &mut self,
        kind: JsonProblemKind,
        offset: usize,
        message: impl Into<String>,
    ) {
        self.problems.push(JsonProblem {
            location: Location::in_text(self.text, offset),
            kind,
            message: message.into(),
        });
    }

    pub(crate) fn located<T>(&self, offset: usize, value: T) -> Located<T> {
        Located {
            value,
            at: self.location(offset),
        }
    }

    /// `value` as an object, or a problem naming `path`.
    pub(crate) fn object<'v, 'a>(
        &mut self,
        value: &'v Value<'a>,
        path: &str,
    ) -> Option<Obj<'v, 'a>> {
        match &value.kind {
            Kind::Object(members) => Some(Obj {
                members,
                at: value.span.start,
            }),
            _ => {
                self.error(
                    value.span.start,
                    format!("`{path}` must be an object, found {}", value.type_name()),
                );
                None
            }
        }
    }

    pub(crate) fn string<'v>(&mut self, value: &'v Value<'_>, path: &str) -> Option<&'v str> {
        match &value.kind {
            Kind::String(s) => Some(s),
            _ => {
                self.error(
                    value.span.start,
                    format!("`{path}` must be a string, found {}", value.type_name()),
                );
                None
            }
        }
    }

    pub(crate) fn boolean(&mut self, value: &Value<'_>, path: &str) -> Option<bool> {
        match value.kind {
            Kind::Bool(b) => Some(b),
            _ => {
                self.error(
                    value.span.start,
                    format!(
                        "`{path}` must be `true` or `false`, found {}",
                        value.type_name()
                    ),
                );
                None
            }
        }
    }

    /// A whole number in `range`, as AWS's models bound it.
    pub(crate) fn integer(
        &mut self,
        value: &Value<'_>,
        path: &str,
        range: std::ops::RangeInclusive<u32>,
    ) -> Option<u32> {
        let parsed = match value.kind {
            Kind::Number(n) => n.parse::<u32>().ok(),
            _ => None,
        };
        match parsed {
            Some(n) if range.contains(&n) => Some(n),
            _ => {
                let found = match value.kind {
                    Kind::Number(n) => format!("`{n}`"),
                    _ => value.type_name().to_owned(),
                };
                self.error(
                    value.span.start,
                    format!(
                        "`{path}` must be a whole number from {} to {}, found {found}",
                        range.start(),
                        range.end()
                    ),
                );
                None
            }
        }
    }

    pub(crate) fn array<'v, 'a>(
        &mut self,
        value: &'v Value<'a>,
        path: &str,
    ) -> Option<&'v [Value<'a>]> {
        match &value.kind {
            Kind::Array(items) => Some(items),
            _ => {
                self.error(
                    value.span.start,
                    format!("`{path}` must be an array, found {}", value.type_name()),
                );
                None
            }
        }
    }

    /// One of AWS's spellings, exactly (AWS's enums are case-sensitive).
    pub(crate) fn one_of<'w>(
        &mut self,
        value: &Value<'_>,
        path: &str,
        words: &[&'w str],
    ) -> Option<&'w str> {
        let s = self.string(value, path)?;
        if let Some(w) = words.iter().find(|w| **w == s) {
            return Some(w);
        }
        let hint = spelling::suggest(s, words.iter().copied())
            .map(|w| format!("; did you mean `{w}`?"))
            .unwrap_or_default();
        self.error(
            value.span.start,
            format!(
                "`{path}` must be {}, found `{s}`{hint}",
                spelling::one_of(words.iter().copied())
            ),
        );
        None
    }

    /// `Enabled` or `Disabled`, as `true` or `false`.
    pub(crate) fn status(&mut self, value: &Value<'_>, path: &str) -> Option<bool> {
        self.one_of(value, path, &["Enabled", "Disabled"])
            .map(|w| w == "Enabled")
    }

    /// Reports members not in `known` (with a spelling suggestion) and duplicate members.
    pub(crate) fn known_members(&mut self, obj: Obj<'_, '_>, path: &str, known: &[&str]) {
        for (i, m) in obj.members.iter().enumerate() {
            let here = join(path, &m.key);
            if obj.members[..i].iter().any(|o| o.key == m.key) {
                self.error(
                    m.key_span.start,
                    format!("`{here}` is given twice; keep one"),
                );
            } else if !known.contains(&&*m.key) {
                let hint = match spelling::suggest(&m.key, known.iter().copied()) {
                    Some(w) => format!("; did you mean `{w}`?"),
                    None if known.is_empty() => "; remove it".to_owned(),
                    None => format!("; expected {}", spelling::one_of(known.iter().copied())),
                };
                self.error(m.key_span.start, format!("unknown member `{here}`{hint}"));
            }
        }
    }

    /// A member that AWS requires; its absence is a problem at the object.
    pub(crate) fn required<'v, 'a>(
        &mut self,
        obj: Obj<'v, 'a>,
        path: &str,
        key: &str,
    ) -> Option<&'v Value<'a>> {
        let found = obj.get(key);
        // A misspelling of `key` is reported as an unknown member with the suggestion already.
        let misspelt = obj
            .members
            .iter()
            .any(|m| m.key != key && spelling::suggest(&m.key, [key]) == Some(key));
        if found.is_none() && !misspelt {
            let at = if path.is_empty() {
                "the document".to_owned()
            } else {
                format!("`{path}`")
            };
            self.error(obj.at, format!("{at} needs `{key}`; add it"));
        }
        found
    }
}

impl<'v, 'a> Obj<'v, 'a> {
    pub(crate) fn get(&self, key: &str) -> Option<&'v Value<'a>> {
        self.members.iter().find(|m| m.key == key).map(|m| &m.value)
    }

    pub(crate) fn member(&self, key: &str) -> Option<&'v Member<'a>> {
        self.members.iter().find(|m| m.key == key)
    }
}

/// `a.b` (or `b` at the top).
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}
