//! Whether httpd's `<Directory>` authorization lets anyone at the files a URL maps to.
//! Debian's and httpd's stock main file deny `/` and grant `/var/www/`: a `DocumentRoot`
//! elsewhere that no other `<Directory>` grants answers every request with 403.
//!
//! httpd merges the plain `<Directory>` sections that hold a path from the shortest path to
//! the longest (the main server's before the virtual host's at equal depth); each with a
//! `Require` replaces what came before under the default `AuthMerging Off`.

use aop_source::Span;

use crate::action::denies_outsiders;
use crate::ast::Directive;
use crate::enforce::address_bound;
use crate::scope::Scope;
use aop_source::{fnmatch, has_wildcard};

/// The `DocumentRoot` httpd uses when none is configured: Debian's build (and RHEL's) compile
/// in `/var/www/html`.
pub const COMPILED_IN_DOCUMENT_ROOT: &str = "/var/www/html";

/// What a section's own `Require` lines say, when it has any.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Authz {
    /// `Require all denied` and nothing that grants: nobody gets in.
    Denied(Span),
    /// Anything else: someone may get in.
    Admits,
}

fn authz(section: &Directive, peers_real: bool) -> Option<Authz> {
    if !has_authz(section) {
        return None;
    }
    Some(denies_outsiders(section, peers_real).map_or(Authz::Admits, Authz::Denied))
}

pub(crate) fn has_authz(section: &Directive) -> bool {
    section.children().iter().any(|c| {
        matches!(
            c.name.as_str(),
            "require" | "requireall" | "requireany" | "requirenone"
        )
    })
}

fn merging(section: &Directive) -> String {
    section
        .children()
        .iter()
        .rfind(|c| c.is("authmerging"))
        .and_then(|c| c.arg(0))
        .unwrap_or("off")
        .to_ascii_lowercase()
}

fn components(path: &str) -> Vec<&str> {
    path.split('/').filter(|c| !c.is_empty()).collect()
}

/// Whether `<Directory pattern>` holds `path`: each of the pattern's components matches the
/// path's component at the same place (wildcards as httpd's `fnmatch`).
fn holds(pattern: &str, path: &str) -> bool {
    let (pattern, path) = (components(pattern), components(path));
    pattern.len() <= path.len()
        && pattern.iter().zip(&path).all(|(p, c)| {
            if has_wildcard(p.as_bytes()) {
                fnmatch(p.as_bytes(), c.as_bytes())
            } else {
                p == c
            }
        })
}

fn is_regex(section: &Directive) -> bool {
    section.is("directorymatch") || (section.is("directory") && section.arg(0) == Some("~"))
}

fn directories<'t>(own: &Scope<'t>, main: &Scope<'t>) -> Vec<&'t Directive> {
    main.sections
        .iter()
        .chain(own.sections.iter())
        .filter(|s| s.is("directory") || s.is("directorymatch"))
        .copied()
        .collect()
}

/// The `Require all denied` that keeps everyone from `path`, when `<Directory>` sections
/// decide so. A regular-expression section with its own `Require` merges after the others
/// and may match: then nothing is decided here.
/// `peers_real`: see [`crate::action::classify`].
pub fn denied(path: &str, own: &Scope, main: &Scope, peers_real: bool) -> Option<Span> {
    let all = directories(own, main);
    if all.iter().any(|s| is_regex(s) && has_authz(s)) {
        return None;
    }
    let mut holding: Vec<(usize, usize, &Directive)> = all
        .iter()
        .enumerate()
        .filter(|(_, s)| !is_regex(s) && s.arg(0).is_some_and(|p| holds(p, path)))
        .map(|(i, s)| (components(s.arg(0).unwrap_or("")).len(), i, *s))
        .collect();
    holding.sort_by_key(|&(depth, i, _)| (depth, i));
    let mut state: Option<Authz> = None;
    for (_, _, s) in holding {
        let Some(own) = authz(s, peers_real) else {
            continue;
        };
        state = Some(match (merging(s).as_str(), state) {
            ("or", Some(Authz::Admits)) | ("and", Some(Authz::Denied(_))) => state.unwrap_or(own),
            _ => own,
        });
    }
    match state {
        Some(Authz::Denied(span)) => Some(span),
        _ => None,
    }
}

/// The `DocumentRoot` a virtual host sets, else the main server's.
pub fn configured_document_root(own: &Scope, main: &Scope) -> Option<String> {
    let root = |scope: &Scope| {
        scope
            .directives
            .iter()
            .rfind(|d| d.is("documentroot"))
            .and_then(|d| d.arg(0).map(str::to_string))
    };
    root(own).or_else(|| root(main))
}

/// The `DocumentRoot` in force: the configured one, else httpd's compiled-in default.
pub fn document_root(own: &Scope, main: &Scope) -> String {
    configured_document_root(own, main).unwrap_or_else(|| COMPILED_IN_DOCUMENT_ROOT.to_string())
}

fn is_proxying_rewrite(d: &Directive) -> bool {
    d.is("rewriterule")
        && d.arg(2).is_some_and(|f| {
            f.trim_matches(['[', ']']).split(',').any(|f| {
                f.trim().eq_ignore_ascii_case("p") || f.trim().eq_ignore_ascii_case("proxy")
            })
        })
}

