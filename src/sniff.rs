//! Whether a loose file (one no tree above holds) is a web server's configuration at all: a
//! pre-commit hook whose pattern picks every `.conf` also gets systemd, logrotate and
//! fail2ban files, which no server reads and which would only give parse errors.

use std::io::Read;
use std::path::Path;

/// Enough of a file to find its directives: a configuration states them near its top.
const HEAD: u64 = 64 * 1024;

/// Directive and section names, lower-cased, that only nginx, Apache httpd or Caddy use in
/// the first word of a line. `include` is left out: logrotate uses it too.
const SERVER_WORDS: &[&str] = &[
    // nginx
    "server",
    "http",
    "events",
    "stream",
    "upstream",
    "location",
    "listen",
    "server_name",
    "load_module",
    "worker_processes",
    "ssl_certificate",
    "ssl_certificate_key",
    "ssl_client_certificate",
    "ssl_trusted_certificate",
    "ssl_verify_client",
    "ssl_reject_handshake",
    "proxy_pass",
    "fastcgi_pass",
    "set_real_ip_from",
    "real_ip_header",
    // Apache httpd (names are case-insensitive there; sections lose their `<`)
    "virtualhost",
    "directory",
    "directorymatch",
    "locationmatch",
    "files",
    "ifmodule",
    "ifdefine",
    "loadmodule",
    "servername",
    "serveralias",
    "documentroot",
    "includeoptional",
    "sslengine",
    "sslverifyclient",
    "sslcertificatefile",
    "sslcacertificatefile",
    "sslcacertificatepath",
    "proxypass",
    "remoteipheader",
    "remoteiptrustedproxy",
    // Caddy
    "reverse_proxy",
    "file_server",
    "client_auth",
    "respond",
];

/// True unless the file's head shows it is no server's configuration. A file that cannot be
/// read counts as configuration: the reader then reports why, nothing is skipped unsaid.
pub fn reads_as_server_configuration(path: &Path) -> bool {
    let named_caddy = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        n.starts_with("Caddyfile") || n.ends_with(".caddy") || n.ends_with(".caddyfile")
    });
    if named_caddy {
        return true;
    }
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(HEAD).read_to_end(&mut head));
    if read.is_err() {
        return true;
    }
    String::from_utf8_lossy(&head).lines().any(|line| {
        let first = line
            .trim_start()
            .trim_start_matches('<')
            .split(|c: char| c.is_whitespace() || c == '>' || c == '{' || c == ';')
            .next()
            .unwrap_or("");
        SERVER_WORDS.contains(&first.to_ascii_lowercase().as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(name: &str, text: &str) -> bool {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        reads_as_server_configuration(&p)
    }

    #[test]
    fn server_configurations_are_recognised() {
        assert!(reads("site.conf", "server {\n    listen 443 ssl;\n}\n"));
        assert!(reads("snippet.conf", "  ssl_verify_client on;\n"));
        assert!(reads("vhost.conf", "<VirtualHost *:443>\n</VirtualHost>\n"));
        assert!(reads("ssl.conf", "SSLVerifyClient require\n"));
        assert!(reads("sslengine.conf", "sslengine on\n"));
        assert!(reads("shop.caddy", "shop.example.com\n"));
        assert!(reads("Caddyfile.prod", ""));
        assert!(reads("proxy.conf", "# the shop\nproxy_pass http://app;\n"));
    }

    #[test]
    fn other_tools_files_are_not() {
        assert!(!reads("unit.conf", "[Unit]\nDescription=shop\n"));
        assert!(!reads(
            "logrotate.conf",
            "weekly\nrotate 4\ninclude /etc/logrotate.d\n"
        ));
        assert!(!reads("jail.conf", "[sshd]\nenabled = true\n"));
        assert!(!reads("empty.conf", ""));
        assert!(!reads("binary.conf", "\u{0}\u{1}\u{2}"));
    }

    #[test]
    fn an_unreadable_file_is_left_to_the_reader() {
        let dir = tempfile::tempdir().unwrap();
        assert!(reads_as_server_configuration(
            &dir.path().join("missing.conf")
        ));
    }
}
