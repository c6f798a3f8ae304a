//! Building the report: walks the blocks of a document with the stack of sections they
//! sit in, and turns what a careful reader would count into checks, findings and claims.

use std::collections::HashMap;

use super::blocks::Block;
use super::claims::{
    breakdown_score, confidence_in, ratio_passed, ratio_status, score_in, strip_count_claim, verdict_in,
};
use super::findings::{Findings, is_detail_line};
use super::meta::{parse_date, phase_from_title};
use super::sections::{Kind, clean_heading, kind_of, severity_heading, severity_stated};
use super::tables::Columns;
use super::words::{KEYWORDS, emoji_in, intent_in, line_keyword, not_executed_note, strip_marks};
use crate::ingest::{IngestError, MAX_DETAILS_BYTES, MAX_MESSAGE_BYTES, bounded};
use crate::model::{Check, Claimed, ParsedReport, Provenance, Severity, Status};
use crate::slug::slugify;

/// Longest check name kept, in bytes.
const MAX_NAME_BYTES: usize = 200;
/// Heading "n/m passed" claims compared with their items, at most.
const MAX_RATIO_CLAIMS: usize = 256;

/// One open heading.
struct Section {
    /// Unique number of this section in the document.
    id: usize,
    level: usize,
    category: String,
    kind: Kind,
    /// The heading itself claims a score ("Overall Score: 65/100"): its items are a breakdown.
    score_claim: bool,
    /// The heading names one issue (under an issues section): what follows describes it.
    issue: bool,
    /// The heading as written.
    heading: String,
}

/// A heading that claims "n/m passed" for the checks of its own section.
struct RatioClaim {
    heading: String,
    section: usize,
    passed: u64,
    total: u64,
}

/// Statuses a reader must not take as results, gathered for one note per reason.
#[derive(Default)]
struct Discounted {
    expected: Vec<String>,
    criteria: Vec<String>,
    intent: Vec<String>,
    actions: usize,
}

pub(super) struct Builder {
    report: ParsedReport,
    stack: Vec<Section>,
    next_section: usize,
    heading_counts: HashMap<String, usize>,
    title: Option<String>,
    phase_meta: Option<String>,
    /// A one-line bold label ("**Expected Results:**", "**Breakdown:**") and the kind it
    /// gives the items after it.
    label: Option<(Kind, bool)>,
    /// Depth of the items of the current issue list.
    issue_depth: Option<usize>,
    verdict: Option<(&'static str, u8)>,
    score: Option<(f64, u8)>,
    confidence: Option<f64>,
    ratio_claims: Vec<RatioClaim>,
    /// Section of each check, and the top-level section it sits in.
    check_sections: Vec<(usize, Option<usize>)>,
    /// Top-level sections a note says were not executed, with the note.
    not_executed: Vec<(usize, String)>,
    ids: HashMap<String, usize>,
    findings: Findings,
    discounted: Discounted,
    breakdown: Vec<f64>,
    /// A one-line paragraph in an issues section, which names the issue when detail lines
    /// ("- **Impact:** …") follow it.
    pending_issue: Option<String>,
}

impl Builder {
    pub(super) fn new(blocks: &[Block], format: &str) -> Builder {
        let mut heading_counts = HashMap::new();
        for b in blocks {
            if let Block::Heading { text, .. } = b {
                *heading_counts.entry(clean_heading(text).to_lowercase()).or_default() += 1;
            }
        }
        Builder {
            // A hand-written report is what its author says, however precise it looks.
            report: ParsedReport {
                format: format.to_string(),
                provenance: Provenance::SelfReported,
                ..ParsedReport::default()
            },
            stack: Vec::new(),
            next_section: 0,
            heading_counts,
            title: None,
            phase_meta: None,
            label: None,
            issue_depth: None,
            verdict: None,
            score: None,
            confidence: None,
            ratio_claims: Vec::new(),
            check_sections: Vec::new(),
            not_executed: Vec::new(),
            ids: HashMap::new(),
            findings: Findings::default(),
            discounted: Discounted::default(),
            breakdown: Vec::new(),
            pending_issue: None,
        }
    }

