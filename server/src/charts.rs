//! Trend charts rendered to SVG with plotters, styled to match the app in light and dark mode.

use plotters::coord::Shift;
use plotters::coord::ranged1d::Ranged;
use plotters::coord::types::{RangedCoordf64, RangedCoordi64};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use readyboard_domain::trends::{Point, downsample};

/// Most points drawn per line; longer series are downsampled keeping extremes.
pub const MAX_POINTS: usize = 240;

/// Most points per line that can be hovered or focused on a page (extremes kept).
pub const MAX_HOTSPOTS: usize = 48;

const ACCENT: RGBColor = RGBColor(59, 99, 214);
const PASS: RGBColor = RGBColor(26, 127, 55);
const FAIL: RGBColor = RGBColor(208, 48, 36);
const WARN: RGBColor = RGBColor(202, 138, 4);
const ORANGE: RGBColor = RGBColor(234, 88, 12);
const GREY: RGBColor = RGBColor(128, 128, 128);
const INK: RGBColor = RGBColor(27, 31, 36);

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("chart: {0}")]
pub struct ChartError(String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for ChartError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        ChartError(e.to_string())
    }
}

type Result<T> = std::result::Result<T, ChartError>;

/// A named line of a chart.
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend text.
    pub label: String,
    /// Points in time order.
    pub points: Vec<Point>,
    /// Colour key: `accent`, `pass`, `fail`, `warn`, `orange`, `grey`.
    pub color: &'static str,
}

/// A point of a rendered chart that a page can overlay with a link: where it is, as a
/// fraction of the picture's width and height, and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct Hotspot {
    /// Horizontal position, 0 (left edge) to 1.
    pub x: f64,
    /// Vertical position, 0 (top edge) to 1.
    pub y: f64,
    /// What the point shows: time, line and value.
    pub label: String,
    /// The report the point comes from.
    pub report_id: Option<i64>,
}

/// A decision drawn as a marker on the time axis.
#[derive(Debug, Clone)]
pub struct Marker {
    /// When.
    pub at: i64,
    /// Short label (`GO`, `NO-GO`, `COND`).
    pub label: &'static str,
    /// Colour key.
    pub color: &'static str,
}

/// A horizontal band (e.g. the score range that counts as ready).
#[derive(Debug, Clone)]
pub struct Band {
    /// Lower bound.
    pub from: f64,
    /// Upper bound.
    pub to: f64,
    /// Colour key.
    pub color: &'static str,
    /// Label drawn at the band's left edge.
    pub label: String,
}

/// Everything one panel shows.
#[derive(Debug, Clone, Default)]
pub struct Panel {
    /// Title drawn above the plot.
    pub title: String,
    /// Lines.
    pub lines: Vec<Line>,
    /// Value range; `None` fits the data.
    pub y_range: Option<(f64, f64)>,
    /// Unit appended to axis labels (`%`, ` ms`).
    pub unit: String,
    /// Horizontal bands.
    pub bands: Vec<Band>,
    /// A dashed target line.
    pub target: Option<f64>,
    /// Points drawn as misses (e.g. a metric over its target).
    pub misses: Vec<Point>,
    /// Decision markers.
    pub markers: Vec<Marker>,
    /// Values are counts: only whole numbers get axis labels.
    pub integer: bool,
}

fn color(key: &str) -> RGBColor {
    match key {
        "pass" => PASS,
        "fail" => FAIL,
        "warn" => WARN,
        "orange" => ORANGE,
        "grey" => GREY,
        _ => ACCENT,
    }
}

/// The colour of text in a colour key: darker than the line's, so that labels on the light
/// picture reach 4.5:1 contrast (dark mode draws all text light).
fn text_color(key: &str) -> RGBColor {
    match key {
        "pass" => RGBColor(17, 99, 41),
        "fail" => RGBColor(161, 29, 20),
        "warn" => RGBColor(125, 83, 0),
        "orange" => RGBColor(168, 56, 11),
        _ => INK,
    }
}

