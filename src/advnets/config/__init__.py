"""The configuration at the bottom of the package: typed settings, named presets, and how they are filled.

Everything in advnets imports from here; this package imports nothing of advnets but its error type, so a
setting is read the same way by the nets, the game, the variants, the runs and the commands.
"""

from __future__ import annotations

from advnets.config.overrides import (
    parse_assignments,
    resolve_config,
    setting,
    settings,
    validate,
    validate_saved,
)
from advnets.config.presets import PRESETS
from advnets.config.schema import (
    DataConfig,
    DiscriminatorConfig,
    GameConfig,
    GeneratorConfig,
    InferenceConfig,
    InpaintConfig,
    OptimConfig,
    RunConfig,
    SemisupConfig,
    TrainConfig,
)

__all__ = [
    "PRESETS",
    "DataConfig",
    "DiscriminatorConfig",
    "GameConfig",
    "GeneratorConfig",
    "InferenceConfig",
    "InpaintConfig",
    "OptimConfig",
    "RunConfig",
    "SemisupConfig",
    "TrainConfig",
    "parse_assignments",
    "resolve_config",
    "setting",
    "settings",
    "validate",
    "validate_saved",
]
