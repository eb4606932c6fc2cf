//! The catalog home: light at any size. The page carries the first rows
//! (readable without JavaScript) and each facet's most common values with
//! counts over every document; `catalog-rows.json` carries every row in
//! columns, fetched only when the reader filters, sorts or asks for more.
//! At 10,000 documents the page was 11 MB with every row inline.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::pages::{DocSummary, SiteData};

/// Where the rows go, next to catalog.json.
pub const ROWS_PATH: &str = "catalog-rows.json";
/// Rows in the page itself: a first screen and well beyond, small enough
/// that the page stays a few hundred kB.
pub const FIRST_ROWS: usize = 100;
/// Values a facet shows before "all N values": the most frequent ones.
const FACET_VALUES_SHOWN: usize = 20;

#[derive(Serialize)]
pub struct FacetValue {
    pub value: String,
    /// The value in the parts a narrow facet may break it between.
    pub parts: Vec<String>,
    pub count: usize,
}

/// Where a long name may break: between the words of a CamelCase name
/// (`POSIntegrationSpecialistAgent` → POS, Integration, Specialist, Agent)
/// and after `-`, `_`, `.` or `/`. Elsewhere a facet cut names mid-word.
/// search-core.js and portolan.js (`breakable`) split alike.
fn word_parts(value: &str) -> Vec<String> {
    let chars: Vec<char> = value.chars().collect();
    let mut parts = vec![String::new()];
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1);
        // An acronym ends before the capital of the next word (POS|Integration),
        // but one capital is no acronym (OAuth).
        let acronym = parts.last().is_some_and(|p| p.chars().count() >= 2);
        let new_word = c.is_uppercase()
            && before.is_some_and(|b| {
                b.is_lowercase()
                    || b.is_ascii_digit()
                    || (b.is_uppercase() && acronym && after.is_some_and(|a| a.is_lowercase()))
            });
        let after_mark = before.is_some_and(|b| matches!(b, '-' | '_' | '.' | '/'));
        if (new_word || after_mark) && parts.last().is_some_and(|p| !p.is_empty()) {
            parts.push(String::new());
        }
        if let Some(part) = parts.last_mut() {
            part.push(c);
        }
    }
    parts
}

#[derive(Serialize)]
pub struct Facet {
    pub key: &'static str,
    pub label: &'static str,
    /// The values shown: every value when there are few, else the most
    /// frequent ones, alphabetically.
    pub values: Vec<FacetValue>,
    /// How many values the facet has in all.
    pub total: usize,
}

#[derive(Serialize)]
pub struct Home<'a> {
    /// The first rows in title order.
    pub docs: Vec<&'a DocSummary>,
    /// Every document.
    pub total: usize,
    pub facets: Vec<Facet>,
    pub rows_url: String,
    /// The top folders, where every document is listed without scripts.
    pub folders: Vec<super::pages::Link>,
}

/// The facets, each a key, its label and a document's values for it.
type Getter = fn(&DocSummary) -> Vec<&str>;
const FACETS: &[(&str, &str, Getter)] = &[
    ("tags", "Tags", |d| {
        d.tags.iter().map(|t| t.name.as_str()).collect()
    }),
    ("agents", "Agents", |d| {
        d.agents.iter().map(|a| a.name.as_str()).collect()
    }),
    ("systems", "System", |d| {
        d.systems.iter().map(|s| s.name.as_str()).collect()
    }),
    ("status", "Status", |d| single(&d.status)),
    ("type", "Type", |d| single(&d.kind)),
    ("protocol", "Protocol", |d| {
        d.protocols.iter().map(String::as_str).collect()
    }),
    ("direction", "Direction", |d| single(&d.facet_direction)),
];

fn single(v: &str) -> Vec<&str> {
    if v.is_empty() {
        vec![]
    } else {
        vec![v]
    }
}

