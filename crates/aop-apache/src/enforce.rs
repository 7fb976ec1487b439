//! What gets around a virtual host's refusal of unverified clients, and how far per-directory
//! verification reaches. httpd merges per-directory sections in a fixed order: `<Directory>`
//! (and `<Files>`, `<Proxy>`) first, then `<Location>`/`<LocationMatch>` in the order they
//! appear, then `<If>`; the main server's before the virtual host's within each group.

use aop_model::{codes, ClientVerify, Finding, Label, PerDirectoryVerify, Regrant};
use aop_source::Span;

use crate::access::configured_document_root;
use crate::action::{
    denies_all, effective_root_location, if_refuses_unverified, is_root_location, joined_args,
    mentions_verify_success, requires_verified,
};
use crate::ast::Directive;
use crate::scope::{verify_value, Scope};

/// The merge group of a top-level section: later groups override earlier ones.
fn merge_group(section: &Directive) -> u8 {
    match section.name.as_str() {
        "directory" | "directorymatch" | "files" | "filesmatch" | "proxy" | "proxymatch" => 0,
        "location" | "locationmatch" => 1,
        "if" | "elseif" | "else" => 2,
        _ => 3,
    }
}

/// Top-level sections of the main server then of the virtual host, each with its merge rank.
fn ranked<'t>(own: &Scope<'t>, main: &Scope<'t>) -> Vec<(&'t Directive, (u8, usize))> {
    main.sections
        .iter()
        .chain(own.sections.iter())
        .enumerate()
        .map(|(i, s)| (*s, (merge_group(s), i)))
        .collect()
}

/// How httpd reads `ErrorDocument 403 <what>`, decided when the configuration is read: text
/// when it holds a space, a local path when it starts with `/`, a redirect when it is an
/// URL, text otherwise; `default` restores httpd's own page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorDocument {
    Default,
    Text,
    LocalPath,
    Redirect,
}

pub fn error_document(what: &str) -> ErrorDocument {
    if what.eq_ignore_ascii_case("default") {
        ErrorDocument::Default
    } else if what.contains(' ') {
        ErrorDocument::Text
    } else if what.starts_with('/') {
        ErrorDocument::LocalPath
    } else if is_url(what) {
        ErrorDocument::Redirect
    } else {
        ErrorDocument::Text
    }
}

/// httpd's `ap_is_url`: a scheme of letters, digits, `+`, `-`, `.`, then `:`.
fn is_url(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        }
        None => false,
    }
}

fn local_403(d: &Directive) -> bool {
    d.is("errordocument")
        && d.arg(0) == Some("403")
        && d.arg(1)
            .is_some_and(|w| error_document(w) == ErrorDocument::LocalPath)
}

fn section_local_403(section: &Directive) -> Option<Span> {
    section.children().iter().find_map(|c| {
        if c.section.is_some() {
            section_local_403(c)
        } else {
            local_403(c).then_some(c.span)
        }
    })
}

/// An `ErrorDocument 403` that is a page of the site: the virtual host's own (else the main
/// server's) at server level, or one in any section (it applies to that section's paths).
pub fn refusal_page(own: &Scope, main: &Scope) -> Option<Span> {
    fn server_level<'t>(scope: &Scope<'t>) -> Option<&'t Directive> {
        scope
            .directives
            .iter()
            .rfind(|d| d.is("errordocument") && d.arg(0) == Some("403"))
            .copied()
    }
    if let Some(d) = server_level(own).or_else(|| server_level(main)) {
        if local_403(d) {
            return Some(d.span);
        }
    }
    own.sections
        .iter()
        .chain(main.sections.iter())
        .find_map(|s| section_local_403(s))
}

/// The section holding the `Require` check that later sections can replace: the effective
/// `<Location />`, or an `<If "%{SSL_CLIENT_VERIFY} != 'SUCCESS'">` with `Require all denied`.
/// `SSLRequire` and rewrite rules are not replaced by another section's `Require`.
fn replaceable_check<'t>(
    own: &Scope<'t>,
    main: &Scope<'t>,
    enforced: Span,
) -> Option<&'t Directive> {
    if let Some(s) = main
        .sections
        .iter()
        .chain(own.sections.iter())
        .find(|s| if_refuses_unverified(s) == Some(enforced))
    {
        return Some(s);
    }
    effective_root_location(own, main).filter(|s| requires_verified(s, false) == Some(enforced))
}

