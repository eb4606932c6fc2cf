//! `build`: check, render every page, and write the site atomically.
//!
//! Pages are rendered straight into a temporary sibling of the output dir,
//! which is swapped in only when everything succeeded: a failed or
//! interrupted build never leaves a half-written output dir, and nothing
//! outside the output dir (and our own temporary siblings) is ever deleted.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diagnostics::{count, Diagnostic, Severity};
use crate::render::diagrams::DiagramStats;
use crate::render::renderer::{write_file, DirSink, Page, Renderer, Sink};
use crate::render::search::PageDigests;
use crate::render::theme::Theme;
use crate::{check_read, CheckOptions, Config, RunError};

mod frame;
mod replay;

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
    /// Replayed from the cache: no input changed since the build that
    /// filled it.
    pub replayed: bool,
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
    let timer = crate::timings::Timer::start();
    let cache_root = crate::render::diagrams::cache_root(root);
    // The documents and the theme are read once: for the key, then built,
    // so the key always describes what was built. A theme that fails to
    // load is reported after the check, as before.
    let read = crate::content::read_site(root, &config)?;
    let theme = Theme::load(root, &config);
    let inputs = replay::key(root, &config, options.strict, &read, theme.as_ref().ok());
    timer.lap("read every input");
    let kept = inputs
        .as_ref()
        .and_then(|_| replay::kept(&cache_root, root));
    if let (Some(inputs), Some(entry)) = (&inputs, &kept) {
        if entry.is_for(inputs) {
            replay::used(&cache_root, root);
            match replay(root, &config, &out_dir, &cache_root, entry) {
                Ok((diagnostics, wrote)) => {
                    timer.lap("replay: the last build's files");
                    // Every diagram comes from the cache (a build with a
                    // broken one is never kept).
                    let diagrams = DiagramStats {
                        total: entry.diagrams.total,
                        cached: entry.diagrams.total,
                        ..DiagramStats::default()
                    };
                    return Ok(BuildOutcome::Built {
                        diagnostics,
                        built: Built {
                            documents: entry.documents,
                            pages: if wrote { entry.pages } else { 0 },
                            out_dir,
                            elapsed: started.elapsed(),
                            diagrams,
                            replayed: wrote,
                        },
                    });
                }
                Err(why) => timer.lap(&format!("replay refused ({why}): building")),
            }
        }
    }
    let checked = check_read(
        root,
        config,
        CheckOptions {
            strict: options.strict,
            progress: options.progress,
            skip_diagrams: false,
            missing_diagrams: crate::render::diagrams::Missing::Render,
        },
        read,
    )?;
    let errors = count(&checked.diagnostics, Severity::Error);
    let warnings = count(&checked.diagnostics, Severity::Warning);
    if errors > 0 || (options.strict && warnings > 0) {
        return Ok(BuildOutcome::Rejected {
            documents: checked.catalog.docs.len(),
            diagnostics: checked.diagnostics,
        });
    }
    ensure_safe_output(root, &checked.catalog.content_dir, &out_dir)?;
    timer.lap("check (load, parse, link, validate, diagrams)");
    // One build of an output dir at a time: a second waits, so neither
    // deletes the other's staging dir nor swaps out what it just wrote.
    let _lock = lock_output(root, &out_dir)?;
    let theme = theme?;

    // Same inputs as the build that wrote the output dir, and that output
    // untouched since: there is nothing to do.
    let fingerprint = input_fingerprint(&checked, &theme, inputs.as_ref().map(|i| &i.other));
    if output_is_current(&out_dir, |m| m.lines().nth(1) == Some(&fingerprint)) {
        timer.lap("output is up to date");
        return Ok(BuildOutcome::Built {
            built: Built {
                documents: checked.catalog.docs.len(),
                pages: 0,
                out_dir,
                elapsed: started.elapsed(),
                diagrams: checked.diagrams.stats,
                replayed: false,
            },
            diagnostics: checked.diagnostics,
        });
    }

    let staging = staging_dir(&out_dir)?;
    timer.lap("prepare the output dir");
    // What changed since the last build is rendered and indexed first.
    let changed = match (&inputs, &kept) {
        (Some(inputs), Some(entry)) => entry.changed_documents(inputs),
        _ => Vec::new(),
    };
    let framing = inputs.as_ref().map(|inputs| Framing {
        inputs: &inputs.frame,
        kept: kept.as_ref(),
    });
    let result = render_into(&staging, &checked, &theme, &cache_root, &changed, framing);
    timer.lap("render (stages above)");
    let Rendered {
        pages,
        written,
        indexed,
        frame,
        today,
    } = match result {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let saved = crate::render::highlight::save_cache();
    timer.lap(&saved);
    let marker = manifest(&fingerprint, &written);
    if let Err(e) = write_file(&staging, FINGERPRINT_FILE, marker.as_bytes()) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    swap_in(&staging, &out_dir)?;
    timer.lap("swap in");
    let check_diagnostics = checked.diagnostics.clone();
    let mut diagnostics = checked.diagnostics;
    diagnostics.extend(crate::validate::after_render(&checked.catalog));
    crate::diagnostics::sort_and_dedup(&mut diagnostics);
    let built = Built {
        documents: checked.catalog.docs.len(),
        pages,
        out_dir,
        elapsed: started.elapsed(),
        diagrams: checked.diagrams.stats,
        replayed: false,
    };
    if let Some(inputs) = &inputs {
        let outcome = replay::Outcome {
            documents: built.documents,
            pages,
            diagrams: built.diagrams,
            diagnostics: &diagnostics,
            check_diagnostics: &check_diagnostics,
            marker: &marker,
            frame: &frame,
            today,
            indexed: &indexed,
        };
        let kept = replay::store(&cache_root, root, inputs, outcome, &built.out_dir, &written);
        timer.lap(&match kept {
            Ok(()) => "replay: kept this build".to_owned(),
            Err(why) => format!("replay: this build was not kept: {why}"),
        });
    }
    Ok(BuildOutcome::Built { built, diagnostics })
}

