//! `GET /api/docs`: the OpenAPI document as one page a person reads — contents by tag, then
//! each operation with who may call it, its parameters, request body and responses. Plain
//! HTML styled by the site's stylesheet: no script, no inline style, nothing from elsewhere.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde_json::Value;

/// Where the page is served.
pub const PATH: &str = "/api/docs";

/// The HTTP methods an OpenAPI path item may hold, in the order the page lists them.
const METHODS: [&str; 8] = ["get", "post", "put", "patch", "delete", "head", "options", "trace"];

/// How deep the page opens referenced schemas inside a body's fields.
const DEPTH: usize = 2;

/// The reference page for `document` (OpenAPI JSON), linking the stylesheet of bundle
/// `bundle`; a document that is not JSON gives an empty page.
pub fn render(document: &str, bundle: &str) -> String {
    let doc = serde_json::from_str(document).unwrap_or(Value::Null);
    let (title, main) = (text(str_at(&doc["info"], "title")), main(&doc));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\"><title>{title} · reference</title>\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"/pkg/{}.css\"></head><body>\
         <header class=\"topbar\"><a class=\"brand\" href=\"/\"><span class=\"brand-mark\" aria-hidden=\"true\">\
         </span>readyboard</a><nav class=\"nav\" aria-label=\"Main\"><a href=\"/\">Projects</a></nav></header>\n\
         {main}</body></html>\n",
        attr(bundle),
    )
}

/// The text at `key` of `v`, or nothing.
fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Escapes prose, showing its `code spans` as code.
fn prose(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { format!("<code>{}</code>", text(part)) } else { text(part).into_owned() })
        .collect()
}

/// One operation: where it is and what it is.
struct Op<'a> {
    method: &'a str,
    path: &'a str,
    op: &'a Value,
}

impl Op<'_> {
    /// The fragment the contents link to.
    fn anchor(&self) -> String {
        let id = self.op.get("operationId").and_then(Value::as_str);
        format!("op-{}", id.map_or_else(|| format!("{}-{}", self.method, self.path), str::to_string))
    }

    /// Method and path, as the headings and the contents show them.
    fn label(&self) -> String {
        format!(
            "<span class=\"api-method api-{m}\">{M}</span> <code class=\"api-path\">{p}</code>",
            m = attr(self.method),
            M = text(&self.method.to_ascii_uppercase()),
            p = text(self.path)
        )
    }
}

/// The operations of the document grouped by their first tag, tags in the document's order
/// (untagged ones last, under "Other").
fn by_tag(doc: &Value) -> Vec<(String, Vec<Op<'_>>)> {
    let mut groups: Vec<(String, Vec<Op<'_>>)> = doc["tags"]
        .as_array()
        .map(|tags| tags.iter().map(|t| (str_at(t, "name").to_string(), Vec::new())).collect())
        .unwrap_or_default();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let tag = op["tags"].get(0).and_then(Value::as_str).unwrap_or("Other").to_string();
            let at = match groups.iter().position(|(name, _)| *name == tag) {
                Some(i) => i,
                None => {
                    groups.push((tag, Vec::new()));
                    groups.len() - 1
                }
            };
            groups[at].1.push(Op { method, path, op });
        }
    }
    groups.retain(|(_, ops)| !ops.is_empty());
    groups
}

/// The page's main part: heading, authentication, contents, then the operations by tag.
fn main(doc: &Value) -> String {
    let info = &doc["info"];
    let groups = by_tag(doc);
    let mut out = String::from("<main class=\"page api-ref\">");
    let _ = write!(
        out,
        "<div class=\"page-head\"><h1>{}</h1><p class=\"muted\">{}</p><p class=\"small\">Version {} · \
         <a href=\"/api/v1/openapi.json\">The OpenAPI document (JSON)</a></p></div>",
        text(str_at(info, "title")),
        prose(str_at(info, "description")),
        text(str_at(info, "version"))
    );
    out.push_str(&schemes(doc));
    out.push_str(&errors(doc));
    out.push_str(&contents(&groups));
    for (tag, ops) in &groups {
        let _ = write!(out, "<section class=\"section\" id=\"tag-{}\"><h2>{}</h2>", attr(tag), text(tag));
        let about = doc["tags"].as_array().and_then(|tags| tags.iter().find(|t| str_at(t, "name") == tag));
        if let Some(t) = about.map(|t| str_at(t, "description")).filter(|d| !d.is_empty()) {
            let _ = write!(out, "<p class=\"muted\">{}</p>", prose(t));
        }
        for op in ops {
            out.push_str(&operation(doc, op));
        }
        out.push_str("</section>");
    }
    out.push_str("</main>");
    out
}

