//! A site address, `[scheme://][host][:port][/path]`, and whether Caddy serves it over TLS.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_while1};
use nom::character::complete::digit1;
use nom::combinator::{opt, rest};
use nom::sequence::{delimited, preceded, terminated};
use nom::IResult;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    pub scheme: Option<String>,
    /// Empty for a catch-all (`:443`, `https://`).
    pub host: String,
    pub port: Option<u16>,
    pub path: String,
}

fn scheme(i: &str) -> IResult<&str, &str> {
    terminated(take_while1(|c: char| c.is_ascii_alphanumeric()), tag("://"))(i)
}

fn host(i: &str) -> IResult<&str, &str> {
    alt((
        delimited(tag("["), take_till(|c| c == ']'), tag("]")),
        take_till(|c| c == ':' || c == '/'),
    ))(i)
}

/// The four parts as written: scheme, host, port, path.
type Parts<'a> = (Option<&'a str>, &'a str, Option<&'a str>, &'a str);

fn address(i: &str) -> IResult<&str, Parts<'_>> {
    let (i, scheme) = opt(scheme)(i)?;
    let (i, host) = host(i)?;
    let (i, port) = opt(preceded(tag(":"), digit1))(i)?;
    let (i, path) = rest(i)?;
    Ok((i, (scheme, host, port, path)))
}

/// Ports Caddy treats as HTTP and HTTPS (`http_port`, `https_port`).
#[derive(Clone, Copy, Debug)]
pub struct Ports {
    pub http: u16,
    pub https: u16,
}

impl Address {
    pub fn parse(text: &str) -> Result<Address, String> {
        let (_, (scheme, host, port, path)) =
            address(text).map_err(|_| format!("cannot read the site address `{text}`"))?;
        if !path.is_empty() && !path.starts_with('/') {
            return Err(format!(
                "the port of the site address `{text}` is not a number"
            ));
        }
        let scheme = scheme.map(str::to_ascii_lowercase);
        if let Some(s) = scheme
            .as_deref()
            .filter(|s| !matches!(*s, "http" | "https"))
        {
            return Err(format!("unsupported URL scheme {s}://"));
        }
        let port = match port {
            Some(p) => Some(
                p.parse::<u16>()
                    .map_err(|_| format!("invalid port `{p}`"))?,
            ),
            None => None,
        };
        Ok(Address {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            path: path.to_string(),
        })
    }

    /// The port Caddy listens on for this address.
    pub fn port(&self, ports: Ports) -> u16 {
        match (self.port, self.scheme.as_deref()) {
            (Some(p), _) => p,
            (None, Some("http")) => ports.http,
            _ => ports.https,
        }
    }

    /// Plain HTTP: `http://`, the HTTP port, or a port with no host to get a certificate
    /// for (`:8080`). Everything else is served over TLS, automatic HTTPS off or not
    /// (measured with `caddy adapt` 2.11.7: `auto_https off` keeps TLS on `a.com:8443`).
    pub fn tls(&self, ports: Ports) -> bool {
        match self.scheme.as_deref() {
            Some("http") => false,
            Some(_) => true,
            None => {
                let port = self.port(ports);
                port != ports.http && (port == ports.https || !self.host.is_empty())
            }
        }
    }

    /// Answers every hostname on its port.
    pub fn catch_all(&self) -> bool {
        self.host.is_empty() || self.host == "*"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PORTS: Ports = Ports {
        http: 80,
        https: 443,
    };

    fn tls_port(text: &str) -> (bool, u16, String) {
        let a = Address::parse(text).unwrap();
        (a.tls(PORTS), a.port(PORTS), a.host)
    }

    #[test]
    fn schemes_ports_and_hosts() {
        assert_eq!(tls_port("example.com"), (true, 443, "example.com".into()));
        assert_eq!(tls_port("http://x.org"), (false, 80, "x.org".into()));
        assert_eq!(tls_port(":8443"), (false, 8443, "".into()));
        assert_eq!(tls_port(":443"), (true, 443, "".into()));
        assert_eq!(tls_port("https://"), (true, 443, "".into()));
        assert_eq!(tls_port("b.com:8443"), (true, 8443, "b.com".into()));
        assert_eq!(tls_port("a.com:80"), (false, 80, "a.com".into()));
        assert_eq!(tls_port("[::1]:9000"), (true, 9000, "::1".into()));
        assert_eq!(tls_port("*.example.com/api/*").2, "*.example.com");
        assert!(Address::parse("ftp://x").is_err());
        assert!(Address::parse("x:{$P}").is_err());
    }
}
