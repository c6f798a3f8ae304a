//! Readiness scoring: credit per check, category and phase scores, verdict and reasons.
//!
//! The evaluation works on per-report, per-category aggregates ([`CategoryTally`]) rather
//! than on checks, so a store can keep those aggregates at ingest and score a phase without
//! reading millions of check rows per request.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Check, Counts, Metric, Provenance, Status};

const MS_PER_DAY: i64 = 86_400_000;

/// Points by which a claimed score may differ from the computed one before it is flagged.
pub const CLAIM_TOLERANCE: f64 = 5.0;

/// Credit earned by one check, 0–1; `None` when the check is left out of the denominator.
pub fn credit(status: Status, score: Option<f64>, max: Option<f64>) -> Option<f64> {
    match status {
        Status::Pass => Some(1.0),
        Status::Warn | Status::Partial => Some(partial_credit(score, max)),
        Status::Fail | Status::Error | Status::NotRun => Some(0.0),
        Status::Skip => None,
    }
}

fn partial_credit(score: Option<f64>, max: Option<f64>) -> f64 {
    match (score, max) {
        (Some(s), Some(m)) if m > 0.0 => {
            let ratio = s / m;
            // A NaN score would poison every sum it enters; fall back to the flat rule.
            if ratio.is_finite() { ratio.clamp(0.0, 1.0) } else { 0.5 }
        }
        _ => 0.5,
    }
}

/// The weight a check counts with: its own when positive, else the default 1.
///
/// Parsers build checks from `Check::default()`, whose weight is 0, so a zero weight means
/// "not given" rather than "ignore this check".
pub fn effective_weight(weight: f64) -> f64 {
    if weight.is_finite() && weight > 0.0 { weight } else { 1.0 }
}

/// Rounds to one decimal, the precision scores are shown and compared with.
pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Per-report, per-category aggregate of check credit, kept by the store at ingest.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CategoryTally {
    /// Category name as reported (or the suite's category).
    pub category: String,
    /// Sum of credit × weight over scorable (non-skipped) checks.
    pub weighted_credit: f64,
    /// Sum of weights over scorable (non-skipped) checks.
    pub weight: f64,
    /// Number of checks, skipped ones included.
    pub checks: u64,
    /// Status counts of those checks.
    pub counts: Counts,
}

/// Tallies one report's checks and targeted metrics per category, sorted by category name.
pub fn tally_checks(checks: &[Check], metrics: &[Metric], suite_category: &str) -> Vec<CategoryTally> {
    let mut by_category: BTreeMap<String, (CategoryTally, Vec<Status>)> = BTreeMap::new();
    let mut add = |category: Option<&str>, status: Status, c: Option<f64>, weight: f64| {
        let name = category.map(str::trim).filter(|c| !c.is_empty()).unwrap_or_else(|| suite_category.trim());
        let (tally, statuses) = by_category
            .entry(name.to_string())
            .or_insert_with(|| (CategoryTally { category: name.to_string(), ..CategoryTally::default() }, Vec::new()));
        tally.checks += 1;
        if let Some(c) = c {
            tally.weighted_credit += c * weight;
            tally.weight += weight;
        }
        statuses.push(status);
    };
    for check in checks {
        let c = credit(check.status, check.score, check.max);
        add(check.category.as_deref(), check.status, c, effective_weight(check.weight));
    }
    for metric in metrics {
        if let Some(met) = metric.met() {
            let status = if met { Status::Pass } else { Status::Fail };
            add(metric.category.as_deref(), status, credit(status, None, None), 1.0);
        }
    }
    by_category
        .into_values()
        .map(|(mut tally, statuses)| {
            tally.counts = Counts::of(statuses.iter());
            tally
        })
        .collect()
}

/// The latest report of one suite, reduced to what scoring needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteEvidence {
    /// Suite name.
    pub suite: String,
    /// Suite kind (its default category), if any.
    pub kind: Option<String>,
    /// Id of the report used.
    pub report_id: i64,
    /// When the report was received, ms since the Unix epoch.
    pub received_at_ms: i64,
    /// When the run finished according to the artifact, ms since the Unix epoch.
    pub finished_at_ms: Option<i64>,
    /// Per-category aggregates of the report.
    pub tallies: Vec<CategoryTally>,
    /// Score the report claims for itself, 0–100.
    pub claimed_score: Option<f64>,
    /// Whether the report's evidence was measured or self-reported.
    #[serde(default)]
    pub provenance: Provenance,
}

