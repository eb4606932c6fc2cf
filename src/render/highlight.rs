//! Code highlighting with syntect, as CSS classes so the light and dark
//! themes are two stylesheets, not two renderings.
//!
//! syntect runs at a few hundred kB/s for YAML or JavaScript, so the grammar
//! set is loaded once and highlighted blocks are cached by content hash: a
//! catalog repeats the same snippets (configuration, retry loops) a lot.

use std::collections::HashMap;
use std::sync::{mpsc, Arc, LazyLock, Mutex};
use std::time::Duration;

use super::highlight_store::Packed;
pub use super::highlight_style::stylesheet;
use super::highlight_style::{LineStyles, Runs};
use syntect::parsing::{ParseState, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

/// bat's grammar collection: syntect's defaults lack TOML, TypeScript and
/// Dockerfile, which integration documents use all the time.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

/// Block key (`highlight_store::key`) → highlighted HTML, compressed as the
/// store keeps it (a code-heavy catalog highlights close to a gigabyte);
/// None for a block shown plain. Holds what this process highlighted;
/// earlier runs' blocks are in the store.
type Cache = HashMap<String, Option<Packed>>;

/// Blocks kept in memory; past it the cache starts over.
const MAX_CACHED_BLOCKS: usize = 100_000;

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(|| Mutex::new(HashMap::new()));

/// Short names authors use that the grammar set knows under another token.
/// `javascript` would pick the old Sublime grammar, which loops forever on
/// TypeScript-flavoured code (seen in dapr's docs); bat's Babel grammar
/// reads it.
fn normalise(lang: &str) -> &str {
    match lang {
        "javascript" | "node" | "nodejs" => "js",
        "shell" | "console" | "zsh" => "bash",
        "yml" => "yaml",
        "jsonc" | "json5" => "json",
        "golang" => "go",
        "docker" => "dockerfile",
        "ts" | "tsx" => "typescript",
        other => other,
    }
}

/// The old Sublime JavaScript grammar loops forever on TypeScript-like
/// code. Whatever name reaches it (`javascript`, `htc`, its file
/// extensions), bat's Babel grammar reads the block instead.
const LOOPING_GRAMMAR: &str = "JavaScript";
const REPLACEMENT_GRAMMAR: &str = "JavaScript (Babel)";

fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = lang.trim().to_ascii_lowercase();
    let lang = normalise(&lang);
    let found = SYNTAXES
        .find_syntax_by_token(lang)
        .or_else(|| SYNTAXES.find_syntax_by_name(lang))?;
    if found.name == LOOPING_GRAMMAR {
        return SYNTAXES
            .find_syntax_by_name(REPLACEMENT_GRAMMAR)
            .or(Some(found));
    }
    Some(found)
}

/// Where blocks that took too long are remembered between runs, so a
/// block costs the deadline once, not on every build. Set by `check`.
static HUNG_DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
/// Part of every remembered key: a new grammar set may read the block.
const HUNG_VERSION: &str = "hung-v1";

/// Blocks that hung in earlier runs, read once from `HUNG_DIR` (one empty
/// file per block): a stat per code block would cost more than it saves.
static HUNG_ON_DISK: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
    HUNG_DIR
        .get()
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
});

/// Where this process keeps what it learns about blocks between runs:
/// highlighted blocks and blocks that hung.
pub fn use_cache_in(cache_root: &std::path::Path) {
    let _ = HUNG_DIR.set(cache_root.join("highlight-hung"));
    super::highlight_store::use_dir(cache_root);
}

/// Keeps in the pack, for the next build that renders it, the block a
/// page kept from the last build shows (`lang` as its fence names it):
/// that page is not rendered, so the block is never looked up. A block
/// named otherwise than the page renders it is dropped from the pack,
/// which costs that build its highlighting, never a page.
pub(crate) fn retain(lang: &str, code: &str) {
    if let Some(syntax) = find_syntax(&super::markdown::fence_language(lang)) {
        super::highlight_store::retain(&super::highlight_store::key(&syntax.name, code));
    }
}

