//! The check stage again after documents changed: only those are re-read,
//! re-parsed and re-validated on their own; the catalog is relinked (only
//! the edited documents' links, when no link target moved) and the
//! cross-document rules and the landscape run over all. Serve and the MCP
//! server share it, so both hold what `check` would report.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::catalog::Catalog;
use crate::content::{self, Doc};
use crate::diagnostics::Diagnostic;
use crate::landscape::Landscape;
use crate::validate::{self, Ctx};
use crate::{all_diagnostics, render_diagrams, CheckResult};

/// The content paths among `paths` whose text differs from what `checked`
/// holds. Editors and file systems often report one save as several
/// events: a file whose text is unchanged is no change.
pub fn changed_docs(checked: &CheckResult, paths: &[PathBuf]) -> BTreeSet<String> {
    let content_dir = &checked.catalog.content_dir;
    // Watchers report canonical paths; the check may hold relative ones.
    let canonical_content = content_dir.canonicalize().unwrap_or(content_dir.clone());
    paths
        .iter()
        .filter_map(|p| {
            p.strip_prefix(&canonical_content)
                .or_else(|_| p.strip_prefix(content_dir))
                .ok()
        })
        .map(|p| content::relative_slash_path(Path::new(""), p))
        .filter(|path| {
            let on_disk = content::admitted_document(content_dir, path)
                .then(|| {
                    crate::safe_fs::read_limited(
                        &content_dir.join(path),
                        crate::safe_fs::MAX_DOCUMENT_BYTES,
                    )
                    .ok()
                })
                .flatten();
            let current = checked
                .catalog
                .by_path
                .get(path)
                .map(|&i| &checked.catalog.docs[i]);
            match (on_disk, current) {
                (Some(bytes), Some(doc)) => content::source::decode(&bytes).text != doc.text,
                (None, None) => false,
                _ => true,
            }
        })
        .collect()
}

/// What changed: the documents (by content path), whether any was added or
/// removed, and the landscape before the edit (its readings of unchanged
/// documents are reused).
pub struct Edit<'a> {
    pub changed: &'a BTreeSet<String>,
    /// No document was added or removed, so the others keep their places.
    pub same_docs: bool,
    pub old_landscape: &'a Landscape,
}

/// Re-reads the changed documents, relinks the catalog and validates again:
/// per-document rules for the changed ones only, cross-document rules, the
/// landscape and (with `diagrams`) diagrams for all.
pub fn recheck(root: &Path, checked: &mut CheckResult, edit: &Edit<'_>, diagrams: bool) {
    let changed = edit.changed;
    let config = checked.config.clone();
    let catalog = std::mem::replace(&mut checked.catalog, Catalog::link(Vec::new()));
    let content_dir = catalog.content_dir.clone();
    let mut per_doc = std::mem::take(&mut checked.doc_diagnostics);
    let load = |path: &String| content::load_one(root, &content_dir, &content_dir.join(path));
    let catalog = if edit.same_docs {
        let edits: Vec<(usize, Doc)> = changed
            .iter()
            .filter_map(|path| catalog.by_path.get(path).map(|&i| (i, load(path))))
            .collect();
        catalog.with_edits(edits)
    } else {
        let mut entries: Vec<(Doc, Vec<Diagnostic>)> = catalog
            .docs
            .into_iter()
            .zip(per_doc)
            .filter(|(d, _)| !changed.contains(&d.content_path))
            .collect();
        for path in changed {
            if content::admitted_document(&content_dir, path) {
                entries.push((load(path), Vec::new()));
            }
        }
        // The order a full load uses.
        entries.sort_by(|a, b| Path::new(&a.0.source_path).cmp(Path::new(&b.0.source_path)));
        let docs;
        (docs, per_doc) = entries.into_iter().unzip();
        Catalog::link_with(docs, catalog.content_dir, catalog.assets, catalog.refused)
    };
    let ctx = Ctx {
        catalog: &catalog,
        config: &config,
        today: validate::today(),
    };
    for (i, doc) in catalog.docs.iter().enumerate() {
        if changed.contains(&doc.content_path) {
            per_doc[i] = validate::doc_diagnostics(&ctx, doc);
        }
    }
    let mut site = validate::cross_doc_diagnostics(&ctx);
    // Spec files did not change (an edit of one is a full rebuild), but
    // which documents reference them and what their prose claims may have:
    // the model is built again, reusing the parsed files.
    let specs = crate::specs::Specs::build(root, &catalog, &config, Some(&checked.specs));
    site.extend(specs.diagnostics.iter().cloned());
    // The landscape reads every document (a name in one renames a system
    // another links to): rebuilt whole, reusing unchanged documents' readings.
    let mut landscape = Landscape::build_reusing(
        &catalog,
        &config,
        Some(crate::landscape::Previous {
            landscape: edit.old_landscape,
            changed,
        }),
    );
    landscape.attach_operations(&specs);
    site.extend(validate::landscape_diagnostics(
        &catalog, &config, &landscape,
    ));
    if diagrams {
        // What an edit adds is rendered now (the reload shows it); what
        // the background renders stays pending.
        let (diagrams, diagram_diagnostics) = render_diagrams(
            root,
            &config,
            &catalog,
            Some(&checked.diagrams),
            crate::render::diagrams::Missing::Render,
            false,
        );
        site.extend(diagram_diagnostics);
        checked.diagrams = diagrams;
    }
    checked.diagnostics = all_diagnostics(&per_doc, &site);
    checked.doc_diagnostics = per_doc;
    checked.site_diagnostics = site;
    checked.landscape = landscape;
    checked.specs = specs;
    checked.catalog = catalog;
}
