//! Reading and lowering generated nginx trees in-process (no rules, no rendering): the part of
//! `aop-lint` that grows with the tree. The whole-process comparison is `scripts/bench.sh`.

use std::path::PathBuf;
use std::sync::OnceLock;

use aop_model::LoadOptions;
use aop_source::SourceMap;

fn main() {
    divan::main();
}

/// One tree per size, written once for the whole run.
fn tree(servers: usize) -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"));
    let out = dir.path().join(servers.to_string());
    if !out.join("nginx.conf").is_file() {
        aop_gen::generate(aop_gen::Kind::Nginx, servers, servers / 10, &out).expect("tree written");
    }
    out.join("nginx.conf")
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn nginx_load(bencher: divan::Bencher, servers: usize) {
    let entry = tree(servers);
    bencher.bench(|| {
        let mut map = SourceMap::default();
        let config = aop_nginx::load(&entry, &mut map, &LoadOptions::default()).expect("loads");
        assert!(config.servers.len() >= servers);
        config
    });
}