/// Writes the blocks highlighted or retained so far for the next run (see
/// `highlight_store::save`); says what the cache did.
pub fn save_cache() -> String {
    let Ok(cache) = CACHE.lock() else {
        return "highlight cache: not saved".to_owned();
    };
    let stats = super::highlight_store::save(
        cache
            .iter()
            .filter_map(|(k, packed)| Some((k.as_str(), packed.as_ref()?))),
    );
    format!(
        "highlight cache: {} blocks reused, {} refused, {} added",
        stats.reused, stats.refused, stats.added
    )
}

pub(super) fn syntaxes() -> &'static SyntaxSet {
    &SYNTAXES
}

/// A few blocks as the grammar set highlights them: part of the store's
/// fingerprint, so grammars that read code differently start a new pack.
pub(super) fn sample() -> String {
    [
        ("yaml", "a: [1, \"b\"] # c\n"),
        ("js", "const f = async (x) => `${x}`; // y\n"),
        ("ruby", "def f(x) = x.map { |y| :z }\n"),
        ("json", "{\"a\": [true, null]}\n"),
        ("bash", "curl -fsS \"$URL\" | jq .a\n"),
    ]
    .iter()
    .filter_map(|(lang, code)| highlight_now(find_syntax(lang)?, code))
    .collect()
}

fn hung_key(syntax: &SyntaxReference, code: &str) -> (String, String) {
    (
        syntax.name.clone(),
        crate::hash::digest(&[HUNG_VERSION, env!("CARGO_PKG_VERSION"), &syntax.name, code]),
    )
}

/// Blocks left plain in this process: they took over the deadline, or
/// too many threads were stuck already to try them.
static HUNG: LazyLock<Mutex<std::collections::HashSet<(String, String)>>> =
    LazyLock::new(|| Mutex::new(std::collections::HashSet::new()));

/// Whether highlighting this block took too long, in this run or an
/// earlier one: it is then shown as plain text, and check warns.
pub fn timed_out(lang: &str, code: &str) -> bool {
    // The common case, asked for every code block of every check: nothing
    // ever hung, so nothing needs hashing.
    let none_here = HUNG.lock().map_or(true, |h| h.is_empty());
    if none_here && HUNG_ON_DISK.is_empty() {
        return false;
    }
    let Some(syntax) = find_syntax(lang) else {
        return false;
    };
    let key = hung_key(syntax, code);
    HUNG.lock().is_ok_and(|h| h.contains(&key)) || HUNG_ON_DISK.contains(&key.1)
}

fn remember_hung(key: (String, String)) {
    if let Some(dir) = HUNG_DIR.get() {
        if std::fs::create_dir_all(dir).is_ok() {
            let _ = std::fs::write(dir.join(&key.1), key.0.as_bytes());
        }
    }
    if let Ok(mut hung) = HUNG.lock() {
        hung.insert(key);
    }
}

pub fn is_known_language(lang: &str) -> bool {
    find_syntax(lang).is_some()
}

/// The inner HTML of `<code>` for `code` in `lang`, or None for a language
/// the grammar set does not know (the caller escapes it as plain text).
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    let syntax = find_syntax(lang)?;
    let key = super::highlight_store::key(&syntax.name, code);
    if let Some(hit) = CACHE
        .lock()
        .ok()
        .and_then(|c| c.get(&key).map(|p| p.as_ref().map(Packed::unpack)))
    {
        return hit.flatten();
    }
    if let Some(html) = super::highlight_store::get(&key, code) {
        return Some(html);
    }
    if timed_out(lang, code) {
        return None;
    }
    let html = highlight_with_deadline(syntax, code);
    if let Ok(mut cache) = CACHE.lock() {
        // Bounded: a long-running serve sees every version of every block.
        if cache.len() >= MAX_CACHED_BLOCKS {
            cache.clear();
        }
        cache.insert(key, html.as_deref().map(Packed::new));
    }
    html
}

