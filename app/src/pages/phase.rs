//! `/p/{project}/{phase}`: the scorecard.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::widgets::{CountsBar, ErrorBox, Loading, ScoreBig, VerdictBadge};
use crate::form_outcome::{OutcomeNote, kept, outcome_for};
use crate::format;
use crate::pages::decision::{DecisionsSection, RecordDecision};
use crate::pages::project::ReportTable;
use crate::types::PhaseView;

/// The scorecard of a phase.
#[server]
pub async fn get_phase(project: String, phase: String) -> Result<PhaseView, ServerFnError> {
    use crate::ssr::store_error;
    use crate::types::{BlockerLine, CategoryLine, SuiteLine};
    use readyboard_domain::role::Role;
    let me = crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    // The assembled view is reused until anything changes (two seconds at most): a
    // scorecard is a dozen reads, and dashboards are read far more often than written.
    let memo_key = format!("phase-view\u{1f}{project}\u{1f}{phase}\u{1f}{}", me.role);
    // Callers arriving while it is computed (a cold start under load, the moment it expires)
    // wait for it rather than all compute it at once.
    let _flight = match store.memo_lookup::<PhaseView>(&memo_key).await {
        readyboard_store::Memo::Ready(view) => return Ok(view),
        readyboard_store::Memo::Compute(flight) => flight,
    };
    let now = crate::ssr::now_ms();
    let p = store.project(&project).await.map_err(store_error)?;
    let ph = store.phase(p.id, &phase).await.map_err(store_error)?;
    let card = store.evaluate_phase(&ph).await.map_err(store_error)?;
    let settings = ph.settings();
    let weights: Vec<(String, f64)> = settings.category_weights.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let explanation = readyboard_domain::scoring::explain(&card, &settings);
    let latest = store.latest_reports(ph.id).await.map_err(store_error)?;
    let suites = card
        .suites
        .iter()
        .filter_map(|s| {
            let r = latest.iter().find(|r| r.id == s.report_id)?;
            Some(SuiteLine {
                name: s.suite.clone(),
                kind: r.kind.clone(),
                report_id: r.id,
                age: format::ago(now, now - s.age_ms),
                stale: s.stale,
                tests: r.tests,
                passed: r.passed,
                failed: r.failed + r.errors,
                score: s.score,
                claimed: r.claimed_score,
                self_reported: r.provenance() == readyboard_domain::model::Provenance::SelfReported,
            })
        })
        .collect();
    let categories = card
        .categories
        .iter()
        .map(|c| CategoryLine {
            name: c.name.clone(),
            score: c.score,
            weight: c.weight,
            checks: c.checks,
            counts: c.counts,
            measured: c.measured,
        })
        .collect();
    let blockers = store
        .blockers(ph.id, true)
        .await
        .map_err(store_error)?
        .into_iter()
        .map(|b| BlockerLine {
            id: b.id,
            severity: b.severity,
            title: b.title,
            suite: b.suite,
            status: b.status,
            owner: b.owner,
            first_seen: format::ago(now, b.first_seen_at),
            occurrences: b.occurrences,
            report_id: b.last_report_id,
        })
        .collect::<Vec<_>>();
    let recent = store
        .phase_reports(ph.id, 10)
        .await
        .map_err(store_error)?
        .iter()
        .map(|r| crate::pages::project::report_line(r, now))
        .collect();
    let summary = crate::types::PhaseSummary {
        slug: ph.slug.clone(),
        name: ph.name.clone(),
        score: card.display_score(),
        verdict: card.verdict.as_str().to_string(),
        reasons: card.reasons.clone(),
        open_blockers: blockers.len() as i64,
        blockers_by_severity: ["critical", "high", "medium", "low"]
            .map(|sev| blockers.iter().filter(|b| b.severity == sev).count() as i64),
        suites: card.suites.len(),
        freshest: card.suites.iter().map(|s| s.age_ms).min().map(|a| format::ago(now, now - a)),
    };
    let coverage = readyboard_domain::coverage::coverage(
        &latest.iter().map(|r| (r.kind.clone(), r.format.clone(), r.suite.clone())).collect::<Vec<_>>(),
    )
    .into_iter()
    .map(|(k, present)| (k.label().to_string(), present))
    .collect();
    let decision_rows = store.decisions(ph.id, 20).await.map_err(store_error)?;
    let changes = match decision_rows.first() {
        Some(d) => Some(crate::pages::decision::convert::changes(
            &store.changes_since(&ph, d).await.map_err(store_error)?,
            d.id,
        )),
        None => None,
    };
    let decisions = decision_rows.iter().map(|d| crate::pages::decision::convert::summary(d, now)).collect();
    let entries = store.checklist(&ph).await.map_err(store_error)?;
    let checklist = (
        entries.len(),
        entries.iter().filter(|e| e.item.required).count(),
        entries
            .iter()
            .filter(|e| e.item.required && e.signed && matches!(e.item.status.as_str(), "done" | "waived"))
            .count(),
    );
    let mut flaky: Vec<crate::types::FlakyLine> = store
        .flaky_checks(ph.id)
        .await
        .map_err(store_error)?
        .iter()
        .flat_map(|s| {
            s.checks.iter().map(|c| crate::types::FlakyLine {
                suite: s.suite.clone(),
                name: c.name.clone(),
                flip_rate: (c.flip_rate * 1000.0).round() / 10.0,
                runs: c.runs,
                flips: c.flips,
                signals: c.flaky_signals,
                last_status: c.last_status.as_str().to_string(),
                report_id: c.last_report_id,
            })
        })
        .collect();
    flaky.sort_by(|a, b| b.flip_rate.total_cmp(&a.flip_rate).then(b.signals.cmp(&a.signals)));
    flaky.truncate(5);
    let view = PhaseView {
        project: p.slug,
        project_name: p.name,
        phase: summary,
        ready_threshold: ph.ready_threshold,
        conditional_threshold: ph.conditional_threshold,
        freshness_days: ph.freshness_days,
        categories,
        explanation,
        suites,
        blockers,
        recent,
        can_admin: me.role().allows(Role::Admin),
        weights,
        can_decide: me.role().allows(Role::Approver),
        can_edit: me.role().allows(Role::Editor),
        coverage,
        decisions,
        changes,
        checklist,
        flaky,
    };
    store.memo_put(memo_key, view.clone());
    Ok(view)
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
pub async fn save_phase_settings(
    project: String,
    phase: String,
    ready: f64,
    conditional: f64,
    freshness_days: i64,
    weights: String,
) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let u = crate::ssr::require(Role::Admin).await?;
    let store = crate::ssr::store()?;
    let p = store.project(&project).await.map_err(crate::ssr::store_error)?;
    let ph = store.phase(p.id, &phase).await.map_err(crate::ssr::store_error)?;
    let update = readyboard_store::PhaseSettingsUpdate {
        ready_threshold: ready,
        conditional_threshold: conditional,
        freshness_days,
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
    let changes = crate::live::follow(move || {
        let (project, phase) = key();
        crate::live::Scope { project: Some(project), phase: Some(phase) }
    });
    let data = Resource::new(
        move || (key(), save.version().get() + decide.version().get() + changes.get()),
        |((project, phase), _)| get_phase(project, phase),
    );
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Phase"/><ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(v) => view! { <Scorecard v=v save=save decide=decide/> }.into_any(),
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
    let ph = v.phase.clone();
    let weights_text = v.weights.iter().map(|(k, w)| format!("{k}={w}")).collect::<Vec<_>>().join(", ");
    let settings = v.can_admin.then(|| {
        let (project, phase) = (v.project.clone(), ph.slug.clone());
        let outcome = outcome_for::<SavePhaseSettings>(None);
        let value = |name: &str, current: String| kept(&outcome, name).unwrap_or(current);
        let (ready, conditional, freshness, weights) = (
            value("ready", v.ready_threshold.to_string()),
            value("conditional", v.conditional_threshold.to_string()),
            value("freshness_days", v.freshness_days.to_string()),
            value("weights", weights_text),
        );
        let open = outcome.is_some();
        view! {
            <details class="section card settings" open=open>
                <summary>"Phase settings"</summary>
                <OutcomeNote outcome=outcome sent_again=Signal::derive(move || save.version().get() > 0)/>
                <ActionForm action=save attr:class="form form-row">
                    <input type="hidden" name="project" value=project/>
                    <input type="hidden" name="phase" value=phase/>
                    <label>"Ready at ≥"<input name="ready" type="number" min="0" max="100" step="0.1" value=ready required/></label>
                    <label>"Conditional at ≥"<input name="conditional" type="number" min="0" max="100" step="0.1" value=conditional required/></label>
                    <label>"Stale after (days)"<input name="freshness_days" type="number" min="1" max="365" value=freshness required/></label>
                    <label>"Category weights"<input name="weights" placeholder="Security=2, Performance=1" value=weights/></label>
                    <button type="submit" class="btn btn-primary">"Save settings"</button>
                </ActionForm>
                {move || match save.value().get() {
                    Some(Ok(msg)) => view! { <p class="alert alert-ok" role="status">{msg}</p> }.into_any(),
                    Some(Err(e)) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    None => ().into_any(),
                }}
            </details>
        }
    });
    let project_href = format!("/p/{}", v.project);
    view! {
        <Title text=format!("{} · {}", ph.name, v.project_name)/>
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Projects"</a><span>"/"</span>
            <a href=project_href>{v.project_name.clone()}</a><span>"/"</span>
            <span>{ph.name.clone()}</span>
        </nav>
        <section class="hero">
            <div class="hero-main">
                <h1>{ph.name.clone()}</h1>
                <div class="hero-verdict">
                    <ScoreBig score=ph.score verdict=ph.verdict.clone()/>
                    <VerdictBadge verdict=ph.verdict.clone()/>
                </div>
                <p class="muted small">{format!(
                    "READY at ≥ {:.0}, CONDITIONAL at ≥ {:.0}; evidence older than {} days is stale.",
                    v.ready_threshold, v.conditional_threshold, v.freshness_days
                )}</p>
                <p class="small hero-links">
                    <a href=format!("/p/{}/{}/checklist", v.project, ph.slug)>"Checklist and sign-off →"</a>
                    <a href=format!("/p/{}/{}/trends", v.project, ph.slug)>"Trends over time →"</a>
                </p>
                <p class="small hero-links">
                    "Readiness report: "
                    <a href=format!("/api/v1/projects/{}/phases/{}/export.md", v.project, ph.slug) download>"Markdown"</a>
                    <a href=format!("/api/v1/projects/{}/phases/{}/export.json", v.project, ph.slug) download>"JSON"</a>
                </p>
            </div>
            <div class="hero-reasons">
                <h2>"Why"</h2>
                <ul class="reasons">
                    {ph.reasons.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}
                </ul>
                <details class="how">
                    <summary>"How is this computed?"</summary>
                    <ol class="mono small">
                        {v.explanation.iter().map(|l| view! { <li>{l.clone()}</li> }).collect_view()}
                    </ol>
                </details>
            </div>
        </section>

        <DecisionsSection
            project=v.project.clone()
            phase=ph.slug.clone()
            verdict=ph.verdict.clone()
            decisions=v.decisions.clone()
            changes=v.changes.clone()
            can_decide=v.can_decide
            action=decide
        />

        <section class="section">
            <h2>"Categories"</h2>
            {if v.categories.is_empty() {
                view! { <p class="muted">"No scored checks yet: categories appear with the first report's checks."</p> }.into_any()
            } else {
                view! {
                    <p class="muted small">"Checks are every scored result of the latest report of each suite: test cases, audit items, and metric targets (met counts as passed, missed as failed)."</p>
                    <div class="table-wrap"><table class="table">
                        <thead><tr><th>"Category"</th><th class="num">"Category score"</th><th class="num">"Weight"</th><th class="num">"Checks"</th><th>"Checks as scored"</th></tr></thead>
                        <tbody>
                            {v.categories.into_iter().map(|c| view! {
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
                }.into_any()
            }}
        </section>

        <section class="section">
            <div class="section-head">
                <h2>"Evidence"</h2>
                {v.can_edit.then(|| view! { <a class="small" href=format!("/p/{}/{}/import", v.project, ph.slug)>"Import a report →"</a> })}
            </div>
            <p class="coverage" aria-label="Kinds of evidence">
                {v.coverage.clone().into_iter().map(|(label, present)| if present {
                    view! { <span class="chip chip-resolved">{format!("✓ {label}")}</span> }.into_any()
                } else {
                    view! { <span class="chip chip-warn">{format!("no {label} evidence")}</span> }.into_any()
                }).collect_view()}
            </p>
            {if v.suites.is_empty() {
                let import = format!("/p/{}/{}/import", v.project, ph.slug);
                view! {
                    <div class="empty-note">
                        <p class="muted">"No evidence yet. The score, verdict and trends start with the first report."</p>
                        <ul class="muted small">
                            {v.can_edit.then(|| view! { <li><a href=import>"Import a report"</a>" — paste a hand-written readiness report or choose a test-result file."</li> })}
                            <li>"From CI: "<code>{format!("POST /api/v1/reports?project={}&phase={}&suite=…", v.project, ph.slug)}</code>" with an API token (an admin creates one)."</li>
                        </ul>
                    </div>
                }.into_any()
            } else {
                view! {
                    <div class="table-wrap"><table class="table">
                        <thead><tr><th>"Suite"</th><th>"Kind"</th><th class="num">"Tests"</th><th class="num">"Failed"</th><th class="num">"Report's own score"</th><th class="num">"Claimed"</th><th>"Latest report"</th></tr></thead>
                        <tbody>
                            {v.suites.into_iter().map(|s| {
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
                            }).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>

        <section class="section">
            <div class="section-head">
                <h2>"Checklist"</h2>
                <a class="small" href=format!("/p/{}/{}/checklist", v.project, ph.slug)>"Open the checklist →"</a>
            </div>
            {let (items, required, signed) = v.checklist;
            if items == 0 {
                view! { <p class="muted">"No checklist yet: start one from the “Production readiness” template."</p> }.into_any()
            } else {
                let pct = (signed * 100).checked_div(required).unwrap_or(100);
                view! {
                    <p>{format!("{signed} of {required} required items done and signed off ({items} items in all).")}</p>
                    <div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow=pct aria-label="Required checklist items done and signed">
                        <span style=format!("width: {pct}%")></span>
                    </div>
                }.into_any()
            }}
        </section>

        {(!v.flaky.is_empty()).then(|| view! {
            <section class="section">
                <div class="section-head">
                    <h2>"Flaky checks"</h2>
                    <a class="small" href=format!("/p/{}/{}/trends", v.project, ph.slug)>"All flaky checks and trends →"</a>
                </div>
                <ul class="plain flaky">
                    {v.flaky.iter().map(|f| view! {
                        <li>
                            <strong>{f.name.clone()}</strong>
                            <span class="muted">{format!(" · {} · result changed {:.0}% of the time ({} over {} runs) · latest ", f.suite, f.flip_rate, format::flips(f.flips as u64, f.runs as u64), f.runs)}</span>
                            <a href=format!("/reports/{}", f.report_id)>{f.last_status.clone()}</a>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}

        <section class="section">
            <div class="section-head">
                <h2>{format!("Open blockers ({})", v.blockers.len())}</h2>
                <a class="small" href=format!("/p/{}/{}/blockers", v.project, ph.slug)>"Manage blockers →"</a>
            </div>
            {if v.blockers.is_empty() {
                view! { <p class="muted">"No open blockers."</p> }.into_any()
            } else {
                view! {
                    <ul class="blockers">
                        {v.blockers.into_iter().map(|b| view! {
                            <li class=format!("blocker sev-{}", b.severity)>
                                <span class=format!("sev sev-{}", b.severity)>{b.severity.clone()}</span>
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
                }.into_any()
            }}
        </section>

        <section class="section">
            <h2>"Recent reports"</h2>
            <ReportTable reports=v.recent/>
        </section>
        {settings}
    }
}
