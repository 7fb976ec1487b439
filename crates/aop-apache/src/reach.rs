//! Which virtual hosts a connection can reach. httpd accepts connections only on the
//! sockets `Listen` opens and picks a `<VirtualHost>` by the address and port a connection
//! arrived on: a vhost on a port no `Listen` opens is never reached, and a `*:port` vhost
//! whose port is opened on one address only is reached on that address only (a loopback
//! `Listen 127.0.0.1:8080` keeps it off the network).

use aop_model::{codes, AddressPort, Finding, Label, ListenAddr, Server};
use aop_source::Span;

use crate::lower::Listen;

/// Whether a `Listen` opens connections that the set `ap` would receive.
fn opens(l: &Listen, ap: &AddressPort) -> bool {
    ap.port.is_none_or(|p| p == l.port)
        && (l.addr.is_wildcard()
            || ap.addr.is_wildcard()
            || ap.addr == l.addr
            || matches!(ap.addr, ListenAddr::Name(_))
            || matches!(l.addr, ListenAddr::Name(_)))
}

fn is_loopback(addr: &ListenAddr) -> bool {
    match addr {
        ListenAddr::V4(a) => a.is_loopback(),
        ListenAddr::V6(a) => a.is_loopback(),
        _ => false,
    }
}

/// The addresses connections for a wildcard set can arrive on, when `Listen` opens its port
/// on specific addresses only: those not taken by a set of their own.
fn specific_addresses(
    ap: &AddressPort,
    listens: &[&Listen],
    aps: &[AddressPort],
) -> Vec<ListenAddr> {
    let mut out: Vec<ListenAddr> = Vec::new();
    for l in listens {
        let taken = aps
            .iter()
            .any(|other| other.addr == l.addr && other.port == ap.port);
        if !taken && !out.contains(&l.addr) {
            out.push(l.addr.clone());
        }
    }
    out
}

/// Drops the address:port sets no `Listen` reaches, gives a wildcard set the address its
/// port is opened on when that is one address (or only loopback ones), and says which
/// virtual hosts are left unreachable. Without any `Listen` read (a partial tree, or one
/// whose `Listen` could not be read) nothing is decided.
pub fn apply(
    listens: &[Listen],
    complete: bool,
    servers: &mut [Server],
    aps: &mut Vec<AddressPort>,
    findings: &mut Vec<Finding>,
) {
    if listens.is_empty() || !complete {
        return;
    }
    let snapshot = aps.clone();
    let mut kept = Vec::new();
    for mut ap in snapshot.iter().cloned() {
        let open: Vec<&Listen> = listens.iter().filter(|l| opens(l, &ap)).collect();
        let reachable = if ap.addr.is_wildcard() && !open.iter().any(|l| l.addr.is_wildcard()) {
            let addrs = specific_addresses(&ap, &open, &snapshot);
            let narrowed = match addrs.as_slice() {
                [] => None,
                [one] => Some(one.clone()),
                many if many.iter().all(is_loopback) => Some(many[0].clone()),
                _ => Some(ap.addr.clone()),
            };
            match narrowed {
                Some(addr) => {
                    retarget(&ap, &addr, servers);
                    ap.addr = addr;
                    true
                }
                None => false,
            }
        } else {
            !open.is_empty()
        };
        if reachable {
            kept.push(ap);
            continue;
        }
        for &i in &ap.servers {
            let listeners = &mut servers[i].listeners;
            let span = listeners
                .iter()
                .find(|l| l.addr == ap.addr && l.port == ap.port)
                .map(|l| l.span);
            listeners.retain(|l| !(l.addr == ap.addr && l.port == ap.port));
            if listeners.is_empty() {
                // No client ever reaches it, so no client address of its is believed.
                servers[i].real_ip = None;
                report(&ap, &servers[i], span, findings);
            }
        }
    }
    *aps = kept;
}

fn retarget(ap: &AddressPort, addr: &ListenAddr, servers: &mut [Server]) {
    for &i in &ap.servers {
        for l in servers[i]
            .listeners
            .iter_mut()
            .filter(|l| l.addr == ap.addr && l.port == ap.port)
        {
            l.addr = addr.clone();
        }
    }
}

fn report(ap: &AddressPort, s: &Server, span: Option<Span>, findings: &mut Vec<Finding>) {
    let port = ap
        .port
        .map_or("its port".to_string(), |p| format!("port {p}"));
    let help = match ap.port {
        Some(p) => {
            format!("add `Listen {p}` if this site should be served, or remove the virtual host")
        }
        None => {
            "add a `Listen` for the port this site should be served on, or remove the virtual host"
                .to_string()
        }
    };
    findings.push(
        Finding::new(
            codes::NOT_CHECKED,
            format!(
                "`{}` is never reached: no `Listen` opens {port} on {}, so httpd accepts no connection for it; it was not checked",
                s.display_name(),
                ap.address_port()
            ),
            Label::new(span.unwrap_or(s.span), "no `Listen` opens this address:port"),
        )
        .with_help(help),
    );
}

#[cfg(test)]
mod tests {
    use crate::tests::load;
    use aop_model::ListenAddr;

    fn sets(text: &str) -> Vec<String> {
        let t = load(text);
        t.config
            .address_ports
            .iter()
            .map(|ap| ap.address_port())
            .collect()
    }

    const VHOST: &str = "<VirtualHost *:8080>\nServerName app.example.com\n</VirtualHost>\n";

    #[test]
    fn a_port_no_listen_opens_is_never_reached() {
        let text = format!("Listen 80\n{VHOST}");
        assert!(sets(&text).iter().all(|s| s != "*:8080"));
        let t = load(&format!(
            "{text}LoadModule remoteip_module m.so\nRemoteIPHeader X-Real-IP\n"
        ));
        assert!(t.config.servers[0].listeners.is_empty());
        assert!(t.config.servers[0].real_ip.is_none());
        assert!(t.codes().contains(&"AOP004"));
        assert_eq!(sets(&format!("Listen 8080\n{VHOST}")), ["*:8080"]);
        // A tree with no Listen at all is partial: nothing is decided.
        assert_eq!(sets(VHOST), ["*:8080"]);
    }

    #[test]
    fn a_wildcard_vhost_takes_the_address_its_port_is_opened_on() {
        let t = load(&format!("Listen 127.0.0.1:8080\n{VHOST}"));
        assert_eq!(t.config.address_ports[0].address_port(), "127.0.0.1:8080");
        assert_eq!(
            t.config.servers[0].listeners[0].addr,
            ListenAddr::V4("127.0.0.1".parse().unwrap())
        );
        // An exact set takes that address: the wildcard vhost is left with nothing.
        let exact = "<VirtualHost 127.0.0.1:8080>\nServerName local.example.com\n</VirtualHost>\n";
        let t = load(&format!("Listen 127.0.0.1:8080\n{exact}{VHOST}"));
        assert_eq!(t.config.address_ports.len(), 1);
        assert!(t.config.servers[1].listeners.is_empty());
        // A vhost on an address no Listen opens: the main server answers the Listen.
        assert_eq!(
            sets("Listen 127.0.0.1:8080\n<VirtualHost 10.0.0.1:8080>\n</VirtualHost>\n"),
            ["127.0.0.1:8080"]
        );
        assert_eq!(
            sets("Listen 8080\n<VirtualHost 10.0.0.1:8080>\n</VirtualHost>\n"),
            ["10.0.0.1:8080", "*:8080"]
        );
    }
}