/// Tests only: a block containing this text never finishes (as a looping
/// grammar would), and the deadline is 1 s.
static TEST_HANG: LazyLock<Option<String>> = LazyLock::new(|| {
    std::env::var("PORTOLAN_TEST_HIGHLIGHT_HANG")
        .ok()
        .filter(|m| !m.is_empty())
});

/// What the environment changes in highlighting, for the key of a whole
/// build.
pub fn settings() -> String {
    format!("hang={:?}", *TEST_HANG)
}

fn deadline() -> Duration {
    if TEST_HANG.is_some() {
        Duration::from_secs(1)
    } else {
        DEADLINE
    }
}

fn highlight_now(syntax: &SyntaxReference, code: &str) -> Option<String> {
    if TEST_HANG.as_deref().is_some_and(|m| code.contains(m)) {
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    let mut parse = ParseState::new(syntax);
    let mut styles = LineStyles::new();
    let mut runs = Runs::with_capacity(code.len());
    for line in LinesWithEndings::from(code) {
        // A grammar failure is not the author's problem: fall back to plain.
        let ops = parse.parse_line(line, &SYNTAXES).ok()?;
        if !styles.line(&ops, line, &mut runs) {
            return None;
        }
    }
    Some(runs.finish())
}

#[cfg(test)]
pub(super) fn highlight_for_tests(syntax: &SyntaxReference, code: &str) -> Option<String> {
    highlight_now(syntax, code)
}

/// The grammar `lang` is highlighted with.
#[cfg(test)]
pub(super) fn syntax_name(lang: &str) -> Option<String> {
    find_syntax(lang).map(|s| s.name.clone())
}

/// Longer than any real block takes (a megabyte of YAML takes a few
/// seconds); a block over it is shown as plain text.
const DEADLINE: Duration = Duration::from_secs(if cfg!(test) { 1 } else { 10 });

struct Job {
    syntax: &'static SyntaxReference,
    code: String,
    reply: mpsc::Sender<Reply>,
}

/// A worker says when it takes a job, then what came of it: the deadline
/// runs from the start, so a block that waited in the queue behind others
/// (a busy machine, a page of many blocks) is not taken for a stuck one.
enum Reply {
    Started,
    Done(Option<String>),
}

/// Threads that highlight, fed through one queue. A grammar can loop
/// forever on code it does not expect, and syntect cannot be interrupted:
/// the caller waits with a deadline, falls back to plain text, and the
/// stuck thread is replaced (it spins until the process ends, once per
/// such block: the fallback is cached).
struct Workers {
    queue: mpsc::Sender<Job>,
    jobs: Arc<Mutex<mpsc::Receiver<Job>>>,
    /// Threads lost to blocks that never finished.
    stuck: usize,
}

/// After this many threads are stuck, nothing more is highlighted in this
/// process: each stuck thread keeps a core busy until the process exits.
const MAX_STUCK_THREADS: usize = 4;

impl Workers {
    fn start() -> Workers {
        let (queue, jobs) = mpsc::channel::<Job>();
        let workers = Workers {
            queue,
            jobs: Arc::new(Mutex::new(jobs)),
            stuck: 0,
        };
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        for _ in 0..threads {
            workers.add_thread();
        }
        workers
    }

    fn add_thread(&self) {
        let jobs = Arc::clone(&self.jobs);
        std::thread::spawn(move || loop {
            let job = match jobs.lock() {
                Ok(receiver) => receiver.recv(),
                Err(_) => return,
            };
            let Ok(job) = job else { return };
            let _ = job.reply.send(Reply::Started);
            let _ = job
                .reply
                .send(Reply::Done(highlight_now(job.syntax, &job.code)));
        });
    }
}

static WORKERS: LazyLock<Mutex<Workers>> = LazyLock::new(|| Mutex::new(Workers::start()));

fn highlight_with_deadline(syntax: &'static SyntaxReference, code: &str) -> Option<String> {
    // With every worker stuck nothing more is tried: the block is plain,
    // and not remembered across runs (it did not hang, it was not tried).
    let given_up = || {
        let all_stuck = WORKERS
            .lock()
            .map_or(true, |w| w.stuck >= MAX_STUCK_THREADS);
        if all_stuck {
            if let Ok(mut hung) = HUNG.lock() {
                hung.insert(hung_key(syntax, code));
            }
        }
        all_stuck
    };
    if given_up() {
        return None;
    }
    let (reply, answer) = mpsc::channel();
    let job = Job {
        syntax,
        code: code.to_owned(),
        reply,
    };
    let sent = WORKERS
        .lock()
        .ok()
        .is_some_and(|workers| workers.queue.send(job).is_ok());
    if !sent {
        return highlight_now(syntax, code);
    }
    // Waiting for a worker takes as long as the jobs before this one; it
    // ends only if every worker is stuck, with no new one to come.
    loop {
        match answer.recv_timeout(Duration::from_millis(250)) {
            Ok(Reply::Started) => break,
            Ok(Reply::Done(html)) => return html,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if given_up() {
                    return None;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return highlight_now(syntax, code),
        }
    }
    match answer.recv_timeout(deadline()) {
        Ok(Reply::Done(html)) => html,
        Ok(Reply::Started) | Err(_) => {
            // Reported as a `highlight` diagnostic at the block's line.
            remember_hung(hung_key(syntax, code));
            if let Ok(mut workers) = WORKERS.lock() {
                workers.stuck += 1;
                if workers.stuck < MAX_STUCK_THREADS {
                    workers.add_thread();
                }
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_name_reaches_the_looping_grammar() {
        // TypeScript that the old Sublime JavaScript grammar never
        // finishes; from dapr's docs, reduced.
        let code = "  f(\n    a?: any,\n  ): P<s> {\n  }\n  /**\n";
        for lang in ["htc", "javascript", "js", "JavaScript"] {
            let syntax = find_syntax(lang).expect(lang);
            assert_eq!(syntax.name, REPLACEMENT_GRAMMAR, "{lang}");
        }
        for syntax in SYNTAXES.syntaxes() {
            for ext in &syntax.file_extensions {
                let found = find_syntax(ext).map(|s| s.name.as_str());
                assert_ne!(found, Some(LOOPING_GRAMMAR), "`{ext}` reaches it");
            }
        }
        let html = highlight("htc", code).expect("highlighted");
        assert!(html.contains("<span class="), "{html}");
        assert!(!timed_out("htc", code));
    }

    #[test]
    fn a_block_that_hangs_is_remembered_and_threads_are_bounded() {
        // The looping grammar itself, reached directly (no name leads to it
        // any more), stands in for any grammar that never finishes.
        let looping = SYNTAXES.find_syntax_by_name(LOOPING_GRAMMAR).unwrap();
        let code = "  f(\n    a?: any,\n  ): P<s> {\n  }\n  /**\n";
        assert_eq!(highlight_with_deadline(looping, code), None);
        let key = hung_key(looping, code);
        assert!(HUNG.lock().unwrap().contains(&key));
        assert!(WORKERS.lock().unwrap().stuck >= 1);
        // Other blocks still highlight on the remaining threads.
        assert!(highlight("yaml", "a: 1\n").is_some());
    }

    #[test]
    fn the_languages_integration_docs_use_are_known() {
        for lang in [
            "yaml",
            "json",
            "ruby",
            "javascript",
            "python",
            "bash",
            "toml",
            "typescript",
            "dockerfile",
            "sql",
            "go",
            "ts",
            "sh",
            "yml",
        ] {
            assert!(is_known_language(lang), "{lang}");
        }
        assert!(!is_known_language("no-such-language"));
    }

    #[test]
    fn highlighting_uses_classes_and_escapes() {
        let html = highlight("javascript", "const a = \"<b>\" && 1;\n").unwrap();
        assert!(html.contains("<span class=\"l"), "{html}");
        assert!(
            html.contains("&lt;b>") && html.contains("&amp;&amp;"),
            "{html}"
        );
        assert!(!html.contains("<b>"));
        assert_eq!(
            highlight("javascript", "const a = \"<b>\" && 1;\n").unwrap(),
            html
        );
    }
}
