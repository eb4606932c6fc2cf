//! The systems one document connects, read from whichever of the five
//! template shapes it follows: fields, `**Source:**` lines, arrow titles,
//! the integration-points diagram and sections, the "Integration Details"
//! bullets of an integration guide.

use std::sync::LazyLock;

use regex::Regex;

use super::identity::Resolver;
use crate::catalog::looks_like_placeholder;
use crate::config::SystemKind;
use crate::content::inline_meta::find_all_at;
use crate::content::{Doc, Shape};

/// A system name as a document writes it, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct NameRef {
    pub name: String,
    pub line: usize,
    pub column: Option<usize>,
    /// What the document says about the system's kind, if anything.
    pub hint: Option<SystemKind>,
    /// Declared systems the name was picked among (a guide's title naming
    /// two declared systems): two or more make the name ambiguous.
    pub choices: Vec<usize>,
}

/// One integration a document describes.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub from: NameRef,
    pub to: NameRef,
    pub both_ways: bool,
    pub protocol: Option<String>,
    pub critical: bool,
}

/// Longest system name kept; longer text is prose, not a name.
const MAX_NAME_CHARS: usize = 80;
/// At most this many integrations are read from one document.
const MAX_CLAIMS: usize = 200;

static ARROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<a>.+?)\s*(?P<arrow>↔|<->|⇄|←→|→|->|⟶|=>)\s*(?P<b>.+)$").expect("valid regex")
});

/// The templates' example names: a document still carrying them names no
/// real system.
static TEMPLATE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(this system|(external|internal) (system|service)( [a-z0-9]+)?|external system name|system [a-z]|source|destination|processing|service name|feature name|integration name|any middleware.*)$",
    )
    .expect("valid regex")
});

static BRACKETED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\[\]\n]{1,120})\]").expect("valid regex"));

/// `publisher.py:42`.
static CODE_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.\w{1,5}:\d+").expect("valid regex"));

static POINTS_SECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^Integration\s+[0-9A-Za-z]{1,4}\s*:\s*(?P<name>.+)$").expect("valid regex")
});

/// A name cleaned of the words titles wrap around it.
pub fn clean_name(name: &str) -> String {
    let mut s = name.trim();
    for prefix in ["Integration:", "Integration -", "Integration Points -"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim();
        }
    }
    for suffix in ["Integration Documentation", "Integration", "Documentation"] {
        if let Some(rest) = s.strip_suffix(suffix) {
            s = rest.trim();
        }
    }
    // "NetSuite (nightly settlement file)" names NetSuite.
    if let Some(open) = s.find(" (") {
        if s.ends_with(')') {
            s = s[..open].trim();
        }
    }
    s.trim_matches(|c: char| c == '[' || c == ']' || c == '`' || c == '*' || c.is_whitespace())
        .replace('`', "")
}

fn usable_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && !looks_like_placeholder(name)
        && !TEMPLATE_NAME.is_match(name)
        && name.chars().any(char::is_alphanumeric)
}

/// The two systems a title names, if it reads "A ↔ B" or "A → B".
pub fn systems_in_title(title: &str) -> Option<(String, String, bool)> {
    let title = title.trim();
    let title = title.strip_prefix("Integration:").unwrap_or(title).trim();
    let caps = ARROW.captures(title)?;
    let a = clean_name(&caps["a"]);
    let b = clean_name(&caps["b"]);
    let both = matches!(&caps["arrow"], "↔" | "<->" | "⇄" | "←→");
    (usable_name(&a) && usable_name(&b) && a != b).then_some((a, b, both))
}

/// A value that names a file or a code location, not a system
/// (`order_service/events/publisher.py:42`).
fn is_code_location(value: &str) -> bool {
    let v = value.trim();
    (v.starts_with('`') && v.ends_with('`') && v.len() > 1)
        || v.contains('/')
        || v.contains('\\')
        || CODE_LINE.is_match(v)
}

/// Where a document's body starts, as a 1-based line of the file.
fn body_first_line(doc: &Doc) -> usize {
    doc.text[..doc.body_offset].matches('\n').count() + 1
}

