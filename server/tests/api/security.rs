//! Attacks on the edges: cross-site requests, headers, oversized and malformed input.

use crate::helpers::*;
use app::api::ApiError;
use reqwest::{Client, StatusCode};

/// Every server function, with arguments it accepts (for the attacks below).
pub const ENDPOINTS: [&str; 16] = [
    "session/viewer",
    "session/status",
    "auth/login",
    "auth/logout",
    "account/password",
    "account/email",
    "profile",
    "impersonation/allow",
    "impersonation/disallow",
    "impersonation/switcher",
    "impersonation/start",
    "impersonation/stop",
    "home",
    "tasks/add",
    "tasks/set-done",
    "audit",
];

/// What the app's server-function client makes of an error answer: every 4xx and 5xx body is read
/// as an `ApiError`, whatever refused the call.
async fn as_the_app_reads_it(response: reqwest::Response) -> ApiError {
    let body = response.text().await.expect("a body");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("the app could not read {body:?} as an error: {e}"))
}

fn bare_client() -> Client {
    Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(REQUEST_TIME_LIMIT).build().expect("client")
}

#[tokio::test]
async fn a_cross_site_request_is_refused_before_it_changes_anything() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    let attack = ann
        .client
        .post(format!("{}/api/impersonation/allow", app.address))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("answer");
    assert_eq!(attack.status(), StatusCode::FORBIDDEN);
    let forged_origin = ann
        .client
        .post(format!("{}/api/impersonation/allow", app.address))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("answer");
    assert_eq!(forged_origin.status(), StatusCode::FORBIDDEN);
    assert_eq!(as_the_app_reads_it(attack).await, ApiError::BadRequest("cross-site request refused".into()));
    assert_eq!(as_the_app_reads_it(forged_origin).await, ApiError::BadRequest("cross-origin request refused".into()));
    assert_eq!(ann.consent_state().await, app::api::types::ConsentState::NotAllowed, "nothing changed");
}

#[tokio::test]
async fn a_state_changing_request_without_origin_or_fetch_metadata_is_refused() {
    let app = TestApp::spawn().await;
    for endpoint in ENDPOINTS {
        let response = bare_client().post(format!("{}/api/{endpoint}", app.address)).send().await.expect("answer");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }
}

#[tokio::test]
async fn a_same_origin_fetch_passes_by_its_fetch_metadata() {
    let app = TestApp::spawn().await;
    let response = bare_client()
        .post(format!("{}/api/session/viewer", app.address))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy_and_are_never_cached() {
    let app = TestApp::spawn().await;
    for path in ["/login", "/", "/profile"] {
        let browser = if path == "/login" { app.browser() } else { app.log_in(ANN).await };
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let headers = response.headers().clone();
        let csp = headers["content-security-policy"].to_str().expect("ascii");
        assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "same-origin");
        assert_eq!(headers["cache-control"], "no-store");
        let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("a nonce");
        let html = response.text().await.expect("html");
        let scripts = html.matches("<script").count();
        let nonced = html.matches(&format!("nonce=\"{nonce}\"")).count();
        assert!(scripts > 0 && nonced >= scripts, "every inline script carries this response's nonce ({nonced}/{scripts})");
        // Anywhere else (Leptos writes it as the preloads' `crossorigin`), scripts and CSS
        // selectors could read it; browsers hide only `nonce` attributes.
        assert_eq!(html.matches(nonce).count(), nonced, "{path}: the nonce outside nonce attributes");
    }
}

#[tokio::test]
async fn every_response_gets_a_fresh_nonce() {
    let app = TestApp::spawn().await;
    let first = app.browser().get("/login").await.headers()["content-security-policy"].clone();
    let second = app.browser().get("/login").await.headers()["content-security-policy"].clone();
    assert_ne!(first, second);
}

#[tokio::test]
async fn an_oversized_body_is_refused() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    let huge = "x".repeat(app.settings.request_body_limit + 1);
    let response = ann.call("tasks/add", &[("title", &huge)]).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(as_the_app_reads_it(response).await, ApiError::BadRequest("the request is too large".into()));
}

