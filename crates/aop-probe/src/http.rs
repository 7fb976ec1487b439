//! HTTP/1.1 over whatever stream carries it: one `GET` with `Connection: close`, the answer
//! read to its end (bounded), its status, body size and hash.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};

use socket2::{Domain, Socket, Type};

use sha2::{Digest, Sha256};

use crate::{Answer, Claim, Outcome, REQUEST_TIMEOUT};

/// Most bytes of an answer read: enough to tell a page from an error.
const MAX_ANSWER: u64 = 1 << 20;

pub fn request(host: &str, path: &str, claim: Option<&Claim>) -> Vec<u8> {
    let claim = claim
        .map(|c| format!("{}: {}\r\n", c.header, c.address))
        .unwrap_or_default();
    format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: aop-lint-probe\r\nAccept: */*\r\n{claim}Connection: close\r\n\r\n"
    )
    .into_bytes()
}

/// A connection to `address`, from `source` when given (an address of this machine).
pub fn connect(address: SocketAddr, source: Option<IpAddr>) -> Result<TcpStream, String> {
    let stream = match source {
        None => TcpStream::connect_timeout(&address, REQUEST_TIMEOUT).map_err(|e| e.to_string())?,
        Some(ip) => {
            let socket = Socket::new(Domain::for_address(address), Type::STREAM, None)
                .map_err(|e| e.to_string())?;
            socket
                .bind(&SocketAddr::new(ip, 0).into())
                .map_err(|e| format!("cannot send from {ip}: {e}"))?;
            socket
                .connect_timeout(&address.into(), REQUEST_TIMEOUT)
                .map_err(|e| e.to_string())?;
            socket.into()
        }
    };
    stream
        .set_read_timeout(Some(REQUEST_TIMEOUT))
        .and_then(|_| stream.set_write_timeout(Some(REQUEST_TIMEOUT)))
        .map_err(|e| e.to_string())?;
    Ok(stream)
}

pub fn plain_exchange(address: SocketAddr, source: Option<IpAddr>, request: &[u8]) -> Outcome {
    let mut stream = match connect(address, source) {
        Ok(s) => s,
        Err(e) => return Outcome::NoConnection(e),
    };
    if let Err(e) = stream.write_all(request) {
        return Outcome::NoAnswer(e.to_string());
    }
    read_answer(&mut stream)
}

/// Reads until the server closes (or the bound), then parses what came.
pub fn read_answer(stream: &mut dyn Read) -> Outcome {
    let mut bytes = Vec::new();
    let read = stream.take(MAX_ANSWER).read_to_end(&mut bytes);
    if bytes.is_empty() {
        return Outcome::NoAnswer(match read {
            Ok(_) => "closed without answering".into(),
            Err(e) => e.to_string(),
        });
    }
    match parse(&bytes) {
        Some(answer) => Outcome::Answered(answer),
        None => Outcome::NoAnswer("not an HTTP answer".into()),
    }
}

fn parse(bytes: &[u8]) -> Option<Answer> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]);
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let mut chunked = false;
    let mut location = None;
    let mut length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "location" => location = Some(value.to_string()),
            "content-length" => length = value.parse::<usize>().ok(),
            _ => {}
        }
    }
    let raw = &bytes[end + 4..];
    let body = if chunked {
        dechunk(raw)
    } else {
        raw[..length.unwrap_or(raw.len()).min(raw.len())].to_vec()
    };
    let digest = Sha256::digest(&body);
    Some(Answer {
        server_error_page: is_server_error_page(status, &body),
        status,
        body_len: body.len(),
        body_sha256: digest.iter().take(8).map(|b| format!("{b:02x}")).collect(),
        location,
    })
}

/// A server's own error page (nginx's, httpd's: `<title>403 Forbidden</title>`), told from a
/// page of a site sent with an error status by its title naming the status.
fn is_server_error_page(status: u16, body: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&body[..body.len().min(4096)]).to_ascii_lowercase();
    head.contains(&format!("<title>{status} "))
}

/// The body of a chunked answer; a truncated one gives what arrived.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&raw[..eol]);
        let size = size.split(';').next().unwrap_or("").trim();
        let Ok(n) = usize::from_str_radix(size, 16) else {
            break;
        };
        raw = &raw[eol + 2..];
        if n == 0 {
            break;
        }
        let take = n.min(raw.len());
        out.extend_from_slice(&raw[..take]);
        raw = raw.get(take + 2..).unwrap_or(&[]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_parsed_with_their_body_measured() {
        let a = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello").unwrap();
        assert_eq!((a.status, a.body_len), (200, 5));
        assert!(a.is_content());
        let a = parse(b"HTTP/1.1 301 Moved\r\nLocation: https://x/\r\nContent-Length: 0\r\n\r\n")
            .unwrap();
        assert_eq!(a.location.as_deref(), Some("https://x/"));
        assert!(!a.is_content());
        let a = parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
            .unwrap();
        assert_eq!(a.body_len, 5);
        let a = parse(b"HTTP/1.1 204 No Content\r\n\r\n").unwrap();
        assert!(!a.is_content());
        assert!(parse(b"SSH-2.0-OpenSSH\r\n").is_none());
    }

    #[test]
    fn a_servers_own_error_page_is_told_from_a_page_of_the_site() {
        let httpd = b"HTTP/1.1 403 Forbidden\r\n\r\n<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>403 Forbidden</title>\n</head><body>\n<h1>Forbidden</h1>\n</body></html>\n";
        assert!(parse(httpd).unwrap().server_error_page);
        let site = b"HTTP/1.1 403 Forbidden\r\n\r\n<html><head><title>Shop</title></head></html>";
        let site = parse(site).unwrap();
        assert!(!site.server_error_page && !site.is_content());
    }

    #[test]
    fn a_claim_is_one_header_of_the_request() {
        let claim = Claim {
            header: "CF-Connecting-IP".into(),
            address: "127.0.0.1".into(),
        };
        let text = String::from_utf8(request("shop.example.com", "/", Some(&claim))).unwrap();
        assert!(
            text.contains("\r\nCF-Connecting-IP: 127.0.0.1\r\n"),
            "{text}"
        );
        assert!(text.ends_with("\r\n\r\n"));
    }
}
