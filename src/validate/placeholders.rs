//! `placeholder`: template text an author forgot to replace.

use super::fields::{field_type, is_bracket_placeholder};
use super::Ctx;
use crate::config::RuleLevel;
use crate::content::body::find_placeholders;
use crate::content::field::FieldValue;
use crate::content::Doc;
use crate::diagnostics::{Diagnostic, Severity};

pub fn check(ctx: &Ctx<'_>, doc: &Doc, out: &mut Vec<Diagnostic>) {
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
    for p in &doc.prose_placeholders {
        if !found
            .iter()
            .any(|(line, text, _, _)| *line == p.line && *text == p.text)
        {
            found.push((p.line, p.text.clone(), Some(p.column), None));
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
