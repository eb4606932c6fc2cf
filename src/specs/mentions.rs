//! What a document's prose says an API has: endpoints in tables with a
//! Method and a Path column, `**Endpoint:** \`POST /v2/orders\``, headings
//! and code spans like `GET /v2/orders/{id}`; for event APIs, channels,
//! operations and messages in tables or after a `**Channel:**` label.
//! Code blocks are never read: their URLs are examples, not claims.

use std::sync::LazyLock;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use regex::Regex;

use crate::content::source::LineIndex;
use crate::content::Doc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// An HTTP operation; no method when only a path is written.
    Http {
        method: Option<String>,
        path: String,
    },
    Channel(String),
    Operation(String),
    Message(String),
}

/// The side of an integration a section describes, from its heading
/// ("Inbound Endpoints", "Outbound Endpoints", as seed 000 writes them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Inbound,
    Outbound,
}

fn side_of(heading: &str) -> Option<Side> {
    let h = heading.to_ascii_lowercase();
    if h.contains("inbound") || h.contains("incoming") {
        Some(Side::Inbound)
    } else if h.contains("outbound") || h.contains("outgoing") {
        Some(Side::Outbound)
    } else {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    pub claim: Claim,
    /// The side the section it is written in describes, if its heading
    /// says.
    pub side: Option<Side>,
    /// As written, for messages.
    pub written: String,
    pub line: usize,
    pub column: usize,
}

const HTTP_METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
];

static HEADING_OP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|TRACE)\s+(/[^\s`]*|https?://[^\s`]+)")
        .expect("valid regex")
});

/// `POST /v2/orders` → (Some(POST), /v2/orders); `/v2/orders` → (None, ...).
pub fn parse_http(text: &str) -> Option<(Option<String>, String)> {
    let text = text.trim().trim_matches('`').trim();
    let (method, path) = match text.split_once(char::is_whitespace) {
        Some((m, rest)) if HTTP_METHODS.contains(&m.to_ascii_uppercase().as_str()) => {
            (Some(m.to_ascii_uppercase()), rest.trim())
        }
        _ => (None, text),
    };
    path_like(path).then(|| (method, path.to_owned()))
}

fn path_like(path: &str) -> bool {
    (path.starts_with('/') || path.starts_with("https://") || path.starts_with("http://"))
        && !path.contains(char::is_whitespace)
        && !path.contains('[')
        && path.len() > 1
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Method,
    Path,
    Channel,
    Operation,
    Message,
    Other,
}

fn column_of(header: &str) -> Column {
    let h = header
        .trim()
        .trim_matches(|c: char| c == '*' || c == '_')
        .to_ascii_lowercase();
    match h.as_str() {
        "method" | "http method" | "verb" | "http verb" => Column::Method,
        "endpoint" | "path" | "route" | "url" | "uri" | "resource" | "endpoint path" => {
            Column::Path
        }
        "channel" | "topic" | "queue" | "address" | "subject" | "stream" | "channel address" => {
            Column::Channel
        }
        "operation" | "operation id" | "operationid" => Column::Operation,
        "message" | "message type" | "message name" | "event" | "event type" | "event name" => {
            Column::Message
        }
        _ => Column::Other,
    }
}

/// A claim written after a bold label (`**Channel:**`).
fn labelled(label: &str, value: &str) -> Option<Claim> {
    let label = label
        .trim()
        .trim_end_matches(':')
        .trim()
        .to_ascii_lowercase();
    let value = value.trim();
    if value.is_empty() || value.contains('[') {
        return None;
    }
    match label.as_str() {
        "endpoint" | "path" | "route" => {
            parse_http(value).map(|(method, path)| Claim::Http { method, path })
        }
        "channel" | "topic" | "queue" | "address" => Some(Claim::Channel(value.to_owned())),
        "operation" | "operation id" => Some(Claim::Operation(value.to_owned())),
        "message" | "event" | "event type" => Some(Claim::Message(value.to_owned())),
        _ => None,
    }
}

#[derive(Default)]
struct Table {
    columns: Vec<Column>,
    in_head: bool,
    /// The row being read: each cell's text and where it starts.
    row: Vec<(String, usize)>,
}