impl SuiteEvidence {
    /// When the evidence was produced: the run's finish time, else when it was received.
    pub fn evidence_at_ms(&self) -> i64 {
        self.finished_at_ms.unwrap_or(self.received_at_ms)
    }
}

/// Per-phase scoring settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PhaseSettings {
    /// Minimum score for READY.
    pub ready_threshold: f64,
    /// Minimum score for CONDITIONAL.
    pub conditional_threshold: f64,
    /// Evidence older than this many days is stale.
    pub freshness_days: u32,
    /// Category weights; a missing category weighs 1, a zero weight excludes it.
    pub category_weights: BTreeMap<String, f64>,
}

impl Default for PhaseSettings {
    fn default() -> Self {
        PhaseSettings {
            ready_threshold: 90.0,
            conditional_threshold: 70.0,
            freshness_days: 14,
            category_weights: BTreeMap::new(),
        }
    }
}

impl PhaseSettings {
    /// The phase weight of a category: exact name first, then case-insensitive, else 1.
    pub fn category_weight(&self, category: &str) -> f64 {
        let w =
            self.category_weights.get(category).copied().or_else(|| {
                self.category_weights.iter().find(|(k, _)| k.eq_ignore_ascii_case(category)).map(|(_, w)| *w)
            });
        match w {
            Some(w) if w.is_finite() && w > 0.0 => w,
            // Negative or NaN weights have no sensible meaning; treat them like 0 (excluded).
            Some(_) => 0.0,
            None => 1.0,
        }
    }

    fn freshness_ms(&self) -> i64 {
        i64::from(self.freshness_days) * MS_PER_DAY
    }
}

/// Open blockers by the severities that gate the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OpenBlockerSummary {
    /// Open critical blockers (waived ones not counted).
    pub critical: u32,
    /// Open high blockers (waived ones not counted).
    pub high: u32,
}

/// Required checklist items and how many are done and signed off.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChecklistSummary {
    /// Required items.
    pub required: u32,
    /// Required items that are done and signed off (waived items count as done).
    pub required_done_and_signed: u32,
    /// Categories a person vouches for: a required item of that category, done and
    /// approved by them.
    #[serde(default)]
    pub vouched: Vec<Vouch>,
}

/// An approver standing in for missing measured evidence of a category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vouch {
    /// Category of the checklist item (matched case-insensitively).
    pub category: String,
    /// Who approved the item.
    pub by: String,
}

impl ChecklistSummary {
    /// Required items still missing.
    pub fn missing(&self) -> u32 {
        self.required.saturating_sub(self.required_done_and_signed)
    }
}

/// The readiness verdict of a phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Score at or above the ready threshold, no open high or critical blocker, checklist complete.
    Ready,
    /// Score at or above the conditional threshold but not READY.
    Conditional,
    /// Score below the conditional threshold, or no evidence.
    NotReady,
    /// At least one open critical blocker.
    NoGo,
}

impl Verdict {
    /// The stable API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::Conditional => "conditional",
            Verdict::NotReady => "not_ready",
            Verdict::NoGo => "no_go",
        }
    }

    /// The label shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ready => "READY",
            Verdict::Conditional => "CONDITIONAL",
            Verdict::NotReady => "NOT READY",
            Verdict::NoGo => "NO-GO",
        }
    }

    /// Parses the stable API name back.
    pub fn parse(s: &str) -> Option<Verdict> {
        [Verdict::Ready, Verdict::Conditional, Verdict::NotReady, Verdict::NoGo].into_iter().find(|v| v.as_str() == s)
    }
}

/// Score of one category across all suites of the phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryScore {
    /// Category name.
    pub name: String,
    /// Weighted mean credit × 100, full precision; `None` without scorable checks.
    pub score: Option<f64>,
    /// Phase weight of the category (0 = excluded from the phase score).
    pub weight: f64,
    /// Credit earned (sum of credit × check weight; stale suites earn none).
    pub credit: f64,
    /// Credit possible (sum of check weights over scorable checks).
    pub credit_max: f64,
    /// Number of checks, skipped ones included.
    pub checks: u64,
    /// Status counts as the score uses them (a stale suite's checks count as not run).
    pub counts: Counts,
    /// Some of its evidence was measured by a tool; false when it is all self-reported.
    #[serde(default = "yes")]
    pub measured: bool,
}

fn yes() -> bool {
    true
}

