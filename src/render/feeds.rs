//! Machine-readable outputs: sitemap.xml, catalog.json, llms.txt and a clean
//! markdown copy of each page (llmstxt.org's `index.html.md`).

use crate::landscape::output;
use rayon::prelude::*;
use serde_json::{json, Map, Value};

use super::markdown::escape_html;
use super::pages::SiteData;
use crate::content::doc::fill_heading_lines;
use crate::content::field::FieldValue;
use crate::content::Shape;

/// base_url's origin and the base path, without a trailing slash: the prefix
/// of every absolute URL.
pub fn origin_and_path(config: &crate::config::Config, base_path: &str) -> String {
    let base = config.base_url.trim_end_matches('/');
    let path = base_path.trim_end_matches('/');
    // base_url may be a bare path ("/docs"): then there is no origin to add.
    match base.find("://") {
        Some(i) => {
            let host_end = base[i + 3..].find('/').map_or(base.len(), |j| i + 3 + j);
            format!("{}{path}", &base[..host_end])
        }
        None => path.to_owned(),
    }
}

/// An absolute URL for a site path that already starts with the base path.
pub fn absolute(site: &SiteData<'_>, url: &str) -> String {
    let rest = url.strip_prefix(site.base_path()).unwrap_or(url);
    format!("{}/{rest}", site.origin)
}

