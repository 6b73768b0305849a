//! Problems found by validation: each one located at the spec item it concerns.

use crate::spec::Locus;

/// One thing wrong with a scenario, located at the narrowest item and field the model knows.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The item and field path the problem concerns.
    pub locus: Locus,
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// The message as users read it: lowercase, the item in backticks, the fix said.
    pub message: String,
    /// For a problem inside a JSON policy text: the byte offset of the bad part in that text.
    pub json_offset: Option<usize>,
}

/// The class of a [`Problem`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProblemKind {
    /// A name is used but never defined.
    Undefined,
    /// A name is defined twice.
    Duplicate,
    /// A name of one kind is used where another kind belongs (a bucket where a key belongs).
    WrongKind,
    /// A value is malformed: an account id, a Region, an ARN, a size, a JSON policy.
    Malformed,
    /// AWS refuses this at the API with the given error code (e.g. `InvalidRequest`), and the
    /// scenario does not say it expects that rejection.
    Rejected {
        /// AWS's error code.
        code: String,
    },
    /// An expectation that can never hold under the scenario's rule set.
    Impossible,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
