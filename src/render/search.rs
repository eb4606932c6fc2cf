//! The full-text index: Pagefind, as a library, over the rendered document
//! pages. Pages mark what is indexed with `data-pagefind-*` attributes (the
//! article body, title meta, filters and sorts); the index is written under
//! `pagefind/`, split in chunks so a query fetches only what it needs.

use crate::RunError;

/// `(site path, HTML)` of every document page, sorted by path so the index
/// is the same on every build.
pub type IndexedPages = Vec<(String, String)>;

#[cfg(feature = "search")]
pub fn build_index(mut pages: IndexedPages) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    use pagefind::api::PagefindIndex;
    use pagefind::options::PagefindServiceConfig;

    pages.sort();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .map_err(|e| RunError(format!("search index: {e}")))?;
    runtime.block_on(async {
        let config = PagefindServiceConfig::builder()
            .force_language("en".to_owned())
            .build();
        let mut index =
            PagefindIndex::new(Some(config)).map_err(|e| RunError(format!("search index: {e}")))?;
        for (path, html) in pages {
            index
                .add_html_file(Some(path), None, html)
                .await
                .map_err(|e| RunError(format!("search index: {e}")))?;
        }
        let files = index
            .get_files()
            .await
            .map_err(|e| RunError(format!("search index: {e}")))?;
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
    })
}

/// Without the `search` feature there is no index; the search page says so.
#[cfg(not(feature = "search"))]
pub fn build_index(_pages: IndexedPages) -> Result<Vec<(String, Vec<u8>)>, RunError> {
    Ok(Vec::new())
}
