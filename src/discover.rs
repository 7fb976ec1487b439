//! From a path on the command line to the main configuration file and its server kind.

use std::path::{Path, PathBuf};

use aop_model::ServerKind;

#[derive(Debug, PartialEq, Eq)]
pub struct Tree {
    pub kind: ServerKind,
    pub entry: PathBuf,
}

const NGINX: &[&str] = &["nginx.conf"];
/// Debian's layout, the upstream/RHEL file directly in the directory, and RHEL's `/etc/httpd`
/// whose main file sits in `conf/`.
const APACHE: &[&str] = &["apache2.conf", "httpd.conf", "conf/httpd.conf"];
/// The Caddyfile first: Caddy itself reads `./Caddyfile` when given no config.
const CADDY: &[&str] = &["Caddyfile", "caddy.json"];

fn kind_of_file(path: &Path) -> Option<ServerKind> {
    match path.file_name()?.to_str()? {
        "nginx.conf" => Some(ServerKind::Nginx),
        "apache2.conf" | "httpd.conf" => Some(ServerKind::Apache),
        "Caddyfile" => Some(ServerKind::Caddy),
        // `Caddyfile.prod`, `site.caddyfile`: the names `caddy fmt` and editors recognise.
        name if name.starts_with("Caddyfile.") || name.ends_with(".caddyfile") => {
            Some(ServerKind::Caddy)
        }
        // Neither nginx nor Apache is configured in JSON; Caddy's own config is.
        name if name.ends_with(".json") => Some(ServerKind::Caddy),
        _ => None,
    }
}

/// Finds the main file: a file is taken as it is (its name tells the kind, nginx otherwise);
/// a directory is searched for the main file's usual names.
pub fn discover(path: &Path, forced: Option<ServerKind>) -> Result<Tree, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_file() {
        let kind = forced
            .or_else(|| kind_of_file(path))
            .unwrap_or(ServerKind::Nginx);
        return Ok(Tree {
            kind,
            entry: path.to_path_buf(),
        });
    }
    if !meta.is_dir() {
        return Err(format!(
            "{}: not a regular file or directory (a FIFO, socket or device)",
            path.display()
        ));
    }
    let candidates: Vec<(ServerKind, &str)> = [
        (ServerKind::Nginx, NGINX),
        (ServerKind::Apache, APACHE),
        (ServerKind::Caddy, CADDY),
    ]
    .into_iter()
    .filter(|(k, _)| forced.is_none() || forced == Some(*k))
    .flat_map(|(k, names)| names.iter().map(move |n| (k, *n)))
    .collect();
    for (kind, name) in candidates {
        let entry = path.join(name);
        if entry.is_file() {
            return Ok(Tree { kind, entry });
        }
    }
    let wanted = match forced {
        Some(ServerKind::Nginx) => "no nginx.conf",
        Some(ServerKind::Apache) => "no apache2.conf, httpd.conf or conf/httpd.conf",
        Some(ServerKind::Caddy) => "no Caddyfile or caddy.json",
        None => "no nginx.conf, apache2.conf, httpd.conf, conf/httpd.conf, Caddyfile or caddy.json",
    };
    Err(format!(
        "{}: {wanted} here; give the main configuration file itself",
        path.display()
    ))
}

/// A Caddy config in JSON rather than a Caddyfile: Caddy itself takes a file for JSON unless
/// its name says Caddyfile, so does aop-lint, by the `.json` extension.
pub fn is_json(entry: &Path) -> bool {
    entry
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for f in files {
            let p = d.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        d
    }

    #[test]
    fn apache_layouts_are_detected() {
        for (files, entry) in [
            (&["apache2.conf"][..], "apache2.conf"),
            (&["httpd.conf"][..], "httpd.conf"),
            (&["conf/httpd.conf", "conf.d/a.conf"][..], "conf/httpd.conf"),
        ] {
            let d = tree(files);
            let t = discover(d.path(), None).unwrap();
            assert_eq!(t.kind, ServerKind::Apache);
            assert_eq!(t.entry, d.path().join(entry));
        }
    }

    #[test]
    fn a_main_file_tells_its_kind_by_name() {
        let d = tree(&["apache2.conf", "site.conf"]);
        let t = discover(&d.path().join("apache2.conf"), None).unwrap();
        assert_eq!(t.kind, ServerKind::Apache);
        let t = discover(&d.path().join("site.conf"), None).unwrap();
        assert_eq!(t.kind, ServerKind::Nginx);
        let t = discover(&d.path().join("site.conf"), Some(ServerKind::Apache)).unwrap();
        assert_eq!(t.kind, ServerKind::Apache);
    }

    #[test]
    fn the_server_option_overrides_detection() {
        let d = tree(&["nginx.conf", "apache2.conf"]);
        assert_eq!(discover(d.path(), None).unwrap().kind, ServerKind::Nginx);
        let t = discover(d.path(), Some(ServerKind::Apache)).unwrap();
        assert_eq!(t.entry, d.path().join("apache2.conf"));
        let e = discover(&d.path().join("missing"), None);
        assert!(e.is_err());
        let only_nginx = tree(&["nginx.conf"]);
        let e = discover(only_nginx.path(), Some(ServerKind::Apache)).unwrap_err();
        assert!(e.contains("no apache2.conf"), "{e}");
    }

    #[test]
    fn a_caddy_json_config_is_found_by_its_name() {
        let d = tree(&[
            "etc/caddy/caddy.json",
            "adapted.json",
            "both/Caddyfile",
            "both/caddy.json",
        ]);
        let t = discover(&d.path().join("etc/caddy"), None).unwrap();
        assert_eq!(t.kind, ServerKind::Caddy);
        assert_eq!(t.entry, d.path().join("etc/caddy/caddy.json"));
        let t = discover(&d.path().join("adapted.json"), None).unwrap();
        assert_eq!(t.kind, ServerKind::Caddy);
        let t = discover(&d.path().join("both"), None).unwrap();
        assert_eq!(t.entry, d.path().join("both/Caddyfile"));
        assert!(is_json(&d.path().join("adapted.json")));
        assert!(!is_json(&d.path().join("both/Caddyfile")));
    }

    #[test]
    fn a_caddyfile_is_found_by_its_name() {
        let d = tree(&["etc/caddy/Caddyfile", "site.caddyfile", "Caddyfile.prod"]);
        let t = discover(&d.path().join("etc/caddy"), None).unwrap();
        assert_eq!(t.kind, ServerKind::Caddy);
        assert_eq!(t.entry, d.path().join("etc/caddy/Caddyfile"));
        for name in ["site.caddyfile", "Caddyfile.prod"] {
            assert_eq!(
                discover(&d.path().join(name), None).unwrap().kind,
                ServerKind::Caddy
            );
        }
    }
}
