//! The text endpoints' answers in OpenAI's shapes: whole answers, streamed chunks, usage and
//! log-probabilities, for completions and chat.

use genlab_decoding::FinishReason;
use serde_json::{Value, json};

use crate::engine::Logprob;

pub(crate) fn finish(reason: &FinishReason) -> &'static str {
    match reason {
        FinishReason::Length | FinishReason::ContextFull => "length",
        FinishReason::StopToken(_) | FinishReason::StopString(_) => "stop",
    }
}

/// Which endpoint, for the answer's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Completion,
    Chat,
}

pub(crate) fn usage(prompt: usize, completion: usize) -> Value {
    json!({"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion})
}

#[derive(Debug, Default)]
pub(crate) struct Choice {
    pub(crate) text: String,
    pub(crate) tokens: usize,
    pub(crate) finish: Option<&'static str>,
    pub(crate) logprobs: Vec<Logprob>,
}

/// What every answer and chunk of one request shares.
pub(crate) struct Head {
    pub(crate) id: String,
    pub(crate) created: u64,
    pub(crate) model: String,
    pub(crate) shape: Shape,
}

impl Head {
    fn object(&self, chunk: bool) -> &'static str {
        match (self.shape, chunk) {
            (Shape::Completion, _) => "text_completion",
            (Shape::Chat, false) => "chat.completion",
            (Shape::Chat, true) => "chat.completion.chunk",
        }
    }

    /// The whole answer.
    pub(crate) fn whole(&self, choices: &[Choice], logprobs: bool, usage: Value) -> Value {
        let choices: Vec<Value> = choices
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let lp = logprobs.then(|| self.logprobs(&c.logprobs));
                match self.shape {
                    Shape::Completion => json!({"index": i, "text": c.text, "logprobs": lp, "finish_reason": c.finish}),
                    Shape::Chat => json!({
                        "index": i,
                        "message": {"role": "assistant", "content": c.text},
                        "logprobs": lp,
                        "finish_reason": c.finish,
                    }),
                }
            })
            .collect();
        json!({
            "id": self.id, "object": self.object(false), "created": self.created,
            "model": self.model, "choices": choices, "usage": usage,
        })
    }

    /// One streamed chunk: `delta` is the new text (completions) or the delta object (chat).
    pub(crate) fn chunk(
        &self,
        index: usize,
        delta: Value,
        logprob: Option<&Logprob>,
        reason: Option<&str>,
    ) -> Value {
        let lp = logprob.map(|l| self.logprobs(std::slice::from_ref(l)));
        let choice = match self.shape {
            Shape::Completion => {
                json!({"index": index, "text": delta, "logprobs": lp, "finish_reason": reason})
            }
            Shape::Chat => {
                let delta = if delta.is_string() {
                    if reason.is_some() { json!({}) } else { json!({"content": delta}) }
                } else {
                    delta
                };
                json!({"index": index, "delta": delta, "logprobs": lp, "finish_reason": reason})
            }
        };
        json!({"id": self.id, "object": self.object(true), "created": self.created, "model": self.model, "choices": [choice]})
    }

    /// Log-probabilities in the endpoint's format.
    fn logprobs(&self, tokens: &[Logprob]) -> Value {
        match self.shape {
            Shape::Completion => {
                let mut offset = 0;
                let mut offsets = Vec::with_capacity(tokens.len());
                for t in tokens {
                    offsets.push(offset);
                    offset += t.token.len();
                }
                json!({
                    "tokens": tokens.iter().map(|t| &t.token).collect::<Vec<_>>(),
                    "token_logprobs": tokens.iter().map(|t| t.logprob).collect::<Vec<_>>(),
                    "top_logprobs": tokens.iter().map(|t| {
                        t.top.iter().map(|(s, _, l)| (s.clone(), json!(l))).collect::<serde_json::Map<_, _>>()
                    }).collect::<Vec<_>>(),
                    "text_offset": offsets,
                })
            }
            Shape::Chat => json!({"content": tokens.iter().map(|t| json!({
                "token": t.token,
                "logprob": t.logprob,
                "bytes": t.bytes,
                "top_logprobs": t.top.iter().map(|(s, b, l)| json!({"token": s, "logprob": l, "bytes": b})).collect::<Vec<_>>(),
            })).collect::<Vec<_>>()}),
        }
    }
}
