//! The link graph: ids, related documents, body links, each with its inverse
//! ("referenced by"), and the tag and agent indexes the build renders.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;

pub mod folders;
mod hugo_refs;
pub mod vocabulary;

use crate::config::Config;
use crate::content::Doc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// A `related` entry (an id or a path).
    Related,
    /// A `related_files` entry.
    RelatedFile,
    /// A markdown link in the body.
    Link,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
}

/// A reference that points at no document; validate turns these into
/// `broken-related` / `broken-link` diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct Unresolved {
    pub doc: usize,
    pub kind: EdgeKind,
    pub target: String,
    pub line: usize,
    pub column: Option<usize>,
    pub problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    NoSuchDocument,
    LeavesRoot,
    /// The document exists but has no heading with this id.
    NoSuchAnchor {
        target_doc: usize,
        anchor: String,
    },
    /// A Hugo `ref` by a name several documents have (in path order).
    Ambiguous(Vec<usize>),
}

/// One reference of a document: the document it reaches, or why not.
type Resolved = Result<(usize, EdgeKind), Unresolved>;

pub struct Catalog {
    pub docs: Vec<Doc>,
    pub by_path: HashMap<String, usize>,
    pub by_id: HashMap<String, Vec<usize>>,
    pub edges: Vec<Edge>,
    pub outgoing: Vec<Vec<usize>>,
    pub incoming: Vec<Vec<usize>>,
    pub unresolved: Vec<Unresolved>,
    /// Other files of the content dir that links may point at.
    pub assets: BTreeSet<String>,
    /// Files of the content dir that are never read or published, with why.
    pub refused: BTreeMap<String, crate::safe_fs::Refusal>,
    /// Where documents and attachments were read from (empty when the
    /// catalog was made from documents alone).
    pub content_dir: std::path::PathBuf,
    /// Per document, what its references resolved to, in order: the edges
    /// are made from these, and an edit resolves only its own again.
    resolved: Vec<Vec<Resolved>>,
    /// What Hugo `ref` links find documents by (`hugo_refs`), made on
    /// first need.
    names: std::sync::OnceLock<hugo_refs::Names>,
}

impl Catalog {
    /// A catalog of documents alone, with no other files.
    /// A linked catalog of in-memory documents `(path, text)`, for unit tests
    /// of every stage after parsing.
    #[cfg(test)]
    pub(crate) fn from_texts(docs: &[(&str, &str)]) -> Catalog {
        Catalog::link(
            docs.iter()
                .map(|(path, text)| {
                    Doc::parse(
                        format!("content/{path}"),
                        (*path).to_owned(),
                        crate::content::source::decode(text.as_bytes()),
                    )
                })
                .collect(),
        )
    }

    pub fn link(docs: Vec<Doc>) -> Catalog {
        Catalog::link_with(docs, Default::default(), BTreeSet::new(), BTreeMap::new())
    }

