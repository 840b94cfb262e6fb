//! What the server resolves and provides for each request: its services and its session.

use super::{Backend, Clock, Person, SessionCookie, SessionKey};
use crate::domain::{Policy, Principal, Timestamp};
use std::net::IpAddr;
use std::sync::Arc;

/// The server's services, provided to every server function and page render.
#[derive(Clone)]
pub struct Services {
    pub backend: Arc<dyn Backend>,
    pub clock: Arc<dyn Clock>,
    pub policy: Policy,
    pub cookie: SessionCookie,
}

/// The session the server resolved for this request, before any handler ran. Present in the
/// request's extensions only when the request is authenticated.
#[derive(Clone, Debug)]
pub struct RequestSession {
    pub key: SessionKey,
    pub principal: Principal,
    /// The person whose session it is.
    pub owner: Person,
    /// The user it acts as, while impersonating.
    pub acting_as: Option<Person>,
    /// When the server resolved it: the banner's countdown starts from here.
    pub resolved_at: Timestamp,
}

/// The client's address as the server determined it (the socket, or a trusted proxy's header).
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub IpAddr);
