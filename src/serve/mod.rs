//! `portolan serve`: build in memory, serve on 127.0.0.1, rebuild what an
//! edit touched and tell the browser to reload.

mod batch;
pub mod http;
pub mod session;
pub mod watch;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, RwLock};
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use crate::RunError;
use http::{Hub, Shared};
use session::{Rebuild, Session};
use watch::{Changes, Filter};

pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: String,
    pub port: u16,
    pub open: bool,
}

fn clock() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

/// Makes the session's files and problems what the HTTP side serves.
/// `failure`: why this rebuild failed, if it did; a broken site.toml stays
/// in the overlay until it is fixed, whatever else is saved meanwhile.
fn publish(session: &Session, shared: &RwLock<Shared>, failure: Option<String>) {
    let files = Arc::new(session.files.snapshot());
    if let Ok(mut s) = shared.write() {
        s.files = files;
        s.overlay = session.diagnostics().to_vec();
        s.fatal = failure.or_else(|| session.config_error().map(str::to_owned));
    }
}

fn summary(r: &Rebuild) -> String {
    format!(
        "{} page{} re-rendered{} in {} ms ({} error{}, {} warning{})",
        r.pages,
        if r.pages == 1 { "" } else { "s" },
        if r.full { " (full rebuild)" } else { "" },
        r.elapsed.as_millis(),
        r.errors,
        if r.errors == 1 { "" } else { "s" },
        r.warnings,
        if r.warnings == 1 { "" } else { "s" },
    )
}

