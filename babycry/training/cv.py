"""Cross-validation: pooled out-of-fold clip logits, grouped by family (or, labelled leaky, at random)."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..data import TaskData, grouped_folds, random_folds
from ..errors import InvalidParameterError
from .cache import FeatureCache
from .fit import clip_logits, fit
from .parallel import WORKER, in_worker_process, limit_worker_threads, map_in_processes, worker_count
from .recipes import Recipe

__all__ = ["CVResult", "Fold", "fold_plan", "cross_validate", "CategoryHoldout", "category_sets",
           "leave_category_out", "holdout_plan", "leave_rows_out"]


@dataclass
class CVResult:
    """Out-of-fold predictions of a cross-validation.

    Attributes
    ----------
    split : str
        ``"grouped"`` or ``"random"`` (leaky).
    logits : np.ndarray
        ``(n_seeds, n_clips, n_labels)`` uncalibrated OOF clip logits.
    folds : list
        Per seed, the list of ``(train, test)`` index arrays.
    seconds : float
        Wall time.
    phone_logits : np.ndarray or None
        Like ``logits``, on the clips' phone-codec windows; NaN for clips without any (speech).
    """

    split: str
    logits: np.ndarray
    folds: list
    seconds: float
    phone_logits: np.ndarray | None = None

    def pooled(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All seeds' OOF logits stacked, with the labels repeated to match.

        Examples
        --------
        >>> r = CVResult("grouped", np.zeros((3, 4, 2)), [], 0.0)
        >>> [a.shape for a in r.pooled(np.array([0, 1, 0, 1]))]
        [(12, 2), (12,)]
        """
        return self.logits.reshape(-1, self.logits.shape[-1]), np.tile(y, self.logits.shape[0])


@dataclass(frozen=True)
class Fold:
    """One fit of a cross-validation: what it trains on, what it scores, and the seed that fixes its result.

    Attributes
    ----------
    seed_index, fold : int
        Which repetition and which of its folds.
    seed : int
        The fit's seed (``repetition seed * 100 + fold``).
    train, test : np.ndarray
        Rows of the task table.
    exclude_groups : set or None
        Families the fit must not hear, not even as mixed-in noise (the test side's, when grouped).
    score_phone : bool
        Also score the test clips' phone-codec windows.
    """

    seed_index: int
    fold: int
    seed: int
    train: np.ndarray
    test: np.ndarray
    exclude_groups: set | None
    score_phone: bool = True


def _init_fold_worker(cache: FeatureCache, recipe: Recipe) -> None:
    # in a worker process: one torch thread (the processes are the parallelism), no progress bars
    worker = in_worker_process()
    # the sound-effects CNN's fits (a logistic regression, the head's torch arithmetic) run outside the Trainer,
    # which sets its own threads
    limit_worker_threads()
    WORKER.update(cache=cache, recipe=recipe.replace(threads=1 if worker else recipe.threads,
                                                     progress=recipe.progress and not worker))


def _run_fold(job: Fold) -> tuple[np.ndarray, np.ndarray | None]:
    """Fit one fold and return its test clips' logits, clean and (when asked) through a phone codec (NaN without
    those windows)."""
    cache, recipe = WORKER["cache"], WORKER["recipe"]
    model = fit(cache, recipe=recipe, train_clips=job.train, seed=job.seed, exclude_groups=job.exclude_groups)
    phone = clip_logits(model, cache, job.test, kind="phone_eval") if job.score_phone else None
    return clip_logits(model, cache, job.test), phone


def _folds_of(y: np.ndarray, groups: np.ndarray, *, folds: int, seed: int, split: str) -> list:
    return grouped_folds(y, groups, n_splits=folds, seed=seed) if split == "grouped" else random_folds(
        y, n_splits=folds, seed=seed)


