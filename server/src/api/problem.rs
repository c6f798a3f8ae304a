//! RFC 9457 problem details: the one error type of the HTTP layer.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Problem details (RFC 9457): the body of every error the API answers, as
/// `application/problem+json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status and title say what happened.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub kind: String,
    /// What went wrong, in a few words.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in more detail, and what to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request field (query parameter, body member or report field) at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// 1-based line of a malformed report where the problem is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// 1-based column (in characters) of a malformed report where the problem is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// The report formats the server reads, when it did not recognise one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supported: Option<Vec<String>>,
}

/// An error answered as `application/problem+json`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    // Boxed: every handler's `Result` carries one, and most of them are `Ok`.
    body: Box<Problem>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// The problem in one line for a person: title, then detail.
    pub fn message(&self) -> String {
        match &self.body.detail {
            Some(d) => format!("{}: {d}", self.body.title),
            None => self.body.title.clone(),
        }
    }

    /// Any status with a title a person understands.
    pub fn new(status: StatusCode, title: impl Into<String>) -> ApiError {
        let body =
            Problem { kind: "about:blank".into(), title: title.into(), status: status.as_u16(), ..Problem::default() };
        ApiError { status, body: Box::new(body), retry_after: None }
    }

    /// Adds a longer explanation.
    pub fn detail(mut self, detail: impl Into<String>) -> ApiError {
        self.body.detail = Some(detail.into());
        self
    }

    /// Adds a `Retry-After` header of `seconds`.
    pub fn retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    /// Names the request field at fault (extension member `field`).
    pub fn field(mut self, field: impl Into<String>) -> ApiError {
        self.body.field = Some(field.into());
        self
    }

    /// Says where in a malformed report the problem is (extension members `line`, `column`).
    pub fn position(mut self, line: Option<u64>, column: Option<u64>) -> ApiError {
        self.body.line = line;
        self.body.column = column;
        self
    }

    /// Lists the report formats the server reads (extension member `supported`).
    pub fn supported(mut self, formats: Vec<String>) -> ApiError {
        self.body.supported = Some(formats);
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
            E::Conflict(field) => {
                ApiError::new(StatusCode::CONFLICT, "Conflict").detail(format!("{field} already exists")).field(field)
            }
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
        let b = &self.body;
        if self.status.is_client_error() {
            tracing::info!(status = b.status, title = %b.title, detail = b.detail.as_deref().unwrap_or(""), "request rejected");
        }
        // Through a JSON value, as the answers always were: members in name order.
        let text = serde_json::to_value(b).map(|v| v.to_string()).unwrap_or_default();
        let mut resp = (self.status, text).into_response();
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(secs) = self.retry_after {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}
