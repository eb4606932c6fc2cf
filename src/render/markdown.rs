//! A document body → HTML: heading ids and anchors, `[REQUIRED]` badges,
//! `.md` links rewritten to page URLs, highlighted code, tables that scroll,
//! and raw HTML escaped (only a few harmless tags pass).

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Parser, Tag, TagEnd};

use super::diagrams::{self, Diagrams, Svg};
use super::highlight;
use crate::catalog::{join_relative, local_target, Catalog};
use crate::content::body::{markdown_options, strip_marker, Marker};
use crate::content::doc::{fill_fields, fill_heading_lines};
use crate::content::Doc;
use crate::urls::encode_path;

/// What a link in a body needs to become a URL.
pub struct LinkContext<'a> {
    pub catalog: &'a Catalog,
    pub routes: &'a [String],
    pub base_path: &'a str,
    /// Non-markdown files of the content dir (images...), copied as they are.
    pub assets: &'a std::collections::BTreeSet<String>,
    pub diagrams: &'a Diagrams,
}

impl LinkContext<'_> {
    pub fn doc_url(&self, doc: usize) -> String {
        format!("{}{}", self.base_path, encode_path(&self.routes[doc]))
    }

    /// The URL a link in `from` should point at; None leaves it as written.
    fn rewrite(&self, from: usize, dest: &str) -> Option<String> {
        let target = local_target(dest)?;
        let anchor = target
            .anchor
            .as_deref()
            .map(|a| format!("#{}", encode_path(a)))
            .unwrap_or_default();
        if target.path.is_empty() {
            return None;
        }
        let doc = &self.catalog.docs[from];
        if target.path.to_ascii_lowercase().ends_with(".md") {
            let to = self
                .catalog
                .resolve_path(&doc.content_path, &target.path)
                .ok()?;
            return Some(format!("{}{anchor}", self.doc_url(to)));
        }
        let joined = join_relative(&doc.content_path, &target.path)?;
        self.assets
            .contains(&joined)
            .then(|| format!("{}{}{anchor}", self.base_path, encode_path(&joined)))
    }
}

pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Tags without attributes that cannot run script or load anything.
const SAFE_TAGS: &[&str] = &[
    "br", "hr", "details", "summary", "sup", "sub", "kbd", "b", "i", "em", "strong", "code",
    "mark", "small", "s", "u", "p", "dl", "dt", "dd",
];

fn is_safe_tag(html: &str) -> bool {
    let t = html.trim();
    let Some(inner) = t.strip_prefix('<').and_then(|s| s.strip_suffix('>')) else {
        return false;
    };
    let inner = inner.trim_end_matches('/').trim();
    let name = inner.strip_prefix('/').unwrap_or(inner);
    SAFE_TAGS.contains(&name.to_ascii_lowercase().as_str())
}

fn badge(marker: Marker) -> &'static str {
    match marker {
        Marker::Required => r#" <span class="badge badge-required">required</span>"#,
        Marker::Optional => r#" <span class="badge badge-optional">optional</span>"#,
    }
}

fn code_block(lang: &str, code: &str) -> String {
    let lang_attr = escape_html(lang);
    if diagrams::is_diagram(lang) {
        // Rendered to SVG by the diagrams stage; until then readable source.
        return format!(
            "<figure class=\"diagram diagram-source\" data-lang=\"mermaid\"><pre><code>{}</code></pre><figcaption>Mermaid diagram (source)</figcaption></figure>\n",
            escape_html(code)
        );
    }
    let (class, body) = match highlight::highlight(lang, code) {
        Some(html) if !lang.is_empty() => ("highlight", html),
        _ if lang.is_empty() => ("plain", escape_html(code)),
        _ => ("unknown", escape_html(code)),
    };
    format!(
        "<div class=\"code-block\" data-lang=\"{lang_attr}\"><button type=\"button\" class=\"copy\" hidden data-pagefind-ignore>Copy</button><pre class=\"{class}\"><code>{body}</code></pre></div>\n"
    )
}

/// Renders document `index` of the catalog.
/// "Flowchart", "Sequence diagram"...: the accessible name of a diagram
/// with neither a description nor a title.
fn diagram_kind(definition: &str) -> String {
    let first = definition
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("%%") && *l != "---")
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("diagram");
    let name = match first {
        "graph" | "flowchart" | "flowchart-elk" => "Flowchart",
        "sequenceDiagram" => "Sequence diagram",
        "classDiagram" | "classDiagram-v2" => "Class diagram",
        "stateDiagram" | "stateDiagram-v2" => "State diagram",
        "erDiagram" => "Entity relationship diagram",
        "gantt" => "Gantt chart",
        "pie" => "Pie chart",
        "journey" => "User journey",
        "gitGraph" => "Git graph",
        "mindmap" => "Mind map",
        "timeline" => "Timeline",
        other => return format!("{other} diagram"),
    };
    name.to_owned()
}

