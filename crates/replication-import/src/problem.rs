//! What is wrong with an import directory: one problem per mistake, each at `file:line:col`
//! (or the file alone, for a missing or misplaced one) with the fix.

use std::fmt;
use std::path::{Path, PathBuf};

use replication_dsl::aws_json::{JsonProblem, JsonProblemKind};
use replication_policy::Location;

/// One problem with the directory, its files or what they name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ImportProblem {
    /// The file (or folder), as the directory was named plus the path inside it.
    pub file: PathBuf,
    /// Line and column in the file (1-based, columns in characters), when the problem is inside.
    pub at: Option<(usize, usize)>,
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// The kinds of problem the importer reports, so callers and tests need not read messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// A file or folder the layout does not have, or one that cannot be read.
    Layout,
    /// A document the setup needs is not in the directory; the message has the `aws` command.
    Missing,
    /// Text that is not JSON, or JSON that is not the document's schema.
    Malformed,
    /// The output of another AWS CLI command than the file's name says.
    UnknownWrapper,
    /// A role, bucket or key named by a document and not in the directory.
    UnknownReference,
    /// Two documents for one resource.
    Duplicate,
    /// The setup read from the directory is one the simulator refuses (the generated scenario
    /// does not validate).
    Scenario,
}

impl ImportProblem {
    pub(crate) fn file(kind: ProblemKind, file: &Path, message: impl Into<String>) -> Self {
        ImportProblem {
            file: file.to_owned(),
            at: None,
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn at(
        kind: ProblemKind,
        file: &Path,
        location: Location,
        message: impl Into<String>,
    ) -> Self {
        ImportProblem {
            file: file.to_owned(),
            at: Some((location.line, location.column)),
            kind,
            message: message.into(),
        }
    }

    /// A reader's problem in `file`; an output of another command is an unknown wrapper.
    pub(crate) fn json(file: &Path, p: JsonProblem) -> Self {
        let kind = match p.kind {
            JsonProblemKind::OtherDocument => ProblemKind::UnknownWrapper,
            JsonProblemKind::Syntax | JsonProblemKind::Schema => ProblemKind::Malformed,
        };
        ImportProblem::at(kind, file, p.location, p.message)
    }
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        match self.at {
            Some((line, column)) => write!(f, "{file}:{line}:{column}: {}", self.message),
            None => write!(f, "{file}: {}", self.message),
        }
    }
}
