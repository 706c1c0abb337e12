//! Where a series comes from: an embedded data set, a CSV column or a WAV file.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::ArError;

/// A series to fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SeriesSource {
    /// `sunspots` (yearly, 1700-2008) or `nile` (yearly flow, 1871-1970), shipped with genlab.
    Embedded(String),
    /// One column of a CSV file, by header name or 0-based position.
    Csv {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// The samples of a WAV file (channels mixed to mono), scaled to [-1, 1].
    Wav(PathBuf),
}

impl SeriesSource {
    /// Parses a command-line spec: `sunspots`, `nile`, `file.wav`, or `file.csv[:column]`
    /// (without a column, the last one: CSVs usually put the time first).
    pub fn parse(spec: &str) -> Self {
        match spec {
            "sunspots" | "nile" => return Self::Embedded(spec.into()),
            _ => {}
        }
        if spec.to_ascii_lowercase().ends_with(".wav") {
            return Self::Wav(spec.into());
        }
        match spec.rsplit_once(':') {
            Some((path, column)) if !column.is_empty() && !column.contains('/') => {
                Self::Csv { path: path.into(), column: column.into() }
            }
            _ => Self::Csv { path: spec.into(), column: String::new() },
        }
    }
}

/// Reads the series a source names.
pub fn read_series(source: &SeriesSource) -> Result<Vec<f64>, ArError> {
    let pick = |cols: &genlab_data::csv::Columns, column: &str, what: &str| {
        let column = if column.is_empty() {
            cols.names.last().cloned().unwrap_or_default()
        } else {
            column.to_string()
        };
        cols.get(&column).map(<[f64]>::to_vec).map_err(|e| ArError::Invalid(format!("{what}: {e}")))
    };
    match source {
        SeriesSource::Embedded(name) => match name.as_str() {
            "sunspots" => pick(&genlab_data::embedded::sunspots(), "", "sunspots"),
            "nile" => pick(&genlab_data::embedded::nile(), "", "nile"),
            other => {
                Err(ArError::Invalid(format!("no embedded series {other:?}: sunspots or nile")))
            }
        },
        SeriesSource::Csv { path, column } => {
            let cols = genlab_data::csv::read_columns(path)?;
            pick(&cols, column, &path.display().to_string())
        }
        SeriesSource::Wav(path) => {
            let audio = genlab_data::wav::read_wav(path)?;
            Ok(audio.samples.iter().map(|&s| f64::from(s)).collect())
        }
    }
}