impl CategoryScore {
    /// Whether the category enters the phase score.
    pub fn included(&self) -> bool {
        self.score.is_some() && self.weight > 0.0
    }
}

/// Freshness and claim status of one suite's evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuiteStatus {
    /// Suite name.
    pub suite: String,
    /// Id of the report used.
    pub report_id: i64,
    /// Age of the evidence at evaluation time, ms (never negative).
    pub age_ms: i64,
    /// Older than the freshness window: its checks count as not run.
    pub stale: bool,
    /// Score the report's own checks support, as if fresh.
    pub score: Option<f64>,
    /// Score the report claims.
    pub claimed_score: Option<f64>,
    /// Whether claim and computed score differ by more than 5 points.
    pub claim_differs: Option<bool>,
}

impl SuiteStatus {
    /// Whole days of age, rounded down.
    pub fn age_days(&self) -> i64 {
        self.age_ms / MS_PER_DAY
    }
}

/// The computed readiness of a phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    /// Phase score 0–100, full precision; `None` when there is no scorable evidence.
    pub score: Option<f64>,
    /// Verdict.
    pub verdict: Verdict,
    /// Why, most important first.
    pub reasons: Vec<String>,
    /// Categories sorted by name, excluded ones included.
    pub categories: Vec<CategoryScore>,
    /// Suites sorted by name.
    pub suites: Vec<SuiteStatus>,
}

impl Scorecard {
    /// The score as shown and returned by the API: one decimal.
    pub fn display_score(&self) -> Option<f64> {
        self.score.map(round1)
    }
}

/// Whether a claimed score differs from the computed one by more than 5 points.
pub fn claim_differs(claimed: Option<f64>, computed: Option<f64>) -> Option<bool> {
    let (claimed, computed) = (claimed?, computed?);
    // The epsilon keeps a difference of exactly 5 written in decimals (e.g. 58.3 vs 53.3)
    // from being flagged through binary rounding.
    Some((claimed - computed).abs() > CLAIM_TOLERANCE + 1e-9)
}

#[derive(Default)]
struct CategoryAcc {
    name: String,
    credit: f64,
    credit_max: f64,
    checks: u64,
    counts: Counts,
    measured: bool,
}

/// Merges tallies into categories, keyed case-insensitively so "Security" from one suite
/// and "security" from another are one category.
fn accumulate<'a>(
    acc: &mut BTreeMap<String, CategoryAcc>,
    tallies: impl IntoIterator<Item = &'a CategoryTally>,
    stale: bool,
    provenance: Provenance,
) {
    for t in tallies {
        let entry = acc.entry(t.category.to_lowercase()).or_default();
        entry.measured |= provenance == Provenance::Measured;
        // Deterministic display name whatever the suite order: the smallest spelling.
        if entry.name.is_empty() || t.category < entry.name {
            entry.name = t.category.clone();
        }
        if !stale {
            entry.credit += t.weighted_credit;
        }
        entry.credit_max += t.weight;
        entry.checks += t.checks;
        if stale {
            // A stale suite's checks count as not run (rule 1): show them so, or the counts
            // would not add up to the category's score.
            let mut counts = Counts::default();
            counts.add(Status::NotRun, t.counts.tests - t.counts.skipped);
            counts.add(Status::Skip, t.counts.skipped);
            entry.counts.merge(&counts);
        } else {
            entry.counts.merge(&t.counts);
        }
    }
}

fn category_scores(settings: &PhaseSettings, acc: BTreeMap<String, CategoryAcc>) -> Vec<CategoryScore> {
    acc.into_values()
        .map(|a| CategoryScore {
            score: (a.credit_max > 0.0).then(|| a.credit / a.credit_max * 100.0),
            weight: settings.category_weight(&a.name),
            name: a.name,
            credit: a.credit,
            credit_max: a.credit_max,
            checks: a.checks,
            counts: a.counts,
            measured: a.measured,
        })
        .collect()
}

fn phase_score(categories: &[CategoryScore]) -> Option<f64> {
    let (sum, weight) = categories
        .iter()
        .filter(|c| c.included())
        .fold((0.0, 0.0), |(s, w), c| (s + c.score.unwrap_or(0.0) * c.weight, w + c.weight));
    (weight > 0.0).then(|| sum / weight)
}

