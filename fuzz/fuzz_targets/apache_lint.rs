//! The Apache reader, lowering and every rule on arbitrary bytes as `httpd.conf`. The reader
//! takes a path, so the input is written to a file of its own in a directory holding nothing
//! else; absolute paths resolve under a directory that does not exist.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use aop_model::LoadOptions;
use aop_rules::Context;
use aop_source::SourceMap;
use libfuzzer_sys::fuzz_target;

fn entry() -> &'static PathBuf {
    static ENTRY: OnceLock<PathBuf> = OnceLock::new();
    ENTRY.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("aop-fuzz-apache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir.join("httpd.conf")
    })
}

fuzz_target!(|data: &[u8]| {
    let entry = entry();
    std::fs::write(entry, data).expect("input written");
    let opts = LoadOptions {
        root: Some(PathBuf::from("/nonexistent-aop-lint-fuzz")),
        ..LoadOptions::default()
    };
    let mut map = SourceMap::default();
    let Ok(config) = aop_apache::load(entry, &mut map, &opts) else {
        return;
    };
    let _ = aop_rules::check(&Context::new(&config, &map));
});
