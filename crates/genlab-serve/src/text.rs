//! `POST /v1/completions` and `POST /v1/chat/completions`: OpenAI's request and answer shapes
//! (streamed as server-sent events with `stream: true`) over a GPT's decoding engine.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::response::sse::{Event as Sse, KeepAlive};
use axum::response::{IntoResponse, Response};
use genlab_decoding::GenerationConfig;
use genlab_tokenizer::{Message, Role};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::answer::{Choice, Head, Shape, finish, usage};
use crate::engine::{Event, Job};
use crate::error::ApiError;
use crate::http::{AppState, Body, StreamInFlight, unix_now};
use crate::models::TextModel;
use crate::request::{ChatRequest, CompletionRequest, Content, Knobs, generation_config};

/// `POST /v1/completions`.
pub async fn completions(
    State(state): State<Arc<AppState>>,
    body: Body,
) -> Result<Response, ApiError> {
    let arrived = Instant::now();
    let req: CompletionRequest = body.json()?;
    let model = state.text_model(&req.model)?;
    if req.echo {
        return Err(ApiError::invalid("echo", "echo is not supported"));
    }
    if req.suffix.is_some() {
        return Err(ApiError::invalid(
            "suffix",
            "suffix (insertion) is not supported by these models",
        ));
    }
    let prompts = req.prompt.into_vec();
    let [prompt] = prompts.as_slice() else {
        return Err(ApiError::invalid("prompt", "send one prompt per request (a string)"));
    };
    let ids =
        model.tokenizer.encode(prompt).map_err(|e| ApiError::invalid("prompt", e.to_string()))?;
    let logprobs = match req.logprobs {
        Some(k) if k > 5 => {
            return Err(ApiError::invalid(
                "logprobs",
                format!("logprobs is {k}; it must be 0 to 5"),
            ));
        }
        other => other.map(|k| k as usize),
    };
    let (mut config, n) = generation_config(&req.knobs, 16, model, &state)?;
    // A chat model's template tokens are not text: one ends a plain completion.
    config.stop_token_ids = model.template_ids();
    run(
        state.clone(),
        model,
        ids,
        config,
        n,
        logprobs,
        false,
        &req.knobs,
        Shape::Completion,
        arrived,
    )
    .await
}

/// `POST /v1/chat/completions`.
pub async fn chat(State(state): State<Arc<AppState>>, body: Body) -> Result<Response, ApiError> {
    let arrived = Instant::now();
    let req: ChatRequest = body.json()?;
    let model = state.text_model(&req.model)?;
    let Some(template) = &model.template else {
        return Err(ApiError::invalid(
            "model",
            format!(
                "`{}` is a base model with no chat template: use /v1/completions, or serve a fine-tuned (sft, dpo, rlhf) run",
                model.id
            ),
        ));
    };
    let mut messages = Vec::with_capacity(req.messages.len());
    for m in req.messages {
        let role = match m.role.as_str() {
            "developer" => Role::System,
            name => Role::from_name(name).ok_or_else(|| {
                ApiError::invalid(
                    "messages",
                    format!("role {name:?} is not one of system, developer, user, assistant"),
                )
            })?,
        };
        let text = match m.content {
            Content::Text(t) => t,
            Content::Parts(parts) => {
                let mut text = String::new();
                for p in parts {
                    match (p.kind.as_str(), p.text) {
                        ("text", Some(t)) => text.push_str(&t),
                        (kind, _) => {
                            return Err(ApiError::invalid(
                                "messages",
                                format!(
                                    "content parts of type {kind:?} are not supported: text only"
                                ),
                            ));
                        }
                    }
                }
                text
            }
        };
        messages.push(Message::new(role, text));
    }
    if messages.is_empty() {
        return Err(ApiError::invalid("messages", "messages is empty"));
    }
    let ids = template
        .generation_prompt(model.tokenizer.as_ref(), &messages)
        .map_err(|e| ApiError::invalid("messages", e.to_string()))?;
    let logprobs = match (req.logprobs, req.top_logprobs) {
        (_, Some(k)) if k > 20 => {
            return Err(ApiError::invalid(
                "top_logprobs",
                format!("top_logprobs is {k}; it must be 0 to 20"),
            ));
        }
        (false, Some(_)) => {
            return Err(ApiError::invalid("top_logprobs", "top_logprobs needs logprobs: true"));
        }
        (true, k) => Some(k.unwrap_or(0) as usize),
        (false, None) => None,
    };
    let default_max = state.limits.max_tokens.min(256);
    let (mut config, n) = generation_config(&req.knobs, default_max, model, &state)?;
    // `<|end|>` ends the reply; so does any other template token (a model may start the next
    // turn by itself), which could not be decoded as reply text.
    config.stop_token_ids = model.template_ids();
    run(state.clone(), model, ids, config, n, logprobs, true, &req.knobs, Shape::Chat, arrived)
        .await
}

