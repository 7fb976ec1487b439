//! Child processes with a deadline, and a running server stopped by its own pid (and its
//! own process group, for the workers) whatever happens to the test.

use std::fs::File;
use std::net::{TcpStream, ToSocketAddrs};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Output, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use super::addresses::Endpoint;
use super::layout::Layout;

/// Runs `cmd` to completion or kills it at `limit`.
pub fn run_with_timeout(cmd: &mut Command, limit: Duration) -> Result<Output, String> {
    run_with_input(cmd, None, limit)
}

/// [`run_with_timeout`], writing `input` to the child's standard input first.
pub fn run_with_input(
    cmd: &mut Command,
    input: Option<&[u8]>,
    limit: Duration,
) -> Result<Output, String> {
    let stdin = if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    };
    let mut child = cmd
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if let (Some(input), Some(mut pipe)) = (input, child.stdin.take()) {
        use std::io::Write;
        let _ = pipe.write_all(input);
    }
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return child.wait_with_output().map_err(|e| e.to_string()),
            Ok(None) if start.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{:?} did not finish within {limit:?}",
                    cmd.get_program()
                ));
            }
            Ok(None) => sleep(Duration::from_millis(10)),
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Runs `start` again (up to three times in all) when it failed for a reason of timing
/// rather than configuration: an address in use (free ports are chosen before the server
/// binds them, and other tests run meanwhile), or a server too slow to listen or to write
/// its pid file on a loaded machine.
pub fn retry_start<T>(mut start: impl FnMut() -> Result<T, String>) -> Result<T, String> {
    let mut last = String::new();
    for _ in 0..3 {
        match start() {
            Err(e)
                if e.contains("Address already in use")
                    || e.contains("never listened")
                    || e.contains("wrote no pid file") =>
            {
                last = e
            }
            other => return other,
        }
    }
    Err(last)
}

/// A server in the foreground, in a process group of its own. Dropping it stops it.
pub struct RunningServer {
    child: Child,
}

impl RunningServer {
    /// Starts `cmd` and waits until every endpoint accepts connections.
    pub fn start(
        name: &'static str,
        cmd: &mut Command,
        endpoints: &[Endpoint],
        layout: &Layout,
    ) -> Result<RunningServer, String> {
        let out = File::create(layout.log_file("stdout")).map_err(|e| e.to_string())?;
        let err = File::create(layout.log_file("stderr")).map_err(|e| e.to_string())?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        let mut server = RunningServer { child };
        let deadline = Instant::now() + Duration::from_secs(10);
        for endpoint in endpoints {
            let addr = format!("{}:{}", endpoint.connect_host(), endpoint.port);
            loop {
                if let Ok(Some(status)) = server.child.try_wait() {
                    return Err(format!(
                        "{name} exited at start-up ({status})\n{}",
                        layout.logs()
                    ));
                }
                let reachable = addr
                    .to_socket_addrs()
                    .ok()
                    .and_then(|mut a| a.next())
                    .map(|a| TcpStream::connect_timeout(&a, Duration::from_millis(200)).is_ok())
                    .unwrap_or(false);
                if reachable {
                    break;
                }
                if Instant::now() > deadline {
                    return Err(format!(
                        "{name} never listened on {addr}\n{}",
                        layout.logs()
                    ));
                }
                sleep(Duration::from_millis(25));
            }
        }
        // httpd opens its sockets before it checks the rest of the configuration, and both
        // servers write the pid file once started: wait for it, then make sure the process
        // is still there.
        while !layout.pid_file().exists() {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "{name} exited at start-up ({status})\n{}",
                    layout.logs()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!("{name} wrote no pid file\n{}", layout.logs()));
            }
            sleep(Duration::from_millis(25));
        }
        sleep(Duration::from_millis(100));
        if let Ok(Some(status)) = server.child.try_wait() {
            return Err(format!(
                "{name} exited at start-up ({status})\n{}",
                layout.logs()
            ));
        }
        Ok(server)
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill")
            .args(["-TERM", &pid])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            sleep(Duration::from_millis(20));
        }
        // Workers left behind by a master that did not shut down cleanly share its group.
        let group = format!("-{pid}");
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
