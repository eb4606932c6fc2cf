//! Cross-document rules: duplicate ids, broken related entries and links.

use super::Ctx;
use crate::catalog::{EdgeKind, Problem};
use crate::diagnostics::{closest, Diagnostic};

pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let catalog = ctx.catalog;
    // Built on first need: most runs (and serve's every save) have no
    // missing document to suggest one for.
    let suggester = std::cell::OnceCell::new();
    let mut ids: Vec<_> = catalog.by_id.iter().filter(|(_, d)| d.len() > 1).collect();
    ids.sort();
    for (id, docs) in ids {
        for &i in docs {
            let doc = &catalog.docs[i];
            let others: Vec<_> = docs
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| catalog.docs[j].source_path.as_str())
                .collect();
            let field = doc.field("id");
            out.push(
                Diagnostic::error(
                    &doc.source_path,
                    field.map_or(1, |f| f.line),
                    "duplicate-id",
                    format!("id `{id}` is also used by {}", others.join(", ")),
                )
                .column(field.and_then(|f| f.column))
                .help("give each document its own id")
                .source_from(&doc.text),
            );
        }
    }

    for u in &catalog.unresolved {
        let doc = &catalog.docs[u.doc];
        let (code, what) = match u.kind {
            EdgeKind::Related => ("broken-related", "`related` entry"),
            EdgeKind::RelatedFile => ("broken-related", "`related_files` entry"),
            EdgeKind::Link => ("broken-link", "link"),
        };
        // A Hugo `ref` link as written, not as masked for parsing.
        let target = crate::content::hugo::shown(&u.target);
        let hugo_ref = crate::content::hugo::ref_link(&u.target);
        let (message, help) = match &u.problem {
            Problem::LeavesRoot => (
                format!("{what} `{target}` points outside the content directory"),
                Some("link only to documents of this catalog".to_owned()),
            ),
            Problem::Ambiguous(docs) => {
                let paths: Vec<&str> = docs
                    .iter()
                    .map(|&j| catalog.docs[j].source_path.as_str())
                    .collect();
                (
                    format!(
                        "{what} `{target}` could be any of {} documents: {}",
                        docs.len(),
                        paths.join(", ")
                    ),
                    Some(
                        "write the path from the content root (`{{< ref \"/folder/page.md\" >}}`) or a relative link (`[text](../folder/page.md)`)"
                            .to_owned(),
                    ),
                )
            }
            Problem::NoSuchDocument => {
                let (path, anchor) = match hugo_ref {
                    Some(r) => (r.path, r.anchor.map(|a| format!("#{a}"))),
                    None => (
                        crate::catalog::local_target(&u.target)
                            .map(|t| t.path)
                            .unwrap_or_else(|| u.target.clone()),
                        u.target.split_once('#').map(|(_, a)| format!("#{a}")),
                    ),
                };
                let anchor = anchor.unwrap_or_default();
                let suggestion = suggester
                    .get_or_init(|| super::suggest::Suggester::new(catalog))
                    .suggest(&doc.content_path, &path)
                    .map(|s| format!("{s}{anchor}"));
                let id_hint = if u.kind == EdgeKind::Related {
                    closest(&u.target, catalog.by_id.keys().map(String::as_str))
                } else {
                    None
                };
                let help = match (id_hint, suggestion) {
                    (Some(id), _) => Some(format!("did you mean the id `{id}`?")),
                    (None, Some(path)) => Some(format!("did you mean `{path}`?")),
                    (None, None) => None,
                };
                (format!("{what} `{target}` matches no document"), help)
            }
            Problem::NoSuchAnchor { target_doc, anchor } => {
                let linked = &catalog.docs[*target_doc];
                let suggestion = closest(anchor, linked.headings.iter().map(|h| h.id.as_str()));
                (
                    format!(
                        "link `{target}`: {} has no heading `#{anchor}`",
                        linked.source_path
                    ),
                    suggestion.map(|s| format!("did you mean `#{s}`?")),
                )
            }
        };
        // Body links may be warnings (site.toml); `related` entries are
        // the catalog's own data and stay errors.
        let severity = match u.kind {
            EdgeKind::Link => ctx.config.validation.broken_links.severity(),
            EdgeKind::Related | EdgeKind::RelatedFile => crate::Severity::Error,
        };
        out.push(
            Diagnostic::new(&doc.source_path, u.line, severity, code, message)
                .column(u.column)
                .maybe_help(help)
                .source_from(&doc.text),
        );
    }
}
