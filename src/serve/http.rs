//! Serving the in-memory site over tiny_http, with live reload over
//! Server-Sent Events and an error overlay injected into HTML pages.
//!
//! Event streams do not stay on tiny_http: each open connection holds one
//! of its pool threads, and its pool queues (instead of growing for) work
//! that arrives in a burst, so eight tabs opening a stream at once could
//! wait forever. `/__portolan/events` therefore answers with a redirect to
//! a small event server on its own port, with a thread per stream;
//! EventSource follows it (CORS allows any origin: the streams carry no
//! data but "reload").

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tiny_http::{Method, Request, Server};

use crate::catalog::percent_decode;
use crate::diagnostics::{Diagnostic, Severity};
use crate::render::markdown::escape_html;

pub const EVENTS_PATH: &str = "/__portolan/events";
pub const SCRIPT_PATH: &str = "/__portolan/live.js";
const LIVE_RELOAD_JS: &str = include_str!("live.js");

/// What the HTTP side reads; the rebuild loop replaces it.
#[derive(Default)]
pub struct Shared {
    pub files: Arc<BTreeMap<String, Arc<Vec<u8>>>>,
    /// Errors shown in the overlay: the site's errors, or why the last
    /// rebuild could not run at all.
    pub overlay: Vec<Diagnostic>,
    pub fatal: Option<String>,
}

/// Connected event streams; each gets every reload message.
#[derive(Default)]
pub struct Hub {
    subscribers: Mutex<Vec<mpsc::Sender<String>>>,
}

impl Hub {
    pub fn broadcast(&self, event: &str) {
        if let Ok(mut subs) = self.subscribers.lock() {
            subs.retain(|s| s.send(event.to_owned()).is_ok());
        }
    }

    pub fn subscribers(&self) -> usize {
        self.subscribers.lock().map(|s| s.len()).unwrap_or(0)
    }

    fn subscribe(&self) -> mpsc::Receiver<String> {
        let (tx, rx) = mpsc::channel();
        if let Ok(mut subs) = self.subscribers.lock() {
            subs.push(tx);
        }
        rx
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// The site path a request URL names, or None for anything that tries to
/// leave the site (`..`, encoded or not, backslashes, NUL).
pub fn site_path(url: &str) -> Option<String> {
    let raw = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(raw);
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p => parts.push(p),
        }
    }
    let mut path = parts.join("/");
    if decoded.ends_with('/') || path.is_empty() {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str("index.html");
    }
    Some(path)
}

fn overlay_html(shared: &Shared) -> String {
    let errors: Vec<&Diagnostic> = shared
        .overlay
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if errors.is_empty() && shared.fatal.is_none() {
        return String::new();
    }
    let mut items = String::new();
    if let Some(fatal) = &shared.fatal {
        items.push_str(&format!("<li><strong>{}</strong></li>", escape_html(fatal)));
    }
    for d in errors.iter().take(50) {
        let location = match d.column {
            Some(c) => format!("{}:{}:{c}", d.file, d.line),
            None => format!("{}:{}", d.file, d.line),
        };
        items.push_str(&format!(
            "<li><code>{}</code> <span class=\"code\">{}</span><div>{}</div>{}</li>",
            escape_html(&location),
            escape_html(d.code),
            escape_html(&d.message),
            d.help
                .as_deref()
                .map(|h| format!("<div class=\"help\">help: {}</div>", escape_html(h)))
                .unwrap_or_default()
        ));
    }
    let more = errors.len().saturating_sub(50);
    if more > 0 {
        items.push_str(&format!("<li>… and {more} more</li>"));
    }
    format!(
        r#"<div id="portolan-overlay" role="alertdialog" aria-labelledby="portolan-overlay-title"><style>#portolan-overlay{{position:fixed;inset:auto 1rem 1rem 1rem;max-height:60vh;overflow:auto;z-index:2147483647;background:#2b0b0b;color:#ffe9e9;border:2px solid #ff6b6b;border-radius:8px;padding:1rem 1.25rem;font:14px/1.5 ui-monospace,monospace;box-shadow:0 8px 30px rgba(0,0,0,.4)}}#portolan-overlay ul{{margin:.5rem 0 0;padding-left:1.2rem}}#portolan-overlay li{{margin:.4rem 0}}#portolan-overlay code{{background:#4a1414;color:#fff;padding:0 .3em;border-radius:3px;font:inherit}}#portolan-overlay .code{{color:#ffb3b3}}#portolan-overlay .help{{color:#c8e6ff}}#portolan-overlay button{{float:right;background:none;border:1px solid #ffb3b3;color:inherit;border-radius:4px;cursor:pointer}}</style><button type="button" onclick="this.parentNode.remove()">close</button><strong id="portolan-overlay-title">portolan: {} error{} — fix them and save, this page reloads</strong><ul>{items}</ul></div>"#,
        errors.len() + usize::from(shared.fatal.is_some()),
        if errors.len() + usize::from(shared.fatal.is_some()) == 1 {
            ""
        } else {
            "s"
        }
    )
}

