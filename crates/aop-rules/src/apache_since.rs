//! Directives httpd knows only from some release on: on an older release a tree that uses
//! one stops httpd ("Invalid command"), which is AOP001 for that `--apache-version`. Each
//! release is the one whose entry in httpd's CHANGES adds the directive. Without a version
//! the newest release is assumed, which has them all.

use aop_model::{DirectiveName, Version};

const fn apache(name: &'static str) -> DirectiveName {
    DirectiveName {
        nginx: "",
        apache: name,
    }
}

pub const SNI_POLICY: DirectiveName = crate::apache_sni::SNI_POLICY;
pub const LISTEN_TCP_DEFER_ACCEPT: DirectiveName = apache("ListenTCPDeferAccept");
pub const H2_MAX_STREAM_ERRORS: DirectiveName = apache("H2MaxStreamErrors");
pub const ALIAS_PRESERVE_PATH: DirectiveName = apache("AliasPreservePath");
pub const REDIRECT_RELATIVE: DirectiveName = apache("RedirectRelative");
pub const H2_WEBSOCKETS: DirectiveName = apache("H2WebSockets");
pub const READ_BUFFER_SIZE: DirectiveName = apache("ReadBufferSize");
pub const FLUSH_MAX_THRESHOLD: DirectiveName = apache("FlushMaxThreshold");
pub const FLUSH_MAX_PIPELINED: DirectiveName = apache("FlushMaxPipelined");
pub const MERGE_SLASHES: DirectiveName = apache("MergeSlashes");

/// Each directive and the first release that accepts it.
pub const SINCE: [(DirectiveName, Version); 10] = [
    (SNI_POLICY, Version::new(2, 4, 66)),
    (LISTEN_TCP_DEFER_ACCEPT, Version::new(2, 4, 66)),
    (H2_MAX_STREAM_ERRORS, Version::new(2, 4, 66)),
    (ALIAS_PRESERVE_PATH, Version::new(2, 4, 58)),
    (REDIRECT_RELATIVE, Version::new(2, 4, 58)),
    (H2_WEBSOCKETS, Version::new(2, 4, 58)),
    (READ_BUFFER_SIZE, Version::new(2, 4, 47)),
    (FLUSH_MAX_THRESHOLD, Version::new(2, 4, 47)),
    (FLUSH_MAX_PIPELINED, Version::new(2, 4, 47)),
    (MERGE_SLASHES, Version::new(2, 4, 39)),
];
