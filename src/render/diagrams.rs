//! Mermaid fences → inline SVG through mermaid-cli's own installation,
//! driven by one long-lived Node process (`assets/mermaid-worker.mjs`) that
//! starts one browser and reuses a page per core. Results are cached on disk
//! by a hash of the definition, the mermaid-cli version and the theme, so a
//! build whose diagrams are all cached starts no Node process at all.

use std::collections::{BTreeSet, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::config::Config;
use crate::diagnostics::Diagnostic;

const WORKER_SCRIPT: &str = include_str!("assets/mermaid-worker.mjs");

/// The worker script's digest, shortened: how it renders (a fresh mermaid
/// per diagram, its clock and random source) decides the bytes, so it is
/// part of every cache key and names the script's file.
fn worker_digest() -> &'static str {
    static DIGEST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DIGEST.get_or_init(|| crate::hash::digest(&[WORKER_SCRIPT])[..12].to_owned())
}

/// The id mermaid gives the SVG; each page replaces it with a unique one.
pub const SVG_ID_PLACEHOLDER: &str = "portolan-mermaid-svg";
/// Part of every cache key: change it when the theme config changes.
/// `secure` lists what no directive may override, should one slip past
/// `directives::clean`.
const THEME_CONFIG: &str = r#"{"theme":"default","securityLevel":"strict","htmlLabels":true,"secure":["secure","securityLevel","startOnLoad","maxTextSize","maxEdges","themeCSS","dompurifyConfig","htmlLabels"]}"#;
/// Part of every cache key: change it when the SVG sanitizer changes what
/// it keeps (entries are sanitized again when read all the same).
const SANITIZER_VERSION: &str = "svg-allow-list-1";

/// ```` ```mermaid ````, in any case (```` ```Mermaid ```` too).
pub fn is_diagram(lang: &str) -> bool {
    lang.eq_ignore_ascii_case("mermaid") || lang.eq_ignore_ascii_case("mermaid-example")
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Svg {
    pub svg: String,
    pub title: Option<String>,
    pub desc: Option<String>,
}

pub type Outcome = Result<Svg, String>;

#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize)]
pub struct DiagramStats {
    /// Distinct definitions in the site.
    pub total: usize,
    pub cached: usize,
    pub rendered: usize,
    pub failed: usize,
    /// Whether a Node renderer process was started.
    pub renderer_started: bool,
}

/// Rendered diagrams by definition. Missing: shown as source.
#[derive(Default)]
pub struct Diagrams {
    /// Shared, so a rebuild that keeps a diagram copies a pointer, not
    /// its SVG.
    by_definition: HashMap<String, Arc<Outcome>>,
    /// Definitions `serve` renders in the background (`Missing::Defer`):
    /// shown as source, marked as being rendered, until `settle`.
    pending: BTreeSet<String>,
    pub stats: DiagramStats,
}

/// What `prepare` does with a definition neither in memory nor in the
/// disk cache.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Renders it before returning: check, build, and an edit in serve.
    #[default]
    Render,
    /// Leaves it pending: `serve` answers at once, whatever a cold cache
    /// holds, and renders the pending ones in the background
    /// (`render_pending`).
    Defer,
}

impl Diagrams {
    pub fn get(&self, definition: &str) -> Option<&Outcome> {
        self.by_definition.get(definition).map(|o| &**o)
    }

    /// Whether the definition is being rendered in the background.
    pub fn is_pending(&self, definition: &str) -> bool {
        self.pending.contains(definition)
    }

    /// The definitions being rendered in the background, in order.
    pub fn pending(&self) -> Vec<String> {
        self.pending.iter().cloned().collect()
    }

    /// Takes in what the background rendered. A definition no longer
    /// pending (its document was edited meanwhile) is left out: the
    /// check after the edit decided what it shows.
    pub fn settle(&mut self, outcomes: Vec<(String, Outcome)>) {
        for (definition, outcome) in outcomes {
            if self.pending.remove(&definition) {
                self.by_definition.insert(definition, Arc::new(outcome));
            }
        }
    }

