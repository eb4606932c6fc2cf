//! What `portolan systems` and `portolan impact` print: a table for people,
//! JSON for scripts.

use serde_json::{json, Value};

use super::{Impact, Integration, Landscape};
use crate::catalog::Catalog;
use crate::config::SystemKind;

fn kind(k: SystemKind) -> &'static str {
    match k {
        SystemKind::Internal => "internal",
        SystemKind::External => "external",
    }
}

/// One row per system: id, name, kind, owner, inbound, outbound, documents.
pub fn systems_human(landscape: &Landscape) -> String {
    let header = ["ID", "NAME", "KIND", "OWNER", "IN", "OUT", "DOCS"];
    let rows: Vec<[String; 7]> = landscape
        .systems
        .iter()
        .enumerate()
        .map(|(i, s)| {
            [
                s.id.clone(),
                s.name.clone(),
                kind(s.kind).to_owned(),
                s.owner.clone().unwrap_or_else(|| "-".to_owned()),
                landscape.inbound(i).count().to_string(),
                landscape.outbound(i).count().to_string(),
                landscape.mentions[i].len().to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.trim_end().to_owned() + "\n"
    };
    let mut out = line(&header.map(str::to_owned));
    for row in &rows {
        out.push_str(&line(row));
    }
    out.push_str(&format!(
        "{} systems, {} integrations\n",
        landscape.systems.len(),
        landscape.integrations.len()
    ));
    out
}

/// How a document is named in JSON output: its path for the command
/// line, its URL in catalog.json.
pub type DocRef<'a> = &'a dyn Fn(usize) -> Value;

pub fn systems_json(landscape: &Landscape, catalog: &Catalog) -> String {
    let doc = |d: usize| json!(catalog.docs[d].source_path);
    let value = json!({
        "systems": systems_value(landscape, &doc),
        "integrations": integrations_value(landscape, &doc),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

/// The `systems` list of catalog.json and `portolan systems --format json`.
pub fn systems_value(landscape: &Landscape, doc: DocRef<'_>) -> Value {
    Value::Array(
        (0..landscape.systems.len())
            .map(|i| system_value(landscape, doc, i))
            .collect(),
    )
}

/// One system's facts, its integration counts and its documents.
pub fn system_value(landscape: &Landscape, doc: DocRef<'_>, i: usize) -> Value {
    let s = &landscape.systems[i];
    json!({
        "id": s.id,
        "name": s.name,
        "kind": kind(s.kind),
        "declared": s.declared,
        "home": s.home,
        "aliases": s.aliases,
        "also_called": s.also_called,
        "owner": s.owner,
        "domain": s.domain,
        "description": s.description,
        "url": s.url,
        "group": s.group,
        "inbound": landscape.inbound(i).count(),
        "outbound": landscape.outbound(i).count(),
        "documents": landscape.mentions[i].iter().map(|&d| doc(d)).collect::<Vec<_>>(),
    })
}

/// A system with its inbound and outbound integrations listed (MCP).
pub fn system_detail(landscape: &Landscape, doc: DocRef<'_>, i: usize) -> Value {
    let mut value = system_value(landscape, doc, i);
    let list = |edges: Vec<&Integration>| -> Vec<Value> {
        edges
            .into_iter()
            .map(|e| integration_value(landscape, doc, e))
            .collect()
    };
    value["inbound"] = json!(list(landscape.inbound(i).collect()));
    value["outbound"] = json!(list(landscape.outbound(i).collect()));
    value
}

fn integration_value(landscape: &Landscape, doc: DocRef<'_>, e: &Integration) -> Value {
    json!({
        "from": landscape.systems[e.from].id,
        "to": landscape.systems[e.to].id,
        "direction": if e.both_ways { "both" } else { "one-way" },
        "protocols": e.protocols,
        "status": e.status,
        "critical_path": e.critical,
        "documents": e.docs.iter().map(|&d| doc(d)).collect::<Vec<_>>(),
        "operations": e.operations.iter().map(|(label, _)| label).collect::<Vec<_>>(),
    })
}

pub fn integrations_value(landscape: &Landscape, doc: DocRef<'_>) -> Value {
    Value::Array(
        landscape
            .integrations
            .iter()
            .map(|e| integration_value(landscape, doc, e))
            .collect(),
    )
}

fn edge_text(landscape: &Landscape, e: &Integration) -> String {
    let mut text = format!(
        "{} {} {}",
        landscape.systems[e.from].name,
        if e.both_ways { "↔" } else { "→" },
        landscape.systems[e.to].name
    );
    if !e.protocols.is_empty() {
        text.push_str(&format!(" [{}]", e.protocols.join(", ")));
    }
    if e.critical {
        text.push_str(" (critical path)");
    }
    text
}

pub fn impact_human(
    landscape: &Landscape,
    catalog: &Catalog,
    impact: &Impact,
    depth: usize,
) -> String {
    let system = &landscape.systems[impact.system];
    let docs = |e: &Integration| {
        e.docs
            .iter()
            .map(|&d| catalog.docs[d].source_path.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = format!(
        "{} ({}, {})\n\nIntegrations ({}):\n",
        system.name,
        system.id,
        kind(system.kind),
        impact.touching.len()
    );
    for &i in &impact.touching {
        let e = &landscape.integrations[i];
        out.push_str(&format!(
            "  {}\n      {}\n",
            edge_text(landscape, e),
            docs(e)
        ));
    }
    for (title, reached) in [
        (
            "Downstream: what breaks if it goes down",
            &impact.downstream,
        ),
        ("Upstream: what it depends on", &impact.upstream),
    ] {
        out.push_str(&format!(
            "\n{title} ({}, depth ≤ {depth}):\n",
            reached.len()
        ));
        if reached.is_empty() {
            out.push_str("  nothing\n");
        }
        for r in reached {
            let critical = r.path.iter().all(|&i| landscape.integrations[i].critical);
            out.push_str(&format!(
                "  {} {}{}\n",
                "·".repeat(r.depth),
                landscape.systems[r.system].name,
                if critical { "  [critical path]" } else { "" }
            ));
            for &i in &r.path {
                let e = &landscape.integrations[i];
                out.push_str(&format!(
                    "      via {} — {}\n",
                    edge_text(landscape, e),
                    docs(e)
                ));
            }
        }
    }
    out
}

pub fn impact_json(
    landscape: &Landscape,
    catalog: &Catalog,
    impact: &Impact,
    depth: usize,
) -> String {
    let doc = |d: usize| json!(catalog.docs[d].source_path);
    let value = impact_value(landscape, &doc, impact, depth);
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

pub fn impact_value(
    landscape: &Landscape,
    doc: DocRef<'_>,
    impact: &Impact,
    depth: usize,
) -> Value {
    let reach = |list: &[super::Reach]| -> Vec<Value> {
        list.iter()
            .map(|r| {
                json!({
                    "system": landscape.systems[r.system].id,
                    "name": landscape.systems[r.system].name,
                    "depth": r.depth,
                    "critical_path": r.path.iter().all(|&i| landscape.integrations[i].critical),
                    "path": r.path.iter().map(|&i| integration_value(landscape, doc, &landscape.integrations[i])).collect::<Vec<_>>(),
                })
            })
            .collect()
    };
    let system = &landscape.systems[impact.system];
    json!({
        "system": { "id": system.id, "name": system.name, "kind": kind(system.kind) },
        "depth": depth,
        "integrations": impact.touching.iter().map(|&i| integration_value(landscape, doc, &landscape.integrations[i])).collect::<Vec<_>>(),
        "downstream": reach(&impact.downstream),
        "upstream": reach(&impact.upstream),
    })
}
