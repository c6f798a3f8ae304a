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

/// A server function's error as a person should read it.
///
/// `kind` and `detail` are the two halves of the error as server functions encode it
/// (`ServerError|That name is already taken.`); only errors the application raised itself
/// are worded for people, the rest are said plainly without their internals.
pub fn plain_message(kind: &str, detail: &str) -> String {
    match kind {
        "ServerError" | "" => field_rule(detail.trim()),
        "Args" | "MissingArg" | "Deserialization" => {
            "Some fields of the form were missing or not understood; check them and send it again.".into()
        }
        "Request" => "readyboard could not be reached; check the connection and try again.".into(),
        _ => "Something went wrong on the server; it has been logged.".into(),
    }
}

/// A rule a field broke, as the store words it (`title: between 1 and 200 characters`),
/// said as a request to the person (`Check the title: between 1 and 200 characters.`).
fn field_rule(detail: &str) -> String {
    match detail.split_once(": ") {
        Some((field, rule)) if !field.is_empty() && field.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
            let rule = rule.trim_end_matches('.');
            format!("Check the {}: {rule}.", field.replace('_', " "))
        }
        _ => detail.to_string(),
    }
}

/// An error as shown to people: the way server function errors print (`error running
/// server function: …`) put into plain words.
pub fn plain_error(text: &str) -> String {
    const KINDS: &[(&str, &str)] = &[
        ("error running server function: ", "ServerError"),
        ("ServerFnError: ", "ServerError"),
        ("error deserializing server function arguments: ", "Args"),
        ("missing argument ", "MissingArg"),
        ("error reaching server to call server function: ", "Request"),
        ("error deserializing server function results: ", "Deserialization"),
    ];
    for (prefix, kind) in KINDS {
        if let Some(detail) = text.strip_prefix(prefix) {
            return plain_message(kind, detail);
        }
    }
    match text.split_once('|') {
        Some((kind, detail)) if !kind.is_empty() && kind.chars().all(|c| c.is_ascii_alphabetic()) => {
            plain_message(kind, detail)
        }
        _ => text.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_function_errors_read_as_plain_words() {
        assert_eq!(plain_error("error running server function: That name is taken."), "That name is taken.");
        assert_eq!(plain_error("ServerError|Give a reason for the override."), "Give a reason for the override.");
        assert!(plain_error("Args|missing field `decision`").starts_with("Some fields of the form"));
        assert!(plain_error("missing argument id").starts_with("Some fields of the form"));
        assert_eq!(plain_error("Not found."), "Not found.");
        assert_eq!(plain_error("a | b"), "a | b", "a bar in a message is not an encoding");
        assert_eq!(
            plain_error("error running server function: due_date: YYYY-MM-DD"),
            "Check the due date: YYYY-MM-DD."
        );
    }

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
