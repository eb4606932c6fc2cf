//! `placeholder`: template text an author forgot to replace.

use super::fields::{field_type, is_bracket_placeholder};
use super::Ctx;
use crate::config::RuleLevel;
use crate::content::body::find_placeholders;
use crate::content::field::FieldValue;
use crate::content::Doc;
use crate::diagnostics::{Diagnostic, Severity};

/// Link destinations the templates write where a URL belongs.
const TEMPLATE_DESTINATIONS: &[&str] = &["link", "url", "href", "todo", "tbd", "path", "#link"];

/// Sentence-case words (`Relevant tags`, `List of contributors`): how the
/// seeds describe a value, not a value.
fn is_template_phrase(text: &str) -> bool {
    let mut words = text.split_whitespace();
    let first_capital = words
        .next()
        .is_some_and(|w| w.starts_with(|c: char| c.is_uppercase()));
    first_capital && words.any(|w| w.starts_with(|c: char| c.is_lowercase()))
}

/// `undefined-reference`: `[text][label]` with no `[label]: url` anywhere.
pub fn undefined_references(doc: &Doc, out: &mut Vec<Diagnostic>) {
    for r in &doc.undefined_refs {
        out.push(
            Diagnostic::warning(
                &doc.source_path,
                r.line,
                "undefined-reference",
                format!(
                    "the reference `[{}]` is never defined; the link shows as plain text",
                    r.label
                ),
            )
            .column(Some(r.column))
            .help(format!(
                "add a line `[{}]: https://…` to the document, or write the link inline",
                r.label
            ))
            .source_from(&doc.text),
        );
    }
}

pub fn check(ctx: &Ctx<'_>, doc: &Doc, out: &mut Vec<Diagnostic>) {
    undefined_references(doc, out);
    let severity = match ctx.config.validation.placeholders {
        RuleLevel::Off => return,
        RuleLevel::Warn => Severity::Warning,
        RuleLevel::Error => Severity::Error,
    };
    // (line, text, column, field) of every finding, deduplicated because an
    // inline `**Key**: [value]` line is both a field and prose.
    let mut found: Vec<(usize, String, Option<usize>, Option<&str>)> = Vec::new();
    for field in &doc.fields {
        let key = Some(field.key.as_str());
        match &field.value {
            FieldValue::List(_)
                if is_bracket_placeholder(&field.raw, field_type(ctx, &field.key)) =>
            {
                found.push((field.line, field.raw.trim().to_owned(), field.column, key));
            }
            FieldValue::List(items) => {
                for item in items {
                    // `tags: [integration, Relevant tags]`: the seed's own
                    // words, which YAML reads as one more tag.
                    if field.key == "tags" && item.text.as_deref().is_some_and(is_template_phrase) {
                        found.push((item.line, item.raw.clone(), item.column, key));
                        continue;
                    }
                    match &item.text {
                        None if item.raw.starts_with('[') => {
                            found.push((item.line, item.raw.clone(), item.column, key))
                        }
                        None => {}
                        Some(text) => {
                            for p in find_placeholders(text, false) {
                                found.push((item.line, p.text, item.column, key));
                            }
                        }
                    }
                }
            }
            FieldValue::Text(text) => {
                for p in find_placeholders(text, false) {
                    let column = field
                        .raw
                        .find(&p.text)
                        .map(|off| field.column.unwrap_or(1) + field.raw[..off].chars().count());
                    found.push((field.line, p.text, column.or(field.column), key));
                }
            }
            _ => {}
        }
    }
    // An inline `**Key**: [value]` line is a field and prose: the same
    // finding twice. Two `[Type]` cells on one row are two findings.
    let fields_found = found.len();
    for p in &doc.prose_placeholders {
        let duplicate = found[..fields_found].iter().any(|(line, text, column, _)| {
            *line == p.line && *text == p.text && column.is_none_or(|c| c == p.column)
        });
        if !duplicate {
            found.push((p.line, p.text.clone(), Some(p.column), None));
        }
    }
    // `[System A API Reference](link)`: the seed's link, never filled in.
    for link in &doc.links {
        let dest = link.dest.trim();
        if TEMPLATE_DESTINATIONS
            .iter()
            .any(|t| dest.eq_ignore_ascii_case(t))
        {
            found.push((link.line, format!("({dest})"), Some(link.column), None));
        }
    }
    for (line, text, column, field) in found {
        let mut message = match field {
            Some(key) => format!("unfilled template placeholder `{text}` in `{key}`"),
            None => format!("unfilled template placeholder `{text}`"),
        };
        if doc.repaired_lines.contains(&line) {
            message.push_str(" (as written, this line is not valid YAML either)");
        }
        out.push(
            Diagnostic::new(&doc.source_path, line, severity, "placeholder", message)
                .column(column)
                .help("replace it with the real value, or delete the line if it does not apply")
                .source_from(&doc.text),
        );
    }
}