    pub fn link_with(
        docs: Vec<Doc>,
        content_dir: std::path::PathBuf,
        assets: BTreeSet<String>,
        refused: BTreeMap<String, crate::safe_fs::Refusal>,
    ) -> Catalog {
        let by_path: HashMap<String, usize> = docs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.content_path.clone(), i))
            .collect();
        let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            if let Some(id) = d.text_field("id") {
                by_id.entry(id.to_owned()).or_default().push(i);
            }
        }
        let mut catalog = Catalog {
            outgoing: vec![Vec::new(); docs.len()],
            incoming: vec![Vec::new(); docs.len()],
            docs,
            by_path,
            by_id,
            edges: Vec::new(),
            unresolved: Vec::new(),
            assets,
            refused,
            content_dir,
            resolved: Vec::new(),
            names: Default::default(),
        };
        // Resolving is read-only and per document, so it runs in parallel;
        // edges are then added in document order, as a serial pass would.
        catalog.resolved = (0..catalog.docs.len())
            .into_par_iter()
            .map(|i| catalog.resolve_doc(i))
            .collect();
        catalog.add_all_edges();
        catalog
    }

    /// The catalog after documents were edited in place: `edits` gives new
    /// texts of documents at their indexes (none added, removed or moved).
    /// What a document's references resolve to depends on its own
    /// references, the documents' paths, and the ids, heading ids and
    /// anchors of the documents they name. When no edit changed the
    /// latter, every other document resolves as before and only the
    /// edited ones are resolved again: the same catalog `link_with` gives
    /// (tests compare the two), without resolving 10,000 documents' links
    /// on each save.
    pub fn with_edits(mut self, edits: Vec<(usize, Doc)>) -> Catalog {
        let targets_same = edits.iter().all(|(i, doc)| {
            self.docs
                .get(*i)
                .is_some_and(|old| same_link_targets(old, doc))
        });
        let mut edited = Vec::with_capacity(edits.len());
        for (i, doc) in edits {
            if let Some(slot) = self.docs.get_mut(i) {
                *slot = doc;
                edited.push(i);
            }
        }
        if !targets_same || self.resolved.len() != self.docs.len() {
            return Catalog::link_with(self.docs, self.content_dir, self.assets, self.refused);
        }
        for i in edited {
            self.resolved[i] = self.resolve_doc(i);
        }
        self.add_all_edges();
        self
    }

    /// Edges, their indexes and the unresolved references, from `resolved`.
    fn add_all_edges(&mut self) {
        let n = self.docs.len();
        self.edges.clear();
        self.unresolved.clear();
        self.outgoing = vec![Vec::new(); n];
        self.incoming = vec![Vec::new(); n];
        let resolved = std::mem::take(&mut self.resolved);
        for (from, found) in resolved.iter().enumerate() {
            self.add_edges(from, found);
        }
        self.resolved = resolved;
    }

    fn resolve_doc(&self, from: usize) -> Vec<Resolved> {
        let doc = &self.docs[from];
        let mut found: Vec<Resolved> = Vec::new();
        let unresolved = |kind, target: &str, line, column, problem| Unresolved {
            doc: from,
            kind,
            target: target.to_owned(),
            line,
            column,
            problem,
        };
        for (key, kind) in [
            ("related_files", EdgeKind::RelatedFile),
            ("related", EdgeKind::Related),
        ] {
            let Some(field) = doc.field(key) else {
                continue;
            };
            for entry in field.entries() {
                let Some(target) = entry.text.as_deref().map(str::trim) else {
                    continue;
                };
                if target.is_empty() || looks_like_placeholder(target) {
                    continue;
                }
                if kind == EdgeKind::Related {
                    if let Some(ids) = self.by_id.get(target) {
                        found.push(Ok((ids[0], kind)));
                        continue;
                    }
                }
                found.push(match self.resolve_path(&doc.content_path, target) {
                    Ok(to) => Ok((to, kind)),
                    Err(problem) => {
                        Err(unresolved(kind, target, entry.line, entry.column, problem))
                    }
                });
            }
        }
        for link in &doc.links {
            let (target, to) = match crate::content::hugo::ref_link(&link.dest) {
                Some(r) => {
                    let to = if r.path.is_empty() {
                        Ok(from)
                    } else {
                        self.resolve_ref(&doc.content_path, &r.path)
                    };
                    let target = LocalTarget {
                        path: r.path,
                        anchor: r.anchor,
                    };
                    (target, to)
                }
                None => {
                    let Some(target) = local_target(&link.dest) else {
                        continue;
                    };
                    let to = if target.path.is_empty() {
                        Ok(from)
                    } else if !target.path.to_ascii_lowercase().ends_with(".md") {
                        continue;
                    } else {
                        self.resolve_path(&doc.content_path, &target.path)
                    };
                    (target, to)
                }
            };
            let to = match to {
                Ok(to) => to,
                Err(problem) => {
                    found.push(Err(unresolved(
                        EdgeKind::Link,
                        &link.dest,
                        link.line,
                        Some(link.column),
                        problem,
                    )));
                    continue;
                }
            };
            if let Some(anchor) = &target.anchor {
                let target_doc = &self.docs[to];
                if target_doc.anchor_id(anchor).is_none() {
                    found.push(Err(unresolved(
                        EdgeKind::Link,
                        &link.dest,
                        link.line,
                        Some(link.column),
                        Problem::NoSuchAnchor {
                            target_doc: to,
                            anchor: anchor.clone(),
                        },
                    )));
                    continue;
                }
            }
            if to != from {
                found.push(Ok((to, EdgeKind::Link)));
            }
        }
        found
    }

    fn add_edges(&mut self, from: usize, found: &[Resolved]) {
        for result in found {
            match result {
                &Ok((to, kind)) => {
                    // One edge per (to, kind): a document linked five times
                    // is still one relation.
                    if self.outgoing[from]
                        .iter()
                        .any(|&e| self.edges[e].to == to && self.edges[e].kind == kind)
                    {
                        continue;
                    }
                    let index = self.edges.len();
                    self.edges.push(Edge { from, to, kind });
                    self.outgoing[from].push(index);
                    self.incoming[to].push(index);
                }
                Err(u) => self.unresolved.push(u.clone()),
            }
        }
    }

    /// A path relative to `from` (or to the content dir when it starts with
    /// `/`), resolved among the loaded documents without touching the disk.
    pub fn resolve_path(&self, from: &str, target: &str) -> Result<usize, Problem> {
        let joined = join_relative(from, target).ok_or(Problem::LeavesRoot)?;
        // Tried in order, each made only if the one before missed: every
        // link of every document comes here on each relink.
        let find = |candidate: &str| self.by_path.get(candidate.trim_start_matches('/')).copied();
        if let Some(i) = find(&joined).or_else(|| find(&format!("{joined}.md"))) {
            return Ok(i);
        }
        let folder = joined.trim_end_matches('/');
        ["index.md", "_index.md", "README.md"]
            .iter()
            .find_map(|index| find(&format!("{folder}/{index}")))
            .ok_or(Problem::NoSuchDocument)
    }

    /// Documents this one points at, each once, in the order written.
    pub fn related_of(&self, doc: usize) -> Vec<(usize, EdgeKind)> {
        let mut seen = Vec::new();
        for &e in &self.outgoing[doc] {
            let edge = &self.edges[e];
            if !seen.iter().any(|(to, _)| *to == edge.to) {
                seen.push((edge.to, edge.kind));
            }
        }
        seen
    }

    /// Documents that point at this one, each once, by title.
    pub fn referenced_by(&self, doc: usize) -> Vec<usize> {
        let mut from: Vec<usize> = self.incoming[doc]
            .iter()
            .map(|&e| self.edges[e].from)
            .collect();
        from.sort_by(|&a, &b| {
            self.docs[a]
                .title_or_path()
                .cmp(self.docs[b].title_or_path())
        });
        from.dedup();
        from
    }

    /// Tag → documents, sorted by tag.
    pub fn tags(&self) -> BTreeMap<String, Vec<usize>> {
        let mut tags: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, d) in self.docs.iter().enumerate() {
            for tag in tags_of(d) {
                push_once(tags.entry(tag.to_owned()).or_default(), i);
            }
        }
        tags
    }

    /// Agent → documents relevant to it: those naming it in
    /// `ai_agent_relevance` or giving it a note, plus agents declared in
    /// site.toml with no document yet. A note counts for an agent that any
    /// document names, wherever that document sorts.
    pub fn agents(&self, config: &Config) -> BTreeMap<String, Vec<usize>> {
        let mut agents: BTreeMap<String, Vec<usize>> = config
            .agents
            .keys()
            .map(|k| (k.clone(), Vec::new()))
            .collect();
        for d in &self.docs {
            for agent in named_agents(d) {
                agents.entry(agent.to_owned()).or_default();
            }
        }
        for (i, d) in self.docs.iter().enumerate() {
            for agent in agents_of(d) {
                if let Some(list) = agents.get_mut(agent) {
                    push_once(list, i);
                }
            }
        }
        agents
    }
}

