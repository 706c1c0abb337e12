//! Training audio: WAV files, a folder of them, or the embedded speech, as mu-law classes,
//! and the random fixed-length windows a training step takes.
//!
//! Each clip is one speaker (the file's stem names it) for global conditioning. Files are
//! mixed down to mono by the WAV reader; every clip of a set must share one sample rate, which
//! becomes the model's. genlab does not resample: a file at another rate is refused with the
//! rate it has and the rate wanted (convert it first, e.g. `sox in.wav -r 16000 out.wav`).

use std::path::{Path, PathBuf};

use genlab_data::wav::{Audio, read_wav};

use crate::error::WavenetError;
use crate::mulaw;

/// Lowest and highest sample rates accepted.
pub const RATES: (u32, u32) = (4_000, 96_000);

/// One clip as mu-law classes.
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    /// Where it came from (the file stem, or the embedded clip's name).
    pub name: String,
    /// Its samples as classes.
    pub classes: Vec<u8>,
}

/// Clips at one sample rate.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioSet {
    /// Samples per second.
    pub sample_rate: u32,
    /// The clips, in file-name order; clip `i` is speaker `i`.
    pub clips: Vec<Clip>,
}

impl AudioSet {
    /// Reads `spec`: `embedded` (24 s of speech, six voices), a WAV file, or a folder whose
    /// `*.wav` files are read in name order.
    pub fn load(spec: &str) -> Result<Self, WavenetError> {
        if spec == "embedded" {
            let clips = genlab_data::embedded::speech();
            return Self::from_audio(clips.into_iter().map(|(n, a)| (n.to_string(), a)), spec);
        }
        let path = Path::new(spec);
        let files = if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| WavenetError::Data(format!("reading folder {spec}: {e}")))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("wav")))
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(WavenetError::Data(format!("folder {spec} holds no .wav files")));
            }
            files
        } else if path.is_file() {
            vec![path.to_path_buf()]
        } else {
            return Err(WavenetError::Data(format!(
                "{spec} is neither a WAV file, a folder of them, nor `embedded`"
            )));
        };
        let clips = files
            .iter()
            .map(|f| {
                let audio = read_wav(f).map_err(|e| WavenetError::Data(e.to_string()))?;
                let name = f.file_stem().map(|s| s.to_string_lossy().into_owned());
                Ok((name.unwrap_or_default(), audio))
            })
            .collect::<Result<Vec<_>, WavenetError>>()?;
        Self::from_audio(clips, spec)
    }

    /// Clips from decoded audio; `source` names the set in errors.
    pub fn from_audio(
        clips: impl IntoIterator<Item = (String, Audio)>,
        source: &str,
    ) -> Result<Self, WavenetError> {
        let mut rate = None;
        let mut out = Vec::new();
        for (name, audio) in clips {
            if audio.bits == 8 {
                return Err(WavenetError::Data(format!(
                    "{name} ({source}) is 8-bit audio: its 256 linear levels are coarser than the \
                     model's 8-bit mu-law classes near silence; give 16-bit or better"
                )));
            }
            let r = audio.sample_rate;
            if !(RATES.0..=RATES.1).contains(&r) {
                return Err(WavenetError::Data(format!(
                    "{name} ({source}) is at {r} Hz; genlab takes {} to {} Hz",
                    RATES.0, RATES.1
                )));
            }
            match rate {
                Some(first) if first != r => {
                    return Err(WavenetError::Data(format!(
                        "{name} ({source}) is at {r} Hz, the clips before it at {first} Hz; \
                         genlab does not resample, so convert the files to one rate"
                    )));
                }
                _ => rate = Some(r),
            }
            if audio.samples.len() < 2 {
                return Err(WavenetError::Data(format!("{name} ({source}) holds no audio")));
            }
            out.push(Clip { name, classes: mulaw::encode_all(&audio.samples) });
        }
        let sample_rate =
            rate.ok_or_else(|| WavenetError::Data(format!("{source} holds no clips")))?;
        Ok(Self { sample_rate, clips: out })
    }

    /// Checks that the set is at `rate` (a model's); the error names both rates.
    pub fn expect_rate(&self, rate: u32, what: &str) -> Result<(), WavenetError> {
        if self.sample_rate != rate {
            return Err(WavenetError::Data(format!(
                "{what} is at {} Hz but the model was trained at {rate} Hz; genlab does not \
                 resample, so convert it first",
                self.sample_rate
            )));
        }
        Ok(())
    }

    /// Samples in all clips.
    pub fn samples(&self) -> usize {
        self.clips.iter().map(|c| c.classes.len()).sum()
    }

    /// The speaker names, in id order.
    pub fn speakers(&self) -> Vec<String> {
        self.clips.iter().map(|c| c.name.clone()).collect()
    }
}

/// A batch of training windows: inputs and next-sample targets, `[batch, window]` row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowBatch {
    /// Classes `x[s .. s + window]` of each window.
    pub inputs: Vec<i64>,
    /// Classes `x[s + 1 .. s + window + 1]`.
    pub targets: Vec<i64>,
    /// Each window's clip (its speaker).
    pub speakers: Vec<i64>,
}

