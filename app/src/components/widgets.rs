//! Small display widgets: verdict badge, score ring, error box, counts.

use leptos::prelude::*;

use crate::format;

/// A verdict badge ("READY", "NO-GO", …).
#[component]
pub fn VerdictBadge(verdict: String) -> impl IntoView {
    view! { <span class=format::verdict_class(&verdict)>{format::verdict_label(&verdict)}</span> }
}

/// A big score number with its verdict colour.
#[component]
pub fn ScoreBig(score: Option<f64>, verdict: String) -> impl IntoView {
    let cls = format!("score-big {}", format::verdict_class(&verdict).replace("verdict ", "tone-"));
    view! {
        <div class=cls>
            <span class="score-num">{format::score(score)}</span>
            <span class="score-max">"/ 100"</span>
        </div>
    }
}

/// An error message box.
#[component]
pub fn ErrorBox(message: String) -> impl IntoView {
    let text =
        message.trim_start_matches("error running server function: ").trim_start_matches("ServerFnError: ").to_string();
    view! { <div class="alert alert-error" role="alert">{text}</div> }
}

/// A pass/fail/skip bar proportional to the counts.
#[component]
pub fn CountsBar(passed: i64, failed: i64, skipped: i64) -> impl IntoView {
    let total = (passed + failed + skipped).max(1) as f64;
    let pct = |n: i64| format!("width: {:.2}%", n as f64 * 100.0 / total);
    view! {
        <div class="bar" role="img" aria-label=format!("{passed} passed, {failed} failed, {skipped} skipped")>
            <span class="bar-pass" style=pct(passed)></span>
            <span class="bar-fail" style=pct(failed)></span>
            <span class="bar-skip" style=pct(skipped)></span>
        </div>
    }
}

/// The loading placeholder.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted loading">"Loading…"</p> }
}
