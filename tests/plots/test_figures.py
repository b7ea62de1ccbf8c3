"""Each figure function returns a figure with the expected panels."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from advnets.files import save_animation
from advnets.metrics.toygame import ToyFrame
from advnets.plots.curves import training_curves
from advnets.plots.interpolation import interpolate, interpolation_figure
from advnets.plots.samples import nearest_neighbour_figure
from advnets.plots.saturation import saturation_figure
from advnets.plots.toy import dstar_figure, jsd_figure, toy_animation, toy_figure


def frame(step: int) -> ToyFrame:
    x = np.linspace(-1, 7, 50)
    p = np.exp(-0.5 * ((x - 4) / 0.5) ** 2) / (0.5 * np.sqrt(2 * np.pi))
    return ToyFrame(step, x, p, p, np.full(50, 0.5), np.linspace(-2, 2, 5), np.linspace(3, 5, 5), 0.0)


def test_nearest_neighbour_figure_has_one_image_with_the_marked_column() -> None:
    figure = nearest_neighbour_figure(torch.rand(12, 1, 8, 8), torch.rand(3, 1, 8, 8), columns=4)
    (ax,) = figure.axes
    assert len(ax.images) == 1 and len(ax.patches) == 1  # the yellow box
    height, width = ax.images[0].get_array().shape[:2]
    assert (height, width) == (3 * 9 + 1, 5 * 9 + 1)  # 4 sample columns + the neighbour column
    with pytest.raises(ValueError):
        nearest_neighbour_figure(torch.rand(11, 1, 8, 8), torch.rand(3, 1, 8, 8), columns=4)


def test_interpolation_endpoints_and_sphere() -> None:
    z0, z1 = torch.randn(100), torch.randn(100)
    for kind in ("linear", "spherical"):
        path = interpolate(z0, z1, 7, kind)
        assert path.shape == (7, 100)
        torch.testing.assert_close(path[0], z0)
        torch.testing.assert_close(path[-1], z1, rtol=1e-5, atol=1e-5)
    # Slerp between equal-norm points stays on their sphere.
    a, b = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    norms = interpolate(a, b, 9, "spherical").norm(dim=1)
    torch.testing.assert_close(norms, torch.ones(9))
    figure = interpolation_figure(
        {"linear": torch.rand(2, 5, 1, 6, 6), "spherical": torch.rand(2, 5, 1, 6, 6)}
    )
    assert len(figure.axes) == 2


def test_training_curves_have_three_panels() -> None:
    rows = [{"epoch": e, "d_loss": 0.6, "g_loss": 0.8, "d_real": 0.6, "d_fake": 0.4} for e in range(5)]
    curve = [{"epoch": 1, "valid_ll": 10.0, "test_ll": 9.0, "test_stderr": 1.0, "sigma": 0.2}]
    for parzen in (None, curve):
        figure = training_curves(rows, parzen)
        assert len(figure.axes) == 3
    assert len(training_curves(rows, curve).axes[0].lines) == 2


def test_saturation_figure_panels() -> None:
    assert len(saturation_figure().axes) == 1
    observed = {
        "d_fake": np.random.rand(20),
        "saturating": np.random.rand(20),
        "non-saturating": np.random.rand(20),
    }
    assert len(saturation_figure(observed, "at step 1").axes) == 2


def test_toy_figures(tmp_path) -> None:  # type: ignore[no-untyped-def]
    frames = [frame(s) for s in (0, 10, 20, 30)]
    assert len(toy_figure(frames).axes) == 4
    assert len(jsd_figure([0, 1], [0.6, 0.1]).axes) == 1
    assert len(dstar_figure(np.zeros(3), np.zeros(3), np.zeros(3), [(0, 0.5), (10, 0.1)]).axes) == 2
    from PIL import Image

    path = save_animation(toy_animation(frames), tmp_path / "a.gif")
    assert Image.open(path).n_frames == 4