/// What `check` reports of `root`: its diagnostics and the number of
/// documents. Replayed from the last build when no input changed since
/// (CI runs `check`, then `build`), so both are instant then.
pub fn check_report(
    root: &Path,
    options: CheckOptions,
) -> Result<(Vec<Diagnostic>, usize), RunError> {
    let config = Config::load(root)?;
    let timer = crate::timings::Timer::start();
    let read = crate::content::read_site(root, &config)?;
    let theme = Theme::load(root, &config).ok();
    let cache_root = crate::render::diagrams::cache_root(root);
    let kept = replay::key(root, &config, options.strict, &read, theme.as_ref())
        .and_then(|inputs| replay::lookup(&cache_root, root, &inputs))
        .and_then(|entry| Some((entry.check_diagnostics()?, entry.documents)));
    if let Some(report) = kept {
        timer.lap("check: replayed from the last build");
        return Ok(report);
    }
    let checked = check_read(root, config, options, read)?;
    Ok((checked.diagnostics, checked.catalog.docs.len()))
}

/// Writes the kept build `entry` to `out` as a build would, unless `out`
/// holds it already; returns its diagnostics and whether it wrote. Any
/// error leaves `out` as it was.
fn replay(
    root: &Path,
    config: &Config,
    out: &Path,
    cache_root: &Path,
    entry: &replay::Entry,
) -> Result<(Vec<Diagnostic>, bool), String> {
    let diagnostics = entry
        .diagnostics()
        .ok_or("a diagnostic code unknown here")?;
    let content = crate::content::content_root(root, config).map_err(|e| e.0)?;
    ensure_safe_output(root, &content, out).map_err(|e| e.0)?;
    let _lock = lock_output(root, out).map_err(|e| e.0)?;
    if output_is_current(out, |m| m == entry.marker()) {
        return Ok((diagnostics, false));
    }
    let staging = staging_dir(out).map_err(|e| e.0)?;
    let result = replay::materialize(cache_root, entry, &staging)
        .and_then(|()| swap_in(&staging, out).map_err(|e| e.0));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result.map(|()| (diagnostics, true))
}

/// This build of portolan, named by its sources, lockfile and compiler
/// (build.rs): a rebuilt portolan of the same version may render
/// differently, while a reinstall of the same one (CI) does not.
fn binary_identity() -> &'static str {
    env!("PORTOLAN_BUILD_ID")
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

