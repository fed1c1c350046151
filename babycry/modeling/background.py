"""The second core of an analysis: one background thread per process.

Inference runs every model on one thread (:attr:`CryModel.threads`, ONNX Runtime sessions of one intra-op thread):
on a busy 2-core machine a parallel operation waits for the other core, and ONNX Runtime's spinning pool slowed
whole analyses down.  The second core is used coarsely instead, for work that releases the GIL (ONNX Runtime,
FFTs, numpy): the reason model's half of an analysis (:func:`babycry.analysis.analyse_batch`) and half of the
detector encoder's windows (:func:`on_both_threads`).  One thread for the whole process keeps an analysis to two
busy threads however many requests the app serves at once.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

__all__ = ["second_thread", "submit", "on_both_threads"]

_PREFIX = "babycry-second"
_EXECUTOR: tuple[int, ThreadPoolExecutor] | None = None
_LOCK = threading.Lock()


def _in_second_thread() -> bool:
    return threading.current_thread().name.startswith(_PREFIX)


def second_thread() -> ThreadPoolExecutor:
    """The process's background thread (made on first use, and again in a forked child, which inherits the
    executor but not its thread).

    Examples
    --------
    >>> second_thread().submit(sum, [1, 2, 3]).result()
    6
    """
    global _EXECUTOR
    with _LOCK:
        if _EXECUTOR is None or _EXECUTOR[0] != os.getpid():
            _EXECUTOR = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix=_PREFIX))
        return _EXECUTOR[1]


def submit(fn: Callable, *args: object) -> Future:
    """``fn(*args)`` on the background thread; at once on this one when called from it (it never waits on
    itself) or when no work can be scheduled there (the interpreter shutting down, no thread to start)."""
    if not _in_second_thread():
        try:
            return second_thread().submit(fn, *args)
        except RuntimeError:
            pass
    done: Future = Future()
    try:
        done.set_result(fn(*args))
    except BaseException as error:  # noqa: BLE001 - delivered by .result(), as the executor would
        done.set_exception(error)
    return done


def on_both_threads(fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """``fn(x)`` for a function of rows (``fn(x)[i]`` depends on ``x[i]`` only): the second half of the rows on
    the background thread, the first on this one, concatenated.

    Examples
    --------
    >>> on_both_threads(lambda a: a * 2, np.arange(5)).tolist()
    [0, 2, 4, 6, 8]
    """
    if len(x) < 2 or _in_second_thread():
        return fn(x)
    half = len(x) // 2
    rest = submit(fn, x[half:])
    return np.concatenate([fn(x[:half]), rest.result()], axis=0)
