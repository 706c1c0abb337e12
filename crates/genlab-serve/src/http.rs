//! The router: routes, the guard every request passes (API key, draining, metrics), the
//! JSON body reader, and the small endpoints (`/v1/models`, `/health`, `/metrics`, the
//! playground page).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::models::{Capability, ImageModel, Models, TextModel};
use crate::{Limits, images, text};

/// Everything the handlers share.
pub struct AppState {
    /// The models.
    pub models: Models,
    /// The counters.
    pub metrics: Arc<Metrics>,
    /// Request limits.
    pub limits: Limits,
    /// The bearer token `/v1/` requests need, if any.
    pub api_key: Option<String>,
    /// Set on shutdown: new requests get 503 while the ones in flight finish.
    pub draining: AtomicBool,
    /// Requests being handled, streams until their last event.
    pub in_flight: AtomicUsize,
    next_id: AtomicU64,
}

impl AppState {
    /// The state for `models`.
    pub fn new(
        models: Models,
        metrics: Arc<Metrics>,
        limits: Limits,
        api_key: Option<String>,
    ) -> Self {
        Self {
            models,
            metrics,
            limits,
            api_key,
            draining: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            next_id: AtomicU64::new(1),
        }
    }

    /// A fresh answer number.
    pub fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// The GPT named `id`.
    pub fn text_model(&self, id: &str) -> Result<&TextModel, ApiError> {
        self.models.text.get(id).ok_or_else(|| match self.models.image.get(id) {
            Some(_) => ApiError::invalid(
                "model",
                format!("`{id}` is an image model: it does not write text"),
            ),
            None => ApiError::unknown_model(id, &self.models.names()),
        })
    }

    /// The image model named `id`.
    pub fn image_model(&self, id: &str) -> Result<&ImageModel, ApiError> {
        self.models.image.get(id).ok_or_else(|| match self.models.text.get(id) {
            Some(_) => ApiError::invalid(
                "model",
                format!("`{id}` is a text model: it does not make images"),
            ),
            None => ApiError::unknown_model(id, &self.models.names()),
        })
    }
}

/// Seconds since 1970, for `created` fields.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A request body read as JSON whatever its content type (as llama.cpp's server does), with
/// OpenAI-style errors for bodies that are too large, not JSON, or of the wrong types.
pub struct Body(axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        axum::body::Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(|e| ApiError::status(e.status(), e.body_text()))
    }
}

impl Body {
    /// The body as `T`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.0)
            .map_err(|e| ApiError::bad_request(format!("the request body is not valid: {e}")))
    }
}

/// The router over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(playground))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/v1/models", get(models))
        .route("/v1/completions", post(text::completions))
        .route("/v1/chat/completions", post(text::chat))
        .route("/v1/images/generations", post(images::generations))
        .route("/v1/images/interpolations", post(images::interpolations))
        .route("/v1/images/edits", post(images::edits))
        .fallback(|req: Request| async move {
            ApiError::status(
                StatusCode::NOT_FOUND,
                format!("no route {} {}", req.method(), req.uri().path()),
            )
        })
        .layer(DefaultBodyLimit::max(state.limits.max_body))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Counts a request in flight until its response head is sent.
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Counts a streamed answer in flight until its last event, so shutdown waits for it (and
/// keeps answering 503 to new requests meanwhile).
pub struct StreamInFlight(Arc<AppState>);

impl StreamInFlight {
    /// Counts one stream of `state`.
    pub fn new(state: Arc<AppState>) -> Self {
        state.in_flight.fetch_add(1, Ordering::SeqCst);
        Self(state)
    }
}

impl Drop for StreamInFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What every request passes: 503 while draining, 401 without the API key, and metrics.
async fn guard(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let path = req.uri().path().to_string();
    let endpoint = match path.as_str() {
        "/"
        | "/health"
        | "/metrics"
        | "/v1/models"
        | "/v1/completions"
        | "/v1/chat/completions"
        | "/v1/images/generations"
        | "/v1/images/interpolations"
        | "/v1/images/edits" => path.as_str(),
        _ => "other",
    };
    let response = if state.draining.load(Ordering::SeqCst) {
        ApiError::status(StatusCode::SERVICE_UNAVAILABLE, "the server is shutting down")
            .into_response()
    } else if let Some(key) = state.api_key.as_deref().filter(|_| path.starts_with("/v1/")) {
        let given = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        if given.and_then(|v| v.strip_prefix("Bearer ")) == Some(key) {
            state.in_flight.fetch_add(1, Ordering::SeqCst);
            let _counted = InFlight(&state.in_flight);
            next.run(req).await
        } else {
            let what = if given.is_some() { "is wrong" } else { "is missing" };
            ApiError {
                code: Some("invalid_api_key"),
                ..ApiError::status(
                    StatusCode::UNAUTHORIZED,
                    format!("the API key {what}: send `Authorization: Bearer KEY`"),
                )
            }
            .into_response()
        }
    } else {
        state.in_flight.fetch_add(1, Ordering::SeqCst);
        let _counted = InFlight(&state.in_flight);
        next.run(req).await
    };
    state.metrics.request(endpoint, response.status().as_u16(), started.elapsed());
    response
}

async fn playground() -> Html<&'static str> {
    Html(include_str!("../assets/playground.html"))
}

async fn health(State(state): State<Arc<AppState>>) -> Response {
    Json(json!({"status": "ok", "models": state.models.names().len()})).into_response()
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

/// `GET /v1/models`, with what each model does under `genlab` (for the playground).
async fn models(State(state): State<Arc<AppState>>) -> Response {
    let created = unix_now();
    let text = state.models.text.values().map(|m| {
        json!({"id": m.id, "object": "model", "created": created, "owned_by": "genlab", "genlab": {
            "kind": m.kind, "capability": Capability::Text, "context": m.context, "chat": m.template.is_some(),
        }})
    });
    let image = state.models.image.values().map(|m| {
        json!({"id": m.id, "object": "model", "created": created, "owned_by": "genlab", "genlab": {
            "kind": m.kind, "capability": m.capability, "classes": m.classes, "prompts": m.prompts, "size": m.side,
        }})
    });
    Json(json!({"object": "list", "data": text.chain(image).collect::<Vec<_>>()})).into_response()
}
