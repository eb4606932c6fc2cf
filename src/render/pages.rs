//! The data each kind of page shows, prepared once in Rust so templates stay
//! plain loops over already-escaped-by-tera strings.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::Serialize;

use super::markdown::{self, LinkContext};
use crate::catalog::folders::Folders;
use crate::catalog::vocabulary::Vocabulary;
use crate::catalog::{looks_like_placeholder, Catalog, EdgeKind};
use crate::config::Config;
use crate::content::inline_meta::find_anywhere;
use crate::content::Doc;
use crate::landscape::Landscape;
use crate::slug::url_slug;
use crate::urls::encode_path;
use crate::validate::{parse_date, Date};

#[derive(Serialize, Clone, PartialEq, Debug)]
pub struct Link {
    pub name: String,
    pub url: String,
}

#[derive(Serialize)]
pub struct SiteCtx {
    pub title: String,
    pub description: String,
    pub base_path: String,
    pub base_url: String,
    /// The page listing the API specs, when there is one.
    pub specs_url: Option<String>,
}

/// One row of the catalog, and the header facts of a document page.
#[derive(Serialize, Clone, PartialEq, Debug)]
pub struct DocSummary {
    pub title: String,
    pub url: String,
    pub description: String,
    pub kind: String,
    pub shape: String,
    pub shape_key: String,
    pub status: String,
    pub status_class: String,
    pub service: String,
    pub protocol: String,
    pub direction: String,
    pub tags: Vec<Link>,
    pub agents: Vec<Link>,
    /// The systems the document connects, linked to their pages.
    pub systems: Vec<Link>,
    pub facet_tags: String,
    pub facet_agents: String,
    pub facet_systems: String,
    /// The protocol and direction as the facets group them (vocabulary).
    pub protocols: Vec<String>,
    pub facet_protocol: String,
    pub facet_direction: String,
    pub last_updated: String,
    pub stale: bool,
    pub age_days: i64,
}

/// Names → URL segments, unique per index: `tags/<slug>/`, `agents/<Name>/`.
#[derive(Clone, PartialEq, Default, Debug)]
pub struct Terms {
    pub tags: BTreeMap<String, String>,
    pub agents: BTreeMap<String, String>,
}

fn unique_segments<'a>(
    names: impl Iterator<Item = &'a String>,
    segment: fn(&str) -> String,
) -> BTreeMap<String, String> {
    let mut taken = BTreeSet::new();
    names
        .map(|name| {
            let base = segment(name);
            let mut candidate = base.clone();
            let mut n = 2;
            while !taken.insert(candidate.clone()) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            (name.clone(), candidate)
        })
        .collect()
}

/// Agent names keep their case (`agents/POSIntegrationSpecialistAgent/`).
fn name_segment(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches('-').to_owned();
    if s.is_empty() {
        "agent".to_owned()
    } else {
        s
    }
}

impl Terms {
    pub fn of(tags: &BTreeMap<String, Vec<usize>>, agents: &BTreeMap<String, Vec<usize>>) -> Terms {
        Terms {
            tags: unique_segments(tags.keys(), url_slug),
            agents: unique_segments(agents.keys(), name_segment),
        }
    }
}

/// Everything page rendering shares, computed once per build.
pub struct SiteData<'a> {
    pub config: &'a Config,
    pub catalog: &'a Catalog,
    pub landscape: &'a Landscape,
    pub specs: &'a crate::specs::Specs,
    pub links: LinkContext<'a>,
    pub tags: BTreeMap<String, Vec<usize>>,
    pub agents: BTreeMap<String, Vec<usize>>,
    pub terms: Terms,
    pub summaries: Vec<DocSummary>,
    pub today: Date,
    pub vocabulary: Vocabulary,
    /// What absolute URLs start with (feeds, sitemap).
    pub origin: String,
    pub folders: Folders,
}

/// What one render computed that the next one can reuse, and the inputs
/// that decide whether it still may.
pub struct Memory {
    pub summaries: Vec<DocSummary>,
    pub terms: Terms,
    pub today: Date,
    /// What breadcrumbs, pagers, folder pages and the sidebar showed.
    pub nav: super::nav::NavViews,
}

