//! API specs referenced by documents (tests/fixtures/specs): every spec
//! diagnostic with its file and line, drift between prose and spec, and
//! what the built site shows of each spec.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn fixture() -> std::path::PathBuf {
    repo_root().join("tests/fixtures/specs")
}

fn diagnostics(root: &Path) -> Vec<Value> {
    let o = run_in(root, &["check", "--format", "json"]);
    let v: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    v["diagnostics"].as_array().expect("a list").clone()
}

/// (code, file, line) of every diagnostic, and the one at `file:line` with `code`.
fn find<'a>(all: &'a [Value], code: &str, file: &str, line: u64) -> &'a Value {
    all.iter()
        .find(|d| d["code"] == code && d["file"] == file && d["line"] == line)
        .unwrap_or_else(|| {
            let seen: Vec<String> = all
                .iter()
                .map(|d| format!("{} {}:{} {}", d["code"], d["file"], d["line"], d["message"]))
                .collect();
            panic!("no {code} at {file}:{line} in\n{}", seen.join("\n"))
        })
}

fn at(all: &[Value], file: &str, line: u64) -> Vec<String> {
    all.iter()
        .filter(|d| d["file"] == file && d["line"] == line)
        .map(|d| d["code"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[test]
fn broken_specs_are_reported_at_their_lines() {
    let all = diagnostics(&fixture());
    let json = find(
        &all,
        "spec-syntax",
        "content/broken/bad-json.openapi.json",
        6,
    );
    assert_eq!(json["severity"], "error");
    assert_eq!(json["column"], 3);
    // libyaml notices the unclosed flow sequence of line 8 on line 9.
    assert!(all.iter().any(|d| d["code"] == "spec-syntax"
        && d["file"] == "content/broken/bad-syntax.openapi.yaml"
        && (d["line"] == 8 || d["line"] == 9)));

    let refs = "content/broken/bad-refs.openapi.yaml";
    let missing = find(&all, "spec-invalid", refs, 12);
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("#/components/schemas/Ordr"),
        "{missing}"
    );
    assert!(
        missing["help"]
            .as_str()
            .unwrap()
            .contains("#/components/schemas/Order"),
        "{missing}"
    );
    assert_eq!(missing["column"], 15);
    let outside = find(&all, "spec-invalid", refs, 19);
    assert!(outside["message"]
        .as_str()
        .unwrap()
        .contains("leaves the content directory"));
    assert_eq!(outside["severity"], "error");
    let no_file = find(&all, "spec-invalid", refs, 25);
    assert!(
        no_file["message"]
            .as_str()
            .unwrap()
            .contains("broken/missing.yaml"),
        "{no_file}"
    );
    let remote = find(&all, "spec-invalid", refs, 31);
    assert_eq!(
        remote["severity"], "warning",
        "a URL is never fetched, not an error"
    );

    let no_paths = find(
        &all,
        "spec-invalid",
        "content/broken/no-paths.openapi.yaml",
        1,
    );
    assert!(no_paths["message"]
        .as_str()
        .unwrap()
        .contains("without `paths`"));
    let no_channels = find(
        &all,
        "spec-invalid",
        "content/broken/no-channels.asyncapi.yaml",
        1,
    );
    assert!(no_channels["message"]
        .as_str()
        .unwrap()
        .contains("without `channels`"));

    let doc = "content/broken/uses-broken.md";
    let nope = find(&all, "broken-spec", doc, 8);
    assert_eq!(nope["column"], 5);
    assert!(
        nope["help"].as_str().unwrap().contains("did you mean"),
        "{nope}"
    );
    let not_spec = find(&all, "broken-spec", doc, 9);
    assert!(not_spec["message"]
        .as_str()
        .unwrap()
        .contains("not an OpenAPI or AsyncAPI document"));
    let wrong_kind = find(&all, "broken-spec", doc, 11);
    assert!(wrong_kind["help"]
        .as_str()
        .unwrap()
        .contains("openapi: ../specs/petstore.openapi.yaml"));
    // Specs that did not parse or resolve are reported once, on the spec,
    // not again on the document naming them.
    assert!(
        at(&all, doc, 5).is_empty() && at(&all, doc, 6).is_empty(),
        "{all:#?}"
    );
    // A YAML file nobody names as a spec and that says it is none is no
    // problem of the catalog.
    assert!(!all
        .iter()
        .any(|d| d["file"] == "content/broken/not-a-spec.yaml"));

    let o = run_in(&fixture(), &["check"]);
    assert_eq!(o.status.code(), Some(1), "errors fail check");
    let human = stdout(&o) + &stderr(&o);
    assert!(
        human.contains("content/broken/bad-refs.openapi.yaml:12:15"),
        "{human}"
    );
    assert!(
        human.contains("$ref: '#/components/schemas/Ordr'"),
        "the source line is shown: {human}"
    );
}

#[test]
fn prose_that_drifts_from_its_spec_is_a_warning_with_the_closest_operation() {
    let all = diagnostics(&fixture());
    let pets = "content/pets.md";
    let put = find(&all, "spec-drift", pets, 19);
    assert_eq!(put["severity"], "warning");
    assert!(
        put["message"].as_str().unwrap().contains("PUT /pets/{id}"),
        "{put}"
    );
    let help = put["help"].as_str().unwrap();
    assert!(
        help.contains("/pets/{id}") && help.contains("petstore.openapi.yaml:"),
        "{help}"
    );
    let typo = find(&all, "spec-drift", pets, 23);
    assert!(
        typo["help"].as_str().unwrap().contains("`GET /pets/{id}`"),
        "{typo}"
    );
    // Defined: methods and paths from the table, `{petId}` = `{id}`, the
    // server's `/v2` base path, a full URL on the spec's host; and a URL
    // on another host is another API's.
    for line in [16, 17, 18, 21, 25] {
        assert!(at(&all, pets, line).is_empty(), "line {line}: {all:#?}");
    }
    assert!(
        !all.iter().any(|d| d["file"] == "content/museum.md"),
        "base path /v1 and shapes match"
    );

    let lights = "content/lights.md";
    let channel = all
        .iter()
        .find(|d| {
            d["file"] == lights
                && d["line"] == 14
                && d["message"].as_str().unwrap().contains("dimmed")
        })
        .expect("a channel the spec lacks");
    assert!(channel["help"]
        .as_str()
        .unwrap()
        .contains("lighting.measured"));
    let message = all
        .iter()
        .find(|d| d["file"] == lights && d["message"].as_str().unwrap().contains("lightDimmed"))
        .expect("a message the spec lacks");
    assert!(message["help"].as_str().unwrap().contains("lightMeasured"));
    let op = find(&all, "spec-drift", lights, 18);
    assert!(
        op["help"].as_str().unwrap().contains("sendUserSignedup"),
        "{op}"
    );
    assert!(
        at(&all, lights, 13).is_empty() && at(&all, lights, 16).is_empty(),
        "{all:#?}"
    );
    // Unmentioned operations are only reported when asked for.
    assert!(!all.iter().any(|d| d["code"] == "spec-unmentioned"));
}

/// The fixture without its broken part, so it builds.
fn buildable() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), dir.path());
    std::fs::remove_file(dir.path().join("content/broken/uses-broken.md")).unwrap();
    dir
}

