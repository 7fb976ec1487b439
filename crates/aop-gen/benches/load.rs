//! Reading and lowering generated nginx, Apache and Caddy trees in-process (no rules, no rendering): the part of
//! `aop-lint` that grows with the tree. The whole-process comparison is `scripts/bench.sh`.

use std::path::PathBuf;
use std::sync::OnceLock;

use aop_model::LoadOptions;
use aop_source::SourceMap;

fn main() {
    divan::main();
}

/// One tree per kind and size, written once for the whole run; the path of its main file.
fn tree(kind: aop_gen::Kind, servers: usize) -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"));
    let out = dir.path().join(format!("{kind:?}-{servers}"));
    let main = out.join(kind.main_file());
    if !main.is_file() {
        aop_gen::generate(kind, servers, servers / 10, &out).expect("tree written");
    }
    main
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn nginx_load(bencher: divan::Bencher, servers: usize) {
    let entry = tree(aop_gen::Kind::Nginx, servers);
    bencher.bench(|| {
        let mut map = SourceMap::default();
        let config = aop_nginx::load(&entry, &mut map, &LoadOptions::default()).expect("loads");
        assert!(config.servers.len() >= servers);
        config
    });
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn apache_load(bencher: divan::Bencher, servers: usize) {
    let entry = tree(aop_gen::Kind::Apache, servers);
    bencher.bench(|| {
        let mut map = SourceMap::default();
        let config = aop_apache::load(&entry, &mut map, &LoadOptions::default()).expect("loads");
        assert!(config.servers.len() >= servers);
        config
    });
}

#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn caddy_load(bencher: divan::Bencher, servers: usize) {
    let entry = tree(aop_gen::Kind::Caddy, servers);
    bencher.bench(|| {
        let mut map = SourceMap::default();
        let config = aop_caddy::load(&entry, &mut map, &LoadOptions::default()).expect("loads");
        assert!(!config.servers.is_empty());
        config
    });
}
