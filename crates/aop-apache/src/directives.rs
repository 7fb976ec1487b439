//! Which directives the running httpd knows, for `<IfDirective>` and `<IfSection>`
//! (httpd 2.4.34+): httpd asks its table of the commands of every module loaded so far.
//! The lists are `apache2 -L` of Debian's httpd 2.4 with each module loaded alone; a name
//! in none of them belongs to a module aop-lint does not know, so the answer is unknown.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::modules::Modules;

/// Compiled into httpd (core, http_core, mod_so, mod_watchdog, mod_log_config, mod_logio,
/// mod_version, mod_unixd) and the directives every MPM shares: always present.
const ALWAYS: &[&str] = &[
    "<directory",
    "<directorymatch",
    "<else",
    "<elseif",
    "<files",
    "<filesmatch",
    "<if",
    "<ifdefine",
    "<ifdirective",
    "<iffile",
    "<ifmodule",
    "<ifsection",
    "<ifversion",
    "<limit",
    "<limitexcept",
    "<location",
    "<locationmatch",
    "<virtualhost",
    "acceptfilter",
    "acceptpathinfo",
    "accessfilename",
    "adddefaultcharset",
    "allowencodedslashes",
    "allowoverride",
    "allowoverridelist",
    "bufferedlogs",
    "cgipassauth",
    "cgivar",
    "chrootdir",
    "contentdigest",
    "coredumpdirectory",
    "customlog",
    "defaultruntimedir",
    "defaulttype",
    "define",
    "documentroot",
    "enablemmap",
    "enablesendfile",
    "error",
    "errordocument",
    "errorlog",
    "errorlogformat",
    "extendedstatus",
    "fileetag",
    "flushmaxpipelined",
    "flushmaxthreshold",
    "forcetype",
    "globallog",
    "gracefulshutdowntimeout",
    "group",
    "hostnamelookups",
    "httpprotocoloptions",
    "include",
    "includeoptional",
    "keepalive",
    "keepalivetimeout",
    "limitinternalrecursion",
    "limitrequestbody",
    "limitrequestfields",
    "limitrequestfieldsize",
    "limitrequestline",
    "limitxmlrequestbody",
    "listen",
    "listenbacklog",
    "listencoresbucketsratio",
    "listentcpdeferaccept",
    "loadfile",
    "loadmodule",
    "logformat",
    "logiotrackttfb",
    "loglevel",
    "maxclients",
    "maxconnectionsperchild",
    "maxkeepaliverequests",
    "maxmemfree",
    "maxrangeoverlaps",
    "maxrangereversals",
    "maxranges",
    "maxrequestsperchild",
    "maxrequestworkers",
    "mergeslashes",
    "mergetrailers",
    "mutex",
    "namevirtualhost",
    "options",
    "pidfile",
    "port",
    "protocol",
    "protocols",
    "protocolshonororder",
    "qualifyredirecturl",
    "readbuffersize",
    "receivebuffersize",
    "regexdefaultoptions",
    "registerhttpmethod",
    "rlimitcpu",
    "rlimitmem",
    "rlimitnproc",
    "scoreboardfile",
    "seerequesttail",
    "sendbuffersize",
    "serveradmin",
    "serveralias",
    "serverlimit",
    "servername",
    "serverpath",
    "serverroot",
    "serversignature",
    "servertokens",
    "sethandler",
    "setinputfilter",
    "setoutputfilter",
    "startservers",
    "stricthostcheck",
    "suexec",
    "threadstacksize",
    "timeout",
    "traceenable",
    "transferlog",
    "undefine",
    "usecanonicalname",
    "usecanonicalphysicalport",
    "user",
    "watchdoginterval",
];
/// Directives one MPM or another provides.
const MPM: &[(&str, &[&str])] = &[
    ("asyncrequestworkerfactor", &["mpm_event_module"]),
    ("maxspareservers", &["mpm_prefork_module"]),
    (
        "maxsparethreads",
        &["mpm_event_module", "mpm_worker_module"],
    ),
    ("minspareservers", &["mpm_prefork_module"]),
    (
        "minsparethreads",
        &["mpm_event_module", "mpm_worker_module"],
    ),
    ("threadlimit", &["mpm_event_module", "mpm_worker_module"]),
    (
        "threadsperchild",
        &["mpm_event_module", "mpm_worker_module"],
    ),
];
/// Loadable modules and the directives each provides (some provide none).
const MODULES: &[(&str, &[&str])] = &[
    (
        "access_compat_module",
        &["allow", "deny", "order", "satisfy"],
    ),
    (
        "alias_module",
        &[
            "alias",
            "aliasmatch",
            "aliaspreservepath",
            "redirect",
            "redirectmatch",
            "redirectpermanent",
            "redirectrelative",
            "redirecttemp",
            "scriptalias",
            "scriptaliasmatch",
        ],
    ),
    (
        "auth_basic_module",
        &[
            "authbasicauthoritative",
            "authbasicfake",
            "authbasicprovider",
            "authbasicusedigestalgorithm",
        ],
    ),
    (
        "authn_core_module",
        &["<authnprovideralias", "authname", "authtype"],
    ),
    ("authn_file_module", &["authuserfile"]),
    (
        "authz_core_module",
        &[
            "<authzprovideralias",
            "<requireall",
            "<requireany",
            "<requirenone",
            "authmerging",
            "authzsendforbiddenonfailure",
            "require",
        ],
    ),
    ("authz_host_module", &[]),
    ("authz_user_module", &[]),
    (
        "autoindex_module",
        &[
            "addalt",
            "addaltbyencoding",
            "addaltbytype",
            "adddescription",
            "addicon",
            "addiconbyencoding",
            "addiconbytype",
            "defaulticon",
            "fancyindexing",
            "headername",
            "indexheadinsert",
            "indexignore",
            "indexignorereset",
            "indexoptions",
            "indexorderdefault",
            "indexstylesheet",
            "readmename",
        ],
    ),
    (
        "deflate_module",
        &[
            "deflatealteretag",
            "deflatebuffersize",
            "deflatecompressionlevel",
            "deflatefilternote",
            "deflateinflatelimitrequestbody",
            "deflateinflateratioburst",
            "deflateinflateratiolimit",
            "deflatememlevel",
            "deflatewindowsize",
        ],
    ),
    (
        "dir_module",
        &[
            "directorycheckhandler",
            "directoryindex",
            "directoryindexredirect",
            "directoryslash",
            "fallbackresource",
        ],
    ),
    ("env_module", &["passenv", "setenv", "unsetenv"]),
    (
        "filter_module",
        &[
            "addoutputfilterbytype",
            "filterchain",
            "filterdeclare",
            "filterprotocol",
            "filterprovider",
            "filtertrace",
        ],
    ),
    ("headers_module", &["header", "requestheader"]),
    (
        "http2_module",
        &[
            "h2copyfiles",
            "h2direct",
            "h2earlyhint",
            "h2earlyhints",
            "h2maxdataframelen",
            "h2maxheaderblocklen",
            "h2maxsessionstreams",
            "h2maxstreamerrors",
            "h2maxworkeridleseconds",
            "h2maxworkers",
            "h2minworkers",
            "h2moderntlsonly",
            "h2outputbuffering",
            "h2padding",
            "h2proxyrequests",
            "h2push",
            "h2pushdiarysize",
            "h2pushpriority",
            "h2pushresource",
            "h2serializeheaders",
            "h2sessionextrafiles",
            "h2streammaxmemsize",
            "h2streamtimeout",
            "h2tlscooldownsecs",
            "h2tlswarmupsize",
            "h2upgrade",
            "h2websockets",
            "h2windowsize",
        ],
    ),
    (
        "macro_module",
        &[
            "<macro",
            "macroignorebadnesting",
            "macroignoreemptyargs",
            "undefmacro",
            "use",
        ],
    ),
    (
        "mime_module",
        &[
            "addcharset",
            "addencoding",
            "addhandler",
            "addinputfilter",
            "addlanguage",
            "addoutputfilter",
            "addtype",
            "defaultlanguage",
            "modmimeusepathinfo",
            "multiviewsmatch",
            "removecharset",
            "removeencoding",
            "removehandler",
            "removeinputfilter",
            "removelanguage",
            "removeoutputfilter",
            "removetype",
            "typesconfig",
        ],
    ),
    (
        "negotiation_module",
        &[
            "cachenegotiateddocs",
            "forcelanguagepriority",
            "languagepriority",
        ],
    ),
    (
        "proxy_module",
        &[
            "<proxy",
            "<proxymatch",
            "balancergrowth",
            "balancerinherit",
            "balancermember",
            "balancerpersist",
            "noproxy",
            "proxy100continue",
            "proxyaddheaders",
            "proxybadheader",
            "proxyblock",
            "proxydomain",
            "proxyerroroverride",
            "proxyiobuffersize",
            "proxymaxforwards",
            "proxypass",
            "proxypassinherit",
            "proxypassinterpolateenv",
            "proxypassmatch",
            "proxypassreverse",
            "proxypassreversecookiedomain",
            "proxypassreversecookiepath",
            "proxypreservehost",
            "proxyreceivebuffersize",
            "proxyremote",
            "proxyremotematch",
            "proxyrequests",
            "proxyset",
            "proxysourceaddress",
            "proxystatus",
            "proxytimeout",
            "proxyvia",
        ],
    ),
    ("proxy_http_module", &[]),
    (
        "remoteip_module",
        &[
            "remoteipheader",
            "remoteipinternalproxy",
            "remoteipinternalproxylist",
            "remoteipproxiesheader",
            "remoteipproxyprotocol",
            "remoteipproxyprotocolexceptions",
            "remoteiptrustedproxy",
            "remoteiptrustedproxylist",
        ],
    ),
    ("reqtimeout_module", &["requestreadtimeout"]),
    (
        "rewrite_module",
        &[
            "rewritebase",
            "rewritecond",
            "rewriteengine",
            "rewritemap",
            "rewriteoptions",
            "rewriterule",
        ],
    ),
    (
        "setenvif_module",
        &[
            "browsermatch",
            "browsermatchnocase",
            "setenvif",
            "setenvifexpr",
            "setenvifnocase",
        ],
    ),
    ("socache_shmcb_module", &[]),
    (
        "ssl_module",
        &[
            "sslcacertificatefile",
            "sslcacertificatepath",
            "sslcadnrequestfile",
            "sslcadnrequestpath",
            "sslcarevocationcheck",
            "sslcarevocationfile",
            "sslcarevocationpath",
            "sslcertificatechainfile",
            "sslcertificatefile",
            "sslcertificatekeyfile",
            "sslciphersuite",
            "sslcompression",
            "sslcryptodevice",
            "sslengine",
            "sslfips",
            "sslhonorcipherorder",
            "sslinsecurerenegotiation",
            "ssllog",
            "sslloglevel",
            "sslocspdefaultresponder",
            "sslocspenable",
            "sslocspnoverify",
            "sslocspoverrideresponder",
            "sslocspproxyurl",
            "sslocsprespondercertificatefile",
            "sslocsprespondertimeout",
            "sslocspresponsemaxage",
            "sslocspresponsetimeskew",
            "sslocspuserequestnonce",
            "sslopensslconfcmd",
            "ssloptions",
            "sslpassphrasedialog",
            "sslprotocol",
            "sslproxycacertificatefile",
            "sslproxycacertificatepath",
            "sslproxycarevocationcheck",
            "sslproxycarevocationfile",
            "sslproxycarevocationpath",
            "sslproxycheckpeercn",
            "sslproxycheckpeerexpire",
            "sslproxycheckpeername",
            "sslproxyciphersuite",
            "sslproxyengine",
            "sslproxymachinecertificatechainfile",
            "sslproxymachinecertificatefile",
            "sslproxymachinecertificatepath",
            "sslproxyprotocol",
            "sslproxyverify",
            "sslproxyverifydepth",
            "sslrandomseed",
            "sslrenegbuffersize",
            "sslrequire",
            "sslrequiressl",
            "sslsessioncache",
            "sslsessioncachetimeout",
            "sslsessionticketkeyfile",
            "sslsessiontickets",
            "sslsrpunknownuserseed",
            "sslsrpverifierfile",
            "sslstaplingcache",
            "sslstaplingerrorcachetimeout",
            "sslstaplingfaketrylater",
            "sslstaplingforceurl",
            "sslstaplingrespondertimeout",
            "sslstaplingresponsemaxage",
            "sslstaplingresponsetimeskew",
            "sslstaplingreturnrespondererrors",
            "sslstaplingstandardcachetimeout",
            "sslstrictsnivhostcheck",
            "sslusername",
            "sslusestapling",
            "sslverifyclient",
            "sslverifydepth",
            "sslvhostsnipolicy",
        ],
    ),
    ("status_module", &[]),
];

