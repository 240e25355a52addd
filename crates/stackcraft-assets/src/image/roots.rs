//! The CA bundle of an image: Mozilla's roots from `webpki-root-certs` as one PEM file at the
//! path TLS libraries look first (`/etc/ssl/certs/ca-certificates.crt`), for binaries that read
//! the system's roots (rustls-native-certs, OpenSSL). Binaries that embed their roots
//! (webpki-roots) need no file.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Where the bundle goes in the image.
pub const BUNDLE_PATH: &str = "etc/ssl/certs/ca-certificates.crt";

/// Whether the binary reads CA certificates from the file system: the paths and variable
/// that rustls-native-certs (through openssl-probe) and OpenSSL look at are in its bytes.
pub fn reads_system_roots(binary: &[u8]) -> bool {
    [b"SSL_CERT_FILE".as_slice(), b"/etc/ssl/certs"]
        .iter()
        .any(|needle| binary.windows(needle.len()).any(|w| w == *needle))
}

/// The PEM bundle, the same bytes on every machine for one Cargo.lock.
pub fn bundle() -> Vec<u8> {
    let mut pem = String::new();
    for cert in webpki_root_certs::TLS_SERVER_ROOT_CERTS {
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        let b64 = STANDARD.encode(cert.as_ref());
        for line in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
    }
    pem.into_bytes()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bundle_holds_every_root() {
        let pem = String::from_utf8(super::bundle()).unwrap();
        assert_eq!(
            pem.matches("BEGIN CERTIFICATE").count(),
            webpki_root_certs::TLS_SERVER_ROOT_CERTS.len()
        );
        assert!(pem.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
        assert!(super::reads_system_roots(b"..openssl..SSL_CERT_FILE\0"));
        assert!(!super::reads_system_roots(b"embedded roots only"));
    }
}
