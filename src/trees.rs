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

/// A certificate or key file (`.pem`, `.crt`, `.cer`, `.key`), as a pre-commit hook passes
/// the changed ones: it matters only as a file a tree names.
pub fn is_certificate(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "pem" | "crt" | "cer" | "key"))
}

/// Who named the paths on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Given {
    /// The user: every path is linted, a loose file as a main file.
    ByUser,
    /// A pre-commit hook, with every changed file its pattern picks (`--hook`): a loose file
    /// that reads as no server's configuration is noted and left, and a certificate no tree
    /// above holds stands for every tree of the repository, since any of them may name it.
    ByHook,
}

/// The trees behind `paths`, in the order first named, each once.
pub fn plan(paths: &[PathBuf], given: Given) -> Vec<Tree> {
    let mut trees: Vec<(PathBuf, Tree)> = Vec::new();
    for path in paths {
        let (tree_paths, member) = if path.is_file() && !is_main_file(path) {
            match root_above(path) {
                Some(root) => (vec![relative_to_cwd(root)], Some(path.clone())),
                None if is_certificate(path) && given == Given::ByHook => {
                    let found = trees_of_repository(path);
                    eprintln!(
                        "aop-lint: note: {} is a certificate file with no server configuration above it: {}",
                        path.display(),
                        if found.is_empty() {
                            "the repository holds no tree that could name it, not checked".to_string()
                        } else {
                            format!("linting the repository's {} tree(s), any of which may name it", found.len())
                        }
                    );
                    (found, Some(path.clone()))
                }
                // A certificate no tree holds is no configuration to lint.
                None if is_certificate(path) => {
                    eprintln!(
                        "aop-lint: note: {} is a certificate file with no server configuration above it: not checked",
                        path.display()
                    );
                    continue;
                }
                None if given == Given::ByHook
                    && !crate::sniff::reads_as_server_configuration(path) =>
                {
                    eprintln!(
                        "aop-lint: note: {} belongs to no server tree and holds no nginx, Apache httpd or Caddy directive: not checked",
                        path.display()
                    );
                    continue;
                }
                // No tree above: the file is taken as a main file, as it always was.
                None => (vec![path.clone()], None),
            }
        } else {
            (vec![path.clone()], None)
        };
        for tree_path in tree_paths {
            add(&mut trees, tree_path, member.clone());
        }
    }
    trees.into_iter().map(|(_, t)| t).collect()
}

/// Adds `tree_path` to `trees` unless it is already there (a directory and its main file are
/// the same tree), and `member` to its members.
fn add(trees: &mut Vec<(PathBuf, Tree)>, tree_path: PathBuf, member: Option<PathBuf>) {
    let k = key(&tree_path);
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

/// How deep and how wide the search for a repository's trees goes: a hook must answer in
/// moments, and a configuration repository is small.
const REPOSITORY_DEPTH: usize = 8;
const REPOSITORY_ENTRIES: usize = 20_000;

/// The main files in the repository holding `file` (the closest directory above it with a
/// `.git`, or the working directory, where pre-commit runs), hidden directories left out.
fn trees_of_repository(file: &Path) -> Vec<PathBuf> {
    let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    let top = abs
        .ancestors()
        .skip(1)
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok());
    let Some(top) = top else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let walk = walkdir::WalkDir::new(&top)
        .max_depth(REPOSITORY_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for (seen, entry) in walk.flatten().enumerate() {
        if seen == REPOSITORY_ENTRIES {
            eprintln!(
                "aop-lint: note: searched the first {REPOSITORY_ENTRIES} entries of {} for trees; name the others on the command line",
                top.display()
            );
            break;
        }
        if entry.file_type().is_file() && is_main_file(entry.path()) {
            found.push(relative_to_cwd(entry.into_path()));
        }
    }
    found
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
        let trees = plan(
            &[
                root.join("sites-enabled/a.conf"),
                root.join("nginx.conf"),
                root.join("sites-enabled/b.conf"),
                loose.clone(),
            ],
            Given::ByUser,
        );
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
        let trees = plan(
            &[
                debian.join("sites-enabled/x.conf"),
                rhel.join("conf.d/y.conf"),
                rhel.clone(),
            ],
            Given::ByUser,
        );
        assert_eq!(trees.len(), 2, "{trees:?}");
        assert_eq!(key(&trees[0].path), key(&debian));
        assert_eq!(key(&trees[1].path), key(&rhel));
    }

    #[test]
    fn directories_and_missing_paths_pass_through() {
        let trees = plan(
            &[PathBuf::from("no/such/file.conf"), PathBuf::from("docs")],
            Given::ByUser,
        );
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
        let trees = plan(
            &[root.join("sites/shop.caddy"), root.join("Caddyfile")],
            Given::ByUser,
        );
        assert_eq!(trees.len(), 1);
        assert_eq!(trees[0].members, vec![root.join("sites/shop.caddy")]);
        assert_eq!(copied_root(&root), Some(dir.path().to_path_buf()));
    }

    #[test]
    fn a_hook_leaves_other_tools_files_and_follows_loose_certificates() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(".git")).unwrap();
        let nginx = dir.path().join("deploy/origin");
        let caddy = dir.path().join("edge");
        let hidden = dir.path().join(".cache/nginx");
        for d in [&nginx, &caddy, &hidden] {
            fs::create_dir_all(d).unwrap();
        }
        fs::write(nginx.join("nginx.conf"), "").unwrap();
        fs::write(caddy.join("Caddyfile"), "").unwrap();
        fs::write(hidden.join("nginx.conf"), "").unwrap();
        let certs = dir.path().join("certs");
        fs::create_dir(&certs).unwrap();
        let ca = certs.join("origin-pull-ca.pem");
        fs::write(&ca, "").unwrap();
        let unit = dir.path().join("shop.service.conf");
        fs::write(&unit, "[Service]\nExecStart=/usr/bin/shop\n").unwrap();
        let snippet = dir.path().join("tls.conf");
        fs::write(&snippet, "ssl_verify_client on;\n").unwrap();

        let hook = plan(&[unit.clone(), ca.clone(), snippet.clone()], Given::ByHook);
        let paths: Vec<PathBuf> = hook.iter().map(|t| key(&t.path)).collect();
        // The unit file is left; the certificate brings both trees of the repository (not
        // the one under a hidden directory); the snippet is linted as before.
        assert_eq!(
            paths,
            vec![
                key(&nginx.join("nginx.conf")),
                key(&caddy.join("Caddyfile")),
                key(&snippet)
            ]
        );
        assert_eq!(hook[0].members, vec![ca.clone()]);

        let user = plan(&[unit.clone(), ca], Given::ByUser);
        assert_eq!(user.len(), 1, "{user:?}");
        assert_eq!(user[0].path, unit);
    }
}