#[test]
fn unmentioned_operations_are_reported_when_asked_for() {
    let site = buildable();
    let config = site.path().join("site.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[validation]\nspec_coverage = \"info\"\n");
    std::fs::write(&config, text).unwrap();
    let all = diagnostics(site.path());
    let museum: Vec<&Value> = all
        .iter()
        .filter(|d| d["code"] == "spec-unmentioned" && d["file"] == "content/museum.md")
        .collect();
    let named: Vec<&str> = museum
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(museum.len(), 2, "{named:#?}");
    assert!(
        named.iter().any(|m| m.starts_with("`GET /museum-hours`")),
        "{named:#?}"
    );
    assert!(
        named.iter().any(|m| m.starts_with("`GET /special-events`")),
        "{named:#?}"
    );
    assert!(museum
        .iter()
        .all(|d| d["severity"] == "info" && d["line"] == 4));
    let o = run_in(site.path(), &["check", "--strict"]);
    let strict: Value = serde_json::from_str(&stdout(&run_in(
        site.path(),
        &["check", "--strict", "--format", "json"],
    )))
    .unwrap();
    assert!(strict["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "spec-unmentioned"));
    // Info never fails a run; the fixture's drift warnings do under --strict.
    assert_eq!(o.status.code(), Some(1));
}

fn read(out: &Path, path: &str) -> String {
    std::fs::read_to_string(out.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_spec_gets_a_page_and_a_section_in_its_documents() {
    let site = buildable();
    let out = site.path().join("out");
    build_ok(site.path(), &out);

    // OpenAPI 3.0: operations grouped by tag, each at its anchor, with
    // parameters, request body and responses as nested tables.
    let pet = read(&out, "specs/petstore.openapi/index.html");
    for anchor in ["op-findpets", "op-addpet", "op-findpetbyid", "op-deletepet"] {
        assert!(pet.contains(&format!("id=\"{anchor}\"")), "{anchor}");
    }
    assert!(
        pet.contains("Everything about your pets"),
        "the tag's description"
    );
    assert!(
        pet.contains("<code>limit</code>") && pet.contains("integer (int32)"),
        "a query parameter"
    );
    assert!(
        pet.contains("array of Pet"),
        "a response of an array of a named schema"
    );
    // What the search index reads: cells kept apart (not
    // "ParameterInType"), the operations' "#" links left out of excerpts.
    assert!(!pet.contains("</th><th") && !pet.contains("</td><td"));
    assert!(pet.contains("aria-label=\"Link to GET /pets\" data-pagefind-ignore>#</a>"));
    assert!(
        pet.contains("one of: &quot;dog&quot;, &quot;cat&quot;, &quot;bird&quot;"),
        "enum values"
    );
    assert!(
        pet.contains("class=\"depth-1\""),
        "nested properties are indented"
    );
    assert!(pet.contains("<span class=\"l"), "examples are highlighted");
    // The request example's string, inside a highlighted run.
    let rex = pet.find("Rex").expect("the request example");
    let (open, close) = (
        pet[..rex].rfind("<span class=\"l"),
        pet[..rex].rfind("</span>"),
    );
    assert!(open > close, "Rex is highlighted");
    assert!(
        pet.contains("badge-stale\">deprecated"),
        "a deprecated operation"
    );
    assert!(
        pet.contains("href=\"/pets/\""),
        "the spec's page links the documents referencing it"
    );
    assert!(
        pet.contains("href=\"/specs/petstore.openapi.yaml\" download"),
        "and its file"
    );
    // The recursion Owner → pets → Pet → owner ends.
    assert!(pet.len() < 400_000, "{} bytes", pet.len());

    // OpenAPI 3.1: a schema in another file, type arrays, named examples.
    let museum = read(&out, "specs/museum.openapi/index.html");
    assert!(
        museum.contains("<code>eventId</code>") && museum.contains("read-only"),
        "schemas/event.yaml#/Event is followed"
    );
    assert!(museum.contains("string | null"), "`type: [string, 'null']`");
    assert!(
        museum.contains("Museum opening hours"),
        "a named example's summary"
    );
    assert!(
        museum.contains("id=\"tag-webhooks\"") && museum.contains("New tickets"),
        "3.1 webhooks, in a group of their own"
    );
    assert!(
        museum.contains("<code>startDate</code>"),
        "a parameter by $ref"
    );
    assert!(
        out.join("specs/schemas/event.yaml").is_file(),
        "files a spec refers to are published with it"
    );

    // A page lists every spec, linked from the header of every page.
    let index = read(&out, "specs/index.html");
    for name in [
        "Swagger Petstore",
        "Redocly Museum API",
        "Streetlights Kafka API",
        "Account Service",
    ] {
        assert!(
            index.contains(&format!(">{name}</a>")),
            "{name} on the index"
        );
    }
    assert!(
        index.contains("4 operations")
            && index.contains("2 channels")
            && index.contains("1 channel<")
    );
    assert!(read(&out, "pets/index.html").contains("<a href=\"/specs/\">APIs</a>"));

    // AsyncAPI 2.6 and 3.0: channels with operations, messages, payloads.
    let lights = read(&out, "specs/streetlights.asyncapi/index.html");
    assert!(
        lights.contains("smartylighting.streetlights.1.0.event.{streetlightId}.lighting.measured")
    );
    assert!(lights.contains("receiveLightMeasurement") && lights.contains("subscribe"));
    assert!(
        lights.contains("<code>lumens</code>")
            && lights.contains("Light intensity measured in lumens.")
    );
    assert!(
        lights.contains("<code>streetlightId</code>"),
        "channel parameters"
    );
    let accounts = read(&out, "specs/accounts.asyncapi/index.html");
    assert!(accounts.contains("user/signedup") && accounts.contains("sendUserSignedup"));
    assert!(
        accounts.contains("<code>displayName</code>"),
        "a 3.0 message payload by $ref"
    );

    // The document: a Specification section (not indexed a second time),
    // operations collapsed, each linked to its anchor on the spec's page.
    let doc = read(&out, "pets/index.html");
    let section = &doc[doc
        .find("id=\"spec-section\"")
        .expect("a Specification section")..];
    assert!(
        doc.contains("class=\"doc-specs\" aria-labelledby=\"spec-section\" data-pagefind-ignore")
    );
    assert!(section.contains("<details class=\"op op-get\">"));
    assert!(section.contains("href=\"/specs/petstore.openapi/#op-findpets\""));
    assert!(
        doc.contains("href=\"#spec-section\">Specification</a>"),
        "in the table of contents"
    );
    // Operations the document names are marked in its section.
    let named = |anchor: &str| {
        let link = section.find(&format!("#{anchor}\"")).expect(anchor);
        let start = section[..link]
            .rfind("<details")
            .expect("in a details element");
        section[start..link].contains("badge-named")
    };
    assert!(named("op-findpets") && named("op-addpet") && named("op-findpetbyid"));
    assert!(
        !named("op-deletepet"),
        "the document never names DELETE /pets/{{id}}"
    );

    // The spec's page is indexed, each operation a heading with an id.
    assert!(pet.contains("data-pagefind-body"));

    // catalog.json, the markdown copies and llms.txt carry the operations.
    let catalog: Value = serde_json::from_str(&read(&out, "catalog.json")).unwrap();
    let specs = catalog["specs"].as_array().unwrap();
    let petstore = specs
        .iter()
        .find(|s| s["title"] == "Swagger Petstore")
        .unwrap();
    assert_eq!(petstore["kind"], "openapi");
    assert_eq!(petstore["operations"].as_array().unwrap().len(), 4);
    assert_eq!(
        petstore["operations"][0]["url"],
        "https://specs.example/specs/petstore.openapi/#op-findpets"
    );
    assert_eq!(
        petstore["documents"],
        serde_json::json!(["https://specs.example/pets/"])
    );
    let streetlights = specs
        .iter()
        .find(|s| s["kind"] == "asyncapi" && s["title"] == "Streetlights Kafka API")
        .unwrap();
    assert_eq!(streetlights["channels"].as_array().unwrap().len(), 2);
    let pets_entry = catalog["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["title"] == "Petstore integration")
        .unwrap();
    assert_eq!(
        pets_entry["specs"],
        serde_json::json!(["https://specs.example/specs/petstore.openapi/"])
    );
    let md = read(&out, "pets/index.html.md");
    assert!(md.contains("## Specification"), "{md}");
    assert!(md.contains("| DELETE | [`/pets/{id}`](https://specs.example/specs/petstore.openapi/#op-deletepet) | Deletes a pet by id |"), "{md}");
    let spec_md = read(&out, "specs/streetlights.asyncapi/index.html.md");
    assert!(spec_md.contains("receiveLightMeasurement"), "{spec_md}");
    let llms = read(&out, "llms.txt");
    assert!(
        llms.contains("## API specs") && llms.contains("specs/museum.openapi/index.html.md"),
        "{llms}"
    );
    assert!(read(&out, "sitemap.xml").contains("https://specs.example/specs/accounts.asyncapi/"));
}

#[test]
fn a_spec_outside_the_content_dir_or_behind_a_link_is_never_read() {
    let site = buildable();
    let root = site.path();
    let secret = tempfile::tempdir().unwrap();
    std::fs::write(
        secret.path().join("secret.openapi.yaml"),
        "openapi: 3.0.3\ninfo: {title: SECRET-TITLE, version: '1'}\npaths:\n  /secret: {get: {responses: {}}}\n",
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        secret.path().join("secret.openapi.yaml"),
        root.join("content/specs/linked.openapi.yaml"),
    )
    .unwrap();
    std::fs::write(
        root.join("content/leak.md"),
        "---\ntitle: Leak\nopenapi:\n  - specs/linked.openapi.yaml\n  - ../../outside.openapi.yaml\n---\n\n# Leak\n",
    )
    .unwrap();
    // A spec whose $ref climbs out.
    std::fs::write(
        root.join("content/specs/climb.openapi.yaml"),
        "openapi: 3.0.3\ninfo: {title: Climb, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '../../../secret.yaml#/X'\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/climb.md"),
        "---\ntitle: Climb\nopenapi: specs/climb.openapi.yaml\n---\n\n# Climb\n",
    )
    .unwrap();
    let all = diagnostics(root);
    #[cfg(unix)]
    {
        let linked = find(&all, "broken-spec", "content/leak.md", 4);
        assert!(
            linked["message"].as_str().unwrap().contains("not read"),
            "{linked}"
        );
    }
    let outside = find(&all, "broken-spec", "content/leak.md", 5);
    assert!(outside["message"]
        .as_str()
        .unwrap()
        .contains("leaves the content directory"));
    find(&all, "spec-invalid", "content/specs/climb.openapi.yaml", 12);
    let dump = serde_json::to_string(&all).unwrap();
    assert!(!dump.contains("SECRET-TITLE"));
}

#[test]
fn hostile_specs_end_quickly_and_render_inert() {
    let site = buildable();
    let root = site.path();
    // Self-referencing schemas, a $ref chain that loops, an allOf fan-out,
    // script in descriptions and examples.
    let mut fan = String::from("    Fan:\n      allOf:\n");
    for _ in 0..40 {
        fan.push_str("        - $ref: '#/components/schemas/Fan2'\n");
    }
    fan.push_str("    Fan2:\n      allOf:\n");
    for _ in 0..40 {
        fan.push_str("        - $ref: '#/components/schemas/Fan3'\n");
    }
    fan.push_str("    Fan3:\n      type: object\n      properties:\n        a: {type: string, description: 'Use `code` <b onclick=alert(7)>b</b><script>alert(6)</script>'}\n        self: {$ref: '#/components/schemas/Fan'}\n");
    let spec = format!(
        "openapi: 3.0.3\ninfo:\n  title: Hostile\n  version: '1'\n  description: '<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))'\npaths:\n  /loop:\n    get:\n      summary: <script>alert(4)</script>\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Fan'\n              example: '</code></pre><script>alert(5)</script>'\n        '500':\n          $ref: '#/components/responses/A'\ncomponents:\n  responses:\n    A:\n      $ref: '#/components/responses/B'\n    B:\n      $ref: '#/components/responses/A'\n  schemas:\n{fan}"
    );
    std::fs::write(root.join("content/specs/hostile.openapi.yaml"), spec).unwrap();
    std::fs::write(
        root.join("content/hostile.md"),
        "---\ntitle: Hostile\nopenapi: specs/hostile.openapi.yaml\n---\n\n# Hostile\n",
    )
    .unwrap();
    let out = root.join("out");
    build_ok(root, &out);
    let page = read(&out, "specs/hostile.openapi/index.html");
    assert!(
        !page.contains("<script>alert"),
        "script in a spec runs nowhere"
    );
    assert!(
        !page.contains("onerror") && !page.contains("onclick"),
        "handlers are dropped"
    );
    assert!(
        page.contains("Use <code>code</code> <b>b</b>"),
        "a property's description is CommonMark"
    );
    assert!(
        !page.contains("href=\"javascript:"),
        "script URLs never become links"
    );
    assert!(
        page.contains("Deeper or further fields are left out"),
        "the fan-out is cut"
    );
    assert!(page.len() < 2_000_000, "{} bytes", page.len());
}

#[test]
fn a_document_at_specs_keeps_its_page() {
    let site = buildable();
    std::fs::write(
        site.path().join("content/specs/README.md"),
        "# Our specs folder\n\nWhere the API specs live.\n",
    )
    .unwrap();
    let out = site.path().join("out");
    build_ok(site.path(), &out);
    let index = read(&out, "specs/index.html");
    assert!(
        index.contains("Our specs folder"),
        "the document keeps `specs/`"
    );
    assert!(
        !index.contains("<a href=\"/specs/\">APIs</a>"),
        "no link to a list that is not there"
    );
    assert!(
        out.join("specs/petstore.openapi/index.html").is_file(),
        "the spec pages stay"
    );
}
