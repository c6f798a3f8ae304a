//! `/reports/{id}`: one report: summary, checks (filterable, paginated), metrics, findings.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::components::widgets::{CountsBar, ErrorBox, Loading};
use crate::format;
use crate::settled::Settled;
use crate::types::{CheckPage, FindingLine, MetricLine, ReportView};
use readyboard_domain::model::Counts;

/// Page size of the checks table.
pub const PER_PAGE: i64 = 50;

/// A report's summary.
#[server]
pub async fn get_report(id: i64) -> Result<ReportView, ServerFnError> {
    use crate::ssr::store_error;
    use readyboard_domain::role::Role;
    crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    let now = crate::ssr::now_ms();
    let r = store.report(id).await.map_err(store_error)?;
    let metrics = store.metrics(id).await.map_err(store_error)?;
    let finding_rows = store.findings(id).await.map_err(store_error)?;
    let ph = store.phase_by_id(r.phase_id).await.map_err(store_error)?;
    let judged = store.judge_report(&r, &ph, &finding_rows).await.map_err(store_error)?;
    let categories = judged
        .categories
        .iter()
        .map(|t| (t.category.clone(), (t.weight > 0.0).then(|| t.weighted_credit / t.weight * 100.0), t.counts))
        .collect();
    let claims = judged.claims;
    Ok(ReportView {
        id: r.id,
        project: r.project_slug.clone(),
        project_name: r.project_name.clone(),
        phase: r.phase_slug.clone(),
        phase_name: r.phase_name.clone(),
        suite: r.suite.clone(),
        format: r.format.clone(),
        received: format::ago(now, r.received_at),
        run: run_facts(&r),
        counts: r.counts,
        provenance: r.provenance.clone(),
        score: judged.score,
        claimed_score: r.claimed_score,
        claimed_verdict: r.claimed_verdict.clone(),
        own_verdict: claims.verdict.as_str().to_string(),
        claim_supported: claims.supported,
        claim_reasons: claims.reasons,
        notes: serde_json::from_str(&r.notes).unwrap_or_default(),
        metrics: metrics.into_iter().map(metric_line).collect(),
        findings: finding_rows.into_iter().map(finding_line).collect(),
        categories,
        raw_size: format::bytes(r.raw_size),
        pruned: r.pruned_at.map(crate::ssr::datetime),
    })
}

/// Where and when the report's run happened, as far as the report says.
#[cfg(feature = "ssr")]
fn run_facts(r: &readyboard_store::ReportRow) -> Vec<(String, String)> {
    let text = [
        ("Run", &r.run_id),
        ("Environment", &r.environment),
        ("Commit", &r.commit_sha),
        ("Branch", &r.branch),
        ("CI", &r.ci_url),
    ];
    let times = [("Started", r.started_at), ("Finished", r.finished_at), ("Received", Some(r.received_at))];
    text.into_iter()
        .filter_map(|(label, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| (label.to_string(), v.clone())))
        .chain(times.into_iter().filter_map(|(label, t)| t.map(|t| (label.to_string(), crate::ssr::datetime(t)))))
        .collect()
}

/// A metric with its value and target in the metric's unit.
#[cfg(feature = "ssr")]
fn metric_line(m: readyboard_store::MetricRow) -> MetricLine {
    MetricLine {
        value: format!("{} {}", trim_num(m.value), m.unit).trim().to_string(),
        target: m
            .target_op
            .zip(m.target_value)
            .map(|(op, v)| format!("{op} {} {}", trim_num(v), m.unit).trim().to_string()),
        met: m.met,
        name: m.name,
    }
}

/// A security finding as listed.
#[cfg(feature = "ssr")]
fn finding_line(f: readyboard_store::FindingRow) -> FindingLine {
    FindingLine { id: f.finding_key, severity: f.severity, status: f.status, title: f.title, details: f.details }
}

#[cfg(feature = "ssr")]
fn trim_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 { format!("{v:.0}") } else { format!("{v:.2}") }
}

