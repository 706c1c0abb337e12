//! Fine-tuning the GPT after pretraining, InstructGPT's stages 2 and 3 plus DPO:
//!
//! * [`sft`]: supervised fine-tuning on prompt/response or chat examples rendered through
//!   the chat template, loss on the response tokens only;
//! * [`reward`]: a reward model (GPT backbone + scalar head at the last token) trained on
//!   rankings with the Bradley-Terry loss;
//! * [`rl`]: RLHF against the reward model with a KL penalty to the SFT reference, by PPO
//!   (value head, GAE) or critic-free RLOO;
//! * [`dpo`]: direct preference optimisation from pairs alone.
//!
//! Every stage is a run folder of the shared trainer (checkpoints, exact resume,
//! metrics.jsonl, report.html), starts from an earlier run's weights, and is judged on the
//! instruction playground of `genlab_data::instructions` by [`judge`]. The objectives are
//! plain functions in [`losses`], each tested against its formula.

pub mod data;
pub mod dpo;
pub mod judge;
pub mod losses;
pub mod recipe;
pub mod reward;
pub mod rl;
pub mod run;
pub mod sample;
pub mod sft;

pub use data::{Batch, Ranked, Records, Sequence};
pub use dpo::{DpoSettings, dpo_stage};
pub use judge::{Judgement, Speaker, exact_match, judge_policy};
pub use recipe::{Playground, StageRecipe};
pub use reward::{RewardConfig, RewardModel, RewardRun, load_reward_run, reward};
pub use rl::{Algorithm, Policy, RlConfig, RlReport, rlhf};
pub use run::{ChatRun, load_base, load_chat};
pub use sample::{Response, sample_responses};
pub use sft::{SftData, sft};
