//! httpd's check that the virtual host a request names may use the TLS session another
//! virtual host of the address:port made, and what decides it in each release: the answer
//! to whether a client verified by one vhost reaches another (CVE-2025-23048).
//! docs/semantics.md, "Apache: one vhost's handshake, another vhost's request".

use aop_model::{CaRef, ClientVerify, DirectiveName, Server, Version};
use aop_source::Span;

/// `SSLStrictSNIVHostCheck on`: a client that sent no SNI gets `403` from a name-based vhost.
pub const STRICT_SNI: DirectiveName = DirectiveName {
    nginx: "",
    apache: "SSLStrictSNIVHostCheck",
};

/// `SSLVHostSNIPolicy`: how alike the two vhosts' SSL settings must be (httpd 2.4.66).
pub const SNI_POLICY: DirectiveName = DirectiveName {
    nginx: "",
    apache: "SSLVHostSNIPolicy",
};

/// mod_ssl's first release with TLS 1.3, whose sessions resume across vhosts.
pub const TLS13_FROM: Version = Version::new(2, 4, 35);
/// The release that fixed CVE-2025-23048: the two vhosts' SSL settings are compared for
/// every request, with or without SNI, and a mismatch answers `421`.
pub const FIXED: Version = Version::new(2, 4, 64);
/// The release that added `SSLVHostSNIPolicy`.
pub const POLICY_FROM: Version = Version::new(2, 4, 66);

/// The values of `SSLVHostSNIPolicy` (case-insensitive, as httpd reads them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SniPolicy {
    /// Any other vhost: `421`.
    Strict,
    /// Another certificate, protocol, cipher or client verification: `421` (the default).
    Secure,
    /// Other client verification or authentication settings: `421`.
    AuthOnly,
    /// Nothing compared: the request is served over the other vhost's verification.
    Insecure,
}

impl SniPolicy {
    pub fn parse(word: &str) -> Option<SniPolicy> {
        match word.to_ascii_lowercase().as_str() {
            "strict" => Some(SniPolicy::Strict),
            "secure" => Some(SniPolicy::Secure),
            "authonly" => Some(SniPolicy::AuthOnly),
            "insecure" => Some(SniPolicy::Insecure),
            _ => None,
        }
    }
}

/// The `SSLVHostSNIPolicy` a server runs under, with its line: httpd takes it from the main
/// server only, so every vhost inherits the same one. `None` when the tree sets none or its
/// value is not one httpd accepts (AOP001 reports that).
pub fn policy(s: &Server) -> Option<(SniPolicy, Span)> {
    let w = s.directive(SNI_POLICY)?;
    let value = SniPolicy::parse(w.value.arg(0)?)?;
    Some((value, w.value.span))
}

/// `SSLStrictSNIVHostCheck on` in force in `s` (its own or the main server's).
pub fn strict_sni(s: &Server) -> Option<Span> {
    let w = s.directive(STRICT_SNI)?;
    w.value
        .arg(0)
        .is_some_and(|v| v.eq_ignore_ascii_case("on"))
        .then_some(w.value.span)
}

/// How the crossing came about, for the finding's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Crossing {
    /// httpd serves the request: why, for a note.
    Open(Why),
    /// The release decides and none was given: what each release does, for a note.
    Depends,
    /// httpd refuses the request (`421`, or `403` without SNI under the strict check).
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// `SSLVHostSNIPolicy insecure` (2.4.66 and later).
    Insecure(Span),
    /// A release before the CVE-2025-23048 fix, without `SSLStrictSNIVHostCheck on`.
    BeforeFix(Version),
}

/// The policy that decides, where the release has one: what the tree sets, else `secure`.
/// `None` for a release before 2.4.66, which has no policy (and refuses the directive).
fn policy_in_force(version: Option<Version>, s: &Server) -> Option<(SniPolicy, Option<Span>)> {
    match (version, policy(s)) {
        (Some(v), _) if v < POLICY_FROM => None,
        (_, Some((p, span))) => Some((p, Some(span))),
        (Some(_), None) => Some((SniPolicy::Secure, None)),
        // A tree that sets no policy runs on any release.
        (None, None) => None,
    }
}

