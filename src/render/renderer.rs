//! Every page of the site, one at a time or all together, into any sink: a
//! directory for `build`, memory for `serve`. `serve` re-renders only the
//! pages an edit touched through the same functions, so its output cannot
//! drift from `build`'s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use super::markdown::LinkContext;
use super::pages::{self, Memory, Reuse, SiteCtx, SiteData};
use super::theme::{template_error, Theme};
use super::{feeds, highlight};
use crate::catalog::Catalog;
use crate::content::Doc;
use crate::{CheckResult, RunError};

/// Where rendered files go.
pub trait Sink: Sync {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), RunError>;
}

/// Files written into a directory, each recorded with its size and content
/// hash as it goes by (the build's marker lists them without reading the
/// output back).
pub struct DirSink {
    dir: PathBuf,
    written: Mutex<BTreeMap<String, (usize, String)>>,
}

impl DirSink {
    pub fn new(dir: &Path) -> DirSink {
        DirSink {
            dir: dir.to_path_buf(),
            written: Mutex::default(),
        }
    }

    /// The directory written into.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every file written: path → (size, content hash).
    pub fn into_written(self) -> BTreeMap<String, (usize, String)> {
        self.written.into_inner().unwrap_or_default()
    }

    /// Writes a file; returns its content hash (the search index keys
    /// pages by it, so each page is hashed once).
    pub fn put_hashed(&self, relative: &str, bytes: &[u8]) -> Result<String, RunError> {
        let digest = crate::hash::digest_bytes(bytes);
        write_file(&self.dir, relative, bytes)?;
        self.record(relative, bytes.len(), &digest)?;
        Ok(digest)
    }

    /// Lists a file put into the directory by other means (a page kept
    /// from the last build), with its size and content hash.
    pub fn record(&self, relative: &str, len: usize, hash: &str) -> Result<(), RunError> {
        self.written
            .lock()
            .map_err(|_| RunError("the list of written files is poisoned".to_owned()))?
            .insert(relative.to_owned(), (len, hash.to_owned()));
        Ok(())
    }
}

impl Sink for DirSink {
    fn put(&self, relative: &str, bytes: Vec<u8>) -> Result<(), RunError> {
        self.put_hashed(relative, &bytes).map(drop)
    }
}

pub fn write_file(dir: &Path, relative: &str, bytes: &[u8]) -> Result<(), RunError> {
    let path = dir.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| RunError(format!("cannot create {}: {e}", parent.display())))?;
    }
    let cannot = |e: std::io::Error| RunError(format!("cannot write {}: {e}", path.display()));
    let create = || {
        std::fs::File::options()
            .write(true)
            .create_new(true)
            .open(&path)
    };
    // A file already there may be a hard link to a cache object (a page
    // kept from the last build): it is replaced, never written through.
    let mut file = match create() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(&path).map_err(cannot)?;
            create()
        }
        other => other,
    }
    .map_err(cannot)?;
    std::io::Write::write_all(&mut file, bytes).map_err(cannot)
}

/// Files in memory; shared as `Arc`s so a snapshot for readers copies no
/// page.
#[derive(Default)]
pub struct MemorySink(pub Mutex<BTreeMap<String, Arc<Vec<u8>>>>);

impl MemorySink {
    pub fn snapshot(&self) -> BTreeMap<String, Arc<Vec<u8>>> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

impl Sink for MemorySink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), RunError> {
        self.0
            .lock()
            .map_err(|_| RunError("site store poisoned".to_owned()))?
            .insert(path.to_owned(), Arc::new(bytes));
        Ok(())
    }
}