/// The database failing while the session is read: a 503 on every path, and to a server
/// function's caller an error the app shows as ours, not text it cannot read.
#[tokio::test]
async fn a_session_the_database_cannot_read_is_answered_with_an_error_the_app_can_show() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    app.store.db().execute_unprepared("ALTER TABLE sessions RENAME TO sessions_gone").await.expect("the table goes");
    let call = ann.call("home", &[]).await;
    assert_eq!(call.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(as_the_app_reads_it(call).await, ApiError::Internal);
    assert_eq!(ann.get("/").await.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[test]
fn the_attacks_cover_every_registered_server_function() {
    let mut listed: Vec<String> = ENDPOINTS.iter().map(|e| (*e).to_owned()).collect();
    listed.sort();
    assert_eq!(listed, registered_endpoints());
}

#[tokio::test]
async fn malformed_input_to_every_endpoint_is_a_clear_4xx() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    let garbage: [&[u8]; 4] = [b"%%%%", b"user=not-a-uuid&reason=", b"\xff\xfe\x00", b"done=maybe&task=1"];
    for endpoint in ENDPOINTS.into_iter().filter(|e| *e != "auth/logout") {
        for body in garbage {
            let response = ann
                .client
                .post(format!("{}/api/{endpoint}", app.address))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.to_vec())
                .send()
                .await
                .expect("answer");
            let status = response.status();
            assert!(status.is_success() || status.is_client_error(), "{endpoint} answered {status} to {body:?}");
        }
    }
    let wrong_type = ann.call("impersonation/start", &[("user", "7"), ("reason", "x")]).await;
    assert_eq!(wrong_type.status(), StatusCode::BAD_REQUEST);
    let missing = ann.call("tasks/set-done", &[("done", "true")]).await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let unknown = ann.call("no/such/function", &[]).await;
    assert!(unknown.status().is_client_error());
}

#[tokio::test]
async fn server_functions_do_not_answer_get() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    let response = ann.get("/api/impersonation/allow").await;
    assert!(response.status().is_client_error(), "{}", response.status());
    assert_eq!(ann.consent_state().await, app::api::types::ConsentState::NotAllowed);
}

#[tokio::test]
async fn unknown_pages_are_404_and_static_assets_need_no_session() {
    let app = TestApp::spawn().await;
    let ann = app.log_in(ANN).await;
    assert_eq!(ann.get("/no/such/page").await.status(), StatusCode::NOT_FOUND);
    let asset = app.browser().get("/pkg/impersonate.css").await;
    assert_eq!(asset.status(), StatusCode::OK, "assets are not behind the login");
    assert_eq!(asset.text().await.expect("a body"), TEST_STYLESHEET);
}

