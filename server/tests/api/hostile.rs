//! Hostile input: generated bodies (wrong types, missing and extra fields, empty and huge values,
//! control characters, invalid UTF-8, malformed ids, wrong content types) to every registered
//! server function, and odd queries, headers, methods and bodies to the live channel, as a
//! visitor, a user and a super admin. Whatever arrives, the answer is never a 5xx, the server
//! never panics, and a request the server refuses leaves the database as it was: refusing is only
//! safe if nothing of the refused request was kept. The one thing a refusal records is itself,
//! where the login throttle counts a failure ([`counted_failure`]).
//!
//! The cases come from a fixed seed, so a run is repeatable; a failure prints the request.

use crate::helpers::*;
use app::domain::UserId;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait, IdenStatic, Iterable, PrimaryKeyToColumn, Statement};
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Field names the server functions read, and some they do not.
const FIELDS: [&str; 14] = ["email", "password", "next", "current", "new", "user", "reason", "title", "task", "done", "search", "page", "access", "duration_ms"];
const CASES_PER_CALLER: usize = 24;

#[derive(Clone)]
struct Attack {
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

impl Attack {
    async fn send(&self, browser: &Browser, endpoint: &str) -> reqwest::Result<StatusCode> {
        let mut request = browser.client.post(format!("{}/api/{endpoint}", browser.address)).body(self.body.clone());
        if let Some(content_type) = self.content_type {
            request = request.header("content-type", content_type);
        }
        Ok(request.send().await?.status())
    }
}

impl std::fmt::Debug for Attack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} body {}", self.content_type, shown(&self.body))
    }
}

/// Bytes as a failure message shows them: lossy, and cut short.
fn shown(bytes: &[u8]) -> String {
    let text: String = String::from_utf8_lossy(bytes).chars().take(200).collect();
    format!("{text:?} ({} bytes)", bytes.len())
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        Just(String::new()),
        Just("true".to_owned()),
        Just("-1".to_owned()),
        Just("x".repeat(5_000)),
        proptest::sample::select(nasty()),
    ]
}

fn attack() -> impl Strategy<Value = Attack> {
    let form = proptest::collection::vec((prop_oneof![proptest::sample::select(FIELDS.to_vec()).prop_map(str::to_owned), "[a-z]{1,8}"], value()), 0..5)
        .prop_map(|fields| form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish().into_bytes());
    let content_type = proptest::sample::select(vec![
        Some("application/x-www-form-urlencoded"),
        Some("application/json"),
        Some("text/plain"),
        Some("multipart/form-data"),
        None,
    ]);
    let body = prop_oneof![form, proptest::collection::vec(any::<u8>(), 0..300), value().prop_map(String::into_bytes)];
    (content_type, body).prop_map(|(content_type, body)| Attack { content_type, body })
}

/// Values that have broken servers: NUL (PostgreSQL refuses it), escapes, line breaks, text that
/// grows when lower-cased, huge, empty, negative, not an id.
fn nasty() -> Vec<String> {
    let plain = ["a\0@b.test", "\0", "\u{1b}[2J", "two\nlines", "", "-1", "not-a-uuid"].map(str::to_owned);
    plain.into_iter().chain([format!("{}@acme.test", "İ".repeat(200)), "x".repeat(5_000)]).collect()
}

/// Who sends the cases, and the details they would type about themselves.
struct Caller {
    who: &'static str,
    browser: Browser,
    email: &'static str,
    id: Option<UserId>,
    /// Whose app the caller sees (`session/viewer`'s name); `None` for a visitor.
    sees_as: Option<&'static str>,
}

impl Caller {
    /// A visitor whose browser keeps no cookies: a login it gets right still leaves it a visitor,
    /// so every case it sends is a visitor's. It types Ann's details.
    fn visitor(app: &TestApp) -> Caller {
        let mut headers = HeaderMap::new();
        headers.insert("origin", app.address.parse().expect("origin"));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .timeout(REQUEST_TIME_LIMIT)
            .build()
            .expect("client");
        let browser = Browser { client, jar: Arc::default(), address: app.address.clone() };
        Caller { who: "a visitor", browser, email: ANN, id: None, sees_as: None }
    }