/// Time axis bounds covering every point and marker of the panels.
fn time_bounds(panels: &[Panel]) -> (i64, i64) {
    let times = panels.iter().flat_map(|p| {
        p.lines.iter().flat_map(|l| l.points.iter().map(|pt| pt.at)).chain(p.markers.iter().map(|m| m.at))
    });
    let (lo, hi) = times.fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
    if lo > hi {
        let now = readyboard_store::now_ms();
        return (now - 86_400_000, now);
    }
    // A little air either side so end points are not cut in half.
    let pad = ((hi - lo) / 40).max(60_000);
    (lo - pad, hi + pad)
}

fn value_bounds(panel: &Panel) -> (f64, f64) {
    if let Some(r) = panel.y_range {
        return r;
    }
    let vals = panel.lines.iter().flat_map(|l| l.points.iter().map(|p| p.value)).chain(panel.target);
    let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let lo = if lo >= 0.0 { 0.0 } else { lo * 1.1 };
    let hi = if hi <= lo { lo + 1.0 } else { hi * 1.1 };
    (lo, hi)
}

/// Formats a time axis label: dates for long spans, hours for short ones.
fn time_label(ms: i64, span_ms: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)) else {
        return String::new();
    };
    let fmt = if span_ms <= 2 * 86_400_000 {
        time::macros::format_description!("[hour]:[minute]")
    } else {
        time::macros::format_description!("[month repr:short] [day padding:none]")
    };
    t.format(&fmt).unwrap_or_default()
}

/// A point's time in full, as "2026-11-20 14:02 UTC".
fn point_time(ms: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)) else {
        return String::new();
    };
    t.format(time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).unwrap_or_default()
}

fn value_label(v: f64, unit: &str) -> String {
    let n = if v.abs() >= 100.0 || v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") };
    format!("{n}{unit}")
}

/// Size of every label in SVG pixels. Phones get a picture drawn about as wide as they show
/// it (`readyboard_app::types::CHART_NARROW`), so this is close to the size read on screen.
const TEXT_PX: f64 = 12.0;

/// Size of a panel's title in SVG pixels.
const TITLE_PX: f64 = 13.0;

/// Length of the tick marks on the axes; labels sit twice as far from the axis.
const TICK: i32 = 4;

/// A sans-serif font whose text is `px` pixels high in the SVG (plotters writes its sizes
/// divided by 1.24).
fn font(px: f64) -> FontDesc<'static> {
    ("sans-serif", px * 1.24).into_font()
}

/// A generous width of `text` set `px` pixels high in a sans-serif face: the wide faces
/// browsers fall back to (DejaVu Sans, Verdana) stay inside it, so room sized by it never
/// clips a label.
pub fn text_width(text: &str, px: f64) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' => 0.35,
            ' ' | 'f' | 'r' | 't' | 'I' | '(' | ')' | '-' => 0.5,
            'm' | 'w' => 1.0,
            'M' | 'W' | '%' => 1.05,
            '0'..='9' | 'a'..='z' => 0.68,
            'A'..='Z' => 0.82,
            _ => 0.95,
        })
        .sum();
    em * px
}

/// The labels of the value axis, as drawn: plotters' key points, formatted.
fn value_axis_labels(p: &Panel, (y0, y1): (f64, f64), n: usize) -> Vec<String> {
    let axis: RangedCoordf64 = (y0..y1).into();
    axis.key_points(n).into_iter().map(|v| value_axis_label(p, v)).collect()
}

fn value_axis_label(p: &Panel, v: f64) -> String {
    if p.integer && v.fract() != 0.0 { String::new() } else { value_label(v, &p.unit) }
}

/// Width of the value axis's label area: room for its longest label, never cut at the left.
fn value_axis_width(labels: &[String]) -> u32 {
    let widest = labels.iter().map(|l| text_width(l, TEXT_PX)).fold(0.0, f64::max);
    // At least half a date wide: the first date on the time axis is centred on its tick.
    (widest + f64::from(2 * TICK) + 2.0).max(28.0).ceil() as u32
}

