"""Sample quality in a classifier's feature space: FID, KID, precision / recall, class consistency.

Parzen windows are weak in high dimensions; these compare sets of features instead. The statistics come from
torchmetrics (FID in float64 with its eigenvalue matrix square root; KID over random subsets), fed features
directly through an identity extractor. Precision and recall (Kynkäänniemi et al. 2019) are not in
torchmetrics, so they are computed here from exact k-nearest-neighbour radii (float64, chunked).

FID and KID depend on the number of samples and on the reference set: callers must report both.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch
from torch import nn

from advnets.metrics.classifier import FeatureClassifier, apply_batched, predict


class Precomputed(nn.Module):
    """The identity, sized for torchmetrics: lets its metrics take features instead of images."""

    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.num_features = num_features

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return features


def frechet_distance(real: torch.Tensor, fake: torch.Tensor) -> float:
    """||mu_r - mu_f||^2 + Tr(S_r + S_f - 2 (S_r S_f)^1/2) of features (N, d) and (M, d), in float64."""
    from torchmetrics.image.fid import FrechetInceptionDistance

    metric = FrechetInceptionDistance(feature=Precomputed(real.shape[1]))
    metric.update(real.double(), real=True)
    metric.update(fake.double(), real=False)
    return float(metric.compute())


def kernel_distance(
    real: torch.Tensor, fake: torch.Tensor, subsets: int = 100, subset_size: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """KID: unbiased MMD^2 with the cubic kernel (x.y / d + 1)^3, mean and std over random subsets.

    Subsets hold min(subset_size, N, M) rows each, drawn with `seed` (the global RNG is left untouched).
    """
    from torchmetrics.image.kid import KernelInceptionDistance

    size = min(subset_size, real.shape[0], fake.shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "saves all features in a buffer": intended here
        metric = KernelInceptionDistance(
            feature=Precomputed(real.shape[1]), subsets=subsets, subset_size=size
        )
    metric.update(real.double(), real=True)
    metric.update(fake.double(), real=False)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        mean, std = metric.compute()
    return float(mean), float(std)


def knn_radii(features: torch.Tensor, k: int, chunk: int = 1000) -> torch.Tensor:
    """(N,) distance from each row to its k-th nearest other row (float64)."""
    features = features.double()
    radii = []
    for start in range(0, features.shape[0], chunk):
        distances = torch.cdist(features[start : start + chunk], features)  # (chunk, N)
        radii.append(distances.kthvalue(k + 1, dim=1).values)  # +1: each row is its own nearest (0)
    return torch.cat(radii)


def covered_fraction(
    centres: torch.Tensor, radii: torch.Tensor, queries: torch.Tensor, chunk: int = 1000
) -> float:
    """Fraction of `queries` inside at least one ball (centre_i, radius_i)."""
    centres, queries = centres.double(), queries.double()
    inside = []
    for start in range(0, queries.shape[0], chunk):
        distances = torch.cdist(queries[start : start + chunk], centres)  # (chunk, N)
        inside.append((distances <= radii[None, :]).any(dim=1))
    return float(torch.cat(inside).double().mean())


def precision_recall(real: torch.Tensor, fake: torch.Tensor, k: int = 3) -> tuple[float, float]:
    """Kynkäänniemi et al. (2019): precision = share of fakes inside the real manifold (k-NN balls around
    real features), recall = share of reals inside the fake manifold."""
    precision = covered_fraction(real, knn_radii(real, k), fake)
    recall = covered_fraction(fake, knn_radii(fake, k), real)
    return precision, recall


def class_consistency(classifier: FeatureClassifier, samples: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of samples generated for label y that the classifier assigns to y (chance: 1 / classes)."""
    classifier.eval()
    predicted = apply_batched(classifier, samples).argmax(dim=1)
    return float((predicted == labels).double().mean())


def class_shares(classifier: FeatureClassifier, samples: torch.Tensor) -> list[float]:
    """The fraction of `samples` the classifier puts in each class: a dropped mode shows as a share near 0."""
    counts = torch.bincount(predict(classifier, samples), minlength=int(classifier.head.out_features))
    return (counts.double() / samples.shape[0]).tolist()


def feature_scores(
    samples: torch.Tensor,
    real_reference: torch.Tensor,
    classifier: FeatureClassifier,
    labels: torch.Tensor | None = None,
    *,
    k: int = 3,
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """Every feature-space score of `samples` (N, C, H, W) against `real_reference` (M, C, H, W).

    With `labels` (N,) (the labels the samples were generated for) class consistency is included.
    Returns plain floats and the counts: n_samples, n_reference, k, kid_subsets, kid_subset_size, seed.
    """
    classifier.eval()
    fake = apply_batched(classifier.features, samples)
    real = apply_batched(classifier.features, real_reference)
    kid_mean, kid_std = kernel_distance(real, fake, kid_subsets, kid_subset_size, seed)
    precision, recall = precision_recall(real, fake, k)
    scores: dict[str, Any] = {
        "fid": frechet_distance(real, fake),
        "kid": kid_mean,
        "kid_std": kid_std,
        "precision": precision,
        "recall": recall,
        "n_samples": int(samples.shape[0]),
        "n_reference": int(real_reference.shape[0]),
        "k": k,
        "kid_subsets": kid_subsets,
        "kid_subset_size": min(kid_subset_size, int(samples.shape[0]), int(real_reference.shape[0])),
        "seed": seed,
    }
    if labels is not None:
        scores["class_consistency"] = class_consistency(classifier, samples, labels)
    scores["class_shares"] = class_shares(classifier, samples)
    return scores
