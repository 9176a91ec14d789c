//! The OpenAPI document of `/api/v1` and the Markdown reference rendered
//! from it (`docs/api.md`).
//!
//! The document is derived by utoipa from the `#[utoipa::path]` annotations
//! of the handlers in `api::operations!`, the same table the router is built
//! from (see the `api` module), then [`Conventions`] adds what every
//! operation shares: the security schemes and the error answers that follow
//! from an operation's shape (401 when it needs a credential, 400 and 413
//! when it reads a body, 415 when that body is JSON, 403
//! `cross_site_request` when it changes state, 500).

use crate::api::{method_name, operations_of};
use serde_json::Value;
use std::fmt::Write as _;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr};

/// The OpenAPI document served at `/api/v1/openapi.json`.
pub fn document() -> OpenApi {
    <crate::api::ApiDoc as utoipa::OpenApi>::openapi()
}

/// Every API route as `(METHOD, path)`, the path with the `/api/v1` prefix
/// and `{param}` placeholders, sorted. The router serves exactly these.
pub fn api_routes_list() -> Vec<(String, String)> {
    let doc = document();
    let mut routes: Vec<(String, String)> = doc
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            operations_of(item)
                .into_iter()
                .map(move |(m, _)| (method_name(&m).to_string(), path.clone()))
        })
        .collect();
    routes.sort();
    routes
}

/// The error codes of the API: `(code, status, meaning)`. `docs/api.md`
/// lists them; the codes are stable.
pub const ERROR_CODES: [(&str, u16, &str); 12] = [
    ("bad_request", 400, "The body is not JSON, has a value of the wrong type or lacks a required field (`field` names it, as a dotted path such as `availability[2].day`), or the query string does not parse."),
    ("unauthenticated", 401, "No credential, or an unknown, expired or revoked one; or a wrong email or password at sign-in."),
    ("forbidden", 403, "You may know the thing exists but may not do this to it."),
    ("cross_site_request", 403, "A state-changing request with a session cookie came from another site; nothing was done."),
    ("not_found", 404, "No such thing, or not yours to know about (someone else's private resources). Ids that do not parse are 404 too."),
    ("method_not_allowed", 405, "The path exists but not with this method."),
    ("conflict", 409, "The change conflicts with the current state (a duplicate email, the last admin, a busy database). Nothing was saved; `field` names the field at fault, if any."),
    ("payload_too_large", 413, "The request body is over the size limit (256 KiB; 8 MiB for CSV imports)."),
    ("unsupported_media_type", 415, "The body was sent without `Content-Type: application/json`."),
    ("invalid_field", 422, "One or more fields are invalid. `field` names the first, `message` says how to fix it, and `fields` lists every one when there are several."),
    ("rate_limited", 429, "Too many sign-in, sign-up or reset attempts from your address; wait 15 minutes."),
    ("internal", 500, "A fault on our side (including a crash while answering); nothing was changed. It is logged with the request id (`request_id`, and the `x-request-id` header)."),
];

/// Adds the security schemes and the error answers every operation shares.
pub struct Conventions;

impl utoipa::Modify for Conventions {
    fn modify(&self, doc: &mut OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::SESSION_COOKIE,
                "The session cookie set by `POST /api/v1/auth/sign-in`.",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token from `POST /api/v1/me/tokens`, sent as `Authorization: Bearer <token>`.",
                    ))
                    .build(),
            ),
        );
        for item in doc.paths.paths.values_mut() {
            let changes_state = [
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in changes_state.into_iter().flatten() {
                add_error(
                    op,
                    "403",
                    "`cross_site_request`: sent with a cookie from another site.",
                );
            }
            let all = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in all.into_iter().flatten() {
                if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    add_error(op, "401", "`unauthenticated`: no session cookie or bearer token, or an unknown, expired or revoked one.");
                }
                if let Some(body) = &op.request_body {
                    let json = match body {
                        RefOr::T(body) => body.content.contains_key("application/json"),
                        RefOr::Ref(_) => true,
                    };
                    if json {
                        add_error(
                            op,
                            "400",
                            "`bad_request`: the body is not JSON of the documented shape; `field` names the value at fault.",
                        );
                        add_error(
                            op,
                            "415",
                            "`unsupported_media_type`: the body was sent without `Content-Type: application/json`.",
                        );
                    }
                    let limit = if json {
                        format!("{} KiB", crate::BODY_LIMIT / 1024)
                    } else {
                        format!("{} MiB", crate::pages::IMPORT_LIMIT / (1024 * 1024))
                    };
                    add_error(
                        op,
                        "413",
                        &format!("`payload_too_large`: the body is over {limit}."),
                    );
                }
                let reads_query = op
                    .parameters
                    .iter()
                    .flatten()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Query));
                if reads_query {
                    add_error(op, "400", "`bad_request`: the query string does not parse.");
                }
                add_error(
                    op,
                    "500",
                    "`internal`: a fault on our side; nothing was changed.",
                );
            }
        }
    }
}

