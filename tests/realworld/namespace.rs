//! The real server, chrooted into a prepared root inside fresh mount and network namespaces:
//! the host's program directories are bound read-only into the root, loopback carries the
//! test addresses, and a stand-in backend answers on the upstream ports. Everything
//! mounted or bound vanishes with the namespace.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::backend::backend;
use super::scan::Backends;
use crate::sources::loopback_script;

pub use crate::sources::{Source, EDGE, INTERNET, LOCAL, ORIGIN_V4, ORIGIN_V6};

/// Stand-ins for specific listen addresses of a tree (see `Spec::addresses`).
const STAND_INS: &[&str] = &["198.51.100.11", "198.51.100.12", "198.51.100.13"];

/// A configuration test that takes longer has hung (exit 124 then counts as a refusal).
const CHECK_SECONDS: u32 = 30;

/// How the server is started inside the chroot.
pub struct Launch {
    /// Shell text run in the chroot for the configuration test (`nginx -t`, `apache2 -t`).
    pub check: String,
    /// Shell text that runs the server in the foreground.
    pub run: String,
    /// `(host file, path in the root)`: a server program that is not under the host's
    /// `/usr`, bound read-only into the root.
    pub binds: Vec<(PathBuf, String)>,
}

pub fn nginx_launch() -> Launch {
    let base = "/usr/sbin/nginx -p /usr/share/nginx/ -c /etc/nginx/nginx.conf";
    Launch {
        check: format!("{base} -t"),
        run: format!("exec {base} -g 'daemon off;'"),
        binds: Vec::new(),
    }
}

/// `server_root` and `main` are absolute in the served system; Debian-layout trees get their
/// envvars sourced, as apache2ctl does.
pub fn apache_launch(server_root: &str, main: &str, envvars: bool) -> Launch {
    let env = if envvars {
        format!(". {server_root}/envvars; ")
    } else {
        String::new()
    };
    let base = format!("/usr/sbin/apache2 -d {server_root} -f {main}");
    Launch {
        check: format!("{env}{base} -t"),
        run: format!("{env}exec {base} -DFOREGROUND"),
        binds: Vec::new(),
    }
}

/// Where the Caddy binary is bound in the root (the official image has it in `/usr/bin`,
/// which is the host's here).
const CADDY_INSIDE: &str = "/usr/local/bin/caddy";

/// `caddy validate`, then `caddy run`, on the Caddyfile at `config` (absolute in the served
/// system), from `/`: Caddy opens relative paths from its working directory. Its data
/// directory (certificates, the internal CA) is `/root/.local/share/caddy`, as for root in
/// the official image, whatever the test's own environment says.
pub fn caddy_launch(config: &str, binary: &Path) -> Launch {
    let env = "cd / && unset XDG_DATA_HOME XDG_CONFIG_HOME && export HOME=/root && ";
    let args = format!("--config {config} --adapter caddyfile");
    Launch {
        check: format!("{env}{CADDY_INSIDE} validate {args}"),
        run: format!("{env}exec {CADDY_INSIDE} run {args}"),
        binds: vec![(binary.to_path_buf(), CADDY_INSIDE.to_string())],
    }
}

/// What happened at start.
pub enum Started {
    /// The configuration test refused the tree: its output.
    Refused(String),
    /// The test passed but the server did not stay up: its output.
    Exited(String),
    Running(Running),
}

pub struct Running {
    /// A process inside the namespace, for `nsenter --net`.
    pub ns_pid: u32,
    /// `(address, port)` of every socket the server listens on, as `ss` shows them.
    pub listeners: Vec<(String, u16)>,
    /// Everything the namespace's shell and the server wrote to their standard streams.
    pub log: PathBuf,
    _guard: KillGroup,
}

impl Running {
    /// Still up: a server that fails after opening its sockets (mod_ssl's certificate
    /// set-up comes after the bind) leaves probes that say nothing.
    pub fn alive(&self) -> bool {
        Path::new("/proc")
            .join(self.ns_pid.to_string())
            .join("ns/net")
            .exists()
    }

    pub fn net_arg(&self) -> String {
        format!("--net=/proc/{}/ns/net", self.ns_pid)
    }
}

