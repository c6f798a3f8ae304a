//! [`Settled`]: a page's content once its data is there, built when the page is written and
//! written straight into it.
//!
//! A page renders its data inside a `<Transition>`, so the renderer treats everything inside as
//! possibly asynchronous: each element's tags go through scratch strings of their own before
//! they are copied into the page. Content whose data has arrived has nothing left to wait
//! for, and is better written the way a synchronous view is, directly into the page's buffer
//! (docs/BENCHMARKS.md, 2026-12-04 18:30 UTC, measures what it saves). Like Leptos's
//! `Unsuspend`, it also defers building the content until the page is written: the server
//! walks a `<Transition>`'s branch once to find the resources it reads, then again for real.
//!
//! Only for content that reads no resource and holds no `<Suspense>` or `<Transition>` of its
//! own: written synchronously, those would show their fallback.

use leptos::tachys::html::attribute::Attribute;
use leptos::tachys::html::attribute::any_attribute::AnyAttribute;
use leptos::tachys::hydration::Cursor;
use leptos::tachys::ssr::StreamBuilder;
use leptos::tachys::view::add_attr::AddAnyAttr;
use leptos::tachys::view::{Position, PositionState, Render, RenderHtml};

/// Content built from data that is all there (see the module's documentation).
pub struct Settled<T>(Box<dyn FnOnce() -> T + Send>);

impl<T> Settled<T> {
    /// Content `build` makes when the page is written.
    pub fn new(build: impl FnOnce() -> T + Send + 'static) -> Self {
        Settled(Box::new(build))
    }
}

impl<T: Render> Render for Settled<T> {
    type State = T::State;

    fn build(self) -> Self::State {
        (self.0)().build()
    }

    fn rebuild(self, state: &mut Self::State) {
        (self.0)().rebuild(state);
    }
}

impl<T: AddAnyAttr + 'static> AddAnyAttr for Settled<T> {
    type Output<SomeNewAttr: Attribute> = Settled<T::Output<SomeNewAttr::CloneableOwned>>;

    fn add_any_attr<NewAttr: Attribute>(self, attr: NewAttr) -> Self::Output<NewAttr>
    where
        Self::Output<NewAttr>: RenderHtml,
    {
        let attr = attr.into_cloneable_owned();
        Settled::new(move || (self.0)().add_any_attr(attr))
    }
}

impl<T: RenderHtml + 'static> RenderHtml for Settled<T> {
    type AsyncOutput = Self;
    type Owned = Self;

    const MIN_LENGTH: usize = T::MIN_LENGTH;

    fn dry_resolve(&mut self) {}

    async fn resolve(self) -> Self::AsyncOutput {
        self
    }

    fn to_html_with_buf(
        self,
        buf: &mut String,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) {
        (self.0)().to_html_with_buf(buf, position, escape, mark_branches, extra_attrs);
    }

    /// Written synchronously, straight into the page's buffer: the point of this type.
    fn to_html_async_with_buf<const OUT_OF_ORDER: bool>(
        self,
        buf: &mut StreamBuilder,
        position: &mut Position,
        escape: bool,
        mark_branches: bool,
        extra_attrs: Vec<AnyAttribute>,
    ) where
        Self: Sized,
    {
        buf.with_buf(|buf| self.to_html_with_buf(buf, position, escape, mark_branches, extra_attrs));
    }

    fn hydrate<const FROM_SERVER: bool>(self, cursor: &Cursor, position: &PositionState) -> Self::State {
        (self.0)().hydrate::<FROM_SERVER>(cursor, position)
    }

    fn into_owned(self) -> Self::Owned {
        self
    }
}
