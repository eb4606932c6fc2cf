//! The integration landscape: systems and the integrations between them,
//! read from site.toml's `[systems]` and from every document. Computed once
//! per catalog, after linking; check, build, serve, catalog.json, llms.txt
//! and the `systems` / `impact` commands all read this one model.

pub mod identity;
mod impact;
pub mod infer;
pub mod output;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use rayon::prelude::*;

use crate::catalog::{looks_like_placeholder, Catalog};
use crate::config::{Config, SystemKind};
use identity::{normalize, Resolution, Resolver};
pub use impact::{Impact, Reach};
use infer::{Claim, NameRef};

#[derive(Debug, Clone, PartialEq)]
pub struct System {
    /// URL segment and command-line name: the `[systems.<id>]` key, or the
    /// normalised name of a system only documents name.
    pub id: String,
    pub name: String,
    /// Declared aliases.
    pub aliases: Vec<String>,
    /// Other names documents use for it, as written.
    pub also_called: Vec<String>,
    pub kind: SystemKind,
    pub declared: bool,
    /// The site's `home_system`.
    pub home: bool,
    pub owner: Option<String>,
    pub domain: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    /// What the overview map groups it under: its domain, else its owner,
    /// else the folder most of its documents live in.
    pub group: String,
}

/// Systems that talk to each other, and the documents that say so.
#[derive(Debug, Clone, PartialEq)]
pub struct Integration {
    pub from: usize,
    pub to: usize,
    pub both_ways: bool,
    pub protocols: Vec<String>,
    /// The describing documents' status (`approved`, `draft`...), the
    /// least settled one when they differ.
    pub status: Option<String>,
    pub critical: bool,
    /// Describing documents, in catalog order.
    pub docs: Vec<usize>,
    /// What the describing documents say the integration uses of the API
    /// specs they reference (`POST /v1/charges`, a channel's address), in
    /// their order: known only where a document references a spec. Each
    /// with where the spec's page shows it (`specs/x/#op-y`).
    pub operations: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FindingKind {
    /// Declared systems exist and this name matches none of them.
    Unknown {
        name: String,
        closest: Option<String>,
    },
    /// The name matches two declared systems.
    Ambiguous {
        name: String,
        first: String,
        second: String,
    },
    /// No system could be read from the document.
    Unmapped,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub doc: usize,
    pub line: usize,
    pub column: Option<usize>,
    pub kind: FindingKind,
}

#[derive(Debug, Clone, Default)]
pub struct Landscape {
    /// Sorted by id.
    pub systems: Vec<System>,
    /// Sorted by (from, to).
    pub integrations: Vec<Integration>,
    /// Per document: the systems its integrations connect, sorted.
    pub doc_systems: Vec<Vec<usize>>,
    /// Per system: documents that describe or mention it, sorted.
    pub mentions: Vec<Vec<usize>>,
    pub findings: Vec<Finding>,
    /// Every normalised name, id and alias → system.
    keys: HashMap<String, usize>,
    /// Per system, the integrations touching it, in order.
    by_system: Vec<Vec<usize>>,
    /// What the next build may reuse (serve): per document its path, the
    /// integrations it claims, its status and the systems its text names;
    /// per system every name it goes by. Paths and claims are shared, as
    /// a prose edit changes neither and the next landscape starts as a
    /// copy of this one.
    paths: Arc<Vec<String>>,
    claims: Arc<Vec<Vec<Claim>>>,
    statuses: Vec<Option<String>>,
    found: Vec<Vec<usize>>,
    names: Vec<Vec<String>>,
    /// Finds every system's names in text, with the system of each pattern;
    /// built once per set of names (thousands of names take a while).
    matcher: Option<(AhoCorasick, Vec<usize>)>,
}

/// A document's index in the previous landscape, if it did not change.
type OldIndex<'a> = &'a (dyn Fn(&String) -> Option<usize> + Sync);

/// The landscape of the catalog before an edit, and the documents the edit
/// changed: what the others claim and mention is taken as it was.
pub struct Previous<'a> {
    pub landscape: &'a Landscape,
    pub changed: &'a BTreeSet<String>,
}

