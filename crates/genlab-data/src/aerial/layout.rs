//! An area's hidden layout: the street grid, the avenue, water, and what fills each block
//! (lots of buildings, parks with trees, fields, bare ground), asked point by point.

use rand::Rng;

use crate::scene::hash;

/// A straight road: for grid roads, `pos` across the axis it runs along.
#[derive(Clone, Copy)]
pub(super) struct Road {
    pos: f32,
    half: f32,
    major: bool,
}

/// What fills the block between streets.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Block {
    Buildings,
    Park,
    Field,
    Bare,
}

/// An area's hidden layout.
pub(super) struct Layout {
    /// Metres across the picture.
    pub(super) extent: f32,
    /// Roads running north-south (at x = pos) and east-west (at y = pos), sorted.
    pub(super) columns: Vec<Road>,
    pub(super) rows: Vec<Road>,
    /// A diagonal avenue: a point, a unit direction and a half width.
    pub(super) avenue: Option<([f32; 2], [f32; 2], f32)>,
    /// A river (`y = y0 + a sin(x / l + phase)`, half width; axes swapped when `across`) or a
    /// lake (centre, radii).
    pub(super) river: Option<(f32, f32, f32, f32, f32, bool)>,
    pub(super) lake: Option<([f32; 2], [f32; 2])>,
    /// The sun's direction (shadows fall the other way) and shadow length per metre of height.
    pub(super) sun: [f32; 2],
    pub(super) shadow: f32,
    pub(super) salt: u64,
}

fn grid(rng: &mut impl Rng, extent: f32) -> Vec<Road> {
    let mut roads = Vec::new();
    let mut pos = rng.random_range(-30.0..20.0);
    while pos < extent + 40.0 {
        let major = rng.random_bool(0.25);
        let half = if major { rng.random_range(6.0..9.0) } else { rng.random_range(3.0..5.0) };
        roads.push(Road { pos, half, major });
        pos += rng.random_range(45.0..95.0);
    }
    roads
}

impl Layout {
    /// A layout for a picture of `size` pixels. Areas are seen at a fixed web-map zoom, 1.5
    /// to 2.5 m of ground per pixel (a map tile's scale), so the size sets how much of the town
    /// a picture shows, not how fine its detail is.
    pub(super) fn draw(rng: &mut impl Rng, size: usize) -> Self {
        let extent = size as f32 * rng.random_range(1.5..2.5);
        let columns = grid(rng, extent);
        let rows = grid(rng, extent);
        let avenue = rng.random_bool(0.25).then(|| {
            let angle: f32 =
                rng.random_range(0.3..1.2) * if rng.random_bool(0.5) { 1.0 } else { -1.0 };
            let at = [rng.random_range(0.3..0.7) * extent, rng.random_range(0.3..0.7) * extent];
            (at, [angle.cos(), angle.sin()], rng.random_range(6.0..9.0))
        });
        let water = rng.random_range(0.0..1.0);
        let river = (water < 0.3).then(|| {
            let y0 = rng.random_range(0.25..0.75) * extent;
            let (a, l) = (rng.random_range(5.0..30.0), rng.random_range(30.0..80.0));
            (
                y0,
                a,
                l,
                rng.random_range(0.0..6.3),
                rng.random_range(10.0..22.0),
                rng.random_bool(0.5),
            )
        });
        let lake = (0.3..0.45).contains(&water).then(|| {
            let c = [rng.random_range(0.2..0.8) * extent, rng.random_range(0.2..0.8) * extent];
            (c, [rng.random_range(20.0..50.0), rng.random_range(15.0..40.0)])
        });
        let angle: f32 = rng.random_range(0.0..std::f32::consts::TAU);
        Self {
            extent,
            columns,
            rows,
            avenue,
            river,
            lake,
            sun: [angle.cos(), angle.sin()],
            shadow: rng.random_range(0.3..0.8),
            salt: rng.random(),
        }
    }

    /// The road under (`x`, `y`), if any: whether it is major, the distance to its edge (how
    /// deep inside), its along-road coordinate and its lateral offset from the centre line.
    pub(super) fn road_at(&self, x: f32, y: f32) -> Option<(bool, f32, f32, f32)> {
        let mut best: Option<(bool, f32, f32, f32)> = None;
        let mut consider = |major: bool, half: f32, along: f32, across: f32| {
            let inside = half - across.abs();
            if inside > 0.0
                && best.is_none_or(|b| (major && !b.0) || (major == b.0 && inside > b.1))
            {
                best = Some((major, inside, along, across));
            }
        };
        for r in &self.columns {
            consider(r.major, r.half, y, x - r.pos);
        }
        for r in &self.rows {
            consider(r.major, r.half, x, y - r.pos);
        }
        if let Some((at, dir, half)) = self.avenue {
            let (px, py) = (x - at[0], y - at[1]);
            consider(true, half, px * dir[0] + py * dir[1], px * dir[1] - py * dir[0]);
        }
        best
    }

    pub(super) fn water_at(&self, x: f32, y: f32) -> bool {
        let river = self.river.is_some_and(|(y0, a, l, phase, half, across)| {
            let (u, v) = if across { (y, x) } else { (x, y) };
            (v - (y0 + a * (u / l + phase).sin())).abs() < half
        });
        let lake =
            self.lake.is_some_and(|(c, r)| ((x - c[0]) / r[0]).hypot((y - c[1]) / r[1]) < 1.0);
        river || lake
    }

