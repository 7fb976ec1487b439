//! One vhost's handshake, another vhost's request, asked of Debian's httpd (2.4.66 or
//! later, which has `SSLVHostSNIPolicy`) and, where one was built, of httpd 2.4.62 (before
//! the CVE-2025-23048 fix): each run in a network namespace of its own. What they answer is
//! written down in docs/semantics.md and proves AOP203/AOP204 for Apache.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::crossing::{https, resume};
use super::env;
use super::namespace::Namespaced;
use super::pki::{pki, Issuer};

/// Debian's `apache2` when it is 2.4.66 or later (it prints `Server version: Apache/2.4.71
/// (Debian)`), else `None` after saying why.
fn apache2() -> Option<Httpd> {
    let tools = env::tools("Apache crossing", &["apache2", "curl", "openssl"])?;
    let out = Command::new(&tools[0]).arg("-v").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text
        .lines()
        .find_map(|l| l.strip_prefix("Server version: "))
        .and_then(aop_model::Version::parse);
    match version {
        Some(v) if v >= aop_model::Version::new(2, 4, 66) => Some(Httpd::debian(tools[0].clone())),
        other => {
            eprintln!(
                "*** SKIPPED: Apache crossing needs httpd 2.4.66 or later, found {other:?} ***"
            );
            None
        }
    }
}

/// An httpd and the directory of its modules.
struct Httpd {
    bin: PathBuf,
    modules: PathBuf,
}

impl Httpd {
    fn debian(bin: PathBuf) -> Self {
        Httpd {
            bin,
            modules: PathBuf::from("/usr/lib/apache2/modules"),
        }
    }

    /// A release built with `--prefix=P`: `P/bin/httpd`, `P/modules`.
    fn built(bin: PathBuf) -> Self {
        let prefix = bin.parent().and_then(Path::parent).expect("P/bin/httpd");
        Httpd {
            modules: prefix.join("modules"),
            bin,
        }
    }

    /// `LoadModule` lines: Debian compiles mod_unixd in, an upstream build loads it.
    fn load(&self) -> String {
        let mut out = String::new();
        for (id, file) in [
            ("unixd_module", "mod_unixd.so"),
            ("mpm_event_module", "mod_mpm_event.so"),
            ("authz_core_module", "mod_authz_core.so"),
            ("dir_module", "mod_dir.so"),
            ("ssl_module", "mod_ssl.so"),
        ] {
            let path = self.modules.join(file);
            if path.is_file() {
                out += &format!("LoadModule {id} {}\n", path.display());
            }
        }
        out
    }
}

/// Three vhosts on 127.0.0.1:443 (`main` in the main server): the first, `default.test`,
/// verifies the Cloudflare stand-in and serves `DEFAULT`; `partner.test` verifies the same
/// CA and serves `PARTNER`; `app.test` requires a certificate from the unrelated CA and
/// serves `APP`. A plain vhost on :8080 answers `READY`.
fn conf(httpd: &Httpd, main: &str) -> String {
    let p = pki();
    let cf = p.cloudflare_ca().display().to_string();
    let unrelated = p.unrelated_ca().display().to_string();
    let vhost = |name: &str, ca: &str| {
        format!(
            "<VirtualHost 127.0.0.1:443>\n ServerName {name}.test\n SSLEngine on\n SSLVerifyClient require\n SSLCACertificateFile {ca}\n DocumentRoot {{root}}/{name}\n</VirtualHost>\n"
        )
    };
    let mut out = format!(
        "{}User www-data\nGroup www-data\nServerName localhost\n\
         Listen 127.0.0.1:443\nListen 127.0.0.1:8080\n\
         SSLProtocol -all +TLSv1.2 +TLSv1.3\n\
         SSLCertificateFile {}\nSSLCertificateKeyFile {}\n\
         <Directory {{root}}>\n Require all granted\n</Directory>\n{main}\n",
        httpd.load(),
        p.server_cert().display(),
        p.server_key().display()
    );
    out += &vhost("default", &cf);
    out += &vhost("partner", &cf);
    out += &vhost("app", &unrelated);
    out += "<VirtualHost 127.0.0.1:8080>\n DocumentRoot {root}/ready\n</VirtualHost>\n";
    out
}

