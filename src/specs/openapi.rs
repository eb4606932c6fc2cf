//! The parts of an OpenAPI 3.0/3.1 document the catalog renders and
//! checks prose against: servers, tags and every operation with its
//! parameters, request body and responses.

use serde_yaml::Value;

use super::refs::FileSet;
use super::schema::{example_text, field, text, Walker};
use super::source::SpecFile;
use super::{Body, Media, Operation, Param, Response, Server, Spec, SpecKind};
use crate::diagnostics::Diagnostic;

pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// Operations read from one spec at most.
const MAX_OPERATIONS: usize = 5000;

pub fn read(files: &FileSet, file: &SpecFile, out: &mut Vec<Diagnostic>) -> Option<Spec> {
    let root = &file.value;
    let invalid = |line: usize, message: String, help: &str| {
        Diagnostic::error(&file.source_path, line, "spec-invalid", message)
            .help(help)
            .source_from(&file.text)
    };
    let version = text(field(root, "openapi"));
    if version.is_empty() {
        let swagger = text(field(root, "swagger"));
        out.push(invalid(
            file.key_line("swagger"),
            format!("Swagger {swagger} is not read, only OpenAPI 3.0 and 3.1"),
            "convert it to OpenAPI 3 (for example with swagger2openapi)",
        ));
        return None;
    }
    if !version.starts_with("3.") {
        out.push(invalid(
            file.key_line("openapi"),
            format!("`openapi: {version}` is not a version portolan reads"),
            "portolan reads OpenAPI 3.0 and 3.1 documents",
        ));
        return None;
    }
    let paths = field(root, "paths");
    let paths_map = paths.and_then(Value::as_mapping);
    // 3.1 lets a document hold only webhooks or components.
    let needs_paths = version.starts_with("3.0")
        || (field(root, "webhooks").is_none() && field(root, "components").is_none());
    if paths_map.is_none() && (needs_paths || paths.is_some()) {
        out.push(invalid(
            if paths.is_some() {
                file.key_line("paths")
            } else {
                file.key_line("openapi")
            },
            if paths.is_some() {
                "`paths` is not a mapping of paths to operations".to_owned()
            } else {
                "an OpenAPI document without `paths`".to_owned()
            },
            "add `paths:` with the API's operations",
        ));
        return None;
    }
    let info = field(root, "info");
    let walker = Walker::new(files);
    let path = file.content_path.as_str();
    let mut spec = Spec::new(file, SpecKind::OpenApi, version);
    spec.title = info.map(|i| text(field(i, "title"))).unwrap_or_default();
    spec.api_version = info.map(|i| text(field(i, "version"))).unwrap_or_default();
    spec.description = info
        .map(|i| text(field(i, "description")))
        .unwrap_or_default();
    spec.servers = servers(field(root, "servers"));
    if let Some(Value::Sequence(tags)) = field(root, "tags") {
        for tag in tags {
            let name = text(field(tag, "name"));
            if !name.is_empty() {
                spec.tags.push((name, text(field(tag, "description"))));
            }
        }
    }
    // Paths, then 3.1's webhooks: requests the API makes, keyed by name.
    let webhooks = field(root, "webhooks").and_then(Value::as_mapping);
    let items = paths_map
        .into_iter()
        .flatten()
        .map(|(k, v)| ("paths", k, v))
        .chain(
            webhooks
                .into_iter()
                .flatten()
                .map(|(k, v)| ("webhooks", k, v)),
        );
    for (section, key, item) in items {
        let route = text(Some(key));
        let Some((item_file, item, _)) = files.follow(path, item) else {
            continue;
        };
        let shared = field(item, "parameters");
        let path_line = file.entry_line(section, &route);
        for method in METHODS {
            let Some(op) = field(item, method) else {
                continue;
            };
            if spec.operations.len() >= MAX_OPERATIONS {
                break;
            }
            let Some((op_file, op, _)) = files.follow(item_file, op) else {
                continue;
            };
            let line = file.key_line_after(method, path_line).unwrap_or(path_line);
            let mut op = operation(
                &walker,
                OpSource {
                    file: op_file,
                    item_file,
                    shared,
                },
                method,
                &route,
                op,
                line,
            );
            op.webhook = section == "webhooks";
            spec.operations.push(op);
        }
    }
    Some(spec)
}

