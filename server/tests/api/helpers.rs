//! Spawning the app and talking to it the way a browser does: cookies, forms to server functions,
//! JSON back.

use app::api::ApiError;
use app::api::types::{ConsentState, LiveStatus, Profile, Switcher, Viewer};
use app::domain::{Role, TenantId, Timestamp, UserId};
use leptos::config::LeptosOptions;
use reqwest::{Client, Response, StatusCode};
use serde::de::DeserializeOwned;
use server::Application;
use server::clock::ManualClock;
use server::config::Settings;
use server::store::{NewUser, Store};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub const PASSWORD: &str = "a long enough password";
/// 2026-11-27T12:00:00Z: the tests' "now" until they move the clock.
pub const T0: Timestamp = Timestamp::from_unix_millis(1_795_780_800_000);
pub const HOUR: Duration = Duration::from_secs(3600);
pub const MS: Duration = Duration::from_millis(1);
/// The stylesheet each test server's site holds.
pub const TEST_STYLESHEET: &str = "body { color: black; }";

pub struct TestApp {
    pub address: String,
    pub clock: Arc<ManualClock>,
    pub store: Arc<Store>,
    pub settings: Settings,
    pub acme: TenantId,
    pub people: HashMap<&'static str, UserId>,
    /// The directory the server serves its front end from.
    pub site: std::path::PathBuf,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    _time_limit: TimeLimit,
    _dir: tempfile::TempDir,
}

/// A test's server stops with the test, taking its sweeper and its database connections with it.
impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        // The first poll marks the pool closed: connections still out are closed when returned,
        // so a long run of tests never piles up PostgreSQL connections.
        let _ = futures::FutureExt::now_or_never(self.store.db().close_by_ref());
    }
}

/// How long one test may keep a server. A hang then fails the run within minutes, naming the
/// test, instead of eating CI's whole budget.
pub const TEST_TIME_LIMIT: Duration = Duration::from_secs(180);
/// How long one request may take before the test fails naming it.
pub const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(60);

/// A watchdog for the test that owns it. `tokio::time::timeout` would not do: it cannot fire
/// while the test's runtime thread is stuck, and a hang is exactly when it is needed.
pub struct TimeLimit(Option<std::sync::mpsc::Sender<()>>);

impl TimeLimit {
    pub fn start() -> TimeLimit {
        let test = std::thread::current().name().unwrap_or("an integration test").to_owned();
        let (done, finished) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = finished.recv_timeout(TEST_TIME_LIMIT) {
                eprintln!("\n'{test}' still running after {TEST_TIME_LIMIT:?}: it hangs; stopping the test run");
                std::process::exit(101);
            }
        });
        TimeLimit(Some(done))
    }
}

impl Drop for TimeLimit {
    fn drop(&mut self) {
        if let Some(done) = self.0.take() {
            let _ = done.send(());
        }
    }
}

/// Every server function the server registered, as the endpoint after `/api/`, sorted: the tables
/// of calls in the tests are checked against it, so a new server function cannot be forgotten.
pub fn registered_endpoints() -> Vec<String> {
    let mut endpoints: Vec<String> = server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    endpoints.sort();
    endpoints
}

/// Who the tests log in as: two users of Acme, one of Globex, two super admins.
pub const ANN: &str = "ann@acme.test";
pub const BOB: &str = "bob@acme.test";
pub const GUS: &str = "gus@globex.test";
pub const ADA: &str = "ada@vendor.test";
pub const SAM: &str = "sam@vendor.test";

/// Server logs show in a failing test's output (`RUST_LOG=debug` for more).
fn init_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn,sqlx=error".into());
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    });
}

/// Leptos's options for a test server on a free port: the site's root, the build's hash file, and
/// whether file names are hashed (as in a release build).
pub fn test_leptos_options(site_root: &std::path::Path, hash_file: &std::path::Path, hashed: bool) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("impersonate")
        .site_addr(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .site_root(site_root.display().to_string())
        .hash_files(hashed)
        .hash_file(hash_file.display().to_string().into())
        .build()
}

