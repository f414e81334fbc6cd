//! Forest chart: one row per item (feature) with its estimate and interval.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::layout::{self, Axes, FONT, GREY, INK, MARGIN, NOTE_LINE, TICK_PX};
use super::{IntervalRow, PlotError};

/// Width of the plot area in pixels.
const PLOT_WIDTH: u32 = 520;
/// Height of one row in pixels.
pub(super) const ROW_HEIGHT: u32 = 20;
/// Widest label column; longer labels are shortened in the middle.
pub(super) const LABEL_MAX: u32 = 420;
/// Gap between a label and the plot.
const LABEL_GAP: u32 = 10;
/// Rows above which the x tick labels are repeated on top.
const TOP_AXIS_ROWS: usize = 25;
/// Height of everything that is not rows: margins, title, x axis area.
const OVERHEAD: u32 = 2 * MARGIN + 44 + 56;

/// What `plan` works out before drawing: image size, the kept rows and the x range.
pub(crate) struct Layout {
    pub(super) size: (u32, u32),
    /// Kept rows (finite estimate), top to bottom.
    rows: Vec<Row>,
    /// Notes under the chart: the reference lines, the rows not shown.
    notes: Vec<String>,
    left: u32,
    x: (f64, f64),
}

/// A row to draw.
struct Row {
    /// The label, shortened to fit.
    label: String,
    estimate: f64,
    /// (low, high) when both are finite.
    interval: Option<(f64, f64)>,
}

/// Lays out the chart: keeps rows with a finite estimate, fits labels, sizes the image.
pub(super) fn plan(rows: &[IntervalRow], reference_lines: &[f64]) -> Result<Layout, PlotError> {
    let mut kept = Vec::with_capacity(rows.len());
    let mut widest = 0;
    for row in rows.iter().filter(|r| r.estimate.is_finite()) {
        let label = layout::fit(&row.label, TICK_PX, LABEL_MAX - LABEL_GAP)?;
        widest = widest.max(layout::text_width(&label, TICK_PX)?);
        let interval = (row.low.is_finite() && row.high.is_finite())
            .then(|| (row.low.min(row.high), row.low.max(row.high)));
        kept.push(Row {
            label,
            estimate: row.estimate,
            interval,
        });
    }
    let skipped = rows.len() - kept.len();
    let values = kept
        .iter()
        .flat_map(|r| {
            [
                Some(r.estimate),
                r.interval.map(|i| i.0),
                r.interval.map(|i| i.1),
            ]
        })
        .flatten()
        .chain(reference_lines.iter().copied())
        .chain([0.0, 1.0]);
    let range = layout::finite_range(values).expect("0 and 1 are always in the range");
    let x = layout::axis_range("forest estimates", range, 0.02)?;
    let left = (widest + LABEL_GAP).clamp(80, LABEL_MAX);
    let width = MARGIN + left + PLOT_WIDTH + MARGIN + 8;
    let top = if kept.len() > TOP_AXIS_ROWS { 56 } else { 0 };
    let mut notes = Vec::new();
    let references: Vec<String> = reference_lines
        .iter()
        .filter(|v| v.is_finite())
        .map(|v| layout::plain(*v))
        .collect();
    if !references.is_empty() {
        notes.push(format!("Dashed lines at {}.", references.join(", ")));
    }
    if skipped > 0 {
        let what = if skipped == 1 { "row" } else { "rows" };
        notes.push(format!(
            "{skipped} {what} with an undefined (non-finite) estimate not shown."
        ));
    }
    let note_lines = notes.len() as u32;
    let rows_height = u32::try_from(kept.len().max(4))
        .unwrap_or(u32::MAX)
        .saturating_mul(ROW_HEIGHT);
    let height = rows_height.saturating_add(OVERHEAD + top + note_lines * NOTE_LINE);
    Ok(Layout {
        size: (width, height),
        rows: kept,
        notes,
        left,
        x,
    })
}

