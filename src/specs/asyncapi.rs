//! The parts of an AsyncAPI 2.x/3.0 document the catalog renders and
//! checks prose against: servers, channels with their operations and the
//! messages (payload and headers) that travel on them.
//!
//! No maintained crate reads AsyncAPI, so this reads the few fields shown
//! from the parsed value; 2.x puts operations inside channels
//! (`publish`/`subscribe`), 3.0 beside them (`operations`, `action`).

use serde_yaml::Value;

use super::refs::{ref_of, FileSet};
use super::schema::{example_text, field, text, Walker};
use super::source::SpecFile;
use super::{Channel, ChannelOp, Message, Param, Server, Spec, SpecKind};
use crate::diagnostics::Diagnostic;

const MAX_CHANNELS: usize = 2000;

pub fn read(files: &FileSet, file: &SpecFile, out: &mut Vec<Diagnostic>) -> Option<Spec> {
    let root = &file.value;
    let version = text(field(root, "asyncapi"));
    let v3 = version.starts_with("3.");
    if !(version.starts_with("2.") || v3) {
        out.push(
            Diagnostic::error(
                &file.source_path,
                file.key_line("asyncapi"),
                "spec-invalid",
                format!("`asyncapi: {version}` is not a version portolan reads"),
            )
            .help("portolan reads AsyncAPI 2.x and 3.0 documents")
            .source_from(&file.text),
        );
        return None;
    }
    let channels = field(root, "channels");
    let Some(channel_map) = channels.and_then(Value::as_mapping) else {
        out.push(
            Diagnostic::error(
                &file.source_path,
                file.key_line(if channels.is_some() {
                    "channels"
                } else {
                    "asyncapi"
                }),
                "spec-invalid",
                if channels.is_some() {
                    "`channels` is not a mapping of channels"
                } else {
                    "an AsyncAPI document without `channels`"
                },
            )
            .help("add `channels:` with the topics, queues or routes the API uses")
            .source_from(&file.text),
        );
        return None;
    };
    let walker = Walker::new(files);
    let path = file.content_path.as_str();
    let info = field(root, "info");
    let mut spec = Spec::new(file, SpecKind::AsyncApi, version);
    spec.title = info.map(|i| text(field(i, "title"))).unwrap_or_default();
    spec.api_version = info.map(|i| text(field(i, "version"))).unwrap_or_default();
    spec.description = info
        .map(|i| text(field(i, "description")))
        .unwrap_or_default();
    if let Some(Value::Mapping(servers)) = field(root, "servers") {
        for (name, s) in servers {
            let url = match text(field(s, "url")) {
                u if !u.is_empty() => u,
                _ => format!("{}{}", text(field(s, "host")), text(field(s, "pathname"))),
            };
            let protocol = text(field(s, "protocol"));
            spec.servers.push(Server {
                url,
                description: [text(Some(name)), protocol, text(field(s, "description"))]
                    .into_iter()
                    .filter(|t| !t.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · "),
            });
        }
    }
    for (key, channel) in channel_map.iter().take(MAX_CHANNELS) {
        let name = text(Some(key));
        let Some((cf, channel, _)) = files.follow(path, channel) else {
            continue;
        };
        let address = if v3 {
            match field(channel, "address") {
                Some(Value::String(a)) => a.clone(),
                _ => name.clone(),
            }
        } else {
            name.clone()
        };
        let mut c = Channel {
            line: file.entry_line("channels", &name),
            title: text(field(channel, "title")),
            description: text(field(channel, "description")),
            params: params(&walker, cf, field(channel, "parameters")),
            operations: Vec::new(),
            messages: Vec::new(),
            anchor: String::new(),
            name,
            address,
        };
        if v3 {
            if let Some(Value::Mapping(messages)) = field(channel, "messages") {
                for (id, m) in messages {
                    if let Some(m) = message(&walker, cf, &text(Some(id)), m) {
                        c.messages.push(m);
                    }
                }
            }
        } else {
            for action in ["publish", "subscribe"] {
                let Some((of, op, _)) = field(channel, action).and_then(|o| files.follow(cf, o))
                else {
                    continue;
                };
                c.operations.push(ChannelOp {
                    action: action.to_owned(),
                    id: text(field(op, "operationId")),
                    summary: text(field(op, "summary")),
                    description: text(field(op, "description")),
                    line: file.key_line_after(action, c.line).unwrap_or(c.line),
                });
                for m in messages_of(files, of, field(op, "message")) {
                    if let Some(m) = message(&walker, m.0, "", m.1) {
                        if !c
                            .messages
                            .iter()
                            .any(|x| x.name == m.name && x.title == m.title)
                        {
                            c.messages.push(m);
                        }
                    }
                }
            }
        }
        spec.channels.push(c);
    }
    if v3 {
        if let Some(Value::Mapping(operations)) = field(root, "operations") {
            for (id, op) in operations {
                let Some((_, op, _)) = files.follow(path, op) else {
                    continue;
                };
                // `channel: {$ref: '#/channels/<key>'}` names its channel.
                let Some(key) = field(op, "channel")
                    .and_then(ref_of)
                    .and_then(|r| r.rsplit('/').next())
                    .map(|k| {
                        crate::catalog::percent_decode(&k.replace("~1", "/").replace("~0", "~"))
                    })
                else {
                    continue;
                };
                if let Some(c) = spec.channels.iter_mut().find(|c| c.name == key) {
                    let id = text(Some(id));
                    c.operations.push(ChannelOp {
                        action: text(field(op, "action")),
                        line: file.entry_line("operations", &id),
                        id,
                        summary: text(field(op, "summary")),
                        description: text(field(op, "description")),
                    });
                }
            }
        }
    }
    Some(spec)
}

/// A 2.x operation's `message`: one, or `oneOf` several.
fn messages_of<'s>(
    files: &'s FileSet,
    file: &'s str,
    value: Option<&'s Value>,
) -> Vec<(&'s str, &'s Value)> {
    let Some((f, v, _)) = value.and_then(|v| files.follow(file, v)) else {
        return Vec::new();
    };
    match field(v, "oneOf") {
        Some(Value::Sequence(options)) => options
            .iter()
            .filter_map(|o| files.follow(f, o).map(|(of, ov, _)| (of, ov)))
            .collect(),
        _ => vec![(f, v)],
    }
}

