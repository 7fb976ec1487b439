//! Which requests a target gets: the scenarios of the static simulation that can be sent from
//! outside, for each TLS port and hostname, and plain HTTP on the plain ports.

use std::net::SocketAddr;

/// A host name no site configures, in a reserved top-level domain.
pub const UNKNOWN_NAME: &str = "aop-lint-probe.invalid";

/// What the user named: one origin address, its ports and the site names to try.
#[derive(Clone, Debug)]
pub struct TargetSpec {
    pub address: SocketAddr,
    /// Send from this address of this machine (`--source`).
    pub source: Option<std::net::IpAddr>,
    /// Paths asked besides `/` (`--path`), each without a certificate.
    pub paths: Vec<String>,
    pub tls_ports: Vec<u16>,
    pub plain_ports: Vec<u16>,
    pub hosts: Vec<String>,
    pub user_cert: bool,
    /// What the configuration says about each name probed (`--config`).
    pub from_files: Vec<SiteHints>,
}

/// A forwarding header in which a client claims an address: `X-Forwarded-For: 127.0.0.1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub header: String,
    pub address: String,
}

/// The requests the files suggest for one site name, beyond the ones every name gets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SiteHints {
    pub host: String,
    /// Paths the files serve (a `location`, a `<Location>` that lets everyone in).
    pub paths: Vec<String>,
    /// The server asks for the certificate per directory, after the handshake: its paths
    /// are asked again by a client that offers TLS 1.3 post-handshake authentication.
    pub post_handshake_auth: bool,
    /// Claims the server believes from some senders (a realip module, mod_remoteip).
    pub claims: Vec<Claim>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sni {
    /// The same name as `Host`.
    Host,
    /// None: a client talking to the address directly.
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertChoice {
    None,
    /// From a CA made on the spot, which no origin can trust.
    Throwaway,
    /// The user's own (`--client-cert`), the path that must work.
    User,
}

/// One request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    pub port: u16,
    pub tls: bool,
    pub sni: Sni,
    pub host: String,
    pub path: String,
    pub cert: CertChoice,
    /// The forwarding header sent, if any.
    pub claim: Option<Claim>,
    /// Offers TLS 1.3 post-handshake authentication (and answers a request for a certificate
    /// with none): what curl and OpenSSL-based clients do, and rustls cannot.
    pub post_handshake_auth: bool,
}

impl Probe {
    /// As the report shows it: `TLS :443 SNI shop.example.com, Host shop.example.com, no
    /// client certificate`.
    pub fn describe(&self) -> String {
        let scheme = if self.tls { "TLS" } else { "plain HTTP" };
        let sni = match (self.tls, self.sni) {
            (false, _) => String::new(),
            (true, Sni::Host) => format!(" SNI {},", self.host),
            (true, Sni::None) => " no SNI,".to_string(),
        };
        let cert = match (self.tls, self.cert) {
            (false, _) => "",
            (true, CertChoice::None) => ", no client certificate",
            (true, CertChoice::Throwaway) => ", a certificate from an unknown CA",
            (true, CertChoice::User) => ", your client certificate",
        };
        let claim = match &self.claim {
            Some(c) => format!(" claiming {}: {}", c.header, c.address),
            None => String::new(),
        };
        let pha = if self.tls && self.post_handshake_auth {
            " (offering post-handshake authentication)"
        } else {
            ""
        };
        format!(
            "{scheme} :{}{sni} Host {} GET {}{claim}{cert}{pha}",
            self.port, self.host, self.path
        )
    }

    /// Whether content in answer to this request means the origin is open: every probe but
    /// the one with the user's own certificate, which must get content.
    pub fn must_be_refused(&self) -> bool {
        self.cert != CertChoice::User
    }
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub address: SocketAddr,
    /// The address of this machine the probes are sent from (`--source`); the system's
    /// choice when `None`.
    pub source: Option<std::net::IpAddr>,
    pub probes: Vec<Probe>,
}

/// Most probes sent to one target, whatever the number of names and ports.
pub const MAX_PROBES: usize = 200;

/// Most paths taken from the files for one name, and most claims.
pub const MAX_FILE_PATHS: usize = 8;
pub const MAX_CLAIMS: usize = 2;

/// Most (name, path) pairs taken from the files for one target, whatever the number of names.
pub const MAX_FILE_PATHS_PER_TARGET: usize = 24;

