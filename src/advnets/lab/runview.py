"""A trained run on the page: sample grids with a seed, walk between two z, inpaint a test image under a
mask the user paints, and the run's logged curves.

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
from advnets.data.base import ImageDataset
from advnets.errors import AdvnetsError
from advnets.metrics.inpainting import complete
from advnets.plots.grid import tile
from advnets.plots.rows import masked_view
from advnets.runs.model import TrainedModel
from advnets.runs.rundir import RunDir, read_metrics
from advnets.variants.masks import MASKS, make_masks

MAX_SAMPLES = 400
METRIC_POINTS = 400
MAX_COMPLETIONS = 16


def png_base64(pixels: np.ndarray, scale: int) -> str:
    """A uint8 (H, W[, 3]) array as a base64 PNG, enlarged `scale` times with sharp pixels."""
    picture = Image.fromarray(pixels)
    picture = picture.resize((picture.width * scale, picture.height * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _scale_for(height: int, target: int = 320) -> int:
    """The whole-pixel enlargement that brings `height` pixels to about `target`: an 8x8 digit drawn alone
    for a 128-pixel box is 16 times its size (with a cap of 8 it was 64 pixels, and 24 in the z-walk)."""
    return max(1, min(32, target // max(height, 1)))


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
        self.data_dir: str | None = None
        self.dataset: ImageDataset | None = None  # loaded on first use: only inpainting needs the data
        self.lock = threading.Lock()

    def open(self, path: str, data_dir: str | None = None) -> dict[str, Any]:
        if not path or not path.strip():
            raise AdvnetsError("no run directory given; type the path of a run that `advnets train` wrote")
        run_dir = Path(path.strip()).expanduser()
        model = advnets.load(run_dir)  # raises AdvnetsError for a missing dir or one without checkpoints
        with self.lock:
            self.model, self.path = model, run_dir
            self.data_dir = data_dir.strip() if data_dir and data_dir.strip() else None
            self.dataset = None
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
            "inpainting": model.variant.supports_inpainting,
            "masks": [name for name in MASKS if name != "all"] if model.variant.supports_inpainting else [],
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
        return self._model().noise(1, seed)

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
                "strip": self._picture(samples[:-1], columns=frames, height=96),
                "current": self._picture(samples[-1:], height=128),
            }

    def _inpaint_model(self) -> TrainedModel:
        model = self._model()
        if not model.variant.supports_inpainting:
            raise AdvnetsError(
                f"this run (variant '{model.variant.name}') cannot inpaint; open a run trained with "
                "--set variant=inpaint (e.g. --preset mnist-5k-inpaint)"
            )
        return model

    def _test_images(self) -> torch.Tensor:
        """The run's test split (N, C, H, W), loaded once per opened run."""
        from advnets.reporting.variant_reports import (
            run_dataset,
        )  # reports pulls in sklearn: only load it when needed

        if self.dataset is None:
            self.dataset = run_dataset(self._inpaint_model(), self.data_dir)
        return self.dataset["test"].images

    def test_image(self, index: int) -> dict[str, Any]:
        """Test image `index` as a PNG at its own size, for the page's painting canvas."""
        with self.lock:
            images = self._test_images()
            index = _test_index(index, len(images))
            pixels = tile(images[index : index + 1], columns=1, padding=0)
            return {"index": index, "count": len(images), "png": png_base64(pixels, 1)}

    def preset_mask(self, name: str) -> dict[str, Any]:
        """One of the training mask family (halves, centre box, ...) as a flat H*W list of 0/1."""
        with self.lock:
            model = self._inpaint_model()
            if name not in MASKS:
                raise AdvnetsError(f"unknown mask '{name}'; choose one of: {', '.join(MASKS)}")
            opts = model.config.inpaint
            rng = torch.Generator().manual_seed(0)
            mask = make_masks(name, 1, model.info.sample_shape, rng, opts.pixel_fraction, opts.box_fraction)
            return {"mask": mask[0, 0].flatten().int().tolist()}

    def inpaint(self, index: int, painted: Any, completions: int, seed: int) -> dict[str, Any]:
        """Fill in the pixels the user painted (1 = hidden) of test image `index`, `completions` times."""
        if not 1 <= completions <= MAX_COMPLETIONS:
            raise AdvnetsError(f"completions must be between 1 and {MAX_COMPLETIONS}, not {completions}")
        with self.lock:
            model = self._inpaint_model()
            images = self._test_images()
            channels, height, width = model.info.sample_shape
            if not isinstance(painted, list) or len(painted) != height * width:
                raise AdvnetsError(
                    f"the mask must list {height * width} pixels ({height}x{width}), not "
                    f"{len(painted) if isinstance(painted, list) else type(painted).__name__}"
                )
            try:
                flat = torch.tensor([float(value) for value in painted])
            except (TypeError, ValueError):
                raise AdvnetsError("the mask must be a list of 0 (shown) and 1 (hidden) values") from None
            if not bool(((flat == 0) | (flat == 1)).all()):
                raise AdvnetsError("the mask must be a list of 0 (shown) and 1 (hidden) values")
            if not bool(flat.any()):
                raise AdvnetsError("no pixels are hidden: paint over the part of the image G should fill in")
            image = images[_test_index(index, len(images))][None]  # (1, C, H, W)
            mask = flat.view(1, 1, height, width).expand(1, channels, height, width).contiguous()
            cfg = model.config.generator
            filled = complete(model.generator, image, mask, (cfg.noise_dim, cfg.noise), completions, seed)
            row = torch.cat([image, masked_view(image, mask), filled[:, 0]])  # original, masked, k fills
            return {
                "png": self._picture(row, columns=len(row), height=140),
                "completions": completions,
                "hidden": int(flat.sum()),
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


def _test_index(index: int, count: int) -> int:
    """`index` itself when the test split has it; never a silent wrap-around to another image."""
    if not 0 <= index < count:
        raise AdvnetsError(
            f"test image {index} does not exist: the test split has {count} images, 0 to {count - 1}"
        )
    return index
