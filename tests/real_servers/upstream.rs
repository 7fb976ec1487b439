//! The backend every `proxy_pass`/`ProxyPass` is pointed at: answers any request with the
//! marker, so a proxied response counts as content the same way a static file does.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::Duration;

use super::layout::MARKER;

/// Port of the backend in the calling thread's network namespace, started there on first
/// use: a socket stays in the namespace it was made in, and each namespace
/// ([`super::namespace::within`]) has a loopback of its own.
pub fn upstream_port() -> u16 {
    static PORTS: OnceLock<Mutex<HashMap<PathBuf, u16>>> = OnceLock::new();
    let namespace = std::fs::read_link("/proc/thread-self/ns/net").unwrap_or_default();
    let mut ports = PORTS
        .get_or_init(Default::default)
        .lock()
        .expect("backend ports");
    *ports.entry(namespace).or_insert_with(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the stand-in backend");
        let port = listener.local_addr().expect("backend address").port();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                thread::spawn(move || {
                    let mut stream = stream;
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut buf = [0u8; 4096];
                    let mut seen = Vec::new();
                    while let Ok(n) = stream.read(&mut buf) {
                        if n == 0 {
                            break;
                        }
                        seen.extend_from_slice(&buf[..n]);
                        if seen.windows(4).any(|w| w == b"\r\n\r\n") {
                            break;
                        }
                    }
                    let body = format!("{MARKER}: proxied backend\n");
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(reply.as_bytes());
                });
            }
        });
        port
    })
}
