//! Whole-tree tests: text in, model and findings out.

use std::fs;

use aop_model::{
    Action, Build, CaRefKind, ClientVerify, Config, Finding, ListenAddr, LoadOptions, Origin,
};
use aop_source::{Limits, SourceMap, Span};

pub(crate) struct Loaded {
    _dir: tempfile::TempDir,
    map: SourceMap,
    pub(crate) config: Config,
}

impl Loaded {
    pub(crate) fn text(&self, span: Span) -> String {
        self.map.text(span).into_owned()
    }

    pub(crate) fn codes(&self) -> Vec<&str> {
        self.config.findings.iter().map(|f| f.code).collect()
    }

    fn saying(&self, words: &str) -> Vec<&Finding> {
        self.config
            .findings
            .iter()
            .filter(|f| f.message.contains(words))
            .collect()
    }

    fn names(&self, i: usize) -> Vec<&str> {
        self.config.servers[i]
            .names
            .iter()
            .map(|(n, _)| n.as_str())
            .collect()
    }
}

fn load_with(files: &[(&str, &[u8])], opts: LoadOptions) -> Loaded {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, body).unwrap();
    }
    let mut map = SourceMap::new(opts.limits.clone());
    let entry = dir.path().join(files[0].0);
    let config = crate::load(&entry, &mut map, &opts).unwrap();
    Loaded {
        _dir: dir,
        map,
        config,
    }
}

pub(crate) fn load(main: &str) -> Loaded {
    load_with(&[("apache2.conf", main.as_bytes())], LoadOptions::default())
}

/// Loads a hostile tree, which must take well under a minute even in a debug build.
fn load_quickly(main: &str) -> Loaded {
    let started = std::time::Instant::now();
    let t = load(main);
    assert!(
        started.elapsed().as_secs() < 30,
        "took {:?}",
        started.elapsed()
    );
    t
}

fn load_tree(files: &[(&str, &str)]) -> Loaded {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_bytes())).collect();
    load_with(&files, LoadOptions::default())
}

/// A whole tree's modules: an MPM (httpd starts with none other) and mod_ssl.
pub(crate) const SSL: &str =
    "LoadModule mpm_event_module modules/mod_mpm_event.so\nLoadModule ssl_module modules/mod_ssl.so\n";

#[test]
fn names_are_case_insensitive_and_spans_exact() {
    let t = load("<virtualhost *:80>\n  SERVERNAME Shop.Example.com\n</VIRTUALHOST>\n");
    assert!(t.codes().is_empty(), "{:?}", t.config.findings);
    assert_eq!(t.names(0), vec!["shop.example.com"]);
    let (_, span) = &t.config.servers[0].names[0];
    assert_eq!(t.text(*span), "Shop.Example.com");
    assert_eq!(t.text(t.config.servers[0].span), "<virtualhost *:80>");
}

#[test]
fn a_continued_comment_swallows_the_next_line() {
    let t = load("# note \\\nServerName hidden.example\n<VirtualHost *:80>\n</VirtualHost>\n");
    assert!(t.names(0).is_empty());
}

#[test]
fn mismatched_close_labels_both_tags() {
    let t = load("<VirtualHost *:80>\n<Directory /x>\n</VirtualHost>\n");
    let f = &t.config.findings[0];
    assert_eq!(f.code, "AOP001");
    assert_eq!(f.message, "Expected </Directory> but saw </VirtualHost>");
    assert_eq!(t.text(f.primary.span), "</VirtualHost>");
    assert_eq!(t.text(f.secondary[0].span), "<Directory");
    // Recovery closes the vhost anyway, so the model still has it.
    assert_eq!(t.config.servers.len(), 1);
}

#[test]
fn missing_close_and_stray_close() {
    let t = load("<VirtualHost *:80>\nServerName a\n");
    assert_eq!(t.codes(), vec!["AOP001"]);
    assert_eq!(
        t.config.findings[0].message,
        "<VirtualHost> was not closed."
    );
    let t = load("</Location>\n");
    assert_eq!(
        t.config.findings[0].message,
        "</Location> without matching <Location> section"
    );
}

#[test]
fn two_closing_tags_on_one_line() {
    let t = load(&format!(
        "{SSL}<IfModule mod_ssl.c>\n<VirtualHost *:443>\nServerName a\n</VirtualHost> </IfModule>\n"
    ));
    assert!(t.codes().is_empty(), "{:?}", t.config.findings);
    assert_eq!(t.config.servers.len(), 1);
}

#[test]
fn a_false_section_is_skipped_without_reading_it() {
    let t = load("<IfModule mod_nope.c>\n<VirtualHost *:443>\nInclude missing.conf\n</VirtualHost>\n</IfModule>\n");
    assert!(t.codes().is_empty());
    assert!(t.config.servers.is_empty());
}

#[test]
fn include_rules() {
    let t = load_tree(&[
        ("apache2.conf", "Include missing.conf\nIncludeOptional missing2.conf\nInclude conf.d/*.nomatch\nIncludeOptional conf.d/*.nomatch\nInclude conf.d\n"),
        ("conf.d/b.conf", "<VirtualHost *:80>\nServerName b\n</VirtualHost>\n"),
        ("conf.d/a.conf", "<VirtualHost *:80>\nServerName a\n</VirtualHost>\n"),
    ]);
    assert_eq!(t.codes(), vec!["AOP002", "AOP002"]);
    assert_eq!(t.text(t.config.findings[0].primary.span), "missing.conf");
    assert_eq!(
        t.text(t.config.findings[1].primary.span),
        "conf.d/*.nomatch"
    );
    assert_eq!(t.names(0), vec!["a"]);
    assert_eq!(t.names(1), vec!["b"]);
}

#[test]
fn inclusions_that_multiply_are_bounded_and_reported_once() {
    // Each level includes the next twice: 2 + 4 + ... + 2^12 inclusions without a cycle.
    let mut files: Vec<(String, Vec<u8>)> = vec![(
        "apache2.conf".into(),
        b"Include l0.conf\nInclude l0.conf\n".to_vec(),
    )];
    for i in 0..12 {
        let body = format!("Include l{0}.conf\nInclude l{0}.conf\n", i + 1);
        files.push((format!("l{i}.conf"), body.into_bytes()));
    }
    files.push(("l12.conf".into(), b"ServerName x.example\n".to_vec()));
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let t = load_with(
        &files,
        LoadOptions {
            limits: Limits {
                max_inclusions: 100,
                ..Limits::default()
            },
            ..LoadOptions::default()
        },
    );
    assert_eq!(t.codes(), vec!["AOP004"]);
    assert!(
        t.config.findings[0]
            .message
            .starts_with("more than 100 file inclusions"),
        "{}",
        t.config.findings[0].message
    );
}

