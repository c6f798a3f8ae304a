//! The generated document covers every route the router serves, and is a valid OpenAPI 3.1
//! document as a separate parser reads it.

use std::collections::{BTreeMap, BTreeSet};

use oas3::spec::ParameterIn;
use serde_json::Value;

use super::super::{Access, Endpoint, endpoints};
use super::json;

/// The document as a JSON value.
fn document() -> Value {
    serde_json::from_str(json()).expect("the document is JSON")
}

/// The routes the router serves with a method, by (method, path).
fn routes() -> BTreeMap<(String, String), Endpoint> {
    endpoints()
        .into_iter()
        .filter_map(|e| Some(((e.method.clone()?.as_str().to_ascii_lowercase(), e.path.to_string()), e)))
        .collect()
}

/// Every (method, path) the document lists.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS.iter().filter(|m| item.get(**m).is_some()).map(move |m| (m.to_string(), path.clone()))
        })
        .collect()
}

/// Every route with a method is in the document under its path and method, and the document
/// lists no route the router does not serve: a route added without documentation fails here.
#[test]
fn the_openapi_document_covers_every_route() {
    let doc = document();
    let documented = documented(&doc);
    let served = routes();
    let missing: Vec<_> = served.keys().filter(|k| !documented.contains(*k)).collect();
    assert!(missing.is_empty(), "routes missing from the OpenAPI document: {missing:?}");
    let stale: Vec<_> = documented.iter().filter(|k| !served.contains_key(*k)).collect();
    assert!(stale.is_empty(), "the OpenAPI document lists routes the router does not serve: {stale:?}");
}

/// Every `$ref` string anywhere in `v`.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The `{names}` of a path template.
fn template_params(path: &str) -> BTreeSet<String> {
    path.split('{').skip(1).filter_map(|rest| rest.split_once('}')).map(|(name, _)| name.to_string()).collect()
}

/// The security requirements a route's access calls for, as sets of scheme names (an empty
/// set: anonymous callers too).
fn expected_security(access: Access) -> Vec<Vec<&'static str>> {
    let read = vec![vec!["project_token"], vec!["personal_token"], vec!["session"]];
    match access {
        Access::Public | Access::Nobody => Vec::new(),
        Access::Metrics => vec![vec![], vec!["metrics_token"]],
        Access::Read => read,
        Access::Status => [vec![vec![]], read].concat(),
        Access::Upload => vec![vec!["project_token"]],
        Access::Session(_) => vec![vec!["session"]],
        Access::Person(_) => vec![vec!["personal_token"], vec!["session"]],
    }
}

/// The document parses as OpenAPI 3.1; its references resolve; each operation declares the
/// parameters of its path template and no others, answers something, has an operationId of
/// its own and states the security its route's access calls for.
#[test]
fn the_openapi_document_is_valid() {
    let spec = oas3::from_json(json()).expect("an OpenAPI 3.1 document");
    assert!(spec.openapi.starts_with("3.1"), "OpenAPI {}", spec.openapi);
    let doc = document();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    let broken: Vec<_> =
        all.iter().filter(|r| !r.starts_with("#/components/") || doc.pointer(&r[1..]).is_none()).collect();
    assert!(broken.is_empty(), "references that resolve to nothing: {broken:?}");
    let served = routes();
    let mut ids = BTreeMap::new();
    let mut problems = Vec::new();
    for (path, method, op) in spec.operations() {
        let at = format!("{method} {path}");
        let declared: BTreeSet<String> = match op.parameters(&spec) {
            Ok(params) => params.into_iter().filter(|p| p.location == ParameterIn::Path).map(|p| p.name).collect(),
            Err(e) => {
                problems.push(format!("{at}: a parameter does not resolve: {e}"));
                continue;
            }
        };
        if declared != template_params(&path) {
            problems.push(format!("{at}: path parameters {declared:?}, template {:?}", template_params(&path)));
        }
        if op.responses.as_ref().is_none_or(|r| r.is_empty()) {
            problems.push(format!("{at}: no response"));
        }
        match &op.operation_id {
            Some(id) => {
                if let Some(other) = ids.insert(id.clone(), at.clone()) {
                    problems.push(format!("{at}: operationId {id} also names {other}"));
                }
            }
            None => problems.push(format!("{at}: no operationId")),
        }
        let Some(route) = served.get(&(method.as_str().to_ascii_lowercase(), path.clone())) else { continue };
        let security: Vec<Vec<&str>> =
            op.security.iter().map(|req| req.0.keys().map(String::as_str).collect()).collect();
        if security != expected_security(route.access) {
            problems.push(format!("{at}: security {security:?} for access {:?}", route.access));
        }
        if route.access != Access::Public && security.iter().all(Vec::is_empty) {
            problems.push(format!("{at}: not public, yet declares no security"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(ids.len() >= served.len(), "{} operations for {} routes", ids.len(), served.len());
}

/// Operations name their security schemes, and each scheme they name is declared.
#[test]
fn the_security_schemes_are_declared() {
    let doc = document();
    let schemes = doc["components"]["securitySchemes"].as_object().expect("security schemes");
    for name in ["project_token", "personal_token", "session", "metrics_token"] {
        assert!(schemes.contains_key(name), "scheme {name} is not declared");
    }
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], crate::security::SESSION_COOKIE);
}

/// Enumerations show the words the API reads and writes, and errors are problem documents.
#[test]
fn enumerations_show_their_serde_words() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Verdict"]["enum"], serde_json::json!(["ready", "conditional", "not_ready", "no_go"]));
    let statuses = schemas["Status"]["enum"].as_array().expect("check statuses");
    assert!(statuses.contains(&Value::from("not_run")), "{statuses:?}");
    assert_eq!(schemas["BlockerStep"]["enum"], serde_json::json!(["assign", "resolve", "waive", "reopen"]));
    assert_eq!(schemas["Problem"]["properties"]["type"]["type"], "string");
    let upload = &doc["paths"]["/api/v1/reports"]["post"];
    assert_eq!(
        upload["responses"]["415"]["content"]["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/Problem"
    );
    for ct in ["application/octet-stream", "application/xml", "application/json"] {
        assert!(upload["requestBody"]["content"].get(ct).is_some(), "upload takes {ct}");
    }
}
