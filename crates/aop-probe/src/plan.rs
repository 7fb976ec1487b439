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
        format!(
            "{scheme} :{}{sni} Host {} GET {}{cert}",
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

pub fn plan(spec: &TargetSpec) -> Plan {
    let mut probes = Vec::new();
    let at = |path: &str, port, tls, sni, host: &str, cert| Probe {
        port,
        tls,
        sni,
        host: host.to_string(),
        path: path.to_string(),
        cert,
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
    probes.truncate(MAX_PROBES);
    Plan {
        address: spec.address,
        source: spec.source,
        probes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        };
        assert_eq!(plan(&spec).probes.len(), MAX_PROBES);
    }
}
