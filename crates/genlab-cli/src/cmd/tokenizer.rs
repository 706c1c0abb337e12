//! `genlab tokenizer train|encode|decode|count|inspect`: byte-level BPE from the command line.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use genlab_tokenizer::{AllowedSpecial, Bpe, Encoding, Pattern, Tokenizer, Trainer};

/// The built-in split patterns.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternArg {
    /// GPT-2's pattern (also Hugging Face ByteLevel's).
    Gpt2,
    /// GPT-4's `cl100k_base` pattern.
    Gpt4,
    /// GPT-4o's `o200k_base` pattern.
    O200k,
    /// Qwen2's pattern (GPT-4's with single digits).
    Qwen2,
    /// Mistral's Tekken pattern (o200k's without contractions, single digits).
    Tekken,
    /// DeepSeek V3's three splits in sequence (digits, CJK, then the rest).
    DeepseekV3,
    /// No pre-tokenization: the whole text is one chunk.
    None,
}

impl From<PatternArg> for Pattern {
    fn from(p: PatternArg) -> Pattern {
        match p {
            PatternArg::Gpt2 => Pattern::Gpt2,
            PatternArg::Gpt4 => Pattern::Gpt4,
            PatternArg::O200k => Pattern::O200k,
            PatternArg::Qwen2 => Pattern::Qwen2,
            PatternArg::Tekken => Pattern::Tekken,
            PatternArg::DeepseekV3 => Pattern::DeepseekV3,
            PatternArg::None => Pattern::None,
        }
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum TokenizerCmd {
    /// Train a byte-level BPE tokenizer and save it (genlab's JSON format).
    Train {
        /// Training text (UTF-8); default: the embedded Shakespeare corpus.
        #[arg(long)]
        data: Option<PathBuf>,
        /// Total ids: 256 bytes + merges + special tokens.
        #[arg(long, default_value_t = 4096)]
        vocab_size: usize,
        /// Split pattern.
        #[arg(long, value_enum, default_value_t = PatternArg::Gpt4)]
        pattern: PatternArg,
        /// Stop when the most frequent pair occurs fewer times than this.
        #[arg(long, default_value_t = 2)]
        min_frequency: u64,
        /// Special token to reserve (repeatable), e.g. --special '<|endoftext|>'.
        #[arg(long = "special")]
        specials: Vec<String>,
        /// Where to save the tokenizer.
        #[arg(long)]
        out: PathBuf,
        /// Also export a Hugging Face tokenizer.json here.
        #[arg(long)]
        hf: Option<PathBuf>,
        /// Also export a tiktoken rank file here.
        #[arg(long)]
        tiktoken: Option<PathBuf>,
    },
    /// Print the ids of a text, space-separated.
    Encode {
        #[command(flatten)]
        tok: TokenizerArgs,
        #[command(flatten)]
        input: InputArgs,
        /// Turn special-token text into special ids (default: encode it as plain text).
        #[arg(long)]
        allow_special: bool,
    },
    /// Print the text of ids (arguments, or whitespace-separated on stdin).
    Decode {
        #[command(flatten)]
        tok: TokenizerArgs,
        /// Token ids; read from stdin when none are given.
        ids: Vec<u32>,
    },
    /// Print how many tokens a text encodes to.
    Count {
        #[command(flatten)]
        tok: TokenizerArgs,
        #[command(flatten)]
        input: InputArgs,
    },
    /// Write a BPE tokenizer in another format, chosen by the name: `.glbpe` (genlab's binary
    /// format: loads fastest, e.g. o200k_base in a few tens of ms), `.tiktoken`, or genlab JSON.
    Convert {
        #[command(flatten)]
        tok: TokenizerArgs,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
    /// Show a tokenizer's longest tokens and, on a file, its compression.
    Inspect {
        #[command(flatten)]
        tok: TokenizerArgs,
        /// Text to measure; default: the embedded Shakespeare corpus.
        #[arg(long)]
        data: Option<PathBuf>,
        /// How many of the longest tokens to list.
        #[arg(long, default_value_t = 20)]
        top: usize,
    },
}

/// Which tokenizer file to use.
#[derive(clap::Args, Debug)]
pub struct TokenizerArgs {
    /// genlab JSON, Hugging Face tokenizer.json, or a .tiktoken rank file.
    #[arg(long)]
    tokenizer: PathBuf,
    /// The published vocabulary a .tiktoken file holds (its split pattern and special tokens):
    /// r50k_base (gpt2), p50k_base, cl100k_base, o200k_base, llama3, qwen2, mistral_v3,
    /// deepseek_v3. Default: the one
    /// the file is named after (`o200k_base.tiktoken`), else --pattern with no specials.
    #[arg(long)]
    encoding: Option<Encoding>,
    /// Split pattern for other .tiktoken files (they do not record one).
    #[arg(long, value_enum, default_value_t = PatternArg::Gpt4)]
    pattern: PatternArg,
}

/// Where the text comes from.
#[derive(clap::Args, Debug)]
pub struct InputArgs {
    /// The text itself.
    #[arg(long, conflicts_with = "file")]
    text: Option<String>,
    /// A UTF-8 file; with neither --text nor --file, stdin is read.
    #[arg(long)]
    file: Option<PathBuf>,
}

impl InputArgs {
    fn read(&self) -> anyhow::Result<String> {
        match (&self.text, &self.file) {
            (Some(t), _) => Ok(t.clone()),
            (None, Some(f)) => read_text(f),
            (None, None) => {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s).context("reading stdin")?;
                Ok(s)
            }
        }
    }
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn is_tiktoken(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "tiktoken")
}

fn is_binary(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "glbpe")
}

impl TokenizerArgs {
    fn load(&self) -> anyhow::Result<Box<dyn Tokenizer>> {
        if is_tiktoken(&self.tokenizer) || self.encoding.is_some() {
            return Ok(Box::new(self.load_bpe()?));
        }
        Ok(genlab_tokenizer::load(&self.tokenizer)?)
    }

