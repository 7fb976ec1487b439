//! Where one served tree lives: a temporary directory holding the rewritten configuration,
//! the content the server serves, its certificates, logs and pid file. Readable by all,
//! because nginx's workers and Apache's children drop root.

use std::cell::{Cell, RefCell};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::pki::pki;
use super::upstream::upstream_port;

/// Present in every body the harness itself placed: a response carrying it is content.
pub const MARKER: &str = "aop-truth-content";

/// A file with the marker in every root, requested besides `/`: a root serves files even
/// where `/` has no index page to answer with.
pub const MARKER_FILE: &str = "/aop-truth.html";

pub struct Layout {
    dir: tempfile::TempDir,
    counter: Cell<usize>,
    /// Every directory standing for a root, with what its marker says.
    content: RefCell<Vec<(PathBuf, String)>>,
}

impl Layout {
    /// Copies `tree` to `<tmp>/conf` and prepares the rest.
    pub fn new(tree: &Path) -> Result<Layout, String> {
        let dir = tempfile::Builder::new()
            .prefix("aop-truth-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let layout = Layout {
            dir,
            counter: Cell::new(0),
            content: RefCell::new(Vec::new()),
        };
        copy_tree(tree, &layout.conf_dir()).map_err(|e| format!("copy {}: {e}", tree.display()))?;
        for sub in ["logs", "pki", "run", "www"] {
            fs::create_dir_all(layout.root().join(sub)).map_err(|e| e.to_string())?;
        }
        let pki = pki();
        for (from, to) in [
            (pki.cloudflare_ca(), layout.cloudflare_ca()),
            (pki.server_cert(), layout.server_cert()),
            (pki.server_key(), layout.server_key()),
        ] {
            fs::copy(&from, &to).map_err(|e| format!("copy {}: {e}", from.display()))?;
        }
        // nginx's compiled-in default root is `html` under the prefix: it is content too.
        layout.marked(&layout.root().join("html"), "the server's default root")?;
        Ok(layout)
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }
    pub fn conf_dir(&self) -> PathBuf {
        self.root().join("conf")
    }
    pub fn pid_file(&self) -> PathBuf {
        self.root().join("run/server.pid")
    }
    pub fn log_file(&self, kind: &str) -> PathBuf {
        self.root().join("logs").join(format!("{kind}.log"))
    }
    pub fn server_cert(&self) -> PathBuf {
        self.root().join("pki/server.crt")
    }
    pub fn server_key(&self) -> PathBuf {
        self.root().join("pki/server.key")
    }
    pub fn cloudflare_ca(&self) -> PathBuf {
        self.root().join("pki/cloudflare-ca.pem")
    }
    pub fn upstream_port(&self) -> u16 {
        upstream_port()
    }

    /// A new path under `run/` (sockets and the like).
    pub fn fresh_path(&self, stem: &str) -> PathBuf {
        let n = self.counter.get() + 1;
        self.counter.set(n);
        self.root().join("run").join(format!("{stem}-{n}"))
    }

    /// A directory standing for the fixture's `root`/`DocumentRoot` number `n`, with an index
    /// page carrying the marker and the original path.
    pub fn content_dir(&self, n: usize, original: &str) -> Result<PathBuf, String> {
        let dir = self.root().join("www").join(n.to_string());
        self.marked(&dir, &format!("root {n} ({original})"))?;
        Ok(dir)
    }

    pub fn run_dir(&self) -> PathBuf {
        self.root().join("run")
    }

    /// Where an absolute path of the fixture's system lives in the copy: `<tmp>/www/<path>`.
    /// httpd's `<Directory>` sections are moved the same way, so their access rules still
    /// cover the roots below them.
    pub fn mirror_path(&self, original: &str) -> PathBuf {
        let relative: PathBuf = Path::new(original)
            .components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .collect();
        self.root().join("www").join(relative)
    }

    /// [`Self::mirror_path`], created, with an index page carrying the marker.
    pub fn mirror_dir(&self, original: &str, what: &str) -> Result<PathBuf, String> {
        let dir = self.mirror_path(original);
        self.marked(&dir, what)?;
        Ok(dir)
    }

    fn marked(&self, dir: &Path, what: &str) -> Result<(), String> {
        write_marker(dir, what)?;
        self.content
            .borrow_mut()
            .push((dir.to_path_buf(), what.to_string()));
        Ok(())
    }

    /// Puts the marker at each URI path under every root too, so a location that serves
    /// files (`location /.well-known/acme-challenge/`) has something to serve: `/dir/`
    /// gets an index page, `/file` a file.
    pub fn serve_paths(&self, paths: &[String]) -> Result<(), String> {
        for (dir, what) in self.content.borrow().iter() {
            for path in paths {
                let relative = path.trim_start_matches('/');
                if relative.is_empty() || relative.split('/').any(|c| c == "..") {
                    continue;
                }
                let target = dir.join(relative);
                if path.ends_with('/') {
                    write_marker(&target, what)?;
                } else if !target.is_dir() {
                    if let Some(parent) = target.parent() {
                        fs::create_dir_all(parent).map_err(|e| e.to_string())?;
                    }
                    fs::write(&target, format!("{MARKER}: {what}\n")).map_err(|e| e.to_string())?;
                }
            }
        }
        Ok(())
    }

    /// Makes everything readable by the unprivileged worker processes.
    pub fn open_permissions(&self) -> Result<(), String> {
        open_permissions(self.root()).map_err(|e| e.to_string())
    }

    /// The server's own logs, for a failure message.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        if let Ok(entries) = fs::read_dir(self.root().join("logs")) {
            for entry in entries.flatten() {
                let text = fs::read_to_string(entry.path()).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(20).collect();
                out.push_str(&format!("--- {}\n", entry.path().display()));
                for line in tail.into_iter().rev() {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }

    /// Keeps the directory for inspection (AOP_REAL_SERVERS_KEEP set).
    pub fn keep(self) -> PathBuf {
        self.dir.keep()
    }
}

fn write_marker(dir: &Path, what: &str) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let body = format!("{MARKER}: {what}\n");
    for index in [
        "index.html",
        "index.htm",
        MARKER_FILE.trim_start_matches('/'),
    ] {
        fs::write(dir.join(index), &body).map_err(|e| e.to_string())?;
    }
    Ok(())
}

pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() || kind.is_symlink() {
            // A dangling or outside symlink is copied as nothing: nginx then reports it.
            if let Ok(bytes) = fs::read(entry.path()) {
                fs::write(&target, bytes)?;
            }
        }
    }
    Ok(())
}

fn open_permissions(path: &Path) -> std::io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.is_dir() {
        fs::set_permissions(path, fs::Permissions::from_mode(0o755))?;
        for entry in fs::read_dir(path)? {
            open_permissions(&entry?.path())?;
        }
    } else if meta.is_file() {
        fs::set_permissions(path, fs::Permissions::from_mode(0o644))?;
    }
    Ok(())
}