/// Draws the planned chart.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    x_label: &str,
    plan: &Layout,
    reference_lines: &[f64],
) -> Result<(), PlotError> {
    let n = plan.rows.len();
    let axes = Axes {
        title,
        x_desc: x_label,
        y_desc: "",
        x: plan.x,
        y: (-0.5, n.max(1) as f64 - 0.5),
        x_ticks: 10,
        y_ticks: 0,
        left: plan.left,
        note_lines: plan.notes.len() as u32,
        top_axis: n > TOP_AXIS_ROWS,
    };
    let mut chart = layout::frame(root, &axes)?;
    let (x0, x1) = plan.x;
    // Row y: the first row at the top.
    let y_of = |i: usize| (n - 1 - i) as f64;

    // Translucent, so the vertical grid lines show through.
    let shade = BLACK.mix(0.04).filled();
    chart
        .draw_series(
            (0..n)
                .filter(|i| i % 2 == 1)
                .map(|i| Rectangle::new([(x0, y_of(i) - 0.5), (x1, y_of(i) + 0.5)], shade)),
        )
        .map_err(layout::draw_error)?;
    let (y0, y1) = (axes.y.0, axes.y.1);
    chart
        .draw_series(
            reference_lines.iter().filter(|r| r.is_finite()).map(|&r| {
                DashedPathElement::new(vec![(r, y0), (r, y1)], 6, 4, GREY.stroke_width(1))
            }),
        )
        .map_err(layout::draw_error)?;
    layout::outline(&mut chart)?;

    let colour = layout::colour(0);
    chart
        .draw_series(plan.rows.iter().enumerate().filter_map(|(i, row)| {
            row.interval.map(|(low, high)| {
                PathElement::new(
                    vec![(low, y_of(i)), (high, y_of(i))],
                    colour.stroke_width(2),
                )
            })
        }))
        .map_err(layout::draw_error)?;
    chart
        .draw_series(
            plan.rows
                .iter()
                .enumerate()
                .map(|(i, row)| Circle::new((row.estimate, y_of(i)), 4, colour.filled())),
        )
        .map_err(layout::draw_error)?;

    let style = (FONT, TICK_PX)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Right, VPos::Center));
    for (i, row) in plan.rows.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(x0, y_of(i)));
        root.draw(&Text::new(
            row.label.as_str(),
            (x - LABEL_GAP as i32, y),
            style.clone(),
        ))
        .map_err(layout::draw_error)?;
    }
    if n == 0 {
        layout::empty_note(&chart, "no finite estimates to plot")?;
    }
    layout::notes(root, &plan.notes)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{Chart, png, svg};
    use super::*;

    fn row(label: &str, estimate: f64, low: f64, high: f64) -> IntervalRow {
        IntervalRow {
            label: label.into(),
            estimate,
            low,
            high,
        }
    }

    fn forest(rows: Vec<IntervalRow>) -> Chart {
        Chart::Forest {
            title: "Test-retest ICC(3,1), RIDER".into(),
            x_label: "ICC with 95% CI".into(),
            rows,
            reference_lines: vec![0.5, 0.75, 0.9],
        }
    }

    /// The estimate markers (filled circles of radius 4) as (cx, cy), in drawing order.
    fn markers(svg: &str) -> Vec<(i32, i32)> {
        svg_circles(svg)
            .into_iter()
            .filter(|c| c.2 == 4 && c.3 != "none")
            .map(|c| (c.0, c.1))
            .collect()
    }

    #[test]
    fn every_label_is_written_and_nan_rows_are_skipped() {
        let chart = forest(vec![
            row("original_firstorder_Mean", 0.95, 0.91, 0.97),
            row("original_glcm_Contrast", f64::NAN, f64::NAN, f64::NAN),
            row("original_shape_Sphericity", 0.42, 0.12, 0.66),
            row("a<b & \"c\"", 0.7, f64::NAN, 0.8),
        ]);
        let svg = svg(&chart).unwrap();
        let texts = svg_texts(&svg);
        for label in [
            "original_firstorder_Mean",
            "original_shape_Sphericity",
            "a<b & \"c\"",
            "ICC with 95% CI",
        ] {
            assert!(
                texts.iter().any(|t| t == label),
                "{label} missing in {texts:?}"
            );
        }
        assert!(!svg.contains("original_glcm_Contrast"));
        assert!(
            texts.contains(&"1 row with an undefined (non-finite) estimate not shown.".to_string()),
            "{texts:?}"
        );
        assert!(
            texts.contains(&"Dashed lines at 0.5, 0.75, 0.9.".to_string()),
            "{texts:?}"
        );
        assert_eq!(markers(&svg).len(), 3);
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn rows_run_top_down_in_the_given_order_on_a_linear_axis() {
        let chart = forest(vec![
            row("zero", 0.0, 0.0, 0.0),
            row("half", 0.5, 0.4, 0.6),
            row("one", 1.0, 0.9, 1.0),
        ]);
        let m = markers(&svg(&chart).unwrap());
        assert_eq!(m.len(), 3);
        // Top to bottom in the given order, equally spaced.
        assert!(m[0].1 < m[1].1 && m[1].1 < m[2].1);
        assert!(((m[1].1 - m[0].1) - (m[2].1 - m[1].1)).abs() <= 1, "{m:?}");
        // Estimate 0.5 half-way between 0 and 1 (pixel rounding: 1 px).
        assert!(((m[1].0 - m[0].0) - (m[2].0 - m[1].0)).abs() <= 1, "{m:?}");
        // 520 px of plot over the padded range 0..1 (±2%): 1 unit is 520 / 1.04 = 500 px.
        assert!((m[2].0 - m[0].0 - 500).abs() <= 1, "{m:?}");
    }

    #[test]
    fn x_axis_starts_at_the_lowest_interval_when_below_zero() {
        let chart = forest(vec![row("low", 0.1, -0.6, 0.5), row("high", 0.8, 0.6, 0.9)]);
        let Chart::Forest {
            rows,
            reference_lines,
            ..
        } = &chart
        else {
            unreachable!()
        };
        let plan = plan(rows, reference_lines).unwrap();
        // min(0, -0.6) .. max(1, 0.9) padded by 2% of the span 1.6.
        assert!(
            (plan.x.0 - (-0.632)).abs() < 1e-12 && (plan.x.1 - 1.032).abs() < 1e-12,
            "{:?}",
            plan.x
        );
        let texts = svg_texts(&svg(&chart).unwrap());
        assert!(
            texts.iter().any(|t| t == "\u{2212}0.6") && texts.iter().any(|t| t == "1"),
            "{texts:?}"
        );
    }

    #[test]
    fn hundreds_of_rows_grow_the_image() {
        let rows: Vec<IntervalRow> = (0..300)
            .map(|i| {
                let e = f64::from(i) / 300.0;
                row(
                    &format!("wavelet-LLH_glszm_Feature{i:03}"),
                    e,
                    e - 0.1,
                    (e + 0.1).min(1.0),
                )
            })
            .collect();
        let chart = forest(rows);
        let (w, h, rgb) = decode_png(&png(&chart).unwrap());
        let Chart::Forest {
            rows,
            reference_lines,
            ..
        } = &chart
        else {
            unreachable!()
        };
        assert_eq!((w, h), plan(rows, reference_lines).unwrap().size);
        assert!(h >= 300 * ROW_HEIGHT, "{h}");
        assert!(ink_fraction(&rgb) > 0.02);
        let svg = svg(&chart).unwrap();
        assert_eq!(markers(&svg).len(), 300);
        assert!(
            svg_texts(&svg)
                .iter()
                .any(|t| t == "wavelet-LLH_glszm_Feature299")
        );
    }

    #[test]
    fn long_labels_are_shortened_in_the_middle_not_cut() {
        let long = format!(
            "log-sigma-3-0-mm-3D_{}_glrlm_LongRunHighGrayLevelEmphasis",
            "x".repeat(80)
        );
        let chart = forest(vec![row(&long, 0.9, 0.8, 0.95)]);
        let texts = svg_texts(&svg(&chart).unwrap());
        let shown = texts
            .iter()
            .find(|t| t.contains('…'))
            .expect("a shortened label");
        // A start and an end of the name, about equally long, around the ellipsis.
        let (head, tail) = shown.split_once('…').unwrap();
        assert!(long.starts_with(head) && long.ends_with(tail), "{shown}");
        assert!(
            head.chars().count() >= 20
                && (head.chars().count() as i64 - tail.chars().count() as i64).abs() <= 1,
            "{shown}"
        );
        assert!(layout::text_width(shown, TICK_PX).unwrap() <= LABEL_MAX - LABEL_GAP);
    }

    #[test]
    fn non_finite_reference_lines_are_left_out() {
        let chart = Chart::Forest {
            title: "t".into(),
            x_label: "ICC".into(),
            rows: vec![row("a", 0.8, 0.7, 0.9)],
            reference_lines: vec![f64::NAN, 0.75, f64::INFINITY],
        };
        let svg = svg(&chart).unwrap();
        assert!(svg_texts(&svg).iter().any(|t| t == "Dashed lines at 0.75."));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn values_too_large_for_an_axis_are_an_error() {
        let chart = forest(vec![row("a", 1e150, 0.0, 1.0)]);
        let err = svg(&chart).unwrap_err();
        assert_eq!(
            err.to_string(),
            "forest estimates: values from 0e0 to 1e150 are too large to draw (limit ±1e100); rescale them"
        );
        assert!(png(&chart).is_err());
    }

    #[test]
    fn no_finite_rows_give_an_empty_chart_with_a_note() {
        let chart = forest(vec![row("undefined", f64::NAN, 0.1, 0.2)]);
        let texts = svg_texts(&svg(&chart).unwrap());
        assert!(
            texts.iter().any(|t| t == "no finite estimates to plot"),
            "{texts:?}"
        );
        let empty = forest(Vec::new());
        assert!(
            svg_texts(&svg(&empty).unwrap())
                .iter()
                .any(|t| t == "no finite estimates to plot")
        );
        let (_, _, rgb) = decode_png(&png(&empty).unwrap());
        assert!(ink_fraction(&rgb) > 0.005);
    }
}
