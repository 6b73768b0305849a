//! Errors of the policy boundary: where a policy document or statement is wrong, and how to fix it.

use std::fmt;

/// A position in policy text: byte offset plus 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// Byte offset of the offending token from the start of the text.
    pub offset: usize,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text`.
    pub fn in_text(text: &str, offset: usize) -> Location {
        let (line, column) = crate::json::line_column(text, offset);
        Location {
            offset,
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Why a policy could not be read or built. Messages are lowercase, name the element in
/// backticks and say the fix, e.g. ``line 4, column 17: `Effect` must be `Allow` or `Deny`, found `Alow` ``.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The text is not valid JSON.
    #[error("{location}: {message}")]
    Json {
        /// Where the syntax error is.
        location: Location,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Valid JSON that breaks the IAM policy grammar (unknown `Effect`, action without a colon, ...).
    #[error("{location}: {message}")]
    Grammar {
        /// Where the offending key or value starts.
        location: Location,
        /// Position of the statement the problem is in, when it is inside one.
        statement: Option<usize>,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A statement built in code with [`crate::Policy::from_statements`] is invalid.
    #[error("statement {}: {message}", describe_statement(*index, sid.as_deref()))]
    Statement {
        /// Position of the statement in the list.
        index: usize,
        /// The statement's `Sid`, if it has one.
        sid: Option<String>,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A problem with no better position: an empty statement list built in code, or an operator
    /// name that does not parse.
    #[error("{message}")]
    Policy {
        /// What is wrong and how to fix it.
        message: String,
    },
}

impl PolicyError {
    /// Where in the text the problem is, for errors that come from text.
    pub fn location(&self) -> Option<Location> {
        match self {
            PolicyError::Json { location, .. } | PolicyError::Grammar { location, .. } => {
                Some(*location)
            }
            PolicyError::Statement { .. } | PolicyError::Policy { .. } => None,
        }
    }

    /// Byte offset of the offending token, for errors that come from text.
    pub fn offset(&self) -> Option<usize> {
        self.location().map(|l| l.offset)
    }

    /// Position of the statement the problem is in (for code that generated the JSON from its
    /// own statement list and wants to point at the statement).
    pub fn statement_index(&self) -> Option<usize> {
        match self {
            PolicyError::Grammar { statement, .. } => *statement,
            PolicyError::Statement { index, .. } => Some(*index),
            PolicyError::Json { .. } | PolicyError::Policy { .. } => None,
        }
    }

    /// Tags a grammar error with the statement it was found in.
    pub(crate) fn in_statement(mut self, index: usize) -> PolicyError {
        if let PolicyError::Grammar { statement, .. } = &mut self {
            statement.get_or_insert(index);
        }
        self
    }

    /// The same error with its location moved by `f` (for a document read out of a larger text).
    pub(crate) fn map_location(mut self, f: impl FnOnce(Location) -> Location) -> PolicyError {
        if let PolicyError::Json { location, .. } | PolicyError::Grammar { location, .. } =
            &mut self
        {
            *location = f(*location);
        }
        self
    }

    /// The message without the location prefix.
    pub fn message(&self) -> &str {
        match self {
            PolicyError::Json { message, .. }
            | PolicyError::Grammar { message, .. }
            | PolicyError::Statement { message, .. }
            | PolicyError::Policy { message } => message,
        }
    }
}

/// `2` or ``2 (`AllowKms`)``, the way errors and decisions name a statement.
pub(crate) fn describe_statement(index: usize, sid: Option<&str>) -> String {
    match sid {
        Some(sid) if !sid.is_empty() => format!("{index} (`{sid}`)"),
        _ => index.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_puts_location_first() {
        let text = "{\n  \"Effect\": \"Alow\"\n}";
        let err = PolicyError::Grammar {
            location: Location::in_text(text, 14),
            statement: None,
            message: "`Effect` must be `Allow` or `Deny`, found `Alow`".into(),
        };
        assert_eq!(
            err.to_string(),
            "line 2, column 13: `Effect` must be `Allow` or `Deny`, found `Alow`"
        );
        assert_eq!(err.offset(), Some(14));
    }

    #[test]
    fn statement_errors_name_index_and_sid() {
        let err = PolicyError::Statement {
            index: 1,
            sid: Some("AllowKms".into()),
            message: "`Action` must list at least one action".into(),
        };
        assert_eq!(
            err.to_string(),
            "statement 1 (`AllowKms`): `Action` must list at least one action"
        );
        assert_eq!(err.location(), None);
    }
}
