//! Every rule lives in `src/rules/<name>.rs`: one unit struct declared with [`declare_rule!`],
//! its documentation in the doc comment, its check over the model, its test vectors in its
//! `#[cfg(test)]` module. The file is its registration: `rules/mod.rs` is generated from the
//! directory, and [`RULES`] lists every rule by code. docs/contributing.md walks through it.

mod apache_since;
mod apache_sni;
mod ca_files;
mod caddy_json;
mod cloudflare_ips;
mod context;
pub mod docs;
mod nginx_releases;
pub mod registry;
pub mod rules;
mod simulated;
#[cfg(test)]
mod tester;

pub use context::{CaSettings, Context};
pub use registry::{codes_with, directives_read, find_rule, RULES};

use aop_model::{Finding, RuleId, ServerKind, Severity};

/// What a finding of a rule says about the origin, in the terms of the real-server harness
/// (tests/real_servers.rs), which checks every rule that claims a verdict against what nginx
/// and httpd do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// A client without Cloudflare's certificate gets content.
    Open,
    /// A request for a name nobody configured, with Cloudflare's certificate (another
    /// Cloudflare account), gets a real site.
    Foreign,
    /// Neither: the finding is about something a probe cannot see.
    None,
}

/// What a rule declares about itself; `docs` is its doc comment, in Markdown.
pub struct Meta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub kinds: &'static [ServerKind],
    pub verdict: Verdict,
    /// The directives the rule reads through `Server::directive`: the readers keep these.
    pub reads: &'static [aop_model::DirectiveName],
    pub summary: &'static str,
    pub docs: &'static str,
}

impl Meta {
    /// Raised by `aop-lint probe` from a running server's answers, never by linting files:
    /// the 6xx range (docs/contributing.md). Their cases are servers the probe's tests
    /// start, not fixtures, and their examples are a probe's output.
    pub fn judges_running_server(&self) -> bool {
        self.code.starts_with("AOP6")
    }

    pub const fn id(&self) -> RuleId {
        RuleId {
            code: self.code,
            name: self.name,
            severity: self.severity,
        }
    }

    /// The documentation with the one leading space of each `///` line removed.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_string() + "\n"
    }
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static Meta;
    /// Adds this rule's findings. Rules whose findings come from reading the tree (AOP001,
    /// AOP002, AOP004) add nothing here.
    fn check(&self, cx: &Context, out: &mut Vec<Finding>);
}

/// Declares a rule from one block: its struct, its metadata (the doc comment becomes its
/// docs), its [`Rule`] impl and its registry entry. The rule's file then only adds
/// `impl Name { fn check(cx: &Context, out: &mut Vec<Finding>) { ... } }`.
///
/// A rule that reads a directive no field of `Server` holds names it in `reads: [NAME]` (a
/// `const NAME: DirectiveName` of its file) and asks `Server::directive(NAME)`.
///
/// A code the readers emit before any rule runs takes its identity from
/// `aop_model::codes` (`id: aop_model::codes::PARSE_ERROR`) instead of `code`, `name` and
/// `severity`, so it is declared once.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            code: $code:literal,
            name: $rname:literal,
            severity: $sev:ident,
            servers: [$($kind:ident),* $(,)?],
            verdict: $verdict:ident,
            $(reads: [$($dir:expr),* $(,)?],)?
            summary: $summary:literal $(,)?
        }
    ) => {
        $crate::declare_rule! {
            $(#[doc = $doc])*
            pub struct $name {
                id: aop_model::RuleId {
                    code: $code,
                    name: $rname,
                    severity: aop_model::Severity::$sev,
                },
                servers: [$($kind),*],
                verdict: $verdict,
                $(reads: [$($dir),*],)?
                summary: $summary,
            }
        }
    };
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            id: $id:expr,
            servers: [$($kind:ident),* $(,)?],
            verdict: $verdict:ident,
            $(reads: [$($dir:expr),* $(,)?],)?
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            pub const CODE: aop_model::RuleId = $id;
            pub const META: $crate::Meta = $crate::Meta {
                code: Self::CODE.code,
                name: Self::CODE.name,
                severity: Self::CODE.severity,
                kinds: &[$(aop_model::ServerKind::$kind),*],
                verdict: $crate::Verdict::$verdict,
                reads: &[$($($dir),*)?],
                summary: $summary,
                docs: concat!($($doc, "\n"),*),
            };
        }

        impl $crate::Rule for $name {
            fn meta(&self) -> &'static $crate::Meta {
                &Self::META
            }

            fn check(&self, cx: &$crate::Context, out: &mut Vec<aop_model::Finding>) {
                $name::check(cx, out)
            }
        }

        /// This module's rule, as `rules/mod.rs` registers it.
        pub(crate) const ENTRY: $crate::registry::Entry = $crate::registry::Entry {
            code: $name::CODE.code,
            rule: &$name,
        };
    };
}

/// Whether an address is in Cloudflare's published ranges: a forwarding header it sends is
/// Cloudflare's word, not a client's.
pub fn is_cloudflare_address(ip: std::net::IpAddr) -> bool {
    cloudflare_ips::is_cloudflare(&cloudflare_ips::Cidr::from(ip))
}

/// Runs every rule that applies to the configuration's server kind.
pub fn check(cx: &Context) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in RULES {
        if rule.meta().kinds.contains(&cx.config.kind) {
            rule.check(cx, &mut out);
        }
    }
    label_expansions(cx, &mut out);
    simulated::decide(cx, &mut out);
    caddy_json::rewrite(cx, &mut out);
    out
}

/// A finding about a server expanded from a template points into the template; this adds
/// the line that expanded it, so the reader knows which instance is meant.
fn label_expansions(cx: &Context, out: &mut [Finding]) {
    for s in &cx.config.servers {
        let Some(origin) = s.expanded_from else {
            continue;
        };
        // Instances of one template share their spans: the server reference tells them apart.
        let reference = Some(s.reference());
        for f in out.iter_mut() {
            let about = f.server == reference;
            if about && !f.secondary.iter().any(|l| l.span == origin) {
                f.secondary
                    .push(aop_model::Label::new(origin, "expanded from this `Use`"));
            }
        }
    }
}
