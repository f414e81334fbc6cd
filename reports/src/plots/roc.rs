//! ROC chart: true against false positive rate, with the chance diagonal.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::layout::{self, Axes, GREY};
use super::{Curve, PlotError};

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    curves: &[Curve],
) -> Result<(), PlotError> {
    let unit = (0.0, 1.0);
    let pieces: Vec<Vec<Vec<(f64, f64)>>> = curves
        .iter()
        .map(|c| layout::clip_polyline(&c.points, unit, unit))
        .collect();
    let mut notes = Vec::new();
    let undrawable: Vec<&str> = curves
        .iter()
        .zip(&pieces)
        .filter(|(_, p)| p.is_empty())
        .map(|(c, _)| c.label.as_str())
        .collect();
    if !undrawable.is_empty() {
        notes.push(format!(
            "Not drawn (fewer than two finite points in 0..1): {}.",
            undrawable.join(", ")
        ));
    }
    let axes = Axes {
        title,
        x_desc: "False positive rate (1 \u{2212} specificity)",
        y_desc: "True positive rate (sensitivity)",
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
        .map_err(layout::draw_error)?;

    let mut drawn = 0;
    for (i, (curve, curve_pieces)) in curves.iter().zip(&pieces).enumerate() {
        let colour = layout::colour(i);
        for (k, piece) in curve_pieces.iter().enumerate() {
            let series = chart
                .draw_series(LineSeries::new(
                    piece.iter().copied(),
                    colour.stroke_width(2),
                ))
                .map_err(layout::draw_error)?;
            if k == 0 {
                series.label(curve.label.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                });
                drawn += 1;
            }
        }
    }
    if drawn > 0 {
        layout::legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    } else {
        layout::empty_note(&chart, "no ROC curve to plot")?;
    }
    layout::notes(root, &notes)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{Chart, png, svg};
    use super::*;

    const GREY_SVG: &str = "#808080";

    fn roc(curves: Vec<Curve>) -> Chart {
        Chart::Roc {
            title: "ROC, aSAH".into(),
            curves,
        }
    }

    #[test]
    fn diagonal_runs_from_bottom_left_to_top_right_of_the_plot() {
        // A perfect classifier's curve visits three corners: (0,0), (0,1), (1,1).
        let perfect = Curve {
            label: "perfect".into(),
            points: vec![(0.0, 0.0), (0.0, 1.0), (1.0, 1.0)],
        };
        let svg = svg(&roc(vec![perfect])).unwrap();
        let lines = svg_polylines(&svg);
        let curve = &lines
            .iter()
            .find(|(c, p)| c == "#0072B2" && p.len() == 3)
            .expect("the curve")
            .1;
        let (bottom_left, top_left, top_right) = (curve[0], curve[1], curve[2]);
        assert_eq!(bottom_left.0, top_left.0);
        assert_eq!(top_left.1, top_right.1);
        assert!(bottom_left.1 > top_left.1 && top_right.0 > top_left.0);
        // The plot outline (drawn from data corners) has the same corners.
        let outline = &lines
            .iter()
            .find(|(c, p)| c == GREY_SVG && p.len() == 5)
            .expect("the outline")
            .1;
        assert_eq!(outline[0], bottom_left);
        assert_eq!(outline[1], top_left);
        assert_eq!(outline[2], top_right);
        // The diagonal's dashes: grey, neither horizontal nor vertical.
        let dashes: Vec<&Vec<(i32, i32)>> = lines
            .iter()
            .filter(|(c, p)| c == GREY_SVG && p.len() == 2 && p[0].0 != p[1].0 && p[0].1 != p[1].1)
            .map(|(_, p)| p)
            .collect();
        assert!(dashes.len() > 20, "{} dashes", dashes.len());
        assert_eq!(dashes[0][0], bottom_left);
        let end = dashes.last().unwrap()[1];
        let (w, h) = (top_right.0 - bottom_left.0, bottom_left.1 - top_right.1);
        // Every dash end on the line from bottom-left to top-right (1 px rounding).
        for p in dashes.iter().flat_map(|d| d.iter()) {
            let cross = i64::from(p.0 - bottom_left.0) * i64::from(h)
                - i64::from(bottom_left.1 - p.1) * i64::from(w);
            let distance = cross as f64 / f64::from(w).hypot(f64::from(h));
            assert!(
                distance.abs() <= 1.5,
                "{p:?} is {distance} px off the diagonal"
            );
        }
        // The last dash ends within one dash + gap (10 px) of the top-right corner.
        assert!(
            f64::from(top_right.0 - end.0).hypot(f64::from(end.1 - top_right.1)) <= 10.0,
            "{end:?}"
        );
        // The plot is square (561 px).
        assert_eq!((w, h), (561, 561));
    }

    #[test]
    fn labels_legend_and_points_outside_the_unit_square() {
        let curves = vec![
            Curve {
                label: "s100b (AUC 0.731)".into(),
                points: vec![(0.0, 0.0), (0.3, 0.6), (f64::NAN, 0.7), (1.0, 1.0)],
            },
            Curve {
                label: "ndka (AUC 0.612)".into(),
                points: vec![(0.0, 0.0), (0.5, 0.55), (1.0, 1.0)],
            },
            Curve {
                label: "broken".into(),
                points: vec![(f64::NAN, f64::NAN)],
            },
        ];
        let svg = svg(&roc(curves)).unwrap();
        let texts = svg_texts(&svg);
        for t in [
            "s100b (AUC 0.731)",
            "ndka (AUC 0.612)",
            "ROC, aSAH",
            "True positive rate (sensitivity)",
        ] {
            assert!(texts.iter().any(|x| x == t), "{t} not in {texts:?}");
        }
        assert!(
            texts
                .iter()
                .any(|x| x == "Not drawn (fewer than two finite points in 0..1): broken."),
            "{texts:?}"
        );
        // The NaN point splits the first curve into (0,0)-(0.3,0.6); (1,1) alone is no line.
        let blue: Vec<_> = svg_polylines(&svg)
            .into_iter()
            .filter(|(c, p)| c == "#0072B2" && p.len() > 2)
            .collect();
        assert!(blue.is_empty(), "{blue:?}");
    }

    #[test]
    fn no_curves_give_the_diagonal_and_a_note() {
        let svg = svg(&roc(Vec::new())).unwrap();
        assert!(svg_texts(&svg).iter().any(|t| t == "no ROC curve to plot"));
        let (w, h, rgb) = decode_png(&png(&roc(Vec::new())).unwrap());
        assert_eq!((w, h), (680, 677));
        assert!(ink_fraction(&rgb) > 0.005);
    }
}
