//! Turns a fixture tree copied into a temporary directory into one a real nginx can run on
//! loopback: addresses and ports, every path the server writes or reads (pid, logs, roots,
//! certificates), upstreams, and what a fixture may leave out (an `events {}` block, a
//! certificate). The files nginx reads are found by following `include` from `nginx.conf`,
//! in nginx's order, so other files in the tree are left alone.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::addresses::{key, Address, AddressMap, Endpoint};
use super::edits::{quote, Files};
use super::glob::expand;
use super::layout::Layout;
use super::tokens::{statements, tokenize, Kind, Statement};

/// What the rewritten tree serves, for the probes.
#[derive(Debug, Default)]
pub struct Served {
    pub endpoints: Vec<Endpoint>,
    /// Host names the configuration answers, as a client would send them.
    pub names: Vec<String>,
    /// URI paths other than `/` that a `location` (`<Location>`, `Alias`) names literally.
    pub paths: Vec<String>,
}

#[derive(Default)]
struct ServerFrame {
    listens: Vec<(String, bool)>,
    names: Vec<String>,
    has_listen: bool,
    has_certificate: bool,
    ssl_on: bool,
    stream: bool,
}

struct Walk<'a> {
    layout: &'a Layout,
    map: AddressMap,
    files: Files,
    servers: Vec<ServerFrame>,
    endpoints: BTreeMap<String, Endpoint>,
    http_ssl_on: bool,
    has_pid: bool,
    has_events: bool,
    roots: usize,
    paths: BTreeSet<String>,
}

/// Rewrites `layout.conf_dir()/nginx.conf` and what it includes, in place.
pub fn rewrite(layout: &Layout) -> Result<Served, String> {
    let mut walk = Walk {
        layout,
        map: AddressMap::new(),
        files: Files::default(),
        servers: Vec::new(),
        endpoints: BTreeMap::new(),
        http_ssl_on: false,
        has_pid: false,
        has_events: false,
        roots: 0,
        paths: BTreeSet::new(),
    };
    let main = layout.conf_dir().join("nginx.conf");
    walk.file(&main, &mut Vec::new())?;
    if !walk.has_events {
        walk.edit(&main, 0..0, "events {}\n".into());
    }
    if !walk.has_pid {
        let pid = format!("pid {};\n", layout.pid_file().display());
        walk.edit(&main, 0..0, pid);
    }
    walk.finish()
}

