//! Serving an Apache httpd tree with the real `apache2` on loopback.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::apache_rewrite::rewrite;
use super::layout::Layout;
use super::nginx::Instance;
use super::process::{retry_start, RunningServer};

/// The main file of a tree, as aop-lint looks for it.
fn main_file(conf: &Path) -> Option<PathBuf> {
    ["apache2.conf", "httpd.conf", "conf/httpd.conf"]
        .iter()
        .map(|f| conf.join(f))
        .find(|p| p.is_file())
}

/// Serves `tree`; retried when another process took a port between its choice and the bind.
pub fn serve(apache2: &Path, tree: &Path) -> Result<Instance, String> {
    retry_start(|| serve_once(apache2, tree))
}

fn serve_once(apache2: &Path, tree: &Path) -> Result<Instance, String> {
    let layout = Layout::new(tree)?;
    let conf = layout.conf_dir();
    let main = main_file(&conf).ok_or("no apache2.conf, httpd.conf or conf/httpd.conf")?;
    let served = rewrite(&layout, &main)?;
    layout.serve_paths(&served.paths)?;
    layout.open_permissions()?;
    let run = layout.run_dir();
    let mut cmd = Command::new(apache2);
    cmd.arg("-d")
        .arg(&conf)
        .arg("-f")
        .arg(&main)
        .arg("-DFOREGROUND")
        .arg("-E")
        .arg(layout.log_file("startup"))
        .arg("-C")
        .arg(format!("DefaultRuntimeDir {}", run.display()))
        .arg("-C")
        .arg(format!("PidFile {}", layout.pid_file().display()))
        .arg("-c")
        .arg(format!("ErrorLog {}", layout.log_file("error").display()));
    // What Debian's apache2ctl would take from /etc/apache2/envvars.
    cmd.env("APACHE_RUN_USER", "www-data")
        .env("APACHE_RUN_GROUP", "www-data")
        .env("APACHE_PID_FILE", layout.pid_file())
        .env("APACHE_RUN_DIR", &run)
        .env("APACHE_LOCK_DIR", &run)
        .env("APACHE_LOG_DIR", layout.root().join("logs"))
        .env("LANG", "C");
    let endpoints = served.endpoints.clone();
    let server = RunningServer::start("apache2", &mut cmd, &endpoints, &layout)?;
    Ok(Instance {
        server,
        served,
        layout,
    })
}
