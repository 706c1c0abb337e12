//! A GPT on burn, readable in one sitting: leaves first ([`attention`], [`mlp`], [`block`]),
//! then the [`model`], the explicit [`cache`] for incremental decoding, pretraining and
//! generation.

pub mod attention;
pub mod block;
pub mod cache;
pub mod config;
pub mod data;
pub mod generate;
pub mod mlp;
pub mod model;
pub mod pretrain;
pub mod recipe;
pub mod run;
pub mod weights;

pub use cache::KvCache;
pub use config::{GptConfig, PosEncoding};
pub use generate::{GptGenerator, GptState};
pub use model::Gpt;
pub use pretrain::{
    NextToken, Objective, TrainConfig, TrainReport, estimate_loss, pretrain, train,
};
pub use recipe::{DataSection, ModelSection, Recipe};
pub use run::{GptError, GptRun, load, resume_recipe, train_recipe};
pub use weights::{WeightsError, load_safetensors, save_safetensors};
