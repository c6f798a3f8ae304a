//! The outcome of a form posted without JavaScript: the server sends the browser back to
//! the page with the form, and the page shows what happened beside it. A failed form shows
//! the reason in plain words with what was typed still in its fields.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::widgets::ErrorBox;

/// What a form sent, and what came of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FormOutcome {
    /// The path the form posted to (a server function's path or a form route).
    pub action: String,
    /// The fields as sent, in order.
    pub fields: Vec<(String, String)>,
    /// What happened (or why it failed), in plain words.
    pub message: String,
    /// Whether the form failed.
    pub failed: bool,
}

impl FormOutcome {
    /// The value sent for the field `name`, if any.
    pub fn sent(&self, name: &str) -> Option<String> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }
}

/// The form outcome this page shows, if the request that rendered it carried one.
#[derive(Debug, Clone, Default)]
pub struct PageOutcome(pub Option<FormOutcome>);

/// Makes the form outcome the server attached to this request (if any) available to the
/// forms of the page, on the server and, after hydration, in the browser alike.
pub fn provide_page_outcome() {
    let outcome = SharedValue::new(server_side_outcome).into_inner();
    #[cfg(feature = "ssr")]
    if outcome.as_ref().is_some_and(|o| o.failed)
        && let Some(opts) = use_context::<leptos_axum::ResponseOptions>()
    {
        // A page showing a failed form is not the page as it stands: not kept, not a 200.
        opts.set_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    }
    provide_context(PageOutcome(outcome));
}

#[cfg(feature = "ssr")]
fn server_side_outcome() -> Option<FormOutcome> {
    use_context::<axum::http::request::Parts>().and_then(|p| p.extensions.get::<FormOutcome>().cloned())
}

#[cfg(not(feature = "ssr"))]
fn server_side_outcome() -> Option<FormOutcome> {
    None
}

/// The outcome of the form posting to `action`, when this page answers it. `instance`
/// (a field name and value) tells apart several forms posting to the same place.
pub fn outcome_of(action: &str, instance: Option<(&str, &str)>) -> Option<FormOutcome> {
    let PageOutcome(outcome) = use_context::<PageOutcome>()?;
    let outcome = outcome.filter(|o| o.action == action)?;
    match instance {
        Some((name, value)) if outcome.sent(name).as_deref() != Some(value) => None,
        _ => Some(outcome),
    }
}

/// The outcome of the form calling the server function `S`, when this page answers it.
pub fn outcome_for<S: leptos::server_fn::ServerFn>(instance: Option<(&str, &str)>) -> Option<FormOutcome> {
    outcome_of(S::PATH, instance)
}

/// The value to show again in the field `name` of a form that failed.
pub fn kept(outcome: &Option<FormOutcome>, name: &str) -> Option<String> {
    outcome.as_ref().filter(|o| o.failed).and_then(|o| o.sent(name))
}

/// Whether the form of `outcome` failed (its section is then shown open).
pub fn failed(outcome: &Option<FormOutcome>) -> bool {
    outcome.as_ref().is_some_and(|o| o.failed)
}

/// What came of a form, beside it, until the form is sent again.
#[component]
pub fn OutcomeNote(outcome: Option<FormOutcome>, #[prop(into)] sent_again: Signal<bool>) -> impl IntoView {
    move || {
        outcome.as_ref().filter(|_| !sent_again.get()).map(|o| {
            if o.failed {
                view! { <ErrorBox message=o.message.clone()/> }.into_any()
            } else {
                view! { <p class="alert alert-ok" role="status">{o.message.clone()}</p> }.into_any()
            }
        })
    }
}

/// What came of a form sent by `action`: its answer once the page made the call, or else
/// the outcome of the form sent without JavaScript (hidden while the call is under way).
#[component]
pub fn ActionNote<S>(action: ServerAction<S>, sent: Option<FormOutcome>) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Output = String, Error = ServerFnError> + Clone + Send + Sync + 'static,
{
    let (value, pending) = (action.value(), action.pending());
    move || match value.get() {
        Some(Ok(msg)) => view! { <p class="alert alert-ok" role="status">{msg}</p> }.into_any(),
        Some(Err(e)) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
        None => view! { <OutcomeNote outcome=sent.clone() sent_again=pending/> }.into_any(),
    }
}

/// Counts the calls of `action` that succeeded: pages refetch on it, so a refused form
/// stays as typed, open, with the reason beside it.
pub fn successes<S>(action: ServerAction<S>) -> ReadSignal<usize>
where
    S: leptos::server_fn::ServerFn<Output = String> + Clone + Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let (count, set_count) = signal(0usize);
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            set_count.update(|n| *n += 1);
        }
    });
    count
}

/// Folds `details` (and empties `form`, when given) each time `done` turns true: a saved
/// form closes. (A re-rendered page keeps its elements, and with them whatever the person
/// had opened or typed.)
pub fn fold_when(
    done: impl Fn() -> bool + Send + Sync + 'static,
    details: NodeRef<leptos::html::Details>,
    form: Option<NodeRef<leptos::html::Form>>,
) {
    Effect::new(move |_| {
        if done() {
            if let Some(d) = details.get_untracked() {
                d.set_open(false);
            }
            if let Some(f) = form.and_then(|f| f.get_untracked()) {
                f.reset();
            }
        }
    });
}

/// The fold and the form of a form sent by `action`, folded and emptied once it succeeds.
pub fn fold_on_success<S>(action: ServerAction<S>) -> (NodeRef<leptos::html::Details>, NodeRef<leptos::html::Form>)
where
    S: leptos::server_fn::ServerFn<Output = String> + Clone + Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let (fold, form) = (NodeRef::new(), NodeRef::new());
    fold_when(move || action.value().with(|v| matches!(v, Some(Ok(_)))), fold, Some(form));
    (fold, form)
}

/// A token a form just made, shown once: from the action's answer, or without JavaScript
/// from the outcome of the form the page returns to; a refusal shows as an error.
pub fn new_token_note<S>(action: ServerAction<S>, sent: Option<FormOutcome>) -> impl IntoView
where
    S: leptos::server_fn::ServerFn<Output = String> + Clone + Send + Sync + 'static,
    S::Error: Clone + std::fmt::Display + Send + Sync + 'static,
{
    let value = action.value();
    move || {
        let sent = sent.clone().map(|o| if o.failed { Err(o.message) } else { Ok(o.message) });
        match value.get().map(|r| r.map_err(|e| e.to_string())).or(sent) {
            Some(Ok(token)) => view! {
                <div class="alert alert-ok" role="status">
                    <p>"Copy this token now; it will not be shown again:"</p>
                    <code class="token" data-testid="new-token">{token}</code>
                </div>
            }
            .into_any(),
            Some(Err(e)) => view! { <crate::components::widgets::ErrorBox message=e/> }.into_any(),
            None => ().into_any(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_keeps_each_field_as_sent() {
        let f = FormOutcome {
            action: "/api/x".into(),
            fields: vec![("rationale".into(), "because".into()), ("id".into(), "7".into())],
            message: "No.".into(),
            failed: true,
        };
        assert_eq!(kept(&Some(f.clone()), "rationale").as_deref(), Some("because"));
        assert_eq!(kept(&Some(f.clone()), "missing"), None);
        let done = FormOutcome { failed: false, ..f };
        assert_eq!(kept(&Some(done), "rationale"), None, "a form that worked starts empty again");
    }
}