/// Most names the mention matcher compiles to a DFA.
const MAX_DFA_PATTERNS: usize = 20_000;

/// Shortest name looked for in document text: shorter ones ("UI", "DB")
/// would be found in every document.
const MIN_MENTION_CHARS: usize = 4;

struct Builder<'a> {
    config: &'a Config,
    resolver: Resolver,
    systems: Vec<System>,
    by_key: HashMap<String, usize>,
    hints: Vec<(usize, usize)>,
    one_way_from: Vec<(bool, bool)>,
    findings: Vec<Finding>,
    home_key: String,
}

impl Builder<'_> {
    fn declared(&mut self) {
        for (i, (id, decl)) in self.config.systems.iter().enumerate() {
            debug_assert_eq!(i, self.systems.len());
            self.systems.push(System {
                id: id.clone(),
                name: decl.name.clone().unwrap_or_else(|| id.clone()),
                aliases: decl.aliases.clone(),
                also_called: Vec::new(),
                kind: decl.kind.unwrap_or(SystemKind::External),
                declared: true,
                home: false,
                owner: decl.owner.clone(),
                domain: decl.domain.clone(),
                description: decl.description.clone(),
                url: decl.url.clone(),
                group: String::new(),
            });
            self.hints.push((0, 0));
            self.one_way_from.push((false, false));
        }
    }

    /// `name` (in `doc`) could mean declared systems `a` and `b`.
    fn ambiguous(&mut self, name: &NameRef, doc: Option<usize>, a: usize, b: usize) {
        if let Some(doc) = doc {
            self.findings.push(Finding {
                doc,
                line: name.line,
                column: name.column,
                kind: FindingKind::Ambiguous {
                    name: name.name.clone(),
                    first: self.resolver.display_name(a),
                    second: self.resolver.display_name(b),
                },
            });
        }
    }

    /// The system a name means, created when it is new; None for a name
    /// with no letter or digit. Problems go to `findings` under `doc`.
    fn system_of(&mut self, name: &NameRef, doc: Option<usize>) -> Option<usize> {
        if let [a, b, ..] = name.choices[..] {
            self.ambiguous(name, doc, a, b);
        }
        let index = match self.resolver.resolve(&name.name)? {
            Resolution::Declared(i) => i,
            Resolution::Ambiguous(a, b) => {
                self.ambiguous(name, doc, a, b);
                a
            }
            Resolution::Inferred(key) => {
                if let Some(&i) = self.by_key.get(&key) {
                    i
                } else {
                    let mut id = key.clone();
                    let mut n = 2;
                    while self.config.systems.contains_key(&id) {
                        id = format!("{key}-{n}");
                        n += 1;
                    }
                    self.systems.push(System {
                        id,
                        name: name.name.clone(),
                        aliases: Vec::new(),
                        also_called: Vec::new(),
                        kind: SystemKind::External,
                        declared: false,
                        home: false,
                        owner: None,
                        domain: None,
                        description: None,
                        url: None,
                        group: String::new(),
                    });
                    self.hints.push((0, 0));
                    self.one_way_from.push((false, false));
                    self.systems.last_mut().expect("just pushed").home = key == self.home_key;
                    self.by_key.insert(key, self.systems.len() - 1);
                    self.systems.len() - 1
                }
            }
        };
        let is_home = self.systems[index].home;
        if let (Some(doc), false) = (doc, self.systems[index].declared || is_home) {
            if self.resolver.has_declared() {
                self.findings.push(Finding {
                    doc,
                    line: name.line,
                    column: name.column,
                    kind: FindingKind::Unknown {
                        name: name.name.clone(),
                        closest: self.resolver.closest(&name.name).map(str::to_owned),
                    },
                });
            }
        }
        let system = &mut self.systems[index];
        let known = std::iter::once(&system.name)
            .chain(&system.aliases)
            .chain(&system.also_called)
            .any(|n| n.eq_ignore_ascii_case(&name.name));
        if !known && name.name != self.config.home_system {
            system.also_called.push(name.name.clone());
        }
        match name.hint {
            Some(SystemKind::Internal) => self.hints[index].0 += 1,
            Some(SystemKind::External) => self.hints[index].1 += 1,
            None => {}
        }
        Some(index)
    }
}

