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

/// Compares a report's claims (score, verdict) with what its own evidence supports: its own
/// score, its own open critical/high findings, and whether it is self-reported.
#[allow(clippy::too_many_arguments)]
pub fn check_claims(
    settings: &PhaseSettings,
    own_score: Option<f64>,
    provenance: Provenance,
    open_critical: u32,
    open_high: u32,
    claimed_score: Option<f64>,
    claimed_verdict: Option<&str>,
) -> ClaimCheck {
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
mod tests {
    use super::*;
    use crate::model::{Finding, FindingStatus, ParsedReport, Severity, Target, TargetOp};

    const DAY: i64 = MS_PER_DAY;
    const NOW: i64 = 1_754_560_000_000;

    fn check(id: &str, category: Option<&str>, status: Status) -> Check {
        Check {
            id: id.into(),
            name: id.into(),
            category: category.map(Into::into),
            status,
            weight: 1.0,
            ..Check::default()
        }
    }

    fn scored(id: &str, status: Status, score: f64, max: f64) -> Check {
        Check { score: Some(score), max: Some(max), ..check(id, None, status) }
    }

    fn suite(name: &str, age_days: i64, tallies: Vec<CategoryTally>) -> SuiteEvidence {
        SuiteEvidence {
            suite: name.into(),
            kind: None,
            report_id: 1,
            received_at_ms: NOW - age_days * DAY,
            finished_at_ms: None,
            tallies,
            claimed_score: None,
            provenance: Provenance::Measured,
        }
    }

    /// A suite whose only category earns `passed` out of `total` pass/fail checks.
    fn simple(name: &str, category: &str, passed: usize, total: usize) -> SuiteEvidence {
        let checks: Vec<Check> = (0..total)
            .map(|i| {
                let st = if i < passed { Status::Pass } else { Status::Fail };
                check(&format!("c{i}"), Some(category), st)
            })
            .collect();
        suite(name, 0, tally_checks(&checks, &[], name))
    }

    fn eval(suites: &[SuiteEvidence]) -> Scorecard {
        evaluate(&PhaseSettings::default(), NOW, suites, &OpenBlockerSummary::default(), &ChecklistSummary::default())
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_category_with_only_self_reported_evidence_caps_ready_unless_vouched() {
        let mut hand = simple("readiness-report", "Deployment", 10, 10);
        hand.provenance = Provenance::SelfReported;
        let suites = [simple("unit", "Tests", 10, 10), hand];
        let card = eval(&suites);
        assert_eq!(card.verdict, Verdict::Conditional, "{:?}", card.reasons);
        assert!(card.reasons.iter().any(|r| r == "Deployment: self-reported only"), "{:?}", card.reasons);
        assert!(card.categories.iter().any(|c| c.name == "Tests" && c.measured));

        let vouched = ChecklistSummary {
            vouched: vec![Vouch { category: "deployment".into(), by: "alice".into() }],
            ..ChecklistSummary::default()
        };
        let card = evaluate(&PhaseSettings::default(), NOW, &suites, &OpenBlockerSummary::default(), &vouched);
        assert_eq!(card.verdict, Verdict::Ready, "{:?}", card.reasons);
        assert!(
            card.reasons.iter().any(|r| r == "Deployment: self-reported, vouched for by alice"),
            "{:?}",
            card.reasons
        );
    }

    #[test]
    fn claims_beyond_the_reports_own_evidence_are_not_supported() {
        let s = PhaseSettings::default();
        let c = check_claims(&s, Some(99.3), Provenance::SelfReported, 0, 0, None, Some("ready"));
        assert_eq!((c.verdict, c.supported), (Verdict::Conditional, Some(false)));
        assert_eq!(
            c.reasons,
            vec!["claims READY, its own evidence supports CONDITIONAL: its evidence is self-reported only"]
        );
        let c = check_claims(&s, Some(53.3), Provenance::SelfReported, 3, 0, Some(65.0), Some("conditional"));
        assert_eq!(c.verdict, Verdict::NoGo);
        assert_eq!(c.reasons.len(), 2, "{:?}", c.reasons);
        assert!(c.reasons[0].starts_with("claims a score of 65, its own checks support 53.3"));
        let c = check_claims(&s, Some(95.0), Provenance::Measured, 0, 0, Some(96.0), Some("ready"));
        assert_eq!((c.supported, c.reasons.len()), (Some(true), 0));
        assert_eq!(check_claims(&s, Some(95.0), Provenance::Measured, 0, 0, None, None).supported, None);
    }

    #[test]
    fn credit_per_status() {
        assert_eq!(credit(Status::Pass, None, None), Some(1.0));
        assert_eq!(credit(Status::Warn, None, None), Some(0.5));
        assert_eq!(credit(Status::Partial, None, None), Some(0.5));
        assert_eq!(credit(Status::Fail, None, None), Some(0.0));
        assert_eq!(credit(Status::Error, None, None), Some(0.0));
        assert_eq!(credit(Status::NotRun, None, None), Some(0.0));
        assert_eq!(credit(Status::Skip, None, None), None);
        assert_eq!(credit(Status::Skip, Some(5.0), Some(10.0)), None);
    }

    #[test]
    fn partial_credit_uses_score_over_max_clamped() {
        assert_eq!(credit(Status::Partial, Some(30.0), Some(100.0)), Some(0.3));
        assert_eq!(credit(Status::Warn, Some(3.0), Some(4.0)), Some(0.75));
        assert_eq!(credit(Status::Partial, Some(150.0), Some(100.0)), Some(1.0));
        assert_eq!(credit(Status::Partial, Some(-5.0), Some(100.0)), Some(0.0));
        // Incomplete or unusable score/max falls back to the flat half credit.
        assert_eq!(credit(Status::Partial, Some(30.0), None), Some(0.5));
        assert_eq!(credit(Status::Partial, Some(30.0), Some(0.0)), Some(0.5));
        assert_eq!(credit(Status::Partial, Some(f64::NAN), Some(10.0)), Some(0.5));
        // The status decides for pass and fail; score/max only refines partial results.
        assert_eq!(credit(Status::Pass, Some(10.0), Some(100.0)), Some(1.0));
        assert_eq!(credit(Status::Fail, Some(90.0), Some(100.0)), Some(0.0));
    }

    #[test]
    fn tally_groups_by_category_with_suite_fallback_and_metrics() {
        let checks = vec![
            check("a", Some("Security"), Status::Pass),
            check("b", None, Status::Fail),
            check("c", Some("  "), Status::Pass),
            check("d", Some("Security"), Status::Skip),
            scored("e", Status::Partial, 1.0, 4.0),
        ];
        let metrics = vec![
            Metric {
                name: "p95_ms".into(),
                category: Some("Performance".into()),
                value: 120.0,
                unit: "ms".into(),
                target: Some(Target { op: TargetOp::Lt, value: 100.0 }),
            },
            Metric {
                name: "rps".into(),
                category: None,
                value: 500.0,
                unit: "1/s".into(),
                target: Some(Target { op: TargetOp::Ge, value: 400.0 }),
            },
            // No target: a measurement, not a check.
            Metric {
                name: "cpu".into(),
                category: Some("Performance".into()),
                value: 0.4,
                unit: "".into(),
                target: None,
            },
        ];
        let t = tally_checks(&checks, &metrics, "load");
        let names: Vec<&str> = t.iter().map(|t| t.category.as_str()).collect();
        assert_eq!(names, ["Performance", "Security", "load"]);

        // Performance: the missed p95 target is one failing check.
        assert_eq!(t[0].checks, 1);
        assert_eq!((t[0].weighted_credit, t[0].weight), (0.0, 1.0));
        assert_eq!(t[0].counts.failed, 1);

        // Security: the skipped check counts as a check but not in the denominator.
        assert_eq!(t[1].checks, 2);
        assert_eq!((t[1].weighted_credit, t[1].weight), (1.0, 1.0));
        assert_eq!(t[1].counts.skipped, 1);

        // load: b fail 0 + c pass 1 + e partial 0.25 + rps met 1 = 2.25 of 4.
        assert_eq!(t[2].checks, 4);
        assert!(close(t[2].weighted_credit, 2.25));
        assert_eq!(t[2].weight, 4.0);
        assert_eq!(t[2].counts.tests, 4);
        assert_eq!(t[2].counts.passed, 2);
    }

    #[test]
    fn check_weights_weight_the_category_mean() {
        let checks = vec![
            Check { weight: 3.0, ..check("a", Some("Reliability"), Status::Pass) },
            check("b", Some("Reliability"), Status::Fail),
            // Weight 0 means "not given" (the model's default): counts as 1.
            Check { weight: 0.0, ..check("c", Some("Reliability"), Status::Fail) },
        ];
        let t = tally_checks(&checks, &[], "unit");
        assert_eq!(t.len(), 1);
        assert_eq!((t[0].weighted_credit, t[0].weight), (3.0, 5.0));
        let card = eval(&[suite("unit", 0, t)]);
        // 3 / 5 = 60.0
        assert_eq!(card.display_score(), Some(60.0));
        assert_eq!(card.categories[0].score, Some(60.0));
    }

    #[test]
    fn category_weights_weight_the_phase_mean() {
        // Security 3/4 = 75, Reliability 1/2 = 50, Docs 0/1 = 0 (weight 0, excluded).
        let suites =
            [simple("audit", "Security", 3, 4), simple("drills", "Reliability", 1, 2), simple("docs", "Docs", 0, 1)];
        let settings = PhaseSettings {
            category_weights: BTreeMap::from([("reliability".to_string(), 2.0), ("Docs".to_string(), 0.0)]),
            ..PhaseSettings::default()
        };
        let card = evaluate(&settings, NOW, &suites, &OpenBlockerSummary::default(), &ChecklistSummary::default());
        // (75×1 + 50×2) / 3 = 58.333…
        assert!(close(card.score.unwrap(), 175.0 / 3.0));
        assert_eq!(card.display_score(), Some(58.3));
        let docs = card.categories.iter().find(|c| c.name == "Docs").unwrap();
        assert_eq!((docs.score, docs.weight, docs.included()), (Some(0.0), 0.0, false));

        // Equal weights without settings: (75 + 50 + 0) / 3 = 41.7
        let card = eval(&suites);
        assert_eq!(card.display_score(), Some(41.7));
    }

    #[test]
    fn categories_merge_across_suites_and_skip_only_categories_are_excluded() {
        let a = simple("unit", "Security", 1, 2);
        let b = simple("audit", "security", 2, 2);
        let c = suite("e2e", 0, tally_checks(&[check("x", Some("UI"), Status::Skip)], &[], "e2e"));
        let card = eval(&[a, b, c]);
        assert_eq!(card.categories.len(), 2);
        let sec = &card.categories[0];
        assert_eq!(sec.name, "Security");
        // 3 of 4 across both suites.
        assert_eq!((sec.credit, sec.credit_max, sec.checks), (3.0, 4.0, 4));
        assert_eq!(sec.score, Some(75.0));
        let ui = &card.categories[1];
        assert_eq!((ui.name.as_str(), ui.score, ui.checks), ("UI", None, 1));
        assert_eq!(card.score, Some(75.0));
    }

    #[test]
    fn stale_suite_counts_as_not_run_and_is_named() {
        let fresh = simple("unit", "Quality", 4, 4);
        let mut load = suite(
            "load",
            17,
            tally_checks(
                &[
                    check("p95", Some("Performance"), Status::Pass),
                    check("rps", Some("Performance"), Status::Pass),
                    check("soak", Some("Performance"), Status::Skip),
                ],
                &[],
                "load",
            ),
        );
        load.report_id = 7;
        let card = eval(&[fresh, load.clone()]);
        let perf = card.categories.iter().find(|c| c.name == "Performance").unwrap();
        // Credit 0 over the same denominator: 2 (the skipped check stays out).
        assert_eq!((perf.credit, perf.credit_max), (0.0, 2.0));
        assert_eq!(perf.score, Some(0.0));
        // The counts say so too: the passes of a stale suite are shown as not run.
        assert_eq!((perf.counts.passed, perf.counts.not_run, perf.counts.skipped, perf.counts.tests), (0, 2, 1, 3));
        // (100 + 0) / 2
        assert_eq!(card.score, Some(50.0));
        let st = card.suites.iter().find(|s| s.suite == "load").unwrap();
        assert!(st.stale);
        assert_eq!((st.report_id, st.age_ms, st.age_days()), (7, 17 * DAY, 17));
        assert!(!card.suites.iter().find(|s| s.suite == "unit").unwrap().stale);
        assert_eq!(card.verdict, Verdict::NotReady);
        assert_eq!(card.reasons, ["load suite stale (17 days old)", "score 50.0 below conditional threshold 70"]);

        // The finish time, when known, is what ages the evidence; exactly 14 days is fresh.
        load.finished_at_ms = Some(NOW - 14 * DAY);
        let card = eval(&[load]);
        assert!(!card.suites[0].stale);
        assert_eq!(card.score, Some(100.0));
    }

    #[test]
    fn latest_report_per_suite_wins_if_several_are_given() {
        let mut old = simple("unit", "Quality", 0, 2);
        old.report_id = 1;
        old.received_at_ms = NOW - 2 * DAY;
        let mut new = simple("unit", "Quality", 2, 2);
        new.report_id = 2;
        let card = eval(&[new, old]);
        assert_eq!(card.suites.len(), 1);
        assert_eq!(card.suites[0].report_id, 2);
        assert_eq!(card.score, Some(100.0));
    }

    #[test]
    fn no_evidence_is_not_ready() {
        let card = eval(&[]);
        assert_eq!(card.score, None);
        assert_eq!(card.verdict, Verdict::NotReady);
        assert_eq!(card.reasons, ["no evidence yet"]);
        assert!(card.categories.is_empty() && card.suites.is_empty());

        // A critical blocker still makes it NO-GO.
        let blockers = OpenBlockerSummary { critical: 1, high: 0 };
        let card = evaluate(&PhaseSettings::default(), NOW, &[], &blockers, &ChecklistSummary::default());
        assert_eq!(card.verdict, Verdict::NoGo);
        assert_eq!(card.reasons, ["1 critical blocker open", "no evidence yet"]);
    }

    #[test]
    fn verdict_branches_and_reasons() {
        let settings = PhaseSettings::default();
        let run = |suites: &[SuiteEvidence], critical, high, required, done| {
            evaluate(
                &settings,
                NOW,
                suites,
                &OpenBlockerSummary { critical, high },
                &ChecklistSummary { required, required_done_and_signed: done, vouched: Vec::new() },
            )
        };
        let s95 = [simple("unit", "Quality", 19, 20)]; // 95.0
        let s80 = [simple("unit", "Quality", 16, 20)]; // 80.0
        let s60 = [simple("unit", "Quality", 12, 20)]; // 60.0

        let card = run(&s95, 0, 0, 4, 4);
        assert_eq!(card.verdict, Verdict::Ready);
        assert_eq!(card.reasons, ["score 95.0 ≥ 90, no open blockers, checklist complete"]);

        let card = run(&s95, 2, 1, 5, 2);
        assert_eq!(card.verdict, Verdict::NoGo);
        assert_eq!(
            card.reasons,
            ["2 critical blockers open", "1 high blocker open", "3 required checklist items not done and signed"]
        );

        // A high blocker or an unsigned required item keeps a high score CONDITIONAL.
        let card = run(&s95, 0, 1, 0, 0);
        assert_eq!(card.verdict, Verdict::Conditional);
        assert_eq!(card.reasons, ["1 high blocker open"]);
        let card = run(&s95, 0, 0, 3, 2);
        assert_eq!(card.verdict, Verdict::Conditional);
        assert_eq!(card.reasons, ["1 required checklist item not done and signed"]);

        let card = run(&s80, 0, 0, 0, 0);
        assert_eq!(card.verdict, Verdict::Conditional);
        assert_eq!(card.reasons, ["score 80.0 below ready threshold 90"]);

        let card = run(&s60, 0, 2, 0, 0);
        assert_eq!(card.verdict, Verdict::NotReady);
        assert_eq!(card.reasons, ["2 high blockers open", "score 60.0 below conditional threshold 70"]);
    }

    #[test]
    fn thresholds_are_inclusive() {
        // 9 of 10 = 90.0 exactly (0.9 × 100 is not exact in binary).
        let card = eval(&[simple("unit", "Quality", 9, 10)]);
        assert_eq!(card.display_score(), Some(90.0));
        assert_eq!(card.verdict, Verdict::Ready);
        assert_eq!(card.reasons, ["score 90.0 ≥ 90, no open blockers, no required checklist items"]);

        // 7 of 10 = 70.0 is CONDITIONAL; 699 of 1000 = 69.9 is NOT READY.
        assert_eq!(eval(&[simple("unit", "Q", 7, 10)]).verdict, Verdict::Conditional);
        let card = eval(&[simple("unit", "Q", 699, 1000)]);
        assert_eq!(card.verdict, Verdict::NotReady);
        assert_eq!(card.reasons, ["score 69.9 below conditional threshold 70"]);

        // 899 of 1000 = 89.9 is not READY.
        let card = eval(&[simple("unit", "Q", 899, 1000)]);
        assert_eq!(card.verdict, Verdict::Conditional);
        assert_eq!(card.reasons, ["score 89.9 below ready threshold 90"]);

        // Custom thresholds with decimals are printed as set.
        let settings = PhaseSettings { ready_threshold: 92.5, ..PhaseSettings::default() };
        let card = evaluate(
            &settings,
            NOW,
            &[simple("unit", "Q", 9, 10)],
            &OpenBlockerSummary::default(),
            &ChecklistSummary::default(),
        );
        assert_eq!(card.reasons, ["score 90.0 below ready threshold 92.5"]);
    }

    #[test]
    fn claim_tolerance_is_five_points() {
        assert_eq!(claim_differs(Some(70.0), Some(65.0)), Some(false));
        assert_eq!(claim_differs(Some(58.3), Some(53.3)), Some(false));
        assert_eq!(claim_differs(Some(60.0), Some(65.0)), Some(false));
        assert_eq!(claim_differs(Some(70.1), Some(65.0)), Some(true));
        assert_eq!(claim_differs(Some(59.9), Some(65.0)), Some(true));
        assert_eq!(claim_differs(None, Some(65.0)), None);
        assert_eq!(claim_differs(Some(65.0), None), None);
    }

    #[test]
    fn verdict_names() {
        let all = [Verdict::Ready, Verdict::Conditional, Verdict::NotReady, Verdict::NoGo];
        let names: Vec<_> = all.iter().map(|v| v.as_str()).collect();
        assert_eq!(names, ["ready", "conditional", "not_ready", "no_go"]);
        let labels: Vec<_> = all.iter().map(|v| v.label()).collect();
        assert_eq!(labels, ["READY", "CONDITIONAL", "NOT READY", "NO-GO"]);
        for v in all {
            assert_eq!(Verdict::parse(v.as_str()), Some(v));
            assert_eq!(serde_json::to_string(&v).unwrap(), format!("\"{}\"", v.as_str()));
        }
        assert_eq!(Verdict::parse("READY"), None);
    }

    #[test]
    fn settings_default_and_partial_json() {
        let d = PhaseSettings::default();
        assert_eq!((d.ready_threshold, d.conditional_threshold, d.freshness_days), (90.0, 70.0, 14));
        assert!(d.category_weights.is_empty());
        let s: PhaseSettings = serde_json::from_str(r#"{"freshness_days": 7}"#).unwrap();
        assert_eq!(s, PhaseSettings { freshness_days: 7, ..d });
    }

    #[test]
    fn explain_shows_the_arithmetic() {
        // Security: 7.5 of 10 (6 pass, 3 partial at 0.5, 1 fail); Reliability: 1 of 2, weight 2.
        let mut sec: Vec<Check> = (0..6).map(|i| check(&format!("p{i}"), None, Status::Pass)).collect();
        sec.extend((0..3).map(|i| check(&format!("w{i}"), None, Status::Partial)));
        sec.push(check("f", None, Status::Fail));
        let suites = [
            suite("audit", 0, tally_checks(&sec, &[], "Security")),
            simple("drills", "Reliability", 1, 2),
            suite("e2e", 20, tally_checks(&[check("x", Some("UI"), Status::Skip)], &[], "e2e")),
        ];
        let settings = PhaseSettings {
            category_weights: BTreeMap::from([("Reliability".to_string(), 2.0)]),
            ..PhaseSettings::default()
        };
        let card = evaluate(&settings, NOW, &suites, &OpenBlockerSummary::default(), &ChecklistSummary::default());
        let lines = explain(&card, &settings);
        assert_eq!(
            lines[1..],
            [
                "e2e: stale (20 days old, window 14 days), its checks count as not run",
                "Reliability: 1 / 2 credit = 50.0 (weight 2)",
                "Security: 7.5 / 10 credit = 75.0 (weight 1)",
                "UI: no scorable checks (excluded)",
                "phase: (50.0×2 + 75.0×1) / 3 = 58.3",
                "verdict NOT READY: NO-GO on any open critical blocker; READY at ≥ 90 with no \
                 open high blocker and the required checklist done and signed; CONDITIONAL at ≥ 70",
            ]
        );
    }

    /// The Phase 4 seed report's own "Overall Phase 4 Score" breakdown, row by row.
    fn phase4_seed_report() -> ParsedReport {
        let row = |id: &str, status, score| scored(id, status, score, 100.0);
        let critical = |id: &str, title: &str| Finding {
            id: id.into(),
            severity: Severity::Critical,
            status: FindingStatus::Open,
            category: None,
            title: title.into(),
            details: String::new(),
        };
        ParsedReport {
            format: "markdown".into(),
            checks: vec![
                row("docker-containerization", Status::Pass, 100.0),
                row("rbac-implementation", Status::Pass, 100.0),
                row("caching-system", Status::Pass, 100.0),
                row("websocket-support", Status::Pass, 100.0),
                row("saml-sso", Status::Partial, 30.0),
                row("load-testing", Status::NotRun, 0.0),
                row("production-deployment", Status::NotRun, 0.0),
                row("security-audit", Status::Partial, 50.0),
                row("performance-testing", Status::NotRun, 0.0),
            ],
            // "Outstanding Issues → Critical".
            findings: vec![
                critical("redis-dependency", "Container fails without Redis connection"),
                critical("port-configuration", "Port mismatch between Dockerfile and app"),
                critical("saml-implementation", "SAML mock only, not production-ready"),
            ],
            claimed: Some(crate::model::Claimed {
                score: Some(65.0),
                verdict: Some("conditional".into()),
                confidence: None,
            }),
            ..ParsedReport::default()
        }
    }

    #[test]
    fn phase4_seed_breakdown_averages_53_3_not_the_claimed_65() {
        let report = phase4_seed_report();
        let tallies = tally_checks(&report.checks, &report.metrics, "readiness-report");
        // 4 × 1 + 0.3 + 0.5 = 4.8 credit of 9.
        assert_eq!(tallies.len(), 1);
        assert!(close(tallies[0].weighted_credit, 4.8));
        assert_eq!(tallies[0].weight, 9.0);

        let blockers = crate::blockers::derive("phase-4", "readiness-report", &report);
        let critical = blockers.iter().filter(|b| b.severity == Severity::Critical).count();
        assert_eq!(critical, 3);

        let claimed = report.claimed.as_ref().and_then(|c| c.score);
        let mut evidence = suite("readiness-report", 0, tallies);
        evidence.claimed_score = claimed;
        let settings = PhaseSettings::default();
        let card = evaluate(
            &settings,
            NOW,
            &[evidence],
            &OpenBlockerSummary { critical: critical as u32, high: 0 },
            &ChecklistSummary::default(),
        );
        assert!(close(card.score.unwrap(), 480.0 / 9.0));
        assert_eq!(card.display_score(), Some(53.3));
        assert_eq!(claim_differs(claimed, card.score), Some(true));
        assert_eq!(card.suites[0].claim_differs, Some(true));
        assert_eq!(card.verdict, Verdict::NoGo);
        assert_eq!(
            card.reasons,
            [
                "3 critical blockers open",
                "score 53.3 below conditional threshold 70",
                "readiness-report report claims 65; its own checks support 53.3",
            ]
        );
        assert_eq!(
            explain(&card, &settings)[1..3],
            ["readiness-report: 4.8 / 9 credit = 53.3 (weight 1)", "phase: (53.3×1) / 1 = 53.3",]
        );
    }
}
