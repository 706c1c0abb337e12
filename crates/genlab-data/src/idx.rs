//! The IDX format of MNIST: `00 00 <type> <ndims>`, then `ndims` big-endian `u32` sizes, then
//! the values. Files may be gzipped (`.gz`) or raw.

use std::path::Path;

use crate::error::{DataError, read_maybe_gz};

/// Largest decompressed IDX file accepted (1 GiB): more is surely a corrupt header.
pub const MAX_IDX_BYTES: u64 = 1 << 30;

/// A parsed IDX file of unsigned bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idx {
    /// Sizes of each dimension, outermost first.
    pub dims: Vec<usize>,
    /// The values, row-major.
    pub data: Vec<u8>,
}

/// Parses IDX bytes (already decompressed). `path` is only used in error messages.
pub fn parse_idx(bytes: &[u8], path: &Path) -> Result<Idx, DataError> {
    if bytes.len() < 4 {
        return Err(DataError::format(
            path,
            format!("{} bytes is too short for an IDX header", bytes.len()),
        ));
    }
    if bytes[0] != 0 || bytes[1] != 0 {
        return Err(DataError::format(
            path,
            format!(
                "bad magic {:02x}{:02x}{:02x}{:02x}: an IDX file starts with two zero bytes",
                bytes[0], bytes[1], bytes[2], bytes[3]
            ),
        ));
    }
    if bytes[2] != 0x08 {
        return Err(DataError::format(
            path,
            format!(
                "IDX element type 0x{:02x} is not supported (only 0x08, unsigned bytes)",
                bytes[2]
            ),
        ));
    }
    let ndims = bytes[3] as usize;
    if ndims == 0 {
        return Err(DataError::format(path, "IDX header declares zero dimensions"));
    }
    let header = 4 + 4 * ndims;
    if bytes.len() < header {
        return Err(DataError::format(
            path,
            format!(
                "truncated header: {ndims} dimensions need {header} bytes, file has {}",
                bytes.len()
            ),
        ));
    }
    let dims: Vec<usize> = bytes[4..header]
        .chunks_exact(4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .collect();
    // Multiply in u128 so a hostile header cannot overflow.
    let count: u128 = dims.iter().map(|&d| d as u128).product();
    if count > MAX_IDX_BYTES as u128 {
        return Err(DataError::format(
            path,
            format!(
                "header claims {count} values {dims:?}, more than the {MAX_IDX_BYTES} accepted"
            ),
        ));
    }
    let have = bytes.len() - header;
    if have as u128 != count {
        return Err(DataError::format(
            path,
            format!(
                "header claims {count} values {dims:?} but the file holds {have} (truncated or wrong file)"
            ),
        ));
    }
    Ok(Idx { dims, data: bytes[header..].to_vec() })
}

impl Idx {
    /// The IDX bytes of these unsigned bytes (`00 00 08 <ndims>`, big-endian sizes, values):
    /// what [`parse_idx`] reads back.
    ///
    /// # Panics
    /// If the sizes do not multiply to the number of values, or there are more than 255
    /// dimensions or a size past `u32`.
    pub fn to_bytes(&self) -> Vec<u8> {
        assert_eq!(self.dims.iter().product::<usize>(), self.data.len(), "IDX sizes and values");
        let mut out = vec![0, 0, 0x08, u8::try_from(self.dims.len()).expect("at most 255 dims")];
        for &d in &self.dims {
            out.extend_from_slice(&u32::try_from(d).expect("size fits u32").to_be_bytes());
        }
        out.extend_from_slice(&self.data);
        out
    }
}

/// Reads an IDX file, gzipped or raw.
pub fn read_idx(path: impl AsRef<Path>) -> Result<Idx, DataError> {
    let path = path.as_ref();
    let bytes = read_maybe_gz(path, MAX_IDX_BYTES + 1024)?;
    parse_idx(&bytes, path)
}

/// A set of grey images, `n × rows × cols` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSet {
    /// Number of images.
    pub n: usize,
    /// Image height.
    pub rows: usize,
    /// Image width.
    pub cols: usize,
    /// Pixels, image after image, row-major, 0 = background.
    pub pixels: Vec<u8>,
}

impl ImageSet {
    /// Pixels of image `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        let size = self.rows * self.cols;
        &self.pixels[i * size..(i + 1) * size]
    }

    /// Pixels of the chosen images scaled to [0, 1], concatenated.
    pub fn gather_f32(&self, indices: &[usize]) -> Vec<f32> {
        indices.iter().flat_map(|&i| self.image(i).iter().map(|&p| p as f32 / 255.0)).collect()
    }
}

/// Labels, one byte each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSet {
    /// One label per item.
    pub labels: Vec<u8>,
}

