//! What the tree's text says about what to probe and what to stand in for: its names, the
//! literal paths of its locations, its upstreams. Patterns only, no structure: a name or
//! port too many costs a probe, not a verdict.

use std::fs;
use std::path::Path;

use regex::Regex;

/// Every text file of the tree, concatenated: the patterns below only look for names, roots
/// and upstream ports, not for structure.
pub fn all_text(root: &Path) -> String {
    let mut text = String::new();
    for entry in walkdir::WalkDir::new(root.join("etc"))
        .into_iter()
        .chain(walkdir::WalkDir::new(root.join("usr/local")))
        .flatten()
    {
        if entry.file_type().is_file() && entry.path().file_name() != Some("mime.types".as_ref()) {
            if let Ok(t) = fs::read_to_string(entry.path()) {
                text.push_str(&t);
                text.push('\n');
            }
        }
    }
    text
}

/// Apache's `Define NAME VALUE` (any case) put in for `${NAME}`, so names, roots and upstream
/// ports written with variables are found too.
pub fn expand_defines(text: &str) -> String {
    let define = Regex::new(r"(?mi)^[ \t]*Define[ \t]+(\S+)[ \t]+(\S+)").expect("pattern");
    let mut out = text.to_string();
    for c in define.captures_iter(text) {
        out = out.replace(&format!("${{{}}}", &c[1]), c[2].trim_matches('"'));
    }
    out
}

/// Where the tree's HTTP upstreams are (the patterns stay on one line: `\s` would run on
/// into the next directive; a line may end in CRLF): what the stand-in backend must answer
/// on. FastCGI, uwsgi, SCGI and gRPC upstreams get none: an HTTP server there answers their
/// protocol with a 400 that would pass for a refusal, while no backend gives a 502, which
/// says the request passed every lock in front of it.
#[derive(Default)]
pub struct Backends {
    /// Ports of `proxy_pass`/`fastcgi_pass`/upstream `server`/`ProxyPass`/`reverse_proxy`
    /// targets (80 for a URL without one).
    pub ports: Vec<u16>,
    /// Literal IPv4 addresses of other hosts (a LAN machine the origin proxies to).
    pub addrs: Vec<String>,
    /// Unix sockets, as absolute paths in the served system.
    pub sockets: Vec<String>,
}

pub fn backends(text: &str) -> Backends {
    let re = Regex::new(
        r"(?mi)^[ \t]*(?:proxy_pass|server|ProxyPass|ProxyPassMatch|reverse_proxy|forward_auth)[ \t]+(?:[^ \t\r\n]+[ \t]+)?(?:(https?|wss?|h2c?|fcgi|uwsgi)://)?\[?([A-Za-z0-9_.:-]+?)\]?(?::(\d+))?(?:[/; \t\r\n]|$)",
    )
    .expect("pattern");
    let socket =
        Regex::new(r"(?mi)^[ \t]*(?:proxy_pass|server)[ \t]+(?:https?://)?unix:(/[^;:\s]+)")
            .expect("pattern");
    let mut out = Backends::default();
    for c in re.captures_iter(text) {
        let port = match (c.get(3), c.get(1)) {
            (Some(port), _) => port.as_str().parse().ok(),
            (None, Some(scheme)) if scheme.as_str().eq_ignore_ascii_case("http") => Some(80),
            _ => None,
        };
        let scheme = c.get(1).map(|m| m.as_str().to_ascii_lowercase());
        let http = matches!(scheme.as_deref(), None | Some("http") | Some("ws"));
        let Some(port) = port.filter(|_| http) else {
            continue;
        };
        out.ports.push(port);
        let host = &c[2];
        let ipv4 = host.split('.').count() == 4 && host.split('.').all(|o| o.parse::<u8>().is_ok());
        if ipv4 && !host.starts_with("127.") && !host.starts_with("0.") {
            out.addrs.push(host.to_string());
        }
    }
    out.sockets = socket
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .collect();
    for list in [&mut out.addrs, &mut out.sockets] {
        list.sort();
        list.dedup();
    }
    out.ports.sort();
    out.ports.dedup();
    out
}

/// Literal names from `server_name`, `ServerName` and `ServerAlias` (a wildcard stands for
/// one name under it; `_` and regular expressions are no names).
pub fn names(text: &str) -> Vec<String> {
    let re = Regex::new(r"(?mi)^[ \t]*(?:server_name|ServerName|ServerAlias)[ \t]+([^;\n]+)")
        .expect("pattern");
    let mut out: Vec<String> = Vec::new();
    for cap in re.captures_iter(text) {
        for word in cap[1].split_whitespace() {
            let word = word.trim_matches('"');
            let word = match word.strip_prefix("*.") {
                Some(rest) => format!("wild.{rest}"),
                None => word.to_string(),
            };
            let word = word.split(':').next().unwrap_or("").to_string();
            let plain = word.chars().any(|c| c.is_ascii_alphanumeric())
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
            if plain && !out.contains(&word) {
                out.push(word);
            }
        }
    }
    out
}

