//! Run folders from before the manifest: `config.json` (and a GPT's `recipe.toml`), in the
//! four layouts genlab wrote then. [`convert`] turns one into a [`RunManifest`] in memory, so
//! old runs load; `genlab run convert DIR` writes it as `run.json`. This is the only place
//! that recognises a run by the keys it finds, and it recognises only those four layouts.

use std::path::Path;

use serde_json::Value;

use crate::manifest::{MANIFEST_VERSION, RunError, RunManifest};

/// The manifest of an old run folder.
pub fn convert(dir: &Path) -> Result<RunManifest, RunError> {
    let path = dir.join("config.json");
    let legacy = |problem: String| RunError::Legacy { path: dir.to_path_buf(), problem };
    let text = std::fs::read_to_string(&path)
        .map_err(|source| RunError::Io { path: path.clone(), source })?;
    let config: Value =
        serde_json::from_str(&text).map_err(|e| legacy(format!("config.json is not JSON: {e}")))?;
    let manifest = |family: &str, kind: &str, model: &Value, data: Value| RunManifest {
        family: family.into(),
        kind: kind.into(),
        version: MANIFEST_VERSION,
        genlab: "before 0.1 (converted from config.json)".into(),
        model: model.clone(),
        train: config.get("train").cloned().unwrap_or(Value::Null),
        data,
        tokenizer: None,
        init_from: None,
    };
    // pix2pix: {"pix2pix": {...}, "train": {...}}
    if let Some(model) = config.get("pix2pix") {
        return Ok(manifest("gan", "pix2pix", model, Value::Null));
    }
    let model = config.get("model").ok_or_else(|| legacy("config.json has no model".into()))?;
    // Autoencoders: {"model": {"model": "vae", ...}, "train", "data": "mnist", "size": 64}
    if let Some(kind) = model.get("model").and_then(Value::as_str) {
        let data = serde_json::json!({
            "spec": config.get("data").cloned().unwrap_or(Value::Null),
            "size": config.get("size").cloned().unwrap_or(Value::from(0)),
        });
        return Ok(manifest("autoencoder", kind, model, data));
    }
    // GPT: {"model": {"n_layer", ...}, "train"} beside recipe.toml and tokenizer.json.
    if model.get("n_layer").is_some() {
        let mut m = manifest("gpt", "gpt", model, Value::Null);
        if let Ok(recipe) = std::fs::read_to_string(dir.join("recipe.toml")) {
            let recipe: toml::Table = toml::from_str(&recipe)
                .map_err(|e| legacy(format!("recipe.toml does not parse: {e}")))?;
            let recipe = serde_json::to_value(recipe).expect("TOML is JSON");
            m.data = recipe.get("data").cloned().unwrap_or(Value::Null);
            if let Some(train) = recipe.get("train") {
                m.train = train.clone();
            }
        }
        m.tokenizer = Some("tokenizer.json".into());
        return Ok(m);
    }
    // GANs: {"model": {"z_dim", "cond_dim", ...}, "train"}
    if model.get("z_dim").is_some() {
        let conditional = model.get("cond_dim").and_then(Value::as_u64).unwrap_or(0) > 0;
        let kind = if conditional { "cgan" } else { "gan" };
        return Ok(manifest("gan", kind, model, Value::Null));
    }
    Err(legacy("config.json is in no layout this build knows".into()))
}
