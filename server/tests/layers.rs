//! The layers import one way. Reads the sources (no compiling needed): within `server/src/store`
//! every module imports only modules of a lower level (the table in `store/mod.rs`), and neither
//! crate has an import cycle between its top-level modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The store's levels, as `store/mod.rs` documents them.
const STORE_LEVELS: [(&str, u8); 23] = [
    ("error", 0),
    ("changes", 1),
    ("passwords", 0),
    ("throttle", 0),
    ("attempts", 0),
    ("base", 2),
    ("rows", 1),
    ("sql_once", 1),
    ("writer", 1),
    ("tables::people", 2),
    ("tables::consent", 3),
    ("tables::audit", 3),
    ("tables::sessions", 3),
    ("tables::logins", 3),
    ("tables::tasks", 3),
    ("unit", 4),
    ("resolve", 5),
    ("accounts", 5),
    ("tasks", 5),
    ("reads", 5),
    ("sweep", 5),
    ("tables", 6),
    ("mod", 6),
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace").to_path_buf()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The code of a file without its tests and comments: what it imports to do its work.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("a readable source");
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Every path the code names after `prefix` (`super::`, `crate::store::`…), with `use` groups
/// (`{a, b::{c, d}}`) expanded: `["a", "b::c", "b::d"]`.
fn paths_after(code: &str, prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        // Not the tail of a longer path (`crate::super::` does not exist; `xsuper::` is a name).
        let before = rest[..at].chars().last();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        found.extend(expand(take_tree(rest)));
    }
    found
}

/// The use tree at the start of `text`: an identifier path, possibly ending in a `{…}` group.
fn take_tree(text: &str) -> &str {
    let mut depth = 0;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    return &text[..=i];
                }
            }
            c if depth == 0 && !(c.is_alphanumeric() || c == '_' || c == ':') => return &text[..i],
            _ => {}
        }
    }
    text
}

fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim().trim_end_matches("::");
    let Some(open) = tree.find('{') else { return vec![tree.to_owned()] };
    let head = tree[..open].trim_end_matches("::");
    let inner = &tree[open + 1..tree.len() - 1];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .flat_map(expand)
        .map(|p| match (head, p.as_str()) {
            (head, "self") => head.to_owned(),
            ("", p) => p.to_owned(),
            (head, p) => format!("{head}::{p}"),
        })
        .collect()
}

/// The store module a path inside the store names: the longest known module it starts with, or
/// `mod` (the facade) for a name the facade itself defines or re-exports.
fn store_module(path: &str) -> &'static str {
    let mut best = "mod";
    for (module, _) in STORE_LEVELS {
        if (path == module || path.starts_with(&format!("{module}::"))) && module.len() > best.len() {
            best = module;
        }
    }
    best
}

#[test]
fn every_store_module_imports_only_lower_levels() {
    let store = workspace().join("server/src/store");
    let level: BTreeMap<&str, u8> = STORE_LEVELS.into_iter().collect();
    let mut wrong = Vec::new();
    let mut seen = BTreeSet::new();
    for file in rust_files(&store) {
        let relative = file.strip_prefix(&store).expect("inside the store").with_extension("");
        let name = relative.to_string_lossy().replace('/', "::");
        let name = name.strip_suffix("::mod").unwrap_or(&name).to_owned();
        let own = *level.get(name.as_str()).unwrap_or_else(|| panic!("store module {name} has no level in STORE_LEVELS"));
        seen.insert(name.clone());
        let code = code(&file);
        let parent = name.rsplit_once("::").map(|(p, _)| format!("{p}::")).unwrap_or_default();
        let mut named: Vec<String> = paths_after(&code, "crate::store::");
        named.extend(paths_after(&code, "super::").into_iter().map(|p| if name == "mod" { p } else { format!("{parent}{p}") }));
        if name == "mod" || name == "tables" {
            continue; // the facade and the folder's module list may name anything below them
        }
        for path in named {
            let target = store_module(&path);
            if target != name && level[target] >= own {
                wrong.push(format!("{name} (level {own}) imports {path} ({target}, level {})", level[target]));
            }
        }
    }
    assert_eq!(seen.len(), STORE_LEVELS.len(), "every listed level is a module: {seen:?}");
    assert!(wrong.is_empty(), "imports against the layers:\n{}", wrong.join("\n"));
}

/// The top-level modules each top-level module of a crate imports (`crate::x`).
fn top_level_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(src) {
        let relative = file.strip_prefix(src).expect("inside the crate");
        let own = relative.components().next().expect("a file").as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned();
        let targets = graph.entry(own.clone()).or_default();
        for path in paths_after(&code(&file), "crate::") {
            let target = path.split("::").next().unwrap_or_default().to_owned();
            if target != own && !target.is_empty() {
                targets.insert(target);
            }
        }
    }
    graph
}

/// A cycle in the graph, if there is one, as the modules along it.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(node: &str, graph: &BTreeMap<String, BTreeSet<String>>, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn neither_crate_has_an_import_cycle_between_its_modules() {
    for src in ["app/src", "server/src"] {
        let graph = top_level_graph(&workspace().join(src));
        assert!(graph.len() > 3, "{src}: read {} modules", graph.len());
        assert_eq!(cycle(&graph), None, "{src} imports in a cycle: {graph:?}");
    }
}

#[test]
fn the_reader_sees_every_import_form() {
    let code = "use super::{base::Store, tables::{audit, consent}};\nuse crate::store::error::Result;\nlet x = super::unit::record(a);";
    assert_eq!(paths_after(code, "super::"), ["base::Store", "tables::audit", "tables::consent", "unit::record"]);
    assert_eq!(paths_after(code, "crate::store::"), ["error::Result"]);
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(cycle(&graph), Some(vec!["a".to_owned(), "b".to_owned(), "a".to_owned()]));
}