/// An inline SVG figure: the page-unique id replaces mermaid's, and the
/// SVG is an image with an accessible name.
pub fn diagram_figure(svg: &Svg, id: &str, label: &str) -> String {
    let text = svg.svg.replace(diagrams::SVG_ID_PLACEHOLDER, id);
    let (open, rest) = match text.find('>') {
        Some(end) if text.starts_with("<svg") => text.split_at(end),
        _ => return format!("<figure class=\"diagram\">{text}</figure>\n"),
    };
    let mut open = open.to_owned();
    if let Some(start) = open.find(" role=\"") {
        if let Some(len) = open[start + 7..].find('"') {
            open.replace_range(start..start + 8 + len, "");
        }
    }
    let open = open.replacen(
        "<svg",
        &format!(
            "<svg role=\"img\" aria-label=\"{}\"",
            escape_html(label.trim())
        ),
        1,
    );
    format!("<figure class=\"diagram\" data-lang=\"mermaid\">{open}{rest}</figure>\n")
}

/// A rendered diagram waiting for its accessible name: the paragraph that
/// follows it, when the document gives one (seed 000 asks for it).
struct PendingDiagram {
    event: usize,
    svg: Svg,
    id: String,
    kind: String,
    description: Option<String>,
}

impl PendingDiagram {
    fn finish(self, events: &mut [Event<'_>]) {
        let label = self
            .description
            .filter(|d| !d.trim().is_empty())
            .or(self.svg.title.clone())
            .unwrap_or(self.kind);
        events[self.event] = Event::Html(diagram_figure(&self.svg, &self.id, &label).into());
    }
}

pub fn render(index: usize, links: &LinkContext<'_>) -> Rendered {
    let doc: &Doc = &links.catalog.docs[index];
    let filled = fill_heading_lines(doc.body(), &doc.fields);
    let source = filled.as_deref().unwrap_or(doc.body());

    let mut events: Vec<Event<'_>> = Vec::new();
    let mut heading_index = 0usize;
    let mut heading: Option<(u8, Vec<Event<'_>>)> = None;
    let mut code: Option<(String, String)> = None;
    let mut in_comment = false;
    let mut dropped_title = false;
    let mut pending: Option<PendingDiagram> = None;
    let mut diagram_count = 0usize;

    for event in Parser::new_ext(source, markdown_options()) {
        if let Some(p) = pending.as_mut() {
            match &event {
                Event::Start(Tag::Paragraph) if p.description.is_none() => {
                    p.description = Some(String::new());
                }
                Event::Text(t) | Event::Code(t) if p.description.is_some() => {
                    if let Some(d) = p.description.as_mut() {
                        d.push_str(t);
                    }
                }
                Event::SoftBreak | Event::HardBreak => {
                    if let Some(d) = p.description.as_mut() {
                        d.push(' ');
                    }
                }
                Event::End(TagEnd::Paragraph) => {
                    if let Some(p) = pending.take() {
                        p.finish(&mut events);
                    }
                }
                Event::Start(_) if p.description.is_none() => {
                    if let Some(p) = pending.take() {
                        p.finish(&mut events);
                    }
                }
                _ => {}
            }
        }
        if let Some((_, inner)) = heading.as_mut() {
            match event {
                Event::End(TagEnd::Heading(_)) => {
                    let (level, mut inner) = heading.take().expect("in a heading");
                    let info = doc.headings.get(heading_index);
                    heading_index += 1;
                    let id = info.map(|h| h.id.clone()).unwrap_or_default();
                    let marker = info.and_then(|h| h.marker);
                    if marker.is_some() {
                        strip_trailing_marker(&mut inner);
                    }
                    let is_title = level == 1
                        && !dropped_title
                        && info.is_some_and(|h| Some(h.title()) == doc.title.as_deref());
                    if is_title {
                        // The page header shows the title already.
                        dropped_title = true;
                        continue;
                    }
                    let id = escape_html(&id);
                    events.push(Event::Html(format!("<h{level} id=\"{id}\">").into()));
                    events.extend(inner);
                    if let Some(m) = marker {
                        events.push(Event::Html(badge(m).into()));
                    }
                    events.push(Event::Html(
                        format!(" <a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\" data-pagefind-ignore>#</a></h{level}>\n").into(),
                    ));
                }
                Event::Text(t) => inner.push(Event::Text(fill_fields(&t, &doc.fields).into())),
                other => inner.push(sanitize(other, &mut in_comment, links, index)),
            }
            continue;
        }
        if let Some((_, text)) = code.as_mut() {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, text) = code.take().expect("in a code block");
                    let rendered = diagrams::is_diagram(&lang)
                        .then(|| links.diagrams.get(&text))
                        .flatten();
                    match rendered {
                        Some(Ok(svg)) => {
                            if let Some(p) = pending.take() {
                                p.finish(&mut events);
                            }
                            diagram_count += 1;
                            pending = Some(PendingDiagram {
                                event: events.len(),
                                svg: svg.clone(),
                                id: format!("diagram-{diagram_count}"),
                                kind: diagram_kind(&text),
                                description: None,
                            });
                            events.push(Event::Html("".into()));
                        }
                        _ => events.push(Event::Html(code_block(&lang, &text).into())),
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some((level as u8, Vec::new())),
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == '{' || c == ',')
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Start(Tag::Table(a)) => {
                events.push(Event::Html("<div class=\"table-wrap\">".into()));
                events.push(Event::Start(Tag::Table(a)));
            }
            Event::End(TagEnd::Table) => {
                events.push(Event::End(TagEnd::Table));
                events.push(Event::Html("</div>\n".into()));
            }
            Event::Text(t) => events.push(Event::Text(fill_fields(&t, &doc.fields).into())),
            other => events.push(sanitize(other, &mut in_comment, links, index)),
        }
    }

    if let Some(p) = pending.take() {
        p.finish(&mut events);
    }
    let mut html = String::with_capacity(source.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let toc = doc
        .headings
        .iter()
        .filter(|h| (2..=3).contains(&h.level))
        .map(|h| TocEntry {
            level: h.level,
            id: h.id.clone(),
            title: h.title().to_owned(),
        })
        .collect();
    Rendered { html, toc }
}

/// Removes a trailing `[REQUIRED]`/`[OPTIONAL]` from a heading's inline
/// events. pulldown-cmark hands brackets over as separate text events, so the
/// trailing run of text is joined before the marker is cut off.
fn strip_trailing_marker(inner: &mut Vec<Event<'_>>) {
    let mut tail = String::new();
    while let Some(Event::Text(t)) = inner.last() {
        tail.insert_str(0, t);
        inner.pop();
    }
    let (kept, _) = strip_marker(&tail);
    if !kept.is_empty() {
        inner.push(Event::Text(kept.to_owned().into()));
    }
}

/// Links rewritten; raw HTML escaped unless harmless; comments dropped.
fn sanitize<'a>(
    event: Event<'a>,
    in_comment: &mut bool,
    links: &LinkContext<'_>,
    index: usize,
) -> Event<'a> {
    let mut event = event;
    if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = &mut event {
        if let Some(url) = links.rewrite(index, dest_url) {
            *dest_url = CowStr::from(url);
        }
    }
    match event {
        Event::Html(h) => html_event(h, in_comment, true),
        Event::InlineHtml(h) => html_event(h, in_comment, false),
        other => other,
    }
}