/// Control characters and text whose lower case outgrows its column, in every text field people
/// fill: a clear 4xx, nothing stored, never a 500 (PostgreSQL refuses a NUL outright).
#[tokio::test]
async fn control_characters_and_overlong_text_get_a_clear_4xx() {
    let app = TestApp::spawn().await;
    let visitor = app.browser();
    for email in ["a\0@b.test", "ann@acme.test\0", "ann\n@acme.test"] {
        let (status, error) = visitor.fails("auth/login", &[("email", email), ("password", PASSWORD), ("next", "")]).await;
        assert_eq!((status, error), (StatusCode::UNAUTHORIZED, ApiError::InvalidCredentials), "{email:?}");
    }
    let (status, _) = visitor.fails("auth/login", &[("email", ANN), ("password", "a long enough\0password"), ("next", "")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let ann = app.log_in(ANN).await;
    let (status, _) = ann.fails("tasks/add", &[("title", "line one\nline two")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(ann.tasks().await.is_empty(), "nothing stored");
    // 200 dotted capital I: 200 characters typed, 400 once lower-cased.
    let grows = format!("{}@acme.test", "İ".repeat(200));
    for email in ["ann\0@acme.test", grows.as_str()] {
        let (status, _) = ann.fails("account/email", &[("email", email), ("current", PASSWORD)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{email:?}");
    }
    let (status, _) = ann.fails("account/password", &[("current", PASSWORD), ("new", "a new\0password here")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.browser().log_in(ANN, PASSWORD).await.status(), StatusCode::OK, "email and password unchanged");

    ann.allows().await;
    let ada = app.log_in(ADA).await;
    let (status, error) = ada.fails("impersonation/start", &[("user", &app.id(ANN).to_string()), ("reason", "ticket\u{1b}[2J")]).await;
    assert_eq!((status, error), (StatusCode::UNPROCESSABLE_ENTITY, ApiError::Refused(app::domain::Refusal::ReasonNotPlain)));
    assert!(!ada.is_impersonating().await);
}

#[tokio::test]
async fn over_https_browsers_are_told_to_stay_on_https() {
    let plain = TestApp::spawn().await;
    let response = plain.browser().get("/login").await;
    assert!(response.headers().get("strict-transport-security").is_none(), "not over plain http");
    let https = TestApp::spawn_with(|s| s.public_origin = Some("https://impersonate.example".into())).await;
    let response = https.browser().get("/login").await;
    assert_eq!(response.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
}

/// Password hashing is bounded: with one hash at a time and no waiting, a flood of logins gets
/// quick "busy" answers that say when to retry, never a 500, and the server stays usable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_logins_is_answered_busy_instead_of_queueing_without_limit() {
    let app = TestApp::spawn_with(|s| {
        s.hashing.at_once = 1;
        s.hashing.max_wait = std::time::Duration::ZERO;
        // Each attempt from its own address (documentation addresses, only ever a header here):
        // attempts from one address already take turns.
        s.trust_forwarded_for = true;
    })
    .await;
    let app = &app;
    let flood = (0..30).map(|n| async move {
        let email = format!("flood{n}@acme.test");
        let form = [("email", email.as_str()), ("password", "wrong password!"), ("next", "")];
        let request = app.browser().client.post(format!("{}/api/auth/login", app.address)).header("x-forwarded-for", format!("198.51.100.{n}"));
        let response = request.form(&form).send().await.expect("the server answers");
        (response.status(), response.headers().get("retry-after").cloned())
    });
    let answers = futures::future::join_all(flood).await;
    let busy: Vec<_> = answers.iter().filter(|(status, _)| *status == StatusCode::SERVICE_UNAVAILABLE).collect();
    assert!(answers.iter().all(|(s, _)| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::SERVICE_UNAVAILABLE), "{answers:?}");
    assert!(!busy.is_empty(), "thirty hashes at once with one turn and no waiting: some are turned away");
    assert!(busy.iter().all(|(_, retry)| retry.as_ref().is_some_and(|v| v == "1")), "{busy:?}");
    assert_eq!(app.browser().log_in(ANN, PASSWORD).await.status(), StatusCode::OK, "usable once the flood is over");
}

/// What a browser asking for the front end gets: the file compressed at build time in the best
/// encoding it accepts, and, when the names carry hashes, leave to keep it for a year.
#[tokio::test]
async fn the_front_end_is_sent_precompressed_and_cached_for_a_year_when_its_names_are_hashed() {
    let files: &[(&str, &[u8])] = &[
        ("hash.txt", b"js: abc123\nwasm: abc123\ncss: abc123\n"),
        ("site/pkg/impersonate.abc123.wasm", b"raw"),
        ("site/pkg/impersonate.abc123.wasm.br", b"brotli"),
        ("site/pkg/impersonate.abc123.wasm.gz", b"gzip"),
    ];
    let app = TestApp::spawn_with_site(|_| {}, true, files).await;
    for (accept, encoding, body) in [("br, gzip", Some("br"), "brotli"), ("gzip", Some("gzip"), "gzip"), ("identity", None, "raw")] {
        let response = bare_client().get(format!("{}/pkg/impersonate.abc123.wasm", app.address)).header("accept-encoding", accept).send().await.expect("answer");
        assert_eq!(response.status(), StatusCode::OK, "{accept}");
        assert_eq!(response.headers().get("content-encoding").map(|v| v.to_str().expect("text")), encoding, "{accept}");
        assert_eq!(response.headers()["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(response.headers()["vary"], "accept-encoding");
        assert_eq!(response.bytes().await.expect("a body"), body.as_bytes());
    }
    let answer = app.browser().call("session/viewer", &[]).await;
    assert_eq!(answer.headers()["cache-control"], "no-store", "answers are never kept");

    let unhashed = TestApp::spawn().await;
    let asset = unhashed.browser().get("/pkg/impersonate.css").await;
    assert_eq!(asset.headers()["cache-control"], "no-cache", "without hashes a browser checks each time");
}

/// An unhashed build's files keep their names when rebuilt, so it serves them as they are on disk
/// now, not as they were when it started.
#[tokio::test]
async fn an_unhashed_build_serves_its_front_end_as_it_is_on_disk() {
    let app = TestApp::spawn().await;
    std::fs::write(app.site.join("pkg").join("impersonate.css"), "rebuilt after start-up").expect("a stylesheet");
    let asset = app.browser().get("/pkg/impersonate.css").await;
    assert_eq!(asset.status(), StatusCode::OK);
    assert_eq!(asset.text().await.expect("a body"), "rebuilt after start-up");
}

/// A release build reads its front end and the page's icon once, at start-up (the front end's
/// names change with its content): the page names the hashed files, each is sent in the encoding
/// the browser weighs highest of the copies there are, and a file changed on disk afterwards is
/// not what is served.
#[tokio::test]
async fn a_release_build_serves_the_front_end_it_started_with() {
    let files: &[(&str, &[u8])] = &[
        ("hash.txt", b"js: j1\nwasm: w1\ncss: c1\n"),
        ("site/pkg/impersonate.j1.js", b"plain js"),
        ("site/pkg/impersonate.j1.js.br", b"brotli js"),
        ("site/pkg/impersonate.j1.js.gz", b"gzip js"),
        ("site/pkg/impersonate.w1.wasm", b"plain wasm"),
        ("site/pkg/impersonate.w1.wasm.br", b"brotli wasm"),
        ("site/pkg/impersonate.c1.css", b"plain css"),
        ("site/favicon.svg", b"plain icon"),
        ("site/favicon.svg.br", b"brotli icon"),
    ];
    let app = TestApp::spawn_with_site(|_| {}, true, files).await;
    let page = app.browser().get("/login").await.text().await.expect("a page");
    for name in ["impersonate.c1.css", "impersonate.j1.js", "impersonate.w1.wasm"] {
        assert!(page.contains(&format!(r#"href="/pkg/{name}""#)), "the page names {name}: {page}");
    }
    for (name, _) in &files[1..] {
        std::fs::write(app.site.join(name.trim_start_matches("site/")), "changed after start-up").expect("a file");
    }

    let get = |name: &str, accept: &str| bare_client().get(format!("{}/pkg/{name}", app.address)).header("accept-encoding", accept).send();
    for (name, accept, encoding, body, content_type) in [
        ("impersonate.w1.wasm", "gzip, deflate, br, zstd", Some("br"), "brotli wasm", "application/wasm"),
        ("impersonate.w1.wasm", "gzip", None, "plain wasm", "application/wasm"),
        ("impersonate.j1.js", "br;q=0.5, gzip", Some("gzip"), "gzip js", "text/javascript"),
        ("impersonate.j1.js", "identity", None, "plain js", "text/javascript"),
        ("impersonate.c1.css", "br, gzip", None, "plain css", "text/css"),
    ] {
        let response = get(name, accept).await.expect("an answer");
        assert_eq!(response.status(), StatusCode::OK, "{name} {accept}");
        let header = |h: &str| response.headers().get(h).map(|v| v.to_str().expect("text").to_owned());
        assert_eq!(header("content-encoding").as_deref(), encoding, "{name} {accept}");
        assert_eq!(header("content-type").as_deref(), Some(content_type), "{name}");
        assert_eq!(header("cache-control").as_deref(), Some("public, max-age=31536000, immutable"), "{name}");
        assert_eq!(header("vary").as_deref(), Some("accept-encoding"), "{name}");
        assert_eq!(response.bytes().await.expect("a body"), body.as_bytes(), "{name} {accept}");
    }

    // The page's icon, asked for by a visitor on the login page: no session needed, and kept a
    // day (its name does not change with its content).
    let icon = bare_client().get(format!("{}/favicon.svg", app.address)).header("accept-encoding", "br").send().await.expect("an answer");
    assert_eq!(icon.status(), StatusCode::OK);
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    assert_eq!(icon.headers()["cache-control"], "public, max-age=86400");
    assert_eq!(icon.bytes().await.expect("a body"), "brotli icon".as_bytes());

    let head = bare_client().head(format!("{}/pkg/impersonate.w1.wasm", app.address)).header("accept-encoding", "br").send().await.expect("an answer");
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-length"], "brotli wasm".len().to_string().as_str());
    assert!(head.bytes().await.expect("a body").is_empty(), "HEAD sends no body");

    for missing in ["impersonate.w1.wasm.br", "impersonate.old.wasm", "..%2F..%2Fhash.txt"] {
        let response = get(missing, "br").await.expect("an answer");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
        // Another instance may be on a newer build that has this name: no browser keeps the 404.
        assert_eq!(response.headers()["cache-control"], "no-store", "{missing}");
    }
    let post = app.browser().client.post(format!("{}/pkg/impersonate.j1.js", app.address)).send().await.expect("an answer");
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
}

/// A hashed build whose hash file is gone, or lacks a name, could name no stylesheet or script on
/// any page: it does not start, and says which file is wrong and what to do.
#[tokio::test]
async fn a_hashed_build_without_a_usable_hash_file_does_not_start() {
    for (case, hash_file) in [("missing", None), ("without the wasm line", Some("js: j1\ncss: c1\n"))] {
        let dir = tempfile::tempdir().expect("a temp dir");
        let path = dir.path().join("hash.txt");
        if let Some(text) = hash_file {
            std::fs::write(&path, text).expect("a hash file");
        }
        let mut settings = test_settings();
        settings.database_url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
        let options = test_leptos_options(dir.path(), &path, true);
        let started = server::Application::build(settings, options, std::sync::Arc::new(server::clock::ManualClock::starting_at(T0))).await;
        let Err(error) = started else { panic!("a hashed build with its hash file {case} started") };
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()) && message.contains("LEPTOS_HASH_FILES=false"), "{case}: {message}");
    }
}
