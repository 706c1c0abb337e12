//! Seeded multichannel machine-sensor signals with injected faults, for anomaly detection.
//!
//! A "machine" is a set of channels measuring one process: every channel follows the
//! machine's working cycle (one sinusoid with a period of 20 to 200 steps, seen by each
//! channel with its own gain and lag) and its slow load cycle (1,500 to 5,000 steps), plus up
//! to two sinusoids of its own and Gaussian noise, in its own units (offset and scale). So the
//! channels are correlated, as sensors on one machine are, and a fault on one channel breaks
//! its agreement with the others. The seed
//! fixes the machine; [`generate_normal`] records it running normally (for training) and
//! [`generate`] records it, with fresh noise, while faults happen (for testing). Faults are
//! spikes, drifts, stuck sensors and frequency changes, never overlapping in time, and each
//! time step is labelled with whether it lies inside one.
//!
//! Values are time-major (`values[t * channels + c]`); [`windows`] cuts them into
//! channel-major windows `[channels, width]` for 1-D convolutional models.

use std::f64::consts::TAU;
use std::ops::RangeInclusive;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

mod windowing;

pub use windowing::{ChannelStats, Windows, windows};

/// How many faults of each kind [`generate`] injects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultMix {
    /// Spikes: 1–3 steps pushed 4–8 standard deviations away.
    pub spike: usize,
    /// Drifts: a linear ramp over 100–300 steps reaching 1.5–3 standard deviations.
    pub drift: usize,
    /// Stuck sensors: the value at the fault's start held, without noise, for 100–300 steps.
    pub stuck_at: usize,
    /// Frequency changes: the dominant sinusoid at 1.5–2.5× its frequency for 100–300 steps.
    pub frequency_change: usize,
}

impl Default for FaultMix {
    /// Ten of each kind.
    fn default() -> Self {
        FaultMix { spike: 10, drift: 10, stuck_at: 10, frequency_change: 10 }
    }
}

impl FaultMix {
    /// No faults at all.
    pub fn none() -> Self {
        FaultMix { spike: 0, drift: 0, stuck_at: 0, frequency_change: 0 }
    }

    /// Number of faults of one kind.
    pub fn count(&self, kind: FaultKind) -> usize {
        match kind {
            FaultKind::Spike => self.spike,
            FaultKind::Drift => self.drift,
            FaultKind::StuckAt => self.stuck_at,
            FaultKind::FrequencyChange => self.frequency_change,
        }
    }

    /// Number of faults of all kinds.
    pub fn total(&self) -> usize {
        FaultKind::ALL.iter().map(|&k| self.count(k)).sum()
    }
}

/// What the generator is asked for. Every field has a default, also when read with serde.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SensorConfig {
    /// Number of sensor channels.
    pub channels: usize,
    /// Number of time steps.
    pub len: usize,
    /// Standard deviation of the Gaussian noise, relative to a unit-amplitude sinusoid.
    pub noise: f32,
    /// Faults [`generate`] injects (ignored by [`generate_normal`]).
    pub faults: FaultMix,
    /// Fixes the machine (periods, amplitudes, phases, units), the noise and the faults.
    pub seed: u64,
}

impl Default for SensorConfig {
    fn default() -> Self {
        SensorConfig { channels: 4, len: 20_000, noise: 0.05, faults: FaultMix::default(), seed: 0 }
    }
}

/// The kind of an injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FaultKind {
    /// A short large jump.
    Spike,
    /// A slow ramp away from normal.
    Drift,
    /// The sensor repeats its last value.
    StuckAt,
    /// The dominant oscillation speeds up.
    FrequencyChange,
}

impl FaultKind {
    /// Every kind.
    pub const ALL: [FaultKind; 4] =
        [FaultKind::Spike, FaultKind::Drift, FaultKind::StuckAt, FaultKind::FrequencyChange];

    /// Lengths, in steps, a fault of this kind may have.
    pub fn len_range(self) -> RangeInclusive<usize> {
        match self {
            FaultKind::Spike => 1..=3,
            _ => 100..=300,
        }
    }
}

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// What happened.
    pub kind: FaultKind,
    /// The channel it happened on.
    pub channel: usize,
    /// First faulty time step.
    pub start: usize,
    /// Number of faulty steps.
    pub len: usize,
}

