//! Caddy's JSON config reader (the span-keeping JSON parser, the mapping of `apps.http` to
//! the model), every rule and the reports on arbitrary bytes as `caddy.json` held in memory;
//! its CA files resolve under a directory that does not exist.
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
        PathBuf::from("/nonexistent/aop-fuzz-caddy/caddy.json"),
        data.to_vec(),
    );
    let config = aop_caddy::json::load_file(file, &map, &common::options());
    common::check_and_report(&config, &map);
});
