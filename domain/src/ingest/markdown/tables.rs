//! Status tables: which columns hold results, which hold expectations, which hold text, and
//! what one row says.

use super::claims::{ratio_passed, ratio_status};
use super::words::{cell_keyword, emoji_in, strip_marks};
use crate::model::Status;

/// The roles of a table's columns, read from its header.
pub(super) struct Columns {
    heads: Vec<String>,
    header: Vec<String>,
    status: Vec<usize>,
}

/// What a row's cells say.
pub(super) struct RowReading {
    /// Worst status in a result column.
    pub actual: Option<Status>,
    /// Worst status in an expectation column ("Expected", "Target", "Planned").
    pub expected: Option<Status>,
    /// "n/m passed" in a status cell.
    pub ratio: Option<(u64, u64)>,
    /// The first non-empty text column (notes, details…).
    pub message: String,
    /// A duration column, in ms.
    pub duration_ms: Option<f64>,
    /// Every cell under its column name, one per line.
    pub details: String,
}

impl Columns {
    /// Column roles from the header cells.
    pub fn of(header: &[String]) -> Columns {
        let heads: Vec<String> = header.iter().map(|h| strip_marks(h).to_lowercase()).collect();
        let status = (1..header.len().max(1))
            .filter(|&i| {
                heads.get(i).is_some_and(|h| {
                    ["status", "result", "ready", "state", "outcome", "verdict"].iter().any(|w| h.starts_with(w))
                })
            })
            .collect();
        Columns { heads, header: header.to_vec(), status }
    }

    fn is_expected(&self, i: usize) -> bool {
        self.heads.get(i).is_some_and(|h| ["expected", "target", "planned"].iter().any(|w| h.starts_with(w)))
    }

    fn is_text(&self, i: usize) -> bool {
        const TEXT: [&str; 10] = [
            "note",
            "detail",
            "description",
            "comment",
            "mitigation",
            "evidence",
            "reason",
            "cost",
            "duration",
            "owner",
        ];
        self.heads.get(i).is_some_and(|h| TEXT.iter().any(|w| h.starts_with(w)))
    }

    /// The name of the first expectation column, as written.
    pub fn expected_name(&self) -> String {
        (0..self.header.len()).find(|&i| self.is_expected(i)).map(|i| strip_marks(&self.header[i])).unwrap_or_default()
    }

    /// Reads one row: with status columns, those (and expectation columns); without, every
    /// column that is not text.
    pub fn read(&self, row: &[String]) -> RowReading {
        let cell_status = |i: usize| {
            let cell = row.get(i)?;
            cell_keyword(cell)
                .or_else(|| emoji_in(cell))
                .or_else(|| ratio_passed(cell).map(|(n, m)| ratio_status(n, m)))
        };
        let candidates: Vec<usize> = if self.status.is_empty() {
            (1..row.len()).filter(|&i| !self.is_text(i)).collect()
        } else {
            self.status.iter().copied().chain((1..row.len()).filter(|&i| self.is_expected(i))).collect()
        };
        let actual = candidates.iter().filter(|&&i| !self.is_expected(i)).filter_map(|&i| cell_status(i)).min();
        let expected = candidates.iter().filter(|&&i| self.is_expected(i)).filter_map(|&i| cell_status(i)).min();
        let ratio = candidates.iter().find_map(|&i| ratio_passed(row.get(i)?));
        let message = (1..row.len())
            .find(|&i| self.is_text(i) && !row[i].trim().is_empty())
            .map(|i| strip_marks(&row[i]))
            .unwrap_or_default();
        let duration_ms = (1..row.len())
            .find(|&i| self.heads.get(i).is_some_and(|h| h.starts_with("duration") || h == "time"))
            .and_then(|i| duration_ms(&strip_marks(&row[i])));
        let details = self
            .header
            .iter()
            .zip(row.iter())
            .map(|(h, c)| format!("{}: {}", strip_marks(h), c))
            .collect::<Vec<_>>()
            .join("\n");
        RowReading { actual, expected, ratio, message, duration_ms, details }
    }
}

/// "66.2s", "350 ms", "1.5 min" as milliseconds.
fn duration_ms(s: &str) -> Option<f64> {
    let t = s.trim().to_lowercase();
    let num_len = t.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    let n: f64 = t[..num_len].parse().ok()?;
    let factor = match t[num_len..].trim() {
        "ms" => 1.0,
        "s" | "sec" | "secs" | "seconds" => 1000.0,
        "m" | "min" | "mins" | "minutes" => 60_000.0,
        _ => return None,
    };
    Some(n * factor).filter(|d| d.is_finite())
}
