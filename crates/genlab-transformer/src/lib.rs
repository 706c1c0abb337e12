//! A GPT on burn, readable in one sitting: leaves first ([`attention`], [`mlp`], [`block`]),
//! then the [`model`], the explicit [`cache`] for incremental decoding, pretraining and
//! generation; and beside it a char-RNN ([`rnn`]: LSTM and GRU) on the same trainer, run
//! folders and decoding.

pub mod attention;
pub mod batch;
pub mod block;
pub mod cache;
pub mod config;
pub mod data;
pub mod finetune;
pub mod generate;
pub mod mlp;
pub mod model;
pub mod pretrain;
pub mod recipe;
pub mod rnn;
pub mod run;
pub mod weights;

pub use batch::BatchKv;
pub use cache::KvCache;
pub use config::{GptConfig, PosEncoding};
pub use generate::{GptGenerator, GptState};
pub use model::Gpt;
pub use pretrain::{
    ModelConfig, NextToken, NextTokenModel, Objective, TrainConfig, TrainReport, estimate_loss,
    pretrain, train,
};
pub use recipe::{DataSection, ModelSection, Recipe};
pub use rnn::{CharRnn, RnnConfig, RnnGenerator};
pub use run::{GptError, GptRun, LmRun, load, resume_recipe, train_recipe};
pub use weights::{WeightsError, load_safetensors, save_safetensors};