pub fn test_settings() -> Settings {
    init_logs();
    let mut settings = Settings::from_sources(&HashMap::new(), |_| None).expect("defaults are valid");
    settings.live.interval = Duration::from_millis(100);
    // Tests move the clock by hand, so a channel re-checks often instead of sleeping until a
    // window's end in real time; the tests of pushed changes set it long again.
    settings.live.recheck = Duration::from_millis(100);
    settings.database_max_connections = 4;
    // Tests log many people in at once (twelve super admins racing a disallow): on a loaded
    // machine their hashes may queue past the 2 s a login waits in production, which would fail
    // the test with "busy" for no fault of the code. The test of that bound sets its own.
    settings.hashing.max_wait = Duration::from_secs(60);
    // Longer than the 24 h windows, so tests can jump across a whole window without the
    // sessions idling out; the session tests read the value from `app.settings`.
    settings.sessions.idle_timeout = 2 * 24 * HOUR;
    settings
}

/// With `IMPERSONATE_TEST_POSTGRES=postgres://user:password@host:port` set, every test gets its
/// own new PostgreSQL database (named `itest_…`; `make test-postgres` drops old ones first).
async fn fresh_postgres_database(server: &str) -> String {
    use sea_orm::{ConnectionTrait, Database};
    let server = server.trim_end_matches('/');
    let name = format!("itest_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(format!("{server}/postgres")).await.expect("PostgreSQL answers");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("a new database");
    admin.close().await.expect("closed");
    format!("{server}/{name}")
}

/// A new, empty database (SQLite in a temporary directory, or PostgreSQL as above) for a test that
/// needs no server: its URL, and the directory to keep while it is used.
pub async fn empty_database() -> (String, tempfile::TempDir) {
    init_logs();
    let dir = tempfile::tempdir().expect("a temp dir");
    let url = match std::env::var("IMPERSONATE_TEST_POSTGRES") {
        Ok(server) => fresh_postgres_database(&server).await,
        Err(_) => format!("sqlite://{}/test.db?mode=rwc", dir.path().display()),
    };
    (url, dir)
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
        TestApp::spawn_with_site(configure, false, &[]).await
    }

    /// `hashed_assets`: as a release build, whose front-end file names carry their hashes.
    /// `files` are written before the server starts, below the test's own directory: `site/` is
    /// the site's root, and a `hash.txt` beside it the build's hash file (a release build keeps it
    /// beside its binary, out of the site).
    pub async fn spawn_with_site(configure: impl FnOnce(&mut Settings), hashed_assets: bool, files: &[(&str, &[u8])]) -> TestApp {
        let time_limit = TimeLimit::start();
        let dir = tempfile::tempdir().expect("a temp dir");
        let mut settings = test_settings();
        settings.database_url = match std::env::var("IMPERSONATE_TEST_POSTGRES") {
            Ok(server) => fresh_postgres_database(&server).await,
            Err(_) => format!("sqlite://{}/test.db?mode=rwc", dir.path().display()),
        };
        configure(&mut settings);
        // A site of its own, so static files are there whether or not the front end was built.
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("pkg")).expect("a site dir");
        std::fs::write(site.join("pkg").join("impersonate.css"), TEST_STYLESHEET).expect("a stylesheet");
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).expect("a site file");
        }
        let options = test_leptos_options(&site, &dir.path().join("hash.txt"), hashed_assets);
        let clock = Arc::new(ManualClock::starting_at(T0));
        let application = Application::build(settings.clone(), options, clock.clone()).await.expect("the app builds");
        let address = format!("http://{}", application.local_addr().expect("bound"));
        let store = application.store();
        let server = tokio::spawn(application.run());

        let acme = store.create_tenant("Acme", T0).await.expect("tenant");
        let globex = store.create_tenant("Globex", T0).await.expect("tenant");
        let mut people = HashMap::new();
        for (name, email, role, tenant) in [
            ("Ann Lee", ANN, Role::User, Some(acme)),
            ("Bob Stone", BOB, Role::User, Some(acme)),
            ("Gus Grant", GUS, Role::User, Some(globex)),
            ("Ada Admin", ADA, Role::SuperAdmin, None),
            ("Sam Support", SAM, Role::SuperAdmin, None),
        ] {
            let new = NewUser { name: name.into(), email: email.into(), password: PASSWORD.into(), role, tenant };
            people.insert(email, store.create_user(new, T0).await.expect("user"));
        }
        TestApp { address, clock, store, settings, acme, people, site, server, _time_limit: time_limit, _dir: dir }
    }

    pub fn id(&self, email: &str) -> UserId {
        self.people[email]
    }

    /// A second server instance on the same database and clock, as a load balancer's second
    /// backend would be: its own process state (live channels, turns), nothing else.
    pub async fn another_instance(&self) -> TestApp {
        let time_limit = TimeLimit::start();
        let dir = tempfile::tempdir().expect("a temp dir");
        let options = LeptosOptions::builder()
            .output_name("impersonate")
            .site_addr(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
            .site_root(self.site.display().to_string())
            .build();
        let application = Application::build(self.settings.clone(), options, self.clock.clone()).await.expect("the app builds");
        let address = format!("http://{}", application.local_addr().expect("bound"));
        let store = application.store();
        let server = tokio::spawn(application.run());
        TestApp {
            address,
            clock: self.clock.clone(),
            store,
            settings: self.settings.clone(),
            acme: self.acme,
            people: self.people.clone(),
            site: self.site.clone(),
            server,
            _time_limit: time_limit,
            _dir: dir,
        }
    }

    /// A fresh browser: its own cookie jar, sending our own Origin like a same-origin page.
    pub fn browser(&self) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("origin", self.address.parse().expect("origin"));
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .timeout(REQUEST_TIME_LIMIT)
            .build()
            .expect("client");
        Browser { client, jar, address: self.address.clone() }
    }

    /// A browser holding this session cookie value and nothing else: a copy someone took, an old
    /// one, a forged one.
    pub fn browser_holding(&self, cookie: &str) -> Browser {
        let browser = self.browser();
        browser.set_session_cookie(cookie);
        browser
    }

    /// A browser logged in as `email`.
    pub async fn log_in(&self, email: &str) -> Browser {
        let browser = self.browser();
        let response = browser.log_in(email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK, "{email} logs in");
        browser
    }

    /// People of a new tenant, stored directly (they never log in, so no password is hashed),
    /// who each allow impersonation now, through the rules as the profile's Allow would.
    pub async fn allowing_people(&self, tenant: &str, names: &[String]) -> Vec<UserId> {
        use app::backend::{Backend, SessionMove};
        use sea_orm::{ActiveModelTrait, Set};
        let tenant = self.store.create_tenant(tenant, self.now()).await.expect("a tenant");
        let mut ids = Vec::new();
        for name in names {
            let id = UserId::from_uuid(uuid::Uuid::new_v4());
            let email = format!("{}@people.test", name.to_lowercase().replace(' ', "."));
            server::db::entities::user::ActiveModel {
                id: Set(id.uuid()),
                tenant_id: Set(Some(tenant.uuid())),
                name: Set(name.clone()),
                email: Set(email.clone()),
                email_normalized: Set(email),
                password_hash: Set(server::db::entities::user::StoredHash::from_stored("never used".into())),
                role: Set(Role::User.as_str().into()),
                consent_version: Set(0),
                password_version: Set(0),
                created_at: Set(server::db::to_db_time(self.now())),
            }
            .insert(self.store.db())
            .await
            .expect("a person");
            let (policy, grant) = (self.settings.policy, app::domain::GrantId::from_uuid(uuid::Uuid::new_v4()));
            let who = app::domain::Principal::Own(app::domain::Account::from_parts(id, Role::User, Some(tenant)).expect("a user"));
            let allow = Box::new(move |c: &_, now| app::domain::rules::allow(c, &who, now, &policy, grant, policy.default_terms()));
            self.store.decide(id, SessionMove::Stay, allow).await.expect("allowed");
            ids.push(id);
        }
        ids
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    /// The consent as the store has it.
    pub async fn consent_of(&self, user: UserId) -> app::domain::Consent {
        use app::backend::Backend;
        self.store.consent(user).await.expect("a consent").consent
    }

    /// Every impersonation of a user ever stored, with its grant.
    pub async fn all_impersonations_of(&self, user: UserId) -> Vec<(app::domain::Impersonation, app::domain::Grant)> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use server::db::entities::{grant, impersonation};
        use server::store::rows::{grant_of, impersonation_of};
        let grants = grant::Entity::find().filter(grant::Column::UserId.eq(user.uuid())).all(self.store.db()).await.expect("grants");
        let mut all = Vec::new();
        for g in grants {
            let rows = impersonation::Entity::find().filter(impersonation::Column::GrantId.eq(g.id)).all(self.store.db()).await.expect("rows");
            all.extend(rows.iter().map(|i| (impersonation_of(i), grant_of(&g))));
        }
        all
    }

    pub async fn grant_count(&self, user: UserId) -> u64 {
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        use server::db::entities::grant;
        grant::Entity::find().filter(grant::Column::UserId.eq(user.uuid())).count(self.store.db()).await.expect("count")
    }

    pub fn now(&self) -> Timestamp {
        use app::backend::Clock;
        self.clock.now()
    }
}

