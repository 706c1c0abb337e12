//! Overlaid histograms of anomaly scores, normal examples in blue and anomalous ones in
//! orange, with the decision threshold as a red vertical line. Drawn pixel by pixel with a
//! tiny built-in bitmap font, so no plotting library or font file is needed. Scores that
//! span orders of magnitude get a logarithmic x axis (see [`render_score_histogram`]).

use std::path::Path;

use image::{ImageFormat, Rgb, RgbImage};

use crate::EvalError;

mod font;

use font::{draw_text, text_width};

/// Width of the picture in pixels.
pub const WIDTH: u32 = 640;
/// Height of the picture in pixels.
pub const HEIGHT: u32 = 360;
/// Number of equal-width bins, shared by both groups.
pub const BINS: usize = 50;
/// The x axis turns logarithmic when every value is positive and the largest is more than
/// this many times the smallest (see [`log_axis`]).
const LOG_RATIO: f64 = 50.0;

const WHITE: [u8; 3] = [255, 255, 255];
const INK: [u8; 3] = [40, 40, 40];
const NORMAL: [u8; 3] = [31, 119, 180]; // matplotlib's tab:blue
const ANOMALOUS: [u8; 3] = [255, 127, 14]; // tab:orange
const THRESHOLD: [u8; 3] = [214, 39, 40]; // tab:red
/// Opacity of the bars; where they overlap the colours mix.
const ALPHA: f32 = 0.5;

/// The plot area in pixels: x in `LEFT..RIGHT`, y in `TOP..BOTTOM` (y grows downwards).
const LEFT: u32 = 64;
const RIGHT: u32 = 624;
const TOP: u32 = 34;
const BOTTOM: u32 = 318;

/// Renders the histograms of `normal` and `anomalous` scores (either may be empty, not both)
/// and writes them as a [`WIDTH`]×[`HEIGHT`] PNG at `path`. See [`render_score_histogram`].
///
/// # Errors
/// As [`render_score_histogram`], or the file cannot be written.
pub fn score_histogram_png(
    normal: &[f32],
    anomalous: &[f32],
    threshold: Option<f32>,
    path: &Path,
) -> Result<(), EvalError> {
    let picture = render_score_histogram(normal, anomalous, threshold)?;
    picture
        .save_with_format(path, ImageFormat::Png)
        .map_err(|source| EvalError::Image { path: path.to_path_buf(), source })
}

