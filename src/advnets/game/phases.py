"""Algorithm 1 written once, as a generator of phases that `Game.step()` runs to the end and the lab pauses.

One step (one iteration of Algorithm 1) is a list of moves, one per optimiser update: k moves of D on
fresh minibatches and one move of G, or game.g_steps of them (the alternating order), or one move of both
players from a single pass (the simultaneous order); a variant may add moves of extra players after them.
Every move is the same five sub-steps, and the generator yields a Phase after each:

    sample     draw what the move works on (a real minibatch, noise z, G(z))
    classify   D scores it
    loss       the moving player's loss on those scores
    gradient   backpropagate into the moving nets
    step       their optimisers step

What a variant changes is what a move samples, classifies and descends (an `Objective`), never this loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import torch

if TYPE_CHECKING:
    from advnets.game.loop import Game

Stats = dict[str, torch.Tensor]
STAGES = ("sample", "classify", "loss", "gradient", "step")


@dataclass
class Batch:
    """What one move works on: `real` and `fake` (both (B, *sample_shape)) are what the lab shows; `more`
    holds what a variant's own losses need (labels, z, an encoder's codes)."""

    real: torch.Tensor | None = None
    fake: torch.Tensor | None = None
    c_real: torch.Tensor | None = None
    c_fake: torch.Tensor | None = None
    more: dict[str, torch.Tensor] = field(default_factory=dict)


Sample = Callable[["Game", Batch | None], Batch]  # given the step's previous move's batch (None: first)
Classify = Callable[["Game", Batch], torch.Tensor]
Loss = Callable[["Game", Batch, torch.Tensor], tuple[torch.Tensor, Stats]]  # (loss, detached statistics)
Backward = Callable[["Game", Batch, torch.Tensor, torch.Tensor], None]  # (game, batch, scores, loss)


@dataclass(frozen=True)
class Move:
    """One optimiser update of Algorithm 1: who moves, which nets it steps, and its sub-steps."""

    player: str  # "D", "G", "D+G" (both players from one pass), or an extra player's letter
    nets: tuple[str, ...]  # Game.player names of the nets it steps: "d", "g", "encoder", ...
    sample: Sample
    classify: Classify
    loss: Loss
    minibatches: int = 0  # real minibatches `sample` draws from the data (the unit an epoch counts)
    # True: the backward pass reaches only `nets` (G's loss passes through D, whose gradients stay D's own).
    own_gradients_only: bool = False
    backward: Backward | None = None  # instead of loss.backward(): a pass that serves several players


@dataclass(frozen=True)
class Objective:
    """What a variant supplies to Algorithm 1: its players' moves.

    `d` and `g` are D's and G's moves (`g` None: D alone, as a supervised baseline); `extra` moves follow
    them in every step (an encoder trained on G's samples). `shared` moves both players from one forward
    and backward pass, which only the paper's losses allow; the simultaneous order uses it when present
    and otherwise moves D, then G, on one minibatch.
    """

    d: Move
    g: Move | None
    extra: tuple[Move, ...] = ()
    shared: Move | None = None


@dataclass
class Phase:
    """Where a step stands after one sub-step. Tensors are detached; reading them is the caller's choice
    (the lab reads them, the trainer does not: a read would wait for the device)."""

    player: str  # the Move's player
    stage: str  # one of STAGES
    update: int  # the move's index in the step: 0..k-1 for D's moves, k.. for G's
    real: torch.Tensor | None = None
    fake: torch.Tensor | None = None
    loss: torch.Tensor | None = None  # the move's loss, from its "loss" sub-step on
    stats: Stats | None = None  # the step's statistics, on its last phase only


def move_phases(game: Game, moves: Sequence[Move]) -> Iterator[Phase]:
    """The phases of one step: every move's five sub-steps in turn. The last carries the step's statistics
    (each move's, later moves overwriting: D's are those of its last minibatch)."""
    stats: Stats = {}
    batch: Batch | None = None
    for index, move in enumerate(moves):
        batch = move.sample(game, batch)
        real = None if batch.real is None else batch.real.detach()
        fake = None if batch.fake is None else batch.fake.detach()
        yield Phase(move.player, "sample", index, real, fake)
        scores = move.classify(game, batch)
        yield Phase(move.player, "classify", index, real, fake)
        loss, move_stats = move.loss(game, batch, scores)
        shown = loss.detach()
        yield Phase(move.player, "loss", index, real, fake, shown)
        nets = [game.player(name) for name in move.nets]
        for _, optimizer in nets:
            optimizer.zero_grad(set_to_none=True)
        if move.backward is not None:
            move.backward(game, batch, scores, loss)
        elif move.own_gradients_only:
            loss.backward(inputs=[p for net, _ in nets for p in net.parameters()])
        else:
            loss.backward()
        yield Phase(move.player, "gradient", index, real, fake, shown)
        for _, optimizer in nets:
            optimizer.step()
        stats.update(move_stats)
        last = index == len(moves) - 1
        yield Phase(move.player, "step", index, real, fake, shown, stats if last else None)
