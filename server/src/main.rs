#![recursion_limit = "256"]
//! The `server` command: serves the app (optionally with demo data), or creates a super admin on
//! a real deployment; for the load test, seeds its accounts and checks the stored history.

use app::backend::Clock;
use app::domain::rules::{self, AuditLine, AuditTally};
use app::domain::{AuditKind, Role};
use clap::{Parser, Subcommand};
use server::clock::SystemClock;
use server::config::{SETTINGS_FILE, Settings};
use server::store::{NewUser, Store};
use server::{Application, seed};
use std::collections::BTreeSet;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// mimalloc rather than glibc's malloc: a page render makes thousands of small allocations on
/// whichever worker thread polls it and frees them on another, and under load glibc spent about
/// a third of the server's CPU in malloc, free and malloc_consolidate (perf, a logged-in home page).
/// mimalloc's `override` feature also takes over the C `malloc` that the bundled SQLite calls: with
/// glibc's, the few dozen allocations SQLite makes for a home page's two queries cost about 3 % of the
/// whole page (callgrind).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "server", about = "Impersonate: let users allow vendor staff to see what they see")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app (the default).
    Serve {
        /// Add demo tenants, users and super admins to an empty database, and print the logins.
        #[arg(long)]
        demo: bool,
    },
    /// Create a super admin. The password is read from IMPERSONATE_PASSWORD or, if unset, from the
    /// first line of standard input.
    CreateSuperAdmin {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
    },
    /// Create a user of a tenant (the tenant is created when no tenant has that name). The
    /// password is read as for `create-super-admin`.
    CreateUser {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        tenant: String,
    },
    /// Fill an empty database with a large data set for measuring: tenants, users, open grants
    /// (some running), and audit lines. Every password is the demo one.
    SeedScale {
        #[arg(long, default_value_t = 100_000)]
        users: u32,
        #[arg(long, default_value_t = 1_000)]
        tenants: u32,
        #[arg(long, default_value_t = 20)]
        super_admins: u32,
        #[arg(long, default_value_t = 10_000)]
        open_grants: u32,
        /// Of the open grants, how many are running (started).
        #[arg(long, default_value_t = 1_000)]
        live: u32,
        #[arg(long, default_value_t = 1_000_000)]
        audit: u32,
    },
    /// Create the load test's accounts: user-1..N@load.test in tenants of 20 and
    /// admin-1..M@load.test, the password read as for `create-super-admin`. Keeps existing ones.
    SeedLoad {
        #[arg(long, default_value_t = 200)]
        users: u32,
        #[arg(long, default_value_t = 20)]
        super_admins: u32,
    },
    /// Check every stored grant and impersonation against the rules (with the configured policy),
    /// and the audit log against them (replayed line by line, and counted by kind); print what was
    /// found, and fail on any violation. Reads whole tables: run it on a test database, or with
    /// the servers stopped.
    CheckHistory {
        /// Also write the figures as JSON to this file (for the load test's summary).
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()))
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let settings = Settings::load().map_err(|e| e.to_string())?;
    let leptos_options = leptos_options()?;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => {
            let demo = demo || settings.demo_data;
            serve(settings, leptos_options, demo).await
        }
        Command::CreateSuperAdmin { name, email } => create_person(settings, leptos_options, name, email, None).await,
        Command::CreateUser { name, email, tenant } => create_person(settings, leptos_options, name, email, Some(tenant)).await,
        Command::SeedScale { users, tenants, super_admins, open_grants, live, audit } => {
            let scale = server::scale::Scale { users, tenants, super_admins, open_grants, running: live, audit_lines: audit };
            seed_scale(settings, scale).await
        }
        Command::SeedLoad { users, super_admins } => seed_load(settings, users, super_admins).await,
        Command::CheckHistory { json } => check_history(settings, json).await,
    }
}

/// Fills an empty database for measuring, saying how long it took.
async fn seed_scale(settings: Settings, scale: server::scale::Scale) -> Result<(), String> {
    let db = server::db::connect(&settings.database_url, settings.database_max_connections).await.map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    println!("Seeding {scale:?} …");
    server::scale::seed(&db, scale, settings.policy, SystemClock.now()).await.map_err(|e| e.to_string())?;
    println!("Seeded in {:.1} s.", started.elapsed().as_secs_f64());
    Ok(())
}

/// Leptos options from the settings file when present (env vars override it), else from the
/// environment cargo-leptos sets.
fn leptos_options() -> Result<leptos::config::LeptosOptions, String> {
    let file = std::path::Path::new(SETTINGS_FILE).exists().then_some(SETTINGS_FILE);
    leptos::config::get_configuration(file).map(|c| c.leptos_options).map_err(|e| format!("Leptos settings: {e}"))
}

async fn serve(settings: Settings, leptos_options: leptos::config::LeptosOptions, demo: bool) -> Result<(), String> {
    let application = Application::build_with_system_clock(settings, leptos_options).await.map_err(|e| e.to_string())?;
    let addr = application.local_addr().map_err(|e| e.to_string())?;
    if demo {
        let logins = seed::demo(&application.store(), SystemClock.now()).await.map_err(|e| e.to_string())?;
        println!("\nImpersonate is running at http://{addr}\n");
        println!("Demo logins (password for all: {}):", seed::DEMO_PASSWORD);
        for login in logins {
            println!("  {:<22} {:<12} {}", login.email, login.name, login.what);
        }
        println!();
    } else {
        println!("Impersonate is running at http://{addr}");
    }
    tracing::info!(%addr, "listening");
    application.run().await.map_err(|e| e.to_string())
}

