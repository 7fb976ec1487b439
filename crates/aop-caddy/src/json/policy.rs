//! `tls_connection_policies`: which policy a handshake gets (the first whose matchers all
//! pass; a policy without matchers takes every handshake) and the client authentication
//! each one asks for. `client_authentication` without `mode` verifies against the trust
//! given (`require_and_verify`), as the Caddyfile's `client_auth` does.

use std::path::{Path, PathBuf};

use aop_model::{codes, CaRef, CaRefKind, Finding, Label, LoadOptions};
use aop_source::{FileId, Span};

use crate::client_auth::{add_ca_files, mode_of, verify_setting, ClientAuth};
use crate::json::unknown_fields;
use crate::json::value::Value;

/// The members of a TLS connection policy in Caddy 2.11.7.
const POLICY: &[&str] = &[
    "alpn",
    "certificate_selection",
    "cipher_suites",
    "client_authentication",
    "curves",
    "default_sni",
    "drop",
    "fallback_sni",
    "handshake_context",
    "insecure_secrets_log",
    "match",
    "protocol_max",
    "protocol_min",
];
/// The members of `client_authentication` in Caddy 2.11.7.
const CLIENT_AUTH: &[&str] = &[
    "ca",
    "mode",
    "trusted_ca_certs",
    "trusted_ca_certs_pem_files",
    "trusted_leaf_certs",
    "verifiers",
];

pub struct Policy {
    /// `match.sni`; `None` when the policy has no SNI matcher.
    pub sni: Option<Vec<String>>,
    pub auth: ClientAuth,
}

impl Policy {
    fn takes(&self, host: Option<&str>) -> bool {
        match (&self.sni, host) {
            (None, _) => true,
            (Some(names), Some(host)) => names.iter().any(|n| sni_matches(n, host)),
            (Some(_), None) => false,
        }
    }
}

/// The policy a handshake for `host` gets (`None`: a handshake without a name Caddy knows).
pub fn chosen(policies: &[Policy], host: Option<&str>) -> Option<usize> {
    policies.iter().position(|p| p.takes(host))
}

/// `*.example.com` takes one label; names compare without case.
fn sni_matches(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.to_ascii_lowercase(), host.to_ascii_lowercase());
    if pattern == host {
        return true;
    }
    match (pattern.strip_prefix("*."), host.split_once('.')) {
        (Some(suffix), Some((_, rest))) => suffix == rest,
        _ => false,
    }
}

/// Reads a server's `tls_connection_policies` from one JSON file.
pub struct PolicyReader<'a> {
    pub file: FileId,
    /// The JSON file: what certificates written into it are read as.
    pub path: &'a Path,
    pub dir: &'a Path,
    pub opts: &'a LoadOptions,
}