/// The plot of a panel: time across, values up.
type PanelChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordi64, RangedCoordf64>>;

/// Draws one panel into an area.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Panel,
    x: (i64, i64),
    compact: bool,
    spots: &mut Vec<Hotspot>,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let y = value_bounds(p);
    let mut chart = panel_chart(area, p, x, y, compact)?;
    draw_bands(&mut chart, p, x, y)?;
    if let Some(t) = p.target {
        chart.draw_series(DashedLineSeries::new([(x.0, t), (x.1, t)], 6, 4, FAIL.mix(0.8).stroke_width(1)))?;
    }
    draw_markers(&mut chart, p, y)?;
    draw_lines(&mut chart, p, compact)?;
    place_hotspots(&chart, p, y, spots);
    if !p.misses.is_empty() {
        let misses = downsample(&p.misses, MAX_POINTS);
        chart.draw_series(misses.iter().map(|pt| Cross::new((pt.at, pt.value), 4, FAIL.stroke_width(2))))?;
    }
    if p.lines.len() > 1 && !compact {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerLeft)
            .background_style(WHITE.mix(0.0))
            .border_style(TRANSPARENT)
            .label_font(font(TEXT_PX).color(&INK))
            .draw()?;
    }
    Ok(())
}

/// Lays out a panel's plot in an area and draws its title, axes, labels and grid.
fn panel_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    p: &Panel,
    x: (i64, i64),
    (y0, y1): (f64, f64),
    compact: bool,
) -> Result<PanelChart<'a, DB>>
where
    DB::ErrorType: 'static,
{
    let span = x.1 - x.0;
    let y_labels = if compact { 3 } else { 5 };
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(6)
        // The top value label is centred on the top edge of the plot: half a line of room.
        .margin_top(if p.title.is_empty() { 10 } else { 6 })
        .margin_right(28)
        .x_label_area_size((f64::from(2 * TICK) + TEXT_PX * 1.25).ceil() as u32)
        .y_label_area_size(value_axis_width(&value_axis_labels(p, (y0, y1), y_labels)));
    if !p.title.is_empty() {
        builder.caption(&p.title, font(TITLE_PX).color(&INK));
    }
    let mut chart = builder.build_cartesian_2d(x.0..x.1, y0..y1).map_err(ChartError::from)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(GREY.mix(0.25))
        .light_line_style(TRANSPARENT)
        .axis_style(GREY.mix(0.6))
        .set_all_tick_mark_size(TICK)
        // About one date per 100 pixels, so that dates never run into each other.
        .x_labels((area.dim_in_pixel().0 / 100).clamp(2, 6) as usize)
        .y_labels(y_labels)
        .label_style(font(TEXT_PX).color(&INK))
        .x_label_formatter(&|v| time_label(*v, span))
        .y_label_formatter(&|v| value_axis_label(p, *v))
        .draw()?;
    Ok(chart)
}

/// Shades the panel's bands inside the value range and labels each at its top left.
fn draw_bands<DB: DrawingBackend>(
    chart: &mut PanelChart<'_, DB>,
    p: &Panel,
    x: (i64, i64),
    (y0, y1): (f64, f64),
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    for band in &p.bands {
        let (from, to) = (band.from.max(y0), band.to.min(y1));
        if from < to {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x.0, from), (x.1, to)],
                color(band.color).mix(0.10).filled(),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                band.label.clone(),
                (x.0, to),
                font(TEXT_PX).color(&text_color(band.color)).pos(Pos::new(HPos::Left, VPos::Top)),
            )))?;
        }
    }
    Ok(())
}

