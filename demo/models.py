"""The two checkpoints the app serves, loaded once and shared by every request and tab."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babycry.errors import BabyCryError

logger = logging.getLogger(__name__)

__all__ = ["Models"]


@dataclass
class Models:
    """The two checkpoints, loaded once on first use and shared by every request.

    Loading is lazy so that the page still opens (and says clearly what is
    missing) when a checkpoint is absent; :meth:`warm_up` loads them at start.

    Parameters
    ----------
    detector_path : str or Path
        Cry-detector checkpoint (local folder or hub id).
    reason_path : str or Path
        Reason-classifier checkpoint (local folder or hub id).

    Examples
    --------
    >>> Models(detector_path="/no/such/detector", reason_path="/no/such/reason").warm_up() is not None
    True
    """

    detector_path: str | Path
    reason_path: str | Path
    _loaded: tuple[Any, Any] | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def get(self) -> tuple[Any, Any]:
        """Return ``(detector, reason)``, loading them on first call.

        Raises
        ------
        babycry.errors.ModelLoadError
            A checkpoint is missing or corrupt (retried on the next call).
        """
        from babycry.modeling import load_detector, load_reason

        with self._lock:
            if self._loaded is None:
                self._loaded = (load_detector(self.detector_path), load_reason(self.reason_path))
            return self._loaded

    def warm_up(self) -> str | None:
        """Load both models now; return the error message instead of raising when one cannot load."""
        try:
            self.get()
        except BabyCryError as exc:
            logger.warning("models not loaded at start: %s", exc)
            return str(exc)
        return None