/// Draws the two histograms over [`BINS`] bins spanning every score (and the threshold).
/// Bar heights are densities, `count / (group size · bin width)`, so each group's bars have
/// area 1 and a small anomalous set compares fairly with a large normal one.
///
/// When every score and the threshold are positive and the largest is more than 50 times the
/// smallest, the x axis is logarithmic: the bins are equal-width in `log10(score)`, the
/// densities are per unit of `log10(score)` (bin width measured in decades, so each group's
/// bars have area 1 in log space), the threshold line sits at its log position, and the ticks
/// are at powers of ten (with 2× and 5× when the range spans under three decades), labelled
/// with the scores themselves.
///
/// # Errors
/// Both groups empty, a score that is NaN or infinite, or a non-finite threshold.
pub fn render_score_histogram(
    normal: &[f32],
    anomalous: &[f32],
    threshold: Option<f32>,
) -> Result<RgbImage, EvalError> {
    check_finite("score_histogram (normal)", normal)?;
    check_finite("score_histogram (anomalous)", anomalous)?;
    if let Some(t) = threshold.filter(|t| !t.is_finite()) {
        return Err(EvalError::OutOfRange {
            name: "threshold",
            value: t as f64,
            expected: "a finite number",
        });
    }
    if normal.is_empty() && anomalous.is_empty() {
        return Err(EvalError::Empty { what: "score_histogram" });
    }

    // Everything below works in axis coordinates: the score, or its log10 on a log axis.
    let all = || normal.iter().chain(anomalous).chain(threshold.iter()).map(|&v| v as f64);
    let log = log_axis(all());
    let to_axis = |v: f64| if log { v.log10() } else { v };
    let (mut lo, mut hi) = all()
        .map(to_axis)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if hi - lo <= 1e-9 * lo.abs().max(1.0) {
        let pad = (lo.abs() * 0.05).max(0.5);
        (lo, hi) = (lo - pad, hi + pad);
    }
    let bin_width = (hi - lo) / BINS as f64;
    let on_axis = |values: &[f32]| values.iter().map(|&v| to_axis(v as f64)).collect::<Vec<_>>();
    let groups = [
        (densities(&on_axis(normal), lo, bin_width), NORMAL),
        (densities(&on_axis(anomalous), lo, bin_width), ANOMALOUS),
    ];
    let top_density =
        groups.iter().flat_map(|(d, _)| d.iter()).fold(0.0f64, |m, &d| m.max(d)) * 1.08;
    let x_of = |v: f64| LEFT as f64 + (v - lo) / (hi - lo) * (RIGHT - LEFT) as f64;
    let y_of = |d: f64| BOTTOM as f64 - d / top_density * (BOTTOM - TOP) as f64;

    let mut img = RgbImage::from_pixel(WIDTH, HEIGHT, Rgb(WHITE));
    for (density, colour) in &groups {
        for (i, &d) in density.iter().enumerate().filter(|(_, d)| **d > 0.0) {
            let x0 = x_of(lo + i as f64 * bin_width).round() as u32;
            let x1 = x_of(lo + (i + 1) as f64 * bin_width).round() as u32;
            let y0 = (y_of(d).round() as u32).min(BOTTOM - 1);
            blend_rect(&mut img, x0, x1, y0, BOTTOM, *colour, ALPHA);
        }
    }
    if let Some(t) = threshold {
        let x = (x_of(to_axis(t as f64)).round() as u32).clamp(LEFT, RIGHT - 2);
        fill_rect(&mut img, x, x + 2, TOP, BOTTOM, THRESHOLD);
    }

    // Axes, ticks and labels.
    fill_rect(&mut img, LEFT - 1, RIGHT, BOTTOM, BOTTOM + 1, INK);
    fill_rect(&mut img, LEFT - 1, LEFT, TOP, BOTTOM + 1, INK);
    let x_ticks = if log {
        log_ticks(lo, hi)
    } else {
        let (xs, x_exp) = nice_ticks(lo, hi, 6);
        xs.into_iter().map(|v| (v, tick_label(v, x_exp, lo.abs().max(hi.abs())))).collect()
    };
    for (v, label) in x_ticks {
        let x = x_of(v).round() as u32;
        fill_rect(&mut img, x, x + 1, BOTTOM + 1, BOTTOM + 5, INK);
        let w = text_width(&label, 1);
        draw_text(&mut img, x.saturating_sub(w / 2), BOTTOM + 8, &label, 1, INK);
    }
    let (ys, y_exp) = nice_ticks(0.0, top_density, 4);
    for v in ys {
        let y = y_of(v).round() as u32;
        fill_rect(&mut img, LEFT - 5, LEFT - 1, y, y + 1, INK);
        let label = tick_label(v, y_exp, top_density);
        let w = text_width(&label, 1);
        draw_text(&mut img, (LEFT - 8).saturating_sub(w), y.saturating_sub(3), &label, 1, INK);
    }
    let title = "score";
    draw_text(&mut img, (LEFT + RIGHT - text_width(title, 2)) / 2, BOTTOM + 22, title, 2, INK);
    draw_text(&mut img, 8, 10, "density", 2, INK);

    // Legend, right-aligned above the plot.
    let mut entries = vec![("normal", NORMAL), ("anomalous", ANOMALOUS)];
    if threshold.is_some() {
        entries.push(("threshold", THRESHOLD));
    }
    let entry_width = |name: &str| 14 + text_width(name, 2) + 18;
    let mut x = RIGHT - entries.iter().map(|(n, _)| entry_width(n)).sum::<u32>() + 18;
    for (name, colour) in entries {
        if colour == THRESHOLD {
            fill_rect(&mut img, x + 4, x + 6, 8, 24, colour);
        } else {
            blend_rect(&mut img, x, x + 10, 11, 21, colour, ALPHA);
        }
        draw_text(&mut img, x + 14, 10, name, 2, INK);
        x += entry_width(name);
    }
    Ok(img)
}

fn check_finite(what: &'static str, values: &[f32]) -> Result<(), EvalError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(EvalError::BadValue { what, index, value: values[index] }),
        None => Ok(()),
    }
}

/// Whether the x axis should be logarithmic: every value (the scores and the threshold) is
/// greater than 0 and the largest is more than [`LOG_RATIO`] times the smallest. Then a linear
/// axis would squeeze the small scores into a bin or two. No values: linear.
fn log_axis(values: impl IntoIterator<Item = f64>) -> bool {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
    for v in values {
        if v <= 0.0 || v.is_nan() {
            return false;
        }
        (lo, hi) = (lo.min(v), hi.max(v));
    }
    hi / lo > LOG_RATIO
}