/// Queues the job and answers: one JSON body, or a stream of chunks.
#[allow(clippy::too_many_arguments)]
async fn run(
    state: Arc<AppState>,
    model: &TextModel,
    prompt: Vec<u32>,
    config: GenerationConfig,
    n: usize,
    logprobs: Option<usize>,
    chat: bool,
    knobs: &Knobs,
    shape: Shape,
    arrived: Instant,
) -> Result<Response, ApiError> {
    if prompt.is_empty() {
        return Err(ApiError::invalid(
            "prompt",
            "the prompt is empty: it needs at least one token",
        ));
    }
    if prompt.len() > model.context {
        return Err(ApiError {
            code: Some("context_length_exceeded"),
            ..ApiError::invalid(
                if chat { "messages" } else { "prompt" },
                format!(
                    "the prompt is {} tokens; the model's context is {}",
                    prompt.len(),
                    model.context
                ),
            )
        });
    }
    let prompt_tokens = prompt.len();
    state
        .metrics
        .prompt_tokens
        .fetch_add(prompt_tokens as u64, std::sync::atomic::Ordering::Relaxed);
    let (events, mut rx) = mpsc::unbounded_channel();
    model.submit(Job { prompt, config, n, logprobs, chat, events, arrived })?;
    let head = Head {
        id: format!("{}-{}", if chat { "chatcmpl" } else { "cmpl" }, state.next_id()),
        created: unix_now(),
        model: model.id.clone(),
        shape,
    };
    if !knobs.stream {
        let mut choices: Vec<Choice> = (0..n).map(|_| Choice::default()).collect();
        while let Some(event) = rx.recv().await {
            match event {
                Event::Token { choice, logprob, .. } => choices[choice].logprobs.extend(logprob),
                Event::Done { choice, text, tokens, reason } => {
                    let c = &mut choices[choice];
                    (c.text, c.tokens, c.finish) = (text, tokens, Some(finish(&reason)));
                }
                Event::Failed(message) => {
                    return Err(ApiError::status(
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        message,
                    ));
                }
            }
        }
        let completion: usize = choices.iter().map(|c| c.tokens).sum();
        let body = head.whole(&choices, logprobs.is_some(), usage(prompt_tokens, completion));
        return Ok(axum::Json(body).into_response());
    }
    let include_usage = knobs.stream_options.as_ref().is_some_and(|o| o.include_usage);
    let (out, body) = mpsc::channel::<Result<Sse, Infallible>>(64);
    let counted = StreamInFlight::new(state.clone());
    tokio::spawn(async move {
        let _counted = counted;
        let send = |v: Value| out.send(Ok(Sse::default().data(v.to_string())));
        if shape == Shape::Chat {
            for i in 0..n {
                if send(head.chunk(i, json!({"role": "assistant", "content": ""}), None, None))
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
        let mut completion = 0;
        while let Some(event) = rx.recv().await {
            let chunk = match event {
                Event::Token { choice, text, logprob } => {
                    head.chunk(choice, json!(text), logprob.as_ref(), None)
                }
                Event::Done { choice, tokens, reason, .. } => {
                    completion += tokens;
                    head.chunk(choice, json!(""), None, Some(finish(&reason)))
                }
                Event::Failed(message) => {
                    json!({"error": {"message": message, "type": "server_error"}})
                }
            };
            // A closed body means the client left: returning drops `rx`, and the engine
            // frees the rows at its next step.
            if send(chunk).await.is_err() {
                return;
            }
        }
        if include_usage {
            let mut last = head.chunk(0, json!(""), None, None);
            last["choices"] = json!([]);
            last["usage"] = usage(prompt_tokens, completion);
            let _ = send(last).await;
        }
        let _ = out.send(Ok(Sse::default().data("[DONE]"))).await;
    });
    Ok(axum::response::Sse::new(ReceiverStream::new(body))
        .keep_alive(KeepAlive::default())
        .into_response())
}
