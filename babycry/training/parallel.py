"""Running per-clip and per-fold jobs in worker processes (2 cores: one single-threaded job per core)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["WORKER", "in_worker_process", "limit_worker_threads", "map_in_processes", "worker_count"]

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


def limit_worker_threads() -> None:
    """In a worker process, one BLAS / OpenMP thread and one torch thread: the processes are the parallelism,
    and a second thread per process on two cores would oversubscribe them.  Does nothing in the main process.

    Examples
    --------
    >>> limit_worker_threads()  # the main process: unchanged
    """
    if not in_worker_process():
        return
    import torch
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    torch.set_num_threads(1)


def worker_count(threads: int, jobs: int, *, min_jobs: int = 1) -> int:
    """Processes for ``jobs`` jobs: at most ``threads`` and the machine's cores, one per job; a single one (this
    process) below ``min_jobs`` jobs, where starting workers costs more than it saves.

    Examples
    --------
    >>> worker_count(8, 1), worker_count(1, 100), worker_count(2, 10, min_jobs=64)
    (1, 1, 1)
    """
    import os

    if jobs < min_jobs:
        return 1
    return max(1, min(threads, os.cpu_count() or 1, jobs))


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
