//! Charts of radcheck's stability, agreement and model-validation results, as SVG or PNG.
//!
//! A [`Chart`] holds plain numbers (this module knows nothing about the statistics code that made
//! them); [`svg()`] draws it to an SVG document, [`png()`] to encoded PNG bytes and [`write()`] to
//! a file chosen by its extension. The same chart always gives the same bytes: no timestamps, no
//! system fonts. PNGs are drawn at 3x (2x, 1x for very tall charts) and averaged down, so lines and
//! text are anti-aliased. PNG text is drawn with a subset of DejaVu Sans embedded in the crate
//! (`reports/assets/fonts`); SVG text stays `<text font-family="sans-serif">`, measured with that
//! font for the layout.
//!
//! - [`Chart::Forest`]: one row per feature with its estimate and interval (ICC with its CI),
//!   dashed reference lines (Koo-Li bounds, a robustness threshold); the image grows with the rows.
//! - [`Chart::BlandAltman`]: differences against means with the bias and the limits of agreement.
//! - [`Chart::Roc`]: ROC curves with the chance diagonal.
//! - [`Chart::Calibration`]: grouped observed against predicted risk, a smoothed curve and the
//!   ideal line.
//! - [`Chart::DecisionCurve`]: net benefit against the threshold probability.
//! - [`Chart::Scatter`]: groups of points (principal-component scores coloured by batch).
//! - [`Chart::Strip`]: values per group with the group means (a feature's values per batch).
//! - [`Chart::HeatMap`]: a correlation matrix in dendrogram order.
//!
//! Values that are not finite (the NaN ICC of an undefined feature) are skipped and counted in a
//! note under the chart; a chart with nothing left to draw is drawn empty with a note saying so.
//! Malformed input (series of different lengths, values beyond ±1e100, a chart too large for a
//! PNG) is a [`PlotError`].
//!
//! ```
//! use radcheck_reports::plots::{self, Chart, IntervalRow};
//! let chart = Chart::Forest {
//!     title: "Test-retest ICC(3,1)".into(),
//!     x_label: "ICC".into(),
//!     rows: vec![
//!         IntervalRow { label: "morph_volume".into(), estimate: 0.97, low: 0.94, high: 0.99 },
//!         IntervalRow { label: "cm_contrast".into(), estimate: 0.62, low: 0.41, high: 0.78 },
//!     ],
//!     reference_lines: vec![0.5, 0.75, 0.9],
//! };
//! let svg = plots::svg(&chart).unwrap();
//! assert!(svg.contains("morph_volume"));
//! let png = plots::png(&chart).unwrap();
//! assert_eq!(&png[1..4], b"PNG");
//! ```

mod bland_altman;
mod calibration;
mod decision_curve;
mod forest;
mod heatmap;
mod layout;
mod raster;
mod roc;
mod scatter;
mod strip;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

/// One row of a forest chart: an estimate with its interval.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalRow {
    /// Row label, e.g. the feature name; long labels are shortened in the middle with "…".
    pub label: String,
    /// Point estimate (a row whose estimate is not finite is skipped).
    pub estimate: f64,
    /// Lower end of the interval (not finite: only the estimate is drawn).
    pub low: f64,
    /// Upper end of the interval (not finite: only the estimate is drawn).
    pub high: f64,
}

/// A named line, e.g. one ROC curve or one decision-curve series.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Legend label.
    pub label: String,
    /// Points in drawing order, (x, y); a point with a non-finite coordinate breaks the line.
    pub points: Vec<(f64, f64)>,
}

/// A labelled set of points (one batch's principal-component scores).
#[derive(Debug, Clone, PartialEq)]
pub struct PointGroup {
    /// Legend label.
    pub label: String,
    /// Points (x, y); non-finite points are skipped.
    pub points: Vec<(f64, f64)>,
}

/// A labelled set of values (one batch's values of a feature).
#[derive(Debug, Clone, PartialEq)]
pub struct ValueGroup {
    /// Group label, written under its column.
    pub label: String,
    /// Values; non-finite values are skipped.
    pub values: Vec<f64>,
}