/// `**Key**: value` lines the readers below look at, found in one pass.
const META_KEYS: [&str; 6] = [
    "protocol",
    "integration_type",
    "critical_path",
    "direction",
    "source",
    "destination",
];

struct Reader<'a> {
    doc: &'a Doc,
    body_line: usize,
    /// The file's lines, split when first needed.
    split: std::cell::OnceCell<Vec<&'a str>>,
    found: Vec<Option<crate::content::inline_meta::Found>>,
}

impl<'a> Reader<'a> {
    fn new(doc: &'a Doc) -> Reader<'a> {
        Reader {
            doc,
            body_line: body_first_line(doc),
            split: std::cell::OnceCell::new(),
            found: find_all_at(doc.body(), &META_KEYS),
        }
    }

    fn lines(&self) -> &[&'a str] {
        self.split.get_or_init(|| self.doc.text.lines().collect())
    }

    /// A name standing on `line`, with its column when it appears there.
    fn name_at(&self, name: String, line: usize, hint: Option<SystemKind>) -> NameRef {
        let column = self
            .lines()
            .get(line.wrapping_sub(1))
            .and_then(|text| text.find(&name).map(|at| text[..at].chars().count() + 1));
        NameRef {
            name,
            line,
            column,
            hint,
            choices: Vec::new(),
        }
    }

    /// A `**Key**: value` anywhere in the body, with its file line.
    fn meta(&self, key: &str) -> Option<(String, usize)> {
        let field = self
            .doc
            .field(key)
            .and_then(|f| f.as_text().map(|t| (t.trim().to_owned(), f.line)));
        field
            .or_else(|| {
                let slot = META_KEYS.iter().position(|k| *k == key)?;
                let f = self.found[slot].as_ref()?;
                Some((f.value.clone(), self.body_line + f.line))
            })
            .filter(|(v, _)| !v.is_empty() && !looks_like_placeholder(v))
    }

    fn protocol(&self) -> Option<String> {
        ["protocol", "integration_type"]
            .iter()
            .find_map(|k| self.meta(k))
            .map(|(v, _)| v.trim_matches('`').to_owned())
            .filter(|v| v.chars().count() <= 60)
    }

    fn critical(&self) -> bool {
        self.meta("critical_path").is_some_and(|(v, _)| {
            let v = v.to_lowercase();
            v.starts_with("yes") || v.starts_with("true")
        })
    }

    /// `Some(true)` for both ways, `Some(false)` for one way, from a
    /// `Direction` line.
    fn both_ways(&self) -> Option<bool> {
        let (v, _) = self.meta("direction")?;
        let v = v.to_lowercase();
        if v.contains("bidirectional") || v.contains("both") || v.contains("two-way") {
            Some(true)
        } else if v.contains("unidirectional") || v.contains("one-way") || v.contains("one way") {
            Some(false)
        } else {
            None
        }
    }
}

/// Every integration `doc` describes. `home` is the site's own platform,
/// the other end of a service spec or an integration guide.
pub fn claims(doc: &Doc, home: &str, resolver: &Resolver) -> Vec<Claim> {
    let r = Reader::new(doc);
    let mut claims = Vec::new();
    if let Some(claim) = from_fields(&r) {
        claims.push(claim);
    } else if let Some(claim) = from_title(&r) {
        claims.push(claim);
    } else {
        match doc.shape {
            Shape::SourceDestination => claims.extend(from_source_lines(&r)),
            Shape::ServiceSpec => claims.extend(from_service(&r, home)),
            Shape::FullIntegration => claims.extend(from_guide(&r, home, resolver)),
            _ => {}
        }
        if claims.is_empty() && doc.shape != Shape::IntegrationPoints {
            claims.extend(from_service(&r, home));
        }
    }
    if doc.shape == Shape::IntegrationPoints {
        claims.extend(from_points(&r));
    }
    claims.truncate(MAX_CLAIMS);
    claims
}

/// `source` and `destination` frontmatter fields.
fn from_fields(r: &Reader<'_>) -> Option<Claim> {
    let field = |key: &str| {
        let f = r.doc.field(key)?;
        let text = f.as_text()?;
        if is_code_location(text) {
            return None;
        }
        let name = clean_name(text);
        usable_name(&name).then(|| r.name_at(name, f.line, None))
    };
    let (from, to) = (field("source")?, field("destination")?);
    Some(Claim {
        from,
        to,
        both_ways: r.both_ways().unwrap_or(false),
        protocol: r.protocol(),
        critical: r.critical(),
    })
}

fn from_title(r: &Reader<'_>) -> Option<Claim> {
    let title = r.doc.title.as_deref()?;
    let (a, b, arrow_both) = systems_in_title(title)?;
    let line = r.doc.title_line;
    Some(Claim {
        from: r.name_at(a, line, None),
        to: r.name_at(b, line, None),
        both_ways: r.both_ways().unwrap_or(arrow_both),
        protocol: r.protocol(),
        critical: r.critical(),
    })
}

/// Seed 004 with a title that names no systems: its `**Source:**` and
/// `**Destination:**` lines, unless they name code locations.
fn from_source_lines(r: &Reader<'_>) -> Option<Claim> {
    let side = |key: &str| {
        let (value, line) = r.meta(key)?;
        if is_code_location(&value) {
            return None;
        }
        let name = clean_name(&value);
        usable_name(&name).then(|| r.name_at(name, line, None))
    };
    Some(Claim {
        from: side("source")?,
        to: side("destination")?,
        both_ways: r.both_ways().unwrap_or(false),
        protocol: r.protocol(),
        critical: r.critical(),
    })
}

/// Seed 002: `service` is what the home platform integrates with.
fn from_service(r: &Reader<'_>, home: &str) -> Option<Claim> {
    let f = r.doc.field("service")?;
    let name = clean_name(f.as_text()?);
    if !usable_name(&name) {
        return None;
    }
    let to = r.name_at(name, f.line, Some(SystemKind::External));
    Some(hub_claim(r, home, to))
}

/// An edge between the home platform and `other`, oriented by the
/// document's `Direction` (inbound, outbound or both).
fn hub_claim(r: &Reader<'_>, home: &str, other: NameRef) -> Claim {
    let home_ref = NameRef {
        name: home.to_owned(),
        line: other.line,
        column: None,
        hint: Some(SystemKind::Internal),
        choices: Vec::new(),
    };
    let direction = r.meta("direction").map(|(v, _)| v.to_lowercase());
    let inbound = direction
        .as_deref()
        .is_some_and(|d| d.starts_with("inbound"));
    let (from, to) = if inbound {
        (other, home_ref)
    } else {
        (home_ref, other)
    };
    Claim {
        from,
        to,
        both_ways: r.both_ways().unwrap_or(false),
        protocol: r.protocol(),
        critical: r.critical(),
    }
}

/// Seed 000: a guide names one external system in its title ("Stripe Card
/// Payments Integration"): a declared system named there, else the title
/// word that is also a tag, else the title itself.
fn from_guide(r: &Reader<'_>, home: &str, resolver: &Resolver) -> Option<Claim> {
    let title = r.doc.title.as_deref()?;
    let line = r.doc.title_line;
    let home_key = super::identity::normalize(home);
    let declared: Vec<usize> = resolver
        .named_in(title)
        .into_iter()
        .filter(|&i| {
            resolver.resolve(home) != Some(super::identity::Resolution::Declared(i))
                && super::identity::normalize(&resolver.declared[i]) != home_key
        })
        .collect();
    let name = if let Some(&first) = declared.first() {
        let mut name = r.name_at(
            resolver.display_name(first),
            line,
            Some(SystemKind::External),
        );
        name.choices = declared;
        name
    } else if let Some(word) = tag_in_title(&without_asides(title), &r.doc.list_field("tags")) {
        r.name_at(word, line, Some(SystemKind::External))
    } else {
        let name = clean_name(&without_asides(title));
        if !usable_name(&name) {
            return None;
        }
        r.name_at(name, line, Some(SystemKind::External))
    };
    Some(hub_claim(r, home, name))
}

/// `text` without parenthesised asides: "Okta Customer Identity (OIDC)
/// Integration" names Okta, not OIDC.
fn without_asides(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The title's own spelling of the earliest of its words that is also a tag
/// ("Adyen POS Terminals", tags [payments, pos, adyen] → "Adyen").
fn tag_in_title(title: &str, tags: &[&str]) -> Option<String> {
    let words: Vec<(usize, &str)> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .enumerate()
        .collect();
    let mut best: Option<(usize, usize, String)> = None;
    for tag in tags {
        let tag_words: Vec<String> = tag
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
        if tag_words.is_empty() || tag_words.len() > words.len() {
            continue;
        }
        for start in 0..=words.len() - tag_words.len() {
            let window = &words[start..start + tag_words.len()];
            if window
                .iter()
                .zip(&tag_words)
                .all(|((_, w), t)| w.to_lowercase() == *t)
            {
                let text = window.iter().map(|(_, w)| *w).collect::<Vec<_>>().join(" ");
                let candidate = (start, usize::MAX - tag_words.len(), text);
                if best
                    .as_ref()
                    .is_none_or(|b| (candidate.0, candidate.1) < (b.0, b.1))
                {
                    best = Some(candidate);
                }
                break;
            }
        }
    }
    best.map(|(_, _, text)| text)
}

/// Which way an arrow between two boxes points.
#[derive(Clone, Copy, PartialEq)]
enum Arrow {
    Forward,
    Backward,
    Both,
}

fn arrow_in(text: &str) -> Option<Arrow> {
    let forward = text.contains(['→', '▶', '>', '⟶', '⇒', '►']);
    let backward = text.contains(['←', '◀', '<', '⟵', '⇐', '◄']);
    if text.contains(['↔', '⇄']) || (forward && backward) {
        Some(Arrow::Both)
    } else if forward {
        Some(Arrow::Forward)
    } else if backward {
        Some(Arrow::Backward)
    } else if text.contains(['─', '-', '═', '=']) {
        // A line without a head: connected, direction unsaid.
        Some(Arrow::Both)
    } else {
        None
    }
}

/// One `[Name]` box of a diagram line: names, start column (chars), and
/// the text between it and the box before it.
struct Box_<'a> {
    names: Vec<String>,
    column: usize,
    before: &'a str,
}

fn boxes(line: &str) -> Vec<Box_<'_>> {
    let mut out = Vec::new();
    let mut last_end = 0;
    for m in BRACKETED.captures_iter(line) {
        let whole = m.get(0).expect("match");
        let names: Vec<String> = m[1]
            .split(['|', ','])
            .map(clean_name)
            .filter(|n| usable_name(n))
            .collect();
        out.push(Box_ {
            names,
            column: line[..whole.start()].chars().count(),
            before: &line[last_end..whole.start()],
        });
        last_end = whole.end();
    }
    out
}

