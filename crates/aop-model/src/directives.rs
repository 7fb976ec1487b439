//! A server's directives as written, its own and those it inherits: what lets a rule ask
//! about a setting that no field of [`crate::Server`] holds, with no change to the readers.
//! A rule names the directive in both dialects ([`DirectiveName`]) in its `declare_rule!`;
//! each reader keeps those directives ([`crate::LoadOptions::directives`]) and the rule gets
//! the one in force, with its origin.
//!
//! The table holds the standard inheritance only: nginx `http {}` into `server {}`, Apache's
//! main server into `<VirtualHost>`, the last occurrence winning. A rule about a directive
//! that merges otherwise (lists, per-location values, sections) needs a field of its own.

use std::sync::Arc;

use aop_source::Span;

use crate::{ServerKind, Setting};

/// One directive outside any block or section: its name as the server matches it (nginx's
/// exact name, Apache's in lowercase), its words and its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub name: String,
    pub args: Vec<String>,
    pub span: Span,
    /// The first argument read as a file path, resolved as the server resolves one there
    /// (nginx: from the configuration prefix; httpd: from `ServerRoot`; below `--root`), for
    /// a rule that opens the file a directive names. `None` when it cannot be resolved.
    pub path: Option<std::path::PathBuf>,
}

impl Written {
    pub fn arg(&self, i: usize) -> Option<&str> {
        self.args.get(i).map(String::as_str)
    }
}

/// A directive's name in each dialect, as a rule asks for it; Apache's is matched ignoring
/// case, as httpd does.
#[derive(Clone, Copy, Debug)]
pub struct DirectiveName {
    pub nginx: &'static str,
    pub apache: &'static str,
}

/// A server's own directives and the ones of the context it inherits from, each in order.
/// Inherited ones are shared by every server of that context.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Directives {
    pub own: Arc<[Written]>,
    pub inherited: Arc<[Written]>,
}

impl Directives {
    /// The occurrence of `name` in force for a server of `kind`: the server's own last one,
    /// else the last inherited one.
    pub fn effective(&self, kind: ServerKind, name: DirectiveName) -> Option<Setting<&Written>> {
        let is = |w: &&Written| match kind {
            ServerKind::Nginx => w.name == name.nginx,
            ServerKind::Apache => w.name.eq_ignore_ascii_case(name.apache),
            // The Caddyfile reader keeps no directive table: no rule reads one from it.
            ServerKind::Caddy => false,
        };
        let own = self.own.iter().rev().find(is).map(|w| (w, w.span));
        let inherited = self.inherited.iter().rev().find(is).map(|w| (w, w.span));
        Setting::own_or_inherited(own, inherited)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;
    use aop_source::FileId;

    const DEPTH: DirectiveName = DirectiveName {
        nginx: "ssl_verify_depth",
        apache: "SSLVerifyDepth",
    };

    fn written(name: &str, value: &str, at: usize) -> Written {
        Written {
            name: name.to_string(),
            args: vec![value.to_string()],
            span: Span::new(FileId(0), at, at + 1),
            path: None,
        }
    }

    #[test]
    fn own_last_wins_over_inherited() {
        let d = Directives {
            own: vec![
                written("ssl_verify_depth", "3", 10),
                written("ssl_verify_depth", "2", 20),
            ]
            .into(),
            inherited: vec![written("ssl_verify_depth", "1", 0)].into(),
        };
        let s = d.effective(ServerKind::Nginx, DEPTH).unwrap();
        assert_eq!(s.value.arg(0), Some("2"));
        assert!(matches!(s.origin, Origin::Own(_)));
    }

    #[test]
    fn inherited_when_the_server_sets_none() {
        let d = Directives {
            own: vec![written("sslengine", "on", 10)].into(),
            inherited: vec![written("sslverifydepth", "4", 0)].into(),
        };
        let s = d.effective(ServerKind::Apache, DEPTH).unwrap();
        assert_eq!(s.value.arg(0), Some("4"));
        assert!(matches!(s.origin, Origin::Inherited(_)));
        assert!(d.effective(ServerKind::Nginx, DEPTH).is_none());
    }
}
