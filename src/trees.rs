//! From the paths on the command line to the trees to lint, each once. A directory or a main
//! file is a tree as given; any other file (a vhost changed in a commit, as pre-commit passes
//! it) stands for the tree it belongs to, whose main file is found upwards: a vhost linted
//! alone would lose everything it inherits.

use std::path::{Path, PathBuf};

/// File names that make a file a tree's main configuration.
const MAIN_FILES: &[&str] = &[
    "nginx.conf",
    "apache2.conf",
    "httpd.conf",
    "Caddyfile",
    "caddy.json",
];

/// The directory a tree was copied out of `/` into, when its path shows it: `X/etc/nginx`,
/// `X/etc/apache2`, `X/etc/httpd`, `X/etc/caddy` (or a file in it, or in its `conf/`) give
/// `X`; `/etc/nginx` gives `/`.
pub fn copied_root(tree: &Path) -> Option<PathBuf> {
    let mut dir = if tree.is_dir() {
        tree.to_path_buf()
    } else {
        tree.parent()?.to_path_buf()
    };
    if dir.file_name().is_some_and(|n| n == "conf") {
        dir.pop();
    }
    let abs = std::path::absolute(&dir).ok()?;
    let server = abs.file_name()?;
    let etc = abs.parent()?.file_name()?;
    if etc != "etc"
        || !["nginx", "apache2", "httpd", "caddy"]
            .iter()
            .any(|n| server == *n)
    {
        return None;
    }
    // Keep the form the user gave (relative stays relative) so reported paths match theirs.
    let given = dir.parent()?.parent()?;
    Some(if given.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        given.to_path_buf()
    })
}

/// Where, inside a directory, a main file sits when that directory is a tree's root.
const MAIN_PLACES: &[&str] = &[
    "nginx.conf",
    "apache2.conf",
    "httpd.conf",
    "conf/httpd.conf",
    "Caddyfile",
    "caddy.json",
];

/// One tree to lint, and the files given on the command line that led to it.
#[derive(Debug, PartialEq, Eq)]
pub struct Tree {
    /// A directory or a main file, as `discover` takes it.
    pub path: PathBuf,
    /// Files given that are not the tree's main file (empty when the tree was given itself).
    pub members: Vec<PathBuf>,
}

impl Tree {
    /// A tree named as it is, with no member files.
    pub fn given(path: PathBuf) -> Self {
        Tree {
            path,
            members: Vec::new(),
        }
    }
}

fn is_main_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| MAIN_FILES.contains(&n))
}

/// The closest directory above `file` that holds a main file; stops after a repository's
/// root (a directory holding `.git`), so a checkout never reaches into the host's `/etc`.
fn root_above(file: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(file).ok()?;
    for dir in abs.ancestors().skip(1) {
        if MAIN_PLACES.iter().any(|m| dir.join(m).is_file()) {
            return Some(dir.to_path_buf());
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// Keeps the user's spelling of a path found upwards when it was relative: reports show
/// paths relative to the working directory anyway, and errors read better.
fn relative_to_cwd(path: PathBuf) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .map(|p| {
            if p.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                p
            }
        })
        .unwrap_or(path)
}

fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The trees behind `paths`, in the order first named, each once.
/// A certificate or key file (`.pem`, `.crt`, `.cer`, `.key`), as a pre-commit hook passes
/// the changed ones: it matters only as a file a tree names.
pub fn is_certificate(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "pem" | "crt" | "cer" | "key"))
}