    async fn logged_in(app: &TestApp, who: &'static str, email: &'static str, name: &'static str) -> Caller {
        Caller { who, browser: app.log_in(email).await, email, id: Some(app.id(email)), sees_as: Some(name) }
    }

    /// The visitor, a user (Ann) and a super admin (Ada).
    async fn all(app: &TestApp) -> [Caller; 3] {
        [Caller::visitor(app), Caller::logged_in(app, "a user", ANN, "Ann Lee").await, Caller::logged_in(app, "a super admin", ADA, "Ada Admin").await]
    }

    /// What is wrong when the caller is no longer who the cases claim to come from.
    async fn no_longer_themselves(&self, after: &str) -> Option<String> {
        let sees_as = self.browser.sees_as().await;
        (sees_as.as_deref() != self.sees_as).then(|| format!("after {after}, {} sees {sees_as:?}'s app: not all its cases were theirs", self.who))
    }
}

/// The arguments of each server function (`app/src/api`): the fields a nasty value must be in to
/// reach the code behind the argument decoding. Any other field is only an extra one.
fn arguments(endpoint: &str) -> &'static [&'static str] {
    match endpoint {
        "auth/login" => &["email", "password", "next"],
        "account/password" => &["current", "new"],
        "account/email" => &["email", "current"],
        "impersonation/start" => &["user", "reason"],
        "tasks/add" => &["title"],
        "tasks/set-done" => &["task", "done"],
        "impersonation/switcher" => &["search", "page"],
        "audit" => &["page"],
        "impersonation/allow" => &["access", "duration_ms"],
        _ => &[],
    }
}

/// What a valid call says in each field, in the caller's own details: the call leaves the caller
/// who they are, with the password they had.
fn valid_value(field: &str, caller: &Caller, world: &World) -> String {
    match field {
        "email" => caller.email.to_owned(),
        "password" | "current" | "new" => PASSWORD.to_owned(),
        "user" => world.bob.to_string(),
        "reason" => "ticket 42".to_owned(),
        "title" => "a title".to_owned(),
        "task" => world.task.to_string(),
        "done" => "true".to_owned(),
        "search" => "ann".to_owned(),
        "page" => "0".to_owned(),
        "access" => "view_only".to_owned(),
        "duration_ms" => "3600000".to_owned(),
        _ => String::new(),
    }
}

/// The valid call with every field it does not read made nasty at once; then with one argument
/// made nasty, or someone else's, for each argument and value.
fn targeted(endpoint: &str, caller: &Caller, world: &World) -> Vec<Attack> {
    let arguments = arguments(endpoint);
    let form = |nasty_in: &dyn Fn(&str) -> bool, nasty: &str| {
        let pairs: Vec<(&str, String)> = FIELDS
            .iter()
            .filter(|field| arguments.contains(field) || nasty_in(field))
            .map(|field| (*field, if nasty_in(field) { nasty.to_owned() } else { valid_value(field, caller, world) }))
            .collect();
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish().into_bytes();
        Attack { content_type: Some("application/x-www-form-urlencoded"), body }
    };
    // Extra fields first: these calls are valid, and later ones may change what is (a password).
    let mut attacks: Vec<Attack> = nasty().iter().map(|nasty| form(&|field| !arguments.contains(&field), nasty)).collect();
    for argument in arguments {
        let values = nasty().into_iter().chain(someone_elses(endpoint, argument, world));
        attacks.extend(values.map(|value| form(&|field| field == *argument, &value)));
    }
    attacks
}

/// Real values that are not the caller's to use: an email someone has, people who never allowed
/// (a user, a super admin), a task of another tenant. Not for logging in: everyone's password is
/// the same here, so Bob's email would just be Bob logging in.
fn someone_elses(endpoint: &str, field: &str, world: &World) -> Vec<String> {
    match (endpoint, field) {
        ("auth/login", _) => Vec::new(),
        (_, "email") => vec![BOB.to_owned()],
        (_, "user") => world.never_allowed.iter().map(UserId::to_string).collect(),
        (_, "task") => vec![world.globex_task.to_string()],
        _ => Vec::new(),
    }
}

