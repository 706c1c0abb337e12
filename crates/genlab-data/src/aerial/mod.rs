//! Procedurally drawn aerial photos with their maps, the built-in stand-in for the Google Maps
//! pairs of pix2pix's aerial <-> map tasks.
//!
//! Each area (seen from straight above at a web map's zoom, 1.5 to 2.5 m per pixel: 96 to
//! 160 m across at 64 px, 384 to 640 m at 256 px) is one hidden layout: a grid of
//! streets of several widths, sometimes a diagonal avenue, sometimes a river or a lake, and
//! between the streets blocks of buildings (lots in one or two rows), parks with trees, fields
//! and bare lots. The map paints it in flat map colours ([`MapClass::colour`]) with grey or
//! orange road casings and building outlines a pixel wide; the aerial photo shades the same
//! layout: asphalt with centre lines and cars, roofs of several materials with a lit and a
//! shaded slope, shadows cast away from the sun by buildings and trees, rippled water, striped
//! fields and noise.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::DataError;
use crate::scene::{Frame, Scenes, check_size, hash, mix, noise, scale};

mod layout;
#[cfg(test)]
mod tests;

use layout::{Block, Building, Layout};

/// The classes of an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum MapClass {
    /// Bare ground and lots.
    Ground,
    /// Streets.
    Road,
    /// Avenues and main roads.
    MajorRoad,
    /// Buildings.
    Building,
    /// Parks and their trees.
    Park,
    /// Rivers and lakes.
    Water,
    /// Fields.
    Field,
}

impl MapClass {
    /// Every class, in id order.
    pub const ALL: [MapClass; 7] = [
        MapClass::Ground,
        MapClass::Road,
        MapClass::MajorRoad,
        MapClass::Building,
        MapClass::Park,
        MapClass::Water,
        MapClass::Field,
    ];

    /// The class's fill colour on the map (after the usual web map styles).
    pub fn colour(self) -> [f32; 3] {
        match self {
            MapClass::Ground => [0.93, 0.92, 0.89],
            MapClass::Road => [1.0, 1.0, 1.0],
            MapClass::MajorRoad => [0.98, 0.85, 0.45],
            MapClass::Building => [0.85, 0.82, 0.78],
            MapClass::Park => [0.76, 0.89, 0.69],
            MapClass::Water => [0.67, 0.8, 0.96],
            MapClass::Field => [0.89, 0.93, 0.78],
        }
    }

    /// The class's name.
    pub fn name(self) -> &'static str {
        match self {
            MapClass::Ground => "ground",
            MapClass::Road => "road",
            MapClass::MajorRoad => "major road",
            MapClass::Building => "building",
            MapClass::Park => "park",
            MapClass::Water => "water",
            MapClass::Field => "field",
        }
    }
}

/// Every colour a map uses: the class fills, then the casings of streets and avenues and the
/// building outline. A generated map is scored by snapping its pixels to these.
pub const MAP_PALETTE: [[f32; 3]; 10] = [
    [0.93, 0.92, 0.89],
    [1.0, 1.0, 1.0],
    [0.98, 0.85, 0.45],
    [0.85, 0.82, 0.78],
    [0.76, 0.89, 0.69],
    [0.67, 0.8, 0.96],
    [0.89, 0.93, 0.78],
    STREET_CASING,
    AVENUE_CASING,
    OUTLINE,
];
const STREET_CASING: [f32; 3] = [0.78, 0.78, 0.8];
const AVENUE_CASING: [f32; 3] = [0.88, 0.62, 0.3];
const OUTLINE: [f32; 3] = [0.7, 0.67, 0.63];

/// What a pixel is, before shading: its class and the details shading needs.
enum Ground {
    Road { major: bool, inside: f32, along: f32, across: f32 },
    Water,
    Roof(Building),
    Tree(f32, f32),
    Fill(Block),
}

