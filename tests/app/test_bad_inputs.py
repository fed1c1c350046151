"""Every row of docs/bad-inputs.md through the launched app (gradio_client → /classify): an answer or the
library's own message, never a traceback, never a server path.  Library and CLI level: tests/test_bad_inputs.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from babycry import audio as bc_audio
from babycry.errors import BabyCryError
from tests.bad_input_files import CASES, Case, make_case

pytestmark = pytest.mark.slow

APP_CASES = [c for c in CASES if c.app]
IDS = [re.sub(r"[^a-z0-9]+", "-", c.name.lower()).strip("-") for c in APP_CASES]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("app-bad-inputs")


def _classify(client, path: Path):
    from gradio_client import handle_file

    return client.predict(handle_file(str(path)), api_name="/classify")


@pytest.mark.parametrize("case", APP_CASES, ids=IDS)
def test_classify(client, folder: Path, case: Case) -> None:
    from gradio_client.exceptions import AppError

    path = make_case(case, folder)
    if case.error is None:
        out = _classify(client, path)
        assert out["seconds_analysed"] >= 1.0 and 0.0 <= out["cry_probability"] <= 1.0
        if case.name == "10-minute recording":
            assert out["seconds_analysed"] == pytest.approx(60.0)
        return
    with pytest.raises(BabyCryError) as lib:
        bc_audio.load(path)
    with pytest.raises(AppError) as err:
        _classify(client, path)
    message = str(err.value)
    # The library's message, except that it names the upload (Gradio may keep the file's name): compare the rest.
    assert str(lib.value).split(": ", 1)[-1][-40:] in message
    assert "Traceback" not in message
    assert str(folder) not in message and "/tmp/" not in message


def test_upload_over_the_apps_size_limit(client, folder: Path) -> None:
    """Gradio refuses uploads over demo.LIMITS.max_file_size before babycry sees them: a message, not a hang."""
    from demo import LIMITS

    limit_mb = int(LIMITS.max_file_size.lower().removesuffix("mb"))
    path = folder / "too_big.wav"
    with open(path, "wb") as f:
        f.write(make_case(next(c for c in CASES if c.name == "stereo 48 kHz"), folder).read_bytes()[:44])
        f.truncate((limit_mb + 1) * 1024 * 1024)
    with pytest.raises(Exception) as err:  # noqa: PT011 - gradio_client raises its own or httpx's error here
        _classify(client, path)
    assert re.search(r"size|large|413", str(err.value), re.IGNORECASE), str(err.value)
    assert "Traceback" not in str(err.value)