fn html_event<'a>(html: CowStr<'a>, in_comment: &mut bool, block: bool) -> Event<'a> {
    let trimmed = html.trim_start();
    if *in_comment || trimmed.starts_with("<!--") {
        *in_comment = !html.contains("-->");
        return Event::Html("".into());
    }
    if is_safe_tag(&html) {
        return if block {
            Event::Html(html)
        } else {
            Event::InlineHtml(html)
        };
    }
    let escaped = escape_html(&html);
    if block {
        Event::Html(escaped.into())
    } else {
        Event::InlineHtml(escaped.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_get_unique_ids_and_an_accessible_name() {
        let svg = Svg {
            svg: r#"<svg id="portolan-mermaid-svg" role="graphics-document document" class="flowchart"><style>#portolan-mermaid-svg .node{}</style></svg>"#.into(),
            title: None,
            desc: None,
        };
        let html = diagram_figure(&svg, "diagram-2", "Checkout \"asks\" <Stripe>");
        assert!(html.contains(r#"<svg role="img" aria-label="Checkout &quot;asks&quot; &lt;Stripe&gt;" id="diagram-2" class="flowchart">"#), "{html}");
        assert!(html.contains("#diagram-2 .node"));
        assert!(!html.contains("portolan-mermaid-svg"));
        assert!(!html.contains("graphics-document"));
    }

    #[test]
    fn diagram_kinds() {
        assert_eq!(diagram_kind("graph LR\n a-->b"), "Flowchart");
        assert_eq!(
            diagram_kind("%% comment\nsequenceDiagram\n"),
            "Sequence diagram"
        );
        assert_eq!(diagram_kind("quadrantChart\n"), "quadrantChart diagram");
    }
}