/// Random windows of `window + 1` samples from a set's clips, every start equally likely.
///
/// The seed scheme is simple enough to repeat in any language (the PyTorch peer does):
/// window `b` of step `s` is start `splitmix64(step_seed(seed, s))`'s `b + 1`-th output modulo
/// the number of possible starts, counted clip by clip.
#[derive(Debug, Clone)]
pub struct Windows {
    window: usize,
    /// Cumulative count of starts before each clip.
    offsets: Vec<u64>,
    total: u64,
}

impl Windows {
    /// Windows of `window` inputs over `set`; clips shorter than `window + 1` are skipped.
    pub fn new(set: &AudioSet, window: usize) -> Result<Self, WavenetError> {
        let mut offsets = Vec::with_capacity(set.clips.len());
        let mut total = 0u64;
        for clip in &set.clips {
            offsets.push(total);
            total += clip.classes.len().saturating_sub(window) as u64;
        }
        if total == 0 {
            return Err(WavenetError::Data(format!(
                "every clip is shorter than a training window of {} samples; use a shorter \
                 --window or longer audio",
                window + 1
            )));
        }
        Ok(Self { window, offsets, total })
    }

    /// The windows of step `step`.
    pub fn batch(&self, set: &AudioSet, seed: u64, step: u64, batch: usize) -> WindowBatch {
        let mut rng = SplitMix64(genlab_train::step_seed(seed, step));
        let w = self.window;
        let mut out = WindowBatch {
            inputs: Vec::with_capacity(batch * w),
            targets: Vec::with_capacity(batch * w),
            speakers: Vec::with_capacity(batch),
        };
        for _ in 0..batch {
            let index = rng.next() % self.total;
            let clip = self.offsets.partition_point(|&o| o <= index) - 1;
            let start = (index - self.offsets[clip]) as usize;
            let x = &set.clips[clip].classes[start..start + w + 1];
            out.inputs.extend(x[..w].iter().map(|&c| c as i64));
            out.targets.extend(x[1..].iter().map(|&c| c as i64));
            out.speakers.push(clip as i64);
        }
        out
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator with a one-line Python twin.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audio(rate: u32, bits: u16, n: usize) -> Audio {
        let samples = (0..n).map(|i| ((i as f32) * 0.01).sin() * 0.5).collect();
        Audio { sample_rate: rate, samples, channels: 1, bits }
    }

    #[test]
    fn windows_stay_inside_one_clip_and_targets_are_the_next_sample() {
        let set = AudioSet::from_audio(
            [("a".to_string(), audio(16_000, 16, 50)), ("b".to_string(), audio(16_000, 16, 300))],
            "test",
        )
        .unwrap();
        let windows = Windows::new(&set, 40).unwrap();
        for step in 0..50 {
            let b = windows.batch(&set, 3, step, 4);
            assert_eq!((b.inputs.len(), b.targets.len(), b.speakers.len()), (160, 160, 4));
            for i in 0..4 {
                let (x, y) = (&b.inputs[i * 40..(i + 1) * 40], &b.targets[i * 40..(i + 1) * 40]);
                assert_eq!(&x[1..], &y[..39]);
                let clip = &set.clips[b.speakers[i] as usize].classes;
                let found = clip.windows(41).any(|w| {
                    w[..40].iter().zip(x).all(|(a, &b)| *a as i64 == b) && w[40] as i64 == y[39]
                });
                assert!(found, "window {i} of step {step} is not a stretch of its clip");
            }
        }
        assert_eq!(windows.batch(&set, 3, 7, 4), windows.batch(&set, 3, 7, 4));
        assert_ne!(windows.batch(&set, 3, 7, 4), windows.batch(&set, 3, 8, 4));
    }

    #[test]
    fn refuses_8_bit_mixed_rates_odd_rates_and_short_clips() {
        let one = |a: Audio| AudioSet::from_audio([("x".to_string(), a)], "test");
        assert!(one(audio(16_000, 8, 100)).unwrap_err().to_string().contains("8-bit"));
        assert!(one(audio(1_000, 16, 100)).unwrap_err().to_string().contains("1000 Hz"));
        let mixed = AudioSet::from_audio(
            [("a".to_string(), audio(16_000, 16, 100)), ("b".to_string(), audio(22_050, 16, 100))],
            "test",
        );
        assert!(mixed.unwrap_err().to_string().contains("22050 Hz"));
        let set = one(audio(16_000, 16, 100)).unwrap();
        assert!(Windows::new(&set, 100).unwrap_err().to_string().contains("shorter"));
        assert!(set.expect_rate(8_000, "the eval audio").is_err());
        assert!(AudioSet::from_audio([], "nothing").is_err());
    }

    #[test]
    fn splitmix_matches_its_reference_output() {
        // The first output for seed 1234567 in the reference C implementation (and Python's
        // twin in benches/peers/wavenet.py).
        assert_eq!(SplitMix64(1234567).next(), 6457827717110365317);
    }
}