pub fn run(options: ServeOptions) -> Result<(), RunError> {
    let ip: std::net::IpAddr = options
        .bind
        .trim_matches(|c| c == '[' || c == ']')
        .parse()
        .map_err(|_| {
            RunError(format!(
                "`{}` is not an IP address to bind to (e.g. 127.0.0.1 or ::1)",
                options.bind
            ))
        })?;
    let addr = SocketAddr::new(ip, options.port);
    let server = tiny_http::Server::http(addr).map_err(|e| {
        let in_use = e
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::AddrInUse);
        if in_use {
            RunError(format!(
                "port {} on {} is already in use; choose another with --port",
                options.port, options.bind
            ))
        } else {
            RunError(format!("cannot listen on {addr}: {e}"))
        }
    })?;
    let local = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| RunError("the server has no IP address".to_owned()))?;
    // The URL to open: the bound address, or loopback when bound to every
    // interface (then a warning says the preview is on the network).
    let open_at = match local.ip() {
        ip if ip.is_unspecified() && ip.is_ipv6() => {
            std::net::IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
        }
        ip if ip.is_unspecified() => std::net::IpAddr::from(std::net::Ipv4Addr::LOCALHOST),
        ip => ip,
    };
    let url = format!("http://{}/", SocketAddr::new(open_at, local.port()));

    // The search index is built in the background: neither the first page
    // nor a reload waits for Pagefind.
    // Pagefind parses pages on rayon's global pool, from threads of its
    // own; a rebuild sharing that pool would queue its rendering behind a
    // whole background index (seconds on a large site). Rebuilds get a pool
    // of their own, and the global one, left to Pagefind, half the cores.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads((cores / 2).max(1))
        .build_global();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cores)
        .build()
        .map_err(|e| RunError(format!("cannot start worker threads: {e}")))?;
    let started = std::time::Instant::now();
    let mut session = pool.install(|| Session::for_serve(&options.root, Some(url.clone())))?;
    // The next build or serve starts with what this first render highlighted.
    let _ = crate::render::highlight::save_cache();
    let shared = Arc::new(RwLock::new(Shared::default()));
    publish(&session, &shared, None);
    let hub = Arc::new(Hub::default());
    let events = std::net::TcpListener::bind((local.ip(), 0))
        .map_err(|e| RunError(format!("cannot open the live-reload port: {e}")))?;
    let events_port = events.local_addr().map(|a| a.port()).unwrap_or(0);
    http::start_event_server(events, Arc::clone(&hub), local.ip());
    let server = Arc::new(server);
    let endpoint = http::Endpoint {
        bound: local.ip(),
        events_port,
    };
    http::spawn_workers(Arc::clone(&server), Arc::clone(&shared), endpoint, 8);

    let root = options.root.canonicalize().unwrap_or(options.root.clone());
    let filter = Filter {
        content: session
            .content_dir()
            .canonicalize()
            .unwrap_or(session.content_dir().to_path_buf()),
        ignored: vec![
            root.join(&session.config().output_dir),
            crate::render::diagrams::cache_root(&root),
        ],
        root: root.clone(),
    };
    let (tx, events) = mpsc::channel::<Message>();
    // Symlinks are not followed: a link to a folder outside the root (even
    // `/usr`) must not be descended into; what a full load would not read,
    // serve does not watch. Events are then admitted by the loader's rules.
    let (raw_tx, raw) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::RecommendedWatcher::new(
        move |event| {
            let _ = raw_tx.send(event);
        },
        notify::Config::default().with_follow_symlinks(false),
    )
    .map_err(|e| RunError(format!("cannot watch files: {e}")))?;
    spawn_batcher(raw, filter.clone(), tx.clone());
    let mut watched = vec![(filter.content.clone(), RecursiveMode::Recursive)];
    if filter.content != root {
        watched.push((root.clone(), RecursiveMode::NonRecursive));
    }
    for dir in ["themes", "templates", "static"] {
        if root.join(dir).is_dir() {
            watched.push((root.join(dir), RecursiveMode::Recursive));
        }
    }
    for (path, mode) in &watched {
        watcher
            .watch(path, *mode)
            .map_err(|e| RunError(format!("cannot watch {}: {e}", path.display())))?;
    }

    // Said before the address, so nobody starts using it unwarned.
    if !local.ip().is_loopback() {
        crate::errln!(
            "warning: the preview is bound to {} and visible to the network: anyone who can reach this machine can read the catalog; use --bind 127.0.0.1 to keep it local",
            local.ip()
        );
    }
    let r = session_summary(&session);
    crate::outln!("serving {} at {url} ({r})", options.root.display());
    crate::outln!("listening on {local}");
    crate::outln!("watching for changes; Ctrl-C stops");
    if options.open {
        open_browser(&url);
    }

    let mut search_generation = 0u64;
    let mut search_announced = false;
    index_in_background(&session, &tx, search_generation);
    // Diagrams the cache lacks are rendered one batch at a time, off this
    // thread; their pages show the source until the batch is in.
    let mut drawing = render_in_background(&session, &tx);
    // Indexing takes every core for a while on a large site: it starts only
    // once saves have paused, so it never delays the next reload.
    let mut search_due: Option<std::time::Instant> = None;
    loop {
        let wait = search_due
            .map(|due| due.saturating_duration_since(std::time::Instant::now()))
            .unwrap_or(Duration::from_secs(3600));
        let message = match events.recv_timeout(wait) {
            Ok(m) => m,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                search_due = None;
                search_generation += 1;
                index_in_background(&session, &tx, search_generation);
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        match message {
            Message::Files(batch) => {
                let mut changes = filter.classify(batch.paths);
                changes.rescan = batch.rescan;
                if changes.is_empty() {
                    continue;
                }
                if pool.install(|| rebuild(&mut session, &changes, &root, &shared, &hub)) {
                    // Results of an index started before this edit are stale.
                    search_generation += 1;
                    search_due = Some(std::time::Instant::now() + SEARCH_QUIET);
                }
                // A full rebuild starts again from the cache.
                if !drawing {
                    drawing = render_in_background(&session, &tx);
                }
            }
            Message::Diagrams(outcomes) => {
                let count = outcomes.len();
                let settled = pool.install(|| session.settle_diagrams(outcomes));
                let what = format!(
                    "{count} diagram{} rendered",
                    if count == 1 { "" } else { "s" }
                );
                announce(&session, &shared, &hub, settled, &what);
                search_generation += 1;
                search_due = Some(std::time::Instant::now() + SEARCH_QUIET);
                drawing = render_in_background(&session, &tx);
            }
            Message::Search(generation, Ok(index)) if generation == search_generation => {
                session.apply_search(index);
                publish(&session, &shared, None);
                if !search_announced {
                    search_announced = true;
                    // Until now the search page had no index; say when it works.
                    crate::outln!(
                        "[{}] search index ready ({} s after start)",
                        clock(),
                        started.elapsed().as_secs()
                    );
                }
            }
            Message::Search(_, Err(e)) => crate::errln!("search index: {e}"),
            Message::Search(..) => {} // superseded by a newer rebuild
        }
    }
    Ok(())
}

