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
echo "== gpt train on wgpu"
( time timeout 200 $B gpt train --device wgpu --steps 300 --batch-size 64 --out /tmp/run-wgpu \
    --prompt "ROMEO:" --max-tokens 120 --report $OUT/report-wgpu.json ) 2>&1 | tee $OUT/train-wgpu.txt | tail -25
echo "== flex on this machine's CPU, same run, for scale"
( time timeout 200 $B gpt train --device flex --steps 300 --batch-size 64 --out /tmp/run-flex \
    --prompt "ROMEO:" --max-tokens 120 --report $OUT/report-flex.json ) 2>&1 | tail -8
