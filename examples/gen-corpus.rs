//! Generates a catalog of integration documents for benchmarks, deterministic
//! for a seed; and the same content as a Hugo site and an mdBook book, so the
//! peers build exactly what portolan builds.
//!
//! Two profiles: `light` (the default) mixes all five template shapes, about
//! 5 KB each with short code; `heavy` is what code-rich teams write: about
//! 8 KB each in the seed-000 shape, three 10–15 line code blocks (YAML, Ruby,
//! JavaScript, the grammars that cost syntect most) and two tables.
//!
//! cargo run --release --example gen-corpus -- --docs 10000 --out DIR
//!     [--profile light|heavy] [--seed 42] [--no-mermaid] [--hugo DIR] [--mdbook DIR]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: fast, deterministic, good enough for text.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const AREAS: &[&str] = &[
    "payments",
    "crm",
    "messaging",
    "events",
    "auth",
    "batch",
    "inventory",
    "shipping",
];
const SYSTEMS: &[&str] = &[
    "Stripe",
    "Adyen",
    "Salesforce",
    "HubSpot",
    "Twilio",
    "SendGrid",
    "Kafka",
    "Okta",
    "NetSuite",
    "Shopify",
    "Zendesk",
    "Snowflake",
    "SAP",
    "Workday",
    "Segment",
    "PagerDuty",
    "Datadog",
    "S3",
];
const INTERNAL: &[&str] = &[
    "Order Service",
    "Payments Service",
    "Ledger",
    "Inventory Service",
    "Checkout",
    "Identity Service",
    "Notification Service",
    "Pricing Service",
    "Returns Service",
    "Data Lake",
];
const WORDS: &[&str] = &[
    "integration",
    "webhook",
    "payload",
    "retry",
    "idempotency",
    "schema",
    "consumer",
    "producer",
    "latency",
    "throughput",
    "timeout",
    "backoff",
    "circuit",
    "breaker",
    "token",
    "credential",
    "rotation",
    "batch",
    "stream",
    "partition",
    "offset",
    "reconciliation",
    "settlement",
    "refund",
    "customer",
    "order",
    "invoice",
    "ledger",
    "event",
    "topic",
    "queue",
    "endpoint",
    "contract",
    "version",
    "deprecation",
    "monitoring",
    "alert",
    "dashboard",
    "runbook",
    "escalation",
    "owner",
    "the",
    "a",
    "every",
    "each",
    "when",
    "after",
    "before",
    "unless",
    "and",
    "or",
    "with",
    "through",
];
const TAGS: &[&str] = &[
    "payments",
    "crm",
    "messaging",
    "events",
    "auth",
    "batch",
    "webhooks",
    "pci",
    "gdpr",
    "realtime",
    "rest",
    "graphql",
    "grpc",
    "sftp",
    "kafka",
    "oauth",
    "critical",
    "legacy",
];
const AGENTS: &[&str] = &[
    "POSIntegrationSpecialistAgent",
    "SystemArchitectAgent",
    "SecurityReviewAgent",
    "DataPipelineAgent",
    "CustomerSupportAgent",
];
const LANGS: &[&str] = &[
    "yaml",
    "json",
    "ruby",
    "javascript",
    "python",
    "bash",
    "toml",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.extend(f.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

fn paragraph(rng: &mut Rng) -> String {
    let count = 4 + rng.below(3);
    (0..count)
        .map(|_| {
            let words = 8 + rng.below(8);
            sentence(rng, words)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn code(rng: &mut Rng, lang: &str) -> String {
    let n = rng.below(1000);
    let body = match lang {
        "yaml" => format!("service:\n  name: svc-{n}\n  timeout_ms: {}\n  retry:\n    attempts: 3\n    backoff: exponential\n", 100 + n),
        "json" => format!("{{\n  \"event\": \"order.paid\",\n  \"order_id\": \"ord-{n}\",\n  \"amount_cents\": {},\n  \"currency\": \"USD\"\n}}\n", n * 7),
        "ruby" => format!("def sync_{n}(client)\n  client.fetch(limit: 100).each do |record|\n    Record.upsert(record.to_h, unique_by: :external_id)\n  end\nend\n"),
        "javascript" => format!("export async function handle{n}(event) {{\n  const payload = JSON.parse(event.body);\n  await queue.send({{ id: payload.id, attempt: 1 }});\n  return {{ statusCode: 202 }};\n}}\n"),
        "python" => format!("def fetch_{n}(session, cursor=None):\n    params = {{\"limit\": 100, \"cursor\": cursor}}\n    response = session.get(\"/v1/records\", params=params, timeout=5)\n    response.raise_for_status()\n    return response.json()\n"),
        "bash" => format!("curl -fsS -H \"Authorization: Bearer $TOKEN\" \\\n  https://api.example.com/v1/health/{n} | jq .status\n"),
        _ => format!("[client]\nbase_url = \"https://api.example.com\"\ntimeout_ms = {}\n\n[retry]\nattempts = 3\n", 200 + n),
    };
    format!("```{lang}\n{body}```\n")
}

/// The heavy profile's code: every document has one block of each.
const HEAVY_LANGS: &[&str] = &["yaml", "ruby", "javascript"];

/// A 10–15 line block, different in every document (numbers and names
/// vary), as real configuration and client code is: nothing for a cache
/// keyed by content to share between documents.
fn long_code(rng: &mut Rng, lang: &str) -> String {
    let lines = 10 + rng.below(6);
    let mut body = String::new();
    for l in 0..lines {
        let n = rng.below(100_000);
        let w = rng.pick(WORDS);
        let line = match (lang, l) {
            ("yaml", 0) => format!("{w}_service:"),
            ("yaml", _) => format!(
                "  {w}_{l}: {{ timeout_ms: {n}, retry: [{}, {}], url: \"https://{w}.example.com/v{}\" }} # {w}",
                n % 7,
                n % 13,
                l % 4
            ),
            ("ruby", 0) => format!("def sync_{w}_{n}(client, since: Time.now - 3600)"),
            ("ruby", _) if l + 1 == lines => "end".to_owned(),
            ("ruby", _) => format!(
                "  client.fetch(:{w}, limit: {}, cursor: \"c{n}\").each {{ |r| Record.upsert(r.to_h, unique_by: :{w}_id) }}",
                n % 500
            ),
            (_, 0) => format!("export async function {w}{n}(event, context) {{"),
            (_, _) if l + 1 == lines => "}".to_owned(),
            _ => format!(
                "  const {w}{l} = await fetch(`https://{w}.example.com/v1/${{event.id}}/{n}`, {{ method: 'POST', body: JSON.stringify({{ attempt: {} }}) }});",
                n % 5
            ),
        };
        body.push_str(&line);
        body.push('\n');
    }
    format!("```{lang}\n{body}```\n")
}

fn table(rng: &mut Rng) -> String {
    let mut t =
        String::from("| Field | Type | Required | Notes |\n|-------|------|----------|-------|\n");
    for _ in 0..5 {
        let _ = writeln!(
            t,
            "| `{}_{}` | {} | {} | {} |",
            rng.pick(WORDS),
            rng.below(100),
            rng.pick(&["string", "integer", "boolean", "timestamp"]),
            rng.pick(&["yes", "no"]),
            sentence(rng, 5)
        );
    }
    t
}

struct Doc {
    path: String,
    title: String,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // No default output folder: a stray `--help` once wrote a thousand
    // documents into the repository.
    const USAGE: &str = "usage: gen-corpus --out DIR [--docs N] [--profile light|heavy] [--seed N] [--hugo DIR] [--mdbook DIR] [--no-mermaid]";
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return;
    }
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let docs: usize = value("--docs").and_then(|v| v.parse().ok()).unwrap_or(1000);
    let seed: u64 = value("--seed").and_then(|v| v.parse().ok()).unwrap_or(42);
    let Some(out) = value("--out").map(PathBuf::from) else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let mermaid = !args.iter().any(|a| a == "--no-mermaid");
    let heavy = match value("--profile").as_deref() {
        None | Some("light") => false,
        Some("heavy") => true,
        Some(other) => {
            eprintln!("unknown profile {other:?}: light or heavy\n{USAGE}");
            std::process::exit(2);
        }
    };
    let mut rng = Rng(seed.max(1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);

    let mut index: Vec<Doc> = Vec::with_capacity(docs);
    let mut files: Vec<(String, String)> = Vec::with_capacity(docs);
    for i in 0..docs {
        let area = AREAS[i % AREAS.len()];
        let external = rng.pick(SYSTEMS);
        let internal = rng.pick(INTERNAL);
        let shape = if heavy { 0 } else { i % 5 };
        let slug = format!(
            "{}-{}-{i:05}",
            external.to_lowercase().replace(' ', "-"),
            shape
        );
        let path = format!("{area}/{slug}.md");
        let title = match shape {
            0 => format!(
                "{external} {} Integration {i}",
                rng.pick(&["Payments", "Sync", "Webhooks", "Export"])
            ),
            1 => format!("{internal} ↔ {external} Integration Documentation {i}"),
            2 => format!("{external} Service Spec {i}"),
            3 => format!("Integration Points - Feature {i}"),
            _ => format!("Integration: {internal} → {external} {i}"),
        };
        let tags: Vec<&str> = (0..3).map(|_| rng.pick(TAGS)).collect();
        let agents: Vec<&str> = (0..2).map(|_| rng.pick(AGENTS)).collect();
        let related: Vec<&Doc> = if i > 0 {
            (0..2).map(|_| &index[rng.below(i)]).collect()
        } else {
            Vec::new()
        };
        let date = format!("2026-{:02}-{:02}", 1 + rng.below(10), 1 + rng.below(28));
        let mut text = String::with_capacity(6000);
        match shape {
            0 => {
                let _ = write!(text, "---\ntitle: \"{title}\"\ndescription: \"{}\"\nlast_updated: {date}\ncontributors: [Alex Doe, Sam Roe]\nrelated_files:\n", sentence(&mut rng, 10));
                for r in &related {
                    let _ = writeln!(text, "  - /{}", r.path);
                }
                let _ = write!(text, "tags: [{}]\nai_agent_relevance:\n", tags.join(", "));
                for a in &agents {
                    let _ = writeln!(text, "  - {a}");
                }
                let _ = write!(text, "---\n\n# {title}\n\n## Overview\n\n{}\n\n## Integration Details\n\n- **Integration Type**: REST API\n- **Direction**: Bidirectional\n- **Protocol**: HTTPS\n\n", paragraph(&mut rng));
            }
            2 => {
                let _ = write!(text, "---\nid: INT-{i:05}\ntype: Integration\nname: \"{title}\"\nstatus: {}\nservice: {external}\nlast_updated: {date}\ntags: [{}]\nai_agent_relevance: [{}]\nrelated:\n", rng.pick(&["draft", "review", "approved"]), tags.join(", "), agents.join(", "));
                for r in &related {
                    let _ = writeln!(text, "  - /{}", r.path);
                }
                let _ = write!(text, "---\n# {{name}}\n\n## Service Overview\n\n{}\n\n## Integration Type\n\n- **Protocol**: REST\n- **Authentication**: OAuth\n\n", paragraph(&mut rng));
            }
            1 => {
                let _ = write!(text, "# {title}\n\n## Executive Summary [REQUIRED]\n\n{}\n\n### Communication Pattern\n\n- **Type**: Asynchronous\n- **Protocol**: Kafka\n- **Direction**: Bidirectional\n\n", paragraph(&mut rng));
            }
            3 => {
                let _ = write!(text, "# {title}\n\n**Created**: 2025-01-01  \n**Last Updated**: {date}  \n**Author**: Alex Doe  \n**SEV Level**: SEV-2  \n**Review Status**: APPROVED\n\n## Overview\n\n{}\n\n", paragraph(&mut rng));
            }
            _ => {
                let _ = write!(text, "# {title}\n\n**Purpose:** {}\n**Protocol:** HTTP\n**Direction:** Unidirectional\n**Critical Path:** Yes\n\n---\n\n## Quick Reference\n\n{}\n\n", sentence(&mut rng, 8), paragraph(&mut rng));
            }
        }
        let _ = write!(
            text,
            "## Data Mapping\n\n{}\n{}\n\n",
            paragraph(&mut rng),
            table(&mut rng)
        );
        if heavy {
            let _ = write!(
                text,
                "## Field Reference\n\n{}\n\n{}\n\n",
                paragraph(&mut rng),
                table(&mut rng)
            );
        }
        let mut langs = LANGS.to_vec();
        // Three blocks: the heavy grammars in order, or three other languages.
        for (n, heavy_lang) in HEAVY_LANGS.iter().enumerate() {
            let lang = if heavy {
                heavy_lang
            } else {
                langs.remove(rng.below(langs.len()))
            };
            let intro = paragraph(&mut rng);
            let block = if heavy {
                long_code(&mut rng, lang)
            } else {
                code(&mut rng, lang)
            };
            let _ = write!(text, "### Example {}\n\n{intro}\n\n{block}\n", n + 1);
        }
        if mermaid && i % 10 == 0 {
            let _ = write!(text, "## Flow\n\n```mermaid\nsequenceDiagram\n    participant A as {internal}\n    participant B as {external}\n    A->>B: request {i}\n    B-->>A: response\n```\n\nThe {internal} calls {external} and waits for the response.\n\n");
        }
        let _ = write!(
            text,
            "## Error Handling\n\n{}\n\n{}\n\n",
            paragraph(&mut rng),
            paragraph(&mut rng)
        );
        if let Some(r) = related.first() {
            let _ = write!(text, "See also [{}](/{}).\n\n", r.title, r.path);
        }
        let _ = write!(text, "## AI Agent Notes\n\n");
        for a in &agents {
            let _ = writeln!(text, "- **{a}**: {}", sentence(&mut rng, 10));
        }
        if shape == 4 {
            let _ = write!(
                text,
                "\n---\n\n**Last Updated:** {date}\n**Maintained By:** Platform team\n"
            );
        }
        files.push((path.clone(), text));
        index.push(Doc { path, title });
    }

    write_site(&out, &files);
    if let Some(hugo) = value("--hugo") {
        write_hugo(Path::new(&hugo), &files, &index);
    }
    if let Some(book) = value("--mdbook") {
        write_mdbook(Path::new(&book), &files, &index);
    }
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    println!(
        "{} documents, {:.1} MB, average {} bytes",
        docs,
        bytes as f64 / 1e6,
        bytes / docs.max(1)
    );
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create dir");
    }
    std::fs::write(path, text).expect("write file");
}

fn write_site(out: &Path, files: &[(String, String)]) {
    write(&out.join("site.toml"), "title = \"Generated catalog\"\nbase_url = \"https://docs.example.com/\"\n[validation]\nstale_after_days = 0\n");
    for (path, text) in files {
        write(&out.join("content").join(path), text);
    }
}

/// The same documents as Hugo content, with minimal layouts and syntax
/// highlighting on (as portolan highlights).
fn write_hugo(out: &Path, files: &[(String, String)], index: &[Doc]) {
    write(&out.join("hugo.toml"), "baseURL = \"https://docs.example.com/\"\ntitle = \"Generated catalog\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\"]\n[markup.highlight]\ncodeFences = true\nnoClasses = false\n[markup.goldmark.renderer]\nunsafe = false\n");
    write(&out.join("layouts/_default/baseof.html"), "<!DOCTYPE html><html><head><title>{{ .Title }}</title></head><body>{{ block \"main\" . }}{{ end }}</body></html>\n");
    write(
        &out.join("layouts/_default/single.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .TableOfContents }}{{ .Content }}{{ end }}\n",
    );
    write(&out.join("layouts/_default/list.html"), "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n");
    for ((path, text), doc) in files.iter().zip(index) {
        // Hugo needs frontmatter for a title; documents without it get one.
        let content = if text.starts_with("---\n") {
            text.clone()
        } else {
            format!("---\ntitle: {:?}\n---\n{text}", doc.title)
        };
        write(&out.join("content").join(path), &content);
    }
}

/// The same documents as an mdBook book (search on by default).
fn write_mdbook(out: &Path, files: &[(String, String)], index: &[Doc]) {
    write(&out.join("book.toml"), "[book]\ntitle = \"Generated catalog\"\nsrc = \"src\"\n\n[output.html.search]\nenable = true\n");
    let mut summary = String::from("# Summary\n\n");
    for doc in index {
        let _ = writeln!(
            summary,
            "- [{}]({})",
            doc.title.replace(['[', ']'], ""),
            doc.path
        );
    }
    write(&out.join("src/SUMMARY.md"), &summary);
    for (path, text) in files {
        write(&out.join("src").join(path), text);
    }
}
