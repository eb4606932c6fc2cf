//! Diagrams through the real mermaid-cli and Debian's Chromium: inline SVG,
//! broken diagrams as diagnostics at their fence, the cache, and the
//! fallback when the tools are missing.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

const GOOD: &str = "```mermaid\ngraph LR\n    A[Orders] --> B[Kafka]\n```\n";
const BROKEN: &str = "```mermaid\ngraph LR\n    A --> \n```\n";
const SEQUENCE: &str = "```mermaid\nsequenceDiagram\n    A->>B: hello\n```\n";

/// The diagnostics of a JSON report with one code.
fn with_code<'a>(report: &'a serde_json::Value, code: &str) -> Vec<&'a serde_json::Value> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

fn run_with(root: &Path, cache: &Path, mmdc: &Path, args: &[&str]) -> Output {
    bin()
        .args(args)
        .arg("--root")
        .arg(root)
        .env("PORTOLAN_CACHE_DIR", cache)
        .env("PORTOLAN_MMDC", mmdc)
        .output()
        .expect("portolan runs")
}

/// A new site of `files` built with an empty cache into its `public/`:
/// the site, the cache (for a second build) and the build's output.
struct Built {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
    out: std::path::PathBuf,
    run: Output,
}

fn build_new(files: &[(&str, &[u8])], mmdc: &Path) -> Built {
    let dir = site(files);
    let cache = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let run = run_with(
        dir.path(),
        cache.path(),
        mmdc,
        &["build", "--out", out.to_str().unwrap()],
    );
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    Built {
        dir,
        cache,
        out,
        run,
    }
}

