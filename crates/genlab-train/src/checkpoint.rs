//! Atomic checkpoints.
//!
//! One file holds everything a run needs to continue exactly: the model's parameters, the
//! optimiser's state, and a JSON [`TrainState`] (step, epoch, seed, anything else the loop
//! wants). It is written to a temporary file beside the target, fsynced, then renamed over the
//! old checkpoint and the folder fsynced, so a crash at any moment leaves either the old or the
//! new checkpoint, never a torn one. A CRC-32 over the payload catches any other corruption.
//!
//! Layout: `GENLABCK` magic, format version `u32`, three `u64` section lengths (state JSON,
//! model record, optimiser record), CRC-32 `u32` of the three sections, then the sections.

use std::path::{Path, PathBuf};

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::store::ModuleRecord;
use burn::tensor::Bytes;
use serde::{Deserialize, Serialize};

const MAGIC: &[u8; 8] = b"GENLABCK";
const MULTI_MAGIC: &[u8; 8] = b"GENLABMO";
const VERSION: u32 = 1;
const HEADER: usize = 8 + 4 + 3 * 8 + 4;

/// Where a run stands, saved with each checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainState {
    /// Optimiser steps taken.
    pub step: u64,
    /// Epochs completed (for epoch-based loops).
    pub epoch: u64,
    /// The run's seed; together with `step` it fixes every later random draw.
    pub seed: u64,
    /// Best validation loss so far, if the loop evaluates.
    pub best_val_loss: Option<f64>,
    /// Anything else the loop needs to resume (free-form JSON).
    #[serde(default)]
    pub extra: serde_json::Value,
}

/// Why a checkpoint could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The filesystem refused.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not a valid checkpoint.
    #[error("{path}: not a valid checkpoint: {problem}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// burn could not (de)serialise a record, or the record does not fit the model.
    #[error("{path}: {problem}")]
    Record {
        /// The file.
        path: PathBuf,
        /// burn's message.
        problem: String,
    },
}

/// A checkpoint read back from disk.
#[derive(Debug)]
pub struct Checkpoint {
    /// Where the run stood.
    pub state: TrainState,
    model: Vec<u8>,
    optim: Vec<u8>,
    path: PathBuf,
}

impl Checkpoint {
    /// Writes model, optimiser and state to `path` atomically.
    pub fn save<M: Module>(
        path: impl AsRef<Path>,
        model: &M,
        optim: Option<&ModuleOptimizer>,
        state: &TrainState,
    ) -> Result<(), CheckpointError> {
        let path = path.as_ref();
        let optim_bytes = match optim {
            Some(o) => o.into_bytes().map_err(serialise_error(path))?.to_vec(),
            None => Vec::new(),
        };
        save_sections(path, model, state, optim_bytes)
    }

    /// Like [`Checkpoint::save`] with several optimisers (a GAN's generator and discriminator
    /// each have one); read them back with [`Checkpoint::load_optim_at`]. The optimiser section
    /// then holds `GENLABMO`, a `u32` count, a `u64` length per record, and the records.
    pub fn save_with_optims<M: Module>(
        path: impl AsRef<Path>,
        model: &M,
        optims: &[&ModuleOptimizer],
        state: &TrainState,
    ) -> Result<(), CheckpointError> {
        let path = path.as_ref();
        let records: Vec<Vec<u8>> = optims
            .iter()
            .map(|o| o.into_bytes().map(|b| b.to_vec()).map_err(serialise_error(path)))
            .collect::<Result<_, _>>()?;
        let mut optim_bytes = MULTI_MAGIC.to_vec();
        optim_bytes.extend_from_slice(&(records.len() as u32).to_le_bytes());
        records.iter().for_each(|r| optim_bytes.extend_from_slice(&(r.len() as u64).to_le_bytes()));
        records.iter().for_each(|r| optim_bytes.extend_from_slice(r));
        save_sections(path, model, state, optim_bytes)
    }

