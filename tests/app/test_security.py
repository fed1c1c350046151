"""Security, end to end against the launched app: no file outside the app's own assets can be read through any
endpoint or Gradio file route (path tricks included), and no answer names a server path."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import httpx
import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def secret(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("outside") / "secret.txt"
    path.write_text("TOP-SECRET-babycry-4711\n")
    return path


def _targets(secret: Path) -> dict[str, str]:
    """Files the app must never serve, with a marker of their content."""
    return {
        str(secret): "TOP-SECRET-babycry-4711",
        "/etc/passwd": "root:",
        str(ROOT / "app.py"): "def main",
        str(ROOT / "assets" / "models" / "cry-detector" / "calibration.json"): "temperature",
        str(ROOT / "pyproject.toml"): "[project]",
    }


def _tricks(path: str) -> list[str]:
    """One path written the ways a client could try to sneak it past a check."""
    rel = "../" * 12 + path.lstrip("/")
    return [
        path,
        rel,
        urllib.parse.quote(path, safe=""),
        urllib.parse.quote(urllib.parse.quote(path, safe=""), safe=""),
        "./" + rel,
        "..%2f" * 12 + urllib.parse.quote(path.lstrip("/"), safe=""),
        "%2e%2e/" * 12 + path.lstrip("/"),
        "/tmp/../" + path.lstrip("/"),
        path.replace("/", "\\"),
        path + "%00.wav",
    ]


def test_no_file_outside_the_app_is_served_by_any_file_route(app_url, secret):
    routes = ["gradio_api/file={}", "file={}", "gradio_api/file/{}", "static/{}", "assets/{}",
              "gradio_api/static/{}", "gradio_api/file={}?download=true", "custom_component/x/{}"]
    served = []
    with httpx.Client(base_url=app_url, timeout=10) as http:
        for target, marker in _targets(secret).items():
            for trick in _tricks(target):
                for route in routes:
                    r = http.get(route.format(trick))
                    if marker in r.text:
                        served.append((route.format(trick), r.status_code))
                # the relative forms again, for the routes that resolve against the working directory
                for rel in ("app.py", "./pyproject.toml", "assets/models/cry-detector/calibration.json"):
                    r = http.get(f"gradio_api/file={rel}")
                    if "def main" in r.text or "[project]" in r.text or "temperature" in r.text:
                        served.append((rel, r.status_code))
    assert served == []


def test_the_apps_own_examples_are_still_served(app_url):
    # The page plays its examples: what must stay readable stays readable.
    from demo.ui import example_paths

    name = Path(example_paths()[0]).name
    with httpx.Client(base_url=app_url, timeout=10) as http:
        config = json.dumps(http.get("config").json())
        cached = next(p for p in _strings(json.loads(config)) if p.startswith("/") and p.endswith(name))
        r = http.get(f"gradio_api/file={cached}")
    assert r.status_code == 200 and r.content[:4] == b"RIFF"


def _strings(node) -> list[str]:
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return [node] if isinstance(node, str) else []


def _call(app_url: str, endpoint: str, data: list) -> str:
    """POST an endpoint with raw JSON (as any HTTP client could) and return the event stream's text."""
    with httpx.Client(base_url=app_url, timeout=60) as http:
        r = http.post(f"gradio_api/call/{endpoint}", json={"data": data})
        if r.status_code != 200:
            return r.text
        event = r.json()["event_id"]
        return http.get(f"gradio_api/call/{endpoint}/{event}").text


@pytest.mark.parametrize("endpoint", ["classify", "spectrogram", "augment"])
def test_no_file_outside_the_app_can_be_fed_to_an_endpoint(app_url, secret, endpoint):
    extra = {"classify": [], "spectrogram": [1500, 1.33, 12], "augment": ["gain", "{}", 0]}[endpoint]
    for target, marker in _targets(secret).items():
        for trick in (target, "../" * 12 + target.lstrip("/"), "file://" + target):
            for payload in ({"path": trick, "meta": {"_type": "gradio.FileData"}},
                            {"path": trick, "url": f"{app_url}gradio_api/file={trick}",
                             "meta": {"_type": "gradio.FileData"}},
                            trick):
                text = _call(app_url, endpoint, [payload, *extra])
                assert marker not in text, (endpoint, payload)
                assert "event: complete" not in text, (endpoint, payload)  # refused, never analysed


def test_no_answer_names_a_server_path(client, audio_files):
    from gradio_client import handle_file

    out = client.predict(handle_file(str(audio_files["cry"])), api_name="/classify")
    text = json.dumps(out)
    assert str(ROOT) not in text and "/tmp" not in text and "assets/models" not in text
    # the error messages name the user's file, never where the server keeps it
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as err:
        client.predict(handle_file(str(audio_files["text"])), api_name="/classify")
    assert "notes.txt" in str(err.value) and "/tmp" not in str(err.value) and str(ROOT) not in str(err.value)
