//! Response bodies shared by several handlers, the error responses the API documents, and
//! the helper every JSON answer goes through.

use std::collections::BTreeMap;

use axum::Json;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::{ContentBuilder, Object, ObjectBuilder, Ref, RefOr, ResponseBuilder, Type, response::Response};
use utoipa::{IntoResponses, ToSchema};

use super::problem::ApiError;

/// A typed body as JSON. It goes through a JSON value, as the answers always did, so that
/// members keep the order clients have seen (by name).
pub(crate) fn sorted<T: Serialize>(body: &T) -> Result<Json<Value>, ApiError> {
    serde_json::to_value(body).map(Json).map_err(|e| ApiError::internal(&e))
}

/// `/healthz`: the process is up.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
    /// The server's version.
    #[schema(example = "0.1.0")]
    pub version: &'static str,
}

/// `/readyz`: whether the database answers (members in name order, as always answered).
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ok` or `unreachable`.
    #[schema(example = "ok")]
    pub database: &'static str,
    /// `ok`, or `unavailable` when the database does not answer.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// A slug and a display name.
#[derive(Debug, Serialize, ToSchema)]
pub struct Named {
    /// Slug, as in paths.
    pub slug: String,
    /// Display name.
    pub name: String,
}

/// Problem responses under their status codes, each with its description.
fn problems(list: &[(u16, &str)]) -> BTreeMap<String, RefOr<Response>> {
    list.iter()
        .map(|(status, description)| {
            let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
            let response =
                ResponseBuilder::new().description(*description).content("application/problem+json", content).build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
}

const UNAUTHORIZED: (u16, &str) = (401, "No credentials, or credentials the server does not accept");
const NOT_READABLE: (u16, &str) = (404, "No such resource, or the caller may not read it (the two are not told apart)");
const UNAVAILABLE: (u16, &str) = (503, "The database cannot be reached; `Retry-After` says when to try again");

/// The errors of a read: not signed in, not found (or not readable), database away.
pub enum ReadErrors {}

impl IntoResponses for ReadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problems(&[UNAUTHORIZED, NOT_READABLE, UNAVAILABLE])
    }
}

/// The errors of a read over a time range: an invalid range, and those of every read.
pub enum RangeErrors {}

impl IntoResponses for RangeErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problems(&[(400, "Invalid range"), UNAUTHORIZED, NOT_READABLE, UNAVAILABLE])
    }
}

/// The errors of a write by a person (a personal access token or a session).
pub enum WriteErrors {}

impl IntoResponses for WriteErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problems(&[
            UNAUTHORIZED,
            (403, "The caller lacks the role, or is a project token (project tokens only upload)"),
            (404, "No such project, phase, blocker or item, or the caller may not read it"),
            (409, "Someone changed it since (a checklist item's `version`), or it already exists"),
            (422, "The request body is not valid: the problem's `detail` says what is wrong"),
            UNAVAILABLE,
        ])
    }
}

/// The errors of an upload.
pub enum UploadErrors {}

impl IntoResponses for UploadErrors {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        problems(&[
            (400, "Malformed report (with `line` and `column` when known), invalid gzip or timestamp"),
            UNAUTHORIZED,
            (403, "Not a project token, or a token of another project than the one named"),
            (413, "The report is larger than the server's limit after decompression"),
            (415, "Unrecognised or unknown format (`supported` lists the formats read)"),
            (422, "Not a report, a missing or invalid phase or suite, or a limit broken (`field` names it)"),
            (503, "Too many reports waiting, or the database cannot be reached; `Retry-After` says when to retry"),
            (507, "The database's disk is full; nothing was stored"),
        ])
    }
}

/// A string schema that takes one of `list`, described by `description` (a schema given this
/// way replaces the field's own, doc comment included).
pub(crate) fn words(list: &[&str], description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(list.iter().copied()))
        .description(Some(description))
        .build()
}
