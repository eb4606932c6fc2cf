//! site.toml → Config. Every key is optional; the defaults model the seed
//! templates so a folder of documents works with no configuration at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::closest;
use crate::RunError;

pub const CONFIG_FILE: &str = "site.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub title: String,
    pub description: String,
    /// Absolute URL of the published site; its path (e.g. `/integrations/`)
    /// prefixes every link the build writes.
    pub base_url: String,
    pub content_dir: PathBuf,
    pub output_dir: PathBuf,
    /// Name of a theme under `themes/` whose templates override the built-in
    /// ones by file name.
    pub theme: Option<String>,
    /// Prefix of "Edit this page" links; the document's path relative to the
    /// root is appended.
    pub edit_url: Option<String>,
    /// The name of the platform this catalog documents: the other end of
    /// every `service` integration on the systems map.
    pub home_system: String,
    pub validation: Validation,
    pub fields: BTreeMap<String, FieldRule>,
    pub kinds: BTreeMap<String, KindRule>,
    #[serde(deserialize_with = "agent_decls")]
    pub agents: BTreeMap<String, AgentDecl>,
    /// `[agents] context_budget_kb`: the size of each agent's context pack
    /// (`agents/<Name>/context.md`).
    #[serde(skip)]
    pub context_budget_kb: u64,
    /// Systems of the landscape, by id (`[systems.stripe]`). Optional: the
    /// map also reads systems from the documents themselves.
    pub systems: BTreeMap<String, SystemDecl>,
    pub diagrams: DiagramsConfig,
    pub security: Security,
    /// `[vocabulary.<field>]`: facet terms and their spellings, on top of
    /// the built-in ones (catalog::vocabulary).
    pub vocabulary: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// What content may publish beyond documents and plain attachments.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Security {
    /// Publish linked `.html` attachments as they are. Off by default: an
    /// HTML file runs its scripts on the catalog's origin.
    pub html_attachments: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiagramsConfig {
    /// Render mermaid fences to SVG; off shows their source only.
    pub enabled: bool,
    /// Path to mermaid-cli's `mmdc`, relative to the site root.
    pub mmdc: Option<PathBuf>,
    /// A diagram that takes longer is stopped and reported.
    pub timeout_seconds: u64,
}