fn start(httpd: &Httpd, main: &str) -> Option<Namespaced> {
    start_conf(httpd, &conf(httpd, main))
}

fn start_conf(httpd: &Httpd, conf: &str) -> Option<Namespaced> {
    let files = [
        ("default/index.html", "DEFAULT\n"),
        ("partner/index.html", "PARTNER\n"),
        ("app/index.html", "APP\n"),
        ("ready/index.html", "READY\n"),
    ];
    Namespaced::start_apache(&httpd.bin, conf, &files, ("127.0.0.1:8080", "READY"))
}

/// `apache2 -t` on `main` and the vhosts: httpd's complaint, or `None` when it accepts them.
fn refused(httpd: &Httpd, main: &str) -> Option<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().display().to_string();
    let conf = conf(httpd, main).replace("{root}", &root);
    let file = dir.path().join("httpd.conf");
    std::fs::write(&file, format!("ErrorLog {root}/error.log\n{conf}")).expect("write");
    let out = Command::new(&httpd.bin)
        .args(["-t", "-f"])
        .arg(&file)
        .output()
        .expect("apache2 -t");
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    (!out.status.success()).then_some(text)
}

/// The default policy, `secure`, and the stricter ones refuse a request for `app.test` over
/// the handshake of a vhost that verifies against another CA; `insecure` serves it, with the
/// default vhost's handshake (no SNI, or an SNI no vhost names) and with another vhost's SNI.
/// `SSLStrictSNIVHostCheck on` refuses only the clients that send no SNI.
#[test]
fn apache_sni_policy_decides_whether_another_vhosts_handshake_reaches_a_vhost() {
    let Some(apache2) = apache2() else {
        return;
    };
    let cf = Some(Issuer::Cloudflare);
    for policy in [
        "",
        "SSLVHostSNIPolicy secure",
        "SSLVHostSNIPolicy authonly",
        "SSLVHostSNIPolicy strict",
    ] {
        println!("httpd with `{policy}`:");
        let Some(ns) = start(&apache2, policy) else {
            return;
        };
        for sni in [None, Some("unknown.test"), Some("partner.test")] {
            assert_eq!(
                https(&ns, sni, "app.test", cf),
                "421",
                "{policy}, sni {sni:?}"
            );
        }
        // With its own SNI, app's CA decides: the handshake fails.
        assert_eq!(https(&ns, Some("app.test"), "app.test", cf), "000");
        let own = https(&ns, Some("app.test"), "app.test", Some(Issuer::Unrelated));
        assert_eq!(own, "200 APP");
    }
    println!("httpd with `SSLVHostSNIPolicy insecure`:");
    let Some(ns) = start(&apache2, "SSLVHostSNIPolicy insecure") else {
        return;
    };
    for sni in [None, Some("unknown.test"), Some("partner.test")] {
        assert_eq!(https(&ns, sni, "app.test", cf), "200 APP", "sni {sni:?}");
    }
    // No certificate at all: the default vhost's handshake fails.
    assert_eq!(https(&ns, None, "app.test", None), "000");
    drop(ns);
    println!("httpd with `SSLVHostSNIPolicy insecure` and `SSLStrictSNIVHostCheck on`:");
    let both = "SSLVHostSNIPolicy insecure\nSSLStrictSNIVHostCheck on";
    let Some(ns) = start(&apache2, both) else {
        return;
    };
    assert_eq!(https(&ns, None, "app.test", cf), "403");
    for sni in [Some("unknown.test"), Some("partner.test")] {
        assert_eq!(https(&ns, sni, "app.test", cf), "200 APP", "sni {sni:?}");
    }
    drop(ns);
    // A default vhost that only asks for a certificate (`optional`): app, which requires one,
    // asks again against its own CA and refuses the Cloudflare certificate.
    println!("httpd with `SSLVHostSNIPolicy insecure`, the default vhost `optional`:");
    let conf = conf(&apache2, "SSLVHostSNIPolicy insecure").replacen(
        "SSLVerifyClient require",
        "SSLVerifyClient optional",
        1,
    );
    let Some(ns) = start_conf(&apache2, &conf) else {
        return;
    };
    for sni in [None, Some("unknown.test")] {
        assert_eq!(https(&ns, sni, "app.test", cf), "403", "sni {sni:?}");
    }
}

