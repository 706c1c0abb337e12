//! Paired images for image-to-image translation (pix2pix) that need no download: four
//! built-in tasks, each turning a photo into the task's input by a fixed rule.
//!
//! | task | input (A) | target (B) |
//! |---|---|---|
//! | `bw2color` | the photo in grey (ITU-R 601 luma, as PIL's `convert("L")`) | the photo |
//! | `edges2photo` | black Sobel edges on white | the photo |
//! | `day2night` | the photo | a photometric night: darker, bluer, desaturated, bright spots lit warm |
//! | `labels2facade` | a label map ([`crate::facades`]) | a procedurally drawn facade |
//! | `labels2street` | a label map in Cityscapes' palette ([`crate::street`]) | a drawn street scene |
//! | `aerial2map` | a drawn aerial photo ([`crate::aerial`]) | its map |
//! | `map2aerial` | a map | its aerial photo |
//!
//! Photos come from a folder ([`PhotoCrops`]: random square crops, flipped at random) or, with
//! no folder, are the synthetic [`crate::faces`]. Held-out pairs never overlap training pairs:
//! crops are cut from the left two thirds of each (rescaled) photo for training and from the
//! right third for held-out pairs; generated faces, facades, streets and areas use different
//! seed streams.

use std::path::Path;

use image::imageops::FilterType;
use image::{DynamicImage, RgbImage};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::DataError;
use crate::images::{Images, Pairs, list_images, open_image, planar};

/// A built-in translation task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Grey photo -> colour photo.
    Colorize,
    /// Edge map -> photo.
    EdgesToPhoto,
    /// Day photo -> night photo.
    DayToNight,
    /// Label map -> facade.
    LabelsToFacade,
    /// Label map -> street scene.
    LabelsToStreet,
    /// Aerial photo -> map.
    AerialToMap,
    /// Map -> aerial photo.
    MapToAerial,
}

impl Task {
    /// Every task.
    pub const ALL: [Task; 7] = [
        Task::Colorize,
        Task::EdgesToPhoto,
        Task::DayToNight,
        Task::LabelsToFacade,
        Task::LabelsToStreet,
        Task::AerialToMap,
        Task::MapToAerial,
    ];

    /// Parses a task's name (`bw2color`, `edges2photo`, `day2night`, `labels2facade`,
    /// `labels2street`, `aerial2map`, `map2aerial`).
    pub fn parse(s: &str) -> Result<Self, String> {
        Task::ALL.into_iter().find(|t| t.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Task::ALL.iter().map(|t| t.name()).collect();
            format!("unknown task {s:?}: {}", names.join(", "))
        })
    }

    /// The task's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Task::Colorize => "bw2color",
            Task::EdgesToPhoto => "edges2photo",
            Task::DayToNight => "day2night",
            Task::LabelsToFacade => "labels2facade",
            Task::LabelsToStreet => "labels2street",
            Task::AerialToMap => "aerial2map",
            Task::MapToAerial => "map2aerial",
        }
    }

    /// Channels of the input (A); the target (B) always has 3.
    pub fn input_channels(self) -> usize {
        match self {
            Task::Colorize | Task::EdgesToPhoto => 1,
            _ => 3,
        }
    }

    /// Whether the task is made from photos (the first three), or drawn whole.
    pub fn uses_photos(self) -> bool {
        matches!(self, Task::Colorize | Task::EdgesToPhoto | Task::DayToNight)
    }

    /// The task's `(input, target)` for a photo, planar `[3, height, width]` in [0, 1]; `None`
    /// for the drawn tasks, whose pairs are not derived from photos.
    pub fn from_photo(self, photo: &[f32], width: usize) -> Option<(Vec<f32>, Vec<f32>)> {
        let input = match self {
            Task::Colorize => grey(photo),
            Task::EdgesToPhoto => edges(&grey(photo), width),
            Task::DayToNight => return Some((photo.to_vec(), night(photo))),
            _ => return None,
        };
        Some((input, photo.to_vec()))
    }
}

/// Which side of the split to draw from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Pairs to train on.
    Train,
    /// Pairs never trained on.
    HeldOut,
}