impl Landscape {
    /// The landscape of `catalog`: declared systems, every system its
    /// documents name, and the integrations between them.
    pub fn build(catalog: &Catalog, config: &Config) -> Landscape {
        Self::build_reusing(catalog, config, None)
    }

    /// As `build`, reusing what `previous` read from documents that did not
    /// change (site.toml is the same: a new one rebuilds everything).
    pub fn build_reusing(
        catalog: &Catalog,
        config: &Config,
        previous: Option<Previous<'_>>,
    ) -> Landscape {
        let timer = crate::timings::Timer::start();
        let resolver = Resolver::new(config);
        if let Some(updated) = previous
            .as_ref()
            .and_then(|p| Self::updated(catalog, config, &resolver, p))
        {
            timer.lap("landscape: updated in place");
            return updated;
        }
        let old_index: HashMap<&str, usize> = previous
            .as_ref()
            .map(|p| {
                p.landscape
                    .paths
                    .iter()
                    .enumerate()
                    .map(|(i, path)| (path.as_str(), i))
                    .collect()
            })
            .unwrap_or_default();
        // The old index of a document the edit left alone.
        let unchanged = |path: &String| -> Option<usize> {
            let p = previous.as_ref()?;
            if p.changed.contains(path) {
                return None;
            }
            old_index.get(path.as_str()).copied()
        };
        let claims: Vec<Vec<Claim>> = catalog
            .docs
            .par_iter()
            .map(|doc| match (unchanged(&doc.content_path), &previous) {
                (Some(j), Some(p)) => p.landscape.claims[j].clone(),
                _ => infer::claims(doc, &config.home_system, &resolver),
            })
            .collect();
        let mut b = Builder {
            config,
            resolver,
            systems: Vec::new(),
            by_key: HashMap::new(),
            hints: Vec::new(),
            one_way_from: Vec::new(),
            findings: Vec::new(),
            home_key: String::new(),
        };
        timer.lap("landscape: read systems from documents");
        b.declared();
        // The home platform is a system only when declared or named: a site
        // whose documents name no integration has no systems at all.
        if let Some(Resolution::Declared(i)) = b.resolver.resolve(&config.home_system) {
            b.systems[i].home = true;
        }
        b.home_key = normalize(&config.home_system);

        // (low, high) system pair → integration under construction.
        let mut edges: BTreeMap<(usize, usize), Integration> = BTreeMap::new();
        let mut doc_systems: Vec<Vec<usize>> = vec![Vec::new(); catalog.docs.len()];
        let statuses: Vec<Option<String>> = catalog.docs.iter().map(doc_status).collect();
        for (doc, doc_claims) in claims.iter().enumerate() {
            if doc_claims.is_empty()
                && config.validation.unmapped_documents != crate::config::Notice::Off
            {
                b.findings.push(Finding {
                    doc,
                    line: catalog.docs[doc].title_line.max(1),
                    column: None,
                    kind: FindingKind::Unmapped,
                });
            }
            let status = &statuses[doc];
            for claim in doc_claims {
                let (Some(from), Some(to)) = (
                    b.system_of(&claim.from, Some(doc)),
                    b.system_of(&claim.to, Some(doc)),
                ) else {
                    continue;
                };
                doc_systems[doc].extend([from, to]);
                if from == to {
                    continue;
                }
                if !claim.both_ways {
                    b.one_way_from[from].0 = true;
                    b.one_way_from[to].1 = true;
                }
                let key = (from.min(to), from.max(to));
                let edge = edges.entry(key).or_insert_with(|| Integration {
                    from,
                    to,
                    both_ways: claim.both_ways,
                    protocols: Vec::new(),
                    status: None,
                    critical: false,
                    docs: Vec::new(),
                    operations: Vec::new(),
                });
                // Claims in both orientations make one edge both ways.
                edge.both_ways |= claim.both_ways || edge.from != from;
                edge.critical |= claim.critical;
                if let Some(p) = &claim.protocol {
                    if !edge.protocols.iter().any(|q| q.eq_ignore_ascii_case(p)) {
                        edge.protocols.push(p.clone());
                    }
                }
                // Documents come in order, so a repeat is the last one: a
                // hub's integration has thousands, too many to search.
                if edge.docs.last() != Some(&doc) {
                    edge.docs.push(doc);
                }
                if let Some(s) = status {
                    edge.status = Some(match edge.status.take() {
                        Some(old) if status_rank(&old) <= status_rank(s) => old,
                        _ => s.clone(),
                    });
                }
            }
        }
        for systems in doc_systems.iter_mut() {
            systems.sort_unstable();
            systems.dedup();
        }
        let Builder {
            mut systems,
            hints,
            one_way_from,
            findings,
            ..
        } = b;
        for (i, system) in systems.iter_mut().enumerate() {
            if system.declared && config.systems[&system.id].kind.is_some() {
                continue;
            }
            let (internal, external) = hints[i];
            let name_says_internal = {
                let last = system.name.to_lowercase();
                last.ends_with("service") || last.ends_with("svc")
            };
            let (is_from, is_to) = one_way_from[i];
            system.kind = if system.home
                || internal > external
                || (internal == external && (name_says_internal || (is_from && !is_to)))
            {
                SystemKind::Internal
            } else {
                SystemKind::External
            };
        }

        // Sort systems by id and renumber everything that points at them.
        let mut order: Vec<usize> = (0..systems.len()).collect();
        order.sort_by(|&a, &b| systems[a].id.cmp(&systems[b].id));
        let mut new_index = vec![0; systems.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        let mut slots: Vec<Option<System>> = systems.into_iter().map(Some).collect();
        let systems: Vec<System> = order.iter().filter_map(|&old| slots[old].take()).collect();
        let mut integrations: Vec<Integration> = edges
            .into_values()
            .map(|mut e| {
                e.from = new_index[e.from];
                e.to = new_index[e.to];
                e
            })
            .collect();
        integrations.sort_by_key(|e| (e.from, e.to));
        for systems in doc_systems.iter_mut() {
            for s in systems.iter_mut() {
                *s = new_index[*s];
            }
            systems.sort_unstable();
        }

        let mut landscape = Landscape {
            systems,
            integrations,
            doc_systems,
            mentions: Vec::new(),
            findings,
            keys: HashMap::new(),
            by_system: Vec::new(),
            paths: Arc::new(
                catalog
                    .docs
                    .iter()
                    .map(|d| d.content_path.clone())
                    .collect(),
            ),
            claims: Arc::new(claims),
            statuses,
            found: Vec::new(),
            names: Vec::new(),
            matcher: None,
        };
        landscape.index_keys();
        landscape.by_system = vec![Vec::new(); landscape.systems.len()];
        for (i, e) in landscape.integrations.iter().enumerate() {
            landscape.by_system[e.from].push(i);
            landscape.by_system[e.to].push(i);
        }
        timer.lap("landscape: systems and integrations");
        // What a document's text names depends on it and on every system's
        // names: when those are as before, unchanged documents keep theirs.
        let reusable = previous
            .as_ref()
            .filter(|p| p.landscape.names == landscape.names)
            .map(|p| {
                let unchanged: OldIndex<'_> = &unchanged;
                (p.landscape, unchanged)
            });
        landscape.find_mentions(catalog, reusable);
        timer.lap("landscape: mentions");
        landscape.assign_groups(catalog);
        landscape
    }

    /// The landscape after an edit that moved no document and changed no
    /// edited document's claims or status (the usual prose save), or None.
    /// Then systems, integrations, kinds and groups are as they were (they
    /// follow from every document's claims and statuses, in order), and
    /// only what an edited document's own text gives is read again: the
    /// systems it names and tags, and the line of its unmapped finding.
    /// This is exactly what a full build gives; tests compare the two.
    fn updated(
        catalog: &Catalog,
        config: &Config,
        resolver: &Resolver,
        previous: &Previous<'_>,
    ) -> Option<Landscape> {
        let old = previous.landscape;
        let n = catalog.docs.len();
        let same_places = old.paths.len() == n
            && old.claims.len() == n
            && old.statuses.len() == n
            && old.found.len() == n
            && catalog
                .docs
                .iter()
                .zip(old.paths.iter())
                .all(|(d, p)| d.content_path == *p);
        if !same_places {
            return None;
        }
        let mut edited = Vec::new();
        for path in previous.changed {
            let &j = catalog.by_path.get(path)?;
            let doc = &catalog.docs[j];
            if doc_status(doc) != old.statuses[j]
                || infer::claims(doc, &config.home_system, resolver) != old.claims[j]
            {
                return None;
            }
            edited.push(j);
        }
        let mut landscape = old.clone();
        for finding in &mut landscape.findings {
            if finding.kind == FindingKind::Unmapped && edited.contains(&finding.doc) {
                finding.line = catalog.docs[finding.doc].title_line.max(1);
            }
        }
        for j in edited {
            let found = landscape.found_in(&catalog.docs[j]);
            for &s in &landscape.found[j] {
                // What its integrations connect it mentions either way.
                if !found.contains(&s) && !landscape.doc_systems[j].contains(&s) {
                    let mentions = &mut landscape.mentions[s];
                    if let Ok(at) = mentions.binary_search(&j) {
                        mentions.remove(at);
                    }
                }
            }
            for &s in &found {
                let mentions = &mut landscape.mentions[s];
                if let Err(at) = mentions.binary_search(&j) {
                    mentions.insert(at, j);
                }
            }
            landscape.found[j] = found;
        }
        Some(landscape)
    }

    /// Whether the two would render the same landscape pages and links:
    /// systems, integrations, and which documents go with which system.
    /// (Findings carry lines, which prose edits move without changing a page.)
    /// Gives each integration the spec operations its documents use.
    pub fn attach_operations(&mut self, specs: &crate::specs::Specs) {
        for integration in &mut self.integrations {
            let mut ops: Vec<(String, String)> = Vec::new();
            for &doc in &integration.docs {
                for op in specs.operations_of(doc) {
                    if !ops.contains(&op) {
                        ops.push(op);
                    }
                }
            }
            integration.operations = ops;
        }
    }

    pub fn shows_same(&self, other: &Landscape) -> bool {
        self.systems == other.systems
            && self.integrations == other.integrations
            && self.doc_systems == other.doc_systems
            && self.mentions == other.mentions
    }

    /// Everything the page of system `s` shows from the landscape, with
    /// documents by path: two landscapes give the same view of a system
    /// exactly when its page (given the same document summaries) is the
    /// same, so serve re-renders only the system pages an edit changed.
    pub fn page_view(&self, s: usize) -> String {
        let path = |d: &usize| self.paths.get(*d).map(String::as_str).unwrap_or("");
        let mut around: BTreeSet<usize> = BTreeSet::from([s]);
        for (_, e) in self.touching(s) {
            around.insert(e.from);
            around.insert(e.to);
        }
        let mut view = format!("{:?}\n", self.systems[s]);
        for &n in &around {
            let n = &self.systems[n];
            view.push_str(&format!("{}|{}|{:?}|{}\n", n.id, n.name, n.kind, n.home));
        }
        for e in &self.integrations {
            if around.contains(&e.from) && around.contains(&e.to) {
                let docs: Vec<&str> = e.docs.iter().map(path).collect();
                view.push_str(&format!(
                    "{}>{}|{}|{:?}|{:?}|{}|{docs:?}|{:?}\n",
                    self.systems[e.from].id,
                    self.systems[e.to].id,
                    e.both_ways,
                    e.protocols,
                    e.status,
                    e.critical,
                    e.operations
                ));
            }
        }
        let mentions: Vec<&str> = self.mentions[s].iter().map(path).collect();
        let describing: BTreeSet<usize> =
            self.touching(s).flat_map(|(_, e)| e.docs.clone()).collect();
        let describing: Vec<&str> = describing.iter().map(path).collect();
        view.push_str(&format!("{mentions:?}{describing:?}"));
        view
    }

    fn index_keys(&mut self) {
        self.names = self
            .systems
            .iter()
            .map(|s| {
                std::iter::once(&s.id)
                    .chain(std::iter::once(&s.name))
                    .chain(&s.aliases)
                    .chain(&s.also_called)
                    .cloned()
                    .collect()
            })
            .collect();
        for (i, s) in self.systems.iter().enumerate() {
            let names = std::iter::once(&s.id)
                .chain(std::iter::once(&s.name))
                .chain(&s.aliases)
                .chain(&s.also_called);
            for name in names {
                let key = normalize(name);
                if !key.is_empty() {
                    self.keys.entry(key).or_insert(i);
                }
            }
        }
    }

    /// Per system, the documents that describe it, carry its id as a tag, or
    /// name it (or an alias) in their text as whole words.
    fn find_mentions(&mut self, catalog: &Catalog, reuse: Option<(&Landscape, OldIndex<'_>)>) {
        let mut mentions: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); self.systems.len()];
        for (doc, systems) in self.doc_systems.iter().enumerate() {
            for &s in systems {
                mentions[s].insert(doc);
            }
        }
        self.matcher = match reuse {
            // Same names as before (`reuse` is only given then): same matcher.
            Some((old, _)) => old.matcher.clone(),
            None => self.build_matcher(),
        };
        let found: Vec<Vec<usize>> = catalog
            .docs
            .par_iter()
            .map(|doc| {
                if let Some((old, unchanged)) = reuse {
                    if let Some(j) = unchanged(&doc.content_path) {
                        return old.found[j].clone();
                    }
                }
                self.found_in(doc)
            })
            .collect();
        for (doc, systems) in found.iter().enumerate() {
            for &s in systems {
                mentions[s].insert(doc);
            }
        }
        self.found = found;
        self.mentions = mentions
            .into_iter()
            .map(|set| set.into_iter().collect())
            .collect();
    }

