//! Fine-tuning data: JSONL records (prompt/response, chat messages, rankings, preference
//! pairs) read with the line of any problem named, rendered through the chat template into
//! token sequences with a trainable mask, and padded into batches.

use std::path::{Path, PathBuf};

use burn::tensor::{Device, Int, Tensor, TensorData};
use genlab_data::preference::Ranking;
use genlab_tokenizer::{ChatTemplate, Message, Tokenizer};
use serde_json::Value;

use crate::run::GptError;

/// One tokenised example: its ids, and which of them the model is trained to produce
/// (assistant content and its closing `<|end|>`).
#[derive(Debug, Clone, PartialEq)]
pub struct Sequence {
    /// Token ids of the whole conversation.
    pub ids: Vec<u32>,
    /// `true` where the id is a trained (response) token.
    pub mask: Vec<bool>,
}

/// Responses to one prompt, tokenised, best first: a ranking of `k` gives `k*(k-1)/2`
/// preference pairs (a `{"chosen", "rejected"}` record is a ranking of 2). Training on a
/// whole ranking at once, as InstructGPT does, scores each response once for all its pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Prompt + each response, best first.
    pub seqs: Vec<Sequence>,
}

impl Ranked {
    /// `prompt` with each of `responses` (best first), rendered through `template`.
    pub fn render(
        prompt: &str,
        responses: &[String],
        tok: &dyn Tokenizer,
        template: &ChatTemplate,
        max_len: usize,
    ) -> Result<Self, String> {
        let seqs = responses
            .iter()
            .map(|r| one_turn(prompt, r, tok, template, max_len))
            .collect::<Result<_, _>>()?;
        Ok(Self { seqs })
    }

    /// The rows of `rankings` laid end to end, and the `(better, worse)` row of every ordered
    /// pair among them: `rows[better[p]]` is preferred to `rows[worse[p]]`.
    pub fn flatten<'a>(rankings: &[&'a Ranked]) -> (Vec<&'a Sequence>, Vec<i64>, Vec<i64>) {
        let (mut rows, mut better, mut worse) = (Vec::new(), Vec::new(), Vec::new());
        for r in rankings {
            let first = rows.len() as i64;
            let k = r.seqs.len() as i64;
            for i in 0..k {
                for j in i + 1..k {
                    better.push(first + i);
                    worse.push(first + j);
                }
            }
            rows.extend(&r.seqs);
        }
        (rows, better, worse)
    }
}

/// JSONL records with their 1-based line numbers, from a file, or made in memory (the
/// built-in playground) under a name for messages.
#[derive(Debug, Clone)]
pub struct Records {
    /// Where they came from (a path, or a description), for error messages.
    pub source: PathBuf,
    /// `(line, record)` pairs.
    pub lines: Vec<(usize, Value)>,
}

impl Records {
    /// Reads a JSONL file; a line that is not JSON is an error naming it.
    pub fn read(path: &Path) -> Result<Self, GptError> {
        let text = genlab_data::text::read_text(path)?;
        let mut lines = Vec::new();
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let value = serde_json::from_str(line).map_err(|e| bad(path, i + 1, e))?;
            lines.push((i + 1, value));
        }
        if lines.is_empty() {
            return Err(GptError::Dataset { path: path.into(), problem: "no records".into() });
        }
        Ok(Self { source: path.into(), lines })
    }

    /// Records made in memory (serialisable values), numbered from 1.
    pub fn from_values<T: serde::Serialize>(source: &str, values: &[T]) -> Self {
        let lines = values
            .iter()
            .enumerate()
            .map(|(i, v)| (i + 1, serde_json::to_value(v).expect("records serialise")))
            .collect();
        Self { source: source.into(), lines }
    }

    /// Every record as a conversation (`{"prompt", "response"}` or `{"messages": [...]}`)
    /// rendered through `template`; an unreadable record, or one longer than `max_len` ids,
    /// is an error naming its line.
    pub fn conversations(
        &self,
        tok: &dyn Tokenizer,
        template: &ChatTemplate,
        max_len: usize,
    ) -> Result<Vec<Sequence>, GptError> {
        self.lines
            .iter()
            .map(|(line, record)| {
                let messages = genlab_tokenizer::chat::conversation(record)
                    .map_err(|e| bad(&self.source, *line, e))?;
                render(tok, template, &messages, max_len).map_err(|e| bad(&self.source, *line, e))
            })
            .collect()
    }

    /// Every record as a ranking, best first: `{"prompt", "responses": [best, ..., worst]}`
    /// as it is, `{"prompt", "chosen", "rejected"}` as a ranking of 2. A record that is
    /// neither, or ranks fewer than 2 responses, is an error naming its line.
    pub fn rankings(&self) -> Result<Vec<Ranking>, GptError> {
        let mut rankings = Vec::new();
        for (line, record) in &self.lines {
            let field = |key: &str| -> Result<String, GptError> {
                record.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| {
                    bad(&self.source, *line, format!("missing string field {key:?}"))
                })
            };
            let prompt = field("prompt")?;
            let ranking = if record.get("responses").is_some() {
                serde_json::from_value::<Ranking>(record.clone())
                    .map_err(|e| bad(&self.source, *line, e))?
            } else if record.get("chosen").is_some() {
                Ranking { prompt, responses: vec![field("chosen")?, field("rejected")?] }
            } else {
                let problem = "a preference record needs \"responses\" (a ranking) or \"chosen\" and \"rejected\"";
                return Err(bad(&self.source, *line, problem));
            };
            if ranking.responses.len() < 2 {
                let n = ranking.responses.len();
                let problem = format!("ranks {n} response(s); a preference needs at least 2");
                return Err(bad(&self.source, *line, problem));
            }
            rankings.push(ranking);
        }
        Ok(rankings)
    }
}

