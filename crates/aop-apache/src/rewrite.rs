//! What a virtual host's own mod_rewrite rules do with one kind of request: a request for
//! one of its names, or for a name nobody configured (which reaches it when it is the
//! default of its address:port). A rule decides for that kind only when its conditions
//! hold for every such request; a condition that holds for some (`%{HTTP_HOST} ^www\.`
//! when the vhost also answers the bare name) or that cannot be decided here leaves the
//! other requests to what follows, so a guarded redirect is never taken for "redirects
//! everything".

use aop_model::pcre::Pcre;
use aop_model::Action;
use aop_source::Span;

use crate::action::{matches_everything, status_action};
use crate::ast::Directive;
use crate::scope::Scope;

/// Whether something holds for every request of a kind, for some, or for none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    Always,
    Sometimes,
    Never,
}

impl Truth {
    fn from_bool(b: bool) -> Truth {
        if b {
            Truth::Always
        } else {
            Truth::Never
        }
    }

    fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::Never, _) | (_, Truth::Never) => Truth::Never,
            (Truth::Always, Truth::Always) => Truth::Always,
            _ => Truth::Sometimes,
        }
    }

    fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::Always, _) | (_, Truth::Always) => Truth::Always,
            (Truth::Never, Truth::Never) => Truth::Never,
            _ => Truth::Sometimes,
        }
    }

    fn not(self) -> Truth {
        match self {
            Truth::Always => Truth::Never,
            Truth::Never => Truth::Always,
            Truth::Sometimes => Truth::Sometimes,
        }
    }
}

/// The hostname a kind of request asks for.
#[derive(Clone, Copy, Debug)]
pub enum Host<'a> {
    /// One of the vhost's names, as Cloudflare sends it: lower case, no port.
    Named(&'a str),
    /// Any name the vhost was not configured for.
    Unknown,
}

/// One kind of request reaching a virtual host.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub host: Host<'a>,
    pub tls: bool,
    /// The port, when the vhost listens on one only.
    pub port: Option<u16>,
    /// The vhost's own names, lower case.
    pub names: &'a [String],
    /// `UseCanonicalName On`: `SERVER_NAME` is this name whatever the client asked for.
    pub canonical_name: Option<&'a str>,
}

/// What the rules do with a kind of request: the actions they take for some or all of
/// them, and whether some leave the rules without a decision (and get what follows).
#[derive(Debug, Default)]
pub struct Rewritten {
    pub decided: Vec<(Action, Span)>,
    pub passes: bool,
}

/// What a rule does when it applies.
enum Effect {
    Decides(Action),
    /// `[L]`/`[END]` without a decision: the request leaves the rules as it is.
    Stops,
    /// An internal rewrite: the next rules see the request.
    Continues,
}

fn flags(d: &Directive, at: usize) -> Vec<String> {
    d.arg(at)
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|f| f.trim().to_ascii_uppercase())
        .collect()
}

fn effect(rule: &Directive) -> Effect {
    let flags = flags(rule, 2);
    for f in &flags {
        match f.as_str() {
            "F" | "FORBIDDEN" | "G" | "GONE" => return Effect::Decides(Action::Rejects),
            // The backend's answer is content.
            "P" | "PROXY" => return Effect::Decides(Action::Serves),
            "R" | "REDIRECT" => return Effect::Decides(Action::Redirects),
            _ => {}
        }
        if let Some(code) = f.strip_prefix("R=").or_else(|| f.strip_prefix("REDIRECT=")) {
            let action = match code {
                "PERMANENT" | "TEMP" | "SEEOTHER" => Some(Action::Redirects),
                n => n.parse().ok().and_then(status_action),
            };
            return action.map_or(Effect::Continues, Effect::Decides);
        }
    }
    let target = rule.arg(1).unwrap_or("");
    if target.starts_with("https://") || target.starts_with("http://") {
        // An absolute URL is a redirect even without `R`.
        return Effect::Decides(Action::Redirects);
    }
    if flags
        .iter()
        .any(|f| matches!(f.as_str(), "L" | "LAST" | "END"))
    {
        Effect::Stops
    } else {
        Effect::Continues
    }
}

/// A CondPattern tested on one known value; `None` for forms not decided here (`-f`,
/// `<`, a regular expression aop-lint does not read, a match past the backtracking bound).
fn test_value(pattern: &str, nocase: bool, value: &str) -> Option<bool> {
    if let Some(expected) = pattern.strip_prefix('=') {
        let expected = expected.trim_matches('"');
        return Some(if nocase {
            expected.eq_ignore_ascii_case(value)
        } else {
            expected == value
        });
    }
    if pattern.starts_with(['<', '>', '-']) {
        return None;
    }
    Pcre::new(pattern, nocase).and_then(|r| r.is_match(value))
}

fn on_value(pattern: &str, nocase: bool, value: &str) -> Truth {
    test_value(pattern, nocase, value).map_or(Truth::Sometimes, Truth::from_bool)
}

