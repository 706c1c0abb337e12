//! Generation on the device under test: the KV cache against recomputing the whole context,
//! and the same seed giving the same samples twice.

use burn::module::Module;
use genlab_decoding::{GenerationConfig, generate};
use genlab_gan::train::fixed_noise;
use genlab_tensor::burn;
use genlab_transformer::{GptGenerator, KvCache};

use super::steps::{tiny_dcgan, tiny_gpt};
use super::{copy_weights, cpu, gpu, int_tensor, params, values};

/// The tiny GPT with flex's seeded weights, on the device under test, for inference.
fn gpt_on_gpu() -> genlab_transformer::Gpt {
    let _rng = genlab_tensor::testing::serial();
    genlab_tensor::seed(&cpu(), 11);
    copy_weights(&tiny_gpt().init(&cpu()), tiny_gpt().init(&gpu()))
}

#[test]
fn kv_cache_generation_equals_recompute_on_the_gpu() {
    let (device, model) = (gpu(), gpt_on_gpu());
    // Logits: a 5-token prompt, then one token at a time, against one pass over all 12.
    let seq: Vec<i64> = vec![3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];
    let full = values(model.forward(int_tensor(seq.clone(), [1, 12], &device)));
    let mut cache = KvCache::new(model.n_layer());
    let mut step =
        values(model.forward_cached(int_tensor(seq[..5].to_vec(), [1, 5], &device), &mut cache));
    for &id in &seq[5..] {
        step.extend(values(
            model.forward_cached(int_tensor(vec![id], [1, 1], &device), &mut cache),
        ));
    }
    let worst = full.iter().zip(&step).map(|(a, b)| (a - b).abs()).fold(0.0f32, f32::max);
    assert!(worst < 1e-4, "cached logits differ from recomputed ones by {worst}");

    // Tokens: 24 greedy tokens after a 3-token prompt, past the block of 16 (so the cache is
    // cropped and rebuilt), cached and recomputed.
    let greedy = GenerationConfig { max_new_tokens: 24, temperature: 0.0, ..Default::default() };
    let cached = generate(&GptGenerator::new(&model, &device, true), &[1, 2, 3], &greedy, None);
    let recomputed =
        generate(&GptGenerator::new(&model, &device, false), &[1, 2, 3], &greedy, None);
    let (cached, recomputed) = (cached.unwrap(), recomputed.unwrap());
    assert_eq!(cached.tokens.len(), 24);
    assert_eq!(cached.tokens, recomputed.tokens, "the KV cache changed the tokens");
}

#[test]
fn the_same_seed_gives_the_same_samples_on_the_gpu() {
    let device = gpu();
    // Sampled text: the sampler's generator is seeded, the logits come from the GPU.
    let model = gpt_on_gpu();
    let sampling = GenerationConfig { max_new_tokens: 12, seed: 5, ..Default::default() };
    let draw = || {
        let out = generate(&GptGenerator::new(&model, &device, true), &[1], &sampling, None);
        out.unwrap().tokens
    };
    assert_eq!(draw(), draw(), "the same seed sampled different text");

    // Weights and GAN samples: the device's own generator, seeded.
    let cfg = tiny_dcgan();
    let _rng = genlab_tensor::testing::serial();
    let grid = || {
        genlab_tensor::seed(&device, 21);
        let pair = cfg.init(&device);
        let (z, cond) = fixed_noise(&cfg, 6, 22, &device);
        (params(&pair), values(pair.generator.valid().forward(z, cond)))
    };
    let (first, second) = (grid(), grid());
    assert_eq!(first.0, second.0, "the same seed initialised different weights");
    assert_eq!(first.1, second.1, "the same seed drew different GAN samples");
    assert!(first.1.iter().any(|&v| v != first.1[0]), "the samples are constant");
}
