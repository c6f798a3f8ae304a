//! The outcome of a form: the server sends the browser back to the page with the form, and
//! the page shows what happened beside it. A failed form shows the reason in plain words
//! with what was typed still in its fields.

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
/// forms of the page.
pub fn provide_page_outcome() {
    let outcome = server_side_outcome();
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

/// What came of a form, beside it.
#[component]
pub fn OutcomeNote(outcome: Option<FormOutcome>) -> impl IntoView {
    outcome.map(|o| {
        if o.failed {
            view! { <ErrorBox message=o.message/> }.into_any()
        } else {
            view! { <p class="alert alert-ok" role="status">{o.message}</p> }.into_any()
        }
    })
}

/// A token a form just made, shown once from the outcome of the form the page returns to;
/// a refusal shows as an error.
pub fn new_token_note(sent: Option<FormOutcome>) -> impl IntoView {
    sent.map(|o| {
        if o.failed {
            view! { <crate::components::widgets::ErrorBox message=o.message/> }.into_any()
        } else {
            view! {
                <div class="alert alert-ok" role="status">
                    <p>"Copy this token now; it will not be shown again:"</p>
                    <code class="token" data-testid="new-token">{o.message}</code>
                </div>
            }
            .into_any()
        }
    })
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
