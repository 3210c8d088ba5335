//! Throughput over time as SVG (or PNG, with the `png` feature): one line per measurement, the
//! threshold, and the windows at zero marked, so the shape of a link's death is visible at a
//! glance.
//!
//! The default build writes SVG only: plotters' SVG backend writes the text as SVG `<text>`
//! elements, which the viewer renders with its own fonts, so no font is read or rasterised.
//! PNG needs a rasteriser (ab_glyph, Apache-2.0 only, hence off by default) and a TrueType font
//! from `[plot] fonts`; with the `png` feature ab_glyph also lays out the SVG's text, so both
//! formats then need the font.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::report::Report;
use crate::verdict::Outcome;

/// Whether this build can write PNG plots (the `png` cargo feature).
pub const PNG: bool = cfg!(feature = "png");

/// Why a plot could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The file name does not end in `.svg` or `.png`.
    #[error("plot file {0} must end in .svg or .png")]
    Format(PathBuf),
    /// A `.png` was asked of a build without the `png` feature.
    #[error(
        "plot file {0}: this bes2600-smoke was built without PNG support (cargo feature `png`): \
         write an .svg plot, or rebuild with `cargo build -p bes2600-smoke --features png`"
    )]
    PngNotBuilt(PathBuf),
    /// The drawing backend failed (including writing the file).
    #[error("cannot draw plot {path}: {message}")]
    Draw {
        /// The file.
        path: PathBuf,
        /// The backend's message.
        message: String,
    },
}

/// A plot file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// SVG, always available.
    Svg,
    /// PNG, with the `png` feature.
    Png,
}

/// The format of plot file `path` from its extension; an error for an unknown extension and
/// for `.png` in a build without the `png` feature. Checked before a run, so that a plot that
/// cannot be written is an error at once, not after the measurements.
pub fn format(path: &Path) -> Result<Format, PlotError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("svg") => Ok(Format::Svg),
        Some("png") if PNG => Ok(Format::Png),
        Some("png") => Err(PlotError::PngNotBuilt(path.to_owned())),
        _ => Err(PlotError::Format(path.to_owned())),
    }
}

const SIZE: (u32, u32) = (960, 540);
const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(23, 190, 207),
];

/// Registers the first readable font of `fonts` for the plot's text, once per process.
/// Returns whether text can be drawn.
#[cfg(feature = "png")]
fn load_font(fonts: &[PathBuf]) -> bool {
    static LOADED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *LOADED.get_or_init(|| {
        fonts.iter().any(|path| {
            let Ok(bytes) = std::fs::read(path) else {
                return false;
            };
            // The font must live as long as the process: plotters keeps a reference to it.
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok()
        })
    })
}

/// Without the `png` feature only SVG is drawn, whose text needs no font: plotters lays it out
/// with a size estimate and the viewer renders it. `[plot] fonts` is not read.
#[cfg(not(feature = "png"))]
fn load_font(_fonts: &[PathBuf]) -> bool {
    true
}

