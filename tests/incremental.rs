//! serve's incremental rebuilds give exactly what a full build gives: random
//! edits to a copy of the example catalog, each applied incrementally and
//! compared byte for byte with a fresh full render and with `build`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use portolan::serve::session::Session;

const BASE: &str = "http://127.0.0.1:1111/";

fn example_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(
        &common::repo_root().join("content"),
        &dir.path().join("content"),
    );
    let mut config = std::fs::read_to_string(common::repo_root().join("site.toml")).unwrap();
    // Diagrams take part when mermaid-cli is installed; their rendering is
    // cached, so the comparison stays fast.
    match common::repo_root().join("node_modules/.bin/mmdc") {
        mmdc if mmdc.exists() => config.push_str(&format!("\n[diagrams]\nmmdc = {:?}\n", mmdc)),
        _ => config.push_str("\n[diagrams]\nenabled = false\n"),
    }
    std::fs::write(dir.path().join("site.toml"), config).unwrap();
    // A picture for edits to link and unlink: published only while linked.
    std::fs::write(
        dir.path().join("content/payments/flow.png"),
        b"\x89PNG fake",
    )
    .unwrap();
    dir
}

type Files = BTreeMap<String, std::sync::Arc<Vec<u8>>>;

fn assert_same(incremental: &Files, full: &Files, step: &str) {
    let a: Vec<&String> = incremental.keys().collect();
    let b: Vec<&String> = full.keys().collect();
    assert_eq!(a, b, "{step}: different file sets");
    for (path, bytes) in full {
        assert!(
            incremental[path] == *bytes,
            "{step}: {path} differs from a full build"
        );
    }
}

/// A tiny deterministic generator: the same edits on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

