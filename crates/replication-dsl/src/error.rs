//! Errors in scenario text: collected during every pass, rendered for rustc or for a terminal.
//!
//! One [`DslError`] type serves both front ends. The macro renders it as a `compile_error!` over
//! the token range it names; the runtime entry points render it as a [`Diagnostic`]
//! (`file:line:col: message`) from the same spans, which proc-macro2 locates in the text because
//! the workspace enables its `span-locations` feature.

use std::cell::RefCell;
use std::fmt;

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::ToTokens;
use replication_spec::spec::SourceLocation;

/// A source range: the first and the last token of the wrong part.
///
/// rustc underlines from `start` to `end`; the runtime reports the position of `start`.
#[derive(Debug, Clone, Copy)]
pub struct SpanRange {
    /// Span of the first token.
    pub start: Span,
    /// Span of the last token.
    pub end: Span,
}

impl SpanRange {
    /// The range of one token.
    pub fn new(span: Span) -> Self {
        SpanRange {
            start: span,
            end: span,
        }
    }

    /// From the start of `first` to the end of `last`.
    pub fn to(self, last: SpanRange) -> Self {
        SpanRange {
            start: self.start,
            end: last.end,
        }
    }

    /// The range covering `tokens`, or `fallback` when they are empty.
    pub fn of(tokens: &impl ToTokens, fallback: Span) -> Self {
        let mut iter = tokens.to_token_stream().into_iter();
        let Some(first) = iter.next() else {
            return SpanRange::new(fallback);
        };
        let last = iter.last().unwrap_or_else(|| first.clone());
        SpanRange {
            start: first.span(),
            end: last.span(),
        }
    }
}

impl From<Span> for SpanRange {
    fn from(span: Span) -> Self {
        SpanRange::new(span)
    }
}

/// One error, located in the scenario text.
#[derive(Debug, Clone)]
pub struct DslError {
    /// The narrowest tokens that are wrong.
    pub range: SpanRange,
    /// Lowercase, the item in backticks, the fix said.
    pub message: String,
}

impl DslError {
    /// An error over `range`.
    pub fn new(range: impl Into<SpanRange>, message: impl fmt::Display) -> Self {
        DslError {
            range: range.into(),
            message: message.to_string(),
        }
    }

    /// Every error inside a (possibly combined) `syn::Error`.
    pub fn from_syn(error: syn::Error) -> Vec<Self> {
        error
            .into_iter()
            .map(|e| DslError::new(e.span(), e))
            .collect()
    }

    /// The error as rustc shows it, underlining the whole range.
    pub fn to_syn(&self) -> syn::Error {
        // `Error::new_spanned` spans the first to the last token given; two placeholder
        // identifiers carry the range's ends, which works on stable where `Span::join` does not.
        let ends: TokenStream = [
            TokenTree::Ident(Ident::new("start", self.range.start)),
            TokenTree::Ident(Ident::new("end", self.range.end)),
        ]
        .into_iter()
        .collect();
        syn::Error::new_spanned(ends, &self.message)
    }

    /// The error as the runtime entry points report it.
    pub fn to_diagnostic(&self, file_label: &str) -> Diagnostic {
        let at = self.range.start.start();
        Diagnostic {
            file: file_label.to_owned(),
            line: at.line,
            column: at.column + 1,
            message: self.message.clone(),
        }
    }
}

/// Where a token was written, as the model's specs carry it; `None` where the platform cannot
/// tell (proc-macro2 reports line 0 then). Columns become 1-based, as in [`Diagnostic`].
pub fn source_location(span: Span) -> Option<SourceLocation> {
    let at = span.start();
    Some(SourceLocation {
        line: u32::try_from(at.line).ok().filter(|line| *line > 0)?,
        column: u32::try_from(at.column + 1).ok()?,
    })
}

/// Every error of a list as one `syn::Error`, so rustc shows all of them in one build.
pub fn combine(errors: &[DslError]) -> Option<syn::Error> {
    let mut iter = errors.iter().map(DslError::to_syn);
    let mut first = iter.next()?;
    for e in iter {
        first.combine(e);
    }
    Some(first)
}

/// An error in a scenario file as the runner prints it: `file:line:col: message`.
///
/// `line` and `column` are 1-based; `column` counts characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct Diagnostic {
    /// The file label given to [`crate::parse_suite`].
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The same message the macro gives at compile time.
    pub message: String,
}

/// Collects the errors of a pass, so a scenario with several mistakes reports all of them.
///
/// Like serde_derive's `Ctxt`, it must be consumed with [`Ctxt::check`]: dropping it unchecked
/// is a bug in this crate (an error would be lost), and it says so loudly in debug builds.
#[derive(Debug)]
pub struct Ctxt {
    errors: RefCell<Option<Vec<DslError>>>,
}

impl Ctxt {
    /// A context with no errors yet.
    pub fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    /// Records an error over `range`.
    pub fn error(&self, range: impl Into<SpanRange>, message: impl fmt::Display) {
        self.push(DslError::new(range, message));
    }

    /// Records every error inside a `syn::Error`.
    pub fn syn_error(&self, error: syn::Error) {
        for e in DslError::from_syn(error) {
            self.push(e);
        }
    }

    /// Records an error.
    pub fn push(&self, error: DslError) {
        if let Some(errors) = self.errors.borrow_mut().as_mut() {
            errors.push(error);
        }
    }

    /// Consumes the context and returns its errors.
    pub fn check(self) -> Vec<DslError> {
        self.errors.borrow_mut().take().unwrap_or_default()
    }
}

impl Default for Ctxt {
    fn default() -> Self {
        Ctxt::new()
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        let unchecked = self
            .errors
            .get_mut()
            .as_ref()
            .is_some_and(|e| !e.is_empty());
        debug_assert!(
            !unchecked || std::thread::panicking(),
            "a Ctxt with errors was dropped without check(); an error would be lost"
        );
    }
}

/// A name or key as messages echo it: the rule book's one rule ([`replication_spec::shorten`]),
/// so the DSL's messages and the model's shorten alike.
pub use replication_spec::shorten;
