//! mod_md's `MDRequireHttps temporary|permanent` (default `off`, at server level or inside
//! `<MDomain>`): every plain-HTTP request for a name of a managed domain is answered with a
//! redirect to https, except `/.well-known/acme-challenge/`. A vhost joins the domain of a
//! name it carries; with `MDMembers auto` (the default) its other names join too.

use aop_source::Span;

use crate::ast::Directive;

struct Domain {
    names: Vec<String>,
    require_https: Option<(bool, Span)>,
    auto_members: Option<bool>,
}

/// The managed domains of the tree, with the server-level settings they inherit.
pub struct Managed {
    domains: Vec<Domain>,
}

impl Managed {
    pub fn of(tree: &[Directive]) -> Self {
        let mut require_https = None;
        let mut auto_members = None;
        let mut domains = Vec::new();
        for d in tree {
            match d.name.as_str() {
                "mdrequirehttps" => require_https = require(d).or(require_https),
                "mdmembers" => auto_members = members(d).or(auto_members),
                "mdomain" | "mdomainset" | "managed-domain" => {
                    let mut own = Domain {
                        names: Vec::new(),
                        require_https: None,
                        auto_members: None,
                    };
                    for a in &d.args {
                        match a.value.to_ascii_lowercase().as_str() {
                            "auto" => own.auto_members = Some(true),
                            "manual" => own.auto_members = Some(false),
                            name => own.names.push(name.to_string()),
                        }
                    }
                    for c in d.children() {
                        match c.name.as_str() {
                            "mdrequirehttps" => {
                                own.require_https = require(c).or(own.require_https)
                            }
                            "mdmembers" => own.auto_members = members(c).or(own.auto_members),
                            _ => {}
                        }
                    }
                    domains.push(own);
                }
                _ => {}
            }
        }
        for domain in &mut domains {
            domain.require_https = domain.require_https.or(require_https);
            domain.auto_members = domain.auto_members.or(auto_members);
        }
        Managed { domains }
    }

    /// The `MDRequireHttps` that redirects every plain request for `names` (a vhost's, lower
    /// case), if one does.
    pub fn redirects_plain(&self, names: &[String]) -> Option<Span> {
        if names.is_empty() {
            return None;
        }
        self.domains.iter().find_map(|domain| {
            let (true, span) = domain.require_https? else {
                return None;
            };
            let managed = |n: &String| domain.names.contains(n);
            let covered = if domain.auto_members.unwrap_or(true) {
                names.iter().any(managed)
            } else {
                names.iter().all(managed)
            };
            covered.then_some(span)
        })
    }
}

fn require(d: &Directive) -> Option<(bool, Span)> {
    match d.arg(0)?.to_ascii_lowercase().as_str() {
        "temporary" | "permanent" => Some((true, d.span)),
        "off" => Some((false, d.span)),
        _ => None,
    }
}

fn members(d: &Directive) -> Option<bool> {
    match d.arg(0)?.to_ascii_lowercase().as_str() {
        "auto" => Some(true),
        "manual" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::load;

    use aop_model::Action;

    const BASE: &str = "LoadModule md_module mod_md.so\nListen 80\n<VirtualHost *:80>\nServerName default.invalid\n</VirtualHost>\n";
    const PLAIN: &str =
        "<VirtualHost *:80>\nServerName shop.example.com\nServerAlias www.shop.example.com\n</VirtualHost>\n";

    /// 1 when the plain vhost serves its names, 0 when it redirects them.
    fn plaintext_findings(md: &str) -> usize {
        let t = load(&format!("{BASE}{md}{PLAIN}"));
        match t.config.servers[1].action {
            Action::Serves => 1,
            Action::Redirects => 0,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn require_https_redirects_the_names_of_a_managed_domain() {
        assert_eq!(plaintext_findings(""), 1);
        assert_eq!(plaintext_findings("MDomain shop.example.com\n"), 1);
        let inside = "<MDomain shop.example.com>\nMDRequireHttps permanent\n</MDomain>\n";
        assert_eq!(plaintext_findings(inside), 0);
        let server = "MDRequireHttps temporary\nMDomain shop.example.com\n";
        assert_eq!(plaintext_findings(server), 0);
        let off = "MDRequireHttps permanent\n<MDomain shop.example.com>\nMDRequireHttps off\n</MDomain>\n";
        assert_eq!(plaintext_findings(off), 1);
        // The alias joins the domain only with the default `MDMembers auto`.
        let manual = "MDRequireHttps permanent\nMDomain shop.example.com manual\n";
        assert_eq!(plaintext_findings(manual), 1);
        let other = "MDRequireHttps permanent\nMDomain other.example.com\n";
        assert_eq!(plaintext_findings(other), 1);
    }
}
