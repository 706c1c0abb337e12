//! Tensors <-> images: sample grids as PNG, and PNG/JPEG files as tensors.

use std::path::{Path, PathBuf};

use burn::tensor::{Device, Tensor, TensorData};
use image::{DynamicImage, GrayImage, RgbImage};

/// How pixel values are scaled in a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelRange {
    /// 0.0 is black, 1.0 is white (sigmoid outputs, raw data).
    ZeroOne,
    /// -1.0 is black, 1.0 is white (tanh outputs, GANs).
    MinusOneOne,
}

/// Errors reading or writing images.
#[derive(Debug, thiserror::Error)]
pub enum ImageIoError {
    /// The file could not be read, decoded or written.
    #[error("{path}: {source}")]
    Image {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: image::ImageError,
    },
    /// A tensor of a shape that cannot be an image batch.
    #[error("cannot draw a tensor of shape {shape:?} as images: expected [n, 1 or 3, h, w]")]
    BadShape {
        /// The offending shape.
        shape: Vec<usize>,
    },
    /// Channels other than 1 (grey) or 3 (RGB) were asked for.
    #[error("{0} channels asked for: images are read as 1 (grey) or 3 (RGB) channels")]
    BadChannels(usize),
}

/// Draws a batch `[n, c, h, w]` (c = 1 or 3) as a grid with `ncols` columns and a 2-pixel
/// grey border, the way torchvision's `make_grid` does.
pub fn grid_image(
    images: Tensor<4>,
    ncols: usize,
    range: PixelRange,
) -> Result<RgbImage, ImageIoError> {
    let [n, c, h, w] = images.dims();
    if n == 0 || !(c == 1 || c == 3) {
        return Err(ImageIoError::BadShape { shape: vec![n, c, h, w] });
    }
    let values: Vec<f32> = images.into_data().convert::<f32>().try_to_vec().expect("f32 data");
    let ncols = ncols.clamp(1, n);
    let nrows = n.div_ceil(ncols);
    let pad = 2;
    let (gw, gh) = (ncols * (w + pad) + pad, nrows * (h + pad) + pad);
    let mut grid = RgbImage::from_pixel(gw as u32, gh as u32, image::Rgb([40, 40, 40]));
    for i in 0..n {
        let (x0, y0) = (pad + (i % ncols) * (w + pad), pad + (i / ncols) * (h + pad));
        for y in 0..h {
            for x in 0..w {
                let mut px = [0u8; 3];
                for (k, p) in px.iter_mut().enumerate() {
                    let ch = if c == 1 { 0 } else { k };
                    *p = to_u8(values[((i * c + ch) * h + y) * w + x], range);
                }
                grid.put_pixel((x0 + x) as u32, (y0 + y) as u32, image::Rgb(px));
            }
        }
    }
    Ok(grid)
}

/// Writes a batch `[n, c, h, w]` as a PNG grid (see [`grid_image`]).
pub fn save_grid(
    images: Tensor<4>,
    ncols: usize,
    range: PixelRange,
    path: impl AsRef<Path>,
) -> Result<(), ImageIoError> {
    save_rgb(&grid_image(images, ncols, range)?, path)
}

/// Writes an RGB image (PNG, or the format the extension names), creating missing folders.
pub fn save_rgb(image: &RgbImage, path: impl AsRef<Path>) -> Result<(), ImageIoError> {
    let path = path.as_ref();
    let err = |source| ImageIoError::Image { path: path.to_path_buf(), source };
    create_parent(path).map_err(|e| err(image::ImageError::IoError(e)))?;
    image.save(path).map_err(err)
}

/// Creates the folder `path` goes in, if it has one and it is missing.
fn create_parent(path: &Path) -> std::io::Result<()> {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => std::fs::create_dir_all(dir),
        None => Ok(()),
    }
}

/// Reads a PNG or JPEG file as a `[channels, h, w]` tensor in [0, 1].
pub fn load_image(
    path: impl AsRef<Path>,
    channels: usize,
    device: &Device,
) -> Result<Tensor<3>, ImageIoError> {
    let path = path.as_ref();
    let img = image::open(path)
        .map_err(|source| ImageIoError::Image { path: path.to_path_buf(), source })?;
    image_to_tensor(&img, channels, device)
}

/// Converts a decoded image to a `[channels, h, w]` tensor in [0, 1].
pub fn image_to_tensor(
    img: &DynamicImage,
    channels: usize,
    device: &Device,
) -> Result<Tensor<3>, ImageIoError> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let planar: Vec<f32> = match channels {
        1 => img.to_luma8().into_raw().into_iter().map(|v| v as f32 / 255.0).collect(),
        3 => {
            let rgb = img.to_rgb8().into_raw();
            let mut out = vec![0.0; 3 * h * w];
            for (i, px) in rgb.chunks_exact(3).enumerate() {
                for k in 0..3 {
                    out[k * h * w + i] = px[k] as f32 / 255.0;
                }
            }
            out
        }
        other => return Err(ImageIoError::BadChannels(other)),
    };
    Ok(Tensor::from_data(TensorData::new(planar, [channels, h, w]), device))
}