/// A chart and its data. Construct a variant and pass it to [`svg()`], [`png()`] or [`write()`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Chart {
    /// Estimates with intervals, one row per item, in the given order from the top. The x axis runs
    /// from min(0, lowest value) to max(1, highest value), so ICC, CCC and thresholds on 0..1 share
    /// one scale. The plot is 520 px wide beside a label column of up to 420 px; the image grows by
    /// 20 px per row.
    Forest {
        /// Chart title.
        title: String,
        /// Label of the x axis, e.g. "ICC(3,1) with 95% CI".
        x_label: String,
        /// The rows, top to bottom.
        rows: Vec<IntervalRow>,
        /// x positions of dashed vertical reference lines (e.g. 0.5, 0.75, 0.9 for the Koo-Li
        /// grades, or a robustness threshold).
        reference_lines: Vec<f64>,
    },
    /// Bland-Altman chart: the difference of two measurements against their mean, with the mean
    /// difference (bias) and the 95% limits of agreement as horizontal lines. 800 x 600 px.
    BlandAltman {
        /// Chart title.
        title: String,
        /// Mean of the two measurements, one per subject.
        means: Vec<f64>,
        /// Difference of the two measurements (first minus second), same order as `means`.
        differences: Vec<f64>,
        /// Mean difference.
        bias: f64,
        /// Lower limit of agreement (bias − 1.96 SD).
        loa_low: f64,
        /// Upper limit of agreement (bias + 1.96 SD).
        loa_high: f64,
    },
    /// ROC curves, points as (false positive rate, true positive rate), with the chance diagonal;
    /// both axes 0..1. 680 x 677 px.
    Roc {
        /// Chart title.
        title: String,
        /// One curve per score; put the AUC in the label if wanted.
        curves: Vec<Curve>,
    },
    /// Calibration chart: observed event rate against predicted risk per group, a smoothed curve
    /// and the ideal diagonal; both axes 0..1. 680 x 677 px.
    Calibration {
        /// Chart title.
        title: String,
        /// Groups as (mean predicted risk, observed event rate, number of subjects); the marker
        /// area grows with the number. Groups with n = 0 are skipped.
        bins: Vec<(f64, f64, usize)>,
        /// Smoothed calibration curve as (predicted, observed), drawn as a line (may be empty).
        smooth: Vec<(f64, f64)>,
    },
    /// Decision curve: net benefit (y) against threshold probability (x), typically the model,
    /// "treat all" and "treat none". The y axis is cut at −0.5 × the highest net benefit so that
    /// the steep fall of "treat all" does not flatten the rest; lines are clipped there. 800 x 600 px.
    DecisionCurve {
        /// Chart title.
        title: String,
        /// The series, drawn in order with the palette's colours.
        series: Vec<Curve>,
    },
    /// Scatter chart of groups of points in the palette's colours, with a legend (principal
    /// component scores coloured by batch). 800 x 640 px.
    Scatter {
        /// Chart title.
        title: String,
        /// Label of the x axis.
        x_label: String,
        /// Label of the y axis.
        y_label: String,
        /// The groups.
        groups: Vec<PointGroup>,
    },
    /// Strip chart: each group's values as dots side by side with the group mean as a bar (a
    /// feature's distribution per batch). 800 x 560 px.
    Strip {
        /// Chart title.
        title: String,
        /// Label of the value axis.
        y_label: String,
        /// The groups, left to right.
        groups: Vec<ValueGroup>,
    },
    /// Heat map of a correlation matrix in a given order (e.g. a dendrogram's leaves), with a
    /// colour key from -1 to 1; rows labelled up to 60 features, more than 200 drawn as blocks.
    HeatMap {
        /// Chart title.
        title: String,
        /// Feature names in table order.
        labels: Vec<String>,
        /// Row-major `n x n` correlations in table order.
        matrix: Vec<f64>,
        /// The drawing order: a permutation of `0..n`.
        order: Vec<usize>,
    },
}

