//! A report's checks, stored as one compressed record per report.
//!
//! Checks are written once, with their report, and always read as a whole report's worth:
//! a report page, a comparison with the previous run, a flaky ranking, a checklist item's
//! evidence. So each report's checks are one `check_sets` row, field by field (one column
//! per field, MessagePack, deflate), instead of a row per check: the keys, names and suite
//! paths that repeat within a report compress away, a report is written in one statement,
//! and a year of history takes a fraction of the room. Decoded sets are kept by report id
//! (reports never change once stored; pruning removes a set and forgets it here).

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

use readyboard_domain::model::{Check, Status};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use crate::db::{Store, on_pool};
use crate::error::{StoreError, StoreResult};
use crate::reads::CheckRow;

/// The layout version written first in every record.
const VERSION: u8 = 1;

/// A report's checks, one vector per field, all of the same length: written borrowed
/// (`S = &str`, nothing copied), read owned (`S = String`).
#[derive(Serialize, Deserialize)]
struct Columns<S> {
    key: Vec<S>,
    name: Vec<S>,
    suite_path: Vec<S>,
    category: Vec<Option<S>>,
    /// Position in [`Status::ALL`].
    status: Vec<u8>,
    score: Vec<Option<f64>>,
    max: Vec<Option<f64>>,
    weight: Vec<f64>,
    blocking: Vec<bool>,
    duration_ms: Vec<Option<f64>>,
    message: Vec<S>,
    details: Vec<S>,
    evidence_url: Vec<S>,
    flaky: Vec<bool>,
    retries: Vec<u32>,
}

/// Where a status sorts among check results (failures first).
pub(crate) fn status_rank(s: Status) -> u8 {
    Status::ALL.iter().position(|x| *x == s).unwrap_or(0) as u8
}

/// The status stored at position `rank` (see [`status_rank`]).
fn status_at(rank: u8) -> Status {
    Status::ALL.get(usize::from(rank)).copied().unwrap_or_default()
}

/// Encodes checks as stored: version byte, then deflate-compressed MessagePack columns.
pub(crate) fn encode(checks: &[Check]) -> Vec<u8> {
    let col = |f: fn(&Check) -> &str| checks.iter().map(f).collect::<Vec<_>>();
    let c: Columns<&str> = Columns {
        key: col(|k| &k.id),
        name: col(|k| &k.name),
        suite_path: col(|k| &k.suite_path),
        category: checks.iter().map(|k| k.category.as_deref()).collect(),
        status: checks.iter().map(|k| status_rank(k.status)).collect(),
        score: checks.iter().map(|k| k.score).collect(),
        max: checks.iter().map(|k| k.max).collect(),
        weight: checks.iter().map(|k| k.weight).collect(),
        blocking: checks.iter().map(|k| k.blocking).collect(),
        duration_ms: checks.iter().map(|k| k.duration_ms).collect(),
        message: col(|k| &k.message),
        details: col(|k| &k.details),
        evidence_url: col(|k| &k.evidence_url),
        flaky: checks.iter().map(|k| k.flaky).collect(),
        retries: checks.iter().map(|k| k.retries).collect(),
    };
    // Packed straight into the compressor. Writing into a Vec cannot fail, and neither can
    // MessagePack-encoding these types.
    // The fastest level: twice as fast as the default on a 100,000-check report, for 7 more
    // bytes per check (26 instead of 19).
    let mut out = flate2::write::DeflateEncoder::new(vec![VERSION], flate2::Compression::fast());
    let _ = rmp_serde::encode::write(&mut out, &c);
    out.finish().unwrap_or_default()
}

/// A report's checks encoded as stored, made ahead of [`Store::ingest`] (on the intake's
/// threads, while the raw report is compressed) so the ingest does not encode them itself.
#[derive(Debug, Clone)]
pub struct EncodedChecks {
    body: Vec<u8>,
    checks: usize,
}

