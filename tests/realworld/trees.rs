//! What each tree's `SOURCE` says the server needs at start, written down once: the files to
//! generate at the paths the config names, and the users, directories, host names and
//! links the corpus's own real-server check provided. `covers_source` keeps this table and
//! the `SOURCE` files from drifting apart.

/// What to generate at a path the config names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gen {
    /// A self-signed server certificate.
    Cert,
    /// Its private key.
    Key,
    /// Certificate, key and client CA in one file (one PEM serving all three directives).
    CertKeyCa,
    /// A client CA file: the stand-in Cloudflare origin-pull CA.
    Ca,
    /// An empty revocation list signed by that CA.
    Crl,
    /// A hashed CA directory (`SSLCACertificatePath`) holding that CA.
    CaDir,
    /// A hashed CRL directory (`SSLCARevocationPath`) holding that CRL.
    CrlDir,
    /// Diffie-Hellman parameters (ffdhe2048).
    DhParam,
    /// A pass-phrase file (`ssl_password_file`); the generated key needs none.
    Passwords,
    /// A non-empty file the server only checks for (a pass-phrase dialog program).
    Stub,
}

pub struct Spec {
    pub name: &'static str,
    pub files: &'static [(&'static str, Gen)],
    /// Upstream names the server resolves, mapped to 127.0.0.1 in the chroot's /etc/hosts.
    pub hosts: &'static [&'static str],
    pub dirs: &'static [&'static str],
    /// `(link, target)`: the module directory a RHEL or upstream-image layout links to.
    pub links: &'static [(&'static str, &'static str)],
    /// `(address in the tree, stand-in)`: listen addresses that are somebody's real host,
    /// replaced in the copy that is both linted and served.
    pub addresses: &'static [(&'static str, &'static str)],
    /// The host's name, where the config relies on it (a vhost without ServerName is named
    /// after the host).
    pub hostname: Option<&'static str>,
    /// mod_md domains whose certificate is put in the store (`md/domains/NAME/`) as if the
    /// ACME order had succeeded: without one mod_md answers 503 to every request.
    pub md_domains: &'static [&'static str],
    /// Names Caddy orders a certificate for from Let's Encrypt: one is put in its storage as
    /// if the order had succeeded. Without it Caddy starts all the same, retries the order
    /// in the background (the namespace has no way out) and fails every handshake for the
    /// name, so the probes would say nothing about who gets in. `*.x` is a wildcard's.
    pub acme_names: &'static [&'static str],
    /// Caddy's storage when the tree moves it (`storage file_system { root ... }`); Caddy's
    /// default for root (`/root/.local/share/caddy`) otherwise.
    pub caddy_storage: Option<&'static str>,
    /// For the edited copy of a refused tree: `(file, after the first line containing this,
    /// or "" for the top, text)` that its `SOURCE`'s check added before the refused lines
    /// could be commented out one by one.
    pub check_additions: &'static [(&'static str, &'static str, &'static str)],
}

const NONE: Spec = Spec {
    name: "",
    files: &[],
    hosts: &[],
    dirs: &[],
    links: &[],
    addresses: &[],
    hostname: None,
    md_domains: &[],
    acme_names: &[],
    caddy_storage: None,
    check_additions: &[],
};

const APACHE_MODULES: &str = "/usr/lib/apache2/modules";

