"""The lab's HTTP API on a real server on a free 127.0.0.1 port, without a browser."""

from __future__ import annotations

import base64
import io
import json
import time
import urllib.error
import urllib.request
from typing import Any

import numpy as np
import torch
from PIL import Image

import advnets
from advnets.lab import LabServer
from advnets.plots.grid import tile
from advnets.runs.trainer import TrainResult


def call(server: LabServer, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(server.url + path.lstrip("/"), data=data)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def png(text: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(text))))


def test_server_listens_on_loopback_only_by_default(lab_server: LabServer) -> None:
    assert lab_server.host == "127.0.0.1" and lab_server.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(lab_server.url, timeout=10) as response:
        page = response.read().decode()
    assert "advnets lab" in page and "http" not in page.replace("http-equiv", "")  # no CDN, nothing remote
    for script in ("common.js", "charts.js", "plane.js", "game.js", "run.js", "lab.css"):
        with urllib.request.urlopen(lab_server.url + "static/" + script, timeout=10) as response:
            assert response.status == 200


def test_bad_input_gets_a_clear_message_and_the_server_keeps_going(lab_server: LabServer) -> None:
    status, reply = call(lab_server, "/api/game/configure", {"d_lr": -1})
    assert status == 400 and "optim.lr" in reply["error"] and "greater than 0" in reply["error"]
    status, reply = call(lab_server, "/api/game/configure", {"data": "drawn-2d", "points": []})
    assert status == 400 and "draw at least" in reply["error"]
    status, reply = call(lab_server, "/api/game/configure", {"g_width": "wide"})
    assert status == 400 and "g_width" in reply["error"]
    status, reply = call(lab_server, "/api/game/command", {"action": "jump"})
    assert status == 400 and "unknown action" in reply["error"]
    status, reply = call(lab_server, "/api/run/open", {"path": "/no/such/run"})
    assert status == 400 and "does not exist" in reply["error"]
    status, reply = call(lab_server, "/api/run/sample", {"n": 4})
    assert status == 400 and "no run is open" in reply["error"]
    status, reply = call(lab_server, "/api/game/command", {"action": "iteration"})
    assert status == 200 and reply["ok"]
    assert call(lab_server, "/api/game/frame")[1]["step"] == 1


def test_play_runs_the_game_in_the_background(lab_server: LabServer) -> None:
    assert call(lab_server, "/api/game/configure", {"data": "toy-mixture-1d", "batch": 50})[0] == 200
    assert call(lab_server, "/api/game/command", {"action": "play", "speed": "fast"})[0] == 200
    deadline = time.monotonic() + 30
    while call(lab_server, "/api/game/frame")[1]["step"] < 20 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert call(lab_server, "/api/game/command", {"action": "pause"})[0] == 200
    frame = call(lab_server, "/api/game/frame")[1]
    assert frame["step"] >= 20 and frame["dim"] == 1 and not frame["running"]
    assert len(frame["history"]["jsd"]) >= 2 and set(frame["curves"]) == {"x", "p_data", "p_g", "d", "d_star"}


def test_stream_sends_frames_as_server_sent_events(lab_server: LabServer) -> None:
    with urllib.request.urlopen(lab_server.url + "api/game/stream", timeout=20) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        first = stream.readline().decode()
        assert first.startswith("data: ")
        assert json.loads(first[len("data: ") :])["dim"] == 2


def test_drawn_points_become_the_data(lab_server: LabServer) -> None:
    points = [[-1.0, -1.0], [1.0, 1.0], [1.0, -1.0], [-1.0, 1.0]]
    assert call(lab_server, "/api/game/configure", {"data": "drawn-2d", "points": points})[0] == 200
    real = np.array(call(lab_server, "/api/game/frame")[1]["real"])
    nearest = np.min(np.linalg.norm(real[:, None, :] - np.array(points)[None], axis=2), axis=1)
    assert nearest.max() < 0.6  # every shown real point is a sample from a bump of std 0.1 at a drawn point