/// Adds an error answer to `op`, or appends `description` to the one it has.
fn add_error(op: &mut Operation, status: &str, description: &str) {
    match op.responses.responses.get_mut(status) {
        Some(RefOr::T(existing)) => {
            if !existing.description.contains(description) {
                existing.description = format!("{} Or {}", existing.description, description);
            }
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let response = ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build();
            op.responses
                .responses
                .insert(status.to_string(), RefOr::T(response));
        }
    }
}

const INTRO: &str = r#"Rapport's JSON API lives under `/api/v1`. It covers the same operations as the web pages. The machine-readable description is the OpenAPI 3.1 document at [`/api/v1/openapi.json`](#get-apiv1openapijson); this page is rendered from that document by `rapport_web::openapi::markdown`, and a test fails when the two differ.

## Authentication

Send either credential with each request:

- **Session cookie.** `POST /api/v1/auth/sign-in` answers with `Set-Cookie: rapport_session=…; HttpOnly; SameSite=Lax` (plus `Secure` when the site is served over HTTPS). Browsers send it back by themselves. The session slides forward with use and ends after 30 days without use, at sign-out, or when you revoke it (`DELETE /api/v1/me/sessions/{id}`). Every sign-in starts a new session and ends the one whose cookie came with the request.
- **API token.** Create one with `POST /api/v1/me/tokens` (the secret is shown once) and send it as `Authorization: Bearer <secret>`. Tokens are stored hashed; revoke one with `DELETE /api/v1/me/tokens/{id}`.

A missing, unknown, expired or revoked credential is `401 unauthenticated`.

## Cross-site requests

State-changing requests (`POST`, `PUT`, `PATCH`, `DELETE`) that carry a cookie are refused with `403 cross_site_request` when they come from another site: when `Sec-Fetch-Site` is neither `same-origin` nor `none`, or when `Origin` names another host. Requests authenticated only by a bearer token carry no ambient credential and are not checked, so scripts and servers can call the API freely.

## Requests and answers

