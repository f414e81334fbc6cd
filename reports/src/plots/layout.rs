//! What every chart shares: fonts, colours, the axes frame, number formatting, clipping, notes.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;

/// Family name the embedded font is registered under; also the SVG `font-family`.
pub(super) const FONT: &str = "sans-serif";
/// Title size in plotters' units (SVG font-size is this / 1.24 px).
pub(super) const TITLE_PX: u32 = 22;
/// Axis description size.
pub(super) const AXIS_PX: u32 = 17;
/// Tick label, legend and row label size.
pub(super) const TICK_PX: u32 = 15;
/// Note size.
pub(super) const NOTE_PX: u32 = 14;
/// Outer margin.
pub(super) const MARGIN: u32 = 16;
/// Height of one note line under the chart.
pub(super) const NOTE_LINE: u32 = 20;

/// Okabe-Ito colours (distinguishable with colour-vision deficiency), in drawing order.
pub(super) const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
];
/// Reference lines (diagonals, zero lines).
pub(super) const GREY: RGBColor = RGBColor(0x80, 0x80, 0x80);
/// Light mesh lines.
pub(super) const MESH: RGBColor = RGBColor(0xEB, 0xEB, 0xEB);
/// Text.
pub(super) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);

/// The colour of series `i`.
pub(super) fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Turns a plotters error (generic over the backend) into ours.
pub(super) fn draw_error<E: std::error::Error + Send + Sync>(
    e: DrawingAreaErrorKind<E>,
) -> PlotError {
    PlotError::Draw(e.to_string())
}

/// Width in pixels of `text` at `size`, measured with the embedded font.
pub(super) fn text_width(text: &str, size: u32) -> Result<u32, PlotError> {
    let font: FontDesc = (FONT, size).into_font();
    font.box_size(text)
        .map(|(w, _)| w)
        .map_err(|e| PlotError::Font(e.to_string()))
}

/// `text` unchanged if it fits in `max_width` pixels, else shortened in the middle with "…" (the
/// start and end of a feature name are its most telling parts: filter and family, feature).
pub(super) fn fit(text: &str, size: u32, max_width: u32) -> Result<String, PlotError> {
    if text_width(text, size)? <= max_width {
        return Ok(text.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    let shortened = |keep: usize| -> String {
        let tail = keep / 2;
        let head = keep - tail;
        let mut s: String = chars[..head].iter().collect();
        s.push('…');
        s.extend(&chars[chars.len() - tail..]);
        s
    };
    // Largest number of kept characters that fits (width grows with `keep`).
    let (mut lo, mut hi) = (0, chars.len() - 1);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if text_width(&shortened(mid), size)? <= max_width {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(shortened(lo))
}

/// Smallest and largest finite value, or `None` when there is none.
pub(super) fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// Largest magnitude drawn on an axis; beyond it spans overflow and tick generation breaks down.
pub(super) const MAX_MAGNITUDE: f64 = 1e100;

/// The axis range for data spanning `lo..hi`: widened by `fraction` of the span on both sides, a
/// zero (or vanishing) span widened to 10% of the magnitude. Values beyond ±[`MAX_MAGNITUDE`] are
/// an error.
pub(super) fn axis_range(
    what: &'static str,
    (lo, hi): (f64, f64),
    fraction: f64,
) -> Result<(f64, f64), PlotError> {
    let magnitude = lo.abs().max(hi.abs());
    if magnitude > MAX_MAGNITUDE {
        return Err(PlotError::OutOfRange {
            what,
            low: lo,
            high: hi,
        });
    }
    let span = hi - lo;
    if span > magnitude * 1e-9 && span > 1e-200 {
        Ok((lo - span * fraction, hi + span * fraction))
    } else {
        let half = if magnitude == 0.0 {
            1.0
        } else {
            (magnitude * 0.1).max(1e-200)
        };
        Ok((lo - half, hi + half))
    }
}

/// A number as a tick label on an axis spanning `span`: enough decimals to tell ticks apart,
/// trailing zeros dropped, a true minus sign.
pub(super) fn tick_label(value: f64, span: f64) -> String {
    let decimals = if span > 0.0 {
        (2.0 - span.log10().floor()).clamp(0.0, 12.0) as usize
    } else {
        2
    };
    let mut s = format!("{value:.decimals$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    tidy_sign(s)
}

/// A number to three significant digits, for labels on lines.
pub(super) fn three_digits(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return tidy_sign(format!("{value}"));
    }
    let decimals = (2.0 - value.abs().log10().floor()).clamp(0.0, 12.0) as usize;
    tidy_sign(format!("{value:.decimals$}"))
}

/// A number to three significant digits without trailing zeros: 0.5, 0.75, 100, −0.25.
pub(super) fn plain(value: f64) -> String {
    let s = three_digits(value);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

fn tidy_sign(s: String) -> String {
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        Some(rest) => format!("\u{2212}{rest}"),
        None => s,
    }
}

/// The part of segment a–b inside the rectangle (Liang-Barsky), or `None`.
fn clip_segment(
    a: (f64, f64),
    b: (f64, f64),
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    if !dx.is_finite() || !dy.is_finite() {
        // Ends near ±f64::MAX: the segment overflows; leave it out.
        return None;
    }
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.0 - x0),
        (dx, x1 - a.0),
        (-dy, a.1 - y0),
        (dy, y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                if r > t1 {
                    return None;
                }
                t0 = t0.max(r);
            } else {
                if r < t0 {
                    return None;
                }
                t1 = t1.min(r);
            }
        }
    }
    // Clamped: rounding can leave an end outside the rectangle (far outside for huge values).
    let clamp = |p: (f64, f64)| (p.0.clamp(x0, x1), p.1.clamp(y0, y1));
    let start = clamp(if t0 > 0.0 {
        (a.0 + t0 * dx, a.1 + t0 * dy)
    } else {
        a
    });
    let end = clamp(if t1 < 1.0 {
        (a.0 + t1 * dx, a.1 + t1 * dy)
    } else {
        b
    });
    Some((start, end))
}

