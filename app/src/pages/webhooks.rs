//! The project page's webhooks (admins): the endpoints told of the project's changes, the
//! form that adds one, and the recent deliveries with a "Redeliver" button.

use leptos::prelude::*;
use readyboard_domain::webhooks::DeliveryStatus;

use crate::form_outcome::OutcomeNote;
use crate::types::{DeliveryLine, HookLine, WebhooksView};

/// Deliveries listed.
#[cfg(feature = "ssr")]
const LISTED: i64 = 25;

/// The signed-in admin, the store and the project of slug `project`, for the forms below.
#[cfg(feature = "ssr")]
async fn admin_and_project(
    project: &str,
) -> Result<(readyboard_store::Actor, readyboard_store::Store, i64), ServerFnError> {
    let u = crate::ssr::require(readyboard_domain::role::Role::Admin).await?;
    let store = crate::ssr::store()?;
    let p = store.project(project).await.map_err(crate::ssr::store_error)?;
    Ok((crate::ssr::actor(&u), store, p.id))
}

/// The webhooks section's data for project `project_id` as of `now`.
#[cfg(feature = "ssr")]
pub(crate) async fn webhooks_view(
    store: &readyboard_store::Store,
    project_id: i64,
    now: i64,
) -> Result<WebhooksView, ServerFnError> {
    let hooks = store.webhooks(project_id).await.map_err(crate::ssr::store_error)?;
    let deliveries = store.deliveries(project_id, LISTED).await.map_err(crate::ssr::store_error)?;
    Ok(WebhooksView {
        hooks: hooks
            .into_iter()
            .map(|h| HookLine {
                id: h.id,
                url: h.url,
                format: h.format,
                events: h.events.split(',').map(str::to_string).collect(),
            })
            .collect(),
        deliveries: deliveries
            .into_iter()
            .map(|d| DeliveryLine {
                id: d.id,
                url: d.url,
                event: d.event,
                next: (d.status == DeliveryStatus::Pending).then(|| {
                    if d.next_attempt_at <= now {
                        "now".to_string()
                    } else {
                        crate::format::until(now, d.next_attempt_at)
                    }
                }),
                status: d.status,
                attempts: d.attempts,
                code: d.last_code,
                error: d.last_error,
                queued: crate::format::ago(now, d.created_at),
            })
            .collect(),
        events: readyboard_store::WEBHOOK_EVENTS.iter().map(|(n, d)| (n.to_string(), d.to_string())).collect(),
    })
}

/// Registers an endpoint for the checked events (admins); the answer shows its signing
/// secret, once.
#[server]
pub async fn add_webhook(
    project: String,
    url: String,
    format: String,
    events: Option<Vec<String>>,
) -> Result<String, ServerFnError> {
    let (actor, store, project_id) = admin_and_project(&project).await?;
    let (secret, _, _) = readyboard_auth::new_token("whsec");
    let events = events.unwrap_or_default();
    let hook = store
        .create_webhook(&actor, project_id, &url, &format, &events, &secret)
        .await
        .map_err(crate::ssr::store_error)?;
    Ok(format!(
        "Webhook added for {}. Its signing secret, shown only now — give it to the receiver to check the \
         X-Readyboard-Signature header: {secret}",
        hook.url
    ))
}

/// Removes an endpoint (admins).
#[server]
pub async fn delete_webhook(project: String, id: i64) -> Result<String, ServerFnError> {
    let (actor, store, project_id) = admin_and_project(&project).await?;
    store.delete_webhook(&actor, project_id, id).await.map_err(crate::ssr::store_error)?;
    Ok("Webhook removed, with its deliveries.".to_string())
}

/// Sends a delivery again now (admins).
#[server]
pub async fn redeliver(project: String, id: i64) -> Result<String, ServerFnError> {
    let (actor, store, project_id) = admin_and_project(&project).await?;
    store.redeliver(&actor, project_id, id).await.map_err(crate::ssr::store_error)?;
    Ok(format!("Delivery #{id} will be sent again within a few seconds."))
}

/// The forms of the webhooks section, made once by the page.
#[derive(Clone, Copy)]
pub struct WebhookActions {
    add: ServerAction<AddWebhook>,
    delete: ServerAction<DeleteWebhook>,
    again: ServerAction<Redeliver>,
}

impl WebhookActions {
    /// The forms, for a page to make once.
    pub fn new() -> WebhookActions {
        WebhookActions { add: ServerAction::new(), delete: ServerAction::new(), again: ServerAction::new() }
    }
}

impl Default for WebhookActions {
    fn default() -> Self {
        WebhookActions::new()
    }
}

