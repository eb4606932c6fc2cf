//! `portolan serve` as a user runs it: a real process on an ephemeral port
//! of 127.0.0.1, real file edits, real event streams.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

/// The server process; killed when the test ends, whatever happens.
struct Served {
    child: Child,
    port: u16,
    log: mpsc::Receiver<String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    fn start(root: &Path) -> Served {
        Self::start_on(root, 0)
    }

    fn start_on(root: &Path, port: u16) -> Served {
        Self::start_with(root, port, &[])
    }

    /// With these variables set after the defaults (diagrams off).
    fn start_with(root: &Path, port: u16, env: &[(&str, &std::ffi::OsStr)]) -> Served {
        let mut command = bin();
        command
            .args(["serve", "--port", &port.to_string(), "--root"])
            .arg(root)
            .env("PORTOLAN_DIAGRAMS", "off");
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, log) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let first = log
            .recv_timeout(Duration::from_secs(30))
            .expect("serve prints its address");
        let port = first
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no address in {first:?}"));
        Served { child, port, log }
    }

    fn get(&self, target: &str) -> HttpResponse {
        http_get(self.port, target)
    }

    /// Waits for a console line containing `needle`.
    fn wait_log(&self, needle: &str) -> String {
        // Far longer than a rebuild of these small sites takes on a loaded
        // machine: it only bounds a test that would otherwise hang.
        self.wait_log_for(needle, 60)
    }

    fn wait_log_for(&self, needle: &str, seconds: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.log.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("no console line with {needle:?}");
    }
}

/// An open event stream: reads until it has seen `event: reload`.
struct EventStream {
    stream: TcpStream,
}

