//! GitHub Actions workflow commands: one `::error file=...,line=...::message` line per finding,
//! shown by GitHub as an annotation on the file and line.

use aop_model::Severity;

use crate::{display_path, Report};

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// The escaping GitHub applies to a command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values additionally may not hold the separators `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render_github(report: &Report) -> String {
    let map = report.map;
    let mut out = String::new();
    for f in &report.findings {
        let loc = map.location(f.primary.span);
        let file = display_path(&map.file(f.primary.span.file).path);
        let mut message = f.message.to_string();
        if let Some(h) = &f.help {
            message.push_str("\nhelp: ");
            message.push_str(h);
        }
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            command(f.severity),
            escape_property(&file),
            loc.line,
            loc.column,
            loc.end_line,
            loc.end_column,
            escape_property(&format!("{} {}", f.code, f.name)),
            escape_data(&message)
        ));
    }
    for settings in &report.settings {
        out.push_str(&format!(
            "::notice title=aop-lint settings::{}\n",
            escape_data(&format!("settings applied from {}", display_path(settings)))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_are_escaped_where_github_needs_it() {
        assert_eq!(escape_data("a%b\nc:d,e"), "a%25b%0Ac:d,e");
        assert_eq!(escape_property("a:b,c\r"), "a%3Ab%2Cc%0D");
    }
}
