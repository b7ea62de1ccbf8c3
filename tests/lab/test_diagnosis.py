"""The "what went wrong" checks against numbers worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from advnets.data.toy import GaussianMixture
from advnets.lab.diagnosis import diagnose, mode_masses


def test_mode_masses_count_p_g_near_each_mode() -> None:
    """Two modes at -2 and 2 (std 0.5, so radius 1.5); p_g uniform on [1, 3] (density 1/2) puts all its
    mass within 1.5 of 2 and none within 1.5 of -2."""
    edges = np.linspace(-4.0, 4.0, 801)
    centres = torch.tensor((edges[:-1] + edges[1:]) / 2).reshape(-1, 1)
    cell = 0.01
    p_g = np.where((centres[:, 0].numpy() > 1.0) & (centres[:, 0].numpy() < 3.0), 0.5, 0.0)
    masses = mode_masses(GaussianMixture(((-2.0,), (2.0,)), 0.5), centres, p_g, cell)
    assert masses.tolist() == pytest.approx([0.0, 1.0])


def test_each_problem_is_named_with_its_number() -> None:
    grad = np.full((10, 2), 0.003)  # |grad| = 0.003 * sqrt 2 for every arrow
    found = diagnose("log", "saturating", 0.012, grad, 0.6, np.array([0.5, 0.5, 0.0, 0.01]))
    problems = {p["problem"]: p for p in found["problems"]}
    assert set(problems) == {"d-saturation", "vanishing-gradients", "mode-dropping"}
    assert "mean D(G(z)) = 0.012 < 0.05" in problems["d-saturation"]["text"]
    assert problems["vanishing-gradients"]["value"] == pytest.approx(0.003 * np.sqrt(2))
    assert "0.00424" in problems["vanishing-gradients"]["text"]
    # A fair share is 1/4; a tenth of it 0.025: the modes holding 0 and 0.01 count, not those at 0.5.
    dropping = problems["mode-dropping"]
    assert dropping["value"] == 0.5 and "2 of 4 data modes (50%)" in dropping["text"]
    measured = {"d_fake": 0.012, "mean_grad": pytest.approx(0.00424, rel=1e-2), "modes": 4, "dropped": 2}
    assert found["measured"] == measured


def test_a_healthy_frame_has_no_problem() -> None:
    found = diagnose("log", "non-saturating", 0.48, np.full((10, 2), 0.1), 0.3, np.array([0.4, 0.6]))
    assert found["problems"] == []
    # Small gradients near equilibrium (JSD small) are not a problem; one mode is never "dropped".
    assert diagnose("log", "non-saturating", 0.5, np.zeros((5, 1)), 0.01, np.array([1.0]))["problems"] == []


def test_least_squares_has_no_saturation_and_nan_is_not_a_problem() -> None:
    assert diagnose("least-squares", "least-squares", 0.0, np.ones((3, 2)), 0.6, np.ones(2))["problems"] == []
    found = diagnose("log", "non-saturating", float("nan"), np.full((3, 2), np.nan), 0.6, np.ones(2) / 2)
    assert found["problems"] == [] and found["measured"]["d_fake"] is None
