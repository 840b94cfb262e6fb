//! A view wrapper that drops the second, asynchronous copy of hydration code (issue 11, the WASM
//! budget).
//!
//! Every `AnyView` (each `.into_any()`, each route's page, each `Children` prop) keeps a pointer to
//! its view's `hydrate_async`, so the linker must keep an async copy of the whole view tree's
//! hydration beside the ordinary one (Leptos issue 4852). This app hydrates with `hydrate_body`,
//! which only ever calls the synchronous `hydrate`: `hydrate_async` is only reached for lazy routes
//! (`hydrate_lazy`), which the router refuses under `hydrate_body` anyway. Wrapped in [`SyncHydrate`],
//! a view keeps every method of its own except `hydrate_async`, which falls back to the trait's
//! default: run the synchronous `hydrate`. Behaviour is the same; the async copy is never built.
//!
//! Use it where a view is type-erased: `SyncHydrate(view! { … }).into_any()`, a page component's return
//! value (the router erases it), and the content of a `Children` prop.

use leptos::prelude::*;
use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::ssr::StreamBuilder;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Position, PositionState, Render, RenderHtml};

/// See the module: a view whose asynchronous hydration is its synchronous one.
pub struct SyncHydrate<V>(pub V);

impl<V: Render> Render for SyncHydrate<V> {
    type State = V::State;

    fn build(self) -> Self::State {
        self.0.build()
    }

    fn rebuild(self, state: &mut Self::State) {
        self.0.rebuild(state)
    }
}

impl<V: RenderHtml> RenderHtml for SyncHydrate<V> {
    type AsyncOutput = SyncHydrate<V::AsyncOutput>;
    type Owned = SyncHydrate<V::Owned>;

    const MIN_LENGTH: usize = V::MIN_LENGTH;
    const EXISTS: bool = V::EXISTS;

    fn dry_resolve(&mut self) {
        self.0.dry_resolve();
    }

    async fn resolve(self) -> Self::AsyncOutput {
        SyncHydrate(self.0.resolve().await)
    }

    fn html_len(&self) -> usize {
        self.0.html_len()
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        self.0.to_html_with_buf(buf, position, escape, mark_branches, extra_attrs);
    }

    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) where
        Self: Sized,
    {
        self.0.to_html_async_with_buf::<OUT_OF_ORDER>(buf, position, escape, mark_branches, extra_attrs);
    }

    fn hydrate<const FROM_SERVER: bool>(self, cursor: &Cursor, position: &PositionState) -> Self::State {
        self.0.hydrate::<FROM_SERVER>(cursor, position)
    }

    // `hydrate_async` is deliberately not forwarded: the trait's default calls `hydrate`.

    fn into_owned(self) -> Self::Owned {
        SyncHydrate(self.0.into_owned())
    }
}

impl<V: AddAnyAttr> AddAnyAttr for SyncHydrate<V> {
    type Output<SomeNewAttr: Attribute> = SyncHydrate<V::Output<SomeNewAttr>>;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        SyncHydrate(self.0.add_any_attr(attr))
    }
}

/// `.into_any()` without the async copy: `view! { … }.into_any_sync()`.
pub trait IntoAnySync: Sized {
    fn into_any_sync(self) -> AnyView;
}

impl<V: RenderHtml + Send + 'static> IntoAnySync for V {
    fn into_any_sync(self) -> AnyView {
        SyncHydrate(self).into_any()
    }
}
