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
fn forwarded_for(value: &str) -> Option<IpAddr> {
    value.rsplit(',').next().and_then(|ip| ip.trim().parse().ok())
}

/// Its state is the settings alone (as for every layer here: axum copies a layer's state on
/// every request).
pub async fn client_address(State(settings): State<Arc<Settings>>, mut request: Request, next: Next) -> Response {
    let forwarded = settings
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