#[test]
fn broken_diagram_is_an_error_at_its_fence_and_neighbours_render() {
    let Some(mmdc) = mmdc() else { return };
    // Lines: 1 "# Flows", 3 good fence, 10 broken fence, 17 sequence fence.
    let doc = format!("# Flows\n\n{GOOD}\nText.\n\n{BROKEN}\nMore.\n\n{SEQUENCE}");
    let dir = site(&[("content/flows.md", doc.as_bytes())]);
    let cache = tempfile::tempdir().unwrap();
    let o = run_with(
        dir.path(),
        cache.path(),
        &mmdc,
        &["check", "--format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    let diagrams = with_code(&v, "diagram");
    assert_eq!(diagrams.len(), 1, "{v:#}");
    assert_eq!(diagrams[0]["file"], "content/flows.md");
    assert_eq!(diagrams[0]["line"], 10);
    let message = diagrams[0]["message"].as_str().unwrap();
    assert!(message.contains("Parse error"), "{message}");
    assert!(
        !message.contains("    at "),
        "no JavaScript stack: {message}"
    );

    // The neighbours rendered: with the broken fence gone, the build takes
    // everything from the cache and starts no renderer.
    let fixed = format!("# Flows\n\n{GOOD}\nText.\n\n{SEQUENCE}");
    std::fs::write(dir.path().join("content/flows.md"), fixed).unwrap();
    let out = dir.path().join("public");
    let o = run_with(
        dir.path(),
        cache.path(),
        &mmdc,
        &["build", "--out", out.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("0 rendered, 2 from cache, 0 broken; renderer not started"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn good_fences_become_accessible_inline_svg_with_unique_ids() {
    let Some(mmdc) = mmdc() else { return };
    let doc = format!(
        "---\ntitle: Flows\n---\n\n# Flows\n\n{GOOD}\nOrders flow from the order service into Kafka.\n\n{SEQUENCE}\n## Next\n"
    );
    let Built {
        dir,
        cache,
        out,
        run: o,
    } = build_new(&[("content/flows.md", doc.as_bytes())], &mmdc);
    assert!(
        stdout(&o).contains("2 rendered, 0 from cache, 0 broken; renderer started"),
        "{}",
        stdout(&o)
    );
    let html = std::fs::read_to_string(out.join("flows/index.html")).unwrap();
    assert_eq!(html.matches("<svg role=\"img\"").count(), 2, "{html}");
    // The paragraph after the first diagram is its accessible name; the
    // second has none, so its kind names it.
    assert!(html.contains(r#"<svg role="img" aria-label="Orders flow from the order service into Kafka." id="diagram-1""#));
    assert!(html.contains(r#"<svg role="img" aria-label="Sequence diagram" id="diagram-2""#));
    assert!(!html.contains("portolan-mermaid-svg") && !html.contains("my-svg"));
    assert!(
        !html.contains("diagram-source"),
        "no fallback source blocks"
    );

    // Second build: everything cached, no renderer process.
    let o = run_with(
        dir.path(),
        cache.path(),
        &mmdc,
        &["build", "--out", out.to_str().unwrap()],
    );
    assert!(
        stdout(&o).contains("renderer not started"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        std::fs::read_to_string(out.join("flows/index.html")).unwrap(),
        html
    );
}

#[test]
fn a_hung_diagram_is_stopped_and_the_rest_still_render() {
    let Some(mmdc) = mmdc() else { return };
    // The worker is told to hang for real (a busy loop in the page) on the
    // diagram carrying the marker, with a 1 s limit of its own; the good
    // ones get 60 s, which no busy machine misses. The test depends on no
    // machine's speed.
    let hung = "```mermaid\ngraph TD\n    HANG_HERE --> x\n```\n";
    let doc = format!("# Slow\n\n{hung}\n{GOOD}\n{SEQUENCE}");
    let dir = site(&[
        ("content/slow.md", doc.as_bytes()),
        ("site.toml", b"[diagrams]\ntimeout_seconds = 60\n"),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let check = || {
        bin()
            .args(["check", "--format", "json", "--root"])
            .arg(dir.path())
            .env("PORTOLAN_CACHE_DIR", cache.path())
            .env("PORTOLAN_MMDC", &mmdc)
            .env("PORTOLAN_TEST_HANG_MARKER", "HANG_HERE")
            .output()
            .unwrap()
    };
    let v = json(&check());
    let diagrams = with_code(&v, "diagram");
    assert_eq!(diagrams.len(), 1, "{v:#}");
    assert_eq!(diagrams[0]["line"], 3);
    assert!(
        diagrams[0]["message"]
            .as_str()
            .unwrap()
            .contains("longer than 1 s"),
        "{v:#}"
    );
    // The page was replaced and both diagrams after it rendered; the
    // timeout itself was not cached (it says nothing about the diagram).
    let cached: Vec<String> = std::fs::read_dir(cache.path().join("diagrams"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert_eq!(cached.len(), 2, "{cached:?}");
    assert!(cached.iter().all(|c| c.contains("\"svg\"")), "{cached:?}");
    // Without the hang, the same diagram renders: no stale verdict.
    let o = bin()
        .args(["check", "--format", "json", "--root"])
        .arg(dir.path())
        .env("PORTOLAN_CACHE_DIR", cache.path())
        .env("PORTOLAN_MMDC", &mmdc)
        .output()
        .unwrap();
    let v = json(&o);
    assert!(
        !v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "diagram"),
        "{v:#}"
    );
}

#[test]
fn diagram_configuration_cannot_load_or_run_anything() {
    let Some(mmdc) = mmdc() else { return };
    let doc = "# Evil\n\n```Mermaid\n%%{init: {'theme': 'forest', 'themeCSS': '.node rect{fill:url(https://evil.example/x)} @import url(https://evil.example/y.css);', 'securityLevel': 'loose'}}%%\ngraph LR\n    A[\"<img src=x onerror=alert(1)>\"] --> B\n    click A \"javascript:alert(2)\"\n```\n";
    let dir = site(&[("content/evil.md", doc.as_bytes())]);
    let cache = tempfile::tempdir().unwrap();
    let o = run_with(
        dir.path(),
        cache.path(),
        &mmdc,
        &["check", "--format", "json"],
    );
    let v = json(&o);
    let warning = *with_code(&v, "diagram")
        .iter()
        .find(|d| d["severity"] == "warning")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(warning["line"], 3);
    let message = warning["message"].as_str().unwrap();
    assert!(
        message.contains("themeCSS") && message.contains("securityLevel"),
        "{message}"
    );
    let out = dir.path().join("public");
    let o = bin()
        .args(["build", "--root"])
        .arg(dir.path())
        .env("PORTOLAN_CACHE_DIR", cache.path())
        .env("PORTOLAN_MMDC", &mmdc)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(out.join("evil/index.html")).unwrap();
    assert!(page.contains("<svg"), "```Mermaid renders like ```mermaid");
    let svg = &page[page.find("<svg").unwrap()..page.rfind("</svg>").unwrap()];
    for bad in [
        "evil.example",
        "@import",
        "onerror",
        "javascript:",
        "<script",
        "<img",
    ] {
        assert!(!svg.contains(bad), "{bad} in the inline SVG");
    }
}

#[test]
fn oversized_definitions_are_errors_not_error_pictures() {
    let Some(mmdc) = mmdc() else { return };
    let mut big = String::from("```mermaid\ngraph TD\n");
    for i in 0..2500 {
        big.push_str(&format!("    n{i} --> n{}\n", i + 1));
        big.push_str(&format!("    n{i} --> m{}\n", i % 97));
    }
    big.push_str("```\n");
    let dir = site(&[("content/big.md", format!("# Big\n\n{big}").as_bytes())]);
    let cache = tempfile::tempdir().unwrap();
    let o = run_with(
        dir.path(),
        cache.path(),
        &mmdc,
        &["check", "--format", "json"],
    );
    let v = json(&o);
    assert_eq!(v["diagnostics"][0]["code"], "diagram", "{v:#}");
    assert!(v["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("maxTextSize"));
}

#[test]
fn without_mermaid_cli_diagrams_show_as_source_and_the_build_passes() {
    let doc = format!("# Flows\n\n{GOOD}\n{SEQUENCE}");
    let dir = site(&[
        ("content/flows.md", doc.as_bytes()),
        ("site.toml", b"[diagrams]\nmmdc = \"no/such/mmdc\"\n"),
    ]);
    let out = dir.path().join("public");
    let o = bin()
        .args(["build", "--root"])
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(
        err.matches("warning[diagrams-unavailable]").count(),
        1,
        "one warning per run: {err}"
    );
    assert!(
        err.contains("2 mermaid diagrams are shown as source"),
        "{err}"
    );
    assert!(err.contains("apt-get install chromium"), "{err}");
    let html = std::fs::read_to_string(out.join("flows/index.html")).unwrap();
    assert_eq!(
        html.matches(
            r#"<figure class="diagram diagram-source" data-lang="mermaid" data-pagefind-ignore>"#
        )
        .count(),
        2
    );
    assert!(html.contains("A[Orders] --&gt; B[Kafka]"));

    let o = bin()
        .args(["build", "--strict", "--root"])
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "--strict fails on the warning");
}

/// A cache entry is never trusted blindly: one whose SVG does not survive
/// the sanitizer (tampered, or written by a broken renderer) is rendered
/// anew, and one carrying script is published without it.
/// Every `<svg …>…</svg>` of a page, in order.
fn svgs(html: &str) -> Vec<&str> {
    html.match_indices("<svg role=\"img\"")
        .map(|(start, _)| {
            let end = start + html[start..].find("</svg>").expect("closed") + "</svg>".len();
            &html[start..end]
        })
        .collect()
}

/// mermaid keeps counters in its modules (sequence actors, gantt tasks),
/// draws with Math.random (gitGraph ids, hand-drawn class boxes), and
/// reads the clock. A diagram must still draw the same bytes whatever
/// rendered before it, or a cold build and a cached one differ.
#[test]
fn a_diagram_draws_the_same_bytes_whatever_rendered_before_it() {
    let Some(mmdc) = mmdc() else { return };
    let sequence = |n: usize| {
        format!("```mermaid\nsequenceDiagram\n    participant Shop{n}\n    participant Payments\n    participant Ledger\n    Shop{n}->>Payments: charge\n    Payments->>Ledger: book\n```\n\n")
    };
    // Renders first in the larger build: enough sequence diagrams that
    // both worker pages have drawn some before the second document's.
    let first: String = std::iter::once("# First\n\n".to_owned())
        .chain((0..6).map(sequence))
        .collect();
    let second = format!(
        "# Second\n\n{}```mermaid\ngitGraph\n    commit\n    branch hotfix\n    commit\n    checkout main\n    merge hotfix\n```\n\n```mermaid\n---\nconfig:\n  look: handDrawn\n---\nclassDiagram\n    class Order\n    Order : +id\n```\n\n```mermaid\ngantt\n    dateFormat YYYY-MM-DD\n    Pick :a1, 2024-03-01, 2d\n    Pack :after a1, 1d\n    Ship :after missing, 1d\n```\n\n```mermaid\ngantt\n    dateFormat HH:mm\n    Standup :s1, 09:00, 15m\n```\n",
        sequence(99)
    );
    let build = |files: &[(&str, &[u8])]| {
        let built = build_new(files, &mmdc);
        std::fs::read_to_string(built.out.join("second/index.html")).unwrap()
    };
    let alone = build(&[("content/second.md", second.as_bytes())]);
    let after_others = build(&[
        ("content/first.md", first.as_bytes()),
        ("content/second.md", second.as_bytes()),
    ]);
    let (alone, after_others) = (svgs(&alone), svgs(&after_others));
    assert_eq!(alone.len(), 5, "five diagrams rendered: {alone:?}");
    for (i, (a, b)) in alone.iter().zip(&after_others).enumerate() {
        assert_eq!(
            a,
            b,
            "diagram {} differs with other diagrams rendered first",
            i + 1
        );
    }
    // A time without a date falls on the worker's fixed day, not the
    // build's: tomorrow's build draws the same axis.
    assert!(alone[4].contains("2000-01-01"), "{}", alone[4]);
    // Nor does a gantt mark that day as today (it would sit far off the
    // chart, or on it for a chart of 2000).
    for gantt in &alone[3..] {
        assert!(gantt.contains("aria-roledescription=\"gantt\""), "{gantt}");
        assert!(!gantt.contains("class=\"today\""), "{gantt}");
    }
}

/// The worker serves mermaid's modules to its browser from a local HTTP
/// server, and a diagram can make that browser ask it for any path: an
/// image in a label is fetched from the worker's origin. Requests for
/// Object's own keys, paths that climb out of a package or name no module
/// get nothing, and the worker renders on.
#[test]
fn requests_a_diagram_makes_to_the_module_server_do_not_stop_the_worker() {
    let Some(mmdc) = mmdc() else { return };
    let asks = [
        "/constructor/x.mjs",
        "/__proto__/x.mjs",
        "/hasOwnProperty/x.mjs",
        "/mermaid/../../../../../etc/passwd",
        "/mermaid/%2e%2e/%2e%2e/package.json",
        "/mermaid/..%2f..%2fpackage.json",
        "/%E0%A4%A/x.mjs",
        "/elk/",
    ];
    let labels: String = asks
        .iter()
        .enumerate()
        .map(|(n, src)| format!("    N{n}[\"<img src='{src}'> ask {n}\"]\n"))
        .collect();
    let asking = format!("# Asking\n\n```mermaid\nflowchart LR\n{labels}```\n");
    // Sequence diagrams after it, on both worker pages: drawn only if the
    // worker and its server are still there.
    let after: String = (0..4)
        .map(|n| format!("```mermaid\nsequenceDiagram\n    Shop{n}->>Payments: charge\n```\n\n"))
        .collect();
    let after = format!("# After\n\n{after}");
    let built = build_new(
        &[
            ("content/a-asking.md", asking.as_bytes()),
            ("content/b-after.md", after.as_bytes()),
        ],
        &mmdc,
    );
    let err = stderr(&built.run);
    assert!(!err.contains("warning[diagram"), "{err}");
    let page = |p: &str| std::fs::read_to_string(built.out.join(p)).unwrap();
    let (asking, after) = (page("a-asking/index.html"), page("b-after/index.html"));
    let asking_svgs = svgs(&asking);
    assert_eq!(asking_svgs.len(), 1, "{err}");
    assert!(asking_svgs[0].contains("ask 7"), "{}", asking_svgs[0]);
    let after_svgs = svgs(&after);
    assert_eq!(after_svgs.len(), 4, "every later diagram drawn: {err}");
    for svg in &after_svgs {
        assert!(svg.contains("Payments"), "{svg}");
    }
}

#[test]
fn tampered_cache_entries_are_not_published() {
    let Some(mmdc) = mmdc() else { return };
    let dir = site(&[("content/a.md", format!("# A\n\n{GOOD}").as_bytes())]);
    let cache = tempfile::tempdir().unwrap();
    let check = || {
        run_with(
            dir.path(),
            cache.path(),
            &mmdc,
            &["check", "--format", "json"],
        )
    };
    assert!(with_code(&json(&check()), "diagram").is_empty());
    let entries: Vec<_> = std::fs::read_dir(cache.path().join("diagrams"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(entries.len(), 1);
    // Not well-formed: rendered again, no error reaches the author.
    std::fs::write(
        &entries[0],
        r#"{"svg":{"svg":"<svg><g></svg>","title":null,"desc":null}}"#,
    )
    .unwrap();
    assert!(with_code(&json(&check()), "diagram").is_empty());
    let rewritten = std::fs::read_to_string(&entries[0]).unwrap();
    assert!(rewritten.contains("Orders"), "{rewritten}");
    // Well-formed but hostile: published without the script.
    std::fs::write(
        &entries[0],
        r#"{"svg":{"svg":"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script><text>cached</text></svg>","title":null,"desc":null}}"#,
    )
    .unwrap();
    let o = run_with(dir.path(), cache.path(), &mmdc, &["build"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = std::fs::read_to_string(dir.path().join("public/a/index.html")).unwrap();
    assert!(page.contains("cached"), "the cached entry was used");
    assert!(
        !page.contains("alert(") && !page.contains("onload"),
        "{page}"
    );
}

#[test]
fn wide_diagrams_stay_readable_on_a_phone_in_chromium() {
    let Some(mmdc) = mmdc() else { return };
    let Some(chromium) = browser_with("puppeteer") else {
        return;
    };
    // The example's Stripe page: a flowchart about 1,400 px wide.
    let cache = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = run_with(
        &repo_root(),
        cache.path(),
        &mmdc,
        &["build", "--out", out.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let server = StaticServer::start(out, "/integrations/", 50, 120);
    let page = format!(
        "http://127.0.0.1:{}/integrations/payments/stripe-payments/",
        server.port
    );
    let v = browser_script("diagram-phone.mjs", &[&page, chromium.to_str().unwrap()]);
    let fitted = v["fitted"].as_array().unwrap();
    assert_eq!(fitted.len(), 2, "{v:#}");
    for d in fitted {
        assert!(d["smallestText"].as_f64().unwrap() >= 11.9, "{v:#}");
    }
    let wide = &fitted[0];
    assert!(wide["natural"].as_f64().unwrap() > 1000.0, "{v:#}");
    assert_eq!(wide["scrolls"], true, "the figure scrolls, not the page");
    assert_eq!(wide["button"], true);
    assert_eq!(v["pageOverflow"], false, "{v:#}");
    let full = &v["full"][0];
    assert!(
        (full["width"].as_f64().unwrap() - 16.0 - full["natural"].as_f64().unwrap()).abs() < 2.0,
        "{v:#}"
    );
    assert_eq!(v["pressed"], "true");
}

/// A build that takes its diagrams from the cache writes what a cold
/// build writes, byte for byte, the build marker included (it once
/// recorded how many diagrams were rendered and how many came from the
/// cache); and a build into a cold build's output finds it current.
#[test]
fn diagrams_from_the_cache_write_what_a_cold_build_writes() {
    let Some(mmdc) = mmdc() else { return };
    let page = format!("# A\n\n{GOOD}\n{SEQUENCE}\nProse.\n");
    let built = build_new(
        &[
            ("content/a.md", page.as_bytes()),
            ("content/b.md", format!("# B\n\n{GOOD}").as_bytes()),
        ],
        &mmdc,
    );
    assert!(
        stdout(&built.run).contains("2 rendered"),
        "{}",
        stdout(&built.run)
    );
    // An edit elsewhere: the next build is not a replay, and its diagrams
    // come from the cache.
    write(
        built.dir.path(),
        "content/a.md",
        format!("{page}\nMore prose.\n").as_bytes(),
    );
    let cached_out = built.dir.path().join("cached");
    let o = run_with(
        built.dir.path(),
        built.cache.path(),
        &mmdc,
        &["build", "--out", cached_out.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("2 from cache"), "{}", stdout(&o));
    let cold_cache = tempfile::tempdir().unwrap();
    let cold_out = built.dir.path().join("cold");
    let o = run_with(
        built.dir.path(),
        cold_cache.path(),
        &mmdc,
        &["build", "--out", cold_out.to_str().unwrap()],
    );
    assert!(stdout(&o).contains("2 rendered"), "{}", stdout(&o));
    let cold = read_tree(&cold_out);
    assert!(cold.contains_key(".portolan-build"));
    assert_same_files(
        &cold,
        &read_tree(&cached_out),
        "cached diagrams against rendered ones",
    );
    // Without replay, a build checks the output's marker against its inputs.
    let o = bin()
        .args(["build", "--root"])
        .arg(built.dir.path())
        .args(["--out", cold_out.to_str().unwrap()])
        .env("PORTOLAN_CACHE_DIR", built.cache.path())
        .env("PORTOLAN_MMDC", &mmdc)
        .env("PORTOLAN_REPLAY", "off")
        .output()
        .expect("portolan runs");
    assert!(stdout(&o).contains("is up to date"), "{}", stdout(&o));
}
