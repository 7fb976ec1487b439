//! `--root` confinement on arbitrary paths: whatever a configuration names (`..` runs,
//! absolute and relative links, loops), the path opened stays below the root. The root is a
//! tree made once per process with the links that escaped before: absolute site links,
//! relative links climbing out, a link to `/`, a loop.
#![no_main]

use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use aop_source::resolve_in_root;
use libfuzzer_sys::fuzz_target;

fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("aop-fuzz-confine-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let nginx = root.join("etc/nginx");
        std::fs::create_dir_all(nginx.join("sites-available")).unwrap();
        std::fs::create_dir_all(nginx.join("sites-enabled")).unwrap();
        std::fs::write(nginx.join("sites-available/a"), "server {}").unwrap();
        let link = |target: &str, at: &str| {
            let _ = std::os::unix::fs::symlink(target, root.join(at));
        };
        link("/etc/nginx/sites-available/a", "etc/nginx/sites-enabled/a");
        link("../../../../../../../etc/passwd", "etc/nginx/up");
        link("/", "etc/nginx/top");
        link("..", "etc/nginx/parent");
        link("/loop-b", "loop-a");
        link("/loop-a", "loop-b");
        link("sites-available", "etc/nginx/conf");
        root
    })
}

fuzz_target!(|data: &[u8]| {
    let root = root();
    let written = Path::new(std::ffi::OsStr::from_bytes(data));
    let Ok(resolved) = resolve_in_root(root, written) else {
        return;
    };
    let rest = resolved
        .strip_prefix(root)
        .unwrap_or_else(|_| panic!("{} left the root", resolved.display()));
    assert!(
        rest.components().all(|c| matches!(c, Component::Normal(_))),
        "{} is not a plain path below the root",
        resolved.display()
    );
});