/// A regular expression anchored at both ends without unbounded repetition matches a
/// fixed set of names.
fn matches_few(pattern: &str) -> bool {
    if !(pattern.starts_with('^') && pattern.ends_with('$') && !pattern.ends_with("\\$")) {
        return false;
    }
    let mut chars = pattern.chars();
    let mut in_braces = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '*' | '+' => return false,
            '{' => in_braces = true,
            ',' if in_braces => return false,
            '}' => in_braces = false,
            _ => {}
        }
    }
    true
}

/// A hostname test over every name the vhost was not configured for: it holds for all of
/// them only when it matches everything; it holds for none when it picks out names of the
/// vhost's own (an exact name, or a fixed set that includes one).
fn on_unknown_host(pattern: &str, nocase: bool, names: &[String]) -> Truth {
    if let Some(expected) = pattern.strip_prefix('=') {
        let expected = expected.trim_matches('"').to_ascii_lowercase();
        return if names.contains(&expected) {
            Truth::Never
        } else {
            Truth::Sometimes
        };
    }
    if matches_everything(pattern) {
        return Truth::Always;
    }
    if matches_few(pattern)
        && names
            .iter()
            .any(|n| test_value(pattern, nocase, n) == Some(true))
    {
        return Truth::Never;
    }
    Truth::Sometimes
}

fn condition(d: &Directive, req: &Request) -> Truth {
    let test = d.arg(0).unwrap_or("").to_ascii_uppercase();
    let Some(pattern) = d.arg(1) else {
        return Truth::Sometimes;
    };
    let (negated, pattern) = match pattern.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    let nocase = flags(d, 2).iter().any(|f| f == "NC" || f == "NOCASE");
    let truth = match test.as_str() {
        "%{SERVER_NAME}" if req.canonical_name.is_some() => {
            on_value(pattern, nocase, req.canonical_name.unwrap_or_default())
        }
        // httpd lowercases the name it matched vhosts with; Cloudflare sends it so.
        "%{HTTP_HOST}" | "%{SERVER_NAME}" | "%{HTTP:HOST}" => match req.host {
            Host::Named(name) => on_value(pattern, nocase, name),
            Host::Unknown => on_unknown_host(pattern, nocase, req.names),
        },
        "%{HTTPS}" => on_value(pattern, nocase, if req.tls { "on" } else { "off" }),
        "%{REQUEST_SCHEME}" => on_value(pattern, nocase, if req.tls { "https" } else { "http" }),
        "%{SERVER_PORT}" => match req.port {
            Some(port) => on_value(pattern, nocase, &port.to_string()),
            None => Truth::Sometimes,
        },
        "%{REQUEST_URI}" if matches_everything(pattern) => Truth::Always,
        _ => Truth::Sometimes,
    };
    if negated {
        truth.not()
    } else {
        truth
    }
}

/// `RewriteCond`s joined as mod_rewrite does: `[OR]` binds a condition to the next one,
/// the groups so formed must all hold.
#[derive(Default)]
struct Conditions {
    all: Option<Truth>,
    group: Option<Truth>,
}

impl Conditions {
    fn push(&mut self, truth: Truth, or_next: bool) {
        let group = self.group.map_or(truth, |g| g.or(truth));
        if or_next {
            self.group = Some(group);
        } else {
            self.group = None;
            self.all = Some(self.all.map_or(group, |a| a.and(group)));
        }
    }

    fn take(&mut self) -> Truth {
        let open = self.group.take();
        let all = self.all.take();
        match (all, open) {
            (Some(a), Some(g)) => a.and(g),
            (Some(t), None) | (None, Some(t)) => t,
            (None, None) => Truth::Always,
        }
    }
}