    /// Writes model, `optims` and state: one optimiser as [`Checkpoint::save`] stores it,
    /// several as [`Checkpoint::save_with_optims`] does. Read them back with
    /// [`Checkpoint::load_optims`].
    pub fn save_optims<M: Module>(
        path: impl AsRef<Path>,
        model: &M,
        optims: &[&ModuleOptimizer],
        state: &TrainState,
    ) -> Result<(), CheckpointError> {
        match optims {
            [one] => Self::save(path, model, Some(one), state),
            many => Self::save_with_optims(path, model, many, state),
        }
    }

    /// Loads the saved state into `fresh` optimisers, in the order [`Checkpoint::save_optims`]
    /// wrote them (a single one the checkpoint lacks stays fresh).
    pub fn load_optims(
        &self,
        fresh: Vec<ModuleOptimizer>,
    ) -> Result<Vec<ModuleOptimizer>, CheckpointError> {
        if let [only] = fresh.as_slice() {
            return Ok(vec![self.load_optim(only.clone())?.unwrap_or_else(|| only.clone())]);
        }
        fresh.into_iter().enumerate().map(|(i, o)| self.load_optim_at(i, o)).collect()
    }

    /// Loads optimiser `index` of a checkpoint written by [`Checkpoint::save_with_optims`].
    pub fn load_optim_at(
        &self,
        index: usize,
        optim: ModuleOptimizer,
    ) -> Result<ModuleOptimizer, CheckpointError> {
        let record = self.optim_record(index)?.to_vec();
        optim
            .from_bytes(Bytes::from_bytes_vec(record))
            .map_err(|e| self.record_error("optimiser record", e))
    }

    /// The bytes of optimiser record `index` in a several-optimiser section, checked against
    /// the section's table.
    pub fn optim_record(&self, index: usize) -> Result<&[u8], CheckpointError> {
        let corrupt =
            |problem: String| CheckpointError::Corrupt { path: self.path.clone(), problem };
        let b = &self.optim;
        if b.len() < 12 || &b[..8] != MULTI_MAGIC {
            return Err(corrupt("the checkpoint does not hold several optimisers".into()));
        }
        let count = u32::from_le_bytes(b[8..12].try_into().expect("4 bytes")) as usize;
        if index >= count {
            return Err(corrupt(format!(
                "optimiser {index} asked for, the checkpoint holds {count}"
            )));
        }
        let table_end =
            12usize.checked_add(count.checked_mul(8).ok_or_else(|| corrupt("bad count".into()))?);
        let table_end = table_end
            .filter(|&e| e <= b.len())
            .ok_or_else(|| corrupt("truncated optimiser table".into()))?;
        let lens: Vec<u64> = b[12..table_end]
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        let start = lens[..index]
            .iter()
            .try_fold(table_end as u64, |acc, &l| acc.checked_add(l))
            .filter(|&s| s <= b.len() as u64);
        let end = start.and_then(|s| s.checked_add(lens[index])).filter(|&e| e <= b.len() as u64);
        match (start, end) {
            (Some(start), Some(end)) => Ok(&b[start as usize..end as usize]),
            _ => Err(corrupt("optimiser record runs past the section".into())),
        }
    }

