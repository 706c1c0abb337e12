//! Synthetic cartoon faces with known attributes, drawn from a seed (nothing to download).
//!
//! Each face is a small RGB picture (64×64 by default, any size works: every length is relative
//! to the image) of a head on a light background, with four attributes a model can be
//! conditioned on or tested against: hair colour, glasses, smile and face shape. Shapes are
//! rasterised from signed distance functions with about one pixel of antialiasing, and a little
//! jitter (position, scale, colours) makes every face different while keeping the attributes
//! plain to the eye.
//!
//! Images come out planar (`[3, size, size]` per image) as `f32` in [0, 1], like
//! [`crate::images`].

use rand::{Rng, SeedableRng};

use crate::raster::{Canvas, bbox, ellipse, round_box, segment};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Hair colour of a face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HairColour {
    /// Near black.
    Black,
    /// Mid brown.
    Brown,
    /// Yellow blond.
    Blond,
    /// Ginger red.
    Red,
}

impl HairColour {
    /// Every hair colour, in [`HairColour::index`] order.
    pub const ALL: [HairColour; 4] =
        [HairColour::Black, HairColour::Brown, HairColour::Blond, HairColour::Red];

    /// Position in [`HairColour::ALL`] (a class label).
    pub fn index(self) -> usize {
        self as usize
    }

    fn rgb(self) -> [f32; 3] {
        match self {
            HairColour::Black => [0.08, 0.07, 0.07],
            HairColour::Brown => [0.40, 0.23, 0.11],
            HairColour::Blond => [0.95, 0.79, 0.32],
            HairColour::Red => [0.78, 0.26, 0.07],
        }
    }
}

/// Outline of a face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FaceShape {
    /// A circle.
    Round,
    /// An ellipse taller than wide.
    Oval,
    /// A square with rounded corners.
    Square,
}

impl FaceShape {
    /// Every face shape, in [`FaceShape::index`] order.
    pub const ALL: [FaceShape; 3] = [FaceShape::Round, FaceShape::Oval, FaceShape::Square];

    /// Position in [`FaceShape::ALL`] (a class label).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The attributes of one face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FaceAttrs {
    /// Hair colour.
    pub hair: HairColour,
    /// Wears glasses.
    pub glasses: bool,
    /// Smiles (an upward curved mouth) rather than a straight or slightly sad one.
    pub smile: bool,
    /// Outline of the head.
    pub shape: FaceShape,
}

impl FaceAttrs {
    /// Length of [`FaceAttrs::one_hot`]: glasses, smile, 4 hair colours, 3 shapes.
    pub const ONE_HOT_LEN: usize = 9;

    /// Independent attributes: glasses and smile each with probability 1/2, hair colour and
    /// shape uniform.
    pub fn random(rng: &mut impl Rng) -> Self {
        FaceAttrs {
            hair: HairColour::ALL[rng.random_range(0..HairColour::ALL.len())],
            glasses: rng.random_bool(0.5),
            smile: rng.random_bool(0.5),
            shape: FaceShape::ALL[rng.random_range(0..FaceShape::ALL.len())],
        }
    }

    /// A conditioning vector: `[glasses, smile, hair one-hot (4), shape one-hot (3)]`, all 0 or 1.
    pub fn one_hot(&self) -> [f32; Self::ONE_HOT_LEN] {
        let mut v = [0.0; Self::ONE_HOT_LEN];
        v[0] = f32::from(u8::from(self.glasses));
        v[1] = f32::from(u8::from(self.smile));
        v[2 + self.hair.index()] = 1.0;
        v[6 + self.shape.index()] = 1.0;
        v
    }
}

/// A set of faces of one size with their attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Faces {
    /// Width and height of every image.
    pub size: usize,
    /// `n × 3 × size × size` values in [0, 1], planar per image.
    pub images: Vec<f32>,
    /// The attributes of each image, in order.
    pub attrs: Vec<FaceAttrs>,
}