/// The hosts of a Caddyfile's site addresses, as [`names`] gives them: the words before the
/// `{` of a block at the top level, or of a line ending in a comma (the addresses go on), or
/// the first line of a Caddyfile whose one site has no braces; without scheme, port or path.
/// The global options block and snippets (`(name) {`) hold none.
pub fn caddy_names(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut depth = 0usize;
    for line in text.lines() {
        let line = match line.find('#') {
            Some(at) if at == 0 || line[..at].ends_with(char::is_whitespace) => &line[..at],
            _ => line,
        };
        let line = line.trim();
        let opens = line.matches('{').count();
        let closes = line.matches('}').count();
        let top = depth == 0 && !line.is_empty() && line != "{" && !line.starts_with('(');
        if top && !line.starts_with("import") {
            let addresses = line.trim_end_matches('{');
            words.extend(addresses.split([',', ' ', '\t']).map(str::to_string));
            if opens == 0 && !line.ends_with(',') {
                // A site without braces: the rest of the file is its directives.
                break;
            }
        }
        depth = (depth + opens).saturating_sub(closes);
    }
    let hosts: Vec<String> = words
        .iter()
        .map(|w| w.split_once("://").map_or(w.as_str(), |(_, rest)| rest))
        .map(|w| w.split([':', '/']).next().unwrap_or(""))
        .filter(|h| !h.is_empty())
        .map(|h| format!("server_name {h}"))
        .collect();
    names(&hosts.join("\n"))
}

/// Literal paths of `location`, `<Location>` and `Alias`, and of Caddy's path matchers
/// (`handle /api/*`, `reverse_proxy /join/* ...`: the part before the `*`); regular
/// expressions skipped.
pub fn paths(text: &str) -> Vec<String> {
    let re = Regex::new(
        r#"(?mi)^\s*(?:location\s+(?:=\s*|\^~\s*)?|<Location\s+"?|Alias\s+"?|(?:handle_path|handle|route|file_server|reverse_proxy|respond)\s+)(/[A-Za-z0-9_./-]*)"#,
    )
    .expect("pattern");
    let mut out: Vec<String> = re
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .filter(|p| p != "/")
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstreams_of_http_directives_only() {
        let text = "  proxy_pass http://192.168.50.50:8080;\n\
                    \tproxy_pass http://frontend;\n\
                    uwsgi_pass unix:/run/app.sock;\n\
                    fastcgi_pass php:9000;\n\
                    proxy_pass http://unix:/opt/app/app.sock;\n\
                    upstream relay { server relay:3000; }\n\
                    server relay2:3001;\n\
                    ProxyPass /api http://localhost:5000/api\n\
                    ProxyPass /fcgi fcgi://localhost:9001/\n";
        let b = backends(text);
        assert_eq!(b.ports, vec![80, 3001, 5000, 8080]);
        assert_eq!(b.addrs, vec!["192.168.50.50".to_string()]);
        assert_eq!(b.sockets, vec!["/opt/app/app.sock".to_string()]);
    }

    #[test]
    fn names_and_paths() {
        let text = "server_name a.example *.b.example _ zentral ~^re$;\n\
                    ServerName c.example:443\n\
                    location = /status { }\nlocation ~ \\.php$ { }\n\
                    Alias \"/config.js\" \"/etc/app/config.js\"\n";
        assert_eq!(
            names(text),
            ["a.example", "wild.b.example", "zentral", "c.example"]
        );
        assert_eq!(paths(text), ["/config.js", "/status"]);
    }

    #[test]
    fn caddy_site_addresses() {
        let text = "{\n\tadmin localhost:2019 # api\n}\n(snip) {\n\ttls internal\n}\n\
                    http://a.example:8080, # callbacks\nhttps://b.example:443 {\n\timport snip\n\
                    \thandle /api/* {\n\t\treverse_proxy app:80\n\t}\n}\n*.c.example {\n}\n";
        assert_eq!(
            caddy_names(text),
            ["a.example", "b.example", "wild.c.example"]
        );
        assert_eq!(
            caddy_names("localhost\n\nrespond hi\ntls {\n}\n"),
            ["localhost"]
        );
        assert_eq!(paths(text), ["/api/"]);
        assert_eq!(backends(text).ports, vec![80]);
        assert_eq!(
            backends("hello.localhost {\r\n    reverse_proxy hello:5173\r\n}\r\n").ports,
            vec![5173]
        );
    }
}