impl Walk<'_> {
    fn edit(&mut self, file: &Path, range: Range<usize>, text: String) {
        self.files.edit(file, range, text);
    }

    fn file(&mut self, path: &Path, stack: &mut Vec<String>) -> Result<(), String> {
        let src = self.files.enter(path)?;
        let depth = stack.len();
        for st in statements(tokenize(&src)) {
            self.statement(path, &st, stack)?;
        }
        stack.truncate(depth);
        self.files.leave();
        Ok(())
    }

    fn statement(
        &mut self,
        file: &Path,
        st: &Statement,
        stack: &mut Vec<String>,
    ) -> Result<(), String> {
        match st.end.kind {
            Kind::Open => {
                let name = st.name().to_string();
                if stack.is_empty() && name == "events" {
                    self.has_events = true;
                }
                if name == "location" {
                    if let Some(path) = literal_location(st.args()) {
                        self.paths.insert(path);
                    }
                }
                if name == "server" {
                    let stream = stack.iter().any(|s| s == "stream" || s == "mail");
                    self.servers.push(ServerFrame {
                        stream,
                        ..Default::default()
                    });
                }
                stack.push(name);
                Ok(())
            }
            Kind::Close => {
                if stack.pop().as_deref() == Some("server") {
                    self.close_server(file, st.end.span.start)?;
                }
                Ok(())
            }
            Kind::Semicolon => self.simple(file, st, stack),
            Kind::Word => unreachable!("statements end at punctuation"),
        }
    }

    fn in_server(stack: &[String]) -> bool {
        stack.iter().any(|s| s == "server")
    }

    fn current(&mut self) -> Option<&mut ServerFrame> {
        self.servers.last_mut()
    }

    fn simple(
        &mut self,
        file: &Path,
        st: &Statement,
        stack: &mut Vec<String>,
    ) -> Result<(), String> {
        let args = st.args();
        let first = args.first();
        let parent = stack.last().map(String::as_str).unwrap_or("");
        let layout = self.layout;
        match st.name() {
            "include" => {
                let Some(pattern) = first else { return Ok(()) };
                let (resolved, text) = self.resolve_include(&pattern.text);
                if let Some(text) = text {
                    self.edit(file, pattern.span.clone(), text);
                }
                for path in expand(&resolved) {
                    self.file(&path, stack)?;
                }
            }
            "listen" if Self::in_server(stack) => {
                let Some(arg) = first else { return Ok(()) };
                let ssl = args[1..].iter().any(|a| a.text == "ssl");
                let stream = self.current().map(|s| s.stream).unwrap_or(false);
                let replacement = match Address::parse(&arg.text, 80) {
                    Some(Address::Inet { host, port }) => {
                        let (lo, new_port) = self.map.map(&host, port)?;
                        let original = key(&host, port);
                        self.endpoint(&original, &lo, new_port, !stream).tls |= ssl;
                        if let Some(server) = self.current() {
                            server.has_listen = true;
                            server.listens.push((original, ssl));
                        }
                        if lo.contains(':') {
                            format!("[{lo}]:{new_port}")
                        } else {
                            format!("{lo}:{new_port}")
                        }
                    }
                    Some(Address::Unix(_)) => {
                        if let Some(server) = self.current() {
                            server.has_listen = true;
                        }
                        format!("unix:{}", layout.fresh_path("socket").display())
                    }
                    None => return Err(format!("cannot read `listen {}`", arg.text)),
                };
                self.edit(file, arg.span.clone(), replacement);
            }
            "server_name" if Self::in_server(stack) => {
                let names: Vec<String> = args.iter().filter_map(|a| probe_name(&a.text)).collect();
                if let Some(server) = self.current() {
                    server.names.extend(names);
                }
            }
            "ssl" => {
                let on = first.map(|a| a.text == "on").unwrap_or(false);
                if Self::in_server(stack) {
                    if let Some(server) = self.current() {
                        server.ssl_on |= on;
                    }
                } else {
                    self.http_ssl_on |= on;
                }
            }
            "root" | "alias" => {
                let Some(arg) = first else { return Ok(()) };
                self.roots += 1;
                let dir = layout.content_dir(self.roots, &arg.text)?;
                let mut text = dir.display().to_string();
                if arg.text.ends_with('/') {
                    text.push('/');
                }
                self.edit(file, arg.span.clone(), quote(&text));
            }
            "pid" => {
                self.has_pid = true;
                if let Some(arg) = first {
                    self.edit(
                        file,
                        arg.span.clone(),
                        quote(&layout.pid_file().display().to_string()),
                    );
                }
            }
            "error_log" | "access_log" => {
                let Some(arg) = first else { return Ok(()) };
                let keep = matches!(arg.text.as_str(), "off" | "stderr")
                    || arg.text.starts_with("memory:");
                if !keep {
                    let log = layout.log_file(st.name());
                    self.edit(file, arg.span.clone(), quote(&log.display().to_string()));
                }
            }
            "ssl_certificate" | "ssl_certificate_key" => {
                let Some(arg) = first else { return Ok(()) };
                if Self::in_server(stack) {
                    if let Some(server) = self.current() {
                        server.has_certificate = true;
                    }
                }
                let path = if st.name() == "ssl_certificate" {
                    layout.server_cert()
                } else {
                    layout.server_key()
                };
                self.edit(file, arg.span.clone(), quote(&path.display().to_string()));
            }
            "ssl_client_certificate" | "ssl_trusted_certificate" => {
                let Some(arg) = first else { return Ok(()) };
                let ca = layout.cloudflare_ca().display().to_string();
                self.edit(file, arg.span.clone(), quote(&ca));
            }
            "proxy_pass" | "grpc_pass" => {
                let Some(arg) = first else { return Ok(()) };
                let scheme = if st.name() == "grpc_pass" {
                    "grpc"
                } else {
                    "http"
                };
                let text = format!("{scheme}://127.0.0.1:{}", layout.upstream_port());
                self.edit(file, arg.span.clone(), text);
            }
            "fastcgi_pass" | "uwsgi_pass" | "scgi_pass" | "memcached_pass" => {
                let Some(arg) = first else { return Ok(()) };
                let text = format!("127.0.0.1:{}", layout.upstream_port());
                self.edit(file, arg.span.clone(), text);
            }
            "server" if parent == "upstream" => {
                let Some(arg) = first else { return Ok(()) };
                let text = format!("127.0.0.1:{}", layout.upstream_port());
                self.edit(file, arg.span.clone(), text);
            }
            // The user exists only on the fixture's system; the others name files that exist
            // only there and that the probes do not depend on.
            "user"
            | "daemon"
            | "master_process"
            | "ssl_crl"
            | "ssl_dhparam"
            | "ssl_stapling_file"
            | "ssl_session_ticket_key"
            | "ssl_password_file"
            | "lock_file" => {
                self.edit(
                    file,
                    st.span(),
                    format!("# (real-server harness) {}", st.name()),
                );
            }
            _ => {}
        }
        Ok(())
    }

    fn endpoint(&mut self, original: &str, host: &str, port: u16, http: bool) -> &mut Endpoint {
        self.endpoints
            .entry(original.to_string())
            .or_insert_with(|| Endpoint {
                original: original.to_string(),
                host: host.to_string(),
                port,
                tls: false,
                http,
            })
    }

    fn close_server(&mut self, file: &Path, close_at: usize) -> Result<(), String> {
        let server = self.servers.last().expect("a server frame is open");
        let (has_listen, has_certificate, stream) =
            (server.has_listen, server.has_certificate, server.stream);
        let mut insert = String::new();
        if !has_listen && !stream {
            // nginx's default for a server without `listen`, when started as root.
            let (lo, port) = self.map.map("*", 80)?;
            let original = key("*", 80);
            self.endpoint(&original, &lo, port, true);
            insert.push_str(&format!(" listen {lo}:{port}; "));
            self.servers
                .last_mut()
                .expect("open")
                .listens
                .push((original, false));
        }
        if !has_certificate && !stream {
            insert.push_str(&format!(
                " ssl_certificate {}; ssl_certificate_key {}; ",
                quote(&self.layout.server_cert().display().to_string()),
                quote(&self.layout.server_key().display().to_string())
            ));
        }
        if !insert.is_empty() {
            self.edit(file, close_at..close_at, insert);
        }
        Ok(())
    }

    /// Where an include points once the tree lives in the temporary directory: relative
    /// paths stay relative to it; `/etc/nginx/...` means the fixture's own tree; a file the
    /// fixture lacks but Debian's nginx ships (`mime.types`, `fastcgi_params`) is taken from
    /// `/etc/nginx`.
    fn resolve_include(&self, pattern: &str) -> (PathBuf, Option<String>) {
        let conf = self.layout.conf_dir();
        let relative = match pattern.strip_prefix("/etc/nginx/") {
            Some(rest) => Some(rest),
            None if !pattern.starts_with('/') => Some(pattern),
            None => None,
        };
        let Some(relative) = relative else {
            return (PathBuf::from(pattern), None);
        };
        let inside = conf.join(relative);
        let system = Path::new("/etc/nginx").join(relative);
        let has_glob = relative.contains(['*', '?', '[']);
        if !has_glob && !inside.exists() && system.exists() {
            return (system.clone(), Some(quote(&system.display().to_string())));
        }
        let text = if pattern.starts_with('/') {
            Some(quote(&inside.display().to_string()))
        } else {
            None
        };
        (inside, text)
    }

    fn finish(mut self) -> Result<Served, String> {
        let http_ssl_on = self.http_ssl_on;
        let mut names = BTreeSet::new();
        for server in &self.servers {
            if server.stream {
                continue;
            }
            for (original, ssl) in &server.listens {
                if let Some(endpoint) = self.endpoints.get_mut(original) {
                    endpoint.tls |= *ssl || server.ssl_on || http_ssl_on;
                }
            }
            names.extend(server.names.iter().cloned());
        }
        self.files.write_all()?;
        Ok(Served {
            endpoints: self.endpoints.into_values().collect(),
            names: names.into_iter().collect(),
            paths: self.paths.into_iter().collect(),
        })
    }
}

/// The host name a client would send to reach a `server_name` entry, if one can be made up:
/// exact names as they are, `*.example.com` as `wild.example.com`, `.example.com` as
/// `example.com`; regular expressions, `_` and the empty name give none.
pub fn probe_name(name: &str) -> Option<String> {
    let name = name.to_ascii_lowercase();
    if name.is_empty() || name == "_" || name.starts_with('~') || name.contains('$') {
        return None;
    }
    if let Some(rest) = name.strip_prefix("*.") {
        return Some(format!("wild.{rest}"));
    }
    if let Some(rest) = name.strip_prefix('.') {
        return Some(rest.to_string());
    }
    if let Some(rest) = name.strip_suffix(".*") {
        return Some(format!("{rest}.test"));
    }
    Some(name)
}

/// The URI a `location` matches literally (`/x`, `= /x`, `^~ /x`), other than `/`; regular
/// expressions and named locations give none.
fn literal_location(args: &[super::tokens::Token]) -> Option<String> {
    let path = match args {
        [path] => &path.text,
        [modifier, path] if modifier.text == "=" || modifier.text == "^~" => &path.text,
        _ => return None,
    };
    (path.starts_with('/') && path != "/").then(|| path.clone())
}
