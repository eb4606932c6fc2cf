//! The full-text index: Pagefind, as a library, over the rendered document
//! pages. Pages mark what is indexed with `data-pagefind-*` attributes (the
//! article body, title meta, filters and sorts); the index is written under
//! `pagefind/`, split in chunks so a query fetches only what it needs.

use crate::RunError;

/// `(site path, HTML)` of every document page, shared with the served site.
pub type IndexedPages = Vec<(String, std::sync::Arc<Vec<u8>>)>;

/// Indexes the pages: written to a scratch folder first, so Pagefind can
/// parse them in parallel (`add_directory`; adding pages one by one parses
/// them on one thread and compares every URL with all earlier ones).
pub fn build_index(pages: IndexedPages) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    let sink = IndexingSink::default();
    for (path, html) in &pages {
        sink.add(path, html)?;
    }
    sink.build()
}

static SCRATCH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// What Pagefind reads of a page: the page without its highlighting
/// spans. Three quarters of a code-heavy page's bytes are syntect's spans,
/// which Pagefind would parse only to read the text they hold; without
/// them it indexes the same text in two thirds of the time.
pub fn for_index(html: &[u8]) -> Vec<u8> {
    const OPEN: &[u8] = b"<span class=\"hl-";
    const CLOSE: &[u8] = b"</span>";
    let mut out = Vec::with_capacity(html.len() / 2);
    // Whether each open span is a highlighting one (dropped with its end).
    let mut dropped: Vec<bool> = Vec::new();
    let mut at = 0;
    while let Some(lt) = html[at..].iter().position(|&b| b == b'<').map(|p| at + p) {
        out.extend_from_slice(&html[at..lt]);
        let rest = &html[lt..];
        if rest.starts_with(CLOSE) {
            if !dropped.pop().unwrap_or(false) {
                out.extend_from_slice(CLOSE);
            }
            at = lt + CLOSE.len();
        } else if rest.starts_with(OPEN) {
            match rest.iter().position(|&b| b == b'>') {
                Some(end) => {
                    dropped.push(true);
                    at = lt + end + 1;
                }
                None => {
                    out.extend_from_slice(rest);
                    at = html.len();
                }
            }
        } else {
            if rest.starts_with(b"<span") {
                dropped.push(false);
            }
            out.push(b'<');
            at = lt + 1;
        }
    }
    out.extend_from_slice(&html[at..]);
    out
}

/// Pages for the index, kept (as `for_index` makes them) as they are
/// rendered, then written to a scratch folder in path order and indexed.
/// Pagefind numbers pages in the order it lists the folder, which for a
/// small folder is the order files were created: written from parallel
/// renderers, the same site would give a different index now and then.
pub struct IndexingSink {
    scratch: std::path::PathBuf,
    pages: std::sync::Mutex<std::collections::BTreeMap<String, Vec<u8>>>,
}

impl Default for IndexingSink {
    fn default() -> IndexingSink {
        let scratch = std::env::temp_dir().join(format!(
            "portolan-search-{}-{}",
            std::process::id(),
            SCRATCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        IndexingSink {
            scratch,
            pages: std::sync::Mutex::default(),
        }
    }
}

impl IndexingSink {
    pub fn add(&self, path: &str, html: &[u8]) -> Result<(), RunError> {
        let slim = for_index(html);
        self.pages
            .lock()
            .map_err(|_| RunError("the pages to index are poisoned".to_owned()))?
            .insert(path.to_owned(), slim);
        Ok(())
    }

    pub fn build(self) -> Result<Vec<(String, Vec<u8>)>, RunError> {
        let pages = std::mem::take(
            &mut *self
                .pages
                .lock()
                .map_err(|_| RunError("the pages to index are poisoned".to_owned()))?,
        );
        if pages.is_empty() {
            return Ok(Vec::new());
        }
        for (path, html) in pages {
            crate::render::renderer::write_file(&self.scratch, &path, &html)?;
        }
        build_index_from_dir(&self.scratch)
    }
}

impl Drop for IndexingSink {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// Indexes every `index.html` under `dir` (pages without
/// `data-pagefind-body` are skipped by Pagefind itself).
#[cfg(feature = "search")]
fn build_index_from_dir(dir: &std::path::Path) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| RunError(format!("search index: {e}")))?;
    runtime.block_on(async {
        let config = PagefindServiceConfig::builder()
            .force_language("en".to_owned())
            .build();
        let mut index =
            PagefindIndex::new(Some(config)).map_err(|e| RunError(format!("search index: {e}")))?;
        index
            .add_directory(
                dir.to_string_lossy().into_owned(),
                Some("**/index.html".to_owned()),
            )
            .await
            .map_err(|e| RunError(format!("search index: {e}")))?;
        collect(
            index
                .get_files()
                .await
                .map_err(|e| RunError(format!("search index: {e}")))?,
        )
    })
}

#[cfg(feature = "search")]
fn collect(files: Vec<pagefind::api::SyntheticFile>) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    let mut out: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .map(|f| {
            let name = f.filename.to_string_lossy().replace('\\', "/");
            let name = name.trim_start_matches('/').to_owned();
            let path = if name.starts_with("pagefind/") {
                name
            } else {
                format!("pagefind/{name}")
            };
            (path, f.contents)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Without the `search` feature there is no index; the search page says so.
#[cfg(not(feature = "search"))]
fn build_index_from_dir(_dir: &std::path::Path) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::for_index;

    #[test]
    fn highlighting_spans_leave_and_their_text_and_other_spans_stay() {
        let page = br#"<p><span class="badge">x</span></p><pre><code><span class="hl-source"><span class="hl-string">a &lt; b</span> c</span></code></pre><span>d</span>"#;
        assert_eq!(
            String::from_utf8(for_index(page)).unwrap(),
            r#"<p><span class="badge">x</span></p><pre><code>a &lt; b c</code></pre><span>d</span>"#
        );
        // Cut short or unbalanced: no panic, nothing invented.
        assert_eq!(for_index(b"<span class=\"hl-a"), b"<span class=\"hl-a");
        assert_eq!(for_index(b"</span></span>x<"), b"</span></span>x<");
    }
}