fn message(walker: &Walker<'_>, file: &str, id: &str, value: &Value) -> Option<Message> {
    let (mf, m, ref_name) = walker.files.follow(file, value)?;
    let name = match text(field(m, "name")) {
        n if !n.is_empty() => n,
        _ if !id.is_empty() => id.to_owned(),
        _ => ref_name.unwrap_or_default(),
    };
    let mut examples = Vec::new();
    if let Some(Value::Sequence(list)) = field(m, "examples") {
        for (n, e) in list.iter().take(10).enumerate() {
            let label = match (text(field(e, "name")), text(field(e, "summary"))) {
                (_, s) if !s.is_empty() => s,
                (n, _) if !n.is_empty() => n,
                _ => format!("Example {}", n + 1),
            };
            if let Some(payload) = field(e, "payload") {
                examples.push((label, example_text(walker.files, mf, payload)));
            }
        }
    }
    Some(Message {
        name,
        title: text(field(m, "title")),
        summary: text(field(m, "summary")),
        description: text(field(m, "description")),
        content_type: text(field(m, "contentType")),
        payload: field(m, "payload").map(|p| walker.schema(mf, p)),
        headers: field(m, "headers").map(|h| walker.schema(mf, h)),
        examples,
    })
}

fn params(walker: &Walker<'_>, file: &str, value: Option<&Value>) -> Vec<Param> {
    let Some(Value::Mapping(map)) = value else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(name, p)| {
            let (pf, p, _) = walker.files.follow(file, p)?;
            Some(Param {
                name: text(Some(name)),
                location: "channel".to_owned(),
                required: true,
                description: text(field(p, "description")),
                type_label: field(p, "schema")
                    .map(|s| walker.label(pf, s))
                    .unwrap_or_else(|| "string".to_owned()),
                deprecated: false,
            })
        })
        .collect()
}
