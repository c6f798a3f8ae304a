//! Live pages: `GET /api/v1/events` streams the changes to the projects and phases a page
//! shows as server-sent events, and the page fetches its data again when one arrives.
//!
//! One task per instance ([`crate::live_feed::Feed`]) reads the changes the store announces (see
//! `readyboard_store::Change`) and hands them to every open stream, which keeps those of its
//! scope the caller may read. Each event carries the change's id; a browser reconnecting
//! after a dropped connection sends the last one as `Last-Event-ID`, and the stream starts
//! with the changes it missed, read from the database. A first `ready` event names the
//! newest change when the stream opened, so that even a stream that saw no change resumes
//! from the right place.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName};
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use readyboard_store::{Change, Store, StoreError};
use serde::Deserialize;
use tokio::sync::{broadcast, watch};

use crate::api::problem::ApiError;
use crate::auth::Caller;
use crate::live_feed::BATCH;
use crate::state::AppState;

/// The path of the event stream.
pub const PATH: &str = "/api/v1/events";
/// Streams open at once per instance; more are refused with 503.
const MAX_STREAMS: usize = 2048;
/// How often an idle stream sends a comment, so that proxies and browsers keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(20);
/// How long a browser waits before reconnecting.
const RETRY: Duration = Duration::from_secs(2);

/// What a stream follows: a project, one of its phases, or (neither) every project.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Scope {
    /// Project slug: only this project's changes (default: every project the caller may read).
    project: Option<String>,
    /// Phase slug of `project`: only this phase's changes and the project's own.
    phase: Option<String>,
}

/// Which changes a stream passes on.
struct Filter {
    caller: Caller,
    project_id: Option<i64>,
    phase: Option<String>,
}

impl Filter {
    fn passes(&self, c: &Change) -> bool {
        self.caller.can_read(c.project_id)
            && self.project_id.is_none_or(|p| p == c.project_id)
            // A change to the project as a whole (its settings) concerns each of its phases.
            && (self.phase.is_none() || c.phase.is_none() || c.phase == self.phase)
    }
}

/// `GET /api/v1/events?project=&phase=`: server-sent events, one `change` per committed
/// change in scope (`id`: the change's number; data: JSON with `id`, `at`, `action`,
/// `project`, `phase`), after a `ready` event naming the newest change. Resumes after
/// `Last-Event-ID`.
#[utoipa::path(
    get,
    path = PATH,
    tag = "Live",
    operation_id = "liveEvents",
    summary = "Live changes as server-sent events",
    description = "One `change` event per committed change in scope (uploads, sign-offs, blockers, checklist, \
        decisions, settings), after a `ready` event naming the newest change; resumes after `Last-Event-ID`.",
    params(
        Scope,
        ("Last-Event-ID" = Option<i64>, Header,
            description = "The id of the last event received: the changes after it are sent first")
    ),
    responses(
        (status = 200, description = "An endless event stream; each `change` event's id is the change's number \
            and its data JSON with `id`, `at` (unix ms), `action`, `project` and `phase`",
            body = String, content_type = "text/event-stream"),
        (status = 400, description = "A phase without its project", body = crate::api::problem::Problem,
            content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = crate::api::problem::Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "No such project or phase, or not readable", body = crate::api::problem::Problem,
            content_type = "application/problem+json"),
        (status = 503, description = "Too many streams open; `Retry-After` says when to try again",
            body = crate::api::problem::Problem, content_type = "application/problem+json")
    ),
    security(("project_token" = []), ("personal_token" = []), ("session" = []))
)]
pub async fn events(
    State(state): State<AppState>,
    caller: Caller,
    Query(scope): Query<Scope>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let filter = resolve(&state.store, caller, scope).await?;
    let feed = state.live.clone();
    if feed.streams.fetch_add(1, Ordering::AcqRel) >= MAX_STREAMS {
        feed.streams.fetch_sub(1, Ordering::AcqRel);
        return Err(ApiError::new(axum::http::StatusCode::SERVICE_UNAVAILABLE, "Too many live pages")
            .detail("This server follows as many live pages as it can; the page still works, it just doesn't move.")
            .retry_after(30));
    }
    let open = Counted(feed.streams.clone());
    // Subscribed before reading what was missed, so that nothing falls between the two.
    let receiver = feed.changes.subscribe();
    let newest = state.store.last_change_id().await?;
    feed.start(newest);
    let resume = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok());
    let mut first = vec![Event::default().event("ready").id(newest.to_string()).retry(RETRY).data(newest.to_string())];
    if let Some(after) = resume.filter(|&after| after < newest) {
        let missed = state.store.changes_after(after, BATCH).await?;
        first.extend(missed.iter().filter(|c| c.id <= newest && filter.passes(c)).map(event));
        // The `ready` event goes last here: it is where the stream resumes.
        first.rotate_left(1);
    }
    let stream =
        Follower { first: first.into(), receiver, filter, newest, closed: feed.closed.subscribe(), _open: open };
    let sse = Sse::new(futures_util::stream::unfold(stream, next)).keep_alive(KeepAlive::new().interval(KEEP_ALIVE));
    // Proxies that buffer responses (nginx) would hold the events back.
    Ok(([(HeaderName::from_static("x-accel-buffering"), "no")], sse))
}

/// The project and phase a stream asks for; a project the caller may not read is not found.
async fn resolve(store: &Store, caller: Caller, scope: Scope) -> Result<Filter, ApiError> {
    let given = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let (project, phase) = (given(scope.project), given(scope.phase));
    let missing = |what: &'static str| {
        move |e: StoreError| match e {
            StoreError::NotFound => ApiError::not_found(what),
            other => other.into(),
        }
    };
    let Some(project) = project else {
        if phase.is_some() {
            return Err(ApiError::bad_request("Invalid scope").detail("phase: give `project` too"));
        }
        return Ok(Filter { caller, project_id: None, phase: None });
    };
    let p = store.project(&project).await.map_err(missing("Project"))?;
    if !caller.can_read(p.id) {
        return Err(ApiError::not_found("Project"));
    }
    if let Some(ph) = &phase {
        store.phase(p.id, ph).await.map_err(missing("Phase"))?;
    }
    Ok(Filter { caller, project_id: Some(p.id), phase })
}

/// Counts a stream as open until it is dropped.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One open stream.
struct Follower {
    first: std::collections::VecDeque<Event>,
    receiver: broadcast::Receiver<Arc<Change>>,
    filter: Filter,
    /// The newest change already accounted for when the stream opened.
    newest: i64,
    closed: watch::Receiver<bool>,
    _open: Counted,
}

fn event(c: &Change) -> Event {
    let data = serde_json::to_string(c).unwrap_or_else(|_| "{}".into());
    Event::default().event("change").id(c.id.to_string()).data(data)
}

/// The stream's next event; `None` ends it (the server is stopping).
async fn next(mut s: Follower) -> Option<(Result<Event, Infallible>, Follower)> {
    if let Some(e) = s.first.pop_front() {
        return Some((Ok(e), s));
    }
    loop {
        if *s.closed.borrow() {
            return None;
        }
        let received = tokio::select! {
            r = s.receiver.recv() => r,
            _ = s.closed.changed() => return None,
        };
        match received {
            Ok(c) if c.id > s.newest && s.filter.passes(&c) => {
                let e = event(&c);
                return Some((Ok(e), s));
            }
            Ok(_) => continue,
            // Too slow to keep up: whatever was missed, the page is outdated.
            Err(broadcast::error::RecvError::Lagged(_)) => {
                return Some((Ok(Event::default().event("change").data("{}")), s));
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
}