impl Faces {
    /// Number of faces.
    pub fn len(&self) -> usize {
        self.attrs.len()
    }

    /// True when there are no faces.
    pub fn is_empty(&self) -> bool {
        self.attrs.is_empty()
    }

    /// Values per image (`3 × size × size`).
    pub fn image_len(&self) -> usize {
        3 * self.size * self.size
    }

    /// Image `i`, planar `[3, size, size]`. Panics when `i` is out of range, like slice indexing.
    pub fn image(&self, i: usize) -> &[f32] {
        let len = self.image_len();
        &self.images[i * len..(i + 1) * len]
    }

    /// The chosen images, concatenated (a batch `[indices.len(), 3, size, size]`).
    pub fn gather(&self, indices: &[usize]) -> Vec<f32> {
        indices.iter().flat_map(|&i| self.image(i).iter().copied()).collect()
    }

    /// The chosen faces' [`FaceAttrs::one_hot`] vectors, concatenated
    /// (`[indices.len(), FaceAttrs::ONE_HOT_LEN]`).
    pub fn gather_one_hot(&self, indices: &[usize]) -> Vec<f32> {
        indices.iter().flat_map(|&i| self.attrs[i].one_hot()).collect()
    }

    /// Whether each face wears glasses.
    pub fn glasses_labels(&self) -> Vec<bool> {
        self.attrs.iter().map(|a| a.glasses).collect()
    }

    /// Whether each face smiles.
    pub fn smile_labels(&self) -> Vec<bool> {
        self.attrs.iter().map(|a| a.smile).collect()
    }

    /// Class label of one attribute for every face: `"glasses"` and `"smile"` give 0 or 1,
    /// `"hair"` a [`HairColour::index`], `"shape"` a [`FaceShape::index`]. `None` for any other
    /// name.
    pub fn attribute(&self, name: &str) -> Option<Vec<usize>> {
        let pick: fn(&FaceAttrs) -> usize = match name {
            "glasses" => |a| usize::from(a.glasses),
            "smile" => |a| usize::from(a.smile),
            "hair" => |a| a.hair.index(),
            "shape" => |a| a.shape.index(),
            _ => return None,
        };
        Some(self.attrs.iter().map(pick).collect())
    }
}

/// `n` faces with random attributes (see [`FaceAttrs::random`]), all drawn from a ChaCha8 stream
/// seeded by `seed`: the same arguments always give the same faces.
pub fn generate_faces(n: usize, size: usize, seed: u64) -> Faces {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut images = Vec::with_capacity(n * 3 * size * size);
    let mut attrs = Vec::with_capacity(n);
    for _ in 0..n {
        let a = FaceAttrs::random(&mut rng);
        images.extend(draw_face(&a, size, &mut rng));
        attrs.push(a);
    }
    Faces { size, images, attrs }
}

/// One face for each of the given attributes, with the jitter drawn from `seed`.
pub fn generate_faces_with(attrs: &[FaceAttrs], size: usize, seed: u64) -> Faces {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let images = attrs.iter().flat_map(|a| draw_face(a, size, &mut rng)).collect();
    Faces { size, images, attrs: attrs.to_vec() }
}

/// Tones a face is drawn in, light to dark.
const SKIN: [[f32; 3]; 5] = [
    [0.98, 0.86, 0.76],
    [0.93, 0.76, 0.62],
    [0.82, 0.62, 0.46],
    [0.64, 0.45, 0.31],
    [0.47, 0.32, 0.21],
];

