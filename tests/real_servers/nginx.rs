//! Serving a config tree with the real nginx on loopback.

use std::path::Path;
use std::process::Command;

use super::layout::Layout;
use super::nginx_rewrite::{rewrite, Served};
use super::process::{retry_start, RunningServer};

pub struct Instance {
    // Field order matters: the server stops before its directory is removed.
    pub server: RunningServer,
    pub served: Served,
    pub layout: Layout,
}

/// Copies `tree` (holding `nginx.conf`), rewrites it and starts nginx in the foreground.
/// Serves `tree`; retried when another process took a port between its choice and the bind.
pub fn serve(nginx: &Path, tree: &Path) -> Result<Instance, String> {
    retry_start(|| serve_once(nginx, tree))
}

fn serve_once(nginx: &Path, tree: &Path) -> Result<Instance, String> {
    let layout = Layout::new(tree)?;
    let served = rewrite(&layout)?;
    layout.serve_paths(&served.paths)?;
    layout.open_permissions()?;
    let root = layout.root();
    let global = format!(
        "daemon off; error_log {} info;",
        layout.log_file("error").display()
    );
    let mut cmd = Command::new(nginx);
    cmd.arg("-p")
        .arg(format!("{}/", root.display()))
        .arg("-c")
        .arg(layout.conf_dir().join("nginx.conf"))
        .arg("-e")
        .arg(layout.log_file("startup"))
        .arg("-g")
        .arg(global);
    let endpoints: Vec<_> = served.endpoints.clone();
    let server = RunningServer::start("nginx", &mut cmd, &endpoints, &layout)?;
    Ok(Instance {
        server,
        served,
        layout,
    })
}

/// The (major, minor) of `nginx -v` (`nginx version: nginx/1.22.1`).
/// Whether the binary was built with `module` (`nginx -V`: `--with-MODULE`, or a dynamic
/// one `--with-MODULE=dynamic`, which Debian loads by default).
pub fn has_module(nginx: &Path, module: &str) -> bool {
    let Ok(out) = Command::new(nginx).arg("-V").output() else {
        return false;
    };
    String::from_utf8_lossy(&out.stderr)
        .split_whitespace()
        .any(|w| w == format!("--with-{module}") || w == format!("--with-{module}=dynamic"))
}

pub fn version(nginx: &Path) -> Option<(u32, u32)> {
    let out = Command::new(nginx).arg("-v").output().ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let number = text.split('/').nth(1)?.trim();
    super::fixtures::parse_version(number)
}
