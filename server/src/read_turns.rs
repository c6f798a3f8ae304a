//! Reads take turns: a bounded number of page and API reads are served at once, and the
//! rest wait in the order they arrived.
//!
//! Unbounded, every open connection's request is in progress at once and the runtime
//! shares the cores among them all: a page that awaits a few times (its session, its data)
//! goes round the whole crowd at every await, so under a thousand readers the heavier pages
//! take several times as long as the light ones and the slowest reader waits longest. With
//! turns, a request is served in a few rounds of a short line, and a crowd waits in a
//! first-come, first-served queue: every kind of page waits about as long as any other.
//! Probes, static files and event streams never wait: they are cheap or stay open.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use tokio::sync::Semaphore;

/// The line reads wait in.
pub struct ReadTurns {
    turns: Option<Semaphore>,
}

impl ReadTurns {
    /// `concurrency` reads served at once; 0 serves every read at once (no line).
    pub fn new(concurrency: usize) -> ReadTurns {
        ReadTurns { turns: (concurrency > 0).then(|| Semaphore::new(concurrency)) }
    }

    /// Reads served at once by default: four per core, enough to keep the cores busy while
    /// some of them wait for the database.
    pub fn default_concurrency() -> usize {
        std::thread::available_parallelism().map_or(2, |n| n.get()) * 4
    }
}

/// Whether a request is a read that needs the CPU: a `GET` or `HEAD`, except an event stream
/// (a live page's), which stays open while its page is shown.
pub fn is_read(req: &Request) -> bool {
    matches!(*req.method(), Method::GET | Method::HEAD)
        && req.headers().get(header::ACCEPT).is_none_or(|v| v.as_bytes() != b"text/event-stream")
}

/// Whether a request waits for its turn: reads, except what is cheap.
fn takes_a_turn(req: &Request) -> bool {
    let path = req.uri().path();
    is_read(req) && !(path.starts_with("/pkg/") || matches!(path, "/healthz" | "/readyz" | "/metrics" | "/favicon.ico"))
}

/// Serves a read when its turn comes.
pub async fn take_turns(State(reads): State<Arc<ReadTurns>>, req: Request, next: Next) -> Response {
    let Some(turns) = reads.turns.as_ref().filter(|_| takes_a_turn(&req)) else {
        return next.run(req).await;
    };
    // The semaphore hands out permits first come, first served; it is never closed.
    let Ok(_turn) = turns.acquire().await else { return next.run(req).await };
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tokio::sync::{Mutex, Notify};
    use tower::ServiceExt;

    /// A router whose `/page` waits for `gate` and notes the order it was served in.
    fn app(gate: Arc<Notify>, order: Arc<Mutex<Vec<String>>>, concurrency: usize) -> Router {
        let page = move |axum::extract::Query(q): axum::extract::Query<Vec<(String, String)>>| {
            let (gate, order) = (gate.clone(), order.clone());
            async move {
                order.lock().await.push(q.first().map(|(_, v)| v.clone()).unwrap_or_default());
                gate.notified().await;
            }
        };
        Router::new()
            .route("/page", get(page))
            .route("/healthz", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(Arc::new(ReadTurns::new(concurrency)), take_turns))
    }

    fn get_req(uri: &str) -> Request {
        Request::get(uri).body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn reads_wait_their_turn_in_the_order_they_arrived_and_probes_do_not_wait() {
        let gate = Arc::new(Notify::new());
        let order = Arc::new(Mutex::new(Vec::new()));
        let app = app(gate.clone(), order.clone(), 1);
        let mut pending = Vec::new();
        for n in 0..4 {
            let app = app.clone();
            pending.push(tokio::spawn(async move { app.oneshot(get_req(&format!("/page?n={n}"))).await }));
            // Each is queued before the next is sent.
            while order.lock().await.is_empty() {
                tokio::task::yield_now().await;
            }
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
        }
        assert_eq!(*order.lock().await, ["0"], "one read at a time");
        let probe = app.clone().oneshot(get_req("/healthz")).await.unwrap();
        assert_eq!(probe.status(), 200, "a probe does not wait behind the line");
        for served in 1..=4 {
            while order.lock().await.len() < served {
                tokio::task::yield_now().await;
            }
            gate.notify_one();
        }
        for p in pending {
            assert_eq!(p.await.unwrap().unwrap().status(), 200);
        }
        assert_eq!(*order.lock().await, ["0", "1", "2", "3"], "first come, first served");
    }

    #[tokio::test]
    async fn no_line_serves_every_read_at_once() {
        let gate = Arc::new(Notify::new());
        let order = Arc::new(Mutex::new(Vec::new()));
        let app = app(gate.clone(), order.clone(), 0);
        let pending: Vec<_> = (0..3)
            .map(|n| {
                let app = app.clone();
                tokio::spawn(async move { app.oneshot(get_req(&format!("/page?n={n}"))).await })
            })
            .collect();
        while order.lock().await.len() < 3 {
            tokio::task::yield_now().await;
        }
        for _ in 0..3 {
            gate.notify_one();
        }
        for p in pending {
            assert_eq!(p.await.unwrap().unwrap().status(), 200);
        }
    }
}
