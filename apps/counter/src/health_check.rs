//! `counter health`: one HTTP GET of a running role's `/health`, for a container health check
//! in an image that has no curl. Plain HTTP/1.1 over a TCP connection, no client library: the
//! probe is loopback only and needs the status line and nothing else.

use std::time::Duration;

use anyhow::{bail, Context};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use url::Url;

use crate::config::Settings;

/// The URL `counter health` probes without `--url`: `/health` on the API's port, on
/// loopback when the servers bind to every address.
pub fn default_url(settings: &Settings) -> anyhow::Result<String> {
    if settings.http_port == 0 {
        bail!("HTTP_PORT is 0 (any free port): name the server to probe with --url");
    }
    let host = match settings.http_host.trim_matches(['[', ']']) {
        "" | "0.0.0.0" | "::" => "127.0.0.1".to_owned(),
        host if host.contains(':') => format!("[{host}]"),
        host => host.to_owned(),
    };
    Ok(format!(
        "http://{host}:{}{}",
        settings.http_port,
        counter_contract::HEALTH_PATH
    ))
}

/// GETs `url`; `Ok` with the status code when it is 2xx, an error naming the URL otherwise
/// (refused, timed out, not HTTP, another status).
pub async fn probe(url: &str, timeout: Duration) -> anyhow::Result<u16> {
    let parsed = Url::parse(url).with_context(|| format!("--url {url:?} is not a URL"))?;
    if parsed.scheme() != "http" {
        bail!("--url must be an http:// URL (got {url})");
    }
    let host = parsed
        .host_str()
        .with_context(|| format!("--url {url} names no host"))?;
    let port = parsed.port_or_known_default().unwrap_or(80);
    let status = tokio::time::timeout(timeout, get_status(&parsed, host, port))
        .await
        .map_err(|_| anyhow::anyhow!("{url} did not answer within {timeout:?}"))?
        .with_context(|| format!("no HTTP answer from {url}"))?;
    if !(200..300).contains(&status) {
        bail!("{url} answered {status}");
    }
    Ok(status)
}

/// Sends the request and returns the status code of the answer's status line.
async fn get_status(url: &Url, host: &str, port: u16) -> anyhow::Result<u16> {
    let mut stream = TcpStream::connect((host.trim_matches(['[', ']']), port)).await?;
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: counter-health\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    // The status line is all that is needed; read until it is complete.
    let mut head = Vec::new();
    let mut buffer = [0_u8; 512];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 8192 {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buffer[..n]);
    }
    parse_status_line(&head).context("the answer is not HTTP")
}

/// `HTTP/1.1 200 OK\r\n…` → 200.
fn parse_status_line(head: &[u8]) -> Option<u16> {
    let line = head.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    let version = parts.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let status = parts.next()?.trim_end();
    (status.len() == 3).then(|| status.parse().ok())?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::settings;

    #[test]
    fn status_lines_parse_and_anything_else_does_not() {
        assert_eq!(parse_status_line(b"HTTP/1.1 200 OK\r\n"), Some(200));
        assert_eq!(
            parse_status_line(b"HTTP/1.0 503 Unavailable\r\n"),
            Some(503)
        );
        assert_eq!(parse_status_line(b"HTTP/1.1 204\r\n"), Some(204));
        assert_eq!(parse_status_line(b"SSH-2.0-OpenSSH\r\n"), None);
        assert_eq!(parse_status_line(b"HTTP/1.1 2000 OK\r\n"), None);
        assert_eq!(parse_status_line(b""), None);
    }

    #[test]
    fn the_default_url_is_the_api_port_on_loopback() {
        let url = |args: &[&str]| default_url(&settings(args));
        assert_eq!(url(&[]).unwrap(), "http://127.0.0.1:5080/health");
        assert_eq!(
            url(&["--http-host", "::", "--http-port", "9000"]).unwrap(),
            "http://127.0.0.1:9000/health"
        );
        assert_eq!(
            url(&["--http-host", "10.0.0.5"]).unwrap(),
            "http://10.0.0.5:5080/health"
        );
        assert_eq!(
            url(&["--http-host", "::1"]).unwrap(),
            "http://[::1]:5080/health"
        );
        assert!(url(&["--http-port", "0"]).is_err());
    }
}