/// Something that hands out content although the `DocumentRoot` is denied: a proxy, an
/// `Alias` to a directory someone may enter, or a section merged after `<Directory>` (or a
/// deeper `<Directory>` under the root) whose `Require` admits someone.
pub fn served_elsewhere(root: &str, own: &Scope, main: &Scope, peers_real: bool) -> Option<Span> {
    let directives = own.directives.iter().chain(main.directives.iter());
    let sections = own.sections.iter().chain(main.sections.iter());
    let nested = sections.clone().flat_map(|s| s.children().iter());
    for d in directives.copied().chain(nested) {
        let content = match d.name.as_str() {
            "proxypass" | "proxypassmatch" => d.args.iter().any(|a| a.value != "!"),
            "rewriterule" => is_proxying_rewrite(d),
            "alias" | "aliasmatch" | "scriptalias" | "scriptaliasmatch" => {
                let target = if d.args.len() >= 2 {
                    d.arg(1)
                } else {
                    d.arg(0)
                };
                target.is_some_and(|t| denied(t, own, main, peers_real).is_none())
            }
            _ => false,
        };
        if content {
            return Some(d.span);
        }
    }
    for s in sections {
        // A status page open to `Require local` (Debian's mod_status) is no content for
        // the clients that matter here.
        let requires: Vec<&Directive> = s.children().iter().filter(|c| c.is("require")).collect();
        let admits = authz(s, peers_real) == Some(Authz::Admits)
            && (requires.is_empty() || !requires.iter().all(|r| address_bound(r)));
        let later = !s.is("directory") || is_regex(s);
        let deeper = s
            .arg(0)
            .is_some_and(|p| components(p).len() > components(root).len() && holds(root, p));
        if admits && (later || deeper) {
            return Some(s.span);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::tests::load;
    use aop_model::Action;

    fn action(body: &str) -> Action {
        let t = load(&format!(
            "Listen 80\n<Directory />\n  Require all denied\n</Directory>\n{body}"
        ));
        t.config.servers[0].action
    }

    #[test]
    fn a_root_no_directory_grants_is_refused() {
        let vhost = "<VirtualHost *:80>\nDocumentRoot /srv/site\n</VirtualHost>\n";
        assert_eq!(action(vhost), Action::Rejects);
        let granted = "<Directory /srv/>\n  Require all granted\n</Directory>\n";
        assert_eq!(action(&format!("{granted}{vhost}")), Action::Serves);
        // The deeper section wins, whatever the order.
        let deeper = "<Directory /srv/site>\n  Require all denied\n</Directory>\n";
        assert_eq!(
            action(&format!("{deeper}{granted}{vhost}")),
            Action::Rejects
        );
        let wildcard = "<Directory /srv/*>\n  Require all granted\n</Directory>\n";
        assert_eq!(action(&format!("{wildcard}{vhost}")), Action::Serves);
        let or = "<Directory /srv/site>\n  AuthMerging Or\n  Require ip 10.0.0.0/8\n</Directory>\n";
        assert_eq!(action(&format!("{or}{vhost}")), Action::Serves);
    }

    #[test]
    fn a_root_granted_to_this_machine_only_is_refused() {
        let vhost = "<VirtualHost *:80>\nDocumentRoot /srv/site\n</VirtualHost>\n";
        let granted = |grant: &str| format!("<Directory /srv/>\n  {grant}\n</Directory>\n");
        let only_here = [
            "Require local",
            "Require ip 127.0.0.1 ::1",
            "Require ip 127",
            "Require ip 127.0.0.0/255.0.0.0",
            "Require local\n  Require ip 127.0.0.0/8",
        ];
        let someone_else = [
            "Require local\n  Require ip 203.0.113.0/24",
            "Require ip 127.0.0.0/7",
            "Require ip ::1/64",
        ];
        let expected = only_here
            .iter()
            .map(|g| (g, Action::Rejects))
            .chain(someone_else.iter().map(|g| (g, Action::Serves)));
        for (grant, action_expected) in expected {
            let conf = format!("{}{vhost}", granted(grant));
            assert_eq!(action(&conf), action_expected, "{grant}");
        }
        // An internal proxy's claim of 127.0.0.1 is believed: the grant is no refusal.
        let remoteip = "RemoteIPHeader X-Forwarded-For\nRemoteIPInternalProxy 10.0.0.0/8\n";
        let conf = format!("{remoteip}{}{vhost}", granted("Require local"));
        assert_eq!(action(&conf), Action::Serves);
    }

    #[test]
    fn the_main_server_serves_the_compiled_in_root() {
        assert_eq!(action(""), Action::Rejects);
        let www = "<Directory /var/www/>\n  Require all granted\n</Directory>\n";
        assert_eq!(action(www), Action::Serves);
    }

    #[test]
    fn content_besides_a_denied_root() {
        let vhost = |extra: &str| {
            format!("<VirtualHost *:80>\nDocumentRoot /srv/site\n{extra}</VirtualHost>\n")
        };
        let granted = "<Directory /opt/pub>\n  Require all granted\n</Directory>\n";
        assert_eq!(
            action(&format!("{granted}{}", vhost("Alias /pub /opt/pub\n"))),
            Action::Serves
        );
        assert_eq!(action(&vhost("Alias /pub /opt/pub\n")), Action::Rejects);
        assert_eq!(
            action(&vhost("ProxyPass /app http://127.0.0.1:8080/\n")),
            Action::Serves
        );
        assert_eq!(
            action(&vhost(
                "<Files index.html>\n  Require all granted\n</Files>\n"
            )),
            Action::Serves
        );
        assert_eq!(
            action(&vhost(
                "<Directory /srv/site/pub>\n  Require all granted\n</Directory>\n"
            )),
            Action::Serves
        );
        assert_eq!(
            action(&vhost("<Location />\n  Require all granted\n</Location>\n")),
            Action::Serves
        );
        assert_eq!(
            action(&vhost(
                "<Location /server-status>\n  SetHandler server-status\n  Require local\n</Location>\n"
            )),
            Action::Rejects
        );
    }
}
