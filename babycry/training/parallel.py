"""Running per-clip and per-fold jobs in worker processes (2 cores: one single-threaded job per core)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["WORKER", "in_worker_process", "map_in_processes"]

#: Per-process shared state (recipe, cache, feature extractor...), filled by a job kind's initializer.
WORKER: dict[str, Any] = {}


def in_worker_process() -> bool:
    """Whether this is a child process of a multiprocessing pool.

    Examples
    --------
    >>> in_worker_process()
    False
    """
    import multiprocessing as mp

    return mp.parent_process() is not None


def map_in_processes(
    func: Callable[[Any], Any], jobs: Iterable[Any], *, workers: int, initializer: Callable[..., None],
    initargs: tuple, chunksize: int = 1,
) -> Iterator[Any]:
    """Yield ``func(job)`` for every job, in order: in ``workers`` processes, or in this one when ``workers`` is 1.

    ``initializer(*initargs)`` puts the shared state into :data:`WORKER` of each process; in this process
    it is cleared again after the run, so a large cache is not kept alive.

    Examples
    --------
    >>> list(map_in_processes(abs, [-1, 2], workers=1, initializer=lambda: None, initargs=()))
    [1, 2]
    """
    if workers > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        # fork where there is one: it shares a memory-mapped cache, and spawn would re-run an unguarded
        # calling script in every worker
        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method), initializer=initializer,
                                 initargs=initargs) as pool:
            yield from pool.map(func, jobs, chunksize=chunksize)
        return
    initializer(*initargs)
    try:
        yield from map(func, jobs)
    finally:
        WORKER.clear()
