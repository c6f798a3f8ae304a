//! `/p/{project}/{phase}`: the scorecard.

use std::sync::Arc;

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::widgets::{CountsBar, ErrorBox, Loading, ScoreBig, VerdictBadge};
use crate::form_outcome::{OutcomeNote, kept, outcome_for};
use crate::format;
use crate::pages::decision::{DecisionsSection, RecordDecision};
use crate::pages::project::ReportTable;
use crate::settled::Settled;
use crate::types::{BlockerLine, CategoryLine, FlakyLine, PhaseSettingsForm, PhaseSummary, PhaseView, SuiteLine};

/// Open blockers the scorecard lists; it counts them all.
#[cfg(feature = "ssr")]
const SCORECARD_BLOCKERS: usize = 10;

/// The scorecard of a phase.
#[server]
pub async fn get_phase(project: String, phase: String) -> Result<Arc<PhaseView>, ServerFnError> {
    use crate::ssr::store_error;
    use readyboard_domain::role::Role;
    let me = crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    // The assembled view is reused until anything changes (two seconds at most): a
    // scorecard is a dozen reads, and dashboards are read far more often than written. It is
    // shared by reference between the pages that show it.
    let memo_key = format!("phase-view\u{1f}{project}\u{1f}{phase}\u{1f}{}", me.role.as_str());
    // Callers arriving while it is computed (a cold start under load, the moment it expires)
    // wait for it rather than all compute it at once.
    let _flight = match store.memo_lookup::<Arc<PhaseView>>(&memo_key).await {
        readyboard_store::Memo::Ready(view) => return Ok(view),
        readyboard_store::Memo::Compute(flight) => flight,
    };
    let now = crate::ssr::now_ms();
    let p = store.project(&project).await.map_err(store_error)?;
    let ph = store.phase(p.id, &phase).await.map_err(store_error)?;
    let card = store.evaluate_phase(&ph).await.map_err(store_error)?;
    let settings = ph.settings();
    let latest = store.latest_reports(ph.id).await.map_err(store_error)?;
    let mut blockers: Vec<_> =
        store.blockers(ph.id, true).await.map_err(store_error)?.into_iter().map(|b| convert::blocker(b, now)).collect();
    // Counted over all of them; listed, the most severe few (the blockers page has the rest).
    let summary = convert::summary(&ph, &card, &blockers, now);
    blockers.truncate(SCORECARD_BLOCKERS);
    let recent = store.phase_reports(ph.id, 10).await.map_err(store_error)?;
    let decision_rows = store.decisions(ph.id, 20).await.map_err(store_error)?;
    let changes = match decision_rows.first() {
        Some(d) => Some(crate::pages::decision::convert::changes(
            &store.changes_since(&ph, d).await.map_err(store_error)?,
            d.id,
        )),
        None => None,
    };
    let entries = store.checklist(&ph).await.map_err(store_error)?;
    let flaky = store.flaky_checks(ph.id).await.map_err(store_error)?;
    let view = Arc::new(PhaseView {
        project: p.slug,
        project_name: p.name,
        phase: summary,
        ready_threshold: ph.ready_threshold,
        conditional_threshold: ph.conditional_threshold,
        freshness_days: ph.freshness_days,
        categories: convert::categories(&card),
        explanation: readyboard_domain::scoring::explain(&card, &settings),
        suites: convert::suites(&card, &latest, now),
        blockers,
        recent: recent.iter().map(|r| crate::pages::project::report_line(r, now)).collect(),
        can_admin: me.role().allows(Role::Admin),
        weights: settings.category_weights.iter().map(|(k, v)| (k.clone(), *v)).collect(),
        can_decide: me.role().allows(Role::Approver),
        can_edit: me.role().allows(Role::Editor),
        coverage: convert::coverage(&latest),
        decisions: decision_rows.iter().map(|d| crate::pages::decision::convert::summary(d, now)).collect(),
        changes,
        checklist: convert::checklist_counts(&entries),
        flaky: convert::worst_flaky(&flaky),
    });
    store.memo_put(memo_key, view.clone());
    Ok(view)
}

