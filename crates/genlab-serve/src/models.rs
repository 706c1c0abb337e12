//! The models a server holds, loaded from run folders: GPTs (base or chat) behind a decoding
//! engine each, and image models (VAE, GANs, pix2pix) behind a lock.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use genlab_autoencoder::{AeRun, latent};
use genlab_gan::{GanConfig, GanPair, GanRun, Pix2Pix, Pix2PixConfig, TextFrontEnd};
use genlab_tensor::burn::module::Module;
use genlab_tensor::burn::tensor::Distribution;
use genlab_tensor::image::{PixelRange, image_to_tensor, tensor_to_image};
use genlab_tensor::{Device, Tensor, TensorData};
use genlab_tokenizer::{ChatTemplate, Tokenizer};
use genlab_train::RunManifest;
use serde::Serialize;

use crate::engine::{Engine, Job};
use crate::error::{ApiError, ServeError};
use crate::metrics::Metrics;

/// What a model does, as `GET /v1/models` tells the playground.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Text completions (and chat, with a template).
    Text,
    /// Images from nothing, a class or a prompt.
    Image,
    /// Picture-to-picture translation.
    Translate,
}

/// A GPT served through its engine.
pub struct TextModel {
    /// The model's name in the API.
    pub id: String,
    /// The run kind (`gpt`, `sft`, `dpo`, `rlhf`).
    pub kind: String,
    /// Longest prompt, in tokens.
    pub context: usize,
    /// Number of token ids.
    pub vocab_size: usize,
    /// Its tokenizer.
    pub tokenizer: Arc<dyn Tokenizer>,
    /// Its chat template, for chat runs.
    pub template: Option<ChatTemplate>,
    jobs: SyncSender<Job>,
    metrics: Arc<Metrics>,
}

impl TextModel {
    /// The chat template's special ids (none for a base model).
    pub fn template_ids(&self) -> Vec<u32> {
        let Some(t) = &self.template else { return Vec::new() };
        let roles = genlab_tokenizer::Role::ALL.map(|r| t.role_id(r));
        roles.into_iter().chain([t.end_id()]).collect()
    }

    /// Queues a job; 429 when the queue is full, 503 when the engine has stopped.
    pub fn submit(&self, job: Job) -> Result<(), ApiError> {
        self.metrics.queued.fetch_add(1, Ordering::Relaxed);
        self.jobs.try_send(job).map_err(|e| {
            self.metrics.queued.fetch_sub(1, Ordering::Relaxed);
            match e {
                TrySendError::Full(_) => ApiError::status(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("the queue of `{}` is full: try again shortly", self.id),
                ),
                TrySendError::Disconnected(_) => ApiError::status(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("the decoding engine of `{}` has stopped", self.id),
                ),
            }
        })
    }
}

/// A loaded image run.
// Built once per model and never moved afterwards: boxing would only add a pointer chase.
#[allow(clippy::large_enum_variant)]
enum ImageRun {
    Vae(AeRun),
    Gan { pair: GanPair, config: GanConfig, text: Option<TextFrontEnd> },
    Pix2Pix { pair: Pix2Pix, config: Pix2PixConfig },
}

/// An image model; requests take turns (the device's seeded generator is shared).
pub struct ImageModel {
    /// The model's name in the API.
    pub id: String,
    /// The run kind (`vae`, `dcgan`, `cgan`, `pix2pix`, ...).
    pub kind: String,
    /// What it does.
    pub capability: Capability,
    /// Number of classes a conditional GAN knows (0 otherwise).
    pub classes: usize,
    /// Whether it reads prompts (text-to-image).
    pub prompts: bool,
    /// Side of the square images it makes (pix2pix: of its training pictures).
    pub side: usize,
    run: Mutex<ImageRun>,
    device: Device,
}

/// Every model the server holds, by name.
#[derive(Default)]
pub struct Models {
    /// GPTs.
    pub text: BTreeMap<String, TextModel>,
    /// Image models.
    pub image: BTreeMap<String, ImageModel>,
}

impl Models {
    /// Every model name.
    pub fn names(&self) -> Vec<String> {
        self.text.keys().chain(self.image.keys()).cloned().collect()
    }