/// What the cases refer to.
struct World {
    /// A user who never allows: a super admin's start goes all the way to the rules, refused there.
    bob: UserId,
    /// A task of Acme's, Ann's tenant.
    task: app::domain::TaskId,
    /// A user and a super admin, neither of whom allowed.
    never_allowed: [UserId; 2],
    globex_task: app::domain::TaskId,
}

impl World {
    async fn of(app: &TestApp) -> World {
        let acme: app::api::types::Task = app.log_in(ANN).await.ok("tasks/add", &[("title", "a task to tick")]).await;
        let globex: app::api::types::Task = app.log_in(GUS).await.ok("tasks/add", &[("title", "not Acme's")]).await;
        World { bob: app.id(BOB), task: acme.id, never_allowed: [app.id(ANN), app.id(SAM)], globex_task: globex.id }
    }
}

/// The throttle is the login tests' subject: here it would soon turn every login away before it
/// reached the code the cases aim at. Failures are still counted.
fn no_lockouts(settings: &mut server::config::Settings) {
    settings.login.account.max_failures = 1_000;
    settings.login.address.max_failures = 1_000;
}

fn generated<T>(strategy: impl Strategy<Value = T>, count: usize) -> Vec<T> {
    let mut runner = TestRunner::deterministic();
    (0..count).map(|_| strategy.new_tree(&mut runner).expect("a case").current()).collect()
}

#[test]
fn no_generated_input_to_any_server_function_gets_a_5xx_and_a_refused_one_changes_nothing() {
    watching_for_panics(async {
        let mut failures = Vec::new();
        for endpoint in registered_endpoints() {
            // A server of its own for each: valid cases change the world (a password, an email, a
            // task, a consent), and each server function is to meet the same one.
            let app = TestApp::spawn_with(no_lockouts).await;
            every_table_is_compared(&app).await;
            let world = World::of(&app).await;
            let callers = Caller::all(&app).await;
            the_arguments_are_all_listed(&endpoint, &callers[0], &world).await;
            let mut before = Contents::of(&app).await;
            for caller in &callers {
                for attack in targeted(&endpoint, caller, &world).into_iter().chain(generated(attack(), CASES_PER_CALLER)) {
                    let case = || format!("{endpoint} as {}: {attack:?}", caller.who);
                    let status = match attack.send(&caller.browser, &endpoint).await {
                        Ok(status) => Some(status),
                        Err(error) => {
                            failures.push(format!("{}: no answer ({error})", case()));
                            None
                        }
                    };
                    let after = Contents::of(&app).await;
                    match status {
                        Some(status) if status.is_server_error() => failures.push(format!("{}: {status}", case())),
                        Some(status) if status.is_success() => {}
                        _ => failures.extend(
                            changes(&before, &after)
                                .filter(|change| !counted_failure(&endpoint, caller, status, change))
                                .map(|change| format!("{}: refused with {status:?}, yet {change}", case())),
                        ),
                    }
                    before = after;
                    // Logging out ends the caller's session: they log in again, so that the next
                    // case is theirs too.
                    if endpoint == "auth/logout" && caller.id.is_some() && status.is_some_and(|s| s.is_success()) {
                        assert_eq!(caller.browser.log_in(caller.email, PASSWORD).await.status(), StatusCode::OK, "{} logs in again", caller.who);
                        before = Contents::of(&app).await;
                    }
                }
                failures.extend(caller.no_longer_themselves(&endpoint).await);
            }
            // Valid cases changed the callers' world: check on someone left alone.
            if app.log_in(SAM).await.sees_as().await.as_deref() != Some("Sam Support") {
                failures.push(format!("after {endpoint}, Sam no longer sees his own app"));
            }
        }
        assert!(failures.is_empty(), "{} cases got a 5xx, no answer, or changed the database though refused:\n{}", failures.len(), failures.join("\n"));
    });
}