/// Photos from a folder, rescaled so the shorter side is three crops long, to cut random
/// square crops from.
#[derive(Debug, Clone)]
pub struct PhotoCrops {
    photos: Vec<RgbImage>,
    size: usize,
}

impl PhotoCrops {
    /// Reads every image in `dir` for crops of `size` pixels.
    pub fn from_folder(dir: impl AsRef<Path>, size: usize) -> Result<Self, DataError> {
        let dir = dir.as_ref();
        if size == 0 {
            return Err(DataError::Invalid { problem: "crops of 0 pixels asked for".into() });
        }
        let mut photos = Vec::new();
        for path in list_images(dir)? {
            let img = open_image(&path)?;
            let (w, h) = (img.width() as f32, img.height() as f32);
            let scale = 3.0 * size as f32 / w.min(h);
            let (nw, nh) = ((w * scale).round() as u32, (h * scale).round() as u32);
            photos.push(img.resize_exact(nw, nh, FilterType::Triangle).to_rgb8());
        }
        Ok(Self { photos, size })
    }

    /// `n` crops `[3, size, size]` in [0, 1], concatenated: training crops lie in the left two
    /// thirds of each photo, held-out crops in the right third. Each crop is a square of
    /// `size` to `2 × size` pixels (as far as its region allows) scaled down to `size`, and
    /// flipped left to right half of the time.
    pub fn crops(&self, n: usize, split: Split, seed: u64) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ split_salt(split));
        let s = self.size as u32;
        let mut out = Vec::with_capacity(n * 3 * self.size * self.size);
        for i in 0..n {
            let photo = &self.photos[i % self.photos.len()];
            let cut = photo.width() * 2 / 3;
            let (lo, end) = match split {
                Split::Train => (0, cut),
                Split::HeldOut => (cut, photo.width()),
            };
            let side = rng.random_range(s..=(2 * s).min(end - lo).min(photo.height()).max(s));
            let x = rng.random_range(lo..=(end - side).max(lo));
            let y = rng.random_range(0..=photo.height() - side);
            let crop = image::imageops::crop_imm(photo, x, y, side, side).to_image();
            let mut crop = image::imageops::resize(&crop, s, s, FilterType::Triangle);
            if rng.random_bool(0.5) {
                image::imageops::flip_horizontal_in_place(&mut crop);
            }
            out.extend(planar(&DynamicImage::ImageRgb8(crop), crate::images::Channels::Rgb));
        }
        out
    }
}

fn split_salt(split: Split) -> u64 {
    match split {
        Split::Train => 0,
        Split::HeldOut => 0x5EED_0F4E_1D00_0017,
    }
}

/// `n` pairs of `task` at `size` pixels from one side of the split. Photo tasks cut crops from
/// `photos`, or draw synthetic faces when there is no folder. Street scenes and aerial areas
/// are drawn at sides that divide by 16; other sizes are an error.
pub fn task_pairs(
    task: Task,
    photos: Option<&PhotoCrops>,
    n: usize,
    size: usize,
    split: Split,
    seed: u64,
) -> Result<Pairs, DataError> {
    // Generated pictures: the held-out split is another seed stream.
    let drawn_seed = split_seed(seed, split);
    let (a, b, a_channels) = if task == Task::LabelsToFacade {
        let (photo, labels) = crate::facades::generate_facades(n, size, drawn_seed);
        (labels, photo, 3)
    } else if let Some(scenes) = task_scenes(task, n, size, drawn_seed)? {
        match task {
            Task::AerialToMap => (scenes.photos, scenes.flats, 3),
            _ => (scenes.flats, scenes.photos, 3),
        }
    } else {
        let source = match photos {
            Some(p) => p.crops(n, split, seed),
            None => crate::faces::generate_faces(n, size, drawn_seed).images,
        };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for photo in source.chunks_exact(3 * size * size) {
            let (input, target) = task.from_photo(photo, size).expect("a photo task");
            a.extend(input);
            b.extend(target);
        }
        (a, b, task.input_channels())
    };
    let images = |pixels, channels| Images {
        n,
        channels,
        height: size,
        width: size,
        pixels,
        sources: Vec::new(),
    };
    Ok(Pairs { a: images(a, a_channels), b: images(b, 3) })
}

