//! The `Content-Type` and `Cache-Control` of a published file, from its name alone (so the
//! same file always gets the same headers, and unchanged files need no upload).

/// For the entry points (HTML pages, `config.json`): every request revalidates, so a deploy
/// is seen at once.
pub const NO_CACHE: &str = "no-cache";
/// For names that carry a hash of their content (`app.3f9a2c1d.js`): a new content is a new
/// name, so the old one can be kept forever.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For anything else: browsers keep it five minutes (CloudFront's copy is invalidated by
/// deploy, a browser's copy cannot be).
pub const SHORT: &str = "public, max-age=300";

/// The media type of `key` by its extension (case-insensitive); text types are UTF-8.
pub fn content_type(key: &str) -> &'static str {
    let extension = extension(key).to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/vnd.microsoft.icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "wav" => "audio/wav",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// How long `key` may be cached: entry points never without revalidation, hashed names
/// forever, the rest briefly.
pub fn cache_control(key: &str) -> &'static str {
    let name = key.rsplit('/').next().unwrap_or(key);
    let extension = extension(name).to_ascii_lowercase();
    if name == stackcraft_core::SITE_CONFIG_FILE || extension == "html" || extension == "htm" {
        NO_CACHE
    } else if is_hashed(name) {
        IMMUTABLE
    } else {
        SHORT
    }
}

fn extension(key: &str) -> &str {
    let name = key.rsplit('/').next().unwrap_or(key);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext,
        _ => "",
    }
}

/// Whether a file name carries a content hash, as bundlers write them: a `.` or `-`
/// separated part of the stem of 8 to 64 letters and digits with both a digit and a letter
/// (`app.3f9a2c1d.js`, `index-BvW3Zk9p.css`), which a word or a version number is not.
fn is_hashed(name: &str) -> bool {
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) => stem,
        None => return false,
    };
    stem.split(['.', '-']).skip(1).any(|part| {
        (8..=64).contains(&part.len())
            && part.bytes().all(|b| b.is_ascii_alphanumeric())
            && part.bytes().any(|b| b.is_ascii_digit())
            && part.bytes().any(|b| b.is_ascii_alphabetic())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_extension_whatever_its_case() {
        for (key, expected) in [
            ("index.html", "text/html; charset=utf-8"),
            ("docs/INDEX.HTM", "text/html; charset=utf-8"),
            ("style.css", "text/css; charset=utf-8"),
            ("js/app.js", "text/javascript; charset=utf-8"),
            ("mod.mjs", "text/javascript; charset=utf-8"),
            ("config.json", "application/json"),
            ("app.js.map", "application/json"),
            ("logo.svg", "image/svg+xml"),
            ("img/photo.JPG", "image/jpeg"),
            ("favicon.ico", "image/vnd.microsoft.icon"),
            ("fonts/a.woff2", "font/woff2"),
            ("site.webmanifest", "application/manifest+json"),
            ("engine.wasm", "application/wasm"),
            ("README", "application/octet-stream"),
            ("archive.unknown", "application/octet-stream"),
            // A name that only starts with a dot has no extension.
            ("dir/.htaccess", "application/octet-stream"),
            // The extension is the file name's, not a directory's.
            ("v1.2/LICENSE", "application/octet-stream"),
        ] {
            assert_eq!(content_type(key), expected, "{key}");
        }
    }

    #[test]
    fn entry_points_are_not_cached_and_hashed_names_are_kept_forever() {
        for (key, expected) in [
            ("index.html", NO_CACHE),
            ("about/index.html", NO_CACHE),
            ("page.HTM", NO_CACHE),
            ("config.json", NO_CACHE),
            ("app.js", SHORT),
            ("style.css", SHORT),
            ("data/config.json.bak", SHORT),
            ("other.json", SHORT),
            ("assets/app.3f9a2c1d.js", IMMUTABLE),
            ("assets/index-BvW3Zk9p.css", IMMUTABLE),
            ("main.0123456789abcdef0123.chunk.js", IMMUTABLE),
            // Words and version numbers are not hashes.
            ("jquery-3.7.1.min.js", SHORT),
            ("bootstrap.bundle.js", SHORT),
            ("release-20240101.js", SHORT),
            ("deadbeef.js", SHORT),
            // A hash-like stem with nothing before it is a name, not a fingerprint.
            ("3f9a2c1d.js", SHORT),
            // A hashed page is still an entry point.
            ("index.3f9a2c1d.html", NO_CACHE),
        ] {
            assert_eq!(cache_control(key), expected, "{key}");
        }
    }
}
