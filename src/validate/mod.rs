//! Rules over the linked catalog, one file per family, each returning
//! diagnostics. None of them stops at the first problem.

mod agents;
mod dates;
mod fields;
mod kinds;
mod links;
mod placeholders;
mod routes;
mod safety;
mod shortcodes;
mod suggest;
mod systems;

pub use dates::{parse_date, Date};
pub use suggest::link_to;

use rayon::prelude::*;

use crate::catalog::Catalog;
use crate::config::Config;
use crate::content::Doc;
use crate::diagnostics::Diagnostic;

/// Everything a per-document rule may look at.
pub struct Ctx<'a> {
    pub catalog: &'a Catalog,
    pub config: &'a Config,
    pub today: Date,
}

/// Problems of one document alone: how it was read, then every per-document
/// rule. They depend on nothing but the document and site.toml, so `serve`
/// recomputes them only for documents that changed.
pub fn doc_diagnostics(ctx: &Ctx<'_>, doc: &Doc) -> Vec<Diagnostic> {
    let mut out = crate::content::load_diagnostics(doc);
    fields::check(ctx, doc, &mut out);
    kinds::check(ctx, doc, &mut out);
    agents::check(ctx, doc, &mut out);
    placeholders::check(ctx, doc, &mut out);
    safety::check(ctx, doc, &mut out);
    out
}

/// Problems between documents: duplicate ids, broken related entries and
/// links, Hugo shortcodes (whose help names the document a `ref` finds).
/// Cheap, so recomputed whole after any change.
pub fn cross_doc_diagnostics(ctx: &Ctx<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    links::check(ctx, &mut out);
    routes::check(ctx, &mut out);
    shortcodes::check(ctx, &mut out);
    out
}

/// Problems of the landscape: system names that match no declared system
/// or two, documents the map leaves out.
pub fn landscape_diagnostics(
    catalog: &Catalog,
    config: &Config,
    landscape: &crate::landscape::Landscape,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    systems::check(catalog, config, landscape, &mut out);
    out
}

/// Problems found only by rendering: code blocks whose highlighting timed
/// out during this render. `build` adds them to what it reports.
pub fn after_render(catalog: &Catalog) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for doc in &catalog.docs {
        safety::highlight_timeouts(doc, &mut out);
    }
    out
}

/// Every per-document list (aligned with `catalog.docs`) and the cross-doc list.
pub fn validate(
    catalog: &Catalog,
    config: &Config,
    today: Date,
) -> (Vec<Vec<Diagnostic>>, Vec<Diagnostic>) {
    let ctx = Ctx {
        catalog,
        config,
        today,
    };
    let per_doc = catalog
        .docs
        .par_iter()
        .map(|doc| doc_diagnostics(&ctx, doc))
        .collect();
    (per_doc, cross_doc_diagnostics(&ctx))
}

/// The date stale checks compare against: `PORTOLAN_TODAY` (YYYY-MM-DD) when
/// set, so runs can be reproduced, else the system clock.
pub fn today() -> Date {
    if let Some(date) = std::env::var("PORTOLAN_TODAY")
        .ok()
        .and_then(|v| parse_date(&v))
    {
        return date;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    Date::from_days_since_epoch((secs / 86_400) as i64)
}
