"""Figure 1 for a 1-D toy run directory: frames from its initial state and its saved checkpoints."""

from __future__ import annotations

from pathlib import Path

import advnets
from advnets.data import load_dataset
from advnets.data.toy import TOYS
from advnets.files import save_animation, save_figure
from advnets.metrics.toygame import ToyFrame, toy_frame
from advnets.plots.toy import jsd_figure, toy_animation, toy_figure
from advnets.runs.checkpoint import list_checkpoints
from advnets.runs.rundir import RESULTS_HINT, RunDir
from advnets.runs.training import build_game


def run_frames(run_dir: Path) -> list[ToyFrame]:
    """The run's initial state (rebuilt from its config and seed) and every saved checkpoint."""
    run = RunDir(run_dir)
    config = run.load_config()
    density = TOYS[config.data.name]
    game = build_game(config, load_dataset(config.data.name))
    noise = config.generator.noise
    judge = game.variant.judge_of_x(game.discriminator, game.players)
    frames = [toy_frame(game.generator, judge, density, 0, noise)]
    for checkpoint in list_checkpoints(run.checkpoints_dir):
        model = advnets.load(run_dir, checkpoint)
        judge = model.variant.judge_of_x(model.discriminator, model.players)
        frames.append(toy_frame(model.generator, judge, density, model.step, noise))
    return frames


def write_toy_figures(run_dir: Path, out: Path) -> list[Path]:
    frames = run_frames(run_dir)
    picks = sorted({0, len(frames) // 3, (2 * len(frames)) // 3, len(frames) - 1})
    panels, gif, jsd = out / "fig1_panels.png", out / "fig1.gif", out / "jsd.png"
    save_figure(toy_figure([frames[i] for i in picks]), panels, RESULTS_HINT)
    save_animation(toy_animation(frames), gif, elsewhere=RESULTS_HINT)
    save_figure(jsd_figure([f.step for f in frames], [f.jsd for f in frames]), jsd, RESULTS_HINT)
    return [panels, gif, jsd]
