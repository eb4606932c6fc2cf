//! The data of `/systems/` (the landscape) and `/systems/<id>/` (one
//! system), from the catalog stage's landscape.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::map::{self, MapEdge, MapNode};
use super::pages::{Link, SiteData};
use crate::config::SystemKind;
use crate::landscape::{Integration, Landscape, System};
use crate::slug::url_slug;
use crate::urls::encode_path;

/// Up to this many systems the landscape is one map; past it, a map of
/// groups, each group drawn on its own.
const MAX_WHOLE_MAP: usize = 60;
/// A group larger than this is listed in the table only: a map of it would
/// not be read.
const MAX_GROUP_MAP: usize = 150;

pub fn system_url(base_path: &str, system: &System) -> String {
    format!("{base_path}systems/{}/", encode_path(&system.id))
}

fn kind_label(kind: SystemKind) -> &'static str {
    match kind {
        SystemKind::Internal => "internal",
        SystemKind::External => "external",
    }
}

#[derive(Serialize)]
pub struct SystemRow {
    pub id: String,
    pub name: String,
    pub url: String,
    pub kind: &'static str,
    pub owner: String,
    pub domain: String,
    pub group: String,
    pub inbound: usize,
    pub outbound: usize,
    pub documents: usize,
    /// Aliases and other spellings, for the table's filter.
    pub also: String,
}

#[derive(Serialize)]
pub struct GroupCtx {
    pub name: String,
    pub anchor: String,
    pub count: usize,
    pub map_svg: String,
}

#[derive(Serialize)]
pub struct IntegrationRow {
    pub from: Link,
    pub to: Link,
    pub arrow: &'static str,
    pub direction: &'static str,
    pub protocol: String,
    pub status: String,
    pub status_class: String,
    pub critical: bool,
    pub docs: Vec<Link>,
    /// Spec operations the integration uses, linked to the spec's page.
    pub operations: Vec<Link>,
}

#[derive(Serialize)]
pub struct LandscapePage {
    pub map_svg: String,
    /// True when the map shows groups rather than systems.
    pub overview: bool,
    pub groups: Vec<GroupCtx>,
    pub systems: Vec<SystemRow>,
    pub integrations: Vec<IntegrationRow>,
    pub integration_count: usize,
}

#[derive(Serialize)]
pub struct SystemPage {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub home: bool,
    pub declared: bool,
    pub owner: String,
    pub domain: String,
    pub description: String,
    pub url: String,
    pub aliases: Vec<String>,
    pub map_svg: String,
    /// Inbound, then outbound.
    pub sections: Vec<Section>,
    pub documents: Vec<DocRef>,
    pub agents: Vec<Link>,
}

#[derive(Serialize)]
pub struct Section {
    pub id: &'static str,
    pub title: &'static str,
    pub hint: String,
    /// Header of the column naming the other system.
    pub other_label: &'static str,
    pub rows: Vec<SectionRow>,
}

#[derive(Serialize)]
pub struct SectionRow {
    pub other: Link,
    #[serde(flatten)]
    pub integration: IntegrationRow,
}

#[derive(Serialize)]
pub struct DocRef {
    pub title: String,
    pub url: String,
    pub description: String,
    /// Describes an integration of the system (rather than mentioning it).
    pub describes: bool,
}

struct Ctx<'s, 'a> {
    site: &'s SiteData<'a>,
    landscape: &'s Landscape,
}

impl Ctx<'_, '_> {
    fn url(&self, s: usize) -> String {
        system_url(self.site.base_path(), &self.landscape.systems[s])
    }

    fn link(&self, s: usize) -> Link {
        Link {
            name: self.landscape.systems[s].name.clone(),
            url: self.url(s),
        }
    }

    fn doc_link(&self, doc: usize) -> Link {
        let s = &self.site.summaries[doc];
        Link {
            name: s.title.clone(),
            url: s.url.clone(),
        }
    }