/// Summaries from an earlier render of a catalog with the same documents in
/// the same order, the same tag and agent URLs and the same date: only the
/// `changed` documents' summaries can differ.
pub struct Reuse {
    pub summaries: Vec<DocSummary>,
    pub changed: Vec<usize>,
}

impl<'a> SiteData<'a> {
    pub fn new(
        config: &'a Config,
        catalog: &'a Catalog,
        landscape: &'a Landscape,
        specs: &'a crate::specs::Specs,
        links: LinkContext<'a>,
        today: Date,
        reuse: Option<Reuse>,
    ) -> Self {
        let tags = catalog.tags();
        let agents = catalog.agents(config);
        let terms = Terms::of(&tags, &agents);
        let folders = Folders::of(catalog, links.routes);
        let mut data = SiteData {
            folders,
            origin: super::feeds::origin_and_path(config, links.base_path),
            config,
            catalog,
            landscape,
            specs,
            links,
            tags,
            agents,
            terms,
            summaries: Vec::new(),
            today,
            vocabulary: Vocabulary::new(&config.vocabulary),
        };
        data.summaries = match reuse {
            Some(mut reuse) if reuse.summaries.len() == catalog.docs.len() => {
                for &i in &reuse.changed {
                    reuse.summaries[i] = data.summary(i);
                }
                reuse.summaries
            }
            _ => (0..catalog.docs.len())
                .into_par_iter()
                .map(|i| data.summary(i))
                .collect(),
        };
        data
    }

    pub fn base_path(&self) -> &str {
        self.links.base_path
    }

    pub fn tag_url(&self, tag: &str) -> String {
        format!(
            "{}tags/{}/",
            self.base_path(),
            encode_path(&self.terms.tags[tag])
        )
    }

    pub fn agent_url(&self, agent: &str) -> String {
        format!(
            "{}agents/{}/",
            self.base_path(),
            encode_path(&self.terms.agents[agent])
        )
    }

    fn summary(&self, i: usize) -> DocSummary {
        let doc = &self.catalog.docs[i];
        let usable = |s: &str| !s.trim().is_empty() && !looks_like_placeholder(s);
        let meta = |key: &str| -> String {
            doc.text_field(key)
                .map(str::to_owned)
                .or_else(|| find_anywhere(doc.body(), key))
                .filter(|v| usable(v))
                .map(|v| v.trim_matches('`').to_owned())
                .unwrap_or_default()
        };
        let tags: Vec<String> = doc
            .list_field("tags")
            .into_iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| self.terms.tags.contains_key(t))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let agents: Vec<String> = self
            .agents
            .iter()
            .filter(|(_, docs)| docs.binary_search(&i).is_ok())
            .map(|(name, _)| name.clone())
            .collect();
        // `APPROVED`, `approved`, `Under_Review` and `review` are one
        // status each.
        let status = doc
            .text_field("status")
            .or_else(|| doc.text_field("review_status"))
            .filter(|s| usable(s))
            .unwrap_or("")
            .to_lowercase()
            .replace('_', " ");
        let status = self
            .vocabulary
            .values("status", &status)
            .pop()
            .unwrap_or_default();
        let protocol = meta("protocol");
        let direction = meta("direction");
        let protocols = self.vocabulary.values("protocol", &protocol);
        let last_updated = doc
            .text_field("last_updated")
            .and_then(parse_date)
            .map(|d| d.to_string())
            .unwrap_or_default();
        let (stale, age_days) = self.dated(&last_updated, self.today);
        let systems: Vec<Link> = self
            .landscape
            .doc_systems
            .get(i)
            .into_iter()
            .flatten()
            .map(|&s| {
                let system = &self.landscape.systems[s];
                Link {
                    name: system.name.clone(),
                    url: super::systems::system_url(self.base_path(), system),
                }
            })
            .collect();
        DocSummary {
            title: doc.title_or_path().to_owned(),
            url: self.links.doc_url(i),
            description: doc
                .text_field("description")
                .or_else(|| doc.text_field("purpose"))
                .filter(|s| usable(s))
                .unwrap_or("")
                .to_owned(),
            // One label per shape: a `type` field varies by author.
            kind: doc.shape.label().to_owned(),
            shape: doc.shape.label().to_owned(),
            shape_key: serde_json::to_value(doc.shape)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            status_class: url_slug(&status),
            status,
            service: meta("service"),
            facet_protocol: protocols.join("|"),
            facet_direction: self
                .vocabulary
                .values("direction", &direction)
                .pop()
                .unwrap_or_default(),
            protocols,
            protocol,
            direction,
            facet_systems: systems
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join("|"),
            systems,
            facet_tags: tags.join("|"),
            facet_agents: agents.join("|"),
            tags: tags
                .iter()
                .map(|t| Link {
                    name: t.clone(),
                    url: self.tag_url(t),
                })
                .collect(),
            agents: agents
                .iter()
                .map(|a| Link {
                    name: a.clone(),
                    url: self.agent_url(a),
                })
                .collect(),
            stale,
            age_days,
            last_updated,
        }
    }

    /// Whether a document last updated on `last_updated` (as its summary
    /// has it) is stale on `today`, and its age in days then: the only
    /// part of any page the date decides.
    pub(crate) fn dated(&self, last_updated: &str, today: Date) -> (bool, i64) {
        let age_days = parse_date(last_updated)
            .map(|d| today.days_since_epoch() - d.days_since_epoch())
            .unwrap_or(0);
        let stale_after = i64::from(self.config.validation.stale_after_days);
        let stale = stale_after > 0 && !last_updated.is_empty() && age_days > stale_after;
        (stale, age_days)
    }
}

