//! Writes large configuration trees of a known shape: N servers across M site files, for
//! nginx, Apache or Caddy, deterministic for given N and M so timings can be compared run to run.

mod apache;
mod caddy;
mod nginx;
mod site;

use std::io::{self, Write};
use std::path::Path;

pub use site::split;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Nginx,
    Apache,
    Caddy,
}

impl Kind {
    /// The name of a tree's main file, in its root.
    pub fn main_file(self) -> &'static str {
        match self {
            Kind::Nginx => "nginx.conf",
            Kind::Apache => "apache2.conf",
            Kind::Caddy => "Caddyfile",
        }
    }
}

/// Writes a tree into `out` (created when missing) and returns the path of its main file.
pub fn generate(
    kind: Kind,
    servers: usize,
    files: usize,
    out: &Path,
) -> io::Result<std::path::PathBuf> {
    std::fs::create_dir_all(out.join("sites-enabled"))?;
    write_file(&out.join(site::CA_PATH), site::ORIGIN_PULL_CA.as_bytes())?;
    match kind {
        Kind::Nginx => nginx::write_tree(out, servers, files)?,
        Kind::Apache => apache::write_tree(out, servers, files)?,
        Kind::Caddy => caddy::write_tree(out, servers, files)?,
    }
    Ok(out.join(kind.main_file()))
}

fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = io::BufWriter::new(std::fs::File::create(path)?);
    f.write_all(bytes)?;
    f.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(dir: &Path, needle: &str) -> usize {
        std::fs::read_dir(dir.join("sites-enabled"))
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .map(|t| t.matches(needle).count())
            .sum()
    }

    #[test]
    fn nginx_tree_has_the_requested_servers_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let main = generate(Kind::Nginx, 25, 4, dir.path()).unwrap();
        assert!(main.ends_with("nginx.conf"));
        assert_eq!(
            std::fs::read_dir(dir.path().join("sites-enabled"))
                .unwrap()
                .count(),
            4
        );
        assert_eq!(count(dir.path(), "server {"), 25);
    }

    #[test]
    fn apache_tree_has_the_same_sites() {
        let dir = tempfile::tempdir().unwrap();
        generate(Kind::Apache, 25, 4, dir.path()).unwrap();
        // Four site files plus the catch-all.
        assert_eq!(
            std::fs::read_dir(dir.path().join("sites-enabled"))
                .unwrap()
                .count(),
            5
        );
        assert_eq!(count(dir.path(), "<VirtualHost") - 2, 25);
        assert!(dir.path().join("ports.conf").is_file());
    }

    #[test]
    fn caddy_tree_has_the_same_sites() {
        let dir = tempfile::tempdir().unwrap();
        let main = generate(Kind::Caddy, 25, 4, dir.path()).unwrap();
        assert!(main.ends_with("Caddyfile"));
        // Every site block opens with its name; redirect-only ones with `http://`.
        assert_eq!(count(dir.path(), ".example.com, "), 25);
        assert_eq!(count(dir.path(), "http://site"), 5);
        // One in fifty forgot client authentication (site 7).
        assert_eq!(count(dir.path(), "import origin_pull"), 19);
    }
}
