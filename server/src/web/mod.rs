//! The HTTP side: the router, and the layers every request passes before any handler runs.
//!
//! Order, outermost first: the request id and its trace span, security headers (and the page's CSP nonce), cookies, client address, the cross-site check, session resolution, the page guard, the render deadline, the page's data, then the Leptos
//! pages, the server functions (with their errors' statuses, and a body size limit) and the live channel.

mod api_status;
mod assets;
mod client;
mod csrf;
mod deadline;
mod events;
mod guard;
mod headers;
mod paths;
mod preload;
mod streams;

use crate::config::Settings;
use crate::store::Store;
use app::assets::{AssetNames, FrontEndHead};
use app::backend::Services;
use axum::Router;
use axum::extract::{FromRef, Request, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_cookies::CookieManagerLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use headers::CspNonce;
pub use paths::FRONT_END_DIR;
pub use streams::LiveStreams;

/// What the handlers share, behind one `Arc`: leptos_axum clones the router's state into the
/// context of every render and server function, and cloning the fields one by one (the Leptos
/// options' six shared strings among them, each an atomic count both cores write) and dropping
/// them again was about 7 % of a login page's CPU (perf).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The fields every handler reads through [`AppState`]: set at start-up, never written after.
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub store: Arc<Store>,
    pub services: Services,
    pub settings: Arc<Settings>,
    pub live_streams: LiveStreams,
    /// The front end's tags in every page head (see `app::assets`).
    pub head: FrontEndHead,
}

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// What every render and server function gets in its Leptos context: the services and the
/// page's CSP nonce.
fn context(services: Services) -> impl Fn() + Clone + Send + Sync + 'static {
    move || {
        provide_context(services.clone());
        if let Some(nonce) = leptos::prelude::with_context::<http::request::Parts, _>(|p| p.extensions.get::<CspNonce>().cloned()).flatten() {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0));
        }
    }
}

async fn server_fn(State(state): State<AppState>, request: Request) -> impl IntoResponse {
    leptos_axum::handle_server_fns_with_context(context(state.services.clone()), request).await
}

/// Why a hashed build's file names could not be read from its hash file.
#[derive(Debug, thiserror::Error)]
#[error("hash-files is on but {path} cannot be used ({reason}): ship the hash file that `cargo leptos build --release` wrote beside the server binary, or set LEPTOS_HASH_FILES=false for an unhashed build")]
pub struct HashFileError {
    path: String,
    reason: String,
}

/// The front end's file names: from the build's hash file beside this binary, or the plain names
/// of an unhashed build. Without them no page could name its stylesheet and scripts, so a hash
/// file that cannot be read or lacks a name stops the server at start-up.
pub fn asset_names(options: &LeptosOptions) -> Result<AssetNames, HashFileError> {
    if !options.hash_files {
        return Ok(AssetNames::unhashed(&options.output_name));
    }
    let beside = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())));
    let path = beside.unwrap_or_else(|| std::path::PathBuf::from(options.hash_file.as_ref()));
    let failed = |reason: String| HashFileError { path: path.display().to_string(), reason };
    let text = std::fs::read_to_string(&path).map_err(|error| failed(error.to_string()))?;
    AssetNames::parse(&text, &options.output_name).ok_or_else(|| failed("it lacks the css, js or wasm line".to_owned()))
}

/// Where the front end's files are served from. Either way a file goes out compressed at build
/// time (brotli and gzip beside each file) to a browser that accepts it, never compressed per request.
enum FrontEnd {
    /// A release build's: the site's files, read once, at start-up (see `assets`).
    InMemory(assets::AssetFiles),
    /// A development build's, or a release build's whose files could not be read: read on each
    /// request (the page's icon by Leptos's file handler).
    OnDisk,
}

/// Only hashed names promise files that do not change under this server; an unhashed build's
/// files are rebuilt in place.
fn front_end(options: &LeptosOptions) -> FrontEnd {
    if !options.hash_files {
        return FrontEnd::OnDisk;
    }
    match assets::AssetFiles::read(std::path::Path::new(options.site_root.as_ref())) {
        Ok(files) => FrontEnd::InMemory(files),
        Err(error) => {
            tracing::warn!(site = %options.site_root, %error, "cannot read the front end's files; serving them from disk");
            FrontEnd::OnDisk
        }
    }
}

/// The span a request's logs nest in: its id, method and path (never the query, which may carry
/// a `next` address or other personal detail).
fn request_span(request: &Request) -> tracing::Span {
    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let front_end = front_end(&state.leptos_options);
    let render_context = context(state.services.clone());
    let head = state.head.clone();
    let shell = move || app::shell(head.clone());
    let fallback_shell = { let shell = shell.clone(); move |_: LeptosOptions| shell() };
    let sessions = guard::Sessions { store: state.store.clone(), cookie: state.services.cookie.clone() };
    let layers = ServiceBuilder::new()
        // Every request gets an id (the `x-request-id` it came with, else a new one), a span
        // that the store's logs nest in, and one log line with its status and latency.
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(request_span).on_response(DefaultOnResponse::new().level(tracing::Level::INFO)))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(axum::middleware::from_fn_with_state(headers::HeaderSettings::new(state.settings.public_origin.as_deref(), state.leptos_options.hash_files), headers::security_headers))
        .layer(CookieManagerLayer::new())
        .layer(axum::middleware::from_fn_with_state(state.settings.clone(), client::client_address))
        .layer(axum::middleware::from_fn_with_state(state.settings.clone(), csrf::refuse_cross_site))
        .layer(axum::middleware::from_fn_with_state(sessions, guard::resolve_session))
        .layer(axum::middleware::from_fn(guard::guard_pages))
        .layer(axum::middleware::from_fn_with_state(state.settings.page_render_deadline, deadline::answer_within))
        .layer(axum::middleware::from_fn_with_state(state.services.clone(), preload::read_page_data))
        .layer(axum::middleware::from_fn(api_status::status_from_error))
        // Innermost: it changes the body type, which the layers above expect unchanged.
        .layer(RequestBodyLimitLayer::new(state.settings.request_body_limit));
    let router = match front_end {
        FrontEnd::InMemory(files) => files.router(),
        FrontEnd::OnDisk => {
            let pkg = std::path::Path::new(state.leptos_options.site_root.as_ref()).join(FRONT_END_DIR);
            Router::new().nest_service(&format!("/{FRONT_END_DIR}"), ServeDir::new(pkg).precompressed_br().precompressed_gzip())
        }
    };
    router
        .route(paths::LIVE_CHANNEL, get(events::stream))
        .route("/api/{*fn_name}", post(server_fn))
        .leptos_routes_with_context(&state, routes, render_context.clone(), shell)
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(render_context, fallback_shell))
        .layer(layers)
        .with_state(state)
}