impl Fault {
    /// One past the last faulty step.
    pub fn end(&self) -> usize {
        self.start + self.len
    }
}

/// A multichannel series with per-step fault labels.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorSeries {
    /// Number of channels.
    pub channels: usize,
    /// Number of time steps.
    pub len: usize,
    /// `len × channels` values, time-major: `values[t * channels + c]`.
    pub values: Vec<f32>,
    /// Per time step: inside a fault.
    pub labels: Vec<bool>,
    /// The faults, in time order (empty for normal series and for files read from disk).
    pub faults: Vec<Fault>,
}

/// The machine's series while faults happen, with fresh noise (not that of
/// [`generate_normal`]). Faults that do not fit in `cfg.len` (too many for a short series) are
/// left out; `faults` lists those injected.
pub fn generate(cfg: &SensorConfig) -> SensorSeries {
    let machine = machine(cfg);
    let mut values = record(cfg, &machine, Stream::FaultyNoise);
    let mut rng = stream(cfg.seed, Stream::Faults);
    let faults = if cfg.channels == 0 { Vec::new() } else { place_faults(cfg, &mut rng) };
    let mut labels = vec![false; cfg.len];
    for f in &faults {
        inject(&mut values, cfg.channels, &machine[f.channel], f, &mut rng);
        labels[f.start..f.end()].iter_mut().for_each(|l| *l = true);
    }
    SensorSeries { channels: cfg.channels, len: cfg.len, values, labels, faults }
}

/// The same machine as [`generate`] for the same seed, running normally, with its own noise.
pub fn generate_normal(cfg: &SensorConfig) -> SensorSeries {
    let values = record(cfg, &machine(cfg), Stream::NormalNoise);
    SensorSeries {
        channels: cfg.channels,
        len: cfg.len,
        values,
        labels: vec![false; cfg.len],
        faults: Vec::new(),
    }
}

/// Independent ChaCha8 streams derived from one seed.
#[derive(Clone, Copy)]
enum Stream {
    Machine = 0,
    Faults = 1,
    FaultyNoise = 2,
    NormalNoise = 3,
}

fn stream(seed: u64, which: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(which as u64);
    rng
}

/// A standard normal sample (Box–Muller).
fn gaussian(rng: &mut impl Rng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // in (0, 1], so the log is finite
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (TAU * u2).cos()
}

/// A sinusoid `amp × sin(2π t / period + phase)`.
#[derive(Clone, Copy)]
struct Wave {
    amp: f64,
    period: f64,
    phase: f64,
}

impl Wave {
    fn at(&self, t: f64) -> f64 {
        self.amp * (TAU * t / self.period + self.phase).sin()
    }
}

/// One channel of the machine: `offset + scale × (waves + slow + noise)`.
struct Channel {
    offset: f64,
    scale: f64,
    /// The first wave is the dominant one.
    waves: Vec<Wave>,
    slow: Wave,
    /// Standard deviation of the channel's normal signal, noise included.
    std: f64,
}

fn machine(cfg: &SensorConfig) -> Vec<Channel> {
    let mut rng = stream(cfg.seed, Stream::Machine);
    // The machine's working cycle and load cycle, shared by every channel.
    let cycle_period = 20.0 * 10f64.powf(rng.random_range(0.0..1.0)); // 20..200, log-uniform
    let cycle_phase = rng.random_range(0.0..TAU);
    let load_period = rng.random_range(1500.0..5000.0);
    let load_phase = rng.random_range(0.0..TAU);
    (0..cfg.channels)
        .map(|_| {
            let own_waves = rng.random_range(0..=2);
            let mut waves = vec![Wave {
                amp: rng.random_range(0.6..1.0),
                period: cycle_period,
                phase: cycle_phase + rng.random_range(0.0..TAU / 4.0), // the channel's lag
            }];
            waves.extend((0..own_waves).map(|_| Wave {
                amp: rng.random_range(0.15..0.5),
                period: 20.0 * 10f64.powf(rng.random_range(0.0..1.0)),
                phase: rng.random_range(0.0..TAU),
            }));
            let slow =
                Wave { amp: rng.random_range(0.2..0.6), period: load_period, phase: load_phase };
            let (offset, scale) = (rng.random_range(-5.0..5.0), rng.random_range(0.5..3.0));
            let power: f64 = waves.iter().chain([&slow]).map(|w| w.amp * w.amp / 2.0).sum();
            let std = scale * (power + f64::from(cfg.noise).powi(2)).sqrt();
            Channel { offset, scale, waves, slow, std }
        })
        .collect()
}

