"""The two checkpoints the app serves, loaded in the background and shared by every request and tab.

Why a worker process: the first answer needs the models (ONNX Runtime, the
checkpoints, scipy, one warm-up analysis: ~2 s), the page needs gradio (~4 s).
In one process they load one after the other; in two they load at once on two
cores, and the page is served while the models are still loading.  So the app
runs :func:`babycry.analysis.analyse` in one worker process (spawned, so it
shares nothing with the server's threads).  Neither process imports torch or
transformers (:mod:`babycry.modeling.serving`).
The Model tab and the answer's wording only read the checkpoints' JSON files,
which needs neither.

``Models(..., worker=False)`` loads them in a thread of this process instead
(tests, notebooks); :meth:`Models.get` loads them here for direct library use.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babycry.errors import BabyCryError
from babycry.hub import local_folder, read_json

logger = logging.getLogger(__name__)

__all__ = ["Models", "AnalysisFailed", "UNAVAILABLE"]

#: How long a request waits for the worker before it is told to try again (the models load in seconds; an
#: analysis of the longest recording takes well under a second).
WAIT_S = 120.0
#: How long closing the app waits for the worker to finish the request it is on before stopping it.
CLOSE_S = 10.0


#: What the page says when the checkpoints cannot be loaded (the reason, which names server paths, is logged).
UNAVAILABLE = ("The app cannot analyse recordings right now: its models could not be loaded. "
               "Please try again later.")


class AnalysisFailed(BabyCryError):
    """The models could not answer (not loaded, the worker died, or it took too long): the message says so."""


# --------------------------------------------------------------------------- #
# What runs inside the worker process (module-level functions: they are pickled by name)
# --------------------------------------------------------------------------- #
_WORKER: dict[str, Any] = {}


def _exit_with_parent(parent: int) -> None:
    """End the worker when the server process is gone (killed without closing it): never an orphan holding memory."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


#: Niceness of the background loading threads (Linux: per thread): the page and the answers come first on a busy
#: machine.
LOADING_NICENESS = 10


def lower_thread_priority() -> None:
    """Run the calling thread at :data:`LOADING_NICENESS` (Linux applies ``nice`` to the calling thread alone;
    elsewhere it may apply to the process, or fail: then nothing changes).

    Examples
    --------
    >>> import threading
    >>> t = threading.Thread(target=lower_thread_priority)
    >>> t.start(); t.join()
    """
    with contextlib.suppress(OSError):
        os.nice(LOADING_NICENESS)


def _load_models(detector_path: str | None, reason_path: str | None) -> None:
    """Load both checkpoints, at low priority (this thread only).

    On a busy machine the server process, which builds and serves the page, then gets the CPU first; on a quiet
    one each has its own core and nothing is slower.  Linux applies ``nice`` to the calling thread alone, so the
    requests the worker's main thread answers later run at normal priority.
    """
    lower_thread_priority()
    try:
        from babycry.modeling import load_detector, load_reason

        detector = load_detector(detector_path) if detector_path else load_detector()
        reason = load_reason(reason_path) if reason_path else load_reason()
        _WORKER["models"] = (detector, reason)
    except BabyCryError as exc:
        _WORKER["error"] = str(exc)


def _worker_init(detector_path: str | None, reason_path: str | None) -> None:
    """Load both checkpoints in the worker (``None``: the bundled ones) and run one analysis, so that the first
    request is not the slow one."""
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()
    loader = threading.Thread(target=_load_models, args=(detector_path, reason_path), name="load-models")
    loader.start()
    loader.join()
    if "models" not in _WORKER:
        return
    import numpy as np

    from babycry.analysis import analyse
    from babycry.audio import from_array

    detector, reason = _WORKER["models"]
    n = 16_000 * 3
    warm = 0.1 * np.sin(2 * np.pi * 440 * np.arange(n) / 16_000) * (np.arange(n) % 8000 < 4000)
    analyse(from_array(warm.astype(np.float32), 16_000), detector=detector, reason=reason)


