//! A build whose inputs did not change since the build that filled the
//! cache is replayed from it (site::replay): the same files, byte for
//! byte, and the same diagnostics. Any change of an input is built, and a
//! damaged cache is never replayed.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;

/// The example catalog with a linked attachment and a document that
/// warns, so files and diagnostics are both replayed.
fn example_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_root().join("content"), &dir.path().join("content"));
    let mut config = std::fs::read_to_string(repo_root().join("site.toml")).unwrap();
    config.push_str("\n[diagrams]\nenabled = false\n");
    std::fs::write(dir.path().join("site.toml"), config).unwrap();
    write(dir.path(), "content/payments/flow.png", b"\x89PNG first");
    write(
        dir.path(),
        "content/payments/draft.md",
        b"# Draft feed\n\nThe [flow](flow.png), and a [bad link](javascript:alert(1)).\n",
    );
    dir
}

struct Run {
    files: BTreeMap<String, Vec<u8>>,
    replayed: bool,
    /// What the build told on stderr: its diagnostics.
    told: String,
}

fn build_with(root: &Path, cache: &Path, out: &Path, env: &[(&str, &str)]) -> Run {
    let o = bin()
        .args(["build", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .env("PORTOLAN_CACHE_DIR", cache)
        .env("PORTOLAN_TODAY", "2026-12-06")
        .envs(env.iter().copied())
        .output()
        .expect("portolan runs");
    let told = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{told}");
    let said = stdout(&o);
    Run {
        files: read_tree(out),
        replayed: said.contains("replayed from the cache"),
        told,
    }
}

/// Every file that differs, by name.
fn differing(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let names: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    names
        .into_iter()
        .filter(|n| a.get(*n) != b.get(*n))
        .cloned()
        .collect()
}

struct Bench {
    site: tempfile::TempDir,
    work: tempfile::TempDir,
    cache: PathBuf,
    runs: usize,
}

impl Bench {
    fn new() -> Bench {
        let work = tempfile::tempdir().unwrap();
        let cache = work.path().join("cache");
        Bench {
            site: example_site(),
            work,
            cache,
            runs: 0,
        }
    }

    fn root(&self) -> &Path {
        self.site.path()
    }

    /// A build into a fresh output dir with the shared cache (a CI run).
    fn ci(&mut self, env: &[(&str, &str)]) -> Run {
        self.runs += 1;
        let out = self.work.path().join(format!("ci-{}", self.runs));
        build_with(self.site.path(), &self.cache, &out, env)
    }

    /// A build with a cache of its own, empty.
    fn cold(&mut self, env: &[(&str, &str)]) -> Run {
        self.runs += 1;
        let cache = self.work.path().join(format!("cold-cache-{}", self.runs));
        let out = self.work.path().join(format!("cold-{}", self.runs));
        build_with(self.site.path(), &cache, &out, env)
    }
}

#[test]
fn an_unchanged_site_is_replayed_with_the_same_files_and_diagnostics() {
    let mut bench = Bench::new();
    let first = bench.ci(&[]);
    assert!(!first.replayed, "an empty cache replayed a build");
    assert!(first.told.contains("unsafe-url"), "{}", first.told);
    assert!(first.files.contains_key("payments/flow.png"));
    let again = bench.ci(&[]);
    assert!(again.replayed, "nothing changed, yet it was built again");
    assert_eq!(differing(&first.files, &again.files), Vec::<String>::new());
    // The diagnostics as told, with their source line, column and help.
    assert_eq!(first.told, again.told);
    // PORTOLAN_REPLAY=off builds in full, to the same files, and keeps
    // nothing: the entry of the first build is still replayed after it.
    let full = bench.ci(&[("PORTOLAN_REPLAY", "off")]);
    assert!(!full.replayed, "PORTOLAN_REPLAY=off replayed");
    assert_eq!(differing(&first.files, &full.files), Vec::<String>::new());
    assert_eq!(first.told, full.told);
    assert!(bench.ci(&[]).replayed);
}

#[test]
fn every_changed_input_is_built_and_matches_a_cold_build() {
    let mut bench = Bench::new();
    assert!(!bench.ci(&[]).replayed);
    let root = bench.root().to_path_buf();
    let edit = |path: &str, from: &str, to: &str| {
        let file = root.join(path);
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains(from), "{path} holds no {from:?}");
        std::fs::write(&file, text.replacen(from, to, 1)).unwrap();
    };
    type Change<'a> = (&'a str, Box<dyn Fn() + 'a>, Vec<(&'a str, &'a str)>);
    let changes: Vec<Change<'_>> = vec![
        (
            "a document",
            Box::new(|| edit("content/payments/draft.md", "Draft feed", "Draft feeds")),
            vec![],
        ),
        (
            "a linked attachment's bytes",
            Box::new(|| write(&root, "content/payments/flow.png", b"\x89PNG second")),
            vec![],
        ),
        (
            "site.toml",
            Box::new(|| {
                let config = std::fs::read_to_string(root.join("site.toml")).unwrap();
                std::fs::write(root.join("site.toml"), format!("# edited\n{config}")).unwrap();
                edit("site.toml", "title = \"", "title = \"The ");
            }),
            vec![],
        ),
        (
            "a site template",
            Box::new(|| {
                write(
                    &root,
                    "templates/404.html",
                    b"{% extends \"base.html\" %}{% block content %}<p>Gone fishing</p>{% endblock content %}",
                )
            }),
            vec![],
        ),
        (
            "a site static file",
            Box::new(|| write(&root, "static/extra.css", b"body{color:black}")),
            vec![],
        ),
        (
            "today's date",
            Box::new(|| {}),
            vec![("PORTOLAN_TODAY", "2031-01-01")],
        ),
        (
            "the search settings",
            Box::new(|| {}),
            vec![
                ("PORTOLAN_TODAY", "2031-01-01"),
                ("PORTOLAN_TEST_SEARCH_BUCKET_PAGES", "4"),
            ],
        ),
        (
            "a file the walk refuses, linked by nothing",
            Box::new(|| write(&root, "content/payments/host.html", b"<script>1</script>")),
            vec![
                ("PORTOLAN_TODAY", "2031-01-01"),
                ("PORTOLAN_TEST_SEARCH_BUCKET_PAGES", "4"),
            ],
        ),
        (
            "a link to the refused file",
            Box::new(|| {
                edit(
                    "content/payments/draft.md",
                    "a [bad",
                    "[a page](host.html), a [bad",
                )
            }),
            vec![
                ("PORTOLAN_TODAY", "2031-01-01"),
                ("PORTOLAN_TEST_SEARCH_BUCKET_PAGES", "4"),
            ],
        ),
    ];
    for (what, change, env) in &changes {
        change();
        let built = bench.ci(env);
        assert!(
            !built.replayed,
            "{what} changed, yet the build was replayed"
        );
        let cold = bench.cold(env);
        assert_eq!(
            differing(&built.files, &cold.files),
            Vec::<String>::new(),
            "{what}: a CI build and a cold build differ"
        );
        assert_eq!(built.told, cold.told, "{what}");
        let replayed = bench.ci(env);
        assert!(
            replayed.replayed,
            "{what}: an unchanged site was built again"
        );
        assert_eq!(
            differing(&replayed.files, &cold.files),
            Vec::<String>::new(),
            "{what}: the replay and a cold build differ"
        );
        assert_eq!(replayed.told, cold.told, "{what}");
    }
    // Each change reached the output, so none was a no-op.
    let last = bench.ci(&changes.last().unwrap().2);
    let page = String::from_utf8_lossy(&last.files["payments/draft/index.html"]).into_owned();
    assert!(page.contains("Draft feeds"));
    assert_eq!(last.files["payments/flow.png"], b"\x89PNG second");
    assert!(String::from_utf8_lossy(&last.files["404.html"]).contains("Gone fishing"));
    assert_eq!(last.files["static/extra.css"], b"body{color:black}");
    assert!(last.told.contains("host.html"), "{}", last.told);
}

