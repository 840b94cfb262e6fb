//! The client's address, for throttling logins per address: the socket's peer, or the address a
//! trusted reverse proxy appended to `X-Forwarded-For`.

use crate::config::Settings;
use app::backend::ClientAddress;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The rightmost `X-Forwarded-For` entry: the one our own proxy added, which a client cannot forge.
/// Across every `X-Forwarded-For` line, not the first line's: some proxies (HAProxy's
/// `option forwardfor`) add a line of their own below the client's rather than appending to it,
/// and the first line is then entirely the client's to write.
fn forwarded_for(headers: &http::HeaderMap) -> Option<IpAddr> {
    let last_line = headers.get_all("x-forwarded-for").iter().next_back()?.to_str().ok()?;
    last_line.rsplit(',').next().and_then(|ip| ip.trim().parse().ok())
}

/// Its state is the settings alone (as for every layer here: axum copies a layer's state on
/// every request).
pub async fn client_address(State(settings): State<Arc<Settings>>, mut request: Request, next: Next) -> Response {
    let forwarded = settings
        .trust_forwarded_for
        .then(|| forwarded_for(request.headers()))
        .flatten();
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if let Some(ip) = forwarded.or(peer) {
        request.extensions_mut().insert(ClientAddress(ip));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::forwarded_for;

    fn headers(lines: &[&[u8]]) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        for line in lines {
            headers.append("x-forwarded-for", http::HeaderValue::from_bytes(line).expect("a header value"));
        }
        headers
    }

    #[test]
    fn the_proxys_own_entry_counts_not_the_clients_claims() {
        assert_eq!(forwarded_for(&headers(&[b"1.2.3.4, 10.0.0.7"])), "10.0.0.7".parse().ok());
        assert_eq!(forwarded_for(&headers(&[b"garbage"])), None);
        assert_eq!(forwarded_for(&headers(&[])), None);
    }

    #[test]
    fn a_proxy_that_adds_its_own_line_is_read_from_that_line() {
        assert_eq!(forwarded_for(&headers(&[b"198.51.100.7", b"203.0.113.9"])), "203.0.113.9".parse().ok());
        // A last line that does not read as an address never falls back to the client's lines.
        assert_eq!(forwarded_for(&headers(&[b"198.51.100.7", b"\xff"])), None);
    }
}
