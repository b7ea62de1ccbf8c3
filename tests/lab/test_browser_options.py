"""The game's options that GAN Lab has (issue 19), set on the page and checked in the engine's game."""

from __future__ import annotations

from typing import Any

import pytest

from advnets.lab import LabServer
from tests.lab.test_browser import open_game, wait_for


def set_fields(driver: Any, values: dict[str, str]) -> None:
    for field, value in values.items():
        driver.execute_script(
            f"const f = document.getElementById('{field}'); f.value = '{value}';"
            "f.dispatchEvent(new Event('change'))"
        )


def apply_and_wait(driver: Any, check: str, what: str) -> dict[str, Any]:
    """Press Apply and wait for a fresh frame (step 0) of which `check` (JS on `f`) holds; that frame."""
    driver.find_element("id", "apply").click()
    script = f"const f = lab.game.frame; return Boolean(f && f.step === 0 && ({check}))"
    wait_for(lambda: driver.execute_script(script), 30, what)
    return driver.execute_script("return lab.game.frame")  # type: ignore[no-any-return]


@pytest.mark.slow
def test_each_player_has_its_own_optimiser_and_learning_rate(browser: Any, lab_server: LabServer) -> None:
    """G on SGD at 0.05 and D on Adam at 0.002: the engine's optimisers are those (the frame reads them
    from the game), the table says so after a few iterations, and a reload shows the same fields."""
    driver = open_game(browser, lab_server)
    chosen = {"g_optimizer": "sgd", "g_lr": "0.05", "d_optimizer": "adam", "d_lr": "0.002"}
    set_fields(driver, chosen)
    frame = apply_and_wait(driver, "f.optimizers && f.optimizers.G.name === 'sgd'", "G on SGD")
    assert frame["optimizers"]["G"] == {"name": "sgd", "lr": pytest.approx(0.05)}
    assert frame["optimizers"]["D"] == {"name": "adam", "lr": pytest.approx(0.002)}
    for _ in range(3):
        driver.find_element("id", "step-iter").click()
    wait_for(lambda: driver.execute_script("return lab.game.frame.step >= 3"), what="3 iterations")
    table = driver.find_element("id", "numbers").text
    assert "G's optimiser SGD, lr 0.05" in table and "D's optimiser Adam, lr 0.002" in table, table
    driver.refresh()
    wait_for(lambda: driver.execute_script("return window.lab && lab.game.frames > 0"), what="a reload")
    shown = {f: driver.execute_script(f"return document.getElementById('{f}').value") for f in chosen}
    assert shown == chosen


@pytest.mark.slow
def test_d_steps_and_g_steps_per_iteration(browser: Any, lab_server: LabServer) -> None:
    """k = 2 D steps and 3 G steps: the engine's iteration is D, D, G, G, G; Step G stays the next button
    for three G updates, and only the third completes the iteration. Simultaneous disables both fields."""
    driver = open_game(browser, lab_server)
    set_fields(driver, {"update": "alternating", "k": "2", "g_steps": "3", "batch": "50"})
    frame = apply_and_wait(driver, "f.settings.g_steps === 3", "the game with 3 G steps")
    assert frame["moves"] == ["D", "D", "G", "G", "G"]
    assert "One iteration: D → D → G → G → G" in driver.find_element("id", "phase").text
    long_run = driver.execute_script("return lab.game.iterationText(['D', 'D', 'D', 'D', 'D', 'G'])")
    assert long_run == "D ×5 → G"  # runs of 4 or more are counted
    next_and_step = "return [lab.game.frame.next_player, lab.game.frame.step, lab.game.frames]"
    seen = []
    for button in ("step-d", "step-d", "step-g", "step-g", "step-g"):
        frames = driver.execute_script("return lab.game.frames")
        assert driver.find_element("id", button).is_enabled(), (button, seen)
        driver.find_element("id", button).click()
        newer = f"return lab.game.frames > {frames}"
        wait_for(lambda: driver.execute_script(newer), what=f"{button}'s frame")  # noqa: B023
        seen.append(driver.execute_script(next_and_step)[:2])
    assert seen == [["D", 0], ["G", 0], ["G", 0], ["G", 0], ["D", 1]]
    driver.refresh()
    wait_for(lambda: driver.execute_script("return window.lab && lab.game.frames > 0"), what="a reload")
    assert driver.execute_script("return document.getElementById('g_steps').value") == "3"
    set_fields(driver, {"update": "simultaneous"})
    g_steps = driver.find_element("id", "g_steps")
    assert not g_steps.is_enabled() and g_steps.get_attribute("value") == "1"


@pytest.mark.slow
def test_least_squares_losses(browser: Any, lab_server: LabServer) -> None:
    """LSGAN picked on the page: the engine plays game.loss=least-squares, D's loss sub-step says so, the
    loss chart marks LSGAN's equilibrium 1/4, and D's loss, near it after play, is LSGAN's, not log 2's."""
    driver = open_game(browser, lab_server)
    set_fields(driver, {"data": "toy-gaussian-1d", "loss": "least-squares", "update": "alternating"})
    frame = apply_and_wait(driver, "f.loss === 'least-squares'", "the least-squares game")
    assert frame["settings"]["loss"] == "least-squares" and frame["value"] is None
    assert "least squares" in driver.find_element("id", "legend").text
    assert "LSGAN" in driver.find_element("id", "loss-hint").text
    lines = driver.execute_script("return JSON.parse(document.getElementById('chart-loss').dataset.lines)")
    assert lines == ["¼ (LSGAN)"], lines
    for _ in range(3):
        driver.find_element("id", "substep").click()
    wait_for(
        lambda: driver.execute_script("const p = lab.game.frame.phase; return p && p.stage === 'loss'"),
        what="D's loss sub-step",
    )
    assert "(D(x) − 1)²" in driver.find_element("id", "phase").text
    driver.find_element("id", "step-iter").click()  # finish the iteration
    set_fields(driver, {"speed": "fast"})
    driver.find_element("id", "play").click()
    wait_for(lambda: driver.execute_script("return lab.game.frame.step >= 300"), 240, "300 iterations")
    driver.find_element("id", "play").click()
    wait_for(lambda: driver.execute_script("return !lab.game.frame.running"), what="the game to pause")
    d_loss = driver.execute_script("return lab.game.frame.stats.d_loss")
    # LSGAN's D loss lies in [0, 1/2] near the start and tends to 1/4; the log game's tends to log 2.
    assert 0.1 < d_loss < 0.4, d_loss