/// Score of one report on its own (fresh), with the phase's category weights.
pub fn report_score(settings: &PhaseSettings, tallies: &[CategoryTally]) -> Option<f64> {
    let mut acc = BTreeMap::new();
    accumulate(&mut acc, tallies, false, Provenance::Measured);
    phase_score(&category_scores(settings, acc))
}

/// Evaluates a phase from the latest report of each suite, open blockers and the checklist.
pub fn evaluate(
    settings: &PhaseSettings,
    now_ms: i64,
    suites: &[SuiteEvidence],
    blockers: &OpenBlockerSummary,
    checklist: &ChecklistSummary,
) -> Scorecard {
    // Callers should pass one report per suite; if they pass more, the latest one wins.
    let mut latest: BTreeMap<&str, &SuiteEvidence> = BTreeMap::new();
    for s in suites {
        let newer = latest
            .get(s.suite.as_str())
            .is_none_or(|cur| (s.evidence_at_ms(), s.report_id) > (cur.evidence_at_ms(), cur.report_id));
        if newer {
            latest.insert(&s.suite, s);
        }
    }

    let mut acc = BTreeMap::new();
    let mut suite_statuses = Vec::with_capacity(latest.len());
    for s in latest.values() {
        let age_ms = now_ms.saturating_sub(s.evidence_at_ms()).max(0);
        let stale = age_ms > settings.freshness_ms();
        accumulate(&mut acc, &s.tallies, stale, s.provenance);
        let score = report_score(settings, &s.tallies);
        suite_statuses.push(SuiteStatus {
            suite: s.suite.clone(),
            report_id: s.report_id,
            age_ms,
            stale,
            score,
            claimed_score: s.claimed_score,
            claim_differs: claim_differs(s.claimed_score, score),
        });
    }
    let categories = category_scores(settings, acc);
    let score = phase_score(&categories);
    let (verdict, reasons) = verdict_and_reasons(settings, score, &categories, &suite_statuses, blockers, checklist);
    Scorecard { score, verdict, reasons, categories, suites: suite_statuses }
}

/// What a report's own evidence supports, and whether its claims hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimCheck {
    /// The verdict the report's own evidence supports (as if it were the phase's only suite).
    pub verdict: Verdict,
    /// `Some(false)` when a claim goes beyond the evidence; `None` without claims.
    pub supported: Option<bool>,
    /// Why a claim is not supported, in words.
    pub reasons: Vec<String>,
}

/// A report's own evidence and what it claims, as [`check_claims`] weighs them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportClaims<'a> {
    /// The report's own score (its checks alone).
    pub own_score: Option<f64>,
    /// Measured or self-reported.
    pub provenance: Provenance,
    /// Its open critical findings.
    pub open_critical: u32,
    /// Its open high findings.
    pub open_high: u32,
    /// The score it claims, if any.
    pub claimed_score: Option<f64>,
    /// The verdict it claims, if any.
    pub claimed_verdict: Option<&'a str>,
}

/// Compares a report's claims (score, verdict) with what its own evidence supports: its own
/// score, its own open critical/high findings, and whether it is self-reported.
pub fn check_claims(settings: &PhaseSettings, report: &ReportClaims<'_>) -> ClaimCheck {
    let ReportClaims { own_score, provenance, open_critical, open_high, claimed_score, claimed_verdict } = *report;
    let shown = own_score.map(round1);
    let mut why = Vec::new();
    let verdict = if open_critical > 0 {
        why.push(plural(open_critical, "open critical finding", "open critical findings"));
        Verdict::NoGo
    } else {
        match shown {
            None => {
                why.push("no scorable checks".to_string());
                Verdict::NotReady
            }
            Some(s) if s >= settings.ready_threshold && open_high == 0 && provenance == Provenance::Measured => {
                Verdict::Ready
            }
            Some(s) if s >= settings.conditional_threshold => {
                if s < settings.ready_threshold {
                    why.push(format!("its own score {s:.1} is below {}", num(settings.ready_threshold)));
                }
                if open_high > 0 {
                    why.push(plural(open_high, "open high finding", "open high findings"));
                }
                if provenance == Provenance::SelfReported {
                    why.push("its evidence is self-reported only".to_string());
                }
                Verdict::Conditional
            }
            Some(s) => {
                why.push(format!("its own score {s:.1} is below {}", num(settings.conditional_threshold)));
                Verdict::NotReady
            }
        }
    };
    let mut reasons = Vec::new();
    if claim_differs(claimed_score, own_score) == Some(true)
        && let (Some(c), Some(s)) = (claimed_score, own_score)
    {
        reasons.push(format!("claims a score of {}, its own checks support {:.1}", num(c), round1(s)));
    }
    let claimed = claimed_verdict.and_then(Verdict::parse);
    if let Some(c) = claimed
        && rank(c) > rank(verdict)
    {
        reasons.push(format!(
            "claims {}, its own evidence supports {}: {}",
            c.label(),
            verdict.label(),
            why.join(", ")
        ));
    }
    let any_claim = claimed.is_some() || (claimed_score.is_some() && own_score.is_some());
    ClaimCheck { verdict, supported: any_claim.then_some(reasons.is_empty()), reasons }
}

