//! WAV files: RIFF/WAVE with PCM (8/16/24/32-bit) or IEEE float (32/64-bit) samples, any
//! rate and channel count, mixed down to mono `f32` in [-1, 1].
//!
//! Written here rather than taken from a crate so that every malformed file is an error and
//! none can panic or allocate without bound (see the proptest below).

use std::path::Path;

use crate::error::DataError;

/// Largest WAV file accepted (2 GiB).
pub const MAX_WAV_BYTES: u64 = 2 << 30;

/// Mono audio.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    /// Samples per second.
    pub sample_rate: u32,
    /// Samples in [-1, 1], the channels averaged.
    pub samples: Vec<f32>,
    /// Channels in the file before mixing.
    pub channels: u16,
    /// Bits per sample in the file (8, 16, 24 or 32 for PCM; 32 or 64 for float).
    pub bits: u16,
}

/// Reads a WAV file and mixes it down to mono.
pub fn read_wav(path: impl AsRef<Path>) -> Result<Audio, DataError> {
    let path = path.as_ref();
    let len = std::fs::metadata(path).map_err(|e| DataError::io(path, e))?.len();
    if len > MAX_WAV_BYTES {
        return Err(DataError::format(
            path,
            format!("{len} bytes is larger than the {MAX_WAV_BYTES} accepted"),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    parse_wav(&bytes).map_err(|problem| DataError::format(path, problem))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Int,
    Float,
}

/// Parses WAV bytes; the error is a sentence naming the problem.
pub fn parse_wav(bytes: &[u8]) -> Result<Audio, String> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err("not a RIFF/WAVE file (missing 'RIFF....WAVE' header)".into());
    }
    let mut pos = 12;
    let mut format: Option<(Encoding, u16, u32, u16)> = None; // (encoding, channels, rate, bits)
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let size =
            u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().expect("4 bytes")) as usize;
        let body_start = pos + 8;
        let body_end = body_start.checked_add(size).ok_or("chunk size overflows")?;
        match id {
            b"fmt " => {
                let body = bytes.get(body_start..body_end).ok_or("truncated 'fmt ' chunk")?;
                format = Some(parse_fmt(body)?);
            }
            b"data" => {
                let (encoding, channels, rate, bits) =
                    format.ok_or("'data' chunk comes before any 'fmt ' chunk")?;
                // Some writers leave the data size unset; take what is there.
                let body = &bytes[body_start..body_end.min(bytes.len())];
                let samples = decode(body, encoding, channels, bits)?;
                return Ok(Audio { sample_rate: rate, samples, channels, bits });
            }
            _ => {}
        }
        // Chunks are padded to an even size.
        pos = body_end.checked_add(size & 1).ok_or("chunk size overflows")?;
    }
    Err(if format.is_none() { "no 'fmt ' chunk".into() } else { "no 'data' chunk".into() })
}

fn parse_fmt(body: &[u8]) -> Result<(Encoding, u16, u32, u16), String> {
    if body.len() < 16 {
        return Err(format!("'fmt ' chunk of {} bytes is too short (16 needed)", body.len()));
    }
    let u16_at = |i: usize| u16::from_le_bytes([body[i], body[i + 1]]);
    let mut tag = u16_at(0);
    let channels = u16_at(2);
    let rate = u32::from_le_bytes(body[4..8].try_into().expect("4 bytes"));
    let bits = u16_at(14);
    if tag == 0xFFFE {
        // WAVE_FORMAT_EXTENSIBLE: the real tag is the first two bytes of the sub-format GUID.
        if body.len() < 26 {
            return Err("extensible 'fmt ' chunk is too short for its sub-format".into());
        }
        tag = u16_at(24);
    }
    let encoding = match (tag, bits) {
        (1, 8 | 16 | 24 | 32) => Encoding::Int,
        (3, 32 | 64) => Encoding::Float,
        (1, b) => return Err(format!("{b}-bit integer PCM is not supported (8, 16, 24 or 32)")),
        (3, b) => return Err(format!("{b}-bit float is not supported (32 or 64)")),
        (t, _) => {
            return Err(format!(
                "audio format tag {t} is not supported (1 = PCM, 3 = IEEE float; compressed WAVs are not)"
            ));
        }
    };
    if channels == 0 {
        return Err("'fmt ' chunk declares zero channels".into());
    }
    if rate == 0 {
        return Err("'fmt ' chunk declares a sample rate of zero".into());
    }
    Ok((encoding, channels, rate, bits))
}

