//! The text endpoints' requests as OpenAI defines them, and the decoding knobs checked
//! against their ranges and the server's limits.

use std::collections::BTreeMap;

use genlab_decoding::GenerationConfig;
use serde::Deserialize;

use crate::error::ApiError;
use crate::http::AppState;
use crate::models::TextModel;

/// One string or several.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(s) => vec![s],
            Self::Many(v) => v,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct StreamOptions {
    #[serde(default)]
    pub(crate) include_usage: bool,
}

/// The decoding knobs both endpoints take. Omitted knobs keep genlab's defaults
/// ([`GenerationConfig::default`], llama.cpp's), as llama.cpp's server does.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Knobs {
    max_tokens: Option<u64>,
    max_completion_tokens: Option<u64>,
    temperature: Option<f32>,
    top_p: Option<f32>,
    top_k: Option<u64>,
    min_p: Option<f32>,
    presence_penalty: Option<f32>,
    frequency_penalty: Option<f32>,
    repeat_penalty: Option<f32>,
    seed: Option<u64>,
    stop: Option<OneOrMany>,
    n: Option<u64>,
    logit_bias: Option<BTreeMap<String, f32>>,
    #[serde(default)]
    pub(crate) stream: bool,
    pub(crate) stream_options: Option<StreamOptions>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CompletionRequest {
    pub(crate) model: String,
    pub(crate) prompt: OneOrMany,
    #[serde(flatten)]
    pub(crate) knobs: Knobs,
    pub(crate) logprobs: Option<u64>,
    #[serde(default)]
    pub(crate) echo: bool,
    pub(crate) suffix: Option<String>,
}

/// A chat message's content: a string, or OpenAI's list of parts (text parts only).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum Content {
    Text(String),
    Parts(Vec<Part>),
}

#[derive(Debug, Deserialize)]
pub(crate) struct Part {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    pub(crate) text: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ChatMessage {
    pub(crate) role: String,
    pub(crate) content: Content,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ChatRequest {
    pub(crate) model: String,
    pub(crate) messages: Vec<ChatMessage>,
    #[serde(flatten)]
    pub(crate) knobs: Knobs,
    #[serde(default)]
    pub(crate) logprobs: bool,
    pub(crate) top_logprobs: Option<u64>,
}

/// Checks the knobs against their ranges and the server's limits.
pub(crate) fn generation_config(
    k: &Knobs,
    default_max: usize,
    model: &TextModel,
    state: &AppState,
) -> Result<(GenerationConfig, usize), ApiError> {
    let limits = &state.limits;
    let mut c = GenerationConfig::default();
    let max = k.max_completion_tokens.or(k.max_tokens).unwrap_or(default_max as u64);
    if max == 0 || max > limits.max_tokens as u64 {
        return Err(ApiError::invalid(
            "max_tokens",
            format!("max_tokens is {max}; this server allows 1 to {}", limits.max_tokens),
        ));
    }
    c.max_new_tokens = max as usize;
    let range = |name: &str, v: Option<f32>, lo: f32, hi: f32, open_lo: bool| match v {
        Some(x) if !x.is_finite() || x > hi || x < lo || (open_lo && x == lo) => {
            let lo_bracket = if open_lo { '(' } else { '[' };
            Err(ApiError::invalid(
                name,
                format!("{name} is {x}; it must be in {lo_bracket}{lo}, {hi}]"),
            ))
        }
        other => Ok(other),
    };
    if let Some(t) = range("temperature", k.temperature, 0.0, 2.0, false)? {
        c.temperature = t;
    }
    if let Some(p) = range("top_p", k.top_p, 0.0, 1.0, true)? {
        c.top_p = p;
    }
    if let Some(p) = range("min_p", k.min_p, 0.0, 1.0, false)? {
        c.min_p = p;
    }
    if let Some(p) = range("presence_penalty", k.presence_penalty, -2.0, 2.0, false)? {
        c.presence_penalty = p;
    }
    if let Some(p) = range("frequency_penalty", k.frequency_penalty, -2.0, 2.0, false)? {
        c.frequency_penalty = p;
    }
    if let Some(p) = range("repeat_penalty", k.repeat_penalty, 0.0, 10.0, true)? {
        c.repeat_penalty = p;
    }
    if let Some(top_k) = k.top_k {
        c.top_k = top_k.min(model.vocab_size as u64) as usize;
    }
    let n = k.n.unwrap_or(1);
    if n == 0 || n > limits.max_n as u64 {
        return Err(ApiError::invalid(
            "n",
            format!("n is {n}; this server allows 1 to {}", limits.max_n),
        ));
    }
    if let Some(stop) = &k.stop {
        let stop = match stop {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        };
        if stop.len() > 4 || stop.iter().any(String::is_empty) {
            return Err(ApiError::invalid("stop", "stop takes up to 4 non-empty strings"));
        }
        c.stop_strings = stop;
    }
    for (key, bias) in k.logit_bias.iter().flatten() {
        let id = key.parse::<u32>().ok().filter(|&id| (id as usize) < model.vocab_size);
        let Some(id) = id else {
            return Err(ApiError::invalid(
                "logit_bias",
                format!("logit_bias key {key:?} is not a token id below {}", model.vocab_size),
            ));
        };
        range("logit_bias", Some(*bias), -100.0, 100.0, false)?;
        c.logit_bias.insert(id, *bias);
    }
    c.seed = k.seed.unwrap_or_else(rand::random);
    c.validate().map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok((c, n as usize))
}
