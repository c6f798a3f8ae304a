//! The 404 page.

use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for any path no route matches.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <section class="empty">
            <h1>"Page not found"</h1>
            <p class="muted">"Nothing lives at this address. It may have been renamed or removed."</p>
            <p><a class="btn" href="/">"Back to projects"</a></p>
        </section>
    }
}
