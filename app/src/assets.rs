//! The front end's tags in the page head, from the build's `hash.txt` read once.
//!
//! Why this exists: Leptos's `HashedStylesheet` and `HydrationScripts` find the hashed names by
//! reading `hash.txt` beside the server binary on every render (an `exe` lookup, a `stat` and a
//! read, twice per page). The server reads the file once at start-up into [`AssetNames`] (and
//! refuses to start when it cannot), writes the tags once into a [`FrontEndHead`], and the shell
//! writes that head on every page. An unhashed build (a test server) gets its plain names the same
//! way, so every build's head comes from here.

use leptos::config::LeptosOptions;
use leptos::prelude::*;
use std::sync::Arc;

/// The icon the page head links: a file at the site's root (from `public/`), not hashed. The
/// server serves it to visitors too, without a session.
pub const FAVICON: &str = "/favicon.svg";

/// The names of the stylesheet, the JS glue and the WASM module, without directories or
/// extensions (`impersonate.<hash>`, or plain `impersonate` unhashed), as cargo-leptos names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetNames {
    pub css: String,
    pub js: String,
    pub wasm: String,
}

impl AssetNames {
    /// Reads cargo-leptos's hash file (`js: …`, `wasm: …`, `css: …` lines). `None` when a name
    /// is missing: the server then refuses to start.
    pub fn parse(hash_file: &str, output_name: &str) -> Option<AssetNames> {
        let hash = |kind: &str| {
            hash_file.lines().filter_map(|line| line.trim().split_once(':')).find(|(file, _)| file.trim() == kind).map(|(_, h)| h.trim().to_owned())
        };
        let name = |kind: &str| hash(kind).filter(|h| !h.is_empty()).map(|h| format!("{output_name}.{h}"));
        Some(AssetNames { css: name("css")?, js: name("js")?, wasm: name("wasm")? })
    }

    /// The names of a build without hashes, as Leptos's components write them: cargo-leptos
    /// names every file after the output name; wasm-bindgen on its own (no `LEPTOS_OUTPUT_NAME`
    /// at build time) adds `_bg` to the WASM's.
    pub fn unhashed(output_name: &str) -> AssetNames {
        let wasm_suffix = if option_env!("LEPTOS_OUTPUT_NAME").is_some() { "" } else { "_bg" };
        AssetNames { css: output_name.to_owned(), js: output_name.to_owned(), wasm: format!("{output_name}{wasm_suffix}") }
    }
}

/// The script Leptos 0.8's `HydrationScripts` writes (leptos `src/hydration/hydration_script.js`),
/// called with the same arguments, so the page loads and hydrates exactly as before.
const HYDRATION_SCRIPT: &str = include_str!("hydration_script.js");

/// The front end's tags in every page head, written once, at start-up, from [`AssetNames`]: they
/// are the same on every page but for the CSP nonce, so a render clones four shared strings where
/// it formatted them anew (the hydration script among them, 1.3 KB).
#[derive(Clone, Debug)]
pub struct FrontEndHead {
    stylesheet: Arc<str>,
    module: Arc<str>,
    wasm: Arc<str>,
    script: Arc<str>,
    /// Leptos's options, in a `cargo leptos watch` run only: its reload script needs them.
    watch: Option<LeptosOptions>,
}

impl FrontEndHead {
    /// The tags for `names` under `/{pkg}/`. `watch`: whether cargo-leptos runs this server in
    /// watch mode (it sets `LEPTOS_WATCH`), which Leptos's `AutoReload` asks on every page.
    pub fn new(names: &AssetNames, options: &LeptosOptions, watch: bool) -> FrontEndHead {
        let pkg = &options.site_pkg_dir;
        let AssetNames { css, js, wasm } = names;
        FrontEndHead {
            stylesheet: format!("/{pkg}/{css}.css").into(),
            module: format!("/{pkg}/{js}.js").into(),
            wasm: format!("/{pkg}/{wasm}.wasm").into(),
            script: format!("{HYDRATION_SCRIPT}({:?}, {:?}, {js:?}, {wasm:?}, false);", "", pkg.as_ref()).into(),
            watch: watch.then(|| options.clone()),
        }
    }
}

/// The stylesheet, the preloads and the hydration script: what `HashedStylesheet` and
/// `HydrationScripts` write, without reading any file.
///
/// One difference: Leptos 0.8 writes the CSP nonce as the preloads' `crossorigin` value. A browser
/// reads an unknown value as `anonymous`, which is what the two fetches need to use the preloads,
/// so that is written instead: the nonce then appears only in `nonce` attributes, which browsers
/// hide from the page's scripts and style selectors.
#[component]
pub fn FrontEndTags(head: FrontEndHead) -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    let crossorigin = "anonymous";
    let FrontEndHead { stylesheet, module, wasm, script, watch } = head;
    view! {
        <link id="leptos" rel="stylesheet" href=stylesheet />
        <link rel="modulepreload" href=module crossorigin=crossorigin />
        <link rel="preload" href=wasm r#as="fetch" r#type="application/wasm" crossorigin=crossorigin />
        <script type="module" nonce=nonce>{script}</script>
        {watch.map(|options| view! { <AutoReload options /> })}
    }
}

#[cfg(test)]
mod tests {
    use super::{AssetNames, FrontEndHead, FrontEndTags};
    use leptos::config::LeptosOptions;
    use leptos::prelude::*;

    #[test]
    fn the_nonce_is_written_only_where_browsers_hide_it() {
        let owner = Owner::new();
        owner.set();
        provide_context(leptos::nonce::Nonce::from_value("n0nce-of-this-response"));
        let names = AssetNames { css: "app.c".into(), js: "app.j".into(), wasm: "app.w".into() };
        let head = FrontEndHead::new(&names, &LeptosOptions::builder().output_name("app").build(), false);
        let html = view! { <FrontEndTags head /> }.to_html();
        assert_eq!(html.matches("n0nce-of-this-response").count(), 1, "{html}");
        assert!(html.contains(r#"<script type="module" nonce="n0nce-of-this-response">"#), "{html}");
        assert!(html.contains(r#"<link rel="modulepreload" href="/pkg/app.j.js" crossorigin="anonymous">"#), "{html}");
        assert!(html.contains(r#"href="/pkg/app.w.wasm" as="fetch" type="application/wasm" crossorigin="anonymous">"#), "{html}");
    }

    #[test]
    fn the_hash_file_names_each_file() {
        let file = "js: deKc897sRRcouFMbwRUx-Q\nwasm: J-xs_4Prr38G0pxwf05Arw\ncss: ppnBMaX5b6SIF4Cx9HKThw\n";
        assert_eq!(
            AssetNames::parse(file, "impersonate"),
            Some(AssetNames {
                css: "impersonate.ppnBMaX5b6SIF4Cx9HKThw".into(),
                js: "impersonate.deKc897sRRcouFMbwRUx-Q".into(),
                wasm: "impersonate.J-xs_4Prr38G0pxwf05Arw".into(),
            })
        );
    }

    #[test]
    fn a_hash_file_missing_a_name_is_not_used() {
        assert_eq!(AssetNames::parse("js: a\ncss: b\n", "x"), None);
        assert_eq!(AssetNames::parse("js: a\nwasm:\ncss: b\n", "x"), None);
        assert_eq!(AssetNames::parse("", "x"), None);
    }
}