impl Default for DiagramsConfig {
    fn default() -> Self {
        DiagramsConfig {
            enabled: true,
            mmdc: None,
            timeout_seconds: 20,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        let mut kinds = BTreeMap::new();
        // Seed 002 (external service spec) declares `type: Integration`; its
        // identity fields are what makes the document usable at all.
        kinds.insert(
            "Integration".to_owned(),
            KindRule {
                required: ["id", "name", "status", "service"]
                    .map(str::to_owned)
                    .to_vec(),
                required_sections: Vec::new(),
            },
        );
        Config {
            title: "Integration Catalog".to_owned(),
            description: String::new(),
            base_url: "/".to_owned(),
            content_dir: PathBuf::from("content"),
            output_dir: PathBuf::from("public"),
            theme: None,
            edit_url: None,
            home_system: "Our platform".to_owned(),
            validation: Validation::default(),
            fields: BTreeMap::new(),
            kinds,
            agents: BTreeMap::new(),
            context_budget_kb: DEFAULT_CONTEXT_BUDGET_KB,
            systems: BTreeMap::new(),
            diagrams: DiagramsConfig::default(),
            security: Security::default(),
            vocabulary: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Validation {
    pub placeholders: RuleLevel,
    pub unknown_fields: UnknownFields,
    pub stale_after_days: u32,
    /// Report documents from which no system could be read (`info`), so
    /// authors see what the map leaves out. Off by default.
    pub unmapped_documents: Notice,
    /// Report operations and channels of a referenced spec that the
    /// document never mentions (`spec-unmentioned`). Off by default.
    pub spec_coverage: Notice,
    /// How a link in a document's body to a missing document, heading or
    /// file (`broken-link`) is reported: an error by default; a warning
    /// lets a site with broken links build while they are fixed (the link
    /// stays as written).
    pub broken_links: LinkLevel,
}

impl Default for Validation {
    fn default() -> Self {
        Validation {
            placeholders: RuleLevel::Warn,
            unknown_fields: UnknownFields::Typos,
            stale_after_days: 365,
            unmapped_documents: Notice::Off,
            spec_coverage: Notice::Off,
            broken_links: LinkLevel::Error,
        }
    }
}

/// A broken link is always reported, as an error or a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkLevel {
    Error,
    Warn,
}

impl LinkLevel {
    pub fn severity(self) -> crate::Severity {
        match self {
            LinkLevel::Error => crate::Severity::Error,
            LinkLevel::Warn => crate::Severity::Warning,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Error,
    Warn,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Notice {
    Off,
    Info,
    Warn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownFields {
    /// Only near-misses of known fields: real catalogs carry many fields of
    /// their own (Hugo's `weight`, `aliases`...) that are not mistakes.
    Typos,
    Warn,
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    String,
    List,
    Date,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRule {
    #[serde(rename = "type")]
    pub field_type: Option<FieldType>,
    #[serde(rename = "enum")]
    pub allowed: Option<Vec<String>>,
    pub pattern: Option<String>,
    /// `pattern`, compiled once when site.toml is read.
    #[serde(skip)]
    pub compiled: Option<regex::Regex>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(default)]
    pub required_sections: Vec<String>,
}

/// `[agents]` holds one table per agent and one setting,
/// `context_budget_kb`, which is read apart (`Config::parse`).
fn agent_decls<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, AgentDecl>, D::Error> {
    use serde::de::Error;
    let raw: BTreeMap<String, toml::Value> = Deserialize::deserialize(deserializer)?;
    raw.into_iter()
        .filter(|(name, _)| name != CONTEXT_BUDGET_KEY)
        .map(|(name, value)| {
            AgentDecl::deserialize(value)
                .map(|decl| (name.clone(), decl))
                .map_err(|e| D::Error::custom(format!("[agents.{name}]: {e}")))
        })
        .collect()
}

const CONTEXT_BUDGET_KEY: &str = "context_budget_kb";
pub const DEFAULT_CONTEXT_BUDGET_KB: u64 = 200;
/// A context pack is meant for one model's context window: 10 MB is far past any.
const MAX_CONTEXT_BUDGET_KB: u64 = 10_000;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentDecl {
    #[serde(default)]
    pub description: String,
}

/// Whether a system is part of the platform this catalog documents.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum SystemKind {
    Internal,
    External,
}

/// One `[systems.<id>]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemDecl {
    /// Display name; the id when absent.
    pub name: Option<String>,
    /// Other names documents use for this system.
    #[serde(default)]
    pub aliases: Vec<String>,
    pub kind: Option<SystemKind>,
    pub owner: Option<String>,
    pub domain: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
}

/// The keys each table accepts; used to name an unknown key and suggest the
/// closest valid one before serde's less helpful message would appear.
const TOP_KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "content_dir",
    "output_dir",
    "theme",
    "edit_url",
    "home_system",
    "validation",
    "fields",
    "kinds",
    "agents",
    "systems",
    "diagrams",
    "security",
    "vocabulary",
];
const VALIDATION_KEYS: &[&str] = &[
    "placeholders",
    "unknown_fields",
    "stale_after_days",
    "unmapped_documents",
    "spec_coverage",
    "broken_links",
];
const SYSTEM_KEYS: &[&str] = &[
    "name",
    "aliases",
    "kind",
    "owner",
    "domain",
    "description",
    "url",
];
const FIELD_RULE_KEYS: &[&str] = &["type", "enum", "pattern"];
const KIND_KEYS: &[&str] = &["required", "required_sections"];
const AGENT_KEYS: &[&str] = &["description"];
const DIAGRAM_KEYS: &[&str] = &["enabled", "mmdc", "timeout_seconds"];
const SECURITY_KEYS: &[&str] = &["html_attachments"];

impl Config {
    /// Reads `root/site.toml`, or the defaults when there is none.
    pub fn load(root: &Path) -> Result<Config, RunError> {
        if !root.is_dir() {
            return Err(RunError(format!(
                "cannot read the site root {}: not a directory",
                root.display()
            )));
        }
        let path = root.join(CONFIG_FILE);
        // Only a regular file of bounded size: a FIFO would block forever,
        // a link to /dev/zero would read until memory ran out.
        match crate::safe_fs::read_text_limited(&path, crate::safe_fs::MAX_CONFIG_BYTES) {
            Ok(text) => Config::parse(&text),
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound && path.symlink_metadata().is_err() =>
            {
                Ok(Config::default())
            }
            Err(e) => Err(RunError(format!("cannot read {}: {e}", path.display()))),
        }
    }

    pub fn parse(text: &str) -> Result<Config, RunError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        check_keys(&table)?;
        let mut config: Config = toml::from_str(text).map_err(|e| toml_error(text, &e))?;
        if let Some(budget) = table.get("agents").and_then(|a| a.get(CONTEXT_BUDGET_KEY)) {
            config.context_budget_kb = budget
                .as_integer()
                .and_then(|kb| u64::try_from(kb).ok())
                .filter(|kb| (1..=MAX_CONTEXT_BUDGET_KB).contains(kb))
                .ok_or_else(|| {
                    RunError(format!(
                        "{CONFIG_FILE}: [agents] {CONTEXT_BUDGET_KEY} must be a whole number of kilobytes from 1 to {MAX_CONTEXT_BUDGET_KB}, e.g. {CONTEXT_BUDGET_KEY} = {DEFAULT_CONTEXT_BUDGET_KB}"
                    ))
                })?;
        }
        // Kinds named in site.toml extend the built-in ones instead of
        // silently dropping the seed-modelled defaults.
        for (name, rule) in Config::default().kinds {
            config.kinds.entry(name).or_insert(rule);
        }
        for (name, rule) in config.fields.iter_mut() {
            if let Some(pattern) = &rule.pattern {
                match regex::Regex::new(pattern) {
                    Ok(re) => rule.compiled = Some(re),
                    Err(e) => {
                        return Err(RunError(format!(
                            "{CONFIG_FILE}: [fields.{name}] pattern is not a valid regular expression: {e}"
                        )))
                    }
                }
            }
        }
        for id in config.systems.keys() {
            let valid = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if !valid {
                return Err(RunError(format!(
                    "{CONFIG_FILE}: [systems.{id}]: a system id is its URL (systems/<id>/): use lowercase letters, digits, `-` and `_`, e.g. [systems.{}]",
                    crate::slug::url_slug(id)
                )));
            }
        }
        Ok(config)
    }

    /// The path part of base_url, always starting and ending with `/`.
    pub fn base_path(&self) -> String {
        let without_scheme = match self.base_url.find("://") {
            Some(i) => {
                let rest = &self.base_url[i + 3..];
                rest.find('/').map(|j| &rest[j..]).unwrap_or("/")
            }
            None => self.base_url.as_str(),
        };
        let trimmed = without_scheme.trim_matches('/');
        if trimmed.is_empty() {
            "/".to_owned()
        } else {
            format!("/{trimmed}/")
        }
    }
}

fn toml_error(text: &str, e: &toml::de::Error) -> RunError {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let message = e.message().trim().to_owned();
    match line {
        Some(line) => RunError(format!("{CONFIG_FILE}:{line}: {message}")),
        None => RunError(format!("{CONFIG_FILE}: {message}")),
    }
}

fn check_keys(table: &toml::Table) -> Result<(), RunError> {
    check_table(table, TOP_KEYS, "")?;
    // `[vocabulary.protocl]` would group nothing, silently.
    if let Some(vocabulary) = table.get("vocabulary") {
        let Some(fields) = vocabulary.as_table() else {
            return Err(RunError(format!(
                "{CONFIG_FILE}: `vocabulary` must be a table ([vocabulary.protocol])"
            )));
        };
        check_table(fields, crate::catalog::vocabulary::FIELDS, "vocabulary.")?;
    }
    let nested: [(&str, &[&str]); 7] = [
        ("fields", FIELD_RULE_KEYS),
        ("systems", SYSTEM_KEYS),
        ("kinds", KIND_KEYS),
        ("agents", AGENT_KEYS),
        ("validation", VALIDATION_KEYS),
        ("diagrams", DIAGRAM_KEYS),
        ("security", SECURITY_KEYS),
    ];
    for (section, keys) in nested {
        let Some(value) = table.get(section) else {
            continue;
        };
        let Some(inner) = value.as_table() else {
            return Err(RunError(format!(
                "{CONFIG_FILE}: `{section}` must be a table ([{section}])"
            )));
        };
        if matches!(section, "validation" | "diagrams" | "security") {
            check_table(inner, keys, &format!("{section}."))?;
            continue;
        }
        for (name, entry) in inner {
            if section == "agents" && name == CONTEXT_BUDGET_KEY {
                continue;
            }
            let Some(entry) = entry.as_table() else {
                return Err(RunError(format!(
                    "{CONFIG_FILE}: `{section}.{name}` must be a table ([{section}.{name}])"
                )));
            };
            check_table(entry, keys, &format!("{section}.{name}."))?;
        }
    }
    Ok(())
}

fn check_table(table: &toml::Table, allowed: &[&str], prefix: &str) -> Result<(), RunError> {
    for key in table.keys() {
        if !allowed.contains(&key.as_str()) {
            let hint = match closest(key, allowed.iter().copied()) {
                Some(s) => format!("; did you mean `{prefix}{s}`?"),
                None => format!("; valid keys here: {}", allowed.join(", ")),
            };
            return Err(RunError(format!(
                "{CONFIG_FILE}: unknown key `{prefix}{key}`{hint}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_config_models_the_seeds() {
        let c = Config::parse("").unwrap();
        assert_eq!(c.kinds["Integration"].required.len(), 4);
        assert_eq!(c.validation.placeholders, RuleLevel::Warn);
        assert_eq!(c.validation.broken_links, LinkLevel::Error);
    }

    #[test]
    fn broken_links_are_errors_or_warnings_never_silent() {
        let c = Config::parse("[validation]\nbroken_links = \"warn\"").unwrap();
        assert_eq!(c.validation.broken_links, LinkLevel::Warn);
        let e = Config::parse("[validation]\nbroken_links = \"off\"").unwrap_err();
        assert!(e.0.starts_with("site.toml:2"), "{e}");
    }

    #[test]
    fn unknown_key_is_named_with_suggestion() {
        let e = Config::parse("tilte = \"x\"").unwrap_err();
        assert!(e.0.contains("`tilte`"), "{e}");
        assert!(e.0.contains("did you mean `title`"), "{e}");
        let e = Config::parse("[validation]\nplaceholder = \"warn\"").unwrap_err();
        assert!(e.0.contains("validation.placeholders"), "{e}");
        let e = Config::parse("[fields.status]\nenums = []").unwrap_err();
        assert!(e.0.contains("fields.status.enum"), "{e}");
    }

    #[test]
    fn bad_values_name_the_line() {
        let e = Config::parse("title = \"x\"\n[validation]\nplaceholders = \"loud\"").unwrap_err();
        assert!(e.0.starts_with("site.toml:3"), "{e}");
        let e = Config::parse("[fields.id]\npattern = \"(\"").unwrap_err();
        assert!(e.0.contains("not a valid regular expression"), "{e}");
    }

    #[test]
    fn base_path_from_url() {
        let mut c = Config {
            base_url: "https://docs.example.com/integrations".into(),
            ..Config::default()
        };
        assert_eq!(c.base_path(), "/integrations/");
        c.base_url = "https://docs.example.com".into();
        assert_eq!(c.base_path(), "/");
        c.base_url = "/a/b/".into();
        assert_eq!(c.base_path(), "/a/b/");
    }

    #[test]
    fn the_context_budget_sits_beside_the_agents() {
        let c = Config::parse(
            "[agents]\ncontext_budget_kb = 64\n[agents.SystemArchitectAgent]\ndescription = \"x\"",
        )
        .unwrap();
        assert_eq!(c.context_budget_kb, 64);
        assert_eq!(c.agents.len(), 1, "the setting is not an agent");
        assert_eq!(
            Config::parse("").unwrap().context_budget_kb,
            DEFAULT_CONTEXT_BUDGET_KB
        );
        for bad in ["0", "-5", "\"big\"", "99999999"] {
            let e = Config::parse(&format!("[agents]\ncontext_budget_kb = {bad}")).unwrap_err();
            assert!(
                e.0.contains("context_budget_kb must be a whole number"),
                "{bad}: {e}"
            );
        }
        let e = Config::parse("[agents]\ncontext_budget = 5").unwrap_err();
        assert!(e.0.contains("agents.context_budget"), "{e}");
    }
}