fn docs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("content")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else if e.path().extension().is_some_and(|x| x == "md") {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// One random edit; returns the paths it touched and what it did.
fn edit(root: &Path, rng: &mut Lcg, step: usize) -> (Vec<PathBuf>, String) {
    let all = docs(root);
    let target = all[rng.next(all.len())].clone();
    let text = std::fs::read_to_string(&target).unwrap_or_default();
    let name = target.strip_prefix(root).unwrap().display().to_string();
    match rng.next(25) {
        0 => {
            // Retitle: every page listing this document changes.
            let new = if let Some(rest) = text.strip_prefix("---\ntitle: ") {
                format!("---\ntitle: Renamed {step} {rest}")
            } else {
                text.replacen("# ", &format!("# Renamed {step} "), 1)
            };
            std::fs::write(&target, new).unwrap();
            (vec![target], format!("retitle {name}"))
        }
        1 => {
            let new = text.replacen("tags: [", &format!("tags: [step{step}, "), 1);
            std::fs::write(&target, new).unwrap();
            (vec![target], format!("tag {name}"))
        }
        2 => {
            // Link to another document: a new "referenced by" elsewhere.
            let other = &all[rng.next(all.len())];
            let rel = other
                .strip_prefix(root.join("content"))
                .unwrap()
                .display()
                .to_string();
            std::fs::write(&target, format!("{text}\n\nSee [also](/{rel}).\n")).unwrap();
            (vec![target], format!("link {name} → {rel}"))
        }
        3 if all.len() > 8 => {
            std::fs::remove_file(&target).unwrap();
            (vec![target], format!("delete {name}"))
        }
        4 => {
            let path = root.join(format!("content/new/doc-{step}.md"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let body = format!(
                "---\ntitle: New document {step}\ntags: [payments, fresh]\nai_agent_relevance: [SystemArchitectAgent]\nrelated_files:\n  - /payments/stripe-payments.md\n---\n\n# New document {step}\n\n## AI Agent Notes\n\n- **SystemArchitectAgent**: note {step}\n"
            );
            std::fs::write(&path, body).unwrap();
            (vec![path], format!("create new/doc-{step}.md"))
        }
        5 => {
            // Break the frontmatter: errors, and the page still renders.
            std::fs::write(&target, format!("---\ntitle: [broken\n---\n{text}")).unwrap();
            (vec![target], format!("break {name}"))
        }
        6 => {
            let new = text.replacen(
                "ai_agent_relevance:",
                "ai_agent_relevance:\n  - DataPipelineAgent",
                1,
            );
            std::fs::write(&target, new).unwrap();
            (vec![target], format!("agent {name}"))
        }
        7 => {
            // Headings other documents link to: their anchors may break.
            let new = text
                .replace("## Error Handling", &format!("## Failure Handling {step}"))
                .replace("## External System", &format!("## Outside System {step}"));
            std::fs::write(&target, new).unwrap();
            (vec![target], format!("rename headings {name}"))
        }
        8 => {
            // An agent note: the agent's page quotes it.
            let new = text.replacen("Agent**: ", &format!("Agent**: Revised {step}. "), 1);
            std::fs::write(&target, new).unwrap();
            (vec![target], format!("note {name}"))
        }
        9 => {
            let new = text.replacen(
                "description: ",
                &format!("description: Changed {step}. "),
                1,
            );
            std::fs::write(&target, new).unwrap();
            (vec![target], format!("describe {name}"))
        }
        10 if text.contains("\n## ") => {
            // Prose in the middle of the body: only this page changes.
            let new = text.replacen(
                "\n## ",
                &format!("\nA paragraph inserted at step {step}.\n\n## "),
                1,
            );
            std::fs::write(&target, new).unwrap();
            (vec![target], format!("insert {name}"))
        }
        11 => {
            let picture = "\n![The flow](/payments/flow.png)\n";
            let new = if text.contains(picture) {
                text.replace(picture, "")
            } else {
                format!("{text}{picture}")
            };
            std::fs::write(&target, new).unwrap();
            (vec![target], format!("picture {name}"))
        }
        19 => {
            // The landscape: a system renamed, aliased, misspelt, or an
            // integration turned around. Pages of other documents and of
            // systems change with it.
            let swaps = [
                ("Stripe", "Stripe API"),
                ("Order Service", "order-service"),
                ("Warehouse WMS", "Logiport"),
                ("Zendesk", "Freshdesk"),
                ("Bidirectional", "Inbound"),
                ("Unidirectional", "Bidirectional"),
                ("[Pricing service]", "[Pricing engine]"),
                ("Ledger Service", "Ledgr Service"),
                ("service: Twilio", "service: MessageBird"),
            ];
            let (from, to) = swaps[rng.next(swaps.len())];
            if !text.contains(from) {
                return (vec![], "nothing".into());
            }
            std::fs::write(&target, text.replacen(from, to, 1)).unwrap();
            (vec![target], format!("system {from} → {to} in {name}"))
        }
        13 => {
            // An id another document's `related` names: it now wins over the
            // path (or the id) that entry resolved to before.
            let entries = related_entries(root);
            let Some(entry) = entries.get(rng.next(entries.len().max(1))) else {
                return (vec![], "nothing".into());
            };
            let new = match text.strip_prefix("---\n") {
                Some(rest) if text.contains("\nid: ") || text.starts_with("---\nid: ") => {
                    let mut out = String::from("---\n");
                    for line in rest.split_inclusive('\n') {
                        if line.starts_with("id: ") {
                            out.push_str(&format!("id: {entry}\n"));
                        } else {
                            out.push_str(line);
                        }
                    }
                    out
                }
                Some(rest) => format!("---\nid: {entry}\n{rest}"),
                None => format!("---\nid: {entry}\n---\n{text}"),
            };
            std::fs::write(&target, new).unwrap();
            (vec![target], format!("id {entry} on {name}"))
        }
        14 => {
            // Rename in place: one path goes, another comes.
            let to = target.with_file_name(format!("renamed-{step}.md"));
            std::fs::rename(&target, &to).unwrap();
            (vec![target, to], format!("rename {name}"))
        }
        15 => {
            // Move to another folder.
            let to = root.join(format!(
                "content/moved/{step}-{}",
                target.file_name().unwrap().to_string_lossy()
            ));
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::rename(&target, &to).unwrap();
            (vec![target, to], format!("move {name}"))
        }
        16 => {
            // Several files saved at once (an editor's "save all", a git
            // checkout): a retitle, a link and a prose edit.
            let a = all[rng.next(all.len())].clone();
            let b = all[rng.next(all.len())].clone();
            let a_text = std::fs::read_to_string(&a).unwrap_or_default();
            std::fs::write(&a, a_text.replacen("# ", &format!("# Batch {step} "), 1)).unwrap();
            let b_text = std::fs::read_to_string(&b).unwrap_or_default();
            let rel = target
                .strip_prefix(root.join("content"))
                .unwrap()
                .display()
                .to_string();
            std::fs::write(&b, format!("{b_text}\n\n[batch](/{rel})\n")).unwrap();
            std::fs::write(&target, format!("{text}\n\nBatch prose {step}.\n")).unwrap();
            (vec![a, b, target], format!("batch around {name}"))
        }
        17 => {
            // `guide.md` beside `guide/index.md`: links to `guide/` resolve
            // to the new file now.
            let folder = target.parent().unwrap().to_path_buf();
            let sibling = folder.with_extension("md");
            if folder == root.join("content") || sibling.exists() {
                return (vec![], "nothing".into());
            }
            let title = format!("Sibling of a folder {step}");
            std::fs::write(&sibling, format!("---\ntitle: {title}\n---\n\nText.\n")).unwrap();
            // And a link to the folder, so something resolves through it.
            std::fs::write(
                &target,
                format!(
                    "{text}\n\n[folder](/{}/)\n",
                    folder.strip_prefix(root.join("content")).unwrap().display()
                ),
            )
            .unwrap();
            (
                vec![sibling, target],
                format!("sibling {}", folder.display()),
            )
        }
        18 => {
            // Delete several at once.
            let other = all[rng.next(all.len())].clone();
            if all.len() <= 8 || other == target {
                return (vec![], "nothing".into());
            }
            std::fs::remove_file(&target).unwrap();
            std::fs::remove_file(&other).unwrap();
            (vec![target, other], format!("delete two around {name}"))
        }
        20 => {
            // A folder gains a front page (its title names the folder in
            // breadcrumbs and the sidebar; its page replaces the generated
            // folder page), or loses it again.
            let front = target.with_file_name("_index.md");
            if front.exists() {
                std::fs::remove_file(&front).unwrap();
                return (vec![front], format!("remove front page beside {name}"));
            }
            std::fs::write(
                &front,
                format!("---\ntitle: Folder front {step}\ndescription: What lives here\n---\n\nAbout this folder.\n"),
            )
            .unwrap();
            (vec![front], format!("front page beside {name}"))
        }
        21 => {
            // A weight moves the document to the top of its folder: the
            // pager of its old and new neighbours changes.
            let new = match text.strip_prefix("---\n") {
                Some(rest) => format!("---\nweight: {}\n{rest}", step % 3),
                None => format!("---\nweight: {}\n---\n{text}", step % 3),
            };
            std::fs::write(&target, new).unwrap();
            (vec![target], format!("weight on {name}"))
        }
        22 => {
            // A spec reference comes or goes: the spec's page lists the
            // document (or the spec's page itself comes or goes).
            let line = "openapi: /payments/specs/stripe.openapi.yaml\n";
            let new = if text.contains(line) {
                text.replacen(line, "", 1)
            } else if let Some(rest) = text.strip_prefix("---\n") {
                format!("---\n{line}{rest}")
            } else {
                format!("---\n{line}---\n{text}")
            };
            std::fs::write(&target, new).unwrap();
            (vec![target], format!("spec reference on {name}"))
        }
        23 => {
            // Endpoints the prose names: matched or drifting, they change
            // what integrations say they use and what check reports.
            let claims = [
                "Calls `POST /v1/refunds` on refund.",
                "Reads `GET /v1/charges/{id}` nightly.",
                "**Channel:** `order-events`",
                "**Endpoint:** `https://api.stripe.com/v1/payment_intents/{intent}/cancel`",
            ];
            let claim = claims[rng.next(claims.len())];
            std::fs::write(&target, format!("{text}\n\n{claim}\n")).unwrap();
            (vec![target], format!("claim on {name}"))
        }
        24 => {
            // A markdown link to a spec file references it too.
            std::fs::write(
                &target,
                format!(
                    "{text}\n\nSee the [event spec](/events/specs/order-events.asyncapi.yaml).\n"
                ),
            )
            .unwrap();
            (vec![target], format!("spec link on {name}"))
        }
        _ => {
            std::fs::write(&target, format!("{text}\n\nA new paragraph {step}.\n")).unwrap();
            (vec![target], format!("append {name}"))
        }
    }
}

/// Every `related` entry written in the site (ids and paths).
fn related_entries(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for doc in docs(root) {
        let text = std::fs::read_to_string(doc).unwrap_or_default();
        let mut in_related = false;
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("related:") {
                let rest = rest.trim();
                if let Some(list) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                    out.extend(list.split(',').map(|e| e.trim().to_owned()));
                }
                in_related = rest.is_empty();
                continue;
            }
            match line.strip_prefix("  - ") {
                Some(entry) if in_related => out.push(entry.trim().to_owned()),
                _ => in_related = false,
            }
        }
    }
    out.retain(|e| !e.is_empty() && !e.contains(['[', ':', '#']));
    out.sort();
    out.dedup();
    out
}

/// Applies `steps` random edits to the site at `root`, each incrementally,
/// and compares the result with a fresh full render after every step.
/// Returns how many edits were prose only.
fn random_edits_match_full_renders(root: &Path, search: bool, seed: u64, steps: usize) -> usize {
    let fresh_session =
        || Session::with_search(root, Some(BASE.to_owned()), search).expect("full build");
    let mut session = fresh_session();
    let mut rng = Lcg(seed);
    let mut prose_edits = 0;
    for step in 0..steps {
        let (paths, what) = edit(root, &mut rng, step);
        if paths.is_empty() {
            continue;
        }
        let report = session.update_docs(&paths).expect("incremental rebuild");
        let fresh = fresh_session();
        assert_same(
            &session.files.snapshot(),
            &fresh.files.snapshot(),
            &format!("step {step} ({what})"),
        );
        assert_eq!(
            session.diagnostics(),
            fresh.diagnostics(),
            "step {step} ({what})"
        );
        eprintln!(
            "step {step}: {what}: {} pages, full={}, errors={}",
            report.pages, report.full, report.errors
        );
        if !report.full {
            assert!(
                report.pages < fresh.files.snapshot().len(),
                "step {step}: rendered everything"
            );
        }
        if what.starts_with("append") || what.starts_with("insert") {
            // Nothing another page shows changed: the page alone is redone.
            assert_eq!(report.pages, 1, "step {step} ({what})");
            prose_edits += 1;
        }
    }
    prose_edits
}

#[test]
fn random_edits_match_a_full_build_byte_for_byte() {
    let site = example_site();
    let prose_edits = random_edits_match_full_renders(site.path(), true, 20_261_121, 90);
    assert!(prose_edits >= 4, "the quiet path was hardly exercised");
}

/// More edit sequences, without the search index: every kind of edit,
/// many times over, from several seeds.
#[test]
fn many_random_edit_sequences_match_full_renders() {
    for seed in [1, 2, 3, 4] {
        let site = example_site();
        random_edits_match_full_renders(site.path(), false, seed, 40);
    }
}

/// The same on real documentation written for Hugo (dapr's docs: shortcodes,
/// `_index.md` sections, links between sections), without the search index
/// to keep it quick.
#[test]
fn random_edits_on_a_real_corpus_match_a_full_build() {
    let Some(corpus) = common::corpus("dapr-docs") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(&corpus, &dir.path().join("content"));
    std::fs::write(
        dir.path().join("site.toml"),
        "title = \"dapr\"\n[diagrams]\nenabled = false\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("content/payments")).unwrap();
    std::fs::write(
        dir.path().join("content/payments/flow.png"),
        b"\x89PNG fake",
    )
    .unwrap();
    random_edits_match_full_renders(dir.path(), false, 7, 16);
}

/// A system renamed in one document: its old page goes (nothing else names
/// it), the new one comes, and the pages of documents that only share the
/// other end of the integration change their links.
/// A folder's front page comes, is retitled and goes: the generated folder
/// page gives way to it and comes back, breadcrumbs, pagers and the sidebar
/// follow, each step equal to a fresh render.
#[test]
fn folder_front_pages_come_and_go_like_a_full_build() {
    let site = common::site(&[
        ("content/pay/b.md", b"---\ntitle: Bravo\n---\n\nText.\n"),
        ("content/pay/a.md", b"---\ntitle: Alpha\n---\n\nText.\n"),
        (
            "content/pay/deep/c.md",
            b"---\ntitle: Charlie\n---\n\nText.\n",
        ),
    ]);
    let root = site.path();
    let mut session = Session::new(root, Some(BASE.to_owned())).unwrap();
    let page = |s: &Session, p: &str| String::from_utf8(s.files.snapshot()[p].to_vec()).unwrap();
    assert!(page(&session, "pay/index.html").contains("Alpha"));
    let front = root.join("content/pay/_index.md");
    let steps: [(&str, Option<&str>); 4] = [
        (
            "add",
            Some("---\ntitle: Payments desk\n---\n\nWho pays whom.\n"),
        ),
        (
            "retitle",
            Some("---\ntitle: Money desk\n---\n\nWho pays whom.\n"),
        ),
        ("remove", None),
        ("add again", Some("---\ntitle: Payments\nweight: 1\n---\n")),
    ];
    for (what, text) in steps {
        match text {
            Some(t) => std::fs::write(&front, t).unwrap(),
            None => std::fs::remove_file(&front).unwrap(),
        }
        session.update_docs(std::slice::from_ref(&front)).unwrap();
        let fresh = Session::new(root, Some(BASE.to_owned())).unwrap();
        assert_same(&session.files.snapshot(), &fresh.files.snapshot(), what);
    }
    // The front page lists the folder and leads the pager; the deeper page's
    // breadcrumbs name the folder by its front page's title.
    let front_page = page(&session, "pay/index.html");
    assert!(front_page.contains("folder-listing") && front_page.contains("Bravo"));
    assert!(
        front_page.contains(r#"rel="next" href="/pay/a/""#),
        "{front_page}"
    );
    let deep = page(&session, "pay/deep/c/index.html");
    assert!(deep.contains(r#"<a href="/pay/">Payments</a>"#), "{deep}");
    assert!(deep.contains(r#"<a href="/pay/deep/">Deep</a>"#), "{deep}");
}

/// The content root's front page introduces the home page: it takes over
/// from a readme (which moves to a page of its own), is edited, gives way
/// to the readme again when it goes, and the home page follows
/// each step (its own text, and the catalog it lists), equal to a fresh
/// render.
#[test]
fn the_home_document_comes_and_goes_like_a_full_build() {
    let site = common::site(&[
        ("content/pay/a.md", b"---\ntitle: Alpha\n---\n\nText.\n"),
        ("content/b.md", b"---\ntitle: Bravo\n---\n\nText.\n"),
        ("content/ops/c.md", b"---\ntitle: Charlie\n---\n\nText.\n"),
    ]);
    let root = site.path();
    let mut session = Session::new(root, Some(BASE.to_owned())).unwrap();
    let home = |s: &Session| String::from_utf8(s.files.snapshot()["index.html"].to_vec()).unwrap();
    assert!(!home(&session).contains("home-intro"));
    let index = root.join("content/_index.md");
    let readme = root.join("content/README.md");
    let alpha = root.join("content/pay/a.md");
    let charlie = root.join("content/ops/c.md");
    type Step<'a> = (&'a str, &'a Path, Option<&'a str>);
    let steps: [Step; 9] = [
        (
            "a readme first",
            &readme,
            Some("# Read me\n\nThe platypus notes.\n"),
        ),
        (
            "add the home document",
            &index,
            Some("---\ntitle: Welcome\n---\n\nThe quokka desk. See [Alpha](pay/a.md).\n"),
        ),
        (
            "edit its prose",
            &index,
            Some("---\ntitle: Welcome\n---\n\nThe wombat desk. See [Alpha](pay/a.md).\n"),
        ),
        (
            "link back to it",
            &alpha,
            Some("---\ntitle: Alpha\n---\n\nBack [home](../_index.md).\n"),
        ),
        (
            // Nothing links to it and it shares no folder with the home
            // document: only the catalog's rows tie them.
            "retitle a document it lists",
            &charlie,
            Some("---\ntitle: Charlie prime\n---\n\nText.\n"),
        ),
        (
            "edit the second front page",
            &readme,
            Some("# Read me\n\nThe platypus notes, again.\n"),
        ),
        ("remove the first", &index, None),
        (
            "edit the one left",
            &readme,
            Some("# Read me\n\nThe echidna notes.\n"),
        ),
        ("remove it too", &readme, None),
    ];
    for (what, path, text) in steps {
        match text {
            Some(t) => std::fs::write(path, t).unwrap(),
            None => std::fs::remove_file(path).unwrap(),
        }
        session.update_docs(&[path.to_path_buf()]).unwrap();
        let fresh = Session::new(root, Some(BASE.to_owned())).unwrap();
        assert_same(&session.files.snapshot(), &fresh.files.snapshot(), what);
        assert_eq!(session.diagnostics(), fresh.diagnostics(), "{what}");
        let page = home(&session);
        let files = session.files.snapshot();
        match what {
            "a readme first" => {
                assert!(page.contains("The platypus notes."), "{page}");
                assert!(!files.contains_key("README/index.html"));
            }
            "add the home document" => {
                assert!(page.contains("The quokka desk."), "{page}");
                assert!(files.contains_key("README/index.html"), "the readme moved");
                assert!(page.contains(r#"<a href="/pay/a/">Alpha</a>"#), "{page}");
                assert!(!files.contains_key("_index/index.html"));
                assert!(files.contains_key("index.html.md"));
            }
            "edit its prose" => assert!(page.contains("The wombat desk.")),
            "link back to it" => {
                let alpha = String::from_utf8(files["pay/a/index.html"].to_vec()).unwrap();
                assert!(alpha.contains(r#"<a href="/">home</a>"#), "{alpha}");
                // The home page lists it, as a document page would.
                let by = &page[page.find("Referenced by").expect("Referenced by")..];
                assert!(by.contains(r#"<a href="/pay/a/">Alpha</a>"#), "{page}");
            }
            "retitle a document it lists" => {
                assert!(page.contains("Charlie prime") && page.contains("The wombat desk."));
            }
            "edit the second front page" => {
                assert!(page.contains("The wombat desk.") && !page.contains("platypus"));
                assert!(files.contains_key("README/index.html"));
                let said = format!("{:?}", session.diagnostics());
                assert!(said.contains("already introduces the home page"), "{said}");
            }
            "remove the first" => {
                assert!(page.contains("The platypus notes, again."), "{page}");
                assert!(!files.contains_key("README/index.html"));
            }
            "edit the one left" => assert!(page.contains("The echidna notes.")),
            _ => {
                assert!(!page.contains("home-intro"), "{page}");
                assert!(!files.contains_key("index.html.md"));
            }
        }
    }
}

#[test]
fn renaming_a_system_moves_its_page_and_relinks_other_documents() {
    let site = common::site(&[
        ("content/a.md", b"# Billing \xe2\x86\x92 Ledger\n"),
        ("content/b.md", b"# Ledger \xe2\x86\x92 Bank\n"),
        ("content/c.md", b"# Notes\n\nThe Ledger feeds the Bank.\n"),
    ]);
    let root = site.path();
    let mut session = Session::new(root, Some(BASE.to_owned())).unwrap();
    assert!(session
        .files
        .snapshot()
        .contains_key("systems/bank/index.html"));
    let target = root.join("content/b.md");
    std::fs::write(&target, "# General Ledger \u{2192} Treasury\n").unwrap();
    session.update_docs(&[target]).unwrap();
    let fresh = Session::new(root, Some(BASE.to_owned())).unwrap();
    let files = session.files.snapshot();
    assert!(
        !files.contains_key("systems/bank/index.html"),
        "stale system page"
    );
    assert!(files.contains_key("systems/treasury/index.html"));
    assert_same(&files, &fresh.files.snapshot(), "renamed system");
    assert_eq!(session.diagnostics(), fresh.diagnostics());
    // Declaring an alias in site.toml is a full rebuild; the result is
    // what a fresh session gives.
    std::fs::write(
        root.join("site.toml"),
        "[systems.ledger]\nname = \"Ledger\"\naliases = [\"General Ledger\"]\n",
    )
    .unwrap();
    session.rebuild_all().unwrap();
    let fresh = Session::new(root, Some(BASE.to_owned())).unwrap();
    assert_same(&session.files.snapshot(), &fresh.files.snapshot(), "alias");
    assert!(!session
        .files
        .snapshot()
        .contains_key("systems/general-ledger/index.html"));
}

/// A heading another document links to is renamed: that link breaks, the
/// linking page loses its "related" entry and the feeds change, though the
/// renamed document's title and summary did not.
#[test]
fn renaming_a_linked_heading_updates_the_pages_linking_to_it() {
    let site = example_site();
    let root = site.path();
    let mut session = Session::new(root, Some(BASE.to_owned())).unwrap();
    let target = root.join("content/payments/stripe-payments.md");
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(text.contains("## Error Handling and Resilience"));
    std::fs::write(
        &target,
        text.replace("## Error Handling and Resilience", "## When Stripe Fails"),
    )
    .unwrap();
    let report = session.update_docs(&[target]).unwrap();
    let fresh = Session::new(root, Some(BASE.to_owned())).unwrap();
    assert_same(
        &session.files.snapshot(),
        &fresh.files.snapshot(),
        "renamed heading",
    );
    assert_eq!(session.diagnostics(), fresh.diagnostics());
    assert!(
        session
            .diagnostics()
            .iter()
            .any(|d| d.file.contains("zendesk") && d.code == "broken-link"),
        "the anchor link from zendesk-order-service.md is reported"
    );
    assert!(report.pages > 1, "only the renamed page was re-rendered");
}

/// An `id` added to one document now wins over the path another document's
/// `related` entry named: the old target's "Referenced by" must lose it,
/// though neither it nor its neighbours were edited.
#[test]
fn an_id_that_retargets_a_reference_updates_the_old_target() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::write(root, "site.toml", b"[diagrams]\nenabled = false\n");
    common::write(
        root,
        "content/a.md",
        b"---\ntitle: A\nrelated: [b.md]\n---\n\nText.\n",
    );
    common::write(root, "content/b.md", b"---\ntitle: B\n---\n\nText.\n");
    common::write(root, "content/c.md", b"---\ntitle: C\n---\n\nText.\n");
    let mut session = Session::new(root, Some(BASE.to_owned())).unwrap();
    let page = |s: &Session, p: &str| String::from_utf8_lossy(&s.files.snapshot()[p]).into_owned();
    assert!(page(&session, "b/index.html").contains("Referenced by"));
    common::write(
        root,
        "content/c.md",
        b"---\ntitle: C\nid: b.md\n---\n\nText.\n",
    );
    session.update_docs(&[root.join("content/c.md")]).unwrap();
    let fresh = Session::new(root, Some(BASE.to_owned())).unwrap();
    assert_same(
        &session.files.snapshot(),
        &fresh.files.snapshot(),
        "id retarget",
    );
    assert!(!page(&session, "b/index.html").contains("Referenced by"));
}

/// `guide.md` added beside `guide/index.md`: a `related_files: [guide]`
/// entry now resolves to the new file, and the folder page loses its
/// "Referenced by" entry.
#[test]
fn a_sibling_file_that_wins_a_folder_link_updates_both_targets() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::write(root, "site.toml", b"[diagrams]\nenabled = false\n");
    common::write(root, "content/guide/index.md", b"# Guide index\n");
    common::write(
        root,
        "content/a.md",
        b"---\ntitle: A\nrelated_files: [guide]\n---\n\nText.\n",
    );
    let mut session = Session::new(root, Some(BASE.to_owned())).unwrap();
    let page = |s: &Session, p: &str| String::from_utf8_lossy(&s.files.snapshot()[p]).into_owned();
    assert!(page(&session, "guide/index.html").contains("Referenced by"));
    common::write(root, "content/guide.md", b"# Guide file\n");
    session
        .update_docs(&[root.join("content/guide.md")])
        .unwrap();
    let fresh = Session::new(root, Some(BASE.to_owned())).unwrap();
    assert_same(
        &session.files.snapshot(),
        &fresh.files.snapshot(),
        "sibling",
    );
    assert!(!page(&session, "guide/index.html").contains("Referenced by"));
}

/// A picture is published while a document links to it, and only then.
#[test]
fn linking_and_unlinking_a_picture_publishes_and_withdraws_it() {
    let site = example_site();
    let root = site.path();
    let mut session = Session::new(root, Some(BASE.to_owned())).unwrap();
    let target = root.join("content/crm/hubspot-marketing.md");
    let text = std::fs::read_to_string(&target).unwrap();
    for (step, body) in [
        (
            "linked",
            format!("{text}\n![The flow](../payments/flow.png)\n"),
        ),
        ("unlinked", text.clone()),
    ] {
        std::fs::write(&target, body).unwrap();
        session.update_docs(std::slice::from_ref(&target)).unwrap();
        let fresh = Session::new(root, Some(BASE.to_owned())).unwrap();
        assert_same(&session.files.snapshot(), &fresh.files.snapshot(), step);
        assert_eq!(
            session.files.snapshot().contains_key("payments/flow.png"),
            step == "linked",
            "{step}"
        );
    }
}

#[test]
fn serve_output_equals_build_output() {
    let site = example_site();
    let root = site.path();
    let session = Session::new(root, Some(BASE.to_owned())).unwrap();
    let out = root.join("public");
    let options = portolan::site::BuildOptions {
        out: Some(out.clone()),
        base_url: Some(BASE.to_owned()),
        ..Default::default()
    };
    assert!(matches!(
        portolan::site::build(root, &options).unwrap(),
        portolan::site::BuildOutcome::Built { .. }
    ));
    let mut built = common::read_tree(&out);
    built.remove(portolan::site::MARKER);
    let served: BTreeMap<String, Vec<u8>> = session
        .files
        .snapshot()
        .into_iter()
        .map(|(k, v)| (k, v.to_vec()))
        .collect();
    assert_eq!(
        served.keys().collect::<Vec<_>>(),
        built.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &built {
        assert!(
            &served[path] == bytes,
            "{path} differs between serve and build"
        );
    }
    assert!(!served
        .values()
        .any(|b| String::from_utf8_lossy(b).contains("__portolan")));
}

#[test]
fn tag_and_agent_pages_come_and_go_like_a_full_build() {
    // 130 documents share a tag and an agent: two pages each. Untagging 40
    // leaves one page; tagging them again brings the second back.
    let site = common::site(&[]);
    let root = site.path();
    let doc = |i: usize, tagged: bool| {
        let extra = if tagged { ", bulk" } else { "" };
        // The same tags and agents exist throughout: only their pages move.
        format!(
            "---\ntitle: Doc {i:03}\ntags: [all{extra}]\nai_agent_relevance: [{}]\n---\n\nText.\n",
            if tagged { "BulkAgent" } else { "" }
        )
    };
    for i in 0..130 {
        common::write(
            root,
            &format!("content/d{i:03}.md"),
            doc(i, true).as_bytes(),
        );
    }
    let mut session = Session::new(root, Some(BASE.to_owned())).unwrap();
    assert!(session
        .files
        .snapshot()
        .contains_key("tags/bulk/page/2/index.html"));
    assert!(session
        .files
        .snapshot()
        .contains_key("agents/BulkAgent/page/2/index.html"));
    for (what, tagged) in [("untag 40", false), ("tag again", true)] {
        let paths: Vec<PathBuf> = (90..130)
            .map(|i| root.join(format!("content/d{i:03}.md")))
            .collect();
        for (i, p) in (90..130).zip(&paths) {
            std::fs::write(p, doc(i, tagged)).unwrap();
        }
        session.update_docs(&paths).unwrap();
        let fresh = Session::new(root, Some(BASE.to_owned())).unwrap();
        assert_same(&session.files.snapshot(), &fresh.files.snapshot(), what);
        assert_eq!(
            session
                .files
                .snapshot()
                .contains_key("tags/bulk/page/2/index.html"),
            tagged,
            "{what}"
        );
    }
}

/// What every CI build is: the cache of earlier builds restored, a fresh
/// output dir. After each random edit (and new code blocks, so the
/// highlight cache both hits and misses) it gives byte for byte what a
/// cold build of the edited site gives; a corrupt or tampered cache
/// changes nothing.
#[test]
fn cached_builds_into_fresh_dirs_equal_cold_builds() {
    let site = example_site();
    let root = site.path();
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    // (buckets, reused) of each build.
    let searched = std::cell::RefCell::new(Vec::new());
    let kept_pages = std::cell::RefCell::new(Vec::new());
    let build = |cache: &Path, out: &Path| {
        let o = ci_output(None, root, cache, out);
        let err = common::stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        let numbers = |prefix: &str, marker: &str| -> Vec<usize> {
            err.lines()
                .filter(|l| l.contains(marker))
                .find_map(|l| l.strip_prefix(prefix))
                .unwrap_or_else(|| panic!("no {prefix:?} in {err}"))
                .split(|c: char| !c.is_ascii_digit())
                .filter_map(|n| n.parse().ok())
                .collect()
        };
        // "[timing] highlight cache: R blocks reused, F refused, A added: N ms"
        let counts = numbers("[timing] highlight cache: ", "added");
        searched.borrow_mut().push(bucket_counts(&err));
        // Kept pages' code blocks were not highlighted again.
        kept_pages
            .borrow_mut()
            .push(kept_pages_of(&err).unwrap_or(0));
        (common::read_tree(out), counts[0], counts[1], counts[2])
    };
    let bundles = || -> Vec<PathBuf> {
        let mut all: Vec<PathBuf> = std::fs::read_dir(cache.join("search"))
            .expect("search bundles after a build")
            .flatten()
            .map(|e| e.path())
            .collect();
        all.sort();
        all
    };
    let pack = || {
        std::fs::read_dir(cache.join("highlight"))
            .expect("a highlight pack after a build")
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "pack"))
            .expect("a pack")
    };
    let (_, reused, _, added) = build(&cache, &work.path().join("first"));
    assert_eq!(reused, 0);
    assert!(added > 20, "{added} blocks highlighted");
    let mut rng = Lcg(20_261_124);
    for step in 0..6 {
        // An edit that breaks a link is refused by both builds alike, and
        // compares nothing: it is undone, and another drawn.
        let content = root.join("content");
        let before = common::read_tree(&content);
        let mut what = String::new();
        for _ in 0..10 {
            what = edit(root, &mut rng, step).1;
            let checked = common::bin()
                .args(["check", "--root"])
                .arg(root)
                .env("PORTOLAN_DIAGRAMS", "off")
                .output()
                .expect("portolan runs");
            if checked.status.success() {
                break;
            }
            std::fs::remove_dir_all(&content).unwrap();
            for (path, bytes) in &before {
                common::write(&content, path, bytes);
            }
        }
        let all = docs(root);
        let target = &all[rng.next(all.len())];
        let mut text = std::fs::read_to_string(target).unwrap();
        text.push_str(&format!(
            "\n\n```yaml\nstep_{step}:\n  retries: {}\n  url: \"https://example.com/<{step}>\" # & more\n```\n",
            rng.next(1000)
        ));
        std::fs::write(target, text).unwrap();
        match step {
            2 => {
                // Same-length tampering, so the pack still parses: markup
                // in an entry, and a class bent out of the stylesheet.
                let mut bytes = std::fs::read(pack()).unwrap();
                let len = bytes.len();
                replace_bytes(&mut bytes, b"</span>", b"<img/x>", 3);
                replace_bytes(&mut bytes, b"=\"l", b"=\"x", 3);
                assert_eq!(bytes.len(), len);
                std::fs::write(pack(), bytes).unwrap();
                // And a new site description, which every page shows: every
                // page is rendered, so every tampered entry is read.
                let config = root.join("site.toml");
                let text = std::fs::read_to_string(&config).unwrap();
                let described = text.replacen("description = \"", "description = \"Step 2: ", 1);
                assert_ne!(described, text);
                std::fs::write(&config, described).unwrap();
            }
            4 => {
                // Cut short mid-entry, as an interrupted restore leaves it.
                let bytes = std::fs::read(pack()).unwrap();
                std::fs::write(pack(), &bytes[..bytes.len() * 2 / 3]).unwrap();
                // Every search bundle damaged: one cut, the others with a
                // flipped byte. None may reach the output.
                for (n, bundle) in bundles().iter().enumerate() {
                    let mut bytes = std::fs::read(bundle).unwrap();
                    if n == 0 {
                        bytes.truncate(bytes.len() / 2);
                    } else {
                        let at = bytes.len() / 3;
                        bytes[at] ^= 0x20;
                    }
                    std::fs::write(bundle, bytes).unwrap();
                }
            }
            _ => {}
        }
        let (cached, reused, refused, added) =
            build(&cache, &work.path().join(format!("ci-{step}")));
        let (buckets, bundles_reused) = *searched.borrow().last().unwrap();
        assert!(buckets >= 4, "step {step}: {buckets} search buckets");
        if step == 4 {
            assert_eq!(bundles_reused, 0, "damaged bundles were used");
        }
        assert!(bundles().len() <= buckets, "stale bundles are removed");
        // The new block is highlighted; the rest come from the pack, but
        // for the entries tampered with or cut off (and those of pages
        // kept from the last build, which are not rendered at all).
        let kept = *kept_pages.borrow().last().unwrap();
        assert!(added >= 1, "step {step}: {added} added");
        if step == 2 {
            assert_eq!(kept, 0, "a new description kept pages");
            assert!(refused >= 1, "tampered entries were used");
        } else {
            assert_eq!(refused, 0, "step {step}");
        }
        if kept == 0 {
            assert!(reused > 20, "step {step}: {reused} reused");
        }
        let cold_cache = work.path().join(format!("cold-cache-{step}"));
        let (cold, ..) = build(&cold_cache, &work.path().join(format!("cold-{step}")));
        let only_cached: Vec<&String> = cached.keys().filter(|k| !cold.contains_key(*k)).collect();
        let only_cold: Vec<&String> = cold.keys().filter(|k| !cached.contains_key(*k)).collect();
        assert!(
            only_cached.is_empty() && only_cold.is_empty(),
            "step {step} ({what}): only in the cached build {only_cached:?}, only in the cold one {only_cold:?}"
        );
        // Every file that differs, not just the first (the marker, which
        // lists the others' hashes, sorts first).
        let differing: Vec<&String> = cold
            .iter()
            .filter(|(path, bytes)| &cached[*path] != *bytes)
            .map(|(path, _)| path)
            .collect();
        assert!(
            differing.is_empty(),
            "step {step} ({what}): {differing:?} differ between a cached and a cold build"
        );
        let page = String::from_utf8_lossy(&cached["index.html"]).into_owned();
        assert!(!page.contains("<img/x>"));
        // Nothing changed since: the next CI build replays this one.
        let again = work.path().join(format!("again-{step}"));
        let o = build_output(root, &cache, &again, &[]);
        assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
        assert!(
            common::stdout(&o).contains("replayed from the cache"),
            "step {step}: an unchanged site was built again"
        );
        let replayed = common::read_tree(&again);
        let differing: Vec<&String> = cold
            .iter()
            .filter(|(path, bytes)| replayed.get(*path) != Some(*bytes))
            .map(|(path, _)| path)
            .collect();
        assert!(
            differing.is_empty() && replayed.len() == cold.len(),
            "step {step} ({what}): {differing:?} differ between a replayed and a cold build"
        );
        eprintln!("step {step}: {what}: {} files equal", cold.len());
    }
    // Bundles of unchanged buckets were used, those of changed ones not.
    let runs = searched.borrow();
    let cached_runs: Vec<(usize, usize)> = runs.iter().skip(1).step_by(2).copied().collect();
    eprintln!("search buckets (count, from the cache) of each CI build: {cached_runs:?}");
    eprintln!("pages kept by each build: {:?}", kept_pages.borrow());
    assert!(
        cached_runs.iter().any(|(b, r)| *r > 0 && r < b),
        "no CI build reused some bundles and rebuilt others: {cached_runs:?}"
    );
    // The pack was used, not only written: it holds this run's blocks.
    let bytes = std::fs::read(pack()).unwrap();
    assert!(String::from_utf8_lossy(&bytes).contains("step_5"));
    assert!(!String::from_utf8_lossy(&bytes).contains("<img/x>"));
}

/// A CI build of `root` into the fresh dir `out` with `cache`, on the
/// given date (`PORTOLAN_TODAY`) or the clock's: its files, and how many
/// documents' pages it kept from the last build (None when it kept none;
/// every file when nothing changed, and the last build was replayed).
fn ci_build(
    today: Option<&str>,
    root: &Path,
    cache: &Path,
    out: &Path,
) -> (BTreeMap<String, Vec<u8>>, Option<usize>) {
    let o = ci_output(today, root, cache, out);
    let err = common::stderr(&o);
    // An edit may break a link: the build is then refused, writing nothing.
    if o.status.code() == Some(1) && err.contains("build stopped: nothing was written") {
        assert!(!out.exists());
        return (BTreeMap::new(), None);
    }
    assert_eq!(o.status.code(), Some(0), "{err}");
    let files = common::read_tree(out);
    if err.contains("[timing] replay: the last build's files") {
        let all = files.len();
        return (files, Some(all));
    }
    assert!(
        err.contains("[timing] kept "),
        "no kept pages line in {err}"
    );
    // Shown with a failing test's output: why pages were or were not kept.
    for line in err.lines().filter(|l| l.starts_with("[timing] kept ")) {
        eprintln!("{}: {line}", out.display());
    }
    (files, kept_document_pages_of(&err))
}

/// A kept page is a hard link to its cache object: an output page edited
/// in place edits the object too. The next build that would keep it finds
/// the object changed, keeps nothing and renders every page.
#[cfg(unix)]
#[test]
fn a_kept_page_edited_in_place_is_not_kept_again() {
    use std::os::unix::fs::MetadataExt;
    let site = example_site();
    let root = site.path();
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let append = |path: &Path, text: &str| {
        let old = std::fs::read_to_string(path).unwrap();
        std::fs::write(path, format!("{old}\n{text}\n")).unwrap();
    };
    ci_build(None, root, &cache, &work.path().join("first"));
    append(&root.join("content/messaging/twilio-sms.md"), "More prose.");
    let out = work.path().join("ci-1");
    let (_, kept) = ci_build(None, root, &cache, &out);
    assert!(kept.is_some_and(|n| n > 0), "{kept:?}");
    let page = out.join("crm/hubspot-marketing/index.html");
    let linked = std::fs::metadata(&page).unwrap().nlink() > 1;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&page)
        .unwrap();
    std::io::Write::write_all(&mut file, b"<p>tampered</p>").unwrap();
    drop(file);
    append(
        &root.join("content/messaging/sendgrid-email.md"),
        "More prose.",
    );
    let (cached, kept) = ci_build(None, root, &cache, &work.path().join("ci-2"));
    if linked {
        assert_eq!(kept, None, "a changed object was kept");
    }
    let (cold, _) = ci_build(
        None,
        root,
        &work.path().join("cold-cache"),
        &work.path().join("cold"),
    );
    assert!(
        cached == cold,
        "the build after the edit differs from a cold one"
    );
    let kept_page =
        String::from_utf8_lossy(&cached["crm/hubspot-marketing/index.html"]).into_owned();
    assert!(!kept_page.contains("tampered"));
}

/// The home document's page is the home page, which lists every document:
/// a CI build that keeps the other pages renders it again, though it did
/// not change: on another day (the rows say how old a stale document is),
/// after another document's prose edit, after its own, and when another
/// front page takes its place.
#[test]
fn ci_builds_render_the_home_document_again_when_the_catalog_changes() {
    let site = common::site(&[
        (
            "content/_index.md",
            b"---\ntitle: Welcome\n---\n\nThe quokka desk.\n",
        ),
        ("content/pay/a.md", b"---\ntitle: Alpha\n---\n\nText.\n"),
        (
            "content/ops/c.md",
            b"---\ntitle: Charlie\nlast_updated: 2020-01-01\n---\n\nText.\n",
        ),
        ("content/ops/d.md", b"---\ntitle: Delta\n---\n\nText.\n"),
    ]);
    let root = site.path();
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let day = Some("2026-12-10");
    ci_build_like_cold(day, root, &cache, work.path(), "0", "first");
    type Step<'a> = (&'a str, Option<&'a str>, &'a str, Option<&'a [u8]>);
    let steps: [Step; 5] = [
        (
            "a prose edit elsewhere",
            day,
            "content/ops/d.md",
            Some(b"---\ntitle: Delta\n---\n\nMore text.\n"),
        ),
        (
            // Another day, and another edit, so the last build is not
            // replayed whole: Charlie's row on the home page says its age.
            "a day later",
            Some("2026-12-11"),
            "content/ops/d.md",
            Some(b"---\ntitle: Delta\n---\n\nYet more text.\n"),
        ),
        (
            "edit the home document",
            Some("2026-12-11"),
            "content/_index.md",
            Some(b"---\ntitle: Welcome\n---\n\nThe wombat desk.\n"),
        ),
        (
            "add a second front page",
            Some("2026-12-11"),
            "content/README.md",
            Some(b"# Read me\n\nThe platypus notes.\n"),
        ),
        (
            "remove the first",
            Some("2026-12-11"),
            "content/_index.md",
            None,
        ),
    ];
    for (n, (what, today, path, text)) in steps.into_iter().enumerate() {
        match text {
            Some(t) => common::write(root, path, t),
            None => std::fs::remove_file(root.join(path)).unwrap(),
        }
        let (files, kept) = ci_build_like_cold(
            today,
            root,
            &cache,
            work.path(),
            &format!("{}", n + 1),
            what,
        );
        // The first three keep pages; the last two move the home page,
        // which the other pages' breadcrumbs show, and may keep fewer.
        if n < 3 {
            assert!(kept.is_some_and(|k| k > 0), "{what}: nothing kept");
        }
        let home = String::from_utf8_lossy(&files["index.html"]).into_owned();
        let expected = match n {
            0 => "Not updated for 2535 days",
            1 => "Not updated for 2536 days",
            2 | 3 => "The wombat desk.",
            _ => "The platypus notes.",
        };
        assert!(home.contains(expected), "{what}: {home}");
    }
}

/// `ci_build` into `work/ci-<name>`, checked byte for byte against a cold
/// build (a fresh cache) into `work/cold-<name>`; `what` names the step.
fn ci_build_like_cold(
    today: Option<&str>,
    root: &Path,
    cache: &Path,
    work: &Path,
    name: &str,
    what: &str,
) -> (BTreeMap<String, Vec<u8>>, Option<usize>) {
    let (cached, kept) = ci_build(today, root, cache, &work.join(format!("ci-{name}")));
    let (cold, cold_kept) = ci_build(
        today,
        root,
        &work.join(format!("cold-cache-{name}")),
        &work.join(format!("cold-{name}")),
    );
    assert_eq!(cold_kept, None);
    common::assert_same_files(
        &cold,
        &cached,
        &format!("{what}: a CI build against a cold one"),
    );
    (cached, kept)
}

/// `portolan build` of `root` into `out` with `cache`, diagrams off, its
/// timings on, and several search buckets (so an edit reuses some and not
/// others), on the given date or the clock's.
fn ci_output(today: Option<&str>, root: &Path, cache: &Path, out: &Path) -> std::process::Output {
    let mut env = vec![("PORTOLAN_TIMINGS", "1")];
    env.extend(today.map(|today| ("PORTOLAN_TODAY", today)));
    build_output(root, cache, out, &env)
}

/// `portolan build` of `root` into `out` with `cache`, diagrams off, in
/// search buckets of three pages, with `env` besides (which may override
/// the buckets).
fn build_output(
    root: &Path,
    cache: &Path,
    out: &Path,
    env: &[(&str, &str)],
) -> std::process::Output {
    let mut command = common::bin();
    command
        .args(["build", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .env("PORTOLAN_DIAGRAMS", "off")
        .env("PORTOLAN_CACHE_DIR", cache)
        .env("PORTOLAN_TEST_SEARCH_BUCKET_PAGES", "3");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("portolan runs")
}

/// The date decides only which documents are stale and how old a stale
/// one says it is, on its own page: a CI build on another day keeps the
/// other pages of the last day's build and renders those again. The
/// example's documents (stale after 365 days): SendGrid's (updated
/// 2026-06-21) and the returns integration points (2026-05-28) are stale
/// on every day below, at another age each day; Adyen's (2026-07-02) turns
/// stale on 2027-07-03 and fresh again when the clock goes back. Each
/// build equals a cold build of its day byte for byte.
#[test]
fn a_ci_build_on_another_day_keeps_the_pages_the_date_leaves_alone() {
    let site = example_site();
    let root = site.path();
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let documents = docs(root).len();
    let (_, kept) = ci_build(Some("2027-07-01"), root, &cache, &work.path().join("first"));
    assert_eq!(kept, None, "a first build has nothing to keep");
    let days = [
        ("2027-07-03", "two days on: Adyen's turns stale"),
        ("2027-06-25", "the clock goes back: Adyen's is fresh again"),
        ("2027-06-25", "the same day"),
    ];
    let twilio = root.join("content/messaging/twilio-sms.md");
    let mut kept_on = Vec::new();
    for (step, (day, what)) in days.iter().enumerate() {
        let text = std::fs::read_to_string(&twilio).unwrap();
        std::fs::write(&twilio, format!("{text}\nProse of day {step}.\n")).unwrap();
        let (cached, kept) = ci_build_like_cold(
            Some(day),
            root,
            &cache,
            work.path(),
            &format!("{step}"),
            &format!("{day} ({what})"),
        );
        kept_on.push(kept.unwrap_or(0));
        for stale in [
            "messaging/sendgrid-email/index.html",
            "features/returns-integration-points/index.html",
        ] {
            assert!(
                page(&cached, stale).contains("days ago and may be out of date"),
                "{what}"
            );
        }
        let adyen = page(&cached, "payments/adyen-pos-terminals/index.html");
        assert_eq!(adyen.contains("may be out of date"), step == 0, "{what}");
    }
    // On the same day every document's page but Twilio's and the home
    // page is kept; on another day, all but those and the three dated
    // documents'.
    let [other_day, clock_back, same_day] = kept_on[..] else {
        unreachable!()
    };
    assert!(same_day >= documents - 2, "{kept_on:?}");
    assert_eq!(other_day, same_day - 3, "{kept_on:?}");
    assert_eq!(clock_back, same_day - 3, "{kept_on:?}");
}

/// From a build's timings, "[timing] kept N pages of the last build": N,
/// or None ("kept no page of the last build: why").
/// How many search buckets a build with timings on had, and how many of
/// them came from the cache.
fn bucket_counts(err: &str) -> (usize, usize) {
    // "[timing] search index: B bucket(s), R from the cache: N ms"
    let counts: Vec<usize> = err
        .lines()
        .filter(|l| l.contains("bucket(s)"))
        .find_map(|l| l.strip_prefix("[timing] search index: "))
        .unwrap_or_else(|| panic!("no bucket line in {err}"))
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    (counts[0], counts[1])
}

/// N and D of "[timing] kept N pages of the last build, D of them
/// documents': T ms"; None when the build kept none ("kept no page …").
fn kept_counts(err: &str) -> Option<(usize, usize)> {
    let rest = err.lines().find_map(|l| l.strip_prefix("[timing] kept "))?;
    let (all, documents) = rest.split_once(", ")?;
    let first = |text: &str| text.split(' ').next()?.parse().ok();
    Some((first(all)?, first(documents)?))
}

fn kept_pages_of(err: &str) -> Option<usize> {
    kept_counts(err).map(|(all, _)| all)
}

/// Of the pages kept, how many are documents' (system pages are kept too).
fn kept_document_pages_of(err: &str) -> Option<usize> {
    kept_counts(err).map(|(_, documents)| documents)
}

/// A page of a build's files, as text.
fn page(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(files[path].clone()).unwrap()
}

/// A CI build keeps the last build's page of an unchanged document, or of
/// a system, while what that page shows of the rest of the site is the
/// same (its view, `site::frame`). Edits that stay inside a document keep
/// every other page; edits that show elsewhere (a system named in prose,
/// a new title) keep the pages that do not show them; a new site
/// description keeps none; random edits keep what is still right. Each
/// build equals a cold build byte for byte.
#[test]
fn ci_builds_keep_the_pages_whose_view_of_the_site_holds() {
    let site = example_site();
    let root = site.path();
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let content = root.join("content");
    let (_, kept) = ci_build(None, root, &cache, &work.path().join("first"));
    assert_eq!(kept, None, "a first build has nothing to keep");
    let append = |path: &str, text: &str| {
        let path = content.join(path);
        let old = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{old}\n{text}\n")).unwrap();
    };
    let replace = |path: &str, from: &str, to: &str| {
        let path = content.join(path);
        let old = std::fs::read_to_string(&path).unwrap();
        assert!(old.contains(from), "{from} in {}", path.display());
        std::fs::write(&path, old.replacen(from, to, 1)).unwrap();
    };
    // How many pages a step's build must keep.
    #[derive(Debug, Clone, Copy)]
    enum Keeps {
        /// Every document's page but the edited one's (and the home page).
        AllBut1,
        /// At least half of them: the edit shows on a few other pages.
        Most,
        /// At least one: the edit shows on many pages (a hub's title).
        Some,
        /// None: the edit shows on every page.
        Nothing,
        /// A random edit: whatever it reaches.
        Any,
    }
    // (what, whether pages of other documents were kept)
    let mut steps: Vec<(String, Option<bool>)> = Vec::new();
    let mut rng = Lcg(20_261_206);
    for step in 0..24 {
        let (what, keeps) = match step {
            0 => {
                append("messaging/twilio-sms.md", "One more paragraph of prose.");
                ("a paragraph".to_owned(), Keeps::AllBut1)
            }
            1 => {
                append(
                    "crm/hubspot-marketing.md",
                    "```yaml\nretries: 3\nbackoff: exponential\n```",
                );
                ("a code block".to_owned(), Keeps::AllBut1)
            }
            2 => {
                // The landscape lists the documents naming a system: the
                // system's page and the document's own change.
                append(
                    "auth/okta-customer-identity.md",
                    "Stock levels come from Logiport WMS.",
                );
                ("a system named in prose".to_owned(), Keeps::Most)
            }
            3 => {
                replace(
                    "payments/stripe-payments.md",
                    "## Error Handling and Resilience",
                    "## When Stripe Fails",
                );
                replace(
                    "crm/zendesk-order-service.md",
                    "stripe-payments.md#error-handling-and-resilience",
                    "stripe-payments.md#when-stripe-fails",
                );
                (
                    "a linked heading renamed, and the link".to_owned(),
                    Keeps::Any,
                )
            }
            4 => {
                replace(
                    "payments/adyen-pos-terminals.md",
                    "title: Adyen",
                    "title: Renamed Adyen",
                );
                // Shown by its neighbours' related lists and pagers.
                ("a title".to_owned(), Keeps::Most)
            }
            5 => {
                let config = root.join("site.toml");
                let text = std::fs::read_to_string(&config).unwrap();
                std::fs::write(
                    &config,
                    text.replacen("description = \"", "description = \"Renamed: ", 1),
                )
                .unwrap();
                ("the site's description".to_owned(), Keeps::Nothing)
            }
            6 => {
                // The usual edit's companion: only the page itself shows
                // the date.
                replace(
                    "payments/stripe-payments.md",
                    "last_updated: 2026-09-14",
                    "last_updated: 2026-11-02",
                );
                ("a date bumped".to_owned(), Keeps::AllBut1)
            }
            7 => {
                // Shown by the pages listing it: Stripe's page is linked
                // from most documents, and half their pages show it.
                replace(
                    "payments/stripe-payments.md",
                    "title: Stripe",
                    "title: Renamed Stripe",
                );
                append("payments/stripe-payments.md", "And a paragraph.");
                ("a title and prose".to_owned(), Keeps::Some)
            }
            _ => {
                let before = common::read_tree(&content);
                let (_, what) = edit(root, &mut rng, step);
                // And prose in another document, so the kept pages are
                // the random edit's to spoil.
                let all = docs(root);
                let other = &all[rng.next(all.len())];
                let text = std::fs::read_to_string(other).unwrap();
                std::fs::write(other, format!("{text}\nProse of step {step}.\n")).unwrap();
                // An edit that breaks a link is refused by both builds
                // alike; it is undone, so later steps build.
                let probe = work.path().join(format!("probe-{step}"));
                if ci_build(None, root, &work.path().join("probe-cache"), &probe)
                    .0
                    .is_empty()
                {
                    std::fs::remove_dir_all(&content).unwrap();
                    for (path, bytes) in &before {
                        let path = content.join(path);
                        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                        std::fs::write(path, bytes).unwrap();
                    }
                    steps.push((format!("{what} (refused, undone)"), None));
                    continue;
                }
                (what, Keeps::Any)
            }
        };
        let (_, kept) = ci_build_like_cold(
            None,
            root,
            &cache,
            work.path(),
            &format!("{step}"),
            &format!("step {step} ({what})"),
        );
        let documents = docs(root).len();
        let enough = match keeps {
            // The home document's page, the home page, is always rendered.
            Keeps::AllBut1 => kept.is_some_and(|n| n >= documents - 2),
            Keeps::Most => kept.is_some_and(|n| n >= documents / 2),
            Keeps::Some => kept.is_some_and(|n| n >= 1),
            Keeps::Nothing => kept.is_none(),
            Keeps::Any => true,
        };
        assert!(
            enough,
            "step {step} ({what}): kept {kept:?} pages of {documents} documents, expected {keeps:?}"
        );
        steps.push((what, kept.map(|_| true)));
    }
    eprintln!("steps and whether pages were kept: {steps:?}");
}

/// Hugo `ref` links find their targets by name across the site: a new
/// document of the same name makes one ambiguous, which unlinks it, in a
/// serve session and a CI build alike, though the linking document was
/// not edited; removing that document links it again, and renaming the
/// target unlinks it for good.
#[test]
fn hugo_ref_links_follow_the_documents_they_name() {
    let site = common::site(&[
        ("site.toml", b"[validation]\nbroken_links = \"warn\"\n"),
        ("content/a/guide.md", b"# Guide A\n\n## Steps\n\nText.\n"),
        (
            "content/notes/n.md",
            b"# Notes\n\nRead [the guide]({{< ref \"guide#steps\" >}}) and [these]({{% relref \"/notes/n.md\" %}}).\n",
        ),
        // A link to a heading the guide lacks makes no relation: only the
        // page's view of where its links point shows the change.
        (
            "content/notes/other.md",
            b"# Other\n\nSee [gone]({{< ref \"guide#gone\" >}}).\n",
        ),
        ("content/c/intro.md", b"# Intro\n\nText.\n"),
    ]);
    let root = site.path();
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let mut session = Session::new(root, Some(BASE.to_owned())).unwrap();
    let linked = r#"<a href="/a/guide/#steps">the guide</a>"#;
    let (files, _) = ci_build_like_cold(None, root, &cache, work.path(), "0", "first");
    let notes = page(&files, "notes/n/index.html");
    assert!(notes.contains(linked), "{notes}");
    assert!(
        notes.contains(r#"<a href="/notes/n/">these</a>"#),
        "{notes}"
    );
    let mut step = |name: &str, what: &str, changed: &[&str]| {
        let paths: Vec<PathBuf> = changed.iter().map(|p| root.join(p)).collect();
        session.update_docs(&paths).expect("incremental rebuild");
        let fresh = Session::new(root, Some(BASE.to_owned())).unwrap();
        assert_same(&session.files.snapshot(), &fresh.files.snapshot(), what);
        assert_eq!(session.diagnostics(), fresh.diagnostics(), "{what}");
        let (files, _) = ci_build_like_cold(None, root, &cache, work.path(), name, what);
        let other = page(&files, "notes/other/index.html");
        (page(&files, "notes/n/index.html"), other)
    };
    // In a folder that was there: the notes page's navigation is as it was.
    common::write(root, "content/c/guide.md", b"# Guide C\n");
    let (notes, other) = step("1", "a second guide", &["content/c/guide.md"]);
    assert!(
        !notes.contains(linked) && notes.contains("the guide"),
        "{notes}"
    );
    assert!(!other.contains("/a/guide/#gone"), "{other}");
    std::fs::remove_file(root.join("content/c/guide.md")).unwrap();
    let (notes, other) = step("2", "the second guide gone", &["content/c/guide.md"]);
    assert!(notes.contains(linked), "{notes}");
    assert!(
        other.contains(r#"<a href="/a/guide/#gone">gone</a>"#),
        "{other}"
    );
    std::fs::rename(
        root.join("content/a/guide.md"),
        root.join("content/a/handbook.md"),
    )
    .unwrap();
    let (notes, other) = step(
        "3",
        "the guide renamed",
        &["content/a/guide.md", "content/a/handbook.md"],
    );
    assert!(
        !notes.contains("href=\"/a/") && !other.contains("href=\"/a/"),
        "{notes}"
    );
}

/// A system's page draws its neighbours and the integrations among them.
/// A new integration between two of its neighbours changes that map alone
/// (its tables list only the system's own integrations): a CI build
/// renders the page again, though it keeps others.
#[test]
fn a_new_integration_between_neighbours_redraws_their_neighbours_map() {
    let site = common::site(&[
        ("content/a.md", "# Billing → Ledger\n".as_bytes()),
        ("content/b.md", "# Billing → Bank\n".as_bytes()),
        ("content/notes/n.md", b"# Notes\n\nText.\n"),
    ]);
    let root = site.path();
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let (files, _) = ci_build_like_cold(None, root, &cache, work.path(), "0", "first");
    let billing = |files: &BTreeMap<String, Vec<u8>>| page(files, "systems/billing/index.html");
    assert!(!billing(&files).contains("Ledger → Bank"));
    common::write(root, "content/notes/n.md", "# Ledger → Bank\n".as_bytes());
    let (files, kept) = ci_build_like_cold(
        None,
        root,
        &cache,
        work.path(),
        "1",
        "an integration between two neighbours",
    );
    assert!(kept.is_some_and(|k| k > 0), "nothing kept: {kept:?}");
    assert!(
        billing(&files).contains("Ledger → Bank"),
        "{}",
        billing(&files)
    );
}

/// A link to a heading its target lacks makes no relation (a warning
/// here, so the site still builds), yet the page links the target's URL.
/// When the target goes, the link is left as written: a CI build renders
/// the linking page again, though nothing else on it changed.
#[test]
fn a_link_that_makes_no_relation_still_follows_its_target() {
    let site = common::site(&[
        (
            "site.toml",
            b"[validation]\nbroken_links = \"warn\"\n".as_slice(),
        ),
        ("content/b/index.md", b"# Bee\n\nText.\n"),
        ("content/b/d.md", b"# Dee\n\nText.\n"),
        (
            "content/x/a.md",
            b"# Ay\n\nSee [the part](../b/index.md#no-such-part).\n",
        ),
        ("content/x/c.md", b"# Cee\n\nText.\n"),
    ]);
    let root = site.path();
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let (files, _) = ci_build_like_cold(None, root, &cache, work.path(), "0", "first");
    let ay = |files: &BTreeMap<String, Vec<u8>>| page(files, "x/a/index.html");
    assert!(ay(&files).contains("/b/#no-such-part"), "{}", ay(&files));
    std::fs::remove_file(root.join("content/b/index.md")).unwrap();
    let (files, kept) = ci_build_like_cold(None, root, &cache, work.path(), "1", "b gone");
    assert!(kept.is_some_and(|k| k > 0), "nothing kept: {kept:?}");
    assert!(!ay(&files).contains("/b/#no-such-part"), "{}", ay(&files));
}

/// Replaces the first `n` occurrences of `from` by `to` (same length).
fn replace_bytes(bytes: &mut [u8], from: &[u8], to: &[u8], n: usize) {
    let mut done = 0;
    let mut at = 0;
    while done < n && at + from.len() <= bytes.len() {
        if &bytes[at..at + from.len()] == from {
            bytes[at..at + from.len()].copy_from_slice(to);
            done += 1;
        }
        at += 1;
    }
    assert_eq!(done, n, "{} found", String::from_utf8_lossy(from));
}

/// Edits that move what a spec's page shows: the last reference goes (the
/// page goes), comes back, the referencing document is retitled, another
/// document links the spec file, prose drifts from the spec. Each step is
/// compared with a fresh full render, pages and diagnostics.
#[test]
fn spec_references_come_and_go_like_a_full_build() {
    let site = example_site();
    let root = site.path();
    let mut session = Session::new(root, Some(BASE.to_owned())).unwrap();
    let stripe = root.join("content/payments/stripe-payments.md");
    let adyen = root.join("content/payments/adyen-pos-terminals.md");
    let original = std::fs::read_to_string(&stripe).unwrap();
    let reference = "openapi: specs/stripe.openapi.yaml\n";
    assert!(original.contains(reference));
    let adyen_text = std::fs::read_to_string(&adyen).unwrap();
    let steps: Vec<(&str, PathBuf, String)> = vec![
        (
            "drop the reference",
            stripe.clone(),
            original.replace(reference, ""),
        ),
        ("restore it", stripe.clone(), original.clone()),
        (
            "retitle the referencing document",
            stripe.clone(),
            original.replacen("title: Stripe", "title: Renamed Stripe", 1),
        ),
        (
            "drift from the spec",
            stripe.clone(),
            format!("{original}\nAlso `POST /v1/charges` for old orders.\n"),
        ),
        (
            "link the spec file from another document",
            adyen.clone(),
            format!("{adyen_text}\nSee [the Stripe spec](stripe.openapi.yaml) too.\n"),
        ),
        (
            "link it where it is",
            adyen.clone(),
            format!("{adyen_text}\nSee [the Stripe spec](specs/stripe.openapi.yaml) too.\n"),
        ),
        ("unlink it", adyen.clone(), adyen_text.clone()),
    ];
    for (what, path, text) in steps {
        std::fs::write(&path, text).unwrap();
        session.update_docs(&[path]).unwrap();
        let fresh = Session::new(root, Some(BASE.to_owned())).unwrap();
        assert_same(&session.files.snapshot(), &fresh.files.snapshot(), what);
        assert_eq!(session.diagnostics(), fresh.diagnostics(), "{what}");
        let files = session.files.snapshot();
        let spec_page = files.get("specs/stripe.openapi/index.html");
        match what {
            "drop the reference" => assert!(spec_page.is_none(), "{what}: the page stays"),
            "retitle the referencing document" => assert!(
                String::from_utf8_lossy(spec_page.expect("spec page")).contains("Renamed Stripe"),
                "{what}: the spec's page lists the old title"
            ),
            "drift from the spec" => assert!(
                session
                    .diagnostics()
                    .iter()
                    .any(|d| d.code == "spec-drift" && d.message.contains("/v1/charges")),
                "{what}: no spec-drift"
            ),
            "link it where it is" => assert!(
                String::from_utf8_lossy(spec_page.expect("spec page")).contains("Adyen"),
                "{what}: the linking document is not listed"
            ),
            _ => assert!(spec_page.is_some(), "{what}: no spec page"),
        }
    }
}

/// The blocks in the cache's highlight pack (`highlight_store`'s layout:
/// a fingerprint line, then per block a 32-byte key, the HTML's length,
/// the compressed length and the compressed bytes).
fn pack_blocks(cache: &Path) -> usize {
    let dir = cache.join("highlight");
    let pack = std::fs::read_dir(&dir)
        .expect("a highlight pack after a build")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .expect("a pack");
    let bytes = std::fs::read(pack).unwrap();
    let mut at = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut blocks = 0;
    while at < bytes.len() {
        let number = |from: usize| u64::from_le_bytes(bytes[from..from + 8].try_into().unwrap());
        at += 32 + 16 + number(at + 40) as usize;
        blocks += 1;
    }
    assert_eq!(at, bytes.len(), "the pack ends with a whole block");
    blocks
}

/// A build that keeps pages does not render their code blocks, but keeps
/// their highlighting in the pack for the next build that renders them;
/// code no page shows any more leaves the pack.
#[test]
fn a_build_keeping_pages_keeps_their_highlighting_and_drops_replaced_code() {
    let site = example_site();
    let root = site.path();
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let twilio = root.join("content/messaging/twilio-sms.md");
    let text = std::fs::read_to_string(&twilio).unwrap();
    let block = |name: &str| format!("\n```YAML {{linenos}}\n{name}:\n  retries: 3\n```\n");
    std::fs::write(&twilio, format!("{text}{}", block("old_block"))).unwrap();
    let highlighted = |o: &std::process::Output| -> Vec<usize> {
        let err = common::stderr(o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        // "[timing] highlight cache: R blocks reused, F refused, A added: N ms"
        err.lines()
            .find_map(|l| l.strip_prefix("[timing] highlight cache: "))
            .unwrap_or_else(|| panic!("no highlight line in {err}"))
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .take(3)
            .collect()
    };
    let first = ci_output(None, root, &cache, &work.path().join("first"));
    let [_, _, added] = highlighted(&first)[..] else {
        unreachable!()
    };
    let blocks = pack_blocks(&cache);
    assert_eq!(blocks, added, "the pack holds the blocks highlighted");
    assert!(blocks > 20, "{blocks}");

    // The block changed in place: Twilio's page alone is rendered.
    std::fs::write(&twilio, format!("{text}{}", block("new_block"))).unwrap();
    let second = ci_output(None, root, &cache, &work.path().join("second"));
    assert!(kept_pages_of(&common::stderr(&second)).is_some());
    assert_eq!(highlighted(&second)[2], 1, "the new block is highlighted");
    assert_eq!(pack_blocks(&cache), blocks, "the old block left the pack");

    // A new site title renders every page: every block comes from the
    // pack, those of the pages the second build kept included.
    let config = root.join("site.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let retitled = text.replacen(
        "title = \"Harborline Integration Catalog\"",
        "title = \"Harborline Integrations\"",
        1,
    );
    assert_ne!(retitled, text);
    std::fs::write(&config, retitled).unwrap();
    let third = ci_output(None, root, &cache, &work.path().join("third"));
    assert_eq!(kept_pages_of(&common::stderr(&third)), None);
    assert_eq!(highlighted(&third), vec![blocks, 0, 0]);
}

/// A bucket's bundle is keyed by what Pagefind reads of its pages, not by
/// the pages as written. A new document changes its neighbours' pages
/// (their pager links), yet a CI build re-indexes only the bucket the new
/// page falls in, and keeps the pages that show nothing of it; the home
/// page's catalog table lists every document, yet a retitle elsewhere
/// leaves the home document's bucket alone. Each build equals a cold
/// build byte for byte.
#[test]
fn a_new_document_reindexes_only_its_own_bucket() {
    let site = example_site();
    let root = site.path();
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    ci_build(None, root, &cache, &work.path().join("first"));
    let steps: [(&str, &dyn Fn()); 2] = [
        ("a new document", &|| {
            std::fs::write(
                root.join("content/messaging/delivery-receipts.md"),
                "# Delivery receipts\n\nHow SMS delivery receipts reach the order timeline.\n",
            )
            .unwrap()
        }),
        ("a retitled document", &|| {
            let path = root.join("content/crm/hubspot-marketing.md");
            let text = std::fs::read_to_string(&path).unwrap();
            let retitled = text.replacen("name: HubSpot", "name: Renamed HubSpot", 1);
            assert_ne!(retitled, text);
            std::fs::write(&path, retitled).unwrap();
        }),
    ];
    for (step, (what, edit)) in steps.iter().enumerate() {
        edit();
        let out = work.path().join(format!("ci-{step}"));
        let o = ci_output(None, root, &cache, &out);
        let err = common::stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        let (buckets, reused) = bucket_counts(&err);
        assert!(buckets >= 4, "{what}: {buckets} buckets");
        assert_eq!(
            buckets - reused,
            1,
            "{what}: one bucket indexed again\n{err}"
        );
        // Most pages show nothing of either edit: kept.
        let documents = docs(root).len();
        let kept = kept_document_pages_of(&err).unwrap_or(0);
        assert!(
            kept >= documents / 2,
            "{what}: {kept} pages kept of {documents} documents\n{err}"
        );
        let (cold, _) = ci_build(
            None,
            root,
            &work.path().join(format!("cold-cache-{step}")),
            &work.path().join(format!("cold-{step}")),
        );
        common::assert_same_files(&cold, &common::read_tree(&out), what);
    }
    // The last build's entry says what Pagefind read of each page; a
    // corrupt one is not believed. Every digest bent, then a prose edit
    // (every other page kept): the buckets are keyed by what Pagefind
    // reads of the pages, found in the cache under those keys again.
    let entry_path = common::replay_entry(&cache);
    let mut entry: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&entry_path).unwrap()).unwrap();
    let indexed = entry["indexed"].as_object_mut().expect("read digests");
    assert!(indexed.len() > 10);
    for digest in indexed.values_mut() {
        let bent = digest
            .as_str()
            .unwrap()
            .replacen(|c: char| c != 'f', "f", 1);
        *digest = serde_json::Value::String(bent);
    }
    std::fs::write(&entry_path, serde_json::to_vec(&entry).unwrap()).unwrap();
    let twilio = root.join("content/messaging/twilio-sms.md");
    let text = std::fs::read_to_string(&twilio).unwrap();
    std::fs::write(&twilio, format!("{text}\nOne more paragraph.\n")).unwrap();
    let out = work.path().join("ci-bent");
    let o = ci_output(None, root, &cache, &out);
    let err = common::stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(kept_pages_of(&err).unwrap_or(0) > 10, "{err}");
    let (buckets, reused) = bucket_counts(&err);
    assert_eq!(
        reused,
        buckets - 1,
        "bundles not found again under the pages' own digests: {err}"
    );
    let (cold, _) = ci_build(
        None,
        root,
        &work.path().join("cold-cache-bent"),
        &work.path().join("cold-bent"),
    );
    common::assert_same_files(&cold, &common::read_tree(&out), "a bent entry");
}

/// The build marker (`.portolan-build`, the output's second line) names
/// the inputs by content, never by a file's time: a CI checkout gives
/// every file a new time. A build that replays the last one then writes
/// what a cold build writes, marker included, and a build into the output
/// it wrote finds it current.
#[test]
fn new_file_times_change_nothing_a_build_writes() {
    let site = example_site();
    let root = site.path();
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let first_out = work.path().join("first");
    let (first, _) = ci_build(None, root, &cache, &first_out);
    // Files other than documents that pages depend on: the linked specs.
    assert!(
        first.keys().any(|p| p.ends_with(".openapi.yaml")),
        "the example publishes a spec"
    );
    let long_ago = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    for path in common::read_tree(root).keys() {
        std::fs::File::options()
            .write(true)
            .open(root.join(path))
            .and_then(|f| f.set_modified(long_ago))
            .unwrap();
    }
    let (replayed, kept) = ci_build(None, root, &cache, &work.path().join("again"));
    assert_eq!(kept, Some(replayed.len()), "nothing changed: a replay");
    let (cold, _) = ci_build(
        None,
        root,
        &work.path().join("cold-cache"),
        &work.path().join("cold"),
    );
    common::assert_same_files(&cold, &replayed, "a replay after new file times");
    common::assert_same_files(&cold, &first, "the build before new file times");
    let o = build_output(root, &cache, &first_out, &[("PORTOLAN_REPLAY", "off")]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert!(
        common::stdout(&o).contains("is up to date"),
        "{}",
        common::stdout(&o)
    );
}

/// How the index is split (a test setting of the environment) is an input
/// like the others: a build into the output of a build split otherwise
/// writes the index again, as a cold build would.
#[test]
fn a_build_split_otherwise_is_not_up_to_date() {
    let site = example_site();
    let root = site.path();
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let build = |pages: &str, cache: &Path, out: &Path| {
        let o = build_output(
            root,
            cache,
            out,
            &[("PORTOLAN_TEST_SEARCH_BUCKET_PAGES", pages)],
        );
        assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
        common::stdout(&o)
    };
    let cache = work.path().join("cache");
    build("3", &cache, &out);
    assert!(build("3", &cache, &out).contains("is up to date"));
    let said = build("5", &cache, &out);
    assert!(!said.contains("is up to date"), "{said}");
    build(
        "5",
        &work.path().join("cold-cache"),
        &work.path().join("cold"),
    );
    common::assert_same_files(
        &common::read_tree(&work.path().join("cold")),
        &common::read_tree(&out),
        "a build split otherwise against a cold one",
    );
}
