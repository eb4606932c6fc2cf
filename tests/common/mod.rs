//! Helpers shared by the integration tests: run the real binary, find the
//! corpora, make throw-away sites.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_portolan"));
    // Stale checks compare against this date, so results never drift.
    cmd.env("PORTOLAN_TODAY", "2026-11-21");
    cmd.env_remove("NO_COLOR");
    // A test that wants its own cache sets this again.
    cmd.env("PORTOLAN_CACHE_DIR", test_cache());
    cmd
}

/// The cache of this test process, outside the repository: builds of the
/// example catalog and of the fixtures would otherwise keep theirs in the
/// source tree (`.portolan/cache` under their root), and every later run
/// would start from what an earlier one left. Those of runs more than a
/// day old are removed.
fn test_cache() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let parent = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let day = std::time::Duration::from_secs(24 * 60 * 60);
        for entry in std::fs::read_dir(parent).into_iter().flatten().flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > day));
            if old && entry.file_name().to_string_lossy().starts_with("cache-") {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = parent.join(format!("cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    })
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("portolan runs")
}

/// `portolan <args> --root <root>` with diagrams off (tests of other
/// things need neither mermaid-cli nor its time).
pub fn run_in(root: &Path, args: &[&str]) -> Output {
    bin()
        .args(args)
        .arg("--root")
        .arg(root)
        .env("PORTOLAN_DIAGRAMS", "off")
        .output()
        .expect("portolan runs")
}

/// `portolan build --root <root> --out <out>` with diagrams off; the build
/// must succeed.
pub fn build_ok(root: &Path, out: &Path) {
    let o = bin()
        .args(["build", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .env("PORTOLAN_DIAGRAMS", "off")
        .output()
        .expect("portolan runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies a folder tree (tests that edit a copy of the example catalog).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readable").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// The repository's node package `name` (installed by `npm ci`), or None
/// (after saying so) outside CI.
pub fn node_package(name: &str) -> Option<PathBuf> {
    let path = repo_root().join("node_modules").join(name);
    let node = Command::new("node").arg("--version").output();
    if path.is_dir() && node.is_ok_and(|o| o.status.success()) {
        return Some(path);
    }
    assert!(
        !in_ci(),
        "node or the npm package {name} is missing under CI: npm ci"
    );
    eprintln!("SKIPPED: node or {name} not installed (npm ci)");
    None
}

pub fn fixture(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(name)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// True under CI, where a missing tool or data set must fail the test
/// instead of skipping it.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `../shared/corpora/<name>` beside the repository, or None (after saying
/// so) when it is absent outside CI.
pub fn corpus(name: &str) -> Option<PathBuf> {
    let path = repo_root().join("../shared/corpora").join(name);
    if path.is_dir() {
        return Some(path);
    }
    assert!(!in_ci(), "corpus {} is missing under CI", path.display());
    eprintln!("SKIPPED: corpus {} not found", path.display());
    None
}

/// A temporary site with the given files (path relative to the root).
pub fn site(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, content) in files {
        write(dir.path(), path, content);
    }
    dir
}

pub fn write(root: &Path, path: &str, content: &[u8]) {
    let full = root.join(path);
    std::fs::create_dir_all(full.parent().expect("has parent")).expect("mkdir");
    std::fs::write(full, content).expect("write");
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

/// Debian's Chromium, or None (after saying so) outside CI.
pub fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("PORTOLAN_CHROMIUM").map(PathBuf::from),
        Some(PathBuf::from("/usr/bin/chromium")),
    ];
    if let Some(found) = candidates.into_iter().flatten().find(|p| p.is_file()) {
        return Some(found);
    }
    assert!(
        !in_ci(),
        "chromium is missing under CI: apt-get install chromium"
    );
    eprintln!("SKIPPED: chromium not installed (apt-get install chromium)");
    None
}

/// Chromium and the npm `package` a browser script imports, or None (after
/// saying so) outside CI; under CI both must be there.
pub fn browser_with(package: &str) -> Option<PathBuf> {
    let chromium = chromium()?;
    if node_package(package).is_none() {
        assert!(!in_ci(), "{package} is installed by .ci/run (npm ci)");
        eprintln!("SKIPPED: {package} is not installed (npm ci)");
        return None;
    }
    Some(chromium)
}

/// Runs `tests/browser/<script>` with node (`args` after it), which prints
/// one JSON object with an `errors` list; returns the object once that
/// list is empty.
pub fn browser_script(script: &str, args: &[&str]) -> serde_json::Value {
    let o = Command::new("node")
        .arg(repo_root().join("tests/browser").join(script))
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("node runs");
    let text = stdout(&o);
    let v: serde_json::Value = serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("{script}: {e}: {text} {}", stderr(&o)));
    assert_eq!(v["errors"], serde_json::json!([]), "{v:#}");
    v
}

/// Loads `url` in headless Chromium and returns the DOM after scripts ran.
pub fn dump_dom(chromium: &Path, url: &str) -> String {
    let profile = tempfile::tempdir().expect("profile dir");
    let child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("chromium runs");
    // A page that never settles must not hang the suite.
    let pid = child.id();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        if done_rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .is_err()
        {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    });
    let output = child.wait_with_output().expect("chromium output");
    let _ = done_tx.send(());
    assert!(
        output.status.success(),
        "chromium failed: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// A static file server for a built site on 127.0.0.1, mounted under
/// `prefix` (the base_url path). It answers at most `max_requests` and stops
/// by itself after `seconds`, so no test can leave it behind.
pub struct StaticServer {
    pub port: u16,
    /// Every request's path, in the order they came.
    pub requests: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// Connections refused once the bound or the time limit was reached.
    refused: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// Set when the server is dropped: its thread then ends.
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    max_requests: usize,
    seconds: u64,
}

/// A server past its bound or its time limit refuses what comes: the page
/// then misses files at random, and the test failed now and then far from
/// the cause (search.mjs once made 1,592 requests against a bound of
/// 1,500). So a refused connection fails the test that set the limits.
impl Drop for StaticServer {
    fn drop(&mut self) {
        use std::sync::atomic::Ordering;
        self.stop.store(true, Ordering::SeqCst);
        let refused = self.refused.load(Ordering::SeqCst);
        if refused > 0 && !std::thread::panicking() {
            panic!(
                "the test server refused {refused} connection(s) after its bound of {} or its \
                 time limit of {} s: raise the one reached",
                self.max_requests, self.seconds
            );
        }
    }
}

/// Requests a `StaticServer` holds unanswered: those whose path ends with
/// `suffix`, until `release` is requested. A test of what a page shows
/// before some file arrives holds it, not a race against the clock. Hold
/// fewer than six: Chromium opens at most six connections to a host, and
/// held ones would stall the rest.
pub struct Hold {
    pub suffix: &'static str,
    pub release: &'static str,
}

impl StaticServer {
    pub fn start(dir: PathBuf, prefix: &'static str, max_requests: usize, seconds: u64) -> Self {
        Self::holding(dir, prefix, max_requests, seconds, None)
    }

    /// As `start`, holding the requests `hold` names.
    pub fn holding(
        dir: PathBuf,
        prefix: &'static str,
        max_requests: usize,
        seconds: u64,
        mut hold: Option<Hold>,
    ) -> Self {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = std::sync::Arc::clone(&requests);
        let refused = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let refusing = std::sync::Arc::clone(&refused);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = std::sync::Arc::clone(&stop);
        let answer = move |mut stream: std::net::TcpStream, path: &str| {
            let file = path
                .strip_prefix(prefix)
                .filter(|p| !p.split('/').any(|s| s == ".."))
                .map(|p| {
                    let mut f = dir.join(p);
                    if p.is_empty() || p.ends_with('/') {
                        f = f.join("index.html");
                    }
                    f
                });
            let (status, body, ctype) =
                match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
                    Some((f, b)) => {
                        let ctype = match f.extension().and_then(|e| e.to_str()) {
                            Some("html") => "text/html; charset=utf-8",
                            Some("css") => "text/css",
                            Some("js") => "text/javascript",
                            Some("json") => "application/json",
                            Some("svg") => "image/svg+xml",
                            Some("wasm") => "application/wasm",
                            _ => "application/octet-stream",
                        };
                        ("200 OK", b, ctype)
                    }
                    None => ("404 Not Found", b"not found".to_vec(), "text/plain"),
                };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        };
        std::thread::spawn(move || {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
            let mut served = 0;
            let mut held: Vec<(std::net::TcpStream, String)> = Vec::new();
            // Past the bound or the time limit, connections are still
            // taken, to count them, and closed unanswered, until the
            // server is dropped.
            while !stopped.load(std::sync::atomic::Ordering::SeqCst) {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                    continue;
                };
                if served >= max_requests || std::time::Instant::now() >= deadline {
                    refusing.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    continue;
                }
                served += 1;
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(5)));
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok() && header.trim() != "" {
                    header.clear();
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("/");
                let path = path.split(['?', '#']).next().unwrap_or("/").to_owned();
                if let Ok(mut log) = log.lock() {
                    log.push(path.clone());
                }
                match &hold {
                    Some(h) if path == h.release => {
                        hold = None;
                        for (stream, path) in held.drain(..) {
                            answer(stream, &path);
                        }
                    }
                    Some(h) if path.ends_with(h.suffix) => {
                        held.push((stream, path));
                        continue;
                    }
                    _ => {}
                }
                answer(stream, &path);
            }
        });
        StaticServer {
            port,
            requests,
            refused,
            stop,
            max_requests,
            seconds,
        }
    }
}

/// Every file below `dir`, relative path → bytes.
/// The one replay entry file of a build cache.
pub fn replay_entry(cache: &Path) -> PathBuf {
    let entries: Vec<PathBuf> = std::fs::read_dir(cache.join("builds"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    entries[0].clone()
}

pub fn read_tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

/// The files of the search index under `out` (its `pagefind/`).
pub fn search_index(out: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = read_tree(out);
    files.retain(|path, _| path.starts_with("pagefind/"));
    assert!(
        files.keys().any(|p| p.ends_with(".pf_fragment")),
        "an index was written in {out:?}"
    );
    files
}

/// Asserts that two trees of files hold the same paths and bytes, naming
/// every file that differs (the build's marker, which lists the others'
/// hashes, sorts first and differs whenever another does).
pub fn assert_same_files(
    a: &std::collections::BTreeMap<String, Vec<u8>>,
    b: &std::collections::BTreeMap<String, Vec<u8>>,
    what: &str,
) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}"
    );
    let differing: Vec<&String> = a
        .iter()
        .filter(|(path, bytes)| **bytes != b[*path])
        .map(|(path, _)| path)
        .collect();
    assert!(differing.is_empty(), "{differing:?} differ: {what}");
}