impl EncodedChecks {
    /// Encodes `checks`.
    pub fn of(checks: &[Check]) -> EncodedChecks {
        EncodedChecks { body: encode(checks), checks: checks.len() }
    }

    /// The record, if it was made of as many checks as `checks` holds.
    pub(crate) fn body_for(&self, checks: &[Check]) -> Option<&[u8]> {
        (self.checks == checks.len()).then_some(self.body.as_slice())
    }
}

/// Decodes a stored record; an unreadable one is an error, never a shorter list.
pub(crate) fn decode(body: &[u8]) -> StoreResult<Vec<Check>> {
    let mut inflated = flate2::read::DeflateDecoder::new(deflated(body)?);
    let c: Columns<String> = rmp_serde::from_read(&mut inflated).map_err(|e| corrupt(e.to_string()))?;
    // Trailing bytes would mean a record this layout does not describe.
    if inflated.read(&mut [0u8; 1]).map_err(|e| corrupt(e.to_string()))? != 0 {
        return Err(corrupt("bytes after the columns".into()));
    }
    let n = c.key.len();
    let lens = [
        c.name.len(),
        c.suite_path.len(),
        c.category.len(),
        c.status.len(),
        c.score.len(),
        c.max.len(),
        c.weight.len(),
        c.blocking.len(),
        c.duration_ms.len(),
        c.message.len(),
        c.details.len(),
        c.evidence_url.len(),
        c.flaky.len(),
        c.retries.len(),
    ];
    if lens.iter().any(|l| *l != n) {
        return Err(corrupt("columns of different lengths".into()));
    }
    let mut status = c.status.into_iter();
    let mut score = c.score.into_iter();
    let mut max = c.max.into_iter();
    let mut weight = c.weight.into_iter();
    let mut blocking = c.blocking.into_iter();
    let mut duration = c.duration_ms.into_iter();
    let mut message = c.message.into_iter();
    let mut details = c.details.into_iter();
    let mut url = c.evidence_url.into_iter();
    let mut flaky = c.flaky.into_iter();
    let mut retries = c.retries.into_iter();
    let rows = c.key.into_iter().zip(c.name).zip(c.suite_path).zip(c.category);
    // Every column was checked to hold `n` values, so each `next` below yields one.
    Ok(rows
        .map(|(((id, name), suite_path), category)| Check {
            id,
            name,
            suite_path,
            category,
            status: status_at(status.next().unwrap_or(0)),
            score: score.next().flatten(),
            max: max.next().flatten(),
            weight: weight.next().unwrap_or(1.0),
            blocking: blocking.next().unwrap_or(false),
            duration_ms: duration.next().flatten(),
            message: message.next().unwrap_or_default(),
            details: details.next().unwrap_or_default(),
            evidence_url: url.next().unwrap_or_default(),
            flaky: flaky.next().unwrap_or(false),
            retries: retries.next().unwrap_or(0),
        })
        .collect())
}

/// Where the flaky ranking reads a report's checks from: the decoded set pages keep, or the
/// stored record inflated, whose strings [`RunSource::runs`] then reads in place.
pub(crate) enum RunSource {
    /// A set already decoded.
    Decoded(Arc<[Check]>),
    /// A stored record's MessagePack columns, inflated.
    Packed(Vec<u8>),
}

/// Of each check of a report, in file order, what tells whether it is flaky: its key, name,
/// status, the tool's flaky flag and its retries (the strings borrowed from the source).
#[derive(Debug, Default)]
pub(crate) struct Runs<'a> {
    pub key: Vec<&'a str>,
    pub name: Vec<&'a str>,
    pub status: Vec<Status>,
    pub flaky: Vec<bool>,
    pub retries: Vec<u32>,
}

