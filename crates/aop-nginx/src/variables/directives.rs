//! Which directives nginx compiles with variables, and which of their arguments.

/// Which arguments of a directive nginx compiles with variables.
pub enum Scripts {
    All,
    From(usize),
    Last,
    /// `access_log path [format] [if=condition] ...`
    AccessLog,
    /// `log_format name [escape=...] string ...`
    LogFormat,
    /// `proxy_redirect`, `proxy_cookie_*`: all but the regexes.
    NotRegex,
}

/// Directives each of whose arguments nginx compiles with variables. Each was seen refused by
/// `nginx -t` (1.22) with `unknown "..." variable` for an undefined name there; not `mirror`
/// nor `default_type`, where nginx takes a `$` as text.
const ALL_ARGS: &[&str] = &[
    "return",
    "proxy_pass",
    "fastcgi_pass",
    "uwsgi_pass",
    "scgi_pass",
    "grpc_pass",
    "root",
    "alias",
    "try_files",
    "index",
    "proxy_cache_key",
    "fastcgi_cache_key",
    "uwsgi_cache_key",
    "scgi_cache_key",
    "proxy_no_cache",
    "proxy_cache_bypass",
    "fastcgi_no_cache",
    "fastcgi_cache_bypass",
    "uwsgi_no_cache",
    "uwsgi_cache_bypass",
    "scgi_no_cache",
    "scgi_cache_bypass",
    "proxy_set_body",
    "auth_basic",
    "auth_basic_user_file",
    "limit_rate",
    "limit_rate_after",
    "secure_link",
    "secure_link_md5",
    "limit_req_zone",
    "limit_conn_zone",
    "proxy_ssl_name",
    "proxy_ssl_certificate",
    "proxy_ssl_certificate_key",
    "ssl_certificate",
    "ssl_certificate_key",
    "proxy_bind",
    "sub_filter",
    "hash",
    "proxy_cache",
    "fastcgi_cache",
    "uwsgi_cache",
    "scgi_cache",
    "proxy_store",
    "fastcgi_store",
    "grpc_ssl_name",
    "proxy_method",
    "charset",
    "expires",
];

/// Directives whose first argument is a name (a header, a parameter, the variable set) and
/// the rest scripts.
const AFTER_THE_FIRST: &[&str] = &[
    "proxy_set_header",
    "grpc_set_header",
    "fastcgi_param",
    "uwsgi_param",
    "scgi_param",
    "add_header",
    "add_trailer",
    "auth_request_set",
    "set",
    "rewrite",
];

pub fn scripts(name: &str) -> Option<Scripts> {
    Some(match name {
        _ if ALL_ARGS.contains(&name) => Scripts::All,
        _ if AFTER_THE_FIRST.contains(&name) => Scripts::From(1),
        "error_page" => Scripts::Last,
        "access_log" => Scripts::AccessLog,
        "log_format" => Scripts::LogFormat,
        "proxy_redirect" | "proxy_cookie_domain" | "proxy_cookie_path" => Scripts::NotRegex,
        _ => return None,
    })
}

/// Blocks whose lines are data (a table's keys and values), not directives.
pub fn holds_data(name: &str) -> bool {
    matches!(
        name,
        "map" | "geo" | "split_clients" | "types" | "charset_map" | "match"
    )
}

impl Scripts {
    /// Where the script starts in argument `i` of `len` (a byte offset), or `None` when the
    /// argument is not one.
    pub fn pick(&self, i: usize, len: usize, value: &str) -> Option<usize> {
        match self {
            Scripts::All => Some(0),
            Scripts::From(n) => (i >= *n).then_some(0),
            Scripts::Last => (i + 1 == len).then_some(0),
            Scripts::AccessLog if i == 0 => Some(0),
            Scripts::AccessLog => value.starts_with("if=").then_some(3),
            Scripts::LogFormat => (i >= 1 && !value.starts_with("escape=")).then_some(0),
            Scripts::NotRegex => (!value.starts_with('~')).then_some(0),
        }
    }
}