/// Seed 003: the boxes of the "Integration Overview Diagram"
/// (`[This System] ←→ [External System A]`), then the "Integration N:
/// <System>" sections, which add systems and say how critical each is.
fn from_points(r: &Reader<'_>) -> Vec<Claim> {
    let mut claims: Vec<Claim> = Vec::new();
    let mut hub: Option<NameRef> = None;
    for block in &r.doc.code_blocks {
        if !matches!(block.lang.as_str(), "" | "text" | "txt" | "ascii" | "plain") {
            continue;
        }
        // (names of the box, start column) of earlier lines, for the boxes
        // a line continues from (`├──▶ [X]` under `[Returns service]`).
        let mut placed: Vec<(usize, Vec<NameRef>)> = Vec::new();
        for (offset, line) in block.content.lines().enumerate() {
            let file_line = block.line + 1 + offset;
            let mut previous: Option<Vec<NameRef>> = None;
            for b in boxes(line) {
                let names: Vec<NameRef> = b
                    .names
                    .iter()
                    .map(|n| r.name_at(n.clone(), file_line, None))
                    .collect();
                if names.is_empty() {
                    previous = None;
                    continue;
                }
                let left = match &previous {
                    Some(p) => Some(p.clone()),
                    None => {
                        let lead = b.before.trim_start();
                        let lead_column = b.column - lead.chars().count();
                        (!lead.is_empty())
                            .then(|| {
                                placed
                                    .iter()
                                    .rev()
                                    .filter(|(col, _)| *col <= lead_column)
                                    .max_by_key(|(col, _)| *col)
                                    .map(|(_, n)| n.clone())
                            })
                            .flatten()
                            .or_else(|| hub.clone().map(|h| vec![h]))
                    }
                };
                if let (Some(left), Some(arrow)) = (left, arrow_in(b.before)) {
                    for a in &left {
                        for n in &names {
                            if claims.len() >= MAX_CLAIMS {
                                return claims;
                            }
                            let (from, to) = match arrow {
                                Arrow::Backward => (n.clone(), a.clone()),
                                _ => (a.clone(), n.clone()),
                            };
                            claims.push(Claim {
                                from,
                                to,
                                both_ways: arrow == Arrow::Both,
                                protocol: None,
                                critical: false,
                            });
                        }
                    }
                }
                if hub.is_none() {
                    hub = names.first().cloned();
                }
                placed.push((b.column, names.clone()));
                previous = Some(names);
            }
        }
        if hub.is_some() {
            break;
        }
    }
    let hub = hub.or_else(|| {
        let title = r.doc.title.as_deref()?;
        let name = clean_name(title);
        usable_name(&name).then(|| r.name_at(name, r.doc.title_line, None))
    });
    let Some(hub) = hub else {
        return claims;
    };
    // The sections: "### Integration 1: Stripe" under "## External ...".
    let headings = &r.doc.headings;
    let mut kind_hint = None;
    for (i, h) in headings.iter().enumerate() {
        if h.level <= 2 {
            let text = h.shown.to_lowercase();
            kind_hint = if text.contains("external") {
                Some(crate::config::SystemKind::External)
            } else if text.contains("internal") {
                Some(crate::config::SystemKind::Internal)
            } else {
                None
            };
            continue;
        }
        // What a reader sees: `### Integration 1: <b>Stripe</b>` names Stripe.
        let Some(caps) = POINTS_SECTION.captures(h.shown.trim()) else {
            continue;
        };
        let name = clean_name(&caps["name"]);
        if !usable_name(&name) {
            continue;
        }
        let lines = r.lines();
        let end = headings.get(i + 1).map_or(lines.len(), |n| n.line - 1);
        let section = lines.get(h.line..end.max(h.line)).unwrap_or_default();
        let value = |key: &str| {
            section.iter().find_map(|l| {
                let t = l.trim_start();
                let t = t
                    .strip_prefix("- ")
                    .or_else(|| t.strip_prefix("* "))
                    .unwrap_or(t);
                let rest = t
                    .strip_prefix(&format!("**{key}**:"))
                    .or_else(|| t.strip_prefix(&format!("**{key}:**")))?;
                Some(rest.trim().to_owned()).filter(|v| !looks_like_placeholder(v))
            })
        };
        let protocol = value("Type").filter(|v| !v.is_empty() && v.chars().count() <= 60);
        let critical = value("Criticality").is_some_and(|v| v.eq_ignore_ascii_case("critical"));
        let key = super::identity::normalize(&name);
        let mut touched = false;
        for c in claims.iter_mut() {
            if super::identity::normalize(&c.from.name) == key
                || super::identity::normalize(&c.to.name) == key
            {
                touched = true;
                c.protocol = c.protocol.take().or(protocol.clone());
                c.critical |= critical;
                for side in [&mut c.from, &mut c.to] {
                    if super::identity::normalize(&side.name) == key {
                        side.hint = side.hint.or(kind_hint);
                    }
                }
            }
        }
        if !touched && claims.len() < MAX_CLAIMS {
            claims.push(Claim {
                from: hub.clone(),
                to: r.name_at(name, h.line, kind_hint),
                both_ways: true,
                protocol,
                critical,
            });
        }
    }
    claims
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::content::source::decode;

    fn doc(text: &str) -> Doc {
        Doc::parse(
            "content/x.md".into(),
            "x.md".into(),
            decode(text.as_bytes()),
        )
    }

    fn pairs(text: &str, toml: &str) -> Vec<(String, String, bool)> {
        let config = Config::parse(toml).unwrap();
        let resolver = Resolver::new(&config);
        claims(&doc(text), "Home", &resolver)
            .into_iter()
            .map(|c| (c.from.name, c.to.name, c.both_ways))
            .collect()
    }

    fn p(a: &str, b: &str, both: bool) -> (String, String, bool) {
        (a.to_owned(), b.to_owned(), both)
    }

    #[test]
    fn titles_name_their_systems() {
        assert_eq!(
            systems_in_title("Storefront ↔ Salesforce Integration Documentation"),
            Some(("Storefront".into(), "Salesforce".into(), true))
        );
        assert_eq!(
            systems_in_title("Integration: Ledger Service → NetSuite (nightly settlement file)"),
            Some(("Ledger Service".into(), "NetSuite".into(), false))
        );
        assert_eq!(
            systems_in_title("Integration: Order Service → Kafka `order-events`"),
            Some(("Order Service".into(), "Kafka order-events".into(), false))
        );
        assert_eq!(
            systems_in_title("[System A] ↔ [System B] Integration Documentation"),
            None
        );
        assert_eq!(systems_in_title("Stripe Card Payments"), None);
    }

    #[test]
    fn seed_000_guide_names_one_external_system() {
        let text = "---\ntitle: Stripe Card Payments Integration\ntags: [payments, stripe]\nai_agent_relevance: [A]\n---\n\n# Stripe Card Payments Integration\n\n## Integration Details\n\n- **Integration Type**: REST API and webhooks\n- **Direction**: Bidirectional\n";
        assert_eq!(pairs(text, ""), vec![p("Home", "Stripe", true)]);
        let inbound = text.replace("Bidirectional", "Inbound");
        assert_eq!(pairs(&inbound, ""), vec![p("Stripe", "Home", false)]);
        // A declared system named in the title wins over tags.
        let okta = "---\ntitle: Okta Customer Identity (OIDC) Integration\ntags: [auth, oidc]\ncontributors: [A]\n---\n";
        assert_eq!(
            pairs(okta, ""),
            vec![p("Home", "Okta Customer Identity", false)]
        );
        assert_eq!(
            pairs(okta, "[systems.okta]\nname = \"Okta\"\n"),
            vec![p("Home", "Okta", false)]
        );
    }

    #[test]
    fn seed_001_pair_with_its_direction() {
        let text = "# Storefront ↔ Salesforce Integration Documentation\n\n## Integration Architecture [REQUIRED]\n\n### Communication Pattern\n- **Protocol**: REST\n- **Direction**: Unidirectional\n";
        let d = doc(text);
        assert_eq!(d.shape, Shape::SystemPair);
        let c = claims(&d, "Home", &Resolver::new(&Config::default()));
        assert_eq!(
            (c[0].both_ways, c[0].protocol.as_deref()),
            (false, Some("REST"))
        );
        assert_eq!(c[0].from.name, "Storefront");
        assert_eq!((c[0].from.line, c[0].from.column), (1, Some(3)));
    }

    #[test]
    fn seed_002_service() {
        let text = "---\nid: INT-001\ntype: Integration\nname: HubSpot Contacts\nstatus: draft\nservice: HubSpot\n---\n# {name}\n\n## Integration Type\n- **Protocol**: REST\n";
        let c = claims(&doc(text), "Home", &Resolver::new(&Config::default()));
        assert_eq!(c.len(), 1);
        assert_eq!(
            (c[0].from.name.as_str(), c[0].to.name.as_str()),
            ("Home", "HubSpot")
        );
        assert_eq!(c[0].to.line, 6);
        assert_eq!(c[0].to.hint, Some(SystemKind::External));
        assert_eq!(c[0].protocol.as_deref(), Some("REST"));
        // The template itself names nothing.
        let template = "---\nid: INT-[XXX]\ntype: Integration\nname: [Integration Name]\nstatus: draft\nservice: [Service Name]\n---\n# {name}\n";
        assert!(pairs(template, "").is_empty());
    }

    #[test]
    fn a_section_is_named_by_what_its_heading_shows() {
        let text = "# Integration Points - Billing\n\n**SEV Level**: SEV-2\n\n## <em>External</em> System Integrations\n\n### Integration 1: <b>Stripe</b> Billing\n**Type**: REST API\n";
        let c = claims(&doc(text), "Home", &Resolver::new(&Config::default()));
        let got: Vec<_> = c.iter().map(|c| (c.to.name.as_str(), c.to.hint)).collect();
        assert_eq!(got, [("Stripe Billing", Some(SystemKind::External))]);
    }

    #[test]
    fn seed_003_diagram_and_sections() {
        let text = "# Integration Points - Returns\n\n**Created**: 2025-06-01\n**SEV Level**: SEV-2\n\n## Integration Architecture\n\n```\n[Returns portal] ──▶ [Returns service] ──▶ [Payments service] ──▶ [Stripe | Adyen]\n                            │\n                            ├──▶ [Warehouse WMS]   (expected return)\n                            └──▶ [SendGrid]\n```\n\n## External System Integrations\n\n### Integration 1: Carrier label API\n**Type**: REST API  \n**Criticality**: CRITICAL\n\n## Internal System Integrations\n\n### Integration A: Payments Service\n**Type**: gRPC\n";
        let d = doc(text);
        assert_eq!(d.shape, Shape::IntegrationPoints);
        let c = claims(&d, "Home", &Resolver::new(&Config::default()));
        let got: Vec<_> = c
            .iter()
            .map(|c| (c.from.name.as_str(), c.to.name.as_str(), c.both_ways))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Returns portal", "Returns service", false),
                ("Returns service", "Payments service", false),
                ("Payments service", "Stripe", false),
                ("Payments service", "Adyen", false),
                ("Returns service", "Warehouse WMS", false),
                ("Returns service", "SendGrid", false),
                ("Returns portal", "Carrier label API", true),
            ]
        );
        let carrier = &c[6];
        assert!(carrier.critical);
        assert_eq!(carrier.to.hint, Some(SystemKind::External));
        assert_eq!(carrier.protocol.as_deref(), Some("REST API"));
        assert_eq!(c[1].protocol.as_deref(), Some("gRPC"));
        assert_eq!(c[1].to.hint, Some(SystemKind::Internal));
        assert_eq!(c[4].to.line, 11);
        // The template's own boxes name nothing.
        let template = "# Integration Points - [Feature Name]\n\n**SEV Level**: SEV-X\n\n## Integration Architecture\n```\n[This System] ←→ [External System A]\n              ←→ [Internal Service C]\n```\n## External System Integrations\n### Integration 1: [External System Name]\n";
        assert!(pairs(template, "").is_empty());
    }

    #[test]
    fn seed_004_title_then_source_lines() {
        let text = "# Integration: Order Service → Kafka `order-events`\n\n**Purpose:** Publish\n**Protocol:** Kafka\n**Direction:** Unidirectional\n**Critical Path:** Yes\n\n---\n\n## Quick Reference\n\n**Source:** `order_service/events/publisher.py:42`\n**Destination:** Kafka cluster\n";
        let d = doc(text);
        assert_eq!(d.shape, Shape::SourceDestination);
        let c = claims(&d, "Home", &Resolver::new(&Config::default()));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].to.name, "Kafka order-events");
        assert!(c[0].critical && !c[0].both_ways);
        let untitled = text.replace(
            "# Integration: Order Service → Kafka `order-events`",
            "# Order events",
        );
        let lines = untitled.replace(
            "`order_service/events/publisher.py:42`",
            "Order service (`orders.internal:80`)",
        );
        assert_eq!(
            pairs(&lines, ""),
            vec![p("Order service", "Kafka cluster", false)]
        );
        // A code location is not a system.
        assert!(pairs(&untitled, "").is_empty());
    }

    #[test]
    fn plain_pages_name_nothing() {
        assert!(pairs("---\ntitle: Getting started\n---\nText about Stripe.\n", "").is_empty());
        assert_eq!(
            pairs("# Billing → Ledger\n", ""),
            vec![p("Billing", "Ledger", false)]
        );
    }
}
