"""``app.py`` in a process of its own on a free loopback port: how the tests, the start-up benchmark and the
screenshot script serve the app as a Space would.  Imports neither gradio nor the library.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["ROOT", "free_port", "start_app", "wait_until_served"]

#: The repository root, where ``app.py`` lies.
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now.

    Examples
    --------
    >>> 0 < free_port() < 65536
    True
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(port: int, *, env: Mapping[str, str] | None = None, **popen: Any) -> subprocess.Popen:
    """``python app.py`` serving on ``127.0.0.1:port`` (``GRADIO_SERVER_NAME`` / ``GRADIO_SERVER_PORT``), offline
    and without Gradio's analytics; ``env`` adds to (or overrides) this process's environment, ``popen`` goes to
    :class:`subprocess.Popen` (stdout and stderr default to ``DEVNULL``).

    Examples
    --------
    >>> app = start_app(free_port())  # doctest: +SKIP
    """
    full = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1", **(env or {}),
            "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port)}
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=full, **popen)


def wait_until_served(url: str, app: subprocess.Popen, *, timeout_s: float, poll_s: float = 0.05) -> None:
    """Return once ``url`` answers 200.

    Raises
    ------
    RuntimeError
        The app's process ended first.
    TimeoutError
        Nothing was served within ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as page:
                if page.status == 200:
                    return
        except OSError:
            pass
        if app.poll() is not None:
            raise RuntimeError(f"the app exited (code {app.returncode}) before serving {url}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the app did not serve {url} within {timeout_s:.0f} s")
        time.sleep(poll_s)
