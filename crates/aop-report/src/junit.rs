//! JUnit XML, which CI systems without a linter format of their own (GitLab's test reports,
//! Jenkins, Azure Pipelines) show as test results: one `<testsuite>` per file read, one
//! `<testcase>` with a `<failure>` per finding in it, and one passing `<testcase>` for a file
//! with none, so that the count of tests is the count of what was checked.

use std::fmt::Write;

use aop_model::Finding;

use crate::{display_paths, Report};

pub fn render_junit(report: &Report) -> String {
    let map = report.map;
    let paths = display_paths(map);
    let mut by_file: Vec<Vec<&Finding>> = vec![Vec::new(); paths.len()];
    for f in &report.findings {
        by_file[f.primary.span.file.0 as usize].push(f);
    }
    let tests: usize = by_file.iter().map(|f| f.len().max(1)).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"aop-lint\" tests=\"{tests}\" failures=\"{}\" errors=\"0\">",
        report.findings.len()
    );
    // Files in the order reports show them.
    let mut order: Vec<usize> = (0..paths.len()).collect();
    order.sort_by(|&a, &b| paths[a].cmp(&paths[b]).then(a.cmp(&b)));
    for i in order {
        let path = escape(&paths[i]);
        let findings = &by_file[i];
        let _ = writeln!(
            out,
            "  <testsuite name=\"{path}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            findings.len().max(1),
            findings.len()
        );
        // Named in every suite, as the other formats name it.
        if !report.settings.is_empty() {
            out.push_str("    <properties>\n");
            for settings in &report.settings {
                let _ = writeln!(
                    out,
                    "      <property name=\"aop-lint.settings\" value=\"{}\"/>",
                    escape(&crate::display_path(settings))
                );
            }
            out.push_str("    </properties>\n");
        }
        if findings.is_empty() {
            let _ = writeln!(
                out,
                "    <testcase name=\"no findings\" classname=\"{path}\" file=\"{path}\"/>"
            );
        }
        for f in findings {
            let loc = map.location(f.primary.span);
            let at = format!("{}:{}:{}", paths[i], loc.line, loc.column);
            let mut body = format!("{at}: {} {} {}", f.severity.as_str(), f.code, f.message);
            for (prefix, text) in [("help", &f.help), ("note", &f.note)] {
                if let Some(text) = text {
                    let _ = write!(body, "\n{prefix}: {text}");
                }
            }
            let _ = writeln!(
                out,
                "    <testcase name=\"{} {} at {}\" classname=\"{path}\" file=\"{path}\" line=\"{}\">",
                f.code,
                f.name,
                escape(&at),
                loc.line
            );
            let _ = writeln!(
                out,
                "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                escape(&f.message),
                f.code,
                escape_text(&body)
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Text for an attribute value: the markup characters escaped, and the characters XML 1.0
/// cannot hold at all (controls but tab and line ends, U+FFFE, U+FFFF) replaced by `?`, as
/// the human report shows them. Line ends and tabs are written as references: a parser
/// turns a literal one in an attribute into a space.
fn escape(text: &str) -> String {
    escape_with(text, true)
}

/// Element content, where line ends and quotes stay as they are.
fn escape_text(text: &str) -> String {
    escape_with(text, false)
}

fn escape_with(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\t' | '"' | '\'' if !attribute => out.push(c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_characters_xml_cannot_hold_are_escaped() {
        assert_eq!(
            escape("a<b>&\"c'\n\u{1}\u{FFFF}"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;??"
        );
    }
}