pub fn sitemap(site: &SiteData<'_>) -> String {
    let mut entries: Vec<(String, String)> =
        vec![(absolute(site, site.base_path()), String::new())];
    for s in &site.summaries {
        entries.push((absolute(site, &s.url), s.last_updated.clone()));
    }
    for page in ["systems/", "tags/", "agents/"] {
        entries.push((
            absolute(site, &format!("{}{page}", site.base_path())),
            String::new(),
        ));
    }
    for tag in site.tags.keys() {
        entries.push((absolute(site, &site.tag_url(tag)), String::new()));
    }
    for agent in site.agents.keys() {
        entries.push((absolute(site, &site.agent_url(agent)), String::new()));
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, lastmod) in entries {
        out.push_str(&format!("  <url>\n    <loc>{}</loc>\n", escape_html(&loc)));
        if !lastmod.is_empty() {
            out.push_str(&format!(
                "    <lastmod>{}</lastmod>\n",
                escape_html(&lastmod)
            ));
        }
        out.push_str("  </url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

pub fn field_json(value: &FieldValue) -> Value {
    match value {
        FieldValue::Text(t) => json!(t),
        FieldValue::List(items) => Value::Array(items.iter().map(|i| json!(i.text)).collect()),
        FieldValue::Map | FieldValue::Null => Value::Null,
    }
}

/// Pretty JSON with `<`, `>` and `&` as unicode escapes: still the same
/// data for any parser, and inert if someone inlines it into HTML.
fn html_safe_json(value: &Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".to_owned());
    let mut out = String::with_capacity(text.len() + text.len() / 64);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

fn catalog_entry(site: &SiteData<'_>, i: usize) -> Value {
    let doc = &site.catalog.docs[i];
    let s = &site.summaries[i];
    let fields: Map<String, Value> = doc
        .fields
        .iter()
        .map(|f| (f.key.clone(), field_json(&f.value)))
        .collect();
    let related: Vec<Value> = site
        .catalog
        .related_of(i)
        .into_iter()
        .map(|(to, kind)| {
            let to = &site.summaries[to];
            json!({"url": absolute(site, &to.url), "title": to.title, "via": kind})
        })
        .collect();
    let referenced_by: Vec<Value> = site
        .catalog
        .referenced_by(i)
        .into_iter()
        .map(|from| {
            let from = &site.summaries[from];
            json!({"url": absolute(site, &from.url), "title": from.title})
        })
        .collect();
    json!({
        "title": s.title,
        "url": absolute(site, &s.url),
        "source": doc.source_path,
        "shape": doc.shape,
        "type": s.kind,
        "description": s.description,
        "status": s.status,
        "last_updated": s.last_updated,
        "tags": s.tags.iter().map(|t| &t.name).collect::<Vec<_>>(),
        "agents": s.agents.iter().map(|a| &a.name).collect::<Vec<_>>(),
        "systems": site.landscape.doc_systems[i].iter().map(|&s| &site.landscape.systems[s].id).collect::<Vec<_>>(),
        "fields": fields,
        "related": related,
        "referenced_by": referenced_by,
    })
}

/// Every document with its fields and relations. Entries are serialized in
/// parallel and joined, the same text one pretty-printing pass would give.
pub fn catalog_json(site: &SiteData<'_>) -> String {
    let entries: Vec<String> = (0..site.catalog.docs.len())
        .into_par_iter()
        .map(|i| html_safe_json(&catalog_entry(site, i)).replace('\n', "\n    "))
        .collect();
    let mut out = String::with_capacity(entries.iter().map(|e| e.len() + 6).sum::<usize>() + 256);
    // Keys in serde_json's (sorted) order, as one pretty-printing pass writes them.
    out.push_str("{\n  \"base_url\": ");
    out.push_str(&html_safe_json(&json!(site.config.base_url)));
    out.push_str(",\n  \"documents\": [");
    for (n, entry) in entries.iter().enumerate() {
        out.push_str(if n == 0 { "\n    " } else { ",\n    " });
        out.push_str(entry);
    }
    out.push_str(if entries.is_empty() { "]" } else { "\n  ]" });
    // Systems and integrations name documents by URL.
    let doc_url = |d: usize| json!(absolute(site, &site.summaries[d].url));
    for (key, value) in [
        (
            "integrations",
            output::integrations_value(site.landscape, &doc_url),
        ),
        ("systems", output::systems_value(site.landscape, &doc_url)),
    ] {
        out.push_str(&format!(",\n  \"{key}\": "));
        out.push_str(&html_safe_json(&value).replace('\n', "\n  "));
    }
    out.push_str(",\n  \"title\": ");
    out.push_str(&html_safe_json(&json!(site.config.title)));
    out.push_str("\n}\n");
    out
}

/// Text for a markdown line where HTML must stay inert and brackets must
/// not become links.
fn md_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('[', "\\[")
        .replace(']', "\\]")
        .replace(['\n', '\r'], " ")
}

pub fn llms_txt(site: &SiteData<'_>) -> String {
    let mut out = format!("# {}\n\n", md_text(&site.config.title));
    if !site.config.description.is_empty() {
        out.push_str(&format!("> {}\n\n", md_text(&site.config.description)));
    }
    out.push_str(&format!(
        "Each link below is the markdown copy of a catalog page. The full catalog as JSON: {}\n",
        absolute(site, &format!("{}catalog.json", site.base_path()))
    ));
    for shape in Shape::ALL {
        let mut docs: Vec<usize> = (0..site.catalog.docs.len())
            .filter(|&i| site.catalog.docs[i].shape == shape)
            .collect();
        if docs.is_empty() {
            continue;
        }
        docs.sort_by(|&a, &b| site.summaries[a].title.cmp(&site.summaries[b].title));
        out.push_str(&format!("\n## {}\n\n", shape.label()));
        for i in docs {
            let s = &site.summaries[i];
            let url = absolute(site, &format!("{}index.html.md", s.url));
            out.push_str(&format!(
                "- [{}]({})",
                md_text(&s.title),
                url.replace(' ', "%20")
            ));
            if !s.description.is_empty() {
                out.push_str(&format!(": {}", md_text(&s.description)));
            }
            out.push('\n');
        }
    }
    llms_systems(site, &mut out);
    out
}

/// A section per system: what it is, what it talks to, which documents
/// describe it.
fn llms_systems(site: &SiteData<'_>, out: &mut String) {
    let l = site.landscape;
    for (i, system) in l.systems.iter().enumerate() {
        let url = absolute(
            site,
            &crate::render::systems::system_url(site.base_path(), system),
        );
        out.push_str(&format!("\n## System: {}\n\n", md_text(&system.name)));
        let mut facts = vec![match system.kind {
            crate::config::SystemKind::Internal => "internal".to_owned(),
            crate::config::SystemKind::External => "external".to_owned(),
        }];
        facts.extend(system.owner.iter().map(|o| format!("owner {}", md_text(o))));
        facts.extend(
            system
                .domain
                .iter()
                .map(|d| format!("domain {}", md_text(d))),
        );
        out.push_str(&format!(
            "{} ({}), id `{}`, page {}",
            md_text(&system.name),
            facts.join(", "),
            system.id,
            url.replace(' ', "%20")
        ));
        if let Some(d) = &system.description {
            out.push_str(&format!(". {}", md_text(d)));
        }
        out.push('\n');
        let edges: Vec<String> = l
            .touching(i)
            .map(|(_, e)| {
                let mut text = format!(
                    "{} {} {}",
                    md_text(&l.systems[e.from].name),
                    if e.both_ways { "↔" } else { "→" },
                    md_text(&l.systems[e.to].name)
                );
                if !e.protocols.is_empty() {
                    text.push_str(&format!(" ({})", md_text(&e.protocols.join(", "))));
                }
                if e.critical {
                    text.push_str(", critical path");
                }
                text
            })
            .collect();
        if !edges.is_empty() {
            out.push_str(&format!("Integrations: {}.\n", edges.join("; ")));
        }
        if !l.mentions[i].is_empty() {
            out.push('\n');
        }
        for &d in &l.mentions[i] {
            let s = &site.summaries[d];
            let url = absolute(site, &format!("{}index.html.md", s.url));
            out.push_str(&format!(
                "- [{}]({})\n",
                md_text(&s.title),
                url.replace(' ', "%20")
            ));
        }
    }
}

/// The document as clean markdown: title and description first, then the
/// body as written (frontmatter dropped, `{field}` headings filled).
pub fn markdown_copy(site: &SiteData<'_>, i: usize) -> String {
    let doc = &site.catalog.docs[i];
    let s = &site.summaries[i];
    let mut out = format!("# {}\n\n", md_text(&s.title));
    if !s.description.is_empty() {
        out.push_str(&format!("> {}\n\n", md_text(&s.description)));
    }
    let filled = fill_heading_lines(doc.body(), doc.fill_source());
    let body = filled.as_deref().unwrap_or(doc.body());
    let mut skipped_title = false;
    for line in body.lines() {
        if !skipped_title {
            if line.trim().is_empty() {
                continue;
            }
            skipped_title = true;
            if let Some(h1) = line.strip_prefix("# ") {
                if Some(h1.trim()) == doc.title.as_deref() {
                    continue;
                }
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
