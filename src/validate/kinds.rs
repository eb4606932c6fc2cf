//! `[kinds.X]` rules: fields and sections a document of type X must have.

use super::Ctx;
use crate::content::field::FieldValue;
use crate::content::Doc;
use crate::diagnostics::Diagnostic;

pub fn check(ctx: &Ctx<'_>, doc: &Doc, out: &mut Vec<Diagnostic>) {
    let kind = doc.kind();
    let Some((name, rule)) = ctx
        .config
        .kinds
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(&kind))
    else {
        return;
    };
    for required in &rule.required {
        let present = doc.field(required).is_some_and(|f| match &f.value {
            FieldValue::Text(t) => !t.trim().is_empty(),
            FieldValue::List(items) => !items.is_empty(),
            FieldValue::Map => true,
            FieldValue::Null => false,
        });
        if !present {
            let help = if doc.has_frontmatter {
                format!("add `{required}: ...` to the frontmatter")
            } else {
                format!(
                    "add a `**{}**: ...` line under the title",
                    title_case(required)
                )
            };
            out.push(
                Diagnostic::error(
                    &doc.source_path,
                    1,
                    "missing-field",
                    format!("documents of type `{name}` need the field `{required}`"),
                )
                .help(help)
                .source_from(&doc.text),
            );
        }
    }
    for section in &rule.required_sections {
        let wanted = section.trim();
        if !doc
            .headings
            .iter()
            .any(|h| h.title().eq_ignore_ascii_case(wanted))
        {
            out.push(
                Diagnostic::error(
                    &doc.source_path,
                    doc.headings
                        .iter()
                        .find(|h| h.level == 1)
                        .map_or(1, |h| h.line),
                    "missing-section",
                    format!("documents of type `{name}` need a section `{wanted}`"),
                )
                .help(format!("add a `## {wanted}` heading"))
                .source_from(&doc.text),
            );
        }
    }
}

fn title_case(key: &str) -> String {
    key.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}
