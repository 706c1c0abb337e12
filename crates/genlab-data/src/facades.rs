//! Procedurally drawn building facades with their label maps, the built-in stand-in for the
//! CMP Facade dataset that pix2pix's labels -> facade task was shown on.
//!
//! Each sample is a random building: a sky band, a wall in one of several plaster or brick
//! tones, 3 to 5 floors of windows (some with balconies, some lit), a cornice under the roof,
//! window sills and a door. The geometry is laid out once as rectangles of known classes; the
//! label map paints each class in a flat colour ([`FacadeClass::colour`]) and the photo shades
//! the same rectangles with gradients, frames, mullions, texture and noise. Colours such as the
//! wall's are chosen at random and do not show in the label map, so the photo is one of many
//! that fit it: the task is genuinely generative, as the real one is.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The classes of a label map, painted in order (later over earlier).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacadeClass {
    /// Sky above the roof.
    Sky,
    /// Wall.
    Wall,
    /// Cornice under the roof.
    Cornice,
    /// Window sill.
    Sill,
    /// Window (glass and frame).
    Window,
    /// Balcony railing.
    Balcony,
    /// Door.
    Door,
}

impl FacadeClass {
    /// Every class, in painting order.
    pub const ALL: [FacadeClass; 7] = [
        FacadeClass::Sky,
        FacadeClass::Wall,
        FacadeClass::Cornice,
        FacadeClass::Sill,
        FacadeClass::Window,
        FacadeClass::Balcony,
        FacadeClass::Door,
    ];

    /// The flat colour of the class in a label map (after the CMP Facade palette's blues for
    /// background, wall and window, with warm colours for the rest).
    pub fn colour(self) -> [f32; 3] {
        match self {
            FacadeClass::Sky => [0.0, 0.0, 0.67],
            FacadeClass::Wall => [0.0, 0.33, 1.0],
            FacadeClass::Cornice => [1.0, 0.33, 0.0],
            FacadeClass::Sill => [0.67, 1.0, 0.33],
            FacadeClass::Window => [0.0, 0.8, 1.0],
            FacadeClass::Balcony => [0.33, 1.0, 0.67],
            FacadeClass::Door => [1.0, 0.67, 0.0],
        }
    }
}

/// One rectangle of the layout, in pixels, `x1`/`y1` exclusive.
#[derive(Debug, Clone, Copy)]
struct Part {
    class: FacadeClass,
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
    /// A lit window glows warm in the photo.
    lit: bool,
}

/// One facade: the photo and its label map, both planar `[3, size, size]` in [0, 1].
pub fn draw_facade(size: usize, rng: &mut impl Rng) -> (Vec<f32>, Vec<f32>) {
    let s = size as f32;
    let px = |f: f32| ((f * s).round() as usize).min(size);
    let mut parts = Vec::new();
    let mut add = |class, x0: usize, y0: usize, x1: usize, y1: usize, lit: bool| {
        if x1 > x0 && y1 > y0 {
            parts.push(Part { class, x0, y0, x1, y1, lit });
        }
    };

    // Every random choice of the layout, then of the shading.
    let roof = px(rng.random_range(0.06..0.2));
    let floors = rng.random_range(3..=5usize);
    let cols = rng.random_range(2..=5usize);
    let win_w = rng.random_range(0.45..0.7f32);
    let win_h = rng.random_range(0.45..0.65f32);
    let door_col = rng.random_range(0..cols);
    let balcony_floors: Vec<bool> = (0..floors).map(|f| f > 0 && rng.random_bool(0.3)).collect();
    let lit: Vec<bool> = (0..floors * cols).map(|_| rng.random_bool(0.1)).collect();
    let wall = WALLS[rng.random_range(0..WALLS.len())].map(|v| v + rng.random_range(-0.05..0.05));
    let brick = rng.random_bool(0.4);
    let frame = if rng.random_bool(0.5) { [0.92, 0.92, 0.9] } else { [0.25, 0.18, 0.12] };
    let door_colour = [0.3, 0.18, 0.1].map(|v: f32| v + rng.random_range(-0.08..0.08));

    add(FacadeClass::Sky, 0, 0, size, roof, false);
    add(FacadeClass::Wall, 0, roof, size, size, false);
    let cornice_h = (size / 20).max(1);
    add(FacadeClass::Cornice, 0, roof, size, roof + cornice_h, false);
    let top = roof + cornice_h;
    let floor_h = (size - top) as f32 / floors as f32;
    let col_w = s / cols as f32;
    for f in 0..floors {
        let fy = top as f32 + f as f32 * floor_h;
        let ground = f + 1 == floors;
        for c in 0..cols {
            let cx = (c as f32 + 0.5) * col_w;
            if ground && c == door_col {
                let (hw, y0) = (col_w * 0.25, fy + floor_h * 0.25);
                add(
                    FacadeClass::Door,
                    (cx - hw) as usize,
                    y0 as usize,
                    (cx + hw) as usize,
                    size,
                    false,
                );
                continue;
            }
            let (hw, hh) = (col_w * win_w / 2.0, floor_h * win_h / 2.0);
            let cy = fy + floor_h * 0.45;
            let (x0, x1) = ((cx - hw).round() as usize, (cx + hw).round() as usize);
            let (y0, y1) = ((cy - hh).round() as usize, (cy + hh).round() as usize);
            add(FacadeClass::Window, x0, y0, x1, y1, lit[f * cols + c]);
            if balcony_floors[f] {
                let by = y1.saturating_sub((floor_h * 0.15) as usize);
                add(
                    FacadeClass::Balcony,
                    x0.saturating_sub(1),
                    by,
                    (x1 + 1).min(size),
                    y1 + 1,
                    false,
                );
            } else {
                add(
                    FacadeClass::Sill,
                    x0.saturating_sub(1),
                    y1,
                    (x1 + 1).min(size),
                    (y1 + 1).min(size),
                    false,
                );
            }
        }
    }

    let mut photo = vec![0.0f32; 3 * size * size];
    let mut labels = vec![0.0f32; 3 * size * size];
    for y in 0..size {
        for x in 0..size {
            let part = parts
                .iter()
                .rev()
                .find(|p| (p.x0..p.x1).contains(&x) && (p.y0..p.y1).contains(&y))
                .expect("the sky and the wall cover the picture");
            let noise = rng.random_range(-0.03..0.03f32);
            let rgb = shade(part, x, y, size, Shading { wall, brick, frame, door_colour }, noise);
            for (k, (v, label)) in rgb.into_iter().zip(part.class.colour()).enumerate() {
                let i = k * size * size + y * size + x;
                photo[i] = v.clamp(0.0, 1.0);
                labels[i] = label;
            }
        }
    }
    (photo, labels)
}

