"""What went wrong, named while it happens, each with the number that shows it: D saturation, vanishing G
gradients and mode dropping (issue 19: a panel GAN Lab lacks).

Every check reads what the frame itself shows: D on the frame's fixed G samples, the gradient arrows it
draws, and p_g's tabulation on the theory grid. Thresholds are the constants below.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from scipy.spatial import cKDTree

from advnets.data.toy import GaussianMixture

# D saturation (the log game): D calls G's samples fake with confidence, the regime in which the saturating G
# loss log(1 - D(G(z))) gives G almost no gradient (the paper's section 3).
SATURATED_D = 0.05
# Vanishing G gradients: the frame's arrows average under this |grad| (a quarter of a pixel at the arrows'
# scale of 25 pixels per unit) while p_g is still this far from p_data.
VANISHING_GRAD = 0.01
FAR_JSD = 0.05
# Mode dropping: a data mode (a Gaussian of p_data) whose surroundings, within this many of its standard
# deviations, hold less than this share of its fair share (1 / modes) of p_g's mass.
MODE_RADIUS_STDS = 3.0
DROPPED_SHARE = 0.1


def mode_masses(density: GaussianMixture, centres: torch.Tensor, p_g: np.ndarray, cell: float) -> np.ndarray:
    """(modes,) p_g's probability within MODE_RADIUS_STDS standard deviations of each mode's mean.

    centres: (cells, dim) the theory grid; p_g: (cells,) its density there; cell: a cell's length or area.
    """
    # A k-d tree: a drawing has up to 2,000 modes, and each ball holds a few dozen of the 10,000 cells.
    balls = cKDTree(centres.double().numpy()).query_ball_point(
        np.asarray(density.means, dtype=np.float64), MODE_RADIUS_STDS * density.std
    )
    mass = p_g * cell
    return np.array([mass[ball].sum() for ball in balls])


def diagnose(
    loss: str, g_loss: str, d_fake: float, grad: np.ndarray, jsd: float, masses: np.ndarray
) -> dict[str, Any]:
    """{"measured": the three numbers, "problems": [{"problem", "title", "value", "text"}, ...]}.

    loss: game.loss; g_loss: G's loss by name; d_fake: mean D(G(z)) on the frame's G samples (eval-mode D);
    grad: (n, dim) the arrows' gradients; jsd: JSD(p_data || p_g); masses: (modes,) from `mode_masses`.
    D saturation is a state of the log game only: under least squares D(G(z)) near 0 is D's target, and
    G's squared loss keeps its gradient there.
    """
    found: list[dict[str, Any]] = []
    if loss == "log" and d_fake < SATURATED_D:
        effect = (
            "the saturating G loss gets almost no gradient here (try the non-saturating loss, fewer D steps "
            "or a lower D learning rate)"
            if g_loss == "saturating"
            else "the non-saturating G loss still gets a gradient here; the saturating one would not"
        )
        found.append(
            {
                "problem": "d-saturation",
                "title": "D saturation",
                "value": d_fake,
                "text": f"mean D(G(z)) = {d_fake:.3g} < {SATURATED_D}: D rejects G's samples with "
                f"confidence; {effect}",
            }
        )
    mean_grad = float(np.linalg.norm(grad, axis=1).mean()) if len(grad) else 0.0
    if mean_grad < VANISHING_GRAD and jsd > FAR_JSD:
        found.append(
            {
                "problem": "vanishing-gradients",
                "title": "Vanishing G gradients",
                "value": mean_grad,
                "text": f"mean |grad| of G's arrows = {mean_grad:.3g} < {VANISHING_GRAD} while JSD = "
                f"{jsd:.3f}: G is barely pushed although p_g is still far from p_data",
            }
        )
    modes = len(masses)
    dropped = int((masses < DROPPED_SHARE / modes).sum()) if modes >= 2 else 0
    if dropped:
        found.append(
            {
                "problem": "mode-dropping",
                "title": "Mode dropping",
                "value": dropped / modes,
                "text": f"{dropped} of {modes} data modes ({dropped / modes:.0%}) get no G mass (under "
                f"{DROPPED_SHARE:.0%} of a fair 1/{modes} share within {MODE_RADIUS_STDS:g} std of the mode)",
            }
        )
    # JSON has no NaN (a diverged game): None instead; a NaN never counts as a problem above.
    finite = {"d_fake": d_fake, "mean_grad": mean_grad}
    measured = {k: v if math.isfinite(v) else None for k, v in finite.items()}
    measured.update(modes=modes, dropped=dropped)
    return {"measured": measured, "problems": found}
