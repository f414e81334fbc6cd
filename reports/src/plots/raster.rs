//! The PNG drawing backend: an RGB canvas drawn at `factor` times the image size and averaged
//! down, so that lines, markers and text come out anti-aliased; text is drawn here from the
//! embedded font with each glyph's own side bearing (plotters' ab_glyph text drawing places glyphs
//! without it, which makes letters collide).
//!
//! Axis-parallel lines and rectangles are filled on whole output pixels so that grid lines and axes
//! stay sharp; everything else goes through plotters' rasterizer on the large canvas.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use plotters_backend::rasterizer;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use super::{FONT_BYTES, PlotError};

/// The embedded font, parsed once.
fn font() -> Result<&'static FontRef<'static>, PlotError> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
        .ok_or_else(|| PlotError::Font("the embedded TrueType data did not parse".into()))
}

/// Supersampling factor for an image of `pixels` output pixels: 3 for ordinary charts, less for
/// very tall forest charts to bound memory.
pub(super) fn factor(pixels: u64) -> u32 {
    match pixels {
        0..=2_000_000 => 3,
        2_000_001..=8_000_000 => 2,
        _ => 1,
    }
}

/// The large RGB buffer; blends pixels, and plotters' default rasterizer draws shapes on it.
pub(super) struct Canvas {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
    /// Output image size.
    size: (u32, u32),
    factor: u32,
}

impl Canvas {
    /// A white image of `size` pixels drawn at `factor` × `factor` samples per pixel.
    pub(super) fn new(size: (u32, u32), factor: u32) -> Self {
        let (width, height) = (size.0 * factor, size.1 * factor);
        Self {
            width,
            height,
            rgb: vec![255; width as usize * height as usize * 3],
            size,
            factor,
        }
    }

    /// The finished image as RGB bytes, each pixel the rounded average of its samples.
    pub(super) fn into_rgb(self) -> Vec<u8> {
        let (w, h) = (self.size.0 as usize, self.size.1 as usize);
        let f = self.factor as usize;
        if f == 1 {
            return self.rgb;
        }
        let samples = (f * f) as u32;
        let stride = self.width as usize * 3;
        let mut out = vec![0u8; w * h * 3];
        let mut sums = vec![0u32; w * 3];
        for (y, out_row) in out.chunks_exact_mut(w * 3).enumerate() {
            sums.fill(0);
            for canvas_row in self.rgb[y * f * stride..(y + 1) * f * stride].chunks_exact(stride) {
                for (x, block) in canvas_row.chunks_exact(f * 3).enumerate() {
                    for sample in block.chunks_exact(3) {
                        sums[x * 3] += u32::from(sample[0]);
                        sums[x * 3 + 1] += u32::from(sample[1]);
                        sums[x * 3 + 2] += u32::from(sample[2]);
                    }
                }
            }
            for (o, s) in out_row.iter_mut().zip(&sums) {
                *o = ((s + samples / 2) / samples) as u8;
            }
        }
        out
    }

    fn blend(&mut self, (x, y): BackendCoord, color: BackendColor) {
        if x < 0 || y < 0 || x >= self.width as i32 || y >= self.height as i32 || color.alpha <= 0.0
        {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * 3;
        let (r, g, b) = color.rgb;
        if color.alpha >= 1.0 {
            self.rgb[i..i + 3].copy_from_slice(&[r, g, b]);
            return;
        }
        // Integer blend with alpha in 1/255 steps.
        let a = (color.alpha * 255.0).round() as u32;
        for (k, c) in [r, g, b].into_iter().enumerate() {
            let old = u32::from(self.rgb[i + k]);
            self.rgb[i + k] = ((u32::from(c) * a + old * (255 - a) + 127) / 255) as u8;
        }
    }

    /// Fills the block of canvas pixels [x0, x1) × [y0, y1).
    fn fill_block(&mut self, (x0, y0): BackendCoord, (x1, y1): BackendCoord, color: BackendColor) {
        let (x0, x1) = (x0.max(0), x1.min(self.width as i32));
        let (y0, y1) = (y0.max(0), y1.min(self.height as i32));
        if x0 >= x1 || y0 >= y1 {
            return;
        }
        if color.alpha >= 1.0 {
            let (r, g, b) = color.rgb;
            let row: Vec<u8> = std::iter::repeat_n([r, g, b], (x1 - x0) as usize)
                .flatten()
                .collect();
            let stride = self.width as usize * 3;
            for y in y0..y1 {
                let start = y as usize * stride + x0 as usize * 3;
                self.rgb[start..start + row.len()].copy_from_slice(&row);
            }
            return;
        }
        for y in y0..y1 {
            for x in x0..x1 {
                self.blend((x, y), color);
            }
        }
    }
}

impl DrawingBackend for Canvas {
    type ErrorType = std::convert::Infallible;

    fn get_size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.blend(point, color);
        Ok(())
    }
}

/// A style with the stroke width scaled to the canvas.
struct Scaled {
    color: BackendColor,
    width: u32,
}

impl BackendStyle for Scaled {
    fn color(&self) -> BackendColor {
        self.color
    }
    fn stroke_width(&self) -> u32 {
        self.width
    }
}

/// The backend plotters draws into: image coordinates, drawn `factor` times larger on the canvas.
pub(super) struct Raster<'c> {
    size: (u32, u32),
    factor: i32,
    canvas: &'c mut Canvas,
    font: &'static FontRef<'static>,
}

impl<'c> Raster<'c> {
    /// A backend drawing onto `canvas`.
    pub(super) fn new(canvas: &'c mut Canvas) -> Result<Self, PlotError> {
        Ok(Self {
            size: canvas.size,
            factor: canvas.factor as i32,
            canvas,
            font: font()?,
        })
    }

