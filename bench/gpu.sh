#!/usr/bin/env bash
# One run on a GPU machine, under 10 minutes: the CUDA tests, the paper preset's GPU epoch, and the longest
# Table 1 reproduction the remaining time allows. Everything lands in OUT_DIR: gpu.json (the figures),
# the reproduction's run directory (metrics, Parzen curve, report, checkpoints) and g_final.safetensors.
#
#   bench/gpu.sh OUT_DIR [MNIST_DIR] [REPRODUCE_SECONDS]
#
# MNIST_DIR holds the four MNIST IDX files (default: where advnets looks: $ADVNETS_DATA, then its cache).
# On a machine without CUDA it stops at once with one line saying so.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
  echo "usage: bench/gpu.sh OUT_DIR [MNIST_DIR] [REPRODUCE_SECONDS]" >&2
  exit 2
fi
out=$1
data=${2:-}
budget=${3:-360}
if ! python3 -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" 2>/dev/null; then
  echo "bench/gpu.sh: no CUDA GPU here (torch is missing, a CPU build, or sees no device): run it on a GPU machine with a CUDA build of torch and 'pip install -e .[dev]'" >&2
  exit 3
fi
mkdir -p "$out"
data_args=()
if [ -n "$data" ]; then data_args=(--data-dir "$data"); fi
started=$(date +%s)

# 1. The CUDA tests (skipped on a CPU machine, run here).
python3 -m pytest -q -p no:cacheprovider tests/game/test_cuda.py tests/runs/test_faults.py 2>&1 | tail -3 | tee "$out/cuda_tests.txt"

# 2. The GPU epoch of the paper's preset: two epochs, images per second from the run's own metrics.
advnets train --preset mnist-mlp --device cuda --set train.epochs=2 --set train.progress=false \
  "${data_args[@]}" --run-dir "$out/epoch-run" >"$out/epoch-run.log" 2>&1
python3 - "$out" <<'PY'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
rows = [json.loads(line) for line in (out / "epoch-run" / "metrics.jsonl").read_text().splitlines()]
rates = [row["images_per_s"] for row in rows if row.get("epoch", 0) > 1 and "images_per_s" in row]
rate = sorted(rates)[len(rates) // 2]
result = {"paper_preset_images_per_s": rate, "paper_preset_s_per_50k_epoch": round(50_000 / rate, 2)}
(out / "gpu.json").write_text(json.dumps(result, indent=2) + "\n")
print(json.dumps(result))
PY

# 3. The reproduction, stopped by Ctrl-C (it finishes its step and writes a checkpoint) when time is up.
left=$(( budget - ($(date +%s) - started) ))
if [ "$left" -gt 60 ]; then
  timeout -s INT "$left" advnets reproduce mnist --epochs 2000 --eval-every 10 --set train.device=cuda \
    "${data_args[@]}" --run-dir "$out/reproduce" >"$out/reproduce.log" 2>&1 || true
  python3 - "$out" <<'PY'
import json, sys
from pathlib import Path
from safetensors.torch import save_file
import advnets
out = Path(sys.argv[1])
model = advnets.load(out / "reproduce")
save_file({k: v.half().contiguous() for k, v in model.generator.state_dict().items()}, out / "g_final.safetensors")
result = json.loads((out / "gpu.json").read_text())
rows = [json.loads(line) for line in (out / "reproduce" / "metrics.jsonl").read_text().splitlines()]
result["reproduce_epochs_reached"] = max(row.get("epoch", 0) for row in rows)
(out / "gpu.json").write_text(json.dumps(result, indent=2) + "\n")
print(json.dumps(result))
PY
fi
