use std::collections::HashSet;

use aop_model::{DirectiveName, Finding, Label, ServerKind, Version, Written};

use crate::apache_since::{self, SINCE};
use crate::nginx_releases;
use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// Reports syntax the server would refuse to load: an unexpected `;`, `{` or `}`, a
    /// missing semicolon, an unclosed block or quote, an invalid value for a directive whose
    /// value decides client verification; and what nginx checks once the file is read: a
    /// duplicate `default_server`, a TLS address:port whose default server (or, behind a
    /// default that refuses handshakes, any server) has no `ssl_certificate`, a variable
    /// that neither nginx nor the tree defines (`unknown "connection_upgrade" variable`).
    /// Messages are nginx's own (docs/semantics.md lists the checks).
    ///
    /// Apache: a directive no module loaded so far provides, a main-server directive
    /// (`Listen`, `SSLSessionCache`, `SSLVHostSNIPolicy`, ...) inside a `<VirtualHost>`, an
    /// `SSLVHostSNIPolicy` other than `strict`, `secure`, `authonly` or `insecure`; and, for
    /// the release `--apache-version` names (or `apache_version` in `aop-lint.toml`), a
    /// directive that release does not know yet: `SSLVHostSNIPolicy`, `ListenTCPDeferAccept`
    /// and `H2MaxStreamErrors` (2.4.66), `AliasPreservePath`, `RedirectRelative` and
    /// `H2WebSockets` (2.4.58), `ReadBufferSize`, `FlushMaxThreshold` and
    /// `FlushMaxPipelined` (2.4.47), `MergeSlashes` (2.4.39), where a server or vhost sets
    /// it (not yet inside `<Directory>` or `<Location>`). Without a version the newest
    /// release is assumed.
    ///
    /// ## Why it matters
    /// A configuration the server rejects does not run: the server keeps its previous
    /// configuration, or does not start. What the rest of the report says about this tree is
    /// then about a configuration that is not in force.
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl
    ///     }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl;
    ///         ssl_reject_handshake on;
    ///     }
    /// }
    /// ```
    pub struct ParseError {
        id: aop_model::codes::PARSE_ERROR,
        servers: [Nginx, Apache, Caddy],
        verdict: None,
        reads: [
            apache_since::SNI_POLICY,
            apache_since::LISTEN_TCP_DEFER_ACCEPT,
            apache_since::H2_MAX_STREAM_ERRORS,
            apache_since::ALIAS_PRESERVE_PATH,
            apache_since::REDIRECT_RELATIVE,
            apache_since::H2_WEBSOCKETS,
            apache_since::READ_BUFFER_SIZE,
            apache_since::FLUSH_MAX_THRESHOLD,
            apache_since::FLUSH_MAX_PIPELINED,
            apache_since::MERGE_SLASHES,
            nginx_releases::SSL,
            nginx_releases::HTTP2,
        ],
        summary: "syntax the server would reject",
    }
}

impl ParseError {
    /// The readers report what every release refuses; this adds what the release the user
    /// named refuses.
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        if cx.config.kind == ServerKind::Nginx {
            nginx_by_release(cx, out);
            return;
        }
        let Some(version) = cx.versions.apache else {
            return;
        };
        if cx.config.kind != ServerKind::Apache {
            return;
        }
        let refused: Vec<(DirectiveName, Version)> = SINCE
            .iter()
            .filter(|(_, since)| version < *since)
            .copied()
            .collect();
        for (w, name, since) in once_each(cx, &refused) {
            out.push(
                Finding::new(
                    Self::CODE,
                    format!(
                        "Invalid command '{}': httpd {version} does not know it (added in {since}) and refuses to start",
                        name.apache
                    ),
                    Label::new(w.span, format!("httpd {since} and later only")),
                )
                .with_help(format!(
                    "remove `{}`, or upgrade httpd to {since} or later (and give that version as --apache-version)",
                    name.apache
                )),
            );
        }
    }
}

/// Each occurrence in force of the `refused` directives, once: one of `http {}` or of the
/// main server is inherited by every server.
fn once_each<'a, T>(
    cx: &'a Context,
    refused: &'a [(DirectiveName, T)],
) -> Vec<(&'a Written, &'a DirectiveName, &'a T)> {
    let mut said = HashSet::new();
    let mut out = Vec::new();
    for s in &cx.config.servers {
        for (name, why) in refused {
            if let Some(w) = s.directive(*name) {
                if said.insert(w.value.span) {
                    out.push((w.value, name, why));
                }
            }
        }
    }
    out
}