fn is_require(d: &Directive) -> bool {
    matches!(
        d.name.as_str(),
        "require" | "requireall" | "requireany" | "requirenone"
    )
}

/// A `Require` that admits only some client addresses: not everyone, but not a certificate
/// check either (`Require local` guarding a status page).
pub(crate) fn address_bound(d: &Directive) -> bool {
    d.is("require")
        && d.arg(0).is_some_and(|a| {
            matches!(
                a.to_ascii_lowercase().as_str(),
                "local" | "ip" | "host" | "forward-dns"
            )
        })
}

/// What in `section` lets unverified clients through once it replaces the check: a grant
/// (`Require all granted`, any requirement other than the certificate check, denial or a
/// client address), or `AuthMerging Off` with no `Require` at all (authorization dropped).
/// `AuthMerging And` keeps the check.
fn regrant(section: &Directive) -> Option<Span> {
    let merging = section
        .children()
        .iter()
        .rfind(|c| c.is("authmerging"))
        .map(|c| (c.arg(0).unwrap_or("").to_ascii_lowercase(), c.span));
    if merging.as_ref().is_some_and(|(m, _)| m == "and") {
        return None;
    }
    let requires: Vec<&Directive> = section
        .children()
        .iter()
        .filter(|c| is_require(c))
        .collect();
    if requires.is_empty() {
        let nested = section
            .children()
            .iter()
            .filter(|c| matches!(c.name.as_str(), "if" | "elseif" | "else"))
            .find_map(regrant);
        return nested.or_else(|| merging.filter(|(m, _)| m == "off").map(|(_, span)| span));
    }
    if requires_verified(section, false).is_some() || denies_all(section).is_some() {
        return None;
    }
    let granting = requires.iter().find(|c| {
        let args = c
            .args
            .iter()
            .map(|a| a.value.to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(" ");
        !(address_bound(c) || args == "all denied")
    });
    granting.map(|c| c.span)
}

/// Which clients an `<If>`/`<ElseIf>` condition on the certificate selects.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Branch {
    /// Not about the certificate.
    Other,
    /// `%{SSL_CLIENT_VERIFY} == 'SUCCESS'`: verified clients only.
    Verified,
    /// `!= 'SUCCESS'`, `== 'NONE'`...: (some) unverified clients.
    Unverified,
    /// Combined with other tests (`&&`, `||`): not decided here.
    Unknown,
}

fn branch(section: &Directive) -> Branch {
    let cond = joined_args(section);
    if !cond.to_ascii_uppercase().contains("SSL_CLIENT_VERIFY") {
        return Branch::Other;
    }
    if cond.contains("&&") || cond.contains("||") {
        return Branch::Unknown;
    }
    let negated = cond.contains("!=") || cond.contains("!~") || cond.trim().starts_with('!');
    if mentions_verify_success(&cond) && !negated {
        Branch::Verified
    } else {
        Branch::Unverified
    }
}