@pytest.mark.slow
def test_noise_dimension_and_distribution(browser: Any, lab_server: LabServer) -> None:
    """A 1-D uniform z on the 2-D ring: the engine's G takes 1-D uniform noise and its map is one bent
    line; a 2-D Gaussian z on 1-D data: no Figure 1 lines (they need a 1-D z), and the game still steps.
    A reload shows the server's choice."""
    driver = open_game(browser, lab_server)
    set_fields(driver, {"data": "toy-ring-2d", "noise_dim": "1", "noise": "uniform"})
    frame = apply_and_wait(driver, "f.noise && f.noise.dim === 1", "the game with a 1-D z")
    assert frame["noise"] == {"dim": 1, "kind": "uniform"}
    assert len(frame["warp"]) == 1 and len(frame["warp"][0]) == 81
    assert "z: 1-D uniform" in driver.find_element("id", "legend").text
    assert "curve" in driver.find_element("id", "legend").text

    set_fields(driver, {"data": "toy-gaussian-1d", "noise_dim": "2", "noise": "gaussian"})
    frame = apply_and_wait(driver, "f.noise && f.noise.dim === 2 && f.dim === 1", "1-D data, 2-D z")
    assert frame["mapping"] is None and len(frame["fake"]) == 300
    assert "need a 1-D z" in driver.find_element("id", "legend").text
    driver.find_element("id", "step-iter").click()
    wait_for(lambda: driver.execute_script("return lab.game.frame.step === 1"), what="a step with 2-D z")
    driver.refresh()
    wait_for(lambda: driver.execute_script("return window.lab && lab.game.frames > 0"), what="a reload")
    value = "return document.getElementById('%s').value"
    shown = [driver.execute_script(value % field) for field in ("noise_dim", "noise")]
    assert shown == ["2", "gaussian"]


@pytest.mark.slow
def test_what_went_wrong_names_each_problem_with_its_number(browser: Any, lab_server: LabServer) -> None:
    """Nine drawn points near (2.6, 2.4), far from G's start, a strong D (20 D steps on Adam at 0.01) and a
    G that barely moves (SGD at 1e-5), with the saturating loss: at the start no mode has G mass; after
    two iterations D rejects G's samples (mean D(G(z)) well under 0.05) and G's arrows vanish. The panel
    names each while it happens, with the frame's own number.

    Measured (seed 0): 9 of 9 modes without G mass throughout; mean D(G(z)) 0.0030 after one iteration and
    0.00053 after two; mean |grad| 0.0026 after two (threshold 0.01)."""
    driver = open_game(browser, lab_server)
    points = [[round(2.5 + 0.1 * i, 1), round(2.5 - 0.1 * j, 1)] for i in range(3) for j in range(3)]
    driver.execute_script(f"lab.game.drawn = {points}")
    set_fields(
        driver,
        {"data": "drawn-2d", "loss": "saturating", "update": "alternating", "k": "20", "d_lr": "0.01"},
    )
    set_fields(driver, {"g_optimizer": "sgd", "g_lr": "0.00001"})
    apply_and_wait(driver, "f.settings.data === 'drawn-2d' && f.settings.k === 20", "the drawn game")
    panel = lambda: driver.find_element("id", "diagnosis").text  # noqa: E731
    problems = "return lab.game.frame.diagnosis.problems.map((p) => p.problem)"
    assert driver.execute_script(problems) == ["mode-dropping"], panel()
    assert "Mode dropping: 9 of 9 data modes (100%) get no G mass" in panel()
    for step in (1, 2):
        driver.find_element("id", "step-iter").click()
        at_step = f"return lab.game.frame.step === {step}"
        wait_for(lambda: driver.execute_script(at_step), 60, f"step {step}")  # noqa: B023
    found = driver.execute_script("return lab.game.frame.diagnosis")
    named = [p["problem"] for p in found["problems"]]
    assert named == ["d-saturation", "vanishing-gradients", "mode-dropping"], named
    d_fake, mean_grad = found["measured"]["d_fake"], found["measured"]["mean_grad"]
    assert d_fake < 0.05 and mean_grad < 0.01
    # The panel shows the frame's numbers, and the arrows it names are the frame's: their mean |grad|.
    arrows = driver.execute_script(
        "const g = lab.game.frame.grad; return g.reduce((s, v) => s + Math.hypot(...v), 0) / g.length"
    )
    assert arrows == pytest.approx(mean_grad, rel=0.05, abs=1e-4)
    assert f"mean D(G(z)) = {d_fake:.3g} < 0.05" in panel()
    assert f"mean |grad| of G's arrows = {mean_grad:.3g} < 0.01" in panel()
    assert driver.find_element("css selector", "#diagnosis li[data-problem='d-saturation']").is_displayed()