/// The ways a caller proves who it is.
fn schemes(doc: &Value) -> String {
    let Some(schemes) = doc["components"]["securitySchemes"].as_object() else { return String::new() };
    let mut out = String::from("<section class=\"card section\"><h2>Authentication</h2><dl class=\"api-schemes\">");
    for (name, s) in schemes {
        let how = match str_at(s, "type") {
            "http" => format!("HTTP {}", str_at(s, "scheme")),
            "apiKey" => format!("{} `{}`", str_at(s, "in"), str_at(s, "name")),
            other => other.to_string(),
        };
        let _ = write!(
            out,
            "<dt id=\"auth-{}\"><code>{}</code> <span class=\"muted small\">{}</span></dt><dd>{}</dd>",
            attr(name),
            text(name),
            prose(&how),
            prose(str_at(s, "description"))
        );
    }
    out.push_str("</dl></section>");
    out
}

/// The problem document every error answers with, described once for all operations.
fn errors(doc: &Value) -> String {
    let problem = &doc["components"]["schemas"]["Problem"];
    if problem.is_null() {
        return String::new();
    }
    format!(
        "<section class=\"card section\" id=\"errors\"><h2>Errors</h2><p>{}</p>{}</section>",
        prose("Every error is answered as `application/problem+json` (RFC 9457) with these members:"),
        fields(doc, problem, DEPTH)
    )
}