pub fn plan(spec: &TargetSpec) -> Plan {
    let mut probes = Vec::new();
    let at = |path: &str, port, tls, sni, host: &str, cert| Probe {
        port,
        tls,
        sni,
        host: host.to_string(),
        path: path.to_string(),
        cert,
        claim: None,
        post_handshake_auth: false,
    };
    let probe = |port, tls, sni, host: &str, cert| at("/", port, tls, sni, host, cert);
    for &port in &spec.tls_ports {
        for host in &spec.hosts {
            probes.push(probe(port, true, Sni::Host, host, CertChoice::None));
            probes.push(probe(port, true, Sni::Host, host, CertChoice::Throwaway));
            probes.push(probe(port, true, Sni::None, host, CertChoice::None));
            if spec.user_cert {
                probes.push(probe(port, true, Sni::Host, host, CertChoice::User));
            }
        }
        probes.push(probe(port, true, Sni::Host, UNKNOWN_NAME, CertChoice::None));
    }
    for &port in &spec.plain_ports {
        for host in &spec.hosts {
            probes.push(probe(port, false, Sni::None, host, CertChoice::None));
        }
    }
    // A site that answers 404 at `/` may serve the paths its locations name.
    for path in &spec.paths {
        for &port in &spec.tls_ports {
            for host in &spec.hosts {
                probes.push(at(path, port, true, Sni::Host, host, CertChoice::None));
            }
        }
        for &port in &spec.plain_ports {
            for host in &spec.hosts {
                probes.push(at(path, port, false, Sni::None, host, CertChoice::None));
            }
        }
    }
    let mut budget = MAX_FILE_PATHS_PER_TARGET;
    for hints in &spec.from_files {
        for probe in from_files(spec, hints, &mut budget) {
            if !probes.contains(&probe) {
                probes.push(probe);
            }
        }
    }
    probes.truncate(MAX_PROBES);
    Plan {
        address: spec.address,
        source: spec.source,
        probes,
    }
}

