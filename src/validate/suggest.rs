//! "Did you mean": the document a broken path most likely meant, written
//! so that it works when pasted where the broken one stood.
//!
//! Names are looked up in a BK-tree (a metric tree over edit distance), so
//! a site with thousands of broken links does not compare every link with
//! every document.

use std::collections::HashMap;

use crate::catalog::{join_relative, Catalog};

struct Node {
    name: String,
    children: Vec<(usize, usize)>,
}

/// Every document's file name (lower case), with the paths that carry it.
pub struct Suggester<'a> {
    nodes: Vec<Node>,
    paths: HashMap<String, Vec<&'a str>>,
}

fn distance(a: &str, b: &str) -> usize {
    strsim::osa_distance(a, b)
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl<'a> Suggester<'a> {
    pub fn new(catalog: &'a Catalog) -> Suggester<'a> {
        let mut suggester = Suggester {
            nodes: Vec::new(),
            paths: HashMap::new(),
        };
        for doc in &catalog.docs {
            let name = file_name(&doc.content_path).to_lowercase();
            let paths = suggester.paths.entry(name.clone()).or_default();
            paths.push(&doc.content_path);
            if paths.len() == 1 {
                suggester.insert(name);
            }
        }
        suggester
    }

    fn insert(&mut self, name: String) {
        if self.nodes.is_empty() {
            self.nodes.push(Node {
                name,
                children: Vec::new(),
            });
            return;
        }
        let mut at = 0;
        loop {
            let d = distance(&name, &self.nodes[at].name);
            match self.nodes[at].children.iter().find(|(k, _)| *k == d) {
                Some(&(_, next)) => at = next,
                None => {
                    let index = self.nodes.len();
                    self.nodes.push(Node {
                        name,
                        children: Vec::new(),
                    });
                    self.nodes[at].children.push((d, index));
                    return;
                }
            }
        }
    }

    /// Names within `limit` edits of `wanted`, closest first.
    fn near(&self, wanted: &str, limit: usize) -> Vec<(usize, &str)> {
        let mut found = Vec::new();
        if self.nodes.is_empty() {
            return found;
        }
        let mut stack = vec![0];
        while let Some(at) = stack.pop() {
            let node = &self.nodes[at];
            let d = distance(wanted, &node.name);
            if d <= limit {
                found.push((d, node.name.as_str()));
            }
            for &(k, child) in &node.children {
                if k + limit >= d && k <= d + limit {
                    stack.push(child);
                }
            }
        }
        found.sort();
        found
    }

    /// The content path `target` (as written in `from`) most likely meant:
    /// the same file name elsewhere, or a near miss, preferring the folder
    /// the target pointed into.
    pub fn suggest(&self, from: &str, target: &str) -> Option<String> {
        let wanted_path = join_relative(from, target.trim_end_matches('/'))?;
        let wanted_path = if wanted_path.to_ascii_lowercase().ends_with(".md") {
            wanted_path
        } else {
            format!("{wanted_path}.md")
        };
        let wanted = file_name(&wanted_path).to_lowercase();
        let wanted_dir = wanted_path.rsplit_once('/').map_or("", |(d, _)| d);
        let limit = (wanted.chars().count() / 3).clamp(1, 6);
        let mut best: Option<(usize, usize, &str)> = None;
        for (d, name) in self.near(&wanted, limit) {
            // A link out of a document never meant the document itself.
            for &path in self
                .paths
                .get(name)
                .into_iter()
                .flatten()
                .filter(|&&p| p != from)
            {
                let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
                let elsewhere = usize::from(dir != wanted_dir);
                let key = (d, elsewhere, path);
                if best.is_none_or(|b| key < b) {
                    best = Some(key);
                }
            }
        }
        let (_, _, path) = best?;
        Some(link_to(from, path, target.starts_with('/')))
    }
}

/// `to` as a link written in `from`: `/`-rooted when the author wrote one
/// that way, else relative to `from`'s folder.
pub fn link_to(from: &str, to: &str, rooted: bool) -> String {
    if rooted {
        return format!("/{to}");
    }
    let from_dir: Vec<&str> = from.split('/').collect();
    let from_dir = &from_dir[..from_dir.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<&str> = vec![".."; from_dir.len() - common];
    parts.extend(&to_parts[common..]);
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{source::decode, Doc};

    fn catalog(paths: &[&str]) -> Catalog {
        Catalog::link(
            paths
                .iter()
                .map(|p| Doc::parse(format!("content/{p}"), (*p).to_owned(), decode(b"# T\n")))
                .collect(),
        )
    }

    #[test]
    fn suggestions_work_when_pasted() {
        let c = catalog(&["payments/stripe-payments.md", "crm/zendesk.md", "index.md"]);
        let s = Suggester::new(&c);
        assert_eq!(
            s.suggest("crm/zendesk.md", "../payments/stripe-payment.md")
                .as_deref(),
            Some("../payments/stripe-payments.md")
        );
        assert_eq!(
            s.suggest("crm/zendesk.md", "stripe-payments.md").as_deref(),
            Some("../payments/stripe-payments.md")
        );
        assert_eq!(
            s.suggest("crm/zendesk.md", "/payments/stripe-paymnts.md")
                .as_deref(),
            Some("/payments/stripe-payments.md")
        );
        assert_eq!(
            s.suggest("payments/stripe-payments.md", "zendesk.md")
                .as_deref(),
            Some("../crm/zendesk.md")
        );
        assert_eq!(s.suggest("crm/zendesk.md", "completely-different.md"), None);
        assert_eq!(s.suggest("crm/zendesk.md", "src/zendesk.md"), None);
    }

    #[test]
    fn relative_links() {
        assert_eq!(link_to("a/b/c.md", "a/x.md", false), "../x.md");
        assert_eq!(link_to("a/c.md", "a/x.md", false), "x.md");
        assert_eq!(link_to("c.md", "a/x.md", false), "a/x.md");
        assert_eq!(link_to("a/c.md", "x.md", true), "/x.md");
    }
}
