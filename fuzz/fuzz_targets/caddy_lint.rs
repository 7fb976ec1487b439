//! The Caddyfile reader, lowering, every rule and the reports on arbitrary bytes as a
//! Caddyfile held in memory; its imports and files resolve under a directory that does not
//! exist.
#![no_main]

#[allow(dead_code)]
#[path = "../common/mod.rs"]
mod common;

use std::path::PathBuf;

use aop_source::SourceMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut map = SourceMap::default();
    let file = map.add(
        PathBuf::from("/nonexistent/aop-fuzz-caddy/Caddyfile"),
        data.to_vec(),
    );
    let config = aop_caddy::load_file(file, &mut map, &common::options());
    common::check_and_report(&config, &map);
});
