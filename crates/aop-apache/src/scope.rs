//! The server-level settings of one context (the main server or one `<VirtualHost>`),
//! collected in order; the last occurrence of a directive wins, as in httpd.

use aop_model::{codes, ClientVerify, Finding, Label};
use aop_source::Span;

use crate::ast::{Arg, Directive};
use crate::errors::ConfError;

/// Sections whose contents apply per request path, not to the whole server, as httpd's
/// messages spell them.
const PER_DIRECTORY: &[&str] = &[
    "Directory",
    "DirectoryMatch",
    "Location",
    "LocationMatch",
    "Files",
    "FilesMatch",
    "Proxy",
    "ProxyMatch",
    "If",
    "ElseIf",
    "Else",
    "Limit",
    "LimitExcept",
    "RequireAll",
    "RequireAny",
    "RequireNone",
];

/// Whether a section (its name in lowercase) applies per request path.
pub fn is_per_directory(name: &str) -> bool {
    per_directory_name(name).is_some()
}

/// A per-directory section's name as httpd spells it, from its name in lowercase.
pub fn per_directory_name(name: &str) -> Option<&'static str> {
    PER_DIRECTORY
        .iter()
        .find(|n| n.eq_ignore_ascii_case(name))
        .copied()
}

#[derive(Default)]
pub struct Scope<'t> {
    pub server_name: Option<&'t Arg>,
    pub aliases: Vec<&'t Arg>,
    /// `SSLEngine on|off` (`optional` is the RFC 2817 upgrade: no TLS on connect).
    pub ssl_engine: Option<(bool, Span)>,
    pub verify: Option<(ClientVerify, Span)>,
    pub ca_file: Option<&'t Directive>,
    pub ca_path: Option<&'t Directive>,
    pub certificate: Option<Span>,
    pub document_root: Option<Span>,
    pub rewrite_engine: bool,
    /// `UseCanonicalName On`: `SERVER_NAME` is the configured name, not the client's.
    pub use_canonical_name: Option<bool>,
    /// Server-level directives, in order (for what the server does with a request).
    pub directives: Vec<&'t Directive>,
    /// `<Directory>`, `<Location>`, `<If>`... at server level.
    pub sections: Vec<&'t Directive>,
}

impl<'t> Scope<'t> {
    pub fn collect(directives: &'t [Directive], findings: &mut Vec<Finding>) -> Self {
        let mut s = Scope::default();
        for d in directives {
            if d.is("virtualhost") {
                continue;
            }
            if d.section.is_some() {
                if is_per_directory(&d.name) {
                    s.sections.push(d);
                }
                continue;
            }
            s.directives.push(d);
            match d.name.as_str() {
                "servername" => s.server_name = d.args.first(),
                "serveralias" => s.aliases.extend(d.args.iter()),
                "sslengine" => {
                    if let Some(v) = d.arg(0) {
                        s.ssl_engine = Some((v.eq_ignore_ascii_case("on"), d.span));
                    }
                }
                "sslverifyclient" => {
                    if let Some(v) = verify_value(d, findings) {
                        s.verify = Some((v, d.span));
                    }
                }
                "sslcacertificatefile" => s.ca_file = Some(d),
                "sslcacertificatepath" => s.ca_path = Some(d),
                "sslcertificatefile" => s.certificate = Some(d.span),
                "documentroot" => s.document_root = Some(d.span),
                "usecanonicalname" => {
                    s.use_canonical_name = d.arg(0).map(|v| v.eq_ignore_ascii_case("on"))
                }
                "rewriteengine" => {
                    s.rewrite_engine = d.arg(0).is_some_and(|v| v.eq_ignore_ascii_case("on"))
                }
                _ => {}
            }
        }
        s
    }
}

/// `SSLVerifyClient`'s argument; `on`/`off` are accepted aliases of `require`/`none`.
pub fn verify_value(d: &Directive, findings: &mut Vec<Finding>) -> Option<ClientVerify> {
    let arg = d.args.first()?;
    let v = match arg.value.to_ascii_lowercase().as_str() {
        "none" | "off" => ClientVerify::Off,
        "require" | "on" => ClientVerify::On,
        "optional" => ClientVerify::Optional,
        "optional_no_ca" => ClientVerify::OptionalNoCa,
        _ => {
            findings.push(
                Finding::new(
                    codes::PARSE_ERROR,
                    format!(
                        "{}: httpd refuses to start",
                        ConfError::InvalidArgument {
                            directive: "SSLVerifyClient".into(),
                            value: arg.value.clone(),
                        }
                    ),
                    Label::new(
                        arg.span,
                        "expected none, optional, require or optional_no_ca",
                    ),
                )
                .with_help("SSLVerifyClient require"),
            );
            return None;
        }
    };
    Some(v)
}