pub fn mentions(doc: &Doc) -> Vec<Mention> {
    let body = &doc.text[doc.body_offset..];
    let lines = LineIndex::new(&doc.text);
    let position = |offset: usize| lines.position(&doc.text, doc.body_offset + offset);
    let mut out: Vec<Mention> = Vec::new();
    // The side of the enclosing section: (its heading level, side).
    let mut side: Option<(u8, Side)> = None;
    let mut push = |claim: Claim, written: &str, offset: usize, side: Option<Side>| {
        let (line, column) = position(offset);
        let mention = Mention {
            claim,
            side,
            written: written.trim().to_owned(),
            line,
            column,
        };
        if !out.contains(&mention) {
            out.push(mention);
        }
    };
    let mut table: Option<Table> = None;
    let mut cell: Option<(String, usize)> = None;
    let mut heading: Option<(String, usize, u8)> = None;
    let mut strong: Option<String> = None;
    // The label of the last bold run, while only `:` and spaces follow it.
    let mut label: Option<String> = None;
    let mut in_code_block = false;
    for (event, range) in
        Parser::new_ext(body, crate::content::body::markdown_options()).into_offset_iter()
    {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            _ if in_code_block => {}
            Event::Start(Tag::Table(_)) => table = Some(Table::default()),
            Event::End(TagEnd::Table) => table = None,
            Event::Start(Tag::TableHead) => {
                if let Some(t) = table.as_mut() {
                    t.in_head = true;
                }
            }
            Event::Start(Tag::TableCell) => cell = Some((String::new(), range.start)),
            Event::End(TagEnd::TableCell) => {
                if let (Some(t), Some(c)) = (table.as_mut(), cell.take()) {
                    if t.in_head {
                        t.columns.push(column_of(&c.0));
                    } else {
                        t.row.push(c);
                    }
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let Some(t) = table.as_mut() {
                    t.in_head = false;
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(t) = table.as_mut() {
                    let row = std::mem::take(&mut t.row);
                    let at = side.map(|s| s.1);
                    table_row(&t.columns, &row, &mut |c, w, o| push(c, w, o, at));
                }
            }
            Event::Start(Tag::Heading { level, .. }) => {
                // The heading as written: `{id}` at its end would otherwise
                // be read as an attribute block and dropped.
                let raw = body.get(range.clone()).unwrap_or("");
                let raw = raw.lines().next().unwrap_or("").trim_start_matches('#');
                heading = Some((raw.to_owned(), range.start, level as u8))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((text, start, level)) = heading.take() {
                    if side.is_some_and(|(l, _)| level <= l) {
                        side = None;
                    }
                    if let Some(s) = side_of(&text) {
                        side = Some((level, s));
                    }
                    for caps in HEADING_OP.captures_iter(&text) {
                        if let Some((method, path)) = parse_http(&caps[0]) {
                            push(
                                Claim::Http { method, path },
                                &caps[0],
                                start,
                                side.map(|s| s.1),
                            );
                        }
                    }
                }
            }
            Event::Start(Tag::Strong) => strong = Some(String::new()),
            Event::End(TagEnd::Strong) => label = strong.take(),
            Event::End(TagEnd::Paragraph | TagEnd::Item) => label = None,
            Event::Text(t) => {
                if let Some(s) = strong.as_mut() {
                    s.push_str(&t);
                }
                if let Some(c) = cell.as_mut() {
                    c.0.push_str(&t);
                }
                if strong.is_none() && !t.trim().trim_start_matches(':').trim().is_empty() {
                    label = None;
                }
            }
            Event::Code(code) => {
                if let Some(c) = cell.as_mut() {
                    c.0.push_str(&code);
                    continue;
                }
                if heading.is_some() {
                    continue;
                }
                if let Some(l) = label.take() {
                    if let Some(claim) = labelled(&l, &code) {
                        push(claim, &code, range.start, side.map(|s| s.1));
                        continue;
                    }
                }
                // A bare `POST /v2/orders` anywhere in the prose.
                if let Some((Some(method), path)) = parse_http(&code) {
                    push(
                        Claim::Http {
                            method: Some(method),
                            path,
                        },
                        &code,
                        range.start,
                        side.map(|s| s.1),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

fn table_row(
    columns: &[Column],
    row: &[(String, usize)],
    push: &mut impl FnMut(Claim, &str, usize),
) {
    let cell = |kind: Column| {
        columns
            .iter()
            .position(|c| *c == kind)
            .and_then(|i| row.get(i))
            .filter(|(text, _)| !text.trim().is_empty() && !text.contains('['))
    };
    if let Some((path, at)) = cell(Column::Path) {
        let methods: Vec<String> = cell(Column::Method)
            .map(|(m, _)| {
                m.split(|c: char| c == '/' || c == ',' || c.is_whitespace())
                    .map(|m| m.trim().trim_matches('`').to_ascii_uppercase())
                    .filter(|m| HTTP_METHODS.contains(&m.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        if let Some((written_method, path_text)) = parse_http(path) {
            if methods.is_empty() {
                push(
                    Claim::Http {
                        method: written_method,
                        path: path_text,
                    },
                    path,
                    *at,
                );
            } else {
                for m in methods {
                    let written = format!("{m} {path_text}");
                    push(
                        Claim::Http {
                            method: Some(m),
                            path: path_text.clone(),
                        },
                        &written,
                        *at,
                    );
                }
            }
        }
    }
    let plain = |text: &str| {
        let t = text.trim().trim_matches('`').trim().to_owned();
        (!t.is_empty() && !t.contains(char::is_whitespace)).then_some(t)
    };
    if let Some((channel, at)) = cell(Column::Channel) {
        if let Some(c) = plain(channel) {
            push(Claim::Channel(c.clone()), &c, *at);
        }
    }
    if let Some((op, at)) = cell(Column::Operation) {
        if let Some(o) = plain(op) {
            push(Claim::Operation(o.clone()), &o, *at);
        }
    }
    if let Some((message, at)) = cell(Column::Message) {
        if let Some(m) = plain(message) {
            push(Claim::Message(m.clone()), &m, *at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Doc {
        Doc::parse(
            "content/a.md".into(),
            "a.md".into(),
            crate::content::source::decode(text.as_bytes()),
        )
    }

    fn http(doc_text: &str) -> Vec<(Option<String>, String, usize)> {
        mentions(&doc(doc_text))
            .into_iter()
            .filter_map(|m| match m.claim {
                Claim::Http { method, path } => Some((method, path, m.line)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn tables_labels_headings_and_code_spans_name_endpoints() {
        let found = http(
            "---\ntitle: A\n---\n\n| Method | Endpoint | Purpose |\n|---|---|---|\n| GET | `/users/{id}` | x |\n| POST, PUT | `/orders` | y |\n| [HTTP Method] | `/api/v1/[endpoint1]` | z |\n\n**Endpoint:** `/v2/refunds`\n\n### DELETE /v2/orders/{id}\n\nCall `PATCH /v2/orders/{id}` to amend.\n\n```\nGET /not/a/claim\n```\n",
        );
        let got: Vec<(Option<&str>, &str, usize)> = found
            .iter()
            .map(|(m, p, l)| (m.as_deref(), p.as_str(), *l))
            .collect();
        assert_eq!(
            got,
            vec![
                (Some("GET"), "/users/{id}", 7),
                (Some("POST"), "/orders", 8),
                (Some("PUT"), "/orders", 8),
                (None, "/v2/refunds", 11),
                (Some("DELETE"), "/v2/orders/{id}", 13),
                (Some("PATCH"), "/v2/orders/{id}", 15),
            ]
        );
    }

    #[test]
    fn event_tables_and_labels_name_channels() {
        let found = mentions(&doc(
            "# A\n\n| Topic | Event | Producer |\n|---|---|---|\n| `order-events` | OrderPlaced | Orders |\n\n**Channel:** `inventory.adjusted`\n\n**Operation:** `sendOrderPlaced`\n",
        ));
        let claims: Vec<Claim> = found.into_iter().map(|m| m.claim).collect();
        assert_eq!(
            claims,
            vec![
                Claim::Channel("order-events".into()),
                Claim::Message("OrderPlaced".into()),
                Claim::Channel("inventory.adjusted".into()),
                Claim::Operation("sendOrderPlaced".into()),
            ]
        );
    }

    #[test]
    fn prose_without_endpoints_claims_nothing() {
        assert!(mentions(&doc(
            "# A\n\nWe `GET` data and use `/tmp` and **Note:** `x`.\n"
        ))
        .is_empty());
    }
}