/// The tags a document lists, placeholders left out.
pub fn tags_of(doc: &Doc) -> impl Iterator<Item = &str> {
    doc.list_field("tags")
        .into_iter()
        .map(str::trim)
        .filter(|t| !t.is_empty() && !looks_like_placeholder(t))
}

fn named_agents(doc: &Doc) -> impl Iterator<Item = &str> {
    doc.list_field("ai_agent_relevance")
        .into_iter()
        .map(str::trim)
        .filter(|a| !a.is_empty() && !looks_like_placeholder(a))
}

/// Every agent a document names or writes a note for; a note for an agent
/// nobody names and site.toml does not declare has no page.
pub fn agents_of(doc: &Doc) -> impl Iterator<Item = &str> {
    named_agents(doc).chain(doc.agent_notes.iter().map(|n| n.agent.as_str()))
}

/// Documents are visited in index order, so a list holds `i` already only
/// if it ends with it; `contains` made indexing quadratic in a tag's size.
/// Whether other documents' references resolve against `a` as against
/// `b`, paths aside: the same id, heading ids and HTML anchors.
fn same_link_targets(a: &Doc, b: &Doc) -> bool {
    a.text_field("id") == b.text_field("id")
        && a.html_anchors == b.html_anchors
        && a.headings
            .iter()
            .map(|h| &h.id)
            .eq(b.headings.iter().map(|h| &h.id))
}

