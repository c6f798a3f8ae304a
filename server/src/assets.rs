//! What travels to the browser besides the data: the bundle under `/pkg` (content-hashed
//! names, kept by browsers for good, sent precompressed), response compression, and how
//! long a browser may keep each kind of answer.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::ServeDir;

/// The file in the site's `pkg/` naming the current bundle (written by `scripts/build.sh`).
pub const BUNDLE_NAME_FILE: &str = "bundle-name";

/// Cache-Control of a file whose name changes with its content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache-Control of a file kept under the same name across builds: ask before reuse.
const REVALIDATE: &str = "no-cache";
/// Cache-Control of a page: made for one user, and asked for afresh every time.
const PAGE: &str = "private, no-cache";

/// The bundle's name (`readyboard.<hash>`) for the site at `site_root`; the plain name when
/// the site was built without hashes (or not at all, as in tests).
pub fn bundle_name(site_root: &str) -> String {
    let path = std::path::Path::new(site_root).join("pkg").join(BUNDLE_NAME_FILE);
    std::fs::read_to_string(path)
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .unwrap_or_else(|| readyboard_app::BUNDLE.to_string())
}

/// Serves `pkg/` of the site, sending the `.br` or `.gz` file beside one when the browser
/// accepts it.
pub fn pkg_files(site_root: &str) -> ServeDir {
    ServeDir::new(std::path::Path::new(site_root).join("pkg")).precompressed_br().precompressed_gzip()
}

/// Compresses answers (brotli or gzip, as the browser accepts) that are not compressed
/// already; a middling level, since pages are compressed as they are sent.
pub fn compression() -> CompressionLayer {
    CompressionLayer::new().br(true).gzip(true).quality(CompressionLevel::Precise(4))
}

/// Whether `resp` is an HTML page.
pub fn is_html(resp: &Response) -> bool {
    resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"))
}

/// Whether a file name carries a content hash (`readyboard.3f9c0a1b2c3d4e5f.wasm`).
fn is_content_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.split('.').any(|part| part.len() >= 16 && part.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Says how long a browser may keep each answer that does not say so itself: hashed bundle
/// files for a year, other static files and pages only after asking again.
pub async fn cache_control(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    if resp.headers().contains_key(header::CACHE_CONTROL) {
        return resp;
    }
    let value = if path.starts_with("/pkg/") && resp.status().is_success() && is_content_hashed(&path) {
        IMMUTABLE
    } else if is_html(&resp) {
        PAGE
    } else if path.starts_with("/pkg/") || (path.rfind('/') == Some(0) && path.contains('.')) {
        REVALIDATE
    } else {
        return resp;
    };
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_with_a_content_hash_count_as_hashed() {
        assert!(is_content_hashed("/pkg/readyboard.3f9c0a1b2c3d4e5f.wasm"));
        assert!(is_content_hashed("/pkg/readyboard.3f9c0a1b2c3d4e5f.css"));
        assert!(!is_content_hashed("/pkg/readyboard.wasm"));
        assert!(!is_content_hashed("/pkg/readyboard.deadbeef.js"), "too short to be a content hash");
    }

    #[test]
    fn the_bundle_name_falls_back_to_the_plain_one() {
        let dir = std::env::temp_dir().join(format!("readyboard-assets-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        let root = dir.to_str().unwrap();
        assert_eq!(bundle_name(root), "readyboard");
        std::fs::write(dir.join("pkg").join(BUNDLE_NAME_FILE), "readyboard.0123456789abcdef\n").unwrap();
        assert_eq!(bundle_name(root), "readyboard.0123456789abcdef");
        std::fs::write(dir.join("pkg").join(BUNDLE_NAME_FILE), "../../etc/passwd\"").unwrap();
        assert_eq!(bundle_name(root), "readyboard", "a name that is not a plain file name is ignored");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
