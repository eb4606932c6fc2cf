//! The site held in memory between edits. A full rebuild runs the same
//! pipeline as `build`; an edit to documents re-parses only those, relinks
//! the catalog and re-renders only the pages whose output can change. What
//! other pages show of the edited documents (summary, fields, notes, links
//! in and out) is compared before and after: a prose edit re-renders the
//! document's own page alone; a new link adds its old and new neighbours
//! and the feeds; a new title, also every list it appears in (home, tags,
//! agents, indexes). Tests compare the result with a fresh full build byte
//! for byte.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::catalog::{agents_of, tags_of, Catalog, EdgeKind};
use crate::config::Config;
use crate::content;
use crate::diagnostics::{count, Diagnostic, Severity};
use crate::landscape::Landscape;
use crate::render::diagrams::Missing;
use crate::render::footprint::{nav_input, Footprint};
use crate::render::markdown::LinkContext;
use crate::render::pages::{Memory, Reuse};
use crate::render::renderer::{assets_of, referenced_assets, MemorySink, Page, Renderer};
use crate::render::theme::Theme;
use crate::validate;
use crate::{check_with, CheckOptions, CheckResult, RunError};

pub struct Session {
    root: PathBuf,
    base_url: Option<String>,
    checked: CheckResult,
    theme: Theme,
    routes: Vec<String>,
    /// Page data of the last render, for the next incremental one.
    memory: Option<Memory>,
    /// Every served file, by path relative to the site root.
    pub files: MemorySink,
    /// Rebuild the search index as part of each rebuild. `serve` turns this
    /// off and indexes in the background instead, so a reload never waits
    /// for Pagefind.
    pub search_sync: bool,
    /// Why the last full rebuild (site.toml, theme) failed, until one
    /// succeeds: edits to documents go on with the last good configuration,
    /// and the overlay keeps saying what is wrong.
    config_error: Option<String>,
    /// What becomes of diagrams the cache lacks: `serve` leaves them
    /// pending and renders them in the background (`settle_diagrams`), so
    /// the preview answers at once.
    missing_diagrams: Missing,
}

#[derive(Debug, Clone)]
pub struct Rebuild {
    pub pages: usize,
    pub elapsed: Duration,
    pub errors: usize,
    pub warnings: usize,
    pub full: bool,
}

/// The pages beyond its own that show something of a document: its
/// neighbours in the link graph, its tags and its agents.
#[derive(Default)]
struct Neighbourhood {
    docs: BTreeSet<String>,
    tags: BTreeSet<String>,
    agents: BTreeSet<String>,
}

impl Neighbourhood {
    fn add(&mut self, catalog: &Catalog, doc: usize) {
        for (to, _) in catalog.related_of(doc) {
            self.docs.insert(catalog.docs[to].content_path.clone());
        }
        for from in catalog.referenced_by(doc) {
            self.docs.insert(catalog.docs[from].content_path.clone());
        }
        let d = &catalog.docs[doc];
        self.tags.extend(tags_of(d).map(str::to_owned));
        self.agents.extend(agents_of(d).map(str::to_owned));
    }
}

/// Each document's edges: outgoing in the order written (the "Related"
/// list keeps it), incoming sorted (pages sort them by title). Compared
/// whole before and after an edit, so a page whose relations an edit
/// elsewhere changed (an `id` that now wins over a path, a new `guide.md`
/// beside `guide/index.md`) is re-rendered, whoever its neighbours were.
/// By index when the documents kept their places (an edit of text: no
/// path of 10,000 documents is copied twice per save), else by path.
enum Graph {
    Indexes(Vec<Edges<usize>>),
    Paths(HashMap<String, Edges<String>>),
}

type Edges<T> = (Vec<(T, EdgeKind)>, Vec<(T, EdgeKind)>);

impl Graph {
    fn of(catalog: &Catalog, same_docs: bool) -> Graph {
        if same_docs {
            Graph::Indexes(
                (0..catalog.docs.len())
                    .map(|i| edges_of(catalog, i, |j| j))
                    .collect(),
            )
        } else {
            let path = |j: usize| catalog.docs[j].content_path.clone();
            Graph::Paths(
                catalog
                    .docs
                    .iter()
                    .enumerate()
                    .map(|(i, doc)| (doc.content_path.clone(), edges_of(catalog, i, path)))
                    .collect(),
            )
        }
    }

