//! Every file of the shared Apache corpus is read without a panic; the trees and snippets
//! httpd accepts give no parse error.

use std::path::{Path, PathBuf};

use aop_model::LoadOptions;
use aop_source::SourceMap;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("AOP_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"))
        .join("apache");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "corpus missing at {} and CI is set",
        dir.display()
    );
    eprintln!("SKIPPED: Apache corpus not found at {}", dir.display());
    None
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn every_corpus_file_reads_without_panic() {
    let Some(dir) = corpus() else { return };
    let mut all = Vec::new();
    files(&dir, &mut all);
    assert!(
        all.len() > 100,
        "corpus looks truncated: {} files",
        all.len()
    );
    for f in &all {
        let mut map = SourceMap::default();
        let _ = aop_apache::load(f, &mut map, &LoadOptions::default());
    }
}

/// Snippets are vhost files written for a Debian `sites-enabled/` with the modules listed in
/// `README.modules` loaded: read each inside such a tree.
/// certbot's test trees read cleanly but some have their certificate lines commented out,
/// or use directives (made-up ones among them) of modules they do not load: httpd would
/// refuse to start them (mod_ssl's AH02572, "Invalid command"), which is `AOP001` too, not
/// a reading error. certbot's parser trees load a module or two and no MPM: httpd would not
/// start them either.
fn refused_at_start(f: &aop_model::Finding) -> bool {
    f.message.contains("AH02572")
        || f.message.starts_with("Invalid command '")
        || f.message.starts_with("Configuration error: No MPM loaded.")
}

#[test]
fn passing_snippets_give_no_parse_error_inside_a_debian_tree() {
    let Some(dir) = corpus() else { return };
    let passing = dir.join("certbot-snippets/passing");
    let mut snippets = Vec::new();
    files(&passing, &mut snippets);
    snippets.retain(|p| p.file_name().is_some_and(|n| n != "README.modules"));
    assert!(snippets.len() > 20);
    for f in &snippets {
        let tree = tempfile::tempdir().unwrap();
        std::fs::create_dir(tree.path().join("sites-enabled")).unwrap();
        std::fs::copy(
            f,
            tree.path()
                .join("sites-enabled")
                .join(f.file_name().unwrap()),
        )
        .unwrap();
        let main = tree.path().join("apache2.conf");
        std::fs::write(
            &main,
            "LoadModule mpm_event_module modules/mod_mpm_event.so\n\
             LoadModule ssl_module modules/mod_ssl.so\n\
             LoadModule rewrite_module modules/mod_rewrite.so\n\
             LoadModule macro_module modules/mod_macro.so\n\
             LoadModule wsgi_module modules/mod_wsgi.so\n\
             LoadModule deflate_module modules/mod_deflate.so\n\
             IncludeOptional sites-enabled/*\n",
        )
        .unwrap();
        let mut map = SourceMap::default();
        let config = aop_apache::load(&main, &mut map, &LoadOptions::default()).unwrap();
        let errors: Vec<_> = config
            .findings
            .iter()
            .filter(|x| x.code == "AOP001" && !refused_at_start(x))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", f.display());
    }
}

#[test]
fn corpus_main_configs_have_no_parse_or_include_errors() {
    let Some(dir) = corpus() else { return };
    let mut all = Vec::new();
    files(&dir, &mut all);
    let mains: Vec<&PathBuf> = all
        .iter()
        .filter(|p| {
            matches!(
                p.file_name().and_then(|n| n.to_str()),
                Some("apache2.conf" | "httpd.conf")
            )
        })
        .collect();
    assert!(mains.len() >= 5);
    for f in mains {
        let mut map = SourceMap::default();
        let config = aop_apache::load(f, &mut map, &LoadOptions::default()).unwrap();
        let bad: Vec<String> = config
            .findings
            .iter()
            .filter(|x| (x.code == "AOP001" && !refused_at_start(x)) || x.code == "AOP002")
            .map(|x| {
                let loc = map.location(x.primary.span);
                format!(
                    "{}:{}: {} {}",
                    map.file(x.primary.span.file).path.display(),
                    loc.line,
                    x.code,
                    x.message
                )
            })
            .collect();
        assert!(bad.is_empty(), "{}:\n{}", f.display(), bad.join("\n"));
    }
}

fn names(ds: &[aop_apache::Directive], out: &mut Vec<(String, String)>) {
    for d in ds {
        out.push((d.name.clone(), d.arg(0).unwrap_or("").to_ascii_lowercase()));
        names(d.children(), out);
    }
}

/// certbot's conditional cases: directives named `INVALID_*` sit where the condition is
/// false and must not be read; the `success` ones must.
#[test]
fn complex_parsing_conditionals_are_decided_as_httpd_does() {
    let Some(dir) = corpus() else { return };
    let mut map = SourceMap::default();
    let tree = aop_apache::read_tree(
        &dir.join("complex_parsing/apache2.conf"),
        &mut map,
        &LoadOptions::default(),
    )
    .unwrap();
    let mut all = Vec::new();
    names(&tree.directives, &mut all);
    let invalid: Vec<_> = all
        .iter()
        .filter(|(n, _)| n.starts_with("invalid_"))
        .collect();
    assert!(invalid.is_empty(), "{invalid:?}");
    let successes = all.iter().filter(|(_, v)| v == "success").count();
    assert!(successes >= 6, "{all:?}");
    assert!(all.iter().any(|(n, _)| n == "nested_directive"));
}

/// Every fixture file, mutated at random (bytes dropped, section tags, quotes, backslashes
/// and newlines inserted), is read without a panic.
#[test]
fn mutated_fixtures_never_panic() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/apache");
    let mut seeds = Vec::new();
    files(&fixtures, &mut seeds);
    seeds.retain(|p| p.extension().is_some_and(|e| e == "conf"));
    assert!(!seeds.is_empty());
    const INSERTS: &[&[u8]] = &[
        b"<", b">", b"</", b"\"", b"'", b"\\", b"\n", b"\\\n", b"${", b"}", b"#", b"\xff",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for seed in &seeds {
        let original = std::fs::read(seed).unwrap();
        for _ in 0..8 {
            let mut bytes = original.clone();
            for _ in 0..1 + next() % 6 {
                let at = (next() as usize) % (bytes.len() + 1);
                if next() % 2 == 0 && at < bytes.len() {
                    bytes.remove(at);
                } else {
                    let ins = INSERTS[(next() as usize) % INSERTS.len()];
                    bytes.splice(at..at, ins.iter().copied());
                }
            }
            let dir = tempfile::tempdir().unwrap();
            let main = dir.path().join("apache2.conf");
            std::fs::write(&main, &bytes).unwrap();
            let mut map = SourceMap::default();
            let _ = aop_apache::load(&main, &mut map, &LoadOptions::default());
        }
    }
}
