//! Live pages: a page showing projects or a phase fetches its data again when the server
//! says something in it changed, through one `EventSource` per tab on
//! `/api/v1/events?project=&phase=` (the server's `live` module). Without JavaScript the
//! page is complete all the same; it just does not move.

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

/// The tab's live state: what the shown page follows, a count of the changes seen, and the
/// state of the stream.
#[derive(Clone, Copy)]
struct Live {
    changes: RwSignal<usize>,
    scope: RwSignal<Option<(u64, Scope)>>,
    next_owner: StoredValue<u64>,
    connection: RwSignal<Connection>,
}

/// Provides the live state to the app and, in the browser, keeps the tab's one event
/// stream open on the shown page's scope.
pub fn provide_live() {
    let live = Live {
        changes: RwSignal::new(0usize),
        scope: RwSignal::new(None),
        next_owner: StoredValue::new(0),
        connection: RwSignal::new(Connection::Off),
    };
    provide_context(live);
    #[cfg(feature = "hydrate")]
    browser::keep_stream(live);
}

/// Says whether the page updates by itself: "Live" while the tab's stream is open,
/// "Reconnecting…" while it is lost, nothing otherwise (and without JavaScript).
#[component]
pub fn LiveStatus() -> impl IntoView {
    let connection = use_context::<Live>().map(|l| l.connection);
    move || {
        let (class, text, title) = match connection.map(|c| c.get()).unwrap_or(Connection::Off) {
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

/// Follows `scope` while the calling page is shown; returns the count of changes seen,
/// for the page's resources to depend on so that they fetch again after each change.
pub fn follow(scope: impl Fn() -> Scope + Send + Sync + 'static) -> Signal<usize> {
    let Some(live) = use_context::<Live>() else { return Signal::stored(0) };
    let owner = live.next_owner.get_value() + 1;
    live.next_owner.set_value(owner);
    if cfg!(feature = "hydrate") {
        Effect::new(move |_| {
            let scope = scope();
            // Only a different scope is news: the same one is taken over quietly (so that the
            // page shown before does not close it as it goes), without making the stream's
            // effect run again for nothing.
            let different = live.scope.with_untracked(|s| s.as_ref().is_none_or(|(_, old)| *old != scope));
            if different {
                live.scope.set(Some((owner, scope)));
            } else {
                live.scope.update_untracked(|s| *s = Some((owner, scope)));
            }
        });
        on_cleanup(move || {
            // Only if no page shown since has taken the stream over.
            if live.scope.try_with_untracked(|s| s.as_ref().is_some_and(|(o, _)| *o == owner)) == Some(true) {
                live.scope.set(None);
            }
        });
    }
    live.changes.into()
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;
    use std::rc::Rc;

    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{Event, EventSource, HtmlInputElement, HtmlTextAreaElement};

    use super::{Connection, Live, Scope};

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

    /// Whether the reader is editing a form: a field has the focus, or a field's value
    /// differs from the one the page gave it. A page fetched again meanwhile would be drawn
    /// anew, and what they typed would be gone.
    fn editing() -> bool {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return false };
        if doc.active_element().is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")) {
            return true;
        }
        // A form unfolded to be used ("Manage", "Add a blocker", "Phase settings"…): drawn
        // anew, it would fold under the reader's pointer.
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
        let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else {
            return;
        };
        let seen = root.get_attribute("data-live-received").and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
        let _ = root.set_attribute("data-live-received", &(seen + 1).to_string());
    }

    /// Counts a change now, or — while the reader is editing a form — once they are done
    /// (looking again every second).
    ///
    /// `waiting` is plain data, not a reactive value: it outlives the effect run that opened
    /// the stream (a reactive one was disposed when that effect ran again, and the next
    /// change panicked on it).
    fn count_when_idle(live: Live, waiting: Rc<Cell<bool>>) {
        if !editing() {
            waiting.set(false);
            live.changes.try_update(|n| *n += 1);
            return;
        }
        if waiting.replace(true) {
            return;
        }
        set_timeout(
            move || {
                waiting.set(false);
                count_when_idle(live, waiting);
            },
            std::time::Duration::from_secs(1),
        );
    }

    /// Opens the stream of `scope` and listens to it; `None` if the browser refuses.
    fn open(scope: &Scope, live: Live) -> Option<Stream> {
        let source = EventSource::new(&scope.url()).ok()?;
        let waiting = Rc::new(Cell::new(false));
        let changed = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            mark_received();
            count_when_idle(live, waiting.clone());
        });
        let opened = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            live.connection.try_set(Connection::Open);
        });
        let lost = {
            let source = source.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                // Closed: the server refused (the browser does not retry); else retrying.
                let closed = source.ready_state() == EventSource::CLOSED;
                live.connection.try_set(if closed { Connection::Off } else { Connection::Reconnecting });
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

    /// Opens the stream of each scope the shown page follows, closing the previous one.
    pub(super) fn keep_stream(live: Live) {
        let current = StoredValue::new_local(None::<(Scope, Stream)>);
        Effect::new(move |_| {
            let wanted = live.scope.with(|s| s.as_ref().map(|(_, scope)| scope.clone()));
            let same = current.with_value(|c| c.as_ref().map(|(s, _)| s) == wanted.as_ref());
            if same {
                return;
            }
            // The old stream closes as it is dropped.
            current.set_value(None);
            live.connection.set(Connection::Off);
            if let Some(wanted) = wanted
                && let Some(stream) = open(&wanted, live)
            {
                current.set_value(Some((wanted, stream)));
            }
        });
    }
}
