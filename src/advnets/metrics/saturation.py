"""Why the non-saturating G loss: the gradient each G loss sends, as a function of D(G(z)).

With l the logit and D = sigmoid(l): the saturating loss log(1 - D) has |dL/dl| = D, which vanishes
early in training when D rejects G's samples (D(G(z)) ~ 0); the non-saturating -log D has |dL/dl| = 1 - D.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from advnets.game.losses import generator_loss


def logit_gradient(d: np.ndarray, kind: str) -> np.ndarray:
    """|dL/dl| per sample as a function of D(G(z)) in (0, 1), in closed form."""
    return d if kind == "saturating" else 1.0 - d


def _eval_mode(*modules: nn.Module) -> list[bool]:
    modes = [m.training for m in modules]
    for m in modules:
        m.eval()
    return modes


def observed_gradients(
    generator: nn.Module,
    discriminator: nn.Module,
    z: torch.Tensor,
    condition: torch.Tensor | None = None,
    judged: torch.Tensor | None = None,
) -> dict[str, np.ndarray]:
    """D(G(z)) (n,) and, per G loss, the norm of each sample's loss gradient at G(z_i) (n,).

    condition: G's condition (n, ...) for a conditional G; judged: what D sees beside G(z) (n, ...), such
    as the same condition, or z itself for BiGAN's D. D runs in eval mode (no dropout), so the numbers
    describe D itself, not one dropout draw.
    """
    modes = _eval_mode(generator, discriminator)
    with torch.no_grad():
        fake = generator(z, condition)
    result: dict[str, np.ndarray] = {}
    for kind in ("saturating", "non-saturating"):
        point = fake.detach().clone().requires_grad_(True)
        logits = discriminator(point, judged)
        # The loss is a mean of per-sample terms, each depending on its own sample only: scaled by n,
        # its gradient at G(z_i) is sample i's own gradient.
        (grad,) = torch.autograd.grad(generator_loss(logits, kind) * z.shape[0], point)
        result[kind] = grad.reshape(z.shape[0], -1).norm(dim=1).numpy()
        result["d_fake"] = torch.sigmoid(logits.detach()).numpy()
    for module, mode in zip((generator, discriminator), modes, strict=True):
        module.train(mode)
    return result