/// Fails when the server function takes an argument [`arguments`] does not list: its valid call,
/// with the listed arguments alone, then misses a field and is answered 400. Arguments are decoded
/// before anything else, so a visitor's call tells, and changes nobody's session.
async fn the_arguments_are_all_listed(endpoint: &str, caller: &Caller, world: &World) {
    let valid: Vec<(&str, String)> = arguments(endpoint).iter().map(|a| (*a, valid_value(a, caller, world))).collect();
    let valid: Vec<(&str, &str)> = valid.iter().map(|(a, v)| (*a, v.as_str())).collect();
    let status = caller.browser.call(endpoint, &valid).await.status();
    assert_ne!(status, StatusCode::BAD_REQUEST, "{endpoint} takes arguments that `arguments` does not list");
}

/// What a refused call may still write, by design: the login throttle counting a failure. Only
/// counted, never forgotten: a refused call that removed a throttle row would wipe a count.
fn counted_failure(endpoint: &str, caller: &Caller, status: Option<StatusCode>, change: &Change) -> bool {
    if change.table != "login_throttles" || change.after.is_none() {
        return false;
    }
    let key = change.key.trim_matches('\'');
    let own = |kind: &str| caller.id.is_some_and(|id| key == format!("{kind}:{id}"));
    match (endpoint, status.map(|s| s.as_u16())) {
        // A wrong password counts against the account typed and the client's address.
        ("auth/login", Some(401)) => key.starts_with("account:") || key.starts_with("address:"),
        // Guessing the current password from a session someone left open is throttled like logging
        // in, on either form that asks for it.
        ("account/password" | "account/email", Some(422)) => own("password"),
        // "Already in use" tells that an address exists somewhere: counted, so nobody sweeps a list.
        ("account/email", Some(409)) => own("email"),
        _ => false,
    }
}

/// A request to the live channel: any method, query, headers and body.
#[derive(Clone)]
struct Knock {
    method: Method,
    path: &'static str,
    query: String,
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Option<Attack>,
}

impl std::fmt::Debug for Knock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}?{}", self.method, self.path, shown(self.query.as_bytes()))?;
        for (name, value) in &self.headers {
            write!(f, ", {name}: {}", shown(value))?;
        }
        match &self.body {
            Some(body) => write!(f, ", {body:?}"),
            None => Ok(()),
        }
    }
}

impl Knock {
    fn get() -> Knock {
        Knock { method: Method::GET, path: "/api/events", query: String::new(), headers: Vec::new(), body: None }
    }

    fn query(self, query: impl Into<String>) -> Knock {
        Knock { query: query.into(), ..self }
    }

    fn header(mut self, name: &'static str, value: impl Into<Vec<u8>>) -> Knock {
        self.headers.push((name, value.into()));
        self
    }

    fn sent_as(self, method: Method, body: Attack) -> Knock {
        Knock { method, body: Some(body), ..self }
    }

    async fn send(&self, browser: &Browser) -> reqwest::Result<reqwest::Response> {
        let query = if self.query.is_empty() { String::new() } else { format!("?{}", self.query) };
        let mut request = browser.client.request(self.method.clone(), format!("{}{}{query}", browser.address, self.path));
        for (name, value) in &self.headers {
            request = request.header(*name, HeaderValue::from_bytes(value).expect("a value HTTP can carry"));
        }
        if let Some(body) = &self.body {
            request = request.body(body.body.clone());
            if let Some(content_type) = body.content_type {
                request = request.header("content-type", content_type);
            }
        }
        request.send().await
    }
}

/// Bytes a header value may hold: visible ASCII, tab, and bytes that are not UTF-8 on their own.
fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![0x20u8..0x7f, 0x80u8..=0xff, Just(b'\t')];
    prop_oneof![
        proptest::collection::vec(byte, 0..200),
        Just(b"x".repeat(32 * 1024)),
        proptest::sample::select(vec!["text/event-stream", "application/json", "*/*", "null", "cross-site", "-1", "impersonate_session=garbage"])
            .prop_map(|v| v.as_bytes().to_vec()),
    ]
}

