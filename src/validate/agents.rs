//! `unknown-agent`: agent names that site.toml's `[agents]` does not declare.

use super::Ctx;
use crate::catalog::looks_like_placeholder;
use crate::content::Doc;
use crate::diagnostics::{closest, Diagnostic};

pub fn check(ctx: &Ctx<'_>, doc: &Doc, out: &mut Vec<Diagnostic>) {
    let declared = &ctx.config.agents;
    // Without declarations every name is as good as another.
    if declared.is_empty() {
        return;
    }
    let Some(field) = doc.field("ai_agent_relevance") else {
        return;
    };
    for entry in field.entries() {
        let Some(name) = entry.text.as_deref().map(str::trim) else {
            continue;
        };
        if name.is_empty() || looks_like_placeholder(name) || declared.contains_key(name) {
            continue;
        }
        let help = match closest(name, declared.keys().map(String::as_str)) {
            Some(c) => {
                format!("did you mean `{c}`? or declare it under [agents.{name}] in site.toml")
            }
            None => format!("declare it under [agents.{name}] in site.toml"),
        };
        out.push(
            Diagnostic::warning(
                &doc.source_path,
                entry.line,
                "unknown-agent",
                format!("agent `{name}` is not declared in site.toml"),
            )
            .column(entry.column)
            .help(help)
            .source_from(&doc.text),
        );
    }
}
