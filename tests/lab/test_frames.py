"""The lab's theory numbers against closed forms: a linear G pushes N(0, 1) to N(b, a^2) exactly."""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy import integrate, stats

from advnets.lab.frames import Tabulation, make_frame, theory
from advnets.lab.settings import merge_settings, to_config
from advnets.lab.targets import make_target
from advnets.runs.training import build_game


class Linear(torch.nn.Module):
    def __init__(self, scale: float, shift: float) -> None:
        super().__init__()
        self.scale, self.shift = scale, shift

    def forward(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        return self.scale * z + self.shift


def _exact_jsd(p, q, low: float, high: float) -> float:
    def term(x: float) -> float:
        a, b = p.pdf(x), q.pdf(x)
        m = 0.5 * (a + b)
        return 0.5 * (a * math.log(a / m) if a > 0 else 0.0) + 0.5 * (b * math.log(b / m) if b > 0 else 0.0)

    return integrate.quad(term, low, high, points=[p.mean(), q.mean()], limit=200)[0]


def test_jsd_and_optimal_d_match_closed_form_in_1d() -> None:
    target = make_target("toy-gaussian-1d")  # N(4, 0.5^2)
    game = build_game(to_config(merge_settings({"data": target.name, "batch": 50}), 1), target.dataset)
    game.generator = Linear(0.8, 3.0)
    tab = Tabulation.build(target, "gaussian")
    numbers = theory(game, tab)
    p_data, p_g = stats.norm(4.0, 0.5), stats.norm(3.0, 0.8)
    # Both distributions lie well inside the window, so normalising over it changes nothing that matters.
    assert abs(numbers["jsd"] - _exact_jsd(p_data, p_g, target.low, target.high)) < 2e-3
    x = tab.centres[:, 0].double().numpy()
    inside = (x > 2.0) & (x < 5.5)
    expected_d_star = p_data.pdf(x) / (p_data.pdf(x) + p_g.pdf(x))
    assert np.abs(numbers["d_star"][inside] - expected_d_star[inside]).max() < 0.02
    assert abs(numbers["c_of_g"] - (2 * numbers["jsd"] - math.log(4))) < 1e-12


def test_jsd_is_zero_when_g_matches_data() -> None:
    target = make_target("toy-gaussian-1d")
    game = build_game(to_config(merge_settings({"data": target.name, "batch": 50}), 1), target.dataset)
    game.generator = Linear(0.5, 4.0)
    assert theory(game, Tabulation.build(target, "gaussian"))["jsd"] < 1e-3


def test_2d_frame_heat_map_is_d_on_the_grid() -> None:
    target = make_target("toy-ring-2d")
    game = build_game(to_config(merge_settings({"batch": 50, "g_width": 8, "d_width": 8}), 2), target.dataset)
    tab = Tabulation.build(target, "gaussian")
    frame = make_frame(game, tab)
    n = frame["heat"]["n"]
    heat = np.array(frame["heat"]["d"]).reshape(n, n)
    # Cell (ix, iy) of the heat map averages D over a 2x2 block of the theory grid around its centre.
    edges = np.linspace(target.low, target.high, n + 1)
    cx, cy = (edges[10] + edges[11]) / 2, (edges[30] + edges[31]) / 2
    with torch.no_grad():
        near = torch.sigmoid(game.discriminator(torch.tensor([[cx, cy]], dtype=torch.float32)))
    assert abs(heat[10, 30] - float(near)) < 0.01
    assert len(frame["fake"]) == len(frame["grad"]) and len(frame["warp"]) == 18
    assert 0.0 <= frame["jsd"] <= math.log(2) + 1e-9


def test_the_drawn_d_star_is_undefined_far_from_both_densities_and_smooth_near_them() -> None:
    """G = N(3, 0.8^2) against p_data = N(4, 0.5^2): exact D* is 1 in every empty cell of G's histogram,
    far from both densities too (the solid green the page used to draw); the drawn D* is undefined (None)
    there, and where both densities are present it agrees with the closed form p/(p + q) to 0.05."""
    target = make_target("toy-gaussian-1d")
    game = build_game(to_config(merge_settings({"data": target.name, "batch": 50}), 1), target.dataset)
    game.generator = Linear(0.8, 3.0)
    tab = Tabulation.build(target, "gaussian")
    exact = theory(game, tab)["d_star"]
    x_grid = tab.centres[:, 0].double().numpy()
    far = np.abs(x_grid - 3.5) > 4.5
    assert far.any() and (exact[far] > 0.99).any()  # what the exact D* says out there
    curves = make_frame(game, tab)["curves"]
    x, shown = np.array(curves["x"]), curves["d_star"]
    assert all(v is None for v, xi in zip(shown, x, strict=True) if abs(xi - 3.5) > 4.5)
    p, q = stats.norm(4, 0.5).pdf(x), stats.norm(3, 0.8).pdf(x)
    both = (p > 0.05) & (q > 0.05)
    assert both.sum() > 10
    closed_form = p / (p + q)
    drawn = np.array([v for v, keep in zip(shown, both, strict=True) if keep], dtype=float)
    assert np.abs(drawn - closed_form[both]).max() < 0.05


def test_least_squares_frames_draw_d_raw_output_and_no_log_value() -> None:
    """Under LSGAN's losses D's raw output is what D says (its optimum is the same D*): the frame draws it
    unsquashed, and V(G, D), the log game's value, is not defined."""
    target = make_target("toy-gaussian-1d")
    settings = merge_settings({"data": target.name, "batch": 50, "loss": "least-squares"})
    game = build_game(to_config(settings, 1), target.dataset)
    assert (game.config.game.loss, game.config.game.generator_loss) == ("least-squares", "non-saturating")
    tab = Tabulation.build(target, "gaussian")
    numbers = theory(game, tab)
    game.discriminator.eval()
    with torch.no_grad():
        raw = game.discriminator(tab.centres).double().numpy()
    np.testing.assert_allclose(numbers["d"], raw, rtol=1e-6)
    assert math.isnan(numbers["value"]) and math.isfinite(numbers["jsd"])


class Sum(torch.nn.Module):
    """x = shift + scale * (z1 + z2) / sqrt 2: N(shift, scale^2) for z ~ N(0, I_2)."""

    def __init__(self, scale: float, shift: float) -> None:
        super().__init__()
        self.scale, self.shift = scale, shift

    def forward(self, z: torch.Tensor, c: torch.Tensor | None = None) -> torch.Tensor:
        return self.shift + self.scale * z.sum(1, keepdim=True) / math.sqrt(2.0)


def test_a_2d_noise_on_1d_data_pushes_forward_exactly() -> None:
    """noise_dim 2 on the 1-D Gaussian: p_g is tabulated from a 2-D z grid, and the JSD of a G that maps
    N(0, I_2) to N(3, 0.8^2) matches the closed form; no Figure 1 lines (they need a 1-D z)."""
    target = make_target("toy-gaussian-1d")
    settings = merge_settings({"data": target.name, "batch": 50, "noise_dim": "2"})
    game = build_game(to_config(settings, 1), target.dataset)
    assert game.config.generator.noise_dim == 2
    game.generator = Sum(0.8, 3.0)
    tab = Tabulation.build(target, "gaussian", noise_dim=2)
    jsd = theory(game, tab)["jsd"]
    assert abs(jsd - _exact_jsd(stats.norm(4.0, 0.5), stats.norm(3.0, 0.8), target.low, target.high)) < 2e-3
    frame = make_frame(game, tab)
    assert frame["mapping"] is None and np.asarray(frame["fake"]).shape == (300, 1)