fn decode(body: &[u8], encoding: Encoding, channels: u16, bits: u16) -> Result<Vec<f32>, String> {
    let width = bits as usize / 8;
    let frame = width * channels as usize;
    let frames = body.len() / frame;
    let mut out = Vec::with_capacity(frames);
    for f in body.chunks_exact(frame) {
        let mut sum = 0.0f64;
        for s in f.chunks_exact(width) {
            sum += match (encoding, width) {
                (Encoding::Int, 1) => (s[0] as f64 - 128.0) / 128.0,
                (Encoding::Int, 2) => i16::from_le_bytes([s[0], s[1]]) as f64 / 32768.0,
                (Encoding::Int, 3) => {
                    (i32::from_le_bytes([0, s[0], s[1], s[2]]) >> 8) as f64 / 8_388_608.0
                }
                (Encoding::Int, 4) => {
                    i32::from_le_bytes([s[0], s[1], s[2], s[3]]) as f64 / 2_147_483_648.0
                }
                (Encoding::Float, 4) => f32::from_le_bytes([s[0], s[1], s[2], s[3]]) as f64,
                (Encoding::Float, 8) => f64::from_le_bytes(s.try_into().expect("8 bytes")),
                _ => return Err(format!("unsupported sample width {width}")),
            };
        }
        let v = (sum / channels as f64) as f32;
        if !v.is_finite() {
            return Err(format!("non-finite sample at frame {}", out.len()));
        }
        out.push(v);
    }
    Ok(out)
}

/// Encodes mono samples as a 16-bit PCM WAV (values clipped to [-1, 1]).
pub fn encode_wav_i16(samples: &[f32], sample_rate: u32) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut b = Vec::with_capacity(44 + samples.len() * 2);
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data_len).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes()); // PCM
    b.extend_from_slice(&1u16.to_le_bytes()); // mono
    b.extend_from_slice(&sample_rate.to_le_bytes());
    b.extend_from_slice(&(sample_rate * 2).to_le_bytes());
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data_len.to_le_bytes());
    for &s in samples {
        let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        b.extend_from_slice(&v.to_le_bytes());
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trips_16_bit() {
        let samples = [0.0, 0.5, -0.5, 1.0, -1.0];
        let audio = parse_wav(&encode_wav_i16(&samples, 16_000)).unwrap();
        assert_eq!(audio.sample_rate, 16_000);
        for (a, b) in audio.samples.iter().zip(samples) {
            assert!((a - b).abs() < 1e-4);
        }
    }

    fn float_stereo() -> Vec<u8> {
        let mut b = b"RIFF\0\0\0\0WAVEfmt ".to_vec();
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&3u16.to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&8000u32.to_le_bytes());
        b.extend_from_slice(&64000u32.to_le_bytes());
        b.extend_from_slice(&8u16.to_le_bytes());
        b.extend_from_slice(&32u16.to_le_bytes());
        b.extend_from_slice(b"data");
        b.extend_from_slice(&16u32.to_le_bytes());
        for v in [1.0f32, 0.0, 0.25, 0.75] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b
    }

    #[test]
    fn mixes_float_stereo_to_mono() {
        let audio = parse_wav(&float_stereo()).unwrap();
        assert_eq!(audio.samples, vec![0.5, 0.5]);
        assert_eq!((audio.channels, audio.bits), (2, 32));
    }

    #[test]
    fn rejects_unsupported_and_corrupt_files() {
        let mut adpcm = float_stereo();
        adpcm[20] = 2; // format tag 2 = MS ADPCM
        assert!(parse_wav(&adpcm).unwrap_err().contains("format tag 2"));
        assert!(parse_wav(b"RIFX1234WAVE").unwrap_err().contains("not a RIFF"));
        let mut no_data = float_stereo();
        no_data.truncate(36);
        assert!(parse_wav(&no_data).unwrap_err().contains("no 'data'"));
        let mut bits12 = encode_wav_i16(&[0.0], 8000);
        bits12[34] = 12;
        assert!(parse_wav(&bits12).unwrap_err().contains("12-bit"));
    }

    #[test]
    fn reads_the_shared_speech_if_present() {
        let path = std::path::PathBuf::from(
            std::env::var_os("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into()),
        )
        .join("../../../shared/data/audio/speech-00.wav");
        if let Ok(audio) = read_wav(&path) {
            assert_eq!(audio.sample_rate, 16_000);
            assert!(audio.samples.len() > 16_000);
        }
    }

    proptest! {
        #[test]
        fn never_panics(tail in proptest::collection::vec(any::<u8>(), 0..128)) {
            let mut b = b"RIFF\0\0\0\0WAVE".to_vec();
            b.extend(tail);
            let _ = parse_wav(&b);
        }

        #[test]
        fn never_panics_on_mutated_valid_files(pos in 0usize..60, byte in any::<u8>()) {
            let mut b = float_stereo();
            if pos < b.len() { b[pos] = byte; }
            let _ = parse_wav(&b);
        }
    }
}