/// One output unit. A document is its page and its markdown copy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Page {
    Doc(usize),
    Home,
    TagsIndex,
    Tag(String),
    AgentsIndex,
    Agent(String),
    /// An agent's context pack, `agents/<Name>/context.md`: it quotes whole
    /// documents, so any edit to one of them renders it again.
    AgentContext(String),
    Systems,
    /// One system's page, by id.
    System(String),
    /// A folder's page, by content path, when no document fronts it.
    Folder(String),
    /// `sidebar.json`: the folder tree every page's sidebar shows.
    Sidebar,
    NotFound,
    /// sitemap.xml, catalog.json, llms.txt.
    Feeds,
    /// Theme files, the highlight stylesheet and linked content files.
    Static,
    /// The search page (the index itself is written by `write_search_index`).
    Search,
    /// An API spec's page, by index in the spec model.
    Spec(usize),
    /// The page listing every spec.
    SpecsIndex,
}

/// Documents per page of a tag or an agent.
pub const TERM_PAGE: usize = 100;

/// Where page `n` (from 2) of a tag's or agent's list lives.
pub fn term_page_dir(dir: &str, n: usize) -> String {
    format!("{dir}page/{n}/")
}

pub struct Renderer<'a> {
    pub site: SiteData<'a>,
    pub routes: &'a [String],
    checked: &'a CheckResult,
    theme: &'a Theme,
    base: Context,
}

/// Serialize behind a trait object, so page contexts of different types go
/// through one helper. Straight into tera's value: a detour through
/// serde_json would copy a page listing every document twice.
trait ToValue {
    fn to_value(&self) -> tera::Value;
}

impl<T: Serialize> ToValue for T {
    fn to_value(&self) -> tera::Value {
        tera::Value::from_serializable(self)
    }
}

