//! The front end's files, served from memory in a release build.
//!
//! A release build's file names carry their content's hash, so the files cannot change while this
//! process runs: each is read once, at start-up, with the brotli and gzip copies the build made
//! beside it. Read from disk on every request (tower-http's `ServeDir`), a file cost a few trips to
//! tokio's blocking pool for the open, the metadata and the reads: 10.8 context switches and more
//! CPU than the login page's whole render (bench 20261128-124635). A development build's files
//! change under `cargo leptos watch`, so it keeps `ServeDir`. The page's icon, at the site's
//! root, is read and served the same way.

use axum::Router;
use axum::body::{Body, Bytes};
use super::paths::FRONT_END_DIR;
use app::assets::FAVICON;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::HashMap;
use std::sync::Arc;

/// Every file of the site, by the path it is asked for (`/pkg/impersonate.<hash>.wasm`,
/// `/favicon.svg`).
#[derive(Clone)]
pub struct AssetFiles(Arc<HashMap<String, Asset>>);

/// One file and the copies of it compressed at build time.
struct Asset {
    content_type: HeaderValue,
    plain: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
}

/// How a file is sent.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl AssetFiles {
    /// Reads every file below the site's root. A `.br` or `.gz` file is not served under its own
    /// name but as its plain file's encoding.
    pub fn read(site_root: &std::path::Path) -> std::io::Result<AssetFiles> {
        let mut found = HashMap::new();
        let mut dirs = vec![site_root.to_path_buf()];
        while let Some(current) = dirs.pop() {
            for entry in std::fs::read_dir(&current)? {
                let path = entry?.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let Some(name) = url_path(site_root, &path) else {
                    tracing::warn!(path = %path.display(), "a front-end file whose name is not UTF-8; not served");
                    continue;
                };
                found.insert(name, Bytes::from(std::fs::read(&path)?));
            }
        }
        let assets = found
            .iter()
            .filter(|(name, _)| !name.ends_with(".br") && !name.ends_with(".gz"))
            .map(|(name, plain)| {
                let content_type = mime_guess::from_path(name).first_raw().unwrap_or("application/octet-stream");
                let asset = Asset {
                    content_type: HeaderValue::from_static(content_type),
                    plain: plain.clone(),
                    brotli: found.get(&format!("{name}.br")).cloned(),
                    gzip: found.get(&format!("{name}.gz")).cloned(),
                };
                (name.clone(), asset)
            })
            .collect();
        Ok(AssetFiles(Arc::new(assets)))
    }

    /// The routes that serve the package directory's files and the page's icon. `get` answers
    /// `HEAD` too; other methods get 405.
    pub fn router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        Router::new().route(&format!("/{FRONT_END_DIR}/{{*file}}"), get(serve)).route(FAVICON, get(serve)).with_state(self)
    }
}

/// The path a browser asks for `path`, a file below `site_root`.
fn url_path(site_root: &std::path::Path, path: &std::path::Path) -> Option<String> {
    path.strip_prefix(site_root).ok()?.components().map(|part| part.as_os_str().to_str().map(|part| format!("/{part}"))).collect()
}

