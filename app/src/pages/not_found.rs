//! The 404 page.

use leptos::prelude::*;
use leptos_meta::Title;

/// Makes the page being rendered on the server answer 404 (in the browser: nothing).
pub fn answer_not_found() {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(axum::http::StatusCode::NOT_FOUND);
    }
}

/// Shown for any path no route matches.
#[component]
pub fn NotFound() -> impl IntoView {
    answer_not_found();
    view! {
        <Title text="Not found"/>
        <section class="empty">
            <h1>"Page not found"</h1>
            <p class="muted">"Nothing lives at this address. It may have been renamed or removed."</p>
            <p><a class="btn" href="/">"Back to projects"</a></p>
        </section>
    }
}