#[test]
fn include_cycle_is_reported_once_and_stops() {
    let t = load_tree(&[
        ("apache2.conf", "Include a.conf\n"),
        ("a.conf", "Include apache2.conf\n"),
    ]);
    assert_eq!(t.codes(), vec!["AOP002"]);
    assert!(t.config.findings[0].message.starts_with("include cycle"));
}

#[test]
fn variables_expand_on_the_whole_line_before_splitting() {
    let t = load(
        "Define ADDR *:443\nDefine NAMES \"b.example c.example\"\n\
         <VirtualHost ${ADDR}>\nServerName a.example\nServerAlias ${NAMES}\n</VirtualHost>\n",
    );
    assert!(t.codes().is_empty(), "{:?}", t.config.findings);
    assert_eq!(t.names(0), vec!["a.example", "b.example", "c.example"]);
    assert_eq!(t.config.servers[0].listeners[0].port, Some(443));
    let (_, span) = &t.config.servers[0].names[1];
    assert_eq!(t.text(*span), "${NAMES}");
}

#[test]
fn undefined_variables_are_findings() {
    let t = load("ErrorLog ${LOGS}/a\nCustomLog ${LOGS}/b\nInclude ${CONF}/x.conf\n");
    assert_eq!(t.codes(), vec!["AOP004", "AOP002"]);
    assert_eq!(t.text(t.config.findings[0].primary.span), "${LOGS}");
    assert_eq!(t.text(t.config.findings[1].primary.span), "${CONF}/x.conf");
}

#[test]
fn envvars_beside_the_main_file_are_the_environment() {
    let t = load_tree(&[
        ("apache2.conf", "IncludeOptional ${SITES}/*.conf\n"),
        ("envvars", "export SITES=sites-enabled\n"),
        (
            "sites-enabled/a.conf",
            "<VirtualHost *:80>\nServerName a\n</VirtualHost>\n",
        ),
    ]);
    assert!(t.codes().is_empty());
    assert_eq!(t.names(0), vec!["a"]);
}

#[test]
fn conditionals_by_module_id_file_define_and_version() {
    let t = load(&format!(
        "{SSL}Define PROD\n\
         <IfModule ssl_module>\nServerName one\n</IfModule>\n\
         <IfModule !mod_ssl.c>\nServerName two\n</IfModule>\n\
         <IfDefine !PROD>\nServerName three\n</IfDefine>\n\
         <IfVersion < 2.4>\nServerName four\n</IfVersion>\n\
         <VirtualHost *:80>\n</VirtualHost>\n"
    ));
    assert!(t.codes().is_empty(), "{:?}", t.config.findings);
    assert_eq!(t.names(0), vec!["one"]);
}

#[test]
fn undecidable_version_reads_the_contents_and_says_so() {
    let t = load(
        "<IfVersion >= 2.4.30>\nServerName x\n</IfVersion>\n<VirtualHost *:80>\n</VirtualHost>\n",
    );
    assert_eq!(t.codes(), vec!["AOP004"]);
    assert_eq!(t.names(0), vec!["x"]);
}

/// Each case as Debian's httpd 2.4 decides it (`apache2 -t -D DUMP_RUN_CFG` with a `Define`
/// inside each section): a directive exists once a module loaded so far provides it.
#[test]
fn directive_and_section_conditionals_follow_the_modules_loaded_so_far() {
    let t = load(
        "<VirtualHost *:80>\nServerName site\n\
         <IfDirective SSLVerifyClient>\nServerAlias ssl-before-load\n</IfDirective>\n\
         </VirtualHost>\n\
         LoadModule mpm_event_module modules/mod_mpm_event.so\n\
         LoadModule ssl_module modules/mod_ssl.so\n\
         <VirtualHost *:80>\nServerName site\n\
         <IfDirective SSLVerifyClient>\nServerAlias ssl-after-load\n</IfDirective>\n\
         <IfDirective sslverifyclient>\nServerAlias any-case\n</IfDirective>\n\
         <IfDirective !RemoteIPHeader>\nServerAlias no-remoteip\n</IfDirective>\n\
         <IfDirective RewriteRule>\nServerAlias rewrite\n</IfDirective>\n\
         <IfDirective ServerName NoSuchDirective>\nServerAlias first-word\n</IfDirective>\n\
         <IfDirective ! ServerName>\nServerAlias spaced-negation\n</IfDirective>\n\
         <IfDirective !!ServerName>\nServerAlias double-negation\n</IfDirective>\n\
         <IfDirective <VirtualHost>\nServerAlias section-as-directive\n</IfDirective>\n\
         <IfSection VirtualHost>\nServerAlias section\n</IfSection>\n\
         <IfSection IfVersion>\nServerAlias built-in-module-section\n</IfSection>\n\
         <IfSection Proxy>\nServerAlias proxy\n</IfSection>\n\
         <IfSection <VirtualHost>\nServerAlias bracketed-section\n</IfSection>\n\
         </VirtualHost>\n",
    );
    assert!(t.codes().is_empty(), "{:?}", t.config.findings);
    assert_eq!(t.names(0), vec!["site"]);
    assert_eq!(
        t.names(1),
        vec![
            "site",
            "ssl-after-load",
            "any-case",
            "no-remoteip",
            "first-word",
            "double-negation",
            "section-as-directive",
            "section",
            "built-in-module-section",
        ]
    );
}

#[test]
fn a_directive_of_an_unknown_loaded_module_reads_the_contents_and_says_so() {
    let t = load(
        "<VirtualHost *:80>\n\
         <IfDirective SecRuleEngine>\nServerAlias only-known-modules\n</IfDirective>\n\
         </VirtualHost>\n\
         LoadModule mpm_event_module modules/mod_mpm_event.so\n\
         LoadModule expires_module modules/mod_expires.so\n\
         <VirtualHost *:80>\n\
         <IfDirective ExpiresActive>\nServerName x\n</IfDirective>\n\
         <IfSection !FooSection>\nServerAlias y\n</IfSection>\n\
         </VirtualHost>\n",
    );
    assert_eq!(t.codes(), vec!["AOP004", "AOP004"]);
    assert!(t.names(0).is_empty());
    assert_eq!(t.names(1), vec!["x", "y"]);
    let f = &t.config.findings[0];
    assert_eq!(t.text(f.primary.span), "<IfDirective ExpiresActive>");
    assert!(f.message.contains("the directive `ExpiresActive`"));
    assert!(t.config.findings[1]
        .message
        .contains("a `<FooSection>` section"));
}