/// Everything the output depends on: portolan's version, the configuration,
/// the theme, every document, the diagrams, the date (stale badges), the
/// linked files. By content alone, never by a file's time or by whether a
/// diagram came from the cache: it is the marker's second line, and two
/// builds of the same inputs write the same marker (a CI checkout gives
/// every file a new time; a CI build takes its diagrams from the cache).
/// `read` holds the digests of the linked files the replay key read in
/// this build, in the same form; a file it lacks is read here.
fn input_fingerprint(
    checked: &crate::CheckResult,
    theme: &Theme,
    read: Option<&std::collections::HashMap<PathBuf, String>>,
) -> String {
    use rayon::prelude::*;
    let mut parts: Vec<String> = vec![
        env!("CARGO_PKG_VERSION").to_owned(),
        binary_identity().to_owned(),
        format!("{:?}", checked.config),
        crate::validate::today().to_string(),
        checked.diagrams.digest(),
        // What the environment changes in the index and highlighting (the
        // replay key holds them too).
        crate::render::search::settings(),
        crate::render::highlight::settings(),
    ];
    parts.extend(theme.fingerprint_parts());
    for doc in &checked.catalog.docs {
        parts.push(doc.source_path.clone());
        parts.push(crate::hash::digest(&[&doc.text]));
    }
    let assets = crate::render::renderer::referenced_assets(checked);
    parts.extend(
        assets
            .par_iter()
            .map(|asset| {
                let path = checked.catalog.content_dir.join(asset);
                let content = match read.and_then(|read| read.get(&path)) {
                    Some(digest) => digest.clone(),
                    None => replay::file_digest(&path),
                };
                format!("{asset}={content}")
            })
            .collect::<Vec<String>>(),
    );
    let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
    crate::hash::digest(&refs)
}

const FINGERPRINT_FILE: &str = ".portolan-build";

/// Holds the output dir's lock (a file in the site's `.portolan/`) until
/// dropped.
struct OutputLock {
    _file: std::fs::File,
}

/// The lock lives in the site's `.portolan/` (ignored by git), one file
/// per output dir; it is never deleted, since a process may be waiting on
/// it.
fn lock_output(root: &Path, out: &Path) -> Result<OutputLock, RunError> {
    let key = crate::hash::digest(&[&absolute(out)?.to_string_lossy()]);
    let in_site = root.join(".portolan");
    // A read-only site root (a checkout built into /tmp) still builds: the
    // lock then goes beside the output, whose parent must be writable anyway.
    let path = if std::fs::create_dir_all(&in_site).is_ok() {
        in_site.join(format!("build-{}.lock", &key[..16]))
    } else {
        sibling_named(out, "lock")?
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| RunError(format!("cannot open the lock {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            crate::errln!(
                "waiting for another portolan build of {} to finish",
                out.display()
            );
            file.lock()
                .map_err(|e| RunError(format!("cannot lock {}: {e}", path.display())))?;
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(RunError(format!("cannot lock {}: {e}", path.display())))
        }
    }
    Ok(OutputLock { _file: file })
}

/// The marker records the input fingerprint and every file written (path,
/// size and content hash), so a later build can tell that nothing needs
/// doing and that nobody changed the output meanwhile.
fn manifest(fingerprint: &str, written: &Written) -> String {
    let mut manifest = format!("written by portolan build; safe to delete\n{fingerprint}\n");
    for (path, (len, hash)) in written {
        if path != FINGERPRINT_FILE {
            manifest.push_str(&format!("{path}\t{len}\t{hash}\n"));
        }
    }
    manifest
}

