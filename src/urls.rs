//! Where each page lives. `content/payments/stripe.md` is published at
//! `payments/stripe/index.html` and linked as `<base path>payments/stripe/`,
//! so every link works under a base_url with a path.

use std::collections::HashSet;

use crate::catalog::Catalog;

/// Top-level folders the build writes itself; documents never take them.
const RESERVED: &[&str] = &[
    "",
    "tags/",
    "agents/",
    "systems/",
    "static/",
    "pagefind/",
    "search/",
];

/// The route (relative folder, ending in `/`) of every document, in catalog
/// order. Two documents that would share a route get `-2`, `-3`...
pub fn routes(catalog: &Catalog) -> Vec<String> {
    let mut taken: HashSet<String> = RESERVED.iter().map(|s| s.to_string()).collect();
    catalog
        .docs
        .iter()
        .map(|doc| {
            let base = route_of(&doc.content_path);
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

/// `a/b.md` → `a/b/`; `a/index.md`, `a/_index.md`, `a/README.md` → `a/`.
/// At the top level an index document keeps its name: `/` is the catalog.
fn route_of(content_path: &str) -> String {
    let without_ext = content_path
        .strip_suffix(".md")
        .or_else(|| content_path.strip_suffix(".MD"))
        .unwrap_or(content_path);
    let (dir, stem) = match without_ext.rsplit_once('/') {
        Some((d, s)) => (Some(d), s),
        None => (None, without_ext),
    };
    let is_index = ["index", "_index", "readme"].contains(&stem.to_ascii_lowercase().as_str());
    let path = match (dir, is_index) {
        (Some(d), true) => d.to_owned(),
        _ => without_ext.to_owned(),
    };
    let segments: Vec<String> = path.split('/').map(segment).collect();
    format!("{}/", segments.join("/"))
}

/// Keeps a path segment readable but safe in a URL and on any file system.
fn segment(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if out.is_empty() || out == "." || out == ".." {
        "page".to_owned()
    } else {
        out
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
    fn encoding_keeps_separators() {
        assert_eq!(encode_path("Größe/x y/"), "Gr%C3%B6%C3%9Fe/x%20y/");
    }
}
