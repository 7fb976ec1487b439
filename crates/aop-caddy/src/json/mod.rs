//! Caddy's JSON config (what `caddy adapt` emits, what `caddy run --config caddy.json` and
//! the admin API take), read into the same model as a Caddyfile: every finding points at the
//! JSON value the user wrote.

mod handlers;
mod listen;
mod lower;
mod policy;
pub mod value;

use aop_model::{codes, Config, ConfigSyntax, Finding, Label, LoadOptions, ServerKind};
use aop_source::{FileId, SourceMap, Span};

/// Reads a JSON config whose bytes are already in the map.
pub fn load_file(file: FileId, map: &SourceMap, opts: &LoadOptions) -> Config {
    let bytes = &map.file(file).bytes;
    let mut findings = Vec::new();
    let lowered = match value::parse(bytes, opts.limits.max_nesting) {
        Ok(root) => lower::lower(&root, file, map, opts, &mut findings),
        Err(e) => {
            findings.push(syntax_error(&e, file, bytes.len()));
            crate::lower::Lowered::default()
        }
    };
    Config {
        kind: ServerKind::Caddy,
        syntax: ConfigSyntax::Json,
        entry: file,
        servers: lowered.servers,
        address_ports: lowered.address_ports,
        findings,
    }
}

/// Members of `v` that Caddy 2.11.7's struct for it does not have: Caddy decodes its config
/// strictly and refuses them (measured: every JSON field name the binary holds, tried in
/// each place with `caddy validate`).
pub(crate) fn unknown_fields(
    v: &value::Value,
    known: &[&str],
    file: FileId,
    findings: &mut Vec<Finding>,
) {
    for m in v.members() {
        if !known.contains(&m.key.as_str()) {
            findings.push(
                Finding::new(
                    codes::PARSE_ERROR,
                    format!(
                        "Caddy refuses to start: loading http app module: decoding module config: http: json: unknown field \"{}\"",
                        m.key
                    ),
                    Label::new(Span::new(file, m.key_start, m.key_end), "Caddy has no such setting here"),
                )
                .with_help(format!("remove `\"{}\"` or move it where it belongs (https://caddyserver.com/docs/json/)", m.key)),
            );
        }
    }
}

fn syntax_error(e: &value::SyntaxError, file: FileId, len: usize) -> Finding {
    let at = Span::new(file, e.at.min(len), (e.at + 1).min(len));
    if e.too_deep {
        return Finding::new(
            codes::NOT_READ,
            format!("{}: not read", e.message),
            Label::new(at, "too deep"),
        );
    }
    Finding::new(
        codes::PARSE_ERROR,
        format!(
            "Caddy refuses to start: config is not valid JSON: {}, at offset {}",
            e.message,
            e.go_offset(len)
        ),
        Label::new(at, e.message.clone()),
    )
    .with_help("fix the JSON here (`caddy validate --config FILE` prints the same error); a Caddyfile needs `--adapter caddyfile`")
}
