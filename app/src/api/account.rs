//! Logging in and out, and the changes to an account that only its owner may make.

use super::ApiError;
use super::types::Viewer;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use {
    super::request::{authenticate, client_address, services},
    crate::backend::SessionMove,
};

/// Who is logged in; `None` for a visitor. The pages do not call it: the server draws the frame
/// from [`viewer_of_request`] and the page carries that to the browser.
#[server(endpoint = "session/viewer")]
pub async fn current_viewer() -> Result<Option<Viewer>, ApiError> {
    viewer_of_request()
}

/// Who this request's session belongs to: already resolved by the server before the page is
/// drawn, so reading it needs no waiting.
#[cfg(feature = "ssr")]
pub fn viewer_of_request() -> Result<Option<Viewer>, ApiError> {
    match authenticate() {
        Ok(session) => Ok(Some(super::views::viewer(&session))),
        Err(ApiError::Unauthenticated) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Checks the credentials and opens a fresh session; answers where to go next.
#[server(endpoint = "auth/login")]
pub async fn log_in(email: String, password: crate::domain::TypedPassword, next: Option<String>) -> Result<String, ApiError> {
    let s = services()?;
    let secret = s.backend.log_in(&email, password.as_str(), client_address(), s.clock.now()).await?;
    // The browser's previous session ends only once the credentials are right: a refused login
    // leaves its caller as they were, impersonation and all.
    if let Ok(previous) = authenticate() {
        end_session(&s, previous).await?;
    }
    s.hand_out(&secret).await?;
    Ok(super::navigation::safe_next(next.as_deref()))
}

/// Ends the session. Logging out while impersonating also stops the impersonation (rule 7).
/// The cookie goes only once the session has ended: a logout that fails leaves the browser
/// holding it, to try again, not a session alive on the server that no browser can end.
#[server(endpoint = "auth/logout")]
pub async fn log_out() -> Result<(), ApiError> {
    let s = services()?;
    if let Ok(session) = authenticate() {
        end_session(&s, session).await?;
    }
    s.take_back().await
}

/// Ends a session; ending one inside an impersonation is logging out of it (rule 7).
#[cfg(feature = "ssr")]
async fn end_session(s: &crate::backend::Services, session: crate::backend::RequestSession) -> Result<(), ApiError> {
    match session.principal.impersonation() {
        Some(imp) => {
            let (who, policy) = (session.principal, s.policy);
            let decide = Box::new(move |c: &_, now| crate::domain::rules::stop(c, &who, now, &policy));
            s.backend.decide(imp.subject.id(), SessionMove::End { session: session.key }, decide).await?;
        }
        None => s.backend.log_out(&session.key).await?,
    }
    Ok(())
}

/// Changes the password; the owner only, never an impersonator. Other sessions of the user end;
/// this one goes on under a new secret, so a copy of the old cookie is worth nothing.
#[server(endpoint = "account/password")]
pub async fn change_password(current: crate::domain::TypedPassword, new: crate::domain::TypedPassword) -> Result<(), ApiError> {
    let session = authenticate()?;
    let me = crate::domain::rules::may_change_credentials(&session.principal)?;
    let new = crate::domain::NewPassword::parse(new.as_str())?;
    let s = services()?;
    let secret = s.backend.change_password(me.id(), current.as_str(), new, &session.key).await?;
    s.hand_out(&secret).await
}

/// Changes the login email; the owner only, never an impersonator, and only with their password.
#[server(endpoint = "account/email")]
pub async fn change_email(email: String, current: crate::domain::TypedPassword) -> Result<(), ApiError> {
    let session = authenticate()?;
    let me = crate::domain::rules::may_change_credentials(&session.principal)?;
    let email = crate::domain::Email::parse(&email)?;
    services()?.backend.change_email(me.id(), email, current.as_str()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{ChangeEmail, ChangePassword, LogIn};

    /// A server function's arguments derive `Debug`: a log of the call must not print a password.
    #[test]
    fn a_call_printed_for_a_log_shows_no_password() {
        let log_in = LogIn { email: "ann@acme.test".into(), password: "correct horse battery".into(), next: None };
        let change = ChangePassword { current: "correct horse battery".into(), new: "tr0ub4dor and more".into() };
        let email = ChangeEmail { email: "ann.lee@acme.test".into(), current: "correct horse battery".into() };
        for printed in [format!("{log_in:?}"), format!("{change:?}"), format!("{email:?}")] {
            assert!(!printed.contains("correct horse") && !printed.contains("tr0ub4dor"), "{printed}");
        }
        assert!(format!("{log_in:?}").contains("ann@acme.test"), "the rest stays readable");
    }
}
