//! Which directives the running httpd knows, for `<IfDirective>` and `<IfSection>`
//! (httpd 2.4.34+): httpd asks its table of the commands of every module loaded so far.
//! The lists are `apache2 -L` of Debian's httpd 2.4 with each module loaded alone; a name
//! in none of them belongs to a module aop-lint does not know, so the answer is unknown.

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
/// Loadable modules and the directives each provides.
const MODULES: &[(&str, &[&str])] = &[
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
        "authn_core_module",
        &["<authnprovideralias", "authname", "authtype"],
    ),
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
    ("headers_module", &["header", "requestheader"]),
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
];

/// Whether the directive `name` (a section as `<virtualhost`) exists once the modules in
/// `modules` are loaded; `None` when no known module provides it.
pub fn exists(name: &str, modules: &Modules) -> Option<bool> {
    let name = name.to_ascii_lowercase();
    if ALWAYS.contains(&name.as_str()) {
        return Some(true);
    }
    let mpms = MPM
        .iter()
        .filter(|(directive, _)| *directive == name)
        .flat_map(|(_, mpms)| mpms.iter().copied());
    let modules_providing = MODULES
        .iter()
        .filter(|(_, list)| list.contains(&name.as_str()))
        .map(|(m, _)| *m);
    let providers = mpms.chain(modules_providing);
    let mut known = false;
    for m in providers {
        known = true;
        if modules.is_loaded(m) {
            return Some(true);
        }
    }
    known.then_some(false)
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
        assert_eq!(exists("NoSuchDirective", &m), None);
        m.load("ssl_module", Some("modules/mod_ssl.so"));
        m.load("mpm_worker_module", Some("modules/mod_mpm_worker.so"));
        assert_eq!(exists("sslverifyclient", &m), Some(true));
        assert_eq!(exists("ThreadsPerChild", &m), Some(true));
        assert_eq!(exists("AsyncRequestWorkerFactor", &m), Some(false));
        assert_eq!(exists("RewriteRule", &m), Some(false));
        assert_eq!(exists("<Proxy", &m), Some(false));
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