/// Converts a `[1 or 3, h, w]` tensor to an image (grey or RGB).
pub fn tensor_to_image(image: Tensor<3>, range: PixelRange) -> Result<DynamicImage, ImageIoError> {
    let [c, h, w] = image.dims();
    let values: Vec<f32> = image.into_data().convert::<f32>().try_to_vec().expect("f32 data");
    match c {
        1 => {
            let raw = values.iter().map(|&v| to_u8(v, range)).collect();
            Ok(DynamicImage::ImageLuma8(
                GrayImage::from_raw(w as u32, h as u32, raw).expect("size"),
            ))
        }
        3 => {
            let mut raw = vec![0u8; 3 * h * w];
            for i in 0..h * w {
                for k in 0..3 {
                    raw[3 * i + k] = to_u8(values[k * h * w + i], range);
                }
            }
            Ok(DynamicImage::ImageRgb8(RgbImage::from_raw(w as u32, h as u32, raw).expect("size")))
        }
        _ => Err(ImageIoError::BadShape { shape: vec![c, h, w] }),
    }
}

/// Writes a batch `[n, c, h, w]` as an animated GIF, one frame per image, `delay_ms` per
/// frame, looping forever, each frame scaled up `scale` times (nearest neighbour) so small
/// images are visible.
pub fn save_gif(
    frames: Tensor<4>,
    range: PixelRange,
    delay_ms: u32,
    scale: u32,
    path: impl AsRef<Path>,
) -> Result<(), ImageIoError> {
    use image::codecs::gif::{GifEncoder, Repeat};
    use image::{Delay, Frame, imageops};
    let path = path.as_ref();
    let err = |source| ImageIoError::Image { path: path.to_path_buf(), source };
    let [n, c, h, w] = frames.dims();
    if n == 0 || !(c == 1 || c == 3) {
        return Err(ImageIoError::BadShape { shape: vec![n, c, h, w] });
    }
    create_parent(path).map_err(|e| err(image::ImageError::IoError(e)))?;
    let file = std::fs::File::create(path).map_err(|e| err(image::ImageError::IoError(e)))?;
    let mut encoder = GifEncoder::new_with_speed(file, 10);
    encoder.set_repeat(Repeat::Infinite).map_err(err)?;
    let scale = scale.max(1);
    for i in 0..n {
        let frame = frames.clone().narrow(0, i, 1).reshape([c, h, w]);
        let rgba = tensor_to_image(frame, range)?.to_rgba8();
        let big = imageops::resize(
            &rgba,
            w as u32 * scale,
            h as u32 * scale,
            imageops::FilterType::Nearest,
        );
        let delay = Delay::from_numer_denom_ms(delay_ms, 1);
        encoder.encode_frame(Frame::from_parts(big, 0, 0, delay)).map_err(err)?;
    }
    Ok(())
}

fn to_u8(v: f32, range: PixelRange) -> u8 {
    let v = match range {
        PixelRange::ZeroOne => v,
        PixelRange::MinusOneOne => (v + 1.0) * 0.5,
    };
    if v.is_nan() { 0 } else { (v.clamp(0.0, 1.0) * 255.0).round() as u8 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_round_trips_pixels() {
        let device = crate::DeviceSpec::Cpu.device().unwrap();
        let data: Vec<f32> = (0..2 * 3 * 4).map(|i| i as f32 / 23.0).collect();
        let batch = Tensor::<1>::from_floats(data.as_slice(), &device).reshape([2, 1, 3, 4]);
        let grid = grid_image(batch, 2, PixelRange::ZeroOne).unwrap();
        assert_eq!((grid.width(), grid.height()), (2 * 6 + 2, 3 + 4));
        // First pixel of the second image sits after one image and two borders.
        assert_eq!(grid.get_pixel(2 + 4 + 2, 2).0, [to_u8(12.0 / 23.0, PixelRange::ZeroOne); 3]);
    }

    #[test]
    fn png_round_trip() {
        let device = crate::DeviceSpec::Cpu.device().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.png");
        let t =
            Tensor::<1>::from_floats([0.0, 0.5, 1.0, 0.25, 0.75, 1.0], &device).reshape([3, 1, 2]);
        tensor_to_image(t.clone(), PixelRange::ZeroOne).unwrap().save(&path).unwrap();
        let back = load_image(&path, 3, &device).unwrap();
        let diff: f32 = (back - t).abs().max().into_scalar();
        assert!(diff <= 1.0 / 255.0);
    }

    #[test]
    fn gif_has_every_frame() {
        let device = crate::DeviceSpec::Cpu.device().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("walk.gif");
        let frames = Tensor::<4>::ones([3, 1, 4, 5], &device).mul_scalar(0.5);
        save_gif(frames, PixelRange::ZeroOne, 100, 2, &path).unwrap();
        let decoder = image::codecs::gif::GifDecoder::new(std::io::BufReader::new(
            std::fs::File::open(&path).unwrap(),
        ))
        .unwrap();
        use image::AnimationDecoder;
        let frames = decoder.into_frames().collect_frames().unwrap();
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0].buffer().dimensions(), (10, 8));
    }

    #[test]
    fn bad_shapes_and_files_are_errors() {
        let device = crate::DeviceSpec::Cpu.device().unwrap();
        let t = Tensor::<4>::zeros([1, 2, 3, 3], &device);
        assert!(matches!(
            grid_image(t, 1, PixelRange::ZeroOne),
            Err(ImageIoError::BadShape { .. })
        ));
        let err = load_image("/nonexistent/x.png", 1, &device).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/x.png"));
    }
}
