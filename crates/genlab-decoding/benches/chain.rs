//! Criterion bench: one decoding step (full chain + sample) on GPT-2-sized rows, batch 1 and
//! batch 32. Run: `cargo bench -p genlab-decoding --bench chain`.

mod common;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use genlab_decoding::Sampler;

fn bench(c: &mut Criterion) {
    let logits = common::logits(common::ROWS);
    let histories = common::histories(common::ROWS);
    let history_refs: Vec<&[u32]> = histories.iter().map(Vec::as_slice).collect();
    let mut group = c.benchmark_group("decoding_chain");
    for (name, config) in [("full", common::full_chain()), ("hf_warpers", common::hf_warpers())] {
        let mut sampler = Sampler::from_config(&config).unwrap();
        group.throughput(Throughput::Elements(1));
        group.bench_function(format!("{name}/batch1"), |b| {
            let mut row = 0;
            b.iter(|| {
                let r = row % common::ROWS;
                row += 1;
                let slice = &logits[r * common::VOCAB..(r + 1) * common::VOCAB];
                sampler.sample(slice, history_refs[r]).unwrap()
            });
        });
        let mut out = Vec::with_capacity(common::ROWS);
        group.throughput(Throughput::Elements(common::ROWS as u64));
        group.bench_function(format!("{name}/batch32"), |b| {
            b.iter(|| {
                out.clear();
                sampler.sample_batch(&logits, common::VOCAB, &history_refs, &mut out).unwrap();
                out[0]
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
