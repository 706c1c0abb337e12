//! Procedurally drawn street scenes with their label maps, the built-in stand-in for Cityscapes
//! (pix2pix's labels -> street scene task).
//!
//! A camera 1.5 m above a straight street looks along it. Each pixel casts a ray into one
//! hidden layout: the road (2 to 4 lanes), a sidewalk and sometimes a grass strip on each side,
//! rows of buildings of random widths and heights, the sky, and standing objects drawn as
//! upright planes at their depth: cars in the lanes and at the kerb, people on the sidewalks,
//! poles (some carrying a traffic sign) and trees. The nearest hit gives the pixel's class
//! ([`StreetClass`]); the label map paints classes in Cityscapes' palette, and the photo shades
//! the same hit with per-object colours, window grids, lane markings, paving, a sun from the
//! left or right (one side of the street lit, shadows of buildings, cars and trees on the
//! ground), texture and noise. One label map admits many photos.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::DataError;
use crate::scene::{Scenes, check_size};

mod render;
#[cfg(test)]
mod tests;

/// The classes of a street scene, Cityscapes' names and colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum StreetClass {
    /// Drivable asphalt, lane markings included.
    Road,
    /// Pavement beside the road.
    Sidewalk,
    /// Facades and roofs.
    Building,
    /// Trees.
    Vegetation,
    /// Grass strips.
    Terrain,
    /// Sky.
    Sky,
    /// Pedestrians.
    Person,
    /// Cars.
    Car,
    /// Lamp and sign posts.
    Pole,
    /// Sign plates.
    TrafficSign,
}

impl StreetClass {
    /// Every class, in id order.
    pub const ALL: [StreetClass; 10] = [
        StreetClass::Road,
        StreetClass::Sidewalk,
        StreetClass::Building,
        StreetClass::Vegetation,
        StreetClass::Terrain,
        StreetClass::Sky,
        StreetClass::Person,
        StreetClass::Car,
        StreetClass::Pole,
        StreetClass::TrafficSign,
    ];

    /// The class's colour in the label map: Cityscapes' palette.
    pub fn colour(self) -> [f32; 3] {
        let rgb = match self {
            StreetClass::Road => [128, 64, 128],
            StreetClass::Sidewalk => [244, 35, 232],
            StreetClass::Building => [70, 70, 70],
            StreetClass::Vegetation => [107, 142, 35],
            StreetClass::Terrain => [152, 251, 152],
            StreetClass::Sky => [70, 130, 180],
            StreetClass::Person => [220, 20, 60],
            StreetClass::Car => [0, 0, 142],
            StreetClass::Pole => [153, 153, 153],
            StreetClass::TrafficSign => [220, 220, 0],
        };
        rgb.map(|v: u8| v as f32 / 255.0)
    }

    /// Cityscapes' name for the class.
    pub fn name(self) -> &'static str {
        match self {
            StreetClass::Road => "road",
            StreetClass::Sidewalk => "sidewalk",
            StreetClass::Building => "building",
            StreetClass::Vegetation => "vegetation",
            StreetClass::Terrain => "terrain",
            StreetClass::Sky => "sky",
            StreetClass::Person => "person",
            StreetClass::Car => "car",
            StreetClass::Pole => "pole",
            StreetClass::TrafficSign => "traffic sign",
        }
    }
}

/// Camera height in metres (a car's roof), and how far the street goes.
const EYE: f32 = 1.8;
const FAR: f32 = 400.0;

/// One side of the street: where its facade plane stands and its buildings.
struct Side {
    /// Lateral distance of the kerb, the grass strip's inner edge and the facade plane.
    kerb: f32,
    grass: f32,
    facade: f32,
    /// Buildings: (start depth, height, colour, floor height, window spacing).
    blocks: Vec<(f32, f32, [f32; 3], f32, f32)>,
}