#[derive(Serialize)]
pub struct FieldRow {
    pub label: String,
    pub value: String,
}

#[derive(Serialize)]
pub struct RelatedRow {
    pub title: String,
    pub url: String,
    pub via: &'static str,
}

#[derive(Serialize)]
pub struct TocRow {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// A document's page: its frame, and what its own text renders to.
#[derive(Serialize)]
pub struct DocPage {
    #[serde(flatten)]
    pub frame: DocFrame,
    pub toc: Vec<TocRow>,
    /// The title with its inline markup (code, emphasis), as HTML; empty
    /// for a plain title.
    pub title_html: String,
    pub body_html: String,
}

/// Everything a document's page shows but its rendered body: what the
/// page takes of other documents (titles and URLs of its neighbours), of
/// the landscape and the specs, and of its own frontmatter. A CI build
/// compares it, with the page's navigation and its links' targets, with
/// the last build's to know whether the page may be kept (`site::frame`),
/// so it is the very value the page is rendered from, not a summary of it.
#[derive(Serialize)]
pub struct DocFrame {
    #[serde(flatten)]
    pub summary: DocSummary,
    pub fields: Vec<FieldRow>,
    pub contributors: Vec<String>,
    pub related: Vec<RelatedRow>,
    pub referenced_by: Vec<RelatedRow>,
    /// The specs it references, rendered in a "Specification" section.
    pub specs: Vec<super::specs::SpecView>,
    pub edit_url: String,
    pub source_path: String,
    pub markdown_url: String,
}

/// Fields shown on the metadata card, in this order, when present.
/// Fields the metadata card shows, with their labels.
pub(super) const CARD_FIELDS: &[(&str, &str)] = &[
    ("id", "ID"),
    ("service", "Service"),
    ("protocol", "Protocol"),
    ("direction", "Direction"),
    ("purpose", "Purpose"),
    ("critical_path", "Critical path"),
    ("sev_level", "SEV level"),
    ("author", "Author"),
    ("maintained_by", "Maintained by"),
    ("owner", "Owner"),
    ("created", "Created"),
];

pub fn doc_page(site: &SiteData<'_>, i: usize) -> DocPage {
    let frame = doc_frame(site, i);
    let rendered = markdown::render(i, &site.links);
    let mut toc: Vec<TocRow> = rendered
        .toc
        .into_iter()
        .map(|t| TocRow {
            level: t.level,
            id: t.id,
            title: t.title,
        })
        .collect();
    if !frame.specs.is_empty() && !toc.is_empty() {
        toc.push(TocRow {
            level: 2,
            id: "spec-section".to_owned(),
            title: "Specification".to_owned(),
        });
    }
    DocPage {
        frame,
        toc,
        title_html: rendered.title_html.unwrap_or_default(),
        body_html: rendered.html,
    }
}

/// Document `i`'s page but its rendered body (see `DocFrame`).
pub fn doc_frame(site: &SiteData<'_>, i: usize) -> DocFrame {
    let doc: &Doc = &site.catalog.docs[i];
    let summary = site.summaries[i].clone();
    let mut fields = Vec::new();
    for (key, label) in CARD_FIELDS {
        let value = match *key {
            "service" => summary.service.clone(),
            "protocol" => summary.protocol.clone(),
            "direction" => summary.direction.clone(),
            _ => doc
                .text_field(key)
                .filter(|v| !looks_like_placeholder(v))
                .unwrap_or("")
                .to_owned(),
        };
        if !value.is_empty() {
            fields.push(FieldRow {
                label: label.to_string(),
                value,
            });
        }
    }
    for key in site.config.fields.keys() {
        if CARD_FIELDS.iter().any(|(k, _)| k == key)
            || ["status", "last_updated"].contains(&key.as_str())
        {
            continue;
        }
        if let Some(v) = doc.text_field(key) {
            fields.push(FieldRow {
                label: key.clone(),
                value: v.to_owned(),
            });
        }
    }
    let contributors = doc
        .list_field("contributors")
        .into_iter()
        .filter(|c| !looks_like_placeholder(c))
        .map(str::to_owned)
        .collect();
    let related = site
        .catalog
        .related_of(i)
        .into_iter()
        .map(|(to, kind)| RelatedRow {
            title: site.catalog.docs[to].title_or_path().to_owned(),
            url: site.links.doc_url(to),
            via: match kind {
                EdgeKind::Related => "related",
                EdgeKind::RelatedFile => "related file",
                EdgeKind::Link => "linked",
            },
        })
        .collect();
    let referenced_by = site
        .catalog
        .referenced_by(i)
        .into_iter()
        .map(|from| RelatedRow {
            title: site.catalog.docs[from].title_or_path().to_owned(),
            url: site.links.doc_url(from),
            via: "",
        })
        .collect();
    let edit_url = site
        .config
        .edit_url
        .as_deref()
        .map(|prefix| format!("{prefix}{}", encode_path(&doc.source_path)))
        .unwrap_or_default();
    let specs = super::specs::doc_specs(site, i);
    DocFrame {
        markdown_url: format!("{}index.html.md", summary.url),
        summary,
        fields,
        contributors,
        related,
        referenced_by,
        specs,
        edit_url,
        source_path: doc.source_path.clone(),
    }
}

#[derive(Serialize)]
pub struct TermRow {
    pub name: String,
    pub url: String,
    pub count: usize,
    pub description: String,
}

#[derive(Serialize)]
pub struct AgentDocRow {
    pub title: String,
    pub url: String,
    pub description: String,
    /// The agent's notes, rendered from markdown (links as the document's own).
    pub notes: Vec<String>,
}

impl SiteData<'_> {
    pub fn tag_rows(&self) -> Vec<TermRow> {
        self.tags
            .iter()
            .map(|(name, docs)| TermRow {
                name: name.clone(),
                url: self.tag_url(name),
                count: docs.len(),
                description: String::new(),
            })
            .collect()
    }

    pub fn agent_rows(&self) -> Vec<TermRow> {
        self.agents
            .iter()
            .map(|(name, docs)| TermRow {
                name: name.clone(),
                url: self.agent_url(name),
                count: docs.len(),
                description: self
                    .config
                    .agents
                    .get(name)
                    .map(|a| a.description.clone())
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// Documents of a tag or agent, by title, with the agent's notes quoted.
    pub fn doc_rows(&self, docs: &[usize], agent: Option<&str>) -> Vec<AgentDocRow> {
        let mut rows: Vec<AgentDocRow> = docs
            .iter()
            .map(|&i| {
                let s = &self.summaries[i];
                AgentDocRow {
                    title: s.title.clone(),
                    url: s.url.clone(),
                    description: s.description.clone(),
                    notes: agent
                        .map(|a| {
                            self.catalog.docs[i]
                                .agent_notes
                                .iter()
                                .filter(|n| n.agent == a && !n.text.is_empty())
                                .map(|n| markdown::render_inline(&n.text, &self.links, i))
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect();
        rows.sort_by_key(|r| r.title.to_lowercase());
        rows
    }
}