/// mod_remoteip as Debian's httpd behaves (tests/live.rs checks it on loopback).
#[test]
fn remote_ip_header_and_proxies_inherit_as_mod_remoteip_merges_them() {
    let t = load_tree(&[
        (
            "apache2.conf",
            "RemoteIPHeader CF-Connecting-IP\nRemoteIPTrustedProxy 173.245.48.0/20 10\n\
             <VirtualHost *:80>\n</VirtualHost>\n\
             <VirtualHost *:81>\n  RemoteIPHeader X-Forwarded-For\n  RemoteIPTrustedProxyList conf/ips.txt\n</VirtualHost>\n\
             <VirtualHost *:82>\n  RemoteIPInternalProxyList conf/missing.txt\n</VirtualHost>\n",
        ),
        ("conf/ips.txt", "# Cloudflare\n103.21.244.0/22 # 8.8.8.8\n  10.1.0.0/255.255.0.0\n"),
    ]);
    assert_eq!(t.codes(), vec!["AOP004"], "{:?}", t.config.findings);
    let f = &t.config.findings[0];
    assert_eq!(t.text(f.primary.span), "conf/missing.txt");
    let sources = |i: usize| -> Vec<(String, String)> {
        let r = t.config.servers[i].real_ip.as_ref().unwrap();
        r.trusted
            .iter()
            .map(|(s, span)| (s.clone(), t.text(*span)))
            .collect()
    };
    let r0 = t.config.servers[0].real_ip.as_ref().unwrap();
    assert_eq!(r0.header.as_ref().unwrap().0, "CF-Connecting-IP");
    assert!(r0.inherited);
    assert_eq!(
        sources(0),
        vec![
            ("173.245.48.0/20".into(), "173.245.48.0/20".into()),
            ("10.0.0.0/8".into(), "10".into()),
        ]
    );
    let r1 = t.config.servers[1].real_ip.as_ref().unwrap();
    assert_eq!(r1.header.as_ref().unwrap().0, "X-Forwarded-For");
    assert!(!r1.inherited);
    assert_eq!(
        sources(1)[2..],
        [
            ("103.21.244.0/22".into(), "103.21.244.0/22".into()),
            ("10.1.0.0/16".into(), "10.1.0.0/255.255.0.0".into()),
        ]
    );
    // The unreadable list adds what is not known: the main server's sources remain.
    assert_eq!(sources(2).len(), 2);
}

#[test]
fn remote_ip_without_proxies_trusts_every_peer_and_a_zero_mask_is_refused_once() {
    let t = load(
        "RemoteIPHeader CF-Connecting-IP\n\
         <VirtualHost *:80>\n</VirtualHost>\n",
    );
    assert!(t.codes().is_empty());
    let r = t.config.servers[0].real_ip.as_ref().unwrap();
    assert!(r.trusted.is_empty());

    let t = load(
        "RemoteIPHeader CF-Connecting-IP\nRemoteIPTrustedProxy 0.0.0.0/0\n\
         <VirtualHost *:80>\n</VirtualHost>\n<VirtualHost *:81>\n</VirtualHost>\n",
    );
    assert_eq!(t.codes(), vec!["AOP001"]);
    assert_eq!(t.text(t.config.findings[0].primary.span), "0.0.0.0/0");
    // httpd does not start: no "every peer" conclusion drawn from the empty list.
    assert!(t.config.servers[0].real_ip.is_none());

    let t = load("RemoteIPTrustedProxy 10.0.0.0/8\n<VirtualHost *:80>\n</VirtualHost>\n");
    assert!(
        t.config.servers[0].real_ip.is_none(),
        "no header: the module does nothing"
    );
}

#[test]
fn macros_expand_with_spans_into_the_definition() {
    let t = load(
        "<Macro Site $name $port>\n<VirtualHost *:$port>\n  ServerName $name\n</VirtualHost>\n</Macro>\n\
         Use Site a.example 443\nUse Site b.example 80\nUndefMacro Site\n",
    );
    assert!(t.codes().is_empty(), "{:?}", t.config.findings);
    assert_eq!(t.names(0), vec!["a.example"]);
    assert_eq!(t.names(1), vec!["b.example"]);
    assert_eq!(t.config.servers[1].listeners[0].port, Some(80));
    let (_, span) = &t.config.servers[0].names[0];
    assert_eq!(t.text(*span), "$name");
}

#[test]
fn macro_errors() {
    let t = load("<Macro M $a>\nServerName $a\n</Macro>\nUse M\nUse Nope x\n");
    assert_eq!(t.codes(), vec!["AOP001", "AOP001"]);
}

#[test]
fn tls_verification_and_ca_are_inherited_from_the_main_server() {
    let t = load(&format!(
        "{SSL}SSLEngine on\nSSLVerifyClient on\nSSLCACertificateFile /etc/ssl/cf.pem\n\
         SSLProxyVerify none\nServerName main.example\n\
         <VirtualHost *:443>\nSSLProxyCACertificateFile proxy.pem\n</VirtualHost>\n\
         <VirtualHost *:443>\nServerName b\nSSLVerifyClient optional\nSSLCACertificatePath certs\n</VirtualHost>\n"
    ));
    let a = &t.config.servers[0];
    assert!(a.tls());
    assert_eq!(t.names(0), vec!["main.example"]);
    assert_eq!(a.client_verify.value, ClientVerify::On);
    assert!(
        matches!(a.client_verify.origin, Origin::Inherited(s) if t.text(s) == "SSLVerifyClient on")
    );
    assert_eq!(a.ca.len(), 1);
    assert!(a.ca[0].inherited);
    assert_eq!(a.ca[0].kind, CaRefKind::ApacheFile);
    let b = &t.config.servers[1];
    assert_eq!(b.client_verify.value, ClientVerify::Optional);
    assert!(matches!(b.client_verify.origin, Origin::Own(_)));
    let kinds: Vec<_> = b.ca.iter().map(|c| (c.kind, c.inherited)).collect();
    assert_eq!(
        kinds,
        vec![
            (CaRefKind::ApacheFile, true),
            (CaRefKind::ApachePath, false)
        ]
    );
    assert!(b.ca[1].resolved.ends_with("certs"));
}

#[test]
fn tls_without_sslengine_needs_a_certificate_and_an_https_listener() {
    let t = load(&format!(
        "{SSL}Listen 443\nListen 8443 https\nSSLCertificateFile a.pem\n\
         <VirtualHost *:443>\n</VirtualHost>\n<VirtualHost *:8443>\n</VirtualHost>\n\
         <VirtualHost *:8080>\n</VirtualHost>\n<VirtualHost *:443>\nSSLEngine off\n</VirtualHost>\n"
    ));
    let tls: Vec<bool> = t.config.servers.iter().map(|s| s.tls()).collect();
    assert_eq!(tls, vec![true, true, false, false]);
}

