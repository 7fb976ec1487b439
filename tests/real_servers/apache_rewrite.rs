//! Turns an Apache httpd tree copied into a temporary directory into one the real `apache2`
//! can run on loopback. The files read are found by following `Include`/`IncludeOptional`
//! from the main file, relative to `ServerRoot` (the copy).
//!
//! httpd opens sockets from `Listen` and only then picks a `<VirtualHost>` by the address a
//! connection arrived on, so a wildcard `Listen` is turned into one `Listen` per loopback
//! stand-in used by a virtual host on that port.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::addresses::{key, Address, AddressMap, Endpoint};
use super::apache_lines::{lines, Line, Word};
use super::apache_macro::Macros;
use super::edits::{quote, Files};
use super::glob::expand;
use super::layout::Layout;
use super::nginx_rewrite::{probe_name, Served};

/// Where Debian's apache2 keeps its modules; `LoadModule` paths of other layouts are
/// resolved by file name against it.
const MODULES: &str = "/usr/lib/apache2/modules";

#[derive(Default)]
struct VirtualHost {
    addresses: Vec<String>,
    names: Vec<String>,
    ssl: Option<bool>,
    has_server_name: bool,
    /// Where its `</VirtualHost>` is, when it has no `ServerName`.
    close: Option<(PathBuf, usize)>,
}

struct PendingListen {
    file: PathBuf,
    span: Range<usize>,
    host: String,
    port: u16,
    protocol: Option<String>,
}

struct Walk<'a> {
    layout: &'a Layout,
    map: AddressMap,
    files: Files,
    vhosts: Vec<VirtualHost>,
    in_vhost: bool,
    listens: Vec<PendingListen>,
    main_ssl: bool,
    main_names: Vec<String>,
    main_server_name: Option<String>,
    has_document_root: bool,
    paths: BTreeSet<String>,
    has_types_config: bool,
    macros: Macros,
    /// `Define`d variables so far, for `${VAR}` in addresses and names.
    defines: BTreeMap<String, String>,
}

/// Rewrites `layout.conf_dir()/<main>` and what it includes, in place.
pub fn rewrite(layout: &Layout, main: &Path) -> Result<Served, String> {
    let mut walk = Walk {
        layout,
        map: AddressMap::new(),
        files: Files::default(),
        vhosts: Vec::new(),
        in_vhost: false,
        listens: Vec::new(),
        main_ssl: false,
        main_names: Vec::new(),
        main_server_name: None,
        has_document_root: false,
        paths: BTreeSet::new(),
        has_types_config: false,
        macros: Macros::default(),
        defines: BTreeMap::new(),
    };
    walk.file(main)?;
    let end = walk.files.len_of(main);
    let mut tail = format!(
        "\n<IfModule ssl_module>\nSSLCertificateFile {}\nSSLCertificateKeyFile {}\n</IfModule>\n",
        quote(&layout.server_cert().display().to_string()),
        quote(&layout.server_key().display().to_string()),
    );
    if !walk.has_types_config {
        // mod_mime refuses to start without its types file, which Debian keeps here.
        tail.push_str("<IfModule mime_module>\nTypesConfig /etc/mime.types\n</IfModule>\n");
    }
    if !walk.has_document_root {
        // httpd's compiled-in default on Debian, standing in like every other root.
        let dir = layout.mirror_dir("/var/www/html", "the server's default root")?;
        tail.push_str(&format!(
            "DocumentRoot {}\n",
            quote(&dir.display().to_string())
        ));
    }
    walk.edit(main, end..end, tail);
    walk.finish()
}

