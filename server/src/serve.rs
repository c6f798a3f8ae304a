//! `readyboard serve`: binds, serves until SIGTERM or Ctrl-C, then drains.

use std::sync::Arc;

use crate::context::ErrContext;
use leptos::config::LeptosOptions;
use readyboard_store::Store;
use tower_sessions::ExpiredDeletion;

use crate::cli::ServeArgs;
use crate::login_limit::LoginLimiter;
use crate::metrics::Metrics;
use crate::state::{AppState, Settings, Shared};

/// Builds the state for `args` on an open store.
pub fn state(store: Store, args: &ServeArgs, base_url: String) -> AppState {
    store.set_settle_window(std::time::Duration::from_millis(args.settle_ms));
    let leptos = LeptosOptions::builder()
        .output_name(crate::assets::bundle_name(&args.site_root))
        .site_root(args.site_root.as_str())
        .site_pkg_dir("pkg")
        .build();
    let live = Arc::new(crate::live_feed::Feed::new(store.clone()));
    AppState::new(Shared {
        store,
        leptos,
        settings: Arc::new(Settings {
            secure: base_url.starts_with("https://"),
            base_url: base_url.clone(),
            max_upload: (args.max_upload_mb as usize).saturating_mul(1024 * 1024),
            trusted_proxies: args.trusted_proxy.clone(),
            // `serve` refuses bad flags before this; anything unreadable here fails closed.
            metrics_access: crate::metrics::Access::from_args(&args.metrics, args.metrics_token.as_deref())
                .unwrap_or(crate::metrics::Access::Off),
        }),
        login_limiter: Arc::new(LoginLimiter::new()),
        metrics: Arc::new(Metrics::default()),
        charts: Arc::default(),
        pages: Arc::default(),
        intake: Arc::new(crate::intake::Intake::new(
            args.ingest_concurrency.unwrap_or_else(crate::intake::Intake::default_concurrency),
            args.ingest_queue,
        )),
        reads: Arc::new(crate::read_turns::ReadTurns::new(
            args.read_concurrency.unwrap_or_else(crate::read_turns::ReadTurns::default_concurrency),
        )),
        live,
        // `serve` refuses a half setup before this, as for the metrics flags.
        oidc: crate::oidc::Oidc::from_args(&args.oidc, &base_url).ok().flatten().map(Arc::new),
    })
}

/// Runs the server.
pub async fn serve(args: ServeArgs) -> Result<(), String> {
    crate::metrics::Access::from_args(&args.metrics, args.metrics_token.as_deref())?;
    // Taken before opening, so a restore in progress is never raced; held until exit.
    let _in_use = crate::backup::InUse::acquire(&args.db.database_url)?;
    let store = Store::open(&args.db.database_url).await.context("opening the database")?;
    store.watch_reachability();
    if args.demo && store.list_projects().await.map(|p| p.is_empty()).unwrap_or(false) {
        crate::demo::load(&store).await.context("loading the demo data")?;
        println!("Loaded the demo dataset.");
    }
    let listener = bind(&args.addr).await.context(&format!("binding {}", args.addr))?;
    let local = listener.local_addr().context("reading the bound address")?;
    let base_url =
        args.base_url.clone().map(|u| u.trim_end_matches('/').to_string()).unwrap_or_else(|| format!("http://{local}"));
    if store.count_users().await.unwrap_or(1) == 0 {
        let (token, hash, _) = readyboard_auth::new_token("s");
        store.create_setup_token(&hash).await.context("creating the setup link")?;
        println!(
            "No users yet. Create the first admin at:\n\n    {base_url}/setup?token={token}\n\n(or run `readyboard user add NAME --role admin`)"
        );
    }
    let sweeper = {
        let sessions = store.session_backend();
        tokio::spawn(async move { sessions.continuously_delete_expired(tokio::time::Duration::from_secs(3600)).await })
    };
    let pruner = (args.prune_every_mins > 0).then(|| {
        let every = std::time::Duration::from_secs(args.prune_every_mins * 60);
        tokio::spawn(crate::retention::continuously(store.clone(), every))
    });
    store.follow_other_instances().await;
    crate::oidc::Oidc::from_args(&args.oidc, &base_url)?;
    let state = state(store.clone(), &args, base_url.clone());
    if let Some(oidc) = state.oidc.clone() {
        println!(
            "Company sign-in through {}; its redirect URI here is {base_url}{}",
            oidc.provider.issuer(),
            crate::oidc::CALLBACK_PATH
        );
        // Checked now so a wrong issuer shows in the log at once; sign-in discovers again.
        tokio::spawn(async move {
            match oidc.provider.check().await {
                Ok(()) => tracing::info!(issuer = oidc.provider.issuer(), "sign-in provider discovered"),
                Err(e) => {
                    tracing::warn!(error = %e, issuer = oidc.provider.issuer(), "sign-in provider not reachable yet")
                }
            }
        });
    }
    let deliveries =
        crate::webhooks::Sender::new(crate::webhooks::ATTEMPT_TIMEOUT, &base_url, Some(state.metrics.clone()));
    let sender = crate::webhooks::spawn(store.clone(), deliveries);
    let live = state.live.clone();
    let app = crate::router::router(state);
    println!("readyboard listening on {base_url} (database {})", redact(&args.db.database_url));
    tracing::info!(addr = %local, "listening");
    let timeouts = crate::connections::Timeouts {
        header: std::time::Duration::from_secs(args.header_timeout_secs.max(1)),
        body: std::time::Duration::from_secs(args.body_timeout_secs.max(1)),
    };
    // Live pages' streams never end on their own: they are ended first.
    let shutdown = async move {
        shutdown_signal().await;
        live.close();
    };
    crate::connections::serve(listener, app, timeouts, shutdown).await;
    sweeper.abort();
    sender.abort();
    if let Some(pruner) = pruner {
        pruner.abort();
    }
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Connections the kernel queues for accepting (capped by `net.core.somaxconn`). The usual
/// 1,024 overflowed when a thousand dashboards and CI jobs connected at once: connections
/// beyond it were dropped and an upload failed.
const BACKLOG: u32 = 4096;

/// Binds `addr` with a listen queue of [`BACKLOG`].
async fn bind(addr: &str) -> std::io::Result<tokio::net::TcpListener> {
    let mut last = None;
    for a in tokio::net::lookup_host(addr).await? {
        let socket = if a.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
        socket.set_reuseaddr(true)?;
        match socket.bind(a).and_then(|()| socket.listen(BACKLOG)) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "no address to bind")))
}

/// Hides a password in a database URL for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received, draining");
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_hidden_in_urls() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("sqlite://readyboard.db"), "sqlite://readyboard.db");
    }
}
