//! A tree made servable as written: copied to a temporary root, stored symlinks turned back
//! into links, the files its `SOURCE` lists generated at their paths, and the users,
//! directories and host names the server needs at start added inside the root. Nothing the
//! config says is rewritten, except listen addresses that belong to somebody's real host.

use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;

use super::backend::BACKEND_ADDR;
use super::scan::{all_text, backends, caddy_names, expand_defines, names, paths, Backends};
use super::trees::{Gen, Spec};
use crate::pki::pki;

/// In every body the harness placed; a probe that brings it back got content.
pub const MARKER: &str = "aop-realworld-content";
/// What the stand-in backend answers every request with.
pub const BACKEND_MARKER: &str = "aop-realworld-content: backend";
/// A file in every root the config names, requested besides `/`.
pub const MARKER_FILE: &str = "aop-realworld.html";

const USERS: &str = "root:x:0:0:root:/root:/bin/sh
daemon:x:1:1::/usr/sbin:/usr/sbin/nologin
wwwrun:x:30:8::/srv/www:/usr/sbin/nologin
www-data:x:33:33::/var/www:/usr/sbin/nologin
apache:x:48:48::/usr/share/httpd:/sbin/nologin
nginx:x:101:101::/var/cache/nginx:/sbin/nologin
meow:x:1000:1000::/home/meow:/bin/sh
nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin
";
const GROUPS: &str = "root:x:0:
daemon:x:1:
www:x:8:
www-data:x:33:
apache:x:48:
nginx:x:101:
meow:x:1000:
nogroup:x:65534:
nobody:x:65534:
";

/// Directories the servers' compiled-in defaults and the stand-in main files use.
const RUNTIME_DIRS: &[&str] = &[
    "/tmp",
    "/run",
    "/var/run/apache2",
    "/var/lock/apache2",
    "/var/log/apache2",
    "/var/log/nginx",
    "/var/lib/nginx",
    "/var/cache/nginx",
    "/usr/share/nginx/html",
    "/var/www/html",
];

pub struct Prepared {
    /// Edits made to the tree's own text, for the report.
    pub edits: Vec<String>,
    /// Upstreams, for the stand-in backend.
    pub backends: Backends,
    /// Names the tree's servers answer to, for the probes.
    pub names: Vec<String>,
    /// Literal URL paths locations and aliases name: content there is as much content as
    /// at `/`.
    pub paths: Vec<String>,
}