/// Verdicts from worst to best.
fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::NoGo => 0,
        Verdict::NotReady => 1,
        Verdict::Conditional => 2,
        Verdict::Ready => 3,
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Formats a number without a trailing ".0" and with at most two decimals.
fn num(x: f64) -> String {
    let s = format!("{:.2}", (x * 100.0).round() / 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_string() } else { s.to_string() }
}

/// The phase verdict and the reasons for it, in the order they are shown.
fn verdict_and_reasons(
    settings: &PhaseSettings,
    score: Option<f64>,
    categories: &[CategoryScore],
    suites: &[SuiteStatus],
    blockers: &OpenBlockerSummary,
    checklist: &ChecklistSummary,
) -> (Verdict, Vec<String>) {
    // Compare at display precision so the verdict never contradicts the score people see
    // (89.96 shows as 90.0 and is READY); this also absorbs float noise such as 89.99999.
    let shown = score.map(round1);
    let self_reported = self_reported_categories(categories, checklist);
    let unvouched = self_reported.iter().any(|(_, v)| v.is_none());
    let (verdict, capped) = gated_verdict(settings, shown, blockers, checklist.missing(), unvouched);

    let mut reasons = Vec::new();
    if capped {
        reasons.push("capped at CONDITIONAL: a category rests on self-reported evidence only".to_string());
    }
    reasons.extend(gate_reasons(settings, shown, verdict, suites.is_empty(), blockers, checklist));
    reasons.extend(stale_suite_reasons(suites));
    reasons.extend(threshold_reason(settings, shown));
    reasons.extend(claim_reasons(suites));
    for (c, vouch) in &self_reported {
        reasons.push(match vouch {
            Some(v) => format!("{}: self-reported, vouched for by {}", c.name, v.by),
            None => format!("{}: self-reported only", c.name),
        });
    }
    (verdict, reasons)
}

/// Included categories without measured evidence, each with the vouch standing in for it, if any.
fn self_reported_categories<'a>(
    categories: &'a [CategoryScore],
    checklist: &'a ChecklistSummary,
) -> Vec<(&'a CategoryScore, Option<&'a Vouch>)> {
    // Rule 7: a category with no measured evidence keeps the phase from READY unless an
    // approver vouches for it through a required checklist item.
    categories
        .iter()
        .filter(|c| c.included() && !c.measured)
        .map(|c| (c, checklist.vouched.iter().find(|v| v.category.eq_ignore_ascii_case(&c.name))))
        .collect()
}

/// The verdict from blockers, the shown score and the checklist, and whether READY was capped.
fn gated_verdict(
    settings: &PhaseSettings,
    shown: Option<f64>,
    blockers: &OpenBlockerSummary,
    missing: u32,
    unvouched: bool,
) -> (Verdict, bool) {
    if blockers.critical > 0 {
        return (Verdict::NoGo, false);
    }
    match shown {
        None => (Verdict::NotReady, false),
        Some(s) if s >= settings.ready_threshold && blockers.high == 0 && missing == 0 => {
            if unvouched {
                (Verdict::Conditional, true)
            } else {
                (Verdict::Ready, false)
            }
        }
        Some(s) if s >= settings.conditional_threshold => (Verdict::Conditional, false),
        Some(_) => (Verdict::NotReady, false),
    }
}

