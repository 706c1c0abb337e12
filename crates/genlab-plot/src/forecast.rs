//! A forecast chart: the history as a line, the forecast as a line inside its shaded
//! prediction-interval band.

use std::path::Path;

use plotters::prelude::*;

use crate::{
    COLOURS, FAMILY, PlotError, draw_axes, draw_err, draw_legend, register_font, save_rgb,
};

/// One forecast step: where, the point forecast and the interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// The x position.
    pub x: f64,
    /// The point forecast.
    pub mean: f64,
    /// Lower end of the interval.
    pub lower: f64,
    /// Upper end of the interval.
    pub upper: f64,
}

/// Draws `history` (x, y) and the `forecast` with its band (labelled `band_label`, e.g.
/// "95% interval") as a PNG titled `title`.
pub fn forecast_png(
    path: &Path,
    title: &str,
    x_label: &str,
    y_label: &str,
    history: &[(f64, f64)],
    forecast: &[Band],
    band_label: &str,
) -> Result<(), PlotError> {
    register_font();
    let finite = |v: &f64| v.is_finite();
    if history.is_empty() && forecast.is_empty() {
        return Err(PlotError::Input("a forecast chart needs a history or a forecast".into()));
    }
    let xs = history.iter().map(|p| p.0).chain(forecast.iter().map(|b| b.x)).filter(finite);
    let ys = history
        .iter()
        .map(|p| p.1)
        .chain(forecast.iter().flat_map(|b| [b.lower, b.upper, b.mean]))
        .filter(finite);
    let (x0, x1) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let (y0, y1) = ys.fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(y), b.max(y)));
    let pad = ((y1 - y0) * 0.05).max(1e-9);
    let (w, h) = (900u32, 420u32);
    let mut buffer = vec![0u8; (w * h * 3) as usize];
    {
        let area = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
        area.fill(&WHITE).map_err(|e| draw_err(path, e))?;
        let mut chart = ChartBuilder::on(&area)
            .caption(title, (FAMILY, 16))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1.max(x0 + 1e-9), (y0 - pad)..(y1 + pad))
            .map_err(|e| draw_err(path, e))?;
        draw_axes(&mut chart, path, x_label, y_label)?;
        let (line, fc) = (COLOURS[0], COLOURS[1]);
        if !forecast.is_empty() {
            // The band as one polygon: along the upper ends, back along the lower ones.
            let outline: Vec<(f64, f64)> = forecast
                .iter()
                .map(|b| (b.x, b.upper))
                .chain(forecast.iter().rev().map(|b| (b.x, b.lower)))
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(outline, fc.mix(0.2).filled())))
                .map_err(|e| draw_err(path, e))?
                .label(band_label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 18, y + 5)], fc.mix(0.2).filled())
                });
        }
        chart
            .draw_series(LineSeries::new(history.iter().copied(), line.stroke_width(2)))
            .map_err(|e| draw_err(path, e))?
            .label("history")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], line));
        // The forecast line starts at the last observed point so the two join.
        let joined =
            history.last().copied().into_iter().chain(forecast.iter().map(|b| (b.x, b.mean)));
        chart
            .draw_series(LineSeries::new(joined, fc.stroke_width(2)))
            .map_err(|e| draw_err(path, e))?
            .label("forecast")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], fc));
        draw_legend(&mut chart, path, SeriesLabelPosition::UpperLeft)?;
        area.present().map_err(|e| draw_err(path, e))?;
    }
    save_rgb(path, w, h, buffer)
}
