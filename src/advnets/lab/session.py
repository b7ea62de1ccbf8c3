"""The live toy game: the engine's Game stepped in a background thread, publishing frames for the page.

One lock guards the game: the worker thread holds it while it steps and draws a frame, and a request that
steps or rebuilds the game waits for it. Frames are JSON strings with a version number; readers wait on a
condition for a newer version, so the stream never blocks training.
"""

from __future__ import annotations

import json
import math
import threading
import time
from typing import Any

import torch

from advnets.errors import AdvnetsError
from advnets.game.phases import Phase
from advnets.lab.frames import Tabulation, make_frame
from advnets.lab.settings import merge_settings, to_config
from advnets.lab.substeps import SubStepper, explain
from advnets.lab.targets import make_target
from advnets.runs.training import build_game

# Iterations per frame while playing; "fast" steps until its time budget per frame is spent.
SPEEDS = {"slow": 1, "normal": 10, "fast": 0}
FRAME_SECONDS = {"slow": 0.25, "normal": 0.1, "fast": 0.2}
HISTORY_LIMIT = 600
ACTIONS = ("play", "pause", "iteration", "d_update", "g_update", "substep")


class LabSession:
    """One toy game shown to the page: settings, the Game, its history of numbers, and the latest frame."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition()
        self.version = 0
        self.frame_json = "{}"
        self.running = False
        self.speed = "normal"
        self.message: dict[str, str] | None = None
        self.settings: dict[str, Any] = {}
        self.history: dict[str, list[float]] = {}
        self.stats: dict[str, float] = {}
        self._closed = threading.Event()
        self._wake = threading.Event()
        self._worker = threading.Thread(target=self._run, name="advnets-lab-game", daemon=True)

    # --- building -----------------------------------------------------------------------------------------
    def configure(self, given: dict[str, Any]) -> None:
        """Build a new game from the page's settings; on a bad setting the current game keeps running."""
        settings = merge_settings(given)
        target = make_target(settings["data"], given.get("points"), settings["seed"])
        config = to_config(settings, target.dim)
        with self.lock:  # build_game seeds torch's global RNG: the worker must not draw from it meanwhile
            game = build_game(config, target.dataset)
            noise = config.generator
            tab = Tabulation.build(target, noise.noise, settings["seed"], noise.noise_dim)
            self.running = False
            self.settings = {**settings, "points": given.get("points") or []}
            self.game, self.target, self.tab = game, target, tab
            self.stepper = SubStepper(game)
            self.history = {key: [] for key in ("step", "d_loss", "g_loss", "jsd", "d_real", "d_fake")}
            self.stats = {}
            self.message = None
            self._publish(record=True)

    def start(self) -> None:
        if not self._worker.is_alive():
            self._worker.start()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        self._closed.set()
        self._wake.set()
        with self.changed:
            self.changed.notify_all()

    # --- commands from the page -------------------------------------------------------------------------
    def command(self, action: str, speed: str | None = None) -> None:
        if action not in ACTIONS:
            raise AdvnetsError(f"unknown action '{action}'; choose one of: {', '.join(ACTIONS)}")
        if speed is not None:
            if speed not in SPEEDS:
                raise AdvnetsError(f"unknown speed '{speed}'; choose one of: {', '.join(SPEEDS)}")
            self.speed = speed
        with self.lock:
            if action in ("play", "pause"):
                self.running = action == "play"
                self.message = None
                self._wake.set()
                self._publish(record=False)
                return
            if action != "iteration":
                self._check_manual(action)  # a refused step leaves a playing game playing
            self.running = False
            if action == "iteration":
                self._iteration()
            else:
                phase = self.stepper.substep() if action == "substep" else self.stepper.update()
                self._after_phase(phase)
            self._publish(record=True)

    def _check_manual(self, action: str) -> None:
        if self.game.config.game.update != "alternating":
            raise AdvnetsError(
                "single D/G updates and sub-steps follow Algorithm 1: choose update order 'alternating' "
                "(the simultaneous update moves both players at once)"
            )
        wanted = {"d_update": "D", "g_update": "G"}.get(action)
        game = self.game.config.game
        if wanted is not None and wanted != self.next_player:
            raise AdvnetsError(
                f"Algorithm 1 updates {self.next_player} next (k = {game.k} D updates, then {game.g_steps} "
                f"G update{'s' if game.g_steps > 1 else ''}): press 'Step {self.next_player}'"
            )

    def _after_phase(self, phase: Phase) -> None:
        if phase.stats is not None:
            self.stats = {key: float(value) for key, value in phase.stats.items()}
        elif phase.loss is not None:
            self.stats = {**self.stats, f"{phase.player.lower()}_loss": float(phase.loss)}

    def _iteration(self) -> None:
        if self.stepper.mid_iteration:
            phase = self.stepper.finish_iteration()
            if phase is not None:
                self._after_phase(phase)
            return
        self.stats = {key: float(value) for key, value in self.game.step().items()}
        self.stepper.current = None

    @property
    def next_player(self) -> str:
        """Who moves next in Algorithm 1: 'D' until k D updates are done in this iteration, then 'G' (for
        game.g_steps G updates: a G update in mid-iteration is followed by another)."""
        phase = self.stepper.current
        if phase is None or not self.stepper.mid_iteration:
            return "D"
        if phase.player == "G" or phase.stage != "step":
            return phase.player
        return "G" if phase.update + 1 >= self.game.config.game.k else "D"

    # --- the background worker --------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._closed.is_set():
            if not self.running:
                self._wake.wait(0.5)
                self._wake.clear()
                continue
            started = time.monotonic()
            budget = FRAME_SECONDS[self.speed]
            with self.lock:
                if self.running:
                    self._play_tick(started, budget)
            time.sleep(max(budget - (time.monotonic() - started), 0.005))

    def _play_tick(self, started: float, budget: float) -> None:
        count = SPEEDS[self.speed]
        done = 0
        try:
            while (done < count) if count else (time.monotonic() - started < 0.75 * budget or done == 0):
                self._iteration()
                done += 1
            if not all(math.isfinite(v) for v in self.stats.values()):
                self.running = False
                self.message = {
                    "level": "error",
                    "text": "the losses became NaN or infinite: training "
                    "diverged. Lower the learning rate and press Apply",
                }
        except Exception as error:  # a crash in a step must not kill the worker; show it and pause
            self.running = False
            self.message = {"level": "error", "text": f"training stopped: {error}"}
        self._publish(record=True)

    # --- frames -------------------------------------------------------------------------------------------
    def _record(self, jsd: float) -> None:
        row = {"step": float(self.game.step_count), "jsd": jsd, **self.stats}
        for key, values in self.history.items():
            values.append(float(row.get(key, math.nan)))
        if len(self.history["step"]) > HISTORY_LIMIT:  # keep every other point: the chart keeps its span
            for key in self.history:
                self.history[key] = self.history[key][::2]

    def _publish(self, record: bool) -> None:
        frame = make_frame(self.game, self.tab)
        if record:
            self._record(frame["jsd"])
        for key in ("jsd", "value", "c_of_g"):
            frame[key] = _finite(frame[key])
        frame.update(self._status(self.stepper.current))
        text = json.dumps(frame, allow_nan=False, default=_finite)
        with self.changed:
            self.version += 1
            self.frame_json = text
            self.changed.notify_all()

    def _status(self, phase: Phase | None) -> dict[str, Any]:
        status: dict[str, Any] = {
            "step": self.game.step_count,
            "epoch": self.game.epoch,
            "running": self.running,
            "speed": self.speed,
            "next_player": self.next_player,
            "moves": [move.player for move in self.game.moves],  # one iteration, in the engine's order
            "alternating": self.game.config.game.update == "alternating",
            "loss": self.game.config.game.loss,  # the engine's: "log" or "least-squares"
            "noise": {"dim": self.game.config.generator.noise_dim, "kind": self.game.config.generator.noise},
            "stats": {k: _finite(v) for k, v in self.stats.items()},
            "optimizers": {
                "D": _optimizer_state(self.game.opt_d),
                "G": _optimizer_state(self.game.opt_g),
            },
            "history": {k: [_finite(v) for v in vs] for k, vs in self.history.items()},
            "settings": self.settings,
            "message": self.message,
            "phase": None,
        }
        if phase is not None:
            status["phase"] = {
                "player": phase.player,
                "stage": phase.stage,
                "update": phase.update,
                "explanation": explain(phase, self.game.config.game.loss),
                "loss": None if phase.loss is None else float(phase.loss),
                "batch_real": [] if phase.real is None else phase.real[:100].tolist(),
                "batch_fake": [] if phase.fake is None else phase.fake[:100].tolist(),
            }
        return status

    def wait_frame(self, after: int, timeout: float) -> tuple[int, str | None]:
        """(version, frame JSON) once a frame newer than `after` exists, or (version, None) on timeout."""
        with self.changed:
            self.changed.wait_for(lambda: self.version > after or self._closed.is_set(), timeout)
            if self.version > after:
                return self.version, self.frame_json
            return self.version, None


def _optimizer_state(optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """What the engine's optimiser for one player is and the learning rate it last stepped with."""
    return {"name": type(optimizer).__name__.lower(), "lr": optimizer.param_groups[0]["lr"]}


def _finite(value: Any) -> Any:
    """JSON has no NaN: send null instead."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
