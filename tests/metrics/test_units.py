"""Never-active unit counts against a net whose units are forced on or off."""

from __future__ import annotations

import torch
from torch import nn

from advnets.metrics.units import never_active_fraction


def test_counts_units_whose_input_is_never_positive() -> None:
    linear = nn.Linear(2, 4)
    with torch.no_grad():
        linear.weight.zero_()
        linear.bias.copy_(torch.tensor([1.0, -1.0, -2.0, 0.0]))  # on, off, off, exactly 0 (never > 0)
        linear.weight[3, 0] = 1.0  # unit 3 follows x_0: active for some rows
    net = nn.Sequential(linear, nn.ReLU(), nn.Linear(4, 3), nn.LeakyReLU(0.2))
    with torch.no_grad():
        net[2].weight.fill_(-1.0)
        net[2].bias.fill_(-1.0)  # every input to the leaky layer is negative: all 3 never active
    x = torch.tensor([[1.0, 0.0], [-1.0, 0.0]])
    assert never_active_fraction(net, lambda: net(x)) == (2 + 3) / (4 + 3)
    assert not any(m._forward_hooks for m in net.modules())  # hooks removed afterwards
