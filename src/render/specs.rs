//! Specs as pages: what the spec page and a referencing document's
//! "Specification" section show, read from the catalog's spec model.
//! Descriptions are CommonMark (as both specifications say), rendered and
//! sanitized like documents' raw HTML; examples are highlighted.

use serde::Serialize;

use super::markdown::escape_html;
use super::pages::{Link, SiteData};
use crate::specs::{Body, Media, Message, Operation, Param, Schema, Spec, SpecKind};

#[derive(Serialize)]
pub struct SpecView {
    pub name: String,
    pub kind: &'static str,
    pub version: String,
    pub api_version: String,
    pub description_html: String,
    pub url: String,
    pub anchor: String,
    pub download_url: String,
    pub file_name: String,
    pub source_path: String,
    pub servers: Vec<crate::specs::Server>,
    pub groups: Vec<GroupView>,
    pub channels: Vec<ChannelView>,
    pub documents: Vec<Link>,
    pub operation_count: usize,
}

#[derive(Serialize)]
pub struct GroupView {
    pub name: String,
    pub description: String,
    pub id: String,
    pub operations: Vec<OpView>,
}

#[derive(Serialize)]
pub struct OpView {
    pub method: String,
    pub method_class: String,
    pub path: String,
    pub summary: String,
    pub description_html: String,
    pub operation_id: String,
    pub anchor: String,
    pub deprecated: bool,
    /// In a document's section: the document names this operation.
    pub mentioned: bool,
    pub params: Vec<Param>,
    pub request: Option<BodyView>,
    pub responses: Vec<ResponseView>,
}

#[derive(Serialize)]
pub struct BodyView {
    pub description: String,
    pub required: bool,
    pub media: Vec<MediaView>,
}

#[derive(Serialize)]
pub struct ResponseView {
    pub status: String,
    pub status_class: &'static str,
    pub description: String,
    pub media: Vec<MediaView>,
}

#[derive(Serialize)]
pub struct MediaView {
    pub media_type: String,
    pub schema: Option<Schema>,
    pub examples: Vec<ExampleView>,
}

#[derive(Serialize)]
pub struct ExampleView {
    pub label: String,
    pub html: String,
}

#[derive(Serialize)]
pub struct ChannelView {
    pub name: String,
    pub address: String,
    pub title: String,
    pub description_html: String,
    pub anchor: String,
    pub mentioned: bool,
    pub params: Vec<Param>,
    pub operations: Vec<crate::specs::ChannelOp>,
    pub messages: Vec<MessageView>,
}

#[derive(Serialize)]
pub struct MessageView {
    pub name: String,
    pub title: String,
    pub summary: String,
    pub description_html: String,
    pub content_type: String,
    pub payload: Option<Schema>,
    pub headers: Option<Schema>,
    pub examples: Vec<ExampleView>,
}

/// CommonMark from a spec, as sanitized HTML.
fn markdown_html(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    let parser = pulldown_cmark::Parser::new_ext(text, crate::content::body::markdown_options());
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    super::sanitize::clean_html(&html)
}

/// A short description (a table cell) as sanitized inline HTML: its one
/// paragraph without the `<p>`.
fn inline_html(text: &str) -> String {
    let html = markdown_html(text);
    let trimmed = html.trim();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|t| t.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_owned(),
        _ => html,
    }
}

/// A schema whose descriptions are HTML (they are CommonMark in a spec).
fn schema_html(schema: &Schema) -> Schema {
    let mut out = schema.clone();
    out.description = inline_html(&out.description);
    for row in &mut out.rows {
        row.description = inline_html(&row.description);
    }
    out
}

fn params_html(params: &[Param]) -> Vec<Param> {
    params
        .iter()
        .map(|p| Param {
            description: inline_html(&p.description),
            ..p.clone()
        })
        .collect()
}

fn example(label: &str, text: &str) -> ExampleView {
    let lang = if text.trim_start().starts_with(['{', '[']) {
        "json"
    } else {
        "yaml"
    };
    let inner = super::highlight::highlight(lang, text).unwrap_or_else(|| escape_html(text));
    ExampleView {
        label: label.to_owned(),
        html: format!("<pre class=\"code\"><code class=\"language-{lang}\">{inner}</code></pre>"),
    }
}

fn media(m: &[Media]) -> Vec<MediaView> {
    m.iter()
        .map(|m| MediaView {
            media_type: m.media_type.clone(),
            schema: m.schema.as_ref().map(schema_html),
            examples: m.examples.iter().map(|(l, t)| example(l, t)).collect(),
        })
        .collect()
}

