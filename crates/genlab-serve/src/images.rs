//! `POST /v1/images/generations`, `POST /v1/images/edits` (pix2pix translation) and genlab's
//! `POST /v1/images/interpolations`: PNGs as `b64_json`, in OpenAI's images shape.

use std::sync::Arc;

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;

use crate::error::ApiError;
use crate::http::{AppState, Body, unix_now};
use crate::models::ImageModel;

#[derive(Debug, Deserialize)]
struct GenerationRequest {
    model: String,
    prompt: Option<String>,
    n: Option<u64>,
    seed: Option<u64>,
    class: Option<u64>,
    size: Option<String>,
    response_format: Option<String>,
}

#[derive(Debug, Deserialize)]
struct InterpolationRequest {
    model: String,
    seed_a: u64,
    seed_b: u64,
    steps: Option<u64>,
}

fn check_format(format: Option<&str>) -> Result<(), ApiError> {
    match format {
        None | Some("b64_json") => Ok(()),
        Some(other) => Err(ApiError::invalid(
            "response_format",
            format!("response_format {other:?} is not supported: this server answers b64_json"),
        )),
    }
}

/// Runs image work off the async threads.
async fn blocking<T: Send + 'static>(
    state: &Arc<AppState>,
    id: &str,
    work: impl FnOnce(&ImageModel) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    state.image_model(id)?;
    let (state, id) = (state.clone(), id.to_string());
    tokio::task::spawn_blocking(move || work(state.image_model(&id).expect("checked")))
        .await
        .map_err(|e| {
            ApiError::status(StatusCode::INTERNAL_SERVER_ERROR, format!("image work failed: {e}"))
        })?
}

fn answer(pngs: Vec<Vec<u8>>) -> Response {
    let b64 = base64::engine::general_purpose::STANDARD;
    let data: Vec<_> = pngs.iter().map(|p| json!({"b64_json": b64.encode(p)})).collect();
    axum::Json(json!({"created": unix_now(), "data": data})).into_response()
}

/// `POST /v1/images/generations`: `n` seeded images; `class` (conditional GANs) or `prompt`
/// (text-to-image) picks the digit.
pub async fn generations(
    State(state): State<Arc<AppState>>,
    body: Body,
) -> Result<Response, ApiError> {
    let req: GenerationRequest = body.json()?;
    check_format(req.response_format.as_deref())?;
    let max = state.limits.max_images;
    let n = req.n.unwrap_or(1);
    if n == 0 || n > max as u64 {
        return Err(ApiError::invalid(
            "n",
            format!("n is {n}; this server allows 1 to {max} images"),
        ));
    }
    let model = state.image_model(&req.model)?;
    if let Some(size) = &req.size {
        let want = format!("{0}x{0}", model.side);
        if *size != want {
            return Err(ApiError::invalid(
                "size",
                format!("size {size:?}: `{}` makes {want} images", model.id),
            ));
        }
    }
    let seed = req.seed.unwrap_or_else(rand::random);
    let (class, prompt) = (req.class.map(|c| c as usize), req.prompt);
    let pngs = blocking(&state, &req.model, move |m| {
        m.generate(n as usize, seed, class, prompt.as_deref())
    })
    .await?;
    Ok(answer(pngs))
}

/// `POST /v1/images/interpolations` (genlab's): `steps` images walking from the seeded
/// code of `seed_a` to `seed_b`'s.
pub async fn interpolations(
    State(state): State<Arc<AppState>>,
    body: Body,
) -> Result<Response, ApiError> {
    let req: InterpolationRequest = body.json()?;
    let steps = req.steps.unwrap_or(8);
    if !(2..=32).contains(&steps) {
        return Err(ApiError::invalid("steps", format!("steps is {steps}; it must be 2 to 32")));
    }
    let (a, b) = (req.seed_a, req.seed_b);
    let pngs = blocking(&state, &req.model, move |m| m.interpolate(a, b, steps as usize)).await?;
    Ok(answer(pngs))
}

/// `POST /v1/images/edits`: multipart form with `image` (a PNG or JPEG) and `model`; the
/// answer is the pix2pix translation.
pub async fn edits(
    State(state): State<Arc<AppState>>,
    mut form: Multipart,
) -> Result<Response, ApiError> {
    let bad =
        |e: axum::extract::multipart::MultipartError| ApiError::status(e.status(), e.body_text());
    let (mut model, mut image, mut format) = (None, None, None);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "model" => model = Some(field.text().await.map_err(bad)?),
            "image" | "image[]" => image = Some(field.bytes().await.map_err(bad)?),
            "response_format" => format = Some(field.text().await.map_err(bad)?),
            _ => {} // prompt, n, size, mask: not used by a translator
        }
    }
    check_format(format.as_deref())?;
    let model = model.ok_or_else(|| ApiError::invalid("model", "the form has no `model` field"))?;
    let image = image.ok_or_else(|| ApiError::invalid("image", "the form has no `image` file"))?;
    let png = blocking(&state, &model, move |m| m.translate(&image)).await?;
    Ok(answer(vec![png]))
}