impl PolicyReader<'_> {
    fn span(&self, v: &Value) -> Span {
        Span::new(self.file, v.start, v.end)
    }

    pub fn policies(&self, list: &Value, findings: &mut Vec<Finding>) -> Vec<Policy> {
        list.items()
            .iter()
            .map(|p| self.policy(p, findings))
            .collect()
    }

    fn policy(&self, p: &Value, findings: &mut Vec<Finding>) -> Policy {
        unknown_fields(p, POLICY, self.file, findings);
        if let Some(drop) = p.get("drop").filter(|d| d.is_true()) {
            findings.push(self.not_checked(
                drop,
                "`drop`: the handshakes this policy takes are dropped, which aop-lint does not model; what they reach was judged as if they completed",
            ));
        }
        let mut sni = None;
        if let Some(m) = p.get("match") {
            for matcher in m.members() {
                match matcher.key.as_str() {
                    "sni" => {
                        sni = Some(
                            matcher
                                .value
                                .items()
                                .iter()
                                .filter_map(|v| v.str().map(str::to_string))
                                .collect(),
                        );
                    }
                    other => findings.push(
                        Finding::new(
                            codes::NOT_CHECKED,
                            format!("TLS connection policy matcher `{other}` is not read: which handshakes this policy takes was not checked"),
                            Label::new(self.span(&matcher.value), "not checked"),
                        )
                        .with_note("aop-lint takes the policy as one that may apply to any handshake"),
                    ),
                }
            }
        }
        let auth = match p
            .members()
            .iter()
            .rfind(|m| m.key == "client_authentication")
        {
            Some(m) => {
                let key = Span::new(self.file, m.key_start, m.key_end);
                self.client_auth(&m.value, key, findings)
            }
            None => ClientAuth::default(),
        };
        Policy { sni, auth }
    }

    /// `key` is the span of `"client_authentication"`: where verification is turned on (or
    /// off) when no `mode` says it.
    fn client_auth(&self, block: &Value, key: Span, findings: &mut Vec<Finding>) -> ClientAuth {
        let mut mode = None;
        let mut trusted = false;
        let mut named: Vec<(CaRefKind, &str, Span)> = Vec::new();
        let mut inline = Vec::new();
        unknown_fields(block, CLIENT_AUTH, self.file, findings);
        for m in block.members() {
            let v = &m.value;
            match m.key.as_str() {
                "mode" => match v.str().and_then(mode_of) {
                    Some(verify) => mode = Some((verify, self.span(v))),
                    None => findings
                        .push(self.not_checked(v, "`mode`: an unknown client authentication mode")),
                },
                "ca" => {
                    trusted = true;
                    self.trust_pool(v, &mut named, &mut inline, findings);
                }
                "trusted_ca_certs" => {
                    trusted = trusted || !v.items().is_empty();
                    inline.extend(v.items().iter().enumerate());
                }
                "trusted_ca_certs_pem_files" => {
                    trusted = trusted || !v.items().is_empty();
                    for f in v.items() {
                        if let Some(path) = f.str() {
                            named.push((CaRefKind::CaddyTrustedCaCertFile, path, self.span(f)));
                        }
                    }
                }
                "trusted_leaf_certs" | "verifiers" => {
                    trusted = trusted || !v.items().is_empty();
                    findings.push(self.not_checked(
                        v,
                        &format!("`{}`: a trust source other than PEM files", m.key),
                    ));
                }
                // Caddy has no other member: `unknown_fields` said so.
                _ => {}
            }
        }
        let mut out = ClientAuth {
            verify: verify_setting(mode, trusted, key),
            ca: Vec::new(),
        };
        add_ca_files(
            named,
            self.dir,
            "the JSON config",
            self.opts,
            findings,
            &mut out.ca,
        );
        out.ca
            .extend(inline.into_iter().map(|(i, c)| self.inline_cert(i, c)));
        out
    }

    /// `"ca": {"provider": "file", "pem_files": [...]}` and the other trust pool providers.
    fn trust_pool<'v>(
        &self,
        ca: &'v Value,
        named: &mut Vec<(CaRefKind, &'v str, Span)>,
        inline: &mut Vec<(usize, &'v Value)>,
        findings: &mut Vec<Finding>,
    ) {
        match ca.get("provider").and_then(Value::str) {
            Some("file") => {
                for f in ca.get("pem_files").map_or(&[][..], Value::items) {
                    if let Some(path) = f.str() {
                        named.push((CaRefKind::CaddyTrustPoolFile, path, self.span(f)));
                    }
                }
            }
            Some("inline") => {
                let certs = ca.get("trusted_ca_certs").map_or(&[][..], Value::items);
                inline.extend(certs.iter().enumerate());
            }
            Some(other) => findings.push(self.not_checked(
                ca,
                &format!("`ca` `{other}`: a trust pool other than PEM files"),
            )),
            None => findings.push(self.not_checked(ca, "`ca` without a `provider`")),
        }
    }

    /// One certificate written into the config as base64 DER: read as the PEM block it is
    /// the body of; it is named by where it stands in the file.
    fn inline_cert(&self, index: usize, cert: &Value) -> CaRef {
        let base64: String = cert
            .str()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let lines: Vec<&str> = base64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect();
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            lines.join("\n")
        );
        CaRef {
            kind: CaRefKind::CaddyInlineCerts,
            path: format!("trusted_ca_certs[{index}]"),
            resolved: PathBuf::from(format!("{}:{}", self.path.display(), cert.start)),
            // Its opening: a certificate is a line of two thousand characters.
            span: Span::new(self.file, cert.start, cert.end.min(cert.start + 17)),
            inherited: false,
            inline: Some(pem),
        }
    }

    fn not_checked(&self, v: &Value, what: &str) -> Finding {
        Finding::new(
            codes::NOT_CHECKED,
            format!("{what}, not checked"),
            Label::new(self.span(v), "not checked"),
        )
    }
}

/// A policy's client authentication as the model keeps it.
pub fn verify_of(p: Option<&Policy>) -> ClientAuth {
    match p {
        Some(p) => ClientAuth {
            verify: p.auth.verify,
            ca: p.auth.ca.clone(),
        },
        None => ClientAuth::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::sni_matches;

    #[test]
    fn wildcards_take_one_label() {
        assert!(sni_matches("*.example.com", "shop.example.com"));
        assert!(!sni_matches("*.example.com", "a.shop.example.com"));
        assert!(sni_matches("Shop.Example.com", "shop.example.com"));
    }
}