/// Turns the store's records into the scorecard's lines.
#[cfg(feature = "ssr")]
mod convert {
    use readyboard_domain::scoring::Scorecard;
    use readyboard_store::{BlockerRow, ChecklistEntry, PhaseRow, ReportRow, SuiteFlaky};

    use crate::format;
    use crate::types::{BlockerLine, CategoryLine, FlakyLine, PhaseSummary, SuiteLine};

    /// Flaky checks shown on the scorecard; the trends page lists them all.
    const FLAKY_SHOWN: usize = 5;

    /// The latest report of each scored suite, in the scorecard's order.
    pub fn suites(card: &Scorecard, latest: &[ReportRow], now: i64) -> Vec<SuiteLine> {
        card.suites
            .iter()
            .filter_map(|s| {
                let r = latest.iter().find(|r| r.id == s.report_id)?;
                Some(SuiteLine {
                    name: s.suite.clone(),
                    kind: r.kind.clone(),
                    report_id: r.id,
                    age: format::ago(now, now - s.age_ms),
                    stale: s.stale,
                    tests: r.counts.tests as i64,
                    passed: r.counts.passed as i64,
                    failed: (r.counts.failed + r.counts.errors) as i64,
                    score: s.score,
                    claimed: r.claimed_score,
                    self_reported: r.provenance() == readyboard_domain::model::Provenance::SelfReported,
                })
            })
            .collect()
    }

    /// Category scores as scored.
    pub fn categories(card: &Scorecard) -> Vec<CategoryLine> {
        card.categories
            .iter()
            .map(|c| CategoryLine {
                name: c.name.clone(),
                score: c.score,
                weight: c.weight,
                checks: c.checks,
                counts: c.counts,
                measured: c.measured,
            })
            .collect()
    }

    /// One open blocker.
    pub fn blocker(b: BlockerRow, now: i64) -> BlockerLine {
        BlockerLine {
            id: b.id,
            severity: b.severity,
            title: b.title,
            suite: b.suite,
            status: b.status,
            owner: b.owner,
            first_seen: format::ago(now, b.first_seen_at),
            occurrences: b.occurrences,
            report_id: b.last_report_id,
        }
    }

    /// The phase in brief: score, verdict, reasons and open blockers by severity.
    pub fn summary(ph: &PhaseRow, card: &Scorecard, blockers: &[BlockerLine], now: i64) -> PhaseSummary {
        PhaseSummary {
            slug: ph.slug.clone(),
            name: ph.name.clone(),
            score: card.display_score(),
            verdict: card.verdict,
            reasons: card.reasons.clone(),
            open_blockers: blockers.len() as i64,
            blockers_by_severity: readyboard_domain::blockers::BLOCKER_SEVERITIES
                .map(|sev| blockers.iter().filter(|b| b.severity.as_str() == sev).count() as i64),
            suites: card.suites.len(),
            freshest: card.suites.iter().map(|s| s.age_ms).min().map(|a| format::ago(now, now - a)),
        }
    }

    /// Expected kinds of evidence and whether the latest reports include each.
    pub fn coverage(latest: &[ReportRow]) -> Vec<(String, bool)> {
        let reports: Vec<_> = latest.iter().map(|r| (r.kind.clone(), r.format.clone(), r.suite.clone())).collect();
        readyboard_domain::coverage::coverage(&reports)
            .into_iter()
            .map(|(k, present)| (k.label().to_string(), present))
            .collect()
    }

    /// (items, required items, required items done or waived and signed off).
    pub fn checklist_counts(entries: &[ChecklistEntry]) -> (usize, usize, usize) {
        let required = || entries.iter().filter(|e| e.item.required);
        let signed = required().filter(|e| e.signed && e.item.status.settles()).count();
        (entries.len(), required().count(), signed)
    }

    /// The most flaky checks across suites, worst first.
    pub fn worst_flaky(suites: &[SuiteFlaky]) -> Vec<FlakyLine> {
        let mut flaky = crate::pages::trends::build::flaky_lines(suites);
        flaky.truncate(FLAKY_SHOWN);
        flaky
    }
}