    /// What the diagrams put on pages, as one digest: each definition with
    /// its SVG, title and description, or its error. Not how each was
    /// obtained (`stats`): a build that takes them from the cache writes
    /// what a cold build that renders them writes, marker included.
    pub fn digest(&self) -> String {
        let mut definitions: Vec<(&String, &Arc<Outcome>)> = self.by_definition.iter().collect();
        definitions.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut parts: Vec<&str> = Vec::with_capacity(definitions.len() * 5);
        for (definition, outcome) in definitions {
            parts.push(definition);
            match &**outcome {
                Ok(svg) => {
                    for text in [&svg.title, &svg.desc] {
                        // None and Some("") differ on the page.
                        parts.push(text.as_deref().map_or("none", |_| "some"));
                        parts.push(text.as_deref().unwrap_or(""));
                    }
                    parts.push(&svg.svg);
                }
                Err(message) => {
                    parts.extend(["error", message.as_str()]);
                }
            }
        }
        crate::hash::digest(&parts)
    }
}

/// What rendering needs: Node, mermaid-cli's package folder, Chromium.
#[derive(Debug, Clone)]
pub struct Toolchain {
    pub node: PathBuf,
    pub cli_dir: PathBuf,
    pub cli_version: String,
    pub chromium: PathBuf,
}