fn classify(l: &Layout, x: f32, y: f32) -> Ground {
    if let Some((major, inside, along, across)) = l.road_at(x, y) {
        return Ground::Road { major, inside, along, across };
    }
    if l.water_at(x, y) {
        return Ground::Water;
    }
    let (cell, bounds, fill) = l.block_at(x, y);
    match fill {
        Block::Buildings => match l.building_at(x, y, cell, bounds) {
            Some(b) => Ground::Roof(b),
            None => Ground::Fill(Block::Bare),
        },
        Block::Park => match l.tree_at(x, y) {
            Some((r, depth)) => Ground::Tree(r, depth),
            None => Ground::Fill(Block::Park),
        },
        other => Ground::Fill(other),
    }
}

/// Height of what stands on a classified point (buildings and trees), for shadows.
fn height_of(ground: &Ground) -> f32 {
    match ground {
        Ground::Roof(b) => b.height,
        Ground::Tree(r, _) => 2.0 * r,
        _ => 0.0,
    }
}

/// One area: its aerial photo, map and classes.
fn draw_area(size: usize, rng: &mut impl Rng) -> Frame {
    let l = Layout::draw(rng, size);
    let mut frame = Frame::new(size);
    let metre = l.extent / size as f32;
    let centre = |p: usize| (p as f32 + 0.5) * metre;
    let grounds: Vec<Ground> =
        (0..size * size).map(|i| classify(&l, centre(i % size), centre(i / size))).collect();
    let heights: Vec<f32> = grounds.iter().map(height_of).collect();
    let regions: Vec<Option<Region>> = grounds.iter().map(region_of).collect();
    // Shadows: a point is shaded when something tall enough stands towards the sun, looked
    // up pixel by pixel along the sun's direction up to 60 m.
    let steps = (60.0 / metre).ceil() as usize;
    for (i, ground) in grounds.iter().enumerate() {
        let (px, py) = (i % size, i / size);
        let (x, y) = (centre(px), centre(py));
        let (class, photo) = shade(&l, ground, x, y);
        let shaded = !matches!(ground, Ground::Roof(_))
            && (1..=steps).any(|step| {
                let d = step as f32 * metre;
                let (sx, sy) = (x + l.sun[0] * d, y + l.sun[1] * d);
                let (qx, qy) = ((sx / metre).floor(), (sy / metre).floor());
                let inside = qx >= 0.0 && qy >= 0.0 && (qx as usize) < size && (qy as usize) < size;
                inside && heights[qy as usize * size + qx as usize] * l.shadow > d
            });
        let grain = (noise(px as f32 * 0.8, py as f32 * 0.8, l.salt ^ 21) - 0.5) * 0.05;
        frame.classes[i] = class as u8;
        frame.flat[i] = stroke(ground, &regions, size, i, metre).unwrap_or(class.colour());
        frame.photo[i] = scale(photo, if shaded { 0.55 } else { 1.0 }).map(|c| c + grain);
    }
    frame
}

/// The region a map stroke runs around: all roads together (so junctions are not cased), or
/// one roof.
#[derive(Clone, Copy, PartialEq)]
enum Region {
    Road,
    Roof(i64),
}

fn region_of(ground: &Ground) -> Option<Region> {
    match ground {
        Ground::Road { .. } => Some(Region::Road),
        Ground::Roof(b) => Some(Region::Roof(b.id)),
        _ => None,
    }
}

/// The pixels left, right, above and below pixel `i` of a `size`-wide picture, where they exist.
fn neighbours(i: usize, size: usize) -> impl Iterator<Item = usize> {
    let (px, py) = (i % size, i / size);
    [
        (px > 0).then(|| i - 1),
        (px + 1 < size).then(|| i + 1),
        (py > 0).then(|| i - size),
        (py + 1 < size).then(|| i + size),
    ]
    .into_iter()
    .flatten()
}