/// `n` facades drawn from a ChaCha8 stream seeded by `seed`: `(photos, label maps)`, each
/// `n × 3 × size × size`.
pub fn generate_facades(n: usize, size: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut photos, mut labels) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let (p, l) = draw_facade(size, &mut rng);
        photos.extend(p);
        labels.extend(l);
    }
    (photos, labels)
}

/// Plaster and brick tones of the wall.
const WALLS: [[f32; 3]; 6] = [
    [0.85, 0.78, 0.62],
    [0.72, 0.42, 0.32],
    [0.82, 0.82, 0.8],
    [0.62, 0.55, 0.48],
    [0.9, 0.72, 0.55],
    [0.55, 0.3, 0.25],
];

/// The colours one facade is shaded with.
#[derive(Clone, Copy)]
struct Shading {
    wall: [f32; 3],
    brick: bool,
    frame: [f32; 3],
    door_colour: [f32; 3],
}

/// The photo's colour at pixel (`x`, `y`) of `part`.
fn shade(part: &Part, x: usize, y: usize, size: usize, sh: Shading, noise: f32) -> [f32; 3] {
    let (u, v) = (
        (x - part.x0) as f32 / (part.x1 - part.x0) as f32,
        (y - part.y0) as f32 / (part.y1 - part.y0) as f32,
    );
    let edge = x == part.x0 || x + 1 == part.x1 || y == part.y0 || y + 1 == part.y1;
    let add = |c: [f32; 3], d: f32| c.map(|k| k + d);
    match part.class {
        FacadeClass::Sky => add([0.55 + 0.25 * v, 0.7 + 0.2 * v, 0.95], noise * 0.3),
        FacadeClass::Wall => {
            // Weathering darkens the wall towards the street; bricks show mortar lines.
            let dirt = -0.12 * (y as f32 / size as f32);
            let mortar =
                sh.brick && (y.is_multiple_of(3) || (x + 3 * ((y / 3) % 2)).is_multiple_of(6));
            add(sh.wall, dirt + noise + if mortar { 0.12 } else { 0.0 })
        }
        FacadeClass::Cornice | FacadeClass::Sill => {
            let shadow = if y + 1 == part.y1 { -0.25 } else { 0.0 };
            add([0.88, 0.85, 0.78], shadow + noise * 0.5)
        }
        FacadeClass::Window => {
            let mullion =
                (u - 0.5).abs() < 0.5 / (part.x1 - part.x0) as f32 || (v - 0.4).abs() < 0.06;
            if edge || mullion {
                add(sh.frame, noise * 0.5)
            } else if part.lit {
                add([0.98, 0.85, 0.5], -0.2 * v + noise)
            } else {
                // Glass reflects the sky: lighter along the upper-left diagonal.
                let glint = 0.25 * (1.0 - (u + v) / 2.0).powi(2);
                add([0.15, 0.2, 0.28], glint + noise * 0.5)
            }
        }
        FacadeClass::Balcony => {
            let bar = (x - part.x0).is_multiple_of(2) || y == part.y0;
            if bar { add([0.12, 0.12, 0.14], noise * 0.5) } else { add(sh.wall, -0.2 + noise) }
        }
        FacadeClass::Door => {
            let panel = ((u - 0.5).abs() - 0.3).abs() < 0.06 || (v - 0.5).abs() < 0.03;
            add(
                sh.door_colour,
                if edge {
                    -0.1
                } else if panel {
                    0.08
                } else {
                    0.0
                } + noise,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facades_are_seeded_and_labels_use_the_palette() {
        let (p1, l1) = generate_facades(3, 32, 7);
        let (p2, l2) = generate_facades(3, 32, 7);
        assert_eq!((p1.clone(), l1.clone()), (p2, l2));
        assert_eq!(p1.len(), 3 * 3 * 32 * 32);
        assert!(p1.iter().all(|v| (0.0..=1.0).contains(v)));
        let palette: Vec<[f32; 3]> = FacadeClass::ALL.iter().map(|c| c.colour()).collect();
        let hw = 32 * 32;
        let mut seen = std::collections::HashSet::new();
        for img in 0..3 {
            for i in 0..hw {
                let base = img * 3 * hw;
                let rgb = [l1[base + i], l1[base + hw + i], l1[base + 2 * hw + i]];
                let class = palette.iter().position(|c| *c == rgb).expect("a palette colour");
                seen.insert(class);
            }
        }
        // Sky, wall, cornice and windows are in every facade.
        for class in [0, 1, 2, 4] {
            assert!(seen.contains(&class), "class {class} missing");
        }
        assert_ne!(generate_facades(1, 32, 8).0, p1[..3 * hw].to_vec());
    }
}
