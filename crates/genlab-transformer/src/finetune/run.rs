//! Chat run folders: what every fine-tuning stage reads (its base run: a pretrained GPT,
//! whose vocabulary grows by the chat template's tokens, or an earlier chat stage) and
//! writes beside its checkpoint (the base tokenizer and `chat_template.json`), and
//! [`load_chat`], which any program uses to talk to a fine-tuned model.

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use genlab_tokenizer::{ChatTemplate, Tokenizer};
use genlab_train::{Checkpoint, RunDir, RunManifest, RunSpec};

use super::judge::Speaker;
use super::rl::{Policy, RlConfig};
use crate::config::GptConfig;
use crate::model::Gpt;
use crate::pretrain::{ModelConfig, Objective, TrainConfig, TrainReport, train};
use crate::run::GptError;

/// The chat template of a run, beside its tokenizer.
pub const TEMPLATE_FILE: &str = "chat_template.json";

/// The run kinds that hold a chat model.
pub const CHAT_KINDS: [&str; 3] = ["sft", "dpo", "rlhf"];

/// A chat model with what it needs to be used.
#[derive(Debug)]
pub struct ChatRun {
    /// The model (the policy, for RLHF runs).
    pub model: Gpt,
    /// Its shape (vocabulary = base tokenizer + the template's 4 tokens).
    pub config: GptConfig,
    /// The base tokenizer.
    pub tokenizer: Box<dyn Tokenizer>,
    /// The chat template.
    pub template: ChatTemplate,
    /// The run folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: RunManifest,
}

impl ChatRun {
    /// The model with its tokenizer and template, to generate.
    pub fn speaker(&self) -> Speaker<'_> {
        Speaker { model: &self.model, tokenizer: self.tokenizer.as_ref(), template: &self.template }
    }

    /// Copies the tokenizer and the template into `out`, the run folder of a stage built on
    /// this one.
    pub fn write_vocabulary(&self, out: &RunDir) -> Result<(), GptError> {
        let file = self.manifest.tokenizer.as_deref().unwrap_or("tokenizer.json");
        let (from, to) = (self.dir.join(file), out.file("tokenizer.json"));
        if from != to {
            std::fs::copy(&from, &to).map_err(|source| GptError::Io { path: from, source })?;
        }
        self.template.save(out.file(TEMPLATE_FILE))?;
        Ok(())
    }

    /// Refuses to pair this model with `other` when their vocabularies differ (an SFT run
    /// of another tokenizer, say).
    pub fn same_vocabulary(&self, other: &ChatRun) -> Result<(), GptError> {
        if self.config.vocab_size != other.config.vocab_size || self.template != other.template {
            return Err(GptError::Finetune(format!(
                "{} has a vocabulary of {} ids and {} one of {}: the stages must share one tokenizer",
                self.dir.display(),
                self.config.vocab_size,
                other.dir.display(),
                other.config.vocab_size
            )));
        }
        Ok(())
    }
}

impl ChatRun {
    /// Trains `config` as stage `kind` of a run started from this one, into `out`: the
    /// vocabulary goes beside the checkpoint and the model starts as `initial()` (built from
    /// this run's weights), unless `out` resumes from its own checkpoint.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn train_stage<C: ModelConfig>(
        &self,
        config: &C,
        initial: impl FnOnce() -> C::Model,
        cfg: &TrainConfig,
        objective: &dyn Objective<C>,
        kind: &str,
        out: &RunDir,
        resume: bool,
        device: &Device,
    ) -> Result<(C::Model, TrainReport), GptError> {
        if !resume {
            self.write_vocabulary(out)?;
        }
        let spec = RunSpec::new(out, resume).given_from(&self.dir);
        let initial = (!resume).then(initial);
        Ok(train(config, initial, cfg, objective, kind, &spec, device, &mut |_, _| None)?)
    }
}

/// Loads the chat run (SFT, DPO or RLHF) in `dir` onto `device`.
pub fn load_chat(dir: &Path, device: &Device) -> Result<ChatRun, GptError> {
    let manifest = RunManifest::open(dir, "gpt", &CHAT_KINDS)?;
    let config: GptConfig = manifest.model(dir)?;
    let template = ChatTemplate::load(dir.join(TEMPLATE_FILE))?;
    let file = manifest.tokenizer.as_deref().unwrap_or("tokenizer.json");
    let tokenizer = genlab_tokenizer::load(dir.join(file))?;
    let model = if manifest.kind == "rlhf" {
        let rl: RlConfig = manifest.train(dir)?;
        let policy = Policy::new(config.init(device), rl.algorithm.has_critic(), device);
        Checkpoint::load_weights(dir, policy)?.gpt
    } else {
        Checkpoint::load_weights(dir, config.init(device))?
    };
    Ok(ChatRun { model, config, tokenizer, template, dir: dir.into(), manifest })
}

/// The starting point of a fine-tuning stage: a chat run as it is, or a pretrained GPT run
/// made ready for chat (its vocabulary grown by the template's tokens, their embeddings
/// starting at the mean of the others).
pub fn load_base(dir: &Path, device: &Device) -> Result<ChatRun, GptError> {
    let manifest = RunManifest::read(dir)?;
    if manifest.family == "gpt" && manifest.kind == "gpt" {
        let run = crate::load(dir, device)?;
        let template = ChatTemplate::new(run.tokenizer.vocab_size() as u32);
        let extra = template.vocab_size() - run.config.vocab_size;
        let config = GptConfig { vocab_size: template.vocab_size(), ..run.config };
        let model = run.model.with_extra_tokens(extra);
        let manifest = run.manifest;
        Ok(ChatRun { model, config, tokenizer: run.tokenizer, template, dir: dir.into(), manifest })
    } else {
        load_chat(dir, device)
    }
}
