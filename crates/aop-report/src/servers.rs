//! `aop-lint servers`: the model as the server sees it, like `apachectl -S`.

use serde::Serialize;

use aop_model::{CaRef, Config};
use aop_source::{SourceMap, Span};

use crate::display_path;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    kind: &'a str,
    listeners: Vec<JsonAddressPort>,
    servers: Vec<JsonServer>,
}

#[derive(Serialize)]
struct Place {
    file: String,
    line: usize,
}

#[derive(Serialize)]
struct JsonAddressPort {
    address: String,
    port: Option<u16>,
    tls: bool,
    default: Place,
    default_because: &'static str,
    servers: Vec<ServerBrief>,
}

#[derive(Serialize)]
struct ServerBrief {
    names: Vec<String>,
    file: String,
    line: usize,
}

#[derive(Serialize)]
struct JsonServer {
    file: String,
    line: usize,
    names: Vec<String>,
    listen: Vec<String>,
    tls: bool,
    client_verify: &'static str,
    ca_files: Vec<String>,
    action: &'static str,
}

fn place(map: &SourceMap, span: Span) -> Place {
    Place {
        file: display_path(&map.file(span.file).path),
        line: map.location(span).line,
    }
}

fn ca_files(ca: &[CaRef]) -> Vec<String> {
    ca.iter().map(|c| c.path.clone()).collect()
}

pub fn render_servers_json(config: &Config, map: &SourceMap) -> String {
    let out = Output {
        version: 1,
        kind: config.kind.as_str(),
        listeners: config
            .address_ports
            .iter()
            .map(|ap| JsonAddressPort {
                address: ap.addr.to_string(),
                port: ap.port,
                tls: ap.tls,
                default: place(map, config.servers[ap.default].span),
                default_because: match ap.default_why {
                    aop_model::DefaultWhy::Flagged => "default_server",
                    aop_model::DefaultWhy::FirstListed => "first listed",
                },
                servers: ap
                    .servers
                    .iter()
                    .map(|&i| {
                        let s = &config.servers[i];
                        let p = place(map, s.span);
                        ServerBrief {
                            names: s.names.iter().map(|(n, _)| n.clone()).collect(),
                            file: p.file,
                            line: p.line,
                        }
                    })
                    .collect(),
            })
            .collect(),
        servers: config
            .servers
            .iter()
            .map(|s| {
                let p = place(map, s.span);
                JsonServer {
                    file: p.file,
                    line: p.line,
                    names: s.names.iter().map(|(n, _)| n.clone()).collect(),
                    listen: s.listeners.iter().map(|l| l.describe()).collect(),
                    tls: s.tls(),
                    client_verify: s.client_verify.value.as_str(),
                    ca_files: ca_files(&s.ca),
                    action: s.action.as_str(),
                }
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&out).expect("plain data serializes");
    s.push('\n');
    s
}

pub fn render_servers_human(config: &Config, map: &SourceMap) -> String {
    let mut out = format!(
        "{}: {} server(s) on {} address:port pair(s)\n",
        config.kind.as_str(),
        config.servers.len(),
        config.address_ports.len()
    );
    for ap in &config.address_ports {
        let d = &config.servers[ap.default];
        let p = place(map, d.span);
        out.push_str(&format!(
            "{}{}\n    default: {} ({}:{}, {})\n",
            ap.address_port(),
            if ap.tls { " (TLS)" } else { " (plain HTTP)" },
            d.display_name(),
            p.file,
            p.line,
            match ap.default_why {
                aop_model::DefaultWhy::Flagged => "default_server",
                aop_model::DefaultWhy::FirstListed => "first listed",
            }
        ));
        for &i in &ap.servers {
            let s = &config.servers[i];
            let p = place(map, s.span);
            let ca = if s.ca.is_empty() {
                "-".to_string()
            } else {
                ca_files(&s.ca).join(",")
            };
            out.push_str(&format!(
                "    {} ({}:{}) verify={} ca={} {}\n",
                s.display_name(),
                p.file,
                p.line,
                s.client_verify.value.as_str(),
                ca,
                s.action.as_str()
            ));
        }
    }
    out
}