/// Parses "Security=2, Performance=1" into category weights.
pub fn parse_weights(text: &str) -> Result<std::collections::BTreeMap<String, f64>, String> {
    let mut out = std::collections::BTreeMap::new();
    for part in text.split([',', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').ok_or_else(|| format!("weights: `{part}` is not `Category=weight`"))?;
        let w: f64 = v.trim().parse().map_err(|_| format!("weights: `{}` is not a number", v.trim()))?;
        out.insert(k.trim().to_string(), w);
    }
    Ok(out)
}

/// Saves a phase's thresholds, freshness window and category weights (admins only).
#[server]
pub async fn save_phase_settings(#[server(flatten)] form: PhaseSettingsForm) -> Result<String, ServerFnError> {
    use crate::components::create_forms::number;
    use readyboard_domain::role::Role;
    let PhaseSettingsForm { project, phase, ready, conditional, freshness_days, weights } = form;
    let u = crate::ssr::require(Role::Admin).await?;
    let store = crate::ssr::store()?;
    let p = store.project(&project).await.map_err(crate::ssr::store_error)?;
    let ph = store.phase(p.id, &phase).await.map_err(crate::ssr::store_error)?;
    let update = readyboard_store::PhaseSettingsUpdate {
        ready_threshold: number("Ready threshold", &ready)?,
        conditional_threshold: number("Conditional threshold", &conditional)?,
        freshness_days: number("Freshness", &freshness_days)?,
        category_weights: parse_weights(&weights).map_err(ServerFnError::new)?,
    };
    store
        .update_phase_settings(&readyboard_store::Actor::user(u.id, &u.username), ph.id, &update)
        .await
        .map_err(crate::ssr::store_error)?;
    Ok("Settings saved; the score was recomputed.".into())
}

/// The phase scorecard page.
#[component]
pub fn PhasePage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (p.get("project").unwrap_or_default(), p.get("phase").unwrap_or_default())
    };
    let save = ServerAction::<SavePhaseSettings>::new();
    let decide = ServerAction::<RecordDecision>::new();
    let live = crate::live::follow({
        let (project, phase) = key();
        crate::live::Scope { project: Some(project), phase: Some(phase) }
    });
    let data = Resource::new(key, |(project, phase)| get_phase(project, phase));
    view! {
        {live}
        <Transition fallback=Loading>
            // `Settled` builds the scorecard once, when the page is written, straight into it.
            // The view is kept for other readers too, so `unwrap_or_clone` copies it: the
            // scorecard's lines own their text.
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Phase"/><ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(v) => Settled::new(move || view! { <Scorecard v=Arc::unwrap_or_clone(v) save=save decide=decide/> }).into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Scorecard(
    v: PhaseView,
    save: ServerAction<SavePhaseSettings>,
    decide: ServerAction<RecordDecision>,
) -> impl IntoView {
    let PhaseView { project, project_name, phase: ph, categories, suites, blockers, recent, coverage, flaky, .. } = v;
    let limits =
        Limits { ready: v.ready_threshold, conditional: v.conditional_threshold, freshness_days: v.freshness_days };
    let settings = v.can_admin.then(|| {
        view! { <PhaseSettings project=project.clone() phase=ph.slug.clone() limits=limits weights=v.weights save=save/> }
    });
    let base = format!("/p/{project}/{}", ph.slug);
    view! {
        <Title text=format!("{} · {}", ph.name, project_name)/>
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Projects"</a><span>"/"</span>
            <a href=format!("/p/{project}")>{project_name.clone()}</a><span>"/"</span>
            <span>{ph.name.clone()}</span>
        </nav>
        <Hero base=base.clone() project=project.clone() phase=ph.clone() limits=limits explanation=v.explanation/>
        <DecisionsSection
            project=project.clone()
            phase=ph.slug.clone()
            verdict=ph.verdict
            decisions=v.decisions
            changes=v.changes
            can_decide=v.can_decide
            action=decide
        />
        <Categories categories=categories/>
        <Evidence project=project phase=ph.slug can_edit=v.can_edit suites=suites coverage=coverage/>
        <ChecklistSummary base=base.clone() counts=v.checklist/>
        <FlakySummary base=base.clone() flaky=flaky/>
        <OpenBlockers base=base total=ph.open_blockers blockers=blockers/>
        <section class="section">
            <h2>"Recent reports"</h2>
            <ReportTable reports=recent/>
        </section>
        {settings}
    }
}

