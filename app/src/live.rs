//! Live pages: a page showing projects or a phase is put in place again when the server
//! says something in it changed. The page marks what it follows (`follow`); the header's
//! `LiveStatus` island opens one `EventSource` per tab on `/api/v1/events?project=&phase=`
//! (the server's `live` module) and, on each change, fetches the page afresh and swaps its
//! `<main>` in — waiting while the reader is filling in a form. Without JavaScript the page
//! is complete all the same; it just does not move.

use leptos::prelude::*;

/// What the tab's event stream follows: a project and phase, a project, or every project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The project's slug; `None` for every project the reader may see.
    pub project: Option<String>,
    /// The phase's slug, within `project`.
    pub phase: Option<String>,
}

impl Scope {
    /// The URL of the stream for this scope.
    pub fn url(&self) -> String {
        let mut url = String::from("/api/v1/events");
        let mut sep = '?';
        for (name, value) in [("project", &self.project), ("phase", &self.phase)] {
            if let Some(v) = value {
                url.push(sep);
                url.push_str(name);
                url.push('=');
                url.push_str(&crate::format::query_value(v));
                sep = '&';
            }
        }
        url
    }
}

/// The state of the tab's event stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// No stream: the page does not follow anything, or the server refused.
    Off,
    /// Open: the page moves when something in it changes.
    Open,
    /// Lost; the browser is reconnecting.
    Reconnecting,
}

/// The mark of a page following `scope`, for its view: the header's live status opens
/// that stream.
pub fn follow(scope: Scope) -> impl IntoView {
    view! { <span hidden data-live-scope=scope.url()></span> }
}