fn find_in_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// mermaid-cli by `[diagrams] mmdc`, `PORTOLAN_MMDC`,
/// `node_modules/.bin/mmdc` under the root, then PATH; Chromium by
/// `PUPPETEER_EXECUTABLE_PATH`, `/usr/bin/chromium`, then PATH.
pub fn find_toolchain(root: &Path, config: &Config) -> Result<Toolchain, String> {
    let mmdc = config
        .diagrams
        .mmdc
        .as_ref()
        .map(|p| root.join(p))
        .or_else(|| std::env::var_os("PORTOLAN_MMDC").map(PathBuf::from))
        .or_else(|| Some(root.join("node_modules/.bin/mmdc")).filter(|p| p.exists()))
        .or_else(|| find_in_path(&["mmdc"]))
        .ok_or("mermaid-cli (mmdc) was not found")?;
    // mmdc is a link to <package>/src/cli.js; the package holds mermaid.
    let cli_js = mmdc
        .canonicalize()
        .map_err(|e| format!("mermaid-cli at {} cannot be read: {e}", mmdc.display()))?;
    let cli_dir = cli_js
        .ancestors()
        .find(|d| d.join("package.json").is_file() && d.join("dist/index.html").is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "{} is not part of a mermaid-cli installation",
                mmdc.display()
            )
        })?;
    let package: serde_json::Value = std::fs::read_to_string(cli_dir.join("package.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .ok_or("mermaid-cli's package.json cannot be read")?;
    let cli_version = package["version"].as_str().unwrap_or("unknown").to_owned();
    let node = std::env::var_os("PORTOLAN_NODE")
        .map(PathBuf::from)
        .or_else(|| find_in_path(&["node", "nodejs"]))
        .ok_or("Node.js (node) was not found")?;
    let chromium = std::env::var_os("PUPPETEER_EXECUTABLE_PATH")
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")).filter(|p| p.is_file()))
        .or_else(|| find_in_path(&["chromium", "chromium-browser", "google-chrome"]))
        .ok_or("Chromium was not found")?;
    Ok(Toolchain {
        node,
        cli_dir,
        cli_version,
        chromium,
    })
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(1).map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}

/// Where caches live: `PORTOLAN_CACHE_DIR`, else `.portolan/cache` under the
/// root (outside the content and output dirs, and ignored by git).
pub fn cache_root(root: &Path) -> PathBuf {
    std::env::var_os("PORTOLAN_CACHE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".portolan/cache"))
}

struct Occurrence<'a> {
    file: &'a str,
    line: usize,
    definition: &'a str,
}

/// Renders (or loads from cache) every diagram of the catalog; returns them with `diagram` diagnostics for broken ones.
/// A definition `previous` holds pending stays pending, whatever `missing`
/// says: the background is rendering it already.
pub fn prepare(
    root: &Path,
    config: &Config,
    catalog: &Catalog,
    previous: Option<&Diagrams>,
    missing_ones: Missing,
    progress: bool,
) -> (Diagrams, Vec<Diagnostic>) {
    let occurrences: Vec<Occurrence<'_>> = catalog
        .docs
        .iter()
        .flat_map(|d| {
            d.code_blocks
                .iter()
                .filter(|b| is_diagram(&b.lang) && !b.content.trim().is_empty())
                .map(move |b| Occurrence {
                    file: &d.source_path,
                    line: b.line,
                    definition: &b.content,
                })
        })
        .collect();
    // Deduplicated in document order; hashing is cheaper than sorting long,
    // similar texts, which `serve` pays on every save.
    let mut seen = std::collections::HashSet::new();
    let definitions: Vec<&str> = occurrences
        .iter()
        .map(|o| o.definition)
        .filter(|d| seen.insert(*d))
        .collect();
    let mut diagrams = Diagrams::default();
    diagrams.stats.total = definitions.len();
    if definitions.is_empty() || !enabled(config) {
        return (diagrams, Vec::new());
    }
    // What each definition may configure of its own rendering; mermaid
    // sees the cleaned text, the page looks diagrams up by the original.
    let cleaned: HashMap<&str, super::directives::Cleaned> = definitions
        .iter()
        .map(|&d| (d, super::directives::clean(d)))
        .collect();
    let mut diagnostics = Vec::new();
    for o in &occurrences {
        if let Some(c) = cleaned.get(o.definition).filter(|c| !c.removed.is_empty()) {
            diagnostics.push(
                Diagnostic::warning(
                    o.file,
                    o.line,
                    "diagram",
                    format!(
                        "this diagram's configuration may set only its theme and layout; removed: {}",
                        c.removed.join(", ")
                    ),
                )
                .help("keep `theme`, `themeVariables` and layout options (flowchart, sequence...) in %%{init}%%; themeCSS and securityLevel are never applied"),
            );
        }
    }
    let clean_of = |d: &str| -> String {
        cleaned
            .get(d)
            .map(|c| c.definition.clone())
            .unwrap_or_default()
    };
    let toolchain = match find_toolchain(root, config) {
        Ok(t) => t,
        Err(why) => {
            let unavailable = occurrences
                .first()
                .map(|o| {
                    vec![Diagnostic::warning(
                        o.file,
                        o.line,
                        "diagrams-unavailable",
                        format!(
                            "{why}: {} mermaid diagram{} are shown as source",
                            occurrences.len(),
                            if occurrences.len() == 1 { "" } else { "s" }
                        ),
                    )
                    .help("install them to render diagrams: `apt-get install chromium` and `PUPPETEER_SKIP_DOWNLOAD=1 npm ci` (or set [diagrams] mmdc / PORTOLAN_MMDC)")]
                })
                .unwrap_or_default();
            diagnostics.extend(unavailable);
            return (diagrams, diagnostics);
        }
    };

    let cache = entries_folder(root);
    let mut missing: Vec<&str> = Vec::new();
    for &definition in &definitions {
        if let Some(outcome) = previous.and_then(|p| p.by_definition.get(definition)) {
            diagrams.stats.cached += 1;
            diagrams
                .by_definition
                .insert(definition.to_owned(), Arc::clone(outcome));
            continue;
        }
        if previous.is_some_and(|p| p.is_pending(definition)) {
            diagrams.pending.insert(definition.to_owned());
            continue;
        }
        let key = cache_key(&toolchain, &clean_of(definition));
        let cached = (cache.as_deref())
            .and_then(|dir| std::fs::read_to_string(dir.join(format!("{key}.json"))).ok())
            .and_then(|text| serde_json::from_str::<CacheEntry>(&text).ok())
            // Never trusted blindly: sanitized again, and an entry whose SVG
            // does not survive that is rendered anew.
            .and_then(|entry| {
                let had_svg = entry.svg.is_some();
                let outcome = sanitized(entry.into());
                (!(had_svg && outcome.is_err())).then_some(outcome)
            });
        match cached {
            Some(outcome) => {
                diagrams.stats.cached += 1;
                diagrams
                    .by_definition
                    .insert(definition.to_owned(), Arc::new(outcome));
            }
            None if missing_ones == Missing::Defer => {
                diagrams.pending.insert(definition.to_owned());
            }
            None => missing.push(definition),
        }
    }
    if !missing.is_empty() {
        diagrams.stats.renderer_started = true;
        let to_render: Vec<String> = missing.iter().map(|d| clean_of(d)).collect();
        let mut counter = |done: usize, total: usize| {
            if progress {
                crate::err!("\rdiagrams {done}/{total}");
            }
        };
        let outcomes = render_and_keep(
            &toolchain,
            root,
            config,
            cache.as_deref(),
            &to_render,
            &mut counter,
        );
        if progress {
            crate::errln!();
        }
        for (definition, outcome) in missing.iter().zip(outcomes) {
            diagrams.stats.rendered += 1;
            diagrams
                .by_definition
                .insert((*definition).to_owned(), Arc::new(outcome));
        }
    }

    for o in &occurrences {
        if let Some(Err(message)) = diagrams.by_definition.get(o.definition).map(|o| &**o) {
            diagrams.stats.failed += 1;
            let message = clean_error(message);
            diagnostics.push(
                Diagnostic::error(o.file, o.line, "diagram", format!("mermaid cannot render this diagram: {message}"))
                    .help("fix the diagram definition; https://mermaid.js.org/intro/syntax-reference.html lists the syntax"),
            );
        }
    }
    (diagrams, diagnostics)
}

/// The folder of diagram cache entries, made if need be; None when it
/// cannot be (the diagrams are then rendered, not kept).
fn entries_folder(root: &Path) -> Option<PathBuf> {
    let dir = cache_root(root).join("diagrams");
    std::fs::create_dir_all(&dir).is_ok().then_some(dir)
}

/// A cache entry's name: what mermaid renders (the cleaned definition)
/// and everything that decides how.
fn cache_key(toolchain: &Toolchain, cleaned: &str) -> String {
    crate::hash::digest(&[
        &toolchain.cli_version,
        worker_digest(),
        THEME_CONFIG,
        SANITIZER_VERSION,
        cleaned,
    ])
}

/// Renders cleaned definitions, sanitized, keeping each verdict in
/// `cache` (a folder of entries named by `cache_key`). `progress` is told
/// how many of how many have an answer, after each answer.
fn render_and_keep(
    toolchain: &Toolchain,
    root: &Path,
    config: &Config,
    cache: Option<&Path>,
    cleaned: &[String],
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<Outcome> {
    let timeout = Duration::from_secs(config.diagrams.timeout_seconds.max(1));
    let to_render: Vec<&str> = cleaned.iter().map(String::as_str).collect();
    let results = render_all(toolchain, root, &to_render, timeout, progress);
    (cleaned.iter().zip(results))
        .map(|(clean, (outcome, verdict))| {
            let outcome = sanitized(outcome);
            // Only verdicts on the definition are cached: a timeout or a
            // renderer that died says nothing about the diagram.
            if let Some(dir) = cache.filter(|_| verdict) {
                if let Ok(text) = serde_json::to_string(&CacheEntry::from(&outcome)) {
                    let path = dir.join(format!("{}.json", cache_key(toolchain, clean)));
                    write_atomically(&path, text.as_bytes());
                }
            }
            outcome
        })
        .collect()
}

/// Renders what `prepare` left pending (`Missing::Defer`), as `prepare`
/// would have, cache included; for `Diagrams::settle`. Run off the thread
/// that holds the site: it takes as long as a cold `check` does.
pub fn render_pending(
    root: &Path,
    config: &Config,
    definitions: &[String],
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<(String, Outcome)> {
    wait_for_test_gate();
    let outcomes = match find_toolchain(root, config) {
        Ok(toolchain) => {
            let cache = entries_folder(root);
            let cleaned: Vec<String> = (definitions.iter())
                .map(|d| super::directives::clean(d).definition)
                .collect();
            render_and_keep(
                &toolchain,
                root,
                config,
                cache.as_deref(),
                &cleaned,
                progress,
            )
        }
        // Found when serve started, gone since: as the renderer dying.
        Err(why) => (definitions.iter())
            .map(|_| Err(format!("the diagram renderer failed: {why}")))
            .collect(),
    };
    definitions.iter().cloned().zip(outcomes).collect()
}

/// Tests only: `PORTOLAN_TEST_DIAGRAMS_GATE` names a file the background
/// rendering waits for (at most two minutes), so a test sees the pages as
/// they are before it, whatever the machine's speed.
fn wait_for_test_gate() {
    let Some(gate) = std::env::var_os("PORTOLAN_TEST_DIAGRAMS_GATE").filter(|g| !g.is_empty())
    else {
        return;
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while !Path::new(&gate).exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A rendered SVG as it may be inlined: see `sanitize::clean_svg`. One that
/// is not well-formed becomes an error instead.
fn sanitized(outcome: Outcome) -> Outcome {
    outcome.and_then(|svg| {
        let clean = super::sanitize::clean_svg(&svg.svg);
        if clean.is_empty() {
            Err("the rendered SVG is not well-formed XML and was not published".to_owned())
        } else {
            Ok(Svg { svg: clean, ..svg })
        }
    })
}

/// Concurrent builds may fill the same cache: a reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) {
    let _ = crate::cache_fs::publish(path, bytes);
}

/// What decides how this machine renders diagrams, for the key of a whole
/// build: diagrams off, the toolchain found (mermaid-cli's version and the
/// programs' paths), or why none was found.
pub fn renderer_identity(root: &Path, config: &Config) -> String {
    if enabled(config) {
        format!(
            "{:?} worker {}",
            find_toolchain(root, config),
            worker_digest()
        )
    } else {
        "diagrams off".to_owned()
    }
}

fn enabled(config: &Config) -> bool {
    config.diagrams.enabled
        && !std::env::var("PORTOLAN_DIAGRAMS").is_ok_and(|v| v == "off" || v == "0")
}

/// mermaid's message without JavaScript stack frames. Its own line numbers
/// ("Parse error on line 3") count from the fence, which the diagnostic
/// points at.
fn clean_error(message: &str) -> String {
    let text: Vec<&str> = message
        .lines()
        .filter(|l| !l.trim_start().starts_with("at "))
        .collect();
    text.join("\n").trim().to_owned()
}

#[derive(Serialize, Deserialize)]
struct CacheEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    svg: Option<Svg>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl From<CacheEntry> for Outcome {
    fn from(entry: CacheEntry) -> Outcome {
        match (entry.svg, entry.error) {
            (Some(svg), _) => Ok(svg),
            (None, error) => Err(error.unwrap_or_else(|| "unknown error".to_owned())),
        }
    }
}

impl From<&Outcome> for CacheEntry {
    fn from(outcome: &Outcome) -> CacheEntry {
        match outcome {
            Ok(svg) => CacheEntry {
                svg: Some(svg.clone()),
                error: None,
            },
            Err(e) => CacheEntry {
                svg: None,
                error: Some(e.clone()),
            },
        }
    }
}

/// Renders `definitions` in order. A renderer that dies or stops answering
/// is restarted once for what is left; after that the rest are errors.
/// Each result says whether it is a verdict on the definition (rendered,
/// or rejected by mermaid) rather than a timeout or a renderer failure.
fn render_all(
    toolchain: &Toolchain,
    root: &Path,
    definitions: &[&str],
    timeout: Duration,
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<(Outcome, bool)> {
    let mut results: Vec<Option<(Outcome, bool)>> = vec![None; definitions.len()];
    let mut last_failure = String::new();
    for _attempt in 0..2 {
        let pending: Vec<usize> = (0..definitions.len())
            .filter(|&i| results[i].is_none())
            .collect();
        if pending.is_empty() {
            break;
        }
        match Worker::start(toolchain, root, timeout) {
            Ok(worker) => {
                let failure = worker.run(definitions, &pending, &mut results, timeout, progress);
                if let Some(f) = failure {
                    last_failure = f;
                }
            }
            Err(e) => last_failure = e,
        }
    }
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                (
                    Err(format!("the diagram renderer failed: {last_failure}")),
                    false,
                )
            })
        })
        .collect()
}

struct Worker {
    child: Child,
    messages: mpsc::Receiver<serde_json::Value>,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing its input asks the worker to close its browser and exit;
        // killing it straight away could leave Chromium running.
        drop(self.child.stdin.take());
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Worker {
    fn start(toolchain: &Toolchain, root: &Path, timeout: Duration) -> Result<Worker, String> {
        let script_dir = {
            let preferred = cache_root(root);
            if std::fs::create_dir_all(&preferred).is_ok() {
                preferred
            } else {
                std::env::temp_dir()
            }
        };
        let script = script_dir.join(format!("mermaid-worker-{}.mjs", worker_digest()));
        if !script.is_file() {
            write_atomically(&script, WORKER_SCRIPT.as_bytes());
            if !script.is_file() {
                return Err(format!("cannot write {}", script.display()));
            }
        }
        let mut args = vec![
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--lang=en-US",
        ];
        // Chromium's sandbox cannot start as root (containers, CI).
        if running_as_root() {
            args.push("--no-sandbox");
        }
        let concurrency = std::thread::available_parallelism().map_or(2, |n| n.get());
        let worker_config = serde_json::json!({
            "cliDir": toolchain.cli_dir,
            "chromium": toolchain.chromium,
            "args": args,
            "concurrency": concurrency,
            "timeoutMs": timeout.as_millis() as u64,
            "svgId": SVG_ID_PLACEHOLDER,
            "mermaidConfig": serde_json::from_str::<serde_json::Value>(THEME_CONFIG).unwrap_or_default(),
            // Tests only: a definition containing this text hangs the page
            // for real, with a 1 s limit of its own, so the timeout path is
            // tested without depending on how fast the machine is.
            "testHang": std::env::var("PORTOLAN_TEST_HANG_MARKER").ok().filter(|m| !m.is_empty()),
        });
        let mut child = Command::new(&toolchain.node)
            .arg(&script)
            .arg(worker_config.to_string())
            // Dates mermaid prints (gantt's axis, a time without a day)
            // must not depend on the machine's time zone.
            .env("TZ", "UTC")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", toolchain.node.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let stderr_pipe = child.stderr.take().ok_or("no stderr")?;
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                    if tx.send(v).is_err() {
                        break;
                    }
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines().map_while(Result::ok) {
                if let Ok(mut s) = sink.lock() {
                    // Keep the tail only: enough to say why it died.
                    if s.len() > 4096 {
                        s.clear();
                    }
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        });
        let worker = Worker {
            child,
            messages,
            stderr,
        };
        match worker.messages.recv_timeout(Duration::from_secs(90)) {
            Ok(v) if v["ready"] == true => Ok(worker),
            Ok(v) => Err(v["fatal"]
                .as_str()
                .unwrap_or("the renderer did not start")
                .to_owned()),
            Err(_) => Err(format!(
                "the renderer did not start: {}",
                worker.stderr_tail()
            )),
        }
    }

    fn stderr_tail(&self) -> String {
        self.stderr
            .lock()
            .map(|s| s.lines().last().unwrap_or("").to_owned())
            .unwrap_or_default()
    }

    /// Sends the pending definitions and collects answers into `results`;
    /// returns why it stopped early, if it did.
    fn run(
        mut self,
        definitions: &[&str],
        pending: &[usize],
        results: &mut [Option<(Outcome, bool)>],
        timeout: Duration,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Option<String> {
        let Some(mut stdin) = self.child.stdin.take() else {
            return Some("no stdin".to_owned());
        };
        let requests: Vec<String> = pending
            .iter()
            .map(|&i| serde_json::json!({ "id": i, "definition": definitions[i] }).to_string())
            .collect();
        // A separate writer: the worker answers while we are still sending.
        let writer = std::thread::spawn(move || {
            for r in requests {
                if writeln!(stdin, "{r}").is_err() {
                    break;
                }
            }
        });
        let total = results.len();
        let mut done = results.iter().filter(|r| r.is_some()).count();
        let mut outstanding = pending.len();
        // The worker times out single diagrams itself; this only catches a
        // renderer that stopped answering altogether.
        let watchdog = timeout + Duration::from_secs(30);
        let failure = loop {
            if outstanding == 0 {
                break None;
            }
            match self.messages.recv_timeout(watchdog) {
                Ok(v) => {
                    let Some(id) = v["id"].as_u64().map(|i| i as usize).filter(|&i| i < total)
                    else {
                        if let Some(fatal) = v["fatal"].as_str() {
                            break Some(fatal.to_owned());
                        }
                        continue;
                    };
                    if results[id].is_some() {
                        continue;
                    }
                    let verdict = v["transient"] != true;
                    results[id] = Some(match v["svg"].as_str() {
                        Some(svg) => (
                            Ok(Svg {
                                svg: svg.to_owned(),
                                title: v["title"].as_str().map(str::to_owned),
                                desc: v["desc"].as_str().map(str::to_owned),
                            }),
                            verdict,
                        ),
                        None => (
                            Err(v["error"].as_str().unwrap_or("unknown error").to_owned()),
                            verdict,
                        ),
                    });
                    outstanding -= 1;
                    done += 1;
                    progress(done, total);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    break Some(format!("no answer for {} s", watchdog.as_secs()))
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    break Some(format!("the renderer exited: {}", self.stderr_tail()))
                }
            }
        };
        if failure.is_some() {
            let _ = self.child.kill();
        }
        let _ = writer.join();
        failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_lose_stack_frames() {
        let text = clean_error("Parse error on line 3:\ngraph LR A-->\n----^\nExpecting 'X'\n    at Parser.parse (file:///x.js:1:2)\n    at y");
        assert!(!text.contains("at Parser"), "{text}");
        assert!(text.starts_with("Parse error on line 3:"));
        assert!(text.ends_with("Expecting 'X'"));
    }

    #[test]
    fn settling_takes_in_only_what_is_still_pending() {
        let mut diagrams = Diagrams::default();
        diagrams
            .pending
            .extend(["graph A".to_owned(), "graph B".to_owned()]);
        let drawn = |svg: &str| -> Outcome {
            Ok(Svg {
                svg: svg.to_owned(),
                title: None,
                desc: None,
            })
        };
        // "graph C" left the site while it rendered (its page was edited).
        diagrams.settle(vec![
            ("graph A".to_owned(), drawn("<svg>a</svg>")),
            ("graph C".to_owned(), drawn("<svg>c</svg>")),
        ]);
        assert_eq!(diagrams.pending(), ["graph B"]);
        assert!(!diagrams.is_pending("graph A"));
        assert!(matches!(diagrams.get("graph A"), Some(Ok(s)) if s.svg == "<svg>a</svg>"));
        assert!(diagrams.get("graph C").is_none());
        assert!(diagrams.get("graph B").is_none());
    }

    #[test]
    fn the_digest_is_of_what_pages_show_not_of_how_it_was_obtained() {
        let of = |outcomes: &[(&str, Outcome)], stats: DiagramStats| {
            Diagrams {
                by_definition: outcomes
                    .iter()
                    .map(|(d, o)| ((*d).to_owned(), Arc::new(o.clone())))
                    .collect(),
                pending: BTreeSet::new(),
                stats,
            }
            .digest()
        };
        let svg = |svg: &str, title: Option<&str>| -> Outcome {
            Ok(Svg {
                svg: svg.to_owned(),
                title: title.map(str::to_owned),
                desc: None,
            })
        };
        let rendered = DiagramStats {
            total: 2,
            rendered: 2,
            renderer_started: true,
            ..DiagramStats::default()
        };
        let cached = DiagramStats {
            total: 2,
            cached: 2,
            ..DiagramStats::default()
        };
        let both = [
            ("a", svg("<svg>a</svg>", None)),
            ("b", svg("<svg>b</svg>", None)),
        ];
        let reversed = [
            ("b", svg("<svg>b</svg>", None)),
            ("a", svg("<svg>a</svg>", None)),
        ];
        assert_eq!(of(&both, rendered), of(&reversed, cached));
        let other = [
            ("a", svg("<svg>A</svg>", None)),
            ("b", svg("<svg>b</svg>", None)),
        ];
        assert_ne!(of(&both, rendered), of(&other, rendered));
        let titled = [
            ("a", svg("<svg>a</svg>", Some(""))),
            ("b", svg("<svg>b</svg>", None)),
        ];
        assert_ne!(of(&both, rendered), of(&titled, rendered));
        let failed = [
            ("a", Err("<svg>a</svg>".to_owned())),
            ("b", svg("<svg>b</svg>", None)),
        ];
        assert_ne!(of(&both, rendered), of(&failed, rendered));
        assert_ne!(of(&both[..1], rendered), of(&both, rendered));
    }
}