impl EventStream {
    /// Asks the page server for the stream and follows its redirect to the
    /// event server, as EventSource does.
    fn open(port: u16) -> EventStream {
        let redirect = http_get(port, "/__portolan/events");
        assert_eq!(redirect.status, 307);
        let location = redirect.header("Location").expect("Location").to_owned();
        let rest = location
            .strip_prefix("http://127.0.0.1:")
            .expect("same host");
        let (events_port, path) = rest.split_once('/').unwrap();
        let events_port: u16 = events_port.parse().unwrap();
        let mut stream = TcpStream::connect(("127.0.0.1", events_port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        write!(
            stream,
            "GET /{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut s = EventStream { stream };
        s.read_until(": connected");
        s
    }

    fn read_until(&mut self, needle: &str) -> String {
        let mut seen = Vec::new();
        let mut buf = [0u8; 1024];
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            match self.stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    seen.extend_from_slice(&buf[..n]);
                    if String::from_utf8_lossy(&seen).contains(needle) {
                        return String::from_utf8_lossy(&seen).into_owned();
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "stream never said {needle:?}: {}",
            String::from_utf8_lossy(&seen)
        );
    }
}

fn small_site() -> tempfile::TempDir {
    site(&[
        ("site.toml", b"title = \"Preview\"\n"),
        (
            "content/a.md",
            b"---\ntitle: Alpha\ntags: [one]\n---\n\n# Alpha\n\nSee [beta](b.md).\n",
        ),
        ("content/b.md", b"# Beta\n\nFirst version.\n"),
    ])
}

#[test]
fn edit_reload_overlay_and_fix() {
    let site_dir = small_site();
    let served = Served::start(site_dir.path());

    let page = served.get("/b/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.header("Cache-Control"), Some("no-store"));
    assert!(page.text().contains("First version."));
    assert!(page
        .text()
        .contains(r#"<script src="/__portolan/live.js"></script></body>"#));
    assert_eq!(served.get("/__portolan/live.js").status, 200);
    assert_eq!(
        served.get("/b").status,
        301,
        "folders without the slash redirect"
    );

    // Edit → event → new content.
    let mut events = EventStream::open(served.port);
    std::fs::write(
        site_dir.path().join("content/b.md"),
        "# Beta\n\nSecond version.\n",
    )
    .unwrap();
    events.read_until("event: reload");
    let line = served.wait_log("content/b.md changed");
    assert!(line.contains("re-rendered"), "{line}");
    assert!(served.get("/b/").text().contains("Second version."));
    // The page that links to b lists it under Related, with its title.
    assert!(served.get("/a/").text().contains("Beta"));

    // Broken frontmatter → overlay on every page; the server stays up.
    std::fs::write(
        site_dir.path().join("content/b.md"),
        "---\ntitle: [oops\n---\n# Beta\n",
    )
    .unwrap();
    events.read_until("event: reload");
    let home = served.get("/").text();
    assert!(home.contains(r#"id="portolan-overlay""#), "{home}");
    assert!(
        home.contains("content/b.md:2"),
        "overlay names file:line: {home}"
    );
    assert!(home.contains("yaml-syntax"));
    // file:line sits in a <code>: the overlay gives it its own dark
    // background, or the page's light code background leaves white on white.
    assert!(
        home.contains("#portolan-overlay code{background:#4a1414;color:#fff"),
        "{home}"
    );

    // Fixed → overlay gone.
    std::fs::write(
        site_dir.path().join("content/b.md"),
        "# Beta\n\nThird version.\n",
    )
    .unwrap();
    events.read_until("event: reload");
    let page = served.get("/b/").text();
    assert!(!page.contains("portolan-overlay"), "{page}");
    assert!(page.contains("Third version."));

    // A broken site.toml keeps the last good site up and says why.
    std::fs::write(site_dir.path().join("site.toml"), "tilte = 1\n").unwrap();
    events.read_until("event: reload");
    let page = served.get("/b/").text();
    assert!(page.contains("Third version."));
    assert!(page.contains("unknown key `tilte`"), "{page}");

    // A content save meanwhile renders, and the overlay stays until
    // site.toml is fixed.
    std::fs::write(
        site_dir.path().join("content/b.md"),
        "# Beta\n\nFourth version.\n",
    )
    .unwrap();
    events.read_until("event: reload");
    let page = served.get("/b/").text();
    assert!(page.contains("Fourth version."));
    assert!(
        page.contains("unknown key `tilte`"),
        "overlay gone after a content save: {page}"
    );
    std::fs::write(site_dir.path().join("site.toml"), "title = \"Preview\"\n").unwrap();
    events.read_until("event: reload");
    let page = served.get("/b/").text();
    assert!(!page.contains("tilte"), "{page}");
}

#[test]
fn traversal_attempts_get_404_and_nothing_outside_is_read() {
    let site_dir = small_site();
    std::fs::write(site_dir.path().join("secret.txt"), "top secret").unwrap();
    let served = Served::start(site_dir.path());
    let mut stream = TcpStream::connect(("127.0.0.1", served.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    for target in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/a/../../secret.txt",
        "/..%5csecret.txt",
        "/content/a.md",
        "/site.toml",
        "/..",
        "/secret.txt%00.html",
    ] {
        let r = http_request(&mut stream, "GET", target).unwrap();
        assert_eq!(r.status, 404, "{target}");
        assert!(!r.text().contains("top secret"), "{target}");
    }
    // HEAD: headers, no body.
    let r = http_request(&mut stream, "HEAD", "/a/").unwrap();
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    let r = http_request(&mut stream, "POST", "/a/").unwrap();
    assert_eq!(r.status, 405);
}

#[test]
fn a_thousand_requests_over_32_connections() {
    let site_dir = small_site();
    let served = Served::start(site_dir.path());
    let port = served.port;
    let targets = [
        "/",
        "/a/",
        "/b/",
        "/tags/one/",
        "/static/style.css",
        "/catalog.json",
        "/missing/",
    ];
    // 32 clients at once, each reconnecting when told `Connection: close`,
    // as browsers do.
    let workers: Vec<_> = (0..32)
        .map(|w| {
            std::thread::spawn(move || -> Result<usize, String> {
                let connect = || -> Result<TcpStream, String> {
                    let stream =
                        TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
                    stream
                        .set_read_timeout(Some(Duration::from_secs(20)))
                        .map_err(|e| e.to_string())?;
                    Ok(stream)
                };
                let mut stream = connect()?;
                let mut ok = 0;
                for i in 0..(1000 / 32 + usize::from(w < 1000 % 32)) {
                    let target = targets[(w + i) % targets.len()];
                    let r = http_request(&mut stream, "GET", target)
                        .map_err(|e| format!("{target}: {e}"))?;
                    if r.header("connection")
                        .is_some_and(|c| c.eq_ignore_ascii_case("close"))
                    {
                        stream = connect()?;
                    }
                    let expected = if target == "/missing/" { 404 } else { 200 };
                    if r.status != expected {
                        return Err(format!("{target}: {}", r.status));
                    }
                    ok += 1;
                }
                Ok(ok)
            })
        })
        .collect();
    let total: usize = workers
        .into_iter()
        .map(|w| w.join().expect("worker").expect("requests succeed"))
        .sum();
    assert_eq!(total, 1000);
}

#[test]
fn eight_simultaneous_event_streams_all_get_the_event() {
    let site_dir = small_site();
    let served = Served::start(site_dir.path());
    let port = served.port;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(9));
    let streams: Vec<_> = (0..8)
        .map(|_| {
            let barrier = std::sync::Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let mut s = EventStream::open(port);
                barrier.wait();
                s.read_until("event: reload");
            })
        })
        .collect();
    barrier.wait(); // all connect at the same moment
    barrier.wait(); // all connected
                    // Pages still answer while eight streams are open.
    assert_eq!(served.get("/a/").status, 200);
    std::fs::write(site_dir.path().join("content/a.md"), "# Alpha again\n").unwrap();
    for s in streams {
        s.join().expect("every stream got the event");
    }
}

/// Editors save in place or write a temp file and rename it over the
/// document, and keep a swap file open meanwhile: each save reloads with
/// the saved text, and the open swap file holds nothing back.
#[test]
fn saves_by_rename_and_with_an_open_swap_file_reload_with_the_saved_text() {
    let site_dir = small_site();
    let served = Served::start(site_dir.path());
    let content = site_dir.path().join("content");
    let mut events = EventStream::open(served.port);
    let mut swap = std::fs::File::create(content.join(".b.md.swp")).unwrap();
    swap.write_all(b"vim swap").unwrap();

    std::fs::write(content.join(".b.md.tmp"), "# Beta\n\nRenamed version.\n").unwrap();
    std::fs::rename(content.join(".b.md.tmp"), content.join("b.md")).unwrap();
    events.read_until("event: reload");
    served.wait_log("content/b.md changed");
    assert!(served.get("/b/").text().contains("Renamed version."));

    swap.write_all(b" still open").unwrap();
    std::fs::write(content.join("b.md"), "# Beta\n\nIn-place version.\n").unwrap();
    events.read_until("event: reload");
    served.wait_log("content/b.md changed");
    assert!(served.get("/b/").text().contains("In-place version."));
    drop(swap);
}

#[test]
fn busy_port_and_sigterm() {
    let site_dir = small_site();
    let served = Served::start(site_dir.path());
    let o = bin()
        .args(["serve", "--port", &served.port.to_string(), "--root"])
        .arg(site_dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("port {}", served.port)) && err.contains("--port"),
        "{err}"
    );

    let mut served = served;
    let pid = served.child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = served.child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

/// A site of 600 pages: indexing it takes long enough to stop a process
/// in the middle.
fn site_to_index() -> tempfile::TempDir {
    let mut files: Vec<(String, Vec<u8>)> =
        vec![("site.toml".into(), b"title = \"Many\"\n".to_vec())];
    for i in 0..600 {
        let text = format!(
            "# Page {i}\n\nRetries, webhooks and queues, page {i}. {}\n",
            "Words to index for the search bundle. ".repeat(40)
        );
        files.push((format!("content/d{}/p{i}.md", i % 20), text.into_bytes()));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_slice()))
        .collect();
    site(&refs)
}

/// The search index's scratch folders in a temp dir.
fn scratch_folders(temp: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(temp)
        .unwrap()
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("portolan-search-")
        })
        .map(|e| e.path())
        .collect()
}

/// The search index is built from pages copied into a scratch folder in
/// the temp dir. Serve stopped while indexing (SIGTERM ends the process
/// without destructors) once left a folder of tens of megabytes each time;
/// so did an interrupted build.
#[test]
fn stopping_serve_or_build_while_indexing_leaves_no_scratch_folder() {
    let site_dir = site_to_index();
    for (name, expected_code) in [("serve", 0), ("build", 130)] {
        let tmp = tempfile::tempdir().unwrap();
        let mut command = match name {
            "serve" => {
                let mut c = bin();
                c.args(["serve", "--port", "0", "--root"])
                    .arg(site_dir.path());
                c
            }
            _ => {
                let mut c = bin();
                c.args(["build", "--out"])
                    .arg(tmp.path().join("public"))
                    .arg("--root")
                    .arg(site_dir.path());
                c
            }
        };
        let mut child = command
            .env("TMPDIR", tmp.path())
            .env("PORTOLAN_DIAGRAMS", "off")
            .env("PORTOLAN_CACHE_DIR", tmp.path().join("cache"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let scratch = || scratch_folders(tmp.path()).len();
        // Bounds only a test that would otherwise hang.
        let deadline = Instant::now() + Duration::from_secs(120);
        while scratch() == 0 {
            assert!(child.try_wait().unwrap().is_none(), "ended before indexing");
            assert!(Instant::now() < deadline, "no scratch folder appeared");
            std::thread::sleep(Duration::from_millis(2));
        }
        let pid = child.id().to_string();
        assert!(std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(expected_code), "{name}");
        if scratch() != 0 {
            let out = std::process::Command::new("find")
                .arg(tmp.path())
                .arg("-maxdepth")
                .arg("3")
                .output()
                .unwrap();
            let left = String::from_utf8_lossy(&out.stdout)
                .lines()
                .take(30)
                .collect::<Vec<_>>()
                .join("\n");
            panic!("{name} left a scratch folder behind:\n{left}");
        }
    }
}

/// SIGKILL runs no cleanup: a build killed outright while indexing leaves
/// its scratch folder. The next build removes it, since the process that
/// made it is gone.
#[cfg(target_os = "linux")]
#[test]
fn a_scratch_folder_left_by_a_killed_build_is_removed_by_the_next() {
    let site_dir = site_to_index();
    let tmp = tempfile::tempdir().unwrap();
    let build = |cache: &str| {
        let mut c = bin();
        c.args(["build", "--out"])
            .arg(tmp.path().join("public"))
            .arg("--root")
            .arg(site_dir.path())
            .env("TMPDIR", tmp.path())
            .env("PORTOLAN_DIAGRAMS", "off")
            .env("PORTOLAN_CACHE_DIR", tmp.path().join(cache))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    let owned_scratch = || {
        scratch_folders(tmp.path())
            .into_iter()
            .filter(|dir| dir.join(".portolan-owner").is_file())
            .collect::<Vec<_>>()
    };
    let mut child = build("cache-1").spawn().unwrap();
    // Bounds only a test that would otherwise hang.
    let deadline = Instant::now() + Duration::from_secs(120);
    while owned_scratch().is_empty() {
        assert!(child.try_wait().unwrap().is_none(), "ended before indexing");
        assert!(Instant::now() < deadline, "no scratch folder appeared");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let left = owned_scratch();
    assert!(!left.is_empty(), "SIGKILL removed its folder?");
    // Another cache, so this build indexes (and makes scratch folders).
    let status = build("cache-2").status().unwrap();
    assert!(status.success());
    for dir in left {
        assert!(!dir.exists(), "{} is still there", dir.display());
    }
}

#[test]
fn live_reload_in_chromium_keeps_the_scroll_position() {
    let Some(chromium) = chromium() else { return };
    let Some(_) = mmdc() else { return }; // puppeteer comes with `npm ci`
    let long: String = (1..=80)
        .map(|i| format!("Paragraph {i} of a long document.\n\n"))
        .collect();
    let site_dir = site(&[(
        "content/b.md",
        format!("# Beta\n\nFirst version.\n\n{long}").as_bytes(),
    )]);
    let served = Served::start(site_dir.path());
    let o = std::process::Command::new("node")
        .arg(repo_root().join("tests/browser/live-reload.mjs"))
        .arg(format!("http://127.0.0.1:{}/b/", served.port))
        .arg(site_dir.path().join("content/b.md"))
        .arg(&chromium)
        .output()
        .expect("node runs");
    let out = stdout(&o);
    let v: serde_json::Value =
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out} {}", stderr(&o)));
    assert_eq!(v["reloaded"], true, "{v}");
    assert_eq!(v["hasNewText"], true, "{v}");
    assert_eq!(v["scrolledTo"], 700, "{v}");
    assert_eq!(v["scrollAfter"], 700, "scroll position kept: {v}");
}

/// The page comes back by itself when `serve` is stopped and started again
/// on the same port (the event stream lives on a port of its own, which
/// changes with every start), and keeps reloading on edits afterwards.
#[test]
fn live_reload_reconnects_after_a_server_restart_in_chromium() {
    let Some(chromium) = chromium() else { return };
    let Some(_) = mmdc() else { return }; // puppeteer comes with `npm ci`
    let site_dir = site(&[("content/b.md", b"# Beta\n\nFirst version.\n")]);
    let first = Served::start(site_dir.path());
    let port = first.port;
    let mut node = std::process::Command::new("node")
        .arg(repo_root().join("tests/browser/reconnect.mjs"))
        .arg(format!("http://127.0.0.1:{port}/b/"))
        .arg(site_dir.path().join("content/b.md"))
        .arg(&chromium)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs");
    let mut node_out = BufReader::new(node.stdout.take().unwrap()).lines();
    let line = node_out.next().and_then(Result::ok).unwrap_or_default();
    assert_eq!(line, "connected", "the page did not open");
    drop(first); // killed and waited for
                 // A moment with no server, as when someone restarts it by hand.
    std::thread::sleep(Duration::from_millis(1500));
    let _second = Served::start_on(site_dir.path(), port);
    let mut stdin = node.stdin.take().unwrap();
    writeln!(stdin, "restarted").unwrap();
    let out = node_out.next().and_then(Result::ok).unwrap_or_default();
    let _ = node.wait();
    let v: serde_json::Value =
        serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(v["reloadedAfterRestart"], true, "{v}");
    assert_eq!(v["hasNewText"], true, "{v}");
}

#[test]
fn only_local_hosts_are_answered_and_redirects_stay_on_them() {
    let dir = site(&[("content/a.md", b"# A\n"), ("site.toml", b"")]);
    let served = Served::start(dir.path());
    for host in [
        "evil.example",
        "evil.example:80",
        "localhost.evil.example",
        "192.0.2.1",
    ] {
        assert_eq!(http_get_host(served.port, "/", host).status, 403, "{host}");
        assert_eq!(
            http_get_host(served.port, "/__portolan/events", host).status,
            403,
            "{host}"
        );
    }
    let port = served.port;
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(http_get_host(port, "/", &host).status, 200, "{host}");
    }
    let redirect = http_get_host(port, "/__portolan/events", &format!("localhost:{port}"));
    assert_eq!(redirect.status, 307);
    let location = redirect.header("Location").unwrap();
    assert!(location.starts_with("http://localhost:"), "{location}");
    // The event server refuses foreign hosts too.
    let events_port: u16 = location
        .trim_start_matches("http://localhost:")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let mut stream = TcpStream::connect(("127.0.0.1", events_port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let refused =
        http_request_to(&mut stream, "GET", "/__portolan/events", "evil.example").unwrap();
    assert_eq!(refused.status, 403);
}

#[test]
fn bind_addresses_are_printed_as_they_are() {
    let dir = site(&[("content/a.md", b"# A\n"), ("site.toml", b"")]);
    let start = |bind: &str| {
        let mut child = bin()
            .args(["serve", "--port", "0", "--bind", bind, "--root"])
            .arg(dir.path())
            .env("PORTOLAN_DIAGRAMS", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let second = lines.next().and_then(Result::ok).unwrap_or_default();
        let _ = child.kill();
        let o = child.wait_with_output().unwrap();
        (first, second, stderr(&o))
    };
    let (first, second, err) = start("0.0.0.0");
    assert!(
        first.contains("http://127.0.0.1:"),
        "{first} / {second} / {err}"
    );
    assert!(second.starts_with("listening on 0.0.0.0:"), "{second}");
    assert!(err.contains("visible to the network"), "{err}");
    let (first, _, err) = start("::1");
    if err.contains("cannot listen") {
        // No IPv6 loopback on this machine: the address was still accepted.
        assert!(!err.contains("not an IP address"), "{err}");
    } else {
        assert!(first.contains("http://[::1]:"), "{first} / {err}");
        assert!(!err.contains("visible to the network"), "{err}");
    }
}

/// portolan turns transparent huge pages off for itself (src/main.rs:
/// zeroing them cost a quarter of a CI build's CPU). The kernel reports
/// the flag in the process's status, which a long-running `serve` lets a
/// test read.
#[cfg(target_os = "linux")]
#[test]
fn portolan_runs_without_transparent_huge_pages() {
    let temp = small_site();
    let served = Served::start(temp.path());
    let status = std::fs::read_to_string(format!("/proc/{}/status", served.child.id()))
        .expect("the process's status");
    let Some(line) = status.lines().find(|l| l.starts_with("THP_enabled:")) else {
        // Kernels before 5.0 do not report it.
        eprintln!("skipped: this kernel does not report THP_enabled");
        return;
    };
    assert_eq!(line.split_whitespace().nth(1), Some("0"), "{line}");
}

#[cfg(unix)]
#[test]
fn serve_reads_nothing_through_links_out_of_the_content_dir() {
    let outside = site(&[("leak.md", b"# Leak\n\nOUTSIDE_TEXT\n")]);
    let dir = site(&[("content/a.md", b"# A\n"), ("site.toml", b"")]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("content/linked")).unwrap();
    // A link to a big tree outside: the watcher must not descend into it.
    std::os::unix::fs::symlink("/usr", dir.path().join("content/usr")).unwrap();
    let served = Served::start(dir.path());
    assert_eq!(served.get("/linked/leak/").status, 404);
    let watches = inotify_watches(served.child.id());
    assert!(
        watches < 50,
        "{watches} inotify watches: the watcher followed a link"
    );
    // A link to a file outside, made while serving, and an edit behind the
    // folder link: neither is read. A real edit then proves serve is alive
    // and has seen the events.
    std::os::unix::fs::symlink(
        outside.path().join("leak.md"),
        dir.path().join("content/evil.md"),
    )
    .unwrap();
    write(outside.path(), "leak.md", b"# Leak\n\nOUTSIDE_TEXT again\n");
    std::thread::sleep(Duration::from_millis(300));
    write(dir.path(), "content/a.md", b"# A\n\nedited\n");
    // The new link may be reported in a rebuild of its own before the
    // edit's: wait for the rebuild that shows the edit.
    let mut rebuilds = 0;
    while !served.get("/a/").text().contains("edited") {
        assert!(rebuilds < 4, "four rebuilds and the edit is not served");
        served.wait_log("changed");
        rebuilds += 1;
    }
    assert_eq!(served.get("/evil/").status, 404);
    assert_eq!(served.get("/linked/leak/").status, 404);
    assert!(!served.get("/").text().contains("Leak"));
}

#[test]
fn serve_survives_a_closed_stdout_and_check_exits_quietly() {
    let dir = site(&[("content/a.md", b"# A\n"), ("site.toml", b"")]);
    let mut child = bin()
        .args(["serve", "--port", "0", "--root"])
        .arg(dir.path())
        .env("PORTOLAN_DIAGRAMS", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    let port: u16 = first
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap();
    drop(reader); // like `portolan serve | head -1`
                  // Each edit makes serve print a line into the closed pipe.
    for i in 0..3 {
        write(
            dir.path(),
            "content/a.md",
            format!("# A\n\nedit {i}\n").as_bytes(),
        );
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let page = http_get(port, "/a/");
            if page.text().contains(&format!("edit {i}")) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "serve stopped answering after edit {i}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "serve is still running"
    );
    let _ = child.kill();
    let o = child.wait_with_output().unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));

    // check into a closed pipe: no panic, its usual exit code.
    let mut check = bin()
        .args(["check", "--root"])
        .arg(repo_root())
        .env("PORTOLAN_DIAGRAMS", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(check.stdout.take());
    let o = check.wait_with_output().unwrap();
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{:?} {}",
        o.status,
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn hostile_documents_saved_into_serve_neither_block_nor_crash_it() {
    let dir = site(&[("content/a.md", b"# A\n"), ("site.toml", b"")]);
    let served = Served::start(dir.path());
    let deep = format!(
        "---\nx: {}{}\n---\n# Deep\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    write(dir.path(), "content/deep.md", deep.as_bytes());
    let bomb = format!(
        "---\ntitle: Bomb\nowner: {}\n---\n{}\n",
        "o".repeat(100 * 1024),
        "{owner} ".repeat(2000)
    );
    write(dir.path(), "content/bomb.md", bomb.as_bytes());
    served.wait_log("changed");
    // The next ordinary save is served: nothing is stuck behind them.
    write(dir.path(), "content/a.md", b"# A\n\nafter the bombs\n");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !served.get("/a/").text().contains("after the bombs") {
        assert!(
            Instant::now() < deadline,
            "serve did not take the next save"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let page = served.get("/bomb/");
    assert_eq!(page.status, 200);
    assert!(
        page.body.len() < 2 * bomb.len(),
        "{} bytes",
        page.body.len()
    );
}

/// How many inotify watches a process holds (Linux: one `inotify wd:` line
/// per watch in its fdinfo).
#[cfg(unix)]
fn inotify_watches(pid: u32) -> usize {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fdinfo")) else {
        return 0;
    };
    fds.flatten()
        .filter_map(|fd| std::fs::read_to_string(fd.path()).ok())
        .map(|info| {
            info.lines()
                .filter(|l| l.starts_with("inotify wd:"))
                .count()
        })
        .sum()
}

/// The `<figure class="diagram…">…</figure>` elements of a page.
fn diagram_figures(html: &str) -> Vec<&str> {
    html.match_indices("<figure class=\"diagram")
        .map(|(at, _)| {
            let end = html[at..].find("</figure>").expect("figure closes");
            &html[at..at + end + "</figure>".len()]
        })
        .collect()
}

/// A cold diagram cache does not hold the preview back: serve answers at
/// once, each diagram shown as its source and marked as being rendered,
/// renders them in the background, then reloads the browser onto pages
/// whose figures are the build's (a broken diagram an error at its
/// fence), from a cache a build then takes whole. The background waits
/// for a gate file, so the first look never races it.
#[test]
fn a_cold_diagram_cache_does_not_hold_the_preview_back() {
    let Some(mmdc) = mmdc() else { return };
    let good = "```mermaid\ngraph LR\n    A[Orders] --> B[Kafka]\n```\n";
    let broken = "```mermaid\ngraph LR\n    A --> \n```\n";
    let doc = format!("# Flows\n\n{good}\nText.\n\n{broken}");
    let dir = site(&[
        ("content/flows.md", doc.as_bytes()),
        ("content/plain.md", b"# Plain\n\nNo diagrams.\n"),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let gate = cache.path().join("gate");
    let served = Served::start_with(
        dir.path(),
        0,
        &[
            ("PORTOLAN_DIAGRAMS", "on".as_ref()),
            ("PORTOLAN_MMDC", mmdc.as_os_str()),
            ("PORTOLAN_CACHE_DIR", cache.path().as_os_str()),
            ("PORTOLAN_TEST_DIAGRAMS_GATE", gate.as_os_str()),
        ],
    );
    served.wait_log("rendering 2 diagrams in the background");

    let before = served.get("/flows/").text();
    let figures = diagram_figures(&before);
    assert_eq!(figures.len(), 2, "{before}");
    for figure in &figures {
        assert!(figure.contains("diagram-pending"), "{figure}");
        assert!(figure.contains("being rendered"), "{figure}");
        assert!(!figure.contains("<svg"), "{figure}");
    }
    assert!(before.contains("A[Orders] --&gt; B[Kafka]"), "{before}");
    assert!(
        !before.contains("portolan-overlay"),
        "no verdict yet: {before}"
    );

    // An edit meanwhile renders what it adds at once (the reload shows
    // it) and leaves the background's diagrams to the background.
    let mut events = EventStream::open(served.port);
    let sequence = "```mermaid\nsequenceDiagram\n    A->>B: hello\n```\n";
    std::fs::write(
        dir.path().join("content/plain.md"),
        format!("# Plain\n\nNow with a diagram.\n\n{sequence}"),
    )
    .unwrap();
    served.wait_log_for("content/plain.md changed", 300);
    events.read_until("event: reload");
    let plain = served.get("/plain/").text();
    assert_eq!(diagram_figures(&plain).len(), 1, "{plain}");
    assert!(diagram_figures(&plain)[0].contains("<svg"), "{plain}");
    let still = served.get("/flows/").text();
    assert_eq!(diagram_figures(&still), figures, "{still}");
    // The edit rendered its own diagram only.
    let entries = |dir: &Path| std::fs::read_dir(dir.join("diagrams")).map_or(0, |d| d.count());
    assert_eq!(entries(cache.path()), 1);

    std::fs::write(&gate, b"").unwrap();
    // Starting Chromium and drawing two diagrams: generous, as a bound only.
    let line = served.wait_log_for("2 diagrams rendered", 300);
    assert!(line.contains("full rebuild"), "{line}");
    events.read_until("event: reload");

    let after = served.get("/flows/").text();
    assert!(!after.contains("diagram-pending"), "{after}");
    assert!(after.contains(r#"id="portolan-overlay""#), "{after}");
    assert!(after.contains("content/flows.md:10"), "{after}");
    assert!(
        after.contains("mermaid cannot render this diagram"),
        "{after}"
    );
    let shown = diagram_figures(&after);
    assert_eq!(shown.len(), 2, "{after}");
    assert!(shown[0].contains("<svg"), "{}", shown[0]);
    assert!(!shown[1].contains("<svg"), "{}", shown[1]);
    assert_eq!(entries(cache.path()), 3, "every verdict is cached");
    drop(served);

    // A build from the cache serve filled renders nothing and shows the
    // same figure (a build refuses a broken diagram, so it goes first).
    std::fs::write(
        dir.path().join("content/flows.md"),
        format!("# Flows\n\n{good}\nText.\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("content/plain.md"), b"# Plain\n").unwrap();
    let out = dir.path().join("public");
    let built = bin()
        .args(["build", "--out"])
        .arg(&out)
        .arg("--root")
        .arg(dir.path())
        .env("PORTOLAN_MMDC", &mmdc)
        .env("PORTOLAN_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(
        stdout(&built).contains("0 rendered, 1 from cache, 0 broken; renderer not started"),
        "{}",
        stdout(&built)
    );
    let page = std::fs::read_to_string(out.join("flows/index.html")).unwrap();
    assert_eq!(diagram_figures(&page), shown[..1]);
}