/// Draws the decision markers as labelled vertical lines.
fn draw_markers<DB: DrawingBackend>(chart: &mut PanelChart<'_, DB>, p: &Panel, (y0, y1): (f64, f64)) -> Result<()>
where
    DB::ErrorType: 'static,
{
    for m in &p.markers {
        let c = color(m.color);
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(m.at, y0), (m.at, y1)], c.mix(0.7).stroke_width(1))))?;
        // A marker near the right edge is labelled on its left, inside the picture.
        let (px, _) = chart.backend_coord(&(m.at, y1));
        let room = chart.plotting_area().get_pixel_range().0.end - px;
        let side = if f64::from(room) < text_width(m.label, TEXT_PX) + 2.0 { HPos::Right } else { HPos::Left };
        let style = font(TEXT_PX).color(&text_color(m.color)).pos(Pos::new(side, VPos::Top));
        chart.draw_series(std::iter::once(Text::new(m.label, (m.at, y1), style)))?;
    }
    Ok(())
}

/// Draws the panel's lines (dots on short ones), each in the legend when there are several.
fn draw_lines<DB: DrawingBackend>(chart: &mut PanelChart<'_, DB>, p: &Panel, compact: bool) -> Result<()>
where
    DB::ErrorType: 'static,
{
    for line in &p.lines {
        let c = color(line.color);
        let pts = downsample(&line.points, MAX_POINTS);
        let series = chart.draw_series(LineSeries::new(pts.iter().map(|pt| (pt.at, pt.value)), c.stroke_width(2)))?;
        if p.lines.len() > 1 && !compact {
            series
                .label(line.label.clone())
                .legend(move |(lx, ly)| PathElement::new(vec![(lx, ly), (lx + 14, ly)], c.stroke_width(2)));
        }
        if pts.len() <= 60 {
            chart.draw_series(pts.iter().map(|pt| Circle::new((pt.at, pt.value), 2, c.filled())))?;
        }
    }
    Ok(())
}

/// Adds the points to hover, in pixels: per line, or per time for lines measured together.
fn place_hotspots<DB: DrawingBackend>(
    chart: &PanelChart<'_, DB>,
    p: &Panel,
    (y0, y1): (f64, f64),
    spots: &mut Vec<Hotspot>,
) {
    // One set of points per line, except that lines measured at the same times (the counts of
    // one run) share one point per time that names every line, placed on the first.
    let shared_times = p.lines.len() > 1
        && p.lines.windows(2).all(|w| {
            w[0].points.len() == w[1].points.len() && w[0].points.iter().zip(&w[1].points).all(|(a, b)| a.at == b.at)
        });
    let groups: Vec<&[Line]> = if shared_times { vec![&p.lines[..]] } else { p.lines.chunks(1).collect() };
    for group in groups {
        let [first, ..] = group else { continue };
        for pt in downsample(&first.points, MAX_HOTSPOTS) {
            let Some(what) = hotspot_text(p, group, &pt) else { continue };
            let (px, py) = chart.backend_coord(&(pt.at, pt.value.clamp(y0, y1)));
            spots.push(Hotspot {
                x: f64::from(px),
                y: f64::from(py),
                label: format!("{} · {what}", point_time(pt.at)),
                report_id: pt.report_id,
            });
        }
    }
}

/// What a hotspot says: panel, line and value, or each line's value then (`None`: no point then).
fn hotspot_text(p: &Panel, group: &[Line], pt: &Point) -> Option<String> {
    match group {
        [line] if p.title.is_empty() || p.title == line.label => {
            Some(format!("{}: {}", line.label, value_label(pt.value, &p.unit)))
        }
        [line] => Some(format!("{} · {}: {}", p.title, line.label, value_label(pt.value, &p.unit))),
        lines => {
            let first = lines.first()?;
            let i = first.points.binary_search_by_key(&pt.at, |q| q.at).ok()?;
            let values: Vec<String> = lines
                .iter()
                .filter_map(|l| l.points.get(i).map(|q| format!("{} {}", l.label, value_label(q.value, &p.unit))))
                .collect();
            let title = if p.title.is_empty() { String::new() } else { format!("{}: ", p.title) };
            Some(format!("{title}{}", values.join(", ")))
        }
    }
}

/// Wraps plotters' output: a title for screen readers and colours that follow the theme.
fn finish(svg: String, title: &str) -> String {
    let title = escape(title);
    let style = "<style>text{font-family:system-ui,-apple-system,'Segoe UI',sans-serif}\
                 @media (prefers-color-scheme:dark){text{fill:#d6dbe3}}</style>";
    match svg.find('>') {
        Some(end) if svg.starts_with("<svg") => {
            let (head, rest) = svg.split_at(end);
            format!("{head} role=\"img\" aria-label=\"{title}\"><title>{title}</title>{style}{}", &rest[1..])
        }
        _ => svg,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A rendered chart: the SVG and the points a page can link.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The SVG document.
    pub svg: String,
    /// Points of every line, in drawing order.
    pub hotspots: Vec<Hotspot>,
    /// Height in pixels.
    pub height: u32,
}

/// Renders panels stacked in a grid of `cols` columns, each `panel_h` pixels high.
pub fn render(title: &str, panels: &[Panel], width: u32, panel_h: u32, cols: usize) -> Result<Rendered> {
    let cols = cols.max(1);
    let rows = panels.len().div_ceil(cols).max(1);
    let height = panel_h * rows as u32;
    let x = time_bounds(panels);
    let mut svg = String::new();
    let mut spots = Vec::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let areas = root.split_evenly((rows, cols));
        let compact = cols > 1;
        for (area, panel) in areas.iter().zip(panels) {
            draw_panel(area, panel, x, compact, &mut spots)?;
        }
        root.present()?;
    }
    // Pixels drawn → fractions of the picture, which the page scales.
    let hotspots =
        spots.into_iter().map(|h| Hotspot { x: h.x / f64::from(width), y: h.y / f64::from(height), ..h }).collect();
    Ok(Rendered { svg: finish(svg, title), hotspots, height })
}

/// A bare line without axes, for tables of projects.
pub fn sparkline(title: &str, points: &[Point], width: u32, height: u32) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        if points.len() >= 2 {
            let pts = downsample(points, (width as usize).max(8));
            let x0 = pts.first().map_or(0, |p| p.at);
            let x1 = pts.last().map_or(1, |p| p.at).max(x0 + 1);
            let mut chart =
                ChartBuilder::on(&root).margin(3).build_cartesian_2d(x0..x1, 0f64..100f64).map_err(ChartError::from)?;
            chart.draw_series(LineSeries::new(
                pts.iter().map(|p| (p.at, p.value.clamp(0.0, 100.0))),
                ACCENT.stroke_width(2),
            ))?;
            if let Some(last) = pts.last() {
                chart.draw_series(std::iter::once(Circle::new(
                    (last.at, last.value.clamp(0.0, 100.0)),
                    3,
                    ACCENT.filled(),
                )))?;
            }
        }
        root.present()?;
    }
    Ok(finish(svg, title))
}

