use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use aop_model::{Finding, Severity};
use aop_source::{FileId, SourceMap, Span};

use crate::{display_path, Report};

#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
    /// Findings only: no summary line, so a clean run prints nothing.
    pub quiet: bool,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            width: 100,
            quiet: false,
        }
    }
}

type Source = Arc<FileText>;

/// A file's text as miette reads it, with the file's line index: miette finds a span's lines
/// by scanning from the start of its source, so handing it the whole file made each finding
/// cost the length of the file before it (a report of 8,000 findings in one file took 27 s).
/// Each span is read from a window of the lines around it, and the result moved back to
/// the file's own offsets and line numbers: what miette shows is the same.
struct FileText {
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

impl FileText {
    fn new(name: String, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter_map(|(i, b)| (b == b'\n').then_some(i + 1)),
        );
        FileText {
            name,
            text,
            line_starts,
        }
    }

    /// The 0-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }
}

impl SourceCode for FileText {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let len = self.text.len();
        if span.offset() + span.len() > len {
            return Err(MietteError::OutOfBounds);
        }
        // A line more on each side than miette shows, so that its view of the window's
        // edges is its view of the whole file's.
        let first = self
            .line_of(span.offset())
            .saturating_sub(context_lines_before + 1);
        let last = self.line_of(span.offset() + span.len()) + context_lines_after + 2;
        let start = self.line_starts[first];
        let end = self.line_starts.get(last).copied().unwrap_or(len);
        let window = &self.text.as_bytes()[start..end];
        let inner = window.read_span(
            &SourceSpan::new((span.offset() - start).into(), span.len()),
            context_lines_before,
            context_lines_after,
        )?;
        let data = &self.text.as_bytes()[start + inner.span().offset()..][..inner.span().len()];
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new((start + inner.span().offset()).into(), inner.span().len()),
            first + inner.line(),
            inner.column(),
            first + inner.line_count(),
        )))
    }
}

/// One diagnostic: the labels that fall in its file, and the labels in other files as
/// related diagnostics with their own source.
struct Diag {
    message: String,
    severity: miette::Severity,
    /// `None` when a label is on a line too long to quote ([`MAX_QUOTED_LINE`]).
    source: Option<Source>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<Diag>,
}

impl fmt::Debug for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s.as_ref() as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
    }
}

/// Source text for miette with offsets identical to the file's bytes: each byte of an
/// invalid UTF-8 sequence shows as `?`.
fn exact_text(bytes: &[u8]) -> String {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len());
            for chunk in bytes.utf8_chunks() {
                out.push_str(chunk.valid());
                out.extend(std::iter::repeat_n('?', chunk.invalid().len()));
            }
            out
        }
    };
    if text.chars().any(is_hidden_control) {
        // One `?` per byte keeps every span's byte offsets exact.
        return text
            .chars()
            .flat_map(|c| {
                let n = if is_hidden_control(c) {
                    c.len_utf8()
                } else {
                    0
                };
                std::iter::repeat_n('?', n).chain((n == 0).then_some(c))
            })
            .collect();
    }
    text
}

/// Control characters a terminal would act on (an escape sequence in a `server_name` could
/// rewrite what the reader sees); line breaks and tabs are layout, and stay.
fn is_hidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\t' | '\r')
}

/// Text from the configuration repeated in a message, made safe to print.
pub(crate) fn visible(text: &str) -> String {
    text.chars()
        .map(|c| if is_hidden_control(c) { '?' } else { c })
        .collect()
}

struct Sources<'a> {
    map: &'a SourceMap,
    cache: HashMap<FileId, Source>,
}

impl Sources<'_> {
    fn get(&mut self, file: FileId) -> Source {
        let map = self.map;
        self.cache
            .entry(file)
            .or_insert_with(|| {
                let f = map.file(file);
                Arc::new(FileText::new(display_path(&f.path), exact_text(&f.bytes)))
            })
            .clone()
    }
}