fn body(b: &Body) -> BodyView {
    BodyView {
        description: b.description.clone(),
        required: b.required,
        media: media(&b.media),
    }
}

fn op(o: &Operation) -> OpView {
    OpView {
        method: o.method.clone(),
        method_class: o.method.to_ascii_lowercase(),
        path: o.path.clone(),
        summary: o.summary.clone(),
        description_html: markdown_html(&o.description),
        operation_id: o.operation_id.clone(),
        anchor: o.anchor.clone(),
        deprecated: o.deprecated,
        mentioned: false,
        params: params_html(&o.params),
        request: o.request.as_ref().map(body),
        responses: o
            .responses
            .iter()
            .map(|r| ResponseView {
                status_class: match r.status.chars().next() {
                    Some('2') => "ok",
                    Some('3') => "redirect",
                    Some('4') | Some('5') => "error",
                    _ => "other",
                },
                status: r.status.clone(),
                description: r.description.clone(),
                media: media(&r.media),
            })
            .collect(),
    }
}

fn message(m: &Message) -> MessageView {
    MessageView {
        name: m.name.clone(),
        title: m.title.clone(),
        summary: m.summary.clone(),
        description_html: markdown_html(&m.description),
        content_type: m.content_type.clone(),
        payload: m.payload.as_ref().map(schema_html),
        headers: m.headers.as_ref().map(schema_html),
        examples: m.examples.iter().map(|(l, t)| example(l, t)).collect(),
    }
}

/// Where spec `s`'s page is, under the base path.
pub fn spec_url(site: &SiteData<'_>, spec: &Spec) -> String {
    format!("{}{}", site.base_path(), spec.route)
}

pub fn spec_view(site: &SiteData<'_>, s: usize) -> SpecView {
    let spec = &site.specs.specs[s];
    let groups = spec
        .tag_groups()
        .into_iter()
        .map(|(name, description, ops)| GroupView {
            id: format!("tag-{}", crate::slug::url_slug(&name)),
            name,
            description,
            operations: ops.iter().map(|&i| op(&spec.operations[i])).collect(),
        })
        .collect();
    let channels = spec
        .channels
        .iter()
        .map(|c| ChannelView {
            name: c.name.clone(),
            address: c.address.clone(),
            title: c.title.clone(),
            description_html: markdown_html(&c.description),
            anchor: c.anchor.clone(),
            mentioned: false,
            params: params_html(&c.params),
            operations: c.operations.clone(),
            messages: c.messages.iter().map(message).collect(),
        })
        .collect();
    let file_name = spec
        .content_path
        .rsplit('/')
        .next()
        .unwrap_or(&spec.content_path)
        .to_owned();
    SpecView {
        name: spec.name().to_owned(),
        kind: spec.kind.label(),
        version: spec.version.clone(),
        api_version: spec.api_version.clone(),
        description_html: markdown_html(&spec.description),
        url: spec_url(site, spec),
        anchor: format!("spec-{}", crate::slug::url_slug(&spec.route)),
        download_url: format!("{}{}", site.base_path(), spec.content_path),
        file_name,
        source_path: spec.source_path.clone(),
        servers: spec.servers.clone(),
        groups,
        channels,
        documents: spec
            .documents
            .iter()
            .map(|&d| Link {
                name: site.summaries[d].title.clone(),
                url: site.summaries[d].url.clone(),
            })
            .collect(),
        operation_count: match spec.kind {
            SpecKind::OpenApi => spec.operations.len(),
            SpecKind::AsyncApi => spec.channels.len(),
        },
    }
}