/// The stroke colour of pixel `i`, if it has one. Strokes are a pixel wide, as a tile renderer
/// draws them: the road pixels beside anything but road are the casing (on roads at least
/// three pixels wide), the roof pixels beside anything but the same roof are the outline. So
/// the map follows from the pixels' classes alone, with no sub-pixel guesswork.
fn stroke(
    ground: &Ground,
    regions: &[Option<Region>],
    size: usize,
    i: usize,
    metre: f32,
) -> Option<[f32; 3]> {
    let own = regions[i]?;
    if neighbours(i, size).all(|n| regions[n] == Some(own)) {
        return None;
    }
    match *ground {
        Ground::Road { major, inside, across, .. } if inside + across.abs() >= 1.5 * metre => {
            Some(if major { AVENUE_CASING } else { STREET_CASING })
        }
        Ground::Roof(_) => Some(OUTLINE),
        _ => None,
    }
}

/// The class and photo colour of a classified point.
fn shade(l: &Layout, ground: &Ground, x: f32, y: f32) -> (MapClass, [f32; 3]) {
    let salt = l.salt;
    let tex = noise(x * 0.5, y * 0.5, salt ^ 31);
    match *ground {
        Ground::Road { major, along, across, .. } => {
            let class = if major { MapClass::MajorRoad } else { MapClass::Road };
            let dash = major && across.abs() < 0.2 && (along / 6.0).fract() < 0.5;
            // Cars in the lanes, parked or driving, one slot every 7 m.
            let slot = (along / 7.0).floor() as i64;
            let lane = if across > 0.0 { 1 } else { -1 };
            let car = hash(slot, lane, salt ^ 41) < 0.18
                && (along / 7.0).fract() < 0.65
                && (across.abs() - 1.9).abs() < 0.9;
            let photo = if car {
                [
                    hash(slot, lane, salt ^ 42),
                    hash(slot, lane, salt ^ 43),
                    hash(slot, lane, salt ^ 44),
                ]
            } else if dash {
                [0.9, 0.85, 0.6]
            } else {
                scale([0.36, 0.36, 0.38], 0.85 + 0.3 * tex)
            };
            (class, photo)
        }
        Ground::Water => {
            let ripple = noise(x * 0.3, y * 1.5, salt ^ 51);
            (MapClass::Water, mix([0.12, 0.25, 0.3], [0.3, 0.42, 0.45], ripple))
        }
        Ground::Roof(ref b) => {
            let toward_sun = if b.ridge_across { l.sun[1] } else { l.sun[0] };
            let lit = if (b.slope < 0.5) == (toward_sun < 0.0) { 1.1 } else { 0.8 };
            let wear = 0.92 + 0.16 * noise(x, y, salt ^ (b.id as u64));
            (MapClass::Building, scale(b.roof, lit * wear))
        }
        Ground::Tree(r, depth) => {
            let leaf = noise(x * 0.9, y * 0.9, salt ^ 61);
            let photo = scale([0.16, 0.32, 0.12], 0.7 + 0.5 * depth + 0.3 * leaf + 0.02 * r);
            (MapClass::Park, photo)
        }
        Ground::Fill(fill) => {
            let (class, photo) = match fill {
                Block::Park => (MapClass::Park, scale([0.35, 0.52, 0.25], 0.85 + 0.3 * tex)),
                Block::Field => {
                    let stripe = ((x + y * 0.2) / 4.0).floor() as i64;
                    let crop = if hash(stripe, 0, salt ^ 71) < 0.5 {
                        [0.55, 0.6, 0.3]
                    } else {
                        [0.65, 0.58, 0.38]
                    };
                    (MapClass::Field, scale(crop, 0.9 + 0.2 * tex))
                }
                Block::Buildings | Block::Bare => {
                    (MapClass::Ground, scale([0.62, 0.59, 0.52], 0.85 + 0.3 * tex))
                }
            };
            (class, photo)
        }
    }
}

/// `n` areas of `size` pixels from `seed`: aerial photos, maps and classes. Sizes must divide
/// by 16.
pub fn generate_areas(n: usize, size: usize, seed: u64) -> Result<Scenes, DataError> {
    check_size(size, "aerial areas")?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xAE71_A100);
    let mut scenes = Scenes::new(n, size);
    for _ in 0..n {
        scenes.push(draw_area(size, &mut rng));
    }
    Ok(scenes)
}