/// A phase's thresholds: the verdict's score bounds and how old evidence may be.
#[derive(Clone, Copy)]
struct Limits {
    ready: f64,
    conditional: f64,
    freshness_days: i64,
}

/// The thresholds and weights form, for admins; it comes back open with what came of it and
/// what was typed.
#[component]
fn PhaseSettings(
    project: String,
    phase: String,
    limits: Limits,
    weights: Vec<(String, f64)>,
    save: ServerAction<SavePhaseSettings>,
) -> impl IntoView {
    let weights_text = weights.iter().map(|(k, w)| format!("{k}={w}")).collect::<Vec<_>>().join(", ");
    let outcome = outcome_for::<SavePhaseSettings>(None);
    let value = |name: &str, current: String| kept(&outcome, name).unwrap_or(current);
    let (ready, conditional, freshness, weights) = (
        value("ready", limits.ready.to_string()),
        value("conditional", limits.conditional.to_string()),
        value("freshness_days", limits.freshness_days.to_string()),
        value("weights", weights_text),
    );
    let open = outcome.is_some();
    view! {
        <details class="section card settings" open=open>
            <summary>"Phase settings"</summary>
            <OutcomeNote outcome=outcome/>
            <ActionForm action=save attr:class="form form-row">
                <input type="hidden" name="project" value=project/>
                <input type="hidden" name="phase" value=phase/>
                <label>"Ready at ≥"<input name="ready" type="number" min="0" max="100" step="0.1" value=ready required/></label>
                <label>"Conditional at ≥"<input name="conditional" type="number" min="0" max="100" step="0.1" value=conditional required/></label>
                <label>"Stale after (days)"<input name="freshness_days" type="number" min="1" max="365" value=freshness required/></label>
                <label>"Category weights"<input name="weights" placeholder="Security=2, Performance=1" value=weights/></label>
                <button type="submit" class="btn btn-primary">"Save settings"</button>
            </ActionForm>
        </details>
    }
}