    /// Whether document `j` (at `path`) has other edges in `self` than in
    /// `before`.
    fn moved(&self, before: &Graph, j: usize, path: &str) -> bool {
        match (before, self) {
            (Graph::Indexes(old), Graph::Indexes(new)) => old.get(j) != new.get(j),
            (Graph::Paths(old), Graph::Paths(new)) => old.get(path) != new.get(path),
            _ => true,
        }
    }
}

fn edges_of<T: Ord>(catalog: &Catalog, i: usize, name: impl Fn(usize) -> T) -> Edges<T> {
    let outgoing = catalog.outgoing[i]
        .iter()
        .map(|&e| (name(catalog.edges[e].to), catalog.edges[e].kind))
        .collect();
    let mut incoming: Vec<_> = catalog.incoming[i]
        .iter()
        .map(|&e| (name(catalog.edges[e].from), catalog.edges[e].kind))
        .collect();
    incoming.sort();
    (outgoing, incoming)
}

/// Every document's links as its page writes them (the URL each link is
/// rewritten to). They depend on which documents exist, so they are
/// compared whenever documents were added or removed.
fn rewrites_of(links: &LinkContext<'_>) -> HashMap<String, Vec<Option<String>>> {
    links
        .catalog
        .docs
        .iter()
        .enumerate()
        .map(|(i, doc)| {
            let urls = doc
                .links
                .iter()
                .map(|l| links.rewrite(i, &l.dest))
                .collect();
            (doc.content_path.clone(), urls)
        })
        .collect()
}

/// What kinds of pages an edit can change, from the footprints of the edited
/// documents before and after.
#[derive(Clone, Copy)]
struct Dirty {
    /// Title, description, status, tags, agents...: every list of documents
    /// (home, tags, agents), the indexes, neighbours' related lists, feeds.
    listed: bool,
    /// Frontmatter fields: the systems map and catalog.json.
    fields: bool,
    /// Agent notes: the agents' pages.
    notes: bool,
    /// Links in and out: the neighbours' pages and catalog.json.
    links: bool,
}

impl Dirty {
    const NONE: Dirty = Dirty {
        listed: false,
        fields: false,
        notes: false,
        links: false,
    };
    const ALL: Dirty = Dirty {
        listed: true,
        fields: true,
        notes: true,
        links: true,
    };

    fn between(before: Option<&Footprint>, after: &Footprint) -> Dirty {
        let Some(before) = before else {
            return Dirty::ALL;
        };
        Dirty {
            listed: before.summary != after.summary,
            fields: before.fields != after.fields,
            notes: before.notes != after.notes,
            links: before.outgoing != after.outgoing || before.incoming != after.incoming,
        }
    }

    fn or(self, other: Dirty) -> Dirty {
        Dirty {
            listed: self.listed || other.listed,
            fields: self.fields || other.fields,
            notes: self.notes || other.notes,
            links: self.links || other.links,
        }
    }
}

impl Session {
    /// Builds the whole site in memory. `base_url` overrides site.toml's
    /// (the preview is served from its own root).
    pub fn new(root: &Path, base_url: Option<String>) -> Result<Session, RunError> {
        Self::with_search(root, base_url, true)
    }

    /// As `new`; with `search_sync` false the search index is left to the
    /// caller (`serve` builds it in the background).
    pub fn with_search(
        root: &Path,
        base_url: Option<String>,
        search_sync: bool,
    ) -> Result<Session, RunError> {
        Self::start(root, base_url, search_sync, Missing::Render)
    }

    /// As `serve` holds the site: the search index and the diagrams the
    /// cache lacks are left to the caller, who builds them in the
    /// background (`search_input`, `pending_diagrams`).
    pub fn for_serve(root: &Path, base_url: Option<String>) -> Result<Session, RunError> {
        Self::start(root, base_url, false, Missing::Defer)
    }

