//! Getting a series ready for a model: per-channel standardisation and fixed-width windows.

use serde::{Deserialize, Serialize};

use super::SensorSeries;
use crate::error::DataError;

impl SensorSeries {
    /// The values of channel `c` over time. Panics when `c` is out of range.
    pub fn channel(&self, c: usize) -> Vec<f32> {
        assert!(c < self.channels, "channel {c} of a {}-channel series", self.channels);
        self.values.iter().skip(c).step_by(self.channels).copied().collect()
    }

    /// Standardises every channel with `stats` (fitted, usually, on normal training data).
    pub fn normalise(&mut self, stats: &ChannelStats) -> Result<(), DataError> {
        if stats.mean.len() != self.channels || stats.std.len() != self.channels {
            return Err(DataError::Invalid {
                problem: format!(
                    "statistics for {} channels cannot normalise a {}-channel series",
                    stats.mean.len(),
                    self.channels
                ),
            });
        }
        if self.channels == 0 {
            return Ok(());
        }
        for row in self.values.chunks_exact_mut(self.channels) {
            for ((v, m), s) in row.iter_mut().zip(&stats.mean).zip(&stats.std) {
                *v = (*v - m) / s;
            }
        }
        Ok(())
    }
}

/// Per-channel mean and standard deviation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelStats {
    /// Mean of each channel.
    pub mean: Vec<f32>,
    /// Standard deviation of each channel (1 for a constant channel, so dividing is safe).
    pub std: Vec<f32>,
}

impl ChannelStats {
    /// Statistics of every channel of `series` (mean 0, std 1 for an empty series).
    pub fn fit(series: &SensorSeries) -> Self {
        let (n, c) = (series.len.max(1) as f64, series.channels);
        let (mut sum, mut sq) = (vec![0.0f64; c], vec![0.0f64; c]);
        for row in series.values.chunks_exact(c.max(1)) {
            for (k, &v) in row.iter().enumerate() {
                sum[k] += f64::from(v);
                sq[k] += f64::from(v) * f64::from(v);
            }
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let std = sq
            .iter()
            .zip(&mean)
            .map(|(q, m)| {
                let s = (q / n - m * m).max(0.0).sqrt();
                if s > 1e-6 { s as f32 } else { 1.0 }
            })
            .collect();
        ChannelStats { mean: mean.into_iter().map(|m| m as f32).collect(), std }
    }
}

/// Fixed-width windows cut from a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Windows {
    /// Time steps per window.
    pub width: usize,
    /// Channels per window.
    pub channels: usize,
    /// `n × channels × width` values; each window channel-major `[channels][width]`.
    pub data: Vec<f32>,
    /// First time step of each window.
    pub starts: Vec<usize>,
    /// Per window: contains at least one faulty step.
    pub labels: Vec<bool>,
}

impl Windows {
    /// Number of windows.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when there are no windows.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Values per window (`channels × width`).
    pub fn window_len(&self) -> usize {
        self.channels * self.width
    }

    /// Window `i`, `[channels, width]`. Panics when `i` is out of range, like slice indexing.
    pub fn window(&self, i: usize) -> &[f32] {
        let len = self.window_len();
        &self.data[i * len..(i + 1) * len]
    }

    /// The chosen windows, concatenated (a batch `[indices.len(), channels, width]`).
    pub fn gather(&self, indices: &[usize]) -> Vec<f32> {
        indices.iter().flat_map(|&i| self.window(i).iter().copied()).collect()
    }
}

/// Every window of `width` steps starting at 0, `stride`, `2 × stride`, ... that fits in the
/// series; a `width` longer than the series gives none. A `width` or `stride` of 0 is an error
/// (it used to be taken as 1, while the per-step scoring took it as 0).
pub fn windows(series: &SensorSeries, width: usize, stride: usize) -> Result<Windows, DataError> {
    for (name, value) in [("window width", width), ("window stride", stride)] {
        if value == 0 {
            return Err(DataError::Invalid {
                problem: format!("{name} is 0: it must be at least 1"),
            });
        }
    }
    let c = series.channels;
    let starts: Vec<usize> = if width > series.len {
        Vec::new()
    } else {
        (0..=series.len - width).step_by(stride).collect()
    };
    // faulty[t] = number of faulty steps before t, so a window's count is a difference.
    let mut faulty = vec![0usize; series.labels.len() + 1];
    for (t, &l) in series.labels.iter().enumerate() {
        faulty[t + 1] = faulty[t] + usize::from(l);
    }
    let mut data = Vec::with_capacity(starts.len() * c * width);
    for &s in &starts {
        for k in 0..c {
            data.extend((s..s + width).map(|t| series.values[t * c + k]));
        }
    }
    let labels = starts
        .iter()
        .map(|&s| faulty[(s + width).min(series.labels.len())] > faulty[s.min(series.labels.len())])
        .collect();
    Ok(Windows { width, channels: c, data, starts, labels })
}
