//! Directives httpd accepts only outside `<VirtualHost>` (its `GLOBAL_ONLY` commands): in a
//! vhost, at any depth, httpd refuses to start with "X cannot occur within <VirtualHost>
//! section". Each was measured with `apache2 -t` on Debian's httpd 2.4.71.

use aop_model::{codes, Finding, Label};

use crate::ast::Directive;
use crate::errors::ConfError;

/// Lowercase names and the spelling httpd's message uses.
const GLOBAL_ONLY: &[(&str, &str)] = &[
    ("gracefulshutdowntimeout", "GracefulShutdownTimeout"),
    ("listen", "Listen"),
    ("listenbacklog", "ListenBacklog"),
    ("listentcpdeferaccept", "ListenTCPDeferAccept"),
    ("maxrequestworkers", "MaxRequestWorkers"),
    ("mutex", "Mutex"),
    ("pidfile", "PidFile"),
    ("scoreboardfile", "ScoreboardFile"),
    ("serverlimit", "ServerLimit"),
    ("servertokens", "ServerTokens"),
    ("sslcryptodevice", "SSLCryptoDevice"),
    ("sslfips", "SSLFIPS"),
    ("sslpassphrasedialog", "SSLPassPhraseDialog"),
    ("sslrandomseed", "SSLRandomSeed"),
    ("sslsessioncache", "SSLSessionCache"),
    ("sslstaplingcache", "SSLStaplingCache"),
    ("sslvhostsnipolicy", "SSLVHostSNIPolicy"),
    ("threadsperchild", "ThreadsPerChild"),
    ("user", "User"),
];

pub fn check(tree: &[Directive], findings: &mut Vec<Finding>) {
    for vhost in tree.iter().filter(|d| d.is("virtualhost")) {
        inside(vhost, vhost.children(), findings);
    }
}

fn inside(vhost: &Directive, directives: &[Directive], findings: &mut Vec<Finding>) {
    for d in directives {
        if d.section.is_some() {
            inside(vhost, d.children(), findings);
            continue;
        }
        let Some((_, name)) = GLOBAL_ONLY.iter().find(|(n, _)| *n == d.name) else {
            continue;
        };
        findings.push(
            Finding::new(
                codes::PARSE_ERROR,
                format!(
                    "{}: httpd refuses to start",
                    ConfError::NotInVirtualHost {
                        name: name.to_string()
                    }
                ),
                Label::new(d.span, "allowed only in the main server configuration"),
            )
            .with_label(Label::new(vhost.span, "inside this virtual host"))
            .with_help(format!(
                "move `{name}` out of the <VirtualHost>, to the main server configuration (it applies to every vhost)"
            )),
        );
    }
}

/// `SSLVHostSNIPolicy` takes one of four words (any case); httpd refuses any other.
pub fn sni_policy_values(tree: &[Directive], findings: &mut Vec<Finding>) {
    for d in tree {
        if d.section.is_some() {
            sni_policy_values(d.children(), findings);
            continue;
        }
        if !d.is("sslvhostsnipolicy") {
            continue;
        }
        let value = d.arg(0).unwrap_or_default();
        let known = ["strict", "secure", "authonly", "insecure"];
        if known.iter().any(|k| k.eq_ignore_ascii_case(value)) {
            continue;
        }
        findings.push(
            Finding::new(
                codes::PARSE_ERROR,
                format!(
                    "{}: httpd refuses to start",
                    ConfError::InvalidSniPolicy {
                        value: value.into()
                    }
                ),
                Label::new(d.span, "not strict, secure, authonly or insecure"),
            )
            .with_help("SSLVHostSNIPolicy secure"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::{load, SSL};

    #[test]
    fn main_server_directives_in_a_vhost_at_any_depth_stop_httpd() {
        let t = load(&format!(
            "{SSL}SSLVHostSNIPolicy insecure\nListen 443\n<VirtualHost *:443>\n SSLVHostSNIPolicy strict\n \
             <Location /x>\n  SSLSessionCache none\n </Location>\n SSLStrictSNIVHostCheck on\n</VirtualHost>\n"
        ));
        let said: Vec<&str> = t
            .config
            .findings
            .iter()
            .filter(|f| f.message.contains("cannot occur within <VirtualHost>"))
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(
            said,
            [
                "SSLVHostSNIPolicy cannot occur within <VirtualHost> section: httpd refuses to start",
                "SSLSessionCache cannot occur within <VirtualHost> section: httpd refuses to start",
            ]
        );
    }

    #[test]
    fn sni_policy_takes_four_words_in_any_case() {
        for ok in ["insecure", "AuthOnly", "STRICT", "secure"] {
            let t = load(&format!("{SSL}SSLVHostSNIPolicy {ok}\n"));
            assert!(t.codes().is_empty(), "{ok}: {:?}", t.codes());
        }
        let t = load(&format!("{SSL}SSLVHostSNIPolicy loose\n"));
        assert_eq!(t.codes(), ["AOP001"]);
        assert!(t.config.findings[0].message.contains("'loose'"));
    }
}