    /// Loads the run folder `dir` under a name made from its folder name (with `-2`, `-3`, ...
    /// when taken). GPTs get an engine thread admitting up to `max_batch` sequences at once
    /// and queueing up to `max_queue` requests.
    pub fn load(
        &mut self,
        dir: &Path,
        device: &Device,
        max_batch: usize,
        max_queue: usize,
        metrics: &Arc<Metrics>,
    ) -> Result<String, ServeError> {
        let err = |problem: String| ServeError::Load { path: dir.to_path_buf(), problem };
        let manifest = RunManifest::read(dir).map_err(|e| err(e.to_string()))?;
        let base = dir
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "model".into());
        let mut id = base.clone();
        let mut k = 2;
        while self.text.contains_key(&id) || self.image.contains_key(&id) {
            id = format!("{base}-{k}");
            k += 1;
        }
        let device = device.clone().without_autodiff();
        match manifest.family.as_str() {
            "gpt" => {
                let (model, tokenizer, template) = if manifest.kind == "gpt" {
                    let run =
                        genlab_transformer::load(dir, &device).map_err(|e| err(e.to_string()))?;
                    (run.model, run.tokenizer, None)
                } else {
                    let run = genlab_transformer::finetune::load_chat(dir, &device)
                        .map_err(|e| err(e.to_string()))?;
                    (run.model, run.tokenizer, Some(run.template))
                };
                let model = model.valid();
                let tokenizer: Arc<dyn Tokenizer> = Arc::from(tokenizer);
                let (jobs, queue) = sync_channel(max_queue);
                let (context, vocab_size) = (model.block_size(), model.vocab_size());
                let engine = Engine {
                    model,
                    tokenizer: tokenizer.clone(),
                    template: template.clone(),
                    device,
                    max_batch,
                    metrics: metrics.clone(),
                };
                std::thread::Builder::new()
                    .name(format!("engine {id}"))
                    .spawn(move || engine.run(queue))?;
                let model = TextModel {
                    id: id.clone(),
                    kind: manifest.kind.clone(),
                    context,
                    vocab_size,
                    tokenizer,
                    template,
                    jobs,
                    metrics: metrics.clone(),
                };
                self.text.insert(id.clone(), model);
            }
            "autoencoder" => {
                let run = genlab_autoencoder::load(dir, &device).map_err(|e| err(e.to_string()))?;
                if !run.model.is_variational() {
                    return Err(err(format!(
                        "a {} has no prior to sample from: only VAEs are served",
                        run.config.name()
                    )));
                }
                let model = ImageModel {
                    id: id.clone(),
                    kind: manifest.kind.clone(),
                    capability: Capability::Image,
                    classes: 0,
                    prompts: false,
                    side: run.config.shape().map_or(28, |s| s[2]),
                    run: Mutex::new(ImageRun::Vae(run)),
                    device,
                };
                self.image.insert(id.clone(), model);
            }
            "gan" => {
                let run = genlab_gan::load(dir, &device).map_err(|e| err(e.to_string()))?;
                let (capability, classes, prompts, side, run) = match run {
                    GanRun::Generator { pair, config, text } => (
                        Capability::Image,
                        config.cond_dim,
                        text.is_some(),
                        config.shape[2],
                        ImageRun::Gan { pair, config, text },
                    ),
                    GanRun::Pix2Pix { pair, config, .. } => {
                        let side = config.size;
                        (Capability::Translate, 0, false, side, ImageRun::Pix2Pix { pair, config })
                    }
                };
                let model = ImageModel {
                    id: id.clone(),
                    kind: manifest.kind.clone(),
                    capability,
                    classes,
                    prompts,
                    side,
                    run: Mutex::new(run),
                    device,
                };
                self.image.insert(id.clone(), model);
            }
            other => {
                return Err(err(format!(
                    "a {other} run cannot be served yet: serve GPT, VAE, GAN or pix2pix runs"
                )));
            }
        }
        Ok(id)
    }
}

impl ImageModel {
    fn lock(&self) -> std::sync::MutexGuard<'_, ImageRun> {
        self.run.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `n` seeded images as PNGs: a class (conditional GANs; by default classes 0, 1, 2, ...),
    /// or a prompt that names one (text-to-image). The prompt is ignored by unconditional
    /// models, as OpenAI's API needs one.
    pub fn generate(
        &self,
        n: usize,
        seed: u64,
        class: Option<usize>,
        prompt: Option<&str>,
    ) -> Result<Vec<Vec<u8>>, ApiError> {
        let run = self.lock();
        let device = &self.device;
        let (images, range) = match &*run {
            ImageRun::Vae(run) => {
                if class.is_some() {
                    return Err(ApiError::invalid(
                        "class",
                        "a VAE is unconditional: it has no classes",
                    ));
                }
                let images = latent::sample(&run.model, n, seed, device)
                    .map_err(|e| ApiError::bad_request(e.to_string()))?;
                (images, PixelRange::ZeroOne)
            }
            ImageRun::Gan { pair, config, text } => {
                let class = match (class, prompt.filter(|_| text.is_some())) {
                    (Some(c), _) => Some(c),
                    (None, Some(p)) => Some(
                        text.as_ref()
                            .expect("filtered")
                            .digit(p, device)
                            .map_err(|m| ApiError::invalid("prompt", m))?
                            .0,
                    ),
                    (None, None) => None,
                };
                let cond = match (config.cond_dim, class) {
                    (0, Some(_)) => {
                        return Err(ApiError::invalid(
                            "class",
                            "this GAN is unconditional: it has no classes",
                        ));
                    }
                    (0, None) => None,
                    (k, Some(c)) if c >= k => {
                        return Err(ApiError::invalid(
                            "class",
                            format!(
                                "class {c} is out of range: the model knows classes 0..={}",
                                k - 1
                            ),
                        ));
                    }
                    (k, c) => {
                        let classes: Vec<usize> = (0..n).map(|i| c.unwrap_or(i % k)).collect();
                        Some(genlab_gan::data::one_hot(&classes, k, device))
                    }
                };
                let (z, _) = genlab_gan::train::fixed_noise(config, n, seed, device);
                (pair.generator.forward(z, cond), PixelRange::MinusOneOne)
            }
            ImageRun::Pix2Pix { .. } => {
                return Err(ApiError::bad_request(format!(
                    "`{}` is a pix2pix model: it translates pictures, use /v1/images/edits",
                    self.id
                )));
            }
        };
        pngs(images, range)
    }

