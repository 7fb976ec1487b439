//! Directives nginx knows only in some releases: a tree that uses one on another release
//! stops nginx (`unknown directive`), which is AOP001 for that `--nginx-version`. From
//! nginx's CHANGES; the removal is checked on the releases the tests build (1.30.4 refuses
//! `ssl`, Debian's 1.22.1 takes it). Without a version nothing is assumed: the directive is
//! accepted by some release either way.

use aop_model::{DirectiveName, Version};

const fn nginx(name: &'static str) -> DirectiveName {
    DirectiveName {
        nginx: name,
        apache: "",
    }
}

/// `ssl on;`, deprecated in 1.15.0, removed in 1.25.1.
pub const SSL: DirectiveName = nginx("ssl");
/// `http2 on;`, added in 1.25.1 (before it, `listen ... http2`).
pub const HTTP2: DirectiveName = nginx("http2");

/// Each directive and the first release that accepts it.
pub const SINCE: [(DirectiveName, Version); 1] = [(HTTP2, Version::new(1, 25, 1))];

/// Each directive and the first release that no longer accepts it.
pub const UNTIL: [(DirectiveName, Version); 1] = [(SSL, Version::new(1, 25, 1))];
