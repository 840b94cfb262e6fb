//! Settings: built-in defaults, then the `[app]` table of `Leptos.toml`, then environment
//! variables (the same names in upper case). Validated once at start-up, with a message that says
//! which setting is wrong and why, so a bad deploy fails at once instead of at 3 a.m.

use app::domain::{LogoutScope, Policy};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

/// The runtime settings file (Leptos options live in its `[package.metadata.leptos]` table).
pub const SETTINGS_FILE: &str = "Leptos.toml";

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);
/// Longer windows are certainly a typo (`24d` for `24h`); refuse them rather than grant them.
const LONGEST_WINDOW: Duration = Duration::from_secs(30 * 86_400);

/// Printable with `{:?}`: the database URL's password is never shown (see the `Debug` impl).
#[derive(Clone)]
pub struct Settings {
    /// `sqlite://…` (the default, a file under `./data/`) or `postgres://…`.
    pub database_url: String,
    /// Connections in the database pool.
    pub database_max_connections: u32,
    /// The origin browsers use to reach the app (`https://impersonate.example.com`). Unset, a
    /// state-changing request's `Origin` must match its `Host`.
    pub public_origin: Option<String>,
    /// Whether the session cookie is `Secure` with the `__Host-` prefix; defaults to whether
    /// `public_origin` is https.
    pub cookie_secure: bool,
    pub sessions: SessionLimits,
    pub policy: Policy,
    pub login: LoginLimits,
    pub hashing: HashingLimits,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    /// Largest accepted request body, in bytes.
    pub request_body_limit: usize,
    /// A page not rendered within this is rendered once more, then answered 503 (see web::deadline).
    pub page_render_deadline: Duration,
    pub live: LiveLimits,
    /// Add the demo tenants and people to an empty database at start-up (like `serve --demo`).
    pub demo_data: bool,
}

/// How long sessions last (`SESSION_IDLE_TIMEOUT`, `SESSION_LIFETIME`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLimits {
    /// A session unused this long is over.
    pub idle_timeout: Duration,
    /// A session is over this long after login, however active.
    pub lifetime: Duration,
}

/// How many failures one throttle key may have before it is locked, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottleLimits {
    pub max_failures: u32,
    pub lockout: Duration,
}

/// The login throttle: per account (`LOGIN_MAX_FAILURES`) and per client address
/// (`LOGIN_MAX_FAILURES_PER_ADDRESS`), both locked for `LOGIN_LOCKOUT`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoginLimits {
    pub account: ThrottleLimits,
    pub address: ThrottleLimits,
}

/// Password hashing (`PASSWORD_HASHING_AT_ONCE`, `PASSWORD_HASHING_MAX_WAIT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashingLimits {
    /// Hashes computed at once (each takes ~19 MiB and a core); more wait their turn.
    pub at_once: usize,
    /// How long a login waits for a hashing turn before it is answered "busy, retry".
    pub max_wait: Duration,
}

/// The live channel (`LIVE_INTERVAL`, `LIVE_RECHECK`, `LIVE_STREAMS_PER_SESSION`,
/// `LIVE_STREAMS_PER_ACCOUNT`, `LIVE_STREAMS_TOTAL`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiveLimits {
    /// How often an idle channel writes a keep-alive: how it notices that its client has gone.
    /// No database work.
    pub interval: Duration,
    /// How often a channel re-checks its session when no change woke it: a safety net for a lost
    /// notification. Changes themselves are pushed (see `store::changes`).
    pub recheck: Duration,
    /// Channels one session may have open at once (one per open tab).
    pub streams_per_session: usize,
    /// Channels one person may have open at once, across all their sessions (devices, browsers).
    pub streams_per_account: usize,
    /// Channels this process keeps open at once, across all sessions.
    pub streams_total: usize,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &without_password(&self.database_url))
            .field("database_max_connections", &self.database_max_connections)
            .field("public_origin", &self.public_origin)
            .field("cookie_secure", &self.cookie_secure)
            .field("sessions", &self.sessions)
            .field("policy", &self.policy)
            .field("login", &self.login)
            .field("hashing", &self.hashing)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("request_body_limit", &self.request_body_limit)
            .field("page_render_deadline", &self.page_render_deadline)
            .field("live", &self.live)
            .field("demo_data", &self.demo_data)
            .finish()
    }
}

