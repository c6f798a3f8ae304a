//! Differences between two runs of a suite, keyed by check id.

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::model::{Check, Status};

/// One check's status in the previous and the current run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffEntry {
    /// Check id.
    pub id: String,
    /// Check name (the current run's when present).
    pub name: String,
    /// Status in the previous run; `None` when the check is new.
    pub before: Option<Status>,
    /// Status in the current run; `None` when the check is gone.
    pub after: Option<Status>,
}

/// What changed between two runs of a suite. Failing means fail or error.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RunDiff {
    /// Failing now, not failing before, including new checks that fail.
    pub new_failures: Vec<DiffEntry>,
    /// Failing before, now pass, warn or partial.
    pub fixed: Vec<DiffEntry>,
    /// Failing before, now skipped or not run: not fixed, only no longer executed.
    pub no_longer_run: Vec<DiffEntry>,
    /// Failing in both runs.
    pub still_failing: Vec<DiffEntry>,
    /// Checks present only in the current run.
    pub added: Vec<DiffEntry>,
    /// Checks present only in the previous run.
    pub removed: Vec<DiffEntry>,
}

/// Compares two runs by check id; the k-th occurrence of an id pairs with its k-th occurrence.
///
/// Lists follow the current run's order; `removed` follows the previous run's.
pub fn diff(previous: &[Check], current: &[Check]) -> RunDiff {
    let mut unmatched: HashMap<&str, VecDeque<usize>> = HashMap::new();
    for (i, c) in previous.iter().enumerate() {
        unmatched.entry(c.id.as_str()).or_default().push_back(i);
    }
    let mut matched = vec![false; previous.len()];
    let mut d = RunDiff::default();
    for cur in current {
        let prev = unmatched.get_mut(cur.id.as_str()).and_then(VecDeque::pop_front).map(|i| {
            matched[i] = true;
            &previous[i]
        });
        let entry = DiffEntry {
            id: cur.id.clone(),
            name: cur.name.clone(),
            before: prev.map(|p| p.status),
            after: Some(cur.status),
        };
        let was_failing = prev.is_some_and(|p| p.status.is_failure());
        let is_failing = cur.status.is_failure();
        match (was_failing, is_failing) {
            (false, true) => d.new_failures.push(entry.clone()),
            (true, true) => d.still_failing.push(entry.clone()),
            (true, false) if matches!(cur.status, Status::Skip | Status::NotRun) => d.no_longer_run.push(entry.clone()),
            (true, false) => d.fixed.push(entry.clone()),
            (false, false) => {}
        }
        if prev.is_none() {
            d.added.push(entry);
        }
    }
    d.removed = previous
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|(p, _)| DiffEntry { id: p.id.clone(), name: p.name.clone(), before: Some(p.status), after: None })
        .collect();
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, status: Status) -> Check {
        Check { id: id.into(), name: format!("{id} name"), status, weight: 1.0, ..Check::default() }
    }

    fn ids(entries: &[DiffEntry]) -> Vec<(&str, Option<Status>, Option<Status>)> {
        entries.iter().map(|e| (e.id.as_str(), e.before, e.after)).collect()
    }

    use Status::*;

    #[test]
    fn classifies_changes_by_id() {
        let prev = [
            c("a", Pass),
            c("b", Fail),
            c("c", Error),
            c("d", Fail),
            c("e", Pass),
            c("gone", Fail),
            c("f", Error),
            c("g", Skip),
        ];
        let cur = [
            c("a", Fail),
            c("b", Pass),
            c("c", Fail),
            c("new-bad", Error),
            c("new-ok", Pass),
            c("d", Skip),
            c("e", Pass),
            c("f", Warn),
            c("g", Error),
        ];
        let d = diff(&prev, &cur);
        assert_eq!(
            ids(&d.new_failures),
            [("a", Some(Pass), Some(Fail)), ("new-bad", None, Some(Error)), ("g", Some(Skip), Some(Error)),]
        );
        assert_eq!(ids(&d.fixed), [("b", Some(Fail), Some(Pass)), ("f", Some(Error), Some(Warn))]);
        assert_eq!(ids(&d.no_longer_run), [("d", Some(Fail), Some(Skip))]);
        assert_eq!(ids(&d.still_failing), [("c", Some(Error), Some(Fail))]);
        assert_eq!(ids(&d.added), [("new-bad", None, Some(Error)), ("new-ok", None, Some(Pass))]);
        assert_eq!(ids(&d.removed), [("gone", Some(Fail), None)]);
        assert_eq!(d.removed[0].name, "gone name");
    }

    #[test]
    fn duplicate_ids_pair_in_order() {
        // Parametrised tests often share an id: the k-th occurrence pairs with the k-th.
        let prev = [c("t", Pass), c("t", Fail), c("t", Fail)];
        let cur = [c("t", Fail), c("t", Pass)];
        let d = diff(&prev, &cur);
        assert_eq!(ids(&d.new_failures), [("t", Some(Pass), Some(Fail))]);
        assert_eq!(ids(&d.fixed), [("t", Some(Fail), Some(Pass))]);
        assert!(d.still_failing.is_empty() && d.added.is_empty());
        assert_eq!(ids(&d.removed), [("t", Some(Fail), None)]);

        let d = diff(&[c("t", Fail)], &[c("t", Fail), c("t", Fail)]);
        assert_eq!(ids(&d.still_failing), [("t", Some(Fail), Some(Fail))]);
        assert_eq!(ids(&d.new_failures), [("t", None, Some(Fail))]);
        assert_eq!(ids(&d.added), [("t", None, Some(Fail))]);
    }

    #[test]
    fn identical_runs_have_no_changes_and_empty_runs_work() {
        let run = [c("a", Pass), c("b", Fail)];
        let d = diff(&run, &run);
        assert_eq!(ids(&d.still_failing), [("b", Some(Fail), Some(Fail))]);
        assert!(d.new_failures.is_empty() && d.fixed.is_empty());
        assert!(d.added.is_empty() && d.removed.is_empty() && d.no_longer_run.is_empty());
        assert_eq!(diff(&[], &[]), RunDiff::default());
        assert_eq!(diff(&run, &[]).removed.len(), 2);
    }
}