/// Whether `out` holds exactly the files its marker lists, untouched, and
/// the marker is one `accept` takes.
fn output_is_current(out: &Path, accept: impl Fn(&str) -> bool) -> bool {
    use rayon::prelude::*;
    let Ok(manifest) = std::fs::read_to_string(out.join(FINGERPRINT_FILE)) else {
        return false;
    };
    if !accept(&manifest) {
        return false;
    }
    let listed: Vec<&str> = manifest.lines().skip(2).collect();
    let untouched = listed.par_iter().all(|line| {
        let mut parts = line.split('\t');
        let (Some(path), Some(len), Some(hash)) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        // Size first (cheap), then the content: an edited file of the same
        // size is noticed too.
        let file = out.join(path);
        std::fs::metadata(&file).is_ok_and(|m| m.is_file() && m.len().to_string() == len)
            && std::fs::read(&file).is_ok_and(|b| crate::hash::digest_bytes(&b) == hash)
    });
    // And nothing else: the marker itself and the files it lists.
    untouched && count_files(out) == listed.len() + 1
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        count_files(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
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
    if out_abs.starts_with(&content_abs) {
        // The next build would read its own output back as documents.
        return refuse("it is inside the content directory");
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
    sibling_named(out, &format!("{tag}-{}", std::process::id()))
}

/// `.<name>.portolan-<tag>` beside the output dir.
fn sibling_named(out: &Path, tag: &str) -> Result<PathBuf, RunError> {
    let abs = absolute(out)?;
    let name = abs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".to_owned());
    let parent = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(parent.join(format!(".{name}.portolan-{tag}")))
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

/// Exchanges two paths atomically where the OS can (Linux's renameat2 with
/// RENAME_EXCHANGE): at every instant one complete site is at `out`.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

fn swap_in(staging: &Path, out: &Path) -> Result<(), RunError> {
    let io = |what: &str, e: std::io::Error| RunError(format!("{what}: {e}"));
    if out.is_dir() && exchange(staging, out).is_ok() {
        // The old site is now at the staging path.
        let _ = std::fs::remove_dir_all(staging);
        return Ok(());
    }
    // Elsewhere (or on a file system without the exchange): two renames,
    // with a short window in which `out` does not exist.
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

/// Written files: path → (size, content hash).
type Written = std::collections::BTreeMap<String, (usize, String)>;

/// What a build knows of its frame (see `frame`): the digest of its inputs
/// but the documents, and the last build of the site, if kept.
#[derive(Clone, Copy)]
struct Framing<'a> {
    inputs: &'a str,
    kept: Option<&'a replay::Entry>,
}

/// What `render_into` did.
struct Rendered {
    /// HTML pages written, kept ones included.
    pages: usize,
    written: Written,
    /// Path → digest of what Pagefind reads, of each indexed page.
    indexed: std::collections::BTreeMap<String, String>,
    /// The build's frame (empty without `framing`).
    frame: frame::Frame,
    /// The date the pages were rendered on.
    today: crate::validate::Date,
}

/// Renders every page into `dir`. Pages of the last build that a build
/// now would write alike are kept instead.
fn render_into(
    dir: &Path,
    checked: &crate::CheckResult,
    theme: &Theme,
    cache_root: &Path,
    changed: &[&str],
    framing: Option<Framing<'_>>,
) -> Result<Rendered, RunError> {
    let base_path = checked.config.base_path();
    let routes = crate::urls::routes(&checked.catalog);
    let timer = crate::timings::Timer::start();
    let renderer = Renderer::new(checked, theme, &routes, &base_path);
    timer.lap("page data");
    let frame = framing.map_or_else(frame::Frame::default, |f| {
        frame::Frame::of(f.inputs, &renderer)
    });
    timer.lap("frame");
    // The documents changed since the last build, by index: rendered
    // first, and never kept.
    let changed: HashSet<&str> = changed.iter().copied().collect();
    let changed: HashSet<usize> = (checked.catalog.docs.iter().enumerate())
        .filter(|(_, doc)| changed.contains(doc.source_path.as_str()))
        .map(|(i, _)| i)
        .collect();
    let sink = DirSink::new(dir);
    // Only document pages are indexed (as in serve). The index keeps each
    // page's digests (as written, and of what Pagefind reads) and holds no
    // page: a bucket whose bundle the cache lacks reads its pages back
    // from `dir`.
    let indexing = crate::render::search::IndexingSink::reading_from(dir, Some(cache_root));
    let kept = match framing.and_then(|f| f.kept) {
        Some(entry) => keep_pages(
            &renderer, entry, &frame, &changed, cache_root, &sink, &indexing,
        ),
        None => Err("none was kept".to_owned()),
    };
    let kept = kept.unwrap_or_else(|why| {
        timer.lap(&format!("kept no page of the last build: {why}"));
        HashSet::new()
    });
    let documents = kept.iter().filter(|p| matches!(p, Page::Doc(_))).count();
    timer.lap(&format!(
        "kept {} pages of the last build, {documents} of them documents'",
        kept.len()
    ));
    let all = renderer.all_pages();
    // Spec pages are indexed with the documents: each operation is a
    // heading with an id, so a query finds it deep-linked.
    let (docs, others): (Vec<Page>, Vec<Page>) = all
        .into_iter()
        .partition(|p| matches!(p, Page::Doc(_) | Page::Spec(_)));
    let (mut landscape, others): (Vec<Page>, Vec<Page>) = others
        .into_iter()
        .partition(|p| matches!(p, Page::Systems | Page::System(_)));
    landscape.retain(|p| !kept.contains(p));
    let tee = Tee {
        sink: &sink,
        indexing: &indexing,
    };
    // Document pages are rendered bucket by bucket, and each bucket is
    // indexed once its pages are written: Pagefind builds a bundle mostly
    // on one core, and the next bucket's pages take the other.
    let (plan, mut groups) = by_bucket(&renderer, docs, &changed);
    // Kept pages are in `dir` already, and the index has their digests.
    for group in &mut groups {
        group.retain(|p| !kept.contains(p));
    }
    let gate = crate::render::search::Gate::default();
    let index = std::thread::scope(|scope| {
        let (plan, gate, indexing) = (&plan, &gate, &indexing);
        let index = scope.spawn(move || indexing.build_planned(plan, gate));
        // The first bucket's pages have every core: nothing can start
        // before them. The rest run in the background (see
        // `background_pool`), on whatever core Pagefind leaves idle while
        // it builds a bundle: the next buckets' pages, then every page
        // not indexed. The index waits for a bucket's pages only when it
        // has nothing else to do, and then they have every core.
        let background = background_pool();
        let mut pages = kept.len();
        let mut rendered = Ok(());
        for (k, &n) in plan.order().iter().enumerate() {
            let render = || renderer.render(&groups[n], &tee);
            let written = match (&background, k) {
                (Some(pool), 1..) => pool.install(render),
                _ => render(),
            };
            match written {
                Ok(written) => pages += written,
                Err(e) => {
                    gate.fail();
                    rendered = Err(e);
                    break;
                }
            }
            gate.open(n);
        }
        timer.lap("document pages");
        let rest = rendered.and_then(|()| {
            let render = |pages: &[Page]| match &background {
                Some(pool) => pool.install(|| renderer.render(pages, &sink)),
                None => renderer.render(pages, &sink),
            };
            let n = render(&landscape)?;
            timer.lap("map and system pages");
            let n = n + render(&others)?;
            timer.lap("other pages and feeds");
            Ok(n)
        });
        let files = index
            .join()
            .unwrap_or_else(|_| Err(RunError("the search index failed".to_owned())));
        timer.lap("search index: the rest");
        rest.map(|n| (pages + n, files))
    });
    let (pages, index) = index?;
    for (path, bytes) in index? {
        sink.put(&path, bytes)?;
    }
    Ok(Rendered {
        pages,
        indexed: indexing.read_digests()?,
        written: sink.into_written(),
        frame,
        today: renderer.site.today,
    })
}

/// Puts into `dir` the pages of the last build (`entry`) that this build
/// would write alike, when what all pages show alike is as it was: the
/// pages of the documents not `changed` since, with their markdown
/// copies, and the system pages, each if its view of the rest of the site
/// is the same (`frame`). A build on another day also renders again the
/// pages of the documents whose staleness or age (which a stale one shows)
/// differs between that day and today. Each comes from its object, checked
/// against its hash; the index is given the document pages' digests.
/// Returns the pages kept, or why none were (a missing or changed object:
/// every page that was linked is taken out again, and all are rendered).
fn keep_pages(
    renderer: &Renderer,
    entry: &replay::Entry,
    frame: &frame::Frame,
    changed: &HashSet<usize>,
    cache_root: &Path,
    sink: &DirSink,
    indexing: &crate::render::search::IndexingSink,
) -> Result<HashSet<Page>, String> {
    let Some(files) = entry.files_if_framed(&frame.global) else {
        return Err("the frame changed".to_owned());
    };
    // A page whose view of the rest of the site changed is rendered.
    let same_view = |path: &str| match (entry.view(path), frame.views.get(path)) {
        (Some(then), Some(now)) => then == now,
        _ => false,
    };
    let site = &renderer.site;
    let Some(then) = entry.today() else {
        return Err("its date is unreadable".to_owned());
    };
    // What a page shows of its date: a stale document's age, else nothing.
    let shown = |(stale, age): (bool, i64)| stale.then_some(age);
    let dated_alike = |i: usize| {
        let s = &site.summaries[i];
        then == site.today
            || shown(site.dated(&s.last_updated, then)) == shown((s.stale, s.age_days))
    };
    // The home document's page is the home page, which lists every
    // document: it is always rendered, as the home page is.
    let home = site.home_doc();
    let unchanged = (0..site.catalog.docs.len())
        .filter(|i| !changed.contains(i) && dated_alike(*i) && home != Some(*i))
        .map(|i| {
            (
                Page::Doc(i),
                vec![format!("{}index.html.md", renderer.routes[i])],
            )
        });
    let systems = renderer.system_pages().map(|p| (p, Vec::new()));
    let mut kept: Vec<(Page, Vec<replay::KeptFile<'_>>, Option<&str>)> = Vec::new();
    for (page, mut paths) in unchanged.chain(systems) {
        let Some(path) = renderer.path_of(&page).filter(|p| same_view(p)) else {
            continue;
        };
        paths.push(path);
        let found: Option<Vec<replay::KeptFile<'_>>> = paths
            .iter()
            .map(|p| {
                files
                    .get_key_value(p.as_str())
                    .map(|(p, (len, hash))| (*p, *len, *hash))
            })
            .collect();
        let Some(found) = found else {
            continue;
        };
        // A document's page is indexed: without the digest of what
        // Pagefind read of it in the last build, it is rendered again.
        let page_path = found.iter().map(|f| f.0).find(|p| is_indexed_path(p));
        let read = match (&page, page_path) {
            (Page::Doc(_), Some(path)) => match entry.read_digest(path) {
                Some(read) => Some(read),
                None => continue,
            },
            _ => None,
        };
        kept.push((page, found, read));
    }
    let linked: Vec<replay::KeptFile<'_>> = kept
        .iter()
        .flat_map(|(_, f, _)| f.iter().copied())
        .collect();
    let dir = sink.dir();
    if let Err(why) = replay::link_objects(cache_root, &linked, dir) {
        for (path, _, _) in &linked {
            let _ = std::fs::remove_file(dir.join(path));
        }
        return Err(why);
    }
    for (_, found, read) in &kept {
        for &(path, len, hash) in found {
            let listed = sink.record(path, len as usize, hash);
            let indexed = match read {
                Some(read) if is_indexed_path(path) => {
                    indexing.add(path, PageDigests::kept(hash.to_owned(), (*read).to_owned()))
                }
                _ => Ok(()),
            };
            listed.and(indexed).map_err(|e| e.0)?;
        }
    }
    // The code the kept pages show stays in the highlight pack for the
    // next build that renders them; blocks no page shows any more go.
    use rayon::prelude::*;
    kept.par_iter().for_each(|(page, _, _)| {
        if let &Page::Doc(i) = page {
            for block in &site.catalog.docs[i].code_blocks {
                crate::render::highlight::retain(&block.lang, &block.content);
            }
        }
    });
    Ok(kept.into_iter().map(|(page, _, _)| page).collect())
}

/// The search buckets of the document pages `docs`, those of the `changed`
/// documents first (see `Plan::first`), and the pages of each bucket.
fn by_bucket(
    renderer: &Renderer,
    docs: Vec<Page>,
    changed: &HashSet<usize>,
) -> (crate::render::search::Plan, Vec<Vec<Page>>) {
    let changed_pages: Vec<String> = docs
        .iter()
        .filter(|page| matches!(page, Page::Doc(i) if changed.contains(i)))
        .filter_map(|page| renderer.path_of(page))
        .collect();
    let plan = crate::render::search::Plan::new(docs.iter().filter_map(|p| renderer.path_of(p)))
        .first(changed_pages.iter().map(String::as_str));
    let mut groups: Vec<Vec<Page>> = (0..plan.len()).map(|_| Vec::new()).collect();
    for page in docs {
        // A page without a path of its own writes no page to index.
        let n = renderer
            .path_of(&page)
            .and_then(|path| plan.bucket(&path))
            .unwrap_or(0);
        groups[n].push(page);
    }
    (plan, groups)
}

/// Threads that run only when a core would otherwise be idle (on Linux,
/// at the lowest priority: nice 19), for work the build needs later than
/// the index's: the index's two phases take turns on the cores, and the
/// one that builds a bundle leaves all but one idle. None where the pool
/// cannot be made.
fn background_pool() -> Option<rayon::ThreadPool> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    rayon::ThreadPoolBuilder::new()
        .num_threads(cores)
        .thread_name(|n| format!("portolan-background-{n}"))
        .start_handler(|_| lower_priority())
        .build()
        .ok()
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // SAFETY: gettid has no preconditions, and setpriority only lowers
    // this thread's own priority (a failure leaves it as it was).
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// Writes each page and hands it to the search index.
struct Tee<'a> {
    sink: &'a DirSink,
    indexing: &'a crate::render::search::IndexingSink,
}

impl Sink for Tee<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), RunError> {
        if is_indexed_path(path) {
            let written = self.sink.put_hashed(path, &bytes)?;
            return self.indexing.add(path, PageDigests::written(written));
        }
        self.sink.put(path, bytes)
    }
}

/// What Pagefind's `**/index.html` reads, no more (it counts them).
fn is_indexed_path(path: &str) -> bool {
    path == "index.html" || path.ends_with("/index.html")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The marker's fingerprint takes a linked file's digest from the
    /// replay key's reading when it has one (no second read), and comes
    /// out the same as when it reads the file itself.
    #[test]
    fn the_fingerprint_reuses_what_the_key_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/pay")).unwrap();
        std::fs::write(root.join("site.toml"), "title = \"T\"\n").unwrap();
        std::fs::write(
            root.join("content/pay/a.md"),
            "---\ntitle: A\n---\n\nSee [the notes](notes.txt).\n",
        )
        .unwrap();
        std::fs::write(root.join("content/pay/notes.txt"), "retry after 5 s\n").unwrap();
        let config = Config::load(root).unwrap();
        let read = crate::content::read_site(root, &config).unwrap();
        let theme = Theme::load(root, &config).unwrap();
        let inputs = replay::key(root, &config, false, &read, Some(&theme)).unwrap();
        let options = CheckOptions {
            strict: false,
            progress: false,
            skip_diagrams: true,
            missing_diagrams: crate::render::diagrams::Missing::Render,
        };
        let checked = check_read(root, config, options, read).unwrap();
        let notes = checked.catalog.content_dir.join("pay/notes.txt");
        assert!(inputs.other.contains_key(&notes), "{:?}", inputs.other);
        let by_itself = input_fingerprint(&checked, &theme, None);
        assert_eq!(
            input_fingerprint(&checked, &theme, Some(&inputs.other)),
            by_itself
        );
        let mut other = inputs.other.clone();
        other.insert(notes, "another digest".to_owned());
        assert_ne!(input_fingerprint(&checked, &theme, Some(&other)), by_itself);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_swap_is_one_atomic_exchange() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("public"), dir.path().join("staging"));
        std::fs::create_dir_all(&old).unwrap();
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(old.join("v"), "old").unwrap();
        std::fs::write(new.join("v"), "new").unwrap();
        exchange(&new, &old).unwrap();
        assert_eq!(std::fs::read_to_string(old.join("v")).unwrap(), "new");
        assert_eq!(std::fs::read_to_string(new.join("v")).unwrap(), "old");
        swap_in(&new, &old).unwrap();
        assert_eq!(std::fs::read_to_string(old.join("v")).unwrap(), "old");
        assert!(!new.exists());
    }
}
