//! The site held in memory between edits. A full rebuild runs the same
//! pipeline as `build`; an edit to documents re-parses only those, relinks
//! the catalog and re-renders only the pages whose output can change (the
//! documents, their old and new neighbours, their tags and agents, the home
//! page, indexes, systems map and feeds). Tests compare the result with a
//! fresh full build byte for byte.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::catalog::Catalog;
use crate::config::Config;
use crate::content::{self, Doc};
use crate::diagnostics::{count, Diagnostic, Severity};
use crate::render::renderer::{referenced_assets, MemorySink, Page, Renderer};
use crate::render::theme::Theme;
use crate::validate::{self, Ctx};
use crate::{all_diagnostics, check_with, render_diagrams, CheckOptions, CheckResult, RunError};

pub struct Session {
    root: PathBuf,
    base_url: Option<String>,
    checked: CheckResult,
    theme: Theme,
    routes: Vec<String>,
    /// Every served file, by path relative to the site root.
    pub files: MemorySink,
    /// Rebuild the search index as part of each rebuild. `serve` turns this
    /// off and indexes in the background instead, so a reload never waits
    /// for Pagefind.
    pub search_sync: bool,
}

#[derive(Debug, Clone)]
pub struct Rebuild {
    pub pages: usize,
    pub elapsed: Duration,
    pub errors: usize,
    pub warnings: usize,
    pub full: bool,
}

