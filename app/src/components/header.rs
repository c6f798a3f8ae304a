//! The top bar: product name, navigation, who is logged in.

use leptos::prelude::*;
use readyboard_domain::role::Role;

use crate::types::Me;

/// The logged-in user, if any.
#[server]
pub async fn get_me() -> Result<Option<Me>, ServerFnError> {
    let user = crate::ssr::current_user().await?;
    Ok(user.map(|u| Me { username: u.username, role: u.role }))
}

/// Top bar shown on every page.
#[component]
pub fn Header() -> impl IntoView {
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true"></span>
                "readyboard"
            </a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(me)) => {
                            let admin = me.role == Role::Admin;
                            let approver = admin || me.role == Role::Approver;
                            view! {
                                <nav class="nav" aria-label="Main">
                                    <a href="/">"Projects"</a>
                                    <a href="/blockers">"Blockers"</a>
                                    {approver.then(|| view! { <a href="/audit">"Audit log"</a> })}
                                    {admin.then(|| view! { <a href="/admin">"Admin"</a> })}
                                    // The API reference is a server page, not a route of the app.
                                    <a href="/api/docs" rel="external">"API"</a>
                                </nav>
                                <div class="who">
                                    <crate::live::LiveStatus/>
                                    <span class="who-name" title=me.username.clone()>{me.username.clone()}</span>
                                    <span class="role-chip">{me.role.as_str()}</span>
                                    <a class="who-link" href="/account/tokens">"Access tokens"</a>
                                    <form method="post" action="/logout" class="inline">
                                        <button type="submit" class="btn btn-quiet">"Log out"</button>
                                    </form>
                                </div>
                            }
                                .into_any()
                        }
                        _ => view! { <span></span> }.into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}
