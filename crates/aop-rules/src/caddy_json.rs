//! Fixes for a Caddy JSON config: a rule writes its Caddy fix in Caddyfile syntax, and a
//! finding on a JSON config gets the same fix written as JSON instead. One table here, keyed
//! by the rule and the first line of its Caddyfile fix, rather than a second fix in every
//! rule.

use aop_model::{ConfigSyntax, Finding, ServerKind};

use crate::Context;

/// (rule code, first line of the Caddyfile fix, the fix in JSON).
const JSON_FIXES: &[(&str, &str, &str)] = &[
    (
        "AOP101",
        "require and verify Cloudflare's client certificate in this site:",
        "require and verify Cloudflare's client certificate in the TLS connection policy of this site's names:\n    \"client_authentication\": {\n        \"ca\": {\"provider\": \"file\", \"pem_files\": [\"/etc/caddy/origin-pull-ca.pem\"]},\n        \"mode\": \"require_and_verify\"\n    }",
    ),
    (
        "AOP101",
        "verify the certificate against Cloudflare's CA:",
        "verify the certificate against Cloudflare's CA:\n    \"client_authentication\": {\n        \"ca\": {\"provider\": \"file\", \"pem_files\": [\"/etc/caddy/origin-pull-ca.pem\"]},\n        \"mode\": \"require_and_verify\"\n    }",
    ),
    (
        "AOP101",
        "remove `strict_sni_host insecure_off`",
        "remove `\"strict_sni_host\": false` from the server: with client authentication, Caddy then answers such requests with 421",
    ),
    (
        "AOP102",
        "verify and require the certificate at the handshake:",
        "verify and require the certificate at the handshake:\n    \"client_authentication\": {\n        \"ca\": {\"provider\": \"file\", \"pem_files\": [\"/etc/caddy/origin-pull-ca.pem\"]},\n        \"mode\": \"require_and_verify\"\n    }",
    ),
    (
        "AOP104",
        "name the CA that signs Cloudflare's client certificate:",
        "name the CA that signs Cloudflare's client certificate:\n    \"client_authentication\": {\n        \"ca\": {\"provider\": \"file\", \"pem_files\": [\"/etc/caddy/origin-pull-ca.pem\"]},\n        \"mode\": \"require_and_verify\"\n    }",
    ),
    (
        "AOP201",
        "give ",
        "end the server's routes with one that refuses every hostname the routes before it do not name (routes are tried in order):\n    {\"handle\": [{\"handler\": \"static_response\", \"abort\": true}]}",
    ),
    (
        "AOP202",
        "serve this site over HTTPS only:",
        "serve this site over HTTPS only: let automatic HTTPS give its server TLS (a port other than the HTTP port, a `host` matcher, no `\"automatic_https\": {\"disable\": true}`; Caddy then redirects plain HTTP to HTTPS by itself) or give the server `tls_connection_policies`, or refuse plain HTTP in this route:\n    {\"handler\": \"static_response\", \"abort\": true}",
    ),
    (
        "AOP305",
        "for proof that a request comes from your zone",
        "for proof that a request comes from your zone, upload a client certificate of your own to Cloudflare (zone-level or per-hostname Authenticated Origin Pulls), verify against its CA, and declare that CA in aop-lint.toml (trusted_ca_sha256); until then, end each TLS server's routes with one that refuses every hostname the routes before it do not name (routes are tried in order):\n    {\"handle\": [{\"handler\": \"static_response\", \"abort\": true}]}",
    ),
    (
        "AOP501",
        "trust only Cloudflare's ranges",
        "trust only Cloudflare's ranges (https://www.cloudflare.com/ips/) in the server:\n    \"trusted_proxies\": {\"source\": \"static\", \"ranges\": [\"173.245.48.0/20\", ..., \"2400:cb00::/32\"]},\n    \"client_ip_headers\": [\"CF-Connecting-IP\"]",
    ),
];

/// The JSON form of `help`, when `code`'s Caddyfile fix is one the table knows.
fn json_fix(code: &str, help: &str) -> Option<&'static str> {
    JSON_FIXES
        .iter()
        .find(|(c, first, _)| *c == code && help.starts_with(first))
        .map(|(_, _, json)| *json)
}

pub(crate) fn rewrite(cx: &Context, out: &mut [Finding]) {
    if cx.config.kind != ServerKind::Caddy || cx.config.syntax != ConfigSyntax::Json {
        return;
    }
    for f in out.iter_mut() {
        if let Some(json) = f.help.as_deref().and_then(|h| json_fix(f.code, h)) {
            f.help = Some(json.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Caddyfile fix the table names is one its rule still writes.
    #[test]
    fn the_table_names_fixes_the_rules_write() {
        let sources = [
            include_str!("rules/client_verify_missing.rs"),
            include_str!("rules/client_verify_optional_unenforced.rs"),
            include_str!("rules/client_ca_missing.rs"),
            include_str!("rules/default_server_missing.rs"),
            include_str!("rules/plaintext_serves_content.rs"),
            include_str!("rules/real_ip_untrusted.rs"),
            include_str!("rules/ca_shared_cloudflare.rs"),
        ];
        for (code, first, _) in JSON_FIXES {
            let written = sources.iter().any(|s| {
                s.contains(&format!("code: \"{code}\"")) && s.contains(&format!("\"{first}"))
            });
            assert!(written, "{code}: no rule writes a fix starting `{first}`");
        }
    }
}
