"""A lab server on a free 127.0.0.1 port, and headless Chromium driven by selenium (skipped without them)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from advnets.data.base import ImageDataset
from advnets.lab import LabServer
from advnets.runs.trainer import TrainResult

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
# Nothing on the page may reach the network: the lab has to work offline.
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)


def _missing_browser() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed (pip install -e '.[dev]')"
    if CHROMIUM is None or CHROMEDRIVER is None:
        return "Debian's chromium and chromium-driver are not installed (see .ci/run)"
    return None


@pytest.fixture
def lab_server() -> Iterator[LabServer]:
    server = LabServer("127.0.0.1", 0).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: $ADVNETS_TEST_ARTIFACTS when set (CI keeps them), else a temp dir."""
    chosen = os.environ.get("ADVNETS_TEST_ARTIFACTS")
    path = Path(chosen) if chosen else tmp_path_factory.mktemp("lab-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    missing = _missing_browser()
    if missing:
        if os.environ.get("CI"):  # CI installs both (.ci/run): a skip there would hide a broken install
            pytest.fail(missing)
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROME_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium must not try to download a driver
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def cgan_run(tmp_path_factory: pytest.TempPathFactory, digits: ImageDataset) -> TrainResult:
    """A 1-epoch conditional run on the 8x8 digits, for the label picker."""
    from advnets.config.overrides import parse_assignments, resolve_config
    from advnets.runs.training import train

    config = resolve_config(
        "digits-cgan", None, parse_assignments(["train.epochs=1", "train.progress=false", "train.threads=1"])
    )
    return train(config, tmp_path_factory.mktemp("cgan-run"), dataset=digits)
