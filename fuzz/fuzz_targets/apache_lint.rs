//! The Apache reader, lowering, every rule and the reports on arbitrary bytes as
//! `httpd.conf`, in a directory holding nothing else; absolute paths resolve under a
//! directory that does not exist.
#![no_main]

#[allow(dead_code)]
#[path = "../common/mod.rs"]
mod common;

use aop_source::SourceMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let entry = common::write_httpd_conf(data);
    let mut map = SourceMap::default();
    let Ok(config) = aop_apache::load(entry, &mut map, &common::options()) else {
        return;
    };
    common::check_and_report(&config, &map);
});
