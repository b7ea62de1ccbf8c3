"""Typed configuration: one tree of dataclasses whose defaults are the paper's MNIST setup.

A preset, a YAML/TOML file and `--set key=value` all fill the same tree, validated once (see overrides.py).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import asdict, field
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field
from pydantic.dataclasses import dataclass

STRICT = ConfigDict(extra="forbid", validate_assignment=True)

Positive = Annotated[int, Field(gt=0)]
NonNegative = Annotated[int, Field(ge=0)]
Probability = Annotated[float, Field(gt=0.0, le=1.0)]
PositiveFloat = Annotated[float, Field(gt=0.0)]

DEVICES = "cpu, cuda, cuda:N (N = 0, 1, ...) or auto"
_DEVICE_NAME = re.compile(r"auto|cpu|cuda(:[0-9]+)?")
# More threads than this only queue for the same cores, and far more (10**6) crash torch's thread pool.
MAX_THREADS = 1024


def is_device_name(name: str) -> bool:
    """Whether `name` is a device advnets can run on (whether this machine has it is checked later)."""
    return _DEVICE_NAME.fullmatch(name) is not None


def _device_name(name: str) -> str:
    if not is_device_name(name):
        raise ValueError(f"'{name}' is not a device; use {DEVICES}")
    return name


# The names of advnets.variants.VARIANTS and advnets.data.DATASETS, kept here so that the configuration, at
# the bottom of the package, refuses an unknown name when it is validated (a test holds them equal).
VARIANTS = ("gan", "cgan", "dcgan", "cdcgan", "inference", "bigan", "inpaint", "semisup")
DATASETS = (
    "mnist",
    "mnist-5k",
    "fashion-mnist",
    "cifar10",
    "digits",
    "folder",
    "toy-gaussian-1d",
    "toy-mixture-1d",
    "toy-ring-2d",
)


def _one_of(kind: str, names: tuple[str, ...]) -> Callable[[str], str]:
    def check(name: str) -> str:
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ValueError(f"not a {kind}{hint}; choose one of: {', '.join(names)}")
        return name

    return check


VariantName = Annotated[str, AfterValidator(_one_of("variant", VARIANTS))]
DatasetName = Annotated[str, AfterValidator(_one_of("dataset", DATASETS))]
DeviceName = Annotated[str, AfterValidator(_device_name)]
Threads = Annotated[int, Field(ge=0, le=MAX_THREADS)]
MAX_SEED = 2**32 - 1  # what every generator seeded here (torch, numpy) accepts
Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]


@dataclass(config=STRICT)
class DataConfig:
    name: DatasetName = "mnist"
    data_dir: str | None = None
    image_size: Positive = 28  # the folder dataset resizes to this; MNIST-like sets are zero-padded to it
    channels: Literal[1, 3] = 1


@dataclass(config=STRICT)
class GeneratorConfig:
    # mlp: the paper's MNIST G; dcgan: transposed convolutions (Radford et al.); cifar-fc / cifar-deconv: the
    # paper's CIFAR-10 generators (ReLU then sigmoid hidden layers; the second adds a strided deconvolution).
    kind: Literal["mlp", "dcgan", "cifar-fc", "cifar-deconv"] = "mlp"
    width: Positive = 64  # conv kinds: feature maps of the last hidden stage (DCGAN's ngf)
    noise_dim: Positive = 100
    # The paper's code (goodfeli/adversarial at 600ee5c, 9 June 2014: the date its README gives for
    # reproducing the paper) sets `noise: "uniform"` in mnist.yaml, which Generator.get_noise draws as
    # U(-sqrt 3, sqrt 3): zero mean, unit variance. "gaussian" is N(0, 1), the class default there.
    noise: Literal["gaussian", "uniform"] = "uniform"
    hidden: list[Positive] = field(default_factory=lambda: [1200, 1200])
    activation: Literal["relu", "leaky_relu", "tanh"] = "relu"
    leaky_slope: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.2
    # mlp kind: batch norm between each hidden layer's affine map and its activation (not in the paper; the
    # quickstart uses it, as the most used example collections do).
    batch_norm: bool = False
    output: Literal["sigmoid", "linear"] = "sigmoid"
    init_range: PositiveFloat = 0.05
    output_bias_from_data: bool = True


@dataclass(config=STRICT)
class DiscriminatorConfig:
    # mlp: the paper's maxout D; dcgan: strided convolutions, batch norm, leaky ReLU; cifar-conv: the paper's
    # convolutional maxout D for CIFAR-10.
    kind: Literal["mlp", "dcgan", "cifar-conv"] = "mlp"
    width: Positive = 64  # conv kinds: feature maps of the first stage (DCGAN's ndf)
    hidden: list[Positive] = field(default_factory=lambda: [240, 240])
    activation: Literal["maxout", "relu", "leaky_relu", "tanh"] = "maxout"
    pieces: Positive = 5
    leaky_slope: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.2
    input_keep: Probability = 0.8
    hidden_keep: Probability = 0.5
    init_range: PositiveFloat = 0.005


@dataclass(config=STRICT)
class OptimConfig:
    """Minibatch SGD with momentum and the paper's schedules (Adam for the DCGAN presets)."""

    name: Literal["sgd", "adam"] = "sgd"
    # Optional per-player optimisers; None: `name`. Extra players (an encoder) take `name`.
    name_d: Literal["sgd", "adam"] | None = None
    name_g: Literal["sgd", "adam"] | None = None
    lr: PositiveFloat = 0.1
    # Optional per-player starting rates; None: `lr`. Both follow the same decay and floor.
    lr_d: PositiveFloat | None = None
    lr_g: PositiveFloat | None = None
    lr_decay: Annotated[float, Field(ge=1.0)] = 1.000004  # lr is divided by this after every minibatch
    lr_min: Annotated[float, Field(ge=0.0)] = 1e-6
    momentum_start: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.5
    momentum_end: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.7
    momentum_saturate_epoch: Positive = 250  # momentum rises linearly from epoch 1 to this one
    # pylearn2 (the paper's code): inc <- mu*inc - lr*g, theta <- theta + inc, so each gradient keeps the lr
    # of the step that took it. pytorch: buf <- mu*buf + g, theta <- theta - lr*buf, so the whole velocity
    # is scaled by the current lr. They differ only while lr changes, as it does every step here.
    momentum_rule: Literal["pylearn2", "pytorch"] = "pylearn2"
    betas: tuple[Annotated[float, Field(ge=0.0, lt=1.0)], Annotated[float, Field(ge=0.0, lt=1.0)]] = (
        0.5,
        0.999,
    )