#[test]
fn per_directory_verification_and_enforcement() {
    let t = load(&format!(
        "{SSL}<VirtualHost *:443>\nSSLEngine on\nSSLVerifyClient optional\n\
         <Location />\n  Require expr %{{SSL_CLIENT_VERIFY}} == 'SUCCESS'\n</Location>\n\
         <Directory /srv/admin>\n  <Files x>\n  SSLVerifyClient require\n  </Files>\n</Directory>\n\
         </VirtualHost>\n"
    ));
    let s = &t.config.servers[0];
    assert!(s.verify_enforced.is_some());
    assert_eq!(s.per_directory_verify.len(), 1);
    let p = &s.per_directory_verify[0];
    assert_eq!(p.value, ClientVerify::On);
    assert_eq!(t.text(p.section), "<Files x>");
    assert_eq!(t.text(p.directive), "SSLVerifyClient require");
}

#[test]
fn a_sibling_grant_defeats_require_expr() {
    let t = load(&format!(
        "{SSL}<VirtualHost *:443>\nSSLEngine on\nSSLVerifyClient optional\n\
         <Location />\nRequire all granted\nRequire expr %{{SSL_CLIENT_VERIFY}} == 'SUCCESS'\n</Location>\n\
         </VirtualHost>\n"
    ));
    assert!(t.config.servers[0].verify_enforced.is_none());
}

#[test]
fn what_each_vhost_does() {
    let t = load(
        "DocumentRoot /var/www\n\
         <VirtualHost *:80>\nRedirect permanent / https://a.example/\n</VirtualHost>\n\
         <VirtualHost *:80>\nRewriteEngine on\nRewriteRule ^ - [F]\n</VirtualHost>\n\
         <VirtualHost *:80>\n<Location />\nRequire all denied\n</Location>\n</VirtualHost>\n\
         <VirtualHost *:80>\nRewriteEngine On\nRewriteCond %{HTTPS} off\nRewriteRule ^(.*)$ https://%{HTTP_HOST}$1 [R=301,L]\n</VirtualHost>\n\
         <VirtualHost *:80>\nRewriteEngine On\nRewriteCond %{REMOTE_ADDR} !^10\\.\nRewriteRule ^ - [F]\n</VirtualHost>\n\
         <VirtualHost *:80>\nProxyPass / http://127.0.0.1:8080/\n</VirtualHost>\n\
         <VirtualHost *:80>\nRedirect 404 /\n</VirtualHost>\n",
    );
    let actions: Vec<Action> = t.config.servers.iter().map(|s| s.action).collect();
    use Action::*;
    assert_eq!(
        actions,
        vec![Redirects, Rejects, Rejects, Redirects, Serves, Serves, Rejects]
    );
    assert_eq!(
        t.text(t.config.servers[4].action_span.unwrap()),
        "DocumentRoot /var/www"
    );
}

#[test]
fn address_sets_and_their_defaults() {
    let t = load(
        "<VirtualHost *:443>\nServerName a\n</VirtualHost>\n\
         <VirtualHost _default_:443>\nServerName b\n</VirtualHost>\n\
         <VirtualHost 10.0.0.1:443 *:80>\nServerName c\n</VirtualHost>\n\
         <VirtualHost 10.0.0.1:443>\nServerName d\n</VirtualHost>\n",
    );
    let sets: Vec<(String, Vec<usize>, usize)> = t
        .config
        .address_ports
        .iter()
        .map(|ap| (ap.address_port(), ap.servers.clone(), ap.default))
        .collect();
    assert_eq!(
        sets,
        vec![
            ("*:443".to_string(), vec![0, 1], 0),
            ("10.0.0.1:443".to_string(), vec![2, 3], 2),
            ("*:80".to_string(), vec![2], 2),
        ]
    );
    assert_eq!(t.config.address_ports[0].addr, ListenAddr::AnyV4);
}

#[test]
fn the_main_server_answers_a_listen_no_vhost_covers() {
    let t = load(
        "Listen 80\nListen 8080\nServerName main.example\n<VirtualHost *:80>\n</VirtualHost>\n",
    );
    assert_eq!(t.config.servers.len(), 2);
    let main = &t.config.servers[1];
    assert_eq!(t.text(main.span), "Listen 8080");
    assert_eq!(t.config.address_ports[1].address_port(), "*:8080");
}

#[test]
fn allow_override_is_reported_as_unseen() {
    let t = load("<Directory /var/www>\nAllowOverride All\n</Directory>\n<Directory /srv>\nAllowOverride None\n</Directory>\n");
    assert_eq!(t.codes(), vec!["AOP004"]);
    assert!(t.config.findings[0].message.contains(".htaccess"));
}

#[test]
fn invalid_verify_mode_is_a_parse_error() {
    let t = load("<VirtualHost *:443>\nSSLVerifyClient sometimes\n</VirtualHost>\n");
    assert_eq!(t.codes(), vec!["AOP001"]);
}

#[test]
fn nesting_is_bounded() {
    let deep = "<Location />\n".repeat(50) + &"</Location>\n".repeat(50);
    let t = load_with(
        &[("apache2.conf", deep.as_bytes())],
        LoadOptions {
            limits: Limits {
                max_nesting: 10,
                ..Limits::default()
            },
            ..LoadOptions::default()
        },
    );
    assert!(t.codes().contains(&"AOP001"));
}

#[test]
fn hostile_bytes_do_not_panic() {
    let inputs: [&[u8]; 8] = [
        b"\xff\xfe<VirtualHost \xff:443>\n\0ServerName \xc3\n</VirtualHost>",
        b"<",
        b"</",
        b"<>\n</>",
        b"\"unterminated",
        b"${\n${}\n${x",
        b"\\\n\\\n\\",
        b"<VirtualHost [::1:443>\n</VirtualHost>\n<VirtualHost :>\n</VirtualHost>",
    ];
    for input in inputs {
        let _ = load_with(&[("apache2.conf", input)], LoadOptions::default());
    }
}

#[test]
fn rhel_layout_server_root_is_the_parent_of_conf() {
    let t = load_tree(&[
        ("conf/httpd.conf", "ServerRoot \"/etc/httpd\"\nInclude conf.modules.d/*.conf\nIncludeOptional /etc/httpd/conf.d/*.conf\n"),
        ("conf.modules.d/00-ssl.conf", SSL),
        ("conf.d/ssl.conf", "<IfModule ssl_module>\n<VirtualHost _default_:443>\nServerName r\n</VirtualHost>\n</IfModule>\n"),
    ]);
    assert!(t.codes().is_empty(), "{:?}", t.config.findings);
    assert_eq!(t.names(0), vec!["r"]);
}

