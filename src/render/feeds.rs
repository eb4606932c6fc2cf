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
    // The home document's page is the home page: one entry, its date.
    let home = site.home_doc();
    let home_updated = home.map_or_else(String::new, |i| site.summaries[i].last_updated.clone());
    let mut entries: Vec<(String, String)> = vec![(absolute(site, site.base_path()), home_updated)];
    for (i, s) in site.summaries.iter().enumerate() {
        if home != Some(i) {
            entries.push((absolute(site, &s.url), s.last_updated.clone()));
        }
    }
    for folder in site.folder_pages() {
        if let Some((file, _)) = site.folder_page(folder) {
            let route = file.trim_end_matches("index.html");
            entries.push((
                absolute(
                    site,
                    &format!("{}{}", site.base_path(), crate::urls::encode_path(route)),
                ),
                String::new(),
            ));
        }
    }
    if let Some(route) = &site.specs.index_route {
        entries.push((
            absolute(site, &format!("{}{route}", site.base_path())),
            String::new(),
        ));
    }
    for spec in &site.specs.specs {
        entries.push((
            absolute(site, &super::specs::spec_url(site, spec)),
            String::new(),
        ));
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

/// A document's frontmatter as a JSON object, in the shape every JSON
/// output (search records, MCP answers) gives it.
pub fn fields_json(doc: &crate::content::Doc) -> Map<String, Value> {
    doc.fields
        .iter()
        .map(|f| (f.key.clone(), field_json(&f.value)))
        .collect()
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
    let fields = fields_json(doc);
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
        "specs": site.specs.doc_specs.get(i).into_iter().flatten().map(|&s| {
            absolute(site, &super::specs::spec_url(site, &site.specs.specs[s]))
        }).collect::<Vec<_>>(),
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
        ("specs", super::specs::specs_value(site)),
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
pub(super) fn md_text(text: &str) -> String {
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
    llms_specs(site, &mut out);
    llms_agents(site, &mut out);
    llms_systems(site, &mut out);
    out
}

/// Every spec: its operations in markdown, and the file itself.
fn llms_specs(site: &SiteData<'_>, out: &mut String) {
    if site.specs.specs.is_empty() {
        return;
    }
    out.push_str("\n## API specs\n\n");
    for spec in &site.specs.specs {
        let page = super::specs::spec_url(site, spec);
        out.push_str(&format!(
            "- [{}]({}): {} {}, {} {}; the file: {}\n",
            md_text(spec.name()),
            absolute(site, &format!("{page}index.html.md")).replace(' ', "%20"),
            spec.kind.label(),
            spec.version,
            spec.operations.len() + spec.channels.len(),
            if spec.operations.is_empty() {
                "channels"
            } else {
                "operations"
            },
            absolute(site, &format!("{}{}", site.base_path(), spec.content_path))
                .replace(' ', "%20"),
        ));
    }
}

/// The context pack of every agent with documents.
fn llms_agents(site: &SiteData<'_>, out: &mut String) {
    let mut any = false;
    for (agent, docs) in &site.agents {
        let (false, Some(path)) = (docs.is_empty(), agent_context_path(site, agent)) else {
            continue;
        };
        if !any {
            out.push_str(
                "
## Agent context packs

",
            );
            any = true;
        }
        let url = absolute(site, &format!("{}{path}", site.base_path()));
        out.push_str(&format!(
            "- [{}]({}): {} document{}",
            md_text(agent),
            url.replace(' ', "%20"),
            docs.len(),
            if docs.len() == 1 { "" } else { "s" }
        ));
        if let Some(d) = site.config.agents.get(agent).map(|a| a.description.trim()) {
            if !d.is_empty() {
                out.push_str(&format!("; {}", md_text(d)));
            }
        }
        out.push('\n');
    }
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
    let s = &site.summaries[i];
    let mut out = format!("# {}\n\n", md_text(&s.title));
    if !s.description.is_empty() {
        out.push_str(&format!("> {}\n\n", md_text(&s.description)));
    }
    markdown_body(site, i, &mut out);
    if let Some(specs) = site.specs.doc_specs.get(i).filter(|s| !s.is_empty()) {
        out.push_str("\n## Specification\n\n");
        for &s in specs {
            super::specs::spec_markdown(site, s, &mut out);
        }
    }
    out
}

/// The body as written: frontmatter dropped, `{field}` headings filled, an
/// opening H1 equal to the title left out.
fn markdown_body(site: &SiteData<'_>, i: usize, out: &mut String) {
    let doc = &site.catalog.docs[i];
    let filled = fill_heading_lines(doc.body(), doc.fill_source());
    let body = filled.as_deref().unwrap_or(doc.body());
    // The file line of the heading that gave the title: it is left out
    // however it is written (markup or code the title shows otherwise).
    let title_line = (doc.headings.iter())
        .find(|h| h.level == 1)
        .filter(|h| Some(h.title()) == doc.title.as_deref())
        .map(|h| h.line);
    let first_line = doc.text[..doc.body_offset].matches('\n').count() + 1;
    // Blank lines before the first text, and after a title left out, are
    // left out too: the header ends in one already.
    let (mut started, mut title_left_out) = (false, false);
    for (n, line) in body.lines().enumerate() {
        if !started {
            if line.trim().is_empty() {
                continue;
            }
            if let Some(h1) = line.strip_prefix("# ").filter(|_| !title_left_out) {
                if Some(h1.trim()) == doc.title.as_deref() || title_line == Some(first_line + n) {
                    title_left_out = true;
                    continue;
                }
            }
            started = true;
        }
        out.push_str(line);
        out.push('\n');
    }
}

/// Where an agent's context pack is published, below its page.
pub fn agent_context_path(site: &SiteData<'_>, agent: &str) -> Option<String> {
    let segment = site.terms.agents.get(agent)?;
    Some(format!("agents/{segment}/context.md"))
}

/// One markdown file an agent can be given as it is: the agent's
/// description, then every relevant document (those with a note for it
/// first), each with its facts, the note and its body. Within
/// `[agents] context_budget_kb`: every document as a summary first, then as
/// many whole ones as fit, in order; past the budget the rest are listed.
pub fn agent_context(site: &SiteData<'_>, agent: &str) -> String {
    let budget = usize::try_from(site.config.context_budget_kb)
        .unwrap_or(usize::MAX / 1024)
        .saturating_mul(1024);
    let docs = site.agents.get(agent).map(Vec::as_slice).unwrap_or(&[]);
    let notes_of = |i: usize| -> Vec<&str> {
        site.catalog.docs[i]
            .agent_notes
            .iter()
            .filter(|n| n.agent == agent && !n.text.is_empty())
            .map(|n| n.text.as_str())
            .collect()
    };
    let mut order: Vec<usize> = docs.to_vec();
    order.sort_by_cached_key(|&i| {
        (
            notes_of(i).is_empty(),
            site.summaries[i].title.to_lowercase(),
            i,
        )
    });

    let mut out = format!("# Context pack: {}\n\n", md_text(agent));
    if let Some(d) = site.config.agents.get(agent).map(|a| &a.description) {
        if !d.trim().is_empty() {
            out.push_str(&format!("> {}\n\n", md_text(d)));
        }
    }
    let page = site
        .terms
        .agents
        .contains_key(agent)
        .then(|| absolute(site, &site.agent_url(agent)));
    out.push_str(&format!(
        "From the catalog \"{}\"{}. {} document{} relevant to {}.",
        md_text(&site.config.title),
        page.as_deref()
            .map(|u| format!(", agent page {}", u.replace(' ', "%20")))
            .unwrap_or_default(),
        order.len(),
        if order.len() == 1 { " is" } else { "s are" },
        md_text(agent),
    ));

    // Summaries of all that fit, then whole documents in order while they
    // fit; nothing is prepared for documents past the budget (an agent of
    // thousands of documents costs what its budget holds).
    let intro = out.len() + 200;
    let mut used = intro;
    let mut summaries: Vec<String> = Vec::new();
    for &i in &order {
        let s = context_summary(site, i, &notes_of(i));
        if used + s.len() > budget {
            break;
        }
        used += s.len();
        summaries.push(s);
    }
    let summarised = summaries.len();
    let mut bodies: Vec<Option<String>> = Vec::with_capacity(summarised);
    for &i in &order[..summarised] {
        let body = (used < budget)
            .then(|| context_body(site, i, budget - used))
            .flatten();
        match body {
            Some(b) if used + b.len() <= budget => {
                used += b.len();
                bodies.push(Some(b));
            }
            _ => bodies.push(None),
        }
    }
    let whole: Vec<bool> = bodies.iter().map(Option::is_some).collect();
    let whole_count = whole.iter().filter(|w| **w).count();
    out.push_str(&format!(
        " {whole_count} whole, {} as summaries{} (budget {} KiB).\n",
        summarised - whole_count,
        match order.len() - summarised {
            0 => String::new(),
            left => format!(", {left} only listed"),
        },
        site.config.context_budget_kb
    ));
    for (summary, body) in summaries.iter().zip(&bodies) {
        out.push_str(summary);
        if let Some(body) = body {
            out.push_str(body);
        }
    }
    if summarised < order.len() {
        out.push_str("\n## Not included (over the budget)\n\n");
        for &i in &order[summarised..] {
            let s = &site.summaries[i];
            let line = format!(
                "- [{}]({})\n",
                md_text(&s.title),
                absolute(site, &format!("{}index.html.md", s.url)).replace(' ', "%20")
            );
            // The list itself stays within reach of the budget.
            if out.len() + line.len() > budget.saturating_add(budget / 10) {
                out.push_str("- …\n");
                break;
            }
            out.push_str(&line);
        }
    }
    out
}

/// A document's heading, facts and the notes for the agent.
fn context_summary(site: &SiteData<'_>, i: usize, notes: &[&str]) -> String {
    let s = &site.summaries[i];
    let mut out = format!("\n---\n\n## {}\n\n", md_text(&s.title));
    let systems: Vec<&str> = site.landscape.doc_systems[i]
        .iter()
        .map(|&x| site.landscape.systems[x].name.as_str())
        .collect();
    let tags: Vec<&str> = s.tags.iter().map(|t| t.name.as_str()).collect();
    let facts = [
        (
            "Markdown",
            absolute(site, &format!("{}index.html.md", s.url)).replace(' ', "%20"),
        ),
        ("Type", s.kind.clone()),
        ("Status", s.status.clone()),
        ("Service", s.service.clone()),
        ("Protocol", s.protocol.clone()),
        ("Direction", s.direction.clone()),
        ("Systems", systems.join(", ")),
        ("Tags", tags.join(", ")),
        ("Last updated", s.last_updated.clone()),
        ("Summary", s.description.clone()),
    ];
    for (label, value) in facts {
        if !value.trim().is_empty() {
            out.push_str(&format!("- {label}: {}\n", md_text(&value)));
        }
    }
    for note in notes {
        out.push_str(&format!("\n**Note for this agent:** {}\n", note.trim()));
    }
    out
}

/// The document's body as in its markdown copy, headings moved one level
/// down so they sit under the document's own `##` heading.
/// None if it cannot fit in `room` bytes: moving headings down only adds
/// bytes, so a body too long before is not parsed (an agent of thousands
/// of documents would parse each on every save of one).
fn context_body(site: &SiteData<'_>, i: usize, room: usize) -> Option<String> {
    let mut body = String::new();
    markdown_body(site, i, &mut body);
    let body = body.trim();
    if body.len() + 2 > room {
        return None;
    }
    Some(format!("\n{}\n", demote_headings(body, 1)))
}

/// ATX headings (outside code) get `levels` more `#`, at most six.
fn demote_headings(markdown: &str, levels: usize) -> String {
    use pulldown_cmark::{Event, Parser, Tag};
    let mut starts: Vec<usize> = Parser::new(markdown)
        .into_offset_iter()
        .filter_map(|(event, range)| match event {
            Event::Start(Tag::Heading { .. }) if markdown[range.start..].starts_with('#') => {
                Some(range.start)
            }
            _ => None,
        })
        .collect();
    starts.dedup();
    let mut out = String::with_capacity(markdown.len() + starts.len() * levels);
    let mut last = 0;
    for start in starts {
        let hashes = markdown[start..].bytes().take_while(|&b| b == b'#').count();
        out.push_str(&markdown[last..start]);
        out.push_str(&"#".repeat((hashes + levels).min(6) - hashes));
        last = start;
    }
    out.push_str(&markdown[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::demote_headings;

    #[test]
    fn headings_move_down_but_not_code_or_past_six() {
        let md = "## A\n\ntext # not a heading\n\n```\n# code\n```\n\n> ### quoted\n\n###### six\n";
        let out = demote_headings(md, 1);
        assert!(out.starts_with("### A\n"), "{out}");
        assert!(out.contains("\n# code\n"), "{out}");
        assert!(out.contains("> #### quoted"), "{out}");
        assert!(out.contains("\n###### six"), "{out}");
        assert!(out.contains("text # not a heading"), "{out}");
    }
}
