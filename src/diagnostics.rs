//! A problem found in a document, located by file, line and column.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Worth knowing, never a failure (not even under `--strict`).
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Relative to the site root, with `/` separators.
    pub file: String,
    /// 1-based line of the file itself (not of its frontmatter block).
    pub line: usize,
    /// 1-based column in characters, when known.
    pub column: Option<usize>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The offending source line, kept for the human renderer so it never has
    /// to read the file a second time.
    #[serde(skip)]
    pub source_line: Option<String>,
}

impl Diagnostic {
    pub fn new(
        file: impl Into<String>,
        line: usize,
        severity: Severity,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            file: file.into(),
            line: line.max(1),
            column: None,
            severity,
            code,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    pub fn error(
        file: impl Into<String>,
        line: usize,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::new(file, line, Severity::Error, code, message)
    }

    pub fn warning(
        file: impl Into<String>,
        line: usize,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::new(file, line, Severity::Warning, code, message)
    }

    pub fn column(mut self, column: Option<usize>) -> Self {
        self.column = column.map(|c| c.max(1));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Attaches the source line from the document text, for rustc-like output.
    pub fn source_from(mut self, text: &str) -> Self {
        self.source_line = text.lines().nth(self.line - 1).map(str::to_owned);
        self
    }
}

/// Orders diagnostics by file and position so output is stable across runs
/// (documents are parsed in parallel), and drops exact repeats that two rules
/// may find on the same spot.
pub fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (&a.file, a.line, a.column, a.code, &a.message)
            .cmp(&(&b.file, b.line, b.column, b.code, &b.message))
    });
    diagnostics.dedup_by(|a, b| {
        a.file == b.file
            && a.line == b.line
            && a.column == b.column
            && a.code == b.code
            && a.message == b.message
    });
}

pub fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .count()
}

/// The closest candidate to `wanted` by edit distance, if it is close enough
/// to be a plausible typo. Used for every "did you mean" help.
pub fn closest<'a, I>(wanted: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted_lower = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 3).clamp(1, 6);
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(&wanted_lower, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}
