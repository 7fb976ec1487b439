//! Where probes come from: the clients an origin behind Cloudflare meets, each an address put
//! on loopback inside a private network namespace, so that address-based rules (`allow`,
//! `geo`, `Require ip`, mod_remoteip's trusted proxies) see the client they would see in
//! production. Shared by the fixture harness (tests/real_servers.rs) and the real-world
//! harness (tests/realworld.rs).

/// A client's address, IPv4 and IPv6.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    pub label: &'static str,
    pub v4: &'static str,
    pub v6: &'static str,
}

impl Source {
    pub fn address(self, v6: bool) -> &'static str {
        if v6 {
            self.v6
        } else {
            self.v4
        }
    }
}

/// Somebody on the internet, talking to the origin directly (TEST-NET-3, RFC 5737).
pub const INTERNET: Source = Source {
    label: "internet",
    v4: "203.0.113.5",
    v6: "2001:db8::5",
};

/// Cloudflare's edge: an address in its published ranges (../shared/cloudflare/ips-v4.txt,
/// ips-v6.txt: 173.245.48.0/20, 2400:cb00::/32).
pub const EDGE: Source = Source {
    label: "edge",
    v4: "173.245.48.5",
    v6: "2400:cb00::5",
};

/// The machine itself.
pub const LOCAL: Source = Source {
    label: "local",
    v4: "127.0.0.1",
    v6: "::1",
};

/// The origin's own address (TEST-NET-2), where wildcard listeners are reached.
pub const ORIGIN_V4: &str = "198.51.100.10";
pub const ORIGIN_V6: &str = "2001:db8:100::10";

/// Shell lines that bring loopback up carrying the internet and edge addresses and the
/// origin's `v4` and `v6` addresses (IPv6 without duplicate-address detection, which would
/// keep them unusable for a second).
pub fn loopback_script(v4: &[&str], v6: &[&str]) -> String {
    let mut s = String::from("ip link set lo up\n");
    for a in [INTERNET.v4, EDGE.v4].iter().chain(v4) {
        s.push_str(&format!("ip addr add {a}/32 dev lo\n"));
    }
    for a in [INTERNET.v6, EDGE.v6].iter().chain(v6) {
        s.push_str(&format!("ip -6 addr add {a}/128 dev lo nodad\n"));
    }
    s
}