/// The columns of a stored record [`Runs`] reads; the others are skipped, not copied.
#[derive(Deserialize)]
struct RunColumns<'a> {
    #[serde(borrow)]
    key: Vec<&'a str>,
    #[serde(borrow)]
    name: Vec<&'a str>,
    #[serde(rename = "suite_path")]
    _suite_path: IgnoredAny,
    #[serde(rename = "category")]
    _category: IgnoredAny,
    status: Vec<u8>,
    #[serde(rename = "score")]
    _score: IgnoredAny,
    #[serde(rename = "max")]
    _max: IgnoredAny,
    #[serde(rename = "weight")]
    _weight: IgnoredAny,
    #[serde(rename = "blocking")]
    _blocking: IgnoredAny,
    #[serde(rename = "duration_ms")]
    _duration_ms: IgnoredAny,
    #[serde(rename = "message")]
    _message: IgnoredAny,
    #[serde(rename = "details")]
    _details: IgnoredAny,
    #[serde(rename = "evidence_url")]
    _evidence_url: IgnoredAny,
    flaky: Vec<bool>,
    retries: Vec<u32>,
}

impl RunSource {
    /// Inflates a stored record; an unknown layout or a broken stream is an error.
    pub(crate) fn packed(body: &[u8]) -> StoreResult<RunSource> {
        let deflated = deflated(body)?;
        let mut packed = Vec::with_capacity(deflated.len() * 4);
        flate2::read::DeflateDecoder::new(deflated).read_to_end(&mut packed).map_err(|e| corrupt(e.to_string()))?;
        Ok(RunSource::Packed(packed))
    }

    /// The runs, in file order; a record whose columns do not line up is an error, never
    /// fewer runs. (Bytes after the columns are the full decoder's to refuse: pages read
    /// every record through it.)
    pub(crate) fn runs(&self) -> StoreResult<Runs<'_>> {
        match self {
            RunSource::Decoded(set) => Ok(Runs {
                key: set.iter().map(|c| c.id.as_str()).collect(),
                name: set.iter().map(|c| c.name.as_str()).collect(),
                status: set.iter().map(|c| c.status).collect(),
                flaky: set.iter().map(|c| c.flaky).collect(),
                retries: set.iter().map(|c| c.retries).collect(),
            }),
            RunSource::Packed(packed) => {
                let c: RunColumns<'_> = rmp_serde::from_slice(packed).map_err(|e| corrupt(e.to_string()))?;
                let n = c.key.len();
                if [c.name.len(), c.status.len(), c.flaky.len(), c.retries.len()].iter().any(|l| *l != n) {
                    return Err(corrupt("columns of different lengths".into()));
                }
                let status = c.status.iter().map(|s| status_at(*s)).collect();
                Ok(Runs { key: c.key, name: c.name, status, flaky: c.flaky, retries: c.retries })
            }
        }
    }
}

/// The compressed columns of a stored record, once its layout version is known.
fn deflated(body: &[u8]) -> StoreResult<&[u8]> {
    let Some((&version, deflated)) = body.split_first() else { return Err(corrupt("empty record".into())) };
    if version != VERSION {
        return Err(corrupt(format!("layout version {version} is not known to this release")));
    }
    Ok(deflated)
}

/// A stored record that cannot be read.
fn corrupt(why: String) -> StoreError {
    StoreError::Corrupt(format!("a report's checks: {why}"))
}

/// The first check of a set whose key or name is `name` (how checklist evidence names a check).
pub(crate) fn find<'a>(set: &'a [Check], name: &str) -> Option<&'a Check> {
    set.iter().find(|c| c.id == name || c.name == name)
}

impl Store {
    /// Every check of a report in file order; empty when it has none or they were pruned.
    pub(crate) async fn check_set(&self, report_id: i64) -> StoreResult<Arc<[Check]>> {
        if let Some(set) = self.caches.check_sets.0.get(&report_id) {
            return Ok(set);
        }
        let set = self.read_check_set(report_id).await?;
        self.caches.check_sets.0.insert(report_id, set.clone());
        Ok(set)
    }

