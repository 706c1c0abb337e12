#!/usr/bin/env bash
# The GPU path, checked on a lent GPU machine (no network there). Prepare here, in the repo:
#   cargo build --release -p genlab-cli --features wgpu     # target dir: any
#   mkdir -p .gpu && strip -o .gpu/genlab <target>/release/genlab && xz -T2 -f .gpu/genlab
#   cp benches/gpu/check.sh .gpu/ ; echo /.gpu/ >> .git/info/exclude
#   Vulkan loader debs in .gl/ (see the device tool's README), also excluded from git.
# Then run `bash .gpu/check.sh` there, carrying .gl and .gpu. Results land in $OUT.
# (`--features cuda` does not build without internet: cubecl-llvm downloads LLVM at build time.)
set -u
export GENLAB_NO_PROGRESS=1
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
nvidia-smi -L
xz -dc .gpu/genlab.xz > /tmp/genlab; B=/tmp/genlab
chmod +x $B
echo "== info (wgpu)"; timeout 120 $B info --device wgpu 2>&1 | tee $OUT/info-wgpu.txt
# Sections to run (default all): SECTIONS="gpt ae gan finetune" bash .gpu/check.sh
SECTIONS="${SECTIONS:-gpt ae gan finetune}"
if [[ " $SECTIONS " == *" gpt "* ]]; then
echo "== gpt train on wgpu"
( time timeout 200 $B gpt train --device wgpu --steps 300 --batch-size 64 --out /tmp/run-wgpu \
    --prompt "ROMEO:" --max-tokens 120 --report $OUT/report-wgpu.json ) 2>&1 | tee $OUT/train-wgpu.txt | tail -25
echo "== flex on this machine's CPU, same run, for scale"
( time timeout 200 $B gpt train --device flex --steps 300 --batch-size 64 --out /tmp/run-flex \
    --prompt "ROMEO:" --max-tokens 120 --report $OUT/report-flex.json ) 2>&1 | tail -8
fi
if [[ " $SECTIONS " == *" ae "* ]]; then
echo "== autoencoders on wgpu: the 784-400-20 VAE, 3 epochs on the embedded MNIST slice"
( time timeout 150 $B ae train --device wgpu --model vae --epochs 3 --out /tmp/vae-wgpu ) 2>&1 | tee $OUT/vae-wgpu.txt | tail -8
( time timeout 150 $B ae train --device flex --model vae --epochs 3 --out /tmp/vae-flex ) 2>&1 | tee $OUT/vae-flex.txt | tail -8
echo "== sensor anomaly detection on wgpu"
( time timeout 150 $B ae detect --device wgpu --data sensors --epochs 20 --out /tmp/detect-wgpu ) 2>&1 | tee $OUT/detect-wgpu.txt | grep -E "AUROC|real"
fi
if [[ " $SECTIONS " == *" gan "* ]]; then
echo "== DCGAN on wgpu: 1 epoch on the embedded MNIST slice"
( time timeout 150 $B gan train --device wgpu --model dcgan --epochs 1 --out /tmp/dcgan-wgpu ) 2>&1 | tee $OUT/dcgan-wgpu.txt | tail -6
cp /tmp/dcgan-wgpu/samples-epoch-1.png $OUT/dcgan-wgpu-samples.png 2>/dev/null
( time timeout 150 $B gan train --device flex --model dcgan --epochs 1 --out /tmp/dcgan-flex ) 2>&1 | tee $OUT/dcgan-flex.txt | tail -6
echo "== pix2pix on wgpu: labels2facade, 3 epochs"
( time timeout 150 $B gan train --device wgpu --model pix2pix --task labels2facade --epochs 3 --out /tmp/p2p-wgpu ) 2>&1 | tee $OUT/pix2pix-wgpu.txt | grep -E "epoch|real"
cp /tmp/p2p-wgpu/held-out-epoch-3.png $OUT/pix2pix-wgpu-held-out.png 2>/dev/null
fi
if [[ " $SECTIONS " == *" finetune "* ]]; then
echo "== fine-tuning on wgpu: base, SFT, reward model, DPO, PPO, RLOO, judge, shortened"
FT=benches/gpu/finetune-smoke.toml; D=/tmp/ft-wgpu
gzip -dc crates/genlab-data/assets/shakespeare-1mb.txt.gz > /tmp/shakespeare.txt
( time ( set -e
  timeout 150 $B gpt train --device wgpu --config configs/finetune-base.toml --data /tmp/shakespeare.txt \
    --steps 10 --max-tokens 20 --out $D/base
  timeout 150 $B gpt sft --device wgpu --config $FT --base $D/base --out $D/sft --report $OUT/ft-sft.json
  timeout 150 $B gpt reward --device wgpu --config $FT --base $D/sft --out $D/rm --report $OUT/ft-rm.json
  timeout 150 $B gpt dpo --device wgpu --config $FT --base $D/sft --out $D/dpo --report $OUT/ft-dpo.json
  for a in ppo rloo; do
    timeout 150 $B gpt rlhf --device wgpu --config $FT --policy $D/sft --reward $D/rm --algorithm $a --out $D/$a
  done
  timeout 150 $B gpt judge --device wgpu --checkpoint $D/rloo --reference $D/sft --prompts 7 --samples 1
) ) 2>&1 | tee $OUT/finetune-wgpu.txt | grep -E "done:|exact_match|real|rror"
fi
