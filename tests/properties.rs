//! Properties over any input: whatever bytes a document holds, the whole
//! pipeline (decode, frontmatter, body scan, link, validate, render)
//! returns without panicking. The fuzz target (fuzz/) explores the same
//! function for longer; its findings live in tests/fixtures/fuzz/.

use proptest::prelude::*;

/// Pieces that reach the parser's corners: delimiters, brackets, links,
/// HTML, fences, field references, deep nesting, odd whitespace.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("---\n".to_owned()),
        Just("--- \n".to_owned()),
        Just("---\u{a0}\n".to_owned()),
        Just("title: [Integration Name] Integration\n".to_owned()),
        Just("tags: [a, b, \"c, d\"]\n".to_owned()),
        Just("x: [[[[[[[[[[]]]]]]]]]]\n".to_owned()),
        Just("id: 123456789012345678901234567890\n".to_owned()),
        Just("owner: {owner}{owner}\n".to_owned()),
        Just("# {name}\n".to_owned()),
        Just("## Overview [REQUIRED]\n".to_owned()),
        Just("[a](javascript:alert(1)) [b][ref] [c][]\n".to_owned()),
        Just("[ref]: <javascript:x>\n".to_owned()),
        Just("<details><summary>x</summary>\n".to_owned()),
        Just("<a id=\"x\" name='y'></a><script>x</script>\n".to_owned()),
        Just("```mermaid\ngraph LR\n%%{init: {themeCSS: 'x'}}%%\n".to_owned()),
        Just("```\n".to_owned()),
        Just("| a | [Type] |\n|---|---|\n".to_owned()),
        Just("[^1]: note [Name]\n".to_owned()),
        Just("**Source:** A\n**Protocol:** B\n".to_owned()),
        Just("## AI Agent Notes\n- **Agent**: note\n".to_owned()),
        Just("\u{E000}0:0\u{E001}".to_owned()),
        // Hugo: `ref` links (masked before parsing), cut-off and odd ones.
        Just("[a]({{< ref \"x.md#h\" >}}) ".to_owned()),
        Just("[b]( {{% relref path=\"/y\" %}} )".to_owned()),
        Just("({{<+ref+\"\u{e9}\"+>}}) {{< ref".to_owned()),
        Just("`[c]({{< ref z >}})`".to_owned()),
        // Hugo: alerts and tabs (masked as comments), paired or not.
        Just("{{% alert title=\"\u{e9}\" color=danger %}}\n".to_owned()),
        Just("{{% /alert %}}\n".to_owned()),
        Just("{{< tabs a \"b\" >}}\n".to_owned()),
        Just("{{% codetab %}}\n".to_owned()),
        Just("  {{% /codetab %}}\n".to_owned()),
        Just("> {{< /tabs >}}\n".to_owned()),
        Just("<img src=x>\n".to_owned()),
        "[ -~]{0,40}",
        "\\PC{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn any_bytes_as_a_document_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = portolan::pipeline_for_bytes(&bytes);
    }

    #[test]
    fn any_mix_of_markdown_pieces_never_panics(pieces in proptest::collection::vec(fragment(), 0..40)) {
        let text = pieces.concat();
        let _ = portolan::pipeline_for_bytes(text.as_bytes());
    }
}

/// Inputs the fuzzer found (and earlier bugs), kept as regressions.
#[test]
fn fuzz_findings_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir)
        .expect("tests/fixtures/fuzz exists")
        .flatten()
    {
        let bytes = std::fs::read(entry.path()).unwrap();
        let _ = portolan::pipeline_for_bytes(&bytes);
        count += 1;
    }
    assert!(count > 0, "no regression inputs in {}", dir.display());
}

