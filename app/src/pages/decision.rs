//! Go/no-go decisions: the form and history on the scorecard, the decision record page
//! `/p/{project}/{phase}/decisions/{id}`, and "what changed since".

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::widgets::{ErrorBox, Loading, VerdictBadge};
use crate::form_outcome::{OutcomeNote, kept, outcome_for};
use crate::format;
use crate::settled::Settled;
use crate::types::{
    BlockerBrief, ChangesView, DecisionForm, DecisionSummary, DecisionView, SnapshotItemView, SnapshotSuiteView,
};
use readyboard_domain::decisions::Decision;

/// CSS class of a decision kind.
fn decision_class(kind: Decision) -> &'static str {
    match kind {
        Decision::Go => "decision decision-go",
        Decision::ConditionalGo => "decision decision-conditional",
        Decision::NoGo => "decision decision-nogo",
    }
}

/// One condition line: what must hold, its owner and its due date.
pub type ConditionLine = (String, Option<String>, Option<String>);

/// Parses conditions, one per line: `text | owner | YYYY-MM-DD` (owner and date optional).
pub fn parse_conditions(text: &str) -> Result<Vec<ConditionLine>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty()) {
        let mut parts = line.split('|').map(str::trim);
        let what = parts.next().unwrap_or_default().to_string();
        if what.is_empty() {
            return Err(format!("conditions: line {} has no text before `|`", n + 1));
        }
        let owner = parts.next().filter(|s| !s.is_empty()).map(str::to_string);
        let due = parts.next().filter(|s| !s.is_empty()).map(str::to_string);
        if parts.next().is_some() {
            return Err(format!("conditions: line {} has more than `text | owner | date`", n + 1));
        }
        out.push((what, owner, due));
    }
    Ok(out)
}

/// Converts store records to page types.
#[cfg(feature = "ssr")]
pub mod convert {
    use super::*;
    use readyboard_store::{ChangesSince, DecisionRecord, SnapshotBlocker};

    /// A decision in brief.
    pub fn summary(d: &DecisionRecord, now: i64) -> DecisionSummary {
        DecisionSummary {
            id: d.id,
            decision: d.decision,
            decided_by: d.decided_by.clone(),
            decided_at: crate::ssr::datetime(d.decided_at),
            ago: format::ago(now, d.decided_at),
            is_override: d.override_reason.is_some(),
            verdict_then: d.snapshot.verdict,
            score_then: d.snapshot.score,
            rationale: d.rationale.clone(),
        }
    }

    fn brief(b: &SnapshotBlocker) -> BlockerBrief {
        BlockerBrief {
            id: b.id,
            severity: b.severity,
            title: b.title.clone(),
            status: b.status,
            owner: b.owner.clone(),
            waive_reason: b.waive_reason.clone(),
        }
    }

    /// The changes since a decision.
    pub fn changes(c: &ChangesSince, decision_id: i64) -> ChangesView {
        ChangesView {
            decision_id,
            score_then: c.score_then,
            score_now: c.score_now,
            verdict_then: c.verdict_then,
            verdict_now: c.verdict_now,
            opened: c.blockers_opened.iter().map(brief).collect(),
            closed: c.blockers_closed.iter().map(brief).collect(),
            new_evidence: c.new_evidence.clone(),
            reports_since: c.reports_since,
        }
    }

    /// The decision record page.
    pub fn view(
        p: &readyboard_store::ProjectRow,
        ph: &readyboard_store::PhaseRow,
        d: &DecisionRecord,
        c: &ChangesSince,
        now: i64,
    ) -> DecisionView {
        let s = &d.snapshot;
        DecisionView {
            project: p.slug.clone(),
            project_name: p.name.clone(),
            phase: ph.slug.clone(),
            phase_name: ph.name.clone(),
            summary: summary(d, now),
            conditions: d.conditions.iter().map(|c| (c.text.clone(), c.owner.clone(), c.due_date.clone())).collect(),
            override_reason: d.override_reason.clone(),
            supersedes_id: d.supersedes_id,
            superseded_by: d.superseded_by,
            reasons: s.reasons.clone(),
            thresholds: (s.ready_threshold, s.conditional_threshold),
            categories: s.categories.iter().map(|c| (c.name.clone(), c.score, c.weight)).collect(),
            suites: s
                .suites
                .iter()
                .map(|x| crate::types::SnapshotSuiteView {
                    suite: x.suite.clone(),
                    report_id: x.report_id,
                    age_days: x.age_days,
                    stale: x.stale,
                    score: x.score,
                })
                .collect(),
            blockers: s.blockers.iter().map(brief).collect(),
            checklist: s
                .checklist
                .iter()
                .map(|i| crate::types::SnapshotItemView {
                    title: i.title.clone(),
                    required: i.required,
                    status: i.status,
                    signed_by: i.signed_by.iter().map(|(u, _)| u.clone()).collect(),
                    signed_despite: i
                        .signed_despite
                        .iter()
                        .map(|(u, state)| format!("{u} approved despite {state} evidence"))
                        .collect(),
                })
                .collect(),
            changes: changes(c, d.id),
        }
    }
}