/// A database URL with its password, if any, replaced: `postgres://app:***@db/impersonate`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((credentials, host)) = rest.rsplit_once('@') else { return url.to_owned() };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

/// The machine's cores: as many hashes as can really run at once.
fn cores() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| u32::try_from(n.get()).unwrap_or(u32::MAX))
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {file}: {detail}")]
    File { file: String, detail: String },
    #[error("setting {key} = {value:?} is invalid: {why}")]
    Invalid { key: String, value: String, why: String },
}

impl Settings {
    /// Reads `Leptos.toml` (if present) and the environment.
    pub fn load() -> Result<Settings, ConfigError> {
        let file = read_app_table(Path::new(SETTINGS_FILE))?;
        Settings::from_sources(&file, |key| std::env::var(key).ok())
    }

    /// Builds settings from file values (lower-case keys) overridden by `env` (upper-case keys).
    pub fn from_sources(file: &HashMap<String, String>, env: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let source = Source { file, env: &env };
        let public_origin = source.get("public_origin").filter(|v| !v.is_empty());
        if let Some(origin) = &public_origin {
            let valid = (origin.starts_with("https://") || origin.starts_with("http://")) && !origin.trim_end_matches('/').contains(['?', '#']);
            if !valid {
                return Err(invalid("PUBLIC_ORIGIN", origin, "expected a scheme and host, like https://app.example.com"));
            }
        }
        let https = public_origin.as_deref().is_some_and(|o| o.starts_with("https://"));
        let lockout = source.duration("login_lockout", 5 * MINUTE, Duration::from_secs(1), DAY)?;
        let settings = Settings {
            database_url: source.get("database_url").unwrap_or_else(|| "sqlite://data/impersonate.db?mode=rwc".to_owned()),
            database_max_connections: source.count("database_max_connections", 16)?,
            public_origin: public_origin.map(|o| o.trim_end_matches('/').to_owned()),
            cookie_secure: source.bool("cookie_secure", https)?,
            sessions: SessionLimits {
                idle_timeout: source.duration("session_idle_timeout", 12 * HOUR, MINUTE, LONGEST_WINDOW)?,
                lifetime: source.duration("session_lifetime", 7 * DAY, MINUTE, 90 * DAY)?,
            },
            policy: Policy {
                start_window: source.duration("impersonation_start_window", DAY, Duration::from_secs(1), LONGEST_WINDOW)?,
                duration: source.duration("impersonation_duration", DAY, Duration::from_secs(1), LONGEST_WINDOW)?,
                max_duration: source.duration("impersonation_max_duration", DAY, Duration::from_secs(1), LONGEST_WINDOW)?,
                logout_scope: source.logout_scope()?,
                require_reason: source.bool("impersonation_require_reason", false)?,
            },
            login: LoginLimits {
                account: ThrottleLimits { max_failures: source.count("login_max_failures", 5)?, lockout },
                address: ThrottleLimits { max_failures: source.count("login_max_failures_per_address", 50)?, lockout },
            },
            hashing: HashingLimits {
                at_once: source.count("password_hashing_at_once", cores())? as usize,
                max_wait: source.duration("password_hashing_max_wait", Duration::from_secs(2), Duration::ZERO, MINUTE)?,
            },
            trust_forwarded_for: source.bool("trust_forwarded_for", false)?,
            request_body_limit: source.count("request_body_limit", 64 * 1024)? as usize,
            page_render_deadline: source.duration("page_render_deadline", Duration::from_secs(10), Duration::from_millis(100), 5 * MINUTE)?,
            live: LiveLimits {
                interval: source.duration("live_interval", Duration::from_secs(1), Duration::from_millis(100), MINUTE)?,
                recheck: source.duration("live_recheck", Duration::from_secs(30), Duration::from_millis(100), 10 * MINUTE)?,
                streams_per_session: source.count("live_streams_per_session", 8)? as usize,
                streams_per_account: source.count("live_streams_per_account", 32)? as usize,
                streams_total: source.count("live_streams_total", 10_000)? as usize,
            },
            demo_data: source.bool("demo_data", false)?,
        };
        if settings.policy.duration > settings.policy.max_duration {
            let duration = format!("{:?}", settings.policy.duration);
            return Err(invalid("IMPERSONATION_DURATION", &duration, "must not exceed IMPERSONATION_MAX_DURATION (the longest a user may choose)"));
        }
        if settings.sessions.idle_timeout > settings.sessions.lifetime {
            return Err(invalid("SESSION_IDLE_TIMEOUT", &format!("{:?}", settings.sessions.idle_timeout), "must not exceed SESSION_LIFETIME"));
        }
        Ok(settings)
    }
}