/// Whether the directive `name` (a section as `<virtualhost`) exists once the modules in
/// `modules` are loaded. A name no known module provides is absent when every module
/// loaded is known, and unknown (`None`) otherwise.
pub fn exists(name: &str, modules: &Modules) -> Option<bool> {
    let name = lowercase(name);
    let (always, providers) = match index().get(name.as_ref()) {
        Some(Known::Always) => (true, &[][..]),
        Some(Known::ProvidedBy(p)) => (false, &p[..]),
        None => (false, &[][..]),
    };
    if always || providers.iter().any(|m| modules.is_loaded(m)) {
        return Some(true);
    }
    if !providers.is_empty() || modules.loaded().all(is_known_module) {
        return Some(false);
    }
    None
}

/// What the tables say of one directive.
enum Known {
    Always,
    /// The MPMs, then the modules, that provide it.
    ProvidedBy(Vec<&'static str>),
}

/// The tables by directive: each line of a tree asks, and scanning them took an eighth of
/// reading a tree of ten thousand virtual hosts.
fn index() -> &'static HashMap<&'static str, Known> {
    static INDEX: OnceLock<HashMap<&'static str, Known>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<&'static str, Known> = HashMap::new();
        let mut provide = |directive: &'static str, module: &'static str| {
            if let Known::ProvidedBy(p) = index
                .entry(directive)
                .or_insert_with(|| Known::ProvidedBy(Vec::new()))
            {
                p.push(module);
            }
        };
        for (directive, mpms) in MPM {
            for m in *mpms {
                provide(directive, m);
            }
        }
        for (module, directives) in MODULES {
            for d in *directives {
                provide(d, module);
            }
        }
        for d in ALWAYS {
            index.insert(d, Known::Always);
        }
        index
    })
}