/// Runs the vhost's server-level rules over one kind of request.
pub fn rewrite(own: &Scope, req: &Request) -> Rewritten {
    let mut out = Rewritten::default();
    if !own.rewrite_engine {
        out.passes = true;
        return out;
    }
    let mut conditions = Conditions::default();
    for d in &own.directives {
        match d.name.as_str() {
            "rewritecond" => {
                let or_next = flags(d, 2).iter().any(|f| f == "OR" || f == "ORNEXT");
                conditions.push(condition(d, req), or_next);
            }
            "rewriterule" => {
                let pattern = d.arg(0).unwrap_or("");
                let path = if matches_everything(pattern) {
                    Truth::Always
                } else {
                    Truth::Sometimes
                };
                let applies = conditions.take().and(path);
                if applies == Truth::Never {
                    continue;
                }
                match effect(d) {
                    Effect::Decides(action) => out.decided.push((action, d.span)),
                    Effect::Stops => out.passes = true,
                    Effect::Continues => continue,
                }
                if applies == Truth::Always {
                    return out;
                }
            }
            _ => {}
        }
    }
    out.passes = true;
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::load;

    /// The action and host guard of the `<VirtualHost *:80>` written after a catch-all
    /// (`default: false`) or alone.
    fn plain(rules: &str, default: bool) -> (Action, bool) {
        let catch_all =
            "<VirtualHost *:80>\nServerName catch-all.invalid\nRedirect 404 /\n</VirtualHost>\n";
        let text = format!(
            "Listen 80\n{}<VirtualHost *:80>\nServerName example.com\nServerAlias www.example.com\nDocumentRoot /var/www/site\nRewriteEngine on\n{rules}</VirtualHost>\n",
            if default { "" } else { catch_all }
        );
        let t = load(&text);
        let s = t.config.servers.last().unwrap();
        (s.action, s.host_guard.is_some())
    }

    const TO_HTTPS: &str =
        "RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]\n";

    #[test]
    fn a_redirect_for_some_names_serves_the_others() {
        let www = format!("RewriteCond %{{HTTP_HOST}} ^www\\.\n{TO_HTTPS}");
        assert_eq!(plain(&www, false), (Action::Serves, false));
        let certbot = format!(
            "RewriteCond %{{SERVER_NAME}} =example.com [OR]\nRewriteCond %{{SERVER_NAME}} =www.example.com\n{TO_HTTPS}"
        );
        assert_eq!(plain(&certbot, false), (Action::Redirects, false));
        // As the default it also gets names nobody configured, which no condition matches.
        assert_eq!(plain(&certbot, true), (Action::Serves, false));
        let nocase =
            format!("RewriteCond %{{HTTP_HOST}} ^(www\\.)?EXAMPLE\\.com$ [NC]\n{TO_HTTPS}");
        assert_eq!(plain(&nocase, false), (Action::Redirects, false));
        let canonical =
            format!("UseCanonicalName On\nRewriteCond %{{SERVER_NAME}} =example.com\n{TO_HTTPS}");
        assert_eq!(plain(&canonical, true), (Action::Redirects, false));
    }

    #[test]
    fn undecided_conditions_are_not_taken_for_redirects() {
        for cond in [
            "RewriteCond %{REQUEST_URI} !^/\\.well-known/acme-challenge/\n",
            "RewriteCond %{HTTP_USER_AGENT} !bot\n",
            "RewriteCond %{HTTP_HOST}%{REQUEST_URI} .\n",
            "RewriteCond %{REQUEST_FILENAME} !-f\n",
        ] {
            assert_eq!(
                plain(&format!("{cond}{TO_HTTPS}"), false).0,
                Action::Serves,
                "{cond}"
            );
        }
        let scheme = format!("RewriteCond %{{HTTPS}} off\n{TO_HTTPS}");
        assert_eq!(plain(&scheme, true), (Action::Redirects, false));
        let https_only = format!("RewriteCond %{{HTTPS}} on\n{TO_HTTPS}");
        assert_eq!(plain(&https_only, false).0, Action::Serves);
    }

    #[test]
    fn a_host_check_keeps_unknown_names_out() {
        let guard = "RewriteCond %{HTTP_HOST} !^(www\\.)?example\\.com$\nRewriteRule ^ - [F]\n";
        assert_eq!(plain(guard, true), (Action::Serves, true));
        let then_https = format!("{guard}RewriteCond %{{HTTPS}} off\n{TO_HTTPS}");
        assert_eq!(plain(&then_https, true), (Action::Redirects, false));
        let proxy = "RewriteRule ^/(.*) http://127.0.0.1:8080/$1 [P]\n";
        assert_eq!(plain(proxy, false).0, Action::Serves);
    }

    #[test]
    fn conditions_group_as_mod_rewrite_does() {
        use Truth::*;
        // A [OR] B, C  ==  (A or B) and C
        let mut c = Conditions::default();
        c.push(Never, true);
        c.push(Always, false);
        c.push(Always, false);
        assert_eq!(c.take(), Always);
        // A, B [OR] C  ==  A and (B or C)
        let mut c = Conditions::default();
        c.push(Never, false);
        c.push(Always, true);
        c.push(Always, false);
        assert_eq!(c.take(), Never);
        assert_eq!(Conditions::default().take(), Always);
    }

    #[test]
    fn names_matched_by_a_fixed_set() {
        assert!(matches_few("^example\\.com$"));
        assert!(matches_few("^(www\\.)?example\\.com$"));
        assert!(!matches_few("^www\\."));
        assert!(!matches_few("^.*\\.example\\.com$"));
        assert!(!matches_few("^a{2,}$"));
        let names = ["example.com".to_string()];
        assert_eq!(
            on_unknown_host("^example\\.com$", false, &names),
            Truth::Never
        );
        assert_eq!(
            on_unknown_host("^other\\.org$", false, &names),
            Truth::Sometimes
        );
        assert_eq!(on_unknown_host("=example.com", false, &names), Truth::Never);
        assert_eq!(on_unknown_host(".*", false, &names), Truth::Always);
    }
}