/// How long saves must pause before the search index is rebuilt.
const SEARCH_QUIET: Duration = Duration::from_millis(1500);

enum Message {
    Files(batch::Batch),
    Search(u64, Result<Vec<(String, Vec<u8>)>, RunError>),
    Diagrams(Vec<(String, crate::render::diagrams::Outcome)>),
}

/// Renders the session's pending diagrams on a thread of its own, if it
/// has any; returns whether it started.
fn render_in_background(session: &Session, tx: &mpsc::Sender<Message>) -> bool {
    let pending = session.pending_diagrams();
    if pending.is_empty() {
        return false;
    }
    crate::outln!(
        "[{}] rendering {} diagram{} in the background; their pages show the source until then",
        clock(),
        pending.len(),
        if pending.len() == 1 { "" } else { "s" }
    );
    let root = session.root().to_path_buf();
    let config = session.config().clone();
    let tx = tx.clone();
    std::thread::spawn(move || {
        // A cold cache can take minutes: say how far it is now and then.
        let mut beat = Heartbeat::new(std::time::Instant::now(), HEARTBEAT);
        let mut progress = |done: usize, total: usize| {
            if done < total && beat.due(std::time::Instant::now()) {
                crate::outln!("[{}] diagrams: {done} of {total} rendered", clock());
            }
        };
        let render =
            || crate::render::diagrams::render_pending(&root, &config, &pending, &mut progress);
        let outcomes = caught(render).unwrap_or_else(|why| {
            // Not cached: nothing was learnt about the definitions.
            let message = format!(
                "portolan failed while rendering the diagrams ({why}); this is a bug in portolan: please report it; restart serve to try again"
            );
            (pending.iter()).map(|d| (d.clone(), Err(message.clone()))).collect()
        });
        let _ = tx.send(Message::Diagrams(outcomes));
    });
    true
}

/// How often the background diagrams say how far they are.
const HEARTBEAT: Duration = Duration::from_secs(10);

/// Says when a long task should report again: at most once per `every`.
struct Heartbeat {
    next: std::time::Instant,
    every: Duration,
}

impl Heartbeat {
    fn new(start: std::time::Instant, every: Duration) -> Self {
        Heartbeat {
            next: start + every,
            every,
        }
    }

    fn due(&mut self, now: std::time::Instant) -> bool {
        if now < self.next {
            return false;
        }
        self.next = now + self.every;
        true
    }
}