/// The drawn scenes behind a street or aerial task (with every pixel's class, for scoring),
/// `None` for the other tasks. `seed` is the split's seed stream, as [`task_pairs`] uses it.
pub fn task_scenes(
    task: Task,
    n: usize,
    size: usize,
    seed: u64,
) -> Result<Option<crate::scene::Scenes>, DataError> {
    Ok(match task {
        Task::LabelsToStreet => Some(crate::street::generate_streets(n, size, seed)?),
        Task::AerialToMap | Task::MapToAerial => {
            Some(crate::aerial::generate_areas(n, size, seed)?)
        }
        _ => None,
    })
}

/// The seed stream [`task_pairs`] draws a split's generated pictures from.
pub fn split_seed(seed: u64, split: Split) -> u64 {
    seed ^ split_salt(split)
}

/// Luma `[1, h, w]` of a planar RGB image `[3, h, w]` (ITU-R 601 weights).
pub fn grey(rgb: &[f32]) -> Vec<f32> {
    let hw = rgb.len() / 3;
    (0..hw).map(|i| 0.299 * rgb[i] + 0.587 * rgb[hw + i] + 0.114 * rgb[2 * hw + i]).collect()
}

/// Black edges on white from a grey image `width` pixels wide: the Sobel gradient magnitude (edge pixels
/// replicated at the border), scaled by 1/4 so a full black-to-white step gives 1, and mapped
/// to ink by a soft threshold between 0.05 and 0.15.
pub fn edges(grey: &[f32], width: usize) -> Vec<f32> {
    let height = grey.len() / width.max(1);
    let at = |x: isize, y: isize| {
        let x = x.clamp(0, width as isize - 1) as usize;
        grey[y.clamp(0, height as isize - 1) as usize * width + x]
    };
    let mut out = Vec::with_capacity(grey.len());
    for y in 0..height as isize {
        for x in 0..width as isize {
            let gx = at(x + 1, y - 1) + 2.0 * at(x + 1, y) + at(x + 1, y + 1)
                - at(x - 1, y - 1)
                - 2.0 * at(x - 1, y)
                - at(x - 1, y + 1);
            let gy = at(x - 1, y + 1) + 2.0 * at(x, y + 1) + at(x + 1, y + 1)
                - at(x - 1, y - 1)
                - 2.0 * at(x, y - 1)
                - at(x + 1, y - 1);
            let mag = gx.hypot(gy) / 4.0;
            out.push(1.0 - ((mag - 0.05) / 0.1).clamp(0.0, 1.0));
        }
    }
    out
}

