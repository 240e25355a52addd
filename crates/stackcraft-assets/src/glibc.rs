//! The newest glibc symbol version a Linux binary needs.
//!
//! A dynamically linked binary names the versions it binds to (`GLIBC_2.34`) in its dynamic
//! string table; scanning the bytes for those names finds the newest one without an ELF parser.

/// `(major, minor)` of the newest `GLIBC_x.y` the binary mentions, if any.
pub fn newest_glibc(binary: &[u8]) -> Option<(u32, u32)> {
    const TAG: &[u8] = b"GLIBC_";
    let mut newest = None;
    let mut i = 0;
    while let Some(pos) = find(&binary[i..], TAG) {
        let start = i + pos + TAG.len();
        let version: Vec<u8> = binary[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || **b == b'.')
            .copied()
            .collect();
        if let Some(v) = parse(&version) {
            newest = newest.max(Some(v));
        }
        i = start;
    }
    newest
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse(version: &[u8]) -> Option<(u32, u32)> {
    let text = std::str::from_utf8(version).ok()?;
    let mut parts = text.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_newest_version() {
        let bytes = b"\0GLIBC_2.2.5\0GLIBC_2.34\0GLIBC_PRIVATE\0GLIBC_2.17\0";
        assert_eq!(super::newest_glibc(bytes), Some((2, 34)));
        assert_eq!(super::newest_glibc(b"static"), None);
    }
}