/// One decision with its snapshot and what changed since.
#[server]
pub async fn get_decision(project: String, phase: String, id: i64) -> Result<DecisionView, ServerFnError> {
    use crate::ssr::store_error;
    use readyboard_domain::role::Role;
    crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    let p = store.project(&project).await.map_err(store_error)?;
    let ph = store.phase(p.id, &phase).await.map_err(store_error)?;
    let d = store.decision(id).await.map_err(store_error)?;
    if d.phase_id != ph.id {
        return Err(store_error(readyboard_store::StoreError::NotFound));
    }
    let c = store.changes_since(&ph, &d).await.map_err(store_error)?;
    Ok(convert::view(&p, &ph, &d, &c, crate::ssr::now_ms()))
}

/// Records a go/no-go decision (approvers).
#[server]
pub async fn record_decision(#[server(flatten)] form: DecisionForm) -> Result<String, ServerFnError> {
    use readyboard_domain::role::Role;
    let DecisionForm { project, phase, decision, rationale, conditions, override_reason } = form;
    let u = crate::ssr::require(Role::Approver).await?;
    let store = crate::ssr::store()?;
    let p = store.project(&project).await.map_err(crate::ssr::store_error)?;
    let ph = store.phase(p.id, &phase).await.map_err(crate::ssr::store_error)?;
    let conditions = parse_conditions(&conditions)
        .map_err(ServerFnError::new)?
        .into_iter()
        .map(|(text, owner, due_date)| readyboard_store::Condition { text, owner, due_date })
        .collect();
    let d = readyboard_store::NewDecision { decision, rationale, conditions, override_reason: Some(override_reason) };
    let rec = store.record_decision(&crate::ssr::actor(&u), &ph, &d).await.map_err(crate::ssr::store_error)?;
    Ok(format!("Decision: {} recorded as decision #{}.", rec.decision.label(), rec.id))
}

/// A decision chip, "Decision: GO", never to be read as the computed verdict ("Evidence: …").
#[component]
pub fn DecisionChip(kind: Decision) -> impl IntoView {
    view! {
        <span class=decision_class(kind) title="Recorded by a person">
            <span class="badge-kind">"Decision: "</span>{kind.label()}
        </span>
    }
}

fn blocker_items(list: Vec<BlockerBrief>) -> impl IntoView {
    list.into_iter()
        .map(|b| {
            view! {
                <li>
                    <span class=format!("sev sev-{}", b.severity)>{b.severity.as_str()}</span>" "
                    {b.title}
                    {b.owner.map(|o| view! { <span class="muted small">{format!(" · {o}")}</span> })}
                </li>
            }
        })
        .collect_view()
}

