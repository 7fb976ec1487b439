//! The whole check on arbitrary bytes as `nginx.conf`: reading, lowering, every rule, and
//! the reports (which turn spans into lines and columns). Includes resolve under a
//! directory that does not exist, so the input cannot reach the host's files.
#![no_main]

#[allow(dead_code)]
#[path = "../common/mod.rs"]
mod common;

use std::path::PathBuf;

use aop_source::SourceMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = common::options();
    let mut map = SourceMap::default();
    let entry = PathBuf::from(common::NOWHERE).join("nginx.conf");
    let file = map.add(&entry, data.to_vec());
    let config = aop_nginx::load_file(file, entry, &mut map, &opts);
    common::check_and_report(&config, &map);
});
