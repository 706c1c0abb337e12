//! Rendering a street layout: one ray per pixel into the layout, the nearest hit's class, and
//! the photo's shading of it.

use rand::Rng;

use super::{EYE, FAR, Kind, Layout, StreetClass};
use crate::scene::{Frame, mix, noise, scale};

/// What a pixel's ray hits first.
enum Hit {
    Sky,
    /// Ground at lateral `x`, depth `z`.
    Ground(f32, f32),
    /// A facade of side `s` at depth `z`, height `y`.
    Facade(usize, f32, f32),
    /// Object `i` at world (`x`, `y`).
    Thing(usize, f32, f32, StreetClass),
}

/// One street scene: its photo, label map and classes.
pub(super) fn draw_scene(size: usize, rng: &mut impl Rng) -> Frame {
    let l = Layout::draw(rng);
    let mut frame = Frame::new(size);
    for py in 0..size {
        for px in 0..size {
            let (u, v) = ((px as f32 + 0.5) / size as f32, (py as f32 + 0.5) / size as f32);
            let (dx, dy) = ((u - l.vanish) / l.focal, (v - l.horizon) / l.focal);
            let (hit, depth) = cast(&l, dx, dy);
            // Objects in front of the scene hit, far to near.
            let mut hit = hit;
            for (i, t) in l.things.iter().enumerate() {
                if t.z < depth {
                    let (x, y) = (l.cam + dx * t.z, EYE - dy * t.z);
                    if let Some(class) = t.class_at(x, y) {
                        hit = Hit::Thing(i, x, y, class);
                    }
                }
            }
            let i = py * size + px;
            let (class, colour) = shade(&l, &hit, u, v);
            let grain = (noise(px as f32 * 0.9, py as f32 * 0.9, l.salt ^ 7) - 0.5) * 0.06;
            frame.classes[i] = class as u8;
            frame.flat[i] = class.colour();
            frame.photo[i] = colour.map(|c| c + grain);
        }
    }
    frame
}

/// The first surface along the ray through screen offset (`dx`, `dy`) from the vanishing
/// point, and its depth.
fn cast(l: &Layout, dx: f32, dy: f32) -> (Hit, f32) {
    let ground = (dy > 0.0).then(|| EYE / dy);
    let s = if dx < 0.0 { 0 } else { 1 };
    let side = &l.sides[s];
    // Lateral distance from the camera to this side's facade plane.
    let reach = side.facade - l.cam * if s == 0 { -1.0 } else { 1.0 };
    let wall = (dx != 0.0).then(|| reach / dx.abs()).filter(|&z| z < FAR);
    if let Some(z) = wall {
        let y = EYE - dy * z;
        let height = side.block_at(z).1;
        let before_ground = ground.is_none_or(|g| z < g);
        if before_ground && (0.0..=height).contains(&y) {
            return (Hit::Facade(s, z, y), z);
        }
        // Over a facade's top and down behind it: the building's roof.
        if y > height && ground.is_some_and(|g| dx.abs() * g > reach) {
            return (Hit::Facade(s, z, height), z);
        }
    }
    match ground {
        Some(z) if (dx * z).abs() <= reach => (Hit::Ground(l.cam + dx * z, z), z),
        // Ground beyond the facades, past the end of the modelled street: the city goes on.
        Some(z) => (Hit::Facade(s, z, 0.0), z),
        None => (Hit::Sky, f32::INFINITY),
    }
}