    /// Like [`Store::check_set`], without keeping what it read: for a pass over many reports
    /// that should not push the sets pages need out of the cache.
    pub(crate) async fn check_set_unkept(&self, report_id: i64) -> StoreResult<Arc<[Check]>> {
        match self.caches.check_sets.0.get(&report_id) {
            Some(set) => Ok(set),
            None => self.read_check_set(report_id).await,
        }
    }

    /// Where the flaky ranking reads each of several reports' checks from ([`RunSource`]):
    /// the decoded sets pages keep when there, else the stored records, read in one statement
    /// (a window of a suite's reports is one round trip, not one per report) and inflated but
    /// not decoded; nothing read is kept. A report without checks has no entry.
    pub(crate) async fn run_sources(&self, report_ids: &[i64]) -> StoreResult<HashMap<i64, RunSource>> {
        let mut out = HashMap::with_capacity(report_ids.len());
        let mut missing = Vec::new();
        for id in report_ids {
            match self.caches.check_sets.0.get(id) {
                Some(set) => {
                    out.insert(*id, RunSource::Decoded(set));
                }
                None => missing.push(*id),
            }
        }
        if missing.is_empty() {
            return Ok(out);
        }
        // Ids are integers, written into the statement as numbers: nothing to escape.
        let list = missing.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let sql = format!("SELECT report_id, body FROM check_sets WHERE report_id IN ({list})");
        // A window's text is seen once: not kept among each connection's prepared statements,
        // where it would push out the ones pages reuse.
        let rows: Vec<(i64, Vec<u8>)> =
            on_pool!(self, pool => sqlx::query_as(&sql).persistent(false).fetch_all(pool).await)?;
        for (id, body) in rows {
            out.insert(id, RunSource::packed(&body)?);
        }
        Ok(out)
    }

    async fn read_check_set(&self, report_id: i64) -> StoreResult<Arc<[Check]>> {
        let body: Option<Vec<u8>> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT body FROM check_sets WHERE report_id = $1",
        ).bind(report_id).fetch_optional(pool).await)?;
        let set: Arc<[Check]> = match body {
            Some(b) => decode(&b)?.into(),
            None => Arc::from(Vec::new()),
        };
        Ok(set)
    }

    /// Forgets decoded sets of reports whose checks were pruned.
    pub(crate) fn forget_check_sets(&self, report_ids: &[i64]) {
        for id in report_ids {
            self.caches.check_sets.0.invalidate(id);
        }
    }

    /// A page of a report's checks, most severe first (file order within a status);
    /// `status` filters. The total of the filtered list comes first.
    pub async fn checks(
        &self,
        report_id: i64,
        status: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(i64, Vec<CheckRow>)> {
        // The statuses listed, most severe first; within each, file order. No list of the
        // whole report is built or sorted: a 100,000-check report is walked, not copied.
        let wanted: &[Status] = match status {
            Some(st) => match Status::ALL.iter().find(|s| Some(**s) == Status::parse(st)) {
                Some(s) => std::slice::from_ref(s),
                None => return Ok((0, Vec::new())),
            },
            None => &Status::ALL,
        };
        let set = self.check_set(report_id).await?;
        let listed = || wanted.iter().flat_map(|w| set.iter().enumerate().filter(move |(_, c)| c.status == *w));
        let skip = usize::try_from(offset.max(0)).unwrap_or(usize::MAX);
        let take = usize::try_from(limit.max(0)).unwrap_or(usize::MAX);
        let rows = listed().skip(skip).take(take).map(|(i, c)| check_row(i, c)).collect();
        Ok((listed().count() as i64, rows))
    }
}

