//! readyboard web UI: pages, components and the server functions behind them.
// Deeply nested view types of the larger pages exceed the default query depth.
#![recursion_limit = "256"]

pub mod components;
pub mod form_outcome;
pub mod format;
pub mod live;
pub mod pages;
pub mod plain_error;
pub mod settled;
pub mod types;

#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::components::header::Header;
use crate::pages::account::AccountTokensPage;
use crate::pages::audit::AuditPage;
use crate::pages::blockers::{AllBlockersPage, PhaseBlockersPage};
use crate::pages::checklist::ChecklistPage;
use crate::pages::decision::DecisionPage;
use crate::pages::import::ImportPage;
use crate::pages::trends::TrendsPage;
use crate::pages::{admin::AdminPage, login::LoginPage, login::SetupPage, not_found::NotFound, overview::Overview};
use crate::pages::{phase::PhasePage, project::ProjectPage, report::ReportPage};

/// Name of the generated JS/wasm/CSS bundle under `/pkg` before its content hash is added.
pub const BUNDLE: &str = "readyboard";

/// Folds the trends page's sections on a phone as soon as the page is read. They arrive
/// open, so that without JavaScript everything is shown; the width is the phone pictures' one.
const FOLD_ON_PHONES: &str = "addEventListener('DOMContentLoaded',function(){\
if(matchMedia('(max-width: 640px)').matches)\
document.querySelectorAll('details.fold[open]').forEach(function(d){d.open=false})})";

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href=format!("/pkg/{}.css", options.output_name)/>
                <script nonce=leptos::nonce::use_nonce() inner_html=FOLD_ON_PHONES></script>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The document title for a page title `t` (names in it come from uploads).
///
/// On the server leptos_meta writes the title into `<title>` without escaping it, so a
/// phase named `</title><meta …>` would inject markup: the server escapes it here. In the
/// browser the same text becomes `document.title`, which is plain text and stays as is.
fn title_text(t: String) -> String {
    let t = if t.is_empty() { "readyboard".to_string() } else { format!("{t} · readyboard") };
    if cfg!(feature = "ssr") { format::escape_html(&t) } else { t }
}

/// The application: header and routed pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    form_outcome::provide_page_outcome();
    view! {
        <Title formatter=title_text/>
        <Router>
            <Header/>
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=Overview ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/setup") view=SetupPage/>
                    // Async so a refusal answers with its real status (403) instead of a streamed 200.
                    <Route path=path!("/admin") view=AdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/tokens") view=AccountTokensPage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:project") view=ProjectPage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:project/:phase") view=PhasePage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:project/:phase/blockers") view=PhaseBlockersPage ssr=SsrMode::Async/>
                    <Route path=path!("/blockers") view=AllBlockersPage ssr=SsrMode::Async/>
                    <Route path=path!("/audit") view=AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:project/:phase/import") view=ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:project/:phase/trends") view=TrendsPage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:project/:phase/checklist") view=ChecklistPage ssr=SsrMode::Async/>
                    <Route path=path!("/p/:project/:phase/decisions/:id") view=DecisionPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports/:id") view=ReportPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}
