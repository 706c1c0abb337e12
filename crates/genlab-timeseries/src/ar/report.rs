//! What `genlab ar forecast` leaves behind: the forecast as JSON and a PNG of the history,
//! the forecast and its interval band.

use std::path::{Path, PathBuf};

use genlab_plot::{Band, forecast_png};

use super::{ArError, ArModel, Forecast};

/// Writes `forecast.json` (the model and the forecast) and `forecast.png` into `dir`
/// (created if missing) and returns their paths. The plot shows at most the last 200
/// values of `history` so the forecast stays readable.
pub fn write_forecast(
    dir: &Path,
    title: &str,
    model: &ArModel,
    history: &[f64],
    forecast: &Forecast,
) -> Result<(PathBuf, PathBuf), ArError> {
    let io = |path: &Path, e: std::io::Error| {
        ArError::Invalid(format!("writing {}: {e}", path.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let json = dir.join("forecast.json");
    let doc = serde_json::json!({ "model": model, "forecast": forecast });
    let text = serde_json::to_string_pretty(&doc)
        .unwrap_or_else(|_| unreachable!("plain data serialises"));
    std::fs::write(&json, text + "\n").map_err(|e| io(&json, e))?;
    let png = dir.join("forecast.png");
    let first = history.len().saturating_sub(200);
    let past: Vec<(f64, f64)> =
        history.iter().enumerate().skip(first).map(|(t, &v)| (t as f64, v)).collect();
    let bands: Vec<Band> = (0..forecast.mean.len())
        .map(|j| Band {
            x: forecast.index[j] as f64,
            mean: forecast.mean[j],
            lower: forecast.lower[j],
            upper: forecast.upper[j],
        })
        .collect();
    let coverage = format!("{:.0}% interval", 100.0 * (1.0 - forecast.alpha));
    forecast_png(&png, title, "t", "value", &past, &bands, &coverage)
        .map_err(|e| ArError::Invalid(e.to_string()))?;
    Ok((json, png))
}

/// Reads a model written by `genlab ar fit --out` (an [`ArModel`] as JSON), checked.
pub fn read_model(path: &Path) -> Result<ArModel, ArError> {
    let bad = |problem: String| ArError::Invalid(format!("{}: {problem}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let model: ArModel =
        serde_json::from_str(&text).map_err(|e| bad(format!("not an AR model: {e}")))?;
    model.validate().map_err(|e| bad(e.to_string()))?;
    Ok(model)
}

/// Writes a model as JSON (creating the folder it goes in).
pub fn write_model(path: &Path, model: &ArModel) -> Result<(), ArError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| ArError::Invalid(format!("creating {}: {e}", dir.display())))?;
    }
    let text = serde_json::to_string_pretty(model)
        .unwrap_or_else(|_| unreachable!("plain data serialises"));
    std::fs::write(path, text + "\n")
        .map_err(|e| ArError::Invalid(format!("writing {}: {e}", path.display())))
}