#[test]
fn a_damaged_cache_is_never_replayed() {
    let mut bench = Bench::new();
    let first = bench.ci(&[]);
    let cold = bench.cold(&[]);
    let out = bench.work.path().join("ci-1");

    // An output file edited in place shares its inode with the cache's
    // object: the same bytes, one flipped, the same size.
    {
        use std::io::{Seek, Write};
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(out.join("index.html"))
            .unwrap();
        file.seek(std::io::SeekFrom::Start(100)).unwrap();
        file.write_all(b"X").unwrap();
    }
    let built = bench.ci(&[]);
    assert!(!built.replayed, "a changed object was replayed");
    assert_eq!(differing(&built.files, &cold.files), Vec::<String>::new());
    // The full build kept a good copy: the next run replays again.
    let replayed = bench.ci(&[]);
    assert!(replayed.replayed);
    assert_eq!(
        differing(&replayed.files, &first.files),
        Vec::<String>::new()
    );

    // An entry cut short, as an interrupted cache restore leaves it.
    let path = common::replay_entry(&bench.cache);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, &text[..text.len() / 2]).unwrap();
    let built = bench.ci(&[]);
    assert!(!built.replayed, "a cut entry was replayed");
    assert_eq!(differing(&built.files, &cold.files), Vec::<String>::new());
    assert!(bench.ci(&[]).replayed);

    // An entry that names a file outside the output dir, or one of an
    // unknown diagnostic code: refused, and nothing is written outside.
    let text = std::fs::read_to_string(common::replay_entry(&bench.cache)).unwrap();
    for (from, to) in [
        ("\"index.html\"", "\"../escaped.html\""),
        ("\"unsafe-url\"", "\"made-up-code\""),
    ] {
        assert!(text.contains(from), "the entry holds no {from}");
        std::fs::write(
            common::replay_entry(&bench.cache),
            text.replacen(from, to, 1),
        )
        .unwrap();
        let built = bench.ci(&[]);
        assert!(!built.replayed, "an entry with {to} was replayed");
        assert_eq!(differing(&built.files, &cold.files), Vec::<String>::new());
        assert!(!bench.work.path().join("escaped.html").exists());
    }
    // Objects no entry names are swept: the cache holds one site's files.
    let contents: std::collections::HashSet<&Vec<u8>> = first
        .files
        .iter()
        .filter(|(name, _)| name.as_str() != ".portolan-build")
        .map(|(_, bytes)| bytes)
        .collect();
    let objects = read_tree(&bench.cache.join("builds/objects")).len();
    assert_eq!(objects, contents.len(), "one object per distinct file");
}

