//! Nothing lost on a crash ("Scale out", item 4): every write the server acknowledged is stored,
//! no half-done operation is ever visible, and the windows and revocations decided before a crash
//! are enforced after it.
//!
//! The in-process tests (`tests/api`) cannot show this: aborting a server task there unwinds its
//! futures inside a process that lives on. Here the real `server` binary runs as a child process
//! on its own database (a SQLite file, or a new PostgreSQL database when
//! `IMPERSONATE_TEST_POSTGRES` names a server, as for the api tests). Several clients drive writes
//! at it (a user allows, their super admin starts, adds a task, marks it done, stops, the user
//! disallows, again and again), recording every write that got a 2xx answer. Mid-stream, with
//! requests in flight, the process gets SIGKILL: no graceful shutdown, no destructors, open
//! transactions cut off. The database is then read directly while nothing runs, the server is
//! restarted on it and asked through HTTP, and the workload goes on until the next kill: several
//! crashes a run, each at a random point, because a gap between two commits that should have
//! been one is only visible when a kill lands in it. At the end the database is read once more.
//!
//! Three people's states are settled before the first crash and must hold after it: Carla
//! disallowed while Ada impersonated her (Ada stays out), Dan allowed (a super admin may still
//! start), and Kim started on Eve with a window of `DURATION` (it survives the crash, and ends
//! at its stored end, not before and not much after).
//!
//! The checks on the stored state (`half_done`) hold for any history the rules allow: the rules'
//! own history checker (`app::domain::rules::history`, as `server check-history` runs it) on what
//! the database holds, and what only this test knows (tasks, sessions). No check depends on how fast anything ran: time only decides which of
//! two answers is right, from the instants the client saw around each request.

use app::api::ApiError;
use app::api::types::{CandidateState, LiveStatus, Switcher, Task};
use app::backend::Clock;
use app::domain::{AuditKind, EndReason, Grant, Impersonation, Policy, Refusal, TaskId, Timestamp, UserId};
use reqwest::{Client, StatusCode};
use sea_orm::{AccessMode, ColumnTrait, DatabaseConnection, EntityTrait, IsolationLevel, QueryFilter, TransactionTrait};
use serde::de::DeserializeOwned;
use server::clock::SystemClock;
use server::db::entities::{audit_event, grant, impersonation, session, task, user};
use server::db::from_db_time;
use server::store::rows::{grant_of, impersonation_of};
use server::store::{StoredRecords, stored_records};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

/// Every impersonation's window on this server: far longer than a client's whole cycle, so no
/// write of the workload is refused for time, and short enough to watch one run out after the
/// restart.
const DURATION: Duration = Duration::from_secs(15);
/// The product's default; stored start deadlines must be exactly this after the allow.
const START_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// A hang fails the run within this, naming the test, and takes the server process with it.
const TEST_TIME_LIMIT: Duration = Duration::from_secs(120);
const REQUEST_TIME_LIMIT: Duration = Duration::from_secs(30);
const SERVER_START_LIMIT: Duration = Duration::from_secs(60);
/// Each kill comes after at least this many acknowledged writes of the workload (one cycle per
/// client), plus up to one more cycle each, at random, so different steps are cut off each time.
const KILL_AFTER_AT_LEAST: usize = 48;
/// How many times one run kills the server (each at another random point).
const CRASHES: usize = 5;

/// The demo's people (`server --demo`) and the two super admins the test adds with the CLI.
const ANN: &str = "ann@acme.test";
const BOB: &str = "bob@acme.test";
const CARLA: &str = "carla@acme.test";
const DAN: &str = "dan@acme.test";
const EVE: &str = "eve@acme.test";
const FINN: &str = "finn@acme.test";
const GINA: &str = "gina@acme.test";
const HUGO: &str = "hugo@acme.test";
const IRIS: &str = "iris@acme.test";
const GUS: &str = "gus@globex.test";
const HANA: &str = "hana@globex.test";
const ADA: &str = "ada@vendor.test";
const SAM: &str = "sam@vendor.test";
const KIM: &str = "kim@vendor.test";
const LOU: &str = "lou@vendor.test";
/// The password of the super admins made with `create-super-admin`.
const CLI_PASSWORD: &str = "a long enough password";

fn password_of(email: &str) -> &'static str {
    if [KIM, LOU].contains(&email) { CLI_PASSWORD } else { server::seed::DEMO_PASSWORD }
}

