//! The variables nginx defines itself, as data: each group names the source file whose
//! `ngx_http_variable_t` array (or `ngx_http_add_variable` call) defines it, and which of the
//! builds aop-lint checks against know it: Debian's nginx 1.22 (`nginx -V`: the modules below
//! that are not marked optional are compiled in) and the 1.26.2/1.30.4 builds of
//! `shared/servers/build-nginx.sh` (ssl, v2, realip on top of nginx's defaults).
//!
//! Taken from the 1.26.2 and 1.30.4 sources and checked name by name with `nginx -t` on
//! Debian's 1.22: a variable only the newer builds know is still known (the tree may be meant
//! for them), so it never makes a start error.

/// Which builds define a group's variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builds {
    /// Debian's 1.22 and the later builds (those of them that compile the module in).
    All,
    /// Only the newer builds (Debian's 1.22 refuses them).
    Since(&'static str),
    /// A module none of the builds compiles in: Debian ships it as a dynamic module, others
    /// compile it in on request.
    Optional(&'static str),
}

pub struct Group {
    /// Where in nginx's sources the names are defined (read by the test that holds the table
    /// against them, and by whoever extends it).
    #[allow(dead_code)]
    pub sources: &'static [&'static str],
    pub builds: Builds,
    pub names: &'static [&'static str],
    /// `NGX_HTTP_VAR_PREFIX` variables: any name starting with one of these is defined.
    pub prefixes: &'static [&'static str],
}