/// Creates a super admin (no tenant) or a user of `tenant`.
async fn create_person(
    settings: Settings,
    leptos_options: leptos::config::LeptosOptions,
    name: String,
    email: String,
    tenant: Option<String>,
) -> Result<(), String> {
    let password = password_for(&email)?;
    // Port 0 and no hash file: this command only needs the database, never the configured port
    // or the front end.
    let mut options = leptos_options;
    options.site_addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    options.hash_files = false;
    let application = Application::build_with_system_clock(settings, options).await.map_err(|e| e.to_string())?;
    let store = application.store();
    let (role, tenant) = match &tenant {
        Some(name) => (Role::User, Some(store.tenant_named_or_new(name, SystemClock.now()).await.map_err(|e| e.to_string())?)),
        None => (Role::SuperAdmin, None),
    };
    let new = NewUser { name, email: email.clone(), password, role, tenant };
    store.create_user(new, SystemClock.now()).await.map_err(|e| e.to_string())?;
    match role {
        Role::SuperAdmin => println!("Created super admin {email}."),
        Role::User => println!("Created user {email}."),
    }
    Ok(())
}

/// The password from IMPERSONATE_PASSWORD or, if unset, the first line of standard input.
fn password_for(whom: &str) -> Result<String, String> {
    match std::env::var("IMPERSONATE_PASSWORD") {
        Ok(password) => Ok(password),
        Err(_) => {
            eprintln!("Password for {whom} (one line):");
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
            Ok(line.trim_end_matches(['\r', '\n']).to_owned())
        }
    }
}

/// The store alone, without a listener: the commands that only read or seed the database.
async fn open_store(settings: &Settings) -> Result<Store, String> {
    let db = server::db::connect(&settings.database_url, settings.database_max_connections).await.map_err(|e| e.to_string())?;
    Ok(Store::new(db, Arc::new(SystemClock), settings))
}

async fn seed_load(settings: Settings, users: u32, super_admins: u32) -> Result<(), String> {
    let password = password_for("the load test's accounts")?;
    let store = open_store(&settings).await?;
    let created = seed::load_accounts(&store, users, super_admins, &password, SystemClock.now()).await.map_err(|e| e.to_string())?;
    println!("Load accounts: {users} users (user-1..{users}@load.test), {super_admins} super admins (admin-1..{super_admins}@load.test); {created} created now.");
    Ok(())
}

/// Runs the domain's checkers over every stored history and its audit lines, and compares the
/// log's counts by kind with the lines the stored records imply. The verdicts are the domain's;
/// this only reads, adds up and prints.
async fn check_history(settings: Settings, json: Option<PathBuf>) -> Result<(), String> {
    let store = open_store(&settings).await?;
    let now = SystemClock.now();
    let records = store.stored_records().await.map_err(|e| e.to_string())?;
    let violations = records.violations(&settings.policy, now);
    let mut implied = AuditTally::new();
    for history in &records.histories {
        for (line, lines) in rules::implied_audit(history) {
            *implied.entry(line).or_insert(0) += lines;
        }
    }
    let grants: usize = records.histories.iter().map(|h| h.grants.len()).sum();
    let impersonations: usize = records.histories.iter().map(|h| h.impersonations.len()).sum();
    let not_ended = records.histories.iter().flat_map(|h| &h.impersonations).filter(|i| i.ended.is_none()).count();

    println!("Stored history: {} people, {grants} grants, {impersonations} impersonations ({not_ended} with no recorded end)", records.histories.len());
    println!("Audit log by kind: stored lines / lines the stored grants and impersonations imply");
    let lines: BTreeSet<AuditLine> = records.audit.keys().chain(implied.keys()).copied().collect();
    let mut mismatches = Vec::new();
    for line in &lines {
        let stored = records.audit.get(line).copied().unwrap_or(0);
        if line.kind == AuditKind::Wrote {
            // A write leaves no grant or impersonation behind: the load tool compares these.
            println!("  {:<40} {stored:>7} / (writes: compared with the load tool's count)", line.to_string());
            continue;
        }
        let expected = implied.get(line).copied().unwrap_or(0);
        let mark = if stored == expected { "" } else { "   <-- MISMATCH" };
        println!("  {:<40} {stored:>7} / {expected}{mark}", line.to_string());
        if stored != expected {
            mismatches.push(format!("{line}: {stored} stored, {expected} implied"));
        }
    }
    let total: u64 = records.audit.values().sum();
    println!("  {:<40} {total:>7}", "all lines");
    if records.unreadable_audit_lines > 0 || records.strays > 0 {
        println!("Unreadable audit lines: {}; impersonations and audit lines about nobody stored: {}", records.unreadable_audit_lines, records.strays);
    }
    println!("Violations of the rules (the stored records, and the audit log replayed against them): {}", violations.len());
    for violation in violations.iter().take(50) {
        println!("  {violation}");
    }
    if violations.len() > 50 {
        println!("  ... and {} more", violations.len() - 50);
    }

    if let Some(path) = json {
        let by_line = |tally: &AuditTally| tally.iter().map(|(line, n)| (line.to_string(), *n)).collect::<std::collections::BTreeMap<_, _>>();
        let report = serde_json::json!({
            "people": records.histories.len(),
            "grants": grants,
            "impersonations": impersonations,
            "impersonations_not_ended": not_ended,
            "audit": by_line(&records.audit),
            "audit_total": total,
            "implied": by_line(&implied),
            "mismatches": mismatches,
            "unreadable_audit_lines": records.unreadable_audit_lines,
            "strays": records.strays,
            "violations": violations.iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let broken = violations.len() + mismatches.len() + usize::from(records.unreadable_audit_lines > 0) + usize::from(records.strays > 0);
    if broken > 0 {
        return Err(format!("the stored history breaks the rules: {} violations, {} audit mismatches", violations.len(), mismatches.len()));
    }
    println!("The stored history keeps the rules, and the audit log has a line for every change.");
    Ok(())
}
