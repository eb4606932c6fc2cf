//! `unsafe-url`: links and images that would run script or embed data on
//! the catalog's origin; `broken-link` for links to content files that are
//! never published (links out of the content dir, hidden real paths,
//! unreadable files) and `html-attachment` for HTML files site.toml does
//! not allow.

use super::Ctx;
use crate::catalog::{join_relative, local_target};
use crate::content::Doc;
use crate::diagnostics::Diagnostic;
use crate::render::sanitize::{is_safe_url, URL_SCHEMES};

pub fn check(ctx: &Ctx<'_>, doc: &Doc, out: &mut Vec<Diagnostic>) {
    expansion(doc, out);
    highlight_timeouts(doc, out);
    for link in &doc.links {
        if !is_safe_url(&link.dest) {
            let shown: String = link.dest.chars().take(60).collect();
            out.push(
                Diagnostic::warning(
                    &doc.source_path,
                    link.line,
                    "unsafe-url",
                    format!("the URL `{shown}` is not published: only {} and relative URLs are; the link's text is kept", URL_SCHEMES.join(", ")),
                )
                .column(Some(link.column))
                .help("link to an http(s) page instead; `javascript:`, `data:` and other schemes could run script on the catalog's origin")
                .source_from(&doc.text),
            );
            continue;
        }
        let Some(target) = local_target(&link.dest) else {
            continue;
        };
        if target.path.is_empty() || crate::content::is_markdown(std::path::Path::new(&target.path))
        {
            continue;
        }
        let Some(path) = join_relative(&doc.content_path, &target.path) else {
            continue;
        };
        let catalog = ctx.catalog;
        if let Some(why) = catalog.refused.get(&path) {
            let diagnostic = if *why == crate::safe_fs::Refusal::HtmlAttachment {
                Diagnostic::warning(
                    &doc.source_path,
                    link.line,
                    "html-attachment",
                    format!("`{path}` is not published: {why}"),
                )
                .help("link to a page of the catalog, or allow HTML attachments in site.toml")
            } else {
                // Nothing refused is published either way: as a warning
                // the link stays, to a file the site does not have.
                Diagnostic::new(
                    &doc.source_path,
                    link.line,
                    ctx.config.validation.broken_links.severity(),
                    "broken-link",
                    format!("link `{}`: `{path}` is not published: {why}", link.dest),
                )
                .help("copy the file into the content directory (not a symlink out of it, not a hidden folder)")
            };
            out.push(diagnostic.column(Some(link.column)).source_from(&doc.text));
        } else if catalog.assets.contains(&path) {
            // build copies it: check must fail first if it cannot.
            let file = catalog.content_dir.join(&path);
            if let Err(e) = std::fs::File::open(&file) {
                out.push(
                    Diagnostic::error(
                        &doc.source_path,
                        link.line,
                        "broken-link",
                        format!("link `{}`: `{path}` cannot be read: {e}", link.dest),
                    )
                    .column(Some(link.column))
                    .help("make the file readable, or remove the link")
                    .source_from(&doc.text),
                );
            }
        }
    }
}

/// `field-expansion`: `{field}` references left as written because filling
/// them in would blow the page up.
fn expansion(doc: &Doc, out: &mut Vec<Diagnostic>) {
    use crate::content::doc::MAX_FIELD_EXPANSION;
    for (key, line, len) in &doc.expansion.too_long {
        out.push(
            Diagnostic::warning(
                &doc.source_path,
                *line,
                "field-expansion",
                format!("`{{{key}}}` is not filled in: the value of `{key}` has {len} bytes, over the limit of {MAX_FIELD_EXPANSION} for a value inserted into the text"),
            )
            .help("shorten the field, or write the text out instead of referencing it")
            .source_from(&doc.text),
        );
    }
    if let Some((added, line)) = doc.expansion.over_budget {
        out.push(
            Diagnostic::warning(
                &doc.source_path,
                line,
                "field-expansion",
                format!("`{{field}}` references would add {added} bytes to this {}-byte document; none is filled in", doc.text.len()),
            )
            .help("reference long fields fewer times; a page may grow to at most 4 times its source (or 64 KB) through references")
            .source_from(&doc.text),
        );
    }
}

/// `highlight`: code blocks whose highlighting took over the deadline (in
/// this run or an earlier one) and are shown as plain text.
pub fn highlight_timeouts(doc: &Doc, out: &mut Vec<Diagnostic>) {
    for block in &doc.code_blocks {
        if crate::render::highlight::timed_out(&block.lang, &block.content) {
            out.push(
                Diagnostic::warning(
                    &doc.source_path,
                    block.line,
                    "highlight",
                    format!("this `{}` block was not highlighted in time (over 10 s, or too many blocks stuck before it); it is shown as plain text", block.lang),
                )
                .help("the grammar cannot read this code; use another fence language (or none) for it")
                .source_from(&doc.text),
            );
        }
    }
}
