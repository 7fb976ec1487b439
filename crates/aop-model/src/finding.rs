use aop_source::Span;

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
    pub text: String,
}

impl Label {
    pub fn new(span: Span, text: impl Into<String>) -> Self {
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
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    pub note: Option<String>,
    pub server: Option<ServerRef>,
}

impl Finding {
    pub fn new(code: RuleId, message: impl Into<String>, primary: Label) -> Self {
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

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
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