/// Reads MNIST-style images (magic 0x00000803: three dimensions).
pub fn read_mnist_images(path: impl AsRef<Path>) -> Result<ImageSet, DataError> {
    let path = path.as_ref();
    let idx = read_idx(path)?;
    match idx.dims.as_slice() {
        &[n, rows, cols] => Ok(ImageSet { n, rows, cols, pixels: idx.data }),
        dims => Err(DataError::format(
            path,
            format!(
                "expected 3 dimensions (n, rows, cols) for images, found {dims:?}: is this a labels file?"
            ),
        )),
    }
}

/// Reads MNIST-style labels (magic 0x00000801: one dimension), checking each is at most
/// `max_label`.
pub fn read_mnist_labels(path: impl AsRef<Path>, max_label: u8) -> Result<LabelSet, DataError> {
    let path = path.as_ref();
    let idx = read_idx(path)?;
    if idx.dims.len() != 1 {
        return Err(DataError::format(
            path,
            format!(
                "expected 1 dimension for labels, found {:?}: is this an images file?",
                idx.dims
            ),
        ));
    }
    if let Some((i, &bad)) = idx.data.iter().enumerate().find(|&(_, &l)| l > max_label) {
        return Err(DataError::format(
            path,
            format!("label {bad} at index {i} is outside 0..={max_label}"),
        ));
    }
    Ok(LabelSet { labels: idx.data })
}

/// `dir/stem.gz` or `dir/stem`, whichever exists.
pub fn find_idx(dir: &Path, stem: &str) -> Option<std::path::PathBuf> {
    [dir.join(format!("{stem}.gz")), dir.join(stem)].into_iter().find(|p| p.is_file())
}

/// One MNIST split from a folder of IDX files (`{split}-images-idx3-ubyte[.gz]` and
/// `{split}-labels-idx1-ubyte[.gz]`), checked to have a label per image.
pub fn read_mnist_split(dir: &Path, split: &str) -> Result<(ImageSet, LabelSet), DataError> {
    let find = |stem: String| {
        find_idx(dir, &stem).ok_or_else(|| DataError::Invalid {
            problem: format!("{} has no {stem}[.gz]", dir.display()),
        })
    };
    let images = read_mnist_images(find(format!("{split}-images-idx3-ubyte"))?)?;
    let labels = read_mnist_labels(find(format!("{split}-labels-idx1-ubyte"))?, 9)?;
    if labels.labels.len() != images.n {
        return Err(DataError::Invalid {
            problem: format!("{split}: {} images but {} labels", images.n, labels.labels.len()),
        });
    }
    Ok((images, labels))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn header(dims: &[u32]) -> Vec<u8> {
        let mut b = vec![0, 0, 8, dims.len() as u8];
        for d in dims {
            b.extend_from_slice(&d.to_be_bytes());
        }
        b
    }

    #[test]
    fn writes_what_it_reads() {
        let idx = Idx { dims: vec![2, 2, 3], data: (0..12).collect() };
        assert_eq!(parse_idx(&idx.to_bytes(), Path::new("t")).unwrap(), idx);
    }

    #[test]
    fn parses_a_small_file() {
        let mut b = header(&[2, 2, 3]);
        b.extend(0..12u8);
        let idx = parse_idx(&b, Path::new("t")).unwrap();
        assert_eq!(idx.dims, vec![2, 2, 3]);
        assert_eq!(idx.data[11], 11);
    }

    #[test]
    fn rejects_corrupt_headers() {
        let p = Path::new("bad.idx");
        let msg = |b: &[u8]| parse_idx(b, p).unwrap_err().to_string();
        assert!(msg(&[1, 2, 8, 1]).contains("bad magic"));
        assert!(msg(&[0, 0, 0x0d, 1, 0, 0, 0, 0]).contains("element type"));
        assert!(msg(&[0, 0, 8]).contains("too short"));
        assert!(msg(&[0, 0, 8, 3, 0, 0]).contains("truncated header"));
        // 10^12 items: refused before allocating.
        let mut huge = header(&[1_000_000, 1_000_000]);
        huge.push(0);
        assert!(msg(&huge).contains("more than"));
        let mut short = header(&[4]);
        short.extend([1, 2]);
        assert!(msg(&short).contains("holds 2"));
        assert!(msg(&short).starts_with("bad.idx:"));
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_idx(&bytes, Path::new("fuzz"));
        }

        #[test]
        fn never_panics_on_plausible_headers(dims in proptest::collection::vec(0u32..40, 1..4), extra in 0usize..8, cut in 0usize..8) {
            let mut b = header(&dims);
            let n: usize = dims.iter().map(|&d| d as usize).product();
            b.extend(std::iter::repeat_n(7u8, (n + extra).saturating_sub(cut)));
            let ok = parse_idx(&b, Path::new("fuzz")).is_ok();
            prop_assert_eq!(ok, (n + extra).saturating_sub(cut) == n);
        }
    }
}
