//! The whole check on arbitrary bytes as `nginx.conf`: reading, lowering, every rule, and
//! both reports (which turn spans into lines and columns). Includes resolve under a
//! directory that does not exist, so the input cannot reach the host's files.
#![no_main]

use std::path::PathBuf;

use aop_model::LoadOptions;
use aop_report::{render_human, render_json, sort_findings, HumanOptions, Report};
use aop_rules::Context;
use aop_source::SourceMap;
use libfuzzer_sys::fuzz_target;

const NOWHERE: &str = "/nonexistent-aop-lint-fuzz";

fuzz_target!(|data: &[u8]| {
    let opts = LoadOptions {
        root: Some(PathBuf::from(NOWHERE)),
        ..LoadOptions::default()
    };
    let mut map = SourceMap::default();
    let entry = PathBuf::from(NOWHERE).join("nginx.conf");
    let file = map.add(&entry, data.to_vec());
    let config = aop_nginx::load_file(file, entry, &mut map, &opts);
    let mut findings = config.findings.clone();
    findings.extend(aop_rules::check(&Context::new(&config, &map)));
    sort_findings(&mut findings, &map);
    let report = Report {
        map: &map,
        findings,
        servers: config.servers.len(),
        address_ports: config.address_ports.len(),
    };
    let json = render_json(&report);
    assert!(json.starts_with('{'));
    let _ = render_human(&report, HumanOptions::default());
});