fn now() -> Timestamp {
    SystemClock.now()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_a_sigkill_and_nothing_half_done_is_visible() {
    let test = "acknowledged_writes_survive_a_sigkill_and_nothing_half_done_is_visible";
    if tokio::time::timeout(TEST_TIME_LIMIT, crash_and_restart()).await.is_err() {
        panic!("'{test}' still running after {TEST_TIME_LIMIT:?}: it hangs (the server process was killed with it)");
    }
}

async fn crash_and_restart() {
    let deployment = Deployment::new().await;
    let mut server = ServerProcess::start(&deployment, &["serve", "--demo"]).await;
    // Two more super admins, made the way a deployment makes them.
    deployment.run_cli(&["create-super-admin", "--name", "Kim Keeper", "--email", KIM]).await;
    deployment.run_cli(&["create-super-admin", "--name", "Lou Lang", "--email", LOU]).await;
    let db = server::db::connect(&deployment.database_url, 2).await.expect("the test reads the database");
    let ids = user_ids(&db).await;

    // Settled before the workload, each acknowledged: what the restarted server must still enforce.
    let revoked = Revoked::set_up(&server.address, &ids).await;
    let dan = Browser::log_in(&server.address, DAN).await;
    dan.ok::<()>("impersonation/allow", &[]).await;

    // One client per pair: a user, and a session of their super admin (each super admin has two).
    let mut pairs = Vec::new();
    for (label, user, super_admin) in PAIRS {
        pairs.push(Pair {
            label,
            user_id: ids[user],
            super_admin_id: ids[super_admin],
            super_admin_email: super_admin,
            user: Browser::log_in(&server.address, user).await,
            super_admin: Browser::log_in(&server.address, super_admin).await,
        });
    }
    let window = Window::set_up(&server.address, &ids, &db).await;

    let mut drives = Vec::new();
    let mut written_after_restart = Vec::new();
    for round in 0..CRASHES {
        let mut crashed = crash_mid_stream(&mut server, &pairs, round).await;

        // With nothing running: what the crash left.
        let stored = Stored::read(&db).await;
        let mut problems = half_done(&stored, now());
        for drive in drives.iter().chain(&crashed) {
            problems.extend(missing(&stored, drive));
        }
        problems.extend(revoked.missing(&stored));
        assert!(problems.is_empty(), "right after crash {round}:\n{}", problems.join("\n"));

        server = ServerProcess::start(&deployment, &["serve"]).await;
        let address = server.address.clone();
        if round == 0 {
            // First, while its window may still be open: the impersonation started before the crash.
            let (sent, status, answered) = timed(window.super_admin.at(&address).status()).await;
            if answered < window.ends_at {
                assert!(is_impersonating(&status), "an impersonation started before the crash is gone after it: {status:?}");
            } else {
                eprintln!("the restart came after Eve's window ended: her impersonation's survival was not observed");
            }
            if sent >= window.ends_at {
                assert!(!is_impersonating(&status), "an impersonation outlived its window across the restart: {status:?}");
            }
            written_after_restart.push(allowed_can_still_be_impersonated(&address, &ids).await);
        }
        revoked.is_enforced(&address, &db).await;
        for (pair, drive) in pairs.iter_mut().zip(&mut crashed) {
            let (written, fresh) = agrees_with_the_database(drive, &address, &db).await;
            written_after_restart.extend(written);
            // The next round goes on in the fresh session: the old one's cookie may be stale
            // (a start or stop that committed without its answer).
            *pair = Pair { user: pair.user.at(&address), super_admin: fresh, ..pair.clone() };
        }
        drives.extend(crashed);
    }
    window.is_enforced(&server.address, &ids).await;

    let stored = Stored::read(&db).await;
    let mut problems = half_done(&stored, now());
    for drive in &drives {
        problems.extend(missing(&stored, drive));
    }
    problems.extend(revoked.missing(&stored));
    problems.extend(window.missing(&stored));
    for title in &written_after_restart {
        if !stored.tasks.iter().any(|t| &t.title == title) {
            problems.push(format!("the task “{title}”, added after a restart and acknowledged, is missing"));
        }
    }
    assert!(problems.is_empty(), "at the end:\n{}", problems.join("\n"));
    eprintln!(
        "{CRASHES} crashes; checked {} acknowledged writes, {} grants, {} impersonations, {} audit lines, {} sessions",
        drives.iter().map(|d| d.acknowledged.len()).sum::<usize>(),
        stored.grants.len(),
        stored.impersonations.len(),
        stored.audit.len(),
        stored.sessions.len()
    );
    db.close().await.expect("closed");
    server.kill();
}

/// Runs every pair's client until enough writes are acknowledged, then SIGKILLs the server with
/// requests in flight. Answers what each client had acknowledged and what was cut off.
async fn crash_mid_stream(server: &mut ServerProcess, pairs: &[Pair], round: usize) -> Vec<Drive> {
    // A known start: whatever the last crash cut off, the user's consent is over.
    for pair in pairs {
        pair.user.ok::<()>("impersonation/disallow", &[]).await;
    }
    let kill_after = KILL_AFTER_AT_LEAST + (Uuid::new_v4().as_u128() % (CYCLE.len() * pairs.len()) as u128) as usize;
    let (counter, mut acknowledged) = watch::channel(0usize);
    let counter = Arc::new(counter);
    let mut clients = tokio::task::JoinSet::new();
    for pair in pairs {
        clients.spawn(drive(pair.clone(), round, counter.clone()));
    }
    tokio::select! {
        reached = acknowledged.wait_for(|n| *n >= kill_after) => { reached.expect("the clients count"); }
        stopped = clients.join_next() => panic!("a client stopped before the kill: {:?}", stopped.map(|r| r.map(|d| d.map(|d| d.cut)))),
    }
    server.kill();
    let mut drives = Vec::new();
    while let Some(drive) = clients.join_next().await {
        drives.push(drive.expect("a client ran to its end").unwrap_or_else(|why| panic!("{why}")));
    }
    // In the pairs' order, so each drive goes back to its pair.
    drives.sort_by_key(|d| pairs.iter().position(|p| p.label == d.pair.label));
    let in_flight = drives.iter().filter(|d| d.cut.reached_server).count();
    eprintln!(
        "crash {round}: SIGKILL after {} acknowledged writes, {in_flight} of {} requests in flight: {:?}",
        *acknowledged.borrow(),
        drives.len(),
        drives.iter().map(|d| (d.pair.label, d.cut.step)).collect::<Vec<_>>()
    );
    drives
}

// ---------------------------------------------------------------------------------------------
// The workload.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Allow,
    Start,
    AddTask,
    MarkDone,
    Stop,
    Disallow,
}