/// Longest line quoted under a finding, in bytes. miette pads to a label's column with a
/// format width, which Rust caps at 65,535: a label far into a longer line (a minified
/// one-line configuration) made rendering panic. Such a finding says where it is in words.
const MAX_QUOTED_LINE: usize = 4096;

/// Whether the line where `span` starts or the one where it ends is too long to quote.
fn on_long_line(map: &SourceMap, span: Span) -> bool {
    let bytes = &map.file(span.file).bytes;
    let line_len = |at: usize| {
        let at = at.min(bytes.len());
        let start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| at + i);
        end - start
    };
    line_len(span.start as usize) > MAX_QUOTED_LINE || line_len(span.end as usize) > MAX_QUOTED_LINE
}

/// A label as text, for a finding whose lines are not quoted: `path:line:column: label`.
fn located(map: &SourceMap, span: Span, text: &str) -> String {
    let loc = map.location(span);
    let path = display_path(&map.file(span.file).path);
    format!("\n  at {path}:{}:{}: {text}", loc.line, loc.column)
}

fn labeled(span: Span, text: &str, primary: bool) -> LabeledSpan {
    let label = Some(visible(text));
    if primary {
        LabeledSpan::new_primary_with_span(label, span.range())
    } else {
        LabeledSpan::new_with_span(label, span.range())
    }
}

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    }
}

