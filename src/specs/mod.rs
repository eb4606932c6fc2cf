//! API specs: the OpenAPI and AsyncAPI documents the catalog's documents
//! reference, read into one model after linking, and what each document's
//! prose claims of them. check reports specs that do not parse or resolve
//! and prose that drifted from its spec; build renders each spec on the
//! pages of the documents referencing it and on a page of its own.
//!
//! A document references a spec with an `openapi:` or `asyncapi:` field (a
//! path relative to the document, or a list of them) or a markdown link to
//! a `.yaml`, `.yml` or `.json` file that is one. Only files the loader
//! admitted from the content dir are read; `$ref`s are followed within it.

mod asyncapi;
mod mentions;
mod openapi;
mod refs;
mod schema;
mod source;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::Serialize;

use crate::catalog::{join_relative, local_target, looks_like_placeholder, Catalog};
use crate::config::{Config, Notice};
use crate::diagnostics::{Diagnostic, Severity};
use mentions::Claim;
pub use schema::{Schema, SchemaRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpecKind {
    OpenApi,
    AsyncApi,
}

impl SpecKind {
    pub fn label(self) -> &'static str {
        match self {
            SpecKind::OpenApi => "OpenAPI",
            SpecKind::AsyncApi => "AsyncAPI",
        }
    }
    fn field(self) -> &'static str {
        match self {
            SpecKind::OpenApi => "openapi",
            SpecKind::AsyncApi => "asyncapi",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Server {
    pub url: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    pub name: String,
    /// `path`, `query`, `header`, `cookie`; `channel` for AsyncAPI.
    pub location: String,
    pub required: bool,
    pub description: String,
    pub type_label: String,
    pub deprecated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Media {
    pub media_type: String,
    pub schema: Option<Schema>,
    /// (label, example as text); JSON unless the spec wrote a string.
    pub examples: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Body {
    pub description: String,
    pub required: bool,
    pub media: Vec<Media>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    pub status: String,
    pub description: String,
    pub media: Vec<Media>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// Upper case: `POST`.
    pub method: String,
    pub path: String,
    pub operation_id: String,
    pub summary: String,
    pub description: String,
    pub tags: Vec<String>,
    pub deprecated: bool,
    pub params: Vec<Param>,
    pub request: Option<Body>,
    pub responses: Vec<Response>,
    /// Where the operation is written in the spec file.
    pub line: usize,
    /// Its fragment on the spec's page, unique there.
    pub anchor: String,
    /// A 3.1 webhook: `path` is its name, a request the API sends.
    pub webhook: bool,
}

impl Operation {
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelOp {
    /// `publish`/`subscribe` (2.x) or `send`/`receive` (3.0).
    pub action: String,
    pub id: String,
    pub summary: String,
    pub description: String,
    /// Where it is written in the spec file.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    pub name: String,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub content_type: String,
    pub payload: Option<Schema>,
    pub headers: Option<Schema>,
    pub examples: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Channel {
    /// The key under `channels`.
    pub name: String,
    /// What producers write to: the key in 2.x, `address` in 3.0.
    pub address: String,
    pub title: String,
    pub description: String,
    pub params: Vec<Param>,
    pub operations: Vec<ChannelOp>,
    pub messages: Vec<Message>,
    pub line: usize,
    pub anchor: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spec {
    /// Relative to the content dir.
    pub content_path: String,
    /// Relative to the site root.
    pub source_path: String,
    pub kind: SpecKind,
    /// `3.1.0`, `2.6.0`.
    pub version: String,
    pub title: String,
    pub api_version: String,
    pub description: String,
    pub servers: Vec<Server>,
    /// Declared tags with their descriptions, in order.
    pub tags: Vec<(String, String)>,
    pub operations: Vec<Operation>,
    pub channels: Vec<Channel>,
    /// The page's folder: `specs/<slug>/`.
    pub route: String,
    /// The spec file and every file its `$ref`s reach (published beside
    /// it, so the raw spec's references keep working).
    pub files: Vec<String>,
    /// Documents referencing it, in catalog order.
    pub documents: Vec<usize>,
}

impl Spec {
    fn new(file: &source::SpecFile, kind: SpecKind, version: String) -> Spec {
        Spec {
            content_path: file.content_path.clone(),
            source_path: file.source_path.clone(),
            kind,
            version,
            title: String::new(),
            api_version: String::new(),
            description: String::new(),
            servers: Vec::new(),
            tags: Vec::new(),
            operations: Vec::new(),
            channels: Vec::new(),
            route: String::new(),
            files: Vec::new(),
            documents: Vec::new(),
        }
    }

    /// The title, else the file name.
    pub fn name(&self) -> &str {
        if self.title.trim().is_empty() {
            self.content_path
                .rsplit('/')
                .next()
                .unwrap_or(&self.content_path)
        } else {
            &self.title
        }
    }

    /// Operations grouped by their first tag, in the order the spec
    /// declares its tags, then as they come; untagged ones last.
    pub fn tag_groups(&self) -> Vec<(String, String, Vec<usize>)> {
        let mut groups: Vec<(String, String, Vec<usize>)> = self
            .tags
            .iter()
            .map(|(n, d)| (n.clone(), d.clone(), Vec::new()))
            .collect();
        let mut untagged = Vec::new();
        let mut webhooks = Vec::new();
        for (i, op) in self.operations.iter().enumerate() {
            if op.webhook {
                webhooks.push(i);
                continue;
            }
            match op.tags.first() {
                Some(tag) => match groups.iter_mut().find(|g| &g.0 == tag) {
                    Some(g) => g.2.push(i),
                    None => groups.push((tag.clone(), String::new(), vec![i])),
                },
                None => untagged.push(i),
            }
        }
        groups.retain(|g| !g.2.is_empty());
        if !untagged.is_empty() {
            let name = if groups.is_empty() {
                "Operations"
            } else {
                "Other operations"
            };
            groups.push((name.to_owned(), String::new(), untagged));
        }
        if !webhooks.is_empty() {
            groups.push((
                "Webhooks".to_owned(),
                "Requests the API sends to its subscribers.".to_owned(),
                webhooks,
            ));
        }
        groups
    }
}

/// A claim of a document that its spec defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matched {
    pub spec: usize,
    /// What the claim matched, as the spec names it: `POST /v1/charges`,
    /// a channel's address, an operation id, a message name.
    pub label: String,
    /// The fragment on the spec's page.
    pub anchor: String,
}

#[derive(Default)]
pub struct Specs {
    pub specs: Vec<Spec>,
    pub by_path: HashMap<String, usize>,
    /// Per document: the specs it references, in the order written.
    pub doc_specs: Vec<Vec<usize>>,
    /// Per document: its claims that a referenced spec defines.
    pub matched: Vec<Vec<Matched>>,
    /// Problems of spec files, references and prose.
    pub diagnostics: Vec<Diagnostic>,
    /// Where the page listing every spec goes (`specs/`), unless a
    /// document or folder has that route.
    pub index_route: Option<String>,
    files: refs::FileSet,
}

/// A reference of a document to a spec, as written.
struct Reference {
    doc: usize,
    /// The field it came from; None for a markdown link.
    field: Option<SpecKind>,
    written: String,
    path: Option<String>,
    line: usize,
    column: Option<usize>,
}

const INDEX_ROUTE: &str = "specs/";

fn is_spec_like(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json")
}

/// Whether a file that does not parse meant to be a spec (its syntax
/// errors are then worth reporting even when it is only linked).
fn says_spec(text: &str) -> bool {
    text.lines().take(50).any(|l| {
        let l = l.trim_start_matches(['{', ' ', '\t', '"']);
        l.starts_with("openapi") || l.starts_with("asyncapi") || l.starts_with("swagger")
    })
}

fn references(catalog: &Catalog) -> Vec<Reference> {
    let mut out = Vec::new();
    for (i, doc) in catalog.docs.iter().enumerate() {
        for kind in [SpecKind::OpenApi, SpecKind::AsyncApi] {
            let Some(field) = doc.field(kind.field()) else {
                continue;
            };
            for entry in field.entries() {
                let Some(text) = entry.text.as_deref().map(str::trim) else {
                    continue;
                };
                if text.is_empty() || looks_like_placeholder(text) {
                    continue;
                }
                out.push(Reference {
                    doc: i,
                    field: Some(kind),
                    written: text.to_owned(),
                    path: local_target(text)
                        .and_then(|t| join_relative(&doc.content_path, &t.path)),
                    line: entry.line,
                    column: entry.column,
                });
            }
        }
        for link in &doc.links {
            let Some(target) = local_target(&link.dest) else {
                continue;
            };
            if !is_spec_like(&target.path) {
                continue;
            }
            let Some(path) = join_relative(&doc.content_path, &target.path) else {
                continue;
            };
            if catalog.assets.contains(&path) {
                out.push(Reference {
                    doc: i,
                    field: None,
                    written: link.dest.clone(),
                    path: Some(path),
                    line: link.line,
                    column: Some(link.column),
                });
            }
        }
    }
    out
}

/// `payments/stripe.openapi.yaml` → `stripe.openapi`; with `folder`,
/// `payments-stripe.openapi`.
fn slug_of(path: &str, folder: bool) -> String {
    let without = path
        .rsplit_once('.')
        .map_or(path, |(stem, _)| stem)
        .to_owned();
    let name = if folder {
        without.replace('/', "-")
    } else {
        without.rsplit('/').next().unwrap_or(&without).to_owned()
    };
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() || ch == '.' || ch == '_' {
            out.push(ch.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_matches(['-', '.']).to_owned();
    if out.is_empty() {
        "spec".to_owned()
    } else {
        out
    }
}

impl Specs {
    /// Reads every referenced spec and checks every document's claims
    /// against its specs. `previous` (serve, an edit of documents only)
    /// lends the files it parsed, each still compared with the disk.
    pub fn build(
        root: &Path,
        catalog: &Catalog,
        config: &Config,
        previous: Option<&Specs>,
    ) -> Specs {
        let mut specs = Specs {
            doc_specs: vec![Vec::new(); catalog.docs.len()],
            matched: vec![Vec::new(); catalog.docs.len()],
            ..Specs::default()
        };
        let references = references(catalog);
        if references.is_empty() {
            return specs;
        }
        let source_prefix = {
            let p = crate::content::relative_slash_path(root, &catalog.content_dir);
            if p.is_empty() || p == "." {
                String::new()
            } else {
                format!("{p}/")
            }
        };
        let loader = refs::Loader {
            content_dir: &catalog.content_dir,
            source_prefix,
            assets: &catalog.assets,
            refused: &catalog.refused,
            previous: previous.map(|p| &p.files),
        };
        let mut diagnostics = Vec::new();
        // Spec files in path order, so the model never depends on which
        // document names one first.
        let wanted: BTreeSet<&String> = references
            .iter()
            .filter_map(|r| r.path.as_ref())
            .filter(|p| catalog.assets.contains(*p))
            .collect();
        let named_in_fields: BTreeSet<&String> = references
            .iter()
            .filter(|r| r.field.is_some())
            .filter_map(|r| r.path.as_ref())
            .collect();
        let mut read: BTreeMap<String, Option<SpecKind>> = BTreeMap::new();
        for path in wanted {
            let linked_only = !named_in_fields.contains(path);
            // A linked YAML file that is not a spec is just a file: its
            // problems are not the catalog's, unless it says it is one.
            let mut found = Vec::new();
            let ok = specs.files.load(&loader, path, &mut found);
            let kind = if ok {
                specs
                    .files
                    .files
                    .get(path)
                    .and_then(|f| source::spec_kind(&f.value))
            } else {
                None
            };
            let report = !linked_only
                || kind.is_some()
                || refs::read_text(&catalog.content_dir, path).is_ok_and(|t| says_spec(&t));
            if report {
                diagnostics.extend(found);
            }
            read.insert(path.clone(), kind);
        }
        for (path, kind) in &read {
            let Some(kind) = kind else { continue };
            let Some(file) = specs.files.files.get(path) else {
                continue;
            };
            let spec = match kind {
                SpecKind::OpenApi => openapi::read(&specs.files, file, &mut diagnostics),
                SpecKind::AsyncApi => asyncapi::read(&specs.files, file, &mut diagnostics),
            };
            if let Some(mut spec) = spec {
                spec.files = specs.files.reached(path);
                specs.by_path.insert(path.clone(), specs.specs.len());
                specs.specs.push(spec);
            }
        }
        // A spec's page never takes a document's or a folder's place: the
        // page moves aside (`specs/x-2/`) instead.
        let mut taken: BTreeSet<String> = crate::urls::routes(catalog).into_iter().collect();
        taken.extend(crate::urls::folder_routes(catalog));
        if !specs.specs.is_empty() && !taken.contains(INDEX_ROUTE) {
            specs.index_route = Some(INDEX_ROUTE.to_owned());
            taken.insert(INDEX_ROUTE.to_owned());
        }
        specs.assign_routes_and_anchors(taken);
        for r in &references {
            let doc = &catalog.docs[r.doc];
            let found = r.path.as_ref().and_then(|p| specs.by_path.get(p).copied());
            match (found, r.field) {
                (Some(s), Some(kind)) if specs.specs[s].kind != kind => {
                    diagnostics.push(
                        Diagnostic::error(
                            &doc.source_path,
                            r.line,
                            "broken-spec",
                            format!(
                                "`{}: {}` is an {} document, not {}",
                                kind.field(),
                                r.written,
                                specs.specs[s].kind.label(),
                                kind.label()
                            ),
                        )
                        .column(r.column)
                        .help(format!(
                            "write it as `{}: {}`",
                            specs.specs[s].kind.field(),
                            r.written
                        ))
                        .source_from(&doc.text),
                    );
                }
                (Some(s), _) => {
                    if !specs.doc_specs[r.doc].contains(&s) {
                        specs.doc_specs[r.doc].push(s);
                        specs.specs[s].documents.push(r.doc);
                    }
                }
                (None, Some(kind)) => {
                    let path = r.path.as_deref().unwrap_or("");
                    let (message, help) = if r.path.is_none() {
                        (
                            format!(
                                "`{}: {}` leaves the content directory",
                                kind.field(),
                                r.written
                            ),
                            "specs are read only from inside the content directory".to_owned(),
                        )
                    } else if let Some(why) = catalog.refused.get(path) {
                        (
                            format!(
                                "`{}: {}` names a file that is not read: {why}",
                                kind.field(),
                                r.written
                            ),
                            "move the spec into the content directory".to_owned(),
                        )
                    } else if catalog.assets.contains(path) {
                        // Read, but not a spec (or one that failed, reported on the file).
                        match read.get(path) {
                            Some(None) if specs.files.files.contains_key(path) => (
                                format!(
                                    "`{}: {}` is not an OpenAPI or AsyncAPI document",
                                    kind.field(),
                                    r.written
                                ),
                                format!(
                                    "its first key should be `{}:` with the version",
                                    kind.field()
                                ),
                            ),
                            _ => continue,
                        }
                    } else {
                        let candidates: Vec<&str> = catalog
                            .assets
                            .iter()
                            .filter(|a| is_spec_like(a))
                            .map(String::as_str)
                            .collect();
                        let closest = crate::diagnostics::closest(path, candidates.iter().copied());
                        (
                            format!(
                                "`{}: {}` names a spec that does not exist ({path})",
                                kind.field(),
                                r.written
                            ),
                            match closest {
                                Some(c) => format!(
                                    "did you mean `{}`? paths are relative to the document",
                                    crate::validate::link_to(
                                        &doc.content_path,
                                        c,
                                        r.written.starts_with('/')
                                    )
                                ),
                                None => "paths are relative to the document; check the file name"
                                    .to_owned(),
                            },
                        )
                    };
                    diagnostics.push(
                        Diagnostic::error(&doc.source_path, r.line, "broken-spec", message)
                            .column(r.column)
                            .help(help)
                            .source_from(&doc.text),
                    );
                }
                (None, None) => {}
            }
        }
        specs.check_prose(catalog, config, &references, &mut diagnostics);
        crate::diagnostics::sort_and_dedup(&mut diagnostics);
        specs.diagnostics = diagnostics;
        specs
    }

    fn assign_routes_and_anchors(&mut self, mut taken: BTreeSet<String>) {
        let mut by_slug: HashMap<String, usize> = HashMap::new();
        for s in &self.specs {
            *by_slug.entry(slug_of(&s.content_path, false)).or_default() += 1;
        }
        for s in &mut self.specs {
            let short = slug_of(&s.content_path, false);
            let base = if by_slug[&short] > 1 {
                slug_of(&s.content_path, true)
            } else {
                short
            };
            let mut route = format!("specs/{base}/");
            let mut n = 2;
            while !taken.insert(route.clone()) {
                route = format!("specs/{base}-{n}/");
                n += 1;
            }
            s.route = route;
            let mut ids = crate::slug::UniqueIds::default();
            for op in &mut s.operations {
                let base = if op.operation_id.is_empty() {
                    crate::slug::url_slug(&op.label())
                } else {
                    crate::slug::url_slug(&op.operation_id)
                };
                op.anchor = ids.claim(&format!("op-{base}"));
            }
            for c in &mut s.channels {
                c.anchor = ids.claim(&format!("channel-{}", crate::slug::url_slug(&c.name)));
            }
        }
    }

    /// Every file the specs read, for publishing and fingerprints.
    pub fn files(&self) -> impl Iterator<Item = &String> {
        self.specs.iter().flat_map(|s| s.files.iter())
    }

    /// `spec-drift` for each claim of a document that its specs do not
    /// define; with `validation.spec_coverage`, a note for each operation
    /// or channel of a referenced spec the document never names.
    fn check_prose(
        &mut self,
        catalog: &Catalog,
        config: &Config,
        references: &[Reference],
        out: &mut Vec<Diagnostic>,
    ) {
        for (i, doc) in catalog.docs.iter().enumerate() {
            if self.doc_specs[i].is_empty() {
                continue;
            }
            let specs: Vec<&Spec> = self.doc_specs[i].iter().map(|&s| &self.specs[s]).collect();
            let mut matched: Vec<Matched> = Vec::new();
            let found = mentions::mentions(doc);
            let verdicts: Vec<Verdict> = found
                .iter()
                .map(|m| check_claim(&self.doc_specs[i], &specs, &m.claim))
                .collect();
            // A document with inbound and outbound sections describes two
            // APIs: when its spec's operations turn up on one side only,
            // the other side is another API's, not drift.
            let sides_matching = |side| {
                found
                    .iter()
                    .zip(&verdicts)
                    .any(|(m, v)| m.side == Some(side) && matches!(v, Verdict::Defined(_)))
            };
            let (inbound, outbound) = (
                sides_matching(mentions::Side::Inbound),
                sides_matching(mentions::Side::Outbound),
            );
            let other_side = match (inbound, outbound) {
                (true, false) => Some(mentions::Side::Outbound),
                (false, true) => Some(mentions::Side::Inbound),
                _ => None,
            };
            for (mention, verdict) in found.into_iter().zip(verdicts) {
                let verdict = match verdict {
                    Verdict::Drift { .. } if other_side.is_some() && mention.side == other_side => {
                        Verdict::NotAbout
                    }
                    v => v,
                };
                match verdict {
                    Verdict::Defined(m) => {
                        if !matched.contains(&m) {
                            matched.push(m);
                        }
                    }
                    Verdict::NotAbout => {}
                    Verdict::Drift { what, closest } => {
                        let help = match closest {
                            Some((label, s, line)) => format!(
                                "the closest it defines is `{label}` ({}:{line}); fix the document or the spec",
                                self.specs[s].source_path
                            ),
                            None => "fix the document or add it to the spec".to_owned(),
                        };
                        out.push(
                            Diagnostic::warning(
                                &doc.source_path,
                                mention.line,
                                "spec-drift",
                                format!("`{}` is not in {what}", mention.written),
                            )
                            .column(Some(mention.column))
                            .help(help)
                            .source_from(&doc.text),
                        );
                    }
                }
            }
            if config.validation.spec_coverage != Notice::Off {
                let severity = match config.validation.spec_coverage {
                    Notice::Warn => Severity::Warning,
                    _ => Severity::Info,
                };
                for &s in &self.doc_specs[i] {
                    let spec = &self.specs[s];
                    let at = references.iter().find(|r| {
                        r.doc == i && r.path.as_deref() == Some(spec.content_path.as_str())
                    });
                    let (line, column) = at.map_or((1, None), |r| (r.line, r.column));
                    let named =
                        |anchor: &str| matched.iter().any(|m| m.spec == s && m.anchor == anchor);
                    let unnamed = spec
                        .operations
                        .iter()
                        // A webhook is the API calling out: prose names no path for it.
                        .filter(|op| !op.webhook && !named(&op.anchor))
                        .map(|op| (op.label(), op.line))
                        .chain(
                            spec.channels
                                .iter()
                                .filter(|c| !named(&c.anchor))
                                .map(|c| (c.address.clone(), c.line)),
                        );
                    for (label, spec_line) in unnamed {
                        out.push(
                            Diagnostic::new(
                                &doc.source_path,
                                line,
                                severity,
                                "spec-unmentioned",
                                format!(
                                    "`{label}` ({}:{spec_line}) is in the spec but this document never mentions it",
                                    spec.source_path
                                ),
                            )
                            .column(column)
                            .help("describe it, or set validation.spec_coverage = \"off\""),
                        );
                    }
                }
            }
            self.matched[i] = matched;
        }
    }

    /// What document `i` says it uses of its specs: the matched claims'
    /// labels, each once, in the order written, with where the spec's
    /// page shows each (`specs/x/#op-y`).
    pub fn operations_of(&self, doc: usize) -> impl Iterator<Item = (String, String)> + '_ {
        self.matched.get(doc).into_iter().flatten().map(|m| {
            let route = self.specs.get(m.spec).map_or("", |s| s.route.as_str());
            (m.label.clone(), format!("{route}#{}", m.anchor))
        })
    }
}

enum Verdict {
    Defined(Matched),
    /// A claim about another API (another host, another kind of spec).
    NotAbout,
    Drift {
        what: String,
        /// (label, spec index, line in the spec).
        closest: Option<(String, usize, usize)>,
    },
}

/// `/orders/{orderId}/` → `/orders/{}`: path templates compare by shape,
/// whatever their parameters are called (`:id`, `<id>` too).
fn shape(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let templated = (s.starts_with('{') && s.ends_with('}'))
                || s.starts_with(':')
                || (s.starts_with('<') && s.ends_with('>'));
            if templated {
                "{}"
            } else {
                s
            }
        })
        .collect();
    format!("/{}", segments.join("/"))
}

/// `orders.{id}.created` → `orders.{}.created`: channel addresses compare
/// by shape wherever their parameters sit.
fn template_shape(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut in_param = false;
    for ch in address.chars() {
        match ch {
            '{' if !in_param => {
                in_param = true;
                out.push_str("{}");
            }
            '}' if in_param => in_param = false,
            _ if in_param => {}
            _ => out.push(ch),
        }
    }
    out
}

/// `https://api.example.com/v1/x` → (Some(api.example.com), /v1/x).
fn split_url(url: &str) -> (Option<String>, String) {
    for scheme in ["https://", "http://", "wss://", "ws://"] {
        if let Some(rest) = url.strip_prefix(scheme) {
            let (host, path) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, "/"),
            };
            return (Some(host.to_ascii_lowercase()), path.to_owned());
        }
    }
    (None, url.to_owned())
}

/// The base paths an operation path may be written under: `/` and each
/// server's path (`https://api.example.com/v1` → `/v1`).
fn base_paths(spec: &Spec) -> Vec<String> {
    let mut out = vec![String::new()];
    for s in &spec.servers {
        let (_, path) = split_url(&s.url);
        let path = if path.starts_with('/') {
            path
        } else {
            String::new()
        };
        let path = path.trim_end_matches('/').to_owned();
        if !path.is_empty() && !out.contains(&path) {
            out.push(path);
        }
    }
    out
}

fn check_claim(indexes: &[usize], specs: &[&Spec], claim: &Claim) -> Verdict {
    let of_kind = |kind: SpecKind| -> Vec<(usize, &Spec)> {
        indexes
            .iter()
            .zip(specs)
            .filter(|(_, s)| s.kind == kind)
            .map(|(&i, s)| (i, *s))
            .collect()
    };
    match claim {
        Claim::Http { method, path } => {
            let candidates = of_kind(SpecKind::OpenApi);
            if candidates.is_empty() {
                return Verdict::NotAbout;
            }
            let (host, written_path) = split_url(path);
            let wanted = shape(&written_path);
            // The specs on the claim's host (all, for a path alone), with
            // the base paths each may be written under.
            let about: Vec<(usize, &Spec, Vec<String>)> = candidates
                .iter()
                .filter(|(_, spec)| {
                    let hosts: Vec<String> = spec
                        .servers
                        .iter()
                        .filter_map(|srv| split_url(&srv.url).0)
                        .collect();
                    host.as_ref()
                        .is_none_or(|h| hosts.is_empty() || hosts.contains(h))
                })
                .map(|&(s, spec)| (s, spec, base_paths(spec)))
                .collect();
            if about.is_empty() {
                return Verdict::NotAbout;
            }
            let operations = || {
                about.iter().flat_map(|(s, spec, bases)| {
                    spec.operations
                        .iter()
                        .filter(|o| !o.webhook)
                        .flat_map(move |op| bases.iter().map(move |base| (*s, op, base)))
                })
            };
            for (s, op, base) in operations() {
                let same_method = method.as_ref().is_none_or(|m| *m == op.method);
                if same_method && shape(&format!("{base}{}", op.path)) == wanted {
                    return Verdict::Defined(Matched {
                        spec: s,
                        label: op.label(),
                        anchor: op.anchor.clone(),
                    });
                }
            }
            // Edit distances only for a claim that drifted.
            let closest = operations()
                .map(|(s, op, base)| {
                    let label = format!("{} {base}{}", op.method, op.path);
                    let asked =
                        format!("{} {written_path}", method.as_deref().unwrap_or(&op.method));
                    (strsim::levenshtein(&asked, &label), label, s, op.line)
                })
                .min_by_key(|c| c.0)
                .map(|(_, label, s, line)| (label, s, line));
            Verdict::Drift {
                what: describe(&candidates),
                closest,
            }
        }
        Claim::Channel(name) => {
            let candidates = of_kind(SpecKind::AsyncApi);
            if candidates.is_empty() {
                return Verdict::NotAbout;
            }
            let channels = || {
                candidates
                    .iter()
                    .flat_map(|&(s, spec)| spec.channels.iter().map(move |c| (s, c)))
            };
            let wanted = template_shape(name);
            if let Some((s, c)) = channels().find(|(_, c)| {
                c.address == *name || c.name == *name || template_shape(&c.address) == wanted
            }) {
                return Verdict::Defined(Matched {
                    spec: s,
                    label: c.address.clone(),
                    anchor: c.anchor.clone(),
                });
            }
            let closest = channels()
                .min_by_key(|(_, c)| strsim::levenshtein(name, &c.address))
                .map(|(s, c)| (c.address.clone(), s, c.line));
            Verdict::Drift {
                what: describe(&candidates),
                closest,
            }
        }
        Claim::Operation(id) => {
            if specs.is_empty() {
                return Verdict::NotAbout;
            }
            let all: Vec<(usize, &Spec)> =
                indexes.iter().copied().zip(specs.iter().copied()).collect();
            let mut ids: Vec<(String, usize, usize, String)> = Vec::new();
            for (s, spec) in &all {
                for op in &spec.operations {
                    if !op.operation_id.is_empty() {
                        ids.push((op.operation_id.clone(), *s, op.line, op.anchor.clone()));
                    }
                }
                for c in &spec.channels {
                    for op in &c.operations {
                        if !op.id.is_empty() {
                            ids.push((op.id.clone(), *s, op.line, c.anchor.clone()));
                        }
                    }
                }
            }
            by_name(&ids, id, describe(&all))
        }
        Claim::Message(name) => {
            let candidates = of_kind(SpecKind::AsyncApi);
            let mut names: Vec<(String, usize, usize, String)> = Vec::new();
            for (s, spec) in &candidates {
                for c in &spec.channels {
                    for m in &c.messages {
                        for n in [&m.name, &m.title] {
                            if !n.is_empty() {
                                names.push((n.clone(), *s, c.line, c.anchor.clone()));
                            }
                        }
                    }
                }
            }
            by_name(&names, name, describe(&candidates))
        }
    }
}

/// A claim of a name (an operation id, a message) among `(name, spec,
/// line, anchor)`: defined, or drift with the closest name.
fn by_name(names: &[(String, usize, usize, String)], wanted: &str, what: String) -> Verdict {
    if names.is_empty() {
        return Verdict::NotAbout;
    }
    if let Some((label, s, _, anchor)) = names.iter().find(|(n, ..)| n == wanted) {
        return Verdict::Defined(Matched {
            spec: *s,
            label: label.clone(),
            anchor: anchor.clone(),
        });
    }
    let closest = names
        .iter()
        .min_by_key(|(n, ..)| strsim::levenshtein(n, wanted))
        .map(|(n, s, line, _)| (n.clone(), *s, *line));
    Verdict::Drift { what, closest }
}

fn describe(specs: &[(usize, &Spec)]) -> String {
    let names: Vec<String> = specs
        .iter()
        .map(|(_, s)| {
            format!(
                "`{}`",
                s.content_path.rsplit('/').next().unwrap_or(&s.content_path)
            )
        })
        .collect();
    match names.as_slice() {
        [one] => format!("the spec {one}"),
        _ => format!("the specs {}", names.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_compare_by_shape() {
        assert_eq!(shape("/orders/{orderId}/"), "/orders/{}");
        assert_eq!(shape("/orders/:id?expand=1"), shape("/orders/{id}"));
        assert_eq!(
            split_url("https://API.x.com/v1/a").0.as_deref(),
            Some("api.x.com")
        );
        assert_eq!(
            slug_of("payments/stripe.openapi.yaml", false),
            "stripe.openapi"
        );
        assert_eq!(
            slug_of("payments/stripe.openapi.yaml", true),
            "payments-stripe.openapi"
        );
        assert_eq!(
            crate::validate::link_to("a/b/doc.md", "a/specs/x.yaml", false),
            "../specs/x.yaml"
        );
    }
}