/// Pieces of OpenAPI and AsyncAPI documents: versions, operations, every
/// kind of `$ref` (loops, misses, other files, out of the root, URLs),
/// schema shapes that recurse, and text that is not YAML at all.
fn spec_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("openapi: 3.0.3\n".to_owned()),
        Just("openapi: 3.1.0\n".to_owned()),
        Just("asyncapi: 3.0.0\n".to_owned()),
        Just("asyncapi: '2.6.0'\n".to_owned()),
        Just("swagger: '2.0'\n".to_owned()),
        Just("info: {title: T, version: '1'}\n".to_owned()),
        Just("servers: [{url: 'https://api.x.com/{v}', variables: {v: {default: v1}}}]\n".to_owned()),
        Just("paths:\n  /a/{id}:\n    get:\n      responses: {'200': {$ref: '#/components/responses/R'}}\n".to_owned()),
        Just("  /b:\n    $ref: 'other.yaml#/paths/~1b'\n".to_owned()),
        Just("    post: {requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/S'}, example: [1, {a: b}]}}}}\n".to_owned()),
        Just("components:\n  schemas:\n    S: {allOf: [{$ref: '#/components/schemas/S'}], items: {$ref: '#'}, oneOf: [{type: [string, 'null']}]}\n".to_owned()),
        Just("  responses:\n    R: {$ref: '#/components/responses/R'}\n".to_owned()),
        Just("channels:\n  'a.{x}':\n    subscribe: {message: {oneOf: [{$ref: '#/components/messages/M'}, {payload: {type: object}}]}}\n".to_owned()),
        Just("  c: {address: null, messages: {m: {$ref: '../../../x.yaml#/M'}}}\n".to_owned()),
        Just("operations:\n  o: {action: send, channel: {$ref: '#/channels/c'}}\n".to_owned()),
        Just("x: {$ref: 'https://example.com/s.yaml'}\ny: {$ref: 7}\nz: {$ref: '#/%7E%zz'}\n".to_owned()),
        Just("a: &a [*a]\n".to_owned()),
        Just("{\"openapi\": \"3.1.0\", \"paths\": {\"/j\": {\"get\": {}}}}\n".to_owned()),
        Just("\t- : ][\n".to_owned()),
        "[ -~]{0,40}\n",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Whatever a spec holds, check reads, resolves and renders it without
    /// panicking, and a document's claims against it are checked.
    #[test]
    fn any_spec_never_panics(
        spec in proptest::collection::vec(spec_fragment(), 0..16),
        other in proptest::collection::vec(spec_fragment(), 0..6),
        doc in proptest::collection::vec(prop_oneof![
            Just("| Method | Path |\n|---|---|\n| GET | `/a/{x}` |\n| POST, PUT | `https://api.x.com/v1/b` |\n".to_owned()),
            Just("**Channel:** `a.{y}`\n\n### DELETE /b/{id}\n".to_owned()),
            Just("| Topic | Event | Operation |\n|---|---|---|\n| `c` | m | o |\n".to_owned()),
            Just("[spec](spec.json) [other](other.yaml)\n".to_owned()),
            "[ -~]{0,40}\n",
        ], 0..8),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(&content).unwrap();
        std::fs::write(content.join("spec.yaml"), spec.concat()).unwrap();
        std::fs::write(content.join("spec.json"), spec.concat()).unwrap();
        std::fs::write(content.join("other.yaml"), other.concat()).unwrap();
        std::fs::write(
            content.join("doc.md"),
            format!("---\ntitle: D\nopenapi: [spec.yaml, other.yaml]\nasyncapi: spec.yaml\n---\n\n{}", doc.concat()),
        )
        .unwrap();
        let checked = portolan::check(
            dir.path(),
            portolan::CheckOptions { skip_diagrams: true, ..Default::default() },
        )
        .unwrap();
        let theme = portolan::render::theme::Theme::load(dir.path(), &checked.config).unwrap();
        let routes = portolan::urls::routes(&checked.catalog);
        let renderer = portolan::render::renderer::Renderer::new(&checked, &theme, &routes, "/");
        let sink = portolan::render::renderer::MemorySink::default();
        renderer.render(&renderer.all_pages(), &sink).unwrap();
    }
}