/// One client's cycle; every step is a write, acknowledged or not.
const CYCLE: [Step; 6] = [Step::Allow, Step::Start, Step::AddTask, Step::MarkDone, Step::Stop, Step::Disallow];

/// The workload's pairs: a label, the user, their super admin.
const PAIRS: [(&str, &str, &str); 8] = [
    ("ann", ANN, ADA),
    ("bob", BOB, SAM),
    ("gus", GUS, KIM),
    ("hana", HANA, LOU),
    ("finn", FINN, ADA),
    ("gina", GINA, SAM),
    ("hugo", HUGO, KIM),
    ("iris", IRIS, LOU),
];

/// A user and the super admin session that impersonates them, driven by one client.
#[derive(Clone)]
struct Pair {
    label: &'static str,
    user_id: UserId,
    super_admin_id: UserId,
    super_admin_email: &'static str,
    user: Browser,
    super_admin: Browser,
}

/// A write that got a 2xx answer between `sent` and `answered`: it must be stored, at a time
/// in between (server and test read the same clock).
#[derive(Clone, Copy, Debug)]
struct Acknowledged {
    step: Step,
    cycle: usize,
    sent: Timestamp,
    answered: Timestamp,
    /// The cycle's task, once added.
    task: Option<TaskId>,
}

/// The write the kill cut off: it may or may not be stored. `reached_server` is false when the
/// connection was refused (sent after the kill).
#[derive(Clone, Copy, Debug)]
struct Cut {
    step: Step,
    reached_server: bool,
}

struct Drive {
    pair: Pair,
    round: usize,
    acknowledged: Vec<Acknowledged>,
    cut: Cut,
}

fn task_title(label: &str, round: usize, cycle: usize) -> String {
    format!("Crash check: {label}, round {round}, cycle {cycle}")
}