/// Adds the live-reload script (and the overlay) before `</body>`: only
/// served pages get it, never `build` output.
fn inject(html: &[u8], shared: &Shared) -> Vec<u8> {
    let addition = format!(
        "{}<script src=\"{SCRIPT_PATH}\"></script>",
        overlay_html(shared)
    );
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => {
            let mut out = String::with_capacity(text.len() + addition.len());
            out.push_str(&text[..at]);
            out.push_str(&addition);
            out.push_str(&text[at..]);
            out.into_bytes()
        }
        None => {
            let mut out = text.into_owned();
            out.push_str(&addition);
            out.into_bytes()
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        307 => "Temporary Redirect",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    }
}

/// Writes the whole response itself, to say `Connection: close`, which
/// tiny_http's `Response` refuses to set. tiny_http keeps a pool thread per
/// open connection and, in a burst of new connections, queues some behind
/// ones a browser keeps alive; closed after each response, no connection
/// holds a thread for longer than its request.
fn respond(request: Request, status: u16, ctype: &str, body: Vec<u8>, extra: &[(&str, String)]) {
    let head_only = *request.method() == Method::Head;
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    for (name, value) in extra {
        // Values come from request data (Host) and site paths: no line
        // breaks may reach the header block.
        let value: String = value.chars().filter(|c| !c.is_control()).collect();
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut writer = request.into_writer();
    let _ = writer.write_all(head.as_bytes());
    if !head_only {
        let _ = writer.write_all(&body);
    }
    let _ = writer.flush();
}

fn redirect(request: Request, status: u16, location: String) {
    respond(
        request,
        status,
        "text/plain",
        Vec::new(),
        &[("Location", location)],
    );
}

/// Where the preview listens: the bound address and the event port.
#[derive(Debug, Clone, Copy)]
pub struct Endpoint {
    pub bound: IpAddr,
    pub events_port: u16,
}

/// The host part of a Host header value: `[::1]:8080` → `::1`,
/// `localhost:1111` → `localhost`.
fn host_part(value: &str) -> &str {
    let value = value.trim();
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    match value.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => value,
    }
}

/// Whether a request's Host is one the preview answers: localhost, a
/// loopback address, the bound address, or (bound to all interfaces) any IP
/// literal. A DNS name pointing here (DNS rebinding: a web page reading the
/// preview through its own domain) is refused.
pub fn host_allowed(host: Option<&str>, bound: IpAddr) -> bool {
    let Some(host) = host else {
        // HTTP/1.0 without Host: not a browser's request.
        return true;
    };
    let name = host_part(host);
    let lower = name.to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip == bound || bound.is_unspecified(),
        Err(_) => false,
    }
}

fn header<'r>(request: &'r Request, name: &'static str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

/// The event stream's URL on the host the browser used (already checked
/// against the allowed hosts), so the stream stays on the same interface.
fn events_url(request: &Request, endpoint: Endpoint) -> String {
    let host = header(request, "Host")
        .map(host_part)
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| endpoint.bound.to_string());
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    format!("http://{host}:{}{EVENTS_PATH}", endpoint.events_port)
}

pub fn handle(request: Request, shared: &RwLock<Shared>, endpoint: Endpoint) {
    if !host_allowed(header(&request, "Host"), endpoint.bound) {
        respond(
            request,
            403,
            "text/plain; charset=utf-8",
            b"forbidden: this preview answers only to localhost and its own address\n".to_vec(),
            &[],
        );
        return;
    }
    let method = request.method().clone();
    if !matches!(method, Method::Get | Method::Head) {
        respond(
            request,
            405,
            "text/plain; charset=utf-8",
            b"method not allowed\n".to_vec(),
            &[("Allow", "GET, HEAD".into())],
        );
        return;
    }
    let url = request.url().to_owned();
    let path_only = url.split(['?', '#']).next().unwrap_or("");
    if path_only == EVENTS_PATH {
        let location = events_url(&request, endpoint);
        redirect(request, 307, location);
        return;
    }
    if path_only == SCRIPT_PATH {
        respond(
            request,
            200,
            "text/javascript; charset=utf-8",
            LIVE_RELOAD_JS.as_bytes().to_vec(),
            &[],
        );
        return;
    }
    let Ok(shared) = shared.read() else {
        respond(
            request,
            500,
            "text/plain",
            b"internal error\n".to_vec(),
            &[],
        );
        return;
    };
    let found = site_path(&url).and_then(|p| shared.files.get(&p).map(|b| (p, Arc::clone(b))));
    match found {
        Some((path, bytes)) => {
            let ctype = content_type(&path);
            let body = if path.ends_with(".html") {
                inject(&bytes, &shared)
            } else {
                bytes.to_vec()
            };
            respond(request, 200, ctype, body, &[]);
        }
        None => {
            // `/payments/stripe` → `/payments/stripe/`, as static hosts do.
            if let Some(p) = site_path(&url).filter(|p| !p.ends_with("index.html")) {
                if shared.files.contains_key(&format!("{p}/index.html")) {
                    redirect(request, 301, format!("/{}/", crate::urls::encode_path(&p)));
                    return;
                }
            }
            let page = shared
                .files
                .get("404.html")
                .map(|b| inject(b, &shared))
                .unwrap_or_else(|| b"not found\n".to_vec());
            respond(request, 404, "text/html; charset=utf-8", page, &[]);
        }
    }
}

