"""Peak resident memory of training commands, and whether it stays flat across epochs. Prints JSON.

Each command runs as its own process (`advnets train ... --run-dir TEMP`); its resident set size is read
every 0.2 s and tagged with the epoch its metrics.jsonl has reached. "growth" is the RSS in the last epoch
minus the largest RSS seen up to the first tenth of the epochs: a leak shows there, the warm-up does not.
The peak covers the whole command, its final scores included.

    python bench/memory.py [--data-dir PATH/TO/MNIST] [--runs quickstart,paper,digits]

quickstart: the README's main command (mnist-5k-quickstart, all 60 epochs unless --quickstart-epochs);
paper: the mnist-mlp preset on full MNIST (needs --data-dir; --paper-epochs, default 2);
digits: digits-mlp for 50 epochs (8x8 digits, seconds per epoch): the flatness check.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil


def last_epoch(metrics: Path) -> float:
    """The epoch of metrics.jsonl's last complete line (0 before the first)."""
    try:
        lines = metrics.read_text().splitlines()
    except OSError:
        return 0.0
    for line in reversed(lines):
        try:
            return float(json.loads(line)["epoch"])
        except (ValueError, KeyError):
            continue
    return 0.0


def measure(name: str, args: list[str], epochs: int, threads: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as scratch:
        run_dir = Path(scratch) / "run"
        command = [sys.executable, "-m", "advnets", "train", *args, "--set", f"train.epochs={epochs}"]
        command += ["--run-dir", str(run_dir), "--set", f"train.threads={threads}"]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        watched = psutil.Process(process.pid)
        trace: list[tuple[float, float]] = []  # (epoch, RSS MB)
        while process.poll() is None:
            try:
                rss = watched.memory_info().rss / 1e6
            except psutil.Error:
                break
            trace.append((last_epoch(run_dir / "metrics.jsonl"), rss))
            time.sleep(0.2)
        _, errors = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"{name}: `{' '.join(command)}` failed: {errors.strip().splitlines()[-1:]}")
    early = [rss for epoch, rss in trace if epoch <= max(epochs / 10, 1)] or [trace[0][1]]
    # The last reading while it still trained: after the last epoch come the final scores and the exit.
    training = [rss for epoch, rss in trace if epoch < epochs] or [trace[0][1]]
    by_epoch = {}
    for epoch, rss in trace:
        by_epoch[int(epoch)] = round(rss, 1)
    return {
        "command": " ".join(["advnets", "train", *args, "--set", f"train.epochs={epochs}"]),
        "epochs": epochs,
        "wall_s": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(max(rss for _, rss in trace), 1),
        "rss_mb_after_early_epochs": round(max(early), 1),
        "rss_mb_in_last_epoch": round(training[-1], 1),
        "growth_mb": round(training[-1] - max(early), 1),
        "rss_mb_by_epoch": by_epoch,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="the MNIST IDX files, for the paper preset")
    parser.add_argument("--runs", default="quickstart,paper,digits")
    parser.add_argument("--quickstart-epochs", type=int, default=60)
    parser.add_argument("--paper-epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    runs = {
        "quickstart": (["--preset", "mnist-5k-quickstart"], args.quickstart_epochs),
        "paper": (["--preset", "mnist-mlp", "--data-dir", str(args.data_dir)], args.paper_epochs),
        "digits": (["--preset", "digits-mlp"], 50),
    }
    result: dict[str, object] = {"threads": args.threads}
    for name in args.runs.split(","):
        if name == "paper" and not args.data_dir:
            result[name] = "skipped: needs --data-dir with the MNIST IDX files"
            continue
        preset_args, epochs = runs[name]
        result[name] = measure(name, preset_args, epochs, args.threads)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
