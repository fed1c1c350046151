"""babycry.modeling.background: the second core of an analysis gives the numbers one thread gives."""

from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

from babycry.modeling import background, load_detector
from babycry.modeling.background import cores_apart, on_both_threads, second_thread, submit
from babycry.modeling.windows import frame_windows


def test_rows_split_over_both_threads_come_back_in_order() -> None:
    seen: list[str] = []

    def double(a: np.ndarray) -> np.ndarray:
        seen.append(threading.current_thread().name)
        time.sleep(0.02)  # a row takes long enough for the background thread to take some
        return a * 2

    assert on_both_threads(double, np.arange(7)).tolist() == [0, 2, 4, 6, 8, 10, 12]
    assert len(seen) == 7 and len(set(seen)) == 2  # each row once, on this thread and the background one
    assert on_both_threads(double, np.arange(1)).tolist() == [0]  # one row: nothing to split


def test_a_busy_background_thread_leaves_the_rows_to_this_one() -> None:
    """The background thread still on other work (the reason model) takes no row; none waits for it."""
    release = threading.Event()
    busy = second_thread().submit(release.wait, 10)
    seen: list[str] = []

    def double(a: np.ndarray) -> np.ndarray:
        seen.append(threading.current_thread().name)
        return a * 2

    try:
        assert on_both_threads(double, np.arange(4)).tolist() == [0, 2, 4, 6]
        assert set(seen) == {threading.current_thread().name}
    finally:
        release.set()
    assert busy.result(timeout=10)


def test_the_background_thread_never_waits_on_itself() -> None:
    """Work submitted from the background thread runs there at once (a one-thread pool would deadlock)."""
    inner = second_thread().submit(lambda: submit(lambda: on_both_threads(lambda a: a + 1, np.arange(4))).result())
    assert inner.result(timeout=10).tolist() == [1, 2, 3, 4]


def test_an_error_on_the_background_thread_reaches_the_caller() -> None:
    def fail(a: np.ndarray) -> np.ndarray:
        raise ValueError("from the second half")

    with pytest.raises(ValueError, match="second half"):
        on_both_threads(fail, np.arange(4))


def test_the_int8_encoder_gives_each_window_its_own_embedding_split_or_whole(cry16k: np.ndarray) -> None:
    """The bundled detector's encoder splits a recording's windows over two threads: the same bytes as one batch."""
    detector = load_detector()
    windows, _ = frame_windows(np.tile(cry16k, 3), sample_rate=16000)
    features = detector.features(windows)
    assert len(features) >= 3
    whole = detector.int8_encoder.embed(features)
    np.testing.assert_array_equal(on_both_threads(detector.int8_encoder.embed, features), whole)
    np.testing.assert_array_equal(detector.window_outputs(features), whole.astype(np.float64))
    # as an analysis runs them: each window's features and forward pass on whichever thread is free
    np.testing.assert_array_equal(on_both_threads(detector.outputs_of, windows), whole.astype(np.float64))


def test_work_still_runs_when_the_background_thread_is_gone() -> None:
    """After the executor shuts down (as at interpreter exit) the work runs on the calling thread instead."""
    second_thread().shutdown()
    try:
        assert on_both_threads(lambda a: a + 1, np.arange(4)).tolist() == [1, 2, 3, 4]
        assert submit(sum, [1, 2]).result() == 3
    finally:
        background._EXECUTOR = None  # the next call makes a fresh one
    assert second_thread().submit(sum, [2, 3]).result() == 5


needs_two_cpus = pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2 or background._current_cpu() is None,
    reason="needs Linux thread affinity and two CPUs")


def _affinity_of_second_thread() -> set[int]:
    return second_thread().submit(os.sched_getaffinity, 0).result()


@needs_two_cpus
def test_cores_apart_keeps_the_two_threads_of_an_analysis_on_different_cpus_and_restores_them() -> None:
    allowed = os.sched_getaffinity(0)
    with cores_apart():
        mine, theirs = os.sched_getaffinity(0), _affinity_of_second_thread()
        assert len(mine) == 1 and mine <= allowed
        assert theirs == allowed - mine
        with cores_apart():  # held already (another analysis of the process): changes nothing
            assert os.sched_getaffinity(0) == mine
        assert os.sched_getaffinity(0) == mine  # the inner one did not restore early
    assert os.sched_getaffinity(0) == allowed
    assert _affinity_of_second_thread() == allowed


@needs_two_cpus
def test_cores_apart_restores_the_affinities_after_an_error_and_leaves_a_one_cpu_thread_alone() -> None:
    allowed = os.sched_getaffinity(0)
    with pytest.raises(ValueError, match="inside"), cores_apart():
        raise ValueError("inside")
    assert os.sched_getaffinity(0) == allowed and _affinity_of_second_thread() == allowed
    one = {min(allowed)}
    os.sched_setaffinity(0, one)
    try:
        with cores_apart():
            assert os.sched_getaffinity(0) == one
            assert _affinity_of_second_thread() == allowed
    finally:
        os.sched_setaffinity(0, allowed)


@needs_two_cpus
def test_an_analysis_gives_the_same_answer_with_its_threads_kept_apart_or_not(cry16k: np.ndarray) -> None:
    """``analyse`` keeps its threads apart itself; on a thread bound to one CPU it cannot, and answers the same."""
    from babycry import analyse, load_reason
    from babycry.audio import from_array

    audio = from_array(np.tile(cry16k, 3), 16000)
    detector, reason = load_detector(), load_reason()
    apart = analyse(audio, detector=detector, reason=reason).to_dict()
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(allowed)})
    try:
        together = analyse(audio, detector=detector, reason=reason).to_dict()
    finally:
        os.sched_setaffinity(0, allowed)
    assert together == apart