- Bodies are JSON, sent with `Content-Type: application/json` (otherwise `415 unsupported_media_type`), at most 256 KiB (otherwise `413 payload_too_large`). Unknown fields are ignored; missing optional fields are empty. A value of the wrong type, or a missing required field, is `400 bad_request` with `field` naming it.
- Ids are UUIDs. A path id that is not a UUID is `404 not_found`, like an id that names nothing.
- Times are Unix milliseconds (UTC).
- Lists are paginated; see [Lists and pages](#lists-and-pages).
- A successful answer is a JSON object, or `204 No Content` with no body.
- Every answer carries an `x-request-id` header; quote it when reporting a problem.

## Lists and pages

A list that takes `?cursor=` and `?limit=` (the audit log; the other lists are moving to it and say so in their parameters) is read page by page, newest first:

- `limit` is the page size, 1 to 100 (default 50). More than 100 is `422 invalid_field` naming `limit`.
- The answer's `Link` header (RFC 8288) holds the neighbouring pages: `<https://…?cursor=…&limit=…>; rel="next"` for older items and `rel="prev"` for newer ones. Follow the URL as it is; no `next` link means this is the last page. The body keeps its shape, so clients that ignore the header keep working.
- A cursor is opaque: send back exactly what a link gave you. One that Rapport did not make is `422 invalid_field` naming `cursor`. Cursors point at an item, not a position, so items added meanwhile are neither repeated nor skipped.
- `?page=` (from 1) keeps working where a list had it, but not together with `cursor`. With a cursor, `page` in the answer is `0`.
- A `total` is counted up to 1,000; beyond that the answer says `total: 1000` and `total_capped: true`.

## Errors

Every error has one shape:

```json
{"error": {"code": "invalid_field", "message": "time zone must be an IANA name such as Europe/Paris", "field": "time_zone", "request_id": "5c0e3a3e-0a5b-4f7e-9d1c-2b7f4f1f8a61"}}
```

`code` is one of the stable codes below. `message` is a sentence for a person, saying what to do next. `field` names the field at fault (a dotted path such as `availability[2].day` inside nested values), or is `null`. When several fields are invalid, `fields` lists each as `{"field", "message"}`. `request_id` is the request's id, the same as its `x-request-id` header: quote it when reporting a problem, and an operator finds the request in the logs by it.

| Code | Status | Meaning |
|---|---|---|
"#;

/// Renders the API reference in Markdown from `doc`: the conventions, the
/// error codes, every endpoint grouped by tag, then every schema.
pub fn markdown(doc: &OpenApi) -> String {
    let json = serde_json::to_value(doc).unwrap_or_default();
    let mut out = String::new();
    let title = json["info"]["title"].as_str().unwrap_or("API");
    let version = json["info"]["version"].as_str().unwrap_or("");
    let _ = writeln!(out, "# {title} reference (version {version})\n");
    out.push_str("<!-- Generated from the OpenAPI document by rapport_web::openapi::markdown. Do not edit by hand: run `RAPPORT_WRITE_DOCS=1 cargo test -p rapport-web --test openapi_docs`. -->\n\n");
    out.push_str(INTRO);
    for (code, status, meaning) in ERROR_CODES {
        let _ = writeln!(out, "| `{code}` | {status} | {meaning} |");
    }
    out.push_str("\n## Endpoints\n\n");
    let endpoints = endpoints(&json);
    for tag in json["tags"].as_array().into_iter().flatten() {
        let name = tag["name"].as_str().unwrap_or_default();
        let mine: Vec<_> = endpoints.iter().filter(|e| e.tag == name).collect();
        if mine.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {}\n", capitalise(name));
        if let Some(d) = tag["description"].as_str() {
            let _ = writeln!(out, "{d}\n");
        }
        for e in &mine {
            let _ = writeln!(
                out,
                "- [`{} {}`](#{}): {}",
                e.method,
                e.path,
                anchor(&format!("{} {}", e.method, e.path)),
                e.op["summary"].as_str().unwrap_or_default()
            );
        }
        out.push('\n');
        for e in mine {
            endpoint(&mut out, &json, e);
        }
    }
    out.push_str("## Schemas\n\n");
    if let Some(schemas) = json["components"]["schemas"].as_object() {
        for (name, schema) in schemas {
            schema_section(&mut out, name, schema);
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

struct Endpoint<'a> {
    tag: String,
    method: &'static str,
    path: &'a str,
    op: &'a Value,
}

fn endpoints(json: &Value) -> Vec<Endpoint<'_>> {
    let mut list = Vec::new();
    for (path, item) in json["paths"].as_object().into_iter().flatten() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if let Some(op) = item.get(method) {
                list.push(Endpoint {
                    tag: op["tags"][0].as_str().unwrap_or_default().to_string(),
                    method: match method {
                        "get" => "GET",
                        "post" => "POST",
                        "put" => "PUT",
                        "patch" => "PATCH",
                        _ => "DELETE",
                    },
                    path,
                    op,
                });
            }
        }
    }
    list
}

