//! Which server answers a hostname nobody configured: asked of a real nginx on 127.0.0.1 and
//! compared with the default server `aop-lint servers` reports for the same tree.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{free_port, start};

/// The body nginx returns to a request for a hostname no server names.
fn who_answers(host: &str, port: u16) -> String {
    let addr: SocketAddr = format!("{host}:{port}").parse().unwrap();
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
    s.write_all(b"GET / HTTP/1.0\r\nHost: unknown.invalid\r\n\r\n")
        .unwrap();
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    resp.split("\r\n\r\n")
        .nth(1)
        .unwrap_or("")
        .trim()
        .to_string()
}

/// The server id (its `return 200 "id"` body) aop-lint names as default of address:port.
fn aop_default(dir: &Path, address: &str, port: u16) -> String {
    let out = common::aop_lint(&["servers", dir.to_str().unwrap(), "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let l = v["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["address"] == address && l["port"] == port)
        .unwrap_or_else(|| panic!("no listener {address}:{port} in {v}"));
    let (file, line) = (
        l["default"]["file"].as_str().unwrap(),
        l["default"]["line"].as_u64().unwrap() as usize,
    );
    // Each test server is one line: `server { ... return 200 "id"; }`.
    let path = if Path::new(file).is_absolute() {
        PathBuf::from(file)
    } else {
        common::repo().join(file)
    };
    let text = std::fs::read_to_string(path).unwrap();
    let server_line = text.lines().nth(line - 1).unwrap();
    server_line
        .split("return 200 \"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no id on line {line} of {file}: {server_line}"))
        .to_string()
}

fn tree(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn main_conf(dir_marker: &str, servers: &str) -> String {
    format!("pid nginx.pid;\nevents {{}}\nhttp {{\n    access_log off;\n{servers}{dir_marker}}}\n")
}

#[test]
fn first_listed_is_default_without_a_flag_and_server_name_underscore_is_not_special() {
    let Some(nginx) = common::nginx_binary("nginx default-server tests") else {
        return;
    };
    let p = free_port();
    let servers = format!(
        "    server {{ listen 127.0.0.1:{p}; server_name a.example; return 200 \"first\"; }}\n    server {{ listen 127.0.0.1:{p}; server_name _; return 200 \"underscore\"; }}\n"
    );
    let dir = tree(&[("nginx.conf", main_conf("", &servers))]);
    let _n = start(&nginx, dir.path(), &[("127.0.0.1", p)]);
    assert_eq!(who_answers("127.0.0.1", p), "first");
    assert_eq!(aop_default(dir.path(), "127.0.0.1", p), "first");
}

#[test]
fn default_server_flag_in_a_later_include_wins() {
    let Some(nginx) = common::nginx_binary("nginx default-server tests") else {
        return;
    };
    let p = free_port();
    let servers = format!(
        "    server {{ listen 127.0.0.1:{p}; server_name a.example; return 200 \"site\"; }}\n"
    );
    let dir = tree(&[
        (
            "nginx.conf",
            main_conf("    include conf.d/*.conf;\n", &servers),
        ),
        (
            "conf.d/zz.conf",
            format!(
                "server {{ listen 127.0.0.1:{p} default_server; return 200 \"catch-all\"; }}\n"
            ),
        ),
    ]);
    let _n = start(&nginx, dir.path(), &[("127.0.0.1", p)]);
    assert_eq!(who_answers("127.0.0.1", p), "catch-all");
    assert_eq!(aop_default(dir.path(), "127.0.0.1", p), "catch-all");
}

// A wildcard listener binds every interface of the host: that case is checked inside a
// network namespace of its own in tests/real_servers/semantics.rs
// (`nginx_specific_address_takes_its_connections_from_wildcard`).