/// The requests for one name that only the files can suggest: their paths, asked again with
/// post-handshake authentication offered where the server verifies per directory, and `/`
/// with each claim the server believes.
fn from_files(spec: &TargetSpec, hints: &SiteHints, budget: &mut usize) -> Vec<Probe> {
    let host = hints.host.as_str();
    let mut out = Vec::new();
    let request = |path: &str, port, tls, claim: Option<&Claim>, pha| Probe {
        port,
        tls,
        sni: if tls { Sni::Host } else { Sni::None },
        host: host.to_string(),
        path: path.to_string(),
        cert: CertChoice::None,
        claim: claim.cloned(),
        post_handshake_auth: pha,
    };
    let mut paths: Vec<&str> = hints
        .paths
        .iter()
        .map(String::as_str)
        .take(MAX_FILE_PATHS.min(*budget))
        .collect();
    *budget -= paths.len();
    for path in &paths {
        for &port in &spec.tls_ports {
            out.push(request(path, port, true, None, false));
        }
        for &port in &spec.plain_ports {
            out.push(request(path, port, false, None, false));
        }
    }
    if hints.post_handshake_auth {
        paths.insert(0, "/");
        for path in &paths {
            for &port in &spec.tls_ports {
                out.push(request(path, port, true, None, true));
            }
        }
    }
    for claim in hints.claims.iter().take(MAX_CLAIMS) {
        for &port in &spec.tls_ports {
            out.push(request("/", port, true, Some(claim), false));
        }
        for &port in &spec.plain_ports {
            out.push(request("/", port, false, Some(claim), false));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A target at 203.0.113.7 with TLS on 443 and nothing else unless the test says so.
    fn spec(hosts: Vec<String>, from_files: Vec<SiteHints>) -> TargetSpec {
        TargetSpec {
            source: None,
            paths: Vec::new(),
            address: "203.0.113.7:443".parse().unwrap(),
            tls_ports: vec![443],
            plain_ports: vec![],
            hosts,
            user_cert: false,
            from_files,
        }
    }

    #[test]
    fn each_tls_port_and_name_gets_the_refusal_scenarios() {
        let spec = TargetSpec {
            source: None,
            paths: Vec::new(),
            address: "203.0.113.7:443".parse().unwrap(),
            tls_ports: vec![443],
            plain_ports: vec![80],
            hosts: vec!["shop.example.com".into()],
            user_cert: true,
            from_files: Vec::new(),
        };
        let p = plan(&spec);
        let described: Vec<String> = p.probes.iter().map(Probe::describe).collect();
        assert_eq!(
            described,
            vec![
                "TLS :443 SNI shop.example.com, Host shop.example.com GET /, no client certificate",
                "TLS :443 SNI shop.example.com, Host shop.example.com GET /, a certificate from an unknown CA",
                "TLS :443 no SNI, Host shop.example.com GET /, no client certificate",
                "TLS :443 SNI shop.example.com, Host shop.example.com GET /, your client certificate",
                "TLS :443 SNI aop-lint-probe.invalid, Host aop-lint-probe.invalid GET /, no client certificate",
                "plain HTTP :80 Host shop.example.com GET /",
            ]
        );
        assert_eq!(p.probes.iter().filter(|p| !p.must_be_refused()).count(), 1);
    }

    #[test]
    fn the_number_of_probes_is_bounded() {
        let spec = TargetSpec {
            source: None,
            paths: Vec::new(),
            address: "203.0.113.7:443".parse().unwrap(),
            tls_ports: (1..100).collect(),
            plain_ports: vec![],
            hosts: (0..100).map(|i| format!("h{i}.example")).collect(),
            user_cert: false,
            from_files: Vec::new(),
        };
        assert_eq!(plan(&spec).probes.len(), MAX_PROBES);
    }

    #[test]
    fn the_files_add_their_paths_post_handshake_auth_and_claims_for_their_names() {
        let spec = TargetSpec {
            paths: vec!["/public/".into()],
            plain_ports: vec![80],
            ..spec(
                vec!["shop.example.com".into()],
                vec![SiteHints {
                    host: "shop.example.com".into(),
                    paths: vec!["/public/".into()],
                    post_handshake_auth: true,
                    claims: vec![Claim {
                        header: "X-Forwarded-For".into(),
                        address: "127.0.0.1".into(),
                    }],
                }],
            )
        };
        let described: Vec<String> = plan(&spec).probes.iter().map(Probe::describe).collect();
        // `/public/` without a certificate is asked once although both `--path` and the
        // files name it.
        assert_eq!(
            described[5..],
            [
                "TLS :443 SNI shop.example.com, Host shop.example.com GET /public/, no client certificate",
                "plain HTTP :80 Host shop.example.com GET /public/",
                "TLS :443 SNI shop.example.com, Host shop.example.com GET /, no client certificate (offering post-handshake authentication)",
                "TLS :443 SNI shop.example.com, Host shop.example.com GET /public/, no client certificate (offering post-handshake authentication)",
                "TLS :443 SNI shop.example.com, Host shop.example.com GET / claiming X-Forwarded-For: 127.0.0.1, no client certificate",
                "plain HTTP :80 Host shop.example.com GET / claiming X-Forwarded-For: 127.0.0.1",
            ]
        );
        assert!(plan(&spec).probes.iter().all(Probe::must_be_refused));
    }

    #[test]
    fn the_files_add_a_bounded_number_of_paths_and_claims() {
        let hints = SiteHints {
            host: "shop.example.com".into(),
            paths: (0..50).map(|i| format!("/p{i}/")).collect(),
            post_handshake_auth: false,
            claims: (0..10)
                .map(|i| Claim {
                    header: "X-Real-IP".into(),
                    address: format!("127.0.0.{i}"),
                })
                .collect(),
        };
        let spec = spec(vec!["shop.example.com".into()], vec![hints]);
        let probes = plan(&spec).probes;
        let paths = probes.iter().filter(|p| p.path != "/").count();
        let claims = probes.iter().filter(|p| p.claim.is_some()).count();
        assert_eq!((paths, claims), (MAX_FILE_PATHS, MAX_CLAIMS));
    }

    #[test]
    fn the_paths_from_the_files_are_bounded_for_the_target_too() {
        let names = 10;
        let spec = spec(
            (0..names).map(|i| format!("h{i}.example")).collect(),
            (0..names)
                .map(|i| SiteHints {
                    host: format!("h{i}.example"),
                    paths: (0..MAX_FILE_PATHS).map(|p| format!("/p{p}/")).collect(),
                    ..SiteHints::default()
                })
                .collect(),
        );
        let paths = plan(&spec).probes.iter().filter(|p| p.path != "/").count();
        assert_eq!(paths, MAX_FILE_PATHS_PER_TARGET);
    }
}
