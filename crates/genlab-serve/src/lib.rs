//! `genlab serve`: an OpenAI-compatible HTTP API and a web playground for trained genlab
//! models, on axum and tokio.
//!
//! * Text: `POST /v1/completions` and `POST /v1/chat/completions` (the chat template of a
//!   fine-tuned run), streamed as server-sent events with `stream: true`. Each GPT has a
//!   decoding engine ([`engine`]) that batches the running sequences of concurrent requests
//!   into each forward pass (continuous batching, per-sequence KV caches).
//! * Images: `POST /v1/images/generations` (VAE, GAN, class-conditional and text-to-image
//!   GANs), `POST /v1/images/edits` (pix2pix), and genlab's `POST /v1/images/interpolations`.
//! * `GET /v1/models`, `GET /health`, `GET /metrics` (Prometheus), and the playground at `/`.
//!
//! Errors are OpenAI's JSON with a 4xx status ([`ApiError`]); a full queue answers 429, and
//! a server shutting down answers 503 while the requests in flight finish.

mod answer;
pub mod engine;
mod error;
mod http;
mod images;
pub mod metrics;
mod models;
mod request;
mod text;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use genlab_tensor::Device;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use error::{ApiError, ServeError};
pub use http::{AppState, router};
pub use models::{Capability, Models};

/// Limits on what one request may ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Most tokens one choice may generate.
    pub max_tokens: usize,
    /// Most choices (`n`) per text request.
    pub max_n: usize,
    /// Most images per request.
    pub max_images: usize,
    /// Largest request body, in bytes.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_tokens: 2048, max_n: 8, max_images: 16, max_body: 8 << 20 }
    }
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Run folders to load.
    pub models: Vec<PathBuf>,
    /// Address to listen on.
    pub host: String,
    /// Port (0 = any free one).
    pub port: u16,
    /// Bearer token every `/v1/` request must carry, if set.
    pub api_key: Option<String>,
    /// Most sequences a GPT decodes at once.
    pub max_batch: usize,
    /// Most requests waiting per GPT before 429.
    pub max_queue: usize,
    /// Per-request limits.
    pub limits: Limits,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            models: Vec::new(),
            host: "127.0.0.1".into(),
            port: 8080,
            api_key: None,
            max_batch: 16,
            max_queue: 64,
            limits: Limits::default(),
        }
    }
}

impl ServeConfig {
    /// Loads every model onto `device` and the state the handlers share.
    pub fn load(&self, device: &Device) -> Result<Arc<AppState>, ServeError> {
        if self.models.is_empty() {
            return Err(ServeError::Config("no models: pass --model RUN_DIR at least once".into()));
        }
        for (name, v) in [
            ("max-batch", self.max_batch),
            ("max-queue", self.max_queue),
            ("max-tokens", self.limits.max_tokens),
            ("max-n", self.limits.max_n),
        ] {
            if v == 0 {
                return Err(ServeError::Config(format!("--{name} must be at least 1")));
            }
        }
        let metrics = Arc::new(metrics::Metrics::default());
        let mut models = Models::default();
        for dir in &self.models {
            let id = models.load(dir, device, self.max_batch, self.max_queue, &metrics)?;
            eprintln!("loaded {} as `{id}`", dir.display());
        }
        Ok(Arc::new(AppState::new(models, metrics, self.limits.clone(), self.api_key.clone())))
    }
}

/// A server running on the current tokio runtime.
#[derive(Debug)]
pub struct RunningServer {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Starts draining (new requests get 503), waits for the requests in flight, and stops.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.await.map_err(std::io::Error::other)?
    }
}

async fn bind(host: &str, port: u16) -> Result<TcpListener, ServeError> {
    TcpListener::bind((host, port))
        .await
        .map_err(|source| ServeError::Bind { address: format!("{host}:{port}"), source })
}

/// Binds `host:port` and serves `state` until [`RunningServer::shutdown`].
pub async fn spawn(
    state: Arc<AppState>,
    host: &str,
    port: u16,
) -> Result<RunningServer, ServeError> {
    let listener = bind(host, port).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve_until(state, listener, async move {
        let _ = stopped.await;
    }));
    Ok(RunningServer { addr, stop: Some(stop), task })
}

/// Serves until `signal` resolves, then drains: new requests get 503 for as long as
/// requests are in flight (30 s at most), and open streams finish before it returns.
async fn serve_until(
    state: Arc<AppState>,
    listener: TcpListener,
    signal: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone());
    let drained = {
        let state = state.clone();
        async move {
            signal.await;
            state.draining.store(true, Ordering::SeqCst);
            let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
            while state.in_flight.load(Ordering::SeqCst) > 0
                && tokio::time::Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    axum::serve(listener, app).with_graceful_shutdown(drained).await
}

/// Loads the models and serves until SIGINT or SIGTERM (the `genlab serve` command).
pub fn serve(config: &ServeConfig, device: &Device) -> Result<(), ServeError> {
    let state = config.load(device)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = bind(&config.host, config.port).await?;
        let addr = listener.local_addr()?;
        eprintln!("genlab serve: http://{addr} (the playground), API at http://{addr}/v1");
        serve_until(state, listener, shutdown_signal()).await?;
        eprintln!("genlab serve: stopped");
        Ok(())
    })
}

/// A dry run: loads the models and binds the address as [`serve`] would, then stops.
/// Returns the address bound and the models' names.
pub fn check(
    config: &ServeConfig,
    device: &Device,
) -> Result<(SocketAddr, Vec<String>), ServeError> {
    let state = config.load(device)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let addr = runtime.block_on(async {
        bind(&config.host, config.port).await?.local_addr().map_err(ServeError::from)
    })?;
    Ok((addr, state.models.names()))
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    eprintln!("genlab serve: shutting down (requests in flight finish, new ones get 503)");
}