impl<'a> Renderer<'a> {
    pub fn new(
        checked: &'a CheckResult,
        theme: &'a Theme,
        routes: &'a [String],
        base_path: &'a str,
    ) -> Renderer<'a> {
        Self::reusing(checked, theme, routes, base_path, None)
    }

    /// As `new`, taking the page data of an earlier render that is still
    /// valid instead of computing it again.
    pub fn reusing(
        checked: &'a CheckResult,
        theme: &'a Theme,
        routes: &'a [String],
        base_path: &'a str,
        reuse: Option<Reuse>,
    ) -> Renderer<'a> {
        let config = &checked.config;
        let links = LinkContext {
            catalog: &checked.catalog,
            routes,
            base_path,
            assets: &checked.catalog.assets,
            diagrams: &checked.diagrams,
        };
        let site = SiteData::new(
            config,
            &checked.catalog,
            &checked.landscape,
            &checked.specs,
            links,
            crate::validate::today(),
            reuse,
        );
        let mut base = Context::new();
        base.insert(
            "site",
            &SiteCtx {
                title: config.title.clone(),
                description: config.description.clone(),
                base_path: base_path.to_owned(),
                base_url: config.base_url.clone(),
                specs_url: checked
                    .specs
                    .index_route
                    .as_ref()
                    .map(|r| format!("{base_path}{r}")),
            },
        );
        Renderer {
            site,
            routes,
            checked,
            theme,
            base,
        }
    }

    /// The page data worth keeping for the next render: the summaries and
    /// the tag and agent URLs.
    /// `nav`: the navigation views of this render, if already computed.
    pub fn into_memory(self, nav: Option<super::nav::NavViews>) -> Memory {
        let nav = nav.unwrap_or_else(|| super::nav::NavViews::of(&self.site));
        Memory {
            nav,
            summaries: self.site.summaries,
            terms: self.site.terms,
            today: self.site.today,
        }
    }

    /// Every page of the site.
    pub fn all_pages(&self) -> Vec<Page> {
        let mut pages: Vec<Page> = (0..self.checked.catalog.docs.len())
            .map(Page::Doc)
            .collect();
        // With a home document, its page is the home page.
        if self.site.home_doc().is_none() {
            pages.push(Page::Home);
        }
        pages.extend([
            Page::TagsIndex,
            Page::AgentsIndex,
            Page::Systems,
            Page::NotFound,
            Page::Feeds,
            Page::Static,
            Page::Search,
            Page::Sidebar,
        ]);
        pages.extend(self.site.folder_pages().map(|p| Page::Folder(p.to_owned())));
        pages.extend(self.site.tags.keys().cloned().map(Page::Tag));
        pages.extend(self.site.agents.keys().cloned().map(Page::Agent));
        pages.extend(self.site.agents.keys().cloned().map(Page::AgentContext));
        pages.extend(self.system_pages());
        pages.extend(self.spec_pages());
        pages
    }

    /// One page per spec some document references.
    pub fn spec_pages(&self) -> impl Iterator<Item = Page> {
        let index = self.checked.specs.index_route.is_some();
        (0..self.checked.specs.specs.len())
            .map(Page::Spec)
            .chain(index.then_some(Page::SpecsIndex))
    }

    /// One page per system of the landscape.
    pub fn system_pages(&self) -> impl Iterator<Item = Page> + '_ {
        self.checked
            .landscape
            .systems
            .iter()
            .map(|s| Page::System(s.id.clone()))
    }

    /// Renders `pages` (documents in parallel); returns the HTML page count.
    pub fn render(&self, pages: &[Page], sink: &dyn Sink) -> Result<usize, RunError> {
        // The home page is the home document's page, if there is one
        // (`render_one` renders `Page::Home` as that page): asked for as
        // both, it is rendered once.
        let deduplicated: Vec<Page>;
        let pages = match self.site.home_doc().map(Page::Doc) {
            Some(doc) if pages.contains(&Page::Home) && pages.contains(&doc) => {
                deduplicated = pages
                    .iter()
                    .filter(|p| **p != Page::Home)
                    .cloned()
                    .collect();
                &deduplicated[..]
            }
            _ => pages,
        };
        pages
            .par_iter()
            .map(|p| self.render_one(p, sink))
            .try_reduce(|| 0, |a, b| Ok(a + b))
    }

    fn template(
        &self,
        name: &str,
        extra: &[(&'static str, &dyn ToValue)],
    ) -> Result<Vec<u8>, RunError> {
        let mut context = self.base.clone();
        for (key, value) in extra {
            context.insert_value(*key, value.to_value());
        }
        self.theme
            .tera
            .render(name, &context)
            .map(String::into_bytes)
            .map_err(|e| template_error(&e))
    }

    /// A tag's or agent's documents, `TERM_PAGE` per page: the first page
    /// at `dir`, the rest at `dir/page/<n>/`, each linking the next, so
    /// a term with thousands of documents is as many light pages (the
    /// browser appends the next page's rows on "Show more").
    fn paginated(
        &self,
        template: &str,
        dir: &str,
        rows: Vec<pages::AgentDocRow>,
        sink: &dyn Sink,
        context: impl Fn(serde_json::Value) -> Vec<(&'static str, serde_json::Value)>,
    ) -> Result<usize, RunError> {
        let base = self.site.base_path();
        let pages = rows.len().div_ceil(TERM_PAGE).max(1);
        let url = |n: usize| match n {
            1 => format!("{base}{dir}"),
            n => format!("{base}{}", term_page_dir(dir, n)),
        };
        for n in 1..=pages {
            let chunk = rows.chunks(TERM_PAGE).nth(n - 1).unwrap_or(&[]);
            let pager = serde_json::json!({
                "page": n,
                "pages": pages,
                "total": rows.len(),
                "first": (n - 1) * TERM_PAGE + 1,
                "last": (n - 1) * TERM_PAGE + chunk.len(),
                "prev": (n > 1).then(|| url(n - 1)),
                "next": (n < pages).then(|| url(n + 1)),
            });
            let docs = serde_json::to_value(chunk).unwrap_or_default();
            let mut extra = context(pager);
            extra.push(("docs", docs));
            let refs: Vec<(&'static str, &dyn ToValue)> =
                extra.iter().map(|(k, v)| (*k, v as &dyn ToValue)).collect();
            let html = self.template(template, &refs)?;
            let path = match n {
                1 => format!("{dir}index.html"),
                n => format!("{}index.html", term_page_dir(dir, n)),
            };
            sink.put(&path, html)?;
        }
        Ok(pages)
    }

    /// The path a page's HTML is written to, if it is one HTML page.
    pub fn path_of(&self, page: &Page) -> Option<String> {
        Some(match page {
            Page::Doc(i) => format!("{}index.html", self.routes[*i]),
            Page::Home => "index.html".to_owned(),
            Page::TagsIndex => "tags/index.html".to_owned(),
            Page::Tag(tag) => format!("tags/{}/index.html", self.site.terms.tags.get(tag)?),
            Page::AgentsIndex => "agents/index.html".to_owned(),
            Page::Agent(a) => format!("agents/{}/index.html", self.site.terms.agents.get(a)?),
            Page::Systems => "systems/index.html".to_owned(),
            Page::System(id) => format!("systems/{id}/index.html"),
            Page::NotFound => "404.html".to_owned(),
            Page::Search => "search/index.html".to_owned(),
            Page::Spec(s) => format!("{}index.html", self.checked.specs.specs.get(*s)?.route),
            Page::SpecsIndex => format!("{}index.html", self.checked.specs.index_route.as_ref()?),
            Page::Folder(path) => self.site.folder_page(path)?.0,
            Page::Feeds | Page::Static | Page::AgentContext(_) | Page::Sidebar => return None,
        })
    }

    /// The home page, introduced by the home document's body when there is
    /// one. The rows file changes exactly when the home page does.
    fn home_page(
        &self,
        sink: &dyn Sink,
        intro: Option<&pages::DocPage>,
    ) -> Result<Vec<u8>, RunError> {
        let site = &self.site;
        sink.put(super::home::ROWS_PATH, site.home_rows_json().into_bytes())?;
        match intro {
            Some(doc) => self.template("home.html", &[("home", &site.home()), ("intro", doc)]),
            None => self.template("home.html", &[("home", &site.home())]),
        }
    }

    fn render_one(&self, page: &Page, sink: &dyn Sink) -> Result<usize, RunError> {
        let site = &self.site;
        let html = match page {
            Page::Doc(i) => {
                let doc = pages::doc_page(site, *i);
                sink.put(
                    &format!("{}index.html.md", self.routes[*i]),
                    feeds::markdown_copy(site, *i).into_bytes(),
                )?;
                if site.home_doc() == Some(*i) {
                    self.home_page(sink, Some(&doc))?
                } else {
                    let nav = site.doc_nav(*i);
                    self.template("doc.html", &[("doc", &doc), ("nav", &nav)])?
                }
            }
            Page::Folder(path) => {
                let Some((_, page)) = site.folder_page(path) else {
                    return Ok(0);
                };
                self.template("folder.html", &[("folder", &page)])?
            }
            Page::Sidebar => {
                sink.put(super::nav::SIDEBAR_PATH, site.sidebar_json().into_bytes())?;
                return Ok(0);
            }
            Page::Home => {
                // With a home document, the home page is that document's.
                if let Some(i) = site.home_doc() {
                    return self.render_one(&Page::Doc(i), sink);
                }
                self.home_page(sink, None)?
            }
            Page::TagsIndex => self.template("tags.html", &[("tags", &site.tag_rows())])?,
            Page::AgentsIndex => self.template("agents.html", &[("agents", &site.agent_rows())])?,
            Page::Tag(tag) => {
                let Some(docs) = site.tags.get(tag) else {
                    return Ok(0);
                };
                let name = serde_json::json!({ "name": tag });
                let dir = format!("tags/{}/", site.terms.tags.get(tag).map_or("", |s| s));
                return self.paginated(
                    "tag.html",
                    &dir,
                    site.doc_rows(docs, None),
                    sink,
                    |pager| vec![("tag", name.clone()), ("pager", pager)],
                );
            }
            Page::Agent(agent) => {
                let Some(docs) = site.agents.get(agent) else {
                    return Ok(0);
                };
                let description = self
                    .checked
                    .config
                    .agents
                    .get(agent)
                    .map(|a| a.description.clone())
                    .unwrap_or_default();
                let context = feeds::agent_context_path(site, agent)
                    .map(|p| format!("{}{p}", site.base_path()));
                let agent_json = serde_json::json!({
                    "name": agent,
                    "description": description,
                    "context_url": context,
                    "context_budget_kb": self.checked.config.context_budget_kb,
                });
                let dir = format!("agents/{}/", site.terms.agents.get(agent).map_or("", |s| s));
                return self.paginated(
                    "agent.html",
                    &dir,
                    site.doc_rows(docs, Some(agent)),
                    sink,
                    |pager| vec![("agent", agent_json.clone()), ("pager", pager)],
                );
            }
            Page::Systems => {
                let page = super::systems::landscape_page(site, &self.checked.landscape);
                self.template("systems.html", &[("landscape", &page)])?
            }
            Page::System(id) => {
                let landscape = &self.checked.landscape;
                let Some(s) = landscape.find_id(id) else {
                    return Ok(0);
                };
                let page = super::systems::system_page(site, landscape, s);
                self.template("system.html", &[("system", &page)])?
            }
            Page::AgentContext(agent) => {
                if let Some(path) = feeds::agent_context_path(site, agent) {
                    sink.put(&path, feeds::agent_context(site, agent).into_bytes())?;
                }
                return Ok(0);
            }
            Page::Spec(s) => {
                if *s >= self.checked.specs.specs.len() {
                    return Ok(0);
                }
                let spec = super::specs::spec_view(site, *s);
                let mut markdown = format!("# {}\n\n", super::feeds::md_text(&spec.name));
                super::specs::spec_markdown(site, *s, &mut markdown);
                sink.put(
                    &format!("{}index.html.md", self.checked.specs.specs[*s].route),
                    markdown.into_bytes(),
                )?;
                self.template("spec.html", &[("spec", &spec)])?
            }
            Page::SpecsIndex => {
                if self.checked.specs.index_route.is_none() {
                    return Ok(0);
                }
                let rows = super::specs::index_rows(site);
                self.template("specs.html", &[("specs", &rows)])?
            }
            Page::NotFound => self.template("404.html", &[])?,
            Page::Search => self.template("search.html", &[])?,
            Page::Feeds => {
                // Each is a pass over every document: on a large site the
                // three are worth a core each.
                let ((sitemap, catalog), llms) = rayon::join(
                    || rayon::join(|| feeds::sitemap(site), || feeds::catalog_json(site)),
                    || feeds::llms_txt(site),
                );
                sink.put("sitemap.xml", sitemap.into_bytes())?;
                sink.put("catalog.json", catalog.into_bytes())?;
                sink.put("llms.txt", llms.into_bytes())?;
                return Ok(0);
            }
            Page::Static => {
                sink.put("static/highlight.css", highlight::stylesheet().into_bytes())?;
                for (name, bytes) in &self.theme.static_files {
                    sink.put(&format!("static/{name}"), bytes.clone())?;
                }
                for asset in referenced_assets(self.checked) {
                    sink.put(asset, read_asset(&self.checked.catalog.content_dir, asset)?)?;
                }
                return Ok(0);
            }
        };
        let path = self.path_of(page).unwrap_or_default();
        sink.put(&path, html)?;
        Ok(1)
    }
}

/// An attachment's bytes as published: read under the loader's rules
/// again (the file may have changed into a link since), an SVG sanitized.
fn read_asset(content_dir: &Path, asset: &str) -> Result<Vec<u8>, RunError> {
    let from = content_dir.join(asset);
    let cannot = |why: String| RunError(format!("cannot publish {}: {why}", from.display()));
    let canonical_content = content_dir
        .canonicalize()
        .map_err(|e| cannot(e.to_string()))?;
    let real = crate::safe_fs::admit_file(&canonical_content, &from)
        .map_err(|why| cannot(why.to_string()))?;
    let bytes = crate::safe_fs::read_limited(&real, crate::safe_fs::MAX_ASSET_BYTES)
        .map_err(|e| cannot(e.to_string()))?;
    let is_svg = Path::new(asset)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    if is_svg {
        let text = String::from_utf8_lossy(&bytes);
        return Ok(super::sanitize::clean_svg_document(&text).into_bytes());
    }
    Ok(bytes)
}

/// Content files other than documents that some document links to, each
/// with where it is first linked (document, line, column).
pub fn linked_assets(catalog: &Catalog) -> BTreeMap<&String, (usize, usize, usize)> {
    let mut linked = BTreeMap::new();
    // Most catalogs link no files: then no link of 10,000 documents needs
    // resolving to find none.
    if catalog.assets.is_empty() {
        return linked;
    }
    for (i, doc) in catalog.docs.iter().enumerate() {
        for link in &doc.links {
            if let Some(path) = asset_of_link(catalog, doc, &link.dest) {
                linked.entry(path).or_insert((i, link.line, link.column));
            }
        }
    }
    linked
}

fn asset_of_link<'a>(catalog: &'a Catalog, doc: &Doc, dest: &str) -> Option<&'a String> {
    if !super::sanitize::is_safe_url(dest) {
        return None;
    }
    let target = crate::catalog::local_target(dest)?;
    let path = crate::catalog::join_relative(&doc.content_path, &target.path)?;
    catalog.assets.get(&path)
}

/// The content files that are published: linked by some document, and not
/// in the way of a generated file (generated files always win). Only those:
/// a folder of markdown may hold files nobody meant to put on the web.
pub fn referenced_assets(checked: &CheckResult) -> Vec<&String> {
    let routes = crate::urls::routes(&checked.catalog);
    let folders = crate::urls::folder_routes(&checked.catalog);
    let routes: std::collections::HashSet<&str> = routes
        .iter()
        .chain(&folders)
        .map(String::as_str)
        .chain(checked.specs.specs.iter().map(|s| s.route.as_str()))
        .chain(checked.specs.index_route.as_deref())
        .collect();
    // Specs are published beside their pages (with every file their
    // `$ref`s reach), whether linked or named in a field.
    let linked: std::collections::BTreeSet<&String> = linked_assets(&checked.catalog)
        .into_keys()
        .chain(checked.specs.files())
        .collect();
    linked
        .into_iter()
        .filter(|path| !crate::urls::is_generated_path(path, &routes))
        .collect()
}

/// The content files one document links to.
pub fn assets_of<'a>(
    checked: &'a CheckResult,
    doc: &'a Doc,
) -> impl Iterator<Item = &'a String> + 'a {
    doc.links
        .iter()
        .filter_map(move |link| asset_of_link(&checked.catalog, doc, &link.dest))
}

#[cfg(test)]
mod tests {
    /// A page kept from the last build is a hard link to a cache object:
    /// writing that path again must replace the link, not write through it.
    #[test]
    fn writing_over_a_hard_link_leaves_the_linked_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        let object = dir.path().join("object");
        std::fs::write(&object, "kept").unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(out.join("a")).unwrap();
        if std::fs::hard_link(&object, out.join("a/index.html")).is_err() {
            return; // no hard links here: nothing can be written through
        }
        super::write_file(&out, "a/index.html", b"new").unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "new"
        );
        assert_eq!(std::fs::read_to_string(&object).unwrap(), "kept");
        super::write_file(&out, "b/index.html", b"fresh").unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("b/index.html")).unwrap(),
            "fresh"
        );
    }
}