    fn load_bpe(&self) -> anyhow::Result<Bpe> {
        let path = &self.tokenizer;
        if is_tiktoken(path) {
            if let Some(e) = self.encoding.or_else(|| Encoding::from_file_name(path)) {
                return Ok(e.load(path)?);
            }
            return Ok(Bpe::load_tiktoken(path, self.pattern.into(), Vec::new())?);
        }
        if let Some(e) = self.encoding {
            bail!("--encoding {e} is for .tiktoken rank files; {} is not one", path.display());
        }
        if is_binary(path) {
            return Ok(Bpe::load_binary(path)?);
        }
        match Bpe::load(path) {
            Ok(b) => Ok(b),
            Err(native) => Bpe::load_hf(path).map_err(|hf| {
                anyhow::anyhow!("{} is not a BPE tokenizer:\n  as genlab JSON: {native}\n  as tokenizer.json: {hf}", path.display())
            }),
        }
    }
}

fn join_ids(ids: &[u32]) -> String {
    ids.iter().map(u32::to_string).collect::<Vec<_>>().join(" ")
}

pub fn run(cmd: TokenizerCmd) -> anyhow::Result<()> {
    match cmd {
        TokenizerCmd::Train {
            data,
            vocab_size,
            pattern,
            min_frequency,
            specials,
            out,
            hf,
            tiktoken,
        } => {
            let text = match &data {
                Some(p) => read_text(p)?,
                None => genlab_data::embedded::shakespeare().to_string(),
            };
            if let (Some(p), true) = (&data, text.is_empty()) {
                bail!("{} is empty: there is no text to train the tokenizer on", p.display());
            }
            let start = Instant::now();
            let bpe = Trainer::new(vocab_size)
                .pattern(pattern.into())
                .min_frequency(min_frequency)
                .special_tokens(specials)
                .train(&text)?;
            let secs = start.elapsed().as_secs_f64();
            bpe.save(&out)?;
            if let Some(p) = hf {
                bpe.save_hf(&p)?;
                println!("wrote {}", p.display());
            }
            if let Some(p) = tiktoken {
                bpe.save_tiktoken(&p)?;
                println!("wrote {}", p.display());
            }
            println!(
                "trained {} ids ({} merges) on {:.2} MB in {secs:.2} s -> {}",
                bpe.vocab_size(),
                bpe.vocab_size() - 256 - bpe.special_tokens().len(),
                text.len() as f64 / 1e6,
                out.display()
            );
        }
        TokenizerCmd::Encode { tok, input, allow_special } => {
            let text = input.read()?;
            let ids = if allow_special {
                tok.load_bpe()?.encode_with_special(&text, &AllowedSpecial::All)
            } else {
                tok.load()?.encode(&text)?
            };
            println!("{}", join_ids(&ids));
        }
        TokenizerCmd::Decode { tok, ids } => {
            let ids = if ids.is_empty() {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s).context("reading stdin")?;
                s.split_whitespace()
                    .map(|w| w.parse::<u32>().with_context(|| format!("{w:?} is not a token id")))
                    .collect::<anyhow::Result<Vec<u32>>>()?
            } else {
                ids
            };
            print!("{}", tok.load()?.decode(&ids)?);
        }
        TokenizerCmd::Count { tok, input } => {
            println!("{}", tok.load()?.encode(&input.read()?)?.len());
        }
        TokenizerCmd::Convert { tok, out } => {
            let bpe = tok.load_bpe()?;
            if is_binary(&out) {
                bpe.save_binary(&out)?;
            } else if is_tiktoken(&out) {
                bpe.save_tiktoken(&out)?;
            } else {
                bpe.save(&out)?;
            }
            eprintln!("wrote {} ({} ids)", out.display(), bpe.vocab_size());
        }
        TokenizerCmd::Inspect { tok, data, top } => {
            inspect(&tok.load_bpe()?, data.as_deref(), top)?
        }
    }
    Ok(())
}

