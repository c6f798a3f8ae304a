//! `/admin`: users, API tokens and projects. Admins only; every action is checked on the
//! server and written to the audit log.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::create_forms::{CreateProject, NewProjectForm};
use crate::components::widgets::{ErrorBox, Loading};
use crate::form_outcome::{OutcomeNote, kept, new_token_note, outcome_for};
use crate::types::{AdminView, ProjectTokenLine, UserLine};

#[cfg(feature = "ssr")]
async fn admin_actor() -> Result<readyboard_store::Actor, ServerFnError> {
    let u = crate::ssr::require(readyboard_domain::role::Role::Admin).await?;
    Ok(readyboard_store::Actor::user(u.id, &u.username))
}

/// Users, tokens and projects.
#[server]
pub async fn get_admin() -> Result<AdminView, ServerFnError> {
    use crate::format::ago;
    use crate::ssr::store_error;
    use crate::types::{ProjectTokenLine, TokenLine, UserLine};
    admin_actor().await?;
    let store = crate::ssr::store()?;
    let now = crate::ssr::now_ms();
    let company = store.external_accounts().await.map_err(store_error)?;
    let users = store
        .list_users()
        .await
        .map_err(store_error)?
        .into_iter()
        .map(|u| UserLine {
            company: company.contains(&u.id),
            id: u.id,
            username: u.username,
            role: u.role.as_str().to_string(),
            disabled: u.disabled,
            last_login: u.last_login_at.map(|t| ago(now, t)),
        })
        .collect();
    let tokens = store
        .list_tokens()
        .await
        .map_err(store_error)?
        .into_iter()
        .map(|t| ProjectTokenLine {
            project: t.project_slug,
            token: TokenLine::new(now, t.id, t.name, t.prefix, (t.created_at, t.last_used_at), t.revoked_at.is_some()),
        })
        .collect();
    let projects = store.list_projects().await.map_err(store_error)?.into_iter().map(|p| (p.slug, p.name)).collect();
    Ok(AdminView { users, tokens, projects })
}

/// Creates a user.
#[server]
pub async fn create_user(username: String, password: String, role: String) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let actor = admin_actor().await?;
    let role = Role::parse(&role).ok_or_else(|| ServerFnError::new("Unknown role."))?;
    readyboard_auth::check_password_rules(&password).map_err(ServerFnError::new)?;
    let hash = readyboard_auth::hash_password(&password).map_err(ServerFnError::new)?;
    let store = crate::ssr::store()?;
    store.create_user(&actor, username.trim(), &hash, role).await.map_err(crate::ssr::store_error)?;
    Ok(format!("User {} created.", username.trim()))
}

/// Changes a user's role.
#[server]
pub async fn set_user_role(username: String, role: String) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let actor = admin_actor().await?;
    let role = Role::parse(&role).ok_or_else(|| ServerFnError::new("Unknown role."))?;
    if actor.label == username && role != Role::Admin {
        return Err(ServerFnError::new("You cannot remove your own admin role."));
    }
    crate::ssr::store()?.set_role(&actor, &username, role).await.map_err(crate::ssr::store_error)?;
    Ok(format!("{username} is now {}.", role.as_str()))
}

/// Disables or enables an account: a disabled person cannot sign in (with a password or
/// through the company provider), and their sessions and personal tokens stop working.
#[server]
pub async fn set_user_disabled(username: String, disabled: bool) -> Result<String, ServerFnError> {
    let actor = admin_actor().await?;
    if actor.label == username && disabled {
        return Err(ServerFnError::new("You cannot disable your own account."));
    }
    let store = crate::ssr::store()?;
    let user = store
        .user_by_name(&username)
        .await
        .map_err(crate::ssr::store_error)?
        .ok_or_else(|| ServerFnError::new(format!("There is no user named {username}.")))?;
    store.set_disabled(&actor, user.id, disabled).await.map_err(crate::ssr::store_error)?;
    Ok(if disabled {
        format!("{username} is disabled: their sessions and tokens stop working now.")
    } else {
        format!("{username} can sign in again.")
    })
}