def fold_plan(data: TaskData, *, recipe: Recipe, folds: int = 5, seeds: int = 3,
              split: str = "grouped") -> list[Fold]:
    """The fits of :func:`cross_validate`: ``folds`` folds for each of ``seeds`` seeds from ``recipe.seed`` on.

    Whoever refits a fold (a benchmark scoring held-out clips its own way) gets the same folds, seeds and
    excluded families as ``babycry cv``.

    Examples
    --------
    >>> plan = fold_plan(data, recipe=DetectorRecipe(), folds=5, seeds=1)  # doctest: +SKIP
    >>> [f.seed for f in plan]  # doctest: +SKIP
    [0, 1, 2, 3, 4]
    """
    if split not in ("grouped", "random"):
        raise InvalidParameterError(f"split must be 'grouped' or 'random', got {split!r}.")
    if seeds < 1:
        raise InvalidParameterError(f"seeds must be at least 1, got {seeds}.")
    plan = []
    for s in range(seeds):
        seed = recipe.seed + s
        for k, (tr, te) in enumerate(_folds_of(data.y, data.groups, folds=folds, seed=seed, split=split)):
            test_groups = set(data.groups[te].tolist()) if split == "grouped" else None
            plan.append(Fold(seed_index=s, fold=k, seed=seed * 100 + k, train=tr, test=te,
                             exclude_groups=test_groups))
    return plan


def cross_validate(
    data: TaskData, cache: FeatureCache, *, recipe: Recipe, folds: int = 5, seeds: int = 3, split: str = "grouped"
) -> CVResult:
    """Pooled out-of-fold logits from ``folds``-fold CV repeated over ``seeds`` seeds.

    Parameters
    ----------
    data : TaskData
    cache : FeatureCache
    recipe : Recipe
    folds, seeds : int
    split : {"grouped", "random"}
        ``"grouped"``: StratifiedGroupKFold on ``group``; ``"random"``: ungrouped (leaky).

    Returns
    -------
    CVResult

    Examples
    --------
    >>> cross_validate(data, cache, recipe=ReasonRecipe(), folds=5, seeds=3)  # doctest: +SKIP
    """
    jobs = fold_plan(data, recipe=recipe, folds=folds, seeds=seeds, split=split)
    t0 = time.time()
    n_labels = len(data.labels)
    all_logits = np.zeros((seeds, len(data), n_labels))
    phone_eval = bool((cache.index["kind"] == "phone_eval").any())
    all_phone = np.full((seeds, len(data), n_labels), np.nan) if phone_eval else None
    all_folds = [[(f.train, f.test) for f in jobs if f.seed_index == s] for s in range(seeds)]
    # Small transformers train faster as one single-threaded fit per core than as one fit on all cores;
    # each fold's seed fixes its result, however the folds are spread over processes.
    workers = worker_count(recipe.threads, len(jobs))
    results = map_in_processes(_run_fold, jobs, workers=workers, initializer=_init_fold_worker,
                               initargs=(cache, recipe))
    for n, (job, (logits, phone)) in enumerate(zip(jobs, results, strict=True)):
        all_logits[job.seed_index, job.test] = logits
        if all_phone is not None:
            all_phone[job.seed_index, job.test] = phone
        if recipe.progress:
            print(f"[cv {data.task} {split}] {n + 1}/{len(jobs)} folds done", file=sys.stderr)
    return CVResult(split=split, logits=all_logits, folds=all_folds, seconds=time.time() - t0,
                    phone_logits=all_phone)


