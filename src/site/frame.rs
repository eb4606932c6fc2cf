//! The frame of a build: everything its pages show but the documents'
//! own text. Two builds with the same frame differ only in the pages of
//! the documents that changed between them (and in what quotes whole
//! documents: context packs, the search index), so a CI build whose frame
//! is the last build's keeps that build's other document pages and system
//! pages, and renders the changed documents' pages alone.
//!
//! The frame is what `serve` compares before and after an edit to find the
//! pages to render again (document footprints, navigation, the landscape's
//! view of each system), taken for every document at once, with the
//! inputs that are not documents (configuration, theme, portolan itself,
//! attachments and specs). Not the date: it decides only whether a
//! document is stale and how old it says it is, on its own page, so a
//! build on another day renders those pages again (`keep_pages`) and keeps
//! the rest. Anything left out would let a stale page through, so the
//! comparison is of whole views, never of guesses about which of them an
//! edit can reach; `tests/incremental.rs` builds random edit sequences
//! both ways and compares them byte for byte.

use crate::render::footprint::{nav_input, Footprint};
use crate::render::renderer::Renderer;

/// The frame of a build whose inputs other than document text digest to
/// `inputs`, as one digest.
pub(super) fn digest(inputs: &str, renderer: &Renderer) -> String {
    use rayon::prelude::*;
    let site = &renderer.site;
    let catalog = site.catalog;
    let landscape = site.landscape;
    let specs = site.specs;
    // Per document, in catalog order: every view another page takes of it,
    // and the views its own page takes of others (navigation, systems,
    // specs), which its text alone does not decide.
    let documents: Vec<String> = (0..catalog.docs.len())
        .into_par_iter()
        .map(|i| {
            let doc = &catalog.docs[i];
            let systems: Vec<(&str, &str)> = landscape
                .doc_systems
                .get(i)
                .into_iter()
                .flatten()
                .filter_map(|&s| landscape.systems.get(s))
                .map(|s| (s.id.as_str(), s.name.as_str()))
                .collect();
            let doc_specs: Vec<(&str, &str, &str)> = specs
                .doc_specs
                .get(i)
                .into_iter()
                .flatten()
                .filter_map(|&s| specs.specs.get(s))
                .map(|s| (s.content_path.as_str(), s.route.as_str(), s.title.as_str()))
                .collect();
            // Without what the date decides (whether the document is
            // stale, and its age), which only its own page shows:
            // `keep_pages` renders again a page whose dating changed.
            let mut footprint = Footprint::of(catalog, &site.summaries, i);
            if let Some(summary) = footprint.summary.as_mut() {
                summary.stale = false;
                summary.age_days = 0;
            }
            format!(
                "{}\n{}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
                doc.content_path,
                renderer.routes.get(i).map_or("", String::as_str),
                footprint,
                nav_input(doc),
                site.doc_nav(i),
                systems,
                doc_specs,
                specs.matched.get(i),
            )
        })
        .collect();
    let mut parts: Vec<String> = vec![
        FORMAT.to_owned(),
        inputs.to_owned(),
        format!("{:?}", site.terms),
        format!("{:?}", site.tags),
        format!("{:?}", site.agents),
        format!("{:?}", site.folders),
        format!("{:?}", catalog.assets),
        format!("{:?}", specs.index_route),
        // Everything a system page shows of the landscape (see
        // `Landscape::page_view`, which takes these apart per system).
        format!("{:?}", landscape.systems),
        format!("{:?}", landscape.integrations),
        format!("{:?}", landscape.mentions),
        format!("{:?}", landscape.findings),
    ];
    parts.extend(documents);
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    crate::hash::digest(&refs)
}

/// Bumped whenever what the frame holds changes.
const FORMAT: &str = "portolan-frame-2";
