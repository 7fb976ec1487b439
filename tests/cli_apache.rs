//! The command on Apache trees: detection, `--server`, exit codes, the servers listing.

mod common;

use common::{aop_lint, codes, stdout};

#[test]
fn apache_trees_are_detected_by_their_main_file() {
    assert_eq!(
        aop_lint(&["fixtures/apache/client-verify-missing"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        aop_lint(&["fixtures/apache/compliant"]).status.code(),
        Some(0)
    );
    // RHEL's layout: the main file is conf/httpd.conf.
    let rhel = aop_lint(&["fixtures/apache/rhel-layout", "--format", "json"]);
    assert_eq!(codes(&stdout(&rhel)), vec!["AOP201", "AOP305", "AOP101"]);
}

#[test]
fn the_main_file_alone_gives_the_same_report() {
    let dir = aop_lint(&["fixtures/apache/client-ca-missing", "--format", "json"]);
    let file = aop_lint(&[
        "fixtures/apache/client-ca-missing/apache2.conf",
        "--format",
        "json",
    ]);
    assert_eq!(stdout(&dir), stdout(&file));
}

#[test]
fn server_kind_can_be_forced() {
    // A directory without nginx.conf is not an nginx tree, whatever else it holds.
    let out = aop_lint(&["--server", "nginx", "fixtures/apache/compliant"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no nginx.conf"));
    // A file with another name is read as Apache when told so.
    let forced = aop_lint(&[
        "--server",
        "apache",
        "fixtures/apache/vhost-semantics/sites/a.conf",
        "--format",
        "json",
    ]);
    assert_eq!(forced.status.code(), Some(1), "{}", stdout(&forced));
    assert!(codes(&stdout(&forced)).contains(&"AOP202".to_string()));
}

#[test]
fn servers_lists_the_apache_model() {
    let out = aop_lint(&[
        "servers",
        "fixtures/apache/debian-layout",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["kind"], "apache");
    let listeners: Vec<&str> = v["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["address"].as_str().unwrap())
        .collect();
    assert_eq!(listeners, vec!["*", "*"]);
    let first = &v["servers"][0];
    assert_eq!(first["line"], 2);
    assert!(first["file"]
        .as_str()
        .unwrap()
        .ends_with("sites-enabled/000-catch-all.conf"));
}
