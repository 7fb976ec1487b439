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
    has_document_root: bool,
    paths: BTreeSet<String>,
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
        has_document_root: false,
        paths: BTreeSet::new(),
    };
    walk.file(main)?;
    let end = walk.files.len_of(main);
    let mut tail = format!(
        "\n<IfModule ssl_module>\nSSLCertificateFile {}\nSSLCertificateKeyFile {}\n</IfModule>\n",
        quote(&layout.server_cert().display().to_string()),
        quote(&layout.server_key().display().to_string()),
    );
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
            Line::Close { name } => {
                if name == "virtualhost" {
                    self.in_vhost = false;
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
                    let Some(Address::Inet { host, port }) = Address::parse(&arg.text, 0) else {
                        return Err(format!("cannot read <VirtualHost {}>", arg.text));
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
                let Some(Address::Inet { host, port }) = Address::parse(&arg.text, 0) else {
                    return Err(format!("cannot read `Listen {}`", arg.text));
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
            "servername" | "serveralias" => {
                let names: Vec<String> = args
                    .iter()
                    .filter_map(|a| {
                        let bare = a.text.split("://").last().unwrap_or("");
                        let host = bare.split(':').next().unwrap_or("");
                        probe_name(host)
                    })
                    .collect();
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
                for arg in args.iter().filter(|a| a.text.contains("://")) {
                    let stand_in = format!("http://127.0.0.1:{}/", layout.upstream_port());
                    self.replace(file, arg, &stand_in);
                }
            }
            "sslcertificatechainfile"
            | "sslcarevocationfile"
            | "sslcarevocationpath"
            | "sslcarevocationcheck"
            | "sslcadnrequestpath"
            | "scriptsock"
            | "sslopensslconfcmd" => {
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