def _worker_ready() -> str | None:
    return _WORKER.get("error")


def _worker_analyse(audio: Any) -> tuple[str, Any]:
    """``("ok", /classify dict)``, ``("rejected", message)`` or ``("unavailable", message)``.

    Plain values, never an exception object to unpickle.
    """
    if "error" in _WORKER:
        return "unavailable", _WORKER["error"]
    from babycry.analysis import analyse

    detector, reason = _WORKER["models"]
    try:
        return "ok", analyse(audio, detector=detector, reason=reason).to_dict()
    except BabyCryError as exc:
        return "rejected", str(exc)


# --------------------------------------------------------------------------- #
@dataclass
class Models:
    """The two checkpoints: loaded in the background on :meth:`start`, used by :meth:`analyse`.

    Parameters
    ----------
    detector_path : str or Path, optional
        Cry-detector checkpoint (local folder or hub id); ``None``: the bundled one.
    reason_path : str or Path, optional
        Reason-classifier checkpoint (local folder or hub id); ``None``: the bundled one.
    worker : bool
        Analyse in a worker process (the app) rather than in a thread of this process.

    Examples
    --------
    >>> m = Models(detector_path="/no/such/detector", reason_path="/no/such/reason", worker=False)
    >>> m.start(); m.load_error() is not None
    True
    >>> m.metrics("reason")
    {}
    """

    detector_path: str | Path | None = None
    reason_path: str | Path | None = None
    worker: bool = True
    _pool: ProcessPoolExecutor | None = field(default=None, init=False, repr=False)
    _ready: Future | None = field(default=None, init=False, repr=False)
    _loaded: tuple[Any, Any] | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _answered: threading.Event = field(default_factory=threading.Event, init=False, repr=False)

    @classmethod
    def from_env(cls, *, detector_path: str | Path | None = None, reason_path: str | Path | None = None,
                 worker: bool = True) -> Models:
        """The app's checkpoints: the arguments, else ``$BABYCRY_DETECTOR`` / ``$BABYCRY_REASON``, else the bundled.

        Imports nothing heavy (the defaults are resolved where they are used), so ``app.py`` can start the worker
        before anything else loads.

        Examples
        --------
        >>> Models.from_env(detector_path="d", reason_path="r").path("reason")
        'r'
        """
        return cls(
            detector_path=detector_path or os.environ.get("BABYCRY_DETECTOR") or None,
            reason_path=reason_path or os.environ.get("BABYCRY_REASON") or None,
            worker=worker,
        )

    # ---- loading -------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start loading both models in the background (idempotent); returns at once."""
        with self._lock:
            if self._ready is not None:
                return
            if self.worker:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_worker_init,
                    initargs=(self._given("detector"), self._given("reason")),
                )
                self._ready = self._pool.submit(_worker_ready)
            else:
                self._ready = Future()
                threading.Thread(target=self._load_here, name="babycry-models", daemon=True).start()

    def _load_here(self) -> None:
        assert self._ready is not None
        try:
            self.get()
            self._ready.set_result(None)
        except BabyCryError as exc:
            self._ready.set_result(str(exc))

    def load_error(self, timeout: float = WAIT_S) -> str | None:
        """Wait for the models; the reason they cannot answer, or ``None`` when they can."""
        self.start()
        assert self._ready is not None
        try:
            return self._ready.result(timeout=timeout)
        except TimeoutError:
            return "The models are still loading. Please try again in a moment."
        except BrokenProcessPool:
            return "The analysis process stopped while loading the models."

    def get(self) -> tuple[Any, Any]:
        """``(detector, reason)`` loaded in *this* process (library use and tests; the app uses :meth:`analyse`).

        Raises
        ------
        babycry.errors.ModelLoadError
            A checkpoint is missing or corrupt (retried on the next call).
        """
        from babycry.modeling import load_detector, load_reason

        with self._lock:
            if self._loaded is None:
                self._loaded = (load_detector(self.path("detector")), load_reason(self.path("reason")))
            return self._loaded

    def close(self, timeout: float = CLOSE_S) -> None:
        """Stop the worker process (if any), waiting at most ``timeout`` seconds for it to finish its request."""
        with self._lock:
            pool, self._pool, self._ready = self._pool, None, None
        if pool is None:
            return
        # Wait for the executor's manager thread: left running, it closes its wake-up pipe while the interpreter's
        # exit hook writes to it (Python 3.11 checks and writes without a lock), which prints an OSError traceback.
        closing = threading.Thread(target=pool.shutdown, kwargs={"wait": True, "cancel_futures": True},
                                   name="babycry-close", daemon=True)
        closing.start()
        closing.join(timeout)
        if closing.is_alive():  # a request that will not finish: stop the worker, so the shutdown completes
            logger.error("the analysis worker did not stop within %.0f s; terminating it", timeout)
            for worker in list((pool._processes or {}).values()):  # noqa: SLF001 - the executor has no public kill
                worker.terminate()
            closing.join(timeout)

    # ---- answering -----------------------------------------------------------------------------------------
    def analyse(self, audio: Any) -> dict[str, Any]:
        """:func:`babycry.analysis.analyse` of a decoded recording: the ``/classify`` dict.

        Raises
        ------
        babycry.errors.BabyCryError
            The library's rejection of the recording, or :class:`AnalysisFailed` when the models cannot answer.
        """
        try:
            return self._analyse(audio)
        finally:
            self._answered.set()

    def wait_for_first_answer(self, timeout: float) -> bool:
        """Wait until a request has been answered (or rejected) since the start; ``False`` after ``timeout`` s.

        Examples
        --------
        >>> Models(worker=False).wait_for_first_answer(0.0)
        False
        """
        return self._answered.wait(timeout)

    def _analyse(self, audio: Any) -> dict[str, Any]:
        error = self.load_error()
        if error is not None:
            logger.error("models not available: %s", error)
            raise AnalysisFailed(UNAVAILABLE)
        if not self.worker:
            from babycry.analysis import analyse

            detector, reason = self.get()
            return analyse(audio, detector=detector, reason=reason).to_dict()
        assert self._pool is not None
        try:
            status, value = self._pool.submit(_worker_analyse, audio).result(timeout=WAIT_S)
        except TimeoutError:
            raise AnalysisFailed("The analysis is taking too long (the server is busy). Please try again in a "
                                 "minute.") from None
        except BrokenProcessPool:
            logger.error("the analysis worker stopped; starting a new one")
            self.close()
            self.start()
            raise AnalysisFailed("The analysis stopped unexpectedly. Please press Analyse again.") from None
        if status == "unavailable":
            logger.error("models not available: %s", value)
            raise AnalysisFailed(UNAVAILABLE)
        if status == "rejected":
            raise BabyCryError(value)
        return value

    # ---- what the page says about the models (JSON files only: no torch here) ---------------------------------
    def _given(self, task: str) -> str | None:
        given = self.detector_path if task == "detector" else self.reason_path
        return str(given) if given else None

    def path(self, task: str) -> str:
        """The checkpoint of ``"detector"`` or ``"reason"`` (the bundled one when none was given)."""
        given = self._given(task)
        if given:
            return given
        from babycry.modeling.checkpoint import DEFAULT_DETECTOR_DIR, DEFAULT_REASON_DIR

        return str(DEFAULT_DETECTOR_DIR if task == "detector" else DEFAULT_REASON_DIR)

    def metrics(self, task: str) -> dict[str, Any]:
        """The checkpoint's ``metrics.json`` (``{}`` when absent or unreadable)."""
        try:
            return read_json(self.path(task), "metrics.json") or {}
        except BabyCryError:
            return {}

    def card(self, task: str) -> str | None:
        """The checkpoint's model card (``README.md``) when it is a local folder."""
        local = local_folder(self.path(task))
        card = local / "README.md" if local is not None else None
        return card.read_text(encoding="utf-8") if card is not None and card.is_file() else None