pub const SPECS: &[Spec] = &[
    Spec {
        name: "nginx-aop-docker-wordpress",
        files: &[
            ("/etc/ssl/site1-cert.pem", Gen::Cert),
            ("/etc/ssl/site1-key.pem", Gen::Key),
            ("/etc/ssl/site2-cert.pem", Gen::Cert),
            ("/etc/ssl/site2-key.pem", Gen::Key),
            ("/etc/ssl/cloudfare.crt", Gen::Ca),
        ],
        hosts: &["php"],
        ..NONE
    },
    Spec {
        name: "nginx-aop-fateslist",
        files: &[
            ("/origin-pull-ca.pem", Gen::Ca),
            ("/cert.pem", Gen::Cert),
            ("/key.pem", Gen::Key),
            ("/cert-v4root.pem", Gen::Cert),
            ("/key-v4root.pem", Gen::Key),
        ],
        dirs: &["/home/meow"],
        check_additions: &[(
            "/etc/nginx/nginx.conf",
            "http {",
            "    map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
        )],
        ..NONE
    },
    Spec {
        name: "nginx-aop-felbinger-adminguide",
        files: &[
            ("/etc/ssl/domain.de.pem", Gen::Cert),
            ("/etc/ssl/domain.de.key", Gen::Key),
            ("/etc/ssl/cloudflare_ca.crt", Gen::Ca),
        ],
        ..NONE
    },
    Spec {
        name: "nginx-aop-lozlof-configs",
        files: &[
            ("/your/path/to/namecloudflare-tls.pem", Gen::Cert),
            ("/your/path/to/namecloudflare-tls.key", Gen::Key),
            ("/your/path/to/namecloudflare-ca.pem", Gen::Ca),
        ],
        ..NONE
    },
    Spec {
        name: "nginx-aop-moldyboot",
        files: &[
            ("/etc/nginx/certs/cloudflare/origin-pull.pem", Gen::Ca),
            ("/etc/nginx/certs/moldyboot.com/fullchain.pem", Gen::Cert),
            ("/etc/nginx/certs/moldyboot.com/key.pem", Gen::Key),
            ("/etc/nginx/certs/moldyboot.com/dhparam.pem", Gen::DhParam),
            ("/etc/nginx/certs/letsencrypt/x3-cross-signed.pem", Gen::Ca),
        ],
        dirs: &["/var/log/nginx/api", "/var/log/nginx/console"],
        ..NONE
    },
    Spec {
        name: "nginx-gen-cloudflare-origin-no-aop",
        files: &[
            ("/etc/ssl/certs/fullchain.pem", Gen::Cert),
            ("/etc/ssl/private/privkey.pem", Gen::Key),
        ],
        hosts: &["frontend", "backend"],
        ..NONE
    },
    Spec {
        name: "nginx-gen-home-reverse-proxy",
        files: &[
            (
                "/etc/ssl-certs/live/orleans.io-0001/fullchain.pem",
                Gen::Cert,
            ),
            ("/etc/ssl-certs/live/orleans.io-0001/privkey.pem", Gen::Key),
        ],
        hosts: &[
            "all-talk.herokuapp.com",
            "booksonic",
            "calibre",
            "collabora",
            "deluge-vpn",
            "guacamole-server",
            "healthchecks",
            "home-assistant",
            "host.docker.internal",
            "jackett",
            "lazy-librarian",
            "ldap-cherry",
            "ldapgui",
            "matomo",
            "matrix-server",
            "netdata",
            "nextcloud",
            "ombi",
            "ownphotos-front",
            "papercups",
            "passbolt",
            "pihole",
            "radarr",
            "sonarr",
            "tautulli",
            "webhooks",
            "wekan",
            "home-server-docker-conf_home-assistant_1",
        ],
        ..NONE
    },
    Spec {
        name: "nginx-gen-keycloak-cloudflare-origin",
        files: &[
            ("/etc/nginx/ssl/cloudflare.crt", Gen::Cert),
            ("/etc/nginx/ssl/cloudflare.key", Gen::Key),
        ],
        hosts: &["frontend", "api", "keycloak"],
        ..NONE
    },
    Spec {
        name: "nginx-gen-sentry-self-hosted",
        hosts: &["relay", "web"],
        dirs: &["/var/cache/nginx"],
        ..NONE
    },
    Spec {
        name: "nginx-mtls-conjur-optional-no-ca",
        files: &[
            ("/etc/nginx/nginx.crt", Gen::Cert),
            ("/etc/nginx/nginx.key", Gen::Key),
        ],
        hosts: &["conjur"],
        ..NONE
    },
    Spec {
        name: "nginx-mtls-remiq-ssl-client",
        files: &[
            ("/etc/nginx/certs/server.crt", Gen::Cert),
            ("/etc/nginx/certs/server.key", Gen::Key),
            ("/etc/nginx/certs/passwords.txt", Gen::Passwords),
            ("/etc/nginx/certs/ca.crt", Gen::Ca),
        ],
        ..NONE
    },
    Spec {
        name: "nginx-mtls-ria-xtss-rights",
        files: &[
            ("/etc/nginx/xtss-rights/rights.crt", Gen::Cert),
            ("/etc/nginx/xtss-rights/rights.key", Gen::Key),
            ("/etc/nginx/xtss-rights/client.crt", Gen::Ca),
        ],
        ..NONE
    },
    Spec {
        name: "nginx-mtls-stream-squeeze-alexa",
        files: &[("/etc/ssl/certs/squeeze-alexa.pem", Gen::CertKeyCa)],
        ..NONE
    },
    Spec {
        name: "nginx-mtls-zentral-mdm",
        files: &[
            ("/etc/nginx/tls/default_server.crt", Gen::Cert),
            ("/etc/nginx/tls/default_server.key", Gen::Key),
            ("/etc/nginx/tls/zentral.crt", Gen::Cert),
            ("/etc/nginx/tls/zentral.key", Gen::Key),
            ("/etc/nginx/tls/zentral_dhparam.pem", Gen::DhParam),
            ("/scep_CA/ca.pem", Gen::Ca),
            ("/scep_CA/crl.pem", Gen::Crl),
        ],
        hosts: &["web", "promsrv", "scepserver"],
        ..NONE
    },
    Spec {
        name: "apache-aop-wake-on-lan",
        files: &[
            ("/etc/apache2/ssl/your-domain.crt", Gen::Cert),
            ("/etc/apache2/ssl/your-domain.key", Gen::Key),
            ("/etc/apache2/ssl/cloudflare-origin-pull-ca.pem", Gen::Ca),
        ],
        ..NONE
    },
    Spec {
        name: "apache-aop-zeticket-origin-ca",
        files: &[
            (
                "/etc/letsencrypt/live/support.ihre-domain.de/fullchain.pem",
                Gen::Cert,
            ),
            (
                "/etc/letsencrypt/live/support.ihre-domain.de/privkey.pem",
                Gen::Key,
            ),
            ("/etc/ssl/cloudflare/cloudflare.crt", Gen::Ca),
        ],
        ..NONE
    },
    Spec {
        name: "apache-cf-origin-mlsjson",
        files: &[
            ("/etc/ssl/cloudflare/cloudflare.crt", Gen::Cert),
            ("/etc/ssl/cloudflare/cloudflare.key", Gen::Key),
        ],
        ..NONE
    },
    Spec {
        name: "apache-cf-remoteip-open-contracting",
        dirs: &["/var/www/html"],
        hostname: Some("ocp28.open-contracting.org"),
        md_domains: &[
            "ocp28.open-contracting.org",
            "review.standard.open-contracting.org",
            "review-oc4ids.standard.open-contracting.org",
        ],
        ..NONE
    },
    Spec {
        name: "apache-gen-jitsi-meet",
        files: &[
            ("/etc/jitsi/meet/jitsi-meet.example.com.crt", Gen::Cert),
            ("/etc/jitsi/meet/jitsi-meet.example.com.key", Gen::Key),
        ],
        ..NONE
    },
    Spec {
        name: "apache-gen-rhel-httpd22-interworx",
        files: &[
            ("/etc/pki/tls/certs/localhost.crt", Gen::Cert),
            ("/etc/pki/tls/private/localhost.key", Gen::Key),
        ],
        dirs: &[
            "/etc/httpd/logs",
            "/etc/httpd/run",
            "/var/cache/mod_ssl",
            "/var/www/html",
            "/home/magento1/var/m1internal.nextmp.net/logs",
            "/home/magento1/var/magento2-demo.nexcess.net/logs",
            "/home/magento1/var/test.magento2-demo.nexcess.net/logs",
            "/home/phpseven/var/php7.magento2-demo.nexcess.net/logs",
        ],
        links: &[("/etc/httpd/modules", APACHE_MODULES)],
        check_additions: &[(
            "/etc/httpd/conf/httpd.conf",
            "",
            "LoadModule mpm_prefork_module modules/mod_mpm_prefork.so",
        )],
        addresses: &[
            ("104.207.230.57", "198.51.100.11"),
            ("104.207.231.21", "198.51.100.12"),
            ("172.18.56.109", "198.51.100.13"),
        ],
        ..NONE
    },
    Spec {
        name: "apache-gen-rhel-macro-vhosts",
        files: &[
            ("/etc/letsencrypt/live/www.foo.com/fullchain.pem", Gen::Cert),
            ("/etc/letsencrypt/live/www.foo.com/privkey.pem", Gen::Key),
            ("/etc/letsencrypt/live/api.foo.com/fullchain.pem", Gen::Cert),
            ("/etc/letsencrypt/live/api.foo.com/privkey.pem", Gen::Key),
            (
                "/etc/letsencrypt/live/demo2.foo.com/fullchain.pem",
                Gen::Cert,
            ),
            ("/etc/letsencrypt/live/demo2.foo.com/privkey.pem", Gen::Key),
            (
                "/etc/letsencrypt/live/demo4.foo.com/fullchain.pem",
                Gen::Cert,
            ),
            ("/etc/letsencrypt/live/demo4.foo.com/privkey.pem", Gen::Key),
            ("/usr/libexec/httpd-ssl-pass-dialog", Gen::Stub),
        ],
        dirs: &["/etc/httpd/logs", "/run/httpd", "/var/www/html"],
        links: &[("/etc/httpd/modules", APACHE_MODULES)],
        ..NONE
    },
    Spec {
        name: "apache-mtls-crimsy-crl",
        files: &[
            ("/usr/local/apache2/conf/official_cert.pem", Gen::Cert),
            ("/usr/local/apache2/conf/official_cert.key", Gen::Key),
            ("/usr/local/apache2/conf/lbac_cert.pem", Gen::Cert),
            ("/usr/local/apache2/conf/lbac_cert.key", Gen::Key),
            ("/usr/local/apache2/conf/crt/", Gen::CaDir),
            ("/usr/local/apache2/conf/crl/", Gen::CrlDir),
        ],
        hosts: &["ui"],
        dirs: &[
            "/usr/local/apache2/logs",
            "/usr/local/apache2/htdocs",
            "/usr/local/apache2/extern",
        ],
        links: &[("/usr/local/apache2/modules", APACHE_MODULES)],
        ..NONE
    },
    Spec {
        name: "apache-mtls-estid-per-location",
        files: &[
            ("/etc/apache2/conf/ssl.key/mykey.crt", Gen::Cert),
            ("/etc/apache2/conf/ssl.key/mykey.key", Gen::Key),
            ("/etc/apache2/conf/ssl.key/id_key.crt", Gen::Ca),
            ("/etc/apache2/conf/ssl.key/revocation/", Gen::CrlDir),
        ],
        ..NONE
    },
    Spec {
        name: "apache-mtls-puppet-passenger-optional",
        files: &[
            ("/etc/puppet/ssl/certs/squigley.namespace.at.pem", Gen::Cert),
            (
                "/etc/puppet/ssl/private_keys/squigley.namespace.at.pem",
                Gen::Key,
            ),
            ("/etc/puppet/ssl/ca/ca_crt.pem", Gen::Ca),
            ("/etc/puppet/ssl/ca/ca_crl.pem", Gen::Crl),
        ],
        dirs: &["/etc/puppet/rack/public"],
        ..NONE
    },
    Spec {
        name: "caddy-clientauth-caddytest-system-pool",
        ..NONE
    },
    Spec {
        name: "caddy-clientauth-caddytest-wildcard",
        files: &[("/caddy.ca.cer", Gen::Ca)],
        acme_names: &["*.example.com", "public.example.com"],
        ..NONE
    },
    Spec {
        name: "caddy-clientauth-chilcano-sidecar",
        files: &[("/config/custom-certs/ca-chain.cert.pem", Gen::Ca)],
        hosts: &["kuard"],
        acme_names: &["panda1.devopsplayground.org"],
        ..NONE
    },
    Spec {
        name: "caddy-clientauth-flowkarma",
        files: &[(
            "/usr/home/freebsd/prototype-karma/src/clavinger/ca.pem",
            Gen::Ca,
        )],
        dirs: &["/var/log/caddy"],
        acme_names: &["pub.flowkarma.live", "flowkarma.live"],
        ..NONE
    },
    Spec {
        name: "caddy-cloudflare-authelia",
        acme_names: &[
            "auth.example.com",
            "jellyfin.example.com",
            "someapp.example.com",
            "qbittorrent.example.com",
            "immich.example.com",
            "nextcloud.example.com",
        ],
        ..NONE
    },
    Spec {
        name: "caddy-glassy-selfhost",
        hosts: &["glassy"],
        acme_names: &["glassy.example.com"],
        ..NONE
    },
    Spec {
        name: "caddy-localhost-reverse-proxy",
        hosts: &["hello", "taida"],
        ..NONE
    },
    Spec {
        name: "caddy-nextcloud-aio",
        hosts: &[
            "nextcloud-aio-collabora",
            "nextcloud-aio-notify-push",
            "nextcloud-aio-onlyoffice",
            "nextcloud-aio-eurooffice",
            "nextcloud-aio-talk",
            "nextcloud-aio-whiteboard",
            "nextcloud-aio-harp",
        ],
        dirs: &["/mnt/data/caddy"],
        acme_names: &["cloud.example.com"],
        caddy_storage: Some("/mnt/data/caddy"),
        ..NONE
    },
];

pub fn spec(name: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.name == name)
}

/// The absolute paths the `SOURCE` file's certificate section names that the table does not
/// generate or create (empty when the two agree).
pub fn uncovered(spec: &Spec, source: &str) -> Vec<String> {
    let section = source
        .split_once("certificates / keys / CAs named by the config")
        .map(|(_, rest)| rest)
        .unwrap_or("");
    let section = section.split("\nreal-server check").next().unwrap_or("");
    let section = section.split("\nother").next().unwrap_or(section);
    section
        .split_whitespace()
        .map(|w| w.trim_end_matches([',', ';', ')', ':', '.']))
        .filter(|w| w.starts_with('/') && w.len() > 1)
        .filter(|w| !spec.files.iter().any(|(path, _)| path == w))
        .filter(|w| !spec.dirs.contains(w))
        .map(str::to_string)
        .collect()
}