/// Draws one face, planar `[3, size, size]` in [0, 1].
///
/// The same number of random values is taken from `rng` whatever the attributes, so the same
/// rng state with glasses on and off gives the same face with and without glasses.
pub fn draw_face(attrs: &FaceAttrs, size: usize, rng: &mut impl Rng) -> Vec<f32> {
    // Every random choice first, in a fixed order.
    let mut jitter = |k: f32| rng.random_range(-k..=k);
    let background = [0.84 + jitter(0.05), 0.89 + jitter(0.05), 0.94 + jitter(0.05)];
    let (dx, dy) = (jitter(2.0 / 64.0), jitter(2.0 / 64.0));
    let scale = 1.0 + jitter(0.06);
    let tone = (jitter(0.5) + 0.5) * (SKIN.len() as f32 - 1e-3);
    let skin_jitter = [jitter(0.03), jitter(0.03), jitter(0.03)];
    let hair_jitter = [jitter(0.04), jitter(0.04), jitter(0.04)];
    let shirt = [0.5 + jitter(0.3), 0.5 + jitter(0.3), 0.5 + jitter(0.3)];
    let mouth_shade = jitter(0.06);
    let smile_depth = 0.22 + jitter(0.04);
    let frown_depth = -0.03 + jitter(0.03);
    let frame_grey = 0.08 + jitter(0.04);

    let add = |c: [f32; 3], d: [f32; 3]| std::array::from_fn(|k| (c[k] + d[k]).clamp(0.0, 1.0));
    let shade = |c: [f32; 3], f: f32| c.map(|v| (v * f).clamp(0.0, 1.0));
    let skin = add(SKIN[tone as usize], skin_jitter);
    let hair = add(attrs.hair.rgb(), hair_jitter);

    // Geometry in image units ([0, 1] across), scaled by the head's base radius `r`.
    let r = 0.28 * scale;
    let (cx, cy) = (0.5 + dx, 0.46 + dy);
    let head = Head::new(attrs.shape, cx, cy, r);
    let mut c = Canvas::new(size, background);

    // Shoulders, neck, ears, head.
    c.paint(bbox(cx, cy + 1.75 * r, 1.5 * r, 0.55 * r), shirt, |u, v| {
        ellipse(u - cx, v - cy - 1.75 * r, 1.5 * r, 0.55 * r)
    });
    c.paint(bbox(cx, cy + 0.9 * r, 0.28 * r, 0.45 * r), shade(skin, 0.88), |u, v| {
        round_box(u - cx, v - cy - 0.9 * r, 0.28 * r, 0.45 * r, 0.05 * r)
    });
    for side in [-1.0, 1.0] {
        let ex = cx + side * head.rx;
        c.paint(bbox(ex, cy, 0.13 * r, 0.2 * r), shade(skin, 0.95), |u, v| {
            ellipse(u - ex, v - cy, 0.13 * r, 0.2 * r)
        });
    }
    c.paint(head.bbox(0.0), skin, |u, v| head.sdf(u, v));

    // Hair: the head grown a little, above a hairline that curves down at the sides.
    let grow = 0.07 * r;
    c.paint(head.bbox(grow), hair, |u, v| {
        let t = (u - cx) / head.rx;
        let hairline = cy - 0.5 * head.ry + 0.3 * head.ry * t * t;
        (head.sdf(u, v) - grow).max(v - hairline)
    });

    // Eyes: white, then a dark pupil.
    let ey = cy - 0.08 * r;
    let eyes = [cx - 0.38 * r, cx + 0.38 * r];
    for ex in eyes {
        c.paint(bbox(ex, ey, 0.15 * r, 0.11 * r), [0.97, 0.97, 0.95], |u, v| {
            ellipse(u - ex, v - ey, 0.15 * r, 0.11 * r)
        });
        c.paint(bbox(ex, ey, 0.08 * r, 0.08 * r), [0.10, 0.07, 0.06], |u, v| {
            (u - ex).hypot(v - ey) - 0.08 * r
        });
    }

    // Nose hint: a short darker stroke.
    let (n0, n1) = ((cx, cy + 0.08 * r), (cx - 0.05 * r, cy + 0.27 * r));
    c.paint(bbox(cx, cy + 0.18 * r, 0.1 * r, 0.15 * r), shade(skin, 0.78), |u, v| {
        segment(u, v, n0, n1) - 0.035 * r
    });

    // Mouth: a parabola through the corners; a smile sags in the middle (y grows downwards).
    let depth = if attrs.smile { smile_depth } else { frown_depth } * r;
    let (half_w, my) = (0.36 * r, cy + 0.5 * r - depth / 2.0);
    let mouth: Vec<(f32, f32)> = (0..=10)
        .map(|i| {
            let t = i as f32 / 5.0 - 1.0;
            (cx + t * half_w, my + depth * (1.0 - t * t))
        })
        .collect();
    let lips = [0.45 + mouth_shade, 0.07, 0.10];
    c.paint(bbox(cx, my + depth / 2.0, half_w + 0.06 * r, depth.abs() + 0.06 * r), lips, |u, v| {
        mouth.windows(2).map(|s| segment(u, v, s[0], s[1])).fold(f32::INFINITY, f32::min)
            - 0.055 * r
    });

    // Glasses: a dark ring round each eye, a bridge and short arms to the edge of the face.
    if attrs.glasses {
        let frame = [frame_grey; 3];
        let (ring, half_t) = (0.24 * r, 0.06 * r);
        for ex in eyes {
            c.paint(bbox(ex, ey, ring + half_t, ring + half_t), frame, |u, v| {
                ((u - ex).hypot(v - ey) - ring).abs() - half_t
            });
        }
        let bridge = [(eyes[0] + ring, ey), (eyes[1] - ring, ey)];
        let arm =
            |side: f32| [(cx + side * (0.38 * r + ring), ey), (cx + side * 0.97 * head.rx, ey)];
        for [a, b] in [bridge, arm(-1.0), arm(1.0)] {
            c.paint(bbox(cx, ey, head.rx, half_t), frame, |u, v| segment(u, v, a, b) - half_t);
        }
    }
    c.into_planar()
}

