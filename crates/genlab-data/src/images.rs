//! Image folders (PNG/JPEG) and paired images for image-to-image translation.
//!
//! Images come out planar (`[c, h, w]` per image) as `f32` in [0, 1].

use std::path::{Path, PathBuf};

use image::DynamicImage;
use image::imageops::FilterType;

use crate::error::DataError;

/// Channels to read images as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channels {
    /// One grey channel.
    Grey,
    /// Three RGB channels.
    Rgb,
}

impl Channels {
    /// 1 or 3.
    pub fn count(self) -> usize {
        match self {
            Channels::Grey => 1,
            Channels::Rgb => 3,
        }
    }
}

/// How an image is brought to the wanted size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// The image must already have the size; any other size is an error.
    Exact,
    /// Stretch to the size.
    Resize,
    /// Scale the shorter side to fit, then crop the centre (torchvision's Resize + CenterCrop).
    CenterCrop,
}

/// Images of one size, planar, in [0, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct Images {
    /// Number of images.
    pub n: usize,
    /// Channels per image.
    pub channels: usize,
    /// Height.
    pub height: usize,
    /// Width.
    pub width: usize,
    /// `n × channels × height × width` values.
    pub pixels: Vec<f32>,
    /// Where each image came from.
    pub sources: Vec<PathBuf>,
}

impl Images {
    /// Values per image.
    pub fn image_len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// The chosen images, concatenated.
    pub fn gather(&self, indices: &[usize]) -> Vec<f32> {
        let len = self.image_len();
        indices.iter().flat_map(|&i| self.pixels[i * len..(i + 1) * len].iter().copied()).collect()
    }
}

/// Image files in `dir` (not recursive), sorted by name.
pub fn list_images(dir: &Path) -> Result<Vec<PathBuf>, DataError> {
    let entries = std::fs::read_dir(dir).map_err(|e| DataError::io(dir, e))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(DataError::format(dir, "no .png, .jpg or .jpeg images in this folder"));
    }
    Ok(files)
}

/// Decodes one image file.
pub fn open_image(path: &Path) -> Result<DynamicImage, DataError> {
    image::open(path).map_err(|e| DataError::format(path, format!("cannot decode image: {e}")))
}

/// Brings `img` to `width × height` according to `fit` and returns it planar in [0, 1].
pub fn fit_image(
    img: &DynamicImage,
    width: usize,
    height: usize,
    channels: Channels,
    fit: Fit,
    path: &Path,
) -> Result<Vec<f32>, DataError> {
    let (w, h) = (width as u32, height as u32);
    let sized = match fit {
        Fit::Exact if img.width() == w && img.height() == h => img.clone(),
        Fit::Exact => {
            return Err(DataError::format(
                path,
                format!("image is {}x{}, expected {width}x{height}", img.width(), img.height()),
            ));
        }
        Fit::Resize => img.resize_exact(w, h, FilterType::Triangle),
        Fit::CenterCrop => img.resize_to_fill(w, h, FilterType::Triangle),
    };
    Ok(planar(&sized, channels))
}

/// Planar `[c, h, w]` values in [0, 1].
pub fn planar(img: &DynamicImage, channels: Channels) -> Vec<f32> {
    match channels {
        Channels::Grey => img.to_luma8().into_raw().into_iter().map(|v| v as f32 / 255.0).collect(),
        Channels::Rgb => {
            let rgb = img.to_rgb8();
            let hw = (rgb.width() * rgb.height()) as usize;
            let raw = rgb.into_raw();
            let mut out = vec![0.0; 3 * hw];
            for (i, px) in raw.chunks_exact(3).enumerate() {
                for k in 0..3 {
                    out[k * hw + i] = px[k] as f32 / 255.0;
                }
            }
            out
        }
    }
}

