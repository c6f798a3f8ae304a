//! Accepting and serving connections: HTTP/1.1 with time limits on slow or idle clients,
//! and a drain of in-flight requests at shutdown.
//!
//! `axum::serve` sets no timer on hyper, so a client that sends half a request header holds
//! its connection (and a file descriptor) forever; enough of them starve everyone else.
//! Here every connection must deliver a complete header within `header` (which also ends
//! idle keep-alive connections: the clock starts when the server waits for the next
//! request), and a request body must keep arriving (at most `body` between chunks).

use std::future::Future;
use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;
use tower_http::timeout::TimeoutBody;

/// Time limits on clients.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Longest wait for a complete request header, and for the next request on an idle
    /// keep-alive connection.
    pub header: Duration,
    /// Longest silence in the middle of a request body.
    pub body: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts { header: Duration::from_secs(10), body: Duration::from_secs(30) }
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then waits for the requests in
/// flight to finish.
pub async fn serve(listener: TcpListener, app: Router, timeouts: Timeouts, shutdown: impl Future<Output = ()>) {
    // Every connection task holds a receiver; the sender sees them all closed once drained.
    let (stop_tx, stop_rx) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // Pages stream in several chunks: without TCP_NODELAY, Nagle's algorithm and
        // delayed ACKs hold each later chunk back by ~40 ms.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
        tokio::spawn(connection(tcp, remote, app.clone(), timeouts, stop_rx.clone()));
    }
    drop(listener);
    drop(stop_rx);
    // Tell every connection to finish its request and close, then wait for them.
    stop_tx.send_replace(());
    stop_tx.closed().await;
}