/// What went wrong while drawing or writing a chart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// Two series that must pair up have different lengths.
    #[error("{what}: {left} values against {right}; give one value of each per subject")]
    LengthMismatch {
        /// Which series.
        what: &'static str,
        /// Length of the first.
        left: usize,
        /// Length of the second.
        right: usize,
    },
    /// Values too large to draw on one axis.
    #[error(
        "{what}: values from {low:e} to {high:e} are too large to draw (limit ±1e100); rescale them"
    )]
    OutOfRange {
        /// Which axis or series.
        what: &'static str,
        /// Lowest value.
        low: f64,
        /// Highest value.
        high: f64,
    },
    /// The PNG would need too much memory.
    #[error(
        "a {width} x {height} px PNG is above the limit of {max_pixels} pixels; write SVG instead or split the chart"
    )]
    TooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Largest number of pixels drawn into a PNG.
        max_pixels: u64,
    },
    /// The embedded font could not be loaded or used (a bug in this crate).
    #[error("bundled font: {0}")]
    Font(String),
    /// plotters failed to draw (a bug in this crate).
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    /// PNG encoding failed.
    #[error("encoding the PNG failed")]
    EncodePng(#[source] png::EncodingError),
    /// The output path has no `.svg` or `.png` extension.
    #[error("{path}: unknown chart format; name the file *.svg or *.png")]
    UnknownFormat {
        /// The path given.
        path: PathBuf,
    },
    /// Writing the file failed.
    #[error("writing chart {path}")]
    Write {
        /// The file that could not be written.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Largest PNG drawn, in pixels (about 120 MB of RGB buffer): a forest chart of ~2 000 rows.
pub const MAX_PNG_PIXELS: u64 = 40_000_000;

/// The font embedded for PNG text (see `reports/assets/fonts/README.md`).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-subset.ttf");

/// Registers the embedded font as plotters' "sans-serif" once per process.
fn register_font() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(layout::FONT, FontStyle::Normal, FONT_BYTES).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(PlotError::Font(
            "the embedded TrueType data did not parse".into(),
        ))
    }
}

/// Draws the chart as an SVG document.
pub fn svg(chart: &Chart) -> Result<String, PlotError> {
    register_font()?;
    let plan = plan(chart)?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, plan.size).into_drawing_area();
        render(chart, &plan, &root)?;
        root.present().map_err(layout::draw_error)?;
    }
    Ok(out)
}

/// Draws the chart as a PNG (8-bit RGB) and returns the encoded file.
pub fn png(chart: &Chart) -> Result<Vec<u8>, PlotError> {
    register_font()?;
    let plan = plan(chart)?;
    let (width, height) = plan.size;
    if u64::from(width) * u64::from(height) > MAX_PNG_PIXELS {
        return Err(PlotError::TooLarge {
            width,
            height,
            max_pixels: MAX_PNG_PIXELS,
        });
    }
    let mut canvas = raster::Canvas::new(
        plan.size,
        raster::factor(u64::from(width) * u64::from(height)),
    );
    {
        let root = raster::Raster::new(&mut canvas)?.into_drawing_area();
        render(chart, &plan, &root)?;
        root.present().map_err(layout::draw_error)?;
    }
    let pixels = canvas.into_rgb();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // The "up" filter: files ~5% larger than adaptive filtering, encoding 4x faster.
    encoder.set_filter(png::Filter::Up);
    let mut writer = encoder.write_header().map_err(PlotError::EncodePng)?;
    writer
        .write_image_data(&pixels)
        .map_err(PlotError::EncodePng)?;
    writer.finish().map_err(PlotError::EncodePng)?;
    Ok(out)
}