/// "What changed since the last decision": score, verdict, blockers, evidence.
#[component]
pub fn ChangesPanel(c: ChangesView, project: String, phase: String) -> impl IntoView {
    let delta = match (c.score_then, c.score_now) {
        (Some(a), Some(b)) if (b - a).abs() >= 0.05 => format!("{:+.1}", b - a),
        (Some(_), Some(_)) => "unchanged".to_string(),
        _ => "—".to_string(),
    };
    let verdict_moved = c.verdict_then != c.verdict_now;
    let nothing = !verdict_moved
        && c.opened.is_empty()
        && c.closed.is_empty()
        && c.new_evidence.is_empty()
        && c.score_then == c.score_now;
    let decision_href = format!("/p/{project}/{phase}/decisions/{}", c.decision_id);
    view! {
        <div class="changes">
            <div class="changes-line">
                <span class="muted">"Score "</span>
                <strong>{format::score(c.score_then)}" → "{format::score(c.score_now)}</strong>
                <span class="muted small">{format!(" ({delta})")}</span>
                <span class="muted">" · "</span>
                <VerdictBadge verdict=c.verdict_then/>" → "<VerdictBadge verdict=c.verdict_now/>
                <span class="muted small">{format!(" · {} report{} since", c.reports_since, if c.reports_since == 1 { "" } else { "s" })}</span>
            </div>
            {nothing.then(|| view! { <p class="muted small">"Nothing has changed since "<a href=decision_href.clone()>"the decision"</a>"."</p> })}
            {(!c.opened.is_empty()).then(|| view! {
                <h4>{format!("Blockers opened since ({})", c.opened.len())}</h4>
                <ul class="plain">{blocker_items(c.opened.clone())}</ul>
            })}
            {(!c.closed.is_empty()).then(|| view! {
                <h4>{format!("Blockers closed since ({})", c.closed.len())}</h4>
                <ul class="plain">{blocker_items(c.closed.clone())}</ul>
            })}
            {(!c.new_evidence.is_empty()).then(|| view! {
                <h4>"New evidence"</h4>
                <ul class="plain">
                    {c.new_evidence.clone().into_iter().map(|(suite, then, now)| view! {
                        <li>
                            <strong>{suite}</strong>": "
                            {then.map(|t| view! { <a href=format!("/reports/{t}")>{format!("#{t}")}</a>" → " })}
                            <a href=format!("/reports/{now}")>{format!("#{now}")}</a>
                            <span class="muted small">" (the report page compares it with the run before)"</span>
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// The decisions part of the scorecard: latest decision, changes since, history and form.
#[component]
pub fn DecisionsSection(
    project: String,
    phase: String,
    verdict: readyboard_domain::scoring::Verdict,
    decisions: Vec<DecisionSummary>,
    changes: Option<ChangesView>,
    can_decide: bool,
    action: ServerAction<RecordDecision>,
) -> impl IntoView {
    let base = format!("/p/{project}/{phase}");
    let latest_view = match (decisions.first().cloned(), changes) {
        (Some(d), Some(c)) => {
            let href = format!("{base}/decisions/{}", d.id);
            Either::Left(view! {
                <div class="card latest-decision">
                    <div class="card-head">
                        <div>
                            <DecisionChip kind=d.decision/>
                            {d.is_override.then(|| view! { " "<span class="chip chip-warn">"(override)"</span> })}
                            <span class="muted small">{format!(" by {} · {} · ", d.decided_by, d.ago)}</span>
                            <a class="small" href=href>"decision record"</a>
                        </div>
                    </div>
                    <p class="rationale">{d.rationale.clone()}</p>
                    <h3>"What changed since"</h3>
                    <ChangesPanel c=c project=project.clone() phase=phase.clone()/>
                </div>
            })
        }
        _ => Either::Right(view! { <p class="muted">"No decision recorded yet."</p> }),
    };
    let history = (decisions.len() > 1).then(|| {
        view! {
            <details class="history">
                <summary>{format!("Earlier decisions ({})", decisions.len() - 1)}</summary>
                <ul class="plain">
                    {decisions.iter().skip(1).map(|d| view! {
                        <li>
                            <DecisionChip kind=d.decision/>" "
                            <a href=format!("{base}/decisions/{}", d.id)>{format!("#{} · {} · {}", d.id, d.decided_by, d.decided_at)}</a>
                        </li>
                    }).collect_view()}
                </ul>
            </details>
        }
    });
    let form = can_decide
        .then(|| view! { <DecisionForm project=project phase=phase not_ready=verdict != readyboard_domain::scoring::Verdict::Ready action=action/> });
    view! {
        <section class="section">
            <h2>"Go/no-go decision"</h2>
            {latest_view}
            {history}
            {form}
        </section>
    }
}

/// The form recording a go/no-go decision (approvers); it comes back open as typed, with the
/// reason, when it was refused, and open with the confirmation once recorded.
#[component]
fn DecisionForm(
    project: String,
    phase: String,
    not_ready: bool,
    action: ServerAction<RecordDecision>,
) -> impl IntoView {
    let outcome = outcome_for::<RecordDecision>(None);
    let chosen = kept(&outcome, "decision").unwrap_or_default();
    let (open, rationale, conditions, override_reason) = (
        outcome.is_some(),
        kept(&outcome, "rationale"),
        kept(&outcome, "conditions"),
        kept(&outcome, "override_reason"),
    );
    let choice = move |value: &'static str, label: &'static str| {
        view! { <label class="choice"><input type="radio" name="decision" value=value required checked=chosen == value/>{label}</label> }
    };
    view! {
        <details class="card decide" open=open>
            <summary>"Record a go/no-go decision"</summary>
            <p class="muted small">
                "The decision is stored with a frozen snapshot of the score, verdict, blockers, checklist and reports as they are now. It cannot be edited; a later decision supersedes it."
            </p>
            <OutcomeNote outcome=outcome/>
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="project" value=project/>
                <input type="hidden" name="phase" value=phase/>
                <fieldset class="choices">
                    <legend>"Decision"</legend>
                    {choice("go", " GO")}
                    {choice("conditional_go", " CONDITIONAL GO")}
                    {choice("no_go", " NO-GO")}
                </fieldset>
                <label>"Rationale"<textarea name="rationale" rows="3" required minlength="10" maxlength="10000">{rationale}</textarea></label>
                <label>"Conditions (one per line: what | owner | YYYY-MM-DD)"<textarea name="conditions" rows="3" placeholder="Rehearse the restore | dana | 2026-12-01">{conditions}</textarea></label>
                <label>
                    {if not_ready { "Override reason (required for a GO: the verdict is not READY)" } else { "Override reason (only for a GO against the verdict)" }}
                    <input name="override_reason" maxlength="2000" value=override_reason/>
                </label>
                <button type="submit" class="btn btn-primary">"Record decision"</button>
            </ActionForm>
        </details>
    }
}

/// The decision record page.
#[component]
pub fn DecisionPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (
            p.get("project").unwrap_or_default(),
            p.get("phase").unwrap_or_default(),
            p.get("id").and_then(|i| i.parse::<i64>().ok()).unwrap_or(0),
        )
    };
    let data = Resource::new(key, |(project, phase, id)| get_decision(project, phase, id));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Decision"/><ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(v) => Settled::new(move || view! { <DecisionRecordView v=v/> }).into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DecisionRecordView(v: DecisionView) -> impl IntoView {
    let DecisionView { project, project_name, phase, phase_name, summary: d, changes, .. } = v;
    let base = format!("/p/{project}/{phase}");
    let export = format!("/api/v1/projects/{project}/phases/{phase}/decisions/{}/export.md", d.id);
    view! {
        <Title text=format!("Decision #{} · {}", d.id, phase_name)/>
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Projects"</a><span>"/"</span>
            <a href=format!("/p/{project}")>{project_name}</a><span>"/"</span>
            <a href=base.clone()>{phase_name.clone()}</a><span>"/"</span>
            <span>{format!("Decision #{}", d.id)}</span>
        </nav>
        <section class="hero">
            <div class="hero-main">
                <h1><DecisionChip kind=d.decision/>" "{format!("Decision #{}", d.id)}</h1>
                <p class="muted">{format!("Recorded by {} on {} ({})", d.decided_by, d.decided_at, d.ago)}</p>
                <p class="small"><a href=export download>"Download this record as Markdown"</a></p>
                {v.superseded_by.map(|n| view! { <p class="chip chip-warn">"Superseded by "<a href=format!("{base}/decisions/{n}")>{format!("decision #{n}")}</a></p> })}
                {v.supersedes_id.map(|n| view! { <p class="muted small">"Supersedes "<a href=format!("{base}/decisions/{n}")>{format!("decision #{n}")}</a></p> })}
            </div>
            <div class="hero-reasons">
                <h2>"Rationale"</h2>
                <p class="rationale">{d.rationale.clone()}</p>
                {v.override_reason.map(|r| view! {
                    <div class="alert alert-warn"><strong>"Override: "</strong>{format!("GO although the evidence said {}. ", d.verdict_then.label())}{r}</div>
                })}
                {(!v.conditions.is_empty()).then(|| view! {
                    <h3>"Conditions"</h3>
                    <ul class="plain">
                        {v.conditions.into_iter().map(|(t, o, due)| view! {
                            <li>{t}<span class="muted small">{[o.map(|o| format!(" · {o}")), due.map(|d| format!(" · due {d}"))].into_iter().flatten().collect::<String>()}</span></li>
                        }).collect_view()}
                    </ul>
                })}
            </div>
        </section>

        <section class="section card">
            <h2>"What changed since"</h2>
            <ChangesPanel c=changes project=project phase=phase/>
        </section>

        <section class="section">
            <h2>"Evidence at the time"</h2>
            <div class="snapshot-head">
                <span class="big-score" title="phase score">{format::score(d.score_then)}</span>
                <VerdictBadge verdict=d.verdict_then/>
                <span class="muted small">{format!("READY at ≥ {:.0}, CONDITIONAL at ≥ {:.0}", v.thresholds.0, v.thresholds.1)}</span>
            </div>
            <ul class="reasons">{v.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
            <SnapshotTables categories=v.categories suites=v.suites/>
            <SnapshotBlockers blockers=v.blockers/>
            <SnapshotChecklist items=v.checklist/>
        </section>
    }
}

/// The categories and the reports the decision's score was computed from.
#[component]
fn SnapshotTables(categories: Vec<(String, Option<f64>, f64)>, suites: Vec<SnapshotSuiteView>) -> impl IntoView {
    view! {
        <div class="grid-2">
            <div>
                <h3>"Categories"</h3>
                <div class="table-wrap"><table class="table">
                    <thead><tr><th>"Category"</th><th class="num">"Score"</th><th class="num">"Weight"</th></tr></thead>
                    <tbody>{categories.into_iter().map(|(n, s, w)| view! {
                        <tr><td>{n}</td><td class="num">{format::score(s)}</td><td class="num">{format!("{w}")}</td></tr>
                    }).collect_view()}</tbody>
                </table></div>
            </div>
            <div>
                <h3>"Reports used"</h3>
                <div class="table-wrap"><table class="table">
                    <thead><tr><th>"Suite"</th><th>"Report"</th><th class="num">"Score"</th></tr></thead>
                    <tbody>{suites.into_iter().map(|s| view! {
                        <tr class=if s.stale { "stale" } else { "" }>
                            <td>{s.suite}</td>
                            <td><a href=format!("/reports/{}", s.report_id)>{format!("#{}", s.report_id)}</a>
                                <span class="muted small">{format!(" {} d old", s.age_days)}</span>
                                {s.stale.then(|| view! { " "<span class="chip chip-warn">"stale"</span> })}</td>
                            <td class="num">{format::score(s.score)}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table></div>
            </div>
        </div>
    }
}

/// The blockers open when the decision was recorded.
#[component]
fn SnapshotBlockers(blockers: Vec<BlockerBrief>) -> impl IntoView {
    let count = blockers.len();
    let list = if blockers.is_empty() {
        view! { <p class="muted">"None open."</p> }.into_any()
    } else {
        view! { <ul class="plain">{blockers.into_iter().map(|b| view! {
            <li>
                <span class=format!("sev sev-{}", b.severity)>{b.severity.as_str()}</span>" "{b.title}
                " "<span class=format!("chip chip-{}", b.status)>{b.status.as_str()}</span>
                {b.waive_reason.map(|r| view! { <span class="muted small">{format!(" — {r}")}</span> })}
            </li>
        }).collect_view()}</ul> }
        .into_any()
    };
    view! {
        <h3>{format!("Blockers then ({count})")}</h3>
        {list}
    }
}

/// The checklist as it stood when the decision was recorded, with who had signed.
#[component]
fn SnapshotChecklist(items: Vec<SnapshotItemView>) -> impl IntoView {
    let count = items.len();
    let list = if items.is_empty() {
        view! { <p class="muted">"No checklist items."</p> }.into_any()
    } else {
        view! { <ul class="plain">{items.into_iter().map(|i| view! {
            <li>
                {i.title}" "<span class="chip">{i.status.as_str()}</span>
                {i.required.then(|| view! { " "<span class="chip">"required"</span> })}
                <span class="muted small">{if i.signed_by.is_empty() { " · not signed".to_string() } else { format!(" · signed by {}", i.signed_by.join(", ")) }}</span>
                {i.signed_despite.into_iter().map(|d| view! { " "<span class="chip chip-warn">{d}</span> }).collect_view()}
            </li>
        }).collect_view()}</ul> }.into_any()
    };
    view! {
        <h3>{format!("Checklist then ({count})")}</h3>
        {list}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_parse_one_per_line() {
        let c = parse_conditions("Rehearse restore | dana | 2026-12-01\n\n  Feature flag off  \n").unwrap();
        assert_eq!(
            c,
            [
                ("Rehearse restore".to_string(), Some("dana".to_string()), Some("2026-12-01".to_string())),
                ("Feature flag off".to_string(), None, None),
            ]
        );
        assert!(parse_conditions(" | bob").unwrap_err().contains("line 1"));
        assert!(parse_conditions("a | b | c | d").is_err());
    }
}
