//! A page's data: read once with the page, then kept current in place.
//!
//! Why not a `Resource` re-read under `<Transition>`, the usual Leptos pattern: a re-read re-runs
//! the transition's `Suspend`, which re-creates every component under it, so a live refresh tore
//! down an open menu, a dialog, focus and scroll. Here the transition awaits a resource that is
//! never re-read: the server serializes it into the page and hydration takes it back from there,
//! without a second fetch, so the page is built once. Later reads (after an action, or when the live
//! channel says something changed) land in a signal, and the page's views follow it in place.
//!
//! Pages create their `PageData` at their top, outside any `<Suspense>`: a resource created inside
//! a suspense's children is created again on every server-side pass over them, which fetched twice
//! and could leave a response waiting forever.

use super::{PageError, loading};
use crate::api::ApiError;
use crate::api::codec::Resource;
use crate::ui::ErrorMessage;
use crate::ui::IntoAnySync;
use leptos::prelude::*;
use serde::{Serialize, de::DeserializeOwned};
use std::future::Future;

pub struct PageData<T: Send + Sync + 'static> {
    first: Resource<Result<T, ApiError>>,
    /// The newest successful re-read; `None` until one has arrived.
    latest: RwSignal<Option<T>>,
    /// Why the newest re-read failed; the page keeps showing what it had.
    refresh_error: RwSignal<Option<ApiError>>,
    /// A re-read is on its way.
    refreshing: RwSignal<bool>,
}

impl<T: Send + Sync + 'static> Clone for PageData<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for PageData<T> {}

impl<T> PageData<T>
where
    T: Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    /// `fetch` reads the data; `changed` reads the signals whose change means "read again".
    pub fn new<Fut>(changed: impl Fn() + 'static, fetch: impl Fn() -> Fut + Copy + Send + Sync + 'static) -> PageData<T>
    where
        Fut: Future<Output = Result<T, ApiError>> + Send + 'static,
    {
        let data = PageData {
            first: Resource::new_with_options(|| (), move |()| fetch(), false),
            latest: RwSignal::new(None),
            refresh_error: RwSignal::new(None),
            refreshing: RwSignal::new(false),
        };
        // Effects run only in the browser, after hydration: the first run just subscribes.
        let generation = StoredValue::new(0_u64);
        Effect::new(move |subscribed: Option<()>| {
            changed();
            if subscribed.is_none() {
                return;
            }
            generation.update_value(|g| *g += 1);
            let ticket = generation.get_value();
            data.refreshing.set(true);
            leptos::task::spawn_local(async move {
                let result = fetch().await;
                // An older read that answers late must not overwrite a newer one.
                if generation.try_get_value() != Some(ticket) {
                    return;
                }
                match result {
                    Ok(value) => {
                        data.latest.set(Some(value));
                        data.refresh_error.set(None);
                    }
                    Err(error) => data.refresh_error.set(Some(error)),
                }
                data.refreshing.set(false);
            });
        });
        data
    }

    /// Renders the page once its first read is in: `page` gets a signal of the current data.
    pub fn view<V: IntoView + 'static>(self, page: impl FnOnce(Signal<T>) -> V + Send + Sync + 'static) -> impl IntoView {
        let PageData { first, latest, refresh_error, refreshing } = self;
        view! {
            <Transition fallback=loading>
                // One `Suspend`, not a closure that makes one: the server's suspense walks its
                // children before it draws them, and a closure would build the page on each walk.
                // The first read is never re-read, so nothing needs to make another.
                {Suspend::new(async move {
                    match first.await {
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
                    }
                })}
            </Transition>
        }
    }
}
