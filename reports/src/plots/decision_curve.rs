//! Decision curve: net benefit against threshold probability.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::{self, Axes, MESH};
use super::{Curve, PlotError};

/// The lowest net benefit shown, as a multiple of the highest: −0.5 × max keeps "treat all", which
/// falls steeply at high thresholds, from squeezing the useful part of the chart.
const CUT: f64 = -0.5;

/// x range, y range, and whether the y range cuts data off.
type Ranges = ((f64, f64), (f64, f64), bool);

/// The axis ranges: x over the thresholds, y from max(lowest, CUT × highest) to the highest net
/// benefit, padded by 5%; and whether anything was cut.
fn ranges(series: &[Curve]) -> Result<Ranges, PlotError> {
    let points = || {
        series
            .iter()
            .flat_map(|c| c.points.iter())
            .filter(|p| p.0.is_finite() && p.1.is_finite())
    };
    let x = layout::finite_range(points().map(|p| p.0)).unwrap_or((0.0, 1.0));
    let x = layout::axis_range("decision-curve thresholds", x, 0.0)?;
    let (low, high) =
        layout::finite_range(points().map(|p| p.1).chain([0.0])).expect("0 is always in the range");
    let floor = if high > 0.0 { low.max(CUT * high) } else { low };
    let y = layout::axis_range("net benefit", (floor, high), 0.05)?;
    Ok((x, y, floor > low))
}

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    series: &[Curve],
) -> Result<(), PlotError> {
    let (x, y, cut) = ranges(series)?;
    let pieces: Vec<Vec<Vec<(f64, f64)>>> = series
        .iter()
        .map(|c| layout::clip_polyline(&c.points, x, y))
        .collect();
    let mut notes = Vec::new();
    if cut {
        notes.push(format!(
            "Net benefit below {} not shown.",
            layout::three_digits(y.0)
        ));
    }
    let undrawable: Vec<&str> = series
        .iter()
        .zip(&pieces)
        .filter(|(_, p)| p.is_empty())
        .map(|(c, _)| c.label.as_str())
        .collect();
    if !undrawable.is_empty() {
        notes.push(format!(
            "Not drawn (fewer than two finite points in range): {}.",
            undrawable.join(", ")
        ));
    }
    let axes = Axes {
        title,
        x_desc: "Threshold probability",
        y_desc: "Net benefit",
        x,
        y,
        x_ticks: 10,
        y_ticks: 8,
        left: 78,
        note_lines: notes.len() as u32,
        top_axis: false,
    };
    let mut chart = layout::frame(root, &axes)?;
    layout::outline(&mut chart)?;
    if y.0 < 0.0 && y.1 > 0.0 {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x.0, 0.0), (x.1, 0.0)],
                MESH.stroke_width(2),
            )))
            .map_err(layout::draw_error)?;
    }
    let mut drawn = 0;
    for (i, (curve, curve_pieces)) in series.iter().zip(&pieces).enumerate() {
        let colour = layout::colour(i);
        for (k, piece) in curve_pieces.iter().enumerate() {
            let drawn_series = chart
                .draw_series(LineSeries::new(
                    piece.iter().copied(),
                    colour.stroke_width(2),
                ))
                .map_err(layout::draw_error)?;
            if k == 0 {
                drawn_series
                    .label(curve.label.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                    });
                drawn += 1;
            }
        }
    }
    if drawn > 0 {
        layout::legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    } else {
        layout::empty_note(&chart, "no net-benefit curve to plot")?;
    }
    layout::notes(root, &notes)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{Chart, png, svg};
    use super::*;

    fn curve(label: &str, points: Vec<(f64, f64)>) -> Curve {
        Curve {
            label: label.into(),
            points,
        }
    }

    #[test]
    fn treat_all_is_cut_where_hand_computed() {
        let series = vec![
            curve("model", vec![(0.0, 0.2), (0.25, 0.1), (0.5, 0.0)]),
            curve("treat all", vec![(0.0, 0.2), (0.5, -0.8)]),
            curve("treat none", vec![(0.0, 0.0), (0.5, 0.0)]),
        ];
        // Highest 0.2, so the floor is -0.1; padded by 5% of 0.3: y from -0.115 to 0.215.
        let (x, y, cut) = ranges(&series).unwrap();
        assert_eq!(x, (0.0, 0.5));
        assert!(
            (y.0 + 0.115).abs() < 1e-12 && (y.1 - 0.215).abs() < 1e-12,
            "{y:?}"
        );
        assert!(cut);
        let chart = Chart::DecisionCurve {
            title: "Decision curve".into(),
            series,
        };
        let svg = svg(&chart).unwrap();
        let lines = svg_polylines(&svg);
        let outline = &lines
            .iter()
            .find(|(c, p)| c == "#808080" && p.len() == 5)
            .unwrap()
            .1;
        let (left, right, bottom) = (outline[0].0, outline[2].0, outline[0].1);
        // "treat all" falls 2 per unit of threshold from 0.2: it meets y = -0.115 at x = 0.1575,
        // i.e. 0.1575 / 0.5 = 31.5% across the plot.
        let treat_all = &lines
            .iter()
            .find(|(c, p)| c == "#D55E00" && p.len() == 2 && p[1].1 == bottom)
            .expect("cut treat-all")
            .1;
        let expected = f64::from(left) + 0.315 * f64::from(right - left);
        assert!(
            (f64::from(treat_all[1].0) - expected).abs() <= 1.0,
            "{treat_all:?} vs {expected}"
        );
        let texts = svg_texts(&svg);
        for t in [
            "model",
            "treat all",
            "treat none",
            "Net benefit below \u{2212}0.115 not shown.",
            "Threshold probability",
        ] {
            assert!(texts.iter().any(|x| x == t), "{t} not in {texts:?}");
        }
    }

    #[test]
    fn nothing_cut_when_all_net_benefits_are_high_enough() {
        let series = vec![
            curve("model", vec![(0.05, 0.3), (0.5, 0.1)]),
            curve("treat none", vec![(0.05, 0.0), (0.5, 0.0)]),
        ];
        let (_, y, cut) = ranges(&series).unwrap();
        assert!(!cut);
        assert!(
            (y.0 + 0.015).abs() < 1e-12 && (y.1 - 0.315).abs() < 1e-12,
            "{y:?}"
        );
    }

    #[test]
    fn empty_series_give_a_note() {
        let chart = Chart::DecisionCurve {
            title: "DCA".into(),
            series: vec![curve("model", vec![(f64::NAN, 0.1)])],
        };
        let texts = svg_texts(&svg(&chart).unwrap());
        assert!(
            texts.iter().any(|t| t == "no net-benefit curve to plot"),
            "{texts:?}"
        );
        assert!(
            texts
                .iter()
                .any(|t| t == "Not drawn (fewer than two finite points in range): model."),
            "{texts:?}"
        );
        let (w, h, _) = decode_png(&png(&chart).unwrap());
        assert_eq!((w, h), (800, 600));
    }
}