/// httpd 2.4.66 and later (with the CVE-2025-23048 fix of 2.4.64) make a full handshake
/// for `app.test` when a session of `partner.test` is offered, whatever the policy: the
/// session is not resumed and app refuses the client without its certificate.
#[test]
fn apache_sessions_do_not_resume_across_vhosts_after_the_cve_2025_23048_fix() {
    let Some(apache2) = apache2() else {
        return;
    };
    for policy in ["", "SSLVHostSNIPolicy insecure"] {
        println!("httpd with `{policy}`:");
        let Some(ns) = start(&apache2, policy) else {
            return;
        };
        for first in [Some("partner.test"), Some("default.test")] {
            let (reused, answer) = resume(&ns, first, Issuer::Cloudflare, "app.test");
            assert!(!reused && !answer.contains("APP"), "{policy}: {answer}");
        }
    }
}

/// `SSLVHostSNIPolicy` belongs to the main server: httpd refuses it in a `<VirtualHost>`,
/// and refuses a value it does not know (AOP001).
#[test]
fn apache_sni_policy_only_in_the_main_server_and_with_its_four_values() {
    let Some(apache2) = apache2() else {
        return;
    };
    assert_eq!(refused(&apache2, "SSLVHostSNIPolicy INSECURE"), None);
    let in_vhost = "<VirtualHost 127.0.0.1:8443>\n SSLVHostSNIPolicy strict\n</VirtualHost>";
    let err = refused(&apache2, in_vhost).expect("accepted in a vhost");
    assert!(
        err.contains("SSLVHostSNIPolicy cannot occur within <VirtualHost> section"),
        "{err}"
    );
    let err = refused(&apache2, "SSLVHostSNIPolicy loose").expect("accepted `loose`");
    assert!(
        err.contains("Invalid SSLVhostSNIPolicy argument 'loose'"),
        "{err}"
    );
}

/// httpd 2.4.62, the last release Debian 12 shipped before the CVE-2025-23048 fix: without
/// SNI nothing checks the vhost a request names, so the default vhost's verification admits
/// a client to a vhost that trusts another CA; `SSLStrictSNIVHostCheck on` answers `403`.
/// With SNI a request for a vhost with other SSL settings gets `421`. A session of another
/// vhost was never resumed at the protected one (TLS 1.3 sessions offered with its SNI),
/// although the advisory says some configurations do.
#[test]
fn apache_2_4_62_admits_a_client_without_sni_by_the_default_vhosts_ca() {
    if env::tools("Apache 2.4.62", &["curl", "openssl"]).is_none() {
        return;
    }
    let Some(bin) = env::httpd_release("2.4.62") else {
        return;
    };
    let httpd = Httpd::built(bin);
    let cf = Some(Issuer::Cloudflare);
    println!("httpd 2.4.62:");
    let Some(ns) = start(&httpd, "") else {
        return;
    };
    assert_eq!(https(&ns, None, "app.test", cf), "200 APP");
    for sni in [Some("unknown.test"), Some("partner.test")] {
        assert_eq!(https(&ns, sni, "app.test", cf), "421", "sni {sni:?}");
    }
    let (reused, answer) = resume(&ns, Some("partner.test"), Issuer::Cloudflare, "app.test");
    assert!(!reused && !answer.contains("APP"), "{answer}");
    drop(ns);
    println!("httpd 2.4.62 with `SSLStrictSNIVHostCheck on`:");
    let Some(ns) = start(&httpd, "SSLStrictSNIVHostCheck on") else {
        return;
    };
    assert_eq!(https(&ns, None, "app.test", cf), "403");
    // SSLVHostSNIPolicy came with 2.4.66.
    let err =
        refused(&httpd, "SSLVHostSNIPolicy secure").expect("2.4.62 accepted SSLVHostSNIPolicy");
    assert!(err.contains("Invalid command 'SSLVHostSNIPolicy'"), "{err}");
}
