//! The nginx tokenizer and parser on arbitrary bytes: no panic, no hang, spans inside the
//! input.
#![no_main]

use aop_nginx::ast::Directive;
use aop_source::FileId;
use libfuzzer_sys::fuzz_target;

fn check(d: &Directive, len: u32) {
    assert!(d.span.start <= d.span.end && d.span.end <= len);
    for a in &d.args {
        assert!(a.span.start <= a.span.end && a.span.end <= len);
    }
    for c in d.children() {
        check(c, len);
    }
}

fuzz_target!(|data: &[u8]| {
    let parsed = aop_nginx::parse::parse(data, FileId(0), 200);
    for d in &parsed.directives {
        check(d, data.len() as u32);
    }
    if let Some(e) = parsed.error {
        assert!(e.span.start <= e.span.end && e.span.end as usize <= data.len());
    }
});
