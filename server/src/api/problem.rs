//! RFC 9457 problem details: the one error type of the HTTP layer.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// An error answered as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    title: String,
    detail: Option<String>,
    extra: Map<String, Value>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// The problem in one line for a person: title, then detail.
    pub fn message(&self) -> String {
        match &self.detail {
            Some(d) => format!("{}: {d}", self.title),
            None => self.title.clone(),
        }
    }

    /// Any status with a title a person understands.
    pub fn new(status: StatusCode, title: impl Into<String>) -> ApiError {
        ApiError { status, title: title.into(), detail: None, extra: Map::new(), retry_after: None }
    }

    /// Adds a longer explanation.
    pub fn detail(mut self, detail: impl Into<String>) -> ApiError {
        self.detail = Some(detail.into());
        self
    }

    /// Adds an extension member.
    /// Adds a `Retry-After` header of `seconds`.
    pub fn retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> ApiError {
        self.extra.insert(key.to_string(), value.into());
        self
    }

    /// 401 without credentials.
    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "Authentication required")
            .detail("Send `Authorization: Bearer <token>` or log in.")
    }

    /// 401 with a reason.
    pub fn unauthorized_msg(detail: &str) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "Authentication failed").detail(detail)
    }

    /// 403.
    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "Not allowed").detail(detail)
    }

    /// 404.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, format!("{what} not found"))
    }

    /// 400.
    pub fn bad_request(title: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, title)
    }

    /// 422.
    pub fn unprocessable(title: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, title)
    }

    /// 503 with `Retry-After`: the database cannot be reached; the cause is logged.
    pub fn unavailable(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "database unavailable");
        let mut e = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "Service unavailable")
            .detail("The database cannot be reached; try again in a few seconds.");
        e.retry_after = Some(5);
        e
    }

    /// 503 with `Retry-After`: the queue of reports waiting to be handled is full.
    pub fn busy() -> ApiError {
        tracing::warn!("report queue full");
        let mut e = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "Too many reports waiting")
            .detail("The server is handling as many reports as it queues; send this one again shortly.");
        e.retry_after = Some(2);
        e
    }

    /// 500; the cause is logged, never shown.
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal error")
            .detail("The server could not complete the request; the cause has been logged.")
    }
}

impl From<readyboard_store::StoreError> for ApiError {
    fn from(e: readyboard_store::StoreError) -> ApiError {
        use readyboard_store::StoreError as E;
        match e {
            E::NotFound => ApiError::not_found("Resource"),
            E::Conflict(msg) if msg.contains(' ') => ApiError::new(StatusCode::CONFLICT, "Conflict").detail(msg),
            E::Conflict(field) => ApiError::new(StatusCode::CONFLICT, "Conflict")
                .detail(format!("{field} already exists"))
                .with("field", field),
            E::Invalid(msg) => ApiError::unprocessable("Invalid input").detail(msg),
            other if other.is_unavailable() => ApiError::unavailable(&other),
            other if other.is_storage_full() => {
                tracing::error!(error = %other, "storage full");
                ApiError::new(StatusCode::INSUFFICIENT_STORAGE, "Storage full").detail(
                    "The database's disk is full; nothing of this request was stored. Free space and try again.",
                )
            }
            other => ApiError::internal(&other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "type": "about:blank",
            "title": self.title,
            "status": self.status.as_u16(),
        });
        if let (Some(d), Some(obj)) = (&self.detail, body.as_object_mut()) {
            obj.insert("detail".into(), Value::String(d.clone()));
        }
        if let Some(obj) = body.as_object_mut() {
            for (k, v) in self.extra {
                obj.insert(k, v);
            }
        }
        if self.status.is_client_error() {
            tracing::info!(status = self.status.as_u16(), title = %self.title, detail = self.detail.as_deref().unwrap_or(""), "request rejected");
        }
        let mut resp = (self.status, body.to_string()).into_response();
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(secs) = self.retry_after {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}
