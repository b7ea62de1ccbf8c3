"""A trained run on the page: sample grids with a seed, walk between two z, and the run's logged curves.

Everything goes through the public loading API (advnets.load -> TrainedModel.sample), so the lab shows
exactly what `advnets sample` would produce. Images travel as base64 PNGs.
"""

from __future__ import annotations

import base64
import io
import math
import threading
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

import advnets
from advnets.errors import AdvnetsError
from advnets.game.noise import sample_noise
from advnets.plots.grid import tile
from advnets.runs.model import TrainedModel
from advnets.runs.rundir import RunDir, read_metrics

MAX_SAMPLES = 400
METRIC_POINTS = 400


def png_base64(pixels: np.ndarray, scale: int) -> str:
    """A uint8 (H, W[, 3]) array as a base64 PNG, enlarged `scale` times with sharp pixels."""
    picture = Image.fromarray(pixels)
    picture = picture.resize((picture.width * scale, picture.height * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _scale_for(height: int, target: int = 320) -> int:
    return max(1, min(8, target // max(height, 1)))


def slerp(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    """Spherical interpolation between rows of a and b (n, d); falls back to linear for parallel vectors."""
    na, nb = a / a.norm(dim=1, keepdim=True), b / b.norm(dim=1, keepdim=True)
    omega = torch.acos((na * nb).sum(1).clamp(-1.0, 1.0))[:, None]  # (n, 1) angle between them
    sin = torch.sin(omega)
    safe = sin.abs() > 1e-6
    spherical = (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.where(safe, sin, 1.0)
    return torch.where(safe, spherical, (1 - t) * a + t * b)


def _decimate(rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    if len(rows) <= limit:
        return rows
    stride = math.ceil(len(rows) / limit)
    return rows[::stride] + ([rows[-1]] if (len(rows) - 1) % stride else [])


class RunView:
    """The one trained run the page has open (the lab is a single-user local tool)."""

    def __init__(self) -> None:
        self.model: TrainedModel | None = None
        self.path: Path | None = None
        self.lock = threading.Lock()

    def open(self, path: str) -> dict[str, Any]:
        if not path or not path.strip():
            raise AdvnetsError("no run directory given; type the path of a run that `advnets train` wrote")
        run_dir = Path(path.strip()).expanduser()
        model = advnets.load(run_dir)  # raises AdvnetsError for a missing dir or one without checkpoints
        with self.lock:
            self.model, self.path = model, run_dir
        return self.describe()

    def _model(self) -> TrainedModel:
        if self.model is None:
            raise AdvnetsError("no run is open; enter a run directory and press Open")
        return self.model

    def describe(self) -> dict[str, Any]:
        model = self._model()
        metrics = read_metrics(RunDir(self.path or Path()).metrics_file)
        # Rows logged at whole epochs form the table; any columns other tools add to them show up too.
        epochs = [row for row in metrics if float(row.get("epoch", 0.5)).is_integer()]
        return {
            "path": str(self.path),
            "checkpoint": model.checkpoint.name,
            "step": model.step,
            "dataset": model.info.name,
            "sample_shape": list(model.info.sample_shape),
            "is_image": len(model.info.sample_shape) == 3,
            "variant": model.variant.name,
            "noise_dim": model.config.generator.noise_dim,
            # Controls the page shows only where the run supports them.
            "conditional": bool(model.variant.conditional),
            "num_classes": model.info.num_classes,
            "inpainting": bool(getattr(model.variant, "supports_inpainting", False)),
            "metrics": _decimate(metrics, METRIC_POINTS),
            "last_epochs": epochs[-10:],
        }

    def _labels(self, label: int | None, n: int) -> torch.Tensor | None:
        model = self._model()
        if label is None or not model.variant.conditional:
            return None
        classes = model.info.num_classes or 0
        if not 0 <= label < classes:
            raise AdvnetsError(f"label {label} is outside this run's classes 0..{classes - 1}")
        return torch.full((n,), int(label), dtype=torch.long)

    def _picture(self, samples: torch.Tensor, columns: int | None = None, height: int = 320) -> str:
        """A PNG of the samples about `height` pixels tall (a plot for toy runs, whose samples are points)."""
        model = self._model()
        if len(model.info.sample_shape) != 3:
            return _points_png(samples)
        pixels = tile(samples, columns)
        return png_base64(pixels, _scale_for(pixels.shape[0], height))

    def sample(self, n: int, seed: int, label: int | None = None) -> dict[str, Any]:
        if not 1 <= n <= MAX_SAMPLES:
            raise AdvnetsError(f"number of samples must be between 1 and {MAX_SAMPLES}, not {n}")
        with self.lock:
            model = self._model()
            samples = model.sample(n, seed=seed, labels=self._labels(label, n))
            return {"png": self._picture(samples), "n": n, "seed": seed}

    def _z(self, seed: int) -> torch.Tensor:
        cfg = self._model().config.generator
        return sample_noise(1, cfg.noise_dim, cfg.noise, "cpu", torch.Generator().manual_seed(seed))

    def interpolate(
        self,
        seed_a: int,
        seed_b: int,
        t: float,
        mode: str = "linear",
        label: int | None = None,
        frames: int = 9,
    ) -> dict[str, Any]:
        """G at z(t) between the z of two seeds, plus a strip of `frames` evenly spaced points."""
        if mode not in ("linear", "spherical"):
            raise AdvnetsError(f"interpolation must be 'linear' or 'spherical', not '{mode}'")
        if not 0.0 <= t <= 1.0:
            raise AdvnetsError(f"interpolation position t must be in [0, 1], not {t}")
        with self.lock:
            model = self._model()
            a, b = self._z(seed_a), self._z(seed_b)
            ts = [*np.linspace(0.0, 1.0, frames).tolist(), t]
            mix = slerp if mode == "spherical" else (lambda u, v, s: (1 - s) * u + s * v)
            z = torch.cat([mix(a, b, float(s)) for s in ts])  # (frames + 1, noise_dim)
            samples = model.sample(len(ts), z=z, labels=self._labels(label, len(ts)))
            return {
                "strip": self._picture(samples[:-1], columns=frames, height=60),
                "current": self._picture(samples[-1:], height=128),
            }


def _points_png(samples: torch.Tensor) -> str:
    """A toy run's samples (n, d) drawn as a histogram (1-D) or a scatter plot (2-D)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3.2, 3.2), dpi=100)
    axes = figure.add_subplot()
    points = samples.reshape(len(samples), -1).numpy()
    if points.shape[1] == 1:
        axes.hist(points[:, 0], bins=30, color="#c0392b")
    else:
        axes.scatter(points[:, 0], points[:, 1], s=4, color="#c0392b")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")
