"""Score a saved checkpoint on every applicable clip of any manifest folder (``babycry evaluate``).

Unlike the cross-validation report, nothing here is out-of-fold: the figures are
honest only on a folder whose families the checkpoint never trained on.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from ..audio import load as load_audio
from ..config import CRY_THRESHOLD, N_BOOTSTRAP, AudioConfig, WindowConfig
from ..data import load_task
from ..errors import DataError
from ..modeling import CryModel, load_model
from .metrics import band_report, compute_metrics, majority_baseline, point_metrics

__all__ = ["evaluate_checkpoint"]


def evaluate_checkpoint(
    model: str | os.PathLike | CryModel,
    data_dir: str | os.PathLike,
    *,
    window: WindowConfig = WindowConfig(),
    audio_config: AudioConfig = AudioConfig(),
    n_boot: int = N_BOOTSTRAP,
    progress: bool = False,
) -> dict[str, Any]:
    """Score a checkpoint on every applicable clip of a folder.

    Detector checkpoints use the rows with ``is_cry`` 0/1; reason checkpoints
    the rows labelled with one of the four reasons.

    Parameters
    ----------
    model : path, hub id or CryModel
        The checkpoint.
    data_dir : path
        Folder with ``manifest.csv``.
    window, audio_config
        Windowing and preprocessing settings (the checkpoint's own by default).
    n_boot : int
        Family-bootstrap draws behind each interval.
    progress : bool
        Show a progress bar.

    Returns
    -------
    dict
        ``summary`` (metrics with group-bootstrap CIs, majority baseline) and
        ``clips`` (one record per clip: ``path``, ``group``, ``true``,
        ``probabilities``, ``verdict``; for a detector with an "unsure" band also
        ``cry_unsure``, while ``verdict`` stays the yes/no answer).

    Raises
    ------
    DataError
        A clip of the folder cannot be read (named in the message).

    Examples
    --------
    >>> evaluate_checkpoint("assets/models/cry-detector", "../shared/data")  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    cry_model = model if isinstance(model, CryModel) else load_model(model)
    data = load_task(data_dir, task=cry_model.task)
    t0 = time.time()
    records, probs, decisions = [], [], []
    for row in tqdm(list(data.table.itertuples(index=False)), disable=not progress, desc="evaluating"):
        try:
            audio = load_audio(row.path, config=audio_config, validate_audio=False)
        except Exception as exc:  # noqa: BLE001 - name the clip
            raise DataError(f"Cannot read {row.rel_path!r}: {exc}") from exc
        pred = cry_model.predict(audio.samples, sample_rate=audio.sample_rate, window=window, audio_config=audio_config)
        p = pred.probabilities
        probs.append(p)
        if cry_model.task == "detector":
            verdict = "cry" if p[1] >= CRY_THRESHOLD else "not_cry"
        else:
            verdict = "unsure" if pred.is_unsure(cry_model.unsure_threshold) else cry_model.labels[pred.decision]
        decisions.append(pred.decision)
        records.append({
            "path": row.rel_path,
            "group": str(row.group),
            "category": str(row.category),
            "true": data.labels[int(row.y)],
            "probabilities": {name: round(float(v), 6) for name, v in zip(cry_model.labels, p, strict=False)},
            "verdict": verdict,
            "windows": len(pred.spans),
        })
        if cry_model.task == "detector" and cry_model.cry_band is not None:
            records[-1]["cry_unsure"] = cry_model.is_cry_unsure(float(p[1]))
    probs_arr = np.asarray(probs)
    cats = data.table["category"].to_numpy().astype(str) if cry_model.task == "detector" else None
    summary: dict[str, Any] = {
        "model": cry_model.model_id,
        "task": cry_model.task,
        "data": str(data_dir),
        "manifest_sha256": data.manifest_hash,
        "n_clips": len(data),
        "n_groups": int(len(set(data.groups.tolist()))),
        "metrics": compute_metrics(data.y, probs_arr, data.groups, labels=data.labels, categories=cats, n_boot=n_boot,
                                   decisions=np.asarray(decisions)),
        "majority_baseline": majority_baseline(data.y, k=len(data.labels)),
        "seconds": round(time.time() - t0, 1),
    }
    if cry_model.task == "detector" and cry_model.cry_band is not None:
        summary["cry_band"] = band_report(probs_arr[:, 1], cats, band=cry_model.cry_band)
    if cry_model.task == "reason" and cry_model.unsure_threshold > 0:
        answered = np.array([r["verdict"] != "unsure" for r in records])
        summary["unsure"] = {
            "threshold": cry_model.unsure_threshold,
            "coverage": round(float(answered.mean()), 4),
            "answered_balanced_accuracy": round(point_metrics(
                data.y[answered], probs_arr[answered], k=len(data.labels),
                decisions=np.asarray(decisions)[answered])["balanced_accuracy"], 4)
            if answered.any() else None,
        }
    return {"summary": summary, "clips": records}
