//! Rules of the request bodies that span fields, which the derived schemas cannot state,
//! written into the document; a flattened schema the derive gets wrong; unique operation
//! ids; and the links from a create to the operations on what it made. Without the rules
//! a client (or a fuzzer) following the document would send bodies the API refuses.

use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{AllOfBuilder, AnyOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::{OpenApi as Document, Ref, RefOr};

pub(super) fn apply(mut doc: Document) -> Document {
    if let Some(components) = doc.components.as_mut() {
        let schemas = &mut components.schemas;
        for name in ["CreateCustomer", "Contact"] {
            if let Some(schema) = schemas.remove(name) {
                schemas.insert(name.to_owned(), email_or_phone(schema));
            }
        }
        if let Some(schema) = schemas.remove("Receive") {
            // A chat token continues a chat session: other channels must leave it out.
            let rule =
                AnyOfBuilder::new()
                    .item(object().property(
                        "channel",
                        ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["chat"])),
                    ))
                    .item(object().property("chat_token", ObjectBuilder::new().schema_type(Type::Null)));
            schemas.insert("Receive".to_owned(), AllOfBuilder::new().item(schema).item(rule).into());
        }
        flatten(schemas, "Sequence", "SequenceSpec");
    }
    unique_operation_ids(&mut doc);
    for (from, to) in LINKS {
        link(&mut doc, from, to);
    }
    doc
}

fn object() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::Object)
}

/// A customer needs an e-mail address or a phone number (either may be `null` when the
/// other is given).
fn email_or_phone(schema: RefOr<Schema>) -> RefOr<Schema> {
    let rule = AnyOfBuilder::new()
        .item(object().property("email", Ref::from_schema_name("Email")).required("email"))
        .item(object().property("phone", ObjectBuilder::new().schema_type(Type::String)).required("phone"));
    AllOfBuilder::new().item(schema).item(rule).into()
}

/// `name` is `#[serde(flatten)]` over `inner`, whose schema refuses unknown properties: as
/// an `allOf` the two could never both hold, so `name` gets `inner`'s properties itself.
fn flatten(schemas: &mut std::collections::BTreeMap<String, RefOr<Schema>>, name: &str, inner: &str) {
    let (Some(RefOr::T(Schema::Object(inner))), Some(RefOr::T(Schema::AllOf(all)))) =
        (schemas.get(inner).cloned(), schemas.get(name).cloned())
    else {
        return;
    };
    let mut merged = inner;
    merged.additional_properties = None;
    for part in all.items {
        if let RefOr::T(Schema::Object(own)) = part {
            merged.properties.extend(own.properties);
            merged.required.extend(own.required);
        }
    }
    schemas.insert(name.to_owned(), RefOr::T(Schema::Object(merged)));
}

fn operations(doc: &mut Document) -> impl Iterator<Item = (&String, &'static str, &mut Operation)> {
    doc.paths.paths.iter_mut().flat_map(|(path, item)| {
        [
            ("get", item.get.as_mut()),
            ("put", item.put.as_mut()),
            ("post", item.post.as_mut()),
            ("delete", item.delete.as_mut()),
            ("patch", item.patch.as_mut()),
        ]
        .into_iter()
        .filter_map(move |(method, op)| op.map(|op| (path, method, op)))
    })
}

/// Operation ids are the handlers' names, which repeat across families (`create`,
/// `list`) and between PUT and PATCH of one handler: with the tag and method they become
/// unique, as OpenAPI requires.
fn unique_operation_ids(doc: &mut Document) {
    for (_, method, op) in operations(doc) {
        let tag = op.tags.as_ref().and_then(|t| t.first()).map_or("api", String::as_str).replace('-', "_");
        if let Some(id) = &op.operation_id {
            let id = if method == "patch" { format!("{tag}_{id}_patch") } else { format!("{tag}_{id}") };
            op.operation_id = Some(id);
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

fn link(doc: &mut Document, from: &str, to: &[&str]) {
    let ids: Vec<String> = to
        .iter()
        .map(|target| {
            operations(doc)
                .find(|(path, method, _)| format!("{method} {path}") == *target)
                .and_then(|(_, _, op)| op.operation_id.clone())
                .unwrap_or_else(|| panic!("{target} is not documented"))
        })
        .collect();
    let (_, _, op) = operations(doc)
        .find(|(path, method, _)| format!("{method} {path}") == from)
        .unwrap_or_else(|| panic!("{from} is not documented"));
    let Some(RefOr::T(created)) = op.responses.responses.get_mut("201") else { panic!("{from} answers no 201") };
    for id in ids {
        let link = LinkBuilder::new().operation_id(id.clone()).parameter("id", "$response.body#/id").build();
        created.links.insert(id, RefOr::T(link));
    }
}