/// One page of a report's checks; failures first unless a status is chosen.
#[server]
pub async fn get_checks(id: i64, status: Option<String>, page: i64) -> Result<CheckPage, ServerFnError> {
    use readyboard_domain::role::Role;
    crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    let status = status.filter(|s| readyboard_domain::model::Status::parse(s).is_some());
    let page = page.max(1);
    let (total, rows) =
        store.checks(id, status.as_deref(), (page - 1) * PER_PAGE, PER_PAGE).await.map_err(crate::ssr::store_error)?;
    let items = rows
        .into_iter()
        .map(|c| crate::types::CheckLine {
            name: c.name,
            suite_path: c.suite_path,
            category: c.category,
            status: c.status,
            duration: c.duration_ms.map(format::duration_ms),
            message: c.message,
            details: c.details,
            flaky: c.flaky,
        })
        .collect();
    Ok(CheckPage { total, page, per_page: PER_PAGE, items })
}

/// The report compared with the previous run of its suite.
#[server]
pub async fn get_diff(id: i64) -> Result<crate::types::DiffView, ServerFnError> {
    use readyboard_domain::role::Role;
    crate::ssr::require(Role::Viewer).await?;
    let store = crate::ssr::store()?;
    let r = store.report(id).await.map_err(crate::ssr::store_error)?;
    let d = store.diff_with_previous(&r).await.map_err(crate::ssr::store_error)?;
    let all = &d.checks;
    let totals = [all.new_failures.len(), all.fixed.len(), all.still_failing.len(), all.added.len(), all.removed.len()];
    // A page shows the first entries of each list; the API has them all.
    let first = |list: &[readyboard_domain::diff::DiffEntry]| list.iter().take(25).cloned().collect::<Vec<_>>();
    let checks = readyboard_domain::diff::RunDiff {
        new_failures: first(&all.new_failures),
        fixed: first(&all.fixed),
        no_longer_run: first(&all.no_longer_run),
        still_failing: first(&all.still_failing),
        added: first(&all.added),
        removed: first(&all.removed),
    };
    let with_unit = |v: f64, unit: &str| format!("{} {unit}", trim_num(v)).trim().to_string();
    let metrics = d
        .metrics
        .iter()
        .map(|m| crate::types::MetricDelta {
            before: m.before.map(|v| with_unit(v, &m.unit)),
            after: m.after.map(|v| with_unit(v, &m.unit)),
            target: m.target.as_ref().map(|t| format!("{t} {}", m.unit).trim().to_string()),
            met_before: m.met_before,
            met_after: m.met_after,
            name: m.name.clone(),
        })
        .collect();
    Ok(crate::types::DiffView { previous_id: d.previous_id, checks, totals, metrics, checks_pruned: d.checks_pruned })
}

const FILTERS: [(&str, &str); 8] = [
    ("", "All"),
    ("fail", "Failed"),
    ("error", "Errors"),
    ("partial", "Partial"),
    ("warn", "Warn"),
    ("pass", "Passed"),
    ("skip", "Skipped"),
    ("not_run", "Not run"),
];