/// Reasons from the gates: critical blockers, no score, READY's summary, high blockers, checklist.
fn gate_reasons(
    settings: &PhaseSettings,
    shown: Option<f64>,
    verdict: Verdict,
    no_suites: bool,
    blockers: &OpenBlockerSummary,
    checklist: &ChecklistSummary,
) -> Vec<String> {
    let mut reasons = Vec::new();
    if blockers.critical > 0 {
        reasons.push(format!("{} open", plural(blockers.critical, "critical blocker", "critical blockers")));
    }
    if shown.is_none() {
        reasons.push(if no_suites {
            "no evidence yet".to_string()
        } else {
            "no scorable checks in the evidence".to_string()
        });
    }
    if verdict == Verdict::Ready {
        let checklist_note = if checklist.required == 0 { "no required checklist items" } else { "checklist complete" };
        reasons.push(format!(
            "score {:.1} ≥ {}, no open blockers, {checklist_note}",
            shown.unwrap_or_default(),
            num(settings.ready_threshold)
        ));
    }
    if blockers.high > 0 {
        reasons.push(format!("{} open", plural(blockers.high, "high blocker", "high blockers")));
    }
    let missing = checklist.missing();
    if missing > 0 {
        reasons.push(format!(
            "{} not done and signed",
            plural(missing, "required checklist item", "required checklist items")
        ));
    }
    reasons
}

/// One reason per stale suite, oldest first.
fn stale_suite_reasons(suites: &[SuiteStatus]) -> Vec<String> {
    let mut stale: Vec<&SuiteStatus> = suites.iter().filter(|s| s.stale).collect();
    stale.sort_by(|a, b| b.age_ms.cmp(&a.age_ms).then_with(|| a.suite.cmp(&b.suite)));
    stale
        .into_iter()
        .map(|s| {
            let days = s.age_days();
            format!(
                "{} suite stale ({} old)",
                s.suite,
                if days == 1 { "1 day".to_string() } else { format!("{days} days") }
            )
        })
        .collect()
}

/// The threshold the shown score falls below, if any.
fn threshold_reason(settings: &PhaseSettings, shown: Option<f64>) -> Option<String> {
    let s = shown?;
    if s < settings.conditional_threshold {
        Some(format!("score {s:.1} below conditional threshold {}", num(settings.conditional_threshold)))
    } else if s < settings.ready_threshold {
        Some(format!("score {s:.1} below ready threshold {}", num(settings.ready_threshold)))
    } else {
        None
    }
}

/// One reason per suite whose report claims a score its own checks do not support.
fn claim_reasons(suites: &[SuiteStatus]) -> Vec<String> {
    suites
        .iter()
        .filter(|s| s.claim_differs == Some(true))
        .filter_map(|s| {
            let (claimed, computed) = (s.claimed_score?, s.score?);
            Some(format!("{} report claims {}; its own checks support {:.1}", s.suite, num(claimed), round1(computed)))
        })
        .collect()
}

/// Lines showing how the scorecard's score and verdict follow from the evidence.
pub fn explain(scorecard: &Scorecard, settings: &PhaseSettings) -> Vec<String> {
    let mut lines = vec![
        "credit per check: pass 1; warn/partial 0.5, or score/max when given; \
         fail, error, not run 0; skip left out"
            .to_string(),
    ];
    for s in scorecard.suites.iter().filter(|s| s.stale) {
        lines.push(format!(
            "{}: stale ({} days old, window {} days), its checks count as not run",
            s.suite,
            s.age_days(),
            settings.freshness_days
        ));
    }
    for c in &scorecard.categories {
        match c.score {
            None => lines.push(format!("{}: no scorable checks (excluded)", c.name)),
            Some(score) => lines.push(format!(
                "{}: {} / {} credit = {:.1} (weight {}{})",
                c.name,
                num(c.credit),
                num(c.credit_max),
                round1(score),
                num(c.weight),
                if c.weight > 0.0 { "" } else { ", excluded" }
            )),
        }
    }
    let included: Vec<&CategoryScore> = scorecard.categories.iter().filter(|c| c.included()).collect();
    match scorecard.score {
        Some(score) => {
            let terms: Vec<String> =
                included.iter().map(|c| format!("{:.1}×{}", round1(c.score.unwrap_or(0.0)), num(c.weight))).collect();
            let total: f64 = included.iter().map(|c| c.weight).sum();
            lines.push(format!("phase: ({}) / {} = {:.1}", terms.join(" + "), num(total), round1(score)));
        }
        None => lines.push("phase: no scorable evidence, no score".to_string()),
    }
    lines.push(format!(
        "verdict {}: NO-GO on any open critical blocker; READY at ≥ {} with no open high \
         blocker and the required checklist done and signed; CONDITIONAL at ≥ {}",
        scorecard.verdict.label(),
        num(settings.ready_threshold),
        num(settings.conditional_threshold)
    ));
    lines
}

#[cfg(test)]
mod tests;
