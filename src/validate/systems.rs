//! `unknown-system`, `ambiguous-system`, `unmapped-document`: what the
//! landscape could not place, said where the document names it.

use crate::catalog::Catalog;
use crate::config::{Config, Notice};
use crate::diagnostics::{Diagnostic, Severity};
use crate::landscape::{FindingKind, Landscape};

pub fn check(catalog: &Catalog, config: &Config, landscape: &Landscape, out: &mut Vec<Diagnostic>) {
    for f in &landscape.findings {
        let doc = &catalog.docs[f.doc];
        let d = match &f.kind {
            FindingKind::Unknown { name, closest } => Diagnostic::warning(
                &doc.source_path,
                f.line,
                "unknown-system",
                format!("`{name}` matches none of the systems declared in site.toml"),
            )
            .help(match closest {
                Some(c) => format!(
                    "did you mean `{c}`? If `{name}` is another name for it, add it to that system's `aliases`; if it is a system of its own, declare it as [systems.{}]",
                    crate::landscape::identity::normalize(name)
                ),
                None => format!(
                    "declare it as [systems.{}] in site.toml, or add `{name}` to the `aliases` of the system it means",
                    crate::landscape::identity::normalize(name)
                ),
            }),
            FindingKind::Ambiguous {
                name,
                first,
                second,
            } => Diagnostic::warning(
                &doc.source_path,
                f.line,
                "ambiguous-system",
                format!("`{name}` could mean the declared system `{first}` or `{second}`"),
            )
            .help(format!(
                "name the system exactly as site.toml does, or remove the alias the two systems share; the map uses `{first}`"
            )),
            FindingKind::Unmapped => Diagnostic::new(
                &doc.source_path,
                f.line,
                match config.validation.unmapped_documents {
                    Notice::Warn => Severity::Warning,
                    _ => Severity::Info,
                },
                "unmapped-document",
                "no system could be read from this document, so the systems map leaves it out",
            )
            .help(
                "name the systems in the title (\"A → B\", \"A ↔ B\"), in `source`/`destination` or `service` fields, or in `**Source:**`/`**Destination:**` lines",
            ),
        };
        out.push(d.column(f.column).source_from(&doc.text));
    }
}