/// The file asked for, by the request's path as sent (a percent-encoded path matches no name).
async fn serve(State(files): State<AssetFiles>, uri: Uri, headers: HeaderMap) -> Response {
    let Some(asset) = files.0.get(uri.path()) else { return StatusCode::NOT_FOUND.into_response() };
    let accept = headers.get(header::ACCEPT_ENCODING).and_then(|value| value.to_str().ok()).unwrap_or("");
    let (body, encoding) = match choose(accept, asset.brotli.is_some(), asset.gzip.is_some()) {
        Encoding::Brotli => (asset.brotli.as_ref(), Some("br")),
        Encoding::Gzip => (asset.gzip.as_ref(), Some("gzip")),
        Encoding::Identity => (None, None),
    };
    let mut response = Response::new(Body::from(body.unwrap_or(&asset.plain).clone()));
    response.headers_mut().insert(header::CONTENT_TYPE, asset.content_type.clone());
    if let Some(encoding) = encoding {
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// Of the copies there are, the one `accept` (an `Accept-Encoding` value) weighs highest, brotli
/// on a tie (it is the smaller); the plain file when it accepts neither.
fn choose(accept: &str, brotli: bool, gzip: bool) -> Encoding {
    let br = if brotli { weight(accept, "br") } else { 0.0 };
    let gz = if gzip { weight(accept, "gzip") } else { 0.0 };
    if br > 0.0 && br >= gz {
        Encoding::Brotli
    } else if gz > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// The weight (`q`) `accept` gives `coding` (RFC 9110, 12.5.3): its own entry's, else `*`'s,
/// else 0. An entry with a weight that is not a number from 0 to 1 counts for nothing.
fn weight(accept: &str, coding: &str) -> f32 {
    let mut any = 0.0;
    for entry in accept.split(',') {
        let mut parts = entry.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let q = parts.map(str::trim).find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")));
        let Some(q) = q.map_or(Some(1.0), |q| q.trim().parse::<f32>().ok().filter(|q| (0.0..=1.0).contains(q))) else { continue };
        if name.eq_ignore_ascii_case(coding) {
            return q;
        }
        if name == "*" {
            any = q;
        }
    }
    any
}

#[cfg(test)]
mod tests {
    use super::Encoding::{Brotli, Gzip, Identity};
    use super::*;

    #[test]
    fn a_browser_gets_brotli_and_an_older_client_gzip() {
        assert_eq!(choose("gzip, deflate, br, zstd", true, true), Brotli);
        assert_eq!(choose("gzip, deflate", true, true), Gzip);
        assert_eq!(choose("", true, true), Identity);
        assert_eq!(choose("identity", true, true), Identity);
    }

    #[test]
    fn only_a_copy_that_exists_is_chosen() {
        assert_eq!(choose("br, gzip", false, true), Gzip);
        assert_eq!(choose("br", false, true), Identity);
        assert_eq!(choose("br, gzip", false, false), Identity);
    }

    #[test]
    fn weights_decide_and_a_zero_weight_refuses() {
        assert_eq!(choose("br;q=0.5, gzip;q=0.8", true, true), Gzip);
        assert_eq!(choose("br;q=0, gzip", true, true), Gzip);
        assert_eq!(choose("br; q=0, gzip;q=0", true, true), Identity);
        assert_eq!(choose("BR;Q=1", true, true), Brotli);
    }

    #[test]
    fn a_wildcard_stands_for_the_codings_not_named() {
        assert_eq!(choose("*", true, true), Brotli);
        assert_eq!(choose("br;q=0, *", true, true), Gzip);
        assert_eq!(choose("*;q=0", true, true), Identity);
    }

    #[test]
    fn a_malformed_weight_counts_for_nothing() {
        assert_eq!(choose("br;q=lots, gzip", true, true), Gzip);
        assert_eq!(choose("br;q=2", true, true), Identity);
        assert_eq!(choose(",;,br", true, true), Brotli);
    }

    #[test]
    fn files_are_named_by_the_path_a_browser_asks_for() {
        let root = std::path::Path::new("/site");
        assert_eq!(url_path(root, &root.join("pkg/snippets/x/a.js")).as_deref(), Some("/pkg/snippets/x/a.js"));
        assert_eq!(url_path(root, &root.join("favicon.svg")).as_deref(), Some(FAVICON));
        assert_eq!(url_path(root, std::path::Path::new("/elsewhere/a.js")), None);
    }

    #[tokio::test]
    async fn an_accept_encoding_that_is_not_text_gets_the_plain_file() {
        use tower::ServiceExt;
        let site = tempfile::tempdir().expect("a temp dir");
        std::fs::create_dir_all(site.path().join("pkg")).expect("a pkg dir");
        for (name, content) in [("a.css", "plain"), ("a.css.br", "brotli"), ("a.css.gz", "gzip")] {
            std::fs::write(site.path().join("pkg").join(name), content).expect("a file");
        }
        let router: Router = AssetFiles::read(site.path()).expect("the site").router();
        let accept = HeaderValue::from_bytes(b"br, gzip\xff").expect("any byte but a control is a header value");
        let request = axum::http::Request::get("/pkg/a.css").header(header::ACCEPT_ENCODING, accept).body(Body::empty()).expect("a request");
        let response = router.oneshot(request).await.expect("infallible");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers().get(header::CONTENT_ENCODING), None);
        let body = axum::body::to_bytes(response.into_body(), 1024).await.expect("a body");
        assert_eq!(&body[..], b"plain");
    }
}
