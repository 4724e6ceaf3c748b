#!/usr/bin/env bash
# The prepared GPU check (one command, well inside 10 minutes on one H100). Writes under $OUT.
#   1. installs the carried wheels (scripts/device_wheels.sh made them) into /tmp/site;
#   2. runs `mils bench` at paper shapes with random weights in bf16 (Llama-3.1-8B-shaped
#      generator, SigLIP-SO400M-shaped scorer) on the 8 images mils-image bundles (package data,
#      found by the installed wheel, not this checkout), sampling GPU utilisation;
#   3. forces an out-of-memory error in the scorer (one huge text batch) and checks the
#      back-off halves the batch and finishes;
#   4. runs the gpu-marked tests.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/mils-gpu-out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 MILS_CACHE_DIR=/tmp/mils-cache
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
  || { echo "gpu_bench: installing the carried wheels failed"; exit 1; }
export PYTHONPATH=/tmp/site
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.txt"

nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits -lms 500 > "$OUT/gpu_util.csv" &
SMI=$!
timeout 420 python3 -m mils_core bench --task image-captioning --preset paper --random-weights --iterations 3 \
  --set generator.max_new_tokens=400 --ablate pool-cache,batching \
  --out "$OUT/bench_paper_random.json" 2>&1 | tail -n 30 | tee "$OUT/bench.log"
kill "$SMI" 2>/dev/null
python3 - "$OUT/gpu_util.csv" <<'PY' | tee "$OUT/gpu_busy.txt"
import sys
rows = [line.split(",") for line in open(sys.argv[1]) if line.strip()]
util = [float(r[0]) for r in rows if r[0].strip()]
print(f"GPU busy share during the bench: {sum(u > 0 for u in util) / max(1, len(util)):.2%} of samples; "
      f"mean utilisation {sum(util) / max(1, len(util)):.1f}% over {len(util)} samples")
PY

timeout 120 python3 - <<'PY' 2>&1 | tail -n 5 | tee "$OUT/oom_backoff.txt"
from mils_clip.open_clip_scorer import OpenClipOptions, OpenClipScorer
scorer = OpenClipScorer(OpenClipOptions(model="ViT-SO400M-14-SigLIP", random_weights=True, batch_size=400_000))
texts = [f"a photo of object number {i} on a table" for i in range(400_000)]
emb = scorer.text_embeddings(texts)
b = scorer._text_batcher
print(f"encoded {emb.shape[0]} texts; OOM back-offs: {b.oom_backoffs}; batch size that worked: {b.batch_size}")
assert b.oom_backoffs > 0, "expected the first batch to run out of memory"
PY

timeout 120 python3 -m pytest -q -p no:cacheprovider -m gpu plugins/mils-clip 2>&1 | tail -n 5 | tee "$OUT/gpu_tests.txt"
