//! The tools an agent calls: what each takes (a JSON schema), what it says
//! it does, and its answer as JSON. Bad arguments are the agent's to fix:
//! they come back as a tool error with a message saying what to send
//! instead, never as a crash.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use serde_json::{json, Value};

use super::index::key_of;
use super::state::State;
use crate::diagnostics::{closest, Severity};
use crate::landscape::output;
use crate::render::feeds::{absolute, agent_context_path, markdown_copy};
use crate::render::pages::SiteData;

/// A tool's name, description and input schema.
pub struct Spec {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub schema: Value,
}

fn filter_properties() -> Value {
    json!({
        "tag": {"type": "string", "description": "Only documents with this tag (case-insensitive)."},
        "agent": {"type": "string", "description": "Only documents relevant to this AI agent, e.g. SystemArchitectAgent."},
        "system": {"type": "string", "description": "Only documents that describe or mention this system (id, name or alias)."},
        "status": {"type": "string", "description": "Only documents with this status, e.g. approved, draft, deprecated."},
        "type": {"type": "string", "description": "Only documents of this type, e.g. Integration, Integration guide, System pair."}
    })
}

fn with_filters(extra: Value, required: &[&str]) -> Value {
    let mut properties = filter_properties();
    if let (Some(p), Some(e)) = (properties.as_object_mut(), extra.as_object()) {
        p.extend(e.clone());
    }
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false
    })
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false
    })
}

pub fn specs() -> Vec<Spec> {
    vec![
        Spec {
            name: "search",
            title: "Search the catalog",
            description: "Full-text search over every integration document (titles, ids, tags, text), best match first. An exact id such as INT-002 or a system name ranks the document that carries it first. Returns title, url, path (use it with get_document) and an excerpt per hit.",
            schema: with_filters(
                json!({
                    "query": {"type": "string", "description": "Words to look for, e.g. 'refund webhook retries'."},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}
                }),
                &["query"],
            ),
        },
        Spec {
            name: "get_document",
            title: "Read one document",
            description: "One document as clean markdown with its frontmatter fields, the documents it relates to and that reference it, the systems it connects and its current problems. Name it by path (payments/stripe.md), id (INT-002), URL or exact title.",
            schema: object(
                json!({"document": {"type": "string", "description": "Path relative to the content dir, id, URL or title."}}),
                &["document"],
            ),
        },
        Spec {
            name: "list_documents",
            title: "List documents",
            description: "Documents matching the filters, by title, a page at a time: title, path, url, type, status, last update, whether it is stale and how many errors and warnings it has. Use offset with next_offset to page.",
            schema: with_filters(
                json!({
                    "stale": {"type": "boolean", "description": "true: only documents not updated within the site's stale_after_days; false: only fresh ones."},
                    "has_errors": {"type": "boolean", "description": "true: only documents with errors; false: only documents without."},
                    "offset": {"type": "integer", "minimum": 0, "default": 0},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}
                }),
                &[],
            ),
        },
        Spec {
            name: "agent_brief",
            title: "Brief for an AI agent",
            description: "Everything the catalog says for one AI agent (as named in ai_agent_relevance or an 'AI Agent Notes' section): its description, every relevant document and that document's note for this agent, and the URL of its context pack.",
            schema: object(
                json!({"agent": {"type": "string", "description": "The agent's name, e.g. SystemArchitectAgent."}}),
                &["agent"],
            ),
        },
        Spec {
            name: "system",
            title: "One system and its integrations",
            description: "A system of the integration landscape (by id, name or alias): its facts, its inbound and outbound integrations (protocols, direction, status, critical path, describing documents) and the documents that mention it.",
            schema: object(
                json!({"system": {"type": "string", "description": "Id, name or alias, e.g. stripe or 'Order service'."}}),
                &["system"],
            ),
        },
        Spec {
            name: "impact",
            title: "What a change to a system affects",
            description: "Systems downstream (receiving data from it, directly or through others) and upstream (sending data to it) of a system, up to a depth, each with the path of integrations and whether every hop is on the critical path.",
            schema: object(
                json!({
                    "system": {"type": "string", "description": "Id, name or alias."},
                    "depth": {"type": "integer", "minimum": 1, "maximum": 10, "default": 3}
                }),
                &["system"],
            ),
        },
        Spec {
            name: "check",
            title: "Current problems",
            description: "The catalog's current diagnostics (as `portolan check` reports them, diagrams aside): file, line, column, severity, code, message and help. Give a file to see only its problems, e.g. after editing it.",
            schema: object(
                json!({"file": {"type": "string", "description": "Path relative to the content dir or the site root."}}),
                &[],
            ),
        },
    ]
}