/// A photometric night from a planar RGB day image `[3, h, w]`: gamma 2.2 (darker), moonlight gains
/// (0.35, 0.45, 0.8) per channel, 40% desaturation, and a warm glow where the day luma is above
/// 0.85 (lit windows and lamps).
pub fn night(rgb: &[f32]) -> Vec<f32> {
    let hw = rgb.len() / 3;
    let gains = [0.35, 0.45, 0.8];
    let glow = [1.0, 0.82, 0.45];
    let mut out = vec![0.0; 3 * hw];
    for i in 0..hw {
        let day = [rgb[i], rgb[hw + i], rgb[2 * hw + i]];
        let luma = 0.299 * day[0] + 0.587 * day[1] + 0.114 * day[2];
        let dark: [f32; 3] = std::array::from_fn(|k| day[k].powf(2.2) * gains[k]);
        let dark_luma = 0.299 * dark[0] + 0.587 * dark[1] + 0.114 * dark[2];
        let lit = ((luma - 0.85) / 0.15).clamp(0.0, 1.0);
        for k in 0..3 {
            let moon = 0.6 * dark[k] + 0.4 * dark_luma;
            out[k * hw + i] = (moon + lit * (glow[k] * luma - moon)).clamp(0.0, 1.0);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_parse_and_transforms_behave() {
        for t in Task::ALL {
            assert_eq!(Task::parse(t.name()), Ok(t));
        }
        assert!(Task::parse("maps").unwrap_err().contains("unknown task"));
        // A vertical step from black to white: edges only along the step.
        let size = 8;
        let g: Vec<f32> = (0..64).map(|i| if i % 8 < 4 { 0.0 } else { 1.0 }).collect();
        let e = edges(&g, size);
        assert_eq!(e[0], 1.0); // flat: white paper
        assert_eq!(e[3], 0.0); // on the step: black ink
        // Night is darker, bluer than red, and white stays lit.
        let mut rgb = vec![0.6f32; 3 * 64];
        rgb[0] = 1.0;
        rgb[64] = 1.0;
        rgb[128] = 1.0;
        let n = night(&rgb);
        assert!(n[1] < 0.2 && n[128 + 1] > n[1], "{} {}", n[1], n[129]);
        assert!(n[0] > 0.8, "white glows: {}", n[0]);
    }

    #[test]
    fn pairs_are_seeded_and_splits_differ() {
        for task in Task::ALL {
            let pairs = |split| task_pairs(task, None, 4, 32, split, 3).unwrap();
            let a = pairs(Split::Train);
            assert_eq!(a, pairs(Split::Train));
            assert_eq!(a.a.channels, task.input_channels());
            assert_eq!(a.a.pixels.len(), 4 * task.input_channels() * 1024);
            assert_eq!(a.b.pixels.len(), 4 * 3 * 1024);
            assert_ne!(a.b.pixels, pairs(Split::HeldOut).b.pixels, "{task:?}");
        }
        // The map is the target of aerial2map and the input of map2aerial, of the same areas.
        let to_map = task_pairs(Task::AerialToMap, None, 2, 32, Split::Train, 3).unwrap();
        let to_aerial = task_pairs(Task::MapToAerial, None, 2, 32, Split::Train, 3).unwrap();
        assert_eq!((&to_map.a, &to_map.b), (&to_aerial.b, &to_aerial.a));
        let err = task_pairs(Task::LabelsToStreet, None, 1, 40, Split::Train, 3).unwrap_err();
        assert!(err.to_string().contains("divide by 16"), "{err}");
    }

    #[test]
    fn pairs_written_side_by_side_read_back() {
        use crate::images::{Channels, Fit, read_side_by_side, write_side_by_side};
        let dir = tempfile::tempdir().unwrap();
        let pairs = task_pairs(Task::LabelsToStreet, None, 3, 32, Split::Train, 1).unwrap();
        let files = write_side_by_side(&pairs, dir.path()).unwrap();
        assert_eq!(files.len(), 3);
        let back = read_side_by_side(dir.path(), 32, 32, Channels::Rgb, Fit::Exact).unwrap();
        for (x, y) in back.a.pixels.iter().zip(&pairs.a.pixels) {
            assert!((x - y).abs() <= 0.5 / 255.0 + 1e-6, "{x} vs {y}");
        }
        for (x, y) in back.b.pixels.iter().zip(&pairs.b.pixels) {
            assert!((x - y).abs() <= 0.5 / 255.0 + 1e-6, "{x} vs {y}");
        }
    }

    #[test]
    fn crops_come_from_their_side_of_the_photo() {
        let dir = tempfile::tempdir().unwrap();
        // Left two thirds black, right third white; 48 pixels high, 16-pixel crops.
        let img = RgbImage::from_fn(96, 48, |x, _| image::Rgb([if x < 64 { 0 } else { 255 }; 3]));
        img.save(dir.path().join("half.png")).unwrap();
        let crops = PhotoCrops::from_folder(dir.path(), 16).unwrap();
        let train = crops.crops(20, Split::Train, 1);
        let held = crops.crops(20, Split::HeldOut, 1);
        assert!(train.iter().all(|&v| v == 0.0));
        assert!(held.iter().all(|&v| v == 1.0));
        assert!(PhotoCrops::from_folder(dir.path(), 0).is_err());
        std::fs::write(dir.path().join("bad.png"), b"not a png").unwrap();
        assert!(PhotoCrops::from_folder(dir.path(), 16).is_err());
    }
}
