"""What `advnets encode` and `advnets inpaint` compute for a trained run: scores and a figure."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import torch
from matplotlib.figure import Figure
from torch import nn

from advnets.data import load_dataset
from advnets.data.base import ImageDataset
from advnets.errors import AdvnetsError
from advnets.metrics.classifier import FeatureClassifier, load_or_train_classifier
from advnets.metrics.inference import reconstructions, score
from advnets.metrics.inpainting import complete, inpaint_scores, mean_fill, nearest_fill, spread
from advnets.plots.rows import image_rows, masked_view
from advnets.runs.model import TrainedModel
from advnets.runs.players import TrainedNets, load_nets
from advnets.variants.inference import fit_encoder
from advnets.variants.masks import check_masks, make_masks

UNCONDITIONAL = ("gan", "inference", "bigan")
FIGURE_COLUMNS = 12


@dataclass
class Report:
    """Scores per method, settings and timings (JSON-ready), and the figure."""

    scores: dict[str, dict[str, float]]
    settings: dict[str, Any] = field(default_factory=dict)
    figure: Figure | None = None


def run_dataset(nets: TrainedNets | TrainedModel, data_dir: str | os.PathLike[str] | None) -> ImageDataset:
    """The dataset a run was trained on (from `data_dir` when given), checked against the run's nets."""
    cfg = nets.config.data
    dataset = load_dataset(cfg.name, data_dir or cfg.data_dir, cfg.image_size, cfg.channels)
    if dataset.sample_shape != nets.info.sample_shape:
        raise AdvnetsError(
            f"dataset '{dataset.name}' has shape {dataset.sample_shape} but the run was trained on "
            f"{nets.info.sample_shape}; pass the --data-dir it was trained with"
        )
    return dataset


def _test_subset(dataset: ImageDataset, n: int) -> tuple[torch.Tensor, torch.Tensor | None]:
    test = dataset["test"]
    if n <= 0:
        raise AdvnetsError(f"the number of test images must be positive, not {n}")
    n = min(n, len(test))
    return test.images[:n], None if test.labels is None else test.labels[:n]


def class_judge(
    dataset: ImageDataset,
    cache_dir: str | os.PathLike[str] | None = None,
    epochs: int | None = None,
) -> tuple[FeatureClassifier | None, dict[str, Any]]:
    """The classifier that decides "class kept", and the settings that name it.

    It is the dataset's cached CNN that `advnets score` also uses (trained on the labelled training split on
    first use, for `epochs`, by default about 100,000 examples), so both commands judge with the same net.
    A dataset without labelled images gets none, and the reports leave the column out.
    """
    labelled = dataset["train"].labels is not None and dataset["test"].labels is not None
    if not (labelled and dataset.num_classes and dataset.is_image):
        return None, {"classifier": "none (the dataset has no labelled images)"}
    classifier, info = load_or_train_classifier(dataset, cache_dir, epochs)
    trained = f"{info.epochs} epochs on the {info.dataset} training split"
    return classifier, {
        "classifier": f"CNN (advnets.metrics.classifier), {trained}",
        "classifier_test_accuracy": info.test_accuracy,
        "classifier_path": str(info.path),
    }


