//! What a request's path names, decided in one place.
//!
//! Three layers treat the static files apart from everything else: the session guard lets them
//! through without a session, the cache rule lets browsers keep them, and the page deadline leaves
//! the front end's files alone (not the icon, which the app's "not found" page may answer). Each
//! used to keep its own list of prefixes, and the lists had drifted (the icon was a page to the
//! guard, so a visitor's browser was sent to log in for it). They now ask here.

/// The URL directory of the front end's files: `Leptos.toml`'s `site-pkg-dir`. The server refuses
/// to start with another (`startup`), since every path below is classified by this one.
pub const FRONT_END_DIR: &str = "pkg";

/// The icon browsers ask for at the site's root on their own, whatever the page head links.
const BROWSERS_DEFAULT_ICON: &str = "/favicon.ico";

/// The live channel: server-sent events an open page keeps open.
pub use app::api::live::LIVE_CHANNEL;

/// Whether a request is someone using their session, which keeps it from idling out. An open page
/// asks two things on its own, with nobody at the screen: it (re)opens the live channel (a
/// browser does that by itself after every dropped connection) and, when the channel closes, asks
/// for the session's status. Were those use, a tab left open would keep its session, and an
/// impersonation in it, from ever idling out.
pub fn is_use(path: &str) -> bool {
    let live_status = <app::api::live::CurrentStatus as server_fn::ServerFn>::PATH;
    path != LIVE_CHANNEL && path != live_status
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// One of the front end's files, under `/{FRONT_END_DIR}/`.
    FrontEnd,
    /// The page's icon ([`app::assets::FAVICON`]), or the one browsers ask for unprompted.
    Icon,
    /// A server function or the live channel.
    Api,
    /// A page, or a path that names nothing (the app answers it with its "not found" page).
    Page,
}

impl Target {
    pub fn of(path: &str) -> Target {
        // What follows `/{dir}/`, if the path is under that directory.
        let below = |dir: &str| path.strip_prefix('/').and_then(|p| p.strip_prefix(dir)).and_then(|rest| rest.strip_prefix('/'));
        // The directory itself (`/pkg/`) names no file: the "not found" page answers it, so it
        // is a page like any other path that names nothing.
        if below(FRONT_END_DIR).is_some_and(|file| !file.is_empty()) {
            Target::FrontEnd
        } else if path == app::assets::FAVICON || path == BROWSERS_DEFAULT_ICON {
            Target::Icon
        } else if below("api").is_some() {
            Target::Api
        } else {
            Target::Page
        }
    }

    /// A file that is the same for everyone: it needs no session and may be kept by a browser.
    /// Everything else can show or change someone's data.
    pub fn is_static_file(self) -> bool {
        matches!(self, Target::FrontEnd | Target::Icon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_path_names_one_thing() {
        let cases = [
            ("/pkg/impersonate.abc.wasm", Target::FrontEnd),
            ("/pkg/snippets/x/a.js", Target::FrontEnd),
            ("/favicon.svg", Target::Icon),
            ("/favicon.ico", Target::Icon),
            ("/api/events", Target::Api),
            ("/api/session/status", Target::Api),
            ("/", Target::Page),
            ("/profile", Target::Page),
            ("/login", Target::Page),
            // Near misses are pages, so they need a session and are never kept by a cache.
            ("/pkg", Target::Page),
            ("/pkg/", Target::Page),
            ("/pkgs/a.js", Target::Page),
            ("/api", Target::Page),
            ("/apikeys", Target::Page),
            ("/favicon.svg.br", Target::Page),
            ("/profile/pkg/a.js", Target::Page),
            ("", Target::Page),
        ];
        for (path, target) in cases {
            assert_eq!(Target::of(path), target, "{path:?}");
        }
    }

    #[test]
    fn what_a_page_asks_on_its_own_is_not_use() {
        assert!(!is_use("/api/events"));
        assert!(!is_use("/api/session/status"));
        for path in ["/", "/profile", "/api/home", "/api/profile", "/api/impersonation/switcher", "/api/events/x"] {
            assert!(is_use(path), "{path}");
        }
    }

    #[test]
    fn only_the_front_end_and_the_icon_are_static_files() {
        assert!(Target::FrontEnd.is_static_file());
        assert!(Target::Icon.is_static_file());
        assert!(!Target::Api.is_static_file());
        assert!(!Target::Page.is_static_file());
    }

    #[test]
    fn the_front_end_directory_is_the_one_the_build_writes_and_the_server_reads() {
        // cargo-leptos builds into the workspace's setting; the server reads Leptos.toml's.
        let workspace: toml::Table = include_str!("../../../Cargo.toml").parse().expect("Cargo.toml");
        let built = workspace["workspace"]["metadata"]["leptos"][0]["site-pkg-dir"].as_str();
        let settings: toml::Table = include_str!("../../../Leptos.toml").parse().expect("Leptos.toml");
        let read = settings["package"]["metadata"]["leptos"]["site-pkg-dir"].as_str();
        assert_eq!((built, read), (Some(FRONT_END_DIR), Some(FRONT_END_DIR)));
    }
}