/// Runs the pair's cycle until a request gets no answer (the kill). An answer that refuses
/// something is a failure: nothing in this workload may be refused.
async fn drive(pair: Pair, round: usize, counter: Arc<watch::Sender<usize>>) -> Result<Drive, String> {
    let mut acknowledged = Vec::new();
    let mut task: Option<TaskId> = None;
    let user = pair.user_id.to_string();
    let mut cycle = 0;
    loop {
        for step in CYCLE {
            let title = task_title(pair.label, round, cycle);
            let done_task = task.map(|t| t.to_string()).unwrap_or_default();
            let sent = now();
            let answer = match step {
                Step::Allow => pair.user.call("impersonation/allow", &[]).await,
                Step::Start => pair.super_admin.call("impersonation/start", &[("user", &user), ("reason", "crash test")]).await,
                Step::AddTask => pair.super_admin.call("tasks/add", &[("title", &title)]).await,
                Step::MarkDone => pair.super_admin.call("tasks/set-done", &[("task", &done_task), ("done", "true")]).await,
                Step::Stop => pair.super_admin.call("impersonation/stop", &[]).await,
                Step::Disallow => pair.user.call("impersonation/disallow", &[]).await,
            };
            match answer {
                Ok((status, body)) if status.is_success() => {
                    if step == Step::AddTask {
                        let added: Task = serde_json::from_str(&body).map_err(|e| format!("{}: tasks/add answered {body}: {e}", pair.label))?;
                        task = Some(added.id);
                    }
                    acknowledged.push(Acknowledged { step, cycle, sent, answered: now(), task });
                    counter.send_modify(|n| *n += 1);
                }
                Ok((status, body)) => {
                    return Err(format!("{}: {step:?} of cycle {cycle} was refused before the kill: {status} {body}", pair.label));
                }
                Err(error) => {
                    let cut = Cut { step, reached_server: !error.is_connect() };
                    return Ok(Drive { pair, round, acknowledged, cut });
                }
            }
        }
        cycle += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// What was settled before the workload, and what the restarted server must still enforce.

/// Carla allowed, Ada started and added a task, Carla disallowed: all acknowledged.
struct Revoked {
    super_admin: Browser,
    subject: UserId,
    task: String,
}

impl Revoked {
    async fn set_up(address: &str, ids: &HashMap<String, UserId>) -> Revoked {
        let carla = Browser::log_in(address, CARLA).await;
        let ada = Browser::log_in(address, ADA).await;
        carla.ok::<()>("impersonation/allow", &[]).await;
        ada.ok::<()>("impersonation/start", &[("user", &ids[CARLA].to_string()), ("reason", "")]).await;
        let task = "Crash check: written before the disallow".to_owned();
        ada.ok::<Task>("tasks/add", &[("title", &task)]).await;
        carla.ok::<()>("impersonation/disallow", &[]).await;
        Revoked { super_admin: ada, subject: ids[CARLA], task }
    }

    fn missing(&self, stored: &Stored) -> Vec<String> {
        let mut problems = Vec::new();
        let grants: Vec<_> = stored.grants.iter().filter(|g| g.user_id == self.subject.uuid()).map(grant_of).collect();
        if !matches!(&grants[..], [g] if g.ended.is_some_and(|e| e.reason == EndReason::Disallowed)) {
            problems.push(format!("Carla's acknowledged disallow is not stored: {grants:?}"));
        }
        if !stored.tasks.iter().any(|t| t.title == self.task) {
            problems.push("the task added while impersonating Carla, acknowledged, is missing".to_owned());
        }
        problems
    }

    /// The super admin is out, can neither write as Carla nor start again.
    async fn is_enforced(&self, address: &str, db: &DatabaseConnection) {
        let ada = self.super_admin.at(address);
        let status = ada.status().await;
        assert!(!is_impersonating(&status), "Ada still impersonates Carla after a disallow and a crash: {status:?}");
        let title = "Crash check: written after the disallow";
        ada.refused("tasks/add", &[("title", title)]).await;
        let found = task::Entity::find().filter(task::Column::Title.eq(title)).all(db).await.expect("tasks");
        assert!(found.is_empty(), "a refused write was stored: {found:?}");
        let (_, error) = ada.refused("impersonation/start", &[("user", &self.subject.to_string()), ("reason", "")]).await;
        assert_eq!(error, ApiError::Refused(Refusal::NoGrant), "Carla disallowed before the crash");
        let switcher: Switcher = ada.ok("impersonation/switcher", &[]).await;
        assert!(switcher.candidates.iter().all(|c| c.user_id != self.subject), "Carla is offered after her disallow");
    }
}

/// Dan allowed before the crash; Sam, logging in after it, may start, and write as Dan.
async fn allowed_can_still_be_impersonated(address: &str, ids: &HashMap<String, UserId>) -> String {
    let sam = Browser::log_in(address, SAM).await;
    let switcher: Switcher = sam.ok("impersonation/switcher", &[]).await;
    let dan = switcher.candidates.iter().find(|c| c.user_id == ids[DAN]).expect("Dan, who allowed before the crash, is offered");
    assert!(matches!(dan.state, CandidateState::Waiting { .. }), "nobody started on Dan: {:?}", dan.state);
    sam.ok::<()>("impersonation/start", &[("user", &ids[DAN].to_string()), ("reason", "")]).await;
    match sam.status().await {
        LiveStatus::Impersonating { banner } => assert_eq!(banner.subject_name, "Dan Wu"),
        other => panic!("Sam started on Dan but is {other:?}"),
    }
    let title = "Crash check: Dan, after the restart".to_owned();
    sam.ok::<Task>("tasks/add", &[("title", &title)]).await;
    title
}

/// Eve allowed and Kim started just before the workload; the window ends `DURATION` later.
struct Window {
    super_admin: Browser,
    subject: UserId,
    ends_at: Timestamp,
}

impl Window {
    async fn set_up(address: &str, ids: &HashMap<String, UserId>, db: &DatabaseConnection) -> Window {
        let eve = Browser::log_in(address, EVE).await;
        let kim = Browser::log_in(address, KIM).await;
        eve.ok::<()>("impersonation/allow", &[]).await;
        kim.ok::<()>("impersonation/start", &[("user", &ids[EVE].to_string()), ("reason", "")]).await;
        let grant = grant::Entity::find().filter(grant::Column::UserId.eq(ids[EVE].uuid())).one(db).await.expect("a grant").expect("Eve's grant");
        let ends_at = grant_of(&grant).ends_at.expect("fixed by Kim's start");
        Window { super_admin: kim, subject: ids[EVE], ends_at }
    }

    /// Kim's impersonation ends at its stored end, not before, and nothing can be done under it
    /// afterwards.
    async fn is_enforced(&self, address: &str, ids: &HashMap<String, UserId>) {
        let kim = self.super_admin.at(address);
        let left = now().until(self.ends_at);
        let deadline = tokio::time::Instant::now() + left + Duration::from_secs(30);
        loop {
            let (_, status, answered) = timed(kim.status()).await;
            if !is_impersonating(&status) {
                assert!(answered >= self.ends_at, "Kim's impersonation ended before its window did: {status:?}");
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "Kim still impersonates Eve 30 s after the window's end");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let title = "Crash check: written after the window";
        kim.refused("tasks/add", &[("title", title)]).await;
        let (_, error) = kim.refused("impersonation/start", &[("user", &ids[EVE].to_string()), ("reason", "")]).await;
        assert_eq!(error, ApiError::Refused(Refusal::GrantExpired), "Eve's grant ran out");
    }

    fn missing(&self, stored: &Stored) -> Vec<String> {
        let grants: Vec<_> = stored.grants.iter().filter(|g| g.user_id == self.subject.uuid()).map(grant_of).collect();
        let ended_at_its_end = |g: &Grant| g.ended.is_some_and(|e| e.reason == EndReason::DurationOver && e.at == self.ends_at);
        let mut problems = Vec::new();
        if !matches!(&grants[..], [g] if ended_at_its_end(g)) {
            problems.push(format!("Eve's grant is not recorded as over at its window's end: {grants:?}"));
        }
        if stored.tasks.iter().any(|t| t.title == "Crash check: written after the window") {
            problems.push("a write refused after the window is stored".to_owned());
        }
        problems
    }
}

/// After the restart, the server's answers for one pair agree with what the database holds:
/// the super admin's session from before the crash impersonates exactly when its stored
/// impersonation holds, and a fresh super admin session may start exactly when the stored grant
/// is open. Answers the titles of tasks written and acknowledged here, and that fresh session.
async fn agrees_with_the_database(drive: &Drive, address: &str, db: &DatabaseConnection) -> (Vec<String>, Browser) {
    let pair = &drive.pair;
    let mut written = Vec::new();
    let super_admin = pair.super_admin.at(address);
    let latest = latest_impersonation(db, pair).await;
    let holds_at = |t: Timestamp| latest.as_ref().is_some_and(|(i, g)| i.ended.is_none() && g.is_open(t));
    let (sent, status, answered) = timed(super_admin.status()).await;
    let last = drive.acknowledged.last().map(|a| a.step);
    let cut = drive.cut.step;
    match last {
        // Inside the impersonation, and the request cut off (a task edit) cannot move the session.
        // After a mark-done the cut request is a stop, which may have: either answer, checked
        // against the database below.
        Some(Step::Start | Step::AddTask) if holds_at(answered) => {
            assert!(is_impersonating(&status), "{}: the acknowledged start did not survive the crash: {status:?}", pair.label);
        }
        // A stop was acknowledged, or a disallow, or a start or stop may have moved the session
        // under a cookie the client never got.
        Some(Step::Stop | Step::Disallow | Step::Allow) | None => {
            assert!(!is_impersonating(&status), "{}: impersonating after {last:?} (cut off: {cut:?}): {status:?}", pair.label);
        }
        _ => {}
    }
    if is_impersonating(&status) {
        assert!(holds_at(sent), "{}: the server lets a session impersonate under a stored impersonation that is over", pair.label);
        let title = format!("Crash check: {}, after restart {}", pair.label, drive.round);
        let (sent, answer, _) = timed(super_admin.call("tasks/add", &[("title", &title)])).await;
        match answer.expect("the restarted server answers") {
            (status, _) if status.is_success() => written.push(title),
            (status, body) => assert!(!holds_at(sent), "{}: a write refused ({status} {body}) though the impersonation holds", pair.label),
        }
    } else {
        let title = format!("Crash check: {}, refused after restart {}", pair.label, drive.round);
        super_admin.refused("tasks/add", &[("title", &title)]).await;
        let found = task::Entity::find().filter(task::Column::Title.eq(&title)).all(db).await.expect("tasks");
        assert!(found.is_empty(), "{}: a refused write was stored: {found:?}", pair.label);
    }

    // A new session of the pair's super admin: may start exactly when the stored grant is open.
    let fresh = Browser::log_in(address, pair.super_admin_email).await;
    let grant = latest_grant(db, pair.user_id).await;
    let (sent, answer, answered) = timed(fresh.call("impersonation/start", &[("user", &pair.user_id.to_string()), ("reason", "")])).await;
    let (status, body) = answer.expect("the restarted server answers");
    let open_at = |t: Timestamp| grant.as_ref().is_some_and(|g| g.is_open(t));
    if status.is_success() {
        assert!(open_at(sent), "{}: started under a stored grant that is not open: {grant:?}", pair.label);
    } else {
        assert!(!open_at(answered), "{}: start refused ({status} {body}) though the stored grant is open: {grant:?}", pair.label);
    }
    (written, fresh)
}

/// The user's latest grant, as the store chooses it: one not recorded as ended first.
async fn latest_grant(db: &DatabaseConnection, user: UserId) -> Option<Grant> {
    let grants = grant::Entity::find().filter(grant::Column::UserId.eq(user.uuid())).all(db).await.expect("grants");
    grants.iter().map(grant_of).max_by_key(|g| (g.ended.is_none(), g.allowed_at))
}

/// The pair's latest impersonation (by its super admin, of its user) with its grant.
async fn latest_impersonation(db: &DatabaseConnection, pair: &Pair) -> Option<(Impersonation, Grant)> {
    let grants: HashMap<Uuid, Grant> = grant::Entity::find()
        .filter(grant::Column::UserId.eq(pair.user_id.uuid()))
        .all(db)
        .await
        .expect("grants")
        .iter()
        .map(|g| (g.id, grant_of(g)))
        .collect();
    let rows = impersonation::Entity::find().filter(impersonation::Column::GrantId.is_in(grants.keys().copied())).all(db).await.expect("impersonations");
    let latest = rows.iter().map(impersonation_of).filter(|i| i.super_admin == pair.super_admin_id).max_by_key(|i| i.started_at)?;
    let grant = grants.get(&latest.grant.uuid())?.clone();
    Some((latest, grant))
}

fn is_impersonating(status: &LiveStatus) -> bool {
    matches!(status, LiveStatus::Impersonating { .. })
}

/// Runs a request, with the instants just before it was sent and just after it was answered.
async fn timed<T>(request: impl Future<Output = T>) -> (Timestamp, T, Timestamp) {
    let sent = now();
    let answer = request.await;
    (sent, answer, now())
}

// ---------------------------------------------------------------------------------------------
// What the database holds.

struct Stored {
    grants: Vec<grant::Model>,
    impersonations: Vec<impersonation::Model>,
    audit: Vec<audit_event::Model>,
    sessions: Vec<session::Model>,
    tasks: Vec<task::Model>,
    /// The same tables as the rules' history checker reads them.
    records: StoredRecords,
}

impl Stored {
    /// Every table, from one snapshot (a running server's sweeper may record ends meanwhile).
    async fn read(db: &DatabaseConnection) -> Stored {
        let txn = db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await.expect("a snapshot");
        let stored = Stored {
            grants: grant::Entity::find().all(&txn).await.expect("grants"),
            impersonations: impersonation::Entity::find().all(&txn).await.expect("impersonations"),
            audit: audit_event::Entity::find().all(&txn).await.expect("audit lines"),
            sessions: session::Entity::find().all(&txn).await.expect("sessions"),
            tasks: task::Entity::find().all(&txn).await.expect("tasks"),
            records: stored_records(&txn).await.expect("the stored histories"),
        };
        txn.commit().await.expect("the snapshot ends");
        stored
    }
}

/// Every half-done operation the stored state shows: a change without its audit line or an
/// audit line without its change, an end recorded on one side only, a session pointing at a
/// missing impersonation, two open grants at once, an impersonation outside its grant's windows
/// or after a disallow, an `ends_at` that moved.
fn half_done(stored: &Stored, now: Timestamp) -> Vec<String> {
    // Grants, impersonations and the audit log, read back against the rules by the same checker
    // as `server check-history` (`rules::history`): windows, ends and their reasons, one open
    // grant at a time, every change with its line and every line with its change, writes only
    // while their impersonation held.
    let policy = Policy { start_window: START_WINDOW, duration: DURATION, ..Policy::default() };
    let records = &stored.records;
    let mut problems: Vec<String> = records.violations(&policy, now).iter().map(ToString::to_string).collect();
    if records.unreadable_audit_lines + records.strays > 0 {
        problems.push(format!("{} unreadable audit lines, {} records about nobody", records.unreadable_audit_lines, records.strays));
    }
    let impersonations: HashMap<Uuid, &impersonation::Model> = stored.impersonations.iter().map(|i| (i.id, i)).collect();
    let kind = |k: AuditKind| k.as_str();

    // What only this test knows: each write's line names a task as it is stored.
    for l in stored.audit.iter().filter(|l| l.kind == kind(AuditKind::Wrote)) {
            let detail = l.detail.as_deref().unwrap_or_default();
            let written = detail.strip_prefix("Added task “").or_else(|| detail.strip_prefix("Marked task “")).and_then(|rest| rest.split_once('”'));
            match written {
                Some((title, _)) if !stored.tasks.iter().any(|t| t.title == title) => {
                    problems.push(format!("audit line {} records a write to a task “{title}” that is not stored", l.id));
                }
                Some((title, " done")) if !stored.tasks.iter().any(|t| t.title == title && t.done) => {
                    problems.push(format!("audit line {} records “{title}” marked done, but it is not", l.id));
                }
                Some(_) => {}
                None => problems.push(format!("audit line {} records an unknown write: {detail}", l.id)),
            }
    }
    // Every task the workload added while impersonating has its audit line.
    for t in stored.tasks.iter().filter(|t| t.title.starts_with("Crash check")) {
        let added = format!("Added task “{}”", t.title);
        if !stored.audit.iter().any(|l| l.kind == kind(AuditKind::Wrote) && l.detail.as_deref() == Some(added.as_str())) {
            problems.push(format!("task “{}” is stored without the audit line of its write", t.title));
        }
    }

    for s in &stored.sessions {
        if let Some(imp) = s.impersonation_id {
            match impersonations.get(&imp) {
                None => problems.push(format!("a session of {} is in a missing impersonation {imp}", s.user_id)),
                Some(i) if i.super_admin_id != s.user_id => problems.push(format!("a session of {} is in {}'s impersonation", s.user_id, i.super_admin_id)),
                Some(_) => {}
            }
        }
        if let Some(imp) = s.ended_impersonation_id
            && !impersonations.contains_key(&imp)
        {
            problems.push(format!("a session of {} remembers a missing impersonation {imp}", s.user_id));
        }
    }
    problems
}

/// The pair's acknowledged writes that are not stored, each at a time within its request.
fn missing(stored: &Stored, drive: &Drive) -> Vec<String> {
    let pair = &drive.pair;
    let mut problems = Vec::new();
    let mut grant: Option<&grant::Model> = None;
    let mut imp: Option<&impersonation::Model> = None;
    for a in &drive.acknowledged {
        let what = format!("{}: the acknowledged {:?} of round {}, cycle {}", pair.label, a.step, drive.round, a.cycle);
        let within = |at: time::OffsetDateTime| (a.sent..=a.answered).contains(&from_db_time(at));
        let wrote = |detail: &str| stored.audit.iter().any(|l| l.kind == AuditKind::Wrote.as_str() && imp.is_some_and(|i| l.impersonation_id == Some(i.id)) && l.detail.as_deref() == Some(detail));
        match a.step {
            Step::Allow => {
                let found: Vec<_> = stored.grants.iter().filter(|g| g.user_id == pair.user_id.uuid() && within(g.allowed_at)).collect();
                grant = found.first().copied().filter(|_| found.len() == 1);
                if grant.is_none() {
                    problems.push(format!("{what}: {} grants were given in its time", found.len()));
                }
            }
            Step::Start => {
                let found: Vec<_> = stored
                    .impersonations
                    .iter()
                    .filter(|i| grant.is_some_and(|g| g.id == i.grant_id) && i.super_admin_id == pair.super_admin_id.uuid() && within(i.started_at))
                    .collect();
                imp = found.first().copied().filter(|_| found.len() == 1);
                if imp.is_none() {
                    problems.push(format!("{what}: {} impersonations by its super admin were started under its grant in its time", found.len()));
                }
            }
            Step::AddTask => {
                let title = task_title(pair.label, drive.round, a.cycle);
                let stored_task = stored.tasks.iter().find(|t| a.task.is_some_and(|id| id.uuid() == t.id));
                if !stored_task.is_some_and(|t| t.title == title && within(t.created_at)) {
                    problems.push(format!("{what}: the task is not stored: {stored_task:?}"));
                }
                if !wrote(&format!("Added task “{title}”")) {
                    problems.push(format!("{what}: no audit line for it under its impersonation"));
                }
            }
            Step::MarkDone => {
                let title = task_title(pair.label, drive.round, a.cycle);
                if !stored.tasks.iter().any(|t| a.task.is_some_and(|id| id.uuid() == t.id) && t.done) {
                    problems.push(format!("{what}: the task is not stored as done"));
                }
                if !wrote(&format!("Marked task “{title}” done")) {
                    problems.push(format!("{what}: no audit line for it under its impersonation"));
                }
            }
            Step::Stop => {
                let ended = imp.map(impersonation_of).and_then(|i| i.ended);
                if !ended.is_some_and(|e| e.reason == EndReason::Stopped && (a.sent..=a.answered).contains(&e.at)) {
                    problems.push(format!("{what}: the impersonation's end is {ended:?}"));
                }
            }
            Step::Disallow => {
                let ended = grant.map(grant_of).and_then(|g| g.ended);
                if !ended.is_some_and(|e| e.reason == EndReason::Disallowed && (a.sent..=a.answered).contains(&e.at)) {
                    problems.push(format!("{what}: the grant's end is {ended:?}"));
                }
            }
        }
    }
    problems
}

async fn user_ids(db: &DatabaseConnection) -> HashMap<String, UserId> {
    user::Entity::find().all(db).await.expect("users").into_iter().map(|u| (u.email, UserId::from_uuid(u.id))).collect()
}

// ---------------------------------------------------------------------------------------------
// The server process and its clients.

/// Where the server runs: a directory of its own (working directory, site) and a fresh database.
struct Deployment {
    database_url: String,
    dir: tempfile::TempDir,
}

impl Deployment {
    async fn new() -> Deployment {
        let dir = tempfile::tempdir().expect("a temp dir");
        let database_url = match std::env::var("IMPERSONATE_TEST_POSTGRES") {
            Ok(server) => fresh_postgres_database(&server).await,
            Err(_) => format!("sqlite://{}/crash.db?mode=rwc", dir.path().display()),
        };
        // The site a debug build serves its static files from (the api tests' convention).
        let pkg = dir.path().join("site").join("pkg");
        std::fs::create_dir_all(&pkg).expect("a site dir");
        std::fs::write(pkg.join("impersonate.css"), "body { color: black; }").expect("a stylesheet");
        Deployment { database_url, dir }
    }

    /// The server binary with exactly these settings: nothing inherited from the test's
    /// environment, and no `Leptos.toml` in its working directory. Hashed file names are off
    /// (a debug build has no `hash.txt` beside it).
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("DATABASE_URL", &self.database_url)
            .env("DATABASE_MAX_CONNECTIONS", "8")
            .env("IMPERSONATION_DURATION", format!("{}s", DURATION.as_secs()))
            .env("IMPERSONATION_START_WINDOW", format!("{}s", START_WINDOW.as_secs()))
            .env("LEPTOS_OUTPUT_NAME", "impersonate")
            .env("LEPTOS_SITE_ROOT", self.dir.path().join("site"))
            .env("LEPTOS_SITE_PKG_DIR", "pkg")
            .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
            .env("LEPTOS_HASH_FILES", "false")
            .env("LEPTOS_ENV", "PROD")
            .env("RUST_LOG", std::env::var("RUST_LOG").unwrap_or_else(|_| "warn,sqlx=error".to_owned()))
            .stdin(Stdio::null());
        command
    }

    /// Runs one of the server's commands to its end.
    async fn run_cli(&self, args: &[&str]) {
        let mut command = self.command(args);
        command.env("IMPERSONATE_PASSWORD", CLI_PASSWORD);
        let output = tokio::task::spawn_blocking(move || command.output()).await.expect("joined").expect("the server binary runs");
        assert!(output.status.success(), "server {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
}

/// With `IMPERSONATE_TEST_POSTGRES=postgres://user:password@host:port`, a new database named
/// `itest_…` (`make test-postgres` drops old ones first), as the api tests make.
async fn fresh_postgres_database(server: &str) -> String {
    use sea_orm::{ConnectionTrait, Database};
    let server = server.trim_end_matches('/');
    let name = format!("itest_{}", Uuid::new_v4().simple());
    let admin = Database::connect(format!("{server}/postgres")).await.expect("PostgreSQL answers");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("a new database");
    admin.close().await.expect("closed");
    format!("{server}/{name}")
}

/// A running `server` process, killed with SIGKILL when dropped (also when a test fails or
/// times out); its log is printed when the test fails.
struct ServerProcess {
    child: Child,
    address: String,
    log: Arc<Mutex<String>>,
}

impl ServerProcess {
    /// Starts the server and waits until it says where it listens (it binds port 0).
    async fn start(deployment: &Deployment, args: &[&str]) -> ServerProcess {
        let mut command = deployment.command(args);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("the server binary starts");
        let log = Arc::new(Mutex::new(String::new()));
        let (tell, listening) = tokio::sync::oneshot::channel();
        let stdout = child.stdout.take().expect("piped");
        let stdout_log = log.clone();
        // Read to the end, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut tell = Some(tell);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some((_, address)) = line.split_once("running at ")
                    && let Some(tell) = tell.take()
                {
                    let _ = tell.send(address.trim().to_owned());
                }
                stdout_log.lock().expect("the log").push_str(&format!("{line}\n"));
            }
        });
        let stderr = child.stderr.take().expect("piped");
        let stderr_log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                stderr_log.lock().expect("the log").push_str(&format!("{line}\n"));
            }
        });
        let mut server = ServerProcess { child, address: String::new(), log };
        match tokio::time::timeout(SERVER_START_LIMIT, listening).await {
            Ok(Ok(address)) => server.address = address,
            Ok(Err(_)) => panic!("the server exited without listening"),
            Err(_) => panic!("the server did not listen within {SERVER_START_LIMIT:?}"),
        }
        server
    }

    /// SIGKILL: the process ends at once, whatever it was doing.
    fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("the server is gone");
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- the server's output ---\n{}", self.log.lock().map(|l| l.clone()).unwrap_or_default());
        }
    }
}

