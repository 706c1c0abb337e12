//! Real sensor logs as CSV: one row per time step, one numeric column per channel.
//!
//! Fields are separated by commas and trimmed; blank lines and lines starting with `#` are
//! skipped. The first row is a header when any of its fields is not a number (or `true` /
//! `false`); without a header, columns are named by their 0-based position (`"0"`, `"1"`, ...).
//! Quoted fields with commas inside are not supported.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::DataError;
use crate::sensors::SensorSeries;

/// Which columns of a sensor CSV are not channels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvOptions {
    /// A column of per-step fault labels (`0`/`1` or `true`/`false`); without one, every step
    /// is labelled normal.
    pub label_column: Option<String>,
    /// A column of timestamps, dropped unread (it may hold any text).
    pub time_column: Option<String>,
}

/// Reads a sensor log; every column but the label and time columns becomes a channel. Errors
/// name the file, and the line and column where there is one.
pub fn read_sensor_csv(
    path: impl AsRef<Path>,
    opts: &CsvOptions,
) -> Result<SensorSeries, DataError> {
    let path = path.as_ref();
    let text = crate::text::read_text(path)?;
    parse_sensor_csv(&text, opts).map_err(|problem| DataError::format(path, problem))
}

/// Parses sensor CSV text (see [`read_sensor_csv`]); the error names the 1-based line and
/// column and the problem.
pub fn parse_sensor_csv(text: &str, opts: &CsvOptions) -> Result<SensorSeries, String> {
    let table = Table::split(text, |f| f.parse::<f64>().is_ok() || parse_bool(f).is_some())?;
    let (first_no, header, names) = (table.first_no, table.header, &table.names);
    let find = |what: &str, wanted: &Option<String>| match wanted {
        None => Ok(None),
        Some(name) => names.iter().position(|n| n == name).map(Some).ok_or_else(|| {
            let known = if header { "" } else { " (there is no header, so columns are 0, 1, ...)" };
            format!(
                "line {first_no}: no {what} column named {name:?}; the columns are {}{known}",
                names.join(", ")
            )
        }),
    };
    let label = find("label", &opts.label_column)?;
    let time = find("time", &opts.time_column)?;
    if label.is_some() && label == time {
        return Err(format!("line {first_no}: the label and time columns are the same column"));
    }
    let channels: Vec<usize> =
        (0..names.len()).filter(|&k| Some(k) != label && Some(k) != time).collect();
    if channels.is_empty() {
        return Err(format!(
            "line {first_no}: no channel columns once the label and time columns are set aside"
        ));
    }

    let mut values = Vec::new();
    let mut labels = Vec::new();
    for (no, row) in table.rows()? {
        let at = |k: usize| format!("line {no}, column {} ({:?})", k + 1, names[k]);
        for &k in &channels {
            match row[k].parse::<f32>() {
                Ok(v) if v.is_finite() => values.push(v),
                Ok(_) => return Err(format!("{}: {:?} is not a finite number", at(k), row[k])),
                Err(_) => return Err(format!("{}: {:?} is not a number", at(k), row[k])),
            }
        }
        labels.push(match label {
            None => false,
            Some(k) => parse_bool(row[k]).ok_or_else(|| {
                format!("{}: {:?} is not a label (0/1 or true/false)", at(k), row[k])
            })?,
        });
    }
    if labels.is_empty() {
        return Err(format!("line {first_no}: a header but no data rows"));
    }
    Ok(SensorSeries {
        channels: channels.len(),
        len: labels.len(),
        values,
        labels,
        faults: Vec::new(),
    })
}

/// Writes `series` as CSV with a header `t,ch0,ch1,...,label`: the time step, the channels and
/// the label as 0/1. Read it back with `time_column: Some("t")`, `label_column: Some("label")`;
/// values round-trip exactly. Faults other than the labels are not written.
pub fn write_sensor_csv(series: &SensorSeries, path: impl AsRef<Path>) -> Result<(), DataError> {
    let path = path.as_ref();
    let c = series.channels;
    if series.values.len() != series.len * c || series.labels.len() != series.len {
        return Err(DataError::Invalid {
            problem: format!(
                "inconsistent series: {} values and {} labels for {} steps of {c} channels",
                series.values.len(),
                series.labels.len(),
                series.len
            ),
        });
    }
    let io = |e| DataError::io(path, e);
    let file = std::fs::File::create(path).map_err(io)?;
    let mut out = std::io::BufWriter::new(file);
    let names: Vec<String> = (0..c).map(|k| format!("ch{k}")).collect();
    writeln!(out, "t,{},label", names.join(",")).map_err(io)?;
    for (t, row) in series.values.chunks_exact(c.max(1)).take(series.len).enumerate() {
        write!(out, "{t}").map_err(io)?;
        for v in row {
            write!(out, ",{v}").map_err(io)?;
        }
        writeln!(out, ",{}", u8::from(series.labels[t])).map_err(io)?;
    }
    out.flush().map_err(io)
}

