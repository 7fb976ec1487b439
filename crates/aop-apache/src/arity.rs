//! Directives httpd declares with exactly one argument (`TAKE1`): any other count is a
//! syntax error and httpd does not start. The usual cause is an end-of-line comment, which
//! Apache does not have (`SSLCertificateFile /etc/ssl/site.crt # edit this`).

use aop_model::{codes, Finding, Label};

use crate::ast::Directive;
use crate::errors::ConfError;

/// Lowercase name, the spelling of httpd's documentation, and what httpd says it takes.
pub(crate) const TAKE1: &[(&str, &str, &str)] = &[
    (
        "documentroot",
        "DocumentRoot",
        "Root directory of the document tree",
    ),
    (
        "servername",
        "ServerName",
        "The hostname and port of the server",
    ),
    (
        "sslengine",
        "SSLEngine",
        "SSL switch for the protocol engine ('on', 'off')",
    ),
    (
        "sslcertificatefile",
        "SSLCertificateFile",
        "SSL Server Certificate file ('/path/to/file' - PEM or DER encoded)",
    ),
    (
        "sslcertificatekeyfile",
        "SSLCertificateKeyFile",
        "SSL Server Private Key file ('/path/to/file' - PEM or DER encoded)",
    ),
    (
        "sslcertificatechainfile",
        "SSLCertificateChainFile",
        "SSL Server CA Certificate Chain file ('/path/to/file' - PEM encoded)",
    ),
    (
        "sslcacertificatefile",
        "SSLCACertificateFile",
        "SSL CA Certificate file ('/path/to/file' - PEM encoded)",
    ),
    (
        "sslcacertificatepath",
        "SSLCACertificatePath",
        "SSL CA Certificate path ('/path/to/dir' - contains PEM encoded files)",
    ),
    (
        "sslcarevocationfile",
        "SSLCARevocationFile",
        "SSL CA Certificate Revocation List (CRL) file ('/path/to/file' - PEM encoded)",
    ),
    (
        "sslverifyclient",
        "SSLVerifyClient",
        "SSL Client verify type ('none', 'optional', 'require', 'optional_no_ca')",
    ),
    (
        "sslverifydepth",
        "SSLVerifyDepth",
        "SSL Client verify depth ('N' - number of intermediate certificates)",
    ),
    (
        "remoteipheader",
        "RemoteIPHeader",
        "Specifies a request header to trust as the client IP, e.g. X-Forwarded-For",
    ),
];

/// Reports, in the order httpd reads them, the `TAKE1` directives of the tree given another
/// number of arguments.
pub fn check(tree: &[Directive], findings: &mut Vec<Finding>) {
    for d in tree {
        if d.section.is_some() {
            check(d.children(), findings);
            continue;
        }
        if d.args.len() == 1 {
            continue;
        }
        if let Some((_, name, takes)) = TAKE1.iter().find(|(n, _, _)| *n == d.name) {
            findings.push(finding(d, name, takes));
        }
    }
}

fn finding(d: &Directive, name: &str, takes: &'static str) -> Finding {
    let httpd_says = ConfError::TakesOneArgument {
        name: name.into(),
        usage: takes,
    };
    let Some(extra) = d.args.get(1) else {
        return Finding::new(
            codes::PARSE_ERROR,
            format!("`{name}` without its argument: httpd refuses to start (\"{httpd_says}\")"),
            Label::new(d.span, "needs one argument"),
        );
    };
    let comment = extra.value.starts_with('#');
    let label = if comment {
        "Apache has no end-of-line comments: this is an argument"
    } else {
        "one argument too many"
    };
    let help = if comment {
        let text: Vec<&str> = d.args[1..].iter().map(|a| a.value.as_str()).collect();
        format!(
            "put the comment on a line of its own:\n    {}\n    {name} {}",
            text.join(" "),
            d.args[0].value
        )
    } else {
        format!("give `{name}` one argument; quote a value that holds spaces")
    };
    Finding::new(
        codes::PARSE_ERROR,
        format!(
            "`{name}` is given {} arguments: httpd refuses to start (\"{httpd_says}\")",
            d.args.len()
        ),
        Label::new(extra.span, label),
    )
    .with_help(help)
}

#[cfg(test)]
mod tests {
    use crate::tests::load;

    #[test]
    fn one_argument_directives() {
        let t = load("<VirtualHost *:443>\nSSLCertificateFile /c.pem # edit\nDocumentRoot \"/srv/my site\"\nServerAlias a b # c\n</VirtualHost>\n");
        let errors: Vec<_> = t
            .config
            .findings
            .iter()
            .filter(|f| f.code == "AOP001")
            .collect();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(t.text(errors[0].primary.span), "#");
        assert!(errors[0]
            .message
            .contains("SSLCertificateFile takes one argument"));
        assert!(load("SSLEngine\n").codes().contains(&"AOP001"));
    }
}