/// Tiles planar RGB images of `size × size` into one picture, `cols` across (at least 1),
/// filling rows left to right; for looking at samples.
pub fn grid(images: &[f32], size: usize, cols: usize) -> image::RgbImage {
    let len = 3 * size * size;
    let n = images.len().checked_div(len).unwrap_or(0);
    let cols = cols.max(1).min(n.max(1));
    let rows = n.div_ceil(cols);
    let mut out = image::RgbImage::new((cols * size) as u32, (rows * size) as u32);
    for (i, img) in images.chunks_exact(len.max(1)).take(n).enumerate() {
        let (x0, y0) = ((i % cols) * size, (i / cols) * size);
        for y in 0..size {
            for x in 0..size {
                let px = std::array::from_fn(|k| {
                    (img[k * size * size + y * size + x].clamp(0.0, 1.0) * 255.0).round() as u8
                });
                out.put_pixel((x0 + x) as u32, (y0 + y) as u32, image::Rgb(px));
            }
        }
    }
    out
}

/// The head outline, centred at (`cx`, `cy`) with half-width `rx` and half-height `ry`.
struct Head {
    shape: FaceShape,
    cx: f32,
    cy: f32,
    rx: f32,
    ry: f32,
}

impl Head {
    fn new(shape: FaceShape, cx: f32, cy: f32, r: f32) -> Self {
        let (rx, ry) = match shape {
            FaceShape::Round => (r, r),
            FaceShape::Oval => (0.82 * r, 1.12 * r),
            FaceShape::Square => (0.92 * r, 0.98 * r),
        };
        Head { shape, cx, cy, rx, ry }
    }

    fn sdf(&self, u: f32, v: f32) -> f32 {
        let (x, y) = (u - self.cx, v - self.cy);
        match self.shape {
            FaceShape::Round => x.hypot(y) - self.rx,
            FaceShape::Oval => ellipse(x, y, self.rx, self.ry),
            FaceShape::Square => round_box(x, y, self.rx, self.ry, 0.28 * self.rx),
        }
    }

    fn bbox(&self, grow: f32) -> [f32; 4] {
        bbox(self.cx, self.cy, self.rx + grow, self.ry + grow)
    }
}