/// A query as a browser could send it: names and values percent-encoded, or any bytes so encoded.
fn query() -> impl Strategy<Value = String> {
    let names = prop_oneof![proptest::sample::select(vec!["lastEventId", "retry", "session", "next"]).prop_map(str::to_owned), "[a-z]{1,8}"];
    let form = proptest::collection::vec((names, value()), 0..4)
        .prop_map(|pairs| form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish());
    let bytes = proptest::collection::vec(any::<u8>(), 0..100).prop_map(|bytes| bytes.iter().map(|b| format!("%{b:02X}")).collect());
    prop_oneof![Just(String::new()), form, bytes]
}

fn knock() -> impl Strategy<Value = Knock> {
    let method = proptest::sample::select(vec![
        Method::GET,
        Method::GET,
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
    ]);
    let path = proptest::sample::select(vec!["/api/events", "/api/events", "/api/events", "/api/events/", "/api/events/x"]);
    let names = ["last-event-id", "accept", "cache-control", "cookie", "origin", "sec-fetch-site", "content-type", "x-forwarded-for"];
    let headers = proptest::collection::vec((proptest::sample::select(names.to_vec()), header_bytes()), 0..4);
    (method, path, query(), headers, proptest::option::of(attack())).prop_map(|(method, path, query, headers, body)| {
        let body = if matches!(method, Method::GET | Method::HEAD) { None } else { body };
        Knock { method, path, query, headers, body }
    })
}

/// The knocks that aim at what the live channel reads or could choke on.
fn targeted_knocks() -> Vec<Knock> {
    let form = Attack { content_type: Some("application/x-www-form-urlencoded"), body: b"lastEventId=1&user=-1".to_vec() };
    let json = Attack { content_type: Some("application/json"), body: br#"{"lastEventId": [1, {}], "user": null}"#.to_vec() };
    let bytes = Attack { content_type: None, body: vec![0xff, 0xfe, 0, 0x1b, b'\n'] };
    let mut knocks = vec![
        Knock::get().header("last-event-id", "junk"),
        Knock::get().header("last-event-id", "-1"),
        Knock::get().header("last-event-id", [0xff, 0xfe, b'\t', 0x80]),
        Knock::get().header("last-event-id", "9".repeat(64 * 1024)),
        Knock::get().header("last-event-id", "x".repeat(200 * 1024)),
        Knock::get().header("accept", "application/json"),
        Knock::get().header("accept", "text/html"),
        Knock::get().header("accept", "text/event-stream;q=0, */*;q=0"),
        Knock::get().header("cookie", "impersonate_session=garbage"),
        Knock::get().header("cookie", "impersonate_session="),
        Knock::get().header("cookie", [b'i', b'=', 0xff, 0xfe]),
        Knock::get().header("cache-control", "no-cache, no-cache, no-cache"),
        Knock::get().query("lastEventId=%00%ff%fe"),
        Knock::get().query("a".repeat(8 * 1024)),
        Knock::get().query("&&&==&"),
        Knock::get().query("%"),
    ];
    for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
        for body in [&form, &json, &bytes] {
            knocks.push(Knock::get().sent_as(method.clone(), body.clone()));
        }
    }
    knocks.extend([Knock { method: Method::HEAD, ..Knock::get() }, Knock { method: Method::OPTIONS, ..Knock::get() }]);
    knocks
}