/// The listing's row of the check at `ordinal` in its report.
fn check_row(ordinal: usize, c: &Check) -> CheckRow {
    CheckRow {
        id: ordinal as i64,
        check_key: c.id.clone(),
        name: c.name.clone(),
        suite_path: c.suite_path.clone(),
        category: c.category.clone(),
        status: c.status,
        score: c.score,
        max_score: c.max,
        duration_ms: c.duration_ms,
        message: c.message.clone(),
        details: c.details.clone(),
        flaky: c.flaky,
        retries: i64::from(c.retries),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(i: usize, status: Status) -> Check {
        Check {
            id: format!("suite::case_{i}"),
            name: format!("case {i}"),
            suite_path: "suite › nested".into(),
            category: i.is_multiple_of(2).then(|| "Security".to_string()),
            status,
            score: i.is_multiple_of(3).then_some(i as f64),
            max: i.is_multiple_of(3).then_some(10.0),
            weight: 1.5,
            blocking: i.is_multiple_of(5),
            duration_ms: Some(i as f64 * 0.25),
            message: if status == Status::Pass { String::new() } else { format!("failed: {i} — ünïcode") },
            details: "trace\nline".into(),
            evidence_url: "https://ci.example/1".into(),
            flaky: i.is_multiple_of(7),
            retries: (i % 4) as u32,
        }
    }

    #[test]
    fn a_set_reads_back_exactly_as_written() {
        let checks: Vec<Check> = (0..500).map(|i| check(i, Status::ALL[i % Status::ALL.len()])).collect();
        let body = encode(&checks);
        assert_eq!(decode(&body).unwrap(), checks);
        assert_eq!(decode(&encode(&[])).unwrap(), Vec::<Check>::new());
    }

    #[test]
    fn runs_read_from_a_record_match_the_runs_of_its_decoded_set() {
        let checks: Vec<Check> = (0..500).map(|i| check(i, Status::ALL[i % Status::ALL.len()])).collect();
        let body = encode(&checks);
        let packed = RunSource::packed(&body).unwrap();
        let decoded = RunSource::Decoded(decode(&body).unwrap().into());
        let (read, of) = (packed.runs().unwrap(), decoded.runs().unwrap());
        assert_eq!(read.key, of.key);
        assert_eq!(read.name, of.name);
        assert_eq!(read.status, of.status);
        assert_eq!(read.flaky, of.flaky);
        assert_eq!(read.retries, of.retries);
        assert_eq!(read.key.len(), 500);
        assert!(read.retries.iter().any(|r| *r > 0) && read.flaky.iter().any(|f| *f));
        assert!(RunSource::packed(&encode(&[])).unwrap().runs().unwrap().key.is_empty());
        // A record cut short is an error, not fewer runs.
        let cut = RunSource::packed(&body[..body.len() / 2]);
        assert!(cut.is_err() || cut.unwrap().runs().is_err());
        assert!(RunSource::packed(&[9, 1, 2]).is_err(), "an unknown layout version");
    }

    #[test]
    fn checks_encoded_ahead_serve_only_the_list_they_were_made_of() {
        let checks: Vec<Check> = (0..50).map(|i| check(i, Status::Pass)).collect();
        let ahead = EncodedChecks::of(&checks);
        assert_eq!(decode(ahead.body_for(&checks).expect("the same list")).unwrap(), checks);
        assert!(ahead.body_for(&checks[..49]).is_none(), "a list of another length is encoded anew");
    }

    #[test]
    fn repeated_names_compress_to_a_few_bytes_a_check() {
        let checks: Vec<Check> = (0..2_000).map(|i| check(i, Status::Pass)).collect();
        let body = encode(&checks);
        assert!(body.len() < checks.len() * 16, "{} bytes for {} checks", body.len(), checks.len());
    }

    #[test]
    fn an_unreadable_record_is_an_error() {
        let body = encode(&[check(1, Status::Fail)]);
        assert!(matches!(decode(&[]), Err(StoreError::Corrupt(_))));
        assert!(matches!(decode(&[9, 1, 2]), Err(StoreError::Corrupt(_))));
        assert!(matches!(decode(&body[..body.len() / 2]), Err(StoreError::Corrupt(_))));
    }
}
