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

/// The tab's live state: what the shown page follows, and a count of the changes seen.
#[derive(Clone, Copy)]
struct Live {
    changes: RwSignal<usize>,
    scope: RwSignal<Option<(u64, Scope)>>,
    next_owner: StoredValue<u64>,
}

/// Provides the live state to the app and, in the browser, keeps the tab's one event
/// stream open on the shown page's scope.
pub fn provide_live() {
    let live = Live { changes: RwSignal::new(0usize), scope: RwSignal::new(None), next_owner: StoredValue::new(0) };
    provide_context(live);
    #[cfg(feature = "hydrate")]
    browser::keep_stream(live.changes, live.scope);
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
            live.scope.update(|s| {
                if s.as_ref().is_none_or(|(_, old)| *old != scope) {
                    *s = Some((owner, scope));
                }
            });
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
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{EventSource, MessageEvent};

    use super::Scope;

    /// An open stream and the listener it calls.
    struct Stream {
        source: EventSource,
        _listener: Closure<dyn FnMut(MessageEvent)>,
    }

    impl Drop for Stream {
        fn drop(&mut self) {
            self.source.close();
        }
    }

    /// Opens the stream of each scope the shown page follows, closing the previous one.
    pub(super) fn keep_stream(changes: RwSignal<usize>, scope: RwSignal<Option<(u64, Scope)>>) {
        let current = StoredValue::new_local(None::<(Scope, Stream)>);
        Effect::new(move |_| {
            let wanted = scope.with(|s| s.as_ref().map(|(_, scope)| scope.clone()));
            let same = current.with_value(|c| c.as_ref().map(|(s, _)| s) == wanted.as_ref());
            if same {
                return;
            }
            // The old stream closes as it is dropped.
            current.set_value(None);
            let Some(wanted) = wanted else { return };
            let Ok(source) = EventSource::new(&wanted.url()) else { return };
            let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |_: MessageEvent| {
                changes.update(|n| *n += 1);
            });
            if source.add_event_listener_with_callback("change", listener.as_ref().unchecked_ref()).is_err() {
                source.close();
                return;
            }
            current.set_value(Some((wanted, Stream { source, _listener: listener })));
        });
    }
}
