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
use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

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

/// Writes the blocks highlighted so far for the next run (see
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
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        // A grammar failure is not the author's problem: fall back to plain.
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            return None;
        }
    }
    Some(prune(&generator.finalize()))
}

/// Every class a rule of the stylesheet names.
static STYLED: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
    let css = stylesheet();
    css.split('.')
        .skip(1)
        .filter_map(|part| {
            let name: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
                .collect();
            name.starts_with("hl-").then_some(name)
        })
        .collect()
});

/// Whether a rule of the stylesheet names `class`.
pub(super) fn is_styled(class: &str) -> bool {
    STYLED.contains(class)
}

/// syntect's HTML without the classes no rule of the stylesheet names,
/// and without spans left with none: a selector only tests the classes it
/// names, so the page looks the same, at a fifth fewer bytes to write,
/// index and send (YAML's `hl-unquoted hl-plain hl-out hl-yaml`…).
fn prune(html: &str) -> String {
    const OPEN: &str = "<span class=\"";
    const CLOSE: &str = "</span>";
    let mut out = String::with_capacity(html.len());
    // Whether each open span was kept, so its end is kept or dropped too.
    let mut kept: Vec<bool> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix(CLOSE) {
            if kept.pop().unwrap_or(true) {
                out.push_str(CLOSE);
            }
            rest = after;
        } else if let Some((classes, after)) = rest
            .strip_prefix(OPEN)
            .and_then(|after| after.split_once("\">"))
        {
            let styled: Vec<&str> = classes.split(' ').filter(|c| STYLED.contains(*c)).collect();
            if styled.is_empty() {
                kept.push(false);
            } else {
                out.push_str(OPEN);
                out.push_str(&styled.join(" "));
                out.push_str("\">");
                kept.push(true);
            }
            rest = after;
        } else {
            // Not syntect's markup (it escapes `<` in code): left as it is.
            out.push('<');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
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

/// Where each theme applies: the reader's choice (the `data-theme`
/// attribute the page's head script sets before first paint), else the
/// system's scheme. Both themes are scoped, so a light rule that the dark
/// theme has no rule for can never leak its colour into dark mode.
const LIGHT_CHOSEN: &str = ":root[data-theme=\"light\"]";
const DARK_CHOSEN: &str = ":root[data-theme=\"dark\"]";
const LIGHT_AUTO: &str = ":root:not([data-theme=\"dark\"])";
const DARK_AUTO: &str = ":root:not([data-theme=\"light\"])";

/// One stylesheet: both themes, each under the scopes where it applies.
pub fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let light = themes
        .themes
        .get("InspiredGitHub")
        .and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok())
        .unwrap_or_default();
    let dark = themes
        .themes
        .get("base16-ocean.dark")
        .and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok())
        .unwrap_or_default();
    // The themes' own backgrounds would fight the page's; the page sets them.
    let strip_background = |css: String| {
        css.lines()
            .filter(|l| !l.trim_start().starts_with("background-color"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let light = readable(&strip_background(light), LIGHT_CODE_BG);
    let dark = readable(&strip_background(dark), DARK_CODE_BG);
    format!(
        "/* Generated from syntect's InspiredGitHub and base16-ocean.dark themes, colours adjusted to WCAG AA (4.5:1) on the code background. */\n{}\n{}\n@media (prefers-color-scheme: light) {{\n{}\n}}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        scoped(&light, LIGHT_CHOSEN),
        scoped(&dark, DARK_CHOSEN),
        scoped(&light, LIGHT_AUTO),
        scoped(&dark, DARK_AUTO),
    )
}

/// Every selector of syntect's stylesheet (one rule's selectors per line,
/// ending in `{`) put under `scope`.
fn scoped(css: &str, scope: &str) -> String {
    css.lines()
        .map(|line| match line.trim_end().strip_suffix('{') {
            Some(selectors) if !line.trim_start().starts_with("/*") => format!(
                "{} {{",
                selectors
                    .split(',')
                    .map(|s| format!("{scope} {}", s.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The theme's `--code-bg` in light and dark mode (style.css).
const LIGHT_CODE_BG: [u8; 3] = [0xf6, 0xf8, 0xfa];
const DARK_CODE_BG: [u8; 3] = [0x1b, 0x23, 0x30];

fn luminance(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
}

pub(crate) fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Every `color: #rrggbb` moved towards black (light background) or white
/// (dark) until it reads at 4.5:1: the themes' comments and parameters do
/// not, and dark-mode parameters were near-invisible.
fn readable(css: &str, background: [u8; 3]) -> String {
    let towards: u8 = if luminance(background) > 0.5 { 0 } else { 255 };
    css.lines()
        .map(|line| {
            let Some(at) = line.find("color: #") else {
                return line.to_owned();
            };
            let hex = &line[at + 8..];
            let Some(rgb) = hex.get(..6).and_then(|h| {
                let v = u32::from_str_radix(h, 16).ok()?;
                Some([(v >> 16) as u8, (v >> 8) as u8, v as u8])
            }) else {
                return line.to_owned();
            };
            let mut c = rgb;
            let mut step = 0;
            while contrast(c, background) < 4.5 && step < 40 {
                let mix = |x: u8| -> u8 {
                    let x = f64::from(x);
                    (x + (f64::from(towards) - x) * 0.08).round() as u8
                };
                c = [mix(c[0]), mix(c[1]), mix(c[2])];
                step += 1;
            }
            format!(
                "{}color: #{:02x}{:02x}{:02x}{}",
                &line[..at],
                c[0],
                c[1],
                c[2],
                &hex[6..]
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
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
        assert!(html.contains("hl-"), "{html}");
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
    fn classes_no_rule_names_are_pruned_and_the_text_stays() {
        let code = "offset_service:\n  a: { timeout_ms: 1, url: \"https://x\" } # c\n";
        let html = highlight("yaml", code).unwrap();
        assert!(
            !html.contains("hl-unquoted") && !html.contains("hl-yaml"),
            "{html}"
        );
        assert!(html.contains("hl-comment") && html.contains("hl-entity hl-name hl-tag"));
        assert!(
            super::super::highlight_store::faithful(&html, code),
            "{html}"
        );
        let syntax = find_syntax("yaml").unwrap();
        let mut raw = ClassedHTMLGenerator::new_with_class_style(syntax, &SYNTAXES, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            raw.parse_html_for_line_which_includes_newline(line)
                .unwrap();
        }
        let raw = raw.finalize();
        assert!(raw.contains("hl-unquoted"), "{raw}");
        assert!(
            html.len() * 5 < raw.len() * 4,
            "{} of {}",
            html.len(),
            raw.len()
        );
        // Spans are dropped with their ends: what remains is balanced.
        assert_eq!(
            html.matches("<span").count(),
            html.matches("</span>").count()
        );
        assert_eq!(prune("a &lt; b <i>"), "a &lt; b <i>");
    }

    #[test]
    fn highlighting_uses_classes_and_escapes() {
        let html = highlight("javascript", "const a = \"<b>\";\n").unwrap();
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert!(!html.contains("<b>"));
        assert_eq!(
            highlight("javascript", "const a = \"<b>\";\n").unwrap(),
            html
        );
    }

    #[test]
    fn every_highlight_colour_meets_wcag_aa_in_both_modes() {
        let css = stylesheet();
        let mut checked = 0;
        let mut background = None;
        for line in css.lines() {
            if line.ends_with('{') && !line.starts_with('@') {
                background = if line.starts_with(LIGHT_CHOSEN) || line.starts_with(LIGHT_AUTO) {
                    Some(LIGHT_CODE_BG)
                } else {
                    Some(DARK_CODE_BG)
                };
            }
            if let Some(at) = line.find("color: #") {
                let bg = background.expect("a colour inside a rule");
                let v = u32::from_str_radix(&line[at + 8..at + 14], 16).unwrap();
                let rgb = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
                assert!(contrast(rgb, bg) >= 4.5, "{line}: {:.2}", contrast(rgb, bg));
                checked += 1;
            }
        }
        assert!(checked > 80, "{checked} colours");
        // Before the adjustment the dark theme's comment grey read at ~2:1.
        assert!(contrast([0x65, 0x73, 0x7e], DARK_CODE_BG) < 4.5);
    }

    #[test]
    fn stylesheet_has_both_schemes() {
        let css = stylesheet();
        // Every selector is under one of the four scopes, never bare: a bare
        // light rule would colour code in dark mode where dark has no rule.
        let mut per_scope = [0; 4];
        for rule in css
            .lines()
            .filter(|l| l.ends_with('{') && !l.starts_with('@'))
        {
            for selector in rule.trim_end_matches('{').split(", ") {
                let scope = [LIGHT_CHOSEN, DARK_CHOSEN, LIGHT_AUTO, DARK_AUTO]
                    .iter()
                    .position(|s| selector.starts_with(&format!("{s} .hl-")));
                per_scope[scope.unwrap_or_else(|| panic!("unscoped: {selector}"))] += 1;
            }
        }
        assert!(per_scope.iter().all(|n| *n > 20), "{per_scope:?}");
        assert_eq!(per_scope[0], per_scope[2]);
        assert_eq!(per_scope[1], per_scope[3]);
        let auto_dark = css.find("@media (prefers-color-scheme: dark) {").unwrap();
        assert!(css[auto_dark..].contains(&format!("{DARK_AUTO} .hl-comment")));
    }
}