/// Whether `SSLVHostSNIPolicy insecure` is in force for `s` on `version` (or, without one,
/// on the releases that start the tree).
pub fn insecure(version: Option<Version>, s: &Server) -> bool {
    matches!(policy_in_force(version, s), Some((SniPolicy::Insecure, _)))
}

/// Whether `target` serves a request made over a connection whose handshake was
/// `handshake`'s, where the client sent no SNI (`handshake` is the default vhost), or,
/// under `SSLVHostSNIPolicy insecure`, the SNI of `handshake`. Releases before 2.4.64 make
/// no check without SNI unless `SSLStrictSNIVHostCheck on` is set in either vhost (2.4.62's
/// `ssl_hook_ReadReq`, and measured on it); 2.4.64 and later compare the two vhosts' SSL
/// settings.
pub fn handshake_crossing(
    version: Option<Version>,
    handshake: &Server,
    target: &Server,
) -> Crossing {
    if let Some((p, span)) = policy_in_force(version, target) {
        return match (p, span) {
            // An SNI that names no vhost gets in even beside `SSLStrictSNIVHostCheck on`
            // (measured on 2.4.71): that check only refuses clients that send no SNI.
            (SniPolicy::Insecure, Some(span)) => Crossing::Open(Why::Insecure(span)),
            _ => Crossing::Closed,
        };
    }
    if strict_sni(handshake).is_some() || strict_sni(target).is_some() {
        return Crossing::Closed;
    }
    match version {
        Some(v) if v < FIXED => Crossing::Open(Why::BeforeFix(v)),
        Some(_) => Crossing::Closed,
        None => Crossing::Depends,
    }
}

/// Whether a TLS 1.3 session made with another vhost than the default may resume at
/// `target`, which then serves the request (CVE-2025-23048's advisory: 2.4.35 up to 2.4.63,
/// unless `SSLStrictSNIVHostCheck on` in either vhost; not reproduced on 2.4.62): the part
/// that depends on `target`, the other vhost closing it only by `SSLStrictSNIVHostCheck
/// on`. Under `SSLVHostSNIPolicy insecure` no session needs to resume:
/// [`handshake_crossing`] reports it.
pub fn resumption_crossing_to(version: Option<Version>, target: &Server) -> Crossing {
    if policy_in_force(version, target).is_some() || strict_sni(target).is_some() {
        return Crossing::Closed;
    }
    match version {
        Some(v) if (TLS13_FROM..FIXED).contains(&v) => Crossing::Open(Why::BeforeFix(v)),
        Some(_) => Crossing::Closed,
        None => Crossing::Depends,
    }
}

/// Whether the verification of `handshake`'s handshake stands for `target`'s: httpd asks
/// for the certificate again (renegotiation, or TLS 1.3 post-handshake authentication) when
/// the request's vhost requires one (`SSLVerifyClient require`, also in a section covering
/// the site) and the handshake's vhost only asked for it (`optional`, `optional_no_ca`), and
/// then refuses a certificate its own CA did not issue (`403`, measured on 2.4.62 and 2.4.71
/// with `require` at the vhost's level; the section case takes the same code path).
/// A handshake under `require`, or a target that checks `optional` with `Require`, carries.
pub fn verification_carries(handshake: &Server, target: &Server) -> bool {
    handshake.client_verify.value == ClientVerify::On || !asks_again(target)
}

/// Whether `target` asks a client whose handshake only asked for a certificate for one
/// again (see [`verification_carries`]).
pub fn asks_again(target: &Server) -> bool {
    target.client_verify.value == ClientVerify::On
        || target
            .site_verified_per_directory()
            .is_some_and(|p| p.value == ClientVerify::On)
}

/// The first CA `handshake` trusts that `target` does not name: what lets a certificate
/// through the one and not the other.
pub fn ca_not_named_by<'a>(handshake: &'a Server, target: &Server) -> Option<&'a CaRef> {
    handshake
        .ca
        .iter()
        .find(|c| !target.ca.iter().any(|t| t.resolved == c.resolved))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_values_as_httpd_reads_them() {
        assert_eq!(SniPolicy::parse("INSECURE"), Some(SniPolicy::Insecure));
        assert_eq!(SniPolicy::parse("authonly"), Some(SniPolicy::AuthOnly));
        assert_eq!(SniPolicy::parse("loose"), None);
    }
}