async fn connection(
    tcp: tokio::net::TcpStream,
    remote: SocketAddr,
    app: Router,
    timeouts: Timeouts,
    mut stop: watch::Receiver<()>,
) {
    let service = app.map_request(move |req: axum::http::Request<Incoming>| {
        let mut req = req.map(|body| Body::new(TimeoutBody::new(timeouts.body, body)));
        req.extensions_mut().insert(ConnectInfo(remote));
        req
    });
    let service = TowerToHyperService::new(service);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(timeouts.header);
    let conn = builder.serve_connection(TokioIo::new(ProblemOnParseError::new(tcp)), service).with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let mut stopping = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, %remote, "connection ended with an error");
                }
                break;
            }
            changed = stop.changed(), if !stopping => {
                let _ = changed;
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// A request line longer than this marks the connection as one hyper may refuse on its own.
const LONG_LINE: usize = 16 * 1024;

/// The socket, with hyper's bare refusals of over-long requests turned into problem details.
///
/// hyper answers a request whose URI or header is too long itself (414 or 431, empty body),
/// before any handler runs. Such an answer is recognised on its way out — a response head
/// alone, without the headers every handler response carries, on a connection that sent an
/// over-long line — and replaced by the same status with an `application/problem+json`
/// body, so clients get a title like every other error.
struct ProblemOnParseError<T> {
    inner: T,
    /// Bytes read since the last line feed.
    run: usize,
    /// The client sent a line longer than [`LONG_LINE`].
    long_line: bool,
    /// A replacement being written, how much of it is out, and the length hyper gave.
    pending: Option<(Vec<u8>, usize, usize)>,
}

impl<T> ProblemOnParseError<T> {
    fn new(inner: T) -> Self {
        ProblemOnParseError { inner, run: 0, long_line: false, pending: None }
    }

    /// The problem response replacing `head`, if `head` is one of hyper's own refusals.
    fn replacement(&self, head: &[u8]) -> Option<Vec<u8>> {
        if !self.long_line || head.len() > 1024 || !head.ends_with(b"\r\n\r\n") {
            return None;
        }
        let text = std::str::from_utf8(head).ok()?.to_ascii_lowercase();
        if text.contains("x-content-type-options") || !text.contains("\r\ncontent-length: 0\r\n") {
            return None;
        }
        let (status, title) = if text.starts_with("http/1.1 414 ") {
            (414, "URI too long")
        } else if text.starts_with("http/1.1 431 ") {
            (431, "Request header too large")
        } else {
            return None;
        };
        let body = serde_json::json!({
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": "Send long parameters in the request body instead (the request line and each header are limited to 64 KiB).",
        })
        .to_string();
        let reason = if status == 414 { "URI Too Long" } else { "Request Header Fields Too Large" };
        Some(
            format!(
                "HTTP/1.1 {status} {reason}\r\ncontent-type: application/problem+json\r\ncontent-length: {}\r\n\
                 connection: close\r\nx-content-type-options: nosniff\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
        )
    }

    /// Writes what is pending; `Ready(Ok(n))` reports the `n` bytes hyper asked to write.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>>
    where
        T: AsyncWrite + Unpin,
    {
        while let Some((buf, done, claimed)) = &mut self.pending {
            if *done == buf.len() {
                let claimed = *claimed;
                self.pending = None;
                return Poll::Ready(Ok(claimed));
            }
            match Pin::new(&mut self.inner).poll_write(cx, &buf[*done..]) {
                Poll::Ready(Ok(0)) => {
                    return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                }
                Poll::Ready(Ok(n)) => *done += n,
                other => return other,
            }
        }
        Poll::Ready(Ok(0))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ProblemOnParseError<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if !self.long_line {
            let mut run = self.run;
            for &b in &buf.filled()[before..] {
                run = if b == b'\n' { 0 } else { run + 1 };
                if run > LONG_LINE {
                    self.long_line = true;
                    break;
                }
            }
            self.run = run;
        }
        result
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ProblemOnParseError<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        if self.pending.is_none() {
            match self.replacement(data) {
                Some(problem) => self.pending = Some((problem, 0, data.len())),
                None => return Pin::new(&mut self.inner).poll_write(cx, data),
            }
        }
        self.poll_pending(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.pending.is_none() {
            // hyper's refusal is a small head alone: only then is it worth joining the slices.
            let total: usize = bufs.iter().map(|b| b.len()).sum();
            let problem = if self.long_line && total <= 1024 {
                self.replacement(&bufs.iter().flat_map(|b| b.iter().copied()).collect::<Vec<u8>>())
            } else {
                None
            };
            match problem {
                Some(problem) => self.pending = Some((problem, 0, total)),
                None => return Pin::new(&mut self.inner).poll_write_vectored(cx, bufs),
            }
        }
        self.poll_pending(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.pending.is_some() {
            ready!(self.poll_pending(cx))?;
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.pending.is_some() {
            ready!(self.poll_pending(cx))?;
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn start(timeouts: Timeouts) -> (SocketAddr, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
        let app = Router::new()
            .route("/", get(|ConnectInfo(addr): ConnectInfo<SocketAddr>| async move { addr.ip().to_string() }));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, app, timeouts, async move {
            let _ = rx.await;
        }));
        (addr, tx, task)
    }

    /// Reads until the server closes the connection; `None` if it stays open past `wait`.
    async fn read_until_closed(tcp: &mut tokio::net::TcpStream, wait: Duration) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, tcp.read(&mut buf)).await {
                Err(_) => return None,
                Ok(Ok(0)) | Ok(Err(_)) => return Some(out),
                Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            }
        }
    }

    #[tokio::test]
    async fn a_half_sent_header_is_cut_off_after_the_header_timeout() {
        let timeouts = Timeouts { header: Duration::from_millis(300), body: Duration::from_secs(5) };
        let (addr, stop, task) = start(timeouts).await;
        let mut slow = tokio::net::TcpStream::connect(addr).await.expect("connect");
        slow.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.expect("write");
        let started = std::time::Instant::now();
        let closed = read_until_closed(&mut slow, Duration::from_secs(5)).await;
        assert!(closed.is_some(), "the server must close a connection whose header never completes");
        assert!(started.elapsed() < Duration::from_secs(3), "closed after {:?}", started.elapsed());

        // A short partial header (less than an HTTP/2 preface) is cut off too.
        let mut tiny = tokio::net::TcpStream::connect(addr).await.expect("connect");
        tiny.write_all(b"GE").await.expect("write");
        assert!(read_until_closed(&mut tiny, Duration::from_secs(5)).await.is_some());

        // Complete requests are served, with the client's address.
        let mut ok = tokio::net::TcpStream::connect(addr).await.expect("connect");
        ok.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.expect("write");
        let resp = read_until_closed(&mut ok, Duration::from_secs(5)).await.expect("answered and closed");
        let text = String::from_utf8_lossy(&resp);
        assert!(text.starts_with("HTTP/1.1 200"), "{text}");
        assert!(text.ends_with("127.0.0.1"), "{text}");
        let _ = stop.send(());
        task.await.expect("drained");
    }

    #[tokio::test]
    async fn an_overlong_query_string_is_refused_with_a_problem_body() {
        let (addr, stop, task) = start(Timeouts::default()).await;
        let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let request = format!("GET /?q={} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(200 * 1024));
        // The server may answer before reading everything: a failed write is fine.
        let _ = tcp.write_all(request.as_bytes()).await;
        let resp = read_until_closed(&mut tcp, Duration::from_secs(5)).await.expect("answered");
        let text = String::from_utf8_lossy(&resp);
        assert!(text.starts_with("HTTP/1.1 414"), "{text}");
        assert!(text.contains("content-type: application/problem+json"), "{text}");
        let body = text.split("\r\n\r\n").nth(1).expect("a body");
        let v: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(v["status"], 414);
        assert_eq!(v["title"], "URI too long");
        let _ = stop.send(());
        task.await.expect("drained");
    }

    #[tokio::test]
    async fn an_idle_keep_alive_connection_is_closed() {
        let timeouts = Timeouts { header: Duration::from_millis(300), body: Duration::from_secs(5) };
        let (addr, stop, task) = start(timeouts).await;
        let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
        tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.expect("write");
        let resp = read_until_closed(&mut tcp, Duration::from_secs(5)).await.expect("closed once idle");
        assert!(String::from_utf8_lossy(&resp).starts_with("HTTP/1.1 200"));
        let _ = stop.send(());
        task.await.expect("drained");
    }

    #[tokio::test]
    async fn a_stalled_body_is_answered_and_closed() {
        let app = Router::new()
            .route("/", axum::routing::post(|body: axum::body::Bytes| async move { body.len().to_string() }));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let timeouts = Timeouts { header: Duration::from_secs(5), body: Duration::from_millis(300) };
        let task = tokio::spawn(serve(listener, app, timeouts, std::future::pending()));
        let mut tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
        tcp.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a part").await.expect("write");
        let resp = read_until_closed(&mut tcp, Duration::from_secs(5)).await;
        assert!(resp.is_some(), "a body that stops arriving must not hold the connection");
        task.abort();
    }
}