    fn row(&self, e: &Integration) -> IntegrationRow {
        IntegrationRow {
            from: self.link(e.from),
            to: self.link(e.to),
            arrow: if e.both_ways { "↔" } else { "→" },
            direction: if e.both_ways { "both ways" } else { "one way" },
            protocol: e.protocols.join(", "),
            status: e.status.clone().unwrap_or_default(),
            status_class: url_slug(e.status.as_deref().unwrap_or_default()),
            critical: e.critical,
            docs: e.docs.iter().map(|&d| self.doc_link(d)).collect(),
            operations: e
                .operations
                .iter()
                .map(|(label, target)| Link {
                    name: label.clone(),
                    url: format!("{}{target}", self.site.base_path()),
                })
                .collect(),
        }
    }

    /// Rows of a system's integrations, each naming the other end.
    fn rows_of<'e>(
        &self,
        edges: impl Iterator<Item = &'e Integration>,
        s: usize,
    ) -> Vec<SectionRow> {
        edges
            .map(|e| SectionRow {
                other: self.link(if e.from == s { e.to } else { e.from }),
                integration: self.row(e),
            })
            .collect()
    }

    fn node(&self, s: usize, focus: bool) -> MapNode {
        let system = &self.landscape.systems[s];
        let mut class = kind_label(system.kind).to_owned();
        if system.home {
            class.push_str(" home");
        }
        if focus {
            class.push_str(" focus");
        }
        MapNode {
            label: system.name.clone(),
            url: self.url(s),
            class,
            title: format!("{} ({} system)", system.name, kind_label(system.kind)),
        }
    }

    fn edge(&self, e: &Integration, from: usize, to: usize) -> MapEdge {
        let names = |s: usize| self.landscape.systems[s].name.as_str();
        let docs: Vec<&str> = e
            .docs
            .iter()
            .map(|&d| self.site.summaries[d].title.as_str())
            .collect();
        MapEdge {
            from,
            to,
            both_ways: e.both_ways,
            undirected: false,
            label: e.protocols.first().cloned().unwrap_or_default(),
            // One describing document: the edge opens it; several: the
            // system page, whose table lists them all.
            url: match e.docs.as_slice() {
                [one] => self.site.summaries[*one].url.clone(),
                _ => format!("{}#integrations", self.url(e.from)),
            },
            title: format!(
                "{} {} {}{}: {}",
                names(e.from),
                if e.both_ways { "↔" } else { "→" },
                names(e.to),
                if e.critical { " (critical path)" } else { "" },
                docs.join("; ")
            ),
            critical: e.critical,
        }
    }

    /// A map of `systems` and the integrations among them.
    fn map_of(&self, id: &str, systems: &[usize], focus: Option<usize>, label: &str) -> String {
        self.map_input(id, systems, focus, label).svg()
    }

    /// What `map_of` draws: the drawing is a function of it alone.
    fn map_input(
        &self,
        id: &str,
        systems: &[usize],
        focus: Option<usize>,
        label: &str,
    ) -> MapInput {
        let index: BTreeMap<usize, usize> =
            systems.iter().enumerate().map(|(i, &s)| (s, i)).collect();
        let nodes: Vec<MapNode> = systems
            .iter()
            .map(|&s| self.node(s, Some(s) == focus))
            .collect();
        // Each integration among them once, in order, found from its ends.
        // A hub's thousands of integrations are not walked for the few
        // systems of a neighbour's map (a tenth of a build's CPU at 10,000
        // documents): its integrations with each of them are looked up.
        let landscape = self.landscape;
        let among: BTreeSet<usize> = systems
            .iter()
            .flat_map(|&s| -> Vec<usize> {
                if landscape.degree(s) <= 2 * systems.len() {
                    landscape.touching(s).map(|(i, _)| i).collect()
                } else {
                    systems
                        .iter()
                        .flat_map(|&t| landscape.between(s, t).chain(landscape.between(t, s)))
                        .collect()
                }
            })
            .collect();
        let edges: Vec<MapEdge> = among
            .into_iter()
            .filter_map(|i| {
                let e = &self.landscape.integrations[i];
                let (a, b) = (index.get(&e.from)?, index.get(&e.to)?);
                Some(self.edge(e, *a, *b))
            })
            .collect();
        MapInput {
            id: id.to_owned(),
            nodes,
            edges,
            label: label.to_owned(),
        }
    }
}

