//! The page a person reads while the database cannot be reached: 503 with `Retry-After`,
//! instead of a misleading "wrong password" or a login page shown to someone logged in.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// 503 while the database cannot be reached, instead of a misleading "wrong password" or a
/// login page shown to someone who is logged in.
pub fn page() -> Response {
    let body = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Unavailable · readyboard</title></head>\
                <body><h1>readyboard is unavailable</h1><p>The database cannot be reached. Try again in a few seconds.</p>\
                <p><a href=\"/login\">Back to the login page</a></p></body></html>";
    let mut resp = (StatusCode::SERVICE_UNAVAILABLE, axum::response::Html(body)).into_response();
    resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    resp
}
