"""The MLP discriminator never drops the label: dropout acts on pixels only."""

from __future__ import annotations

import torch

from advnets.nets.mlp import MLPDiscriminator, MLPGenerator


def test_label_is_not_dropped_but_pixels_are() -> None:
    torch.manual_seed(0)
    d = MLPDiscriminator(
        (1, 4, 4), [8], activation="relu", input_keep=0.5, hidden_keep=1.0, cond_dim=3
    ).train()
    seen = {}
    d.hidden[1].register_forward_hook(lambda m, args, out: seen.update(input=args[0]))
    d(torch.ones(64, 1, 4, 4), torch.ones(64, 3))
    pixels, label = seen["input"][:, :16], seen["input"][:, 16:]
    assert (pixels == 0).any()  # dropout is on for the image
    assert torch.equal(label, torch.ones(64, 3))  # and never touches the one-hot label


def test_mlp_label_changes_both_nets() -> None:
    torch.manual_seed(0)
    g = MLPGenerator(4, (1, 4, 4), [16], cond_dim=2, init_range=0.5)
    d = MLPDiscriminator((1, 4, 4), [8], pieces=2, cond_dim=2, init_range=0.5).eval()
    z = torch.randn(3, 4)
    a, b = torch.eye(2)[[0, 0, 0]], torch.eye(2)[[1, 1, 1]]
    assert not torch.allclose(g(z, a), g(z, b))
    assert not torch.allclose(d(g(z, a), a), d(g(z, a), b))