fn inspect(bpe: &Bpe, data: Option<&Path>, top: usize) -> anyhow::Result<()> {
    println!("vocab size      {}", bpe.vocab_size());
    println!("pattern         {}", bpe.pattern().as_str());
    for (text, id) in bpe.special_tokens() {
        println!("special         {id:>6}  {text}");
    }
    let mut tokens = bpe.tokens();
    tokens.sort_by(|a, b| b.bytes.len().cmp(&a.bytes.len()).then(a.id.cmp(&b.id)));
    println!("longest tokens:");
    for t in tokens.iter().take(top) {
        println!(
            "  {:>6}  {:>3} bytes  {:?}",
            t.id,
            t.bytes.len(),
            String::from_utf8_lossy(&t.bytes)
        );
    }
    let text = match data {
        Some(p) => read_text(p)?,
        None => genlab_data::embedded::shakespeare().to_string(),
    };
    if text.is_empty() {
        let what = data.map_or("the embedded text".into(), |p| p.display().to_string());
        bail!("{what} is empty: there is no text to measure");
    }
    let start = Instant::now();
    let ids = bpe.encode(&text);
    let secs = start.elapsed().as_secs_f64();
    let mut used = vec![false; bpe.vocab_size()];
    for &id in &ids {
        used[id as usize] = true;
    }
    let n = ids.len().max(1) as f64;
    println!("text            {} bytes, {} chars", text.len(), text.chars().count());
    println!("tokens          {}", ids.len());
    println!("bytes per token {:.3}", text.len() as f64 / n);
    println!("chars per token {:.3}", text.chars().count() as f64 / n);
    println!("compression     {:.2}x fewer ids than raw bytes", text.len() as f64 / n);
    println!("vocab used      {} of {}", used.iter().filter(|&&u| u).count(), bpe.vocab_size());
    println!("encode speed    {:.1} MB/s (one thread)", text.len() as f64 / 1e6 / secs.max(1e-9));
    Ok(())
}