/// Where the text of a rendered chart lies, for tests that it stays inside the picture.
#[cfg(test)]
pub(crate) mod text_boxes {
    use super::text_width;

    /// One `<text>` of an SVG: what it says, its size and a generous box around it.
    #[derive(Debug)]
    pub struct TextBox {
        pub text: String,
        pub size: f64,
        pub left: f64,
        pub right: f64,
        pub top: f64,
        pub bottom: f64,
    }

    fn attr(tag: &str, name: &str) -> Option<String> {
        let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let len = tag[start..].find('"')?;
        Some(tag[start..start + len].to_string())
    }

    fn number(tag: &str, name: &str) -> f64 {
        attr(tag, name).and_then(|v| v.parse().ok()).unwrap_or(0.0)
    }

    /// The `width` and `height` of the SVG.
    pub fn size(svg: &str) -> (f64, f64) {
        let head = &svg[..svg.find('>').unwrap_or(0)];
        (number(head, "width"), number(head, "height"))
    }

    /// Every `<text>` of the SVG, placed as plotters writes it (anchor, `dy`) and measured
    /// with the same generous widths the layout uses; ascent and descent of common faces.
    pub fn of(svg: &str) -> Vec<TextBox> {
        let mut out = Vec::new();
        for part in svg.split("<text").skip(1) {
            let (Some(end), Some(close)) = (part.find('>'), part.find("</text>")) else { continue };
            let tag = &part[..end];
            let text = part[end + 1..close]
                .trim()
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            let size = number(tag, "font-size");
            let (x, y) = (number(tag, "x"), number(tag, "y"));
            let width = text_width(&text, size);
            let left = match attr(tag, "text-anchor").as_deref() {
                Some("middle") => x - width / 2.0,
                Some("end") => x - width,
                _ => x,
            };
            let baseline = match attr(tag, "dy").as_deref() {
                Some("0.76em") => y + 0.76 * size,
                Some("0.5ex") => y + 0.25 * size,
                Some("-0.5ex") => y - 0.25 * size,
                _ => y,
            };
            out.push(TextBox {
                text,
                size,
                left,
                right: left + width,
                top: baseline - 0.95 * size,
                bottom: baseline + 0.25 * size,
            });
        }
        out
    }