/// The phase score and verdict, the thresholds, the reasons and how the score is computed.
#[component]
fn Hero(base: String, project: String, phase: PhaseSummary, limits: Limits, explanation: Vec<String>) -> impl IntoView {
    let api = format!("/api/v1/projects/{project}/phases/{}", phase.slug);
    view! {
        <section class="hero">
            <div class="hero-main">
                <h1>{phase.name}</h1>
                <div class="hero-verdict">
                    <ScoreBig score=phase.score verdict=phase.verdict/>
                    <VerdictBadge verdict=phase.verdict/>
                </div>
                <p class="muted small">{format!(
                    "READY at ≥ {:.0}, CONDITIONAL at ≥ {:.0}; evidence older than {} days is stale.",
                    limits.ready, limits.conditional, limits.freshness_days
                )}</p>
                <p class="small hero-links">
                    <a href=format!("{base}/checklist")>"Checklist and sign-off →"</a>
                    <a href=format!("{base}/trends")>"Trends over time →"</a>
                </p>
                <p class="small hero-links">
                    "Readiness report: "
                    <a href=format!("{api}/export.md") download>"Markdown"</a>
                    <a href=format!("{api}/export.json") download>"JSON"</a>
                </p>
            </div>
            <div class="hero-reasons">
                <h2>"Why"</h2>
                <ul class="reasons">
                    {phase.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
                </ul>
                <details class="how">
                    <summary>"How is this computed?"</summary>
                    <ol class="mono small">
                        {explanation.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                    </ol>
                </details>
            </div>
        </section>
    }
}

/// Category scores with their weights and the checks behind them.
#[component]
fn Categories(categories: Vec<CategoryLine>) -> impl IntoView {
    let body = if categories.is_empty() {
        Either::Left(
            view! { <p class="muted">"No scored checks yet: categories appear with the first report's checks."</p> },
        )
    } else {
        Either::Right(view! {
            <p class="muted small">"Checks are every scored result of the latest report of each suite: test cases, audit items, and metric targets (met counts as passed, missed as failed)."</p>
            <div class="table-wrap"><table class="table">
                <thead><tr><th>"Category"</th><th class="num">"Category score"</th><th class="num">"Weight"</th><th class="num">"Checks"</th><th>"Checks as scored"</th></tr></thead>
                <tbody>
                    {categories.into_iter().map(|c| view! {
                        <tr>
                            <td>{c.name}{(!c.measured).then(|| view! { " "<span class="provenance" title="No tool measured this category: its evidence is what a person wrote">"self-reported"</span> })}</td>
                            <td class="num strong">{format::score(c.score)}</td>
                            <td class="num">{format!("{}", c.weight)}</td>
                            <td class="num">{c.checks}</td>
                            <td class="bar-cell">
                                <CountsBar counts=c.counts/>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        })
    };
    view! {
        <section class="section">
            <h2>"Categories"</h2>
            {body}
        </section>
    }
}

/// Kinds of evidence present and the latest report of each suite.
#[component]
fn Evidence(
    project: String,
    phase: String,
    can_edit: bool,
    suites: Vec<SuiteLine>,
    coverage: Vec<(String, bool)>,
) -> impl IntoView {
    let import = format!("/p/{project}/{phase}/import");
    let body = if suites.is_empty() {
        Either::Left(view! {
            <div class="empty-note">
                <p class="muted">"No evidence yet. The score, verdict and trends start with the first report."</p>
                <ul class="muted small">
                    {can_edit.then(|| view! { <li><a href=import.clone()>"Import a report"</a>" — paste a hand-written readiness report or choose a test-result file."</li> })}
                    <li>"From CI: "<code>{format!("POST /api/v1/reports?project={project}&phase={phase}&suite=…")}</code>" with an API token (an admin creates one)."</li>
                </ul>
            </div>
        })
    } else {
        Either::Right(view! {
            <div class="table-wrap"><table class="table">
                <thead><tr><th>"Suite"</th><th>"Kind"</th><th class="num">"Tests"</th><th class="num">"Failed"</th><th class="num">"Report's own score"</th><th class="num">"Claimed"</th><th>"Latest report"</th></tr></thead>
                <tbody>
                    {suites.into_iter().map(|s| view! { <SuiteRow s=s/> }).collect_view()}
                </tbody>
            </table></div>
        })
    };
    view! {
        <section class="section">
            <div class="section-head">
                <h2>"Evidence"</h2>
                {can_edit.then(|| view! { <a class="small" href=import>"Import a report →"</a> })}
            </div>
            <p class="coverage" aria-label="Kinds of evidence">
                {coverage.into_iter().map(|(label, present)| if present {
                    Either::Left(view! { <span class="chip chip-resolved">{format!("✓ {label}")}</span> })
                } else {
                    Either::Right(view! { <span class="chip chip-warn">{format!("no {label} evidence")}</span> })
                }).collect_view()}
            </p>
            {body}
        </section>
    }
}

/// One suite's latest report; a claimed score more than 5 points from the evidence is flagged.
#[component]
fn SuiteRow(s: SuiteLine) -> impl IntoView {
    let flagged = matches!((s.claimed, s.score), (Some(c), Some(sc)) if (c - sc).abs() > 5.0);
    view! {
        <tr class={if s.stale { "stale" } else { "" }}>
            <td class="strong">{s.name}{s.self_reported.then(|| view! { " "<span class="provenance" title="A hand-written report: what its author says, not what a tool measured">"self-reported"</span> })}</td>
            <td class="muted">{s.kind.unwrap_or_default()}</td>
            <td class="num">{s.tests}</td>
            <td class={if s.failed > 0 { "num fail-text" } else { "num" }}>{s.failed}</td>
            <td class="num">{format::score(s.score)}</td>
            <td class={if flagged { "num warn-text" } else { "num muted" }} title={if flagged { "differs from the evidence by more than 5 points" } else { "" }}>
                {s.claimed.map(|c| format!("{c:.1}{}", if flagged { " ⚑" } else { "" })).unwrap_or_else(|| "—".into())}
            </td>
            <td>
                <a href=format!("/reports/{}", s.report_id)>{format!("#{}", s.report_id)}</a>
                " "<span class="muted small">{s.age}</span>
                {s.stale.then(|| view! { " "<span class="chip chip-warn">"stale"</span> })}
            </td>
        </tr>
    }
}

/// How far the checklist is: `counts` is (items, required, required done and signed).
#[component]
fn ChecklistSummary(base: String, counts: (usize, usize, usize)) -> impl IntoView {
    let (items, required, signed) = counts;
    let body = if items == 0 {
        Either::Left(
            view! { <p class="muted">"No checklist yet: start one from the “Production readiness” template."</p> },
        )
    } else {
        let pct = (signed * 100).checked_div(required).unwrap_or(100);
        Either::Right(view! {
            <p>{format!("{signed} of {required} required items done and signed off ({items} items in all).")}</p>
            <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct aria-label="Required checklist items done and signed">
                <span style=format!("width: {pct}%")></span>
            </div>
        })
    };
    view! {
        <section class="section">
            <div class="section-head">
                <h2>"Checklist"</h2>
                <a class="small" href=format!("{base}/checklist")>"Open the checklist →"</a>
            </div>
            {body}
        </section>
    }
}

/// The most flaky checks, when there are any.
#[component]
fn FlakySummary(base: String, flaky: Vec<FlakyLine>) -> impl IntoView {
    (!flaky.is_empty()).then(|| view! {
        <section class="section">
            <div class="section-head">
                <h2>"Flaky checks"</h2>
                <a class="small" href=format!("{base}/trends")>"All flaky checks and trends →"</a>
            </div>
            <ul class="plain flaky">
                {flaky.into_iter().map(|f| view! {
                    <li>
                        <strong>{f.name}</strong>
                        <span class="muted">{format!(" · {} · result changed {:.0}% of the time ({} over {} runs) · latest ", f.suite, f.flip_rate, format::flips(f.flips as u64, f.runs as u64), f.runs)}</span>
                        <a href=format!("/reports/{}", f.report_id)>{f.last_status}</a>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    })
}

/// The phase's open blockers (the most severe few of `total`), each with where it was seen.
#[component]
fn OpenBlockers(base: String, total: i64, blockers: Vec<BlockerLine>) -> impl IntoView {
    let shown = blockers.len() as i64;
    let more = (total > shown).then(|| {
        view! {
            <p class="muted small">
                {format!("The {shown} most severe of {total}. ")}
                <a href=format!("{base}/blockers")>{format!("All {total} open blockers")}</a>
            </p>
        }
    });
    let body = if blockers.is_empty() {
        Either::Left(view! { <p class="muted">"No open blockers."</p> })
    } else {
        Either::Right(view! {
            <ul class="blockers">
                {blockers.into_iter().map(|b| view! {
                    <li class=format!("blocker sev-{}", b.severity.as_str())>
                        <span class=format!("sev sev-{}", b.severity.as_str())>{b.severity.as_str()}</span>
                        <span class="blocker-title">{b.title}</span>
                        <span class="muted small">{format!(
                            "{} · first seen {} · seen in {} report{}",
                            b.suite.unwrap_or_else(|| "manual".into()), b.first_seen, b.occurrences,
                            if b.occurrences == 1 { "" } else { "s" }
                        )}</span>
                        {b.report_id.map(|id| view! { <a class="small" href=format!("/reports/{id}")>"evidence"</a> })}
                    </li>
                }).collect_view()}
            </ul>
        })
    };
    view! {
        <section class="section">
            <div class="section-head">
                <h2>{format!("Open blockers ({total})")}</h2>
                <a class="small" href=format!("{base}/blockers")>"Manage blockers →"</a>
            </div>
            {body}
            {more}
        </section>
    }
}