    fn start(
        root: &Path,
        base_url: Option<String>,
        search_sync: bool,
        missing_diagrams: Missing,
    ) -> Result<Session, RunError> {
        let (checked, theme) = Self::load(root, base_url.as_deref(), missing_diagrams)?;
        let routes = crate::urls::routes(&checked.catalog);
        let mut session = Session {
            root: root.to_path_buf(),
            base_url,
            checked,
            theme,
            routes,
            memory: None,
            files: MemorySink::default(),
            search_sync,
            config_error: None,
            missing_diagrams,
        };
        session.render_all()?;
        Ok(session)
    }

    fn load(
        root: &Path,
        base_url: Option<&str>,
        missing_diagrams: Missing,
    ) -> Result<(CheckResult, Theme), RunError> {
        let mut config = Config::load(root)?;
        if let Some(url) = base_url {
            config.base_url = url.to_owned();
        }
        let theme = Theme::load(root, &config)?;
        let options = CheckOptions {
            missing_diagrams,
            ..CheckOptions::default()
        };
        let checked = check_with(root, config, options)?;
        Ok((checked, theme))
    }

    /// The diagrams left for the background to render.
    pub fn pending_diagrams(&self) -> Vec<String> {
        self.checked.diagrams.pending()
    }

    /// Takes in diagrams the background rendered (`render_pending`): the
    /// check runs again over the site as it stands (a broken diagram is an
    /// error at its fence) and every page is rendered again, so the site
    /// is what a build with these diagrams in its cache writes.
    pub fn settle_diagrams(
        &mut self,
        outcomes: Vec<(String, crate::render::diagrams::Outcome)>,
    ) -> Result<Rebuild, RunError> {
        let started = Instant::now();
        self.checked.diagrams.settle(outcomes);
        let old_landscape = std::mem::take(&mut self.checked.landscape);
        crate::recheck::recheck(
            &self.root,
            &mut self.checked,
            &crate::recheck::Edit {
                changed: &BTreeSet::new(),
                same_docs: true,
                old_landscape: &old_landscape,
            },
            true,
        );
        let pages = self.render_all()?;
        Ok(self.report(pages, started, true))
    }