/// Everything a page shows about its neighbourhood, to find what an edit
/// can change.
fn neighbourhood(
    catalog: &Catalog,
    config: &Config,
    doc: usize,
) -> (BTreeSet<String>, BTreeSet<String>, BTreeSet<String>) {
    let mut docs = BTreeSet::new();
    for (to, _) in catalog.related_of(doc) {
        docs.insert(catalog.docs[to].content_path.clone());
    }
    for from in catalog.referenced_by(doc) {
        docs.insert(catalog.docs[from].content_path.clone());
    }
    let tags = catalog
        .tags()
        .into_iter()
        .filter(|(_, d)| d.contains(&doc))
        .map(|(t, _)| t)
        .collect();
    let agents = catalog
        .agents(config)
        .into_iter()
        .filter(|(_, d)| d.contains(&doc))
        .map(|(a, _)| a)
        .collect();
    (docs, tags, agents)
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
        let (checked, theme) = Self::load(root, base_url.as_deref())?;
        let routes = crate::urls::routes(&checked.catalog);
        let mut session = Session {
            root: root.to_path_buf(),
            base_url,
            checked,
            theme,
            routes,
            files: MemorySink::default(),
            search_sync,
        };
        session.render_all()?;
        Ok(session)
    }

    fn load(root: &Path, base_url: Option<&str>) -> Result<(CheckResult, Theme), RunError> {
        let mut config = Config::load(root)?;
        if let Some(url) = base_url {
            config.base_url = url.to_owned();
        }
        let theme = Theme::load(root, &config)?;
        let checked = check_with(root, config, CheckOptions::default())?;
        Ok((checked, theme))
    }

    pub fn config(&self) -> &Config {
        &self.checked.config
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn content_dir(&self) -> &Path {
        &self.checked.content_dir
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
        let base_path = self.checked.config.base_path();
        let renderer = Renderer::new(&self.checked, &self.theme, &self.routes, &base_path);
        let fresh = MemorySink::default();
        let pages = renderer.render(&renderer.all_pages(), &fresh)?;
        drop(renderer);
        self.files = fresh;
        if self.search_sync {
            self.refresh_search()?;
        }
        Ok(pages)
    }

    /// `(path, HTML)` of every document page as served now.
    pub fn search_input(&self) -> crate::render::search::IndexedPages {
        let files = self.files.snapshot();
        self.routes
            .iter()
            .filter_map(|route| {
                let path = format!("{route}index.html");
                let html = files.get(&path)?;
                Some((path, String::from_utf8_lossy(html).into_owned()))
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
        let index = crate::render::search::build_index(self.search_input())?;
        self.apply_search(index);
        Ok(())
    }

    /// Reloads configuration, theme and every document. On error the
    /// previous site stays in place.
    pub fn rebuild_all(&mut self) -> Result<Rebuild, RunError> {
        let started = Instant::now();
        let (checked, theme) = Self::load(&self.root, self.base_url.as_deref())?;
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
        let content_dir = self.checked.content_dir.clone();
        let config = self.checked.config.clone();
        // Watchers report canonical paths; the session may hold relative ones.
        let canonical_content = content_dir.canonicalize().unwrap_or(content_dir.clone());
        let changed: BTreeSet<String> = paths
            .iter()
            .filter_map(|p| {
                p.strip_prefix(&canonical_content)
                    .or_else(|_| p.strip_prefix(&content_dir))
                    .ok()
            })
            .map(|p| content::relative_slash_path(Path::new(""), p))
            .collect();
        // Editors and file systems often report one save as several events:
        // a file whose text is what the session already has is no change.
        let changed: BTreeSet<String> = changed
            .into_iter()
            .filter(|path| {
                let on_disk = std::fs::read(content_dir.join(path)).ok();
                let current = self
                    .checked
                    .catalog
                    .by_path
                    .get(path)
                    .map(|&i| &self.checked.catalog.docs[i]);
                match (on_disk, current) {
                    (Some(bytes), Some(doc)) => content::source::decode(&bytes).text != doc.text,
                    (None, None) => false,
                    _ => true,
                }
            })
            .collect();
        if changed.is_empty() {
            return Ok(self.report(0, started, false));
        }

        let old_assets: Vec<String> = referenced_assets(&self.checked)
            .into_iter()
            .cloned()
            .collect();
        // What the changed documents showed before the edit.
        let old = &self.checked.catalog;
        let mut touched_docs: BTreeSet<String> = changed.clone();
        let mut touched_tags = BTreeSet::new();
        let mut touched_agents = BTreeSet::new();
        for path in &changed {
            if let Some(&i) = old.by_path.get(path) {
                let (d, t, a) = neighbourhood(old, &config, i);
                touched_docs.extend(d);
                touched_tags.extend(t);
                touched_agents.extend(a);
            }
        }
        let old_route_of: BTreeMap<String, String> = old
            .docs
            .iter()
            .zip(&self.routes)
            .map(|(d, r)| (d.content_path.clone(), r.clone()))
            .collect();
        // Tag and agent URLs as they were, without building page data.
        let old_terms = {
            let t = crate::render::pages::Terms::for_catalog(old, &config);
            (t.tags, t.agents)
        };

        // Re-read the changed files; keep the order a full load uses.
        let catalog = std::mem::replace(&mut self.checked.catalog, Catalog::link(Vec::new()));
        let mut entries: Vec<(Doc, Vec<Diagnostic>)> = catalog
            .docs
            .into_iter()
            .zip(std::mem::take(&mut self.checked.doc_diagnostics))
            .filter(|(d, _)| !changed.contains(&d.content_path))
            .collect();
        let mut fresh = Vec::new();
        for path in &changed {
            let full = content_dir.join(path);
            if full.is_file() && !is_hidden(path) {
                fresh.push(content::load_one(&self.root, &content_dir, &full));
            }
        }
        entries.extend(fresh.into_iter().map(|d| (d, Vec::new())));
        entries.sort_by(|a, b| Path::new(&a.0.source_path).cmp(Path::new(&b.0.source_path)));
        let (docs, mut per_doc): (Vec<Doc>, Vec<Vec<Diagnostic>>) = entries.into_iter().unzip();
        let catalog = Catalog::link(docs);
        let today = validate::today();
        let ctx = Ctx {
            catalog: &catalog,
            config: &config,
            today,
        };
        for (i, doc) in catalog.docs.iter().enumerate() {
            if changed.contains(&doc.content_path) {
                per_doc[i] = validate::doc_diagnostics(&ctx, doc);
            }
        }
        let mut site = validate::cross_doc_diagnostics(&ctx);
        let (diagrams, diagram_diagnostics) = render_diagrams(
            &self.root,
            &config,
            &catalog,
            Some(&self.checked.diagrams),
            false,
        );
        site.extend(diagram_diagnostics);
        self.checked.diagnostics = all_diagnostics(&per_doc, &site);
        self.checked.doc_diagnostics = per_doc;
        self.checked.site_diagnostics = site;
        self.checked.diagrams = diagrams;
        self.checked.catalog = catalog;
        let new_routes = crate::urls::routes(&self.checked.catalog);
        timer.lap("serve: reload, relink, validate");

        // What the changed documents show now.
        let new = &self.checked.catalog;
        for path in &changed {
            if let Some(&i) = new.by_path.get(path) {
                let (d, t, a) = neighbourhood(new, &config, i);
                touched_docs.extend(d);
                touched_tags.extend(t);
                touched_agents.extend(a);
            }
        }
        // A route or a tag/agent URL of an untouched page moved: everything
        // may link to it, so render everything.
        let routes_moved = new.docs.iter().zip(&new_routes).any(|(d, r)| {
            old_route_of
                .get(&d.content_path)
                .is_some_and(|old| old != r)
        });
        self.routes = new_routes;
        let base_path = self.checked.config.base_path();
        let renderer = Renderer::new(&self.checked, &self.theme, &self.routes, &base_path);
        let terms_moved = old_terms
            .0
            .iter()
            .any(|(t, s)| renderer.site.terms.tags.get(t).is_some_and(|n| n != s))
            || old_terms
                .1
                .iter()
                .any(|(a, s)| renderer.site.terms.agents.get(a).is_some_and(|n| n != s));
        if routes_moved || terms_moved {
            drop(renderer);
            let pages = self.render_all()?;
            return Ok(self.report(pages, started, true));
        }

        // Files of pages that no longer exist.
        let mut stale_files = Vec::new();
        for path in &changed {
            if !new.by_path.contains_key(path) {
                if let Some(route) = old_route_of.get(path) {
                    stale_files.push(format!("{route}index.html"));
                    stale_files.push(format!("{route}index.html.md"));
                }
            }
        }
        for tag in &touched_tags {
            if !renderer.site.tags.contains_key(tag) {
                if let Some(slug) = old_terms.0.get(tag) {
                    stale_files.push(format!("tags/{slug}/index.html"));
                }
            }
        }
        for agent in &touched_agents {
            if !renderer.site.agents.contains_key(agent) {
                if let Some(slug) = old_terms.1.get(agent) {
                    stale_files.push(format!("agents/{slug}/index.html"));
                }
            }
        }
        if let Ok(mut files) = self.files.0.lock() {
            for f in &stale_files {
                files.remove(f);
            }
        }

        let mut pages: Vec<Page> = touched_docs
            .iter()
            .filter_map(|p| new.by_path.get(p).map(|&i| Page::Doc(i)))
            .collect();
        pages.extend(touched_tags.into_iter().map(Page::Tag));
        pages.extend(touched_agents.into_iter().map(Page::Agent));
        pages.extend([
            Page::Home,
            Page::TagsIndex,
            Page::AgentsIndex,
            Page::Systems,
            Page::Feeds,
        ]);
        // Linked content files are copied by the static page.
        let new_assets: Vec<String> = referenced_assets(&self.checked)
            .into_iter()
            .cloned()
            .collect();
        if new_assets != old_assets {
            pages.push(Page::Static);
        }
        timer.lap("serve: page data");
        let rendered = renderer.render(&pages, &self.files)?;
        drop(renderer);
        timer.lap("serve: render");
        if self.search_sync {
            self.refresh_search()?;
        }
        Ok(self.report(rendered, started, false))
    }
}

/// Hidden files are never documents (a full load skips them too).
fn is_hidden(content_path: &str) -> bool {
    content_path.split('/').any(|part| part.starts_with('.'))
}