/// Random configurations built from the tokens that matter to the reader (section tags,
/// quotes, continuations, variables, macros, includes of themselves): none may panic.
#[test]
fn random_token_soup_never_panics() {
    const TOKENS: &[&str] = &[
        "<VirtualHost *:443>",
        "</VirtualHost>",
        "<IfModule !x>",
        "</IfModule>",
        "<Macro M $a>",
        "</Macro>",
        "Use M 1",
        "Use M",
        "Define V",
        "${V}",
        "${",
        "}",
        "\"",
        "'",
        "\\",
        "\n",
        "\\\n",
        "#",
        " ",
        "Include apache2.conf",
        "IncludeOptional *",
        "SSLVerifyClient",
        "optional",
        "<Location />",
        "</Location>",
        "Require expr",
        "<",
        ">",
        "</",
        "\u{0}",
        "\u{ff}",
        "ServerRoot /",
        "Listen 443",
        "<If \"x\">",
        "</If>",
        "UnDefine V",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..300 {
        let len = (next() % 60) as usize;
        let text: String = (0..len)
            .map(|_| TOKENS[(next() % TOKENS.len() as u64) as usize])
            .collect();
        let _ = load(&text);
    }
}

#[test]
fn a_nested_virtual_host_is_refused() {
    let t = load("<VirtualHost *:80>\n<VirtualHost *:81>\n</VirtualHost>\n</VirtualHost>\n");
    assert_eq!(t.codes(), vec!["AOP001"]);
    assert_eq!(
        t.text(t.config.findings[0].primary.span),
        "<VirtualHost *:81>"
    );
}

#[test]
fn ten_thousand_vhosts_on_distinct_addresses_stay_linear() {
    let mut text = String::new();
    for i in 0..10_000u32 {
        text.push_str(&format!(
            "<VirtualHost 10.{}.{}.{}:443>\nServerName s{i}.example\n</VirtualHost>\n",
            i >> 16,
            (i >> 8) & 255,
            i & 255
        ));
    }
    let started = std::time::Instant::now();
    let t = load(&text);
    assert_eq!(t.config.address_ports.len(), 10_000);
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn with_root_absolute_paths_are_read_below_it() {
    let dir = tempfile::tempdir().unwrap();
    let etc = dir.path().join("etc/apache2");
    fs::create_dir_all(etc.join("sites-enabled")).unwrap();
    fs::write(
        etc.join("apache2.conf"),
        "ServerRoot /etc/apache2\nIncludeOptional /etc/apache2/sites-enabled/*.conf\n",
    )
    .unwrap();
    fs::write(
        etc.join("sites-enabled/a.conf"),
        "<VirtualHost *:443>\nSSLCACertificateFile /etc/ssl/cf.pem\nSSLCACertificatePath certs\n</VirtualHost>\n",
    )
    .unwrap();
    let opts = LoadOptions {
        root: Some(dir.path().to_path_buf()),
        ..LoadOptions::default()
    };
    let mut map = SourceMap::default();
    let config = crate::load(&etc.join("apache2.conf"), &mut map, &opts).unwrap();
    let ca: Vec<_> = config.servers[0]
        .ca
        .iter()
        .map(|c| c.resolved.clone())
        .collect();
    assert_eq!(
        ca,
        vec![dir.path().join("etc/ssl/cf.pem"), etc.join("certs")]
    );
}

#[test]
fn a_vhost_location_replaces_the_main_servers_authorization() {
    let t = load(&format!(
        "{SSL}<Location />\nRequire all denied\n</Location>\n\
         <VirtualHost *:443>\nSSLEngine on\nSSLVerifyClient optional\n</VirtualHost>\n\
         <VirtualHost *:443>\nSSLEngine on\nSSLVerifyClient optional\n\
         <Location />\nRequire all granted\n</Location>\n</VirtualHost>\n\
         <VirtualHost *:443>\nSSLEngine on\nSSLVerifyClient optional\n\
         <Location />\nRequire expr %{{SSL_CLIENT_VERIFY}} == 'SUCCESS'\n</Location>\n</VirtualHost>\n"
    ));
    let actions: Vec<Action> = t.config.servers.iter().map(|s| s.action).collect();
    assert_eq!(
        actions,
        vec![Action::Rejects, Action::Serves, Action::Serves]
    );
    let enforced: Vec<bool> = t
        .config
        .servers
        .iter()
        .map(|s| s.verify_enforced.is_some())
        .collect();
    assert_eq!(enforced, vec![false, false, true]);
}

#[test]
fn an_invalid_verify_mode_inside_a_section_is_reported_once() {
    let t = load(
        "<Location /a>\nSSLVerifyClient maybe\n</Location>\n\
         <VirtualHost *:443>\n<Directory /x>\nSSLVerifyClient perhaps\n</Directory>\n</VirtualHost>\n\
         <VirtualHost *:443>\n</VirtualHost>\n",
    );
    assert_eq!(t.codes(), vec!["AOP001", "AOP001"]);
}

#[test]
fn errors_inside_a_skipped_section_name_the_tags_as_written() {
    let t = load("<IfModule mod_nope.c>\n<Directory /x>\n</Location>\n");
    let messages: Vec<&str> = t
        .config
        .findings
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(
        messages,
        vec![
            "Expected </Directory> but saw </Location>",
            "<IfModule> was not closed."
        ]
    );
}

#[test]
fn macros_that_multiply_are_bounded() {
    let mut text = String::from("<Macro M0>\nServerAdmin a@b\n</Macro>\n");
    for i in 1..40 {
        text.push_str(&format!(
            "<Macro M{i}>\nUse M{0}\nUse M{0}\n</Macro>\n",
            i - 1
        ));
    }
    text.push_str("Use M39\n");
    let started = std::time::Instant::now();
    let t = load(&text);
    assert!(t.codes().contains(&"AOP004"));
    assert!(
        started.elapsed().as_secs() < 30,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn doubling_defines_are_bounded() {
    let mut text = String::from("Define V0 xxxxxxxxxxxxxxxx\n");
    for i in 1..64 {
        text.push_str(&format!("Define V{i} ${{V{0}}}${{V{0}}}\n", i - 1));
    }
    text.push_str("ServerName ${V63}\n");
    let t = load(&text);
    let overflow = t.saying("beyond");
    assert_eq!(overflow.len(), 1);
    // The lines not read leave their variables undefined, which is said as well.
    assert!(t.codes().iter().all(|c| *c == "AOP004"));
}

/// Found by a hostile input run through the `apache_lint` fuzz target: a 20 KB file whose
/// `Define`s double a value to 512 KB and then use it on 3,000 lines stays under the per-line
/// limit but made the reader hold 1.5 GB and run for most of a minute. What expansion adds
/// over the whole tree is bounded too.
#[test]
fn many_lines_of_a_large_define_are_bounded() {
    let mut text = String::from("Define A xxxxxxxx\n");
    text.push_str(&"Define A ${A}${A}\n".repeat(16));
    text.push_str(&"X ${A}\n".repeat(3000));
    let t = load_quickly(&text);
    let overflow = t.saying("in all");
    assert_eq!(overflow.len(), 1, "{:?}", t.codes());
    // The first line past the budget, reported with its exact span: each `Define` line grew
    // by twice the value less the 8 bytes of its two references, each `X` line by the value
    // less its 4.
    let mut grown = 0;
    let mut value = 8;
    for _ in 0..16 {
        grown += 2 * value - 8;
        value *= 2;
    }
    let mut line = 17;
    while grown <= crate::vars::MAX_EXPANDED_TOTAL {
        grown += value - 4;
        line += 1;
    }
    assert_eq!(t.text(overflow[0].primary.span), "X ${A}");
    assert_eq!(t.map.location(overflow[0].primary.span).line, line);
    assert!(t.codes().iter().all(|c| *c == "AOP004"));
}

/// Found by a hostile input run through the `apache_lint` fuzz target: 1.5 KB of nested
/// macros, each passing its argument twice to the next, asked for a value of 2^40 bytes (the
/// reader ran out of memory).
#[test]
fn macro_arguments_doubling_through_nested_macros_are_bounded() {
    let mut text = String::from("<Macro M0 $a>\nServerName $a\n</Macro>\n");
    for i in 1..=40 {
        text.push_str(&format!("<Macro M{i} $a>\nUse M{} $a$a\n</Macro>\n", i - 1));
    }
    text.push_str("Use M40 x\n");
    let t = load_quickly(&text);
    assert_eq!(t.codes(), vec!["AOP004"]);
    let f = &t.config.findings[0];
    assert!(f.message.contains("longer than"), "{}", f.message);
    // `Use M21` is given 2^19 bytes, which M21's line `Use M20 $a$a` doubles past 1 MiB; the
    // finding is on that `Use`, inside the body of M22 it came from.
    assert_eq!(t.text(f.primary.span), "Use M21 $a$a");
    assert_eq!(t.map.location(f.primary.span).line, 68);
}

/// Arguments that stay under the per-line limit on every line still count towards what
/// expansion may add over the whole tree.
#[test]
fn many_uses_of_a_large_macro_argument_are_bounded() {
    let value = "x".repeat(200_000);
    let mut text = String::from("<Macro M $a>\n");
    text.push_str(&"ServerAdmin $a$a$a$a$a\n".repeat(10));
    text.push_str("</Macro>\n");
    text.push_str(&format!("Use M {value}\n").repeat(8));
    let t = load(&text);
    let overflow = t.saying("in all");
    assert_eq!(overflow.len(), 1, "{:?}", t.codes());
    // Each `Use` adds ten lines of 1,000,000 bytes less the 10 of the references.
    let first_over = crate::vars::MAX_EXPANDED_TOTAL / (10 * (1_000_000 - 10)) + 1;
    assert_eq!(
        t.map.location(overflow[0].primary.span).line,
        12 + first_over
    );
    assert!(t.codes().iter().all(|c| *c == "AOP004"));
}

/// Found with the same hostile tree as the nginx reader's: fifteen files each including all
/// of them gave 1.3 million include-cycle findings (one per inclusion, until the file
/// limit). Each `Include` reports its first cycle once.
#[test]
fn files_including_each_other_report_each_include_once() {
    let mut files = vec![("httpd.conf", "IncludeOptional conf.d/*.conf\n")];
    // Six files: every path through them is still walked (about two thousand inclusions),
    // which is what multiplied the findings; more files only make the test slower.
    let names: Vec<String> = (0..6).map(|i| format!("conf.d/f{i}.conf")).collect();
    for name in &names {
        files.push((name, "IncludeOptional conf.d/*.conf\n"));
    }
    let t = load_tree(&files);
    let cycles = t.saying("include cycle");
    assert_eq!(cycles.len(), 6, "{:?}", t.codes());
    assert!(cycles
        .iter()
        .all(|f| t.text(f.primary.span) == "IncludeOptional conf.d/*.conf"));
}

#[test]
fn long_chains_of_macros_are_bounded() {
    let mut text = String::from("<Macro M0>\nServerAdmin a@b\n</Macro>\n");
    for i in 1..2000 {
        text.push_str(&format!("<Macro M{i}>\nUse M{}\n</Macro>\n", i - 1));
    }
    text.push_str("Use M1999\n");
    let t = load(&text);
    assert_eq!(t.codes(), vec!["AOP004"]);
}

#[test]
fn a_missing_include_outside_the_tree_suggests_root() {
    let t = load("Include /nonexistent-aop/options-ssl-apache.conf\nInclude missing.conf\n");
    assert_eq!(t.codes(), vec!["AOP002", "AOP002"]);
    assert!(t.config.findings[0]
        .help
        .as_deref()
        .unwrap()
        .contains("--root"));
    assert!(t.config.findings[1].help.is_none());
}

#[test]
fn a_nameless_vhost_is_named_in_apache_terms() {
    let t = load("<VirtualHost *:80>\n</VirtualHost>\n");
    assert_eq!(t.config.servers[0].display_name(), "(no ServerName)");
}

/// `<IfDefine NAME>` where the tree never defines or undefines NAME depends on httpd's
/// command line (`-D NAME`). A virtual host inside is read as if the name were given, and
/// said; `--define` decides it; a section that changes no verdict is taken as httpd without
/// `-D` takes it (Debian's stock `serve-cgi-bin.conf`).
#[test]
fn a_define_from_the_command_line_is_undecided_unless_given() {
    let tree =
        "<IfDefine SSL_SITE>\n<VirtualHost *:80>\nServerName site\n</VirtualHost>\n</IfDefine>\n\
                <IfDefine CGI>\nScriptAlias /cgi-bin/ /usr/lib/cgi-bin/\n</IfDefine>\n";
    let t = load(tree);
    assert_eq!(t.codes(), vec!["AOP004"], "{:?}", t.config.findings);
    assert_eq!(t.saying("`-D SSL_SITE`").len(), 1);
    assert_eq!(t.names(0), vec!["site"]);

    let given = |names: &[&str]| {
        load_with(
            &[("apache2.conf", tree.as_bytes())],
            LoadOptions {
                defines: Some(names.iter().map(|n| n.to_string()).collect()),
                ..LoadOptions::default()
            },
        )
    };
    let t = given(&["SSL_SITE"]);
    assert!(t.codes().is_empty(), "{:?}", t.config.findings);
    assert_eq!(t.config.servers.len(), 1);
    let t = given(&["NONE"]);
    assert!(t.codes().is_empty(), "{:?}", t.config.findings);
    assert!(t.config.servers.iter().all(|s| s.names.is_empty()));

    // A name the tree itself defines or undefines is the tree's to decide.
    let t = load(&format!("UnDefine SSL_SITE\n{tree}"));
    assert!(t.codes().is_empty(), "{:?}", t.config.findings);
}

fn has_site(t: &Loaded) -> bool {
    t.config
        .servers
        .iter()
        .any(|s| s.names.iter().any(|(n, _)| n == "site"))
}

/// The service files that give httpd its `-D` names decide `<IfDefine>`: Gentoo's
/// `conf.d/apache2` (`APACHE2_OPTS`), RHEL's `sysconfig/httpd` (`OPTIONS`), Debian's
/// `envvars` (`APACHE_ARGUMENTS`, which apache2ctl passes on).
#[test]
fn service_files_give_the_command_line_defines() {
    let section =
        "<IfDefine SSL_SITE>\n<VirtualHost *:80>\nServerName site\n</VirtualHost>\n</IfDefine>\n";
    let gentoo = load_with(
        &[
            ("apache2/httpd.conf", section.as_bytes()),
            (
                "conf.d/apache2",
                b"# APACHE2_OPTS=\"-D OTHER\"\nAPACHE2_OPTS=\"-D INFO -D SSL_SITE\"\n",
            ),
        ],
        LoadOptions::default(),
    );
    assert!(gentoo.codes().is_empty(), "{:?}", gentoo.config.findings);
    assert!(has_site(&gentoo));
    let rhel = load_with(
        &[
            ("httpd/conf/httpd.conf", section.as_bytes()),
            ("sysconfig/httpd", b"OPTIONS=\n"),
        ],
        LoadOptions::default(),
    );
    assert!(rhel.codes().is_empty(), "{:?}", rhel.config.findings);
    assert!(!has_site(&rhel));
    let debian = load_with(
        &[
            ("apache2.conf", section.as_bytes()),
            ("envvars", b"export APACHE_ARGUMENTS='-DSSL_SITE'\n"),
        ],
        LoadOptions::default(),
    );
    assert!(debian.codes().is_empty(), "{:?}", debian.config.findings);
    assert!(has_site(&debian));
}

#[test]
fn a_directive_no_loaded_module_provides_stops_httpd() {
    let errors = |body: &str| {
        let t = load(&format!(
            "LoadModule mpm_event_module mod_mpm_event.so\n{body}"
        ));
        t.saying("Invalid command").len()
    };
    assert_eq!(errors("Header set X-A b\n"), 1);
    assert_eq!(errors("<Proxy \"*\">\n</Proxy>\n"), 1);
    assert_eq!(errors("PassengerHighPerformance on\n"), 1);
    assert_eq!(
        errors("LoadModule headers_module mod_headers.so\nHeader set X-A b\n"),
        0
    );
    assert_eq!(
        errors("<IfModule headers_module>\nHeader set X-A b\n</IfModule>\n"),
        0
    );
    // httpd asks at the line: a module loaded later does not help.
    assert_eq!(
        errors("Header set X-A b\nLoadModule headers_module mod_headers.so\n"),
        1
    );
    // A module aop-lint does not know may provide a directive it does not know either.
    assert_eq!(
        errors("LoadModule passenger_module mod_passenger.so\nPassengerHighPerformance on\n"),
        0
    );
    assert_eq!(
        errors("LoadModule passenger_module mod_passenger.so\nHeader set X-A b\n"),
        1
    );
    // A fragment that loads no module at all has its modules loaded elsewhere.
    assert_eq!(
        load("Header set X-A b\n").saying("Invalid command").len(),
        0
    );
}

#[test]
fn loading_a_module_the_build_compiles_in_stops_httpd() {
    let main = "LoadModule mpm_event_module modules/mod_mpm_event.so\nLoadModule log_config_module modules/mod_log_config.so\nLoadModule ssl_module modules/mod_ssl.so\n";
    let refused = |t: &Loaded| t.saying("is built-in and can't be loaded").len();
    // Only Debian's packages name the main file `apache2.conf`, and they compile it in.
    let debian = load(main);
    assert_eq!(refused(&debian), 1);
    assert_eq!(debian.codes(), vec!["AOP001"]);
    // RHEL's and the upstream image's `httpd.conf` load it as a module.
    assert_eq!(
        refused(&load_with(
            &[("httpd.conf", main.as_bytes())],
            LoadOptions::default()
        )),
        0
    );
    for (build, expected) in [(Build::Debian, 1), (Build::Rhel, 0), (Build::Upstream, 0)] {
        let opts = LoadOptions {
            build: Some(build),
            ..LoadOptions::default()
        };
        let t = load_with(&[("httpd.conf", main.as_bytes())], opts);
        assert_eq!(refused(&t), expected, "{build:?}");
    }
    // The core is compiled into every build.
    let opts = LoadOptions {
        build: Some(Build::Rhel),
        ..LoadOptions::default()
    };
    let t = load_with(
        &[("httpd.conf", b"LoadModule so_module modules/mod_so.so\n")],
        opts,
    );
    assert_eq!(refused(&t), 1);
}

/// A main file in UTF-16 or of binary bytes, even one that loads no module: httpd reads each
/// line's first word as a directive no module has and refuses to start (measured: "Invalid
/// command '\xff\xfeL'", or "No MPM loaded" when nothing is left). Never a clean exit.
#[test]
fn a_file_httpd_cannot_read_as_text_is_refused() {
    let utf16: Vec<u8> = std::iter::once([0xFF, 0xFE])
        .chain("Listen 443\n".encode_utf16().map(u16::to_le_bytes))
        .flatten()
        .collect();
    for bytes in [
        utf16,
        b"\x00\x01binary\xff\xfe".to_vec(),
        b"\xef\xbb\xbfListen 80\n".to_vec(),
    ] {
        let t = load_with(&[("apache2.conf", &bytes)], LoadOptions::default());
        assert!(
            t.codes().contains(&"AOP001"),
            "{:?}: {:?}",
            bytes,
            t.codes()
        );
    }
    // Text as httpd reads it is not touched.
    assert_eq!(load("ServerName a.example\n").codes(), Vec::<&str>::new());
}

/// The head of every nested-macro case: a whole tree httpd checks with `apache2 -t`.
pub(crate) const MACRO_CASE_HEAD: &str = "\
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule macro_module /usr/lib/apache2/modules/mod_macro.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
ServerName main.invalid
ErrorLog /dev/null
Listen 127.0.0.1:8080
";

/// `<Macro>` inside `<Macro>`, each case as Debian's httpd 2.4 reads it (after
/// [`MACRO_CASE_HEAD`]): the names of the virtual hosts it builds, or `None` where it
/// refuses to start. errors/tests.rs asks the real `apache2 -t` the same.
pub(crate) const NESTED_MACROS: &[(&str, &str, Option<&[&str]>)] = &[
    (
        "outer-never-used",
        "<Macro Outer>\n<Macro Inner $n>\n<VirtualHost 127.0.0.1:8080>\nServerName $n\n</VirtualHost>\n</Macro>\n</Macro>\n",
        Some(&[]),
    ),
    (
        // The inner macro exists only once the outer one is used.
        "inner-used-before-outer",
        "<Macro Outer>\n<Macro Inner $n>\n<VirtualHost 127.0.0.1:8080>\nServerName $n\n</VirtualHost>\n</Macro>\n</Macro>\nUse Inner a.example\n",
        None,
    ),
    (
        "inner-used-after-outer",
        "<Macro Outer>\n<Macro Inner $n>\n<VirtualHost 127.0.0.1:8080>\nServerName $n\n</VirtualHost>\n</Macro>\n</Macro>\nUse Outer\nUse Inner a.example\nUse Inner b.example\n",
        Some(&["a.example", "b.example"]),
    ),
    (
        // Defined again at the second use: httpd warns (AH02802) and starts.
        "outer-used-twice",
        "<Macro Outer>\n<Macro Inner $n>\n<VirtualHost 127.0.0.1:8080>\nServerName $n\n</VirtualHost>\n</Macro>\n</Macro>\nUse Outer\nUse Outer\nUse Inner a.example\n",
        Some(&["a.example"]),
    ),
    (
        // The outer macro's arguments are substituted in the inner definition too.
        "outer-argument-in-inner",
        "<Macro Site $s>\n<Macro Vhost_$s $n>\n<VirtualHost 127.0.0.1:8080>\nServerName $n.$s\n</VirtualHost>\n</Macro>\n</Macro>\nUse Site shop\nUse Vhost_shop www\n",
        Some(&["www.shop"]),
    ),
    (
        // `$n` of the inner opener is the outer's parameter: the inner macro's parameter
        // becomes `a.example`, replaced in its body by the inner `Use`'s value.
        "same-parameter-name",
        "<Macro Outer $n>\n<Macro Inner $n>\n<VirtualHost 127.0.0.1:8080>\nServerName $n\n</VirtualHost>\n</Macro>\n</Macro>\nUse Outer a.example\nUse Inner b.example\n",
        Some(&["b.example"]),
    ),
    (
        "inner-used-inside-outer",
        "<Macro Outer $s>\n<Macro Inner $n>\n<VirtualHost 127.0.0.1:8080>\nServerName $n\n</VirtualHost>\n</Macro>\nUse Inner $s\n</Macro>\nUse Outer a.example\n",
        Some(&["a.example"]),
    ),
    (
        "inner-used-inside-outer-before-its-definition",
        "<Macro Outer $s>\nUse Inner $s\n<Macro Inner $n>\nServerAlias $n\n</Macro>\n</Macro>\nUse Outer a.example\n",
        None,
    ),
    (
        "inner-uses-outer",
        "<Macro Outer>\n<Macro Inner>\nUse Outer\n</Macro>\nUse Inner\n</Macro>\nUse Outer\n",
        None,
    ),
    (
        "three-levels",
        "<Macro L1 $a>\n<Macro L2 $b>\n<Macro L3 $c>\n<VirtualHost 127.0.0.1:8080>\nServerName $c.$b.$a\n</VirtualHost>\n</Macro>\n</Macro>\n</Macro>\nUse L1 one\nUse L2 two\nUse L3 three\n",
        Some(&["three.two.one"]),
    ),
    (
        "any-case",
        "<MACRO Outer>\n<macro Inner>\n<VirtualHost 127.0.0.1:8080>\nServerName k.example\n</VirtualHost>\n</MACRO>\n</macro>\nUse Outer\nUse Inner\n",
        Some(&["k.example"]),
    ),
    (
        "redefinition-later-wins",
        "<Macro A>\n<VirtualHost 127.0.0.1:8080>\nServerName first.example\n</VirtualHost>\n</Macro>\n<Macro A>\n<VirtualHost 127.0.0.1:8080>\nServerName second.example\n</VirtualHost>\n</Macro>\nUse A\n",
        Some(&["second.example"]),
    ),
    (
        "commented-opener",
        "<Macro A>\n  # <Macro B>\n<VirtualHost 127.0.0.1:8080>\nServerName m.example\n</VirtualHost>\n</Macro>\nUse A\n",
        Some(&["m.example"]),
    ),
    (
        "undefmacro-inner",
        "<Macro Outer>\n<Macro Inner $n>\n<VirtualHost 127.0.0.1:8080>\nServerName $n\n</VirtualHost>\n</Macro>\n</Macro>\nUse Outer\nUse Inner a.example\nUndefMacro Inner\nUse Inner b.example\n",
        None,
    ),
    (
        "inner-not-closed",
        "<Macro Outer>\n<Macro Inner>\nServerAlias x\n</Macro>\n",
        None,
    ),
    (
        // `<Macro>` is one word: no level opens, the first `</Macro>` closes the outer.
        "nameless-inner",
        "<Macro Outer>\n<Macro>\n</Macro>\n<VirtualHost 127.0.0.1:8080>\nServerName n.example\n</VirtualHost>\n</Macro>\n",
        None,
    ),
    (
        "close-with-a-space",
        "<Macro A>\nServerAlias x\n</Macro >\n",
        None,
    ),
];

/// The names of the virtual hosts aop-lint reads from a nested-macro case, or `None` when
/// it finds httpd refusing to start.
pub(crate) fn macro_case_names(body: &str) -> Option<Vec<String>> {
    let t = load(&format!("{MACRO_CASE_HEAD}{body}"));
    if t.codes().contains(&"AOP001") {
        return None;
    }
    let mut names: Vec<String> = t
        .config
        .servers
        .iter()
        .flat_map(|s| s.names.iter().map(|(n, _)| n.clone()))
        .filter(|n| n != "main.invalid")
        .collect();
    names.sort();
    Some(names)
}

#[test]
fn nested_macros_read_as_httpd_reads_them() {
    for (case, body, expected) in NESTED_MACROS {
        let expected = expected.map(|names| names.iter().map(|n| n.to_string()).collect());
        assert_eq!(macro_case_names(body), expected, "{case}");
    }
}