/// The contents: every operation by tag, linking to it.
fn contents(groups: &[(String, Vec<Op<'_>>)]) -> String {
    let mut out = String::from("<nav class=\"card section api-toc\" aria-label=\"Operations\"><h2>Contents</h2>");
    for (tag, ops) in groups {
        let _ = write!(out, "<h3><a href=\"#tag-{}\">{}</a></h3><ul class=\"plain\">", attr(tag), text(tag));
        for op in ops {
            let _ = write!(
                out,
                "<li><a href=\"#{}\">{}</a> <span class=\"muted small\">{}</span></li>",
                attr(&op.anchor()),
                op.label(),
                prose(str_at(op.op, "summary"))
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</nav>");
    out
}

/// One operation's card.
fn operation(doc: &Value, op: &Op<'_>) -> String {
    let mut out = format!("<article class=\"card api-op\" id=\"{}\"><h3>{}</h3>", attr(&op.anchor()), op.label());
    let summary = str_at(op.op, "summary");
    if !summary.is_empty() {
        let _ = write!(out, "<p class=\"strong\">{}</p>", prose(summary));
    }
    let description = str_at(op.op, "description");
    if !description.is_empty() {
        let _ = write!(out, "<p>{}</p>", prose(description));
    }
    let _ = write!(out, "<p><span class=\"strong\">Who may call it:</span> {}</p>", who(doc, op.op));
    out.push_str(&parameters(doc, op.op));
    out.push_str(&request_body(doc, op.op));
    out.push_str(&responses(doc, op.op));
    out.push_str("</article>");
    out
}

/// Who may call an operation, from its security requirements.
fn who(doc: &Value, op: &Value) -> String {
    let Some(reqs) = op.get("security").or_else(|| doc.get("security")).and_then(Value::as_array) else {
        return "anyone".into();
    };
    if reqs.is_empty() {
        return "anyone, without credentials".into();
    }
    let ways: Vec<String> = reqs
        .iter()
        .map(|req| {
            let names: Vec<String> = req
                .as_object()
                .map(|m| {
                    m.keys().map(|k| format!("<a href=\"#auth-{}\"><code>{}</code></a>", attr(k), text(k))).collect()
                })
                .unwrap_or_default();
            if names.is_empty() { "anyone".to_string() } else { names.join(" and ") }
        })
        .collect();
    ways.join(", or ")
}

/// Follows a `$ref` to what it names (one step), or gives `v` back.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => doc.pointer(pointer).unwrap_or(v),
        None => v,
    }
}

/// The name a `$ref` points to.
fn ref_name(v: &Value) -> Option<&str> {
    v.get("$ref").and_then(Value::as_str).and_then(|r| r.rsplit('/').next())
}

/// A schema's type in a few words: `string`, `integer (int64)`, `array of Counts`,
/// `one of: ready, no_go`, `Verdict | null`.
fn type_label(schema: &Value) -> String {
    if let Some(name) = ref_name(schema) {
        return name.to_string();
    }
    if let Some(words) = schema.get("enum").and_then(Value::as_array) {
        let words: Vec<String> =
            words.iter().map(|w| w.as_str().map_or_else(|| w.to_string(), str::to_string)).collect();
        return format!("one of: {}", words.join(", "));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(parts) = schema.get(key).and_then(Value::as_array) {
            let labels: Vec<String> = parts.iter().map(type_label).collect();
            return labels.join(if key == "allOf" { " & " } else { " | " });
        }
    }
    let types: Vec<String> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    let mut label = types
        .iter()
        .map(|t| match (t.as_str(), schema.get("items"), schema.get("prefixItems")) {
            ("array", _, Some(Value::Array(parts))) => {
                format!("[{}]", parts.iter().map(type_label).collect::<Vec<_>>().join(", "))
            }
            ("array", Some(items), _) => format!("array of {}", type_label(items)),
            (t, _, _) => t.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" | ");
    if label.is_empty() {
        label = "any".into();
    }
    match schema.get("format").and_then(Value::as_str) {
        Some(f) => format!("{label} ({f})"),
        None => label,
    }
}

/// The properties of an object schema (its `allOf` parts merged), with the required ones.
fn properties<'a>(doc: &'a Value, schema: &'a Value) -> (Vec<(&'a String, &'a Value)>, Vec<&'a str>) {
    let schema = resolve(doc, schema);
    let mut props = Vec::new();
    let mut required: Vec<&str> =
        schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    if let Some(map) = schema.get("properties").and_then(Value::as_object) {
        props.extend(map.iter());
    }
    for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        let (p, r) = properties(doc, part);
        props.extend(p);
        required.extend(r);
    }
    (props, required)
}

/// The schema a field opens into: its own object, or the one its array holds.
fn inner<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    let schema = match schema.get("oneOf").and_then(Value::as_array) {
        // `Type | null` opens as `Type`.
        Some(parts) => parts.iter().find(|p| p.get("type") != Some(&Value::from("null"))).unwrap_or(schema),
        None => schema,
    };
    match schema.get("items") {
        Some(items) if items.is_object() => resolve(doc, items),
        _ => resolve(doc, schema),
    }
}

/// A schema as a list of its fields with their types, opening referenced objects down to
/// `depth` more levels; a schema without fields as its type.
fn fields(doc: &Value, schema: &Value, depth: usize) -> String {
    let (props, required) = properties(doc, schema);
    if props.is_empty() {
        return format!("<span class=\"api-type\">{}</span>", text(&type_label(resolve(doc, schema))));
    }
    let mut out = String::from("<ul class=\"api-fields\">");
    for (name, prop) in props {
        let _ = write!(
            out,
            "<li><code>{}</code> <span class=\"api-type\">{}</span>{}",
            text(name),
            text(&type_label(prop)),
            if required.contains(&name.as_str()) { " <span class=\"chip\">required</span>" } else { "" }
        );
        let description = str_at(prop, "description");
        if !description.is_empty() {
            let _ = write!(out, " <span class=\"muted\">{}</span>", prose(description));
        }
        let opened = inner(doc, prop);
        if depth > 0 && !std::ptr::eq(opened, prop) && !properties(doc, opened).0.is_empty() {
            out.push_str(&fields(doc, opened, depth - 1));
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    out
}

/// The parameters table.
fn parameters(doc: &Value, op: &Value) -> String {
    let Some(params) = op.get("parameters").and_then(Value::as_array).filter(|p| !p.is_empty()) else {
        return String::new();
    };
    let mut out = String::from(
        "<h4>Parameters</h4><div class=\"table-wrap\"><table class=\"table\"><thead><tr><th>Name</th><th>In</th>\
         <th>Type</th><th>Required</th><th>Description</th></tr></thead><tbody>",
    );
    for p in params.iter().map(|p| resolve(doc, p)) {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td><span class=\"api-type\">{}</span></td><td>{}</td><td>{}</td></tr>",
            text(str_at(p, "name")),
            text(str_at(p, "in")),
            text(&type_label(p.get("schema").unwrap_or(&Value::Null))),
            if p["required"].as_bool().unwrap_or(false) { "yes" } else { "no" },
            prose(
                Some(str_at(p, "description")).filter(|d| !d.is_empty()).unwrap_or(str_at(&p["schema"], "description"))
            )
        );
    }
    out.push_str("</tbody></table></div>");
    out
}

/// The content types of a body or response, each with its schema as fields.
fn content(doc: &Value, content: Option<&Value>) -> String {
    let Some(types) = content.and_then(Value::as_object).filter(|c| !c.is_empty()) else { return String::new() };
    let mut out = String::new();
    for (media, m) in types {
        let _ = write!(out, "<div class=\"api-content\"><code class=\"api-media\">{}</code>", text(media));
        match m.get("schema") {
            // Problems are described once, under Errors.
            Some(schema) if ref_name(schema) == Some("Problem") => {
                out.push_str(" <a class=\"api-type\" href=\"#errors\">Problem</a>");
            }
            Some(schema) => out.push_str(&fields(doc, schema, DEPTH)),
            None => {}
        }
        out.push_str("</div>");
    }
    out
}

/// The request body.
fn request_body(doc: &Value, op: &Value) -> String {
    let Some(body) = op.get("requestBody").map(|b| resolve(doc, b)) else { return String::new() };
    let mut out = String::from("<h4>Request body</h4>");
    let description = str_at(body, "description");
    if !description.is_empty() {
        let _ = write!(out, "<p>{}</p>", prose(description));
    }
    out.push_str(&content(doc, body.get("content")));
    out
}

/// The responses, by status.
fn responses(doc: &Value, op: &Value) -> String {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else { return String::new() };
    let mut out = String::from("<h4>Responses</h4><dl class=\"api-responses\">");
    for (status, r) in responses {
        let r = resolve(doc, r);
        let _ = write!(
            out,
            "<dt><span class=\"chip\">{}</span> {}</dt><dd>{}</dd>",
            text(status),
            prose(str_at(r, "description")),
            content(doc, r.get("content"))
        );
    }
    out.push_str("</dl>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page lists every operation of the served document with its path.
    #[test]
    fn the_page_shows_every_operation() {
        let page = render(super::super::doc::json(), "readyboard.0123abcd");
        assert!(page.contains("href=\"/pkg/readyboard.0123abcd.css\""), "links the site's stylesheet");
        assert!(!page.contains("<script") && !page.contains("style="), "no script, no inline style");
        let doc: Value = serde_json::from_str(super::super::doc::json()).expect("the document");
        let mut count = 0;
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in METHODS.iter().filter(|m| item.get(**m).is_some()) {
                let op = Op { method, path, op: &item[*method] };
                assert!(page.contains(&op.label()), "{method} {path} is not on the page");
                assert!(page.contains(&format!("id=\"{}\"", attr(&op.anchor()))), "{method} {path} has no anchor");
                count += 1;
            }
        }
        assert!(count >= 38, "{count} operations");
        assert!(page.contains("<code>verdict</code> <span class=\"api-type\">Verdict</span>"), "fields are listed");
    }

    /// Everything taken from the document is escaped: a hostile description shows as text.
    #[test]
    fn strings_from_the_document_are_escaped() {
        let doc = serde_json::json!({
            "info": {"title": "T<x-title>", "version": "1", "description": "<script>alert(1)</script>"},
            "tags": [{"name": "A\"><b>", "description": "x"}],
            "paths": {"/x/{id}": {"get": {
                "tags": ["A\"><b>"],
                "operationId": "o\"><img src=x onerror=alert(1)>",
                "summary": "<img src=x onerror=alert(1)>",
                "description": "`<b>code</b>` & <em>",
                "parameters": [{"name": "<x-param>", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "<svg onload=alert(1)>", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {"<x-field>": {"type": "string", "description": "<x-note>"}}}
                }}}}
            }}}
        });
        let html = main(&doc);
        for hostile in ["<script", "<img", "<svg", "<em>", "<b>", "<x-"] {
            assert!(!html.contains(hostile), "{hostile} came through: {html}");
        }
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("<code>&lt;b&gt;code&lt;/b&gt;</code> &amp; &lt;em&gt;"));
    }
}