/// Ticks for a log axis spanning `lo..=hi` in log10 units: each as (log10 position, label).
/// Powers of ten (every few decades when there are many, to keep about eight at most), plus
/// 2× and 5× under three decades; labels are the scores themselves, in one style for the
/// whole axis (all plain decimals like `0.1 1 10`, or all like `1e-6`).
fn log_ticks(lo: f64, hi: f64) -> Vec<(f64, String)> {
    let decades = hi - lo;
    let step = (decades / 8.0).ceil().max(1.0) as i32;
    let mantissas: &[f64] = if decades < 3.0 { &[1.0, 2.0, 5.0] } else { &[1.0] };
    let (first, last) = ((lo - 1e-9).floor() as i32, (hi + 1e-9).floor() as i32);
    let ticks: Vec<(f64, i32, f64)> = (first..=last)
        .filter(|k| k.rem_euclid(step) == 0)
        .flat_map(|k| mantissas.iter().map(move |&m| (k as f64 + m.log10(), k, m)))
        .filter(|&(pos, _, _)| pos >= lo - 1e-9 && pos <= hi + 1e-9)
        .collect();
    // `tick_label` writes plain decimals only for exponents -4..6 below 1e6; when any tick
    // falls outside, an infinite "largest" makes every label scientific.
    let plain = ticks.iter().all(|&(_, k, _)| k >= -4) && 10f64.powf(hi) < 1e6;
    let largest = if plain { 10f64.powf(hi) } else { f64::INFINITY };
    ticks.into_iter().map(|(pos, k, m)| (pos, tick_label(m * 10f64.powi(k), k, largest))).collect()
}

/// Per-bin densities of `values` over `BINS` bins starting at `lo`; the last bin is closed.
fn densities(values: &[f64], lo: f64, bin_width: f64) -> Vec<f64> {
    let mut counts = vec![0usize; BINS];
    for &v in values {
        let bin = ((v - lo) / bin_width).floor().max(0.0) as usize;
        counts[bin.min(BINS - 1)] += 1;
    }
    let scale = 1.0 / (values.len().max(1) as f64 * bin_width);
    counts.into_iter().map(|c| c as f64 * scale).collect()
}

/// About `target` round tick values (multiples of 1, 2 or 5 × 10^e) within `[lo, hi]`, and e.
fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, i32) {
    let raw = (hi - lo) / target as f64;
    let mut exp = raw.log10().floor() as i32;
    let norm = raw / 10f64.powi(exp);
    let mut mantissa = match norm {
        n if n < 1.5 => 1,
        n if n < 3.5 => 2,
        n if n < 7.5 => 5,
        _ => 10,
    };
    if mantissa == 10 {
        (mantissa, exp) = (1, exp + 1);
    }
    let step = mantissa as f64 * 10f64.powi(exp);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    let ticks = (first..=last).map(|k| (k * mantissa) as f64 * 10f64.powi(exp)).collect();
    (ticks, exp)
}

/// Formats a tick value whose step is m × 10^`exp`: plain decimals for everyday magnitudes,
/// otherwise scientific ("2.5e-6") so labels stay short.
fn tick_label(v: f64, exp: i32, largest: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    if (-4..6).contains(&exp) && largest < 1e6 {
        return format!("{:.*}", (-exp).max(0) as usize, v);
    }
    let magnitude = v.abs().log10().floor() as i32;
    format!("{:.*e}", (magnitude - exp).max(0) as usize, v)
}

fn fill_rect(img: &mut RgbImage, x0: u32, x1: u32, y0: u32, y1: u32, colour: [u8; 3]) {
    blend_rect(img, x0, x1, y0, y1, colour, 1.0);
}

