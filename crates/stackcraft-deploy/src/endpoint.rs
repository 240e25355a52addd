//! Endpoints: the override (`--endpoint-url`, `AWS_ENDPOINT_URL`) and the loopback-only test
//! mode, in which nothing may leave 127.0.0.0/8 or ::1.

use std::net::{IpAddr, ToSocketAddrs};

use crate::error::DeployError;

/// When this environment variable is `1`, every endpoint must resolve to loopback, and an
/// endpoint must be given (the default endpoints are AWS's own). The tests set it.
pub const LOOPBACK_ENV: &str = "STACKCRAFT_LOOPBACK_ONLY";

/// Whether the loopback-only mode is on.
pub fn loopback_only() -> bool {
    std::env::var(LOOPBACK_ENV).is_ok_and(|v| v == "1")
}

/// Host and port of an `http(s)://host[:port][/path]` URL.
fn host_port(url: &str) -> Result<(String, u16), String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| "not an http(s) URL".to_owned())?;
    let default_port = match scheme {
        "http" => 80,
        "https" => 443,
        _ => return Err(format!("unsupported scheme {scheme:?}")),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    if authority.is_empty() {
        return Err("no host".into());
    }
    if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or("unclosed [ in host")?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| format!("bad port {p:?}"))?,
            None => default_port,
        };
        return Ok((host.to_owned(), port));
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Ok((
            host.to_owned(),
            port.parse().map_err(|_| format!("bad port {port:?}"))?,
        )),
        None => Ok((authority.to_owned(), default_port)),
    }
}

/// Checks that an endpoint URL is well formed and, in loopback-only mode, that its host
/// resolves to loopback addresses only.
pub fn check_endpoint(url: &str, loopback_only: bool) -> Result<(), DeployError> {
    let refused = |reason: String| DeployError::BadEndpoint {
        endpoint: url.to_owned(),
        reason,
    };
    let (host, port) = host_port(url).map_err(refused)?;
    if loopback_only {
        check_loopback(&host, port).map_err(|e| {
            refused(format!(
                "{e} ({LOOPBACK_ENV}=1 allows only 127.0.0.0/8 and ::1)"
            ))
        })?;
    }
    Ok(())
}

/// Resolves `host` and fails unless every address is a loopback address.
pub fn check_loopback(host: &str, port: u16) -> Result<(), String> {
    let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => (host, port)
            .to_socket_addrs()
            .map_err(|e| format!("{host} does not resolve: {e}"))?
            .map(|a| a.ip())
            .collect(),
    };
    if addrs.is_empty() {
        return Err(format!("{host} resolves to no address"));
    }
    match addrs.iter().find(|ip| !ip.is_loopback()) {
        Some(ip) => Err(format!("{host} is {ip}, not a loopback address")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hosts_and_ports() {
        assert_eq!(
            host_port("http://127.0.0.1:5000").unwrap(),
            ("127.0.0.1".into(), 5000)
        );
        assert_eq!(
            host_port("https://s3.amazonaws.com/x").unwrap(),
            ("s3.amazonaws.com".into(), 443)
        );
        assert_eq!(host_port("http://[::1]:9/").unwrap(), ("::1".into(), 9));
        assert!(host_port("ftp://x").is_err());
        assert!(host_port("127.0.0.1:5000").is_err());
    }

    #[test]
    fn only_loopback_passes() {
        assert!(check_endpoint("http://127.0.0.1:5000", true).is_ok());
        assert!(check_endpoint("http://127.8.9.10:5000", true).is_ok());
        assert!(check_endpoint("http://[::1]:5000", true).is_ok());
        assert!(check_endpoint("http://localhost:5000", true).is_ok());
        assert!(check_endpoint("http://10.0.0.1:5000", true).is_err());
        assert!(check_endpoint("https://[2001:db8::1]/", true).is_err());
        assert!(check_endpoint("http://10.0.0.1:5000", false).is_ok());
    }
}
