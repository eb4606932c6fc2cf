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
#[cfg(feature = "search")]
pub fn build_index(pages: IndexedPages) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    let scratch = std::env::temp_dir().join(format!(
        "portolan-search-{}-{}",
        std::process::id(),
        SCRATCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let result = (|| {
        for (path, html) in &pages {
            crate::render::renderer::write_file(&scratch, path, html)?;
        }
        build_index_from_dir(&scratch)
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

#[cfg(feature = "search")]
static SCRATCH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Indexes every `index.html` under `dir` (pages without
/// `data-pagefind-body` are skipped by Pagefind itself).
#[cfg(feature = "search")]
pub fn build_index_from_dir(dir: &std::path::Path) -> Result<Vec<(String, Vec<u8>)>, RunError> {
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
pub fn build_index(_pages: IndexedPages) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    Ok(Vec::new())
}

#[cfg(not(feature = "search"))]
pub fn build_index_from_dir(_dir: &std::path::Path) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    Ok(Vec::new())
}