impl Side {
    fn draw(rng: &mut impl Rng, road: f32) -> Self {
        let kerb = road + rng.random_range(2.0..4.0);
        let grass = kerb;
        let facade = kerb + if rng.random_bool(0.4) { rng.random_range(1.0..3.0) } else { 0.0 };
        let mut blocks = Vec::new();
        let mut z = 0.5;
        while z < FAR {
            let tone = FACADES[rng.random_range(0..FACADES.len())];
            let colour = tone.map(|v| (v + rng.random_range(-0.06..0.06)).clamp(0.0, 1.0));
            let (floor, spacing) = (rng.random_range(2.8..3.6), rng.random_range(2.0..3.5));
            blocks.push((z, rng.random_range(7.0..32.0), colour, floor, spacing));
            z += rng.random_range(8.0..30.0);
        }
        Self { kerb, grass, facade, blocks }
    }

    fn block_at(&self, z: f32) -> &(f32, f32, [f32; 3], f32, f32) {
        let i = self.blocks.partition_point(|b| b.0 <= z).max(1) - 1;
        &self.blocks[i]
    }
}

const FACADES: [[f32; 3]; 7] = [
    [0.72, 0.66, 0.58],
    [0.55, 0.35, 0.28],
    [0.8, 0.78, 0.72],
    [0.45, 0.45, 0.48],
    [0.7, 0.55, 0.4],
    [0.62, 0.68, 0.72],
    [0.85, 0.8, 0.62],
];

/// A standing object: an upright rectangle facing the camera at depth `z`, centred at `x`.
#[derive(Clone, Copy)]
struct Thing {
    kind: Kind,
    x: f32,
    z: f32,
    colour: [f32; 3],
    /// Poles: the sign's height (0: none); trees: the canopy radius.
    extra: f32,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Car,
    Person,
    Pole,
    Tree,
}

impl Thing {
    /// The class at world point (`x`, `y`) of this object's plane, if it covers it.
    fn class_at(&self, x: f32, y: f32) -> Option<StreetClass> {
        let dx = x - self.x;
        match self.kind {
            Kind::Car => {
                let body = dx.abs() < 0.9 && (0.15..0.95).contains(&y);
                let cabin =
                    dx.abs() < 0.75 - 0.4 * (y - 0.95).max(0.0) && (0.95..1.45).contains(&y);
                (body || cabin).then_some(StreetClass::Car)
            }
            Kind::Person => {
                let head = dx.hypot(y - 1.6) < 0.13;
                let half = if y < 0.9 { 0.18 } else { 0.22 };
                let body = dx.abs() < half && (0.0..1.48).contains(&y);
                (head || body).then_some(StreetClass::Person)
            }
            Kind::Pole => {
                let sign = self.extra > 0.0 && dx.abs() < 0.35 && (y - self.extra).abs() < 0.35;
                if sign {
                    Some(StreetClass::TrafficSign)
                } else {
                    (dx.abs() < 0.08 && (0.0..6.5).contains(&y)).then_some(StreetClass::Pole)
                }
            }
            Kind::Tree => {
                let r = self.extra;
                let canopy = (dx / r).hypot((y - 2.6 - r) / (1.2 * r)) < 1.0;
                let trunk = dx.abs() < 0.15 && (0.0..3.0).contains(&y);
                (canopy || trunk).then_some(StreetClass::Vegetation)
            }
        }
    }
}

/// A whole scene's hidden layout.
struct Layout {
    horizon: f32,
    vanish: f32,
    focal: f32,
    lanes: usize,
    road: f32,
    /// The camera's lateral place: the middle of one lane.
    cam: f32,
    sides: [Side; 2],
    things: Vec<Thing>,
    sky: [[f32; 3]; 2],
    /// The sun's side: -1 from the left, +1 from the right; and how long the shadows are.
    sun: f32,
    shadow: f32,
    salt: u64,
}