pub fn plan(paths: &[PathBuf]) -> Vec<Tree> {
    let mut trees: Vec<(PathBuf, Tree)> = Vec::new();
    for path in paths {
        let (tree_path, member) = if path.is_file() && !is_main_file(path) {
            match root_above(path) {
                Some(root) => (relative_to_cwd(root), Some(path.clone())),
                // A certificate no tree holds is no configuration to lint.
                None if is_certificate(path) => {
                    eprintln!(
                        "aop-lint: note: {} is a certificate file with no server configuration above it: not checked",
                        path.display()
                    );
                    continue;
                }
                // No tree above: the file is taken as a main file, as it always was.
                None => (path.clone(), None),
            }
        } else {
            (path.clone(), None)
        };
        let k = key(&tree_path);
        // A directory and its main file are the same tree.
        let same = |t: &PathBuf| {
            *t == k
                || MAIN_PLACES
                    .iter()
                    .any(|m| key(&t.join(m)) == k || key(&k.join(m)) == *t)
        };
        match trees.iter_mut().find(|(t, _)| same(t)) {
            Some((_, tree)) => tree.members.extend(member),
            None => trees.push((
                k,
                Tree {
                    path: tree_path,
                    members: member.into_iter().collect(),
                },
            )),
        }
    }
    trees.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn files_of_one_tree_make_one_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("etc/nginx");
        fs::create_dir_all(root.join("sites-enabled")).unwrap();
        fs::create_dir(dir.path().join(".git")).unwrap();
        fs::write(root.join("nginx.conf"), "").unwrap();
        fs::write(root.join("sites-enabled/a.conf"), "").unwrap();
        fs::write(root.join("sites-enabled/b.conf"), "").unwrap();
        let loose = dir.path().join("loose.conf");
        fs::write(&loose, "").unwrap();
        let trees = plan(&[
            root.join("sites-enabled/a.conf"),
            root.join("nginx.conf"),
            root.join("sites-enabled/b.conf"),
            loose.clone(),
        ]);
        assert_eq!(trees.len(), 2, "{trees:?}");
        assert_eq!(key(&trees[0].path), key(&root));
        assert_eq!(trees[0].members.len(), 2);
        // No main file above it, up to the repository root: linted as a main file itself.
        assert_eq!(trees[1].path, loose);
        assert!(trees[1].members.is_empty());
    }

    #[test]
    fn apache_layouts_are_found_upwards() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(".git")).unwrap();
        let debian = dir.path().join("apache2");
        fs::create_dir_all(debian.join("sites-enabled")).unwrap();
        fs::write(debian.join("apache2.conf"), "").unwrap();
        fs::write(debian.join("sites-enabled/x.conf"), "").unwrap();
        let rhel = dir.path().join("httpd");
        fs::create_dir_all(rhel.join("conf")).unwrap();
        fs::create_dir_all(rhel.join("conf.d")).unwrap();
        fs::write(rhel.join("conf/httpd.conf"), "").unwrap();
        fs::write(rhel.join("conf.d/y.conf"), "").unwrap();
        let trees = plan(&[
            debian.join("sites-enabled/x.conf"),
            rhel.join("conf.d/y.conf"),
            rhel.clone(),
        ]);
        assert_eq!(trees.len(), 2, "{trees:?}");
        assert_eq!(key(&trees[0].path), key(&debian));
        assert_eq!(key(&trees[1].path), key(&rhel));
    }

    #[test]
    fn directories_and_missing_paths_pass_through() {
        let trees = plan(&[PathBuf::from("no/such/file.conf"), PathBuf::from("docs")]);
        assert_eq!(trees[0].path, PathBuf::from("no/such/file.conf"));
        assert_eq!(trees[1].path, PathBuf::from("docs"));
    }

    #[test]
    fn an_imported_caddy_file_stands_for_its_caddyfile() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(".git")).unwrap();
        let root = dir.path().join("etc/caddy");
        fs::create_dir_all(root.join("sites")).unwrap();
        fs::write(root.join("Caddyfile"), "import sites/*\n").unwrap();
        fs::write(root.join("sites/shop.caddy"), "").unwrap();
        let trees = plan(&[root.join("sites/shop.caddy"), root.join("Caddyfile")]);
        assert_eq!(trees.len(), 1);
        assert_eq!(trees[0].members, vec![root.join("sites/shop.caddy")]);
        assert_eq!(copied_root(&root), Some(dir.path().to_path_buf()));
    }
}
