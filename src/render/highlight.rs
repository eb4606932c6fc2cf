//! Code highlighting with syntect, as CSS classes so the light and dark
//! themes are two stylesheets, not two renderings.
//!
//! syntect runs at a few hundred kB/s for YAML or JavaScript, so the grammar
//! set is loaded once and highlighted blocks are cached by content hash: a
//! catalog repeats the same snippets (configuration, retry loops) a lot.

use std::collections::HashMap;
use std::sync::{mpsc, Arc, LazyLock, Mutex};
use std::time::Duration;

use syntect::highlighting::ThemeSet;
use syntect::html::{css_for_theme_with_class_style, ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// bat's grammar collection: syntect's defaults lack TOML, TypeScript and
/// Dockerfile, which integration documents use all the time.
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

/// `(grammar, code hash)` → highlighted HTML; None for a block shown plain.
type Cache = HashMap<(String, String), Option<String>>;

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

fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = lang.trim().to_ascii_lowercase();
    let lang = normalise(&lang);
    SYNTAXES
        .find_syntax_by_token(lang)
        .or_else(|| SYNTAXES.find_syntax_by_name(lang))
}

pub fn is_known_language(lang: &str) -> bool {
    find_syntax(lang).is_some()
}

/// The inner HTML of `<code>` for `code` in `lang`, or None for a language
/// the grammar set does not know (the caller escapes it as plain text).
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    let syntax = find_syntax(lang)?;
    let key = (syntax.name.clone(), crate::hash::digest(&[code]));
    if let Some(hit) = CACHE.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let html = highlight_with_deadline(syntax, code);
    if let Ok(mut cache) = CACHE.lock() {
        cache.insert(key, html.clone());
    }
    html
}

fn highlight_now(syntax: &SyntaxReference, code: &str) -> Option<String> {
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
    Some(generator.finalize())
}

/// Longer than any real block takes (a megabyte of YAML takes a few
/// seconds); a block over it is shown as plain text.
const DEADLINE: Duration = Duration::from_secs(if cfg!(test) { 1 } else { 10 });

struct Job {
    syntax: &'static SyntaxReference,
    code: String,
    reply: mpsc::Sender<Option<String>>,
}

/// Threads that highlight, fed through one queue. A grammar can loop
/// forever on code it does not expect, and syntect cannot be interrupted:
/// the caller waits with a deadline, falls back to plain text, and the
/// stuck thread is replaced (it spins until the process ends, once per
/// such block: the fallback is cached).
struct Workers {
    queue: mpsc::Sender<Job>,
    jobs: Arc<Mutex<mpsc::Receiver<Job>>>,
}

impl Workers {
    fn start() -> Workers {
        let (queue, jobs) = mpsc::channel::<Job>();
        let workers = Workers {
            queue,
            jobs: Arc::new(Mutex::new(jobs)),
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
            let _ = job.reply.send(highlight_now(job.syntax, &job.code));
        });
    }
}

static WORKERS: LazyLock<Mutex<Workers>> = LazyLock::new(|| Mutex::new(Workers::start()));

fn highlight_with_deadline(syntax: &'static SyntaxReference, code: &str) -> Option<String> {
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
    match answer.recv_timeout(DEADLINE) {
        Ok(html) => html,
        Err(_) => {
            crate::errln!(
                "warning: highlighting a {} block took over {} s; it is shown as plain text",
                syntax.name,
                DEADLINE.as_secs()
            );
            if let Ok(workers) = WORKERS.lock() {
                workers.add_thread();
            }
            None
        }
    }
}

/// One stylesheet: the light theme, and the dark one under
/// `prefers-color-scheme: dark`.
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
    format!(
        "/* Generated from syntect's InspiredGitHub and base16-ocean.dark themes. */\n{}\n@media (prefers-color-scheme: dark) {{\n{}\n}}\n",
        strip_background(light),
        strip_background(dark)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grammar_that_loops_forever_gives_plain_text() {
        // TypeScript that the old Sublime JavaScript grammar (reached by
        // `htc`) never finishes; from dapr's docs, reduced.
        let code = "  f(\n    a?: any,\n  ): P<s> {\n  }\n  /**\n";
        assert_eq!(highlight("htc", code), None);
        // The same grammar is not stuck for other blocks.
        assert!(highlight("htc", "var x = 1;\n").is_some());
        // `javascript` fences go to Babel, which reads it.
        let html = highlight("javascript", code).expect("highlighted");
        assert!(html.contains("hl-"), "{html}");
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
    fn stylesheet_has_both_schemes() {
        let css = stylesheet();
        assert!(css.contains(".hl-"));
        assert!(css.contains("prefers-color-scheme: dark"));
    }
}
