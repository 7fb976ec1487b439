//! `aop-lint servers --scenarios`: for each address:port reachable from outside, what each
//! kind of request gets (docs/semantics.md), and which server decided it.

use aop_model::{scenarios, Answer, Config};
use aop_source::SourceMap;

use crate::display_path;

pub fn render_scenarios(config: &Config, map: &SourceMap) -> String {
    let mut text = String::new();
    let mut last = None;
    for row in scenarios(config) {
        let a = row.address_port;
        let ap = &config.address_ports[a];
        if last != Some(a) {
            let kind = if ap.tls { "TLS" } else { "plain HTTP" };
            text.push_str(&format!("{} ({kind})\n", ap.address_port()));
            last = Some(a);
        }
        let request = row.describe(ap);
        let server = |i: usize| {
            let s = &config.servers[i];
            let loc = map.location(s.span);
            format!(
                "{} ({}:{})",
                s.display_name(),
                display_path(&map.file(s.span.file).path),
                loc.line
            )
        };
        let said = match row.answer {
            Answer::Content { server: i } => format!("CONTENT from {}", server(i)),
            Answer::Refused { server: i, why } => format!("refused by {} ({why})", server(i)),
            Answer::Undecided { why, .. } => format!("not decided: {why}"),
        };
        text.push_str(&format!("    {request}: {said}\n"));
    }
    text
}
