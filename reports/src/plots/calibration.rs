//! Calibration chart: observed against predicted risk, with the ideal line.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::PlotError;
use super::layout::{self, Axes, GREY};

/// Smallest and largest marker radius in pixels; the marker area grows with the group size.
const RADIUS: (f64, f64) = (3.0, 9.0);

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    bins: &[(f64, f64, usize)],
    smooth: &[(f64, f64)],
) -> Result<(), PlotError> {
    let unit = (0.0, 1.0);
    let inside = |v: f64| (0.0..=1.0).contains(&v);
    let groups: Vec<(f64, f64, usize)> = bins
        .iter()
        .copied()
        .filter(|&(p, o, n)| n > 0 && inside(p) && inside(o))
        .collect();
    let pieces = layout::clip_polyline(smooth, unit, unit);
    let mut notes = Vec::new();
    let skipped = bins.len() - groups.len();
    if skipped > 0 {
        let what = if skipped == 1 { "group" } else { "groups" };
        notes.push(format!(
            "{skipped} {what} empty, non-finite or outside 0..1 not shown."
        ));
    }
    let axes = Axes {
        title,
        x_desc: "Predicted probability",
        y_desc: "Observed proportion",
        x: unit,
        y: unit,
        x_ticks: 11,
        y_ticks: 11,
        left: 78,
        note_lines: notes.len() as u32,
        top_axis: false,
    };
    let mut chart = layout::frame(root, &axes)?;
    layout::outline(&mut chart)?;
    chart
        .draw_series(std::iter::once(DashedPathElement::new(
            vec![(0.0, 0.0), (1.0, 1.0)],
            6,
            4,
            GREY.stroke_width(1),
        )))
        .map_err(layout::draw_error)?
        .label("ideal")
        .legend(|(x, y)| {
            DashedPathElement::new(vec![(x, y), (x + 20, y)], 6, 4, GREY.stroke_width(1))
        });

    let smooth_colour = layout::colour(1);
    for (k, piece) in pieces.iter().enumerate() {
        let series = chart
            .draw_series(LineSeries::new(
                piece.iter().copied(),
                smooth_colour.stroke_width(2),
            ))
            .map_err(layout::draw_error)?;
        if k == 0 {
            series.label("smoothed").legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], smooth_colour.stroke_width(2))
            });
        }
    }

    let largest = groups.iter().map(|g| g.2).max().unwrap_or(1) as f64;
    let radius =
        |n: usize| (RADIUS.0 + (RADIUS.1 - RADIUS.0) * (n as f64 / largest).sqrt()).round() as u32;
    let marker = layout::colour(0);
    if !groups.is_empty() {
        chart
            .draw_series(
                groups
                    .iter()
                    .map(|&(p, o, n)| Circle::new((p, o), radius(n), marker.mix(0.8).filled())),
            )
            .map_err(layout::draw_error)?
            .label("grouped (area \u{221D} n)")
            .legend(move |(x, y)| Circle::new((x + 10, y), 5, marker.filled()));
    }
    layout::legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    if groups.is_empty() && pieces.is_empty() {
        layout::empty_note(&chart, "no calibration data to plot")?;
    }
    layout::notes(root, &notes)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{Chart, png, svg};

    fn calibration(bins: Vec<(f64, f64, usize)>, smooth: Vec<(f64, f64)>) -> Chart {
        Chart::Calibration {
            title: "Calibration, external cohort".into(),
            bins,
            smooth,
        }
    }

    #[test]
    fn markers_sit_on_the_ideal_line_and_grow_with_n() {
        // Perfectly calibrated groups lie on the diagonal: cx and cy move together.
        let chart = calibration(
            vec![(0.1, 0.1, 25), (0.5, 0.5, 100), (0.9, 0.9, 4)],
            Vec::new(),
        );
        let svg = svg(&chart).unwrap();
        let groups: Vec<_> = svg_circles(&svg)
            .into_iter()
            .filter(|c| c.3 == "#0072B2" && c.2 != 5)
            .collect();
        assert_eq!(groups.len(), 3, "{groups:?}");
        let (a, b, c) = (&groups[0], &groups[1], &groups[2]);
        // 0.4 and 0.4 further: equal pixel steps right and up, 0.4 × 561 = 224.4 px (square plot).
        assert!(((b.0 - a.0) - (a.1 - b.1)).abs() <= 1, "{groups:?}");
        assert!(((c.0 - b.0) - (b.1 - c.1)).abs() <= 1, "{groups:?}");
        assert!((b.0 - a.0 - 224).abs() <= 1, "{groups:?}");
        // Radius 3 + 6 * sqrt(n / 100): n = 100 -> 9, n = 25 -> 6, n = 4 -> 4 (3 + 1.2, rounded).
        assert_eq!((a.2, b.2, c.2), (6, 9, 4));
        let texts = svg_texts(&svg);
        for t in [
            "ideal",
            "grouped (area \u{221D} n)",
            "Predicted probability",
            "Observed proportion",
        ] {
            assert!(texts.iter().any(|x| x == t), "{t} not in {texts:?}");
        }
        assert!(
            !texts.iter().any(|x| x == "smoothed"),
            "no smoothed curve given"
        );
    }

    #[test]
    fn smooth_curve_is_clipped_and_bad_groups_are_counted() {
        let chart = calibration(
            vec![
                (0.2, 0.1, 10),
                (f64::NAN, 0.3, 10),
                (0.4, 1.2, 10),
                (0.6, 0.5, 0),
            ],
            vec![(0.0, -0.05), (0.5, 0.5), (1.0, 1.1)],
        );
        let svg = svg(&chart).unwrap();
        let texts = svg_texts(&svg);
        assert!(
            texts
                .iter()
                .any(|x| x == "3 groups empty, non-finite or outside 0..1 not shown."),
            "{texts:?}"
        );
        assert!(texts.iter().any(|x| x == "smoothed"));
        // The smoothed line (vermillion, 3 points) stays within the outline's corners.
        let lines = svg_polylines(&svg);
        let outline = &lines
            .iter()
            .find(|(c, p)| c == "#808080" && p.len() == 5)
            .unwrap()
            .1;
        let (left, top, right, bottom) = (outline[0].0, outline[2].1, outline[2].0, outline[0].1);
        let smooth = &lines
            .iter()
            .find(|(c, p)| c == "#D55E00" && p.len() == 3)
            .expect("the smoothed curve")
            .1;
        for &(x, y) in smooth {
            assert!(
                x >= left && x <= right && y >= top && y <= bottom,
                "{smooth:?}"
            );
        }
        assert_eq!(smooth[0].1, bottom);
        assert_eq!(smooth[2].1, top);
    }

    #[test]
    fn empty_data_gives_a_note() {
        let empty = calibration(Vec::new(), Vec::new());
        assert!(
            svg_texts(&svg(&empty).unwrap())
                .iter()
                .any(|t| t == "no calibration data to plot")
        );
        let (w, h, _) = decode_png(&png(&empty).unwrap());
        assert_eq!((w, h), (680, 677));
    }
}