/// nginx's `unknown directive` for a directive the named release does not have yet, or no
/// longer has.
fn nginx_by_release(cx: &Context, out: &mut Vec<Finding>) {
    let Some(version) = cx.versions.nginx else {
        return;
    };
    let refused: Vec<(DirectiveName, String)> = nginx_releases::SINCE
        .iter()
        .filter(|(_, since)| version < *since)
        .map(|(name, since)| {
            (
                *name,
                format!("nginx {version} does not have it yet: added in {since}"),
            )
        })
        .chain(
            nginx_releases::UNTIL
                .iter()
                .filter(|(_, until)| version >= *until)
                .map(|(name, until)| {
                    (
                        *name,
                        format!("nginx {version} no longer has it: removed in {until}"),
                    )
                }),
        )
        .collect();
    for (w, name, why) in once_each(cx, &refused) {
        out.push(
            Finding::new(
                ParseError::CODE,
                // nginx's own words, which tests/real_servers/startup.rs holds them to.
                format!("unknown directive \"{}\"", name.nginx),
                Label::new(w.span, why.clone()),
            )
            .with_help(match name.nginx {
                "ssl" => "remove `ssl on;` and mark the listeners instead:\n    listen 443 ssl;"
                    .to_string(),
                other => format!(
                    "remove `{other}`, or give the release that runs the tree as --nginx-version"
                ),
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::ParseError;
    use crate::tester::Tester;

    #[test]
    fn vectors() {
        let findings = Tester::new(&ParseError)
            .nginx_fail("http { server { listen 443 ssl } }")
            .nginx_fail("http { server { listen 443 ssl; ssl_verify_client maybe; } }")
            .nginx_pass(
                "http { server { listen 443 ssl default_server; ssl_reject_handshake on; } }",
            )
            .apache_fail(
                "LoadModule mpm_event_module modules/mod_mpm_event.so
                LoadModule ssl_module modules/mod_ssl.so
                <VirtualHost *:443>
                    SSLVerifyClient sometimes
                </VirtualHost>",
            )
            .apache_pass(
                "LoadModule mpm_event_module modules/mod_mpm_event.so
                LoadModule ssl_module modules/mod_ssl.so
                <VirtualHost *:443>
                    SSLVerifyClient require
                </VirtualHost>",
            )
            .apache_fail(
                "LoadModule mpm_event_module modules/mod_mpm_event.so
                LoadModule ssl_module modules/mod_ssl.so
                <VirtualHost *:443>
                    SSLVHostSNIPolicy secure
                </VirtualHost>",
            )
            .apache_fail("LoadModule mpm_event_module modules/mod_mpm_event.so\nLoadModule ssl_module modules/mod_ssl.so\nSSLVHostSNIPolicy loose")
            .apache_pass("LoadModule mpm_event_module modules/mod_mpm_event.so\nLoadModule ssl_module modules/mod_ssl.so\nSSLVHostSNIPolicy secure")
            .versions("apache/2.4.62")
            .apache_fail(
                "LoadModule mpm_event_module modules/mod_mpm_event.so
                LoadModule ssl_module modules/mod_ssl.so
                LoadModule http2_module modules/mod_http2.so
                SSLVHostSNIPolicy secure
                MergeSlashes off
                <VirtualHost *:443>
                    ServerName a
                </VirtualHost>
                <VirtualHost *:443>
                    ServerName b
                    H2MaxStreamErrors 8
                </VirtualHost>",
            )
            .apache_pass("LoadModule mpm_event_module modules/mod_mpm_event.so\nLoadModule ssl_module modules/mod_ssl.so\nMergeSlashes off")
            .versions("apache/2.4.66")
            .apache_pass("LoadModule mpm_event_module modules/mod_mpm_event.so\nLoadModule ssl_module modules/mod_ssl.so\nSSLVHostSNIPolicy secure")
            // `ssl on` left 1.25.1, `http2 on` came with it.
            .versions("nginx/1.30.4")
            .nginx_fail(
                "http { ssl on; server { listen 443; ssl_certificate c.pem; ssl_certificate_key c.key; } }",
            )
            .nginx_pass("http { server { listen 443 ssl; http2 on; ssl_certificate c.pem; ssl_certificate_key c.key; } }")
            .versions("nginx/1.22.1")
            .nginx_pass(
                "http { ssl on; server { listen 443; ssl_certificate c.pem; ssl_certificate_key c.key; } }",
            )
            .nginx_fail("http { server { listen 443 ssl; http2 on; ssl_certificate c.pem; ssl_certificate_key c.key; } }")
            // httpd starts with no MPM compiled in: a whole tree (one that loads modules) loads
            // one; a fragment that loads nothing has its modules loaded elsewhere.
            .apache_fail("LoadModule ssl_module modules/mod_ssl.so\nListen 443")
            .apache_pass("Listen 443")
            .run();
        insta::assert_snapshot!(findings);
    }
}