    /// The systems `doc` carries as tags or names in its text.
    fn found_in(&self, doc: &crate::content::Doc) -> Vec<usize> {
        let mut found = BTreeSet::new();
        for tag in doc.list_field("tags") {
            if let Some(&s) = self.keys.get(&normalize(tag)) {
                found.insert(s);
            }
        }
        if let Some((matcher, owners)) = &self.matcher {
            let text = doc.text.as_bytes();
            for m in matcher.find_iter(text) {
                let before = m.start().checked_sub(1).map(|i| text[i]);
                let after = text.get(m.end()).copied();
                let word = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric());
                if !word(before) && !word(after) {
                    found.insert(owners[m.pattern().as_usize()]);
                }
            }
        }
        found.into_iter().collect()
    }

    fn build_matcher(&self) -> Option<(AhoCorasick, Vec<usize>)> {
        let mut patterns: Vec<&str> = Vec::new();
        let mut owners: Vec<usize> = Vec::new();
        for (i, s) in self.systems.iter().enumerate() {
            for name in std::iter::once(&s.name)
                .chain(&s.aliases)
                .chain(&s.also_called)
            {
                if name.trim().chars().count() >= MIN_MENTION_CHARS {
                    patterns.push(name.trim());
                    owners.push(i);
                }
            }
        }
        if patterns.is_empty() {
            return None;
        }
        // A DFA scans every document's text (80 MB at 10,000 heavy
        // documents) about twice as fast as the default NFA; it costs about
        // 3 kB per pattern, so a site with very many names keeps the NFA.
        // A DFA the builder refuses (too many states) falls back to the
        // NFA: no matcher would silently drop every mention.
        let build = |kind| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .kind(kind)
                .build(&patterns)
                .ok()
        };
        let matcher = (patterns.len() <= MAX_DFA_PATTERNS)
            .then(|| build(Some(AhoCorasickKind::DFA)))
            .flatten()
            .or_else(|| build(None))?;
        Some((matcher, owners))
    }

    fn assign_groups(&mut self, catalog: &Catalog) {
        for (i, system) in self.systems.iter_mut().enumerate() {
            let usable = |v: &Option<String>| {
                v.as_deref()
                    .map(str::trim)
                    .filter(|v| !v.is_empty() && !looks_like_placeholder(v))
                    .map(str::to_owned)
            };
            system.group = usable(&system.domain)
                .or_else(|| usable(&system.owner))
                .or_else(|| {
                    let mut folders: BTreeMap<&str, usize> = BTreeMap::new();
                    for &doc in &self.mentions[i] {
                        if !self.doc_systems[doc].contains(&i) {
                            continue;
                        }
                        let path = &catalog.docs[doc].content_path;
                        if let Some((folder, _)) = path.split_once('/') {
                            *folders.entry(folder).or_insert(0) += 1;
                        }
                    }
                    folders
                        .into_iter()
                        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
                        .map(|(f, _)| f.to_owned())
                })
                .unwrap_or_else(|| "other".to_owned());
        }
    }

    /// A system by its id.
    pub fn find_id(&self, id: &str) -> Option<usize> {
        self.systems
            .binary_search_by(|s| s.id.as_str().cmp(id))
            .ok()
    }

    /// A system by id, name, alias or any spelling documents use.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.find_id(name)
            .or_else(|| self.keys.get(&normalize(name)).copied())
    }

    /// The closest id or name to `name`, for a did-you-mean.
    pub fn suggest(&self, name: &str) -> Option<&str> {
        let candidates = self
            .systems
            .iter()
            .flat_map(|s| [s.id.as_str(), s.name.as_str()]);
        crate::diagnostics::closest(name, candidates)
    }

    /// Integrations into and out of system `s`.
    pub fn inbound(&self, s: usize) -> impl Iterator<Item = &Integration> {
        self.touching(s)
            .map(|(_, e)| e)
            .filter(move |e| e.to == s || e.both_ways)
    }

    pub fn outbound(&self, s: usize) -> impl Iterator<Item = &Integration> {
        self.touching(s)
            .map(|(_, e)| e)
            .filter(move |e| e.from == s || e.both_ways)
    }

    /// Every integration touching `s`, with its index, in order.
    pub fn touching(&self, s: usize) -> impl Iterator<Item = (usize, &Integration)> {
        self.by_system
            .get(s)
            .into_iter()
            .flatten()
            .map(|&i| (i, &self.integrations[i]))
    }

    /// How many integrations touch `s`.
    pub fn degree(&self, s: usize) -> usize {
        self.by_system.get(s).map_or(0, Vec::len)
    }

    /// The integrations from `from` to `to`, by binary search: they are
    /// sorted by (from, to).
    pub fn between(&self, from: usize, to: usize) -> std::ops::Range<usize> {
        let start = self
            .integrations
            .partition_point(|e| (e.from, e.to) < (from, to));
        let end = self
            .integrations
            .partition_point(|e| (e.from, e.to) <= (from, to));
        start..end
    }

    pub fn impact(&self, s: usize, depth: usize) -> Impact {
        impact::impact(self, s, depth)
    }
}

/// A document's status, lowercased: `status`, else `**Review Status**`.
fn doc_status(doc: &crate::content::Doc) -> Option<String> {
    doc.text_field("status")
        .or_else(|| doc.text_field("review_status"))
        .filter(|s| !looks_like_placeholder(s))
        .map(|s| s.to_lowercase().replace('_', " "))
}

/// Lower is less settled: an integration is as settled as its least
/// settled document.
fn status_rank(status: &str) -> u8 {
    match status {
        "deprecated" | "retired" => 0,
        "draft" => 1,
        "review" | "under review" | "in review" => 2,
        "approved" | "active" | "live" | "production" => 4,
        _ => 3,
    }
}

#[cfg(test)]
mod tests;
