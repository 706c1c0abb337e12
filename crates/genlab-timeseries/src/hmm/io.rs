//! Reading observations from files, writing state paths and drawing them.

use std::path::Path;

use super::{HmmError, Observations};

pub(crate) fn file_error(path: &Path, message: impl std::fmt::Display) -> HmmError {
    HmmError::File { path: path.display().to_string(), message: message.to_string() }
}

/// Writes `text` to `path`, creating its folder first.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<(), HmmError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    }
    std::fs::write(path, text).map_err(|e| file_error(path, e))
}

/// Feature vectors from numeric CSV columns (by header name, or 0-based index when the file
/// has no header): one sequence, one row per time step. An empty `columns` takes every column.
/// `nile` and `sunspots` (when no such file exists) are the series shipped with genlab; their
/// default column is the values, not the years.
pub fn read_csv_observations(
    path: impl AsRef<Path>,
    columns: &[String],
) -> Result<Observations, HmmError> {
    let path = path.as_ref();
    let embedded = match path.to_str() {
        Some("nile") if !path.exists() => Some(genlab_data::embedded::nile()),
        Some("sunspots") if !path.exists() => Some(genlab_data::embedded::sunspots()),
        _ => None,
    };
    let table = match embedded {
        Some(table) => table,
        None => genlab_data::csv::read_columns(path).map_err(|e| HmmError::File {
            path: path.display().to_string(),
            message: e.to_string().trim_start_matches(&format!("{}: ", path.display())).to_string(),
        })?,
    };
    let picked: Vec<&[f64]> = if columns.is_empty() && embedded_values(path, &table).is_some() {
        embedded_values(path, &table).into_iter().collect()
    } else if columns.is_empty() {
        table.values.iter().map(Vec::as_slice).collect()
    } else {
        columns
            .iter()
            .map(|c| table.get(c))
            .collect::<Result<_, _>>()
            .map_err(|e| file_error(path, e))?
    };
    let steps = picked[0].len();
    let mut values = Vec::with_capacity(steps * picked.len());
    for t in 0..steps {
        values.extend(picked.iter().map(|col| col[t]));
    }
    Ok(Observations::Vectors { n_features: picked.len(), values })
}

/// The value column of an embedded series (its last), when `path` named one.
fn embedded_values<'a>(path: &Path, table: &'a genlab_data::csv::Columns) -> Option<&'a [f64]> {
    let named = matches!(path.to_str(), Some("nile" | "sunspots")) && !path.exists();
    named.then(|| table.values.last().map(Vec::as_slice)).flatten()
}

/// Symbols from a text file: non-negative integers separated by whitespace; a blank line
/// starts a new sequence; `#` starts a comment to the end of the line. A token that is not a
/// non-negative integer is an error naming its line.
pub fn read_symbols(path: impl AsRef<Path>) -> Result<Vec<Observations>, HmmError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| file_error(path, e))?;
    parse_symbols(&text).map_err(|e| file_error(path, e))
}

/// Parses the text of a symbol file (see [`read_symbols`]).
pub fn parse_symbols(text: &str) -> Result<Vec<Observations>, String> {
    let mut sequences = Vec::new();
    let mut current = Vec::new();
    for (no, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            if !current.is_empty() {
                sequences.push(Observations::Symbols(std::mem::take(&mut current)));
            }
            continue;
        }
        for token in line.split_whitespace() {
            let symbol = token.parse::<usize>().map_err(|_| {
                format!("line {}: {token:?} is not a symbol (a non-negative integer)", no + 1)
            })?;
            current.push(symbol);
        }
    }
    if !current.is_empty() {
        sequences.push(Observations::Symbols(current));
    }
    if sequences.is_empty() {
        return Err("no symbols in the file".into());
    }
    Ok(sequences)
}

/// Writes a state path, one state per line.
pub fn write_path(path: impl AsRef<Path>, states: &[usize]) -> Result<(), HmmError> {
    let path = path.as_ref();
    let mut text = String::with_capacity(states.len() * 2);
    for s in states {
        text.push_str(&s.to_string());
        text.push('\n');
    }
    write_file(path, &text)
}

/// Writes observations as a file [`read_csv_observations`] or [`read_symbols`] reads back:
/// CSV with columns `x0, x1, ...` for vectors, one line of symbols per sequence otherwise.
pub fn write_observations(path: impl AsRef<Path>, x: &Observations) -> Result<(), HmmError> {
    let path = path.as_ref();
    let text = match x {
        Observations::Symbols(s) => {
            let words: Vec<String> = s.iter().map(usize::to_string).collect();
            words.join(" ") + "\n"
        }
        Observations::Vectors { n_features, values } => {
            let header: Vec<String> = (0..*n_features).map(|f| format!("x{f}")).collect();
            let mut text = header.join(",") + "\n";
            for row in values.chunks_exact(*n_features) {
                let fields: Vec<String> = row.iter().map(f64::to_string).collect();
                text.push_str(&fields.join(","));
                text.push('\n');
            }
            text
        }
    };
    write_file(path, &text)
}

/// Draws the series (its first feature, or the symbols) as points coloured by state, to PNG.
pub fn plot_states(
    path: impl AsRef<Path>,
    x: &Observations,
    states: &[usize],
) -> Result<(), HmmError> {
    let path = path.as_ref();
    let values: Vec<f64> = match x {
        Observations::Symbols(s) => s.iter().map(|&k| k as f64).collect(),
        Observations::Vectors { n_features, values } => {
            values.iter().step_by(*n_features).copied().collect()
        }
    };
    genlab_plot::states::states_png(path, &values, states).map_err(|e| file_error(path, e))
}

/// What a data file holds: symbols for a categorical model, feature vectors for a Gaussian one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKind {
    /// Whitespace-separated symbols ([`read_symbols`]).
    Symbols,
    /// Numeric CSV columns ([`read_csv_observations`]).
    Vectors,
}

impl DataKind {
    /// The kind a model's emission scores.
    pub fn of(emission: &super::Emission) -> Self {
        match emission {
            super::Emission::Categorical { .. } => DataKind::Symbols,
            super::Emission::Gaussian { .. } => DataKind::Vectors,
        }
    }

    /// `categorical` (symbols) or `gaussian` (vectors), as the CLI spells emissions.
    pub fn parse_emission(name: &str) -> Result<Self, HmmError> {
        match name {
            "categorical" => Ok(DataKind::Symbols),
            "gaussian" => Ok(DataKind::Vectors),
            other => Err(HmmError::Options {
                what: "emission",
                problem: format!("{other:?}: expected gaussian or categorical"),
            }),
        }
    }
}

/// Reads the sequences in `path`: symbols (blank lines between sequences) or CSV columns
/// (`columns` by name or position; all of them when empty; one sequence).
pub fn read_observations(
    path: impl AsRef<Path>,
    kind: DataKind,
    columns: &[String],
) -> Result<Vec<Observations>, HmmError> {
    match kind {
        DataKind::Symbols => read_symbols(path),
        DataKind::Vectors => Ok(vec![read_csv_observations(path, columns)?]),
    }
}