def encode_report(
    run_dir: str | os.PathLike[str],
    data_dir: str | os.PathLike[str] | None = None,
    n: int = 1000,
    fit_steps: int = 2000,
    refine_steps: int = 0,
    seed: int = 0,
    refit: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    classifier_epochs: int | None = None,
) -> Report:
    """Reconstruct n test images through x -> z -> G(z) and score them against the baselines.

    The run's own encoder is used when it has one (variants inference, bigan) unless `refit`; otherwise one
    is fitted to the frozen G for `fit_steps` steps (the "after G is frozen" mode). "class kept" is judged
    by `class_judge(dataset, cache_dir, classifier_epochs)`.
    """
    nets = load_nets(run_dir)
    if nets.config.variant not in UNCONDITIONAL:
        raise AdvnetsError(
            f"encode needs an unconditional generator (variants {', '.join(UNCONDITIONAL)}), "
            f"but this run is '{nets.config.variant}'"
        )
    dataset = run_dataset(nets, data_dir)
    images, labels = _test_subset(dataset, n)
    started = time.perf_counter()
    encoder: nn.Module | None = None if refit else nets.players.get("encoder")
    mode = f"trained with the {nets.config.variant} variant"
    if encoder is None:
        encoder = fit_encoder(nets.generator, nets.config, nets.info, fit_steps, seed=seed)
        mode = f"fitted to the frozen G for {fit_steps} steps"
    fit_seconds = time.perf_counter() - started
    cfg = nets.config.generator
    recons = reconstructions(
        nets.generator,
        encoder,
        images,
        dataset["train"].images,
        (cfg.noise_dim, cfg.noise),
        seed,
        refine_steps,
    )
    classifier, judge = class_judge(dataset, cache_dir, classifier_epochs)
    scores = score(recons, images, labels, classifier)
    rows = [images[:FIGURE_COLUMNS]] + [r[:FIGURE_COLUMNS] for r in recons.values()]
    shown = {"encode": "G(E(x))" if not refine_steps else "G(z refined)", "random-z": "G(random z)"}
    names = ["test image"] + [shown.get(name, "nearest train") for name in recons]
    settings = {
        "run": str(run_dir),
        "step": nets.step,
        "test_images": len(images),
        "encoder": mode,
        "refine_steps": refine_steps,
        "encoder_seconds": round(fit_seconds, 1),
        **judge,
    }
    return Report(scores, settings, image_rows(rows, names))


def inpaint_report(
    run_dir: str | os.PathLike[str],
    mask: str,
    data_dir: str | os.PathLike[str] | None = None,
    n: int = 1000,
    samples: int = 5,
    seed: int = 0,
    cache_dir: str | os.PathLike[str] | None = None,
    classifier_epochs: int | None = None,
) -> Report:
    """Complete n masked test images `samples` times; score them against mean-fill and nearest-neighbour.

    "class kept" is judged by `class_judge(dataset, cache_dir, classifier_epochs)`.
    """
    nets = load_nets(run_dir)
    if nets.config.variant != "inpaint":
        raise AdvnetsError(
            f"inpaint needs a run trained with the inpaint variant (e.g. --preset mnist-5k-inpaint), "
            f"but this run is '{nets.config.variant}'"
        )
    check_masks([mask], nets.info.sample_shape)
    if samples <= 0:
        raise AdvnetsError(f"the number of completions per image must be positive, not {samples}")
    dataset = run_dataset(nets, data_dir)
    images, labels = _test_subset(dataset, n)
    opts = nets.config.inpaint
    rng = torch.Generator().manual_seed(seed)
    masks = make_masks(mask, len(images), nets.info.sample_shape, rng, opts.pixel_fraction, opts.box_fraction)
    cfg = nets.config.generator
    completions = complete(nets.generator, images, masks, (cfg.noise_dim, cfg.noise), samples, seed)
    train = dataset["train"]
    fills = {
        "GAN (one completion)": completions[0],
        f"GAN (mean of {samples})": torch.where(masks > 0.5, completions.mean(dim=0), images),
        "mean fill": mean_fill(images, masks, train.images.mean(dim=0)),
        "nearest neighbour": nearest_fill(images, masks, train.images),
    }
    classifier, judge = class_judge(dataset, cache_dir, classifier_epochs)
    scores = inpaint_scores(fills, images, masks, labels, classifier)
    scores["GAN (one completion)"]["spread"] = spread(completions, masks)
    k = FIGURE_COLUMNS
    rows = [images[:k], masked_view(images[:k], masks[:k]), *[c[:k] for c in completions[:4]]]
    rows += [fills["mean fill"][:k], fills["nearest neighbour"][:k]]
    names = ["original", "masked", *[f"GAN {i + 1}" for i in range(min(samples, 4))], "mean fill", "nearest"]
    settings = {"run": str(run_dir), "step": nets.step, "mask": mask, "test_images": len(images), **judge}
    return Report(scores, settings, image_rows(rows, names, f"mask: {mask}"))