/// The event server: a thread per connection; each gets `retry`, then a
/// `reload` event per rebuild and a comment every 15 s so dead connections
/// are noticed and dropped.
pub fn start_event_server(listener: TcpListener, hub: Arc<Hub>, bound: IpAddr) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let hub = Arc::clone(&hub);
            std::thread::spawn(move || stream_events(stream, &hub, bound));
        }
    });
}

fn stream_events(mut stream: TcpStream, hub: &Hub, bound: IpAddr) {
    // Read the request head (bounded in size and time) and check the path.
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let request_line = String::from_utf8_lossy(&head);
    let target = request_line.split_whitespace().nth(1).unwrap_or("");
    let path = target.split('?').next().unwrap_or("");
    let host = request_line.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("host")
            .then_some(value.trim())
    });
    if !host_allowed(host, bound) {
        let _ = stream
            .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    if path != EVENTS_PATH {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    let receiver = hub.subscribe();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nAccess-Control-Allow-Origin: *\r\nConnection: keep-alive\r\n\r\nretry: 1000\n: connected\n\n";
    if stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.flush())
        .is_err()
    {
        return;
    }
    loop {
        let chunk = match receiver.recv_timeout(Duration::from_secs(15)) {
            Ok(event) => format!("event: reload\ndata: {event}\n\n"),
            Err(mpsc::RecvTimeoutError::Timeout) => ": keep-alive\n\n".to_owned(),
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if stream
            .write_all(chunk.as_bytes())
            .and_then(|_| stream.flush())
            .is_err()
        {
            return;
        }
    }
}

/// Answers requests on `threads` threads until the server is dropped.
pub fn spawn_workers(
    server: Arc<Server>,
    shared: Arc<RwLock<Shared>>,
    endpoint: Endpoint,
    threads: usize,
) {
    for _ in 0..threads {
        let server = Arc::clone(&server);
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            while let Ok(request) = server.recv() {
                handle(request, &shared, endpoint);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_never_leave_the_site() {
        assert_eq!(site_path("/").as_deref(), Some("index.html"));
        assert_eq!(site_path("/a/b/?x=1").as_deref(), Some("a/b/index.html"));
        assert_eq!(
            site_path("/static/style.css").as_deref(),
            Some("static/style.css")
        );
        assert_eq!(site_path("/%C3%BC/").as_deref(), Some("ü/index.html"));
        for bad in [
            "/../etc/passwd",
            "/a/%2e%2e/%2e%2e/x",
            "/%2E%2E%2Fsite.toml",
            "/a\\..\\b",
            "/x%00",
        ] {
            assert_eq!(site_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_local_hosts_are_answered() {
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        for ok in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LOCALHOST",
            "[::1]:1111",
            "127.0.0.2",
            "app.localhost:80",
        ] {
            assert!(host_allowed(Some(ok), lo), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:1111",
            "192.168.1.9:1111",
            "localhost.evil.example",
            "",
        ] {
            assert!(!host_allowed(Some(bad), lo), "{bad}");
        }
        let any: IpAddr = "0.0.0.0".parse().unwrap();
        assert!(host_allowed(Some("192.168.1.9:1111"), any));
        assert!(!host_allowed(Some("rebind.evil.example:1111"), any));
        let lan: IpAddr = "10.1.2.3".parse().unwrap();
        assert!(host_allowed(Some("10.1.2.3:1111"), lan));
        assert!(!host_allowed(Some("10.1.2.4:1111"), lan));
    }

    #[test]
    fn injection_goes_before_body_end() {
        let shared = Shared::default();
        let out =
            String::from_utf8(inject(b"<html><body><p>x</p></body></html>", &shared)).unwrap();
        assert!(
            out.ends_with("<script src=\"/__portolan/live.js\"></script></body></html>"),
            "{out}"
        );
        assert!(!out.contains("portolan-overlay"));
    }

    #[test]
    fn overlay_escapes_diagnostics() {
        let shared = Shared {
            overlay: vec![Diagnostic::error(
                "content/<a>.md",
                3,
                "yaml-syntax",
                "bad <script>",
            )],
            ..Shared::default()
        };
        let html = overlay_html(&shared);
        assert!(html.contains("content/&lt;a&gt;.md:3"));
        assert!(html.contains("bad &lt;script&gt;"));
        assert!(!html.contains("<script>"));
    }
}