pub const GROUPS: &[Group] = &[
    Group {
        sources: &["src/http/ngx_http_variables.c"],
        builds: Builds::All,
        names: &[
            "http_host",
            "http_user_agent",
            "http_referer",
            "http_via",
            "http_x_forwarded_for",
            "http_cookie",
            "content_length",
            "content_type",
            "host",
            "binary_remote_addr",
            "remote_addr",
            "remote_port",
            "proxy_protocol_addr",
            "proxy_protocol_port",
            "proxy_protocol_server_addr",
            "proxy_protocol_server_port",
            "server_addr",
            "server_port",
            "server_protocol",
            "scheme",
            "https",
            "request_uri",
            "uri",
            "document_uri",
            "request",
            "document_root",
            "realpath_root",
            "query_string",
            "args",
            "is_args",
            "request_filename",
            "server_name",
            "request_method",
            "remote_user",
            "bytes_sent",
            "body_bytes_sent",
            "pipe",
            "request_completion",
            "request_body",
            "request_body_file",
            "request_length",
            "request_time",
            "request_id",
            "status",
            "sent_http_content_type",
            "sent_http_content_length",
            "sent_http_location",
            "sent_http_last_modified",
            "sent_http_connection",
            "sent_http_keep_alive",
            "sent_http_transfer_encoding",
            "sent_http_cache_control",
            "sent_http_link",
            "limit_rate",
            "connection",
            "connection_requests",
            "connection_time",
            "nginx_version",
            "hostname",
            "pid",
            "msec",
            "time_iso8601",
            "time_local",
            "tcpinfo_rtt",
            "tcpinfo_rttvar",
            "tcpinfo_snd_cwnd",
            "tcpinfo_rcv_space",
        ],
        prefixes: &["http_", "sent_http_", "sent_trailer_", "cookie_", "arg_"],
    },
    Group {
        sources: &["src/http/ngx_http_variables.c"],
        builds: Builds::Since("1.23.2"),
        names: &[],
        prefixes: &["proxy_protocol_tlv_"],
    },
    Group {
        sources: &["src/http/ngx_http_variables.c"],
        builds: Builds::Since("1.29"),
        names: &["request_port", "is_request_port"],
        prefixes: &[],
    },
    Group {
        sources: &["src/http/ngx_http_upstream.c"],
        builds: Builds::All,
        names: &[
            "upstream_addr",
            "upstream_status",
            "upstream_connect_time",
            "upstream_header_time",
            "upstream_response_time",
            "upstream_response_length",
            "upstream_bytes_received",
            "upstream_bytes_sent",
            "upstream_cache_status",
            "upstream_cache_last_modified",
            "upstream_cache_etag",
        ],
        prefixes: &["upstream_http_", "upstream_trailer_", "upstream_cookie_"],
    },
    Group {
        sources: &["src/http/modules/ngx_http_ssl_module.c"],
        builds: Builds::All,
        names: &[
            "ssl_protocol",
            "ssl_cipher",
            "ssl_ciphers",
            "ssl_curve",
            "ssl_curves",
            "ssl_session_id",
            "ssl_session_reused",
            "ssl_early_data",
            "ssl_server_name",
            "ssl_alpn_protocol",
            "ssl_client_cert",
            "ssl_client_raw_cert",
            "ssl_client_escaped_cert",
            "ssl_client_s_dn",
            "ssl_client_i_dn",
            "ssl_client_s_dn_legacy",
            "ssl_client_i_dn_legacy",
            "ssl_client_serial",
            "ssl_client_fingerprint",
            "ssl_client_verify",
            "ssl_client_v_start",
            "ssl_client_v_end",
            "ssl_client_v_remain",
        ],
        prefixes: &[],
    },
    Group {
        sources: &["src/http/modules/ngx_http_ssl_module.c"],
        builds: Builds::Since("1.29"),
        names: &[
            "ssl_sigalg",
            "ssl_client_sigalg",
            "ssl_ech_status",
            "ssl_ech_outer_server_name",
        ],
        prefixes: &[],
    },
    Group {
        sources: &["src/http/modules/ngx_http_proxy_module.c"],
        builds: Builds::All,
        names: &[
            "proxy_host",
            "proxy_port",
            "proxy_add_x_forwarded_for",
            "proxy_internal_body_length",
            "proxy_internal_chunked",
        ],
        prefixes: &[],
    },
    Group {
        sources: &["src/http/modules/ngx_http_proxy_module.c"],
        builds: Builds::Since("1.25"),
        names: &["proxy_add_via"],
        prefixes: &[],
    },
    Group {
        sources: &["src/http/modules/ngx_http_proxy_module.c"],
        builds: Builds::Since("1.29"),
        names: &["proxy_internal_host"],
        prefixes: &[],
    },
    Group {
        sources: &["src/http/modules/ngx_http_fastcgi_module.c"],
        builds: Builds::All,
        names: &["fastcgi_script_name", "fastcgi_path_info"],
        prefixes: &[],
    },
    Group {
        sources: &["src/http/modules/ngx_http_grpc_module.c"],
        builds: Builds::All,
        names: &["grpc_internal_trailers"],
        prefixes: &[],
    },
    Group {
        sources: &["src/http/modules/ngx_http_realip_module.c"],
        builds: Builds::All,
        names: &["realip_remote_addr", "realip_remote_port"],
        prefixes: &[],
    },
    Group {
        sources: &[
            "src/http/modules/ngx_http_limit_conn_module.c",
            "src/http/modules/ngx_http_limit_req_module.c",
        ],
        builds: Builds::All,
        names: &["limit_conn_status", "limit_req_status"],
        prefixes: &[],
    },
    Group {
        sources: &["src/http/modules/ngx_http_browser_module.c"],
        builds: Builds::All,
        names: &["msie", "modern_browser", "ancient_browser"],
        prefixes: &[],
    },
    Group {
        sources: &[
            "src/http/modules/ngx_http_gzip_filter_module.c",
            "src/http/modules/ngx_http_referer_module.c",
            "src/http/modules/ngx_http_userid_filter_module.c",
            "src/http/modules/ngx_http_ssi_filter_module.c",
        ],
        builds: Builds::All,
        names: &[
            "gzip_ratio",
            "invalid_referer",
            "uid_got",
            "uid_set",
            "uid_reset",
            "date_local",
            "date_gmt",
        ],
        prefixes: &[],
    },
    Group {
        sources: &["src/http/v2/ngx_http_v2_module.c"],
        builds: Builds::All,
        names: &["http2"],
        prefixes: &[],
    },
    // Compiled into Debian's 1.22 (`--with-http_secure_link_module`, `--with-http_slice_module`,
    // `--with-http_stub_status_module`) but not into the builds of build-nginx.sh.
    Group {
        sources: &[
            "src/http/modules/ngx_http_secure_link_module.c",
            "src/http/modules/ngx_http_slice_filter_module.c",
            "src/http/modules/ngx_http_stub_status_module.c",
        ],
        builds: Builds::All,
        names: &[
            "secure_link",
            "secure_link_expires",
            "slice_range",
            "connections_active",
            "connections_reading",
            "connections_writing",
            "connections_waiting",
        ],
        prefixes: &[],
    },
    Group {
        sources: &["src/http/v3/ngx_http_v3_module.c"],
        builds: Builds::Optional("ngx_http_v3_module (--with-http_v3_module)"),
        names: &["http3"],
        prefixes: &[],
    },
    Group {
        sources: &["src/http/modules/ngx_http_geoip_module.c"],
        builds: Builds::Optional("ngx_http_geoip_module (Debian: libnginx-mod-http-geoip)"),
        names: &[
            "geoip_country_code",
            "geoip_country_code3",
            "geoip_country_name",
            "geoip_org",
            "geoip_city_continent_code",
            "geoip_city_country_code",
            "geoip_city_country_code3",
            "geoip_city_country_name",
            "geoip_region",
            "geoip_region_name",
            "geoip_city",
            "geoip_postal_code",
            "geoip_latitude",
            "geoip_longitude",
            "geoip_dma_code",
            "geoip_area_code",
        ],
        prefixes: &[],
    },
];

