//! Pictures of a run: the loss curve from `metrics.jsonl` as an SVG a browser shows.

use std::fmt::Write as _;
use std::path::Path;

/// Draws `loss` (per step) and `val_loss` (per evaluation) from a metrics file as an SVG line
/// chart with labelled axes.
pub fn loss_curve_svg(metrics: &Path, out: &Path) -> std::io::Result<()> {
    metric_curves_svg(metrics, &[("loss", "train loss"), ("val_loss", "val loss")], out)
}

/// Draws the given `(key, label)` metrics of a metrics file against `step` as an SVG line
/// chart (for a GAN: `d_loss` and `g_loss`). Records without a key are skipped.
pub fn metric_curves_svg(metrics: &Path, keys: &[(&str, &str)], out: &Path) -> std::io::Result<()> {
    const COLOURS: [&str; 4] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"];
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
        .enumerate()
        .map(|(i, ((_, label), p))| (*label, COLOURS[i % COLOURS.len()], &p[..]))
        .collect();
    std::fs::write(out, svg(&series))
}

/// A named, coloured line of (x, y) points.
type Series<'a> = (&'a str, &'a str, &'a [(f64, f64)]);

fn svg(series: &[Series<'_>]) -> String {
    let (w, h, m) = (720.0, 400.0, 50.0);
    let points = series.iter().flat_map(|(_, _, s)| s.iter()).filter(|(_, y)| y.is_finite());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in points {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    let (xs, ys) = ((x1 - x0).max(1e-9), (y1 - y0).max(1e-9));
    let px = |x: f64| m + (x - x0) / xs * (w - 2.0 * m);
    let py = |y: f64| h - m - (y - y0) / ys * (h - 2.0 * m);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
    let _ = writeln!(
        s,
        "<line x1=\"{m}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"black\"/>",
        h - m,
        w - m,
        h - m
    );
    let _ =
        writeln!(s, "<line x1=\"{m}\" y1=\"{m}\" x2=\"{m}\" y2=\"{}\" stroke=\"black\"/>", h - m);
    for i in 0..=4 {
        let (fx, fy) = (x0 + xs * i as f64 / 4.0, y0 + ys * i as f64 / 4.0);
        let _ = writeln!(
            s,
            "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{fx:.0}</text>",
            px(fx),
            h - m + 18.0
        );
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{fy:.2}</text>",
            m - 6.0,
            py(fy) + 4.0
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">step</text>",
        w / 2.0,
        h - 12.0
    );
    for (i, (name, colour, pts)) in series.iter().enumerate() {
        let path: Vec<String> = pts
            .iter()
            .filter(|(_, y)| y.is_finite())
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        if !path.is_empty() {
            let _ = writeln!(
                s,
                "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{}\"/>",
                path.join(" ")
            );
        }
        let ly = m + 16.0 * i as f64;
        let _ = writeln!(
            s,
            "<text x=\"{}\" y=\"{ly}\" fill=\"{colour}\" text-anchor=\"end\">{name}</text>",
            w - m
        );
    }
    s.push_str("</svg>\n");
    s
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
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("val loss"));
    }
}
