//! The client's address, for throttling logins per address: the socket's peer, or the address a
//! trusted reverse proxy appended to `X-Forwarded-For`.

use super::AppState;
use app::backend::ClientAddress;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};

/// The rightmost `X-Forwarded-For` entry: the one our own proxy added, which a client cannot forge.
fn forwarded_for(value: &str) -> Option<IpAddr> {
    value.rsplit(',').next().and_then(|ip| ip.trim().parse().ok())
}

pub async fn client_address(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let forwarded = state
        .settings
        .trust_forwarded_for
        .then(|| request.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(forwarded_for))
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

    #[test]
    fn the_proxys_own_entry_counts_not_the_clients_claims() {
        assert_eq!(forwarded_for("1.2.3.4, 10.0.0.7"), "10.0.0.7".parse().ok());
        assert_eq!(forwarded_for("garbage"), None);
    }
}
