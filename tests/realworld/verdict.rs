//! The verdicts of one tree: the server's, drawn from its probes, aop-lint's, and where
//! they differ.

use super::lint::Lint;
use super::probe::{Outcome, Probe};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Nginx,
    Apache,
    Caddy,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx",
            Kind::Apache => "apache",
            Kind::Caddy => "caddy",
        }
    }
}

/// One serving of a prepared root: whether it started and stayed up, and the probes.
pub struct Run {
    pub started: Result<(), String>,
    pub rows: Vec<(Probe, Outcome)>,
}

/// The copy whose open, foreign and plain verdicts are compared: the tree as written when
/// it starts, else the copy with the lines the server refused edited out.
pub struct Served {
    pub edits: Vec<String>,
    pub run: Run,
    pub lint: Lint,
}

/// Everything learnt about one tree.
pub struct TreeResult {
    pub tree: String,
    pub kind: Kind,
    /// The tree as written: the start verdict.
    pub started: Result<(), String>,
    pub lint: Lint,
    pub served: Option<Served>,
    /// Why no edited copy was served, for a refused tree.
    pub not_edited: Option<String>,
    pub edits: Vec<String>,
}

impl Served {
    pub fn served(&self, question: fn(&Probe) -> bool) -> usize {
        self.run
            .rows
            .iter()
            .filter(|(p, o)| question(p) && o.served())
            .count()
    }
    pub fn open(&self) -> bool {
        self.served(Probe::asks_open) > 0
    }
    pub fn foreign(&self) -> bool {
        self.served(Probe::asks_foreign) > 0
    }
    /// The part of `open` that plain HTTP accounts for (AOP202's question).
    pub fn plain(&self) -> bool {
        self.served(|p| p.asks_open() && !p.tls) > 0
    }
}

impl TreeResult {
    /// The serving whose probes count: one that started.
    pub fn compared(&self) -> Option<&Served> {
        self.served.as_ref().filter(|s| s.run.started.is_ok())
    }

    /// `(verdict, server, aop-lint)` for each question that differs.
    pub fn disagreements(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let started = self.started.is_ok();
        if started == self.lint.refuses {
            out.push((
                "start",
                format!(
                    "server {} | aop-lint {}",
                    if started { "starts" } else { "refuses" },
                    if self.lint.refuses {
                        "says it refuses"
                    } else {
                        "reports no start error"
                    }
                ),
            ));
        }
        let Some(served) = self.compared() else {
            return out;
        };
        for (what, seen, said) in [
            ("open", served.open(), served.lint.open),
            ("foreign", served.foreign(), served.lint.foreign),
            ("plain", served.plain(), served.lint.plain),
        ] {
            if seen != said {
                let edited = if served.edits.is_empty() {
                    ""
                } else {
                    " (edited copy)"
                };
                out.push((
                    what,
                    format!(
                        "server {what}={} | aop-lint {what}={}{edited}",
                        yn(seen),
                        yn(said)
                    ),
                ));
            }
        }
        out
    }
}

pub fn yn(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}
