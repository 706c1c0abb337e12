//! Weights in safetensors, named as nanoGPT / Hugging Face GPT-2 name them, so a PyTorch user
//! can load them with `safetensors.torch.load_file`:
//!
//! | tensor | shape (PyTorch layout, `[out, in]` for Linear) |
//! |---|---|
//! | `transformer.wte.weight` | `[vocab_size, n_embd]` |
//! | `transformer.wpe.weight` | `[block_size, n_embd]` (learned positions only) |
//! | `transformer.h.{i}.ln_1.weight` / `.bias` | `[n_embd]` (bias only with `bias = true`) |
//! | `transformer.h.{i}.attn.c_attn.weight` / `.bias` | `[3 n_embd, n_embd]`, q, k, v stacked |
//! | `transformer.h.{i}.attn.c_proj.weight` / `.bias` | `[n_embd, n_embd]` |
//! | `transformer.h.{i}.ln_2.weight` / `.bias` | `[n_embd]` |
//! | `transformer.h.{i}.mlp.c_fc.weight` / `.bias` | `[4 n_embd, n_embd]` |
//! | `transformer.h.{i}.mlp.c_proj.weight` / `.bias` | `[n_embd, 4 n_embd]` |
//! | `transformer.ln_f.weight` / `.bias` | `[n_embd]` |
//! | `lm_head.weight` | `[vocab_size, n_embd]`, only when not tied to `wte` |
//!
//! Note that nanoGPT's `nn.Linear` stores `[out, in]` like this file, while Hugging Face's
//! GPT-2 uses `Conv1D` (`[in, out]`): transpose the four matrices per block for HF.

use std::path::Path;

use burn::store::{
    BurnToPyTorchAdapter, KeyRemapper, ModuleSnapshot, PyTorchToBurnAdapter, SafetensorsStore,
};

use crate::model::Gpt;

/// Why weights could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    /// The safetensors store failed (I/O, format).
    #[error("{path}: {problem}")]
    Store {
        /// The file.
        path: String,
        /// What went wrong.
        problem: String,
    },
    /// The file's tensors do not match the model.
    #[error(
        "{path}: does not fit this model: missing {missing:?}, unexpected {unused:?}, errors {errors}"
    )]
    Mismatch {
        /// The file.
        path: String,
        /// Model tensors the file lacks.
        missing: Vec<String>,
        /// File tensors the model lacks.
        unused: Vec<String>,
        /// Shape or type errors.
        errors: String,
    },
}

/// Writes `model`'s weights to a safetensors file with the names above.
pub fn save_safetensors(model: &Gpt, path: impl AsRef<Path>) -> Result<(), WeightsError> {
    let path = path.as_ref();
    let err = |e: String| WeightsError::Store { path: path.display().to_string(), problem: e };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
    }
    let remap = KeyRemapper::new()
        .add_pattern(r"^(wte|wpe|h|ln_f)\.", "transformer.$1.")
        .map_err(|e| err(e.to_string()))?;
    let mut store = SafetensorsStore::from_file(path)
        .with_to_adapter(BurnToPyTorchAdapter)
        .remap(remap)
        .overwrite(true);
    model.save_into(&mut store).map_err(|e| err(e.to_string()))
}

/// Loads weights written by [`save_safetensors`] (or by PyTorch with the same names) into a
/// model of the matching shape.
pub fn load_safetensors(mut model: Gpt, path: impl AsRef<Path>) -> Result<Gpt, WeightsError> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let err = |e: String| WeightsError::Store { path: shown.clone(), problem: e };
    if !path.is_file() {
        return Err(err("no such file".into()));
    }
    let remap =
        KeyRemapper::new().add_pattern(r"^transformer\.", "").map_err(|e| err(e.to_string()))?;
    let mut store = SafetensorsStore::from_file(path)
        .with_from_adapter(PyTorchToBurnAdapter)
        .remap(remap)
        .allow_partial(true);
    let result = model.load_from(&mut store).map_err(|e| err(e.to_string()))?;
    if !result.missing.is_empty() || !result.unused.is_empty() || !result.errors.is_empty() {
        return Err(WeightsError::Mismatch {
            path: shown,
            missing: result.missing.into_iter().map(|(p, _)| p).collect(),
            unused: result.unused,
            errors: format!("{:?}", result.errors),
        });
    }
    Ok(model)
}