impl Walk<'_> {
    fn edit(&mut self, file: &Path, range: Range<usize>, text: String) {
        self.files.edit(file, range, text);
    }

    fn replace(&mut self, file: &Path, word: &Word, text: &str) {
        self.edit(file, word.span.clone(), quote(text));
    }

    fn file(&mut self, path: &Path) -> Result<(), String> {
        let original =
            fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if let Some(expanded) = self.macros.expand(&original) {
            fs::write(path, expanded)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        let src = self.files.enter(path)?;
        for line in lines(&src) {
            self.line(path, &line)?;
        }
        self.files.leave();
        Ok(())
    }

    fn line(&mut self, file: &Path, line: &Line) -> Result<(), String> {
        match line {
            Line::Open { name, args } => self.open(file, name, args),
            Line::Close { name, at } => {
                if name == "virtualhost" && self.in_vhost {
                    self.in_vhost = false;
                    let v = self.vhosts.last_mut().expect("an open vhost");
                    if !v.has_server_name {
                        v.close = Some((file.to_path_buf(), *at));
                    }
                }
                Ok(())
            }
            Line::Directive { name, args, span } => self.directive(file, name, args, span),
        }
    }

    fn open(&mut self, file: &Path, name: &str, args: &[Word]) -> Result<(), String> {
        match name {
            "virtualhost" => {
                let mut vhost = VirtualHost::default();
                for arg in args {
                    let text = self.expand(&arg.text);
                    let Some(Address::Inet { host, port }) = Address::parse(&text, 0) else {
                        return Err(format!("cannot read <VirtualHost {text}>"));
                    };
                    if port == 0 {
                        return Err(format!(
                            "<VirtualHost {}> without a port is not served by the harness",
                            arg.text
                        ));
                    }
                    let (lo, new_port) = self.map.map(&host, port)?;
                    vhost.addresses.push(key(&host, port));
                    let text = if lo.contains(':') {
                        format!("[{lo}]:{new_port}")
                    } else {
                        format!("{lo}:{new_port}")
                    };
                    self.edit(file, arg.span.clone(), text);
                }
                self.vhosts.push(vhost);
                self.in_vhost = true;
            }
            "location" => {
                if let [path] = args {
                    if path.text.starts_with('/') && path.text != "/" {
                        self.paths.insert(path.text.clone());
                    }
                }
            }
            "directory" => {
                if let Some(arg) = args.last() {
                    if arg.text != "/" && arg.text.starts_with('/') {
                        let dir = self.layout.mirror_path(&arg.text);
                        self.replace(file, arg, &dir.display().to_string());
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// `${VAR}` from `Define`, else from the environment httpd is started with.
    fn expand(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let Some(len) = rest[start..].find('}') else {
                break;
            };
            let name = &rest[start + 2..start + len];
            out.push_str(&rest[..start]);
            match self.defines.get(name) {
                Some(v) => out.push_str(v),
                None => out.push_str(&std::env::var(name).unwrap_or_default()),
            }
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out
    }

    fn vhost(&mut self) -> Option<&mut VirtualHost> {
        if self.in_vhost {
            self.vhosts.last_mut()
        } else {
            None
        }
    }

    fn directive(
        &mut self,
        file: &Path,
        name: &str,
        args: &[Word],
        span: &Range<usize>,
    ) -> Result<(), String> {
        let layout = self.layout;
        let first = args.first();
        match name {
            "include" | "includeoptional" => {
                let Some(pattern) = first else { return Ok(()) };
                let resolved = self.resolve_include(&pattern.text);
                if pattern.text.starts_with('/') {
                    self.replace(file, pattern, &resolved.display().to_string());
                }
                let mut files = Vec::new();
                for path in expand(&resolved) {
                    files.extend(files_below(&path));
                }
                if files.is_empty()
                    && name == "include"
                    && !resolved.to_string_lossy().contains('*')
                {
                    return Err(format!("Include of a missing {}", resolved.display()));
                }
                for path in files {
                    self.file(&path)?;
                }
            }
            "serverroot" => {
                let Some(arg) = first else { return Ok(()) };
                self.replace(file, arg, &layout.conf_dir().display().to_string());
            }
            "listen" => {
                let Some(arg) = first else { return Ok(()) };
                let text = self.expand(&arg.text);
                let Some(Address::Inet { host, port }) = Address::parse(&text, 0) else {
                    return Err(format!("cannot read `Listen {text}`"));
                };
                self.map.map(&host, port)?;
                self.listens.push(PendingListen {
                    file: file.to_path_buf(),
                    span: span.clone(),
                    host,
                    port,
                    protocol: args.get(1).map(|w| w.text.to_ascii_lowercase()),
                });
            }
            "define" => {
                if let Some(name) = first {
                    let value = args.get(1).map(|v| self.expand(&v.text)).unwrap_or_default();
                    self.defines.insert(name.text.clone(), value);
                }
            }
            "undefine" => {
                if let Some(name) = first {
                    self.defines.remove(&name.text);
                }
            }
            "servername" | "serveralias" => {
                let names: Vec<String> = args
                    .iter()
                    .filter_map(|a| {
                        let text = self.expand(&a.text);
                        let bare = text.split("://").last().unwrap_or("");
                        let host = bare.split(':').next().unwrap_or("");
                        probe_name(host)
                    })
                    .collect();
                if name == "servername" {
                    match self.vhost() {
                        Some(v) => v.has_server_name = true,
                        None => self.main_server_name = first.map(|a| self.expand(&a.text)),
                    }
                }
                match self.vhost() {
                    Some(v) => v.names.extend(names),
                    None => self.main_names.extend(names),
                }
            }
            "sslengine" => {
                let on = first
                    .map(|a| a.text.eq_ignore_ascii_case("on"))
                    .unwrap_or(false);
                match self.vhost() {
                    Some(v) => v.ssl = Some(on),
                    None => self.main_ssl = on,
                }
            }
            "documentroot" | "alias" | "scriptalias" => {
                let Some(arg) = args.last() else {
                    return Ok(());
                };
                if name != "documentroot" && args.len() == 2 && args[0].text != "/" {
                    self.paths.insert(args[0].text.clone());
                }
                if self.vhost().is_none() && name == "documentroot" {
                    self.has_document_root = true;
                }
                let dir = layout.mirror_dir(&arg.text, &format!("root ({})", arg.text))?;
                let mut text = dir.display().to_string();
                if arg.text.ends_with('/') {
                    text.push('/');
                }
                self.replace(file, arg, &text);
            }
            "errorlog" | "customlog" | "transferlog" => {
                let Some(arg) = first else { return Ok(()) };
                let kind = if name == "errorlog" {
                    "error"
                } else {
                    "access"
                };
                self.replace(file, arg, &layout.log_file(kind).display().to_string());
            }
            "typesconfig" => {
                let Some(arg) = first else { return Ok(()) };
                self.has_types_config = true;
                self.replace(file, arg, "/etc/mime.types");
            }
            "pidfile" => {
                let Some(arg) = first else { return Ok(()) };
                self.replace(file, arg, &layout.pid_file().display().to_string());
            }
            "defaultruntimedir" => {
                let Some(arg) = first else { return Ok(()) };
                self.replace(file, arg, &layout.run_dir().display().to_string());
            }
            // The fixture's users may not exist here; the workers must read the temp dir.
            "user" | "group" => {
                let Some(arg) = first else { return Ok(()) };
                self.replace(file, arg, "www-data");
            }
            "loadmodule" => {
                let Some(arg) = args.get(1) else {
                    return Ok(());
                };
                if !Path::new(&arg.text).is_file() {
                    let base = Path::new(&arg.text).file_name().unwrap_or_default();
                    let path = Path::new(MODULES).join(base);
                    self.replace(file, arg, &path.display().to_string());
                }
            }
            "sslcertificatefile" => {
                let Some(arg) = first else { return Ok(()) };
                self.replace(file, arg, &layout.server_cert().display().to_string());
            }
            "sslcertificatekeyfile" => {
                let Some(arg) = first else { return Ok(()) };
                self.replace(file, arg, &layout.server_key().display().to_string());
            }
            "sslcacertificatefile" | "sslcadnrequestfile" => {
                let Some(arg) = first else { return Ok(()) };
                self.replace(file, arg, &layout.cloudflare_ca().display().to_string());
            }
            "sslcacertificatepath" => {
                let ca = quote(&layout.cloudflare_ca().display().to_string());
                self.edit(file, span.clone(), format!("SSLCACertificateFile {ca}"));
            }
            // RHEL's crypto-policies keyword, unknown to other OpenSSL builds.
            "sslciphersuite" | "sslproxyciphersuite"
                if args.iter().any(|a| a.text.contains("PROFILE=SYSTEM")) =>
            {
                self.edit(file, span.clone(), format!("# (real-server harness) {name}"));
            }
            "sslsessioncache" | "sslstaplingcache" => {
                let Some(arg) = first else { return Ok(()) };
                if arg.text.contains('/') {
                    let cache = layout.run_dir().join(name);
                    self.replace(file, arg, &format!("shmcb:{}(512000)", cache.display()));
                }
            }
            "mutex" => {
                for arg in args.iter().filter(|a| a.text.starts_with("file:")) {
                    let text = format!("file:{}", layout.run_dir().display());
                    self.replace(file, arg, &text);
                }
            }
            "proxypass" | "proxypassmatch" | "balancermember" => {
                if name == "proxypass"
                    && args.len() >= 2
                    && args[0].text.starts_with('/')
                    && args[0].text != "/"
                {
                    self.paths.insert(args[0].text.clone());
                }
                for arg in args.iter().filter(|a| a.text.contains("://")) {
                    let stand_in = format!("http://127.0.0.1:{}/", layout.upstream_port());
                    self.replace(file, arg, &stand_in);
                }
            }
            // A rule that proxies (`[P]`) would reach out of the machine: the stand-in instead.
            "rewriterule"
                if args.len() >= 3
                    && args[1].text.contains("://")
                    && args[2]
                        .text
                        .trim_matches(|c| c == '[' || c == ']')
                        .split(',')
                        .any(|f| f.eq_ignore_ascii_case("p") || f.eq_ignore_ascii_case("proxy")) =>
            {
                let stand_in = format!("http://127.0.0.1:{}/", layout.upstream_port());
                self.replace(file, &args[1], &stand_in);
            }
            "proxyremote" | "proxyremotematch" => {
                self.edit(file, span.clone(), format!("# (real-server harness) {name}"));
            }
            "sslcertificatechainfile"
            | "sslcarevocationfile"
            | "sslcarevocationpath"
            | "sslcarevocationcheck"
            | "sslcadnrequestpath"
            | "scriptsock"
            | "sslopensslconfcmd"
            // Files of the fixture's system httpd checks at start-up; the backends are the
            // stand-in in plain HTTP, and keys have no pass phrase.
            | "sslpassphrasedialog"
            | "sslproxycacertificatefile"
            | "sslproxycacertificatepath"
            | "sslproxycarevocationfile"
            | "sslproxycarevocationpath"
            | "sslproxymachinecertificatefile"
            | "sslproxymachinecertificatepath"
            | "sslproxymachinecertificatechainfile" => {
                self.edit(
                    file,
                    span.clone(),
                    format!("# (real-server harness) {name}"),
                );
            }
            _ => {}
        }
        Ok(())
    }

    /// Include paths are relative to `ServerRoot`; `/etc/apache2/...` and `/etc/httpd/...`
    /// mean the fixture's own tree.
    fn resolve_include(&self, pattern: &str) -> PathBuf {
        let conf = self.layout.conf_dir();
        for prefix in ["/etc/apache2/", "/etc/httpd/"] {
            if let Some(rest) = pattern.strip_prefix(prefix) {
                return conf.join(rest);
            }
        }
        if pattern.starts_with('/') {
            PathBuf::from(pattern)
        } else {
            conf.join(pattern)
        }
    }

    fn finish(mut self) -> Result<Served, String> {
        // httpd names a virtual host without `ServerName` after the main server when its
        // address is a wildcard, but after the reverse DNS of a specific address: moved to
        // 127.0.0.1, it would be called `localhost`. Keep the name the original gets.
        if let Some(main_name) = self.main_server_name.clone() {
            let unnamed: Vec<(PathBuf, usize)> = self
                .vhosts
                .iter()
                .filter(|v| v.addresses.first().is_some_and(|a| a.starts_with("*:")))
                .filter_map(|v| v.close.clone())
                .collect();
            for (file, at) in unnamed {
                self.edit(&file, at..at, format!("ServerName {main_name}\n"));
            }
        }
        let main_ssl = self.main_ssl;
        let ssl_of = |v: &VirtualHost| v.ssl.unwrap_or(main_ssl);
        // Every socket: a wildcard Listen serves the wildcard and each specific address
        // a virtual host names on that port.
        let mut sockets: BTreeMap<String, (String, u16, bool)> = BTreeMap::new();
        let listens = std::mem::take(&mut self.listens);
        let mut emitted = BTreeSet::new();
        let mut replacements: Vec<(PathBuf, Range<usize>, String)> = Vec::new();
        for listen in &listens {
            let mut originals = vec![key(&listen.host, listen.port)];
            if listen.host == "*" {
                for v in &self.vhosts {
                    for a in &v.addresses {
                        if a.ends_with(&format!(":{}", listen.port)) && !a.starts_with('*') {
                            originals.push(a.clone());
                        }
                    }
                }
            }
            let mut text = String::new();
            for original in originals {
                let (host, port) = original.rsplit_once(':').expect("host:port");
                let port: u16 = port.parse().expect("port");
                let (lo, new_port) = self.map.map(host, port)?;
                let https = listen.protocol.as_deref() == Some("https");
                sockets
                    .entry(original.clone())
                    .or_insert((lo.clone(), new_port, https))
                    .2 |= https;
                if emitted.insert(original.clone()) {
                    let addr = if lo.contains(':') {
                        format!("[{lo}]:{new_port}")
                    } else {
                        format!("{lo}:{new_port}")
                    };
                    let proto = listen
                        .protocol
                        .as_deref()
                        .map(|p| format!(" {p}"))
                        .unwrap_or_default();
                    text.push_str(&format!("Listen {addr}{proto}\n"));
                }
            }
            if text.is_empty() {
                text = "# (real-server harness) duplicate Listen".into();
            }
            replacements.push((listen.file.clone(), listen.span.clone(), text));
        }
        for (file, span, text) in replacements {
            self.edit(&file, span, text);
        }

        let mut endpoints = Vec::new();
        for (original, (host, port, https)) in sockets {
            let exact: Vec<&VirtualHost> = self
                .vhosts
                .iter()
                .filter(|v| v.addresses.contains(&original))
                .collect();
            let wildcard_key = format!(
                "*:{port_of}",
                port_of = original.rsplit_once(':').map(|p| p.1).unwrap_or("")
            );
            let candidates: Vec<&VirtualHost> = if !exact.is_empty() {
                exact
            } else {
                self.vhosts
                    .iter()
                    .filter(|v| v.addresses.contains(&wildcard_key))
                    .collect()
            };
            let tls = if candidates.is_empty() {
                main_ssl || https
            } else {
                candidates.iter().any(|v| ssl_of(v))
            };
            endpoints.push(Endpoint {
                original,
                host,
                port,
                tls,
                http: true,
            });
        }

        let mut names: BTreeSet<String> = self.main_names.iter().cloned().collect();
        for v in &self.vhosts {
            names.extend(v.names.iter().cloned());
        }
        self.files.write_all()?;
        Ok(Served {
            endpoints,
            names: names.into_iter().collect(),
            paths: self.paths.into_iter().collect(),
        })
    }
}

/// A directory named by an include stands for every file below it, in byte order.
fn files_below(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let Ok(entries) = fs::read_dir(path) else {
        return Vec::new();
    };
    let mut children: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    children.sort();
    children.iter().flat_map(|c| files_below(c)).collect()
}