struct Source<'a> {
    file: &'a HashMap<String, String>,
    env: &'a dyn Fn(&str) -> Option<String>,
}

fn invalid(key: &str, value: &str, why: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { key: key.to_uppercase(), value: value.to_owned(), why: why.into() }
}

impl Source<'_> {
    fn get(&self, key: &str) -> Option<String> {
        (self.env)(&key.to_uppercase()).or_else(|| self.file.get(key).cloned()).map(|v| v.trim().to_owned())
    }

    fn duration(&self, key: &str, default: Duration, min: Duration, max: Duration) -> Result<Duration, ConfigError> {
        let Some(text) = self.get(key) else { return Ok(default) };
        let value = humantime::parse_duration(&text)
            .map_err(|e| invalid(key, &text, format!("{e}; write it like 24h, 90m or 5s")))?;
        if value < min || value > max {
            let why = format!("must be between {} and {}", humantime::format_duration(min), humantime::format_duration(max));
            return Err(invalid(key, &text, why));
        }
        Ok(value)
    }

    fn bool(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(key).as_deref() {
            None => Ok(default),
            Some("true" | "1" | "yes") => Ok(true),
            Some("false" | "0" | "no") => Ok(false),
            Some(other) => Err(invalid(key, other, "expected true or false")),
        }
    }

    fn count(&self, key: &str, default: u32) -> Result<u32, ConfigError> {
        let Some(text) = self.get(key) else { return Ok(default) };
        match text.parse::<u32>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(invalid(key, &text, "expected a whole number above zero")),
        }
    }

    fn logout_scope(&self) -> Result<LogoutScope, ConfigError> {
        match self.get("impersonation_logout_scope").as_deref() {
            None | Some("all") => Ok(LogoutScope::All),
            Some("own") => Ok(LogoutScope::Own),
            Some(other) => Err(invalid("IMPERSONATION_LOGOUT_SCOPE", other, "expected all or own")),
        }
    }
}

/// The `[app]` table of the settings file, values as text; an absent file is no settings.
fn read_app_table(path: &Path) -> Result<HashMap<String, String>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(ConfigError::File { file: path.display().to_string(), detail: e.to_string() }),
    };
    parse_app_table(&text).map_err(|detail| ConfigError::File { file: path.display().to_string(), detail })
}

fn parse_app_table(text: &str) -> Result<HashMap<String, String>, String> {
    let document: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let Some(table) = document.get("app") else { return Ok(HashMap::new()) };
    let table = table.as_table().ok_or("[app] must be a table")?;
    Ok(table
        .iter()
        .map(|(key, value)| {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (key.clone(), text)
        })
        .collect())
}

#[cfg(test)]
mod tests {

    #[test]
    fn printing_the_settings_never_shows_the_database_password() {
        let mut settings = Settings::from_sources(&HashMap::new(), |_| None).expect("defaults are valid");
        settings.database_url = "postgres://app:s3cr3t-p@ss@db.internal:5432/impersonate".to_owned();
        let printed = format!("{settings:?}");
        assert!(!printed.contains("s3cr3t"), "{printed}");
        assert!(printed.contains("postgres://app:***@db.internal:5432/impersonate"), "{printed}");
        assert_eq!(without_password("sqlite://data/impersonate.db?mode=rwc"), "sqlite://data/impersonate.db?mode=rwc");
    }

    use super::*;

