//! `portolan mcp` driven by a real MCP client (the official TypeScript SDK,
//! pinned in package-lock.json), and the agents' context packs.

mod common;

/// A copy of the example catalog the test may edit.
fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = common::repo_root();
    common::copy_dir(&root.join("content"), &dir.path().join("content"));
    std::fs::copy(root.join("site.toml"), dir.path().join("site.toml")).unwrap();
    dir
}

#[test]
fn an_mcp_client_uses_every_tool_and_sees_edits() {
    if common::node_package("@modelcontextprotocol/sdk").is_none() {
        return;
    }
    let site = example_copy();
    let o = std::process::Command::new("node")
        .arg(common::repo_root().join("tests/mcp/client.mjs"))
        .arg(env!("CARGO_BIN_EXE_portolan"))
        .arg(site.path())
        .env("PORTOLAN_TODAY", "2026-11-21")
        .output()
        .expect("node runs");
    assert!(
        o.status.success(),
        "the MCP client failed:\n{}\n{}",
        common::stdout(&o),
        common::stderr(&o)
    );
    assert!(common::stdout(&o).contains("ok: 7 tools, 15 resources"));
}

#[test]
fn every_agent_gets_a_context_pack_within_its_budget() {
    let site = example_copy();
    let out = site.path().join("out");
    common::build_ok(site.path(), &out);
    let pack = std::fs::read_to_string(out.join("agents/CustomerSupportAgent/context.md")).unwrap();
    assert!(pack.starts_with("# Context pack: CustomerSupportAgent\n\n> What support staff"));
    assert!(
        pack.contains("6 documents are relevant to CustomerSupportAgent. 6 whole, 0 as summaries")
    );
    // Documents with a note for the agent come first, each with its note and body.
    let first = pack.find("\n## ").unwrap();
    assert!(pack[first..].contains("**Note for this agent:**"));
    assert!(pack.contains("## Adyen POS Terminals Integration"));
    assert!(
        pack.contains("### Overview"),
        "body headings sit under the document's"
    );
    assert!(!pack.contains("\n---\ntitle:"), "no frontmatter");
    // Linked from the agent page and listed in llms.txt.
    let page = std::fs::read_to_string(out.join("agents/CustomerSupportAgent/index.html")).unwrap();
    assert!(page.contains("href=\"/integrations/agents/CustomerSupportAgent/context.md\""));
    let llms = std::fs::read_to_string(out.join("llms.txt")).unwrap();
    assert!(llms.contains("## Agent context packs"));
    assert!(llms.contains(
        "- [CustomerSupportAgent](https://docs.harborline.example/integrations/agents/CustomerSupportAgent/context.md): 6 documents"
    ));

    // A small budget: summaries first, then whole documents while they fit.
    let config = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    let small = config.replacen(
        "[agents.",
        "[agents]\ncontext_budget_kb = 12\n\n[agents.",
        1,
    );
    assert_ne!(small, config);
    std::fs::write(site.path().join("site.toml"), small).unwrap();
    common::build_ok(site.path(), &out);
    let pack = std::fs::read_to_string(out.join("agents/CustomerSupportAgent/context.md")).unwrap();
    assert!(pack.len() <= 12 * 1024, "{} bytes", pack.len());
    assert!(pack.contains("6 documents are relevant"));
    assert!(pack.contains(" as summaries"), "{}", &pack[..400]);
    assert!(!pack.contains(" 6 whole"), "not every document fits whole");
    assert_eq!(
        pack.matches("\n## ").count(),
        6,
        "every document at least summarised"
    );

    // A tiny one: the rest are listed, and the pack stays near its budget.
    let tiny = config.replacen("[agents.", "[agents]\ncontext_budget_kb = 1\n\n[agents.", 1);
    std::fs::write(site.path().join("site.toml"), tiny).unwrap();
    common::build_ok(site.path(), &out);
    let pack = std::fs::read_to_string(out.join("agents/CustomerSupportAgent/context.md")).unwrap();
    assert!(pack.contains("## Not included (over the budget)"));
    assert!(pack.len() <= 1024 + 1024 / 10 + 10, "{} bytes", pack.len());

    // A budget that is not a size is refused with what to write.
    let bad = config.replacen(
        "[agents.",
        "[agents]\ncontext_budget_kb = \"lots\"\n\n[agents.",
        1,
    );
    std::fs::write(site.path().join("site.toml"), bad).unwrap();
    let o = common::run_in(site.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("context_budget_kb must be a whole number of kilobytes"));
}