/// A map to draw (`map::svg`'s arguments). Laying it out is most of a
/// system page's cost, so a CI build compares this instead of the
/// drawing to know whether the page changed (`site::frame`).
#[derive(Debug)]
pub(crate) struct MapInput {
    id: String,
    nodes: Vec<map::MapNode>,
    edges: Vec<map::MapEdge>,
    label: String,
}

impl MapInput {
    fn svg(&self) -> String {
        map::svg(&self.id, &self.nodes, &self.edges, &self.label)
    }
}

fn mentioned_count(landscape: &Landscape, s: usize) -> usize {
    landscape.mentions.get(s).map_or(0, Vec::len)
}

pub fn landscape_page(site: &SiteData<'_>, landscape: &Landscape) -> LandscapePage {
    let ctx = Ctx { site, landscape };
    let n = landscape.systems.len();
    let rows: Vec<SystemRow> = landscape
        .systems
        .iter()
        .enumerate()
        .map(|(i, s)| SystemRow {
            id: s.id.clone(),
            name: s.name.clone(),
            url: ctx.url(i),
            kind: kind_label(s.kind),
            owner: s.owner.clone().unwrap_or_default(),
            domain: s.domain.clone().unwrap_or_default(),
            group: s.group.clone(),
            inbound: landscape.inbound(i).count(),
            outbound: landscape.outbound(i).count(),
            documents: mentioned_count(landscape, i),
            also: s
                .aliases
                .iter()
                .chain(&s.also_called)
                .cloned()
                .collect::<Vec<_>>()
                .join(" · "),
        })
        .collect();
    let connected: Vec<usize> = (0..n)
        .filter(|&s| landscape.touching(s).next().is_some())
        .collect();
    let overview = connected.len() > MAX_WHOLE_MAP;
    let mut groups = Vec::new();
    let map_svg = if !overview {
        ctx.map_of(
            "landscape",
            &connected,
            None,
            "Integration map: every system and the integrations between them",
        )
    } else {
        let mut members: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &s in &connected {
            members
                .entry(&landscape.systems[s].group)
                .or_default()
                .push(s);
        }
        let names: Vec<&str> = members.keys().copied().collect();
        let group_of: BTreeMap<usize, usize> = members
            .values()
            .enumerate()
            .flat_map(|(g, ss)| ss.iter().map(move |&s| (s, g)))
            .collect();
        let anchor = |name: &str| format!("group-{}", url_slug(name));
        let nodes: Vec<MapNode> = members
            .iter()
            .map(|(name, ss)| MapNode {
                label: format!("{name} · {}", ss.len()),
                url: format!("#{}", anchor(name)),
                class: "group".to_owned(),
                title: format!("{name}: {} systems", ss.len()),
            })
            .collect();
        // Integrations between groups, counted.
        let mut between: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for e in &landscape.integrations {
            let (Some(&a), Some(&b)) = (group_of.get(&e.from), group_of.get(&e.to)) else {
                continue;
            };
            if a != b {
                *between.entry((a.min(b), a.max(b))).or_insert(0) += 1;
            }
        }
        let edges: Vec<MapEdge> = between
            .into_iter()
            .map(|((a, b), count)| MapEdge {
                from: a,
                to: b,
                both_ways: false,
                undirected: true,
                label: format!("{count}"),
                url: format!("#{}", anchor(names[b])),
                title: format!("{count} integrations between {} and {}", names[a], names[b]),
                critical: false,
            })
            .collect();
        for (name, systems) in &members {
            let map_svg = if systems.len() <= MAX_GROUP_MAP {
                ctx.map_of(
                    &anchor(name),
                    systems,
                    None,
                    &format!("Systems of {name} and the integrations between them"),
                )
            } else {
                String::new()
            };
            groups.push(GroupCtx {
                name: (*name).to_owned(),
                anchor: anchor(name),
                count: systems.len(),
                map_svg,
            });
        }
        map::svg(
            "overview",
            &nodes,
            &edges,
            "Integration map by group: each group links to its own map",
        )
    };
    LandscapePage {
        map_svg,
        overview,
        groups,
        systems: rows,
        integrations: if overview {
            Vec::new()
        } else {
            landscape.integrations.iter().map(|e| ctx.row(e)).collect()
        },
        integration_count: landscape.integrations.len(),
    }
}

