//! Security headers on every response, and the per-response nonce that lets exactly the page's
//! own hydration script run under the Content-Security-Policy.

use super::paths::Target;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderValue, StatusCode};
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};

/// The nonce of this response's inline scripts.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

fn nonce() -> CspNonce {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0u8; 18];
    OsRng.fill_bytes(&mut bytes);
    CspNonce(URL_SAFE_NO_PAD.encode(bytes))
}

/// The policy: our own scripts and WASM, the page's nonce'd hydration script, nothing inline
/// otherwise, no framing, no plugins, forms and connections only to ourselves.
pub fn content_security_policy(nonce: &str, reload_port: Option<u32>) -> String {
    let live_reload = reload_port.map(|port| format!(" ws://127.0.0.1:{port} ws://localhost:{port}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'{live_reload}; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// What the headers depend on, read once when the router is built, not on every response.
#[derive(Clone, Copy, Debug)]
pub struct HeaderSettings {
    /// The port `cargo leptos watch` reloads pages over, which the policy must then allow; `None`
    /// outside watch mode.
    reload_port: Option<u32>,
    /// Served over https (`PUBLIC_ORIGIN`): browsers are told to never use plain http again.
    https: bool,
    /// The front end's file names carry their content's hash, so a browser may keep them for good.
    hashed_assets: bool,
}

impl HeaderSettings {
    pub fn new(public_origin: Option<&str>, hashed_assets: bool) -> HeaderSettings {
        let reload_port =
            std::env::var("LEPTOS_WATCH").ok().and_then(|_| std::env::var("LEPTOS_RELOAD_PORT").ok()).and_then(|p| p.parse().ok());
        HeaderSettings { reload_port, https: public_origin.is_some_and(|o| o.starts_with("https://")), hashed_assets }
    }
}

pub async fn security_headers(State(settings): State<HeaderSettings>, mut request: Request, next: Next) -> Response {
    let reload_port = settings.reload_port;
    let nonce = nonce();
    let target = Target::of(request.uri().path());
    request.extensions_mut().insert(nonce.clone());
    let mut response = next.run(request).await;
    let cache = cache_control(target, settings.hashed_assets, response.status());
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&nonce.0, reload_port)) {
        headers.insert(CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    headers.insert("permissions-policy", HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"));
    if settings.https {
        headers.insert(http::header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    if target.is_static_file() {
        // The same name is sent as brotli, gzip or plain: caches on the way must keep them apart.
        headers.insert(http::header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// How long a response may be kept. A page or an answer: never. A release build's front-end file
/// for a year (a new build has new names), its icon for a day (a new build may change it under the
/// same name); a development build's files are checked each time. A file that is not there is not
/// kept at all: during a rolling deploy an instance still on the older build lacks the newer
/// build's files, and a 404 kept for a year would leave that browser without them for good.
fn cache_control(target: Target, hashed_assets: bool, status: StatusCode) -> &'static str {
    let found = status.is_success() || status == StatusCode::NOT_MODIFIED;
    match (target, found, hashed_assets) {
        (Target::Page | Target::Api, _, _) | (_, false, _) => "no-store",
        (Target::FrontEnd, true, true) => "public, max-age=31536000, immutable",
        (Target::Icon, true, true) => "public, max-age=86400",
        (_, true, false) => "no-cache",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_only_our_scripts_the_nonce_and_wasm() {
        let csp = content_security_policy("abc", None);
        assert!(csp.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(!csp.contains("ws://"));
    }

    #[test]
    fn only_a_file_that_is_there_is_kept() {
        let asset = Target::of("/pkg/impersonate.abc.wasm");
        assert_eq!(cache_control(asset, true, StatusCode::OK), "public, max-age=31536000, immutable");
        assert_eq!(cache_control(asset, false, StatusCode::OK), "no-cache");
        assert_eq!(cache_control(asset, false, StatusCode::NOT_MODIFIED), "no-cache");
        assert_eq!(cache_control(asset, true, StatusCode::NOT_FOUND), "no-store");
        assert_eq!(cache_control(asset, false, StatusCode::INTERNAL_SERVER_ERROR), "no-store");
        let icon = Target::of("/favicon.svg");
        assert_eq!(cache_control(icon, true, StatusCode::OK), "public, max-age=86400");
        assert_eq!(cache_control(icon, false, StatusCode::OK), "no-cache");
        assert_eq!(cache_control(icon, true, StatusCode::NOT_FOUND), "no-store");
        for page in ["/", "/profile", "/api/session/status", "/pkg", "/favicon.svg.br"] {
            assert_eq!(cache_control(Target::of(page), true, StatusCode::OK), "no-store", "{page}");
        }
    }

    #[test]
    fn nonces_differ_every_time() {
        assert_ne!(nonce().0, nonce().0);
        assert_eq!(nonce().0.len(), 24);
    }
}