impl SiteData<'_> {
    /// Documents in the catalog's order: by title, then URL.
    fn in_title_order(&self) -> Vec<&DocSummary> {
        let mut docs: Vec<&DocSummary> = self.summaries.iter().collect();
        docs.sort_by_cached_key(|d| (d.title.to_lowercase(), d.url.clone()));
        docs
    }

    pub fn home(&self) -> Home<'_> {
        let docs = self.in_title_order();
        let facets = FACETS
            .iter()
            .filter_map(|(key, label, get)| {
                let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
                for d in &self.summaries {
                    for v in get(d) {
                        *counts.entry(v).or_insert(0) += 1;
                    }
                }
                if counts.is_empty() {
                    return None;
                }
                let total = counts.len();
                let mut values: Vec<(&str, usize)> = counts.into_iter().collect();
                if total > FACET_VALUES_SHOWN {
                    values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                    values.truncate(FACET_VALUES_SHOWN);
                    values.sort();
                }
                Some(Facet {
                    key,
                    label,
                    values: values
                        .into_iter()
                        .map(|(value, count)| FacetValue {
                            value: value.to_owned(),
                            parts: word_parts(value),
                            count,
                        })
                        .collect(),
                    total,
                })
            })
            .collect();
        Home {
            total: docs.len(),
            docs: docs.into_iter().take(FIRST_ROWS).collect(),
            facets,
            rows_url: format!("{}{ROWS_PATH}", self.base_path()),
            folders: self.top_folders(),
        }
    }

    /// Every row, in title order, in columns: what the catalog table shows
    /// and filters on. Repeated values (statuses, tags, systems...) are
    /// listed once and referred to by index; URLs are relative to the base
    /// path. Compact and regular, so it gzips well.
    pub fn home_rows_json(&self) -> String {
        let docs = self.in_title_order();
        let base = self.base_path();
        let local = |url: &str| url.strip_prefix(base).unwrap_or(url).to_owned();
        // Values by first appearance, for the single-valued columns, and
        // [name, url] pairs for the linked ones.
        #[derive(Default)]
        struct Dict {
            index: BTreeMap<String, usize>,
            values: Vec<Value>,
        }
        impl Dict {
            fn id(&mut self, key: &str, value: impl FnOnce() -> Value) -> i64 {
                if key.is_empty() {
                    return -1;
                }
                if let Some(&i) = self.index.get(key) {
                    return i as i64;
                }
                self.index.insert(key.to_owned(), self.values.len());
                self.values.push(value());
                (self.values.len() - 1) as i64
            }
        }
        let mut dicts: BTreeMap<&str, Dict> = BTreeMap::new();
        let mut column = |name: &'static str, key: &str, value: &dyn Fn() -> Value| {
            dicts.entry(name).or_default().id(key, value)
        };
        let (mut title, mut url, mut desc, mut service, mut updated) =
            (vec![], vec![], vec![], vec![], vec![]);
        let (mut status, mut kind, mut protocol, mut direction) = (vec![], vec![], vec![], vec![]);
        let (mut tags, mut agents, mut systems, mut stale) = (vec![], vec![], vec![], vec![]);
        for (row, d) in docs.iter().enumerate() {
            title.push(d.title.as_str());
            url.push(local(&d.url));
            desc.push(d.description.as_str());
            service.push(d.service.as_str());
            updated.push(d.last_updated.as_str());
            status.push(column("status", &d.status, &|| {
                json!([d.status, d.status_class])
            }));
            kind.push(column("type", &d.kind, &|| json!(d.kind)));
            let protocols: Vec<i64> = d
                .protocols
                .iter()
                .map(|p| column("protocol", p, &|| json!(p)))
                .collect();
            protocol.push(protocols);
            direction.push(column("direction", &d.facet_direction, &|| {
                json!(d.facet_direction)
            }));
            let mut linked = |name: &'static str, links: &[super::pages::Link]| -> Vec<i64> {
                links
                    .iter()
                    .map(|l| column(name, &l.name, &|| json!([l.name, local(&l.url)])))
                    .collect()
            };
            tags.push(linked("tags", &d.tags));
            agents.push(linked("agents", &d.agents));
            systems.push(linked("systems", &d.systems));
            if d.stale {
                stale.push(json!([row, d.age_days]));
            }
        }
        let values: BTreeMap<&str, Vec<Value>> =
            dicts.into_iter().map(|(k, d)| (k, d.values)).collect();
        let rows = json!({
            "version": 1,
            "count": docs.len(),
            "values": values,
            "title": title,
            "url": url,
            "description": desc,
            "service": service,
            "updated": updated,
            "status": status,
            "type": kind,
            "protocol": protocol,
            "direction": direction,
            "tags": tags,
            "agents": agents,
            "systems": systems,
            "stale": stale,
        });
        // Inert if someone inlines it into HTML, as catalog.json is.
        serde_json::to_string(&rows)
            .unwrap_or_default()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    }
}

#[cfg(test)]
mod tests {
    use super::word_parts;

    #[test]
    fn names_break_between_words_only() {
        let parts = |s: &str| word_parts(s).join("|");
        assert_eq!(
            parts("POSIntegrationSpecialistAgent"),
            "POS|Integration|Specialist|Agent"
        );
        assert_eq!(parts("CustomerSupportAgent"), "Customer|Support|Agent");
        assert_eq!(parts("order-service.events"), "order-|service.|events");
        assert_eq!(parts("OAuth2Client"), "OAuth2|Client");
        assert_eq!(parts("Payments service"), "Payments service");
        assert_eq!(parts("HTTP"), "HTTP");
        assert_eq!(parts("a--b"), "a-|-|b");
        assert_eq!(parts(""), "");
        assert_eq!(parts("Ünïcode Straße"), "Ünïcode Straße");
        // Nothing is lost or added.
        for s in [
            "POSIntegrationSpecialistAgent",
            "a--b",
            "x/Y.z_W-v",
            "ÄbcDéf",
        ] {
            assert_eq!(word_parts(s).concat(), s);
        }
    }
}