/// A problem with the call the agent can fix.
pub type ToolError = String;

fn args<T: for<'de> Deserialize<'de>>(tool: &str, value: Value) -> Result<T, ToolError> {
    serde_json::from_value(value).map_err(|e| {
        format!("bad arguments for `{tool}`: {e}. See the tool's input schema for what it takes.")
    })
}

pub fn call(state: &mut State, name: &str, arguments: Value) -> Result<Value, ToolError> {
    match name {
        "search" => search(state, args(name, arguments)?),
        "get_document" => {
            let a: DocumentArgs = args(name, arguments)?;
            get_document(state, &a.document)
        }
        "list_documents" => list_documents(state, args(name, arguments)?),
        "agent_brief" => {
            let a: AgentArgs = args(name, arguments)?;
            agent_brief(state, &a.agent)
        }
        "system" => {
            let a: SystemArgs = args(name, arguments)?;
            system(state, &a.system)
        }
        "impact" => impact(state, args(name, arguments)?),
        "check" => {
            let a: CheckArgs = args(name, arguments)?;
            check(state, a.file.as_deref())
        }
        other => Err(format!(
            "no tool `{other}`; the tools are {}",
            specs()
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Filters {
    tag: Option<String>,
    agent: Option<String>,
    system: Option<String>,
    status: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchArgs {
    query: String,
    limit: Option<usize>,
    #[serde(flatten)]
    filters: Filters,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentArgs {
    document: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListArgs {
    stale: Option<bool>,
    has_errors: Option<bool>,
    offset: Option<usize>,
    limit: Option<usize>,
    #[serde(flatten)]
    filters: Filters,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentArgs {
    agent: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SystemArgs {
    system: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImpactArgs {
    system: String,
    depth: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckArgs {
    file: Option<String>,
}

fn eq(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The documents the filters let through, or what is wrong with them.
fn filtered(site: &SiteData<'_>, f: &Filters) -> Result<Vec<usize>, ToolError> {
    let n = site.catalog.docs.len();
    let mut keep = vec![true; n];
    if let Some(tag) = &f.tag {
        let Some((_, docs)) = site.tags.iter().find(|(t, _)| eq(t, tag)) else {
            return Err(unknown("tag", tag, site.tags.keys().map(String::as_str)));
        };
        only(&mut keep, docs);
    }
    if let Some(agent) = &f.agent {
        let Some((_, docs)) = site.agents.iter().find(|(a, _)| eq(a, agent)) else {
            return Err(unknown(
                "agent",
                agent,
                site.agents.keys().map(String::as_str),
            ));
        };
        only(&mut keep, docs);
    }
    if let Some(system) = &f.system {
        let s = find_system(site, system)?;
        only(&mut keep, &site.landscape.mentions[s]);
    }
    for (i, k) in keep.iter_mut().enumerate() {
        let s = &site.summaries[i];
        if f.status.as_deref().is_some_and(|v| !eq(&s.status, v)) {
            *k = false;
        }
        if f.kind
            .as_deref()
            .is_some_and(|v| !eq(&s.kind, v) && !eq(&s.shape_key, v))
        {
            *k = false;
        }
    }
    Ok((0..n).filter(|&i| keep[i]).collect())
}

fn only(keep: &mut [bool], docs: &[usize]) {
    let allowed: HashSet<usize> = docs.iter().copied().collect();
    for (i, k) in keep.iter_mut().enumerate() {
        *k &= allowed.contains(&i);
    }
}

fn unknown<'a>(what: &str, name: &str, known: impl Iterator<Item = &'a str>) -> ToolError {
    let known: Vec<&str> = known.collect();
    match closest(name, known.iter().copied()) {
        Some(c) => format!("no {what} `{name}`; did you mean `{c}`?"),
        None if known.is_empty() => format!("no {what} `{name}`: the catalog has none"),
        None => format!(
            "no {what} `{name}`; known: {}{}",
            known
                .iter()
                .take(20)
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            if known.len() > 20 { ", …" } else { "" }
        ),
    }
}

fn find_system(site: &SiteData<'_>, name: &str) -> Result<usize, ToolError> {
    let l = site.landscape;
    l.find(name).ok_or_else(|| match l.suggest(name) {
        Some(s) => format!("no system `{name}`; did you mean `{s}`?"),
        None => {
            format!("no system `{name}`; list_documents or the catalog's systems page name them")
        }
    })
}

fn doc_url(site: &SiteData<'_>, i: usize) -> String {
    absolute(site, &site.summaries[i].url)
}

fn search(state: &mut State, a: SearchArgs) -> Result<Value, ToolError> {
    let limit = a.limit.unwrap_or(10).clamp(1, 50);
    let filters_set = a.filters.tag.is_some()
        || a.filters.agent.is_some()
        || a.filters.system.is_some()
        || a.filters.status.is_some()
        || a.filters.kind.is_some();
    let allowed = state.with_site(|site| {
        let docs = filtered(site, &a.filters)?;
        Ok::<_, ToolError>(filters_set.then(|| {
            docs.iter()
                .map(|&i| key_of(&site.catalog.docs[i].content_path))
                .collect::<HashSet<u64>>()
        }))
    })?;
    let (hits, total) = state
        .index
        .search(&a.query, allowed, limit)
        .map_err(|e| e.0)?;
    state.with_site(|site| {
        let results: Vec<Value> = hits
            .iter()
            .filter_map(|h| {
                let i = *site.catalog.by_path.get(&h.path)?;
                let s = &site.summaries[i];
                Some(json!({
                    "title": s.title,
                    "path": h.path,
                    "url": doc_url(site, i),
                    "type": s.kind,
                    "status": s.status,
                    "score": (f64::from(h.score) * 1000.0).round() / 1000.0,
                    "excerpt": h.excerpt,
                }))
            })
            .collect();
        Ok(json!({"query": a.query, "total": total, "results": results}))
    })
}

/// The document a reference names: content path, source path, id, URL or
/// title, tried in that order. Only the catalog is consulted: a path that
/// leaves the content dir names nothing, and nothing is read from disk.
fn resolve(site: &SiteData<'_>, reference: &str) -> Result<usize, ToolError> {
    let r = reference.trim();
    let catalog = site.catalog;
    let path = r.trim_start_matches("./").trim_start_matches('/');
    if let Some(&i) = catalog.by_path.get(path) {
        return Ok(i);
    }
    if let Some(i) = catalog.docs.iter().position(|d| d.source_path == path) {
        return Ok(i);
    }
    if let Some(ids) = catalog.by_id.get(r) {
        return match ids.as_slice() {
            [one] => Ok(*one),
            many => Err(format!(
                "the id `{r}` is used by {} documents: {}; name one by path",
                many.len(),
                many.iter()
                    .map(|&i| catalog.docs[i].content_path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        };
    }
    // A URL, absolute or site-relative, of the page or its markdown copy.
    let without_origin = r
        .find("://")
        .map_or(r, |i| r[i + 3..].find('/').map_or("/", |j| &r[i + 3 + j..]));
    let url_path = without_origin
        .trim_end_matches("index.html.md")
        .trim_end_matches("index.html");
    let url_path = crate::catalog::percent_decode(url_path);
    let base = site.base_path();
    let url_path = url_path
        .strip_prefix(base)
        .or_else(|| url_path.strip_prefix('/'))
        .unwrap_or(&url_path);
    let url_path = format!("{}/", url_path.trim_end_matches('/'));
    if let Some(i) = site
        .links
        .routes
        .iter()
        .position(|route| *route == url_path)
    {
        return Ok(i);
    }
    if let Some(i) = site.summaries.iter().position(|s| eq(&s.title, r)) {
        return Ok(i);
    }
    let names = catalog
        .docs
        .iter()
        .map(|d| d.content_path.as_str())
        .chain(site.summaries.iter().map(|s| s.title.as_str()));
    Err(match closest(r, names) {
        Some(c) => format!(
            "no document matches `{r}` (tried path, id, URL and title); did you mean `{c}`?"
        ),
        None => format!(
            "no document matches `{r}` (tried path, id, URL and title); search or list_documents find paths"
        ),
    })
}

fn diagnostics_of<'a>(
    state_diagnostics: &'a [crate::Diagnostic],
    source_path: &'a str,
) -> impl Iterator<Item = &'a crate::Diagnostic> {
    state_diagnostics
        .iter()
        .filter(move |d| d.file == source_path)
}

fn get_document(state: &mut State, reference: &str) -> Result<Value, ToolError> {
    state.with_site(|site| {
        let i = resolve(site, reference)?;
        let doc = &site.catalog.docs[i];
        let s = &site.summaries[i];
        let fields = crate::render::feeds::fields_json(doc);
        let related: Vec<Value> = site
            .catalog
            .related_of(i)
            .into_iter()
            .map(|(to, via)| {
                json!({"title": site.summaries[to].title, "path": site.catalog.docs[to].content_path, "via": via})
            })
            .collect();
        let referenced_by: Vec<Value> = site
            .catalog
            .referenced_by(i)
            .into_iter()
            .map(|from| {
                json!({"title": site.summaries[from].title, "path": site.catalog.docs[from].content_path})
            })
            .collect();
        let l = site.landscape;
        let systems: Vec<Value> = l.doc_systems[i]
            .iter()
            .map(|&x| json!({"id": l.systems[x].id, "name": l.systems[x].name}))
            .collect();
        Ok(json!({
            "title": s.title,
            "path": doc.content_path,
            "source": doc.source_path,
            "url": doc_url(site, i),
            "type": s.kind,
            "status": s.status,
            "description": s.description,
            "last_updated": s.last_updated,
            "stale": s.stale,
            "tags": s.tags.iter().map(|t| &t.name).collect::<Vec<_>>(),
            "agents": s.agents.iter().map(|a| &a.name).collect::<Vec<_>>(),
            "fields": fields,
            "systems": systems,
            "related": related,
            "referenced_by": referenced_by,
            "markdown": markdown_copy(site, i),
        }))
    })
    .map(|mut value| {
        let source = value["source"].as_str().unwrap_or_default().to_owned();
        value["diagnostics"] =
            json!(diagnostics_of(&state.checked.diagnostics, &source).collect::<Vec<_>>());
        value
    })
}

fn list_documents(state: &mut State, a: ListArgs) -> Result<Value, ToolError> {
    let limit = a.limit.unwrap_or(50).clamp(1, 200);
    let offset = a.offset.unwrap_or(0);
    // Errors and warnings per file, counted once.
    let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
    for d in &state.checked.diagnostics {
        let entry = counts.entry(d.file.clone()).or_default();
        match d.severity {
            Severity::Error => entry.0 += 1,
            Severity::Warning => entry.1 += 1,
            Severity::Info => {}
        }
    }
    state.with_site(|site| {
        let count = |i: usize| {
            counts
                .get(&site.catalog.docs[i].source_path)
                .copied()
                .unwrap_or_default()
        };
        let mut docs = filtered(site, &a.filters)?;
        docs.retain(|&i| {
            a.stale.is_none_or(|want| site.summaries[i].stale == want)
                && a.has_errors.is_none_or(|want| (count(i).0 > 0) == want)
        });
        docs.sort_by_cached_key(|&i| (site.summaries[i].title.to_lowercase(), i));
        let total = docs.len();
        let page: Vec<Value> = docs
            .iter()
            .skip(offset)
            .take(limit)
            .map(|&i| {
                let s = &site.summaries[i];
                let (errors, warnings) = count(i);
                json!({
                    "title": s.title,
                    "path": site.catalog.docs[i].content_path,
                    "url": doc_url(site, i),
                    "type": s.kind,
                    "status": s.status,
                    "last_updated": s.last_updated,
                    "stale": s.stale,
                    "errors": errors,
                    "warnings": warnings,
                })
            })
            .collect();
        let next = offset.saturating_add(limit);
        Ok(json!({
            "total": total,
            "offset": offset,
            "next_offset": (next < total).then_some(next),
            "documents": page,
        }))
    })
}

fn agent_brief(state: &mut State, agent: &str) -> Result<Value, ToolError> {
    state.with_site(|site| {
        let Some((name, docs)) = site.agents.iter().find(|(a, _)| eq(a, agent)) else {
            return Err(unknown(
                "agent",
                agent,
                site.agents.keys().map(String::as_str),
            ));
        };
        let description = site
            .config
            .agents
            .get(name)
            .map(|a| a.description.clone())
            .unwrap_or_default();
        let mut docs = docs.clone();
        docs.sort_by_cached_key(|&i| (site.summaries[i].title.to_lowercase(), i));
        let documents: Vec<Value> = docs
            .iter()
            .map(|&i| {
                let s = &site.summaries[i];
                let notes: Vec<&str> = site.catalog.docs[i]
                    .agent_notes
                    .iter()
                    .filter(|n| &n.agent == name && !n.text.is_empty())
                    .map(|n| n.text.as_str())
                    .collect();
                json!({
                    "title": s.title,
                    "path": site.catalog.docs[i].content_path,
                    "url": doc_url(site, i),
                    "description": s.description,
                    "status": s.status,
                    "notes": notes,
                })
            })
            .collect();
        Ok(json!({
            "agent": name,
            "description": description,
            "context_pack": agent_context_path(site, name)
                .map(|p| absolute(site, &format!("{}{p}", site.base_path()))),
            "documents": documents,
        }))
    })
}

fn system(state: &mut State, name: &str) -> Result<Value, ToolError> {
    state.with_site(|site| {
        let s = find_system(site, name)?;
        let doc = |d: usize| json!(site.catalog.docs[d].content_path);
        let mut value = output::system_detail(site.landscape, &doc, s);
        value["page"] = json!(absolute(
            site,
            &crate::render::systems::system_url(site.base_path(), &site.landscape.systems[s])
        ));
        Ok(value)
    })
}

fn impact(state: &mut State, a: ImpactArgs) -> Result<Value, ToolError> {
    let depth = a.depth.unwrap_or(3);
    if !(1..=10).contains(&depth) {
        return Err(format!("depth must be from 1 to 10, not {depth}"));
    }
    state.with_site(|site| {
        let s = find_system(site, &a.system)?;
        let impact = site.landscape.impact(s, depth);
        let doc = |d: usize| json!(site.catalog.docs[d].content_path);
        Ok(output::impact_value(site.landscape, &doc, &impact, depth))
    })
}

fn check(state: &mut State, file: Option<&str>) -> Result<Value, ToolError> {
    let checked = &state.checked;
    let wanted: Option<String> = match file {
        None => None,
        Some(f) => {
            let f = f.trim().trim_start_matches("./").trim_start_matches('/');
            let by_content = checked
                .catalog
                .by_path
                .get(f)
                .map(|&i| checked.catalog.docs[i].source_path.clone());
            let known = by_content.or_else(|| {
                checked
                    .diagnostics
                    .iter()
                    .any(|d| d.file == f)
                    .then(|| f.to_owned())
                    .or_else(|| {
                        checked
                            .catalog
                            .docs
                            .iter()
                            .find(|d| d.source_path == f)
                            .map(|d| d.source_path.clone())
                    })
            });
            Some(known.ok_or_else(|| {
                let names = checked.catalog.docs.iter().map(|d| d.content_path.as_str());
                match closest(f, names) {
                    Some(c) => {
                        format!("no document or file `{f}` in the catalog; did you mean `{c}`?")
                    }
                    None => format!("no document or file `{f}` in the catalog"),
                }
            })?)
        }
    };
    let diagnostics: Vec<&crate::Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| wanted.as_ref().is_none_or(|w| &d.file == w))
        .collect();
    let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    Ok(json!({
        "file": wanted,
        "documents": checked.catalog.docs.len(),
        "errors": count(Severity::Error),
        "warnings": count(Severity::Warning),
        "infos": count(Severity::Info),
        "diagnostics": diagnostics,
        "note": "Diagram rendering is not checked here; `portolan check` does it.",
    }))
}
