//! `/login` and `/setup`: plain HTML forms handled by the server, so they work before
//! (and without) hydration.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The login form.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        query.read().get("error").map(|e| match e.as_str() {
            "rate" => "Too many attempts. Wait a minute and try again.",
            _ => "Wrong username or password.",
        })
    };
    let next = move || {
        query.read().get("next").filter(|n| n.starts_with('/') && !n.starts_with("//")).unwrap_or_else(|| "/".into())
    };
    let logged_out = move || query.read().get("bye").is_some();
    view! {
        <Title text="Log in"/>
        <section class="auth">
            <h1>"Log in"</h1>
            <p class="muted">"readyboard tracks whether each phase is ready to ship."</p>
            {move || logged_out().then(|| view! { <p class="alert">"You are logged out."</p> })}
            {move || error().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            <form method="post" action="/login" class="form">
                <input type="hidden" name="next" value=next/>
                <label>"Username"<input name="username" autocomplete="username" required autofocus/></label>
                <label>"Password"<input name="password" type="password" autocomplete="current-password" required/></label>
                <button type="submit" class="btn btn-primary">"Log in"</button>
            </form>
        </section>
    }
}

/// The one-time setup form that creates the first admin.
#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let error = move || query.read().get("error");
    view! {
        <Title text="Set up"/>
        <section class="auth">
            <h1>"Create the first admin"</h1>
            <p class="muted">"This link works once, until the first account exists."</p>
            {move || error().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            <form method="post" action="/setup" class="form">
                <input type="hidden" name="token" value=token/>
                <label>"Username"<input name="username" autocomplete="username" required/></label>
                <label>"Password (10+ characters)"<input name="password" type="password" autocomplete="new-password" minlength="10" required/></label>
                <button type="submit" class="btn btn-primary">"Create admin"</button>
            </form>
        </section>
    }
}
