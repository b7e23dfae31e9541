//! Rules of the request bodies that span fields, which the derived schemas cannot state,
//! written into the document; and a flattened schema the derive gets wrong. Without them
//! a client (or a fuzzer) following the document would send bodies the API refuses.

use serde_json::{Value, json};
use utoipa::openapi::OpenApi as Document;

pub(super) fn apply(doc: Document) -> Document {
    let mut v = serde_json::to_value(&doc).expect("the OpenAPI document serialises");
    let schemas = &mut v["components"]["schemas"];
    email_or_phone(&mut schemas["CreateCustomer"]);
    email_or_phone(&mut schemas["Contact"]);
    // A chat token continues a chat session: other channels must leave it out.
    schemas["Receive"]["anyOf"] = json!([
        {"properties": {"channel": {"const": "chat"}}},
        {"properties": {"chat_token": {"type": "null"}}},
    ]);
    flatten(schemas, "Sequence", "SequenceSpec");
    unique_operation_ids(&mut v["paths"]);
    for (from, to) in LINKS {
        link(&mut v["paths"], from, to);
    }
    serde_json::from_value(v).expect("the patched OpenAPI document reads back")
}

/// Operation ids are the handlers' names, which repeat across families (`create`,
/// `list`): prefixed with the tag they become unique, as OpenAPI requires.
fn unique_operation_ids(paths: &mut Value) {
    for item in paths.as_object_mut().into_iter().flat_map(|p| p.values_mut()) {
        for op in item.as_object_mut().into_iter().flat_map(|i| i.values_mut()) {
            let tag = op["tags"][0].as_str().unwrap_or("api").replace('-', "_");
            if let Some(id) = op["operationId"].as_str() {
                op["operationId"] = json!(format!("{tag}_{id}"));
            }
        }
    }
}

/// Where the id a create answers with is used next ("METHOD path" of the create, then
/// of the operations that take that id as `{id}`): links for clients and for the
/// stateful phase of the fuzzer.
const LINKS: &[(&str, &[&str])] = &[
    (
        "post /api/crm/customers",
        &[
            "get /api/crm/customers/{id}",
            "patch /api/crm/customers/{id}",
            "get /api/crm/customers/{id}/history",
            "delete /api/crm/customers/{id}",
        ],
    ),
    (
        "post /api/leads",
        &[
            "get /api/leads/{id}",
            "patch /api/leads/{id}",
            "post /api/leads/{id}/qualify",
            "post /api/leads/{id}/assign",
            "post /api/leads/{id}/route",
            "post /api/follow-ups/{id}/stop",
        ],
    ),
    ("post /api/tasks", &["get /api/tasks/{id}", "patch /api/tasks/{id}", "post /api/tasks/{id}/assign"]),
    ("post /api/teams", &["get /api/teams/{id}", "patch /api/teams/{id}", "delete /api/teams/{id}"]),
    ("post /api/agents", &["get /api/agents/{id}", "patch /api/agents/{id}", "delete /api/agents/{id}"]),
    (
        "post /api/bookings",
        &[
            "get /api/bookings/{id}",
            "patch /api/bookings/{id}",
            "post /api/bookings/{id}/cancel",
            "get /api/bookings/{id}/ics",
        ],
    ),
    (
        "post /api/follow-ups/sequences",
        &[
            "get /api/follow-ups/sequences/{id}",
            "put /api/follow-ups/sequences/{id}",
            "get /api/follow-ups/sequences/{id}/stats",
            "delete /api/follow-ups/sequences/{id}",
        ],
    ),
    ("post /api/follow-ups", &["get /api/follow-ups/{id}", "delete /api/follow-ups/{id}"]),
];

fn link(paths: &mut Value, from: &str, to: &[&str]) {
    let op = |paths: &Value, at: &str| {
        let (method, path) = at.split_once(' ').expect("METHOD path");
        paths[path][method].clone()
    };
    let mut links = serde_json::Map::new();
    for target in to {
        let target_op = op(paths, target);
        let id = target_op["operationId"].as_str().unwrap_or_else(|| panic!("{target} is not documented"));
        links.insert(id.to_owned(), json!({"operationId": id, "parameters": {"id": "$response.body#/id"}}));
    }
    let (method, path) = from.split_once(' ').expect("METHOD path");
    let created = &mut paths[path][method]["responses"]["201"];
    assert!(created.is_object(), "{from} answers no 201");
    created["links"] = Value::Object(links);
}

/// A customer needs an e-mail address or a phone number (either may be `null` when the
/// other is given).
fn email_or_phone(schema: &mut Value) {
    schema["anyOf"] = json!([
        {"required": ["email"], "properties": {"email": {"$ref": "#/components/schemas/Email"}}},
        {"required": ["phone"], "properties": {"phone": {"type": "string"}}},
    ]);
}

/// `name` is `#[serde(flatten)]` over `inner`, whose schema refuses unknown properties: as
/// an `allOf` the two could never both hold, so `name` gets `inner`'s properties itself.
fn flatten(schemas: &mut Value, name: &str, inner: &str) {
    let inner = schemas[inner].clone();
    let Some(parts) = schemas[name]["allOf"].as_array().cloned() else { return };
    let mut merged = json!({"type": "object", "properties": {}, "required": []});
    for part in parts.iter().map(|p| if p.get("$ref").is_some() { &inner } else { p }) {
        if let Some(props) = part["properties"].as_object() {
            for (k, s) in props {
                merged["properties"][k] = s.clone();
            }
        }
        if let (Some(req), Some(all)) = (part["required"].as_array(), merged["required"].as_array_mut()) {
            all.extend(req.iter().cloned());
        }
        if let Some(d) = part.get("description") {
            merged["description"] = d.clone();
        }
    }
    schemas[name] = merged;
}
