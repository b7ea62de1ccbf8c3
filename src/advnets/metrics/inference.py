"""How well x -> z -> G(z) reconstructs test images, against a random z and the nearest training image."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.functional import mse_loss

from advnets.game.noise import sample_noise
from advnets.metrics.classifier import FeatureClassifier, apply_batched, predict


def nearest_rows(queries: torch.Tensor, bank: torch.Tensor, chunk: int = 2000) -> torch.Tensor:
    """For each row of queries (N, D), the index (N,) of the closest row of bank (M, D) in L2."""
    best_dist = torch.full((len(queries),), float("inf"))
    best = torch.zeros(len(queries), dtype=torch.long)
    for start in range(0, len(bank), chunk):
        dist = torch.cdist(queries, bank[start : start + chunk])  # (N, chunk)
        value, index = dist.min(dim=1)
        better = value < best_dist
        best_dist[better], best[better] = value[better], index[better] + start
    return best


def refine_latents(
    generator: nn.Module,
    z: torch.Tensor,
    images: torch.Tensor,
    steps: int,
    lr: float = 0.05,
    condition: torch.Tensor | None = None,
) -> torch.Tensor:
    """z after `steps` Adam steps on |G(z, c) - x|^2, starting from E's guess (G's weights stay fixed)."""
    z = z.detach().clone().requires_grad_(True)
    optimizer = torch.optim.Adam([z], lr=lr)
    for _ in range(steps):
        loss = mse_loss(generator(z, condition), images, reduction="sum")
        optimizer.zero_grad(set_to_none=True)
        loss.backward(inputs=[z])
        optimizer.step()
    return z.detach()


def reconstructions(
    generator: nn.Module,
    encoder: nn.Module,
    images: torch.Tensor,
    train_images: torch.Tensor,
    noise: tuple[int, str],
    seed: int = 0,
    refine_steps: int = 0,
    condition: torch.Tensor | None = None,
) -> dict[str, torch.Tensor]:
    """Each method's reconstruction of images (N, ...): G(E(x)), G(random z), nearest training image.

    condition: G's condition for the N rows (None for an unconditional G), such as each image's own class.
    """
    generator.eval()
    encoder.eval()
    z = apply_batched(encoder, images, 1000)
    if refine_steps:
        z = refine_latents(generator, z, images, refine_steps, condition=condition)
    noise_dim, kind = noise
    random_z = sample_noise(len(images), noise_dim, kind, "cpu", torch.Generator().manual_seed(seed))
    with torch.no_grad():
        encoded = generator(z, condition)
        random = generator(random_z, condition)
    near = nearest_rows(images.flatten(1), train_images.flatten(1))
    return {"encode": encoded, "random-z": random, "nearest-train": train_images[near]}


def score(
    recons: dict[str, torch.Tensor],
    images: torch.Tensor,
    labels: torch.Tensor | None,
    classifier: FeatureClassifier | None,
) -> dict[str, dict[str, float]]:
    """Per method: mean squared pixel error, and (with a classifier) the share (%) whose class is kept."""
    rows: dict[str, dict[str, float]] = {}
    for name, recon in {"original": images, **recons}.items():
        row = {"mse": float(((recon - images) ** 2).mean())}
        if classifier is not None and labels is not None:
            row["class_kept"] = 100.0 * float((predict(classifier, recon) == labels).float().mean())
        rows[name] = row
    return rows
