//! Supervised fine-tuning (stage 2 of InstructGPT): next-token loss on the response tokens
//! of prompt/response or chat examples, the prompt and padding masked out, starting from a
//! pretrained (or earlier chat) run. Held-out exact match per task is reported at every
//! evaluation. Examples are not packed: each row of a batch is one example, right-padded, so
//! nothing leaks across examples.

use burn::tensor::{Device, Tensor};
use genlab_data::instructions::{Instance, Task};
use genlab_tokenizer::{ChatTemplate, Tokenizer};
use genlab_train::{RunDir, TrainError};

use super::data::{Batch, Records, Sequence, draw};
use super::judge::{Speaker, exact_match};
use super::losses::token_logprobs;
use super::run::{ChatRun, load_base, load_chat};
use crate::config::GptConfig;
use crate::data::batch_rng;
use crate::model::Gpt;
use crate::pretrain::{Objective, TrainConfig, TrainReport};
use crate::run::GptError;

/// Response-only next-token loss on examples; see the [module docs](self).
#[derive(Debug)]
pub struct Sft<'a> {
    /// Training examples.
    pub train: &'a [Sequence],
    /// Validation examples (their masked loss is `val_loss`).
    pub val: &'a [Sequence],
    /// Examples per micro-batch.
    pub batch_size: usize,
    /// Held-out playground instances for exact match (may be empty).
    pub heldout: &'a [Instance],
    /// The base tokenizer.
    pub tokenizer: &'a dyn Tokenizer,
    /// The chat template.
    pub template: &'a ChatTemplate,
}

/// The metric name of a task's exact match.
pub fn exact_match_key(task: Task) -> &'static str {
    match task {
        Task::Reverse => "em_reverse",
        Task::Upper => "em_upper",
        Task::Add => "em_add",
        Task::Compare => "em_compare",
        Task::Sort => "em_sort",
        Task::Count => "em_count",
        Task::Refuse => "em_refuse",
    }
}

/// Mean masked loss of `model` over `seqs`, in batches of `batch`, without autodiff.
pub fn masked_loss(model: &Gpt, seqs: &[Sequence], batch: usize, device: &Device) -> f32 {
    let device = device.clone().without_autodiff();
    let model = burn::module::Module::valid(model);
    let (mut sum, mut count) = (0.0f32, 0.0f32);
    for chunk in seqs.chunks(batch.max(1)) {
        let refs: Vec<&Sequence> = chunk.iter().collect();
        let b = Batch::new(&refs, &device);
        let lp = token_logprobs(model.forward(b.x), b.y);
        sum += (lp * b.w.clone()).sum().into_scalar::<f32>();
        count += b.w.sum().into_scalar::<f32>();
    }
    -sum / count.max(1.0)
}

impl Objective<GptConfig> for Sft<'_> {
    fn check(&self, _model: &GptConfig) -> Result<(), TrainError> {
        if self.train.is_empty() || self.val.is_empty() {
            return Err(TrainError::Data("SFT needs training and validation examples".into()));
        }
        Ok(())
    }

    fn loss(&self, model: &Gpt, seed: u64, step: u64, micro: u64, device: &Device) -> Tensor<1> {
        let mut rng = batch_rng(seed, step, micro);
        let mut picks = draw(self.train, self.batch_size, &mut rng);
        // Two length-sorted halves, each padded to its own longest (less padding to compute
        // than one batch padded to the longest of all); the loss is still the mean over every
        // response token of the batch.
        picks.sort_by_key(|s| s.ids.len());
        let half = picks.len().div_ceil(2);
        let (mut sum, mut count) = (None::<Tensor<1>>, 0.0f32);
        for chunk in picks.chunks(half) {
            let b = Batch::new(chunk, device);
            count += b.w.clone().sum().into_scalar::<f32>();
            let part = (token_logprobs(model.forward(b.x), b.y) * b.w).sum();
            sum = Some(match sum {
                Some(s) => s + part,
                None => part,
            });
        }
        sum.expect("a batch has examples").neg() / count.max(1.0)
    }

    fn tokens_per_batch(&self, model: &GptConfig) -> usize {
        self.batch_size * model.block_size
    }

    fn evaluate(&self, model: &Gpt, device: &Device) -> Vec<(&'static str, f32)> {
        let mut out = vec![("val_loss", masked_loss(model, self.val, 64, device))];
        if !self.heldout.is_empty() {
            let speaker = Speaker { model, tokenizer: self.tokenizer, template: self.template };
            if let Ok((overall, per)) = exact_match(&speaker, self.heldout, device) {
                out.push(("exact_match", overall as f32));
                out.extend(per.into_iter().map(|(t, v)| (exact_match_key(t), v as f32)));
            }
        }
        out
    }
}