/// Reads every image in a folder at one size.
pub fn read_image_folder(
    dir: impl AsRef<Path>,
    width: usize,
    height: usize,
    channels: Channels,
    fit: Fit,
) -> Result<Images, DataError> {
    let dir = dir.as_ref();
    let files = list_images(dir)?;
    let mut pixels = Vec::with_capacity(files.len() * channels.count() * width * height);
    for path in &files {
        pixels.extend(fit_image(&open_image(path)?, width, height, channels, fit, path)?);
    }
    Ok(Images { n: files.len(), channels: channels.count(), height, width, pixels, sources: files })
}

/// Paired images (input A, target B) for pix2pix-style translation.
#[derive(Debug, Clone, PartialEq)]
pub struct Pairs {
    /// Inputs.
    pub a: Images,
    /// Targets, in the same order.
    pub b: Images,
}

/// Writes pairs in the standard pix2pix layout that [`read_side_by_side`] reads: one PNG per
/// pair, `00000.png`, `00001.png`, ..., A on the left half and B on the right (a grey side is
/// written as grey RGB). Creates `dir`; returns the files written.
pub fn write_side_by_side(pairs: &Pairs, dir: impl AsRef<Path>) -> Result<Vec<PathBuf>, DataError> {
    let dir = dir.as_ref();
    let (a, b) = (&pairs.a, &pairs.b);
    if a.n != b.n || (a.height, a.width) != (b.height, b.width) {
        return Err(DataError::Invalid {
            problem: format!(
                "pairs need as many A as B images of one size: {} of {}x{} against {} of {}x{}",
                a.n, a.width, a.height, b.n, b.width, b.height
            ),
        });
    }
    std::fs::create_dir_all(dir).map_err(|e| DataError::io(dir, e))?;
    let (h, w) = (a.height, a.width);
    let mut files = Vec::with_capacity(a.n);
    for i in 0..a.n {
        let mut img = image::RgbImage::new(2 * w as u32, h as u32);
        for (side, set) in [a, b].into_iter().enumerate() {
            let c = set.channels;
            let item = &set.pixels[i * c * h * w..(i + 1) * c * h * w];
            for y in 0..h {
                for x in 0..w {
                    let at =
                        |k: usize| (item[k.min(c - 1) * h * w + y * w + x] * 255.0).round() as u8;
                    let px = image::Rgb([at(0), at(1), at(2)]);
                    img.put_pixel((side * w + x) as u32, y as u32, px);
                }
            }
        }
        let path = dir.join(format!("{i:05}.png"));
        img.save(&path).map_err(|e| DataError::format(&path, e.to_string()))?;
        files.push(path);
    }
    Ok(files)
}

/// Reads the standard pix2pix layout: each file holds A on the left half and B on the right.
pub fn read_side_by_side(
    dir: impl AsRef<Path>,
    width: usize,
    height: usize,
    channels: Channels,
    fit: Fit,
) -> Result<Pairs, DataError> {
    let dir = dir.as_ref();
    let files = list_images(dir)?;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for path in &files {
        let img = open_image(path)?;
        if img.width() < 2 || img.width() % 2 != 0 {
            return Err(DataError::format(
                path,
                format!("an A|B pair needs an even width, this image is {} wide", img.width()),
            ));
        }
        let half = img.width() / 2;
        let left = img.crop_imm(0, 0, half, img.height());
        let right = img.crop_imm(half, 0, half, img.height());
        a.extend(fit_image(&left, width, height, channels, fit, path)?);
        b.extend(fit_image(&right, width, height, channels, fit, path)?);
    }
    let images = |pixels| Images {
        n: files.len(),
        channels: channels.count(),
        height,
        width,
        pixels,
        sources: files.clone(),
    };
    Ok(Pairs { a: images(a), b: images(b) })
}