#[test]
fn no_hostile_request_to_the_live_channel_gets_a_5xx_or_changes_anything() {
    watching_for_panics(async {
        let app = TestApp::spawn().await;
        every_table_is_compared(&app).await;
        let callers = Caller::all(&app).await;
        let mut failures = Vec::new();
        for caller in &callers {
            let own_cookie = caller.browser.session_cookie();
            let mut before = Contents::of(&app).await;
            for knock in targeted_knocks().into_iter().chain(generated(knock(), CASES_PER_CALLER)) {
                let case = || format!("the live channel as {}: {knock:?}", caller.who);
                let status = match knock_through_closed_tabs(&knock, &caller.browser).await {
                    Ok(status) => Some(status),
                    Err(error) => {
                        failures.push(format!("{}: no answer ({error})", case()));
                        None
                    }
                };
                if let Some(status) = status.filter(StatusCode::is_server_error) {
                    failures.push(format!("{}: {status}", case()));
                }
                // The channel only reads, whatever it answers: the session's last-seen time is
                // written by page requests alone (and only once a minute of the clock, which
                // stands still here).
                let after = Contents::of(&app).await;
                failures.extend(changes(&before, &after).map(|change| format!("{}: answered {status:?}, yet {change}", case())));
                before = after;
                // A knock with a cookie of its own gets that cookie cleared (rightly: it names no
                // session), which the browser applies to its own; the caller's tab keeps its own.
                if let Some(cookie) = &own_cookie {
                    caller.browser.set_session_cookie(cookie);
                }
            }
            failures.extend(caller.no_longer_themselves("the live channel's knocks").await);
        }
        assert!(failures.is_empty(), "{} knocks got a 5xx, no answer, or changed the database:\n{}", failures.len(), failures.join("\n"));
        let ann = &callers[1].browser;
        assert_eq!(knock_through_closed_tabs(&Knock::get(), ann).await.ok(), Some(StatusCode::OK), "the channel still opens");
    });
}

