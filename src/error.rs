//! The one diagnostic type every stage reports: what went wrong, where in the source,
//! and what to do about it. The command line renders it with miette.

use miette::{Diagnostic, SourceSpan};

/// A byte range `start..end` in the program's source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(s: Span) -> Self {
        (s.start, s.end.saturating_sub(s.start)).into()
    }
}

/// What kind of problem, so that callers (and tests) can tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The text is not a program of the language.
    Syntax,
    /// A well-formed program that pushforward does not handle (yet).
    Unsupported,
    /// A rule needed a fact about a parameter that no `assume` gives.
    MissingAssumption,
    /// A parameter value that is missing or out of range.
    Parameter,
    /// A bound on size, depth or time was reached.
    Limit,
    /// Reading a file or the command line failed.
    Io,
    /// A bug: the engine produced something it should not have.
    Internal,
}

/// A diagnostic with a source location and a hint.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub span: Option<Span>,
    pub label: String,
    pub help: Option<String>,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            span: None,
            label: String::new(),
            help: None,
        }
    }
    /// Point at `span` with a short label.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Error {
        self.span = Some(span);
        self.label = label.into();
        self
    }
    /// Say what to do next.
    pub fn help(mut self, help: impl Into<String>) -> Error {
        self.help = Some(help.into());
        self
    }
    /// The exit code of the command line for this error: 2 for anything the user can
    /// fix, 1 for a bug.
    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Internal => 1,
            _ => 2,
        }
    }
}

impl Error {
    /// The diagnostic as miette draws it, with the source line, a caret under the
    /// place and the hint, without colours and 80 columns wide (what `tests/
    /// diagnostics.rs` snapshots; the command line draws the same with colours on a
    /// terminal).
    pub fn render(&self, name: &str, source: &str) -> String {
        let report = miette::Report::new(self.clone())
            .with_source_code(miette::NamedSource::new(name, source.to_string()));
        let mut out = String::new();
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                .with_width(80);
        match handler.render_report(&mut out, report.as_ref()) {
            Ok(()) => out,
            Err(_) => format!("{self}"),
        }
    }
}

impl Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        let code = match self.kind {
            ErrorKind::Syntax => "syntax",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::MissingAssumption => "missing-assumption",
            ErrorKind::Parameter => "parameter",
            ErrorKind::Limit => "limit",
            ErrorKind::Io => "io",
            ErrorKind::Internal => "internal",
        };
        Some(Box::new(format!("pushforward::{code}")))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        let label = (!self.label.is_empty()).then(|| self.label.clone());
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(label, SourceSpan::from(span)),
        )))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Line and column (both from 1) of a byte offset, for plain-text messages.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}