fn diag(f: &Finding, sources: &mut Sources) -> Diag {
    let map = sources.map;
    let file = f.primary.span.file;
    let quoted = !on_long_line(map, f.primary.span)
        && !f
            .secondary
            .iter()
            .any(|l| l.span.file == file && on_long_line(map, l.span));
    let mut message = format!("{} {}: {}", f.code, f.name, visible(&f.message));
    let mut labels = Vec::new();
    if quoted {
        labels.push(labeled(f.primary.span, &f.primary.text, true));
    } else {
        message.push_str(&located(map, f.primary.span, &f.primary.text));
    }
    let mut related = Vec::new();
    for l in &f.secondary {
        if l.span.file == file {
            if quoted {
                labels.push(labeled(l.span, &l.text, false));
            } else {
                message.push_str(&located(map, l.span, &l.text));
            }
        } else if on_long_line(map, l.span) {
            related.push(Diag {
                message: format!("{}: {}{}", f.code, l.text, located(map, l.span, &l.text)),
                severity: miette::Severity::Advice,
                source: None,
                labels: Vec::new(),
                help: None,
                related: Vec::new(),
            });
        } else {
            related.push(Diag {
                message: format!("{}: {}", f.code, l.text),
                severity: miette::Severity::Advice,
                source: Some(sources.get(l.span.file)),
                labels: vec![labeled(l.span, &l.text, true)],
                help: None,
                related: Vec::new(),
            });
        }
    }
    let help = match (&f.help, &f.note) {
        (Some(h), Some(n)) => Some(format!("{h}\nnote: {n}")),
        (Some(h), None) => Some(h.to_string()),
        (None, Some(n)) => Some(format!("note: {n}")),
        (None, None) => None,
    };
    Diag {
        message,
        severity: severity(f.severity),
        source: quoted.then(|| sources.get(file)),
        labels,
        help: help.as_deref().map(visible),
        related,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The human report: one miette diagnostic per finding, then a summary line.
pub fn render_human(report: &Report, opts: HumanOptions) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        // Breaking at spaces only, never inside a word, keeps a path or a directive whole on
        // one line, so it can be copied; the default asks Unicode's line-break tables at
        // every character, a tenth of a large report's time.
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut sources = Sources {
        map: report.map,
        cache: HashMap::new(),
    };
    let mut out = String::new();
    for f in &report.findings {
        let d = diag(f, &mut sources);
        if handler.render_report(&mut out, &d).is_err() {
            out.push_str(&d.message);
            out.push('\n');
        }
        out.push('\n');
    }
    if opts.quiet {
        return out;
    }
    // Silenced findings are not shown, but a reader of the summary learns they exist.
    let suppressed = match report.suppressed.len() {
        0 => String::new(),
        n => format!(" ({n} suppressed)"),
    };
    let settings: Vec<String> = report
        .settings
        .iter()
        .map(|p| crate::display_path(p))
        .collect();
    let settings = match settings.is_empty() {
        true => String::new(),
        false => format!("; settings from {}", settings.join(", ")),
    };
    out.push_str(&format!(
        "aop-lint: {}, {}, {}{suppressed} in {} ({} on {}){settings}\n",
        plural(report.count(Severity::Error), "error", "errors"),
        plural(report.count(Severity::Warning), "warning", "warnings"),
        plural(report.count(Severity::Info), "info", "infos"),
        plural(report.map.len(), "file", "files"),
        plural(report.servers, "server", "servers"),
        plural(
            report.address_ports,
            "address:port pair",
            "address:port pairs"
        ),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use aop_model::{codes, Label};

    fn render(map: &SourceMap, findings: Vec<Finding>) -> String {
        let report = Report {
            map,
            findings,
            suppressed: Vec::new(),
            settings: Vec::new(),
            servers: 0,
            address_ports: 0,
        };
        render_human(&report, HumanOptions::default())
    }

    /// Found by a hostile input run through the `nginx_lint` fuzz target: a one-line
    /// configuration of 1,500 servers, whose findings point past column 65,535, made miette
    /// panic ("Formatting argument out of range").
    #[test]
    fn a_label_far_into_a_long_line_is_located_in_words() {
        let mut bytes = b"http{".to_vec();
        for i in 0..1500 {
            bytes.extend(format!("server{{listen 443 ssl;server_name a{i};}}").bytes());
        }
        bytes.push(b'}');
        let mut map = SourceMap::default();
        let file = map.add("nginx.conf", bytes.clone());
        let at = bytes.len() - 40;
        let finding = Finding::new(
            codes::PARSE_ERROR,
            "far along",
            Label::new(Span::new(file, at, at + 6), "here"),
        )
        .with_label(Label::new(Span::new(file, 5, 11), "and here"));
        let out = render(&map, vec![finding]);
        assert!(
            out.contains(&format!("at nginx.conf:1:{}: here", at + 1)),
            "{out}"
        );
        assert!(out.contains("at nginx.conf:1:6: and here"), "{out}");
        // The line is not quoted.
        assert!(!out.contains("server_name a1499"), "{out}");
    }

    #[test]
    fn a_short_line_is_quoted() {
        let mut map = SourceMap::default();
        let file = map.add("nginx.conf", b"events {}\nhttp { server {} }\n".to_vec());
        let finding = Finding::new(
            codes::PARSE_ERROR,
            "near",
            Label::new(Span::new(file, 17, 23), "here"),
        );
        let out = render(&map, vec![finding]);
        assert!(out.contains("http { server {} }"), "{out}");
        assert!(!out.contains("at nginx.conf:"), "{out}");
    }

    /// A terminal escape in the configuration (a `server_name` with ESC `]0;...`, a clear
    /// screen) must not reach the reader's terminal through the quoted line or the message.
    #[test]
    fn control_characters_never_reach_the_terminal() {
        let mut map = SourceMap::default();
        let text = "server_name \u{1b}[2Jx\u{9b}y;\n";
        let id = map.add("a.conf", text.as_bytes().to_vec());
        let f = Finding::new(
            codes::PARSE_ERROR,
            "name `\u{1b}[2Jx`",
            Label::new(Span::new(id, 12, 22), "here \u{7}"),
        );
        let out = render(&map, vec![f]);
        assert!(!out.chars().any(is_hidden_control), "{out:?}");
        assert!(out.contains("?[2Jx??y"), "{out}");
    }
}
