//! The authorization matrix: every server function, the live channel and every page, called by
//! each kind of principal, with the status the server must answer. The server alone decides.

use crate::helpers::*;
use reqwest::StatusCode;

/// Who calls, in the order each row calls them (the impersonator first: some calls end things).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Impersonating,
    /// A super admin impersonating a user who allowed viewing only.
    ViewOnly,
    Anonymous,
    User,
    OtherTenantsUser,
    SuperAdmin,
}

const WHO: [Who; 6] = [Who::Impersonating, Who::ViewOnly, Who::Anonymous, Who::User, Who::OtherTenantsUser, Who::SuperAdmin];

enum Call {
    Fn(&'static str),
    Get(&'static str),
}

/// (call, expected status for: impersonating, impersonating view only, anonymous, user, other
/// tenant's user, super admin)
const MATRIX: [(Call, [u16; 6]); 21] = [
    (Call::Fn("session/viewer"), [200, 200, 200, 200, 200, 200]),
    (Call::Fn("session/status"), [200, 200, 200, 200, 200, 200]),
    (Call::Fn("auth/login"), [200, 200, 200, 200, 200, 200]),
    (Call::Fn("auth/logout"), [200, 200, 200, 200, 200, 200]),
    (Call::Fn("account/password"), [403, 403, 401, 200, 200, 200]),
    (Call::Fn("account/email"), [403, 403, 401, 200, 200, 200]),
    (Call::Fn("profile"), [200, 200, 401, 200, 200, 200]),
    (Call::Fn("impersonation/allow"), [403, 403, 401, 200, 200, 403]),
    (Call::Fn("impersonation/disallow"), [403, 403, 401, 200, 200, 403]),
    (Call::Fn("impersonation/switcher"), [403, 403, 401, 403, 403, 200]),
    (Call::Fn("impersonation/start"), [403, 403, 401, 403, 403, 200]),
    (Call::Fn("impersonation/stop"), [200, 200, 401, 403, 403, 403]),
    (Call::Fn("home"), [200, 200, 401, 200, 200, 200]),
    (Call::Fn("tasks/add"), [200, 403, 401, 200, 200, 403]),
    (Call::Fn("tasks/set-done"), [200, 403, 401, 200, 404, 403]),
    (Call::Fn("audit"), [403, 403, 401, 403, 403, 200]),
    (Call::Get("/api/events"), [200, 200, 401, 200, 200, 200]),
    (Call::Get("/"), [200, 200, 303, 200, 200, 200]),
    (Call::Get("/profile"), [200, 200, 303, 200, 200, 200]),
    (Call::Get("/impersonate"), [403, 403, 303, 403, 403, 200]),
    (Call::Get("/audit"), [403, 403, 303, 403, 403, 200]),
];

struct Cast {
    browsers: Vec<(Who, Browser)>,
    bob: String,
    acme_task: String,
}

/// Ann (Acme) and Bob (Acme) allow, Bob for viewing only; Sam impersonates Ann; Ada impersonates
/// Bob in one session and is in her own in another; Gus is Globex's; the visitor is nobody.
async fn cast(app: &TestApp) -> Cast {
    let ann = app.log_in(ANN).await;
    ann.allows().await;
    app.log_in(BOB).await.allows_on(&[("access", "view_only")]).await;
    let task: app::api::types::Task = ann.ok("tasks/add", &[("title", "an Acme record")]).await;
    let sam = app.log_in(SAM).await;
    sam.starts_impersonating(app.id(ANN)).await;
    let ada_as_bob = app.log_in(ADA).await;
    ada_as_bob.starts_impersonating(app.id(BOB)).await;
    let browsers = vec![
        (Who::Impersonating, sam),
        (Who::ViewOnly, ada_as_bob),
        (Who::Anonymous, app.browser()),
        (Who::User, ann),
        (Who::OtherTenantsUser, app.log_in(GUS).await),
        (Who::SuperAdmin, app.log_in(ADA).await),
    ];
    Cast { browsers, bob: app.id(BOB).to_string(), acme_task: task.id.to_string() }
}

fn args(endpoint: &str, who: Who, cast: &Cast) -> Vec<(&'static str, String)> {
    let s = |v: &str| v.to_owned();
    match endpoint {
        "auth/login" => vec![("email", s(ANN)), ("password", s(PASSWORD)), ("next", s(""))],
        "account/password" => vec![("current", s(PASSWORD)), ("new", s("a different long password"))],
        "account/email" => vec![("email", format!("{who:?}@new.test").to_lowercase()), ("current", s(PASSWORD))],
        "impersonation/start" => vec![("user", cast.bob.clone()), ("reason", s("matrix"))],
        "tasks/add" => vec![("title", s("a new record"))],
        "tasks/set-done" => vec![("task", cast.acme_task.clone()), ("done", s("true"))],
        _ => vec![],
    }
}

#[test]
fn the_matrix_has_a_row_for_every_registered_server_function() {
    let mut rows: Vec<String> = MATRIX
        .iter()
        .filter_map(|(call, _)| match call {
            Call::Fn(endpoint) => Some((*endpoint).to_owned()),
            Call::Get(_) => None,
        })
        .collect();
    rows.sort();
    assert_eq!(rows, registered_endpoints());
}

#[tokio::test]
async fn every_call_answers_each_principal_as_the_matrix_says() {
    let mut failures = Vec::new();
    for (call, expected) in MATRIX {
        let app = TestApp::spawn().await;
        let cast = cast(&app).await;
        for (who, status) in WHO.into_iter().zip(expected) {
            let browser = &cast.browsers.iter().find(|(w, _)| *w == who).expect("cast").1;
            let (label, actual) = match call {
                Call::Fn(endpoint) => {
                    let form = args(endpoint, who, &cast);
                    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    (endpoint, browser.call(endpoint, &form).await.status())
                }
                Call::Get(path) => (path, browser.get(path).await.status()),
            };
            if actual != StatusCode::from_u16(status).expect("status") {
                failures.push(format!("{label} as {who:?}: expected {status}, got {actual}"));
            }
        }
    }
    assert!(failures.is_empty(), "authorization matrix ({} cells) differs:\n{}", MATRIX.len() * WHO.len(), failures.join("\n"));
}
