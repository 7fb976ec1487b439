//! `aop-gen new-rule NAME CODE`: writes what a new rule consists of, so that adding one
//! touches nothing else: `crates/aop-rules/src/rules/NAME.rs` (its `declare_rule!`, a check
//! to fill in, test vectors to fill in), the regenerated `rules/mod.rs` that registers it,
//! and fixture stubs `fixtures/{nginx,apache}/NAME` and `NAME-ok`, copies of the compliant
//! trees. docs/contributing.md walks through the rest.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use aop_rules::registry::{module_file, rule_modules};

/// What each range of codes is for (docs/contributing.md).
const RANGES: &[(char, &str)] = &[
    (
        '0',
        "the tool itself: reading, suppressions, what was not checked",
    ),
    ('1', "client-certificate verification"),
    ('2', "reachability: default servers, plain HTTP"),
    ('3', "CA files"),
    ('5', "the client's real IP address"),
    ('6', "what a running origin answered (`aop-lint probe`)"),
];

pub struct NewRule {
    pub name: String,
    pub code: String,
}

impl NewRule {
    /// Checks the name and code against the naming contract and the registry.
    pub fn validate(&self) -> Result<&'static str, String> {
        let name_ok = !self.name.is_empty()
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-')
            && !self.name.starts_with('-')
            && !self.name.ends_with('-')
            && !self.name.contains("--");
        if !name_ok {
            return Err(format!(
                "`{}`: a rule's name is lowercase words joined by `-`, saying what is wrong (client-verify-missing)",
                self.name
            ));
        }
        let digits = self.code.strip_prefix("AOP").unwrap_or_default();
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{}`: a code is AOP and three digits", self.code));
        }
        let range = RANGES
            .iter()
            .find(|(first, _)| digits.starts_with(*first))
            .map(|(_, what)| *what)
            .ok_or_else(|| {
                format!(
                    "`{}`: no such range; the ranges are 0xx tool, 1xx verification, 2xx reachability, 3xx CA, 5xx real IP, 6xx probe",
                    self.code
                )
            })?;
        for r in aop_rules::RULES {
            let m = r.meta();
            if m.code == self.code || m.name == self.name {
                return Err(format!(
                    "{} {} is taken (`aop-lint rules` lists the codes in use)",
                    m.code, m.name
                ));
            }
        }
        Ok(range)
    }

    fn module(&self) -> String {
        self.name.replace('-', "_")
    }

    fn type_name(&self) -> String {
        self.name
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Writes the rule file, the registry and the fixture stubs under `repo`; returns the
    /// paths written.
    pub fn write(&self, repo: &Path) -> io::Result<Vec<PathBuf>> {
        let rules = repo.join("crates/aop-rules/src/rules");
        let file = rules.join(format!("{}.rs", self.module()));
        if file.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists", file.display()),
            ));
        }
        let mut written = vec![file.clone()];
        fs::write(&file, self.rule_file())?;
        let registry = rules.join("mod.rs");
        fs::write(&registry, module_file(&rule_modules(&rules)?))?;
        written.push(registry);
        for kind in ["nginx", "apache"] {
            let compliant = repo.join("fixtures").join(kind).join("compliant");
            for case in [self.name.clone(), format!("{}-ok", self.name)] {
                let dir = repo.join("fixtures").join(kind).join(&case);
                copy_tree(&compliant, &dir)?;
                let main = dir.join(if kind == "nginx" {
                    "nginx.conf"
                } else {
                    "apache2.conf"
                });
                let what = if case.ends_with("-ok") {
                    "must not raise"
                } else {
                    "must raise"
                };
                let text = fs::read_to_string(&main)?;
                fs::write(
                    &main,
                    format!("# TODO: a copy of the compliant tree; edit it so that it {what} {}.\n{text}", self.code),
                )?;
                written.push(dir);
            }
        }
        Ok(written)
    }

    fn rule_file(&self) -> String {
        TEMPLATE
            .replace("{Type}", &self.type_name())
            .replace("{CODE}", &self.code)
            .replace("{name}", &self.name)
    }
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

const TEMPLATE: &str = r##"use aop_model::{Finding, Label, Server};

use crate::{declare_rule, Context};

declare_rule! {
    /// ## What it does
    /// TODO: what this rule reports, in the words of the configuration.
    ///
    /// ## Why it matters
    /// TODO: what goes wrong for an origin behind Cloudflare.
    ///
    /// ## Example
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl;
    ///         ssl_certificate        certs/shop.pem;
    ///         ssl_certificate_key    certs/shop.key;
    ///         ssl_verify_client      on;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///     }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// http {
    ///     server {
    ///         listen 443 ssl;
    ///         ssl_certificate        certs/shop.pem;
    ///         ssl_certificate_key    certs/shop.key;
    ///         ssl_verify_client      on;
    ///         ssl_client_certificate certs/cloudflare-origin-pull-ca.pem;
    ///     }
    /// }
    /// ```
    pub struct {Type} {
        code: "{CODE}",
        name: "{name}",
        severity: Warning,
        servers: [Nginx, Apache],
        verdict: None,
        summary: "TODO: one line for `aop-lint rules`",
    }
}

