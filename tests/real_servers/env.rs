//! Whether the real servers can run here, and whether their absence is allowed.
//!
//! `AOP_REAL_SERVERS=required` (implied by a non-empty `CI`) turns a missing binary into a
//! failure; `AOP_REAL_SERVERS=off` skips on purpose. Otherwise a missing binary is a loud skip.

use std::env;
use std::path::PathBuf;

pub fn required() -> bool {
    match env::var("AOP_REAL_SERVERS").as_deref() {
        Ok("required") => true,
        Ok("off") => false,
        _ => env::var("CI").map(|v| !v.is_empty()).unwrap_or(false),
    }
}

fn switched_off() -> bool {
    env::var("AOP_REAL_SERVERS").as_deref() == Ok("off")
}

/// Full path of a program, looked up on PATH and in the sbin directories Debian installs
/// servers into (often missing from a user's PATH).
pub fn find(program: &str) -> Option<PathBuf> {
    let path = env::var("PATH").unwrap_or_default();
    let found = path
        .split(':')
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"])
        .map(|dir| PathBuf::from(dir).join(program))
        .find(|p| p.is_file());
    found
}

/// The programs' paths, or `None` after saying loudly why the test does not run. Panics
/// when they are required.
pub fn tools(test: &str, programs: &[&str]) -> Option<Vec<PathBuf>> {
    if switched_off() && !required() {
        eprintln!("SKIPPED {test}: AOP_REAL_SERVERS=off");
        return None;
    }
    let found: Vec<Option<PathBuf>> = programs.iter().map(|p| find(p)).collect();
    let missing: Vec<&str> = programs
        .iter()
        .zip(&found)
        .filter(|(_, f)| f.is_none())
        .map(|(p, _)| *p)
        .collect();
    if missing.is_empty() {
        return Some(found.into_iter().flatten().collect());
    }
    let message = format!(
        "{test}: {} not installed (apt-get install nginx apache2 curl openssl)",
        missing.join(", ")
    );
    if required() {
        panic!("{message}; AOP_REAL_SERVERS=required or CI is set, so this is a failure");
    }
    eprintln!("\n*** SKIPPED {message} ***\n");
    None
}

/// An nginx release built by `../shared/servers/build-nginx.sh VERSION` at its default prefix
/// (`target/servers/nginx-VERSION`), or below `$AOP_NGINX_RELEASES` (`DIR/nginx-VERSION`).
/// `None` after saying so loudly: the tests about that release do not run.
pub fn nginx_release(version: &str) -> Option<PathBuf> {
    let found = built("AOP_NGINX_RELEASES", &format!("nginx-{version}/sbin/nginx"));
    if found.is_none() {
        let message = format!(
            "nginx {version}: not built (../shared/servers/build-nginx.sh {version} target/servers/nginx-{version}, or set AOP_NGINX_RELEASES)"
        );
        // .ci/run builds both releases: missing there, the tests must not pass unrun.
        if env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            panic!("{message}; CI is set, so this is a failure");
        }
        eprintln!("\n*** SKIPPED {message} ***\n");
    }
    found
}

/// `relative` below `$VAR`, else below `target/servers`.
fn built(var: &str, relative: &str) -> Option<PathBuf> {
    let mut places = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/servers")];
    if let Ok(dir) = env::var(var) {
        places.insert(0, PathBuf::from(dir));
    }
    places
        .iter()
        .map(|p| p.join(relative))
        .find(|p| p.is_file())
}

/// An httpd release built from its source with the prefix `DIR/httpd-VERSION`, below
/// `$AOP_HTTPD_RELEASES` or `target/servers`: `bin/httpd`. Nothing builds one for CI, so a
/// missing release only skips, with a message.
pub fn httpd_release(version: &str) -> Option<PathBuf> {
    let found = built("AOP_HTTPD_RELEASES", &format!("httpd-{version}/bin/httpd"));
    if found.is_none() {
        eprintln!(
            "\n*** SKIPPED httpd {version}: not built (configure --prefix=DIR/httpd-{version} with mod_ssl, then set AOP_HTTPD_RELEASES=DIR) ***\n"
        );
    }
    found
}
