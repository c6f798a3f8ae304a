//! Browser entry point: the islands of the server-rendered page (its few interactive parts)
//! hydrate; the rest of the page is plain HTML and needs no code here.
// Deeply nested view types of the larger pages exceed the default query depth.
#![recursion_limit = "256"]

// Linked for its islands: each exports its hydrate function to the JS loader, which finds
// them by name; nothing here calls them.
extern crate readyboard_app;

/// Called by the generated JS loader once the wasm module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Lets browser tests (and curious people) know the page's code is running.
    let _ = js_sys::Reflect::set(&js_sys::global(), &"__READYBOARD_HYDRATED".into(), &true.into());
}