/// `caddyfile`, for a Caddy tree: the file (absolute in the served system) whose text says
/// what to probe, instead of every text file under `etc` and `usr/local`.
pub fn prepare(
    tree: &Path,
    spec: &Spec,
    root: &Path,
    symlinks: bool,
    caddyfile: Option<&str>,
) -> Result<Prepared, String> {
    copy_tree(tree, root).map_err(|e| format!("copy: {e}"))?;
    let mut edits = Vec::new();
    if symlinks {
        restore_symlinks(root, &mut edits).map_err(|e| format!("symlinks: {e}"))?;
    }
    for (from, to) in spec.addresses {
        replace_everywhere(root, from, to).map_err(|e| format!("address: {e}"))?;
        edits.push(format!("listen address {from} -> {to}"));
    }
    for dir in RUNTIME_DIRS.iter().chain(spec.dirs) {
        fs::create_dir_all(inside(root, dir)).map_err(|e| format!("{dir}: {e}"))?;
    }
    for (path, what) in spec.files {
        generate(&inside(root, path), *what).map_err(|e| format!("{path}: {e}"))?;
    }
    for (link, target) in spec.links {
        let at = inside(root, link);
        if let Some(parent) = at.parent() {
            fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        symlink(target, &at).map_err(|e| format!("{link}: {e}"))?;
    }
    for domain in spec.md_domains {
        md_certificate(root, domain).map_err(|e| format!("mod_md {domain}: {e}"))?;
        edits.push(format!("mod_md store: certificate for {domain}"));
    }
    let storage = spec.caddy_storage.unwrap_or(CADDY_STORAGE);
    for name in spec.acme_names {
        acme_certificate(root, storage, name).map_err(|e| format!("Caddy {name}: {e}"))?;
        edits.push(format!("Caddy storage: certificate for {name}"));
    }
    system_files(root, spec).map_err(|e| format!("/etc: {e}"))?;
    let text = match caddyfile {
        Some(file) => fs::read_to_string(inside(root, file)).map_err(|e| format!("{file}: {e}"))?,
        None => expand_defines(&all_text(root)),
    };
    place_markers(root, &text).map_err(|e| format!("markers: {e}"))?;
    open_permissions(root).map_err(|e| format!("permissions: {e}"))?;
    Ok(Prepared {
        edits,
        backends: backends(&text),
        names: match caddyfile {
            Some(_) => caddy_names(&text),
            None => names(&text),
        },
        paths: paths(&text),
    })
}

/// `path` (absolute in the served system) below `root`.
pub fn inside(root: &Path, path: &str) -> PathBuf {
    root.join(path.trim_start_matches('/'))
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in walkdir::WalkDir::new(from).min_depth(1) {
        let entry = entry.map_err(std::io::Error::other)?;
        let rel = entry.path().strip_prefix(from).expect("below the tree");
        if rel == Path::new("SOURCE") {
            continue;
        }
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// A file of one short line whose text is a relative path to an existing file next to it is
/// a stored symlink (the corpus keeps links as files).
fn restore_symlinks(root: &Path, edits: &mut Vec<String>) -> std::io::Result<()> {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    for file in files {
        if fs::metadata(&file)?.len() > 256 {
            continue;
        }
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        let target = text.trim();
        if target.is_empty() || target.contains(char::is_whitespace) || target.starts_with('/') {
            continue;
        }
        let dir = file.parent().expect("a parent");
        if dir.join(target).is_file() {
            fs::remove_file(&file)?;
            symlink(target, &file)?;
            let rel = file.strip_prefix(root).unwrap_or(&file);
            edits.push(format!("symlink {} -> {target}", rel.display()));
        }
    }
    Ok(())
}

fn replace_everywhere(root: &Path, from: &str, to: &str) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(text) = fs::read_to_string(entry.path()) else {
            continue;
        };
        if text.contains(from) {
            fs::write(entry.path(), text.replace(from, to))?;
        }
    }
    Ok(())
}

fn generate(at: &Path, what: Gen) -> Result<(), String> {
    let p = pki();
    let read = |path: PathBuf| fs::read_to_string(path).map_err(|e| e.to_string());
    let dir = match what {
        Gen::CaDir | Gen::CrlDir => at.to_path_buf(),
        _ => at.parent().ok_or("no parent")?.to_path_buf(),
    };
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let text = match what {
        Gen::Cert => read(p.server_cert())?,
        Gen::Key => read(p.server_key())?,
        Gen::CertKeyCa => {
            read(p.server_cert())? + &read(p.server_key())? + &read(p.cloudflare_ca())?
        }
        Gen::Ca => read(p.cloudflare_ca())?,
        Gen::Crl => read(p.cloudflare_crl())?,
        Gen::Passwords => "unused pass phrase: the generated key has none\n".into(),
        Gen::Stub => "#!/bin/sh\necho unused\n".into(),
        Gen::DhParam => openssl(&[
            "genpkey",
            "-genparam",
            "-algorithm",
            "DH",
            "-pkeyopt",
            "group:ffdhe2048",
        ])?,
        Gen::CaDir | Gen::CrlDir => {
            let (name, source) = if what == Gen::CaDir {
                ("cloudflare-ca.pem", p.cloudflare_ca())
            } else {
                ("cloudflare-ca.crl.pem", p.cloudflare_crl())
            };
            fs::write(dir.join(name), read(source)?).map_err(|e| e.to_string())?;
            let dir_arg = dir.to_string_lossy().into_owned();
            openssl(&["rehash", &dir_arg])?;
            return Ok(());
        }
    };
    fs::write(at, text).map_err(|e| e.to_string())
}

/// A certificate for `domain` where mod_md keeps the one it ordered (store `md` under the
/// Debian server root).
fn md_certificate(root: &Path, domain: &str) -> Result<(), String> {
    let dir = root.join("etc/apache2/md/domains").join(domain);
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (cert, key) = self_signed(domain)?;
    fs::write(dir.join("pubcert.pem"), cert).map_err(|e| e.to_string())?;
    fs::write(dir.join("privkey.pem"), key).map_err(|e| e.to_string())
}

/// Caddy's data directory for root, where it keeps the certificates it obtained.
const CADDY_STORAGE: &str = "/root/.local/share/caddy";
/// Let's Encrypt's directory as Caddy names it in its storage: the first of its default
/// issuers, and the one a tree's `issuer acme` without `dir` uses.
const LETS_ENCRYPT: &str = "acme-v02.api.letsencrypt.org-directory";

/// A certificate for `name` where Caddy keeps the one Let's Encrypt issued
/// (`certificates/ISSUER/NAME/NAME.{crt,key,json}`, `*` spelt `wildcard_`): Caddy loads it at
/// start and orders nothing while it is valid.
fn acme_certificate(root: &Path, storage: &str, name: &str) -> Result<(), String> {
    let key_name = name.replace('*', "wildcard_");
    let dir = inside(root, storage)
        .join("certificates")
        .join(LETS_ENCRYPT)
        .join(&key_name);
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (cert, key) = self_signed(name)?;
    let meta = serde_json::json!({
        "sans": [name],
        "issuer_data": { "ca": "https://acme-v02.api.letsencrypt.org/directory" },
    });
    let write = |ext: &str, text: String| {
        fs::write(dir.join(format!("{key_name}.{ext}")), text).map_err(|e| e.to_string())
    };
    write("crt", cert)?;
    write("key", key)?;
    write("json", meta.to_string())
}

/// A self-signed certificate for `name` and its key, in PEM.
fn self_signed(name: &str) -> Result<(String, String), String> {
    let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
    let cert = rcgen::CertificateParams::new(vec![name.to_string()])
        .and_then(|p| p.self_signed(&key))
        .map_err(|e| e.to_string())?;
    Ok((cert.pem(), key.serialize_pem()))
}

fn openssl(args: &[&str]) -> Result<String, String> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .map_err(|e| format!("openssl: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn system_files(root: &Path, spec: &Spec) -> std::io::Result<()> {
    let etc = root.join("etc");
    fs::create_dir_all(&etc)?;
    fs::write(etc.join("passwd"), USERS)?;
    fs::write(etc.join("group"), GROUPS)?;
    fs::write(
        etc.join("nsswitch.conf"),
        "passwd: files\ngroup: files\nhosts: files\n",
    )?;
    let mut hosts = String::from("127.0.0.1 localhost\n::1 localhost ip6-localhost\n");
    // Apache looks its own host name up at start, as every real host can.
    let host = match spec.hostname {
        Some(name) => name.to_string(),
        None => fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default(),
    };
    hosts.push_str(&format!("127.0.1.1 {}\n", host.trim()));
    for name in spec.hosts {
        hosts.push_str(&format!("{BACKEND_ADDR} {name}\n"));
    }
    fs::write(etc.join("hosts"), hosts)?;
    if !etc.join("mime.types").exists() && Path::new("/etc/mime.types").is_file() {
        fs::copy("/etc/mime.types", etc.join("mime.types"))?;
    }
    for dev in ["null", "zero", "random", "urandom"] {
        fs::create_dir_all(root.join("dev"))?;
        fs::write(root.join("dev").join(dev), "")?;
    }
    fs::create_dir_all(root.join("proc"))?;
    for dir in ["usr/bin", "usr/sbin", "usr/lib", "usr/lib64"] {
        fs::create_dir_all(root.join(dir))?;
    }
    for (link, target) in [
        ("bin", "usr/bin"),
        ("sbin", "usr/sbin"),
        ("lib", "usr/lib"),
        ("lib64", "usr/lib64"),
    ] {
        if !root.join(link).exists() {
            symlink(target, root.join(link))?;
        }
    }
    Ok(())
}

/// A marker page at every root, alias and DocumentRoot the tree names, and at the compiled-in
/// defaults (nginx's `html/` under Debian's prefix, Debian Apache's /var/www/html).
fn place_markers(root: &Path, text: &str) -> std::io::Result<()> {
    // Caddy's `root` may name a matcher first (`root * /srv`).
    let re = Regex::new(
        r#"(?mi)^\s*(?:root(?:\s+(?:\*|@\S+))?|alias|DocumentRoot|Alias\s+\S+)\s+"?([^";\s]+)"#,
    )
    .expect("pattern");
    let mut dirs: Vec<String> = vec!["/usr/share/nginx/html".into(), "/var/www/html".into()];
    for cap in re.captures_iter(text) {
        let path = &cap[1];
        if path.starts_with('/') && !path.contains('$') && !path.contains('%') {
            dirs.push(path.to_string());
        }
    }
    // An Alias to a file (`Alias /config.js /etc/app/config.js`) gets the marker as that file.
    let file_alias = Regex::new(r#"(?mi)^\s*Alias\s+"?/\S*?"?\s+"?(/[^"\s]+\.[A-Za-z0-9]+)"?\s*$"#)
        .expect("pattern");
    for cap in file_alias.captures_iter(text) {
        let at = inside(root, &cap[1]);
        if !at.exists() && !cap[1].contains('$') {
            if let Some(parent) = at.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(&at, format!("{MARKER}: {}\n", &cap[1]))?;
        }
    }
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        let at = inside(root, &dir);
        // An alias may name a file; a path already holding a file is left alone.
        if at.is_file()
            || at.starts_with(root.join("usr/lib"))
            || at.starts_with(root.join("usr/bin"))
        {
            continue;
        }
        fs::create_dir_all(&at)?;
        let body = format!("{MARKER}: {dir}\n");
        for file in ["index.html", MARKER_FILE] {
            if !at.join(file).exists() {
                fs::write(at.join(file), &body)?;
            }
        }
    }
    Ok(())
}

fn open_permissions(root: &Path) -> std::io::Result<()> {
    for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
        if entry.path_is_symlink() {
            continue;
        }
        let mode = if entry.file_type().is_dir() {
            0o755
        } else {
            0o644
        };
        let mode = if entry.path().ends_with("tmp") {
            0o1777
        } else {
            mode
        };
        fs::set_permissions(entry.path(), fs::Permissions::from_mode(mode))?;
    }
    let stub = root.join("usr/libexec/httpd-ssl-pass-dialog");
    if stub.is_file() {
        fs::set_permissions(stub, fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}
