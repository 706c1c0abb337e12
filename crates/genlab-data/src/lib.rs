//! File formats and datasets for genlab. No tensors here: readers return plain buffers
//! (`u8`/`f32` in row-major order) that model crates turn into tensors on their device.
//!
//! Every reader checks what it reads and returns a [`DataError`] naming the file and the
//! problem; none of them panics on bad input. Besides files, two seeded synthetic datasets are
//! generated on the spot: cartoon [`faces`] with known attributes and machine [`sensors`]
//! signals with injected faults (real sensor logs are read by [`csv`]). The [`instructions`]
//! playground poses small tasks with exact answers, judged by a hidden rule-based
//! [`preference`], for instruction tuning and RLHF.

pub mod aerial;
pub mod batcher;
pub mod csv;
pub mod embedded;
mod error;
pub mod facades;
pub mod faces;
pub mod idx;
pub mod images;
pub mod instructions;
pub mod jsonl;
pub mod preference;
mod raster;
pub mod scene;
pub mod sensors;
pub mod street;
pub mod text;
pub mod translation;
pub mod wav;

pub use batcher::Batcher;
pub use csv::{CsvOptions, read_sensor_csv, write_sensor_csv};
pub use error::DataError;
pub use faces::{FaceAttrs, FaceShape, Faces, HairColour, generate_faces, generate_faces_with};
pub use idx::{
    Idx, ImageSet, LabelSet, find_idx, read_idx, read_mnist_images, read_mnist_labels,
    read_mnist_split,
};
pub use instructions::{
    ALPHABET, COURTESY, DEMO_COURTESY, Example, Instance, REFUSAL, Split, Task, demonstration,
    examples, instances,
};
pub use preference::{
    Preference, Ranking, candidates, distinct_n, judge, rank, ranking_pairs, rankings,
};
pub use sensors::{
    ChannelStats, Fault, FaultKind, FaultMix, SensorConfig, SensorSeries, Windows, windows,
};
