//! A tiny antialiased rasteriser: shapes given as signed distance functions in image units
//! (`[0, 1]` across the picture, negative inside), painted one over another.

/// `[x0, y0, x1, y1]` of a box centred at (`cx`, `cy`) with half-sizes `hx`, `hy`.
pub(crate) fn bbox(cx: f32, cy: f32, hx: f32, hy: f32) -> [f32; 4] {
    [cx - hx, cy - hy, cx + hx, cy + hy]
}

/// Approximate signed distance from (`x`, `y`) to an origin-centred ellipse (exact on the
/// outline, good within a pixel of it, which is all antialiasing needs).
pub(crate) fn ellipse(x: f32, y: f32, rx: f32, ry: f32) -> f32 {
    let k0 = ((x / rx).powi(2) + (y / ry).powi(2)).sqrt();
    let k1 = ((x / (rx * rx)).powi(2) + (y / (ry * ry)).powi(2)).sqrt();
    if k1 < 1e-9 { -rx.min(ry) } else { k0 * (k0 - 1.0) / k1 }
}

/// Signed distance to an origin-centred box of half-sizes `hx`, `hy` with corner radius `rad`.
pub(crate) fn round_box(x: f32, y: f32, hx: f32, hy: f32, rad: f32) -> f32 {
    let (qx, qy) = (x.abs() - hx + rad, y.abs() - hy + rad);
    qx.max(0.0).hypot(qy.max(0.0)) + qx.max(qy).min(0.0) - rad
}

/// Distance from (`u`, `v`) to the segment `a`–`b`.
pub(crate) fn segment(u: f32, v: f32, a: (f32, f32), b: (f32, f32)) -> f32 {
    let (px, py, bx, by) = (u - a.0, v - a.1, b.0 - a.0, b.1 - a.1);
    let len2 = bx * bx + by * by;
    let t = if len2 > 0.0 { ((px * bx + py * by) / len2).clamp(0.0, 1.0) } else { 0.0 };
    (px - t * bx).hypot(py - t * by)
}

/// An RGB raster painted shape by shape.
pub(crate) struct Canvas {
    size: usize,
    pixels: Vec<[f32; 3]>,
}

impl Canvas {
    pub(crate) fn new(size: usize, background: [f32; 3]) -> Self {
        Canvas { size, pixels: vec![background; size * size] }
    }

    /// Paints `colour` where `sdf(u, v)` (image units, negative inside) is negative, blending
    /// over about one pixel at the edge. Only pixels within a pixel of `bbox` are visited.
    pub(crate) fn paint(
        &mut self,
        bbox: [f32; 4],
        colour: [f32; 3],
        sdf: impl Fn(f32, f32) -> f32,
    ) {
        let s = self.size as f32;
        let lo = |v: f32| (v * s - 1.0).floor().clamp(0.0, s) as usize;
        let hi = |v: f32| (v * s + 1.0).ceil().clamp(0.0, s) as usize;
        for y in lo(bbox[1])..hi(bbox[3]) {
            for x in lo(bbox[0])..hi(bbox[2]) {
                let d = sdf((x as f32 + 0.5) / s, (y as f32 + 0.5) / s) * s;
                let alpha = (0.5 - d).clamp(0.0, 1.0);
                if alpha > 0.0 {
                    let px = &mut self.pixels[y * self.size + x];
                    for k in 0..3 {
                        px[k] += alpha * (colour[k] - px[k]);
                    }
                }
            }
        }
    }

    pub(crate) fn into_planar(self) -> Vec<f32> {
        let hw = self.size * self.size;
        let mut out = vec![0.0; 3 * hw];
        for (i, px) in self.pixels.iter().enumerate() {
            for k in 0..3 {
                out[k * hw + i] = px[k].clamp(0.0, 1.0);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_signed_and_paint_antialiases() {
        assert!(ellipse(0.0, 0.0, 0.2, 0.3) < 0.0 && ellipse(0.0, 0.4, 0.2, 0.3) > 0.0);
        assert!((ellipse(0.2, 0.0, 0.2, 0.3)).abs() < 1e-6);
        assert!((round_box(0.5, 0.0, 0.4, 0.4, 0.1) - 0.1).abs() < 1e-6);
        assert!((segment(0.5, 1.0, (0.0, 0.0), (1.0, 0.0)) - 1.0).abs() < 1e-6);
        // A half-plane edge through a pixel centre gives that pixel half coverage.
        let mut c = Canvas::new(4, [0.0; 3]);
        c.paint([0.0, 0.0, 1.0, 1.0], [1.0; 3], |u, _| u - 0.625);
        assert_eq!(&c.into_planar()[..4], &[1.0, 1.0, 0.5, 0.0]);
    }
}