/// The report page.
#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let report = Resource::new(id, get_report);
    let diff = Resource::new(id, get_diff);
    let checks_key = move || {
        let q = query.read();
        let status = q.get("status").filter(|s| !s.is_empty());
        let page = q.get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(1);
        (id(), status, page)
    };
    let checks = Resource::new(checks_key, |(id, status, page)| get_checks(id, status, page));
    // The rest of the page only stands beside a report that exists: a missing one answers
    // with one message, not one per section.
    let rest = move |pruned: bool| {
        view! {
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match diff.await {
                        Ok(d) => view! { <DiffSection d=d/> }.into_any(),
                        Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    }
                })}
            </Suspense>
            <section class="section">
                <h2>"Checks"</h2>
                {(!pruned).then(|| view! {
                    <nav class="filters" aria-label="Filter checks by status">
                        {move || {
                            let current = query.read().get("status").unwrap_or_default();
                            FILTERS.iter().map(|(value, label)| {
                                let href = if value.is_empty() { "?".to_string() } else { format!("?status={value}") };
                                let cls = if current == *value { "filter active" } else { "filter" };
                                view! { <a class=cls href=href>{*label}</a> }
                            }).collect_view()
                        }}
                    </nav>
                })}
                {pruned.then(|| view! { <p class="muted">"This report's check rows were pruned; its counts are above."</p> })}
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        if pruned {
                            return ().into_any();
                        }
                        match checks.await {
                            Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                            Ok(page) => {
                                let status = query.read_untracked().get("status").unwrap_or_default();
                                Settled::new(move || view! { <ChecksTable page=page status=status/> }).into_any()
                            }
                        }
                    })}
                </Suspense>
            </section>
        }
    };
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match report.await {
                    Err(e) => view! { <Title text="Report"/><ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(r) => {
                        let pruned = r.pruned.is_some();
                        view! { {Settled::new(move || view! { <ReportSummary r=r/> })}{rest(pruned)} }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportSummary(r: ReportView) -> impl IntoView {
    // A metric with a target is scored like a check (met = passed, missed = failed), so the
    // counts hold the checks listed below plus those targets; the page says so.
    let targets = r.metrics.iter().filter(|m| m.met.is_some()).count() as u64;
    let scored_label = if targets > 0 { "checks and targets" } else { "checks" };
    let listed = r.counts.tests.saturating_sub(targets);
    view! {
        <Title text=format!("Report #{} · {}", r.id, r.suite)/>
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Projects"</a><span>"/"</span>
            <a href=format!("/p/{}", r.project)>{r.project_name.clone()}</a><span>"/"</span>
            <a href=format!("/p/{}/{}", r.project, r.phase)>{r.phase_name.clone()}</a><span>"/"</span>
            <span>{format!("{} #{}", r.suite, r.id)}</span>
        </nav>
        <div class="page-head row">
            <div>
                <h1>{r.suite.clone()}" "<span class="muted">{format!("#{}", r.id)}</span></h1>
                <p class="muted">{format!("{} report · received {} · {}", r.format, r.received, r.raw_size)}</p>
            </div>
            {r.pruned.is_none().then(|| view! {
                <a class="btn" href=format!("/api/v1/reports/{}/raw", r.id) download="">"Download artifact"</a>
            })}
        </div>
        {r.pruned.clone().map(|at| view! {
            <p class="alert" role="note" data-testid="pruned">{format!(
                "Details pruned on {at} under the project's retention: the list of checks and the raw file are gone. \
                 The counts, categories, score and findings below are as stored."
            )}</p>
        })}
        {(r.provenance == "self_reported").then(|| view! {
            <p class="alert">
                <span class="provenance">"self-reported"</span>
                " A hand-written report: its statuses are shown as written and scored like any other, \
                 but no tool measured them. A category with only self-reported evidence keeps the phase from READY \
                 unless an approver vouches for it on the checklist."
            </p>
        })}
        <section class="stats">
            <div class="stat"><span class="stat-num">{r.counts.tests}</span><span class="stat-label">{scored_label}</span></div>
            <div class="stat pass"><span class="stat-num">{r.counts.passed}</span><span class="stat-label">"passed"</span></div>
            <div class="stat warn"><span class="stat-num">{r.counts.partial}</span><span class="stat-label">"partial"</span></div>
            <div class="stat fail"><span class="stat-num">{r.counts.failed}</span><span class="stat-label">"failed"</span></div>
            <div class="stat fail"><span class="stat-num">{r.counts.errors}</span><span class="stat-label">"errors"</span></div>
            <div class="stat skip"><span class="stat-num">{r.counts.not_run}</span><span class="stat-label">"not run"</span></div>
            <div class="stat skip"><span class="stat-num">{r.counts.skipped}</span><span class="stat-label">"skipped"</span></div>
            <div class="stat"><span class="stat-num">{format::score(r.score)}</span><span class="stat-label">"this report's own score"</span></div>
        </section>
        <CountsBar counts=r.counts/>
        {(targets > 0).then(|| view! {
            <p class="muted small" data-testid="scored-split">{format!(
                "{} scored: {listed} {} {} and {targets} metric {} (met counts as passed, missed as failed; see Metrics).",
                r.counts.tests,
                if listed == 1 { "check" } else { "checks" },
                if r.pruned.is_some() { "(their rows were pruned)" } else { "(listed under Checks)" },
                if targets == 1 { "target" } else { "targets" },
            )}</p>
        })}
        {claim_note(&r)}
        {(!r.notes.is_empty()).then(|| view! {
            <div class="alert alert-warn"><strong>"Notes from the parser: "</strong>
                <ul>{r.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul>
            </div>
        })}
        <dl class="meta">
            {r.run.iter().map(|(k, v)| view! { <div><dt>{k.clone()}</dt><dd>{v.clone()}</dd></div> }).collect_view()}
        </dl>
        <ReportCategories categories=r.categories with_targets={targets > 0}/>
        <Metrics metrics=r.metrics/>
        <Findings findings=r.findings/>
    }
}

/// What the report claims against what its own checks support, flagged when unsupported.
fn claim_note(r: &ReportView) -> Option<impl IntoView + use<>> {
    if r.claimed_score.is_none() && r.claimed_verdict.is_none() {
        return None;
    }
    let claim = match (r.claimed_score, r.claimed_verdict.as_deref()) {
        (Some(c), Some(v)) => format!("{c:.1} and {}", format::verdict_label(v)),
        (Some(c), None) => format!("{c:.1}"),
        (None, Some(v)) => format::verdict_label(v).to_string(),
        (None, None) => String::new(),
    };
    let flagged = r.claim_supported == Some(false);
    let supported = format!(
        "The report claims {claim}; this report's own checks support {} ({}).",
        format::score(r.score),
        format::verdict_label(&r.own_verdict)
    );
    let reasons = r.claim_reasons.join("; ");
    Some(view! {
        <div class={if flagged { "alert alert-warn" } else { "alert" }}>
            <p>{supported}</p>
            {flagged.then(|| view! {
                <p><strong>"Claim not supported: "</strong>{reasons}"."</p>
            })}
        </div>
    })
}

/// How the report's checks fall into categories, when there is more than one.
#[component]
fn ReportCategories(categories: Vec<(String, Option<f64>, Counts)>, with_targets: bool) -> impl IntoView {
    (categories.len() > 1).then(|| {
        let head = view! {
            <tr><th>"Category"</th><th class="num">"This report's score"</th><th class="num">{if with_targets { "Checks and targets" } else { "Checks" }}</th><th>"As scored"</th></tr>
        };
        let rows = categories.into_iter().map(|(name, score, counts)| view! {
            <tr class:bad-row={counts.failed + counts.errors > 0}>
                <td>{name}</td>
                <td class="num">{format::score(score)}</td>
                <td class="num">{counts.tests}</td>
                <td class="bar-cell"><CountsBar counts=counts/></td>
            </tr>
        }).collect_view();
        let note = "How this report's checks fall into the categories the scorecard weighs (a hand-written report's sections become its categories).";
        table_section("By category", Some(note), "table categories", head.into_any(), rows.into_any())
    })
}

/// A section titled `title`, with an optional note, holding a table (of `class`) that scrolls
/// sideways on a narrow screen.
fn table_section(
    title: &'static str,
    note: Option<&'static str>,
    class: &'static str,
    head: AnyView,
    rows: AnyView,
) -> AnyView {
    view! {
        <section class="section">
            <h2>{title}</h2>
            {note.map(|n| view! { <p class="muted small">{n}</p> })}
            <div class="table-wrap"><table class=class>
                <thead>{head}</thead>
                <tbody>{rows}</tbody>
            </table></div>
        </section>
    }
    .into_any()
}

/// The report's metrics with their targets and whether each was met.
#[component]
fn Metrics(metrics: Vec<MetricLine>) -> impl IntoView {
    (!metrics.is_empty()).then(|| {
        let head = view! { <tr><th>"Metric"</th><th class="num">"Value"</th><th>"Target"</th><th>"Result"</th></tr> };
        let rows = metrics
            .into_iter()
            .map(|m| {
                view! {
                    <tr>
                        <td>{m.name}</td>
                        <td class="num">{m.value}</td>
                        <td class="muted">{m.target.unwrap_or_default()}</td>
                        <td>{match m.met {
                            Some(true) => view! { <span class="status status-pass">"met"</span> }.into_any(),
                            Some(false) => view! { <span class="status status-fail">"missed"</span> }.into_any(),
                            None => view! { <span class="muted">"—"</span> }.into_any(),
                        }}</td>
                    </tr>
                }
            })
            .collect_view();
        table_section("Metrics", None, "table", head.into_any(), rows.into_any())
    })
}

/// The report's security findings.
#[component]
fn Findings(findings: Vec<FindingLine>) -> impl IntoView {
    (!findings.is_empty()).then(|| {
        view! {
            <section class="section">
                <h2>"Findings"</h2>
                <ul class="blockers">
                    {findings.into_iter().map(|f| view! {
                        <li class=format!("blocker sev-{}", f.severity)>
                            <span class=format!("sev sev-{}", f.severity)>{f.severity.as_str()}</span>
                            <span class="blocker-title">{f.title}</span>
                            <span class="muted small">{format!("{} · {}", f.id, f.status)}</span>
                            {(!f.details.is_empty()).then(|| view! { <p class="small">{f.details}</p> })}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

#[component]
fn ChecksTable(page: CheckPage, status: String) -> impl IntoView {
    let pages = ((page.total + page.per_page - 1) / page.per_page).max(1);
    let unfiltered = status.is_empty();
    let link = move |p: i64| {
        if status.is_empty() { format!("?page={p}") } else { format!("?status={status}&page={p}") }
    };
    let first = (page.page - 1) * page.per_page + 1;
    let last = (first + page.items.len() as i64 - 1).max(0);
    if page.items.is_empty() {
        let message = if unfiltered { "This report lists no checks of its own." } else { "No checks match." };
        return view! { <p class="muted" data-testid="no-checks">{message}</p> }.into_any();
    }
    view! {
        <p class="muted small">{format!("{first}–{last} of {}", page.total)}</p>
        <div class="checks">
            {page.items.into_iter().map(|c| {
                let has_more = !c.details.is_empty() || c.message.len() > 120;
                let head = view! {
                    <span class=format!("status status-{}", c.status)>{c.status.as_str().replace('_', " ")}</span>
                    <span class="check-name">
                        <span class="strong">{c.name.clone()}</span>
                        {(!c.suite_path.is_empty()).then(|| view! { <span class="muted small">{c.suite_path.clone()}</span> })}
                    </span>
                    {c.flaky.then(|| view! { <span class="chip chip-warn">"flaky"</span> })}
                    <span class="muted small num">{c.duration.clone().unwrap_or_default()}</span>
                };
                if has_more {
                    view! {
                        <details class="check">
                            <summary>{head}</summary>
                            {(!c.message.is_empty()).then(|| view! { <p class=format!("check-msg msg-{}", c.status)>{c.message.clone()}</p> })}
                            {(!c.details.is_empty()).then(|| view! { <pre class="trace">{c.details.clone()}</pre> })}
                        </details>
                    }.into_any()
                } else {
                    view! {
                        <div class="check">
                            <div class="check-line">{head}</div>
                            {(!c.message.is_empty()).then(|| view! { <p class=format!("check-msg msg-{}", c.status)>{c.message.clone()}</p> })}
                        </div>
                    }.into_any()
                }
            }).collect_view()}
        </div>
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label="Pages">
                {(page.page > 1).then(|| view! { <a class="btn btn-quiet" href=link(page.page - 1)>"← Previous"</a> })}
                <span class="muted small">{format!("Page {} of {}", page.page, pages)}</span>
                {(page.page < pages).then(|| view! { <a class="btn btn-quiet" href=link(page.page + 1)>"Next →"</a> })}
            </nav>
        })}
    }
    .into_any()
}

#[component]
fn DiffList(
    title: &'static str,
    total: usize,
    entries: Vec<readyboard_domain::diff::DiffEntry>,
    tone: &'static str,
) -> impl IntoView {
    if total == 0 {
        return ().into_any();
    }
    let shown = entries.len();
    view! {
        <div class=format!("diff-group {tone}")>
            <h3>{format!("{title} ({total})")}</h3>
            <ul class="plain small">
                {entries.into_iter().map(|e| view! {
                    <li>
                        <span class="strong">{e.name.clone()}</span>" "
                        <span class="muted">{format!(
                            "{} → {}",
                            e.before.map(|s| s.as_str()).unwrap_or("absent"),
                            e.after.map(|s| s.as_str()).unwrap_or("absent")
                        ).replace('_', " ")}</span>
                    </li>
                }).collect_view()}
            </ul>
            {(total > shown).then(|| view! { <p class="muted small">{format!("and {} more", total - shown)}</p> })}
        </div>
    }
    .into_any()
}

#[component]
fn DiffSection(d: crate::types::DiffView) -> impl IntoView {
    let Some(prev) = d.previous_id else {
        return view! {
            <section class="section"><h2>"Compared with the previous run"</h2>
                <p class="muted">"This is the first report of its suite."</p></section>
        }
        .into_any();
    };
    if d.checks_pruned {
        return view! {
            <section class="section"><h2>"Compared with the previous run "<a href=format!("/reports/{prev}")>{format!("#{prev}")}</a></h2>
                <p class="muted">"Check rows of one of the two reports were pruned under the project's retention, so check changes cannot be listed."</p></section>
        }
        .into_any();
    }
    let [new_f, fixed, still, added, removed] = d.totals;
    let unchanged = new_f + fixed + added + removed == 0;
    let c = d.checks;
    view! {
        <section class="section">
            <h2>"Compared with the previous run "<a href=format!("/reports/{prev}")>{format!("#{prev}")}</a></h2>
            <p class="muted small">{format!(
                "{new_f} new failures · {fixed} fixed · {still} still failing · {added} added · {removed} removed"
            )}</p>
            {unchanged.then(|| view! { <p class="muted">"No check changed status."</p> })}
            <div class="diff">
                <DiffList title="New failures" total=new_f entries=c.new_failures tone="diff-bad"/>
                <DiffList title="Fixed" total=fixed entries=c.fixed tone="diff-good"/>
                <DiffList title="Still failing" total=still entries=c.still_failing tone="diff-bad"/>
                <DiffList title="Added" total=added entries=c.added tone=""/>
                <DiffList title="Removed" total=removed entries=c.removed tone=""/>
            </div>
            {(!d.metrics.is_empty()).then(|| view! {
                <div class="table-wrap"><table class="table">
                    <thead><tr><th>"Metric"</th><th class="num">"Before"</th><th class="num">"Now"</th><th>"Target"</th></tr></thead>
                    <tbody>
                        {d.metrics.into_iter().map(|m| {
                            let cls = |met: Option<bool>| match met { Some(true) => "num pass-text", Some(false) => "num fail-text", None => "num" };
                            view! {
                                <tr>
                                    <td>{m.name}</td>
                                    <td class=cls(m.met_before)>{m.before.unwrap_or_else(|| "—".into())}</td>
                                    <td class=cls(m.met_after)>{m.after.unwrap_or_else(|| "—".into())}</td>
                                    <td class="muted">{m.target.unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table></div>
            })}
        </section>
    }
    .into_any()
}