/// TODO: the question this rule asks of one server. Ask the model (`Server::tls_from_outside`,
/// `Server::requires_client_certificate`, ...), and `Server::directive(NAME)` for a setting no
/// field of `Server` holds (with `reads: [NAME]` in the `declare_rule!` above, so the
/// readers keep it).
fn applies(s: &Server) -> bool {
    let _ = s;
    false
}

impl {Type} {
    fn check(cx: &Context, out: &mut Vec<Finding>) {
        for s in cx.config.servers.iter().filter(|s| applies(s)) {
            out.push(
                Finding::new(
                    Self::CODE,
                    format!("server `{}`: TODO", s.display_name()),
                    Label::new(s.span, "TODO: what is wrong here"),
                )
                .with_help("TODO: the exact fix")
                .for_server(s.reference()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Type};
    use crate::tester::{apache_tls, nginx_tls, Tester};

    #[test]
    fn vectors() {
        let findings = Tester::new(&{Type})
            .nginx_fail(nginx_tls("# TODO: a server that raises it"))
            .nginx_pass(nginx_tls("# TODO: a server that must not"))
            .apache_fail(apache_tls("# TODO: a virtual host that raises it"))
            .apache_pass(apache_tls("# TODO: a virtual host that must not"))
            .run();
        insta::assert_snapshot!(findings);
    }
}
"##;

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(name: &str, code: &str) -> NewRule {
        NewRule {
            name: name.to_string(),
            code: code.to_string(),
        }
    }

    #[test]
    fn names_and_codes_are_checked() {
        assert!(rule("client-verify-missing", "AOP199").validate().is_err());
        assert!(rule("x-y", "AOP101").validate().is_err());
        assert!(rule("Bad_Name", "AOP199").validate().is_err());
        assert!(rule("a-rule", "AOP1").validate().is_err());
        assert!(rule("a-rule", "AOP401").validate().is_err());
        assert!(rule("a-rule", "AOP701").validate().is_err());
        assert_eq!(
            rule("a-rule", "AOP199").validate(),
            Ok("client-certificate verification")
        );
    }

    #[test]
    fn the_type_is_the_name_in_camel_case() {
        assert_eq!(rule("ca-not-a-ca", "AOP399").type_name(), "CaNotACa");
        assert!(rule("ca-not-a-ca", "AOP399").rule_file().contains(
            "pub struct CaNotACa {\n        code: \"AOP399\",\n        name: \"ca-not-a-ca\","
        ));
    }

    /// The scaffold writes into a copy of the repository's layout; the rule file it writes
    /// is listed by the registry it regenerates.
    #[test]
    fn writes_the_rule_its_registry_line_and_fixture_stubs() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dir = tempfile::tempdir().unwrap();
        let rules = dir.path().join("crates/aop-rules/src/rules");
        fs::create_dir_all(&rules).unwrap();
        fs::write(rules.join("parse_error.rs"), "").unwrap();
        for kind in ["nginx", "apache"] {
            copy_tree(
                &repo.join("fixtures").join(kind).join("compliant"),
                &dir.path().join("fixtures").join(kind).join("compliant"),
            )
            .unwrap();
        }
        let written = rule("verify-too-loose", "AOP199")
            .write(dir.path())
            .unwrap();
        assert_eq!(written.len(), 6);
        let registry = fs::read_to_string(rules.join("mod.rs")).unwrap();
        assert!(registry.contains("pub mod verify_too_loose;"));
        assert!(registry.contains("    verify_too_loose::ENTRY,"));
        assert!(registry.contains("pub mod parse_error;"));
        let main = fs::read_to_string(
            dir.path()
                .join("fixtures/apache/verify-too-loose-ok/apache2.conf"),
        )
        .unwrap();
        assert!(main.starts_with(
            "# TODO: a copy of the compliant tree; edit it so that it must not raise AOP199.\n"
        ));
        assert!(dir
            .path()
            .join("fixtures/nginx/verify-too-loose/servable")
            .is_file());
        // Never over an existing rule.
        assert!(rule("verify-too-loose", "AOP199")
            .write(dir.path())
            .is_err());
    }
}
