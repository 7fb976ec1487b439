use std::io::{self, Write};

use schemars::JsonSchema;
use serde::Serialize;

use aop_model::{Finding, Severity};
use aop_source::SourceMap;

use crate::{display_paths, Report};

#[derive(Serialize, JsonSchema)]
#[schemars(
    title = "aop-lint JSON report",
    description = "The output of `aop-lint --format json` (docs/json-output.md)."
)]
struct Output<'a> {
    /// The report's schema version; changes only when a field changes meaning or disappears.
    version: u32,
    tool: Tool,
    /// Sorted by file, line, column, code and message.
    findings: Vec<JsonFinding<'a>>,
    /// Findings an inline `# aop-lint: ignore` comment silenced; never counted in the exit code.
    suppressed: Vec<JsonSuppressed<'a>>,
    summary: Summary,
    /// The settings files applied, as given or found; absent when none was.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    settings: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    /// The comment's text after `--`.
    reason: &'a str,
    /// Where the silencing comment is.
    suppressed_by: JsonPlace,
}

#[derive(Serialize, JsonSchema)]
struct JsonPlace {
    file: String,
    line: usize,
    column: usize,
}

#[derive(Serialize, JsonSchema)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize, JsonSchema)]
struct JsonFinding<'a> {
    /// The rule's code.
    #[schemars(regex(pattern = r"^AOP[0-9]{3}$"))]
    code: &'a str,
    /// The rule's name.
    name: &'a str,
    #[schemars(extend("enum" = ["error", "warning", "info"]))]
    severity: &'a str,
    /// What is wrong and what it leads to.
    message: &'a str,
    /// The directives to add, ready to paste; null when there is none.
    help: Option<&'a str>,
    /// A fact that explains the finding; null when there is none.
    note: Option<&'a str>,
    /// The file of the primary span, relative to the working directory when under it.
    file: &'a str,
    /// 1-based.
    #[schemars(range(min = 1))]
    line: usize,
    /// 1-based, in characters.
    #[schemars(range(min = 1))]
    column: usize,
    #[schemars(range(min = 1))]
    end_line: usize,
    /// The column after the span.
    #[schemars(range(min = 1))]
    end_column: usize,
    /// The primary span as byte offsets into the file.
    byte_start: u32,
    byte_end: u32,
    /// Secondary spans, possibly in other files.
    labels: Vec<JsonLabel<'a>>,
    /// The server the finding concerns; null for findings about files.
    server: Option<JsonServer<'a>>,
}

#[derive(Serialize, JsonSchema)]
struct JsonLabel<'a> {
    message: &'a str,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize, JsonSchema)]
struct JsonServer<'a> {
    #[schemars(extend("enum" = ["nginx", "apache", "caddy"]))]
    kind: &'a str,
    names: &'a [String],
    listen: &'a [String],
}

#[derive(Serialize, JsonSchema)]
struct Summary {
    files: usize,
    servers: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    suppressed: usize,
}

/// The JSON Schema of [`render_json`]'s output, as docs/schemas/report.schema.json holds it.
pub fn json_report_schema() -> serde_json::Value {
    // As written, not as read: `null` fields are present, `settings` may be left out.
    let generator = schemars::generate::SchemaSettings::default()
        .for_serialize()
        .into_generator();
    serde_json::to_value(generator.into_root_schema_for::<Output>()).expect("a schema is JSON")
}

/// The JSON report (schema in docs/json-output.md), pretty-printed, newline-terminated.
pub fn render_json(report: &Report) -> String {
    let mut out = Vec::new();
    write_json(report, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// [`render_json`] written as it is produced: a report of thousands of findings is megabytes
/// that need not be held whole.
pub fn write_json(report: &Report, out: impl Write) -> io::Result<()> {
    let map = report.map;
    let paths = display_paths(map);
    let findings = report
        .findings
        .iter()
        .map(|f| json_finding(f, map, &paths))
        .collect();
    let suppressed = report
        .suppressed
        .iter()
        .map(|s| {
            let loc = map.location(s.comment);
            JsonSuppressed {
                finding: json_finding(&s.finding, map, &paths),
                reason: &s.reason,
                suppressed_by: JsonPlace {
                    file: paths[s.comment.file.0 as usize].clone(),
                    line: loc.line,
                    column: loc.column,
                },
            }
        })
        .collect();
    let report_out = Output {
        version: 1,
        tool: Tool {
            name: "aop-lint",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings,
        suppressed,
        summary: Summary {
            files: map.len(),
            servers: report.servers,
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            infos: report.count(Severity::Info),
            suppressed: report.suppressed.len(),
        },
        settings: report
            .settings
            .iter()
            .map(|p| crate::display_path(p))
            .collect(),
    };
    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut w, &report_out).map_err(io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()
}

fn json_finding<'a>(f: &'a Finding, map: &SourceMap, paths: &'a [String]) -> JsonFinding<'a> {
    let path = |f: aop_source::FileId| paths[f.0 as usize].as_str();
    let loc = map.location(f.primary.span);
    JsonFinding {
        code: f.code,
        name: f.name,
        severity: f.severity.as_str(),
        message: &f.message,
        help: f.help.as_deref(),
        note: f.note.as_deref(),
        file: path(f.primary.span.file),
        line: loc.line,
        column: loc.column,
        end_line: loc.end_line,
        end_column: loc.end_column,
        byte_start: f.primary.span.start,
        byte_end: f.primary.span.end,
        labels: f
            .secondary
            .iter()
            .map(|l| {
                let loc = map.location(l.span);
                JsonLabel {
                    message: &l.text,
                    file: path(l.span.file),
                    line: loc.line,
                    column: loc.column,
                    end_line: loc.end_line,
                    end_column: loc.end_column,
                }
            })
            .collect(),
        server: f.server.as_ref().map(|s| JsonServer {
            kind: s.kind.as_str(),
            names: &s.names,
            listen: &s.listen,
        }),
    }
}
