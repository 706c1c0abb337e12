//! `genlab gpt chat`: a REPL over a fine-tuned run that keeps the conversation through its
//! chat template and streams each reply; one-shot when stdin is not a terminal.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;
use genlab_decoding::{GenerationConfig, generate_stream};
use genlab_tokenizer::Message;
use genlab_transformer::GptGenerator;
use genlab_transformer::finetune;

use super::path_arg;

/// `gpt chat`.
#[derive(Args, Debug)]
pub struct ChatArgs {
    /// A chat run (SFT, DPO or RLHF).
    #[arg(long, value_parser = path_arg, default_value = "runs/sft")]
    pub checkpoint: PathBuf,
    /// A system message that opens the conversation.
    #[arg(long)]
    pub system: Option<String>,
    /// Most tokens per reply.
    #[arg(long, default_value_t = 64)]
    pub max_tokens: usize,
    /// Softmax temperature; 0 = greedy.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f32,
    /// Keep the k most likely tokens (0 = off).
    #[arg(long, default_value_t = 0)]
    pub top_k: usize,
    /// Nucleus sampling mass (1.0 = off).
    #[arg(long, default_value_t = 1.0)]
    pub top_p: f32,
    /// Drop tokens below min_p x the top probability (0 = off).
    #[arg(long, default_value_t = 0.0)]
    pub min_p: f32,
    /// Repetition penalty (1.0 = off).
    #[arg(long, default_value_t = 1.0)]
    pub repeat_penalty: f32,
    /// Sampling seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

pub fn chat(args: ChatArgs, device: &genlab_tensor::Device) -> Result<()> {
    let run = finetune::load_chat(&args.checkpoint, device)?;
    let config = GenerationConfig {
        max_new_tokens: args.max_tokens,
        temperature: args.temperature,
        top_k: args.top_k,
        top_p: args.top_p,
        min_p: args.min_p,
        repeat_penalty: args.repeat_penalty,
        stop_token_ids: vec![run.template.end_id()],
        seed: args.seed,
        ..GenerationConfig::default()
    };
    config.validate()?;
    let generator = GptGenerator::new(&run.model, device, true);
    let mut messages: Vec<Message> = args.system.iter().map(Message::system).collect();
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        // One shot, for scripts: all of stdin is one user message.
        let mut text = String::new();
        for line in stdin.lock().lines() {
            text.push_str(&line?);
            text.push('\n');
        }
        messages.push(Message::user(text.trim_end()));
        reply(&run, &generator, &config, &mut messages)?;
        return Ok(());
    }
    eprintln!(
        "chatting with {} (empty line or Ctrl-D ends, /reset forgets)",
        args.checkpoint.display()
    );
    loop {
        eprint!("> ");
        std::io::stderr().flush()?;
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 || line.trim().is_empty() {
            return Ok(());
        }
        if line.trim() == "/reset" {
            messages.retain(|m| m.role == genlab_tokenizer::Role::System);
            continue;
        }
        messages.push(Message::user(line.trim_end()));
        if let Err(e) = reply(&run, &generator, &config, &mut messages) {
            messages.pop();
            eprintln!("error: {e:#}");
        }
    }
}

/// Streams the assistant's reply to `messages` and appends it. The oldest turns are dropped
/// (the system message kept) when the conversation outgrows the context.
fn reply(
    run: &finetune::ChatRun,
    generator: &GptGenerator,
    config: &GenerationConfig,
    messages: &mut Vec<Message>,
) -> Result<()> {
    let (tok, template) = (run.tokenizer.as_ref(), &run.template);
    let block = run.config.block_size;
    let mut prompt = template.generation_prompt(tok, messages)?;
    while prompt.len() >= block {
        let first = messages.iter().position(|m| m.role != genlab_tokenizer::Role::System);
        match first {
            Some(i) if i + 1 < messages.len() => {
                messages.remove(i);
            }
            _ => bail!(
                "the message is {} tokens with the template; the model's context is {block}",
                prompt.len()
            ),
        }
        prompt = template.generation_prompt(tok, messages)?;
    }
    let detok = |ids: &[u32]| template.decode_response(tok, ids).map(|r| r.0).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    let mut ids = Vec::new();
    for token in generate_stream(generator, &prompt, config, Some(&detok))? {
        let token = token?;
        ids.push(token.id);
        write!(out, "{}", token.text)?;
        out.flush()?;
    }
    writeln!(out)?;
    let (text, _) = template.decode_response(tok, &ids)?;
    messages.push(Message::assistant(text));
    Ok(())
}
