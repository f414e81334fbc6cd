//! Bland-Altman chart: differences against means, with the bias and the limits of agreement.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;
use super::layout::{self, Axes, FONT, MESH, TICK_PX};

/// Draws the chart; `lines` are the bias, the lower and the upper limit of agreement.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    means: &[f64],
    differences: &[f64],
    lines: [f64; 3],
) -> Result<(), PlotError> {
    let points: Vec<(f64, f64)> = means
        .iter()
        .zip(differences)
        .map(|(&m, &d)| (m, d))
        .filter(|(m, d)| m.is_finite() && d.is_finite())
        .collect();
    let skipped = means.len() - points.len();
    let mut notes = Vec::new();
    if skipped > 0 {
        let pairs = if skipped == 1 { "pair" } else { "pairs" };
        notes.push(format!(
            "{skipped} {pairs} with a non-finite mean or difference not shown."
        ));
    }
    let x = match layout::finite_range(points.iter().map(|p| p.0)) {
        Some(range) => layout::axis_range("Bland-Altman means", range, 0.05)?,
        None => (0.0, 1.0),
    };
    let y_values = points.iter().map(|p| p.1).chain(lines).chain([0.0]);
    let y = layout::axis_range(
        "Bland-Altman differences",
        layout::finite_range(y_values).expect("0 is always in the range"),
        0.1,
    )?;
    let axes = Axes {
        title,
        x_desc: "Mean of the two measurements",
        y_desc: "Difference (first \u{2212} second)",
        x,
        y,
        x_ticks: 8,
        y_ticks: 8,
        left: 78,
        note_lines: notes.len() as u32,
        top_axis: false,
    };
    let mut chart = layout::frame(root, &axes)?;
    layout::outline(&mut chart)?;

    let line_colour = layout::colour(1);
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(x.0, 0.0), (x.1, 0.0)],
            MESH.stroke_width(2),
        )))
        .map_err(layout::draw_error)?;
    let [bias, low, high] = lines;
    if bias.is_finite() {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x.0, bias), (x.1, bias)],
                line_colour.stroke_width(2),
            )))
            .map_err(layout::draw_error)?;
    }
    chart
        .draw_series([low, high].into_iter().filter(|v| v.is_finite()).map(|v| {
            DashedPathElement::new(vec![(x.0, v), (x.1, v)], 8, 5, line_colour.stroke_width(2))
        }))
        .map_err(layout::draw_error)?;
    let marker = layout::colour(0).mix(0.7).filled();
    chart
        .draw_series(points.iter().map(|&p| Circle::new(p, 3, marker)))
        .map_err(layout::draw_error)?;

    // Line labels at the right end, just above each line.
    let style = (FONT, TICK_PX)
        .into_font()
        .color(&line_colour)
        .pos(Pos::new(HPos::Right, VPos::Bottom));
    for (name, value) in [
        ("mean difference", bias),
        ("lower LoA", low),
        ("upper LoA", high),
    ] {
        if value.is_finite() {
            let (px, py) = chart.backend_coord(&(x.1, value));
            let text = format!("{name} {}", layout::three_digits(value));
            // A light backing keeps the label readable over points.
            let width = layout::text_width(&text, TICK_PX)? as i32;
            let halo = [(px - 9 - width, py - 3 - TICK_PX as i32), (px - 3, py - 3)];
            root.draw(&Rectangle::new(halo, WHITE.mix(0.75).filled()))
                .map_err(layout::draw_error)?;
            root.draw(&Text::new(text, (px - 6, py - 3), style.clone()))
                .map_err(layout::draw_error)?;
        }
    }
    if points.is_empty() {
        layout::empty_note(&chart, "no finite pairs to plot")?;
    }
    layout::notes(root, &notes)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{Chart, png, svg};

    const VERMILLION: &str = "#D55E00";

    fn chart(means: Vec<f64>, differences: Vec<f64>) -> Chart {
        Chart::BlandAltman {
            title: "Reader A vs B".into(),
            means,
            differences,
            bias: 0.0,
            loa_low: -1.5,
            loa_high: 1.5,
        }
    }

    #[test]
    fn bias_sits_midway_between_symmetric_limits_and_points() {
        let svg = svg(&chart(vec![0.0, 10.0, 5.0], vec![-1.0, 1.0, 0.0])).unwrap();
        let lines = svg_polylines(&svg);
        // The solid bias line: two points, horizontal, in the line colour.
        let bias: Vec<_> = lines
            .iter()
            .filter(|(c, p)| c == VERMILLION && p.len() == 2 && p[0].1 == p[1].1)
            .collect();
        let ys: Vec<i32> = bias.iter().map(|(_, p)| p[0].1).collect();
        // Dashed limits are many short segments at two heights; the solid bias line spans the plot.
        let widest = bias.iter().max_by_key(|(_, p)| p[1].0 - p[0].0).unwrap();
        let bias_y = widest.1[0].1;
        let mut heights: Vec<i32> = ys.clone();
        heights.sort_unstable();
        heights.dedup();
        assert_eq!(heights.len(), 3, "{heights:?}");
        let (low_y, high_y) = (heights[2], heights[0]);
        assert!(
            (bias_y - (low_y + high_y) / 2).abs() <= 1,
            "{heights:?} {bias_y}"
        );
        // y range -1.8..1.8 (limits ±1.5 padded by 10% of 3): ±1 lies at 1/1.8 of the half height.
        let circles = svg_circles(&svg);
        let cy: Vec<i32> = circles.iter().filter(|c| c.2 == 3).map(|c| c.1).collect();
        assert_eq!(cy.len(), 3);
        assert_eq!(cy[2], bias_y);
        let half = f64::from(low_y - bias_y) / 1.5; // pixels per unit
        assert!(
            (f64::from(cy[0] - bias_y) - half).abs() <= 1.0,
            "{cy:?} {half}"
        );
        assert!(
            (f64::from(bias_y - cy[1]) - half).abs() <= 1.0,
            "{cy:?} {half}"
        );
        let texts = svg_texts(&svg);
        for t in [
            "mean difference 0",
            "upper LoA 1.50",
            "lower LoA \u{2212}1.50",
            "Reader A vs B",
        ] {
            assert!(texts.iter().any(|x| x == t), "{t} not in {texts:?}");
        }
    }

    #[test]
    fn non_finite_pairs_are_skipped_and_counted() {
        let svg = svg(&chart(
            vec![1.0, f64::NAN, 3.0, 4.0],
            vec![0.1, 0.2, f64::INFINITY, -0.1],
        ))
        .unwrap();
        assert_eq!(svg_circles(&svg).iter().filter(|c| c.2 == 3).count(), 2);
        assert!(
            svg_texts(&svg)
                .iter()
                .any(|t| t == "2 pairs with a non-finite mean or difference not shown.")
        );
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn empty_data_gives_a_note_and_a_valid_png() {
        let empty = chart(Vec::new(), Vec::new());
        assert!(
            svg_texts(&svg(&empty).unwrap())
                .iter()
                .any(|t| t == "no finite pairs to plot")
        );
        let (w, h, rgb) = decode_png(&png(&empty).unwrap());
        assert_eq!((w, h), (800, 600));
        assert!(ink_fraction(&rgb) > 0.005);
    }
}
