//! Every rule lives in `src/rules/<name>.rs`: one unit struct declared with [`declare_rule!`],
//! its documentation in the doc comment, its check over the model. [`RULES`] lists them all.

mod ca_files;
mod context;
mod registry;
pub mod rules;

pub use context::{CaSettings, Context};
pub use registry::{find_rule, RULES};

use aop_model::{Code, Finding, ServerKind, Severity};

/// What a rule declares about itself; `docs` is its doc comment, in Markdown.
pub struct Meta {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub kinds: &'static [ServerKind],
    pub summary: &'static str,
    pub docs: &'static str,
}

impl Meta {
    pub const fn id(&self) -> Code {
        Code {
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

/// Declares a rule's struct and metadata from one block; the doc comment becomes its docs.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            code: $code:literal,
            name: $rname:literal,
            severity: $sev:ident,
            servers: [$($kind:ident),* $(,)?],
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            pub const META: $crate::Meta = $crate::Meta {
                code: $code,
                name: $rname,
                severity: aop_model::Severity::$sev,
                kinds: &[$(aop_model::ServerKind::$kind),*],
                summary: $summary,
                docs: concat!($($doc, "\n"),*),
            };
            pub const CODE: aop_model::Code = Self::META.id();
        }
    };
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