/// The polyline cut to the rectangle x × y: the pieces inside, in order. A point with a non-finite
/// coordinate breaks the line; a piece needs at least two points.
pub(super) fn clip_polyline(
    points: &[(f64, f64)],
    x: (f64, f64),
    y: (f64, f64),
) -> Vec<Vec<(f64, f64)>> {
    fn flush(pieces: &mut Vec<Vec<(f64, f64)>>, current: &mut Vec<(f64, f64)>) {
        if current.len() >= 2 {
            pieces.push(std::mem::take(current));
        } else {
            current.clear();
        }
    }
    let finite = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let mut pieces = Vec::new();
    let mut current = Vec::new();
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let clipped = if finite(&a) && finite(&b) {
            clip_segment(a, b, x, y)
        } else {
            None
        };
        match clipped {
            Some((start, end)) => {
                if current.last() != Some(&start) {
                    flush(&mut pieces, &mut current);
                    current.push(start);
                }
                current.push(end);
                if end != b {
                    flush(&mut pieces, &mut current);
                }
            }
            None => flush(&mut pieces, &mut current),
        }
    }
    flush(&mut pieces, &mut current);
    pieces
}

/// The axes frame of a chart.
pub(super) struct Axes<'t> {
    pub title: &'t str,
    pub x_desc: &'t str,
    pub y_desc: &'t str,
    pub x: (f64, f64),
    pub y: (f64, f64),
    /// Suggested number of tick labels on x.
    pub x_ticks: usize,
    /// Suggested number of tick labels on y; 0 draws none (the caller labels rows itself).
    pub y_ticks: usize,
    /// Width of the area left of the plot (tick labels and y description).
    pub left: u32,
    /// Lines of notes to leave room for under the chart.
    pub note_lines: u32,
    /// Repeat the x tick labels above the plot (tall charts).
    pub top_axis: bool,
}