fn endpoint(out: &mut String, json: &Value, e: &Endpoint) {
    let op = e.op;
    let _ = writeln!(out, "#### {} {}\n", e.method, e.path);
    if let Some(s) = op["summary"].as_str() {
        let _ = writeln!(out, "**{s}.**");
    }
    if let Some(d) = op["description"].as_str() {
        let _ = writeln!(out, "{}", d.trim());
    }
    out.push('\n');
    let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
    let _ = writeln!(
        out,
        "Authentication: {}\n",
        if secured {
            "session cookie or `Authorization: Bearer` token."
        } else {
            "none."
        }
    );
    if let Some(params) = op["parameters"].as_array().filter(|p| !p.is_empty()) {
        out.push_str(
            "Parameters:\n\n| Name | In | Type | Required | Description |\n|---|---|---|---|---|\n",
        );
        for p in params {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                p["name"].as_str().unwrap_or_default(),
                p["in"].as_str().unwrap_or_default(),
                type_of(&p["schema"]),
                if p["required"].as_bool() == Some(true) {
                    "yes"
                } else {
                    "no"
                },
                cell(p["description"].as_str().unwrap_or_default()),
            );
        }
        out.push('\n');
    }
    if let Some(body) = op["requestBody"].as_object() {
        let schema = &body["content"]["application/json"]["schema"];
        let _ = writeln!(out, "Request body (JSON): {}\n", type_of(schema));
        if let Some(target) = schema["$ref"].as_str().and_then(|r| resolve(json, r)) {
            fields_table(out, target);
        }
    }
    out.push_str("Responses:\n\n| Status | Meaning | Body |\n|---|---|---|\n");
    for (status, r) in op["responses"].as_object().into_iter().flatten() {
        let body = r["content"]
            .as_object()
            .and_then(|c| c.values().next())
            .map(|c| type_of(&c["schema"]))
            .unwrap_or_else(|| "none".into());
        let _ = writeln!(
            out,
            "| {status} | {} | {body} |",
            cell(r["description"].as_str().unwrap_or_default())
        );
    }
    out.push('\n');
}

fn schema_section(out: &mut String, name: &str, schema: &Value) {
    let _ = writeln!(out, "### {name}\n");
    if let Some(d) = schema["description"].as_str() {
        let _ = writeln!(out, "{}\n", d.trim());
    }
    if schema["properties"].is_object() {
        fields_table(out, schema);
    } else if let Some(variants) = schema["oneOf"].as_array() {
        out.push_str("One of:\n\n");
        for v in variants {
            let d = v["description"]
                .as_str()
                .map(|d| format!(": {}", cell(d)))
                .unwrap_or_default();
            let _ = writeln!(out, "- {}{d}", type_of(v));
        }
        out.push('\n');
    } else {
        let _ = writeln!(out, "Type: {}\n", type_of(schema));
    }
}

/// The schema a local `$ref` points to.
fn resolve<'a>(json: &'a Value, reference: &str) -> Option<&'a Value> {
    let name = reference.strip_prefix("#/components/schemas/")?;
    json["components"]["schemas"].get(name)
}

/// The table of an object schema's fields.
fn fields_table(out: &mut String, schema: &Value) {
    let Some(props) = schema["properties"].as_object() else {
        return;
    };
    let required: Vec<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    out.push_str("| Field | Type | Required | Description |\n|---|---|---|---|\n");
    for (field, p) in props {
        let _ = writeln!(
            out,
            "| `{field}` | {} | {} | {} |",
            type_of(p),
            if required.contains(&field.as_str()) {
                "yes"
            } else {
                "no"
            },
            cell(p["description"].as_str().unwrap_or_default()),
        );
    }
    out.push('\n');
}

/// A short, linked description of a schema's type.
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or(r);
        return format!("[`{name}`](#{})", anchor(name));
    }
    if let Some(variants) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let mut parts: Vec<String> = variants.iter().map(type_of).collect();
        // `null` last reads better: "string or null".
        parts.sort_by_key(|p| p == "null");
        return parts.join(" or ");
    }
    let mut base = match &schema["type"] {
        Value::String(t) => single_type(t, schema),
        Value::Array(ts) => {
            let mut parts: Vec<String> = ts
                .iter()
                .filter_map(Value::as_str)
                .map(|t| single_type(t, schema))
                .collect();
            parts.sort_by_key(|p| p == "null");
            parts.join(" or ")
        }
        _ => "any JSON value".into(),
    };
    if let Some(values) = schema["enum"].as_array() {
        let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        base = format!("{base}: one of {}", list.join(", "));
    }
    base
}

fn single_type(t: &str, schema: &Value) -> String {
    match t {
        "array" => format!("array of {}", type_of(&schema["items"])),
        "object" => "object".into(),
        "null" => "null".into(),
        other => match schema["format"].as_str() {
            Some(f) => format!("{other} ({f})"),
            None => other.into(),
        },
    }
}

/// The GitHub-style anchor of a heading.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Text that is safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.trim().replace('|', "\\|").replace('\n', " ")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