/// Where a stage's examples come from.
#[derive(Debug, Clone)]
pub enum SftData {
    /// The instruction playground: `n` training examples and `heldout` held-out instances
    /// drawn with `seed`.
    Playground {
        /// Training examples.
        n: usize,
        /// Held-out instances (validation loss and exact match).
        heldout: usize,
        /// Seed of the draw.
        seed: u64,
    },
    /// JSONL files of `{"prompt", "response"}` or `{"messages": [...]}` records.
    Files {
        /// Training records.
        train: std::path::PathBuf,
        /// Validation records.
        val: std::path::PathBuf,
    },
}

/// Fine-tunes the model of the run in `base` (pretrained or chat) on `data` into `out`
/// (kind `sft`): the tokenizer and template go beside the checkpoint, the model grows by the
/// template's tokens when the base is a pretrained run.
pub fn sft(
    base: &std::path::Path,
    data: &SftData,
    cfg: &TrainConfig,
    out: &RunDir,
    resume: bool,
    device: &Device,
) -> Result<(ChatRun, TrainReport), GptError> {
    cfg.validate()?;
    let device = &device.clone().autodiff();
    let start = if resume { load_chat(out.path(), device)? } else { load_base(base, device)? };
    let max_len = start.config.block_size + 1;
    let (tok, template) = (start.tokenizer.as_ref(), &start.template);
    let (train_records, val_records, heldout) = match data {
        SftData::Playground { n, heldout, seed } => {
            use genlab_data::instructions::{Split, examples, instances};
            let held = instances(Split::Heldout, *heldout, seed ^ 1);
            let val: Vec<_> = examples(Split::Heldout, *heldout, seed ^ 1);
            let train = Records::from_values(
                "the playground's training examples",
                &examples(Split::Train, *n, *seed),
            );
            (train, Records::from_values("the playground's held-out examples", &val), held)
        }
        SftData::Files { train, val } => {
            let val_records = Records::read(val)?;
            // Held-out exact match where the validation prompts are the playground's.
            let held = val_records
                .lines
                .iter()
                .filter_map(|(_, r)| r.get("prompt")?.as_str().and_then(Instance::parse))
                .collect();
            (Records::read(train)?, val_records, held)
        }
    };
    let train_seqs = train_records.conversations(tok, template, max_len)?;
    let val_seqs = val_records.conversations(tok, template, max_len)?;
    let objective = Sft {
        train: &train_seqs,
        val: &val_seqs,
        batch_size: cfg.batch_size,
        heldout: &heldout,
        tokenizer: tok,
        template,
    };
    eprintln!(
        "SFT of {} on {} examples ({} held out) on {device:?}",
        start.dir.display(),
        train_seqs.len(),
        val_seqs.len()
    );
    let initial = || start.model.clone();
    let (model, report) =
        start.train_stage(&start.config, initial, cfg, &objective, "sft", out, resume, device)?;
    let run = load_chat_after(out, model, &start)?;
    Ok((run, report))
}

/// The chat run just trained into `out`, from the model in hand.
pub(crate) fn load_chat_after(
    out: &RunDir,
    model: Gpt,
    start: &ChatRun,
) -> Result<ChatRun, GptError> {
    let manifest = genlab_train::RunManifest::read(out.path())?;
    let tokenizer = genlab_tokenizer::load(out.file("tokenizer.json"))?;
    Ok(ChatRun {
        model,
        config: start.config.clone(),
        tokenizer,
        template: start.template.clone(),
        dir: out.path().to_path_buf(),
        manifest,
    })
}
