"""Semi-supervised classification from D (the paper's section 7, item 4): the K+1-class discriminator.

Salimans et al. (2016): D outputs K class logits l_1..l_K and the logit of "fake" is fixed at 0, so
D(x) = P(real | x) = Z / (Z + 1) with Z = sum_k exp(l_k): its real/fake logit is logsumexp(l). D minimises
the cross-entropy on the few labelled images plus the usual GAN loss on unlabelled and generated ones; G
uses feature matching, |E f(x) - E f(G(z))|^2 on D's last hidden layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from torch.nn.functional import cross_entropy, softplus

from advnets.config.schema import RunConfig
from advnets.errors import AdvnetsError
from advnets.game.parallel import unwrap
from advnets.game.phases import Batch, Move, Objective, Stats
from advnets.game.updates import d_loss
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


# (1) D: cross-entropy on a labelled batch, + log D(x) + log(1 - D(G(z))) on an unlabelled and a generated
# one, with D(x) = Z / (Z + 1). D is called through its DDP wrapper (when there is one) in D's move, and
# unwrapped in G's, whose backward pass must not all-reduce D's gradients.


def _sample_for_d(game: Game, previous: Batch | None) -> Batch:
    """An unlabelled minibatch x_u, as many labelled images (x_l, y_l), and G's samples for them (G's graph
    kept: G's move descends through these same samples); no samples for the supervised baseline."""
    variant = game.variant
    assert isinstance(variant, SemisupVariant) and game.labels is not None
    labelled = variant.labelled(game)
    x_u, _, _ = game.next_real_batch()
    pick = labelled[game.randint(len(labelled), x_u.shape[0])]
    fake = game.generator(game.noise(x_u.shape[0]), None) if game.config.semisup.unsupervised else None
    return Batch(x_u, fake, more={"x_l": game.images[pick], "y_l": game.labels[pick]})


def _classify_for_d(game: Game, batch: Batch) -> torch.Tensor:
    """Class logits (3B, K) of [x_l; x_u; G(z)], or (B, K) of x_l alone for the supervised baseline."""
    if batch.fake is None:
        return game.discriminator(batch.more["x_l"], classes=True)
    assert batch.real is not None
    return game.discriminator(torch.cat([batch.more["x_l"], batch.real, batch.fake.detach()]), classes=True)


def _d_loss(game: Game, batch: Batch, class_logits: torch.Tensor) -> tuple[torch.Tensor, Stats]:
    labels = batch.more["y_l"]
    sup_loss = cross_entropy(class_logits[: len(labels)], labels)
    if batch.fake is None:
        zero = torch.zeros((), device=game.device)
        stats = {"sup_loss": sup_loss.detach(), "d_loss": sup_loss.detach(), "g_loss": zero}
        return sup_loss, {**stats, "d_real": zero, "d_fake": zero}
    logits = torch.logsumexp(class_logits[len(labels) :], dim=1)  # (2B,) real/fake logits
    gan_loss, stats = d_loss(game, batch, logits)
    loss = sup_loss + gan_loss
    return loss, {**stats, "d_loss": loss.detach(), "sup_loss": sup_loss.detach()}


# (2) G: feature matching on D's last hidden layer, or the non-saturating loss; D gets no gradient.


def _sample_for_g(game: Game, previous: Batch | None) -> Batch:
    """D's move's samples again (fresh ones from G's second step in an iteration on, game.g_steps > 1); with
    feature matching, the target: the mean feature of x_u."""
    assert previous is not None and previous.real is not None and previous.fake is not None
    after_d = "x_l" in previous.more  # D's batch; otherwise G's own, whose graph its backward pass freed
    fake = previous.fake if after_d else game.generator(game.noise(previous.fake.shape[0]), None)
    batch = Batch(previous.real, fake)
    if game.config.semisup.feature_matching:
        batch.more["target"] = _plain(game).features(previous.real).detach().mean(dim=0)
    return batch


def _classify_for_g(game: Game, batch: Batch) -> torch.Tensor:
    """D's features of G's samples (B, width) with feature matching, else their real/fake logits (B,)."""
    assert batch.fake is not None
    plain = _plain(game)
    return plain.features(batch.fake) if game.config.semisup.feature_matching else plain(batch.fake)


def _g_loss(game: Game, batch: Batch, scores: torch.Tensor) -> tuple[torch.Tensor, Stats]:
    if game.config.semisup.feature_matching:
        loss = (scores.mean(dim=0) - batch.more["target"]).pow(2).mean()
    else:
        loss = softplus(-scores).mean()
    return loss, {"g_loss": loss.detach()}


def _plain(game: Game) -> ClassDiscriminator:
    return unwrap(game.discriminator)  # type: ignore[return-value]


D_MOVE = Move("D", ("d",), _sample_for_d, _classify_for_d, _d_loss, minibatches=1)
G_MOVE = Move("G", ("g",), _sample_for_g, _classify_for_g, _g_loss, own_gradients_only=True)


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

    def objective(self, config: RunConfig) -> Objective:
        """D's move, then G's on D's samples; D alone for the supervised baseline (semisup.unsupervised)."""
        return Objective(D_MOVE, G_MOVE if config.semisup.unsupervised else None)