/// Sections merged after the replaceable check whose authorization lets unverified clients
/// into their paths. Branches of a condition on the certificate count only where they
/// apply to unverified clients; a condition combined with other tests is beyond this
/// reading, and `AOP004` says so when such a branch grants access.
pub fn regrants(
    own: &Scope,
    main: &Scope,
    enforced: Option<Span>,
    findings: &mut Vec<Finding>,
) -> Vec<Regrant> {
    let Some(check) = enforced.and_then(|e| replaceable_check(own, main, e)) else {
        return Vec::new();
    };
    let mut order = ranked(own, main);
    order.sort_by_key(|(_, rank)| *rank);
    let Some(at) = order.iter().position(|(s, _)| std::ptr::eq(*s, check)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // The first branch of the current <If>/<ElseIf>/<Else> chain.
    let mut head = Branch::Other;
    for (i, (s, _)) in order.iter().enumerate().skip(at) {
        if i > at && is_root_location(s) && requires_verified(s, false).is_some() {
            continue;
        }
        let applies = match s.name.as_str() {
            "if" => {
                head = branch(s);
                head
            }
            // Reached only when the head's condition failed.
            "elseif" | "else" => match head {
                Branch::Verified if s.is("elseif") => match branch(s) {
                    Branch::Verified => Branch::Verified,
                    Branch::Unknown => Branch::Unknown,
                    _ => Branch::Unverified,
                },
                Branch::Verified => Branch::Unverified,
                Branch::Unverified => Branch::Verified,
                Branch::Unknown => Branch::Unknown,
                Branch::Other => branch(s),
            },
            _ => {
                head = Branch::Other;
                Branch::Other
            }
        };
        // The check itself only opens its chain.
        if i == at || applies == Branch::Verified {
            continue;
        }
        let Some(grant) = regrant(s) else { continue };
        if applies == Branch::Unknown {
            let finding = Finding::new(
                codes::NOT_CHECKED,
                format!(
                    "`{}` grants access under a condition on the client certificate combined with other tests: whether it lets unverified clients in was not checked",
                    s.opener()
                ),
                Label::new(grant, "grants access here"),
            )
            .with_label(Label::new(s.span, "in this branch"));
            if !findings.iter().any(|f| f == &finding) {
                findings.push(finding);
            }
            continue;
        }
        out.push(Regrant {
            section: s.span,
            grant,
        });
    }
    out
}

fn directory_covers(dir: &str, root: &str) -> bool {
    if dir.contains(['*', '?', '[']) {
        return false;
    }
    let dir = dir.trim_end_matches('/');
    let root = root.trim_end_matches('/');
    dir.is_empty() || root == dir || root.starts_with(&format!("{dir}/"))
}

/// Directives that answer a URL from somewhere other than the `DocumentRoot`.
fn maps_elsewhere(d: &Directive) -> bool {
    matches!(
        d.name.as_str(),
        "alias"
            | "aliasmatch"
            | "scriptalias"
            | "scriptaliasmatch"
            | "proxypass"
            | "proxypassmatch"
            | "rewriterule"
            | "sethandler"
            | "userdir"
    ) || d.children().iter().any(maps_elsewhere)
}

/// Whether `section` applies to every request of the server: `<Location />` (or a
/// `<LocationMatch>` matching everything), or a `<Directory>` holding the `DocumentRoot`
/// when nothing maps URLs elsewhere.
fn whole_site(section: &Directive, own: &Scope, main: &Scope) -> bool {
    if is_root_location(section) {
        return true;
    }
    if !section.is("directory") {
        return false;
    }
    let Some(root) = configured_document_root(own, main) else {
        return false;
    };
    let elsewhere = own
        .directives
        .iter()
        .chain(main.directives.iter())
        .chain(own.sections.iter())
        .chain(main.sections.iter())
        .any(|d| maps_elsewhere(d));
    !elsewhere && section.arg(0).is_some_and(|d| directory_covers(d, &root))
}

struct Found<'t> {
    top: &'t Directive,
    innermost: &'t Directive,
    directive: &'t Directive,
    value: ClientVerify,
    rank: (u8, usize),
}

fn collect<'t>(
    top: &'t Directive,
    section: &'t Directive,
    rank: (u8, usize),
    out: &mut Vec<Found<'t>>,
) {
    for c in section.children() {
        if c.section.is_some() {
            collect(top, c, rank, out);
        } else if c.is("sslverifyclient") {
            // Invalid values are reported once, by the walk over every section.
            if let Some(value) = verify_value(c, &mut Vec::new()) {
                out.push(Found {
                    top,
                    innermost: section,
                    directive: c,
                    value,
                    rank,
                });
            }
        }
    }
}

