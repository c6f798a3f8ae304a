//! The trends page: rows, charts and flaky checks.

use serde::{Deserialize, Serialize};

/// One row of a trend's data table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendRow {
    /// When, formatted.
    pub at: String,
    /// The values, formatted, one per column.
    pub cells: Vec<String>,
    /// Whether the row marks a miss or a failure.
    pub bad: bool,
    /// The report the row comes from.
    pub report_id: Option<i64>,
}

/// A point of a chart that can be hovered, focused and followed to its report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartPoint {
    /// Left, in percent of the wide picture's width.
    pub x: f32,
    /// Top, in percent of the wide picture's height.
    pub y: f32,
    /// Left in the narrow (phone) picture.
    pub nx: f32,
    /// Top in the narrow picture.
    pub ny: f32,
    /// Time, line and value.
    pub label: String,
    /// The report behind the point.
    pub report_id: Option<i64>,
}

/// Names a phase chart: `score`, `categories`, `blockers`, `suite` or `metric`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChartRef {
    /// Chart name.
    pub name: String,
    /// Suite of a suite or metric chart.
    pub suite: Option<String>,
    /// Metric of a metric chart.
    pub metric: Option<String>,
}

/// Width in pixels of the chart pictures drawn for wide screens.
pub const CHART_WIDE: u32 = 900;

/// Width in pixels of the chart pictures drawn for phones: about the width a 390 px wide
/// screen shows them at, so their text is read at the size it is drawn.
pub const CHART_NARROW: u32 = 340;

/// One chart with its text alternative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendChart {
    /// Heading.
    pub title: String,
    /// One sentence a screen reader reads instead of the picture.
    pub summary: String,
    /// Chart URL without `range`/`width` parameters (they are added by the page).
    pub src: String,
    /// Height in pixels at 900 wide.
    pub height: u32,
    /// Height in pixels of the picture shown on phones ([`CHART_NARROW`] wide).
    pub narrow_height: u32,
    /// Which chart it is.
    pub chart: ChartRef,
    /// Points to hover, focus and follow.
    pub points: Vec<ChartPoint>,
    /// Column headings of the data table (after the time column).
    pub columns: Vec<String>,
    /// The latest rows, newest first.
    pub rows: Vec<TrendRow>,
    /// Rows in the full series.
    pub total: usize,
}

/// A flaky check on the trends page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlakyLine {
    /// Suite.
    pub suite: String,
    /// Check name.
    pub name: String,
    /// Flip rate in percent.
    pub flip_rate: f64,
    /// Runs with a pass/fail result.
    pub runs: u32,
    /// Flips between passing and failing.
    pub flips: u32,
    /// Runs flagged flaky or retried by the tool.
    pub signals: u32,
    /// Latest result.
    pub last_status: String,
    /// Report of the latest run.
    pub report_id: i64,
}

/// `/p/{project}/{phase}/trends`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendsView {
    /// Project slug.
    pub project: String,
    /// Project name.
    pub project_name: String,
    /// Phase slug.
    pub phase: String,
    /// Phase name.
    pub phase_name: String,
    /// Range shown.
    pub range: String,
    /// Reports in the range.
    pub reports: usize,
    /// Charts, in page order.
    pub charts: Vec<TrendChart>,
    /// Flaky checks, worst first.
    pub flaky: Vec<FlakyLine>,
    /// Runs per suite the flip rates look at.
    pub flaky_window: i64,
}