/// The numeric columns of a CSV file as `f64`, for series models (AR, HMM): see
/// [`read_columns`].
#[derive(Debug, Clone, PartialEq)]
pub struct Columns {
    /// Column names: the header's, or `"0"`, `"1"`, ... without one.
    pub names: Vec<String>,
    /// One vector per column, every one as long as the file has data rows.
    pub values: Vec<Vec<f64>>,
}

impl Columns {
    /// The column named `name`, or at 0-based position `name` when no column has that name;
    /// an unknown one is an error listing the columns.
    pub fn get(&self, name: &str) -> Result<&[f64], String> {
        let by_name = self.names.iter().position(|n| n == name);
        let by_index = name.parse::<usize>().ok().filter(|&i| i < self.names.len());
        match by_name.or(by_index) {
            Some(i) => Ok(&self.values[i]),
            None => Err(format!("no column {name:?}; the columns are {}", self.names.join(", "))),
        }
    }
}

/// Reads every column of a CSV as `f64` (same layout rules as [`read_sensor_csv`]). A missing,
/// non-numeric or non-finite value (`NaN`, `inf`) is an error naming its line and column:
/// series models have no notion of a gap, so fill or drop such rows first.
pub fn read_columns(path: impl AsRef<Path>) -> Result<Columns, DataError> {
    let path = path.as_ref();
    let text = crate::text::read_text(path)?;
    parse_columns(&text).map_err(|problem| DataError::format(path, problem))
}

/// Parses CSV text into columns (see [`read_columns`]).
pub fn parse_columns(text: &str) -> Result<Columns, String> {
    let table = Table::split(text, |f| f.parse::<f64>().is_ok())?;
    let names = &table.names;
    let mut values = vec![Vec::new(); names.len()];
    for (no, row) in table.rows()? {
        for (k, field) in row.iter().enumerate() {
            let at = || format!("line {no}, column {} ({:?})", k + 1, names[k]);
            match field.parse::<f64>() {
                Ok(v) if v.is_finite() => values[k].push(v),
                Ok(_) => return Err(format!("{}: {field:?} is not a finite number", at())),
                Err(_) if field.is_empty() => return Err(format!("{}: a missing value", at())),
                Err(_) => return Err(format!("{}: {field:?} is not a number", at())),
            }
        }
    }
    if values[0].is_empty() {
        return Err(format!("line {}: a header but no data rows", table.first_no));
    }
    Ok(Columns { names: table.names, values })
}

/// A CSV split into lines and fields: the column names (the header's, or positions) and
/// the data lines, each checked to have one field per column.
struct Table<'a> {
    /// 1-based line number of the first non-comment line.
    first_no: usize,
    /// Whether that line is a header.
    header: bool,
    names: Vec<String>,
    lines: Vec<(usize, &'a str)>,
}

impl<'a> Table<'a> {
    /// Skips a BOM, blank lines and `#` comments; the first line is a header when any field
    /// fails `is_value`.
    fn split(text: &'a str, is_value: impl Fn(&str) -> bool) -> Result<Self, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim()))
            .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'));
        let Some((first_no, first)) = lines.next() else {
            return Err("no data: the file holds only blank or comment lines".into());
        };
        let first_fields = fields(first);
        let header = first_fields.iter().any(|f| !is_value(f));
        let names = if header {
            first_fields.iter().map(|f| f.trim_matches('"').to_string()).collect()
        } else {
            (0..first_fields.len()).map(|i| i.to_string()).collect()
        };
        let lines = (!header).then_some((first_no, first)).into_iter().chain(lines).collect();
        Ok(Self { first_no, header, names, lines })
    }

    /// The data rows as (line number, fields); a row with the wrong number of fields is an
    /// error naming its line.
    fn rows(&self) -> Result<Vec<(usize, Vec<&'a str>)>, String> {
        self.lines
            .iter()
            .map(|&(no, line)| {
                let row = fields(line);
                if row.len() != self.names.len() {
                    return Err(format!(
                        "line {no}: {} fields, expected {} as on line {}",
                        row.len(),
                        self.names.len(),
                        self.first_no
                    ));
                }
                Ok((no, row))
            })
            .collect()
    }
}

/// The trimmed comma-separated fields of a line.
fn fields(line: &str) -> Vec<&str> {
    line.split(',').map(str::trim).collect()
}