fn bad(path: &Path, line: usize, problem: impl std::fmt::Display) -> GptError {
    GptError::Dataset { path: path.into(), problem: format!("line {line}: {problem}") }
}

/// `messages` through `template`, refused when longer than `max_len` ids (the model's context
/// plus the one target past it).
pub fn render(
    tok: &dyn Tokenizer,
    template: &ChatTemplate,
    messages: &[Message],
    max_len: usize,
) -> Result<Sequence, String> {
    let (ids, mask) = template.render(tok, messages).map_err(|e| e.to_string())?;
    if ids.len() > max_len {
        return Err(format!(
            "the example is {} tokens, longer than the model's context of {} (block_size + 1)",
            ids.len(),
            max_len
        ));
    }
    Ok(Sequence { ids, mask })
}

/// One exchange, `prompt` and its `response`, through `template`.
pub fn one_turn(
    prompt: &str,
    response: &str,
    tok: &dyn Tokenizer,
    template: &ChatTemplate,
    max_len: usize,
) -> Result<Sequence, String> {
    render(tok, template, &[Message::user(prompt), Message::assistant(response)], max_len)
}

/// `n` items drawn uniformly with replacement from `items` (a batch of examples or pairs;
/// `items` must not be empty).
pub fn draw<'a, T>(items: &'a [T], n: usize, rng: &mut impl rand::Rng) -> Vec<&'a T> {
    (0..n).map(|_| &items[rng.random_range(0..items.len())]).collect()
}

/// Next-token training tensors of padded sequences: inputs `[b, t]`, targets `[b, t]` and
/// target weights `[b, t]` (1.0 on trained tokens, 0.0 on prompt and padding), `t` the
/// longest sequence minus one. Right padding is harmless under the causal mask: no real
/// position attends to a later pad.
#[derive(Debug, Clone)]
pub struct Batch {
    /// Input ids `[b, t]`.
    pub x: Tensor<2, Int>,
    /// Target ids `[b, t]` (the inputs shifted by one).
    pub y: Tensor<2, Int>,
    /// Target weights `[b, t]`.
    pub w: Tensor<2>,
}

impl Batch {
    /// Pads `seqs` (each at least 2 ids) into a batch on `device`.
    pub fn new(seqs: &[&Sequence], device: &Device) -> Self {
        let t = seqs.iter().map(|s| s.ids.len() - 1).max().unwrap_or(1).max(1);
        let b = seqs.len();
        let (mut x, mut y, mut w) = (vec![0i64; b * t], vec![0i64; b * t], vec![0f32; b * t]);
        for (row, s) in seqs.iter().enumerate() {
            for i in 0..s.ids.len() - 1 {
                x[row * t + i] = s.ids[i] as i64;
                y[row * t + i] = s.ids[i + 1] as i64;
                w[row * t + i] = f32::from(u8::from(s.mask[i + 1]));
            }
        }
        Self {
            x: Tensor::from_data(TensorData::new(x, [b, t]), device),
            y: Tensor::from_data(TensorData::new(y, [b, t]), device),
            w: Tensor::from_data(TensorData::new(w, [b, t]), device),
        }
    }
}

/// Whole sequences right-padded to `[b, T]`, and the index of each one's last id (where a
/// reward model reads its score).
pub fn padded(seqs: &[&Sequence], device: &Device) -> (Tensor<2, Int>, Vec<usize>) {
    let t = seqs.iter().map(|s| s.ids.len()).max().unwrap_or(1).max(1);
    let mut ids = vec![0i64; seqs.len() * t];
    for (row, s) in seqs.iter().enumerate() {
        for (i, &id) in s.ids.iter().enumerate() {
            ids[row * t + i] = id as i64;
        }
    }
    let last = seqs.iter().map(|s| s.ids.len() - 1).collect();
    (Tensor::from_data(TensorData::new(ids, [seqs.len(), t]), device), last)
}

/// `per_row` over `seqs` in two halves sorted by length, each padded to its own longest (less
/// padding to compute than one batch padded to the longest of all); the `[n]` results come
/// back in the order of `seqs`.
pub fn in_length_halves(
    seqs: &[&Sequence],
    device: &Device,
    per_row: impl Fn(&[&Sequence]) -> Tensor<1>,
) -> Tensor<1> {
    let mut order: Vec<usize> = (0..seqs.len()).collect();
    order.sort_by_key(|&i| seqs[i].ids.len());
    let sorted: Vec<&Sequence> = order.iter().map(|&i| seqs[i]).collect();
    let half = sorted.len().div_ceil(2).max(1);
    let parts: Vec<Tensor<1>> = sorted.chunks(half).map(&per_row).collect();
    let values = Tensor::cat(parts, 0); // in sorted order
    let mut inverse = vec![0i64; order.len()];
    for (pos, &i) in order.iter().enumerate() {
        inverse[i] = pos as i64;
    }
    let inverse = Tensor::<1, Int>::from_data(TensorData::new(inverse, [seqs.len()]), device);
    values.select(0, inverse)
}
