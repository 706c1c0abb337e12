//! Charts for genlab runs, drawn with [plotters](https://docs.rs/plotters): loss curves
//! ([`line_chart`]), spectrograms ([`spectrogram`], [`spectrogram_png`]), forecasts with
//! interval bands ([`forecast_png`]) and series coloured by hidden state ([`states`]). No burn.
//!
//! Text is drawn with ab_glyph from DejaVu Sans Mono, compiled in (`assets/`, Bitstream Vera
//! licence in `assets/DejaVu-LICENSE.txt`), so charts look the same on every machine and no
//! system font library is needed. PNGs are drawn into an RGB buffer and encoded by `image`.

use std::path::Path;
use std::sync::Once;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::FontStyle;

mod forecast;
mod spectrogram;
pub mod states;

pub use forecast::{Band, forecast_png};
pub use spectrogram::{Spectrogram, SpectrogramConfig, spectrogram};

/// What can go wrong drawing a chart.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// plotters could not draw.
    #[error("drawing {path}: {message}")]
    Draw {
        /// The chart being drawn.
        path: String,
        /// plotters' message.
        message: String,
    },
    /// The chart could not be written.
    #[error("writing {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The cause.
        source: image::ImageError,
    },
    /// The input cannot be drawn (no samples, a zero rate).
    #[error("{0}")]
    Input(String),
}

static FONT: &[u8] = include_bytes!("../assets/DejaVuSansMono.ttf");

/// The family name charts use; registered on first use.
const FAMILY: &str = "sans-serif";

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        plotters::style::register_font(FAMILY, FontStyle::Normal, FONT)
            .unwrap_or_else(|_| unreachable!("the compiled-in font parses"));
    });
}

fn draw_err(path: &Path, e: impl std::fmt::Display) -> PlotError {
    PlotError::Draw { path: path.display().to_string(), message: e.to_string() }
}

/// Colours of successive series (matplotlib's first four).
const COLOURS: [RGBColor; 4] =
    [RGBColor(31, 119, 180), RGBColor(214, 39, 40), RGBColor(44, 160, 44), RGBColor(255, 127, 14)];

/// A named line of `(x, y)` points.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    /// The legend entry.
    pub label: &'a str,
    /// The points, in x order. Non-finite ones are skipped.
    pub points: &'a [(f64, f64)],
}

/// Draws `series` as a line chart with labelled axes and a legend, as SVG (`.svg`) or PNG
/// (any other extension).
pub fn line_chart(
    path: &Path,
    x_label: &str,
    y_label: &str,
    series: &[Series<'_>],
) -> Result<(), PlotError> {
    register_font();
    let (w, h) = (720u32, 400u32);
    if path.extension().is_some_and(|e| e == "svg") {
        let backend = SVGBackend::new(path, (w, h));
        draw_lines(backend.into_drawing_area(), path, x_label, y_label, series)
    } else {
        let mut buffer = vec![0u8; (w * h * 3) as usize];
        {
            let backend = BitMapBackend::with_buffer(&mut buffer, (w, h));
            draw_lines(backend.into_drawing_area(), path, x_label, y_label, series)?;
        }
        save_rgb(path, w, h, buffer)
    }
}

fn draw_lines<DB: DrawingBackend>(
    area: DrawingArea<DB, plotters::coord::Shift>,
    path: &Path,
    x_label: &str,
    y_label: &str,
    series: &[Series<'_>],
) -> Result<(), PlotError> {
    let finite = |s: &Series<'_>| -> Vec<(f64, f64)> {
        s.points.iter().copied().filter(|(x, y)| x.is_finite() && y.is_finite()).collect()
    };
    let lines: Vec<Vec<(f64, f64)>> = series.iter().map(finite).collect();
    let all = lines.iter().flatten();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in all {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    let pad = ((y1 - y0) * 0.05).max(1e-9);
    let (x1, y0, y1) = (x1.max(x0 + 1e-9), y0 - pad, y1 + pad);
    area.fill(&WHITE).map_err(|e| draw_err(path, e))?;
    let mut chart = ChartBuilder::on(&area)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(|e| draw_err(path, e))?;
    draw_axes(&mut chart, path, x_label, y_label)?;
    for (i, (s, points)) in series.iter().zip(lines).enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))
            .map_err(|e| draw_err(path, e))?
            .label(s.label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], colour));
    }
    draw_legend(&mut chart, path, SeriesLabelPosition::MiddleRight)?;
    area.present().map_err(|e| draw_err(path, e))
}

/// The chart type every x-y chart here draws on.
type XyChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Labelled axes with a light grid, in the compiled-in font.
fn draw_axes<'a, DB: DrawingBackend + 'a>(
    chart: &mut XyChart<'a, DB>,
    path: &Path,
    x_label: &str,
    y_label: &str,
) -> Result<(), PlotError> {
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style((FAMILY, 13))
        .draw()
        .map_err(|e| draw_err(path, e))
}

/// The legend of the series drawn so far, in a framed box at `position`.
fn draw_legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut XyChart<'a, DB>,
    path: &Path,
    position: SeriesLabelPosition,
) -> Result<(), PlotError> {
    chart
        .configure_series_labels()
        .position(position)
        .label_font((FAMILY, 13))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| draw_err(path, e))
}

fn save_rgb(path: &Path, w: u32, h: u32, buffer: Vec<u8>) -> Result<(), PlotError> {
    let img = image::RgbImage::from_raw(w, h, buffer)
        .unwrap_or_else(|| unreachable!("the buffer is w * h * 3 bytes"));
    img.save(path).map_err(|source| PlotError::Write { path: path.display().to_string(), source })
}

