//! The stand-in backend behind the server's upstreams.

use std::fs;
use std::path::{Path, PathBuf};

use super::prepare::{inside, BACKEND_MARKER};
use super::scan::Backends;

/// Where upstream names resolve: the stand-in backend, across a veth pair.
pub const BACKEND_ADDR: &str = "10.99.0.2";
const SERVER_SIDE: &str = "10.99.0.1";

/// The stand-in backend: nginx outside the chroot answering every upstream port with a
/// marker. Upstream names and other hosts' addresses lead to [`BACKEND_ADDR`], in a network
/// namespace of its own joined by a veth pair (the server's own wildcard listeners would
/// otherwise hold a backend port on every local address); loopback upstreams and unix
/// sockets get a second one in the server's namespace, on the ports the server leaves free.
pub fn backend(root: &Path, ctl: &Path, backends: &Backends) -> String {
    let ports = &backends.ports;
    if ports.is_empty() && backends.sockets.is_empty() {
        return String::new();
    }
    let c = ctl.display();
    let peer_listens: Vec<String> = ports.iter().map(u16::to_string).collect();
    let peer = backend_conf(ctl, "peer", &peer_listens);
    let mut local_listens: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    let mut s = String::from(
        "unshare --net sleep 3600 &\nPEER=$!\nsleep 0.2\nIN_PEER=\"nsenter --net=/proc/$PEER/ns/net\"\n",
    );
    s.push_str(&format!(
        "ip link add aopsrv type veth peer name aopbk && ip link set aopbk netns $PEER\n\
         ip addr add {SERVER_SIDE}/30 dev aopsrv && ip link set aopsrv up\n\
         $IN_PEER ip link set lo up\n$IN_PEER ip addr add {BACKEND_ADDR}/30 dev aopbk\n\
         $IN_PEER ip link set aopbk up\n"
    ));
    for addr in &backends.addrs {
        s.push_str(&format!(
            "$IN_PEER ip addr add {addr}/32 dev aopbk\nip route add {addr}/32 via {BACKEND_ADDR} dev aopsrv\n"
        ));
    }
    for socket in &backends.sockets {
        let at = inside(root, socket);
        if let Some(parent) = at.parent() {
            fs::create_dir_all(parent).expect("socket directory");
        }
        local_listens.push(format!("unix:{}", at.display()));
    }
    let local = backend_conf(ctl, "local", &local_listens);
    let (peer, local) = (peer.display(), local.display());
    let list = peer_listens.join(" ");
    s.push_str(&format!(
        "$IN_PEER /usr/sbin/nginx -p {peer}/ -c {peer}/nginx.conf -e {peer}/error.log &\n\
         FREE=\"\"; for p in {list}; do grep -q \":$p \" {c}/listen.txt || FREE=\"$FREE $p\"; done\n\
         for p in {list}; do case \" $FREE \" in *\" $p \"*) ;; *) sed -i \"/listen 127.0.0.1:$p;/d\" {local}/nginx.conf;; esac; done\n\
         echo $FREE > {c}/backend.ports\n\
         (umask 000; exec /usr/sbin/nginx -p {local}/ -c {local}/nginx.conf -e {local}/error.log) &\n\
         i=0; while [ $i -lt 50 ]; do [ -f {peer}/nginx.pid ] && [ -f {local}/nginx.pid ] && break; sleep 0.1; i=$((i+1)); done\n",
    ));
    s
}

fn backend_conf(ctl: &Path, name: &str, listens: &[String]) -> PathBuf {
    let dir: PathBuf = ctl.join(format!("backend-{name}"));
    fs::create_dir_all(&dir).expect("backend dir");
    let mut servers = String::new();
    for listen in listens {
        servers.push_str(&format!(
            "    server {{ listen {listen}; default_type text/plain; \
             location / {{ return 200 \"{BACKEND_MARKER} {listen}\\n\"; }} }}\n"
        ));
    }
    let d = dir.display();
    let conf = format!(
        "daemon off;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n    access_log off;\n    \
         client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;\n    \
         uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;\n{servers}}}\n"
    );
    fs::write(dir.join("nginx.conf"), conf).expect("backend conf");
    dir
}
