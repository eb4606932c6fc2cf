//! `build`: check, render every page, and write the site atomically.
//!
//! Pages are rendered straight into a temporary sibling of the output dir,
//! which is swapped in only when everything succeeded: a failed or
//! interrupted build never leaves a half-written output dir, and nothing
//! outside the output dir (and our own temporary siblings) is ever deleted.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diagnostics::{count, Diagnostic, Severity};
use crate::render::diagrams::DiagramStats;
use crate::render::renderer::{write_file, DirSink, Renderer};
use crate::render::theme::Theme;
use crate::{check_with, CheckOptions, Config, RunError};

/// A file that marks a directory as written by portolan, so a later build may
/// replace it. A directory without it is never deleted.
pub const MARKER: &str = ".portolan-build";

#[derive(Debug, Default, Clone)]
pub struct BuildOptions {
    pub out: Option<PathBuf>,
    pub base_url: Option<String>,
    pub strict: bool,
    /// Show diagram rendering progress on stderr.
    pub progress: bool,
}

pub struct Built {
    pub documents: usize,
    pub pages: usize,
    pub out_dir: PathBuf,
    pub elapsed: Duration,
    pub diagrams: DiagramStats,
}

pub enum BuildOutcome {
    /// check found errors (or warnings under --strict); nothing was written.
    Rejected {
        diagnostics: Vec<Diagnostic>,
        documents: usize,
    },
    Built {
        diagnostics: Vec<Diagnostic>,
        built: Built,
    },
}

pub fn build(root: &Path, options: &BuildOptions) -> Result<BuildOutcome, RunError> {
    let started = Instant::now();
    let mut config = Config::load(root)?;
    if let Some(url) = &options.base_url {
        config.base_url = url.clone();
    }
    let out_dir = match &options.out {
        Some(out) => out.clone(),
        None => root.join(&config.output_dir),
    };
    let checked = check_with(
        root,
        config,
        CheckOptions {
            strict: options.strict,
            progress: options.progress,
        },
    )?;
    let errors = count(&checked.diagnostics, Severity::Error);
    let warnings = count(&checked.diagnostics, Severity::Warning);
    if errors > 0 || (options.strict && warnings > 0) {
        return Ok(BuildOutcome::Rejected {
            documents: checked.catalog.docs.len(),
            diagnostics: checked.diagnostics,
        });
    }
    ensure_safe_output(root, &checked.content_dir, &out_dir)?;
    let theme = Theme::load(root, &checked.config)?;

    let staging = staging_dir(&out_dir)?;
    let result = render_into(&staging, &checked, &theme);
    let pages = match result {
        Ok(pages) => pages,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    swap_in(&staging, &out_dir)?;
    Ok(BuildOutcome::Built {
        built: Built {
            documents: checked.catalog.docs.len(),
            pages,
            out_dir,
            elapsed: started.elapsed(),
            diagrams: checked.diagrams.stats,
        },
        diagnostics: checked.diagnostics,
    })
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The absolute, normalised form of a path that may not exist yet.
fn absolute(path: &Path) -> Result<PathBuf, RunError> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| RunError(format!("cannot read the current directory: {e}")))?
            .join(path)
    };
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    // Resolve symlinks of the part that exists, so `out -> /` is caught.
    let mut existing = out.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (
            existing.file_name().map(|n| n.to_owned()),
            existing.parent(),
        ) {
            (Some(name), Some(parent)) => {
                rest.push(name);
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
}

/// Refuses output dirs whose replacement would destroy sources or more.
pub fn ensure_safe_output(root: &Path, content: &Path, out: &Path) -> Result<(), RunError> {
    let out_abs = absolute(out)?;
    let root_abs = absolute(root)?;
    let content_abs = absolute(content)?;
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let refuse = |why: &str| {
        Err(RunError(format!(
            "refusing to write the site to {}: {why}; choose another --out or output_dir",
            out.display()
        )))
    };
    if out_abs.parent().is_none() {
        return refuse("it is the file system root");
    }
    if home
        .as_deref()
        .is_some_and(|h| same_path(h, &out_abs) || absolute(h).is_ok_and(|h| h == out_abs))
    {
        return refuse("it is the home directory");
    }
    if out_abs == root_abs {
        return refuse("it is the site root");
    }
    if root_abs.starts_with(&out_abs) {
        return refuse("it contains site.toml");
    }
    if content_abs.starts_with(&out_abs) {
        return refuse("it contains the content directory");
    }
    if out_abs.exists() {
        if !out_abs.is_dir() {
            return refuse("it exists and is not a directory");
        }
        let empty = std::fs::read_dir(&out_abs)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !out_abs.join(MARKER).is_file() {
            return refuse(
                "it exists, is not empty and was not written by portolan (no .portolan-build file)",
            );
        }
    }
    Ok(())
}

fn sibling(out: &Path, tag: &str) -> Result<PathBuf, RunError> {
    let abs = absolute(out)?;
    let name = abs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".to_owned());
    let parent = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(parent.join(format!(".{name}.portolan-{tag}-{}", std::process::id())))
}

/// A fresh temporary sibling of the output dir. Leftovers of interrupted
/// builds (recognised by name and marker) are cleaned up first.
fn staging_dir(out: &Path) -> Result<PathBuf, RunError> {
    let staging = sibling(out, "tmp")?;
    if let (Some(parent), Some(name)) = (staging.parent(), out.file_name()) {
        let prefix = format!(".{}.portolan-", name.to_string_lossy());
        if let Ok(entries) = std::fs::read_dir(parent) {
            for entry in entries.flatten() {
                let file_name = entry.file_name().to_string_lossy().into_owned();
                if file_name.starts_with(&prefix) && entry.path().join(MARKER).is_file() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
    }
    std::fs::create_dir_all(&staging)
        .map_err(|e| RunError(format!("cannot create {}: {e}", staging.display())))?;
    write_file(
        &staging,
        MARKER,
        b"written by portolan build; safe to delete\n",
    )?;
    Ok(staging)
}

fn swap_in(staging: &Path, out: &Path) -> Result<(), RunError> {
    let io = |what: &str, e: std::io::Error| RunError(format!("{what}: {e}"));
    if out.exists() {
        let old = sibling(out, "old")?;
        std::fs::rename(out, &old)
            .map_err(|e| io(&format!("cannot move {} aside", out.display()), e))?;
        if let Err(e) = std::fs::rename(staging, out) {
            let _ = std::fs::rename(&old, out);
            let _ = std::fs::remove_dir_all(staging);
            return Err(io(
                &format!("cannot move the new site to {}", out.display()),
                e,
            ));
        }
        let _ = std::fs::remove_dir_all(&old);
    } else {
        if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| io(&format!("cannot create {}", parent.display()), e))?;
        }
        std::fs::rename(staging, out)
            .map_err(|e| io(&format!("cannot move the new site to {}", out.display()), e))?;
    }
    Ok(())
}

/// Renders every page into `dir`; returns the number of HTML pages.
fn render_into(dir: &Path, checked: &crate::CheckResult, theme: &Theme) -> Result<usize, RunError> {
    let base_path = checked.config.base_path();
    let routes = crate::urls::routes(&checked.catalog);
    let renderer = Renderer::new(checked, theme, &routes, &base_path);
    let sink = DirSink(dir.to_path_buf());
    let pages = renderer.render(&renderer.all_pages(), &sink)?;
    renderer.write_search_index(&sink, None)?;
    Ok(pages)
}