    fn settings(file: &[(&str, &str)], env: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let file = file.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let env: HashMap<String, String> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_sources(&file, |k| env.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_products_rules() {
        let s = settings(&[], &[]).expect("defaults are valid");
        assert_eq!(s.policy, Policy::default());
        assert_eq!(s.policy.start_window, DAY);
        assert_eq!(s.policy.duration, DAY);
        assert!(!s.cookie_secure);
        assert!(s.database_url.starts_with("sqlite://data/"));
    }

    #[test]
    fn the_default_duration_must_be_one_a_user_may_choose() {
        let error = settings(&[], &[("IMPERSONATION_DURATION", "25h")]).expect_err("over the maximum");
        assert!(error.to_string().contains("IMPERSONATION_MAX_DURATION"), "{error}");
        let s = settings(&[], &[("IMPERSONATION_DURATION", "25h"), ("IMPERSONATION_MAX_DURATION", "3d")]).expect("valid");
        assert_eq!(s.policy.max_duration, 72 * HOUR);
    }

    #[test]
    fn the_environment_overrides_the_file() {
        let s = settings(&[("impersonation_duration", "2h")], &[("IMPERSONATION_DURATION", "5s")]).expect("valid");
        assert_eq!(s.policy.duration, Duration::from_secs(5));
        let s = settings(&[("impersonation_duration", "2h")], &[]).expect("valid");
        assert_eq!(s.policy.duration, 2 * HOUR);
    }

    #[test]
    fn zero_garbage_and_absurd_windows_are_refused_with_the_settings_name() {
        for bad in ["0s", "-5s", "soon", "400d"] {
            let error = settings(&[], &[("IMPERSONATION_START_WINDOW", bad)]).expect_err(bad).to_string();
            assert!(error.contains("IMPERSONATION_START_WINDOW"), "{error}");
        }
    }

    #[test]
    fn logout_scope_and_require_reason_are_read() {
        let s = settings(&[], &[("IMPERSONATION_LOGOUT_SCOPE", "own"), ("IMPERSONATION_REQUIRE_REASON", "true")]).expect("valid");
        assert_eq!(s.policy.logout_scope, LogoutScope::Own);
        assert!(s.policy.require_reason);
        assert!(settings(&[], &[("IMPERSONATION_LOGOUT_SCOPE", "everyone")]).is_err());
        assert!(settings(&[], &[("IMPERSONATION_REQUIRE_REASON", "maybe")]).is_err());
    }

    #[test]
    fn an_https_origin_makes_the_cookie_secure_unless_told_otherwise() {
        assert!(settings(&[], &[("PUBLIC_ORIGIN", "https://app.example.com/")]).expect("valid").cookie_secure);
        let s = settings(&[], &[("PUBLIC_ORIGIN", "https://app.example.com"), ("COOKIE_SECURE", "false")]).expect("valid");
        assert!(!s.cookie_secure);
        assert_eq!(s.public_origin.as_deref(), Some("https://app.example.com"));
        assert!(settings(&[], &[("PUBLIC_ORIGIN", "app.example.com")]).is_err());
    }

    #[test]
    fn the_idle_timeout_cannot_exceed_the_lifetime() {
        assert!(settings(&[], &[("SESSION_IDLE_TIMEOUT", "2d"), ("SESSION_LIFETIME", "1d")]).is_err());
    }

    #[test]
    fn the_app_table_is_read_from_the_settings_file_and_the_leptos_table_ignored() {
        let text = "[app]\nimpersonation_duration = \"3h\"\nlogin_max_failures = 7\n\n[package.metadata.leptos]\noutput-name = \"x\"\n";
        let table = parse_app_table(text).expect("parses");
        assert_eq!(table.get("impersonation_duration").map(String::as_str), Some("3h"));
        assert_eq!(table.get("login_max_failures").map(String::as_str), Some("7"));
        assert_eq!(table.len(), 2);
    }

    #[test]
    fn the_shipped_settings_file_is_valid() {
        let text = include_str!("../../Leptos.toml");
        let table = parse_app_table(text).expect("Leptos.toml parses");
        Settings::from_sources(&table, |_| None).expect("Leptos.toml holds valid settings");
        assert!(leptos::config::get_config_from_str(text).is_ok(), "Leptos reads its options from it");
    }
}
