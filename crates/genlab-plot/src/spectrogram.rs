//! Short-time Fourier magnitudes in dB, the picture of a sound (what `librosa.stft` or
//! `torch.stft` with a Hann window gives, as 20 log10 |X|).

use std::sync::Arc;

use rustfft::FftPlanner;
use rustfft::num_complex::Complex32;

use crate::PlotError;

/// STFT settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpectrogramConfig {
    /// FFT length (and Hann window length), in samples.
    pub n_fft: usize,
    /// Samples between frames.
    pub hop: usize,
}

impl Default for SpectrogramConfig {
    /// 512-point frames every 128 samples (32 ms and 8 ms at 16 kHz).
    fn default() -> Self {
        Self { n_fft: 512, hop: 128 }
    }
}

/// Magnitudes of the frames of a clip, in dB.
#[derive(Debug, Clone)]
pub struct Spectrogram {
    /// Frames (time).
    pub frames: usize,
    /// Frequency bins, 0 to Nyquist (`n_fft / 2 + 1`).
    pub bins: usize,
    /// FFT length.
    pub n_fft: usize,
    /// Samples between frames.
    pub hop: usize,
    /// Sample rate of the clip.
    pub sample_rate: u32,
    db: Vec<f32>, // [frames, bins]
}

impl Spectrogram {
    /// Level of `bin` in `frame`, in dB.
    pub fn db(&self, frame: usize, bin: usize) -> f32 {
        self.db[frame * self.bins + bin]
    }

    /// The loudest cell.
    pub fn peak_db(&self) -> f32 {
        self.db.iter().copied().fold(f32::MIN, f32::max)
    }

    /// The clip's length in seconds.
    pub fn seconds(&self) -> f64 {
        ((self.frames - 1) * self.hop + self.n_fft) as f64 / self.sample_rate as f64
    }
}

/// The spectrogram of `samples` (a clip shorter than one frame is zero-padded to one).
pub fn spectrogram(
    samples: &[f32],
    sample_rate: u32,
    config: &SpectrogramConfig,
) -> Result<Spectrogram, PlotError> {
    let SpectrogramConfig { n_fft, hop } = *config;
    if samples.is_empty() {
        return Err(PlotError::Input("a spectrogram needs at least one sample".into()));
    }
    if n_fft < 2 || hop == 0 {
        return Err(PlotError::Input(format!(
            "spectrogram n_fft {n_fft} / hop {hop}: need n_fft >= 2 and hop >= 1"
        )));
    }
    let frames = if samples.len() <= n_fft { 1 } else { 1 + (samples.len() - n_fft).div_ceil(hop) };
    let bins = n_fft / 2 + 1;
    let fft: Arc<dyn rustfft::Fft<f32>> = FftPlanner::new().plan_fft_forward(n_fft);
    let window: Vec<f32> = (0..n_fft)
        .map(|i| 0.5 - 0.5 * (2.0 * std::f32::consts::PI * i as f32 / n_fft as f32).cos())
        .collect();
    let mut db = Vec::with_capacity(frames * bins);
    let mut buf = vec![Complex32::default(); n_fft];
    for f in 0..frames {
        for (i, c) in buf.iter_mut().enumerate() {
            let x = samples.get(f * hop + i).copied().unwrap_or(0.0);
            *c = Complex32::new(x * window[i], 0.0);
        }
        fft.process(&mut buf);
        db.extend(buf[..bins].iter().map(|c| 20.0 * (c.norm() + 1e-6).log10()));
    }
    Ok(Spectrogram { frames, bins, n_fft, hop, sample_rate, db })
}