/// A browser: its own cookies, calling server functions as the app's pages do.
#[derive(Clone)]
struct Browser {
    client: Client,
    address: String,
}

impl Browser {
    async fn log_in(address: &str, email: &str) -> Browser {
        let mut headers = reqwest::header::HeaderMap::new();
        // What a browser sends with its own pages' requests: the cross-site check lets it pass,
        // whichever port the restarted server listens on.
        headers.insert("sec-fetch-site", reqwest::header::HeaderValue::from_static("same-origin"));
        let client = Client::builder()
            .cookie_store(true)
            .default_headers(headers)
            .timeout(REQUEST_TIME_LIMIT)
            .build()
            .expect("a client");
        let browser = Browser { client, address: address.to_owned() };
        let _: String = browser.ok("auth/login", &[("email", email), ("password", password_of(email)), ("next", "")]).await;
        browser
    }

    /// The same browser (its cookies) talking to the server at another address: the restarted one.
    fn at(&self, address: &str) -> Browser {
        Browser { address: address.to_owned(), ..self.clone() }
    }

    /// A server function's status and body, or the transport error when no answer came.
    async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Result<(StatusCode, String), reqwest::Error> {
        let response = self.client.post(format!("{}/api/{endpoint}", self.address)).form(form).send().await?;
        let status = response.status();
        Ok((status, response.text().await?))
    }

    async fn ok<T: DeserializeOwned>(&self, endpoint: &str, form: &[(&str, &str)]) -> T {
        let (status, body) = self.call(endpoint, form).await.unwrap_or_else(|e| panic!("{endpoint}: no answer: {e}"));
        assert!(status.is_success(), "{endpoint} failed with {status}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{endpoint} answered {body}: {e}"))
    }

    async fn refused(&self, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, ApiError) {
        let (status, body) = self.call(endpoint, form).await.unwrap_or_else(|e| panic!("{endpoint}: no answer: {e}"));
        assert!(!status.is_success(), "{endpoint} unexpectedly succeeded: {body}");
        (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{endpoint} answered {body}: {e}")))
    }

    async fn status(&self) -> LiveStatus {
        self.ok("session/status", &[]).await
    }
}
