//! Assembles the application router: API, auth forms, pages and static files.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Method, Request};
use axum::middleware;
use axum::routing::MethodRouter;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use readyboard_app::{App, shell};
use readyboard_domain::role::Role;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::api::{Access, Endpoint, on};
use crate::state::AppState;
use crate::{api, auth, security};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Pages and forms accept at most this much body; uploads have their own limit.
const FORM_LIMIT: usize = 256 * 1024;

/// The forms pages post to, with who may post them.
fn forms(max_upload: usize) -> Vec<(Endpoint, MethodRouter<AppState>)> {
    let (import, import_route) =
        on(Method::POST, "/import/{project}/{phase}", Access::Session(Role::Editor), crate::import::import);
    vec![
        // Anyone may post these: they check the credentials they are given.
        on(Method::POST, "/login", Access::Public, auth::login),
        on(Method::POST, "/logout", Access::Public, auth::logout),
        on(Method::POST, "/setup", Access::Public, auth::setup),
        on(Method::GET, "/auth/oidc/start", Access::Public, crate::oidc::start),
        on(Method::GET, crate::oidc::CALLBACK_PATH, Access::Public, crate::oidc::callback),
        (import, import_route.layer(DefaultBodyLimit::max(max_upload + 64 * 1024))),
    ]
}

/// Every route besides the Leptos pages and server functions (the REST API, the
/// operational endpoints and the forms), with who may call it, as [`router`] serves them.
pub fn endpoints() -> Vec<Endpoint> {
    let mut all = api::endpoints();
    all.extend(forms(0).into_iter().map(|(endpoint, _)| endpoint));
    all
}

/// The application's pages, listed once per process.
///
/// Listing them runs the app with resource loading suspended by a flag shared by the whole
/// process: a page whose data started loading on another thread meanwhile would wait for it
/// forever. Listed once, before the first router exists, no page can be rendering then.
pub fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole application as one router, ready to serve or to `oneshot` in tests.
pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    let sessions = SessionManagerLayer::new(state.store.session_backend())
        .with_name(security::SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.settings.secure)
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::days(7)));
    let store = state.store.clone();
    let fallback_store = state.store.clone();
    let site_url = readyboard_app::ssr::SiteUrl(state.settings.base_url.clone());
    let sign_in = readyboard_app::ssr::SignIn { company: state.oidc.as_ref().map(|o| o.label.clone()) };
    let chart_cache = state.charts.clone();
    let chart_points = readyboard_app::ssr::ChartPoints(std::sync::Arc::new(move |input| {
        api::trends::chart_points(&chart_cache, input)
    }));
    let pages = forms(state.settings.max_upload)
        .into_iter()
        .fold(Router::new(), |router, (endpoint, route)| router.route(endpoint.path, route))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                readyboard_app::ssr::provide_request_nonce();
                leptos::prelude::provide_context(store.clone());
                leptos::prelude::provide_context(chart_points.clone());
                leptos::prelude::provide_context(site_url.clone());
                leptos::prelude::provide_context(sign_in.clone());
            },
            {
                let leptos = state.leptos.clone();
                move || shell(leptos.clone())
            },
        )
        // One `layer` call per stack: each call boxes every route again, and a boxed route is
        // cloned whole, every box within it, at every middleware a request passes.
        .layer(
            ServiceBuilder::new()
                .layer(axum::extract::DefaultBodyLimit::max(FORM_LIMIT))
                .layer(middleware::from_fn(crate::form_outcomes::answer_plain_forms))
                .layer(middleware::from_fn_with_state(state.clone(), crate::page_reuse::reuse_pages)),
        );
    Router::new()
        .merge(api::routes(&state))
        .merge(pages)
        .nest_service("/pkg", crate::assets::pkg_files(&state.leptos.site_root))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            move || {
                readyboard_app::ssr::provide_request_nonce();
                leptos::prelude::provide_context(fallback_store.clone());
            },
            shell,
        ))
        // Outermost first.
        .layer(
            ServiceBuilder::new()
                .layer(crate::assets::compression())
                .layer(middleware::from_fn(crate::assets::cache_control))
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                    // `user` is filled in once the caller is known (session or token).
                    let user = tracing::field::Empty;
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id, user)
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(middleware::from_fn_with_state(state.metrics.clone(), crate::metrics::track))
                .layer(middleware::from_fn_with_state(state.clone(), security::headers))
                .layer(sessions)
                .layer(middleware::from_fn(security::cross_origin_guard))
                // Outside the line: a read waiting for its turn is waiting for the CPU too.
                .layer(middleware::from_fn_with_state(state.intake.clone(), crate::intake::count_reads))
                .layer(middleware::from_fn_with_state(state.reads.clone(), crate::read_turns::take_turns))
                .layer(middleware::from_fn_with_state(state.clone(), crate::availability::gate))
                .layer(middleware::from_fn_with_state(state.clone(), security::require_login)),
        )
        .with_state(state)
}
