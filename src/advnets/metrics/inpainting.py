"""Inpainting: completions by an inpaint G or by a search in z, baselines, errors on the hidden pixels."""

from __future__ import annotations

import torch
from torch import nn

from advnets.game.noise import sample_noise
from advnets.metrics.classifier import FeatureClassifier, predict
from advnets.variants.inpaint import inpaint_condition


@torch.no_grad()
def complete(
    generator: nn.Module, images: torch.Tensor, masks: torch.Tensor, noise: tuple[int, str], k: int, seed: int
) -> torch.Tensor:
    """k completions of each image (k, N, C, H, W): fresh z each time, the same mask and visible pixels."""
    generator.eval()
    noise_dim, kind = noise
    rng = torch.Generator().manual_seed(seed)
    c = inpaint_condition(images, masks)
    return torch.stack(
        [generator(sample_noise(len(images), noise_dim, kind, "cpu", rng), c) for _ in range(k)]
    )


def search_completions(
    generator: nn.Module,
    images: torch.Tensor,
    masks: torch.Tensor,
    starts: torch.Tensor,
    steps: int,
    condition: torch.Tensor | None = None,
    lr: float = 0.05,
) -> torch.Tensor:
    """Completions by a G trained without masks (k, N, C, H, W): for each start z (k, N, noise_dim), Adam on
    z against the visible pixels' error sum((1 - m) (G(z, c) - x)^2) (the context loss of Yeh et al. 2017),
    then G's pixels where m = 1 and the given ones elsewhere. G's weights stay fixed."""
    generator.eval()
    shown = 1.0 - masks
    completions = []
    for start in starts:
        z = start.detach().clone().requires_grad_(True)
        optimizer = torch.optim.Adam([z], lr=lr)
        for _ in range(steps):
            loss = (shown * (generator(z, condition) - images)).pow(2).sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward(inputs=[z])
            optimizer.step()
        with torch.no_grad():
            completions.append(torch.where(masks > 0.5, generator(z, condition), images))
    return torch.stack(completions)


def mean_fill(images: torch.Tensor, masks: torch.Tensor, mean_image: torch.Tensor) -> torch.Tensor:
    """Hidden pixels replaced by the training set's mean image."""
    return torch.where(masks > 0.5, mean_image.expand_as(images), images)


def nearest_fill(
    images: torch.Tensor, masks: torch.Tensor, bank: torch.Tensor, chunk: int = 2000
) -> torch.Tensor:
    """Hidden pixels copied from the training image closest on the visible pixels of each image."""
    x, shown = images.flatten(1), 1.0 - masks.flatten(1)  # (N, D)
    flat_bank = bank.flatten(1)
    best = torch.full((len(x),), float("inf"))
    pick = torch.zeros(len(x), dtype=torch.long)
    for start in range(0, len(flat_bank), chunk):
        b = flat_bank[start : start + chunk]  # (M, D)
        # sum_visible (x - b)^2 = sum(shown x^2) - 2 (shown x) . b + shown . b^2
        dist = (shown * x * x).sum(1, keepdim=True) - 2 * (shown * x) @ b.T + shown @ (b * b).T
        value, index = dist.min(dim=1)
        better = value < best
        best[better], pick[better] = value[better], index[better] + start
    return torch.where(masks > 0.5, bank[pick], images)


def hidden_mse(completed: torch.Tensor, images: torch.Tensor, masks: torch.Tensor) -> float:
    """Mean squared error over the hidden pixels alone."""
    return float((masks * (completed - images) ** 2).sum() / masks.sum().clamp_min(1))


def inpaint_scores(
    fills: dict[str, torch.Tensor],
    images: torch.Tensor,
    masks: torch.Tensor,
    labels: torch.Tensor | None,
    classifier: FeatureClassifier | None,
) -> dict[str, dict[str, float]]:
    """Per method: hidden-pixel MSE and (with a classifier) the share (%) of completions keeping the class."""
    rows: dict[str, dict[str, float]] = {}
    for name, filled in fills.items():
        row = {"hidden_mse": hidden_mse(filled, images, masks)}
        if classifier is not None and labels is not None:
            row["class_kept"] = 100.0 * float((predict(classifier, filled) == labels).float().mean())
        rows[name] = row
    return rows


def spread(completions: torch.Tensor, masks: torch.Tensor) -> float:
    """Mean over hidden pixels of the standard deviation across completions (k, N, ...): 0 = one answer."""
    return float((completions.std(dim=0) * masks).sum() / masks.sum().clamp_min(1))
