//! One generated virtual host, described once so the nginx and Apache trees have the same
//! shape: the same names, ports, verification and upstreams, server for server.

/// The Cloudflare origin-pull CA, so a generated tree points at a real certificate file.
pub const ORIGIN_PULL_CA: &str =
    include_str!("../../../fixtures/certs/cloudflare-origin-pull-ca.pem");

/// Where the CA file is written, relative to the tree's root.
pub const CA_PATH: &str = "certs/origin-pull-ca.pem";

/// What one server block or `<VirtualHost>` looks like.
pub struct Site {
    pub index: usize,
    /// A plain-HTTP server that only redirects to https (every fifth site).
    pub redirect_only: bool,
    /// A TLS site that forgot client verification (one in fifty): real trees carry a few, and a
    /// report with findings is part of what is measured.
    pub unverified: bool,
    pub locations: usize,
}

impl Site {
    pub fn new(index: usize) -> Self {
        Site {
            index,
            redirect_only: index % 5 == 4,
            unverified: index % 50 == 7,
            locations: 1 + index % 4,
        }
    }

    pub fn name(&self) -> String {
        format!("site{}.example.com", self.index)
    }

    pub fn upstream_port(&self) -> usize {
        8000 + self.index % 1000
    }
}

/// The header of site file `n` for the dialects whose comments start with `#` and need no
/// block around the sites (Apache, Caddy).
pub fn comment_header(t: &mut String, n: usize) {
    t.push_str(&format!("# generated site file {n}\n\n"));
}

/// Writes `sites-enabled/site-NNNNN.conf`, each file a header then its share of the sites.
pub fn write_site_files(
    out: &std::path::Path,
    servers: usize,
    files: usize,
    header: impl Fn(&mut String, usize),
    site: impl Fn(&mut String, &Site),
) -> std::io::Result<()> {
    for (n, range) in split(servers, files).into_iter().enumerate() {
        let mut text = String::with_capacity(range.len() * 1200);
        header(&mut text, n);
        for i in range {
            site(&mut text, &Site::new(i));
        }
        crate::write_file(
            &out.join("sites-enabled").join(format!("site-{n:05}.conf")),
            text.as_bytes(),
        )?;
    }
    Ok(())
}

/// Splits `servers` sites across `files` files as evenly as possible, in order.
pub fn split(servers: usize, files: usize) -> Vec<std::ops::Range<usize>> {
    let files = files.clamp(1, servers.max(1));
    (0..files)
        .map(|f| (servers * f / files)..(servers * (f + 1) / files))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_covers_every_server_once() {
        let parts = split(10, 3);
        assert_eq!(parts, vec![0..3, 3..6, 6..10]);
        assert_eq!(split(2, 5).len(), 2);
    }
}
