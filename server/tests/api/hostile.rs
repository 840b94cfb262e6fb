//! Hostile input: generated bodies (wrong types, missing and extra fields, empty and huge values,
//! control characters, invalid UTF-8, malformed ids, wrong content types) to every registered
//! server function, as a visitor, a user and a super admin. Whatever arrives, the answer is never
//! a 5xx, and the server still serves its people normally afterwards.
//!
//! The cases come from a fixed seed, so a run is repeatable; a failure prints the request.

use crate::helpers::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use reqwest::StatusCode;

/// Field names the server functions read, and some they do not.
const FIELDS: [&str; 10] = ["email", "password", "next", "current", "new", "user", "reason", "title", "task", "done"];
const CASES_PER_CALLER: usize = 24;

#[derive(Clone)]
struct Attack {
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

impl std::fmt::Debug for Attack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body = String::from_utf8_lossy(&self.body);
        let shown: String = body.chars().take(200).collect();
        write!(f, "{:?} body {shown:?}", self.content_type)
    }
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

/// A form every server function can read (each takes some of these fields and ignores the rest),
/// with one field made nasty: the value reaches the code behind the argument decoding.
fn targeted(app: &TestApp) -> Vec<Attack> {
    let user = app.id(BOB).to_string();
    let base = [
        ("email", "ann@acme.test"),
        ("password", PASSWORD),
        ("next", ""),
        ("current", PASSWORD),
        ("new", "a different long password"),
        ("user", user.as_str()),
        ("reason", "ticket 42"),
        ("title", "a title"),
        ("task", "6f1c1f0e-0000-4000-8000-000000000000"),
        ("done", "true"),
    ];
    let mut attacks = Vec::new();
    for field in FIELDS {
        for nasty in nasty() {
            let pairs = base.iter().map(|(name, value)| (*name, if *name == field { nasty.as_str() } else { *value }));
            let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish().into_bytes();
            attacks.push(Attack { content_type: Some("application/x-www-form-urlencoded"), body });
        }
    }
    attacks
}

fn generated(count: usize) -> Vec<Attack> {
    let mut runner = TestRunner::deterministic();
    (0..count).map(|_| attack().new_tree(&mut runner).expect("a case").current()).collect()
}

#[tokio::test]
async fn no_generated_input_to_any_server_function_gets_a_5xx() {
    let app = TestApp::spawn().await;
    let callers = [("a visitor", app.browser()), ("a user", app.log_in(ANN).await), ("a super admin", app.log_in(ADA).await)];
    let cases: Vec<Attack> = targeted(&app).into_iter().chain(generated(CASES_PER_CALLER)).collect();
    let mut failures = Vec::new();
    // Logging out would only turn the later cases into a visitor's.
    for endpoint in registered_endpoints().into_iter().filter(|e| e != "auth/logout") {
        for (who, browser) in &callers {
            for attack in &cases {
                let mut request = browser.client.post(format!("{}/api/{endpoint}", app.address)).body(attack.body.clone());
                if let Some(content_type) = attack.content_type {
                    request = request.header("content-type", content_type);
                }
                match request.send().await {
                    Ok(response) if response.status().is_server_error() => {
                        failures.push(format!("{endpoint} as {who}: {} to {attack:?}", response.status()))
                    }
                    Ok(_) => {}
                    Err(error) => failures.push(format!("{endpoint} as {who}: no answer ({error}) to {attack:?}")),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} answers were 5xx or missing:\n{}", failures.len(), failures.join("\n"));
    // Valid cases did change things (Ann's email, Ada's password): check on people left alone.
    assert_eq!(app.browser().log_in(BOB, PASSWORD).await.status(), StatusCode::OK, "still serving");
    assert_eq!(app.log_in(SAM).await.sees_as().await.as_deref(), Some("Sam Support"));
}
