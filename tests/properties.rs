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