    /// Reads and verifies a checkpoint (magic, version, lengths, checksum, state JSON).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CheckpointError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|source| CheckpointError::Io { path: path.to_path_buf(), source })?;
        Self::from_bytes(&bytes, path)
    }

    /// Verifies and splits the bytes of a checkpoint file read from `path`.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self, CheckpointError> {
        let corrupt =
            |problem: String| CheckpointError::Corrupt { path: path.to_path_buf(), problem };
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(corrupt("missing GENLABCK header".into()));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != VERSION {
            return Err(corrupt(format!("format version {version}, this build reads {VERSION}")));
        }
        let len =
            |i: usize| u64::from_le_bytes(bytes[12 + 8 * i..20 + 8 * i].try_into().expect("8"));
        let lens = [len(0), len(1), len(2)];
        let total: u128 = lens.iter().map(|&l| l as u128).sum();
        if total != (bytes.len() - HEADER) as u128 {
            return Err(corrupt(format!(
                "sections claim {total} bytes, file has {} (truncated?)",
                bytes.len() - HEADER
            )));
        }
        let crc = u32::from_le_bytes(bytes[36..40].try_into().expect("4 bytes"));
        let payload = &bytes[HEADER..];
        if crc32(payload) != crc {
            return Err(corrupt("checksum mismatch".into()));
        }
        let (state, rest) = payload.split_at(lens[0] as usize);
        let (model, optim) = rest.split_at(lens[1] as usize);
        let state: TrainState =
            serde_json::from_slice(state).map_err(|e| corrupt(format!("bad state JSON: {e}")))?;
        Ok(Self { state, model: model.to_vec(), optim: optim.to_vec(), path: path.to_path_buf() })
    }

    /// Loads the weights of the run in `dir` (its `checkpoint.bin`) into `model`.
    pub fn load_weights<M: Module>(dir: &Path, model: M) -> Result<M, CheckpointError> {
        Self::load(dir.join("checkpoint.bin"))?.load_model(model)
    }

    /// Loads the saved parameters into `model` (which must have the same structure).
    pub fn load_model<M: Module>(&self, model: M) -> Result<M, CheckpointError> {
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(self.model.clone()))
            .map_err(|e| self.record_error("model record", e))?;
        model.try_load_record(record).map_err(|e| self.record_error("model record", e))
    }

    /// Loads the saved optimiser state into `optim` (None if the checkpoint has none).
    pub fn load_optim(
        &self,
        optim: ModuleOptimizer,
    ) -> Result<Option<ModuleOptimizer>, CheckpointError> {
        if self.optim.is_empty() {
            return Ok(None);
        }
        optim
            .from_bytes(Bytes::from_bytes_vec(self.optim.clone()))
            .map(Some)
            .map_err(|e| self.record_error("optimiser record", e))
    }

    fn record_error(&self, what: &str, e: burn::store::RecordError) -> CheckpointError {
        CheckpointError::Record {
            path: self.path.clone(),
            problem: format!("cannot load {what}: {e:?}"),
        }
    }
}

fn serialise_error(path: &Path) -> impl Fn(burn::store::RecordError) -> CheckpointError + '_ {
    move |e| CheckpointError::Record {
        path: path.to_path_buf(),
        problem: format!("cannot serialise: {e:?}"),
    }
}

/// Serialises the state and the model, and writes them with `optim_bytes`.
fn save_sections<M: Module>(
    path: &Path,
    model: &M,
    state: &TrainState,
    optim_bytes: Vec<u8>,
) -> Result<(), CheckpointError> {
    let model_bytes =
        model.clone().into_record().into_bytes().map_err(serialise_error(path))?.to_vec();
    let state_bytes = serde_json::to_vec(state).expect("TrainState serialises");
    write_sections(path, &[&state_bytes, &model_bytes, &optim_bytes])
}

/// Writes the header (magic, version, section lengths, CRC-32) and `sections` atomically.
fn write_sections(path: &Path, sections: &[&[u8]; 3]) -> Result<(), CheckpointError> {
    let mut header = Vec::with_capacity(HEADER);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&VERSION.to_le_bytes());
    for s in sections {
        header.extend_from_slice(&(s.len() as u64).to_le_bytes());
    }
    let mut crc = flate2::Crc::new();
    sections.iter().for_each(|s| crc.update(s));
    header.extend_from_slice(&crc.sum().to_le_bytes());
    let [state, model, optim] = sections;
    crate::atomic::write_atomic(path, &[&header, state, model, optim])
        .map_err(|(path, source)| CheckpointError::Io { path, source })
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum()
}
