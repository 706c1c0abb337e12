//! Where a GAN's pictures come from: a data spec (`mnist`, `mnist:DIR`, `images:DIR`) for the
//! image generators, and folders of A|B pairs for pix2pix.

use std::path::Path;

use genlab_data::images::{Channels, Fit, read_image_folder, read_side_by_side};

use crate::data::GanData;
use crate::pix2pix::PairData;

use genlab_data::DataError as DatasetError;

/// The training pictures of `spec`: `mnist` (the embedded slice), `mnist:DIR` (IDX files) or
/// `images:DIR` (brought to 64x64 RGB by a centre crop).
pub fn gan_data(spec: &str) -> Result<GanData, DatasetError> {
    let (kind, arg) = spec.split_once(':').map_or((spec, None), |(k, a)| (k, Some(a)));
    match (kind, arg) {
        ("mnist", None) => {
            let (images, labels) = genlab_data::embedded::mnist_train();
            Ok(GanData::from_digits(&images, Some(labels.labels)))
        }
        ("mnist", Some(dir)) => {
            let (images, labels) = genlab_data::read_mnist_split(Path::new(dir), "train")?;
            Ok(GanData::from_digits(&images, Some(labels.labels)))
        }
        ("images", Some(dir)) => {
            let images = read_image_folder(dir, 64, 64, Channels::Rgb, Fit::CenterCrop)?;
            Ok(GanData { shape: [3, 64, 64], values: images.pixels, labels: None, classes: 0 })
        }
        _ => Err(DatasetError::Invalid {
            problem: format!("unknown --data {spec:?}: mnist, mnist:DIR or images:DIR"),
        }),
    }
}

/// A|B pairs at `size` from `dir/train` and `dir/val` (or `dir/test`), or from `dir` with the
/// last tenth of the files (by name) held out: (training pairs, held-out pairs).
pub fn read_pair_folder(dir: &Path, size: usize) -> Result<(PairData, PairData), DatasetError> {
    let read = |d: &Path| -> Result<PairData, DatasetError> {
        Ok(read_side_by_side(d, size, size, Channels::Rgb, Fit::Resize)?.into())
    };
    if dir.join("train").is_dir() {
        let held =
            ["val", "test"].iter().map(|s| dir.join(s)).find(|d| d.is_dir()).ok_or_else(|| {
                DatasetError::Invalid {
                    problem: format!(
                        "{} has train/ but no val/ or test/ to hold out",
                        dir.display()
                    ),
                }
            })?;
        return Ok((read(&dir.join("train"))?, read(&held)?));
    }
    let all = read(dir)?;
    let n = all.len();
    if n < 2 {
        return Err(DatasetError::Invalid {
            problem: format!(
                "{} holds {n} pair: at least 2 are needed (one to train on, one held out)",
                dir.display()
            ),
        });
    }
    let held = (n / 10).max(1);
    let (la, lb) = (all.a_shape.iter().product::<usize>(), all.b_shape.iter().product::<usize>());
    let split = |from: usize, to: usize| PairData {
        a_shape: all.a_shape,
        b_shape: all.b_shape,
        a: all.a[from * la..to * la].to_vec(),
        b: all.b[from * lb..to * lb].to_vec(),
    };
    Ok((split(0, n - held), split(n - held, n)))
}
