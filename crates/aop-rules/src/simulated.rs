//! The request simulation decides the open and foreign verdicts; the rules name the cause.
//!
//! Every rule whose [`Verdict`] is open or foreign says *why* a server gives content to a
//! request it should refuse (verification off, optional and unenforced, per-directory only,
//! plain HTTP, a default server with a real site). Whether it does is the simulation's
//! answer (aop_model::scenario, `aop-lint servers --scenarios`): a rule's finding about a
//! server the simulation shows refusing every such request is withdrawn, and a server the
//! simulation shows answering one that no rule explains gets a finding of its own (AOP107
//! for the open verdict, AOP201 for the foreign one) naming the request. A server some
//! request to which the simulation could not decide keeps whatever the rules say, and the
//! name that stops the simulation is AOP004.

use std::collections::{HashMap, HashSet};

use aop_model::{codes, Answer, Finding, Label, ServerRef};
use aop_source::Span;

use crate::rules::content_without_certificate::{self, ContentWithoutCertificate};
use crate::rules::default_server_missing;
use crate::{find_rule, Context, Verdict};

/// What the rules' findings say about one server, and what the simulation says.
struct Judged {
    reference: ServerRef,
    open: bool,
    foreign: bool,
    undecided: bool,
}

pub(crate) fn decide(cx: &Context, out: &mut Vec<Finding>) {
    let sim = cx.simulation();
    let config = cx.config;
    let mut undecided = vec![false; config.servers.len()];
    let mut stopped: Vec<(usize, Span)> = Vec::new();
    // Names the reader already said it cannot read: not said again.
    let unread_names: HashSet<Span> = config
        .findings
        .iter()
        .filter(|f| f.code == codes::NOT_CHECKED.code)
        .map(|f| f.primary.span)
        .collect();
    for row in &sim.scenarios {
        if let Answer::Undecided { why, at } = &row.answer {
            for &i in &config.address_ports[row.address_port].servers {
                undecided[i] = true;
            }
            // One finding per address:port and name that stops it, with the first request.
            if !unread_names.contains(at) && !stopped.contains(&(row.address_port, *at)) {
                stopped.push((row.address_port, *at));
                let ap = &config.address_ports[row.address_port];
                out.push(
                    Finding::new(
                        codes::NOT_CHECKED,
                        format!(
                            "which server answers on {} is not decided ({}): {why}; the open and foreign verdicts of its servers are the rules' alone",
                            ap.address_port(),
                            row.describe(ap)
                        ),
                        Label::new(*at, "aop-lint cannot evaluate this name"),
                    )
                    .with_help("write the name as nginx's exact or wildcard form where it can be, or check what this address:port answers with `aop-lint probe`"),
                );
            }
        }
    }
    let judged: Vec<Judged> = config
        .servers
        .iter()
        .enumerate()
        .map(|(i, s)| Judged {
            reference: s.reference(),
            open: cx.open_request(i).is_some(),
            foreign: cx.foreign_request(i).is_some(),
            undecided: undecided[i],
        })
        .collect();
    // Servers are found by the reference their findings carry: thousands of servers, each
    // asked about by a few findings.
    let mut by_reference: HashMap<&ServerRef, Vec<usize>> = HashMap::new();
    for (i, j) in judged.iter().enumerate() {
        by_reference.entry(&j.reference).or_default().push(i);
    }
    // Thousands of findings share a few codes: each code's rule is looked up once.
    let mut verdicts: HashMap<&'static str, Verdict> = HashMap::new();
    for f in out.iter() {
        verdicts.entry(f.code).or_insert_with(|| {
            find_rule(f.code)
                .map(|r| r.meta())
                .filter(|m| !m.judges_running_server())
                .map_or(Verdict::None, |m| m.verdict)
        });
    }
    let verdict = |f: &Finding| verdicts.get(f.code).copied().unwrap_or(Verdict::None);
    // A finding stands unless every server it names is decided and given nothing.
    out.retain(|f| {
        let Some(reference) = &f.server else {
            return true;
        };
        let asks = verdict(f);
        if asks == Verdict::None {
            return true;
        }
        let Some(named) = by_reference.get(reference) else {
            return true;
        };
        named.iter().any(|&i| {
            let j = &judged[i];
            j.undecided
                || match asks {
                    Verdict::Open => j.open,
                    _ => j.foreign,
                }
        })
    });
    // Which servers a finding already explains, by verdict: every server its reference
    // names.
    let mut explained_open = vec![false; judged.len()];
    let mut explained_foreign = vec![false; judged.len()];
    for f in out.iter() {
        let Some(named) = f.server.as_ref().and_then(|r| by_reference.get(r)) else {
            continue;
        };
        let marks = match verdict(f) {
            Verdict::Open => &mut explained_open,
            Verdict::Foreign => &mut explained_foreign,
            _ => continue,
        };
        for &i in named {
            marks[i] = true;
        }
    }
    let open_backstop = ContentWithoutCertificate::META.kinds.contains(&config.kind);
    for (i, j) in judged.iter().enumerate() {
        if j.open && open_backstop && !explained_open[i] {
            if let Some(row) = cx.open_request(i) {
                out.push(content_without_certificate::finding(cx, i, row));
            }
        }
        if j.foreign && !explained_foreign[i] {
            if let Some(row) = cx.foreign_request(i) {
                out.push(default_server_missing::answered_by_simulation(cx, i, row));
            }
        }
    }
}
