//! `route-conflict`: two outputs that want one path. A document whose page
//! would replace a generated one (`tags/payments.md`, `catalog.json.md`),
//! two documents with one URL (`guide.md` and `guide/index.md`), an
//! attachment named like a generated file (`static/portolan.js`), and a
//! path segment too long for a file system: build would fail or silently
//! lose one of them, so check says so first. A second front page at the
//! top of the content folder, where one introduces the home page, is a
//! warning: it keeps a page of its own.

use std::collections::{HashMap, HashSet};

use super::Ctx;
use crate::diagnostics::Diagnostic;
use crate::urls::{home_candidates, home_doc, is_generated_path, route_is_reserved, route_of};

/// Most file systems refuse longer names.
const MAX_SEGMENT_BYTES: usize = 255;

pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let catalog = ctx.catalog;
    // Hashed, not ordered: 10,000 routes sharing long prefixes made the
    // ordered map's comparisons a serve save's largest validation cost.
    let mut by_route: HashMap<String, Vec<usize>> = HashMap::with_capacity(catalog.docs.len());
    let home = home_doc(catalog);
    for (i, doc) in catalog.docs.iter().enumerate() {
        // The home document's page is `/`; it takes no other route.
        if Some(i) == home {
            continue;
        }
        let route = route_of(&doc.content_path);
        if route_is_reserved(&route) {
            out.push(
                Diagnostic::error(
                    &doc.source_path,
                    1,
                    "route-conflict",
                    format!("this document's page `/{route}` is a path portolan writes itself (tag, agent and system pages, search, static files, feeds)"),
                )
                .help("rename or move the document; generated pages always win"),
            );
        }
        if let Some(long) = route
            .split('/')
            .find(|s| s.len() + "index.html.md".len() > MAX_SEGMENT_BYTES)
        {
            out.push(
                Diagnostic::error(
                    &doc.source_path,
                    1,
                    "route-conflict",
                    format!(
                        "the path segment `{}…` is {} bytes long; file systems allow {MAX_SEGMENT_BYTES}",
                        long.chars().take(40).collect::<String>(),
                        long.len()
                    ),
                )
                .help("shorten the file or folder name"),
            );
        }
        by_route.entry(route).or_default().push(i);
    }
    // A second front page at the top is published under its own name: say
    // so, as its author likely meant it for the home page.
    if let Some(home) = home {
        for (i, _) in home_candidates(catalog).filter(|&(i, _)| i != home) {
            let doc = &catalog.docs[i];
            out.push(
                Diagnostic::warning(
                    &doc.source_path,
                    1,
                    "route-conflict",
                    format!(
                        "`{}` already introduces the home page; this front page is published at `/{}`",
                        catalog.docs[home].content_path,
                        route_of(&doc.content_path)
                    ),
                )
                .help("keep one of `_index.md`, `index.md` and `README.md` at the top of the content folder (`_index.md` wins, then `index.md`)"),
            );
        }
    }
    // In route order, as reported before.
    let mut shared: Vec<(&String, &Vec<usize>)> =
        by_route.iter().filter(|(_, docs)| docs.len() > 1).collect();
    shared.sort_unstable();
    for (route, docs) in shared {
        for &i in docs {
            let others: Vec<&str> = docs
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| catalog.docs[j].source_path.as_str())
                .collect();
            out.push(
                Diagnostic::error(
                    &catalog.docs[i].source_path,
                    1,
                    "route-conflict",
                    format!(
                        "this document and {} both want the URL `/{route}`",
                        others.join(", ")
                    ),
                )
                .help("rename one of them (e.g. `guide.md` beside `guide/index.md`: keep one)"),
            );
        }
    }
    let linked = crate::render::renderer::linked_assets(catalog);
    if linked.is_empty() {
        return;
    }
    let folders = crate::urls::folder_routes(catalog);
    let routes: HashSet<&str> = by_route
        .keys()
        .chain(&folders)
        .map(String::as_str)
        .collect();
    for (path, (doc, line, column)) in linked {
        if is_generated_path(path, &routes) {
            let doc = &catalog.docs[doc];
            out.push(
                Diagnostic::error(
                    &doc.source_path,
                    line,
                    "route-conflict",
                    format!("the attachment `{path}` has the path of a file portolan generates; it is not published"),
                )
                .column(Some(column))
                .help("rename or move the file; generated files always win")
                .source_from(&doc.text),
            );
        }
    }
}