/// Draws `report` to `path` (`.svg`, or `.png` with the `png` feature). Returns whether the
/// plot carries text: always for the default build's SVG; with the `png` feature, whether a
/// font of `fonts` was found (without one, the lines and marks are still drawn).
pub fn plot(
    report: &Report,
    path: &Path,
    fonts: &[PathBuf],
    threshold: u64,
) -> Result<bool, PlotError> {
    let format = format(path)?;
    let text = load_font(fonts);
    let err = |e: String| PlotError::Draw {
        path: path.to_owned(),
        message: e,
    };
    match format {
        Format::Svg => {
            let root = SVGBackend::new(path, SIZE).into_drawing_area();
            draw(&root, report, threshold, text).map_err(err)?;
            root.present().map_err(|e| err(e.to_string()))?;
        }
        #[cfg(feature = "png")]
        Format::Png => {
            let root = BitMapBackend::new(path, SIZE).into_drawing_area();
            draw(&root, report, threshold, text).map_err(err)?;
            root.present().map_err(|e| err(e.to_string()))?;
        }
        #[cfg(not(feature = "png"))]
        Format::Png => return Err(PlotError::PngNotBuilt(path.to_owned())),
    }
    Ok(text)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    report: &Report,
    threshold: u64,
    text: bool,
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(e)?;
    let windows = report
        .tests
        .iter()
        .map(|t| t.windows.len())
        .max()
        .unwrap_or(0);
    let peak = report
        .tests
        .iter()
        .flat_map(|t| t.windows.iter().copied())
        .max()
        .unwrap_or(0)
        .max(threshold);
    let y_max = (peak as f64 / 1e6 * 1.3).max(0.1);
    let x_max = windows.max(1) as f64;
    let verdict = match report.verdict.result {
        Outcome::Pass => "PASS".to_owned(),
        Outcome::Fail => format!("FAIL ({})", report.verdict.cause_codes().join(", ")),
    };
    let mut builder = ChartBuilder::on(root);
    builder.margin(16);
    if text {
        builder
            .caption(
                format!(
                    "bes2600-smoke {} via {}: {verdict}",
                    report.interface, report.peer
                ),
                ("sans-serif", 20),
            )
            .x_label_area_size(40)
            .y_label_area_size(60);
    }
    let mut chart = builder
        .build_cartesian_2d(0f64..x_max, 0f64..y_max)
        .map_err(e)?;
    if text {
        chart
            .configure_mesh()
            .x_desc("time (s, end of 1-second window)")
            .y_desc("throughput (MB/s)")
            .draw()
            .map_err(e)?;
    } else {
        // plotters' mesh needs a font for its labels: draw a plain grid instead, one line per
        // second and per 0.5 MB/s, so the shape can still be read.
        let grid = BLACK.mix(0.15);
        let seconds = (0..=windows).map(|x| vec![(x as f64, 0.0), (x as f64, y_max)]);
        let steps = (y_max / 0.5) as usize;
        let rates = (0..=steps).map(|i| vec![(0.0, i as f64 * 0.5), (x_max, i as f64 * 0.5)]);
        for line in seconds.chain(rates) {
            chart.draw_series(LineSeries::new(line, grid)).map_err(e)?;
        }
    }

    let th = threshold as f64 / 1e6;
    let limit = chart
        .draw_series(LineSeries::new(
            [(0.0, th), (x_max, th)],
            RED.mix(0.6).stroke_width(2),
        ))
        .map_err(e)?;
    if text {
        limit
            .label(format!("threshold {th:.2} MB/s"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RED.mix(0.6)));
    }
    for (i, t) in report.tests.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let points: Vec<(f64, f64)> = t
            .windows
            .iter()
            .enumerate()
            .map(|(w, &b)| ((w + 1) as f64, b as f64 / 1e6))
            .collect();
        let series = chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
            .map_err(e)?;
        if text {
            let label = match &t.stats {
                Some(s) => format!(
                    "{} (median {:.2} MB/s)",
                    t.name,
                    s.median_bytes_per_s as f64 / 1e6
                ),
                None => t.name.clone(),
            };
            series
                .label(label)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color));
        }
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))
            .map_err(e)?;
        // Windows at zero are what kills a boot: mark them large and red.
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|p| p.1 == 0.0)
                    .map(|&p| Cross::new(p, 8, RED.stroke_width(3))),
            )
            .map_err(e)?;
    }
    if text {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()
            .map_err(e)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::TestOutcome;
    use crate::verdict::Verdict;

    fn report() -> Report {
        Report {
            tool: "bes2600-smoke".into(),
            version: "0".into(),
            started_unix_s: 0,
            interface: "wlan0".into(),
            peer: "sim".into(),
            network: None,
            firmware_version: None,
            link: None,
            checks: Vec::new(),
            tests: vec![TestOutcome {
                name: "sim-rx".into(),
                windows: vec![3_000_000, 0, 2_500_000],
                ..Default::default()
            }],
            driver: None,
            associated_at_end: None,
            thresholds: crate::config::Thresholds::default(),
            verdict: Verdict {
                result: Outcome::Fail,
                causes: Vec::new(),
            },
        }
    }

    /// Only this test touches fonts in this process (they are registered once per process):
    /// with no font, both formats are still drawn, without text.
    #[cfg(feature = "png")]
    #[test]
    fn without_a_font_the_plot_is_drawn_without_text() {
        let dir = tempfile::tempdir().unwrap();
        let none = [dir.path().join("missing.ttf")];
        let png = dir.path().join("p.png");
        assert!(!plot(&report(), &png, &none, 2_000_000).unwrap());
        let bytes = std::fs::read(&png).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"));
        let svg = dir.path().join("p.svg");
        assert!(!plot(&report(), &svg, &none, 2_000_000).unwrap());
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(!text.contains("<text"), "no text without a font");
        assert!(
            text.matches("<polyline").count() > 10,
            "grid, threshold and series"
        );
        let bad = dir.path().join("p.jpg");
        assert!(matches!(
            plot(&report(), &bad, &none, 1),
            Err(PlotError::Format(_))
        ));
    }

    /// The default build's SVG carries its caption, axis descriptions, tick labels and legend
    /// as SVG text without any font file.
    #[cfg(not(feature = "png"))]
    #[test]
    fn svg_has_its_labels_without_a_font() {
        let dir = tempfile::tempdir().unwrap();
        let none = [dir.path().join("missing.ttf")];
        let svg = dir.path().join("p.svg");
        assert!(plot(&report(), &svg, &none, 2_000_000).unwrap());
        let text = std::fs::read_to_string(&svg).unwrap();
        for label in [
            "bes2600-smoke wlan0 via sim: FAIL",
            "time (s, end of 1-second window)",
            "throughput (MB/s)",
            "threshold 2.00 MB/s",
            "sim-rx",
            "\n0.5\n",
        ] {
            assert!(text.contains(label), "SVG lacks {label:?}:\n{text}");
        }
        assert!(text.matches("<text").count() > 10, "labels as SVG text");
        assert!(text.contains("<polyline"), "series drawn");
    }

    /// A .png without the `png` feature is an error naming the feature, never a panic.
    #[cfg(not(feature = "png"))]
    #[test]
    fn png_without_the_feature_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("p.png");
        let e = plot(&report(), &png, &[], 1).unwrap_err();
        assert!(matches!(e, PlotError::PngNotBuilt(_)), "{e}");
        assert!(e.to_string().contains("--features png"), "{e}");
        assert!(!png.exists(), "nothing written");
        assert!(matches!(format(&png), Err(PlotError::PngNotBuilt(_))));
        assert!(matches!(
            format(Path::new("p.jpg")),
            Err(PlotError::Format(_))
        ));
        assert_eq!(format(Path::new("P.SVG")).unwrap(), Format::Svg);
    }
}