pub fn system_page(site: &SiteData<'_>, landscape: &Landscape, s: usize) -> SystemPage {
    let (mut page, map) = system_page_unmapped(site, landscape, s);
    if let Some(map) = map {
        page.map_svg = map.svg();
    }
    page
}

/// System `s`'s page without its map drawn (`map_svg` is empty), and the
/// map to draw, if the system has neighbours.
pub(crate) fn system_page_unmapped(
    site: &SiteData<'_>,
    landscape: &Landscape,
    s: usize,
) -> (SystemPage, Option<MapInput>) {
    let ctx = Ctx { site, landscape };
    let system = &landscape.systems[s];
    let mut around: BTreeSet<usize> = BTreeSet::from([s]);
    for (_, e) in landscape.touching(s) {
        around.insert(e.from);
        around.insert(e.to);
    }
    let around: Vec<usize> = around.into_iter().collect();
    let describing: BTreeSet<usize> = landscape
        .touching(s)
        .flat_map(|(_, e)| e.docs.clone())
        .collect();
    let mut documents: Vec<DocRef> = landscape.mentions[s]
        .iter()
        .map(|&d| {
            let summary = &site.summaries[d];
            DocRef {
                title: summary.title.clone(),
                url: summary.url.clone(),
                description: summary.description.clone(),
                describes: describing.contains(&d),
            }
        })
        .collect();
    // Each title lowered once, not at every comparison: a hub's list
    // holds thousands.
    documents.sort_by_cached_key(|d| (!d.describes, d.title.to_lowercase()));
    let agents: BTreeSet<&String> = site
        .agents
        .iter()
        .filter(|(_, docs)| {
            landscape.mentions[s]
                .iter()
                .any(|d| docs.binary_search(d).is_ok())
        })
        .map(|(name, _)| name)
        .collect();
    let safe_url = system
        .url
        .clone()
        .filter(|u| super::sanitize::is_safe_url(u) && u.contains("://"))
        .unwrap_or_default();
    let map = (around.len() > 1).then(|| {
        ctx.map_input(
            "neighbours",
            &around,
            Some(s),
            &format!("{} and the systems it talks to", system.name),
        )
    });
    let page = SystemPage {
        id: system.id.clone(),
        name: system.name.clone(),
        kind: kind_label(system.kind),
        home: system.home,
        declared: system.declared,
        owner: system.owner.clone().unwrap_or_default(),
        domain: system.domain.clone().unwrap_or_default(),
        description: system.description.clone().unwrap_or_default(),
        url: safe_url,
        aliases: system
            .aliases
            .iter()
            .chain(&system.also_called)
            .cloned()
            .collect(),
        map_svg: String::new(),
        sections: vec![
            Section {
                id: "inbound",
                title: "Inbound",
                hint: format!("Systems that send to {}.", system.name),
                other_label: "From",
                rows: ctx.rows_of(landscape.inbound(s), s),
            },
            Section {
                id: "outbound",
                title: "Outbound",
                hint: format!("Systems {} sends to.", system.name),
                other_label: "To",
                rows: ctx.rows_of(landscape.outbound(s), s),
            },
        ],
        documents,
        agents: agents
            .into_iter()
            .map(|a| Link {
                name: a.clone(),
                url: site.agent_url(a),
            })
            .collect(),
    };
    (page, map)
}
