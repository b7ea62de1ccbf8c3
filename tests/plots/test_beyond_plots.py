"""The figures of encode, inpaint and semisup: pure functions returning matplotlib figures."""

from __future__ import annotations

import torch
from matplotlib.figure import Figure

from advnets.plots.rows import image_rows, masked_view
from advnets.plots.semisup import error_vs_labels


def test_image_rows_draws_one_labelled_row_per_tensor() -> None:
    rows = [torch.rand(5, 1, 8, 8) for _ in range(3)]
    figure = image_rows(rows, ["a", "b", "c"], title="t")
    assert isinstance(figure, Figure)
    assert [axis.get_ylabel() for axis in figure.axes] == ["a", "b", "c"]


def test_masked_view_greys_out_hidden_pixels_only() -> None:
    images, masks = torch.zeros(1, 1, 2, 2), torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]]])
    shown = masked_view(images, masks)
    assert shown[0, 0, 0, 0] == 0.5 and shown[0, 0, 1, 1] == 0.0


def test_error_vs_labels_puts_all_labels_at_the_right() -> None:
    figure = error_vs_labels({"m": {100: [20.0, 22.0], 0: [2.0, 2.5, 3.0]}})
    axis = figure.axes[0]
    labels = [tick.get_text() for tick in axis.get_xticklabels()]
    assert labels[-1] == "all" and "100" in labels