/// The chart type every chart draws into.
pub(super) type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Title, axes, mesh and tick labels; returns the chart to draw series into.
pub(super) fn frame<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    axes: &Axes<'_>,
) -> Result<Plot<'a, DB>, PlotError> {
    let (width, _) = root.dim_in_pixel();
    let mut builder = ChartBuilder::on(root);
    builder
        .margin(MARGIN)
        .margin_right(MARGIN + 8)
        .margin_bottom(MARGIN + axes.note_lines * NOTE_LINE)
        .x_label_area_size(if axes.x_desc.is_empty() { 32 } else { 56 })
        .y_label_area_size(axes.left);
    if axes.top_axis {
        builder.top_x_label_area_size(if axes.x_desc.is_empty() { 32 } else { 56 });
    }
    if !axes.title.is_empty() {
        let title = fit(axes.title, TITLE_PX, width.saturating_sub(2 * MARGIN))?;
        builder.caption(title, (FONT, TITLE_PX).into_font().color(&INK));
    }
    let mut chart = builder
        .build_cartesian_2d(axes.x.0..axes.x.1, axes.y.0..axes.y.1)
        .map_err(draw_error)?;
    let x_span = axes.x.1 - axes.x.0;
    let y_span = axes.y.1 - axes.y.0;
    let x_format = move |v: &f64| tick_label(*v, x_span);
    let y_format = move |v: &f64| tick_label(*v, y_span);
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(axes.x_ticks)
        .y_labels(axes.y_ticks)
        .x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .label_style((FONT, TICK_PX).into_font().color(&INK))
        .axis_desc_style((FONT, AXIS_PX).into_font().color(&INK))
        .bold_line_style(MESH.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .axis_style(GREY.stroke_width(1));
    if !axes.x_desc.is_empty() {
        mesh.x_desc(axes.x_desc);
    }
    if !axes.y_desc.is_empty() {
        mesh.y_desc(axes.y_desc);
    }
    if axes.y_ticks == 0 {
        mesh.disable_y_mesh();
    }
    mesh.draw().map_err(draw_error)?;
    Ok(chart)
}

/// A thin frame around the plot area (plotters draws only the left and bottom axes).
pub(super) fn outline<DB: DrawingBackend>(chart: &mut Plot<'_, DB>) -> Result<(), PlotError> {
    let x = chart.x_range();
    let y = chart.y_range();
    let corners = vec![
        (x.start, y.start),
        (x.start, y.end),
        (x.end, y.end),
        (x.end, y.start),
        (x.start, y.start),
    ];
    chart
        .draw_series(std::iter::once(PathElement::new(
            corners,
            GREY.stroke_width(1),
        )))
        .map_err(draw_error)?;
    Ok(())
}

/// Writes notes (one per line) under the chart, left-aligned.
pub(super) fn notes<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    lines: &[String],
) -> Result<(), PlotError> {
    let (width, height) = root.dim_in_pixel();
    let style = (FONT, NOTE_PX)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Bottom));
    let count = lines.len() as u32;
    for (i, line) in lines.iter().enumerate() {
        let text = fit(line, NOTE_PX, width.saturating_sub(2 * MARGIN))?;
        let y = height - MARGIN / 2 - (count - 1 - i as u32) * NOTE_LINE;
        root.draw(&Text::new(text, (MARGIN as i32, y as i32), style.clone()))
            .map_err(draw_error)?;
    }
    Ok(())
}

/// Writes `message` in the middle of the plot area (for a chart with nothing to draw).
pub(super) fn empty_note<DB: DrawingBackend>(
    chart: &Plot<'_, DB>,
    message: &str,
) -> Result<(), PlotError> {
    let x = chart.x_range();
    let y = chart.y_range();
    let (cx, cy) = relative(
        chart,
        chart.backend_coord(&((x.start + x.end) / 2.0, (y.start + y.end) / 2.0)),
    );
    let area = chart.plotting_area().strip_coord_spec();
    let half = text_width(message, AXIS_PX)? as i32 / 2 + 8;
    let backing = Rectangle::new([(cx - half, cy - 14), (cx + half, cy + 14)], WHITE.filled());
    area.draw(&backing).map_err(draw_error)?;
    let style = (FONT, AXIS_PX)
        .into_font()
        .color(&GREY)
        .pos(Pos::new(HPos::Center, VPos::Center));
    area.draw(&Text::new(message.to_string(), (cx, cy), style))
        .map_err(draw_error)?;
    Ok(())
}

/// A backend pixel position relative to the plotting area's top-left corner.
pub(super) fn relative<DB: DrawingBackend>(chart: &Plot<'_, DB>, (x, y): (i32, i32)) -> (i32, i32) {
    let (left, top) = chart.plotting_area().get_base_pixel();
    (x - left, y - top)
}

