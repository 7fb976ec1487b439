use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use aop_source::Span;

/// What a finding says: a message, a note, a help or a label's text. Shared, not copied:
/// thousands of servers naming one CA file get thousands of findings whose help and note are
/// the same words, held once; and a rule's fixed wording is not copied at all.
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Fixed(&'static str),
    Shared(Arc<str>),
}

impl Text {
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Fixed(s) => s,
            Repr::Shared(s) => s,
        }
    }
}

impl Default for Text {
    fn default() -> Self {
        Text(Repr::Fixed(""))
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(Repr::Shared(s.into()))
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Self {
        Text(Repr::Fixed(s))
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text(Repr::Shared(s.as_str().into()))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.as_str().to_owned()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

/// How bad a finding is. Ordered so that `Error > Warning > Info`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A rule's stable identity: `AOP101` and `client-verify-missing`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RuleId {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
}

/// A span with what to say about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: Text,
}

impl Label {
    pub fn new(span: Span, text: impl Into<Text>) -> Self {
        Label {
            span,
            text: text.into(),
        }
    }
}

/// The server a finding concerns, as a reader would name it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ServerRef {
    pub kind: super::ServerKind,
    pub names: Vec<String>,
    pub listen: Vec<String>,
}

/// One problem, as data: rendering (human, JSON, SARIF) happens late, from the spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: Text,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<Text>,
    pub note: Option<Text>,
    pub server: Option<ServerRef>,
}

impl Finding {
    pub fn new(code: RuleId, message: impl Into<Text>, primary: Label) -> Self {
        Finding {
            code: code.code,
            name: code.name,
            severity: code.severity,
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
            note: None,
            server: None,
        }
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn with_label(mut self, label: Label) -> Self {
        self.secondary.push(label);
        self
    }

    pub fn with_help(mut self, help: impl Into<Text>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<Text>) -> Self {
        self.note = Some(note.into());
        self
    }

    pub fn for_server(mut self, server: ServerRef) -> Self {
        self.server = Some(server);
        self
    }
}

/// A finding an inline comment silenced, kept so that reports can show what was silenced
/// and why (an auditor reads these), without counting it towards the gate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppressed {
    pub finding: Finding,
    /// The reason written after `--` in the comment.
    pub reason: String,
    /// The `# aop-lint: ignore ...` comment.
    pub comment: Span,
}
