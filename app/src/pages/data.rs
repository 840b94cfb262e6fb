//! A page's data: read once with the page, then kept current in place.
//!
//! Why not a `Resource` re-read under `<Transition>`, the usual Leptos pattern: a re-read re-runs
//! the transition's `Suspend`, which re-creates every component under it, so a live refresh tore
//! down an open menu, a dialog, focus and scroll. Here the first read is never re-read, so the page
//! is built once. Later reads (after an action, or when the live channel says something changed)
//! land in a signal, and the page's views follow it in place.
//!
//! The first read comes one of two ways:
//! - A page the server draws has it already (see `preload`): the page is drawn at once, and the
//!   value travels in the page to the browser, which hydrates from it.
//! - A page the browser reaches by navigating reads it under a `<Transition>`: the page shows once
//!   it is in. (The server takes this way too for a page it has no read for.)
//!
//! Pages create their `PageData` at their top, outside any `<Suspense>`: a resource created inside
//! a suspense's children is created again on every server-side pass over them, which fetched twice
//! and could leave a response waiting forever.

use super::{PageError, loading};
use crate::api::ApiError;
use crate::api::codec::Resource;
use crate::ui::ErrorMessage;
use crate::ui::IntoAnySync;
use crate::api::codec::Json;
use leptos::either::Either;
use leptos::prelude::*;
use serde::{Serialize, de::DeserializeOwned};
use std::future::Future;

pub struct PageData<T: Send + Sync + 'static> {
    first: First<T>,
    /// The newest successful re-read; `None` until one has arrived.
    latest: RwSignal<Option<T>>,
    /// Why the newest re-read failed; the page keeps showing what it had.
    refresh_error: RwSignal<Option<ApiError>>,
    /// A re-read is on its way.
    refreshing: RwSignal<bool>,
}

enum First<T: Send + Sync + 'static> {
    /// Read before the page was drawn.
    Read(Result<T, ApiError>),
    /// On its way.
    Reading(Resource<Result<T, ApiError>>),
}

impl<T> PageData<T>
where
    T: Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    /// `fetch` reads the data; `changed` reads the signals whose change means "read again".
    pub fn new<Fut>(changed: impl Fn() + 'static, fetch: impl Fn() -> Fut + Copy + Send + Sync + 'static) -> PageData<T>
    where
        Fut: Future<Output = Result<T, ApiError>> + Send + 'static,
    {
        // Created in the same order on both sides, so the browser finds the server's value.
        let first = match SharedValue::<_, Json>::new_with_encoding(read_before_drawing::<T>).into_inner() {
            Some(read) => First::Read(read),
            None => First::Reading(Resource::new_with_options(|| (), move |()| fetch(), false)),
        };
        let (latest, refresh_error, refreshing) = (RwSignal::new(None), RwSignal::new(None), RwSignal::new(false));
        // Effects run only in the browser, after hydration: the first run just subscribes.
        let generation = StoredValue::new(0_u64);
        Effect::new(move |subscribed: Option<()>| {
            changed();
            if subscribed.is_none() {
                return;
            }
            generation.update_value(|g| *g += 1);
            let ticket = generation.get_value();
            refreshing.set(true);
            leptos::task::spawn_local(async move {
                let result = fetch().await;
                // An older read that answers late must not overwrite a newer one.
                if generation.try_get_value() != Some(ticket) {
                    return;
                }
                match result {
                    Ok(value) => {
                        latest.set(Some(value));
                        refresh_error.set(None);
                    }
                    Err(error) => refresh_error.set(Some(error)),
                }
                refreshing.set(false);
            });
        });
        PageData { first, latest, refresh_error, refreshing }
    }

    /// Renders the page once its first read is in: `page` gets a signal of the current data.
    pub fn view<V: IntoView + 'static>(self, page: impl FnOnce(Signal<T>) -> V + Send + Sync + 'static) -> impl IntoView {
        let PageData { first, latest, refresh_error, refreshing } = self;
        let shown = move |first: Result<T, ApiError>| match first {
            Ok(loaded) => {
                let current = Memo::new(move |_| latest.get().unwrap_or_else(|| loaded.clone()));
                view! {
                    <div class="page-data" aria-busy=move || refreshing.get().to_string()>
                        {move || refresh_error.get().map(|error| view! { <ErrorMessage error /> })}
                        {page(current.into())}
                    </div>
                }
                .into_any_sync()
            }
            Err(error) => view! { <PageError error /> }.into_any_sync(),
        };
        match first {
            First::Read(read) => Either::Left(shown(read)),
            First::Reading(reading) => Either::Right(view! {
                <Transition fallback=loading>
                    // One `Suspend`, not a closure that makes one: the server's suspense walks its
                    // children before it draws them, and a closure would build the page on each
                    // walk. The first read is never re-read, so nothing needs to make another.
                    {Suspend::new(async move { shown(reading.await) })}
                </Transition>
            }),
        }
    }
}

/// The page's first read if the server did it before drawing (see `preload`); in the browser,
/// `None`: a hydrating browser takes the server's answer instead of calling this.
#[cfg(feature = "ssr")]
fn read_before_drawing<T: Clone + 'static>() -> Option<Result<T, ApiError>> {
    leptos::prelude::with_context::<http::request::Parts, _>(|parts| parts.extensions.get::<super::Preloaded>().and_then(|read| read.of::<T>())).flatten()
}

#[cfg(not(feature = "ssr"))]
fn read_before_drawing<T>() -> Option<Result<T, ApiError>> {
    None
}