def test_trained_run_sample_and_interpolation(lab_server: LabServer, tiny_run: TrainResult) -> None:
    status, reply = call(lab_server, "/api/run/open", {"path": str(tiny_run.run_dir)})
    assert status == 200, reply
    info = reply["run"]
    assert info["is_image"] and info["sample_shape"] == [1, 8, 8] and not info["conditional"]
    assert info["metrics"] and info["last_epochs"]
    status, reply = call(lab_server, "/api/run/sample", {"n": 16, "seed": 3})
    assert status == 200
    model = advnets.load(tiny_run.run_dir)
    expected = tile(model.sample(16, seed=3))  # (37, 37) grid of 4 x 4 8x8 images
    picture = png(reply["png"])
    scale = picture.shape[0] // expected.shape[0]
    assert np.array_equal(picture[::scale, ::scale], expected)
    status, reply = call(lab_server, "/api/run/interpolate", {"seed_a": 5, "seed_b": 6, "t": 0.0})
    assert status == 200
    current = png(reply["current"])
    alone = tile(model.sample(1, seed=5))
    assert np.array_equal(
        current[:: current.shape[0] // alone.shape[0]][:, :: current.shape[0] // alone.shape[0]], alone
    )
    assert current.shape[0] >= 115, "an 8x8 image alone is enlarged to about its 128-pixel box"
    assert png(reply["strip"]).shape[0] >= 85, "the z-walk's frames are enlarged to its 96-pixel strip"
    status, reply = call(lab_server, "/api/run/interpolate", {"t": 2})
    assert status == 400 and "[0, 1]" in reply["error"]
    assert call(lab_server, "/api/run/sample", {"n": 0})[0] == 400


def test_slerp_keeps_the_ends_and_the_norm_of_equal_vectors() -> None:
    from advnets.lab.runview import slerp

    a, b = torch.tensor([[3.0, 0.0]]), torch.tensor([[0.0, 3.0]])
    assert torch.allclose(slerp(a, b, 0.0), a) and torch.allclose(slerp(a, b, 1.0), b)
    assert torch.allclose(slerp(a, b, 0.5).norm(), torch.tensor(3.0))


def test_conditional_run_samples_the_chosen_label(lab_server: LabServer, cgan_run: TrainResult) -> None:
    run = cgan_run
    status, reply = call(lab_server, "/api/run/open", {"path": str(run.run_dir)})
    assert status == 200 and reply["run"]["conditional"] and reply["run"]["num_classes"] == 10
    status, reply = call(lab_server, "/api/run/sample", {"n": 4, "seed": 1, "label": 3})
    assert status == 200, reply
    model = advnets.load(run.run_dir)
    expected = tile(model.sample(4, seed=1, labels=torch.full((4,), 3)))
    picture = png(reply["png"])
    assert np.array_equal(
        picture[:: picture.shape[0] // expected.shape[0]][:, :: picture.shape[0] // expected.shape[0]],
        expected,
    )
    other = tile(model.sample(4, seed=1, labels=torch.full((4,), 8)))
    assert not np.array_equal(expected, other)  # the label changes what is drawn
    status, reply = call(lab_server, "/api/run/sample", {"n": 4, "seed": 1, "label": 12})
    assert status == 400 and "outside this run's classes" in reply["error"]


def test_inpainting_fills_only_the_painted_pixels(lab_server: LabServer, inpaint_run: TrainResult) -> None:
    status, reply = call(lab_server, "/api/run/open", {"path": str(inpaint_run.run_dir)})
    assert status == 200 and reply["run"]["inpainting"] and "right-half" in reply["run"]["masks"]
    status, reply = call(lab_server, "/api/run/test-image", {"index": 3})
    assert status == 200 and reply["index"] == 3 and reply["count"] == 250  # the digits' test split
    image = png(reply["png"])
    assert image.shape == (8, 8)
    status, reply = call(lab_server, "/api/run/mask", {"name": "right-half"})
    assert status == 200
    assert np.array_equal(np.array(reply["mask"]).reshape(8, 8)[:, 4:], np.ones((8, 4)))
    assert sum(reply["mask"]) == 32
    painted = [0] * 64
    for pixel in (18, 19, 26, 27, 35):  # a blob the "user" painted, not one of the training masks
        painted[pixel] = 1
    status, reply = call(lab_server, "/api/run/inpaint", {"index": 3, "mask": painted, "completions": 3})
    assert status == 200, reply
    assert reply["hidden"] == 5
    row = png(reply["png"])
    scale = row.shape[0] // 10  # one row of 8x8 tiles with 1-pixel borders, enlarged
    tiles = row[::scale, ::scale][1:9, 1:].reshape(8, 5, 9)[:, :, :8].transpose(1, 0, 2)  # (5, 8, 8)
    hidden = np.array(painted, dtype=bool).reshape(8, 8)
    original, masked, fills = tiles[0], tiles[1], tiles[2:]
    assert np.array_equal(original, image)
    assert np.all(masked[hidden] == 128) and np.array_equal(masked[~hidden], image[~hidden])
    for fill in fills:
        assert np.array_equal(fill[~hidden], image[~hidden])  # visible pixels copied bit for bit
    assert any(not np.array_equal(fills[0][hidden], other[hidden]) for other in fills[1:])  # one per z


def test_inpainting_errors_are_one_line_messages(
    lab_server: LabServer, inpaint_run: TrainResult, tiny_run: TrainResult
) -> None:
    call(lab_server, "/api/run/open", {"path": str(inpaint_run.run_dir)})
    status, reply = call(lab_server, "/api/run/inpaint", {"mask": [0] * 64})
    assert status == 400 and "no pixels are hidden" in reply["error"]
    status, reply = call(lab_server, "/api/run/inpaint", {"mask": [1] * 10})
    assert status == 400 and "64 pixels (8x8)" in reply["error"]
    status, reply = call(lab_server, "/api/run/inpaint", {"mask": [2] * 64})
    assert status == 400 and "0 (shown) and 1 (hidden)" in reply["error"]
    status, reply = call(lab_server, "/api/run/mask", {"name": "hexagon"})
    assert status == 400 and "unknown mask 'hexagon'" in reply["error"]
    call(lab_server, "/api/run/open", {"path": str(tiny_run.run_dir)})
    status, reply = call(lab_server, "/api/run/test-image", {"index": 0})
    assert status == 400 and "cannot inpaint" in reply["error"]