    /// Notes gathered before the blocks (e.g. an encoding repair).
    pub(super) fn note(&mut self, note: String) {
        self.report.notes.push(note);
    }

    pub(super) fn block(&mut self, block: &Block) {
        match block {
            Block::Heading { level, text } => self.heading(*level, text),
            Block::Paragraph(text) => self.paragraph(text),
            Block::Item { depth, text, checked } => self.item(*depth, text, *checked),
            Block::Table { header, rows } => self.table(header, rows),
        }
    }

    fn category(&self) -> Option<String> {
        self.stack.last().map(|s| s.category.clone())
    }

    /// The kind that applies here: a bold label's, else the section's.
    fn kind(&self) -> Kind {
        match self.label {
            Some((k, _)) if k != Kind::Results => k,
            _ => self.stack.last().map_or(Kind::Results, |s| s.kind),
        }
    }

    fn in_breakdown(&self) -> bool {
        self.label.is_some_and(|(_, b)| b) || self.stack.last().is_some_and(|s| s.score_claim)
    }

    fn claim_verdict(&mut self, found: Option<(&'static str, u8)>) {
        if let Some((v, w)) = found
            && self.verdict.is_none_or(|(_, best)| w >= best)
        {
            self.verdict = Some((v, w));
        }
    }

    fn claim_score(&mut self, line: &str, weight: u8) {
        if let Some(s) = score_in(line) {
            let lower = line.to_lowercase();
            let w = weight + u8::from(["overall", "total", "final"].iter().any(|k| lower.contains(k)));
            if self.score.is_none_or(|(_, best)| w >= best) {
                self.score = Some((s, w));
            }
        }
    }

    fn claim_confidence(&mut self, line: &str) {
        if let Some(c) = confidence_in(line) {
            self.confidence = Some(c);
        }
    }

    fn heading(&mut self, level: usize, text: &str) {
        self.label = None;
        self.pending_issue = None;
        self.issue_depth = None;
        self.findings.close();
        if level == 1 && self.title.is_none() {
            self.title = Some(text.to_string());
            self.claim_confidence(text);
            return;
        }
        while self.stack.last().is_some_and(|s| s.level >= level) {
            self.stack.pop();
        }
        let verdict = verdict_in(text, true);
        self.claim_verdict(verdict);
        self.claim_score(text, 2);
        self.claim_confidence(text);
        let score_claim = score_in(text).is_some();

        let parent = self.stack.last();
        let parent_kind = parent.map(|s| s.kind);
        let name = clean_heading(text);
        // A heading that names an issue under an issues section is one finding.
        let mut issue = false;
        let kind = match parent_kind {
            // Headings inside an issue ("#### Root cause") describe it.
            Some(k) if parent.is_some_and(|p| p.issue) => {
                issue = true;
                self.findings.reopen_last();
                self.findings.detail(text);
                k
            }
            Some(Kind::Issues(sev)) if severity_heading(text).is_none() || !is_severity_group(&name) => {
                issue = true;
                let sev = severity_stated(text).unwrap_or(sev);
                self.findings.open(text, parent.map(|s| s.category.clone()), sev);
                Kind::Issues(sev)
            }
            _ => kind_of(text, parent_kind),
        };
        // A generic heading repeated across sections ("Implementation", "Test Results")
        // names no category of its own: its checks belong to the section around it.
        let repeated = self.heading_counts.get(&name.to_lowercase()).copied().unwrap_or(0) > 1;
        let category = match parent {
            // So does a heading that is a verdict ("✅ Ready for Production").
            Some(p) if repeated || issue || verdict.is_some_and(|(_, w)| w >= 3) => p.category.clone(),
            _ => name.clone(),
        };
        let id = self.next_section;
        self.next_section += 1;
        if let Some((n, m)) = ratio_passed(text)
            && self.ratio_claims.len() < MAX_RATIO_CLAIMS
        {
            self.ratio_claims.push(RatioClaim { heading: name.clone(), section: id, passed: n, total: m });
        }
        self.stack.push(Section { id, level, category, kind, score_claim, issue, heading: text.to_string() });
    }

    fn top_section(&self) -> Option<usize> {
        self.stack.first().map(|s| s.id)
    }

    fn paragraph(&mut self, text: &str) {
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        self.pending_issue = (matches!(self.kind(), Kind::Issues(_))
            && lines.len() == 1
            && !lines[0].ends_with(':')
            && lines[0].len() <= 160
            && !is_detail_line(lines[0]))
        .then(|| lines[0].to_string());
        if self.stack.last().is_some_and(|s| s.issue) {
            for line in &lines {
                self.findings.detail(line);
            }
        }
        for line in &lines {
            if let Some((key, value)) = line.split_once(':') {
                let key = key.trim().trim_matches('*').trim().to_lowercase();
                let value = value.trim().trim_start_matches('*').trim();
                if key.len() <= 40 && !value.is_empty() {
                    if key.contains("date") && self.report.run.started_at.is_none() {
                        self.report.run.started_at = parse_date(value);
                    } else if key.contains("environment") && self.report.run.environment.is_none() {
                        self.report.run.environment = Some(bounded(value, MAX_MESSAGE_BYTES));
                    } else if key == "phase" && self.phase_meta.is_none() {
                        let v = strip_marks(value).replace(" - ", " — ");
                        self.phase_meta =
                            Some(if v.starts_with(|c: char| c.is_ascii_digit()) { format!("Phase {v}") } else { v });
                    }
                }
            }
            self.claim_verdict(verdict_in(line, false));
            self.claim_score(line, 1);
            self.claim_confidence(line);
            if not_executed_note(line)
                && let Some(top) = self.top_section()
            {
                self.not_executed.push((top, bounded(&strip_marks(line).replace("**", ""), MAX_MESSAGE_BYTES)));
            }
        }
        // A bold label such as "**Expected Results:**" heads the items after it.
        self.label = (lines.len() == 1 && lines[0].ends_with(':') && lines[0].len() < 80).then(|| {
            let lower = lines[0].to_lowercase();
            (kind_of(lines[0], None), lower.contains("breakdown"))
        });
    }

    fn item(&mut self, depth: usize, text: &str, checked: Option<bool>) {
        let first = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
        if first.is_empty() {
            return;
        }
        self.claim_confidence(first);
        match self.kind() {
            Kind::Issues(sev) => return self.issue_item(depth, text, first, sev),
            Kind::Actions => {
                if emoji_in(first).is_some() || checked.is_some() {
                    self.discounted.actions += 1;
                }
                return;
            }
            Kind::Summary => {
                self.claim_verdict(verdict_in(first, false).filter(|(_, w)| *w >= 2));
                self.claim_score(first, 1);
                if let Some((score, max)) = breakdown_score(first) {
                    self.breakdown.push(score / max * 100.0);
                }
                return;
            }
            _ => {}
        }
        let lower = first.to_lowercase();
        if ["overall", "total score", "final score", "readiness score"].iter().any(|k| lower.contains(k))
            && score_in(first).is_some()
        {
            self.claim_score(first, 1);
            return;
        }
        if let Some(v) = verdict_in(first, false).filter(|(_, w)| *w >= 2) {
            self.claim_verdict(Some(v));
            return;
        }
        let (name, message) = split_name(first);
        // "SAML/SSO: 30/100": a score per area — a claim when it breaks down a claimed score.
        if let Some((score, max)) = breakdown_score(first) {
            self.breakdown.push(score / max * 100.0);
            if self.in_breakdown() {
                return;
            }
            let status = if score >= max {
                Status::Pass
            } else if score <= 0.0 {
                Status::Fail
            } else {
                Status::Partial
            };
            self.add_check(name, status, message, text.to_string(), Some(score), Some(max));
            return;
        }
        let ratio = ratio_passed(first);
        let status = line_keyword(first)
            .or_else(|| emoji_in(first))
            .or(checked.map(|done| if done { Status::Pass } else { Status::NotRun }))
            .or_else(|| ratio.map(|(n, m)| ratio_status(n, m)));
        let Some(status) = status else { return };
        let status = self.discount(&name, status, first);
        let (score, max) = ratio.map_or((None, None), |(n, m)| (Some(n as f64), Some(m as f64)));
        self.add_check(name, status, message, text.to_string(), score, max);
    }

    /// The status a check counts with: a status under an expectation, a criterion or a
    /// statement of intent is not a result, so it counts as not run.
    fn discount(&mut self, name: &str, status: Status, text: &str) -> Status {
        if matches!(status, Status::NotRun | Status::Skip) {
            return status;
        }
        let entry = format!("{name} ({})", status.as_str());
        match self.kind() {
            Kind::Expected => self.discounted.expected.push(entry),
            Kind::Criteria => self.discounted.criteria.push(entry),
            _ => match intent_in(text) {
                Some(phrase) if !status.is_failure() => self.discounted.intent.push(format!("{name} (\"{phrase}\")")),
                _ => return status,
            },
        }
        Status::NotRun
    }

    fn issue_item(&mut self, depth: usize, text: &str, first: &str, sev: Severity) {
        if is_detail_line(first) && !self.findings.has_current() {
            // Details with no issue item above them describe the issue named just before:
            // a bold line, or the section's own heading ("Critical Issue: WebSocket error").
            let title = self.pending_issue.take().or_else(|| {
                self.stack.last().map(|s| s.heading.clone()).filter(|h| !is_severity_group(&clean_heading(h)))
            });
            if let Some(title) = title {
                let title = title
                    .split_once(": ")
                    .filter(|(head, _)| is_severity_group(head))
                    .map_or(title.as_str(), |(_, t)| t)
                    .to_string();
                self.findings.open(&title, self.category(), severity_stated(&title).unwrap_or(sev));
            }
        }
        let base = *self.issue_depth.get_or_insert(depth);
        let in_issue_heading = self.stack.last().is_some_and(|s| s.issue);
        // Under an issue's own heading, or below an issue's item, or labelled as a detail
        // ("Impact:", "Root cause:"), a line describes the issue above it.
        if in_issue_heading
            || (depth > base && self.findings.has_current())
            || (is_detail_line(first) && self.findings.has_current())
        {
            for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
                self.findings.detail(line);
            }
            return;
        }
        let sev = severity_stated(first).unwrap_or(sev);
        self.findings.open(first, self.category(), sev);
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()).skip(1) {
            self.findings.detail(line);
        }
    }

    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        self.label = self.label.filter(|(k, _)| *k != Kind::Results);
        let kind = self.kind();
        if kind == Kind::Actions {
            return;
        }
        let columns = Columns::of(header);
        for row in rows {
            let Some(first) = row.first() else { continue };
            let name = strip_count_claim(&strip_marks(first)).replace("**", "");
            let lower = name.to_lowercase();
            let joined = row.join(" | ");
            if score_in(&joined).is_some() && ["overall", "total", "final"].iter().any(|k| lower.contains(k)) {
                self.claim_score(&joined, 1);
                continue;
            }
            if let Some(v) = verdict_in(&format!("{name}: {}", row[1..].join(" ")), false).filter(|(_, w)| *w >= 2) {
                self.claim_verdict(Some(v));
                continue;
            }
            // Totals repeat the rows above them: counting them again would double-count.
            if name.is_empty() || matches!(lower.as_str(), "total" | "totals" | "overall" | "sum" | "all") {
                continue;
            }
            if let Kind::Issues(sev) = kind {
                let title = row
                    .iter()
                    .skip(1)
                    .filter(|c| !c.trim().is_empty())
                    .fold(name.clone(), |acc, c| format!("{acc}: {c}"));
                self.findings.open(&title, self.category(), severity_stated(&joined).unwrap_or(sev));
                self.findings.close();
                continue;
            }
            let cells = columns.read(row);
            let status = match (cells.actual, cells.expected) {
                (Some(s), _) => self.discount(&name, s, &joined),
                (None, Some(s)) => {
                    let col = columns.expected_name();
                    self.discounted.expected.push(format!("{name} ({} under \"{col}\")", s.as_str()));
                    Status::NotRun
                }
                // The name cell itself may carry the mark ("✅ Docker build").
                (None, None) => match emoji_in(first) {
                    Some(s) => self.discount(&name, s, &joined),
                    None => continue,
                },
            };
            let (score, max) = cells.ratio.map_or((None, None), |(n, m)| (Some(n as f64), Some(m as f64)));
            let name = bounded(&name, MAX_NAME_BYTES);
            let at = self.add_check(name, status, cells.message, cells.details, score, max);
            self.report.checks[at].duration_ms = cells.duration_ms;
        }
    }

    fn add_check(
        &mut self,
        name: String,
        status: Status,
        message: String,
        details: String,
        score: Option<f64>,
        max: Option<f64>,
    ) -> usize {
        let category = self.category();
        let base = format!("{}/{}", category.as_deref().map_or_else(|| "report".to_string(), slugify), slugify(&name));
        let n = self.ids.entry(base.clone()).or_default();
        *n += 1;
        let id = if *n > 1 { format!("{base}~{n}") } else { base };
        let name = if name.is_empty() { "(unnamed)".to_string() } else { name };
        self.check_sections.push((self.stack.last().map_or(usize::MAX, |s| s.id), self.top_section()));
        self.report.checks.push(Check {
            id,
            name,
            suite_path: category.clone().unwrap_or_default(),
            category,
            status,
            score,
            max,
            weight: 1.0,
            message: bounded(&message, MAX_MESSAGE_BYTES),
            details: bounded(&details, MAX_DETAILS_BYTES),
            ..Check::default()
        });
        self.report.checks.len() - 1
    }

    pub(super) fn finish(mut self) -> Result<ParsedReport, IngestError> {
        self.apply_not_executed();
        self.compare_ratio_claims();
        self.note_discounted();
        let score = self.score.map(|(s, _)| (s * 10.0).round() / 10.0);
        if let Some(claimed) = score
            && !self.breakdown.is_empty()
        {
            let mean = self.breakdown.iter().sum::<f64>() / self.breakdown.len() as f64;
            if (mean - claimed).abs() > 5.0 {
                self.report
                    .notes
                    .push(format!("The report claims a score of {claimed} but its own breakdown averages {mean:.1}"));
            }
        }
        let verdict = self.verdict.map(|(v, _)| v.to_string());
        if score.is_some() || verdict.is_some() || self.confidence.is_some() {
            self.report.claimed = Some(Claimed { score, verdict, confidence: self.confidence });
        }
        self.report.findings = self.findings.into_vec();
        self.report.placement.phase_name = self.phase_meta.or_else(|| self.title.as_deref().and_then(phase_from_title));
        if self.report.checks.is_empty() && self.report.findings.is_empty() && self.report.claimed.is_none() {
            return Err(IngestError::NotAReport(
                "Markdown report has no status table or list (✅ ❌ ⚠️, PASS/FAIL), no issues list and no claimed score or verdict"
                    .into(),
            ));
        }
        Ok(self.report)
    }

    /// A note that the work of a section was not executed here turns what that section
    /// marks as done into not run: nothing there was shown to work.
    fn apply_not_executed(&mut self) {
        for (top, note) in &self.not_executed {
            let mut n = 0;
            for (check, (_, check_top)) in self.report.checks.iter_mut().zip(&self.check_sections) {
                if *check_top == Some(*top)
                    && !matches!(check.status, Status::Fail | Status::Error | Status::NotRun | Status::Skip)
                {
                    check.message = bounded(&format!("Not run: {note}"), MAX_MESSAGE_BYTES);
                    check.status = Status::NotRun;
                    n += 1;
                }
            }
            if n > 0 {
                self.report.notes.push(format!("{n} item(s) counted as not run because the report says: \"{note}\""));
            }
        }
    }

    fn compare_ratio_claims(&mut self) {
        for claim in &self.ratio_claims {
            let items: Vec<&Check> = self
                .report
                .checks
                .iter()
                .zip(&self.check_sections)
                .filter(|(_, (section, _))| *section == claim.section)
                .map(|(c, _)| c)
                .collect();
            if items.is_empty() {
                continue;
            }
            let passed = items.iter().filter(|c| c.status == Status::Pass).count() as u64;
            if passed != claim.passed || items.len() as u64 != claim.total {
                self.report.notes.push(format!(
                    "\"{}\" claims {}/{} passed, but its items show {passed}/{} passed",
                    claim.heading,
                    claim.passed,
                    claim.total,
                    items.len()
                ));
            }
        }
    }

    fn note_discounted(&mut self) {
        let d = std::mem::take(&mut self.discounted);
        let list = |v: &[String]| bounded(&v.join(", "), MAX_MESSAGE_BYTES);
        if !d.expected.is_empty() {
            self.report.notes.push(format!(
                "{} item(s) carry a status only as an expectation or target: a claim, not a result, so counted as not run (claim unsupported): {}",
                d.expected.len(),
                list(&d.expected)
            ));
        }
        if !d.criteria.is_empty() {
            self.report.notes.push(format!(
                "{} acceptance criteria are ticked in the report itself: a criterion is met by evidence, not by a tick, so counted as not run: {}",
                d.criteria.len(),
                list(&d.criteria)
            ));
        }
        if !d.intent.is_empty() {
            self.report.notes.push(format!(
                "{} item(s) state an intention or a check of form, not a result, so counted as not run: {}",
                d.intent.len(),
                list(&d.intent)
            ));
        }
        if d.actions > 0 {
            self.report.notes.push(format!(
                "{} marked item(s) under recommendations or next steps are things to do, not results: not counted",
                d.actions
            ));
        }
    }
}

