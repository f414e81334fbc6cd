//! Scatter chart of groups of points (principal-component scores coloured by batch).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::layout::{self, Axes};
use super::{PlotError, PointGroup};

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    labels: (&str, &str),
    groups: &[PointGroup],
) -> Result<(), PlotError> {
    let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let all = || groups.iter().flat_map(|g| g.points.iter().filter(finite));
    let x = match layout::finite_range(all().map(|p| p.0)) {
        Some(r) => layout::axis_range("scatter x", r, 0.08)?,
        None => (0.0, 1.0),
    };
    let y = match layout::finite_range(all().map(|p| p.1)) {
        Some(r) => layout::axis_range("scatter y", r, 0.08)?,
        None => (0.0, 1.0),
    };
    let axes = Axes {
        title,
        x_desc: labels.0,
        y_desc: labels.1,
        x,
        y,
        x_ticks: 8,
        y_ticks: 8,
        left: 78,
        note_lines: 0,
        top_axis: false,
    };
    let mut chart = layout::frame(root, &axes)?;
    layout::outline(&mut chart)?;
    for (i, g) in groups.iter().enumerate() {
        let colour = layout::colour(i);
        let style = colour.mix(0.8).filled();
        chart
            .draw_series(
                g.points
                    .iter()
                    .filter(finite)
                    .map(|&p| Circle::new(p, 4, style)),
            )
            .map_err(layout::draw_error)?
            .label(format!("{} (n = {})", g.label, g.points.len()))
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, colour.filled()));
    }
    if all().next().is_none() {
        layout::empty_note(&chart, "no points to plot")?;
    } else {
        layout::legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::super::{Chart, PointGroup, ValueGroup, png, svg};

    #[test]
    fn scatter_strip_and_heat_map_draw() {
        let scatter = Chart::Scatter {
            title: "PCA".into(),
            x_label: "PC1 (80%)".into(),
            y_label: "PC2 (10%)".into(),
            groups: vec![
                PointGroup {
                    label: "A".into(),
                    points: vec![(0.0, 1.0), (1.0, 2.0)],
                },
                PointGroup {
                    label: "B".into(),
                    points: vec![(5.0, 1.0), (f64::NAN, 0.0)],
                },
            ],
        };
        let s = svg(&scatter).unwrap();
        assert!(
            svg_texts(&s).iter().any(|t| t == "B (n = 2)"),
            "{:?}",
            svg_texts(&s)
        );
        assert!(svg_circles(&s).iter().filter(|c| c.2 == 4).count() >= 3);
        assert_eq!(&png(&scatter).unwrap()[1..4], b"PNG");

        let strip = Chart::Strip {
            title: "stat_mean by batch".into(),
            y_label: "stat_mean".into(),
            groups: vec![
                ValueGroup {
                    label: "A".into(),
                    values: vec![1.0, 2.0, 3.0],
                },
                ValueGroup {
                    label: "B".into(),
                    values: vec![7.0, 8.0],
                },
            ],
        };
        let s = svg(&strip).unwrap();
        assert!(svg_texts(&s).iter().any(|t| t == "A (n = 3)"));
        assert_eq!(&png(&strip).unwrap()[1..4], b"PNG");

        let heat = Chart::HeatMap {
            title: "Spearman".into(),
            labels: vec!["a".into(), "b".into(), "c".into()],
            matrix: vec![1.0, 0.9, -0.2, 0.9, 1.0, 0.1, -0.2, 0.1, 1.0],
            order: vec![2, 0, 1],
        };
        let s = svg(&heat).unwrap();
        let texts = svg_texts(&s);
        let rows: Vec<&String> = texts
            .iter()
            .filter(|t| t.len() == 1 && t.chars().all(char::is_alphabetic))
            .collect();
        assert_eq!(rows, ["c", "a", "b"], "labels in the given order");
        assert_eq!(&png(&heat).unwrap()[1..4], b"PNG");
        // Many features are drawn in blocks.
        let big = 450;
        let many = Chart::HeatMap {
            title: "many".into(),
            labels: (0..big).map(|i| format!("f{i}")).collect(),
            matrix: (0..big * big)
                .map(|k| if k % (big + 1) == 0 { 1.0 } else { 0.0 })
                .collect(),
            order: (0..big).collect(),
        };
        let s = svg(&many).unwrap();
        assert!(
            svg_texts(&s).iter().any(|t| t.contains("blocks of 3")),
            "{:?}",
            svg_texts(&s)
        );
        let wrong = Chart::HeatMap {
            title: "x".into(),
            labels: vec!["a".into()],
            matrix: vec![],
            order: vec![0],
        };
        assert!(svg(&wrong).is_err());
    }
}
