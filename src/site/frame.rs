//! The frame of a build: everything its pages show but the documents'
//! own text, page by page. A CI build keeps the last build's page of an
//! unchanged document, or a system's page, when that page's view of the
//! rest of the site is the same as it was then, and renders the others:
//! an edit to one document's title renders the pages that show that
//! title, and a new document the pages that list or link it, not the
//! whole site.
//!
//! What is compared is what the page is rendered from, not a guess at
//! which of it an edit can reach:
//! - a document's page: its `DocFrame` (summary with its URL, fields,
//!   neighbours' titles and URLs, specs), its navigation (`DocNav`), and
//!   where each link of its text points now; its text itself is compared
//!   by the replay entry (`Entry::changed_documents`);
//! - a system's page: its whole `SystemPage`, the map as what it is drawn
//!   from (`MapInput`);
//! - every page: the inputs that are not documents (configuration, theme,
//!   portolan itself, attachments and specs), as one digest.
//!
//! Not the date: it decides only whether a document is stale and how old
//! it says it is, on its own page, so a build on another day renders
//! those pages again (`keep_pages`) and keeps the rest. `serve` finds the
//! pages an edit reaches its own way, from the edited documents'
//! footprints (`render::footprint`). `tests/incremental.rs` builds random
//! edit sequences both ways and compares them byte for byte.

use std::collections::BTreeMap;

use crate::render::renderer::{Page, Renderer};

/// A build's frame: what all its pages show alike, and each keepable
/// page's view of the rest of the site. Empty (the default) for a build
/// that keeps nothing for the next one.
#[derive(Default)]
pub(super) struct Frame {
    /// The digest of the inputs that are not documents.
    pub global: String,
    /// Page path → the digest of its view (`view_of`).
    pub views: BTreeMap<String, String>,
}

impl Frame {
    /// The frame of a build whose inputs other than documents digest to
    /// `inputs`.
    pub fn of(inputs: &str, renderer: &Renderer) -> Frame {
        use rayon::prelude::*;
        let site = &renderer.site;
        let global = crate::hash::digest(&[
            FORMAT,
            inputs,
            // The base context every page is rendered with (the rest of
            // it is configuration).
            site.specs.index_route.as_deref().unwrap_or(""),
        ]);
        let pages: Vec<Page> = (0..site.catalog.docs.len())
            .map(Page::Doc)
            .chain(renderer.system_pages())
            .collect();
        let views = pages
            .par_iter()
            .filter_map(|page| {
                let path = renderer.path_of(page)?;
                let view = view_of(renderer, page)?;
                Some((path, view))
            })
            .collect();
        Frame { global, views }
    }
}

/// The digest of what `page` shows besides its document's text; None for
/// a page that is never kept.
fn view_of(renderer: &Renderer, page: &Page) -> Option<String> {
    let site = &renderer.site;
    let parts: Vec<String> = match page {
        Page::Doc(i) => {
            let i = *i;
            let doc = site.catalog.docs.get(i)?;
            let mut frame = crate::render::pages::doc_frame(site, i);
            // Without what the date decides, which `keep_pages` compares
            // on its own.
            frame.summary.stale = false;
            frame.summary.age_days = 0;
            // Where each link of the text points now. Most links show in
            // the frame's related rows too, but not every link makes a
            // relation (one to a heading its target lacks, or to a
            // document that is gone, when broken links only warn), and
            // the body shows every link's URL.
            let links: Vec<Option<String>> = doc
                .links
                .iter()
                .map(|l| site.links.rewrite(i, &l.dest))
                .collect();
            // The route is the summary's URL; each spec's page is its
            // view's URL.
            vec![
                "doc".to_owned(),
                json(&frame)?,
                json(&site.doc_nav(i))?,
                format!("{links:?}"),
            ]
        }
        Page::System(id) => {
            let landscape = site.landscape;
            let s = landscape.find_id(id)?;
            // The map as what it is drawn from: drawing it costs more
            // than rendering the rest of the page.
            let (page, map) = crate::render::systems::system_page_unmapped(site, landscape, s);
            vec!["system".to_owned(), json(&page)?, format!("{map:?}")]
        }
        _ => return None,
    };
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    Some(crate::hash::digest(&refs))
}

/// A view as JSON; None if it cannot be serialized, so the page is
/// rendered rather than kept on a view that says nothing.
fn json<T: serde::Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// Bumped whenever what the frame holds changes.
const FORMAT: &str = "portolan-frame-3";
