"""advnets: Generative Adversarial Nets (Goodfellow et al., 2014), faithful, fast on a CPU, and beyond.

>>> import advnets
>>> model = advnets.load("runs/mnist-5k-mlp")   # a trained run directory
>>> images = model.sample(16)                   # (16, 1, 28, 28) in [0, 1]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from advnets.runs.model import TrainedModel


def load(run_dir: Any, checkpoint: Any = None, device: str = "cpu") -> TrainedModel:
    """A trained run from its directory (its latest checkpoint, or the one named): G, D and any extra
    players, with G as a sampler under the run's own prior and condition (`TrainedModel.sample`)."""
    from advnets.runs.model import TrainedModel

    return TrainedModel.load(run_dir, checkpoint, device)


__all__ = ["__version__", "load"]
