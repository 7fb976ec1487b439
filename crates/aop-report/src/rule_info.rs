use aop_model::Severity;

/// What a report says about a rule besides its findings (SARIF's `reportingDescriptor`):
/// the caller fills it from the rule registry, so this crate needs no rules.
#[derive(Clone, Debug)]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    /// The rule's page in Markdown.
    pub docs: String,
    /// The page's absolute URL, when the caller knows where the pages are published: code
    /// scanning refuses a SARIF log whose `helpUri` is not an absolute URI.
    pub help_uri: Option<String>,
}
