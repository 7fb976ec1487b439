//! The `nginx -T` dump reader on arbitrary bytes, then the whole check: the dump is split at
//! its `# configuration file PATH:` markers and includes resolve against the files it holds,
//! never the disk, so one input is a whole tree of files. No `root`: it would move the
//! dump's absolute includes away from the paths the dump holds (files the dump only names,
//! such as CA files, are then looked up on this machine, read-only).
#![no_main]

#[allow(dead_code)]
#[path = "../common/mod.rs"]
mod common;

use aop_model::LoadOptions;
use aop_source::SourceMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for part in aop_nginx::dump::split(data) {
        assert!(part.start <= part.end && part.end <= data.len());
    }
    let opts = LoadOptions::default();
    let mut map = SourceMap::default();
    if let Some(config) = aop_nginx::load_dump(data, &mut map, &opts) {
        common::check_and_report(&config, &map);
    }
});