    /// The texts of `svg` that reach outside it, or are smaller than `min_px`, in words.
    pub fn misfits(svg: &str, min_px: f64) -> Vec<String> {
        let (w, h) = size(svg);
        of(svg)
            .into_iter()
            .filter(|b| b.left < 0.0 || b.top < 0.0 || b.right > w || b.bottom > h || b.size < min_px - 0.01)
            .map(|b| format!("{:?} {b:?} outside {w}×{h} or under {min_px}px", b.text))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(n: usize) -> Vec<Point> {
        (0..n)
            .map(|i| Point {
                at: 1_700_000_000_000 + i as i64 * 3_600_000,
                value: 40.0 + (i % 50) as f64,
                report_id: Some(i as i64),
            })
            .collect()
    }

    #[test]
    fn a_thousand_run_chart_stays_small_and_titled() {
        let panel = Panel {
            title: "Phase score".into(),
            lines: vec![Line { label: "score".into(), points: series(1000), color: "accent" }],
            y_range: Some((0.0, 100.0)),
            unit: String::new(),
            bands: vec![Band { from: 85.0, to: 100.0, color: "pass", label: "ready ≥ 85".into() }],
            target: None,
            misses: vec![],
            markers: vec![Marker { at: 1_700_000_000_000 + 500 * 3_600_000, label: "GO", color: "pass" }],
            integer: false,
        };
        let chart = render("Phase score <over> time", &[panel], 800, 280, 1).unwrap();
        let svg = &chart.svg;
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("<title>Phase score &lt;over&gt; time</title>"));
        assert!(svg.contains("GO\n</text>"), "decision marker labelled");
        assert!(svg.len() <= 60 * 1024, "{} bytes", svg.len());
    }

    #[test]
    fn a_throughput_axis_keeps_every_digit_and_every_label_stays_in_the_picture() {
        let rps: Vec<Point> = series(40).into_iter().map(|p| Point { value: p.value * 25.0, ..p }).collect();
        let last = rps.last().map_or(0, |p| p.at);
        let panel = Panel {
            lines: vec![Line { label: "throughput".into(), points: rps, color: "accent" }],
            unit: " req/s".into(),
            target: Some(1200.0),
            markers: vec![Marker { at: last, label: "NO-GO", color: "fail" }],
            ..Panel::default()
        };
        for width in [900, 340] {
            let chart = render("throughput", std::slice::from_ref(&panel), width, 220, 1).unwrap();
            assert!(chart.svg.contains(">\n1000 req/s\n</text>"), "{width}: {}", chart.svg);
            assert_eq!(text_boxes::misfits(&chart.svg, TEXT_PX), Vec::<String>::new(), "{width}");
        }
    }

