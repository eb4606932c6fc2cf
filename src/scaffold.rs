//! `portolan new`: a document from one of the five seed templates, with the
//! title filled in and every other placeholder left for the author (and for
//! `check` to point at until they are replaced).

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content::Shape;
use crate::RunError;

/// Where `new` writes: where check reads. A site without site.toml and
/// without `content/` is read from its root, so that is where a new
/// document goes; a configured content dir that does not exist yet is
/// created.
pub fn target_dir(root: &Path, config: &Config) -> Result<PathBuf, RunError> {
    match crate::content::content_root(root, config) {
        Ok(dir) => Ok(dir),
        Err(_) if !root.join(&config.content_dir).exists() => Ok(root.join(&config.content_dir)),
        Err(e) => Err(e),
    }
}

/// Longest file name `new` makes, in bytes (file systems allow 255).
const MAX_SLUG_BYTES: usize = 80;

/// A file name from a title: letters (any script) and digits lowercased,
/// everything else a single `-`, at most [`MAX_SLUG_BYTES`], cut between
/// words where it can be.
pub fn file_slug(title: &str) -> String {
    let mut out = String::with_capacity(title.len().min(MAX_SLUG_BYTES));
    for ch in title.chars() {
        if ch.is_alphanumeric() {
            for lower in ch.to_lowercase() {
                out.push(lower);
            }
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    if out.len() > MAX_SLUG_BYTES {
        let mut cut = MAX_SLUG_BYTES;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        if let Some(word_end) = out.rfind('-').filter(|&i| i > MAX_SLUG_BYTES / 2) {
            out.truncate(word_end);
        }
    }
    let out = out.trim_matches('-').to_owned();
    if out.is_empty() {
        "untitled".to_owned()
    } else {
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NewShape {
    /// Seed 000: full integration guide with YAML frontmatter.
    Integration,
    /// Seed 001: "System A ↔ System B" with [REQUIRED] sections.
    SystemPair,
    /// Seed 002: external service spec (id, type, name, status, service).
    ServiceSpec,
    /// Seed 003: integration points of a feature.
    IntegrationPoints,
    /// Seed 004: one source → destination integration.
    SourceDestination,
}

impl NewShape {
    fn template(self) -> &'static str {
        match self {
            NewShape::Integration => include_str!("scaffold_templates/integration.md"),
            NewShape::SystemPair => include_str!("scaffold_templates/system-pair.md"),
            NewShape::ServiceSpec => include_str!("scaffold_templates/service-spec.md"),
            NewShape::IntegrationPoints => include_str!("scaffold_templates/integration-points.md"),
            NewShape::SourceDestination => include_str!("scaffold_templates/source-destination.md"),
        }
    }

    pub fn shape(self) -> Shape {
        match self {
            NewShape::Integration => Shape::FullIntegration,
            NewShape::SystemPair => Shape::SystemPair,
            NewShape::ServiceSpec => Shape::ServiceSpec,
            NewShape::IntegrationPoints => Shape::IntegrationPoints,
            NewShape::SourceDestination => Shape::SourceDestination,
        }
    }
}

/// A YAML double-quoted scalar, safe for any title.
fn yaml_quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_owned())
}

/// The template text with `title` in place of the title placeholder.
pub fn render(shape: NewShape, title: &str) -> String {
    let title = title.trim();
    let text = shape.template();
    match shape {
        NewShape::Integration => text
            .replacen(
                "title: [Integration Name] Integration",
                &format!("title: {}", yaml_quote(title)),
                1,
            )
            .replacen("# [Integration Name] Integration", &format!("# {title}"), 1),
        NewShape::SystemPair => text.replacen(
            "# [System A] ↔ [System B] Integration Documentation",
            &format!("# {title}"),
            1,
        ),
        NewShape::ServiceSpec => text.replacen(
            "name: [Integration Name]",
            &format!("name: {}", yaml_quote(title)),
            1,
        ),
        NewShape::IntegrationPoints => {
            let heading = if title.starts_with("Integration Points") {
                format!("# {title}")
            } else {
                format!("# Integration Points - {title}")
            };
            text.replacen("# Integration Points - [Feature Name]", &heading, 1)
        }
        NewShape::SourceDestination => text.replacen(
            "# Integration: [Source] → [Destination]",
            &format!("# Integration: {title}"),
            1,
        ),
    }
}

/// Writes `content_dir/<slug>.md`; refuses to overwrite.
pub fn create(content_dir: &Path, shape: NewShape, title: &str) -> Result<PathBuf, RunError> {
    if title.trim().is_empty() {
        return Err(RunError("the title must not be empty".to_owned()));
    }
    std::fs::create_dir_all(content_dir)
        .map_err(|e| RunError(format!("cannot create {}: {e}", content_dir.display())))?;
    let path = content_dir.join(format!("{}.md", file_slug(title)));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => RunError(format!(
                "{} already exists; choose another title or edit that file",
                path.display()
            )),
            _ => RunError(format!("cannot write {}: {e}", path.display())),
        })?;
    std::io::Write::write_all(&mut file, render(shape, title).as_bytes())
        .map_err(|e| RunError(format!("cannot write {}: {e}", path.display())))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{source::decode, Doc};

    #[test]
    fn slugs_keep_letters_of_any_script_and_stay_short() {
        assert_eq!(
            file_slug("Stripe → Ledger: Payouts"),
            "stripe-ledger-payouts"
        );
        assert_eq!(file_slug("Заказы и склад"), "заказы-и-склад");
        assert_eq!(file_slug("注文サービス"), "注文サービス");
        assert_eq!(file_slug("→ ↔ !!"), "untitled");
        let long = file_slug(&"word ".repeat(100));
        assert!(
            long.len() <= MAX_SLUG_BYTES && !long.ends_with('-'),
            "{long}"
        );
        let long = file_slug(&"é".repeat(300));
        assert!(long.len() <= MAX_SLUG_BYTES, "{long}");
    }

    #[test]
    fn every_shape_is_recognised_with_its_title() {
        for shape in [
            NewShape::Integration,
            NewShape::SystemPair,
            NewShape::ServiceSpec,
            NewShape::IntegrationPoints,
            NewShape::SourceDestination,
        ] {
            let text = render(shape, "Orders: \"A\" → B");
            let doc = Doc::parse(
                "content/x.md".into(),
                "x.md".into(),
                decode(text.as_bytes()),
            );
            assert_eq!(doc.shape, shape.shape(), "{shape:?}");
            let title = doc.title.expect("has a title");
            assert!(title.contains("Orders: \"A\" → B"), "{shape:?}: {title}");
            assert!(doc.yaml_errors.is_empty(), "{shape:?}");
        }
    }
}