pub struct Browser {
    pub client: Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    pub address: String,
}

impl Browser {
    /// Calls a server function with form fields, as Leptos's client does.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(format!("{}/api/{endpoint}", self.address)).form(form).send().await.expect("the server answers")
    }

    /// Calls a server function that must succeed and returns its value.
    pub async fn ok<T: DeserializeOwned>(&self, endpoint: &str, form: &[(&str, &str)]) -> T {
        let response = self.call(endpoint, form).await;
        let status = response.status();
        let body = response.text().await.expect("a body");
        assert!(status.is_success(), "{endpoint} failed with {status}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{endpoint} answered {body}: {e}"))
    }

    /// Calls a server function that must fail and returns the error.
    pub async fn fails(&self, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, ApiError) {
        let response = self.call(endpoint, form).await;
        let status = response.status();
        let body = response.text().await.expect("a body");
        assert!(!status.is_success(), "{endpoint} unexpectedly succeeded: {body}");
        (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{endpoint} answered {body}: {e}")))
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(format!("{}{path}", self.address)).send().await.expect("the server answers")
    }

    pub async fn log_in(&self, email: &str, password: &str) -> Response {
        self.call("auth/login", &[("email", email), ("password", password), ("next", "")]).await
    }

    pub async fn viewer(&self) -> Option<Viewer> {
        self.ok("session/viewer", &[]).await
    }

    pub async fn status(&self) -> LiveStatus {
        self.ok("session/status", &[]).await
    }

    pub async fn profile(&self) -> Profile {
        self.ok("profile", &[]).await
    }

    pub async fn consent_state(&self) -> ConsentState {
        self.profile().await.consent.state
    }

    pub async fn allows(&self) {
        self.allows_on(&[]).await;
    }

    /// Allows on the terms the confirm dialog sends (`access`, `duration_ms`); none: the defaults.
    pub async fn allows_on(&self, terms: &[(&str, &str)]) {
        let _: serde_json::Value = self.ok("impersonation/allow", terms).await;
    }

    pub async fn disallows(&self) {
        let _: serde_json::Value = self.ok("impersonation/disallow", &[]).await;
    }

    /// The tenant's tasks, as this browser's home page lists them.
    pub async fn tasks(&self) -> Vec<app::api::types::Task> {
        match self.ok("home", &[]).await {
            app::api::types::Home::Tenant { tasks, .. } => tasks,
            app::api::types::Home::SuperAdmin => panic!("a tenant's home page, not a super admin's"),
        }
    }

    pub async fn switcher(&self) -> Switcher {
        self.ok("impersonation/switcher", &[]).await
    }

    pub async fn switcher_page(&self, search: &str, page: u32) -> Switcher {
        self.ok("impersonation/switcher", &[("search", search), ("page", &page.to_string())]).await
    }

    pub async fn start(&self, user: UserId, reason: &str) -> Response {
        self.call("impersonation/start", &[("user", &user.to_string()), ("reason", reason)]).await
    }

    pub async fn starts_impersonating(&self, user: UserId) {
        let response = self.start(user, "").await;
        let status = response.status();
        assert_eq!(status, StatusCode::OK, "start: {}", response.text().await.unwrap_or_default());
    }

    pub async fn stops(&self) {
        let _: () = self.ok("impersonation/stop", &[]).await;
    }

    /// Whose app this browser sees now: the impersonated user's name while impersonating.
    pub async fn sees_as(&self) -> Option<String> {
        self.viewer().await.map(|v| v.name)
    }

    pub async fn is_impersonating(&self) -> bool {
        matches!(self.status().await, LiveStatus::Impersonating { .. })
    }

    /// The session cookie's value, as the browser holds it.
    pub fn session_cookie(&self) -> Option<String> {
        use reqwest::cookie::CookieStore as _;
        let url = self.address.parse().expect("url");
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split("; ").find_map(|c| c.strip_prefix("impersonate_session=")).map(str::to_owned)
    }

    /// Makes the browser hold this session cookie value.
    pub fn set_session_cookie(&self, value: &str) {
        let url = self.address.parse().expect("url");
        self.jar.add_cookie_str(&format!("impersonate_session={value}; Path=/"), &url);
    }
}