impl Layout {
    fn draw(rng: &mut impl Rng) -> Self {
        let lanes = rng.random_range(2..=4usize);
        let road = lanes as f32 * 3.5 / 2.0;
        let sides = [Side::draw(rng, road), Side::draw(rng, road)];
        let mut things = Vec::new();
        for _ in 0..rng.random_range(2..=6) {
            let lane = rng.random_range(0..lanes) as f32;
            let x = -road + 1.75 + 3.5 * lane + rng.random_range(-0.3..0.3);
            let colour = CARS[rng.random_range(0..CARS.len())];
            things.push(Thing {
                kind: Kind::Car,
                x,
                z: rng.random_range(5.0..60.0),
                colour,
                extra: 0.0,
            });
        }
        for (s, side) in sides.iter().enumerate() {
            let sign = if s == 0 { -1.0 } else { 1.0 };
            for _ in 0..rng.random_range(0..=5) {
                let x = sign * rng.random_range(road + 0.5..side.kerb - 0.3);
                let colour = [rng.random(), rng.random(), rng.random()];
                let z = rng.random_range(4.0..40.0);
                things.push(Thing { kind: Kind::Person, x, z, colour, extra: 0.0 });
            }
            let mut z = rng.random_range(4.0..15.0);
            while z < 90.0 {
                if rng.random_bool(0.5) {
                    let sign_h =
                        if rng.random_bool(0.4) { rng.random_range(2.4..3.2) } else { 0.0 };
                    let colour = SIGNS[rng.random_range(0..SIGNS.len())];
                    let x = sign * (road + 0.4);
                    things.push(Thing { kind: Kind::Pole, x, z, colour, extra: sign_h });
                } else {
                    // In the grass strip where there is one, else at the back of the pavement.
                    let x = if side.facade > side.kerb {
                        (side.kerb + side.facade) / 2.0
                    } else {
                        (side.kerb - 0.8).max(road + 0.6)
                    };
                    let x = sign * x;
                    let colour = [0.2, 0.45, 0.15].map(|v: f32| v + rng.random_range(-0.06..0.06));
                    let r = rng.random_range(1.3..2.4);
                    things.push(Thing { kind: Kind::Tree, x, z, colour, extra: r });
                }
                z += rng.random_range(10.0..25.0);
            }
        }
        // Far first, so near objects paint over them.
        things.sort_by(|a, b| b.z.total_cmp(&a.z));
        let top = [0.25, 0.45, 0.8].map(|v: f32| v + rng.random_range(-0.1..0.1));
        let low = [0.75, 0.82, 0.9].map(|v: f32| v + rng.random_range(-0.08..0.08));
        Self {
            horizon: rng.random_range(0.42..0.52),
            vanish: rng.random_range(0.4..0.6),
            focal: rng.random_range(0.7..1.0),
            lanes,
            road,
            cam: -road + 1.75 + 3.5 * rng.random_range(0..lanes) as f32,
            sides,
            things,
            sky: [top, low],
            sun: if rng.random_bool(0.5) { -1.0 } else { 1.0 },
            shadow: rng.random_range(0.3..1.2),
            salt: rng.random(),
        }
    }
}

const CARS: [[f32; 3]; 7] = [
    [0.8, 0.1, 0.1],
    [0.1, 0.2, 0.6],
    [0.85, 0.85, 0.85],
    [0.1, 0.1, 0.1],
    [0.5, 0.5, 0.55],
    [0.9, 0.75, 0.2],
    [0.2, 0.4, 0.3],
];

const SIGNS: [[f32; 3]; 3] = [[0.1, 0.3, 0.8], [0.85, 0.1, 0.1], [0.95, 0.8, 0.1]];

/// `n` street scenes of `size` pixels from `seed`: photos, label maps and classes. Sizes must
/// divide by 16.
pub fn generate_streets(n: usize, size: usize, seed: u64) -> Result<Scenes, DataError> {
    check_size(size, "street scenes")?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x57EE_7000);
    let mut scenes = Scenes::new(n, size);
    for _ in 0..n {
        scenes.push(render::draw_scene(size, &mut rng));
    }
    Ok(scenes)
}
