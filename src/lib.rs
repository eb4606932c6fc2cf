//! portolan: reads a catalog of integration documents, checks them, links them
//! to each other and publishes them as one static site.
//!
//! The pipeline is load → parse → validate → link → render → write; each stage
//! is a plain function over the previous stage's data so that `check`, `build`
//! and `serve` share every stage instead of keeping private copies.

pub mod cache_fs;
pub mod catalog;
pub mod config;
pub mod console;
pub mod content;
pub mod diagnostics;
pub mod hash;
pub mod landscape;
#[cfg(feature = "mcp")]
pub mod mcp;
pub mod recheck;
pub mod render;
pub mod report;
pub mod safe_fs;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod slug;
pub mod specs;
pub mod timings;
pub mod urls;
pub mod validate;

use std::path::Path;

pub use catalog::Catalog;
pub use config::Config;
pub use diagnostics::{Diagnostic, Severity};

/// Everything `check` knows about a site: the linked catalog and every problem
/// found on the way. Diagnostics are collected, never fail-fast.
pub struct CheckResult {
    pub config: Config,
    pub catalog: Catalog,
    /// Every problem, sorted by file and line.
    pub diagnostics: Vec<Diagnostic>,
    /// Per-document problems, aligned with `catalog.docs`.
    pub doc_diagnostics: Vec<Vec<Diagnostic>>,
    /// Problems between documents and of diagrams.
    pub site_diagnostics: Vec<Diagnostic>,
    /// Rendered mermaid diagrams.
    pub diagrams: render::diagrams::Diagrams,
    /// Systems and the integrations between them.
    pub landscape: landscape::Landscape,
    /// The API specs documents reference, and what their prose claims.
    pub specs: specs::Specs,
}

/// Options that change what counts as a problem without touching site.toml.
#[derive(Debug, Default, Clone, Copy)]
pub struct CheckOptions {
    /// `--strict`: placeholders become errors and warnings fail the run.
    pub strict: bool,
    /// Show diagram rendering progress on stderr (a terminal).
    pub progress: bool,
    /// Leave diagrams unrendered (commands that print the landscape).
    pub skip_diagrams: bool,
    /// What becomes of diagrams the cache lacks: rendered now, or left
    /// pending for `serve` to render in the background.
    pub missing_diagrams: render::diagrams::Missing,
}

/// A failure of the run itself (exit code 2), as opposed to problems in the
/// documents, which are diagnostics.
#[derive(Debug)]
pub struct RunError(pub String);

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RunError {}

/// Loads, parses, links and validates the site under `root`.
pub fn check(root: &Path, options: CheckOptions) -> Result<CheckResult, RunError> {
    let config = Config::load(root)?;
    check_with(root, config, options)
}

/// `check` with an already loaded (and possibly overridden) configuration.
pub fn check_with(
    root: &Path,
    config: Config,
    options: CheckOptions,
) -> Result<CheckResult, RunError> {
    let read = content::read_site(root, &config)?;
    check_read(root, config, options, read)
}

/// `check_with` on a site read already (`content::read_site`).
pub fn check_read(
    root: &Path,
    mut config: Config,
    options: CheckOptions,
    read: content::Read,
) -> Result<CheckResult, RunError> {
    if options.strict {
        config.validation.placeholders = config::RuleLevel::Error;
    }
    let timer = timings::Timer::start();
    render::highlight::use_cache_in(&render::diagrams::cache_root(root));
    let loaded = content::parse_site(root, read);
    timer.lap("parse");
    let catalog = Catalog::link_with(
        loaded.docs,
        loaded.content_dir,
        loaded.assets,
        loaded.refused,
    );
    timer.lap("link");
    let (doc_diagnostics, mut site_diagnostics) =
        validate::validate(&catalog, &config, validate::today());
    timer.lap("validate");
    let specs = specs::Specs::build(root, &catalog, &config, None);
    site_diagnostics.extend(specs.diagnostics.iter().cloned());
    timer.lap("specs");
    let mut landscape = landscape::Landscape::build(&catalog, &config);
    landscape.attach_operations(&specs);
    site_diagnostics.extend(validate::landscape_diagnostics(
        &catalog, &config, &landscape,
    ));
    timer.lap("landscape");
    let (diagrams, diagram_diagnostics) = if options.skip_diagrams {
        Default::default()
    } else {
        render_diagrams(
            root,
            &config,
            &catalog,
            None,
            options.missing_diagrams,
            options.progress,
        )
    };
    timer.lap("diagrams");
    site_diagnostics.extend(diagram_diagnostics);
    let diagnostics = all_diagnostics(&doc_diagnostics, &site_diagnostics);
    Ok(CheckResult {
        config,
        catalog,
        diagnostics,
        doc_diagnostics,
        site_diagnostics,
        diagrams,
        landscape,
        specs,
    })
}

/// Every diagram of the catalog, reusing `previous` results held in memory
/// (serve) before the disk cache.
pub fn render_diagrams(
    root: &Path,
    config: &Config,
    catalog: &Catalog,
    previous: Option<&render::diagrams::Diagrams>,
    missing: render::diagrams::Missing,
    progress: bool,
) -> (render::diagrams::Diagrams, Vec<Diagnostic>) {
    render::diagrams::prepare(root, config, catalog, previous, missing, progress)
}

/// One sorted, deduplicated list of per-document and site problems.
pub fn all_diagnostics(per_doc: &[Vec<Diagnostic>], site: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut all: Vec<Diagnostic> = per_doc.iter().flatten().chain(site).cloned().collect();
    diagnostics::sort_and_dedup(&mut all);
    all
}

/// The whole pipeline over one document's bytes, for the fuzz target and
/// the property tests: decode, parse, link, validate, render the body.
/// Returns the number of diagnostics. Never panics, never hangs: that is
/// what they check.
#[doc(hidden)]
pub fn pipeline_for_bytes(bytes: &[u8]) -> usize {
    let doc = content::Doc::parse(
        "content/fuzz.md".to_owned(),
        "fuzz.md".to_owned(),
        content::source::decode(bytes),
    );
    let catalog = Catalog::link(vec![doc]);
    let config = Config::default();
    let (per_doc, site) = validate::validate(&catalog, &config, validate::today());
    let routes = urls::routes(&catalog);
    let diagrams = render::diagrams::Diagrams::default();
    let links = render::markdown::LinkContext {
        catalog: &catalog,
        routes: &routes,
        base_path: "/",
        assets: &catalog.assets,
        diagrams: &diagrams,
    };
    let rendered = render::markdown::render(0, &links);
    per_doc.iter().map(Vec::len).sum::<usize>() + site.len() + rendered.toc.len()
}
