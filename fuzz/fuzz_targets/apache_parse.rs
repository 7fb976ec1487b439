//! The Apache reader alone on arbitrary bytes as `httpd.conf`: logical lines, `${VAR}`
//! expansion, words, sections, `<If*>`, `<Macro>`/`Use`; every node's spans inside the file
//! they point into.
#![no_main]

#[allow(dead_code)]
#[path = "../common/mod.rs"]
mod common;

use aop_apache::Directive;
use aop_source::SourceMap;
use libfuzzer_sys::fuzz_target;

fn check(d: &Directive, map: &SourceMap) {
    common::assert_in_file(d.span, map, "directive");
    common::assert_in_file(d.name_span, map, "name");
    for a in &d.args {
        common::assert_in_file(a.span, map, "argument");
    }
    if let Some(via) = d.via {
        common::assert_in_file(via, map, "macro use");
    }
    if let Some(section) = &d.section {
        if let Some(close) = section.close {
            common::assert_in_file(close, map, "close tag");
        }
        for c in &section.children {
            check(c, map);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let entry = common::write_httpd_conf(data);
    let mut map = SourceMap::default();
    let Ok(tree) = aop_apache::read_tree(entry, &mut map, &common::options()) else {
        return;
    };
    for d in &tree.directives {
        check(d, &map);
    }
    for f in &tree.findings {
        common::assert_in_file(f.primary.span, &map, f.code);
    }
});