/// The machine's normal signal with noise from `noise`, time-major.
fn record(cfg: &SensorConfig, machine: &[Channel], noise: Stream) -> Vec<f32> {
    let mut rng = stream(cfg.seed, noise);
    let mut values = Vec::with_capacity(cfg.len * cfg.channels);
    for t in 0..cfg.len {
        for ch in machine {
            let t = t as f64;
            let clean: f64 = ch.waves.iter().map(|w| w.at(t)).sum::<f64>() + ch.slow.at(t);
            let v = ch.offset + ch.scale * (clean + f64::from(cfg.noise) * gaussian(&mut rng));
            values.push(v as f32);
        }
    }
    values
}

/// Non-overlapping faults (at least one normal step between two), in time order.
fn place_faults(cfg: &SensorConfig, rng: &mut ChaCha8Rng) -> Vec<Fault> {
    let mut kinds: Vec<FaultKind> =
        FaultKind::ALL.iter().flat_map(|&k| std::iter::repeat_n(k, cfg.faults.count(k))).collect();
    kinds.shuffle(rng);
    let mut faults: Vec<Fault> = kinds
        .into_iter()
        .map(|kind| Fault {
            kind,
            channel: rng.random_range(0..cfg.channels),
            start: 0,
            len: rng.random_range(kind.len_range()),
        })
        .collect();
    // Leave out faults until the rest fit with their gaps.
    let needed = |fs: &[Fault]| fs.iter().map(|f| f.len + 1).sum::<usize>().saturating_sub(1);
    while needed(&faults) > cfg.len {
        faults.pop();
    }
    // Spread the spare steps over the gaps: sorted cut points in 0..=slack.
    let slack = cfg.len - needed(&faults);
    let mut cuts: Vec<usize> = faults.iter().map(|_| rng.random_range(0..=slack)).collect();
    cuts.sort_unstable();
    let mut used = 0;
    for (f, cut) in faults.iter_mut().zip(cuts) {
        f.start = cut + used;
        used += f.len + 1;
    }
    faults
}

/// Applies one fault to the time-major `values`.
fn inject(values: &mut [f32], channels: usize, ch: &Channel, f: &Fault, rng: &mut impl Rng) {
    let at = |t: usize| t * channels + f.channel;
    let sign = if rng.random_bool(0.5) { 1.0 } else { -1.0 };
    match f.kind {
        FaultKind::Spike => {
            let jump = sign * rng.random_range(4.0..8.0) * ch.std;
            (f.start..f.end()).for_each(|t| values[at(t)] += jump as f32);
        }
        FaultKind::Drift => {
            let target = sign * rng.random_range(1.5..3.0) * ch.std;
            for (i, t) in (f.start..f.end()).enumerate() {
                values[at(t)] += (target * (i + 1) as f64 / f.len as f64) as f32;
            }
        }
        FaultKind::StuckAt => {
            let held = values[at(f.start)];
            (f.start..f.end()).for_each(|t| values[at(t)] = held);
        }
        FaultKind::FrequencyChange => {
            // The dominant wave runs `factor` times faster from the fault's start, in phase.
            let (w, factor) = (ch.waves[0], rng.random_range(1.5..2.5));
            for (i, t) in (f.start..f.end()).enumerate() {
                let sped = f.start as f64 + factor * i as f64;
                values[at(t)] += (ch.scale * (w.at(sped) - w.at(t as f64))) as f32;
            }
        }
    }
}
