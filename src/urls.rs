//! Where each page lives. `content/payments/stripe.md` is published at
//! `payments/stripe/index.html` and linked as `<base path>payments/stripe/`,
//! so every link works under a base_url with a path.

use std::collections::HashSet;

use crate::catalog::Catalog;

/// Top-level folders the build writes itself; documents never take them.
pub const RESERVED_DIRS: &[&str] = &[
    "tags",
    "agents",
    "systems",
    "static",
    "pagefind",
    "search",
    "__portolan",
];

/// Top-level files the build writes itself.
pub const GENERATED_FILES: &[&str] = &[
    "index.html",
    "404.html",
    "catalog.json",
    "sitemap.xml",
    "llms.txt",
    crate::render::nav::SIDEBAR_PATH,
    crate::render::home::ROWS_PATH,
    crate::site::MARKER,
];

/// Whether a document's natural route collides with what the build writes
/// itself (`tags/payments.md` with the tag page, `catalog.json.md` with the
/// feed): the generated file wins, and check reports a `route-conflict`.
pub fn route_is_reserved(route: &str) -> bool {
    let first = route.split('/').next().unwrap_or("");
    route.is_empty() || RESERVED_DIRS.contains(&first) || GENERATED_FILES.contains(&first)
}

/// Whether an attachment at `path` would overwrite a generated file: the
/// top-level files, the reserved folders, a page of some route.
pub fn is_generated_path(path: &str, routes: &HashSet<&str>) -> bool {
    let first = path.split('/').next().unwrap_or("");
    if GENERATED_FILES.contains(&path) || RESERVED_DIRS.contains(&first) {
        return true;
    }
    match path.rsplit_once('/') {
        Some((dir, "index.html" | "index.html.md")) => routes.contains(format!("{dir}/").as_str()),
        None => path == "index.html.md",
        _ => false,
    }
}

/// The route (relative folder, ending in `/`) of every document, in catalog
/// order. Two documents that would share a route get `-2`, `-3`...; one
/// whose route the build writes itself moves under `docs-` (check reports
/// both as `route-conflict`, so this only keeps serve's preview whole).
/// The home document (see `home_doc`) has the empty route: it is `/`.
pub fn routes(catalog: &Catalog) -> Vec<String> {
    let home = home_doc(catalog);
    let mut taken: HashSet<String> = HashSet::new();
    catalog
        .docs
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            if Some(i) == home {
                return String::new();
            }
            let natural = route_of(&doc.content_path);
            let base = if route_is_reserved(&natural) {
                format!("docs-{natural}")
            } else {
                natural
            };
            let mut route = base.clone();
            let mut n = 2;
            while !taken.insert(route.clone()) {
                route = format!("{}-{n}/", base.trim_end_matches('/'));
                n += 1;
            }
            route
        })
        .collect()
}

/// The content root's front page, which Hugo and Zola make the home page's
/// text: `_index.md`, else `index.md`, else `README.md` (any case) at the
/// top level. Its body introduces the catalog on `/`; the others keep
/// pages of their own, named after them (check warns).
pub(crate) fn home_doc(catalog: &Catalog) -> Option<usize> {
    home_candidates(catalog)
        .min_by_key(|&(i, rank)| (rank, i))
        .map(|(i, _)| i)
}

/// Top-level index documents, each with its precedence (0 first).
pub(crate) fn home_candidates(catalog: &Catalog) -> impl Iterator<Item = (usize, usize)> + '_ {
    catalog.docs.iter().enumerate().filter_map(|(i, doc)| {
        let path = doc.content_path.as_str();
        let stem = path
            .strip_suffix(".md")
            .or_else(|| path.strip_suffix(".MD"))?;
        if stem.contains('/') {
            return None;
        }
        HOME_NAMES
            .iter()
            .position(|name| stem.eq_ignore_ascii_case(name))
            .map(|rank| (i, rank))
    })
}

/// The names of a folder's front page, in the order one wins at the top.
const HOME_NAMES: [&str; 3] = ["_index", "index", "readme"];

/// The route of a folder's page: its path as URL segments, moved under
/// `docs-` where the site's own pages live (as documents' routes are).
pub fn folder_route(path: &str) -> String {
    let natural = route_of(&format!("{path}/_index.md"));
    if route_is_reserved(&natural) {
        format!("docs-{natural}")
    } else {
        natural
    }
}

/// The routes of every folder holding a document, at any depth: each gets
/// a page, so a content file there must not take its place.
pub fn folder_routes(catalog: &Catalog) -> HashSet<String> {
    let mut out = HashSet::new();
    for doc in &catalog.docs {
        let mut dir = doc.content_path.as_str();
        while let Some((parent, _)) = dir.rsplit_once('/') {
            if !out.insert(folder_route(parent)) {
                break;
            }
            dir = parent;
        }
    }
    out
}

/// `a/b.md` → `a/b/`; `a/index.md`, `a/_index.md`, `a/README.md` → `a/`.
/// At the top level an index document keeps its name here: `routes` makes
/// one of them the home page (`home_doc`).
pub fn route_of(content_path: &str) -> String {
    let without_ext = content_path
        .strip_suffix(".md")
        .or_else(|| content_path.strip_suffix(".MD"))
        .unwrap_or(content_path);
    let (dir, stem) = match without_ext.rsplit_once('/') {
        Some((d, s)) => (Some(d), s),
        None => (None, without_ext),
    };
    let is_index = HOME_NAMES
        .iter()
        .any(|name| stem.eq_ignore_ascii_case(name));
    let path = match (dir, is_index) {
        (Some(d), true) => d,
        _ => without_ext,
    };
    // Written in one string: every document's route is worked out again on
    // each check, and on each save in serve.
    let mut route = String::with_capacity(path.len() + 1);
    for (n, part) in path.split('/').enumerate() {
        if n > 0 {
            route.push('/');
        }
        push_segment(&mut route, part);
    }
    route.push('/');
    route
}

/// Keeps a path segment readable but safe in a URL and on any file system.
fn push_segment(out: &mut String, s: &str) {
    let start = out.len();
    out.extend(s.chars().map(|c| {
        if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            c
        } else {
            '-'
        }
    }));
    if matches!(&out[start..], "" | "." | "..") {
        out.truncate(start);
        out.push_str("page");
    }
}

/// Percent-encodes what a URL path cannot carry as is.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/#".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_from_paths() {
        assert_eq!(route_of("payments/stripe.md"), "payments/stripe/");
        assert_eq!(route_of("payments/_index.md"), "payments/");
        assert_eq!(route_of("index.md"), "index/");
        assert_eq!(route_of("a b/c?.md"), "a-b/c-/");
        assert_eq!(route_of("Größe.md"), "Größe/");
    }

    #[test]
    fn generated_paths_win() {
        let routes: HashSet<&str> = ["payments/"].into_iter().collect();
        for p in [
            "index.html",
            "catalog.json",
            "static/portolan.js",
            "404.html",
            "payments/index.html",
            "tags/x.png",
            "pagefind/pagefind.js",
        ] {
            assert!(is_generated_path(p, &routes), "{p}");
        }
        for p in ["payments/diagram.png", "img/index.png", "other/index.html"] {
            assert!(!is_generated_path(p, &routes), "{p}");
        }
        assert!(route_is_reserved("tags/payments/"));
        assert!(route_is_reserved("catalog.json/"));
        assert!(!route_is_reserved("payments/"));
    }

    #[test]
    fn encoding_keeps_separators() {
        assert_eq!(encode_path("Größe/x y/"), "Gr%C3%B6%C3%9Fe/x%20y/");
    }
}
