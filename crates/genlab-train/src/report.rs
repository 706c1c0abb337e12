//! Pictures of a run: the loss curve from `metrics.jsonl` as an SVG a browser shows, drawn by
//! genlab-plot (plotters).

use std::path::Path;

use genlab_plot::Series;

/// Draws `loss` (per step) and `val_loss` (per evaluation) from a metrics file as an SVG line
/// chart with labelled axes.
pub fn loss_curve_svg(metrics: &Path, out: &Path) -> std::io::Result<()> {
    metric_curves_svg(metrics, &[("loss", "train loss"), ("val_loss", "val loss")], out)
}

/// Draws the given `(key, label)` metrics of a metrics file against `step` as an SVG line
/// chart (for a GAN: `d_loss` and `g_loss`), with genlab-plot. Records without a key are
/// skipped.
pub fn metric_curves_svg(metrics: &Path, keys: &[(&str, &str)], out: &Path) -> std::io::Result<()> {
    metric_chart(metrics, keys, "loss", out)
}

/// Draws the `(key, label)` metrics of a metrics file against `step`, the y axis labelled
/// `y_label`, as SVG (`.svg`) or PNG (other extensions).
pub fn metric_chart(
    metrics: &Path,
    keys: &[(&str, &str)],
    y_label: &str,
    out: &Path,
) -> std::io::Result<()> {
    let text = std::fs::read_to_string(metrics)?;
    let mut points: Vec<Vec<(f64, f64)>> = vec![Vec::new(); keys.len()];
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        let Some(step) = v.get("step").and_then(serde_json::Value::as_f64) else { continue };
        for (i, (key, _)) in keys.iter().enumerate() {
            if let Some(y) = v.get(*key).and_then(serde_json::Value::as_f64) {
                points[i].push((step, y));
            }
        }
    }
    let series: Vec<Series<'_>> = keys
        .iter()
        .zip(&points)
        .filter(|(_, p)| !p.is_empty())
        .map(|((_, label), p)| Series { label, points: p })
        .collect();
    genlab_plot::line_chart(out, "step", y_label, &series).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_both_curves() {
        let dir = tempfile::tempdir().unwrap();
        let metrics = dir.path().join("metrics.jsonl");
        std::fs::write(
            &metrics,
            "{\"step\":1,\"loss\":3.0}\n{\"step\":2,\"loss\":2.0}\n{\"step\":2,\"val_loss\":2.5}\n",
        )
        .unwrap();
        let out = dir.path().join("loss.svg");
        loss_curve_svg(&metrics, &out).unwrap();
        let svg = std::fs::read_to_string(out).unwrap();
        // Two lines, each with its legend entry.
        assert!(svg.matches("<polyline").count() >= 2, "{svg}");
        assert!(svg.contains("train loss") && svg.contains("val loss"));
    }
}