@dataclass
class CategoryHoldout:
    """Out-of-category predictions: for each not-cry category, a model that never heard it.

    Attributes
    ----------
    held_out : np.ndarray
        Per scored clip, the category (or set of rows) left out of the model that scored it.
    clips : np.ndarray
        Row of the task table of each scored clip: every clip of the left-out category, then the clips of the
        other class in the grouped test fold (so each model is also checked on what it must still find).
    folds : np.ndarray
        Per scored clip, the grouped fold whose training side (less the left-out rows) the model learned from.
    logits : np.ndarray
        ``(n_scored, n_labels)`` uncalibrated clip logits.
    seconds : float
        Wall time.
    """

    held_out: np.ndarray
    clips: np.ndarray
    logits: np.ndarray
    seconds: float
    folds: np.ndarray | None = None

    def mean_per_clip(self) -> CategoryHoldout:
        """One row per left-out set and clip: a clip scored by several folds' models gets their mean logits.

        Examples
        --------
        >>> h = CategoryHoldout(held_out=np.array(["laugh"] * 3), clips=np.array([4, 4, 7]),
        ...                     logits=np.array([[0.0, 1.0], [0.0, 3.0], [1.0, 0.0]]), seconds=0.0)
        >>> m = h.mean_per_clip()
        >>> m.clips.tolist(), m.logits[:, 1].tolist()
        ([4, 7], [2.0, 0.0])
        """
        names, name_codes = np.unique(np.asarray(self.held_out).astype(str), return_inverse=True)
        clips = np.asarray(self.clips, dtype=np.int64)
        pairs, first, inverse = np.unique(np.stack([name_codes, clips], axis=1), axis=0, return_index=True,
                                          return_inverse=True)
        inverse = inverse.ravel()  # numpy 2.0-2.1 keep a column here
        total = np.zeros((len(pairs), self.logits.shape[1]))
        np.add.at(total, inverse, self.logits)
        return CategoryHoldout(held_out=names[name_codes[first]].astype(object), clips=clips[first],
                               logits=total / np.bincount(inverse)[:, None], seconds=self.seconds)


def category_sets(data: TaskData, *, categories: list[str] | None = None) -> dict[str, np.ndarray]:
    """The sets :func:`leave_category_out` holds out: each not-cry category's rows, all of them by default.

    Their order seeds the fits (:func:`holdout_plan`), so a benchmark refitting one category's model takes the whole
    mapping.

    Raises
    ------
    InvalidParameterError
        Not the detector task, or a category with no not-cry clip.

    Examples
    --------
    >>> list(category_sets(data))  # doctest: +SKIP
    ['adult_laugh', 'background', 'cough', 'laugh', 'noise', 'silence', 'speech']
    """
    if data.task != "detector":
        raise InvalidParameterError("Leave-one-category-out applies to the detector only.")
    cats = data.table["category"].to_numpy().astype(str)
    if categories is None:
        categories = sorted(set(cats[data.y == 0].tolist()))
    unknown = sorted(set(categories) - set(cats[data.y == 0].tolist()))
    if unknown:
        raise InvalidParameterError(f"No not-cry clips of categories: {', '.join(unknown)}.")
    return {cat: np.flatnonzero(cats == cat) for cat in categories}


def leave_category_out(
    data: TaskData, cache: FeatureCache, *, recipe: Recipe, categories: list[str] | None = None
) -> CategoryHoldout:
    """Leave-one-category-out: how the detector meets a kind of sound it never heard.

    For each not-cry category (laughter, coughs, noise, ...) and each of the recipe's first
    ``cv.leave_category_out_folds`` grouped folds, one model is trained on the fold's training side without any
    clip of the category (nor noise mixed from its recordings); it scores every clip of the category and the
    cries of that test fold. With every fold, each cry is scored once and each clip of the category once per
    fold (:meth:`CategoryHoldout.mean_per_clip` averages them). One fit per category and fold.

    Examples
    --------
    >>> leave_category_out(data, cache, recipe=DetectorRecipe())  # doctest: +SKIP
    """
    # CVSettings checks 1 <= leave_category_out_folds <= folds
    return leave_rows_out(data, cache, recipe=recipe, held_out=category_sets(data, categories=categories),
                          folds=tuple(range(recipe.cv.leave_category_out_folds)), what="category")