/// Says whether the page updates by itself: "Live" while the tab's stream is open,
/// "Reconnecting…" while it is lost, nothing otherwise (and without JavaScript).
#[island]
pub fn LiveStatus() -> impl IntoView {
    let connection = RwSignal::new(Connection::Off);
    #[cfg(feature = "hydrate")]
    browser::follow_page(connection);
    move || {
        let (class, text, title) = match connection.get() {
            Connection::Off => return None,
            Connection::Open => {
                ("live-status live-on", "Live", "This page updates by itself when anything in it changes.")
            }
            Connection::Reconnecting => (
                "live-status live-lost",
                "Reconnecting…",
                "The connection for updates was lost and is being restored; reload to be sure the page is current.",
            ),
        };
        Some(view! {
            <span class=class title=title>
                <span class="live-dot" aria-hidden="true"></span>
                <span class="live-text">{text}</span>
            </span>
        })
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;
    use std::rc::Rc;

    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Document, DomParser, Event, EventSource, HtmlDetailsElement, HtmlInputElement, HtmlTextAreaElement};
    use web_sys::{Response, SupportedType};

    use super::Connection;

    /// An open stream and the listeners it calls.
    struct Stream {
        source: EventSource,
        _listeners: Vec<Closure<dyn FnMut(Event)>>,
    }

    impl Drop for Stream {
        fn drop(&mut self) {
            self.source.close();
        }
    }

    fn document() -> Option<Document> {
        web_sys::window().and_then(|w| w.document())
    }

    /// Whether the reader is editing a form: a field has the focus, or a field's value
    /// differs from the one the page gave it. The page put in place again meanwhile would
    /// lose what they typed.
    fn editing() -> bool {
        let Some(doc) = document() else { return false };
        if doc.active_element().is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")) {
            return true;
        }
        // A form unfolded to be used ("Manage", "Add a blocker", "Phase settings"…): put in
        // place again, it would fold under the reader's pointer.
        if doc.query_selector("main details[open] form").ok().flatten().is_some() {
            return true;
        }
        let Ok(fields) = doc.query_selector_all("form input, form textarea") else { return false };
        (0..fields.length()).filter_map(|i| fields.item(i)).any(|node| {
            if let Some(input) = node.dyn_ref::<HtmlInputElement>() {
                match input.type_().as_str() {
                    "hidden" | "submit" | "button" => false,
                    "checkbox" | "radio" => input.checked() != input.default_checked(),
                    _ => input.value() != input.default_value(),
                }
            } else {
                node.dyn_ref::<HtmlTextAreaElement>()
                    .is_some_and(|area| area.default_value().is_ok_and(|given| area.value() != given))
            }
        })
    }

    /// Counts the changes the tab was told of on `<html data-live-received>`, applied or not
    /// yet (what tests and curious readers can watch).
    fn mark_received() {
        let Some(root) = document().and_then(|d| d.document_element()) else { return };
        let seen = root.get_attribute("data-live-received").and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
        let _ = root.set_attribute("data-live-received", &(seen + 1).to_string());
    }

    /// Where the tab stands with changes: none waiting, or one waiting for the reader to
    /// finish a form or for the page being fetched.
    #[derive(Default)]
    struct Pending {
        waiting: Cell<bool>,
        fetching: Cell<bool>,
        again: Cell<bool>,
    }

    /// Puts the page in place again now, or — while the reader is editing a form — once
    /// they are done (looking again every second).
    fn refresh_when_idle(pending: Rc<Pending>) {
        if editing() {
            if !pending.waiting.replace(true) {
                set_timeout(
                    move || {
                        pending.waiting.set(false);
                        refresh_when_idle(pending);
                    },
                    std::time::Duration::from_secs(1),
                );
            }
            return;
        }
        if pending.fetching.replace(true) {
            // A fetch is under way; it may have started before this change: fetch once more.
            pending.again.set(true);
            return;
        }
        leptos::task::spawn_local(async move {
            let put = refresh().await;
            pending.fetching.set(false);
            if pending.again.replace(false) || put == Ok(false) {
                refresh_when_idle(pending);
            }
        });
    }

    /// Fetches the page afresh and swaps its `<main>` in; `Ok(false)` if the reader began
    /// editing meanwhile (nothing swapped), and nothing happens when the page is gone or
    /// the session has ended (a reload then says why).
    async fn refresh() -> Result<bool, JsValue> {
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let href = window.location().href()?;
        let response: Response = JsFuture::from(window.fetch_with_str(&href)).await?.dyn_into()?;
        if !response.ok() || response.redirected() {
            return Ok(true);
        }
        let text = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
        let fresh = DomParser::new()?.parse_from_string(&text, SupportedType::TextHtml)?;
        let doc = window.document().ok_or(JsValue::NULL)?;
        let (Some(shown), Some(new)) = (doc.query_selector("main")?, fresh.query_selector("main")?) else {
            return Ok(true);
        };
        if editing() {
            return Ok(false);
        }
        // Sections the reader opened or folded stay so.
        let opened: Vec<bool> = details(&shown).iter().map(|d| d.open()).collect();
        let new_details = details(&new);
        if opened.len() == new_details.len() {
            for (d, open) in new_details.iter().zip(opened) {
                d.set_open(open);
            }
        }
        shown.set_inner_html(&new.inner_html());
        doc.set_title(&fresh.title());
        Ok(true)
    }

    /// The `<details>` elements under `root`, in document order.
    fn details(root: &web_sys::Element) -> Vec<HtmlDetailsElement> {
        let Ok(list) = root.query_selector_all("details") else { return Vec::new() };
        (0..list.length()).filter_map(|i| list.item(i)).filter_map(|n| n.dyn_into().ok()).collect()
    }

    /// Opens the stream at `url` and listens to it; `None` if the browser refuses.
    fn open(url: &str, connection: RwSignal<Connection>) -> Option<Stream> {
        let source = EventSource::new(url).ok()?;
        let pending = Rc::new(Pending::default());
        let changed = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            mark_received();
            refresh_when_idle(pending.clone());
        });
        let opened = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            connection.try_set(Connection::Open);
        });
        let lost = {
            let source = source.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                // Closed: the server refused (the browser does not retry); else retrying.
                let closed = source.ready_state() == EventSource::CLOSED;
                connection.try_set(if closed { Connection::Off } else { Connection::Reconnecting });
            })
        };
        for (name, listener) in [("change", &changed), ("open", &opened), ("error", &lost)] {
            if source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref()).is_err() {
                source.close();
                return None;
            }
        }
        Some(Stream { source, _listeners: vec![changed, opened, lost] })
    }

    /// Opens the stream of the scope the page follows (if it follows one) for as long as
    /// the page is shown.
    pub(super) fn follow_page(connection: RwSignal<Connection>) {
        let url = document()
            .and_then(|d| d.query_selector("[data-live-scope]").ok().flatten())
            .and_then(|e| e.get_attribute("data-live-scope"));
        if let Some(stream) = url.and_then(|url| open(&url, connection)) {
            // Kept with the island, which lives as long as the page.
            StoredValue::new_local(stream);
        }
    }
}
