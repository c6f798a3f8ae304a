//! Small display widgets: verdict badge, score ring, error box, counts.

use leptos::prelude::*;

use readyboard_domain::model::Counts;

use crate::format;

/// The verdict the evidence supports ("Evidence: READY"), never to be confused with a
/// recorded decision ("Decision: GO").
#[component]
pub fn VerdictBadge(verdict: readyboard_domain::scoring::Verdict) -> impl IntoView {
    view! {
        <span class=format::verdict_class(verdict) title="Computed from the evidence">
            <span class="badge-kind">"Evidence: "</span>{verdict.label()}
        </span>
    }
}

/// The phase score, big, in its verdict's colour, labelled as the phase's (not a report's).
#[component]
pub fn ScoreBig(score: Option<f64>, verdict: readyboard_domain::scoring::Verdict) -> impl IntoView {
    let cls = format!("score-big {}", format::verdict_class(verdict).replace("verdict ", "tone-"));
    view! {
        <div class=cls>
            <span class="score-num">{format::score(score)}</span>
            <span class="score-max">"/ 100"</span>
            <span class="score-what">"phase score"</span>
        </div>
    }
}

/// An error message box.
#[component]
pub fn ErrorBox(message: String) -> impl IntoView {
    let text = crate::plain_error::plain_error(&message);
    view! { <div class="alert alert-error" role="alert">{text}</div> }
}

/// A bar of the checks that enter the score — passed, partial, failed or errors, not run —
/// with the same counts in words, and the skipped ones the formula leaves out.
#[component]
pub fn CountsBar(counts: Counts) -> impl IntoView {
    let total = counts.scored().max(1);
    // Hundredths of a percent, rounded, in integers (formatting a float to a fixed number of
    // decimals is slow, and every row of a scorecard draws four of these).
    let pct = |n: u64| {
        let hundredths = (n * 20_000 + total) / (2 * total);
        format!("width: {}.{:02}%", hundredths / 100, hundredths % 100)
    };
    let text = format::counts_text(&counts);
    view! {
        <div class="bar" role="img" aria-label=text.clone()>
            <span class="bar-pass" style=pct(counts.passed)></span>
            <span class="bar-partial" style=pct(counts.partial)></span>
            <span class="bar-fail" style=pct(counts.failed + counts.errors)></span>
            <span class="bar-notrun" style=pct(counts.not_run)></span>
        </div>
        <span class="muted small counts-text">{text}</span>
    }
}

/// The loading placeholder.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted loading">"Loading…"</p> }
}
