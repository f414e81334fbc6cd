//! Heat map of a correlation matrix in a given (dendrogram) order: blue for -1, white for 0, red
//! for +1. More than [`MAX_CELLS`] features are drawn as blocks of neighbouring features (the
//! mean of the block's correlations), with a note.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::PlotError;
use super::layout::{self, FONT, INK, MARGIN, NOTE_LINE, TICK_PX, TITLE_PX};

/// Largest number of rows (and columns) drawn; more features are grouped into blocks.
pub const MAX_CELLS: usize = 200;
/// Features up to which each row is labelled.
const MAX_LABELS: usize = 60;
/// Width of the label column.
const LABEL_WIDTH: u32 = 220;
/// Side of the matrix in pixels.
pub(super) const SIDE: u32 = 720;

/// Image size for `n` features.
pub(super) fn size(n: usize) -> (u32, u32) {
    let labels = if n <= MAX_LABELS { LABEL_WIDTH } else { 0 };
    (
        SIDE + labels + 2 * MARGIN + 80,
        SIDE + 2 * MARGIN + 60 + NOTE_LINE,
    )
}

fn colour(r: f64) -> RGBColor {
    let r = r.clamp(-1.0, 1.0);
    let (to, t) = if r >= 0.0 {
        ((0xB2, 0x18, 0x2B), r)
    } else {
        ((0x21, 0x66, 0xAC), -r)
    };
    let mix = |c: u8| (255.0 + (f64::from(c) - 255.0) * t).round() as u8;
    RGBColor(mix(to.0), mix(to.1), mix(to.2))
}

/// Draws the chart: `matrix` is row-major `n x n` in table order, `order` the drawing order.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    labels: &[String],
    matrix: &[f64],
    order: &[usize],
) -> Result<(), PlotError> {
    let n = order.len();
    let block = n.div_ceil(MAX_CELLS).max(1);
    let cells = n.div_ceil(block);
    let cell = f64::from(SIDE) / cells.max(1) as f64;
    let label_width = if n <= MAX_LABELS { LABEL_WIDTH } else { 0 };
    let (left, top) = ((MARGIN + label_width) as i32, (MARGIN + 40) as i32);
    let title_text = layout::fit(title, TITLE_PX, SIDE + label_width)?;
    root.draw(&Text::new(
        title_text,
        (MARGIN as i32, MARGIN as i32),
        (FONT, TITLE_PX).into_font().color(&INK),
    ))
    .map_err(layout::draw_error)?;
    for a in 0..cells {
        for b in 0..cells {
            let rows = &order[a * block..((a + 1) * block).min(n)];
            let cols = &order[b * block..((b + 1) * block).min(n)];
            let sum: f64 = rows
                .iter()
                .flat_map(|&i| cols.iter().map(move |&j| matrix[i * n + j]))
                .sum();
            let mean = sum / (rows.len() * cols.len()) as f64;
            let x0 = left + (b as f64 * cell).round() as i32;
            let y0 = top + (a as f64 * cell).round() as i32;
            let x1 = left + ((b + 1) as f64 * cell).round() as i32;
            let y1 = top + ((a + 1) as f64 * cell).round() as i32;
            root.draw(&Rectangle::new([(x0, y0), (x1, y1)], colour(mean).filled()))
                .map_err(layout::draw_error)?;
        }
    }
    if label_width > 0 {
        let size = TICK_PX.min(cell as u32).max(6);
        let style = (FONT, size)
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (a, &f) in order.iter().enumerate() {
            let y = top + ((a as f64 + 0.5) * cell).round() as i32;
            let text = layout::fit(&labels[f], size, label_width - 8)?;
            root.draw(&Text::new(text, (left - 6, y), style.clone()))
                .map_err(layout::draw_error)?;
        }
    }
    // Colour key.
    let key_left = left + SIDE as i32 + 24;
    for k in 0..=40 {
        let r = 1.0 - k as f64 / 20.0;
        let y = top + (k as f64 / 41.0 * f64::from(SIDE) * 0.6).round() as i32;
        let h = (f64::from(SIDE) * 0.6 / 41.0).ceil() as i32;
        root.draw(&Rectangle::new(
            [(key_left, y), (key_left + 18, y + h)],
            colour(r).filled(),
        ))
        .map_err(layout::draw_error)?;
    }
    let style = (FONT, TICK_PX)
        .into_font()
        .color(&INK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (r, k) in [(1.0, 0.0), (0.0, 20.0), (-1.0, 40.0)] {
        let y = top + ((k + 0.5) / 41.0 * f64::from(SIDE) * 0.6).round() as i32;
        root.draw(&Text::new(
            layout::plain(r),
            (key_left + 24, y),
            style.clone(),
        ))
        .map_err(layout::draw_error)?;
    }
    let mut notes =
        vec!["Features in dendrogram order (complete linkage on 1 \u{2212} |r|).".to_string()];
    if block > 1 {
        notes[0] = format!(
            "{n} features in dendrogram order, drawn as blocks of {block} (mean correlation of each block)."
        );
    }
    layout::notes(root, &notes)
}

#[cfg(test)]
mod tests {
    use super::colour;
    use plotters::style::RGBColor;

    #[test]
    fn diverging_colours() {
        assert_eq!(colour(0.0), RGBColor(255, 255, 255));
        assert_eq!(colour(1.0), RGBColor(0xB2, 0x18, 0x2B));
        assert_eq!(colour(-1.0), RGBColor(0x21, 0x66, 0xAC));
    }
}
