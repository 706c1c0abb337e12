//! `report.html` in a run folder: the run's figures as a table and its pictures (loss curve,
//! sample grids, histograms) on one page a browser opens without any other file or network.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::manifest::RunManifest;

/// Escapes text for HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Every number and short string in `value` as `(dotted.path, text)` rows, arrays of numbers
/// shortened; nested objects flattened.
fn rows(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    let key = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| rows(&key(k), v, out)),
        Value::Number(n) => {
            let text = match n.as_f64() {
                Some(f) if n.is_f64() => format!("{f:.4}"),
                _ => n.to_string(),
            };
            out.push((prefix.to_string(), text));
        }
        Value::String(s) if s.len() <= 120 => out.push((prefix.to_string(), s.clone())),
        Value::Bool(b) => out.push((prefix.to_string(), b.to_string())),
        Value::Array(items) if items.iter().all(Value::is_number) && !items.is_empty() => {
            let nums: Vec<String> = items
                .iter()
                .take(12)
                .filter_map(Value::as_f64)
                .map(|f| format!("{f:.3}"))
                .collect();
            let more = if items.len() > 12 {
                format!(" … ({} in all)", items.len())
            } else {
                String::new()
            };
            out.push((prefix.to_string(), nums.join(", ") + &more));
        }
        _ => {}
    }
}

/// What report.html shows, top to bottom.
#[derive(Debug)]
pub struct Page<'a> {
    /// The heading.
    pub title: &'a str,
    /// The run's manifest: its model, training and data settings are shown as tables.
    pub manifest: Option<&'a RunManifest>,
    /// The device the run trained on.
    pub device: Option<&'a str>,
    /// Steps, seconds and throughput.
    pub timing: Option<&'a serde_json::Value>,
    /// The run's figures (flattened into a table).
    pub summary: &'a serde_json::Value,
    /// `(file, caption)` pictures; those that exist in the folder are shown.
    pub pictures: &'a [(&'a str, &'a str)],
}

/// Writes `report.html` into `run`: `title`, the figures of `summary` (flattened), and each
/// `(file, caption)` picture that exists in the folder. Returns the page's path.
pub fn html_report(
    run: &Path,
    title: &str,
    summary: &serde_json::Value,
    pictures: &[(&str, &str)],
) -> std::io::Result<PathBuf> {
    let page = Page { title, manifest: None, device: None, timing: None, summary, pictures };
    html_page(run, &page)
}

/// A table of every figure of `value` under a heading (nothing when it has none).
fn table(page: &mut String, heading: &str, value: &serde_json::Value) {
    let mut table = Vec::new();
    rows("", value, &mut table);
    if table.is_empty() {
        return;
    }
    let _ = writeln!(page, "<h2>{}</h2>\n<table>", escape(heading));
    for (k, v) in &table {
        let _ = writeln!(page, "<tr><td>{}</td><td>{}</td></tr>", escape(k), escape(v));
    }
    page.push_str("</table>\n");
}

/// The text samples a run logged (`{"step", "sample"}` records of `metrics.jsonl`).
fn text_samples(run: &Path) -> Vec<(u64, String)> {
    let Ok(text) = std::fs::read_to_string(run.join("metrics.jsonl")) else { return Vec::new() };
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| {
            let sample = v.get("sample")?.as_str()?.to_string();
            Some((v.get("step")?.as_u64()?, sample))
        })
        .collect()
}

/// The audio samples a run logged (`{"step", "audio", "audio_picture"}` records).
fn audio_samples(run: &Path) -> Vec<(u64, String, Option<String>)> {
    let Ok(text) = std::fs::read_to_string(run.join("metrics.jsonl")) else { return Vec::new() };
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|v| {
            let wav = v.get("audio")?.as_str()?.to_string();
            let picture = v.get("audio_picture").and_then(|p| p.as_str()).map(str::to_string);
            Some((v.get("step")?.as_u64()?, wav, picture))
        })
        .collect()
}

