//! Diagnostics for people (rustc-like), for tools (JSON), for GitHub
//! workflow annotations, and for code-scanning upload (SARIF 2.1.0).

use serde_json::json;

use crate::diagnostics::{count, Diagnostic, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Github,
    Sarif,
}

/// Every diagnostic code with a one-line description; SARIF's rule list and
/// the user guide come from this table.
pub const CODES: &[(&str, &str)] = &[
    ("yaml-syntax", "Frontmatter that is not valid YAML"),
    ("encoding", "Bytes that are not UTF-8"),
    ("missing-title", "A document with no title, name or H1"),
    (
        "invalid-date",
        "A date field that is not a real YYYY-MM-DD date",
    ),
    (
        "field-type",
        "A field of the wrong shape (a list where one value is expected, a mapping...)",
    ),
    ("invalid-value", "A value outside a field's enum or pattern"),
    ("missing-field", "A field that [kinds.X].required demands"),
    (
        "missing-section",
        "A heading that [kinds.X].required_sections demands",
    ),
    ("duplicate-id", "Two documents with the same id"),
    (
        "broken-related",
        "A related or related_files entry that matches no document",
    ),
    ("broken-link", "A link to a missing document or heading"),
    (
        "unknown-agent",
        "An ai_agent_relevance name not declared under [agents]",
    ),
    (
        "unknown-field",
        "A frontmatter field that is not known (or a near-miss of one)",
    ),
    (
        "placeholder",
        "Unfilled template text such as [Integration Name] or YYYY-MM-DD",
    ),
    (
        "stale",
        "last_updated older than validation.stale_after_days",
    ),
    (
        "diagram",
        "A mermaid diagram that mermaid rejects or that timed out",
    ),
    (
        "diagrams-unavailable",
        "mermaid-cli, Node or Chromium missing: diagrams shown as source",
    ),
    ("io", "A file that could not be read"),
    (
        "unknown-system",
        "A system name that matches none of the declared [systems] (only when some are declared)",
    ),
    (
        "ambiguous-system",
        "A system name that matches two declared systems",
    ),
    (
        "unmapped-document",
        "A document from which no system could be read (validation.unmapped_documents)",
    ),
    (
        "spec-syntax",
        "An OpenAPI or AsyncAPI file that is not valid YAML or JSON",
    ),
    (
        "spec-invalid",
        "A spec without paths or channels, or with a $ref that resolves to nothing or leaves the content dir",
    ),
    (
        "broken-spec",
        "An openapi or asyncapi field naming a file that is missing or not a spec",
    ),
    (
        "spec-drift",
        "An endpoint, channel, operation or message the document names that its spec does not define",
    ),
    (
        "spec-unmentioned",
        "An operation or channel of a referenced spec the document never names (validation.spec_coverage)",
    ),
    (
        "unsafe-url",
        "A link or image URL with a scheme other than http, https, mailto or tel: dropped, text kept",
    ),
    (
        "html-attachment",
        "A linked .html file, not published unless [security] html_attachments = true",
    ),
    (
        "field-expansion",
        "{field} references left as written: a value over 4 KB, or a page that would grow too much",
    ),
    (
        "route-conflict",
        "Two outputs that want one path (a document or attachment where a generated file goes)",
    ),
    (
        "undefined-reference",
        "A reference-style link [text][label] whose label is never defined",
    ),
    (
        "hugo-shortcode",
        "Hugo shortcodes portolan shows as written ({{< partial >}}, an alert or tab whose tags do not pair up, a ref in prose)",
    ),
    (
        "highlight",
        "A code block whose highlighting took too long: shown as plain text",
    ),
];

pub struct Summary {
    pub documents: usize,
}

pub fn render(
    format: Format,
    diagnostics: &[Diagnostic],
    summary: &Summary,
    color: bool,
) -> String {
    match format {
        Format::Human => human(diagnostics, summary, color),
        Format::Json => json_report(diagnostics, summary),
        Format::Github => github(diagnostics),
        Format::Sarif => sarif(diagnostics),
    }
}

struct Palette {
    error: &'static str,
    warning: &'static str,
    gutter: &'static str,
    bold: &'static str,
    reset: &'static str,
}

const COLOR: Palette = Palette {
    error: "\x1b[1;31m",
    warning: "\x1b[1;33m",
    gutter: "\x1b[1;34m",
    bold: "\x1b[1m",
    reset: "\x1b[0m",
};
const PLAIN: Palette = Palette {
    error: "",
    warning: "",
    gutter: "",
    bold: "",
    reset: "",
};