    #[test]
    fn small_panels_side_by_side_keep_their_titles_and_labels_inside() {
        let panels: Vec<Panel> = ["Pass rate", "Checks per run", "Duration"]
            .into_iter()
            .map(|title| Panel {
                title: title.into(),
                lines: vec![Line { label: title.into(), points: series(30), color: "pass" }],
                unit: " ms".into(),
                ..Panel::default()
            })
            .collect();
        let chart = render("suite", &panels, 900, 200, 3).unwrap();
        assert_eq!(text_boxes::misfits(&chart.svg, TEXT_PX), Vec::<String>::new());
    }

    #[test]
    fn hotspots_sit_on_their_points_and_name_them() {
        let points = vec![
            Point { at: 1_700_000_000_000, value: 0.0, report_id: Some(7) },
            Point { at: 1_700_086_400_000, value: 100.0, report_id: Some(8) },
        ];
        let panel = Panel {
            lines: vec![Line { label: "Phase score".into(), points, color: "accent" }],
            y_range: Some((0.0, 100.0)),
            unit: "%".into(),
            ..Panel::default()
        };
        let chart = render("score", &[panel], 800, 280, 1).unwrap();
        let [low, high] = &chart.hotspots[..] else { panic!("two hotspots: {:?}", chart.hotspots) };
        assert_eq!(low.report_id, Some(7));
        assert_eq!(low.label, "2023-11-14 22:13 UTC · Phase score: 0%");
        assert_eq!(high.label, "2023-11-15 22:13 UTC · Phase score: 100%");
        // Each sits exactly on the dot drawn for its point.
        for h in [low, high] {
            let (cx, cy) = ((h.x * 800.0).round(), (h.y * 280.0).round());
            assert!(chart.svg.contains(&format!("cx=\"{cx}\" cy=\"{cy}\"")), "no dot at {cx},{cy}");
        }
        // Later points are further right; higher values are higher up (smaller y).
        assert!(low.x < high.x && high.y < low.y, "{low:?} {high:?}");
        // Both lie inside the plot, away from the axis labels on the left and bottom.
        for h in [low, high] {
            assert!((0.05..0.99).contains(&h.x) && (0.0..0.95).contains(&h.y), "{h:?}");
        }
    }

    #[test]
    fn long_series_offer_a_bounded_number_of_hotspots_with_their_extremes() {
        let panel = Panel {
            lines: vec![Line { label: "p95".into(), points: series(1000), color: "accent" }],
            ..Panel::default()
        };
        let chart = render("m", &[panel], 800, 220, 1).unwrap();
        assert!(chart.hotspots.len() <= MAX_HOTSPOTS, "{}", chart.hotspots.len());
        assert!(chart.hotspots.iter().any(|h| h.label.ends_with(": 89")), "the highest value is kept");
    }

    #[test]
    fn lines_of_one_run_share_one_point_per_run_that_names_them_all() {
        let counts = |v: f64| series(300).into_iter().map(|p| Point { value: v, ..p }).collect::<Vec<_>>();
        let panel = Panel {
            title: "Checks per run".into(),
            lines: vec![
                Line { label: "passed".into(), points: counts(90.0), color: "pass" },
                Line { label: "failed".into(), points: counts(7.0), color: "fail" },
            ],
            ..Panel::default()
        };
        let chart = render("c", &[panel], 800, 220, 1).unwrap();
        assert!(!chart.hotspots.is_empty() && chart.hotspots.len() <= MAX_HOTSPOTS, "{}", chart.hotspots.len());
        let first = &chart.hotspots[0];
        assert_eq!(first.label, "2023-11-14 22:13 UTC · Checks per run: passed 90, failed 7");
        assert_eq!(first.report_id, Some(0));
    }

    #[test]
    fn sparklines_handle_empty_and_single_point_series() {
        assert!(sparkline("none", &[], 120, 28).unwrap().contains("<title>none</title>"));
        assert!(sparkline("one", &series(1), 120, 28).unwrap().starts_with("<svg"));
        assert!(sparkline("many", &series(300), 120, 28).unwrap().contains("<polyline"));
    }
}
