//! A page's first data, read before the server draws the page.
//!
//! Why: a page drawn around a read still on its way costs the server a suspense (its tree is
//! walked to find what it waits for, then walked again to draw it), a task for the read, and the
//! read's answer moving between threads. Measured, that was about a fifth of a logged-in page's
//! work on the server (issue 11). With the data read first, the page is drawn in one pass, and the
//! browser hydrates from the same value, which the page carries.
//!
//! The read is the page's own server function with the arguments the page starts with (no search,
//! the first page), run in the context a server function gets: the same answer the browser would
//! get by asking. A page not listed here, or whose data is of another type, reads as before.

use crate::api::ApiError;
use crate::backend::{RequestSession, Services};
use leptos::prelude::{Owner, provide_context};
use leptos::reactive::computed::ScopedFuture;
use std::any::Any;
use std::sync::Arc;

/// A page's first read as its server function answered it, carried in the request's extensions.
/// Type-erased so one extension carries any page's; a page takes it only as its own data type.
#[derive(Clone)]
pub struct Preloaded(Arc<dyn Any + Send + Sync>);

impl Preloaded {
    fn new<T: Send + Sync + 'static>(read: Result<T, ApiError>) -> Preloaded {
        Preloaded(Arc::new(read))
    }

    /// The read, if it is of type `T`.
    pub fn of<T: Clone + 'static>(&self) -> Option<Result<T, ApiError>> {
        self.0.downcast_ref::<Result<T, ApiError>>().cloned()
    }
}

/// The pages whose data is read before drawing them (their paths as the router knows them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirstRead {
    Home,
    Profile,
    Switcher,
    Audit,
}

impl FirstRead {
    pub fn of_path(path: &str) -> Option<FirstRead> {
        match path {
            "/" => Some(FirstRead::Home),
            "/profile" => Some(FirstRead::Profile),
            "/impersonate" => Some(FirstRead::Switcher),
            "/audit" => Some(FirstRead::Audit),
            _ => None,
        }
    }

    /// Runs the page's read for the request's session, as its server function.
    pub async fn run(self, session: RequestSession, services: Services) -> Preloaded {
        // What `authenticate()` reads: the request head's extensions. Only the session goes in:
        // a read needs nothing else of the request, and copying its head costs every page.
        let (mut parts, ()) = http::Request::new(()).into_parts();
        parts.extensions.insert(session);
        let owner = Owner::new();
        let read = owner.with(|| {
            ScopedFuture::new(async move {
                provide_context(parts);
                provide_context(services);
                match self {
                    FirstRead::Home => Preloaded::new(crate::api::home::load_home().await),
                    FirstRead::Profile => Preloaded::new(crate::api::profile::load_profile().await),
                    FirstRead::Switcher => Preloaded::new(crate::api::impersonation::load_switcher(Some(String::new()), Some(0)).await),
                    FirstRead::Audit => Preloaded::new(crate::api::audit::audit_log(Some(0)).await),
                }
            })
        });
        read.await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{Home, Task};
    use crate::domain::{TaskId, Timestamp};
    use leptos::prelude::*;

    /// Draws the home page as the server would, synchronously (no waiting for any read), with
    /// `read` as the request's first read if any, and without the services a read would need.
    fn home_drawn_at_once(read: Option<Preloaded>) -> String {
        let owner = Owner::new();
        owner.set();
        leptos_meta::provide_meta_context();
        crate::ui::Refresh::provide();
        let (mut parts, ()) = http::Request::new(()).into_parts();
        if let Some(read) = read {
            parts.extensions.insert(read);
        }
        provide_context(parts);
        view! { <crate::pages::HomePage /> }.to_html()
    }

    fn acme_home() -> Home {
        let task = Task {
            id: TaskId::from_uuid(uuid::Uuid::nil()),
            title: "Water the plants".to_owned(),
            done: false,
            created_by: "Ann".to_owned(),
            created_at: Timestamp::from_unix_millis(0),
        };
        Home::Tenant { tenant_name: "Acme".to_owned(), tasks: vec![task], read_only: None, revision: 0 }
    }

    #[test]
    fn a_page_read_first_is_drawn_at_once_from_that_read() {
        let html = home_drawn_at_once(Some(Preloaded::new(Ok::<_, ApiError>(acme_home()))));
        assert!(html.contains("Water the plants"), "{html}");
        assert!(!html.contains("Loading"), "{html}");
    }

    #[test]
    fn a_page_without_a_read_first_waits_for_its_own() {
        // Already set by another test in this process is fine.
        let _ = any_spawner::Executor::init_futures_executor();
        let html = home_drawn_at_once(None);
        assert!(html.contains("Loading"), "{html}");
        assert!(!html.contains("Water the plants"), "{html}");
    }

    #[test]
    fn a_read_first_that_failed_is_drawn_as_the_page_error() {
        let html = home_drawn_at_once(Some(Preloaded::new(Err::<Home, _>(ApiError::Unauthenticated))));
        assert!(html.contains("Your session has ended."), "{html}");
    }

    #[test]
    fn the_pages_with_data_are_read_first_and_nothing_else_is() {
        assert_eq!(FirstRead::of_path("/"), Some(FirstRead::Home));
        assert_eq!(FirstRead::of_path("/profile"), Some(FirstRead::Profile));
        assert_eq!(FirstRead::of_path("/impersonate"), Some(FirstRead::Switcher));
        assert_eq!(FirstRead::of_path("/audit"), Some(FirstRead::Audit));
        for other in ["/login", "/profile/", "/api/home", "/pkg/impersonate.wasm", "/nowhere", ""] {
            assert_eq!(FirstRead::of_path(other), None, "{other}");
        }
    }

    #[test]
    fn a_page_takes_a_read_only_as_its_own_type() {
        let read = Preloaded::new(Ok::<_, ApiError>(Home::SuperAdmin));
        assert_eq!(read.of::<Home>(), Some(Ok(Home::SuperAdmin)));
        assert_eq!(read.of::<String>(), None);
        let failed = Preloaded::new(Err::<Home, _>(ApiError::Unauthenticated));
        assert_eq!(failed.of::<Home>(), Some(Err(ApiError::Unauthenticated)));
    }
}
