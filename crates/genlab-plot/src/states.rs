//! A series coloured by hidden state (e.g. an HMM's Viterbi path): [`states_png`].

use std::path::Path;

use plotters::prelude::*;

use crate::{PlotError, draw_axes, draw_err, draw_legend, register_font, save_rgb};

/// Colours of states 0, 1, 2, ... (matplotlib's tab10), repeating after ten.
const STATE_COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Draws `values[t]` against `t` as a grey line with a dot per step coloured by `states[t]`,
/// and a legend of the states, as a 960 × 360 PNG. Long series are thinned to about 4,000
/// dots (every k-th step) so the file stays small.
pub fn states_png(path: &Path, values: &[f64], states: &[usize]) -> Result<(), PlotError> {
    register_font();
    if values.is_empty() {
        return Err(PlotError::Input("a state plot needs at least one value".into()));
    }
    if values.len() != states.len() {
        return Err(PlotError::Input(format!(
            "{} values but {} states: give one state per value",
            values.len(),
            states.len()
        )));
    }
    let (w, h) = (960u32, 360u32);
    let mut buffer = vec![0u8; (w * h * 3) as usize];
    {
        let area = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
        area.fill(&WHITE).map_err(|e| draw_err(path, e))?;
        let finite = values.iter().copied().filter(|v| v.is_finite());
        let (lo, hi) = finite.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
        let (lo, hi) = if lo > hi { (0.0, 1.0) } else { (lo, hi) };
        let pad = ((hi - lo) * 0.05).max(0.5);
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..values.len() as f64, (lo - pad)..(hi + pad))
            .map_err(|e| draw_err(path, e))?;
        draw_axes(&mut chart, path, "step", "value")?;
        let every = values.len().div_ceil(4000).max(1);
        let kept: Vec<usize> = (0..values.len()).step_by(every).collect();
        let line = kept.iter().map(|&t| (t as f64, values[t])).filter(|(_, v)| v.is_finite());
        chart
            .draw_series(LineSeries::new(line, RGBColor(200, 200, 200)))
            .map_err(|e| draw_err(path, e))?;
        let n_states = states.iter().max().map_or(0, |m| m + 1);
        for s in 0..n_states {
            let colour = STATE_COLOURS[s % STATE_COLOURS.len()];
            let dots = kept
                .iter()
                .filter(|&&t| states[t] == s && values[t].is_finite())
                .map(|&t| Circle::new((t as f64, values[t]), 2, colour.filled()));
            chart
                .draw_series(dots)
                .map_err(|e| draw_err(path, e))?
                .label(format!("state {s}"))
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, colour.filled()));
        }
        draw_legend(&mut chart, path, SeriesLabelPosition::MiddleRight)?;
        area.present().map_err(|e| draw_err(path, e))?;
    }
    save_rgb(path, w, h, buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_drawn_in_their_colours() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("states.png");
        let values: Vec<f64> = (0..300).map(|t| if t < 150 { 0.0 } else { 5.0 }).collect();
        let states: Vec<usize> = (0..300).map(|t| usize::from(t >= 150)).collect();
        states_png(&path, &values, &states).unwrap();
        let img = image::open(&path).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (960, 360));
        for colour in &STATE_COLOURS[..2] {
            let hits = img.pixels().filter(|p| p.0 == [colour.0, colour.1, colour.2]).count();
            assert!(hits > 100, "colour {colour:?} drawn on {hits} pixels");
        }
        assert!(states_png(&path, &values, &states[..10]).is_err());
        assert!(states_png(&path, &[], &[]).is_err());
    }
}