/// Creates an API token; the token is returned once and never stored in clear.
#[server]
pub async fn create_token(project: String, name: String) -> Result<String, ServerFnError> {
    let actor = admin_actor().await?;
    let store = crate::ssr::store()?;
    let p = store.project(&project).await.map_err(crate::ssr::store_error)?;
    let (token, hash, prefix) = readyboard_auth::new_token("t");
    store.create_token(&actor, p.id, name.trim(), &hash, &prefix).await.map_err(crate::ssr::store_error)?;
    Ok(token)
}

/// Revokes an API token.
#[server]
pub async fn revoke_token(id: i64) -> Result<String, ServerFnError> {
    let actor = admin_actor().await?;
    crate::ssr::store()?.revoke_token(&actor, id).await.map_err(crate::ssr::store_error)?;
    Ok("Token revoked.".into())
}

const ROLES: [&str; 4] = ["viewer", "editor", "approver", "admin"];

/// The admin page.
#[component]
pub fn AdminPage() -> impl IntoView {
    let add_user = ServerAction::<CreateUser>::new();
    let set_role = ServerAction::<SetUserRole>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let add_project = ServerAction::<CreateProject>::new();
    let add_token = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let data = Resource::new(|| (), |_| get_admin());
    view! {
        <Title text="Admin"/>
        <div class="page-head"><h1>"Admin"</h1><p class="muted">"Users, API tokens and projects. Every change is written to the audit log."</p></div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(v) => view! {
                        <div class="grid-2">
                            <Users users=v.users set_role=set_role set_disabled=set_disabled add_user=add_user/>
                            <section class="section card">
                                <h2>"Projects"</h2>
                                <ul class="plain">
                                    {v.projects.iter().map(|(slug, name)| view! { <li><a href=format!("/p/{slug}")>{name.clone()}</a>" "<span class="muted small">{slug.clone()}</span></li> }).collect_view()}
                                </ul>
                                <NewProjectForm action=add_project open=true/>
                            </section>
                        </div>
                        <Tokens tokens=v.tokens projects=v.projects revoke=revoke add_token=add_token/>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

/// Users with their roles (changed in place) and the form adding one.
#[component]
fn Users(
    users: Vec<UserLine>,
    set_role: ServerAction<SetUserRole>,
    set_disabled: ServerAction<SetUserDisabled>,
    add_user: ServerAction<CreateUser>,
) -> impl IntoView {
    let access_sent = outcome_for::<SetUserDisabled>(None);
    let user_sent = outcome_for::<CreateUser>(None);
    let role_sent = outcome_for::<SetUserRole>(None);
    let new_role = kept(&user_sent, "role").unwrap_or_default();
    let new_user = kept(&user_sent, "username");
    let any_company = users.iter().any(|u| u.company);
    view! {
        <section class="section card">
            <h2>"Users"</h2>
            <div class="table-wrap users-wrap"><table class="table users">
                <thead><tr><th>"User"</th><th>"Role"</th><th>"Last login"</th><th>"Access"</th></tr></thead>
                <tbody>
                    {users.into_iter().map(|u| {
                        let verb = if u.disabled { "Enable" } else { "Disable" };
                        let access_label = format!("{verb} {}", u.username);
                        let access_name = u.username.clone();
                        view! {
                        <tr>
                            <td class="strong">
                                {u.username.clone()}{u.disabled.then_some(" (disabled)")}
                                {u.company.then(|| view! { " " <span class="chip">"company sign-in"</span> })}
                            </td>
                            <td>
                                <ActionForm action=set_role attr:class="inline-form">
                                    <input type="hidden" name="username" value=u.username.clone()/>
                                    <select name="role" aria-label=format!("Role of {}", u.username)>
                                        {ROLES.iter().map(|r| view! { <option value=*r selected=u.role == *r>{*r}</option> }).collect_view()}
                                    </select>
                                    <button type="submit" class="btn btn-quiet btn-small">"Save"</button>
                                </ActionForm>
                            </td>
                            <td class="muted"><span class="phone-label">"Last login: "</span>{u.last_login.unwrap_or_else(|| "never".into())}</td>
                            <td>
                                <ActionForm action=set_disabled attr:class="inline-form">
                                    <input type="hidden" name="username" value=access_name/>
                                    <input type="hidden" name="disabled" value=(!u.disabled).to_string()/>
                                    <button type="submit" class=if u.disabled { "btn btn-quiet btn-small" } else { "btn btn-quiet btn-small btn-danger" } aria-label=access_label>{verb}</button>
                                </ActionForm>
                            </td>
                        </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
            {any_company.then(|| view! {
                <p class="muted small">"Accounts marked “company sign-in” get their role from the provider's groups at each sign-in: a role saved here lasts until their next sign-in. Disable an account to stop it at once."</p>
            })}
            <OutcomeNote outcome=role_sent/>
            <OutcomeNote outcome=access_sent/>
            <h3>"Add a user"</h3>
            <ActionForm action=add_user attr:class="form form-row">
                <label>"Username"<input name="username" required value=new_user/></label>
                <label>"Password"<input name="password" type="password" minlength="10" autocomplete="new-password" required/></label>
                <label>"Role"<select name="role">{ROLES.iter().map(|r| view! { <option value=*r selected=new_role == *r>{*r}</option> }).collect_view()}</select></label>
                <button type="submit" class="btn btn-primary">"Add user"</button>
            </ActionForm>
            <OutcomeNote outcome=user_sent/>
        </section>
    }
}

/// Project API tokens (revoked in place) and the form creating one, which shows the new
/// token once.
#[component]
fn Tokens(
    tokens: Vec<ProjectTokenLine>,
    projects: Vec<(String, String)>,
    revoke: ServerAction<RevokeToken>,
    add_token: ServerAction<CreateToken>,
) -> impl IntoView {
    let token_sent = outcome_for::<CreateToken>(None);
    let revoke_sent = outcome_for::<RevokeToken>(None);
    let token_project = kept(&token_sent, "project").unwrap_or_default();
    let token_name = kept(&token_sent, "name");
    view! {
        <section class="section card">
            <h2>"API tokens"</h2>
            <p class="muted small">"Tokens let CI upload reports to one project. They are stored hashed and shown once."</p>
            <div class="table-wrap"><table class="table">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Project"</th><th scope="col">"Token"</th><th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col">"Status"</th></tr></thead>
                <tbody>
                    {tokens.into_iter().map(|ProjectTokenLine { project, token: t }| view! {
                        <tr class={if t.revoked { "revoked" } else { "" }}>
                            <td class="strong">{t.name}</td>
                            <td>{project}</td>
                            <td class="mono">{format!("{}…", t.prefix)}</td>
                            <td class="muted">{t.created}</td>
                            <td class="muted">{t.last_used.unwrap_or_else(|| "never".into())}</td>
                            <td>{if t.revoked {
                                view! { <span class="chip">"revoked"</span> }.into_any()
                            } else {
                                view! {
                                    <ActionForm action=revoke attr:class="inline-form">
                                        <input type="hidden" name="id" value=t.id/>
                                        <button type="submit" class="btn btn-danger btn-small">"Revoke"</button>
                                    </ActionForm>
                                }.into_any()
                            }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
            <OutcomeNote outcome=revoke_sent/>
            <h3>"Create a token"</h3>
            <ActionForm action=add_token attr:class="form form-row">
                <label>"Project"<select name="project" required>
                    {projects.into_iter().map(|(slug, name)| view! { <option value=slug.clone() selected=slug == token_project>{name}</option> }).collect_view()}
                </select></label>
                <label>"Name"<input name="name" placeholder="ci-main" required value=token_name/></label>
                <button type="submit" class="btn btn-primary">"Create token"</button>
            </ActionForm>
            {new_token_note(token_sent)}
        </section>
    }
}