pub fn start(
    root: &Path,
    ctl: &Path,
    launch: &Launch,
    backends: &Backends,
    hostname: Option<&str>,
) -> Started {
    fs::create_dir_all(ctl).expect("control directory");
    let mut script = script(root, ctl, launch, backends);
    if let Some(name) = hostname {
        script = format!("{}{script}", set_hostname(name));
    }
    fs::write(ctl.join("run.sh"), &script).expect("script");
    let log = fs::File::create(ctl.join("out.log")).expect("log");
    let child = Command::new("unshare")
        .args(["--mount", "--net", "--uts", "--fork", "--", "sh"])
        .arg(ctl.join("run.sh"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .process_group(0)
        .spawn();
    let child = match child {
        Ok(c) => c,
        Err(e) => return Started::Exited(format!("cannot run unshare: {e}")),
    };
    wait_ready(KillGroup(child), ctl)
}

fn wait_ready(mut guard: KillGroup, ctl: &Path) -> Started {
    let child = &mut guard.0;
    let read = |name: &str| fs::read_to_string(ctl.join(name)).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if ctl.join("ready").exists() {
            break;
        }
        let exited = matches!(child.try_wait(), Ok(Some(_)));
        if exited || Instant::now() > deadline {
            let check = read("check.out");
            let why = format!("{}{}", check, read("out.log"));
            return if read("check.rc").trim() != "0" && !check.is_empty() {
                Started::Refused(check)
            } else if exited {
                Started::Exited(why)
            } else {
                Started::Exited(format!("not ready within 20 s\n{why}"))
            };
        }
        sleep(Duration::from_millis(50));
    }
    let ns_pid = read("ns.pid").trim().parse().unwrap_or(0);
    let backend: Vec<String> = read("backend.ports")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let listeners = read("listen.txt")
        .lines()
        .filter_map(|line| {
            let local = line.split_whitespace().nth(3)?;
            let (addr, port) = local.rsplit_once(':')?;
            let port: u16 = port.parse().ok()?;
            let addr = addr.split('%').next().unwrap_or(addr).to_string();
            let is_backend = addr == "127.0.0.1" && backend.contains(&port.to_string());
            (!is_backend).then_some((addr, port))
        })
        .collect();
    Started::Running(Running {
        ns_pid,
        listeners,
        log: ctl.join("out.log"),
        _guard: guard,
    })
}

/// The host's program directories, the launch's own binds, /proc and the devices, bound into
/// the root.
fn mounts(root: &Path, launch: &Launch) -> String {
    let r = root.display();
    let mut s = String::new();
    for dir in ["usr/bin", "usr/sbin", "usr/lib", "usr/lib64"] {
        if Path::new("/").join(dir).is_dir() {
            s.push_str(&format!(
                "mount --bind /{dir} {r}/{dir} && mount -o remount,bind,ro {r}/{dir}\n"
            ));
        }
    }
    for (host, inside) in &launch.binds {
        let at = format!("{r}{inside}");
        s.push_str(&format!(
            "mkdir -p \"$(dirname {at})\" && touch {at} && mount --bind {} {at} && mount -o remount,bind,ro {at}\n",
            host.display()
        ));
    }
    s.push_str(&format!("mount -t proc proc {r}/proc\n"));
    for dev in ["null", "zero", "random", "urandom"] {
        s.push_str(&format!("mount --bind /dev/{dev} {r}/dev/{dev}\n"));
    }
    s
}

/// The host name inside the UTS namespace (without the `hostname` program, not installed
/// everywhere).
fn set_hostname(name: &str) -> String {
    format!("echo {name} > /proc/sys/kernel/hostname\n")
}

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Only the configuration test (`-t`), in namespaces of its own: whether it passes, and
/// what it printed.
pub fn check(root: &Path, launch: &Launch, hostname: Option<&str>) -> (bool, String) {
    let mut script = String::from("set -u\n");
    if let Some(name) = hostname {
        script.push_str(&set_hostname(name));
    }
    script.push_str(&mounts(root, launch));
    script.push_str(&format!(
        "exec timeout {CHECK_SECONDS} chroot {} /bin/sh -c {} 2>&1\n",
        root.display(),
        quoted(&launch.check)
    ));
    let out = Command::new("unshare")
        .args([
            "--mount", "--net", "--uts", "--fork", "--", "sh", "-c", &script,
        ])
        .stdin(Stdio::null())
        .output();
    match out {
        Ok(out) => (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ),
        Err(e) => (false, format!("cannot run unshare: {e}")),
    }
}

fn script(root: &Path, ctl: &Path, launch: &Launch, backends: &Backends) -> String {
    let r = root.display();
    let c = ctl.display();
    let mut s = String::from("set -u\n");
    s.push_str(&format!("echo $$ > {c}/ns.pid\n"));
    let v4: Vec<&str> = std::iter::once(ORIGIN_V4)
        .chain(STAND_INS.iter().copied())
        .collect();
    s.push_str(&loopback_script(&v4, &[ORIGIN_V6]));
    s.push_str(&mounts(root, launch));
    s.push_str(&format!(
        "timeout {CHECK_SECONDS} chroot {r} /bin/sh -c {} > {c}/check.out 2>&1\necho $? > {c}/check.rc\n",
        quoted(&launch.check)
    ));
    s.push_str(&format!("[ \"$(cat {c}/check.rc)\" = 0 ] || exit 1\n"));
    s.push_str(&format!(
        "chroot {r} /bin/sh -c {} &\nSERVER=$!\n",
        quoted(&launch.run)
    ));
    // Up when something listens and the server still runs after a short settle.
    s.push_str(&format!(
        "i=0; while [ $i -lt 100 ]; do kill -0 $SERVER 2>/dev/null || exit 1; \
         [ -n \"$(ss -Hltn)\" ] && break; sleep 0.1; i=$((i+1)); done\n\
         sleep 1.5; kill -0 $SERVER 2>/dev/null || exit 1\n\
         ss -Hltn > {c}/listen.txt\n"
    ));
    s.push_str(&backend(root, ctl, backends));
    s.push_str(&format!("touch {c}/ready\nwait $SERVER\n"));
    s
}

/// Ends the namespace's process group (server, workers, backend) whatever happens to the
/// test.
pub struct KillGroup(Child);

impl Drop for KillGroup {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        sleep(Duration::from_millis(300));
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.wait();
    }
}
