//! The integration map: which systems talk to which, one edge per document.
//! Systems come from titles ("A ↔ B", "Source → Destination"), from
//! `source`/`destination` fields, and from `service` (an edge from the
//! site's own platform to that service).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::catalog::{looks_like_placeholder, Catalog};
use crate::content::Doc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemEdge {
    pub from: String,
    pub to: String,
    pub bidirectional: bool,
    pub doc: usize,
}

static ARROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<a>.+?)\s*(?P<arrow>↔|<->|⇄|→|->|⟶|=>)\s*(?P<b>.+)$").expect("valid regex")
});

fn clean_system(name: &str) -> String {
    let mut s = name.trim();
    for prefix in ["Integration:", "Integration -", "Integration Points -"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim();
        }
    }
    for suffix in ["Integration Documentation", "Integration", "Documentation"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.trim();
        }
    }
    // "NetSuite (nightly settlement file)" names NetSuite.
    if let Some(open) = s.find(" (") {
        if s.ends_with(')') {
            s = s[..open].trim();
        }
    }
    s.trim_matches(|c: char| c == '[' || c == ']' || c == '`' || c.is_whitespace())
        .replace('`', "")
}

/// The two systems a title names, if it has the shape "A ↔ B" or "A → B".
pub fn systems_in_title(title: &str) -> Option<(String, String, bool)> {
    let title = title.trim();
    let title = title.strip_prefix("Integration:").unwrap_or(title).trim();
    let caps = ARROW.captures(title)?;
    let a = clean_system(&caps["a"]);
    let b = clean_system(&caps["b"]);
    let bidirectional = matches!(&caps["arrow"], "↔" | "<->" | "⇄");
    (!a.is_empty() && !b.is_empty() && a != b).then_some((a, b, bidirectional))
}

/// The template's own example names: a title still carrying them names no
/// real system.
fn is_template_name(name: &str) -> bool {
    ["System A", "System B", "Source", "Destination"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(name))
}

/// The systems one document connects: `(from, to, both ways)`.
pub fn edge_of(doc: &Doc, home_system: &str) -> Option<(String, String, bool)> {
    let usable = |s: &str| !s.trim().is_empty() && !looks_like_placeholder(s);
    let from_fields = match (doc.text_field("source"), doc.text_field("destination")) {
        (Some(a), Some(b)) if usable(a) && usable(b) => {
            Some((clean_system(a), clean_system(b), false))
        }
        _ => None,
    };
    from_fields
        .or_else(|| {
            doc.title
                .as_deref()
                .and_then(systems_in_title)
                .filter(|(a, b, _)| !is_template_name(a) && !is_template_name(b))
        })
        .or_else(|| {
            doc.text_field("service")
                .filter(|s| usable(s))
                .map(|s| (home_system.to_owned(), clean_system(s), false))
        })
}

pub fn edges(catalog: &Catalog, home_system: &str) -> Vec<SystemEdge> {
    let mut edges: Vec<SystemEdge> = catalog
        .docs
        .iter()
        .enumerate()
        .filter_map(|(i, doc)| {
            let (from, to, bidirectional) = edge_of(doc, home_system)?;
            Some(SystemEdge {
                from,
                to,
                bidirectional,
                doc: i,
            })
        })
        .collect();
    edges.sort_by(|a, b| (&a.from, &a.to, a.doc).cmp(&(&b.from, &b.to, b.doc)));
    edges
}

/// System → number of documents touching it.
pub fn systems(edges: &[SystemEdge]) -> BTreeMap<String, usize> {
    let mut systems = BTreeMap::new();
    for e in edges {
        *systems.entry(e.from.clone()).or_insert(0) += 1;
        *systems.entry(e.to.clone()).or_insert(0) += 1;
    }
    systems
}

/// Mermaid `graph LR` text: one node per system, one edge per document.
/// Labels are quoted with mermaid's entity escapes so no name can break out.
pub fn mermaid(edges: &[SystemEdge], titles: &dyn Fn(usize) -> String) -> String {
    let systems = systems(edges);
    let ids: BTreeMap<&str, String> = systems
        .keys()
        .enumerate()
        .map(|(i, name)| (name.as_str(), format!("s{i}")))
        .collect();
    let label = |text: &str| {
        text.replace('&', "#amp;")
            .replace('"', "#quot;")
            .replace('<', "#lt;")
            .replace('>', "#gt;")
    };
    let mut out = String::from("graph LR\n");
    for (name, id) in &ids {
        out.push_str(&format!("    {id}[\"{}\"]\n", label(name)));
    }
    for e in edges {
        let arrow = if e.bidirectional { "<-->" } else { "-->" };
        out.push_str(&format!(
            "    {} {arrow}|\"{}\"| {}\n",
            ids[e.from.as_str()],
            label(&titles(e.doc)),
            ids[e.to.as_str()]
        ));
    }
    out
}

/// The systems map of a catalog as mermaid text, or None when no document
/// names the systems it connects.
pub fn mermaid_for(catalog: &Catalog, config: &crate::config::Config) -> Option<String> {
    let edges = edges(catalog, &config.home_system);
    (!edges.is_empty()).then(|| mermaid(&edges, &|i| catalog.docs[i].title_or_path().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_name_their_systems() {
        assert_eq!(
            systems_in_title("Storefront ↔ Salesforce Integration Documentation"),
            Some(("Storefront".into(), "Salesforce".into(), true))
        );
        assert_eq!(
            systems_in_title("Integration: Ledger Service → NetSuite (nightly settlement file)"),
            Some(("Ledger Service".into(), "NetSuite".into(), false))
        );
        assert_eq!(
            systems_in_title("Integration: Order Service → Kafka `order-events`"),
            Some(("Order Service".into(), "Kafka order-events".into(), false))
        );
        assert_eq!(
            systems_in_title("[System A] ↔ [System B] Integration Documentation"),
            Some(("System A".into(), "System B".into(), true))
        );
        assert_eq!(systems_in_title("Stripe Card Payments"), None);
    }

    #[test]
    fn mermaid_labels_cannot_break_out() {
        let edges = vec![SystemEdge {
            from: "A\"]; click".into(),
            to: "<b>".into(),
            bidirectional: false,
            doc: 0,
        }];
        let text = mermaid(&edges, &|_| "t\"|x".into());
        assert!(!text.contains("A\"]"), "{text}");
        assert!(text.contains("#quot;"), "{text}");
        assert!(!text.contains("<b>"));
    }
}
