use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
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

type Source = Arc<NamedSource<String>>;

/// One diagnostic: the labels that fall in its file, and the labels in other files as
/// related diagnostics with their own source.
struct Diag {
    message: String,
    severity: miette::Severity,
    source: Source,
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
        Some(self.source.as_ref())
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
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len());
            for chunk in bytes.utf8_chunks() {
                out.push_str(chunk.valid());
                out.extend(std::iter::repeat_n('?', chunk.invalid().len()));
            }
            out
        }
    }
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
                Arc::new(NamedSource::new(
                    display_path(&f.path),
                    exact_text(&f.bytes),
                ))
            })
            .clone()
    }
}

fn labeled(span: Span, text: &str, primary: bool) -> LabeledSpan {
    let label = Some(text.to_string());
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
    let file = f.primary.span.file;
    let mut labels = vec![labeled(f.primary.span, &f.primary.text, true)];
    let mut related = Vec::new();
    for l in &f.secondary {
        if l.span.file == file {
            labels.push(labeled(l.span, &l.text, false));
        } else {
            related.push(Diag {
                message: format!("{}: {}", f.code, l.text),
                severity: miette::Severity::Advice,
                source: sources.get(l.span.file),
                labels: vec![labeled(l.span, &l.text, true)],
                help: None,
                related: Vec::new(),
            });
        }
    }
    let help = match (&f.help, &f.note) {
        (Some(h), Some(n)) => Some(format!("{h}\nnote: {n}")),
        (Some(h), None) => Some(h.clone()),
        (None, Some(n)) => Some(format!("note: {n}")),
        (None, None) => None,
    };
    Diag {
        message: format!("{} {}: {}", f.code, f.name, f.message),
        severity: severity(f.severity),
        source: sources.get(file),
        labels,
        help,
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
        .with_links(false);
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
    out.push_str(&format!(
        "aop-lint: {}, {}, {}{suppressed} in {} ({} on {})\n",
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