#[test]
fn check_after_an_unchanged_build_replays_its_report() {
    let mut bench = Bench::new();
    let check = |bench: &Bench, format: &str| -> (String, bool) {
        let o = bin()
            .args(["check", "--format", format, "--root"])
            .arg(bench.root())
            .env("PORTOLAN_CACHE_DIR", &bench.cache)
            .env("PORTOLAN_TODAY", "2026-12-06")
            .env("PORTOLAN_TIMINGS", "1")
            .output()
            .expect("portolan runs");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        (stdout(&o), stderr(&o).contains("check: replayed"))
    };
    let formats = ["human", "json", "github", "sarif"];
    let fresh: Vec<(String, bool)> = formats.iter().map(|f| check(&bench, f)).collect();
    assert!(
        fresh.iter().all(|(_, replayed)| !replayed),
        "nothing to replay yet"
    );
    assert!(fresh[1].0.contains("unsafe-url"), "{}", fresh[1].0);
    bench.ci(&[]);
    for (format, (report, _)) in formats.iter().zip(&fresh) {
        let (again, replayed) = check(&bench, format);
        assert!(replayed, "{format}: an unchanged site was checked again");
        assert_eq!(&again, report, "{format}");
    }
    // A change is checked, and found.
    let draft = bench.root().join("content/payments/draft.md");
    let text = std::fs::read_to_string(&draft).unwrap();
    std::fs::write(
        &draft,
        format!("{text}\nAnd [another](javascript:void(0)).\n"),
    )
    .unwrap();
    let (report, replayed) = check(&bench, "json");
    assert!(!replayed, "a changed site's check was replayed");
    assert_eq!(report.matches("unsafe-url").count(), 2, "{report}");
}

#[test]
fn a_shared_cache_keeps_the_most_recently_used_builds() {
    let work = tempfile::tempdir().unwrap();
    let cache = work.path().join("cache");
    let sites: Vec<tempfile::TempDir> = (0..5)
        .map(|n| {
            let text = format!("# Feed {n}\n\nWhat feed {n} sends.\n");
            site(&[("content/feed.md", text.as_bytes())])
        })
        .collect();
    let mut runs = 0;
    let mut build = |n: usize| -> Run {
        runs += 1;
        let out = work.path().join(format!("out-{runs}"));
        build_with(sites[n].path(), &cache, &out, &[])
    };
    for n in 0..4 {
        assert!(!build(n).replayed);
    }
    // The first site replayed, so used after the others.
    assert!(build(0).replayed);
    assert!(!build(4).replayed);
    let entries = std::fs::read_dir(cache.join("builds"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .count();
    assert_eq!(entries, 4, "entries kept");
    // The least recently used, the second, went (timestamps here are
    // finer than the time between two builds).
    assert!(!build(1).replayed, "the oldest entry was kept");
    assert!(build(4).replayed);
    assert!(build(0).replayed);
}
