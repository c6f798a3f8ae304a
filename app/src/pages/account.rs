//! `/account/tokens`: a person's own personal access tokens, which act as them with their
//! role for the REST API. Any logged-in person lists, creates (the token is shown once) and
//! revokes their own tokens, and no one else's; every change is written to the audit log.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::widgets::{ErrorBox, Loading};
use crate::form_outcome::{OutcomeNote, kept, new_token_note, outcome_for};
use crate::types::{PersonalTokensView, TokenLine};

/// Longest token name, in characters (the store's `PERSONAL_TOKEN_NAME_MAX`).
const NAME_MAX: usize = 100;

/// The logged-in person, whatever their role.
#[cfg(feature = "ssr")]
async fn me() -> Result<readyboard_store::UserRow, ServerFnError> {
    crate::ssr::require(readyboard_domain::role::Role::Viewer).await
}

/// The logged-in person's own tokens, newest first.
#[server]
pub async fn get_personal_tokens() -> Result<PersonalTokensView, ServerFnError> {
    let me = me().await?;
    let store = crate::ssr::store()?;
    let now = crate::ssr::now_ms();
    let tokens = store
        .personal_tokens_of(me.id)
        .await
        .map_err(crate::ssr::store_error)?
        .into_iter()
        .map(|t| TokenLine::new(now, t.id, t.name, t.prefix, (t.created_at, t.last_used_at), t.revoked_at.is_some()))
        .collect();
    Ok(PersonalTokensView { role: me.role, site: crate::ssr::site_url(), tokens })
}

/// Creates a personal access token for the logged-in person; the answer is the token
/// itself, shown once (only its hash is kept).
#[server]
pub async fn create_personal_token(name: String) -> Result<String, ServerFnError> {
    let me = me().await?;
    let (token, hash, prefix) = readyboard_auth::new_token("p");
    crate::ssr::store()?
        .create_personal_token(&crate::ssr::actor(&me), &me.username, &name, &hash, &prefix)
        .await
        .map_err(crate::ssr::store_error)?;
    Ok(token)
}

/// Revokes one of the logged-in person's own tokens; anyone else's is not found.
#[server]
pub async fn revoke_personal_token(id: i64) -> Result<String, ServerFnError> {
    let me = me().await?;
    match crate::ssr::store()?.revoke_own_personal_token(&crate::ssr::actor(&me), me.id, id).await {
        Ok(()) => Ok("Token revoked. Anything still using it is refused from now on.".into()),
        Err(readyboard_store::StoreError::NotFound) => Err(crate::ssr::refused(
            axum::http::StatusCode::NOT_FOUND,
            "That token is not one of yours, or it is already revoked.",
        )),
        Err(e) => Err(crate::ssr::store_error(e)),
    }
}

/// The access tokens page.
#[component]
pub fn AccountTokensPage() -> impl IntoView {
    let add = ServerAction::<CreatePersonalToken>::new();
    let revoke = ServerAction::<RevokePersonalToken>::new();
    let data = Resource::new(|| (), |_| get_personal_tokens());
    view! {
        <Title text="Access tokens"/>
        <div class="page-head">
            <h1>"Your access tokens"</h1>
            <p class="muted">"A personal access token lets a script, a pipeline or a bot use the REST API as you, with your role. It is not a project upload token: those are created by an admin and only upload reports."</p>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(v) => view! {
                        <section class="section card">
                            <h2>"Tokens"</h2>
                            <TokenList tokens=v.tokens revoke=revoke/>
                            <NewToken add=add/>
                        </section>
                        <ApiExample role=v.role.as_str().to_string() site=v.site/>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// The person's tokens, each active one with its "Revoke" button.
#[component]
fn TokenList(tokens: Vec<TokenLine>, revoke: ServerAction<RevokePersonalToken>) -> impl IntoView {
    let revoke_sent = outcome_for::<RevokePersonalToken>(None);
    let list = if tokens.is_empty() {
        view! { <p class="muted">"You have no tokens yet."</p> }.into_any()
    } else {
        view! {
            <div class="table-wrap"><table class="table">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Token"</th><th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col">"Status"</th></tr></thead>
                <tbody>
                    {tokens.into_iter().map(|t| view! { <TokenRow t=t revoke=revoke/> }).collect_view()}
                </tbody>
            </table></div>
        }
        .into_any()
    };
    view! {
        {list}
        <OutcomeNote outcome=revoke_sent/>
    }
}

/// One token: what it is for, how it starts, when it was made and used, and whether it
/// works (with the button revoking it while it does).
#[component]
fn TokenRow(t: TokenLine, revoke: ServerAction<RevokePersonalToken>) -> impl IntoView {
    let state = if t.revoked {
        view! { <span class="status">"revoked"</span> }.into_any()
    } else {
        let label = format!("Revoke {}", t.name);
        view! {
            <span class="status status-pass">"active"</span>" "
            <ActionForm action=revoke attr:class="inline-form">
                <input type="hidden" name="id" value=t.id/>
                <button type="submit" class="btn btn-danger btn-small" aria-label=label>"Revoke"</button>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <tr class={if t.revoked { "revoked" } else { "" }}>
            <td class="strong">{t.name}</td>
            <td class="mono nowrap">{format!("{}…", t.prefix)}</td>
            <td class="muted nowrap">{t.created}</td>
            <td class="muted nowrap">{t.last_used.unwrap_or_else(|| "never".into())}</td>
            <td class="nowrap">{state}</td>
        </tr>
    }
}

/// The form creating a token, which shows the new token once.
#[component]
fn NewToken(add: ServerAction<CreatePersonalToken>) -> impl IntoView {
    let sent = outcome_for::<CreatePersonalToken>(None);
    let name = kept(&sent, "name");
    view! {
        <h3>"Create a token"</h3>
        <ActionForm action=add attr:class="form form-row token-form">
            <label>"Name"<input name="name" placeholder="release-pipeline" required maxlength=NAME_MAX value=name/></label>
            <button type="submit" class="btn btn-primary">"Create token"</button>
        </ActionForm>
        <p class="muted small">{format!("What the token is for, so you recognise it later (up to {NAME_MAX} characters).")}</p>
        {new_token_note(sent)}
    }
}

/// How a token is used: recording a decision with `curl`.
#[component]
fn ApiExample(role: String, site: String) -> impl IntoView {
    let example = format!(
        "curl -sS \\\n  \
         -H \"Authorization: Bearer $READYBOARD_PERSONAL_TOKEN\" \\\n  \
         -H 'Content-Type: application/json' \\\n  \
         -d '{{\"decision\": \"no_go\", \"rationale\": \"Load test p95 is over its target.\"}}' \\\n  \
         {site}/api/v1/projects/PROJECT/phases/PHASE/decisions"
    );
    view! {
        <section class="section card">
            <h2>"Use a token"</h2>
            <p>"Send it as a bearer token. For example, a release pipeline recording its NO-GO:"</p>
            <pre class="snippet"><code>{example}</code></pre>
            <p class="muted small">
                "Your tokens act with your role, now "<strong>{role}</strong>
                ": recording a decision needs approver, blockers and checklist items need editor. Every operation is in the "
                <a href="/api/docs" rel="external">"API reference"</a>"."
            </p>
        </section>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn the_form_allows_the_names_the_store_takes() {
        assert_eq!(super::NAME_MAX, readyboard_store::PERSONAL_TOKEN_NAME_MAX);
    }
}
