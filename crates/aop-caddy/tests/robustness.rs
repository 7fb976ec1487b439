//! No input makes the reader panic: every prefix of every Caddy fixture, and the same bytes
//! with one byte changed at a time to each character the lexer treats specially.

use std::path::{Path, PathBuf};

use aop_model::LoadOptions;
use aop_source::SourceMap;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/caddy");
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().join("Caddyfile"))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

fn read(path: &Path, bytes: Vec<u8>) -> usize {
    let mut map = SourceMap::default();
    let file = map.add(path, bytes);
    let config = aop_caddy::load_file(file, &mut map, &LoadOptions::default());
    config.servers.len() + config.findings.len()
}

#[test]
fn prefixes_and_single_byte_changes_never_panic() {
    let special = b"{}\"`\\#<\n ,:$[]()*@";
    let files = fixtures();
    assert!(files.len() > 20, "the Caddy fixtures are where they were");
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        for end in 0..=bytes.len() {
            read(&path, bytes[..end].to_vec());
        }
        for at in (0..bytes.len()).step_by(3) {
            for &b in special {
                let mut changed = bytes.clone();
                changed[at] = b;
                read(&path, changed);
            }
        }
    }
}

/// The same for the JSON fixtures through the JSON reader; every span a finding or a server
/// carries stays inside the file.
#[test]
fn json_prefixes_and_single_byte_changes_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/caddy");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().join("caddy.json"))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        files.len() >= 5,
        "the Caddy JSON fixtures are where they were"
    );
    let special = b"{}[]\":,\\ \nu0-e.tfn\xff";
    let check = |path: &Path, bytes: Vec<u8>| {
        let len = bytes.len() as u32;
        let mut map = SourceMap::default();
        let file = map.add(path, bytes);
        let config = aop_caddy::json::load_file(file, &map, &LoadOptions::default());
        let spans = config
            .findings
            .iter()
            .map(|f| f.primary.span)
            .chain(config.servers.iter().map(|s| s.span))
            .chain(
                config
                    .servers
                    .iter()
                    .flat_map(|s| s.listeners.iter().map(|l| l.span)),
            );
        for s in spans {
            assert!(
                s.start <= s.end && s.end <= len,
                "{}: span {s:?} of {len} bytes",
                path.display()
            );
        }
    };
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        for end in 0..=bytes.len() {
            check(&path, bytes[..end].to_vec());
        }
        for at in 0..bytes.len() {
            for &b in special {
                let mut changed = bytes.clone();
                changed[at] = b;
                check(&path, changed);
            }
        }
    }
}