@dataclass(config=STRICT)
class GameConfig:
    # "simultaneous" is what the paper's code ran for MNIST: D's and G's gradients from one minibatch and
    # one shared forward pass. "alternating" is Algorithm 1 as printed: k D steps, then one G step.
    update: Literal["simultaneous", "alternating"] = "simultaneous"
    k: Positive = 1
    # G steps per iteration of the alternating order (not in the paper, whose Algorithm 1 takes one; GAN Lab
    # offers it): each on fresh noise, as many rows as D's last minibatch.
    g_steps: Positive = 1
    # log: the paper's value function (D's cross-entropy; G's loss as generator_loss says). least-squares:
    # LSGAN (Mao et al. 2017) on D's raw output, D to 1 on data and 0 on G's samples, G to 1.
    loss: Literal["log", "least-squares"] = "log"
    generator_loss: Literal["non-saturating", "saturating"] = "non-saturating"  # in the log game
    batch_size: Positive = 100


@dataclass(config=STRICT)
class TrainConfig:
    epochs: Positive = 250
    seed: Seed = 0
    device: DeviceName = "cpu"
    precision: Literal["fp32", "bf16"] = "fp32"  # bf16: autocast matmuls (faster, different numerics)
    threads: Threads = 0  # 0: one per core
    checkpoint_every: NonNegative = 2000  # steps; 0: only at epoch ends and the end
    keep_checkpoints: Positive = 3
    log_every: Positive = 50  # steps between metric rows
    grid_size: Positive = 100  # samples in each epoch's grid
    grid_every: NonNegative = 1  # epochs; 0: never
    progress: bool = True
    # Under torchrun: batch-norm statistics over all ranks instead of per rank, so N processes train as one
    # with the whole batch (PyTorch's SyncBatchNorm on CUDA, advnets' GlobalBatchNorm on CPU).
    sync_batchnorm: bool = False
    # Warn when the epoch grid's mean pairwise distance, having reached this fraction of the data's, falls
    # below it again (0: never).
    collapse_threshold: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.1
    # After the last epoch, score this many samples in advnets' classifier space (FID, recall, the share of
    # each class) against the held-out test split and print them beside the grid (0: don't).
    final_scores: NonNegative = 0


@dataclass(config=STRICT)
class InferenceConfig:
    """The encoder E: x -> z of the `inference` (E fitted to G's samples) and `bigan` variants."""

    hidden: list[Positive] = field(default_factory=lambda: [512, 512])
    weight: PositiveFloat = 1.0  # scale of E's squared error on (G(z), z) pairs in the `inference` variant


@dataclass(config=STRICT)
class InpaintConfig:
    """The masks the `inpaint` variant trains on (one drawn per image) and their sizes."""

    masks: list[str] = field(
        default_factory=lambda: ["pixels", "left-half", "right-half", "top-half", "bottom-half", "box"]
    )
    pixel_fraction: Probability = 0.5  # share of pixels hidden by the "pixels" mask
    box_fraction: Probability = 0.5  # side of the "box" and "center" masks, as a share of the image side


@dataclass(config=STRICT)
class SemisupConfig:
    """The `semisup` variant: a K+1-class D (Salimans et al. 2016) that sees only `labels` labelled images."""

    labels: NonNegative = 100  # labelled training images, balanced across classes; 0: all of them
    label_seed: Seed = 0  # which images are labelled
    unsupervised: bool = True  # False: the label-only baseline (same net and optimiser, no G)
    feature_matching: bool = True  # G matches D's mean features instead of the non-saturating loss


@dataclass(config=STRICT)
class RunConfig:
    preset: str = "mnist-mlp"
    variant: VariantName = "gan"
    data: DataConfig = field(default_factory=DataConfig)
    generator: GeneratorConfig = field(default_factory=GeneratorConfig)
    discriminator: DiscriminatorConfig = field(default_factory=DiscriminatorConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    game: GameConfig = field(default_factory=GameConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    inference: InferenceConfig = field(default_factory=InferenceConfig)
    inpaint: InpaintConfig = field(default_factory=InpaintConfig)
    semisup: SemisupConfig = field(default_factory=SemisupConfig)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