def holdout_plan(data: TaskData, *, recipe: Recipe, held_out: Mapping[str, np.ndarray],
                 folds: Sequence[int] = (0,)) -> list[tuple[str, Fold]]:
    """The fits of :func:`leave_rows_out`: for each named set and fold, the set's name and its :class:`Fold`.

    A fold's training side is the grouped fold's less the set's clips (their families are excluded too); its test
    side, every clip of the set and the grouped test side's clips of the other class. Whoever refits one (a
    benchmark scoring the set its own way) gets the same clips, excluded families and seed.

    Raises
    ------
    InvalidParameterError
        A set is empty or holds clips of both classes.

    Examples
    --------
    >>> [(name, f.fold) for name, f in holdout_plan(data, recipe=DetectorRecipe(), held_out=sets)]  # doctest: +SKIP
    [('esc cries', 0)]
    """
    groups = data.groups
    plan = _folds_of(data.y, groups, folds=recipe.cv.folds, seed=recipe.seed, split="grouped")
    jobs = []
    for k, (name, rows) in enumerate(held_out.items()):
        rows = np.asarray(rows, dtype=int)
        classes = np.unique(data.y[rows])
        if rows.size == 0 or classes.size != 1:
            raise InvalidParameterError(f"The held-out set {name!r} must hold clips of one class.")
        for fold in folds:
            train, test = plan[fold]
            other = test[data.y[test] != classes[0]]
            exclude = set(groups[test].tolist()) | set(groups[rows].tolist())
            # fold 0 keeps the seeds leave-one-category-out has always used
            seed = recipe.seed * 100 + 50 + k + 1000 * fold
            jobs.append((name, Fold(seed_index=0, fold=fold, seed=seed, train=np.setdiff1d(train, rows),
                                    test=np.concatenate([rows, other]), exclude_groups=exclude, score_phone=False)))
    return jobs


def leave_rows_out(
    data: TaskData, cache: FeatureCache, *, recipe: Recipe, held_out: Mapping[str, np.ndarray],
    folds: Sequence[int] = (0,), what: str = "rows",
) -> CategoryHoldout:
    """Models that never heard a set of clips (a category, a source), each scoring that set.

    For each named set (all of one class) and each grouped fold of the recipe's first seed in ``folds``, one
    model is trained on the fold's training side less the set's clips and their families (nor noise mixed from
    them); it scores every clip of the set and the test side's clips of the other class. Every clip of a set
    is scored once per fold.

    Parameters
    ----------
    held_out : mapping of str to np.ndarray
        Name -> rows of the task table, one class each.
    folds : sequence of int
        Grouped folds whose training sides are used.
    what : str
        What a set is, for the progress line.

    Examples
    --------
    >>> cries = np.flatnonzero((data.table["source"] == "esc").to_numpy() & (data.y == 1))  # doctest: +SKIP
    >>> leave_rows_out(data, cache, recipe=DetectorRecipe(), held_out={"esc cries": cries})  # doctest: +SKIP
    """
    t0 = time.time()
    planned = holdout_plan(data, recipe=recipe, held_out=held_out, folds=folds)
    names, jobs = [name for name, _ in planned], [fold for _, fold in planned]
    workers = worker_count(recipe.threads, len(jobs))
    results = map_in_processes(_run_fold, jobs, workers=workers, initializer=_init_fold_worker,
                               initargs=(cache, recipe))
    held, clips, logits, fold_of = [], [], [], []
    for name, job, (clean, _) in zip(names, jobs, results, strict=True):
        held.append(np.full(job.test.size, name, dtype=object))
        clips.append(job.test)
        logits.append(clean)
        fold_of.append(np.full(job.test.size, job.fold))
        if recipe.progress:
            print(f"[leave-one-{what}-out] {name} (fold {job.fold}) done", file=sys.stderr)
    return CategoryHoldout(held_out=np.concatenate(held), clips=np.concatenate(clips),
                           logits=np.concatenate(logits), seconds=time.time() - t0, folds=np.concatenate(fold_of))
