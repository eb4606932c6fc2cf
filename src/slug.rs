//! Heading ids as GitHub makes them, so links written against GitHub's
//! rendering of a document keep working in the catalog, and URL slugs.

use std::collections::HashMap;

/// GitHub's anchor for a heading text: lowercase, spaces to `-`, everything
/// but letters, digits, `-` and `_` dropped.
pub fn github_anchor(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.trim().chars() {
        if ch.is_alphanumeric() || ch == '-' || ch == '_' {
            out.extend(ch.to_lowercase());
        } else if ch == ' ' {
            out.push('-');
        }
    }
    out
}

/// Hands out unique ids within one page: the second `Overview` becomes
/// `overview-1`, as on GitHub.
#[derive(Default)]
pub struct UniqueIds {
    seen: HashMap<String, usize>,
}

impl UniqueIds {
    pub fn claim(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "section" } else { base };
        let mut candidate = base.to_owned();
        while let Some(n) = self.seen.get(&candidate).copied() {
            let next = n + 1;
            self.seen.insert(candidate.clone(), next);
            candidate = format!("{base}-{next}");
        }
        self.seen.insert(candidate.clone(), 0);
        candidate
    }
}

/// A URL path segment: lowercase ASCII letters, digits and `-`.
pub fn url_slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "untitled".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_match_github() {
        assert_eq!(
            github_anchor("Executive Summary [REQUIRED]"),
            "executive-summary-required"
        );
        assert_eq!(
            github_anchor("Error Handling & Resilience"),
            "error-handling--resilience"
        );
        assert_eq!(github_anchor("`POST /v1/charges`"), "post-v1charges");
        assert_eq!(github_anchor("Stripe ↔ Ledger"), "stripe--ledger");
        assert_eq!(github_anchor("Über_Größe 2"), "über_größe-2");
    }

    #[test]
    fn duplicate_headings_are_numbered() {
        let mut ids = UniqueIds::default();
        assert_eq!(ids.claim("overview"), "overview");
        assert_eq!(ids.claim("overview"), "overview-1");
        assert_eq!(ids.claim("overview"), "overview-2");
        assert_eq!(ids.claim("overview-1"), "overview-1-1");
    }

    #[test]
    fn url_slugs() {
        assert_eq!(url_slug("Payments & Cards"), "payments-cards");
        assert_eq!(url_slug("↔"), "untitled");
    }
}