/// Runs `work`, turning a panic into its message. A background thread that
/// died silently would leave `serve` waiting for an answer that never
/// comes: pending diagrams forever, or no search index.
fn caught<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).map_err(|payload| {
        (payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}

/// Cuts the watcher's events into saves (see [`batch`]) on a thread of
/// its own, so a rebuild in progress does not delay the cut.
fn spawn_batcher(
    raw: mpsc::Receiver<notify::Result<notify::Event>>,
    filter: Filter,
    tx: mpsc::Sender<Message>,
) {
    std::thread::spawn(move || {
        let mut batcher = batch::Batcher::default();
        loop {
            let received = match batcher.due() {
                None => raw.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
                Some(due) => {
                    raw.recv_timeout(due.saturating_duration_since(std::time::Instant::now()))
                }
            };
            match received {
                Ok(Ok(event)) => {
                    batcher.add(&event, |p| filter.admits(p), std::time::Instant::now());
                }
                // The watcher's own errors name no file to rebuild.
                Ok(Err(_)) => {}
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if tx.send(Message::Files(batcher.take())).is_err() {
                        return;
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            }
        }
    });
}

fn index_in_background(session: &Session, tx: &mpsc::Sender<Message>, generation: u64) {
    let pages = session.search_input();
    let cache = crate::render::diagrams::cache_root(session.root());
    let tx = tx.clone();
    std::thread::spawn(move || {
        let index = caught(|| crate::render::search::build_index(pages, Some(&cache)))
            .unwrap_or_else(|why| {
                Err(RunError(format!(
                    "indexing failed ({why}); this is a bug in portolan: please report it; the next save tries again"
                )))
            });
        let _ = tx.send(Message::Search(generation, index));
    });
}

fn session_summary(session: &Session) -> String {
    let errors = crate::diagnostics::count(session.diagnostics(), crate::Severity::Error);
    format!("{errors} error{}", if errors == 1 { "" } else { "s" })
}

/// Applies the changes; returns whether the site changed.
fn rebuild(
    session: &mut Session,
    changes: &Changes,
    root: &Path,
    shared: &RwLock<Shared>,
    hub: &Hub,
) -> bool {
    let result = if changes.only_docs() {
        session.update_docs(&changes.docs)
    } else {
        session.rebuild_all()
    };
    let what = format!("{} changed", changes.describe(root));
    match result {
        Ok(report) if report.pages == 0 && !report.full => {
            // A temp file or an unrelated path: nothing to reload.
            false
        }
        result => announce(session, shared, hub, result, &what),
    }
}

/// Serves the session as it now stands, says `what` happened and tells
/// the browsers to reload; returns whether the site changed.
fn announce(
    session: &Session,
    shared: &RwLock<Shared>,
    hub: &Hub,
    result: Result<Rebuild, RunError>,
    what: &str,
) -> bool {
    match result {
        Ok(report) => {
            let timer = crate::timings::Timer::start();
            publish(session, shared, None);
            timer.lap("serve: publish");
            // Said once the new site is served: a reader (or a test) that
            // requests a page after this line gets the new one.
            crate::outln!("[{}] {what}: {}", clock(), summary(&report));
            hub.broadcast(&format!("{{\"pages\":{}}}", report.pages));
            true
        }
        Err(e) => {
            // The last good site stays up; the overlay says what is wrong.
            publish(session, shared, Some(e.0.clone()));
            crate::outln!("[{}] {what}: rebuild failed: {e}", clock());
            hub.broadcast("{\"failed\":true}");
            false
        }
    }
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if std::process::Command::new(opener).arg(url).spawn().is_err() {
        crate::errln!("could not open a browser; visit {url}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_heartbeat_beats_at_most_once_per_period() {
        let start = Instant::now();
        let every = Duration::from_secs(5);
        let mut beat = Heartbeat::new(start, every);
        assert!(!beat.due(start), "not at once");
        assert!(!beat.due(start + Duration::from_millis(4999)));
        assert!(beat.due(start + Duration::from_secs(5)));
        // Counted from the last beat, not from the start.
        assert!(!beat.due(start + Duration::from_secs(9)));
        assert!(beat.due(start + Duration::from_secs(10)));
        assert!(
            beat.due(start + Duration::from_secs(60)),
            "after a long pause"
        );
        assert!(!beat.due(start + Duration::from_secs(61)));
    }

    #[test]
    fn a_panic_in_background_work_becomes_its_message() {
        assert_eq!(caught(|| 7), Ok(7));
        let text = caught(|| -> u8 { panic!("the worker fell over") });
        assert_eq!(text, Err("the worker fell over".to_owned()));
        let formatted = caught(|| -> u8 { panic!("{} of {}", 3, 4) });
        assert_eq!(formatted, Err("3 of 4".to_owned()));
        let odd = caught(|| -> u8 { std::panic::panic_any(42_u32) });
        assert_eq!(odd, Err("a panic without a message".to_owned()));
    }
}
