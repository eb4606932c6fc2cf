//! `portolan build` through the real binary: pages and their contents,
//! escaping, atomic failure, refused output dirs, determinism, themes.

mod common;

use std::path::Path;

use common::*;

fn build(root: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    bin()
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("portolan runs")
}

fn html_safe_pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value)
        .unwrap()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        + "\n"
}

#[test]
fn a_catalog_without_documents_still_has_valid_feeds() {
    let dir = site(&[
        ("site.toml", b"title = \"Empty <&>\"\n"),
        ("content/.keep", b""),
    ]);
    let out = dir.path().join("public");
    let o = build(dir.path(), &out, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = read(&out.join("catalog.json"));
    let catalog: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(catalog["documents"], serde_json::json!([]));
    assert_eq!(catalog["title"], "Empty <&>");
    assert_eq!(text, html_safe_pretty(&catalog));
}

/// Without `PORTOLAN_CACHE_DIR` (the tests set it, to keep the source tree
/// clean) the cache is `.portolan/cache` under the site root, and the next
/// build into a fresh dir replays from it.
#[test]
fn the_cache_lives_under_the_site_root_by_default() {
    let dir = site(&[
        ("site.toml", b"title = \"Cached\"\n"),
        ("content/a.md", b"# A\n\nText.\n"),
    ]);
    let cache = dir.path().join(".portolan/cache");
    for n in 0..2 {
        let out = dir.path().join(format!("public-{n}"));
        let o = bin()
            .args(["build", "--root"])
            .arg(dir.path())
            .arg("--out")
            .arg(&out)
            .env_remove("PORTOLAN_CACHE_DIR")
            .env("PORTOLAN_DIAGRAMS", "off")
            .output()
            .expect("portolan runs");
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(out.join("a/index.html").is_file());
        assert_eq!(
            stdout(&o).contains("replayed from the cache"),
            n == 1,
            "{}",
            stdout(&o)
        );
    }
    assert!(
        cache.join("builds").is_dir(),
        "the kept build is in {cache:?}"
    );
    assert!(cache.join("search").is_dir());
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn example_catalog_pages_and_feeds() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = build(&repo_root(), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let summary = stdout(&o);
    assert!(summary.starts_with("built 15 documents into "), "{summary}");

    // A full integration document under the base_url path.
    let stripe = read(&out.join("payments/stripe-payments/index.html"));
    assert!(
        stripe.contains(r#"<h1 data-pagefind-meta="title">Stripe Card Payments Integration</h1>"#)
    );
    assert!(stripe.contains(r#"<link rel="stylesheet" href="/integrations/static/style.css">"#));
    assert!(stripe.contains(r##"<h2 id="overview">Overview <a class="anchor" href="#overview""##));
    assert!(
        stripe.contains(r#"<span class="l"#) && stripe.contains(r#" d"#),
        "highlighted code"
    );
    assert!(stripe.contains(r#"data-lang="ruby""#));
    if repo_root().join("node_modules/.bin/mmdc").exists() {
        // Rendered by mermaid-cli (tests/diagrams.rs covers the details).
        assert_eq!(stripe.matches(r#"<svg role="img""#).count(), 2);
    } else {
        assert!(stripe.contains(
            r#"<figure class="diagram diagram-source" data-lang="mermaid" data-pagefind-ignore>"#
        ));
        assert!(stripe.contains("graph LR"), "mermaid source stays readable");
    }
    // Focusable, so a keyboard can scroll a wide table.
    assert!(stripe.contains(r#"<div class="table-wrap" tabindex="0"><table>"#));
    // Relative .md links become page URLs, anchors kept.
    assert!(stripe.contains(r#"href="/integrations/payments/adyen-pos-terminals/""#));
    assert!(stripe.contains(
        r##"href="/integrations/features/checkout-integration-points/#external-system-integrations""##
    ));
    // Related (related_files) and referenced-by (the inverse, incl. body links).
    let related = stripe
        .split("id=\"related-heading\"")
        .nth(1)
        .expect("related section");
    assert!(
        related.contains("Integration: Order Service → Kafka order-events"),
        "{related}"
    );
    let referenced = stripe
        .split("id=\"referenced-heading\"")
        .nth(1)
        .expect("referenced-by");
    assert!(referenced.contains("Zendesk ↔ Order Service Integration Documentation"));
    assert!(stripe.contains(r#"<a href="https://git.harborline.example/platform/integration-docs/edit/main/content/payments/stripe-payments.md">Edit this page</a>"#));
    assert!(stripe.contains(r#"<a class="tag" href="/integrations/tags/payments/">payments</a>"#));

    // The system-pair shape: [REQUIRED] markers are badges, ASCII diagrams plain.
    let pair = read(&out.join("crm/salesforce-storefront/index.html"));
    assert!(
        pair.contains(r#"Executive Summary <span class="badge badge-required">required</span>"#)
    );
    assert!(pair.contains(r#"<pre class="plain" tabindex="0"><code>┌"#));
    assert!(
        !pair.contains("Owned by the CRM squad"),
        "HTML comments are dropped"
    );
    // The service-spec shape: `# {name}` filled; raw HTML never passes.
    let twilio = read(&out.join("messaging/twilio-sms/index.html"));
    assert!(twilio.contains(">Twilio SMS Notifications</h1>"));
    assert!(!twilio.contains("{name}"));

    // Home lists every document once, with facets.
    let home = read(&out.join("index.html"));
    assert_eq!(home.matches("class=\"doc-row\"").count(), 15);
    assert!(home.contains(r#"data-facet="tags""#) && home.contains(r#"data-facet="agents""#));
    assert!(home.contains(r#"<input type="checkbox" name="tags" value="payments">"#));
    // `content/_index.md` introduces it, and has no page of its own.
    assert!(
        home.contains(r#"<section class="home-intro""#) && home.contains("onboarding handbook")
    );
    assert!(!out.join("_index").exists());

    // Tags, agents (with the document's note quoted), systems, 404.
    let tag = read(&out.join("tags/payments/index.html"));
    assert!(
        tag.contains("Stripe Card Payments Integration")
            && tag.contains("Adyen POS Terminals Integration")
    );
    let agent = read(&out.join("agents/POSIntegrationSpecialistAgent/index.html"));
    assert!(agent.contains("Point-of-sale and payment integrations"));
    assert!(
        agent.contains(r#"<blockquote class="agent-note">Never suggest retrying a timed-out sale"#)
    );
    let systems = read(&out.join("systems/index.html"));
    assert!(
        systems.contains("<td data-label=\"From\"><a href=\"/integrations/systems/storefront/\">Storefront</a></td><td aria-label=\"both ways\">↔</td><td data-label=\"To\"><a href=\"/integrations/systems/salesforce/\">Salesforce</a></td>"),
        "{systems}"
    );
    assert!(
        systems.contains("<a href=\"/integrations/systems/harborline/\">Harborline platform</a>")
    );
    let stripe_system = read(&out.join("systems/stripe/index.html"));
    assert!(stripe_system.contains("<h1>Stripe</h1>"));
    assert!(out.join("404.html").is_file());

    // sitemap.xml: absolute URLs and lastmod.
    let sitemap = read(&out.join("sitemap.xml"));
    assert!(sitemap.contains("<loc>https://docs.harborline.example/integrations/payments/stripe-payments/</loc>\n    <lastmod>2026-09-14</lastmod>"), "{sitemap}");
    // The home page, once, dated by the document that introduces it.
    assert!(sitemap.contains("<loc>https://docs.harborline.example/integrations/</loc>\n    <lastmod>2026-11-20</lastmod>"), "{sitemap}");
    assert_eq!(
        sitemap
            .matches("<loc>https://docs.harborline.example/integrations/</loc>")
            .count(),
        1
    );
    // catalog.json: every document with fields, URL and relations.
    let catalog_text = read(&out.join("catalog.json"));
    let catalog: serde_json::Value = serde_json::from_str(&catalog_text).unwrap();
    assert_eq!(
        catalog_text,
        html_safe_pretty(&catalog),
        "catalog.json is laid out as one pretty-printed document"
    );
    let docs = catalog["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 15);
    let stripe_json = docs
        .iter()
        .find(|d| d["source"] == "content/payments/stripe-payments.md")
        .unwrap();
    assert_eq!(
        stripe_json["url"],
        "https://docs.harborline.example/integrations/payments/stripe-payments/"
    );
    assert_eq!(stripe_json["fields"]["tags"][0], "payments");
    assert!(!stripe_json["referenced_by"].as_array().unwrap().is_empty());
    // llms.txt: H1, blockquote, H2 groups of [title](url): description.
    let llms = read(&out.join("llms.txt"));
    assert!(llms.starts_with("# Harborline Integration Catalog\n\n> "));
    assert!(llms.contains("\n## Service spec\n\n- ["), "{llms}");
    assert!(llms.contains("\n- [Twilio SMS Notifications](https://docs.harborline.example/integrations/messaging/twilio-sms/index.html.md): Order and pickup"), "{llms}");
    let copy = read(&out.join("messaging/twilio-sms/index.html.md"));
    assert!(
        copy.starts_with("# Twilio SMS Notifications\n\n> Order and pickup notifications"),
        "{copy}"
    );
    assert!(!copy.contains("id: INT-002"), "frontmatter dropped");
    assert!(out.join("static/highlight.css").is_file() && out.join("static/portolan.js").is_file());
    // A favicon, linked from every page.
    assert!(out.join("static/favicon.svg").is_file());
    assert!(stripe.contains(
        r#"<link rel="icon" href="/integrations/static/favicon.svg" type="image/svg+xml">"#
    ));
    // No request leaves the site: nothing refers to another host for assets.
    for page in [&stripe, &home, &systems] {
        assert!(!page.contains("src=\"http"), "external script");
        assert!(
            !page.contains("<link rel=\"stylesheet\" href=\"http"),
            "external stylesheet"
        );
    }
}

const HOSTILE: &[&str] = &[
    "<script>alert",
    "<img src=x",
    "<svg onload",
    "<iframe",
    "<b onmouseover",
    "<div onclick",
    "<b>catalog",
    "<b>bold",
];

#[test]
fn hostile_frontmatter_reaches_every_output_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = build(&fixture("hostile"), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let files = read_tree(&out);
    assert!(files.len() > 10);
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        if path.starts_with("pagefind/") {
            // Index data, not markup: the search page shows its values as
            // text (tests/search.rs checks that in Chromium).
            continue;
        }
        if path.ends_with(".md") {
            // The markdown copy holds the body as written; its header, made
            // from frontmatter, is escaped.
            let header: String = text.lines().take(3).collect::<Vec<_>>().join("\n");
            for needle in HOSTILE {
                assert!(!header.contains(needle), "{path}: {needle} in {header}");
            }
            continue;
        }
        for needle in HOSTILE {
            assert!(!text.contains(needle), "{path} contains raw {needle}");
        }
    }
    let full = String::from_utf8_lossy(&files["full/index.html"]).into_owned();
    assert!(full.contains(">&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
    // A heading's markup shows nothing in the title it gives (an image
    // without alt text): the title is what a reader sees, and the markup
    // reaches no output.
    let pair = String::from_utf8_lossy(&files["pair/index.html"]).into_owned();
    assert!(
        pair.contains("<title>Evil ↔ Ledger Integration Documentation · "),
        "{pair}"
    );
    assert!(!pair.contains("onerror"), "{pair}");
    let flow = String::from_utf8_lossy(&files["flow/index.html"]).into_owned();
    // Raw HTML goes through the sanitizer: script is removed with its
    // text, harmless markup stays, event attributes go.
    assert!(!flow.contains("alert(10)"), "raw script is removed");
    assert!(flow.contains("<div>x</div>"), "harmless markup stays");
    let json = String::from_utf8_lossy(&files["catalog.json"]).into_owned();
    assert!(json.contains("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["title"] == "<script>alert(1)</script>"));
    let sitemap = String::from_utf8_lossy(&files["sitemap.xml"]).into_owned();
    assert!(sitemap.contains("<loc>https://docs.example.com/integrations/full/</loc>"));
}

#[test]
fn a_failed_build_leaves_the_output_untouched() {
    let site_dir = site(&[
        ("content/a.md", b"# A\n\nSee [b](b.md).\n"),
        ("content/b.md", b"# B\n"),
    ]);
    let out = site_dir.path().join("public");
    let o = build(site_dir.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let before = read_tree(&out);

    std::fs::remove_file(site_dir.path().join("content/b.md")).unwrap();
    let o = build(site_dir.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error[broken-link]"), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing was written"));
    assert_eq!(
        read_tree(&out),
        before,
        "output dir changed by a failed build"
    );
    let leftovers: Vec<_> = std::fs::read_dir(site_dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("portolan-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // --strict: a warning is enough to stop, and still nothing is written.
    std::fs::write(
        site_dir.path().join("content/b.md"),
        "# B [Placeholder Text]\n",
    )
    .unwrap();
    let o = build(site_dir.path(), &out, &["--strict"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(read_tree(&out), before);
    // Without --strict the warning is printed and the build goes on.
    let o = build(site_dir.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("warning[placeholder]"));
    assert!(stdout(&o).contains("(1 warning)"), "{}", stdout(&o));
}

/// `broken_links = "warn"`: a site with broken links (a missing document,
/// a missing heading, a path out of the content dir, a file refused as a
/// symlink out of it) builds, each link reported as a warning and left as
/// written; `--strict` still stops it, and `related` entries stay errors.
#[test]
fn broken_links_as_warnings_let_a_site_build_while_they_are_fixed() {
    const WARN: &str =
        "title = \"t\"\n[validation]\nbroken_links = \"warn\"\n[diagrams]\nenabled = false\n";
    const DEFAULT: &str = "title = \"t\"\n[diagrams]\nenabled = false\n";
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "not for the site").unwrap();
    let site_dir = site(&[
        (
            "content/a.md",
            b"# A\n\nSee [gone](gone.md), [a heading](b.md#nope), [out](../../x.md) and [secret](secret.txt).\n",
        ),
        ("content/b.md", b"# B\n\n## Here\n"),
        ("site.toml", WARN.as_bytes()),
    ]);
    let root = site_dir.path();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        root.join("content/secret.txt"),
    )
    .unwrap();
    let out = root.join("public");
    let o = build(root, &out, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let expected = if cfg!(unix) { 4 } else { 3 };
    assert_eq!(
        err.matches("warning[broken-link]").count(),
        expected,
        "{err}"
    );
    assert!(!err.contains("error["), "{err}");
    let page = std::fs::read_to_string(out.join("a/index.html")).unwrap();
    assert!(page.contains(r#"<a href="gone.md">gone</a>"#), "{page}");
    assert!(
        page.contains(r#"<a href="/b/#nope">a heading</a>"#),
        "{page}"
    );
    assert!(page.contains(r#"<a href="../../x.md">out</a>"#), "{page}");
    let published = read_tree(&out);
    assert!(
        !published
            .values()
            .any(|bytes| bytes.windows(16).any(|w| w == b"not for the site")),
        "a refused file was published"
    );
    // CI keeps them fatal with --strict, and the site.toml default is error.
    let o = build(root, &root.join("strict"), &["--strict"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    std::fs::write(root.join("site.toml"), DEFAULT).unwrap();
    let o = build(root, &root.join("default"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).matches("error[broken-link]").count(), expected);
    // `related` entries are the catalog's own data: never warnings.
    std::fs::write(root.join("site.toml"), WARN).unwrap();
    std::fs::write(
        root.join("content/b.md"),
        "---\nrelated: [missing.md]\n---\n# B\n\n## Here\n",
    )
    .unwrap();
    let o = build(root, &root.join("related"), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("error[broken-related]"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn dangerous_output_dirs_are_refused() {
    let site_dir = site(&[
        ("content/a.md", b"# A\n"),
        ("site.toml", b"title = \"t\"\n"),
    ]);
    let root = site_dir.path();
    let foreign = root.join("mine");
    write(root, "mine/keep.txt", b"precious");
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    for (out, why) in [
        (root.to_path_buf(), "site root"),
        (root.join("content"), "content directory"),
        (root.join(".."), "site.toml"),
        (Path::new("/").to_path_buf(), "file system root"),
        (Path::new(&home).to_path_buf(), "home directory"),
        (foreign.clone(), "not written by portolan"),
        (root.join("content/public"), "inside the content directory"),
    ] {
        let o = build(root, &out, &[]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{}: {}",
            out.display(),
            stdout(&o)
        );
        assert!(
            stderr(&o).contains(why),
            "{}: {}",
            out.display(),
            stderr(&o)
        );
    }
    assert_eq!(
        std::fs::read(foreign.join("keep.txt")).unwrap(),
        b"precious"
    );
    assert!(root.join("content/a.md").is_file());
}

#[test]
fn concurrent_builds_of_one_output_both_succeed() {
    let site_dir = site(&[
        ("content/a.md", b"# A\n\nSome text.\n"),
        ("content/b.md", b"# B\n\n[a](a.md)\n"),
        ("site.toml", b"title = \"t\"\n"),
    ]);
    let root = site_dir.path();
    let out = root.join("public");
    let spawn = || {
        bin()
            .args(["build", "--root"])
            .arg(root)
            .env("PORTOLAN_DIAGRAMS", "off")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children: Vec<_> = (0..4).map(|_| spawn()).collect();
    for child in children {
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert!(out.join("a/index.html").is_file() && out.join("b/index.html").is_file());
    let leftovers: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("portolan-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_edited_output_file_is_noticed_even_at_the_same_size() {
    let site_dir = site(&[("content/a.md", b"# A\n\nSome text.\n"), ("site.toml", b"")]);
    let root = site_dir.path();
    let out = root.join("public");
    let run_build = || run_in(root, &["build"]);
    assert_eq!(run_build().status.code(), Some(0));
    assert!(stdout(&run_build()).contains("up to date"));
    let page = out.join("a/index.html");
    let original = std::fs::read(&page).unwrap();
    let mut edited = original.clone();
    let at = edited.len() / 2;
    edited[at] = if edited[at] == b'x' { b'y' } else { b'x' };
    std::fs::write(&page, &edited).unwrap();
    let o = run_build();
    assert!(!stdout(&o).contains("up to date"), "{}", stdout(&o));
    assert_eq!(std::fs::read(&page).unwrap(), original);
}

#[test]
fn two_builds_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    // Each with a cache of its own: the second would replay the first.
    // Diagrams rendered afresh by both, where mermaid-cli is installed:
    // mermaid's module counters, random numbers and clock must not reach
    // the SVG (the example's sequence diagrams numbered their actors after
    // whatever the worker's page had drawn before).
    let mmdc = mmdc();
    let cold = |out: &Path, cache: &str| {
        let mut command = bin();
        command
            .args(["build", "--root"])
            .arg(repo_root())
            .arg("--out")
            .arg(out)
            .env("PORTOLAN_CACHE_DIR", tmp.path().join(cache));
        match &mmdc {
            Some(mmdc) => command.env("PORTOLAN_MMDC", mmdc),
            None => command.env("PORTOLAN_DIAGRAMS", "off"),
        };
        let o = command.output().expect("portolan runs");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    };
    cold(&a, "cache-a");
    cold(&b, "cache-b");
    let (ta, tb) = (read_tree(&a), read_tree(&b));
    if mmdc.is_some() {
        let page = String::from_utf8_lossy(&ta["payments/stripe-payments/index.html"]).into_owned();
        assert!(
            page.contains("aria-roledescription=\"sequence\""),
            "the sequence diagram was rendered"
        );
    }
    assert_same_files(&ta, &tb, "between two cold builds");
    // Rebuilding over an existing output replaces it.
    cold(&a, "cache-a");
    let again = read_tree(&a);
    let differing: Vec<&String> = ta
        .keys()
        .chain(again.keys())
        .filter(|path| ta.get(*path) != again.get(*path))
        .collect();
    assert!(
        differing.is_empty(),
        "rebuilt over itself, these differ: {differing:?}"
    );
}

/// Pagefind numbers a bucket's pages in the order it lists their scratch
/// folder, which on tmpfs is the order they were written: two cold builds
/// of hundreds of pages, with scratch folders there, index them alike.
#[test]
fn two_cold_builds_of_many_pages_index_them_alike() {
    let shm = Path::new("/dev/shm");
    if !shm.is_dir() {
        eprintln!("skipped: no /dev/shm (tmpfs) to put scratch folders on");
        return;
    }
    let docs: Vec<(String, Vec<u8>)> = (0..300)
        .map(|n| {
            let text = format!("# Page {n}\n\nWords about topic {} and item{n}.\n", n % 7);
            (format!("content/p{n:03}.md"), text.into_bytes())
        })
        .collect();
    let mut files: Vec<(&str, &[u8])> = vec![("site.toml", b"title = \"Many\"\n")];
    files.extend(docs.iter().map(|(p, t)| (p.as_str(), t.as_slice())));
    let dir = site(&files);
    let scratch = tempfile::tempdir_in(shm).unwrap();
    let index = |name: &str| {
        let out = dir.path().join(name);
        let o = bin()
            .args(["build", "--root"])
            .arg(dir.path())
            .arg("--out")
            .arg(&out)
            .env(
                "PORTOLAN_CACHE_DIR",
                dir.path().join(format!("cache-{name}")),
            )
            .env("PORTOLAN_DIAGRAMS", "off")
            .env("TMPDIR", scratch.path())
            .output()
            .expect("portolan runs");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        search_index(&out)
    };
    assert_same_files(&index("a"), &index("b"), "between two cold builds");
}

#[test]
fn base_url_override_and_root_hosting() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    let o = build(&repo_root(), &out, &["--base-url", "https://example.org/"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let home = read(&out.join("index.html"));
    assert!(home.contains(r#"href="/static/style.css""#));
    assert!(home.contains(r#"href="/payments/stripe-payments/""#));
    assert!(read(&out.join("sitemap.xml"))
        .contains("<loc>https://example.org/payments/stripe-payments/</loc>"));
}

#[test]
fn site_templates_override_the_theme_and_errors_name_the_template() {
    let site_dir = site(&[
        ("content/a.md", b"# A\n"),
        ("templates/404.html", b"{% extends \"base.html\" %}{% block content %}<p>Custom lost page</p>{% endblock content %}"),
        ("static/extra.css", b"body{}"),
    ]);
    let out = site_dir.path().join("public");
    let o = build(site_dir.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(read(&out.join("404.html")).contains("Custom lost page"));
    assert!(out.join("static/extra.css").is_file());

    write(
        site_dir.path(),
        "templates/doc.html",
        b"line one\n{% if %}\n",
    );
    let o = build(site_dir.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("doc.html"), "{err}");
    assert!(err.contains('2'), "names the line: {err}");
}

#[test]
fn facet_filter_narrows_the_list_in_chromium() {
    let Some(chromium) = chromium() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("site");
    assert_eq!(build(&repo_root(), &out, &[]).status.code(), Some(0));
    let server = StaticServer::start(out, "/integrations/", 40, 60);
    let base = format!("http://127.0.0.1:{}/integrations/", server.port);

    let all = dump_dom(&chromium, &base);
    // Rows that do not match are taken out of the table, not hidden.
    let rows = |dom: &str| dom.matches("<tr class=\"doc-row\"").count();
    assert_eq!(rows(&all), 15);
    assert!(all.contains("<span id=\"shown-count\">15</span>"));

    let filtered = dump_dom(&chromium, &format!("{base}?f.tags=payments"));
    assert!(
        filtered.contains("<span id=\"shown-count\">2</span>"),
        "script ran: {filtered}"
    );
    assert_eq!(rows(&filtered), 2);
    assert!(filtered.contains(">Stripe Card Payments Integration</a>"));
    assert!(!filtered.contains(">HubSpot Marketing Contacts</a>"));

    // Two facets combine (AND across facets): payments AND the POS agent.
    let both = dump_dom(
        &chromium,
        &format!("{base}?f.tags=payments&f.agents=CustomerSupportAgent"),
    );
    assert!(both.contains("<span id=\"shown-count\">1</span>"), "{both}");

    // The system facet: documents that connect Stripe.
    let stripe = dump_dom(&chromium, &format!("{base}?f.systems=Stripe"));
    assert!(
        stripe.contains("<span id=\"shown-count\">3</span>"),
        "{stripe}"
    );
}

#[test]
fn alerts_details_task_lists_and_agent_notes_render_as_markdown() {
    let site = common::site(&[
        (
            "content/guide.md",
            b"---\ntitle: Guide\nai_agent_relevance: [SupportAgent]\n---\n# Guide\n\n\
> [!NOTE]\n> Read **this** first.\n\n> [!TIP]\n> A tip.\n\n> [!IMPORTANT]\n> Key.\n\n\
> [!WARNING]\n> Careful.\n\n> [!CAUTION]\n> Danger.\n\n> [!BOGUS]\n> Just a quote.\n\n\
<details>\n<summary>More</summary>\n\nHidden *text*.\n\n</details>\n\n- [ ] open task\n- [x] done task\n\n\
## AI Agent Notes\n\n- **SupportAgent**: Check `order_id` in [the other page](other.md) first; [bad](javascript:alert(1)).\n",
        ),
        ("content/other.md", b"---\ntitle: Other\n---\n# Other\n"),
    ]);
    let out = site.path().join("out");
    let o = build(site.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let page = read(&out.join("guide/index.html"));
    for (key, label) in [
        ("note", "Note"),
        ("tip", "Tip"),
        ("important", "Important"),
        ("warning", "Warning"),
        ("caution", "Caution"),
    ] {
        assert!(
            page.contains(&format!(
                "<aside class=\"callout callout-{key}\" role=\"note\" aria-label=\"{label}\">"
            )),
            "{key}: {page}"
        );
    }
    assert!(
        page.contains("<p>Read <strong>this</strong> first.</p>\n</aside>"),
        "{page}"
    );
    assert!(!page.contains("[!NOTE]"));
    assert!(page.contains("[!BOGUS]"), "an unknown kind stays a quote");
    assert!(
        page.contains(
            "<details>\n<summary>More</summary>\n<p>Hidden <em>text</em>.</p>\n</details>"
        ),
        "{page}"
    );
    assert!(page.contains("<input type=\"checkbox\" disabled aria-label=\"not done\"> open task"));
    assert!(
        page.contains("<input type=\"checkbox\" disabled checked aria-label=\"done\"> done task")
    );

    let agent = read(&out.join("agents/SupportAgent/index.html"));
    assert!(
        agent.contains("<blockquote class=\"agent-note\">Check <code>order_id</code> in <a href=\"/other/\">the other page</a> first; bad.</blockquote>"),
        "{agent}"
    );
    assert!(!agent.contains("javascript:"));
    assert!(!agent.contains("**SupportAgent**"));
}

#[test]
fn inline_metadata_the_card_shows_is_not_repeated_in_the_body() {
    let site = common::site(&[(
        "content/flow.md",
        b"# Integration: Shop \xe2\x86\x92 Ledger\n\n**Purpose:** Book every sale\n**Protocol:** REST\n**Direction:** Unidirectional\n\n\
**Frequency:** hourly\n**Protocol:** REST\n\n## Notes\n\n**Purpose:** later prose keeps its line.\n",
    )]);
    let out = site.path().join("out");
    let o = build(site.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let page = read(&out.join("flow/index.html"));
    let body = &page[page.find("<div class=\"doc-body\">").unwrap()..];
    assert!(
        page.contains("<dt>Purpose</dt><dd>Book every sale</dd>"),
        "{page}"
    );
    assert!(
        !body.contains("Book every sale"),
        "the card shows it: {body}"
    );
    assert!(
        body.contains("<strong>Frequency:</strong> hourly"),
        "not on the card: kept"
    );
    assert!(body.contains("later prose keeps its line"), "{body}");
}

/// The markdown copy opens with the title, then the body without the
/// heading that gave it, however that heading is written: with code or
/// markup the title shows otherwise, it was printed a second time.
#[test]
fn the_markdown_copy_leaves_out_the_heading_that_gave_the_title() {
    let site_dir = site(&[
        (
            "content/a.md",
            b"# Using `retry` <em>safely</em>\n\nText.\n\n# Using `retry` <em>safely</em>\n",
        ),
        ("content/b.md", b"\n\n# B *starred*\n\nMore.\n"),
        ("content/c.md", b"# C\n\n# C\n\nTwice.\n"),
    ]);
    let out = site_dir.path().join("public");
    let o = build(site_dir.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let a = read(&out.join("a/index.html.md"));
    // Only the first such heading gave the title.
    assert_eq!(
        a,
        "# Using retry safely\n\nText.\n\n# Using `retry` <em>safely</em>\n"
    );
    let b = read(&out.join("b/index.html.md"));
    assert_eq!(b, "# B starred\n\nMore.\n");
    // Once: a second heading like it is the body's.
    let c = read(&out.join("c/index.html.md"));
    assert_eq!(c, "# C\n\n# C\n\nTwice.\n");
}

/// The browser tests' server fails the test that started it when it
/// refused a connection, past its bound or its time limit: a page that
/// lost a file passes or fails at random otherwise.
#[test]
fn a_test_server_past_its_limits_fails_its_test() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "a").unwrap();
    let get = |port: u16| {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        write!(stream, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    };
    let dropped = |server: StaticServer| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(server)))
            .err()
            .and_then(|e| e.downcast_ref::<String>().cloned())
    };
    // Within both limits: answered, and dropped quietly.
    let server = StaticServer::start(dir.path().to_path_buf(), "/", 2, 600);
    assert!(get(server.port).ends_with("\r\n\r\na"));
    assert_eq!(dropped(server), None);
    // Past the bound: the second connection is closed unanswered.
    let server = StaticServer::start(dir.path().to_path_buf(), "/", 1, 600);
    assert!(get(server.port).starts_with("HTTP/1.1 200"));
    assert_eq!(get(server.port), "");
    let message = dropped(server).expect("the refusal fails the test");
    assert!(message.contains("refused 1 connection"), "{message}");
    // Past the time limit (none at all).
    let server = StaticServer::start(dir.path().to_path_buf(), "/", 10, 0);
    assert_eq!(get(server.port), "");
    let message = dropped(server).expect("the refusal fails the test");
    assert!(message.contains("time limit of 0 s"), "{message}");
}

/// A title heading keeps its code and emphasis in the page header; the
/// plain title stays everywhere text is wanted (the window title, lists,
/// the search index's title), and a title with raw HTML shows as text.
#[test]
fn titles_keep_their_code_and_emphasis_in_the_page_header() {
    let site = common::site(&[
        (
            "content/events/orders.md",
            b"# Order Service \xe2\x86\x92 Kafka `order-events` *v2*\n\nText.\n",
        ),
        (
            "content/events/raw.md",
            b"# Refunds <img src=x onerror=alert(1)> `refunds`\n\nText.\n",
        ),
        ("content/events/plain.md", b"# Plain title\n\nText.\n"),
    ]);
    let out = site.path().join("out");
    let o = build(site.path(), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let page = read(&out.join("events/orders/index.html"));
    assert!(
        page.contains(
            "<h1 data-pagefind-meta=\"title\">Order Service \u{2192} Kafka <code>order-events</code> <em>v2</em></h1>"
        ),
        "{page}"
    );
    assert!(
        page.contains("<title>Order Service \u{2192} Kafka order-events v2 \u{b7} "),
        "{page}"
    );
    // The title heading is in the header, not again in the body.
    assert_eq!(page.matches("<code>order-events</code>").count(), 1);
    let raw = read(&out.join("events/raw/index.html"));
    let h1 = raw
        .split("<h1 data-pagefind-meta=\"title\">")
        .nth(1)
        .and_then(|rest| rest.split("</h1>").next())
        .expect("a title heading");
    assert!(!h1.contains('<'), "as text: {h1}");
    assert!(!raw.contains("onerror=alert(1)>"), "no live tag: {raw}");
    let plain = read(&out.join("events/plain/index.html"));
    assert!(plain.contains("<h1 data-pagefind-meta=\"title\">Plain title</h1>"));
}