/// Draws the series legend at `position`.
pub(super) fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Plot<'a, DB>,
    position: SeriesLabelPosition,
) -> Result<(), PlotError> {
    chart
        .configure_series_labels()
        .position(position)
        .margin(12)
        .legend_area_size(28)
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .label_font((FONT, TICK_PX).into_font().color(&INK))
        .draw()
        .map_err(draw_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_drop_float_noise() {
        assert_eq!(tick_label(0.30000000000000004, 1.0), "0.3");
        assert_eq!(tick_label(0.0, 1.0), "0");
        assert_eq!(tick_label(1.0, 1.0), "1");
        assert_eq!(tick_label(-0.25, 1.4), "\u{2212}0.25");
        assert_eq!(tick_label(-0.0, 1.0), "0");
        assert_eq!(tick_label(0.025, 0.2), "0.025");
        assert_eq!(tick_label(25000.0, 50000.0), "25000");
        assert_eq!(tick_label(3e-6, 1e-5), "0.000003");
    }

    #[test]
    fn three_significant_digits() {
        assert_eq!(three_digits(0.066666), "0.0667");
        assert_eq!(three_digits(-0.23), "\u{2212}0.230");
        assert_eq!(three_digits(12345.6), "12346");
        assert_eq!(three_digits(1.0), "1.00");
        assert_eq!(three_digits(0.0), "0");
        assert_eq!(plain(0.75), "0.75");
        assert_eq!(plain(0.9), "0.9");
        assert_eq!(plain(100.0), "100");
        assert_eq!(plain(-0.25), "\u{2212}0.25");
    }

    #[test]
    fn axis_ranges_are_padded_and_bounded() {
        let range = |lo, hi| axis_range("test", (lo, hi), 0.05).unwrap();
        assert_eq!(range(1.0, 3.0), (0.9, 3.1));
        assert_eq!(range(0.0, 0.0), (-1.0, 1.0));
        assert_eq!(range(5.0, 5.0), (4.5, 5.5));
        // A span lost in rounding counts as zero.
        let (lo, hi) = range(1e6, 1e6 + 1e-6);
        assert!(
            (lo - 9e5).abs() < 1e-3 && (hi - 1.1e6).abs() < 1e-3,
            "{lo} {hi}"
        );
        assert_eq!(range(0.0, 5e-324), (-1e-200, 1e-200));
        let err = axis_range("test", (-1e308, 1e308), 0.05).unwrap_err();
        assert!(matches!(err, PlotError::OutOfRange { .. }), "{err}");
    }

    #[test]
    fn clipping_keeps_the_inside_and_breaks_at_gaps() {
        let inside = clip_polyline(
            &[(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)],
            (0.0, 1.0),
            (0.0, 1.0),
        );
        assert_eq!(inside, vec![vec![(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)]]);
        // Falls through the bottom edge y = 0 at x = 0.5 and comes back at x = 1.5.
        let dip = clip_polyline(
            &[(0.0, 1.0), (1.0, -1.0), (2.0, 1.0)],
            (0.0, 2.0),
            (0.0, 2.0),
        );
        assert_eq!(
            dip,
            vec![vec![(0.0, 1.0), (0.5, 0.0)], vec![(1.5, 0.0), (2.0, 1.0)]]
        );
        // A NaN point splits the line; a lone point is not a piece.
        let gap = clip_polyline(
            &[
                (0.0, 0.0),
                (0.1, 0.1),
                (f64::NAN, 0.2),
                (0.3, 0.3),
                (0.4, 0.4),
            ],
            (0.0, 1.0),
            (0.0, 1.0),
        );
        assert_eq!(
            gap,
            vec![vec![(0.0, 0.0), (0.1, 0.1)], vec![(0.3, 0.3), (0.4, 0.4)]]
        );
        assert!(clip_polyline(&[(2.0, 2.0), (3.0, 3.0)], (0.0, 1.0), (0.0, 1.0)).is_empty());
    }

    #[test]
    fn long_text_is_shortened_in_the_middle() {
        super::super::register_font().unwrap();
        let name = "wavelet-LLH_glszm_SmallAreaLowGrayLevelEmphasis";
        assert_eq!(fit(name, TICK_PX, 10_000).unwrap(), name);
        let short = fit(name, TICK_PX, 200).unwrap();
        assert!(text_width(&short, TICK_PX).unwrap() <= 200);
        assert!(
            short.starts_with("wavelet-") && short.ends_with("Emphasis") && short.contains('…'),
            "{short}"
        );
        assert_eq!(fit("abc", TICK_PX, 1).unwrap(), "…");
    }
}