fn servers(value: Option<&Value>) -> Vec<Server> {
    let Some(Value::Sequence(list)) = value else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|s| {
            let mut url = text(field(s, "url"));
            if url.is_empty() {
                return None;
            }
            // `{basePath}` and the like: their defaults.
            if let Some(Value::Mapping(vars)) = field(s, "variables") {
                for (name, var) in vars {
                    let default = text(field(var, "default"));
                    url = url.replace(&format!("{{{}}}", text(Some(name))), &default);
                }
            }
            Some(Server {
                url,
                description: text(field(s, "description")),
            })
        })
        .collect()
}

struct OpSource<'a> {
    file: &'a str,
    item_file: &'a str,
    shared: Option<&'a Value>,
}

fn operation(
    walker: &Walker<'_>,
    from: OpSource<'_>,
    method: &str,
    route: &str,
    op: &Value,
    line: usize,
) -> Operation {
    let files = walker.files;
    let mut params: Vec<Param> = Vec::new();
    // Path-level parameters first; an operation's own of the same name
    // and place replace them.
    let lists = [
        (from.item_file, from.shared),
        (from.file, field(op, "parameters")),
    ];
    for (file, list) in lists {
        let Some(Value::Sequence(list)) = list else {
            continue;
        };
        for p in list {
            let Some((pf, p, _)) = files.follow(file, p) else {
                continue;
            };
            let param = Param {
                name: text(field(p, "name")),
                location: text(field(p, "in")),
                required: field(p, "required").and_then(Value::as_bool) == Some(true),
                description: text(field(p, "description")),
                type_label: field(p, "schema")
                    .map(|s| walker.label(pf, s))
                    .unwrap_or_default(),
                deprecated: field(p, "deprecated").and_then(Value::as_bool) == Some(true),
            };
            params.retain(|q| !(q.name == param.name && q.location == param.location));
            params.push(param);
        }
    }
    let request = field(op, "requestBody")
        .and_then(|b| files.follow(from.file, b))
        .map(|(bf, b, _)| Body {
            description: text(field(b, "description")),
            required: field(b, "required").and_then(Value::as_bool) == Some(true),
            media: media(walker, bf, field(b, "content")),
        });
    let mut responses = Vec::new();
    if let Some(Value::Mapping(map)) = field(op, "responses") {
        for (status, r) in map {
            let Some((rf, r, _)) = files.follow(from.file, r) else {
                continue;
            };
            responses.push(Response {
                status: text(Some(status)),
                description: text(field(r, "description")),
                media: media(walker, rf, field(r, "content")),
            });
        }
    }
    let tags = match field(op, "tags") {
        Some(Value::Sequence(tags)) => tags.iter().map(|t| text(Some(t))).collect(),
        _ => Vec::new(),
    };
    Operation {
        method: method.to_ascii_uppercase(),
        path: route.to_owned(),
        operation_id: text(field(op, "operationId")),
        summary: text(field(op, "summary")),
        description: text(field(op, "description")),
        tags,
        deprecated: field(op, "deprecated").and_then(Value::as_bool) == Some(true),
        params,
        request,
        responses,
        line,
        anchor: String::new(),
        webhook: false,
    }
}

/// A `content` map: each media type with its schema and examples.
fn media(walker: &Walker<'_>, file: &str, content: Option<&Value>) -> Vec<Media> {
    let Some(Value::Mapping(content)) = content else {
        return Vec::new();
    };
    content
        .iter()
        .map(|(media_type, m)| {
            let schema = field(m, "schema").map(|s| walker.schema(file, s));
            let mut examples = Vec::new();
            if let Some(e) = field(m, "example") {
                examples.push((String::new(), example_text(walker.files, file, e)));
            }
            if let Some(Value::Mapping(named)) = field(m, "examples") {
                for (name, e) in named.iter().take(10) {
                    let (ef, e) = walker
                        .files
                        .follow(file, e)
                        .map(|(f, v, _)| (f, v))
                        .unwrap_or((file, e));
                    let label = match text(field(e, "summary")) {
                        s if s.is_empty() => text(Some(name)),
                        s => s,
                    };
                    if let Some(value) = field(e, "value") {
                        examples.push((label, example_text(walker.files, ef, value)));
                    }
                }
            }
            if examples.is_empty() {
                if let Some(e) = field(m, "schema")
                    .and_then(|s| walker.files.follow(file, s))
                    .and_then(|(f, s, _)| field(s, "example").map(|e| (f, e)))
                {
                    examples.push((String::new(), example_text(walker.files, e.0, e.1)));
                }
            }
            Media {
                media_type: text(Some(media_type)),
                schema,
                examples,
            }
        })
        .collect()
}