    /// `steps` images along the great circle between the seeded codes of `seed_a` and
    /// `seed_b` (VAE latents or GAN noise), both ends included.
    pub fn interpolate(
        &self,
        seed_a: u64,
        seed_b: u64,
        steps: usize,
    ) -> Result<Vec<Vec<u8>>, ApiError> {
        let run = self.lock();
        let device = &self.device;
        let code = |k: usize, seed: u64| -> Vec<f32> {
            device.seed(seed);
            let z = Tensor::<2>::random([1, k], Distribution::Normal(0.0, 1.0), device);
            z.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32")
        };
        let walk = |k: usize| -> Tensor<2> {
            let (a, b) = (code(k, seed_a), code(k, seed_b));
            let mut z = Vec::with_capacity(steps * k);
            for i in 0..steps {
                let t = i as f32 / (steps - 1).max(1) as f32;
                z.extend(latent::walk(&a, &b, t, latent::Path::Spherical));
            }
            Tensor::from_data(TensorData::new(z, [steps, k]), device)
        };
        match &*run {
            ImageRun::Vae(run) => {
                let k = run.model.latent_dim().expect("a VAE has a latent");
                pngs(run.model.decode(walk(k)).expect("a VAE decodes"), PixelRange::ZeroOne)
            }
            ImageRun::Gan { pair, config, .. } if config.cond_dim == 0 => {
                pngs(pair.generator.forward(walk(config.z_dim), None), PixelRange::MinusOneOne)
            }
            _ => Err(ApiError::bad_request(format!(
                "`{}` cannot interpolate: that needs a VAE or an unconditional GAN",
                self.id
            ))),
        }
    }

    /// The pix2pix translation of a PNG or JPEG picture, as a PNG of the same size.
    pub fn translate(&self, picture: &[u8]) -> Result<Vec<u8>, ApiError> {
        let run = self.lock();
        let ImageRun::Pix2Pix { pair, config } = &*run else {
            return Err(ApiError::bad_request(format!(
                "`{}` does not translate pictures: use a pix2pix model",
                self.id
            )));
        };
        let img = image::load_from_memory(picture)
            .map_err(|e| ApiError::invalid("image", format!("the image cannot be read: {e}")))?;
        let cfg = &config.generator;
        let x = image_to_tensor(&img, cfg.in_channels, &self.device)
            .map_err(|e| ApiError::invalid("image", e.to_string()))?;
        let shape = x.dims();
        let input = x.into_data().convert::<f32>().try_to_vec::<f32>().expect("f32");
        let out = genlab_gan::pix2pix::translate(&pair.generator, cfg, &input, shape, &self.device);
        let out = Tensor::<3>::from_data(
            TensorData::new(out, [cfg.out_channels, shape[1], shape[2]]),
            &self.device,
        );
        png(out, PixelRange::ZeroOne)
    }
}

/// Each image of a `[n, c, h, w]` batch as PNG bytes.
fn pngs(images: Tensor<4>, range: PixelRange) -> Result<Vec<Vec<u8>>, ApiError> {
    let n = images.dims()[0];
    (0..n).map(|i| png(images.clone().narrow(0, i, 1).squeeze_dim::<3>(0), range)).collect()
}

fn png(image: Tensor<3>, range: PixelRange) -> Result<Vec<u8>, ApiError> {
    let failed = |e: String| ApiError::status(StatusCode::INTERNAL_SERVER_ERROR, e);
    let img = tensor_to_image(image, range).map_err(|e| failed(e.to_string()))?;
    let mut bytes = Cursor::new(Vec::new());
    img.write_to(&mut bytes, image::ImageFormat::Png).map_err(|e| failed(e.to_string()))?;
    Ok(bytes.into_inner())
}