/// Names come lowercased from the reader already; only others are copied.
fn lowercase(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// The first module or MPM known to provide the directive `name`.
pub fn providers(name: &str) -> Option<&'static str> {
    let name = name.to_ascii_lowercase();
    MODULES
        .iter()
        .find(|(_, list)| list.contains(&name.as_str()))
        .map(|(m, _)| *m)
        .or_else(|| {
            MPM.iter()
                .find(|(directive, _)| *directive == name)
                .and_then(|(_, mpms)| mpms.first().copied())
        })
}

fn is_known_module(id: &str) -> bool {
    MODULES.iter().any(|(m, _)| *m == id) || MPM.iter().any(|(_, mpms)| mpms.contains(&id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_directives_exist_and_module_ones_once_loaded() {
        let mut m = Modules::default();
        assert_eq!(exists("ServerName", &m), Some(true));
        assert_eq!(exists("<VirtualHost", &m), Some(true));
        assert_eq!(exists("<IfVersion", &m), Some(true));
        assert_eq!(exists("SSLVerifyClient", &m), Some(false));
        assert_eq!(exists("RemoteIPHeader", &m), Some(false));
        assert_eq!(exists("ThreadsPerChild", &m), Some(false));
        // Only built-in modules so far: nothing else can provide it.
        assert_eq!(exists("NoSuchDirective", &m), Some(false));
        m.load("ssl_module", Some("modules/mod_ssl.so"));
        m.load("mpm_worker_module", Some("modules/mod_mpm_worker.so"));
        assert_eq!(exists("sslverifyclient", &m), Some(true));
        assert_eq!(exists("ThreadsPerChild", &m), Some(true));
        assert_eq!(exists("AsyncRequestWorkerFactor", &m), Some(false));
        assert_eq!(exists("RewriteRule", &m), Some(false));
        assert_eq!(exists("<Proxy", &m), Some(false));
        assert_eq!(exists("SecRuleEngine", &m), Some(false));
        m.load("security2_module", Some("modules/mod_security2.so"));
        assert_eq!(exists("SecRuleEngine", &m), None);
        assert_eq!(exists("RewriteRule", &m), Some(false));
    }

    #[test]
    fn tables_hold_lowercase_names_once() {
        let mut seen = std::collections::HashSet::new();
        for name in ALWAYS
            .iter()
            .chain(MODULES.iter().flat_map(|(_, l)| l.iter()))
        {
            assert_eq!(name.to_ascii_lowercase(), *name);
            assert!(seen.insert(*name), "{name} listed twice");
        }
    }
}
