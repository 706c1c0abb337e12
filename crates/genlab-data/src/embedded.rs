//! The embedded defaults: small slices of the shared data, compiled into the binary so that a
//! first run needs nothing but the repository. Provenance and licences: `docs/data.md`.
//!
//! - MNIST: the first 2,000 training and 500 test digits of `shared/data/mnist` (CC BY-SA 3.0).
//! - Shakespeare: the first ~1 MB of `shared/data/text/shakespeare.txt` (public domain).
//! - Speech: 4 s (from 1 s in) of each of `shared/data/audio/speech-00..05.wav`, 16 kHz mono
//!   16-bit, six voices synthesised with espeak-ng.
//! - Series: yearly sunspot numbers 1700-2008 and the Nile's yearly flow at Aswan 1871-1970,
//!   as statsmodels ships them (public domain).

use std::path::Path;
use std::sync::OnceLock;

use crate::error::read_maybe_gz;
use crate::idx::{ImageSet, LabelSet, parse_idx};

static TRAIN_IMAGES: &[u8] = include_bytes!("../assets/mnist-train-images-idx3-ubyte.gz");
static TRAIN_LABELS: &[u8] = include_bytes!("../assets/mnist-train-labels-idx1-ubyte.gz");
static TEST_IMAGES: &[u8] = include_bytes!("../assets/mnist-test-images-idx3-ubyte.gz");
static TEST_LABELS: &[u8] = include_bytes!("../assets/mnist-test-labels-idx1-ubyte.gz");
static SHAKESPEARE: &[u8] = include_bytes!("../assets/shakespeare-1mb.txt.gz");
static SPEECH: [(&str, &[u8]); 6] = [
    ("speech-00", include_bytes!("../assets/speech-00-4s.wav.gz")),
    ("speech-01", include_bytes!("../assets/speech-01-4s.wav.gz")),
    ("speech-02", include_bytes!("../assets/speech-02-4s.wav.gz")),
    ("speech-03", include_bytes!("../assets/speech-03-4s.wav.gz")),
    ("speech-04", include_bytes!("../assets/speech-04-4s.wav.gz")),
    ("speech-05", include_bytes!("../assets/speech-05-4s.wav.gz")),
];

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("embedded asset is valid gzip");
    out
}

fn images(bytes: &[u8], name: &str) -> ImageSet {
    let idx = parse_idx(&gunzip(bytes), Path::new(name)).expect("embedded asset is valid IDX");
    ImageSet { n: idx.dims[0], rows: idx.dims[1], cols: idx.dims[2], pixels: idx.data }
}

fn labels(bytes: &[u8], name: &str) -> LabelSet {
    LabelSet {
        labels: parse_idx(&gunzip(bytes), Path::new(name))
            .expect("embedded asset is valid IDX")
            .data,
    }
}

/// 2,000 training digits (28×28) and their labels.
pub fn mnist_train() -> (ImageSet, LabelSet) {
    (
        images(TRAIN_IMAGES, "embedded mnist train images"),
        labels(TRAIN_LABELS, "embedded mnist train labels"),
    )
}

/// 500 test digits (28×28) and their labels.
pub fn mnist_test() -> (ImageSet, LabelSet) {
    (
        images(TEST_IMAGES, "embedded mnist test images"),
        labels(TEST_LABELS, "embedded mnist test labels"),
    )
}

/// About 1 MB of Shakespeare (plain ASCII), decompressed once.
pub fn shakespeare() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| String::from_utf8(gunzip(SHAKESPEARE)).expect("embedded text is UTF-8"))
}

/// 24 s of 16 kHz speech: `(name, audio)` for six clips of 4 s, one a voice.
pub fn speech() -> Vec<(&'static str, crate::wav::Audio)> {
    SPEECH
        .iter()
        .map(|(name, bytes)| {
            let audio = crate::wav::parse_wav(&gunzip(bytes)).expect("embedded speech is a WAV");
            (*name, audio)
        })
        .collect()
}

/// The yearly sunspot numbers 1700-2008 (columns `year`, `SUNACTIVITY`).
pub fn sunspots() -> crate::csv::Columns {
    crate::csv::parse_columns(include_str!("../assets/sunspots.csv")).expect("embedded CSV parses")
}

/// The Nile's yearly flow at Aswan 1871-1970, in 10^8 m^3 (columns `year`, `volume`).
pub fn nile() -> crate::csv::Columns {
    crate::csv::parse_columns(include_str!("../assets/nile.csv")).expect("embedded CSV parses")
}

/// Reads a gzipped or raw file with the same size guard the readers use.
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, crate::DataError> {
    read_maybe_gz(path, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_is_there() {
        let (x, y) = mnist_train();
        assert_eq!((x.n, x.rows, x.cols, y.labels.len()), (2000, 28, 28, 2000));
        assert!(y.labels.iter().all(|&l| l <= 9));
        let (tx, ty) = mnist_test();
        assert_eq!((tx.n, ty.labels.len()), (500, 500));
        let text = shakespeare();
        assert!(text.len() > 900_000 && text.starts_with("ALL'S WELL"));
        let speech = speech();
        assert_eq!(speech.len(), 6);
        for (_, clip) in &speech {
            assert_eq!((clip.sample_rate, clip.samples.len(), clip.bits), (16_000, 64_000, 16));
        }
    }
}
