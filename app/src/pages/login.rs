//! `/login` and `/setup`: plain HTML forms handled by the server.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The company provider's name when OpenID Connect sign-in is on.
#[server]
pub async fn get_company_sign_in() -> Result<Option<String>, ServerFnError> {
    Ok(use_context::<crate::ssr::SignIn>().and_then(|s| s.company))
}

/// What went wrong, from the `error` code the server sends back to the login page.
fn error_message(code: &str) -> &'static str {
    match code {
        "rate" => "Too many attempts. Wait a minute and try again.",
        "sso-expired" => "That sign-in took too long or was already used. Please sign in again.",
        "sso-denied" => "The sign-in was cancelled at your company's sign-in page.",
        "sso-unreachable" => {
            "Your company's sign-in service cannot be reached right now. Try again shortly, or log in with a local account."
        }
        "sso-failed" => {
            "Your company's sign-in did not complete. Please try again; if it keeps failing, tell your admin."
        }
        "sso-no-role" => "Your company account is not in a group allowed to use readyboard. Ask your admin for access.",
        "disabled" => "This account is disabled. Ask an admin to enable it.",
        _ => "Wrong username or password.",
    }
}

/// The login form.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("error").map(|e| error_message(&e));
    let company = Resource::new(|| (), |_| get_company_sign_in());
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
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    company.await.ok().flatten().map(|name| {
                        let href = format!("/auth/oidc/start?next={}", crate::format::query_value(&next()));
                        view! {
                            <div class="auth-alt">
                                <p class="auth-or muted">"or"</p>
                                <a class="btn btn-wide" href=href rel="external">{format!("Sign in with {name}")}</a>
                            </div>
                        }
                    })
                })}
            </Suspense>
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