fn push_once(list: &mut Vec<usize>, i: usize) {
    if list.last() != Some(&i) {
        list.push(i);
    }
}

/// Unfilled template text, which other rules report; resolving it as a path
/// would only add noise.
pub fn looks_like_placeholder(text: &str) -> bool {
    text.contains('[') || text.contains("YYYY")
}

pub struct LocalTarget {
    pub path: String,
    pub anchor: Option<String>,
}

/// The path and anchor of a link that stays inside the site; None for
/// external URLs (any scheme, or `//host`).
pub fn local_target(dest: &str) -> Option<LocalTarget> {
    let dest = dest.trim();
    // A Hugo `ref` link is found by `Catalog::resolve_ref`, not as a path.
    if dest.is_empty() || dest.starts_with("//") || crate::content::hugo::ref_link(dest).is_some() {
        return None;
    }
    let scheme_end = dest.find(':');
    if let Some(i) = scheme_end {
        let scheme = &dest[..i];
        if !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            && !dest[..i].contains('/')
        {
            return None;
        }
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, Some(percent_decode(a))),
        None => (dest, None),
    };
    let path = path.split('?').next().unwrap_or("");
    Some(LocalTarget {
        path: percent_decode(path),
        anchor: anchor.filter(|a| !a.is_empty()),
    })
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Joins `target` to the folder of `from` lexically. None when `..` climbs
/// out of the content dir: such paths are broken and never read.
pub fn join_relative(from: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let mut p: Vec<&str> = from.split('/').collect();
        p.pop();
        p
    };
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(path: &str, text: &str) -> Doc {
        Doc::parse(
            format!("content/{path}"),
            path.to_owned(),
            crate::content::source::decode(text.as_bytes()),
        )
    }

    #[test]
    fn a_note_counts_for_an_agent_named_by_a_later_document() {
        let catalog = Catalog::link(vec![
            doc(
                "a.md",
                "---\ntitle: A\n---\n\n## AI Agent Notes\n\n- **RouteAgent**: watch retries\n",
            ),
            doc(
                "b.md",
                "---\ntitle: B\nai_agent_relevance: [RouteAgent]\n---\n",
            ),
            doc("c.md", "---\ntitle: C\ntags: [x, x, y]\n---\n"),
        ]);
        let config: Config = toml::from_str("").unwrap();
        assert_eq!(catalog.agents(&config)["RouteAgent"], vec![0, 1]);
        assert_eq!(catalog.tags()["x"], vec![2]);
    }

    #[test]
    fn joins_stay_inside_the_content_dir() {
        assert_eq!(join_relative("a/b.md", "c.md").as_deref(), Some("a/c.md"));
        assert_eq!(join_relative("a/b.md", "../c.md").as_deref(), Some("c.md"));
        assert_eq!(
            join_relative("a/b.md", "/x/y.md").as_deref(),
            Some("x/y.md")
        );
        assert_eq!(join_relative("b.md", "../../etc/passwd"), None);
        assert_eq!(join_relative("a/b.md", "../../c.md"), None);
    }

    #[test]
    fn external_links_are_not_local() {
        assert!(local_target("https://x.com/a.md").is_none());
        assert!(local_target("mailto:a@b.c").is_none());
        assert!(local_target("//cdn.example/x.md").is_none());
        let t = local_target("../a%20b.md#Sec-1").unwrap();
        assert_eq!(t.path, "../a b.md");
        assert_eq!(t.anchor.as_deref(), Some("Sec-1"));
        let t = local_target("#only").unwrap();
        assert_eq!(t.path, "");
    }

    #[test]
    fn percent_decoding_tolerates_bad_escapes() {
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("%"), "%");
    }

    /// A document of the edit sequences below, from its parts: an id, a
    /// heading, links to others (with and without anchors, broken ones
    /// too) and related entries by id.
    fn linked_doc(parts: &[usize; 4]) -> String {
        let ids = ["", "id: alpha\n", "id: beta\n"];
        let headings = ["Intro", "Setup", "Retries"];
        let links = [
            "",
            "See [b](b.md).",
            "See [setup](b.md#setup) and [c](c.md#retries).",
            "See [gone](missing.md) and [self](#intro).",
        ];
        let related = ["[]", "[alpha]", "[beta, c.md]", "[nothing]"];
        format!(
            "---\n{}related: {}\n---\n# Doc\n\n## {}\n\n{}\n",
            ids[parts[0] % 3],
            related[parts[1] % 4],
            headings[parts[2] % 3],
            links[parts[3] % 4]
        )
    }

    fn assert_same_links(a: &Catalog, b: &Catalog) {
        assert_eq!(a.edges, b.edges);
        assert_eq!(a.outgoing, b.outgoing);
        assert_eq!(a.incoming, b.incoming);
        assert_eq!(a.unresolved, b.unresolved);
        assert_eq!(a.by_id, b.by_id);
        assert_eq!(a.by_path, b.by_path);
        assert_eq!(a.resolved, b.resolved);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// After each edit of a random sequence, the catalog relinked from
        /// the last one is the one linking every document again gives,
        /// whether or not the edit moved a link target.
        #[test]
        fn a_catalog_relinked_after_edits_is_a_full_link(
            start in proptest::collection::vec(proptest::array::uniform4(0..4usize), 4),
            edits in proptest::collection::vec((0..4usize, 0..4usize, 0..4usize), 1..10),
        ) {
            let paths = ["a.md", "b.md", "c.md", "d/e.md"];
            let mut parts = start;
            let texts = |parts: &[[usize; 4]]| -> Vec<String> {
                parts.iter().map(linked_doc).collect()
            };
            let catalog_of = |texts: &[String]| {
                let pairs: Vec<(&str, &str)> =
                    paths.iter().copied().zip(texts.iter().map(String::as_str)).collect();
                Catalog::from_texts(&pairs)
            };
            let mut last = catalog_of(&texts(&parts));
            for (i, part, value) in edits {
                parts[i][part] = value;
                let full = catalog_of(&texts(&parts));
                let edited = Catalog::from_texts(&[(paths[i], texts(&parts)[i].as_str())])
                    .docs
                    .remove(0);
                let relinked = last.with_edits(vec![(i, edited)]);
                assert_same_links(&relinked, &full);
                last = relinked;
            }
        }
    }
}
