//! httpd refuses to start when a server with `SSLEngine on` has no certificate: mod_ssl
//! stops with "AH02572: Failed to configure at least one certificate and key for <name>"
//! after `apache2 -t` has said "Syntax OK". mod_md supplies the certificate of every name
//! an `MDomain` manages.

use aop_model::{codes, Finding, Label};
use aop_source::Span;

use crate::ast::Directive;
use crate::scope::Scope;

/// The names `MDomain`/`<MDomain>`/`<MDomainSet>` hand to mod_md, lower case.
pub fn managed_names(tree: &[Directive]) -> Vec<String> {
    tree.iter()
        .filter(|d| matches!(d.name.as_str(), "mdomain" | "mdomainset" | "managed-domain"))
        .flat_map(|d| d.args.iter())
        .map(|a| a.value.to_ascii_lowercase())
        .filter(|v| v != "auto" && v != "manual")
        .collect()
}

fn managed(name: &str, by: &[String]) -> bool {
    by.iter().any(|m| match m.strip_prefix("*.") {
        Some(suffix) => name
            .strip_suffix(suffix)
            .is_some_and(|head| head.ends_with('.') && head.len() > 1),
        None => m == name,
    })
}

/// Reports a server (`own`, inheriting from `main`) that switches TLS on with no
/// `SSLCertificateFile` in force and no name mod_md manages.
pub fn check(
    own: &Scope,
    main: &Scope,
    names: &[String],
    by_md: &[String],
    server: Span,
    findings: &mut Vec<Finding>,
) {
    let Some((true, engine)) = own.ssl_engine.or(main.ssl_engine) else {
        return;
    };
    if own.certificate.or(main.certificate).is_some() || names.iter().any(|n| managed(n, by_md)) {
        return;
    }
    if names.is_empty() && !by_md.is_empty() {
        // httpd names the server after the machine's host name, which mod_md may manage.
        push_once(
            findings,
            Finding::new(
                codes::NOT_CHECKED,
                format!(
                    "`SSLEngine on` with no `SSLCertificateFile` in force, for a server without `ServerName`: httpd names it after the machine's host name, and starts only if mod_md manages that name ({}); this was not checked",
                    by_md.join(", ")
                ),
                Label::new(engine, "TLS switched on here, with no certificate"),
            )
            .with_help("name the server with `ServerName`, and give it a certificate or an `MDomain`"),
        );
        return;
    }
    let name = names.first().map_or("(no ServerName)", String::as_str);
    let mut finding = Finding::new(
        codes::PARSE_ERROR,
        format!(
            "`SSLEngine on` for `{name}` with no `SSLCertificateFile` in force: `apache2 -t` accepts it, but httpd refuses to start (mod_ssl: \"AH02572: Failed to configure at least one certificate and key for {name}\")"
        ),
        Label::new(engine, "TLS switched on here, with no certificate"),
    )
    .with_help(format!(
        "give this server a certificate and key:\n    SSLCertificateFile /etc/ssl/certs/{0}.pem\n    SSLCertificateKeyFile /etc/ssl/private/{0}.key\nor let mod_md obtain one with `MDomain {0}`",
        if name.starts_with('(') { "example.com" } else { name }
    ));
    if own.ssl_engine.is_none() {
        finding = finding.with_label(Label::new(server, "inherits it here"));
    }
    push_once(findings, finding);
}

/// One `SSLEngine on` at server level speaks for every vhost: one finding.
fn push_once(findings: &mut Vec<Finding>, finding: Finding) {
    if !findings
        .iter()
        .any(|f| f.code == finding.code && f.primary.span == finding.primary.span)
    {
        findings.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::tests::load;

    const SSL: &str =
        "LoadModule mpm_event_module mod_mpm_event.so\nLoadModule ssl_module mod_ssl.so\nLoadModule md_module mod_md.so\nListen 443\n";

    fn parse_errors(body: &str) -> usize {
        let t = load(&format!("{SSL}{body}"));
        t.codes().iter().filter(|c| **c == "AOP001").count()
    }

    #[test]
    fn tls_without_a_certificate_does_not_start() {
        let vhost = |extra: &str| {
            format!("<VirtualHost *:443>\nServerName shop.example.com\nSSLEngine on\n{extra}</VirtualHost>\n")
        };
        assert_eq!(parse_errors(&vhost("")), 1);
        assert_eq!(parse_errors(&vhost("SSLCertificateFile /c.pem\n")), 0);
        assert_eq!(
            parse_errors(&format!("SSLCertificateFile /c.pem\n{}", vhost(""))),
            0
        );
        assert_eq!(
            parse_errors(&format!(
                "MDomain example.com shop.example.com\n{}",
                vhost("")
            )),
            0
        );
        assert_eq!(
            parse_errors(&format!(
                "<MDomainSet *.example.com>\n</MDomainSet>\n{}",
                vhost("")
            )),
            0
        );
        assert_eq!(
            parse_errors(&format!("MDomain other.example.com\n{}", vhost(""))),
            1
        );
        // Without any ServerName the machine's host name decides, and mod_md may manage it.
        let nameless =
            "MDomain shop.example.com\n<VirtualHost *:443>\nSSLEngine on\n</VirtualHost>\n";
        assert_eq!(parse_errors(nameless), 0);
        assert!(load(&format!("{SSL}{nameless}"))
            .codes()
            .contains(&"AOP004"));
        // One switch at server level for every vhost: one finding.
        let two = "<VirtualHost *:443>\nServerName a.example.com\n</VirtualHost>\n<VirtualHost *:443>\nServerName b.example.com\n</VirtualHost>\n";
        assert_eq!(parse_errors(&format!("SSLEngine on\n{two}")), 1);
        assert_eq!(parse_errors("SSLEngine off\n"), 0);
    }
}