/// `SSLVerifyClient` inside sections (any depth), the virtual host's first, with whether
/// each one's value holds for every path: set directly in a whole-site section, and no
/// other section that may merge after it sets a different value (`<Directory>` sections
/// merge in order of depth, so any other `<Directory>` value counts as later).
pub fn per_directory(own: &Scope, main: &Scope) -> Vec<PerDirectoryVerify> {
    let ranks = ranked(own, main);
    let mut found = Vec::new();
    let main_count = main.sections.len();
    for (i, s) in own.sections.iter().enumerate() {
        collect(s, s, ranks[main_count + i].1, &mut found);
    }
    for (i, s) in main.sections.iter().enumerate() {
        collect(s, s, ranks[i].1, &mut found);
    }
    found
        .iter()
        .map(|f| {
            let direct = std::ptr::eq(f.top, f.innermost);
            let overridden = found.iter().any(|q| {
                let later_here = std::ptr::eq(q.top, f.top) && q.directive.span > f.directive.span;
                q.value != f.value
                    && !std::ptr::eq(q.directive, f.directive)
                    && (q.rank > f.rank || later_here || (q.rank.0 == 0 && f.rank.0 == 0))
            });
            PerDirectoryVerify {
                section: f.innermost.span,
                directive: f.directive.span,
                value: f.value,
                covers_site: direct && !overridden && whole_site(f.top, own, main),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{load, Loaded, SSL};

    fn vhost(body: &str) -> Loaded {
        load(&format!(
            "{SSL}<VirtualHost *:443>\nSSLEngine on\nDocumentRoot /srv/shop\n{body}</VirtualHost>\n"
        ))
    }

    const CHECK: &str =
        "SSLVerifyClient optional\n<Location />\n  Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'\n</Location>\n";

    #[test]
    fn error_document_forms_as_httpd_reads_them() {
        assert_eq!(error_document("/index.html"), ErrorDocument::LocalPath);
        assert_eq!(
            error_document("/errors/%{REQUEST_URI}"),
            ErrorDocument::LocalPath
        );
        assert_eq!(
            error_document("client certificate required"),
            ErrorDocument::Text
        );
        assert_eq!(error_document("Forbidden"), ErrorDocument::Text);
        assert_eq!(error_document("%{REQUEST_URI}"), ErrorDocument::Text);
        assert_eq!(
            error_document("https://shop.example.com/"),
            ErrorDocument::Redirect
        );
        assert_eq!(error_document("DEFAULT"), ErrorDocument::Default);
        assert_eq!(error_document("a/b:c"), ErrorDocument::Text);
    }

    #[test]
    fn refusal_page_server_level_and_sections() {
        let page = |body: &str| vhost(body).config.servers[0].refusal_page.is_some();
        assert!(page("ErrorDocument 403 /index.html\n"));
        assert!(page("ErrorDocument 403 \"/index.html\"\n"));
        assert!(!page("ErrorDocument 403 \"no certificate\"\n"));
        assert!(!page("ErrorDocument 403 https://example.com/\n"));
        assert!(!page("ErrorDocument 404 /index.html\n"));
        assert!(!page(
            "ErrorDocument 403 /index.html\nErrorDocument 403 default\n"
        ));
        assert!(page(
            "<Location /a>\n  ErrorDocument 403 /a.html\n</Location>\n"
        ));
        // The virtual host's own replaces the main server's.
        let t = load(&format!(
            "{SSL}ErrorDocument 403 /index.html\n<VirtualHost *:443>\nSSLEngine on\nErrorDocument 403 \"no\"\n</VirtualHost>\n"
        ));
        assert!(t.config.servers[0].refusal_page.is_none());
    }

    fn regrants_of(sections: &str) -> Vec<String> {
        let t = vhost(&format!("{CHECK}{sections}"));
        let s = &t.config.servers[0];
        assert!(s.verify_enforced.is_some());
        s.regrants.iter().map(|r| t.text(r.grant)).collect()
    }

    #[test]
    fn later_sections_replace_the_check() {
        let granted = "  Require all granted\n";
        assert_eq!(
            regrants_of(&format!("<Location /public/>\n{granted}</Location>\n")),
            ["Require all granted"]
        );
        assert_eq!(
            regrants_of(&format!(
                "<Location /public/>\n  AuthMerging Or\n{granted}</Location>\n"
            )),
            ["Require all granted"]
        );
        assert!(regrants_of(&format!(
            "<Location /public/>\n  AuthMerging And\n{granted}</Location>\n"
        ))
        .is_empty());
        assert_eq!(
            regrants_of("<Location /public/>\n  AuthMerging Off\n</Location>\n"),
            ["AuthMerging Off"]
        );
        assert!(regrants_of("<Location /public/>\n  Options -Indexes\n</Location>\n").is_empty());
        assert!(regrants_of(
            "<Location /status>\n  SetHandler server-status\n  Require local\n</Location>\n"
        )
        .is_empty());
        assert!(regrants_of(
            "<Location /x>\n  Require expr %{SSL_CLIENT_VERIFY} == 'SUCCESS'\n</Location>\n"
        )
        .is_empty());
        // <Directory> sections merge before every <Location>.
        assert!(regrants_of(&format!(
            "<Directory /srv/shop/public>\n{granted}</Directory>\n"
        ))
        .is_empty());
        assert_eq!(
            regrants_of(&format!(
                "<If \"%{{REQUEST_URI}} =~ m#^/p#\">\n{granted}</If>\n"
            )),
            ["Require all granted"]
        );
        assert_eq!(
            regrants_of(&format!(
                "<LocationMatch ^/p>\n  <If \"true\">\n  {granted}  </If>\n</LocationMatch>\n"
            )),
            ["Require all granted"]
        );
    }

    #[test]
    fn branches_on_the_certificate() {
        let granted = "  Require all granted\n";
        let verified = "\"%{SSL_CLIENT_VERIFY} == 'SUCCESS'\"";
        let unverified = "\"%{SSL_CLIENT_VERIFY} != 'SUCCESS'\"";
        // Granting verified clients only keeps the check.
        assert!(regrants_of(&format!("<If {verified}>\n{granted}</If>\n")).is_empty());
        assert_eq!(
            regrants_of(&format!("<If {unverified}>\n{granted}</If>\n")),
            ["Require all granted"]
        );
        // An <Else> holds the clients its <If> did not take.
        assert_eq!(
            regrants_of(&format!(
                "<If {verified}>\n{granted}</If>\n<Else>\n{granted}</Else>\n"
            )),
            ["Require all granted"]
        );
        assert!(regrants_of(&format!(
            "<If {unverified}>\n  Require all denied\n</If>\n<Else>\n{granted}</Else>\n"
        ))
        .is_empty());
        let t = vhost(&format!(
            "{CHECK}<If \"%{{SSL_CLIENT_VERIFY}} == 'SUCCESS' || -R '10.0.0.0/8'\">\n{granted}</If>\n"
        ));
        assert!(t.config.servers[0].regrants.is_empty());
        assert!(t.codes().contains(&"AOP004"));
    }

    fn covers(body: &str) -> Vec<bool> {
        let t = vhost(body);
        t.config.servers[0]
            .per_directory_verify
            .iter()
            .map(|p| p.covers_site)
            .collect()
    }

    #[test]
    fn per_directory_verification_covering_the_site() {
        let root = "<Location />\n  SSLVerifyClient require\n</Location>\n";
        assert_eq!(covers(root), [true]);
        assert_eq!(
            covers("<LocationMatch .*>\n  SSLVerifyClient require\n</LocationMatch>\n"),
            [true]
        );
        assert_eq!(
            covers("<Location /admin>\n  SSLVerifyClient require\n</Location>\n"),
            [false]
        );
        assert_eq!(
            covers(&format!(
                "{root}<Location /public/>\n  SSLVerifyClient none\n</Location>\n"
            )),
            [false, false]
        );
        // <Directory> merges first: the <Location /> value wins.
        assert_eq!(
            covers(&format!(
                "<Directory /srv/shop/public>\n  SSLVerifyClient none\n</Directory>\n{root}"
            )),
            [false, true]
        );
        assert_eq!(
            covers("<Location />\n  <If \"true\">\n    SSLVerifyClient require\n  </If>\n</Location>\n"),
            [false]
        );
        let dir = "<Directory /srv/>\n  SSLVerifyClient require\n</Directory>\n";
        assert_eq!(covers(dir), [true]);
        assert_eq!(
            covers(&format!("{dir}Alias /icons/ /usr/share/icons/\n")),
            [false]
        );
        assert_eq!(
            covers("<Directory /srv/other>\n  SSLVerifyClient require\n</Directory>\n"),
            [false]
        );
    }
}