/// Reads pairs from two folders whose files have matching names.
pub fn read_paired_folders(
    dir_a: impl AsRef<Path>,
    dir_b: impl AsRef<Path>,
    width: usize,
    height: usize,
    channels: Channels,
    fit: Fit,
) -> Result<Pairs, DataError> {
    let (dir_a, dir_b) = (dir_a.as_ref(), dir_b.as_ref());
    let a = read_image_folder(dir_a, width, height, channels, fit)?;
    let b = read_image_folder(dir_b, width, height, channels, fit)?;
    let names = |imgs: &Images| -> Vec<String> {
        imgs.sources
            .iter()
            .map(|p| p.file_stem().unwrap_or_default().to_string_lossy().into_owned())
            .collect()
    };
    let (na, nb) = (names(&a), names(&b));
    if let Some(missing) = na.iter().find(|n| !nb.contains(n)) {
        return Err(DataError::format(
            dir_b,
            format!("no image named {missing:?} to pair with {}", dir_a.display()),
        ));
    }
    if let Some(extra) = nb.iter().find(|n| !na.contains(n)) {
        return Err(DataError::format(
            dir_a,
            format!("no image named {extra:?} to pair with {}", dir_b.display()),
        ));
    }
    Ok(Pairs { a, b })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn write(path: &Path, w: u32, h: u32) {
        RgbImage::from_fn(w, h, |x, _| if x < w / 2 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) })
            .save(path)
            .unwrap();
    }

    #[test]
    fn reads_folders_and_pairs() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("one.png"), 8, 4);
        write(&dir.path().join("two.png"), 8, 4);
        std::fs::write(dir.path().join("notes.txt"), "not an image").unwrap();
        let imgs = read_image_folder(dir.path(), 8, 4, Channels::Rgb, Fit::Exact).unwrap();
        assert_eq!((imgs.n, imgs.channels, imgs.pixels.len()), (2, 3, 2 * 3 * 32));
        let pairs = read_side_by_side(dir.path(), 4, 4, Channels::Rgb, Fit::Exact).unwrap();
        // Left half is red, right half blue.
        assert_eq!(pairs.a.pixels[0], 1.0);
        assert_eq!(pairs.b.pixels[2 * 16], 1.0);
        let grey = read_image_folder(dir.path(), 3, 3, Channels::Grey, Fit::CenterCrop).unwrap();
        assert_eq!(grey.pixels.len(), 2 * 9);
    }

    #[test]
    fn errors_name_the_file_and_problem() {
        let dir = tempfile::tempdir().unwrap();
        let empty = read_image_folder(dir.path(), 4, 4, Channels::Grey, Fit::Exact).unwrap_err();
        assert!(empty.to_string().contains("no .png"), "{empty}");
        write(&dir.path().join("a.png"), 8, 4);
        let wrong = read_image_folder(dir.path(), 4, 4, Channels::Grey, Fit::Exact).unwrap_err();
        assert!(
            wrong.to_string().contains("a.png") && wrong.to_string().contains("8x4, expected 4x4")
        );
        std::fs::write(dir.path().join("b.png"), b"\x89PNG garbage").unwrap();
        let corrupt = read_image_folder(dir.path(), 8, 4, Channels::Grey, Fit::Exact).unwrap_err();
        assert!(corrupt.to_string().contains("b.png"), "{corrupt}");
        let odd = tempfile::tempdir().unwrap();
        write(&odd.path().join("odd.png"), 7, 4);
        let e = read_side_by_side(odd.path(), 4, 4, Channels::Rgb, Fit::Resize).unwrap_err();
        assert!(e.to_string().contains("even width"));
    }

    #[test]
    fn paired_folders_must_match_by_name() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        write(&a.path().join("x.png"), 4, 4);
        write(&b.path().join("y.png"), 4, 4);
        let e =
            read_paired_folders(a.path(), b.path(), 4, 4, Channels::Rgb, Fit::Exact).unwrap_err();
        assert!(e.to_string().contains("\"x\""), "{e}");
        write(&b.path().join("x.png"), 4, 4);
        std::fs::remove_file(b.path().join("y.png")).unwrap();
        let pairs =
            read_paired_folders(a.path(), b.path(), 4, 4, Channels::Rgb, Fit::Exact).unwrap();
        assert_eq!(pairs.a.n, 1);
    }
}