/// The specs for catalog.json: each with its operations or channels, the
/// documents referencing it, and its page and file.
pub fn specs_value(site: &SiteData<'_>) -> serde_json::Value {
    use super::feeds::absolute;
    let list: Vec<serde_json::Value> = site
        .specs
        .specs
        .iter()
        .map(|spec| {
            let page = spec_url(site, spec);
            let operations: Vec<serde_json::Value> = spec
                .operations
                .iter()
                .map(|o| {
                    serde_json::json!({
                        "method": o.method,
                        "path": o.path,
                        "operation_id": o.operation_id,
                        "summary": o.summary,
                        "tags": o.tags,
                        "deprecated": o.deprecated,
                        "url": absolute(site, &format!("{page}#{}", o.anchor)),
                    })
                })
                .collect();
            let channels: Vec<serde_json::Value> = spec
                .channels
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "name": c.name,
                        "address": c.address,
                        "operations": c.operations.iter().map(|o| serde_json::json!({"action": o.action, "id": o.id, "summary": o.summary})).collect::<Vec<_>>(),
                        "messages": c.messages.iter().map(|m| m.name.clone()).collect::<Vec<_>>(),
                        "url": absolute(site, &format!("{page}#{}", c.anchor)),
                    })
                })
                .collect();
            serde_json::json!({
                "title": spec.name(),
                "kind": spec.kind,
                "version": spec.version,
                "api_version": spec.api_version,
                "source": spec.source_path,
                "url": absolute(site, &page),
                "file": absolute(site, &format!("{}{}", site.base_path(), spec.content_path)),
                "servers": spec.servers.iter().map(|s| s.url.clone()).collect::<Vec<_>>(),
                "operations": operations,
                "channels": channels,
                "documents": spec.documents.iter().map(|&d| absolute(site, &site.summaries[d].url)).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::Value::Array(list)
}

/// One spec on the page listing them all.
#[derive(Serialize)]
pub struct IndexRow {
    pub name: String,
    pub url: String,
    pub kind: &'static str,
    pub version: String,
    pub api_version: String,
    pub count: usize,
    pub unit: &'static str,
    pub file: String,
    pub documents: Vec<Link>,
}

/// Every spec, by name.
pub fn index_rows(site: &SiteData<'_>) -> Vec<IndexRow> {
    let mut rows: Vec<IndexRow> = site
        .specs
        .specs
        .iter()
        .map(|spec| {
            let (count, unit) = match spec.kind {
                SpecKind::OpenApi => (spec.operations.len(), "operation"),
                SpecKind::AsyncApi => (spec.channels.len(), "channel"),
            };
            IndexRow {
                name: spec.name().to_owned(),
                url: spec_url(site, spec),
                kind: spec.kind.label(),
                version: spec.version.clone(),
                api_version: spec.api_version.clone(),
                count,
                unit,
                file: spec.content_path.clone(),
                documents: spec
                    .documents
                    .iter()
                    .map(|&d| Link {
                        name: site.summaries[d].title.clone(),
                        url: site.summaries[d].url.clone(),
                    })
                    .collect(),
            }
        })
        .collect();
    rows.sort_by_key(|r| r.name.to_lowercase());
    rows
}

/// The spec sections of document `i`'s page.
pub fn doc_specs(site: &SiteData<'_>, i: usize) -> Vec<SpecView> {
    site.specs
        .doc_specs
        .get(i)
        .into_iter()
        .flatten()
        .map(|&s| {
            let mut view = spec_view(site, s);
            let named = |anchor: &str| {
                site.specs.matched[i]
                    .iter()
                    .any(|m| m.spec == s && m.anchor == anchor)
            };
            for op in view.groups.iter_mut().flat_map(|g| g.operations.iter_mut()) {
                op.mentioned = named(&op.anchor);
            }
            for c in &mut view.channels {
                c.mentioned = named(&c.anchor);
            }
            view
        })
        .collect()
}

/// The spec in markdown, for a document's markdown copy and llms.txt
/// readers: every operation or channel, linked to its anchor.
pub fn spec_markdown(site: &SiteData<'_>, s: usize, out: &mut String) {
    let spec = &site.specs.specs[s];
    let url = super::feeds::absolute(site, &spec_url(site, spec));
    out.push_str(&format!(
        "### {} ({} {})\n\n[The spec's page]({url}) · file `{}`\n\n",
        super::feeds::md_text(spec.name()),
        spec.kind.label(),
        spec.version,
        spec.content_path
    ));
    match spec.kind {
        SpecKind::OpenApi => {
            out.push_str("| Method | Path | Summary |\n|---|---|---|\n");
            for o in &spec.operations {
                out.push_str(&format!(
                    "| {} | [`{}`]({url}#{}) | {} |\n",
                    o.method,
                    o.path.replace('|', "\\|"),
                    o.anchor,
                    cell(&o.summary)
                ));
            }
        }
        SpecKind::AsyncApi => {
            out.push_str("| Channel | Operations | Messages |\n|---|---|---|\n");
            for c in &spec.channels {
                let ops: Vec<String> = c
                    .operations
                    .iter()
                    .map(|o| format!("{} `{}`", o.action, o.id))
                    .collect();
                let messages: Vec<&str> = c.messages.iter().map(|m| m.name.as_str()).collect();
                out.push_str(&format!(
                    "| [`{}`]({url}#{}) | {} | {} |\n",
                    c.address.replace('|', "\\|"),
                    c.anchor,
                    cell(&ops.join(", ")),
                    cell(&messages.join(", "))
                ));
            }
        }
    }
    out.push('\n');
}

/// Text for a markdown table cell: inert HTML, no links, no new cells.
fn cell(text: &str) -> String {
    super::feeds::md_text(text).replace('|', "\\|")
}