    /// The canvas point at the centre of image pixel `p`.
    fn centre(&self, (x, y): BackendCoord) -> BackendCoord {
        let f = self.factor;
        (
            x.saturating_mul(f).saturating_add(f / 2),
            y.saturating_mul(f).saturating_add(f / 2),
        )
    }

    fn scaled<S: BackendStyle>(&self, style: &S) -> Scaled {
        Scaled {
            color: style.color(),
            width: style.stroke_width() * self.factor as u32,
        }
    }

    /// Fills image pixels x0..=x1 × y0..=y1 (any order) exactly.
    fn fill_pixels(&mut self, from: BackendCoord, to: BackendCoord, color: BackendColor) {
        let f = self.factor;
        let (x0, x1) = (from.0.min(to.0), from.0.max(to.0));
        let (y0, y1) = (from.1.min(to.1), from.1.max(to.1));
        let start = (x0.saturating_mul(f), y0.saturating_mul(f));
        let end = (
            x1.saturating_add(1).saturating_mul(f),
            y1.saturating_add(1).saturating_mul(f),
        );
        self.canvas.fill_block(start, end, color);
    }
}

impl DrawingBackend for Raster<'_> {
    type ErrorType = std::convert::Infallible;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.fill_pixels(point, point, color);
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let width = style.stroke_width() as i32;
        if style.color().alpha == 0.0 || width == 0 {
            return Ok(());
        }
        // Axis-parallel: whole pixels, `width` of them centred on the line.
        let before = (width - 1) / 2;
        let after = width - 1 - before;
        if from.1 == to.1 {
            self.fill_pixels(
                (from.0, from.1 - before),
                (to.0, to.1 + after),
                style.color(),
            );
            return Ok(());
        }
        if from.0 == to.0 {
            self.fill_pixels(
                (from.0 - before, from.1),
                (to.0 + after, to.1),
                style.color(),
            );
            return Ok(());
        }
        let (a, b) = (self.centre(from), self.centre(to));
        let scaled = self.scaled(style);
        rasterizer::draw_line(&mut *self.canvas, a, b, &scaled)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if fill {
            self.fill_pixels(upper_left, bottom_right, style.color());
            return Ok(());
        }
        let (l, t, r, b) = (upper_left.0, upper_left.1, bottom_right.0, bottom_right.1);
        for (from, to) in [
            ((l, t), (r, t)),
            ((r, t), (r, b)),
            ((l, b), (r, b)),
            ((l, t), (l, b)),
        ] {
            self.draw_line(from, to, style)?;
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let points: Vec<BackendCoord> = path.into_iter().collect();
        let straight = points
            .windows(2)
            .all(|w| w[0].0 == w[1].0 || w[0].1 == w[1].1);
        if style.stroke_width() == 1 || straight {
            for pair in points.windows(2) {
                self.draw_line(pair[0], pair[1], style)?;
            }
            return Ok(());
        }
        let canvas_points: Vec<BackendCoord> = points.iter().map(|&p| self.centre(p)).collect();
        let scaled = self.scaled(style);
        let outline = rasterizer::polygonize(&canvas_points, scaled.width);
        rasterizer::fill_polygon(&mut *self.canvas, &outline, &scaled.color)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let c = self.centre(center);
        let scaled = self.scaled(style);
        rasterizer::draw_circle(
            &mut *self.canvas,
            c,
            radius * self.factor as u32,
            &scaled,
            fill,
        )
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let points: Vec<BackendCoord> = vert.into_iter().map(|p| self.centre(p)).collect();
        rasterizer::fill_polygon(&mut *self.canvas, &points, &style.color())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let f = self.factor;
        // The same scale plotters measures text with (its ab_glyph font: px scale = size).
        let scale = PxScale::from((style.size() * f64::from(f)) as f32);
        let font = self.font.as_scaled(scale);
        let width = advance(&font, text);
        // Pixels per em: the scale spans ascent − descent. Cap height of DejaVu Sans: 1493/2048 em.
        let units = self.font.units_per_em().unwrap_or(2048.0);
        let em = scale.y * units / (self.font.ascent_unscaled() - self.font.descent_unscaled());
        let cap = em * 1493.0 / 2048.0;
        let x0 = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        let baseline = match style.anchor().v_pos {
            VPos::Top => cap,
            VPos::Center => cap / 2.0,
            VPos::Bottom => font.descent(),
        };
        let origin = (pos.0 * f + f / 2, pos.1 * f + f / 2);
        let transform = style.transform();
        let mut pen = x0;
        let mut previous: Option<GlyphId> = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = previous {
                pen += font.kern(p, id);
            }
            previous = Some(id);
            let glyph = id.with_scale_and_position(scale, point(pen, baseline));
            pen += font.h_advance(id);
            let Some(outline) = self.font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let (bx, by) = (bounds.min.x as i32, bounds.min.y as i32);
            let canvas = &mut *self.canvas;
            outline.draw(|gx, gy, coverage| {
                let (dx, dy) = transform.transform(bx + gx as i32, by + gy as i32);
                canvas.blend(
                    (origin.0 + dx, origin.1 + dy),
                    color.mix(f64::from(coverage.min(1.0))),
                );
            });
        }
        Ok(())
    }
}

/// Width of `text` in pixels: advances plus kerning.
fn advance<F: Font, S: ScaleFont<F>>(font: &S, text: &str) -> f32 {
    let mut width = 0.0;
    let mut previous: Option<GlyphId> = None;
    for c in text.chars() {
        let id = font.glyph_id(c);
        if let Some(p) = previous {
            width += font.kern(p, id);
        }
        width += font.h_advance(id);
        previous = Some(id);
    }
    width
}