/// The class and photo colour of a hit; (`u`, `v`) is the pixel's place in the picture (for
/// the sky).
fn shade(l: &Layout, hit: &Hit, u: f32, v: f32) -> (StreetClass, [f32; 3]) {
    let salt = l.salt;
    match *hit {
        Hit::Sky => {
            let t = (v / l.horizon).clamp(0.0, 1.0);
            let cloud = (noise(u * 6.0, v * 14.0, salt) - 0.6).max(0.0) * 1.5;
            (StreetClass::Sky, mix(mix(l.sky[0], l.sky[1], t), [0.95; 3], cloud))
        }
        Hit::Facade(s, z, y) => {
            let (_, _, colour, floor, spacing) = *l.sides[s].block_at(z);
            // The facades that face the sun: the left ones when it shines from the right.
            let lit = if (s == 0) == (l.sun > 0.0) { 1.0 } else { 0.62 };
            let (fy, fz) = ((y / floor).fract(), (z / spacing).fract());
            let window = y > 2.5 && (0.3..0.8).contains(&fy) && (0.25..0.75).contains(&fz);
            let shop = y < 2.5 && (0.1..0.9).contains(&fz);
            let base = if window {
                mix([0.15, 0.2, 0.28], [0.6, 0.7, 0.8], noise(z * 0.3, y * 0.3, salt ^ 3) * 0.5)
            } else if shop {
                [0.2, 0.22, 0.25]
            } else {
                scale(colour, 0.9 + 0.2 * noise(z * 2.0, y * 2.0, salt ^ 5))
            };
            (StreetClass::Building, scale(base, lit))
        }
        Hit::Ground(x, z) => {
            let side = &l.sides[usize::from(x > 0.0)];
            let (ax, tex) = (x.abs(), noise(x * 3.0, z * 3.0, salt ^ 11));
            let (class, base) = if ax < l.road {
                let lane = (x + l.road) / 3.5;
                let marking = (lane - lane.round()).abs() * 3.5 < 0.08
                    && lane.round() > 0.0
                    && (lane.round() as usize) < l.lanes
                    && (z / 6.0).fract() < 0.5;
                let edge = (ax - (l.road - 0.25)).abs() < 0.08;
                let asphalt = scale([0.33, 0.33, 0.35], 0.85 + 0.3 * tex);
                (StreetClass::Road, if marking || edge { [0.9, 0.9, 0.85] } else { asphalt })
            } else if ax < side.kerb || side.facade <= side.grass {
                let joint = (z.fract() < 0.05) || ((ax - l.road) / 1.2).fract() < 0.06;
                let paving = scale([0.72, 0.7, 0.66], if joint { 0.8 } else { 0.95 + 0.1 * tex });
                (StreetClass::Sidewalk, paving)
            } else {
                (StreetClass::Terrain, scale([0.3, 0.55, 0.2], 0.8 + 0.4 * tex))
            };
            (class, scale(base, ground_light(l, x, z)))
        }
        Hit::Thing(i, x, y, class) => {
            let t = &l.things[i];
            let colour = match (t.kind, class) {
                (Kind::Car, _) if y > 0.95 => [0.12, 0.15, 0.2],
                (Kind::Car, _) if y < 0.4 && (x - t.x).abs() > 0.5 => [0.05; 3],
                (Kind::Car, _) if (0.7..0.8).contains(&y) && (x - t.x).abs() > 0.65 => {
                    [0.9, 0.1, 0.1]
                }
                (Kind::Person, _) if y > 1.45 => [0.85, 0.65, 0.5],
                (Kind::Person, _) if y < 0.85 => scale(t.colour, 0.4),
                (Kind::Pole, StreetClass::TrafficSign) => {
                    let border = (x - t.x).abs() > 0.28 || (y - t.extra).abs() > 0.28;
                    if border { [0.95; 3] } else { t.colour }
                }
                (Kind::Pole, _) => [0.35, 0.36, 0.38],
                (Kind::Tree, _) if y < 2.7 && (x - t.x).abs() < 0.15 => [0.3, 0.2, 0.12],
                (Kind::Tree, _) => scale(t.colour, 0.7 + 0.6 * noise(x * 4.0, y * 4.0, salt ^ 13)),
                _ => t.colour,
            };
            let lit = if (x - t.x) * l.sun > 0.0 { 1.0 } else { 0.8 };
            (class, scale(colour, lit))
        }
    }
}

/// Light on the ground at (`x`, `z`): the shadow of the facade on the sun's side, and of every
/// object, cast away from the sun.
fn ground_light(l: &Layout, x: f32, z: f32) -> f32 {
    let sunward = &l.sides[usize::from(l.sun > 0.0)];
    let from_facade = sunward.facade - x * l.sun;
    if from_facade < l.shadow * sunward.block_at(z).1 * 0.5 {
        return 0.6;
    }
    for t in &l.things {
        let off = x - (t.x - l.sun * l.shadow);
        let (half, len) = match t.kind {
            Kind::Car => (0.9, 4.4),
            Kind::Tree => (t.extra, 2.0 * t.extra),
            _ => (0.25, 0.5),
        };
        if off.abs() < half && (t.z..t.z + len).contains(&z) {
            return 0.6;
        }
    }
    1.0
}