/// Draws the chart to `path`, as SVG or PNG by the extension (`.svg` or `.png`, any case).
pub fn write(chart: &Chart, path: &Path) -> Result<(), PlotError> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = match extension.as_deref() {
        Some("svg") => svg(chart)?.into_bytes(),
        Some("png") => png(chart)?,
        _ => {
            return Err(PlotError::UnknownFormat {
                path: path.to_path_buf(),
            });
        }
    };
    std::fs::write(path, bytes).map_err(|source| PlotError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Image size and chart-specific layout, worked out before a backend exists.
pub(crate) struct Plan {
    size: (u32, u32),
    forest: Option<forest::Layout>,
}

fn plan(chart: &Chart) -> Result<Plan, PlotError> {
    Ok(match chart {
        Chart::Forest {
            rows,
            reference_lines,
            ..
        } => {
            let layout = forest::plan(rows, reference_lines)?;
            Plan {
                size: layout.size,
                forest: Some(layout),
            }
        }
        Chart::BlandAltman {
            means, differences, ..
        } => {
            if means.len() != differences.len() {
                return Err(PlotError::LengthMismatch {
                    what: "Bland-Altman means and differences",
                    left: means.len(),
                    right: differences.len(),
                });
            }
            Plan {
                size: (800, 600),
                forest: None,
            }
        }
        // 561 x 561 px of plot.
        Chart::Roc { .. } | Chart::Calibration { .. } => Plan {
            size: (680, 677),
            forest: None,
        },
        Chart::DecisionCurve { .. } => Plan {
            size: (800, 600),
            forest: None,
        },
        Chart::Scatter { .. } => Plan {
            size: (800, 640),
            forest: None,
        },
        Chart::Strip { .. } => Plan {
            size: (800, 560),
            forest: None,
        },
        Chart::HeatMap {
            labels,
            matrix,
            order,
            ..
        } => {
            let n = labels.len();
            if matrix.len() != n * n || order.len() != n {
                return Err(PlotError::LengthMismatch {
                    what: "heat map matrix and labels",
                    left: matrix.len(),
                    right: n * n,
                });
            }
            Plan {
                size: heatmap::size(n),
                forest: None,
            }
        }
    })
}

fn render<DB: DrawingBackend>(
    chart: &Chart,
    plan: &Plan,
    root: &DrawingArea<DB, Shift>,
) -> Result<(), PlotError> {
    root.fill(&WHITE).map_err(layout::draw_error)?;
    match chart {
        Chart::Forest {
            title,
            x_label,
            reference_lines,
            ..
        } => {
            let layout = plan
                .forest
                .as_ref()
                .expect("plan() lays out every forest chart");
            forest::draw(root, title, x_label, layout, reference_lines)
        }
        Chart::BlandAltman {
            title,
            means,
            differences,
            bias,
            loa_low,
            loa_high,
        } => bland_altman::draw(
            root,
            title,
            means,
            differences,
            [*bias, *loa_low, *loa_high],
        ),
        Chart::Roc { title, curves } => roc::draw(root, title, curves),
        Chart::Calibration {
            title,
            bins,
            smooth,
        } => calibration::draw(root, title, bins, smooth),
        Chart::DecisionCurve { title, series } => decision_curve::draw(root, title, series),
        Chart::Scatter {
            title,
            x_label,
            y_label,
            groups,
        } => scatter::draw(root, title, (x_label, y_label), groups),
        Chart::Strip {
            title,
            y_label,
            groups,
        } => strip::draw(root, title, y_label, groups),
        Chart::HeatMap {
            title,
            labels,
            matrix,
            order,
        } => heatmap::draw(root, title, labels, matrix, order),
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Helpers shared by the chart tests: SVG scraping and PNG decoding.

    /// Decodes a PNG into (width, height, RGB bytes).
    pub fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("a valid PNG header");
        let mut buf = vec![0; reader.output_buffer_size().expect("a sane PNG size")];
        let info = reader.next_frame(&mut buf).expect("PNG image data");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        buf.truncate(info.buffer_size());
        (info.width, info.height, buf)
    }

    /// Number of distinct colours in an RGB buffer (a blank image has 1).
    pub fn distinct_colours(rgb: &[u8]) -> usize {
        let mut colours: Vec<[u8; 3]> = rgb.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
        colours.sort_unstable();
        colours.dedup();
        colours.len()
    }

    /// Fraction of pixels that are not white.
    pub fn ink_fraction(rgb: &[u8]) -> f64 {
        let pixels = rgb.len() / 3;
        let inked = rgb
            .chunks_exact(3)
            .filter(|c| c != &[255, 255, 255])
            .count();
        inked as f64 / pixels as f64
    }

    /// The text content of every `<text>` element, unescaped and trimmed.
    pub fn svg_texts(svg: &str) -> Vec<String> {
        let mut texts = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find("<text") {
            rest = &rest[start..];
            let open_end = rest.find('>').expect("a closed <text> tag") + 1;
            let close = rest.find("</text>").expect("a </text>");
            let raw = rest[open_end..close].trim();
            texts.push(
                raw.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&"),
            );
            rest = &rest[close + 7..];
        }
        texts
    }

    /// Every `<polyline>` as (stroke colour, points).
    pub fn svg_polylines(svg: &str) -> Vec<(String, Vec<(i32, i32)>)> {
        svg.lines()
            .filter(|l| l.starts_with("<polyline"))
            .map(|l| {
                let stroke = attribute(l, "stroke").to_string();
                let points = attribute(l, "points")
                    .split_whitespace()
                    .map(|p| {
                        let (x, y) = p.split_once(',').expect("x,y");
                        (x.parse().expect("integer x"), y.parse().expect("integer y"))
                    })
                    .collect();
                (stroke, points)
            })
            .collect()
    }

    /// Every `<circle>` as (cx, cy, r, fill).
    pub fn svg_circles(svg: &str) -> Vec<(i32, i32, u32, String)> {
        svg.lines()
            .filter(|l| l.starts_with("<circle"))
            .map(|l| {
                (
                    attribute(l, "cx").parse().expect("cx"),
                    attribute(l, "cy").parse().expect("cy"),
                    attribute(l, "r").parse().expect("r"),
                    attribute(l, "fill").to_string(),
                )
            })
            .collect()
    }

    /// The value of `name="..."` in one SVG element line.
    pub fn attribute<'a>(line: &'a str, name: &str) -> &'a str {
        let key = format!(" {name}=\"");
        let start = line
            .find(&key)
            .unwrap_or_else(|| panic!("no {name} in {line}"))
            + key.len();
        let len = line[start..].find('"').expect("closing quote");
        &line[start..start + len]
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
    use super::*;

    fn examples() -> Vec<Chart> {
        vec![
            Chart::Forest {
                title: "ICC".into(),
                x_label: "ICC(3,1)".into(),
                rows: vec![IntervalRow {
                    label: "a".into(),
                    estimate: 0.8,
                    low: 0.7,
                    high: 0.9,
                }],
                reference_lines: vec![0.5, 0.75, 0.9],
            },
            Chart::BlandAltman {
                title: "BA".into(),
                means: vec![1.0, 2.0, 3.0],
                differences: vec![0.1, -0.1, 0.2],
                bias: 0.0667,
                loa_low: -0.23,
                loa_high: 0.36,
            },
            Chart::Roc {
                title: "ROC".into(),
                curves: vec![Curve {
                    label: "m".into(),
                    points: vec![(0.0, 0.0), (0.2, 0.7), (1.0, 1.0)],
                }],
            },
            Chart::Calibration {
                title: "Cal".into(),
                bins: vec![(0.1, 0.12, 30), (0.5, 0.45, 20)],
                smooth: vec![(0.0, 0.02), (0.5, 0.48), (1.0, 0.95)],
            },
            Chart::DecisionCurve {
                title: "DCA".into(),
                series: vec![Curve {
                    label: "model".into(),
                    points: vec![(0.1, 0.2), (0.5, 0.05)],
                }],
            },
        ]
    }

    #[test]
    fn every_kind_is_byte_identical_twice() {
        for chart in examples() {
            assert_eq!(svg(&chart).unwrap(), svg(&chart).unwrap(), "{chart:?}");
            assert_eq!(png(&chart).unwrap(), png(&chart).unwrap(), "{chart:?}");
        }
    }

    #[test]
    fn png_has_the_planned_size_and_is_not_blank() {
        let expected = [
            (0, (0, 0)),
            (1, (800, 600)),
            (2, (680, 677)),
            (3, (680, 677)),
            (4, (800, 600)),
        ];
        let charts = examples();
        for (i, size) in expected {
            let (w, h, rgb) = decode_png(&png(&charts[i]).unwrap());
            if i == 0 {
                // Forest: size from the rows and labels (checked in forest.rs).
                assert!(w > 600 && h > 150, "{w} x {h}");
            } else {
                assert_eq!((w, h), size, "{:?}", charts[i]);
            }
            assert!(
                distinct_colours(&rgb) > 20,
                "anti-aliased text and colours expected"
            );
            let ink = ink_fraction(&rgb);
            assert!(ink > 0.01 && ink < 0.5, "ink fraction {ink}");
        }
    }

    #[test]
    fn svg_contains_the_title_as_text() {
        for chart in examples() {
            let texts = svg_texts(&svg(&chart).unwrap());
            let title = match &chart {
                Chart::Forest { title, .. }
                | Chart::BlandAltman { title, .. }
                | Chart::Roc { title, .. }
                | Chart::Calibration { title, .. }
                | Chart::DecisionCurve { title, .. }
                | Chart::Scatter { title, .. }
                | Chart::Strip { title, .. }
                | Chart::HeatMap { title, .. } => title,
            };
            assert!(texts.contains(title), "{title} not in {texts:?}");
        }
    }

    #[test]
    fn write_picks_the_format_by_extension() {
        let dir = std::env::temp_dir().join(format!("radcheck-plots-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let chart = &examples()[2];
        write(chart, &dir.join("roc.SVG")).unwrap();
        write(chart, &dir.join("roc.png")).unwrap();
        let svg_bytes = std::fs::read(dir.join("roc.SVG")).unwrap();
        assert!(svg_bytes.starts_with(b"<svg"));
        assert_eq!(
            std::fs::read(dir.join("roc.png")).unwrap(),
            png(chart).unwrap()
        );
        let err = write(chart, &dir.join("roc.jpg")).unwrap_err();
        assert!(matches!(err, PlotError::UnknownFormat { .. }));
        assert!(err.to_string().contains("*.svg or *.png"), "{err}");
        let err = write(chart, &dir.join("missing").join("roc.svg")).unwrap_err();
        assert!(matches!(err, PlotError::Write { .. }), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bland_altman_lengths_must_match() {
        let chart = Chart::BlandAltman {
            title: "x".into(),
            means: vec![1.0, 2.0],
            differences: vec![0.1],
            bias: 0.0,
            loa_low: -1.0,
            loa_high: 1.0,
        };
        let err = svg(&chart).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Bland-Altman means and differences: 2 values against 1; give one value of each per subject"
        );
        assert!(png(&chart).is_err());
    }

    #[test]
    fn text_outside_the_font_subset_draws_missing_glyph_boxes() {
        let roc = |title: &str| Chart::Roc {
            title: title.into(),
            curves: vec![Curve {
                label: "模型".into(),
                points: vec![(0.0, 0.0), (1.0, 1.0)],
            }],
        };
        assert!(svg(&roc("ROC 日本語")).unwrap().contains("ROC 日本語"));
        let (w, h, with_boxes) = decode_png(&png(&roc("ROC 日本語")).unwrap());
        assert_eq!((w, h), (680, 677));
        let (_, _, without) = decode_png(&png(&roc("ROC")).unwrap());
        assert!(ink_fraction(&with_boxes) > ink_fraction(&without));
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Any f64: NaN, ±inf, subnormal, ±1e308 and ordinary values.
        fn value() -> impl Strategy<Value = f64> {
            prop_oneof![
                prop::num::f64::ANY,
                -2.0..2.0f64,
                Just(f64::NAN),
                Just(1e308),
                Just(-1e308),
                Just(5e-324)
            ]
        }

        fn pairs() -> impl Strategy<Value = Vec<(f64, f64)>> {
            prop::collection::vec((value(), value()), 0..12)
        }

        fn check(chart: &Chart) -> Result<(), TestCaseError> {
            match svg(chart) {
                Ok(svg) => {
                    prop_assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
                }
                Err(e) => prop_assert!(matches!(e, PlotError::OutOfRange { .. }), "{e}"),
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            /// Whatever the numbers, drawing gives a chart or a clear range error: no panic, no
            /// hang, no NaN coordinates.
            #[test]
            fn any_numbers_draw_or_fail_cleanly(
                points in pairs(),
                lines in (value(), value(), value()),
                bins in prop::collection::vec((value(), value(), 0usize..50), 0..8),
            ) {
                let (means, differences): (Vec<f64>, Vec<f64>) = points.iter().copied().unzip();
                let rows = points
                    .iter()
                    .map(|&(a, b)| {
                        IntervalRow { label: "f".into(), estimate: a, low: b, high: lines.0 }
                    })
                    .collect();
                let curve = Curve { label: "c".into(), points: points.clone() };
                let charts = [
                    Chart::BlandAltman {
                        title: "t".into(), means, differences,
                        bias: lines.0, loa_low: lines.1, loa_high: lines.2,
                    },
                    Chart::Forest {
                        title: "t".into(),
                        x_label: "x".into(),
                        rows,
                        reference_lines: vec![lines.1],
                    },
                    Chart::Roc { title: "t".into(), curves: vec![curve.clone()] },
                    Chart::Calibration { title: "t".into(), bins, smooth: points.clone() },
                    Chart::DecisionCurve { title: "t".into(), series: vec![curve] },
                ];
                for chart in &charts {
                    check(chart)?;
                }
            }
        }
    }
}
