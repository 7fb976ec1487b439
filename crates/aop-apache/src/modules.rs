//! Which modules the tree loads, for `<IfModule>`: a module is named either by its
//! identifier (`ssl_module`) or by its source file name (`mod_ssl.c`).

use std::collections::HashSet;

use aop_model::Build;

#[derive(Clone, Debug)]
pub struct Modules {
    names: HashSet<String>,
    /// The identifiers `LoadModule` named, in order.
    loaded: Vec<String>,
    /// The build whose compiled-in modules these are, when known: only then is a
    /// `LoadModule` of one of them refused.
    build: Option<Build>,
}

impl Default for Modules {
    fn default() -> Self {
        Modules::for_build(None)
    }
}

/// `mod_log_config.c` -> `log_config_module`.
fn identifier(file: &str) -> String {
    let stem = file.trim_end_matches(".c");
    let id = stem.strip_prefix("mod_").unwrap_or(stem);
    format!("{id}_module")
}

impl Modules {
    /// The modules compiled into `build`; for an unknown build, those of Debian's, the
    /// largest set, so that `<IfModule>` of any of them holds as it does on some build.
    pub fn for_build(build: Option<Build>) -> Self {
        let mut m = Modules {
            names: HashSet::new(),
            loaded: Vec::new(),
            build,
        };
        for file in build.unwrap_or(Build::Debian).apache_built_in() {
            m.names.insert(file.to_string());
            m.names.insert(identifier(file));
        }
        m.names.insert("http_module".into());
        m
    }

    /// The build, when known, that compiles in the module `LoadModule` names as `id`:
    /// httpd refuses to load it again ("built-in and can't be loaded").
    pub fn built_into(&self, id: &str) -> Option<(Build, &'static str)> {
        let build = self.build?;
        build
            .apache_built_in()
            .iter()
            .find(|file| identifier(file) == id)
            .map(|file| (build, *file))
    }

    /// The build these modules are of, when known.
    pub fn build(&self) -> Option<Build> {
        self.build
    }

    /// Whether `LoadModule` loaded a multi-processing module: every build aop-lint knows
    /// ships them as modules only (`apache2 -l` lists none).
    pub fn loads_mpm(&self) -> bool {
        self.loaded.iter().any(|id| id.starts_with("mpm_"))
    }

    /// `LoadModule ssl_module modules/mod_ssl.so`.
    pub fn load(&mut self, id: &str, file: Option<&str>) {
        self.names.insert(id.to_string());
        self.loaded.push(id.to_string());
        if let Some(stem) = id.strip_suffix("_module") {
            self.names.insert(format!("mod_{stem}.c"));
            // MPMs are named after their source file alone (`event.c`).
            if let Some(mpm) = stem.strip_prefix("mpm_") {
                self.names.insert(format!("{mpm}.c"));
            }
        }
        if let Some(file) = file {
            let base = file.rsplit('/').next().unwrap_or(file);
            let stem = base.split('.').next().unwrap_or(base);
            let stem = stem.strip_prefix("lib").unwrap_or(stem);
            self.names.insert(format!("{stem}.c"));
            if !stem.starts_with("mod_") {
                self.names.insert(format!("mod_{stem}.c"));
            }
        }
    }

    pub fn is_loaded(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// The identifiers of the modules `LoadModule` loaded so far.
    pub fn loaded(&self) -> impl Iterator<Item = &str> {
        self.loaded.iter().map(String::as_str)
    }
}

/// `<IfVersion [[!]op] version>` against an Apache 2.4 whose patch level is unknown: the
/// answer is `Some` only when every 2.4.x agrees.
pub fn if_version(args: &[&str]) -> Option<bool> {
    let (negate, op, version) = match args {
        [v] => (false, "=", *v),
        [op, v] => {
            let (neg, op) = match op.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, *op),
            };
            (neg, op, *v)
        }
        _ => return None,
    };
    if op == "~" || version.starts_with('/') {
        return None;
    }
    let want = parse_version(version)?;
    let at = |patch: u32| -> Option<bool> {
        let have = (2, 4, patch);
        let want = (want.0, want.1.unwrap_or(0), want.2.unwrap_or(0));
        let r = match op {
            "=" | "==" => {
                have.0 == want.0
                    && (parse_version(version)?.1.is_none() || have.1 == want.1)
                    && (parse_version(version)?.2.is_none() || have.2 == want.2)
            }
            ">" => have > want,
            ">=" => have >= want,
            "<" => have < want,
            "<=" => have <= want,
            _ => return None,
        };
        Some(r != negate)
    };
    let low = at(0)?;
    let high = at(999)?;
    (low == high).then_some(low)
}

fn parse_version(v: &str) -> Option<(u32, Option<u32>, Option<u32>)> {
    let mut parts = v.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = match parts.next() {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    let patch = match parts.next() {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_by_identifier_and_by_file() {
        let mut m = Modules::default();
        assert!(m.is_loaded("mod_version.c"));
        assert!(m.is_loaded("version_module"));
        assert!(!m.is_loaded("mod_ssl.c"));
        m.load("ssl_module", Some("/usr/lib/apache2/modules/mod_ssl.so"));
        assert!(m.is_loaded("mod_ssl.c"));
        assert!(m.is_loaded("ssl_module"));
        m.load("mpm_event_module", Some("modules/mod_mpm_event.so"));
        assert!(m.is_loaded("event.c"));
        m.load("php7_module", Some("/usr/lib/apache2/modules/libphp7.4.so"));
        assert!(m.is_loaded("mod_php7.c"));
    }

    #[test]
    fn built_in_modules_by_build() {
        let debian = Modules::for_build(Some(Build::Debian));
        assert_eq!(
            debian.built_into("log_config_module"),
            Some((Build::Debian, "mod_log_config.c"))
        );
        assert_eq!(debian.built_into("ssl_module"), None);
        let rhel = Modules::for_build(Some(Build::Rhel));
        assert_eq!(rhel.built_into("log_config_module"), None);
        assert!(!rhel.is_loaded("log_config_module"));
        assert_eq!(
            rhel.built_into("so_module"),
            Some((Build::Rhel, "mod_so.c"))
        );
        // Unknown build: `<IfModule>` as on Debian's, but no load is refused.
        let unknown = Modules::default();
        assert!(unknown.is_loaded("log_config_module"));
        assert_eq!(unknown.built_into("log_config_module"), None);
    }

    #[test]
    fn versions_decided_only_when_every_patch_level_agrees() {
        assert_eq!(if_version(&[">=", "2.4"]), Some(true));
        assert_eq!(if_version(&["<", "2.4"]), Some(false));
        assert_eq!(if_version(&["2.4"]), Some(true));
        assert_eq!(if_version(&["!=", "2.2"]), Some(true));
        assert_eq!(if_version(&["!<", "2.3"]), Some(true));
        assert_eq!(if_version(&[">=", "2.4.30"]), None);
        assert_eq!(if_version(&["~", "^2"]), None);
    }
}
