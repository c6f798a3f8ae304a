//! Browser entry point: hydrates the server-rendered page.
// Deeply nested view types of the larger pages exceed the default query depth.
#![recursion_limit = "256"]

/// Called by the generated JS loader once the wasm module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(readyboard_app::App);
    // Lets browser tests (and curious people) know the page is interactive.
    let _ = js_sys::Reflect::set(&js_sys::global(), &"__READYBOARD_HYDRATED".into(), &true.into());
}
