"""The second core of an analysis: one background thread per process.

Inference runs every model on one thread (:attr:`CryModel.threads`, ONNX Runtime sessions of one intra-op thread):
on a busy 2-core machine a parallel operation waits for the other core, and ONNX Runtime's spinning pool slowed
whole analyses down.  The second core is used coarsely instead, for work that releases the GIL (ONNX Runtime,
FFTs, numpy): the reason model's half of an analysis (:func:`babycry.analysis.analyse_batch`) and the detector's
windows (features and forward pass), each thread taking the next as it comes free (:func:`on_both_threads`);
:func:`cores_apart` keeps the two threads on different cores for the length of an analysis.  One thread for the
whole process keeps an analysis to two busy threads however many requests the app serves at once.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

__all__ = ["second_thread", "submit", "on_both_threads", "cores_apart"]

_PREFIX = "babycry-second"
_EXECUTOR: tuple[int, ThreadPoolExecutor] | None = None
_LOCK = threading.Lock()
_APART = threading.Lock()
_SECOND: tuple[int, threading.Thread, int] | None = None  # pid, the background thread, its native id


def _remember_thread() -> None:
    global _SECOND
    _SECOND = (os.getpid(), threading.current_thread(), threading.get_native_id())


def _second_tid() -> int | None:
    """The native id of this process's background thread, made if need be; ``None`` if it cannot run."""
    for _ in range(2):
        known = _SECOND
        if known is not None and known[0] == os.getpid() and known[1].is_alive():
            return known[2]
        try:
            second_thread().submit(lambda: None).result()
        except RuntimeError:  # shut down (interpreter exit)
            return None
    return None


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
            _EXECUTOR = (os.getpid(), ThreadPoolExecutor(max_workers=1, thread_name_prefix=_PREFIX,
                                                            initializer=_remember_thread))
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
    """``fn(x)`` for a function of rows (``fn(x)[i]`` depends on ``x[i]`` only), row by row on this thread and the
    background one, each taking the next row when it is free; the results in order.

    Taking rows as they come, not a half each: the background thread often starts late (it finishes the reason
    model first), and with an odd number of rows a fixed half left one thread a whole row behind.

    Examples
    --------
    >>> on_both_threads(lambda a: a * 2, np.arange(5)).tolist()
    [0, 2, 4, 6, 8]
    """
    if len(x) < 2 or _in_second_thread():
        return fn(x)
    results: list[np.ndarray | None] = [None] * len(x)
    rows = iter(range(len(x)))
    take = threading.Lock()
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            with take:
                i = next(rows, None)
            if i is None:
                return
            results[i] = fn(x[i : i + 1])

    helper = submit(work)
    try:
        work()
    finally:
        stop.set()  # on an error here, the background thread takes no further row
        if not helper.cancel():  # not started yet (still on the reason model): nothing left for it
            helper.result()
    return np.concatenate(results, axis=0)


@functools.lru_cache(maxsize=1)
def _sched_getcpu() -> Callable[[], int] | None:
    try:
        return ctypes.CDLL(None).sched_getcpu
    except (AttributeError, OSError, TypeError):  # no C library symbol to call (not glibc / Linux)
        return None


def _current_cpu() -> int | None:
    getcpu = _sched_getcpu()
    cpu = int(getcpu()) if getcpu is not None else -1
    return cpu if cpu >= 0 else None


@contextlib.contextmanager
def cores_apart() -> Iterator[None]:
    """For one analysis, this thread kept on the CPU it runs on and the background thread on the others.

    Why: a thread woken after an idle spell is placed by Linux beside the thread that woke it, so on a
    2-core machine that was idle the two halves of an analysis shared one core until the load balancer moved one
    (7 s clip after 0.3 s idle: 45 ms against 30 ms back to back, docs/performance.md).  The affinities are
    restored on exit; nothing happens where the process may use one CPU only, where affinity cannot be set
    (not Linux), or while another analysis of this process holds them.

    Examples
    --------
    >>> with cores_apart():
    ...     submit(sum, [1, 2]).result()
    3
    """
    allowed = os.sched_getaffinity(0) if hasattr(os, "sched_setaffinity") else set()
    tid = _second_tid() if len(allowed) > 1 else None
    cpu = _current_cpu() if tid is not None else None
    if cpu is None or cpu not in allowed or not _APART.acquire(blocking=False):
        yield
        return
    try:
        try:
            os.sched_setaffinity(tid, allowed - {cpu})
            os.sched_setaffinity(0, {cpu})
        except OSError:  # the thread just ended, or a container forbids it: run as the scheduler places it
            pass
        yield
    finally:
        for who in (0, tid):
            with contextlib.suppress(OSError):
                os.sched_setaffinity(who, allowed)
        _APART.release()
