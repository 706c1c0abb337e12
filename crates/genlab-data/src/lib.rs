//! File formats and datasets for genlab. No tensors here: readers return plain buffers
//! (`u8`/`f32` in row-major order) that model crates turn into tensors on their device.
//!
//! Every reader checks what it reads and returns a [`DataError`] naming the file and the
//! problem; none of them panics on bad input.

pub mod batcher;
pub mod embedded;
mod error;
pub mod idx;
pub mod images;
pub mod jsonl;
pub mod text;
pub mod wav;

pub use batcher::Batcher;
pub use error::DataError;
pub use idx::{Idx, ImageSet, LabelSet, read_idx, read_mnist_images, read_mnist_labels};