/// Whether a heading under an issues section only groups issues by severity ("Critical",
/// "Medium Priority", "🔴 P1 — must fix").
fn is_severity_group(name: &str) -> bool {
    const GROUP_WORDS: &[&str] = &[
        "critical",
        "high",
        "medium",
        "low",
        "minor",
        "major",
        "moderate",
        "priority",
        "severity",
        "issues",
        "issue",
        "blockers",
        "blocker",
        "must",
        "fix",
        "p0",
        "p1",
        "p2",
        "p3",
        "risks",
        "and",
        "other",
        "remaining",
        "open",
    ];
    let lower = strip_marks(name).to_lowercase();
    lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).all(|w| GROUP_WORDS.contains(&w))
}

/// "Name: message" split at the first colon of a line, when the name part is short.
fn split_name(line: &str) -> (String, String) {
    let t = strip_marks(line).replace("**", "");
    let t = t.trim_start_matches(['[', ']', ' ']);
    let t = KEYWORDS
        .iter()
        .find_map(|(k, _)| {
            t.strip_prefix(k).filter(|r| r.starts_with([':', ' '])).map(|r| r.trim_start_matches([':', ' ', '-', '—']))
        })
        .unwrap_or(t);
    match t.split_once(": ") {
        Some((name, msg)) if !name.trim().is_empty() && name.len() <= 100 => {
            (bounded(name.trim(), MAX_NAME_BYTES), bounded(msg.trim(), MAX_MESSAGE_BYTES))
        }
        _ => (bounded(t.trim(), MAX_NAME_BYTES), String::new()),
    }
}
