"""What `advnets encode` and `advnets inpaint` compute for a trained run of any variant: scores and a figure.

Both go through the one loader (`advnets.load`), so G is asked under its own condition: each test image's
class for a conditional run, every pixel hidden for an inpainting G asked for whole images.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import torch
from matplotlib.figure import Figure
from torch import nn

import advnets
from advnets.data.base import ImageDataset
from advnets.errors import AdvnetsError
from advnets.metrics.classifier import FeatureClassifier
from advnets.metrics.inference import reconstructions, score
from advnets.metrics.inpainting import (
    complete,
    inpaint_scores,
    mean_fill,
    nearest_fill,
    search_completions,
    spread,
)
from advnets.plots.rows import image_rows, masked_view
from advnets.reporting.cache import load_or_train_classifier
from advnets.reporting.evaluate import load_run_dataset
from advnets.runs.model import TrainedModel
from advnets.variants.inference import fit_encoder
from advnets.variants.masks import check_masks, make_masks

FIGURE_COLUMNS = 12


@dataclass
class Report:
    """Scores per method, settings and timings (JSON-ready), and the figure."""

    scores: dict[str, dict[str, float]]
    settings: dict[str, Any] = field(default_factory=dict)
    figure: Figure | None = None


def run_dataset(model: TrainedModel, data_dir: str | os.PathLike[str] | None) -> ImageDataset:
    """The dataset a run was trained on (from `data_dir` when given), checked against the run's nets."""
    dataset = load_run_dataset(model.config, data_dir)
    if dataset.sample_shape != model.info.sample_shape:
        raise AdvnetsError(
            f"dataset '{dataset.name}' has shape {dataset.sample_shape} but the run was trained on "
            f"{model.info.sample_shape}; pass the --data-dir it was trained with"
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


def _figure(rows: list[torch.Tensor], names: list[str], title: str = "") -> Figure | None:
    """The report's rows of images; none for a run whose samples are points, not images."""
    return image_rows(rows, names, title) if rows[0].dim() == 4 else None


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
    is fitted to the frozen G for `fit_steps` steps (the "after G is frozen" mode), on G's samples under the
    conditions it was trained with (a conditional G: the classes in turn). A conditional G decodes each
    test image's z under that image's class. "class kept" is judged by
    `class_judge(dataset, cache_dir, classifier_epochs)`.
    """
    model = advnets.load(run_dir)
    dataset = run_dataset(model, data_dir)
    images, labels = _test_subset(dataset, n)
    started = time.perf_counter()
    encoder: nn.Module | None = None if refit else model.players.get("encoder")
    mode = f"trained with the {model.variant.name} variant"
    if encoder is None:
        batch_condition = model.condition(None, model.config.game.batch_size)
        encoder = fit_encoder(
            model.generator, model.config, model.info, fit_steps, seed=seed, condition=batch_condition
        )
        mode = f"fitted to the frozen G for {fit_steps} steps"
    fit_seconds = time.perf_counter() - started
    cfg = model.config.generator
    recons = reconstructions(
        model.generator,
        encoder,
        images,
        dataset["train"].images,
        (cfg.noise_dim, cfg.noise),
        seed,
        refine_steps,
        model.condition(labels, len(images)),  # a conditional G: each test image's own class
    )
    classifier, judge = class_judge(dataset, cache_dir, classifier_epochs)
    scores = score(recons, images, labels, classifier)
    rows = [images[:FIGURE_COLUMNS]] + [r[:FIGURE_COLUMNS] for r in recons.values()]
    shown = {"encode": "G(E(x))" if not refine_steps else "G(z refined)", "random-z": "G(random z)"}
    names = ["test image"] + [shown.get(name, "nearest train") for name in recons]
    settings = {
        "run": str(run_dir),
        "variant": model.variant.name,
        "step": model.step,
        "test_images": len(images),
        "encoder": mode,
        "decoder": "G(z, the test image's class)" if model.variant.conditional else "G(z)",
        "refine_steps": refine_steps,
        "encoder_seconds": round(fit_seconds, 1),
        **judge,
    }
    return Report(scores, settings, _figure(rows, names))


def _completions(
    model: TrainedModel,
    images: torch.Tensor,
    masks: torch.Tensor,
    labels: torch.Tensor | None,
    samples: int,
    seed: int,
    search_steps: int,
) -> tuple[torch.Tensor, str]:
    """`samples` completions of each image (k, N, ...): an inpaint G's own, or a search in z for other G."""
    cfg = model.config.generator
    if model.variant.supports_inpainting:
        noise = (cfg.noise_dim, cfg.noise)
        return complete(model.generator, images, masks, noise, samples, seed), "the inpaint variant's G"
    starts = model.noise(samples * len(images), seed).reshape(samples, len(images), -1)
    condition = model.condition(labels, len(images))  # a conditional G: each test image's own class
    found = search_completions(model.generator, images, masks, starts, search_steps, condition)
    given = ", G given each test image's class" if model.variant.conditional else ""
    return found, f"z searched by {search_steps} Adam steps on the visible pixels{given}"


def inpaint_report(
    run_dir: str | os.PathLike[str],
    mask: str,
    data_dir: str | os.PathLike[str] | None = None,
    n: int = 1000,
    samples: int = 5,
    seed: int = 0,
    cache_dir: str | os.PathLike[str] | None = None,
    classifier_epochs: int | None = None,
    search_steps: int = 200,
) -> Report:
    """Complete n masked test images `samples` times; score them against mean-fill and nearest-neighbour.

    A run of the inpaint variant completes them with its own G; a G trained without masks completes them
    by a search in z from `samples` random starts, `search_steps` steps each (`search_completions`).
    "class kept" is judged by `class_judge(dataset, cache_dir, classifier_epochs)`.
    """
    model = advnets.load(run_dir)
    check_masks([mask], model.info.sample_shape)
    if samples <= 0:
        raise AdvnetsError(f"the number of completions per image must be positive, not {samples}")
    if search_steps < 0:
        raise AdvnetsError(f"the number of search steps cannot be negative, not {search_steps}")
    dataset = run_dataset(model, data_dir)
    images, labels = _test_subset(dataset, n)
    opts = model.config.inpaint
    rng = torch.Generator().manual_seed(seed)
    masks = make_masks(
        mask, len(images), model.info.sample_shape, rng, opts.pixel_fraction, opts.box_fraction
    )
    completions, completer = _completions(model, images, masks, labels, samples, seed, search_steps)
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
    settings = {
        "run": str(run_dir),
        "variant": model.variant.name,
        "step": model.step,
        "mask": mask,
        "test_images": len(images),
        "completions": completer,
        **judge,
    }
    return Report(scores, settings, image_rows(rows, names, f"mask: {mask}"))