    pub fn config(&self) -> &Config {
        &self.checked.config
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn content_dir(&self) -> &Path {
        &self.checked.catalog.content_dir
    }

    /// The failure of the last full rebuild, while it stands.
    pub fn config_error(&self) -> Option<&str> {
        self.config_error.as_deref()
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.checked.diagnostics
    }

    fn report(&self, pages: usize, started: Instant, full: bool) -> Rebuild {
        Rebuild {
            pages,
            elapsed: started.elapsed(),
            errors: count(&self.checked.diagnostics, Severity::Error),
            warnings: count(&self.checked.diagnostics, Severity::Warning),
            full,
        }
    }

    fn render_all(&mut self) -> Result<usize, RunError> {
        self.memory = None;
        let base_path = self.checked.config.base_path();
        let renderer = Renderer::new(&self.checked, &self.theme, &self.routes, &base_path);
        let fresh = MemorySink::default();
        let pages = renderer.render(&renderer.all_pages(), &fresh)?;
        self.memory = Some(renderer.into_memory(None));
        self.files = fresh;
        if self.search_sync {
            self.refresh_search()?;
        }
        Ok(pages)
    }

    /// `(path, HTML)` of every document and spec page as served now.
    pub fn search_input(&self) -> crate::render::search::IndexedPages {
        let files = self.files.snapshot();
        let specs = self.checked.specs.specs.iter().map(|s| &s.route);
        self.routes
            .iter()
            .chain(specs)
            .filter_map(|route| {
                let path = format!("{route}index.html");
                let html = files.get(&path)?;
                Some((path, std::sync::Arc::clone(html)))
            })
            .collect()
    }

    /// Replaces `pagefind/` with a freshly built index.
    pub fn apply_search(&mut self, index: Vec<(String, Vec<u8>)>) {
        if let Ok(mut files) = self.files.0.lock() {
            files.retain(|path, _| !path.starts_with("pagefind/"));
            for (path, bytes) in index {
                files.insert(path, std::sync::Arc::new(bytes));
            }
        }
    }

    fn refresh_search(&mut self) -> Result<(), RunError> {
        let cache = crate::render::diagrams::cache_root(&self.root);
        let index = crate::render::search::build_index(self.search_input(), Some(&cache))?;
        self.apply_search(index);
        Ok(())
    }

    /// Reloads configuration, theme and every document. On error the
    /// previous site stays in place.
    pub fn rebuild_all(&mut self) -> Result<Rebuild, RunError> {
        let started = Instant::now();
        let (checked, theme) =
            match Self::load(&self.root, self.base_url.as_deref(), self.missing_diagrams) {
                Ok(loaded) => loaded,
                Err(e) => {
                    self.config_error = Some(e.0.clone());
                    return Err(e);
                }
            };
        self.config_error = None;
        self.checked = checked;
        self.theme = theme;
        self.routes = crate::urls::routes(&self.checked.catalog);
        let pages = self.render_all()?;
        Ok(self.report(pages, started, true))
    }

    /// Re-reads the given markdown files (changed, created or deleted) and
    /// re-renders what they affect.
    pub fn update_docs(&mut self, paths: &[PathBuf]) -> Result<Rebuild, RunError> {
        let started = Instant::now();
        let timer = crate::timings::Timer::start();
        let changed = crate::recheck::changed_docs(&self.checked, paths);
        if changed.is_empty() {
            return Ok(self.report(0, started, false));
        }
        let Some(mut memory) = self.memory.take() else {
            // The last render failed: nothing to build on.
            return self.rebuild_all();
        };
        let content_dir = self.checked.catalog.content_dir.clone();
        let exists_now = |path: &String| content::admitted_document(&content_dir, path);
        // Edits only: documents keep their indexes, routes and summaries.
        let same_docs = changed
            .iter()
            .all(|p| self.checked.catalog.by_path.contains_key(p) == exists_now(p));

        let old = &self.checked.catalog;
        let mut touched = Neighbourhood::default();
        let mut before = BTreeMap::new();
        let mut nav_before = BTreeMap::new();
        let mut old_assets = BTreeSet::new();
        for path in &changed {
            if let Some(&i) = old.by_path.get(path) {
                touched.add(old, i);
                before.insert(path.clone(), Footprint::of(old, &memory.summaries, i));
                nav_before.insert(path.clone(), nav_input(&old.docs[i]));
                old_assets.extend(assets_of(&self.checked, &old.docs[i]).cloned());
            }
        }
        let old_graph = Graph::of(old, same_docs);
        let base_path = self.checked.config.base_path();
        let old_rewrites = (!same_docs).then(|| {
            rewrites_of(&LinkContext {
                catalog: old,
                routes: &self.routes,
                base_path: &base_path,
                assets: &old.assets,
                diagrams: &self.checked.diagrams,
            })
        });
        let old_routes: Option<BTreeMap<String, String>> = (!same_docs).then(|| {
            old.docs
                .iter()
                .zip(&self.routes)
                .map(|(d, r)| (d.content_path.clone(), r.clone()))
                .collect()
        });

        let old_specs = specs_view(&self.checked);
        let old_index = self.checked.specs.index_route.clone();
        let old_landscape = std::mem::take(&mut self.checked.landscape);
        // With documents added or removed, indexes move: compare by path.
        let old_doc_systems =
            (!same_docs).then(|| doc_systems(&self.checked.catalog, &old_landscape));

        crate::recheck::recheck(
            &self.root,
            &mut self.checked,
            &crate::recheck::Edit {
                changed: &changed,
                same_docs,
                old_landscape: &old_landscape,
            },
            true,
        );
        timer.lap("serve: reload, relink, validate");
        let landscape_changed = !same_docs || !old_landscape.shows_same(&self.checked.landscape);

        let new = &self.checked.catalog;
        let new_routes = match &old_routes {
            Some(_) => crate::urls::routes(new),
            None => std::mem::take(&mut self.routes),
        };
        // A route or a tag/agent URL of an untouched page moved: everything
        // may link to it, so render everything. So does a new day, which
        // moves stale badges.
        let routes_moved = old_routes.as_ref().is_some_and(|old_routes| {
            new.docs
                .iter()
                .zip(&new_routes)
                .any(|(d, r)| old_routes.get(&d.content_path).is_some_and(|old| old != r))
        });
        self.routes = new_routes;
        // Which specs have pages, and where, moved: rare enough (a first or
        // last reference) to render everything.
        let new_specs = specs_view(&self.checked);
        let specs_moved = old_specs
            .iter()
            .map(|s| (&s.0, &s.1))
            .ne(new_specs.iter().map(|s| (&s.0, &s.1)))
            || old_index != self.checked.specs.index_route;
        if routes_moved || specs_moved || validate::today() != memory.today {
            let pages = self.render_all()?;
            return Ok(self.report(pages, started, true));
        }

        let changed_indexes: Vec<usize> = changed
            .iter()
            .filter_map(|p| new.by_path.get(p).copied())
            .collect();
        // Documents nobody edited whose systems were renamed or moved by
        // the edit: their summaries (and pages) show system links.
        let new_landscape = &self.checked.landscape;
        let unedited = |j: &usize| !changed.contains(&new.docs[*j].content_path);
        let resystemed: Vec<usize> = match old_doc_systems {
            // The same documents and systems (a prose edit): compare the
            // indexes, no map of every document's links (10,000 of them).
            None if old_landscape.systems == new_landscape.systems => (0..new.docs.len())
                .filter(unedited)
                .filter(|&j| old_landscape.doc_systems[j] != new_landscape.doc_systems[j])
                .collect(),
            old_map => {
                // Same documents, same paths: the old links by the new paths.
                let old_map = old_map.unwrap_or_else(|| doc_systems(new, &old_landscape));
                let new_map = doc_systems(new, new_landscape);
                (0..new.docs.len())
                    .filter(unedited)
                    .filter(|&j| {
                        let path = &new.docs[j].content_path;
                        old_map.get(path) != new_map.get(path)
                    })
                    .collect()
            }
        };
        let reuse = same_docs.then(|| Reuse {
            summaries: std::mem::take(&mut memory.summaries),
            changed: changed_indexes.iter().chain(&resystemed).copied().collect(),
        });
        let renderer =
            Renderer::reusing(&self.checked, &self.theme, &self.routes, &base_path, reuse);
        if renderer.site.terms != memory.terms {
            drop(renderer);
            let pages = self.render_all()?;
            return Ok(self.report(pages, started, true));
        }
        let mut dirty = if same_docs { Dirty::NONE } else { Dirty::ALL };
        let mut new_assets = BTreeSet::new();
        // Whether navigation (folders, breadcrumbs, pager, listings, the
        // sidebar) can have moved: it shows documents' titles, URLs,
        // descriptions and order, nothing else of them.
        let mut nav_moved = !same_docs;
        for path in &changed {
            if let Some(&i) = new.by_path.get(path) {
                touched.add(new, i);
                nav_moved |= nav_before.get(path) != Some(&nav_input(&new.docs[i]));
                let after = Footprint::of(new, &renderer.site.summaries, i);
                dirty = dirty.or(Dirty::between(before.get(path), &after));
                new_assets.extend(assets_of(&self.checked, &new.docs[i]).cloned());
            }
        }

        // Pages whose relations or written links changed, wherever the edit
        // was: found by comparing the whole graph, not the edited
        // documents' neighbours.
        let new_graph = Graph::of(new, same_docs);
        let new_rewrites = old_rewrites
            .as_ref()
            .map(|_| rewrites_of(&renderer.site.links));
        let mut rewired: Vec<usize> = Vec::new();
        for (j, doc) in new.docs.iter().enumerate() {
            let path = &doc.content_path;
            let graph_moved = new_graph.moved(&old_graph, j, path);
            let links_moved = match (&old_rewrites, &new_rewrites) {
                (Some(old), Some(new)) => old.get(path) != new.get(path),
                _ => false,
            };
            if (graph_moved || links_moved) && !changed.contains(path) {
                rewired.push(j);
            }
        }
        if !rewired.is_empty() {
            dirty.links = true;
        }

        let mut stale = stale_files(&changed, old_routes.as_ref(), &touched, &renderer, &memory);
        for system in &old_landscape.systems {
            if self.checked.landscape.find_id(&system.id).is_none() {
                stale.push(format!("systems/{}/index.html", system.id));
            }
        }
        if let Ok(mut files) = self.files.0.lock() {
            for f in &stale {
                files.remove(f);
            }
        }

        let mut pages: Vec<Page> = changed_indexes.iter().map(|&i| Page::Doc(i)).collect();
        pages.extend(rewired.iter().map(|&j| Page::Doc(j)));
        if dirty.listed || dirty.links {
            pages.extend(
                touched
                    .docs
                    .iter()
                    .filter(|p| !changed.contains(*p))
                    .filter_map(|p| new.by_path.get(p).map(|&i| Page::Doc(i))),
            );
        }
        // Tag and agent lists come in pages: those rendered again write
        // every page they have now, so the pages they had go first.
        let mut repaged: Vec<String> = Vec::new();
        if dirty.listed {
            repaged.extend(
                touched
                    .tags
                    .iter()
                    .map(|t| format!("tags/{}/page/", terms_slug(&memory.terms.tags, t))),
            );
            pages.extend(touched.tags.into_iter().map(Page::Tag));
            pages.extend([Page::Home, Page::TagsIndex, Page::AgentsIndex]);
        }
        // A context pack quotes its documents whole: any edit to one shows.
        pages.extend(touched.agents.iter().cloned().map(Page::AgentContext));
        if dirty.listed || dirty.notes {
            repaged.extend(
                touched
                    .agents
                    .iter()
                    .map(|a| format!("agents/{}/page/", terms_slug(&memory.terms.agents, a))),
            );
            pages.extend(touched.agents.into_iter().map(Page::Agent));
        }
        if !repaged.is_empty() {
            if let Ok(mut files) = self.files.0.lock() {
                files.retain(|path, _| !repaged.iter().any(|dir| path.starts_with(dir.as_str())));
            }
        }
        pages.extend(resystemed.iter().map(|&j| Page::Doc(j)));
        if !resystemed.is_empty() {
            pages.push(Page::Home);
        }
        // The landscape pages list documents by title, status and agents.
        if landscape_changed {
            pages.extend([Page::Systems, Page::Home, Page::Feeds]);
            let new_landscape = &self.checked.landscape;
            for (s, system) in new_landscape.systems.iter().enumerate() {
                let same = old_landscape
                    .find_id(&system.id)
                    .is_some_and(|o| old_landscape.page_view(o) == new_landscape.page_view(s));
                if !same {
                    pages.push(Page::System(system.id.clone()));
                }
            }
        }
        if dirty.listed || dirty.fields {
            pages.push(Page::Systems);
            let landscape = &self.checked.landscape;
            for (s, system) in landscape.systems.iter().enumerate() {
                if changed_indexes
                    .iter()
                    .any(|d| landscape.mentions[s].binary_search(d).is_ok())
                {
                    pages.push(Page::System(system.id.clone()));
                }
            }
        }
        if dirty.listed || dirty.fields || dirty.links {
            pages.push(Page::Feeds);
        }
        // A spec's page lists the documents referencing it, by title.
        let references_spec = changed_indexes
            .iter()
            .any(|&i| !self.checked.specs.doc_specs[i].is_empty())
            || before
                .keys()
                .any(|p| old_specs.iter().any(|s| s.2.contains(p)));
        if old_specs != new_specs || (dirty.listed && references_spec) {
            pages.extend((0..self.checked.specs.specs.len()).map(Page::Spec));
            if self.checked.specs.index_route.is_some() {
                pages.push(Page::SpecsIndex);
            }
            pages.push(Page::Feeds);
        }
        // Linked content files are copied by the static page; one nobody
        // links to any more is no longer published.
        if new_assets != old_assets {
            pages.push(Page::Static);
            let published: BTreeSet<&String> =
                referenced_assets(&self.checked).into_iter().collect();
            if let Ok(mut files) = self.files.0.lock() {
                files.retain(|path, _| {
                    !self.checked.catalog.assets.contains(path) || published.contains(path)
                });
            }
        }
        // Navigation shows neighbours' titles and folders' contents: pages
        // whose breadcrumbs, pager or listing moved, folder pages that
        // came, changed or went, and the sidebar.
        // A prose edit (the usual save) moves none of it: the last views
        // stand, and 10,000 documents' navigation is not worked out again.
        nav_moved |= dirty.listed;
        let nav = if nav_moved {
            let nav = crate::render::nav::NavViews::of(&renderer.site);
            for (j, doc) in new.docs.iter().enumerate() {
                if memory.nav.docs.get(&doc.content_path) != nav.docs.get(&doc.content_path) {
                    pages.push(Page::Doc(j));
                }
            }
            for (path, view) in &nav.folders {
                if memory.nav.folders.get(path) != Some(view) {
                    pages.push(Page::Folder(path.clone()));
                }
            }
            let gone: Vec<&String> = memory
                .nav
                .folders
                .iter()
                .filter(|(path, (file, _))| {
                    nav.folders.get(*path).is_none_or(|(now, _)| now != file)
                })
                .map(|(_, (file, _))| file)
                .collect();
            if let Ok(mut files) = self.files.0.lock() {
                for file in gone {
                    // A document that now fronts the folder owns the file.
                    let fronted = new
                        .docs
                        .iter()
                        .zip(&self.routes)
                        .any(|(_, r)| format!("{r}index.html") == *file);
                    if !fronted {
                        files.remove(file);
                    }
                }
            }
            if memory.nav.sidebar != nav.sidebar {
                // The home page links the top folders, which the sidebar lists.
                pages.extend([Page::Sidebar, Page::Home]);
            }
            nav
        } else {
            std::mem::take(&mut memory.nav)
        };
        timer.lap("serve: page data");
        pages.sort();
        pages.dedup();
        let rendered = renderer.render(&pages, &self.files)?;
        self.memory = Some(renderer.into_memory(Some(nav)));
        timer.lap("serve: render");
        if self.search_sync {
            self.refresh_search()?;
        }
        Ok(self.report(rendered, started, false))
    }
}

/// Per document (by content path), the systems its page links to.
/// Each spec's file, page and referencing documents, by path.
fn specs_view(checked: &CheckResult) -> Vec<(String, String, Vec<String>)> {
    checked
        .specs
        .specs
        .iter()
        .map(|s| {
            let docs = s
                .documents
                .iter()
                .map(|&d| checked.catalog.docs[d].content_path.clone())
                .collect();
            (s.content_path.clone(), s.route.clone(), docs)
        })
        .collect()
}

fn doc_systems(catalog: &Catalog, landscape: &Landscape) -> HashMap<String, Vec<(String, String)>> {
    catalog
        .docs
        .iter()
        .zip(&landscape.doc_systems)
        .map(|(doc, systems)| {
            let links = systems
                .iter()
                .map(|&s| {
                    let system = &landscape.systems[s];
                    (system.id.clone(), system.name.clone())
                })
                .collect();
            (doc.content_path.clone(), links)
        })
        .collect()
}

/// Files of pages that an edit made disappear: deleted documents, and tags
/// and agents no document names any more.
/// A tag's or agent's URL segment as the last render wrote it.
fn terms_slug<'t>(slugs: &'t BTreeMap<String, String>, name: &'t str) -> &'t str {
    slugs.get(name).map_or(name, String::as_str)
}

fn stale_files(
    changed: &BTreeSet<String>,
    old_routes: Option<&BTreeMap<String, String>>,
    touched: &Neighbourhood,
    renderer: &Renderer<'_>,
    memory: &Memory,
) -> Vec<String> {
    let mut stale = Vec::new();
    for path in changed {
        if !renderer.site.catalog.by_path.contains_key(path) {
            if let Some(route) = old_routes.and_then(|r| r.get(path)) {
                stale.push(format!("{route}index.html"));
                stale.push(format!("{route}index.html.md"));
            }
        }
    }
    for tag in &touched.tags {
        if !renderer.site.tags.contains_key(tag) {
            if let Some(slug) = memory.terms.tags.get(tag) {
                stale.push(format!("tags/{slug}/index.html"));
            }
        }
    }
    for agent in &touched.agents {
        if !renderer.site.agents.contains_key(agent) {
            if let Some(slug) = memory.terms.agents.get(agent) {
                stale.push(format!("agents/{slug}/index.html"));
                stale.push(format!("agents/{slug}/context.md"));
            }
        }
    }
    stale
}