/// `0`/`1` (also as `0.0`/`1.0`) or `true`/`false` in any case.
fn parse_bool(field: &str) -> Option<bool> {
    match field.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        other => match other.parse::<f64>() {
            Ok(0.0) => Some(false),
            Ok(1.0) => Some(true),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sensors::{SensorConfig, generate};

    fn opts(label: Option<&str>, time: Option<&str>) -> CsvOptions {
        CsvOptions { label_column: label.map(Into::into), time_column: time.map(Into::into) }
    }

    fn read(text: &str, o: &CsvOptions) -> Result<SensorSeries, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.csv");
        std::fs::write(&path, text).unwrap();
        read_sensor_csv(&path, o).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_header_comments_labels_and_time() {
        let text = "# pump 3\ntime,temp,label,vib\n\n2024-01-01T00:00,1.5,0,-2\n\
                    # a comment\n2024-01-01T00:01, 2.5 ,true,3e-1\r\n";
        let s = read(text, &opts(Some("label"), Some("time"))).unwrap();
        assert_eq!((s.channels, s.len), (2, 2));
        assert_eq!(s.values, vec![1.5, -2.0, 2.5, 0.3]);
        assert_eq!(s.labels, vec![false, true]);
        // No header: every column a channel, labels all false; columns named by position.
        let s = read("1,2,0\n3,4,1\n", &CsvOptions::default()).unwrap();
        assert_eq!((s.channels, s.len, s.labels), (3, 2, vec![false, false]));
        let s = read("1,2,0\n3,4,1\n", &opts(Some("2"), None)).unwrap();
        assert_eq!((s.channels, s.labels), (2, vec![false, true]));
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let o = opts(Some("label"), None);
        let e = read("a,b,label\n1,2,0\n1,x,0\n", &o).unwrap_err();
        assert!(e.contains("log.csv") && e.contains("line 3, column 2 (\"b\")"), "{e}");
        assert!(e.contains("\"x\" is not a number"), "{e}");
        let e = read("a,b,label\n1,2,0\n\n1,2\n", &o).unwrap_err();
        assert!(e.contains("line 4: 2 fields, expected 3 as on line 1"), "{e}");
        let e = read("a,b,label\n1,2,maybe\n", &o).unwrap_err();
        assert!(e.contains("line 2, column 3 (\"label\")") && e.contains("not a label"), "{e}");
        let e = read("a,b\n1,inf\n", &o).unwrap_err();
        assert!(e.contains("no label column named \"label\"; the columns are a, b"), "{e}");
        let e = read("a,b\n1,inf\n", &CsvOptions::default()).unwrap_err();
        assert!(e.contains("line 2, column 2") && e.contains("not a finite number"), "{e}");
        let e = read("", &o).unwrap_err();
        assert!(e.contains("log.csv") && e.contains("empty"), "{e}");
        let e = read("# nothing\n\n", &o).unwrap_err();
        assert!(e.contains("only blank or comment lines"), "{e}");
        let e = read("a,b,label\n", &o).unwrap_err();
        assert!(e.contains("no data rows"), "{e}");
        let e = read("label\n1\n", &o).unwrap_err();
        assert!(e.contains("no channel columns"), "{e}");
    }

    #[test]
    fn columns_read_as_f64_and_refuse_gaps_by_line_and_column() {
        let c = parse_columns("year,spots\n1700,5.0\n# gap\n1701, 11.25\n").unwrap();
        assert_eq!(c.names, ["year", "spots"]);
        assert_eq!(c.get("spots").unwrap(), [5.0, 11.25]);
        assert_eq!(c.get("0").unwrap(), [1700.0, 1701.0]);
        assert!(c.get("moons").unwrap_err().contains("the columns are year, spots"));
        let c = parse_columns("0.1\n0.2\n").unwrap();
        assert_eq!(
            (c.names.as_slice(), c.values[0].as_slice()),
            (["0".to_string()].as_slice(), [0.1, 0.2].as_slice())
        );
        let e = parse_columns("a,b\n1,2\n3,NaN\n").unwrap_err();
        assert!(e.contains("line 3, column 2 (\"b\")") && e.contains("not a finite number"), "{e}");
        let e = parse_columns("a,b\n1,\n").unwrap_err();
        assert!(e.contains("line 2, column 2") && e.contains("missing value"), "{e}");
        let e = parse_columns("a\n").unwrap_err();
        assert!(e.contains("no data rows"), "{e}");
    }

    #[test]
    fn round_trips_a_generated_series() {
        let cfg = SensorConfig { channels: 3, len: 2000, ..SensorConfig::default() };
        let series = generate(&cfg);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("series.csv");
        write_sensor_csv(&series, &path).unwrap();
        let back = read_sensor_csv(&path, &opts(Some("label"), Some("t"))).unwrap();
        assert_eq!(back.values, series.values);
        assert_eq!(back.labels, series.labels);
        assert_eq!((back.channels, back.len), (3, 2000));
        let bad = SensorSeries { len: 5, ..series };
        assert!(write_sensor_csv(&bad, &path).unwrap_err().to_string().contains("inconsistent"));
    }
}