/// Draws one spectrogram panel per `(title, samples)` of audio at `sample_rate`, side by side
/// on one PNG: time in seconds across, frequency in kHz up, level in dB as colour (viridis,
/// 80 dB below each panel's peak, or below -80 dB, is dark).
pub fn spectrogram_png(
    path: &Path,
    sample_rate: u32,
    panels: &[(&str, &[f32])],
) -> Result<(), PlotError> {
    register_font();
    if sample_rate == 0 {
        return Err(PlotError::Input("a spectrogram needs a sample rate above 0".into()));
    }
    if panels.is_empty() {
        return Err(PlotError::Input("a spectrogram needs at least one clip".into()));
    }
    let (pw, h) = (480u32, 320u32);
    let w = pw * panels.len() as u32;
    let mut buffer = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
        for (area, (title, samples)) in root.split_evenly((1, panels.len())).iter().zip(panels) {
            let spec = spectrogram(samples, sample_rate, &SpectrogramConfig::default())?;
            draw_spectrogram(area, path, title, &spec)?;
        }
        root.present().map_err(|e| draw_err(path, e))?;
    }
    save_rgb(path, w, h, buffer)
}

fn draw_spectrogram<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    path: &Path,
    title: &str,
    spec: &Spectrogram,
) -> Result<(), PlotError> {
    let seconds = spec.seconds().max(1e-6);
    let khz = spec.sample_rate as f64 / 2000.0;
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FAMILY, 15))
        .margin(8)
        .x_label_area_size(34)
        .y_label_area_size(44)
        .build_cartesian_2d(0.0..seconds, 0.0..khz)
        .map_err(|e| draw_err(path, e))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("seconds")
        .y_desc("kHz")
        .label_style((FAMILY, 12))
        .draw()
        .map_err(|e| draw_err(path, e))?;
    // One pixel of the plotting area at a time: nearest frame and bin, no resampling filter.
    let plot = chart.plotting_area().strip_coord_spec();
    let (xr, yr) = plot.get_pixel_range();
    let (pw, ph) = ((xr.end - xr.start).max(1), (yr.end - yr.start).max(1));
    // The top of the scale is the clip's peak, or 0 dB for a quiet clip, so silence is dark.
    let peak = spec.peak_db().max(0.0);
    let floor = peak - 80.0;
    for py in 0..ph {
        let bin = ((ph - 1 - py) as usize * spec.bins) / ph as usize;
        for px in 0..pw {
            let frame = (px as usize * spec.frames) / pw as usize;
            let db = spec.db(frame.min(spec.frames - 1), bin.min(spec.bins - 1));
            let level = ((db - floor) / (peak - floor)).clamp(0.0, 1.0) as f64;
            let colour = ViridisRGB::get_color(level);
            plot.draw_pixel((px, py), &colour).map_err(|e| draw_err(path, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_line_chart_as_svg_and_png() {
        let dir = tempfile::tempdir().unwrap();
        let points: Vec<(f64, f64)> =
            (0..50).map(|i| (i as f64 * 0.1, (50 - i) as f64 * 0.01)).collect();
        let nan = [(0.0, f64::NAN), (1.0, 2.0)];
        let series = [
            Series { label: "train loss", points: &points },
            Series { label: "val", points: &nan },
        ];
        let svg = dir.path().join("loss.svg");
        line_chart(&svg, "step", "loss", &series).unwrap();
        let text = std::fs::read_to_string(&svg).unwrap();
        assert!(text.starts_with("<svg") && text.contains("train loss") && text.contains("step"));
        let png = dir.path().join("loss.png");
        line_chart(&png, "step", "loss", &series).unwrap();
        let img = image::open(&png).unwrap().to_rgb8();
        if let Some(dir) = std::env::var_os("GENLAB_KEEP_PLOTS") {
            std::fs::copy(&png, std::path::Path::new(&dir).join("loss.png")).unwrap();
        }
        assert_eq!(img.dimensions(), (720, 400));
        // Something besides the white background was drawn.
        assert!(img.pixels().filter(|p| p.0 != [255, 255, 255]).count() > 1000);
    }

    #[test]
    fn a_tone_lights_up_its_frequency_row() {
        let dir = tempfile::tempdir().unwrap();
        let rate = 16_000;
        let tone: Vec<f32> = (0..rate)
            .map(|i| (i as f32 * 2.0 * std::f32::consts::PI * 4000.0 / rate as f32).sin())
            .collect();
        let path = dir.path().join("spec.png");
        spectrogram_png(&path, rate, &[("tone", &tone), ("silence", &vec![0.0; 8000])]).unwrap();
        if let Some(dir) = std::env::var_os("GENLAB_KEEP_PLOTS") {
            std::fs::copy(&path, std::path::Path::new(&dir).join("tone.png")).unwrap();
        }
        let img = image::open(&path).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (960, 320));
        let spec = spectrogram(&tone, rate, &SpectrogramConfig::default()).unwrap();
        let bin_4k = 4000 * spec.n_fft / rate as usize;
        let mid = spec.frames / 2;
        assert!(spec.db(mid, bin_4k) > spec.db(mid, bin_4k / 2) + 40.0);
    }

    #[test]
    fn refuses_what_it_cannot_draw() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.png");
        assert!(spectrogram_png(&path, 0, &[("a", &[0.0; 10])]).is_err());
        assert!(spectrogram_png(&path, 16_000, &[]).is_err());
        assert!(spectrogram_png(&path, 16_000, &[("empty", &[])]).is_err());
    }
}