/// Writes `report.html` into `run` from `page`: the figures first, then the pictures and
/// curves, the text samples, and the settings the run was trained with. Returns its path.
pub fn html_page(run: &Path, page: &Page<'_>) -> std::io::Result<PathBuf> {
    let mut html = String::new();
    let _ = write!(
        html,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\n<style>\
         body{{font-family:system-ui,sans-serif;margin:2em;max-width:60em}}\
         table{{border-collapse:collapse}}td{{border-bottom:1px solid #ddd;padding:.2em .8em}}\
         td:first-child{{color:#555}}figure{{margin:1.5em 0}}img{{max-width:100%;image-rendering:pixelated}}\
         pre{{background:#f6f6f6;padding:.6em;white-space:pre-wrap}}\
         </style></head><body>\n<h1>{t}</h1>\n",
        t = escape(page.title)
    );
    if let Some(device) = page.device {
        let _ = writeln!(html, "<p>Trained on {}.</p>", escape(device));
    }
    table(&mut html, "Results", page.summary);
    if let Some(timing) = page.timing {
        table(&mut html, "Timing", timing);
    }
    for (file, caption) in page.pictures {
        if run.join(file).is_file() {
            let _ = writeln!(
                html,
                "<figure><img src=\"{}\" alt=\"{c}\"><figcaption>{c}</figcaption></figure>",
                escape(file),
                c = escape(caption)
            );
        }
    }
    let samples = text_samples(run);
    if !samples.is_empty() {
        html.push_str("<h2>Samples</h2>\n");
        for (step, text) in samples {
            let _ = writeln!(html, "<h3>step {step}</h3>\n<pre>{}</pre>", escape(&text));
        }
    }
    let audio = audio_samples(run);
    if !audio.is_empty() {
        html.push_str("<h2>Audio samples</h2>\n");
        for (step, wav, picture) in audio.iter().filter(|(_, wav, _)| run.join(wav).is_file()) {
            let _ = writeln!(
                html,
                "<figure><figcaption>step {step}</figcaption><audio controls src=\"{}\"></audio>",
                escape(wav)
            );
            if let Some(p) = picture.as_ref().filter(|p| run.join(p).is_file()) {
                let _ = writeln!(html, "<br><img src=\"{}\" alt=\"spectrogram\">", escape(p));
            }
            html.push_str("</figure>\n");
        }
    }
    if let Some(m) = page.manifest {
        let _ = writeln!(
            html,
            "<h2>Run</h2>\n<p>{} / {} (manifest version {}, genlab {})</p>",
            escape(&m.family),
            escape(&m.kind),
            m.version,
            escape(&m.genlab)
        );
        table(&mut html, "Model", &m.model);
        table(&mut html, "Training", &m.train);
        table(&mut html, "Data", &m.data);
    }
    html.push_str("</body></html>\n");
    let path = run.join("report.html");
    std::fs::write(&path, html)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_lists_figures_and_existing_pictures() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("loss.svg"), "<svg/>").unwrap();
        let summary = serde_json::json!({ "test": { "loss": 1.23456, "items": 10 }, "model": "vae<1>", "epochs": [1.0, 2.0] });
        let path = html_report(
            dir.path(),
            "a & b",
            &summary,
            &[("loss.svg", "loss"), ("missing.png", "x")],
        )
        .unwrap();
        let html = std::fs::read_to_string(path).unwrap();
        assert!(html.contains("<title>a &amp; b</title>"));
        assert!(html.contains("<td>test.loss</td><td>1.2346</td>"));
        assert!(html.contains("<td>test.items</td><td>10</td>"));
        assert!(html.contains("vae&lt;1&gt;"));
        assert!(html.contains("1.000, 2.000"));
        assert!(html.contains("src=\"loss.svg\"") && !html.contains("missing.png"));
    }

    #[test]
    fn page_plays_the_audio_samples_that_exist() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("samples")).unwrap();
        std::fs::write(dir.path().join("samples/step-2.wav"), b"RIFF").unwrap();
        std::fs::write(dir.path().join("samples/step-2.png"), b"png").unwrap();
        let log = [
            r#"{"step":1,"audio":"samples/step-1.wav","audio_picture":"samples/step-1.png"}"#,
            r#"{"step":2,"audio":"samples/step-2.wav","audio_picture":"samples/step-2.png"}"#,
        ];
        std::fs::write(dir.path().join("metrics.jsonl"), log.join("\n")).unwrap();
        let path = html_report(dir.path(), "wavenet", &serde_json::json!({}), &[]).unwrap();
        let html = std::fs::read_to_string(path).unwrap();
        assert!(html.contains("<audio controls src=\"samples/step-2.wav\">"));
        assert!(html.contains("<img src=\"samples/step-2.png\""));
        assert!(!html.contains("step-1.wav"), "a missing file gets no player");
    }
}