/// Sends a knock and answers its status. A stream the server opened is dropped at once: a tab
/// that closes. The server notices a closed tab at its next write, so a session's eight places
/// can all still be held by tabs this test closed a moment ago; then wait, as the browser's
/// EventSource would, and knock again, so that every knock reaches the channel itself.
async fn knock_through_closed_tabs(knock: &Knock, browser: &Browser) -> reqwest::Result<StatusCode> {
    for _ in 0..100 {
        let response = knock.send(browser).await?;
        let status = response.status();
        let streams = response.headers().get("content-type").is_some_and(|v| v == "text/event-stream");
        if status != StatusCode::TOO_MANY_REQUESTS || streams {
            if !streams {
                response.bytes().await?;
            }
            return Ok(status);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(StatusCode::TOO_MANY_REQUESTS)
}

/// The database's content: each table's rows by primary key, as text.
#[derive(Clone, PartialEq)]
struct Contents(BTreeMap<String, BTreeMap<String, String>>);

/// One row that differs between two [`Contents`]: added, removed or changed.
struct Change {
    table: String,
    key: String,
    before: Option<String>,
    after: Option<String>,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let cut = |text: &str| text.chars().take(300).collect::<String>();
        let (table, key) = (&self.table, &self.key);
        match (&self.before, &self.after) {
            (Some(before), Some(after)) => {
                let changed: Vec<String> = before
                    .split(COLUMNS_APART)
                    .zip(after.split(COLUMNS_APART))
                    .filter(|(was, is)| was != is)
                    .map(|(was, is)| format!("{} became {}", cut(was), cut(is)))
                    .collect();
                write!(f, "{table} row {key} changed: {}", changed.join(", "))
            }
            (None, Some(row)) => write!(f, "{table} row {key} was added: {}", cut(&row.replace(COLUMNS_APART, ", "))),
            (Some(row), None) => write!(f, "{table} row {key} was removed: {}", cut(&row.replace(COLUMNS_APART, ", "))),
            (None, None) => write!(f, "{table} row {key} is nowhere"),
        }
    }
}

/// Between a row's columns as [`Contents`] reads them: the ASCII unit separator, which no value
/// the cases store is likely to hold (and only a failure's message would suffer if one did).
const COLUMNS_APART: char = '\u{1f}';

impl Contents {
    /// Reads every table in one statement, which keeps a read after each of thousands of cases
    /// cheap: the database renders each value as an SQL literal itself (`quote` on SQLite,
    /// `quote_nullable` on PostgreSQL), so every type, and NULL, reads back as text alike.
    async fn of(app: &TestApp) -> Contents {
        let db = app.store.db();
        let backend = db.get_database_backend();
        let quote = if backend == DatabaseBackend::Sqlite { "quote" } else { "quote_nullable" };
        let sql = tables(quote).map(|(_, rows)| rows).join(" UNION ALL ");
        let mut contents = Contents(BTreeMap::new());
        for row in db.query_all(Statement::from_string(backend, sql)).await.expect("the database reads") {
            let text = |column: &str| row.try_get::<String>("", column).expect("a text column");
            contents.0.entry(text("table_name")).or_default().insert(text("key"), text("row"));
        }
        contents
    }
}

/// Every table, and the statement that reads its rows, with `quote` rendering a value.
fn tables(quote: &str) -> [(String, String); 8] {
    use server::db::entities::*;
    [
        rows_of::<audit_event::Entity>(quote),
        rows_of::<grant::Entity>(quote),
        rows_of::<impersonation::Entity>(quote),
        rows_of::<login_throttle::Entity>(quote),
        rows_of::<session::Entity>(quote),
        rows_of::<task::Entity>(quote),
        rows_of::<tenant::Entity>(quote),
        rows_of::<user::Entity>(quote),
    ]
}

/// One table's name and its part of the statement that reads the whole database: the table's
/// name, the row's primary key, and every column as `name=value`.
fn rows_of<E: EntityTrait>(quote: &str) -> (String, String) {
    let table = E::default().table_name().to_owned();
    let literal = |column: &str| format!("{quote}(\"{column}\")");
    let key: Vec<String> = E::PrimaryKey::iter().map(|key| literal(key.into_column().as_str())).collect();
    let row: Vec<String> = E::Column::iter().map(|column| format!("'{0}=' || {1}", column.as_str(), literal(column.as_str()))).collect();
    let sql = format!("SELECT '{table}' AS table_name, {} AS key, {} AS row FROM \"{table}\"", key.join(" || ',' || "), row.join(&format!(" || '{COLUMNS_APART}' || ")));
    (table, sql)
}

/// Compares the tables [`Contents`] reads with those the migrations made, read from the database
/// itself, so that a new table cannot escape the comparison.
async fn every_table_is_compared(app: &TestApp) {
    let db = app.store.db();
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        _ => "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    };
    let rows = db.query_all(Statement::from_string(backend, sql)).await.expect("the table list");
    let existing: BTreeSet<String> = rows
        .iter()
        .map(|row| row.try_get::<String>("", "name").expect("a table name"))
        .filter(|name| name != "seaql_migrations")
        .collect();
    let compared: BTreeSet<String> = tables("quote").map(|(table, _)| table).into();
    assert_eq!(compared, existing, "every table of the database is compared");
}

fn changes<'a>(before: &'a Contents, after: &'a Contents) -> impl Iterator<Item = Change> + 'a {
    let tables: BTreeSet<&String> = before.0.keys().chain(after.0.keys()).collect();
    tables.into_iter().flat_map(move |table| {
        let empty = BTreeMap::new();
        let was = before.0.get(table).unwrap_or(&empty);
        let is = after.0.get(table).unwrap_or(&empty);
        let keys: BTreeSet<&String> = was.keys().chain(is.keys()).collect();
        keys.into_iter()
            .filter(|key| was.get(*key) != is.get(*key))
            .map(|key| Change { table: table.clone(), key: key.clone(), before: was.get(key).cloned(), after: is.get(key).cloned() })
            .collect::<Vec<_>>()
    })
}

/// Every panic, with the name of the thread it happened on.
static PANICS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Runs a test like `#[tokio::test]` does, on a current-thread runtime, so the test's server runs
/// its tasks on the test's own thread; the runtime's blocking threads (password hashing) carry the
/// test's name too. A panic there is the server's, whether or not anyone awaited the task (a
/// panic while hashing would pass for a wrong password), and fails the test.
fn watching_for_panics(test: impl Future<Output = ()>) {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current().name().unwrap_or("").to_owned();
            PANICS.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((thread, info.to_string()));
            previous(info);
        }));
    });
    let name = std::thread::current().name().expect("the test harness names its threads").to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_name(format!("{name} (blocking)"))
        .build()
        .expect("a runtime");
    runtime.block_on(test);
    drop(runtime);
    let panics: Vec<String> = PANICS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .filter(|(thread, _)| thread.starts_with(&name))
        .map(|(thread, panic)| format!("on {thread}: {panic}"))
        .collect();
    assert!(panics.is_empty(), "the server panicked:\n{}", panics.join("\n"));
}
