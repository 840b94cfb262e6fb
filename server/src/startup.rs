//! Building and running the application: database, store, services, router, listener, sweeper.

use crate::clock::SystemClock;
use crate::config::Settings;
use crate::store::Store;
use crate::web::{self, AppState};
use app::backend::{Backend, Clock, Services, SessionCookie};
use leptos::config::LeptosOptions;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use axum::serve::ListenerExt;
use tokio::net::TcpListener;

/// How often the sweeper records time-based ends and removes over sessions.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("site-pkg-dir is {0:?}, but this server serves its front end from {dir:?} only: set site-pkg-dir = {dir:?} in Leptos.toml and in Cargo.toml's [[workspace.metadata.leptos]], which the build reads (or unset LEPTOS_SITE_PKG_DIR)", dir = web::FRONT_END_DIR)]
    FrontEndDir(String),
    #[error(transparent)]
    HashFile(#[from] web::HashFileError),
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Connects and migrates the database and binds the listener (port 0 picks a free port).
    pub async fn build(settings: Settings, leptos_options: LeptosOptions, clock: Arc<dyn Clock>) -> Result<Application, StartError> {
        if *leptos_options.site_pkg_dir != *web::FRONT_END_DIR {
            return Err(StartError::FrontEndDir(leptos_options.site_pkg_dir.to_string()));
        }
        let names = web::asset_names(&leptos_options)?;
        let head = app::assets::FrontEndHead::new(&names, &leptos_options, std::env::var_os("LEPTOS_WATCH").is_some());
        let db = crate::db::connect(&settings.database_url, settings.database_max_connections).await?;
        let store = Arc::new(Store::new(db, clock.clone(), &settings));
        let addr = leptos_options.site_addr;
        let listener = TcpListener::bind(addr).await.map_err(|source| StartError::Listen { addr, source })?;
        let services = Services {
            backend: store.clone() as Arc<dyn Backend>,
            clock,
            policy: settings.policy,
            cookie: SessionCookie::new(settings.cookie_secure, settings.sessions.lifetime),
        };
        let state = AppState::new(web::Shared { leptos_options, store, services, live_streams: web::LiveStreams::new(settings.live), settings: Arc::new(settings), head });
        Ok(Application { listener, state })
    }

    /// With the real clock.
    pub async fn build_with_system_clock(settings: Settings, leptos_options: LeptosOptions) -> Result<Application, StartError> {
        Application::build(settings, leptos_options, Arc::new(SystemClock)).await
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn store(&self) -> Arc<Store> {
        self.state.store.clone()
    }

    /// Serves until the process is asked to stop.
    pub async fn run(self) -> std::io::Result<()> {
        let store = self.state.store.clone();
        // Other instances' changes (PostgreSQL), heard for as long as this server runs.
        let _listener = crate::store::changes::listen(store.db(), store.changes().clone()).map(AbortOnDrop);
        // Lives exactly as long as this future: a server that is stopped or dropped (as a test's
        // server is) takes its sweeper, and the sweeper's hold on the database pool, with it.
        let _sweeper = AbortOnDrop(tokio::spawn(async move {
            let mut every = tokio::time::interval(SWEEP_EVERY);
            loop {
                every.tick().await;
                if let Err(error) = store.sweep().await {
                    tracing::warn!(%error, "sweep failed; the next one will retry");
                }
            }
        }));
        let router = web::router(self.state);
        // Responses written in several pieces (files, pages) would otherwise wait ~40 ms for the
        // client's delayed ACK before their last piece goes out (Nagle's algorithm).
        let listener = self.listener.tap_io(|stream| {
            if let Err(error) = stream.set_nodelay(true) {
                tracing::debug!(%error, "could not set TCP_NODELAY");
            }
        });
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await
    }
}

/// A background task that ends when its owner is dropped, however the owner ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[tokio::test]
    async fn a_front_end_directory_the_server_does_not_serve_is_refused_before_anything_starts() {
        let settings = Settings::from_sources(&HashMap::new(), |key| (key == "DATABASE_URL").then(|| "sqlite::memory:".to_owned())).expect("settings");
        let options = LeptosOptions::builder().output_name("impersonate").site_pkg_dir("static").build();
        let refused = Application::build(settings, options, Arc::new(SystemClock)).await.err();
        assert!(matches!(&refused, Some(StartError::FrontEndDir(dir)) if dir == "static"), "{refused:?}");
    }
}
