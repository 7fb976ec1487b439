//! What a curl request brought back, read from `curl -w "\n%{http_code}" -o -`; shared by
//! the fixture harness and the real-world harness, which add their own judgement of it.

use std::process::Output;

/// Arguments that make curl print the body, then the status on a line of its own.
pub const WRITE_OUT: [&str; 4] = ["-w", "\n%{http_code}", "-o", "-"];

#[derive(Clone, Debug)]
pub struct Outcome {
    pub status: Option<u16>,
    /// curl's exit code; `None` for a request made otherwise (`openssl s_client`) or one
    /// whose process could not be run or timed out (then `error` says which).
    pub curl_exit: Option<i32>,
    pub body: String,
    pub error: String,
}

impl Outcome {
    /// No answer: the client could not be run, or was killed at its deadline.
    pub fn unanswered(error: String) -> Outcome {
        Outcome {
            status: None,
            curl_exit: None,
            body: String::new(),
            error,
        }
    }

    /// A finished curl run made with [`WRITE_OUT`].
    pub fn from_curl(out: &Output) -> Outcome {
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = stdout.rsplit_once('\n').unwrap_or(("", stdout.as_str()));
        Outcome {
            status: code.trim().parse::<u16>().ok().filter(|c| *c != 0),
            curl_exit: out.status.code(),
            body: body.to_string(),
            error: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        }
    }

    /// Why no status came back: curl's exit code in words, with OpenSSL's reason.
    pub fn failure(&self) -> String {
        let why = match self.curl_exit {
            Some(35) => "TLS handshake failed",
            Some(52) => "closed without reply",
            Some(56) => "connection reset",
            Some(28) => "timed out",
            Some(7) => "connection refused",
            _ => "no response",
        };
        // OpenSSL's reason is the last part: `...:SSL routines::tlsv13 alert ...`.
        let reason = self.error.rsplit("::").next().unwrap_or("");
        let reason = reason.split(", errno").next().unwrap_or(reason);
        let detail: String = reason.trim().chars().take(40).collect();
        match self.curl_exit {
            Some(code) => format!("curl {code}: {why} ({detail})"),
            None => format!("{why} ({detail})"),
        }
    }
}