/// The group that defines `name` (lowercase, as nginx compares), if nginx defines it itself.
pub fn lookup(name: &str) -> Option<&'static Group> {
    GROUPS
        .iter()
        .find(|g| g.names.contains(&name) || g.prefixes.iter().any(|p| name.starts_with(p)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;

    /// One file of nginx's source archive, or `None` when the archive is not beside the
    /// repository (`../shared/servers/nginx/`).
    fn nginx_source(version: &str, file: &str) -> Option<String> {
        let archive = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
            "../../../shared/servers/nginx/nginx-{version}.tar.gz"
        ));
        if !archive.is_file() {
            return None;
        }
        let out = Command::new("tar")
            .arg("-xzOf")
            .arg(&archive)
            .arg(format!("nginx-{version}/{file}"))
            .output()
            .expect("tar runs");
        assert!(out.status.success(), "{file} not in {}", archive.display());
        Some(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// The names of the `ngx_http_variable_t` arrays of a source file.
    fn arrays(text: &str) -> Vec<String> {
        let mut names = Vec::new();
        for part in text.split("ngx_http_variable_t").skip(1) {
            // A declaration `ngx_http_variable_t name[] = {`, not a pointer or a parameter.
            let part = part.trim_start();
            let ident = part
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            let Some(body) = part[ident..].strip_prefix("[] = {") else {
                continue;
            };
            let body = body.split("\n};").next().unwrap_or_default();
            for entry in body.split("{ ngx_string(\"").skip(1) {
                let name = entry.split('"').next().unwrap_or_default();
                names.push(name.to_string());
            }
        }
        names
    }

    /// Each name of the table is in the source file it is said to come from, and each name
    /// of those files' variable arrays is in the table: a table copied by hand stays true to
    /// nginx's sources.
    #[test]
    fn the_table_is_what_the_nginx_sources_define() {
        let Some(_) = nginx_source("1.30.4", "src/http/ngx_http_variables.c") else {
            if std::env::var_os("CI").is_some() {
                panic!("../shared/servers/nginx is missing, and CI is set: this test must run");
            }
            eprintln!("SKIPPED the_table_is_what_the_nginx_sources_define: no nginx sources");
            return;
        };
        for g in GROUPS {
            let text: String = g
                .sources
                .iter()
                .map(|f| nginx_source("1.30.4", f).expect("archive present"))
                .collect();
            for name in g.names.iter().chain(g.prefixes) {
                assert!(
                    text.contains(&format!("ngx_string(\"{name}\")")),
                    "`{name}` is not defined in {:?}",
                    g.sources
                );
            }
            for name in arrays(&text) {
                let prefix = name.ends_with('_');
                let known = match prefix {
                    true => GROUPS.iter().any(|g| g.prefixes.contains(&name.as_str())),
                    false => lookup(&name).is_some(),
                };
                assert!(
                    known,
                    "{:?} defines `{name}`, missing from the table",
                    g.sources
                );
            }
        }
    }
}
