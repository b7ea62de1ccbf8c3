"""Semi-supervised classification from D (the paper's section 7, item 4): the K+1-class discriminator.

Salimans et al. (2016): D outputs K class logits l_1..l_K and the logit of "fake" is fixed at 0, so
D(x) = P(real | x) = Z / (Z + 1) with Z = sum_k exp(l_k): its real/fake logit is logsumexp(l). D minimises
the cross-entropy on the few labelled images plus the usual GAN loss on unlabelled and generated ones; G
uses feature matching, |E f(x) - E f(G(z))|^2 on D's last hidden layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from torch.nn.functional import cross_entropy, softplus

from advnets.config.schema import RunConfig
from advnets.errors import AdvnetsError
from advnets.game.losses import discriminator_loss
from advnets.game.parallel import unwrap
from advnets.game.updates import Stats
from advnets.nets.blocks import init_uniform
from advnets.nets.mlp import MLPDiscriminator
from advnets.variants.base import DataInfo, Variant

if TYPE_CHECKING:
    from advnets.game.loop import Game


class ClassDiscriminator(MLPDiscriminator):
    """The paper's D with K outputs: class logits (B, K); forward gives the real/fake logit (B,)."""

    def __init__(self, num_classes: int, init_range: float, **kwargs: Any) -> None:
        super().__init__(init_range=init_range, **kwargs)
        self.out = nn.Linear(self.out.in_features, num_classes)
        init_uniform(self.out, init_range)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """D's last hidden layer (B, width): what feature matching and a linear probe use."""
        return self.hidden(x.reshape(x.shape[0], -1))

    def class_logits(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.features(x))

    def forward(self, x: torch.Tensor, c: torch.Tensor | None = None, classes: bool = False) -> torch.Tensor:
        """The real/fake logit, or with `classes` the K class logits: one entry point, so that under
        torchrun every D call of D's step goes through the DDP wrapper and all-reduces D's gradients."""
        logits = self.class_logits(x)
        return logits if classes else torch.logsumexp(logits, dim=1)


def balanced_subset(labels: torch.Tensor, n: int, num_classes: int, seed: int) -> torch.Tensor:
    """Indices of n examples, n / K from each class, chosen by `seed`; n = 0 means every example."""
    if n == 0:
        return torch.arange(len(labels))
    if n % num_classes or n > len(labels):
        raise AdvnetsError(
            f"{n} labels cannot be balanced over {num_classes} classes of {len(labels)} training images; "
            f"use a multiple of {num_classes} up to {len(labels)}, or 0 for all"
        )
    per_class = n // num_classes
    generator = torch.Generator().manual_seed(seed)
    chosen = []
    for k in range(num_classes):
        members = (labels == k).nonzero().squeeze(1)
        if len(members) < per_class:
            raise AdvnetsError(
                f"class {k} has only {len(members)} training images, fewer than the {per_class} per class "
                f"that {n} labels need; ask for at most {num_classes * len(members)} labels"
            )
        chosen.append(members[torch.randperm(len(members), generator=generator)[:per_class]])
    return torch.cat(chosen).sort().values


def semisup_update(game: Game) -> Stats:
    """One step: D on a labelled batch (+ an unlabelled and a generated one), then G by feature matching."""
    variant, cfg = game.variant, game.config.semisup
    assert isinstance(variant, SemisupVariant) and game.labels is not None
    labelled = variant.labelled(game)
    x_u, _, _ = game.next_real_batch()
    batch = x_u.shape[0]
    pick = labelled[game.randint(len(labelled), batch)]
    x_l, y_l = game.images[pick], game.labels[pick]
    # D is called through its DDP wrapper (when there is one) in D's step, and unwrapped in G's step, whose
    # backward must not all-reduce D's gradients.
    plain: ClassDiscriminator = unwrap(game.discriminator)  # type: ignore[assignment]
    if not cfg.unsupervised:
        sup_loss = cross_entropy(game.discriminator(x_l, classes=True), y_l)
        game.opt_d.zero_grad(set_to_none=True)
        sup_loss.backward()
        game.opt_d.step()
        zero = torch.zeros((), device=game.device)
        stats = {"sup_loss": sup_loss.detach(), "d_loss": sup_loss.detach()}
        return {**stats, "g_loss": zero, "d_real": zero, "d_fake": zero}
    # (1) D: cross-entropy on the labels, + log D(x) + log(1 - D(G(z))) with D(x) = Z / (Z + 1).
    z = game.noise(batch)
    fake = game.generator(z, None)
    class_logits = game.discriminator(torch.cat([x_l, x_u, fake.detach()]), classes=True)
    sup_loss = cross_entropy(class_logits[:batch], y_l)
    logits = torch.logsumexp(class_logits[batch:], dim=1)  # (2B,) real/fake logits
    d_loss = sup_loss + discriminator_loss(logits[:batch], logits[batch:])
    game.opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    game.opt_d.step()
    # (2) G: feature matching on D's last hidden layer, or the non-saturating loss; D gets no gradient.
    if cfg.feature_matching:
        target = plain.features(x_u).detach().mean(dim=0)
        g_loss = (plain.features(fake).mean(dim=0) - target).pow(2).mean()
    else:
        g_loss = softplus(-plain(fake)).mean()
    game.opt_g.zero_grad(set_to_none=True)
    g_loss.backward(inputs=list(game.generator.parameters()))
    game.opt_g.step()
    return {
        "sup_loss": sup_loss.detach(),
        "d_loss": d_loss.detach(),
        "g_loss": g_loss.detach(),
        "d_real": torch.sigmoid(logits[:batch].detach()).mean(),
        "d_fake": torch.sigmoid(logits[batch:].detach()).mean(),
    }


class SemisupVariant(Variant):
    """An unconditional G; a K-output D trained on `semisup.labels` labels and on all the images."""

    name = "semisup"

    def __init__(self) -> None:
        self._labelled: torch.Tensor | None = None

    def build_discriminator(self, config: RunConfig, info: DataInfo) -> nn.Module:
        if info.num_classes is None:
            raise AdvnetsError(f"the semisup variant needs labels, but dataset '{info.name}' has none")
        cfg = config.discriminator
        return ClassDiscriminator(
            num_classes=info.num_classes,
            sample_shape=info.sample_shape,
            hidden=list(cfg.hidden),
            activation=cfg.activation,
            pieces=cfg.pieces,
            input_keep=cfg.input_keep,
            hidden_keep=cfg.hidden_keep,
            init_range=cfg.init_range,
            leaky_slope=cfg.leaky_slope,
        )

    def labelled(self, game: Game) -> torch.Tensor:
        """The indices of the training images whose labels D may see (fixed by semisup.label_seed)."""
        if self._labelled is None:
            assert game.labels is not None and game.info.num_classes is not None
            cfg = game.config.semisup
            index = balanced_subset(game.labels.cpu(), cfg.labels, game.info.num_classes, cfg.label_seed)
            self._labelled = index.to(game.device)
        return self._labelled

    def update_rule(self, config: RunConfig) -> Callable[[Game], Stats]:
        return semisup_update