pub fn human(diagnostics: &[Diagnostic], summary: &Summary, color: bool) -> String {
    let p = if color { &COLOR } else { &PLAIN };
    let mut out = String::new();
    for d in diagnostics {
        let sev_color = match d.severity {
            Severity::Error => p.error,
            Severity::Warning | Severity::Info => p.warning,
        };
        out.push_str(&format!(
            "{sev_color}{}[{}]{reset}{bold}: {}{reset}\n",
            d.severity.as_str(),
            d.code,
            d.message,
            reset = p.reset,
            bold = p.bold
        ));
        let location = match d.column {
            Some(c) => format!("{}:{}:{c}", d.file, d.line),
            None => format!("{}:{}", d.file, d.line),
        };
        let width = d.line.to_string().len();
        let pad = " ".repeat(width);
        out.push_str(&format!("{pad}{}-->{} {location}\n", p.gutter, p.reset));
        if let Some(source) = &d.source_line {
            out.push_str(&format!("{pad} {}|{}\n", p.gutter, p.reset));
            out.push_str(&format!("{}{} |{} {source}\n", p.gutter, d.line, p.reset));
            let caret_at: String = source
                .chars()
                .take(d.column.unwrap_or(1).saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            out.push_str(&format!(
                "{pad} {}|{} {caret_at}{sev_color}^{}\n",
                p.gutter, p.reset, p.reset
            ));
        }
        if let Some(help) = &d.help {
            out.push_str(&format!(
                "{pad} {}={} {}help{}: {help}\n",
                p.gutter, p.reset, p.bold, p.reset
            ));
        }
        out.push('\n');
    }
    let errors = count(diagnostics, Severity::Error);
    let warnings = count(diagnostics, Severity::Warning);
    out.push_str(&format!(
        "checked {} document{}: {} error{}, {} warning{}\n",
        summary.documents,
        plural(summary.documents),
        errors,
        plural(errors),
        warnings,
        plural(warnings)
    ));
    let infos = count(diagnostics, Severity::Info);
    if infos > 0 {
        out.push_str(&format!("and {infos} note{} (info)\n", plural(infos)));
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn json_report(diagnostics: &[Diagnostic], summary: &Summary) -> String {
    let value = json!({
        "diagnostics": diagnostics,
        "summary": {
            "documents": summary.documents,
            "errors": count(diagnostics, Severity::Error),
            "warnings": count(diagnostics, Severity::Warning),
            "infos": count(diagnostics, Severity::Info),
        }
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}

/// GitHub's workflow-command escaping: data escapes `%`, CR and LF;
/// properties also `:` and `,`.
fn gh_escape(text: &str, property: bool) -> String {
    let mut out = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

fn github(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let col = d.column.map(|c| format!(",col={c}")).unwrap_or_default();
        let message = match &d.help {
            Some(h) => format!("{}\n{h}", d.message),
            None => d.message.clone(),
        };
        out.push_str(&format!(
            "::{level} file={},line={}{col},title={}::{}\n",
            gh_escape(&d.file, true),
            d.line,
            gh_escape(d.code, true),
            gh_escape(&message, false)
        ));
    }
    out
}

fn sarif(diagnostics: &[Diagnostic]) -> String {
    let rules: Vec<_> = CODES
        .iter()
        .map(|(id, description)| {
            json!({
                "id": id,
                "name": id,
                "shortDescription": { "text": description },
            })
        })
        .collect();
    let results: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            let mut region = json!({ "startLine": d.line });
            if let Some(c) = d.column {
                region["startColumn"] = json!(c);
            }
            let text = match &d.help {
                Some(h) => format!("{} ({h})", d.message),
                None => d.message.clone(),
            };
            json!({
                "ruleId": d.code,
                "ruleIndex": CODES.iter().position(|(c, _)| *c == d.code).unwrap_or(0),
                "level": match d.severity { Severity::Error => "error", Severity::Warning => "warning", Severity::Info => "note" },
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": d.file, "uriBaseId": "%SRCROOT%" },
                        "region": region,
                    }
                }],
            })
        })
        .collect();
    let value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "portolan",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/portolan/portolan",
                    "rules": rules,
                }
            },
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_else(|_| "{}".to_owned());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Diagnostic> {
        vec![Diagnostic::error(
            "content/a.md",
            3,
            "broken-link",
            "link `b.md` matches no document",
        )
        .column(Some(5))
        .help("did you mean `c.md`?")
        .source_from("x\ny\nsee [b](b.md)\n")]
    }

    #[test]
    fn human_shows_source_and_caret() {
        let s = human(&sample(), &Summary { documents: 2 }, false);
        assert!(s.contains("error[broken-link]: link"), "{s}");
        assert!(s.contains(" --> content/a.md:3:5"), "{s}");
        assert!(s.contains("3 | see [b](b.md)\n  |     ^\n"), "{s}");
        assert!(s.contains("= help: did you mean"), "{s}");
        assert!(
            s.ends_with("checked 2 documents: 1 error, 0 warnings\n"),
            "{s}"
        );
    }

    #[test]
    fn github_escapes_properties_and_data() {
        let mut d = sample();
        d[0].file = "a,b:c.md".into();
        d[0].message = "50% off\nnext".into();
        let s = github(&d);
        assert!(
            s.starts_with(
                "::error file=a%2Cb%3Ac.md,line=3,col=5,title=broken-link::50%25 off%0Anext"
            ),
            "{s}"
        );
    }

    #[test]
    fn sarif_has_required_fields() {
        let v: serde_json::Value = serde_json::from_str(&sarif(&sample())).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let result = &v["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "broken-link");
        let rule_index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"][rule_index]["id"],
            "broken-link"
        );
        assert_eq!(
            result["locations"][0]["physicalLocation"]["region"]["startColumn"],
            5
        );
    }
}
