//! Strip chart: the values of each group side by side (a feature's distribution per batch), each
//! value a dot spread sideways by a fixed pattern (no randomness), the group mean a bar.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::layout::{self, Axes, FONT, INK, TICK_PX};
use super::{PlotError, ValueGroup};

/// Sideways offset of the `i`-th value of a group, in group widths (van der Corput sequence).
fn jitter(i: usize) -> f64 {
    let (mut x, mut base, mut n) = (0.0, 0.5, i + 1);
    while n > 0 {
        if n & 1 == 1 {
            x += base;
        }
        base /= 2.0;
        n >>= 1;
    }
    (x - 0.5) * 0.5
}

/// Draws the chart.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    y_label: &str,
    groups: &[ValueGroup],
) -> Result<(), PlotError> {
    let values = || {
        groups
            .iter()
            .flat_map(|g| g.values.iter().copied().filter(|v| v.is_finite()))
    };
    let y = match layout::finite_range(values()) {
        Some(r) => layout::axis_range("strip values", r, 0.08)?,
        None => (0.0, 1.0),
    };
    let x = (-0.5, groups.len().max(1) as f64 - 0.5);
    let axes = Axes {
        title,
        x_desc: "",
        y_desc: y_label,
        x,
        y,
        x_ticks: 0,
        y_ticks: 8,
        left: 90,
        note_lines: 0,
        top_axis: false,
    };
    let mut chart = layout::frame(root, &axes)?;
    layout::outline(&mut chart)?;
    for (i, g) in groups.iter().enumerate() {
        let colour = layout::colour(i);
        let finite: Vec<f64> = g.values.iter().copied().filter(|v| v.is_finite()).collect();
        chart
            .draw_series(
                finite.iter().enumerate().map(|(k, &v)| {
                    Circle::new((i as f64 + jitter(k), v), 3, colour.mix(0.7).filled())
                }),
            )
            .map_err(layout::draw_error)?;
        if !finite.is_empty() {
            let mean = finite.iter().sum::<f64>() / finite.len() as f64;
            let bar = vec![(i as f64 - 0.35, mean), (i as f64 + 0.35, mean)];
            chart
                .draw_series(std::iter::once(PathElement::new(bar, INK.stroke_width(2))))
                .map_err(layout::draw_error)?;
        }
        // Group name under the plot.
        let (px, py) = chart.backend_coord(&(i as f64, y.0));
        let name = layout::fit(&format!("{} (n = {})", g.label, finite.len()), TICK_PX, 160)?;
        let style = (FONT, TICK_PX)
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        root.draw(&Text::new(name, (px, py + 8), style))
            .map_err(layout::draw_error)?;
    }
    if values().next().is_none() {
        layout::empty_note(&chart, "no values to plot")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::jitter;

    #[test]
    fn jitter_stays_inside_the_group() {
        let offsets: Vec<f64> = (0..100).map(jitter).collect();
        assert!(offsets.iter().all(|o| o.abs() <= 0.25));
        assert_eq!(offsets[0], 0.0);
        assert_eq!(offsets[1], -0.125);
    }
}