/// The webhooks section of a project page, for admins, drawn from the page's data.
#[component]
pub fn Webhooks(project: String, w: WebhooksView, actions: WebhookActions) -> impl IntoView {
    let WebhookActions { add, delete, again } = actions;
    let sent_add = crate::form_outcome::outcome_for::<AddWebhook>(None);
    let sent_delete = crate::form_outcome::outcome_for::<DeleteWebhook>(None);
    let sent_again = crate::form_outcome::outcome_for::<Redeliver>(None);
    let (for_list, for_form) = (project.clone(), project.clone());
    view! {
        <p class="muted">"Endpoints told of this project's changes as they happen: JSON, or a message for Slack, Mattermost or Microsoft Teams incoming webhooks. Each delivery is signed, queued in the database and retried with growing pauses for a day."</p>
        <HookList hooks=w.hooks project=for_list delete=delete/>
        <OutcomeNote outcome=sent_delete/>
        <details class="section card create-form">
            <summary>"Add a webhook"</summary>
            <ActionForm action=add attr:class="form form-grid">
                <input type="hidden" name="project" value=for_form/>
                <label>"URL"<input name="url" type="url" required placeholder="https://hooks.example.com/readyboard"/></label>
                <label>"Format"
                    <select name="format">
                        <option value="json">"JSON (signed)"</option>
                        <option value="slack">"Chat message (Slack, Mattermost, Teams)"</option>
                    </select>
                </label>
                <fieldset class="events wide">
                    <legend>"Events"</legend>
                    {w.events.into_iter().map(|(name, about)| view! {
                        <label class="check"><input type="checkbox" name="events[]" value=name.clone() checked/>
                            <code>{name}</code>" — "{about}</label>
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="btn btn-primary">"Add webhook"</button>
            </ActionForm>
        </details>
        <OutcomeNote outcome=sent_add/>
        <Deliveries deliveries=w.deliveries project=project again=again/>
        <OutcomeNote outcome=sent_again/>
    }
}

/// The registered endpoints, each with a button that removes it.
#[component]
fn HookList(hooks: Vec<HookLine>, project: String, delete: ServerAction<DeleteWebhook>) -> impl IntoView {
    if hooks.is_empty() {
        return view! { <p class="muted">"No webhooks yet."</p> }.into_any();
    }
    view! {
        <ul class="hooks">
            {hooks.into_iter().map(|h| {
                let project = project.clone();
                view! {
                <li>
                    <code class="hook-url">{h.url}</code>" "
                    <span class="chip">{h.format}</span>
                    <span class="muted small">{format!(" {}", h.events.join(", "))}</span>
                    <ActionForm action=delete attr:class="inline">
                        <input type="hidden" name="project" value=project/>
                        <input type="hidden" name="id" value=h.id/>
                        <button type="submit" class="btn btn-quiet">"Remove"</button>
                    </ActionForm>
                </li>
            }}).collect_view()}
        </ul>
    }
    .into_any()
}

/// The newest deliveries, with what came of each and a "Redeliver" button.
#[component]
fn Deliveries(deliveries: Vec<DeliveryLine>, project: String, again: ServerAction<Redeliver>) -> impl IntoView {
    if deliveries.is_empty() {
        return view! { <p class="muted">"No deliveries yet."</p> }.into_any();
    }
    view! {
        <h3>"Recent deliveries"</h3>
        <div class="table-wrap">
            <table class="table deliveries">
                <thead><tr><th>"Delivery"</th><th>"Event"</th><th>"Status"</th><th class="num">"Attempts"</th><th>"Last answer"</th><th>"Queued"</th><th></th></tr></thead>
                <tbody>
                    {deliveries.into_iter().map(|d| {
                        let status_class = match d.status {
                            DeliveryStatus::Delivered => "status status-pass",
                            DeliveryStatus::Failed => "status status-fail",
                            DeliveryStatus::Pending => "status status-warn",
                        };
                        let status = match &d.next {
                            Some(next) => format!("{} · next try {next}", d.status),
                            None => d.status.to_string(),
                        };
                        let project = project.clone();
                        let answer = match (d.code, &d.error) {
                            (_, Some(e)) => e.clone(),
                            (Some(code), None) => format!("HTTP {code}"),
                            (None, None) => "—".to_string(),
                        };
                        view! {
                            <tr>
                                <td>{format!("#{}", d.id)}<div class="muted small hook-url">{d.url}</div></td>
                                <td><code>{d.event}</code></td>
                                <td><span class=status_class>{status}</span></td>
                                <td class="num">{d.attempts}</td>
                                <td class="muted small">{answer}</td>
                                <td class="muted">{d.queued}</td>
                                <td>
                                    <ActionForm action=again attr:class="inline">
                                        <input type="hidden" name="project" value=project/>
                                        <input type="hidden" name="id" value=d.id/>
                                        <button type="submit" class="btn btn-quiet">"Redeliver"</button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