/// The repository's mermaid-cli (installed by `npm ci`), or None (after
/// saying so) outside CI.
pub fn mmdc() -> Option<PathBuf> {
    let path = repo_root().join("node_modules/.bin/mmdc");
    if path.exists() && chromium().is_some() {
        return Some(path);
    }
    assert!(
        !in_ci(),
        "mermaid-cli is missing under CI: PUPPETEER_SKIP_DOWNLOAD=1 npm ci"
    );
    eprintln!("SKIPPED: mermaid-cli not installed (PUPPETEER_SKIP_DOWNLOAD=1 npm ci)");
    None
}

/// A response read by the raw client below.
#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends the request line as written (no client-side path normalisation,
/// so traversal attempts reach the server) on a keep-alive connection.
pub fn http_request(
    stream: &mut std::net::TcpStream,
    method: &str,
    target: &str,
) -> std::io::Result<HttpResponse> {
    http_request_to(stream, method, target, "127.0.0.1")
}

/// `http_request` with the Host header given.
pub fn http_request_to(
    stream: &mut std::net::TcpStream,
    method: &str,
    target: &str,
    host: &str,
) -> std::io::Result<HttpResponse> {
    use std::io::{BufRead, BufReader, Read, Write};
    // One write, as browsers send a request: split writes meet Nagle's
    // algorithm and delayed ACKs and cost 40 ms each.
    let request = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {status_line:?}")))?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            headers.push((n.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; if method == "HEAD" { 0 } else { length }];
    reader.read_exact(&mut body)?;
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

pub fn http_get(port: u16, target: &str) -> HttpResponse {
    http_get_host(port, target, "127.0.0.1")
}

/// A GET to 127.0.0.1 naming another host, as a browser on a DNS-rebinding
/// page would.
pub fn http_get_host(port: u16, target: &str, host: &str) -> HttpResponse {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    http_request_to(&mut stream, "GET", target, host).expect("response")
}