    /// The block around (`x`, `y`): its grid cell, its extent and what fills it.
    pub(super) fn block_at(&self, x: f32, y: f32) -> ((usize, usize), [f32; 4], Block) {
        let cell = |roads: &[Road], v: f32| {
            let i = roads.partition_point(|r| r.pos <= v);
            let lo = if i == 0 { -1e3 } else { roads[i - 1].pos + roads[i - 1].half };
            let hi = roads.get(i).map_or(1e4, |r| r.pos - r.half);
            (i, lo, hi)
        };
        let (ix, x0, x1) = cell(&self.columns, x);
        let (iy, y0, y1) = cell(&self.rows, y);
        let h = hash(ix as i64, iy as i64, self.salt);
        let fill = match h {
            h if h < 0.58 => Block::Buildings,
            h if h < 0.74 => Block::Park,
            h if h < 0.88 => Block::Field,
            _ => Block::Bare,
        };
        ((ix, iy), [x0, y0, x1, y1], fill)
    }

    /// The building at (`x`, `y`) in a building block: an id, its height, roof colour, whether
    /// it is wider than deep, and where (`x`, `y`) lies across it (0..1).
    pub(super) fn building_at(
        &self,
        x: f32,
        y: f32,
        cell: (usize, usize),
        b: [f32; 4],
    ) -> Option<Building> {
        let (ix, iy) = (cell.0 as i64, cell.1 as i64);
        let set = 3.0;
        let [x0, y0, x1, y1] = [b[0] + set, b[1] + set, b[2] - set, b[3] - set];
        if !(x0..x1).contains(&x) || !(y0..y1).contains(&y) {
            return None;
        }
        // Lots along the block's long side, in two rows when the block is deep.
        let wide = x1 - x0 >= y1 - y0;
        let (along, across, a0, c0, c1) =
            if wide { (x, y, x0, y0, y1) } else { (y, x, y0, x0, x1) };
        let lot = 12.0 + 14.0 * hash(ix, iy, self.salt ^ 1);
        let k = ((along - a0) / lot).floor() as i64;
        let two_rows = c1 - c0 > 40.0;
        let mid = (c0 + c1) / 2.0;
        let (r0, r1, row) = if !two_rows {
            (c0, c1, 0)
        } else if across < mid - 2.0 {
            (c0, mid - 2.0, 0)
        } else if across > mid + 2.0 {
            (mid + 2.0, c1, 1)
        } else {
            return None;
        };
        let id = (k * 2 + row) * 7919 + ix * 104_729 + iy;
        let inset = 1.0 + 3.0 * hash(id, 3, self.salt);
        let (l0, l1) = (a0 + k as f32 * lot + inset, a0 + (k + 1) as f32 * lot - inset);
        let back = if two_rows { 0.0 } else { (r1 - r0) * 0.3 * hash(id, 4, self.salt) };
        let (b0, b1) = if row == 0 { (r0 + 0.5, r1 - back) } else { (r0 + back, r1 - 0.5) };
        if hash(id, 5, self.salt) < 0.12
            || !(l0..l1).contains(&along)
            || !(b0..b1).contains(&across)
        {
            return None;
        }
        let roof = ROOFS[(hash(id, 6, self.salt) * ROOFS.len() as f32) as usize % ROOFS.len()];
        Some(Building {
            id,
            height: 4.0 + 26.0 * hash(id, 7, self.salt).powi(2),
            roof,
            // The ridge runs along the longer side of the building.
            slope: if l1 - l0 > b1 - b0 {
                (across - b0) / (b1 - b0)
            } else {
                (along - l0) / (l1 - l0)
            },
            ridge_across: (l1 - l0 > b1 - b0) == wide,
        })
    }

    /// A tree at (`x`, `y`) in a park: its canopy radius and how far in (0 at the rim).
    pub(super) fn tree_at(&self, x: f32, y: f32) -> Option<(f32, f32)> {
        let cell = 9.0;
        let (cx, cy) = ((x / cell).floor() as i64, (y / cell).floor() as i64);
        for (i, j) in [(0, 0), (1, 0), (0, 1), (1, 1), (-1, 0), (0, -1), (-1, -1), (1, -1), (-1, 1)]
        {
            let (a, b) = (cx + i, cy + j);
            if hash(a, b, self.salt ^ 9) < 0.45 {
                continue;
            }
            let tx = (a as f32 + hash(a, b, self.salt ^ 10)) * cell;
            let ty = (b as f32 + hash(a, b, self.salt ^ 11)) * cell;
            let r = 2.5 + 2.5 * hash(a, b, self.salt ^ 12);
            let d = (x - tx).hypot(y - ty);
            if d < r {
                return Some((r, 1.0 - d / r));
            }
        }
        None
    }
}

/// A building under a point, with what its roof's shading needs.
pub(super) struct Building {
    pub(super) id: i64,
    pub(super) height: f32,
    pub(super) roof: [f32; 3],
    pub(super) slope: f32,
    pub(super) ridge_across: bool,
}

const ROOFS: [[f32; 3]; 6] = [
    [0.62, 0.3, 0.22],
    [0.45, 0.45, 0.47],
    [0.3, 0.32, 0.36],
    [0.75, 0.74, 0.7],
    [0.55, 0.42, 0.3],
    [0.4, 0.5, 0.55],
];