/// Paints `colour` with opacity `alpha` over the pixels `x0..x1` × `y0..y1` (clipped).
fn blend_rect(img: &mut RgbImage, x0: u32, x1: u32, y0: u32, y1: u32, colour: [u8; 3], alpha: f32) {
    for y in y0..y1.min(img.height()) {
        for x in x0..x1.min(img.width()) {
            let Rgb(old) = *img.get_pixel(x, y);
            let mix = |o: u8, c: u8| (o as f32 * (1.0 - alpha) + c as f32 * alpha).round() as u8;
            img.put_pixel(
                x,
                y,
                Rgb([mix(old[0], colour[0]), mix(old[1], colour[1]), mix(old[2], colour[2])]),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic normal samples (an LCG and Box-Muller), to keep `rand` out of the crate.
    fn gaussian(n: usize, mean: f32, std: f32, seed: u64) -> Vec<f32> {
        let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let mut uniform = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        (0..n)
            .map(|_| {
                let (u1, u2) = (uniform(), uniform());
                let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                mean + std * z as f32
            })
            .collect()
    }

    #[test]
    fn writes_a_png_of_the_right_size() {
        let normal = gaussian(2000, 1.0, 0.3, 1);
        let anomalous = gaussian(150, 2.2, 0.5, 2);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scores.png");
        score_histogram_png(&normal, &anomalous, Some(1.6), &path).unwrap();
        // GENLAB_EVAL_KEEP_PNG=/tmp/h.png keeps a copy to look at.
        if let Ok(keep) = std::env::var("GENLAB_EVAL_KEEP_PNG") {
            std::fs::copy(&path, keep).unwrap();
        }
        let img = image::open(&path).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (WIDTH, HEIGHT));
        assert_eq!(img.get_pixel(WIDTH - 2, HEIGHT - 2).0, WHITE);
        // The threshold line crosses the middle of the plot in red.
        let lo = normal.iter().chain(&anomalous).fold(f32::INFINITY, |m, &v| m.min(v)) as f64;
        let hi = normal.iter().chain(&anomalous).fold(f32::NEG_INFINITY, |m, &v| m.max(v)) as f64;
        let x = (LEFT as f64 + (1.6 - lo) / (hi - lo) * (RIGHT - LEFT) as f64).round() as u32;
        assert_eq!(img.get_pixel(x, (TOP + BOTTOM) / 2).0, THRESHOLD);
        // Both colours (and their mix) appear.
        let has = |c: [u8; 3]| img.pixels().any(|p| p.0 == c);
        let mix = |a: u8| (255.0 * (1.0 - ALPHA) + a as f32 * ALPHA).round() as u8;
        assert!(has([mix(NORMAL[0]), mix(NORMAL[1]), mix(NORMAL[2])]));
        assert!(has([mix(ANOMALOUS[0]), mix(ANOMALOUS[1]), mix(ANOMALOUS[2])]));
    }

    #[test]
    fn densities_have_unit_area() {
        let values = gaussian(1000, 0.0, 1.0, 3);
        let (lo, hi) = (-5.0, 5.0);
        let width = (hi - lo) / BINS as f64;
        let values: Vec<f64> = values.iter().map(|&v| v as f64).collect();
        let area: f64 = densities(&values, lo, width).iter().map(|d| d * width).sum();
        assert!((area - 1.0).abs() < 1e-12, "{area}");
    }

    #[test]
    fn degenerate_inputs() {
        // A single repeated score, one empty group, no threshold: still a picture.
        let img = render_score_histogram(&[0.5; 10], &[], None).unwrap();
        assert_eq!(img.dimensions(), (WIDTH, HEIGHT));
        assert!(matches!(render_score_histogram(&[], &[], None), Err(EvalError::Empty { .. })));
        assert!(matches!(
            render_score_histogram(&[0.1], &[f32::INFINITY], None),
            Err(EvalError::BadValue { index: 0, .. })
        ));
        assert!(matches!(
            render_score_histogram(&[0.1], &[0.2], Some(f32::NAN)),
            Err(EvalError::OutOfRange { .. })
        ));
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/dir/x.png");
        assert!(matches!(
            score_histogram_png(&[0.1], &[0.2], None, &missing),
            Err(EvalError::Image { .. })
        ));
    }

    #[test]
    fn tick_labels_stay_short() {
        let (ticks, exp) = nice_ticks(0.0, 1.0, 5);
        assert_eq!(exp, -1);
        let labels: Vec<String> = ticks.iter().map(|&v| tick_label(v, exp, 1.0)).collect();
        assert_eq!(labels, ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        let (ticks, exp) = nice_ticks(-30.0, 30.0, 6);
        let labels: Vec<String> = ticks.iter().map(|&v| tick_label(v, exp, 30.0)).collect();
        assert_eq!(labels, ["-30", "-20", "-10", "0", "10", "20", "30"]);
        let (ticks, exp) = nice_ticks(0.0, 3e-5, 3);
        let labels: Vec<String> = ticks.iter().map(|&v| tick_label(v, exp, 3e-5)).collect();
        assert_eq!(labels, ["0", "1e-5", "2e-5", "3e-5"]);
        for label in labels {
            assert!(label.chars().all(|c| font::glyph(c).is_some()), "{label}");
        }
    }

    #[test]
    fn log_axis_rule() {
        assert!(log_axis([2.0, 5.0, 150.0]));
        assert!(log_axis([1e-6, 1e-3]));
        assert!(!log_axis([2.0, 100.0]), "a ratio of exactly 50 stays linear");
        assert!(!log_axis([0.5, 1.0, 3.0]));
        assert!(!log_axis([0.0, 100.0]), "zero has no logarithm");
        assert!(!log_axis([-1.0, 1000.0]));
        assert!(!log_axis([]));
    }

    #[test]
    fn log_tick_labels() {
        let labels = |lo: f64, hi: f64| -> Vec<String> {
            log_ticks(lo, hi).into_iter().map(|(_, label)| label).collect()
        };
        assert_eq!(labels(2f64.log10(), 150f64.log10()), ["2", "5", "10", "20", "50", "100"]);
        assert_eq!(labels(-1.3, 2.7), ["0.1", "1", "10", "100"]);
        assert_eq!(labels(-7.0, -2.0), ["1e-7", "1e-6", "1e-5", "1e-4", "1e-3", "1e-2"]);
        let wide = labels(0.0, 20.0);
        assert_eq!(wide, ["1e0", "1e3", "1e6", "1e9", "1e12", "1e15", "1e18"]);
        let (pos, _) = log_ticks(2f64.log10(), 150f64.log10())[2].clone();
        assert!((pos - 1.0).abs() < 1e-12, "10 sits at log10 position 1, got {pos}");
        for label in labels(-1.3, 2.7).into_iter().chain(wide) {
            assert!(label.chars().all(|c| font::glyph(c).is_some()), "{label}");
        }
    }

    #[test]
    fn wide_scores_get_a_log_axis() {
        // Normal scores lognormal around 3.5 (about 2..6), anomalous log-uniform over 5..150.
        let normal: Vec<f32> =
            gaussian(400, 3.5f32.ln(), 0.18, 4).into_iter().map(f32::exp).collect();
        let anomalous: Vec<f32> =
            (0..80).map(|i| 5.0 * 30f32.powf((i as f32 + 0.5) / 80.0)).collect();
        let threshold = 5.0f32;
        let all: Vec<f64> =
            normal.iter().chain(&anomalous).chain([&threshold]).map(|&v| v as f64).collect();
        assert!(log_axis(all.iter().copied()));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wide.png");
        score_histogram_png(&normal, &anomalous, Some(threshold), &path).unwrap();
        // GENLAB_EVAL_KEEP_PNG=/tmp/h.png keeps this one as /tmp/h.log.png.
        if let Ok(keep) = std::env::var("GENLAB_EVAL_KEEP_PNG") {
            std::fs::copy(&path, Path::new(&keep).with_extension("log.png")).unwrap();
        }
        let img = image::open(&path).unwrap().to_rgb8();
        // Columns as the code maps them: log10 of the value between log10 of the extremes.
        let lo = all.iter().fold(f64::INFINITY, |m, &v| m.min(v)).log10();
        let hi = all.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v)).log10();
        let column = |v: f64| LEFT as f64 + (v.log10() - lo) / (hi - lo) * (RIGHT - LEFT) as f64;
        let x = column(threshold as f64).round() as u32;
        let linear =
            LEFT as f64 + (5.0 - 10f64.powf(lo)) / (10f64.powf(hi) - 10f64.powf(lo)) * 560.0;
        assert!(x > linear.round() as u32 + 50, "log column {x}, linear {linear}");
        assert_eq!(img.get_pixel(x, (TOP + BOTTOM) / 2).0, THRESHOLD);
        assert_ne!(img.get_pixel(x - 1, (TOP + BOTTOM) / 2).0, THRESHOLD, "line starts at x");
        // Tick marks under the axis at 10 and 100.
        for v in [10.0, 100.0] {
            assert_eq!(img.get_pixel(column(v).round() as u32, BOTTOM + 3).0, INK, "tick at {v}");
        }
        // Both groups show: the normal scores spread over several bins, not one.
        let mix = |c: [u8; 3]| c.map(|a| (255.0 * (1.0 - ALPHA) + a as f32 * ALPHA).round() as u8);
        let row = BOTTOM - 2;
        let columns_with =
            |c: [u8; 3]| (LEFT..RIGHT).filter(|&x| img.get_pixel(x, row).0 == c).count();
        assert!(columns_with(mix(NORMAL)) > 3 * (RIGHT - LEFT) as usize / BINS, "normal bars");
        assert!(
            columns_with(mix(ANOMALOUS)) > 3 * (RIGHT - LEFT) as usize / BINS,
            "anomalous bars"
        );
    }
}
