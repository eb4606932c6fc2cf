//! `portolan mcp`: the checked catalog over the Model Context Protocol, on
//! stdio. The site is read by the same pipeline as `check` (diagrams
//! aside), kept current by the serve watcher and by a comparison with the
//! disk before every answer, and searched with a tantivy index in memory.
//! stdout carries protocol messages only; everything else goes to stderr.

mod index;
mod state;
mod tools;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;

use crate::RunError;
use state::State;

/// Resources listed per page.
const RESOURCE_PAGE: usize = 500;
const DOC_SCHEME: &str = "portolan://doc/";
const ID_SCHEME: &str = "portolan://id/";

#[derive(Clone)]
struct Server {
    state: Arc<Mutex<State>>,
}

impl Server {
    /// The state, brought up to date with the disk.
    fn current(&self) -> Result<MutexGuard<'_, State>, String> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.refresh().map_err(|e| {
            format!("the catalog cannot be read as saved: {e}. Fix it and call again.")
        })?;
        Ok(state)
    }
}

fn text_result(value: &Value) -> CallToolResult {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    CallToolResult::success(vec![ContentBlock::text(text)])
}

fn doc_uri(content_path: &str) -> String {
    format!("{DOC_SCHEME}{}", crate::urls::encode_path(content_path))
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("portolan", env!("CARGO_PKG_VERSION")))
        .with_instructions(
            "An integration catalog: how systems talk to each other (APIs, webhooks, queues, \
             batch files). Start with `search` or `list_documents`, read with `get_document`; \
             `system` and `impact` answer what a system talks to and what a change to it \
             affects; `agent_brief` gives what the catalog says for a named AI agent; \
             `check` shows the problems of the documents as saved now. Every document is \
             also a resource, portolan://doc/<path>.",
        )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let tools = tools::specs()
            .into_iter()
            .map(|spec| {
                let schema = match spec.schema {
                    Value::Object(map) => map,
                    _ => serde_json::Map::new(),
                };
                Tool::new(spec.name, spec.description, schema)
                    .with_title(spec.title)
                    .with_annotations(
                        ToolAnnotations::with_title(spec.title)
                            .read_only(true)
                            .open_world(false),
                    )
            })
            .collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let name = request.name.to_string();
        if !tools::specs().iter().any(|s| s.name == name) {
            return Err(McpError::invalid_params(
                format!(
                    "no tool `{name}`; the tools are {}",
                    tools::specs()
                        .iter()
                        .map(|s| s.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None,
            ));
        }
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        let started = Instant::now();
        let answer = match self.current() {
            Ok(mut state) => tools::call(&mut state, &name, arguments),
            Err(e) => Err(e),
        };
        crate::errln!(
            "mcp: {name} in {} ms{}",
            started.elapsed().as_millis(),
            if answer.is_err() { " (tool error)" } else { "" }
        );
        Ok(match answer {
            Ok(value) => text_result(&value),
            Err(message) => CallToolResult::error(vec![ContentBlock::text(message)]),
        }
        .into())
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let start: usize = match request.and_then(|r| r.cursor) {
            None => 0,
            Some(cursor) => cursor.parse().map_err(|_| {
                McpError::invalid_params(
                    format!("`{cursor}` is not a cursor this server gave"),
                    None,
                )
            })?,
        };
        let mut state = self
            .current()
            .map_err(|e| McpError::internal_error(e, None))?;
        let (resources, total) = state.with_site(|site| {
            let mut order: Vec<usize> = (0..site.catalog.docs.len()).collect();
            order.sort_by(|&a, &b| {
                site.catalog.docs[a]
                    .content_path
                    .cmp(&site.catalog.docs[b].content_path)
            });
            let page: Vec<Resource> = order
                .iter()
                .skip(start)
                .take(RESOURCE_PAGE)
                .map(|&i| {
                    let doc = &site.catalog.docs[i];
                    let s = &site.summaries[i];
                    let mut r = Resource::new(doc_uri(&doc.content_path), doc.content_path.clone())
                        .with_title(s.title.clone())
                        .with_mime_type("text/markdown");
                    if !s.description.is_empty() {
                        r = r.with_description(s.description.clone());
                    }
                    r
                })
                .collect();
            (page, order.len())
        });
        let mut result = ListResourcesResult::with_all_items(resources);
        let next = start.saturating_add(RESOURCE_PAGE);
        if next < total {
            result.next_cursor = Some(next.to_string());
        }
        Ok(result)
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(vec![
            ResourceTemplate::new(format!("{ID_SCHEME}{{id}}"), "document-by-id")
                .with_title("A document by its id")
                .with_description(
                    "The markdown of the document whose frontmatter `id` is {id}, e.g. INT-002.",
                )
                .with_mime_type("text/markdown"),
            ResourceTemplate::new(format!("{DOC_SCHEME}{{path}}"), "document-by-path")
                .with_title("A document by its path")
                .with_description(
                    "The markdown of the document at {path}, relative to the content dir.",
                )
                .with_mime_type("text/markdown"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let uri = request.uri;
        let mut state = self
            .current()
            .map_err(|e| McpError::internal_error(e, None))?;
        let found = state.with_site(|site| {
            let catalog = site.catalog;
            let i = if let Some(path) = uri.strip_prefix(DOC_SCHEME) {
                catalog
                    .by_path
                    .get(&crate::catalog::percent_decode(path))
                    .copied()
            } else if let Some(id) = uri.strip_prefix(ID_SCHEME) {
                match catalog.by_id.get(&crate::catalog::percent_decode(id)) {
                    Some(ids) if ids.len() == 1 => Some(ids[0]),
                    _ => None,
                }
            } else {
                None
            };
            i.map(|i| crate::render::feeds::markdown_copy(site, i))
        });
        match found {
            Some(markdown) => Ok(ReadResourceResult::new(vec![
                ResourceContents::text(markdown, uri).with_mime_type("text/markdown"),
            ])
            .into()),
            None => Err(McpError::resource_not_found(
                format!(
                    "no document at `{uri}`: use {DOC_SCHEME}<path relative to the content dir> or {ID_SCHEME}<id> (resources/list names every document)"
                ),
                None,
            )),
        }
    }
}

/// Re-reads the site when the watcher reports a change, so the next call
/// finds the work done. (Calls compare with the disk themselves as well:
/// an event may still be on its way when the agent asks.)
fn watch(state: Arc<Mutex<State>>, root: &Path) -> Result<impl Drop, RunError> {
    use notify::RecursiveMode;
    let (content, ignored) = {
        let s = state.lock().unwrap_or_else(|e| e.into_inner());
        let config = &s.checked.config;
        let content = s.checked.catalog.content_dir.clone();
        (
            content.canonicalize().unwrap_or(content),
            vec![
                root.join(&config.output_dir),
                crate::render::diagrams::cache_root(root),
            ],
        )
    };
    let filter = crate::serve::watch::Filter {
        content: content.clone(),
        ignored,
        root: root.to_path_buf(),
    };
    let mut debouncer =
        notify_debouncer_full::new_debouncer_opt::<_, notify::RecommendedWatcher, _>(
            Duration::from_millis(40),
            None,
            move |result: notify_debouncer_full::DebounceEventResult| {
                let Ok(events) = result else { return };
                // Reads are no change: the comparison with the disk opens
                // folders, and must not set off another one.
                let paths = events
                    .into_iter()
                    .filter(|e| !e.event.kind.is_access())
                    .flat_map(|e| e.event.paths);
                if filter.classify(paths).is_empty() {
                    return;
                }
                let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                let started = Instant::now();
                let before = s.reloads;
                match s.refresh() {
                    Ok(()) if s.reloads != before => crate::errln!(
                        "mcp: re-read after a change in {} ms ({} documents)",
                        started.elapsed().as_millis(),
                        s.checked.catalog.docs.len()
                    ),
                    Ok(()) => {}
                    Err(e) => crate::errln!("mcp: cannot read the catalog as saved: {e}"),
                }
            },
            notify_debouncer_full::RecommendedCache::new(),
            // As in serve: links out of the root are never descended into.
            notify::Config::default().with_follow_symlinks(false),
        )
        .map_err(|e| RunError(format!("cannot watch files: {e}")))?;
    debouncer
        .watch(&content, RecursiveMode::Recursive)
        .map_err(|e| RunError(format!("cannot watch {}: {e}", content.display())))?;
    if content != root {
        debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .map_err(|e| RunError(format!("cannot watch {}: {e}", root.display())))?;
    }
    Ok(debouncer)
}

/// Serves the site under `root` on stdin/stdout until the client closes
/// the connection.
pub fn run(root: &Path) -> Result<(), RunError> {
    let started = Instant::now();
    let root = root
        .canonicalize()
        .map_err(|e| RunError(format!("cannot read the site root {}: {e}", root.display())))?;
    let state = State::load(&root)?;
    crate::errln!(
        "portolan mcp: {} documents from {} ready in {} ms; speaking MCP on stdin/stdout",
        state.checked.catalog.docs.len(),
        state.root().display(),
        started.elapsed().as_millis()
    );
    let state = Arc::new(Mutex::new(state));
    let _watcher = watch(Arc::clone(&state), &root)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError(format!("cannot start the MCP server: {e}")))?;
    runtime.block_on(async {
        let service = Server { state }
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| RunError(format!("MCP handshake failed: {e}")))?;
        service
            .waiting()
            .await
            .map_err(|e| RunError(format!("MCP server stopped: {e}")))?;
        Ok(())
    })
}
