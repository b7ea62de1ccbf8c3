"""Feature-space rows for `advnets eval --features`: FID, KID, precision and recall beside Parzen.

Each source (G's samples, training images, k-means centroids) is scored against the test split in the
feature space of the dataset's cached classifier (advnets.reporting.cache); the training-images column
is the reference row the issue asks for. Opt-in, since the first use trains the classifier.
"""

from __future__ import annotations

from typing import Any

from advnets.metrics.features import feature_scores
from advnets.reporting.cache import load_or_train_classifier
from advnets.reporting.evaluate import EvalContext, MetricFn, MetricRow

ROWS = {
    "fid": ("Fréchet distance (classifier features)", False),
    "kid": ("kernel distance KID (classifier features)", False),
    "precision": ("precision (k-NN manifold, k = 3)", True),
    "recall": ("recall (k-NN manifold, k = 3)", True),
}


def feature_metrics() -> dict[str, MetricFn]:
    """One MetricFn per row; the scores are computed once per evaluation and shared by the rows."""
    cache: dict[int, dict[str, dict[str, Any]]] = {}

    def scores(context: EvalContext) -> dict[str, dict[str, Any]]:
        if id(context) not in cache:
            classifier, info = load_or_train_classifier(context.dataset)
            reference = context.dataset["test"].images
            cache[id(context)] = {
                source: {
                    **feature_scores(samples, reference, classifier, seed=context.options.sample_seed),
                    "classifier_test_accuracy": info.test_accuracy,
                }
                for source, samples in context.samples.items()
            }
        return cache[id(context)]

    def row(key: str) -> MetricFn:
        title, higher = ROWS[key]

        def metric(context: EvalContext) -> MetricRow:
            by_source = scores(context)
            result = MetricRow(
                title, {s: float(v[key]) for s, v in by_source.items()}, higher_is_better=higher
            )
            if key == "kid":
                result.errors = {s: float(v["kid_std"]) for s, v in by_source.items()}
            result.details = {
                s: {k: v for k, v in d.items() if not isinstance(v, float) or k.endswith("accuracy")}
                for s, d in by_source.items()
            }
            return result

        return metric

    return {key: row(key) for key in ROWS}
