//! Attacks on a catalog through its content: each test builds a small site
//! the way an attacker (or a careless author) would write it and checks
//! what the published output holds, through the real binary.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::*;

fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn build_into(root: &Path) -> (std::process::Output, BTreeMap<String, Vec<u8>>) {
    let out = root.join("public");
    let o = run_in(root, &["build"]);
    let files = if out.is_dir() {
        read_tree(&out)
    } else {
        BTreeMap::new()
    };
    (o, files)
}

fn check_json(root: &Path) -> serde_json::Value {
    json(&run_in(root, &["check", "--format", "json"]))
}

fn codes(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["message"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn html(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8_lossy(
        files
            .get(path)
            .unwrap_or_else(|| panic!("{path} missing: {:?}", files.keys().collect::<Vec<_>>())),
    )
    .into_owned()
}

/// What the document's body became, without the theme around it.
fn doc_body(page: &str) -> &str {
    let start = page
        .find("<div class=\"doc-body\">")
        .expect("a document page");
    let end = page[start..]
        .find("<footer class=\"doc-footer\"")
        .map_or(page.len(), |e| start + e);
    &page[start..end]
}

#[cfg(unix)]
#[test]
fn symlinked_secrets_are_never_published() {
    let dir = site(&[
        ("site.toml", b"title = \"T\"\n"),
        (".env", b"SECRET_TOKEN=hunter2\n"),
        (".git/config", b"[remote] url = secret-remote\n"),
        ("content/.hidden/key.txt", b"HIDDEN_KEY\n"),
        ("content/ok.txt", b"fine attachment\n"),
        (
            "content/doc.md",
            b"# Doc\n\n[e](env.txt) [g](gitconfig.txt) [s](site.txt) [h](key.txt) [ok](ok.txt)\n",
        ),
    ]);
    let content = dir.path().join("content");
    for (name, target) in [
        ("env.txt", "../.env"),
        ("gitconfig.txt", "../.git/config"),
        ("site.txt", "../site.toml"),
        ("key.txt", ".hidden/key.txt"),
    ] {
        std::os::unix::fs::symlink(target, content.join(name)).unwrap();
    }
    let report = check_json(dir.path());
    let found = codes(&report);
    for name in ["env.txt", "gitconfig.txt", "site.txt", "key.txt"] {
        assert!(
            found.iter().any(|(c, m, l)| c == "broken-link"
                && m.contains(name)
                && m.contains("not published")
                && *l == 3),
            "{name}: {found:?}"
        );
    }
    // Force a build past the errors to see what would be copied: serve
    // renders despite errors, so the same rules must hold there too.
    let (o, files) = build_into(dir.path());
    assert_eq!(o.status.code(), Some(1), "errors block the build");
    assert!(files.is_empty());
    std::fs::write(content.join("doc.md"), "# Doc\n\n[ok](ok.txt)\n").unwrap();
    let (o, files) = build_into(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(files.contains_key("ok.txt"));
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        for secret in ["hunter2", "secret-remote", "HIDDEN_KEY", "title = \"T\""] {
            assert!(!text.contains(secret), "{path} holds {secret}");
        }
    }
}

#[cfg(unix)]
#[test]
fn a_folder_linked_from_outside_is_not_read() {
    let outside = site(&[("leak.md", b"# Leaked\n\nOUTSIDE_TEXT\n")]);
    let dir = site(&[("site.toml", b""), ("content/a.md", b"# A\n")]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("content/linked")).unwrap();
    let (o, files) = build_into(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(files
        .values()
        .all(|b| !String::from_utf8_lossy(b).contains("OUTSIDE_TEXT")));
}

#[test]
fn script_urls_are_dropped_and_reported() {
    let doc = "# Links\n\n\
[a](javascript:alert(1))\n\
[b](<javascript:alert(2)>)\n\
[c](JaVaScRiPt:alert(3))\n\
[d](&#106;avascript:alert(4))\n\
<javascript:alert(5)>\n\
[e][ref]\n\
![img](data:image/svg+xml;base64,PHN2Zz4=)\n\
[f](vbscript:msgbox(6))\n\
[ok](https://example.com/x) [mail](mailto:a@b.example) [tel](tel:+49) [rel](other.md)\n\
\n[ref]: javascript:alert(7)\n";
    let dir = site(&[
        ("site.toml", b""),
        ("content/links.md", doc.as_bytes()),
        ("content/other.md", b"# Other\n"),
    ]);
    let found = codes(&check_json(dir.path()));
    let unsafe_lines: Vec<u64> = found
        .iter()
        .filter(|(c, ..)| c == "unsafe-url")
        .map(|(_, _, l)| *l)
        .collect();
    assert_eq!(unsafe_lines, [3, 4, 5, 6, 7, 8, 9, 10], "{found:?}");
    let (o, files) = build_into(dir.path());
    assert_eq!(
        o.status.code(),
        Some(0),
        "warnings do not block: {}",
        stderr(&o)
    );
    let full = html(&files, "links/index.html");
    let page = doc_body(&full);
    let lower = page.to_ascii_lowercase();
    for bad in ["javascript", "vbscript", "data:"] {
        for attr in ["href=\"", "src=\""] {
            assert!(
                !lower.contains(&format!("{attr}{bad}")),
                "{attr}{bad} in {page}"
            );
        }
    }
    // An autolink's text is its URL: kept as inert text.
    assert!(page.contains("javascript:alert(5)") && !page.contains("<a href=\"javascript"));
    // The text stays; good links stay links.
    assert!(page.contains("href=\"https://example.com/x\""));
    assert!(page.contains("href=\"mailto:a@b.example\""));
    assert!(page.contains("href=\"tel:+49\""));
    assert!(page.contains("href=\"/other/\""));
    for text in ["a\n", "b\n", "c\n", "e\n", "img\n", "\nf\n"] {
        assert!(page.contains(text), "link text {text:?} kept in {page}");
    }
}

#[test]
fn raw_html_is_sanitized_not_escaped() {
    let doc = "# Raw\n\n<details>\n<summary>More</summary>\n\nHidden **markdown**.\n\n</details>\n\n\
<a id=\"legacy-anchor\"></a>\n\nPress <kbd>Ctrl</kbd>+<kbd>C</kbd>, H<sub>2</sub>O, x<sup>2</sup>.\n\n\
<img src=\"pic.png\" alt=\"Pic\" width=\"10\" onerror=\"alert(1)\">\n\n\
<script>alert(2)</script>\n<iframe src=\"https://evil.example\"></iframe>\n\
<a href=\"javascript:alert(3)\">x</a> <span id=\"s\" style=\"background:url(https://evil.example)\">s</span>\n\
<form action=\"https://evil.example\"><input name=\"q\"></form>\n";
    let dir = site(&[
        ("site.toml", b""),
        ("content/raw.md", doc.as_bytes()),
        ("content/pic.png", b"\x89PNG"),
        (
            "content/linker.md",
            b"# L\n\n[to anchor](raw.md#legacy-anchor)\n",
        ),
    ]);
    let found = codes(&check_json(dir.path()));
    assert!(
        !found.iter().any(|(c, ..)| c == "broken-link"),
        "an <a id> is a link target: {found:?}"
    );
    let (o, files) = build_into(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let full = html(&files, "raw/index.html");
    let page = doc_body(&full);
    assert!(
        page.contains("<details>\n<summary>More</summary>"),
        "{page}"
    );
    assert!(page.contains("<strong>markdown</strong>"));
    assert!(page.contains("<a id=\"legacy-anchor\"></a>"));
    assert!(page.contains("<kbd>Ctrl</kbd>") && page.contains("<sub>2</sub>"));
    assert!(page.contains("alt=\"Pic\"") && page.contains("width=\"10\""));
    for bad in [
        "onerror",
        "<script",
        "alert(",
        "<iframe",
        "evil.example",
        "javascript:",
        "<form",
        "<input name",
    ] {
        assert!(!page.contains(bad), "{bad} in {page}");
    }
}

#[test]
fn field_expansion_is_bounded() {
    let owner = "o".repeat(100 * 1024);
    let doc = format!(
        "---\ntitle: Bomb\nowner: {owner}\n---\n\n{}\n",
        "{owner} ".repeat(2000)
    );
    let dir = site(&[("site.toml", b""), ("content/bomb.md", doc.as_bytes())]);
    let found = codes(&check_json(dir.path()));
    assert!(
        found
            .iter()
            .any(|(c, m, l)| c == "field-expansion" && m.contains("owner") && *l == 6),
        "{found:?}"
    );
    let (o, files) = build_into(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = &files["bomb/index.html"];
    assert!(page.len() < 2 * doc.len(), "page has {} bytes", page.len());
}

#[test]
fn generated_files_win_over_attachments_and_documents() {
    let dir = site(&[
        ("site.toml", b""),
        ("content/static/portolan.js", b"alert('owned')"),
        ("content/catalog.json", b"{\"owned\":true}"),
        (
            "content/tags/payments.md",
            b"---\ntitle: Tag squatter\n---\nbody\n",
        ),
        ("content/catalog.json.md", b"# Feed squatter\n"),
        ("content/guide.md", b"# Guide\n"),
        ("content/guide/index.md", b"# Guide index\n"),
        (
            "content/a.md",
            b"---\ntitle: A\ntags: [payments]\n---\n\n[js](static/portolan.js) [c](catalog.json)\n",
        ),
    ]);
    let found = codes(&check_json(dir.path()));
    let conflicts: Vec<_> = found
        .iter()
        .filter(|(c, ..)| c == "route-conflict")
        .collect();
    for needle in [
        "static/portolan.js",
        "catalog.json",
        "/tags/payments/",
        "/catalog.json/",
        "/guide/",
    ] {
        assert!(
            conflicts.iter().any(|(_, m, _)| m.contains(needle)),
            "{needle}: {conflicts:?}"
        );
    }
    let o = run_in(dir.path(), &["build"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "check's errors stop build, never exit 2: {}",
        stderr(&o)
    );
}

#[test]
fn html_and_svg_attachments_cannot_run_script() {
    let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script><rect width=\"5\" height=\"5\"/></svg>";
    let files: &[(&str, &[u8])] = &[
        ("site.toml", b""),
        ("content/pic.svg", svg.as_bytes()),
        ("content/page.html", b"<script>alert(3)</script>"),
        ("content/a.md", b"# A\n\n![p](pic.svg) [h](page.html)\n"),
    ];
    let dir = site(files);
    let found = codes(&check_json(dir.path()));
    assert!(
        found
            .iter()
            .any(|(c, m, l)| c == "html-attachment" && m.contains("html_attachments") && *l == 3),
        "{found:?}"
    );
    let (o, out) = build_into(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let published = html(&out, "pic.svg");
    assert!(published.contains("<rect"), "{published}");
    assert!(
        !published.contains("alert") && !published.contains("onload"),
        "{published}"
    );
    assert!(!out.contains_key("page.html"));
    // Allowed in site.toml, the HTML file is published as it is.
    std::fs::write(
        dir.path().join("site.toml"),
        "[security]\nhtml_attachments = true\n",
    )
    .unwrap();
    let (o, out) = build_into(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(out.contains_key("page.html"));
}

#[test]
fn deep_yaml_is_an_error_not_a_hang() {
    let deep = format!(
        "---\nx: {}{}\n---\n# Deep\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let dir = site(&[("site.toml", b""), ("content/deep.md", deep.as_bytes())]);
    let found = codes(&check_json(dir.path()));
    assert!(
        found
            .iter()
            .any(|(c, m, l)| c == "yaml-syntax" && m.contains("deeper") && *l == 2),
        "{found:?}"
    );
    assert!(!found.iter().any(|(c, ..)| c == "missing-title"));
}

#[cfg(unix)]
#[test]
fn site_toml_that_is_a_fifo_or_dev_zero_is_refused() {
    let dir = site(&[("content/a.md", b"# A\n")]);
    let status = std::process::Command::new("mkfifo")
        .arg(dir.path().join("site.toml"))
        .status()
        .unwrap();
    assert!(status.success());
    // A blocking read would never return: the test would hang, not fail.
    let o = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    std::fs::remove_file(dir.path().join("site.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("site.toml")).unwrap();
    let o = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
}

#[test]
fn content_dir_outside_the_root_is_an_error() {
    let outside = site(&[("a.md", b"# A\n")]);
    let dir = site(&[(
        "site.toml",
        format!("content_dir = {:?}\n", outside.path()).as_bytes(),
    )]);
    let o = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("outside the site root"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn code_that_hangs_the_highlighter_is_a_counted_diagnostic_once() {
    // Six blocks the highlighter never finishes (a test hook stands in for
    // a looping grammar, with a 1 s deadline): at most four threads are
    // lost, every block is reported at its line, and the next build
    // remembers them instead of waiting again.
    let mut doc = String::from("# Hang\n");
    for i in 0..6 {
        doc.push_str(&format!("\n```yaml\nkey: HANG_{i}\n```\n"));
    }
    let dir = site(&[("site.toml", b""), ("content/hang.md", doc.as_bytes())]);
    let build = || {
        bin()
            .args(["build", "--root"])
            .arg(dir.path())
            .env("PORTOLAN_DIAGRAMS", "off")
            .env("PORTOLAN_TEST_HIGHLIGHT_HANG", "HANG_")
            .output()
            .unwrap()
    };
    let o = build();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = format!("{}{}", stdout(&o), stderr(&o));
    let lines: Vec<usize> = text
        .match_indices("content/hang.md:")
        .filter_map(|(i, _)| {
            let digits: String = text[i + 16..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .collect();
    assert_eq!(lines, [3, 7, 11, 15, 19, 23], "{text}");
    assert!(text.contains("warning[highlight]"), "{text}");
    let page = std::fs::read_to_string(dir.path().join("public/hang/index.html")).unwrap();
    assert_eq!(
        page.matches("class=\"plain\"").count() + page.matches("class=\"unknown\"").count(),
        6
    );
    // check now knows the four that hung, from the cache.
    let report = check_json(dir.path());
    let remembered = codes(&report)
        .into_iter()
        .filter(|(c, ..)| c == "highlight")
        .count();
    assert_eq!(remembered, 4, "{report:#}");
}

#[test]
fn a_file_name_too_long_for_the_output_is_reported_by_check() {
    let name = format!("content/{}.md", "n".repeat(250));
    let dir = site(&[("site.toml", b""), (name.as_str(), b"# Long\n")]);
    let found = codes(&check_json(dir.path()));
    assert!(
        found
            .iter()
            .any(|(c, m, _)| c == "route-conflict" && m.contains("bytes long")),
        "{found:?}"
    );
}

#[test]
fn a_comma_separated_string_where_a_list_belongs_gets_a_hint() {
    let dir = site(&[
        ("site.toml", b""),
        (
            "content/a.md",
            b"---\ntitle: A\ntags: payments, stripe, cards\n---\n",
        ),
    ]);
    let report = check_json(dir.path());
    let hint = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "field-type")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(hint["line"], 3);
    assert!(
        hint["help"]
            .as_str()
            .unwrap()
            .contains("[payments, stripe, cards]"),
        "{hint}"
    );
}
