//! Private network namespaces, where loopback (and what a test adds to it) is all there is:
//! a listener there is reachable from nowhere but the test. [`within`] moves a thread of the
//! test into one, with the probes' source addresses and the origin's stand-ins on loopback;
//! [`Namespaced`] runs one nginx in a namespace of its own, with clients entering it
//! (`nsenter`).

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::addresses::{origin_v4, origin_v6};
use super::env;
use super::process::{run_with_input, run_with_timeout};
use super::sources::loopback_script;

extern "C" {
    fn unshare(flags: std::ffi::c_int) -> std::ffi::c_int;
}

/// `CLONE_NEWNET` of `<sched.h>`.
const CLONE_NEWNET: std::ffi::c_int = 0x4000_0000;

/// Runs `body` on a thread moved into a fresh network namespace whose loopback carries the
/// sources' addresses (sources.rs) and the origin's stand-ins (addresses.rs). What `body`
/// starts (servers, curl, openssl, threads) and the sockets it opens (the stand-in backend,
/// readiness checks) are in there too; the namespace goes when the last of them does.
/// `None`, after saying why, where namespaces are not permitted and the real servers are not
/// required; a failure where they are.
pub fn within<T: Send>(test: &str, body: impl FnOnce() -> T + Send) -> Option<T> {
    let outcome = std::thread::scope(|scope| {
        let thread = scope.spawn(|| {
            // SAFETY: unshare(2) with CLONE_NEWNET moves only the calling thread (a new one,
            // ending with `body`) into a new network namespace; no memory is touched.
            if unsafe { unshare(CLONE_NEWNET) } != 0 {
                let e = std::io::Error::last_os_error();
                return Err(format!("no network namespace here: {e}"));
            }
            let v4 = origin_v4();
            let v6 = origin_v6();
            let v4: Vec<&str> = v4.iter().map(String::as_str).collect();
            let v6: Vec<&str> = v6.iter().map(String::as_str).collect();
            let script = loopback_script(&v4, &v6);
            let mut cmd = Command::new("sh");
            cmd.args(["-ec", &script]);
            match run_with_timeout(&mut cmd, Duration::from_secs(20)) {
                Ok(out) if out.status.success() => Ok(body()),
                Ok(out) => Err(format!(
                    "loopback set-up failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )),
                Err(e) => Err(format!("loopback set-up failed: {e}")),
            }
        });
        thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    match outcome {
        Ok(value) => Some(value),
        Err(why) if env::required() => {
            panic!("{test}: {why}; AOP_REAL_SERVERS=required or CI is set, so this is a failure")
        }
        Err(why) => {
            eprintln!("\n*** SKIPPED {test}: {why} ***\n");
            None
        }
    }
}

/// The body of `index.html` in nginx's default root.
pub const DEFAULT_ROOT: &str = "nginx default root\n";

/// nginx started with `conf` (`{root}` stands for its directory) in a network namespace of
/// its own, where loopback (and whatever `setup` adds to it) is all there is: a wildcard
/// listener there is reachable from nowhere but this test.
pub struct Namespaced {
    child: std::process::Child,
    _dir: tempfile::TempDir,
    ns: String,
}

impl Namespaced {
    /// `None` (after saying why) where namespaces are not permitted.
    pub fn start(nginx: &Path, conf: &str, setup: &str, ready: (&str, &str)) -> Option<Namespaced> {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().display().to_string();
        let conf = format!("pid {root}/nginx.pid;\n{}", conf.replace("{root}", &root));
        fs::write(dir.path().join("nginx.conf"), conf).expect("write");
        // nginx's compiled-in root (`html` under the prefix) for servers that set none.
        fs::create_dir(dir.path().join("html")).expect("html");
        fs::write(dir.path().join("html/index.html"), DEFAULT_ROOT).expect("write");
        let script = format!(
            "ip link set lo up && {setup} exec {} -p {root}/ -c {root}/nginx.conf -e {root}/error.log -g 'daemon off; error_log {root}/error.log;'",
            nginx.display(),
        );
        Self::spawn(dir, &script, ready)
    }

    /// httpd in the foreground with `conf` as its only configuration file (`{root}` stands
    /// for its directory, which also holds its pid file, its logs and `files`, each a path
    /// below it and its text).
    pub fn start_apache(
        apache2: &Path,
        conf: &str,
        files: &[(&str, &str)],
        ready: (&str, &str),
    ) -> Option<Namespaced> {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().display().to_string();
        for (path, text) in files {
            let path = dir.path().join(path);
            fs::create_dir_all(path.parent().expect("below the root")).expect("mkdir");
            fs::write(path, text).expect("write");
        }
        let conf = format!(
            "PidFile {root}/httpd.pid\nErrorLog {root}/error.log\nDefaultRuntimeDir {root}\n{}",
            conf.replace("{root}", &root)
        );
        fs::write(dir.path().join("httpd.conf"), conf).expect("write");
        // httpd's children run as www-data: the document roots below must be readable.
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
        let script = format!(
            "ip link set lo up && exec {} -d {root} -f {root}/httpd.conf -DFOREGROUND",
            apache2.display(),
        );
        Self::spawn(dir, &script, ready)
    }

    fn spawn(dir: tempfile::TempDir, script: &str, ready: (&str, &str)) -> Option<Namespaced> {
        let Some(_) = env::find("unshare").zip(env::find("nsenter")) else {
            eprintln!("*** SKIPPED: unshare/nsenter not installed ***");
            return None;
        };
        let child = match Command::new("unshare")
            .args(["--net", "--", "sh", "-c", script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
        {
            Ok(c) => c,
            Err(e) => {
                eprintln!("*** SKIPPED: cannot run unshare: {e} ***");
                return None;
            }
        };
        let ns = format!("--net=/proc/{}/ns/net", child.id());
        let mut started = Namespaced {
            child,
            _dir: dir,
            ns,
        };
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if let Ok(Some(status)) = started.child.try_wait() {
                let mut err = String::new();
                use std::io::Read;
                if let Some(mut s) = started.child.stderr.take() {
                    let _ = s.read_to_string(&mut err);
                }
                eprintln!("*** SKIPPED: no network namespace here ({status}): {err} ***");
                return None;
            }
            if started.curl(ready.0, "x").contains(ready.1) || Instant::now() > deadline {
                return Some(started);
            }
            sleep(Duration::from_millis(50));
        }
    }

    /// `program` run inside the namespace with `args`, `input` on its standard input, killed
    /// after 8 s.
    pub fn run(
        &self,
        program: &str,
        args: &[&str],
        input: Option<&[u8]>,
    ) -> Result<Output, String> {
        let mut cmd = Command::new("nsenter");
        cmd.args([self.ns.as_str(), "--", program]).args(args);
        run_with_input(&mut cmd, input, Duration::from_secs(8))
    }

    /// `GET /` with `Host: host` from inside the namespace to `addr` (`127.0.0.1:8080`):
    /// the body, or `error: ...` when nothing answered.
    pub fn curl(&self, addr: &str, host: &str) -> String {
        let mut cmd = Command::new("nsenter");
        cmd.args([&self.ns, "--", "curl", "-sS", "--max-time", "3", "-H"])
            .arg(format!("Host: {host}"))
            .arg(format!("http://{addr}/"));
        match run_with_timeout(&mut cmd, Duration::from_secs(6)) {
            Ok(out) if out.status.success() => {
                String::from_utf8_lossy(&out.stdout).trim().to_string()
            }
            Ok(out) => format!("error: {}", String::from_utf8_lossy(&out.stderr).trim()),
            Err(e) => format!("error: {e}"),
        }
    }
}

impl Drop for Namespaced {
    fn drop(&mut self) {
        drop(KillGroup(self.child.id()));
        let _ = self.child.wait();
    }
}

pub struct KillGroup(u32);

impl Drop for KillGroup {
    fn drop(&mut self) {
        let pid = self.0.to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        sleep(Duration::from_millis(200));
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stderr(Stdio::null())
            .status();
    }
}
